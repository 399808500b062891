"""``pymlcore.show_versions()``: what a bug report needs."""

import platform
import sys


def _versions():
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("pymlcore", "numpy", "scipy", "scikit-learn", "scipy-openblas32",
                 "threadpoolctl", "pandas", "pyspark"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def show_versions():
    """Prints the Python, platform, package versions, the BLAS and OpenMP in use
    and the thread counts, as ``sklearn.show_versions()`` does."""
    import os

    from threadpoolctl import threadpool_info

    from . import _core
    from ._engine import available_cores, resolve_n_threads
    from ._openblas import openblas_library_path

    ours = os.path.realpath(openblas_library_path())

    print("\nSystem:")
    print(f"    python: {sys.version.splitlines()[0]}")
    print(f"executable: {sys.executable}")
    print(f"   machine: {platform.platform()}")
    print(f"     cores: {available_cores()} available to this process")
    print("\nPython dependencies:")
    for name, v in _versions().items():
        print(f"{name:>17}: {v}")
    print("\nC core:")
    print(f"    {_core.build_info()}")
    print(f"    threads: n_jobs=None runs {resolve_n_threads(None)} OpenMP threads")
    print(f"    BLAS library: {ours}")
    print("\nThreadpool libraries (BLAS and OpenMP loaded in this process):")
    for pool in threadpool_info():
        path = pool.get("filepath") or ""
        mark = "  <- pymlcore's BLAS" if path and os.path.realpath(path) == ours else ""
        print(f"    {pool.get('user_api')}: {pool.get('internal_api')} {pool.get('version')} "
              f"threads={pool.get('num_threads')} ({path}){mark}")
