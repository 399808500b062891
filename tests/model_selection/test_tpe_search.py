"""TPESearchCV: batches of TPE candidates evaluated by the search engine; the
same cv_results_ layout as RandomizedSearchCV, better candidates after the random
startup ones on an easy problem, deterministic for a seed, conditional spaces."""

import math

import numpy as np
import pytest
import scipy.stats as stats
from sklearn import model_selection as skms
from sklearn.pipeline import make_pipeline

import pymlcore.model_selection._search as search_module
from pymlcore.linear_model import Lasso, LogisticRegression, Ridge
from pymlcore.model_selection import RandomizedSearchCV, TPESearchCV
from pymlcore.preprocessing import StandardScaler
from pymlcore.tune import hp


def data(n=200, p=30, seed=0):
    # Few informative features among many noisy ones: the best Lasso alpha sits in
    # a narrow band of a wide log-range, which random draws rarely hit.
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    y = X[:, :3] @ np.array([3.0, -2.0, 1.5]) + 0.5 * rng.randn(n)
    return X, y


SPACE = {"alpha": hp.loguniform("alpha", math.log(1e-4), math.log(1e2))}


def test_layout_like_randomized_search(monkeypatch):
    calls = []
    real = search_module.run_plan
    monkeypatch.setattr(search_module, "run_plan",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    X, y = data()
    tpe = TPESearchCV(Lasso(), SPACE, n_iter=6, cv=3, random_state=0, n_jobs=2,
                      n_startup_jobs=4, return_train_score=True).fit(X, y)
    assert len(calls) == 3  # batches of n_jobs = 2 candidates, each one C run
    rand = skms.RandomizedSearchCV(Lasso(), {"alpha": [0.1, 1.0]}, n_iter=2, cv=3,
                                   return_train_score=True).fit(X, y)
    assert sorted(tpe.cv_results_) == sorted(rand.cv_results_)
    for key, value in rand.cv_results_.items():
        assert type(tpe.cv_results_[key]) is type(value), key
        if key != "params":
            assert np.asarray(tpe.cv_results_[key]).dtype == np.asarray(value).dtype, key
    assert len(tpe.cv_results_["params"]) == 6
    assert tpe.best_params_ == tpe.cv_results_["params"][tpe.best_index_]
    assert tpe.best_score_ == tpe.cv_results_["mean_test_score"].max()
    assert isinstance(tpe.best_estimator_, Lasso)
    assert tpe.best_estimator_.alpha == tpe.best_params_["alpha"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tpe_improves_on_its_startup_trials(seed):
    X, y = data()
    n_startup, n_iter = 10, 40
    space = {"alpha": hp.loguniform("alpha", math.log(1e-2), math.log(1e3))}
    tpe = TPESearchCV(Lasso(), space, n_iter=n_iter, cv=3, random_state=seed, n_jobs=1,
                      n_startup_jobs=n_startup, scoring="neg_mean_squared_error").fit(X, y)
    scores = tpe.cv_results_["mean_test_score"]
    rand = RandomizedSearchCV(Lasso(), {"alpha": stats.loguniform(1e-2, 1e3)}, n_iter=n_iter,
                              cv=3, random_state=seed, scoring="neg_mean_squared_error")
    random_scores = rand.fit(X, y).cv_results_["mean_test_score"]
    # Most of the range over-regularises (MSE up to 15, the variance of y; the
    # best is 0.27): random draws have a median MSE of 5 or more, the guided TPE
    # trials stay near the good region (median MSE under 1 for these seeds).  The
    # stated margin, 1.0 in MSE, is far below the gap.
    guided = np.median(scores[n_startup:])
    assert guided > np.median(scores[:n_startup]) + 1.0
    assert guided > np.median(random_scores) + 1.0
    assert scores.max() >= random_scores.max() - 1e-3


def test_deterministic_for_a_seed_and_batch():
    X, y = data()
    runs = [TPESearchCV(Lasso(), SPACE, n_iter=12, cv=3, random_state=7, n_jobs=2,
                        n_startup_jobs=4).fit(X, y).cv_results_ for _ in range(2)]
    assert runs[0]["params"] == runs[1]["params"]
    np.testing.assert_array_equal(runs[0]["mean_test_score"], runs[1]["mean_test_score"])
    other = TPESearchCV(Lasso(), SPACE, n_iter=12, cv=3, random_state=8, n_jobs=2,
                        n_startup_jobs=4).fit(X, y).cv_results_
    assert other["params"] != runs[0]["params"]


def test_conditional_space_over_a_pipeline():
    rng = np.random.RandomState(0)
    X = rng.randn(150, 4) * [1, 10, 100, 0.1]
    y = (X[:, 0] + X[:, 1] / 10 > 0).astype(int)
    space = {
        "scale": hp.choice("scale", [
            {"standardscaler__with_std": True},
            {"standardscaler__with_std": False,
             "standardscaler__with_mean": hp.choice("with_mean", [True, False])},
        ]),
        "logisticregression__C": hp.loguniform("C", math.log(1e-3), math.log(1e2)),
    }
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    search = TPESearchCV(pipe, space, n_iter=8, cv=3, random_state=0, n_startup_jobs=3,
                         scoring=["accuracy", "neg_log_loss"], refit="neg_log_loss").fit(X, y)
    for params in search.cv_results_["params"]:
        assert set(params) >= {"standardscaler__with_std", "logisticregression__C"}
        if params["standardscaler__with_std"]:
            assert "standardscaler__with_mean" not in params
    assert np.ma.is_masked(search.cv_results_["param_standardscaler__with_mean"]) or all(
        not p["standardscaler__with_std"] for p in search.cv_results_["params"])
    assert search.best_score_ == search.cv_results_["mean_test_neg_log_loss"].max()


def test_failed_candidates_are_failed_trials():
    X, y = data()
    space = {"alpha": hp.choice("alpha", [-1.0, 0.5])}  # -1 is refused by Ridge
    with pytest.warns(Warning):
        search = TPESearchCV(Ridge(), space, n_iter=6, cv=3, random_state=0,
                             n_startup_jobs=2).fit(X, y)
    means = search.cv_results_["mean_test_score"]
    alphas = np.asarray([p["alpha"] for p in search.cv_results_["params"]])
    assert np.all(np.isnan(means[alphas < 0])) and np.all(np.isfinite(means[alphas > 0]))
    assert search.best_params_ == {"alpha": 0.5}


@pytest.mark.parametrize("kwargs, match", [
    ({"n_iter": 0}, "n_iter"),
    ({"gamma": 1.5}, "gamma"),
    ({"n_startup_jobs": -1}, "n_startup_jobs"),
    ({"param_distributions": [1, 2]}, "param_distributions"),
])
def test_bad_parameters(kwargs, match):
    X, y = data(n=30)
    params = {"estimator": Ridge(), "param_distributions": SPACE, **kwargs}
    with pytest.raises(ValueError, match=match):
        TPESearchCV(**params).fit(X, y)


def test_multimetric_needs_a_refit_metric():
    X, y = data(n=60)
    with pytest.raises(ValueError, match="refit set to the name of the metric"):
        TPESearchCV(Ridge(), SPACE, n_iter=2, scoring=["r2", "neg_mean_squared_error"],
                    refit=False).fit(X, y)
    # RandomizedSearchCV accepts refit=False with several metrics; TPE needs one to follow
    RandomizedSearchCV(Ridge(), {"alpha": [1.0]}, n_iter=1,
                       scoring=["r2", "neg_mean_squared_error"], refit=False).fit(X, y)
