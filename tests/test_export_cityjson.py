"""CityJSON export: structure checked against the CityJSON 2.0 rules, and read back by our reader.

The structural rules are written here from the specification (https://www.cityjson.org/specs/):
document type and version, integer vertices with a transform, EPSG URL reference system,
geometry nesting depth per type, every vertex index in range, semantic values shaped like the
boundaries. Solids are checked to be closed 2-manifolds with consistent orientation (every
edge used once in each direction) and outward normals (positive volume by the divergence
theorem), whose volume equals footprint area x height.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from tests.conftest import shared_path
from tests.test_ingest_cityjson import district
from twin.errors import CRSError, SchemaError
from twin.export.cityjson import write_cityjson
from twin.ingest import ingest
from twin.ingest.cityjson import read_cityjson
from twin.ingest.dispatch import add_result
from twin.scene import Scene
from twin.scene.schema import LAYERS

BUILDING_COLUMNS = [c.name for c in LAYERS["buildings"] if c.name != "geometry"]


# --------------------------------------------------------------------------- spec rules
def _depth_ok(node, depth: int) -> bool:
    """``node`` is a list nested exactly ``depth`` levels deep down to integer leaves."""
    if depth == 0:
        return isinstance(node, int) and not isinstance(node, bool)
    return isinstance(node, list) and all(_depth_ok(x, depth - 1) for x in node)


DEPTH = {"MultiSurface": 3, "CompositeSurface": 3, "Solid": 4, "MultiSolid": 5, "CompositeSolid": 5}


def _solids(geom):
    """The solids of a Solid / MultiSolid geometry, each a list of shells."""
    if geom["type"] == "Solid":
        return [geom["boundaries"]]
    return list(geom["boundaries"])


def _volume_and_edges(V, shell):
    """Signed volume of a shell and the multiset of its directed edges."""
    volume = 0.0
    edges = Counter()
    for surface in shell:
        for ring in surface:
            p = V[ring]
            for i in range(len(ring)):
                a, b = ring[i], ring[(i + 1) % len(ring)]
                edges[(a, b)] += 1
            # fan triangulation around the first vertex: sum of signed tetrahedra volumes
            for i in range(1, len(p) - 1):
                volume += np.dot(p[0], np.cross(p[i], p[i + 1])) / 6.0
    return volume, edges


def validate(doc: dict) -> dict[str, float]:
    """Assert the CityJSON 2.0 rules; return the volume of every object (m3)."""
    assert doc["type"] == "CityJSON" and doc["version"] == "2.0"
    t = doc["transform"]
    assert len(t["scale"]) == 3 and all(s > 0 for s in t["scale"]) and len(t["translate"]) == 3
    assert re.fullmatch(r"https?://www\.opengis\.net/def/crs/EPSG/0/\d+", doc["metadata"]["referenceSystem"])
    verts = doc["vertices"]
    assert all(len(v) == 3 and all(isinstance(c, int) for c in v) for v in verts)
    assert len({tuple(v) for v in verts}) == len(verts), "duplicate vertices"
    V = np.asarray(verts, dtype=float) * t["scale"] + t["translate"]
    ext = doc["metadata"]["geographicalExtent"]
    assert ext[:3] == pytest.approx(V.min(axis=0).tolist(), abs=1e-3) and ext[3:] == pytest.approx(V.max(axis=0).tolist(), abs=1e-3)
    used = np.zeros(len(verts), dtype=bool)
    volumes = {}
    for oid, obj in doc["CityObjects"].items():
        assert obj["type"] == "Building"
        assert isinstance(obj["attributes"], dict)
        volumes[oid] = 0.0
        for geom in obj["geometry"]:
            assert isinstance(geom["lod"], str)
            assert _depth_ok(geom["boundaries"], DEPTH[geom["type"]])
            flat = np.asarray([i for sol in _solids(geom) for shell in sol for s in shell for r in s for i in r])
            assert flat.min() >= 0 and flat.max() < len(verts), "vertex index out of range"
            used[flat] = True
            sem = geom["semantics"]
            n_surfaces = len(sem["surfaces"])
            if geom["type"] == "Solid":
                assert len(sem["values"]) == len(geom["boundaries"])
                shapes = [(sem["values"][0], geom["boundaries"][0])]
            else:
                shapes = [(v[0], b[0]) for v, b in zip(sem["values"], geom["boundaries"])]
                assert len(sem["values"]) == len(geom["boundaries"])
            for vals, shell in shapes:
                assert len(vals) == len(shell)
                assert all(0 <= v < n_surfaces for v in vals)
            for sol in _solids(geom):
                shell = sol[0]
                for surface in shell:
                    for ring in surface:
                        assert len(set(ring)) == len(ring) >= 3
                vol, edges = _volume_and_edges(V - V.mean(axis=0), shell)
                assert all(n == 1 for n in edges.values()), "an edge used twice in one direction"
                assert all(edges[(b, a)] == 1 for a, b in edges), "shell not closed"
                assert vol > 0, "normals point inwards"
                volumes[oid] += vol
    assert used.all(), "unused vertices"
    return volumes


# --------------------------------------------------------------------------- tests
def _district_scene(tmp_path):
    b, _ = district()
    path = tmp_path / "district.city.json"
    path.write_text(json.dumps(b.doc()))
    scene, _ = ingest([path], crs="EPSG:28992")
    return scene


def test_round_trip_district(tmp_path):
    scene = _district_scene(tmp_path)
    out = write_cityjson(scene, tmp_path / "out.city.json")
    assert out.n_buildings == len(scene.buildings) and out.skipped == []
    doc = json.loads(out.path.read_text())
    volumes = validate(doc)
    back = read_cityjson(out.path)
    assert back.meta["crs"] == "EPSG:28992"
    a = scene.buildings.set_index("building_id")
    b = back.layers["buildings"].set_index("building_id")
    assert sorted(a.index) == sorted(b.index)  # the cityjson: prefix is not doubled
    for bid in a.index:
        assert b.loc[bid, "height_m"] == pytest.approx(a.loc[bid, "height_m"], abs=1e-3)
        assert b.loc[bid, "ground_z_m"] == pytest.approx(a.loc[bid, "ground_z_m"], abs=1e-3)
        assert b.loc[bid, "footprint_area_m2"] == pytest.approx(a.loc[bid, "footprint_area_m2"], rel=1e-5)
        assert volumes[bid.removeprefix("cityjson:")] == pytest.approx(a.loc[bid, "footprint_area_m2"] * a.loc[bid, "height_m"], rel=1e-4)
        for flag in ("use_defaulted", "year_defaulted", "height_defaulted", "storeys_defaulted"):
            assert b.loc[bid, flag] == a.loc[bid, flag], (bid, flag)
        attrs = doc["CityObjects"][bid.removeprefix("cityjson:")]["attributes"]
        assert set(BUILDING_COLUMNS) - {"building_id"} <= set(attrs)
        assert attrs["twin_building_id"] == bid
    house = doc["CityObjects"]["house-1"]["attributes"]
    assert house["yearOfConstruction"] == 1932 and house["storeysAboveGround"] == 2 and house["function"] == "residential"
    assert house["construction_year"] == 1932.0 and house["year_defaulted"] is False
    shed = doc["CityObjects"]["shed"]["attributes"]
    assert shed["construction_year"] is None and shed["year_defaulted"] is True and "yearOfConstruction" not in shed
    # read back the elements: LoD1 block = footprint as roof and ground, walls = perimeter x height
    el = back.layers["elements"]
    for bid in a.index:
        e = el[el["building_id"] == bid]
        geom = a.loc[bid, "geometry"]
        assert e.loc[e["kind"] == "roof", "area_m2"].sum() == pytest.approx(geom.area, rel=1e-5)
        assert e.loc[e["boundary"] == "ground", "area_m2"].sum() == pytest.approx(geom.area, rel=1e-5)
        assert e.loc[e["kind"] == "wall", "area_m2"].sum() == pytest.approx(geom.length * a.loc[bid, "height_m"], rel=1e-4)


def test_multipolygon_and_courtyard(tmp_path):
    courtyard = Polygon(box(0, 0, 20, 20).exterior.coords, [box(5, 5, 15, 15).exterior.coords[::-1]])
    frame = gpd.GeoDataFrame(
        {
            "building_id": ["osm:way/1", "osm:way/2"],
            "height_m": [10.0, 6.0],
            "ground_z_m": [2.0, 0.0],
            "n_storeys": [3, 2],
            "footprint_area_m2": [300.0, 50.0],
            "floor_area_m2": [900.0, 100.0],
        },
        geometry=[courtyard, MultiPolygon([box(40, 0, 45, 5), box(50, 0, 55, 5)])],
        crs="EPSG:31370",
    )
    scene = Scene(crs="EPSG:31370")
    scene.add("buildings", frame)
    out = write_cityjson(scene, tmp_path / "b.city.json")
    doc = json.loads(out.path.read_text())
    volumes = validate(doc)
    assert volumes["osm:way/1"] == pytest.approx(300 * 10, rel=1e-6)
    assert volumes["osm:way/2"] == pytest.approx(50 * 6, rel=1e-6)
    assert doc["CityObjects"]["osm:way/2"]["geometry"][0]["type"] == "MultiSolid"
    assert doc["metadata"]["referenceSystem"].endswith("/EPSG/0/31370")
    back = read_cityjson(out.path).layers["buildings"].set_index("building_id")
    assert back.loc["cityjson:osm:way/1", "footprint_area_m2"] == pytest.approx(300.0)
    assert back.loc["cityjson:osm:way/2", "footprint_area_m2"] == pytest.approx(50.0)
    assert back.loc["cityjson:osm:way/1", "ground_z_m"] == pytest.approx(2.0)


@pytest.mark.parametrize(("name", "crs"), [("zurich_subset_lod2.city.json", "EPSG:2056"), ("rotterdam_subset.city.json", "EPSG:28992")])
def test_round_trip_real_files(tmp_path, name, crs):
    path = shared_path("gis", name)
    scene = Scene(crs=crs)
    add_result(scene, read_cityjson(path, crs=crs))  # the Rotterdam file declares no CRS
    out = write_cityjson(scene, tmp_path / "real.city.json")
    volumes = validate(json.loads(out.path.read_text()))
    back = read_cityjson(out.path).layers["buildings"].set_index("building_id")
    a = scene.buildings.set_index("building_id")
    assert len(back) == len(a)
    assert np.allclose(back.loc[a.index, "height_m"], a["height_m"], atol=1e-3)
    assert np.allclose(back.loc[a.index, "footprint_area_m2"], a["footprint_area_m2"], rtol=1e-3)
    vol = np.array([volumes[i.removeprefix("cityjson:")] for i in a.index])
    assert np.allclose(vol, a["footprint_area_m2"] * a["height_m"], rtol=1e-3)


def test_errors_and_atomic_write(tmp_path):
    scene = _district_scene(tmp_path)
    target = tmp_path / "keep.city.json"
    write_cityjson(scene, target)
    before = target.read_bytes()
    with pytest.raises(CRSError):
        write_cityjson(scene.buildings, target, crs="+proj=tmerc +lat_0=0 +lon_0=4 +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m")
    with pytest.raises(SchemaError):
        write_cityjson(scene.buildings.drop(columns="height_m"), target)
    with pytest.raises(CRSError):
        write_cityjson(gpd.GeoDataFrame(scene.buildings.drop(columns="geometry"), geometry=list(scene.buildings.geometry)), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep")] == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d, o: d.__setitem__("version", "1.1"),
        lambda d, o: o["geometry"][0]["boundaries"][0][1][0].reverse(),  # one wall turned inside out
        lambda d, o: o["geometry"][0]["boundaries"][0].pop(1),  # a hole in the shell
        lambda d, o: o["geometry"][0]["boundaries"][0][1][0].__setitem__(0, len(d["vertices"])),
        lambda d, o: o["geometry"][0]["boundaries"][0].reverse() or [r.reverse() for s in o["geometry"][0]["boundaries"][0] for r in s],
        lambda d, o: d["vertices"].append(d["vertices"][0]),
    ],
)
def test_validator_rejects_broken_documents(tmp_path, breakage):
    """The rules above are not vacuous: each breakage of a valid export is caught."""
    scene = _district_scene(tmp_path)
    doc = json.loads(write_cityjson(scene, tmp_path / "v.city.json").path.read_text())
    validate(doc)
    breakage(doc, doc["CityObjects"]["shed"])
    with pytest.raises((AssertionError, IndexError)):
        validate(doc)


def test_output_checked_before_conversion_and_strict_json(tmp_path, monkeypatch):
    """A bad output path fails before any building is converted; NaN attributes are ``null``."""
    import twin.export.cityjson as cj
    from twin.errors import OutputError

    scene = _district_scene(tmp_path)

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted before the output was checked")

    with monkeypatch.context() as m:
        m.setattr(cj, "_solid", no_conversion)
        (tmp_path / "notes.txt").write_text("a file")
        with pytest.raises(OutputError, match="is a file"):
            write_cityjson(scene, tmp_path / "notes.txt" / "b.city.json")
        (tmp_path / "dir.city.json").mkdir()
        with pytest.raises(OutputError, match="existing folder"):
            write_cityjson(scene, tmp_path / "dir.city.json")
        with pytest.raises(OutputError, match="255 bytes"):
            write_cityjson(scene, tmp_path / ("b" * 250 + ".city.json"))
        src = tmp_path / "input.city.json"
        src.write_text("{}")
        with pytest.raises(OutputError, match="also an input"):
            write_cityjson(scene, src, inputs=[src])
    buildings = scene.buildings.copy()
    buildings["construction_year"] = np.nan
    text = write_cityjson(buildings, tmp_path / "nan.city.json", crs=scene.crs).path.read_text()
    assert "NaN" not in text
    attrs = next(iter(json.loads(text)["CityObjects"].values()))["attributes"]
    assert attrs["construction_year"] is None and "yearOfConstruction" not in attrs


def test_killed_writer_leftover_is_removed_by_the_next_write(tmp_path):
    import subprocess
    import sys

    from twin.io.staged import temp_prefix

    scene = _district_scene(tmp_path)
    target = tmp_path / "b.city.json"
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    stale = tmp_path / f"{temp_prefix(target)}{proc.pid}-abcd.tmp.json"
    stale.write_text('{"half": ')
    write_cityjson(scene, target)
    assert not stale.exists() and json.loads(target.read_text())["type"] == "CityJSON"


def test_extra_attributes_and_vertex_offsets_of_many_buildings(tmp_path):
    """Solar figures become attributes; with hundreds of buildings every solid still indexes its
    own vertices (the running vertex count that keeps the export linear)."""
    n = 300
    frame = gpd.GeoDataFrame(
        {"building_id": [f"osm:way/{i}" for i in range(n)], "height_m": 6.0 + np.arange(n) % 7, "n_storeys": 2,
         "footprint_area_m2": 48.0, "floor_area_m2": 96.0},
        geometry=[box(10 * i, 0, 10 * i + 8, 6) for i in range(n)], crs="EPSG:31370",
    )
    scene = Scene(crs="EPSG:31370")
    scene.add("buildings", frame)
    import pandas as pd

    extra = pd.DataFrame({"building_id": ["osm:way/3", "osm:way/7"], "solar_pv_kwp": [4.25, np.nan], "solar_best_suitability": ["good", "weak"]})
    doc = json.loads(write_cityjson(scene, tmp_path / "many.city.json", extra_attributes=extra).path.read_text())
    volumes = validate(doc)
    for i in range(n):
        assert volumes[f"osm:way/{i}"] == pytest.approx(48.0 * (6.0 + i % 7), rel=1e-6)
    a3 = doc["CityObjects"]["osm:way/3"]["attributes"]
    assert a3["solar_pv_kwp"] == 4.25 and a3["solar_best_suitability"] == "good"
    assert doc["CityObjects"]["osm:way/7"]["attributes"]["solar_pv_kwp"] is None
    assert "solar_pv_kwp" not in doc["CityObjects"]["osm:way/4"]["attributes"]
    with pytest.raises(SchemaError):
        write_cityjson(scene, tmp_path / "bad.city.json", extra_attributes=extra.drop(columns="building_id"))
