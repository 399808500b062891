"""Feature transformers (mirrors ``sklearn.preprocessing``)."""

from ._data import StandardScaler

__all__ = ["StandardScaler"]
