"""GIS ingest at city scale: footprints -> scene -> party walls, in buildings per second.

Run: ``pytest benchmarks/bench_ingest_gis.py -s`` (``-s`` prints the stage times and rates).

* ``test_generated_city_geoparquet``: a generated city of 200,000 terraced houses (blocks of two
  rows of twenty 6 m x 10 m houses, gardens between the rows, 12 m streets between blocks;
  half of them with ``building:levels``, 30 % with ``start_date``, 10 % shops) written as
  GeoParquet (EPSG:31370) to a temporary folder, then timed: :func:`twin.ingest.vector.read_vector`
  (geometry checks, ids, defaults) + :meth:`twin.scene.Scene.add` + :meth:`Scene.party_walls`.
  Target (issue 2): >= 50,000 buildings/s.
* ``test_brussels_region_pbf``: the whole Brussels-Capital Region, OSM 2013
  (``../shared/data/brussels/brussels_capital_region_2013-01-01.osm.pbf``: 51k buildings, 20k
  street ways) -> buildings, land cover, POIs and the routable street network in a scene
  (EPSG:31370), then party walls.

One warm-up run first, so Numba compilation (party-wall kernel) is not counted. The rate is in
``extra_info['buildings_per_s']`` of the pytest-benchmark report (median round). Each test also
merges its figures (median wall and CPU time of the rounds, rates, warm-up stage times, load
averages before and after, date, commit, cores, versions) into ``benchmarks/figures/ingest_gis.json``
(cases ``generated_city`` and ``brussels_pbf``), from which ``scripts/update_figures.py`` writes the
tables of docs/ingest_gis.md and the README's footprint-ingest row.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.* helpers

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/, for figures_file and machine_load
from figures_file import merge_case  # noqa: E402 - benchmarks/figures_file.py
from machine_load import run_stamp  # noqa: E402 - benchmarks/machine_load.py

from tests.conftest import shared_path  # noqa: E402

FIGURES = Path(__file__).resolve().parent / "figures" / "ingest_gis.json"
CASE = ("GIS ingest (docs/ingest_gis.md): generated_city = 200,000 generated terraced houses, GeoParquet -> read_vector + "
        "Scene.add + party_walls, 3 rounds; brussels_pbf = the Brussels-Capital Region OSM 2013 PBF -> read_osm (buildings, "
        "land cover, POIs, network) + Scene.add + party_walls, 2 rounds; one warm-up run first; wall and CPU time are "
        "medians of the rounds; load_before/after: 1, 5, 15-minute load averages")

N_CITY = 200_000
HOUSE_W_M, HOUSE_D_M, PER_ROW = 6.0, 10.0, 20
GARDEN_M, STREET_M = 10.0, 12.0


def generate_city(n: int, seed: int = 0):
    """``n`` terraced houses in blocks on a grid, as a GeoDataFrame in EPSG:31370.

    Each block has two rows of ``PER_ROW`` houses back to back across a garden strip, so a
    full block has ``2 * (PER_ROW - 1)`` party walls of 10 m.
    """
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    n_blocks = int(np.ceil(n / (2 * PER_ROW)))
    nx = int(np.ceil(np.sqrt(n_blocks)))
    block = np.arange(n_blocks)
    k = np.arange(2 * PER_ROW)
    x0 = 140_000.0 + (block % nx)[:, None] * (PER_ROW * HOUSE_W_M + STREET_M) + (k % PER_ROW)[None, :] * HOUSE_W_M
    y0 = 160_000.0 + (block // nx)[:, None] * (2 * HOUSE_D_M + GARDEN_M + STREET_M) + (k // PER_ROW)[None, :] * (HOUSE_D_M + GARDEN_M)
    x0, y0 = x0.ravel()[:n], y0.ravel()[:n]
    levels = rng.integers(2, 6, n).astype(float)
    levels[rng.random(n) < 0.5] = np.nan
    return gpd.GeoDataFrame(
        {
            "id": np.arange(n),
            "building": np.where(rng.random(n) < 0.9, "house", "retail"),
            "building:levels": levels,
            "start_date": np.where(rng.random(n) < 0.3, "1930", None),
        },
        geometry=shapely.box(x0, y0, x0 + HOUSE_W_M, y0 + HOUSE_D_M),
        crs="EPSG:31370",
    )


def expected_party_walls(n: int) -> int:
    full, rest = divmod(n, 2 * PER_ROW)
    rows = [min(rest, PER_ROW), max(rest - PER_ROW, 0)]
    return full * 2 * (PER_ROW - 1) + sum(max(r - 1, 0) for r in rows)


@pytest.fixture(scope="module")
def city_parquet(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gis") / "generated_city.parquet"
    generate_city(N_CITY).to_parquet(path)
    return path


def _footprints_to_walls(path: Path, stages: dict | None = None):
    from twin.ingest.vector import read_vector
    from twin.scene import Scene

    c0, t0 = time.process_time(), time.perf_counter()
    result = read_vector(path)
    t1 = time.perf_counter()
    scene = Scene()
    scene.add("buildings", result.layers["buildings"], source=result.path)
    t2 = time.perf_counter()
    walls = scene.party_walls()
    t3 = time.perf_counter()
    if stages is not None:
        stages.update({"read_vector": t1 - t0, "Scene.add": t2 - t1, "party_walls": t3 - t2, "cpu": time.process_time() - c0})
    return scene, walls


def _timed(func, cpu_rounds: list):
    """``func`` wrapped to record the CPU time of the process for each call."""

    def run(*args):
        c0 = time.process_time()
        out = func(*args)
        cpu_rounds.append(time.process_time() - c0)
        return out

    return run


def _stamp() -> dict[str, Any]:
    """Date, commit, load before, cores and versions of a measurement."""
    import pandas as pd
    import shapely

    return run_stamp(versions={"pandas": pd.__version__, "shapely": shapely.__version__})


def _record(key: str, stamp: dict, benchmark, n: int, stages: dict, cpu_rounds: list, extra: dict) -> None:
    """Merge one case's figures into :data:`FIGURES`."""
    median = benchmark.stats.stats.median
    cpu = float(np.median(cpu_rounds))
    entry = {**stamp, "load_after": list(os.getloadavg()), "buildings": n, "rounds": len(cpu_rounds),
             "median_wall_s": median, "buildings_per_s": n / median, "median_cpu_s": cpu, "buildings_per_cpu_s": n / cpu,
             "warmup_stages_wall_s": {k: v for k, v in stages.items() if k != "cpu"}, **extra,
             "command": f"pytest benchmarks/bench_ingest_gis.py -s -k {key}"}
    merge_case(FIGURES, key, entry, CASE)


def _report(benchmark, n: int, stages: dict, cpu_rounds: list) -> None:
    """Rate from the median wall time, and per CPU-second (median of the rounds): the fairer
    figure on a machine shared with other jobs, where wall time counts the waits for a core."""
    median = benchmark.stats.stats.median
    rate = n / median
    stages.pop("cpu", None)
    cpu = float(np.median(cpu_rounds))
    benchmark.extra_info["buildings"] = n
    benchmark.extra_info["buildings_per_s"] = round(rate)
    benchmark.extra_info["buildings_per_cpu_s"] = round(n / cpu)
    benchmark.extra_info.update({f"stage_{k}_s": round(v, 3) for k, v in stages.items()})
    print(f"\n{n} buildings, median {median:.2f} s -> {rate:,.0f} buildings/s "
          f"(median {cpu:.2f} CPU-s -> {n / cpu:,.0f} buildings per CPU-second); stages (warm-up, wall): "
          + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))


def test_generated_city_geoparquet(benchmark, city_parquet):
    stamp = _stamp()
    stages: dict = {}
    scene, walls = _footprints_to_walls(city_parquet, stages)  # warm-up (Numba compile)
    assert len(scene.buildings) == N_CITY
    assert len(walls) == expected_party_walls(N_CITY)
    assert np.allclose(walls["shared_length_m"], HOUSE_D_M)
    cpu_rounds: list = []
    benchmark.pedantic(_timed(_footprints_to_walls, cpu_rounds), args=(city_parquet,), rounds=3, iterations=1)
    _report(benchmark, N_CITY, stages, cpu_rounds)
    _record("generated_city", stamp, benchmark, N_CITY, stages, cpu_rounds, {"party_walls": len(walls)})


def _region_to_scene(path: Path, stages: dict | None = None):
    from twin.ingest.osm import read_osm
    from twin.scene import Scene

    c0, t0 = time.process_time(), time.perf_counter()
    result = read_osm(path)
    t1 = time.perf_counter()
    scene = Scene()
    for name, frame in result.layers.items():
        scene.add(name, frame, source=result.path)
    t2 = time.perf_counter()
    walls = scene.party_walls()
    t3 = time.perf_counter()
    if stages is not None:
        stages.update(
            {"read_osm (incl. network)": t1 - t0, "Scene.add (all layers)": t2 - t1, "party_walls": t3 - t2, "cpu": time.process_time() - c0}
        )
    return scene, walls


def test_brussels_region_pbf(benchmark):
    path = shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
    stamp = _stamp()
    stages: dict = {}
    scene, walls = _region_to_scene(path, stages)
    n = len(scene.buildings)
    assert n > 51_000 and len(scene.links) > 40_000
    shared = np.union1d(walls["building_id"], walls["neighbour_id"])
    print(f"\nBrussels: {scene.counts()}; {len(walls)} party walls, {len(shared) / n:.0%} of buildings have one")
    cpu_rounds: list = []
    benchmark.pedantic(_timed(_region_to_scene, cpu_rounds), args=(path,), rounds=2, iterations=1)
    _report(benchmark, n, stages, cpu_rounds)
    _record("brussels_pbf", stamp, benchmark, n, stages, cpu_rounds,
            {"links": len(scene.links), "party_walls": len(walls), "share_with_party_wall": len(shared) / n})
