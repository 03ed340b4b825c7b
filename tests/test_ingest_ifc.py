"""IFC reader: counts, areas, orientation, U-values and broken files, checked against the files.

Every expected number is read from the IFC file with ifcopenshell directly (counts, quantity
sets, placements, TrueNorth, properties) or computed by hand in the test; never from our
reader's own output.
"""

from __future__ import annotations

import json
import math
import os
from functools import cache

import numpy as np
import pytest
import shapely

from tests.conftest import shared_path
from twin.errors import InputError, ParseError, SubprocessCrash, TwinError

ifcopenshell = pytest.importorskip("ifcopenshell")
import ifcopenshell.util.element as ue
import ifcopenshell.util.placement as up

from twin.ingest.ifc import read_ifc

FZK = "AC20-FZK-Haus.ifc"
# FZK-Haus TrueNorth, IfcGeometricRepresentationContext #60: IfcDirection((0.766044443119,0.642787609687))
# True north in model coordinates (a, b): the azimuth of the model's +Y axis is atan2(-a, b) = -50 deg.
FZK_Y_AZIMUTH_DEG = math.degrees(math.atan2(-0.766044443119, 0.642787609687)) % 360.0
# FZK-Haus IfcSite RefLatitude (49, 6, 1, 566000), RefLongitude (8, 26, 11, 540400)
FZK_LAT = 49 + 6 / 60 + 1.566 / 3600
FZK_LON = 8 + 26 / 60 + 11.5404 / 3600
# a transverse Mercator centred on the site: grid north = true north there, scale 1
FZK_LOCAL_CRS = f"+proj=tmerc +lat_0={FZK_LAT} +lon_0={FZK_LON} +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
PLACE = {"origin": (150000.0, 170000.0), "crs": "EPSG:31370"}  # for files without georeference

GOOD_FILES = {
    FZK: {"scene_crs": FZK_LOCAL_CRS},
    "duplex.ifc": {},
    "IfcOpenHouse_IFC4.ifc": PLACE,
    "Schependomlaan_XELLA-Begane_grond.ifc": PLACE,
    "Office_A_20110811.ifc": {},
}


@cache
def _read(name: str):
    return read_ifc(shared_path("bim", name), **GOOD_FILES[name])


@cache
def _model(name: str):
    return ifcopenshell.open(str(shared_path("bim", name)))


def _elements(result, ifc_class=None, kind=None):
    e = result.layers["elements"]
    if ifc_class is not None:
        e = e[e["ifc_class"] == ifc_class]
    if kind is not None:
        e = e[e["kind"] == kind]
    return e


# --------------------------------------------------------------------------- counts, every file
@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n.startswith("Office") else n for n in GOOD_FILES],
)
def test_counts_match_ifcopenshell(name):
    model = _model(name)
    result = _read(name)
    layers = result.layers
    assert len(layers["buildings"]) == len(model.by_type("IfcBuilding"))
    assert len(layers["storeys"]) == len(model.by_type("IfcBuildingStorey"))
    assert len(layers["spaces"]) == len(model.by_type("IfcSpace"))
    dropped = {d.obj.split(":", 1)[1].split("#")[0]: d.reason for d in result.dropped}
    # every wall, window, door and slab of the file is in the elements layer or dropped with a reason
    for cls in ("IfcWall", "IfcWindow", "IfcDoor", "IfcSlab"):
        expected = {e.GlobalId for e in model.by_type(cls)}
        got = set(layers["elements"].loc[layers["elements"]["ifc_class"].isin(_subclasses(model, cls)), "source_id"])
        assert got | (expected & dropped.keys()) == expected, cls
        assert not got & dropped.keys()
    walls = _elements(result, kind="wall")
    assert len(walls) == len(model.by_type("IfcWall"))
    assert len(_elements(result, kind="door")) == len(model.by_type("IfcDoor"))
    assert len(_elements(result, kind="window")) == len(model.by_type("IfcWindow")) + len(model.by_type("IfcCurtainWall"))
    # the only slabs left out are stair landings and slabs outside the footprint
    for gid, reason in dropped.items():
        entity = model.by_guid(gid)
        if entity.is_a("IfcSlab"):
            assert entity.PredefinedType == "LANDING" or "outside the building footprint" in reason
    e = layers["elements"]
    assert np.all(e["area_m2"] > 0)
    assert e["tilt_deg"].between(0, 180).all()
    assert e["boundary"].isin(["exterior", "interior", "ground", "party"]).all()
    assert e["element_id"].is_unique


def _subclasses(model, cls):
    return {x.is_a() for x in model.by_type(cls)} | {cls}


def test_every_space_has_area_and_volume():
    for name in (FZK, "duplex.ifc"):
        spaces = _read(name).layers["spaces"]
        assert (spaces["floor_area_m2"] > 0).all() and (spaces["volume_m3"] > 0).all()


def test_duplex_space_volumes_match_revit_dimensions():
    """Spaces without quantity sets: volume from the mesh vs Revit's own 'PSet_Revit_Dimensions'."""
    model = _model("duplex.ifc")
    spaces = _read("duplex.ifc").layers["spaces"].set_index("space_id")
    checked = 0
    for space in model.by_type("IfcSpace"):
        revit = ue.get_psets(space).get("PSet_Revit_Dimensions", {})
        if revit.get("Volume"):
            ours = spaces.loc[f"ifc:{space.GlobalId}", "volume_m3"]
            assert ours == pytest.approx(revit["Volume"], rel=0.05), space.Name
            checked += 1
    assert checked == len(model.by_type("IfcSpace")) == 21


# --------------------------------------------------------------------------- FZK-Haus: areas
def _qto(entity, key):
    for props in ue.get_psets(entity, qtos_only=True).values():
        if key in props:
            return float(props[key])
    raise KeyError(key)


def test_fzk_exterior_walls_within_5pct_of_quantity_sets():
    model = _model(FZK)
    walls = _elements(_read(FZK), kind="wall").set_index("source_id")
    ours_total = theirs_total = 0.0
    exterior = [w for w in model.by_type("IfcWall") if w.Name.startswith("Wand-Ext")]
    assert len(exterior) == 8
    for wall in exterior:
        theirs = _qto(wall, "NetSideArea")  # BaseQuantities.NetSideArea written by ArchiCAD
        ours = walls.loc[wall.GlobalId, "area_m2"]
        assert ours == pytest.approx(theirs, rel=0.05), wall.Name
        assert walls.loc[wall.GlobalId, "boundary"] == "exterior"
        ours_total += ours
        theirs_total += theirs
    assert ours_total == pytest.approx(theirs_total, rel=0.02)
    for wall in model.by_type("IfcWall"):
        if wall.Name.startswith("Wand-Int"):
            assert walls.loc[wall.GlobalId, "boundary"] == "interior"


def test_fzk_windows_and_doors_within_5pct_of_quantity_sets():
    model = _model(FZK)
    elements = _read(FZK).layers["elements"].set_index("source_id")
    for cls in ("IfcWindow", "IfcDoor"):
        for item in model.by_type(cls):
            theirs = _qto(item, "Area")  # BaseQuantities.Area (the round OG windows: pi/4 m2)
            assert elements.loc[item.GlobalId, "area_m2"] == pytest.approx(theirs, rel=0.05), item.Name
            assert elements.loc[item.GlobalId, "area_source"] == "geometry"


def test_fzk_hosts_from_fills_and_voids_relations():
    model = _model(FZK)
    elements = _read(FZK).layers["elements"].set_index("source_id")
    for item in model.by_type("IfcWindow") + model.by_type("IfcDoor"):
        host = item.FillsVoids[0].RelatingOpeningElement.VoidsElements[0].RelatingBuildingElement
        assert elements.loc[item.GlobalId, "host_id"] == f"ifc:{host.GlobalId}"
        # an opening faces where its wall faces
        assert elements.loc[item.GlobalId, "azimuth_deg"] == pytest.approx(elements.loc[host.GlobalId, "azimuth_deg"])


def test_fzk_building_row():
    model = _model(FZK)
    result = _read(FZK)
    b = result.layers["buildings"].iloc[0]
    building = model.by_type("IfcBuilding")[0]
    common = ue.get_psets(building)["Pset_BuildingCommon"]
    assert b["building_id"] == f"ifc:{building.GlobalId}"
    assert b["n_storeys"] == common["NumberOfStoreys"] == 2
    assert b["construction_year"] == float(common["YearOfConstruction"])
    assert b["use"] == "residential" and not b["use_defaulted"]  # OccupancyType 'citygml:1000 (residential building)'
    assert (b["use_source"], b["height_m_source"], b["n_storeys_source"], b["construction_year_source"]) == ("data",) * 4
    # footprint vs the ground slab (Bodenplatte BaseQuantities.GrossArea = 120 m2, a 12 x 10 m plate)
    slab = next(s for s in model.by_type("IfcSlab") if s.PredefinedType == "BASESLAB")
    assert b["footprint_area_m2"] == pytest.approx(_qto(slab, "GrossArea"), rel=0.02)
    # net floor area = sum of the spaces' NetFloorArea
    total = sum(_qto(s, "NetFloorArea") for s in model.by_type("IfcSpace"))
    assert b["floor_area_m2"] == pytest.approx(total, rel=1e-9)
    # storeys: elevations of the file, heights from one to the next
    storeys = result.layers["storeys"].sort_values("elevation_m")
    assert storeys["elevation_m"].tolist() == pytest.approx(sorted(s.Elevation for s in model.by_type("IfcBuildingStorey")))
    assert storeys["height_m"].iloc[0] == pytest.approx(2.7)


def test_fzk_slabs_boundary_and_roof_tilt():
    model = _model(FZK)
    elements = _elements(_read(FZK)).set_index("source_id")
    for slab in model.by_type("IfcSlab"):
        row = elements.loc[slab.GlobalId]
        if slab.PredefinedType == "BASESLAB":
            assert row["kind"] == "floor" and row["boundary"] == "ground" and row["tilt_deg"] == pytest.approx(180.0)
        elif slab.PredefinedType == "ROOF":
            assert row["kind"] == "roof" and row["boundary"] == "exterior"
            # the extrusion's profile plane: IfcExtrudedAreaSolid.Position.Axis = (0, +-0.5, 0.866)
            solid = next(i for r in slab.Representation.Representations if r.RepresentationIdentifier == "Body" for i in r.Items)
            axis = np.array(solid.Position.Axis.DirectionRatios, dtype=float)
            assert row["tilt_deg"] == pytest.approx(math.degrees(math.acos(axis[2])), abs=0.1)  # 30 deg
            model_az = math.degrees(math.atan2(axis[0], axis[1]))
            assert _angle_diff(row["azimuth_deg"], model_az + FZK_Y_AZIMUTH_DEG) < 0.1
            assert row["area_m2"] == pytest.approx(_qto(slab, "GrossArea"), rel=0.05)
        else:
            assert row["kind"] == "floor" and row["boundary"] == "interior"


def _angle_diff(a, b):
    return abs((a - b + 180.0) % 360.0 - 180.0)


def test_fzk_wall_azimuths_from_placements_and_true_north():
    """Outward normal of each exterior wall = +-local Y of its placement, turned by TrueNorth."""
    model = _model(FZK)
    walls = _elements(_read(FZK), kind="wall").set_index("source_id")
    exterior = [w for w in model.by_type("IfcWall") if w.Name.startswith("Wand-Ext")]
    centres = {}
    for w in exterior:
        m = np.array(up.get_local_placement(w.ObjectPlacement))
        centres[w.GlobalId] = (m[:3, 3] + 0.5 * _qto(w, "Length") * m[:3, 0])[:2], m[:2, 1]
    house = np.mean([c for c, _ in centres.values()], axis=0)
    for w in exterior:
        centre, y_axis = centres[w.GlobalId]
        normal = y_axis if np.dot(y_axis, centre - house) > 0 else -y_axis
        expected = math.degrees(math.atan2(normal[0], normal[1])) + FZK_Y_AZIMUTH_DEG
        assert _angle_diff(walls.loc[w.GlobalId, "azimuth_deg"], expected) < 0.1, w.Name
        assert walls.loc[w.GlobalId, "tilt_deg"] == pytest.approx(90.0, abs=0.1)


def test_fzk_u_values_from_the_property_sets():
    """The file's conductivities are 0 (placeholders): U comes from Pset_*Common.ThermalTransmittance."""
    model = _model(FZK)
    elements = _elements(_read(FZK)).set_index("source_id")
    for cls in ("IfcWall", "IfcSlab", "IfcWindow", "IfcDoor"):
        for item in model.by_type(cls):
            common = next(v for k, v in ue.get_psets(item).items() if k.endswith("Common"))
            row = elements.loc[item.GlobalId]
            assert row["u_value_w_m2k"] == pytest.approx(common["ThermalTransmittance"])
            assert row["u_value_source"] == "property" and not row["u_defaulted"]


# --------------------------------------------------------------------------- FZK-Haus modified: map conversion + conductivity
@pytest.fixture(scope="module")
def fzk_georeferenced(tmp_path_factory):
    """FZK-Haus with an IfcMapConversion to EPSG:31370 and a thermal conductivity for its
    lightweight concrete, written by ifcopenshell (the reader sees a new file)."""
    model = ifcopenshell.open(str(shared_path("bim", FZK)))
    context = next(
        c
        for c in model.by_type("IfcGeometricRepresentationContext")
        if c.ContextType == "Model" and c.is_a() == "IfcGeometricRepresentationContext"
    )
    crs = model.create_entity("IfcProjectedCRS", Name="EPSG:31370")
    angle = math.radians(30.0)
    model.create_entity(
        "IfcMapConversion",
        SourceCRS=context,
        TargetCRS=crs,
        Eastings=150000.0,
        Northings=170000.0,
        OrthogonalHeight=50.0,
        XAxisAbscissa=math.cos(angle),
        XAxisOrdinate=math.sin(angle),
        Scale=1.0,
    )
    for props in model.by_type("IfcMaterialProperties"):
        if props.Name == "Pset_MaterialThermal" and props.Material.Name == "Leichtbeton 102890359":
            for prop in props.Properties:
                if prop.Name == "ThermalConductivity":
                    prop.NominalValue = model.create_entity("IfcThermalConductivityMeasure", 0.16)
    path = tmp_path_factory.mktemp("ifc") / "fzk_georeferenced.ifc"
    model.write(str(path))
    return read_ifc(path), model


@pytest.mark.slow
def test_map_conversion_places_and_rotates(fzk_georeferenced):
    result, model = fzk_georeferenced
    assert result.meta["georeference"]["method"] == "map_conversion"
    assert result.meta["crs"] == "EPSG:31370"
    b = result.layers["buildings"]
    assert str(b.crs.to_epsg()) == "31370"
    # hand computation of the map conversion on the Bodenplatte corners (model 0..12 x 0..10 m)
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    corners = np.array([[0, 0], [12, 0], [12, 10], [0, 10]], dtype=float)
    expected = np.column_stack([150000 + c * corners[:, 0] - s * corners[:, 1], 170000 + s * corners[:, 0] + c * corners[:, 1]])
    footprint = b.geometry.iloc[0]
    for x, y in expected:
        assert footprint.exterior.distance(shapely.Point(x, y)) < 0.05
    assert b["ground_z_m"].iloc[0] == pytest.approx(50.0)
    # a wall facing model +X (azimuth 90 in the model) faces 90 - 30 = 60 deg on the map
    walls = _elements(result, kind="wall").set_index("source_id")
    for w in model.by_type("IfcWall"):
        if w.Name.startswith("Wand-Ext"):
            assert round(walls.loc[w.GlobalId, "azimuth_deg"] + 30.0) % 90 == 0


@pytest.mark.slow
def test_u_value_from_layers_hand_calculation(fzk_georeferenced):
    """U of FZK's exterior wall from its layer, by hand (EN ISO 6946)."""
    result, model = fzk_georeferenced
    # layer: 'Leichtbeton 102890359', LayerThickness 0.3 m (IfcMaterialLayerSet 'Leichtbeton 102890359 0.3'
    # of the Wand-Ext walls); conductivity 0.16 W/mK written into Pset_MaterialThermal by the fixture
    # (the original file says 0.0). Surface resistances EN ISO 6946 Table 7, horizontal flow.
    r_si, r_se = 0.13, 0.04
    u_exterior = 1.0 / (r_si + 0.30 / 0.16 + r_se)  # = 0.4890 W/m2K
    # interior wall: 0.24 m of the same material, R_si on both sides
    u_interior = 1.0 / (r_si + 0.24 / 0.16 + r_si)  # = 0.5682 W/m2K
    walls = _elements(result, kind="wall").set_index("source_id")
    for w in model.by_type("IfcWall"):
        row = walls.loc[w.GlobalId]
        assert row["u_value_source"] == "layers"
        expected = u_exterior if w.Name.startswith("Wand-Ext") else u_interior
        assert row["u_value_w_m2k"] == pytest.approx(expected, rel=1e-6), w.Name
        layers = json.loads(row["layers_json"])
        assert layers[0]["conductivity_source"] == "file"


def test_u_value_duplex_exterior_wall_hand_calculation():
    """duplex 'Basic Wall:Exterior - Brick on Block': no conductivity in the file, design values."""
    # layers outside -> inside, thicknesses from duplex.ifc IfcMaterialLayerSet
    # 'Basic Wall:Exterior - Brick on Block'; conductivities from published tables
    r = 0.13 + 0.04  # R_si + R_se, EN ISO 6946 Table 7 (horizontal heat flow)
    r += 0.092 / 0.77  # 'Masonry - Brick': brickwork outer leaf 0.77 W/mK (CIBSE Guide A)
    r += 0.18  # 'Misc. Air Layers - Air Space' 25 mm: unventilated air layer, ISO 6946 Table 8
    r += 0.050 / 0.040  # 'Insulation / Thermal Barriers - Rigid insulation': 0.040 W/mK (EN 13162 typical)
    r += 0.193 / 0.51  # 'Masonry - Concrete Block': medium-density block 0.51 W/mK (CIBSE Guide A)
    r += 0.18  # 'Metal - Stud Layer' 41 mm: read as an unventilated air layer (bridging neglected)
    r += 0.016 / 0.25  # 'Plasterboard': 0.25 W/mK (EN ISO 10456 Table 3)
    expected = 1.0 / r  # = 0.4270 W/m2K
    walls = _elements(_read("duplex.ifc"), kind="wall")
    brick = walls[walls["name"].str.startswith("Basic Wall:Exterior - Brick on Block")]
    assert len(brick) >= 4
    assert np.allclose(brick["u_value_w_m2k"], expected, rtol=1e-6)
    assert (brick["u_value_source"] == "layers").all()
    # the brick is the outermost layer: the order follows the geometry (outside -> inside)
    for text in brick["layers_json"]:
        layers = json.loads(text)
        assert layers[0]["material"] == "Masonry - Brick" and layers[-1]["material"] == "Plasterboard"


def test_defaults_come_from_tabula_be():
    """IfcOpenHouse windows have no U anywhere: TABULA BE >=2012 default, flagged."""
    import pandas as pd

    tabula = pd.read_csv(shared_path("typology", "tabula_BE.csv"))
    newest = tabula[tabula["Code_BuildingVariant"] == "BE.N.SFH.06.Gen.ReEx.001.001"].iloc[0]
    result = _read("IfcOpenHouse_IFC4.ifc")
    windows = _elements(result, kind="window")
    assert len(windows) == 5
    assert (windows["u_value_w_m2k"] == newest["U_Window_1"]).all()
    assert windows["u_defaulted"].all() and (windows["u_value_source"] == "default").all()
    roofs = _elements(result, kind="roof")
    assert (roofs["u_value_w_m2k"] == newest["U_Roof_1"]).all()


def test_openhouse_caller_placement_and_window_size():
    """Placed by the caller (no georeference in the file); windows sized by OverallWidth x Height."""
    model = _model("IfcOpenHouse_IFC4.ifc")
    result = _read("IfcOpenHouse_IFC4.ifc")
    assert result.meta["georeference"]["method"] == "caller"
    windows = _elements(result, kind="window").set_index("source_id")
    for w in model.by_type("IfcWindow"):
        assert windows.loc[w.GlobalId, "area_m2"] == pytest.approx(w.OverallWidth * w.OverallHeight * 1e-6)  # mm
    # the house lies around the origin given by the caller
    centroid = result.layers["buildings"].geometry.iloc[0].centroid
    assert math.hypot(centroid.x - PLACE["origin"][0], centroid.y - PLACE["origin"][1]) < 20.0


# --------------------------------------------------------------------------- bad input
def test_no_georeference_is_an_input_error():
    path = shared_path("bim", "IfcOpenHouse_IFC4.ifc")
    with pytest.raises(InputError, match="no georeference") as info:
        read_ifc(path)
    assert str(path) in str(info.value)


def test_lfs_pointer_is_a_parse_error():
    path = shared_path("bim", "broken_Schependomlaan_V_L_Constructief_LFS_pointer.ifc")
    with pytest.raises(ParseError, match="Git LFS pointer") as info:
        read_ifc(path)
    assert str(path) in str(info.value)


def test_unterminated_string_is_a_parse_error():
    path = shared_path("bim", "broken_web-ifc_unterminated-string.ifc")
    with pytest.raises(ParseError) as info:
        read_ifc(path)
    message = str(info.value)
    assert str(path) in message
    assert "never closed" in message and "ISO-10303-21" in message


def test_cyclic_placement_crash_is_contained():
    """ifcopenshell's iterator segfaults on this file; the child dies, this interpreter goes on."""
    path = shared_path("bim", "broken_web-ifc_cyclic-placement.ifc")
    pid = os.getpid()
    with pytest.raises(SubprocessCrash) as info:
        read_ifc(path)
    message = str(info.value)
    assert str(path) in message
    assert "SIGSEGV" in message or "signal" in message
    assert "cyclic placement" in message and "#22" in message
    assert os.getpid() == pid  # still the same, living process
    assert isinstance(info.value, TwinError)


def test_timeout_is_a_subprocess_crash():
    path = shared_path("bim", FZK)
    with pytest.raises(SubprocessCrash, match="did not finish within"):
        read_ifc(path, timeout_s=0.05)


def test_missing_file_and_bad_options():
    with pytest.raises(InputError, match="file not found"):
        read_ifc("/nonexistent/model.ifc")
    with pytest.raises(InputError, match="timeout_s"):
        read_ifc(shared_path("bim", FZK), timeout_s=0)


# --------------------------------------------------------------------------- through the dispatcher into a scene
def test_permit_application_inserted_into_a_scene():
    from twin.ingest import ingest

    path = shared_path("bim", "IfcOpenHouse_IFC4.ifc")
    scene, _ = ingest([path], origin=(148500.0, 168700.0), crs="EPSG:31370", rotation_deg=20.0)
    assert scene.counts()["buildings"] == 1
    assert scene.crs.to_epsg() == 31370
    facades = scene.facades()
    assert len(facades) >= 4
    walls = scene.elements[scene.elements["kind"] == "wall"]
    # IfcOpenHouse's north wall faces model +Y; rotated by 20 deg clockwise
    north = walls[walls["name"] == "North wall"]
    assert _angle_diff(north["azimuth_deg"].iloc[0], 20.0) < 0.1
