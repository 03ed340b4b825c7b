"""How long ``twin --help`` takes (issue 19 goal: under 0.5 s).

Run: ``python benchmarks/bench_cli_help.py [--repeat N]``. Runs the ``twin`` console script of
the interpreter running this script (``python -m twin.cli.main`` if there is none) with
``--help`` N times (default 5) in fresh processes and prints the best and median wall time, s,
with the machine load (``/proc/loadavg``). Whether heavy libraries are imported is tested in
``tests/test_cli_imports.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine_load import load_average

GOAL_S = 0.5


def _command() -> list[str]:
    script = Path(sys.executable).with_name("twin")
    return [str(script)] if script.exists() else [sys.executable, "-m", "twin.cli.main"]


def time_help(repeat: int = 5) -> list[float]:
    """Wall times, s, of ``repeat`` runs of ``twin --help`` in fresh processes."""
    cmd = [*_command(), "--help"]
    times_s = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        times_s.append(time.perf_counter() - t0)
    return times_s


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="number of runs (default 5)")
    args = parser.parse_args(argv)
    times_s = time_help(max(1, args.repeat))
    best = min(times_s)
    print(
        f"twin --help: best of {len(times_s)} {best:.3f} s, median {statistics.median(times_s):.3f} s "
        f"(goal < {GOAL_S} s: {'met' if best < GOAL_S else 'NOT met'}; load {load_average(1)}, "
        f"{os.cpu_count()} cores; command {' '.join(_command())})"
    )


if __name__ == "__main__":
    main()
