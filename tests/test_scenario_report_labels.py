"""Labels, units and rounding of the report's KPIs, the "unchanged" rule and the range bars (fast)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from twin.scenario import report_labels as L


@pytest.mark.parametrize("kpi, label, unit", [
    ("heating_need_mwh", "Heating need", "MWh/yr"),
    ("am_peak_rerouted_car_trips", "Morning peak: car trips rerouted", "trips"),
    ("off_peak_co2_kg", "Midday: CO₂ from road traffic", "kg"),  # the capital of CO2 stays
    ("access_15min_walk_school_pct", "Residents within 15 min of a school on foot", "% of residents"),
    ("floor_area_class_d_or_worse_pct", "Floor area in EPB class D or worse", "%"),
    ("am_peak_mean_travel_time_min", "Morning peak: mean travel time", "min"),  # unknown id: made readable, unit from the suffix
])
def test_labels_and_units(kpi, label, unit):
    assert L.label(kpi) == label and L.unit(kpi) == unit
    assert "_" not in L.label(kpi)


@pytest.mark.parametrize("kpi, delta, baseline, text", [
    ("am_peak_rerouted_car_trips", -19.922, 0.0, "-20"),  # the "-19.922 trips"
    ("am_peak_mean_travel_time_min", 0.0001019, 12.3, "≈ 0"),  # and its "+0.0001019 min"
    ("heating_need_mwh", -29427.3, 248977.0, "-29,427"),
    ("mean_runoff_mm", -0.0741, 26.6, "-0.074"),  # not "-0.1": one significant digit (test_report_change_digits)
    ("walk_share_pct", 0.0101, 51.4, "≈ 0"),
    ("co2_t", 0.0, 10.0, "0"),
    ("co2_t", float("nan"), 10.0, "–"),
    ("energy_cost_keur_yr", 1.234, 3.1, "+1.23"),
])
def test_deltas_are_rounded_like_their_baseline(kpi, delta, baseline, text):
    assert L.fmt_delta(kpi, delta, baseline) == text


@pytest.mark.parametrize("kpi, value, text", [
    ("heating_need_mwh", 248976.9, "248,977"), ("mean_runoff_mm", 26.599, "26.6"), ("nox_kg", 0.68932, "0.689"),
    ("max_volume_capacity_ratio", 1.28819, "1.29"), ("buildings_simulated", 3991.0, "3,991"), ("sealed_area_pct", 79.2159, "79.2"),
    ("water_balance_error_rel", 1.2e-16, "within 0.000001 %"), ("water_balance_error_rel", 3e-6, "0.0003 %"),
])
def test_values_keep_three_significant_digits(kpi, value, text):
    assert L.fmt_value(kpi, value) == text


def test_percent_change():
    assert L.fmt_pct(-11.8, 100.0) == "-11.8 %" and L.fmt_pct(5.0, 0.0) == "–" and L.fmt_pct(1e-6, 100.0) == "≈ 0 %"


def test_unchanged_looks_at_the_delta_and_its_band():
    row = pd.Series({"baseline": 100.0, "delta": 0.0, "delta_p_lo": 0.0, "delta_p_hi": 0.0})
    assert L.unchanged(row)
    assert L.unchanged(pd.Series({"baseline": 100.0, "delta": 0.04}))  # 0.04 % of the baseline
    assert not L.unchanged(pd.Series({"baseline": 100.0, "delta": 0.06}))
    assert not L.unchanged(pd.Series({"baseline": 100.0, "delta": 0.0, "delta_p_lo": -1.0, "delta_p_hi": 1.0}))  # the band moves
    assert not L.unchanged(pd.Series({"baseline": 0.0, "delta": 0.01}))  # from zero, any change counts


def test_bars_carry_their_numbers():
    svg = L.band_bar("heating_need_mwh", 248977.0, 230000.0, 270000.0)
    assert svg.startswith("<svg class='bar band'") and "data-lo='230000' data-hi='270000'" in svg
    assert "5th–95th percentile: 230,000 to 270,000 MWh/yr; central run 248,977 MWh/yr" in svg
    svg = L.delta_bar("heating_need_mwh", -29427.0, -39253.0, -26560.0, 248977.0)
    assert "fill='#1a7f37'" in svg  # the whole range is a decrease: green
    assert "change, 5th–95th percentile: -39,253 to -26,560 MWh/yr" in svg
    assert "fill='#bf8700'" in L.delta_bar("co2_t", 1.0, -1.0, 2.0, 10.0)  # holds zero: the sign is uncertain
    assert L.band_bar("co2_t", 1.0, np.nan, np.nan) == "–"
    # the tick of the central run lies inside the band's rectangle
    x = [float(v) for v in re.findall(r"x='([0-9.]+)'", svg)]
    w = float(re.search(r"width='([0-9.]+)' height='8'", svg).group(1))
    tick = float(re.search(r"<line x1='([0-9.]+)' y1='2'", svg).group(1))
    assert x[0] <= tick <= x[0] + w
