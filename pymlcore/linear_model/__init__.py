"""Linear models (mirrors ``sklearn.linear_model``), fitted in C (csrc/core/linear)."""

# Each module adds its import line and its __all__ names here.

__all__ = []
