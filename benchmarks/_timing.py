"""Timing shared by the benchmarks: one warm-up call, then repeated timed calls."""

import gc
import time

import numpy as np


def timed(fn, repeat, gc_off=False):
    """(median seconds, fastest seconds, last result) of `repeat` calls of fn after
    one warm-up call.  gc_off: no garbage collection while timing, as timeit."""
    out = fn()
    times = []
    if gc_off:
        gc.collect()
        gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - start)
    finally:
        if gc_off:
            gc.enable()
    return float(np.median(times)), min(times), out


def median_time(fn, repeat=5):
    """Median seconds of `repeat` calls of fn after one warm-up call."""
    return timed(fn, repeat)[0]


def ratio_row(label, ours, theirs, peer="scikit-learn", width=46):
    """One line: both times and ours / theirs (below 1: pymlcore is faster)."""
    print(f"{label:<{width}} pymlcore {ours:8.3f}s  {peer} {theirs:8.3f}s  "
          f"ratio {ours / theirs:5.2f}x")
