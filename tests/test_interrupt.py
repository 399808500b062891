"""Ctrl-C during a long C call raises KeyboardInterrupt promptly: the bindings swap
in a SIGINT handler that raises the flag the C loops poll, so the call stops at its
next safe point instead of running to the end, and the process stays usable."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import os, signal, threading, time
    import numpy as np
    from pymlcore.linear_model import LinearRegression

    X = np.random.default_rng(0).standard_normal((4_000_000, 30))
    y = X[:, 0].copy()
    start = time.perf_counter(); LinearRegression().fit(X, y)
    full = time.perf_counter() - start
    threading.Timer(full / 4, os.kill, (os.getpid(), signal.SIGINT)).start()
    start = time.perf_counter()
    try:
        LinearRegression().fit(X, y)
        print("not interrupted")
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - start:.3f} {full:.3f}")
    print("after", LinearRegression().fit(X[:100], y[:100]).coef_[0].round(6))
""")


def test_ctrl_c_stops_a_long_fit_inside_c():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    words = result.stdout.split()
    assert words[0] == "interrupted", result.stdout
    stopped_after, full_fit = float(words[1]), float(words[2])
    # Sent at a quarter of a full fit; a fit that ran to the end would take all of it.
    assert stopped_after < 0.75 * full_fit, result.stdout
    assert "after 1.0" in result.stdout, result.stdout
