"""Histogram gradient boosting benchmark (issue 5, item 5's boosting rows).

Same run, same data, same settings: pymlcore's HistGradientBoostingClassifier
against scikit-learn's, LightGBM's (num_leaves=255) and XGBoost's 'hist' method
(max_leaves=255, grow_policy='lossguide'), on Higgs-like generated binary data
(--rows x 28: 21 "low-level" kinematic features and 7 "high-level" derived
masses, as the UCI HIGGS set), 100 iterations, 255 leaves, learning rate 0.1,
no early stopping, 2 threads.  Each library gets a warm-up fit on 10,000 rows
(library loading, thread start-up), then --repeat timed fits; the median is
reported with the test AUC on held-out rows.  Then the same on 1,000 x 10.

    python benchmarks/boosting.py                   # 1,000,000 rows, 3 repeats
    python benchmarks/boosting.py --rows 100000     # a quick run

The benchmark asserts nothing: the last lines print each target and whether it
is met.  On a shared machine the times are noisy: compare ratios from one run.
"""

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score


def make_higgs_like(n, seed=0):
    """Signal (y=1) and background events: momenta (log-normal), angles, b-tags
    and invariant-mass-like combinations whose location differs by class,
    with heavy overlap (test AUC of a boosted model near 0.9)."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.53
    s = y.astype(np.float64)
    X = np.empty((n, 28))
    # lepton pT, eta, phi; missing energy magnitude, phi
    X[:, 0] = rng.lognormal(0.0 + 0.08 * s, 0.5)
    X[:, 1] = rng.normal(0, 1.0 - 0.05 * s)
    X[:, 2] = rng.uniform(-np.pi, np.pi, n)
    X[:, 3] = rng.lognormal(0.0 + 0.12 * s, 0.6)
    X[:, 4] = rng.uniform(-np.pi, np.pi, n)
    # four jets: pT, eta, phi, b-tag
    for j in range(4):
        base = 5 + 4 * j
        X[:, base] = rng.lognormal(0.1 * s - 0.1 * j, 0.5)
        X[:, base + 1] = rng.normal(0, 1.0 + 0.1 * j - 0.08 * s)
        X[:, base + 2] = rng.uniform(-np.pi, np.pi, n)
        X[:, base + 3] = np.where(rng.random(n) < 0.35 + 0.15 * s, 2.0, 0.0) + \
            (rng.random(n) < 0.1)
    # derived masses (m_jj, m_jjj, m_lv, m_jlv, m_bb, m_wbb, m_wwbb): nonlinear in
    # the above, with a class-dependent resonance
    pt = X[:, [5, 9, 13, 17]]
    eta = X[:, [6, 10, 14, 18]]
    mjj = np.sqrt(2 * pt[:, 0] * pt[:, 1] * (np.cosh(eta[:, 0] - eta[:, 1]) + 0.1))
    X[:, 21] = mjj * (1 + 0.05 * s * rng.normal(1, 0.3, n))
    X[:, 22] = np.sqrt(mjj ** 2 + pt[:, 2] ** 2) + 0.2 * s
    X[:, 23] = np.sqrt(2 * X[:, 0] * X[:, 3] * (1 - np.cos(X[:, 2] - X[:, 4]))) + 0.1 * s
    X[:, 24] = X[:, 23] + 0.5 * pt[:, 0] + rng.normal(0, 0.2, n)
    X[:, 25] = np.abs(rng.normal(1.0 + 0.12 * s, 0.6 - 0.05 * s))
    X[:, 26] = X[:, 25] + X[:, 23] * (1 + 0.03 * s) + rng.normal(0, 0.3, n)
    X[:, 27] = X[:, 26] + X[:, 22] * 0.5 + rng.normal(0, 0.3, n)
    return X, y.astype(np.int64)


def runners(n_threads):
    import sklearn.ensemble as ske

    import pymlcore.ensemble as pme

    common = dict(max_iter=100, max_leaf_nodes=255, learning_rate=0.1, early_stopping=False)
    out = {
        "pymlcore": lambda: pme.HistGradientBoostingClassifier(**common, random_state=0,
                                                                 n_jobs=n_threads),
        "sklearn": lambda: ske.HistGradientBoostingClassifier(**common, random_state=0),
    }
    try:
        import lightgbm

        out["lightgbm"] = lambda: lightgbm.LGBMClassifier(
            n_estimators=100, num_leaves=255, learning_rate=0.1, max_bin=255,
            min_child_samples=20, reg_lambda=0.0, n_jobs=n_threads, verbose=-1,
            random_state=0)
    except ImportError:
        pass
    try:
        import xgboost

        out["xgboost"] = lambda: xgboost.XGBClassifier(
            n_estimators=100, max_leaves=255, max_depth=0, grow_policy="lossguide",
            tree_method="hist", learning_rate=0.1, max_bin=256, reg_lambda=0.0,
            min_child_weight=1e-3, n_jobs=n_threads, random_state=0)
    except ImportError:
        pass
    return out


def bench(make, X, y, Xte, yte, repeat, name):
    # warm-up: libraries, thread pools
    make().fit(X[:10_000], y[:10_000])
    times, model = [], None
    for _ in range(repeat):
        model = make()
        t0 = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - t0)
    auc = roc_auc_score(yte, model.predict_proba(Xte)[:, 1])
    print(f"  {name:10s} fit median {statistics.median(times):8.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in times)})  test AUC {auc:.4f}", flush=True)
    return statistics.median(times), auc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="libraries to run (default: all)")
    args = parser.parse_args()

    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))  # scikit-learn's threads
    from threadpoolctl import threadpool_limits

    import sklearn

    import pymlcore

    versions = {"pymlcore": pymlcore.__version__, "sklearn": sklearn.__version__}
    for lib in ("lightgbm", "xgboost"):
        try:
            versions[lib] = __import__(lib).__version__
        except ImportError:
            versions[lib] = "not installed"
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, threads "
          f"{args.threads}, load average {os.getloadavg()[0]:.1f}; "
          + ", ".join(f"{k} {v}" for k, v in versions.items()))

    results = {}
    with threadpool_limits(limits=args.threads, user_api="openmp"):
        for rows, label in ((args.rows, "big"), (1000, "small")):
            n_features = 28 if label == "big" else 10
            X, y = make_higgs_like(rows + max(rows // 10, 1000), seed=1)
            X = np.ascontiguousarray(X[:, :n_features])
            Xtr, ytr, Xte, yte = X[:rows], y[:rows], X[rows:], y[rows:]
            print(f"{rows:,} x {n_features}, 100 iterations, 255 leaves, "
                  f"{args.repeat} timed fits each:")
            for name, make in runners(args.threads).items():
                if args.only and name not in args.only:
                    continue
                repeat = args.repeat if label == "big" else max(args.repeat, 5)
                results[label, name] = bench(make, Xtr, ytr, Xte, yte, repeat, name)

    print("targets:")

    def ratio(label, a, b):
        if (label, a) in results and (label, b) in results:
            return results[label, a][0] / results[label, b][0]
        return None

    checks = [("big", "sklearn", 1.0, "fit time <= 1.0x scikit-learn HGB"),
              ("big", "lightgbm", 1.3, "fit time <= 1.3x LightGBM"),
              ("small", "sklearn", 1.0, "1,000 x 10 fit time <= 1.0x scikit-learn HGB")]
    for label, peer, target, text in checks:
        r = ratio(label, "pymlcore", peer)
        if r is not None:
            print(f"  {text}: {r:.2f}x -> {'met' if r <= target else 'NOT met'}")
    if ("big", "pymlcore") in results and ("big", "lightgbm") in results:
        gap = results["big", "lightgbm"][1] - results["big", "pymlcore"][1]
        print(f"  test AUC within 0.003 of LightGBM: {-gap:+.4f} -> "
              f"{'met' if gap <= 0.003 else 'NOT met'}")
    if ("big", "xgboost") in results:
        print(f"  (XGBoost hist: {ratio('big', 'pymlcore', 'xgboost'):.2f}x of its time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
