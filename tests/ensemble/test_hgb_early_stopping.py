"""HistGradientBoosting early stopping on a scorer: several iterations per C
call, scored from the raw predictions the fit keeps, must stop where scoring
after every single iteration stops, with the same scores."""

import numpy as np
import pytest
from sklearn.base import ClassifierMixin
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import check_scoring
from sklearn.utils import resample

from pymlcore._engine import fit_core
from pymlcore.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from pymlcore.ensemble._hist_gradient_boosting import (_CORE, _SMALL_TRAINSET,
                                                       _iterations_until_stop_possible,
                                                       _should_stop, _trees_slice)


def one_iteration_per_fit(est, X, y, sample_weight, train_rows, validation_rows):
    """The previous implementation, kept as the oracle: one C call per iteration
    (warm start: re-binning and re-predicting), scored by predicting the scored
    rows with the whole model each time."""
    scorer = check_scoring(est, est.scoring)
    rows = np.arange(X.shape[0]) if train_rows is None else train_rows
    small = rows
    if rows.shape[0] > _SMALL_TRAINSET:
        stratify = y[rows] if isinstance(est, ClassifierMixin) else None
        small = resample(rows, n_samples=_SMALL_TRAINSET, replace=False,
                         random_state=est._random_seed, stratify=stratify)
    sets = [small] + ([] if validation_rows is None else [validation_rows])
    scores = [list(getattr(est, "train_score_", [])) if est._state is not None else [],
              list(getattr(est, "validation_score_", [])) if est._state is not None else []]

    def score_all():
        for k, r in enumerate(sets):
            kw = {} if sample_weight is None else {"sample_weight": sample_weight[r]}
            scores[k].append(scorer(est, X[r], est._decode(y[r]), **kw))

    first = est._state is None
    while True:
        n_done = 0 if est._state is None else int(est._state["meta"][2])
        if n_done >= est.max_iter:
            break
        est._state = fit_core(_CORE, est._core_params(n_done + 1, train_rows, None, False), X,
                              y, sample_weight=sample_weight, init=est._state,
                              n_jobs=est.n_jobs, random_state=est._random_seed)
        if first:
            full = est._state
            est._state = _trees_slice(full, 0, 0, est.n_trees_per_iteration_)
            score_all()
            est._state = full
            first = False
        score_all()
        reference = scores[1] if validation_rows is not None else scores[0]
        if _should_stop(reference, est.n_iter_no_change, est.tol):
            break
    est.train_score_ = np.asarray(scores[0], dtype=np.float64)
    est.validation_score_ = np.asarray(scores[1], dtype=np.float64)


def fit_both(make, X, y, sample_weight=None, warm_from=None):
    ours = make()
    oracle = make()
    oracle._fit_with_scorer = lambda *a: one_iteration_per_fit(oracle, *a)
    for est in (ours, oracle):
        if warm_from is not None:
            est.set_params(max_iter=warm_from, warm_start=True).fit(X, y, sample_weight)
            est.set_params(max_iter=make().max_iter)
        est.fit(X, y, sample_weight)
    return ours, oracle


def custom_score(estimator, X, y):
    # a callable scorer that predicts X itself: it gets the scored rows
    return -np.mean(np.abs(estimator.predict(X) - y))


CASES = [
    ("binary accuracy, 12k rows", lambda: HistGradientBoostingClassifier(
        max_iter=60, scoring="accuracy", early_stopping=True, n_iter_no_change=4,
        learning_rate=0.3, random_state=0), "clf2 large"),
    ("binary roc_auc, no validation set", lambda: HistGradientBoostingClassifier(
        max_iter=40, scoring="roc_auc", early_stopping=True, validation_fraction=None,
        n_iter_no_change=3, tol=3e-3, max_leaf_nodes=7, random_state=1), "clf2"),
    ("multiclass balanced_accuracy, weighted", lambda: HistGradientBoostingClassifier(
        max_iter=40, scoring="balanced_accuracy", early_stopping=True, n_iter_no_change=3,
        learning_rate=0.5, random_state=2, max_leaf_nodes=7), "clf3w"),
    ("regression r2", lambda: HistGradientBoostingRegressor(
        max_iter=80, scoring="r2", early_stopping=True, n_iter_no_change=5, tol=1e-4,
        learning_rate=0.5, random_state=3), "reg"),
    ("regression callable scorer", lambda: HistGradientBoostingRegressor(
        max_iter=40, scoring=custom_score, early_stopping=True, n_iter_no_change=2,
        tol=0.5, learning_rate=0.5, random_state=4), "reg"),
]


def data(kind):
    # more than 10,000 training rows only where the scored training subsample
    # is the point (the oracle refits once per iteration: slow)
    n = 12_500 if "large" in kind else 3000
    if kind == "reg":
        X, y = make_regression(n, 8, noise=20.0, random_state=0)
        return X, y, None
    X, y = make_classification(n, 8, n_informative=5, n_classes=3 if "3" in kind else 2,
                               flip_y=0.1, random_state=0)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if "w" in kind else None
    return X, y, w


@pytest.mark.parametrize("name, make, kind", CASES, ids=[c[0] for c in CASES])
def test_same_stop_and_scores_as_scoring_after_every_single_iteration(name, make, kind):
    X, y, w = data(kind)
    ours, oracle = fit_both(make, X, y, w)
    assert ours.n_iter_ == oracle.n_iter_ < make().max_iter  # it did stop early
    # the raw predictions are the same numbers (summed in the same order), so
    # the scores are equal; 1e-12 leaves room for a scorer's own summation
    np.testing.assert_allclose(ours.validation_score_, oracle.validation_score_, rtol=1e-12)
    np.testing.assert_allclose(ours.train_score_, oracle.train_score_, rtol=1e-12)
    assert len(ours.train_score_) == ours.n_iter_ + 1
    np.testing.assert_array_equal(ours.predict(X[:500]), oracle.predict(X[:500]))


def test_warm_start_with_a_scorer_continues_like_the_oracle():
    make = CASES[0][1]
    X, y, _ = data("clf2")
    ours, oracle = fit_both(make, X, y, warm_from=3)
    assert ours.n_iter_ < 60
    assert ours.n_iter_ == oracle.n_iter_
    np.testing.assert_allclose(ours.validation_score_, oracle.validation_score_, rtol=1e-12)
    np.testing.assert_array_equal(ours.predict(X[:500]), oracle.predict(X[:500]))


def test_scorer_on_the_kept_predictions_equals_the_loss_computed_in_c():
    # scoring='neg_log_loss' (Python scorer on the kept raw predictions) and
    # scoring='loss' (computed in C) are the same quantity when every training
    # row is scored (<= 10,000 rows): same stop, scores equal to rounding
    X, y = make_classification(3000, 6, flip_y=0.2, random_state=0)
    kw = dict(max_iter=200, early_stopping=True, n_iter_no_change=5, random_state=0,
              learning_rate=0.3)
    a = HistGradientBoostingClassifier(scoring="neg_log_loss", **kw).fit(X, y)
    b = HistGradientBoostingClassifier(scoring="loss", **kw).fit(X, y)
    assert a.n_iter_ == b.n_iter_ < 200
    np.testing.assert_allclose(a.validation_score_, b.validation_score_, rtol=1e-10)
    np.testing.assert_allclose(a.train_score_, b.train_score_, rtol=1e-10)
    assert "staged_raw" not in a._state and "raw" not in a._state  # not kept after fit


def test_iterations_until_stop_possible_never_skips_a_stop():
    # For random score paths: after each chunk the rule may fire only at the
    # chunk's last score, never inside it, and the chunk is the longest such.
    rng = np.random.default_rng(0)
    for trial in range(300):
        n, tol = int(rng.integers(1, 6)), float(rng.choice([0.0, 0.05]))
        path = list(np.cumsum(rng.normal(0.02, 0.1, 60)))
        known, pending = [], bool(trial % 2)
        pos = 0 if pending else 1  # where the next score of `path` comes from
        known = [] if pending else [path[0]]
        while pos < len(path) - 10:
            chunk = _iterations_until_stop_possible(known, n, tol, pending)
            new = chunk + int(pending)
            fired = [_should_stop(known + path[pos:pos + k], n, tol) for k in range(1, new + 1)]
            assert not any(fired[:-1])
            known += path[pos:pos + new]
            pos += new
            pending = False
            if fired[-1]:
                break
