"""Benchmark: ingest of the Delft CityJSON (570 objects, 2.0, LoD1) into a scene.

Run: ``pytest benchmarks/bench_ingest_cityjson.py --benchmark-only -s``. Prints CityObjects
(and buildings) per second from the median; the first (warm-up) run loads the imports.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` importable when pytest runs from benchmarks/

from tests.conftest import shared_path  # noqa: E402
from twin.ingest import ingest  # noqa: E402
from twin.ingest.cityjson import read_cityjson  # noqa: E402


def _delft():
    path = shared_path("gis", "delft.city.json")
    n_objects = len(json.loads(path.read_text())["CityObjects"])
    return path, n_objects


def _cpu_seconds(func, repeat: int = 3) -> float:
    """Median process CPU time of ``func``: less sensitive than wall time to other jobs on the machine."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        func()
        times.append(time.process_time() - start)
    return statistics.median(times)


def test_ingest_delft_into_scene(benchmark):
    path, n_objects = _delft()
    ingest([path], crs="EPSG:28992")  # warm-up: imports, pyproj database
    scene, _ = benchmark(lambda: ingest([path], crs="EPSG:28992"))
    median = benchmark.stats.stats.median
    cpu = _cpu_seconds(lambda: ingest([path], crs="EPSG:28992"))
    print(
        f"\nDelft CityJSON -> scene: {n_objects} objects ({len(scene.buildings)} buildings, "
        f"{len(scene.elements)} elements, {len(scene.landcover)} land-cover polygons) in {median * 1e3:.0f} ms median: "
        f"{n_objects / median:,.0f} objects/s, {len(scene.buildings) / median:,.0f} buildings/s; "
        f"CPU time {cpu * 1e3:.0f} ms: {n_objects / cpu:,.0f} objects/s"
    )
    assert len(scene.buildings) == 160


def test_read_delft(benchmark):
    path, n_objects = _delft()
    read_cityjson(path)
    result = benchmark(lambda: read_cityjson(path))
    median = benchmark.stats.stats.median
    cpu = _cpu_seconds(lambda: read_cityjson(path))
    print(
        f"\nDelft CityJSON read (no scene): {median * 1e3:.0f} ms median, {n_objects / median:,.0f} objects/s; "
        f"CPU time {cpu * 1e3:.0f} ms: {n_objects / cpu:,.0f} objects/s"
    )
    assert result.counts()["landcover"] == 353
