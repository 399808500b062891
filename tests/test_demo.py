"""The main job (`python -m pymlcore demo`) and the other commands run from a shell."""

import subprocess
import sys

import pandas as pd


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pymlcore", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


def test_demo_forecasts_every_series_and_writes_its_outputs(tmp_path):
    result = run("demo", "--stores", "2", "--items", "3", "--output", str(tmp_path / "out"),
                 "--no-progress")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "6 store-item series" in out and "fitted 6 forecasters" in out
    # the forecaster beats the seasonal-naive baseline on the holdout
    ours = float(out.split("holdout sMAPE: pymlcore ")[1].split("%")[0])
    naive = float(out.split("seasonal naive (last week repeated) ")[1].split("%")[0])
    assert ours < naive, out
    frame = pd.read_csv(tmp_path / "out" / "forecasts.csv", parse_dates=["date"])
    assert list(frame.columns) == ["date", "store", "item", "sales", "yhat", "yhat_upper",
                                   "yhat_lower", "training_date"]
    # history (1,826 days) plus the 90-day horizon... of which the last 90 were held out
    assert len(frame) == 6 * 1826
    assert (frame["yhat_lower"] <= frame["yhat"]).all()
    assert (frame["yhat"] <= frame["yhat_upper"]).all()
    png = (tmp_path / "out" / "store1_item1.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_compare_prints_a_side_by_side_table():
    result = run("compare", "--n-samples", "4000", "--n-features", "10", "--repeat", "1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("LogisticRegression", "Ridge", "ElasticNet", "LinearRegression"):
        assert name in out
    assert "accuracy" in out and "R^2" in out and "speed-up" in out
    assert "warning" not in out  # held-out scores agree with scikit-learn's


def test_versions_command():
    result = run("versions")
    assert result.returncode == 0, result.stderr
    assert "scikit-learn" in result.stdout and "openblas" in result.stdout.lower()


def test_bad_command_is_an_error():
    result = run("no-such-command")
    assert result.returncode != 0
    assert "invalid choice" in result.stderr
