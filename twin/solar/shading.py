"""Monthly urban shading factors of the energy stock model, from the solar ray-casting kernel.

:func:`urban_shade_factors` returns what :func:`twin.energy.stock.urban_shade_factors` returns
(shape ``(n_buildings, n_groups, 12)``, same model, same observers), computed with one code
path shared with the solar cadastre:

* horizons: :func:`twin.kernels.solar_grid.horizon_elevations` on the walls of the LoD1
  extrusions of the footprints (walls are enough: the top edge of a wall is what the old
  edge kernel found), the observer's own building excluded, a height-field grid instead of an
  STRtree ``dwithin`` query;
* sky-view shares: :func:`twin.kernels.solar_sky.sky_view_factors_grouped` (exact in elevation) instead
  of the NumPy quadrature of :func:`twin.energy.solar.horizon_view_factors`;
* monthly factors: :func:`twin.kernels.solar_sky.monthly_shade_factors`, a binary search per
  facade and sector in hours sorted once, instead of a loop over 8,760 hours per facade.

The observers are those of :meth:`twin.scene.Scene.horizon_profile` (facade midpoint moved
0.1 m outward, at half the building height, obstructions within 100 m, sector k centred on
k x 360 / n_sectors), so the horizons equal the scene's; the factors differ from the old ones
only by the sky-view quadrature.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.caching import BoundedCache, content_digest
from twin.solar.progress import Steps


def wall_triangles(scene, *, upper_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Triangles (n, 3, 3) of the walls of the LoD1 extrusions of the scene's footprints (exterior
    rings, as :meth:`Scene.footprints`), and the building index of each.

    A wall (p0, p1, ground z0, top z1) is the triangles (p0 z0, p1 z0, p1 z1) and
    (p0 z0, p1 z1, p0 z1). ``upper_only`` keeps the second only, which is enough for horizons:
    both project onto the segment p0-p1, so a vertical half-plane cuts both or neither, at the
    same horizontal distance, and the second's cut reaches higher (up to the top edge), so the
    highest elevation never comes from the first (same horizons at half the triangles).
    """
    fp = scene.footprints()
    b = scene.buildings
    ground = b["ground_z_m"].to_numpy(dtype=float) if "ground_z_m" in b else np.zeros(len(b))
    top = ground + b["height_m"].to_numpy(dtype=float)
    starts = fp.edge_starts()
    bi = fp.point_building[starts]
    p0 = fp.coords[starts]
    p1 = fp.coords[starts + 1]
    z0 = ground[bi]
    z1 = top[bi]
    ok = np.isfinite(z1) & (z1 > z0) & (np.hypot(*(p1 - p0).T) > 0)
    p0, p1, z0, z1, bi = p0[ok], p1[ok], z0[ok], z1[ok], bi[ok]
    n = len(bi)
    # corners a = (p0, z0), b = (p1, z0), c = (p1, z1), d = (p0, z1); the lower triangles
    # (a, b, c) first, then the upper ones (a, c, d)
    tri = np.empty((n if upper_only else 2 * n, 3, 3))
    upper = tri[-n:] if n else tri[:0]
    for k, (p, z) in enumerate(((p0, z0), (p1, z1), (p0, z1))):
        upper[:, k, :2] = p
        upper[:, k, 2] = z
    if upper_only:
        return tri, bi.astype(np.int64)
    for k, (p, z) in enumerate(((p0, z0), (p1, z0), (p1, z1))):
        tri[:n, k, :2] = p
        tri[:n, k, 2] = z
    return tri, np.concatenate([bi, bi]).astype(np.int64)


def facade_horizons(scene, mask: np.ndarray | None = None, *, n_sectors: int = 36, max_distance_m: float = 100.0,
                    height_fraction: float = 0.5, front_azimuth_deg: np.ndarray | None = None, progress=None) -> np.ndarray:
    """Horizon profiles (n_facades, n_sectors), degrees, of the facades (rows of ``scene.facades()``,
    those of ``mask``), by the solar kernel; equal to :meth:`Scene.facade_horizons`.

    ``front_azimuth_deg`` (one per facade): the azimuth of the vertical plane the horizon will
    be used for; sectors wholly behind it are 0 (a vertical plane receives nothing from there:
    neither the sky-view integral nor the beam uses them), which halves the work.

    The result (read-only) is kept for the last two geometries, keyed by a hash of the
    footprints, heights and options: what-ifs and Monte Carlo samples on one geometry compute
    the horizons once, and any change of geometry or height computes them anew.
    """
    return _horizons_of(scene, _horizon_request(scene, mask, n_sectors, max_distance_m, height_fraction, front_azimuth_deg), progress)


def _horizons_of(scene, req, progress) -> np.ndarray:
    """The horizons of a :func:`_horizon_request`: cached, under way in a thread (waited for), or computed here."""
    hit = _HORIZON_CACHE.get(req[-1])
    if hit is not None:  # computed, or under way in a thread (:func:`start_facade_horizons`)
        return hit.result() if isinstance(hit, Future) else hit
    return _compute_horizons(scene, *req, progress)


def start_facade_horizons(scene, mask: np.ndarray | None = None, *, n_sectors: int = 36, max_distance_m: float = 100.0,
                          height_fraction: float = 0.5, front_azimuth_deg: np.ndarray | None = None) -> Future:
    """:func:`facade_horizons` with the same arguments, computed in a background thread.

    The returned :class:`~concurrent.futures.Future` stands in the horizon cache until the
    horizons are there: a later :func:`facade_horizons` of the same geometry and options waits
    for it instead of computing them again. Meanwhile the caller's thread can do other work
    (the kernels release the GIL). An error in the thread is raised by ``result()`` and by
    that later call; the cache then forgets the request.
    """
    req = _horizon_request(scene, mask, n_sectors, max_distance_m, height_fraction, front_azimuth_deg)
    key = req[-1]
    hit = _HORIZON_CACHE.get(key)
    if hit is not None:
        if isinstance(hit, Future):
            return hit
        done: Future = Future()
        done.set_result(hit)
        return done
    future: Future = Future()
    future.set_running_or_notify_cancel()
    _HORIZON_CACHE.put(key, future)

    def work() -> None:
        try:
            future.set_result(_compute_horizons(scene, *req, None))
        except BaseException as exc:  # handed to whoever waits for the result
            _HORIZON_CACHE.pop(key, only_if=future)
            future.set_exception(exc)

    threading.Thread(target=work, name="twin-facade-horizons", daemon=False).start()
    return future


def _horizon_request(scene, mask, n_sectors, max_distance_m, height_fraction, front_azimuth_deg):
    """The facades asked for (the columns their observers need), ground and height of the
    buildings, options and the cache key."""
    fac = scene.facades()[["building_index", "azimuth_deg", "mid_x", "mid_y"]]  # not the id strings
    if mask is not None:
        fac = fac[np.asarray(mask, dtype=bool)]
    b = scene.buildings
    ground = b["ground_z_m"].to_numpy(dtype=float) if "ground_z_m" in b else np.zeros(len(b))
    height = b["height_m"].to_numpy(dtype=float)
    fp = scene.footprints()
    key = _geometry_key(fp, ground, height, None if mask is None else np.asarray(mask, dtype=bool),
                        (n_sectors, max_distance_m, height_fraction),
                        None if front_azimuth_deg is None else np.asarray(front_azimuth_deg, dtype=float))
    return fac, ground, height, n_sectors, max_distance_m, height_fraction, front_azimuth_deg, key


def _compute_horizons(scene, fac, ground, height, n_sectors, max_distance_m, height_fraction, front_azimuth_deg, key,
                      progress) -> np.ndarray:
    from twin.scene.footprints import facade_observer_xy
    from twin.solar.grid import DEFAULT_CELL_M, spatial_order

    bi = fac["building_index"].to_numpy().astype(np.int64)
    obs = np.column_stack([facade_observer_xy(fac), ground[bi] + height_fraction * height[bi]])
    # the walking order of the observers (Z order of 64 m blocks, SceneGrid.horizons' default for a
    # grid of the default cell), computed before waiting for the grid, which may still be built in its thread
    order = spatial_order(obs[:, :2], 8.0 * DEFAULT_CELL_M)
    grid = wall_grid(scene)
    front = None
    if front_azimuth_deg is not None:
        fa = np.radians(np.asarray(front_azimuth_deg, dtype=float))
        front = np.column_stack([np.sin(fa), np.cos(fa)])
    hz = grid.horizons(obs, n_sectors=n_sectors, exclude=bi, max_distance_m=max_distance_m, front=front, progress=progress, order=order)
    hz.setflags(write=False)
    _HORIZON_CACHE.put(key, hz)
    return hz


#: Key of the horizon grid of the walls in the scene's geometry cache (dropped when the
#: footprints, heights or ground levels change, see :meth:`twin.scene.Scene._invalidate`).
WALL_GRID_KEY = "buildings:geom:wall_grid"
_WALL_GRID_LOCK = threading.Lock()


def wall_grid(scene):
    """The grid (:class:`twin.solar.grid.SceneGrid`) of the upper wall triangles of the scene's
    LoD1 extrusions (:func:`wall_triangles`) that the facade horizons walk, cached with the scene's
    geometry.

    Its extent covers the triangles and the observer of every footprint edge (0.1 m in front
    of the edge's midpoint), whichever facades are asked for later, so one grid serves every
    selection. Built once per geometry, possibly in a background thread
    (:func:`start_wall_grid`); a later call waits for that thread instead of building it again.
    """
    with _WALL_GRID_LOCK:
        hit = scene._cache.get(WALL_GRID_KEY)
        if hit is None:
            hit = Future()
            hit.set_running_or_notify_cancel()
            scene._cache[WALL_GRID_KEY] = hit
            mine = True
        else:
            mine = False
    if mine:
        try:
            hit.set_result(_build_wall_grid(scene))
        except BaseException as exc:
            with _WALL_GRID_LOCK:
                if scene._cache.get(WALL_GRID_KEY) is hit:
                    scene._cache.pop(WALL_GRID_KEY, None)
            hit.set_exception(exc)
    return hit.result()


def start_wall_grid(scene) -> threading.Thread:
    """:func:`wall_grid` in a background thread (a head start for the facade horizons: the grid
    needs the footprints only, not the party walls the horizons' selection waits for)."""
    thread = threading.Thread(target=head_start, args=(wall_grid, scene), name="twin-wall-grid", daemon=True)
    thread.start()
    return thread


def head_start(fn, *args) -> None:
    """``fn(*args)`` as a head start only: an exception is dropped, because the later ordinary
    call that needs the result meets the same problem and reports it where it belongs (the
    background threads of this module, :func:`twin.energy.stock.prepare_stock`)."""
    try:
        fn(*args)
    except Exception:  # noqa: BLE001, S110 - see the docstring
        pass


#: Cell side of the walls' grid, m. The horizons do not depend on it (each is the largest
#: elevation over the same triangle cuts, whatever cells list them; the region's facade horizons
#: are bit for bit those of 8 m cells, and so are the tests'), but its build does: on the region,
#: 12 m cells are 1.9M instead of 4.3M, and each array over them (offsets, tops, window
#: maxima) is touched fresh by a new process (0.14-0.38 s instead of 0.62-0.69 s to build in a
#: fresh process, 2026-12-03) while the walks take the same time.
WALL_GRID_CELL_M = 12.0


def _build_wall_grid(scene):
    from twin.scene.footprints import edge_table, facade_observer_xy
    from twin.solar.grid import SceneGrid

    tri, group = wall_triangles(scene, upper_only=True)
    return SceneGrid.build(tri, group, cell_m=WALL_GRID_CELL_M, points=facade_observer_xy(edge_table(scene.footprints())),
                           vertical_walls=True)


#: Horizons of the last geometries (baseline, what-ifs and Monte Carlo samples of one geometry
#: compute them once), keyed by a hash of the footprints, heights, selection and options; a
#: :class:`~concurrent.futures.Future` while a thread computes them. Locked: written from the
#: caller's thread and from the horizon threads.
_HORIZON_CACHE: BoundedCache[str, np.ndarray | Future] = BoundedCache(2, lock=True)


def _geometry_key(fp, ground, height, mask, options, front) -> str:
    return content_digest(fp.coords, fp.ring_offsets, fp.building_ring_offsets, ground, height, mask, front, options, digest_size=20).hex()


def horizon_monthly_factors(weather, horizon_deg: np.ndarray, group: np.ndarray, *, groups: tuple[str, ...] | None = None,
                            albedo: float | None = 0.2, glazing=None, tables: SkyTables | None = None) -> np.ndarray:
    """Monthly shading factors (n_f, 12) of surfaces of standard groups behind horizons: the
    model of :func:`twin.energy.solar.horizon_shade_factors` with the kernels of this module.

    ``group``: the standard group name of each surface (strings, or a ``pandas.Categorical``
    of them). ``tables``: :func:`sky_tables` of the same weather, sectors, groups, albedo and
    glazing, if already computed (they depend on neither the horizons nor the surfaces)."""
    from twin.errors import InputError
    from twin.kernels.solar_sky import monthly_shade_factors, sky_view_factors_grouped
    from twin.solar.irradiance import BAND_FREE_DEG, SVF_SUBSAMPLES

    hz = np.ascontiguousarray(np.atleast_2d(np.asarray(horizon_deg, dtype=float)))
    n_f, n_s = hz.shape
    t = sky_tables(weather, n_s, groups=groups, albedo=albedo, glazing=glazing) if tables is None else tables
    if t.n_sectors != n_s:
        raise ValueError(f"sky tables of {t.n_sectors} sectors for horizons of {n_s}")
    gi = {g: k for k, g in enumerate(t.gnames)}
    if isinstance(group, pd.Categorical):  # names and codes as they are: no sort of n_f strings
        names, inverse = np.asarray(group.categories).astype(str), np.asarray(group.codes)
    else:
        names, inverse = np.unique(np.asarray(group).reshape(-1).astype(str), return_inverse=True)
    try:
        gidx = np.array([gi[g] for g in names], dtype=np.int64)[inverse.reshape(-1)]
    except KeyError as exc:
        raise InputError(f"unknown surface group {exc.args[0]!r}; expected one of {list(t.gnames)}", field="group") from None
    iso_f = np.empty(n_f)
    band_f = np.empty(n_f)
    sky_view_factors_grouped(hz, gidx, np.radians(t.tilt.astype(float)), np.radians(t.azim.astype(float)), SVF_SUBSAMPLES,
                             BAND_FREE_DEG, iso_f, band_f)
    out = np.empty((n_f, 12))
    monthly_shade_factors(hz, gidx, iso_f, band_f, t.cum, t.offsets, t.elevation_deg, t.beam_free, t.iso_m, t.band_m, t.ground_m, out)
    return out


@dataclass(frozen=True)
class SkyTables:
    """What :func:`horizon_monthly_factors` takes from the weather, per orientation group: the
    sun-up hours with beam sorted by sector and decreasing elevation, the cumulative monthly
    beam of :func:`twin.kernels.solar_sky.monthly_beam_tables` and the unshaded monthly sums."""

    n_sectors: int
    gnames: tuple[str, ...]
    tilt: np.ndarray
    azim: np.ndarray
    offsets: np.ndarray
    elevation_deg: np.ndarray
    cum: np.ndarray
    beam_free: np.ndarray
    iso_m: np.ndarray
    band_m: np.ndarray
    ground_m: np.ndarray


def sky_tables(weather, n_sectors: int, *, groups: tuple[str, ...] | None = None, albedo: float | None = 0.2,
               glazing=None) -> SkyTables:
    """The weather's part of :func:`horizon_monthly_factors` (:class:`SkyTables`)."""
    from twin.energy.inputs import STANDARD_GROUPS
    from twin.energy.solar import STANDARD_ORIENTATION, Glazing, diffuse_angular_ratios, glazing_angular_ratio, sector_of
    from twin.kernels.solar_sky import monthly_beam_tables
    from twin.solar.pv import normal_of
    from twin.solar.sky import solar_sky

    n_s = int(n_sectors)
    glazing = glazing or Glazing()
    groups = STANDARD_GROUPS if groups is None else tuple(groups)
    gnames = [g for g in groups if g in STANDARD_ORIENTATION]
    sky = solar_sky(weather, albedo=albedo)
    tilt = np.array([STANDARD_ORIENTATION[g][0] for g in gnames])
    azim = np.array([STANDARD_ORIENTATION[g][1] for g in gnames])
    normals = normal_of(tilt, azim)
    # hours with beam, sorted by sector and decreasing elevation
    weight = sky.dni + sky.circ_dn
    h = np.flatnonzero((sky.elevation_deg > 0) & (weight > 0))
    sec = sector_of(sky.azimuth_deg[h], n_s)
    order = np.lexsort((-sky.elevation_deg[h], sec))
    h, sec = h[order], sec[order]
    offsets = np.zeros(n_s + 1, dtype=np.int64)
    np.cumsum(np.bincount(sec, minlength=n_s), out=offsets[1:])
    sun = np.ascontiguousarray(sky.sun[h])
    w = np.empty((len(gnames), len(h)))
    iso_m = np.zeros((len(gnames), 12))
    band_m = np.zeros_like(iso_m)
    ground_m = np.zeros_like(iso_m)
    beam_free = np.zeros_like(iso_m)
    for k, g in enumerate(gnames):
        comp = sky.plane_components(normals[k])
        ratio_beam = glazing_angular_ratio(comp["cos_aoi"], glazing) if g.startswith("win") else np.ones(sky.n_hours)
        r_sky, r_gnd, r_hor = diffuse_angular_ratios(tilt[k], glazing) if g.startswith("win") else (1.0, 1.0, 1.0)
        w[k] = weight[h] * ratio_beam[h]
        beam_free[k] = np.bincount(sky.month, (comp["beam"] + comp["circumsolar"]) * ratio_beam, 12)
        iso_m[k] = np.bincount(sky.month, comp["isotropic"] * r_sky, 12)
        band_m[k] = np.bincount(sky.month, comp["horizon"] * r_hor, 12)
        ground_m[k] = np.bincount(sky.month, comp["ground"] * r_gnd, 12)
    cum = np.empty((len(gnames), len(h) + n_s, 12))
    monthly_beam_tables(np.ascontiguousarray(normals), sun, np.ascontiguousarray(w), np.ascontiguousarray(sky.month[h]), offsets, cum)
    return SkyTables(n_s, tuple(gnames), tilt, azim, offsets, np.ascontiguousarray(sky.elevation_deg[h]), cum, beam_free, iso_m,
                     band_m, ground_m)


def start_kernel_warmup() -> threading.Thread:
    """Load the compiled kernels of the stock model's first geometry step in a background thread.

    The first Numba call of a process sets up Numba's compiler target (about 0.6 s of CPU:
    its registries, SciPy's BLAS bindings), even when every kernel comes from the disk cache.
    Here it happens on two footprints through the code path of the party walls
    (:func:`twin.scene.spatial.shared_walls`, as :meth:`twin.scene.Scene.facades` calls it: same
    kernel, same argument types, so nothing is compiled anew), and the kernels of the walls' grid
    and the facade horizons are loaded on two walls (:class:`twin.solar.grid.SceneGrid`), while
    the caller reads the scene (Parquet and WKB decoding release the GIL). The results of the
    real run do not depend on it; a failure here only loses the head start. Returns the
    (daemon) thread.
    """

    def work() -> None:
        import shapely

        from twin.scene.footprints import footprint_arrays
        from twin.scene.spatial import shared_walls
        from twin.solar.grid import SceneGrid

        two = np.array([shapely.box(0.0, 0.0, 5.0, 5.0), shapely.box(5.0, 0.0, 10.0, 5.0)], dtype=object)
        shared_walls(footprint_arrays(two), shapely.STRtree(two), two)
        # the kernels of the walls' grid and of the facade horizons (about 0.035 s to load, on the
        # way from the footprints to the horizons otherwise): two walls, one observer, the same
        # argument types as the run's (SceneGrid makes every array contiguous of its dtype)
        tri = np.array([[[0.0, 0.0, 0.0], [5.0, 0.0, 6.0], [0.0, 0.0, 6.0]], [[0.0, 9.0, 0.0], [5.0, 9.0, 6.0], [0.0, 9.0, 6.0]]])
        grid = SceneGrid.build(tri, np.array([0, 1]), cell_m=WALL_GRID_CELL_M, points=np.array([[2.5, 4.5]]), vertical_walls=True)
        grid.horizons(np.array([[2.5, 4.5, 3.0]]), n_sectors=36, exclude=np.array([-1]), front=np.array([[0.0, 1.0]]), order=np.array([0]))

    thread = threading.Thread(target=head_start, args=(work,), name="twin-kernel-warmup", daemon=True)
    thread.start()
    return thread


def _exterior_facades(ext: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which edges of ``_edge_exterior_areas`` (rows of ``scene.facades()``) have an exterior part,
    the orientation index of those (:data:`twin.energy.model.ORIENTATIONS`) and the nominal
    azimuth of their group, degrees: each facade is evaluated at its group's nominal
    orientation, so only sectors in front of that vertical plane matter."""
    from twin.energy.model import ORIENTATIONS, _orientation_index
    from twin.energy.solar import STANDARD_ORIENTATION

    exterior = ext["exterior_area_m2"].to_numpy() > 1e-9
    oi = _orientation_index(ext["azimuth_deg"].to_numpy()[exterior])
    nominal = np.array([float(STANDARD_ORIENTATION[f"win_{o}"][1]) for o in ORIENTATIONS])[oi]
    return exterior, oi, nominal


def start_urban_horizons(scene, *, n_sectors: int = 36) -> Future | None:
    """Start computing, in a background thread, the facade horizons that :func:`urban_shade_factors`
    of this scene will use (:func:`start_facade_horizons`); None when the scene has no facade
    with an exterior part.

    The party walls and exterior areas the horizons start from are computed here, in the
    caller's thread (the envelope reads the same cached tables), so that the thread's work is
    the walks, which release the GIL: the stock model builds its envelope meanwhile
    (:func:`twin.energy.stock.prepare_stock`). The walls' grid, which needs the footprints only,
    is built in a thread of its own (:func:`start_wall_grid`) while the party walls are found.
    The horizons are the same as without the threads.
    """
    from twin.energy.model import _edge_exterior_areas

    if len(scene.buildings) == 0:
        return None
    scene.footprints()  # here, once: the grid's thread and the party walls read them
    start_wall_grid(scene)
    exterior, _, nominal = _exterior_facades(_edge_exterior_areas(scene))
    if not exterior.any():
        return None
    return start_facade_horizons(scene, exterior, n_sectors=n_sectors, front_azimuth_deg=nominal)


def urban_shade_factors(scene, building_ids, weather, *, groups: tuple[str, ...] | None = None, n_sectors: int = 36,
                        progress=None, times: dict | None = None) -> np.ndarray:
    """Monthly shading factors (n_b, n_groups, 12) of the buildings: a drop-in replacement of
    :func:`twin.energy.stock.urban_shade_factors` (see the module docstring).

    ``times`` (a dict), if given, receives the wall time of each step in seconds.
    """
    from twin.energy.inputs import STANDARD_GROUPS
    from twin.energy.model import ORIENTATIONS, _edge_exterior_areas

    groups = STANDARD_GROUPS if groups is None else tuple(groups)
    ids = np.asarray(building_ids).astype(str)
    # the groups of an orientation (windows and walls) get their factors below; the others (roofs,
    # skylights, the sky row) are 1, written now (before the wait for the horizons), not twice
    oriented = [groups.index(g) for o in ORIENTATIONS for g in (f"win_{o}", f"opq_{o}") if g in groups]
    out = np.empty((len(ids), len(groups), 12))
    for k in range(len(groups)):  # a basic slice per group: 12 contiguous values per building, no fancy-index temporaries
        if k not in oriented:
            out[:, k, :] = 1.0
    if len(ids) == 0:
        return out
    steps = Steps(["facades", "horizons", "factors"], progress)
    try:
        with steps.step("facades"):
            ext = _edge_exterior_areas(scene)
            # position of each facade's building in ``ids`` (-1: not asked for), by scene row
            scene_ids = scene.buildings["building_id"].astype(str).to_numpy()
            index = pd.Index(ids)
            if index.is_unique:
                row_pos = index.get_indexer(scene_ids)
            else:  # a repeated id: its last position, as a dict would give
                pos = {b: i for i, b in enumerate(ids)}
                row_pos = np.array([pos.get(b, -1) for b in scene_ids], dtype=np.int64)
            pos_of_edge = row_pos[ext["building_index"].to_numpy()]
            exterior, oi_all, nominal = _exterior_facades(ext)
            keep = exterior & (pos_of_edge >= 0)
        if not keep.any():
            out[:, oriented, :] = 1.0
            return out
        asked = keep[exterior]  # the buildings' facades among those with an exterior part
        oi = oi_all[asked]
        group = pd.Categorical.from_codes(oi, [f"win_{o}" for o in ORIENTATIONS])
        # the weather's part of the factors first: meanwhile the horizons may still be under way in their thread
        tables = sky_tables(weather, n_sectors, groups=groups)
        # and the factors' kernels loaded from Numba's disk cache (about 0.03 s on their first call
        # in a process), on one facade of the same types, rather than after the horizons
        horizon_monthly_factors(weather, np.zeros((1, n_sectors)), group[:1], groups=groups, tables=tables)
        with steps.step("horizons"):
            # the horizons of every facade with an exterior part (each facade's profile depends
            # only on the scene: the same values, and the same cached result for any selection
            # of buildings or one started early by :func:`start_urban_horizons`), the rows asked
            # for; a few buildings of a large scene, with nothing cached, get their own facades only
            req = _horizon_request(scene, exterior, n_sectors, 100.0, 0.5, nominal)  # facade_horizons' defaults
            if req[-1] in _HORIZON_CACHE or asked.mean() > 0.5:
                hz = _horizons_of(scene, req, progress)
                hz = hz if asked.all() else np.ascontiguousarray(hz[asked])
            else:
                hz = facade_horizons(scene, keep, n_sectors=n_sectors, front_azimuth_deg=nominal[asked], progress=progress)
        with steps.step("factors"):
            factors = horizon_monthly_factors(weather, hz, group, groups=groups, tables=tables)
            area = ext["exterior_area_m2"].to_numpy()[keep]
            # area-weighted means per building, orientation and month: bincount adds in the order
            # of the facades, as np.add.at does (the same sums), without add.at's per-element
            # dispatch; bins (building, orientation), one call per month (each bin's facades in
            # row order, as a call per orientation would add them), no (facade, month) temporaries
            n_o = len(ORIENTATIONS)
            cell = pos_of_edge[keep] * n_o + oi
            den = np.bincount(cell, weights=area, minlength=len(ids) * n_o).reshape(len(ids), n_o)
            has = den > 0
            # the means of every month first, month-major (each month's (building, orientation)
            # block contiguous), then copied into ``out`` once per group, 12 contiguous months per
            # building: writing each month's column of each group into ``out`` (96 passes, one
            # cache line per building and pass over its 54 MB on the region) cost about 0.06 s
            per_month = np.empty((12, len(ids), n_o))
            by_month = factors.T  # (12, n_f) view: the same values as factors[:, month]
            for month in range(12):
                num = np.bincount(cell, weights=by_month[month] * area, minlength=len(ids) * n_o).reshape(len(ids), n_o)
                f = per_month[month]
                f.fill(1.0)  # a building without a facade of an orientation: 1
                np.divide(num, den, out=f, where=has)
                np.clip(f, 0.0, 1.0, out=f)
            means = per_month.transpose(1, 2, 0)  # (building, orientation, month) view
            for k, o in enumerate(ORIENTATIONS):
                for g in (f"win_{o}", f"opq_{o}"):
                    if g in groups:
                        out[:, groups.index(g), :] = means[:, k, :]
    finally:
        steps.close()
        if times is not None:
            times.update(steps.times)
    return out
