"""Scorers: the C scorers (called as the C drivers call them, through
_core.score) equal the Python scorers and scikit-learn's; get_scorer /
make_scorer / check_scoring behave as scikit-learn's and work inside
scikit-learn's own model selection."""

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import sklearn.metrics
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_validate

import pymlcore.metrics as pm
from pymlcore import _core

C_SCORERS = {name: (method, fallback, is_cls) for name, method, fallback, is_cls in _core.scorers()}
N = 240


class _Fixed:
    """Returns stored outputs for the rows given as X (one column of row numbers)."""

    def fit(self, X, y=None):
        return self

    def _rows(self, X):
        return np.asarray(X)[:, 0].astype(np.int64)

    def predict(self, X):
        return self.outputs_["predict"][self._rows(X)]


class FixedClassifier(_Fixed, ClassifierMixin, BaseEstimator):
    def decision_function(self, X):
        return self.outputs_["decision_function"][self._rows(X)]

    def predict_proba(self, X):
        return self.outputs_["predict_proba"][self._rows(X)]


class FixedRegressor(_Fixed, RegressorMixin, BaseEstimator):
    pass


def _classifier(n_classes, seed):
    r = np.random.default_rng(seed)
    y = r.integers(0, n_classes, N)
    logits = np.round(r.normal(size=(N, n_classes)) + np.eye(n_classes)[y], 1)
    proba = np.exp(logits)
    proba /= proba.sum(axis=1, keepdims=True)
    est = FixedClassifier()
    est.classes_ = np.arange(n_classes)
    decision = logits[:, 1] - logits[:, 0] if n_classes == 2 else logits
    est.outputs_ = {
        "predict": np.argmax(proba, axis=1).astype(np.float64),
        "decision_function": decision,
        "predict_proba": proba,
    }
    return est, y


def _regressor(n_outputs, seed):
    r = np.random.default_rng(seed)
    shape = (N,) if n_outputs == 1 else (N, n_outputs)
    y = r.normal(2.0, 1.0, shape)
    est = FixedRegressor()
    est.outputs_ = {"predict": y + r.normal(0.0, 0.5, shape)}
    return est, y


def _cases(name):
    if C_SCORERS[name][2]:
        binary_only = name in ("f1", "precision", "recall", "roc_auc")
        return [(_classifier(k, seed), k) for k in ((2,) if binary_only else (2, 3))
                for seed in (0, 1)]
    return [(_regressor(k, seed), 0) for k in (1, 2) for seed in (0, 1)]


def _method(est, name):
    method, fallback, _ = C_SCORERS[name]
    return method if hasattr(est, method) else fallback


@pytest.mark.parametrize("name", sorted(C_SCORERS))
@pytest.mark.parametrize("weighted", [False, True])
def test_c_scorer_equals_python_and_sklearn(name, weighted):
    r = np.random.default_rng(5)
    rows = np.sort(r.choice(N, size=N // 2, replace=False)).astype(np.int64)
    for (est, y), n_classes in _cases(name):
        w = r.random(N) if weighted else None
        if weighted and name.startswith("roc_auc_ovo") and n_classes > 2:
            # scikit-learn has no sample_weight for one-vs-one: both refuse it.
            X = np.arange(N)[:, None]
            with pytest.raises(ValueError, match="sample_weight is not supported"):
                sklearn.metrics.get_scorer(name)(est, X, y, sample_weight=w)
            with pytest.raises(ValueError, match="sample_weight is not supported"):
                _core.score(name, y, w, None, est.predict_proba(X), n_classes)
            continue
        kw = {} if w is None else {"sample_weight": w[rows]}
        X = rows[:, None]
        ours = pm.get_scorer(name)
        assert ours._pmc_scorer == name
        py_value = ours(est, X, y[rows], **kw)
        sk_value = sklearn.metrics.get_scorer(name)(est, X, y[rows], **kw)
        # y_true read at `rows`, output compact: what a C driver hands over.
        output = getattr(est, _method(est, name))(X)
        c_value = _core.score(name, y, w, rows, output, n_classes)
        np.testing.assert_allclose(py_value, sk_value, rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(c_value, py_value, rtol=1e-12, equal_nan=True)
        # All rows (rows=None) and a float32 output view agree too.
        full = getattr(est, _method(est, name))(np.arange(N)[:, None])
        all_value = _core.score(name, y, w, None, full, n_classes)
        np.testing.assert_allclose(
            all_value, ours(est, np.arange(N)[:, None], y, **({} if w is None else
                                                              {"sample_weight": w})),
            rtol=1e-12,
        )
        if full.dtype == np.float64 and not C_SCORERS[name][2]:
            v32 = _core.score(name, y.astype(np.float32), w, None, full.astype(np.float32), 0)
            np.testing.assert_allclose(v32, all_value, rtol=1e-4)


def test_c_scorer_errors_match_sklearn():
    est, y = _classifier(3, 2)
    X = np.arange(N)[:, None]
    for name in ("f1", "precision", "roc_auc"):
        with pytest.raises(ValueError):
            sklearn.metrics.get_scorer(name)(est, X, y)
        with pytest.raises(ValueError):
            _core.score(name, y, None, None, getattr(est, _method(est, name))(X), 3)
    # A fold missing a class: log loss and multiclass AUC are undefined in both.
    rows = np.flatnonzero(y != 2).astype(np.int64)
    proba = est.predict_proba(X)[rows]
    for name in ("neg_log_loss", "roc_auc_ovr"):
        with pytest.raises(ValueError):
            sklearn.metrics.get_scorer(name)(est, X[rows], y[rows])
        with pytest.raises(ValueError):
            _core.score(name, y, None, rows, proba, 3)
    # Crafted indices never read out of bounds.
    with pytest.raises(ValueError, match="row index"):
        _core.score("accuracy", y, None, np.array([0, N + 5]), np.zeros(2), 3)
    with pytest.raises(ValueError, match="class index"):
        _core.score("f1_macro", y * 7, None, None, np.zeros(N), 3)
    with pytest.raises(ValueError, match="class index"):
        _core.score("neg_log_loss", y + 3, None, None, est.predict_proba(X), 3)
    with pytest.raises(ValueError, match="unknown scorer"):
        _core.score("nope", y, None, None, np.zeros(N), 3)
    with pytest.raises(ValueError, match="rows"):
        _core.score("accuracy", y, None, None, np.zeros(N - 1), 3)


def test_c_scorers_thread_safe():
    est, y = _classifier(3, 3)
    proba = est.predict_proba(np.arange(N)[:, None])
    expected = _core.score("roc_auc_ovo_weighted", y, None, None, proba, 3)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: _core.score("roc_auc_ovo_weighted", y, None, None,
                                                  proba, 3), range(32)))
    assert got == [expected] * 32


def test_get_scorer_and_names():
    assert pm.get_scorer_names() == sklearn.metrics.get_scorer_names()
    s = pm.get_scorer("neg_mean_squared_error")
    assert s._sign == -1 and s._score_func is pm.mean_squared_error
    assert pm.get_scorer("neg_mean_squared_error") is not s  # a copy each time
    # A scikit-learn name without a pymlcore metric: scikit-learn's scorer.
    other = pm.get_scorer("matthews_corrcoef")
    assert getattr(other, "_pmc_scorer", None) is None
    assert pm.get_scorer("f1_samples")._pmc_scorer is None
    with pytest.raises(ValueError, match="is not a valid scoring value"):
        pm.get_scorer("accuracy_typo")
    f = lambda est, X, y: 0.0  # noqa: E731
    assert pm.get_scorer(f) is f
    s2 = pickle.loads(pickle.dumps(pm.get_scorer("roc_auc_ovr")))
    assert s2._pmc_scorer == "roc_auc_ovr"


def test_make_scorer_names_its_c_twin():
    assert pm.make_scorer(pm.f1_score, average="macro")._pmc_scorer == "f1_macro"
    assert pm.make_scorer(pm.accuracy_score)._pmc_scorer == "accuracy"
    s = pm.make_scorer(pm.mean_absolute_error, greater_is_better=False)
    assert s._pmc_scorer == "neg_mean_absolute_error"
    assert pm.make_scorer(pm.f1_score, average="macro", zero_division=1)._pmc_scorer is None
    assert pm.make_scorer(pm.mean_absolute_error)._pmc_scorer is None  # sign differs
    assert pm.make_scorer(sklearn.metrics.accuracy_score)._pmc_scorer is None
    est, y = _classifier(3, 4)
    X = np.arange(N)[:, None]
    assert pm.make_scorer(pm.f1_score, average="macro")(est, X, y) == pytest.approx(
        sklearn.metrics.make_scorer(sklearn.metrics.f1_score, average="macro")(est, X, y),
        rel=1e-12,
    )


def test_check_scoring():
    est = LogisticRegression()
    assert pm.check_scoring(est, "accuracy")._pmc_scorer == "accuracy"
    multi = pm.check_scoring(est, ["accuracy", "f1_macro"])
    assert {k: v._pmc_scorer for k, v in multi._scorers.items()} == {
        "accuracy": "accuracy",
        "f1_macro": "f1_macro",
    }
    multi = pm.check_scoring(est, {"a": "roc_auc_ovr", "b": pm.get_scorer("r2")})
    assert multi._scorers["a"]._pmc_scorer == "roc_auc_ovr"
    with pytest.raises(ValueError, match="looks like it is a metric function"):
        pm.check_scoring(est, pm.accuracy_score)
    assert pm.check_scoring(est, None) is not None  # the estimator's score
    with pytest.raises(TypeError):
        pm.check_scoring(object(), None)


def test_usable_by_sklearn_model_selection():
    r = np.random.default_rng(6)
    X = r.normal(size=(120, 4))
    y = (X[:, 0] + 0.5 * r.normal(size=120) > 0).astype(int)
    names = ["accuracy", "roc_auc", "neg_log_loss", "f1", "average_precision"]
    ours = cross_validate(LogisticRegression(), X, y, cv=3,
                          scoring={n: pm.get_scorer(n) for n in names})
    theirs = cross_validate(LogisticRegression(), X, y, cv=3, scoring=names)
    for n in names:
        np.testing.assert_allclose(ours["test_" + n], theirs["test_" + n], rtol=1e-12)
    yr = X @ np.array([1.0, -2.0, 0.5, 0.0]) + r.normal(size=120)
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=3,
                          scoring=pm.get_scorer("neg_root_mean_squared_error")).fit(X, yr)
    ref = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=3,
                       scoring="neg_root_mean_squared_error").fit(X, yr)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               ref.cv_results_["mean_test_score"], rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_c_scorers_on_degenerate_folds():
    """Folds where scikit-learn returns nan or applies zero_division: same values."""
    est, y = _classifier(2, 7)
    X = np.arange(N)[:, None]
    one_class = np.flatnonzero(y == 0).astype(np.int64)
    no_positive_pred = np.flatnonzero(est.outputs_["predict"] == 0).astype(np.int64)
    for rows in (one_class, no_positive_pred, np.arange(1, dtype=np.int64)):
        for name in ("roc_auc", "average_precision", "f1", "precision", "recall",
                     "balanced_accuracy", "neg_brier_score", "accuracy"):
            sk = sklearn.metrics.get_scorer(name)
            try:
                expected = sk(est, X[rows], y[rows])
            except ValueError:
                with pytest.raises(ValueError):
                    _core.score(name, y, None, rows, getattr(est, _method(est, name))(X[rows]), 2)
                continue
            got = _core.score(name, y, None, rows, getattr(est, _method(est, name))(X[rows]), 2)
            np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True)
    est_r, yr = _regressor(1, 8)
    one = np.array([3], dtype=np.int64)
    assert np.isnan(_core.score("r2", yr, None, one, est_r.predict(X[one]), 0))
