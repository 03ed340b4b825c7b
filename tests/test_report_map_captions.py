"""A per-object map's caption says what is mapped, per what object, in which unit: the default
report's read "change of the heating need per m² (q_heat_kwh_m2_delta), what-if minus baseline"
(no unit but on the colour bar, a column name, no word of buildings or grid cells), and its
image's text alternative was the column name ("renovation-wave energy q_heat_kwh_m2_delta")."""

from __future__ import annotations

import html
import re


def test_the_map_caption_names_the_quantity_its_objects_and_unit():
    from tests.scenario_helpers import fake_comparison, fake_scenario
    from twin.scenario.report import _maps_section, map_shows

    assert map_shows("q_heat_kwh_m2_delta", "energy") == "change of the heating need per m² of heated floor of each building, kWh/m²·yr"
    assert map_shows("runoff_mm_delta", "soil") == "change of the runoff to the sewer of each grid cell, mm over the cell"
    comp = fake_comparison()
    comp.scenario = fake_scenario("x")
    page = _maps_section(comp)
    alt = html.unescape(re.search(r"<img alt='([^']*)'", page).group(1))
    caption = html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<figcaption>(.*?)</figcaption>", page, flags=re.S).group(1)))
    assert alt == "Map: w, change of the heating need of each building, kWh/yr" and "_delta" not in alt
    assert caption.startswith("w — change of the heating need of each building, kWh/yr, what-if minus baseline on the central run (")
    assert "column q_heat_kwh_delta of outputs/deltas_w_energy.parquet" in caption  # where the mapped numbers are
