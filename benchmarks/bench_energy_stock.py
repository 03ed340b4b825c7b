"""Saint-Gilles (3 991 buildings) end to end, from the scene to per-building results.

Run: ``pytest benchmarks/bench_energy_stock.py -s`` (``-s`` shows the stage times).

* ``test_stgilles_stock_end_to_end``: :func:`twin.energy.stock.run_stock` on the scene (envelope
  from TABULA, party walls, horizon profiles and urban shading, drivers from the EPW, the 5R1C
  kernel over 8 760 h, energy accounts). One warm-up round first so Numba compilation is not
  counted.
* ``test_stgilles_whatif``: baseline + wall and roof insulation variant (shared preparation).

The stage breakdown printed before the benchmark also times reading the footprints into a
scene (GeoPandas + ingest defaults).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.* helpers

from tests.conftest import shared_path  # noqa: E402


@pytest.fixture(scope="module")
def inputs():
    from tests.energy_stock_helpers import scene_from_footprints
    from twin.ingest.epw import read_epw

    t0 = time.perf_counter()
    scene = scene_from_footprints(shared_path("brussels", "stgilles_buildings_osm2013.geojson"))
    t1 = time.perf_counter()
    weather = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    print(f"\nscene from footprints: {t1 - t0:.2f} s ({len(scene.buildings)} buildings); weather {time.perf_counter() - t1:.2f} s")
    return scene, weather


def _stages(scene, weather) -> None:
    from twin.energy.model import build_envelope, to_stock_inputs, validate_envelope
    from twin.energy.results import energy_accounts
    from twin.energy.simulate import simulate_stock
    from twin.energy.stock import stock_drivers, urban_shade_factors

    times = {}
    t = time.perf_counter()
    scene = scene.copy()  # fresh caches: facades, party walls, horizons are recomputed
    env, _ = validate_envelope(build_envelope(scene))
    times["envelope (typology, facades, party walls)"] = time.perf_counter() - t
    t = time.perf_counter()
    shade = urban_shade_factors(scene, env["building_id"].to_numpy(), weather)
    times["urban shading (horizon profiles + factors)"] = time.perf_counter() - t
    t = time.perf_counter()
    drivers, profile = stock_drivers(weather, env)
    times["drivers (sun, Perez, sky long-wave)"] = time.perf_counter() - t
    t = time.perf_counter()
    inputs = to_stock_inputs(env, shade_factor=shade)
    inputs.setpoint_profile = profile
    res = simulate_stock(inputs, drivers)
    times["kernel (5R1C, 8760 h)"] = time.perf_counter() - t
    t = time.perf_counter()
    energy_accounts(env, res.per_building, res.monthly, drivers)
    times["accounts"] = time.perf_counter() - t
    for k, v in times.items():
        print(f"  {k:45s} {v:7.2f} s")
    print(f"  {'total':45s} {sum(times.values()):7.2f} s for {len(env)} buildings")


def test_stgilles_stock_end_to_end(benchmark, inputs):
    from twin.energy.stock import run_stock

    scene, weather = inputs
    run_stock(scene.copy(), weather)  # warm-up: Numba compilation
    _stages(scene, weather)
    run = benchmark.pedantic(lambda: run_stock(scene.copy(), weather), rounds=3, iterations=1)
    assert len(run.accounts) + run.excluded["building_id"].nunique() == len(scene.buildings)


def test_stgilles_whatif(benchmark, inputs):
    from twin.energy.stock import what_if

    scene, weather = inputs
    wi = benchmark.pedantic(lambda: what_if(scene.copy(), weather, ["wall_insulation", "roof_insulation"]), rounds=2, iterations=1, warmup_rounds=1)
    assert (wi.comparison["q_heat_kwh_after"] <= wi.comparison["q_heat_kwh_before"]).all()
