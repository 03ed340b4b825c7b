"""One list of CityJSON file endings (:data:`twin.io.cityjson_document.CITYJSON_SUFFIXES`) for the
solar readers, ``twin solar`` and the CityJSON writers: it was written out in four places."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.cli.solar import _is_cityjson


@pytest.mark.parametrize(("name", "exists", "expected"), [
    ("lod2.city.json", False, True), ("LOD2.CityJSON", False, True), ("lod2.json", True, True), ("LOD2.JSON", True, True),
    ("lod2.json", False, False),  # a plain .json names a CityJSON input only when it is a file (else a scene folder name)
    ("scene.gpkg", True, False), ("scene", False, False),
])  # fmt: skip
def test_twin_solar_tells_a_cityjson_input_by_its_name(tmp_path: Path, name: str, exists: bool, expected: bool) -> None:
    path = tmp_path / name
    if exists:
        path.write_text("{}")
    assert _is_cityjson(path) is expected


def test_the_solar_reader_refuses_another_ending_naming_the_endings(tmp_path: Path) -> None:
    from twin.errors import InputError
    from twin.solar.cityjson_surfaces import cityjson_surfaces

    path = tmp_path / "lod2.txt"
    path.write_text("{}")
    with pytest.raises(InputError, match=r"CityJSON file must end in \.city\.json, \.cityjson, \.json"):
        cityjson_surfaces(path)
