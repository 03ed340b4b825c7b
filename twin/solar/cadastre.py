"""The solar cadastre of a scene: irradiation of every roof (and, on request, facade and ground),
PV yield, suitability class, cost and payback, as GeoParquet layers.

>>> cad = solar_cadastre(scene, weather)                    # doctest: +SKIP
>>> cad.surfaces[["building_id", "irradiation_kwh_m2_year", "suitability", "pv_kwp"]]  # doctest: +SKIP
>>> cad.save("solar_results")                               # doctest: +SKIP

Steps (timed in ``meta['times_s']``): surfaces (footprints with roof shapes, or the 3-D
surfaces of a CityJSON file), triangles and the ray-casting grid, sensors, sky, irradiation
(:mod:`twin.solar.irradiance`), PV layout and yield (:mod:`twin.solar.pv`), tables.

Suitability classes follow the three classes of the Brussels solar map (cartesolaire.brussels,
Bruxelles Environnement 2018: excellent / good / weak potential, shown green / yellow / blue),
plus ``unsuitable`` where no module fits. The map's thresholds are not published in the
sources we read; ours compare the surface's specific PV yield (kWh/kWp, shading included)
with that of the best unshaded orientation at the site: excellent >= 90 %, good >= 75 %,
weak below.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from twin.io.cityjson_document import CITYJSON_SUFFIXES
from twin.solar.pv import PVParameters, economics, normal_of, orientation_yield, site_optimum_kwh_m2
from twin.solar.surfaces import Mesh, Surfaces, contains_points, triangulate

#: Suitability classes: (name, lowest share of the site's best specific yield).
SUITABILITY = (("excellent", 0.90), ("good", 0.75), ("weak", 0.0))
SUITABILITY_RANK = {"excellent": 3, "good": 2, "weak": 1, "unsuitable": 0}

#: Largest ground area ``surfaces=('ground',)`` may cover, m2 (a district, not a region).
MAX_GROUND_AREA_M2 = 4e6

OUTPUT_MARKERS = ("solar_summary.json",)


@dataclass(frozen=True)
class CadastreOptions:
    """Options of :func:`solar_cadastre`.

    spacing_m : sensor grid spacing on every surface, m.
    method : ``exact`` (a sun ray per sensor and hour) or ``horizon`` (horizon profiles; regions).
    n_sectors : horizon sectors (default 72 exact, 36 horizon).
    max_distance_m : obstructions are looked for this far, m.
    max_sensors_per_surface : cap per surface (larger surfaces get a coarser grid); None: no cap.
    kinds : surfaces that get sensors: any of ``roof``, ``wall``, ``ground``.
    roof_default, pitched_roof_height_m : roofs of footprints (:mod:`twin.solar.footprints`).
    albedo : ground reflectance.
    cell_m : grid cell of the ray caster, m.
    pv : PV parameters.
    """

    spacing_m: float = 1.0
    method: str = "exact"
    n_sectors: int | None = None
    max_distance_m: float = 200.0
    max_sensors_per_surface: int | None = None
    kinds: tuple[str, ...] = ("roof",)
    roof_default: str = "flat"
    pitched_roof_height_m: float = 3.0
    albedo: float = 0.2
    cell_m: float = 8.0
    pv: PVParameters = field(default_factory=PVParameters)

    def check(self) -> CadastreOptions:
        from twin.errors import InputError
        from twin.solar.footprints import SHAPES
        from twin.solar.irradiance import METHODS

        def bad(name, msg):
            raise InputError(msg, field=name)

        if not (isinstance(self.spacing_m, (int, float)) and math.isfinite(self.spacing_m) and 0.1 <= self.spacing_m <= 100):
            bad("spacing_m", f"sensor spacing must be between 0.1 and 100 m, not {self.spacing_m!r}")
        if self.method not in METHODS:
            bad("method", f"unknown method {self.method!r}; expected one of {', '.join(METHODS)}")
        if self.n_sectors is not None and not (isinstance(self.n_sectors, int) and 4 <= self.n_sectors <= 720):
            bad("n_sectors", f"horizon sectors must be a whole number from 4 to 720, not {self.n_sectors!r}")
        if not (math.isfinite(self.max_distance_m) and 1 <= self.max_distance_m <= 10_000):
            bad("max_distance_m", f"search distance must be between 1 and 10000 m, not {self.max_distance_m!r}")
        if self.max_sensors_per_surface is not None and not (isinstance(self.max_sensors_per_surface, int) and self.max_sensors_per_surface >= 1):
            bad("max_sensors_per_surface", f"must be a positive whole number, not {self.max_sensors_per_surface!r}")
        unknown = [k for k in self.kinds if k not in ("roof", "wall", "ground")]
        if unknown or not self.kinds:
            bad("kinds", f"surfaces must be among roof, wall, ground, not {list(self.kinds)!r}")
        if self.roof_default not in SHAPES:
            bad("roof_default", f"unknown roof shape {self.roof_default!r}; expected one of {', '.join(SHAPES)}")
        if not (math.isfinite(self.pitched_roof_height_m) and 0 <= self.pitched_roof_height_m <= 30):
            bad("pitched_roof_height_m", f"must be between 0 and 30 m, not {self.pitched_roof_height_m!r}")
        if not (math.isfinite(self.albedo) and 0 <= self.albedo <= 1):
            bad("albedo", f"must be between 0 and 1, not {self.albedo!r}")
        if not (math.isfinite(self.cell_m) and 0.5 <= self.cell_m <= 1000):
            bad("cell_m", f"must be between 0.5 and 1000 m, not {self.cell_m!r}")
        self.pv.check()
        return self


@dataclass
class Cadastre:
    """Result of :func:`solar_cadastre`.

    surfaces : GeoDataFrame, one row per surface with sensors (plan polygon of roofs, footprint
        edge of walls).
    buildings : DataFrame, one row per building (sums over its roofs).
    ground : GeoDataFrame of ground sensor points (empty unless asked).
    problems : DataFrame ``building_id``, ``surface``, ``problem`` (bad input, per building).
    meta : dict (site optimum, thresholds, counts, step times; ``roof_shape_sources``: buildings whose
        roof shape came from the data, from ``roof_default`` or was approximated as flat).
    """

    surfaces: pd.DataFrame
    buildings: pd.DataFrame
    ground: pd.DataFrame
    problems: pd.DataFrame
    meta: dict

    def save(self, out: str | os.PathLike[str], *, format: str = "parquet") -> list[Path]:
        """Write ``surfaces``, ``buildings``, ``problems`` (and ``ground``) and ``solar_summary.json``
        into folder ``out``, staged and swapped in whole."""
        from twin.io.json_out import to_json_text
        from twin.io.staged import staged_dir

        out = Path(out)
        written = []
        with staged_dir(out, owned=OUTPUT_MARKERS, field="--out") as tmp:
            for name, frame in (("surfaces", self.surfaces), ("buildings", self.buildings), ("problems", self.problems),
                                ("ground", self.ground)):
                if name == "ground" and len(frame) == 0:
                    continue
                written.append(_write(tmp, name, frame, format))
            (tmp / "solar_summary.json").write_text(to_json_text(self.meta), encoding="utf-8")
            written.append("solar_summary.json")
        return [out / n for n in written]


def _write(folder: Path, name: str, frame: pd.DataFrame, fmt: str) -> str:
    import geopandas as gpd

    if fmt == "csv":
        f = pd.DataFrame(frame).copy()
        if "geometry" in f:
            f["geometry"] = shapely.to_wkt(np.asarray(f["geometry"].values, dtype=object), rounding_precision=3)
        f.to_csv(folder / f"{name}.csv", index=False)
        return f"{name}.csv"
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    else:
        pd.DataFrame(frame).to_parquet(folder / f"{name}.parquet", index=False)
    return f"{name}.parquet"


# ----------------------------------------------------------------------------- geometry
def scene_mesh(source, options: CadastreOptions, *, crs=None) -> tuple[Mesh, object]:
    """The :class:`Mesh` of a scene / buildings table (footprints) or of a CityJSON file, and its CRS.

    Walls of flat-roofed footprints are triangles only (no surface) unless ``options.kinds``
    asks for walls.
    """
    extra_tri = np.zeros((0, 3, 3))
    extra_b = np.zeros(0, dtype=np.int64)
    if isinstance(source, (str, os.PathLike)) and str(source).lower().endswith(CITYJSON_SUFFIXES):
        from twin.solar.cityjson_surfaces import cityjson_surfaces

        surfaces, ids, problems, crs_ = cityjson_surfaces(source, crs=crs)
        shape_sources = {"data": len(ids), "default": 0, "approximated": 0}  # the model's own roof surfaces
    else:
        from twin.solar.footprints import footprint_surfaces, roof_shape_sources

        buildings = getattr(source, "buildings", source)
        crs_ = crs or getattr(source, "crs", None) or getattr(buildings, "crs", None)
        bare_walls = "wall" not in options.kinds
        res = footprint_surfaces(buildings, roof_default=options.roof_default, pitched_roof_height_m=options.pitched_roof_height_m,
                                 wall_triangles_only=bare_walls)
        surfaces, problems = res[0], res[1]
        if bare_walls:
            extra_tri, extra_b = res[3], res[4]
        ids = buildings["building_id"].astype(str).to_numpy()
        shape_sources = roof_shape_sources(buildings["roof_kind"] if "roof_kind" in buildings else np.full(len(ids), ""))
    tri, owner = triangulate(surfaces)
    tri_building = surfaces.building_index[owner]
    if len(extra_tri):
        tri = np.concatenate([tri, extra_tri])
        owner = np.concatenate([owner, np.full(len(extra_tri), -1, dtype=np.int64)])
        tri_building = np.concatenate([tri_building, extra_b])
    mesh = Mesh(np.ascontiguousarray(tri), owner, tri_building, surfaces, np.asarray(ids, dtype=object),
                pd.DataFrame(problems, columns=["building_id", "surface", "problem"]), shape_sources)
    return mesh, crs_


# ----------------------------------------------------------------------------- the cadastre
def solar_cadastre(source, weather, options: CadastreOptions = CadastreOptions(), *, crs=None, progress=None,
                   weather_field: str | None = None) -> Cadastre:
    """Irradiation, PV yield and suitability of every roof (and asked surfaces) of ``source``.

    Parameters
    ----------
    source : Scene, buildings GeoDataFrame (footprints, ``height_m``, optional ``roof_kind``) or
        a CityJSON file path (its LoD2 / LoD1 surfaces).
    weather : :class:`twin.ingest.epw.Weather`.
    options : :class:`CadastreOptions`.
    crs : CRS of a CityJSON file without one, or of a bare table.
    progress : show progress bars on stderr (steps over 2 s).
    weather_field : when given (the option that named the weather, e.g. ``--weather``), a weather
        file more than :data:`twin.io.weather_site.MAX_WEATHER_DISTANCE_KM` from the centre of the
        surfaces is an InputError naming it, raised once the surfaces are read, before any
        irradiation is computed.
    """
    import os as _os

    from twin.solar.grid import SceneGrid
    from twin.solar.irradiance import sensor_irradiance
    from twin.solar.progress import Steps
    from twin.solar.sensors import surface_sensors
    from twin.solar.sky import solar_sky

    options.check()
    steps = Steps(["surfaces", "grid", "sensors", "sky", "irradiation", "pv", "tables"], progress)
    try:
        with steps.step("surfaces"):
            mesh, crs = scene_mesh(source, options, crs=crs)
        if weather_field is not None and len(mesh.tri):
            from twin.io.weather_site import check_weather_near, lonlat_of

            xy = mesh.tri[..., :2].reshape(-1, 2)
            centre = lonlat_of(*(0.5 * (xy.min(axis=0) + xy.max(axis=0))), crs)
            if centre is not None:
                check_weather_near(weather, centre, field=weather_field)
        s = mesh.surfaces
        with steps.step("sensors"):
            planar = s.planar_error_m <= _planarity_tol()
            want = np.isin(s.kind, [k for k in options.kinds if k != "ground"]) & planar
            sensors = surface_sensors(s, np.flatnonzero(want), options.spacing_m, max_per_surface=options.max_sensors_per_surface)
            ground_pts = _ground_points(mesh, options) if "ground" in options.kinds else np.zeros((0, 3))
        with steps.step("grid"):
            pts = np.concatenate([sensors.xyz, ground_pts]) if len(ground_pts) else sensors.xyz
            use = _obstructions(mesh, options)
            grid = SceneGrid.build(mesh.tri[use], mesh.tri_building[use], cell_m=options.cell_m, points=pts)
        with steps.step("sky"):
            sky = solar_sky(weather, albedo=options.albedo)
            h_opt, t_opt, a_opt = site_optimum_kwh_m2(sky)
        with steps.step("irradiation"):
            irr = sensor_irradiance(grid, sensors, sky, method=options.method, n_sectors=options.n_sectors,
                                    max_distance_m=options.max_distance_m, progress=progress)
            ground = None
            if len(ground_pts):
                from twin.solar.sensors import points_as_sensors

                gs = points_as_sensors(ground_pts, np.array([[0.0, 0.0, 1.0]]))
                ground = (gs, sensor_irradiance(grid, gs, sky, method=options.method, n_sectors=options.n_sectors,
                                                max_distance_m=options.max_distance_m, progress=progress))
        with steps.step("pv"):
            per_surface = _surface_table(mesh, sensors, irr, sky, options, h_opt, t_opt, a_opt)
        with steps.step("tables"):
            surfaces_gdf, buildings = _tables(mesh, per_surface, crs)
            ground_gdf = _ground_table(ground, crs)
    finally:
        steps.close()
    meta = {
        "n_buildings": int(len(mesh.building_ids)),
        "n_buildings_with_problems": int(mesh.problems["building_id"].nunique()) if len(mesh.problems) else 0,
        "n_surfaces": int(len(surfaces_gdf)),
        "n_sensors": int(len(sensors)),
        "n_triangles": int(mesh.n_triangles),
        "roof_default": options.roof_default,
        "roof_shape_sources": dict(mesh.roof_shape_sources),
        "method": options.method,
        "spacing_m": options.spacing_m,
        "max_sensors_per_surface": options.max_sensors_per_surface,
        "site_optimum_kwh_m2_year": h_opt,
        "site_optimum_tilt_deg": t_opt,
        "site_optimum_azimuth_deg": a_opt,
        "suitability_thresholds": {name: share for name, share in SUITABILITY},
        "pv_parameters": {k: v for k, v in options.pv.__dict__.items()},
        "totals": {
            "roof_area_m2": float(surfaces_gdf.loc[surfaces_gdf["kind"] == "roof", "area_m2"].sum()) if len(surfaces_gdf) else 0.0,
            "pv_kwp": float(surfaces_gdf["pv_kwp"].sum()) if len(surfaces_gdf) else 0.0,
            "pv_ac_mwh_year": float(surfaces_gdf["pv_ac_kwh_year"].sum() / 1000) if len(surfaces_gdf) else 0.0,
            "suitable_pv_kwp": float(surfaces_gdf.loc[surfaces_gdf["suitability"].isin(["excellent", "good"]), "pv_kwp"].sum()) if len(surfaces_gdf) else 0.0,
            "suitable_pv_ac_mwh_year": float(surfaces_gdf.loc[surfaces_gdf["suitability"].isin(["excellent", "good"]), "pv_ac_kwh_year"].sum() / 1000) if len(surfaces_gdf) else 0.0,
        },
        "times_s": {k: round(v, 3) for k, v in steps.times.items()},
        "load_average": list(_os.getloadavg()) if hasattr(_os, "getloadavg") else None,
        "crs": None if crs is None else str(getattr(crs, "to_string", lambda: crs)()),
    }
    return Cadastre(surfaces_gdf, buildings, ground_gdf, mesh.problems.reset_index(drop=True), meta)


def _obstructions(mesh: Mesh, options: CadastreOptions) -> np.ndarray:
    """Triangles the ray caster needs (bool mask).

    With the horizon method and sensors on roofs only, the walls of flat-roofed extrusions
    (``tri_surface == -1``) are left out: along any vertical half-plane the highest point of
    such a block is a point of its roof's cut (the wall tops are the roof's edges), so the
    horizons are the same (tested), at a third of the triangles. Sun rays (``exact``) and
    sensors below the roofs need the walls.
    """
    if options.method == "horizon" and set(options.kinds) == {"roof"}:
        return mesh.tri_surface != -1
    return np.ones(mesh.n_triangles, dtype=bool)


def _planarity_tol() -> float:
    from twin.solar.surfaces import PLANARITY_TOL_M

    return PLANARITY_TOL_M


def _ground_points(mesh: Mesh, options: CadastreOptions) -> np.ndarray:
    """Ground sensors on a grid over the scene's extent, outside the footprints."""
    from twin.errors import ResourceLimitError

    s = mesh.surfaces
    roof = s.kind == "roof"
    plans = [p for p in s.plan[roof] if p is not None]
    if not len(mesh.tri):
        return np.zeros((0, 3))
    x0, y0 = mesh.tri[:, :, 0].min(), mesh.tri[:, :, 1].min()
    x1, y1 = mesh.tri[:, :, 0].max(), mesh.tri[:, :, 1].max()
    if (x1 - x0) * (y1 - y0) > MAX_GROUND_AREA_M2:
        raise ResourceLimitError(f"ground sensors over {(x1 - x0) * (y1 - y0) / 1e6:.1f} km2: above the limit of "
                                 f"{MAX_GROUND_AREA_M2 / 1e6:g} km2 (leave 'ground' out for regions)", field="kinds")
    sp = options.spacing_m
    xs = np.arange(x0 + sp / 2, x1, sp)
    ys = np.arange(y0 + sp / 2, y1, sp)
    X, Y = np.meshgrid(xs, ys)
    x, y = X.ravel(), Y.ravel()
    if plans:
        covered = shapely.contains_xy(shapely.union_all(plans), x, y)
        x, y = x[~covered], y[~covered]
    z = float(mesh.tri[:, :, 2].min()) + 0.01
    return np.column_stack([x, y, np.full(len(x), z)])


def _surface_table(mesh: Mesh, sensors, irr, sky, options: CadastreOptions, h_opt: float, t_opt: float, a_opt: float) -> pd.DataFrame:
    """Per-surface irradiation and PV figures."""
    s = mesh.surfaces
    p = options.pv
    idx = sensors.surface_index
    n_surf = len(idx)
    counts = np.diff(sensors.offsets)
    owner = np.repeat(np.arange(n_surf), counts)
    share = sensors.area_m2
    area = s.area_m2[idx]
    mean_total = np.bincount(owner, irr.total_wh_m2 * share, n_surf) / np.maximum(area, 1e-12) / 1000.0
    mean_free = np.bincount(owner, irr.free_wh_m2 * share, n_surf) / np.maximum(area, 1e-12) / 1000.0
    svf = np.bincount(owner, irr.sky_view * share, n_surf) / np.maximum(area, 1e-12)
    tilt = s.tilt_deg[idx]
    az = s.azimuth_deg[idx]
    kind = s.kind[idx]
    roof = kind == "roof"
    flat = roof & (tilt <= p.flat_max_tilt_deg)
    # module plane: the roof's own, or the flat-roof racks
    m_tilt = np.where(flat, p.flat_roof_tilt_deg, tilt)
    m_az = np.where(flat, p.flat_roof_azimuth_deg, az)
    key = np.column_stack([np.round(m_tilt * 2) / 2, np.round(m_az) % 360, flat])
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    inv = np.asarray(inv).ravel()
    oy = orientation_yield(sky, normal_of(uniq[:, 0], uniq[:, 1]), p, flat_rack=uniq[:, 2].astype(bool))
    best = orientation_yield(sky, normal_of([t_opt], [a_opt]), p)
    ac_kwp = oy.ac_kwh_kwp[inv]
    dc_kwp = oy.dc_kwh_kwp[inv]
    # usable part: inside the setback and above the minimum irradiation
    h_min = p.min_irradiation_share * h_opt * 1000.0  # Wh/m2
    usable_poly = shapely.buffer(s.poly_uv[idx], -p.setback_m, join_style="mitre")
    in_setback = contains_points(usable_poly, owner, sensors.uv[:, 0], sensors.uv[:, 1])
    ok = in_setback & (irr.total_wh_m2 >= h_min)
    n_set = np.bincount(owner, in_setback, n_surf)
    n_ok = np.bincount(owner, ok, n_surf)
    usable_area = np.where(n_set > 0, shapely.area(usable_poly) * n_ok / np.maximum(n_set, 1), 0.0)
    usable_area = np.where(roof, usable_area, 0.0)
    tot_ok = np.bincount(owner, np.where(ok, irr.total_wh_m2, 0.0), n_surf)
    free_ok = np.bincount(owner, np.where(ok, irr.free_wh_m2, 0.0), n_surf)
    ratio = np.where(free_ok > 0, tot_ok / np.where(free_ok > 0, free_ok, 1), np.where(mean_free > 0, mean_total / np.maximum(mean_free, 1e-12), 0))
    n_mod = _layout(s, idx, usable_poly, sensors, owner, ok, flat & roof, p)
    n_mod = np.where(roof, n_mod, 0)
    kwp = n_mod * p.kwp_per_module
    ac = kwp * ac_kwp * ratio
    dc = kwp * dc_kwp * ratio * (1 - p.dc_losses)
    spec = np.where(kwp > 0, ac / np.where(kwp > 0, kwp, 1), ac_kwp * ratio)
    rel = spec / max(best.ac_kwh_kwp[0], 1e-9)
    suit = np.full(n_surf, "weak", dtype=object)
    for name, share_min in reversed(SUITABILITY):
        suit[rel >= share_min] = name
    suit[roof & (n_mod == 0)] = "unsuitable"
    suit[~roof] = ""
    eco = economics(kwp, ac, p)
    return pd.DataFrame({
        "surface": idx,
        "kind": kind,
        "tilt_deg": tilt,
        "azimuth_deg": az,
        "area_m2": area,
        "n_sensors": counts,
        "irradiation_kwh_m2_year": mean_total,
        "unshaded_kwh_m2_year": mean_free,
        "shading_loss_share": np.where(mean_free > 0, 1 - mean_total / np.maximum(mean_free, 1e-12), 0.0),
        "sky_view_factor": svf,
        "usable_area_m2": usable_area,
        "module_tilt_deg": np.where(roof, m_tilt, np.nan),
        "module_azimuth_deg": np.where(roof, m_az, np.nan),
        "n_modules": n_mod.astype(np.int64),
        "pv_kwp": kwp,
        "pv_specific_kwh_kwp": np.where(roof, spec, np.nan),
        "pv_dc_kwh_year": dc,
        "pv_ac_kwh_year": ac,
        "suitability": suit,
        "investment_eur": eco["investment_eur"],
        "saving_eur_year": eco["saving_eur_year"],
        "payback_years": eco["payback_years"],
    })


def _layout(s: Surfaces, idx, usable_poly, sensors, owner, ok, flat, p: PVParameters) -> np.ndarray:
    """Modules per surface: portrait slots on a lattice in the roof plane (centred in the usable
    polygon's bounding box), inside the usable polygon (four corners), with the sensor nearest
    to the slot centre usable (:func:`twin.kernels.solar_layout.layout_modules`)."""
    from twin.kernels.solar_layout import layout_modules
    from twin.solar.surfaces import flat_rings

    n_surf = len(idx)
    out = np.zeros(n_surf, dtype=np.int64)
    b = shapely.bounds(usable_poly)
    good = np.isfinite(b).all(axis=1) & (shapely.area(usable_poly) > 0)
    b = np.where(good[:, None], b, 0.0)
    su = np.full(n_surf, p.module_width_m)
    sv = np.where(flat, p.module_length_m / p.flat_roof_gcr, p.module_length_m)  # flat roofs: racked rows
    depth = np.where(flat, p.module_length_m * math.cos(math.radians(p.flat_roof_tilt_deg)), p.module_length_m)
    nu = np.where(good, np.floor((b[:, 2] - b[:, 0]) / su), 0).astype(np.int64).clip(0)
    nv = np.where(good, np.floor((b[:, 3] - b[:, 1] - depth) / sv) + 1, 0).astype(np.int64).clip(0)
    u0 = b[:, 0] + 0.5 * ((b[:, 2] - b[:, 0]) - nu * su)
    v0 = b[:, 1] + 0.5 * ((b[:, 3] - b[:, 1]) - ((nv - 1).clip(0) * sv + depth))
    layout_modules(u0, v0, nu, nv, su, sv, depth, *flat_rings(usable_poly), sensors.offsets,
                   np.ascontiguousarray(sensors.uv), np.ascontiguousarray(ok), out)
    return out


def _tables(mesh: Mesh, per_surface: pd.DataFrame, crs) -> tuple[pd.DataFrame, pd.DataFrame]:
    import geopandas as gpd

    s = mesh.surfaces
    idx = per_surface["surface"].to_numpy()
    bidx = s.building_index[idx]
    geom = s.plan[idx].copy()
    walls = np.flatnonzero(np.array([g is None for g in geom], dtype=bool))
    if len(walls):  # walls: the footprint edge (the bottom of the wall polygon)
        wi = idx[walls]
        bnd = shapely.bounds(s.poly_uv[wi])
        a = s.origin[wi] + bnd[:, :1] * s.u_axis[wi]
        c = s.origin[wi] + bnd[:, 2:3] * s.u_axis[wi]
        geom[walls] = shapely.linestrings(np.stack([a[:, :2], c[:, :2]], axis=1))
    ids = mesh.building_ids[bidx]
    counter = pd.Series(ids).groupby(ids).cumcount().to_numpy()
    surfaces = per_surface.drop(columns=["surface"]).copy()
    surfaces.insert(0, "surface_id", [f"{b}/{k}{n}" for b, k, n in zip(ids, per_surface["kind"], counter)])
    surfaces.insert(1, "building_id", ids)
    surfaces["source_id"] = s.source_id[idx]
    gdf = gpd.GeoDataFrame(surfaces, geometry=geom, crs=crs)
    roofs = surfaces[surfaces["kind"] == "roof"].assign(_h=lambda f: f["irradiation_kwh_m2_year"] * f["area_m2"],
                                                        _rank=lambda f: f["suitability"].map(SUITABILITY_RANK).fillna(-1))
    g = roofs.groupby("building_id", sort=False)
    buildings = g.agg(roof_area_m2=("area_m2", "sum"), _h=("_h", "sum"), usable_area_m2=("usable_area_m2", "sum"),
                      n_modules=("n_modules", "sum"), pv_kwp=("pv_kwp", "sum"), pv_ac_kwh_year=("pv_ac_kwh_year", "sum"),
                      investment_eur=("investment_eur", "sum"), saving_eur_year=("saving_eur_year", "sum"), _rank=("_rank", "max"))
    with np.errstate(divide="ignore", invalid="ignore"):
        buildings.insert(1, "roof_irradiation_kwh_m2_year", np.where(buildings["roof_area_m2"] > 0, buildings["_h"] / buildings["roof_area_m2"], np.nan))
        buildings["payback_years"] = np.where(buildings["saving_eur_year"] > 0, buildings["investment_eur"] / buildings["saving_eur_year"],
                                              np.where(buildings["pv_kwp"] > 0, np.inf, np.nan))
    names = {v: k for k, v in SUITABILITY_RANK.items()}
    buildings["best_suitability"] = buildings["_rank"].map(names).fillna("")
    buildings = buildings.drop(columns=["_h", "_rank"]).reset_index()
    return gdf, buildings


def _ground_table(ground, crs) -> pd.DataFrame:
    import geopandas as gpd

    if ground is None:
        return gpd.GeoDataFrame({"irradiation_kwh_m2_year": []}, geometry=[], crs=crs)
    gs, irr = ground
    return gpd.GeoDataFrame(
        {"irradiation_kwh_m2_year": irr.total_wh_m2 / 1000.0, "unshaded_kwh_m2_year": irr.free_wh_m2 / 1000.0,
         "sky_view_factor": irr.sky_view},
        geometry=shapely.points(gs.xyz[:, 0], gs.xyz[:, 1]), crs=crs,
    )


def with_options(options: CadastreOptions, **changes) -> CadastreOptions:
    """A copy of ``options`` with ``changes``."""
    return replace(options, **changes)
