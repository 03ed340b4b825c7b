"""Small, fast checks of the IFC reader's parts: georeference, U-values, mesh measures.

Expected values are closed forms, geodesic computations with pyproj.Geod, or the numbers of
the cited standards written out here.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pyproj
import pytest

from twin.errors import CRSError, InputError
from twin.ingest import ifc_geometry as geo
from twin.ingest.ifc import diagnose_step
from twin.ingest.ifc_georef import placement_from
from twin.ingest.ifc_uvalue import air_layer_r, default_u, element_u, layered_u, lookup_material


# --------------------------------------------------------------------------- georeference
def _semantics(site=None, true_north=None, map_conversion=None, length=1.0):
    return {
        "scales": {"length": length, "area": length**2, "volume": length**3},
        "georeference": {"map_conversion": map_conversion, "site": site, "true_north": true_north, "epset": None},
    }


BRUSSELS = {"latitude_deg": 50.8333, "longitude_deg": 4.3333, "elevation_m": 60.0, "origin": [0.0, 0.0, 0.0]}


def _latlon(placement, xy):
    X, Y = placement.xy(np.array(xy, dtype=float))
    lon, lat = pyproj.Transformer.from_crs(placement.crs, "EPSG:4326", always_xy=True).transform(X, Y)
    return lat, lon


@pytest.mark.parametrize(
    "true_north, expected_azimuth", [(None, 0.0), ([0.0, 1.0], 0.0), ([1.0, 0.0], 270.0), ([-1.0, 0.0], 90.0)]
)
def test_site_latlon_distances_and_bearings_are_geodesic(true_north, expected_azimuth):
    placement = placement_from(_semantics(BRUSSELS, true_north), path="x.ifc")
    assert placement.crs.to_epsg() == 31370  # inside Belgium: the scene default
    lat0, lon0 = _latlon(placement, [0.0, 0.0])
    assert lat0 == pytest.approx(50.8333, abs=1e-7) and lon0 == pytest.approx(4.3333, abs=1e-7)
    lat1, lon1 = _latlon(placement, [0.0, 100.0])  # 100 m along the model's +Y axis
    azimuth, _, distance = pyproj.Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)
    assert distance == pytest.approx(100.0, abs=0.01)
    assert abs((azimuth - expected_azimuth + 180) % 360 - 180) < 0.01
    assert placement.z_offset_m == 60.0


def test_site_outside_belgium_goes_to_its_utm_zone():
    karlsruhe = dict(BRUSSELS, latitude_deg=49.1, longitude_deg=8.44)
    placement = placement_from(_semantics(karlsruhe), path="x.ifc")
    assert placement.crs.to_epsg() == 32632  # WGS 84 / UTM 32N
    assert placement_from(_semantics(karlsruhe), path="x.ifc", scene_crs="EPSG:25832").crs.to_epsg() == 25832


def test_azimuth_includes_grid_convergence():
    """In EPSG:31370 (central meridian 4deg22') a site at 2.6 E has grid north off true north."""
    west = dict(BRUSSELS, latitude_deg=50.9, longitude_deg=2.6)
    placement = placement_from(_semantics(west, [0.0, 1.0]), path="x.ifc")
    # grid azimuth of true north from two projected points
    tr = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True)
    x0, y0 = tr.transform(2.6, 50.9)
    x1, y1 = tr.transform(2.6, 50.91)
    true_north_grid = math.degrees(math.atan2(x1 - x0, y1 - y0)) % 360
    assert placement.azimuth_deg(np.array([0.0, 1.0, 0.0])) == pytest.approx(true_north_grid, abs=0.01)
    assert abs(true_north_grid) > 1.0  # the test means something: convergence about -1.4 deg


def test_map_conversion_in_millimetres_with_scale():
    mc = {
        "eastings": 150000.0,
        "northings": 170000.0,
        "orthogonal_height": 20.0,
        "x_axis_abscissa": 0.0,
        "x_axis_ordinate": 1.0,  # model +X points grid north
        "scale": 0.001,  # model in mm, map in m
        "crs_name": "EPSG:31370",
        "map_unit_m": None,
        "project_unit_m": 0.001,
    }
    placement = placement_from(_semantics(map_conversion=mc, length=0.001), path="x.ifc")
    # geometry reaches the reader in metres: 10 m along model +X is 10 m north
    assert placement.xy(np.array([10.0, 0.0])) == pytest.approx([150000.0, 170010.0])
    assert placement.azimuth_deg(np.array([1.0, 0.0, 0.0])) == pytest.approx(0.0)
    assert placement.azimuth_deg(np.array([0.0, 1.0, 0.0])) == pytest.approx(270.0)
    assert placement.z_offset_m == 20.0


def test_caller_placement_in_another_crs():
    # origin given in Belgian Lambert 2008, output in Lambert 72
    placement = placement_from(_semantics(), path="x.ifc", origin=(650000.0, 670000.0), crs="EPSG:3812", scene_crs="EPSG:31370")
    expected = pyproj.Transformer.from_crs("EPSG:3812", "EPSG:31370", always_xy=True).transform(650000.0, 670000.0)
    assert placement.xy(np.array([0.0, 0.0])) == pytest.approx(expected, abs=1e-6)
    rotated = placement_from(_semantics(), path="x.ifc", origin=(0.0, 0.0), crs="EPSG:31370", rotation_deg=90.0)
    assert rotated.xy(np.array([0.0, 1.0])) == pytest.approx([1.0, 0.0])  # +Y now points east


def test_georeference_errors():
    with pytest.raises(InputError, match="no georeference"):
        placement_from(_semantics(), path="plan.ifc")
    with pytest.raises(CRSError):
        placement_from(_semantics(), path="plan.ifc", origin=(4.3, 50.8), crs="EPSG:4326")
    with pytest.raises(InputError, match="origin"):
        placement_from(_semantics(), path="plan.ifc", origin=(1.0,), crs="EPSG:31370")


# --------------------------------------------------------------------------- U-values
def test_layered_u_single_layer():
    layers = [{"material": "x", "thickness_m": 0.2, "conductivity_w_mk": 0.5, "conductivity_source": "file"}]
    u, _ = layered_u(layers, "horizontal", interior=False)
    assert u == pytest.approx(1.0 / (0.13 + 0.2 / 0.5 + 0.04))
    u_roof, _ = layered_u(layers, "upward", interior=False)
    assert u_roof == pytest.approx(1.0 / (0.10 + 0.4 + 0.04))
    u_int, _ = layered_u(layers, "horizontal", interior=True)
    assert u_int == pytest.approx(1.0 / (0.13 + 0.4 + 0.13))


def test_air_layers_iso6946_table8():
    assert air_layer_r(0.025, "horizontal") == pytest.approx(0.18)
    assert air_layer_r(0.100, "horizontal") == pytest.approx(0.18)
    assert air_layer_r(0.010, "upward") == pytest.approx(0.15)
    assert air_layer_r(0.050, "downward") == pytest.approx(0.21)
    assert air_layer_r(0.020, "horizontal") == pytest.approx(0.175)  # halfway between 15 and 25 mm


def test_ventilated_layer_drops_the_outer_layers():
    # brick | ventilated cavity | insulation: ISO 6946 6.9.4, brick and cavity ignored, R_se = R_si
    layers = [
        {"material": "brick", "thickness_m": 0.1, "conductivity_w_mk": 0.77, "conductivity_source": "file"},
        {
            "material": "cavity",
            "thickness_m": 0.04,
            "conductivity_w_mk": None,
            "conductivity_source": "air layer",
            "ventilated": True,
        },
        {"material": "mineral wool", "thickness_m": 0.12, "conductivity_w_mk": 0.035, "conductivity_source": "file"},
    ]
    u, annotated = layered_u(layers, "horizontal", interior=False)
    assert u == pytest.approx(1.0 / (0.13 + 0.12 / 0.035 + 0.13))
    assert annotated[0]["r_m2k_w"] == 0.0


def test_precedence_of_u_value_sources():
    file_layer = [{"material": "Leichtbeton", "thickness_m": 0.3, "conductivity_w_mk": 0.2, "ventilated": "UNKNOWN"}]
    table_layer = [{"material": "Leichtbeton", "thickness_m": 0.3, "conductivity_w_mk": None, "ventilated": "UNKNOWN"}]
    unknown_layer = [{"material": "Solid 397409098", "thickness_m": 0.3, "conductivity_w_mk": None, "ventilated": "UNKNOWN"}]
    kw = {"kind": "wall", "boundary": "exterior", "tilt_deg": 90.0, "year": None}
    a = element_u(layers=file_layer, thermal_transmittance=0.4, **kw)
    assert a.source == "layers" and a.u_value_w_m2k == pytest.approx(1 / (0.17 + 1.5))
    b = element_u(layers=table_layer, thermal_transmittance=0.4, **kw)
    assert b.source == "property" and b.u_value_w_m2k == 0.4
    c = element_u(layers=table_layer, thermal_transmittance=None, **kw)
    assert c.source == "layers" and c.u_value_w_m2k == pytest.approx(
        1 / (0.17 + 0.3 / lookup_material("Leichtbeton").conductivity_w_mk)
    )
    assert json.loads(c.layers_json)[0]["conductivity_source"].startswith("table:lightweight_concrete")
    d = element_u(layers=unknown_layer, thermal_transmittance=None, **kw)
    assert d.source == "default" and d.defaulted and d.u_value_w_m2k == 0.23


def test_defaults_by_period_and_interior():
    assert default_u("wall", "exterior", 1960.0)[0] == 1.70  # TABULA BE.N.SFH.02 (1946-1970)
    assert default_u("window", "exterior", None)[0] == 1.7  # newest period
    u, source = default_u("wall", "interior")
    # 15 mm plaster (0.57) + 100 mm brick (0.77) + 15 mm plaster, R_si 0.13 on both sides
    assert u == pytest.approx(1 / (0.26 + 0.015 / 0.57 + 0.1 / 0.77 + 0.015 / 0.57))
    assert "interior" in source


def test_material_lookup():
    assert lookup_material("Stahlbeton 65690").key == "reinforced_concrete"
    assert lookup_material("Masonry - Concrete Block").key == "concrete_block"
    assert lookup_material("Metal - Stud Layer").conductivity_w_mk is None  # a cavity
    assert lookup_material("Solid 397409098") is None


# --------------------------------------------------------------------------- mesh measures
def _box(x0, y0, z0, x1, y1, z1) -> geo.Mesh:
    v = np.array([[x, y, z] for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)], dtype=float)
    # outward-oriented triangles of the 6 faces (vertex index = 4*ix + 2*iy + iz)
    quads = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    f = []
    for a, b, c, d in quads:
        f += [(a, b, c), (a, c, d)]
    return geo.Mesh(v, np.array(f))


def test_box_wall_sides_area_and_volume():
    wall = _box(0, 0, 0, 4.0, 0.3, 2.5)
    sides = geo.wall_sides(wall)
    assert sides.area_a_m2 == pytest.approx(10.0) and sides.area_b_m2 == pytest.approx(10.0)
    assert abs(sides.normal[1]) == pytest.approx(1.0)
    assert wall.volume_m3() == pytest.approx(4.0 * 0.3 * 2.5)
    assert geo.ground_outline(wall).area == pytest.approx(1.2)


def test_inconsistent_faces_are_reoriented():
    box = _box(0, 0, 0, 2.0, 3.0, 4.0)
    faces = box.faces.copy()
    faces[[1, 4, 7]] = faces[[1, 4, 7]][:, ::-1]  # flip three triangles
    broken = geo.Mesh(box.verts, faces)
    assert broken.volume_m3() == pytest.approx(24.0)
    assert broken.floor_area_m2() == pytest.approx(6.0)


def test_window_silhouette_and_thin_axis():
    window = _box(0, 0, 0, 1.2, 0.08, 1.5)
    axis = geo.thin_axis(window)
    assert abs(axis[1]) == pytest.approx(1.0)
    assert geo.silhouette_area(window, axis) == pytest.approx(1.8)


def test_slab_faces_of_a_pitched_plate():
    # a 0.2 m plate rotated 30 degrees about the x axis: top normal (0, -sin30, cos30)
    plate = _box(0, 0, 0, 5.0, 4.0, 0.2)
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    rot = np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    pitched = geo.Mesh(plate.verts @ rot.T, plate.faces)
    face, total = geo.slab_faces(pitched, up=True)
    assert geo.tilt_deg(face.normal) == pytest.approx(30.0)
    assert face.area_m2 == pytest.approx(20.0) and total == pytest.approx(20.0)


# --------------------------------------------------------------------------- STEP diagnosis
def test_diagnose_step(tmp_path):
    good = tmp_path / "ok.ifc"
    good.write_text("ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\n#1=IFCLABEL('it''s');\nENDSEC;\nEND-ISO-10303-21;\n")
    assert diagnose_step(good) == []
    bad = tmp_path / "bad.ifc"
    bad.write_text("ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\n#1=IFCLABEL('a');\n#2=IFCLABEL('open\n")
    reasons = diagnose_step(bad)
    assert "string opened on line 6 is never closed" in reasons
    assert any("END-ISO-10303-21" in r for r in reasons)
