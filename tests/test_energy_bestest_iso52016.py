"""ASHRAE Standard 140 (BESTEST) with the finer zone model (twin/energy/iso52016.py), Denver TMY3.

Every case 600, 610, 620, 630, 640, 650, 900, 910, 920, 930, 940, 950 and the free-float
cases 600FF, 650FF, 900FF, 950FF from its spec (tests/energy_data/bestest_*.yaml, written from
the public case descriptions); each quantity asserted INSIDE the range of the ASHRAE 140-2020
example programs (no widened band). The ranges (min, max of the example programs) are those
encoded in lbl-srg/modelica-buildings, Buildings/ThermalZones/Detailed/Validation/BESTEST/
Cases6xx/*.mo and Cases9xx/*.mo (``staRes``: annualHea, annualCoo, peakHea, peakCoo, minT, maxT,
meanT; commit c4117ccec1f288ee6bc7f0ee0cb40a45d6940b0c, 2026-07-22; the limits were added on
12 May 2023, issue 3396, "for 140-2020").

A quantity that stays outside after honest modelling keeps its assertion and is marked
``xfail(strict=True)`` with the measured value and the range (docs/energy_iso52016.md explains
the gap). Print the full table with ``python -m tests.test_energy_bestest_iso52016``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bestest_ranges_mbl import RANGES as MBL_RANGES
from tests.conftest import shared_path

DATA = Path(__file__).parent / "energy_data"
DENVER = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")

# (case, quantity): (min, max) of the 140-2020 example programs (MBL staRes, tests/bestest_ranges_mbl.py),
# plus the peak heating of the no-heating cases 650 and 950 (0-0: heating is off)
RANGES: dict[tuple[str, str], tuple[float, float]] = {
    **MBL_RANGES,
    ("650", "peak_heating_kw"): (0.0, 0.0),
    ("950", "peak_heating_kw"): (0.0, 0.0),
}
CASES = sorted({c for c, _ in RANGES}, key=lambda c: (c[0], "ff" in c, c))

# The double glazing of every case is a spec key (``windows.K.glazing_gap``, read by the stock path's
# network builder) and so are its optics (``g``, ``pane_extinction_kl``): the ASHRAE 140-2020 pane set
# (ref /work/shared/reference/bestest_cases.md section 6: GSR-2020 bestest_resources.osm; MBL
# Data/Glass600.mo since 12 May 2022): two clear panes 3.048 mm, solar transmittance 0.834, reflectance
# 0.075, k 1.0 W/(m K), IR emissivity 0.84, 12 mm air gap; SHGC 0.762 of the pair
# (scripts/bestest_glazing_2020.py). The gap conductance follows the pane temperatures hour by hour
# (ISO 15099, as the programs' window models do). The window's transmitted solar is checked against the
# programs' own solar outputs in tests/test_energy_bestest_solar_p13g.py. The exterior surfaces are the
# specs' simulation.exterior_convection: doe2 (the GSR-2020 EnergyPlus inputs: outside DOE-2, site terrain
# Country, Rough materials): hourly wind-dependent links to the outdoor air.


# Quantities outside the range with the model as documented (measured value, 2026-12-04, interior
# convection "tarp", hourly DOE-2 exterior surfaces with the GSR-2020 inputs' country terrain and rough
# surfaces, glazing gap from the pane temperatures, the 140-2020 pane, infiltration and night fan at the
# Standard's site density 1.0156 kg/m3, fan 1700 m3/h of site air). docs/energy_iso52016.md,
# "Validation": the 640 setback-recovery peak 1.4 % above (the hourly step), the night-ventilated 950
# cooling 1.3 % and peak cooling 3.6 % above, the 950FF maximum 0.04 K above.
OUTSIDE: dict[tuple[str, str], str] = {
    ("640", "peak_heating_kw"): "4.723 kW",
    ("950", "cooling_mwh"): "0.716 MWh",
    ("950", "peak_cooling_kw"): "2.473 kW",
    ("950ff", "t_air_max_c"): "37.138 degC",
}


def _params():
    out = []
    for (case, quantity), (lo, hi) in RANGES.items():
        marks = []
        if (case, quantity) in OUTSIDE:
            marks.append(pytest.mark.xfail(strict=True, reason=f"{OUTSIDE[(case, quantity)]} outside {lo:g}..{hi:g}"))
        out.append(pytest.param(case, quantity, marks=marks, id=f"{case}-{quantity}"))
    return out


def simulate_cases(weather) -> dict[str, dict]:
    """Every case of :data:`RANGES` through the finer model (spec -> network -> kernel)."""
    from twin.energy.iso52016 import load_spec_iso52016, simulate_spec_iso52016

    out = {}
    for case in CASES:
        spec = load_spec_iso52016(DATA / f"bestest_{case}.yaml")
        out[case] = simulate_spec_iso52016(spec, weather)
    return out


@pytest.fixture(scope="module")
def results():
    from twin.ingest.epw import read_epw

    return simulate_cases(read_epw(shared_path(*DENVER)))


@pytest.mark.parametrize("case,quantity", _params())
def test_bestest_inside_program_range(results, case, quantity):
    lo, hi = RANGES[(case, quantity)]
    value = results[case][quantity]
    assert lo <= value <= hi, f"case {case} {quantity} = {value:.3f}, range {lo}..{hi}"


def test_bestest_physics_ordering(results):
    """Properties that hold whatever the ranges: mass, shading, setback and night ventilation act the right way."""
    r = results
    assert r["900"]["heating_mwh"] < r["600"]["heating_mwh"] and r["900"]["cooling_mwh"] < r["600"]["cooling_mwh"]
    assert r["610"]["cooling_mwh"] < r["600"]["cooling_mwh"] and r["910"]["cooling_mwh"] < r["900"]["cooling_mwh"]  # overhang
    assert r["610"]["heating_mwh"] > r["600"]["heating_mwh"]  # and costs some winter sun
    assert r["630"]["cooling_mwh"] < r["620"]["cooling_mwh"] and r["930"]["cooling_mwh"] < r["920"]["cooling_mwh"]
    assert r["640"]["heating_mwh"] < r["600"]["heating_mwh"] and r["640"]["peak_heating_kw"] > r["600"]["peak_heating_kw"]
    assert r["950"]["cooling_mwh"] < r["900"]["cooling_mwh"]  # night ventilation with mass
    assert r["650ff"]["t_air_mean_c"] < r["600ff"]["t_air_mean_c"] and r["950ff"]["t_air_max_c"] < r["900ff"]["t_air_max_c"]
    for case in ("600ff", "650ff", "900ff", "950ff", "650", "950"):
        assert r[case]["heating_mwh"] == 0.0
    assert r["600"]["t_air_min_c"] == pytest.approx(20.0, abs=1e-9) and r["600"]["t_air_max_c"] == pytest.approx(27.0, abs=1e-9)


def table(results: dict[str, dict]) -> str:
    """Markdown table: case, quantity, value, range, inside."""
    rows = ["| case | quantity | finer model | range (140-2020 programs) | inside |", "|---|---|---|---|---|"]
    for (case, quantity), (lo, hi) in RANGES.items():
        v = results[case][quantity]
        fmt = "{:.2f}" if "t_air" in quantity else "{:.3f}"
        inside = lo <= v <= hi
        rows.append(f"| {case.upper()} | {quantity} | {fmt.format(v)} | {fmt.format(lo)}..{fmt.format(hi)} | {'yes' if inside else 'no'} |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover - prints the validation table of docs/energy_iso52016.md
    from tests.conftest import SHARED_DATA
    from twin.ingest.epw import read_epw

    res = simulate_cases(read_epw(SHARED_DATA.joinpath(*DENVER)))
    print(table(res))
    for a, b in (("610", "600"), ("620", "600"), ("640", "600"), ("900", "600"), ("910", "900"), ("940", "900")):
        print(a, "-", b, {q: round(res[a][q] - res[b][q], 3) for q in ("heating_mwh", "cooling_mwh", "peak_heating_kw", "peak_cooling_kw")})
