"""IFC ingest of AC20-FZK-Haus: our subprocess path against ifcopenshell's own geometry iterator.

Run: ``pytest benchmarks/bench_ingest_ifc.py -s`` (``-s`` shows the ratio).

* ``test_read_ifc_subprocess``: :func:`twin.ingest.ifc.read_ifc` (child process start, ifcopenshell
  open, properties, geometry iterator, npz hand-over, areas/orientations/U-values in the parent).
* ``test_ifcopenshell_iterator``: in this process, ``ifcopenshell.open`` + the geometry iterator
  (world coordinates) over the same products, the same thread count, no analysis.

The printed ratio is the total cost of the safe path (isolation, semantics and analysis
included) over the bare iterator.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.* helpers

from tests.conftest import shared_path

THREADS = 1
_MEDIANS: dict[str, float] = {}


@pytest.fixture(scope="module")
def fzk() -> Path:
    return shared_path("bim", "AC20-FZK-Haus.ifc")


def _report() -> None:
    if len(_MEDIANS) == 2:
        ours, bare = _MEDIANS["read_ifc"], _MEDIANS["iterator"]
        print(
            f"\nAC20-FZK-Haus: read_ifc {ours:.2f} s, ifcopenshell open+iterator {bare:.2f} s, overhead ratio {ours / bare:.2f}"
        )


def test_read_ifc_subprocess(benchmark, fzk):
    from twin.ingest.ifc import read_ifc

    read_ifc(fzk, threads=THREADS)  # warm-up: file cache, imports
    result = benchmark.pedantic(read_ifc, args=(fzk,), kwargs={"threads": THREADS}, rounds=3, iterations=1)
    assert len(result.layers["elements"]) == 33
    timing = result.meta["timing_s"]
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

    run()  # warm-up
    count = benchmark.pedantic(run, rounds=3, iterations=1)
    assert count > 0
    _MEDIANS["iterator"] = benchmark.stats.stats.median
    _report()
