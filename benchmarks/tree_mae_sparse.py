"""Decision tree extras benchmark: criterion='absolute_error' and sparse X,
pymlcore vs scikit-learn, same run, same data, one thread (single trees).

1. DecisionTreeRegressor(criterion='absolute_error'), 20,000 x 10 uniform X,
   grown fully: exact splitter, and pymlcore's max_bins=64 beside it.
2. DecisionTreeRegressor on a CSC X, 50,000 x 500 at 1% density, max_depth=12:
   fit time; and predict on the CSR form of the same X (grown fully).

Timings: one warm-up, then the median of --repeat runs (default 5).  The
machine may be shared: the numbers are noisy.  Nothing is asserted.

    python benchmarks/tree_mae_sparse.py [--repeat 5] [--quick]
"""

import argparse
import functools
import platform

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from sklearn import tree as sk_tree

import pymlcore
from pymlcore import tree as pm_tree
from _timing import median_time, ratio_row


row = functools.partial(ratio_row, width=52)  # the longest label


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(f"pymlcore {pymlcore.__version__}, scikit-learn {sklearn.__version__}, "
          f"scipy {scipy.__version__}, {platform.machine()}, one thread, median of "
          f"{args.repeat} after a warm-up")
    rng = np.random.default_rng(0)

    n = 20_000 // scale
    X = rng.random((n, 10))
    y = 3 * X[:, 0] + rng.random(n)
    ours = median_time(lambda: pm_tree.DecisionTreeRegressor(
        criterion="absolute_error", random_state=0).fit(X, y), args.repeat)
    theirs = median_time(lambda: sk_tree.DecisionTreeRegressor(
        criterion="absolute_error", random_state=0).fit(X, y), args.repeat)
    row(f"absolute_error fit, {n} x 10, exact", ours, theirs)
    binned = median_time(lambda: pm_tree.DecisionTreeRegressor(
        criterion="absolute_error", max_bins=64, random_state=0).fit(X, y), args.repeat)
    row(f"absolute_error fit, {n} x 10, max_bins=64 (vs exact)", binned, theirs)

    n, p = 50_000 // scale, 500
    Xs = sp.random(n, p, density=0.01, format="csc", random_state=0)
    ys = np.asarray(Xs[:, :5].sum(axis=1)).ravel() + 0.1 * rng.random(n)
    ours = median_time(lambda: pm_tree.DecisionTreeRegressor(
        max_depth=12, random_state=0).fit(Xs, ys), args.repeat)
    theirs = median_time(lambda: sk_tree.DecisionTreeRegressor(
        max_depth=12, random_state=0).fit(Xs, ys), args.repeat)
    row(f"sparse CSC fit, {n} x {p} at 1%, max_depth=12", ours, theirs)
    Xr = Xs.tocsr()
    a = pm_tree.DecisionTreeRegressor(random_state=0).fit(Xs, ys)
    b = sk_tree.DecisionTreeRegressor(random_state=0).fit(Xs, ys)
    row(f"sparse CSR predict, {n} x {p}, full tree",
        median_time(lambda: a.predict(Xr), args.repeat),
        median_time(lambda: b.predict(Xr), args.repeat))


if __name__ == "__main__":
    main()
