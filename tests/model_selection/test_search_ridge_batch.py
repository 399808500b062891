"""GridSearchCV over Ridge: candidates that differ only in alpha are fitted together
on each fold (one Gram, or kernel, or factorisation, per fold and fit_intercept;
one solve per alpha).  The scores are exactly those of the same search with the
batching defeated, equal to scikit-learn's, the same for any n_jobs, and the
warnings are each candidate's own."""

import warnings

import numpy as np
import pytest
from sklearn import linear_model as sklm
from sklearn import model_selection as skms

from pymlcore.linear_model import Ridge
from pymlcore.model_selection import GridSearchCV, KFold

# scikit-learn's Ridge solves the same normal equations (cholesky: G + alpha I by
# scipy; svd: the SVD of X) with other summation orders.  On these well-conditioned
# data (cond(G + alpha I) < ~1e4) both are accurate to ~1e-13 relative, so scores
# that agree to 1e-10 relative can only differ by rounding, while any real
# difference in the fitted model (a wrong alpha, centring or weight) moves the
# r2 score by far more.
SKLEARN_RTOL = 1e-10
# float32 X: both libraries return float32 coef_ and predictions (ours solved in
# float64, scikit-learn's reference below too), so the scores carry float32
# rounding of the predictions: ~1e-7 relative, 1e-6 leaves margin.
FLOAT32_RTOL = 1e-6

ALPHAS = np.logspace(-3, 4, 6)
CV = KFold(4, shuffle=True, random_state=0)


def data(n=400, p=6, n_targets=1, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = (rng.randn(n, p) * rng.uniform(0.5, 3, p) + rng.uniform(-2, 2, p)).astype(dtype)
    Y = X.astype(np.float64) @ rng.randn(p, n_targets) + 0.5 * rng.randn(n, n_targets)
    w = rng.uniform(0.2, 2.0, n)
    return X, (Y[:, 0] if n_targets == 1 else Y), w


def unbatched(grid):
    """The candidates of `grid`, in its order, each given its own tol: candidates
    whose tol differs are never fitted together, and the direct solvers ignore tol."""
    return [dict({k: [v] for k, v in params.items()}, tol=[1e-4 * (1 + 1e-3 * i)])
            for i, params in enumerate(skms.ParameterGrid(grid))]


def assert_batched(search):
    """The candidates of each fit_intercept were fitted as one batch per fold: a
    batch's members are given equal shares of its fit time, fold by fold."""
    times = search.cv_results_["mean_fit_time"]
    flags = search.cv_results_.get("param_fit_intercept")
    intercept = np.ones(len(times), bool) if flags is None else np.array(flags, dtype=bool)
    for flag in (True, False):
        assert len(set(times[intercept == flag])) <= 1


def score_keys(search):
    return [k for k in search.cv_results_ if k.endswith("_score") and "rank" not in k]


def fit(search, X, y, w):
    return search.fit(X, y, sample_weight=w) if w is not None else search.fit(X, y)


CASES = {
    "dense": dict(),
    "weighted": dict(weighted=True),
    "float32": dict(dtype=np.float32),
    "svd": dict(solver="svd", weighted=True),
    "wide (kernel)": dict(n=40, p=60, solver="cholesky"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_batched_equals_unbatched_and_sklearn(case):
    opts = dict(CASES[case])
    weighted = opts.pop("weighted", False)
    solver = opts.pop("solver", "auto")
    X, y, w = data(**opts)
    w = w if weighted else None
    grid = {"alpha": ALPHAS, "fit_intercept": [True, False]}
    kwargs = dict(cv=CV, scoring="r2", return_train_score=True)
    est = Ridge(solver=solver)
    ours = fit(GridSearchCV(est, grid, n_jobs=2, **kwargs), X, y, w)
    one_job = fit(GridSearchCV(est, grid, n_jobs=1, **kwargs), X, y, w)
    alone = fit(GridSearchCV(est, unbatched(grid), n_jobs=2, **kwargs), X, y, w)
    assert_batched(ours)
    for key in score_keys(ours):
        np.testing.assert_array_equal(ours.cv_results_[key], alone.cv_results_[key], err_msg=key)
        np.testing.assert_array_equal(ours.cv_results_[key], one_job.cv_results_[key],
                                      err_msg=key)
    # scikit-learn's Ridge on the float64 values (it would solve float32 X in float32)
    ref = fit(skms.GridSearchCV(sklm.Ridge(solver=solver), grid, **kwargs),
              X.astype(np.float64), y, w)
    rtol = FLOAT32_RTOL if X.dtype == np.float32 else SKLEARN_RTOL
    for key in score_keys(ours):
        np.testing.assert_allclose(ours.cv_results_[key], ref.cv_results_[key],
                                   rtol=rtol, atol=0, err_msg=key)
    assert ours.best_params_ == ref.best_params_


@pytest.mark.parametrize("n_targets", [1, 2])
def test_per_target_alphas(n_targets):
    """Alphas given as arrays (one per target) work beside scalar ones; a candidate
    whose alpha does not match y's targets fails alone, as its single fit would.
    (With one target the candidates run as one batch per fold in C; a 2-D y takes
    the search's Python path, whose C scorers read one column, so each fit is
    single: checked here so that array alphas keep working either way.)"""
    X, y, w = data(n_targets=n_targets)
    arrays = [np.full(n_targets, 0.1), np.linspace(5.0, 0.01, n_targets)]
    arrays[0][-1] = 30.0
    grid = {"alpha": [arrays[0], 2.0, arrays[1]], "fit_intercept": [True, False]}
    kwargs = dict(cv=CV, scoring="neg_mean_squared_error")
    ours = GridSearchCV(Ridge(), grid, **kwargs).fit(X, y, sample_weight=w)
    alone = GridSearchCV(Ridge(), unbatched(grid), **kwargs).fit(X, y, sample_weight=w)
    ref = skms.GridSearchCV(sklm.Ridge(), grid, **kwargs).fit(X, y, sample_weight=w)
    if n_targets == 1:
        assert_batched(ours)
    for key in score_keys(ours):
        np.testing.assert_array_equal(ours.cv_results_[key], alone.cv_results_[key], err_msg=key)
        np.testing.assert_allclose(ours.cv_results_[key], ref.cv_results_[key],
                                   rtol=SKLEARN_RTOL, atol=0, err_msg=key)

    bad = {"alpha": [1.0, np.ones(n_targets + 1), 4.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = GridSearchCV(Ridge(), bad, cv=CV, error_score=np.nan).fit(X, y)
        ref = skms.GridSearchCV(sklm.Ridge(), bad, cv=CV, error_score=np.nan).fit(X, y)
    scores, ref_scores = ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"]
    assert np.isnan(scores[1]) and np.isnan(ref_scores[1])
    np.testing.assert_allclose(scores[[0, 2]], ref_scores[[0, 2]], rtol=SKLEARN_RTOL, atol=0)


def _recorded(fit_):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_()
    return sorted((type(w.message).__name__, str(w.message)) for w in caught)


def test_warnings_per_candidate():
    """The conjugate gradient solver stopped by max_iter warns for the candidates it
    stopped, and only those, as the single fits of scikit-learn's own search loop
    over the same estimator do."""
    X, y, _ = data()
    grid = {"alpha": [1e-3, 1.0, 1e7]}  # 1e7 swamps the Gram: one step converges
    est = Ridge(solver="sparse_cg", max_iter=1, tol=1e-2)
    found = {}
    caught = _recorded(lambda: found.setdefault(
        "ours", GridSearchCV(est, grid, cv=CV).fit(X, y)))
    ref_caught = _recorded(lambda: found.setdefault(
        "ref", skms.GridSearchCV(est, grid, cv=CV).fit(X, y)))
    convergence = [w for w in caught if w[0] == "ConvergenceWarning"]
    assert convergence == [w for w in ref_caught if w[0] == "ConvergenceWarning"]
    assert 0 < len(convergence) < 3 * CV.get_n_splits()
    assert_batched(found["ours"])
    np.testing.assert_array_equal(found["ours"].cv_results_["mean_test_score"],
                                  found["ref"].cv_results_["mean_test_score"])
