"""Scorers with scikit-learn's names, signs and response methods, computed with
pymlcore's metrics.

A scorer that has a C twin (``pmc_find_scorer`` in csrc/include/pmc/metrics.h)
carries its name in ``_pmc_scorer``; the C search and cross-validation drivers
look for that attribute to score folds in C without returning to Python.
Scorers are scikit-learn ``_Scorer`` objects, so scikit-learn's own
``cross_validate`` and ``GridSearchCV`` accept them too.
"""

import copy
import inspect

from sklearn.metrics import _scorer as _sk
from sklearn.metrics import get_scorer_names as _sk_get_scorer_names
from sklearn.metrics import make_scorer as _sk_make_scorer

from .. import _core
from . import _classification, _ranking, _regression


class _PmcScorer(_sk._Scorer):
    """scikit-learn's _Scorer around a pymlcore metric.

    _pmc_scorer: the name of the C scorer computing the same value, or None."""

    def __init__(self, score_func, sign, kwargs, response_method="predict", pmc_scorer=None):
        super().__init__(score_func, sign, kwargs, response_method)
        self._pmc_scorer = pmc_scorer


# scikit-learn metric name -> pymlcore's.
_METRICS = {
    name: getattr(module, name)
    for module in (_classification, _ranking, _regression)
    for name in module.__all__
}

# The C scorers: name -> (method, fallback, is_classification).
_C_SCORERS = {name: rest for name, *rest in _core.scorers()}


def _from_sklearn(sk_scorer, pmc_scorer=None):
    """sk_scorer with its metric swapped for pymlcore's (None if we lack it)."""
    if type(sk_scorer) is not _sk._Scorer:
        return None
    func = _METRICS.get(getattr(sk_scorer._score_func, "__name__", None))
    if func is None:
        return None
    return _PmcScorer(
        func,
        sk_scorer._sign,
        dict(sk_scorer._kwargs),
        sk_scorer._response_method,
        pmc_scorer,
    )


_SCORERS = {}
for _name in _sk_get_scorer_names():
    _scorer = _from_sklearn(
        _sk._SCORERS[_name], _name if _name in _C_SCORERS else None
    )
    if _scorer is not None:
        _SCORERS[_name] = _scorer
missing = set(_C_SCORERS) - {n for n, s in _SCORERS.items() if s._pmc_scorer}
assert not missing, f"C scorers without a Python twin: {missing}"
del _name, _scorer, missing


def get_scorer_names():
    """Names accepted by :func:`get_scorer`: all of scikit-learn's."""
    return _sk_get_scorer_names()


def get_scorer(scoring):
    """A copy of the scorer named `scoring` (scikit-learn's names and signs).

    Scorers of the metrics pymlcore implements compute with them (and those with a
    C twin carry ``_pmc_scorer``); the others are scikit-learn's own scorers.
    Non-string `scoring` is returned unchanged, as scikit-learn does."""
    if isinstance(scoring, str):
        if scoring in _SCORERS:
            return copy.deepcopy(_SCORERS[scoring])
        if scoring in _sk._SCORERS:
            return copy.deepcopy(_sk._SCORERS[scoring])
        raise ValueError(
            "%r is not a valid scoring value. Use sklearn.metrics.get_scorer_names() "
            "to get valid options." % scoring
        )
    return scoring


def _effective_kwargs(scorer):
    """The metric's keyword arguments with its defaults filled in; pos_label None or
    1 (which warns about nothing) counts as None where the average ignores it."""
    params = inspect.signature(scorer._score_func).parameters
    kwargs = {
        k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty
    }
    kwargs.update(scorer._kwargs)
    if kwargs.get("average", "binary") != "binary" and kwargs.get("pos_label") in (None, 1):
        kwargs["pos_label"] = None
    return kwargs


def _c_twin(scorer):
    """Name of the built-in C scorer computing exactly what `scorer` does, or None."""
    for name, builtin in _SCORERS.items():
        if (
            builtin._pmc_scorer
            and builtin._score_func is scorer._score_func
            and builtin._sign == scorer._sign
            and builtin._response_method == scorer._response_method
            and _effective_kwargs(builtin) == _effective_kwargs(scorer)
        ):
            return name
    return None


def make_scorer(score_func, *, response_method="predict", greater_is_better=True, **kwargs):
    """Make a scorer from a metric, as :func:`sklearn.metrics.make_scorer`.

    When score_func is a pymlcore metric and the scorer equals a built-in one
    (e.g. ``make_scorer(f1_score, average="macro")`` is "f1_macro"), it carries
    that C scorer's name in ``_pmc_scorer``."""
    scorer = _sk_make_scorer(
        score_func, response_method=response_method, greater_is_better=greater_is_better, **kwargs
    )
    if type(scorer) is not _sk._Scorer:
        return scorer
    out = _PmcScorer(
        scorer._score_func, scorer._sign, scorer._kwargs, scorer._response_method
    )
    out._pmc_scorer = _c_twin(out)
    return out


def _is_metric_function(scoring):
    module = getattr(scoring, "__module__", None) or ""
    return (
        module.startswith(("sklearn.metrics.", "pymlcore.metrics."))
        and not module.startswith(("sklearn.metrics._scorer", "pymlcore.metrics._scorer"))
        and not module.startswith("sklearn.metrics.tests.")
    )


def check_scoring(estimator=None, scoring=None, *, allow_none=False, raise_exc=True):
    """Determine the scorer from user options, as :func:`sklearn.metrics.check_scoring`,
    with pymlcore's scorers for names."""
    if isinstance(scoring, str):
        return get_scorer(scoring)
    if callable(scoring):
        if _is_metric_function(scoring):
            raise ValueError(
                "scoring value %r looks like it is a metric function rather than a "
                "scorer. A scorer should require an estimator as its first parameter. "
                "Please use `make_scorer` to convert a metric to a scorer." % scoring
            )
        return scoring
    if isinstance(scoring, (list, tuple, set)) and all(isinstance(s, str) for s in scoring):
        if len(set(scoring)) == len(scoring) and len(scoring) > 0:
            scoring = {name: get_scorer(name) for name in scoring}
    elif isinstance(scoring, dict):
        scoring = {k: get_scorer(v) if isinstance(v, str) else v for k, v in scoring.items()}
    return _sk.check_scoring(
        estimator, scoring=scoring, allow_none=allow_none, raise_exc=raise_exc
    )


__all__ = ["check_scoring", "get_scorer", "get_scorer_names", "make_scorer"]
