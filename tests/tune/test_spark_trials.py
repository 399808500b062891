"""SparkTrials on a real local Spark session (local[2]).  Never skips: without
pyspark or Java the test fails and says what is missing."""

import functools
import os
import sys

import numpy as np
import pytest

from pymlcore.tune import STATUS_FAIL, SparkTrials, Trials, fmin, hp, tpe

pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

SPACE = {"x": hp.uniform("x", -4, 4), "c": hp.choice("c", [0, {"y": hp.normal("y", 0, 1)}])}


def objective(p):
    y = p["c"]["y"] if isinstance(p["c"], dict) else 0.5
    return {"loss": (p["x"] - 1) ** 2 + y ** 2, "status": "ok", "pid": os.getpid()}


def failing(p):
    if p["x"] > 0:
        raise RuntimeError("x too large")
    return p["x"] ** 2


@pytest.fixture(scope="module", autouse=True)
def objectives_by_value(spark):
    """The workers receive this module's objectives by value (tests is not
    importable there); `spark` is the shared session of tests/conftest.py."""
    from pyspark import cloudpickle

    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    yield
    cloudpickle.unregister_pickle_by_value(module)


def test_spark_trials_run_as_spark_tasks(spark):
    trials = SparkTrials(parallelism=2, spark_session=spark)
    algo = functools.partial(tpe.suggest, n_startup_jobs=4)
    best = fmin(objective, SPACE, algo=algo, max_evals=10, trials=trials,
                rstate=np.random.default_rng(5), show_progressbar=False)
    assert len(trials.trials) == 10 and best == trials.argmin
    # evaluated in Spark's Python workers, not in this process
    assert all(t["result"]["pid"] != os.getpid() for t in trials.trials)
    # batches of `parallelism` suggestions: the same trials as fmin with
    # max_queue_len=2 evaluated locally
    local = Trials()
    fmin(objective, SPACE, algo=algo, max_evals=10, trials=local, max_queue_len=2,
         rstate=np.random.default_rng(5), show_progressbar=False)
    assert [t["misc"]["vals"] for t in trials] == [t["misc"]["vals"] for t in local]
    assert trials.losses() == local.losses()


def test_spark_trials_failures(spark):
    # an exception in fn marks its trial failed instead of stopping the search
    trials = SparkTrials(parallelism=2, spark_session=spark)
    fmin(failing, SPACE, algo=tpe.suggest, max_evals=6, trials=trials,
         rstate=np.random.default_rng(0), show_progressbar=False)
    failed = [t for t in trials.trials if t["result"]["status"] == STATUS_FAIL]
    assert len(trials.trials) == 6 and 0 < len(failed) < 6
    assert all("x too large" in t["result"]["error"] and t["misc"]["vals"]["x"][0] > 0
               for t in failed)
    assert trials.best_trial["result"]["loss"] == min(
        t["result"]["loss"] for t in trials.trials if t["result"]["status"] == "ok")


def test_spark_trials_arguments(spark):
    assert SparkTrials(spark_session=spark).parallelism == spark.sparkContext.defaultParallelism
    with pytest.raises(ValueError, match="parallelism"):
        SparkTrials(parallelism=0, spark_session=spark)
    with pytest.raises(ValueError, match="timeout"):
        SparkTrials(timeout=-1, spark_session=spark)
    # timeout: no new batch after it (a batch lasts >= 0.6 s)
    trials = SparkTrials(parallelism=2, timeout=0.5, spark_session=spark)
    fmin(lambda p: __import__("time").sleep(0.6) or p["x"] ** 2, SPACE, algo=tpe.suggest,
         max_evals=100, trials=trials, show_progressbar=False, rstate=np.random.default_rng(0))
    assert len(trials.trials) == 2  # the first batch outlasts the timeout
    # loss_threshold: x^2 < 16 on [-4, 4]; the search stops after the first batch
    trials = SparkTrials(parallelism=2, loss_threshold=16.0, spark_session=spark)
    fmin(failing, {"x": hp.uniform("x", -4, -1)}, algo=tpe.suggest, max_evals=50,
         trials=trials, show_progressbar=False, rstate=np.random.default_rng(0))
    assert len(trials.trials) == 2
