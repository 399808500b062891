"""GroupedEstimator and apply_grouped: per-group fits equal to per-group
scikit-learn fits, the C path equal to the Python path, determinism across n_jobs
and row order, the zero-copy sorted path, and the documented edge cases."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import Ridge as SkRidge
from sklearn.preprocessing import StandardScaler as SkStandardScaler
from _helpers import traced_peak

from pymlcore import _core
from pymlcore.grouped import GroupedEstimator, apply_grouped
from pymlcore.grouped._grouped import _has_protocol
from pymlcore.linear_model import LinearRegression, Ridge

# Per-group least squares in C and in scikit-learn/LAPACK solve the same small,
# well-conditioned problems by different factorisations: they agree to rounding.
RTOL, ATOL = 1e-9, 1e-10


def make_frame(n_groups=60, rows=25, n_features=3, seed=0, string_keys=False):
    rng = np.random.default_rng(seed)
    n = n_groups * rows
    g = np.repeat(np.arange(n_groups), rows)
    X = rng.normal(size=(n, n_features))
    slopes = rng.normal(size=(n_groups, n_features))
    y = np.einsum("ij,ij->i", X, slopes[g]) + g * 0.1 + 0.01 * rng.normal(size=n)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    df.insert(0, "store", g % 7)
    df.insert(1, "item", [f"item{v // 7}" for v in g] if string_keys else g // 7)
    df["y"] = y
    return df


def sklearn_fits(df, by, make, target="y"):
    features = [c for c in df.columns if c not in by and c != target]
    return {key if isinstance(key, tuple) else (key,): make().fit(sub[features], sub[target])
            for key, sub in df.groupby(by)}


@pytest.mark.parametrize("make, sk_make", [
    (LinearRegression, SkLinearRegression),
    (lambda: Ridge(alpha=0.3), lambda: SkRidge(alpha=0.3)),
])
def test_matches_per_group_sklearn(make, sk_make):
    df = make_frame()
    model = GroupedEstimator(make(), ["store", "item"], progress=False).fit(df, "y")
    expected = sklearn_fits(df, ["store", "item"], sk_make)
    assert _has_protocol(make())
    assert set(model.estimators_) == set(expected)
    assert model.n_groups_ == len(expected) == 60
    for key, est in model.estimators_.items():
        np.testing.assert_allclose(est.coef_, expected[key].coef_, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(est.intercept_, expected[key].intercept_, rtol=RTOL,
                                   atol=ATOL)
        assert est.n_features_in_ == 3
        assert list(est.feature_names_in_) == ["x0", "x1", "x2"]
    # The lazily built estimators predict as the states do.
    key = next(iter(expected))
    rows = (df.store == key[0]) & (df.item == key[1])
    np.testing.assert_allclose(model.estimators_[key].predict(df.loc[rows, ["x0", "x1", "x2"]]),
                               expected[key].predict(df.loc[rows, ["x0", "x1", "x2"]]),
                               rtol=RTOL, atol=ATOL)
    assert model.errors_.empty and list(model.errors_.columns) == ["store", "item", "error",
                                                                  "message"]


def test_float32_features_stay_float32():
    df = make_frame(n_groups=6, rows=12, seed=12)
    df[["x0", "x1", "x2", "y"]] = df[["x0", "x1", "x2", "y"]].astype(np.float32)
    model = GroupedEstimator(LinearRegression(), ["store", "item"], progress=False).fit(df, "y")
    reference = GroupedEstimator(SkLinearRegression(), ["store", "item"],
                                 progress=False).fit(df, "y")
    pred = model.predict(df)
    assert pred.dtype == np.float32 and reference.predict(df).dtype == np.float32
    assert all(est.coef_.dtype == np.float32 for est in model.estimators_.values())
    # float32 inputs, float64 arithmetic on both sides: agreement to float32 rounding.
    np.testing.assert_allclose(pred, reference.predict(df), rtol=1e-5, atol=1e-5)


def test_c_path_equals_python_path():
    df = make_frame(seed=1)
    c_model = GroupedEstimator(Ridge(alpha=2.0), ["store", "item"], progress=False).fit(df, "y")
    py_model = GroupedEstimator(SkRidge(alpha=2.0), ["store", "item"], progress=False).fit(df, "y")
    assert not _has_protocol(SkRidge())
    np.testing.assert_allclose(c_model.predict(df), py_model.predict(df), rtol=RTOL, atol=ATOL)
    for key, est in py_model.estimators_.items():
        np.testing.assert_allclose(c_model.estimators_[key].coef_, est.coef_, rtol=RTOL,
                                   atol=ATOL)


@pytest.mark.parametrize("make", [LinearRegression, SkLinearRegression])
def test_identical_for_n_jobs_and_row_order(make):
    df = make_frame(seed=2)
    shuffled = df.sample(frac=1.0, random_state=0)
    reference = GroupedEstimator(make(), ["store", "item"], n_jobs=1, progress=False).fit(df, "y")
    ref_pred = reference.predict(df)
    for n_jobs, frame in [(2, df), (-1, df), (1, shuffled), (2, shuffled)]:
        model = GroupedEstimator(make(), ["store", "item"], n_jobs=n_jobs,
                                 progress=False).fit(frame, "y")
        assert list(model.estimators_) == list(reference.estimators_)  # sorted key order
        for key, est in model.estimators_.items():
            # Row order within a group is the frame's, so a shuffled frame sums in
            # another order: equal to rounding, and bit-identical across n_jobs.
            if frame is df:
                np.testing.assert_array_equal(est.coef_, reference.estimators_[key].coef_)
            else:
                np.testing.assert_allclose(est.coef_, reference.estimators_[key].coef_,
                                           rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(model.predict(df), ref_pred, rtol=1e-12, atol=1e-12)


def test_sorted_frame_fits_without_copying_the_features():
    rng = np.random.default_rng(0)
    n, p = 100_000, 20
    X = rng.normal(size=(n, p))
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(p)])
    df["y"] = X @ rng.normal(size=p)
    df.insert(0, "g", np.repeat(np.arange(1000), 100))
    model = GroupedEstimator(LinearRegression(), "g", progress=False)
    model.fit(df, "y")  # warm-up: imports, caches
    peak = traced_peak(lambda: model.fit(df, "y"))
    # The features (16 MB) are viewed, never copied: what remains is the int64 group
    # code per row (0.8 MB), pandas' factorisation of the key and one boolean per
    # row (non-finite screen), and the small per-group states.
    assert peak < 0.25 * X.nbytes, peak
    np.testing.assert_array_equal(df.iloc[:, 1:p + 1].to_numpy(), X)  # input unchanged


@pytest.mark.parametrize("make", [LinearRegression, SkLinearRegression])
def test_pickle_round_trip(make):
    df = make_frame(n_groups=10, rows=8, seed=11)
    model = GroupedEstimator(make(), ["store", "item"], progress=False).fit(df, "y")
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(df), model.predict(df))
    assert list(restored.estimators_) == list(model.estimators_)


def test_predict_is_aligned_with_rows_and_unknown_groups():
    df = make_frame(seed=3)
    model = GroupedEstimator(LinearRegression(), ["store", "item"], progress=False).fit(df, "y")
    expected = sklearn_fits(df, ["store", "item"], SkLinearRegression)
    query = df.sample(frac=0.5, random_state=1)
    query = pd.concat([query, query.iloc[:3].assign(store=99)])  # an unseen group
    with pytest.raises(ValueError, match=r"group \['store', 'item'\]=\(99, .*not seen in fit"):
        model.predict(query)
    model.on_error = "collect"
    pred = model.predict(query)
    assert pred.shape == (len(query),)
    assert np.isnan(pred[-3:]).all()
    for i in range(len(query) - 3):
        row = query.iloc[[i]]
        key = (row.store.iloc[0], row.item.iloc[0])
        np.testing.assert_allclose(pred[i], expected[key].predict(row[["x0", "x1", "x2"]])[0],
                                   rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("make", [LinearRegression, SkLinearRegression])
def test_one_row_and_constant_groups(make):
    df = make_frame(n_groups=6, rows=5, seed=4)
    df = pd.concat([df, pd.DataFrame({"store": [50], "item": [50], "x0": [1.0], "x1": [2.0],
                                      "x2": [3.0], "y": [4.0]})], ignore_index=True)
    df.loc[df.store == 0, "y"] = 7.0  # a constant target
    model = GroupedEstimator(make(), ["store", "item"], progress=False).fit(df, "y")
    expected = sklearn_fits(df, ["store", "item"], SkLinearRegression)
    for key, est in expected.items():
        np.testing.assert_allclose(model.estimators_[key].coef_, est.coef_, atol=1e-10)
        np.testing.assert_allclose(model.estimators_[key].intercept_, est.intercept_, atol=1e-10)
    np.testing.assert_allclose(model.estimators_[(0, 0)].coef_, 0.0, atol=1e-12)
    np.testing.assert_allclose(model.estimators_[(50, 50)].intercept_, 4.0)


@pytest.mark.parametrize("make", [LinearRegression, SkLinearRegression])
def test_nan_target_fails_its_group_only(make):
    df = make_frame(n_groups=8, rows=10, seed=5)
    df.loc[df.index[12], "y"] = np.nan  # group (1, 0)
    df.loc[df.index[35], "x1"] = np.inf  # group (3, 0)
    with pytest.raises(ValueError, match=r"fitting group \['store', 'item'\]=\(1, 0\) failed: "
                                         r"Input y contains NaN"):
        GroupedEstimator(make(), ["store", "item"], progress=False).fit(df, "y")
    model = GroupedEstimator(make(), ["store", "item"], on_error="collect",
                             progress=False).fit(df, "y")
    errors = model.errors_
    assert list(map(tuple, errors[["store", "item"]].to_numpy())) == [(1, 0), (3, 0)]
    assert list(errors.error) == ["ValueError", "ValueError"]
    assert "Input y contains NaN" in errors.message.iloc[0]
    assert "Input X contains infinity" in errors.message.iloc[1]
    all_keys = set(df.groupby(["store", "item"]).groups)
    assert set(model.estimators_) == all_keys - {(1, 0), (3, 0)}
    pred = model.predict(df)
    failed = df.store.isin([1, 3]) & (df.item == 0)
    assert np.isnan(pred[failed.to_numpy()]).all() and np.isfinite(pred[~failed.to_numpy()]).all()


def test_convergence_warnings_are_summarised():
    # lsqr with one iteration stops early in every group: one ConvergenceWarning
    # naming the count and the first key, not one per group.
    df = make_frame(n_groups=5, rows=30, seed=6)
    with pytest.warns(ConvergenceWarning, match=r"5 group\(s\) did not converge, first \(0, 0\)"):
        GroupedEstimator(Ridge(solver="lsqr", max_iter=1, tol=1e-12), ["store", "item"],
                         progress=False).fit(df, "y")


def test_core_fit_grouped_collects_failures_and_checks_arguments():
    # The binding itself: a C-side failure (negative weights in group 1) is data,
    # not an exception; the other groups are fitted.
    X = np.arange(12.0).reshape(6, 2)
    y = X @ [1.0, 2.0]
    w = np.array([1, 1, -1, 1, 1, 1.0])
    codes = np.array([0, 0, 1, 1, 2, 2])
    params = {"fit_intercept": True, "tol": 1e-6, "positive": False}
    states, errors, warns = _core.fit_grouped("LinearRegression", params, X, y, w, codes, 3,
                                              None, 2, 0)
    assert states[1] is None and states[0] is not None and states[2] is not None
    assert errors == [(1, "ValueError", "sample_weight must be non-negative and finite")]
    assert warns == []
    with pytest.raises(ValueError, match="out of range"):
        _core.fit_grouped("LinearRegression", params, X, y, None, codes, 2, None)
    with pytest.raises(ValueError, match="codes must be a 1-D integer array of 6"):
        _core.fit_grouped("LinearRegression", params, X, y, None, codes[:3], 3, None)
    with pytest.raises(ValueError, match="key_hash must be a 1-D int64 array of 3"):
        _core.fit_grouped("LinearRegression", params, X, y, None, codes, 3, np.zeros(2, np.int64))
    with pytest.raises(ValueError, match="progress must be a writeable"):
        _core.fit_grouped("LinearRegression", params, X, y, None, codes, 3, None, 1, 0,
                          np.zeros(1, np.int32))
    counter = np.zeros(1, np.int64)
    _core.fit_grouped("LinearRegression", params, X, y, None, codes, 3, None, 2, 0, counter)
    assert counter[0] == 3  # one tick per group, incremented by C
    with pytest.raises(KeyboardInterrupt):  # the cancel flag the progress loop raises
        _core.fit_grouped("LinearRegression", params, X, y, None, codes, 3, None, 1, 0, None,
                          np.ones(1, np.int32))
    with pytest.raises(ValueError, match="states holds no fitted model"):
        _core.apply_grouped("LinearRegression", "predict", [None, None, None], X, codes)
    pred = _core.apply_grouped("LinearRegression", "predict", states, X, codes, 2)
    np.testing.assert_allclose(pred[[0, 1, 4, 5]], y[[0, 1, 4, 5]], rtol=1e-12)
    assert np.isnan(pred[[2, 3]]).all()


def test_mixed_key_types():
    df = make_frame(n_groups=12, rows=8, seed=7, string_keys=True)
    # ints, a string and a tuple in one key column
    df["store"] = pd.Series([("five", 5) if v == 5 else "three" if v == 3 else v
                             for v in df.store], dtype=object, index=df.index)
    for make in (LinearRegression, SkLinearRegression):
        model = GroupedEstimator(make(), ["store", "item"], progress=False).fit(df, "y")
        keys = list(model.estimators_)
        assert len(keys) == 12
        assert keys[0] == (0, "item0") and ("three", "item0") in keys
        assert (("five", 5), "item0") in keys
        # numbers first, then other types by type name: str before tuple
        assert keys.index(("three", "item0")) < keys.index((("five", 5), "item0"))
        pred = model.predict(df)
        assert np.isfinite(pred).all()
    single = GroupedEstimator(LinearRegression(), "store", progress=False).fit(
        df, "y", features=["x0", "x1", "x2"])
    assert set(single.estimators_) == {(0,), (1,), (2,), (4,), (6,), ("three",), (("five", 5),)}


def test_missing_keys_are_ignored():
    df = make_frame(n_groups=4, rows=10, seed=8).astype({"store": float})
    df.loc[df.index[:5], "store"] = np.nan
    df.loc[df.index[2], "y"] = np.nan  # in a row without a key: ignored with the row
    model = GroupedEstimator(LinearRegression(), ["store", "item"], progress=False).fit(df, "y")
    expected = sklearn_fits(df, ["store", "item"], SkLinearRegression)  # groupby drops NaN
    assert set(model.estimators_) == set(expected)
    for key, est in expected.items():
        np.testing.assert_allclose(model.estimators_[key].coef_, est.coef_, rtol=RTOL, atol=ATOL)


def test_bad_input():
    df = make_frame(n_groups=3, rows=5)
    with pytest.raises(ValueError, match="df is empty"):
        GroupedEstimator(LinearRegression(), "store").fit(df.iloc[:0], "y")
    with pytest.raises(TypeError, match="df must be a pandas DataFrame"):
        GroupedEstimator(LinearRegression(), "store").fit(df.to_numpy(), "y")
    with pytest.raises(KeyError, match="by: column"):
        GroupedEstimator(LinearRegression(), "nope").fit(df, "y")
    with pytest.raises(KeyError, match="target: column"):
        GroupedEstimator(LinearRegression(), "store").fit(df, "nope")
    with pytest.raises(ValueError, match="on_error must be"):
        GroupedEstimator(LinearRegression(), "store", on_error="ignore").fit(df, "y")
    with pytest.raises(ValueError, match="no feature column"):
        GroupedEstimator(LinearRegression(), ["store", "item"]).fit(
            df[["store", "item", "y"]], "y")
    with pytest.raises(ValueError, match="could not convert|dtype"):
        GroupedEstimator(LinearRegression(), "store").fit(df.assign(x0="a"), "y")
    with pytest.raises(NotFittedError):
        GroupedEstimator(LinearRegression(), "store").predict(df)
    with pytest.raises(TypeError, match="make_future_dataframe"):
        GroupedEstimator(LinearRegression(), "store", progress=False).fit(df, "y").forecast(3)


def test_progress_bar_runs(capsys):
    df = make_frame(n_groups=20, rows=5)
    for make in (LinearRegression, SkLinearRegression):
        model = GroupedEstimator(make(), ["store", "item"], progress=True).fit(df, "y")
        model.predict(df)
        err = capsys.readouterr().err
        assert "20/20" in err and "fitting groups" in err


def test_transformer_through_python_path():
    df = make_frame(n_groups=4, rows=10)
    model = GroupedEstimator(SkStandardScaler(), "store", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(df, "y", features=["x0", "x1"])
    assert set(model.estimators_) == {(0,), (1,), (2,), (3,)}
    sub = df[df.store == 2]
    np.testing.assert_allclose(model.estimators_[(2,)].mean_, sub[["x0", "x1"]].mean().to_numpy())
    out = model.transform(df)
    assert out.shape == (len(df), 2)
    rows = (df.store == 2).to_numpy()
    np.testing.assert_allclose(out[rows], SkStandardScaler().fit_transform(sub[["x0", "x1"]]))
    with pytest.raises(TypeError, match="least squares regressors have no transform"):
        GroupedEstimator(LinearRegression(), "store", progress=False).fit(df, "y").transform(df)


def test_apply_grouped():
    df = make_frame(n_groups=14, rows=6, seed=9)
    shuffled = df.sample(frac=1.0, random_state=3)

    def summarise(sub):
        return pd.DataFrame({"n": [len(sub)], "mean_y": [sub.y.mean()],
                             "first": [sub.x0.iloc[0]]})

    out = apply_grouped(df, ["store", "item"], summarise)
    expected = df.groupby(["store", "item"]).apply(
        lambda s: pd.Series({"n": len(s), "mean_y": s.y.mean()}), include_groups=False)
    assert list(out.columns) == ["store", "item", "n", "mean_y", "first"]
    np.testing.assert_array_equal(out[["store", "item"]].to_numpy(),
                                  np.array(list(expected.index)))
    np.testing.assert_allclose(out.mean_y, expected.mean_y, rtol=1e-12)
    for n_jobs in (1, 2, -1):
        pd.testing.assert_frame_equal(apply_grouped(df, ["store", "item"], summarise, n_jobs),
                                      out)
    # Sub-frames keep the frame's row order, so "first" follows it.
    shuffled_out = apply_grouped(shuffled, ["store", "item"], summarise, n_jobs=2)
    pd.testing.assert_frame_equal(shuffled_out.drop(columns="first"), out.drop(columns="first"))
    # A frame out with many rows, keys it already has kept as is.
    many = apply_grouped(df, "store", lambda s: s[["store", "y"]].head(2))
    assert list(many.columns) == ["store", "y"] and len(many) == 14
    with pytest.raises(ZeroDivisionError) as info:
        apply_grouped(df, "store", lambda s: 1 / 0)
    assert "group ['store']=(0,)" in "".join(info.value.__notes__)
    with pytest.raises(TypeError, match="func must return a DataFrame"):
        apply_grouped(df, "store", lambda s: 3)
    with pytest.raises(ValueError, match="df is empty"):
        apply_grouped(df.iloc[:0], "store", summarise)


def test_forecast_of_c_forecasters_matches_each_group_model():
    from pymlcore.datasets import make_store_item_sales
    from pymlcore.timeseries import Forecaster

    sales = make_store_item_sales(n_stores=2, n_items=2, start="2015-01-01",
                                  end="2016-12-31")
    model = GroupedEstimator(Forecaster(seasonality_mode="multiplicative", random_state=0),
                             ["store", "item"], progress=False)
    model.fit(sales, "sales", features=["date"])
    with_history = model.forecast(30, include_history=True)
    future = model.forecast(30, include_history=False)
    assert len(with_history) == 4 * (731 + 30) and len(future) == 4 * 30
    assert list(with_history.columns[:4]) == ["store", "item", "ds", "trend"]
    # The future rows do not depend on whether the history is predicted with them.
    later = with_history[with_history["ds"] > sales["date"].max()].reset_index(drop=True)
    pd.testing.assert_frame_equal(later, future)
    for key, est in model.estimators_.items():
        rows = future[(future["store"] == key[0]) & (future["item"] == key[1])]
        assert rows["ds"].iloc[0] == sales["date"].max() + pd.Timedelta(days=1)
        expected = est.predict(rows[["ds"]].rename(columns={"ds": "date"}))
        np.testing.assert_allclose(rows["yhat"].to_numpy(), expected, rtol=1e-12)


def test_forecast_does_not_depend_on_row_order():
    """The sorted-history fast path (rows by group then date) and the general
    path (any order) give the same frame."""
    from pymlcore.datasets import make_store_item_sales
    from pymlcore.timeseries import Forecaster

    sales = make_store_item_sales(n_stores=2, n_items=2, start="2016-01-01",
                                  end="2016-12-31")
    shuffled = sales.sample(frac=1.0, random_state=0)
    forecasts = []
    for frame in (sales, shuffled):
        model = GroupedEstimator(Forecaster(weekly_seasonality=True, random_state=0),
                                 ["store", "item"], progress=False)
        forecasts.append(model.fit(frame, "sales", features=["date"])
                         .forecast(14, include_history=True))
    pd.testing.assert_frame_equal(forecasts[0], forecasts[1])
    assert forecasts[0].groupby(["store", "item"]).size().tolist() == [366 + 14] * 4


def test_grouped_from_models_predicts_like_the_fitted_grouped_estimator():
    """Models fitted elsewhere (pickled, as pymlcore.spark's model frame keeps
    them) predict in one grouped call: the C path for Forecasters (their C state),
    the Python path for the others; failed and unseen groups as on_error says."""
    from pymlcore.datasets import make_store_item_sales
    from pymlcore.grouped._grouped import _grouped_from_models
    from pymlcore.timeseries import Forecaster

    sales = make_store_item_sales(n_stores=2, n_items=2, start="2016-01-01",
                                  end="2016-12-31")
    model = GroupedEstimator(Forecaster(random_state=0), ["store", "item"], progress=False)
    model.fit(sales, "sales", features=["date"])
    loaded = {k: pickle.loads(pickle.dumps(e)) for k, e in model.estimators_.items()}
    grouped = _grouped_from_models(loaded, ["store", "item"], ["date"])
    assert all(s is not None for s in grouped._states)  # all on the C path
    np.testing.assert_array_equal(grouped.predict(sales), model.predict(sales))

    # A failed group (None) and an unseen one: NaN with 'collect', else an error.
    loaded[(1, 1)] = None
    extra = sales[(sales["store"] == 1) & (sales["item"] == 1)].assign(store=9)
    frame = pd.concat([sales, extra], ignore_index=True)
    collected = _grouped_from_models(loaded, ["store", "item"], ["date"], on_error="collect")
    out = collected.predict(frame)
    failed = ((frame["store"] == 1) & (frame["item"] == 1)) | (frame["store"] == 9)
    assert np.isnan(out[failed.to_numpy()]).all()
    np.testing.assert_array_equal(out[~failed.to_numpy()],
                                  model.predict(frame[~failed]))
    with pytest.raises(ValueError, match="failed to fit"):
        _grouped_from_models(loaded, ["store", "item"], ["date"]).predict(sales)

    # Models without a C state go through the Python path, with the same results.
    ridge = GroupedEstimator(Ridge(), "store", progress=False).fit(make_frame(), "y")
    python_path = _grouped_from_models(dict(ridge.estimators_), ["store"],
                                       ["item", "x0", "x1", "x2"])
    assert all(s is None for s in python_path._states)
    np.testing.assert_allclose(python_path.predict(make_frame()), ridge.predict(make_frame()),
                               rtol=1e-12)


def test_classifiers_learn_the_classes_of_their_own_group():
    """A classifier's C protocol encodes the labels of the whole frame, so grouped
    fitting takes the per-group path: each group's classes_ are its own, and a
    group with a single class fails as scikit-learn's fit does."""
    from pymlcore.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"g": np.repeat([0, 1, 2], 40), "x": rng.normal(size=120)})
    df["y"] = np.where(df["x"] > 0, "b", "a")
    df.loc[df["g"] == 1, "y"] = np.where(df.loc[df["g"] == 1, "x"] > 0, "c", "a")
    df.loc[df["g"] == 2, "y"] = "a"
    assert not _has_protocol(LogisticRegression())
    model = GroupedEstimator(LogisticRegression(), "g", on_error="collect").fit(df, "y", ["x"])
    assert list(model.estimators_[(0,)].classes_) == ["a", "b"]
    assert list(model.estimators_[(1,)].classes_) == ["a", "c"]
    assert list(model.errors_["g"]) == [2]
    assert "class" in model.errors_["message"][0]
