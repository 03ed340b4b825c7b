"""The reports of the other scenarios read as a planner would (heat pumps, de-sealing a block, the
soil year, the permit batch): what the wording review of the default report did not reach.

* the heat-pump what-if's map section said "No per-object change (no map)" while 3,937 buildings
  changed their heating system, their CO₂ and their bills: the map drew the first preferred
  column (the heating need per m², which a heat pump leaves as it was); it now draws the first
  preferred column that changed (the CO₂).
* the calibration section of a run that is not calibrated (every scenario but the default) said,
  after how to calibrate, that "the bands of the same scenario after a calibration were not given
  to the report (twin.scenario.report_calibration.counterpart_kpis, ...)": a Python function
  a planner cannot call, for a comparison the run has no calibration to make; it now stops after
  how to calibrate.
* a central baseline outside its range gave its median without a unit ("median 97.4").
* stgilles_deseal_block: the 3-D block's KPIs read "Block sealed rain gain" twice (m³ and mm),
  "Block sealed edge", "Block sealed rain gain grid", and every one of them was drawn red (worse)
  when it rose, more infiltration into the soil included: they now have labels and colours (more
  water into the soil is better, as for the district's infiltration; the edge length is neither).
* stgilles_deseal_block (soil only) listed the buildings' defaulted attributes, their sources and
  "Calibration: none"; its calibration section said how to calibrate the buildings: a soil run now
  says it reads the footprints only, and that the energy engine, which a calibration fits, did not run.
* a change that rounds away ("≈ 0") was said to lie "below its range (median ≈ 0 K)".
* the payback table of stgilles_heat_pumps gave a negative saving ("−2,584 k€/yr").
* a permit (scenarios/permits/, run alone, as `twin batch` also writes its report): "No change in the energy
  KPIs." beside a map of 31 changed neighbours; a payback row for a what-if that invests nothing;
  "words of a street or address (e.g. )" without a streets file; "1 buildings added"; "its bands"
  and "nothing to compare" in a run without samples; "the soil, traffic engines".
* band tooltips whose two ends round to one number: "≈ 0 to ≈ 0 K", "79.2 to 79.2 %".
* stgilles_soil_year: the annual table's numbers in a rounding of their own ("-0.652", "+8.002e-06").
"""

from __future__ import annotations

import html
import re


def _heat_pump_comparison():
    """Four buildings: the what-if leaves their heating need and changes the CO₂ of two of them."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from tests.scenario_helpers import fake_scenario
    from twin.scenario.runner import Comparison, EngineResult

    squares = [shapely.box(i * 20.0, 0.0, i * 20.0 + 10.0, 10.0) for i in range(4)]
    frame = {"building_id": list("abcd"), "q_heat_kwh_m2": [100.0, 120.0, 90.0, 80.0], "q_heat_kwh": [1e4, 2e4, 3e4, 4e4]}
    base = gpd.GeoDataFrame({**frame, "co2_kg": [2000.0, 4000.0, 6000.0, 8000.0]}, geometry=squares, crs="EPSG:31370")
    new = gpd.GeoDataFrame({**frame, "co2_kg": [700.0, 1400.0, 6000.0, 8000.0]}, geometry=squares, crs="EPSG:31370")
    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["energy"], "kpi": ["co2_t"], "baseline": [20.0], "whatif_value": [17.4], "delta": [-2.6]})
    comparison = Comparison(None, {"energy": EngineResult(base, "building_id", {"co2_t": 20.0})},
                            {"w": {"energy": EngineResult(new, "building_id", {"co2_t": 17.4})}}, {"w": []}, kpis, {})
    comparison.scenario = fake_scenario()
    return comparison


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_a_heat_pump_what_if_maps_the_co2_it_changes():
    from twin.scenario.report import _maps_section, map_data

    comparison = _heat_pump_comparison()
    geo, col = map_data(comparison, "w", "energy")
    assert col == "co2_kg_delta"
    assert list(geo["state"]) == ["changed", "changed", "unchanged", "unchanged"]
    text = _text(_maps_section(comparison))
    assert "No per-object change" not in text
    assert "change of the CO₂ emissions of each building, kg/yr" in text


def test_a_what_if_that_changes_no_building_still_has_no_map():
    from twin.scenario.report import _maps_section, map_data

    comparison = _heat_pump_comparison()
    comparison.whatifs["w"]["energy"].objects["co2_kg"] = comparison.baseline["energy"].objects["co2_kg"]
    geo, col = map_data(comparison, "w", "energy")
    assert col == "q_heat_kwh_m2_delta"  # the first preferred column, as before
    assert "No per-object change (no map): w (energy)." in _text(_maps_section(comparison))


def test_an_uncalibrated_run_names_no_python_function_in_its_calibration_section():
    from types import SimpleNamespace

    import pandas as pd

    from twin.scenario.report_calibration import calibration_section

    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["energy"], "kpi": ["co2_t"], "baseline": [20.0], "whatif_value": [17.4], "delta": [-2.6],
                         "baseline_p_lo": [18.0], "baseline_p_hi": [22.0], "delta_p_lo": [-3.0], "delta_p_hi": [-2.0]})
    scenario = SimpleNamespace(inputs=SimpleNamespace(calibration=None), uncertainty=SimpleNamespace(percentiles=(5.0, 95.0), samples=10))
    page = calibration_section(SimpleNamespace(scenario=scenario, kpis=kpis, baseline_scene=None, stock_samples=None))
    text = _text(page)
    assert page.endswith("</section>")
    assert "This run is not calibrated: its bands come from the priors alone. To calibrate" in text
    assert "twin.scenario" not in text and "were not given" not in text


def test_a_central_share_outside_its_range_gives_the_median_with_its_unit():
    """stgilles_heat_pumps: 'Floor area in EPB class D or worse ... central run above its range
    (median 97.4)' beside a change's median with its unit ('median +41,013 k€')."""
    import pandas as pd

    from twin.scenario.report import _kpi_row_cells

    row = pd.Series({"kpi": "floor_area_class_d_or_worse_pct", "baseline": 99.68, "whatif_value": 91.66, "delta": -8.02,
                     "baseline_p_lo": 93.1, "baseline_p50": 97.4, "baseline_p_hi": 99.2, "delta_p_lo": -17.0, "delta_p50": -9.0, "delta_p_hi": -1.27})
    cells = _text(_kpi_row_cells(next(pd.DataFrame([row]).itertuples()), True, (5.0, 95.0)))
    assert "central run above its range (median 97.4 %)" in cells


def test_the_3d_block_indicators_have_distinct_labels_and_the_colours_of_the_soil_water():
    from twin.scenario import report_labels as L
    from twin.scenario.report_soil import BLOCK_ROWS

    kpis = [k for k, _ in BLOCK_ROWS]
    labels = [L.label(k) for k in kpis]
    assert len(set(labels)) == len(labels), labels
    assert all(lab.startswith("3-D block: ") for lab in labels), labels
    assert L.label("block_sealed_rain_gain_mm") == "3-D block: rain water under the neighbouring sealed cells, per m² of them"
    assert [L.unit(k) for k in kpis] == ["m³", "mm", "m³", "m³", "m", "m³"]
    assert L.change_class("block_infiltration_m3", 34.4) == L.change_class("infiltration_m3", 35.0) == "neg"  # green: better
    assert L.change_class("block_sealed_rain_gain_m3", 0.061) == "neg"
    assert L.change_class("block_recharge_m3", -1.0) == "pos"
    assert L.change_class("block_sealed_edge_m", 40.0) == ""  # a length: no colour


def _soil_only_comparison(domains=("soil",)):
    """fake_comparison's buildings, scene and KPIs, run as a soil scenario (no energy, no traffic)."""
    from types import SimpleNamespace

    from tests.scenario_helpers import fake_comparison, fake_scenario, heating_system_buildings
    from twin.scenario.schema import SoilOptions

    comparison = fake_comparison()
    comparison.scenario = fake_scenario(domains=domains)
    comparison.scenario.soil = SoilOptions()
    comparison.scenario.inputs.calibration = None
    comparison.baseline_scene = SimpleNamespace(buildings=heating_system_buildings())
    return comparison


def test_a_soil_run_says_it_reads_the_footprints_only_and_calibrates_nothing():
    """stgilles_deseal_block (soil only) listed the buildings' defaulted use, height, age (in red: more
    than half on defaults), 'Calibration: none (no measured consumption used)', and its calibration
    section said 'To calibrate, fit the buildings to measured consumption...': none of it bears on
    the soil's numbers."""
    from twin.scenario.report import _assumed_section
    from twin.scenario.report_calibration import calibration_section

    text = _text(_assumed_section(_soil_only_comparison()))
    assert "Buildings: their footprints only" in text
    assert "Defaulted inputs" not in text and "Where the building attributes come from" not in text
    assert "Calibration" not in text and "where each building attribute comes from" not in text
    section = _text(calibration_section(_soil_only_comparison()))
    assert "the energy engine was not run in this scenario: nothing here is calibrated" in section
    assert "To calibrate" not in section

    text = _text(_assumed_section(_soil_only_comparison(("energy", "soil"))))  # an engine that reads them: as before
    assert "Defaulted inputs" in text and "Where the building attributes come from" in text and "Calibration: none" in text
    assert "footprints only" not in text


def test_a_change_that_rounds_away_is_not_said_to_lie_below_its_range():
    """stgilles_deseal_block: the district's mean surface temperature changed by −0.044 K, shown
    '≈ 0', with the note 'central change below its range (median ≈ 0 K)': a comparison the reader
    cannot see. The note goes when the change and its median both round away; a change that shows
    keeps it."""
    import pandas as pd

    from twin.scenario.report import _kpi_row_cells

    row = {"kpi": "hot_days_district_surface_temp_midday_c", "baseline": 47.11, "whatif_value": 47.07, "delta": -0.0435,
           "baseline_p_lo": 44.9, "baseline_p50": 46.7, "baseline_p_hi": 47.4, "delta_p_lo": -0.0427, "delta_p50": -0.0349, "delta_p_hi": -0.0298}
    cells = _text(_kpi_row_cells(next(pd.DataFrame([row]).itertuples()), True, (5.0, 95.0)))
    assert "≈ 0" in cells and "central change" not in cells
    row.update({"kpi": "hot_days_surface_temp_midday_c", "delta": -11.9, "delta_p_lo": -11.7, "delta_p50": -9.6, "delta_p_hi": -8.1})
    cells = _text(_kpi_row_cells(next(pd.DataFrame([row]).itertuples()), True, (5.0, 95.0)))
    assert "central change below its range (median -9.6 K)" in cells  # the page turns "-" into "−"


def test_a_what_if_that_raises_the_bills_says_so_in_the_payback_table():
    """stgilles_heat_pumps: the payback table's 'saving on energy bills' read '−2,584 k€/yr' (a
    negative saving, beside 'never (no saving)'); it now says the bills rise, by how much."""
    from types import SimpleNamespace

    import pandas as pd

    from twin.scenario.report_energy_classes import energy_section

    base = pd.DataFrame({"building_id": ["a", "b"], "energy_class": ["E", "E"], "system": ["gas_boiler"] * 2,
                         "energy_cost_eur": [2000.0, 2000.0], "investment_eur": [0.0, 0.0]})
    new = base.assign(energy_class=["D", "D"], energy_cost_eur=[2600.0, 2700.0], investment_eur=[15000.0, 15000.0])
    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["energy"], "kpi": ["co2_t"], "baseline": [8.0], "whatif_value": [3.0], "delta": [-5.0]})
    comparison = SimpleNamespace(baseline={"energy": SimpleNamespace(objects=base)}, whatifs={"w": {"energy": SimpleNamespace(objects=new)}},
                                 kpis=kpis, samples=None, scenario=SimpleNamespace(uncertainty=SimpleNamespace(percentiles=(5.0, 95.0))))
    table = energy_section(comparison).split("<table id='payback'>", 1)[1].split("</table>", 1)[0]
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", table)]
    assert cells[3] == "none: the bills rise by 1.30 k€/yr"  # 1,300 €/yr, three significant digits
    assert cells[4] == "never (no saving)"


def test_a_permit_whose_district_kpis_barely_move_does_not_read_no_change():
    """The permit batch (a house on the car park of Place Hermann Dumont): the card said "No change
    in the energy KPIs." and the table "No indicator changed." above a folded "13 indicators
    unchanged" whose heating need read 247,561 -> 247,578, while the map showed 31 neighbours
    changed and the description says their heating need rises."""
    import pandas as pd

    from tests.scenario_helpers import fake_comparison, fake_scenario
    from twin.scenario.report import _kpi_table, _summary_section

    comparison = fake_comparison()  # the what-if warms a, removes d, adds n
    comparison.scenario = fake_scenario()
    comparison.kpis = pd.DataFrame({"whatif": ["w"], "domain": ["energy"], "kpi": ["heating_need_mwh"], "baseline": [247561.0],
                                    "whatif_value": [247578.0], "delta": [17.0]})
    card = _text(_summary_section(comparison))
    assert "No change" not in card
    assert "The district's energy KPIs move by less than 0.05 %; 1 building changed, 1 building added, 1 building removed (maps below)." in card
    table = _text(_kpi_table(comparison.kpis, False, (5.0, 95.0)))
    assert "No indicator changed" not in table and "unchanged" not in table
    assert "No indicator moved by 0.05 % or more." in table and "1 indicator moved by less than 0.05 %" in table

    comparison.whatifs["w"] = comparison.baseline  # nothing changes: as before
    comparison.kpis = comparison.kpis.assign(whatif_value=247561.0, delta=0.0)
    assert "No change in the energy KPIs." in _text(_summary_section(comparison))
    assert "1 indicator unchanged" in _text(_kpi_table(comparison.kpis, False, (5.0, 95.0)))


def test_a_run_without_streets_gives_no_empty_street_example_in_the_look_up():
    """The permit scenarios read the buildings alone (no streets file): the look-up said "words of a
    street or address (e.g. ), then pick..." and "otherwise the nearest named street" of none."""
    from tests.scenario_helpers import fake_comparison
    from twin.scenario.report_drilldown import drilldown_section

    text = _text(drilldown_section(fake_comparison()).split("<script", 1)[0])  # no scene: no street
    assert "(e.g. )" not in text and "nearest named street" not in text
    assert "or words of an address, then pick a building" in text
    assert "the inputs have no named street (a streets file) to name the nearest one" in text


def test_a_what_if_that_invests_nothing_has_no_payback_row():
    """The permit batch: the payback table gave the new house's shade on 31 neighbours an
    investment of 0 k€ and a payback of 'never (no saving)': no payback to speak of."""
    from types import SimpleNamespace

    import pandas as pd

    from twin.scenario.report_energy_classes import energy_section

    base = pd.DataFrame({"building_id": ["a", "b"], "energy_class": ["E", "E"], "system": ["gas_boiler"] * 2,
                         "energy_cost_eur": [2000.0, 2000.0], "investment_eur": [0.0, 0.0]})
    shade = base.assign(energy_class=["E", "F"], energy_cost_eur=[2000.0, 2100.0])
    renovate = base.assign(energy_class=["C", "C"], energy_cost_eur=[1000.0, 1000.0], investment_eur=[5000.0, 5000.0])
    kpis = pd.DataFrame({"whatif": ["permit", "wave"], "domain": ["energy"] * 2, "kpi": ["co2_t"] * 2, "baseline": [8.0] * 2,
                         "whatif_value": [8.1, 4.0], "delta": [0.1, -4.0]})
    comparison = SimpleNamespace(baseline={"energy": SimpleNamespace(objects=base)},
                                 whatifs={"permit": {"energy": SimpleNamespace(objects=shade)}, "wave": {"energy": SimpleNamespace(objects=renovate)}},
                                 kpis=kpis, samples=None, scenario=SimpleNamespace(uncertainty=SimpleNamespace(percentiles=(5.0, 95.0))))
    page = energy_section(comparison)
    rows = re.findall(r"<tr><td class='l'>([^<]+)</td>", page.split("<table id='payback'>", 1)[1].split("</table>", 1)[0])
    assert rows == ["wave"]
    comparison.whatifs.pop("wave")
    comparison.kpis = kpis[kpis["whatif"] == "permit"]
    page = energy_section(comparison)
    assert "<table id='payback'>" not in page and "Buildings per EPB class" in page


def test_a_count_of_one_in_what_changed_is_singular():
    """stgilles_deseal_block read "deseal: 1 land-cover polygons (areas ...)", a permit "insert
    building: 1 buildings added, 0 buildings removed"."""
    from types import SimpleNamespace

    from twin.scenario.report import _changes_section

    page = _text(_changes_section(SimpleNamespace(applied={
        "deseal-car-park": [{"op": "deseal", "landcover": 1, "area_m2": 2718.0}],
        "permit": [{"op": "insert_building", "buildings_added": 1, "buildings_removed": 0}]})))
    assert "deseal: 1 land-cover polygon (an area of one ground cover: a car park, a lawn...), area 2,718 m²" in page
    assert "insert building: 1 building added, 0 buildings removed" in page


def test_an_uncalibrated_run_without_samples_speaks_of_no_bands():
    """The permit scenarios draw no samples: the calibration section said "its bands come from the
    priors alone" and then "No Monte Carlo bands in this run ...: nothing to compare"."""
    from types import SimpleNamespace

    import pandas as pd

    from twin.scenario.report_calibration import calibration_section

    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["energy"], "kpi": ["co2_t"], "baseline": [20.0], "whatif_value": [20.1], "delta": [0.1]})
    scenario = SimpleNamespace(inputs=SimpleNamespace(calibration=None), domains=["energy"],
                               uncertainty=SimpleNamespace(percentiles=(5.0, 95.0), samples=0))
    text = _text(calibration_section(SimpleNamespace(scenario=scenario, kpis=kpis, baseline_scene=None, stock_samples=None)))
    assert "This run is not calibrated. To calibrate, fit the buildings" in text
    assert "bands" not in text and "nothing to compare" not in text


def test_the_engines_a_what_if_acts_on_without_running_read_as_words():
    """A permit (energy only): "This what-if acts on the soil, traffic engines, not run"."""
    from types import SimpleNamespace

    from tests.scenario_helpers import fake_comparison, fake_scenario
    from twin.scenario.report import _summary_section

    comparison = fake_comparison()
    comparison.scenario = fake_scenario()
    comparison.scenario.whatifs[0].modifications = [SimpleNamespace(op="insert_building")]
    text = _text(_summary_section(comparison))
    assert "This what-if acts on the soil and traffic engines, not run in this scenario (add soil and traffic to domains)." in text


def test_a_band_whose_ends_round_to_one_number_says_so():
    """stgilles_deseal_block: the district mean's change bar read "5th–95th percentile: ≈ 0 to ≈ 0 K"."""
    from twin.scenario import report_labels as L

    kpi = "hot_days_district_surface_temp_midday_c"
    bar = _text(L.delta_bar(kpi, -0.0435, -0.0427, -0.0298, 47.1))
    assert "≈ 0 to ≈ 0" not in bar
    assert "change, 5th–95th percentile: ≈ 0 K at both ends, once rounded" in bar
    assert "5th–95th percentile: -11.7 to -8.1 K" in _text(L.delta_bar("hot_days_surface_temp_midday_c", -11.9, -11.7, -8.1, 51.4))


def test_the_soil_year_table_rounds_as_the_indicator_tables():
    """stgilles_soil_year: the annual table repeated the indicator table's numbers in another
    rounding ("782,200.0", "-4,043.6", change % "-0.652" without its %, "+8.002e-06")."""
    import pandas as pd

    from tests.scenario_helpers import fake_comparison, fake_scenario
    from twin.scenario.report_soil import _table

    comparison = fake_comparison()
    comparison.scenario = fake_scenario(domains=("soil",))
    comparison.kpis = pd.DataFrame({"whatif": ["w"] * 3, "domain": ["soil"] * 3,
                                    "kpi": ["rain_m3", "runoff_m3", "soil_moisture_p10_m3_m3"],
                                    "baseline": [782200.0, 619820.0, 0.139], "whatif_value": [782200.0, 615776.4, 0.139008],
                                    "delta": [0.0, -4043.6, 8.002e-06]})
    cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", _table(comparison, "w"))]
    assert cells[:5] == ["rain on the district (the soil grid), m³", "782,200", "782,200", "0", "0 %"]
    assert cells[5:10] == ["runoff to the sewer, m³", "619,820", "615,776", "-4,044", "-0.7 %"]
    assert "e-06" not in " ".join(cells) and cells[13] == "≈ 0"
