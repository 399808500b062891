"""pymlcore: scikit-learn-compatible estimators whose arithmetic runs in C.

Estimators live in namespaces that mirror scikit-learn's (``pymlcore.linear_model``,
``pymlcore.preprocessing`` ...) and work on NumPy arrays without copying them.
"""

from ._openblas import load_openblas as _load_openblas

_load_openblas()

from . import _core  # noqa: E402
from ._show_versions import show_versions  # noqa: E402

__version__ = "0.1.0"
__all__ = ["show_versions", "__version__"]
