"""Surface energy balance over soil heat conduction (kernels/surface_energy.py, twin/soil/surface_energy.py).

* the kernel against a plain-Python reference of the same scheme (random columns and forcing);
* conduction: a periodic air temperature over a half-space with a linear (Robin) surface
  exchange, against the closed-form steady periodic solution (Carslaw & Jaeger 1959, 2.6 with a
  radiation boundary condition);
* a bare, dry, sealed surface with no latent flux: the hourly balance Rn - H - LE - G closes to
  1e-9 W/m2 on the Uccle July days;
* a wet lawn is cooler at mid-day than asphalt on the Uccle July days, by less than the largest
  difference measured by Armson et al. (2012) in Manchester (24 degC);
* bad input: a cover without albedo or emissivity.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from twin.errors import InputError
from twin.kernels import surface_energy as K

REPO = Path(__file__).resolve().parents[1]
EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


# ------------------------------------------------------------------ plain-Python reference
def reference_column(z, lam, cap, albedo, emissivity, bot_temp, forcing, interval_s, n_sub, temp0):
    """The kernel's scheme written plainly: dense matrix solve per Newton iterate."""
    nn = len(z)
    vol = np.zeros(nn)
    vol[:-1] += np.diff(z) / 2
    vol[1:] += np.diff(z) / 2
    temp = np.array(temp0, dtype=float)
    temp[-1] = bot_temp
    dt = interval_s / n_sub
    rows = []
    profiles = []
    for k in range(len(forcing)):
        sw, lw, ta, ra, le, rc = forcing[k]
        kf = np.array([2 * lam[k][i] * lam[k][i + 1] / (lam[k][i] + lam[k][i + 1]) / (z[i + 1] - z[i]) for i in range(nn - 1)])
        sums = np.zeros(5)
        for _ in range(n_sub):
            old = temp.copy()
            for _it in range(50):
                ts = temp[0]
                f = (1 - albedo) * sw + emissivity * lw - emissivity * K.SIGMA * (ts + 273.15) ** 4 - rc * (ts - ta) / ra - le
                df = -4 * emissivity * K.SIGMA * (ts + 273.15) ** 3 - rc / ra
                a = np.zeros((nn - 1, nn - 1))
                b = np.zeros(nn - 1)
                for i in range(nn - 1):
                    a[i, i] = cap[k][i] * vol[i] / dt
                    b[i] = cap[k][i] * vol[i] / dt * old[i]
                    if i > 0:
                        a[i, i] += kf[i - 1]
                        a[i, i - 1] -= kf[i - 1]
                    else:
                        a[i, i] -= df
                        b[i] += f - df * ts
                    a[i, i] += kf[i]
                    if i + 1 < nn - 1:
                        a[i, i + 1] -= kf[i]
                    else:
                        b[i] += kf[i] * temp[-1]
                temp[:-1] = np.linalg.solve(a, b)
                if abs(temp[0] - ts) <= 1e-10:
                    break
            t0 = temp[0]
            rn = (1 - albedo) * sw + emissivity * lw - emissivity * K.SIGMA * (t0 + 273.15) ** 4
            h = rc * (t0 - ta) / ra
            store = float(np.sum(cap[k][:-1] * vol[:-1] * (temp[:-1] - old[:-1])))
            q_bot = kf[-1] * (temp[-2] - temp[-1])
            sums += [rn, h, le, store + q_bot * dt, t0]
        rows.append([sums[0] / n_sub, sums[1] / n_sub, sums[2] / n_sub, sums[3] / interval_s, temp[0]])
        profiles.append(temp.copy())
    return np.array(rows), np.array(profiles)


def _run_kernel(z, lam, cap, albedo, emissivity, bot_temp, forcing, interval_s, n_sub, temp0):
    col = K.SurfaceColumn(z, lam, cap, float(albedo), float(emissivity), float(bot_temp))
    temp = np.array(temp0, dtype=float)
    out = np.zeros((len(forcing), K.N_OUT))
    out_temp = np.zeros((len(forcing), len(z)))
    fails = K.surface_energy_column(col, forcing, float(interval_s), int(n_sub), 1e-10, 50, temp, out, out_temp, np.zeros((K.N_WORK, len(z))))
    return fails, out, out_temp


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kernel_matches_the_plain_python_reference(seed):
    rng = np.random.default_rng(seed)
    nn = int(rng.integers(5, 14))
    z = np.concatenate([[0.0], np.cumsum(rng.uniform(0.01, 0.1, nn - 1))])
    n_t = 6
    lam = rng.uniform(0.3, 2.0, (n_t, nn))
    cap = rng.uniform(1.0e6, 3.0e6, (n_t, nn))
    forcing = np.column_stack([
        rng.uniform(0, 900, n_t), rng.uniform(250, 420, n_t), rng.uniform(5, 35, n_t), rng.uniform(20, 300, n_t),
        rng.uniform(0, 300, n_t) * (rng.random(n_t) < 0.5), rng.uniform(1150, 1250, n_t),
    ])
    albedo, emissivity = rng.uniform(0.05, 0.4), rng.uniform(0.8, 1.0)
    temp0 = rng.uniform(5, 30, nn)
    n_sub = int(rng.integers(1, 7))
    ref, ref_prof = reference_column(z, lam, cap, albedo, emissivity, 12.0, forcing, 3600.0, n_sub, temp0)
    fails, out, out_temp = _run_kernel(z, lam, cap, albedo, emissivity, 12.0, forcing, 3600.0, n_sub, temp0)
    assert fails == 0
    for col, o in enumerate((K.O_RN, K.O_H, K.O_LE, K.O_G, K.O_T_SURF)):
        np.testing.assert_allclose(out[:, o], ref[:, col], rtol=0, atol=1e-8)
    np.testing.assert_allclose(out_temp, ref_prof, rtol=0, atol=1e-9)
    # the balance of every hour, from the kernel's own sums
    assert np.abs(out[:, K.O_RN] - out[:, K.O_H] - out[:, K.O_LE] - out[:, K.O_G]).max() < 1e-9


def test_periodic_air_temperature_over_a_half_space_matches_the_closed_form():
    """Air at ``T_m + A sin(w t)``, no radiation (emissivity 0, no sun), exchange ``h (T_a - T_0)``
    with ``h = rho c_p / r_a``: the steady periodic soil temperature is
    ``T_m + Re[B exp(-(1 + i) z / d) exp(i w t)]`` with ``d = sqrt(2 D / w)`` and
    ``B = h A / (h + lambda (1 + i) / d)`` (Carslaw & Jaeger 1959, section 2.6, with a linear
    surface heat transfer). Ten days of one-minute steps, 5 mm cells."""
    lam, cap, period = 1.2, 2.4e6, 86400.0
    w = 2 * math.pi / period
    d = math.sqrt(2 * lam / cap / w)
    z = np.arange(0.0, 1.5 + 1e-9, 0.005)
    step = 60.0
    n_h = int(10 * period / step)
    t_mid = (np.arange(n_h) + 0.5) * step
    amp, tm, rc, ra = 8.0, 15.0, 1200.0, 60.0
    hcoef = rc / ra
    forcing = np.zeros((n_h, K.N_FORCE))
    # the air temperature of each minute: the sine at mid-minute; the fundamental of this staircase
    # has the amplitude amp sinc(w 30 s) and no phase shift
    forcing[:, K.F_TAIR] = tm + amp * np.sin(w * t_mid)
    amp_eff = amp * math.sin(w * step / 2) / (w * step / 2)
    forcing[:, K.F_RA] = ra
    forcing[:, K.F_RHO_CP] = rc
    fails, out, prof = _run_kernel(z, np.full((n_h, len(z)), lam), np.full((n_h, len(z)), cap), 0.0, 0.0, tm, forcing, step, 1,
                                   np.full(len(z), tm))
    assert fails == 0
    b = hcoef * amp_eff / (hcoef + lam * (1 + 1j) / d)
    last = slice(n_h - int(2 * period / step), n_h)  # the last two days: the start is forgotten
    t_end = (np.arange(n_h) + 1.0) * step
    for depth in (0.0, 0.05, 0.10, 0.20):
        i = int(round(depth / 0.005))
        exact = tm + np.imag(b * np.exp(-(1 + 1j) * depth / d) * np.exp(1j * w * t_end[last]))
        err = np.abs(prof[last, i] - exact).max()
        assert err < 0.01 * abs(b), (depth, err, abs(b))
    # the surface amplitude is damped by the exchange, and with depth by exp(-z/d)
    assert 0.3 < abs(b) / amp < 0.95


@pytest.fixture(scope="module")
def uccle_july():
    from twin.ingest.epw import read_epw
    from twin.soil.surface_energy import read_surface_covers, run_surface_energy

    weather = read_epw(EPW)
    covers = read_surface_covers()
    jul = int(np.flatnonzero(weather.data.index.month == 7)[0])
    runs = {name: run_surface_energy(weather, covers[name], start_row=jul, n_hours=31 * 24) for name in ("asphalt", "lawn")}
    return weather, runs


def test_dry_sealed_surface_closes_its_energy_balance_each_hour(uccle_july):
    _, runs = uccle_july
    r = runs["asphalt"]
    assert r.cover.sealed and np.all(r.latent_w_m2 == 0.0)
    assert r.newton_failures == 0
    assert np.abs(r.closure_w_m2).max() < 1e-9
    # the terms are not trivially zero: a sunny July afternoon
    assert r.net_radiation_w_m2.max() > 300 and r.ground_w_m2.max() > 100 and r.sensible_w_m2.max() > 100


def test_a_wet_lawn_is_cooler_than_asphalt_at_mid_day_in_july(uccle_july):
    """Armson, Stringer & Ennos (2012): in Manchester summers, grass lowered the maximum surface
    temperature of concrete and asphalt by up to 24 degC. Our July days at Uccle: the lawn is
    cooler every mid-day (11-16 h), by a mean daily maximum difference within (2, 24] degC."""
    _, runs = uccle_july
    lawn, asphalt = runs["lawn"], runs["asphalt"]
    assert lawn.latent_w_m2.mean() > 30.0  # the lawn evaporates (W/m2 over the month)
    hours = lawn.index.hour
    mid = (hours >= 11) & (hours <= 16)
    diff = (asphalt.t_surface_mean_c - lawn.t_surface_mean_c)[mid].reshape(31, -1)
    assert np.all(diff.mean(axis=1) > 0)
    daily_max = diff.max(axis=1)
    assert 2.0 < daily_max.mean() <= 24.0
    assert daily_max.max() <= 24.0
    assert np.abs(lawn.closure_w_m2).max() < 1e-9


def test_a_cover_without_albedo_or_emissivity_is_one_clear_error(tmp_path):
    from twin.soil.surface_energy import read_surface_covers

    text = (REPO / "twin" / "data" / "soil_surface_covers.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    head, rows = lines[0], lines[1:]
    for field, col in (("albedo", 1), ("emissivity", 2)):
        bad = rows[0].split(",")
        bad[col] = ""
        path = tmp_path / f"no_{field}.csv"
        path.write_text("\n".join([head, ",".join(bad)] + rows[1:]) + "\n", encoding="utf-8")
        with pytest.raises(InputError) as err:
            read_surface_covers(path)
        msg = str(err.value)
        assert field in msg and "asphalt" in msg and path.name in msg, msg
    bad = rows[0].split(",")
    bad[2] = "0"
    path = tmp_path / "zero_emissivity.csv"
    path.write_text("\n".join([head, ",".join(bad)]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="emissivity"):
        read_surface_covers(path)


def test_table_covers_carry_their_sources():
    from twin.soil.surface_energy import read_surface_covers

    covers = read_surface_covers()
    assert {"asphalt", "concrete_pavers", "lawn", "bare_soil"} <= set(covers)
    for c in covers.values():
        assert "Oke" in c.source or "FAO" in c.source
        assert 0 <= c.albedo < 1 and 0 < c.emissivity <= 1


def test_a_surface_without_albedo_or_emissivity_is_refused_before_running(uccle_july):
    from twin.soil.surface_energy import SurfaceCover, run_surface_energy

    weather, _ = uccle_july
    for albedo, emissivity, field in ((None, 0.9, "albedo"), (0.2, None, "emissivity"), (0.2, float("nan"), "emissivity"),
                                      (1.0, 0.9, "albedo"), (0.2, 0.0, "emissivity")):
        cover = SurfaceCover(name="terrace", albedo=albedo, emissivity=emissivity, z0_m=0.005, sealed=True)
        with pytest.raises(InputError) as err:
            run_surface_energy(weather, cover, start_row=5000, n_hours=24)
        assert err.value.field == field and "terrace" in str(err.value), str(err.value)


def test_weather_without_sky_longwave_is_one_clear_error(uccle_july):
    from twin.soil.surface_energy import read_surface_covers, run_surface_energy

    weather, _ = uccle_july

    class NoSky:
        data = weather.data.drop(columns=["horizontal_ir_w_m2"])
        location = weather.location
        source = "uccle.epw"

    with pytest.raises(InputError) as err:
        run_surface_energy(NoSky(), read_surface_covers()["asphalt"], start_row=5000, n_hours=24)
    assert err.value.field == "horizontal_ir_w_m2" and "uccle.epw" in str(err.value)
