"""A small, real forecaster with the Prophet face, for testing forecast_grouped's
plumbing independently of pymlcore.timeseries: a linear trend in time fitted
with pymlcore's Ridge, and an interval from seeded draws of the residual noise
(so the per-group seed matters, as it does for the Prophet-like Forecaster)."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin

from pymlcore.linear_model import Ridge


def _days(values):
    ds = pd.to_datetime(pd.Series(np.asarray(values).reshape(-1)))
    return ((ds - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy()[:, None]


class TrendForecaster(RegressorMixin, BaseEstimator):
    def __init__(self, interval_width=0.8, n_samples=200, random_state=None):
        self.interval_width = interval_width
        self.n_samples = n_samples
        self.random_state = random_state

    def fit(self, X, y):
        X = X.iloc[:, 0] if isinstance(X, pd.DataFrame) else X
        self.history_dates_ = pd.to_datetime(pd.Series(np.asarray(X))).sort_values()
        self.trend_ = Ridge(alpha=1e-6).fit(_days(X), np.asarray(y, dtype=float))
        residual = np.asarray(y, dtype=float) - self.trend_.predict(_days(X))
        self.sigma_ = float(np.std(residual))
        return self

    def make_future_dataframe(self, periods, freq="D", include_history=True):
        last = self.history_dates_.iloc[-1]
        dates = pd.date_range(start=last, periods=periods + 1, freq=freq)
        dates = dates[dates > last][:periods]
        if include_history:
            dates = np.concatenate([self.history_dates_.to_numpy(), dates.to_numpy()])
        return pd.DataFrame({"ds": pd.to_datetime(dates)})

    def predict(self, df):
        if not (isinstance(df, pd.DataFrame) and "ds" in df.columns):
            return self.trend_.predict(_days(df))
        yhat = self.trend_.predict(_days(df["ds"]))
        rng = np.random.default_rng(self.random_state)
        noise = rng.normal(0.0, self.sigma_, size=(self.n_samples, len(df)))
        alpha = (1.0 - self.interval_width) / 2.0
        return pd.DataFrame({"ds": df["ds"].to_numpy(), "yhat": yhat,
                             "yhat_lower": yhat + np.quantile(noise, alpha, axis=0),
                             "yhat_upper": yhat + np.quantile(noise, 1.0 - alpha, axis=0)})
