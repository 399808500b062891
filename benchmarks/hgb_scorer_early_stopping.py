"""HistGradientBoosting early stopping on a scorer (scoring='accuracy'), 200,000
rows (issue 5: early stopping must not re-bin or re-predict every iteration).

Three fits of the same model on the same Higgs-like data (benchmarks/boosting.py),
2 threads, validation_fraction=0.1, n_iter_no_change=10, max_iter=100,
learning_rate=0.3 (it stops early, near iteration 60-90):
  - pymlcore: C fits the iterations before the stopping rule could fire in one
    call and keeps the raw predictions of the scored rows;
  - pymlcore, one iteration per call: the former implementation (warm start per
    iteration: re-binning and re-predicting; kept in
    tests/ensemble/test_hgb_early_stopping.py as the tests' oracle);
  - scikit-learn's HistGradientBoostingClassifier with the same settings.
Each gets a warm-up fit on 10,000 rows, then --repeat timed fits (median).

    python benchmarks/hgb_scorer_early_stopping.py [--rows 200000] [--repeat 5]

Asserts nothing; timings on a shared machine are noisy: compare ratios of one run.
"""

import argparse
import importlib.util
import pathlib
import statistics
import time

import numpy as np
import sklearn
from sklearn import ensemble as sk_ensemble

from boosting import make_higgs_like
from pymlcore.ensemble import HistGradientBoostingClassifier

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_oracle():
    path = ROOT / "tests" / "ensemble" / "test_hgb_early_stopping.py"
    spec = importlib.util.spec_from_file_location("hgb_es_oracle", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.one_iteration_per_fit


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    X, y = make_higgs_like(args.rows)
    oracle = load_oracle()
    kw = dict(scoring="accuracy", early_stopping=True, validation_fraction=0.1,
              n_iter_no_change=10, max_iter=100, learning_rate=0.3, random_state=0)

    def ours():
        return HistGradientBoostingClassifier(n_jobs=2, **kw)

    def per_iteration():
        est = HistGradientBoostingClassifier(n_jobs=2, **kw)
        est._fit_with_scorer = lambda *a: oracle(est, *a)
        return est

    def theirs():
        return sk_ensemble.HistGradientBoostingClassifier(**kw)

    print(f"HGB early stopping on scoring='accuracy', {args.rows} x 28, 2 threads, "
          f"scikit-learn {sklearn.__version__} (shared machine: timings are noisy)")
    times, models = {}, {}
    for name, make in [("pymlcore", ours), ("scikit-learn", theirs),
                       ("pymlcore, one iteration per call", per_iteration)]:
        make().fit(X[:10_000], y[:10_000])  # warm-up
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            models[name] = make().fit(X, y)
            runs.append(time.perf_counter() - start)
            print(f"    {name}: {runs[-1]:.2f} s", flush=True)
        times[name] = statistics.median(runs)
        m = models[name]
        print(f"  {name}: {times[name]:.2f} s (median of {args.repeat}), n_iter_ {m.n_iter_}, "
              f"best validation accuracy {np.max(m.validation_score_):.4f}", flush=True)
    a, b = models["pymlcore"], models["pymlcore, one iteration per call"]
    same = a.n_iter_ == b.n_iter_ and np.allclose(a.validation_score_, b.validation_score_,
                                                  rtol=1e-12, atol=0)
    print(f"speed-up over one iteration per call: "
          f"{times['pymlcore, one iteration per call'] / times['pymlcore']:.2f}x "
          f"(same n_iter_ and validation_score_: {same})")
    print(f"time vs scikit-learn: {times['pymlcore'] / times['scikit-learn']:.2f}x")


if __name__ == "__main__":
    main()
