"""The main job for now: the same scikit-learn pipelines fitted with pymlcore's
estimators and with scikit-learn's, on the same generated data, held-out scores
and fit times side by side."""

import statistics
import time

import numpy as np


def _median_fit_time(make_model, X, y, repeat):
    make_model().fit(X, y)  # warm-up: first-call imports and page faults
    times, model = [], None
    for _ in range(repeat):
        model = make_model()
        start = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def _cases(n_jobs):
    from sklearn import linear_model as sk_lm
    from sklearn import preprocessing as sk_pre
    from sklearn.pipeline import make_pipeline

    from . import linear_model as pm_lm
    from . import preprocessing as pm_pre

    return [
        ("classification", "StandardScaler + LogisticRegression(C=0.5)",
         lambda: make_pipeline(pm_pre.StandardScaler(), pm_lm.LogisticRegression(C=0.5)),
         lambda: make_pipeline(sk_pre.StandardScaler(), sk_lm.LogisticRegression(C=0.5))),
        ("regression", "StandardScaler + Ridge(alpha=1.0)",
         lambda: make_pipeline(pm_pre.StandardScaler(), pm_lm.Ridge(alpha=1.0)),
         lambda: make_pipeline(sk_pre.StandardScaler(), sk_lm.Ridge(alpha=1.0))),
        ("regression", "StandardScaler + ElasticNet(alpha=0.1)",
         lambda: make_pipeline(pm_pre.StandardScaler(), pm_lm.ElasticNet(alpha=0.1)),
         lambda: make_pipeline(sk_pre.StandardScaler(), sk_lm.ElasticNet(alpha=0.1))),
        ("regression", "LinearRegression",
         lambda: pm_lm.LinearRegression(n_jobs=n_jobs),
         lambda: sk_lm.LinearRegression()),
    ]


def run_demo(n_samples=200_000, n_features=50, n_jobs=None, repeat=3, seed=0):
    from sklearn.datasets import make_classification, make_regression
    from sklearn.model_selection import train_test_split

    from ._engine import resolve_n_threads

    rng_seed = int(seed)
    data = {
        "classification": make_classification(n_samples=n_samples, n_features=n_features,
                                               n_informative=max(2, n_features // 3),
                                               random_state=rng_seed),
        "regression": make_regression(n_samples=n_samples, n_features=n_features,
                                      n_informative=max(1, n_features // 3), noise=10.0,
                                      random_state=rng_seed),
    }
    print(f"pymlcore demo: {n_samples:,} x {n_features} generated rows, 75/25 train/test split, "
          f"pymlcore threads: {resolve_n_threads(n_jobs)}, median of {repeat} fits\n")
    header = f"{'pipeline':<44} {'metric':>8} {'pymlcore':>9} {'sklearn':>9} " \
             f"{'fit pymlcore':>13} {'fit sklearn':>12} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for task, label, make_ours, make_theirs in _cases(n_jobs):
        X, y = data[task]
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=rng_seed)
        t_ours, ours = _median_fit_time(make_ours, X_train, y_train, repeat)
        t_theirs, theirs = _median_fit_time(make_theirs, X_train, y_train, repeat)
        metric = "accuracy" if task == "classification" else "R^2"
        s_ours, s_theirs = ours.score(X_test, y_test), theirs.score(X_test, y_test)
        print(f"{label:<44} {metric:>8} {s_ours:>9.4f} {s_theirs:>9.4f} "
              f"{t_ours * 1e3:>10.1f} ms {t_theirs * 1e3:>9.1f} ms {t_theirs / t_ours:>8.1f}x")
        if not np.isclose(s_ours, s_theirs, rtol=1e-3, atol=1e-3):
            print(f"  warning: held-out scores differ ({s_ours:.6f} vs {s_theirs:.6f})")
    return 0
