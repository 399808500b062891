"""cross_validate and cross_val_score with the folds fitted by the C search engine
(one candidate, every fold a C task); anything the engine cannot run, and
``return_estimator=True`` (the C tasks keep no fitted models), goes to
scikit-learn's own functions, which give the same numbers."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.metrics import check_scoring
from sklearn.metrics._scorer import _check_multimetric_scoring
from sklearn.model_selection import cross_validate as _sk_cross_validate
from sklearn.model_selection._split import check_cv
from sklearn.model_selection._validation import (_aggregate_score_dicts,
                                                 _normalize_score_results,
                                                 _warn_or_raise_about_fit_failures)
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.validation import _check_method_params, indexable

from ._engine import plan_batch, run_plan

__all__ = ["cross_validate", "cross_val_score"]


def cross_validate(estimator, X, y=None, *, groups=None, scoring=None, cv=None, n_jobs=None,
                   verbose=0, params=None, pre_dispatch="2*n_jobs", return_train_score=False,
                   return_estimator=False, return_indices=False, error_score=np.nan):
    """Evaluate metric(s) by cross-validation and record fit/score times.

    A drop-in for :func:`sklearn.model_selection.cross_validate` (same parameters
    and returned dict).  The folds of a pymlcore estimator (or Pipeline of them)
    with built-in scorers are fitted as C tasks on ``n_jobs`` threads (None: every
    core), with ``params={"sample_weight": w}`` too (weighted fits, unweighted
    scores, as scikit-learn without metadata routing); otherwise, and with
    ``return_estimator=True``, scikit-learn's implementation runs.
    """
    kwargs = dict(groups=groups, scoring=scoring, cv=cv, n_jobs=n_jobs, verbose=verbose,
                  params=params, pre_dispatch=pre_dispatch,
                  return_train_score=return_train_score, return_estimator=return_estimator,
                  return_indices=return_indices, error_score=error_score)
    # Without metadata routing, params go to the estimator's fit only (the scores
    # are unweighted), which the C path does for sample_weight.
    if return_estimator or (params and (_routing_enabled() or set(params) - {"sample_weight"})) \
            or not hasattr(estimator, "fit") or not (
            isinstance(error_score, (int, float, np.number)) or error_score == "raise"):
        return _sk_cross_validate(estimator, X, y, **kwargs)
    # scikit-learn's validation of scoring and cv (their errors, before any fit).
    if callable(scoring) or scoring is None or isinstance(scoring, str):
        check_scoring(estimator, scoring)
    else:
        _check_multimetric_scoring(estimator, scoring)
    X, y, groups = indexable(X, y, groups)
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    splits = list(splitter.split(X, y, groups))
    fit_params = _check_method_params(X, params=params or {})
    plan = plan_batch(estimator, [{}], X, y, splits, scoring, fit_params)
    if plan is None:
        return _sk_cross_validate(estimator, X, y, **kwargs)
    results = run_plan(plan, splits, n_jobs, return_train_score, error_score, [{}])
    _warn_or_raise_about_fit_failures(results, error_score)
    results = _aggregate_score_dicts(results)
    out = {"fit_time": results["fit_time"], "score_time": results["score_time"]}
    if return_indices:
        out["indices"] = {}
        out["indices"]["train"], out["indices"]["test"] = zip(*splits)
    test_scores = _normalize_score_results(results["test_scores"])
    train_scores = _normalize_score_results(results["train_scores"]) \
        if return_train_score else None
    for name in test_scores:
        out[f"test_{name}"] = test_scores[name]
        if return_train_score:
            out[f"train_{name}"] = train_scores[name]
    return out


def cross_val_score(estimator, X, y=None, *, groups=None, scoring=None, cv=None, n_jobs=None,
                    verbose=0, params=None, pre_dispatch="2*n_jobs", error_score=np.nan):
    """Evaluate a score by cross-validation: :func:`cross_validate`'s
    ``test_score``, as :func:`sklearn.model_selection.cross_val_score`."""
    if not (scoring is None or isinstance(scoring, str) or callable(scoring)):
        raise ValueError("The 'scoring' parameter of cross_val_score must be a str among "
                         f"the scorer names, a callable or None. Got {scoring!r} instead.")
    check_scoring(estimator, scoring=scoring)  # scikit-learn's errors
    return cross_validate(estimator, X, y, groups=groups, scoring=scoring, cv=cv,
                          n_jobs=n_jobs, verbose=verbose, params=params,
                          pre_dispatch=pre_dispatch, error_score=error_score)["test_score"]
