"""The default report read as a planner would (tests/test_report_planner_review.py).

A planner deciding on a renovation wave, a low-traffic neighbourhood and de-sealing car parks reads
the summary and the indicator tables first. These tests parse the rendered HTML with a parser of
their own (not the report's formatting functions) and compare every number with the KPI table the
run writes to ``kpis.csv``: value within the rounding it is shown with, sign, change %, unit, the
band edges of the range bars, the summary's lines. And they check the defects a review found:

* a change of a share in % read as a relative change ("-21.8" next to "-25.5 %"): now in percentage
  points ("-21.8 pts");
* a central change outside its own range ("central delta outside band", and nothing in the
  summary, where the investment read "+38,664 k€, range +38,761 to +44,471 k€"): now said where the
  number is, in plain words, with the samples' median, and explained once (``OUTSIDE_WHY``);
* the summary's headlines were the first three KPIs that moved (heating need, final and primary
  energy for the renovation wave; the runoff, not the surface temperature, for de-sealing): now
  the KPIs a planner decides on first (CO₂, bills, investment, ...);
* "Ranges ... over 100 Monte Carlo samples" when the traffic engine ran 40 and the hot-days
  temperatures 50: now per engine;
* the mobility section and the models said "public transport (with a timetable / a GTFS feed)"
  for a run whose public transport comes from the map's routes without one;
* the traffic KPIs did not say over what time they count (the hour of each period).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from tests.scenario_helpers import fake_comparison, heating_system_buildings

UNITS = [("_keur_yr", "k€/yr"), ("_keur", "k€"), ("_mwh", "MWh/yr"), ("co2_t", "t/yr"), ("_veh_h", "veh/h"), ("_pct", "%"),
         ("_m3_m3", "m³/m³"), ("_m3", "m³"), ("_mm", "mm"), ("_kg", "kg"), ("_c", "°C"), ("_trips", "trips"), ("vehicle_km", "veh·km"),
         ("_km_main", "veh·km"), ("_km_residential", "veh·km"), ("_co2_kg", "kg"), ("buildings_simulated", "buildings"), ("_vehicles", "vehicles")]


class Rows(HTMLParser):
    """Rows of <table class='kpi'> and the folded tables: each a list of cells (text, attrs, svgs)."""
    def __init__(self):
        super().__init__()
        self.tables, self.stack, self.cell, self.row, self.svg = [], [], None, None, None
        self.section = None
        self.h3 = None
        self.in_h3 = False
        self.summary_items = []
        self.li = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id")
        if tag == "h3":
            self.in_h3 = True
            self.h3 = ""
        if tag == "table":
            self.tables.append({"section": self.section, "h3": self.h3, "cls": a.get("class", ""), "rows": []})
        if tag == "tr" and self.tables:
            self.row = []
        if tag in ("td", "th") and self.row is not None:
            self.cell = {"text": "", "attrs": a, "svg": [], "th": tag == "th"}
        if tag == "svg" and self.cell is not None:
            self.cell["svg"].append(a)
        if tag == "li" and self.section == "summary":
            self.li = {"h3": self.h3, "text": ""}

    def handle_endtag(self, tag):
        if tag == "h3":
            self.in_h3 = False
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        if tag == "tr" and self.row is not None:
            self.tables[-1]["rows"].append(self.row)
            self.row = None
        if tag == "li" and self.li is not None:
            self.summary_items.append(self.li)
            self.li = None

    def handle_data(self, data):
        if self.in_h3:
            self.h3 += data
        if self.cell is not None and not self.cell["svg"]:
            self.cell["text"] += data
        elif self.cell is not None:
            pass
        if self.li is not None:
            self.li["text"] += data


NUM = re.compile(r"^([+-]?)([0-9][0-9,]*\.?[0-9]*(?:e[+-]?\d+)?)")


def number(text):
    """(value, decimals) of a displayed number; None for '–'; 0 for '≈ 0' (decimals None)."""
    t = text.strip().replace("−", "-")
    if t in ("–", ""):
        return None
    if t.startswith("≈ 0"):
        return (0.0, None)
    m = NUM.match(t)
    assert m, f"not a number: {text!r}"
    body = m.group(2).replace(",", "")
    dec = len(body.split(".")[1]) if "." in body and "e" not in body else 0
    return (float(m.group(1) + body), dec)


def close(shown, true, what):
    if shown is None:
        return [] if not np.isfinite(true) else [f"{what}: '–' for {true}"]
    v, dec = shown
    if dec is None:  # ≈ 0
        return []
    tol = 0.5 * 10 ** (-dec) * (1 + 1e-9) + 1e-12
    if "e" in str(v) and abs(true) < 1e-3:
        return []
    return [] if abs(v - true) <= tol else [f"{what}: shown {v} (decimals {dec}), kpis.csv {true}"]


def check(report_html: str, kpis: pd.DataFrame) -> list[str]:
    problems = []
    P = Rows()
    P.feed(report_html)
    k = kpis.set_index(["whatif", "kpi"])
    n_rows = 0
    for t in P.tables:
        if t["section"] != "kpis":
            continue
        w = t["h3"].strip()
        for row in t["rows"]:
            if row[0]["th"]:
                continue
            kpi = row[0]["attrs"].get("title")
            if not kpi or (w, kpi) not in k.index:
                problems.append(f"{w}: row without a KPI id {kpi!r}")
                continue
            n_rows += 1
            r = k.loc[(w, kpi)]
            unit = row[1]["text"]
            want = next((u for suf, u in UNITS if kpi.endswith(suf)), None)
            if want and unit != want and not (want == "%" and unit.startswith("%")):
                problems.append(f"{w} {kpi}: unit {unit!r}, expected {want!r}")
            problems += close(number(row[2]["text"]), r.baseline, f"{w} {kpi} baseline")
            if "kpi" in t["cls"]:
                banded = len(row) == 9
                i = 3
                if banded:
                    svg = row[3]["svg"][0] if row[3]["svg"] else None
                    if svg is not None:
                        for end, col in (("data-lo", "baseline_p_lo"), ("data-hi", "baseline_p_hi")):
                            if not np.isclose(float(svg[end]), r[col], rtol=1e-5, atol=1e-9):
                                problems.append(f"{w} {kpi}: band {end} {svg[end]} vs {r[col]}")
                    i = 4
                problems += close(number(row[i]["text"]), r.whatif_value, f"{w} {kpi} what-if")
                ch = row[i + 1]["text"]
                problems += close(number(ch), r.delta, f"{w} {kpi} change")
                sv = number(ch)
                if sv and sv[1] is not None and sv[0] != 0 and np.sign(sv[0]) != np.sign(r.delta):
                    problems.append(f"{w} {kpi}: change sign {ch} vs {r.delta}")
                if unit.startswith("%") and sv and sv[1] is not None and sv[0] != 0 and "pts" not in ch:
                    problems.append(f"{w} {kpi}: change of a share {ch!r} without percentage points")
                if unit == "°C" and sv and sv[1] is not None and sv[0] != 0 and not ch.endswith(" K"):
                    problems.append(f"{w} {kpi}: change of a temperature {ch!r} not in K")
                pct = row[i + 2]["text"]
                if pct not in ("–",) and not pct.startswith("≈") and r.baseline != 0:
                    problems += close(number(pct.replace(" %", "")), 100 * r.delta / abs(r.baseline), f"{w} {kpi} change %")
                if banded:
                    svg = row[i + 3]["svg"][0] if row[i + 3]["svg"] else None
                    if svg is not None:
                        for end, col in (("data-lo", "delta_p_lo"), ("data-hi", "delta_p_hi")):
                            if not np.isclose(float(svg[end]), r[col], rtol=1e-5, atol=1e-9):
                                problems.append(f"{w} {kpi}: delta band {end} {svg[end]} vs {r[col]}")
                    notes = row[i + 4]["text"]
                    below, above = r.delta < r.delta_p_lo - 1e-9 * max(1, abs(r.delta_p_lo)), r.delta > r.delta_p_hi + 1e-9 * max(1, abs(r.delta_p_hi))
                    says_below, says_above = "change below its range" in notes, "change above its range" in notes
                    if (below, above) != (says_below, says_above):
                        problems.append(f"{w} {kpi}: central change {r.delta} vs [{r.delta_p_lo}, {r.delta_p_hi}], notes {notes!r}")
                    if (below or above):
                        m = re.search(r"median ([^)]*)\)", notes)
                        if not m:
                            problems.append(f"{w} {kpi}: outside its range without the median: {notes!r}")
                        else:
                            problems += close(number(m.group(1)), r.delta_p50, f"{w} {kpi} median")
            else:
                problems += close(number(row[3]["text"]), r.whatif_value, f"{w} {kpi} what-if (folded)")
    if n_rows == 0:
        problems.append("no KPI row parsed")
    return problems


SUMMARY = re.compile(r"^(?P<label>.+?): (?P<val>[+-]?[0-9][0-9,.]*|≈ 0) ?(?P<unit>[^(,]*?)(?: \((?P<pct>[^)]*%[^)]*)\))?"
                     r"(?:, range (?P<lo>[+-]?[0-9][0-9,.]*|≈ 0) to (?P<hi>[+-]?[0-9][0-9,.]*|≈ 0) ?(?P<unit2>[^(]*?))?(?: \(.*)?$")


def check_summary(report_html: str, kpis: pd.DataFrame) -> list[str]:
    """Every summary line's change, percent and range against kpis.csv; units as the KPI table's."""
    problems = []
    P = Rows()
    P.feed(report_html)
    labels = {}
    for t in P.tables:
        if t["section"] == "kpis":
            for row in t["rows"]:
                if not row[0]["th"] and row[0]["attrs"].get("title"):
                    labels[(t["h3"].strip(), row[0]["text"])] = (row[0]["attrs"]["title"], row[1]["text"])
    k = kpis.set_index(["whatif", "kpi"])
    n = 0
    for item in P.summary_items:
        text = " ".join(item["text"].split())
        if text.startswith("Simple payback"):  # not a KPI of the table (test_the_summary_gives_the_payback)
            continue
        m = SUMMARY.match(text)
        if not m:
            problems.append(f"summary line not parsed: {text!r}")
            continue
        w = item["h3"].strip()
        key = (w, m["label"])
        if key not in labels:
            problems.append(f"summary label {m['label']!r} of {w} not in its KPI table")
            continue
        kpi, unit = labels[key]
        r = k.loc[(w, kpi)]
        n += 1
        share = unit.startswith("%")
        want_unit = "percentage points" if share else ("K" if unit == "°C" else unit)  # a temperature's change in K
        if m["unit"].strip() != want_unit:
            problems.append(f"summary {w} {kpi}: unit {m['unit']!r}, expected {want_unit!r}")
        problems += close(number(m["val"]), r.delta, f"summary {w} {kpi} change")
        if share:  # points beside the two shares ("85.4 % → 63.6 %"), never beside a relative %
            two = re.search(r"^[^(]*\(([0-9][0-9,.]*) % → ([0-9][0-9,.]*) %[^)]*\)", text)
            if not two:
                problems.append(f"summary {w} {kpi}: a share's change without its two shares: {text!r}")
            else:
                problems += close(number(two[1]), r.baseline, f"summary {w} {kpi} baseline share")
                problems += close(number(two[2]), r.whatif_value, f"summary {w} {kpi} what-if share")
        elif m["pct"] and not m["pct"].startswith("≈"):
            problems += close(number(m["pct"].replace(" %", "")), 100 * r.delta / abs(r.baseline), f"summary {w} {kpi} change %")
        if m["lo"]:
            problems += close(number(m["lo"]), r.delta_p_lo, f"summary {w} {kpi} range low")
            problems += close(number(m["hi"]), r.delta_p_hi, f"summary {w} {kpi} range high")
            if m["unit2"].strip() != want_unit:
                problems.append(f"summary {w} {kpi}: range unit {m['unit2']!r}, expected {want_unit!r}")
            outside = r.delta < r.delta_p_lo - 1e-9 * max(1, abs(r.delta_p_lo)) or r.delta > r.delta_p_hi + 1e-9 * max(1, abs(r.delta_p_hi))
            if outside and "median" not in text:
                problems.append(f"summary {w} {kpi}: central change outside its range, not said: {text!r}")
    if n == 0:
        problems.append("no summary line parsed")
    return problems


# -- a report to read -------------------------------------------------------------------------

#: (what-if, kpi, baseline, what-if value, delta, delta_p_lo, delta_p50, delta_p_hi): figures of the
#: default run's kpis.csv (2026-12-06), the investment's central change below its range.
ROWS = [
    ("renovation-wave", "heating_need_mwh", 171748.40, 150417.91, -21330.50, -27415.13, -22332.88, -17960.89),
    ("renovation-wave", "final_energy_mwh", 211771.02, 187425.94, -24345.07, -31201.09, -25457.61, -20450.73),
    ("renovation-wave", "primary_energy_mwh", 221084.01, 180045.47, -41038.54, -49336.17, -42445.50, -36443.25),
    ("renovation-wave", "co2_t", 45273.82, 39025.23, -6248.60, -7813.51, -6525.44, -5379.35),
    ("renovation-wave", "energy_cost_keur_yr", 22729.27, 17929.22, -4800.05, -5719.63, -4931.81, -4269.19),
    ("renovation-wave", "investment_keur", 0.0, 38664.23, 38664.23, 38761.24, 41012.56, 44471.35),
    ("renovation-wave", "floor_area_class_d_or_worse_pct", 85.468, 63.659, -21.809, -23.061, -21.574, -20.337),
    ("renovation-wave", "am_peak_rerouted_car_trips", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    ("low-traffic-parvis", "heating_need_mwh", 171748.40, 171748.40, 0.0, 0.0, 0.0, 0.0),
    ("low-traffic-parvis", "am_peak_rerouted_car_trips", 0.0, 210.0, 210.0, 127.0, 190.0, 257.0),
    ("low-traffic-parvis", "am_peak_redistributed_car_trips", 0.0, 1.0, 1.0, 0.0, 0.4, 1.0),
    ("low-traffic-parvis", "am_peak_closed_link_flow_veh_h", 256.0, 0.0, -256.0, -323.0, -250.0, -163.0),
    ("low-traffic-parvis", "am_peak_vehicle_km_residential", 650.19, 648.18, -2.01, -6.1, -1.9, 0.9),
    ("low-traffic-parvis", "am_peak_co2_kg", 443.84, 445.10, 1.26, 0.2, 1.1, 2.0),
    ("desealing-car-parks", "runoff_m3", 26599.2, 26525.05, -74.15, -135.95, -59.11, -14.94),
    ("desealing-car-parks", "infiltration_m3", 3400.80, 3474.95, 74.15, 14.94, 59.11, 135.95),
    ("desealing-car-parks", "storage_change_m3", 3128.64, 3196.86, 68.21, 11.71, 49.64, 135.93),
    ("desealing-car-parks", "sealed_area_pct", 79.216, 78.763, -0.453, -0.453, -0.453, -0.453),
    ("desealing-car-parks", "hot_days_surface_temp_midday_c", 50.010, 42.454, -7.555, -8.219, -6.708, -4.961),
]
DOMAIN = {"heating": "energy", "final": "energy", "primary": "energy", "co2_t": "energy", "energy": "energy", "investment": "energy",
          "floor": "energy", "am_peak": "traffic", "runoff": "soil", "infiltration": "soil", "storage": "soil", "sealed": "soil",
          "hot_days": "soil"}
#: Samples per engine, as the default run: energy and soil 100, traffic 40, hot-days temperatures 50.
N_SAMPLES = {"energy": 100, "traffic": 40, "soil": 100, "heat": 50}


def _kpis() -> pd.DataFrame:
    rows = []
    for w, kpi, base, new, d, lo, mid, hi in ROWS:
        spread = 0.1 * abs(base)
        rows.append({"whatif": w, "domain": next(v for k, v in DOMAIN.items() if kpi.startswith(k)), "kpi": kpi, "baseline": base,
                     "whatif_value": new, "delta": d, "baseline_p_lo": base - spread, "baseline_p50": base, "baseline_p_hi": base + spread,
                     "whatif_p_lo": new - spread, "whatif_p_hi": new + spread, "delta_p_lo": lo, "delta_p50": mid, "delta_p_hi": hi})
    return pd.DataFrame(rows)


def _samples(kpis: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for r in kpis.itertuples():
        n = N_SAMPLES["heat" if r.kpi.startswith("hot_days") else r.domain]
        delta = np.linspace(r.delta_p_lo, r.delta_p_hi, n)  # spread over the band
        frames.append(pd.DataFrame({"sample": np.arange(n), "whatif": r.whatif, "domain": r.domain, "kpi": r.kpi,
                                    "baseline": r.baseline, "whatif_value": r.baseline + delta, "delta": delta}))
    return pd.concat(frames, ignore_index=True)


class _Scenario:
    """The parts of a Scenario the summary and the KPI section read."""

    name, description = "review", "Three what-ifs of the default scenario."
    domains = ["energy", "traffic", "soil"]
    whatifs = [type("W", (), {"name": n, "description": "", "modifications": []})()
               for n in ("renovation-wave", "low-traffic-parvis", "desealing-car-parks")]
    uncertainty = type("U", (), {"samples": 100, "seed": 2026, "percentiles": (5.0, 95.0), "parameters": []})()
    traffic = type("T", (), {"periods": ["am_peak", "off_peak"], "models_public_transport": False, "targets_table": None})()


@pytest.fixture()
def review():
    """(summary + KPI section HTML, the KPI table) of a comparison with the default run's figures."""
    from twin.scenario.report import _kpis_section, _summary_section

    comp = fake_comparison()
    comp.scenario = _Scenario()
    comp.kpis = _kpis()
    comp.samples = _samples(comp.kpis)
    return _summary_section(comp) + _kpis_section(comp), comp.kpis


# -- the tests --------------------------------------------------------------------------------

def test_every_number_of_the_kpi_tables_is_the_kpi_table(review):
    """Value, rounding, sign, change %, unit, range edges and outside-range notes of every row."""
    page, kpis = review
    assert check(page, kpis) == []
    wrong = kpis.copy()
    wrong.loc[wrong["kpi"] == "co2_t", "delta"] -= 10.0  # the checker sees a number the page does not show
    assert any("co2_t change" in p for p in check(page, wrong))


def test_every_summary_line_is_the_kpi_table(review):
    page, kpis = review
    assert check_summary(page, kpis) == []
    wrong = kpis.copy()
    wrong.loc[wrong["kpi"] == "co2_t", "delta_p_lo"] -= 100.0
    assert any("co2_t range low" in p for p in check_summary(page, wrong))


def test_a_share_changes_in_percentage_points(review):
    page, _ = review
    row = re.search(r"title='floor_area_class_d_or_worse_pct'>.*?</tr>", page).group(0)
    assert ">-21.8 pts<" in row and ">-25.5 %<" in row  # points, then the relative change
    assert "Floor area in EPB class D or worse: <b>-21.8 percentage points</b> (85.5 % → 63.7 %)" in page  # not beside "(-25.5 %)"


def test_a_central_change_outside_its_range_is_said_in_plain_words(review):
    """The investment's central change (+38,664 k€) lies below its range (+38,761 to +44,471 k€)."""
    from twin.scenario.report import OUTSIDE_WHY

    page, _ = review
    row = re.search(r"title='investment_keur'>.*?</tr>", page).group(0)
    assert "central change below its range (median +41,013 k€)" in row
    line = re.search(r"<li>Investment: .*?</li>", page).group(0)
    assert "range +38,761 to +44,471 k€" in line and "the central run lies below the range; the samples' median: +41,013 k€" in line
    assert page.count(html.escape(OUTSIDE_WHY, quote=False)) == 2  # once under the summary, once over the tables
    assert "outside band" not in page


def test_the_summary_leads_with_what_a_planner_decides_on(review):
    page, _ = review
    cards = dict(re.findall(r"<div class='card'><h3>([^<]+)</h3>(.*?)</div>", page))
    labels = {w: re.findall(r"<li>(.+?): <b>", c) for w, c in cards.items()}
    assert labels["renovation-wave"] == ["CO₂ emissions of the buildings", "Energy bills", "Investment", "Heating need",
                                         "Floor area in EPB class D or worse"]
    assert labels["low-traffic-parvis"][:3] == ["Morning peak: car flow on the closed streets", "Morning peak: car trips rerouted",
                                                "Morning peak: vehicle-km on residential streets"]
    assert labels["desealing-car-parks"][0] == "Hottest days: surface temperature at 11–16 h, ground whose cover changed"


def test_the_summary_says_how_many_samples_each_range_rests_on(review):
    page, _ = review
    note = re.search(r"<p class='note'>Each line:.*?</p>", page).group(0)
    assert "energy, soil: 100; hot-days surface temperatures: 50; traffic: 40" in note
    assert "over 100 Monte Carlo samples" not in page


def test_traffic_kpis_say_over_what_hour_they_count(review):
    page, _ = review
    assert ("Morning peak: the hour 8–9 h; Midday: the hour 11–12 h (trips, vehicle-km and emissions over that hour, flows in "
            "vehicles per hour)") in page


def test_public_transport_is_not_said_to_have_a_timetable_it_has_not():
    from twin.scenario.report import MODELS
    from twin.scenario.report_mobility import mobility_section

    assert "GTFS" not in MODELS["traffic"] and "with a timetable" not in MODELS["traffic"]
    comp = fake_comparison()
    comp.scenario = _Scenario()
    comp.scenario.domains = ["energy"]  # the section's note when traffic did not run
    assert "timetable" not in mobility_section(comp)


def test_the_summary_gives_the_payback(review):
    """A what-if that invests says its simple payback in the summary: investment over the yearly
    saving on the bills, central and over the samples (computed here from the KPI table)."""
    import geopandas as gpd
    import shapely

    from twin.scenario.report import _summary_section
    from twin.scenario.runner import EngineResult

    comp = fake_comparison()
    comp.scenario, comp.kpis = _Scenario(), _kpis()
    comp.samples = _samples(comp.kpis)
    page = _summary_section(comp)
    assert "Simple payback" not in page  # no per-building costs: nothing said
    boxes = [shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)]
    base = gpd.GeoDataFrame({"building_id": ["a", "b"], "energy_cost_eur": [12729267.69, 10e6], "investment_eur": [0.0, 0.0]},
                            geometry=boxes, crs="EPSG:31370")
    new = base.assign(energy_cost_eur=[10e6, 7929215.86], investment_eur=[20e6, 18664228.84])
    comp.baseline["energy"] = EngineResult(base, "building_id", {})
    comp.whatifs["renovation-wave"] = {"energy": EngineResult(new, "building_id", {})}
    page = _summary_section(comp)
    k = comp.kpis.set_index(["whatif", "kpi"])
    central = k.loc[("renovation-wave", "investment_keur"), "delta"] / -k.loc[("renovation-wave", "energy_cost_keur_yr"), "delta"]
    smp = comp.samples[comp.samples["whatif"] == "renovation-wave"].pivot_table(index="sample", columns="kpi", values="delta")
    ratio = smp["investment_keur"] / -smp["energy_cost_keur_yr"]
    line = re.search(r"<li>Simple payback.*?</li>", page).group(0)
    shown = [float(x) for x in re.findall(r"([0-9.]+)(?= years| to [0-9.]+ years)", line)]  # "8.1 years, range 7.3 to 9.5 years"
    assert shown == pytest.approx([central, np.percentile(ratio, 5), np.percentile(ratio, 95)], abs=0.05)
    assert len(re.findall(r"<li>", page.split("renovation-wave</h3>")[1].split("</div>")[0])) == 6  # five KPIs and the payback


@pytest.mark.parametrize("module", ["twin.scenario.report_calibration", "twin.scenario.report_solar"])
def test_the_other_energy_tables_use_the_kpi_tables_units(module):
    """The calibration and rooftop-PV tables said "MWh/year", "t/year", "kEUR/year", "kEUR" and "CO2"
    for the rows the KPI tables give in "MWh/yr", "t/yr", "k€/yr", "k€" and "CO₂"."""
    from importlib import import_module

    from twin.scenario import report_labels as L

    for kpi, text in import_module(module).KPI_ROWS:
        assert text.rsplit(", ", 1)[1].split(" (")[0] == L.unit(kpi), (kpi, text)
        assert "CO2" not in text and "EUR" not in text and "/year" not in text


def test_the_pv_note_points_at_the_table_it_follows():
    """The note on the PV yield alone follows the what-if's table and said "the table below"."""
    import inspect

    from twin.scenario import report_solar

    text = inspect.getsource(report_solar)
    assert "the table above is the whole what-if" in text and "the table below is the whole what-if" not in text


def test_the_assumed_box_says_how_many_samples_each_engine_ran():
    from twin.scenario.report import _assumed_short

    comp = fake_comparison()
    comp.scenario, comp.kpis = _Scenario(), _kpis()
    comp.samples = _samples(comp.kpis)
    box = _assumed_short(comp)
    assert ("100 Monte Carlo samples (seed 2026; samples per engine: energy, soil: 100; hot-days surface temperatures: 50; "
            "traffic: 40); the ranges") in box


def test_the_assumed_box_says_how_much_of_the_stock_the_calibration_covers():
    """"Calibration: the table X applied to the baseline scene." said nothing of what it covers."""
    from types import SimpleNamespace

    from twin.scenario.report import _assumed_short

    comp = fake_comparison()
    comp.scenario, comp.kpis, comp.samples = _Scenario(), _kpis(), None
    comp.scenario.inputs = SimpleNamespace(calibration="calibration.parquet")
    comp.baseline_scene = SimpleNamespace(buildings=pd.DataFrame({"building_id": list("abcd"), "floor_area_m2": [100.0, 300.0, 500.0, 100.0],
                                                                  "calib_kind": ["group", "group", "", None]}))
    box = _assumed_short(comp)
    assert ("the table <code>calibration.parquet</code> applied to the baseline scene: 2 of 4 buildings (40.0 % of the floor area) "
            "calibrated as a group") in box
    assert "none calibrated to their own meter; the rest rests on the priors" in box


def test_green_means_better_and_red_worse(review):
    """"green: lower, red: higher" drew more infiltration of rain (a de-sealing's aim) and a rooftop
    PV yield red, and rerouted trips (a count of what moved) red: colours now say better or worse."""
    page, _ = review

    def row(kpi: str, whatif: str) -> str:
        table = page.split(f"<h3>{whatif}</h3>")[-1]
        return re.search(rf"title='{kpi}'>.*?</tr>", table).group(0)

    assert "<td class='neg'>+74</td>" in row("infiltration_m3", "desealing-car-parks")  # more infiltration: green
    assert "fill='#1a7f37'" in row("infiltration_m3", "desealing-car-parks")  # its whole range up: green
    assert "<td class='neg'>-74</td>" in row("runoff_m3", "desealing-car-parks")  # less runoff: green
    assert "<td class='pos'>+38,664</td>" in row("investment_keur", "renovation-wave")  # a cost: red
    assert "<td class=''>+210</td>" in row("am_peak_rerouted_car_trips", "low-traffic-parvis")  # a count: no colour
    assert "fill='#57606a'" in row("am_peak_rerouted_car_trips", "low-traffic-parvis")
    assert "<td class='neg'>-21,330</td>" in row("heating_need_mwh", "renovation-wave")


def test_the_soil_year_table_colours_recharge_up_green():
    """The soil year's table drew every increase red: more groundwater recharge (a de-sealing's aim) too."""
    from twin.scenario.report_soil import _table

    comp = fake_comparison()
    comp.scenario = _Scenario()
    comp.kpis = pd.DataFrame({"whatif": ["w", "w"], "domain": ["soil", "soil"], "kpi": ["recharge_m3", "sewer_overflow_m3"],
                              "baseline": [1000.0, 500.0], "whatif_value": [1200.0, 450.0], "delta": [200.0, -50.0]})
    table = _table(comp, "w")
    assert re.search(r"recharge \(below.*?<td class='neg'>\+200", table)
    assert re.search(r"sewer overflow \(flooding.*?<td class='neg'>-50", table)


def test_the_bands_column_speaks_of_ranges_not_deltas(review):
    """The bands column said "wide delta" (the tables' word is "change")."""
    page, _ = review
    assert "wide delta" not in page
    row = re.search(r"title='am_peak_co2_kg'>.*?</tr>", page).group(0)
    assert "wide range of the change" in row


def test_the_pv_block_colours_savings_green_and_gives_the_yield_as_the_kpi_table():
    """The rooftop-PV block drew every saving red (class 'pos' for a decrease) and gave the yield
    in kWh/year (6,250,502) where the KPI table says 6,251 MWh/yr."""
    from types import SimpleNamespace

    from twin.scenario.report_solar import _whatif_block

    comp = fake_comparison()
    comp.scenario, comp.kpis = _Scenario(), _kpis()
    solar = SimpleNamespace(equipped=pd.DataFrame({"building_id": ["a"], "pv_kwp": [6357.6], "pv_ac_kwh_year": [6250501.9]}),
                            selected=["a", "b"], kwp=6357.6, ac_kwh_year=6250501.9, without_suitable_roof=[], not_simulated=[])
    block = _whatif_block(comp, "renovation-wave", solar)
    assert "<b>6,358 kWp, 6,251 MWh/yr</b> AC" in block
    assert re.search(r"primary energy \(Brussels EPB factors\), MWh/yr</td>.*?<td class='neg'>-41,039</td>", block)
    assert re.search(r"investment, k€</td>.*?<td class='pos'>\+38,664</td>", block)


def test_a_central_baseline_outside_its_range_gives_the_median_too():
    """Every KPI, not only the investment's change: a central baseline above its range (e.g. a
    lognormal prior's mean above most draws) says so with the samples' median."""
    from twin.scenario.report import _kpi_row_cells

    row = pd.Series({"kpi": "infiltration_m3", "baseline": 3400.8, "whatif_value": 3400.8, "delta": 0.0, "baseline_p_lo": 685.2,
                     "baseline_p50": 2711.1, "baseline_p_hi": 3300.0, "delta_p_lo": 0.0, "delta_p50": 0.0, "delta_p_hi": 0.0})
    cells = _kpi_row_cells(SimpleRow(row), True, (5.0, 95.0))
    assert "central run above its range (median 2,711 m³)" in cells  # with its unit, as the change's median


class SimpleRow:
    """A KPI row with attribute access (what ``DataFrame.itertuples`` gives)."""

    def __init__(self, s: pd.Series):
        self.__dict__.update(s.to_dict())


def test_the_solar_totals_speak_the_kpi_tables_units():
    """The solar totals read "26,564.6 kWp, 26,094,809 kWh/year (26,095 MWh/year AC) ... m2 of
    roofs" where the KPI tables say MWh/yr and m²; the roof-class table's headers too. The area
    was that of all roofs (420,414 m²) beside the suitable roofs' power: now the suitable roofs'
    area (416,785 m², the excellent and good rows of the table), all roofs' area labelled apart."""
    from types import SimpleNamespace

    from twin.scenario.report_solar import _suitability_table, _totals

    totals = {"suitable_pv_kwp": 26564.625, "suitable_pv_ac_mwh_year": 26094.80901878726, "roof_area_m2": 420414.2,
              "pv_kwp": 26598.1, "pv_ac_mwh_year": 26121.3}
    # the default run's roof classes: excellent and good 416,785 m² of the 420,414 m² of roofs
    roofs = pd.DataFrame({"kind": ["roof", "roof", "roof", "roof", "wall"], "suitability": ["excellent", "good", "weak", "unsuitable", "good"],
                          "pv_kwp": [20000.0, 6564.625, 33.5, 0.0, 9.0], "pv_ac_kwh_year": [2e7, 6.09e6, 2.6e4, 0.0, 7e3],
                          "area_m2": [300000.0, 116785.0, 3000.0, 629.2, 500.0], "usable_area_m2": [2e5, 8e4, 2e3, 0.0, 300.0]})
    cad = SimpleNamespace(meta={"totals": totals}, surfaces=roofs)
    line = _totals(cad)
    assert "<b>Suitable roofs (excellent and good): 26,565 kWp, 26,095 MWh/yr</b> AC on 416,785 m² of suitable roofs " \
           "(of 420,414 m² of roofs in all)" in line
    assert "all roofs with modules: 26,598 kWp, 26,121 MWh/yr." in line
    table = _suitability_table(cad)
    for text in (line, table):
        shown = re.sub(r"<[^>]+>", "", text)  # what the page shows (the data- attributes keep ids such as ..-area-m2)
        assert not re.search(r"/year|\bm2\b", shown), shown
    # the sentence's suitable area is the excellent and good rows of the table beside it, read from the page
    rows = dict(re.findall(r"</span> (excellent|good|weak|unsuitable)</td><td>[\d,]+</td><td>([\d,]+)</td>", table))
    said = re.search(r"on ([\d,]+) m² of suitable roofs", line).group(1)
    assert float(said.replace(",", "")) == sum(float(rows[k].replace(",", "")) for k in ("excellent", "good"))


def _heat_note_of_the_default_run(monkeypatch) -> list[str]:
    """The hot-days notes the soil engine writes (its own format), with the default run's figures
    (desealing-car-parks: 4,532 m² changed; asphalt 51.4, bare soil 46.6, lawn 39.4 °C)."""
    from types import SimpleNamespace

    from twin.scenario.engines import soil_heat

    res = SimpleNamespace(days=["2023-07-21T00:00", "2023-08-01T00:00", "2023-08-02T00:00"],
                          levels={"w": {level: (50.0, 40.0) for level in soil_heat.KPI_LEVELS.values()}},
                          kpis={"w": {"changed_area_m2": 4532.0}}, cover_midday_c={"asphalt": 51.42, "bare_soil": 46.63, "lawn": 39.41})
    monkeypatch.setattr(soil_heat, "_heat", lambda *a, **k: (res, []))
    return soil_heat.whatif_heat(None, None, None)[2]


def test_engine_notes_in_the_report_speak_its_units(monkeypatch):
    """The engines' notes (ASCII for the terminal: "51.4 degC", "4,532 m2", "CO2") read with the
    tables' units in the report (°C, m², CO₂), identifiers, file names and code left alone."""
    from twin.scenario.engines.soil_heat import NOTE_PREFIX
    from twin.scenario.report import _provenance_section
    from twin.scenario.report_labels import note_html, note_units
    from twin.scenario.runner import EngineResult

    notes = _heat_note_of_the_default_run(monkeypatch)
    assert "51.4 degC" in notes[0] and "4,532 m2 of ground" in notes[0]  # the terminal's text, unchanged
    comp = fake_comparison()
    comp.scenario = SimpleNamespaceScenario()
    comp.baseline["soil"] = EngineResult(comp.baseline["energy"].objects, "building_id", {}, notes=notes)
    page = _provenance_section(comp, now="now", run_id=None)
    shown = re.search(r"<p class='note'>soil: (hottest days: .*?)</p>", page).group(1)
    assert "4,532 m² of ground" in shown and "asphalt 51.4 °C, bare soil 46.6 °C, lawn 39.4 °C" in shown
    assert "degC" not in page and " m2 " not in page
    assert note_units(NOTE_PREFIX + "5 m2, kWh/m2/year, m3/m3, 3 m3/s, CO2, -2,188 kEUR/year, +-6 points") == (
        NOTE_PREFIX + "5 m², kWh/m²·yr, m³/m³, 3 m³/s, CO₂, -2,188 k€/yr, ±6 points")
    kept = "changed_area_m2, co2_t, grid_m2.csv, data/m2, `5 m2`, <code>12 m3</code>, x-m2"
    assert note_units(kept) == kept
    assert note_html("a < b, 5 m2") == "a &lt; b, 5 m²"  # ("< 5" reads "under 5": tests/test_report_one_language.py)


def test_every_note_site_of_the_report_goes_through_note_html():
    """One function for every engine note the report shows (not html.escape on the raw note)."""
    import inspect
    from importlib import import_module

    for name in ("report", "report_soil", "report_soil_heat", "report_mobility"):
        src = inspect.getsource(import_module(f"twin.scenario.{name}"))
        assert not re.search(r"html\.escape\((?:\"; \"\.join\()?(?:note|n|notes|why)\b", src), name
        assert not re.search(r"html\.escape\(\"; \"\.join\((?:notes|why|dict)", src), name
        assert "note_html(" in src, name


class SimpleNamespaceScenario:
    """What the provenance section reads of a scenario."""

    name = "review"
    uncertainty = type("U", (), {"samples": 0, "seed": 2026})()
    inputs = type("I", (), {"crs": "EPSG:31370", "files": ["scene.gpkg"], "weather": None})()

    def digest(self) -> str:
        return "0" * 12


@pytest.mark.parametrize("module, rows", [("twin.scenario.report_mobility", "CHANGE_ROWS"), ("twin.scenario.report_solar", "KPI_ROWS"),
                                          ("twin.scenario.report_soil", "ROWS")])
def test_a_kpi_has_one_name_in_every_section(module, rows):
    """The mobility table said "car trips lost to another destination" where the KPI table says
    "going to another destination" ("CO2, kg" for "CO₂ from road traffic"; the PV block "CO₂" and
    "floor area in class D or worse"; the soil year "rain on the grid", "soil evaporation",
    "hours with overflow", in m3): each section's row starts with the KPI table's label (then
    its own detail and unit). The calibration table (report_calibration) is another module's."""
    from importlib import import_module

    from twin.scenario import report_labels as L

    for kpi, text in getattr(import_module(module), rows):
        shown = html.unescape(text).replace("\xa0", " ").strip()
        assert shown.lower().startswith(L.label(kpi).lower()), (kpi, shown, L.label(kpi))
        assert not re.search(r"\bm[23]\b|CO2|/year", shown), (kpi, shown)


def test_the_time_series_caption_says_it_shows_the_central_run():
    """The time-series figure showed one line per run with no word that it is the central run
    (the ranges are in the indicator tables, not in the figure)."""
    from twin.scenario.report import _timeseries_section

    comp = fake_comparison()
    comp.scenario = _Scenario()
    comp.scenario.domains = ["energy"]
    month = pd.Index(range(1, 13), name="month")
    comp.baseline["energy"].series = pd.DataFrame({"heating_need_mwh": np.linspace(10.0, 1.0, 12)}, index=month)
    comp.whatifs["w"]["energy"].series = pd.DataFrame({"heating_need_mwh": np.linspace(8.0, 0.5, 12)}, index=month)
    comp.samples = pd.DataFrame({"sample": [0]})
    caption = re.search(r"<figcaption>(.*?)</figcaption>", _timeseries_section(comp)).group(1)
    assert "the central run (every unknown at one central value)" in caption
    assert "the ranges over the Monte Carlo samples are in the <a href='#kpis'>indicator tables</a>, not in this figure" in caption
    comp.samples = None  # no samples: no ranges to point at
    caption = re.search(r"<figcaption>(.*?)</figcaption>", _timeseries_section(comp)).group(1)
    assert "the central run" in caption and "ranges" not in caption


def test_the_terminal_says_where_the_heating_systems_came_from_as_the_report():
    """The report's box says where the heating systems came from (160e762); the terminal's
    assumed lines did not. Now the same words, where the scene has the column; none without."""
    from types import SimpleNamespace

    from twin.scenario.report import _assumed_short, assumed_lines

    frame = heating_system_buildings()
    priors = SimpleNamespace(enabled=lambda: ["heating_system"], source="priors.yaml")
    comp = SimpleNamespace(scenario=_Scenario(), samples=None, baseline_scene=SimpleNamespace(buildings=frame),
                           stock_samples=SimpleNamespace(priors=priors))
    comp.scenario.domains = ["energy"]
    lines = assumed_lines(comp)
    said = [x for x in lines if x.startswith("heating system: ")]
    assert len(said) == 1 and lines.index(said[0]) == 1  # after the defaults, before the bands
    box = _assumed_short(comp).split("<b>Heating system</b>: ")[1].split("</li>")[0]
    assert said[0] == "heating system: " + html.unescape(re.sub(r"<[^>]+>", "", box)).rstrip(".")
    assert "15.0 % of the floor area from data; 30.0 % of the floor area given by a user (3 buildings: 2 gas_boiler_condensing, " \
           "1 heat_pump_air_35); the rest (55.0 %) is not known: the district mix of the priors (heating_system)" in said[0]
    comp.baseline_scene = SimpleNamespace(buildings=frame.drop(columns=["heating_system", "heating_system_source"]))
    assert not any("heating system" in x for x in assumed_lines(comp))


def test_second_read_small_defects():
    """A second read of the default report: the list of buildings without a suitable roof ended
    "osm:way/110418442 ...." (ellipsis and a full stop), the PV payback said "the energy bill"
    (the tables: "energy bills"), the traffic model "CO2 and NOx"."""
    from types import SimpleNamespace

    from twin.scenario.report import MODELS
    from twin.scenario.report_solar import _whatif_block

    comp = fake_comparison()
    comp.scenario, comp.kpis = _Scenario(), _kpis()
    ids = [f"osm:way/{i}" for i in range(12)]
    solar = SimpleNamespace(equipped=pd.DataFrame({"building_id": ["a"], "pv_kwp": [6357.6], "pv_ac_kwh_year": [6250501.9]}),
                            selected=["a", *ids], kwp=6357.6, ac_kwh_year=6250501.9, without_suitable_roof=ids, not_simulated=[])
    block = _whatif_block(comp, "renovation-wave", solar)
    assert "osm:way/9 and 2 more.</p>" in block and "...." not in block
    assert "saving on the energy bills;" in block and "energy bill;" not in block
    assert "CO2" not in MODELS["traffic"] and "CO₂ and NOx from vehicle-km" in MODELS["traffic"]


def test_the_payback_table_gives_money_in_the_kpi_tables_units(monkeypatch):
    """The payback table said "38.7 M€" and "4.80 M€/yr" where the summary and the KPI tables say
    "+38,664 k€" and "-4,800 k€/yr" for the same investment and bills."""
    import geopandas as gpd
    import shapely

    from twin.scenario import report_energy_classes as E
    from twin.scenario.runner import EngineResult

    comp = fake_comparison()
    comp.scenario, comp.kpis, comp.samples = _Scenario(), _kpis(), None
    boxes = [shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)]
    base = gpd.GeoDataFrame({"building_id": ["a", "b"], "energy_cost_eur": [12729267.69, 10e6], "investment_eur": [0.0, 0.0],
                             "energy_class": ["D", "E"], "primary_energy_kwh_m2": [300.0, 400.0]}, geometry=boxes, crs="EPSG:31370")
    new = base.assign(energy_cost_eur=[10e6, 7929215.86], investment_eur=[20e6, 18664228.84], energy_class=["C", "D"])
    comp.baseline["energy"] = EngineResult(base, "building_id", {})
    comp.whatifs = {"renovation-wave": {"energy": EngineResult(new, "building_id", {})}}
    monkeypatch.setattr(E, "energy_whatifs", lambda c: ["renovation-wave"])
    table = re.search(r"<table id='payback'>.*?</table>", E.energy_section(comp)).group(0)
    row = re.findall(r"<td>(.*?)</td>", table.split("<tbody>")[1])
    assert row[1:3] == ["38,664 k€", "4,800 k€/yr"], row
    assert "M€" not in table


def test_a_yearly_quantity_per_area_has_one_spelling():
    """The drill-down and the maps say kWh/m²·yr; the solar map's legend and caption said
    kWh/m2/year (then kWh/m²/yr): one spelling, in the report code and in converted notes."""
    import ast
    import inspect
    from importlib import import_module

    from twin.scenario.report_labels import note_units

    for name in ("report", "report_solar", "report_drilldown", "report_energy_classes", "report_mobility", "report_soil"):
        tree = ast.parse(inspect.getsource(import_module(f"twin.scenario.{name}")))
        docs = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        shown = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]
        assert not [x for x in shown if re.search(r"kWh/m[²2]/(?:yr|year)", x)], name  # what the page shows, not docstrings
    assert note_units("1,210 kWh/m2/year") == "1,210 kWh/m²·yr"


@pytest.mark.slow
def test_the_default_report_shows_no_ascii_unit(tmp_path_factory):
    """On the default run's report (the engines' real notes, the solar totals, the hot-days
    section): no 'degC', 'm2', 'm3', 'CO2', '/year', 'kEUR' or 'M€' outside code, scripts and
    images; the terminal's summary keeps them (its notes are ASCII)."""
    from tests.scenario_default_run import default_run

    out, _ = default_run(tmp_path_factory)
    page = (out / "report.html").read_text()
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<code>.*?</code>|src='data:[^']*'", "", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    found = re.findall(r".{0,40}(?:\bdegC\b|\d m[23]\b|\bm[23]/|/m[23]\b|\bCO2\b|/year\b|\bkEUR\b|M€).{0,20}", text)
    assert found == []
    assert "4,532 m² of ground" in text and "asphalt 51.4 °C" in text  # the hot-days note, converted
