"""Trees benchmark (issue 5): pymlcore vs scikit-learn, same run, same data.

1. Random forest, 10,240 x 64 binary (make_classification), 100 trees,
   max_features='sqrt', oob_score=True: single-thread fit time ratio (target
   <= 0.5x), 1 -> 2 thread fit speed-up (target >= 1.8x), pickled size ratio
   (target <= 0.25x), OOB accuracy difference (target <= 0.5 point).  pymlcore's
   forest uses its default histogram splitting (max_bins=255); the exact
   splitter (max_bins=None) is timed too.
2. Decision tree, 1,000,000 x 10 (make_classification), default parameters:
   fit time ratio vs scikit-learn (target >= 2x faster).
3. Gradient boosting (benchmarks/boosting.py, run by this script in a child
   process so that it sets its own thread environment): 1,000,000 x 28
   Higgs-like, 100 iterations, 255 leaves, against scikit-learn's
   HistGradientBoosting, LightGBM and XGBoost; and 1,000 x 10.
4. Random forest prediction, 50,000 x 20 (make_classification), 100 trees,
   default parameters, n_jobs=2 for both: predict_proba time on the 50,000
   training rows, ratio vs scikit-learn (target <= 1.0x).  Run alone with
   --predict-only.  (Part 4 runs before part 3.)

Timings: one warm-up, then the median of --repeat runs (default 5; 3 for the
1M-row tree, which takes tens of seconds per fit: said in the output).  The
machine may be shared: the numbers are noisy.  Nothing is asserted: the last
lines print each target and whether it is met.

    python benchmarks/trees.py            # full run
    python benchmarks/trees.py --quick    # smaller data, smoke run
    python benchmarks/trees.py --boosting-rows 0   # parts 1, 2 and 4 only
    python benchmarks/trees.py --predict-only      # part 4 only
"""

import argparse
import os
import pickle
import platform
import subprocess
import sys

import numpy as np
import sklearn
from sklearn import ensemble as sk_ensemble
from sklearn import tree as sk_tree
from sklearn.datasets import make_classification

import pymlcore
from pymlcore.ensemble import RandomForestClassifier
from pymlcore.tree import DecisionTreeClassifier
from _timing import median_time


def forest_predict(n, repeat):
    """Part 4: predict_proba time of a fitted 100-tree forest, ours / scikit-learn's."""
    X, y = make_classification(n_samples=n, n_features=20, random_state=0)
    times = {}
    for name, est in [
        ("pymlcore", RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=2)),
        ("scikit-learn", sk_ensemble.RandomForestClassifier(n_estimators=100, random_state=0,
                                                            n_jobs=2)),
    ]:
        est.fit(X, y)
        times[name] = median_time(lambda: est.predict_proba(X), repeat)
    print(f"random forest predict_proba {n}x20, 100 trees, 2 threads: pymlcore "
          f"{times['pymlcore']:.3f} s, scikit-learn {times['scikit-learn']:.3f} s "
          f"(median of {repeat})")
    return times["pymlcore"] / times["scikit-learn"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--repeat-slow", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--boosting-rows", type=int, default=None,
                        help="rows of part 3 (default 1,000,000; 100,000 with --quick; 0 skips it)")
    parser.add_argument("--predict-only", action="store_true", help="part 4 only")
    args = parser.parse_args()
    n_rf, n_dt = (2048, 100_000) if args.quick else (10_240, 1_000_000)
    print(f"pymlcore {pymlcore.__version__}, scikit-learn {sklearn.__version__}, "
          f"numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs (shared machine: timings are noisy)")
    n_pred = 10_000 if args.quick else 50_000
    if args.predict_only:
        predict_ratio = forest_predict(n_pred, args.repeat)
        print(f"  forest predict_proba time vs scikit-learn: {predict_ratio:.2f}x "
              f"(target <= 1.0x) {'met' if predict_ratio <= 1.0 else 'NOT met'}")
        return

    # ---- random forest ----
    X, y = make_classification(n_rf, 64, n_informative=16, random_state=0)
    rf = dict(n_estimators=100, max_features="sqrt", oob_score=True, random_state=0)
    results = {}
    for name, make in [
        ("pymlcore hist, 1 thread", lambda: RandomForestClassifier(n_jobs=1, **rf)),
        ("pymlcore hist, 2 threads", lambda: RandomForestClassifier(n_jobs=2, **rf)),
        ("pymlcore exact, 1 thread", lambda: RandomForestClassifier(n_jobs=1, max_bins=None, **rf)),
        ("scikit-learn, 1 thread", lambda: sk_ensemble.RandomForestClassifier(n_jobs=1, **rf)),
    ]:
        models = []
        t = median_time(lambda: models.append(make().fit(X, y)), args.repeat)
        results[name] = (t, models[-1])
        print(f"random forest {n_rf}x64, {name}: fit {t:.3f} s (median of {args.repeat}), "
              f"OOB accuracy {models[-1].oob_score_:.4f}, "
              f"pickle {len(pickle.dumps(models[-1])) / 1e6:.2f} MB")
    t_ours, ours = results["pymlcore hist, 1 thread"]
    t_two = results["pymlcore hist, 2 threads"][0]
    t_sk, theirs = results["scikit-learn, 1 thread"]
    fit_ratio = t_ours / t_sk
    speedup = t_ours / t_two
    size_ratio = len(pickle.dumps(ours)) / len(pickle.dumps(theirs))
    oob_diff = abs(ours.oob_score_ - theirs.oob_score_) * 100

    # ---- one deep tree on many rows ----
    Xd, yd = make_classification(n_dt, 10, n_informative=6, random_state=0)
    t_dt = median_time(lambda: DecisionTreeClassifier(random_state=0).fit(Xd, yd),
                       args.repeat_slow)
    t_dt_sk = median_time(lambda: sk_tree.DecisionTreeClassifier(random_state=0).fit(Xd, yd),
                          args.repeat_slow)
    print(f"decision tree {n_dt}x10: pymlcore {t_dt:.2f} s, scikit-learn {t_dt_sk:.2f} s "
          f"(median of {args.repeat_slow}: slow fits)")

    predict_ratio = forest_predict(n_pred, args.repeat)

    print("\ntargets:")
    print(f"  forest fit time, 1 thread, vs scikit-learn: {fit_ratio:.2f}x "
          f"(target <= 0.5x) {'met' if fit_ratio <= 0.5 else 'NOT met'}")
    print(f"  forest speed-up 1 -> 2 threads: {speedup:.2f}x "
          f"(target >= 1.8x) {'met' if speedup >= 1.8 else 'NOT met'}")
    print(f"  forest pickled size vs scikit-learn: {size_ratio:.3f}x "
          f"(target <= 0.25x) {'met' if size_ratio <= 0.25 else 'NOT met'}")
    print(f"  OOB accuracy difference: {oob_diff:.2f} points "
          f"(target <= 0.5) {'met' if oob_diff <= 0.5 else 'NOT met'}")
    print(f"  decision tree speed-up vs scikit-learn: {t_dt_sk / t_dt:.2f}x "
          f"(target >= 2x) {'met' if t_dt_sk / t_dt >= 2 else 'NOT met'}")
    print(f"  forest predict_proba time vs scikit-learn: {predict_ratio:.2f}x "
          f"(target <= 1.0x) {'met' if predict_ratio <= 1.0 else 'NOT met'}")

    # ---- gradient boosting ----
    rows = args.boosting_rows if args.boosting_rows is not None else (
        100_000 if args.quick else 1_000_000)
    if rows:
        print(flush=True)
        boosting = os.path.join(os.path.dirname(os.path.abspath(__file__)), "boosting.py")
        subprocess.run([sys.executable, boosting, "--rows", str(rows),
                        "--repeat", str(args.repeat_slow)], check=True)


if __name__ == "__main__":
    main()
