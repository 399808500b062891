"""One model per group of a DataFrame: :class:`GroupedEstimator` (fit, predict,
forecast per key, in C threads for estimators with a C table) and
:func:`apply_grouped` (the general grouped-map form)."""

from ._grouped import GroupedEstimator, apply_grouped

__all__ = ["GroupedEstimator", "apply_grouped"]
