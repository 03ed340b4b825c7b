"""Names, bases and assumptions of the default report read once more as a planner would.

* The soil map said "change of the storm runoff of each grid cell, mm" beside the KPI "Runoff to
  the sewer": two names for one quantity, and a depth in mm of nothing said (a year's run maps a
  year's runoff under the same words). It now names the KPI's quantity and what the depth is
  summed over: the design storm (its depth and hours) or the weather year.
* The class chart of ``twin energy stock`` said "Brussels EPB energy class" where the report's
  Terms say "EPB class".
* Every PV credit (the energy bills, the payback) took the whole yield at the electricity price
  (net metering), which Brussels ended on 1 November 2021 (Brugel). The accounts now value PV as
  the solar model does (35 % of the yield used in the building, at the
  electricity price, the rest at 0.05 €/kWh); the payback note, the summary's PV share, the Terms
  and the look-up say that rule, with the end of net metering, its source and its date.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import shapely

from tests.scenario_helpers import fake_comparison
from twin.scenario.runner import EngineResult


def _soil(method: str, storm_mm: float = 30.0, storm_hours: float = 1.0):
    return SimpleNamespace(scenario=SimpleNamespace(soil=SimpleNamespace(method=method, storm_mm=storm_mm, storm_hours=storm_hours)))


def test_the_soil_map_names_the_runoff_as_the_kpi_table_and_says_its_basis():
    from twin.scenario import report_labels as L
    from twin.scenario.report import map_basis, map_shows

    storm = map_basis(_soil("richards"), "runoff_mm_delta")
    assert storm == ("in the design storm (30 mm in 1 h)", "design storm")
    assert map_shows("runoff_mm_delta", "soil", storm[0]) == (
        "change of the runoff to the sewer of each grid cell, mm over the cell in the design storm (30 mm in 1 h)")
    assert L.LABELS["runoff_m3"][0].lower() in map_shows("runoff_mm_delta", "soil")  # the KPI's own name
    assert L.LABELS["infiltration_m3"][0].lower() in map_shows("infiltration_mm_delta", "soil")
    assert "storm runoff" not in map_shows("runoff_mm_delta", "soil", storm[0])
    assert map_basis(_soil("scs_cn", 45.0, 2.0), "infiltration_mm_delta")[0] == "in the design storm (45 mm in 2 h)"
    assert map_basis(_soil("year"), "runoff_mm_delta") == ("over the weather year", "year")
    assert map_basis(_soil("richards"), "q_heat_kwh_delta") == ("", "")  # not water: no basis
    assert map_basis(SimpleNamespace(scenario=SimpleNamespace()), "runoff_mm_delta")[1] == "design storm"


def test_the_class_chart_axis_says_epb_class():
    import matplotlib

    matplotlib.use("Agg")
    from twin.energy.results import plot_class_distribution

    ax = plot_class_distribution(pd.DataFrame({"energy_class": ["C", "D"], "floor_area_m2": [100.0, 100.0]}))
    assert ax.get_xlabel() == "Brussels EPB class"
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def _comparison(pv_kwh: list[float]):
    """Two buildings renovated with PV (as tests/test_report_payback_pv_s54.py): 2,000 k€/yr saved."""
    comp = fake_comparison()
    boxes = [shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)]
    base = gpd.GeoDataFrame({"building_id": ["a", "b"], "energy_cost_eur": [3.0e6, 2.0e6], "investment_eur": [0.0, 0.0],
                             "pv_kwh": [0.0, 0.0], "electricity_kwh": [0.0, 0.0], "energy_class": ["D", "E"]}, geometry=boxes,
                            crs="EPSG:31370")  # fmt: skip
    new = base.assign(energy_cost_eur=[2.0e6, 1.0e6], investment_eur=[4.0e6, 4.0e6], pv_kwh=pv_kwh, energy_class=["C", "D"])
    comp.baseline = {"energy": EngineResult(base, "building_id", {})}
    comp.whatifs = {"wave": {"energy": EngineResult(new, "building_id", {})}}
    comp.kpis = pd.DataFrame({"whatif": "wave", "domain": "energy", "kpi": ["investment_keur", "energy_cost_keur_yr"],
                              "baseline": [0.0, 5000.0], "whatif_value": [8000.0, 3000.0], "delta": [8000.0, -2000.0]})  # fmt: skip
    comp.samples = None
    comp.scenario = SimpleNamespace(name="t", description="", domains=["energy"],
                                    whatifs=[SimpleNamespace(name="wave", description="", modifications=[])],
                                    uncertainty=SimpleNamespace(percentiles=(5.0, 95.0)))  # fmt: skip
    return comp


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_the_payback_says_how_pv_is_valued_now_that_brussels_ended_net_metering():
    from twin.scenario.report_energy_classes import energy_section

    page = energy_section(_comparison([2.0e6, 1.0e6]))
    note = re.search(r"<p class='note pv-value'>(.*?)</p>", page, flags=re.S)
    assert note, page
    words = _text(note.group(1))
    assert words.startswith("Rooftop PV on the bills: 35 % of a building's yield (a default: a typical household without battery, "
                            "against its whole electricity use, appliances included) saves the electricity price")
    assert "the rest is sold to a supplier at 0.05 €/kWh" in words
    assert "1 November 2021" in words and "1 January 2020" in words and "Brugel" in words  # the end of net metering, its dates, its source
    assert "Green certificates are not counted" in words
    assert "; rooftop PV as the note below says)" in _text(page)
    assert page.index("id='payback'") < note.start()  # next to the payback figure
    assert "pv-value" not in energy_section(_comparison([0.0, 0.0]))  # no PV added: no PV note


def test_the_summary_s_pv_share_and_the_terms_say_the_rule():
    from twin.scenario.report import _summary_section

    line = _text(re.search(r"<li>Simple payback.*?</li>", _summary_section(_comparison([2.0e6, 1.0e6]))).group(0))
    # 3,000 MWh/yr: 35 % at 0.35 €/kWh, 65 % at 0.05 €/kWh = 465 k€/yr of the 2,000 saved (no cap by the counted electricity)
    assert line.endswith("; of the 2,000 k€/yr saved, 465 (23 %) are the rooftop PV's yield (35 % of the yield used in the building, "
                         "at the electricity price, the rest sold at 0.05 €/kWh; Brussels ended net metering on "
                         "1 November 2021; see the payback note)"), line  # fmt: skip
    from twin.scenario.report import _glossary

    comp = _comparison([2.0e6, 1.0e6])
    bills = dict(_glossary(comp.scenario, comp.kpis))["Energy bills"]
    assert ("less what the rooftop PV yield saves and earns (35 % of the yield used in the building, at the "
            "electricity price, the rest sold at 0.05 €/kWh; Brussels ended net metering on 1 November 2021)") in bills
    assert "upper bound" not in bills


def test_the_flow_map_caption_gives_its_unit_and_which_way_the_change_counts():
    """The car-flow map's caption gave no unit (only its colour bar did) and no word of its sign."""
    from twin.scenario.report_mobility import flow_map_shows

    assert flow_map_shows("am_peak") == "change of the morning peak car flow per street link, veh/h, what-if minus baseline on the central run"


def test_the_heating_need_per_m2_says_of_what():
    """The energy map and the look-up said "heating need per m²" / "per m² of floor" where the EPB
    chart says "per m² of heated floor" (the same a_f_m2)."""
    from twin.scenario.report import map_shows
    from twin.scenario.report_drilldown import QUANTITIES

    assert map_shows("q_heat_kwh_m2_delta", "energy") == "change of the heating need per m² of heated floor of each building, kWh/m²·yr"
    assert {q[1]: q[2] for q in QUANTITIES}["q_heat_kwh_m2"] == "Heating need per m² of heated floor"
    assert {q[1]: q[2] for q in QUANTITIES}["primary_energy_kwh_m2"] == "Primary energy per m² of heated floor (EPB factors)"


def test_the_calibration_section_says_how_many_of_the_scene_s_buildings_it_calibrates():
    """"3,937 buildings as a group (residential) to an aggregate of 3,991 buildings" read as an
    aggregate of 3,991 buildings: the 3,991 are the scene's, 3,937 of them calibrated."""
    from twin.scenario.report_calibration import _summary_html

    comp = SimpleNamespace(scenario=SimpleNamespace(inputs=SimpleNamespace(calibration="cal.parquet")))
    summary = {"buildings": 3991, "kinds": {"group": 3937}, "groups": ["residential"], "methods": ["grid"], "parameters": {}}
    text = _text(_summary_html(summary, comp))
    assert text.startswith("This run applies a calibration (cal.parquet) to 3,937 of the scene's 3,991 buildings: 3,937 buildings as a "
                           "group (residential) to an aggregate; method grid."), text  # fmt: skip
    assert "aggregate of" not in text
    summary["kinds"] = {"group": 3937, "building": 2}
    assert "to 3,939 of the scene's 3,991 buildings: 2 buildings to their own meters; 3,937 buildings as a group" in _text(_summary_html(summary, comp))


def test_the_class_chart_says_why_its_d_or_worse_differs_from_the_kpi():
    """The default run's chart put 92.0 % of the baseline's floor area in D to G (its bars' hover
    shares) beside the KPI's 85.5 %: the chart draws each building's class at its expected primary
    energy over the heating-system mix, the KPI is the expected share over the mix."""
    from twin.scenario.report_energy_classes import energy_section

    comp = _comparison([0.0, 0.0])
    base = comp.baseline["energy"].objects.assign(a_f_m2=[300.0, 100.0], energy_class=["D", "C"],
                                                  class_d_or_worse_probability=[0.6, 0.2])  # fmt: skip
    new = comp.whatifs["wave"]["energy"].objects.assign(a_f_m2=[300.0, 100.0], energy_class=["C", "C"],
                                                        class_d_or_worse_probability=[0.1, 0.0])  # fmt: skip
    comp.baseline["energy"] = EngineResult(base, "building_id", {})
    comp.whatifs["wave"]["energy"] = EngineResult(new, "building_id", {})
    share = pd.DataFrame({"whatif": ["wave"], "domain": ["energy"], "kpi": ["floor_area_class_d_or_worse_pct"],
                          "baseline": [50.0], "whatif_value": [7.5], "delta": [-42.5]})  # fmt: skip
    comp.kpis = pd.concat([comp.kpis, share], ignore_index=True)
    page = energy_section(comp)
    note = re.search(r"<p class='note class-share'>(.*?)</p>", page, flags=re.S)
    assert note, page
    words = _text(note.group(1))
    assert words.startswith("The chart and the indicator tables count D or worse differently.")
    assert words.endswith("Floor area in classes D to G in the chart (in the tables): baseline 75.0 % (50.0 %), wave 0.0 % (7.5 %).")
    comp.kpis.loc[comp.kpis["kpi"] == "floor_area_class_d_or_worse_pct", ["baseline", "whatif_value"]] = [75.0, 0.0]
    assert "class-share" not in energy_section(comp)  # they agree: no note
    comp.baseline["energy"] = EngineResult(base.drop(columns="class_d_or_worse_probability"), "building_id", {})
    comp.kpis.loc[comp.kpis["kpi"] == "floor_area_class_d_or_worse_pct", ["baseline", "whatif_value"]] = [50.0, 7.5]
    assert "class-share" not in energy_section(comp)  # no system mix: the chart's classes are the KPI's


def test_the_solar_block_gives_its_pv_saving_by_the_accounts_rule():
    from twin.scenario.report_solar import _whatif_block

    comp = _comparison([2.0e6, 1.0e6])
    solar = SimpleNamespace(equipped=pd.DataFrame({"building_id": ["a"], "pv_kwp": [3000.0], "pv_ac_kwh_year": [3.0e6]}),
                            selected=["a", "b"], kwp=3000.0, ac_kwh_year=3.0e6, without_suitable_roof=[], not_simulated=[])  # fmt: skip
    text = _text(_whatif_block(comp, "wave", solar))
    # 3,000 MWh/yr: 35 % at 0.35 €/kWh, the rest at 0.05 €/kWh: 465 k€/yr
    assert ("energy bills -465 k€/yr (35 % of the yield used in the building, at the electricity price, the "
            "rest sold at 0.05 €/kWh; Brussels ended net metering on 1 November 2021; see the payback note); the table above") in text, text
    assert "(investment over the yearly saving on the energy bills; PV valued as the payback note says;" in text
    assert "upper bound" not in text


def test_the_flow_map_says_its_colour_scale_is_clipped_and_where_the_largest_change_is():
    """The Parvis closure's map drew Rue Vanderschrick's +177 veh/h in the colour of the colour
    bar's end (about +14 veh/h) and its caption did not say the scale was clipped."""
    from twin.scenario.report_mobility import flow_clip_words

    change = [float(x) for x in range(1, 100)] + [177.0]  # 98th percentile of 1..99, 177: 98.02
    frame = pd.DataFrame({"change_veh_h": change + [-256.0], "closed": [False] * 100 + [True]})  # a closed link: not coloured
    words = flow_clip_words(frame)
    assert words == (" Colour scale clipped at ±98 veh/h (the 98th percentile of the changes on the streets kept open): the largest, "
                     "+177 veh/h, is drawn in the colour of +98; the table below gives each street's largest change.")  # fmt: skip
    small = pd.DataFrame({"change_veh_h": [-30.0, 1.0, 2.0, -2.5], "closed": [False] * 4})
    assert flow_clip_words(small) == (" Colour scale clipped at ±28 veh/h (the 98th percentile of the changes on the streets kept open): "
                                      "the largest, −30 veh/h, is drawn in the colour of −28; the table below gives each street's "
                                      "largest change.")  # fmt: skip
    assert "±2.8 veh/h" in flow_clip_words(small.assign(change_veh_h=[-3.0, 0.1, 0.2, -0.25]))  # a limit under 10: one decimal
    assert flow_clip_words(small.assign(change_veh_h=[-3.0, 1.0, 2.0, -2.5])) == ""  # 3.0 beyond 2.99: the same once rounded
    same = pd.DataFrame({"change_veh_h": [5.0, 5.0], "closed": [False, False]})
    assert flow_clip_words(same) == ""  # nothing beyond the scale


def test_a_map_caption_gives_its_colour_limit_and_the_largest_change_beyond_it():
    """The maps' captions said "colour scale clipped at the 98th percentile of the change" and left
    the limit to the colour bar, whose end a planner reads as the largest change."""
    from tests.scenario_helpers import fake_scenario
    from twin.scenario.report import _maps_section, map_clip_words

    assert map_clip_words({"lim": 13.94, "largest": -26.4}, "mm over the cell") == (
        "colour scale clipped at ±13.9 mm over the cell, the 98th percentile of the change, the largest −26.4")
    assert map_clip_words({"lim": 115.2, "largest": 115.3}, "kWh/m²·yr") == "colour scale clipped at ±115 kWh/m²·yr, the 98th percentile of the change"
    assert map_clip_words({}, "K") == "colour scale clipped at the 98th percentile of the change"
    comp = fake_comparison()
    comp.scenario = fake_scenario("x")
    caption = _text(re.search(r"<figcaption>(.*?)</figcaption>", _maps_section(comp), flags=re.S).group(1))
    assert "grey: unchanged; colour scale clipped at ±1.00 kWh/yr, the 98th percentile of the change; column q_heat_kwh_delta" in caption
