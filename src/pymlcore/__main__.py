"""Command line: ``python -m pymlcore demo`` runs the main job; ``python -m pymlcore
versions`` prints what a bug report needs."""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m pymlcore")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="fit pipelines on generated data next to scikit-learn")
    demo.add_argument("--n-samples", type=int, default=200_000,
                      help="rows of generated data (default 200000)")
    demo.add_argument("--n-features", type=int, default=50, help="columns (default 50)")
    demo.add_argument("--n-jobs", type=int, default=None,
                      help="threads for pymlcore (default: all cores this process may use)")
    demo.add_argument("--repeat", type=int, default=3, help="timed fits per model (median)")
    demo.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    commands.add_parser("versions", help="print versions, BLAS, OpenMP and thread counts")
    args = parser.parse_args(argv)

    if args.command == "versions":
        from . import show_versions

        show_versions()
        return 0
    from ._demo import run_demo

    return run_demo(n_samples=args.n_samples, n_features=args.n_features, n_jobs=args.n_jobs,
                    repeat=args.repeat, seed=args.seed)


if __name__ == "__main__":
    sys.exit(main())
