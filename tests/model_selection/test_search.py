"""GridSearchCV / RandomizedSearchCV / cross_validate through the C search engine:
cv_results_ equal to scikit-learn's own search classes over the same pymlcore
estimators (same candidates, same splits), the Python path for what C cannot
run, error_score, determinism across n_jobs, scikit-learn's errors, and the C
protocol methods of the estimators this engine added them to."""

import re
import warnings

import numpy as np
import pytest
import scipy.stats as stats
from sklearn import model_selection as skms
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import make_scorer, mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from _helpers import traced_peak

import pymlcore.model_selection._search as search_module
import pymlcore.model_selection._validation as validation_module
from pymlcore._engine import fit_core
from pymlcore.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge
from pymlcore.model_selection import (GridSearchCV, KFold, RandomizedSearchCV,
                                      StratifiedKFold, cross_val_score, cross_validate)
from pymlcore.preprocessing import StandardScaler

# The C tasks fit on fold rows in place (pmc_rows over the shared X) while
# scikit-learn's loop fits the same C estimators on X[train] copies: the same
# arithmetic, except that blocked reductions may group rows differently, so
# scores agree to rounding.  1e-9 relative is far below any score difference
# that could change a ranking here.
RTOL, ATOL = 1e-9, 1e-12


def regression_data(n=240, p=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) * rng.uniform(0.5, 3, p) + rng.uniform(-2, 2, p)
    y = X @ rng.randn(p) + 0.5 * rng.randn(n)
    return X, y


def classification_data(n=240, p=5, n_classes=2, seed=0, labels=None):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    scores = X @ rng.randn(p, n_classes) + rng.randn(n, n_classes)
    y = scores.argmax(axis=1)
    if labels is not None:
        y = np.asarray(labels)[y]
    return X, y


@pytest.fixture
def c_runs(monkeypatch):
    """Counts the batches the C engine ran."""
    calls = []
    real = search_module.run_plan

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "run_plan", spy)
    monkeypatch.setattr(validation_module, "run_plan", spy)
    return calls


def assert_same_results(ours, ref):
    assert sorted(ours.cv_results_) == sorted(ref.cv_results_)
    for key, theirs in ref.cv_results_.items():
        mine = ours.cv_results_[key]
        if key == "params":
            assert mine == theirs
            continue
        assert type(mine) is type(theirs), key
        assert np.asarray(mine).dtype == np.asarray(theirs).dtype, key
        if isinstance(theirs, np.ma.MaskedArray):
            np.testing.assert_array_equal(mine.mask, theirs.mask)
            assert list(mine.data) == list(theirs.data), key
        elif "time" not in key:
            np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL, err_msg=key)
    for attr in ("best_index_", "best_params_", "n_splits_", "multimetric_"):
        assert getattr(ours, attr) == getattr(ref, attr), attr
    if hasattr(ref, "best_score_"):
        np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=RTOL)


CASES = {
    "ridge": (Ridge(), {"alpha": [1e-3, 1.0, 30.0], "fit_intercept": [True, False]},
              "neg_mean_squared_error", regression_data),
    "lasso": (Lasso(tol=1e-10, max_iter=5000), {"alpha": [0.01, 0.1]}, "r2",
              regression_data),
    "logistic": (LogisticRegression(), {"C": [0.01, 1.0, 100.0]}, None, classification_data),
    "multiclass": (LogisticRegression(max_iter=500), {"C": [0.1, 10.0]}, "neg_log_loss",
                   lambda: classification_data(n_classes=3, labels=["a", "b", "c"])),
    "roc_auc": (LogisticRegression(), {"C": [0.01, 1.0], "fit_intercept": [True, False]},
                ["roc_auc", "average_precision", "f1"], classification_data),
    "pipeline": (make_pipeline(StandardScaler(), LogisticRegression()),
                 {"logisticregression__C": [0.05, 5.0], "standardscaler__with_std": [True,
                                                                                      False]},
                 ["accuracy", "neg_log_loss"], classification_data),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_grid_search_equals_sklearn(case, c_runs):
    estimator, grid, scoring, data = CASES[case]
    X, y = data()
    refit = scoring[-1] if isinstance(scoring, list) else True
    kwargs = dict(scoring=scoring, cv=4, return_train_score=True, refit=refit)
    ours = GridSearchCV(estimator, grid, n_jobs=2, **kwargs).fit(X, y)
    assert c_runs, "the C engine should run this search"
    ref = skms.GridSearchCV(estimator, grid, **kwargs).fit(X, y)
    assert_same_results(ours, ref)
    # refit, delegation and scorer_ are scikit-learn's own
    np.testing.assert_allclose(ours.predict(X[:20]) if y.dtype.kind == "f" else 0,
                               ref.predict(X[:20]) if y.dtype.kind == "f" else 0, rtol=1e-12)
    if y.dtype.kind != "f":
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
        np.testing.assert_array_equal(ours.classes_, ref.classes_)
        np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-12)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-12)
    assert ours.refit_time_ >= 0
    assert type(ours.scorer_) is type(ref.scorer_)


def test_sample_weight(c_runs):
    X, y = regression_data()
    w = np.random.RandomState(1).uniform(0.1, 3.0, len(y))
    grid = {"alpha": [0.1, 10.0]}
    kwargs = dict(scoring=["r2", "neg_mean_squared_error"], refit="r2", cv=3,
                  return_train_score=True)
    # scikit-learn weights the fits and (its scorers accepting it) the scores
    ours = GridSearchCV(Ridge(), grid, **kwargs).fit(X, y, sample_weight=w)
    assert len(c_runs) == 1
    ref = skms.GridSearchCV(Ridge(), grid, **kwargs).fit(X, y, sample_weight=w)
    assert_same_results(ours, ref)
    unweighted = skms.GridSearchCV(Ridge(), grid, **kwargs).fit(X, y)
    assert not np.allclose(ref.cv_results_["mean_test_r2"], unweighted.cv_results_["mean_test_r2"])
    # cross_validate without metadata routing: weighted fits, unweighted scores
    ours = cross_validate(Ridge(), X, y, cv=3, params={"sample_weight": w})
    assert len(c_runs) == 2
    ref = skms.cross_validate(Ridge(), X, y, cv=3, params={"sample_weight": w})
    np.testing.assert_allclose(ours["test_score"], ref["test_score"], rtol=RTOL)


def test_sparse_input_and_frames(c_runs):
    import pandas as pd
    import scipy.sparse as sp

    X, y = regression_data()
    X[np.abs(X) < 1.0] = 0.0
    grid = {"alpha": [0.1, 10.0]}
    for data in (sp.csr_matrix(X), pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])):
        before = len(c_runs)
        ours = GridSearchCV(Ridge(), grid, cv=3, scoring="r2").fit(data, y)
        assert len(c_runs) == before + 1
        ref = skms.GridSearchCV(Ridge(), grid, cv=3, scoring="r2").fit(data, y)
        assert_same_results(ours, ref)
    assert list(ours.feature_names_in_) == [f"f{i}" for i in range(6)]


def test_multi_output_takes_python_path(c_runs):
    X, y = regression_data()
    Y = np.column_stack([y, -2 * y + 1])
    ours = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=3).fit(X, Y)
    assert not c_runs
    ref = skms.GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=3).fit(X, Y)
    assert_same_results(ours, ref)


def test_multimetric_dict_and_callable_refit(c_runs):
    X, y = regression_data()
    scoring = {"mse": "neg_mean_squared_error", "r2": "r2"}

    def refit(results):  # the smallest alpha among the best two by r2
        order = np.argsort(results["rank_test_r2"])[:2]
        return int(order[np.argmin(np.asarray(results["param_alpha"])[order])])

    grid = {"alpha": [0.1, 10.0, 300.0]}
    ours = GridSearchCV(Ridge(), grid, scoring=scoring, refit=refit, cv=3).fit(X, y)
    assert c_runs
    ref = skms.GridSearchCV(Ridge(), grid, scoring=scoring, refit=refit, cv=3).fit(X, y)
    assert_same_results(ours, ref)
    assert not hasattr(ours, "best_score_")
    assert set(ours.scorer_) == {"mse", "r2"}


def test_callable_scorer_takes_python_path_with_same_results(c_runs):
    X, y = regression_data()
    grid = {"alpha": [0.1, 10.0]}
    by_name = GridSearchCV(Ridge(), grid, scoring="neg_mean_squared_error", cv=3).fit(X, y)
    assert len(c_runs) == 1
    scorer = make_scorer(mean_squared_error, greater_is_better=False)
    by_callable = GridSearchCV(Ridge(), grid, scoring=scorer, cv=3).fit(X, y)
    assert len(c_runs) == 1  # no C run: a user callable is Python's
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_allclose(by_name.cv_results_[key], by_callable.cv_results_[key],
                                   rtol=RTOL)


def test_pymlcore_scorer_objects_run_in_c(c_runs):
    from pymlcore.metrics import get_scorer

    X, y = classification_data(labels=[0, 1])
    grid = {"C": [0.1, 10.0]}
    scoring = {"auc": get_scorer("roc_auc"), "acc": get_scorer("accuracy")}
    ours = GridSearchCV(LogisticRegression(), grid, scoring=scoring, refit="auc").fit(X, y)
    assert c_runs
    ref = skms.GridSearchCV(LogisticRegression(), grid, scoring=["roc_auc", "accuracy"],
                            refit="roc_auc").fit(X, y)
    for ours_key, ref_key in (("auc", "roc_auc"), ("acc", "accuracy")):
        np.testing.assert_allclose(ours.cv_results_[f"split3_test_{ours_key}"],
                                   ref.cv_results_[f"split3_test_{ref_key}"], rtol=RTOL)
        np.testing.assert_allclose(ours.cv_results_[f"mean_test_{ours_key}"],
                                   ref.cv_results_[f"mean_test_{ref_key}"], rtol=RTOL)


def test_pos_label_scorer_with_other_labels_takes_python_path(c_runs):
    # f1 takes the label 1 as positive: with labels {-1, 2} scikit-learn fails
    # every fit's scoring, and the Python path reproduces exactly that.
    X, y = classification_data(labels=[-1, 2])
    kwargs = dict(scoring="f1", cv=3, error_score=-1.0)
    with pytest.warns(UserWarning):
        ours = GridSearchCV(LogisticRegression(), {"C": [1.0]}, **kwargs).fit(X, y)
    assert not c_runs
    with pytest.warns(UserWarning):
        ref = skms.GridSearchCV(LogisticRegression(), {"C": [1.0]}, **kwargs).fit(X, y)
    assert_same_results(ours, ref)


def test_fold_missing_a_class_takes_python_path(c_runs):
    X, y = classification_data(n=60, n_classes=3)
    y = y.copy()
    y[:3] = 7  # a rare class absent from some training folds
    cv = KFold(3)  # unshuffled: the first fold holds every sample of class 7
    grid = {"C": [0.5, 2.0]}
    ours = GridSearchCV(LogisticRegression(), grid, cv=cv).fit(X, y)
    assert not c_runs
    ref = skms.GridSearchCV(LogisticRegression(), grid, cv=cv).fit(X, y)
    assert_same_results(ours, ref)


def _bad_gram_search(error_score, n_jobs=1):
    X, y = regression_data(n=60, p=3)
    gram = np.eye(3) * 5.0  # inconsistent with X: every fit with it fails
    grid = {"precompute": [False, gram], "alpha": [0.1]}
    return X, y, grid, dict(scoring="r2", cv=3, error_score=error_score, n_jobs=n_jobs)


def test_error_score_number(c_runs):
    X, y, grid, kwargs = _bad_gram_search(-5.0)
    est = ElasticNet(fit_intercept=False)
    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 6") as record:
        ours = GridSearchCV(est, grid, **kwargs).fit(X, y)
    assert c_runs
    assert any("Gram matrix passed in via 'precompute'" in str(w.message) for w in record)
    with pytest.warns(FitFailedWarning):
        ref = skms.GridSearchCV(est, grid, **kwargs).fit(X, y)
    assert_same_results(ours, ref)
    assert list(ours.cv_results_["split1_test_score"][1:]) == [-5.0]


def test_error_score_raise_names_the_candidate(c_runs):
    X, y, grid, kwargs = _bad_gram_search("raise")
    est = ElasticNet(fit_intercept=False)
    with pytest.raises(ValueError, match="Gram matrix") as info:
        GridSearchCV(est, grid, **kwargs).fit(X, y)
    assert c_runs
    assert re.search(r"candidate 1 on fold 0, parameters \{'alpha': 0.1, 'precompute'",
                     str(info.value))
    with pytest.raises(ValueError, match="Gram matrix"):
        skms.GridSearchCV(est, grid, **kwargs).fit(X, y)


def test_all_fits_failing_raises_as_sklearn(c_runs):
    X, y = regression_data(n=60, p=3)
    grid = {"precompute": [np.eye(3) * 5.0]}
    with pytest.raises(ValueError, match="All the 3 fits failed"):
        GridSearchCV(ElasticNet(fit_intercept=False), grid, cv=3).fit(X, y)
    assert c_runs


def test_n_jobs_determinism():
    X, y = classification_data(n=300, n_classes=3)
    grid = {"logisticregression__C": [0.1, 1.0, 10.0]}
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    runs = [GridSearchCV(pipe, grid, scoring=["accuracy", "neg_log_loss"], refit="accuracy",
                         cv=5, n_jobs=n_jobs).fit(X, y).cv_results_ for n_jobs in (1, 2, -1)]
    for other in runs[1:]:
        for key in runs[0]:
            if "test" in key:
                np.testing.assert_array_equal(runs[0][key], other[key])


def test_randomized_search_equals_sklearn(c_runs):
    X, y = regression_data()
    dists = {"alpha": stats.loguniform(1e-3, 1e2), "fit_intercept": [True, False]}
    kwargs = dict(n_iter=7, cv=skms.ShuffleSplit(4, test_size=0.3, random_state=1),
                  random_state=42, scoring="r2")
    ours = RandomizedSearchCV(Ridge(), dists, **kwargs).fit(X, y)
    assert c_runs
    ref = skms.RandomizedSearchCV(Ridge(), dists, **kwargs).fit(X, y)
    assert_same_results(ours, ref)


def test_cross_validate_equals_sklearn(c_runs):
    X, y = classification_data()
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=0.3))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    kwargs = dict(scoring=["accuracy", "neg_log_loss"], cv=cv, return_train_score=True,
                  return_indices=True)
    ours = cross_validate(pipe, X, y, **kwargs)
    assert c_runs
    ref = skms.cross_validate(pipe, X, y, **kwargs)
    assert sorted(ours) == sorted(ref)
    for key in ref:
        if key == "indices":
            for part in ("train", "test"):
                for a, b in zip(ours[key][part], ref[key][part]):
                    np.testing.assert_array_equal(a, b)
        elif "time" not in key:
            np.testing.assert_allclose(ours[key], ref[key], rtol=RTOL, err_msg=key)
    X, y = regression_data()
    np.testing.assert_allclose(cross_val_score(Ridge(), X, y, cv=4),
                               skms.cross_val_score(Ridge(), X, y, cv=4), rtol=RTOL)
    # return_estimator: scikit-learn's own function (C keeps no fold models)
    fitted = cross_validate(Ridge(), X, y, cv=3, return_estimator=True)["estimator"]
    assert len(fitted) == 3 and all(isinstance(e, Ridge) for e in fitted)


@pytest.mark.parametrize("kwargs, match", [
    ({"scoring": "no_such_scorer"}, "scoring"),
    ({"cv": "five"}, "cv"),
    ({"error_score": "ignore"}, "error_score"),
    ({"n_jobs": 1.5}, "n_jobs"),
])
def test_bad_parameters_raise_sklearns_errors(kwargs, match):
    X, y = regression_data(n=40)
    with pytest.raises(InvalidParameterError, match=match):
        skms.GridSearchCV(Ridge(), {"alpha": [1.0]}, **kwargs).fit(X, y)
    with pytest.raises(InvalidParameterError, match=match):
        GridSearchCV(Ridge(), {"alpha": [1.0]}, **kwargs).fit(X, y)


def test_bad_refit_and_bad_candidate_raise_sklearns_errors():
    X, y = regression_data(n=40)
    message = "For multi-metric scoring, the parameter refit must be set to a scorer key"
    with pytest.raises(ValueError, match=message):
        GridSearchCV(Ridge(), {"alpha": [1.0]}, scoring=["r2", "neg_mean_squared_error"],
                     refit="accuracy").fit(X, y)
    # A candidate value the estimator rejects: scikit-learn's validation error
    # from inside the fits (error_score='raise' to see it).
    with pytest.raises(InvalidParameterError, match="alpha"):
        GridSearchCV(Ridge(), {"alpha": [-1.0]}, error_score="raise").fit(X, y)
    with pytest.raises(ValueError, match="All the 5 fits failed"):
        GridSearchCV(Ridge(), {"alpha": [-1.0]}).fit(X, y)


@pytest.mark.parametrize("layout", ["C", "F", "strided", "float32"])
def test_fold_copies_in_any_layout(layout, c_runs):
    """The C engine copies each fold's rows of a dense X once, in X's dtype, into
    compact buffers all candidates share, or reads them in place when they are one
    run of rows (KFold(2)): results equal scikit-learn's loop over the same
    estimators whatever X's layout, with and without a transformer."""
    X, y = classification_data(n=300, p=6)
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "strided":
        X = np.repeat(X, 2, axis=1)[:, ::2]
    elif layout == "float32":
        X = X.astype(np.float32)
    w = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    for est, cv in [(LogisticRegression(), 4), (LogisticRegression(), KFold(2)),
                    (make_pipeline(StandardScaler(), LogisticRegression()), 4),
                    (make_pipeline(StandardScaler(), LogisticRegression()), KFold(2))]:
        key = "C" if isinstance(est, LogisticRegression) else "logisticregression__C"
        grid = {key: [0.05, 1.0, 20.0]}
        before = len(c_runs)
        ours = GridSearchCV(est, grid, cv=cv, scoring="neg_log_loss", n_jobs=2,
                            return_train_score=True).fit(X, y)
        assert len(c_runs) == before + 1
        ref = skms.GridSearchCV(est, grid, cv=cv, scoring="neg_log_loss",
                                return_train_score=True).fit(X, y)
        if layout == "float32":
            # The estimator's own predict_proba rounds to float32 (X's dtype);
            # the engine scores the float64 probabilities: agreement to float32.
            for key in ("mean_test_score", "split0_test_score", "mean_train_score"):
                np.testing.assert_allclose(ours.cv_results_[key], ref.cv_results_[key],
                                           rtol=1e-6, err_msg=key)
            assert ours.best_params_ == ref.best_params_
        else:
            assert_same_results(ours, ref)
    ours = cross_validate(LogisticRegression(), X, y, cv=3, params={"sample_weight": w})
    ref = skms.cross_validate(LogisticRegression(), X, y, cv=3, params={"sample_weight": w})
    np.testing.assert_allclose(ours["test_score"], ref["test_score"], rtol=RTOL)


def test_fold_data_is_not_copied():
    """Python hands X to the C path in place (the engine's own compact fold copies
    are made in C, once per fold, not per fit): peak extra Python memory stays far
    below X's size."""
    X, y = regression_data(n=20000, p=50)
    grid = {"alpha": [0.1, 1.0, 10.0, 100.0]}
    search = GridSearchCV(Ridge(), grid, cv=5, n_jobs=1, refit=False)
    search.fit(X[:200], y[:200])  # warm-up
    peak = traced_peak(lambda: search.fit(X, y))
    # scikit-learn's loop copies X[train] (80% of X) for each of the 20 fits; here
    # Python allocates only the fold index arrays (about 1 MB).
    assert peak < 0.25 * X.nbytes, peak


# ---- the C protocol of the estimators extended for the engine ---------------------------

@pytest.mark.parametrize("make, data", [
    (lambda: LogisticRegression(C=0.5), lambda: classification_data(labels=[-3, 8])),
    (lambda: LogisticRegression(max_iter=300),
     lambda: classification_data(n_classes=3, labels=["x", "y", "z"])),
    (lambda: Lasso(alpha=0.05), regression_data),
    (lambda: ElasticNet(alpha=0.05, l1_ratio=0.3, selection="random", random_state=3),
     regression_data),
    (lambda: StandardScaler(), lambda: (regression_data()[0], None)),
    (lambda: StandardScaler(with_mean=False), lambda: (regression_data()[0], None)),
], ids=["logistic-binary", "logistic-multiclass", "lasso", "elasticnet", "scaler",
        "scaler-no-mean"])
def test_protocol_gives_the_fitted_state_of_fit(make, data):
    X, y = data()
    est = make()
    args = est._core_fit_args(X, y)
    assert set(args) >= {"name", "params", "X", "y", "sample_weight"}
    assert args["X"] is X  # float64 C-ordered X crosses as is
    if y is not None and isinstance(est, LogisticRegression):
        np.testing.assert_array_equal(est.classes_ if hasattr(est, "classes_")
                                      else np.unique(y)[args["y"]], y)
    state = fit_core(args["name"], args["params"], args["X"], args["y"],
                     args["sample_weight"],
                     random_state=args.get("seed", 0))
    est._core_set_state(state)
    ref = make().fit(X, y)
    fitted = [k for k in vars(ref) if k.endswith("_") and not k.startswith("_")]
    assert fitted
    for key in fitted:
        a, b = getattr(est, key), getattr(ref, key)
        if b is None:
            assert a is None, key
        else:
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=key)
            assert np.asarray(a).dtype == np.asarray(b).dtype, key
    method = "transform" if isinstance(est, StandardScaler) else "predict"
    apply_args = est._core_apply_args(method, X)
    assert apply_args["name"] == args["name"] and apply_args["method"] == method


def test_protocol_errors_are_fits_errors():
    X, y = classification_data()
    with pytest.raises(ValueError, match="at least 2 classes"):
        LogisticRegression()._core_fit_args(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        Lasso()._core_fit_args(np.full((5, 2), np.nan), np.ones(5))
    import scipy.sparse as sp
    with pytest.raises(ValueError, match="Cannot center sparse matrices"):
        StandardScaler()._core_fit_args(sp.csr_matrix(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        StandardScaler(with_mean=False)._core_fit_args(sp.csr_matrix(X))


def test_custom_run_search_subclass(c_runs):
    # A user subclass choosing its own batches, in scikit-learn's older signature.
    class TwoBatches(GridSearchCV):
        def _run_search(self, evaluate_candidates):
            evaluate_candidates([{"alpha": 0.1}, {"alpha": 1.0}])
            results = evaluate_candidates([{"alpha": 10.0}])
            assert len(results["params"]) == 3

    X, y = regression_data()
    search = TwoBatches(Ridge(), {}, cv=3).fit(X, y)
    assert len(c_runs) == 2
    ref = skms.GridSearchCV(Ridge(), {"alpha": [0.1, 1.0, 10.0]}, cv=3).fit(X, y)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               ref.cv_results_["mean_test_score"], rtol=RTOL)
    assert search.best_params_ == ref.best_params_


# ---- scikit-learn's scorer warnings from the C scorers -------------------------------------

def _recorded(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return [(type(w.message).__name__, str(w.message)) for w in caught]


def _rare_positive_data():
    rng = np.random.RandomState(0)
    X = rng.randn(90, 3)
    y = (X[:, 0] > 1.0).astype(int)  # about 15 positives
    y[:30] = 0                        # the first test fold holds negatives only
    zeros = np.flatnonzero(np.arange(90) < 30)
    cv = [(np.setdiff1d(np.arange(90), zeros), zeros),
          (np.arange(45), np.arange(45, 90)), (np.arange(45, 90), np.arange(45))]
    return X, y, cv


@pytest.mark.parametrize("scoring", [
    "precision", "recall", "f1", "precision_macro", "recall_weighted", "precision_weighted",
    "balanced_accuracy", ["precision", "recall", "f1_macro"]])
def test_scorer_warnings_as_sklearn(scoring, c_runs):
    """Undefined precision / recall / F-score (zero_division="warn") and classes
    predicted but absent from y_true: the C scorers report them and the search
    raises scikit-learn's warnings, same category, words and count (one per
    scorer call, test then train scores, task by task)."""
    X, y, cv = _rare_positive_data()
    grid = {"C": [1e-4, 1.0]}  # C=1e-4 predicts no positives at all
    refit = "precision" if isinstance(scoring, list) else True
    kwargs = dict(cv=cv, scoring=scoring, refit=refit, return_train_score=True)
    ours = _recorded(lambda: GridSearchCV(LogisticRegression(), grid, **kwargs).fit(X, y))
    assert len(c_runs) == 1
    theirs = _recorded(
        lambda: skms.GridSearchCV(LogisticRegression(), grid, **kwargs).fit(X, y))
    assert theirs, "the data must make scikit-learn warn"
    assert ours == theirs


def test_r2_warning_with_one_test_sample(c_runs):
    X, y = regression_data(n=12, p=3)
    cv = skms.LeaveOneOut()
    ours = _recorded(lambda: GridSearchCV(Ridge(), {"alpha": [1.0]}, cv=cv, scoring="r2").fit(X, y))
    assert len(c_runs) == 1
    theirs = _recorded(
        lambda: skms.GridSearchCV(Ridge(), {"alpha": [1.0]}, cv=cv, scoring="r2").fit(X, y))
    assert ours == theirs and len(theirs) >= 12


# ---- candidates fitted together ---------------------------------------------------------------

@pytest.mark.parametrize("n_classes", [2, 3])
def test_batched_logistic_grid_as_sklearn(n_classes, c_runs):
    """LogisticRegression candidates that differ only in C are fitted together on
    each fold (their L-BFGS runs in lockstep, one pass over X per round): the
    scores equal scikit-learn's, do not depend on n_jobs, and every candidate that
    stops at max_iter warns as scikit-learn's fit does."""
    X, y = classification_data(n=400, n_classes=n_classes)
    grid = {"C": np.logspace(-3, 2, 6), "fit_intercept": [True, False]}
    est = LogisticRegression(max_iter=6)  # the weakly regularised fits do not converge
    kwargs = dict(cv=4, scoring="neg_log_loss", return_train_score=True)
    runs = []
    for n_jobs in (1, 2):
        found = {}
        caught = _recorded(lambda: found.setdefault(
            "search", GridSearchCV(est, grid, n_jobs=n_jobs, **kwargs).fit(X, y)))
        runs.append((found["search"], caught))
    assert c_runs
    ref_found = {}
    ref_caught = _recorded(lambda: ref_found.setdefault(
        "search", skms.GridSearchCV(est, grid, **kwargs).fit(X, y)))
    ours, caught = runs[0]
    assert_same_results(ours, ref_found["search"])
    for key in ours.cv_results_:
        if "test_score" in key or "train_score" in key:
            np.testing.assert_array_equal(ours.cv_results_[key], runs[1][0].cv_results_[key])
    convergence = [w for w in caught if w[0] == "ConvergenceWarning"]
    ref_convergence = [w for w in ref_caught if w[0] == "ConvergenceWarning"]
    assert len(convergence) == len(ref_convergence) > 0
    assert sorted(caught) == sorted(runs[1][1])
