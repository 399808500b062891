"""Command line.

    python -m pymlcore demo       the main job: per-store demand forecasting, one
                                  model per store-item, fitted in C threads
    python -m pymlcore compare    scikit-learn pipelines fitted with pymlcore's and with
                                  scikit-learn's estimators, side by side
    python -m pymlcore versions   versions, BLAS, OpenMP and thread counts
"""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m pymlcore",
                                     description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="forecast every store-item series (the main job)")
    demo.add_argument("--stores", type=int, default=10, help="number of stores (default 10)")
    demo.add_argument("--items", type=int, default=50, help="items per store (default 50)")
    demo.add_argument("--n-jobs", type=int, default=None,
                      help="threads (default: all cores this process may use)")
    demo.add_argument("--output", default="pymlcore-demo",
                      help="folder for forecasts.csv and the plot (default ./pymlcore-demo)")
    demo.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    demo.add_argument("--seed", type=int, default=0, help="seed of the generated data")

    compare = commands.add_parser("compare",
                                  help="pymlcore vs scikit-learn pipelines on generated data")
    compare.add_argument("--n-samples", type=int, default=200_000,
                         help="rows of generated data (default 200000)")
    compare.add_argument("--n-features", type=int, default=50, help="columns (default 50)")
    compare.add_argument("--n-jobs", type=int, default=None,
                         help="threads for pymlcore (default: all cores this process may use)")
    compare.add_argument("--repeat", type=int, default=3, help="timed fits per model (median)")
    compare.add_argument("--seed", type=int, default=0, help="seed of the generated data")

    commands.add_parser("versions", help="print versions, BLAS, OpenMP and thread counts")
    args = parser.parse_args(argv)

    if args.command == "versions":
        from . import show_versions

        show_versions()
        return 0
    if args.command == "compare":
        from ._demo import run_demo

        return run_demo(n_samples=args.n_samples, n_features=args.n_features,
                        n_jobs=args.n_jobs, repeat=args.repeat, seed=args.seed)
    from ._forecast_demo import run_forecast_demo

    return run_forecast_demo(n_stores=args.stores, n_items=args.items, n_jobs=args.n_jobs,
                             output=args.output,
                             progress=False if args.no_progress else "auto", seed=args.seed)


if __name__ == "__main__":
    sys.exit(main())
