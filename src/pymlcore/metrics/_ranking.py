"""Ranking metrics: scikit-learn's validation, the sorted-score curve and the
areas under it computed in C (one stable radix sort, one point per distinct
score, trapezoids / steps summed like numpy)."""

import warnings
from functools import partial
from itertools import combinations
from numbers import Real

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics._base import _average_binary_score
from sklearn.preprocessing import label_binarize
from sklearn.utils import assert_all_finite, check_array, check_consistent_length, column_or_1d
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_pos_label_consistency, _check_sample_weight

from .. import _core
from ._classification import _as_core, _weights


def _curve_inputs(y_true, y_score, pos_label, sample_weight):
    """scikit-learn's checks of a binary curve's inputs; y_true as 0/1 int32."""
    y_type = type_of_target(y_true, input_name="y_true")
    if not (y_type == "binary" or (y_type == "multiclass" and pos_label is not None)):
        raise ValueError("{0} format is not supported".format(y_type))
    check_consistent_length(y_true, y_score, sample_weight)
    y_true = column_or_1d(y_true)
    y_score = column_or_1d(y_score)
    pos_label = _check_pos_label_consistency(pos_label, y_true)
    y01 = np.asarray(y_true == pos_label, dtype=np.int32)
    assert_all_finite(y01)
    assert_all_finite(y_score)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(column_or_1d(sample_weight), y_true)
    return y01, y_score, _weights(sample_weight)


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None):
    """(fps, tps, thresholds): weighted counts above each distinct score, decreasing."""
    y01, y_score, w = _curve_inputs(y_true, y_score, pos_label, sample_weight)
    fps, tps, thresholds = _core.metric_binary_curve(y01, _as_core(y_score), w, 1.0)
    return fps, tps, thresholds.astype(y_score.dtype, copy=False)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_score": ["array-like"],
        "pos_label": [Real, str, "boolean", None],
        "sample_weight": ["array-like", None],
        "drop_intermediate": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    """Receiver operating characteristic, as :func:`sklearn.metrics.roc_curve`."""
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps = np.r_[0.0, tps]
    fps = np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    if fps[-1] <= 0:
        warnings.warn(
            "No negative samples in y_true, false positive value should be meaningless",
            UndefinedMetricWarning,
        )
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warnings.warn(
            "No positive samples in y_true, true positive value should be meaningless",
            UndefinedMetricWarning,
        )
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


@validate_params(
    {
        "y_true": ["array-like"],
        "y_score": ["array-like"],
        "pos_label": [Real, str, "boolean", None],
        "sample_weight": ["array-like", None],
        "drop_intermediate": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def precision_recall_curve(
    y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=False
):
    """Precision-recall pairs, as :func:`sklearn.metrics.precision_recall_curve`."""
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    ps = tps + fps
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(ps != 0, tps / ps, 0.0)
    if tps[-1] == 0:
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all thresholds."
        )
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


@validate_params(
    {"x": ["array-like"], "y": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def auc(x, y):
    """Area under a curve by the trapezoidal rule, as :func:`sklearn.metrics.auc`."""
    check_consistent_length(x, y)
    x = column_or_1d(x)
    y = column_or_1d(y)
    if x.shape[0] < 2:
        raise ValueError(
            "At least 2 points are needed to compute area under curve, but x.shape = %s"
            % x.shape
        )
    try:
        return _core.metric_auc(_as_core(x), _as_core(y))
    except ValueError as e:
        if "neither increasing nor decreasing" in str(e):
            raise ValueError("x is neither increasing nor decreasing : {}.".format(x)) from None
        raise


def _warn_one_class():
    warnings.warn(
        "Only one class is present in y_true. ROC AUC score is not defined in that case.",
        UndefinedMetricWarning,
    )


def _binary_roc_auc_score(y_true, y_score, sample_weight=None, max_fpr=None):
    """ROC AUC of y_true in {0, 1}; nan with a warning when one class only."""
    if max_fpr is None or max_fpr == 1:
        y_true = column_or_1d(y_true)
        y_score = column_or_1d(y_score)
        check_consistent_length(y_true, y_score, sample_weight)
        assert_all_finite(y_score)
        score = _core.metric_roc_auc(
            _as_core(y_true), _as_core(y_score), _weights(sample_weight), 1.0
        )
        if np.isnan(score) and len(np.unique(y_true)) != 2:
            _warn_one_class()
        return score
    if len(np.unique(y_true)) != 2:
        _warn_one_class()
        return np.nan
    if max_fpr <= 0 or max_fpr > 1:
        raise ValueError("Expected max_fpr in range (0, 1], got: %r" % max_fpr)
    # McClish-corrected partial AUC up to max_fpr, interpolated on the C curve.
    fpr, tpr, _ = roc_curve(y_true, y_score, sample_weight=sample_weight)
    stop = np.searchsorted(fpr, max_fpr, "right")
    x_interp = [fpr[stop - 1], fpr[stop]]
    y_interp = [tpr[stop - 1], tpr[stop]]
    tpr = np.append(tpr[:stop], np.interp(max_fpr, x_interp, y_interp))
    fpr = np.append(fpr[:stop], max_fpr)
    partial_auc = auc(fpr, tpr)
    min_area = 0.5 * max_fpr**2
    max_area = max_fpr
    return 0.5 * (1 + (partial_auc - min_area) / (max_area - min_area))


def _multiclass_roc_auc_score(y_true, y_score, labels, multi_class, average, sample_weight):
    if not y_score.ndim == 2:
        raise ValueError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since "
            "`y_true` contains multiple classes. Got "
            f"`y_score.shape={y_score.shape}`."
        )
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError(
            "Target scores need to be probabilities for multiclass "
            "roc_auc, i.e. they should sum up to 1.0 over classes"
        )
    average_options = ("macro", "weighted", None)
    if multi_class == "ovr":
        average_options = ("micro",) + average_options
    if average not in average_options:
        raise ValueError(
            "average must be one of {0} for multiclass problems".format(average_options)
        )
    if multi_class not in ("ovo", "ovr"):
        raise ValueError(
            "multi_class='{0}' is not supported for multiclass ROC AUC, multi_class must "
            "be in {1}".format(multi_class, ("ovo", "ovr"))
        )
    if average is None and multi_class == "ovo":
        raise NotImplementedError("average=None is not implemented for multi_class='ovo'.")
    if labels is not None:
        labels = column_or_1d(labels)
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(classes, labels):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                "Number of given labels, {0}, not equal to the number "
                "of columns in 'y_score', {1}".format(len(classes), y_score.shape[1])
            )
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = np.unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                "Number of classes in y_true not equal to the number of columns in 'y_score'"
            )
    codes = np.searchsorted(classes, y_true).astype(np.int64)
    counts = np.bincount(codes, minlength=classes.shape[0])
    all_present = bool(np.all(counts > 0))
    score = _as_core(y_score)
    if multi_class == "ovo":
        if sample_weight is not None:
            raise ValueError(
                "sample_weight is not supported for multiclass one-vs-one ROC AUC, "
                "'sample_weight' must be None in this case."
            )
        if all_present:
            return _core.metric_roc_auc_multiclass(
                codes, score, None, classes.shape[0], True, average == "weighted"
            )
        # labels= names classes absent from y_true: pairs of the present ones only.
        present = np.flatnonzero(counts)
        pairs, prevalence = [], []
        for a, b in combinations(present, 2):
            mask = (codes == a) | (codes == b)
            prevalence.append(np.average(mask))
            ya = (codes[mask] == a).astype(np.int64)
            pairs.append(
                (
                    _binary_roc_auc_score(ya, score[mask, a])
                    + _binary_roc_auc_score(1 - ya, score[mask, b])
                )
                / 2
            )
        return float(np.average(pairs, weights=prevalence if average == "weighted" else None))
    if all_present and average in ("macro", "weighted"):
        return _core.metric_roc_auc_multiclass(
            codes, score, _weights(sample_weight), classes.shape[0], False, average == "weighted"
        )
    return _average_binary_score(
        _binary_roc_auc_score,
        label_binarize(y_true, classes=classes),
        y_score,
        average,
        sample_weight=sample_weight,
    )


@validate_params(
    {
        "y_true": ["array-like"],
        "y_score": ["array-like"],
        "average": [StrOptions({"micro", "macro", "samples", "weighted"}), None],
        "sample_weight": ["array-like", None],
        "max_fpr": [Interval(Real, 0.0, 1, closed="right"), None],
        "multi_class": [StrOptions({"raise", "ovr", "ovo"})],
        "labels": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def roc_auc_score(
    y_true,
    y_score,
    *,
    average="macro",
    sample_weight=None,
    max_fpr=None,
    multi_class="raise",
    labels=None,
):
    """Area under the ROC curve, as :func:`sklearn.metrics.roc_auc_score`.

    Tie-aware (one point per distinct score); binary, multiclass 'ovr' / 'ovo'
    (macro or prevalence-weighted), multilabel indicators, max_fpr (McClish).
    """
    y_type = type_of_target(y_true, input_name="y_true")
    y_true = check_array(y_true, ensure_2d=False, dtype=None)
    y_score = check_array(y_score, ensure_2d=False)
    if sample_weight is not None:
        sample_weight = column_or_1d(sample_weight)
    if y_type == "multiclass" or (
        y_type == "binary" and y_score.ndim == 2 and y_score.shape[1] > 2
    ):
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(
                "Partial AUC computation not available in multiclass setting, 'max_fpr' "
                "must be set to `None`, received `max_fpr={0}` instead".format(max_fpr)
            )
        if multi_class == "raise":
            raise ValueError("multi_class must be in ('ovo', 'ovr')")
        return _multiclass_roc_auc_score(
            y_true, y_score, labels, multi_class, average, sample_weight
        )
    if y_type == "binary":
        classes = np.unique(y_true)
        y01 = (
            (y_true == classes[1]).astype(np.int64)
            if classes.shape[0] == 2
            else np.zeros(y_true.shape[0], dtype=np.int64)
        )
        return _binary_roc_auc_score(y01, y_score, sample_weight, max_fpr)
    return _average_binary_score(
        partial(_binary_roc_auc_score, max_fpr=max_fpr),
        y_true,
        y_score,
        average,
        sample_weight=sample_weight,
    )


def _binary_average_precision(y_true, y_score, pos_label=1, sample_weight=None):
    y01, y_score, w = _curve_inputs(y_true, y_score, pos_label, sample_weight)
    positives = y01.any() if w is None else np.sum(w[y01 == 1]) != 0
    if not positives:
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all thresholds."
        )
    return _core.metric_average_precision(y01, _as_core(y_score), w, 1.0)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_score": ["array-like"],
        "average": [StrOptions({"micro", "samples", "weighted", "macro"}), None],
        "pos_label": [Real, str, "boolean"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def average_precision_score(y_true, y_score, *, average="macro", pos_label=1, sample_weight=None):
    """Average precision, as :func:`sklearn.metrics.average_precision_score`."""
    if sample_weight is not None:
        sample_weight = column_or_1d(sample_weight)
    y_type = type_of_target(y_true, input_name="y_true")
    present_labels = np.unique(y_true)
    if y_type == "binary":
        if present_labels.shape[0] == 2 and pos_label not in present_labels:
            raise ValueError(
                f"pos_label={pos_label} is not a valid label. It should be "
                f"one of {present_labels}"
            )
    elif y_type == "multilabel-indicator" and pos_label != 1:
        raise ValueError(
            "Parameter pos_label is fixed to 1 for multilabel-indicator y_true. "
            "Do not set pos_label or set pos_label to 1."
        )
    elif y_type == "multiclass":
        if pos_label != 1:
            raise ValueError(
                "Parameter pos_label is fixed to 1 for multiclass y_true. "
                "Do not set pos_label or set pos_label to 1."
            )
        y_true = label_binarize(y_true, classes=present_labels)
        if not np.shape(y_score) == y_true.shape:
            raise ValueError(
                "`y_score` needs to be of shape `(n_samples, n_classes)`, since "
                "`y_true` contains multiple classes. Got "
                f"`y_score.shape={np.shape(y_score)}`."
            )
    return _average_binary_score(
        partial(_binary_average_precision, pos_label=pos_label),
        y_true,
        y_score,
        average,
        sample_weight=sample_weight,
    )


__all__ = [
    "auc",
    "average_precision_score",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
]
