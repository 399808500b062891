"""StandardScaler against scikit-learn's, the oracle: fitted attributes (values,
dtypes, None-ness), transform / inverse_transform, partial_fit, sample_weight,
NaN, sparse input, copy, float16/32/64, feature names and pandas output.

Tolerances (why they are what they are):

* Counts are exact.  Summed weights differ by summation order only: relative
  1e-12 (~5000 ulp for a few hundred terms).
* mean_: summation order differs (NumPy pairwise vs. C row blocks merged
  pairwise), so the error is relative to the magnitude of the values summed,
  mean(|x|), not to the mean (column 3 has mean ~2 and values ~50): 1e-12 of it.
* var_: both are stable two-pass computations; relative 1e-10 leaves room for
  the cancellation of a feature whose spread is small next to its mean
  (column 2: mean 3, std 1e-3, i.e. var / mean^2 ~ 1e-7).
* Sparse float32 input: scikit-learn accumulates its sparse statistics in the
  data's dtype (errors of a few 1e-8 observed), pymlcore in float64: mean_ to
  1e-6 of |mean| + std, var_ to relative 1e-6 (8 eps32).
* float64 transforms are O(1) standardized values: 1e-9 absolute.
* float32 transforms: scikit-learn computes (x - float32(mean_)) / float32(scale_)
  in float32, pymlcore in float64 rounded once; the difference is float32
  rounding of the inputs of that computation: 4 eps32 |x| / scale_ per column.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.preprocessing import StandardScaler as SkStandardScaler

from pymlcore._engine import apply_core
from pymlcore.preprocessing import StandardScaler

# scikit-learn's weighted variance of the constant column comes out a hair
# below zero and its sqrt warns (its scale_ is then 1, as ours): silenced for
# scikit-learn's module only, so that any warning of pymlcore's still shows.
pytestmark = pytest.mark.filterwarnings(
    "ignore:invalid value encountered in sqrt:RuntimeWarning:sklearn.preprocessing._data")

EPS32 = np.finfo(np.float32).eps
SPARSE_CONTAINERS = [sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.csc_array]


def make_X(n=1000, nan=False, seed=0):
    """Five features of different kinds; column 3 has many zeros (sparse-ish);
    column 4 is constant (0.1, not exact in binary)."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([
        rng.standard_normal(n),
        100 + 5 * rng.standard_normal(n),
        3 + 1e-3 * rng.standard_normal(n),
        np.where(rng.random(n) < 0.5, 0.0, 50 * rng.standard_normal(n)),
        np.full(n, 0.1),
    ])
    if nan:
        X[rng.random(n) < 0.1, 0] = np.nan
        X[rng.random(n) < 0.2, 3] = np.nan
    return X


def weights(n, seed=1):
    return np.random.default_rng(seed).uniform(0.1, 3.0, n)


def assert_same_type(ours, theirs, name):
    """None exactly where scikit-learn has None; same Python type, dtype and
    shape otherwise (np.float64 scalar vs int64 array and so on)."""
    if theirs is None:
        assert ours is None, f"{name}: scikit-learn has None, pymlcore {ours!r}"
        return
    assert ours is not None, f"{name}: pymlcore has None, scikit-learn {theirs!r}"
    assert type(ours) is type(theirs), f"{name}: {type(ours)} vs {type(theirs)}"
    assert np.asarray(ours).dtype == np.asarray(theirs).dtype, (
        f"{name}: dtype {np.asarray(ours).dtype} vs {np.asarray(theirs).dtype}")
    assert np.shape(ours) == np.shape(theirs), name


def assert_attributes_match(ours, theirs, X, float32_stats=False):
    """X: the data fitted.  float32_stats: scikit-learn's statistics were
    accumulated in float32."""
    rtol = 1e-6 if float32_stats else 1e-10
    mean_rtol = 1e-6 if float32_stats else 1e-12
    for name in ("n_samples_seen_", "mean_", "var_", "scale_"):
        assert_same_type(getattr(ours, name), getattr(theirs, name), name)
    n_ours, n_theirs = np.asarray(ours.n_samples_seen_), np.asarray(theirs.n_samples_seen_)
    if n_theirs.dtype.kind == "i":
        np.testing.assert_array_equal(n_ours, n_theirs)
    elif n_theirs.dtype == np.float64:
        np.testing.assert_allclose(n_ours, n_theirs, rtol=1e-12)
    else:  # float32 (sparse float32 input): scikit-learn sums the weights in
        # float32, pymlcore in float64 then rounds: float32 accumulation error.
        np.testing.assert_allclose(n_ours, n_theirs, rtol=1e-5)
    if theirs.mean_ is not None:
        dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column
            spread = np.nanmean(np.abs(dense), axis=0)
        diff = np.abs(ours.mean_ - theirs.mean_)
        ok = (diff <= mean_rtol * spread) | (np.isnan(ours.mean_) & np.isnan(theirs.mean_))
        assert ok.all(), f"mean_: {ours.mean_} vs {theirs.mean_}"
    if theirs.var_ is not None:
        # Near 0 the variance is rounding: absolute (n eps mean)^2, the part of
        # scikit-learn's own constant-feature bound that does not scale with var.
        n = np.max(n_theirs)
        atol = (n * np.finfo(np.float64).eps * np.nanmax(np.abs(theirs.mean_))) ** 2
        np.testing.assert_allclose(ours.var_, theirs.var_, rtol=rtol, atol=atol,
                                   equal_nan=True)
        np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=rtol, equal_nan=True)
        # Constant features get exactly the same treatment (scale 1).
        np.testing.assert_array_equal(ours.scale_ == 1.0, theirs.scale_ == 1.0)


def transform_atol(X, scaler):
    """4 eps32 |x| / scale_ per column for float32 output, 1e-9 for float64."""
    if X.dtype != np.float32:
        return 1e-9
    scale = scaler.scale_ if scaler.scale_ is not None else 1.0
    Xd = X.toarray() if sp.issparse(X) else X
    return 4 * EPS32 * (np.nanmax(np.abs(Xd), axis=0) + np.abs(
        scaler.mean_ if scaler.mean_ is not None else 0.0)) / scale + 1e-9


def assert_transforms_match(ours, theirs, X):
    atol = transform_atol(X, theirs)
    out, ref = ours.transform(X), theirs.transform(X)
    assert type(out) is type(ref) and out.dtype == ref.dtype == X.dtype
    if sp.issparse(ref):
        assert out.format == ref.format == "csr"
        out, ref = out.toarray(), ref.toarray()
    np.testing.assert_array_equal(np.isnan(out), np.isnan(ref))  # NaN kept in place
    np.testing.assert_allclose(out, ref, rtol=0, atol=np.broadcast_to(atol, out.shape).max())
    back, ref_back = ours.inverse_transform(ours.transform(X)), theirs.inverse_transform(
        theirs.transform(X))
    if sp.issparse(ref_back):
        back, ref_back = back.toarray(), ref_back.toarray()
    scale = np.nanmax(np.abs(ref_back), axis=0) + 1.0
    tol = 1e-12 if X.dtype == np.float64 else 8 * EPS32
    assert np.all((np.abs(back - ref_back) <= tol * scale) | np.isnan(ref_back))


# ---- dense ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("nan", [False, True], ids=["finite", "nan"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("with_mean, with_std", [(True, True), (True, False), (False, True),
                                                 (False, False)])
def test_dense_matches_sklearn(with_mean, with_std, weighted, nan, order, dtype):
    X = np.asarray(make_X(nan=nan), dtype=dtype, order=order)
    w = weights(len(X)) if weighted else None
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X, sample_weight=w)
    theirs = SkStandardScaler(with_mean=with_mean, with_std=with_std).fit(X, sample_weight=w)
    assert_attributes_match(ours, theirs, X)
    assert_transforms_match(ours, theirs, X)


def test_large_input_uses_several_chunks_and_matches():
    # 50000 rows: the C fit splits them into chunks summarised in parallel and
    # merged; the merge must not lose accuracy.
    X = make_X(n=50000, nan=True, seed=3)
    w = weights(len(X))
    for sample_weight in (None, w):
        ours = StandardScaler().fit(X, sample_weight=sample_weight)
        theirs = SkStandardScaler().fit(X, sample_weight=sample_weight)
        assert_attributes_match(ours, theirs, X)


def test_constant_and_near_constant_features():
    # scikit-learn's own check (test_standard_scaler_near_constant_features):
    # a variance within the two-pass error bound n.eps.var + (n.mean.eps)^2 is
    # treated as 0, i.e. scale 1; features whose values are all equal in the
    # data's dtype get a variance of exactly 0.
    for dtype in (np.float64, np.float32):
        for n_samples in (10, 100, 10000):
            for average in (1e-10, 1.0, 1e10):
                scales = np.array([10.0 ** i for i in range(-30, 20)], dtype=dtype)
                X = np.empty((n_samples, len(scales)), dtype=dtype)
                X[: n_samples // 2] = average + scales
                X[n_samples // 2:] = average - scales
                eps = np.finfo(np.float64).eps
                bounds = (n_samples * eps * scales.astype(float) ** 2
                          + n_samples ** 2 * eps ** 2 * average ** 2)
                within = scales.astype(float) ** 2 <= bounds
                same = X[0] == X[-1]  # not representable as distinct in dtype
                scaled = ~within & ~same
                for data in (X, sp.csr_matrix(X)):
                    scaler = StandardScaler(with_mean=False).fit(data)
                    assert np.all(scaler.var_[within] <= bounds[within])
                    np.testing.assert_array_equal(scaler.scale_[within | same], 1.0)
                    assert np.all(scaler.var_[same] == 0.0)
                    np.testing.assert_allclose(scaler.scale_[scaled],
                                               np.sqrt(scaler.var_[scaled]))


def test_constant_feature_keeps_its_values_centred_only():
    X = np.column_stack([np.full(20, 7.3), np.arange(20.0)])
    scaler = StandardScaler().fit(X)
    assert scaler.var_[0] == 0.0 and scaler.scale_[0] == 1.0 and scaler.mean_[0] == 7.3
    np.testing.assert_array_equal(scaler.transform(X)[:, 0], 0.0)


def test_all_nan_feature_like_sklearn():
    X = make_X(nan=False)
    X[:, 2] = np.nan
    ours = StandardScaler().fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's 0 / 0
        theirs = SkStandardScaler().fit(X)
    assert_attributes_match(ours, theirs, X)
    assert np.isnan(ours.mean_[2]) and np.isnan(ours.scale_[2])
    assert np.all(np.isnan(ours.transform(X)[:, 2]))


def test_sample_weight_equals_repetition():
    # Integer weights mean repeated rows.
    X = make_X(n=200, nan=True)
    counts = np.random.default_rng(2).integers(0, 4, len(X))
    repeated = np.repeat(X, counts, axis=0)
    a = StandardScaler().fit(X, sample_weight=counts.astype(float))
    b = StandardScaler().fit(repeated)
    np.testing.assert_allclose(a.n_samples_seen_, b.n_samples_seen_)
    np.testing.assert_allclose(a.mean_, b.mean_, rtol=1e-12)
    np.testing.assert_allclose(a.var_, b.var_, rtol=1e-10)


def test_float16_kept_like_sklearn():
    X = make_X(n=100).astype(np.float16)
    ours, theirs = StandardScaler().fit(X), SkStandardScaler().fit(X)
    assert_attributes_match(ours, theirs, X)
    out = ours.transform(X)
    assert out.dtype == theirs.transform(X).dtype == np.float16
    # float16 has 11 bits: outputs agree to a few float16 ulp of |x| / scale.
    atol = 4 * np.finfo(np.float16).eps * np.abs(X.astype(float)).max(axis=0) / ours.scale_
    assert np.all(np.abs(out.astype(float) - theirs.transform(X).astype(float)) <= atol + 1e-3)


def test_integer_and_list_input_become_float64():
    X = np.arange(30).reshape(10, 3) % 7
    for data in (X, X.tolist()):
        out = StandardScaler().fit(data).transform(data)
        assert out.dtype == np.float64
        np.testing.assert_allclose(out, SkStandardScaler().fit(data).transform(data), atol=1e-12)


# ---- partial_fit ---------------------------------------------------------------------------

@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("batch", [1, 7, 333])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_partial_fit_matches_sklearn(batch, weighted, sparse):
    # NaN only where no batch is all NaN in a feature: scikit-learn's dense
    # update turns var_ NaN for good after such a batch (see the next test).
    X = make_X(n=1000, nan=batch > 1 or sparse)
    w = weights(len(X)) if weighted else None
    params = {"with_mean": not sparse}
    ours, theirs = StandardScaler(**params), SkStandardScaler(**params)
    data = sp.csr_matrix(X) if sparse else X
    for start in range(0, len(X), batch):
        rows = slice(start, start + batch)
        sw = None if w is None else w[rows]
        ours.partial_fit(data[rows], sample_weight=sw)
        theirs.partial_fit(data[rows], sample_weight=sw)
    assert_attributes_match(ours, theirs, X)
    # And the merged statistics equal a single fit.
    whole = StandardScaler(**params).fit(data, sample_weight=w)
    np.testing.assert_allclose(ours.var_, whole.var_, rtol=1e-10)
    assert_transforms_match(ours, theirs, data)


def test_partial_fit_numerical_stability():
    # scikit-learn's test_standard_scaler_partial_fit_numerical_stability: row
    # by row over values ~1e15 with spreads 1e3..1e6, and its tolerance of 6
    # significant digits.
    rng = np.random.RandomState(0)
    X = rng.randn(100, 2) * rng.uniform(1e3, 1e6, 2) + rng.uniform(-1e15, 1e15, 2)
    batch, incremental = StandardScaler().fit(X), StandardScaler()
    for row in X:
        incremental.partial_fit(row.reshape(1, -1))
    np.testing.assert_allclose(incremental.mean_, batch.mean_, rtol=1e-6)
    np.testing.assert_allclose(incremental.var_, batch.var_, rtol=1e-6)
    Xs = sp.csr_matrix(rng.randint(0, 2, (100, 3)).astype(np.float64) * 1e20)
    batch, incremental = StandardScaler(with_mean=False).fit(Xs), StandardScaler(with_mean=False)
    for i in range(Xs.shape[0]):
        incremental.partial_fit(Xs[i])
    np.testing.assert_allclose(incremental.var_, batch.var_, rtol=1e-6)


def test_partial_fit_single_rows_with_nan():
    # A one-row batch with a NaN has no value for that feature: pymlcore merges
    # it as empty; scikit-learn's dense update divides 0 by 0 and keeps var_
    # NaN from then on.  pymlcore's result equals a single fit.
    X = make_X(n=300, nan=True)
    ours, theirs = StandardScaler(), SkStandardScaler()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for row in X:
            ours.partial_fit(row[None])
            theirs.partial_fit(row[None])
    whole = StandardScaler().fit(X)
    assert np.isnan(theirs.var_[0]) and np.isnan(theirs.var_[3])  # the divergence
    np.testing.assert_array_equal(ours.n_samples_seen_, whole.n_samples_seen_)
    np.testing.assert_allclose(ours.mean_, whole.mean_, rtol=1e-12)
    np.testing.assert_allclose(ours.var_, whole.var_, rtol=1e-10, atol=1e-20)
    # Where scikit-learn stays finite, it agrees.
    finite = np.isfinite(theirs.var_)
    np.testing.assert_allclose(ours.var_[finite], theirs.var_[finite], rtol=1e-10, atol=1e-20)


def test_partial_fit_after_all_nan_batch():
    # scikit-learn keeps a NaN mean for ever once a feature's first batch was
    # all NaN (0 / 0 merged again); pymlcore lets the later batches define it.
    X = make_X(n=100)
    first = X[:10].copy()
    first[:, 1] = np.nan
    scaler = StandardScaler().partial_fit(first)
    assert np.isnan(scaler.mean_[1])
    scaler.partial_fit(X[10:])
    reference = StandardScaler().fit(X[10:])
    np.testing.assert_allclose(scaler.mean_[1], reference.mean_[1], rtol=1e-12)
    np.testing.assert_allclose(scaler.var_[1], reference.var_[1], rtol=1e-10)


def test_fit_resets_partial_fit():
    X = make_X(n=100)
    scaler = StandardScaler().partial_fit(X).partial_fit(X)
    assert scaler.n_samples_seen_ == 200
    scaler.fit(X)
    assert scaler.n_samples_seen_ == 100


# ---- sparse --------------------------------------------------------------------------------

@pytest.mark.parametrize("container", SPARSE_CONTAINERS,
                         ids=lambda c: c.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("nan", [False, True], ids=["finite", "nan"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("with_std", [True, False])
def test_sparse_matches_sklearn(container, dtype, nan, weighted, with_std):
    X = container(make_X(nan=nan).astype(dtype))
    w = weights(X.shape[0]) if weighted else None
    ours = StandardScaler(with_mean=False, with_std=with_std).fit(X, sample_weight=w)
    theirs = SkStandardScaler(with_mean=False, with_std=with_std).fit(X, sample_weight=w)
    assert_attributes_match(ours, theirs, X, float32_stats=dtype == np.float32)
    assert_transforms_match(ours, theirs, X)
    # Sparse in, sparse out: the stored entries are scaled, zeros stay implicit.
    out = ours.transform(X)
    assert out.nnz == X.nnz


@pytest.mark.parametrize("container", SPARSE_CONTAINERS, ids=lambda c: c.__name__)
def test_sparse_with_mean_raises_sklearns_error(container):
    X = container(make_X())
    msg = "Cannot center sparse matrices: pass `with_mean=False` instead."
    with pytest.raises(ValueError, match=msg):
        StandardScaler().fit(X)
    with pytest.raises(ValueError, match=msg):
        StandardScaler().partial_fit(X)
    fitted = StandardScaler().fit(X.toarray())
    with pytest.raises(ValueError, match=msg):
        fitted.transform(X)
    with pytest.raises(ValueError, match="Cannot uncenter sparse matrices"):
        fitted.inverse_transform(X)


def test_sparse_input_is_not_modified_and_duplicates_are_summed():
    dense = make_X(n=50)
    X = sp.csr_matrix(dense)
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    scaler = StandardScaler(with_mean=False).fit(X)
    out = scaler.transform(X)
    for a, b in zip(before, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(a, b)
    assert not np.shares_memory(out.data, X.data)
    # Duplicate entries (non-canonical CSR) count as one value, their sum, as
    # everywhere in SciPy: every entry stored twice, as two halves.
    rows, cols = np.nonzero(dense)
    counts = np.bincount(rows, minlength=dense.shape[0])
    split = sp.csr_matrix((np.repeat(dense[rows, cols] / 2, 2), np.repeat(cols, 2),
                           np.r_[0, np.cumsum(2 * counts)]), shape=dense.shape)
    assert not split.has_canonical_format
    dup = StandardScaler(with_mean=False).fit(split)
    np.testing.assert_allclose(dup.var_, scaler.var_, rtol=1e-12)
    assert split.nnz == 2 * X.nnz  # the input was left as it was


def test_sparse_stats_equal_dense_stats():
    X = make_X(n=2000, nan=True)
    w = weights(len(X))
    dense = StandardScaler(with_mean=False).fit(X, sample_weight=w)
    sparse = StandardScaler(with_mean=False).fit(sp.csr_matrix(X), sample_weight=w)
    np.testing.assert_allclose(sparse.mean_, dense.mean_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(sparse.var_, dense.var_, rtol=1e-10)
    np.testing.assert_allclose(sparse.n_samples_seen_, dense.n_samples_seen_, rtol=1e-12)


# ---- copy --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, order", [(np.float64, "C"), (np.float64, "F"),
                                          (np.float32, "C")])
def test_copy_false_works_in_place(dtype, order):
    X = np.asarray(make_X(n=300, nan=True), dtype=dtype, order=order)
    expected = StandardScaler().fit(X).transform(X)
    scaler = StandardScaler(copy=False).fit(X)
    out = scaler.transform(X)
    assert out is X
    np.testing.assert_array_equal(X, expected)
    back = scaler.inverse_transform(X)
    assert back is X
    # transform(copy=True) overrides the parameter and leaves X alone.
    snapshot = X.copy()
    assert scaler.transform(X, copy=True) is not X
    np.testing.assert_array_equal(X, snapshot)


def test_copy_false_sparse_and_read_only():
    X = sp.csr_matrix(make_X(n=100))
    scaler = StandardScaler(with_mean=False, copy=False).fit(X)
    expected = StandardScaler(with_mean=False).fit(X).transform(X)
    out = scaler.transform(X)
    assert out is X
    np.testing.assert_allclose(X.toarray(), expected.toarray())
    # A read-only array cannot be written: copy=False then copies, like scikit-learn.
    R = make_X(n=50)
    R.setflags(write=False)
    snapshot = R.copy()
    out = StandardScaler(copy=False).fit(R).transform(R)
    assert out is not R
    np.testing.assert_array_equal(R, snapshot)


def test_copy_true_never_writes_input():
    X = make_X(n=100)
    X.setflags(write=False)
    scaler = StandardScaler().fit(X)
    scaler.inverse_transform(scaler.transform(X))  # would raise on a write to X


# ---- feature names, pandas, sklearn API ------------------------------------------------------

def test_feature_names_and_pandas_output():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(make_X(n=40), columns=list("abcde"),
                     index=np.arange(100, 140))
    scaler = StandardScaler().fit(X)
    np.testing.assert_array_equal(scaler.feature_names_in_, list("abcde"))
    np.testing.assert_array_equal(scaler.get_feature_names_out(), list("abcde"))
    np.testing.assert_array_equal(StandardScaler().fit(X.to_numpy()).get_feature_names_out(),
                                  SkStandardScaler().fit(X.to_numpy()).get_feature_names_out())
    scaler.set_output(transform="pandas")
    out = scaler.transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list("abcde")
    np.testing.assert_array_equal(out.index, X.index)
    reference = SkStandardScaler().set_output(transform="pandas").fit_transform(X)
    pd.testing.assert_frame_equal(StandardScaler().set_output(transform="pandas")
                                  .fit_transform(X), reference, atol=1e-9, rtol=0)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        scaler.transform(X.to_numpy())


def test_errors_name_the_problem():
    X = make_X(n=30)
    scaler = StandardScaler().fit(X)
    with pytest.raises(ValueError, match="X has 4 features, but StandardScaler is expecting 5"):
        scaler.transform(X[:, :4])
    with pytest.raises(ValueError, match="X has 4 features, but StandardScaler is expecting 5"):
        scaler.inverse_transform(X[:, :4])
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array instead"):
        scaler.inverse_transform(X[:, 0])
    with pytest.raises(ValueError, match="'with_mean' parameter of StandardScaler"):
        StandardScaler(with_mean="yes").fit(X)
    with pytest.raises(ValueError, match="sample_weight"):
        StandardScaler().fit(X, sample_weight=np.ones(29))
    with pytest.raises(ValueError, match="Input sample_weight contains NaN"):
        StandardScaler().fit(X, sample_weight=np.full(30, np.nan))


def test_crafted_attributes_give_clear_errors():
    # Fitted attributes reach C as untrusted state: a wrong length is refused
    # with the array's name, never read out of bounds.
    X = make_X(n=30)
    scaler = StandardScaler().fit(X)
    scaler.scale_ = scaler.scale_[:3]
    with pytest.raises(ValueError, match="scale_ has 3 rows, expected 5"):
        scaler.transform(X)
    scaler = StandardScaler().fit(X)
    scaler.mean_ = np.zeros((5, 2))
    with pytest.raises(ValueError, match="mean_"):
        scaler.transform(X)


def test_set_attributes_by_hand_like_sklearn():
    # scikit-learn users build a scaler from known statistics by setting its
    # attributes; transform uses them.
    X = make_X(n=30)
    scaler = StandardScaler().fit(X[:, :2])
    scaler.mean_ = np.array([1.0, 2.0])
    scaler.scale_ = np.array([2.0, 4.0])
    np.testing.assert_allclose(scaler.transform(X[:, :2]), (X[:, :2] - [1, 2]) / [2, 4])


def test_with_flags_changed_after_fit_follow_sklearn():
    # transform reads with_mean / with_std when called, as scikit-learn does.
    X = make_X(n=50)
    ours, theirs = StandardScaler().fit(X), SkStandardScaler().fit(X)
    ours.set_params(with_mean=False)
    theirs.set_params(with_mean=False)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), atol=1e-9)


def test_tags_match_sklearn():
    for params in ({}, {"with_mean": False}):
        ours = StandardScaler(**params).__sklearn_tags__()
        theirs = SkStandardScaler(**params).__sklearn_tags__()
        assert ours.input_tags.sparse == theirs.input_tags.sparse
        assert ours.input_tags.allow_nan == theirs.input_tags.allow_nan
        assert ours.transformer_tags.preserves_dtype == theirs.transformer_tags.preserves_dtype


def test_clone_and_callbacks_api_like_sklearn():
    scaler = StandardScaler(with_std=False, copy=False)
    assert clone(scaler).get_params() == scaler.get_params()
    assert hasattr(StandardScaler, "set_callbacks") == hasattr(SkStandardScaler,
                                                               "set_callbacks")


def test_apply_refuses_a_wrong_out():
    # The `out` argument of the C bindings (used for copy=False) is checked
    # before C writes anything.
    X = make_X(n=20)
    scaler = StandardScaler().fit(X)
    state = {"mean_": scaler.mean_, "scale_": scaler.scale_,
             "flags": np.array([1, 1], dtype=np.int64)}
    for bad, message in [(np.empty((20, 4)), "wrong shape"),
                         (np.empty((20, 5), np.float32), "wrong dtype"),
                         (np.empty(100), "wrong shape")]:
        with pytest.raises(ValueError, match=message):
            apply_core("StandardScaler", "transform", state, X, out=bad)
    readonly = np.empty((20, 5))
    readonly.setflags(write=False)
    with pytest.raises(ValueError, match="writeable"):
        apply_core("StandardScaler", "transform", state, X, out=readonly)
    with pytest.raises(TypeError, match="out must be a numpy array"):
        apply_core("StandardScaler", "transform", state, X, out=[0.0] * 100)
    out = np.full((20, 5), np.nan)
    assert apply_core("StandardScaler", "transform", state, X, out=out) is out
    np.testing.assert_allclose(out, scaler.transform(X))
