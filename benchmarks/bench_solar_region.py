"""Whole Brussels region (the shared 2013 OSM extract, 51k buildings): solar cadastre, energy
shading, CityJSON export, each next to the time of reading the region PBF with pyogrio in the
same run (the yardstick of the issue). Prints every figure with the load average.

Run: ``python benchmarks/bench_solar_region.py [cadastre|shading|export|energy ...]`` (figures on stdout),
or ``pytest benchmarks/bench_solar_region.py -s``. Needs ../shared/data.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import shared_path  # noqa: E402

PBF = ("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
EPW = ("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")

#: Options of the region cadastre: horizon method (36 sectors), 2 m sensors, at most 16 per roof surface.
REGION_OPTIONS = {"method": "horizon", "spacing_m": 2.0, "max_sensors_per_surface": 16, "max_distance_m": 100.0}


def _load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def pbf_read_s() -> float:
    """Seconds to read the region's multipolygons (buildings) with pyogrio (best of 2)."""
    import warnings

    import pyogrio

    from twin.ingest.osm import osm_config_file

    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyogrio.read_dataframe(shared_path(*PBF), layer="multipolygons", use_arrow=True, CONFIG_FILE=osm_config_file())
        best = min(best, time.perf_counter() - t)
    return best


def region_scene(*, buildings_only: bool = False):
    """The region as ``twin ingest`` reads it (all layers), or its buildings only (the same
    attribute rules without the POI and land-use evidence of the other layers)."""
    import warnings

    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([shared_path(*PBF)], **({"layers": ("buildings",)} if buildings_only else {}))
    return scene


def bench_cadastre(out_dir: Path) -> dict:
    """Cadastre of every roof end to end: read the PBF into a scene, surfaces, shading, PV, GeoParquet."""
    from twin.ingest.epw import read_epw
    from twin.solar.cadastre import CadastreOptions, solar_cadastre

    read = pbf_read_s()
    print(f"pyogrio read of the region PBF: {read:.2f} s ({_load()})")
    weather = read_epw(shared_path(*EPW))
    # warm-up on a tiny scene: Numba compilation (cached on disk) is not the cadastre's cost
    solar_cadastre(region_scene(buildings_only=True).buildings.iloc[:50], weather, CadastreOptions(**REGION_OPTIONS))
    t0 = time.perf_counter()
    full = region_scene()
    t_full = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        from twin.export.layers import write_scene
        from twin.scene.io import read_scene

        write_scene(full, Path(d) / "scene")
        t = time.perf_counter()
        read_scene(Path(d) / "scene")
        t_folder = time.perf_counter() - t
    print(f"reading the region into a scene: twin ingest (all layers) {t_full:.1f} s; an ingested scene folder {t_folder:.1f} s")
    t0 = time.perf_counter()
    scene = region_scene(buildings_only=True)
    t_scene = time.perf_counter() - t0
    t1 = time.perf_counter()
    cad = solar_cadastre(scene, weather, CadastreOptions(**REGION_OPTIONS))
    t2 = time.perf_counter()
    cad.save(out_dir)
    t3 = time.perf_counter()
    total = t_scene + (t2 - t1) + (t3 - t2)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    res = {"pbf_read_s": read, "scene_s": t_scene, "full_ingest_s": t_full, "scene_folder_s": t_folder, "cadastre_s": t2 - t1, "write_s": t3 - t2, "end_to_end_s": total,
           "ratio": total / read, "peak_gb": peak_gb, "steps": cad.meta["times_s"], "n_sensors": cad.meta["n_sensors"],
           "n_surfaces": cad.meta["n_surfaces"], "totals": cad.meta["totals"]}
    print(f"cadastre end to end (PBF -> buildings -> GeoParquet) {total:.1f} s = buildings {t_scene:.1f} + cadastre {t2 - t1:.1f} + write {t3 - t2:.1f}; "
          f"{total / read:.1f} x the PBF read; peak RSS {peak_gb:.2f} GB; {_load()}")
    print(f"  steps {cad.meta['times_s']}; {cad.meta['n_surfaces']} surfaces, {cad.meta['n_sensors']} sensors; totals {cad.meta['totals']}")
    return res


def bench_shading() -> dict:
    """Urban shading of the energy stock model: the old path vs the solar kernel, same scene."""
    from tests.energy_shading_reference import reference_urban_shade_factors as old
    from twin.ingest.epw import read_epw
    from twin.solar.shading import urban_shade_factors as new

    read = pbf_read_s()
    print(f"pyogrio read of the region PBF: {read:.2f} s ({_load()})")
    weather = read_epw(shared_path(*EPW))
    scene = region_scene()
    ids = scene.buildings["building_id"].to_numpy()
    small = scene.copy()
    new(small, ids[:100], weather)  # warm-up (compilation)
    s1 = scene.copy()
    s1.facades(), s1.party_walls()  # both paths start from the same cached facades
    times: dict = {}
    t = time.perf_counter()
    b = new(s1, ids, weather, times=times)
    t_new = time.perf_counter() - t
    print(f"solar-kernel shading: {t_new:.1f} s ({times}); {t_new / read:.1f} x the PBF read; {_load()}")
    s2 = scene.copy()
    s2.facades(), s2.party_walls()
    t = time.perf_counter()
    a = old(s2, ids, weather)
    t_old = time.perf_counter() - t
    import numpy as np

    print(f"stock-model shading today: {t_old:.1f} s; max |difference| of the factors {np.abs(a - b).max():.2e}; {_load()}")
    return {"pbf_read_s": read, "new_s": t_new, "old_s": t_old, "max_diff": float(np.abs(a - b).max())}


def bench_energy_run(tmp: Path) -> dict:
    """``twin energy run`` on the ingested region (run_command: read the scene folder, envelope,
    shading, kernel, GeoParquet), today and with the shading of :mod:`twin.solar.shading` patched
    in where :mod:`twin.energy.stock` calls its own (the wiring the issue asks for)."""
    import warnings

    import twin.energy.stock as stock
    from twin.export.layers import write_scene
    from twin.solar.shading import urban_shade_factors as new

    read = pbf_read_s()
    print(f"pyogrio read of the region PBF: {read:.2f} s ({_load()})")
    write_scene(region_scene(), tmp / "scene")
    epw = shared_path(*EPW)
    res = {"pbf_read_s": read}
    old = stock.urban_shade_factors
    for label, func in (("with twin.solar.shading", new), ("today", old)):
        stock.urban_shade_factors = func
        try:
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stock.run_command([tmp / "scene"], weather=epw, out=tmp / f"energy_{len(res)}")
            dt = time.perf_counter() - t
        finally:
            stock.urban_shade_factors = old
        res[label] = dt
        print(f"twin energy run on the region ({label}): {dt:.1f} s, {dt / read:.1f} x the PBF read; {_load()}")
    return res


def bench_export(path: Path) -> dict:
    from twin.export.cityjson import write_cityjson

    scene = region_scene()
    t = time.perf_counter()
    r = write_cityjson(scene, path)
    dt = time.perf_counter() - t
    print(f"CityJSON export of {r.n_buildings} buildings: {dt:.1f} s, {path.stat().st_size / 1e6:.0f} MB; {_load()}")
    return {"export_s": dt}


def test_region_cadastre(tmp_path):
    res = bench_cadastre(tmp_path / "solar")
    assert res["n_surfaces"] > 50_000


def test_region_energy_shading():
    res = bench_shading()
    assert res["max_diff"] < 0.01


def test_region_energy_run(tmp_path):
    bench_energy_run(tmp_path)


def test_region_cityjson_export(tmp_path):
    bench_export(tmp_path / "region.city.json")


if __name__ == "__main__":
    import tempfile

    which = sys.argv[1:] or ["cadastre", "shading", "export"]
    with tempfile.TemporaryDirectory() as d:
        if "cadastre" in which:
            bench_cadastre(Path(d) / "solar")
        if "shading" in which:
            bench_shading()
        if "export" in which:
            bench_export(Path(d) / "region.city.json")
        if "energy" in which:
            bench_energy_run(Path(d))
