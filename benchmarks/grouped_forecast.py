"""Per-store forecasting benchmark (issue 3, item 6; USE_CASES.md, section 1).

Same run, same data: the 500 store-item series of make_store_item_sales, the last
90 days of every series held out.  Wall time and holdout sMAPE of

1. pymlcore: GroupedEstimator + Forecaster with the original recipe's settings,
   fit of all series + 90-day forecast with history, n_jobs=1 and 2 (median of
   --repeat runs after a warm-up);
2. Prophet with the same settings on a seeded random subset of series, fitted in
   2 worker processes and scaled to all series (one timed run after a warm-up of
   the workers), its sMAPE next to pymlcore's on the same subset;
3. statsforecast AutoETS(season_length=7) on all series, n_jobs=2, 95% interval
   and fitted values (the counterpart of pymlcore's interval and history); a
   warm-up call on a few series first, so one-time compilation and pool start-up
   are not counted;
   and the C engine alone (the grouped fit and the forecast's C transform,
   called directly) with 1 and 2 threads, to separate its scaling from the
   serial Python around it;
4. grouping overhead: GroupedEstimator over a trivial per-group model (pymlcore
   LinearRegression, 1 feature, 20 rows per group), microseconds per group;
5. Spark: pymlcore.spark.forecast_grouped on local[2] against the pandas
   GroupedEstimator run (n_jobs=2), when pymlcore.spark and Java are available;
   beside it Spark's own floors (the same rows through the same mechanism and
   through the classic groupBy().applyInPandas, handed back without modelling),
   so the reader sees Spark's fixed cost apart from ours.

statsforecast pins pandas<3 while pymlcore needs pandas 3, so its part runs in a
subprocess under --statsforecast-python (default: this interpreter), e.g. a venv
made with `python -m venv --system-site-packages VENV && VENV/bin/pip install
statsforecast`.  The data goes to it as arrays in an .npz file.

    python benchmarks/grouped_forecast.py            # the full run
    python benchmarks/grouped_forecast.py --quick    # smoke run, a couple of minutes

The benchmark asserts nothing: the last lines print each target's measured value
and whether it is met.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from _timing import median_time, timed

HORIZON = 90
KEYS = ["store", "item"]
SETTINGS = dict(interval_width=0.95, growth="linear", daily_seasonality=False,
                weekly_seasonality=True, yearly_seasonality=True,
                seasonality_mode="multiplicative")


def score(holdout, forecast, column="yhat"):
    """Pooled holdout sMAPE over every (series, day) of `holdout` (as the demo)."""
    from pymlcore._forecast_demo import smape

    scored = holdout.merge(forecast[KEYS + ["date", column]], on=KEYS + ["date"],
                           how="left")
    if scored[column].isna().any():
        raise RuntimeError(f"{int(scored[column].isna().sum())} holdout days have no forecast")
    return smape(scored["sales"], scored[column])


# ---------------------------------------------------------------- pymlcore
def pymlcore_run(train, n_jobs, seed=0, fit_times=None):
    """The demo's grouped fit + forecast; appends the fit's share to fit_times."""
    from pymlcore.grouped import GroupedEstimator
    from pymlcore.timeseries import Forecaster

    start = time.perf_counter()
    model = GroupedEstimator(Forecaster(**SETTINGS, random_state=seed), by=KEYS, n_jobs=n_jobs,
                             progress=False)
    model.fit(train, target="sales", features=["date"])
    if fit_times is not None:
        fit_times.append(time.perf_counter() - start)
    forecast = model.forecast(periods=HORIZON, freq="D", include_history=True)
    return forecast.rename(columns={"ds": "date"})


def c_engine_times(train, repeat, seed=0):
    """The C engine alone (no Python around it): _core.fit_grouped over the 500
    series and _core.apply_grouped over the forecast rows (history + 90 days),
    with 1 and 2 threads; median seconds of each."""
    from pymlcore import _core
    from pymlcore.grouped import GroupedEstimator
    from pymlcore.grouped._keys import factorize_keys, key_hashes
    from pymlcore.timeseries import Forecaster

    template = Forecaster(**SETTINGS, random_state=seed)
    args = template._core_fit_args(train[["date"]], train["sales"])
    codes, keys = factorize_keys(train[KEYS])
    hashes = key_hashes(keys)
    model = GroupedEstimator(Forecaster(**SETTINGS, random_state=seed), by=KEYS,
                             progress=False).fit(train, target="sales", features=["date"])
    rows = model.forecast(periods=HORIZON, freq="D", include_history=True)
    first = next(iter(model.estimators_.values()))
    X_future = first._core_apply_args("transform", rows[["ds"]].rename(
        columns={"ds": "date"}))["X"]
    codes_future = factorize_keys(rows[KEYS])[0]
    out = {}
    for n_threads in (1, 2):
        fit, _, states = timed(lambda: _core.fit_grouped(
            "Forecaster", args["params"], args["X"], args["y"], None, codes, len(keys),
            hashes, n_threads, seed)[0], repeat)
        apply = median_time(lambda: _core.apply_grouped(
            "Forecaster", "transform", states, X_future, codes_future, n_threads, None, None,
            True), repeat)
        out[n_threads] = (fit, apply)
    return out


# ---------------------------------------------------------------- Prophet
def _quiet_prophet():
    import logging

    from cmdstanpy.utils import get_logger

    get_logger()  # cmdstanpy sets its logger up lazily, on first use: do it now
    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.ERROR)
        logging.getLogger(name).propagate = False


def prophet_one(key, dates, sales):
    """The original recipe's per-group function: fit, future with history, predict.
    Returns the key, the future rows' (date, yhat) and the seconds this took."""
    start = time.perf_counter()
    from prophet import Prophet

    _quiet_prophet()  # after the import, which installs cmdstanpy's handler

    model = Prophet(**SETTINGS)
    model.fit(pd.DataFrame({"ds": dates, "y": sales}))
    future = model.make_future_dataframe(periods=HORIZON, freq="D", include_history=True)
    predicted = model.predict(future)
    tail = predicted.iloc[-HORIZON:]
    return key, tail["ds"].to_numpy(), tail["yhat"].to_numpy(), time.perf_counter() - start


def prophet_run(train, keys, workers):
    blocks = {k: b for k, b in train.groupby(KEYS, sort=True)}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Warm-up, not timed: one fit per worker slot, so that process start-up and
        # the Prophet/cmdstanpy imports are out of the timed fits.
        warm = [pool.submit(prophet_one, keys[i % len(keys)],
                            blocks[keys[i % len(keys)]]["date"].to_numpy(),
                            blocks[keys[i % len(keys)]]["sales"].to_numpy())
                for i in range(workers)]
        for f in warm:
            f.result()
        start = time.perf_counter()
        futures = [pool.submit(prophet_one, k, blocks[k]["date"].to_numpy(),
                               blocks[k]["sales"].to_numpy()) for k in keys]
        results = [f.result() for f in futures]
        wall = time.perf_counter() - start
    frames = [pd.DataFrame({"store": k[0], "item": k[1], "date": d, "yhat": y})
              for k, d, y, _ in results]
    per_fit = float(np.median([r[3] for r in results]))
    return wall, per_fit, pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- statsforecast
def statsforecast_worker(data_path, out_path, n_jobs, warm_series):
    """Runs in the statsforecast interpreter (no pymlcore import): a warm-up call on
    `warm_series` series, then the timed call on all of them."""
    import statsforecast
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    data = np.load(data_path)
    df = pd.DataFrame({"unique_id": data["uid"], "ds": pd.to_datetime(data["ds"]),
                       "y": data["y"].astype(float)})

    def run(frame):
        sf = StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=n_jobs)
        return sf.forecast(df=frame, h=HORIZON, level=[95], fitted=True)

    start = time.perf_counter()
    run(df[df["unique_id"] < warm_series])
    warm = time.perf_counter() - start
    start = time.perf_counter()
    out = run(df)
    wall = time.perf_counter() - start
    out = out.reset_index() if "unique_id" not in out.columns else out
    np.savez(out_path, uid=out["unique_id"].to_numpy(np.int64),
             ds=out["ds"].to_numpy("datetime64[ns]"), yhat=out["AutoETS"].to_numpy(float),
             wall=wall, warm=warm, version=statsforecast.__version__,
             pandas=pd.__version__)


def statsforecast_run(train, python, n_jobs, warm_series):
    codes, uniques = pd.MultiIndex.from_frame(train[KEYS]).factorize()
    with tempfile.TemporaryDirectory() as tmp:
        data_path, out_path = os.path.join(tmp, "in.npz"), os.path.join(tmp, "out.npz")
        np.savez(data_path, uid=codes.astype(np.int64),
                 ds=train["date"].to_numpy("datetime64[ns]"), y=train["sales"].to_numpy())
        subprocess.run([python, os.path.abspath(__file__), "--statsforecast-worker",
                        data_path, out_path, str(n_jobs), str(warm_series)], check=True)
        out = dict(np.load(out_path))
    keys = uniques[out["uid"]]
    forecast = pd.DataFrame({"store": keys.get_level_values(0),
                             "item": keys.get_level_values(1),
                             "date": out["ds"], "yhat": out["yhat"]})
    return (float(out["wall"]), float(out["warm"]), str(out["version"]), str(out["pandas"]),
            forecast)


# ---------------------------------------------------------------- overhead
def overhead(n_groups, rows, repeat):
    from pymlcore.grouped import GroupedEstimator
    from pymlcore.linear_model import LinearRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=n_groups * rows)
    df = pd.DataFrame({"group": np.repeat(np.arange(n_groups), rows), "x0": x,
                       "y": 2.0 * x + rng.normal(size=x.size)})
    out = {}
    for n_jobs in (1, 2):
        model = GroupedEstimator(LinearRegression(), "group", n_jobs=n_jobs, progress=False)
        out[n_jobs] = median_time(lambda: model.fit(df, "y", ["x0"]), repeat)
    return {k: v / n_groups * 1e6 for k, v in out.items()}


# ---------------------------------------------------------------- Spark
def spark_run(train, repeat):
    import pymlcore.spark as pms
    from pyspark.sql import SparkSession
    from pymlcore.timeseries import Forecaster

    # Spark's Python workers must run this interpreter (where pymlcore is installed).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    spark = (SparkSession.builder.master("local[2]").appName("pymlcore-bench")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             # One Arrow batch per bucket instead of 10,000-row batches.
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "1000000")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        sdf = spark.createDataFrame(train.assign(date=train["date"].dt.date)).cache()
        sdf.count()

        def run():
            out = pms.forecast_grouped(sdf, Forecaster(**SETTINGS, random_state=0), KEYS,
                                       HORIZON, time_col="date", target="sales", n_jobs=1)
            return out.toPandas()

        wall, _, out = timed(run, repeat)

        # Spark's own floors for this job: the rows of each bucket handed back
        # unchanged, no modelling, so what no grouped UDF can beat.  (a) the
        # mechanism forecast_grouped uses: hash-partition on the keys, one
        # mapInArrow call per partition (shuffle + Arrow both ways + toPandas);
        # (b) the classic recipe's groupBy(bucket).applyInPandas (adds a sort and
        # pandas conversions by pyspark).
        import pyarrow as pa
        from pymlcore.spark._spark import _resolve_buckets, _with_bucket

        n_buckets = _resolve_buckets(sdf, None)

        def whole_partition(batches):
            batches = list(batches)
            if batches:
                yield from pa.Table.from_batches(batches).to_batches()

        def floor_map():
            return (sdf.repartition(n_buckets, *KEYS).mapInArrow(whole_partition, sdf.schema)
                    .toPandas())

        bucketed = _with_bucket(sdf, KEYS, n_buckets)

        def floor_apply():
            return (bucketed.groupBy(bucketed.columns[-1])
                    .applyInPandas(lambda pdf: pdf, bucketed.schema).toPandas())

        # (c) no shuffle, no Python worker: the cached input collected to pandas,
        # the least any Spark job returning these rows to pandas costs.
        floors = {name: median_time(fn, repeat)
                  for name, fn in (("map", floor_map), ("apply", floor_apply),
                                   ("collect", sdf.toPandas))}
        return wall, floors, spark.version, out
    finally:
        spark.stop()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 50 series, 3 repeats, 4 Prophet series")
    p.add_argument("--repeat", type=int, default=None, help="timed runs (default 5, quick 3)")
    p.add_argument("--prophet-series", type=int, default=None,
                   help="series fitted with Prophet (default 20, quick 4)")
    p.add_argument("--skip-prophet", action="store_true")
    p.add_argument("--skip-statsforecast", action="store_true")
    p.add_argument("--skip-spark", action="store_true")
    p.add_argument("--statsforecast-python", default=sys.executable,
                   help="interpreter with statsforecast installed (it needs pandas<3)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 5)
    n_prophet = args.prophet_series or (4 if args.quick else 20)
    n_items = 5 if args.quick else 50

    import sklearn
    from threadpoolctl import threadpool_info

    import pymlcore
    from pymlcore._engine import resolve_n_threads
    from pymlcore._forecast_demo import seasonal_naive, smape
    from pymlcore.datasets import make_store_item_sales

    print(f"pymlcore {pymlcore.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"scikit-learn {sklearn.__version__}, Python {platform.python_version()}")
    print(f"{os.cpu_count()} CPUs, {len(os.sched_getaffinity(0))} usable, load average "
          f"{os.getloadavg()[0]:.2f}; pymlcore n_jobs=None -> {resolve_n_threads(None)} "
          f"threads; BLAS pools: " + ", ".join(
              f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info()))

    sales = make_store_item_sales(n_stores=10, n_items=n_items, random_state=args.seed)
    cutoff = sales["date"].max() - pd.Timedelta(days=HORIZON)
    train, holdout = sales[sales["date"] <= cutoff], sales[sales["date"] > cutoff]
    n_series = 10 * n_items
    print(f"data: {n_series} store-item series x {train['date'].nunique()} training days "
          f"({len(train):,} rows), {HORIZON}-day holdout ({len(holdout):,} rows)")
    naive = seasonal_naive(train, HORIZON)
    naive_smape = smape(holdout.merge(naive, on=KEYS + ["date"])["sales"],
                        holdout.merge(naive, on=KEYS + ["date"])["naive"])
    rows, targets = [], []

    def row(name, wall, series, smape_value, note=""):
        rows.append((name, wall, series, smape_value, note))

    # 1. pymlcore
    times = {}
    for n_jobs in (1, 2):
        fit_times = []
        times[n_jobs], _, forecast = timed(
            lambda: pymlcore_run(train, n_jobs, args.seed, fit_times), repeat)
        ours = score(holdout, forecast)
        row(f"pymlcore Forecaster, n_jobs={n_jobs}", times[n_jobs], n_series, ours,
            f"median of {repeat} after warm-up; fit {np.median(fit_times[1:]):.2f} s + "
            "forecast with history")
    engine = c_engine_times(train, repeat, args.seed)
    for n_threads, (fit, apply) in engine.items():
        row(f"C engine only, {n_threads} thread(s)", fit + apply, n_series, float("nan"),
            f"fit_grouped {fit:.3f} s + apply_grouped {apply:.3f} s (median of {repeat})")
    row("seasonal naive (last week repeated)", float("nan"), n_series, naive_smape)
    speedup = times[1] / times[2]
    engine_speedup = sum(engine[1]) / sum(engine[2])
    # The 1 s target is for the 500 series; a --quick run does not measure it.
    targets.append((f"all {n_series} fits + forecasts on 2 cores", f"{times[2]:.2f} s",
                    "< 1 s for 500", times[2] < 1.0 if n_series == 500 else None))
    targets.append(("speed-up 1 -> 2 threads", f"{speedup:.2f}x", ">= 1.8x", speedup >= 1.8))
    targets.append(("  the same, C engine alone", f"{engine_speedup:.2f}x", "(for reference)",
                    None))

    # 2. Prophet
    if args.skip_prophet:
        print("Prophet: skipped (--skip-prophet)")
    else:
        import prophet

        rng = np.random.default_rng(args.seed)
        all_keys = sorted(map(tuple, train[KEYS].drop_duplicates().to_numpy().tolist()))
        pick = sorted(rng.choice(len(all_keys), size=min(n_prophet, len(all_keys)),
                                 replace=False))
        keys = [all_keys[i] for i in pick]
        print(f"Prophet {prophet.__version__}: {len(keys)} random series (seed {args.seed}) "
              f"in 2 worker processes ...", flush=True)
        wall, per_fit, pf = prophet_run(train, keys, workers=2)
        sub = holdout.merge(pd.DataFrame(keys, columns=KEYS), on=KEYS)
        prophet_smape, ours_sub = score(sub, pf), score(sub, forecast)
        scaled = wall * n_series / len(keys)
        row(f"Prophet, 2 processes, {len(keys)} series scaled to {n_series}", scaled, n_series,
            float("nan"), f"measured {wall:.1f} s for {len(keys)} series, {per_fit:.2f} s "
            "median per fit")
        row(f"Prophet on the {len(keys)}-series subset", wall, len(keys), prophet_smape)
        row(f"pymlcore on the same {len(keys)} series", float("nan"), len(keys), ours_sub,
            "from the n_jobs=2 run above")
        ratio = scaled / times[2]
        rel = (ours_sub - prophet_smape) / prophet_smape
        targets.append(("faster than Prophet (scaled, both on 2 cores)", f"{ratio:.0f}x",
                        ">= 100x", ratio >= 100))
        targets.append((f"sMAPE vs Prophet on {len(keys)} series",
                        f"{ours_sub:.3f}% vs {prophet_smape:.3f}% ({100 * rel:+.2f}% rel.)",
                        "within 2% relative", abs(rel) <= 0.02))

    # 3. statsforecast
    if args.skip_statsforecast:
        print("statsforecast: skipped (--skip-statsforecast)")
    else:
        print(f"statsforecast AutoETS(season_length=7), n_jobs=2, under "
              f"{args.statsforecast_python} ...", flush=True)
        try:
            wall, warm, version, sf_pandas, sf = statsforecast_run(
                train, args.statsforecast_python, 2, warm_series=4)
        except subprocess.CalledProcessError as exc:
            print(f"statsforecast: failed ({exc}); is it installed for "
                  f"{args.statsforecast_python}? See the module docstring.")
        else:
            ets = score(holdout, sf)
            row(f"statsforecast {version} AutoETS, n_jobs=2", wall, n_series, ets,
                f"one run; warm-up on 4 series ({warm:.1f} s) not counted; pandas "
                f"{sf_pandas}; 95% level + fitted")
            ours = score(holdout, forecast)
            targets.append(("faster than statsforecast AutoETS (2 cores)",
                            f"{wall / times[2]:.1f}x", "> 1x", wall > times[2]))
            targets.append(("sMAPE vs AutoETS", f"{ours:.2f}% vs {ets:.2f}%", "no worse",
                            ours <= ets))

    # 4. grouping overhead
    n_groups = 2_000 if args.quick else 10_000
    us = overhead(n_groups, 20, repeat)
    for n_jobs, v in us.items():
        row(f"overhead: LinearRegression per group, n_jobs={n_jobs}", v * n_groups / 1e6,
            n_groups, float("nan"), f"{v:.1f} us per group (20 rows x 1 feature)")
    targets.append(("grouping overhead, trivial model", f"{min(us.values()):.1f} us/group",
                    "<= 50 us", min(us.values()) <= 50))

    # 5. Spark
    if args.skip_spark:
        print("Spark: skipped (--skip-spark)")
    else:
        try:
            import pymlcore.spark  # noqa: F401
            import pyspark  # noqa: F401
        except ImportError as exc:
            print(f"Spark: skipped ({exc})")
        else:
            print("Spark local[2]: pymlcore.spark.forecast_grouped, against the pandas "
                  "GroupedEstimator run with n_jobs=2 ...", flush=True)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    wall, floors, version, out = spark_run(train, repeat)
            except Exception as exc:  # no Java, no free port...: report, go on
                print(f"Spark: failed ({type(exc).__name__}: {exc})")
            else:
                out = out.rename(columns={"date": "date_"}).assign(
                    date=lambda f: pd.to_datetime(f["date_"]))
                row(f"Spark {version} local[2], forecast_grouped", wall, n_series,
                    score(holdout, out), f"median of {repeat}; to pandas")
                row("Spark floor: partition on keys + mapInArrow, input back",
                    floors["map"], n_series, float("nan"),
                    "forecast_grouped's mechanism, no model; shuffle + Arrow + toPandas")
                row("Spark floor: groupBy(bucket).applyInPandas, input back",
                    floors["apply"], n_series, float("nan"),
                    "the classic recipe's mechanism, no model (adds sort + pandas)")
                row("Spark floor: cached input toPandas (no shuffle, no UDF)",
                    floors["collect"], n_series, float("nan"),
                    "the cost of bringing the rows back to pandas alone")
                ratio = wall / times[2]
                targets.append(("Spark local[2] / pandas GroupedEstimator n_jobs=2", f"{ratio:.2f}x",
                                "<= 1.5x", ratio <= 1.5))
                targets.append(("  Spark's floor (mapInArrow, no model) / pandas",
                                f"{floors['map'] / times[2]:.2f}x", "(for reference)", None))
                targets.append(("  Spark's floor (applyInPandas, no model) / pandas",
                                f"{floors['apply'] / times[2]:.2f}x", "(for reference)", None))
                targets.append(("  Spark's floor (input toPandas only) / pandas",
                                f"{floors['collect'] / times[2]:.2f}x", "(for reference)", None))
                targets.append(("  Spark forecast_grouped - mapInArrow floor",
                                f"{wall - floors['map']:.2f} s", "(ours on Spark)", None))

    print(f"\n{'run':58s} {'wall s':>9s} {'series':>7s} {'sMAPE %':>8s}  note")
    for name, wall, series, value, note in rows:
        w = "" if np.isnan(wall) else f"{wall:9.3f}"
        s = "" if np.isnan(value) else f"{value:8.2f}"
        print(f"{name:58s} {w:>9s} {series:7d} {s:>8s}  {note}")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end (2 cores shared: timings "
          "under load are pessimistic)")
    print("targets (issue 3, item 6):")
    for name, value, target, met in targets:
        print(f"  {name:48s} {value:>34s}  target {target:20s} {'n/a' if met is None else 'met' if met else 'NOT met'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--statsforecast-worker":
        statsforecast_worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
