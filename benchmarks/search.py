"""Hyperparameter search: pymlcore against its peers, same data, same process.

    python benchmarks/search.py              # part (a) at the sizes of issue 4
    python benchmarks/search.py --quick      # a smaller smoke run
    python benchmarks/search.py --repeat 3   # fewer timed runs (say so when quoting)

(a) GridSearchCV, 5-fold, over a 24-candidate grid of LogisticRegression and of
    Ridge on 50,000 x 50: pymlcore's GridSearchCV with pymlcore's estimators (all
    120 fits as C tasks, n_jobs=None: every core) against scikit-learn's
    GridSearchCV(n_jobs=2) with scikit-learn's estimators.  Each search is warmed
    up once, then timed `--repeat` times; the median is reported.  The ratio is
    scikit-learn's time / pymlcore's (above 1: pymlcore is faster).  best_params_
    must be equal; the largest difference of mean_test_score is printed.
(b), (c) TPE suggestion time and search quality against Hyperopt, Optuna and
    random search: benchmarks/tpe.py, whose report `main` prints after (a).
"""

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
import sklearn
import sklearn.linear_model as sk
import sklearn.model_selection as skms
from sklearn.datasets import make_classification, make_regression
from threadpoolctl import threadpool_info

import pymlcore
import pymlcore.linear_model as pm
import pymlcore.model_selection as pms
from pymlcore._engine import available_cores


def grid_cases(n_samples):
    Xc, yc = make_classification(n_samples=n_samples, n_features=50, n_informative=20,
                                 n_redundant=0, random_state=0)
    Xr, yr = make_regression(n_samples=n_samples, n_features=50, n_informative=20,
                             noise=10.0, random_state=0)
    return [
        ("LogisticRegression", pm.LogisticRegression, sk.LogisticRegression,
         {"C": list(np.logspace(-4, 2, 12)), "fit_intercept": [True, False]}, Xc, yc),
        ("Ridge", pm.Ridge, sk.Ridge,
         {"alpha": list(np.logspace(-3, 4, 12)), "fit_intercept": [True, False]}, Xr, yr),
    ]


def timed_search(make, X, y, repeat):
    make().fit(X, y)  # warm-up
    times, search = [], None
    for _ in range(repeat):
        search = make()
        start = time.perf_counter()
        search.fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), search


def part_a(n_samples, repeat):
    print(f"(a) GridSearchCV, 5-fold, 24 candidates, {n_samples:,} x 50, median of {repeat}")
    header = (f"{'estimator':<20}{'pymlcore s':>12}{'sklearn s':>12}{'ratio':>8}"
              f"{'same best':>11}{'max |d score|':>15}")
    print(header)
    print("-" * len(header))
    rows = []
    for name, ours_cls, ref_cls, grid, X, y in grid_cases(n_samples):
        t_ours, ours = timed_search(
            lambda: pms.GridSearchCV(ours_cls(), grid, cv=5, n_jobs=None), X, y, repeat)
        t_ref, ref = timed_search(
            lambda: skms.GridSearchCV(ref_cls(), grid, cv=5, n_jobs=2), X, y, repeat)
        same = ours.best_params_ == ref.best_params_
        diff = float(np.max(np.abs(ours.cv_results_["mean_test_score"]
                                   - ref.cv_results_["mean_test_score"])))
        print(f"{name:<20}{t_ours:>12.3f}{t_ref:>12.3f}{t_ref / t_ours:>8.2f}"
              f"{str(same):>11}{diff:>15.2e}")
        rows.append((name, t_ours, t_ref, same, diff))
    return rows


def environment():
    blas = [f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
            for i in threadpool_info() if i["user_api"] == "blas"]
    return (f"pymlcore {pymlcore.__version__}, scikit-learn {sklearn.__version__}, "
            f"numpy {np.__version__}, Python {platform.python_version()}, "
            f"{available_cores()} usable cores (os.cpu_count {os.cpu_count()}), "
            f"BLAS: {'; '.join(blas) or 'unknown'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 rows instead of 50,000")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per search")
    args = parser.parse_args()
    print(environment())
    part_a(5_000 if args.quick else 50_000, args.repeat)
    # parts (b) and (c) live with the TPE benchmark, beside this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import tpe
    print()
    tpe.main(["--quick"] if args.quick else [])


if __name__ == "__main__":
    main()
