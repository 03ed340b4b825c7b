"""GeoJSON entries of ``"features"`` that GDAL skips without a word and the scan of helper fuzz3 did
not see: neither a Feature nor with a ``"geometry"`` member (a number, null, a bare geometry, an
empty object). Before, 2 of 3 buildings were read and nothing was listed as dropped.

The files are written indented (``indent=1``): the scan of the entries crosses newlines and spaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.geojson_builders import X0, Y0, square, write_geojson
from twin.errors import InputError
from twin.ingest.vector import read_vector

BARE = {"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + 5, Y0], [X0 + 5, Y0 + 5], [X0, Y0]]]}


@pytest.mark.parametrize(("entry", "said"), [(5, "it is the number 5"), (None, "it is null"), ("x", "it is a string"),
                                             ([1, 2], "it is an array"), (BARE, "its \"type\" is 'Polygon'"),
                                             ({}, "its \"type\" is None"), ({"properties": {"osm_id": "9"}}, "its \"type\" is None")],
                         ids=["number", "null", "text", "list", "bare-geometry", "empty-object", "properties-only"])
@pytest.mark.parametrize("at", [0, 1, 2])
def test_an_entry_that_is_no_feature_is_refused_naming_its_index(tmp_path: Path, entry, said: str, at: int) -> None:
    feats = [square(X0 + 20 * i, Y0, building="yes", osm_id=str(i + 1)) for i in range(2)]
    feats.insert(at, entry)
    path = write_geojson(tmp_path / "fp.geojson", feats, indent=1, bbox=[X0, Y0, X0 + 50, Y0 + 10])
    with pytest.raises(InputError, match="is not a Feature") as info:
        read_vector(path)
    assert info.value.field == "type" and info.value.obj.startswith(f"features[{at}]") and "fp.geojson" in str(info.value)
    assert f"is not a Feature ({said})" in str(info.value)


def test_an_entry_that_is_no_feature_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    from tests.cli_harness import assert_one_line_error, run_twin

    path = write_geojson(tmp_path / "fp.geojson", [square(X0, Y0, building="yes", osm_id="1"), None], indent=1)
    out = tmp_path / "scene"
    assert_one_line_error(run_twin(["ingest", path, "-o", out, "-q"]), contains=("fp.geojson", "features[1]", "it is null"))
    assert not out.exists()


def test_valid_files_with_nested_objects_and_escaped_quotes_are_read(tmp_path: Path) -> None:
    feats = [square(X0, Y0, building="yes", name='Caf\u00e9 "Le Coq" [1, 2]', osm_id="1"),
             square(X0 + 20, Y0, building="yes", osm_id="2", note="a }, { b"),
             {"type": "Feature", "properties": {"osm_id": "3", "building": "yes"},
              "geometry": {"type": "GeometryCollection", "geometries": [BARE, BARE]}}]
    result = read_vector(write_geojson(tmp_path / "fp.geojson", feats, indent=1))
    assert len(result.layers["buildings"]) == 2  # the collection is dropped with its reason, not skipped
    assert [d.reason for d in result.dropped] == ["geometry collection: not a footprint, line or point"]


@pytest.mark.parametrize("chunk_bytes", [3, 7, 1 << 22])
def test_the_entry_count_carries_strings_escapes_and_depth_across_pieces(tmp_path: Path, monkeypatch, chunk_bytes: int) -> None:
    import mmap

    from twin.ingest import geojson_features

    monkeypatch.setattr(geojson_features, "_CHUNK_BYTES", chunk_bytes)
    feats = [square(X0, Y0, name='a "quoted" [x, y] {z}', path="C:\\dir\\", features=[1, 2]), 5, None, BARE, {},
             square(X0 + 20, Y0, note="\\\"],[{,")]
    path = write_geojson(tmp_path / "fp.geojson", feats, indent=1, bbox=[1, 2, 3, 4])
    text = path.read_text()
    assert '\\\\"' in text and '\\"' in text  # an escaped backslash before a quote, and escaped quotes
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        assert geojson_features._entry_count(data) == len(feats)
    path.write_text('{"type": "FeatureCollection", "features": [ ]}')
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        assert geojson_features._entry_count(data) == 0
