"""Bad-input corpus of ``twin ingest``, ``twin info`` and ``twin export``.

Every case runs the real command line in a child process with a time limit
(:func:`tests.cli_harness.run_twin`) and must end in exactly one ``twin: error:`` line and exit
code 2 (no traceback, no crash, no hang), naming the file and, where there is one, the object
and the field; or, where the file is still usable, in a documented ``twin: warning:`` (exit 0)
with the bad objects left out. Cases about silent wrong numbers also check the numbers that
were written.

Each case is ``(make, args, expected)``: ``make(tmp)`` writes the input files into ``tmp`` and
returns a dict of names to substitute in ``args`` (``{in}``, ``{out}``...); ``expected`` is
``("error", texts)`` or ``("warning", texts)``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.cli_harness import REPO, assert_one_line_error, assert_warning, run_twin
from tests.conftest import DATA_SAMPLES
from tests.geojson_builders import geojson_text, polygon_feature, square_ring, write_geojson

TIMEOUT_S = 90.0
EPW = DATA_SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
IFC = DATA_SAMPLES / "permit_AC20-FZK-Haus.ifc"
BRUSSELS = (148_000.0, 168_000.0)  # Lambert 72, Saint-Gilles
LONLAT = (4.345, 50.830)  # the same place in degrees


# --------------------------------------------------------------------------- input makers
def _building(ring, **props) -> dict:
    return polygon_feature(ring, building="yes", **props)


def _good(i: int = 0) -> dict:
    """A 10 m x 10 m building in Saint-Gilles (Lambert 72)."""
    return _building(square_ring(BRUSSELS[0] + 20 * i, BRUSSELS[1], 10.0), id=f"good{i}")


def _lambert_file(*features: dict) -> callable:
    def make(tmp: Path) -> dict:
        p = tmp / "in.geojson"
        write_geojson(p, list(features))
        return {"in": p}

    return make


def _text_file(name: str, text: str | bytes) -> callable:
    def make(tmp: Path) -> dict:
        p = tmp / name
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return {"in": p}

    return make


def _link(name: str, target: str) -> callable:
    def make(tmp: Path) -> dict:
        p = tmp / name
        os.symlink(target, p)
        return {"in": p}

    return make


def _fifo(name: str) -> callable:
    def make(tmp: Path) -> dict:
        p = tmp / name
        os.mkfifo(p)
        return {"in": p}

    return make


def _folder(name: str) -> callable:
    def make(tmp: Path) -> dict:
        p = tmp / name
        p.mkdir()
        return {"in": p}

    return make


def _epw_lines() -> list[str]:
    return EPW.read_text(encoding="utf-8").splitlines()


def _epw(edit) -> callable:
    """An EPW made from the Uccle file by ``edit(lines)`` (lines[8:] are the hours)."""

    def make(tmp: Path) -> dict:
        lines = _epw_lines()
        edit(lines)
        p = tmp / "w.epw"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return {"in": p}

    return make


def _set_field(lines: list[str], row: int, field: int, value: str) -> None:
    parts = lines[8 + row].split(",")
    parts[field] = value
    lines[8 + row] = ",".join(parts)


def _epw_insert_column(lines):  # the case: an extra "0" column after the flags: 0 C all year
    for i in range(8, len(lines)):
        parts = lines[i].split(",")
        lines[i] = ",".join(parts[:6] + ["0"] + parts[6:])


def _epw_drop_last_column(lines):
    for i in range(8, len(lines)):
        lines[i] = lines[i].rsplit(",", 1)[0]


def _epw_constant(lines):
    for r in range(len(lines) - 8):
        _set_field(lines, r, 6, "0.0")


def _epw_missing_temperatures(lines):
    for r in range(100, 110):
        _set_field(lines, r, 6, "99.9")


def _epw_range(field: int, value: str):
    def edit(lines):
        _set_field(lines, 4000, field, value)

    return edit


def _epw_truncate(lines):
    del lines[4008:]


def _epw_location(lines):
    parts = lines[0].split(",")
    parts[6] = "200.0"
    lines[0] = ",".join(parts)


def _parquet_frame(tmp: Path, name: str, crs="EPSG:31370") -> Path:
    frame = gpd.GeoDataFrame({"building": ["yes"]}, geometry=[shapely.box(*BRUSSELS, BRUSSELS[0] + 10, BRUSSELS[1] + 10)], crs=crs)
    p = tmp / name
    frame.to_parquet(p)
    return p


def _truncated_parquet(tmp: Path) -> dict:
    p = _parquet_frame(tmp, "cut.parquet")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return {"in": p}


def _plain_parquet(tmp: Path) -> dict:
    p = tmp / "plain.parquet"
    pd.DataFrame({"a": [1, 2]}).to_parquet(p)
    return {"in": p}


def _null_crs_parquet(tmp: Path) -> dict:
    p = _parquet_frame(tmp, "nullcrs.parquet")
    frame = gpd.read_parquet(p).set_crs(None, allow_override=True)
    frame.to_parquet(p)
    return {"in": p}


def _shapefile_without_prj(tmp: Path) -> dict:
    frame = gpd.GeoDataFrame({"building": ["yes"]}, geometry=[shapely.box(*BRUSSELS, BRUSSELS[0] + 10, BRUSSELS[1] + 10)], crs="EPSG:31370")
    p = tmp / "fp.shp"
    frame.to_file(p)
    p.with_suffix(".prj").unlink()
    return {"in": p}


def _latin1(tmp: Path) -> dict:
    p = tmp / "latin1.geojson"
    p.write_bytes(geojson_text([_building(square_ring(*LONLAT, 1e-4), name="Café")], crs=None).replace("\\u00e9", "é").encode("latin-1"))
    return {"in": p}


def _cityjson(edit=None, name="c.city.json") -> callable:
    def make(tmp: Path) -> dict:
        from tests.test_ingest_cityjson import district

        doc = district()[0].doc()
        if edit is not None:
            doc = edit(doc)
        p = tmp / name
        p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        return {"in": p}

    return make


def _cj_no_crs(doc):
    doc.pop("metadata")
    return doc


def _cj_truncated(doc):
    return json.dumps(doc)[:500]


def _cj_version(doc):
    doc["version"] = "9.9"
    return doc


def _cj_nan_vertex(doc):
    doc["vertices"][0] = [float("nan"), 0, 0]
    return json.dumps(doc)  # written as the JSON extension NaN


def _cj_bad_index(doc):
    doc["vertices"] = doc["vertices"][:3]
    return doc


def _ifc_truncated(tmp: Path) -> dict:
    data = IFC.read_bytes()
    p = tmp / "cut.ifc"
    p.write_bytes(data[: int(len(data) * 0.7)])
    return {"in": p}


def _ifc_copy(tmp: Path) -> dict:
    return {"in": IFC}


def _zurich(tmp: Path) -> dict:
    p = tmp / "zurich.geojson"  # Swiss LV95, declared: placed in Lambert 72 it lands 211 km south of Belgium
    p.write_text(geojson_text([_building(square_ring(2_683_000.0, 1_247_000.0, 10.0))], "urn:ogc:def:crs:EPSG::2056"))
    return {"in": p}


def _two_files(tmp: Path) -> dict:
    a = _lambert_file(_good())(tmp)["in"]
    b = tmp / "b.ifc"
    b.write_bytes(IFC.read_bytes())
    c = tmp / "c.ifc"
    c.write_bytes(IFC.read_bytes())
    return {"in": a, "b": b, "c": c}


# --------------------------------------------------------------------------- the cases of `twin ingest`
NAN_RING = [[BRUSSELS[0], BRUSSELS[1]], [float("nan"), BRUSSELS[1]], [BRUSSELS[0] + 10, BRUSSELS[1] + 10], [BRUSSELS[0], BRUSSELS[1]]]
INF_RING = [[BRUSSELS[0], BRUSSELS[1]], [float("inf"), BRUSSELS[1]], [BRUSSELS[0] + 10, BRUSSELS[1] + 10], [BRUSSELS[0], BRUSSELS[1]]]
UNCLOSED = square_ring(*BRUSSELS, 10.0)[:-1]

E, W = "error", "warning"
INGEST = "ingest {in} -o {out}"

CASES: dict[str, tuple] = {
    # -- geometry: the bad feature is dropped with its reason, the rest is read (warning)
    "unclosed-ring-dropped": (_lambert_file(_building(UNCLOSED, id="open"), _good()), INGEST, (W, ("invalid data", "open", "closed linestring"))),
    "nan-coordinate-dropped": (_lambert_file(_building(NAN_RING, id="nanpt"), _good()), INGEST, (W, ("nanpt", "not a finite number"))),
    "inf-coordinate-dropped": (_lambert_file(_building(INF_RING, id="infpt"), _good()), INGEST, (W, ("infpt", "not a finite number"))),
    "only-unclosed-ring": (_lambert_file(_building(UNCLOSED, id="open")), INGEST, (E, ("nothing to write",))),
    "only-nan-coordinates": (_lambert_file(_building(NAN_RING, id="nanpt")), INGEST, (E, ("nothing to write",))),
    "empty-feature-collection": (_lambert_file(), INGEST, (E, ("nothing to write",))),
    # -- building attributes: physical bounds (silent wrong numbers before)
    "height-1e9": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="tower", height=1e9), _good(1)), INGEST, (W, ("tower", "height", "1e+09", "1000 m"))),
    "height-negative": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="hole", height=-5), _good(1)), INGEST, (W, ("hole", "height", "-5"))),
    "height-zero": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="flat", height=0), _good(1)), INGEST, (W, ("flat", "height"))),
    "height-text": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="txt", height="tall"), _good(1)), INGEST, (W, ("txt", "'tall' is not a number"))),
    "height-infinity": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="hinf", height=float("inf")), _good(1)), INGEST, (W, ("hinf", "not a finite number"))),
    "levels-1e6": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="stack", **{"building:levels": 1e6}), _good(1)), INGEST, (W, ("stack", "building:levels", "250"))),
    "levels-negative": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="neg", **{"building:levels": -2}), _good(1)), INGEST, (W, ("neg", "building:levels"))),
    "storeys-too-thin": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="thin", height=3, **{"building:levels": 50}), _good(1)), INGEST, (W, ("thin", "per storey"))),
    "year-3000": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="future", construction_year=3000), _good(1)), INGEST, (W, ("future", "construction_year", "3000"))),
    "all-buildings-out-of-bounds": (_lambert_file(_building(square_ring(*BRUSSELS, 10.0), height=1e9)), INGEST, (E, ("nothing to write",))),
    # -- CRS: the error names the CRS to use, in command-line syntax
    "lambert-metres-without-crs": (_text_file("nocrs.geojson", geojson_text([_good()], crs=None)), INGEST, (E, ("nocrs.geojson", "RFC 7946", "--source-crs EPSG:31370"))),
    "degrees-declared-as-lambert": (_text_file("deg.geojson", geojson_text([_building(square_ring(*LONLAT, 1e-4))])), INGEST, (E, ("deg.geojson", "--source-crs EPSG:4326"))),
    "zurich-outside-the-scene-crs": (_zurich, INGEST, (E, ("zurich.geojson", "scene CRS EPSG:31370", "--crs EPSG:2056"))),
    "zurich-as-lambert": (_text_file("zh.geojson", geojson_text([_building(square_ring(2_683_000.0, 1_247_000.0, 10.0))])), INGEST, (E, ("zh.geojson", "area of use", "EPSG:31370"))),
    "unknown-source-crs": (_text_file("x.geojson", geojson_text([_good()], crs=None)), INGEST + " --source-crs EPSG:999999", (E, ("--source-crs", "EPSG:999999"))),
    "unknown-scene-crs": (_lambert_file(_good()), INGEST + " --crs banana", (E, ("--crs", "banana"))),
    "geographic-scene-crs": (_lambert_file(_good()), INGEST + " --crs EPSG:4326", (E, ("--crs", "projected"))),
    "override-without-source-crs": (_lambert_file(_good()), INGEST + " --override-crs", (E, ("--override-crs", "--source-crs"))),
    "geoparquet-null-crs": (_null_crs_parquet, INGEST, (E, ("nullcrs.parquet", "crs"))),
    "shapefile-without-prj": (_shapefile_without_prj, INGEST, (E, ("fp.shp", "--source-crs"))),
    # -- unreadable files
    "garbage-parquet": (_text_file("junk.parquet", os.urandom(3000)), INGEST, (E, ("junk.parquet", "not a parquet file"))),
    "truncated-parquet": (_truncated_parquet, INGEST, (E, ("cut.parquet",))),
    "parquet-without-geometry": (_plain_parquet, INGEST, (E, ("plain.parquet", "not a GeoParquet"))),
    "binary-geojson": (_text_file("junk.geojson", bytes(range(256)) * 8), INGEST, (E, ("junk.geojson", "UTF-8"))),
    "empty-geojson": (_text_file("empty.geojson", b""), INGEST, (E, ("empty.geojson", "empty file"))),
    "truncated-geojson": (_text_file("cut.geojson", geojson_text([_good()])[:80]), INGEST, (E, ("cut.geojson",))),
    "latin1-geojson": (_latin1, INGEST, (E, ("latin1.geojson", "UTF-8", "byte"))),
    "json-array-not-geojson": (_text_file("arr.json", "[1, 2, 3]"), INGEST, (E, ("arr.json", "not recognized"))),
    "garbage-gpkg": (_text_file("junk.gpkg", os.urandom(5000)), INGEST, (E, ("junk.gpkg", "not recognized"))),
    "garbage-shapefile": (_text_file("junk.shp", os.urandom(500)), INGEST, (E, ("junk.shp", "not recognized"))),
    "garbage-osm-xml": (_text_file("junk.osm", "node id=1 lat=x\n" * 10), INGEST, (E, ("junk.osm", "not OSM XML"))),
    "truncated-osm-xml": (_text_file("cut.osm", "<?xml version='1.0'?>\n<osm version='0.6'>\n<node id='1' lat='50.83' lon='4.34'/>\n<way id="), INGEST, (E, ("cut.osm", "truncated", "</osm>"))),
    "garbage-osm-pbf": (_text_file("junk.osm.pbf", os.urandom(4000)), INGEST, (E, ("junk.osm.pbf", "not an OSM PBF"))),
    "not-bzip2-osm": (_text_file("junk.osm.bz2", b"this is not bzip2"), INGEST, (E, ("junk.osm.bz2", "bzip2"))),
    "unknown-extension": (_text_file("data.xyz", "1,2,3"), INGEST, (E, ("data.xyz", "unknown file format"))),
    "missing-file": (lambda tmp: {"in": tmp / "nope.geojson"}, INGEST, (E, ("nope.geojson", "not found"))),
    "folder-as-input": (_folder("dir.geojson"), INGEST, (E, ("dir.geojson", "folder"))),
    "link-to-dev-zero": (_link("zero.geojson", "/dev/zero"), INGEST, (E, ("zero.geojson", "not a regular file"))),
    "link-to-dev-urandom": (_link("rand.epw", "/dev/urandom"), INGEST, (E, ("rand.epw", "not a regular file"))),
    "fifo-as-input": (_fifo("pipe.geojson"), INGEST, (E, ("pipe.geojson", "not a regular file"))),
    "dangling-link": (_link("gone.geojson", "/nonexistent/x.geojson"), INGEST, (E, ("gone.geojson", "not found"))),
    "sites-file-is-a-folder": (_folder("sites.geojson"), "ingest " + str(DATA_SAMPLES / "stgilles_district_bbox.geojson") + " -o {out} --sites {in}", (E, ("sites.geojson", "folder"))),
    # -- CityJSON
    "cityjson-without-crs": (_cityjson(_cj_no_crs), INGEST, (E, ("c.city.json", "--source-crs"))),
    "cityjson-truncated": (_cityjson(_cj_truncated), INGEST, (E, ("c.city.json", "truncated"))),
    "cityjson-unknown-version": (_cityjson(_cj_version), INGEST, (E, ("c.city.json", "version"))),
    "cityjson-nan-vertex": (_cityjson(_cj_nan_vertex), INGEST, (E, ("c.city.json", "/vertices/"))),
    "cityjson-index-out-of-range": (_cityjson(_cj_bad_index), INGEST, (E, ("c.city.json", "vertex index"))),
    # -- EPW: strict, no silent 0 C
    "epw-extra-column": (_epw(_epw_insert_column), INGEST, (E, ("w.epw", "line 9", "36 fields", "extra column"))),
    "epw-missing-column": (_epw(_epw_drop_last_column), INGEST, (E, ("w.epw", "line 9", "34 fields"))),
    "epw-truncated": (_epw(_epw_truncate), INGEST, (E, ("w.epw", "4000 hourly rows"))),
    "epw-temperature-150": (_epw(_epw_range(6, "150.0")), INGEST, (E, ("w.epw", "line 4009", "dry_bulb_c", "150"))),
    "epw-negative-radiation": (_epw(_epw_range(13, "-5")), INGEST, (E, ("w.epw", "line 4009", "ghi_w_m2"))),
    "epw-radiation-above-solar-constant": (_epw(_epw_range(14, "5000")), INGEST, (E, ("w.epw", "dni_w_m2"))),
    "epw-humidity-500": (_epw(_epw_range(8, "500")), INGEST, (E, ("w.epw", "rel_humidity_pct"))),
    "epw-wind-100": (_epw(_epw_range(21, "100")), INGEST, (E, ("w.epw", "wind_speed_m_s"))),
    "epw-temperature-not-a-number": (_epw(_epw_range(6, "warm")), INGEST, (E, ("w.epw", "dry_bulb_c", "not a number"))),
    "epw-constant-temperature": (_epw(_epw_constant), INGEST, (E, ("w.epw", "every hour", "dry_bulb_c"))),
    "epw-bad-latitude": (_epw(_epw_location), INGEST, (E, ("w.epw", "line 1", "out of range"))),
    "epw-binary": (_text_file("bin.epw", b"\x00\x01\x02" * 1000), INGEST, (E, ("bin.epw", "binary"))),
    "epw-missing-temperatures": (_epw(_epw_missing_temperatures), INGEST, (W, ("w.epw", "dry_bulb_c 10 hours"))),
    # -- IFC: placement flags, truncation, garbage
    "ifc-truncated": (_ifc_truncated, INGEST + " --origin 148500,168700", (E, ("cut.ifc", "truncated", "END-ISO-10303-21"))),
    "ifc-truncated-allowed": (_ifc_truncated, INGEST + " --origin 148500,168700 --allow-truncated-ifc", (W, ("cut.ifc", "truncated", "elements 2"))),
    "ifc-not-step": (_text_file("junk.ifc", "hello, I am not a model\n" * 20), INGEST, (E, ("junk.ifc", "ISO-10303-21"))),
    "ifc-empty": (_text_file("empty.ifc", b""), INGEST, (E, ("empty.ifc", "empty"))),
    "ifc-lfs-pointer": (_text_file("lfs.ifc", "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12345\n"), INGEST, (E, ("lfs.ifc", "Git LFS"))),
    "ifc-outside-the-scene-crs": (_ifc_copy, INGEST, (E, ("permit_AC20-FZK-Haus.ifc", "area of use", "--origin", "--crs EPSG:32632"))),
    "ifc-origin-nan": (_ifc_copy, INGEST + " --origin nan,168700", (E, ("--origin", "finite"))),
    "ifc-origin-one-number": (_ifc_copy, INGEST + " --origin 148500", (E, ("--origin", "two numbers"))),
    "ifc-origin-text": (_ifc_copy, INGEST + " --origin here", (E, ("--origin", "X,Y"))),
    "ifc-origin-outside-crs": (_ifc_copy, INGEST + " --origin 5000000,5000000", (E, ("permit_AC20-FZK-Haus.ifc", "area of use"))),
    "ifc-rotation-huge": (_ifc_copy, INGEST + " --origin 148500,168700 --rotation 1e9", (E, ("--rotation", "-360..360"))),
    "ifc-rotation-inf": (_ifc_copy, INGEST + " --origin 148500,168700 --rotation inf", (E, ("--rotation",))),
    "ifc-crs-geographic": (_ifc_copy, INGEST + " --origin 148500,168700 --ifc-crs EPSG:4326", (E, ("--ifc-crs", "projected"))),
    "ifc-flags-without-ifc": (_lambert_file(_good()), INGEST + " --origin 148500,168700", (E, ("--origin", "no .ifc"))),
    "ifc-origin-two-models": (_two_files, "ingest {b} {c} -o {out} --origin 148500,168700", (E, ("--origin", "2 .ifc files"))),
    # -- output paths, checked before any reading
    "out-under-a-file": (_lambert_file(_good()), "ingest {in} -o {in}/scene", (E, ("is a file, not a folder",))),
    "out-name-too-long": (_lambert_file(_good()), "ingest {in} -o {tmp}/" + "x" * 300, (E, ("longer than 255 bytes",))),
    "out-gpkg-is-a-folder": (_folder("scene.gpkg"), "ingest " + str(DATA_SAMPLES / "stgilles_district_bbox.geojson") + " -o {in}", (E, ("scene.gpkg", "existing folder"))),
    "out-in-proc": (_lambert_file(_good()), "ingest {in} -o /proc/twin-scene", (E, ("cannot write",))),
}


def _format(args: str, names: dict) -> list[str]:
    return [part.format(**{k: str(v) for k, v in names.items()}) for part in args.split()]


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_ingest_bad_input(case, tmp_path):
    make, args, (kind, texts) = CASES[case]
    names = {"tmp": tmp_path, "out": tmp_path / "scene", **make(tmp_path)}
    result = run_twin(_format(args, names), timeout_s=TIMEOUT_S, cwd=REPO)
    if kind == "error":
        assert_one_line_error(result, contains=texts)
        if "{out}" in args:
            assert not (tmp_path / "scene").exists(), "nothing may be written for a refused input"
    else:
        assert_warning(result, contains=texts)
        assert result.code == 0, result.stderr


# --------------------------------------------------------------------------- silent wrong numbers: what is written
def test_out_of_bounds_building_is_left_out_and_the_good_one_kept(tmp_path):
    make = _lambert_file(_building(square_ring(*BRUSSELS, 10.0), id="tower", height=1e9), _good(1))
    names = {"out": tmp_path / "scene", **make(tmp_path)}
    result = run_twin(_format(INGEST, names), timeout_s=TIMEOUT_S)
    assert_warning(result, contains=("tower",))
    b = gpd.read_parquet(tmp_path / "scene" / "buildings.parquet")
    assert b["building_id"].tolist() == ["in:good1"]
    assert b["height_m"].max() < 1000 and b["n_storeys"].max() < 400
    assert "dropped in:tower: height 1e+09 m" in result.stdout


def test_degrees_with_the_override_give_the_real_area(tmp_path):
    """Longitude/latitude declared as Lambert 72 gave a building of 1e-8 m2; with the fix it is 7 m x 11 m."""
    make = _text_file("deg.geojson", geojson_text([_building(square_ring(*LONLAT, 1e-4))]))
    names = {"out": tmp_path / "scene", **make(tmp_path)}
    result = run_twin(_format(INGEST + " --source-crs EPSG:4326 --override-crs", names), timeout_s=TIMEOUT_S)
    assert result.code == 0, result.stderr
    b = gpd.read_parquet(tmp_path / "scene" / "buildings.parquet")
    assert b["footprint_area_m2"].iloc[0] == pytest.approx(78.0, rel=0.02)
    assert 140_000 < b.geometry.iloc[0].centroid.x < 160_000  # in Brussels, not at Lambert's false origin


def test_geojson_without_crs_in_degrees_is_read_as_wgs84(tmp_path):
    make = _text_file("rfc.geojson", geojson_text([_building(square_ring(*LONLAT, 1e-4))], crs=None))
    names = {"out": tmp_path / "scene", **make(tmp_path)}
    result = run_twin(_format(INGEST, names), timeout_s=TIMEOUT_S)
    assert result.code == 0 and "twin: error" not in result.stderr, result.stderr
    b = gpd.read_parquet(tmp_path / "scene" / "buildings.parquet")
    assert b["footprint_area_m2"].iloc[0] == pytest.approx(78.0, rel=0.02)


# --------------------------------------------------------------------------- `twin info` and `twin export`
@pytest.fixture(scope="module")
def good_scene(tmp_path_factory) -> Path:
    """A small valid scene folder (three buildings, Uccle weather)."""
    tmp = tmp_path_factory.mktemp("scene")
    src = _lambert_file(_good(0), _good(1), _good(2))(tmp)["in"]
    out = tmp / "scene"
    result = run_twin(["ingest", str(src), str(EPW), "-o", str(out), "-q"], timeout_s=TIMEOUT_S)
    assert result.code == 0, result.stderr
    return out


def _copy_scene(good: Path, tmp: Path) -> Path:
    import shutil

    dst = tmp / "scene"
    shutil.copytree(good, dst)
    return dst


def _edit_meta(edit):
    def apply(scene: Path) -> None:
        meta = json.loads((scene / "scene.json").read_text())
        (scene / "scene.json").write_text(json.dumps(edit(meta)))

    return apply


def _edit_buildings(edit):
    def apply(scene: Path) -> None:
        b = gpd.read_parquet(scene / "buildings.parquet")
        edit(b).to_parquet(scene / "buildings.parquet")

    return apply


def _set(column, value):
    def edit(b):
        b[column] = value
        return b

    return edit


def _write(name: str, data: bytes):
    def apply(scene: Path) -> None:
        (scene / name).write_bytes(data)

    return apply


def _replace_with_link(name: str, target: str):
    def apply(scene: Path) -> None:
        (scene / name).unlink()
        os.symlink(target, scene / name)

    return apply


def _remove(name: str):
    def apply(scene: Path) -> None:
        (scene / name).unlink()

    return apply


def _meta_folder(scene: Path) -> None:
    (scene / "scene.json").unlink()
    (scene / "scene.json").mkdir()


SCENE_CASES: dict[str, tuple] = {
    "no-scene-json": (_remove("scene.json"), ("scene.json",)),
    "scene-json-garbage": (_write("scene.json", b"{not json"), ("scene.json", "not JSON")),
    "scene-json-binary": (_write("scene.json", b"\xff\xfe\x00garbage"), ("scene.json",)),
    "scene-json-without-crs": (_edit_meta(lambda m: {k: v for k, v in m.items() if k != "crs"}), ("scene.json", "crs")),
    "scene-json-unknown-crs": (_edit_meta(lambda m: {**m, "crs": "banana"}), ("crs", "banana")),
    "scene-json-crs-not-text": (_edit_meta(lambda m: {**m, "crs": 31370}), ("scene.json", "crs")),
    "scene-json-is-a-list": (_write("scene.json", b"[1, 2]"), ("scene.json", "crs")),
    "scene-json-is-a-folder": (_meta_folder, ("scene.json", "folder")),
    "scene-json-link-to-dev-zero": (_replace_with_link("scene.json", "/dev/zero"), ("scene.json", "not a regular file")),
    "buildings-parquet-garbage": (_write("buildings.parquet", os.urandom(2000)), ("buildings.parquet", "GeoParquet")),
    "buildings-parquet-link-to-dev-urandom": (_replace_with_link("buildings.parquet", "/dev/urandom"), ("buildings.parquet", "not a regular file")),
    "buildings-without-height": (_edit_buildings(lambda b: b.drop(columns=["height_m"])), ("buildings.parquet", "height_m")),
    "buildings-height-1e9": (_edit_buildings(_set("height_m", 1e9)), ("buildings.parquet", "height_m", "1e+09")),
    "buildings-height-nan": (_edit_buildings(_set("height_m", float("nan"))), ("buildings.parquet", "height_m")),
    "buildings-height-text": (_edit_buildings(_set("height_m", "tall")), ("buildings.parquet", "height_m")),
    "buildings-storeys-1e6": (_edit_buildings(_set("n_storeys", 10**6)), ("buildings.parquet", "n_storeys")),
    "weather-meta-broken": (_edit_meta(lambda m: {**m, "weather": {"location": {"name": "x"}}}), ("weather",)),
    "weather-parquet-garbage": (_write("weather.parquet", b"PAR1 no parquet"), ("weather.parquet",)),
}


@pytest.mark.parametrize("case", list(SCENE_CASES), ids=list(SCENE_CASES))
@pytest.mark.parametrize("command", ["info", "export"])
def test_scene_bad_input(case, command, good_scene, tmp_path):
    edit, texts = SCENE_CASES[case]
    scene = _copy_scene(good_scene, tmp_path)
    edit(scene)
    args = [command, str(scene)] + (["-o", str(tmp_path / "out.gpkg")] if command == "export" else [])
    assert_one_line_error(run_twin(args, timeout_s=TIMEOUT_S), contains=texts)
    assert not (tmp_path / "out.gpkg").exists()


def test_good_scene_is_read(good_scene, tmp_path):
    """The corpus's base scene is valid: every failure above comes from its one edit."""
    info = run_twin(["info", str(good_scene)], timeout_s=TIMEOUT_S)
    assert info.code == 0 and "buildings" in info.stdout and "weather: Uccle" in info.stdout, info.stderr
    export = run_twin(["export", str(good_scene), "-o", str(tmp_path / "b.city.json")], timeout_s=TIMEOUT_S)
    assert export.code == 0, export.stderr


OTHER_SCENE_CASES: dict[str, tuple] = {
    "info-missing-scene": (["info", "{tmp}/nothing"], ("nothing", "not found")),
    "info-folder-without-scene": (["info", "{tmp}"], ("scene.json",)),
    "info-garbage-gpkg": (["info", "{tmp}/junk.gpkg"], ("junk.gpkg",)),
    "info-gpkg-not-from-twin": (["info", "{tmp}/other.gpkg"], ("other.gpkg", "twin_scene")),
    "info-a-geojson": (["info", "{tmp}/x.geojson"], ("x.geojson", "no twin scene")),
    "info-link-to-dev-zero-gpkg": (["info", "{tmp}/zero.gpkg"], ("zero.gpkg", "not a regular file")),
    "export-out-under-a-file": (["export", "{scene}", "-o", "{tmp}/x.geojson/out"], ("is a file, not a folder",)),
    "export-out-name-too-long": (["export", "{scene}", "-o", "{tmp}/" + "y" * 300 + ".gpkg"], ("longer than 255 bytes",)),
    "export-onto-itself": (["export", "{scene}", "-o", "{scene}"], ("the scene being read",)),
    "export-cityjson-onto-a-folder": (["export", "{scene}", "-o", "{tmp}/dir.city.json"], ("existing folder",)),
}


@pytest.mark.parametrize("case", list(OTHER_SCENE_CASES), ids=list(OTHER_SCENE_CASES))
def test_info_export_bad_paths(case, good_scene, tmp_path):
    args, texts = OTHER_SCENE_CASES[case]
    (tmp_path / "junk.gpkg").write_bytes(os.urandom(3000))
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(*BRUSSELS)], crs="EPSG:31370").to_file(tmp_path / "other.gpkg")
    (tmp_path / "x.geojson").write_text(geojson_text([_good()], crs=None))
    (tmp_path / "dir.city.json").mkdir()
    os.symlink("/dev/zero", tmp_path / "zero.gpkg")
    scene = _copy_scene(good_scene, tmp_path / "s") if "{scene}" in " ".join(args) else None
    names = {"tmp": tmp_path, "scene": scene}
    argv = [a.format(**{k: str(v) for k, v in names.items()}) for a in args]
    assert_one_line_error(run_twin(argv, timeout_s=TIMEOUT_S), contains=texts)

