"""Decision trees (mirrors ``sklearn.tree``), grown in C."""

from ._classes import DecisionTreeClassifier, DecisionTreeRegressor
from ._export import export_text

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "export_text"]
