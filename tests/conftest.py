"""Configuration shared by every test."""

import os
import shutil
import sys

import pytest

# scikit-learn's array-API check (check_array_api_input, which test_common.py runs
# for every estimator with NumPy inputs and array-API dispatch enabled) needs
# SciPy's array-API mode, and SciPy reads this variable once, when it is first
# imported -- so it is set here, before any test module imports SciPy.  It
# changes nothing for NumPy inputs; scikit-learn's own CI sets it the same way.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (local[2]) for every test that needs Spark
    (tests/spark, tests/tune), started once for the whole run.  Never skips:
    without pyspark, pyarrow or Java the tests using it fail and say what is
    missing.  A test module whose functions must reach the Python workers by
    value (the tests folder is not importable there) registers itself with
    ``cloudpickle.register_pickle_by_value`` in a module fixture of its own."""
    try:
        import pyarrow  # noqa: F401  (applyInPandas / mapInArrow need it)
        from pyspark.sql import SparkSession
    except ImportError as exc:
        pytest.fail(f"the Spark tests need pyspark and pyarrow (pip install "
                    f"'pymlcore[spark]'): {exc}")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("the Spark tests need a Java runtime (java on PATH or JAVA_HOME)")
    # The workers run this interpreter, where pymlcore is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("pymlcore-tests")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
