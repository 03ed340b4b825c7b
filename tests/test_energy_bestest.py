"""ASHRAE Standard 140 (BESTEST) cases 600-650, 900-950 and the free-float cases, Denver TMY3.

Every case spec present in ``tests/energy_data/bestest_*.yaml`` (written from the public case
descriptions, ``/work/shared/reference/bestest_cases.md`` and the 140-2020 encodings named in
each file) runs through two paths, which must agree to 1e-9:

* ``spec``: :func:`twin.energy.spec.simulate_spec`, a one-building stock;
* ``stock``: all cases stacked into ONE stock (:func:`twin.energy.spec.spec_stock`: shared
  irradiance rows, gain / setpoint / ventilation profiles by index, per-building film
  correction and scheduled ventilation) and simulated by the stock's
  :func:`twin.energy.simulate.simulate_stock` in one call, as ``twin run`` simulates a city.

Each quantity that has a range of the ASHRAE 140-2020 example programs
(``tests/bestest_ranges_mbl.py``: annual heating and cooling, peak heating and cooling,
free-float minimum / maximum / mean air temperature) is asserted INSIDE that range, on both
paths. Where the ISO 13790 5R1C model stays outside after honest modelling, the parameter is
marked ``xfail(strict=True)`` with the value and the range (``docs/energy.md``, "Validation"):
the heating of every heated case is above the range (the single mass node), so are the
heating peaks; those marks turn into failures the day the model gets inside.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bestest_ranges_mbl import RANGES, UNITS

DATA = Path(__file__).parent / "energy_data"
CASES = sorted({case for case, _ in RANGES})
QUANTITIES = tuple(UNITS)

#: (case, quantity) outside the example programs' range with the 5R1C model: value and range.
OUTSIDE = {
    ("600", "heating_mwh"): "4.916 MWh above 3.993-4.504",
    ("600", "peak_heating_kw"): "3.455 kW above 3.020-3.359",
    ("600ff", "t_air_mean_c"): "24.065 degC below 24.3-26.1",
    ("610", "heating_mwh"): "4.995 MWh above 4.066-4.592",
    ("610", "peak_heating_kw"): "3.455 kW above 3.021-3.360",
    ("620", "heating_mwh"): "5.072 MWh above 4.094-4.719",
    ("620", "peak_heating_kw"): "3.457 kW above 3.038-3.385",
    ("630", "heating_mwh"): "5.524 MWh above 4.356-5.139",
    ("630", "cooling_mwh"): "2.538 MWh below 2.573-3.074",
    ("630", "peak_heating_kw"): "3.458 kW above 3.039-3.388",
    ("640", "heating_mwh"): "3.284 MWh above 2.403-2.682 (massless air node recovers the setback in one hour)",
    ("640", "peak_heating_kw"): "5.572 kW above 4.039-4.658 (setback recovery in one hour)",
    ("900", "heating_mwh"): "2.098 MWh above 1.379-1.814",
    ("900", "cooling_mwh"): "2.214 MWh below 2.267-2.714",
    ("900", "peak_heating_kw"): "2.921 kW above 2.443-2.778",
    ("900ff", "t_air_min_c"): "-0.313 degC below 0.6-2.2",
    ("900ff", "t_air_max_c"): "42.514 degC below 43.3-46.0",
    ("900ff", "t_air_mean_c"): "24.083 degC below 24.5-25.7",
    ("910", "heating_mwh"): "2.441 MWh above 1.648-2.163",
    ("910", "peak_heating_kw"): "2.936 kW above 2.469-2.799",
    ("920", "heating_mwh"): "3.943 MWh above 2.956-3.607",
    ("920", "peak_heating_kw"): "2.982 kW above 2.512-2.895",
    ("930", "heating_mwh"): "4.805 MWh above 3.524-4.384",
    ("930", "peak_heating_kw"): "3.016 kW above 2.537-2.968",
    ("940", "heating_mwh"): "1.555 MWh above 0.863-1.389",
    ("940", "cooling_mwh"): "2.171 MWh below 2.203-2.613",
    ("940", "peak_heating_kw"): "4.503 kW above 3.052-3.882 (setback recovery in one hour)",
    ("950", "cooling_mwh"): "0.525 MWh below 0.586-0.707 (night fan 1700 m3/h of site air, 0.480 kg/s)",
    ("950ff", "t_air_max_c"): "35.158 degC below 36.1-37.1",
    ("950ff", "t_air_mean_c"): "14.210 degC below 14.4-15.0",
}


@pytest.fixture(scope="module")
def specs():
    from twin.energy.spec import load_spec

    return {case: load_spec(DATA / f"bestest_{case}.yaml") for case in CASES}


@pytest.fixture(scope="module")
def by_path(denver, specs):
    """{"spec": {case: summary}, "stock": {case: summary}}."""
    from twin.energy.spec import simulate_spec, simulate_specs

    stock = simulate_specs(list(specs.values()), denver)
    return {
        "spec": {case: simulate_spec(spec, denver) for case, spec in specs.items()},
        "stock": dict(zip(specs, stock)),
    }


def _params():
    for path in ("spec", "stock"):
        for (case, quantity), (lo, hi) in RANGES.items():
            marks = ()
            if (case, quantity) in OUTSIDE:
                marks = pytest.mark.xfail(strict=True, reason=f"5R1C: case {case} {quantity} {OUTSIDE[(case, quantity)]}")
            yield pytest.param(path, case, quantity, lo, hi, marks=marks, id=f"{path}-{case}-{quantity}")


@pytest.mark.parametrize("path,case,quantity,lo,hi", list(_params()))
def test_bestest_inside_example_program_range(by_path, path, case, quantity, lo, hi):
    value = by_path[path][case][quantity]
    unit = UNITS[quantity]
    assert lo <= value <= hi, f"case {case} {quantity} = {value:.3f} {unit}, range {lo:.3f}-{hi:.3f} {unit} ({path} path)"


def test_stock_of_all_cases_equals_each_one_building_stock_to_1e9(by_path, specs):
    """One stock of every case (one kernel call) gives each case's spec results to 1e-9, every quantity."""
    assert len(specs) >= 16
    worst = 0.0
    for case in specs:
        a, b = by_path["spec"][case], by_path["stock"][case]
        for q in QUANTITIES:
            assert b[q] == pytest.approx(a[q], rel=1e-9, abs=1e-12), f"case {case} {q}: spec {a[q]!r}, stock {b[q]!r}"
            if a[q]:
                worst = max(worst, abs(b[q] - a[q]) / abs(a[q]))
        assert a["peak_heating_time"] == b["peak_heating_time"] and a["peak_cooling_time"] == b["peak_cooling_time"]
    assert worst <= 1e-9


def test_stock_carries_the_spec_physics_as_building_inputs(denver, specs):
    """The film correction and the night fan are per-building inputs of the stock (not options of the call)."""
    from twin.energy.spec import spec_stock

    inputs, drivers, warmup, _ = spec_stock(list(specs.values()), denver)
    ids = list(inputs.building_id)
    assert warmup == 720 and not inputs.film_correction.any()  # every BESTEST spec: plain ISO 13790 network
    fan = {case for case, i in zip(specs, range(len(ids))) if inputs.h_ve_sched_w_k[i] > 0}
    assert fan == {"650", "650ff", "950", "950ff"}
    # the four fans share one night profile (stored once): 18:00-07:00 (value k is the hour k:00-k+1:00)
    rows = {int(inputs.ve_profile[ids.index(specs[c].name)]) for c in fan}
    assert len(rows) == 1
    day = drivers.ve_schedule[rows.pop(), :24]
    assert list(day > 0) == [True] * 7 + [False] * 11 + [True] * 6


def test_bestest_physics_ordering(by_path):
    """Heavy mass lowers both loads and narrows the free-float swing (a property, not a fitted number)."""
    r = by_path["spec"]
    r600, r900, ff600, ff900 = r["600"], r["900"], r["600ff"], r["900ff"]
    assert r900["heating_mwh"] < r600["heating_mwh"] and r900["cooling_mwh"] < r600["cooling_mwh"]
    assert ff900["t_air_max_c"] < ff600["t_air_max_c"] and ff900["t_air_min_c"] > ff600["t_air_min_c"]
    assert ff600["heating_mwh"] == 0 and ff600["cooling_mwh"] == 0
    # the overhang (610) and the east/west glazing (620) cut cooling; the setback (640) cuts heating
    assert r["610"]["cooling_mwh"] < r600["cooling_mwh"] and r["620"]["cooling_mwh"] < r600["cooling_mwh"]
    assert r["640"]["heating_mwh"] < r600["heating_mwh"]
    # the night fan lowers the free-float mean temperature
    assert r["650ff"]["t_air_mean_c"] < ff600["t_air_mean_c"] and r["950ff"]["t_air_mean_c"] < ff900["t_air_mean_c"]
    # controlled cases hold their setpoints exactly (ideal unlimited heating/cooling)
    assert r600["t_air_min_c"] == pytest.approx(20.0, abs=1e-9) and r600["t_air_max_c"] == pytest.approx(27.0, abs=1e-9)


def test_bestest_derived_constants_match_case_description(by_path):
    """U-values and areas derived from the layers equal the values in the case description."""
    m = by_path["spec"]["600"]["model"]
    walls = {s["name"]: s for s in m["surfaces"]}
    # bestest_cases.md §3.1: surface-to-surface R 1.789 (wall), 2.993 (roof), 25.254 (floor)
    assert walls["north"]["u_w_m2k"] == pytest.approx(1 / (1.789 + 1 / 8.29 + 1 / 29.3), rel=2e-3)
    assert walls["roof"]["u_w_m2k"] == pytest.approx(1 / (2.993 + 1 / 8.29 + 1 / 29.3), rel=2e-3)
    assert walls["south"]["area_m2"] == pytest.approx(9.6)  # §2: net opaque south wall
    assert m["a_f_m2"] == 48.0 and m["volume_m3"] == pytest.approx(129.6)
    assert m["h_tr_w_w_k"] == pytest.approx(36.0)
    # the zone air is part of C_m: rho c_p V with the spec's air density (the Standard's 1.0156 kg/m3)
    assert m["c_air_j_k"] == pytest.approx(m["air_density_kg_m3"] * 1006.0 * 129.6)
    # heavyweight 900: concrete layers make the mass about seven times larger
    assert by_path["spec"]["900"]["model"]["c_m_j_k"] > 6 * m["c_m_j_k"]
