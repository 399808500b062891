"""Ctrl-C during a grouped fit stops it between groups, with and without the
progress bar (which runs the C call in a worker thread and cancels it through a
flag), and leaves the process usable."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading, time
    import numpy as np, pandas as pd
    from pymlcore.grouped import GroupedEstimator
    from pymlcore.linear_model import Ridge

    rng = np.random.default_rng(0)
    n_groups, rows = 4_000, 250
    df = pd.DataFrame(rng.standard_normal((n_groups * rows, 8)),
                      columns=[f"x{j}" for j in range(8)])
    df["y"] = df.x0
    df.insert(0, "g", np.repeat(np.arange(n_groups), rows))
    progress = sys.argv[1] == "bar"
    model = GroupedEstimator(Ridge(), "g", n_jobs=1, progress=progress)
    start = time.perf_counter(); model.fit(df, "y")
    full = time.perf_counter() - start
    threading.Timer(full / 4, os.kill, (os.getpid(), signal.SIGINT)).start()
    start = time.perf_counter()
    try:
        model.fit(df, "y")
        print("not interrupted")
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - start:.3f} {full:.3f}")
    small = GroupedEstimator(Ridge(), "g", progress=False).fit(df.iloc[:500], "y")
    print("after", len(small.estimators_))
""")


def run(mode):
    result = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    words = result.stdout.split()
    assert words[0] == "interrupted", result.stdout
    stopped_after, full_fit = float(words[1]), float(words[2])
    # Sent at a quarter of a full fit; a fit that ran to the end would take all of it.
    assert stopped_after < 0.75 * full_fit, result.stdout
    assert "after 2" in result.stdout, result.stdout


def test_ctrl_c_stops_a_grouped_fit():
    run("plain")


def test_ctrl_c_stops_a_grouped_fit_with_progress_bar():
    run("bar")
