"""A change is rounded like its baseline, but never to a single significant digit (counts aside):
the default report's midday CO₂ of road traffic read "233 → 233 (+1)" with a range "+0.31 to +1"
beside a central "+1" (the change is +0.56 kg), and the hot days' district mean read "−0.1 K,
range −0.1 to −0.1 K", a range that reads as a certainty (it is −0.1007 to −0.061 K). No
trailing zero is added ("+0.0008", not "+0.00080": test_report_plain_numbers' "+0.000")."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import numpy as np
import pytest

from twin.scenario import report_labels as L


@pytest.mark.parametrize("kpi, delta, baseline, text", [
    ("off_peak_co2_kg", 0.5567, 232.74, "+0.56"),  # the default run's midday CO2 of road traffic
    ("am_peak_co2_kg", 1.3521, 443.84, "+1.4"),
    ("hot_days_district_surface_temp_midday_c", -0.0926, 47.11, "-0.093"),
    ("sealed_area_pct", -0.4532, 79.22, "-0.45"),
    ("am_peak_max_volume_capacity_ratio", 0.0098, 1.16, "+0.0098"),
    ("heating_need_mwh", -21330.4, 171748.0, "-21,330"),  # enough digits already: as before
    ("hot_days_surface_temp_midday_c", -11.94, 51.4, "-11.9"),
    ("am_peak_vehicle_km_residential", -1.5, 650.0, "-2"),  # a count stays whole
    ("co2_t", -0.4, 1000.0, "≈ 0"),  # rounds away with its percentage: as before
    ("off_peak_nox_kg", 0.000798, 0.612, "+0.0008"),  # the default run's midday NOx range: no trailing zero
    ("off_peak_nox_kg", 0.001996, 0.612, "+0.002"),
])
def test_a_change_keeps_two_significant_digits(kpi, delta, baseline, text):
    assert L.fmt_delta(kpi, delta, baseline) == text


def test_no_shown_change_strays_from_its_value():
    rng = np.random.default_rng(7)
    for kpi in ("off_peak_co2_kg", "mean_runoff_mm", "sealed_area_pct", "hot_days_district_surface_temp_midday_c", "energy_cost_keur_yr"):
        for _ in range(200):
            baseline = float(10 ** rng.uniform(0, 5))
            delta = float(baseline * 10 ** rng.uniform(-4, -0.3) * rng.choice((-1, 1)))
            shown = L.fmt_delta(kpi, delta, baseline)
            if shown == "≈ 0":
                continue
            assert float(shown.replace(",", "")) == pytest.approx(delta, rel=0.05), (kpi, delta, baseline, shown)


def test_the_midday_co2_row_and_its_range_read_alike():
    from twin.scenario.report import _kpi_row_cells

    r = SimpleNamespace(kpi="off_peak_co2_kg", baseline=232.7356, whatif_value=233.2923, delta=0.5567,
                        baseline_p_lo=124.6, baseline_p_hi=335.5, whatif_p_lo=124.9, whatif_p_hi=336.2,
                        delta_p_lo=0.3081, delta_p50=0.5011, delta_p_hi=0.6909)
    page = _kpi_row_cells(r, True, (5, 95))
    cells = [html.unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", page, flags=re.S)]
    assert cells[2] == ["233"] and cells[4] == ["233"] and cells[5] == ["+0.56"]
    assert "change, 5th–95th percentile: +0.31 to +0.69 kg; central run +0.56 kg" in html.unescape(page)
