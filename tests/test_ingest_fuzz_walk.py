"""Faults found by the fault-injection walk of ``twin ingest`` (helper fuzz): damaged copies of
the samples in ``data_samples/`` that were read as garbage without a word.

* A JSON array as a height or storey count (``"height": [1, 2]``) was read as its first number
  (1 m, 1 storey, source 'data'): GDAL reads it as a list, the reader turns it into the text
  ``'[1, 2]'`` and the tag parser took the first number of that text. A list is not a number:
  the building is dropped naming the field, as for ``"height": "abc"``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.geojson_builders import X0, Y0, square, write_geojson
from twin.ingest.vector import read_vector


@pytest.mark.parametrize("field", ["height", "building:levels"])
def test_a_list_as_a_number_drops_the_building_naming_the_field(tmp_path: Path, field: str) -> None:
    feats = [
        square(X0, Y0, building="yes", osm_id="1", **{field: [1, 2]}),
        square(X0 + 20, Y0, building="yes", osm_id="2", **{field: None}),
    ]
    result = read_vector(write_geojson(tmp_path / "fp.geojson", feats))
    assert list(result.layers["buildings"]["building_id"]) == ["osm:way/2"]
    assert [(d.obj, d.reason) for d in result.dropped] == [("osm:way/1", f"{field} '[1, 2]' is not a number")]


@pytest.mark.parametrize("name", ["EPSG:999999", "urn:ogc:def:crs:EPSG::3137O", "Lambert 72"])
def test_a_geojson_that_declares_an_unknown_crs_is_refused_naming_it(tmp_path: Path, name: str) -> None:
    """GDAL reads a GeoJSON whose ``"crs"`` it cannot resolve as WGS84 without a word: a typo in
    the CRS of Lambert 72 coordinates gave 'outside the area of use of EPSG:4326', and degrees
    under a wrong name were read as if the name were right."""
    from twin.errors import CRSError

    path = write_geojson(tmp_path / "fp.geojson", [square(4.34, 50.83, 1e-4, building="yes")], crs=name)
    with pytest.raises(CRSError, match="unknown") as info:
        read_vector(path)
    assert info.value.field == "crs" and name in str(info.value)
    # the user's way out: name the CRS and override the file's
    assert read_vector(path, crs="EPSG:4326", crs_override=True).counts() == {"buildings": 1}


def test_a_cli_ingest_of_a_geojson_with_an_unknown_crs_is_one_line(tmp_path: Path) -> None:
    from tests.cli_harness import assert_one_line_error, run_twin

    path = write_geojson(tmp_path / "fp.geojson", [square(4.34, 50.83, 1e-4, building="yes")], crs="EPSG:999999")
    out = tmp_path / "scene"
    assert_one_line_error(run_twin(["ingest", path, "-o", out, "-q"]), contains=("fp.geojson", "'crs'", "EPSG:999999"))
    assert not out.exists()


def test_an_epw_saved_with_a_utf8_byte_order_mark_is_read_as_without(tmp_path: Path) -> None:
    """An EPW saved by an editor that writes a UTF-8 byte-order mark was refused with 'first line
    must be LOCATION,...' although its first line is one."""
    import numpy as np

    from twin.io.epw import read_epw

    sample = Path(__file__).resolve().parents[1] / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
    marked = tmp_path / "uccle.epw"
    marked.write_bytes(b"\xef\xbb\xbf" + sample.read_bytes())
    plain, bom = read_epw(sample), read_epw(marked)
    assert bom.location == plain.location
    np.testing.assert_array_equal(bom.data["dry_bulb_c"], plain.data["dry_bulb_c"])


def test_a_footprint_drawn_as_a_line_is_not_read_as_a_street(tmp_path: Path) -> None:
    """A building outline exported as a closed LineString (CAD, a polyline) with its 'building'
    attribute, in a file without street classes, became a residential street with default speed
    and lanes, without a word."""
    outline = square(X0, Y0, building="yes", osm_id="1")
    outline["geometry"] = {"type": "LineString", "coordinates": outline["geometry"]["coordinates"][0]}
    result = read_vector(write_geojson(tmp_path / "fp.geojson", [outline, square(X0 + 20, Y0, building="yes", osm_id="3")]))
    assert result.counts() == {"buildings": 1}
    assert list(result.layers["buildings"]["building_id"]) == ["osm:way/3"]
    assert [(d.obj, d.reason) for d in result.dropped] == [
        ("osm:way/1", "line with a 'building' attribute and no street class: a footprint must be a Polygon")
    ]


@pytest.mark.parametrize("extra", [",", ",x"], ids=["trailing-comma", "unnamed-column"])
def test_meter_rows_with_a_field_more_than_the_header_are_refused_naming_it(tmp_path: Path, extra: str) -> None:
    """Rows with one field more than the header made pandas take the first column as the index:
    every column shifted by one, and the error blamed the carrier ('unknown carrier
    '2018-03-22t00:00:00+01:00'') of a file whose carriers are right."""
    from twin.calibration.meters import read_meters
    from twin.errors import TwinError

    rows = ["building_id,carrier,timestamp,value,unit"] + [
        f"b1,heat,2018-03-{d:02d}T00:00:00+01:00,{1000 + 50 * d},kWh{extra}" for d in range(1, 20)
    ]
    path = tmp_path / "meters.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(TwinError, match="one field more than the header") as info:
        read_meters(path, building_ids=["b1"], zones={"*": "all"})
    assert info.value.obj == "row 2" and "meters.csv" in str(info.value)


def test_a_defaults_file_with_a_key_given_twice_is_refused_naming_the_key(tmp_path: Path) -> None:
    """A --defaults YAML that gives a key twice was read with the second value replacing the
    first without a word (YAML loaders keep the last)."""
    from tests.cli_harness import assert_one_line_error, run_twin
    from tests.output_helpers import write_tiny_inputs

    inputs = write_tiny_inputs(tmp_path / "in")
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text("buildings:\n  pitched_roof_height_m: 3.5\n  small_footprint_storeys: 1\n  pitched_roof_height_m: 35\n", encoding="utf-8")
    out = tmp_path / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", "--defaults", defaults, "-o", out, "-q"])
    assert_one_line_error(result, contains=("defaults.yaml", "'pitched_roof_height_m'", "twice", "line 4"))
    assert not out.exists()


def test_a_scenario_with_a_key_given_twice_is_refused_naming_the_key(tmp_path: Path) -> None:
    """A scenario YAML that gives a key twice ('fraction: 0.3' then 'fraction: 0.03' in the same
    selection) ran with the second value without a word."""
    from tests.cli_harness import assert_one_line_error, run_twin

    src = (Path(__file__).resolve().parents[1] / "scenarios" / "stgilles_default.yaml").read_text(encoding="utf-8")
    text = src.replace("fraction: 0.3}", "fraction: 0.3, fraction: 0.03}").replace("calibration: stgilles_default_calibration.parquet", "")
    assert text.count("fraction: 0.3, fraction: 0.03}") == 1
    repo = Path(__file__).resolve().parents[1]
    scenario = tmp_path / "twice.yaml"
    scenario.write_text(text.replace("../data_samples/", str(repo / "data_samples") + "/"), encoding="utf-8")
    result = run_twin(["scenario", "validate", "--no-scene", scenario])
    assert_one_line_error(result, contains=("twice.yaml", "'fraction'", "twice"))


@pytest.mark.parametrize("cut", ["b1,heat,2018-03-19T00:00:00+01:00,1950", "b1,heat,2018-03-19T0"], ids=["no-unit", "mid-timestamp"])
def test_a_meter_row_cut_short_is_refused_naming_its_line(tmp_path: Path, cut: str) -> None:
    """A last row cut short (fewer fields than the header) was read with '' in its missing fields
    and reported as "unknown unit ''", naming neither the row nor the cause."""
    from twin.calibration.meters import read_meters
    from twin.errors import TwinError

    rows = ["building_id,carrier,timestamp,value,unit"] + [
        f"b1,heat,2018-03-{d:02d}T00:00:00+01:00,{1000 + 50 * d},kWh" for d in range(1, 19)
    ]
    path = tmp_path / "meters.csv"
    path.write_text("\n".join(rows + [cut]) + "\n")
    with pytest.raises(TwinError, match=f"the row has {cut.count(',') + 1} field\\(s\\), fewer than the 5 of the header") as info:
        read_meters(path, building_ids=["b1"], zones={"*": "all"})
    assert info.value.obj == "row 20" and "meters.csv" in str(info.value)


@pytest.mark.filterwarnings("ignore:.*cumulative register readings")
def test_a_meter_row_with_an_empty_last_field_is_still_read_as_before(tmp_path: Path) -> None:
    """An empty field between commas is a value ('' meter_id), not a row cut short."""
    from twin.calibration.meters import read_meters

    rows = ["building_id,carrier,timestamp,value,unit,meter_id"] + [
        f"b1,heat,2018-03-{d:02d}T00:00:00+01:00,{1000 + 50 * d},kWh," for d in range(1, 20)
    ]
    path = tmp_path / "meters.csv"
    path.write_text("\n".join(rows) + "\n")
    assert len(read_meters(path, building_ids=["b1"], zones={"*": "all"}).readings) > 0


def test_an_input_file_given_twice_is_refused_naming_it_before_reading(tmp_path: Path, monkeypatch) -> None:
    """The same file twice was read twice: the second read failed with "id already in layer
    'buildings'", which does not say that the file is repeated. './fp.geojson' and 'fp.geojson'
    are the same file."""
    from twin.errors import InputError
    from twin.ingest import ingest

    path = write_geojson(tmp_path / "fp.geojson", [square(X0, Y0, building="yes", osm_id="1")])
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=r"the file is given twice \(input files 1 and 2 of 2\)") as info:
        ingest([path, Path(".") / "fp.geojson"], progress=False)
    assert "fp.geojson" in str(info.value)


def test_a_scenario_input_given_twice_is_one_line_naming_it(tmp_path: Path) -> None:
    from tests.cli_harness import assert_one_line_error, run_twin

    write_geojson(tmp_path / "district.geojson", [square(X0, Y0, building="yes", osm_id="1", **{"building:use": "residential"})])
    path = tmp_path / "twice.yaml"
    path.write_text("name: tiny\ninputs:\n  files: [district.geojson, district.geojson]\ndomains: [energy]\nwhatifs:\n"
                    "  - name: insulate\n    modifications:\n      - op: renovate\n        select: {where: {use: residential}}\n"
                    "        measures: [wall_insulation]\n", encoding="utf-8")
    assert_one_line_error(run_twin(["scenario", "validate", path]), contains=("district.geojson", "given twice"))
    out = tmp_path / "scene"
    assert_one_line_error(run_twin(["ingest", tmp_path / "district.geojson", tmp_path / "district.geojson", "-o", out, "-q"]),
                          contains=("district.geojson", "given twice (input files 1 and 2 of 2)"))
    assert not out.exists()


def test_a_broken_ifc_line_is_named_with_its_line_number(tmp_path: Path) -> None:
    """ifcopenshell skips an entity it cannot parse and only logs it; the model then failed with
    "ifcopenshell failed while reading the model: IndexError: tuple index out of range", naming
    neither the entity nor the line."""
    from tests.cli_harness import assert_one_line_error, run_twin

    text = (Path(__file__).parents[1] / "data_samples" / "permit_AC20-FZK-Haus.ifc").read_text(encoding="latin-1")
    lines = text.splitlines(keepends=True)
    at = lines.index("DATA;\n") + 1
    path = tmp_path / "garbage.ifc"
    path.write_text("".join(lines[:at] + ["#1=GARBAGE((((;\n"] + lines[at:]), encoding="latin-1")
    out = tmp_path / "scene"
    assert_one_line_error(run_twin(["ingest", path, "-o", out, "-q"]),
                          contains=("garbage.ifc", "the IFC file is damaged", "'GARBAGE'", f"(line {at + 1})", "IndexError"))
    assert not out.exists()
