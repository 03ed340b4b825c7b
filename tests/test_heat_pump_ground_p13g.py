"""Borehole source of the ground-source heat pump (twin.energy.borehole, source_model ``borehole``).

Outside references:
* Carslaw H.S., Jaeger J.C. (1959) Conduction of heat in solids, 2nd ed., section 10.4: the
  infinite line source, ``dT = q' / (4 pi lambda) E1(r^2 / (4 alpha t))``, and its large-time form
  ``q' / (4 pi lambda) (ln(4 alpha t / r^2) - gamma)``. ``E1`` is computed here from its power
  series (Abramowitz & Stegun 5.1.11), not with scipy.
* VDI 4640 Blatt 2 (2001): specific extraction 60 W/m (1800 h) and 50 W/m (2400 h) for normal
  solid rock and water-saturated sediment.
* Source pump counted in the SPF: 1/SPF = 1/SPF_without + f (the pump runs with the compressor,
  electric power f x heat).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.test_energy_systems import _write_hp
from tests.test_heat_pump import reference_ground_harmonic
from twin.energy import borehole as bh
from twin.energy import heat_pump as hp
from twin.errors import InputError, SchemaError

ROOT = Path(__file__).resolve().parents[1]
UCCLE = ROOT / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
GROUND = {"radius_m": 0.065, "conductivity_w_m_k": 2.0, "diffusivity_m2_s": 1e-6}
EULER_GAMMA = 0.5772156649015329


def _e1_series(x: float) -> float:
    """E1(x) = -gamma - ln x - sum_k (-x)^k / (k k!) (Abramowitz & Stegun 5.1.11), for x < 2."""
    total, term = 0.0, 1.0
    for k in range(1, 80):
        term *= -x / k
        total += term / k
    return -EULER_GAMMA - math.log(x) - total


def _g(t_s: float, radius_m=0.065, conductivity_w_m_k=2.0, diffusivity_m2_s=1e-6) -> float:
    if t_s <= 0:
        return 0.0
    return _e1_series(radius_m**2 / (4 * diffusivity_m2_s * t_s)) / (4 * math.pi * conductivity_w_m_k)


def test_line_source_is_the_exponential_integral():
    t = np.array([600.0, 3600.0, 86400.0, 30 * 86400.0, 3.15e8])
    got = bh.line_source_response_k(t, **GROUND)
    np.testing.assert_allclose(got, [_g(x) for x in t], rtol=1e-12)
    # large time: the logarithmic form of Carslaw & Jaeger (relative error ~ x = r^2/(4 alpha t) ~ 3e-6)
    ten_years = 10 * 8760 * 3600.0
    log_form = (math.log(4 * 1e-6 * ten_years / 0.065**2) - EULER_GAMMA) / (4 * math.pi * 2.0)
    assert bh.line_source_response_k(np.array([ten_years]), **GROUND)[0] == pytest.approx(log_form, rel=1e-5)
    assert bh.line_source_response_k(np.array([0.0, -5.0]), **GROUND).tolist() == [0.0, 0.0]


def test_wall_drop_matches_plain_superposition():
    """Hourly steps repeated each year: the folded convolution equals the sum over all past hours."""
    rng = np.random.default_rng(7)
    n, years = 40, 3
    q = rng.uniform(0.0, 60.0, n)
    got = bh.wall_temperature_drop_k(q, years=years, **GROUND)
    ref = []
    for h in range(n):
        end = (years - 1) * n + h + 1  # hours elapsed at the end of hour h of the last year
        ref.append(sum(q[j % n] * (_g((end - j) * 3600.0) - _g((end - j - 1) * 3600.0)) for j in range(end)))
    np.testing.assert_allclose(got, ref, rtol=1e-10)


def test_constant_extraction_and_steady_resistance():
    """Constant q' for 2 years: wall drop = q' G(t) (the steps telescope); the fluid is q' R_b below the wall."""
    n, years, q = 24, 2, 35.0
    drop = bh.wall_temperature_drop_k(np.full(n, q), years=years, **GROUND)
    assert drop[-1] == pytest.approx(q * _g(years * n * 3600.0), rel=1e-10)
    t_ground = np.full(n, 11.0)
    kw = {**GROUND, "years": years}
    with_rb = bh.mean_fluid_temperature_c(t_ground, np.full(n, q), np.full(n, 50.0), resistance_m_k_w=0.1, **kw)
    without = bh.mean_fluid_temperature_c(t_ground, np.full(n, q), np.full(n, 50.0), resistance_m_k_w=0.0, **kw)
    np.testing.assert_allclose(without - with_rb, 50.0 * 0.1, rtol=1e-12)
    np.testing.assert_allclose(without, 11.0 - drop, rtol=1e-12)


def _borehole():
    """The packaged ground_water row with its documented borehole as the source."""
    return replace(hp.load_heat_pumps()["ground_water"], source_model="borehole")


def _reference_borehole_cop(t_out, p, t_design):
    """Plain loops of the documented borehole method (ground harmonic, VDI sizing at B0, fixed point)."""
    n, mean, a, b, d, z = reference_ground_harmonic(t_out, p)
    ground = [mean + math.exp(-z / d) * (a * math.cos(2 * math.pi * h / n - z / d) + b * math.sin(2 * math.pi * h / n - z / d))
              for h in range(n)]
    sup = [min(max(p.t_room_c + (t_design - p.t_room_c) * (p.t_room_c - t) / (p.t_room_c - p.t_out_design_c),
                   p.t_supply_min_c), t_design) for t in t_out]
    load = [max(p.t_heating_limit_c - t, 0.0) / (p.t_heating_limit_c - p.t_out_design_c) for t in t_out]
    hours = sum(load)
    frac = min(max((hours - 1800.0) / 600.0, 0.0), 1.0)
    q_design = p.borehole_extraction_1800h_w_m + frac * (p.borehole_extraction_2400h_w_m - p.borehole_extraction_1800h_w_m)

    def cop(src, s):
        return p.field_factor * p.eta_carnot * (s + 273.15) / max(s - src, hp.MIN_LIFT_K)

    per_evap = q_design / (1.0 - 1.0 / cop(0.0, t_design))
    kw = {"radius_m": p.borehole_radius_m, "conductivity_w_m_k": p.ground_conductivity_w_m_k,
          "diffusivity_m2_s": p.ground_diffusivity_m2_s}
    years = int(p.borehole_years)
    src = list(ground)
    for _ in range(200):
        evap = [1.0 - 1.0 / cop(src[h], sup[h]) for h in range(n)]
        q_mean = [per_evap * load[h] * evap[h] for h in range(n)]
        q_run = [per_evap * (max(load[h], 1.0) if load[h] > 0 else 0.0) * evap[h] for h in range(n)]
        new = []
        for h in range(n):
            end = (years - 1) * n + h + 1
            drop = sum(q_mean[j % n] * (_g((end - j) * 3600.0, **kw) - _g((end - j - 1) * 3600.0, **kw)) for j in range(end))
            new.append(ground[h] - drop - q_run[h] * p.borehole_resistance_m_k_w)
        done = max(abs(x - y) for x, y in zip(new, src)) < 1e-11
        src = new
        if done:
            break
    return np.array([1.0 / (1.0 / cop(src[h], sup[h]) + p.source_pump_fraction) for h in range(n)])


def test_borehole_cop_matches_plain_loop():
    """A 48-hour 'year' (the series is one period) of cold and mild hours, 2 years of operation."""
    rng = np.random.default_rng(11)
    h = np.arange(48)
    t = 2.0 - 6.0 * np.cos(2 * np.pi * h / 48) + rng.normal(0, 3, 48)
    p = replace(_borehole(), borehole_years=2)
    for design in (35.0, 55.0):
        np.testing.assert_allclose(hp.hourly_cop(t, p, design), _reference_borehole_cop(t.tolist(), p, design), rtol=1e-9)


def test_vdi_extraction_interpolated_on_full_load_hours():
    p = _borehole()
    assert [hp.borehole_design_extraction_w_m(x, p) for x in (1500.0, 1800.0, 2100.0, 2400.0, 3000.0)] == \
        pytest.approx([60.0, 60.0, 55.0, 50.0, 50.0], rel=1e-12)


@pytest.fixture(scope="module")
def t_uccle():
    from twin.ingest.epw import read_epw

    return read_epw(UCCLE).data["dry_bulb_c"].to_numpy(dtype=float)


@pytest.mark.parametrize("source_model", ["ground", "borehole"])
def test_source_pump_adds_its_fraction_of_the_heat(t_uccle, source_model):
    p = replace(hp.load_heat_pumps()["ground_water"], source_model=source_model)
    assert p.source_pump_fraction == 0.015
    for design in (35.0, 55.0):
        with_pump = hp.seasonal_performance_factor(t_uccle, p, design)
        without = hp.seasonal_performance_factor(t_uccle, replace(p, source_pump_fraction=0.0), design)
        assert 1.0 / with_pump == pytest.approx(1.0 / without + 0.015, rel=1e-12)


def test_brine_colder_with_drawdown_and_more_years(t_uccle):
    """The brine is below the undisturbed ground in every heating hour, and colder after more years."""
    p = _borehole()
    ground = hp.ground_temperature_c(t_uccle, p.ground_depth_m, p.ground_diffusivity_m2_s)
    heating = hp.heating_weights(t_uccle, p) > 0
    one = hp.borehole_source_temperature_c(t_uccle, replace(p, borehole_years=1), 35.0)
    ten = hp.borehole_source_temperature_c(t_uccle, p, 35.0)
    assert (one[heating] < ground[heating]).all() and (ten < one).all()


@pytest.mark.parametrize(("changes", "field"), [
    ({"source_pump_fraction": "-0.01"}, "source_pump_fraction"),
    ({"source_model": "borehole", "ground_conductivity_w_m_k": "0"}, "ground_conductivity_w_m_k"),
    ({"source_model": "borehole", "borehole_radius_m": ""}, "borehole_radius_m"),
    ({"source_model": "borehole", "borehole_resistance_m_k_w": "-0.1"}, "borehole_resistance_m_k_w"),
    ({"source_model": "borehole", "borehole_extraction_2400h_w_m": "0"}, "borehole_extraction_2400h_w_m"),
    ({"source_model": "borehole", "borehole_years": "2.5"}, "borehole_years"),
])
def test_bad_borehole_parameters_clear_errors(tmp_path, changes, field):
    path = _write_hp(tmp_path, row_kind="ground_water", **changes)
    for load in (hp.load_heat_pumps, hp.load_user_heat_pumps):
        with pytest.raises(SchemaError) as err:
            load(path)
        assert err.value.field == field and str(path) in str(err.value) and "ground_water" in str(err.value)


def test_borehole_functions_refuse_bad_ground():
    with pytest.raises(SchemaError, match="ground_conductivity_w_m_k = 0.0"):
        bh.line_source_response_k(np.array([3600.0]), 0.065, 0.0, 1e-6)
    with pytest.raises(SchemaError, match="borehole_years = 0"):
        bh.wall_temperature_drop_k(np.ones(24), years=0, **GROUND)
    with pytest.raises(SchemaError, match="borehole_resistance_m_k_w"):
        bh.mean_fluid_temperature_c(np.zeros(24), np.ones(24), np.ones(24), years=1, resistance_m_k_w=-1.0, **GROUND)
    with pytest.raises(InputError, match="design supply temperature"):
        hp.source_temperature_c(np.zeros(24), _borehole())


def test_older_table_without_the_new_columns_still_loads(tmp_path):
    """A user table of the former format (constant brine offset, no borehole or pump columns)."""
    cols = ("source_pump_fraction", "ground_conductivity_w_m_k", "borehole_radius_m", "borehole_resistance_m_k_w",
            "borehole_extraction_1800h_w_m", "borehole_extraction_2400h_w_m", "borehole_years")
    path = _write_hp(tmp_path, row_kind="ground_water", **dict.fromkeys(cols))
    p = hp.load_user_heat_pumps(path)["ground_water"]
    assert p.source_model == "ground" and math.isnan(p.source_pump_fraction)
    t = np.linspace(-5.0, 15.0, 8760)
    q = hp.heating_weights(t, p)
    src = hp.ground_temperature_c(t, p.ground_depth_m, p.ground_diffusivity_m2_s) - 5.0
    cop = p.field_factor * p.eta_carnot * (hp.supply_temperature_c(t, 35.0, p) + 273.15) / np.maximum(
        hp.supply_temperature_c(t, 35.0, p) - src, hp.MIN_LIFT_K)
    assert hp.seasonal_performance_factor(t, p, 35.0) == pytest.approx(q.sum() / (q / cop).sum(), rel=1e-12)
