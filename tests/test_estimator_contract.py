"""The contract every pymlcore estimator keeps (ARCHITECTURE.md, "Tests and
benchmarks"), checked generically over ``pymlcore.utils.all_estimators()``:

(a) fitting does not copy the input: peak extra memory well under X's size
    for float64 C / Fortran order and float32;
(b) inputs are never written to, and read-only inputs work;
(c) determinism: identical fitted state for every n_jobs, and across fits;
(d) a pickle round trip predicts identically;
(e) predict / transform from four Python threads at once equals the serial
    result;
(f) float32 / float64 and C / Fortran order agree within stated tolerances;
(g) bad input gets a clear ValueError / TypeError naming the problem, never a
    crash (run in a child interpreter, so a crash fails one test, not the run).

Whether an estimator is a classifier, regressor or transformer comes from
scikit-learn's tags; data come from sklearn.datasets.
"""

import pickle
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils import get_tags

from pymlcore.utils import all_estimators

from _helpers import (accepts_sample_weight, assert_same_state, fit_args, kind, make_data,
                      make_estimator as make, methods, outputs, run_python_json)

ESTIMATORS = all_estimators()
by_estimator = pytest.mark.parametrize("cls", [cls for _, cls in ESTIMATORS],
                                       ids=[name for name, _ in ESTIMATORS])


def fit(estimator, X, y, **kwargs):
    return estimator.fit(X, *fit_args(estimator, y), **kwargs)


# ---- (a) zero copy -----------------------------------------------------------------

# Measured in a fresh interpreter so that nothing else lives in the process.  C
# allocations are invisible to tracemalloc, so the measure is the resident set:
# the kernel's peak-RSS counter (VmHWM) is reset through /proc/self/clear_refs
# right before fit, and peak minus the RSS before fit is everything fit touched,
# NumPy and C alike.  tracemalloc's peak (NumPy's allocations only; NumPy reports
# them to tracemalloc) is reported alongside to tell the two apart.  A warm-up
# fit first loads libraries and starts the OpenMP and BLAS threads.
ZERO_COPY_CODE = """
import gc, json, tracemalloc
import numpy as np
from pymlcore.utils import all_estimators
from sklearn.base import clone
from sklearn.utils import get_tags
import _helpers as h
from _helpers import make_estimator as make

estimator = make(dict(all_estimators())[{name!r}])

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

Xw, yw = h.make_data(estimator, 2000, 50)
clone(estimator).fit(Xw, *h.fit_args(estimator, yw))
rng = np.random.default_rng(0)
n, p = 200_000, 50
results = {{}}
for layout, dtype, order in [("float64 C", np.float64, "C"), ("float64 F", np.float64, "F"),
                             ("float32 C", np.float32, "C")]:
    # Filled in place, so that making X leaves no temporaries behind.
    X = np.empty((n, p), dtype) if order == "C" else np.empty((p, n), dtype).T
    rng.standard_normal(out=X if order == "C" else X.T, dtype=dtype)
    if h.kind(estimator) == "classifier":
        y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    else:
        y = X[:, 0] * 3.0 - X[:, 1] + rng.standard_normal(n)
    est = clone(estimator)
    gc.collect()
    tracemalloc.start()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS
    before = status("VmRSS")
    est.fit(X, *h.fit_args(est, y))
    rss_peak = status("VmHWM") - before
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    results[layout] = {{"nbytes": X.nbytes, "rss": rss_peak, "traced": traced_peak,
                       "model": h.fitted_nbytes(est),
                       "binned": n * p if getattr(est, "max_bins", None) else 0,
                       "nan_mask": n * p if get_tags(est).input_tags.allow_nan else 0}}
    del X, y, est
    gc.collect()
print(json.dumps(results))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="peak RSS is read from Linux's /proc/self/status")
@by_estimator
def test_zero_copy_fit(cls):
    results = run_python_json(ZERO_COPY_CODE.format(name=cls.__name__), timeout=600)
    for layout, r in results.items():
        # 25% of X: room for per-sample vectors (y, weights, residuals: 1/50 of
        # X each here) and per-feature state, none for a copy of X; plus the
        # fitted model itself, which for a fully grown tree is of X's order; and
        # for histogram methods their one-byte-per-value binned X, which is what
        # they split on (scikit-learn's trees copy X to float32 instead).
        # Estimators that take NaN check X for infinity through scikit-learn's
        # validation, whose np.isinf mask is a transient byte per value.
        limit = 0.25 * r["nbytes"] + r["model"] + r["binned"] + r["nan_mask"]
        assert r["rss"] < limit, (
            f"{cls.__name__}.fit on {layout} X of {r['nbytes'] / 2**20:.0f} MiB raised peak RSS "
            f"by {r['rss'] / 2**20:.1f} MiB (NumPy allocations: {r['traced'] / 2**20:.1f} MiB); "
            f"limit {limit / 2**20:.0f} MiB")


# ---- (b) inputs unchanged, read-only inputs ---------------------------------------------

@by_estimator
@pytest.mark.parametrize("dtype, order", [(np.float64, "C"), (np.float64, "F"),
                                          (np.float32, "C")])
def test_inputs_unchanged_and_read_only(cls, dtype, order):
    estimator = make(cls)
    X, y = make_data(estimator, 400, 6)
    X = np.asarray(X, dtype=dtype, order=order)
    inputs = {"X": X, "y": y}
    kwargs = {}
    if accepts_sample_weight(estimator):
        inputs["sample_weight"] = kwargs["sample_weight"] = (
            np.random.default_rng(0).uniform(0.5, 2.0, len(y)))
    before = {name: (a.copy(), a.tobytes()) for name, a in inputs.items()}
    for a in inputs.values():
        a.setflags(write=False)  # any write would now raise, in NumPy or C

    fit(estimator, X, y, **kwargs)
    outs = outputs(estimator, X)

    for name, a in inputs.items():
        assert a.tobytes() == before[name][1], f"{name} was modified"
        np.testing.assert_array_equal(a, before[name][0])
    for method, out in outs.items():
        assert not np.shares_memory(out, X), f"{method} returned a view of X"
        assert np.all(np.isfinite(out)), method


# ---- (c) determinism ------------------------------------------------------------------

@by_estimator
def test_deterministic_across_n_jobs_and_repeats(cls):
    # 20000 rows: several row chunks, so threads really split the work.
    estimator = make(cls)
    X, y = make_data(estimator, 20000, 10)
    if "n_jobs" in estimator.get_params():
        variants = [{"n_jobs": 1}, {"n_jobs": 2}, {"n_jobs": -1}, {"n_jobs": None}]
    else:  # internal parallelism uses every core; the result must still repeat
        variants = [{}, {}]
    fitted = [fit(clone(estimator).set_params(**v), X, y) for v in variants]
    reference = outputs(fitted[0], X)
    for variant, other in zip(variants[1:], fitted[1:]):
        assert_same_state(fitted[0], other, context=f"{cls.__name__} {variant}")
        for method, out in outputs(other, X).items():
            np.testing.assert_array_equal(out, reference[method], err_msg=f"{method} {variant}")


# ---- (d) pickle ----------------------------------------------------------------------------

@by_estimator
def test_pickle_round_trip(cls):
    estimator = make(cls)
    X, y = make_data(estimator, 300, 6)
    fit(estimator, X, y)
    reference = outputs(estimator, X)
    for protocol in (pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL):
        restored = pickle.loads(pickle.dumps(estimator, protocol=protocol))
        assert_same_state(estimator, restored, context=f"protocol {protocol}")
        for method, out in outputs(restored, X).items():
            np.testing.assert_array_equal(out, reference[method], err_msg=method)
    # An unfitted estimator pickles too, and fits to the same state afterwards.
    fresh = pickle.loads(pickle.dumps(make(cls)))
    assert_same_state(estimator, fit(fresh, X, y))


# ---- (e) concurrent predict ---------------------------------------------------------------

@by_estimator
def test_concurrent_predict_equals_serial(cls):
    estimator = make(cls)
    X, y = make_data(estimator, 20000, 10)
    fit(estimator, X, y)
    reference = outputs(estimator, X)
    start = threading.Barrier(4)

    def work(_):
        start.wait()  # all four threads call into C at the same time
        return [outputs(estimator, X) for _ in range(4)]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(4)))
    for per_thread in results:
        for outs in per_thread:
            for method, out in outs.items():
                np.testing.assert_array_equal(out, reference[method], err_msg=method)


# ---- (f) dtypes and layouts -----------------------------------------------------------------

# Tolerances, relative to the largest |output| of the float64 C-order fit:
#  - float64 in Fortran order: the same numbers in another layout.  Kernels that
#    gather rows compute identically; BLAS may sum in another order, and an
#    iterative solver can carry such last-bit differences into its stopping
#    point, hence 1e-7 rather than exact equality.
#  - float32: X itself is rounded at 6e-8 relative; outputs move by that times
#    the problem's conditioning, plus what the solver's stopping tolerance
#    (1e-4 by default in scikit-learn's iterative solvers) lets through: 1e-3.
#  Class labels may flip only for samples at the decision boundary: at most
#  0.2% (float64) and 1% (float32) of them.
LAYOUT_TOLERANCE = {np.float64: 1e-7, np.float32: 1e-3}
LABEL_FLIPS = {np.float64: 0.002, np.float32: 0.01}


@by_estimator
@pytest.mark.parametrize("dtype, order", [(np.float64, "F"), (np.float32, "C"),
                                          (np.float32, "F")])
def test_dtypes_and_layouts_agree(cls, dtype, order):
    estimator = make(cls)
    X, y = make_data(estimator, 2000, 8)
    reference = outputs(fit(clone(estimator), X, y), X)
    Xv = np.asarray(X, dtype=dtype, order=order)
    other = fit(clone(estimator), Xv, y)
    outs = outputs(other, Xv)
    preserves = get_tags(estimator).transformer_tags
    for method, out in outs.items():
        ref = reference[method]
        assert out.shape == ref.shape, method
        if method == "predict" and kind(estimator) == "classifier":
            flips = np.mean(out != ref)
            assert flips <= LABEL_FLIPS[dtype], f"{flips:.2%} of labels differ"
            continue
        if preserves is not None and np.dtype(dtype).name in preserves.preserves_dtype:
            assert out.dtype == dtype, f"{method} returned {out.dtype} for {np.dtype(dtype)} X"
        scale = max(np.max(np.abs(ref)), 1.0)
        err = np.max(np.abs(out.astype(np.float64) - ref))
        assert err <= LAYOUT_TOLERANCE[dtype] * scale, (
            f"{method}: max |difference| {err:.3g} exceeds "
            f"{LAYOUT_TOLERANCE[dtype]:g} x {scale:.3g}")


# ---- (g) bad input ----------------------------------------------------------------------------

# One child interpreter per estimator runs every bad input against pymlcore's
# estimator and against scikit-learn's counterpart (for the cases where the
# contract is "behave as scikit-learn does") and reports each outcome as JSON.
BAD_INPUT_CODE = """
import json, warnings
import numpy as np
from pymlcore.utils import all_estimators
import _helpers as h
from _helpers import make_estimator as make
warnings.simplefilter("ignore")

def outcome(call):
    try:
        call()
        return {{"ok": True}}
    except Exception as e:
        return {{"ok": False, "type": type(e).__name__,
                "bases": [c.__name__ for c in type(e).__mro__], "message": str(e)}}

def report(cls):
    est = make(cls)
    X, y = h.make_data(est, 60, 5)
    needs_y = h.needs_y(est)
    def fit(Xb, yb=y, **kw):
        return make(cls).fit(Xb, *((yb,) if needs_y else ()), **kw)
    fitted = fit(X)
    method = getattr(fitted, h.methods(est)[0])
    Xnan, Xinf = X.copy(), X.copy()
    Xnan[3, 2], Xinf[3, 2] = np.nan, np.inf
    Xobj = X.astype(object)
    Xobj[0, 0] = "a string"
    cases = {{
        "nan_fit": lambda: fit(Xnan),
        "nan_predict": lambda: method(Xnan),
        "inf_fit": lambda: fit(Xinf),
        "inf_predict": lambda: method(Xinf),
        "empty_fit": lambda: fit(X[:0], y[:0]),
        "empty_predict": lambda: method(X[:0]),
        "no_features_fit": lambda: fit(X[:, :0]),
        "one_sample_fit": lambda: fit(X[:1], y[:1]),
        "3d_fit": lambda: fit(X.reshape(60, 5, 1)),
        "3d_predict": lambda: method(X.reshape(60, 5, 1)),
        "1d_fit": lambda: fit(X[:, 0]),
        "object_fit": lambda: fit(Xobj),
        "object_predict": lambda: method(Xobj),
        "complex_fit": lambda: fit(X + 1j),
        "y_length_fit": lambda: make(cls).fit(X, y[:-1]),
        "wrong_n_features_predict": lambda: method(X[:, :-1]),
        "not_fitted_predict": lambda: getattr(make(cls), h.methods(est)[0])(X),
    }}
    if h.accepts_sample_weight(est):
        cases["sample_weight_length_fit"] = lambda: fit(X, sample_weight=np.ones(59))
    result = {{name: outcome(call) for name, call in cases.items()}}
    # Every validated parameter set to a value no constraint accepts.
    class Invalid:
        def __repr__(self):
            return "<invalid>"
    for param, constraints in getattr(cls, "_parameter_constraints", {{}}).items():
        if constraints != "no_validation":
            bad = make(cls).set_params(**{{param: Invalid()}})
            result["param:" + param] = outcome(lambda: bad.fit(X, *((y,) if needs_y else ())))
    return result

cls = dict(all_estimators())[{name!r}]
sk = h.sklearn_counterpart(cls)
print(json.dumps({{"ours": report(cls), "sklearn": report(sk) if sk else None}}))
"""

_bad_input_reports = {}


def bad_input_report(cls):
    if cls not in _bad_input_reports:
        _bad_input_reports[cls] = run_python_json(BAD_INPUT_CODE.format(name=cls.__name__))
    return _bad_input_reports[cls]


# case -> (what the message must contain, or None where scikit-learn decides)
BAD_INPUT_CASES = {
    "nan_fit": "NaN",
    "nan_predict": "NaN",
    "inf_fit": "infinity",
    "inf_predict": "infinity",
    "empty_fit": "0 sample(s)",
    "empty_predict": "0 sample(s)",
    "no_features_fit": "0 feature(s)",
    "one_sample_fit": None,
    "3d_fit": "dim 3",
    "3d_predict": "dim 3",
    "1d_fit": "Expected 2D array",
    "object_fit": "could not convert string to float",
    "object_predict": "could not convert string to float",
    "complex_fit": "Complex data not supported",
    "y_length_fit": None,
    "wrong_n_features_predict": "X has 4 features, but {name} is expecting 5 features",
    "not_fitted_predict": "is not fitted yet",
    "sample_weight_length_fit": "sample_weight",
}


META_BAD_INPUT_CASES = {"empty_fit": "n_samples=0"}


def assert_clear_error(result, needle, case):
    assert not result["ok"], f"{case}: no error raised"
    assert {"ValueError", "TypeError"} & set(result["bases"]), (
        f"{case}: raised {result['type']}, not a ValueError/TypeError: {result['message']}")
    assert needle in result["message"], (
        f"{case}: message {result['message']!r} does not say {needle!r}")


@by_estimator
@pytest.mark.parametrize("case", list(BAD_INPUT_CASES))
def test_bad_input(cls, case):
    report = bad_input_report(cls)
    ours, theirs = report["ours"], report["sklearn"]
    if case not in ours:
        assert case == "sample_weight_length_fit"  # fit takes no sample_weight
        return
    result = ours[case]
    needle = BAD_INPUT_CASES[case]
    inner = getattr(make(cls), "estimator", None)
    if inner is not None:
        # A meta-estimator (a search) raises what its splitter or inner
        # estimator raises, as scikit-learn's do: their words, the inner name.
        needle = META_BAD_INPUT_CASES.get(case, needle)
        needle = needle and needle.replace("{name}", type(inner).__name__)
    allow_nan = get_tags(make(cls)).input_tags.allow_nan
    if case.startswith("nan_") and allow_nan:
        assert result["ok"], f"{case}: allow_nan is set, yet {result}"
    elif needle is not None:
        assert_clear_error(result, needle.format(name=cls.__name__), case)
    elif theirs is not None and theirs[case]["ok"]:
        assert result["ok"], f"{case}: scikit-learn accepts this, pymlcore raised {result}"
    elif theirs is not None:
        # scikit-learn refuses: so must we, as clearly (its exception type).
        assert not result["ok"], f"{case}: scikit-learn raises {theirs[case]['type']}, we do not"
        assert theirs[case]["type"] in result["bases"] or {"ValueError", "TypeError"} & set(
            result["bases"]), f"{case}: {result} vs scikit-learn's {theirs[case]}"
        assert result["message"], case
    else:  # no counterpart: working or a clear error are both acceptable
        assert result["ok"] or {"ValueError", "TypeError"} & set(result["bases"]), result


@by_estimator
def test_invalid_parameters_are_named(cls):
    report = bad_input_report(cls)["ours"]
    params = [k for k in report if k.startswith("param:")]
    assert params, f"{cls.__name__} declares no _parameter_constraints"
    for key in params:
        name = key.split(":", 1)[1]
        assert_clear_error(report[key], f"'{name}' parameter", key)


def test_every_estimator_has_an_output_method():
    for name, cls in ESTIMATORS:
        assert methods(make(cls)), name
