"""Regression metrics against scikit-learn; the symmetric MAPE (not in
scikit-learn) against its definition written with NumPy."""

import numpy as np
import pytest

import pymlcore.metrics as pm

from ._oracle import check_same

NAMES = [
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "r2_score",
]
N = 500


def _data(n_outputs, seed=0, dtype=np.float64):
    r = np.random.default_rng(seed)
    shape = (N,) if n_outputs == 0 else (N, n_outputs)
    yt = r.normal(3.0, 2.0, shape)
    yp = yt + r.normal(0.0, 1.0, shape)
    yt.flat[::11] = 0.0  # zeros in y_true: MAPE's epsilon
    return yt.astype(dtype), yp.astype(dtype)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n_outputs", [0, 1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_against_sklearn(name, n_outputs, weighted):
    yt, yp = _data(n_outputs)
    w = np.random.default_rng(1).random(N) if weighted else None
    multioutputs = ["raw_values", "uniform_average"]
    if n_outputs == 3:
        multioutputs.append(np.array([0.2, 0.3, 0.5]))
        if name == "r2_score":
            multioutputs.append("variance_weighted")
    for multioutput in multioutputs:
        check_same(name, yt, yp, sample_weight=w, multioutput=multioutput)
    check_same(name, yt.tolist(), yp.tolist(), sample_weight=w)  # lists
    check_same(name, np.asfortranarray(yt), yp[::-1][::-1], sample_weight=w)


@pytest.mark.parametrize("name", NAMES)
def test_float32_and_ints(name):
    yt, yp = _data(2, seed=2, dtype=np.float32)
    # scikit-learn computes float32 inputs in float32; we sum in float64.
    check_same(name, yt, yp, rtol=1e-5)
    check_same(name, yt.astype(np.float64), yp.astype(np.float64))
    ti = np.random.default_rng(3).integers(-5, 5, N)
    check_same(name, ti, ti[::-1].copy())


@pytest.mark.parametrize("name", NAMES)
def test_bad_inputs(name):
    yt, yp = _data(2, seed=4)
    check_same(name, yt, yp[:, :1])
    check_same(name, yt, yp[:-1])
    check_same(name, [], [])
    check_same(name, yt, yp, multioutput="average")
    check_same(name, yt, yp, multioutput=[1.0])
    check_same(name, yt[:, 0], yp[:, 0], multioutput=[1.0])
    check_same(name, yt, np.where(yp > 4, np.nan, yp))
    check_same(name, yt, yp, sample_weight=np.zeros(N))
    check_same(name, yt, yp, sample_weight=np.ones(3))


def test_r2_edge_cases():
    c = np.full(10, 2.0)
    check_same("r2_score", c, c)  # 0/0 -> 1
    check_same("r2_score", c, c + 1)  # x/0 -> 0
    check_same("r2_score", c, c + 1, force_finite=False)  # -inf
    check_same("r2_score", c, c, force_finite=False)  # nan
    check_same("r2_score", [1.0], [2.0])  # one sample: warns, nan
    yt, yp = _data(3, seed=5)
    yt[:, 1] = 1.0
    for mo in ("raw_values", "uniform_average", "variance_weighted"):
        check_same("r2_score", yt, yp, multioutput=mo)
        check_same("r2_score", yt, yp, multioutput=mo, force_finite=False)


def _smape_reference(yt, yp, w=None):
    yt = np.asarray(yt, dtype=float).reshape(len(yt), -1)
    yp = np.asarray(yp, dtype=float).reshape(len(yp), -1)
    den = np.abs(yt) + np.abs(yp)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(den == 0, 0.0, 2 * np.abs(yt - yp) / den)
    return np.average(terms, axis=0, weights=w)


def test_symmetric_mape():
    yt, yp = _data(3, seed=6)
    yt[:20] = 0.0
    yp[:10] = 0.0  # both zero: term 0
    w = np.random.default_rng(7).random(N)
    for sw in (None, w):
        ref = _smape_reference(yt, yp, sw)
        got = pm.symmetric_mean_absolute_percentage_error(
            yt, yp, sample_weight=sw, multioutput="raw_values"
        )
        np.testing.assert_allclose(got, ref, rtol=1e-12)
        got = pm.symmetric_mean_absolute_percentage_error(yt, yp, sample_weight=sw)
        assert isinstance(got, float)
        np.testing.assert_allclose(got, ref.mean(), rtol=1e-12)
    assert pm.symmetric_mean_absolute_percentage_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert pm.symmetric_mean_absolute_percentage_error([1.0], [-1.0]) == 2.0
    with pytest.raises(ValueError, match="different number of output"):
        pm.symmetric_mean_absolute_percentage_error(yt, yp[:, :2])
