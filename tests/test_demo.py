"""The main job (`python -m pymlcore demo`) and the command line run."""

import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "pymlcore", *args], capture_output=True,
                          text=True, timeout=600)


def test_demo_runs_and_prints_a_comparison():
    result = run("demo", "--n-samples", "4000", "--n-features", "10", "--repeat", "1")
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
