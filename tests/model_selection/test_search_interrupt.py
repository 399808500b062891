"""Ctrl-C during a C search: the SIGINT guard raises the flag that the search
tasks poll, so the run stops after the tasks in flight and KeyboardInterrupt is
raised; the process stays usable."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import os, signal, threading, time
    import numpy as np
    from pymlcore.linear_model import Ridge
    from pymlcore.model_selection import GridSearchCV

    rng = np.random.default_rng(0)
    X = rng.standard_normal((10_000, 40))
    y = X[:, 0] + rng.standard_normal(10_000)
    grid = {"alpha": list(np.logspace(-3, 3, 40))}
    search = GridSearchCV(Ridge(), grid, cv=5, n_jobs=1, refit=False)
    start = time.perf_counter(); search.fit(X, y)
    full = time.perf_counter() - start
    threading.Timer(full / 4, os.kill, (os.getpid(), signal.SIGINT)).start()
    start = time.perf_counter()
    try:
        search.fit(X, y)
        print("not interrupted")
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - start:.3f} {full:.3f}")
    small = GridSearchCV(Ridge(), {"alpha": [1.0]}, cv=2).fit(X[:100], y[:100])
    print("after", round(small.best_estimator_.coef_[0], 1) > 0)
""")


def test_ctrl_c_stops_a_search_inside_c():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    words = result.stdout.split()
    assert words[0] == "interrupted", result.stdout
    stopped_after, full_run = float(words[1]), float(words[2])
    # Sent at a quarter of a full run of 200 short tasks; a run that went on to
    # the end would take all of it.
    assert stopped_after < 0.75 * full_run, result.stdout
    assert "after True" in result.stdout, result.stdout
