"""criterion='absolute_error' and sparse X for the decision trees, against
scikit-learn 1.9.1 and against the dense fit."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import crafted_sparse, sparse_regression_data, traced_peak
from sklearn import tree as sk_tree
from sklearn.datasets import load_diabetes, make_regression
from sklearn.metrics import r2_score

from pymlcore.tree import (DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreeClassifier,
                           ExtraTreeRegressor)

from test_tree import assert_same_tree


def weighted_median(y, w):
    """scikit-learn's: the smallest y whose cumulative weight exceeds half the
    total, the midpoint with the previous y when the weight before it is exactly half."""
    order = np.argsort(y, kind="stable")
    y, w = y[order], w[order]
    before = np.concatenate([[0.0], np.cumsum(w)[:-1]])
    half = w.sum() / 2
    r = int(np.flatnonzero(before + w > half)[0])
    return (y[r - 1] + y[r]) / 2 if r > 0 and before[r] == half else y[r]


def assert_nodes_are_medians(est, X, y, w):
    """Every node's value is the weighted median of the training rows through
    it and its impurity their weighted mean absolute deviation from it (the
    definition, whatever the splitter)."""
    path = est.decision_path(X).tocsc()
    t = est.tree_
    for node in range(t.node_count):
        rows = path.indices[path.indptr[node]:path.indptr[node + 1]]
        med = weighted_median(y[rows], w[rows])
        np.testing.assert_allclose(t.value[node, 0, 0], med, rtol=1e-12)
        mad = np.sum(w[rows] * np.abs(y[rows] - med)) / np.sum(w[rows])
        # the impurity of a child comes from its parent's prefix sums (as in
        # scikit-learn): rounding of sums of n terms, hence the tolerance
        np.testing.assert_allclose(t.impurity[node], mad, rtol=1e-9, atol=1e-9)


@pytest.fixture(scope="module")
def reg_data():
    X, y = make_regression(600, 6, n_informative=4, noise=5.0, random_state=0)
    return X, y


# ---- absolute error ------------------------------------------------------------------

# As for the other criteria (test_tree.py), node-for-node equality is tested
# where tied gains are improbable: nodes of at least 40 rows, continuous y.
@pytest.mark.parametrize("kw", [dict(), dict(max_depth=4), dict(max_leaf_nodes=25),
                                dict(min_impurity_decrease=1.0),
                                dict(monotonic_cst=[1, -1, 0, 0, 0, 0])])
def test_absolute_error_equals_sklearn_node_for_node(reg_data, kw):
    X, y = reg_data
    kw = {"criterion": "absolute_error", "min_samples_leaf": 3, "min_samples_split": 40, **kw}
    assert_same_tree(DecisionTreeRegressor(**kw).fit(X, y),
                     sk_tree.DecisionTreeRegressor(random_state=0, **kw).fit(X, y))


def test_absolute_error_weights_multioutput_missing_equal_sklearn(reg_data):
    X, y = reg_data
    rng = np.random.default_rng(0)
    kw = dict(criterion="absolute_error", min_samples_leaf=3, min_samples_split=40)
    # continuous weights, and integer weights (cumulative weights hit half
    # exactly: the midpoint rule for medians)
    for w in (rng.uniform(0.5, 2.0, len(y)), rng.integers(1, 4, len(y)).astype(float)):
        assert_same_tree(DecisionTreeRegressor(**kw).fit(X, y, w),
                         sk_tree.DecisionTreeRegressor(random_state=0, **kw).fit(X, y, w))
    Y = np.c_[y, rng.normal(size=len(y))]
    assert_same_tree(DecisionTreeRegressor(**kw).fit(X, Y),
                     sk_tree.DecisionTreeRegressor(random_state=0, **kw).fit(X, Y))
    Xn = np.where(rng.random(X.shape) < 0.1, np.nan, X)
    assert_same_tree(DecisionTreeRegressor(**kw).fit(Xn, y),
                     sk_tree.DecisionTreeRegressor(random_state=0, **kw).fit(Xn, y))


@pytest.mark.parametrize("kw", [dict(splitter="random"), dict(max_bins=16),
                                dict(max_bins=16, splitter="random")])
def test_absolute_error_nodes_are_weighted_medians(reg_data, kw):
    X, y = reg_data
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    est = DecisionTreeRegressor(criterion="absolute_error", max_depth=6, random_state=0,
                                **kw).fit(X, y, w)
    assert est.tree_.node_count > 20
    assert_nodes_are_medians(est, X, y, w)


def test_absolute_error_histogram_equals_exact_when_bins_hold_every_value():
    # fewer distinct values than bins: every exact split is a bin boundary, so
    # the same partitions (thresholds differ: midpoint versus bin edge)
    rng = np.random.default_rng(0)
    X = rng.integers(0, 20, size=(500, 4)).astype(float)
    y = X[:, 0] * 2 + np.sin(X[:, 1]) + rng.standard_exponential(500)
    a = DecisionTreeRegressor(criterion="absolute_error", min_samples_leaf=5, max_bins=64)
    b = DecisionTreeRegressor(criterion="absolute_error", min_samples_leaf=5)
    a.fit(X, y), b.fit(X, y)
    np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
    np.testing.assert_array_equal(a.tree_.n_node_samples, b.tree_.n_node_samples)
    np.testing.assert_array_equal(a.tree_.value, b.tree_.value)
    np.testing.assert_array_equal(a.apply(X), b.apply(X))


def test_absolute_error_quality_and_extra_tree():
    X, y = load_diabetes(return_X_y=True)
    for kw in [dict(max_depth=4), dict(max_depth=4, splitter="random"),
               dict(max_depth=4, max_bins=32)]:
        scores = []
        for seed in range(3):
            ours = DecisionTreeRegressor(criterion="absolute_error", random_state=seed, **kw)
            theirs = sk_tree.DecisionTreeRegressor(
                criterion="absolute_error", random_state=seed,
                **{k: v for k, v in kw.items() if k != "max_bins"})
            scores.append(r2_score(y, ours.fit(X, y).predict(X))
                          - r2_score(y, theirs.fit(X, y).predict(X)))
        # the same family of trees; random draws and bins differ, so a margin
        assert np.mean(scores) > -0.05, kw
    ext = ExtraTreeRegressor(criterion="absolute_error", random_state=0).fit(X, y)
    # grown to purity on distinct rows: the training targets come back
    np.testing.assert_allclose(ext.predict(X), y)


def test_absolute_error_deterministic_and_pickles(reg_data):
    X, y = reg_data
    kw = dict(criterion="absolute_error", splitter="random", max_features=3, random_state=5)
    a, b = DecisionTreeRegressor(**kw).fit(X, y), DecisionTreeRegressor(**kw).fit(X, y)
    np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.predict(X), c.predict(X))
    with pytest.raises(ValueError, match="criterion"):
        DecisionTreeClassifier(criterion="absolute_error").fit(X, y > 0)


# ---- sparse X --------------------------------------------------------------------------

def sparse_data(n=400, p=12, density=0.25, seed=0):
    return sparse_regression_data(n, p, density, seed)


def assert_identical_trees(a, b):
    for name in ("children_left", "children_right", "feature", "threshold", "value",
                 "impurity", "n_node_samples", "weighted_n_node_samples"):
        np.testing.assert_array_equal(getattr(a.tree_, name), getattr(b.tree_, name),
                                      err_msg=name)


@pytest.mark.parametrize("cls,kw", [
    (DecisionTreeRegressor, {}), (DecisionTreeRegressor, dict(criterion="absolute_error")),
    (DecisionTreeRegressor, dict(max_bins=32)), (DecisionTreeRegressor, dict(max_leaf_nodes=20)),
    (ExtraTreeRegressor, {}), (DecisionTreeClassifier, {}),
    (ExtraTreeClassifier, dict(criterion="entropy"))])
def test_sparse_fit_equals_dense_fit(cls, kw):
    X, d, y = sparse_data()
    if issubclass(cls, DecisionTreeClassifier):
        y = (y > 0).astype(int) + (y > 1)
    dense = cls(random_state=0, **kw).fit(d, y)
    # every format scikit-learn takes; CSC is used as is, the others converted;
    # int64 indices and float32 values too
    X64 = X.copy()
    X64.indices, X64.indptr = X64.indices.astype(np.int64), X64.indptr.astype(np.int64)
    for Xs in (X, X.tocsr(), X.tocoo(), X64):
        assert_identical_trees(cls(random_state=0, **kw).fit(Xs, y), dense)
    d32 = d.astype(np.float32)
    assert_identical_trees(cls(random_state=0, **kw).fit(sp.csc_matrix(d32), y),
                           cls(random_state=0, **kw).fit(d32, y))
    # predict, apply, decision_path on CSR (and CSC, converted) as on dense
    fitted = cls(random_state=0, **kw).fit(X, y)
    for Xs in (X.tocsr(), X):
        np.testing.assert_array_equal(fitted.predict(Xs), dense.predict(d))
        np.testing.assert_array_equal(fitted.apply(Xs), dense.apply(d))
        assert (fitted.decision_path(Xs) != dense.decision_path(d)).nnz == 0
    if hasattr(dense, "predict_proba"):
        np.testing.assert_array_equal(fitted.predict_proba(X.tocsr()), dense.predict_proba(d))


def test_sparse_large_nodes_equal_dense_and_sklearn():
    # nodes of 1024 rows or more sort and visit only their nonzero values (the
    # zeros as one block): the same splits as the dense fit, impurities summed
    # in another order (hence the tolerance), thresholds and values exact
    X, d, y = sparse_data(6000, 20, 0.1, seed=4)
    kw = dict(min_samples_split=200, random_state=0)
    ours = DecisionTreeRegressor(**kw).fit(X, y)
    assert ours.tree_.node_count > 100
    assert_same_tree(ours, DecisionTreeRegressor(**kw).fit(d, y), impurity_rtol=1e-9)
    assert_same_tree(ours, sk_tree.DecisionTreeRegressor(**kw).fit(X, y), impurity_rtol=1e-9)
    yc = (y > 0).astype(int) + (y > 1)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    kw = dict(max_depth=6, random_state=0)
    assert_same_tree(DecisionTreeClassifier(**kw).fit(X, yc, w),
                     DecisionTreeClassifier(**kw).fit(d, yc, w), impurity_rtol=1e-9)
    # on data this sparse, deeper (small) nodes have tied splits broken by the
    # feature order (scikit-learn's own sparse and dense trees then differ with
    # its seed): compared where ties are improbable, as in test_tree.py


def test_sparse_non_canonical_matches_canonical():
    X, d, y = sparse_data()
    # the same matrix with each column's entries reversed, and split in two
    # duplicate halves: canonicalised on a copy, the input left as given
    rows, cols, vals = [], [], []
    for j in range(X.shape[1]):
        lo, hi = X.indptr[j], X.indptr[j + 1]
        rows.append(X.indices[lo:hi][::-1]); cols.append(np.full(hi - lo, j))
        vals.append(X.data[lo:hi][::-1])
    r, c, v = map(np.concatenate, (rows, cols, vals))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(c, minlength=X.shape[1]))])
    unsorted = sp.csc_matrix((v, r, indptr), shape=X.shape)
    assert not unsorted.has_sorted_indices
    before = unsorted.indices.copy()
    dup = sp.csc_matrix((np.r_[X.data / 2, X.data / 2],
                         (np.r_[X.tocoo().row, X.tocoo().row], np.r_[X.tocoo().col, X.tocoo().col])),
                        shape=X.shape)
    ref = DecisionTreeRegressor(random_state=0).fit(X, y)
    assert_identical_trees(DecisionTreeRegressor(random_state=0).fit(unsorted, y), ref)
    np.testing.assert_array_equal(unsorted.indices, before)
    assert_identical_trees(DecisionTreeRegressor(random_state=0).fit(dup, y), ref)


def test_sparse_crafted_structure_raises():
    X, d, y = sparse_data(60, 4)
    t = DecisionTreeRegressor().fit(X, y)

    for fmt in ("csc", "csr"):
        for bad in crafted_sparse(X, fmt):
            with pytest.raises(ValueError, match="X"):
                DecisionTreeRegressor().fit(bad, y) if fmt == "csc" else t.predict(bad)
    with pytest.raises(ValueError, match="NaN"):
        Xn = X.copy(); Xn.data[0] = np.nan
        DecisionTreeRegressor().fit(Xn, y)
    with pytest.raises(ValueError, match="features"):
        t.predict(X.tocsr()[:, :3])


def test_sparse_fit_does_not_densify():
    # the dense matrix would be n * p * 8 = 16 MB; the CSC arrays are 1.2 MB
    n, p = 20_000, 100
    X = sp.random(n, p, density=0.05, format="csc", random_state=0, dtype=np.float64)
    y = np.asarray(X[:, :3].sum(axis=1)).ravel()
    est = DecisionTreeRegressor(max_depth=6, random_state=0)
    est.fit(X[:100], y[:100])  # warm-up
    X_csr = X.tocsr()
    peak = traced_peak(lambda: est.fit(X, y).predict(X_csr))
    assert peak < n * p * 8 / 8, peak


def test_sparse_pickle_and_determinism():
    X, d, y = sparse_data()
    a = ExtraTreeRegressor(random_state=3).fit(X, y)
    b = ExtraTreeRegressor(random_state=3).fit(X, y)
    assert_identical_trees(a, b)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.predict(X.tocsr()), a.predict(d))
