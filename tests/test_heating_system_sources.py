"""Where the heating systems come from: a CityJSON ``heating_system`` attribute (source ``data``),
written back by the CityJSON export only where known, and said by the run record and the
report's "What this run assumed" box (share of the floor area per source, buildings per system).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_ingest_cityjson import district, write
from twin.errors import InputError
from twin.export.cityjson import write_cityjson
from twin.ingest.cityjson import read_cityjson


def _with_systems(**systems: str | None):
    """The hand-made district of test_ingest_cityjson with ``heating_system`` attributes put on
    the named objects (a BuildingPart's attribute counts for its building)."""
    b, _ = district()
    for oid, value in systems.items():
        b.objects[oid].setdefault("attributes", {})["heating_system"] = value
    return b.doc()


def test_attribute_gives_the_system_with_source_data(tmp_path: Path) -> None:
    """Case aside, on the building or on one of its parts; a building without one is a default."""
    doc = _with_systems(shed="Heat_Pump_Air_35")
    doc["CityObjects"]["house-1-b"]["attributes"] = {"heating_system": " district_heating "}
    layer = read_cityjson(write(tmp_path, doc)).layers["buildings"].set_index("building_id")
    assert layer.loc["cityjson:shed", "heating_system"] == "heat_pump_air_35"
    assert layer.loc["cityjson:shed", "heating_system_source"] == "data"
    assert layer.loc["cityjson:shed", "heating_system_rule"] == "attribute:heating_system"
    assert layer.loc["cityjson:house-1", "heating_system"] == "district_heating"
    assert layer.loc["cityjson:house-1", "heating_system_source"] == "data"


def test_file_without_the_attribute_has_no_column(tmp_path: Path) -> None:
    doc = _with_systems(shed="gas_boiler")
    layer = read_cityjson(write(tmp_path, doc)).layers["buildings"].set_index("building_id")
    assert layer.loc["cityjson:house-1", ["heating_system", "heating_system_source"]].tolist() == ["", "default"]
    plain = read_cityjson(write(tmp_path, _with_systems(), "plain.city.json")).layers["buildings"]
    assert not any(c.startswith("heating_system") for c in plain.columns)


def test_misspelt_value_names_file_building_and_attribute(tmp_path: Path) -> None:
    path = write(tmp_path, _with_systems(shed="heat_pump_air35"))
    with pytest.raises(InputError) as err:
        read_cityjson(path)
    text = str(err.value)
    assert "doc.city.json" in text and "cityjson:shed" in text and "heating_system" in text
    assert "did you mean 'heat_pump_air_35'" in text


def test_misspelt_value_through_the_cli_is_one_line_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, _with_systems(shed="Gas_Boiler_Condensng"))
    line = assert_one_line_error(run_twin(["ingest", path, "-o", tmp_path / "scene", "-q"]),
                                 contains=("doc.city.json", "cityjson:shed", "heating_system", "gas_boiler_condensing"))
    assert "Gas_Boiler_Condensng" in line


def test_export_round_trip_keeps_known_systems_and_writes_none_for_defaults(tmp_path: Path) -> None:
    layer = read_cityjson(write(tmp_path, _with_systems(shed="heat_pump_air_35"))).layers["buildings"]
    layer.loc[layer["building_id"] == "cityjson:house-1", ["heating_system", "heating_system_source"]] = ["district_heating", "user"]
    out = tmp_path / "out.city.json"
    write_cityjson(layer, out, crs=layer.crs)
    objects = json.loads(out.read_text())["CityObjects"]
    assert objects["shed"]["attributes"]["heating_system"] == "heat_pump_air_35"
    assert objects["house-1"]["attributes"]["heating_system"] == "district_heating"
    back = read_cityjson(out).layers["buildings"].set_index("building_id")
    assert back.loc["cityjson:shed", ["heating_system", "heating_system_source"]].tolist() == ["heat_pump_air_35", "data"]
    assert back.loc["cityjson:house-1", ["heating_system", "heating_system_source"]].tolist() == ["district_heating", "data"]
    # a default system: no attribute at all (not '' read back as data)
    layer.loc[layer["building_id"] == "cityjson:house-1", ["heating_system", "heating_system_source", "heating_system_rule"]] = ["", "default", "default"]
    write_cityjson(layer, tmp_path / "out2.city.json", crs=layer.crs)
    attrs = json.loads((tmp_path / "out2.city.json").read_text())["CityObjects"]["house-1"]["attributes"]
    assert not any(k.startswith("heating_system") for k in attrs), attrs
