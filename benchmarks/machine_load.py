"""What the benchmarks print beside their times: the machine's load, and CPU and wall time of a call.

The machine is shared (several processes on 2 cores), so a wall time means little without the
load average next to it, and comparisons use CPU time (:func:`time.process_time`: this process,
all its threads). Imported by the benchmarks as ``machine_load`` (``benchmarks/`` is first on
``sys.path`` when a benchmark runs as a script, and pytest puts it there when it collects one).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[1]


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


def commit_stamp() -> str:
    """Short hash of HEAD, flagged when ``twin/`` or ``kernels/`` have uncommitted changes (the
    figures then describe no commit exactly); ``unknown`` outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "twin", "kernels"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out + (" (uncommitted changes in twin/ or kernels/)" if dirty.strip() else "")


def measurement_stamp(*, load: bool = False) -> dict[str, object]:
    """Where a figure was measured: ``date`` (UTC, to the minute) and ``commit``
    (:func:`commit_stamp`); with ``load``, also ``load_1min_before`` (the 1-minute load average now)."""
    import datetime as dt

    stamp: dict[str, object] = {"date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", "commit": commit_stamp()}
    if load:
        stamp["load_1min_before"] = os.getloadavg()[0]
    return stamp


def run_stamp(*, numba_threads: bool = False, versions: dict[str, str] | None = None) -> dict[str, object]:
    """Where and on what a figure was measured: :func:`measurement_stamp` (date, commit), ``load_before``
    (the 1, 5, 15-minute load averages now), ``cpus``; with ``numba_threads``, the thread setting
    (``TWIN_NUMBA_THREADS``, else ``NUMBA_NUM_THREADS``, else ``default``); and ``versions`` of Python,
    NumPy and Numba followed by ``versions`` (e.g. ``{"pandas": pd.__version__}``)."""
    import platform

    import numba
    import numpy as np

    stamp: dict[str, object] = {**measurement_stamp(), "load_before": list(os.getloadavg()), "cpus": os.cpu_count()}
    if numba_threads:
        stamp["numba_threads"] = os.environ.get("TWIN_NUMBA_THREADS") or os.environ.get("NUMBA_NUM_THREADS") or "default"
    stamp["versions"] = {"python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__, **(versions or {})}
    return stamp
