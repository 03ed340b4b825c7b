"""IFC ingest of AC20-FZK-Haus: our subprocess path against ifcopenshell's own geometry iterator.

Run: ``pytest benchmarks/bench_ingest_ifc.py -s`` (``-s`` shows the ratio).

* ``test_read_ifc_subprocess``: :func:`twin.ingest.ifc.read_ifc` (child process start, ifcopenshell
  open, properties, geometry iterator, npz hand-over, areas/orientations/U-values in the parent).
* ``test_ifcopenshell_iterator``: in this process, ``ifcopenshell.open`` + the geometry iterator
  (world coordinates) over the same products, the same thread count, no analysis.

The printed ratio is the total cost of the safe path (isolation, semantics and analysis
included) over the bare iterator. Each test merges its figures (median wall time of 3 rounds, CPU
time of this process per round, and for read_ifc the child's stages; load averages before and
after, date, commit, cores, versions) into ``benchmarks/figures/ingest_ifc.json`` (cases
``read_ifc`` and ``iterator``), from which ``scripts/update_figures.py`` writes docs/ingest_ifc.md's
benchmark paragraph.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.* helpers

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/, for figures_file and machine_load
from figures_file import merge_case  # noqa: E402 - benchmarks/figures_file.py
from machine_load import measurement_stamp  # noqa: E402 - benchmarks/machine_load.py

from tests.conftest import shared_path  # noqa: E402

THREADS = 1
FIGURES = Path(__file__).resolve().parent / "figures" / "ingest_ifc.json"
CASE = ("IFC ingest of AC20-FZK-Haus (docs/ingest_ifc.md), 1 geometry thread: read_ifc = twin.ingest.ifc.read_ifc (child "
        "process, semantics, geometry iterator, analysis in the parent); iterator = ifcopenshell.open + the geometry iterator "
        "over the same products in this process; one warm-up, then 3 rounds; median_wall_s the median round, cpu_s_this_process "
        "the median CPU time of this process per round (read_ifc's child not included); load_before/after: 1, 5, 15-minute load averages")
_MEDIANS: dict[str, float] = {}


@pytest.fixture(scope="module")
def fzk() -> Path:
    return shared_path("bim", "AC20-FZK-Haus.ifc")


def _stamp() -> dict[str, Any]:
    """Date, commit, load before, cores and versions of a measurement."""
    import ifcopenshell

    return {**measurement_stamp(), "load_before": list(os.getloadavg()), "cpus": os.cpu_count(),
            "versions": {"python": platform.python_version(), "ifcopenshell": ifcopenshell.version}}


def _cpu_timed(func, cpu_rounds: list):
    """``func`` wrapped to record this process's CPU time for each call."""

    def run(*args, **kwargs):
        c0 = time.process_time()
        out = func(*args, **kwargs)
        cpu_rounds.append(time.process_time() - c0)
        return out

    return run


def _record(key: str, stamp: dict, benchmark, cpu_rounds: list, extra: dict) -> None:
    import numpy as np

    entry = {**stamp, "load_after": list(os.getloadavg()), "rounds": len(cpu_rounds), "median_wall_s": benchmark.stats.stats.median,
             "cpu_s_this_process": float(np.median(cpu_rounds)), **extra, "command": f"pytest benchmarks/bench_ingest_ifc.py -s -k {key}"}
    merge_case(FIGURES, key, entry, CASE)


def _report() -> None:
    if len(_MEDIANS) == 2:
        ours, bare = _MEDIANS["read_ifc"], _MEDIANS["iterator"]
        print(
            f"\nAC20-FZK-Haus: read_ifc {ours:.2f} s, ifcopenshell open+iterator {bare:.2f} s, overhead ratio {ours / bare:.2f}"
        )


def test_read_ifc_subprocess(benchmark, fzk):
    from twin.ingest.ifc import read_ifc

    stamp = _stamp()
    read_ifc(fzk, threads=THREADS)  # warm-up: file cache, imports
    cpu_rounds: list = []
    result = benchmark.pedantic(_cpu_timed(read_ifc, cpu_rounds), args=(fzk,), kwargs={"threads": THREADS}, rounds=3, iterations=1)
    assert len(result.layers["elements"]) == 33
    timing = result.meta["timing_s"]
    _record("read_ifc", stamp, benchmark, cpu_rounds, {"elements": len(result.layers["elements"]), "last_round_stages_s": dict(timing)})
    print(f"\nread_ifc stages: child process {timing['child_process']:.2f} s, analysis {timing['analysis']:.2f} s")
    _MEDIANS["read_ifc"] = benchmark.stats.stats.median
    _report()


def test_ifcopenshell_iterator(benchmark, fzk):
    import ifcopenshell
    import ifcopenshell.geom

    from twin.ingest.ifc_extract import extract_semantics, geometry_ids

    ids = geometry_ids(extract_semantics(ifcopenshell.open(str(fzk))))  # the same products as the worker

    def run() -> int:
        model = ifcopenshell.open(str(fzk))
        settings = ifcopenshell.geom.settings()
        settings.set("use-world-coords", True)
        iterator = ifcopenshell.geom.iterator(settings, model, THREADS, include=[model.by_id(i) for i in ids])
        count = 0
        if iterator.initialize():
            while True:
                shape = iterator.get()
                count += len(shape.geometry.faces) > 0
                if not iterator.next():
                    break
        return count

    stamp = _stamp()
    run()  # warm-up
    cpu_rounds: list = []
    count = benchmark.pedantic(_cpu_timed(run, cpu_rounds), rounds=3, iterations=1)
    assert count > 0
    _record("iterator", stamp, benchmark, cpu_rounds, {"products_with_faces": count})
    _MEDIANS["iterator"] = benchmark.stats.stats.median
    _report()
