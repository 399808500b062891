"""Lasso and ElasticNet (C coordinate descent) against scikit-learn 1.9.1.

Tolerances: at tol=1e-10 both solvers stop on a duality gap of about 1e-10 *
||y||^2 / n, so both objectives are within ~1e-10 relative of the optimum; we
ask 1e-6 on the objective (rounding of sums over ~200 rows stays far below) and
1e-4 on the coefficients (the problems below are well conditioned, so an
objective that close pins the coefficients to well under that). float32 inputs
are compared with scikit-learn fitted on the same float32 values held in
float64: pymlcore reads float32 storage but sums in double, so it reaches the
float64 optimum of the float32 data; 1e-4 covers the float32 rounding of the
returned coef_ (~1e-7) many times over.
"""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError
from _helpers import traced_peak

from pymlcore import linear_model as pm
from pymlcore._engine import fit_core

TIGHT = dict(tol=1e-10, max_iter=100_000)
ESTIMATORS = [("Lasso", {}), ("ElasticNet", {"l1_ratio": 0.6})]


def make_data(n=200, p=30, n_targets=None, seed=0, offset=True):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + (np.arange(p) * 0.3 if offset else 0.0)
    coef = np.zeros((p, n_targets or 1))
    coef[:6] = rng.randn(min(6, p), n_targets or 1) * 3
    y = (X - X.mean(0)) @ coef + 0.5 * rng.randn(n, n_targets or 1) + 2.0
    return X, (y[:, 0] if n_targets is None else y), rng.uniform(0.2, 2.0, n)


def objective(X, y, sw, coef, intercept, alpha, l1_ratio):
    """scikit-learn's objective with weights normalised to sum to n_samples."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    sw = np.ones(X.shape[0]) if sw is None else sw
    r = y - X @ np.asarray(coef, dtype=np.float64) - intercept
    return (0.5 * np.sum(sw * r**2) / np.sum(sw) + alpha * l1_ratio * np.abs(coef).sum()
            + 0.5 * alpha * (1 - l1_ratio) * np.sum(np.asarray(coef, np.float64) ** 2))


def layouts(X):
    wide = np.zeros((X.shape[0], 2 * X.shape[1]))
    wide[:, ::2] = X
    return {"C": np.ascontiguousarray(X), "F": np.asfortranarray(X),
            "float32": X.astype(np.float32), "CSR": sp.csr_matrix(X),
            "sliced": wide[:, ::2]}  # a strided view: neither C nor F contiguous


def assert_same_fit(ours, ref, X, y, sw, alpha, l1_ratio):
    obj_ours = objective(X, y, sw, ours.coef_, ours.intercept_, alpha, l1_ratio)
    obj_ref = objective(X, y, sw, ref.coef_, ref.intercept_, alpha, l1_ratio)
    assert abs(obj_ours - obj_ref) <= 1e-6 * abs(obj_ref)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name,kw", ESTIMATORS)
@pytest.mark.parametrize("layout", ["C", "F", "float32", "CSR", "sliced"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_oracle(name, kw, layout, weighted, fit_intercept):
    X, y, w = make_data()
    Xin = layouts(X)[layout]
    sw = w if weighted else None
    params = dict(alpha=0.05, fit_intercept=fit_intercept, **kw, **TIGHT)
    ours = getattr(pm, name)(**params).fit(Xin, y, sample_weight=sw)
    if layout == "float32":  # the float32 values, solved in float64 (see the module docstring)
        Xref, yref = Xin.astype(np.float64), y.astype(np.float32).astype(np.float64)
    else:
        Xref, yref = Xin, y
    ref = getattr(sk, name)(**params).fit(Xref, yref, sample_weight=sw)
    assert_same_fit(ours, ref, Xref, yref, sw, 0.05, kw.get("l1_ratio", 1.0))
    dtype = np.float32 if layout == "float32" else np.float64
    assert ours.coef_.dtype == dtype and ours.coef_.shape == (X.shape[1],)
    assert type(ours.n_iter_) is int and ours.n_iter_ >= 1
    if fit_intercept:
        assert isinstance(ours.intercept_, dtype) and np.ndim(ours.intercept_) == 0
    else:
        assert ours.intercept_ == 0.0 and type(ours.intercept_) is float
    assert isinstance(ours.dual_gap_, dtype)
    np.testing.assert_allclose(ours.predict(Xin), ref.predict(Xref), rtol=1e-4, atol=1e-4)
    assert ours.predict(Xin).dtype == dtype


@pytest.mark.parametrize("name,kw", ESTIMATORS)
def test_float32_like_sklearn(name, kw):
    """Same dtypes as scikit-learn's own float32 fit; values to float32 accuracy
    of a default-tolerance fit (both stop at tol=1e-4 relative, hence 1e-3)."""
    X, y, _ = make_data()
    X32 = X.astype(np.float32)
    ours = getattr(pm, name)(alpha=0.05, **kw).fit(X32, y)
    ref = getattr(sk, name)(alpha=0.05, **kw).fit(X32, y)
    for attr in ["coef_", "intercept_", "dual_gap_"]:
        assert np.asarray(getattr(ours, attr)).dtype == np.asarray(getattr(ref, attr)).dtype
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("name,kw", ESTIMATORS)
@pytest.mark.parametrize("precompute", [False, True, "gram"])
@pytest.mark.parametrize("positive", [False, True])
def test_iterations_and_gap_match(name, kw, precompute, positive):
    """At the default tol the same coordinate updates give the same n_iter_ and
    dual_gap_ (relative 1e-6: rounding only) for every route."""
    X, y, w = make_data(n=300, p=20)
    if precompute == "gram":  # a user Gram: X centred by hand so that it is kept
        X = X - np.average(X, axis=0, weights=w)
        sw = w * len(w) / w.sum()
        precompute = (X * sw[:, None]).T @ X
    ours = getattr(pm, name)(alpha=0.1, precompute=precompute, positive=positive, **kw)
    ref = getattr(sk, name)(alpha=0.1, precompute=precompute, positive=positive, **kw)
    ours.fit(X, y, sample_weight=w)
    ref.fit(X, y, sample_weight=w)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.dual_gap_, ref.dual_gap_, rtol=1e-6, atol=1e-14)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    if positive:
        assert np.all(ours.coef_ >= 0)


@pytest.mark.parametrize("name,kw", ESTIMATORS)
@pytest.mark.parametrize("layout", ["C", "CSR"])
def test_multi_target(name, kw, layout):
    X, Y, w = make_data(n_targets=3)
    Xin = layouts(X)[layout]
    ours = getattr(pm, name)(alpha=0.05, **kw, **TIGHT).fit(Xin, Y, sample_weight=w)
    ref = getattr(sk, name)(alpha=0.05, **kw, **TIGHT).fit(Xin, Y, sample_weight=w)
    assert ours.coef_.shape == (3, X.shape[1]) and ours.intercept_.shape == (3,)
    assert isinstance(ours.n_iter_, list) and len(ours.n_iter_) == 3
    assert ours.dual_gap_.shape == (3,)
    for t in range(3):
        assert_same_fit(_Fit(ours.coef_[t], ours.intercept_[t]),
                        _Fit(ref.coef_[t], ref.intercept_[t]), X, Y[:, t], w, 0.05,
                        kw.get("l1_ratio", 1.0))
    assert ours.predict(Xin).shape == (X.shape[0], 3)
    # a single column in a 2-D y: 1-D coef_, intercept_ of shape (1,), as scikit-learn
    one = getattr(pm, name)(alpha=0.05, **kw).fit(Xin, Y[:, :1])
    ref1 = getattr(sk, name)(alpha=0.05, **kw).fit(Xin, Y[:, :1])
    assert one.coef_.shape == ref1.coef_.shape and one.intercept_.shape == ref1.intercept_.shape
    assert one.predict(Xin).shape == ref1.predict(Xin).shape


class _Fit:
    def __init__(self, coef, intercept):
        self.coef_, self.intercept_ = coef, intercept


@pytest.mark.parametrize("name,kw", ESTIMATORS)
def test_random_selection(name, kw):
    X, y, w = make_data()
    ours = getattr(pm, name)(alpha=0.05, selection="random", random_state=0, **kw, **TIGHT)
    ref = getattr(sk, name)(alpha=0.05, selection="random", random_state=0, **kw, **TIGHT)
    ours.fit(X, y, sample_weight=w)
    ref.fit(X, y, sample_weight=w)
    assert_same_fit(ours, ref, X, y, w, 0.05, kw.get("l1_ratio", 1.0))
    again = getattr(pm, name)(alpha=0.05, selection="random", random_state=0, **kw).fit(X, y)
    twice = getattr(pm, name)(alpha=0.05, selection="random", random_state=0, **kw).fit(X, y)
    np.testing.assert_array_equal(again.coef_, twice.coef_)  # deterministic given the seed


@pytest.mark.parametrize("name,kw", ESTIMATORS)
def test_warm_start(name, kw):
    X, y, _ = make_data()
    ours = getattr(pm, name)(alpha=0.05, warm_start=True, **kw, **TIGHT).fit(X, y)
    first = ours.n_iter_
    ours.fit(X, y)
    assert ours.n_iter_ <= 1 < first  # starts at the optimum
    ours.set_params(alpha=0.02).fit(X, y)
    ref = getattr(sk, name)(alpha=0.02, **kw, **TIGHT).fit(X, y)
    assert_same_fit(ours, ref, X, y, None, 0.02, kw.get("l1_ratio", 1.0))
    cold = getattr(pm, name)(alpha=0.02, warm_start=True, **kw, **TIGHT).fit(X, y)
    assert cold.n_iter_ > ours.n_iter_


def test_precompute_variants():
    X, y, w = make_data(n=300, p=15)
    ref = sk.ElasticNet(alpha=0.05, **TIGHT).fit(X, y, sample_weight=w)
    for precompute in [False, True]:
        ours = pm.ElasticNet(alpha=0.05, precompute=precompute, **TIGHT)
        assert_same_fit(ours.fit(X, y, sample_weight=w), ref, X, y, w, 0.05, 0.5)
    # a user Gram with X that needs centring: scikit-learn's warning, then recomputed
    with pytest.warns(UserWarning, match="recomputing Gram matrix"):
        ours = pm.ElasticNet(alpha=0.05, precompute=X.T @ X, **TIGHT).fit(X, y, sample_weight=w)
    assert_same_fit(ours, ref, X, y, w, 0.05, 0.5)
    # without an intercept the user Gram is used as given, after a one-element check
    G = X.T @ X
    ours = pm.ElasticNet(alpha=0.05, precompute=G, fit_intercept=False, **TIGHT).fit(X, y)
    ref = sk.ElasticNet(alpha=0.05, precompute=G, fit_intercept=False, **TIGHT).fit(X, y)
    assert_same_fit(ours, ref, X, y, None, 0.05, 0.5)
    bad = G.copy()
    bad[7, 8] += 1.0
    with pytest.raises(ValueError, match=r"did not pass validation .* element \(7,8\)"):
        pm.ElasticNet(precompute=bad, fit_intercept=False).fit(X, y)
    pm.ElasticNet(precompute=bad, fit_intercept=False).fit(X, y, check_input=False)
    with pytest.raises(ValueError, match="precompute"):
        pm.ElasticNet(precompute=G[:3, :3], fit_intercept=False).fit(X, y)
    # sparse X ignores precompute, as in scikit-learn
    ours = pm.Lasso(alpha=0.05, precompute=True, **TIGHT).fit(sp.csr_matrix(X), y)
    ref = sk.Lasso(alpha=0.05, **TIGHT).fit(X, y)
    assert_same_fit(ours, ref, X, y, None, 0.05, 1.0)


@pytest.mark.parametrize("layout", ["C", "F", "float32", "CSR", "sliced"])
def test_wide_data(layout):
    """More features than samples: the residual route, over X's columns in place."""
    X, y, w = make_data(n=40, p=120)
    Xin = layouts(X)[layout]
    Xref = Xin.astype(np.float64) if layout == "float32" else X
    yref = y.astype(np.float32).astype(np.float64) if layout == "float32" else y
    ours = pm.ElasticNet(alpha=0.1, l1_ratio=0.9, **TIGHT).fit(Xin, y, sample_weight=w)
    ref = sk.ElasticNet(alpha=0.1, l1_ratio=0.9, **TIGHT).fit(Xref, yref, sample_weight=w)
    assert_same_fit(ours, ref, Xref, yref, w, 0.1, 0.9)


def test_warnings():
    X, y, _ = make_data()
    with pytest.warns(ConvergenceWarning, match="Objective did not converge"):
        m = pm.Lasso(alpha=1e-4, max_iter=2, tol=1e-12).fit(X, y)
    assert m.n_iter_ == 2
    with pytest.warns(UserWarning, match="With alpha=0"):
        pm.ElasticNet(alpha=0.0, max_iter=5).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pm.Lasso(alpha=0.1).fit(X, y)


@pytest.mark.parametrize("params,error", [
    (dict(alpha=-1.0), InvalidParameterError), (dict(l1_ratio=1.5), InvalidParameterError),
    (dict(selection="foo"), InvalidParameterError),
    (dict(precompute="auto"), InvalidParameterError),
    (dict(max_iter=0), InvalidParameterError), (dict(tol=-1.0), InvalidParameterError),
    (dict(max_iter=None), TypeError),
])
def test_invalid_params(params, error):
    X, y, _ = make_data(n=20, p=3)
    with pytest.raises(error):
        pm.ElasticNet(**params).fit(X, y)
    with pytest.raises(error):  # what scikit-learn raises too
        sk.ElasticNet(**params).fit(X, y)


def test_lasso_has_no_l1_ratio():
    assert "l1_ratio" not in pm.Lasso().get_params()
    assert pm.Lasso().get_params() == sk.Lasso().get_params()
    assert pm.ElasticNet().get_params() == sk.ElasticNet().get_params()
    with pytest.raises(ValueError, match="Invalid parameter 'l1_ratio'"):
        pm.Lasso().set_params(l1_ratio=0.5)


def test_bad_input():
    X, y, _ = make_data(n=30, p=4)
    m = pm.Lasso(alpha=0.1)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        m.fit(Xn, y)
    with pytest.raises(ValueError, match="NaN"):  # found in C, reported as scikit-learn does
        m.fit(sp.csr_matrix(Xn), y)
    Xn[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        m.fit(Xn.astype(np.float32), y)
    with pytest.raises(ValueError, match="NaN"):
        m.fit(X, np.where(np.arange(30) == 3, np.nan, y))
    with pytest.raises(ValueError, match="2D array"):
        m.fit(X[:, 0], y)
    with pytest.raises(ValueError):
        m.fit(X[:0], y[:0])
    with pytest.raises(ValueError):
        m.fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight"):
        m.fit(X, y, sample_weight=-np.ones(30))
    m.fit(X, y)
    with pytest.raises(ValueError, match="features"):
        m.predict(X[:, :3])
    m.fit(X.astype(object), y)  # object dtype is converted, as in scikit-learn
    m.fit(X[:1], y[:1])         # one sample: coefficients 0, intercept y
    assert np.all(m.coef_ == 0) and m.intercept_ == y[0]


def test_attributes_and_pickle():
    X, y, _ = make_data()
    m = pm.ElasticNet(alpha=0.05).fit(X, y)
    ref = sk.ElasticNet(alpha=0.05).fit(X, y)
    assert type(m.sparse_coef_) is type(ref.sparse_coef_)
    np.testing.assert_allclose(m.sparse_coef_.toarray(), ref.sparse_coef_.toarray(), atol=1e-8)
    assert m.n_features_in_ == X.shape[1]
    m2 = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(m2.predict(X), m.predict(X))
    assert m.__sklearn_tags__().input_tags.sparse
    assert m.__sklearn_tags__().target_tags.multi_output
    import pandas as pd  # a dependency of pymlcore
    m.fit(pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]), y)
    assert list(m.feature_names_in_) == [f"f{i}" for i in range(X.shape[1])]


def test_inputs_untouched_and_not_copied():
    X, y, w = make_data(n=20000, p=50)
    for Xin in [np.asfortranarray(X), np.ascontiguousarray(X), X.astype(np.float32)]:
        X0, y0, w0 = Xin.copy(), y.copy(), w.copy()
        m = pm.ElasticNet(alpha=0.1)
        m.fit(Xin, y, sample_weight=w)  # warm-up (imports)
        peak = traced_peak(lambda: m.fit(Xin, y, sample_weight=w))
        assert peak < Xin.nbytes / 10  # Python makes no copy of X
        np.testing.assert_array_equal(Xin, X0)
        np.testing.assert_array_equal(y, y0)
        np.testing.assert_array_equal(w, w0)


def test_thread_count_does_not_change_results():
    X, Y, w = make_data(n=20000, p=30, n_targets=3)
    params = dict(alpha=0.05, l1_ratio=0.5, fit_intercept=True, precompute="auto", gram=None,
                  check_gram=True, max_iter=1000, tol=1e-6, positive=False, selection="random")
    for route in ["gram", "residual"]:
        params["precompute"] = route
        one = fit_core("ElasticNet", params, X, Y, w, n_jobs=1, random_state=3,
                       blas_in_threads=True)
        two = fit_core("ElasticNet", params, X, Y, w, n_jobs=2, random_state=3,
                       blas_in_threads=True)
        for key in one:
            np.testing.assert_array_equal(one[key], two[key])
