"""StandardScaler, fitted and applied in C (csrc/core/preprocessing/scaler.c)."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils.validation import (_check_sample_weight, check_array, check_is_fitted,
                                      validate_data)

from .._engine import apply_core, core_matrix, fit_core

try:  # scikit-learn >= 1.9: fit callbacks (progress bars, monitors), as its scaler has
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn
    class _NoCallbacks:
        def call_on_fit_task_begin(self, **kwargs):
            pass

        call_on_fit_task_end = call_on_fit_task_begin

    class CallbackSupportMixin:
        def _init_callback_context(self, **kwargs):
            return _NoCallbacks()

# The dtypes scikit-learn keeps.  float16 is kept as well, but the C core reads
# float32/float64 only, so it is widened for the call (a copy; float16 is rare).
_FLOAT_DTYPES = (np.float64, np.float32, np.float16)

# scikit-learn's messages, word for word (the second one lacks its full stop there too).
_CANNOT_CENTER = ("Cannot center sparse matrices: pass `with_mean=False` instead. "
                  "See docstring for motivation and alternatives.")
_CANNOT_UNCENTER = ("Cannot uncenter sparse matrices: pass `with_mean=False` instead "
                    "See docstring for motivation and alternatives.")


class StandardScaler(CallbackSupportMixin, OneToOneFeatureMixin, TransformerMixin,
                     BaseEstimator):
    """Standardize features by removing the mean and scaling to unit variance.

    A drop-in for :class:`sklearn.preprocessing.StandardScaler`: same parameters,
    fitted attributes (``mean_``, ``var_``, ``scale_``, ``n_samples_seen_``, with
    scikit-learn's dtypes and its ``None`` cases), ``partial_fit``,
    ``sample_weight``, NaN ignored in fit and kept in transform, sparse input with
    ``with_mean=False``, ``copy=False`` working in place.  The statistics are
    computed in C on the input without copying it (dense of any layout, float32
    or float64, or CSR; CSC is converted to CSR first), with float64
    accumulators, in parallel on the cores the process may use, with a result
    that does not depend on the number of threads.

    Parameters
    ----------
    copy : bool, default=True
        If False, ``transform`` and ``inverse_transform`` work in place when X
        is a writeable float32/float64 array (or CSR matrix) and return it.
    with_mean : bool, default=True
        Center the data before scaling (not possible for sparse input).
    with_std : bool, default=True
        Scale the data to unit variance.

    Attributes
    ----------
    scale_ : ndarray of shape (n_features,) or None
        Per-feature scale, ``sqrt(var_)``; 1 for (near) constant features.
        None when ``with_std=False``.
    mean_ : ndarray of shape (n_features,) or None
        Per-feature (weighted) mean; None when both ``with_mean`` and
        ``with_std`` are False.
    var_ : ndarray of shape (n_features,) or None
        Per-feature (weighted) population variance; None when ``with_std=False``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when X has feature names that are all strings.
    n_samples_seen_ : numpy scalar or ndarray of shape (n_features,)
        Samples (summed weights with ``sample_weight``) seen per feature,
        NaN excluded; a scalar when it is the same for every feature.  Its dtype
        follows scikit-learn: float64 for dense input, X's dtype for sparse input
        with ``with_std=True``, int64 (float with weights) when nothing but the
        count is kept.

    Notes
    -----
    Where scikit-learn's own behaviour is odd it is kept, for drop-in parity:
    with dense input and ``with_mean=with_std=False`` ``sample_weight`` does
    not enter ``n_samples_seen_``; a scalar ``n_samples_seen_`` carried into
    an unweighted ``partial_fit`` is truncated to an integer.  One deliberate
    difference: a feature whose values were all NaN in earlier ``partial_fit``
    calls gets a finite mean from later ones (scikit-learn keeps NaN for ever).

    Spark ML's ``StandardScaler`` divides by the n-1 (sample) standard deviation
    and defaults to ``withMean=False``; this one, like scikit-learn's, uses the
    population standard deviation.
    """

    _parameter_constraints = {"copy": ["boolean"], "with_mean": ["boolean"],
                              "with_std": ["boolean"]}

    def __init__(self, *, copy=True, with_mean=True, with_std=True):
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def _reset(self):
        # All set together by partial_fit; n_features_in_ is reset by validate_data.
        for attr in ("mean_", "var_", "scale_", "n_samples_seen_"):
            if hasattr(self, attr):
                delattr(self, attr)

    def fit(self, X, y=None, sample_weight=None):
        """Compute the mean and standard deviation of every feature.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
        """
        self._reset()
        return self.partial_fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Merge X into the running mean and variance (Chan, Golub & LeVeque's
        pairwise update, in C), as scikit-learn's ``partial_fit`` does.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
        """
        first_call = not hasattr(self, "n_samples_seen_")
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=_FLOAT_DTYPES,
                          ensure_all_finite="allow-nan", reset=first_call)
        n_features = X.shape[1]
        callback_ctx = self._init_callback_context()
        callback_ctx.call_on_fit_task_begin(estimator=self, X=X, y=y,
                                            metadata={"sample_weight": sample_weight})
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sparse = sp.issparse(X)
        if sparse:
            if self.with_mean:
                raise ValueError(_CANNOT_CENTER)
            X = _canonical_csr(X)

        # The dtype scikit-learn gives n_samples_seen_ on this path: float64 from
        # its dense statistics, X's dtype from its sparse ones; where only the
        # count is kept, a per-feature array keeps its dtype (it is updated in
        # place) and a new or scalar count takes this call's count dtype.
        count_dtype = np.int64 if sample_weight is None else X.dtype
        core_weight = sample_weight
        if sparse and self.with_std:
            seen_dtype = X.dtype
        elif not sparse and (self.with_mean or self.with_std):
            seen_dtype = np.float64
        else:
            previous = None if first_call else np.asarray(self.n_samples_seen_)
            seen_dtype = count_dtype if previous is None or previous.ndim == 0 else previous.dtype
            if not sparse:
                # scikit-learn counts the non-NaN values there, weights or not.
                core_weight = None

        init = None if first_call else self._merge_state(n_features, count_dtype)
        state = fit_core("StandardScaler", {"with_mean": self.with_mean,
                                            "with_std": self.with_std},
                         _widen_float16(X), sample_weight=_widen_float16(core_weight),
                         init=init, n_jobs=None)

        seen = state["n_samples_seen_"].astype(seen_dtype)
        self.n_samples_seen_ = seen[0] if seen.max() == seen.min() else seen
        keep_mean = self.with_mean or self.with_std
        self.mean_ = state["mean_"] if keep_mean else None
        self.var_ = state["var_"] if self.with_std else None
        self.scale_ = state["scale_"] if self.with_std else None
        callback_ctx.call_on_fit_task_end(estimator=self, X=X, y=y,
                                          metadata={"sample_weight": sample_weight},
                                          reconstruction_attributes={})
        return self

    # The C protocol (see pymlcore.grouped and pymlcore.model_selection): a first
    # fit (as ``fit`` does) of the whole X as one C call, for the drivers that run
    # many fits of this transformer on row subsets of X.

    def _core_fit_args(self, X, y=None, sample_weight=None):
        """Validated inputs and parameters of a C fit of this scaler from scratch.
        Sets n_features_in_ / feature_names_in_ as fit does."""
        self._reset()
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=_FLOAT_DTYPES,
                          ensure_all_finite="allow-nan", reset=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sparse = sp.issparse(X)
        if sparse:
            if self.with_mean:
                raise ValueError(_CANNOT_CENTER)
            X = _canonical_csr(X)
        # As partial_fit on a first call: the dtype of n_samples_seen_, and the
        # dense count without statistics ignores weights.
        count_dtype = np.int64 if sample_weight is None else X.dtype
        if sparse and self.with_std:
            seen_dtype = X.dtype
        elif not sparse and (self.with_mean or self.with_std):
            seen_dtype = np.float64
        else:
            seen_dtype = count_dtype
            if not sparse:
                sample_weight = None
        self._core_fit_facts = {"seen_dtype": seen_dtype}
        X = _widen_float16(X)
        return {"name": "StandardScaler",
                "params": {"with_mean": self.with_mean, "with_std": self.with_std},
                "X": core_matrix(X), "y": None, "sample_weight": _widen_float16(sample_weight)}

    def _core_set_state(self, state):
        """Sets n_samples_seen_, mean_, var_, scale_ from a C state, as fit does."""
        seen = state["n_samples_seen_"].astype(self._core_fit_facts["seen_dtype"])
        self.n_samples_seen_ = seen[0] if seen.max() == seen.min() else seen
        keep_mean = self.with_mean or self.with_std
        self.mean_ = state["mean_"] if keep_mean else None
        self.var_ = state["var_"] if self.with_std else None
        self.scale_ = state["scale_"] if self.with_std else None
        return self

    def _core_apply_args(self, method, X):
        """Validated X of a C "transform" / "inverse_transform" call (dense X)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse=False, dtype=_FLOAT_DTYPES,
                          ensure_all_finite="allow-nan")
        return {"name": "StandardScaler", "method": method, "X": _widen_float16(X)}

    def _merge_state(self, n_features, count_dtype):
        """The fitted attributes as the C state a partial_fit continues from."""
        seen = np.asarray(self.n_samples_seen_)
        if seen.ndim == 0:
            # scikit-learn repeats a scalar count and casts it to this call's
            # count dtype (an unweighted call truncates a weighted sum).
            seen = np.repeat(seen, n_features).astype(count_dtype)
        zeros = np.zeros(n_features)
        return {
            "mean_": zeros if self.mean_ is None else np.asarray(self.mean_, dtype=np.float64),
            "var_": zeros if self.var_ is None else np.asarray(self.var_, dtype=np.float64),
            "scale_": np.ones(n_features),
            "n_samples_seen_": seen.astype(np.float64),
            "flags": self._flags(),
        }

    def _flags(self):
        return np.array([bool(self.with_mean), bool(self.with_std)], dtype=np.int64)

    def transform(self, X, copy=None):
        """Center and scale X: ``(X - mean_) / scale_``, NaN kept as NaN.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        copy : bool, default=None (use ``self.copy``)
        """
        check_is_fitted(self)
        copy = self.copy if copy is None else copy
        X = validate_data(self, X, reset=False, accept_sparse="csr", dtype=_FLOAT_DTYPES,
                          force_writeable=not copy, ensure_all_finite="allow-nan")
        return self._apply(X, copy, inverse=False)

    def inverse_transform(self, X, copy=None):
        """Scale back to the original representation: ``X * scale_ + mean_``.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        copy : bool, default=None (use ``self.copy``)
        """
        check_is_fitted(self)
        copy = self.copy if copy is None else copy
        # scikit-learn checks neither feature names nor their number here.
        X = check_array(X, accept_sparse="csr", dtype=_FLOAT_DTYPES, force_writeable=not copy,
                        ensure_all_finite="allow-nan")
        return self._apply(X, copy, inverse=True)

    def _apply(self, X, copy, inverse):
        if sp.issparse(X):
            if self.with_mean:
                raise ValueError(_CANNOT_UNCENTER if inverse else _CANNOT_CENTER)
            if copy:
                X = X.copy()
            if self.scale_ is not None:
                # Scaling the stored values keeps the sparsity: one elementwise
                # product, left to NumPy as scikit-learn's inplace_column_scale
                # does (the C table has no sparse-output method).
                factor = self.scale_ if inverse else 1.0 / self.scale_
                if X.shape[1] != len(factor):
                    raise ValueError(f"X has {X.shape[1]} features, but StandardScaler is "
                                     f"expecting {len(factor)} features as input")
                X.data *= factor.take(X.indices)
            return X
        if X.dtype == np.float16:
            out = self._apply(X.astype(np.float32), True, inverse).astype(np.float16)
            if not copy:
                X[...] = out
                out = X
            return out
        p = X.shape[1]
        state = {
            "mean_": _as_vector(self.mean_, p, 0.0),
            "scale_": _as_vector(getattr(self, "scale_", None), p, 1.0),
            "flags": self._flags(),
        }
        # copy=False: write into X itself (the C kernel reads each row block
        # before writing it), as scikit-learn's in-place arithmetic does.
        in_place = not copy and X.flags.writeable and X.flags.aligned and X.dtype.isnative
        out = apply_core("StandardScaler", "inverse_transform" if inverse else "transform",
                         state, X, n_jobs=None, out=X if in_place else None)
        if not copy and not in_place:
            X[...] = out
            out = X
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = not self.with_mean
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _as_vector(values, p, fill):
    """A fitted per-feature array as float64 for C, or `fill` where it is None."""
    if values is None:
        return np.full(p, fill)
    return np.ascontiguousarray(values, dtype=np.float64)


def _widen_float16(a):
    return a.astype(np.float32) if a is not None and a.dtype == np.float16 else a


def _canonical_csr(X):
    """X as CSR without duplicate entries, which the C statistics need (each
    stored entry is one value).  CSR input in canonical form passes as is; CSC
    input is converted (a copy, as the C core reads CSR)."""
    if X.format != "csr":
        X = X.tocsr()
        X.sum_duplicates()
    elif not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X
