"""Grouped fitting overhead and thread scaling (issue 3, item 6 targets: at most
50 microseconds per group with a trivial per-group model; at least 1.8x from 1 to
2 threads).

1. Overhead: pymlcore LinearRegression on 1 feature, 10,000 groups x 20 rows,
   through GroupedEstimator (C path): wall time of fit per group, n_jobs=1 and 2.
   The peer is what a pandas user writes today, a groupby loop fitting scikit-learn's
   LinearRegression per group, timed on the first 500 groups and scaled.
2. Scaling: a heavier per-group model (Ridge, 300 groups x 1,000 rows x 60
   features), n_jobs=1 vs n_jobs=2, end to end and for the C engine call alone.

Each timing is the median of 5 runs after a warm-up.  Usage:
    python benchmarks/grouped_overhead.py
"""

import os
import platform

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LinearRegression as SkLinearRegression

import pymlcore
from pymlcore import _core
from pymlcore._engine import blas_limited
from pymlcore.grouped import GroupedEstimator
from pymlcore.linear_model import LinearRegression, Ridge
from _timing import median_time


def frame(n_groups, rows, n_features, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_groups * rows, n_features))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(n_features)])
    df["y"] = X @ rng.normal(size=n_features) + rng.normal(size=len(df))
    df.insert(0, "group", np.repeat(np.arange(n_groups), rows))
    return df


def main():
    print(f"load average {os.getloadavg()[0]:.2f} at start; pymlcore {pymlcore.__version__}, scikit-learn {sklearn.__version__}, "
          f"pandas {pd.__version__}, numpy {np.__version__}, Python "
          f"{platform.python_version()}, {len(os.sched_getaffinity(0))} cores available")

    n_groups, rows = 10_000, 20
    df = frame(n_groups, rows, 1)
    print(f"\n1. overhead: LinearRegression, {n_groups} groups x {rows} rows x 1 feature")
    for n_jobs in (1, 2):
        model = GroupedEstimator(LinearRegression(), "group", n_jobs=n_jobs, progress=False)
        t = median_time(lambda: model.fit(df, "y"))
        print(f"   pymlcore GroupedEstimator fit, n_jobs={n_jobs}: {t * 1e3:8.1f} ms "
              f"= {t / n_groups * 1e6:6.1f} us per group")
        t = median_time(lambda: model.predict(df))
        print(f"   pymlcore GroupedEstimator predict, n_jobs={n_jobs}: {t * 1e3:6.1f} ms "
              f"= {t / n_groups * 1e6:6.1f} us per group")
    sub = df[df.group < 500]
    t_peer = median_time(lambda: {k: SkLinearRegression().fit(g[["x0"]], g["y"])
                                  for k, g in sub.groupby("group")}, repeat=3) / 500
    print(f"   peer: pandas groupby loop + scikit-learn LinearRegression: "
          f"{t_peer * 1e6:6.1f} us per group (500 groups, scaled)")

    n_groups, rows, p = 300, 1_000, 60
    df = frame(n_groups, rows, p, seed=1)
    features = [f"x{j}" for j in range(p)]
    print(f"\n2. scaling: Ridge, {n_groups} groups x {rows} rows x {p} features")
    times, engine = {}, {}
    args = Ridge(alpha=1.0)._core_fit_args(df[features], df["y"])
    codes = df["group"].to_numpy()
    for n_jobs in (1, 2):
        model = GroupedEstimator(Ridge(alpha=1.0), "group", n_jobs=n_jobs, progress=False)
        times[n_jobs] = median_time(lambda: model.fit(df, "y"))
        # The C engine alone (the serial Python part, validation and factorisation
        # of the keys, is what separates the two).
        with blas_limited(True):
            engine[n_jobs] = median_time(lambda: _core.fit_grouped(
                args["name"], args["params"], args["X"], args["y"], None, codes, n_groups,
                None, n_jobs, 0))
        print(f"   n_jobs={n_jobs}: GroupedEstimator.fit {times[n_jobs] * 1e3:8.1f} ms, "
              f"of which the C engine {engine[n_jobs] * 1e3:8.1f} ms")
    print(f"   speed-up 1 -> 2 threads: {times[1] / times[2]:.2f}x end to end, "
          f"{engine[1] / engine[2]:.2f}x in the C engine")

if __name__ == "__main__":
    main()
