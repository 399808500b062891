"""Fit time of pymlcore's linear models against scikit-learn (and
scikit-learn-intelex where it is installed), same data, same process.

    python benchmarks/linear_model.py            # the sizes of issue 2
    python benchmarks/linear_model.py --quick    # a smaller smoke run

Each fit is warmed up once, then timed `--repeat` times (median reported).
Coefficient agreement is max|coef_pymlcore - coef_sklearn| / max|coef_sklearn|.
The speed ratio is sklearn time / pymlcore time (above 1: pymlcore is faster).
"""

import argparse
import math
import platform
import statistics
import time

import numpy as np
import sklearn
import sklearn.linear_model as sk
from sklearn.datasets import make_classification, make_regression
from threadpoolctl import threadpool_info

import pymlcore
import pymlcore.linear_model as pm

try:  # optional peer
    import sklearnex.linear_model as skx
except ImportError:
    skx = None


def regression(n, p, seed=0):
    X, y = make_regression(n_samples=n, n_features=p, n_informative=min(p, 20), noise=5.0,
                           random_state=seed)
    return X, y


def classification(n, p, n_classes=2, seed=0):
    return make_classification(n_samples=n, n_features=p, n_informative=min(p, 20),
                               n_redundant=0, n_classes=n_classes, n_clusters_per_class=1,
                               random_state=seed)


def cases(quick):
    scale = 10 if quick else 1
    return [
        ("LinearRegression", f"{500_000 // scale:,} x 50", regression(500_000 // scale, 50),
         {}),
        ("Ridge", f"{500_000 // scale:,} x 50", regression(500_000 // scale, 50),
         {"alpha": 1.0}),
        ("Lasso", f"{100_000 // scale:,} x 200", regression(100_000 // scale, 200),
         {"alpha": 0.5}),
        ("ElasticNet", f"{100_000 // scale:,} x 200", regression(100_000 // scale, 200),
         {"alpha": 0.5, "l1_ratio": 0.5}),
        ("LogisticRegression", f"{200_000 // scale:,} x 100 binary",
         classification(200_000 // scale, 100), {}),
        ("LogisticRegression", f"{100_000 // scale:,} x 50 10-class",
         classification(100_000 // scale, 50, n_classes=10), {}),
        ("LinearRegression", "100 x 5", regression(100, 5), {}),
        ("Ridge", "100 x 5", regression(100, 5), {"alpha": 1.0}),
        ("Lasso", "100 x 5", regression(100, 5), {"alpha": 0.5}),
        ("ElasticNet", "100 x 5", regression(100, 5), {"alpha": 0.5}),
        ("LogisticRegression", "100 x 5", classification(100, 5), {}),
    ]


def median_fit_time(cls, params, X, y, repeat):
    model = cls(**params).fit(X, y)  # warm-up
    times = []
    for _ in range(repeat):
        model = cls(**params)
        start = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def coef_agreement(ours, ref):
    a, b = np.ravel(ours.coef_), np.ravel(ref.coef_)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10x fewer rows")
    parser.add_argument("--repeat", type=int, default=5, help="timed fits per case (>= 5)")
    args = parser.parse_args()

    print(f"pymlcore {pymlcore.__version__}, scikit-learn {sklearn.__version__}, "
          f"numpy {np.__version__}, python {platform.python_version()}, "
          f"scikit-learn-intelex {'installed' if skx else 'not installed'}")
    for pool in threadpool_info():
        print(f"  {pool['user_api']}: {pool['internal_api']} {pool.get('version')} "
              f"threads={pool['num_threads']} arch={pool.get('architecture')} "
              f"({pool['filepath'].split('/')[-1]})")
    print()
    header = (f"{'estimator':<20} {'data':<22} {'pymlcore s':>11} {'sklearn s':>10} "
              f"{'ratio':>7} {'coef diff':>10}")
    if skx:
        header += f" {'sklearnex s':>12} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    ratios = []
    for name, label, (X, y), params in cases(args.quick):
        t_ours, ours = median_fit_time(getattr(pm, name), params, X, y, args.repeat)
        t_ref, ref = median_fit_time(getattr(sk, name), params, X, y, args.repeat)
        ratio = t_ref / t_ours
        ratios.append(ratio)
        row = (f"{name:<20} {label:<22} {t_ours:>11.4f} {t_ref:>10.4f} {ratio:>6.2f}x "
               f"{coef_agreement(ours, ref):>10.1e}")
        if skx and hasattr(skx, name):
            t_x, _ = median_fit_time(getattr(skx, name), params, X, y, args.repeat)
            row += f" {t_x:>12.4f} {t_x / t_ours:>6.2f}x"
        print(row, flush=True)
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"\ngeometric mean speed-up over scikit-learn: {geo:.2f}x; "
          f"slowest row: {min(ratios):.2f}x")


if __name__ == "__main__":
    main()
