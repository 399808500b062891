"""Time series: a Prophet-like forecaster fitted in C, and Prophet's diagnostics."""

from ._diagnostics import cross_validation, generate_cutoffs, performance_metrics
from ._forecaster import Forecaster

__all__ = ["Forecaster", "cross_validation", "generate_cutoffs", "performance_metrics"]
