"""The Python side of the estimator table: how an estimator hands its data,
parameters and fitted state to the C core (``pymlcore._core``).

Every estimator fits through :func:`fit_core` and predicts through
:func:`apply_core`; the fitted state is a dict of NumPy arrays that the
estimator keeps as attributes, so pickling and ``clone`` need no special code.
"""

import os

import contextlib

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

from . import _core


def core_matrix(X):
    """X as the C core takes it: a dense ndarray as is (any layout, no copy), or
    a CSR matrix as ("csr", data, indices, indptr, n_rows, n_cols)."""
    if sp.issparse(X):
        if X.format != "csr":
            X = X.tocsr()
        return ("csr", X.data, X.indices, X.indptr, X.shape[0], X.shape[1])
    return X


def available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def resolve_n_threads(n_jobs):
    """scikit-learn's meaning of n_jobs; None uses the cores this process may use,
    as scikit-learn's OpenMP-based estimators do."""
    cores = available_cores()
    if n_jobs is None:
        return cores
    if n_jobs < 0:
        return max(1, cores + 1 + n_jobs)
    return max(1, int(n_jobs))


def seed_from_random_state(random_state):
    """An integer seed for the C generators: the int itself, or a draw from a
    RandomState / the global one (so None stays non-deterministic, as in sklearn)."""
    if isinstance(random_state, (int, np.integer)):
        return int(random_state) & 0xFFFFFFFFFFFFFFFF
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


_controller = None


def blas_limited(active):
    """Context in which BLAS runs single-threaded when `active` (the C code calls
    BLAS from its own loops and threads), so the two never multiply."""
    global _controller
    if not active:
        return contextlib.nullcontext()
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def fit_core(name, params, X, y=None, sample_weight=None, init=None, n_jobs=1, random_state=0,
             blas_in_threads=False):
    """Fits C estimator `name` and returns its state as a dict of arrays.

    blas_in_threads: the C fit calls BLAS from inside its parallel loops, so
    BLAS is limited to one thread while it runs, whatever n_threads: with one C
    thread those loops still hand BLAS small blocks, where BLAS's own threads only
    add synchronisation (seconds on a busy machine), exceed n_jobs=1 and make
    threaded BLAS reductions differ in the last bits from the n_jobs > 1 runs."""
    n_threads = resolve_n_threads(n_jobs)
    with blas_limited(blas_in_threads):
        return _core.fit(name, params, core_matrix(X), y, sample_weight, init, n_threads,
                         seed_from_random_state(random_state))


def apply_core(name, method, state, X, n_jobs=1, out=None):
    """Runs `method` ("predict", "transform", ...) of a fitted C estimator.

    out: None, or an array of the output's exact shape and dtype to write into
    (X itself only where the estimator's C header says apply works in place)."""
    return _core.apply(name, method, state, core_matrix(X), resolve_n_threads(n_jobs), out)
