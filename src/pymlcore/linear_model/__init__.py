"""Linear models (mirrors ``sklearn.linear_model``), fitted in C (csrc/core/linear)."""

# Each module adds its import line and its __all__ names here.

__all__ = []
from ._coordinate_descent import ElasticNet, Lasso  # noqa: E402

__all__ += ["ElasticNet", "Lasso"]
from ._logistic import LogisticRegression  # noqa: E402

__all__ += ["LogisticRegression"]
from ._least_squares import LinearRegression, Ridge  # noqa: E402

__all__ += ["LinearRegression", "Ridge"]
