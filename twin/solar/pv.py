"""PV yield of roof surfaces: usable area, module layout, kWp, DC/AC energy, cost and payback.

Model (PVWatts version 5, Dobos 2014, NREL/TP-6A20-62641, with pvlib's function names):

* plane-of-array irradiance: the Perez sky of :mod:`twin.solar.sky` on the module plane;
* angle of incidence: glass-cover transmittance relative to normal incidence (Fresnel and
  Bouguer, De Soto et al. 2006; ``pvlib.iam.physical`` with n = 1.526, K = 4 /m, L = 2 mm)
  on the beam; diffuse and ground-reflected irradiance pass unmodified (as in pvlib's
  ``ModelChain`` with ``aoi_model='physical'``);
* cell temperature: Sandia model (King et al. 2004, SAND2004-3535;
  ``pvlib.temperature.sapm_cell``), open rack glass/polymer on flat roofs (tilted racks),
  close mount glass/glass on pitched roofs;
* DC: ``pdc0 E_eff / 1000 (1 + gamma (T_c - 25))``, gamma -0.37 %/K (PVWatts standard module);
  system losses (soiling, mismatch, wiring, connections, light-induced degradation, nameplate,
  availability: PVWatts' defaults without their 3 % shading, which is computed here) 11.4 %;
* AC: PVWatts inverter (nominal efficiency 0.96, reference 0.9637), DC/AC ratio 1.2, clipping.

Shading: the yield of a surface is the unshaded yield of its module orientation times the
ratio of shaded to unshaded annual irradiation of its usable sensors (second-order effects of
shading on temperature and incidence angle are neglected).

Layout: modules (1.722 x 1.134 m, 425 Wp) in portrait on a lattice in the roof plane inside
the roof polygon shrunk by the setback (0.5 m); a module counts if its four corners lie in the
usable area and the sensor nearest to its centre receives at least the minimum irradiation
(60 % of the site's unshaded optimum). Flat roofs carry south-facing rows tilted 10 degrees at
a ground-coverage ratio of 0.6.

Cost and payback: investment per kWp (1,400 EUR/kWp, an assumption for residential systems in
Belgium in 2024), operation and maintenance 15 EUR/kWp/year; a self-consumed share (35 %,
a typical household without battery) saves the retail price (0.30 EUR/kWh), the rest earns
the injection price (0.05 EUR/kWh); simple payback = investment / net yearly saving. These
values are parameters (:class:`PVParameters`). The scenario's energy accounts value PV by the
same rule with the defaults' self-consumed share and injection price (one copy: here), the
self-consumed kWh priced at the factor table's electricity price (:func:`twin.energy.results.pv_credit_eur`); Brussels ended net
metering on 1 November 2021 (Brugel).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np


@dataclass(frozen=True)
class PVParameters:
    """Parameters of the PV model (units in names; see the module docstring for sources)."""

    module_wp: float = 425.0
    module_length_m: float = 1.722
    module_width_m: float = 1.134
    gamma_pdc_per_k: float = -0.0037
    # Sandia temperature model (a, b, deltaT): open rack glass/polymer; close mount glass/glass
    sapm_flat: tuple[float, float, float] = (-3.56, -0.075, 3.0)
    sapm_pitched: tuple[float, float, float] = (-2.98, -0.0471, 1.0)
    glass_n: float = 1.526
    glass_k_per_m: float = 4.0
    glass_l_m: float = 0.002
    inverter_eff_nom: float = 0.96
    inverter_eff_ref: float = 0.9637
    dc_ac_ratio: float = 1.2
    dc_losses: float = 0.1142
    setback_m: float = 0.5
    min_irradiation_share: float = 0.6
    flat_roof_tilt_deg: float = 10.0
    flat_roof_azimuth_deg: float = 180.0
    flat_roof_gcr: float = 0.6
    flat_max_tilt_deg: float = 5.0
    cost_eur_per_kwp: float = 1400.0
    om_eur_per_kwp_year: float = 15.0
    self_consumption_share: float = 0.35
    retail_eur_per_kwh: float = 0.30
    injection_eur_per_kwh: float = 0.05

    def check(self) -> PVParameters:
        """Raise :class:`~twin.errors.InputError` for values outside their physical range."""
        from twin.errors import InputError

        bounds = {
            "module_wp": (1.0, 2000.0), "module_length_m": (0.1, 5.0), "module_width_m": (0.1, 5.0),
            "gamma_pdc_per_k": (-0.02, 0.0), "inverter_eff_nom": (0.5, 1.0), "inverter_eff_ref": (0.5, 1.0),
            "dc_ac_ratio": (0.5, 3.0), "dc_losses": (0.0, 0.9), "setback_m": (0.0, 10.0),
            "min_irradiation_share": (0.0, 1.0), "flat_roof_tilt_deg": (0.0, 60.0), "flat_roof_azimuth_deg": (0.0, 360.0),
            "flat_roof_gcr": (0.05, 1.0), "flat_max_tilt_deg": (0.0, 30.0), "cost_eur_per_kwp": (0.0, 1e5),
            "om_eur_per_kwp_year": (0.0, 1e4), "self_consumption_share": (0.0, 1.0), "retail_eur_per_kwh": (0.0, 10.0),
            "injection_eur_per_kwh": (0.0, 10.0),
        }
        for f in fields(self):
            if f.name not in bounds:
                continue
            v = getattr(self, f.name)
            lo, hi = bounds[f.name]
            if isinstance(v, (int, float)) and not math.isfinite(v):
                raise InputError(f"not a finite number: {v!r}; give a value within [{lo:g}, {hi:g}]", field=f.name)
            if not (isinstance(v, (int, float)) and lo <= v <= hi):
                raise InputError(f"{v!r} is outside [{lo:g}, {hi:g}]", field=f.name)
        return self

    @property
    def module_area_m2(self) -> float:
        return self.module_length_m * self.module_width_m

    @property
    def kwp_per_module(self) -> float:
        return self.module_wp / 1000.0


def normal_of(tilt_deg, azimuth_deg) -> np.ndarray:
    """Unit normals (n, 3) of planes of tilt and azimuth (degrees; azimuth clockwise from north)."""
    t = np.radians(np.atleast_1d(np.asarray(tilt_deg, dtype=float)))
    a = np.radians(np.atleast_1d(np.asarray(azimuth_deg, dtype=float)))
    t, a = np.broadcast_arrays(t, a)
    return np.column_stack([np.sin(t) * np.sin(a), np.sin(t) * np.cos(a), np.cos(t)])


@dataclass(frozen=True)
class OrientationYield:
    """Annual figures of 1 kWp per orientation, unshaded: POA and effective irradiation (kWh/m2),
    DC before losses and AC after losses (kWh/kWp)."""

    poa_kwh_m2: np.ndarray
    effective_kwh_m2: np.ndarray
    dc_kwh_kwp: np.ndarray
    ac_kwh_kwp: np.ndarray


def orientation_yield(sky, normals: np.ndarray, params: PVParameters = PVParameters(), *, flat_rack: np.ndarray | None = None) -> OrientationYield:
    """Unshaded annual yield of 1 kWp for each orientation (unit normals (n, 3)).

    ``flat_rack[i]`` True uses the open-rack temperature model (modules on a flat roof).
    DC is before the system losses; AC is after them and the inverter.
    """
    from twin.kernels.solar_sky import pv_annual

    weather = _pv_weather(sky)
    normals = np.ascontiguousarray(np.asarray(normals, dtype=float).reshape(-1, 3))
    n = len(normals)
    rack = np.zeros(n, dtype=bool) if flat_rack is None else np.asarray(flat_rack, dtype=bool)
    out = {k: np.zeros(n) for k in ("poa", "eff", "dc", "ac")}
    for flag, sapm in ((True, params.sapm_flat), (False, params.sapm_pitched)):
        idx = np.flatnonzero(rack == flag)
        if not len(idx):
            continue
        res = [np.zeros(len(idx)) for _ in range(4)]
        # AC after losses: losses scale the DC fed to the inverter
        pv_annual(np.ascontiguousarray(normals[idx]), weather, _pv_system(params, sapm), *res)  # AC nameplate = pdc0 / dc_ac_ratio
        out["poa"][idx], out["eff"][idx], out["ac"][idx] = res[0], res[1], res[3]
        out["dc"][idx] = res[2] / (1.0 - params.dc_losses)
    return OrientationYield(out["poa"] / 1000.0, out["eff"] / 1000.0, out["dc"] / 1000.0, out["ac"] / 1000.0)


def _pv_weather(sky):
    """The sky's hourly arrays as the kernels' :class:`twin.kernels.solar_sky.PVWeather`."""
    from twin.kernels.solar_sky import PVWeather

    return PVWeather(sky.sun, sky.dni, sky.circ_dn, sky.iso, sky.band, sky.ground, sky.t_air_c, sky.wind_m_s)


def _pv_system(params: PVParameters, sapm) -> object:
    """The kernels' :class:`twin.kernels.solar_sky.PVSystem` of ``params`` and a Sandia (a, b, dT)
    triple, after DC losses: 1 kWp less the losses, and the AC nameplate ``pdc0 / dc_ac_ratio``
    unchanged by them."""
    from twin.kernels.solar_sky import PVSystem

    return PVSystem(float(1000.0 * (1.0 - params.dc_losses)), float(params.gamma_pdc_per_k), float(sapm[0]), float(sapm[1]),
                    float(sapm[2]), float(params.glass_n), float(params.glass_k_per_m * params.glass_l_m),
                    float(params.inverter_eff_nom), float(params.inverter_eff_ref), float(params.dc_ac_ratio * (1.0 - params.dc_losses)))


def hourly_ac_kwh(sky, tilt_deg: float, azimuth_deg: float, kwp: float, params: PVParameters = PVParameters(), *,
                  shade_ratio: float = 1.0, flat_rack: bool = False) -> np.ndarray:
    """Hourly AC energy (kWh per hour, n_h) of ``kwp`` on one plane, after losses, scaled by an
    annual shading ratio (the cadastre's ``irradiation / unshaded`` of the surface)."""
    from twin.kernels.solar_sky import pv_hourly

    sapm = params.sapm_flat if flat_rack else params.sapm_pitched
    dc = np.zeros(sky.n_hours)
    ac = np.zeros(sky.n_hours)
    pv_hourly(normal_of([tilt_deg], [azimuth_deg])[0], _pv_weather(sky), _pv_system(params, sapm), dc, ac)
    return ac / 1000.0 * float(kwp) * float(shade_ratio)


def self_consumption(pv_kwh: np.ndarray, load_kwh: np.ndarray) -> dict[str, float]:
    """Self-consumption of a PV profile against a building's electricity profile, hour by hour.

    Parameters
    ----------
    pv_kwh, load_kwh : (n_h,) energy per hour, kWh (same hours).

    Returns
    -------
    dict: ``self_consumed_kwh`` = sum of min(pv, load); ``self_consumption_share`` of the PV
    (NaN without PV); ``self_sufficiency_share`` of the load (NaN without load);
    ``injected_kwh``; ``imported_kwh``.
    """
    from twin.errors import InputError

    pv = np.asarray(pv_kwh, dtype=float)
    load = np.asarray(load_kwh, dtype=float)
    if pv.shape != load.shape:
        raise InputError(f"PV and load profiles differ in length ({pv.shape} vs {load.shape})", field="load_kwh")
    if not (np.isfinite(pv).all() and np.isfinite(load).all()) or (pv < 0).any() or (load < 0).any():
        raise InputError("PV and load profiles must be finite and not negative", field="load_kwh")
    used = np.minimum(pv, load).sum()
    total_pv, total_load = pv.sum(), load.sum()
    return {
        "self_consumed_kwh": float(used),
        "self_consumption_share": float(used / total_pv) if total_pv > 0 else float("nan"),
        "self_sufficiency_share": float(used / total_load) if total_load > 0 else float("nan"),
        "injected_kwh": float(total_pv - used),
        "imported_kwh": float(total_load - used),
    }


def site_optimum_kwh_m2(sky) -> tuple[float, float, float]:
    """Highest unshaded annual plane-of-array irradiation over tilts 0-70 and azimuths 90-270
    (5 degree steps), kWh/m2, with its tilt and azimuth."""
    t, a = np.meshgrid(np.arange(0.0, 71.0, 5.0), np.arange(90.0, 271.0, 5.0), indexing="ij")
    y = orientation_yield(sky, normal_of(t.ravel(), a.ravel()))
    k = int(np.argmax(y.poa_kwh_m2))
    return float(y.poa_kwh_m2[k]), float(t.ravel()[k]), float(a.ravel()[k])


def economics(kwp: np.ndarray, ac_kwh: np.ndarray, params: PVParameters = PVParameters()) -> dict[str, np.ndarray]:
    """Investment (EUR), net yearly saving (EUR/year) and simple payback (years; inf without saving)."""
    kwp = np.asarray(kwp, dtype=float)
    ac = np.asarray(ac_kwh, dtype=float)
    invest = kwp * params.cost_eur_per_kwp
    value = ac * (params.self_consumption_share * params.retail_eur_per_kwh + (1 - params.self_consumption_share) * params.injection_eur_per_kwh)
    saving = value - kwp * params.om_eur_per_kwp_year
    with np.errstate(divide="ignore", invalid="ignore"):
        payback = np.where(saving > 0, invest / np.where(saving > 0, saving, 1.0), np.inf)
    payback = np.where(kwp > 0, payback, np.nan)
    return {"investment_eur": invest, "saving_eur_year": saving, "payback_years": payback}
