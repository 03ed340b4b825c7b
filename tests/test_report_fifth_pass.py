"""The default report read as a planner would, fifth pass: what reportpolish4 left.

* the busiest street's volume / capacity has a unit word in the report's KPI tables ("ratio"),
  while the terminal's store diff keeps its unit-less change (:data:`twin.scenario.report_labels.LABELS`
  is shared; the report's word is :data:`twin.scenario.report_labels.REPORT_UNITS`).
"""

from __future__ import annotations

import html
import re

import pandas as pd


def _unit_cells(page: str) -> dict[str, str]:
    """KPI id -> the text of its unit cell (the row's title is the id)."""
    return {m.group(1): html.unescape(m.group(2)) for m in re.finditer(r"<td class='l' title='([^']+)'>[^<]*</td><td class='l u'>([^<]*)</td>", page)}


def test_the_volume_capacity_ratio_has_a_unit_word_in_the_report_only():
    from twin.cli.store import kpi_header
    from twin.scenario import report_labels as L
    from twin.scenario.report import _kpi_table

    kpi = "am_peak_max_volume_capacity_ratio"
    group = pd.DataFrame({"whatif": ["w"] * 3, "domain": ["traffic"] * 3,
                          "kpi": [kpi, "off_peak_max_volume_capacity_ratio", "am_peak_vehicle_km"],
                          "baseline": [1.12, 0.8, 1000.0], "whatif_value": [1.31, 0.8, 900.0], "delta": [0.19, 0.0, -100.0]})
    page = _kpi_table(group, False, (5.0, 95.0))
    cells = _unit_cells(page)
    assert cells[kpi] == "ratio"  # the changed row
    assert cells["off_peak_max_volume_capacity_ratio"] == "ratio"  # the folded row of unchanged indicators
    assert cells["am_peak_vehicle_km"] == "veh·km"  # a KPI with a unit keeps it
    assert all(u for u in cells.values()), cells
    assert L.unit(kpi) == ""  # the shared table unchanged: the terminal's store diff writes no unit after the change
    assert L.report_unit(kpi) == "ratio"
    assert kpi_header(kpi) == "AM_PEAK_MAX_VOLUME_CAPACITY_RATIO CHANGE"  # the store diff's header: no unit, as before


def _calibrated_scene():
    """Four buildings, three calibrated as a group (90 % of the floor area); sources from data or defaults."""
    from types import SimpleNamespace

    b = pd.DataFrame({"building_id": ["a", "b", "c", "d"], "floor_area_m2": [300.0, 300.0, 300.0, 100.0],
                      "use": ["residential"] * 4, "height_m": [9.0] * 4, "n_storeys": [3] * 4, "construction_year": [1930] * 4,
                      "calib_kind": ["group", "group", "group", ""], "calib_group": ["st-gilles"] * 3 + [""]})
    for p, src in (("use", "data"), ("height_m", "data"), ("n_storeys", "inferred"), ("construction_year", "default")):
        b[f"{p}_source"] = src
    return SimpleNamespace(buildings=b)


def test_the_attribute_sources_say_what_the_calibration_adjusts():
    """The table read 'calibrated 0.0 %' for every attribute while the calibration section said
    88.8 % of the floor area is calibrated: the note under it names what the calibration adjusts."""
    from twin.scenario.report import _calibrated_share, _provenance_table

    scene = _calibrated_scene()
    page = _provenance_table(scene)
    calibrated = re.findall(r"<td>([0-9.]+) %</td>", page)
    assert calibrated and "90.0 %" in _calibrated_share(scene)  # the box's share, as the calibration section's
    note = re.search(r"<p class='note calibration-adjusts'>(.*?)</p>", page)
    assert note, page
    text = html.unescape(re.sub(r"<[^>]+>", "", note.group(1)))
    assert "reads 0.0 % because the calibration adjusts none of the attributes listed" in text
    assert "3 buildings (90.0 % of the floor area): the U-values of their envelope" in text
    assert "own meter" not in text  # no building calibrated to its own meter here

    scene.buildings["calib_kind"] = ["group", "building", "", ""]
    text = html.unescape(re.sub(r"<[^>]+>", "", _provenance_table(scene)))
    assert "1 building (30.0 % of the floor area): the U-values of their envelope" in text
    assert "1 building (30.0 % of the floor area): their envelope's U-values, air change rate, heating set-point and hot-water use, fitted to their own meter" in text

    scene.buildings["calib_kind"] = ""  # no calibration: no note
    assert "calibration-adjusts" not in _provenance_table(scene)


def test_the_solar_map_caption_and_legend_name_the_classes_drawn():
    """The caption spoke of "five classes" of irradiation beside a table of four suitability
    classes, whatever the district's roofs: it now names the irradiation classes the map draws
    (the legend's, :func:`~twin.scenario.report_solar.drawn_classes`) and says they are not the
    table's roof classes."""
    from types import SimpleNamespace

    from twin.scenario.report_solar import SUITABILITY_ROWS, drawn_classes, map_caption

    surfaces = pd.DataFrame({"kind": ["roof", "roof", "roof", "wall", "roof"],
                             "irradiation_kwh_m2_year": [750.0, 950.0, 1050.0, 1500.0, 990.0]})
    cad = SimpleNamespace(surfaces=surfaces)
    drawn = drawn_classes(cad)
    assert [(label, n) for label, _, n in drawn] == [("low, under 800", 1), ("medium, 800 to 1,000", 2), ("good, 1,000 to 1,200", 1)]
    text = html.unescape(re.sub(r"<[^>]+>", "", map_caption(cad, "renovation-wave")))
    assert "in three of the five classes of the Swiss solar cadastre (sonnendach.ch) that its roofs reach: " in text
    assert "low, under 800 (1 roof), medium, 800 to 1,000 (2 roofs), good, 1,000 to 1,200 (1 roof)" in text
    assert "in the five classes" not in text and "very good" not in text  # a wall's irradiation draws no roof class
    assert f"not the {len(SUITABILITY_ROWS)} roof classes of the table below" in text
    assert "outlined: the buildings renovation-wave equips" in text
