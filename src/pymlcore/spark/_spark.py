"""Grouped fit / predict / forecast on a Spark DataFrame, many groups per Python call.

fit_grouped and forecast_grouped share one mechanism (_map_buckets): the rows are
hash-partitioned on the key columns into n_buckets partitions by Spark
(``repartition(n_buckets, *by)``), so all rows of a group land in one partition
and each partition is one bucket; then ``mapInArrow`` calls a Python function
once per partition, which runs the pandas GroupedEstimator over every group of
the bucket (one C call for estimators with a C table).  A Python call per
bucket instead of per group keeps Spark's per-call overhead off the per-group
cost; partitioning on the keys themselves (rather than grouping on a bucket
number, which Spark hashes a second time into its shuffle partitions, where two
buckets can share a partition and so a core) gives each task slot its own
bucket, and needs no per-group sort.  The Arrow batches are converted to and
from pandas here, with the types the modelling needs (dates as datetime64, not
Python objects).  predict_grouped brings each bucket's rows and models together
with a cogroup on a bucket column.

Results equal the pandas path group by group: a group's fit sees exactly its own
rows, and its random seed is a function of the estimator's random_state and the
group's key values (pymlcore.grouped), never of the bucket, the other groups in
it, or the partitioning.  For that the key columns are brought to the dtypes the
pandas path would see (integers as int64, floats as float64) before fitting,
since the key hash depends on the dtype.
"""

import datetime
import pickle

import numpy as np
import pandas as pd

from ..grouped import GroupedEstimator
from ..grouped._grouped import _grouped_from_models

__all__ = ["fit_grouped", "predict_grouped", "forecast_grouped"]

# The bucket column of predict_grouped's cogroup (dropped in its function).
BUCKET_COLUMN = "__pymlcore_bucket"
# Columns of the model frame besides the keys.
MODEL_COLUMNS = ("model", "error", "message")
_FORECAST_COLUMNS = ("yhat", "yhat_upper", "yhat_lower")


# ---- shared plumbing -----------------------------------------------------------

def _pyspark():
    """pyspark's functions and types modules, imported on first use so that
    ``import pymlcore.spark`` (e.g. by pymlcore.utils.all_estimators) works
    without pyspark installed."""
    try:
        import pyarrow  # noqa: F401  (mapInArrow and applyInPandas need it)
        from pyspark.sql import functions, types
    except ImportError as exc:
        raise ImportError("pymlcore.spark needs pyspark and pyarrow: pip install "
                          f"'pymlcore[spark]' ({exc})") from exc
    return functions, types


def _check_sdf(sdf, name="sdf"):
    _pyspark()
    from pyspark.sql import DataFrame
    if not isinstance(sdf, DataFrame):
        raise TypeError(f"{name} must be a Spark DataFrame, got {type(sdf).__name__}")


def _check_not_empty(sdf, name="sdf"):
    # One small job (it stops at the first row): an empty frame would otherwise
    # give an empty result without a word.
    if sdf.isEmpty():
        raise ValueError(f"{name} is empty (0 rows): there is no group to fit")


def _keyed_rows(sdf, by):
    """The rows with every key present.  Rows with a null key belong to no group
    (as in pandas groupby); dropping them before bucketing keeps a bucket of
    null-key rows only from failing the fit of the others.  One small Spark job
    (it stops at the first keyed row) checks that a group exists; a second one
    runs only then, to say whether sdf is empty or its keys are all null."""
    keyed = sdf.dropna(how="any", subset=by)
    if keyed.isEmpty():
        _check_not_empty(sdf)
        raise ValueError(f"every row has a null key in {by}: there is no group to fit")
    return keyed


def _check_by(by, columns, name="sdf"):
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise ValueError("by must name at least one key column")
    missing = [c for c in by if c not in columns]
    if missing:
        raise KeyError(f"by: column(s) {missing} not in {name}")
    return by


def _check_column(value, columns, what, name="sdf"):
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a column name (str), got {type(value).__name__}")
    if value not in columns:
        raise KeyError(f"{what}: column {value!r} not in {name}")
    return value


def _check_on_error(on_error):
    if on_error not in ("raise", "collect"):
        raise ValueError(f"on_error must be 'raise' or 'collect', got {on_error!r}")


def _resolve_buckets(sdf, n_buckets):
    """n_buckets as given, or Spark's default parallelism (its task slots): one
    Python call per slot, each holding as many groups as possible, since the
    per-call cost (Arrow batches, pandas frames, UDF start) is what Spark adds to
    the pandas path; inside a call the groups are balanced over C threads."""
    if n_buckets is None:
        try:
            parallelism = sdf.sparkSession.sparkContext.defaultParallelism
        except Exception:  # Spark Connect sessions have no SparkContext
            parallelism = int(sdf.sparkSession.conf.get("spark.sql.shuffle.partitions"))
        return max(int(parallelism), 1)
    if isinstance(n_buckets, bool) or not isinstance(n_buckets, (int, np.integer)) \
            or n_buckets < 1:
        raise ValueError(f"n_buckets must be a positive int or None, got {n_buckets!r}")
    return int(n_buckets)


def _with_bucket(sdf, by, n_buckets):
    """sdf with the bucket column: a hash of the key values computed by Spark, so
    a group's bucket depends on its key only."""
    F, T = _pyspark()
    return sdf.withColumn(BUCKET_COLUMN,
                          F.pmod(F.xxhash64(*[F.col(c) for c in by]), F.lit(n_buckets))
                          .cast(T.IntegerType()))


def _session_time_zone(sdf):
    return sdf.sparkSession.conf.get("spark.sql.session.timeZone")


def _map_buckets(sdf, by, n_buckets, bucket_fn, schema, datetime_cols=()):
    """``bucket_fn(pdf) -> frame`` applied to every bucket of sdf, the buckets being
    Spark's hash partitions of the key columns; a Spark DataFrame with `schema`.

    Rows reach bucket_fn as one pandas frame per partition, converted from
    Arrow here as applyInPandas would (timestamps as naive session-local
    datetime64), except that the columns in `datetime_cols` come as
    datetime64[ns] even when they are dates (applyInPandas gives Python
    ``date`` objects, one per row).  The frame bucket_fn returns is converted to
    the Arrow types Spark expects for `schema` column by column, without Python
    objects for numbers or dates.
    """
    import pyarrow as pa
    from pyspark.sql.pandas.types import to_arrow_schema

    F, _ = _pyspark()
    session = sdf.sparkSession
    time_zone = _session_time_zone(sdf)
    large = session.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false") == "true"
    arrow_schema = to_arrow_schema(schema, timezone=time_zone, prefers_large_types=large)
    datetime_cols = tuple(datetime_cols)

    def run(batches):
        batches = list(batches)
        if not any(batch.num_rows for batch in batches):  # a partition without a group
            return
        pdf = _arrow_to_pandas(pa.Table.from_batches(batches), datetime_cols, time_zone)
        out = _pandas_to_arrow(bucket_fn(pdf), arrow_schema, time_zone)
        yield from out.to_batches()

    return sdf.repartition(n_buckets, *[F.col(c) for c in by]).mapInArrow(run, schema)


def _arrow_to_pandas(table, datetime_cols, time_zone):
    import pyarrow as pa

    for name in datetime_cols:
        i = table.schema.get_field_index(name)
        column = table.column(i)
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            continue  # converted below with the other zoned columns
        table = table.set_column(i, name, column.cast(pa.timestamp("ns")))
    pdf = table.to_pandas()
    for name, dtype in pdf.dtypes.items():
        # Spark sends timestamps as UTC instants; applyInPandas hands pandas their
        # wall time in the session zone, naive.
        if isinstance(dtype, pd.DatetimeTZDtype):
            pdf[name] = pdf[name].dt.tz_convert(time_zone).dt.tz_localize(None)
            if name in datetime_cols:
                pdf[name] = pdf[name].astype("datetime64[ns]")
    return pdf


def _pandas_to_arrow(out, arrow_schema, time_zone):
    """out as an Arrow table of exactly arrow_schema's types (Spark reads the
    batches as they are)."""
    import pyarrow as pa

    arrays = []
    for field in arrow_schema:
        column = out[field.name]
        if pa.types.is_timestamp(field.type) and field.type.tz is not None \
                and not isinstance(column.dtype, pd.DatetimeTZDtype):
            # naive session-local wall times -> UTC instants, as pyspark does
            column = pd.to_datetime(column).dt.tz_localize(time_zone, ambiguous=False)
        array = pa.array(column, from_pandas=True)
        if isinstance(array, pa.ChunkedArray):  # pandas 3 strings after a concat
            array = array.combine_chunks()
        if array.type != field.type:
            # date32 from datetime64 drops a time of day (as Spark's cast does)
            array = array.cast(field.type, safe=not pa.types.is_date(field.type))
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=arrow_schema)


def _normalize_keys(pdf, by):
    """Key columns with the dtypes of the pandas path (Arrow gives int32 for a
    Spark IntegerType, float32 for a FloatType): the per-group seed is a hash of
    the key values, and that hash depends on the dtype."""
    for c in by:
        kind = pdf[c].dtype.kind
        if kind in "iu" and pdf[c].dtype != np.int64:
            pdf[c] = pdf[c].astype(np.int64)
        elif kind == "f" and pdf[c].dtype != np.float64:
            pdf[c] = pdf[c].astype(np.float64)
    return pdf


def _for_arrow(out):
    """out with its string columns as object: pandas 3 stores strings in Arrow
    arrays, chunked after a concat or merge, and pyspark's Arrow writer takes
    one array per column, not a chunked one."""
    for c in out.columns:
        if isinstance(out[c].dtype, pd.StringDtype):
            out[c] = out[c].astype(object)
    return out


def _key_tuples(frame, by):
    return list(frame[by].itertuples(index=False, name=None))


def model_schema(key_fields):
    """The schema of the model frame: the key fields, then ``model`` (the pickled
    fitted estimator), ``error`` and ``message`` (null unless the fit failed)."""
    _, T = _pyspark()
    return T.StructType(list(key_fields) + [
        T.StructField("model", T.BinaryType(), True),
        T.StructField("error", T.StringType(), True),
        T.StructField("message", T.StringType(), True)])


# ---- fit -----------------------------------------------------------------------

def fit_grouped(sdf, estimator, by, target, features=None, *, n_buckets=None, n_jobs=1,
                on_error="raise"):
    """Fits one clone of `estimator` per group of a Spark DataFrame.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        Keys, target and feature columns.
    estimator : estimator object
        Cloned per group, as in :class:`pymlcore.grouped.GroupedEstimator`.
    by : str or list of str
        Key column(s).  Rows with a null key belong to no group.
    target : str
        The target column.
    features : list of str, default=None
        Feature columns; None means every column but the keys and the target.
    n_buckets : int, default=None
        Buckets the groups are hashed into; each bucket is one Python call that
        fits all its groups.  None: the session's default parallelism (one
        bucket per task slot).
    n_jobs : int, default=1
        Threads across the groups of one bucket.  Spark already runs one task per
        core, so one thread per task avoids oversubscription.
    on_error : {'raise', 'collect'}, default='raise'
        'raise': a failing group fails the Spark job, the group key in the
        message.  'collect': the group's row has a null ``model`` and its
        exception type and message in ``error`` and ``message``.

    Returns
    -------
    models : pyspark.sql.DataFrame
        One row per group: the key columns (with their input types), ``model``
        (the fitted estimator, pickled; load it with ``pickle.loads`` -- as with
        any pickle, only from a source you trust), ``error`` and ``message``.
        Lazy, like any Spark DataFrame: the fits run when it is used (cache or
        save it to fit once).
    """
    _check_sdf(sdf)
    _check_on_error(on_error)
    columns = sdf.columns
    by = _check_by(by, columns)
    target = _check_column(target, columns, "target")
    if target in by:
        raise ValueError(f"target {target!r} is also a key column")
    if features is None:
        features = [c for c in columns if c not in by and c != target]
    else:
        features = [features] if isinstance(features, str) else list(features)
        missing = [c for c in features if c not in columns]
        if missing:
            raise KeyError(f"features: column(s) {missing} not in sdf")
    if not features:
        raise ValueError("features: no feature column (every column is a key or the target)")
    n_buckets = _resolve_buckets(sdf, n_buckets)
    keyed = _keyed_rows(sdf.select(*by, target, *features), by)
    schema = model_schema([sdf.schema[c] for c in by])

    def fit_bucket(pdf):
        pdf = _normalize_keys(pdf, by)
        grouped = GroupedEstimator(estimator, by, n_jobs=n_jobs, on_error=on_error,
                                   progress=False).fit(pdf, target, features)
        fitted = grouped.estimators_
        out = grouped.keys_.copy()
        out["model"] = [pickle.dumps(fitted[k], protocol=pickle.HIGHEST_PROTOCOL)
                        if k in fitted else None for k in _key_tuples(out, by)]
        errors = {k: (kind, message) for k, kind, message in zip(
            _key_tuples(grouped.errors_, by), grouped.errors_["error"],
            grouped.errors_["message"])}
        out["error"] = [errors[k][0] if k in errors else None for k in _key_tuples(out, by)]
        out["message"] = [errors[k][1] if k in errors else None
                          for k in _key_tuples(out, by)]
        return out

    return _map_buckets(keyed, by, n_buckets, fit_bucket, schema)


# ---- predict -------------------------------------------------------------------

def predict_grouped(sdf, models, *, features=None, prediction_col="prediction",
                    n_buckets=None, on_error="raise"):
    """Predictions of each row's group model.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        Key and feature columns (any others are passed through).
    models : pyspark.sql.DataFrame
        The model frame of :func:`fit_grouped`; its key columns are all its
        columns but ``model``, ``error`` and ``message``.
    features : list of str, default=None
        Feature columns; None uses each model's ``feature_names_in_`` (set when it
        was fitted by fit_grouped).
    prediction_col : str, default='prediction'
        Name of the added column (double).
    n_buckets : int, default=None
        As in fit_grouped (need not be the same value).
    on_error : {'raise', 'collect'}, default='raise'
        Rows whose group has no model (unseen in fit, its fit failed, or a null
        key): 'raise' fails the job naming the key, 'collect' gives a null
        prediction.

    Returns
    -------
    pyspark.sql.DataFrame
        The columns of sdf plus `prediction_col`; Spark does not keep the row
        order.

    Notes
    -----
    The data and the models of a bucket meet in one call (a cogroup on the
    bucket, no join of the model bytes to every row); inside it one
    GroupedEstimator over the bucket's models predicts all its rows (one C call
    for models with a C state, such as the Forecaster; one ``predict`` per
    group for the others).
    """
    _check_sdf(sdf)
    _check_sdf(models, "models")
    _check_on_error(on_error)
    _, T = _pyspark()
    missing = [c for c in MODEL_COLUMNS if c not in models.columns]
    if missing:
        raise ValueError(f"models: column(s) {missing} missing; pass the frame returned "
                         "by fit_grouped")
    by = [c for c in models.columns if c not in MODEL_COLUMNS]
    by = _check_by(by, sdf.columns)
    if not isinstance(prediction_col, str) or prediction_col in sdf.columns:
        raise ValueError(f"prediction_col must be a new column name, got {prediction_col!r}")
    if features is not None:
        features = [features] if isinstance(features, str) else list(features)
        missing = [c for c in features if c not in sdf.columns]
        if missing:
            raise KeyError(f"features: column(s) {missing} not in sdf")
    n_buckets = _resolve_buckets(sdf, n_buckets)
    _check_not_empty(sdf)
    schema = T.StructType(list(sdf.schema.fields) +
                          [T.StructField(prediction_col, T.DoubleType(), True)])

    def predict_bucket(data, bucket_models):
        if len(data) == 0:  # a bucket may hold models but no data rows
            return pd.DataFrame({field.name: pd.Series([], dtype=object)
                                 for field in schema.fields})
        data = data.drop(columns=BUCKET_COLUMN).reset_index(drop=True)
        keys = _normalize_keys(data[by].copy(), by)
        loaded = {}
        if len(bucket_models):  # a bucket may hold data rows but no model
            bucket_models = _normalize_keys(bucket_models.drop(columns=BUCKET_COLUMN), by)
            loaded = {k: (pickle.loads(m) if m is not None else None)
                      for k, m in zip(_key_tuples(bucket_models, by), bucket_models["model"])}
        if on_error == "raise" and keys.isna().any(axis=None):
            raise ValueError(f"sdf: a row has a missing key in {by}, so no group model")
        if not loaded:
            if on_error == "raise":
                key = tuple(keys.iloc[0])
                raise ValueError(f"sdf: group {by}={key} was not seen in fit")
            prediction = np.full(len(data), np.nan)
        else:
            # The whole bucket in one call: one C call for models with a C state.
            columns = features
            if columns is None:
                names = {tuple(m.feature_names_in_) for m in loaded.values() if m is not None}
                if len(names) > 1:
                    raise ValueError("the models were fitted on different feature columns: "
                                     "pass features")
                columns = list(next(iter(names))) if names else []
            grouped = _grouped_from_models(loaded, by, columns, on_error=on_error, n_jobs=1)
            prediction = grouped.predict(data.assign(**{c: keys[c] for c in by}))
        data[prediction_col] = prediction
        return _for_arrow(data)

    return (_with_bucket(sdf, by, n_buckets).groupBy(BUCKET_COLUMN)
            .cogroup(_with_bucket(models, by, n_buckets).groupBy(BUCKET_COLUMN))
            .applyInPandas(predict_bucket, schema))


# ---- forecast ------------------------------------------------------------------

def forecast_grouped(sdf, estimator, by, periods, *, time_col="ds", target="y", freq="D",
                     include_history=True, training_date=None, n_buckets=None, n_jobs=1):
    """Fits a forecaster per group and forecasts, in one pass per bucket.

    The Spark recipe for Prophet per store-item (fit and forecast inside one
    grouped-map UDF), with every group of a bucket fitted and forecast by two
    GroupedEstimator calls, ``GroupedEstimator(estimator, by).fit(rows, target,
    [time_col])`` then ``.forecast(periods, freq, include_history)``: the dates
    Prophet's ``make_future_dataframe(periods, freq, include_history)`` gives,
    and group by group the same rows as that pandas call (a group's result
    depends on neither its bucket nor the other groups in it).

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        History: key columns, `time_col` (date or timestamp) and `target`.
    estimator : forecaster
        An estimator with a Prophet face (``fit(X, y)`` with X the time column,
        ``make_future_dataframe`` and a ``predict`` returning ``ds, yhat,
        yhat_lower, yhat_upper``), e.g. :class:`pymlcore.timeseries.Forecaster`.
    by : str or list of str
        Key column(s).
    periods : int
        Forecast horizon, in steps of `freq`.
    time_col, target : str, default 'ds', 'y'
        The time and target columns.
    freq : str, default='D'
        pandas frequency of the future dates.
    include_history : bool, default=True
        Also return the fitted values over the history (with the observed
        target); otherwise only the future rows.
    training_date : datetime.date, default=None
        Value of the ``training_date`` column; None: today (UTC), taken once on
        the driver so that every group gets the same date.
    n_buckets, n_jobs
        As in :func:`fit_grouped`.

    Returns
    -------
    pyspark.sql.DataFrame
        Columns `time_col`, the keys, `target` (null on future rows), ``yhat,
        yhat_upper, yhat_lower`` (double) and ``training_date`` (date), the layout
        of the original store-item recipe.  A group whose fit fails fails the
        job, the key in the message.
    """
    _check_sdf(sdf)
    _, T = _pyspark()
    columns = sdf.columns
    by = _check_by(by, columns)
    time_col = _check_column(time_col, columns, "time_col")
    target = _check_column(target, columns, "target")
    if time_col in by or target in by or time_col == target:
        raise ValueError("time_col, target and the key columns must be distinct")
    time_type = sdf.schema[time_col].dataType
    if not isinstance(time_type, (T.DateType, T.TimestampType, T.TimestampNTZType)):
        raise TypeError(f"time_col: column {time_col!r} must be a date or timestamp, got "
                        f"{time_type.simpleString()}")
    if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)) or periods < 0:
        raise ValueError(f"periods must be a non-negative int, got {periods!r}")
    if training_date is None:
        training_date = datetime.datetime.now(datetime.timezone.utc).date()
    elif not isinstance(training_date, datetime.date):
        raise TypeError(f"training_date must be a datetime.date, got "
                        f"{type(training_date).__name__}")
    if isinstance(training_date, datetime.datetime):
        training_date = training_date.date()
    n_buckets = _resolve_buckets(sdf, n_buckets)
    keyed = _keyed_rows(sdf.select(*by, time_col, target), by)
    target_field = sdf.schema[target]
    schema = T.StructType(
        [T.StructField(time_col, time_type, True)] + [sdf.schema[c] for c in by]
        + [T.StructField(target, target_field.dataType, True)]
        + [T.StructField(c, T.DoubleType(), True) for c in _FORECAST_COLUMNS]
        + [T.StructField("training_date", T.DateType(), True)])
    training_day = np.datetime64(training_date, "D")  # Arrow date32, no Python objects
    periods = int(periods)

    def forecast_bucket(pdf):
        pdf = _normalize_keys(pdf, by)  # time_col comes as datetime64[ns]
        grouped = GroupedEstimator(estimator, by, n_jobs=n_jobs, on_error="raise",
                                   progress=False).fit(pdf, target, [time_col])
        # One call forecasts every group of the bucket (one C call for C
        # forecasters), history dates first when asked: the rows of
        # GroupedEstimator.forecast on the pandas path.
        forecast = grouped.forecast(periods, freq=freq, include_history=include_history)
        out = forecast[by + ["ds", *_FORECAST_COLUMNS]].rename(columns={"ds": time_col})
        out[time_col] = out[time_col].astype("datetime64[ns]")
        # The observed target on history rows, NaN (null in Spark) on future ones.
        out = out.merge(pdf[by + [time_col, target]], on=by + [time_col], how="left")
        out["training_date"] = np.full(len(out), training_day)
        return out

    return _map_buckets(keyed, by, n_buckets, forecast_bucket, schema, datetime_cols=[time_col])
