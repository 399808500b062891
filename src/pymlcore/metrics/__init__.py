"""Metrics and scorers, computed in C, with scikit-learn's signatures, outputs,
errors and warnings (see docs of each function for what differs).

The validation and label handling reuse scikit-learn's helpers; the counting,
sorting and summing run in C on the arrays in place (float32 / float64 never
copied).  ``get_scorer`` / ``make_scorer`` return scikit-learn scorers whose C
twin, if any, is named by their ``_pmc_scorer`` attribute.
"""

from ._classification import (
    accuracy_score,
    balanced_accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    fbeta_score,
    log_loss,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from ._ranking import (
    auc,
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from ._regression import (
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
    symmetric_mean_absolute_percentage_error,
)
from ._scorer import check_scoring, get_scorer, get_scorer_names, make_scorer

__all__ = [
    "accuracy_score",
    "auc",
    "average_precision_score",
    "balanced_accuracy_score",
    "brier_score_loss",
    "check_scoring",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "get_scorer",
    "get_scorer_names",
    "log_loss",
    "make_scorer",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "precision_recall_curve",
    "precision_recall_fscore_support",
    "precision_score",
    "r2_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "root_mean_squared_error",
    "symmetric_mean_absolute_percentage_error",
]
