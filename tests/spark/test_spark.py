"""pymlcore.spark against a real local Spark session: grouped fit, predict and
forecast on Spark equal the pandas GroupedEstimator group by group, whatever the
bucketing.

These tests never skip: without pyspark, pyarrow or Java they fail and say what
is missing (install the ``spark`` extra; Spark needs a Java runtime).

Tolerance: the Spark path runs the same C code on the same rows of each group,
so fitted coefficients and predictions are identical to the pandas path; the
comparisons allow 1e-12 (relative) only for a last-bit difference in a
reduction over a group's rows, which the bucketing does not otherwise change.
"""

import datetime
import pickle

import numpy as np
import pandas as pd
import pytest

from pymlcore.grouped import GroupedEstimator
from pymlcore.linear_model import Lasso, Ridge

from . import _forecaster
from ._forecaster import TrendForecaster

RTOL, ATOL = 1e-12, 1e-12

pytestmark = [
    # pyspark 4.3 warns that pandas 3 is not yet fully supported, and its Arrow
    # conversion passes pandas 3's deprecated copy keyword; the paths used here
    # (Arrow conversion, applyInPandas, cogroup) are what these tests check.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


@pytest.fixture(scope="module", autouse=True)
def forecaster_by_value(spark):
    """The workers receive the test forecaster by value (the tests folder is not
    importable there); `spark` is the shared session of tests/conftest.py."""
    from pyspark import cloudpickle

    cloudpickle.register_pickle_by_value(_forecaster)
    yield
    cloudpickle.unregister_pickle_by_value(_forecaster)


def make_frame(n_groups=24, rows=30, n_features=3, seed=0):
    """Keys of two types (int store, string item), a row id to align results."""
    rng = np.random.default_rng(seed)
    n = n_groups * rows
    g = np.repeat(np.arange(n_groups), rows)
    X = rng.normal(size=(n, n_features))
    slopes = rng.normal(size=(n_groups, n_features))
    y = np.einsum("ij,ij->i", X, slopes[g]) + g * 0.1 + 0.3 * rng.normal(size=n)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    df.insert(0, "row", np.arange(n, dtype=np.int64))
    df.insert(1, "store", (g % 4).astype(np.int64))
    df.insert(2, "item", [f"item{v // 4}" for v in g])
    df["y"] = y
    return df.sample(frac=1.0, random_state=1).reset_index(drop=True)


FEATURES = ["x0", "x1", "x2"]
BY = ["store", "item"]


def loaded_models(models_sdf):
    rows = models_sdf.toPandas()
    return {(r.store, r.item): pickle.loads(r.model) for r in rows.itertuples()}


def assert_same_models(spark_models, pandas_models):
    assert set(spark_models) == set(pandas_models)
    for key, est in pandas_models.items():
        np.testing.assert_allclose(spark_models[key].coef_, est.coef_, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(spark_models[key].intercept_, est.intercept_, rtol=RTOL,
                                   atol=ATOL)


def test_fit_predict_ridge_equal_pandas_path(spark):
    from pyspark.sql import functions as F

    from pymlcore.spark import fit_grouped, predict_grouped
    from pymlcore.spark._spark import BUCKET_COLUMN, _with_bucket

    df = make_frame()
    sdf = spark.createDataFrame(df)
    pandas_model = GroupedEstimator(Ridge(alpha=0.3), BY, progress=False).fit(
        df, "y", FEATURES)

    models = fit_grouped(sdf, Ridge(alpha=0.3), BY, "y", FEATURES, n_buckets=3).cache()
    assert models.columns == ["store", "item", "model", "error", "message"]
    # Groups really are split across the 3 buckets (Spark partitions, so tasks
    # that run in parallel), several groups in each.
    per_bucket = models.groupBy(F.spark_partition_id()).count().toPandas()
    assert len(per_bucket) == 3 and per_bucket["count"].min() >= 2
    # predict's buckets (a cogroup on a bucket column) hold several groups too.
    per_bucket = (_with_bucket(sdf, BY, 3).select(BUCKET_COLUMN, *BY).distinct()
                  .groupBy(BUCKET_COLUMN).count().toPandas())
    assert len(per_bucket) == 3 and per_bucket["count"].min() >= 2
    assert models.filter(F.col("error").isNotNull()).count() == 0
    assert_same_models(loaded_models(models), pandas_model.estimators_)

    # Any bucketing gives the same models.
    for n_buckets in (1, 7):
        assert_same_models(
            loaded_models(fit_grouped(sdf, Ridge(alpha=0.3), BY, "y", FEATURES,
                                      n_buckets=n_buckets)),
            pandas_model.estimators_)

    predicted = predict_grouped(sdf, models, n_buckets=5).toPandas()
    assert list(predicted.columns) == list(df.columns) + ["prediction"]
    predicted = predicted.sort_values("row").reset_index(drop=True)
    expected = pandas_model.predict(df.sort_values("row").reset_index(drop=True))
    assert len(predicted) == len(df)
    np.testing.assert_allclose(predicted["prediction"].to_numpy(), expected, rtol=RTOL,
                               atol=ATOL)
    models.unpersist()


def test_seeded_fits_equal_pandas_path_with_int32_keys(spark):
    """With random coordinate selection each group's result depends on its seed;
    Spark's IntegerType key arrives as int32 and still gives the pandas seeds."""
    from pyspark.sql import functions as F

    from pymlcore.spark import fit_grouped

    df = make_frame(n_groups=12)
    sdf = spark.createDataFrame(df).withColumn("store", F.col("store").cast("int"))
    make = lambda seed: Lasso(alpha=0.05, selection="random", tol=1e-2, max_iter=3,  # noqa
                              random_state=seed)
    with pytest.warns(Warning):  # max_iter=3 on purpose: the seed shows in the result
        expected = GroupedEstimator(make(0), BY, progress=False).fit(df, "y", FEATURES)
    spark_models = loaded_models(fit_grouped(sdf, make(0), BY, "y", FEATURES, n_buckets=2))
    assert_same_models(spark_models, expected.estimators_)
    # The comparison has teeth: another seed changes the fits beyond the tolerance.
    with pytest.warns(Warning):
        other = GroupedEstimator(make(1), BY, progress=False).fit(df, "y", FEATURES)
    assert any(not np.allclose(other.estimators_[k].coef_, spark_models[k].coef_,
                               rtol=RTOL, atol=ATOL) for k in spark_models)


def test_failed_groups_collected_or_raised(spark):
    from pyspark.errors import PythonException
    from pyspark.sql import functions as F

    from pymlcore.spark import fit_grouped, predict_grouped

    df = make_frame(n_groups=8)
    bad = (df["store"] == 1) & (df["item"] == "item0")
    df.loc[bad.idxmax(), "y"] = np.nan
    sdf = spark.createDataFrame(df)

    # A row with a null key belongs to no group, as in pandas.
    with_null = sdf.unionByName(sdf.limit(1).withColumn("item", F.lit(None).cast("string")))
    models = fit_grouped(with_null, Ridge(), BY, "y", FEATURES, n_buckets=2,
                         on_error="collect").toPandas()
    assert len(models) == 8
    failed = models[models["error"].notna()]
    assert failed[["store", "item"]].values.tolist() == [[1, "item0"]]
    assert failed["model"].isna().all() and "NaN" in failed["message"].iloc[0]
    assert models["model"].notna().sum() == 7

    with pytest.raises(PythonException, match=r"item0.*NaN|NaN.*item0"):
        fit_grouped(sdf, Ridge(), BY, "y", FEATURES, n_buckets=2).collect()

    models_sdf = spark.createDataFrame(models)
    collected = predict_grouped(sdf, models_sdf, on_error="collect").toPandas()
    in_failed = (collected["store"] == 1) & (collected["item"] == "item0")
    assert collected.loc[in_failed, "prediction"].isna().all()
    assert collected.loc[~in_failed, "prediction"].notna().all()
    with pytest.raises(PythonException, match="failed to fit"):
        predict_grouped(sdf, models_sdf).collect()

    # A group unseen in fit: with many buckets, some hold its rows and no model.
    no_store_0 = models_sdf.filter(models_sdf["store"] != 0)
    collected = predict_grouped(sdf, no_store_0, n_buckets=16, on_error="collect").toPandas()
    unserved = (collected["store"] == 0) | ((collected["store"] == 1)
                                           & (collected["item"] == "item0"))
    assert collected.loc[unserved, "prediction"].isna().all()
    assert collected.loc[~unserved, "prediction"].notna().all()
    ok = models_sdf.filter(models_sdf["error"].isNull())
    # Buckets holding models but no data rows give no rows.
    one_store = predict_grouped(sdf.filter(sdf["store"] == 2), ok, n_buckets=16).toPandas()
    assert len(one_store) == (df["store"] == 2).sum()
    assert one_store["prediction"].notna().all()
    with pytest.raises(PythonException, match="was not seen in fit"):
        predict_grouped(sdf.filter(sdf["store"] == 1), ok.filter(ok["store"] != 1)).collect()


def test_forecast_grouped_layout_and_pandas_equality(spark):
    from pyspark.sql import functions as F

    from pymlcore.spark import forecast_grouped

    rng = np.random.default_rng(0)
    dates = pd.date_range("2017-01-01", periods=60, freq="D")
    frames = []
    for store in (1, 2):
        for item in ("a", "b", "c"):
            trend = 10 + store + 0.1 * np.arange(len(dates)) * (1 + "abc".index(item))
            frames.append(pd.DataFrame({
                "date": dates, "store": store, "item": item,
                "sales": np.maximum(0, np.round(trend + rng.normal(0, 1, len(dates)))
                                    ).astype(np.int64)}))
    df = pd.concat(frames, ignore_index=True)
    sdf = spark.createDataFrame(df).withColumn("date", F.col("date").cast("date"))
    estimator = TrendForecaster(interval_width=0.95, random_state=7)
    day = datetime.date(2018, 1, 2)

    result = forecast_grouped(sdf, estimator, ["store", "item"], 10, time_col="date",
                              target="sales", n_buckets=4, training_date=day).toPandas()
    assert list(result.columns) == ["date", "store", "item", "sales", "yhat", "yhat_upper",
                                    "yhat_lower", "training_date"]
    assert len(result) == 6 * 70
    assert (result["training_date"] == day).all()
    result["date"] = pd.to_datetime(result["date"])
    result = result.sort_values(["store", "item", "date"]).reset_index(drop=True)
    history = result["date"] <= dates[-1]
    assert result.loc[history, "sales"].notna().all()
    assert result.loc[~history, "sales"].isna().all()

    grouped = GroupedEstimator(estimator, ["store", "item"], progress=False).fit(
        df, "sales", ["date"])
    np.testing.assert_allclose(result.loc[history, "yhat"].to_numpy(),
                               grouped.predict(df.sort_values(["store", "item", "date"])),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(result.loc[history, "sales"].to_numpy(dtype=np.int64),
                                  df.sort_values(["store", "item", "date"])["sales"])
    # Each bucket makes the pandas path's call: forecast(include_history=True).
    expected = grouped.forecast(10, include_history=True)
    expected = (expected[expected["ds"] > dates[-1]]
                .sort_values(["store", "item", "ds"]).reset_index(drop=True))
    future = result[~history].reset_index(drop=True)
    np.testing.assert_array_equal(future["date"].to_numpy(),
                                  expected["ds"].to_numpy().astype("datetime64[ns]"))
    for column in ("yhat", "yhat_upper", "yhat_lower"):
        np.testing.assert_allclose(future[column].to_numpy(), expected[column].to_numpy(),
                                   rtol=RTOL, atol=ATOL)

    # Without history, in one bucket: forecast(include_history=False)'s rows (this
    # test forecaster's draws depend on the rows of a call, so not those above).
    only_future = forecast_grouped(sdf, estimator, ["store", "item"], 10, time_col="date",
                                   target="sales", include_history=False, n_buckets=1,
                                   training_date=day).toPandas()
    only_future["date"] = pd.to_datetime(only_future["date"])
    only_future = only_future.sort_values(["store", "item", "date"]).reset_index(drop=True)
    assert len(only_future) == 60 and only_future["sales"].isna().all()
    expected = (grouped.forecast(10, include_history=False)
                .sort_values(["store", "item", "ds"]).reset_index(drop=True))
    np.testing.assert_array_equal(only_future["date"].to_numpy(),
                                  expected["ds"].to_numpy().astype("datetime64[ns]"))
    for column in ("yhat", "yhat_upper", "yhat_lower"):
        np.testing.assert_allclose(only_future[column].to_numpy(), expected[column].to_numpy(),
                                   rtol=RTOL, atol=ATOL)


def test_forecast_grouped_timestamp_time_column_and_int32_keys(spark):
    """A timestamp time column (naive wall times in the session zone, which is
    not UTC here, so the conversion to and from Spark's UTC instants shows) and
    an IntegerType key come back with their types, equal to the pandas path."""
    from pyspark.sql import functions as F

    from pymlcore.spark import forecast_grouped

    rng = np.random.default_rng(1)
    dates = pd.date_range("2021-03-20", periods=20, freq="D")  # spans a DST change
    df = pd.concat([pd.DataFrame({"ds": dates, "k": k, "y": 3.0 * k + 0.2 * np.arange(20)
                                  + rng.normal(0, 0.1, 20)}) for k in range(5)],
                   ignore_index=True)
    estimator = TrendForecaster(random_state=3)
    previous = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "Europe/Paris")
    try:
        sdf = spark.createDataFrame(df).withColumn("k", F.col("k").cast("int"))
        result = forecast_grouped(sdf, estimator, "k", 5, n_buckets=2,
                                  training_date=datetime.date(2021, 5, 1))
        assert [f.dataType.simpleString() for f in result.schema.fields] == [
            "timestamp", "int", "double", "double", "double", "double", "date"]
        result = result.toPandas()
    finally:
        spark.conf.set("spark.sql.session.timeZone", previous)
    result["ds"] = result["ds"].astype("datetime64[ns]")
    result = result.sort_values(["k", "ds"]).reset_index(drop=True)
    expected = (GroupedEstimator(estimator, "k", progress=False).fit(df, "y", ["ds"])
                .forecast(5, include_history=True).sort_values(["k", "ds"])
                .reset_index(drop=True))
    np.testing.assert_array_equal(result["ds"].to_numpy(),
                                  expected["ds"].to_numpy().astype("datetime64[ns]"))
    np.testing.assert_array_equal(result["k"].to_numpy(), expected["k"].to_numpy())
    for column in ("yhat", "yhat_upper", "yhat_lower"):
        np.testing.assert_allclose(result[column].to_numpy(), expected[column].to_numpy(),
                                   rtol=RTOL, atol=ATOL)
    history = result["ds"] <= dates[-1]
    np.testing.assert_allclose(result.loc[history, "y"].to_numpy(),
                               df.sort_values(["k", "ds"])["y"].to_numpy())
    assert result.loc[~history, "y"].isna().all()


def test_bad_input(spark):
    from pyspark.sql import types as T

    from pymlcore.spark import fit_grouped, forecast_grouped, predict_grouped

    df = make_frame(n_groups=2, rows=5)
    sdf = spark.createDataFrame(df)
    empty = sdf.limit(0)
    with pytest.raises(ValueError, match="sdf is empty"):
        fit_grouped(empty, Ridge(), BY, "y", FEATURES)
    models = spark.createDataFrame([], schema=T.StructType(
        [sdf.schema["store"], sdf.schema["item"], T.StructField("model", T.BinaryType()),
         T.StructField("error", T.StringType()), T.StructField("message", T.StringType())]))
    with pytest.raises(ValueError, match="sdf is empty"):
        predict_grouped(empty, models)
    dated = spark.createDataFrame(pd.DataFrame({"ds": pd.to_datetime(["2020-01-01"]),
                                                "k": [1], "y": [1.0]}))
    with pytest.raises(ValueError, match="sdf is empty"):
        forecast_grouped(dated.limit(0), TrendForecaster(), "k", 3)

    null_keys = spark.createDataFrame(pd.DataFrame({"k": [None, None], "x": [1.0, 2.0],
                                                    "y": [1.0, 2.0]}),
                                      "k string, x double, y double")
    with pytest.raises(ValueError, match="null key"):
        fit_grouped(null_keys, Ridge(), "k", "y")

    with pytest.raises(TypeError, match="Spark DataFrame"):
        fit_grouped(df, Ridge(), BY, "y")
    with pytest.raises(KeyError, match="by"):
        fit_grouped(sdf, Ridge(), ["nope"], "y")
    with pytest.raises(KeyError, match="target"):
        fit_grouped(sdf, Ridge(), BY, "nope")
    with pytest.raises(ValueError, match="n_buckets"):
        fit_grouped(sdf, Ridge(), BY, "y", n_buckets=0)
    with pytest.raises(ValueError, match="on_error"):
        fit_grouped(sdf, Ridge(), BY, "y", on_error="ignore")
    with pytest.raises(ValueError, match="models"):
        predict_grouped(sdf, sdf)
    with pytest.raises(ValueError, match="prediction_col"):
        predict_grouped(sdf, models, prediction_col="y")
    with pytest.raises(TypeError, match="time_col"):
        forecast_grouped(sdf, TrendForecaster(), "store", 3, time_col="x0")
    with pytest.raises(ValueError, match="periods"):
        forecast_grouped(dated, TrendForecaster(), "k", -1)


def test_forecast_grouped_with_forecaster_equals_pandas_path(spark):
    """The headline recipe: pymlcore's Forecaster per store-item with the original
    settings, 30-day horizon with history; Spark equals the pandas grouped path
    (future rows against GroupedEstimator.forecast, history yhat against
    GroupedEstimator.predict, history intervals against each group's model)."""
    from pyspark.sql import functions as F

    from pymlcore.datasets import make_store_item_sales
    from pymlcore.spark import forecast_grouped
    from pymlcore.timeseries import Forecaster

    df = make_store_item_sales(n_stores=2, n_items=3, start="2016-01-01", end="2017-12-31",
                               random_state=0)
    sdf = spark.createDataFrame(df).withColumn("date", F.col("date").cast("date"))
    estimator = Forecaster(interval_width=0.95, growth="linear", daily_seasonality=False,
                           weekly_seasonality=True, yearly_seasonality=True,
                           seasonality_mode="multiplicative", random_state=0)
    result = forecast_grouped(sdf, estimator, ["store", "item"], 30, time_col="date",
                              target="sales", n_buckets=2,
                              training_date=datetime.date(2018, 1, 1)).toPandas()
    assert list(result.columns) == ["date", "store", "item", "sales", "yhat", "yhat_upper",
                                    "yhat_lower", "training_date"]
    result["date"] = pd.to_datetime(result["date"]).astype("datetime64[ns]")
    result = result.sort_values(["store", "item", "date"]).reset_index(drop=True)
    assert len(result) == 6 * (731 + 30)

    grouped = GroupedEstimator(estimator, ["store", "item"], progress=False).fit(
        df, "sales", ["date"])
    history = result["date"] <= pd.Timestamp("2017-12-31")
    past, future = result[history], result[~history].reset_index(drop=True)
    expected_future = (grouped.forecast(30, include_history=False)
                       .sort_values(["store", "item", "ds"]).reset_index(drop=True))
    np.testing.assert_array_equal(future["date"].to_numpy(),
                                  expected_future["ds"].to_numpy().astype("datetime64[ns]"))
    assert future["sales"].isna().all()
    for column in ("yhat", "yhat_upper", "yhat_lower"):
        np.testing.assert_allclose(future[column].to_numpy(),
                                   expected_future[column].to_numpy(), rtol=RTOL, atol=ATOL)

    ordered = df.astype({"date": "datetime64[ns]"}).sort_values(["store", "item", "date"])
    np.testing.assert_array_equal(past["sales"].to_numpy(), ordered["sales"].to_numpy())
    np.testing.assert_allclose(past["yhat"].to_numpy(), grouped.predict(ordered), rtol=RTOL,
                               atol=ATOL)
    for (store, item), rows in past.groupby(["store", "item"]):
        frame = grouped.estimators_[(store, item)].predict(
            pd.DataFrame({"ds": rows["date"].to_numpy()}))
        for column in ("yhat_upper", "yhat_lower"):
            np.testing.assert_allclose(rows[column].to_numpy(), frame[column].to_numpy(),
                                       rtol=RTOL, atol=ATOL)
