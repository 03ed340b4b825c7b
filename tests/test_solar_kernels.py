"""Solar kernels against closed forms and plain-NumPy references (tests/solar_reference.py)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from tests.conftest import shared_path
from tests.solar_reference import direct_hourly_reference, sky_view_reference
from twin.solar.footprints import footprint_surfaces
from twin.solar.grid import SceneGrid
from twin.solar.irradiance import sky_view
from twin.solar.surfaces import triangulate


def _blocks(boxes, heights):
    frame = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(len(boxes))], "height_m": heights},
                             geometry=[shapely.box(*b) for b in boxes], crs="EPSG:31370")
    s, problems, _ = footprint_surfaces(frame)
    tri, own = triangulate(s)
    return tri, s.building_index[own], s


@pytest.fixture(scope="module")
def sky():
    from twin.ingest.epw import read_epw
    from twin.solar.sky import solar_sky

    return solar_sky(read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")))


def test_direct_component_equals_brute_force_on_20_delft_buildings(sky):
    """Every sensor, every hour, every triangle in plain NumPy vs the grid kernel: 1e-9 relative."""
    from twin.solar.cityjson_surfaces import cityjson_surfaces
    from twin.solar.sensors import surface_sensors

    s, ids, problems, _ = cityjson_surfaces(shared_path("gis", "delft.city.json"))
    tri, own = triangulate(s)
    b_of = s.building_index[own]
    centres = np.array([tri[b_of == b][:, :, :2].reshape(-1, 2).mean(axis=0) for b in range(len(ids))])
    mid = np.median(centres, axis=0)
    pick = np.argsort(np.hypot(*(centres - mid).T))[:20]
    keep = np.isin(b_of, pick)
    sens = surface_sensors(s, np.flatnonzero(np.isin(s.building_index, pick) & (s.kind != "floor")), 2.0)
    idx = np.random.default_rng(1).choice(len(sens), 100, replace=False)
    origins, normals = sens.xyz[idx], sens.normal[idx]
    grid = SceneGrid.build(tri[keep], points=origins)
    got = grid.direct_hourly(origins, normals, sky.sun, sky.dni)
    ref = direct_hourly_reference(origins, normals, sky.sun, sky.dni, tri[keep])
    shaded = (ref == 0) & (sky.dni[None, :] > 0) & (sky.sun[None, :, 2] > 0) & ((normals @ sky.sun.T) > 0)
    assert shaded.sum() > 1000, "the district must shade some sensors for the test to mean something"
    assert (ref > 0).sum() > 10000
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)


def test_sky_view_at_the_bottom_of_a_long_canyon():
    """cos(atan(2H/W)) at the centre of the street, within 1 % (a canyon 60 widths long)."""
    for h, w in ((10.0, 10.0), (20.0, 10.0), (6.0, 15.0)):
        length = 60 * w
        tri, group, _ = _blocks([(-length / 2, -w / 2 - 10, length / 2, -w / 2), (-length / 2, w / 2, length / 2, w / 2 + 10)], [h, h])
        origin = np.array([[0.0, 0.0, 0.0]])
        grid = SceneGrid.build(tri, group, points=origin)
        hz = grid.horizons(origin, n_sectors=72, max_distance_m=2 * length)
        svf, band = sky_view(hz, np.array([[0.0, 0.0, 1.0]]))
        assert svf[0] == pytest.approx(math.cos(math.atan(2 * h / w)), rel=0.01)


@pytest.mark.parametrize("elev", [0.0, 15.0, 30.0, 60.0, 89.0, 90.0])
def test_uniform_horizon_closed_forms(elev):
    """Sky-view share under a horizon of uniform elevation e: horizontal cos^2 e; vertical
    (1/2 - e/pi - sin(2e)/(2 pi)) / (1/2); under a full 90 degree horizon nothing of the sky."""
    e = math.radians(elev)
    hz = np.full((2, 36), elev)
    svf, band = sky_view(hz, np.array([[0.0, 0.0, 1.0], [0.0, -1.0, 0.0]]))
    assert svf[0] == pytest.approx(math.cos(e) ** 2, abs=1e-12)
    assert svf[1] == pytest.approx((0.5 - e / math.pi - math.sin(2 * e) / (2 * math.pi)) / 0.5, abs=1e-3)
    assert band[1] == (1.0 if elev < 0.5 else 0.0)


def test_full_horizon_leaves_only_the_reflected_share(sky):
    """A surface whose horizon is 90 degrees all round gets no beam and no sky diffuse: only
    the ground-reflected share of its plane remains."""
    from twin.solar.irradiance import horizon_beam
    from twin.solar.sensors import points_as_sensors

    normals = np.array([[0.0, 0.0, 1.0], [0.0, -1.0, 0.0], [0.0, -0.5, math.sqrt(0.75)]])
    sens = points_as_sensors(np.zeros((3, 3)), normals)
    hz = np.full((3, 36), 90.0)
    beam, free = horizon_beam(hz, sens, sky, 36)
    svf, band = sky_view(hz, normals)
    assert (beam == 0).all() and (free > 0).all()
    assert np.abs(svf).max() < 1e-12 and (band[1:] == 0).all()  # a horizontal plane has no horizon-band term (sin 0)


def test_sky_view_kernel_against_quadrature():
    rng = np.random.default_rng(3)
    hz = rng.uniform(0, 60, size=(6, 36))
    tilt = np.radians([0, 20, 45, 90, 120, 30])
    az = np.radians([0, 180, 90, 200, 10, 300])
    normals = np.column_stack([np.sin(tilt) * np.sin(az), np.sin(tilt) * np.cos(az), np.cos(tilt)])
    svf, _ = sky_view(hz, normals, n_sub=64)
    ref = [sky_view_reference(hz[i], normals[i]) for i in range(6)]
    np.testing.assert_allclose(svf, ref, atol=2e-3)


def test_shadow_length_of_a_wall_to_the_grid_spacing():
    """A long east-west wall of height H, the sun due south at elevation e: the ground north of
    the wall is in shade out to H / tan(e), exactly to the spacing of the sensor line."""
    h = 6.0
    spacing = 0.05
    tri, group, _ = _blocks([(-200.0, -0.2, 200.0, 0.0)], [h])
    ys = np.arange(spacing / 2, 40.0, spacing)
    origins = np.column_stack([np.zeros(len(ys)), ys, np.full(len(ys), 1e-3)])
    grid = SceneGrid.build(tri, group, points=origins)
    for elev in (15.0, 30.0, 50.0):
        e = math.radians(elev)
        sun = np.array([[0.0, -math.cos(e), math.sin(e)]])  # toward the south
        lit = grid.direct_hourly(origins, np.tile([0.0, 0.0, 1.0], (len(ys), 1)), sun, np.array([800.0]))[:, 0] > 0
        first_lit = ys[np.argmax(lit)]
        assert not lit[: np.argmax(lit)].any() and lit[np.argmax(lit):].all()
        assert abs(first_lit - (h - 1e-3) / math.tan(e)) <= spacing


def test_horizons_equal_the_scene_horizon_profiles():
    """The solar kernel's facade horizons equal the scene's edge kernel (Scene.horizon_profile)."""
    from tests.test_energy_stock_shading import canyon_scene
    from twin.solar.shading import facade_horizons

    scene = canyon_scene()
    np.testing.assert_allclose(facade_horizons(scene), scene.facade_horizons(), atol=1e-9)


def test_horizon_beam_tables_equal_an_hourly_loop(sky):
    """The sorted-hour tables give the same annual beam as checking every hour."""
    from twin.energy.solar import sector_of
    from twin.solar.irradiance import horizon_beam
    from twin.solar.sensors import points_as_sensors

    rng = np.random.default_rng(5)
    normals = np.array([[0, 0, 1.0], [0, -1.0, 0], [0.6, -0.3, 0.74], [-0.7, 0.1, 0.7]])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    hz = rng.uniform(0, 40, size=(4, 36))
    beam, free = horizon_beam(hz, points_as_sensors(np.zeros((4, 3)), normals), sky, 36)
    sec = sector_of(sky.azimuth_deg, 36)
    w = sky.dni + sky.circ_dn
    for i in range(4):
        c = np.maximum(sky.sun @ normals[i], 0) * (sky.elevation_deg > 0)
        vis = sky.elevation_deg > hz[i, sec]
        assert beam[i] == pytest.approx((w * c * vis).sum(), rel=1e-12)
        assert free[i] == pytest.approx((w * c).sum(), rel=1e-12)


def test_monthly_exact_beam_equals_the_hourly_direct_kernel(sky):
    """beam_annual_exact's monthly sums equal the hourly direct irradiance (itself checked
    against the brute force) summed by month, and its free sums the unshaded plane."""
    tri, group, _ = _blocks([(-20.0, -0.2, 20.0, 0.0), (5.0, 8.0, 12.0, 15.0)], [8.0, 12.0])
    rng = np.random.default_rng(2)
    origins = np.column_stack([rng.uniform(-10, 10, 30), rng.uniform(1, 20, 30), np.full(30, 0.01)])
    normals = np.tile([0.0, 0.0, 1.0], (30, 1))
    grid = SceneGrid.build(tri, group, points=origins)
    b, c, bf, cf = grid.beam_monthly(origins, normals, sky.sun, sky.dni, sky.circ_dn, sky.month)
    hourly = grid.direct_hourly(origins, normals, sky.sun, sky.dni)
    by_month = np.stack([hourly[:, sky.month == m].sum(axis=1) for m in range(12)], axis=1)
    np.testing.assert_allclose(b, by_month, rtol=1e-12, atol=1e-9)
    free = np.stack([(sky.dni * np.maximum(sky.sun[:, 2], 0))[sky.month == m].sum() for m in range(12)])
    np.testing.assert_allclose(bf, np.broadcast_to(free, bf.shape), rtol=1e-12)
    assert (b < bf).any() and (b <= bf + 1e-9).all() and (c <= cf + 1e-9).all()


def test_point_in_polygon_and_layout_kernels_against_plain_loops():
    from twin.kernels.solar_layout import layout_modules
    from twin.solar.surfaces import contains_points, flat_rings

    rng = np.random.default_rng(4)
    polys = np.array([shapely.Polygon([(0, 0), (10, 0), (10, 6), (4, 6), (4, 10), (0, 10)], [[(1, 1), (2, 1), (2, 2), (1, 2)]]),
                      shapely.MultiPolygon([shapely.box(20, 0, 25, 5), shapely.box(30, 0, 33, 3)])], dtype=object)
    owner = rng.integers(0, 2, 4000)
    x = np.where(owner == 0, rng.uniform(-1, 11, 4000), rng.uniform(19, 34, 4000))
    y = rng.uniform(-1, 11, 4000)
    got = contains_points(polys, owner, x, y)
    ref = np.array([polys[o].contains(shapely.Point(a, b)) for o, a, b in zip(owner, x, y)])
    assert (got == ref).all()
    # layout: slots 1 x 2 from (0.05, 0.05); reference by shapely box containment and nearest sensor
    su = np.array([1.0, 1.0])
    sv = np.array([2.0, 2.0])
    u0 = np.array([0.05, 20.05])
    v0 = np.array([0.05, 0.05])
    nu = np.array([10, 13])
    nv = np.array([5, 3])
    sens_uv = np.array([[5.0, 3.0], [2.0, 8.0], [22.0, 2.0], [31.0, 1.0]])
    ok = np.array([True, False, True, True])
    offsets = np.array([0, 2, 4])
    out = np.zeros(2, dtype=np.int64)
    layout_modules(u0, v0, nu, nv, su, sv, sv.copy(), *flat_rings(polys), offsets, sens_uv, ok, out)
    for j in range(2):
        n = 0
        for iv in range(nv[j]):
            for iu in range(nu[j]):
                box = shapely.box(u0[j] + iu, v0[j] + 2 * iv, u0[j] + iu + 1, v0[j] + 2 * iv + 2)
                corners = shapely.get_coordinates(box)[:4]
                if not all(polys[j].contains(shapely.Point(*c)) for c in corners):
                    continue
                cu, cv = u0[j] + iu + 0.5, v0[j] + 2 * iv + 1
                s = offsets[j] + np.argmin(((sens_uv[offsets[j]:offsets[j + 1]] - [cu, cv]) ** 2).sum(axis=1))
                n += bool(ok[s])
        assert out[j] == n


def test_horizon_kernel_against_every_triangle():
    """Horizons through the grid equal a plain loop over every triangle (pitched roofs, walls,
    observers on roofs, in streets and at facades)."""
    from tests.solar_reference import horizon_reference
    from twin.solar.cadastre import CadastreOptions, scene_mesh

    rng = np.random.default_rng(11)
    boxes = [shapely.box(x, y, x + rng.uniform(6, 14), y + rng.uniform(6, 14)) for x in range(0, 60, 16) for y in range(0, 60, 17)]
    kinds = rng.choice(["", "gabled", "hipped", "pyramidal", "skillion"], len(boxes))
    frame = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(len(boxes))], "height_m": rng.uniform(5, 25, len(boxes)),
                              "roof_kind": kinds}, geometry=boxes, crs="EPSG:31370")
    mesh, _ = scene_mesh(frame, CadastreOptions(kinds=("roof", "wall")))
    origins = np.column_stack([rng.uniform(-5, 65, 25), rng.uniform(-5, 65, 25), rng.uniform(0.5, 20, 25)])
    grid = SceneGrid.build(mesh.tri, mesh.tri_building, points=origins)
    got = grid.horizons(origins, n_sectors=24, max_distance_m=40.0)
    for o in range(len(origins)):
        ref = horizon_reference(origins[o], 24, mesh.tri, 40.0)
        np.testing.assert_allclose(got[o], ref, atol=1e-9)
    assert (got > 5).mean() > 0.2


_CACHE_SCRIPT = """
import numpy as np
from twin.kernels import solar_grid as g, solar_sky as s
from twin.solar.grid import SceneGrid
tri = np.array([[[0, 0, 0], [10, 0, 0], [10, 0, 10]], [[0, 5, 0], [10, 5, 0], [10, 5, 5]]], dtype=float)
grid = SceneGrid.build(tri, np.array([0, 1]), points=np.array([[5.0, 2.0, 1.0]]))
o, n, sun = np.array([[5.0, 2.0, 1.0]]), np.array([[0.0, 0.0, 1.0]]), np.array([[0.0, 0.6, 0.8]])
grid.horizons(o, n_sectors=8)
grid.direct_hourly(o, n, sun, np.array([800.0]))
grid.beam_monthly(o, n, sun, np.array([800.0]), np.array([10.0]), np.array([0]))
w = s.PVWeather(sun, *(np.array([v]) for v in (800.0, 10.0, 100.0, 5.0, 40.0, 20.0, 2.0)))
system = s.PVSystem(1000.0, -0.004, -3.56, -0.075, 3.0, 1.526, 0.002, 0.96, 0.9637, 1.2)
s.pv_annual(n, w, system, *(np.zeros(1) for _ in range(4)))
s.pv_hourly(n[0], w, system, np.zeros(1), np.zeros(1))
for f in (g.horizon_elevations, g.direct_hourly, g.beam_annual_exact, s.pv_annual, s.pv_hourly):
    print(f.__name__, sum(f.stats.cache_hits.values()), sum(f.stats.cache_misses.values()))
"""


def test_grouped_argument_kernels_load_from_the_disk_cache_in_a_second_process(tmp_path):
    """The kernels that take :class:`GridArrays`, :class:`PVWeather` and :class:`PVSystem`
    (issue 19: at most 16 arguments) are stored by Numba's disk cache and loaded, not
    compiled, by a later process."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba"), "TWIN_NUMBA_THREADS": "1"}
    runs = [subprocess.run([sys.executable, "-c", _CACHE_SCRIPT], capture_output=True, text=True, env=env, timeout=600) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr[-2000:]
    second = {name: (int(hits), int(misses)) for name, hits, misses in (line.split() for line in runs[1].stdout.splitlines())}
    assert len(second) == 5
    assert all(hits == 1 and misses == 0 for hits, misses in second.values()), second


def test_walk_start_against_marching_along_the_ray():
    """The shared start of the cell walk (:func:`twin.kernels.solar_grid._walk_start`) against a
    plain march along the ray in 1 mm steps: same start cell, and the first cell change happens
    at the first boundary it predicts, into the neighbour its steps say, then again after
    ``t_dx`` / ``t_dy`` along each axis."""
    from twin.kernels.solar_grid import _walk_start

    rng = np.random.default_rng(5)
    x0, y0, cell = -3.0, 7.0, 2.5
    for _ in range(200):
        ox, oy = rng.uniform(-3, 20, 2)
        ang = rng.uniform(0, 2 * math.pi)
        dx, dy = (math.cos(ang), math.sin(ang)) if rng.random() > 0.1 else ((1.0, 0.0), (0.0, -1.0), (-1.0, 0.0))[rng.integers(3)]
        ci, cj, si, sj, tx, ty, tdx, tdy = _walk_start(ox, oy, dx, dy, x0, y0, cell)
        assert (ci, cj) == (math.floor((ox - x0) / cell), math.floor((oy - y0) / cell))
        assert (si, sj) == (int(np.sign(dx)), int(np.sign(dy)))
        crossings = []
        prev = (ci, cj)
        for t in np.arange(0.0, 3 * cell, 1e-3):
            c = (math.floor((ox + t * dx - x0) / cell), math.floor((oy + t * dy - y0) / cell))
            if c != prev:
                crossings.append((t, c[0] - prev[0], c[1] - prev[1]))
                prev = c
        want = sorted([(tx + k * tdx, si, 0) for k in range(3) if math.isfinite(tx)] + [(ty + k * tdy, 0, sj) for k in range(3) if math.isfinite(ty)])
        want = [w for w in want if w[0] < 3 * cell - 1e-3]
        assert len(crossings) == len(want)
        for (t, di, dj), (tw, wi, wj) in zip(crossings, want):
            assert abs(t - tw) <= 1.5e-3 and (di, dj) == (wi, wj)


def test_window_max_against_scipy_maximum_filter():
    """The square window maximum of the grid's cell tops (row pass :func:`window_max_rows`, van
    Herk / Gil-Werman, then :func:`window_max_at` per query cell) equals SciPy's ``maximum_filter``
    (constant -inf outside) at every cell, on shapes narrower and wider than the window."""
    from scipy.ndimage import maximum_filter

    from twin.kernels.solar_grid import window_max_at, window_max_rows

    rng = np.random.default_rng(3)
    for ny, nx, r in [(1, 1, 0), (1, 1, 3), (5, 7, 1), (37, 23, 4), (3, 50, 14), (60, 2, 14), (100, 100, 14)]:
        z = rng.normal(size=(ny, nx))
        z[rng.random((ny, nx)) < 0.3] = -np.inf
        rows = np.empty_like(z)
        window_max_rows(z, r, rows)
        cj, ci = (a.ravel() for a in np.mgrid[0:ny, 0:nx])
        out = np.empty(ny * nx)
        window_max_at(rows, r, ci, cj, out)
        ref = maximum_filter(np.where(np.isfinite(z), z, -1e300), size=2 * r + 1, mode="constant", cval=-1e300)
        ref[ref < -1e299] = -np.inf
        assert np.array_equal(out, ref.ravel()), (ny, nx, r)


def test_grouped_sky_view_equals_the_per_plane_kernel():
    """:func:`sky_view_factors_grouped` (quadrature summed once per orientation group and sector)
    equals :func:`sky_view_factors` plane by plane, for vertical, tilted, flat and downward planes."""
    from twin.kernels.solar_sky import sky_view_factors, sky_view_factors_grouped

    rng = np.random.default_rng(8)
    tilt = np.radians([90.0, 90.0, 35.0, 0.0, 120.0, 90.0])
    azim = np.radians([0.0, 180.0, 135.0, 0.0, 270.0, 77.0])
    n = 400
    group = rng.integers(0, len(tilt), n)
    hz = np.where(rng.random((n, 36)) < 0.4, 0.0, rng.uniform(0, 90, (n, 36)))
    hz[:5] = 0.0
    hz[5:8] = 90.0
    iso_a, band_a, iso_b, band_b = (np.empty(n) for _ in range(4))
    sky_view_factors(hz, tilt[group], azim[group], 8, 0.5, iso_a, band_a)
    sky_view_factors_grouped(hz, group, tilt, azim, 8, 0.5, iso_b, band_b)
    np.testing.assert_allclose(iso_b, iso_a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(band_b, band_a, rtol=0, atol=1e-12)
    assert (iso_a < 0.99).mean() > 0.5 and (band_a < 1).any()
