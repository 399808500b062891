"""Shared helpers of the generic estimator tests (test_common.py,
test_estimator_contract.py): what kind of estimator something is, data that
suits it, its outputs, its fitted state, and running code in a fresh
interpreter that imports the same pymlcore as the test process."""

import importlib
import inspect
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.utils import get_tags

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


# ---- what an estimator is --------------------------------------------------------

def kind(estimator):
    """"classifier", "regressor" or "transformer", from scikit-learn's tags."""
    if is_classifier(estimator):
        return "classifier"
    if is_regressor(estimator):
        return "regressor"
    if get_tags(estimator).transformer_tags is not None:
        return "transformer"
    raise AssertionError(f"{type(estimator).__name__} is neither a classifier, a regressor "
                         f"nor a transformer: teach tests/_helpers.py about it")


def needs_y(estimator):
    return kind(estimator) != "transformer" or get_tags(estimator).target_tags.required


def accepts_sample_weight(estimator):
    return "sample_weight" in inspect.signature(estimator.fit).parameters


def methods(estimator):
    """The output methods whose results the contract compares."""
    names = {"classifier": ["predict", "predict_proba", "decision_function"],
             "regressor": ["predict"],
             "transformer": ["transform"]}[kind(estimator)]
    return [m for m in names if hasattr(estimator, m)]


def outputs(estimator, X):
    """{method: result} of every output method on X, as dense arrays."""
    result = {}
    for name in methods(estimator):
        out = getattr(estimator, name)(X)
        result[name] = out.toarray() if hasattr(out, "toarray") else np.asarray(out)
    return result


def _is_timing(name):
    """Wall-clock measurements (a search's refit_time_, the *_time entries of its
    cv_results_) are not state: they differ between identical fits."""
    return name.endswith("time_") or name.endswith("_time")


def fitted_state(estimator):
    """The public fitted attributes (name ending in "_"), for exact comparison."""
    return {k: v for k, v in vars(estimator).items()
            if k.endswith("_") and not k.startswith("_") and not _is_timing(k)}


def fitted_nbytes(estimator):
    """Bytes of the NumPy arrays a fitted estimator holds: its public fitted
    attributes and the public array attributes of objects among them (a tree_)."""
    arrays = {}
    for value in fitted_state(estimator).values():
        if isinstance(value, np.ndarray):
            arrays[id(value)] = value
        elif hasattr(value, "__dict__"):
            for name in dir(value):
                item = getattr(value, name, None) if not name.startswith("_") else None
                if isinstance(item, np.ndarray):
                    arrays[id(item)] = item
    return sum(a.nbytes for a in arrays.values())


def assert_same_state(a, b, context=""):
    sa, sb = fitted_state(a), fitted_state(b)
    assert sa.keys() == sb.keys(), context
    for key in sa:
        va, vb = sa[key], sb[key]
        if isinstance(va, np.ndarray) or np.isscalar(va):
            np.testing.assert_array_equal(va, vb, err_msg=f"{context}: {key}")
        elif isinstance(va, dict):  # cv_results_, best_params_: all but timings
            assert va.keys() == vb.keys(), f"{context}: {key}"
            for name in va:
                if not _is_timing(name):
                    np.testing.assert_equal(va[name], vb[name],
                                            err_msg=f"{context}: {key}[{name!r}]")
        else:
            assert type(va) is type(vb), f"{context}: {key}"


def sklearn_counterpart(cls):
    """scikit-learn's class of the same name in the mirrored namespace
    (pymlcore.linear_model.Lasso -> sklearn.linear_model.Lasso), or None."""
    public = cls.__module__.split(".")[1]
    try:
        module = importlib.import_module(f"sklearn.{public}")
    except ImportError:
        return None
    return getattr(module, cls.__name__, None)


# ---- data ------------------------------------------------------------------------

def make_data(estimator, n_samples=300, n_features=8, random_state=0):
    """(X, y) suited to the estimator: classes for a classifier, a noisy linear
    target for a regressor (also given to transformers, which ignore it)."""
    from sklearn.datasets import make_classification, make_regression

    if kind(estimator) == "classifier":
        X, y = make_classification(n_samples=n_samples, n_features=n_features,
                                   n_informative=min(4, n_features), n_redundant=0,
                                   random_state=random_state)
    else:
        X, y = make_regression(n_samples=n_samples, n_features=n_features,
                               n_informative=min(5, n_features), noise=1.0,
                               random_state=random_state)
        # Features of different location and scale, as a scaler meets them.
        X = X * np.linspace(0.5, 20.0, n_features) + np.linspace(-100.0, 100.0, n_features)
    if get_tags(estimator).input_tags.positive_only:
        X = np.abs(X)
    return X, y


def fit_args(estimator, y):
    return (y,) if needs_y(estimator) else ()


# ---- building estimators ---------------------------------------------------------

def _search_params(kind):
    """The parameter sets of a search class, after scikit-learn's own INIT_PARAMS
    for its searches (sklearn/utils/_test_common/instance_generator.py): a
    regressor, a classifier and a pipeline of each, over pymlcore estimators so
    that the C engine runs them, two candidates, cv=2, errors raised."""
    from sklearn.pipeline import Pipeline

    from pymlcore.linear_model import LogisticRegression, Ridge
    from pymlcore.preprocessing import StandardScaler
    from pymlcore.tune import hp

    def space(name, values):
        if kind == "grid":
            return {"param_grid": {name: values}}
        if kind == "random":
            return {"param_distributions": {name: values}, "random_state": 0}
        return {"param_distributions": {name: hp.choice(name, values)}, "n_iter": 2,
                "random_state": 0}

    def pipe(last):
        return Pipeline([("scaler", StandardScaler()), (type(last).__name__.lower(), last)])

    return [
        dict(estimator=Ridge(), cv=2, error_score="raise", **space("alpha", [0.1, 1.0])),
        dict(estimator=LogisticRegression(), cv=2, error_score="raise",
             **space("C", [0.1, 1.0])),
        dict(estimator=pipe(Ridge()), cv=2, error_score="raise",
             **space("ridge__alpha", [0.1, 1.0])),
        dict(estimator=pipe(LogisticRegression()), cv=2, error_score="raise",
             **space("logisticregression__C", [0.1, 1.0])),
    ]


# Estimators that cannot be built without arguments (meta-estimators), as in
# scikit-learn's _construct_instances: class name -> function returning a list of
# parameter sets (fresh inner estimators each call).  The first set is the one the
# contract tests use.
INIT_PARAMS = {
    "GridSearchCV": lambda: _search_params("grid"),
    # The other searches share GridSearchCV's evaluation: a regressor and a
    # classifier pipeline check their own candidate generation in less time.
    "RandomizedSearchCV": lambda: _search_params("random")[::3],
    "TPESearchCV": lambda: _search_params("tpe")[::3],
}


def construct_instances(cls):
    """Every instance the generic tests check: one per parameter set of
    INIT_PARAMS, or cls() with its defaults."""
    if cls.__name__ in INIT_PARAMS:
        return [cls(**params) for params in INIT_PARAMS[cls.__name__]()]
    return [cls()]


def make_estimator(cls, **params):
    """cls with default parameters (the first INIT_PARAMS set for a meta-estimator),
    random_state fixed where it has one."""
    estimator = construct_instances(cls)[0]
    names = estimator.get_params()
    if "random_state" in names:
        params.setdefault("random_state", 0)
    if cls.__module__.startswith(("pymlcore.ensemble", "pymlcore.tree")):
        # The contract tests check mechanics (copies, determinism, pickling), not
        # accuracy: a few trees or boosting iterations of bounded depth show the
        # same in seconds (fully grown trees on the 200,000-row zero-copy data
        # take minutes and hold models as large as X).
        params.setdefault("n_estimators", 5)
        params.setdefault("max_iter", 10)
        params.setdefault("max_depth", 12)
    return estimator.set_params(**{k: v for k, v in params.items() if k in names})


# ---- a fresh interpreter -----------------------------------------------------------

def _preamble():
    """Code that makes a child interpreter import the pymlcore this process
    imported: the editable install normally, or the build staged by
    scripts/sanitize.sh (whose runner removes the editable import hook)."""
    import pymlcore

    lines = ["import sys", f"sys.path.insert(0, {TESTS_DIR!r})"]
    editable = any(type(f).__name__ == "ScikitBuildRedirectingFinder" for f in sys.meta_path)
    if not editable:
        root = os.path.dirname(os.path.dirname(os.path.abspath(pymlcore.__file__)))
        lines += ["sys.meta_path[:] = [f for f in sys.meta_path "
                  "if type(f).__name__ != 'ScikitBuildRedirectingFinder']",
                  f"sys.path.insert(0, {root!r})"]
    return "\n".join(lines) + "\n"


def run_python(code, timeout=300):
    """Runs `code` in a fresh interpreter; returns the CompletedProcess.  The
    code prints its result as JSON on its last stdout line."""
    return subprocess.run([sys.executable, "-c", _preamble() + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout)


def run_python_json(code, timeout=300):
    """Like run_python; returns the parsed last stdout line, or raises
    AssertionError with the child's output if it failed or crashed."""
    proc = run_python(code, timeout=timeout)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"child interpreter exited with {proc.returncode}\n"
                             f"--- stdout ---\n{proc.stdout[-4000:]}\n"
                             f"--- stderr ---\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1])


def sparse_regression_data(n, p, density, seed=0):
    """A CSC X with normal nonzeros, its dense form, and y from its first two columns."""
    import scipy.sparse as sp
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csc", random_state=seed,
                  data_rvs=lambda k: rng.normal(size=k))
    d = X.toarray()
    y = d[:, 0] * 2 - d[:, 1] + 0.1 * rng.normal(size=n)
    return X, d, y


def crafted_sparse(X, fmt):
    """X in format fmt twice, broken: a row/column index far out of range, and an
    index pointer that goes backwards."""
    far = X.asformat(fmt).copy()
    far.indices[len(far.indices) // 2] = 10**6
    backwards = X.asformat(fmt).copy()
    backwards.indptr[1], backwards.indptr[2] = backwards.indptr[2], backwards.indptr[1] - 1
    return far, backwards


def traced_peak(fn):
    """Peak bytes Python allocated (tracemalloc) while fn() ran: copies of an
    input made in Python show here; C's own malloc does not."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
