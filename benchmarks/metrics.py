"""pymlcore.metrics vs scikit-learn on 1e6 samples (issue 4, part 1).

Same run, same arrays: for each metric the median wall time of --repeat calls
after one warm-up call, for scikit-learn and pymlcore, their ratio
(scikit-learn / pymlcore, > 1 means pymlcore is faster) and the relative
difference of the values.  Both sides include their input validation (pymlcore
reuses scikit-learn's checks, so the C part is only the counting / sorting /
summing).  Single-threaded: the metric kernels use one thread.

    python benchmarks/metrics.py              # 1e6 samples, median of 5
    python benchmarks/metrics.py --n 100000 --repeat 7

Timings on a shared machine are noisy; compare ratios from one run.  Asserts nothing.
"""

import argparse
import platform

import numpy as np
import sklearn
import sklearn.metrics as skm

import pymlcore
import pymlcore.metrics as pmm
from _timing import timed


def cases(n, rng):
    y2 = rng.integers(0, 2, n)
    score = np.round(rng.random(n) + 0.3 * y2, 3)  # ties, as real scores have
    w = rng.random(n)
    k = 5
    y5 = rng.integers(0, k, n)
    p5 = rng.random((n, k)) + np.eye(k)[y5]
    p5 /= p5.sum(axis=1, keepdims=True)
    pred5 = rng.integers(0, k, n)
    yt = rng.normal(size=n)
    yp = yt + rng.normal(size=n)
    yt2, yp2 = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    return [
        ("accuracy_score", (y5, pred5), {}),
        ("f1_score macro", (y5, pred5), {"average": "macro"}),
        ("confusion_matrix", (y5, pred5), {}),
        ("roc_auc_score", (y2, score), {}),
        ("roc_auc_score weighted", (y2, score), {"sample_weight": w}),
        ("roc_curve", (y2, score), {}),
        ("average_precision_score", (y2, score), {}),
        ("roc_auc_score ovr", (y5, p5), {"multi_class": "ovr"}),
        ("log_loss", (y5, p5), {}),
        ("mean_squared_error", (yt, yp), {}),
        ("mean_absolute_error weighted", (yt, yp), {"sample_weight": w}),
        ("r2_score 3 outputs", (yt2, yp2), {"multioutput": "raw_values"}),
    ]


def rel_diff(a, b):
    if isinstance(a, tuple):
        return max(rel_diff(x, y) for x, y in zip(a, b))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):  # inf thresholds: equal, not a difference
        d = np.where(a == b, 0.0, np.abs(a - b) / np.maximum(np.abs(b), 1e-300))
    return float(np.max(d))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"pymlcore {pymlcore.__version__}, scikit-learn {sklearn.__version__}, "
          f"numpy {np.__version__}, Python {platform.python_version()}, n={args.n}, "
          f"median of {args.repeat} after a warm-up, 1 thread")
    print(f"{'metric':32s} {'sklearn s':>10s} {'pymlcore s':>10s} {'ratio':>7s} {'rel diff':>9s}")
    for label, a, kw in cases(args.n, rng):
        name = label.split()[0]
        t_sk, _, v_sk = timed(lambda: getattr(skm, name)(*a, **kw), args.repeat)
        t_pm, _, v_pm = timed(lambda: getattr(pmm, name)(*a, **kw), args.repeat)
        print(f"{label:32s} {t_sk:10.4f} {t_pm:10.4f} {t_sk / t_pm:7.2f} "
              f"{rel_diff(v_pm, v_sk):9.1e}")


if __name__ == "__main__":
    main()
