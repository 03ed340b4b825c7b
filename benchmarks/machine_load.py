"""What the benchmarks print beside their times: the machine's load, and CPU and wall time of a call.

The machine is shared (several processes on 2 cores), so a wall time means little without the
load average next to it, and comparisons use CPU time (:func:`time.process_time`: this process,
all its threads). Imported by the benchmarks as ``machine_load`` (``benchmarks/`` is first on
``sys.path`` when a benchmark runs as a script, and pytest puts it there when it collects one).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def load_average(n: int = 3) -> str:
    """The first ``n`` load averages (1, 5, 15 min), 2 decimals, space-separated; ``n/a`` where unknown."""
    try:
        values = os.getloadavg()[:n]
    except OSError:
        return "n/a"
    return " ".join(f"{x:.2f}" for x in values)


def timed(fn: Callable[[], T]) -> tuple[T, float, float]:
    """Call ``fn()``; its result, the wall time, s, and this process's CPU time, s."""
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0
