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


# --------------------------------------------------------------------------- the run says where the systems came from
def _scenario(files: list[str]):
    from twin.scenario.schema import parse_scenario

    return parse_scenario({"name": "systems", "inputs": {"files": files}, "domains": ["energy"],
                           "whatifs": [{"name": "w", "modifications": [{"op": "scale_demand", "factor": 1.1}]}]})


def test_assumed_box_gives_the_share_per_source_and_the_systems() -> None:
    """Floor-area shares from the layer (data / user / default), the buildings per declared
    system, the rest the default gas boiler without priors; nothing said without the column."""
    from types import SimpleNamespace

    from tests.scenario_helpers import DISTRICT, heating_system_buildings
    from twin.scenario.report import _assumed_short

    frame = heating_system_buildings()
    scenario = _scenario([str(DISTRICT)])
    box = _assumed_short(SimpleNamespace(scenario=scenario, samples=None, baseline_scene=SimpleNamespace(buildings=frame)))
    item = box.split("<b>Heating system</b>")[1].split("</li>")[0]
    area = frame["floor_area_m2"]
    data = area[frame["heating_system_source"] == "data"].sum() / area.sum()
    user = area[frame["heating_system_source"] == "user"].sum() / area.sum()
    assert f"{100 * data:.1f} % of the floor area from data" in item
    assert f"{100 * user:.1f} % of the floor area given by a user" in item
    assert "(3 buildings: 2 gas_boiler_condensing, 1 heat_pump_air_35)" in item
    assert f"the rest (<span class='def'>{100 * (1 - data - user):.1f} %</span>) is not known: the default system" in item
    # with a heating-system prior the rest is its district mix (the central run's expected value and the samples)
    priors = SimpleNamespace(enabled=lambda: ["construction_period", "heating_system"], source="priors.yaml")
    sampled = _assumed_short(SimpleNamespace(scenario=scenario, samples=None, baseline_scene=SimpleNamespace(buildings=frame),
                                             stock_samples=SimpleNamespace(priors=priors)))
    assert "is not known: the district mix of the priors (<code>heating_system</code>)" in sampled
    priors.enabled = lambda: ["construction_period"]
    assert "is not known: the default system" in _assumed_short(SimpleNamespace(
        scenario=scenario, samples=None, baseline_scene=SimpleNamespace(buildings=frame), stock_samples=SimpleNamespace(priors=priors)))
    without = frame.drop(columns=["heating_system", "heating_system_source"])
    assert "Heating system" not in _assumed_short(SimpleNamespace(scenario=scenario, samples=None, baseline_scene=SimpleNamespace(buildings=without)))


@pytest.mark.slow
def test_run_record_and_report_say_where_the_systems_came_from(tmp_path: Path) -> None:
    """``twin run`` on a small district whose file gives some buildings a heating system: the run
    record's ``assumed.heating_system`` holds the baseline scene's shares and counts, the report's
    box says them."""
    import geopandas as gpd
    import yaml

    from tests.scenario_helpers import BOX_100M, EPW, write_small_district
    from twin.scene.io import read_scene

    path = write_small_district(tmp_path, BOX_100M)
    frame = gpd.read_file(path)
    frame["heating_system"] = None
    frame.loc[frame.index[:3], "heating_system"] = "Heat_Pump_Air_35"
    frame.loc[frame.index[3:5], "heating_system"] = "district_heating"
    frame.to_file(path, driver="GeoJSON")
    doc = {"name": "systems", "inputs": {"files": [str(path)], "weather": str(EPW)}, "domains": ["energy"],
           "whatifs": [{"name": "wave", "modifications": [{"op": "renovate", "select": {"fraction": 0.5}, "measures": ["roof_insulation"]}]}]}
    scenario = tmp_path / "systems.yaml"
    scenario.write_text(yaml.safe_dump(doc))
    out = tmp_path / "out"
    result = run_twin(["run", scenario, "-o", out, "-q"], timeout_s=900)
    assert result.code == 0, result.stderr[-3000:]
    record = json.loads((out / "run_record.json").read_text())["assumed"]["heating_system"]
    buildings = read_scene(out / "baseline_scene").buildings
    area = buildings["floor_area_m2"].astype(float)
    data = float(area[buildings["heating_system_source"] == "data"].sum() / area.sum())
    assert record["floor_area_shares"]["data"] == pytest.approx(data)
    assert record["floor_area_shares"]["default"] == pytest.approx(1 - data)
    assert record["systems"] == {"heat_pump_air_35": 3, "district_heating": 2}
    assert record["buildings"]["data"] == 5 and record["buildings"]["default"] == len(buildings) - 5
    box = (out / "report.html").read_text().split("<section id='assumed'>")[1].split("</section>")[0]
    assert f"<b>Heating system</b>: {100 * data:.1f} % of the floor area from data (5 buildings: 3 heat_pump_air_35, 2 district_heating)" in box
