"""Run a pymlcore metric and scikit-learn's on the same arguments and compare
everything a user sees: the value (rtol given per test, 1e-12 by default: the C
kernels reproduce scikit-learn's float64 arithmetic up to summation rounding),
its type and shape, the warnings (category and message), or the exception
(type and message)."""

import re
import warnings

import numpy as np
import sklearn.metrics

import pymlcore.metrics


def _run(fn, args, kwargs):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            out = fn(*args, **kwargs)
            err = None
        except Exception as e:  # compared with the other side's
            out, err = None, e
    seen = sorted({(w.category.__name__, str(w.message)) for w in record})
    return out, err, seen


def _assert_value(ours, theirs, rtol):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_value(a, b, rtol)
        return
    if theirs is None:
        assert ours is None
        return
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray), type(ours)
        assert ours.shape == theirs.shape
        assert ours.dtype.kind == theirs.dtype.kind, (ours.dtype, theirs.dtype)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0, equal_nan=True)
        return
    assert type(ours) is type(theirs) or (
        isinstance(ours, (float, np.floating)) and isinstance(theirs, (float, np.floating))
    ), (type(ours), type(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0, equal_nan=True)


def _message(err):
    """The exception's message with every {set of options} in sorted order:
    scikit-learn prints the options of a parameter constraint as a Python set,
    whose order depends on how the set was built and on the hash seed."""
    def sort_items(match):
        return "{" + ", ".join(sorted(match.group(1).split(", "))) + "}"
    return re.sub(r"\{([^{}]*)\}", sort_items, str(err))


def check_same(name, *args, rtol=1e-12, **kwargs):
    """pymlcore.metrics.<name> and sklearn.metrics.<name> agree on these arguments."""
    ours, our_err, our_warn = _run(getattr(pymlcore.metrics, name), args, kwargs)
    theirs, their_err, their_warn = _run(getattr(sklearn.metrics, name), args, kwargs)
    if their_err is not None:
        assert our_err is not None, f"scikit-learn raised {their_err!r}, pymlcore returned {ours!r}"
        assert type(our_err) is type(their_err), (our_err, their_err)
        assert _message(our_err) == _message(their_err)
        return None
    assert our_err is None, f"pymlcore raised {our_err!r}, scikit-learn returned {theirs!r}"
    assert our_warn == their_warn
    _assert_value(ours, theirs, rtol)
    return ours
