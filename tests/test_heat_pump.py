"""Heat-pump COP and seasonal performance factor (twin.energy.heat_pump).

Outside references:
* Staffell I., Brett D., Brandon N., Hawkes A. (2012) A review of domestic heat pumps, Energy
  Environ. Sci. 5, 9291-9306: COP fits of commercial units, ASHP ``6.81 - 0.121 dT + 0.000630
  dT^2``, GSHP ``8.77 - 0.150 dT + 0.000734 dT^2`` (the table's ``eta_carnot`` is refitted here).
  The field SPF counts the brine pump and the backup heater (Fraunhofer ISE's monitoring boundary,
  BINE Themeninfo "Electrically driven heat pumps"), as the packaged ground_water row does
  (``source_pump_fraction``); the borehole source (drawdown, ``R_b``) and the pump have their own
  tests in ``tests/test_heat_pump_ground_p13g.py``.
* Fraunhofer ISE, project "WP-QS im Bestand" (77 heat pumps in existing one- to three-family
  houses in Germany, four years of measurements; press release reproduced at
  https://glasser-shk.de/?detail=12260&menu=805&typ=2): measured seasonal performance factors
  (Jahresarbeitszahlen) 2.6 to 5.4. The SPF for the Uccle climate must fall in that range.
  Means by kind (same project, werkedirekt.de, November 2025, "Wärmepumpen zeigen auch im Altbau
  hohe Effizienz"): air-to-water 3.4, ground-coupled 4.3; existing houses have emitters between
  floor heating and radiators, so each mean must lie between our 55 C and 35 C SPF.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from twin.energy import heat_pump as hp
from twin.errors import InputError, SchemaError

ROOT = Path(__file__).resolve().parents[1]
UCCLE = ROOT / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
#: Fraunhofer ISE "WP-QS im Bestand": measured SPF of 77 heat pumps, 2.6 to 5.4.
FIELD_SPF_RANGE = (2.6, 5.4)
FIELD_SPF_MEAN = {"air_water": 3.4, "ground_water": 4.3}
STAFFELL = {"air_water": (6.81, -0.121, 0.000630, np.arange(-10.0, 16.0)),
            "ground_water": (8.77, -0.150, 0.000734, np.arange(-3.0, 11.0))}


@pytest.fixture(scope="module")
def t_uccle():
    from twin.ingest.epw import read_epw

    return read_epw(UCCLE).data["dry_bulb_c"].to_numpy(dtype=float)


def test_carnot_cop_closed_form():
    # 35 C supply from 0 C air: 308.15 / 35 K; with eta 0.4 and field factor 0.85
    got = hp.carnot_cop(np.array([0.0]), 35.0, 0.4, 0.85)[0]
    assert got == pytest.approx(0.85 * 0.4 * 308.15 / 35.0, rel=1e-12)
    # lift below MIN_LIFT_K is floored
    assert hp.carnot_cop(np.array([30.0]), 35.0, 0.5)[0] == pytest.approx(0.5 * 308.15 / hp.MIN_LIFT_K)


@pytest.mark.parametrize("kind", ["air_water", "ground_water"])
def test_eta_carnot_is_the_fit_to_staffell(kind):
    """The table's eta_carnot equals the least-squares fit to Staffell et al. (2012), to 0.001."""
    a, b, c, sources = STAFFELL[kind]
    x, y = [], []
    for ts in (35.0, 45.0, 55.0):
        dt = ts - sources
        y.extend(a + b * dt + c * dt * dt)
        x.extend((ts + 273.15) / dt)
    x, y = np.array(x), np.array(y)
    eta = (x @ y) / (x @ x)
    assert hp.load_heat_pumps()[kind].eta_carnot == pytest.approx(eta, abs=1e-3)


def reference_ground_harmonic(t_out, p):
    """Plain loops: annual mean and first harmonic (cos, sin) of ``t_out``, damping depth ``d`` and ``p.ground_depth_m``."""
    n = len(t_out)
    mean = sum(t_out) / n
    a = 2.0 / n * sum(t * math.cos(2 * math.pi * h / n) for h, t in enumerate(t_out))
    b = 2.0 / n * sum(t * math.sin(2 * math.pi * h / n) for h, t in enumerate(t_out))
    d = math.sqrt(2 * p.ground_diffusivity_m2_s * 8760 * 3600 / (2 * math.pi))
    return n, mean, a, b, d, p.ground_depth_m


def _reference_cop(t_out, p, t_design):
    """Plain per-hour loop of the documented method (heating curve, source, Carnot, backup)."""
    out = []
    if p.source_model == "ground":
        n, mean, a, b, d, z = reference_ground_harmonic(t_out, p)
    for h, t in enumerate(t_out):
        sup = p.t_room_c + (t_design - p.t_room_c) * (p.t_room_c - t) / (p.t_room_c - p.t_out_design_c)
        sup = min(max(sup, p.t_supply_min_c), t_design)
        if p.source_model == "air":
            src = t
        else:
            ph = 2 * math.pi * h / n - z / d
            src = mean + math.exp(-z / d) * (a * math.cos(ph) + b * math.sin(ph)) - p.brine_offset_k
        if not math.isnan(p.t_bivalent_c) and t < p.t_bivalent_c:
            out.append(p.backup_efficiency)
        else:
            cop = p.field_factor * p.eta_carnot * (sup + 273.15) / max(sup - src, hp.MIN_LIFT_K)
            pump = 0.0 if math.isnan(p.source_pump_fraction) else p.source_pump_fraction
            out.append(1.0 / (1.0 / cop + pump))
    return np.array(out)


@pytest.mark.parametrize("kind", ["air_water", "ground_water"])
def test_vectorised_matches_loop(kind):
    rng = np.random.default_rng(3)
    h = np.arange(8760)
    t = 10.0 - 8.0 * np.cos(2 * np.pi * (h - 400) / 8760) + rng.normal(0, 4, 8760)
    p = hp.load_heat_pumps()[kind]
    for design in (35.0, 55.0):
        ref = _reference_cop(t.tolist(), p, design)
        np.testing.assert_allclose(hp.hourly_cop(t, kind, design), ref, rtol=1e-10)
    # the ground at depth: 1/e damping and lag at the damping depth, a sinusoid in, a sinusoid out
    d = math.sqrt(2 * 1e-6 * 8760 * 3600 / (2 * math.pi))
    sine = 10.0 + 5.0 * np.cos(2 * np.pi * h / 8760)
    np.testing.assert_allclose(hp.ground_temperature_c(sine, d, 1e-6),
                               10.0 + 5.0 * math.exp(-1) * np.cos(2 * np.pi * h / 8760 - 1.0), atol=1e-9)


@pytest.mark.parametrize(("kind", "design"), [
    ("air_water", 35.0), ("air_water", 55.0), ("ground_water", 55.0), ("ground_water", 35.0),
])
def test_spf_uccle_inside_field_range(t_uccle, kind, design):
    spf = hp.seasonal_performance_factor(t_uccle, kind, design)
    assert FIELD_SPF_RANGE[0] <= spf <= FIELD_SPF_RANGE[1], spf


def test_spf_is_heat_over_electricity(t_uccle):
    p = hp.load_heat_pumps()["air_water"]
    q = hp.heating_weights(t_uccle, p)
    cop = hp.hourly_cop(t_uccle, "air_water", 55.0)
    assert hp.seasonal_performance_factor(t_uccle, "air_water", 55.0) == pytest.approx(q.sum() / (q / cop).sum(), rel=1e-12)
    # monthly COPs recombine into the SPF with the monthly heat
    month = (np.arange(t_uccle.size) * 12 // t_uccle.size)
    mcop = hp.monthly_cop(t_uccle, month, "air_water", 55.0)
    heat_m = np.bincount(month, weights=q, minlength=12)
    assert heat_m.sum() / (heat_m / mcop).sum() == pytest.approx(q.sum() / (q / cop).sum(), rel=1e-12)


def test_bad_input_clear_errors(tmp_path):
    t = np.full(48, 5.0)
    with pytest.raises(InputError, match="unknown heat-pump kind 'air_air'"):
        hp.hourly_cop(t, "air_air", 35.0)
    t_nan = t.copy()
    t_nan[7] = np.nan
    with pytest.raises(InputError, match="not finite.*hour index 7"):
        hp.hourly_cop(t_nan, "air_water", 35.0)
    weak = hp.HeatPumpParams(**{**hp.load_heat_pumps()["air_water"].__dict__, "eta_carnot": 0.05})
    with pytest.raises(InputError, match="COP 0.[0-9]+ below 1 at hour index 0") as exc:
        hp.hourly_cop(t, weak, 55.0)
    assert exc.value.field == "eta_carnot"
    bad = tmp_path / "hp.csv"
    text = (ROOT / "twin" / "data" / "heat_pumps.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("air_water,air,0.355", "air_water,air,1.7"), encoding="utf-8")
    with pytest.raises(SchemaError, match="eta_carnot") as exc:
        hp.load_heat_pumps(bad)
    assert exc.value.obj == "air_water"
    with pytest.raises(InputError, match="design supply temperature"):
        hp.hourly_cop(t, "air_water", 95.0)


@pytest.mark.parametrize("kind", ["air_water", "ground_water"])
def test_field_mean_between_55_and_35_c(t_uccle, kind):
    spf55 = hp.seasonal_performance_factor(t_uccle, kind, 55.0)
    spf35 = hp.seasonal_performance_factor(t_uccle, kind, 35.0)
    assert spf55 < FIELD_SPF_MEAN[kind] < spf35, (spf55, spf35)
