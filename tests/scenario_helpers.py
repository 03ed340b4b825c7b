"""Small scenes and permit-application folders for the scenario tests and benchmarks.

Everything is made from the repository's ``data_samples/`` (the Saint-Gilles district, the
Uccle EPW and the FZK-Haus IFC), cut to a small box so one run takes seconds, and written to a
temporary folder: GeoJSON with a declared CRS (EPSG:31370) and scenario YAML files with
absolute paths (so the folder can live anywhere).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data_samples"
DISTRICT = SAMPLES / "stgilles_buildings_osm2013.geojson"
EPW = SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
IFC = SAMPLES / "permit_AC20-FZK-Haus.ifc"

# 200 m x 200 m around the car park of the Parvis (EPSG:31370); about 150 footprints.
SMALL_BOX = (148250.0, 168800.0, 148450.0, 169000.0)

# 100 m x 100 m around the Parvis: about 30 footprints, a scene for quick full runs.
BOX_100M = (148300.0, 168850.0, 148400.0, 168950.0)

# The FZK-Haus placed with rotation_deg=90 covers x in [0, 10] m and y in [-12, 0] m from its
# origin (checked by tests/test_scenario_runner_permits.py); its centre is at (5, -6).
FZK_CENTRE_OFFSET = (5.0, -6.0)
FZK_HALF_DIAGONAL_M = float(np.hypot(5.0, 6.0))


def write_small_district(folder: Path, box: tuple[float, float, float, float] = SMALL_BOX) -> Path:
    """The district's footprints intersecting ``box``, as GeoJSON in EPSG:31370 (CRS declared)."""
    import geopandas as gpd
    import shapely

    folder.mkdir(parents=True, exist_ok=True)
    frame = gpd.read_file(DISTRICT).to_crs("EPSG:31370")
    sub = frame[frame.intersects(shapely.box(*box))].reset_index(drop=True)
    path = folder / "district_small.geojson"
    sub.to_file(path, driver="GeoJSON")
    return path


def written_small_scene(folder: Path, name: str, box: tuple[float, float, float, float] = BOX_100M) -> Path:
    """The district's footprints in ``box`` ingested with the Uccle EPW (warnings silenced) and
    written by twin as the scene ``folder / name`` (a folder, or a GeoPackage for ``*.gpkg``)."""
    import warnings

    from twin.export import write_scene
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([write_small_district(folder, box), EPW])
    write_scene(scene, folder / name)
    return folder / name


def prepared_small_district(folder: Path, box: tuple[float, float, float, float] = BOX_100M) -> dict:
    """The district's footprints in ``box`` (:func:`write_small_district`) ingested with the Uccle
    EPW (warnings silenced) and its prepared stock: ``{"scene", "prep", "folder", "buildings"}``."""
    import warnings

    from twin.energy.stock import prepare_stock
    from twin.ingest import ingest

    path = write_small_district(folder, box)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([path, EPW])
        prep = prepare_stock(scene)
    return {"scene": scene, "prep": prep, "folder": folder, "buildings": path}


def permit_sites(buildings: Path, n: int | None = None, *, box=SMALL_BOX, clearance_m: float = 1.5, near_m: float = 12.0,
                 spacing_m: float = 14.0, step_m: float = 2.0) -> list[tuple[float, float]]:
    """Origins (``n`` of them, or all) where the FZK-Haus (rotation 90) fits on free ground close to neighbours.

    A site is free when no footprint comes within ``clearance_m`` of the house's disc
    (``FZK_HALF_DIAGONAL_M``) and some footprint is within ``near_m`` of it (a gap, a yard
    or a car park between buildings, where the house shades them); sites are at least
    ``spacing_m`` apart. Deterministic: a grid scan in a fixed order.
    """
    import geopandas as gpd
    import shapely

    frame = gpd.read_file(buildings).to_crs("EPSG:31370")
    geoms = np.asarray(frame.geometry.values)
    tree = shapely.STRtree(geoms)
    xmin, ymin, xmax, ymax = box
    pad = FZK_HALF_DIAGONAL_M + 2.0
    xs = np.arange(xmin + pad, xmax - pad, step_m)
    ys = np.arange(ymin + pad, ymax - pad, step_m)
    cx, cy = (a.ravel() for a in np.meshgrid(xs, ys))
    centres = shapely.points(cx, cy)
    disc = shapely.buffer(centres, FZK_HALF_DIAGONAL_M)
    blocked = np.zeros(len(centres), dtype=bool)
    idx, _ = tree.query(disc, predicate="dwithin", distance=clearance_m)
    blocked[idx] = True
    near = np.zeros(len(centres), dtype=bool)
    idx, _ = tree.query(disc, predicate="dwithin", distance=near_m)
    near[idx] = True
    ok = np.flatnonzero(~blocked & near)
    chosen: list[tuple[float, float]] = []
    for i in ok:
        p = (float(cx[i]), float(cy[i]))
        if all(np.hypot(p[0] - q[0], p[1] - q[1]) >= spacing_m for q in chosen):
            chosen.append(p)
        if len(chosen) == n:
            break
    if n is not None and len(chosen) < n:
        raise ValueError(f"only {len(chosen)} free sites for {n} permits in {box}")
    return [(round(x - FZK_CENTRE_OFFSET[0], 2), round(y - FZK_CENTRE_OFFSET[1], 2)) for x, y in chosen]


def permit_scenario(name: str, origin: tuple[float, float], *, buildings: Path, rotation_deg: float = 90.0,
                    replace_within_m: float | None = None, seed: int = 0) -> dict:
    """The scenario document of one permit application (energy only)."""
    mod = {"op": "insert_building", "ifc": str(IFC), "origin_xy": [float(origin[0]), float(origin[1])], "rotation_deg": rotation_deg}
    if replace_within_m is not None:
        mod["replace_within_m"] = replace_within_m
    return {
        "name": name,
        "description": f"Permit application {name}: the FZK-Haus at {origin[0]:.1f} E, {origin[1]:.1f} N (EPSG:31370).",
        "inputs": {"files": [str(buildings)], "weather": str(EPW), "crs": "EPSG:31370"},
        "domains": ["energy"],
        "whatifs": [{"name": "permit", "modifications": [mod]}],
        "uncertainty": {"seed": seed},
    }


def write_permit_folder(folder: Path, n: int, *, buildings: Path | None = None) -> list[Path]:
    """``n`` permit-application YAML files in ``folder``, one per free site of the small district.

    Past the number of free sites (31 in :data:`SMALL_BOX`) the sites repeat: the
    applications still differ (by name), so each is its own run.
    """
    folder.mkdir(parents=True, exist_ok=True)
    buildings = buildings or write_small_district(folder.parent / f"{folder.name}_inputs")
    sites = permit_sites(buildings)
    paths = []
    for i in range(n):
        origin = sites[i % len(sites)]
        p = folder / f"permit_{i:03d}.yaml"
        p.write_text(yaml.safe_dump(permit_scenario(f"permit-{i:03d}", origin, buildings=buildings), sort_keys=False))
        paths.append(p)
    return paths


def heating_system_buildings():
    """Five buildings a-e with known use, height, storeys and year (source data) and heating
    systems from data (a, c), a user (b) and defaults (d, e), floor areas 100, 300, 50, 550, 0 m2."""
    import pandas as pd

    return pd.DataFrame({
        "building_id": list("abcde"), "floor_area_m2": [100.0, 300.0, 50.0, 550.0, 0.0],
        "use": "residential", "use_source": "data", "height_m": 9.0, "height_m_source": "data", "n_storeys": 3,
        "n_storeys_source": "data", "construction_year": 1930.0, "construction_year_source": "data",
        "heating_system": ["heat_pump_air_35", "gas_boiler_condensing", "gas_boiler_condensing", "", ""],
        "heating_system_source": ["data", "user", "data", "default", "default"],
    })


def fake_scenario(description: str = "", *, whatif_description: str = "", samples: int = 0, seed: int = 0,
                  domains: tuple[str, ...] = ("energy",), name: str = "fake"):
    """The parts of a Scenario the report reads, for :func:`fake_comparison` (one what-if ``w``)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        name=name, description=description, domains=list(domains),
        whatifs=[SimpleNamespace(name="w", description=whatif_description, modifications=[])],
        uncertainty=SimpleNamespace(samples=samples, seed=seed, percentiles=(5.0, 95.0), parameters=[]),
        inputs=SimpleNamespace(files=["a.geojson"], weather=None, crs="EPSG:31370"),
        digest=lambda: "0" * 16,
    )


def fake_comparison():
    """A hand-made comparison: four squares a-d; the what-if warms a, removes d and adds n."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from twin.scenario.runner import Comparison, EngineResult

    crs = "EPSG:31370"
    squares = [shapely.box(i * 20.0, 0.0, i * 20.0 + 10.0, 10.0) for i in range(4)]
    base = gpd.GeoDataFrame({"building_id": ["a", "b", "c", "d"], "q_heat_kwh": [10.0, 20.0, 30.0, 40.0]}, geometry=squares, crs=crs)
    new = gpd.GeoDataFrame({"building_id": ["a", "b", "c", "n"], "q_heat_kwh": [11.0, 20.0, 30.0, 5.0]},
                           geometry=squares[:3] + [shapely.box(100.0, 0.0, 110.0, 10.0)], crs=crs)
    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["energy"], "kpi": ["q"], "baseline": [100.0], "whatif_value": [66.0], "delta": [-34.0]})
    return Comparison(None, {"energy": EngineResult(base, "building_id", {"q": 100.0})},
                      {"w": {"energy": EngineResult(new, "building_id", {"q": 66.0})}}, {"w": []}, kpis, {})
