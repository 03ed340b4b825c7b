"""The spatial scene graph: one columnar table per layer, in one metric CRS.

Hierarchy: Region (the scene) -> District/Site (``sites``) -> Building (``buildings``) ->
Storey (``storeys``) -> Space (``spaces``), with building elements (``elements``) attached to
buildings (and storeys where known). Streets (``nodes``, ``links``), land cover, soil and
points of interest are layers of their own. Each layer is a (Geo)DataFrame following
:mod:`twin.scene.schema`, so a domain model pulls whole columns as arrays.

A :class:`Scene` is cheap to copy (pandas copy-on-write: a copy shares memory until one side
changes a column) and can be diffed against its baseline with :meth:`Scene.diff`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from twin.errors import CRSError, InputError, SchemaError
from twin.scene.layers import conform, conform_columns, empty_layer
from twin.scene.schema import GEO_LAYERS, ID_COLUMN, LAYERS

if TYPE_CHECKING:  # pragma: no cover
    from twin.scene.diff import SceneDiff
    from twin.scene.footprints import FootprintArrays

DEFAULT_CRS = "EPSG:31370"

# columns whose values decide the geometric caches of a layer (tree, party walls, horizons)
GEOMETRY_COLUMNS = {"buildings": ("building_id", "geometry", "height_m", "ground_z_m")}
"""Belgian Lambert 72, the metric CRS of the Brussels reference case."""


@dataclass
class Scene:
    """A region: every layer of the digital twin in one projected, metric CRS.

    Parameters
    ----------
    crs
        The scene CRS; must be projected with metre units (default EPSG:31370).
    name
        A label for reports.
    """

    crs: pyproj.CRS | str = DEFAULT_CRS
    name: str = "scene"
    layers: dict[str, pd.DataFrame] = field(default_factory=dict)
    weather: Any = None
    meta: dict[str, Any] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _changed: set[str] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            crs = pyproj.CRS.from_user_input(self.crs)
        except pyproj.exceptions.CRSError as exc:
            raise CRSError(f"unknown scene CRS {self.crs!r}: {exc}", field="crs") from None
        if not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
            raise CRSError(f"the scene CRS must be projected in metres, got {crs.to_string()}", field="crs")
        self.crs = crs
        for name in LAYERS:
            if name not in self.layers:
                self.layers[name] = empty_layer(name, crs=self.crs if name in GEO_LAYERS else None)

    # ------------------------------------------------------------------ layers
    def __getattr__(self, name: str) -> pd.DataFrame:
        # buildings, elements, links... as attributes
        if name != "layers" and name in LAYERS:
            return self.layers[name]
        raise AttributeError(name)

    def layer(self, name: str) -> pd.DataFrame:
        """The table of layer ``name``."""
        if name not in LAYERS:
            raise KeyError(f"unknown layer {name!r}")
        return self.layers[name]

    def add(self, name: str, frame: pd.DataFrame, *, source: str | None = None, replace: bool = False) -> None:
        """Add rows to layer ``name`` (reprojected to the scene CRS), or replace the layer.

        Raises
        ------
        SchemaError
            Bad columns, or an id that already exists in the layer.
        CRSError
            A geometric layer without a CRS.
        """
        if name in GEO_LAYERS:
            frame = self._to_scene_crs(frame, source)
        frame = conform(name, frame, crs=self.crs, source=source)
        if replace or len(self.layers[name]) == 0:
            merged = frame
        else:
            id_col = ID_COLUMN[name]
            clash = frame[id_col].isin(self.layers[name][id_col])
            if clash.any():
                raise SchemaError(f"id already in layer {name!r}", path=source, obj=frame[id_col][clash].iloc[0], field=id_col)
            merged = pd.concat([self.layers[name], frame], ignore_index=True)
            if name in GEO_LAYERS:
                merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=self.crs)
        old = self.layers[name]
        self.layers[name] = merged
        self._changed.add(name)
        self._invalidate(name, keep_geometry=self._same_geometry(name, old, merged))

    def set_layer(self, name: str, frame: pd.DataFrame) -> None:
        """Replace layer ``name`` (used by what-if modifications)."""
        self.add(name, frame, replace=True)

    def set_columns(self, name: str, columns: dict[str, Any]) -> None:
        """Replace attribute columns of layer ``name``, keeping its ids, geometry and heights.

        Each column is cast and checked as :meth:`add` does (:func:`~twin.scene.layers.conform_columns`),
        only these columns: the rest of the layer is already valid and stays shared. The cached
        values of the layer's geometry are kept, the others dropped, as :meth:`set_layer` does
        when only attributes change. What a Monte Carlo sample of the stock changes (floor areas,
        uses) without checking the whole layer again (``set_layer``: 14-22 ms on Saint-Gilles).

        Raises
        ------
        SchemaError
            A column that decides the layer's geometry (ids, geometry, heights: use
            :meth:`set_layer`), or one :func:`~twin.scene.layers.conform_columns` refuses.
        """
        fixed = {ID_COLUMN[name], "geometry", *GEOMETRY_COLUMNS.get(name, ())} & set(columns)
        if fixed:
            raise SchemaError(f"{sorted(fixed)[0]!r} decides the geometry of layer {name!r}: replace the layer (set_layer)",
                              field=sorted(fixed)[0])
        self.layers[name] = conform_columns(name, self.layers[name], columns)
        self._changed.add(name)
        self._invalidate(name, keep_geometry=True)

    def _to_scene_crs(self, frame: pd.DataFrame, source: str | None) -> gpd.GeoDataFrame:
        if not isinstance(frame, gpd.GeoDataFrame):
            raise SchemaError("a geometric layer must be a GeoDataFrame", path=source, field="geometry")
        if frame.crs is None:
            raise CRSError("layer has no CRS; name one (e.g. crs='EPSG:4326')", path=source, field="crs")
        if not pyproj.CRS.from_user_input(frame.crs).equals(self.crs):
            frame = frame.to_crs(self.crs)
        return frame

    def _same_geometry(self, name: str, old: pd.DataFrame, new: pd.DataFrame) -> bool:
        """True if ``new`` has the ids, geometry and heights of ``old`` (only attributes changed)."""
        if name not in GEOMETRY_COLUMNS or len(old) != len(new) or len(old) == 0:
            return False
        for col in GEOMETRY_COLUMNS[name]:
            a, b = old[col].to_numpy(), new[col].to_numpy()
            if col == "geometry":
                if not bool(np.all(shapely.equals_exact(a, b, 0.0))):
                    return False
            elif not np.array_equal(a, b):
                return False
        return True

    def _invalidate(self, name: str, *, keep_geometry: bool = False) -> None:
        """Drop cached results that depend on layer ``name``.

        Keys are ``<layer>:<what>``; ``<layer>:geom:<what>`` depend only on the ids, geometry
        and heights of the layer and survive a change of attributes (``keep_geometry``).
        Building parts (storeys, spaces, elements) count as buildings.
        """
        owner = "buildings" if name in ("storeys", "spaces", "elements") else name
        for key in list(self._cache):
            if key.startswith(owner + ":") or key.startswith("*:"):
                if (keep_geometry or owner != name) and key.startswith(owner + ":geom:"):
                    continue
                del self._cache[key]

    def assign_sites(self) -> int:
        """Set each building's ``site_id`` to the smallest site whose polygon holds its footprint's
        representative point (buildings outside every site keep ``''``). Returns how many got one."""
        b, sites = self.buildings, self.sites
        if len(b) == 0 or len(sites) == 0:
            return 0
        points = shapely.point_on_surface(np.asarray(b.geometry.values))
        tree = shapely.STRtree(np.asarray(sites.geometry.values))
        pi, si = tree.query(points, predicate="within")
        area = shapely.area(np.asarray(sites.geometry.values))
        order = np.lexsort((area[si], pi))  # per building, smallest site first
        pi, si = pi[order], si[order]
        first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.array([], dtype=bool)
        site_id = np.full(len(b), "", dtype=object)
        site_id[pi[first]] = sites["site_id"].to_numpy()[si[first]]
        b = b.copy()
        b["site_id"] = site_id
        self.set_layer("buildings", b)
        return int(first.sum())

    # ------------------------------------------------------------------ copy / diff
    def copy(self, *, keep_changed: bool = False) -> Scene:
        """A cheap copy for a what-if: tables share memory until either side changes them.

        The copy's :attr:`changed` starts empty, or, with ``keep_changed``, as this scene's (a
        stand-in for this scene itself, e.g. a second use of one ingest)."""
        return Scene(
            crs=self.crs,
            name=self.name,
            layers={k: v.copy(deep=False) for k, v in self.layers.items()},
            weather=self.weather,
            meta=dict(self.meta),
            _cache=dict(self._cache),
            _changed=set(self._changed) if keep_changed else set(),
        )

    @property
    def changed(self) -> frozenset[str]:
        """Layers (and ``meta:<key>`` entries) changed since this scene was made or copied.

        The scenario runner re-runs an engine on a what-if only when a layer it reads changed.
        """
        return frozenset(self._changed)

    def set_meta(self, key: str, value: Any) -> None:
        """Set ``meta[key]`` and record the change (see :attr:`changed`)."""
        self.meta[key] = value
        self._changed.add(f"meta:{key}")

    def diff(self, baseline: Scene) -> SceneDiff:
        """What changed in this scene relative to ``baseline``: added, removed, modified ids."""
        from twin.scene.diff import diff_scenes

        return diff_scenes(baseline, self)

    # ------------------------------------------------------------------ summaries
    def counts(self) -> dict[str, int]:
        """Number of rows per layer."""
        return {name: len(frame) for name, frame in self.layers.items()}

    def summary(self) -> pd.DataFrame:
        """Rows per layer and, for buildings, floor area and defaulted values."""
        rows = [{"layer": k, "rows": v} for k, v in self.counts().items()]
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts().items() if v)
        return f"Scene({self.name!r}, crs={self.crs.to_string()}, {counts})"

    # ------------------------------------------------------------------ spatial index and queries
    def index(self, name: str) -> shapely.STRtree:
        """STRtree over the geometries of layer ``name`` (built once, cached until it changes)."""
        key = f"{name}:geom:tree"
        if key not in self._cache:
            if name not in GEO_LAYERS:
                raise KeyError(f"layer {name!r} has no geometry")
            self._cache[key] = shapely.STRtree(np.asarray(self.layers[name].geometry.values))
        return self._cache[key]

    def within_distance(self, name: str, geometry, distance_m: float) -> pd.DataFrame:
        """Rows of layer ``name`` within ``distance_m`` of ``geometry`` (scene CRS)."""
        idx = self.index(name).query(geometry, predicate="dwithin", distance=distance_m)
        return self.layers[name].iloc[np.sort(idx)]

    def neighbours(self, building_id: str, distance_m: float = 0.5) -> pd.DataFrame:
        """Buildings within ``distance_m`` of building ``building_id`` (itself excluded)."""
        b = self.buildings
        row = self._building_index(building_id)
        found = self.within_distance("buildings", b.geometry.iloc[row], distance_m)
        return found[found["building_id"] != building_id]

    def _building_index(self, building_id: str) -> int:
        hits = np.flatnonzero(self.buildings["building_id"].to_numpy() == building_id)
        if len(hits) == 0:
            raise InputError("no such building in the scene", obj=building_id, field="building_id")
        return int(hits[0])

    def footprints(self) -> FootprintArrays:
        """Footprints of all buildings as flat arrays (cached)."""
        from twin.scene.footprints import footprint_arrays

        key = "buildings:geom:footprints"
        if key not in self._cache:
            self._cache[key] = footprint_arrays(self.buildings.geometry.values)
        return self._cache[key]

    def _shared(self):
        from twin.scene.spatial import shared_walls

        key = "buildings:geom:shared"
        if key not in self._cache:
            self._cache[key] = shared_walls(self.footprints(), self.index("buildings"), np.asarray(self.buildings.geometry.values))
        return self._cache[key]

    def party_walls(self) -> pd.DataFrame:
        """Every pair of buildings with a shared footprint edge.

        Columns: ``building_id``, ``neighbour_id`` (each unordered pair once),
        ``shared_length_m`` and ``shared_area_m2`` (length x the lower of the two heights).
        """
        from twin.scene.spatial import party_wall_table

        a, b, length, _ = self._shared()
        return party_wall_table(self.buildings, a, b, length)

    def facades(self) -> pd.DataFrame:
        """One row per footprint edge: building, length, outward azimuth, exterior and party areas."""
        from twin.scene.spatial import facade_table

        key = "buildings:geom:facades"
        if key not in self._cache:
            self._cache[key] = facade_table(self.buildings, self.footprints(), self._shared()[3])
        return self._cache[key]

    def facade_horizons(self, *, n_sectors: int = 36, max_distance_m: float = 100.0, height_fraction: float = 0.5) -> np.ndarray:
        """Obstruction angles (degrees) of every facade (rows of :meth:`facades`) per sector.

        Array of shape (n_facades, n_sectors), cached until building geometry or heights
        change; see :meth:`horizon_profile` for the observer and sector conventions.
        """
        key = f"buildings:geom:horizon:{n_sectors}:{max_distance_m}:{height_fraction}"
        if key not in self._cache:
            mask = np.ones(len(self.facades()), dtype=bool)
            self._cache[key] = self._horizons(mask, n_sectors, max_distance_m, height_fraction)
        return self._cache[key]

    def _horizons(self, mask: np.ndarray, n_sectors: int, max_distance_m: float, height_fraction: float) -> np.ndarray:
        from twin.scene.footprints import facade_observer_xy
        from twin.scene.spatial import horizon_for_points

        fac = self.facades()[mask]
        b = self.buildings
        ground = b["ground_z_m"].to_numpy(dtype=float)
        height = b["height_m"].to_numpy(dtype=float)
        bi = fac["building_index"].to_numpy()
        obs = np.column_stack([facade_observer_xy(fac), ground[bi] + height_fraction * height[bi]])
        return horizon_for_points(
            obs, bi.astype(np.int64), self.footprints(), self.index("buildings"), ground + height,
            n_sectors=n_sectors, max_distance_m=max_distance_m,
        )

    def horizon_profile(
        self,
        building_id: str | None = None,
        *,
        n_sectors: int = 36,
        max_distance_m: float = 100.0,
        height_fraction: float = 0.5,
    ) -> pd.DataFrame:
        """Obstruction (horizon) elevation angles seen from facade midpoints.

        Each facade (footprint edge) is observed from its midpoint, moved 0.1 m outward, at
        ``height_fraction`` of its building's height. Returns one row per facade with
        ``building_id``, ``azimuth_deg`` (of the facade) and one column per sector
        ``h_000``, ``h_010``, ... (elevation angle in degrees of the obstruction seen in the
        sector centred on that azimuth; 0 = free horizon).
        """
        fac = self.facades()
        if building_id is None:
            angles = self.facade_horizons(n_sectors=n_sectors, max_distance_m=max_distance_m, height_fraction=height_fraction)
        else:
            mask = (fac["building_id"] == building_id).to_numpy()
            if not mask.any():
                self._building_index(building_id)  # raises for an unknown id
            fac = fac[mask]
            angles = self._horizons(mask, n_sectors, max_distance_m, height_fraction)
        width = 360.0 / n_sectors
        cols = {f"h_{int(round(k * width)):03d}": angles[:, k] for k in range(n_sectors)}
        out = pd.DataFrame({"building_id": fac["building_id"].to_numpy(), "azimuth_deg": fac["azimuth_deg"].to_numpy(), **cols})
        return out
