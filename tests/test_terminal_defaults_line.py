"""``twin run``'s terminal line "floor area on defaults: ..." lists the attributes the report's box
and the run record list (:func:`twin.scene.provenance.reported_parameters`): floor area and
storey height where the scene records their sources (3dc230b moved the box and the record to
six; the terminal line still listed four)."""

from __future__ import annotations

from types import SimpleNamespace

from tests.scenario_helpers import heating_system_buildings
from tests.test_report_planner_review import _Scenario


def _line(frame) -> str:
    from twin.scenario.report import assumed_lines

    comp = SimpleNamespace(scenario=_Scenario(), samples=None, baseline_scene=SimpleNamespace(buildings=frame), stock_samples=None)
    comp.scenario.domains = ["energy"]
    return next(x for x in assumed_lines(comp) if x.startswith("floor area on defaults: "))


def test_the_terminal_line_lists_floor_area_and_storey_height_where_recorded():
    frame = heating_system_buildings().assign(floor_area_m2_source="data", storey_height_m_source=["default"] * 4 + ["data"],
                                              storey_height_m=3.0)
    line = _line(frame)
    assert line.split(": ", 1)[1].split(", ") == ["use 0.0 %", "height_m 0.0 %", "n_storeys 0.0 %", "construction_year 0.0 %",
                                                   "floor_area_m2 0.0 %", "storey_height_m 100.0 %"]
    older = _line(heating_system_buildings())  # a scene without those source columns: the four
    assert older.split(": ", 1)[1].split(", ") == ["use 0.0 %", "height_m 0.0 %", "n_storeys 0.0 %", "construction_year 0.0 %"]
