"""Makes the OpenBLAS of the scipy-openblas32 wheel visible to the C extension.

The extension's RPATH already points at it when both live in one site-packages;
loading it by path first also covers editable installs and unusual layouts.
"""

import ctypes
import os


def openblas_library_path():
    import scipy_openblas32

    lib_dir = scipy_openblas32.get_lib_dir()
    name = scipy_openblas32.get_library()
    for candidate in (f"lib{name}.so", f"lib{name}.dylib", f"{name}.dll"):
        path = os.path.join(lib_dir, candidate)
        if os.path.exists(path):
            return path
    raise ImportError(f"scipy-openblas32 has no {name} library in {lib_dir}")


def load_openblas():
    ctypes.CDLL(openblas_library_path(), mode=ctypes.RTLD_GLOBAL)
