"""StandardScaler, fitted and applied in C (csrc/core/preprocessing/scaler.c)."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import StrOptions  # noqa: F401  (kept for subclasses)
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._engine import apply_core, fit_core


class StandardScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardize features by removing the mean and scaling to unit variance.

    A drop-in for :class:`sklearn.preprocessing.StandardScaler`: same parameters,
    fitted attributes (``mean_``, ``var_``, ``scale_``, ``n_samples_seen_``) and
    behaviour, with the statistics computed in C on the input without copying it.

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
        for attr in ("mean_", "var_", "scale_", "n_samples_seen_", "_state"):
            if hasattr(self, attr):
                delattr(self, attr)

    def fit(self, X, y=None, sample_weight=None):
        self._reset()
        return self.partial_fit(X, y, sample_weight)

    def partial_fit(self, X, y=None, sample_weight=None):
        first_call = not hasattr(self, "_state")
        self._validate_params()
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32],
                          ensure_all_finite="allow-nan", reset=first_call)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        params = {"with_mean": self.with_mean, "with_std": self.with_std}
        init = None if first_call else self._state
        self._state = fit_core("StandardScaler", params, X, sample_weight=sample_weight,
                               init=init)
        self._set_public_attributes()
        return self

    def _set_public_attributes(self):
        state = self._state
        seen = state["weight_seen_"]
        self.n_samples_seen_ = int(seen[0]) if np.all(seen == seen[0]) and seen[0] == int(
            seen[0]) else seen
        self.mean_ = state["mean_"] if (self.with_mean or self.with_std) else None
        self.var_ = state["var_"] if self.with_std else None
        self.scale_ = state["scale_"] if self.with_std else None

    def _apply(self, method, X):
        check_is_fitted(self, "_state")
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32],
                          ensure_all_finite="allow-nan", reset=False)
        state = dict(self._state)
        if not self.with_mean:
            state["mean_"] = np.zeros_like(state["mean_"])
        if not self.with_std:
            state["scale_"] = np.ones_like(state["scale_"])
        return apply_core("StandardScaler", method, state, X)

    def transform(self, X, copy=None):
        return self._apply("transform", X)

    def inverse_transform(self, X, copy=None):
        return self._apply("inverse_transform", X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
