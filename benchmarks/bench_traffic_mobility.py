"""District mobility: demand model and skims on Saint-Gilles and on the whole Brussels extract.

Run:  pytest benchmarks/bench_traffic_mobility.py --benchmark-only -s
      python benchmarks/bench_traffic_mobility.py [--brussels] [--zone-size 500]   (table with the machine load)

Cases
-----
* Saint-Gilles (``data_samples/``, 3,991 buildings, 852 links, 100 m zones): trip ends, the three
  mode networks and their skims; the whole model (both periods, feedback 3, no access indicator).
* Brussels (``../shared/data/brussels/brussels_capital_region_2013-01-01.osm.pbf``, 51k
  buildings, 79k links, ingest about 3-9 s): the same at 500 m zones (the morning peak, feedback 2,
  gap 1e-3).

Numba compilation is excluded (a warm-up run first). The machine has 2 cores shared with other
jobs: the load average is printed with every figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SAMPLES = REPO / "data_samples"
PBF = REPO.parent / "shared" / "data" / "brussels" / "brussels_capital_region_2013-01-01.osm.pbf"


def stgilles_scene():
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([SAMPLES / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover", "pois")])
    return scene


def brussels_scene():
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([PBF])
    return scene


def demand_and_skims(scene, zone_size_m: float) -> dict[str, float]:
    """Trip ends, networks and free-flow skims of the three street modes; seconds per step."""
    from twin.traffic.demand import read_parameters, trip_ends
    from twin.traffic.mobility import _skim, build_mode_network, edge_nodes

    t0 = time.perf_counter()
    ends = trip_ends(scene, read_parameters(), zone_size_m=zone_size_m)
    t1 = time.perf_counter()
    edges = edge_nodes(scene)
    nets = {m: build_mode_network(scene, m, ends, edges) for m in ("walk", "bike", "car")}
    t2 = time.perf_counter()
    for m in nets:
        _skim(nets[m])
    t3 = time.perf_counter()
    return {"zones": ends.n_zones, "trip_ends_s": t1 - t0, "networks_s": t2 - t1, "skims_s": t3 - t2}


def whole_model(scene, **options):
    from twin.traffic.mobility import MobilityOptions, run_district_mobility

    return run_district_mobility(scene, MobilityOptions(compute_access=False, **options))


@pytest.fixture(scope="module")
def stgilles():
    return stgilles_scene()


def test_stgilles_demand_and_skims(benchmark, stgilles) -> None:
    demand_and_skims(stgilles, 100.0)  # warm-up (compilation)
    out = benchmark.pedantic(demand_and_skims, args=(stgilles, 100.0), rounds=3, iterations=1)
    benchmark.extra_info.update(out, load=os.getloadavg()[0])


def test_stgilles_whole_model(benchmark, stgilles) -> None:
    whole_model(stgilles, feedback=1, periods=("am_peak",))
    res = benchmark.pedantic(whole_model, args=(stgilles,), rounds=1, iterations=1)
    benchmark.extra_info.update(res.timings_s, load=os.getloadavg()[0])


@pytest.mark.slow
def test_brussels_demand_and_skims(benchmark) -> None:
    if not PBF.exists():
        pytest.skip("Brussels extract missing")
    scene = brussels_scene()
    out = benchmark.pedantic(demand_and_skims, args=(scene, 500.0), rounds=1, iterations=1)
    benchmark.extra_info.update(out, load=os.getloadavg()[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brussels", action="store_true", help="also the whole Brussels extract")
    ap.add_argument("--zone-size", type=float, default=500.0, help="zone size for Brussels, m")
    args = ap.parse_args()
    rows = []
    t = time.perf_counter()
    sg = stgilles_scene()
    rows.append(("Saint-Gilles ingest", time.perf_counter() - t, ""))
    demand_and_skims(sg, 100.0)
    d = demand_and_skims(sg, 100.0)
    rows.append(("Saint-Gilles trip ends + networks + skims", d["trip_ends_s"] + d["networks_s"] + d["skims_s"], f"{d['zones']} zones; {d}"))
    t = time.perf_counter()
    res = whole_model(sg)
    rows.append(("Saint-Gilles whole model (2 periods, feedback 3)", time.perf_counter() - t, str({k: round(v, 2) for k, v in res.timings_s.items()})))
    if args.brussels:
        t = time.perf_counter()
        bx = brussels_scene()
        rows.append(("Brussels ingest", time.perf_counter() - t, f"{len(bx.buildings)} buildings, {len(bx.links)} links"))
        d = demand_and_skims(bx, args.zone_size)
        rows.append((f"Brussels trip ends + networks + skims ({args.zone_size:g} m zones)", d["trip_ends_s"] + d["networks_s"] + d["skims_s"], f"{d['zones']} zones; {d}"))
        t = time.perf_counter()
        res = whole_model(bx, zone_size_m=args.zone_size, feedback=2, gap=1e-3, periods=("am_peak",))
        rows.append(("Brussels whole model (am peak, feedback 2, gap 1e-3)", time.perf_counter() - t, str({k: round(v, 2) for k, v in res.timings_s.items()})))
    for name, sec, info in rows:
        print(f"{name:60s} {sec:8.2f} s  load {os.getloadavg()[0]:.1f}  {info}")


if __name__ == "__main__":
    main()
