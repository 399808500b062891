"""Prophet's diagnostics: rolling-origin cross-validation and its metrics.

Each cutoff's refit is one C fit on a prefix of the history's core array (a view,
no copy): the history is sorted by ds, so the rows up to a cutoff are a prefix.
"""

import numpy as np
import pandas as pd
from sklearn.base import clone

from .._engine import apply_core, fit_core

__all__ = ["cross_validation", "generate_cutoffs", "performance_metrics"]


def generate_cutoffs(df, horizon, initial, period):
    """Prophet's cutoffs: from the last date minus horizon, back by period,
    skipping gaps, while at least `initial` of history remains."""
    cutoff = df["ds"].max() - horizon
    if cutoff < df["ds"].min():
        raise ValueError("Less data than horizon.")
    result = [cutoff]
    while result[-1] >= df["ds"].min() + initial:
        cutoff -= period
        if not ((df["ds"] > cutoff) & (df["ds"] <= cutoff + horizon)).any():
            if cutoff > df["ds"].min():
                closest_date = df[df["ds"] <= cutoff].max()["ds"]
                cutoff = closest_date - horizon
        result.append(cutoff)
    result = result[:-1]
    if len(result) == 0:
        raise ValueError("Less data than horizon after initial window. "
                         "Make horizon or initial shorter.")
    return list(reversed(result))


def cross_validation(model, df=None, initial=None, period=None, horizon=None, parallel=None,
                     cutoffs=None, disable_tqdm=True, extra_output_columns=None):
    """Prophet's cross_validation: for each cutoff, refit `model` (a Forecaster,
    fitted or not) on the rows up to the cutoff and forecast (cutoff, cutoff +
    horizon].  df: the frame (ds, y, regressors); default the fitted model's
    history.  Prophet's call ``cross_validation(m, horizon=...)`` works too
    (a string or Timedelta second argument is taken as the horizon).  parallel is
    accepted for compatibility: the refits run in C one after another, each taking
    milliseconds.  Returns ds, yhat, yhat_lower, yhat_upper, y, cutoff."""
    if df is not None and not isinstance(df, pd.DataFrame):
        df, horizon = None, df if horizon is None else horizon
    if df is None:
        if not hasattr(model, "history"):
            raise ValueError("Model has not been fit. Fitting the model provides "
                             "contextual parameters for cross validation.")
        df = model.history
    if horizon is None:
        raise ValueError("horizon is required")
    if not {"ds", "y"} <= set(df.columns):
        raise ValueError('df must have columns "ds" and "y"')
    df = df.copy()
    df["ds"] = pd.to_datetime(df["ds"]).astype("datetime64[ns]")
    df = df[df["y"].notna()].sort_values("ds", kind="stable").reset_index(drop=True)
    horizon = pd.Timedelta(horizon)
    period = 0.5 * horizon if period is None else pd.Timedelta(period)
    initial = 3 * horizon if initial is None else pd.Timedelta(initial)
    if cutoffs is None:
        cutoffs = generate_cutoffs(df, horizon, initial, period)
    else:
        cutoffs = [pd.Timestamp(c) for c in cutoffs]
        if min(cutoffs) <= df["ds"].min():
            raise ValueError("Minimum cutoff value is not strictly greater than min date "
                             "in history")
        if max(cutoffs) >= df["ds"].max() - horizon:
            raise ValueError("Maximum cutoff value is greater than end date minus horizon, "
                             "no value for cross-validation remaining")
    if len(df) == 0:
        raise ValueError("df has no non-NaN y")

    base = clone(model)
    args = base._core_fit_args(df)  # the whole history once, row-wise
    X, y = args["X"], args["y"]
    ds = df["ds"].to_numpy("datetime64[ns]")
    extra = list(extra_output_columns or [])
    frames = []
    for cutoff in cutoffs:
        n_fit = int(np.searchsorted(ds, np.datetime64(cutoff, "ns"), side="right"))
        if n_fit < 2:
            raise ValueError("Less than two datapoints before cutoff. Increase initial window.")
        params = args["params"]
        if base.changepoints is not None:  # keep the given changepoints before the cutoff
            cp = params["changepoints"]
            params = dict(params, changepoints=np.ascontiguousarray(cp[cp <= X[n_fit - 1, 0]]))
        state = fit_core("Forecaster", params, X[:n_fit], y[:n_fit], None, n_jobs=1,
                         random_state=base.random_state, blas_in_threads=True)
        end = int(np.searchsorted(ds, np.datetime64(cutoff + horizon, "ns"), side="right"))
        table = apply_core("Forecaster", "transform", state, X[n_fit:end], n_jobs=base.n_jobs)
        part = pd.DataFrame({"ds": df["ds"].iloc[n_fit:end].to_numpy(), "yhat": table[:, 0],
                             "yhat_lower": table[:, 1], "yhat_upper": table[:, 2],
                             "y": y[n_fit:end], "cutoff": cutoff})
        for col in extra:
            part[col] = df[col].iloc[n_fit:end].to_numpy()
        frames.append(part)
    return pd.concat(frames, axis=0).reset_index(drop=True)


# ---- performance_metrics, as Prophet computes them -----------------------------------

def _rolling_mean_by_h(x, h, w, name):
    df = pd.DataFrame({"x": x, "h": h})
    df2 = df.groupby("h").agg(["sum", "count"]).reset_index().sort_values("h")
    xs = df2["x"]["sum"].values
    ns = df2["x"]["count"].values
    hs = df2["h"].values
    trailing_i = len(df2) - 1
    x_sum = 0.0
    n_sum = 0
    res_x = np.empty(len(df2))
    for i in range(len(df2) - 1, -1, -1):
        x_sum += xs[i]
        n_sum += ns[i]
        while n_sum >= w:
            # Include points from the previous horizon, weighted to make up w.
            excess_n = n_sum - w
            excess_x = excess_n * xs[i] / ns[i]
            res_x[trailing_i] = (x_sum - excess_x) / w
            x_sum -= xs[trailing_i]
            n_sum -= ns[trailing_i]
            trailing_i -= 1
    return pd.DataFrame({"horizon": hs[trailing_i + 1:], name: res_x[trailing_i + 1:]})


def _rolling_median_by_h(x, h, w, name):
    df = pd.DataFrame({"x": x, "h": h})
    grouped = df.groupby("h")
    hs = grouped.size().reset_index().sort_values("h")["h"].to_numpy()
    res_h, res_x = [], []
    i = len(hs) - 1
    while i >= 0:
        xs = grouped.get_group(hs[i])["x"].tolist()
        next_idx_to_add = np.array(h == hs[i]).argmax() - 1
        while len(xs) < w and next_idx_to_add >= 0:
            xs.append(x[next_idx_to_add])
            next_idx_to_add -= 1
        if len(xs) < w:
            break
        res_h.append(hs[i])
        res_x.append(np.median(xs))
        i -= 1
    return pd.DataFrame({"horizon": res_h[::-1], name: res_x[::-1]})


def _smape(y, yhat):
    denom = (np.abs(y) + np.abs(yhat)) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, np.abs(yhat - y) / np.where(denom > 0, denom, 1.0), 0.0)


def performance_metrics(df, metrics=None, rolling_window=0.1, monthly=False):
    """Prophet's performance_metrics of a cross_validation frame: per horizon,
    mse, rmse, mae, mape, mdape, smape and coverage over a rolling window holding
    `rolling_window` of the rows (negative: no aggregation)."""
    valid = ["mse", "rmse", "mae", "mape", "mdape", "smape", "coverage"]
    metrics = list(valid if metrics is None else metrics)
    if ("yhat_lower" not in df or "yhat_upper" not in df) and "coverage" in metrics:
        metrics.remove("coverage")
    if len(set(metrics)) != len(metrics):
        raise ValueError("Input metrics must be a list of unique values")
    if not set(metrics) <= set(valid):
        raise ValueError(f"Valid values for metrics are: {valid}")
    m = df.copy()
    if monthly:
        m["horizon"] = m["ds"].dt.to_period("M").astype(int) - \
            m["cutoff"].dt.to_period("M").astype(int)
    else:
        m["horizon"] = m["ds"] - m["cutoff"]
    m = m.sort_values("horizon", kind="stable").reset_index(drop=True)
    if "mape" in metrics and m["y"].abs().min() < 1e-8:
        metrics.remove("mape")
    if "mdape" in metrics and m["y"].abs().min() < 1e-8:
        metrics.remove("mdape")
    if not metrics:
        return None
    w = int(rolling_window * m.shape[0])
    if w >= 0:
        w = min(max(w, 1), m.shape[0])
    y, yhat, h = m["y"].to_numpy(float), m["yhat"].to_numpy(float), m["horizon"].to_numpy()
    err = yhat - y
    values = {
        "mse": err ** 2, "rmse": err ** 2, "mae": np.abs(err),
        "mape": np.abs(err / y) if "mape" in metrics else None,
        "mdape": np.abs(err / y) if "mdape" in metrics else None,
        "smape": _smape(y, yhat),
        "coverage": (((m["yhat_lower"] <= m["y"]) & (m["y"] <= m["yhat_upper"]))
                     .to_numpy(float) if "coverage" in metrics else None),
    }
    res = None
    for metric in metrics:
        x = values[metric]
        if w < 0:
            part = pd.DataFrame({"horizon": h, metric: x})
        elif metric == "mdape":
            part = _rolling_median_by_h(x, h, w, metric)
        else:
            part = _rolling_mean_by_h(x, h, w, metric)
        if metric == "rmse":
            part[metric] = np.sqrt(part[metric])
        if res is None:
            res = part
        elif w < 0:
            res[metric] = part[metric]
        else:
            res = res.merge(part, on="horizon")
    return res
