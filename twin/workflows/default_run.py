"""The default job: the Saint-Gilles district from ``data_samples/`` into a scene, with results.

Writes to ``out``:

* ``scene/``: every layer as GeoParquet (+ ``scene.json``), readable with
  :func:`twin.scene.io.read_scene` or ``twin info out/scene``;
* ``party_walls.parquet``: shared walls between adjacent buildings;
* ``facades.parquet``: exterior and party wall areas per footprint edge;
* ``summary.json``: counts per layer, defaulted values, party-wall totals, timings.

Every file is written atomically.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from twin.errors import InputError
from twin.io import atomic_path, atomic_write_text

DEFAULT_FILES = (
    "stgilles_buildings_osm2013.geojson",
    "stgilles_streets_osm2013.geojson",
    "stgilles_landcover_osm2013.geojson",
    "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw",
)


def default_data_dir() -> Path:
    """``data_samples/`` of the repository (found from the package location or the cwd)."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "data_samples", Path.cwd() / "data_samples"):
        if candidate.is_dir():
            return candidate
    raise InputError("data_samples/ not found; pass --data FOLDER", path="data_samples")


def run_default(out: str | Path, *, data_dir: str | Path | None = None, progress: bool = True) -> dict:
    """Ingest the default district and write the scene and its derived tables to ``out``."""
    from twin.export import write_scene
    from twin.ingest import ingest

    data_dir = Path(data_dir) if data_dir else default_data_dir()
    files = [data_dir / f for f in DEFAULT_FILES]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise InputError(f"default inputs missing: {', '.join(missing)}", path=data_dir)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    timings = {}
    t0 = time.perf_counter()
    scene, results = ingest(files, progress=progress)
    scene.name = "Saint-Gilles (Brussels), OSM 2013"
    timings["ingest_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    walls = scene.party_walls()
    facades = scene.facades()
    timings["party_walls_s"] = time.perf_counter() - t0
    write_scene(scene, out / "scene")
    with atomic_path(out / "party_walls.parquet") as tmp:
        walls.to_parquet(tmp, index=False)
    with atomic_path(out / "facades.parquet") as tmp:
        facades.to_parquet(tmp, index=False)
    b = scene.buildings
    with_party = len(set(walls["building_id"]) | set(walls["neighbour_id"]))
    summary = {
        "scene": scene.name,
        "crs": scene.crs.to_string(),
        "counts": scene.counts(),
        "dropped": [{"file": d.path, "object": d.obj, "reason": d.reason} for r in results for d in r.dropped],
        "buildings_defaulted": {
            col: int(b[col].sum()) for col in ("height_defaulted", "storeys_defaulted", "year_defaulted", "use_defaulted")
        },
        "floor_area_m2": float(b["floor_area_m2"].sum()),
        "party_walls": {"pairs": len(walls), "shared_area_m2": float(walls["shared_area_m2"].sum()), "buildings_with_party_wall": with_party},
        "timings_s": timings,
    }
    lines = [f"{scene.name}: " + ", ".join(f"{k} {v:,}" for k, v in summary["counts"].items() if v)]
    lines.append(f"  {len(summary['dropped'])} objects dropped (see summary.json)")
    lines.append(
        f"  party walls: {len(walls):,} pairs, {summary['party_walls']['shared_area_m2']:,.0f} m2; "
        f"{with_party:,} of {len(b):,} buildings share a wall"
    )
    lines.append(f"  wrote {out}/scene, party_walls.parquet, facades.parquet, summary.json")
    summary["lines"] = lines
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=2, default=str))
    return summary
