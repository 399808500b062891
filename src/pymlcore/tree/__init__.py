"""Decision trees (mirrors ``sklearn.tree``), grown in C."""

from ._classes import (DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreeClassifier,
                       ExtraTreeRegressor)
from ._export import export_text

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier",
           "ExtraTreeRegressor", "export_text"]
