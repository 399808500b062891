"""The bridge between the search classes and the C search engine (csrc/core/search).

A batch of candidates runs in C when every step of the estimator (a Pipeline of
transformers ending in an estimator, or one estimator) has the C protocol, every
scorer is a built-in C scorer, and nothing would make the C fits differ from the
ones scikit-learn makes per fold; :func:`plan_batch` returns None otherwise and
the caller takes the Python path (scikit-learn's own ``_fit_and_score``).

The C protocol (documented in ``pymlcore.grouped``) gives, for each candidate and
step, the C estimator name, parameter dict and inputs of a fit on the whole data:

- ``_core_fit_args(X, y=None, sample_weight=None)`` -> ``dict(name, params, X, y,
  sample_weight[, seed])``; ``seed`` (optional, default 0) is the seed the C fit
  draws from (``random_state``).  Each candidate's parameters come from a clone
  set to the candidate's values, so anything the protocol derives from them is
  honoured.  Steps after the first are asked with a zero-strided stand-in of
  their input (no memory), since their parameters never depend on the values.
  A classifier's ``y`` is class indices 0..k-1 (what the C scorers read); a
  transformer's C table has the ``transform`` method.

The Python path is taken, for the whole batch, when: a step lacks the protocol
or a candidate changes a step's class; a scorer is not a built-in C scorer (a
user callable), or its kind (classification/regression) differs from the final
estimator's; fit parameters other than ``sample_weight`` of a single estimator
are given; ``class_weight`` is set (its weights depend on each fold's y); y has
several outputs; some training fold lacks a class (scikit-learn would encode
that fold's labels differently); a binary scorer taking the label 1 as positive
meets labels without 1; or a candidate's parameters or the data fail validation
(scikit-learn then raises its own error, inside the fits, as it would).
"""

import re
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, RegressorMixin, clone, is_classifier, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.validation import _num_samples

from .. import _core
from .._engine import blas_limited, core_matrix, resolve_n_threads

_PROTOCOL = ("_core_fit_args", "_core_set_state", "_core_apply_args")
# Binary scorers that take classes_[1] as positive only when it is the label 1
# (scikit-learn's pos_label=1 default); for other labels the Python path gives
# scikit-learn's exact behaviour (an error, or its own choice).
_POS_LABEL_SCORERS = {"precision", "recall", "f1", "average_precision", "neg_brier_score",
                      "jaccard", "brier_score_loss"}


def _has_protocol(est):
    return all(callable(getattr(est, m, None)) for m in _PROTOCOL)


def chain_of(estimator):
    """The steps the C engine would run (transformers then the final estimator),
    or None when some step has no C protocol."""
    if isinstance(estimator, Pipeline):
        if getattr(estimator, "transform_input", None):
            return None
        steps = [step for _, step in estimator.steps]
    else:
        steps = [estimator]
    if any(step is None or isinstance(step, str) or not _has_protocol(step) for step in steps):
        return None
    return steps


def _default_scorer_name(estimator):
    """The C scorer equal to estimator.score, when score is the mixin's default."""
    final = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
    score = getattr(type(final), "score", None)
    if is_classifier(final) and score is ClassifierMixin.score:
        return "accuracy"
    if is_regressor(final) and score is RegressorMixin.score:
        return "r2"
    return None


def _scorer_name(scorer):
    if isinstance(scorer, str):
        return scorer
    name = getattr(scorer, "_pmc_scorer", None)
    return name if isinstance(name, str) else None


def c_scorers(scoring, estimator):
    """[(key, C scorer name)] for `scoring` (key "score" for one metric), or None
    when some scorer is not a built-in C scorer.  Validity of `scoring` itself is
    left to scikit-learn (its _get_scorers runs first)."""
    if scoring is None:
        names = [("score", _default_scorer_name(estimator))]
    elif isinstance(scoring, str) or callable(scoring):
        names = [("score", _scorer_name(scoring))]
    elif isinstance(scoring, (list, tuple, set)):
        names = [(s, _scorer_name(s)) for s in scoring]
    elif isinstance(scoring, dict):
        names = [(k, _scorer_name(v)) for k, v in scoring.items()]
    else:
        return None
    if any(name is None or _core.search_scorer(name) is None for _, name in names):
        return None
    return names


class Plan:
    """Everything one C run needs: steps, per-candidate parameters and seeds, the
    shared data, the folds and the scorers."""

    def __init__(self, steps, params, seeds, X, y, sample_weight, n_classes, scorers):
        self.steps, self.params, self.seeds = steps, params, seeds
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.n_classes, self.scorers = n_classes, scorers


def _stand_in(n_rows, sample):
    """A zero-strided (memory-free) array shaped like a step's input on the data."""
    return np.broadcast_to(np.zeros((1, sample.shape[1]), dtype=sample.dtype),
                           (n_rows, sample.shape[1]))


def plan_batch(base_estimator, candidate_params, X, y, splits, scoring, fit_params):
    """A Plan for running the candidates of one batch in C, or None (Python path).

    fit_params: the fit parameters of every fold's fit; only ``sample_weight`` of
    a single estimator (not a Pipeline, which routes it by step name) runs in C."""
    fit_params = dict(fit_params or {})
    sample_weight = fit_params.pop("sample_weight", None)
    if fit_params or not candidate_params or (
            sample_weight is not None and isinstance(base_estimator, Pipeline)):
        return None
    scorers = c_scorers(scoring, base_estimator)
    if scorers is None:
        return None
    estimators = []
    for params in candidate_params:
        est = clone(base_estimator).set_params(**clone(params, safe=False))
        steps = chain_of(est)
        if steps is None:
            return None
        estimators.append(steps)
    kinds = [type(s) for s in estimators[0]]
    if any([type(s) for s in steps] != kinds for steps in estimators):
        return None
    final = estimators[0][-1]
    classifier = is_classifier(final)
    if not classifier and not is_regressor(final):
        return None
    infos = [_core.search_scorer(name) for _, name in scorers]
    if any(bool(info[2]) != classifier for info in infos):
        return None  # e.g. a regression metric on class labels: Python computes it on labels

    n_rows = _num_samples(X)
    try:
        with warnings.catch_warnings():
            # The candidate's own warnings come from its fits (C or refit).
            warnings.simplefilter("ignore")
            X_c, y_c, w_c, step_names, params_out, seeds = None, None, None, None, [], []
            for steps in estimators:
                names, blocks, step_seeds = [], [], []
                current = X_c if isinstance(X_c, np.ndarray) else X
                sample = None  # a few rows of the current step's input
                for s, step in enumerate(steps):
                    last = s == len(steps) - 1
                    target = y if last else None
                    # fit's parameter validation (the protocol methods skip it);
                    # an invalid candidate gets scikit-learn's error in Python.
                    step._validate_params()
                    if s == 0:
                        args = step._core_fit_args(current, target, sample_weight)
                    else:
                        args = step._core_fit_args(_stand_in(n_rows, sample), target)
                    weight = args.get("sample_weight")
                    if weight is not None:
                        if sample_weight is None or getattr(step, "class_weight", None) is not None:
                            return None  # class_weight: weights depend on each fold's y
                        if w_c is None:
                            w_c = weight
                        elif not _same_input(w_c, weight):
                            return None
                    if s == 0:
                        if X_c is None:
                            X_c = args["X"]
                        elif not _same_input(X_c, args["X"]):
                            return None
                    if last:
                        if y_c is None:
                            y_c = args["y"]
                        elif not _same_input(y_c, args["y"]):
                            return None
                    else:
                        if s == 0:
                            if not isinstance(X_c, np.ndarray):
                                return None  # sparse input to a pipeline: Python path
                            sample = X_c[: min(3, n_rows)]
                        sample = _transformed_sample(step, sample)
                        if sample is None:
                            return None
                    names.append(args["name"])
                    blocks.append(args["params"])
                    step_seeds.append(int(args.get("seed", 0)) & 0xFFFFFFFFFFFFFFFF)
                if step_names is None:
                    step_names = names
                elif names != step_names:
                    return None
                params_out.append(blocks)
                seeds.append(step_seeds)
    except Exception:
        # Invalid data or parameters: the Python path raises scikit-learn's error
        # at the same point scikit-learn would (inside each fit, with error_score).
        return None
    if (isinstance(X_c, np.ndarray) and
            not all(get_tags(step).input_tags.allow_nan for step in estimators[0][1:])
            and not np.isfinite(X_c.sum())):
        # NaN or inf that the first step lets through would reach a step that
        # rejects it: the Python path raises scikit-learn's error for that step's
        # input.  (The sum needs no temporary; an overflow only costs the C path.)
        return None
    n_classes = 0
    if np.ndim(y_c) != 1:
        return None  # multi-output y: the C scorers read one column
    if classifier:
        y_c = np.asarray(y_c)
        if y_c.ndim != 1 or y_c.dtype.kind not in "iu":
            return None
        n_classes = int(y_c.max()) + 1 if y_c.size else 0
        classes = np.unique(np.asarray(y))
        # Each training fold must see every class, or scikit-learn's per-fold
        # encoding (and n_classes) would differ from the whole-data one.
        for train, _ in splits:
            if np.unique(y_c[train]).size != n_classes:
                return None
        if n_classes == 2 and not (classes.dtype.kind in "iuf" and classes[1] == 1):
            if any(name in _POS_LABEL_SCORERS for _, name in scorers):
                return None
    return Plan(step_names, params_out, np.asarray(seeds, dtype=np.uint64).reshape(-1),
                X_c, y_c, w_c, n_classes, scorers)


def _same_input(a, b):
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and all(
            x is y or (np.shape(x) == np.shape(y) and np.array_equal(x, y)) for x, y in zip(a, b))
    if a is b:
        return True
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


def _transformed_sample(step, rows):
    """The output of `step` fitted on a few input rows: its width and dtype are all
    the next step's parameters may depend on."""
    out = clone(step).fit(rows).transform(rows)
    if sp.issparse(out) or out.ndim != 2 or out.dtype not in (np.float32, np.float64):
        return None
    return out


# The PMC_SCORE_WARN_* bits of pmc/metrics.h.
_ZERO_DIVISION, _SINGLE_RESULT, _PRED_CLASSES, _FEW_SAMPLES, _SINGLE_LABEL = 1, 2, 4, 8, 16
# precision / recall / F1 scorer -> scikit-learn's (metric words, modifier)
_PRF_WORDS = {"precision": ("Precision is", "predicted"), "recall": ("Recall is", "true"),
              "f1": ("F-score is", "true nor predicted")}


def _warn_like_sklearn(name, bits):
    """Raises the warnings scikit-learn's scorer `name` raises on a fold where the
    C scorer reported `bits`: the same categories and words (its own helper for
    precision / recall / F-score), once per scorer call as scikit-learn does."""
    from sklearn.exceptions import UndefinedMetricWarning
    from sklearn.metrics._classification import _warn_prf

    if bits & _ZERO_DIVISION:
        metric, _, average = name.partition("_")
        msg_start, modifier = _PRF_WORDS[metric]
        # result_size only decides between "due to" (one ratio) and "in labels with"
        _warn_prf(average or "binary", modifier, msg_start, 1 if bits & _SINGLE_RESULT else 2)
    if bits & _SINGLE_LABEL:
        warnings.warn("A single label was found in 'y_true' and 'y_pred'. For the confusion "
                      "matrix to have the correct shape, use the 'labels' parameter to pass "
                      "all known labels.", UserWarning)
    if bits & _PRED_CLASSES:
        warnings.warn("y_pred contains classes not in y_true", UserWarning)
    if bits & _FEW_SAMPLES:
        warnings.warn("R^2 score is not well-defined with less than two samples.",
                      UndefinedMetricWarning)


def run_plan(plan, splits, n_jobs, return_train_score, error_score, candidate_params,
             weighted_scores=False):
    """Runs the plan in C; returns scikit-learn's per-task result dicts (the
    `_fit_and_score` format) in task order (candidate-major, as scikit-learn).
    weighted_scores: the scorers weight samples by the fits' sample_weight."""
    train = [np.ascontiguousarray(t, dtype=np.int64) for t, _ in splits]
    test = [np.ascontiguousarray(t, dtype=np.int64) for _, t in splits]
    n_threads = resolve_n_threads(n_jobs)
    raise_errors = isinstance(error_score, str) and error_score == "raise"
    n_folds = len(splits)
    try:
        with blas_limited(True):
            (test_scores, train_scores, fit_time, score_time, errors, warns, test_flags,
             train_flags) = _core.search(
                plan.steps, plan.params, plan.seeds, core_matrix(plan.X)
                if not isinstance(plan.X, tuple) else plan.X, plan.y, plan.sample_weight,
                train, test, [name for _, name in plan.scorers], plan.n_classes,
                bool(return_train_score), raise_errors, n_threads,
                bool(weighted_scores and plan.sample_weight is not None))
    except (ValueError, TypeError, MemoryError, RuntimeError) as error:
        match = re.match(r"candidate (\d+), fold (\d+): (.*)", str(error), re.S)
        if raise_errors and match:
            c = int(match.group(1))
            raise type(error)(f"{match.group(3)} (fit of candidate {c} on fold "
                              f"{match.group(2)}, parameters {candidate_params[c]})") from None
        raise
    for _, message in warns:
        warnings.warn(message, ConvergenceWarning)
    failures = {task: (kind, message, in_fit) for task, kind, message, in_fit in errors}
    single = len(plan.scorers) == 1 and plan.scorers[0][0] == "score"
    keys = [key for key, _ in plan.scorers]
    out = []
    for t in range(len(candidate_params) * n_folds):
        result = {"n_test_samples": test[t % n_folds].shape[0], "fit_time": float(fit_time[t]),
                  "score_time": float(score_time[t]), "fit_error": None}
        scores = {k: float(v) for k, v in zip(keys, test_scores[t])}
        train_s = {k: float(v) for k, v in zip(keys, train_scores[t])} if return_train_score \
            else None
        if t in failures:
            kind, message, in_fit = failures[t]
            scores = {k: error_score for k in keys}
            train_s = {k: error_score for k in keys} if return_train_score else None
            if in_fit:
                result["fit_error"] = f"{kind}: {message}"
            else:
                warnings.warn(
                    "Scoring failed. The score on this train-test partition for these "
                    f"parameters will be set to {error_score}. Details: \n{kind}: {message}",
                    UserWarning)
        for flags in (test_flags[t], train_flags[t] if return_train_score else ()):
            for (_, name), bits in zip(plan.scorers, flags):
                if bits:
                    _warn_like_sklearn(name, int(bits))
        result["test_scores"] = scores["score"] if single else scores
        if return_train_score:
            result["train_scores"] = train_s["score"] if single else train_s
        out.append(result)
    return out
