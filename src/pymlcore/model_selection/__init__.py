"""Model selection: splitters, cross-validation and hyperparameter search.

The splitters and parameter iterators are scikit-learn's own classes, re-exported
so that splits and candidates are exactly scikit-learn's for the same
``random_state``.  ``cross_validate``, ``cross_val_score`` and the search classes
run their fits through pymlcore's C search engine when the estimator chain and
scorers allow it (see ``GridSearchCV``), else through scikit-learn's code.

The search classes are meta-estimators (their ``estimator`` is required, as in
scikit-learn); the generic estimator tests build them from the parameter sets
in tests/_helpers.py, after scikit-learn's own for its searches.
"""

from sklearn.model_selection import (GroupKFold, KFold, LeaveOneOut, ParameterGrid,
                                     ParameterSampler, RepeatedKFold, RepeatedStratifiedKFold,
                                     ShuffleSplit, StratifiedKFold, StratifiedShuffleSplit,
                                     TimeSeriesSplit, train_test_split)

from ._search import GridSearchCV, RandomizedSearchCV, TPESearchCV
from ._validation import cross_val_score, cross_validate

__all__ = [
    "GridSearchCV",
    "GroupKFold",
    "KFold",
    "LeaveOneOut",
    "ParameterGrid",
    "ParameterSampler",
    "RandomizedSearchCV",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "ShuffleSplit",
    "StratifiedKFold",
    "StratifiedShuffleSplit",
    "TPESearchCV",
    "TimeSeriesSplit",
    "cross_val_score",
    "cross_validate",
    "train_test_split",
]
