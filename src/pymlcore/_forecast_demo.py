"""The main job: per-store demand forecasting, one model per store-item
(USE_CASES.md, section 1).

Generates the daily store-item sales table, holds out the last 90 days of every
series, fits one Prophet-like forecaster per series with the original recipe's
settings in one grouped call, forecasts 90 days with history included, and prints
the wall time and the holdout sMAPE next to a seasonal-naive baseline.  Writes the
forecasts as CSV in the original result layout and a PNG of one series."""

import os
import time

import numpy as np
import pandas as pd

HORIZON = 90
KEYS = ["store", "item"]


def smape(actual, forecast):
    """Symmetric MAPE in percent; a day where both are 0 counts as a perfect 0."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    denom = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(2 * np.abs(forecast - actual), denom, out=np.zeros_like(denom),
                      where=denom > 0)
    return 100.0 * ratio.mean()


def seasonal_naive(train, horizon, season=7):
    """Each series' last observed week repeated over the horizon."""
    last = train.groupby(KEYS, sort=True).tail(season)
    rows = []
    for key, block in last.groupby(KEYS, sort=True):
        values = block["sales"].to_numpy()
        start = block["date"].iloc[-1]
        dates = pd.date_range(start + pd.Timedelta(days=1), periods=horizon, freq="D")
        rows.append(pd.DataFrame({"store": key[0], "item": key[1], "date": dates,
                                  "naive": np.resize(values, horizon)}))
    return pd.concat(rows, ignore_index=True)


def run_forecast_demo(n_stores=10, n_items=50, n_jobs=None, output="pymlcore-demo",
                      progress="auto", seed=0):
    from .datasets import make_store_item_sales
    from .grouped import GroupedEstimator
    from .timeseries import Forecaster
    from ._engine import resolve_n_threads

    sales = make_store_item_sales(n_stores=n_stores, n_items=n_items, random_state=seed)
    cutoff = sales["date"].max() - pd.Timedelta(days=HORIZON)
    train, holdout = sales[sales["date"] <= cutoff], sales[sales["date"] > cutoff]
    n_series = n_stores * n_items
    print(f"pymlcore demo: {n_series} store-item series x {train['date'].nunique()} training "
          f"days ({len(train):,} rows), {HORIZON}-day holdout, "
          f"{resolve_n_threads(n_jobs)} threads")

    forecaster = Forecaster(interval_width=0.95, growth="linear", daily_seasonality=False,
                            weekly_seasonality=True, yearly_seasonality=True,
                            seasonality_mode="multiplicative", random_state=seed)
    start = time.perf_counter()
    model = GroupedEstimator(forecaster, by=KEYS, n_jobs=n_jobs, progress=progress)
    model.fit(train, target="sales", features=["date"])
    fitted = time.perf_counter()
    forecast = model.forecast(periods=HORIZON, freq="D", include_history=True)
    done = time.perf_counter()
    print(f"fitted {n_series} forecasters in {fitted - start:.2f} s, forecast {HORIZON} days "
          f"(history included) in {done - fitted:.2f} s: {done - start:.2f} s in all")

    forecast = forecast.rename(columns={"ds": "date"})
    result = forecast[KEYS + ["date", "yhat", "yhat_upper", "yhat_lower"]].merge(
        sales, on=KEYS + ["date"], how="left")
    result["training_date"] = pd.Timestamp.now().normalize()
    result = result[["date", "store", "item", "sales", "yhat", "yhat_upper", "yhat_lower",
                     "training_date"]]

    scored = holdout.merge(result[KEYS + ["date", "yhat", "yhat_lower", "yhat_upper"]],
                           on=KEYS + ["date"]).merge(seasonal_naive(train, HORIZON),
                                                     on=KEYS + ["date"])
    inside = ((scored["sales"] >= scored["yhat_lower"])
              & (scored["sales"] <= scored["yhat_upper"])).mean()
    ours, naive = smape(scored["sales"], scored["yhat"]), smape(scored["sales"], scored["naive"])
    print(f"holdout sMAPE: pymlcore {ours:.2f}%, seasonal naive (last week repeated) "
          f"{naive:.2f}%; 95% interval covers {100 * inside:.1f}% of holdout days")

    os.makedirs(output, exist_ok=True)
    csv_path = os.path.join(output, "forecasts.csv")
    result.to_csv(csv_path, index=False)
    png_path = os.path.join(output, "store1_item1.png")
    _plot_series(result, train, holdout, png_path)
    print(f"wrote {csv_path} ({len(result):,} rows) and {png_path}")
    return 0


def _plot_series(result, train, holdout, path, store=1, item=1):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def pick(frame):
        return frame[(frame["store"] == store) & (frame["item"] == item)]

    series, seen, later = pick(result), pick(train), pick(holdout)
    window = seen["date"].max() - pd.Timedelta(days=365)
    series = series[series["date"] > window]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    seen = seen[seen["date"] > window]
    ax.plot(seen["date"], seen["sales"], ".", ms=3, color="0.35", label="history")
    ax.plot(later["date"], later["sales"], ".", ms=4, color="tab:red", label="holdout")
    ax.plot(series["date"], series["yhat"], color="tab:blue", lw=1.2, label="forecast")
    ax.fill_between(series["date"], series["yhat_lower"], series["yhat_upper"],
                    color="tab:blue", alpha=0.2, label="95% interval")
    ax.axvline(seen["date"].max(), color="0.5", ls="--", lw=0.8)
    ax.set_title(f"store {store}, item {item}: daily sales, last year of history and "
                 f"{HORIZON}-day forecast")
    ax.set_ylabel("units sold")
    ax.legend(loc="upper left", ncol=4, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
