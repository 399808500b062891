"""Forecaster: Prophet's model, fitted and predicted in C
(csrc/core/timeseries/forecaster.c).

Python turns the input into the row-wise array the C core reads -- ds as days
since 1970, holiday indicators, regressor columns -- and describes the columns'
roles in the parameters; every scale, feature, fit and simulated interval is
computed in C from the rows the fit sees, so the grouped engine can fit any row
subset (one group) of one big array without coming back here.
"""

import copy
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, _clone_parametrized
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .._engine import apply_core, fit_core

__all__ = ["Forecaster"]

_DAY_NS = 86_400 * 10**9
# Leading columns of the C "transform" output (pmc_forecaster_columns).
_FIXED = ("yhat", "yhat_lower", "yhat_upper", "trend", "trend_lower", "trend_upper",
          "additive_terms", "multiplicative_terms")
# Built-in seasonalities: period, default order, auto rule code in C.
_BUILTIN = {"yearly": (365.25, 10, 1), "weekly": (7.0, 3, 2), "daily": (1.0, 4, 3)}
_MAX_ITER = 200
_ORDER = Interval(Integral, 1, None, closed="left")


def _days(ds):
    """Timestamps (anything pandas reads as datetimes) -> (datetime64[ns] array,
    float64 days since 1970).  datetime64 input (the usual column) is converted
    with NumPy alone: pandas' parsing costs ~0.1 s per million rows."""
    values = ds.to_numpy() if isinstance(ds, (pd.Series, pd.Index)) else ds
    if not (isinstance(values, np.ndarray) and values.dtype.kind == "M"):
        parsed = pd.to_datetime(pd.Series(ds).reset_index(drop=True))
        if getattr(parsed.dt, "tz", None) is not None:
            raise ValueError("Column ds has timezone specified, which is not supported. "
                             "Remove timezone.")
        values = parsed.to_numpy("datetime64[ns]")
    values = values.astype("datetime64[ns]", copy=False)
    ns = values.view(np.int64)
    if np.any(ns == np.iinfo(np.int64).min):  # NaT
        raise ValueError("Found NaN in column ds.")
    return values, ns / _DAY_NS


class Forecaster(RegressorMixin, BaseEstimator):
    """Prophet's forecasting model, fitted in C.

    ``y(t) = g(t) * (1 + S_mult(t)) + S_add(t)``: a piecewise-linear (or flat)
    trend ``g`` with ``n_changepoints`` slope changes in the first
    ``changepoint_range`` of the history under a Laplace prior, Fourier
    seasonalities, holidays and extra regressors, each additive or
    multiplicative.  The fit is the maximum a posteriori estimate of Prophet's
    Stan model (normal(0, 5) on k and m, Laplace(0, changepoint_prior_scale) on
    the slope changes, normal(0, prior_scale) on the seasonal, holiday and
    regressor coefficients, half-normal(0, 0.5) on sigma_obs), computed exactly
    by proximal Gauss-Newton (the Laplace prior handled as an L1 term) instead
    of Stan's L-BFGS; only MAP fitting is offered (``mcmc_samples=0``).

    Two faces.  Prophet's: ``fit(df)`` with columns ``ds``, ``y`` (and
    regressors), ``make_future_dataframe``, ``predict(df)`` returning Prophet's
    columns, ``add_seasonality``, ``add_regressor``, ``add_country_holidays``;
    rows with NaN ``y`` are dropped, as Prophet does.  scikit-learn's:
    ``fit(X, y)`` where X is a datetime64 array, a one-column frame of
    timestamps, a frame with ``ds`` and regressor columns, or a numeric array
    whose first column is time in days since 1970 and whose other columns are
    regressors; ``predict(X)`` gives yhat and ``predict_interval(X)`` the
    (n, 2) lower/upper bounds.  There NaN in y is an error, as everywhere in
    scikit-learn.

    Intervals simulate future trend changes (as many as the history had per
    unit of time, Laplace slope changes with the fitted changes' mean absolute
    size) plus Gaussian observation noise, from a seed drawn from
    ``random_state`` at fit: the same for any ``n_jobs``.  Where no simulated
    trend change can reach a date (the history), the samples would be yhat
    plus Gaussian noise, and the exact Gaussian quantiles are used instead of
    Prophet's Monte Carlo estimate of them.

    Parameters
    ----------
    growth : {'linear', 'flat', 'logistic'}, default='linear'
        Trend.  'logistic' saturates at the ``cap`` column of the input frames
        (and starts from the optional ``floor`` column), as Prophet's.
    changepoints : list of dates, default=None
        Dates of the potential changepoints; default: chosen automatically.
    n_changepoints : int, default=25
    changepoint_range : float, default=0.8
    yearly_seasonality, weekly_seasonality, daily_seasonality : 'auto', bool or int
        'auto' turns the seasonality on with Prophet's rules (yearly with two
        years of history, weekly with two weeks at sub-weekly spacing, daily
        for sub-daily data; decided per fitted series); an int is the
        Fourier order.
    holidays : DataFrame, default=None
        Columns holiday, ds and optionally lower_window, upper_window,
        prior_scale.
    seasonality_mode : {'additive', 'multiplicative'}, default='additive'
    seasonality_prior_scale, holidays_prior_scale : float, default=10.0
    changepoint_prior_scale : float, default=0.05
    mcmc_samples : int, default=0
        Only 0 (MAP) is supported.
    interval_width : float, default=0.8
    uncertainty_samples : int, default=1000
        0 disables the intervals.
    stan_backend : None
        Accepted for compatibility; must be None.
    scaling : {'absmax', 'minmax'}, default='absmax'
    holidays_mode : {'additive', 'multiplicative'}, default=None
        Defaults to seasonality_mode.
    random_state : int, RandomState instance or None, default=None
        Seeds the interval simulation.
    n_jobs : int, default=None
        Threads for prediction; the fit of one series runs on one thread.

    Attributes
    ----------
    map_params_ : dict
        k, m, delta, beta, sigma_obs of the MAP fit (scaled units), each with a
        leading axis of 1; also readable as ``params``, Prophet's name.
    history_ : DataFrame or None
        The fitted rows (ds, y, regressors) sorted by ds, NaN y dropped
        (``history``); None after a fit on numeric X.
    changepoints_ : Series of Timestamps
        The changepoints used.  Prophet overwrites its ``changepoints`` argument
        with them; a scikit-learn estimator leaves its parameters as given.
    changepoints_t_ : ndarray
        The same in scaled time (``changepoints_t``).
    seasonalities_ : dict
        The active seasonalities with period, fourier_order, prior_scale and
        mode (``seasonalities``).
    start_, t_scale_, y_scale_, y_min_ : Timestamp, Timedelta, float, float
        The scales (``start``, ``t_scale``, ``y_scale``, ``y_min``).
    n_iter_ : int
        Gauss-Newton iterations of the fit.
    state_ : dict of ndarray
        The C model's exported state; what pickling and the grouped engine keep.
    n_features_in_ : int
        Columns of X at fit (1 for timestamps).

    Notes
    -----
    Differences from Prophet: mcmc_samples must be 0; conditional
    seasonalities are not supported; a model can be refitted; the Prophet-named
    fitted attributes are read-only aliases of the underscored ones.
    """

    _parameter_constraints = {
        "growth": [StrOptions({"linear", "flat", "logistic"})],
        "changepoints": ["array-like", None],
        "n_changepoints": [Interval(Integral, 0, None, closed="left")],
        "changepoint_range": [Interval(Real, 0, 1, closed="both")],
        "yearly_seasonality": [StrOptions({"auto"}), "boolean", _ORDER],
        "weekly_seasonality": [StrOptions({"auto"}), "boolean", _ORDER],
        "daily_seasonality": [StrOptions({"auto"}), "boolean", _ORDER],
        "holidays": [pd.DataFrame, None],
        "seasonality_mode": [StrOptions({"additive", "multiplicative"})],
        "seasonality_prior_scale": [Interval(Real, 0, None, closed="neither")],
        "holidays_prior_scale": [Interval(Real, 0, None, closed="neither")],
        "changepoint_prior_scale": [Interval(Real, 0, None, closed="neither")],
        "mcmc_samples": [Interval(Integral, 0, None, closed="left")],
        "interval_width": [Interval(Real, 0, 1, closed="neither")],
        "uncertainty_samples": [Interval(Integral, 0, None, closed="left"), "boolean"],
        "stan_backend": [None],
        "scaling": [StrOptions({"absmax", "minmax"})],
        "holidays_mode": [StrOptions({"additive", "multiplicative"}), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, growth="linear", changepoints=None, n_changepoints=25,
                 changepoint_range=0.8, yearly_seasonality="auto", weekly_seasonality="auto",
                 daily_seasonality="auto", holidays=None, seasonality_mode="additive",
                 seasonality_prior_scale=10.0, holidays_prior_scale=10.0,
                 changepoint_prior_scale=0.05, mcmc_samples=0, interval_width=0.8,
                 uncertainty_samples=1000, stan_backend=None, scaling="absmax",
                 holidays_mode=None, random_state=None, n_jobs=None):
        self.growth = growth
        self.changepoints = changepoints
        self.n_changepoints = n_changepoints
        self.changepoint_range = changepoint_range
        self.yearly_seasonality = yearly_seasonality
        self.weekly_seasonality = weekly_seasonality
        self.daily_seasonality = daily_seasonality
        self.holidays = holidays
        self.seasonality_mode = seasonality_mode
        self.seasonality_prior_scale = seasonality_prior_scale
        self.holidays_prior_scale = holidays_prior_scale
        self.changepoint_prior_scale = changepoint_prior_scale
        self.mcmc_samples = mcmc_samples
        self.interval_width = interval_width
        self.uncertainty_samples = uncertainty_samples
        self.stan_backend = stan_backend
        self.scaling = scaling
        self.holidays_mode = holidays_mode
        self.random_state = random_state
        self.n_jobs = n_jobs

    # ---- Prophet's model-building calls (kept through clone) -------------------------

    def _extras(self):
        if "_added" not in self.__dict__:
            self._added = {"seasonalities": {}, "regressors": {}, "country": None}
        return self._added

    def __sklearn_clone__(self):
        # The model parts added by add_* and the input schema set by
        # _core_fit_args (column roles) are kept; the fitted state is not.
        new = _clone_parametrized(self)
        for name in ("_added", "_schema"):
            if name in self.__dict__:
                setattr(new, name, copy.deepcopy(self.__dict__[name]))
        return new

    def __sklearn_is_fitted__(self):
        return "state_" in self.__dict__

    def add_seasonality(self, name, period, fourier_order, prior_scale=None, mode=None,
                        condition_name=None):
        """Adds a seasonality of `period` days with `fourier_order` Fourier terms."""
        if condition_name is not None:
            raise ValueError("condition_name: conditional seasonalities are not supported")
        if not isinstance(name, str) or not name:
            raise ValueError("name must be a non-empty string")
        if not (isinstance(period, Real) and period > 0):
            raise ValueError(f"period must be positive, got {period!r}")
        if not (isinstance(fourier_order, Integral) and fourier_order >= 1):
            raise ValueError(f"fourier_order must be a positive integer, got {fourier_order!r}")
        if prior_scale is not None and not (isinstance(prior_scale, Real) and prior_scale > 0):
            raise ValueError("Prior scale must be > 0")
        if mode not in (None, "additive", "multiplicative"):
            raise ValueError('mode must be "additive" or "multiplicative"')
        self._extras()["seasonalities"][name] = dict(
            period=float(period), fourier_order=int(fourier_order),
            prior_scale=None if prior_scale is None else float(prior_scale), mode=mode)
        return self

    def add_regressor(self, name, prior_scale=None, standardize="auto", mode=None):
        """Adds column `name` of the input frames as an extra regressor."""
        if not isinstance(name, str) or name in ("ds", "y", "cap", "floor"):
            raise ValueError(f"Name {name!r} is reserved or not a string.")
        if prior_scale is not None and not (isinstance(prior_scale, Real) and prior_scale > 0):
            raise ValueError("Prior scale must be > 0")
        if standardize not in ("auto", True, False):
            raise ValueError("standardize must be 'auto', True or False")
        if mode not in (None, "additive", "multiplicative"):
            raise ValueError('mode must be "additive" or "multiplicative"')
        self._extras()["regressors"][name] = dict(prior_scale=prior_scale,
                                                  standardize=standardize, mode=mode)
        return self

    def add_country_holidays(self, country_name):
        """Adds the built-in holidays of `country_name` (through the `holidays` package)."""
        try:
            import holidays as holidays_lib
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ImportError("add_country_holidays needs the 'holidays' package") from exc
        try:
            holidays_lib.country_holidays(country_name, years=[2000])
        except (NotImplementedError, KeyError, AttributeError) as exc:
            raise ValueError(f"Holidays in {country_name} are not currently supported!") from exc
        self._extras()["country"] = country_name
        return self

    # ---- column roles -------------------------------------------------------------------

    def _seasonality_specs(self):
        """[(name, period, order, prior, mode, rule)] in column order."""
        specs = {}
        for name, (period, order, rule) in _BUILTIN.items():
            arg = getattr(self, f"{name}_seasonality")
            if arg is False:
                continue
            if arg is True:
                rule = 0
            elif arg != "auto":
                order, rule = int(arg), 0
            specs[name] = (period, order, self.seasonality_prior_scale, self.seasonality_mode, rule)
        for name, s in self._extras()["seasonalities"].items():
            specs[name] = (s["period"], s["fourier_order"],
                           s["prior_scale"] or self.seasonality_prior_scale,
                           s["mode"] or self.seasonality_mode, 0)
        return [(name,) + spec for name, spec in specs.items()]

    def _holiday_table(self, years=None):
        """User holidays plus country holidays: (holiday, date, lower, upper, prior)."""
        rows = []
        if self.holidays is not None:
            h = self.holidays
            for col in ("holiday", "ds"):
                if col not in h:
                    raise ValueError(f'holidays must be a DataFrame with "{col}" column.')
            lower = h["lower_window"] if "lower_window" in h else pd.Series(0, index=h.index)
            upper = h["upper_window"] if "upper_window" in h else pd.Series(0, index=h.index)
            if (lower > 0).any() or (upper < 0).any():
                raise ValueError("Holiday lower_window should be <= 0 and upper_window >= 0")
            prior = (h["prior_scale"] if "prior_scale" in h
                     else pd.Series(self.holidays_prior_scale, index=h.index))
            dates = pd.to_datetime(h["ds"]).dt.normalize()
            for name, d, lo, up, ps in zip(h["holiday"], dates, lower, upper, prior):
                if not ps > 0:
                    raise ValueError("Prior scale must be > 0")
                rows.append((str(name), d, int(lo), int(up), float(ps)))
        country = self._extras()["country"]
        if country is not None and years:
            import holidays as holidays_lib

            table = holidays_lib.country_holidays(country, years=sorted(years))
            for d, name in sorted(table.items()):
                for part in str(name).split("; "):
                    rows.append((part, pd.Timestamp(d), 0, 0, self.holidays_prior_scale))
        return rows

    def _feature_specs(self, holiday_rows):
        """Extra columns: [(name, component, prior, mode, standardize)]: holiday
        indicators (one per holiday and window offset, as Prophet), then regressors."""
        hmode = self.holidays_mode or self.seasonality_mode
        specs, seen = [], {}
        for name, _, lo, up, ps in holiday_rows:
            for off in range(lo, up + 1):
                col = f"{name}_delim_{'+' if off >= 0 else '-'}{abs(off)}"
                if col not in seen:
                    seen[col] = len(specs)
                    specs.append((col, name, ps, hmode, 0))
                else:  # Prophet keeps the largest prior scale given for a holiday
                    i = seen[col]
                    specs[i] = specs[i][:2] + (max(specs[i][2], ps),) + specs[i][3:]
        for name, r in self._extras()["regressors"].items():
            std = {"auto": 2, True: 1, False: 0}[r["standardize"]]
            specs.append((name, name, r["prior_scale"] or self.holidays_prior_scale,
                          r["mode"] or self.seasonality_mode, std))
        return specs

    def _core_columns(self, ds, days, frame, holiday_rows, specs, lead):
        """The array C reads: days, the `lead` columns (cap, floor), then one
        column per feature spec."""
        X = np.empty((len(days), 1 + len(lead) + len(specs)), dtype=np.float64)
        X[:, 0] = days
        for j, name in enumerate(lead):
            if frame is None or name not in frame:
                raise ValueError('Capacities must be supplied for logistic growth in column "cap"'
                                 if name == "cap" else 'Expected column "floor".')
            values = pd.to_numeric(frame[name], errors="raise").to_numpy(np.float64)
            if not np.isfinite(values).all():
                raise ValueError(f"Found NaN in column {name!r}")
            X[:, 1 + j] = values
        base = 1 + len(lead)
        by_name = {}
        for name, d, lo, up, _ in holiday_rows:
            for off in range(lo, up + 1):
                by_name.setdefault(f"{name}_delim_{'+' if off >= 0 else '-'}{abs(off)}",
                                   set()).add((d + pd.Timedelta(days=off)).value)
        # Midnight of each row's day (numpy floors datetimes when coarsening).
        day_values = ds.astype("datetime64[D]").astype("datetime64[ns]").view(np.int64) \
            if by_name else None
        for j, (col, comp, _, _, _) in enumerate(specs):
            if col in by_name:
                X[:, base + j] = np.isin(day_values, np.fromiter(by_name[col], np.int64))
            elif col in self._extras()["regressors"]:
                if frame is None or col not in frame:
                    raise ValueError(f"Regressor {col!r} missing from dataframe")
                values = pd.to_numeric(frame[col], errors="raise").to_numpy(np.float64)
                if not np.isfinite(values).all():
                    raise ValueError(f"Found NaN in column {col!r}")
                X[:, base + j] = values
            else:  # a holiday seen at fit that this range does not hold
                X[:, base + j] = 0.0
        return X

    # ---- input parsing ----------------------------------------------------------------

    def _parse(self, X):
        """-> (ds Series, days since 1970, frame or None); (None, None, None) for
        numeric X."""
        if isinstance(X, pd.DataFrame):
            if "ds" in X:
                ds_col = X["ds"]
            elif X.shape[1] >= 1 and pd.api.types.is_datetime64_any_dtype(X.iloc[:, 0]):
                ds_col = X.iloc[:, 0]
            else:  # numeric: days since 1970 and regressors
                return None, None, None
            ds, days = _days(ds_col)
            return ds, days, X.reset_index(drop=True)
        arr = np.asarray(X)
        if arr.ndim == 1 and np.issubdtype(arr.dtype, np.datetime64):
            ds, days = _days(arr)
            return ds, days, None
        if arr.ndim == 2 and arr.shape[1] == 1 and np.issubdtype(arr.dtype, np.datetime64):
            ds, days = _days(arr[:, 0])
            return ds, days, None
        return None, None, None

    def _numeric_design(self, X, reset):
        """Numeric X: column 0 is days since 1970, the others regressors."""
        if not reset and not self._schema["numeric"]:
            raise ValueError("X must hold timestamps: this Forecaster was fitted on them")
        # float32 and float64 reach C as they are (any layout): no copy.
        return validate_data(self, X, reset=reset, dtype=(np.float64, np.float32),
                             ensure_min_samples=2 if reset else 1)

    def _prepare(self, X, fitting=False):
        """-> (core X, ds Series or None for numeric X); fitting sets the schema
        (column roles) that prediction then follows."""
        ds, days, frame = self._parse(X)
        if ds is None:  # numeric scikit-learn input
            Xn = self._numeric_design(X, reset=fitting)
            if self.growth == "logistic":
                raise ValueError('Capacities must be supplied for logistic growth in column '
                                 '"cap": pass a frame with ds and cap columns')
            if fitting:
                self._schema = {"numeric": Xn.shape[1], "lead": []}
            specs = [(f"x{j}", f"x{j}", self.holidays_prior_scale, self.seasonality_mode, 2)
                     for j in range(1, Xn.shape[1])]
            if fitting:
                self._schema["specs"] = specs
            return Xn, None
        # Holiday columns are fixed at fit (those of the fitted years, as Prophet);
        # their indicators are computed for the years of the rows at hand.
        years = None
        if self._extras()["country"] is not None:  # country holidays of these years
            years = set((np.unique(ds.astype("datetime64[Y]")).astype(np.int64)
                         + 1970).tolist())
        rows = self._holiday_table(years)
        if fitting:
            lead = []
            if self.growth == "logistic":
                lead = ["cap"] + (["floor"] if frame is not None and "floor" in frame else [])
            self._schema = {"numeric": 0, "specs": self._feature_specs(rows), "lead": lead}
            self.n_features_in_ = X.shape[1] if isinstance(X, pd.DataFrame) else 1
        elif self._schema["numeric"]:
            raise ValueError("this Forecaster was fitted on numeric X; pass numeric X")
        return self._core_columns(ds, days, frame, rows, self._schema["specs"],
                                  self._schema["lead"]), ds

    def _core_params(self):
        seas = self._seasonality_specs()
        S = np.array([[p, o, ps, m == "multiplicative", rule] for _, p, o, ps, m, rule in seas],
                     dtype=np.float64).reshape(-1, 5)
        lead = self._schema["lead"]
        Fs = np.array([[1 + len(lead) + j, ps, m == "multiplicative", std]
                       for j, (_, _, ps, m, std) in enumerate(self._schema["specs"])],
                      dtype=np.float64).reshape(-1, 4)
        if self.changepoints is not None:
            _, cp = _days(pd.Series(list(self.changepoints)))
            cp = np.ascontiguousarray(cp, dtype=np.float64)
        else:
            cp = None
        return dict(growth=self.growth, n_changepoints=int(self.n_changepoints),
                    changepoint_range=float(self.changepoint_range),
                    changepoint_prior_scale=float(self.changepoint_prior_scale),
                    changepoints=cp, seasonalities=S if len(S) else None,
                    features=Fs if len(Fs) else None, scaling=self.scaling,
                    interval_width=float(self.interval_width),
                    uncertainty_samples=int(self.uncertainty_samples), max_iter=_MAX_ITER,
                    cap_column=1 if "cap" in lead else -1,
                    floor_column=2 if "floor" in lead else -1)

    # ---- the three calls the grouped engine uses ----------------------------------------

    def _core_fit_args(self, X, y=None, sample_weight=None):
        """What `_core.fit` needs for the whole input: name, params, the row-wise
        core array X (ds in days, holiday indicators, regressors) and y.  A group
        is then a row subset of these arrays."""
        return self._fit_args_and_ds(X, y, sample_weight)[0]

    def _fit_args_and_ds(self, X, y=None, sample_weight=None):
        self._validate_params()
        if self.mcmc_samples:
            raise ValueError("mcmc_samples: only MAP fitting (0) is supported")
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by the Forecaster")
        prophet = y is None
        if prophet:
            if not isinstance(X, pd.DataFrame) or "ds" not in X or "y" not in X:
                raise ValueError('Forecaster requires y to be passed, but the target y is '
                                 'None: call fit(X, y), or fit(df) with a Dataframe that has '
                                 'columns "ds" and "y" with the dates and values respectively.')
            yv = pd.to_numeric(X["y"], errors="raise").to_numpy(np.float64)
            if np.isinf(yv).any():
                raise ValueError("Found infinity in column y.")
        else:
            yv = column_or_1d(y, warn=True, dtype=np.float64)
            if not np.isfinite(yv).all():
                raise ValueError("Input y contains NaN or infinity.")
        Xc, ds = self._prepare(X, fitting=True)
        if len(yv) != Xc.shape[0]:
            raise ValueError(f"X and y have inconsistent numbers of samples: {Xc.shape[0]} "
                             f"and {len(yv)}")
        return dict(name="Forecaster", params=self._core_params(), X=Xc, y=yv,
                    sample_weight=None), ds

    def _core_set_state(self, state):
        """Sets the fitted attributes from an exported C state."""
        self.state_ = {k: np.asarray(v) for k, v in state.items()}
        s = self.state_
        start, t_scale, y_scale, floor = s["scales_"]
        self.start_ = pd.Timestamp(int(round(start * _DAY_NS)))
        self.t_scale_ = pd.Timedelta(int(round(t_scale * _DAY_NS)))
        self.y_scale_ = float(y_scale)
        self.y_min_ = float(floor)
        k, m, sigma = s["params_"]
        self.map_params_ = {"k": np.array([[k]]), "m": np.array([[m]]),
                            "delta": s["delta_"][None, :].copy(),
                            "sigma_obs": np.array([[sigma]]), "beta": s["beta_"][None, :].copy()}
        self.changepoints_t_ = s["changepoints_t_"].copy()
        cp_days = start + self.changepoints_t_ * t_scale
        # Prophet overwrites its `changepoints` argument with the fitted dates; a
        # scikit-learn estimator keeps its parameters, so they are changepoints_.
        self.changepoints_ = pd.Series(
            pd.to_datetime(np.round(cp_days * _DAY_NS).astype(np.int64)), name="ds")
        seas = {}
        for (name, *_), row in zip(self._seasonality_specs(), s["seasonalities_"]):
            if row[4]:
                seas[name] = dict(period=row[0], fourier_order=int(row[1]),
                                  prior_scale=row[2],
                                  mode="multiplicative" if row[3] else "additive")
        self.seasonalities_ = seas
        self.n_iter_ = int(s["n_iter_"][0])
        return self

    def _core_state(self):
        """The exported C state the apply calls read (grouped prediction of models
        fitted elsewhere)."""
        check_is_fitted(self, "state_")
        return self.state_

    def _core_apply_args(self, method, X):
        """What `_core.apply` needs: 'predict' gives yhat, 'transform' the table of
        yhat, intervals, trend and components (see pmc/timeseries.h)."""
        check_is_fitted(self, "state_")
        if method not in ("predict", "transform"):
            raise ValueError(f"method must be 'predict' or 'transform', got {method!r}")
        Xc, _ = self._prepare(X)
        return dict(name="Forecaster", method=method, X=Xc)

    # ---- fit / predict -------------------------------------------------------------------

    def fit(self, X, y=None):
        """Fits the model: `fit(df)` with columns ds, y (Prophet) or `fit(X, y)`."""
        args, ds = self._fit_args_and_ds(X, y)
        state = fit_core(args["name"], args["params"], args["X"], args["y"], None,
                         n_jobs=1, random_state=self.random_state, blas_in_threads=True)
        self._core_set_state(state)
        if ds is None:  # numeric X: no dates to keep
            self.history_ = None
            return self
        keep = np.isfinite(args["y"])
        hist = pd.DataFrame({"ds": ds[keep], "y": args["y"][keep]})
        if isinstance(X, pd.DataFrame):
            for name in self._schema["lead"] + list(self._extras()["regressors"]):
                hist[name] = X[name].to_numpy()[keep]
        self.history_ = hist.sort_values("ds", kind="stable").reset_index(drop=True)
        return self

    # Prophet's names for the fitted attributes (read-only views of the above).
    params = property(lambda self: self.map_params_, doc="Prophet's params: k, m, delta, "
                      "beta, sigma_obs (MAP), each with a leading axis of 1.")
    history = property(lambda self: self.history_, doc="The fitted rows, NaN y dropped.")
    start = property(lambda self: self.start_)
    t_scale = property(lambda self: self.t_scale_)
    y_scale = property(lambda self: self.y_scale_)
    y_min = property(lambda self: self.y_min_)
    changepoints_t = property(lambda self: self.changepoints_t_)
    seasonalities = property(lambda self: self.seasonalities_,
                             doc="The active seasonalities of the fit.")

    def _apply(self, method, X):
        args = self._core_apply_args(method, X)
        return apply_core(args["name"], args["method"], self.state_, args["X"],
                          n_jobs=self.n_jobs)

    def predict(self, X=None):
        """yhat for X (scikit-learn face) or Prophet's forecast frame for a frame
        with a `ds` column (Prophet face; X=None predicts the history)."""
        check_is_fitted(self, "state_")
        if X is None:
            X = self.history_
        if isinstance(X, pd.DataFrame) and "ds" in X:
            return self._prophet_frame(X)
        return self._apply("predict", X)

    def predict_interval(self, X):
        """(n, 2) lower and upper bounds of the interval_width interval."""
        check_is_fitted(self, "state_")
        if int(self.uncertainty_samples) == 0:
            raise ValueError("uncertainty_samples=0 disables the intervals")
        return np.ascontiguousarray(self._apply("transform", X)[:, 1:3])

    def _prophet_frame(self, df):
        return self._frame_from_table(df, self._apply("transform", df))

    def _frame_from_table(self, df, table, active=None, keys=None):
        """Prophet's forecast frame from the C `transform` table of rows `df` (which
        holds ds, and cap/floor for logistic growth).  `active`: which seasonalities
        get a column (default: the ones this fit used; grouped forecasts pass the
        union over their groups).  `keys`: columns put first (grouped forecasts).

        The frame holds the table's columns without copying them when the table
        is column-major (grouped forecasts ask C for that layout): a frame built
        from a dict with copy=False keeps each column as its own block.
        """
        table = np.asfortranarray(table)
        ds = df["ds"]
        ds = ds.to_numpy() if ds.dtype.kind == "M" else pd.to_datetime(ds).to_numpy()
        floats = [("trend", table[:, 3])]  # (name, column), in Prophet's order
        for name in self._schema["lead"]:  # cap, floor: as Prophet's output
            floats.append((name, df[name].to_numpy(np.float64)))
        with_intervals = int(self.uncertainty_samples) > 0
        if with_intervals:
            for j, name in ((1, "yhat_lower"), (2, "yhat_upper"), (4, "trend_lower"),
                            (5, "trend_upper")):
                floats.append((name, table[:, j]))
        comps = {"additive_terms": table[:, 6], "multiplicative_terms": table[:, 7]}
        base = len(_FIXED)
        seas = self._seasonality_specs()
        if active is None:
            active = self.state_["seasonalities_"][:, 4]
        for j, (name, *_) in enumerate(seas):
            if active[j]:
                comps[name] = table[:, base + j]
        base += len(seas)
        holiday_total, extra = None, {"additive": None, "multiplicative": None}
        for j, (col, comp, _, mode, _) in enumerate(self._schema["specs"]):
            v = table[:, base + j]
            comps[comp] = comps.get(comp, 0.0) + v
            if col in self._extras()["regressors"]:
                extra[mode] = v if extra[mode] is None else extra[mode] + v
            else:
                holiday_total = v if holiday_total is None else holiday_total + v
        if holiday_total is not None:
            comps["holidays"] = holiday_total
        for mode, v in extra.items():
            if v is not None:
                comps[f"extra_regressors_{mode}"] = v
        for name in sorted(comps):
            floats.append((name, comps[name]))
            if with_intervals:  # MAP: the components carry no uncertainty, as Prophet's
                floats.append((f"{name}_lower", comps[name]))
                floats.append((f"{name}_upper", comps[name]))
        floats.append(("yhat", table[:, 0]))
        columns = dict(keys or {})
        columns["ds"] = ds
        columns.update(floats)
        out = pd.DataFrame(columns, copy=False)
        return out

    def make_future_dataframe(self, periods, freq="D", include_history=True):
        """Frame of ds extending `periods` steps of `freq` past the history."""
        check_is_fitted(self, "state_")
        history = getattr(self, "history_", None)
        if self._schema["numeric"]:
            raise ValueError("make_future_dataframe needs a fit on dates, not numeric X")
        if history is None and include_history:
            # A model set from a state alone (grouped fitting) knows its last
            # date, not the dates of its history.
            raise ValueError("this model has no history (it was set from a fitted "
                             "state): use include_history=False")
        last = self.start_ + self.t_scale_ if history is None else history["ds"].max()
        dates = pd.date_range(start=last, periods=periods + 1, freq=freq)
        dates = dates[dates > last][:periods]
        if include_history:
            dates = np.concatenate((np.array(self.history_["ds"].unique()), dates))
        return pd.DataFrame({"ds": dates})
