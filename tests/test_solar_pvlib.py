"""Plane-of-array irradiation and DC yield against pvlib (the reference the issue names).

Same weather (Uccle TMYx, read with twin.ingest.epw), same transposition model (Perez 1990,
all-sites composite coefficients, Kasten-Young air mass), same albedo; pvlib computes its own
sun position (SPA) at the interval midpoints. DC: pvlib's PVWatts functions (``pvwatts_dc``,
``iam.physical``, ``temperature.sapm_cell``) with the parameters of twin's model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path

pvlib = pytest.importorskip("pvlib")

COMBOS = [(0, 180), (15, 180), (35, 180), (35, 135), (35, 225), (35, 90), (60, 270), (90, 180)]


@pytest.fixture(scope="module")
def setting():
    from twin.ingest.epw import read_epw
    from twin.solar.sky import solar_sky

    w = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    d, loc = w.data, w.location
    mid = d.index - pd.Timedelta(minutes=30)
    sp = pvlib.solarposition.get_solarposition(mid, loc.latitude_deg, loc.longitude_deg, altitude=loc.elevation_m)
    dni = np.where(sp["apparent_elevation"].to_numpy() > 0, d["dni_w_m2"].to_numpy(float), 0.0)
    return {
        "sky": solar_sky(w, albedo=0.2), "sp": sp, "dni": dni, "ghi": d["ghi_w_m2"].to_numpy(float), "dhi": d["dhi_w_m2"].to_numpy(float),
        "extra": pvlib.irradiance.get_extra_radiation(mid), "am": pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"]),
    }


def _pvlib_poa(s, tilt, az):
    poa = pvlib.irradiance.get_total_irradiance(tilt, az, s["sp"]["apparent_zenith"], s["sp"]["azimuth"], s["dni"], s["ghi"], s["dhi"],
                                                dni_extra=s["extra"], airmass=s["am"], albedo=0.2, model="perez")
    return poa.fillna(0.0)


def test_annual_poa_within_1_percent_of_pvlib_perez(setting):
    from twin.solar.pv import normal_of, orientation_yield

    ours = orientation_yield(setting["sky"], normal_of([c[0] for c in COMBOS], [c[1] for c in COMBOS])).poa_kwh_m2
    for k, (tilt, az) in enumerate(COMBOS):
        ref = _pvlib_poa(setting, tilt, az)["poa_global"].sum() / 1000.0
        assert ours[k] == pytest.approx(ref, rel=0.01), (tilt, az)


@pytest.mark.parametrize("rack", [False, True])
def test_annual_dc_within_2_percent_of_pvlib_pvwatts(setting, rack):
    from twin.solar.pv import PVParameters, normal_of, orientation_yield

    p = PVParameters()
    sapm = p.sapm_flat if rack else p.sapm_pitched
    sky = setting["sky"]
    ours = orientation_yield(sky, normal_of([c[0] for c in COMBOS], [c[1] for c in COMBOS]), p, flat_rack=[rack] * len(COMBOS)).dc_kwh_kwp
    for k, (tilt, az) in enumerate(COMBOS):
        poa = _pvlib_poa(setting, tilt, az)
        aoi = pvlib.irradiance.aoi(tilt, az, setting["sp"]["apparent_zenith"], setting["sp"]["azimuth"])
        eff = poa["poa_direct"] * pvlib.iam.physical(aoi, n=p.glass_n, K=p.glass_k_per_m, L=p.glass_l_m) + poa["poa_diffuse"]
        tc = pvlib.temperature.sapm_cell(poa["poa_global"], np.asarray(sky.t_air_c), sky.wind_m_s, *sapm)
        dc = pvlib.pvsystem.pvwatts_dc(eff, tc, 1000.0, p.gamma_pdc_per_k).clip(lower=0).sum() / 1000.0
        assert ours[k] == pytest.approx(dc, rel=0.02), (tilt, az)


def test_ac_follows_the_pvwatts_inverter(setting):
    """AC of one plane equals pvlib's PVWatts inverter fed with our hourly DC after losses."""
    from twin.solar.pv import PVParameters, normal_of, orientation_yield

    p = PVParameters()
    sky = setting["sky"]
    n = normal_of([35.0], [180.0])[0]
    comp = sky.plane_components(n)
    c = comp["cos_aoi"]
    from twin.kernels.solar_sky import _iam_physical

    iam = np.array([_iam_physical(x, p.glass_n, p.glass_k_per_m * p.glass_l_m) for x in c])
    diffuse = comp["circumsolar"] + comp["isotropic"] + comp["horizon"] + comp["ground"]
    poa = comp["beam"] + diffuse
    eff = comp["beam"] * iam + diffuse
    tc = pvlib.temperature.sapm_cell(poa, np.asarray(sky.t_air_c), sky.wind_m_s, *p.sapm_pitched)
    dc = np.clip(1000.0 * (1 - p.dc_losses) * eff / 1000 * (1 + p.gamma_pdc_per_k * (tc - 25)), 0, None)
    ac = pvlib.inverter.pvwatts(dc, 1000.0 / p.dc_ac_ratio / p.inverter_eff_nom, p.inverter_eff_nom, p.inverter_eff_ref)
    ours = orientation_yield(sky, n[None, :], p).ac_kwh_kwp[0]
    assert ours == pytest.approx(np.nansum(np.where(poa > 0, ac, 0)) / 1000.0, rel=1e-6)


def test_hourly_ac_sums_to_the_annual_chain(setting):
    """The hourly chain (for self-consumption) sums to the annual AC of the same plane; pvlib's
    inverter reproduces its hours."""
    from twin.solar.pv import PVParameters, hourly_ac_kwh, normal_of, orientation_yield

    p = PVParameters()
    sky = setting["sky"]
    hourly = hourly_ac_kwh(sky, 35.0, 200.0, 3.0, p)
    annual = orientation_yield(sky, normal_of([35.0], [200.0]), p).ac_kwh_kwp[0] * 3.0
    assert hourly.sum() == pytest.approx(annual, rel=1e-12)
    assert (hourly >= 0).all() and hourly.max() <= 3.0 / p.dc_ac_ratio + 1e-12  # clipped at the AC nameplate


def test_self_consumption_closed_forms():
    from twin.errors import InputError
    from twin.solar.pv import self_consumption

    pv = np.array([0.0, 1.0, 3.0, 2.0, 0.0])
    assert self_consumption(pv, np.full(5, 10.0))["self_consumption_share"] == 1.0
    assert self_consumption(pv, np.zeros(5))["self_consumption_share"] == 0.0
    r = self_consumption(pv, np.array([1.0, 1.0, 1.0, 1.0, 1.0]))
    assert r["self_consumed_kwh"] == 3.0 and r["injected_kwh"] == 3.0 and r["imported_kwh"] == 2.0
    assert r["self_sufficiency_share"] == pytest.approx(0.6)
    with pytest.raises(InputError):
        self_consumption(pv, np.ones(4))
    with pytest.raises(InputError):
        self_consumption(pv, -np.ones(5))
