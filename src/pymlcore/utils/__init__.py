"""Utilities (mirrors ``sklearn.utils``)."""

from ._discovery import all_estimators

__all__ = ["all_estimators"]
