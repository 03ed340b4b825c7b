"""A band whose two ends are one number is said so: "the same in every sample", not a range.
The default report's summary read "Sealed area: −0.5 percentage points (−0.6 %), range −0.5 to
−0.5 percentage points" (the land cover is mapped, not sampled: nothing unknown moves it), and
the tooltips "5th–95th percentile: 0 to 0 k€" for a baseline that invests nothing."""

from __future__ import annotations

import html
import re

import pandas as pd

from twin.scenario import report_labels as L


def _title(svg: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", svg).group(1))


def test_a_band_without_spread_is_said_so_in_the_tooltips():
    d = -0.4531562500000206  # the default run's sealed area change: every sample the same
    assert _title(L.delta_bar("sealed_area_pct", d, d, d, 79.2159)) == "change, -0.45 pts, the same in every sample; central run -0.45 pts"
    assert _title(L.band_bar("investment_keur", 0.0, 0.0, 0.0)) == "0 k€, the same in every sample; central run 0 k€"
    # a band with a spread, even one that rounds to one number, is a range: its ends said once ("79.2 to 79.2 %" read oddly)
    assert _title(L.band_bar("sealed_area_pct", 79.2159, 79.21, 79.22)) == (
        "5th–95th percentile: 79.2 % of the district at both ends, once rounded; central run 79.2 % of the district")
    assert _title(L.delta_bar("hot_days_district_surface_temp_midday_c", -0.0926, -0.1007, -0.0608, 47.11)) == (
        "change, 5th–95th percentile: -0.1 to -0.061 K; central run -0.093 K")


def test_the_summary_line_of_a_band_without_spread():
    from twin.scenario.report import _headlines

    d = -0.4531562500000206
    row = dict(whatif="w", domain="soil", kpi="sealed_area_pct", baseline=79.2159, whatif_value=79.2159 + d, delta=d,
               baseline_p_lo=79.2159, baseline_p50=79.2159, baseline_p_hi=79.2159, delta_p_lo=d, delta_p50=d, delta_p_hi=d)
    runoff = dict(row, kpi="runoff_m3", baseline=26599.0, whatif_value=26525.0, delta=-74.0, baseline_p_lo=26000.0, baseline_p50=26500.0,
                  baseline_p_hi=27000.0, delta_p_lo=-136.0, delta_p50=-70.0, delta_p_hi=-15.0)
    lines = [html.unescape(re.sub(r"<[^>]+>", "", x)) for x in _headlines(pd.DataFrame([runoff, row]))]
    assert "Sealed area: -0.45 percentage points (79.2 % → 78.8 % of the district), the same in every sample" in lines
    assert "Runoff to the sewer: -74 m³ (-0.3 %), range -136 to -15 m³" in lines
