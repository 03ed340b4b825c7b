"""Human labels, units and rounding of the report's KPIs, and the uncertainty bars.

A KPI id (``heating_need_mwh``, ``am_peak_rerouted_car_trips``, ``access_15min_walk_school_pct``)
becomes a label a planner reads ("Heating need", "Morning peak: car trips rerouted", "Schools
within 15 min on foot") and a unit ("MWh/yr", "trips", "% of residents"); numbers are rounded to
what the model can say (:func:`fmt_value`: three significant digits at most, whole numbers for
counts; a delta is rounded like its baseline, so "-19.922 trips" reads "-20 trips" and a change
of 0.0001 min on 12 min reads "≈ 0").

:func:`unchanged` says when a KPI did not move (its delta and the band of its delta are below
:data:`UNCHANGED_RTOL` of the baseline): the KPI tables fold these rows away.

:func:`band_bar` and :func:`delta_bar` draw a band as a small inline SVG (no script, no external
resource): the numbers are in the SVG's ``<title>`` (a tooltip) and in ``data-lo``/``data-hi``.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np

#: KPI base name -> (label, unit, kind). kind: ``count`` (whole numbers), ``pct`` (one decimal),
#: ``temp`` (a temperature: one decimal), ``ratio`` (two decimals), ``value`` (three significant
#: digits).
#: The hours of the hot-days surface temperature (:data:`twin.soil.deseal_heat.MIDDAY_HOURS`:
#: the hours ending 12 to 16, 11:00–16:00), as the labels below and :func:`note_units` write them.
#: The report does not call them "mid-day": its traffic period "Midday" is the hour 11–12 h.
HOT_HOURS = "11–16 h"

#: How the energy bills value rooftop PV (:func:`twin.energy.results.pv_credit_eur`): the
#: self-consumed share of :class:`twin.solar.pv.PVParameters` (a default) at the electricity
#: price; the rest at its injection price.
#: Brussels ended net metering: Brugel, "Fin du principe de la compensation" (brugel.brussels,
#: renewable energy theme; network part of the bill no longer compensated from 1 January 2020,
#: energy part from the launch of MIG 6); Le Soir, 15 October 2021 ("Panneaux solaires: fin de la
#: compensation pour les prosumers bruxellois": compensation ends on 1 November 2021, the
#: injected electricity is sold at an injection tariff).
def _pv_rule() -> tuple[float, float]:
    from twin.solar.pv import PVParameters

    p = PVParameters()
    return p.self_consumption_share, p.injection_eur_per_kwh


_PV_SHARE, PV_INJECTION_EUR_KWH = _pv_rule()
PV_SELF_PCT = round(100 * _PV_SHARE)
PV_RULE_SHORT = (f"{PV_SELF_PCT} % of the yield used in the building, at the electricity price, the rest "
                 f"sold at {PV_INJECTION_EUR_KWH:g} €/kWh; Brussels ended net metering on 1 November 2021")
PV_RULE_NOTE = (
    f"Rooftop PV on the bills: {PV_SELF_PCT} % of a building's yield (a default: a typical household without battery, against "
    "its whole electricity use, appliances included) saves the electricity price; "
    f"the rest is sold to a supplier at {PV_INJECTION_EUR_KWH:g} €/kWh (an assumption). Brussels "
    "ended net metering, the whole yield at the electricity price: for the network part of the bill on 1 January 2020 and for "
    "the energy part on 1 November 2021 (Brugel, 'Fin du principe de la compensation', brugel.brussels; Le Soir, 15 October "
    "2021). Green certificates are not counted. Primary energy and CO₂ credit the whole yield at the grid's factors (EPB "
    "convention)")

LABELS: dict[str, tuple[str, str, str]] = {
    # energy
    "heating_need_mwh": ("Heating need", "MWh/yr", "value"),
    "final_energy_mwh": ("Final energy (delivered: gas, oil, electricity, district heat)", "MWh/yr", "value"),
    "primary_energy_mwh": ("Primary energy (Brussels EPB factors)", "MWh/yr", "value"),
    "co2_t": ("CO₂ emissions of the buildings", "t/yr", "value"),
    "energy_cost_keur_yr": ("Energy bills", "k€/yr", "value"),
    "investment_keur": ("Investment", "k€", "value"),
    "floor_area_class_d_or_worse_pct": ("Floor area in EPB class D or worse", "%", "pct"),
    "buildings_simulated": ("Buildings simulated", "buildings", "count"),
    "final_gas_mwh": ("Final energy: natural gas", "MWh/yr", "value"),
    "final_oil_mwh": ("Final energy: heating oil", "MWh/yr", "value"),
    "final_electricity_mwh": ("Final energy: electricity (before the PV credit)", "MWh/yr", "value"),
    "final_district_heat_mwh": ("Final energy: district heat", "MWh/yr", "value"),
    "pv_yield_mwh": ("Rooftop PV yield", "MWh/yr", "value"),
    # traffic, per period
    "rerouted_car_trips": ("Car trips rerouted", "trips", "count"),
    "mode_shifted_trips": ("Car trips shifted to walking, cycling or public transport", "trips", "count"),
    "evaporated_trips": ("Person trips no longer made", "trips", "count"),
    "redistributed_car_trips": ("Car trips going to another destination", "trips", "count"),
    "evaporated_through_vehicles": ("Through vehicles no longer crossing the district", "vehicles", "count"),
    "closed_link_flow_veh_h": ("Car flow on the closed streets", "veh/h", "count"),
    "person_trips": ("Person trips", "trips", "count"),
    "walk_share_pct": ("Walking share", "% of trips", "pct"),
    "bike_share_pct": ("Cycling share", "% of trips", "pct"),
    "pt_share_pct": ("Public transport share", "% of trips", "pct"),
    "car_share_pct": ("Car share", "% of trips", "pct"),
    "vehicle_km": ("Vehicle-km", "veh·km", "count"),
    "vehicle_km_residential": ("Vehicle-km on residential streets", "veh·km", "count"),
    "vehicle_km_main": ("Vehicle-km on main roads", "veh·km", "count"),
    "co2_kg": ("CO₂ from road traffic", "kg", "value"),
    "nox_kg": ("NOx from road traffic", "kg", "value"),
    "unserved_trips": ("Trips with no route", "trips", "count"),
    "max_volume_capacity_ratio": ("Busiest street: volume / capacity", "", "ratio"),
    # soil (storm and year)
    "storm_mm": ("Design storm", "mm", "value"),
    "rain_m3": ("Rain on the district", "m³", "value"),
    "runoff_m3": ("Runoff to the sewer", "m³", "value"),
    "runoff_mm": ("Runoff depth", "mm", "value"),
    "retention_m3": ("Rain retained", "m³", "value"),
    "infiltration_m3": ("Infiltration into the soil", "m³", "value"),
    "storage_change_m3": ("Change of water stored in the soil", "m³", "value"),
    "drainage_m3": ("Drainage below the soil columns", "m³", "value"),
    "mean_runoff_mm": ("Mean runoff depth", "mm", "value"),
    "mean_theta_top_30cm_m3_m3": ("Mean soil moisture, top 30 cm", "m³/m³", "ratio"),
    "sealed_area_pct": ("Sealed area", "% of the district", "pct"),
    "recharge_m3": ("Groundwater recharge", "m³", "value"),
    "capillary_rise_m3": ("Capillary rise from the water table", "m³", "value"),
    "et_m3": ("Evapotranspiration", "m³", "value"),
    "et_mm": ("Evapotranspiration depth", "mm", "value"),
    "transpiration_m3": ("Transpiration of plants", "m³", "value"),
    "soil_evaporation_m3": ("Evaporation from the soil", "m³", "value"),
    "interception_evaporation_m3": ("Evaporation of rain caught by canopies", "m³", "value"),
    "potential_transpiration_m3": ("Potential transpiration", "m³", "value"),
    "plant_stress_days": ("Plant-stress days", "days", "value"),
    "soil_moisture_p10_m3_m3": ("Soil moisture, dry days (10th percentile)", "m³/m³", "ratio"),
    "soil_moisture_p50_m3_m3": ("Soil moisture, median", "m³/m³", "ratio"),
    "soil_moisture_p90_m3_m3": ("Soil moisture, wet days (90th percentile)", "m³/m³", "ratio"),
    "sewer_overflow_m3": ("Sewer overflow (flooding and CSO)", "m³", "value"),
    "sewer_cso_m3": ("Combined sewer overflow at the outlet", "m³", "value"),
    "sewer_flooding_m3": ("Sewer flooding in the streets", "m³", "value"),
    "sewer_overflow_hours": ("Hours with sewer overflow", "h", "count"),
    "sewer_overflow_events": ("Sewer overflow events", "events", "count"),
    "water_balance_error_rel": ("Water balance error (diagnostic)", "", "value"),
    # soil: the 3-D block around a de-sealing (its section's list says how each is computed); they read
    # "Block sealed rain gain", twice with two units, and "Block sealed edge" without these labels
    "block_sealed_rain_gain_m3": ("3-D block: rain water under the neighbouring sealed cells", "m³", "value"),
    "block_sealed_rain_gain_mm": ("3-D block: rain water under the neighbouring sealed cells, per m² of them", "mm", "value"),
    "block_recharge_m3": ("3-D block: recharge below the block", "m³", "value"),
    "block_infiltration_m3": ("3-D block: infiltration into the block", "m³", "value"),
    "block_sealed_edge_m": ("3-D block: length of soil along the sealed cells", "m", "value"),
    "block_sealed_rain_gain_grid_m3": ("3-D block: rain water under the sealed cells, the block grid's own figure", "m³", "value"),
    # soil: surface temperature on the hottest days (what-ifs that change the ground cover)
    "hot_days_surface_temp_midday_c": (f"Hottest days: surface temperature at {HOT_HOURS}, ground whose cover changed", "°C", "temp"),
    "hot_days_surface_temp_max_c": ("Hottest days: daily maximum surface temperature, ground whose cover changed", "°C", "temp"),
    "hot_days_district_surface_temp_midday_c": (f"Hottest days: surface temperature at {HOT_HOURS}, district mean", "°C", "temp"),
}


#: Period prefixes of the traffic KPIs and how they read.
PERIODS = {"am_peak": "Morning peak", "pm_peak": "Evening peak", "off_peak": "Midday"}

#: Categories of the 15-minute access KPIs and how they read.
ACCESS_CATEGORIES = {"school": "a school", "park": "a park", "grocery": "a grocery shop", "health": "a doctor or pharmacy",
                     "bank": "a bank", "post": "a post office", "culture": "a library, cinema or theatre"}
ACCESS_MODES = {"walk": "on foot", "bike": "by bike", "pt": "by public transport"}

#: Unit suffixes of unknown KPI ids, longest first.
UNIT_SUFFIXES = (("_veh_h", "veh/h"), ("_keur_yr", "k€/yr"), ("_keur", "k€"), ("_eur", "€"), ("_mwh", "MWh"), ("_kwh", "kWh"),
                 ("_m3_m3", "m³/m³"), ("_m3", "m³"), ("_mm", "mm"), ("_pct", "%"), ("_kg", "kg"), ("_t", "t"), ("_min", "min"),
                 ("_h", "h"), ("_m2", "m²"), ("_m", "m"), ("_s", "s"))

#: A KPI is "unchanged" when its delta and the band of its delta are within this share of the
#: baseline (0.05 %: the change would not show in a percentage with one decimal).
UNCHANGED_RTOL = 5e-4

_ACCESS = re.compile(r"^access_([0-9.]+)min_([a-z]+)_([a-z_]+)_pct$")


def period_hours(periods=None) -> str:
    """What each traffic period's KPIs count over, for a planner ("Morning peak: the hour 8–9 h; ...
    trips, vehicle-km and emissions over that hour, flows in vehicles per hour"), from the traffic
    model's windows (:data:`twin.traffic.mobility.PERIODS`); ``periods``: the ids to name (all)."""
    from twin.traffic.mobility import PERIODS as WINDOWS

    parts = []
    for p in periods or WINDOWS:
        if p in WINDOWS and p in PERIODS:
            a, b = (w / 3600.0 for w in WINDOWS[p]["window_s"])
            parts.append(f"{PERIODS[p]}: the hour {a:g}–{b:g} h")
    if not parts:
        return ""
    return "; ".join(parts) + " (trips, vehicle-km and emissions over that hour, flows in vehicles per hour)"


def split_period(kpi: str) -> tuple[str | None, str]:
    """``('am_peak', 'rerouted_car_trips')`` for ``am_peak_rerouted_car_trips``; ``(None, kpi)`` otherwise."""
    for p in PERIODS:
        if kpi.startswith(p + "_"):
            return p, kpi[len(p) + 1:]
    return None, kpi


def describe(kpi: str) -> tuple[str, str, str]:
    """(label, unit, kind) of a KPI id (see :data:`LABELS`; unknown ids are made readable)."""
    kpi = str(kpi)
    m = _ACCESS.match(kpi)
    if m:
        minutes, mode, cat = m.groups()
        what = ACCESS_CATEGORIES.get(cat, cat.replace("_", " "))
        how = ACCESS_MODES.get(mode, mode)
        return f"Residents within {float(minutes):g} min of {what} {how}", "% of residents", "pct"
    period, base = split_period(kpi)
    if base in LABELS:
        label, unit, kind = LABELS[base]
    else:
        unit = ""
        for suffix, u in UNIT_SUFFIXES:
            if base.endswith(suffix):
                base, unit = base[: -len(suffix)], u
                break
        label, kind = base.replace("_", " ").strip().capitalize(), ("pct" if unit == "%" else "value")
    if period:
        keep = len(label) > 1 and not label[1].islower()  # "CO₂", "NOx" keep their capitals
        label = f"{PERIODS[period]}: {label if keep else label[0].lower() + label[1:]}"
    return label, unit, kind


def lower_first(text: str) -> str:
    """A label inside a sentence or a section's own table: 'Primary energy' -> 'primary energy';
    'CO₂ emissions' and 'NOx from road traffic' keep their capitals (as :func:`describe` does)."""
    keep = len(text) > 1 and not text[1].islower()
    return text if keep else text[:1].lower() + text[1:]


def label(kpi: str) -> str:
    """The KPI's label."""
    return describe(kpi)[0]


def unit(kpi: str) -> str:
    """The KPI's unit ('' none)."""
    return describe(kpi)[1]


#: Units the report's tables show where :data:`LABELS` has none (KPI base id -> unit word): a
#: planner reads an empty unit cell as missing. Report only: the terminal's store diff keeps
#: :func:`unit` (no unit after a ratio's change).
REPORT_UNITS: dict[str, str] = {"max_volume_capacity_ratio": "ratio"}


def report_unit(kpi: str) -> str:
    """The unit of ``kpi`` in the report's KPI tables: :func:`unit`, or the word of
    :data:`REPORT_UNITS` ("ratio" for the busiest street's volume / capacity) where that is ''."""
    return unit(kpi) or REPORT_UNITS.get(split_period(str(kpi))[1], "")


def decimals(kind: str, magnitude: float) -> int:
    """Decimals shown for a number of ``kind`` whose size is ``magnitude`` (three significant digits, 0 to 3 decimals)."""
    if kind == "count":
        return 0
    if kind in ("pct", "temp"):
        return 1
    if kind == "ratio":
        return 2 if not (0 < abs(magnitude) < 0.01) else 3
    a = abs(magnitude)
    if not math.isfinite(a) or a == 0 or a >= 100:
        return 0
    return int(min(3, max(0, 2 - math.floor(math.log10(a)))))


def _number(x: float, nd: int) -> str:
    s = f"{x:,.{nd}f}"
    return "0" if s.lstrip("-").strip("0.,") == "" else s


def fmt_value(kpi: str, x, *, ref=None) -> str:
    """A KPI value, rounded (decimals from ``ref`` when given, else from ``x``); '–' when undefined."""
    if x is None or not np.isfinite(float(x)):
        return "–"
    kind = describe(kpi)[2]
    if kind == "value" and str(kpi).endswith("_error_rel"):
        return balance_words(float(x))  # "within 0.000001 %", not round-off as 1.2e-16
    r = float(ref) if ref is not None and np.isfinite(float(ref)) else float(x)
    return _number(float(x), decimals(kind, r))


def fmt_delta(kpi: str, delta, baseline) -> str:
    """A signed change rounded like its baseline; '≈ 0' for a non-zero change that rounds away, '0' for none.

    A change that rounds away but whose percentage of the baseline does not (:func:`fmt_pct` shows
    "+0.3 %") is given with two significant digits of its own ("+0.0035" kg beside "+0.3 %", not
    "≈ 0" beside it, which would read as a contradiction). So is a change (not a count) that the
    baseline's rounding would leave with one significant digit: "+0.56" kg beside a baseline of
    233 kg, not "+1" (which reads "233 → 233 (+1)", and gives a range "+0.31 to +1" beside a
    central "+1"), and "-0.1 to -0.061 K", not "-0.1 to -0.1 K" (which reads as a certainty); no
    trailing zero ("+0.0008 to +0.002 kg", not "+0.00080 to +0.0020").
    """
    if delta is None or not np.isfinite(float(delta)):
        return "–"
    d = float(delta)
    if d == 0:
        return "0"
    if str(kpi).endswith("_error_rel") and describe(kpi)[2] == "value":
        return f"{d:+.1e}"  # a change of round-off (the terminal's store diff); the report shows none
    has_base = baseline is not None and np.isfinite(float(baseline)) and float(baseline) != 0
    s = fmt_value(kpi, d, ref=baseline if has_base else d)
    two = _number(d, max(0, 1 - math.floor(math.log10(abs(d)))))  # two significant digits, no trailing zero
    two = two.rstrip("0").rstrip(".") if "." in two else two  # "+0.0008", not "+0.00080"
    if s.lstrip("-") == "0":
        if fmt_pct(d, baseline, kpi) in ("–", "≈ 0 %", "0 %"):
            return "≈ 0"
        s = two
    elif has_base and describe(kpi)[2] != "count" and abs(d) < 10.0 ** (1 - decimals(describe(kpi)[2], float(baseline))):
        s = two  # the baseline's rounding would leave one significant digit
    return s if s.startswith("-") else "+" + s


#: KPIs that are the change of a store over the run: their change is not relative to a level (the
#: soil year's "Change of water stored in the soil 8.26 → 8.54 m³ (+3.3 %)" made news of a change
#: near zero), so they get no change %, as a baseline of 0 gets none.
STORE_CHANGES = frozenset({"storage_change_m3"})


def has_relative_change(kpi: str) -> bool:
    """Whether a change of ``kpi`` is given as a % of its baseline: not for a temperature (a
    percentage of degrees Celsius means nothing) nor for the change of a store (:data:`STORE_CHANGES`)."""
    return not (is_temperature(kpi) or split_period(str(kpi))[1] in STORE_CHANGES)


def fmt_pct(delta, baseline, kpi: str | None = None) -> str:
    """The change as a signed percentage of the baseline, one decimal ('–' when the baseline is 0,
    or for a ``kpi`` without a relative change: :func:`has_relative_change`)."""
    if kpi is not None and not has_relative_change(kpi):
        return "–"
    if baseline is None or delta is None or not np.isfinite(float(baseline)) or float(baseline) == 0 or not np.isfinite(float(delta)):
        return "–"
    p = 100.0 * float(delta) / abs(float(baseline))
    s = f"{p:,.1f}"
    if s.lstrip("-") in ("0.0",):
        return "≈ 0 %" if p != 0 else "0 %"
    return (s if s.startswith("-") else "+" + s) + " %"


#: KPIs (base ids, after a period prefix) whose increase is good news: drawn green when they rise
#: (the 15-minute access KPIs too). Every other KPI is better lower (energy, emissions, costs, bills,
#: runoff, traffic, temperatures) but those of :data:`NEUTRAL`.
HIGHER_IS_BETTER = frozenset({"pv_yield_mwh", "infiltration_m3", "storage_change_m3", "recharge_m3", "retention_m3", "walk_share_pct",
                              "bike_share_pct", "pt_share_pct", "mode_shifted_trips", "evaporated_through_vehicles",
                              # the 3-D block's infiltration, recharge and water stored under the sealed cells (they were drawn red when they rose)
                              "block_infiltration_m3", "block_recharge_m3", "block_sealed_rain_gain_m3", "block_sealed_rain_gain_mm",
                              "block_sealed_rain_gain_grid_m3"})
#: KPIs whose change is neither good nor bad news in itself (a count of what moved, the storm, a
#: diagnostic): drawn without green or red.
NEUTRAL = frozenset({"buildings_simulated", "rerouted_car_trips", "redistributed_car_trips", "evaporated_trips", "person_trips",
                     "vehicle_km_main", "storm_mm", "rain_m3", "drainage_m3", "capillary_rise_m3", "water_balance_error_rel",
                     "et_m3", "et_mm", "transpiration_m3", "soil_evaporation_m3", "interception_evaporation_m3",
                     "potential_transpiration_m3", "soil_moisture_p10_m3_m3", "soil_moisture_p50_m3_m3", "soil_moisture_p90_m3_m3",
                     "mean_theta_top_30cm_m3_m3", "final_electricity_mwh", "unserved_trips", "block_sealed_edge_m"})


def better(kpi: str) -> int:
    """+1 when more of ``kpi`` is better (:data:`HIGHER_IS_BETTER`, the access KPIs), 0 when its
    change is neither (:data:`NEUTRAL`), -1 when less is better (the rest)."""
    base = split_period(str(kpi))[1]
    if base in NEUTRAL:
        return 0
    return 1 if base in HIGHER_IS_BETTER or _ACCESS.match(str(kpi)) else -1


def change_class(kpi: str, delta: float) -> str:
    """The CSS class of a change: ``neg`` (green, better), ``pos`` (red, worse), '' (none, or neutral)."""
    if delta is None or not np.isfinite(float(delta)) or float(delta) == 0 or better(kpi) == 0:
        return ""
    return "neg" if np.sign(float(delta)) == better(kpi) else "pos"  # green when it moves the better way


def is_share(kpi: str) -> bool:
    """Whether the KPI is a share in percent (its change is then in percentage points)."""
    return unit(kpi).startswith("%")


#: The unit of a change of a temperature (a temperature in °C, its change in K; the terminal and
#: docs/soil_heat.md say the same). K, not °C: a difference is in kelvin in SI, and "-11.9 °C"
#: beside a temperature of 51.4 °C reads as a temperature below freezing; "1 K is 1 °C of
#: difference" is said once where the change is shown (:data:`TEMPERATURE_CHANGE_NOTE`).
TEMPERATURE_CHANGE_UNIT = "K"
#: What a planner is told once, where a temperature change is shown.
TEMPERATURE_CHANGE_NOTE = "a change of a temperature is in K (kelvin): a change of 1 K is a change of 1 °C"


def is_temperature(kpi: str) -> bool:
    """Whether the KPI is a temperature (in °C; its change is in :data:`TEMPERATURE_CHANGE_UNIT`)."""
    return describe(kpi)[2] == "temp"


def change_unit(kpi: str, *, short: bool = True) -> str:
    """The unit of a change of ``kpi``: its own unit; percentage points for a share ("-21.8 %"
    of a share in % would read as a relative change; "-21.8 pts" does not); K for a temperature
    (:data:`TEMPERATURE_CHANGE_UNIT`)."""
    if is_share(kpi):
        return "pts" if short else "percentage points"
    if is_temperature(kpi):
        return TEMPERATURE_CHANGE_UNIT
    return unit(kpi)


def with_unit(text: str, u: str) -> str:
    """``'12.3 MWh/yr'`` ('–' and unitless values as they are); a '%' unit sticks to the number."""
    if text == "–" or not u:
        return text
    return f"{text} {u}"


#: The engines' notes and the scenario files' descriptions are written for a terminal, in ASCII
#: ("51.4 degC", "7,144 m2", "1 km2", "R + 3.5 m2K/W", "m3/m3", "CO2", "MWh/year", "kEUR", "+-6",
#: "11:00-16:00");
#: the report spells these units as its tables do. Each rule matches
#: a whole token in a unit context only (after a number, inside a compound unit such as
#: ``kWh/m2`` or before ``/s``), never inside an identifier (``changed_area_m2``), a file name or a
#: ``code`` span. (pattern, replacement), applied in this order; ``\\g<n>`` keeps a group,
#: ``{sup}`` is the superscript of the group ``p``.
NOTE_UNITS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"(?<![\w./-])degC(?!\w)"), "°C"),
    (re.compile(r"(?<![\w./-])CO2(?!\w)"), "CO₂"),
    # after a number, a thermal resistance: "R + 3.5 m2K/W"
    (re.compile(r"(?<![\w.,])(?P<n>\d[\d,]*(?:\.\d+)? ?)m(?P<p>2)[ ·]?K/W(?!\w)"), "\\g<n>m{sup}·K/W"),
    # after a number: "7,144 m2", "12 m3/s", "1 km2" (not "area_m2 m2": the number is no identifier's tail)
    (re.compile(r"(?<![\w.,])(?P<n>\d[\d,]*(?:\.\d+)? ?k?)m(?P<p>[23])(?!\w)(?!\.\w)"), "\\g<n>m{sup}"),
    # before a unit: "m3/s", "m3/m3"
    (re.compile(r"(?<![\w./-])m(?P<p>[23])(?=/(?:m[23²³]|s|h|d|day|yr|year)(?!\w))"), "m{sup}"),
    # after a unit: "kWh/m2", "m³/m3" (not a path: "data/m2")
    (re.compile(r"(?<![\w./-])(?P<u>(?:[kMG]?Wh|[kM]?Wp?|kg|t|mm|m[²³]|k?€)/)m(?P<p>[23])(?!\w)(?!\.\w)"), "\\g<u>m{sup}"),
    (re.compile(r"(?<![\w+-])\+-(?= ?\d)"), "±"),  # "+-6 points"
    (re.compile(r"(?<![\w./-])kEUR(?!\w)"), "k€"),
    (re.compile(r"(?<=\d )EUR(?!\w)"), "€"),
    (re.compile(r"(?<![\w./-])(?P<u>(?:[kMG]?Wh|t|mm|m[²³]|k?€)/m[²³])/year(?!\w)"), "\\g<u>·yr"),  # kWh/m²·yr
    (re.compile(r"(?<![\w./-])(?P<u>(?:[kMG]?Wh|t|mm|m[²³]|k?€))/year(?!\w)"), "\\g<u>/yr"),
    (re.compile(r"(?<![\w./-])W/m2 ?K(?!\w)"), "W/(m²·K)"),  # a U-value: "U 5.0 W/m2K"
    (re.compile(r"(?<=\d) C(?![\w'’])"), " °C"),  # a temperature written "20 C", "18-22 C" (not "class C")
    # hours of the day as the traffic periods write them ("the hour 8–9 h"): "11:00-16:00" -> "11–16 h"
    (re.compile(r"(?<![\w:.])0?(?P<a>1?\d|2[0-4]):00 ?[-–] ?0?(?P<b>1?\d|2[0-4]):00(?![\w:])"), "\\g<a>–\\g<b> h"),
    # comparisons in words: "footprint >= 1000 m2" -> "footprint from 1000 m²", "<= 1945" -> "up to 1945"
    (re.compile(r"(?<![-=<>\w])(?:>=|≥) ?(?=[+-]?\d)"), "from "),
    (re.compile(r"(?<![-=<>\w])(?:<=|≤) ?(?=[+-]?\d)"), "up to "),
    (re.compile(r"(?<![-=<>\w])> ?(?=[+-]?\d)"), "over "),
    (re.compile(r"(?<![-=<>\w])< ?(?=[+-]?\d)"), "under "),
)
_NUM = r"\d[\d,]*(?:\.\d+)?"


def _plural(m: re.Match) -> str:
    """"4 scene(s)" -> "4 scenes", "1 scene(s)" -> "1 scene": the count's own number."""
    n, w = m.group("n"), m.group("w")
    return f"{n} {w}" if n == "1" else f"{n} {w}s"


def _interval(m: re.Match) -> str:
    """``[a, b]`` as the report writes a range: "a to b" when an end carries a sign, else "a–b"."""
    a, b = m.group("a"), m.group("b")
    return f"{a} to {b}" if a[0] in "+-" or b[0] in "+-" else f"{a}–{b}"


#: The report's style of ranges, parameters and hours in the notes' prose, applied after
#: :data:`NOTE_UNITS`: a range of numbers reads "a–b" (en dash, "18–22 °C", "1971–1990"), or
#: "a to b" when an end carries a sign ("within -5 to +4 K"), never "[a, b]" nor "a-b" with a
#: hyphen; a U-value in parentheses follows a comma ("glazing, U = 5.0 W/(m²·K), but"), so that
#: parentheses never nest; TABULA's parameter id ``F_red_temp`` reads in the words of
#: docs/energy.md ("temperature reduction factor"), or goes where the words before it already
#: say it; the heating systems of the central run's note read as the priors table names them ("gas boiler condensing"
#: -> "condensing gas boiler", :data:`SYSTEM_WORDS`); a note's "5-95 %" reads "5th–95th percentile"
#: and its mode "pt" "public transport", as the tables. (pattern, replacement or function), in this order.
NOTE_STYLE: tuple[tuple[re.Pattern, object], ...] = (
    (re.compile(r" ?\(U (?P<n>" + _NUM + r") W/\(m²·K\)\)"), ", U = \\g<n> W/(m²·K)"),
    (re.compile(r"(?<=heating) \(F_red_temp\)"), ""),
    (re.compile(r"(?<![\w./-])F_red_temp(?!\w)"), "temperature reduction factor"),
    (re.compile(r"\[(?P<a>[+-]?" + _NUM + r"), (?P<b>[+-]?" + _NUM + r")\]"), _interval),
    # "18-22", "1971-1990", "0.86-1.11": not a date (2023-07-21), a standard (ISO 52016-1), a file name
    (re.compile(r"(?<![\w.,/:+-])(?<!ISO )(?<!EN )(?P<a>" + _NUM + r")-(?P<b>" + _NUM + r")(?![\w-])(?![.,]\d)"),
     "\\g<a>–\\g<b>"),
    (re.compile(r"(?<=van Genuchten) - (?=Mualem)"), "–"),
    (re.compile(r"(?<![\w.])5–95 %"), "5th–95th percentile"),  # as the tables write the bands
    (re.compile(r"(?<![\w./-])pt(?= [+-]?\d)"), "public transport"),  # the traffic note's "walk 0.38, pt 0.27"
    (re.compile(r"(?<![\w-])gas boiler condensing(?!\w)"), "condensing gas boiler"),
    (re.compile(r"(?<![\w-])electric direct(?!\w)"), "direct electric heating"),
    # a count hedged "4 scene(s)" takes its own number (the engines no longer write one: a guard for new notes)
    (re.compile(r"(?P<n>\d[\d,]*) (?P<w>[a-z][\w-]*(?: [a-z][\w-]*)?)\(s\)"), _plural),
)
_SUP = {"2": "²", "3": "³"}
_CODE = re.compile(r"(`[^`]*`|<code>.*?</code>)")


def note_units(text: str) -> str:
    """An engine's note (or a scenario's description, or a prior's text) with the report's units
    (°C, m², km², m³, m²·K/W, W/(m²·K), CO₂, k€, /yr, ±) and its comparisons in words (">= 1000"
    reads "from 1000", "<= 1945" "up to 1945"): :data:`NOTE_UNITS`, outside ``code`` spans; the
    terminal keeps the ASCII text.

    Parameters
    ----------
    text
        A note as an engine wrote it, or a description as the scenario file gives it (plain text).

    Returns
    -------
    str
        The same note, plain text, its unit tokens in the report's spelling.
    """
    def one(part: str) -> str:
        for pattern, repl in NOTE_UNITS:
            part = pattern.sub(lambda m, r=repl: m.expand(r.replace("{sup}", _SUP[m.group("p")] if "{sup}" in r else "")), part)
        for pattern, repl in NOTE_STYLE:
            part = pattern.sub(repl if callable(repl) else (lambda m, r=repl: m.expand(r)), part)
        return part

    return "".join(p if _CODE.fullmatch(p) else one(p) for p in _CODE.split(str(text)))


#: Surface cover and vegetation ids of the soil engines' notes ("bare_soil 46.6 degC") and the
#: words the report's text uses for them ("bare soil"): the covers of
#: :func:`twin.soil.deseal_heat.cover_fractions` and the vegetations of ``twin/data/soil_vegetation.csv``
#: whose id is not already a word (``lawn``, ``trees``, ``asphalt`` stay).
COVER_WORDS = {"bare_soil": "bare soil", "concrete_pavers": "concrete pavers", "permeable_paving": "permeable paving",
               "green_roof": "green roof", "infiltration_trench": "infiltration trench"}

#: Heat generators (:func:`twin.types.heating_systems.all_systems`, the ids of the priors' district
#: mix and the accounts) as the report's text names them ("gas_boiler_condensing 28 %" ->
#: "condensing gas boiler 28 %").
SYSTEM_WORDS = {"gas_boiler": "gas boiler", "gas_boiler_condensing": "condensing gas boiler", "oil_boiler": "oil boiler",
                "electric_direct": "direct electric heating", "heat_pump": "heat pump",
                "heat_pump_air_35": "air-source heat pump (35 °C flow)", "heat_pump_air_55": "air-source heat pump (55 °C flow)",
                "heat_pump_ground_35": "ground-source heat pump (35 °C flow)",
                "heat_pump_ground_55": "ground-source heat pump (55 °C flow)", "district_heating": "district heating",
                "gas_boiler_partload": "gas boiler (part-load model)",
                "gas_boiler_condensing_partload": "condensing gas boiler (part-load model)",
                "oil_boiler_partload": "oil boiler (part-load model)"}
#: Other ids with an underscore that the stock priors' texts (:func:`twin.energy.priors.describe`,
#: ``twin/data/stock_priors*.yaml``) and the Monte Carlo notes show: the glazing state of the window
#: prior, the heat pumps' real-operation factor of ``energy_factors.csv``, prior keys and entries.
PRIOR_ID_WORDS = {"double_low_e": "double low-e", "field_factor": "field factor", "keep_inferred": "kept share",
                  "row_share": "row share", "storey_height_m": "storey height", "heat_pump_cop": "heat-pump COP",
                  "pv_yield": "PV yield", "pt_headway_factor": "headway factor"}
#: "storey height (storey_height_m)" once in words: "storey height", not "storey height (storey height)"
_SAID_TWICE = re.compile(r"\b(\w+(?: \w+)?) \(\1\)")
_ID_WORDS = {**COVER_WORDS, **SYSTEM_WORDS, **PRIOR_ID_WORDS}
_WORD_ID = re.compile(r"(?<![\w./-])(" + "|".join(sorted(_ID_WORDS, key=len, reverse=True)) + r")(?!\w)(?!\.\w)")
_PERIOD_ID = re.compile(r"(?<![\w./-])(" + "|".join(PERIODS) + r")(?!\w)(?!\.\w)")


def period_words(period: str, *, in_parentheses: bool = False) -> str:
    """A traffic period id as the report's text names it, with its hour when the traffic model
    has a window for it: ``am_peak`` -> "morning peak (8–9 h)" (:data:`PERIODS`, and the hours as
    :func:`period_hours` writes them); inside parentheses the hours follow a comma ("morning
    peak, 8–9 h"), so that parentheses never nest."""
    from twin.traffic.mobility import PERIODS as WINDOWS

    words = lower_first(PERIODS[period])
    if period in WINDOWS:
        a, b = (w / 3600.0 for w in WINDOWS[period]["window_s"])
        words += f", {a:g}–{b:g} h" if in_parentheses else f" ({a:g}–{b:g} h)"
    return words


def _in_parentheses(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` lies inside an open parenthesis."""
    before = text[:at]
    return before.count("(") > before.count(")")


def note_words(text: str) -> str:
    """An engine's note with the engines' ids the report's text spells in words: traffic periods
    ("am_peak: 5,691 person trips" -> "morning peak (8–9 h): 5,691 person trips",
    :func:`period_words`), surface covers ("bare_soil 46.6" -> "bare soil 46.6",
    :data:`COVER_WORDS`), heat generators (:data:`SYSTEM_WORDS`) and the priors' glazing state
    and factor ids (:data:`PRIOR_ID_WORDS`); whole tokens outside ``code`` spans only (not ``am_peak_person_trips``,
    not a file name). The terminal keeps the ids.

    Parameters
    ----------
    text
        A note as an engine wrote it (plain text).

    Returns
    -------
    str
        The same note, plain text, with those ids in words.
    """
    def one(part: str) -> str:
        part = _PERIOD_ID.sub(lambda m: period_words(m.group(1), in_parentheses=_in_parentheses(m.string, m.start())), part)
        return _SAID_TWICE.sub(r"\1", _WORD_ID.sub(lambda m: _ID_WORDS[m.group(1)], part))

    return "".join(p if _CODE.fullmatch(p) else one(p) for p in _CODE.split(str(text)))


#: Names a note cites that are no words: file names ("twin/data/transit_osm_defaults.csv",
#: "../data_samples/x.geojson"), scenario options ("traffic.give_way") and modules
#: ("twin.traffic.osm_transit"); the report shows them as code, as the assumed box writes its files.
_NAMES = re.compile(r"((?<![\w/.-])(?:[\w.-]+/)*[\w-][\w.-]*\.(?:csv|yaml|yml|json|geojson|py|md|parquet|pbf|gpkg|zip)(?![\w/])"
                    r"|(?<![\w./-])(?:traffic|energy|soil|solar|uncertainty|inputs|twin)(?:\.[a-z][a-z0-9_]*)+(?![\w/]))")


#: A citation's year in parentheses, said as the report's other text says it ("the spreads of
#: Carsel & Parrish 1988"), so that it does not nest in the note's own parentheses.
_CITED = re.compile(r"(?<![\w])Carsel & Parrish \(1988\) spreads")


def unnest(text: str) -> str:
    """``text`` with every parenthesis inside another written in square brackets ("(a (b) c)" ->
    "(a [b] c)"), the typographers' way, so that parentheses never nest."""
    out, depth = [], 0
    for ch in text:
        if ch == "(":
            out.append("(" if depth == 0 else "[")
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            out.append(")" if depth == 0 else "]")
        else:
            out.append(ch)
    return "".join(out)


def step_words(step: str) -> str:
    """A step of the run's timings (``twin.scenario.runner``) in words: ``baseline_scene`` ->
    "building the baseline scene", ``engine:energy:baseline`` -> "energy engine, baseline",
    ``samples:traffic:paired`` -> "traffic engine, Monte Carlo samples (baseline and what-ifs
    paired)"; an unknown id is returned as it is."""
    parts = str(step).split(":")
    head, rest = parts[0], parts[1:]
    if head == "baseline_scene" and not rest:
        return "building the baseline scene"
    if head == "whatif_scene" and len(rest) == 1:
        return f"building the scene of the what-if {rest[0]}"
    if head == "stock_samples" and not rest:
        return "drawing the building stock samples"
    if head == "engine" and len(rest) == 2:
        return f"{rest[0]} engine, {rest[1]}"
    if head == "samples" and len(rest) == 2:
        which = "baseline and what-ifs paired" if rest[1] == "paired" else rest[1]
        return f"{rest[0]} engine, Monte Carlo samples ({which})"
    if head == "uncalibrated" and len(rest) == 1:
        return f"{rest[0]} engine, bands with the priors alone (no calibration)"
    return str(step)


#: A water balance that closes to within this share of the rain (0.000001 %) is said to close;
#: a larger error is given as a percentage. The solvers' errors are round-off (1e-16 to 1e-10).
BALANCE_CLOSES_REL = 1e-8


def _plain(x: float) -> str:
    """A small positive number in plain decimals, two significant digits (0.00012, not 1.2e-04)."""
    return f"{x:.{max(0, 1 - math.floor(math.log10(x)))}f}".rstrip("0").rstrip(".") if x > 0 else "0"


def balance_words(err: float) -> str:
    """A relative water-balance error against :data:`BALANCE_CLOSES_REL`, in the report's words:
    "within 0.000001 %" (whatever the round-off below it), else "0.0012 %"."""
    e = abs(float(err))
    if not np.isfinite(e):
        return "–"
    return f"within {_plain(BALANCE_CLOSES_REL * 100)} %" if e < BALANCE_CLOSES_REL else f"{_plain(e * 100)} %"


def gap_words(gap: float, target: float) -> str:
    """A traffic assignment's relative gap against its target (the scenario's ``traffic.gap``):
    "converged: relative gap below the target 0.001 %", whatever the round-off below it."""
    if not np.isfinite(gap):
        return "no relative gap"
    if gap <= target:
        return f"converged: relative gap below the target {_plain(target * 100)} %"
    return f"not converged: relative gap {_plain(gap * 100)} %, above the target {_plain(target * 100)} %"


_SCI = r"[+-]?\d(?:\.\d+)?e[+-]\d+|nan"
#: The run checks of the engines' notes in scientific notation: an assignment's relative gap
#: ("to relative gap 1.9e-16") and a water-balance error ("annual water balance error 1.2e-16 of
#: the rain", "largest balance error 9.6e-16"), said against their tolerance by :func:`note_html`.
_DIAGNOSTIC = re.compile(r"(?:to )?relative gap (?P<gap>" + _SCI + r")"
                         r"|(?P<what>(?:(?:annual|relative|largest) )?(?:water[- ])?balance error) (?P<err>" + _SCI + r")(?: of the rain)?")


def note_html(text: str, *, gap_target: float | None = None) -> str:
    """An engine's note for the report: :func:`note_units` and :func:`note_words`, then HTML-escaped;
    the file names, scenario options and modules it cites (``_NAMES``) as ``code``; a parenthesis
    inside another in square brackets (:func:`unnest`, after the cited year in words); a relative
    gap or a water-balance error in scientific notation said against its tolerance
    (:func:`gap_words` with ``gap_target``, default the scenario schema's; :func:`balance_words`),
    the exact value in the title."""
    if gap_target is None:
        from twin.scenario.schema import TrafficOptions

        gap_target = TrafficOptions().gap
    spans: list[str] = []

    def hold(m: re.Match) -> str:
        if m.group("gap") is not None:
            words = gap_words(float(m.group("gap")), gap_target)
        else:
            every = "every " if m.group("what").startswith("largest") else ""
            err = float(m.group("err"))
            words = (f"{every}water balance closes {balance_words(err)} of the rain" if abs(err) < BALANCE_CLOSES_REL
                     else f"{'largest ' if every else ''}water balance error {balance_words(err)} of the rain")
        spans.append(f"<span title='{html.escape(m.group(0), quote=True)}'>{html.escape(words)}</span>")
        return chr(0xE000) + chr(0xE100 + len(spans) - 1)

    raw = _DIAGNOSTIC.sub(hold, str(text))
    parts = _NAMES.split(unnest(_CITED.sub("spreads of Carsel & Parrish 1988", raw)))
    out = "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(note_words(note_units(p))) for i, p in enumerate(parts))
    return re.sub("\ue000([\ue100-\ue1ff])", lambda m: spans[ord(m.group(1)) - 0xE100], out)


def unchanged(row) -> bool:
    """Whether a KPI row (``baseline``, ``delta`` and optionally ``delta_p_lo``/``delta_p_hi``) did not move.

    Within :data:`UNCHANGED_RTOL` of the baseline (absolute 1e-9 when the baseline is 0), for
    the central delta and both edges of its band.
    """
    g = getattr(row, "get", None) or (lambda k, d=np.nan: getattr(row, k, d))
    base = float(g("baseline", np.nan))
    tol = UNCHANGED_RTOL * abs(base) if np.isfinite(base) and base != 0 else 1e-9
    for k in ("delta", "delta_p_lo", "delta_p_hi"):
        v = float(g(k, np.nan))
        if np.isfinite(v) and abs(v) > tol:
            return False
    return True


# -- bars -----------------------------------------------------------------------------------

BAR_W, BAR_H = 120, 16


def range_text(lo: str, hi: str, u: str) -> str:
    """Two formatted ends as the report writes a range, its unit once: "-13.0 to -7.8 K",
    "83.3 to 89.9 %" (as the summary's "range -7,814 to -5,379 t/yr")."""
    return f"{lo} to {with_unit(hi, u)}"


#: What the report says of a band whose two ends are one number: no unknown moves the KPI (the
#: sealed area: the land cover is mapped, not sampled; a baseline that invests nothing). "range
#: -0.5 to -0.5 percentage points" read as a range that was worked out and came out certain.
NO_SPREAD = "the same in every sample"


def no_spread(lo: float, hi: float) -> bool:
    """Whether a band's two ends are the same number (:data:`NO_SPREAD`)."""
    return bool(np.isfinite(lo) and np.isfinite(hi) and lo == hi)


def band_words(lo: float, hi: float, lo_text: str, hi_text: str, u: str, percentiles=(5.0, 95.0)) -> str:
    """A band in words: "5th–95th percentile: 83.3 to 89.9 %", or "-0.45 pts, the same in every
    sample" when its two ends are one number (:func:`no_spread`)."""
    if no_spread(lo, hi):
        return f"{with_unit(lo_text, u)}, {NO_SPREAD}"
    if lo_text == hi_text:  # "≈ 0 to ≈ 0 K", "3.1 to 3.1 %": two ends that round to one number
        return f"{percentiles[0]:g}th–{percentiles[1]:g}th percentile: {with_unit(lo_text, u)} at both ends, once rounded"
    return f"{percentiles[0]:g}th–{percentiles[1]:g}th percentile: {range_text(lo_text, hi_text, u)}"


def _svg(body: str, title: str, lo: float, hi: float, cls: str) -> str:
    t = html.escape(title)
    return (f"<svg class='bar {cls}' width='{BAR_W}' height='{BAR_H}' viewBox='0 0 {BAR_W} {BAR_H}' role='img' aria-label='{t}' "
            f"data-lo='{lo:.6g}' data-hi='{hi:.6g}'><title>{t}</title>{body}</svg>")


def band_bar(kpi: str, central: float, lo: float, hi: float, percentiles=(5.0, 95.0)) -> str:
    """The baseline band as a bar: the axis runs from 0 to 1.25 x the band's top (so its width
    reads as a share of the value); the grey bar is the band, the black tick the central run.
    '–' without a band."""
    if lo is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return "–"
    u = unit(kpi)
    top = max(abs(lo), abs(hi), abs(central) if np.isfinite(central) else 0.0)
    span = 1.25 * top if top > 0 else 1.0
    neg = min(lo, central if np.isfinite(central) else lo) < 0
    x0 = -span if neg else 0.0

    def x(v):
        return 4 + (BAR_W - 8) * (v - x0) / ((span - x0) or 1.0)

    a, b = x(lo), x(hi)
    body = (f"<line x1='4' y1='{BAR_H - 3}' x2='{BAR_W - 4}' y2='{BAR_H - 3}' stroke='#d0d7de'/>"
            f"<rect x='{a:.1f}' y='4' width='{max(b - a, 1.5):.1f}' height='8' rx='2' fill='#8c959f' opacity='0.75'/>")
    if np.isfinite(central):
        c = x(central)
        body += f"<line x1='{c:.1f}' y1='2' x2='{c:.1f}' y2='14' stroke='#111' stroke-width='2'/>"
    title = (f"{band_words(lo, hi, fmt_value(kpi, lo, ref=central), fmt_value(kpi, hi, ref=central), u, percentiles)}; "
             f"central run {with_unit(fmt_value(kpi, central), u)}")
    return _svg(body, title, lo, hi, "band")


def delta_bar(kpi: str, delta: float, lo: float, hi: float, baseline: float, percentiles=(5.0, 95.0)) -> str:
    """The band of the change as a bar around a zero line: green when the whole band is below
    zero, red when above, amber when it holds zero (the sign is uncertain); the black tick is the
    central run's change. '–' without a band."""
    if lo is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return "–"
    reach = max(abs(lo), abs(hi), abs(delta) if np.isfinite(delta) else 0.0)
    reach = 1.15 * reach if reach > 0 else 1.0

    def x(v):
        return BAR_W / 2 + (BAR_W / 2 - 4) * v / reach

    good, bad = ("#1a7f37", "#b42318") if better(kpi) < 0 else (("#b42318", "#1a7f37") if better(kpi) > 0 else ("#57606a", "#57606a"))
    colour = good if hi < 0 else (bad if lo > 0 else "#bf8700")  # amber: the range holds zero
    a, b = x(lo), x(hi)
    body = (f"<line x1='4' y1='{BAR_H / 2}' x2='{BAR_W - 4}' y2='{BAR_H / 2}' stroke='#eaeef2'/>"
            f"<line x1='{BAR_W / 2}' y1='1' x2='{BAR_W / 2}' y2='{BAR_H - 1}' stroke='#57606a' stroke-dasharray='2,2'/>"
            f"<rect x='{a:.1f}' y='4' width='{max(b - a, 1.5):.1f}' height='8' rx='2' fill='{colour}' opacity='0.7'/>")
    if np.isfinite(delta):
        c = x(delta)
        body += f"<line x1='{c:.1f}' y1='2' x2='{c:.1f}' y2='14' stroke='#111' stroke-width='2'/>"
    cu = change_unit(kpi)
    title = (f"change, {band_words(lo, hi, fmt_delta(kpi, lo, baseline), fmt_delta(kpi, hi, baseline), cu, percentiles)}; "
             f"central run {with_unit(fmt_delta(kpi, delta, baseline), cu)}")
    return _svg(body, title, lo, hi, "delta")


# -- the minus sign ---------------------------------------------------------------------------

#: The minus sign of the report's text (U+2212), as typography writes a negative number for
#: people ("−12.4 %"); the number formatters (:func:`fmt_delta`, :func:`fmt_pct`, the sections'
#: own) keep the hyphen-minus, which the terminal, ``kpis.csv``, the JSON outputs and the
#: ``data-*`` attributes of the page keep too (machine text).
MINUS = "\u2212"

#: A hyphen-minus that is a number's sign: before a digit (or a decimal point and a digit), not
#: after a letter, a digit, a separator, a slash or another dash or sign. "-12 %", "(-13.8 %)",
#: "range -7,814 to -5,379", "storeys -2: 5 %" are signs; a date (2023-07-21), a standard
#: (ISO 52016-1), an id (B-12, way/-5), an exponent (1.2e-16) and a range "11-16" are not.
SIGN_HYPHEN = re.compile(r"(?<![\w.,:/+\-–−])-(?=\.?\d)")

#: The parts of the page :func:`page_minus` leaves as they are: scripts, styles, code spans
#: (copyable text), and the tags but for their ``title``, ``aria-label`` and ``alt`` text.
_AS_IT_IS = re.compile(r"(<(script|style|code|pre)\b.*?</\2\s*>|<[^>]*>)", re.S | re.I)
_HUMAN_ATTR = re.compile(r"""(?<![\w-])((?:title|aria-label|alt)=)(['"])(.*?)\2""", re.S)


def minus_sign(text: str) -> str:
    """``text`` with each negative number's sign written as the minus sign (:data:`SIGN_HYPHEN`
    -> :data:`MINUS`): "-12.4 %" -> "−12.4 %"; every other hyphen stays.

    Parameters
    ----------
    text
        Human text (plain or HTML-escaped), not code.

    Returns
    -------
    str
        The same text with U+2212 for the signs.
    """
    return SIGN_HYPHEN.sub(MINUS, str(text))


def page_minus(page: str) -> str:
    """The report page with :func:`minus_sign` applied, once, to every text a person reads: the
    text between tags and the ``title``, ``aria-label`` and ``alt`` of the tags (the range bars'
    tooltips), not scripts, styles, ``code``/``pre`` spans nor other attributes (``data-*``,
    SVG geometry, ``class``, ``href``).

    Parameters
    ----------
    page
        The HTML of the report (:func:`twin.scenario.report.render_html`).

    Returns
    -------
    str
        The page, its negative numbers written with U+2212.
    """
    def tag(t: str) -> str:
        return _HUMAN_ATTR.sub(lambda m: m.group(1) + m.group(2) + minus_sign(m.group(3)) + m.group(2), t)

    parts = _AS_IT_IS.split(page)
    # split with two groups: text, whole match, inner name (or None), text, ...
    out = []
    for i in range(0, len(parts), 3):
        out.append(minus_sign(parts[i]))
        if i + 1 < len(parts):
            whole, inner = parts[i + 1], parts[i + 2]
            out.append(whole if inner else tag(whole))
    return "".join(out)
