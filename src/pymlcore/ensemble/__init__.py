"""Ensembles (mirrors ``sklearn.ensemble``), grown in C."""

from ._forest import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                      RandomForestRegressor)
from ._hist_gradient_boosting import HistGradientBoostingClassifier, HistGradientBoostingRegressor

__all__ = ["ExtraTreesClassifier", "ExtraTreesRegressor", "HistGradientBoostingClassifier",
           "HistGradientBoostingRegressor", "RandomForestClassifier", "RandomForestRegressor"]
