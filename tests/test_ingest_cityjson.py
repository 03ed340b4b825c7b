"""CityJSON reader: hand-made documents with analytic answers, and the three real files.

Counts on the real files are obtained with ``json`` directly, footprints with an independent
shapely computation from the raw JSON, heights against the file's own attributes (Delft).
"""

from __future__ import annotations

import copy
import json
import math
from collections import Counter

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from tests.conftest import shared_path
from twin.errors import CRSError, ParseError, TwinError
from twin.ingest import ingest
from twin.ingest.cityjson import read_cityjson

SCALE = 0.001
TRANSLATE = [100000.0, 400000.0, 0.0]
SLOPE_DEG = 30.0


# --------------------------------------------------------------------------- a hand-made document
class DocBuilder:
    """Collects real-world vertices and returns a CityJSON document with integer vertices."""

    def __init__(self, version: str = "2.0") -> None:
        self.points: list[tuple[float, float, float]] = []
        self.objects: dict[str, dict] = {}
        self.version = version

    def v(self, x: float, y: float, z: float) -> int:
        self.points.append((x, y, z))
        return len(self.points) - 1

    def doc(self, reference_system: str | None = "https://www.opengis.net/def/crs/EPSG/0/7415") -> dict:
        verts = [
            [round(p[i] / SCALE) for i in range(3)] for p in self.points
        ]
        out = {
            "type": "CityJSON",
            "version": self.version,
            "transform": {"scale": [SCALE] * 3, "translate": TRANSLATE},
            "CityObjects": copy.deepcopy(self.objects),
            "vertices": verts,
        }
        if reference_system is not None:
            out["metadata"] = {"referenceSystem": reference_system}
        return out


def box_faces(b: DocBuilder, x0, y0, z0, dx, dy, dz):
    """Faces of an axis-aligned box, counter-clockwise seen from outside.

    Returns (faces, kinds) with kinds in bottom, south, east, north, west, top order.
    """
    x1, y1, z1 = x0 + dx, y0 + dy, z0 + dz
    p = [b.v(x0, y0, z0), b.v(x1, y0, z0), b.v(x1, y1, z0), b.v(x0, y1, z0),
         b.v(x0, y0, z1), b.v(x1, y0, z1), b.v(x1, y1, z1), b.v(x0, y1, z1)]
    faces = [
        [[p[0], p[3], p[2], p[1]]],  # bottom, facing down
        [[p[0], p[1], p[5], p[4]]],  # south wall, azimuth 180
        [[p[1], p[2], p[6], p[5]]],  # east wall, azimuth 90
        [[p[2], p[3], p[7], p[6]]],  # north wall, azimuth 0
        [[p[3], p[0], p[4], p[7]]],  # west wall, azimuth 270
        [[p[4], p[5], p[6], p[7]]],  # top, facing up
    ]
    return faces, ["ground", "wall", "wall", "wall", "wall", "roof"]


def gable_faces(b: DocBuilder, x0, y0, dx, dy, eave_z, slope_deg):
    """A gable house, ridge along x at mid-y; returns (faces, kinds, ridge_z)."""
    x1, y1, ym = x0 + dx, y0 + dy, y0 + dy / 2
    zr = eave_z + (dy / 2) * math.tan(math.radians(slope_deg))
    p = [b.v(x0, y0, 0), b.v(x1, y0, 0), b.v(x1, y1, 0), b.v(x0, y1, 0),
         b.v(x0, y0, eave_z), b.v(x1, y0, eave_z), b.v(x1, y1, eave_z), b.v(x0, y1, eave_z),
         b.v(x0, ym, zr), b.v(x1, ym, zr)]
    faces = [
        [[p[0], p[3], p[2], p[1]]],
        [[p[0], p[1], p[5], p[4]]],
        [[p[1], p[2], p[6], p[9], p[5]]],
        [[p[2], p[3], p[7], p[6]]],
        [[p[3], p[0], p[4], p[8], p[7]]],
        [[p[4], p[5], p[9], p[8]]],  # south roof
        [[p[6], p[7], p[8], p[9]]],  # north roof
    ]
    return faces, ["ground", "wall", "wall", "wall", "wall", "roof", "roof"], zr


SEM = {"ground": "GroundSurface", "wall": "WallSurface", "roof": "RoofSurface"}


def solid(faces, kinds, lod="2", semantics=True) -> dict:
    g = {"type": "Solid", "lod": lod, "boundaries": [faces]}
    if semantics:
        types = list(dict.fromkeys(kinds))
        g["semantics"] = {"surfaces": [{"type": SEM[k]} for k in types], "values": [[types.index(k) for k in kinds]]}
    return g


def flat_square(b: DocBuilder, x0, y0, size, z=0.0, triangles=False):
    p = [b.v(x0, y0, z), b.v(x0 + size, y0, z), b.v(x0 + size, y0 + size, z), b.v(x0, y0 + size, z)]
    if triangles:
        return [[[p[0], p[1], p[2]]], [[p[0], p[2], p[3]]]]
    return [[p]]


def district() -> tuple[DocBuilder, dict]:
    """A house of two parts (gable + flat annex), a shed, a road, a park, a pond, a lamp, a ghost."""
    b = DocBuilder()
    house, house_kinds, ridge = gable_faces(b, 0, 0, 10, 8, 3.0, SLOPE_DEG)
    annex, annex_kinds = box_faces(b, 10, 0, 0, 5, 4, 3)
    shed, shed_kinds = box_faces(b, 30, 0, 1.0, 3, 3, 2.5)
    b.objects = {
        "house-1": {"type": "Building", "children": ["house-1-a", "house-1-b"],
                    "attributes": {"yearOfConstruction": 1932, "function": "woonfunctie", "storeysAboveGround": 2}},
        "house-1-a": {"type": "BuildingPart", "parents": ["house-1"], "geometry": [solid(house, house_kinds)]},
        "house-1-b": {"type": "BuildingPart", "parents": ["house-1"], "geometry": [solid(annex, annex_kinds)]},
        "shed": {"type": "Building", "geometry": [solid(shed, shed_kinds, lod="1.2", semantics=False)]},
        "road-1": {"type": "Road", "attributes": {"function": "rijbaan lokale weg"},
                   "geometry": [{"type": "MultiSurface", "lod": "1", "boundaries": flat_square(b, 0, -10, 4, triangles=True)}]},
        "park": {"type": "PlantCover", "attributes": {"class": "gras"},
                 "geometry": [{"type": "MultiSurface", "lod": "1", "boundaries": flat_square(b, 50, 0, 20)}]},
        "pond": {"type": "WaterBody", "geometry": [{"type": "CompositeSurface", "lod": "1", "boundaries": flat_square(b, 80, 0, 6)}]},
        "lamp": {"type": "GenericCityObject", "geometry": [{"type": "MultiSurface", "lod": "1", "boundaries": flat_square(b, 90, 0, 1)}]},
        "ghost": {"type": "Building"},
    }
    return b, {"ridge_z": ridge}


def write(tmp_path, doc, name="doc.city.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def known_and_bare_houses(tmp_path, bare_width_m: float = 10.0):
    """A CityJSON file of two LoD2 gable houses (8 m deep, eaves 6 m, roof 30 degrees): "known"
    (10 m wide, ``storeysAboveGround`` 2, a dwelling) and "bare" (``bare_width_m`` wide, no
    attributes); its path."""
    doc = DocBuilder()
    known, kinds, _ = gable_faces(doc, 0, 0, 10, 8, 6.0, 30.0)
    bare, bare_kinds, _ = gable_faces(doc, 50, 0, bare_width_m, 8, 6.0, 30.0)
    doc.objects = {"known": {"type": "Building", "attributes": {"storeysAboveGround": 2, "function": "woonfunctie"},
                             "geometry": [solid(known, kinds)]},
                   "bare": {"type": "Building", "geometry": [solid(bare, bare_kinds)]}}
    return write(tmp_path, doc.doc())


# --------------------------------------------------------------------------- analytic checks
def test_district_counts_and_drops(tmp_path):
    b, _ = district()
    res = read_cityjson(write(tmp_path, b.doc()))
    assert res.meta["crs"] == "EPSG:28992"  # horizontal part of 7415
    assert set(res.layers["buildings"]["building_id"]) == {"cityjson:house-1", "cityjson:shed"}
    assert res.counts()["landcover"] == 3
    dropped = {d.obj: d.reason for d in res.dropped}
    assert set(dropped) == {"cityjson:lamp", "cityjson:ghost"}
    assert "GenericCityObject" in dropped["cityjson:lamp"]
    assert "no surface geometry" in dropped["cityjson:ghost"]


def test_parts_aggregate_into_building(tmp_path):
    b, info = district()
    res = read_cityjson(write(tmp_path, b.doc()))
    row = res.layers["buildings"].set_index("building_id").loc["cityjson:house-1"]
    assert row["footprint_area_m2"] == pytest.approx(10 * 8 + 5 * 4, abs=1e-6)
    assert row["height_m"] == pytest.approx(info["ridge_z"], abs=1e-3)
    assert row["ground_z_m"] == pytest.approx(0.0)
    assert row["n_parts"] == 2
    assert row["lod"] == "2"
    assert row["construction_year"] == 1932 and not row["year_defaulted"]
    assert row["use"] == "residential" and not row["use_defaulted"]
    assert row["n_storeys"] == 2 and not row["storeys_defaulted"]
    assert row["floor_area_m2"] == pytest.approx(200.0, abs=1e-6)
    assert row["roof_kind"] == "pitched"
    assert row["footprint_source"] == "ground_surface"
    # provenance: measured geometry and attributes are data
    assert (row["height_m_source"], row["height_m_rule"], row["n_storeys_source"]) == ("data", "geometry", "data")
    assert (row["use_source"], row["construction_year_source"], row["roof_kind_source"]) == ("data", "data", "data")


def test_surface_areas_and_orientation_analytic(tmp_path):
    b, info = district()
    res = read_cityjson(write(tmp_path, b.doc()))
    el = res.layers["elements"]
    house = el[el["building_id"] == "cityjson:house-1"]
    assert Counter(house["kind"]) == {"wall": 8, "roof": 3, "floor": 2}
    roofs = house[(house["kind"] == "roof") & (house["tilt_deg"] > 1)].sort_values("azimuth_deg")
    slope_len = 4.0 / math.cos(math.radians(SLOPE_DEG))
    # vertices are stored to the millimetre: areas within 1e-4, angles within 0.01 degree
    assert roofs["area_m2"].to_numpy() == pytest.approx([10 * slope_len] * 2, rel=1e-4)
    assert roofs["tilt_deg"].to_numpy() == pytest.approx([SLOPE_DEG] * 2, abs=0.01)
    assert roofs["azimuth_deg"].to_numpy() == pytest.approx([0.0, 180.0], abs=1e-3)
    flat_roof = house[(house["kind"] == "roof") & (house["tilt_deg"] <= 1)]
    assert flat_roof["area_m2"].iloc[0] == pytest.approx(20.0) and np.isnan(flat_roof["azimuth_deg"].iloc[0])
    floors = house[house["kind"] == "floor"]
    assert set(floors["boundary"]) == {"ground"}
    assert floors["tilt_deg"].to_numpy() == pytest.approx([180.0, 180.0])
    assert sorted(floors["area_m2"]) == pytest.approx([20.0, 80.0])
    walls = house[house["kind"] == "wall"]
    assert sorted(np.round(walls["azimuth_deg"]) % 360) == [0, 0, 90, 90, 180, 180, 270, 270]
    assert (walls["tilt_deg"].round(6) == 90).all()
    # gable wall: rectangle 8 x 3 plus triangle 8 x (ridge - 3) / 2
    gable = 8 * 3 + 8 * (info["ridge_z"] - 3) / 2
    part_a = walls[walls["source_id"].str.startswith("house-1-a/")]
    assert sorted(part_a["area_m2"]) == pytest.approx(sorted([gable, gable, 30.0, 30.0]), rel=1e-4)
    assert house["u_value_w_m2k"].isna().all() and house["u_defaulted"].all()


def test_faces_without_semantics_classified_by_tilt(tmp_path):
    b, _ = district()
    res = read_cityjson(write(tmp_path, b.doc()))
    el = res.layers["elements"]
    shed = el[el["building_id"] == "cityjson:shed"]
    assert Counter(zip(shed["kind"], shed["boundary"])) == {("wall", "exterior"): 4, ("roof", "exterior"): 1, ("floor", "ground"): 1}
    assert (shed["ifc_class"] == "").all()
    row = res.layers["buildings"].set_index("building_id").loc["cityjson:shed"]
    assert row["height_m"] == pytest.approx(2.5) and row["ground_z_m"] == pytest.approx(1.0)
    assert row["footprint_area_m2"] == pytest.approx(9.0)
    assert row["footprint_source"] == "floor_faces"
    assert row["storeys_defaulted"] and row["n_storeys"] == 1
    assert row["use_defaulted"] and row["year_defaulted"]
    # storeys from the measured height: inferred; nothing says the use: default
    assert (row["height_m_source"], row["n_storeys_source"], row["n_storeys_rule"]) == ("data", "inferred", "storeys_from_height")
    assert (row["use_source"], row["construction_year_source"]) == ("default", "default")


def test_landcover_classes_and_sealing(tmp_path):
    b, _ = district()
    lc = read_cityjson(write(tmp_path, b.doc())).layers["landcover"].set_index("landcover_id")
    assert lc.loc["cityjson:road-1", "kind"] == "road"
    assert lc.loc["cityjson:road-1", "sealed_fraction"] == 1.0
    assert lc.loc["cityjson:road-1", "cover_class"] == "rijbaan lokale weg"
    assert lc.loc["cityjson:road-1"].geometry.area == pytest.approx(16.0)
    assert lc.loc["cityjson:road-1"].geometry.geom_type == "Polygon"  # two triangles merged
    assert lc.loc["cityjson:park", "kind"] == "plantcover" and lc.loc["cityjson:park", "sealed_fraction"] == 0.0
    assert lc.loc["cityjson:park"].geometry.area == pytest.approx(400.0)
    assert lc.loc["cityjson:pond", "kind"] == "water" and lc.loc["cityjson:pond", "sealed_fraction"] == 0.0
    assert lc["sealed_defaulted"].all()


def test_lod_choice(tmp_path):
    b, _ = district()
    shed_lod2, kinds = box_faces(b, 30, 0, 1.0, 3, 3, 4.0)
    b.objects["shed"]["geometry"].append(solid(shed_lod2, kinds, lod="2.2"))
    path = write(tmp_path, b.doc())
    high = read_cityjson(path).layers["buildings"].set_index("building_id").loc["cityjson:shed"]
    assert high["lod"] == "2.2" and high["height_m"] == pytest.approx(4.0)
    low = read_cityjson(path, lod=1).layers["buildings"].set_index("building_id").loc["cityjson:shed"]
    assert low["lod"] == "1.2" and low["height_m"] == pytest.approx(2.5)
    res = read_cityjson(path, lod="3")
    assert res.counts()["buildings"] == 0
    assert any("requested LoD" in d.reason for d in res.dropped)


def test_flat_lod0_uses_height_attributes(tmp_path):
    b = DocBuilder()
    b.objects = {
        "a": {"type": "Building", "attributes": {"measuredHeight": 12.5},
              "geometry": [{"type": "MultiSurface", "lod": "0", "boundaries": flat_square(b, 0, 0, 10)}]},
        "b": {"type": "Building", "attributes": {"storeysAboveGround": 4},
              "geometry": [{"type": "MultiSurface", "lod": "0", "boundaries": flat_square(b, 20, 0, 10)}]},
        "c": {"type": "Building", "geometry": [{"type": "MultiSurface", "lod": "0", "boundaries": flat_square(b, 40, 0, 10)}]},
    }
    res = read_cityjson(write(tmp_path, b.doc()), storey_height_m=3.0, default_height_m=7.0)
    rows = res.layers["buildings"].set_index("building_id")
    assert rows.loc["cityjson:a", "height_m"] == 12.5 and not rows.loc["cityjson:a", "height_defaulted"]
    assert rows.loc["cityjson:b", "height_m"] == 12.0 and rows.loc["cityjson:b", "height_defaulted"]
    assert rows.loc["cityjson:c", "height_m"] == 7.0 and rows.loc["cityjson:c", "height_defaulted"]
    assert res.counts()["elements"] == 0  # no surfaces for LoD0


def test_version_1_0_numeric_lod_and_urn_crs(tmp_path):
    b, _ = district()
    b.version = "1.0"
    doc = b.doc(reference_system="urn:ogc:def:crs:EPSG::28992")
    for obj in doc["CityObjects"].values():
        for g in obj.get("geometry", []):
            g["lod"] = float(g["lod"]) if "." in g["lod"] else int(g["lod"])
    res = read_cityjson(write(tmp_path, doc))
    assert res.meta["crs"] == "EPSG:28992"
    assert res.counts()["buildings"] == 2


def test_crs_required_and_overridable(tmp_path):
    b, _ = district()
    path = write(tmp_path, b.doc(reference_system=None))
    with pytest.raises(CRSError, match="referenceSystem"):
        read_cityjson(path)
    assert read_cityjson(path, crs="EPSG:31370").meta["crs"] == "EPSG:31370"
    with pytest.raises(CRSError, match="projected"):
        read_cityjson(write(tmp_path, b.doc(reference_system="https://www.opengis.net/def/crs/EPSG/0/4326"), "geo.json"))
    with pytest.raises(CRSError):
        read_cityjson(write(tmp_path, b.doc(reference_system="not a crs"), "bad.json"))


def test_window_hosted_by_wall(tmp_path):
    b = DocBuilder()
    faces, kinds = box_faces(b, 0, 0, 0, 10, 10, 3)
    # a window polygon in the south wall plane (y=0), outward like the wall
    w = [b.v(2, 0, 1), b.v(4, 0, 1), b.v(4, 0, 2), b.v(2, 0, 2)]
    g = solid(faces + [[w]], kinds + ["wall"])
    surfaces = g["semantics"]["surfaces"]
    surfaces.append({"type": "Window", "parent": 1})
    surfaces[1]["children"] = [3]
    g["semantics"]["values"][0][-1] = 3
    b.objects = {"h": {"type": "Building", "geometry": [g]}}
    el = read_cityjson(write(tmp_path, b.doc())).layers["elements"]
    win = el[el["kind"] == "window"]
    assert len(win) == 1 and win["area_m2"].iloc[0] == pytest.approx(2.0)
    assert win["azimuth_deg"].iloc[0] == pytest.approx(180.0)
    host = el.set_index("element_id").loc[win["host_id"].iloc[0]]
    assert host["kind"] == "wall"


# --------------------------------------------------------------------------- broken input
def test_truncated_file_names_file(tmp_path):
    b, _ = district()
    text = json.dumps(b.doc())
    path = tmp_path / "cut.city.json"
    path.write_text(text[: len(text) // 2])
    with pytest.raises(ParseError) as err:
        read_cityjson(path)
    assert str(path) in str(err.value) and "truncated" in str(err.value)


def test_truncated_real_file(tmp_path):
    text = shared_path("gis", "rotterdam_subset.city.json").read_bytes()
    path = tmp_path / "rotterdam_cut.city.json"
    path.write_bytes(text[:30000])
    with pytest.raises(ParseError) as err:
        read_cityjson(path, crs="EPSG:28992")
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d.pop("vertices"), "/vertices"),
        (lambda d: d.__setitem__("vertices", [[0, 0]]), "/vertices/0"),
        (lambda d: d["CityObjects"]["shed"]["geometry"][0]["boundaries"][0][2][0].__setitem__(1, 10**6), "/CityObjects/shed/geometry/0/boundaries/0/2/0/1"),
        (lambda d: d["CityObjects"]["shed"]["geometry"][0]["boundaries"][0][2][0].__setitem__(1, -1), "/CityObjects/shed/geometry/0/boundaries/0/2/0/1"),
        (lambda d: d["CityObjects"]["shed"]["geometry"][0]["boundaries"][0][2][0].__setitem__(1, 1.5), "/CityObjects/shed/geometry/0/boundaries/0/2/0/1"),
        (lambda d: d["CityObjects"]["shed"]["geometry"][0].__setitem__("boundaries", {}), "/CityObjects/shed/geometry/0/boundaries"),
        (lambda d: d["CityObjects"]["shed"].__setitem__("type", 3), "/CityObjects/shed/type"),
        (lambda d: d["CityObjects"]["house-1-a"]["geometry"][0]["semantics"]["values"][0].__setitem__(0, 9), "/CityObjects/house-1-a/geometry/0/semantics/values/0/0"),
        (lambda d: d["transform"].__setitem__("scale", [1, 1]), "/transform/scale"),
        (lambda d: d.__setitem__("type", "FeatureCollection"), "/type"),
        (lambda d: d.__setitem__("version", "3.0"), "/version"),
    ],
)
def test_bad_structure_names_json_path(tmp_path, mutate, where):
    b, _ = district()
    doc = b.doc()
    mutate(doc)
    path = write(tmp_path, doc)
    with pytest.raises(ParseError) as err:
        read_cityjson(path)
    assert err.value.obj == where
    assert err.value.path == str(path)


# --------------------------------------------------------------------------- the real files
def _load(name):
    path = shared_path("gis", name)
    return path, json.loads(path.read_text())


def _real_vertices(doc):
    t = doc.get("transform", {"scale": [1, 1, 1], "translate": [0, 0, 0]})
    return np.asarray(doc["vertices"], dtype=float) * t["scale"] + t["translate"]


def _exterior_surfaces(geom):
    """(surface, semantic type) of the exterior shell(s), written independently of the reader."""
    sem = geom.get("semantics")
    if geom["type"] in ("MultiSurface", "CompositeSurface"):
        surfs = geom["boundaries"]
        vals = sem["values"] if sem else [None] * len(surfs)
    elif geom["type"] == "Solid":
        surfs = geom["boundaries"][0]
        vals = sem["values"][0] if sem else [None] * len(surfs)
    else:
        surfs = [s for solid in geom["boundaries"] for s in solid[0]]
        vals = [v for solid in sem["values"] for v in solid[0]] if sem else [None] * len(surfs)
    types = [None if v is None else sem["surfaces"][v]["type"] for v in vals]
    return list(zip(surfs, types))


def _area3d(V, ring):
    p = V[ring]
    n = np.zeros(3)
    for i in range(len(p)):
        a, b = p[i], p[(i + 1) % len(p)]
        n += [(a[1] - b[1]) * (a[2] + b[2]), (a[2] - b[2]) * (a[0] + b[0]), (a[0] - b[0]) * (a[1] + b[1])]
    return 0.5 * n


REAL = [
    ("delft.city.json", {}),
    ("zurich_subset_lod2.city.json", {}),
    ("rotterdam_subset.city.json", {"crs": "EPSG:28992"}),  # the file declares no CRS
]


@pytest.mark.parametrize(("name", "options"), REAL)
def test_real_file_counts(name, options):
    path, doc = _load(name)
    res = read_cityjson(path, **options)
    objects = doc["CityObjects"]
    types = Counter(o["type"] for o in objects.values())
    assert res.meta["types"] == dict(types)
    # buildings: every Building, its parts aggregated
    assert res.counts()["buildings"] == types["Building"]
    assert set(res.layers["buildings"]["building_id"]) == {"cityjson:" + k for k, o in objects.items() if o["type"] == "Building"}
    n_parts = res.layers["buildings"]["n_parts"].sum()
    assert n_parts == types["BuildingPart"]
    lc_types = ("Road", "TransportSquare", "LandUse", "PlantCover", "WaterBody")
    assert res.counts()["landcover"] == sum(types[t] for t in lc_types)
    lc_kind = Counter(res.layers["landcover"]["kind"])
    assert lc_kind.get("road", 0) == types["Road"] + types["TransportSquare"]
    assert lc_kind.get("water", 0) == types["WaterBody"]
    # dropped: exactly the objects of other types
    other = {"cityjson:" + k for k, o in objects.items() if o["type"] not in (*lc_types, "Building", "BuildingPart")}
    assert {d.obj for d in res.dropped} == other
    # elements per semantic type, minus faces of zero area (checked independently)
    V = _real_vertices(doc)
    expected = Counter()
    for o in objects.values():
        if o["type"] not in ("Building", "BuildingPart"):
            continue
        for g in o.get("geometry", []):
            for surf, stype in _exterior_surfaces(g):
                if np.linalg.norm(_area3d(V, surf[0])) > 1e-6:
                    expected[stype] += 1
    kinds = Counter(res.layers["elements"]["ifc_class"].replace("", None))
    for stype in ("RoofSurface", "WallSurface", "GroundSurface"):
        assert kinds.get(stype, 0) == expected.get(stype, 0), stype
    assert len(res.layers["elements"]) == sum(expected.values())


@pytest.mark.parametrize(("name", "options"), REAL)
def test_real_file_footprints_against_independent_union(name, options):
    """Footprint area: union of the 2-D GroundSurface polygons, else of the upward faces."""
    path, doc = _load(name)
    res = read_cityjson(path, **options)
    V = _real_vertices(doc)
    objects = doc["CityObjects"]
    areas = res.layers["buildings"].set_index("building_id")["footprint_area_m2"]
    checked = 0
    for bid, obj in objects.items():
        if obj["type"] != "Building":
            continue
        members = [obj] + [objects[c] for c in obj.get("children", [])]
        ground, up = [], []
        for m in members:
            for g in m.get("geometry", []):
                for surf, stype in _exterior_surfaces(g):
                    poly = Polygon(V[surf[0]][:, :2], [V[h][:, :2] for h in surf[1:]])
                    if stype == "GroundSurface":
                        ground.append(poly)
                    elif _area3d(V, surf[0])[2] > 1e-9:
                        up.append(poly)
        expected = shapely.union_all([shapely.make_valid(p) for p in (ground or up)]).area
        assert areas.loc["cityjson:" + bid] == pytest.approx(expected, rel=1e-6), bid
        checked += 1
    assert checked == len(areas)


def test_delft_heights_match_file_attributes():
    """Delft LoD1 blocks: geometry height equals measuredHeight - min-height-surface of the file."""
    path, doc = _load("delft.city.json")
    res = read_cityjson(path)
    b = res.layers["buildings"].set_index("building_id")
    for bid, obj in doc["CityObjects"].items():
        if obj["type"] != "Building":
            continue
        a = obj["attributes"]
        row = b.loc["cityjson:" + bid]
        assert row["ground_z_m"] == pytest.approx(a["min-height-surface"], abs=2e-3)
        assert row["height_m"] == pytest.approx(a["measuredHeight"] - a["min-height-surface"], abs=2e-3)
        assert not row["height_defaulted"]


def test_delft_into_scene():
    path = shared_path("gis", "delft.city.json")
    scene, results = ingest([path], crs="EPSG:28992")
    assert len(scene.buildings) == 160 and len(scene.landcover) == 353
    assert len(scene.elements) == results[0].counts()["elements"]
    assert scene.elements["building_id"].isin(scene.buildings["building_id"]).all()
    assert ((scene.landcover["sealed_fraction"] >= 0) & (scene.landcover["sealed_fraction"] <= 1)).all()


def test_zurich_orientation_is_outward():
    """LoD2 roofs face up, ground faces down, walls are vertical (CityJSON ring order respected)."""
    path, _ = _load("zurich_subset_lod2.city.json")
    el = read_cityjson(path).layers["elements"]
    assert (el.loc[el["kind"] == "roof", "tilt_deg"] < 90).all()
    assert (el.loc[el["boundary"] == "ground", "tilt_deg"] > 90).all()  # some follow the sloping terrain
    walls = el.loc[el["kind"] == "wall", "tilt_deg"]
    assert ((walls - 90).abs() < 5).mean() > 0.99


def test_only_twin_errors_on_garbage(tmp_path):
    for i, content in enumerate([b"", b"\xff\xfe", b"[]", b'{"type": "CityJSON"}', b'{"type":"CityJSON","version":"2.0","vertices":[]}']):
        path = tmp_path / f"g{i}.city.json"
        path.write_bytes(content)
        with pytest.raises(TwinError):
            read_cityjson(path)


def test_part_links_children_only_nested_and_orphan(tmp_path):
    """Parts found through `children` only, through a nested part, or orphaned."""
    b = DocBuilder()
    f1, k1 = box_faces(b, 0, 0, 0, 4, 4, 3)
    f2, k2 = box_faces(b, 4, 0, 0, 4, 4, 6)
    f3, k3 = box_faces(b, 20, 0, 0, 2, 2, 2)
    b.objects = {
        "B": {"type": "Building", "children": ["P1"]},
        "P1": {"type": "BuildingPart", "children": ["P2"], "geometry": [solid(f1, k1)]},
        "P2": {"type": "BuildingPart", "geometry": [solid(f2, k2)]},
        "lonely": {"type": "BuildingPart", "parents": ["nowhere"], "geometry": [solid(f3, k3)]},
    }
    res = read_cityjson(write(tmp_path, b.doc()))
    rows = res.layers["buildings"].set_index("building_id")
    assert sorted(rows.index) == ["cityjson:B", "cityjson:lonely"]
    assert rows.loc["cityjson:B", "n_parts"] == 2
    assert rows.loc["cityjson:B", "footprint_area_m2"] == pytest.approx(32.0)
    assert rows.loc["cityjson:B", "height_m"] == pytest.approx(6.0)
    assert res.meta["orphan_parts"] == ["lonely"]


def test_landcover_overlaps_t_junctions_and_holes(tmp_path):
    """Faces that overlap, meet at a T-junction, or carry a hole still give the exact 2-D union."""
    b = DocBuilder()
    over = flat_square(b, 0, 0, 10) + flat_square(b, 5, 0, 10)  # union 15 x 10
    # 10 x 10 square: left half one rectangle, right half two squares -> T-junction at (5, 5)
    q = [b.v(20, 0, 0), b.v(25, 0, 0), b.v(25, 5, 0), b.v(25, 10, 0), b.v(20, 10, 0), b.v(30, 0, 0), b.v(30, 5, 0), b.v(30, 10, 0)]
    tee = [[[q[0], q[1], q[2], q[3], q[4]]], [[q[1], q[5], q[6], q[2]]], [[q[2], q[6], q[7], q[3]]]]
    t = [[[q[0], q[1], q[3], q[4]]], [[q[1], q[5], q[6], q[2]]], [[q[2], q[6], q[7], q[3]]]]  # T-junction: q2 not on the left face
    outer = [b.v(40, 0, 0), b.v(50, 0, 0), b.v(50, 10, 0), b.v(40, 10, 0)]
    hole = [b.v(42, 2, 0), b.v(42, 4, 0), b.v(44, 4, 0), b.v(44, 2, 0)]
    b.objects = {
        "over": {"type": "PlantCover", "geometry": [{"type": "MultiSurface", "lod": "1", "boundaries": over}]},
        "conforming": {"type": "LandUse", "geometry": [{"type": "MultiSurface", "lod": "1", "boundaries": tee}]},
        "tjunction": {"type": "LandUse", "geometry": [{"type": "MultiSurface", "lod": "1", "boundaries": t}]},
        "holed": {"type": "LandUse", "geometry": [{"type": "MultiSurface", "lod": "1", "boundaries": [[outer, hole]]}]},
    }
    lc = read_cityjson(write(tmp_path, b.doc())).layers["landcover"].set_index("landcover_id").geometry
    assert lc["cityjson:over"].area == pytest.approx(150.0)
    assert lc["cityjson:conforming"].area == pytest.approx(100.0) and lc["cityjson:conforming"].geom_type == "Polygon"
    assert lc["cityjson:tjunction"].area == pytest.approx(100.0) and lc["cityjson:tjunction"].geom_type == "Polygon"
    assert lc["cityjson:holed"].area == pytest.approx(96.0) and len(lc["cityjson:holed"].interiors) == 1


def test_source_crs_alias_through_ingest():
    """ingest() keeps crs= for the scene; source_crs= reaches the reader for a file without CRS."""
    path = shared_path("gis", "rotterdam_subset.city.json")
    scene, results = ingest([path], crs="EPSG:32631", source_crs="EPSG:28992")
    assert results[0].meta["crs"] == "EPSG:28992" and len(scene.buildings) == 16
    # reprojected into the scene CRS (UTM 31N, which covers Rotterdam), areas nearly kept
    assert 5_700_000 < scene.buildings.geometry.centroid.y.min() < 5_800_000
    assert scene.buildings["footprint_area_m2"].sum() == pytest.approx(scene.buildings.geometry.area.sum(), rel=2e-3)


def test_data_outside_the_scene_crs_is_refused_naming_a_crs_that_fits():
    """Rotterdam lies north of the area of use of Belgian Lambert 72: refused, --crs EPSG:28992 named."""
    from twin.errors import CRSError

    path = shared_path("gis", "rotterdam_subset.city.json")
    with pytest.raises(CRSError, match="area of use of the scene CRS EPSG:31370") as info:
        ingest([path], crs="EPSG:31370", source_crs="EPSG:28992")
    assert "--crs EPSG:28992" in str(info.value) and "rotterdam_subset" in str(info.value)
