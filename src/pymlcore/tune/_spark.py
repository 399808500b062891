"""SparkTrials: fmin's evaluations as Spark tasks.

Each batch of ``parallelism`` suggestions becomes one RDD with one partition per
trial; Spark ships ``fn`` to the executors (pickled with PySpark's cloudpickle)
and each task returns the result dict, or the exception's type and message.  A
failing evaluation marks its trial failed (status 'fail', as Hyperopt's
SparkTrials does) instead of stopping the search.  The batches are synchronous:
the next batch is suggested once the whole previous one has finished.
"""

import numbers
import traceback

from ._fmin import STATUS_FAIL, Trials, _evaluate, _flat_vals, _now, JOB_STATE_RUNNING

__all__ = ["SparkTrials"]


def _run_remote(fn, space, vals):
    try:
        return _evaluate(fn, space, vals), None
    except Exception as exc:  # noqa: BLE001 (sent back to the driver as data)
        return None, (type(exc).__name__, str(exc), traceback.format_exc())


class SparkTrials(Trials):
    """Trials evaluated on a Spark cluster, `parallelism` at a time.

    parallelism: trials per batch (default: the session's default parallelism).
    timeout: seconds after which no new batch is started (None: no limit).
    loss_threshold: stop once a loss below it is seen (as fmin's argument).
    spark_session: the session (default: SparkSession.builder.getOrCreate()).
    """

    asynchronous = False

    def __init__(self, parallelism=None, timeout=None, loss_threshold=None, spark_session=None):
        super().__init__()
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise ImportError("SparkTrials needs pyspark: pip install 'pymlcore[spark]'") from exc
        if parallelism is not None and (isinstance(parallelism, bool)
                                        or not isinstance(parallelism, numbers.Integral)
                                        or parallelism < 1):
            raise ValueError(f"parallelism must be None or an integer >= 1, got {parallelism!r}")
        if timeout is not None and (isinstance(timeout, bool)
                                    or not isinstance(timeout, numbers.Real) or timeout <= 0):
            raise ValueError(f"timeout must be None or a positive number, got {timeout!r}")
        self._spark = spark_session or SparkSession.builder.getOrCreate()
        self.parallelism = int(parallelism or self._spark.sparkContext.defaultParallelism)
        if loss_threshold is not None and (isinstance(loss_threshold, bool)
                                           or not isinstance(loss_threshold, numbers.Real)):
            raise ValueError(f"loss_threshold must be None or a number, got {loss_threshold!r}")
        self.timeout = timeout
        self.loss_threshold = loss_threshold

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_spark"] = None  # the session stays on the driver
        return state

    def _evaluate_batch(self, domain, docs, n_jobs):
        for doc in docs:
            doc["state"] = JOB_STATE_RUNNING
            doc["book_time"] = doc["refresh_time"] = _now()
        fn, space = domain.fn, domain.expr
        tasks = [(d["tid"], _flat_vals(d)) for d in docs]
        sc = self._spark.sparkContext
        sc.setJobDescription(f"pymlcore.tune trials {tasks[0][0]}..{tasks[-1][0]}")
        out = dict(sc.parallelize(tasks, numSlices=len(tasks))
                   .map(lambda task: (task[0], _run_remote(fn, space, task[1])))
                   .collect())
        rows = []
        for doc in docs:
            result, error = out[doc["tid"]]
            if error is not None:
                doc["misc"]["error"] = error[:2]
                result = {"status": STATUS_FAIL, "error": f"{error[0]}: {error[1]}",
                          "traceback": error[2]}
            rows.append((doc, result, None))
        return rows
