"""Grouped fitting, prediction and forecasting on Spark DataFrames.

The Spark form of :mod:`pymlcore.grouped`: :func:`fit_grouped`,
:func:`predict_grouped` and :func:`forecast_grouped` hash every group to one of a
few buckets and run the pandas :class:`~pymlcore.grouped.GroupedEstimator` over
all groups of a bucket in one ``applyInPandas`` call, so the per-group overhead
is that of the C engine, not that of a Python UDF call.  Needs ``pyspark`` and
``pyarrow`` (the ``spark`` extra).
"""

from ._spark import fit_grouped, forecast_grouped, predict_grouped

__all__ = ["fit_grouped", "predict_grouped", "forecast_grouped"]
