"""Forests on sparse X benchmark, pymlcore vs scikit-learn, same run, same data,
one thread (n_jobs=1).

RandomForestRegressor and ExtraTreesRegressor (20 trees, max_features=0.3,
grown fully) on a CSC X, 20,000 x 100 at 5% density: fit time, and predict on
the CSR form of the same X; beside them, the pymlcore fit on the dense form of
X (what the sparse path costs or saves against densifying).

Timings: one warm-up, then the median of --repeat runs (default 5).  The
machine may be shared: the numbers are noisy.  Nothing is asserted.

    python benchmarks/forest_sparse.py [--repeat 5] [--quick]
"""

import argparse
import platform

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from sklearn import ensemble as sk_ensemble

import pymlcore
from pymlcore import ensemble as pm_ensemble
from _timing import median_time, ratio_row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(f"pymlcore {pymlcore.__version__}, scikit-learn {sklearn.__version__}, "
          f"scipy {scipy.__version__}, {platform.machine()}, one thread, median of "
          f"{args.repeat} after a warm-up")
    n, p = 20_000 // scale, 100
    X = sp.random(n, p, density=0.05, format="csc", random_state=0)
    y = np.asarray(X[:, :5].sum(axis=1)).ravel() + 0.1 * np.random.default_rng(0).random(n)
    Xr, D = X.tocsr(), X.toarray()
    kw = dict(n_estimators=20, max_features=0.3, random_state=0, n_jobs=1)
    for name in ("RandomForestRegressor", "ExtraTreesRegressor"):
        ours = getattr(pm_ensemble, name)(**kw)
        theirs = getattr(sk_ensemble, name)(**kw)
        t_ours = median_time(lambda: ours.fit(X, y), args.repeat)
        ratio_row(f"{name} CSC fit, {n} x {p} at 5%", t_ours,
            median_time(lambda: theirs.fit(X, y), args.repeat))
        ratio_row(f"{name} CSC fit vs dense fit", t_ours,
            median_time(lambda: getattr(pm_ensemble, name)(**kw).fit(D, y), args.repeat),
            peer="pymlcore dense")
        ratio_row(f"{name} CSR predict", median_time(lambda: ours.predict(Xr), args.repeat),
            median_time(lambda: theirs.predict(Xr), args.repeat))
        print(f"{'':<46} R^2 on the training X: pymlcore {ours.score(Xr, y):.4f}  "
              f"scikit-learn {theirs.score(Xr, y):.4f}")


if __name__ == "__main__":
    main()
