"""Forecaster: recovery of known components, exact MAP optimality checked in numpy,
agreement with Prophet, intervals, determinism, pickling, Prophet's API and
diagnostics, the grouped engine's hooks, and bad input."""

import logging
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from pymlcore import _core
from pymlcore.timeseries import (Forecaster, cross_validation, generate_cutoffs,
                                 performance_metrics)

DAY_NS = 86_400 * 10**9


def make_series(n_days=1096, mult=False, noise=0.3, seed=0, start="2013-01-01"):
    """Trend with a kink at day 500, weekly and yearly waves, Gaussian noise."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, periods=n_days, freq="D")
    d = np.arange(n_days, dtype=float)
    days = ds.to_numpy("datetime64[ns]").astype(np.int64) / DAY_NS
    trend = 10.0 + 0.01 * d + 0.01 * np.maximum(d - 500, 0)
    week = np.sin(2 * np.pi * days / 7)
    year = np.cos(2 * np.pi * days / 365.25)
    truth = trend * (1 + 0.1 * week + 0.2 * year) if mult else trend + 2 * week + 3 * year
    y = truth + noise * rng.normal(size=n_days)
    return pd.DataFrame({"ds": ds, "y": y}), truth


@pytest.mark.parametrize("mode", ["additive", "multiplicative"])
def test_recovers_trend_and_seasonality(mode):
    df, truth = make_series(mult=mode == "multiplicative")
    full, full_truth = make_series(1096 + 90, mult=mode == "multiplicative")
    m = Forecaster(seasonality_mode=mode, random_state=0).fit(df["ds"].to_numpy(), df["y"])
    yhat = m.predict(full["ds"].to_numpy())
    # Noise sd 0.3 and ~60 parameters over 1096 points: the fitted curve stays
    # within 0.4 of the truth in the history and 0.6 over a 90-day extrapolation.
    assert np.abs(yhat[:1096] - full_truth[:1096]).max() < 0.4
    assert np.abs(yhat[1096:] - full_truth[1096:]).max() < 0.6
    assert set(m.seasonalities) == {"yearly", "weekly"}  # daily: 'auto' on daily data
    assert m.params["sigma_obs"][0, 0] * m.y_scale == pytest.approx(0.3, rel=0.08)


def _features(m, days):
    """Prophet's design in numpy, from the fitted state: Fourier terms per active
    seasonality (sin, cos per order), then nothing else (no extras here)."""
    cols = []
    for s in m.seasonalities.values():
        for j in range(1, s["fourier_order"] + 1):
            x = 2 * np.pi * j * days / s["period"]
            cols += [np.sin(x), np.cos(x)]
    return np.column_stack(cols)


@pytest.mark.parametrize("mode", ["additive", "multiplicative"])
def test_map_optimality_in_numpy(mode):
    # The returned parameters satisfy the optimality conditions of Prophet's
    # negative log posterior, rebuilt here independently of the C code:
    # zero gradient in k, m, beta, sigma; |d/d delta_j| <= 1/tau where delta_j = 0
    # and = -sign(delta_j)/tau elsewhere.
    df, _ = make_series(mult=mode == "multiplicative", seed=3)
    m = Forecaster(seasonality_mode=mode).fit(df)
    days = df["ds"].to_numpy("datetime64[ns]").astype(np.int64) / DAY_NS
    t = (days - days[0]) / (days[-1] - days[0])
    y = df["y"].to_numpy() / np.abs(df["y"]).max()
    Xf = _features(m, days)
    k, mm = m.params["k"][0, 0], m.params["m"][0, 0]
    delta, beta, sigma = m.params["delta"][0], m.params["beta"][0], m.params["sigma_obs"][0, 0]
    A = np.maximum(t[:, None] - m.changepoints_t[None, :], 0.0)
    g = k * t + mm + A @ delta
    mult = mode == "multiplicative"
    Xm = Xf @ beta if mult else 0.0
    Xa = 0.0 if mult else Xf @ beta
    r = y - (g * (1 + Xm) + Xa)
    e = -r / sigma**2
    c = e * (1 + Xm)
    grad_beta = Xf.T @ (e * g if mult else e) + beta / 10.0**2
    grad_k = c @ t + k / 25
    grad_m = c.sum() + mm / 25
    grad_delta = A.T @ c
    grad_sigma = len(y) / sigma - (r @ r) / sigma**3 + 4 * sigma
    scale = len(y)  # the objective sums n terms
    assert abs(grad_k) < 1e-6 * scale
    assert abs(grad_m) < 1e-6 * scale
    assert np.abs(grad_beta).max() < 1e-6 * scale
    assert abs(grad_sigma * sigma) < 1e-6 * scale
    tau = 0.05
    on = delta != 0
    assert on.any()
    np.testing.assert_allclose(grad_delta[on], -np.sign(delta[on]) / tau, atol=1e-6 * scale)
    assert np.all(np.abs(grad_delta[~on]) <= 1 / tau * (1 + 1e-6))


def test_agrees_with_prophet():
    # The use case's settings.  Prophet's Stan L-BFGS stops near the MAP; ours is
    # the exact MAP, so yhat agrees to a fraction of a percent of the data's scale.
    import prophet  # a test dependency: this test must run, never skip
    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.ERROR)
    df, _ = make_series(1826, mult=True, noise=0.5, seed=4)
    kw = dict(interval_width=0.95, growth="linear", daily_seasonality=False,
              weekly_seasonality=True, yearly_seasonality=True,
              seasonality_mode="multiplicative")
    ours = Forecaster(**kw, random_state=0).fit(df)
    ref = prophet.Prophet(**kw).fit(df)
    future = ours.make_future_dataframe(90)
    a, b = ours.predict(future), ref.predict(future)
    scale = df["y"].abs().max()
    assert np.abs(a["yhat"] - b["yhat"]).max() < 0.005 * scale
    assert np.abs(a["trend"] - b["trend"]).max() < 0.005 * scale
    # Intervals: Monte Carlo (1000 samples) on both sides.
    assert np.abs(a["yhat_upper"] - b["yhat_upper"]).max() < 0.03 * scale
    assert np.abs(a["yhat_lower"] - b["yhat_lower"]).max() < 0.03 * scale
    for col in ("weekly", "yearly", "multiplicative_terms", "additive_terms"):
        assert col in a and col in b
    np.testing.assert_array_equal(ours.changepoints_.to_numpy("datetime64[ns]"),
                                  ref.changepoints.to_numpy("datetime64[ns]"))


def test_holidays_and_regressor_recovered():
    df, _ = make_series(1096, noise=0.2, seed=5)
    events = pd.to_datetime(["2013-07-04", "2014-07-04", "2015-07-04"])
    hol = pd.DataFrame({"holiday": "july4", "ds": events, "lower_window": -1,
                        "upper_window": 0})
    bump = df["ds"].isin(events) * 4.0 + df["ds"].isin(events - pd.Timedelta(days=1)) * 2.0
    rng = np.random.default_rng(1)
    df["promo"] = rng.normal(size=len(df))
    df["y"] = df["y"] + bump + 1.5 * df["promo"]
    m = Forecaster(holidays=hol, random_state=0).add_regressor("promo").fit(df)
    out = m.predict(df)
    on = df["ds"].isin(events).to_numpy()
    before = df["ds"].isin(events - pd.Timedelta(days=1)).to_numpy()
    # Three occurrences, noise 0.2: each effect within 0.35.
    assert out.loc[on, "july4"].mean() == pytest.approx(4.0, abs=0.35)
    assert out.loc[before, "july4"].mean() == pytest.approx(2.0, abs=0.35)
    assert np.all(out.loc[~(on | before), "july4"] == 0)
    np.testing.assert_allclose(out["holidays"], out["july4"])
    # The regressor is standardised ('auto', not binary); its effect is 1.5 promo.
    # (Prophet's component: beta (x - mean) / std, so centred.)
    np.testing.assert_allclose(out["promo"], 1.5 * (df["promo"] - df["promo"].mean()), atol=0.05)
    np.testing.assert_allclose(out["extra_regressors_additive"], out["promo"])
    np.testing.assert_allclose(out["additive_terms"],
                               out["weekly"] + out["yearly"] + out["holidays"] + out["promo"],
                               atol=1e-9)
    with pytest.raises(ValueError, match="promo"):
        m.predict(df[["ds"]])


def test_country_holidays():
    df, _ = make_series(1096, seed=6)
    m = Forecaster().add_country_holidays("US").fit(df)
    out = m.predict(m.make_future_dataframe(30))
    assert "Christmas Day" in out and "holidays" in out
    xmas = out["ds"].dt.strftime("%m-%d") == "12-25"
    assert (out.loc[~xmas, "Christmas Day"] == 0).all()
    with pytest.raises(ValueError, match="not currently supported"):
        Forecaster().add_country_holidays("Atlantis")


def test_intervals_coverage_and_width():
    df, truth = make_series(1096, noise=1.0, seed=7)
    for width in (0.8, 0.95):
        m = Forecaster(interval_width=width, random_state=0).fit(df)
        iv = m.predict_interval(df["ds"].to_numpy())
        assert iv.shape == (len(df), 2)
        covered = np.mean((df["y"] >= iv[:, 0]) & (df["y"] <= iv[:, 1]))
        assert covered == pytest.approx(width, abs=0.03)
        # Over the history no trend change is simulated: the interval is the exact
        # Gaussian one, yhat -/+ z sigma_obs y_scale.
        from scipy.stats import norm
        half = norm.ppf((1 + width) / 2) * m.params["sigma_obs"][0, 0] * m.y_scale
        yhat = m.predict(df["ds"].to_numpy())
        np.testing.assert_allclose(iv, np.column_stack([yhat - half, yhat + half]), rtol=1e-12)
    # Fresh data from the same process over the next 90 days is covered too,
    # and the future intervals widen with the horizon (simulated trend changes).
    full, full_truth = make_series(1096 + 90, noise=1.0, seed=8)
    fc = Forecaster(interval_width=0.8, random_state=0).fit(df).predict(full)
    fut = fc.iloc[1096:]
    y_new = full_truth[1096:] + np.random.default_rng(9).normal(size=90)
    assert np.mean((y_new >= fut["yhat_lower"]) & (y_new <= fut["yhat_upper"])) >= 0.7
    # Trend uncertainty is zero over the history and grows with the horizon.
    hist = fc.iloc[:1096]
    assert (hist["trend_upper"] == hist["trend"]).all()
    assert (hist["trend_lower"] == hist["trend"]).all()
    width = (fut["trend_upper"] - fut["trend_lower"]).to_numpy()
    assert width[-10:].mean() > width[:10].mean() > 0
    assert (fut["trend_upper"] >= fut["trend"]).all() and (fut["trend_lower"] <= fut["trend"]).all()


def test_deterministic_for_any_n_jobs_and_pickle():
    df, _ = make_series(1096, mult=True, seed=10)
    future = pd.DataFrame({"ds": pd.date_range("2013-01-01", periods=1096 + 400)})
    outs = [Forecaster(seasonality_mode="multiplicative", random_state=3, n_jobs=j)
            .fit(df).predict(future) for j in (1, 2)]
    pd.testing.assert_frame_equal(outs[0], outs[1], check_exact=True)
    m = Forecaster(seasonality_mode="multiplicative", random_state=3).fit(df)
    back = pickle.loads(pickle.dumps(m))
    pd.testing.assert_frame_equal(back.predict(future), outs[0], check_exact=True)
    other = Forecaster(seasonality_mode="multiplicative", random_state=4).fit(df).predict(future)
    np.testing.assert_array_equal(other["yhat"], outs[0]["yhat"])
    assert not np.array_equal(other["yhat_upper"].iloc[-100:], outs[0]["yhat_upper"].iloc[-100:])


def test_prophet_face_details():
    df, _ = make_series(400, seed=11)  # < 2 years: yearly 'auto' is off
    m = Forecaster(uncertainty_samples=0).fit(df)
    assert set(m.seasonalities) == {"weekly"}
    fut = m.make_future_dataframe(periods=10)
    assert len(fut) == 410 and fut["ds"].iloc[-1] == df["ds"].iloc[-1] + pd.Timedelta(days=10)
    assert len(m.make_future_dataframe(5, include_history=False)) == 5
    out = m.predict(fut)
    assert "yhat_lower" not in out and "yearly" not in out
    assert list(out.columns[:2]) == ["ds", "trend"] and out.columns[-1] == "yhat"
    with pytest.raises(ValueError, match="uncertainty_samples=0"):
        m.predict_interval(fut["ds"].to_numpy())
    # add_seasonality, and the added model parts survive clone().
    m2 = Forecaster(weekly_seasonality=False).add_seasonality("monthly", 30.5, 5, mode="additive")
    c = clone(m2)
    assert set(c.fit(df).seasonalities) == {"monthly"}
    assert c.seasonalities["monthly"]["fourier_order"] == 5
    # flat growth: a constant trend.
    flat = Forecaster(growth="flat").fit(df).predict(fut)
    assert np.ptp(flat["trend"]) < 1e-9


def test_bad_and_messy_input():
    df, _ = make_series(500, seed=12)
    ref = Forecaster(random_state=0).fit(df).predict(df)
    # NaN y rows are dropped (Prophet): same fit as without them.
    holes = df.copy()
    holes.loc[[3, 100, 250], "y"] = np.nan
    a = Forecaster(random_state=0).fit(holes).predict(df)
    b = Forecaster(random_state=0).fit(df.drop(index=[3, 100, 250])).predict(df)
    pd.testing.assert_frame_equal(a, b)
    # Unsorted rows give the sorted fit.
    shuffled = df.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(Forecaster(random_state=0).fit(shuffled).predict(df), ref,
                                  check_exact=False, rtol=1e-9, atol=1e-9)
    # Duplicate ds: kept as repeated observations.
    dup = pd.concat([df, df.iloc[:50]])
    assert np.isfinite(Forecaster().fit(dup).predict(df)["yhat"]).all()
    with pytest.raises(ValueError, match="less than 2 non-NaN rows"):
        Forecaster().fit(df.iloc[:1])
    with pytest.raises(ValueError, match="less than 2 non-NaN rows"):
        Forecaster().fit(holes.assign(y=np.nan))
    with pytest.raises(ValueError, match='columns "ds" and "y"'):
        Forecaster().fit(df.rename(columns={"y": "value"}))
    with pytest.raises(ValueError, match="timezone"):
        Forecaster().fit(df.assign(ds=df["ds"].dt.tz_localize("UTC")))
    with pytest.raises(ValueError, match="infinity"):
        Forecaster().fit(df.assign(y=np.inf))
    with pytest.raises(ValueError, match="mcmc_samples"):
        Forecaster(mcmc_samples=10).fit(df)
    with pytest.raises(ValueError, match="stan_backend"):
        Forecaster(stan_backend="CMDSTANPY").fit(df)
    with pytest.raises(ValueError, match="growth"):
        Forecaster(growth="exponential").fit(df)
    with pytest.raises(ValueError, match="within training data"):
        Forecaster(changepoints=["2030-01-01"]).fit(df)
    # scikit-learn face: NaN in y is an error there, as in scikit-learn.
    with pytest.raises(ValueError, match="NaN"):
        Forecaster().fit(df["ds"].to_numpy(), holes["y"].to_numpy())
    with pytest.raises(ValueError, match="inconsistent"):
        Forecaster().fit(df["ds"].to_numpy(), df["y"].to_numpy()[:-1])


def test_given_changepoints_and_minmax():
    df, _ = make_series(800, seed=13)
    m = Forecaster(changepoints=["2013-06-01", "2014-03-01"], scaling="minmax").fit(df)
    assert list(m.changepoints_.dt.strftime("%Y-%m-%d")) == ["2013-06-01", "2014-03-01"]
    assert m.y_min == pytest.approx(df["y"].min())
    assert np.abs(m.predict(df)["yhat"] - df["y"]).mean() < 0.5


def test_cross_validation_and_metrics():
    df, _ = make_series(800, seed=14)
    m = Forecaster(random_state=0, weekly_seasonality=True, yearly_seasonality=False).fit(df)
    cv = cross_validation(m, horizon="30 days", period="60 days", initial="400 days")
    cutoffs = generate_cutoffs(df, pd.Timedelta("30 days"), pd.Timedelta("400 days"),
                               pd.Timedelta("60 days"))
    assert list(cv["cutoff"].unique()) == cutoffs
    assert list(cv.columns) == ["ds", "yhat", "yhat_lower", "yhat_upper", "y", "cutoff"]
    # Each cutoff equals a refit of the model on the rows up to it.
    c = cutoffs[0]
    refit = clone(m).fit(df[df["ds"] <= c])
    rows = df[(df["ds"] > c) & (df["ds"] <= c + pd.Timedelta("30 days"))]
    np.testing.assert_allclose(cv.loc[cv["cutoff"] == c, "yhat"], refit.predict(rows)["yhat"],
                               rtol=1e-12)
    # The brief's positional form (model, df, initial, period, horizon) gives the same.
    cv2 = cross_validation(m, df, "400 days", "60 days", "30 days")
    pd.testing.assert_frame_equal(cv, cv2)
    pm = performance_metrics(cv)
    assert list(pm.columns) == ["horizon", "mse", "rmse", "mae", "mape", "mdape", "smape",
                                "coverage"]
    np.testing.assert_allclose(pm["rmse"], np.sqrt(pm["mse"]))
    # Rolling window 0: per-horizon means.
    pm0 = performance_metrics(cv, metrics=["mae"], rolling_window=0)
    h = cv["ds"] - cv["cutoff"]
    expect = (cv["yhat"] - cv["y"]).abs().groupby(h).mean()
    np.testing.assert_allclose(pm0["mae"], expect.to_numpy())
    with pytest.raises(ValueError, match="Less data than horizon"):
        cross_validation(m, horizon="2000 days")


def test_grouped_engine_hooks():
    # A group is a row subset of the whole frame's core arrays: fitting it there
    # equals fitting the group's own frame through fit().
    a, _ = make_series(600, seed=15)
    b, _ = make_series(600, mult=True, seed=16)
    both = pd.concat([a.assign(key=0), b.assign(key=1)], ignore_index=True)
    m = Forecaster(seasonality_mode="multiplicative", random_state=0)
    args = m._core_fit_args(both)
    assert args["name"] == "Forecaster" and args["X"].dtype == np.float64
    rows = np.flatnonzero(both["key"] == 1)
    state = _core.fit(args["name"], args["params"], args["X"][rows], args["y"][rows], None,
                      None, 1, 0)
    direct = Forecaster(seasonality_mode="multiplicative", random_state=0).fit(b)
    g = clone(m)._core_set_state(state)  # clone keeps the column roles, not the state
    apply = g._core_apply_args("predict", b)
    yhat = _core.apply(apply["name"], apply["method"], g.state_, apply["X"], 1)
    np.testing.assert_allclose(yhat, direct.predict(b)["yhat"], rtol=1e-12)
    # A model set from a state alone knows its last date for future frames.
    fut = g.make_future_dataframe(10, include_history=False)
    expect = direct.make_future_dataframe(10, include_history=False)
    np.testing.assert_array_equal(fut["ds"], expect["ds"])
    with pytest.raises(ValueError, match="include_history=False"):
        g.make_future_dataframe(10)


def test_logistic_growth_with_cap_and_floor():
    import prophet  # a test dependency: this test must run, never skip

    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.ERROR)
    rng = np.random.default_rng(17)
    ds = pd.date_range("2014-01-01", periods=1000, freq="D")
    d = np.arange(1000.0)
    truth = 2.0 + 28.0 / (1.0 + np.exp(-0.008 * (d - 450)))
    df = pd.DataFrame({"ds": ds, "y": truth + 0.4 * rng.normal(size=1000), "cap": 30.0})
    m = Forecaster(growth="logistic", yearly_seasonality=False, weekly_seasonality=False,
                   random_state=0).fit(df)
    fut = m.make_future_dataframe(200)
    fut["cap"] = 30.0
    out = m.predict(fut)
    assert list(out.columns[:3]) == ["ds", "trend", "cap"]
    assert (out["trend_upper"] <= 30.0 + 1e-9).all()
    full = 2.0 + 28.0 / (1.0 + np.exp(-0.008 * (np.arange(1200.0) - 450)))
    assert np.abs(out["yhat"] - full).max() < 0.5
    ref = prophet.Prophet(growth="logistic", yearly_seasonality=False,
                          weekly_seasonality=False).fit(df).predict(fut)
    assert np.abs(out["yhat"] - ref["yhat"]).max() < 0.01 * 30
    # With a floor column, as Prophet (scales from cap - floor).
    df["floor"] = 1.5
    fut["floor"] = 1.5
    mf = Forecaster(growth="logistic", yearly_seasonality=False, weekly_seasonality=False).fit(df)
    ref_f = prophet.Prophet(growth="logistic", yearly_seasonality=False,
                            weekly_seasonality=False).fit(df).predict(fut)
    assert np.abs(mf.predict(fut)["yhat"] - ref_f["yhat"]).max() < 0.01 * 30
    with pytest.raises(ValueError, match='"floor"'):
        mf.predict(fut.drop(columns="floor"))
    with pytest.raises(ValueError, match='Capacities must be supplied'):
        Forecaster(growth="logistic").fit(df.drop(columns=["cap", "floor"]))
    with pytest.raises(ValueError, match="greater than floor"):
        Forecaster(growth="logistic").fit(df.assign(cap=1.0))
