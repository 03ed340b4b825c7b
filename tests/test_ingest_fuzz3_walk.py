"""Faults left by the fault-injection walks of ``twin ingest`` (helpers fuzz, fuzz2; fixed by fuzz3).

* A GeoJSON feature with a misspelt ``"type": "Featur"`` was skipped by GDAL without a word (24 of
  25 buildings read, nothing listed as dropped).
* A bare ``"height": NaN`` (not JSON, accepted by GDAL) was read as no value and defaulted.
* ``"start_date": true`` left the year unknown without the note text without a year gets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.geojson_builders import X0, Y0, square, write_geojson
from twin.errors import InputError
from twin.ingest.vector import read_vector


@pytest.mark.parametrize("kind", ["Featur", "feature", "missing"])
def test_a_feature_gdal_would_skip_is_refused_naming_its_index(tmp_path: Path, kind: str) -> None:
    feats = [square(X0 + 20 * i, Y0, building="yes", osm_id=str(i + 1)) for i in range(3)]
    if kind == "missing":
        del feats[1]["type"]
    else:
        feats[1]["type"] = kind
    path = write_geojson(tmp_path / "fp.geojson", feats)
    with pytest.raises(InputError, match="is not a Feature") as info:
        read_vector(path)
    err = info.value
    assert (err.field, err.obj) == ("type", "features[1] (osm_id '2')")
    assert "fp.geojson" in str(err) and (repr(kind) if kind != "missing" else "None") in str(err)


def test_a_feature_gdal_would_skip_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    from tests.cli_harness import assert_one_line_error, run_twin

    feats = [square(X0, Y0, building="yes", osm_id="1"), square(X0 + 20, Y0, building="yes", osm_id="2")]
    feats[0]["type"] = "Featur"
    path = write_geojson(tmp_path / "fp.geojson", feats)
    out = tmp_path / "scene"
    assert_one_line_error(run_twin(["ingest", path, "-o", out, "-q"]),
                          contains=("fp.geojson", "features[0] (osm_id '1')", "'type'", "'Featur'"))
    assert not out.exists()


@pytest.mark.parametrize("field", ["height", "building:levels", "start_date"])
def test_a_nan_property_is_refused_naming_feature_and_field(tmp_path: Path, field: str) -> None:
    feats = [square(X0, Y0, building="yes", osm_id="1", **{field: 12}),
             square(X0 + 20, Y0, building="yes", osm_id="2", **{field: float("nan")})]
    path = write_geojson(tmp_path / "fp.geojson", feats)
    assert "NaN" in path.read_text()
    with pytest.raises(InputError, match="NaN is not a JSON value") as info:
        read_vector(path)
    assert (info.value.obj, info.value.field) == ("features[1] (osm_id '2')", field)


def test_nan_as_text_or_a_coordinate_is_read_as_before(tmp_path: Path) -> None:
    """Only a NaN property value is refused: the word in a text, and a NaN coordinate (the feature
    dropped naming it), are as before."""
    bad = square(X0 + 20, Y0, building="yes", osm_id="2")
    bad["geometry"]["coordinates"][0][1][0] = float("nan")
    feats = [square(X0, Y0, building="yes", osm_id="1", name="x: NaN", note=[1, "NaN"]), bad]
    result = read_vector(write_geojson(tmp_path / "fp.geojson", feats))
    assert list(result.layers["buildings"]["building_id"]) == ["osm:way/1"]
    assert [d.obj for d in result.dropped] == ["osm:way/2"] and "not a finite number" in result.dropped[0].reason


def test_a_boolean_start_date_is_noted_as_text_without_a_year_is(tmp_path: Path) -> None:
    """``"start_date": true`` left the year unknown without a note, while ``"start_date": "abc"`` is
    noted (the year ignored, the building kept): a boolean gets the same note. (Beside text in the
    same column GDAL reads it as the text 'true', which was noted already.)"""
    feats = [square(X0, Y0, building="yes", osm_id="1", start_date=True),
             square(X0 + 20, Y0, building="yes", osm_id="2", start_date=None)]
    result = read_vector(write_geojson(tmp_path / "fp.geojson", feats))
    assert list(result.layers["buildings"]["building_id"]) == ["osm:way/1", "osm:way/2"]
    assert result.meta["attribute_notes"] == ["osm:way/1: start_date True holds no year: ignored (year unknown)"]

