"""LinearRegression and Ridge against scikit-learn 1.9.1.

Tolerances (relative, on coef_ / intercept_ / predictions unless stated):

* 1e-6 for float64 direct solves (the brief's bar).  Both libraries solve the same
  problem with backward-stable factorisations (QR + SVD vs. scipy's SVD; Cholesky vs.
  scipy's Cholesky), so the actual differences are ~1e-13 on these well-conditioned
  problems; 1e-6 leaves room for BLAS/LAPACK rounding differences across machines.
* float32 input: pymlcore computes in double from the float32 values and rounds the
  result to float32, so it is compared with scikit-learn fitted on the same values
  in float64, at 1e-5 (float32 rounding of the result, ~6e-8, times the data's
  condition, plus the intercept's cancellation).
* CSR input: compared with scikit-learn's exact dense fit (scikit-learn's own CSR
  path is lsqr/CG stopped at `tol`, an approximation of the same solution).
* Iterative solvers: both sides run with tol=1e-12, then the solutions agree to
  1e-6.  scikit-learn's 'sag'/'saga' converge too slowly at that tolerance, so
  pymlcore's (conjugate gradient) 'sag'/'saga' are compared with its exact 'svd'.
* positive=True: Ridge's lbfgs in scikit-learn stops at a projected gradient of
  tol; at tol=1e-12 it is within ~1e-8 of the exact NNLS solution pymlcore
  computes, hence 1e-6.
"""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as skl
from sklearn.exceptions import ConvergenceWarning

from pymlcore._engine import fit_core
from pymlcore.linear_model import LinearRegression, Ridge

RTOL = 1e-6


def make(n=120, p=7, k=2, seed=0, offset=3.0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) * np.linspace(0.5, 4.0, p) + offset * np.arange(p)
    coef = rng.randn(p, k)
    Y = X @ coef + 1.5 + 0.3 * rng.randn(n, k)
    w = rng.uniform(0.2, 2.0, n)
    return X, Y, w


def layouts(X):
    """The same values as float64 C / Fortran order, float32 and CSR."""
    X32 = X.astype(np.float32)
    return {"C": X, "F": np.asfortranarray(X), "float32": X32, "csr": sp.csr_matrix(X)}


def reference_X(name, X):
    """What the oracle is fitted on: the float64 values of the layout's data."""
    return X.astype(np.float32).astype(np.float64) if name == "float32" else X


def assert_close(actual, desired, rtol=RTOL, what=""):
    actual, desired = np.asarray(actual, dtype=np.float64), np.asarray(desired, np.float64)
    assert actual.shape == desired.shape, what
    # relative to the largest entry, so that near-zero entries do not dominate
    scale = max(np.max(np.abs(desired)), 1e-300)
    np.testing.assert_allclose(actual / scale, desired / scale, rtol=0, atol=rtol,
                               err_msg=what)


# ---- LinearRegression ---------------------------------------------------------------


@pytest.mark.parametrize("layout", ["C", "F", "float32", "csr"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("multi", [False, True])
def test_linear_regression_oracle(layout, fit_intercept, weighted, multi):
    X, Y, w = make()
    y = Y if multi else Y[:, 0]
    Xa = layouts(X)[layout]
    sw = w if weighted else None
    ours = LinearRegression(fit_intercept=fit_intercept).fit(Xa, y, sample_weight=sw)
    ref = skl.LinearRegression(fit_intercept=fit_intercept).fit(reference_X(layout, X), y,
                                                                sample_weight=sw)
    rtol = 1e-5 if layout == "float32" else RTOL
    assert_close(ours.coef_, ref.coef_, rtol, "coef_")
    assert_close(ours.intercept_, ref.intercept_, rtol, "intercept_")
    assert_close(ours.predict(Xa), ref.predict(reference_X(layout, X)), rtol, "predict")
    # dtypes and kinds as scikit-learn sets them on the same input
    same = skl.LinearRegression(fit_intercept=fit_intercept).fit(Xa, y, sample_weight=sw)
    assert ours.coef_.dtype == same.coef_.dtype and ours.coef_.shape == same.coef_.shape
    assert type(ours.intercept_) is type(same.intercept_)
    assert np.shape(ours.intercept_) == np.shape(same.intercept_)
    if layout == "csr":
        assert not hasattr(ours, "rank_") and not hasattr(ours, "singular_")
    else:
        assert ours.rank_ == ref.rank_ == X.shape[1]
        assert ours.singular_.dtype == same.singular_.dtype
        assert_close(ours.singular_, ref.singular_, rtol, "singular_")


def test_linear_regression_rank_deficient_and_wide_min_norm():
    # Duplicated and constant columns (rank 4 of 6), then n < p: scipy's lstsq returns
    # the minimum-norm solution and so must pymlcore, with the same rank_/singular_.
    rng = np.random.RandomState(1)
    X = rng.randn(60, 4)
    X = np.hstack([X, X[:, :1], np.full((60, 1), 2.0)])
    y = rng.randn(60, 2)
    wide = rng.randn(8, 20)
    for Xa, ya in [(X, y), (wide, rng.randn(8))]:
        for fit_intercept in [True, False]:
            ours = LinearRegression(fit_intercept=fit_intercept).fit(Xa, ya)
            ref = skl.LinearRegression(fit_intercept=fit_intercept).fit(Xa, ya)
            assert_close(ours.coef_, ref.coef_, what="coef_")
            assert_close(ours.intercept_, ref.intercept_, what="intercept_")
            assert ours.rank_ == ref.rank_
            # singular values at rounding level (the null space) differ in absolute
            # terms only
            np.testing.assert_allclose(ours.singular_, ref.singular_, rtol=RTOL,
                                       atol=1e-12 * ref.singular_[0])
    # CSR takes the same route: the minimum-norm solution too
    ours = LinearRegression().fit(sp.csr_matrix(X), y)
    assert_close(ours.coef_, skl.LinearRegression().fit(X, y).coef_, what="csr coef_")


@pytest.mark.parametrize("positive", [False, True])
def test_linear_regression_ill_conditioned(positive):
    # Two nearly collinear columns (cond ~ 1e7) and an exact linear target: the
    # normal equations would lose ~eps * cond^2 ~ 1e-2 of accuracy, so the Cholesky
    # QR fast path must be refused for the tall-skinny QR, which like scipy's lstsq
    # recovers the coefficients to ~eps * cond.
    rng = np.random.RandomState(9)
    a = rng.randn(3000)
    X = np.column_stack([a, a + 1e-7 * rng.randn(3000), rng.randn(3000)])
    y = X @ np.array([1.0, 2.0, 3.0]) + 0.5
    ours = LinearRegression(tol=1e-12, positive=positive).fit(X, y)
    ref = skl.LinearRegression(tol=1e-12, positive=positive).fit(X, y)
    assert_close(ours.coef_, ref.coef_, what="coef_")
    assert_close(ours.coef_, [1.0, 2.0, 3.0], what="exact coef_")
    assert_close(ours.intercept_, 0.5, what="intercept_")
    if not positive:
        assert_close(ours.singular_, ref.singular_, what="singular_")


def test_linear_regression_tol_is_lstsq_cond():
    # tol is the singular-value cutoff: a large one drops the smallest directions
    rng = np.random.RandomState(2)
    X = rng.randn(50, 5) * np.array([1.0, 1.0, 1.0, 1.0, 1e-3])
    y = rng.randn(50)
    for tol in [0.0, 1e-6, 1e-2]:
        ours = LinearRegression(tol=tol).fit(X, y)
        ref = skl.LinearRegression(tol=tol).fit(X, y)
        assert ours.rank_ == ref.rank_
        assert_close(ours.coef_, ref.coef_, what=f"tol={tol}")
    assert LinearRegression(tol=1e-2).fit(X, y).rank_ == 4


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("multi", [False, True])
def test_linear_regression_positive(fit_intercept, weighted, multi):
    rng = np.random.RandomState(3)
    X = rng.randn(80, 6)
    Y = X @ np.array([[1.0, -2.0, 0.5, 0.0, 3.0, -0.1], [-1.0, 2.0, 0.5, 1.0, 0.0, 0.2]]).T
    Y += 0.1 * rng.randn(80, 2)
    y = Y if multi else Y[:, 0]
    sw = rng.uniform(0.5, 1.5, 80) if weighted else None
    ours = LinearRegression(positive=True, fit_intercept=fit_intercept).fit(X, y, sw)
    ref = skl.LinearRegression(positive=True, fit_intercept=fit_intercept).fit(X, y, sw)
    assert_close(ours.coef_, ref.coef_, what="coef_")
    assert_close(ours.intercept_, ref.intercept_, what="intercept_")
    assert np.all(ours.coef_ >= 0) and np.any(ours.coef_ == 0)  # the bound is active
    assert not hasattr(ours, "rank_")
    # scikit-learn keeps nnls' float64 coef_ on float32 data without an intercept
    ours32 = LinearRegression(positive=True, fit_intercept=fit_intercept).fit(
        X.astype(np.float32), y)
    ref32 = skl.LinearRegression(positive=True, fit_intercept=fit_intercept).fit(
        X.astype(np.float32), y)
    assert ours32.coef_.dtype == ref32.coef_.dtype


def test_linear_regression_positive_wide():
    # n < p: the passive set must stop at the rank of X (Lawson-Hanson's dependency
    # test), else the active-set method cycles.  The NNLS coefficients need not be
    # unique here, the fitted values are: compare predictions, and weights against
    # repeated rows (scikit-learn's own sample-weight equivalence check).
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15).astype(float)
    sw = rng.randint(0, 5, size=15)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = LinearRegression(positive=True).fit(X, y, sample_weight=sw)
        repeated = LinearRegression(positive=True).fit(X.repeat(sw, axis=0), y.repeat(sw))
    ref = skl.LinearRegression(positive=True).fit(X, y, sample_weight=sw)
    assert_close(ours.predict(X), ref.predict(X), what="predict")
    assert_close(repeated.predict(X), ours.predict(X), 1e-10, "repeated rows")
    assert np.all(ours.coef_ >= 0)


def test_linear_regression_positive_rejects_sparse():
    X, Y, _ = make()
    with pytest.raises(TypeError, match="dense data is required"):
        LinearRegression(positive=True).fit(sp.csr_matrix(X), Y[:, 0])
    assert not LinearRegression(positive=True).__sklearn_tags__().input_tags.sparse
    assert LinearRegression().__sklearn_tags__().input_tags.sparse


def test_linear_regression_wide_sparse_iterative():
    # Over 2000 features, CSR goes to CGLS on the implicitly centred X (never
    # densified); at tol=1e-10 it reaches the minimum-norm solution to ~1e-9.
    rng = np.random.RandomState(4)
    X = sp.random(150, 2100, density=0.03, random_state=4, format="csr")
    y = rng.randn(150)
    w = rng.uniform(0.5, 1.5, 150)
    for fit_intercept in [True, False]:
        ours = LinearRegression(fit_intercept=fit_intercept, tol=1e-10).fit(X, y, w)
        ref = skl.LinearRegression(fit_intercept=fit_intercept).fit(X.toarray(), y, w)
        assert_close(ours.coef_, ref.coef_, what="coef_")
        assert_close(ours.intercept_, ref.intercept_, what="intercept_")


def test_linear_regression_shapes_of_one_column_y():
    X, Y, _ = make()
    y2 = Y[:, :1]
    ours, ref = LinearRegression().fit(X, y2), skl.LinearRegression().fit(X, y2)
    assert ours.coef_.shape == ref.coef_.shape == (1, X.shape[1])
    assert ours.intercept_.shape == ref.intercept_.shape == (1,)
    assert ours.predict(X).shape == ref.predict(X).shape == (X.shape[0], 1)


def test_linear_regression_zero_weights_drop_rows():
    X, Y, w = make()
    w[::3] = 0.0
    keep = w > 0
    for Xa in [X, sp.csr_matrix(X)]:
        a = LinearRegression().fit(Xa, Y, sample_weight=w)
        b = LinearRegression().fit(Xa[keep], Y[keep], sample_weight=w[keep])
        assert_close(a.coef_, b.coef_, 1e-10)
        assert_close(a.intercept_, b.intercept_, 1e-10)


def test_linear_regression_deterministic_across_n_jobs():
    # 40,000 rows: several QR chunks, reduced in a fixed order.
    rng = np.random.RandomState(5)
    X = rng.randn(40_000, 5)
    y = X @ rng.randn(5) + rng.randn(40_000)
    fits = [LinearRegression(n_jobs=j).fit(X, y) for j in (1, 2)]
    np.testing.assert_array_equal(fits[0].coef_, fits[1].coef_)
    assert fits[0].intercept_ == fits[1].intercept_
    np.testing.assert_array_equal(fits[0].singular_, fits[1].singular_)


def test_linear_regression_pickle_and_feature_names():
    import pandas as pd

    X, Y, _ = make()
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    model = LinearRegression().fit(df, Y[:, 0])
    np.testing.assert_array_equal(model.feature_names_in_, df.columns.to_numpy(dtype=object))
    assert model.n_features_in_ == X.shape[1]
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict(df), model.predict(df))


@pytest.mark.parametrize("params, error, match", [
    ({"tol": -1.0}, ValueError, "tol"),
    ({"n_jobs": "two"}, ValueError, "n_jobs"),
    ({"positive": "yes"}, ValueError, "positive"),
    ({"fit_intercept": None}, ValueError, "fit_intercept"),
])
def test_linear_regression_invalid_params(params, error, match):
    X, Y, _ = make()
    with pytest.raises(error, match=match):
        LinearRegression(**params).fit(X, Y[:, 0])


def test_linear_regression_bad_input():
    X, Y, w = make()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LinearRegression().fit(X, Y[:-1, 0])
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        LinearRegression().fit(X, Y[:, 0], sample_weight=-w)
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(np.where(X > 5, np.nan, X), Y[:, 0])
    model = LinearRegression().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :3])


# ---- Ridge ----------------------------------------------------------------------------


def sklearn_ridge(X, y, sw, **params):
    """scikit-learn's fit of the same problem, exact where it can be (see the header)."""
    if params.get("solver") in ("sag", "saga"):
        params = dict(params, solver="svd")
    return skl.Ridge(**params).fit(X, y, sample_weight=sw)


def _ridge_cases():
    # Every solver x layout x fit_intercept that scikit-learn accepts (the rejected
    # ones are test_ridge_solver_rules' business).
    for solver in ["auto", "cholesky", "svd", "lsqr", "sparse_cg", "sag", "saga"]:
        for layout in ["C", "F", "float32", "csr"]:
            for fit_intercept in [True, False]:
                if layout == "csr" and (solver == "svd" or (
                        fit_intercept and solver in ("cholesky", "saga"))):
                    continue
                yield solver, layout, fit_intercept


@pytest.mark.parametrize("solver, layout, fit_intercept", list(_ridge_cases()))
def test_ridge_oracle(solver, layout, fit_intercept):
    X, Y, w = make()
    Xa = layouts(X)[layout]
    alpha = np.array([0.5, 30.0])
    params = dict(alpha=alpha, solver=solver, fit_intercept=fit_intercept, tol=1e-12,
                  max_iter=10_000)
    ours = Ridge(**params).fit(Xa, Y, sample_weight=w)
    ref = sklearn_ridge(reference_X(layout, X), Y, w, **params)
    rtol = 1e-5 if layout == "float32" else RTOL
    assert_close(ours.coef_, ref.coef_, rtol, "coef_")
    assert_close(ours.intercept_, ref.intercept_, rtol, "intercept_")
    assert_close(ours.predict(Xa), ref.predict(reference_X(layout, X)), rtol, "predict")
    assert ours.coef_.dtype == Xa.dtype
    if fit_intercept:
        assert ours.intercept_.dtype == Xa.dtype
    else:
        assert ours.intercept_ == 0.0 and isinstance(ours.intercept_, float)
    same = skl.Ridge(**params).fit(Xa, Y, sample_weight=w) if solver not in ("sag", "saga") \
        else None
    if same is not None:
        assert ours.solver_ == same.solver_
        assert (ours.n_iter_ is None) == (same.n_iter_ is None)
    if ours.n_iter_ is not None:
        assert ours.n_iter_.dtype == np.int32 and ours.n_iter_.shape == (2,)
        assert np.all(ours.n_iter_ >= 1)


@pytest.mark.parametrize("y_shape", ["1d", "2d_one", "2d"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_shapes_and_scalar_alpha(y_shape, fit_intercept):
    X, Y, w = make()
    y = {"1d": Y[:, 0], "2d_one": Y[:, :1], "2d": Y}[y_shape]
    ours = Ridge(alpha=2.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=w)
    ref = skl.Ridge(alpha=2.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=w)
    assert ours.coef_.shape == ref.coef_.shape
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    assert type(ours.intercept_) is type(ref.intercept_)
    assert ours.predict(X).shape == ref.predict(X).shape
    assert_close(ours.coef_, ref.coef_)
    assert_close(ours.predict(X), ref.predict(X))
    assert ours.solver_ == ref.solver_ == "cholesky" and ours.n_iter_ is None


@pytest.mark.parametrize("n, p", [(30, 80), (40, 2100)])
def test_ridge_wide(n, p):
    # n < p: the dense direct route is the kernel (dual) form, never a p x p matrix;
    # CSR with > 2000 features goes to CGLS.
    rng = np.random.RandomState(6)
    X = rng.randn(n, p)
    Y = rng.randn(n, 2)
    w = rng.uniform(0.5, 1.5, n)
    for fit_intercept in [True, False]:
        ours = Ridge(alpha=[0.3, 3.0], fit_intercept=fit_intercept).fit(X, Y, w)
        ref = skl.Ridge(alpha=[0.3, 3.0], fit_intercept=fit_intercept, solver="svd").fit(X, Y, w)
        assert_close(ours.coef_, ref.coef_, what="dense coef_")
        assert_close(ours.intercept_, ref.intercept_, what="dense intercept_")
    Xs = sp.random(n, p, density=0.1, random_state=6, format="csr")
    for solver, fit_intercept in [("auto", True), ("lsqr", True), ("cholesky", False)]:
        ours = Ridge(alpha=[0.3, 3.0], solver=solver, tol=1e-12,
                     fit_intercept=fit_intercept).fit(Xs, Y, w)
        ref = skl.Ridge(alpha=[0.3, 3.0], solver="svd", fit_intercept=fit_intercept).fit(
            Xs.toarray(), Y, w)
        assert_close(ours.coef_, ref.coef_, what=f"csr {solver} coef_")
        assert_close(ours.intercept_, ref.intercept_, what=f"csr {solver} intercept_")


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse", [False, True])
def test_ridge_positive(fit_intercept, sparse):
    rng = np.random.RandomState(7)
    X = rng.randn(90, 6)
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0, -0.1]) + 0.1 * rng.randn(90)
    w = rng.uniform(0.5, 1.5, 90)
    Xa = sp.csr_matrix(X) if sparse else X
    ours = Ridge(alpha=2.0, positive=True, fit_intercept=fit_intercept).fit(Xa, y, w)
    ref = skl.Ridge(alpha=2.0, positive=True, fit_intercept=fit_intercept, tol=1e-12).fit(
        Xa, y, w)
    assert_close(ours.coef_, ref.coef_, what="coef_")
    assert_close(ours.intercept_, ref.intercept_, what="intercept_")
    assert np.all(ours.coef_ >= 0) and np.any(ours.coef_ == 0)
    assert ours.solver_ == ref.solver_ == "lbfgs" and ours.n_iter_ is None


def test_ridge_singular_cholesky_falls_back_to_svd():
    # alpha=0 with an all-zero column: the Gram is exactly singular, Cholesky fails
    # and scikit-learn (and pymlcore) fall back to the SVD.  scikit-learn's SVD keeps
    # the zero column's rounding-level singular value (its cutoff is an absolute
    # 1e-15) and returns a meaningless coefficient for it; pymlcore also drops
    # singular values at the rounding level of the largest, so its solution is the
    # minimum-norm one: zero there, least squares on the other columns.
    X, Y, _ = make(offset=0.0)
    X[:, 2] = 0.0
    ours = Ridge(alpha=0.0, fit_intercept=False).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = skl.Ridge(alpha=0.0, fit_intercept=False).fit(X, Y)
    assert ours.solver_ == ref.solver_ == "svd"
    np.testing.assert_allclose(ours.coef_[:, 2], 0.0, atol=1e-12 * np.abs(ours.coef_).max())
    rest = skl.Ridge(alpha=0.0, fit_intercept=False).fit(np.delete(X, 2, axis=1), Y)
    assert_close(np.delete(ours.coef_, 2, axis=1), rest.coef_)


def test_ridge_zero_weights_and_scalar_weight():
    X, Y, w = make()
    w[1::4] = 0.0
    keep = w > 0
    for solver in ["cholesky", "svd", "lsqr"]:
        a = Ridge(solver=solver, tol=1e-12).fit(X, Y, sample_weight=w)
        b = Ridge(solver=solver, tol=1e-12).fit(X[keep], Y[keep], sample_weight=w[keep])
        assert_close(a.coef_, b.coef_, 1e-9)
    a = Ridge(alpha=2.0).fit(X, Y, sample_weight=3.0)
    assert_close(a.coef_, skl.Ridge(alpha=2.0).fit(X, Y, sample_weight=3.0).coef_)


def test_ridge_solver_rules():
    X, Y, _ = make()
    Xs = sp.csr_matrix(X)
    y = Y[:, 0]
    with pytest.raises(ValueError, match="'lbfgs' solver can be used only when positive=True"):
        Ridge(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="does not support positive fitting"):
        Ridge(solver="cholesky", positive=True).fit(X, y)
    for solver in ["svd", "cholesky", "saga"]:
        with pytest.raises(ValueError, match="does not support fitting the intercept on sparse"):
            Ridge(solver=solver).fit(Xs, y)
    with pytest.raises(TypeError, match="SVD solver does not support sparse inputs"):
        Ridge(solver="svd", fit_intercept=False).fit(Xs, y)
    with pytest.raises(ValueError, match="Number of targets and number of penalties"):
        Ridge(alpha=[1.0, 2.0, 3.0]).fit(X, Y)
    with pytest.raises(ValueError, match="alpha must be non-negative"):
        Ridge(alpha=[1.0, -2.0]).fit(X, Y)
    # sparse + intercept: 'sag' with a loose tol keeps 'sag' and warns; else 'sparse_cg'
    with pytest.warns(UserWarning, match='"sag" solver requires many iterations'):
        assert Ridge(solver="sag", tol=1e-3).fit(Xs, y).solver_ == "sag"
    assert Ridge(solver="sag").fit(Xs, y).solver_ == "sparse_cg"
    assert Ridge().fit(Xs, y).solver_ == "sparse_cg"
    assert Ridge(solver="lsqr").fit(Xs, y).solver_ == "lsqr"
    # tags tell which solvers take sparse input, as scikit-learn's do
    for params in [{}, {"solver": "svd"}, {"solver": "cholesky"},
                   {"solver": "cholesky", "fit_intercept": False}]:
        assert (Ridge(**params).__sklearn_tags__().input_tags.sparse
                == skl.Ridge(**params).__sklearn_tags__().input_tags.sparse)


@pytest.mark.parametrize("params, match", [
    ({"alpha": -1.0}, "alpha"),
    ({"tol": -1.0}, "tol"),
    ({"max_iter": 0}, "max_iter"),
    ({"solver": "newton"}, "solver"),
    ({"positive": 2}, "positive"),
    ({"random_state": "x"}, "random_state"),
])
def test_ridge_invalid_params(params, match):
    X, Y, _ = make()
    with pytest.raises(ValueError, match=match):
        Ridge(**params).fit(X, Y[:, 0])


def test_ridge_convergence_warning():
    X, Y, _ = make()
    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        model = Ridge(solver="lsqr", max_iter=1, tol=1e-14).fit(X, Y)
    np.testing.assert_array_equal(model.n_iter_, [1, 1])


def test_ridge_deterministic_across_threads():
    # Ridge has no n_jobs: the C fit's thread count comes from the cores; fixed-order
    # reductions make 1 and 2 threads agree bit for bit (Gram, CG and CGLS routes).
    rng = np.random.RandomState(8)
    X = rng.randn(40_000, 5)
    y = X @ rng.randn(5) + rng.randn(40_000)
    Xs = sp.random(3000, 2100, density=0.01, random_state=8, format="csr")
    ys = rng.randn(3000)
    for data, solver in [((X, y), "cholesky"), ((X, y), "sparse_cg"), ((Xs, ys), "lsqr")]:
        params = {"alpha": np.ones(1), "fit_intercept": True, "max_iter": -1, "tol": 1e-8,
                  "solver": solver, "positive": False}
        a, b = (fit_core("Ridge", params, data[0], data[1], n_jobs=j, blas_in_threads=True)
                for j in (1, 2))
        np.testing.assert_array_equal(a["coef_"], b["coef_"])
        np.testing.assert_array_equal(a["intercept_"], b["intercept_"])
