"""The report's remaining wording slips, found reading the reports of the heat pumps, de-sealing
a block, the soil year and a permit (helper report6):

* the heat pumps' summary read "never (no saving), range 296.1 years to never (no saving)": no
  saving said twice, a tenth of a year on three centuries.
"""

from __future__ import annotations

import html
import re


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _payback_summary(monkeypatch, central: float, lo: float, hi: float) -> str:
    from types import SimpleNamespace

    import pandas as pd

    from twin.scenario import report_energy_classes
    from twin.scenario.report import _payback_line

    monkeypatch.setattr(report_energy_classes, "payback_rows",
                        lambda comparison, whatif: {"payback_yr": central, "payback_lo": lo, "payback_hi": hi})
    objects = pd.DataFrame({"investment_eur": [15000.0], "energy_cost_eur": [2600.0]})
    comparison = SimpleNamespace(whatifs={"w": {"energy": SimpleNamespace(objects=objects)}})
    group = pd.DataFrame({"kpi": ["investment_keur"], "delta": [15.0]})
    return _text(_payback_line(comparison, "w", group)).split(": ", 1)[1]


def test_a_payback_that_never_comes_says_no_saving_once(monkeypatch):
    inf = float("inf")
    assert _payback_summary(monkeypatch, inf, 296.14, inf) == "no saving in the central run; range 296 years to never"
    assert _payback_summary(monkeypatch, 7.31, 6.04, 9.46) == "7.3 years, range 6.0 to 9.5 years"
    assert _payback_summary(monkeypatch, 12.4, 9.46, inf) == "12.4 years, range 9.5 years to never (no saving)"
    assert _payback_summary(monkeypatch, inf, inf, inf) == "no saving in the central run"


def test_the_terminal_gives_a_share_s_change_in_percentage_points():
    """stgilles_heat_pumps: the terminal gave the class-D share's change as '-8.016 (-8.041 %)', a
    relative change of a share; the report gives it in percentage points."""
    from types import SimpleNamespace

    import pandas as pd

    from twin.scenario.report import terminal_summary

    kpis = pd.DataFrame({"whatif": ["w"] * 2, "domain": ["energy"] * 2, "kpi": ["floor_area_class_d_or_worse_pct", "co2_t"],
                         "baseline": [99.679, 57116.9], "whatif_value": [91.663, 20497.1], "delta": [-8.016, -36619.8],
                         "delta_p_lo": [-17.0, -49615.8], "delta_p50": [-8.0, -36000.0], "delta_p_hi": [-1.265, -30898.2]})
    share, co2 = terminal_summary(SimpleNamespace(kpis=kpis))[1:]
    assert "delta -8.016 pts  [-17.000, -1.265] pts" in share and "%)" not in share
    assert "delta -36,619.8 (-64.114 %)  [-49,615.8, -30,898.2]" in co2


def _soil_year_comparison():
    import pandas as pd

    from tests.scenario_helpers import fake_comparison, fake_scenario

    comparison = fake_comparison()
    comparison.scenario = fake_scenario(domains=("soil",))
    comparison.kpis = pd.DataFrame({"whatif": ["w"] * 2, "domain": ["soil"] * 2, "kpi": ["storage_change_m3", "recharge_m3"],
                                    "baseline": [8.26, 44236.4], "whatif_value": [8.54, 45274.2], "delta": [0.28, 1037.8]})
    return comparison


def test_a_change_of_a_store_has_no_change_percent():
    """stgilles_soil_year: 'Change of water stored in the soil 8.26 → 8.54 m³ (+3.3 %)': a change of
    a store is not relative to its level; it gets no change %, as a baseline of 0 gets none (the
    report's tables and summary, the terminal); a flow keeps its change %."""
    from types import SimpleNamespace

    from twin.scenario import report_labels as L
    from twin.scenario.report import _kpi_table, terminal_summary

    assert L.fmt_pct(0.28, 8.26, "storage_change_m3") == "–"
    assert L.fmt_pct(1037.8, 44236.4, "recharge_m3") == "+2.3 %"
    comparison = _soil_year_comparison()
    table = _text(_kpi_table(comparison.kpis, False, (5.0, 95.0)))
    assert "stored in the soil" in table and "+3.4 %" not in table and "+2.3 %" in table
    store_line, recharge_line = terminal_summary(SimpleNamespace(kpis=comparison.kpis))[1:]
    assert store_line.endswith("delta +0.280") and "(+2.346 %)" in recharge_line


def test_the_soil_baseline_table_rounds_as_the_indicator_tables():
    """The soil section's baseline table ('_value') kept the terminal's rounding ("44,236.4")."""
    from types import SimpleNamespace

    from twin.scenario.report_soil import _baseline_table

    comparison = SimpleNamespace(baseline={"soil": SimpleNamespace(kpis={"recharge_m3": 44236.4, "sewer_overflow_hours": 12.0})})
    cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", _baseline_table(comparison))]
    values = dict(zip(cells[::2], cells[1::2], strict=True))
    assert [v for k, v in values.items() if "recharge" in k] == ["44,236"]
    assert [v for k, v in values.items() if "hours" in k] == ["12"]


def test_the_hot_days_note_says_the_central_covers_run_hot():
    """The hot-days note said the central covers "lie at the cooler edge of those priors (dark
    asphalt…)"; the central baseline lies above (hotter than) most samples (the default run: 51.4
    °C against a median of 50.4 °C; stgilles_deseal_block: above its range, median 50.3 °C), and its
    cooling is larger (-11.9 K against a median of -10.6 K)."""
    from types import SimpleNamespace

    import pandas as pd

    from twin.scenario.report_soil_heat import soil_heat_report_section

    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["soil"], "kpi": ["hot_days_surface_temp_midday_c"], "baseline": [51.4],
                         "whatif_value": [39.4], "delta": [-11.9], "delta_p_lo": [-13.0], "delta_p_hi": [-7.8]})
    scenario = SimpleNamespace(domains=["soil"], whatifs=[], uncertainty=SimpleNamespace(percentiles=(5.0, 95.0)))
    comparison = SimpleNamespace(scenario=scenario, baseline={"soil": SimpleNamespace(notes=[])}, whatifs={}, kpis=kpis,
                                 sample_notes=[])
    note = _text(soil_heat_report_section(comparison))
    assert "cooler edge of those priors" not in note
    assert ("its baseline is hotter than most samples' and its cooling larger, so its change can lie at or beyond "
            "the cooling end of the range") in note


def test_the_3d_block_note_says_its_symbols_in_words():
    """stgilles_deseal_block: the 3-D block's note read "theta_r, theta_s, alpha, n, Ks" and "lateral
    exchange with the 1-D columns +0.121 / +0.121 m³": said in words, the symbols in brackets."""
    from types import SimpleNamespace

    import pandas as pd

    from twin.scenario.engines.soil import BLOCK_NOTE
    from twin.scenario.report_soil import block_section

    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["soil"], "kpi": ["block_sealed_rain_gain_m3"], "baseline": [0.0],
                         "whatif_value": [2.1], "delta": [2.1], "delta_p_lo": [1.5], "delta_p50": [2.0], "delta_p_hi": [2.6]})
    note = (BLOCK_NOTE + "design storm 30 mm in 1 h, 24 h; balance error 1.0e-08; lateral exchange with the 1-D columns "
            "+0.121 / +0.121 m3 (baseline / what-if); 115.1 s")
    scenario = SimpleNamespace(whatifs=[SimpleNamespace(name="w")], soil=SimpleNamespace(block={"region": [0, 0, 10, 10]}),
                               uncertainty=SimpleNamespace(percentiles=(5.0, 95.0)))
    comparison = SimpleNamespace(kpis=kpis, scenario=scenario, sample_notes=[],
                                 whatifs={"w": {"soil": SimpleNamespace(kpis={"block_sealed_rain_gain_m3": 2.1}, notes=[note])}})
    text = _text(block_section(comparison))
    assert "theta_r, theta_s, alpha, n, Ks" not in text and "lateral exchange with the 1-D columns +" not in text
    assert ("its van Genuchten parameters, residual and saturated water content (theta_r, theta_s), the inverse of the "
            "air-entry suction (alpha) and the pore-size index (n), and its saturated hydraulic conductivity (Ks)") in text
    assert "water into the block through its sides from the 1-D columns around it (lateral exchange) +0.121 / +0.121 m³" in text


def test_the_series_caption_says_what_a_what_if_drawn_as_the_baseline_changes():
    """stgilles_heat_pumps: the time series (heating need) read "Same as the baseline:
    boilers-to-heat-pumps." and no more; the heat pumps change the final energy by carrier."""
    from types import SimpleNamespace

    import pandas as pd

    from tests.scenario_helpers import fake_scenario
    from twin.scenario.report import _timeseries_section

    months = pd.Index(range(1, 13), name="month")
    base = pd.DataFrame({"heating_need_mwh": [30.0 - 2 * m for m in range(12)]}, index=months)
    sc = fake_scenario("x")
    sc.domains = ["energy"]
    kpis = pd.DataFrame({"whatif": ["hp"] * 3, "domain": ["energy"] * 3, "kpi": ["heating_need_mwh", "final_gas_mwh", "final_electricity_mwh"],
                         "baseline": [200.0, 180.0, 10.0], "whatif_value": [200.0, 20.0, 60.0], "delta": [0.0, -160.0, 50.0]})
    comp = SimpleNamespace(scenario=sc, samples=None, kpis=kpis, baseline={"energy": SimpleNamespace(series=base)},
                           whatifs={"hp": {"energy": SimpleNamespace(series=base.copy())}})
    caption = _text(re.search(r"<figcaption>(.*?)</figcaption>", _timeseries_section(comp), flags=re.S).group(1))
    assert caption.endswith("Same as the baseline: hp. What hp changes instead is the final energy by carrier (gas, heating oil, "
                            "electricity...): see the indicator tables.")
    comp.kpis = kpis.assign(delta=0.0)  # a what-if that changes nothing gets no such sentence
    caption = _text(re.search(r"<figcaption>(.*?)</figcaption>", _timeseries_section(comp), flags=re.S).group(1))
    assert caption.endswith("Same as the baseline: hp.")
