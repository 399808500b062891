"""GridSearchCV, RandomizedSearchCV and TPESearchCV: scikit-learn's search classes
with the (candidate, fold) evaluations run by the C search engine.

Everything that is not about running fits is scikit-learn's own code: parameter
validation, scorers, candidate generation (ParameterGrid / ParameterSampler),
``_format_results`` (the layout and dtypes of ``cv_results_``), best-candidate
selection and delegation (predict, score, ...).  Only ``fit``'s evaluation loop
differs: each batch of candidates runs in C when the estimator chain and the
scorers allow it (see ``pymlcore.model_selection._engine``), else through
scikit-learn's ``_fit_and_score``, which gives the same numbers.
"""

import numbers
import time
from collections import defaultdict
from inspect import signature

import numpy as np
from sklearn.base import _fit_context, clone, is_classifier
from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection import GridSearchCV as _SkGridSearchCV
from sklearn.model_selection import RandomizedSearchCV as _SkRandomizedSearchCV
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._split import check_cv
from sklearn.model_selection._validation import (_fit_and_score, _insert_error_scores,
                                                 _warn_or_raise_about_fit_failures)
from sklearn.utils._param_validation import Interval
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_method_params, indexable

from .._engine import resolve_n_threads, seed_from_random_state
from ..tune._sampler import DEFAULT_GAMMA
from ._engine import plan_batch, run_plan

__all__ = ["GridSearchCV", "RandomizedSearchCV", "TPESearchCV"]


def evaluate(owner, base_estimator, X, y, candidate_params, splits, scorers, fit_params,
             score_params, scoring, n_jobs, pre_dispatch, return_train_score, error_score,
             verbose):
    """Per-task results (scikit-learn's `_fit_and_score` dicts, candidate-major) of
    every candidate on every split: in C when possible, else in Python."""
    plan = None
    # The C scorers weight by the fits' sample_weight or not at all.
    weighted = "sample_weight" in score_params
    if set(score_params) <= {"sample_weight"} and (
            not weighted or score_params["sample_weight"] is fit_params.get("sample_weight")):
        plan = plan_batch(base_estimator, candidate_params, X, y, splits, scoring, fit_params)
    if plan is not None:
        return run_plan(plan, splits, n_jobs, return_train_score, error_score, candidate_params,
                        weighted_scores=weighted)
    n_splits, n_candidates = len(splits), len(candidate_params)
    with Parallel(n_jobs=n_jobs, pre_dispatch=pre_dispatch) as parallel:
        return parallel(
            delayed(_fit_and_score)(
                clone(base_estimator), X, y, train=train, test=test, parameters=params,
                split_progress=(s, n_splits), candidate_progress=(c, n_candidates),
                scorer=scorers, fit_params=fit_params, score_params=score_params,
                return_train_score=return_train_score, return_n_test_samples=True,
                return_times=True, return_parameters=False, error_score=error_score,
                verbose=verbose, caller=owner)
            for c, params in enumerate(candidate_params)
            for s, (train, test) in enumerate(splits))


class _CSearchMixin:
    """``fit`` of scikit-learn's BaseSearchCV with the C engine as evaluator."""

    # Batches of candidates are evaluated as one C run; _run_search (scikit-learn's
    # for grid and random search, ours for TPE) decides the batches.

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters (see scikit-learn's
        :meth:`~sklearn.model_selection.GridSearchCV.fit`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        **params : dict of str -> object
            Parameters passed to the estimator's fit, the scorer and the CV
            splitter (``groups``); fit parameters send the search to the Python path.

        Returns
        -------
        self : object
        """
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        params = _check_method_params(X, params=params)
        routed = self._get_routed_params_for_fit(params)
        sample_weight = params.get("sample_weight")
        metadata = {"sample_weight": sample_weight} if sample_weight is not None else None
        root_ctx = self._init_callback_context(
            max_subtasks=1 + (self.refit is not False)
        ).call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)

        split_params = routed.splitter.split
        cv_orig = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        self._checked_cv_orig = cv_orig
        self._check_input_parameters(X=X, y=y, split_params=split_params)
        self.n_splits_ = cv_orig.get_n_splits(X, y, **split_params)
        base_estimator = clone(self.estimator)

        seen_params, seen_out, seen_more = [], [], defaultdict(list)
        results = {}

        def evaluate_candidates(candidate_params, cv=None, more_results=None,
                                callback_ctx=None):
            nonlocal results
            candidate_params = list(candidate_params)
            splits = list((cv or cv_orig).split(X, y, **split_params))
            if len(splits) != self.n_splits_:
                raise ValueError(
                    "cv.split and cv.get_n_splits return inconsistent results. "
                    f"Expected {self.n_splits_} splits, got {len(splits)}")
            if self.verbose > 0:
                print(f"Fitting {self.n_splits_} folds for each of {len(candidate_params)} "
                      f"candidates, totalling {len(candidate_params) * self.n_splits_} fits")
            out = evaluate(self, base_estimator, X, y, candidate_params, splits, scorers,
                           routed.estimator.fit, routed.scorer.score, self.scoring,
                           self.n_jobs, self.pre_dispatch, self.return_train_score,
                           self.error_score, self.verbose)
            if len(out) < 1:
                raise ValueError("No fits were performed. Was the CV iterator empty? "
                                 "Were there no candidates?")
            _warn_or_raise_about_fit_failures(out, self.error_score)
            if callable(self.scoring):
                _insert_error_scores(out, self.error_score)
            seen_params.extend(candidate_params)
            seen_out.extend(out)
            for key, value in (more_results or {}).items():
                seen_more[key].extend(value)
            results = self._format_results(seen_params, self.n_splits_, seen_out, seen_more)
            return results

        if "callback_ctx" in signature(self._run_search).parameters:
            self._run_search(evaluate_candidates, callback_ctx=root_ctx)
        else:  # a user subclass written for older scikit-learn
            self._run_search(evaluate_candidates)

        # A callable scoring tells whether it is multimetric only once called.
        first_scores = seen_out[0]["test_scores"]
        self.multimetric_ = isinstance(first_scores, dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(first_scores)
            refit_metric = self.refit

        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(self.refit, refit_metric, results)
            if not callable(self.refit):
                self.best_score_ = results[f"mean_test_{refit_metric}"][self.best_index_]
            self.best_params_ = results["params"][self.best_index_]

        if self.refit:
            self.best_estimator_ = clone(base_estimator).set_params(
                **clone(self.best_params_, safe=False))
            refit_ctx = root_ctx.subcontext(task_name="refit-with-best-params")
            with refit_ctx.propagate_callback_context(self.best_estimator_):
                refit_ctx.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
                start = time.time()
                fit_args = (X,) if y is None else (X, y)
                self.best_estimator_.fit(*fit_args, **routed.estimator.fit)
                self.refit_time_ = time.time() - start
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_
            refit_ctx.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata)

        self.scorer_ = scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
        self.cv_results_ = results
        root_ctx.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata)
        return self


class GridSearchCV(_CSearchMixin, _SkGridSearchCV):
    """Exhaustive search over a parameter grid, with the fits run in C.

    A drop-in for :class:`sklearn.model_selection.GridSearchCV`: same parameters,
    attributes (``cv_results_`` with the same keys and dtypes, ``best_*``,
    ``n_splits_``, ``refit_time_``, ``scorer_``, ``multimetric_``) and methods.
    When the estimator (or every step of a Pipeline) is a pymlcore estimator with a
    C table and every scorer is built in (a scorer name, ``None`` for the default
    score, or a scorer of :func:`pymlcore.metrics.get_scorer`), all candidates x
    folds fits run as C tasks on ``n_jobs`` threads (``None``: every core), the
    GIL released and X shared without copies; otherwise scikit-learn's own
    evaluation runs them.  The scores are the same either way.
    """


class RandomizedSearchCV(_CSearchMixin, _SkRandomizedSearchCV):
    """Randomized search over parameter distributions, with the fits run in C.

    A drop-in for :class:`sklearn.model_selection.RandomizedSearchCV` (the same
    candidates for the same ``random_state``); fits run as in
    :class:`GridSearchCV`.
    """


def _flatten(params):
    """A sampled point as estimator parameters: dicts chosen by hp.choice (the
    branches of a conditional space) are merged into the top level."""
    flat = {}
    for key, value in params.items():
        if isinstance(value, dict):
            flat.update(_flatten(value))
        else:
            flat[key] = value
    return flat


class TPESearchCV(_CSearchMixin, BaseSearchCV):
    """Bayesian search with the Tree-structured Parzen Estimator, fits run in C.

    Candidates come in batches from :class:`pymlcore.tune.TPESampler`: each batch
    (``max(1, n_jobs)`` candidates, every core when ``n_jobs`` is None) is
    evaluated as one run of the search engine, then the sampler is told each
    candidate's loss, ``-mean_test_<refit metric>``.  The first ``n_startup_jobs``
    candidates are random draws from the space.  Results are deterministic for a
    given ``random_state`` and ``n_jobs`` (the batch size).

    Parameters
    ----------
    estimator : estimator object
    param_distributions : dict of str -> pymlcore.tune.hp expression
        The search space, e.g. ``{"alpha": hp.loguniform("alpha", -5, 2)}``; a
        sampled dict value (a branch of ``hp.choice``) is merged into the
        parameters.
    n_iter : int, default=10
        Number of candidates.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, \
return_train_score
        As for :class:`GridSearchCV`.  With several metrics, ``refit`` names the
        one TPE optimises.
    random_state : int, RandomState instance or None, default=None
    n_startup_jobs, gamma, n_ei_candidates, prior_weight, multivariate, \
constant_liar
        Options of :class:`pymlcore.tune.TPESampler`: ``gamma`` defaults to 0.75,
        not Hyperopt's 0.25 (a larger good set; see ``TPESampler``).
        ``constant_liar`` (default True here) lets the candidates of one batch,
        asked before any is told, spread out instead of crowding the same region.

    Attributes
    ----------
    As :class:`RandomizedSearchCV`.
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_startup_jobs": [Interval(numbers.Integral, 0, None, closed="left")],
        "gamma": [Interval(numbers.Real, 0, 1, closed="right")],
        "n_ei_candidates": [Interval(numbers.Integral, 1, None, closed="left")],
        "prior_weight": [Interval(numbers.Real, 0, None, closed="neither")],
        "multivariate": ["boolean"],
        "constant_liar": ["boolean"],
    }

    def __init__(self, estimator, param_distributions, n_iter=10, *, scoring=None, n_jobs=None,
                 refit=True, cv=None, verbose=0, pre_dispatch="2*n_jobs", random_state=None,
                 error_score=np.nan, return_train_score=False, n_startup_jobs=20,
                 gamma=DEFAULT_GAMMA, n_ei_candidates=24, prior_weight=1.0, multivariate=False,
                 constant_liar=True):
        super().__init__(estimator=estimator, scoring=scoring, n_jobs=n_jobs, refit=refit,
                         cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
                         error_score=error_score, return_train_score=return_train_score)
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        self.n_startup_jobs = n_startup_jobs
        self.gamma = gamma
        self.n_ei_candidates = n_ei_candidates
        self.prior_weight = prior_weight
        self.multivariate = multivariate
        self.constant_liar = constant_liar

    def _objective_key(self):
        if isinstance(self.scoring, (list, tuple, set, dict)):
            if not isinstance(self.refit, str):
                raise ValueError("TPESearchCV with several metrics needs refit set to the "
                                 "name of the metric to optimise, got refit=%r" % (self.refit,))
            return f"mean_test_{self.refit}"
        return "mean_test_score"

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Ask a batch, evaluate it, tell the losses; n_iter candidates in all."""
        from ..tune import TPESampler

        key = self._objective_key()
        sampler = TPESampler(self.param_distributions,
                             seed=seed_from_random_state(self.random_state),
                             n_startup_jobs=self.n_startup_jobs, gamma=self.gamma,
                             n_ei_candidates=self.n_ei_candidates,
                             prior_weight=self.prior_weight, multivariate=self.multivariate,
                             constant_liar=self.constant_liar)
        batch = max(1, resolve_n_threads(self.n_jobs))
        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=self.n_iter * self.n_splits_,
                sequential_subtasks=False).call_on_fit_task_begin(estimator=self)
        done = 0
        while done < self.n_iter:
            asked = [sampler.ask() for _ in range(min(batch, self.n_iter - done))]
            results = evaluate_candidates([_flatten(params) for _, params in asked],
                                          callback_ctx=search_ctx)
            means = results[key][-len(asked):]
            for (trial_id, _), mean in zip(asked, means):
                # A failed candidate (NaN mean) is a failed trial, left out of the model.
                sampler.tell(trial_id, float(-mean) if np.isfinite(mean) else float("nan"))
            done += len(asked)
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
