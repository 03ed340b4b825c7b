"""Soil grid of a district: raster cells, their cover (roofs, sealed, open ground, permeable
paving, green roofs) and the soil columns that represent the unsealed parts.

Cover of a cell
---------------
Each cell of ``cell_size_m`` is sampled on ``subsamples x subsamples`` points. A point takes,
in this order (the scenario runner's soil adapter uses this grid for both of its methods):

1. a building footprint (``scene.buildings``): roof, sealed; a share ``green_roof_share`` of
   every roof is a green roof (a column of substrate draining to the roof gutter);
2. a street (``scene.links``): sealed; the two directions of a link are one surface, buffered to
   ``lanes x lane_width_m`` (paths, footways, steps, cycleways: ``path_width_m``);
3. a land-cover polygon (``scene.landcover``, the smallest one holding the point): its
   ``sealed_fraction`` is sealed and the rest open ground; for the classes in
   ``permeable_paving_classes`` the sealed part is permeable paving instead;
4. else ``default_sealed_fraction`` (unmapped yards and pavements).

The cell's fractions are the means over its points. Sealed surfaces (roofs other than green
roofs, streets, sealed land cover) shed all rain; a share ``runon_fraction`` of that runoff is
spread over the open ground of the cell and its eight neighbours, in proportion to their open
ground area (cells without open ground nearby keep it as runoff).

Columns
-------
Every cell with open ground gets a ground column (the soil texture of ``scene.soil`` at the
cell centre, else ``texture``; ``depth_m`` deep, nodes every ``dz_m``; van Genuchten-Mualem with
the air-entry head ``air_entry_m``, -2 cm by default as HYDRUS offers, because without it the
conductivity of fine textures collapses within micrometres of saturation and a storm on clay
stalls any solver); cells with permeable
paving a paving column (``paving_depth_m`` of ``paving_texture`` over the native soil); cells
with green roofs a green-roof column (``green_roof_depth_m`` of ``green_roof_texture``). All
drain freely at the bottom; a column stands for its area (m2) in the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator

from twin.errors import InputError
from twin.soil.hydraulics import SoilMaterial, texture_material
from twin.soil.solver import Profile, layered_profile

if TYPE_CHECKING:
    import geopandas as gpd

PATH_CLASSES = ("footway", "path", "steps", "pedestrian", "cycleway", "track", "bridleway")
KIND_GROUND = 0
KIND_PAVING = 1
KIND_GREEN_ROOF = 2
KINDS = ("ground", "paving", "green_roof")


class GridOptions(BaseModel):
    """How the district is rasterised and which soil columns stand for it."""

    model_config = ConfigDict(extra="forbid")

    cell_size_m: float = Field(2.0, gt=0)
    bounds: tuple[float, float, float, float] | None = Field(None, description="xmin, ymin, xmax, ymax in the scene CRS")
    subsamples: int = Field(2, ge=1, le=10, description="sample points per cell side")
    lane_width_m: float = Field(3.0, gt=0)
    path_width_m: float = Field(2.0, gt=0)
    default_sealed_fraction: float = Field(0.5, ge=0, le=1)
    texture: str = Field("Silt Loam", description="soil texture where the scene has no soil polygon (Brussels loess)")
    depth_m: float = Field(1.0, gt=0)
    dz_m: float = Field(0.02, gt=0)
    green_roof_share: float = Field(0.0, ge=0, le=1)
    green_roof_depth_m: float = Field(0.1, gt=0)
    green_roof_texture: str = "Loamy Sand"
    permeable_paving_classes: list[str] = Field(default_factory=list)
    paving_depth_m: float = Field(0.1, gt=0)
    paving_texture: str = "Sand"
    runoff_to_neighbours: float = Field(0.0, ge=0, le=1, description="share of sealed runoff spread over nearby open ground")
    air_entry_m: float = Field(-0.02, le=0, description="van Genuchten air-entry head of the textures (HYDRUS's -2 cm; 0: original model)")
    initial_head_m: float = Field(-1.0, lt=0)

    @field_validator("bounds")
    @classmethod
    def _box(cls, value):
        """Finite bounds with xmin < xmax and ymin < ymax (inverted or flat bounds gridded one cell)."""
        if value is None:
            return value
        x0, y0, x1, y1 = value
        if not all(np.isfinite(v) for v in value):
            raise ValueError(f"bounds must be finite numbers xmin, ymin, xmax, ymax, got {list(value)}")
        if not (x0 < x1 and y0 < y1):
            raise ValueError(f"bounds must be xmin, ymin, xmax, ymax with xmin < xmax and ymin < ymax, got {list(value)}")
        return value


@dataclass
class SoilGrid:
    """The raster and its columns (see the module docstring).

    Cell arrays are (ny, nx), row 0 at the south (``y`` increasing). Column arrays are (n_col,).
    """

    x: np.ndarray
    y: np.ndarray
    cell_size_m: float
    crs: object
    roof: np.ndarray
    green_roof: np.ndarray
    sealed: np.ndarray
    paving: np.ndarray
    ground: np.ndarray
    texture: np.ndarray
    runon_in_m3_per_m: np.ndarray  # (ny, nx) run-on the cell's open ground receives per metre of rain
    col_cell: np.ndarray
    col_kind: np.ndarray
    col_area_m2: np.ndarray
    col_profile: np.ndarray
    col_rain_factor: np.ndarray
    profiles: list[Profile]
    materials: list[SoilMaterial]
    runon_out_share: np.ndarray = field(default=None)  # (ny, nx) share of the shed rain spread to open ground
    options: GridOptions | None = None
    ground_by_class: dict[str, np.ndarray] = field(default_factory=dict)  # land-cover class -> (ny, nx) open-ground fraction
    sealed_by_class: dict[str, np.ndarray] = field(default_factory=dict)  # land-cover class -> (ny, nx) sealed (not roof, not street)
    paving_by_class: dict[str, np.ndarray] = field(default_factory=dict)  # land-cover class -> (ny, nx) permeable paving

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.y), len(self.x)

    @property
    def cell_area_m2(self) -> float:
        return self.cell_size_m**2

    @property
    def shed(self) -> np.ndarray:
        """Fraction of each cell that sheds all its rain (roofs other than green, sealed)."""
        return self.roof - self.green_roof + self.sealed

    def cells_in(self, geometry) -> np.ndarray:
        """Flat indices of the cells whose centre lies in ``geometry`` (scene CRS)."""
        gx, gy = np.meshgrid(self.x, self.y)
        pts = shapely.points(gx.ravel(), gy.ravel())
        return np.flatnonzero(shapely.contains(geometry, pts))


def grid_extent(scene, options: GridOptions | None = None) -> tuple[float, float, float, float]:
    """Bounds (xmin, ymin, xmax, ymax) the grid covers: ``options.bounds``, else the scene's
    sites, else the bounding box of its buildings and land cover.

    Raises
    ------
    InputError
        Nothing to grid (field ``bounds``).
    """
    options = options or GridOptions()
    if options.bounds is not None:
        check_bounds_hold_the_scene(scene, options.bounds)
        return options.bounds
    if len(scene.sites):
        return tuple(shapely.total_bounds(np.asarray(scene.sites.geometry.values)))
    parts = [np.asarray(f.geometry.values) for f in (scene.buildings, scene.landcover) if len(f)]
    if not parts:
        raise InputError("the scene has no buildings, land cover or sites to grid", field="bounds")
    return tuple(shapely.total_bounds(np.concatenate(parts)))


def check_bounds_hold_the_scene(scene, bounds, *, field: str = "grid.bounds") -> None:
    """Raise InputError (field ``field``: ``grid.bounds`` of a soil YAML, ``soil.bounds`` of a
    scenario) when the given grid ``bounds`` meet no building, link, land cover or site of
    ``scene``: the grid would be default open ground, computed without a word (bounds in another
    CRS, or digits swapped)."""
    geoms = [np.asarray(f.geometry.values) for f in (scene.buildings, scene.links, scene.landcover, scene.sites) if len(f)]
    if not geoms:
        return
    box = shapely.box(*bounds)
    tree = shapely.STRtree(np.concatenate(geoms))
    if len(tree.query(box, predicate="intersects")) == 0:
        sx0, sy0, sx1, sy1 = shapely.total_bounds(np.concatenate(geoms))
        raise InputError(
            f"the grid bounds {[float(b) for b in bounds]} hold no building, street, land cover or site of the scene "
            f"(it lies within x {sx0:.0f}..{sx1:.0f}, y {sy0:.0f}..{sy1:.0f} in {scene.crs.to_string()}): the grid would be "
            "default open ground; give bounds in the scene CRS over the district",
            field=field,
        )


def check_map_covers_grid(hit: np.ndarray, geoms, grid, *, what: str, path=None, field: str | None = None) -> None:
    """Raise when no cell centre of ``grid`` lies in a polygon of a map layer (``hit`` from
    :func:`_smallest_hit`, all -1): the map would change nothing (water table) or gather cells it
    does not cover (sewer catchments take the cells outside them), e.g. a map of another place or
    in another CRS."""
    if len(hit) and np.all(hit < 0):
        gx0, gy0, gx1, gy1 = grid.x.min(), grid.y.min(), grid.x.max(), grid.y.max()
        mx0, my0, mx1, my1 = shapely.total_bounds(np.asarray(geoms)) if len(geoms) else (np.nan,) * 4
        raise InputError(
            f"the {what} covers no cell of the soil grid (its polygons lie within x {mx0:.0f}..{mx1:.0f}, y {my0:.0f}..{my1:.0f}; "
            f"the cell centres within x {gx0:.0f}..{gx1:.0f}, y {gy0:.0f}..{gy1:.0f}): it is of another place or CRS",
            path=path, field=field,
        )


def _smallest_hit(points, geoms) -> np.ndarray:
    hit = np.full(len(points), -1, dtype=np.int64)
    if len(geoms) == 0 or len(points) == 0:
        return hit
    tree = shapely.STRtree(geoms)
    pi, gi = tree.query(points, predicate="within")
    if len(pi) == 0:
        return hit
    order = np.lexsort((shapely.area(geoms)[gi], pi))
    pi, gi = pi[order], gi[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    hit[pi[first]] = gi[first]
    return hit


def read_polygon_layer(source, *, what: str, max_bytes: int, file_what: str | None = None) -> tuple[gpd.GeoDataFrame, Path | None]:
    """A polygon layer given as a GeoDataFrame or as a GeoJSON / GeoPackage file.

    Parameters
    ----------
    source
        A GeoDataFrame (returned as is), or a path to a ``.geojson``, ``.json`` or ``.gpkg``
        file of at most ``max_bytes`` bytes.
    what
        What the layer is, in the message of an unreadable file ("water-table map").
    max_bytes
        Largest file accepted, bytes.
    file_what
        What the file is, in the messages of the file checks (default: ``what``).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        The layer (not reprojected, not checked beyond reading).
    path : pathlib.Path or None
        The file read (None for a GeoDataFrame), for the caller's error messages.

    Raises
    ------
    InputError
        A missing, empty, oversized or wrongly named file (:func:`twin.io.paths.check_input_file`),
        or one the reader cannot read (its first line of explanation).
    """
    import geopandas as gpd

    if isinstance(source, gpd.GeoDataFrame):
        return source, None
    from twin.io.gdal_env import gdal_reads
    from twin.io.paths import check_input_file

    path = Path(source)
    # a 0-byte file: GDAL would say 'not recognized as being in a supported file format'
    check_input_file(path, suffixes=(".geojson", ".json", ".gpkg"), max_bytes=max_bytes, what=file_what or what, refuse_empty=True)
    try:
        with gdal_reads():  # GDAL (pyogrio's, whose settings gdal_reads sets) writes no .aux.xml beside the user's file
            gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
        raise InputError(f"cannot read the {what}: {exc}".splitlines()[0], path=path) from None
    return gdf, path


def _any_hit(points, geoms) -> np.ndarray:
    hit = np.zeros(len(points), dtype=bool)
    if len(geoms) == 0 or len(points) == 0:
        return hit
    tree = shapely.STRtree(geoms)
    pi, _ = tree.query(points, predicate="intersects")
    hit[pi] = True
    return hit


def _street_surfaces(scene, options: GridOptions):
    links = scene.links
    if len(links) == 0:
        return np.array([], dtype=object)
    geoms = np.asarray(links.geometry.values)
    key = shapely.to_wkb(shapely.normalize(geoms))
    road = links[~pd.Series(key).duplicated().to_numpy()]
    path = road["road_class"].isin(PATH_CLASSES).to_numpy() if "road_class" in road else np.zeros(len(road), bool)
    lanes = np.maximum(road["lanes"].to_numpy(dtype=float), 1.0)
    width = np.where(path, options.path_width_m, lanes * options.lane_width_m)
    return shapely.buffer(np.asarray(road.geometry.values), width / 2.0, cap_style="flat")


def _cell_textures(scene, x: np.ndarray, y: np.ndarray, texture: str) -> np.ndarray:
    """Texture of each cell (ny, nx, object): the smallest ``scene.soil`` polygon holding the cell
    centre, else ``texture`` (the unmapped ground)."""
    tex = np.full((len(y), len(x)), texture, dtype=object)
    if len(scene.soil):
        gx, gy = np.meshgrid(x, y)
        hit = _smallest_hit(shapely.points(gx.ravel(), gy.ravel()), np.asarray(scene.soil.geometry.values))
        textures = scene.soil["texture"].astype(str).to_numpy()
        flat = tex.ravel()
        flat[hit >= 0] = textures[hit[hit >= 0]]
        tex = flat.reshape(len(y), len(x))
    return tex


def _column_profiles(options: GridOptions, table, flat_tex: np.ndarray,
                     kind_cells: list[tuple[int, np.ndarray]]) -> tuple[list[Profile], list[SoilMaterial], dict[tuple[int, str], int]]:
    """The profiles and materials of the columns, in the order :func:`build_grid` numbers them:
    kinds in the order of ``kind_cells`` ((kind, flat indices of the cells with a column of that
    kind)), the textures of each kind's cells in sorted order; materials in order of first use.

    Returns
    -------
    (profiles, materials, {(kind, cell texture): profile index})

    Raises
    ------
    InputError
        Unknown texture (the texture named, field ``texture``, ``paving_texture`` or
        ``green_roof_texture``).
    """
    materials: list[SoilMaterial] = []
    mat_index: dict[str, int] = {}

    def mat(name: str, field_name: str) -> int:
        if name not in mat_index:
            try:
                materials.append(texture_material(name, table).with_air_entry(options.air_entry_m))
            except InputError as exc:
                raise InputError(exc.message, obj=name, field=field_name) from None
            mat_index[name] = len(materials) - 1
        return mat_index[name]

    profiles: list[Profile] = []
    prof_index: dict[tuple[int, str], int] = {}
    for kind, cells in kind_cells:
        for t in np.unique(flat_tex[cells]):
            texture = str(t)
            if kind == KIND_GROUND:
                layers = [(0.0, options.depth_m, mat(texture, "texture"))]
                dz = options.dz_m
            elif kind == KIND_PAVING:
                top = min(options.paving_depth_m, 0.5 * options.depth_m)
                layers = [(0.0, top, mat(options.paving_texture, "paving_texture")),
                          (top, options.depth_m, mat(texture, "texture"))]
                dz = options.dz_m
            else:
                layers = [(0.0, options.green_roof_depth_m, mat(options.green_roof_texture, "green_roof_texture"))]
                dz = min(options.dz_m, options.green_roof_depth_m / 5)
            profiles.append(layered_profile(layers, dz_m=dz))
            prof_index[(kind, texture)] = len(profiles) - 1
    return profiles, materials, prof_index


def build_grid(scene, options: GridOptions | None = None, *, table: dict[str, SoilMaterial] | None = None) -> SoilGrid:
    """Rasterise ``scene`` into cells and soil columns (see the module docstring).

    Parameters
    ----------
    scene
        A :class:`twin.scene.Scene` with buildings, links, land cover (and optionally soil, sites).
    options
        :class:`GridOptions`.
    table
        Texture table (default Carsel & Parrish 1988).

    Raises
    ------
    InputError
        Unknown texture (field ``texture``), nothing to grid.
    """
    options = options or GridOptions()
    xmin, ymin, xmax, ymax = grid_extent(scene, options)
    size = options.cell_size_m
    if size > max(xmax - xmin, ymax - ymin):
        raise InputError(f"a cell of {size:g} m is larger than the district it grids ({xmax - xmin:,.0f} m x {ymax - ymin:,.0f} m): "
                         f"its one cell would reach beyond it and count rain, runoff and evaporation over {size * size:,.3g} m2; "
                         "give a cell smaller than the district", field="grid.cell_size_m")
    nx = max(1, int(np.ceil((xmax - xmin) / size - 1e-9)))
    ny = max(1, int(np.ceil((ymax - ymin) / size - 1e-9)))
    x = xmin + (np.arange(nx) + 0.5) * size
    y = ymin + (np.arange(ny) + 0.5) * size
    s = options.subsamples
    off = (np.arange(s) + 0.5) / s * size - size / 2
    px = (x[None, :, None, None] + off[None, None, None, :]) + 0 * y[:, None, None, None]
    py = (y[:, None, None, None] + off[None, None, :, None]) + 0 * x[None, :, None, None]
    px, py = np.broadcast_arrays(px, py)
    points = shapely.points(px.ravel(), py.ravel())  # order: (iy, ix, sy, sx)
    n_pts = len(points)

    roof = np.zeros(n_pts)
    sealed = np.zeros(n_pts)
    paving = np.zeros(n_pts)
    ground = np.zeros(n_pts)
    free = np.ones(n_pts, dtype=bool)
    if len(scene.buildings):
        is_roof = _any_hit(points, np.asarray(scene.buildings.geometry.values))
        roof[is_roof] = 1.0
        free &= ~is_roof
    streets = _street_surfaces(scene, options)
    if len(streets):
        idx = np.flatnonzero(free)
        on = _any_hit(points[idx], streets)
        sealed[idx[on]] = 1.0
        free[idx[on]] = False
    idx = np.flatnonzero(free)
    frac = np.full(len(idx), options.default_sealed_fraction)
    perm = np.zeros(len(idx), dtype=bool)
    point_class = np.full(len(idx), -1, dtype=np.int64)  # land-cover class of each free point (-1: none)
    class_names: list[str] = []
    lc = scene.landcover
    if len(lc) and len(idx):
        hit = _smallest_hit(points[idx], np.asarray(lc.geometry.values))
        ok = hit >= 0
        frac[ok] = lc["sealed_fraction"].to_numpy(dtype=float)[hit[ok]]
        classes = lc["cover_class"].astype(str).to_numpy() if "cover_class" in lc else np.full(len(lc), "landcover")
        class_names, class_index = np.unique(classes, return_inverse=True)
        class_names = [str(c) for c in class_names]
        point_class[ok] = np.asarray(class_index).reshape(-1)[hit[ok]]
        if options.permeable_paving_classes:
            perm[ok] = np.isin(classes[hit[ok]], options.permeable_paving_classes)
    if options.permeable_paving_classes:  # a class no point of the grid falls in would change nothing
        present = set(classes[hit[ok]].tolist()) if len(lc) and len(idx) else set()
        missing = [c for c in options.permeable_paving_classes if c not in present]
        if missing:
            raise InputError(f"land-cover class {missing[0]!r} of permeable_paving_classes covers no cell of the grid "
                             f"(classes in the grid: {', '.join(sorted(present)) or 'none'}): it would change nothing",
                             field="grid.permeable_paving_classes")
    sealed[idx] = np.where(perm, 0.0, frac)
    paving[idx] = np.where(perm, frac, 0.0)
    ground[idx] = 1.0 - frac

    def cell_mean(a):
        return a.reshape(ny, nx, s * s).mean(axis=2)

    roof_c, sealed_c, paving_c, ground_c = (cell_mean(a) for a in (roof, sealed, paving, ground))
    green_c = roof_c * options.green_roof_share

    # open ground, sealed and paved fractions per land-cover class ("_unmapped_": no polygon)
    by_class: dict[str, dict[str, np.ndarray]] = {"ground": {}, "sealed": {}, "paving": {}}
    for c, name in [(-1, "_unmapped_")] + list(enumerate(class_names)):
        on = np.zeros(n_pts, dtype=bool)
        on[idx[point_class == c]] = True
        if not on.any():
            continue
        for key, arr in (("ground", ground), ("sealed", sealed), ("paving", paving)):
            part = cell_mean(np.where(on, arr, 0.0))
            if part.any():
                by_class[key][name] = part

    tex = _cell_textures(scene, x, y, options.texture)

    # run-on: a share of each cell's shed water goes to the open ground of its 3 x 3 block
    shed_c = roof_c - green_c + sealed_c
    area = size * size
    a_ground = ground_c * area
    neigh = _box_sum(a_ground)  # open ground within reach of each cell
    rho = options.runoff_to_neighbours
    spread = np.where(neigh > 0, rho, 0.0)  # cells with no open ground nearby keep their runoff
    # volume per unit rain depth sent from each cell, divided over the reach in proportion to ground area
    sent = spread * shed_c * area
    per_ground = np.divide(sent, neigh, out=np.zeros_like(sent), where=neigh > 0)
    received = _box_sum(per_ground) * a_ground  # per unit rain depth, m3 per m of rain
    factor = 1.0 + np.divide(received, a_ground, out=np.zeros_like(received), where=a_ground > 0)

    flat_tex = tex.ravel()
    fracs = ((KIND_GROUND, ground_c), (KIND_PAVING, paving_c), (KIND_GREEN_ROOF, green_c))
    kind_cells = [(kind, np.flatnonzero(frac_c.ravel() > 1e-12)) for kind, frac_c in fracs]
    profiles, materials, prof_index = _column_profiles(options, table, flat_tex, kind_cells)
    cols_cell, cols_kind, cols_area, cols_prof, cols_factor = [], [], [], [], []
    for (kind, frac_c), (_, cells) in zip(fracs, kind_cells, strict=True):
        for t in np.unique(flat_tex[cells]):
            sel = cells[flat_tex[cells] == t]
            p = prof_index[(kind, str(t))]
            cols_cell.append(sel)
            cols_kind.append(np.full(len(sel), kind))
            cols_area.append(frac_c.ravel()[sel] * area)
            cols_prof.append(np.full(len(sel), p))
            cols_factor.append(factor.ravel()[sel] if kind == KIND_GROUND else np.ones(len(sel)))
    def cat(parts, dt):
        return np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt)

    col_cell = cat(cols_cell, np.int64)
    order = np.argsort(col_cell, kind="stable")
    return SoilGrid(
        x=x, y=y, cell_size_m=size, crs=scene.crs, roof=roof_c, green_roof=green_c, sealed=sealed_c, paving=paving_c,
        ground=ground_c, texture=tex, runon_in_m3_per_m=received, col_cell=col_cell[order],
        col_kind=cat(cols_kind, np.int64)[order], col_area_m2=cat(cols_area, float)[order],
        col_profile=cat(cols_prof, np.int64)[order], col_rain_factor=cat(cols_factor, float)[order],
        profiles=profiles, materials=materials, runon_out_share=spread, options=options,
        ground_by_class=by_class["ground"], sealed_by_class=by_class["sealed"], paving_by_class=by_class["paving"],
    )


def with_unmapped_texture(grid: SoilGrid, texture: str, scene, *, table: dict[str, SoilMaterial] | None = None) -> SoilGrid:
    """``grid`` with another texture on the ground without a soil polygon: equal, field by field,
    to :func:`build_grid` of ``scene`` with ``options.texture = texture``, without rasterising the
    scene again.

    The texture of the unmapped ground sets the cells' texture, the soil profiles and materials
    and each column's profile; the cover fractions, run-on and which cells have which kinds of
    columns (hence ``col_cell``, ``col_kind``, ``col_area_m2``, ``col_rain_factor`` and their
    order) do not depend on it. Only those are recomputed (the soil polygons at the cell centres,
    then the profiles in :func:`build_grid`'s numbering).

    Parameters
    ----------
    grid
        A grid as :func:`build_grid` returned it for ``scene`` (not changed afterwards, e.g. by
        per-building green roofs: apply those to the result).
    texture
        Texture of the ground without a soil polygon.
    scene
        The scene ``grid`` was built from (its ``soil`` polygons keep their texture).
    table
        The texture table ``grid`` was built with (default Carsel & Parrish 1988).

    Returns
    -------
    SoilGrid
        A new grid (``grid`` is not changed; the arrays that do not depend on the texture are shared).

    Raises
    ------
    InputError
        Unknown texture (field ``texture``).
    ValueError
        ``grid`` has no options (not from :func:`build_grid`).
    """
    import dataclasses

    if grid.options is None:
        raise ValueError("the grid has no options: build it with build_grid")
    options = grid.options.model_copy(update={"texture": texture})
    tex = _cell_textures(scene, grid.x, grid.y, texture)
    flat_tex = tex.ravel()
    kind_cells = [(kind, grid.col_cell[grid.col_kind == kind]) for kind in (KIND_GROUND, KIND_PAVING, KIND_GREEN_ROOF)]
    profiles, materials, prof_index = _column_profiles(options, table, flat_tex, kind_cells)
    col_tex = flat_tex[grid.col_cell]
    col_profile = np.zeros(len(grid.col_cell), dtype=np.int64)
    for (kind, t), p in prof_index.items():
        col_profile[(grid.col_kind == kind) & (col_tex == t)] = p
    return dataclasses.replace(grid, texture=tex, col_profile=col_profile, profiles=profiles, materials=materials, options=options)


def _box_sum(a: np.ndarray) -> np.ndarray:
    """Sum over the 3 x 3 block around each cell (edges: the cells that exist)."""
    p = np.pad(a, 1)
    out = np.zeros_like(a)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            out += p[dy : dy + a.shape[0], dx : dx + a.shape[1]]
    return out
