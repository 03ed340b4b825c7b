"""Trip ends from the scene: residents, jobs and school places from buildings, visits from POIs.

Every building with a residential use (or a residential upper part under a shop) houses
``floor area / floor_area_per_resident_m2`` residents; non-residential floor area holds jobs or
school places (``twin/data/mobility_jobs.csv``, per use, with sources); every point of interest
with a visiting category (shops, cafes, banks, pharmacies, post offices...) adds
``trip_ends_per_visit_poi_day`` visit trip ends. A ``ground_floor_use`` other than residential
turns the ground floor (the footprint) of a residential building into that use.

Zones are the cells of a square grid (``zone_size_m``) that hold at least one building or
POI; a zone's point is the activity-weighted centre of its buildings. All parameters come
from documented tables (:func:`read_parameters`), each with a band used for sampling.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from twin.caching import BoundedCache, parsed_file
from twin.errors import InputError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
PARAMETERS = DATA_DIR / "mobility_parameters.csv"
JOBS = DATA_DIR / "mobility_jobs.csv"
VISIT_CATEGORIES = frozenset({"food_drink", "grocery", "shop", "bank", "pharmacy", "post", "culture", "hospitality", "public_service", "health"})
"""POI categories whose points add visit trip ends (schools count through their buildings)."""
MAX_ZONES = 20_000
"""Most zones of one run (the skims hold zones x zones matrices per mode)."""


@dataclass(frozen=True)
class Parameter:
    """One documented parameter with its sampling band."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    source: str


def read_parameters(path: str | Path | None = None, overrides: dict[str, float] | None = None) -> dict[str, Parameter]:
    """The parameter table (name, value, unit, low, high, source), with ``overrides`` applied.

    Raises
    ------
    InputError
        No such file (field ``parameters``), missing columns, non-numeric values, a value outside
        its band, an unknown override; in a table of one's own a name not in the packaged table
        (with the closest), a name given twice, a packaged name left out.
    """
    import pandas as pd

    from twin.io.paths import check_input_file

    path = check_input_file(path, field="parameters", what="mobility parameter table") if path is not None else PARAMETERS
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:  # EmptyDataError is a ValueError
        raise InputError(f"cannot read the mobility parameter table: {' '.join(str(exc).split())}", path=path,
                         field="parameters") from None
    for col in ("name", "value", "unit", "low", "high", "source"):
        if col not in table.columns:
            raise InputError(f"the parameter table lacks the column {col!r}", path=path, field=col)
    out: dict[str, Parameter] = {}
    known = None if path == PARAMETERS else read_parameters()  # a user's table: the packaged table's names, each once
    first: dict[str, int] = {}
    for i, row in table.iterrows():
        name = str(row["name"]).strip()
        if known is not None:
            if name not in known:  # was a KeyError (exit 70) when the model looked the packaged name up
                from twin.io.key_hints import did_you_mean

                raise InputError(f"unknown mobility parameter {name!r}{did_you_mean(name, known)}; known: {', '.join(known)}", path=path,
                                 obj=f"line {int(i) + 2}", field="name")  # fmt: skip
            if name in first:
                raise InputError(f"parameter {name!r} is given twice (first at line {first[name]})", path=path, obj=f"line {int(i) + 2}", field="name")
            first[name] = int(i) + 2
        vals = []
        for col in ("value", "low", "high"):
            try:
                v = float(row[col])
            except ValueError:
                raise InputError(f"not a number: {row[col]!r}", path=path, obj=f"line {int(i) + 2}", field=col) from None
            if not np.isfinite(v):
                raise InputError(f"must be finite, got {row[col]!r}", path=path, obj=f"line {int(i) + 2}", field=col)
            vals.append(v)
        value, low, high = vals
        if not low <= value <= high:
            raise InputError(f"{row['name']} = {value:g} is outside its band [{low:g}, {high:g}]", path=path, obj=f"line {int(i) + 2}", field="value")
        out[row["name"]] = Parameter(row["name"], value, row["unit"], low, high, row["source"])
    if known is not None and (missing := [k for k in known if k not in out]):
        raise InputError(f"the parameter table lacks {', '.join(missing)} (give every parameter of the packaged table, "
                         f"{PARAMETERS.name}, a value)", path=path, field="name")  # fmt: skip
    for key, value in dict(overrides or {}).items():
        if key not in out:
            raise InputError(f"unknown mobility parameter {key!r}; known: {', '.join(sorted(out))}", field="parameters")
        value = float(value)
        if not np.isfinite(value) or value < 0:
            raise InputError(f"{key} must be a finite number >= 0, got {value}", field="parameters")
        out[key] = Parameter(key, value, out[key].unit, min(out[key].low, value), max(out[key].high, value), "user")
    return out


def sample_parameters(params: dict[str, Parameter], n: int, rng: np.random.Generator) -> list[dict[str, Parameter]]:
    """``n`` parameter sets, each value drawn uniformly in its band (fixed where low == high)."""
    out = []
    for _ in range(int(n)):
        out.append({k: Parameter(p.name, float(rng.uniform(p.low, p.high)) if p.high > p.low else p.value, p.unit, p.low, p.high, p.source) for k, p in params.items()})
    return out


#: The jobs tables read by :func:`read_jobs`, by path and content digest (a changed file is
#: parsed again; every run of a Monte Carlo reads the same one). The last four stored.
_JOBS_CACHE: BoundedCache[tuple[str, bytes], dict[str, tuple[float, str]]] = BoundedCache(4)


def read_jobs(path: str | Path | None = None) -> dict[str, tuple[float, str]]:
    """Floor area per job or school place by use, m2 (and whether it counts jobs or places).

    The file is read on every call and parsed only when its content is new (:data:`_JOBS_CACHE`);
    the caller gets its own dict.
    """
    import pandas as pd

    def parse(data: bytes) -> dict[str, tuple[float, str]]:
        table = pd.read_csv(io.BytesIO(data))
        return {str(u): (float(a), str(k)) for u, a, k in zip(table["use"], table["floor_area_per_job_m2"], table["kind"])}

    return dict(parsed_file(_JOBS_CACHE, Path(path) if path is not None else JOBS, parse))


@dataclass
class TripEnds:
    """Per zone: residents, jobs, school places, visit POIs and the daily trip ends they make."""

    zone_ids: np.ndarray
    zone_xy: np.ndarray
    zone_geometry: np.ndarray
    residents: np.ndarray
    jobs: np.ndarray
    places: np.ndarray
    visit_pois: np.ndarray
    resident_ends: np.ndarray
    activity_ends: np.ndarray
    building_zone: np.ndarray
    building_xy: np.ndarray
    building_residents: np.ndarray

    @property
    def n_zones(self) -> int:
        return int(self.zone_ids.shape[0])


def building_activity(scene: Any, params: dict[str, Parameter], jobs_table: dict[str, tuple[float, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residents, jobs and school places per building."""
    b = scene.buildings
    if len(b) == 0:
        raise InputError("the scene has no buildings: no trips can be made", obj="buildings")
    area = b["floor_area_m2"].to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(area) | (area < 0))
    if bad.size:
        raise InputError("floor area missing, negative or infinite", obj=str(b["building_id"].iloc[int(bad[0])]), field="floor_area_m2")
    use = b["use"].fillna("").astype(str).str.lower().to_numpy() if "use" in b.columns else np.full(len(b), "residential")
    ground = b["ground_floor_use"].fillna("").astype(str).str.lower().to_numpy() if "ground_floor_use" in b.columns else np.full(len(b), "")
    foot = b["footprint_area_m2"].to_numpy(dtype=float) if "footprint_area_m2" in b.columns else np.zeros(len(b))
    foot = np.where(np.isfinite(foot) & (foot > 0), np.minimum(foot, area), 0.0)
    res_area = np.where(use == "residential", area, 0.0)
    other_area = np.where(use == "residential", 0.0, area)
    other_use = np.where(use == "residential", "", use)
    mixed = (use == "residential") & (ground != "") & (ground != "residential") & (ground != "as_use")
    res_area = np.where(mixed, area - foot, res_area)
    other_area = np.where(mixed, foot, other_area)
    other_use = np.where(mixed, ground, other_use)
    residents = res_area / params["floor_area_per_resident_m2"].value
    jobs = np.zeros(len(b))
    places = np.zeros(len(b))
    default = jobs_table.get("other", (60.0, "job"))
    for u in np.unique(other_use[other_area > 0]):
        per, kind = jobs_table.get(u, default)
        sel = (other_use == u) & (other_area > 0)
        if kind == "place":
            places[sel] = other_area[sel] / per
        else:
            jobs[sel] = other_area[sel] / per
    return residents, jobs, places


#: Key of the buildings' representative points in a scene's cache: a ``buildings:geom:`` entry,
#: kept while the buildings' ids, geometry and heights stay (a Monte Carlo sample's floor areas
#: and uses) and dropped when they change (:meth:`twin.scene.Scene.add`).
POINTS_CACHE_KEY = "buildings:geom:traffic_points"


def building_points(scene: Any) -> np.ndarray:
    """Coordinates (n, 2) of a point on the surface of every building's footprint.

    Cached on the scene (:data:`POINTS_CACHE_KEY`) when it has a cache: every run of a Monte
    Carlo sample shares its scene's footprints. Returns a fresh array.
    """
    import shapely

    cache = getattr(scene, "_cache", None)
    xy = None if cache is None else cache.get(POINTS_CACHE_KEY)
    if xy is None:
        xy = shapely.get_coordinates(shapely.point_on_surface(np.asarray(scene.buildings.geometry.values, dtype=object)))
        xy.flags.writeable = False
        if cache is not None:
            cache[POINTS_CACHE_KEY] = xy
    return xy.copy()


def check_zone_size(zone_size_m: float) -> None:
    """Raise :class:`~twin.errors.InputError` (field ``zone_size_m``) unless ``zone_size_m`` is a
    finite number of metres in [10, 10000], the zone sizes :func:`trip_ends` takes."""
    if not (np.isfinite(zone_size_m) and 10.0 <= zone_size_m <= 10_000.0):
        raise InputError(f"the zone size must be in [10, 10000] m, got {zone_size_m}", field="zone_size_m")


def trip_ends(scene: Any, params: dict[str, Parameter], *, zone_size_m: float = 100.0, jobs_table: dict | None = None) -> TripEnds:
    """Zones of a square grid and their daily trip ends (see the module docstring)."""
    import shapely

    check_zone_size(zone_size_m)
    jobs_table = read_jobs() if jobs_table is None else jobs_table
    b = scene.buildings
    residents, jobs, places = building_activity(scene, params, jobs_table)
    xy = building_points(scene)
    pois = scene.layer("pois")
    poi_xy = np.zeros((0, 2))
    if len(pois) and "category" in pois.columns:
        vis = pois[pois["category"].astype(str).isin(VISIT_CATEGORIES)]
        if len(vis):
            poi_xy = shapely.get_coordinates(shapely.centroid(np.asarray(vis.geometry.values, dtype=object)))
    all_xy = np.vstack([xy, poi_xy])
    x0, y0 = all_xy.min(axis=0)
    cells = np.floor((all_xy - [x0, y0]) / zone_size_m).astype(np.int64)
    ncol = int(cells[:, 0].max()) + 1
    code = cells[:, 1] * ncol + cells[:, 0]
    uniq, inv = np.unique(code, return_inverse=True)
    if uniq.size > MAX_ZONES:
        from twin.errors import ResourceLimitError
        from twin.traffic.uncut_sites import cut_advice

        raise ResourceLimitError(f"{uniq.size} zones of {zone_size_m:g} m exceed the limit of {MAX_ZONES}: use larger zones"
                                 f"{cut_advice(scene, 'twin ingest --sites SITES --clip-to-sites')}", field="zone_size_m")
    nb = len(b)
    bz = inv[:nb]
    pz = inv[nb:]
    nz = uniq.size
    res_z = np.bincount(bz, weights=residents, minlength=nz)
    jobs_z = np.bincount(bz, weights=jobs, minlength=nz)
    places_z = np.bincount(bz, weights=places, minlength=nz)
    pois_z = np.bincount(pz, minlength=nz).astype(float)
    weight = np.maximum(residents + jobs + places, 1e-9)
    cx = np.bincount(bz, weights=weight * xy[:, 0], minlength=nz)
    cy = np.bincount(bz, weights=weight * xy[:, 1], minlength=nz)
    wz = np.bincount(bz, weights=weight, minlength=nz)
    has_b = wz > 0
    col = uniq % ncol
    row = uniq // ncol
    centre = np.column_stack([x0 + (col + 0.5) * zone_size_m, y0 + (row + 0.5) * zone_size_m])
    zone_xy = np.where(has_b[:, None], np.column_stack([cx / np.where(has_b, wz, 1), cy / np.where(has_b, wz, 1)]), centre)
    geoms = shapely.box(x0 + col * zone_size_m, y0 + row * zone_size_m, x0 + (col + 1) * zone_size_m, y0 + (row + 1) * zone_size_m)
    p = {k: v.value for k, v in params.items()}
    resident_ends = res_z * p["trips_per_resident_day"]
    activity_ends = jobs_z * p["trip_ends_per_job_day"] + places_z * p["trip_ends_per_school_place_day"] + pois_z * p["trip_ends_per_visit_poi_day"]
    ids = np.array([f"z{int(r)}_{int(c)}" for r, c in zip(row, col)], dtype=object)
    return TripEnds(
        zone_ids=ids, zone_xy=zone_xy, zone_geometry=np.asarray(geoms, dtype=object), residents=res_z, jobs=jobs_z, places=places_z,
        visit_pois=pois_z, resident_ends=resident_ends, activity_ends=activity_ends, building_zone=bz, building_xy=xy, building_residents=residents,
    )  # fmt: skip
