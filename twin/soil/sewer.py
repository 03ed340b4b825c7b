"""Sewers: sealed runoff routed to the district's combined sewer, overflow volume and duration.

Network
-------
Each cell of the soil grid drains to a catchment. Two ways to define them:

* from the street network (default): every street with a sewer (its ``road_class`` row in
  ``twin/data/soil_sewer_street_classes.csv`` says ``has_sewer = yes``) is a catchment, and every
  cell drains to the nearest one (the two directions of a link are one street). The pipe of a
  street class has a diameter ``D``, a slope ``S`` and Manning's ``n``; its capacity is the
  full-pipe discharge ``Q = (1/n) A R^(2/3) S^(1/2)`` with ``A = pi D^2 / 4`` and ``R = D / 4``
  (Manning's formula, Chow 1959) and its volume ``A x length``;
* from catchment polygons given by the user (a GeoDataFrame or a GeoJSON / GeoPackage file with
  ``capacity_m3_s`` and optionally ``storage_m3``): a cell drains to the polygon holding its
  centre, else to the nearest polygon.

Routing (hourly, the weather's step)
------------------------------------
1. A catchment passes at most its capacity ``Q dt`` on; the excess surcharges the street
   (local *flooding*).
2. What the catchments pass on meets at the district outlet: the throttle towards the
   interceptor and treatment plant passes at most ``outlet_capacity_mm_h`` over the area of the
   grid (a property of the network, the same for a baseline and its what-ifs), in-line storage
   fills first (``network_storage_share`` of the pipes' volume plus ``outlet_tank_m3``), and
   what the full storage cannot hold spills: a combined sewer *overflow* (CSO).

Dry-weather flow is not modelled: the capacities are those left for storm water.

Default outlet capacity
-----------------------
1 mm/h over the district: combined-sewer overflows in Flanders are set to spill above about
6 times the dry-weather flow (Vlaamse Milieumaatschappij, Code van goede praktijk voor rioleringssystemen);
with about 25 000 inhabitants per km2 (Saint-Gilles) at 150 L per inhabitant and day, 5 times
the dry-weather flow left for storm water is 0.22 m3/s per km2, 0.8 mm/h; rounded up to 1 mm/h.
An assumption to be replaced by the operator's figure (Vivaqua) for real studies.

Events
------
Hours with overflow (flooding or CSO) closer than ``inter_event_hours`` dry hours belong to one
event; per event: start, end, duration (hours with overflow), volume and peak.

References
----------
Chow, V.T. (1959), Open-channel hydraulics, McGraw-Hill (Manning's formula, Table 5-6).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from twin.errors import InputError
from twin.soil.table_rows import cell_number, row_key

STREET_TABLE = "soil_sewer_street_classes.csv"
TABLE_MAX_BYTES = 1024**2
CATCHMENT_MAX_BYTES = 256 * 1024**2


class SewerOptions(BaseModel):
    """The sewer of the district (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    outlet_capacity_mm_h: float = Field(1.0, description="throttle at the outlet, mm/h over the area of the grid")
    network_storage_share: float = Field(0.5, ge=0, le=1, description="share of the pipes' volume usable as in-line storage")
    outlet_tank_m3: float = Field(0.0, ge=0, le=1e9, description="storage tank at the outlet, m3")
    inter_event_hours: float = Field(6.0, gt=0, le=24 * 30, description="dry hours that separate two overflow events")
    street_classes_table: str | None = Field(None, description="CSV of pipe diameter, slope and roughness per street class")

    def checked(self, *, path=None) -> SewerOptions:
        if not self.outlet_capacity_mm_h > 0:
            raise InputError(f"the sewer capacity must be positive, got {self.outlet_capacity_mm_h:g} mm/h", path=path,
                             field="sewer.outlet_capacity_mm_h")
        return self


@dataclass
class StreetClassSewer:
    road_class: str
    has_sewer: bool
    pipe_diameter_m: float
    slope: float
    manning_n: float

    @property
    def capacity_m3_s(self) -> float:
        return manning_full_pipe_m3_s(self.pipe_diameter_m, self.slope, self.manning_n)

    @property
    def area_m2(self) -> float:
        return np.pi * self.pipe_diameter_m**2 / 4.0


def manning_full_pipe_m3_s(diameter_m: float, slope: float, manning_n: float) -> float:
    """Manning's full-pipe discharge ``Q = (1/n) A R^(2/3) S^(1/2)``, m3/s (``A = pi D^2/4``, ``R = D/4``)."""
    area = np.pi * diameter_m**2 / 4.0
    return float(area * (diameter_m / 4.0) ** (2.0 / 3.0) * np.sqrt(slope) / manning_n)


def read_street_classes(path=None) -> dict[str, StreetClassSewer]:
    """The sewer of each street class (default ``twin/data/soil_sewer_street_classes.csv``).

    Raises
    ------
    InputError
        Unreadable file, missing column, no rows, a street class given twice, ``has_sewer`` not
        yes/no, and for a street with a sewer a
        diameter, slope or roughness that is missing, not a number or not positive (a capacity of
        zero): the line, the class and the column named.
    """
    from twin.io.paths import check_input_file

    path = Path(path) if path is not None else Path(str(resources.files("twin") / "data" / STREET_TABLE))
    check_input_file(path, suffixes=(".csv",), max_bytes=TABLE_MAX_BYTES, what="sewer street-class table", refuse_empty=True)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols = set(reader.fieldnames or [])
        for c in ("road_class", "has_sewer", "pipe_diameter_m", "slope", "manning_n"):
            if c not in cols:
                raise InputError("the sewer street-class table lacks a column", path=path, field=c)
        out: dict[str, StreetClassSewer] = {}
        for line, row in enumerate(reader, start=2):
            cls, obj = row_key(row, "road_class", line, path=path, empty="empty street class", noun="street class",
                               seen=out)
            flag = (row.get("has_sewer") or "").strip().lower()
            if flag not in ("yes", "no"):
                raise InputError(f"has_sewer must be yes or no, got {flag!r}", path=path, obj=obj, field="has_sewer")
            if flag == "no":
                out[cls] = StreetClassSewer(cls, False, 0.0, 0.0, 0.0)
                continue
            vals = {}
            for c in ("pipe_diameter_m", "slope", "manning_n"):
                v = cell_number(row, c, path=path, obj=obj)
                if not (np.isfinite(v) and v > 0):
                    raise InputError(f"a street with a sewer needs a positive {c} (a sewer capacity of zero), got {v:g}",
                                     path=path, obj=obj, field=c)
                vals[c] = v
            if vals["pipe_diameter_m"] > 10 or vals["slope"] > 1 or vals["manning_n"] > 1:
                raise InputError("implausible pipe (diameter above 10 m, slope above 1 or Manning n above 1)", path=path, obj=obj,
                                 field="pipe_diameter_m")
            out[cls] = StreetClassSewer(cls, True, vals["pipe_diameter_m"], vals["slope"], vals["manning_n"])
    if not out:
        raise InputError("the sewer street-class table has no rows", path=path, field="road_class")
    if not any(v.has_sewer for v in out.values()):
        raise InputError("no street class has a sewer", path=path, field="has_sewer")
    return out


@dataclass
class SewerNetwork:
    """Catchments of the district and the cell each drains.

    Attributes
    ----------
    names : catchment ids (link ids or polygon ids).
    road_class : street class of each catchment ("" for polygons).
    capacity_m3_s : (n,) capacity passed on to the outlet.
    volume_m3 : (n,) pipe volume.
    cell_catchment : (ny * nx,) catchment of each cell.
    outlet_capacity_m3_s, outlet_storage_m3 : the outlet throttle and in-line storage.
    source : "streets" or the catchment file.
    """

    names: list[str]
    road_class: list[str]
    capacity_m3_s: np.ndarray
    volume_m3: np.ndarray
    cell_catchment: np.ndarray
    outlet_capacity_m3_s: float
    outlet_storage_m3: float
    source: str

    @property
    def n(self) -> int:
        return len(self.names)


def _grid_points(grid):
    import shapely

    gx, gy = np.meshgrid(grid.x, grid.y)
    return shapely.points(gx.ravel(), gy.ravel())


def network_from_streets(scene, grid, options: SewerOptions | None = None) -> SewerNetwork:
    """Catchments from the scene's streets (see the module docstring).

    Raises
    ------
    InputError
        A street class of the scene without a row in the table (the table named, field
        ``road_class``), no street with a sewer.
    """
    import pandas as pd
    import shapely

    options = (options or SewerOptions()).checked()
    table_path = options.street_classes_table
    table = read_street_classes(table_path)
    links = scene.links
    if len(links) == 0:
        raise InputError("the scene has no streets to route the sealed runoff to; give sewer catchments", field="links")
    geoms = np.asarray(links.geometry.values)
    key = shapely.to_wkb(shapely.normalize(geoms))
    streets = links[~pd.Series(key).duplicated().to_numpy()]
    classes = streets["road_class"].astype(str).to_numpy() if "road_class" in streets else np.full(len(streets), "residential")
    unknown = sorted({c for c in classes if c not in table})
    if unknown:
        where = table_path or f"twin/data/{STREET_TABLE}"
        raise InputError(f"street class {unknown[0]!r} has no row in the sewer street-class table ({where}); add it",
                         path=table_path, obj=unknown[0], field="road_class")
    sewered = np.array([table[c].has_sewer for c in classes])
    if not sewered.any():
        raise InputError("no street of the scene has a sewer", field="road_class")
    streets = streets[sewered]
    classes = classes[sewered]
    lines = np.asarray(streets.geometry.values)
    ids = streets["link_id"].astype(str).tolist() if "link_id" in streets else [str(i) for i in range(len(streets))]
    cap = np.array([table[c].capacity_m3_s for c in classes])
    vol = np.array([table[c].area_m2 for c in classes]) * shapely.length(lines)
    tree = shapely.STRtree(lines)
    cell_catchment = np.asarray(tree.query_nearest(_grid_points(grid), return_distance=False, all_matches=False)[1], dtype=np.int64)
    return _with_outlet(SewerNetwork(ids, list(classes), cap, vol, cell_catchment, 0.0, 0.0, "streets"), grid, options)


def network_from_catchments(catchments, grid, options: SewerOptions | None = None) -> SewerNetwork:
    """Catchments from polygons with ``capacity_m3_s`` (and optionally ``storage_m3``).

    Raises
    ------
    InputError
        Unreadable file, no such field, a capacity that is missing or not positive (a sewer
        capacity of zero; the feature named), a negative storage, no CRS.
    """
    import shapely

    from twin.soil.grid import _smallest_hit, check_map_covers_grid, read_polygon_layer

    options = (options or SewerOptions()).checked()
    gdf, path = read_polygon_layer(catchments, what="sewer catchments", file_what="sewer catchment file", max_bytes=CATCHMENT_MAX_BYTES)
    if len(gdf) == 0:
        raise InputError("no sewer catchments", path=path)
    if "capacity_m3_s" not in gdf.columns:
        raise InputError("the sewer catchments have no such field", path=path, field="capacity_m3_s")
    if gdf.crs is None:
        raise InputError("the sewer catchments have no coordinate reference system", path=path, field="crs")
    if gdf.crs != grid.crs:
        gdf = gdf.to_crs(grid.crs)
    cap = gdf["capacity_m3_s"].to_numpy(dtype=float)
    store = gdf["storage_m3"].to_numpy(dtype=float) if "storage_m3" in gdf.columns else np.zeros(len(gdf))
    names = gdf["catchment_id"].astype(str).tolist() if "catchment_id" in gdf.columns else [str(i) for i in gdf.index]
    for i in range(len(gdf)):
        if not (np.isfinite(cap[i]) and cap[i] > 0):
            said = "a sewer capacity of zero" if cap[i] == 0 else "missing" if np.isnan(cap[i]) else "not a positive finite number"
            raise InputError(f"a sewer capacity must be a positive number of m3/s, got {float(cap[i]):g} ({said})",
                             path=path, obj=f"catchment {names[i]}", field="capacity_m3_s")
        if not (np.isfinite(store[i]) and store[i] >= 0):
            raise InputError(f"storage must be >= 0 m3, got {float(store[i]):g}", path=path, obj=f"catchment {names[i]}", field="storage_m3")
    if "catchment_id" in gdf.columns:  # two catchments of one name: their overflows were reported under it twice, not told apart
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            if name in seen:
                raise InputError(f"catchment id {name!r} is given to features {seen[name]} and {i}: give each catchment its own id "
                                 "(one polygon, or a MultiPolygon, per catchment)", path=path, obj=f"catchment {name}", field="catchment_id")
            seen[name] = i
    geoms = np.asarray(gdf.geometry.values)
    pts = _grid_points(grid)
    hit = _smallest_hit(pts, geoms)
    check_map_covers_grid(hit, geoms, grid, what="sewer catchment file", path=path, field="catchments")
    miss = np.flatnonzero(hit < 0)
    if len(miss):
        tree = shapely.STRtree(geoms)
        hit[miss] = np.asarray(tree.query_nearest(pts[miss], return_distance=False, all_matches=False)[1])
    net = SewerNetwork(names, [""] * len(names), cap, store, hit.astype(np.int64), 0.0, 0.0, str(path or "catchments"))
    return _with_outlet(net, grid, options)


def _with_outlet(net: SewerNetwork, grid, options: SewerOptions) -> SewerNetwork:
    area = grid.cell_area_m2 * grid.shape[0] * grid.shape[1]
    net.outlet_capacity_m3_s = options.outlet_capacity_mm_h / 1000.0 / 3600.0 * area
    net.outlet_storage_m3 = options.network_storage_share * float(net.volume_m3.sum()) + options.outlet_tank_m3
    return net


@dataclass
class SewerResult:
    """Hourly routing of the inflows (m3 per interval).

    Attributes
    ----------
    inflow_m3 : (n_t,) total inflow.
    flooding_m3 : (n_t, n) surcharge of each catchment beyond its capacity.
    to_treatment_m3 : (n_t,) what the outlet passes on.
    cso_m3 : (n_t,) combined sewer overflow at the outlet.
    storage_m3 : (n_t + 1,) in-line storage at the interval edges.
    times : (n_t,) timestamps of the interval ends (or None).
    """

    inflow_m3: np.ndarray
    flooding_m3: np.ndarray
    to_treatment_m3: np.ndarray
    cso_m3: np.ndarray
    storage_m3: np.ndarray
    times: object = None
    inter_event_hours: float = 6.0
    dt_s: float = 3600.0

    @property
    def overflow_m3(self) -> np.ndarray:
        """(n_t,) flooding and CSO together."""
        return self.flooding_m3.sum(axis=1) + self.cso_m3

    def balance_error_m3(self) -> float:
        """inflow - flooding - treatment - CSO - storage change, m3."""
        return float(self.inflow_m3.sum() - self.flooding_m3.sum() - self.to_treatment_m3.sum() - self.cso_m3.sum()
                     - (self.storage_m3[-1] - self.storage_m3[0]))

    def events(self):
        """Overflow events as a DataFrame: start, end, duration_h (hours with overflow), volume_m3,
        flooding_m3, cso_m3, peak_m3_h (see the module docstring)."""
        import pandas as pd

        over = self.overflow_m3
        wet = np.flatnonzero(over > 0)
        rows = []
        gap = self.inter_event_hours * 3600.0 / self.dt_s
        if len(wet):
            starts = [wet[0]]
            ends = []
            for a, b in zip(wet[:-1], wet[1:]):
                if b - a - 1 >= gap:
                    ends.append(a)
                    starts.append(b)
            ends.append(wet[-1])
            flood = self.flooding_m3.sum(axis=1)
            for s, e in zip(starts, ends):
                sl = slice(s, e + 1)
                rows.append({
                    "start": None if self.times is None else self.times[s] - pd.Timedelta(seconds=self.dt_s),
                    "end": None if self.times is None else self.times[e],
                    "first_interval": int(s), "last_interval": int(e),
                    "duration_h": float(np.count_nonzero(over[sl] > 0) * self.dt_s / 3600.0),
                    "volume_m3": float(over[sl].sum()), "flooding_m3": float(flood[sl].sum()), "cso_m3": float(self.cso_m3[sl].sum()),
                    "peak_m3_h": float(over[sl].max() * 3600.0 / self.dt_s),
                })
        return pd.DataFrame(rows, columns=["start", "end", "first_interval", "last_interval", "duration_h", "volume_m3",
                                           "flooding_m3", "cso_m3", "peak_m3_h"])


def route(inflow_m3: np.ndarray, network: SewerNetwork, *, dt_s: float = 3600.0, storage_start_m3: float = 0.0,
          times=None, inter_event_hours: float = 6.0) -> SewerResult:
    """Route ``inflow_m3`` (n_t, n_catchments), m3 per interval, through the network (module docstring)."""
    inflow = np.asarray(inflow_m3, dtype=float)
    if inflow.ndim != 2 or inflow.shape[1] != network.n:
        raise InputError(f"inflows must be (intervals, {network.n} catchments)", field="inflow_m3")
    if not np.all(np.isfinite(inflow)) or np.any(inflow < -1e-9):
        raise InputError("inflows must be finite and >= 0", field="inflow_m3")
    inflow = np.maximum(inflow, 0.0)
    local_cap = network.capacity_m3_s * dt_s
    flooding = np.maximum(inflow - local_cap[None, :], 0.0)
    passed = (inflow - flooding).sum(axis=1)
    n_t = len(passed)
    out_cap = network.outlet_capacity_m3_s * dt_s
    s_max = network.outlet_storage_m3
    treat = np.empty(n_t)
    cso = np.empty(n_t)
    store = np.empty(n_t + 1)
    s = float(storage_start_m3)
    store[0] = s
    for k in range(n_t):
        s += passed[k]
        q = min(s, out_cap)
        s -= q
        spill = max(s - s_max, 0.0)
        s -= spill
        treat[k] = q
        cso[k] = spill
        store[k + 1] = s
    return SewerResult(inflow.sum(axis=1), flooding, treat, cso, store, times, inter_event_hours, dt_s)
