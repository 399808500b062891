"""Classification metrics: scikit-learn's validation and label handling, the
counting done in C (``pmc_metrics_*`` in csrc/include/pmc/metrics.h).

Labels are encoded to indices here (np.unique / searchsorted); C then counts on
the index arrays, reading float32/float64/int32/int64 arrays in place.
"""

import warnings
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.metrics._classification import (
    _check_set_wise_labels,
    _check_targets,
    _check_zero_division,
    _nanaverage,
    _prf_divide,
    _validate_binary_probabilistic_prediction,
    _validate_multiclass_probabilistic_prediction,
)
from sklearn.utils import check_array
from sklearn.utils._unique import attach_unique
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    Options,
    StrOptions,
    validate_params,
)

from .. import _core

_CORE_DTYPES = (np.float32, np.float64, np.int32, np.int64)

_ZERO_DIVISION = [Options(Real, {0.0, 1.0}), "nan", StrOptions({"warn"})]
_AVERAGES = [StrOptions({"micro", "macro", "samples", "weighted", "binary"}), None]


def _as_core(a, dtype=None):
    """`a` as an array the C core reads in place: float32/float64/int32/int64 arrays
    pass unchanged (any layout), other numeric dtypes are converted once."""
    a = np.asarray(a)
    if dtype is not None:
        return a.astype(dtype, copy=False)
    if a.dtype.type in _CORE_DTYPES and a.dtype.isnative:
        return a
    if a.dtype.kind in "biu":
        return a.astype(np.int64)
    return a.astype(np.float64)


def _weights(sample_weight):
    return None if sample_weight is None else _as_core(np.asarray(sample_weight).ravel())


def _label_codes(y, labels):
    """Position of each value of y in `labels` (any order), -1 where it is not one."""
    labels = np.asarray(labels)
    y = np.asarray(y)
    if (
        y.dtype.kind in "iu"
        and labels.dtype.kind in "iu"
        and np.array_equal(labels, np.arange(labels.shape[0]))
        and y.dtype.type in (np.int32, np.int64)
    ):
        return y  # already indices: no copy (out-of-range values are skipped by C)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.searchsorted(sorted_labels, y)
    pos = np.minimum(pos, sorted_labels.shape[0] - 1)
    found = sorted_labels[pos] == y
    return np.where(found, order[pos], -1).astype(np.int64)


# ---- accuracy and the confusion matrix -------------------------------------------------


@validate_params(
    {
        "y_true": ["array-like", "sparse matrix"],
        "y_pred": ["array-like", "sparse matrix"],
        "normalize": ["boolean"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """Accuracy classification score, as :func:`sklearn.metrics.accuracy_score`.

    Binary and multiclass targets are counted in C. Multilabel-indicator targets
    (subset accuracy) are computed with NumPy/SciPy.
    """
    # attach_unique: the unique values are computed once for all the checks.
    y_true, y_pred = attach_unique(y_true, y_pred)
    y_type, labels, y_true, y_pred, sample_weight = _check_targets(y_true, y_pred, sample_weight)
    if y_type.startswith("multilabel"):
        differing = np.asarray((y_true != y_pred).sum(axis=1)).ravel()
        score = (differing == 0).astype(np.float64)
        if not normalize:
            return float(score.sum() if sample_weight is None else np.dot(score, sample_weight))
        return float(np.average(score, weights=sample_weight))
    t = _label_codes(y_true, labels)
    p = _label_codes(y_pred, labels)
    w = _weights(sample_weight)
    correct, total = _core.metric_accuracy(t, p, w)
    if not normalize:
        return float(correct)
    if w is None:
        return float(correct / t.shape[0])
    if total == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return float(correct / total)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "labels": ["array-like", None],
        "sample_weight": ["array-like", None],
        "normalize": [StrOptions({"true", "pred", "all"}), None],
    },
    prefer_skip_nested_validation=True,
)
def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    """Confusion matrix, as :func:`sklearn.metrics.confusion_matrix`, counted in C.

    int64 without weights or with integer weights, float64 with float weights.
    """
    kw = dict(dtype=None, ensure_2d=False, ensure_all_finite=False, ensure_min_samples=0)
    y_true = check_array(y_true, **kw)
    y_pred = check_array(y_pred, **kw)
    if sample_weight is None:
        sample_weight = np.ones(y_true.shape[0], dtype=np.int64)
    else:
        sample_weight = np.asarray(sample_weight)
    y_true, y_pred = attach_unique(y_true, y_pred)
    if len(sample_weight) > 0:
        y_type, present, y_true, y_pred, sample_weight = _check_targets(
            y_true, y_pred, sample_weight
        )
    else:
        y_type, present, y_true, y_pred, _ = _check_targets(y_true, y_pred)
    if y_type not in ("binary", "multiclass"):
        raise ValueError("%s is not supported" % y_type)
    if labels is None:
        labels = present
    else:
        labels = np.asarray(labels)
        if labels.size == 0:
            raise ValueError("'labels' should contain at least one label.")
        if len(np.intersect1d(y_true, labels)) == 0:
            raise ValueError("At least one label specified must be in y_true")
    n_labels = labels.size
    t = _label_codes(y_true, labels)
    p = _label_codes(y_pred, labels)
    sample_weight = np.asarray(sample_weight)
    integral = sample_weight.dtype.kind in "iub"
    cm = _core.metric_confusion_matrix(t, p, _as_core(sample_weight), n_labels)
    if integral:
        cm = cm.astype(np.int64)
    with np.errstate(all="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion "
            "matrix to have the correct shape, use the 'labels' parameter to pass "
            "all known labels.",
            UserWarning,
        )
    return cm


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "sample_weight": ["array-like", None],
        "adjusted": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def balanced_accuracy_score(y_true, y_pred, *, sample_weight=None, adjusted=False):
    """Balanced accuracy, as :func:`sklearn.metrics.balanced_accuracy_score`."""
    C = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = np.diag(C) / C.sum(axis=1)
    if np.any(np.isnan(per_class)):
        warnings.warn("y_pred contains classes not in y_true")
        per_class = per_class[~np.isnan(per_class)]
    score = np.mean(per_class)
    if adjusted:
        chance = 1 / per_class.shape[0]
        score = (score - chance) / (1 - chance)
    return float(score)


# ---- precision, recall, F-scores --------------------------------------------------------


def _set_wise_counts(y_true, y_pred, sample_weight, labels, samplewise):
    """(tp_sum, pred_sum, true_sum) per label, as multilabel_confusion_matrix's."""
    y_type, present, y_true, y_pred, sample_weight = _check_targets(
        y_true, y_pred, sample_weight
    )
    if labels is None:
        labels = present
        n_labels = None
    else:
        labels = np.asarray(labels)
        n_labels = labels.shape[0]
        labels = np.hstack([labels, np.setdiff1d(present, labels, assume_unique=True)])
    w = _weights(sample_weight)
    if y_true.ndim == 1:
        if samplewise:
            raise ValueError(
                "Samplewise metrics are not available outside of multilabel classification."
            )
        sorted_labels = np.unique(labels)
        tp, true_sum, pred_sum = _core.metric_class_counts(
            _label_codes(y_true, sorted_labels),
            _label_codes(y_pred, sorted_labels),
            w,
            sorted_labels.shape[0],
        )
        idx = np.searchsorted(sorted_labels, labels[:n_labels])
        if w is None:  # counts stay integers, as scikit-learn's bincount
            tp, true_sum, pred_sum = (a.astype(np.int64) for a in (tp, true_sum, pred_sum))
        return tp[idx], pred_sum[idx], true_sum[idx]
    # Multilabel indicator (CSR from _check_targets).
    if labels.shape != present.shape or np.any(labels != present):
        if np.max(labels) > np.max(present):
            raise ValueError(
                "All labels must be in [0, n labels) for multilabel targets. "
                "Got %d > %d" % (np.max(labels), np.max(present))
            )
        if np.min(labels) < 0:
            raise ValueError(
                "All labels must be in [0, n labels) for multilabel targets. "
                "Got %d < 0" % np.min(labels)
            )
    if n_labels is not None:
        y_true = y_true[:, labels[:n_labels]]
        y_pred = y_pred[:, labels[:n_labels]]
    if samplewise:  # per-sample counts: sparse row sums (NumPy/SciPy, not C)
        both = sp.csr_matrix(y_true).multiply(y_pred)
        rows = lambda m: np.asarray((sp.csr_matrix(m) != 0).sum(axis=1)).ravel().astype(float)
        return rows(both), rows(y_pred), rows(y_true)
    t = _as_core(y_true.toarray() if sp.issparse(y_true) else y_true)
    p = _as_core(y_pred.toarray() if sp.issparse(y_pred) else y_pred)
    tp, true_sum, pred_sum = _core.metric_multilabel_counts(t, p, w)
    if w is None:  # counts stay integers, as scikit-learn's
        tp, true_sum, pred_sum = (a.astype(np.int64) for a in (tp, true_sum, pred_sum))
    return tp, pred_sum, true_sum


@validate_params(
    {
        "y_true": ["array-like", "sparse matrix"],
        "y_pred": ["array-like", "sparse matrix"],
        "beta": [Interval(Real, 0.0, None, closed="both")],
        "labels": ["array-like", None],
        "pos_label": [Real, str, "boolean", None],
        "average": _AVERAGES,
        "warn_for": [list, tuple, set],
        "sample_weight": ["array-like", None],
        "zero_division": _ZERO_DIVISION,
    },
    prefer_skip_nested_validation=True,
)
def precision_recall_fscore_support(
    y_true,
    y_pred,
    *,
    beta=1.0,
    labels=None,
    pos_label=1,
    average=None,
    warn_for=("precision", "recall", "f-score"),
    sample_weight=None,
    zero_division="warn",
):
    """Precision, recall, F-beta and support, as scikit-learn's; counts in C.

    average='samples' (multilabel only) counts per sample with SciPy.
    """
    _check_zero_division(zero_division)
    y_true, y_pred = attach_unique(y_true, y_pred)
    labels = _check_set_wise_labels(y_true, y_pred, average, labels, pos_label)
    samplewise = average == "samples"
    tp_sum, pred_sum, true_sum = _set_wise_counts(
        y_true, y_pred, sample_weight, labels, samplewise
    )
    if average == "micro":
        tp_sum = np.array([tp_sum.sum()])
        pred_sum = np.array([pred_sum.sum()])
        true_sum = np.array([true_sum.sum()])
    beta2 = beta**2
    precision = _prf_divide(
        tp_sum, pred_sum, "precision", "predicted", average, warn_for, zero_division
    )
    recall = _prf_divide(tp_sum, true_sum, "recall", "true", average, warn_for, zero_division)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        denom = beta2 * true_sum.astype(np.float64) + pred_sum.astype(np.float64)
        f_score = _prf_divide(
            (1 + beta2) * tp_sum.astype(np.float64),
            denom,
            "f-score",
            "true nor predicted",
            average,
            warn_for,
            zero_division,
        )
    if average == "weighted":
        weights = true_sum
    elif average == "samples":
        weights = sample_weight
    else:
        weights = None
    if average is not None:
        precision = float(_nanaverage(precision, weights=weights))
        recall = float(_nanaverage(recall, weights=weights))
        f_score = float(_nanaverage(f_score, weights=weights))
        true_sum = None
    return precision, recall, f_score, true_sum


_PRF_PARAMS = {
    "y_true": ["array-like", "sparse matrix"],
    "y_pred": ["array-like", "sparse matrix"],
    "labels": ["array-like", None],
    "pos_label": [Real, str, "boolean", None],
    "average": _AVERAGES,
    "sample_weight": ["array-like", None],
    "zero_division": _ZERO_DIVISION,
}


@validate_params(
    {**_PRF_PARAMS, "beta": [Interval(Real, 0.0, None, closed="both")]},
    prefer_skip_nested_validation=True,
)
def fbeta_score(
    y_true,
    y_pred,
    *,
    beta,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    """F-beta score, as :func:`sklearn.metrics.fbeta_score`."""
    _, _, f, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("f-score",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return f


@validate_params(_PRF_PARAMS, prefer_skip_nested_validation=True)
def f1_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    """F1 score, as :func:`sklearn.metrics.f1_score`."""
    return fbeta_score(
        y_true,
        y_pred,
        beta=1,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


@validate_params(_PRF_PARAMS, prefer_skip_nested_validation=True)
def precision_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    """Precision, as :func:`sklearn.metrics.precision_score`."""
    p, _, _, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("precision",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return p


@validate_params(_PRF_PARAMS, prefer_skip_nested_validation=True)
def recall_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    """Recall, as :func:`sklearn.metrics.recall_score`."""
    _, r, _, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("recall",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return r


# ---- probabilistic losses -----------------------------------------------------------------


def _class_indices(onehot):
    """Class index of each row of a one-hot matrix (dense or sparse)."""
    if sp.issparse(onehot):
        onehot = onehot.toarray()
    return np.argmax(np.asarray(onehot), axis=1).astype(np.int64)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_proba": ["array-like", Hidden(None)],
        "normalize": ["boolean"],
        "sample_weight": ["array-like", None],
        "labels": ["array-like", None],
        "y_pred": ["array-like", str],
    },
    prefer_skip_nested_validation=True,
)
def log_loss(
    y_true, y_proba=None, *, normalize=True, sample_weight=None, labels=None, y_pred="deprecated"
):
    """Log loss, as :func:`sklearn.metrics.log_loss`; the sum runs in C.

    Probabilities are clipped to [eps, 1 - eps] with eps of y_proba's dtype, as
    scikit-learn does; the arithmetic is float64 (scikit-learn keeps float32 for
    float32 input, so float32 results agree to float32 precision only).
    """
    if not (isinstance(y_pred, str) and y_pred == "deprecated"):
        if y_proba is not None:
            raise ValueError(
                "Cannot use both `y_pred` and `y_proba`. `y_pred` is deprecated, "
                "use `y_proba` instead."
            )
        warnings.warn(
            "`y_pred` was renamed to `y_proba` in version 1.9 and will be removed "
            "in 1.11. Use `y_proba` instead.",
            FutureWarning,
        )
        y_proba = y_pred
    y_proba = check_array(y_proba, ensure_2d=False, dtype=[np.float64, np.float32])
    onehot, y_proba = _validate_multiclass_probabilistic_prediction(
        y_true, y_proba, sample_weight, labels
    )
    eps = float(np.finfo(y_proba.dtype).eps)
    return _core.metric_log_loss(
        _class_indices(onehot), y_proba, _weights(sample_weight), eps, bool(normalize)
    )


@validate_params(
    {
        "y_true": ["array-like"],
        "y_proba": ["array-like"],
        "sample_weight": ["array-like", None],
        "pos_label": [Real, str, "boolean", None],
        "labels": ["array-like", None],
        "scale_by_half": ["boolean", StrOptions({"auto"})],
    },
    prefer_skip_nested_validation=True,
)
def brier_score_loss(
    y_true, y_proba, *, sample_weight=None, pos_label=None, labels=None, scale_by_half="auto"
):
    """Brier score loss, as :func:`sklearn.metrics.brier_score_loss`; sums in C."""
    y_proba = check_array(y_proba, ensure_2d=False, dtype=[np.float64, np.float32])
    if y_proba.ndim == 1 or y_proba.shape[1] == 1:
        onehot, y_proba = _validate_binary_probabilistic_prediction(
            y_true, y_proba, sample_weight, pos_label
        )
    else:
        onehot, y_proba = _validate_multiclass_probabilistic_prediction(
            y_true, y_proba, sample_weight, labels
        )
    w = _weights(sample_weight)
    if w is not None and np.sum(w) == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    score = _core.metric_brier(_class_indices(onehot), y_proba, w, 1.0)
    if scale_by_half == "auto":
        scale_by_half = y_proba.ndim == 1 or y_proba.shape[1] < 3
    return float(score * 0.5 if scale_by_half else score)


__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "brier_score_loss",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "log_loss",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
]
