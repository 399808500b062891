"""Forests on scipy sparse X: CSC arrays to fit (the trees' sparse path), CSR rows
to predict and for the out-of-bag pass.  A sparse X holds the same values as its
dense form, so the forests must be identical, array for array (no tolerance)."""

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import crafted_sparse, sparse_regression_data, traced_peak

from pymlcore.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                               RandomForestRegressor)

# few trees: some rows are in every bootstrap sample
pytestmark = pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")


def sparse_data(n=300, p=10, density=0.3, seed=0):
    return sparse_regression_data(n, p, density, seed)


def assert_same_forest(a, b):
    for k in a._compact:
        np.testing.assert_array_equal(a._compact[k], b._compact[k], err_msg=k)
    np.testing.assert_array_equal(a.feature_importances_, b.feature_importances_)


CASES = [
    (RandomForestRegressor, dict(oob_score=True)),
    (RandomForestRegressor, dict(max_bins=None, max_features=0.5, oob_score=True)),
    (ExtraTreesRegressor, dict(bootstrap=True, oob_score=True, max_samples=0.7)),
    (RandomForestClassifier, dict(oob_score=True, class_weight="balanced_subsample")),
    (RandomForestClassifier, dict(max_bins=None, criterion="entropy", oob_score=True)),
    (ExtraTreesClassifier, dict(bootstrap=True, oob_score=True)),
    (ExtraTreesClassifier, dict()),  # no bootstrap, no OOB
]


@pytest.mark.parametrize("cls,kw", CASES)
def test_sparse_forest_equals_dense_forest(cls, kw):
    X, d, y = sparse_data()
    is_clf = cls in (RandomForestClassifier, ExtraTreesClassifier)
    if is_clf:
        y = (y > 0).astype(int) + (y > 1)
    kw = dict(n_estimators=8, random_state=0, **kw)
    dense = cls(**kw).fit(d, y)
    # CSC used as is; CSR and COO converted; int64 indices and float32 values too
    X64 = X.copy()
    X64.indices, X64.indptr = X64.indices.astype(np.int64), X64.indptr.astype(np.int64)
    for Xs in (X, X.tocsr(), X.tocoo(), X64):
        est = cls(**kw).fit(Xs, y)
        assert_same_forest(est, dense)
        if "oob_score" in kw:
            assert est.oob_score_ == dense.oob_score_
            name = "oob_decision_function_" if is_clf else "oob_prediction_"
            np.testing.assert_array_equal(getattr(est, name), getattr(dense, name))
    d32 = d.astype(np.float32)
    assert_same_forest(cls(**kw).fit(sp.csc_matrix(d32), y), cls(**kw).fit(d32, y))
    # predict, apply, decision_path on CSR (and CSC, converted) as on dense
    fitted = cls(**kw).fit(X, y)
    for Xs in (X.tocsr(), X):
        np.testing.assert_array_equal(fitted.predict(Xs), dense.predict(d))
        np.testing.assert_array_equal(fitted.apply(Xs), dense.apply(d))
        ind, ptr = fitted.decision_path(Xs)
        ind_d, ptr_d = dense.decision_path(d)
        assert (ind != ind_d).nnz == 0
        np.testing.assert_array_equal(ptr, ptr_d)
    if is_clf:
        np.testing.assert_array_equal(fitted.predict_proba(X.tocsr()), dense.predict_proba(d))
    # the trees of estimators_ take the sparse rows too
    np.testing.assert_array_equal(fitted.estimators_[2].predict(X.tocsr()),
                                  dense.estimators_[2].predict(d))


def test_sparse_multioutput_weights_warm_start():
    X, d, y = sparse_data(seed=3)
    Y = np.c_[y, -y + d[:, 2]]
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    kw = dict(n_estimators=5, oob_score=True, warm_start=True, random_state=1)
    a, b = RandomForestRegressor(**kw), RandomForestRegressor(**kw)
    a.fit(X, Y, sample_weight=w); b.fit(d, Y, sample_weight=w)
    a.set_params(n_estimators=9).fit(X, Y, sample_weight=w)
    b.set_params(n_estimators=9).fit(d, Y, sample_weight=w)
    assert_same_forest(a, b)
    np.testing.assert_array_equal(a.oob_prediction_, b.oob_prediction_)
    np.testing.assert_array_equal(a.predict(X.tocsr()), b.predict(d))
    # the bootstrap draws are replayed the same
    for sa, sb in zip(a.estimators_samples_, b.estimators_samples_):
        np.testing.assert_array_equal(sa, sb)


def test_sparse_forest_deterministic_across_n_jobs():
    X, d, y = sparse_data(seed=5)
    kw = dict(n_estimators=6, oob_score=True, random_state=2)
    a = RandomForestRegressor(n_jobs=1, **kw).fit(X, y)
    b = RandomForestRegressor(n_jobs=2, **kw).fit(X, y)
    assert_same_forest(a, b)
    np.testing.assert_array_equal(a.oob_prediction_, b.oob_prediction_)


def test_sparse_input_left_unchanged():
    X, d, y = sparse_data()
    # non-canonical (unsorted columns): canonicalised on a copy
    Xu = X.copy()
    for j in range(X.shape[1]):
        lo, hi = Xu.indptr[j], Xu.indptr[j + 1]
        Xu.indices[lo:hi] = Xu.indices[lo:hi][::-1].copy()
        Xu.data[lo:hi] = Xu.data[lo:hi][::-1].copy()
    Xu.has_sorted_indices = False
    before = (Xu.data.copy(), Xu.indices.copy(), Xu.indptr.copy())
    kw = dict(n_estimators=4, oob_score=True, random_state=0)
    assert_same_forest(RandomForestRegressor(**kw).fit(Xu, y), RandomForestRegressor(**kw).fit(d, y))
    for got, want in zip((Xu.data, Xu.indices, Xu.indptr), before):
        np.testing.assert_array_equal(got, want)


def test_sparse_crafted_structure_raises():
    X, d, y = sparse_data(60, 4)
    f = RandomForestRegressor(n_estimators=3, random_state=0).fit(X, y)

    for fmt in ("csc", "csr"):
        for bad in crafted_sparse(X, fmt):
            with pytest.raises(ValueError, match="X"):
                RandomForestRegressor(n_estimators=3, oob_score=True).fit(bad, y)
            for method in (f.predict, f.apply):
                with pytest.raises(ValueError, match="X"):
                    method(bad)
    Xn = X.copy()
    Xn.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ExtraTreesRegressor(n_estimators=3).fit(Xn, y)
    with pytest.raises(ValueError, match="features"):
        f.predict(X.tocsr()[:, :3])


def test_sparse_fit_does_not_densify():
    # the dense matrix would be n * p * 8 = 16 MB; the CSC arrays are 0.24 MB
    n, p = 20_000, 100
    X = sp.random(n, p, density=0.01, format="csc", random_state=0, dtype=np.float64)
    y = (X[:, 0].toarray().ravel() > 0.3).astype(int) + (X[:, 1].toarray().ravel() > 0.5)
    est = RandomForestClassifier(n_estimators=4, max_depth=8, oob_score=True, random_state=0)
    X_csr = X.tocsr()
    peak = traced_peak(lambda: est.fit(X, y).predict(X_csr))
    assert peak < n * p * 8 / 4, peak
