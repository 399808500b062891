"""Regression metrics: scikit-learn's target checks, per-output weighted means in C
(pairwise-summed like numpy), scikit-learn's multioutput averaging.

The C kernels read float32 and float64 targets in place and compute in float64;
scikit-learn keeps float32 arithmetic for float32 inputs, so float32 results agree
with it to float32 precision (and with float64 scikit-learn to 1e-12)."""

import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics._regression import (
    _assemble_fraction_of_explained_deviance,
    _check_reg_targets_with_floating_dtype,
)
from sklearn.utils._array_api import get_namespace
from sklearn.utils._param_validation import StrOptions, validate_params

from .. import _core
from ._classification import _as_core

# pmc_regression_loss
_SQUARED, _ABSOLUTE, _ABSOLUTE_PERCENT, _SYMMETRIC_PERCENT = range(4)

_PARAMS = {
    "y_true": ["array-like"],
    "y_pred": ["array-like"],
    "sample_weight": ["array-like", None],
    "multioutput": [StrOptions({"raw_values", "uniform_average"}), "array-like"],
}


def _check(y_true, y_pred, sample_weight, multioutput):
    """scikit-learn's checks (float32 stays float32, other dtypes become float64)."""
    _, y_true, y_pred, sample_weight, multioutput = _check_reg_targets_with_floating_dtype(
        y_true, y_pred, sample_weight, multioutput, xp=get_namespace(y_pred)[0]
    )
    if sample_weight is not None and np.sum(sample_weight) == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    w = None if sample_weight is None else _as_core(sample_weight)
    return _as_core(y_true), _as_core(y_pred), w, multioutput


def _combine(output_errors, multioutput):
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return output_errors
        multioutput = None  # uniform_average
    return float(np.average(output_errors, weights=multioutput))


def _mean_loss(loss, y_true, y_pred, sample_weight, multioutput):
    y_true, y_pred, w, multioutput = _check(y_true, y_pred, sample_weight, multioutput)
    return _combine(_core.metric_regression(loss, y_true, y_pred, w), multioutput)


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def mean_squared_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """Mean squared error, as :func:`sklearn.metrics.mean_squared_error`."""
    return _mean_loss(_SQUARED, y_true, y_pred, sample_weight, multioutput)


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def root_mean_squared_error(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    """Root mean squared error, as :func:`sklearn.metrics.root_mean_squared_error`."""
    # As scikit-learn: the raw MSEs first, so custom weights are checked only by
    # the final average.
    errors = _mean_loss(_SQUARED, y_true, y_pred, sample_weight, "raw_values")
    return _combine(np.sqrt(errors), multioutput)


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def mean_absolute_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """Mean absolute error, as :func:`sklearn.metrics.mean_absolute_error`."""
    return _mean_loss(_ABSOLUTE, y_true, y_pred, sample_weight, multioutput)


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def mean_absolute_percentage_error(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    """Mean absolute percentage error, as scikit-learn's: mean(|y - p| / max(|y|, eps))
    with eps the float64 machine epsilon; a fraction, not a percentage."""
    return _mean_loss(_ABSOLUTE_PERCENT, y_true, y_pred, sample_weight, multioutput)


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def symmetric_mean_absolute_percentage_error(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    """Symmetric mean absolute percentage error (not in scikit-learn).

    Defined as mean(2 |y - p| / (|y| + |p|)), each term 0 where y and p are both
    0; weighted by sample_weight and averaged over outputs like the other
    metrics.  Returns a fraction in [0, 2] (like MAPE, not a percentage).
    """
    return _mean_loss(_SYMMETRIC_PERCENT, y_true, y_pred, sample_weight, multioutput)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "sample_weight": ["array-like", None],
        "multioutput": [
            StrOptions({"raw_values", "uniform_average", "variance_weighted"}),
            "array-like",
            None,
        ],
        "force_finite": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def r2_score(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average", force_finite=True
):
    """R^2, as :func:`sklearn.metrics.r2_score` (same formula; sums in C)."""
    _, y_true, y_pred, sample_weight, multioutput = _check_reg_targets_with_floating_dtype(
        y_true, y_pred, sample_weight, multioutput, xp=get_namespace(y_pred)[0]
    )
    if y_pred.shape[0] < 2:
        warnings.warn(
            "R^2 score is not well-defined with less than two samples.", UndefinedMetricWarning
        )
        return float("nan")
    if sample_weight is not None and np.sum(sample_weight) == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    w = None if sample_weight is None else _as_core(sample_weight)
    numerator, denominator = _core.metric_r2_parts(_as_core(y_true), _as_core(y_pred), w)
    return _assemble_fraction_of_explained_deviance(
        numerator=numerator,
        denominator=denominator,
        n_outputs=y_true.shape[1],
        multioutput=multioutput,
        force_finite=force_finite,
        xp=np,
        device="cpu",
    )


__all__ = [
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "r2_score",
    "root_mean_squared_error",
    "symmetric_mean_absolute_percentage_error",
]
