"""One model per group of a DataFrame: GroupedEstimator and apply_grouped.

Estimators with a C table opt in to the C engine (csrc/core/grouped) through three
methods, the *grouped-fitting protocol*:

- ``_core_fit_args(X, y=None, sample_weight=None)`` -> ``dict(name, params, X, y,
  sample_weight)``: inputs for the whole frame, validated and converted row-wise
  (so any group's rows are a row subset of them).  It may set validation
  attributes on the estimator (``n_features_in_``, ``feature_names_in_``, private
  fit-time facts such as the dtype) exactly as fit would;
- ``_core_set_state(state)`` -> self: the fitted attributes from a C state dict;
- ``_core_apply_args(method, X)`` -> ``dict(name, method, X)``, called on one
  fitted group's estimator; the conversion of X must not depend on the group.

Such an estimator is fitted on all groups by one C call (one task per group in C
threads, the GIL released); any other scikit-learn estimator goes through a
Python thread pool.  Classifiers take the Python path even when they have the
protocol: their protocol encodes the labels of the whole frame, while each group's
model must learn (and fail on) the classes of its own rows.
"""

import copy
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from .. import _core
from .._engine import blas_limited, resolve_n_threads, seed_from_random_state
from ._keys import factorize_keys, key_hashes, key_tuples, lookup_codes

__all__ = ["GroupedEstimator", "apply_grouped"]

_PROTOCOL = ("_core_fit_args", "_core_set_state", "_core_apply_args")
_EXCEPTIONS = {"ValueError": ValueError, "MemoryError": MemoryError, "TypeError": TypeError,
               "RuntimeError": RuntimeError}
# 'auto' progress shows a bar from this many groups on (when someone can see it).
_PROGRESS_MIN_GROUPS = 100


def _has_protocol(estimator):
    return (all(callable(getattr(estimator, m, None)) for m in _PROTOCOL)
            and not is_classifier(estimator))


def _show_progress(progress, n_groups):
    if progress == "auto":
        interactive = "ipykernel" in sys.modules or (
            hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
        return interactive and n_groups >= _PROGRESS_MIN_GROUPS
    return bool(progress)


def _progress_bar(total, desc):
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit="group")


def _run_c(call, total, show, desc):
    """Runs call(progress, cancel).  With a bar, the C call runs in a worker thread
    (it releases the GIL) while this thread polls the C progress counter; Ctrl-C
    here raises the cancel flag C polls, waits for C to stop, and re-raises."""
    if not show:
        return call(None, None)
    counter = np.zeros(1, dtype=np.int64)
    cancel = np.zeros(1, dtype=np.int32)
    outcome = {}

    def work():
        try:
            outcome["value"] = call(counter, cancel)
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="pymlcore-grouped", daemon=True)
    bar = _progress_bar(total, desc)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
            bar.update(int(counter[0]) - bar.n)
    except KeyboardInterrupt:
        cancel[0] = 1
        worker.join()
        raise
    finally:
        bar.update(int(counter[0]) - bar.n)
        bar.close()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _run_python(tasks, n_jobs, show, desc):
    """Runs each task() (a list of callables) on a thread pool; results in task
    order, so they never depend on n_jobs or timing.  If tasks raise, the lowest
    task's exception is raised once all have run."""
    n_threads = min(resolve_n_threads(n_jobs), max(len(tasks), 1))
    bar = _progress_bar(len(tasks), desc) if show else None
    results = [None] * len(tasks)
    try:
        if n_threads == 1:
            for i, task in enumerate(tasks):
                results[i] = task()
                if bar is not None:
                    bar.update(1)
        else:
            with ThreadPoolExecutor(max_workers=n_threads) as pool:
                futures = [pool.submit(task) for task in tasks]
                try:
                    for future in as_completed(futures):
                        if bar is not None:
                            bar.update(1)
                except BaseException:  # Ctrl-C: drop the groups not started yet
                    for future in futures:
                        future.cancel()
                    raise
            # In task order: the exception raised is the first task's, whatever the timing.
            results = [future.result() for future in futures]
    finally:
        if bar is not None:
            bar.close()
    return results


def _check_frame(df, name="df"):
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    if len(df) == 0:
        raise ValueError(f"{name} is empty (0 rows): there is no group to fit")


def _check_by(by, df):
    by = [by] if isinstance(by, (str, int)) and not isinstance(by, bool) else list(by)
    if not by:
        raise ValueError("by must name at least one key column")
    missing = [c for c in by if c not in df.columns]
    if missing:
        raise KeyError(f"by: column(s) {missing} not in the DataFrame")
    return by


def _bad_rows(frame):
    """Rows holding a missing or infinite value in any column of `frame`, one column
    at a time (peak memory: one boolean per row)."""
    bad = np.zeros(len(frame), dtype=bool)
    for name in frame.columns:
        column = frame[name]
        bad |= column.isna().to_numpy()
        if column.dtype.kind == "f":
            bad |= np.isinf(column.to_numpy())
    return bad


def _group_rows(codes, n_groups):
    """Row positions of every group (stable), from the codes."""
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes[codes >= 0], minlength=n_groups)
    start = int(np.sum(codes < 0))
    bounds = start + np.concatenate([[0], np.cumsum(counts)])
    return [order[bounds[g]:bounds[g + 1]] for g in range(n_groups)]


def _group_random_state(seed, key_hash):
    """The random_state of a group's clone on the Python path: a function of the run
    seed and the key, so it depends neither on n_jobs nor on the group order."""
    return int(np.random.SeedSequence([seed, int(key_hash) & 0xFFFFFFFFFFFFFFFF])
               .generate_state(1)[0] & 0x7FFFFFFF)


class GroupedEstimator:
    """Fits one clone of `estimator` per group of rows of a DataFrame.

    The pandas-native form of Spark's ``groupBy(keys).applyInPandas(fit_one)``:
    ``fit(df, target)`` fits a clone on each group's rows, ``predict(df)`` routes
    each row to its group's model.

    Estimators with a C table (pymlcore's LinearRegression, Ridge, ...; see the
    protocol in this module's docstring) are fitted all at once in C: the key
    columns are factorised (pandas, sorted key order), C builds each group's row
    index in one pass (none at all when the frame is already sorted by the keys:
    each group is then a contiguous range) and runs every fit in C threads with
    the GIL released.  The copies that remain: the int64 group code per row, the
    feature columns converted to one NumPy array by the estimator's validation (a
    view, no copy, when they already form one float64/float32 block), and a row
    subset of the features when some groups hold missing or infinite values (see
    below).  Any other scikit-learn estimator is fitted through a Python thread
    pool.  Results never depend on ``n_jobs`` or on the row order: each group's
    random seed is a function of the estimator's ``random_state`` and a hash of the
    group's key values.

    Parameters
    ----------
    estimator : estimator object
        Cloned for every group.  On the C path each group's fit uses one thread
        (the parallelism is across groups), whatever the estimator's own n_jobs.
    by : str or list of str
        Key column(s).  Keys may be of any hashable type, mixed types included
        (ints and strings in one column are ordered numbers first, then by type
        name and value).  Rows with a missing key belong to no group and are
        ignored by fit, as in ``DataFrame.groupby``.
    n_jobs : int, default=None
        Threads across groups; None uses the cores this process may use, -1 all.
    on_error : {'raise', 'collect'}, default='raise'
        'raise': a group whose fit fails raises its exception (same type) with the
        group key in the message; nothing is kept.  'collect': failing groups are
        listed in ``errors_`` and the others kept; at predict, rows of failed or
        unknown groups get NaN instead of an error.
    progress : bool or 'auto', default='auto'
        A tqdm progress bar over groups; 'auto' shows it from 100 groups on when
        stderr is a terminal or inside Jupyter.

    Attributes
    ----------
    keys_ : DataFrame
        The distinct keys seen in fit, sorted, one row per group.
    estimators_ : dict
        Key tuple (a 1-tuple for one key column) -> the group's fitted estimator,
        in sorted key order; failed groups are absent.  Built on first access from
        the C states (a copy of the validated template + ``_core_set_state``), so
        fitting stays fast.
    errors_ : DataFrame
        Key columns, ``error`` (exception type name) and ``message`` of every group
        whose fit failed (empty unless on_error='collect').

    Notes
    -----
    Edge cases follow the estimator's own behaviour, per group: a group with one
    row or a constant target is fitted as the estimator fits it (LinearRegression
    gives a zero slope); a group with a missing or infinite value in its target or
    features is fitted (through the Python path) on its own rows, so the
    estimator's own error (e.g. "Input y contains NaN") is reported for that group
    only, or the group is fitted if the estimator accepts NaN.  An empty frame
    raises ValueError.  This is not itself a scikit-learn estimator (its fit takes
    a DataFrame and column names), so ``clone`` and grid search do not apply to it.
    """

    def __init__(self, estimator, by, *, n_jobs=None, on_error="raise", progress="auto"):
        self.estimator = estimator
        self.by = by
        self.n_jobs = n_jobs
        self.on_error = on_error
        self.progress = progress

    def __repr__(self):
        return (f"GroupedEstimator({self.estimator!r}, by={self.by!r}, n_jobs={self.n_jobs!r}, "
                f"on_error={self.on_error!r}, progress={self.progress!r})")

    # ---- fit ------------------------------------------------------------------

    def fit(self, df, target, features=None):
        """Fits one clone of the estimator per group.

        Parameters
        ----------
        df : DataFrame
            Keys, target and feature columns.
        target : str
            The target column.
        features : list of str, default=None
            Feature columns; None means every column but the keys and the target.

        Returns
        -------
        self
        """
        if self.on_error not in ("raise", "collect"):
            raise ValueError(f"on_error must be 'raise' or 'collect', got {self.on_error!r}")
        if not (self.progress in (True, False, "auto")):
            raise ValueError(f"progress must be True, False or 'auto', got {self.progress!r}")
        _check_frame(df)
        by = _check_by(self.by, df)
        if target not in df.columns:
            raise KeyError(f"target: column {target!r} not in the DataFrame")
        if target in by:
            raise ValueError(f"target {target!r} is also a key column")
        if features is None:
            features = [c for c in df.columns if c not in by and c != target]
        else:
            features = [features] if isinstance(features, str) else list(features)
            missing = [c for c in features if c not in df.columns]
            if missing:
                raise KeyError(f"features: column(s) {missing} not in the DataFrame")
        if not features:
            raise ValueError("features: no feature column (every column is a key or the target)")

        codes, keys = factorize_keys(df[by])
        n_groups = len(keys)
        if n_groups == 0:
            raise ValueError(f"every row has a missing key in {by}: there is no group to fit")
        hashes = key_hashes(keys)
        random_state = self.estimator.get_params().get("random_state", 0) \
            if hasattr(self.estimator, "get_params") else 0
        seed = seed_from_random_state(random_state)
        X, y = df[features], df[target]
        show = _show_progress(self.progress, n_groups)

        states = [None] * n_groups
        fitted = [None] * n_groups   # estimators fitted on the Python path
        errors = {}
        template = None
        if _has_protocol(self.estimator):
            # Optimistic: the whole frame validates (one pass, no copy).  If it does
            # not and some rows hold missing/inf values, their groups go to the Python
            # path (the estimator's own per-group behaviour) and the others to C.
            template = clone(self.estimator)
            py_groups = np.zeros(0, dtype=np.int64)
            c_codes = codes
            try:
                args = template._core_fit_args(X, y)
            except ValueError:
                bad = _bad_rows(df[features + [target]])
                if not bad.any():
                    raise  # a whole-frame problem (wrong dtype...): the estimator's error
                py_groups = np.unique(codes[bad & (codes >= 0)])
                # Rows without a key are in no group: dropped here too.
                keep = (codes >= 0) & ~np.isin(codes, py_groups)
                c_codes = codes[keep]
                template = clone(self.estimator)
                args = template._core_fit_args(X[keep], y[keep]) if keep.any() else None
            if args is not None:
                n_threads = resolve_n_threads(self.n_jobs)

                def call(counter, cancel):
                    with blas_limited(True):
                        return _core.fit_grouped(
                            args["name"], args["params"], args["X"], args["y"],
                            args["sample_weight"], c_codes, n_groups, hashes, n_threads, seed,
                            counter, cancel)

                states, c_errors, c_warnings = _run_c(call, n_groups, show,
                                                      "fitting groups")
                for g, kind, message in c_errors:
                    errors[g] = (_EXCEPTIONS.get(kind, RuntimeError), message)
                if c_warnings:
                    g, message = c_warnings[0]
                    warnings.warn(f"{len(c_warnings)} group(s) did not converge, first "
                                  f"{key_tuples(keys.iloc[[g]])[0]}: {message}",
                                  ConvergenceWarning, stacklevel=2)
            py_list = [int(g) for g in py_groups]
        else:
            py_list = list(range(n_groups))
        if py_list:
            rows = _group_rows(codes, n_groups)
            set_seed = "random_state" in self.estimator.get_params() and random_state is not None

            def fit_one(g):
                est = clone(self.estimator)
                if set_seed:
                    est.set_params(random_state=_group_random_state(seed, hashes[g]))
                try:
                    return est.fit(X.iloc[rows[g]], y.iloc[rows[g]].to_numpy()), None
                except Exception as exc:  # recorded per group, raised below if asked
                    return None, (type(exc), str(exc))

            outcomes = _run_python([lambda g=g: fit_one(g) for g in py_list], self.n_jobs,
                                   show, "fitting groups")
            for g, (est, error) in zip(py_list, outcomes):
                fitted[g] = est
                if error is not None:
                    errors[g] = error

        tuples = key_tuples(keys)
        if errors and self.on_error == "raise":
            g = min(errors)
            kind, message = errors[g]
            text = f"fitting group {by}={tuples[g]} failed: {message}"
            try:
                error = kind(text)
            except Exception:  # an exception type with another constructor
                error = RuntimeError(f"{kind.__name__}: {text}")
            raise error
        self.by_ = by
        self.target_ = target
        self.features_ = features
        self.keys_ = keys
        self.n_groups_ = n_groups
        self._tuples = tuples
        self._template = template
        self._fit_X, self._fit_codes = X, codes  # references, for forecast's history rows
        self._states = states
        self._fitted = fitted
        self._estimators = None
        failed = sorted(errors)
        self.errors_ = keys.iloc[failed].reset_index(drop=True).assign(
            error=[errors[g][0].__name__ for g in failed],
            message=[errors[g][1] for g in failed])
        return self

    # ---- fitted models ----------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "keys_"):
            raise NotFittedError("This GroupedEstimator instance is not fitted yet. Call 'fit' "
                                 "with appropriate arguments before using this estimator.")

    def _estimator_of(self, g):
        if self._fitted[g] is not None:
            return self._fitted[g]
        if self._states[g] is None:
            return None
        est = copy.deepcopy(self._template)
        return est._core_set_state(self._states[g])

    @property
    def estimators_(self):
        self._check_fitted()
        if self._estimators is None:
            self._estimators = {}
            for g, key in enumerate(self._tuples):
                est = self._estimator_of(g)
                if est is not None:
                    self._estimators[key] = est
        return self._estimators

    # ---- predict ----------------------------------------------------------------

    def _codes_for(self, df):
        _check_frame(df)
        missing = [c for c in self.by_ + self.features_ if c not in df.columns]
        if missing:
            raise KeyError(f"df: column(s) {missing} not in the DataFrame")
        codes = lookup_codes(self.keys_, df[self.by_])
        has_model = np.array([self._states[g] is not None or self._fitted[g] is not None
                              for g in range(self.n_groups_)], dtype=bool)
        routed = np.where(codes >= 0, codes, 0)
        unserved = (codes < 0) | ~has_model[routed]
        if unserved.any() and self.on_error == "raise":
            row = int(np.flatnonzero(unserved)[0])
            key = tuple(df[self.by_].iloc[row])
            reason = "was not seen in fit" if codes[row] < 0 else "failed to fit"
            raise ValueError(f"df: row {row} belongs to group {self.by_}={key}, which {reason}")
        return codes, unserved

    def predict(self, df):
        """Predictions of each row's group model, aligned with df's rows.

        Rows of groups not seen in fit (or whose fit failed) raise ValueError with
        on_error='raise', and get NaN with on_error='collect'.
        """
        return self._apply(df, "predict")

    def transform(self, df):
        """``transform`` of each row's group model (a transformer per group),
        aligned with df's rows; unknown or failed groups as in :meth:`predict`."""
        return self._apply(df, "transform")

    def _apply(self, df, method, codes=None, fortran=False):
        """`codes`: the rows' group codes when the caller built df from fitted
        groups itself (forecast), which saves looking the keys up again.
        `fortran`: a column-major output (each column contiguous)."""
        self._check_fitted()
        if codes is None:
            codes, unserved = self._codes_for(df)
        else:
            unserved = np.zeros(len(codes), dtype=bool)
        X = df[self.features_]
        n_threads = resolve_n_threads(self.n_jobs)
        show = _show_progress(self.progress, self.n_groups_)
        parts = []  # (row positions, predictions)
        c_groups = [g for g in range(self.n_groups_) if self._states[g] is not None]
        if c_groups:
            c_codes = np.where(unserved, -1, codes)
            py_fitted = np.array([f is not None for f in self._fitted], dtype=bool)
            c_codes[(c_codes >= 0) & py_fitted[np.maximum(c_codes, 0)]] = -1
            rows = np.flatnonzero(c_codes >= 0)
            if len(rows) < len(df):
                # Rows C does not serve may hold values its validation rejects (the
                # NaN of a failed group): C sees only its own rows (a copy).
                c_X, c_codes = X.iloc[rows], c_codes[rows]
            else:
                c_X = X
            # Any fitted group converts X (row-wise, the same for every group);
            # an estimator may require a fitted state for that.
            args = self._estimator_of(c_groups[0])._core_apply_args(method, c_X)
            out = _run_c(lambda counter, cancel: _core.apply_grouped(
                args["name"], args["method"], self._states, args["X"], c_codes, n_threads,
                counter, cancel, fortran), self.n_groups_, show, f"{method} on groups")
            if len(rows) == len(df):
                return out  # C served every row (so no Python group has one): as is
            parts.append((rows, out))
        py_groups = [g for g in range(self.n_groups_) if self._fitted[g] is not None]
        if py_groups:
            served = np.where(unserved, -1, codes)
            rows_of = _group_rows(served, self.n_groups_)
            tasks = [lambda g=g: (rows_of[g],
                                  getattr(self._fitted[g], method)(X.iloc[rows_of[g]]))
                     for g in py_groups if len(rows_of[g])]
            parts.extend(_run_python(tasks, self.n_jobs, show, f"{method} on groups"))
        return _assemble(parts, len(df), unserved)

    # ---- forecast ---------------------------------------------------------------

    def forecast(self, periods, freq="D", include_history=False):
        """Forecasts of every group, for estimators with a Prophet face
        (``make_future_dataframe`` and a ``predict`` that returns a DataFrame).

        Returns a long DataFrame: the key columns, then the columns of each group's
        ``predict(make_future_dataframe(periods, freq, include_history))`` (``ds``,
        ``yhat``, ``yhat_lower``, ``yhat_upper``, ``trend`` ...), groups in sorted key
        order.  For C forecasters all groups are predicted in one C call.
        """
        self._check_fitted()
        fitted = [g for g in range(self.n_groups_)
                  if self._states[g] is not None or self._fitted[g] is not None]
        if not fitted:
            raise ValueError("no group was fitted successfully")
        first = self._estimator_of(fitted[0])
        if not hasattr(first, "make_future_dataframe"):
            raise TypeError(f"{type(first).__name__} has no make_future_dataframe: forecast "
                            "needs a forecaster")
        if hasattr(first, "_frame_from_table") and len(self.features_) == 1 \
                and not getattr(first, "_schema", {}).get("lead"):
            return self._forecast_in_c(first, np.asarray(fitted, dtype=np.int64), periods,
                                       freq, include_history)

        def one(key, est):
            future = est.make_future_dataframe(periods=periods, freq=freq,
                                               include_history=include_history)
            frame = est.predict(future)
            if not isinstance(frame, pd.DataFrame):
                frame = future.assign(yhat=np.asarray(frame))
            return _with_keys(frame.reset_index(drop=True), self.by_, key)

        models = self.estimators_
        frames = _run_python([lambda k=k, e=e: one(k, e) for k, e in models.items()],
                             self.n_jobs, _show_progress(self.progress, len(models)),
                             "forecasting groups")
        return pd.concat(frames, ignore_index=True)

    def _forecast_in_c(self, first, fitted, periods, freq, include_history):
        """Future dates of every group (its own history first if asked), predicted
        by one grouped C `transform`, turned into Prophet's frame once.  A group's
        future starts after its last training date, as make_future_dataframe's.
        `first`: a fitted group's model; `fitted`: the fitted groups' codes."""
        time_column = self.features_[0]
        train_codes = np.asarray(self._fit_codes)
        train_ds = self._fit_X[time_column].to_numpy()
        if train_ds.dtype.kind != "M":
            train_ds = pd.to_datetime(self._fit_X[time_column]).to_numpy()
        train_ds = train_ds.astype("datetime64[ns]", copy=False)
        if len(fitted) < self.n_groups_ or np.any(train_codes < 0):
            keep = np.isin(train_codes, fitted)
            train_codes, train_ds = train_codes[keep], train_ds[keep]
        # Sorted by group then strictly by date (the usual layout of a history
        # table): the history rows are the forecast's rows as they are.
        step_code, step_ds = np.diff(train_codes), np.diff(train_ds.view(np.int64))
        in_order = bool(np.all((step_code > 0) | ((step_code == 0) & (step_ds > 0))))
        if in_order:
            bounds = np.flatnonzero(np.diff(train_codes)) + 1
            last_rows = np.append(bounds - 1, len(train_codes) - 1)
            last_codes, last = train_codes[last_rows], train_ds[last_rows]
        else:
            by_last = pd.Series(train_ds).groupby(train_codes).max()
            last_codes, last = by_last.index.to_numpy(), by_last.to_numpy()
        offset = pd.tseries.frequencies.to_offset(freq)
        if isinstance(offset, (pd.offsets.Tick, pd.offsets.Day)):
            # Fixed steps (a Day is 24 h on tz-naive dates): all groups at once.
            step = np.timedelta64(offset.n, "D") if isinstance(offset, pd.offsets.Day) \
                else pd.Timedelta(offset).to_timedelta64()
            steps = np.arange(1, periods + 1) * step
            future_ds = (last[:, None] + steps[None, :]).ravel().astype("datetime64[ns]")
        else:  # calendar steps (months...): per group, as make_future_dataframe
            parts = [pd.date_range(start=d, periods=periods + 1, freq=offset)[1:]
                     for d in last]
            future_ds = np.concatenate([p.to_numpy() for p in parts]).astype("datetime64[ns]")
        future_codes = np.repeat(last_codes, periods)
        if include_history and in_order:
            # Each group's history rows, then its future rows: scatter both.
            n_hist = np.diff(np.append(np.append(0, bounds), len(train_codes)))
            group_start = np.append(0, np.cumsum(n_hist + periods))[:-1]
            codes = np.empty(len(train_codes) + len(future_codes), dtype=np.int64)
            ds = np.empty(len(codes), dtype="datetime64[ns]")
            hist_at = np.arange(len(train_codes)) + np.repeat(
                group_start - np.append(0, np.cumsum(n_hist))[:-1], n_hist)
            fut_at = (np.repeat(group_start + n_hist, periods)
                      + np.tile(np.arange(periods), len(last_codes)))
            codes[hist_at], ds[hist_at] = train_codes, train_ds
            codes[fut_at], ds[fut_at] = future_codes, future_ds
        else:
            if include_history:
                past = pd.DataFrame({"code": train_codes, "ds": train_ds}).drop_duplicates()
                codes = np.concatenate((past["code"].to_numpy(), future_codes))
                ds = np.concatenate((past["ds"].to_numpy(), future_ds))
            else:
                codes, ds = future_codes, future_ds
            order = np.lexsort((ds, codes))  # groups in key order, each by date
            codes, ds = codes[order], ds[order]
        frame = pd.DataFrame({time_column: ds}, copy=False)
        table = self._apply(frame, "transform", codes=codes, fortran=True)
        active = np.any([self._states[g]["seasonalities_"][:, 4] for g in fitted
                         if self._states[g] is not None], axis=0) \
            if self._states[fitted[0]] is not None else None
        keys = {c: self.keys_[c].array.take(codes) for c in self.by_}
        return first._frame_from_table(pd.DataFrame({"ds": ds}, copy=False), table,
                                       active=active, keys=keys)


def _grouped_from_models(models, by, features, *, n_jobs=None, on_error="raise"):
    """A fitted GroupedEstimator over per-group models fitted elsewhere (e.g.
    unpickled from pymlcore.spark's model frame): `models` maps key tuples to a
    fitted estimator, or None for a group whose fit failed.  Models of one type
    that expose their C state (``_core_state()``, next to the grouped protocol)
    predict in one C call; the others through the Python path."""
    keys_frame = pd.DataFrame(list(models), columns=by)
    codes, keys = factorize_keys(keys_frame)
    n_groups = len(keys)
    states, fitted = [None] * n_groups, [None] * n_groups
    template = None
    for g, model in zip(codes, models.values()):
        if model is None:
            continue
        if _has_protocol(model) and callable(getattr(model, "_core_state", None)) and (
                template is None or type(model) is type(template)):
            states[g] = model._core_state()
            template = model if template is None else template
        else:
            fitted[g] = model
    first = template if template is not None else next(
        (m for m in models.values() if m is not None), None)
    grouped = GroupedEstimator(first, by, n_jobs=n_jobs, on_error=on_error, progress=False)
    grouped.by_, grouped.target_, grouped.features_ = list(by), None, list(features)
    grouped.keys_, grouped.n_groups_, grouped._tuples = keys, n_groups, key_tuples(keys)
    grouped._template = template
    grouped._fit_X = grouped._fit_codes = None
    grouped._states, grouped._fitted, grouped._estimators = states, fitted, None
    grouped.errors_ = keys.iloc[:0].assign(error=[], message=[])
    return grouped


def _assemble(parts, n_rows, unserved):
    """One output aligned with the input rows from (rows, values) parts; NaN where
    no model served a row."""
    if not parts:  # no row has a model (possible only with on_error='collect')
        return np.full(n_rows, np.nan)
    values = [np.asarray(v) for _, v in parts]
    dtype = np.result_type(*values)
    if unserved.any() and dtype.kind not in "fcO":
        dtype = np.dtype(np.float64) if dtype.kind in "iub" else np.dtype(object)
    out = np.empty((n_rows,) + values[0].shape[1:], dtype=dtype)
    for (rows, _), v in zip(parts, values):
        out[rows] = v
    if unserved.any():
        out[unserved] = np.nan
    return out


def _with_keys(frame, by, key):
    """frame with the key columns first (those it lacks), set to `key`."""
    for position, (name, value) in enumerate(zip(by, key)):
        if name not in frame.columns:
            frame.insert(position, name, [value] * len(frame))
    return frame


def apply_grouped(df, by, func, n_jobs=None):
    """The pandas form of Spark's grouped-map UDF: ``func(sub_frame) -> DataFrame``
    for every group of `df` by the key column(s) `by`, results concatenated.

    Groups run in sorted key order (keys of mixed types as in GroupedEstimator);
    with ``n_jobs != 1`` they run on a thread pool, and the result is the same as
    with one thread (concatenated in key order).  Each output gets the key columns
    it lacks, first; a Series output becomes a one-row frame.  Rows with a missing
    key are skipped.  func's exceptions propagate with the group key in a note.

    Returns
    -------
    DataFrame with a fresh RangeIndex.
    """
    _check_frame(df)
    by = _check_by(by, df)
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    codes, keys = factorize_keys(df[by])
    tuples = key_tuples(keys)
    rows = _group_rows(codes, len(keys))

    def one(g):
        try:
            out = func(df.iloc[rows[g]])
        except Exception as exc:
            exc.add_note(f"in apply_grouped, group {by}={tuples[g]}")
            raise
        if isinstance(out, pd.Series):
            out = out.to_frame().T
        if not isinstance(out, pd.DataFrame):
            raise TypeError(f"func must return a DataFrame, got {type(out).__name__} for group "
                            f"{by}={tuples[g]}")
        return _with_keys(out.reset_index(drop=True), by, tuples[g])

    frames = _run_python([lambda g=g: one(g) for g in range(len(keys))], n_jobs, False,
                         "applying to groups")
    if not frames:
        return pd.DataFrame(columns=by)
    return pd.concat(frames, ignore_index=True)
