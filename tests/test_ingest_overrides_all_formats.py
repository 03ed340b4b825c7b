"""``twin ingest --overrides`` for every reader: applied, or refused in one line, never a quiet
no change (a row naming a building of a reader that swallowed the option left it as read).

Through the command line (:func:`tests.cli_harness.run_twin`) on the hand-made CityJSON district
of ``tests/test_ingest_cityjson.py``; the IFC reader applies them too (it refused them before):
``tests/test_overrides_one_path.py``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_ingest_cityjson import district, flat_square, write
from twin.errors import InputError
from twin.ingest.dispatch import PER_BUILDING_OPTIONS, _accepted, check_overrides_applied
from twin.ingest.result import IngestResult


def _table(tmp_path: Path, text: str, name: str = "known.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _city(tmp_path: Path) -> Path:
    b, _ = district()
    return write(tmp_path, b.doc())


def _buildings(scene: Path) -> pd.DataFrame:
    return gpd.read_parquet(scene / "buildings.parquet").set_index("building_id")


# --------------------------------------------------------------------------- the safety net
def test_a_catch_all_reader_does_not_take_a_per_building_option() -> None:
    """``**kwargs`` is not ``overrides=``: the option is kept from such a reader (and then refused
    for its buildings), other options still reach it."""

    def catch_all(path, *, crs=None, **_other):
        return IngestResult(path=str(path))

    def named(path, *, overrides=None, **_other):
        return IngestResult(path=str(path))

    options = {"overrides": {"b": {"construction_year": 1975}}, "layer": "buildings"}
    assert "overrides" in PER_BUILDING_OPTIONS
    assert _accepted(catch_all, options) == {"layer": "buildings"}
    assert _accepted(named, options) == options


def test_rows_of_other_buildings_and_applying_readers_pass() -> None:
    """Only a row naming a building of the file is refused; a reader that recorded
    ``overrides_applied`` (even 0) is trusted."""
    result = IngestResult(path="a.city.json")
    result.layers["buildings"] = pd.DataFrame({"building_id": ["cityjson:a", "cityjson:b"]})
    check_overrides_applied(result, {"vector:x": {"construction_year": 1975}}, path="a.city.json", suffix=".city.json")
    rows = {"cityjson:b": {"construction_year": 1975}}
    with pytest.raises(InputError, match="not applied to CityJSON buildings yet.*cityjson:b.*a.city.json"):
        check_overrides_applied(result, rows, path="a.city.json", suffix=".city.json")
    result.meta["overrides_applied"] = 1
    check_overrides_applied(result, rows, path="a.city.json", suffix=".city.json")


# --------------------------------------------------------------------------- CityJSON applies them
def _city_ingest(tmp_path: Path, table: str, *, doc=None, out: str = "scene"):
    path = write(tmp_path, doc if doc is not None else district()[0].doc())
    known = _table(tmp_path, table)
    return run_twin(["ingest", path, "-o", tmp_path / out, "--crs", "EPSG:28992", "--overrides", known, "-q"]), tmp_path / out


def test_cityjson_overrides_win_with_source_user_and_flow_into_derived_values(tmp_path: Path) -> None:
    """The file says house-1 was built in 1932 with 2 storeys: the given 1975 and 3 storeys win
    (source ``user``), and the storey height follows the given storeys; the shed gets the given
    use (case aside, as for the other readers) and heating system (the file has no system column)."""
    result, scene = _city_ingest(tmp_path, "building_id,construction_year,n_storeys,use,heating_system\n"
                                           "cityjson:house-1,1975,3,,\ncityjson:shed,,,Office,heat_pump_air_35\n")
    assert result.code == 0, result.stderr
    b = _buildings(scene)
    house, shed = b.loc["cityjson:house-1"], b.loc["cityjson:shed"]
    assert (house["construction_year"], house["construction_year_source"], house["construction_year_rule"]) == (1975, "user", "override")
    assert (house["n_storeys"], house["n_storeys_source"]) == (3, "user")
    assert house["storey_height_m"] == pytest.approx(house["height_m"] / 3)
    assert house["height_m_source"] == "data"  # its LoD2 geometry
    assert (shed["use"], shed["use_source"]) == ("office", "user")
    assert (shed["heating_system"], shed["heating_system_source"]) == ("heat_pump_air_35", "user")
    assert (house["heating_system"], house["heating_system_source"]) == ("", "default")
    assert house["use_source"] == "data" and shed["construction_year_source"] == "default"


def test_cityjson_height_from_geometry_is_refused_and_a_flat_footprint_takes_it(tmp_path: Path) -> None:
    """A LoD2 solid spans its height: a height_m override is refused in one line. A LoD0
    footprint has none: the given height is used and its storeys follow from it."""
    result, scene = _city_ingest(tmp_path, "building_id,height_m\ncityjson:house-1,20\n")
    assert_one_line_error(result, contains=("known.csv", "line 2", "cityjson:house-1", "height_m", "geometry", "n_storeys"))
    assert not scene.exists()
    b, _ = district()
    b.objects["flat"] = {"type": "Building", "geometry": [{"type": "MultiSurface", "lod": "0", "boundaries": flat_square(b, 40, 20, 10)}]}
    result, scene = _city_ingest(tmp_path, "building_id,height_m\ncityjson:flat,15\n", doc=b.doc(), out="scene2")
    assert result.code == 0, result.stderr
    flat = _buildings(scene).loc["cityjson:flat"]
    assert (flat["height_m"], flat["height_m_source"], flat["height_m_rule"]) == (15.0, "user", "override")
    assert flat["n_storeys_source"] == "inferred" and flat["n_storeys"] == 5  # 15 m / 3 m storeys


def test_cityjson_too_many_given_storeys_are_refused(tmp_path: Path) -> None:
    """3.5 m of geometry cannot hold 3 storeys: refused naming the row, not a building dropped."""
    result, _ = _city_ingest(tmp_path, "building_id,n_storeys\n\ncityjson:shed,3\n")
    assert_one_line_error(result, contains=("known.csv", "line 3", "cityjson:shed", "n_storeys"))


def test_cityjson_overrides_survive_an_export_round_trip(tmp_path: Path) -> None:
    """``twin export`` writes the given values as CityJSON attributes; read back they are data."""
    result, scene = _city_ingest(tmp_path, "building_id,construction_year,heating_system\ncityjson:shed,1975,district_heating\n")
    assert result.code == 0, result.stderr
    out = tmp_path / "out.city.json"
    exported = run_twin(["export", scene, "-o", out, "-q"])
    assert exported.code == 0, exported.stderr
    back = tmp_path / "back"
    again = run_twin(["ingest", out, "-o", back, "--crs", "EPSG:28992", "-q"])
    assert again.code == 0, again.stderr
    shed = _buildings(back).loc["cityjson:shed"]
    assert (shed["construction_year"], shed["construction_year_source"]) == (1975, "data")
    assert (shed["heating_system"], shed["heating_system_source"]) == ("district_heating", "data")
