"""Kernel-ready inputs of the building-stock energy model (ISO 13790 hourly 5R1C).

Two containers, both plain NumPy arrays with SI units in the names:

* :class:`StockInputs`: per-building constants, arrays of shape ``(n_b,)`` (float64 unless
  stated), plus the solar coefficients ``sol_coeff_m2`` of shape ``(n_b, n_groups)``.
* :class:`Drivers`: what all buildings share, hourly: outdoor temperature, irradiance per
  *surface group*, gain schedules and setpoint schedules, on a tz-aware time index.

Solar is **factorised**: a building never owns an ``(n_b, n_h)`` array. Its solar (and sky
long-wave) heat flow in hour ``h`` is

.. math:: \\Phi_{sol}(b, h) = \\sum_g c_{b,g} \\, s_{b,g,m(h)} \\, I_{g,h}

where ``I = Drivers.irr_w_m2`` (n_groups, n_h) is the irradiance of a surface group (all
facade windows facing south, all opaque north facades, the roof, ...), ``c = sol_coeff_m2`` is
the building's effective collecting area in that group (m2; e.g. ``g_gl * (1 - F_F) * A_w`` for
windows, ``alpha * R_se * U * A`` for opaque elements, ISO 13790 §11.3) and ``s =
shade_factor`` (n_b, n_groups, 12) an optional monthly shading factor (context obstruction,
overhangs, ISO 13790 §11.4.4 ``F_sh,ob``). The groups are named in ``groups``; inputs and
drivers must name the same groups in the same order.

The sky long-wave loss of ISO 13790 §11.3.5 (``Phi_r = R_se U A h_r dtheta_er``) fits the same
form: the driver row is the net long-wave loss of a black horizontal surface at air
temperature, ``sigma T_e^4 - L_sky`` (W/m2, from the weather file's horizontal infrared
radiation), and the coefficient is ``-F_r * eps * R_se * U * A`` summed over the building's
elements (``F_r`` = 1 for a roof, 0.5 for a wall). :func:`twin.energy.solar.standard_drivers`
builds the standard groups (:data:`STANDARD_GROUPS`).

References
----------
ISO 13790:2008, Energy performance of buildings - Calculation of energy use for space heating
and cooling, §7.2.2, §11.3, §12.2, Annex C.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

#: Month index of each hour per time index (:meth:`Drivers.month_index`), keyed on the index's identity.
_MONTH_CACHE: dict[int, tuple[weakref.ref, np.ndarray]] = {}

#: Surface groups built by :func:`twin.energy.solar.standard_drivers` (order matters).
#: ``win_*``: windows of vertical facades facing N/E/S/W (irradiance weighted by the angular
#: transmittance of the glazing, relative to normal incidence); ``win_h``: horizontal
#: skylights; ``opq_*``: opaque facades; ``roof``: horizontal opaque roof; ``sky_lw``: net
#: long-wave loss of a black horizontal surface to the sky (coefficient negative).
STANDARD_GROUPS: tuple[str, ...] = (
    "win_n",
    "win_e",
    "win_s",
    "win_w",
    "win_h",
    "opq_n",
    "opq_e",
    "opq_s",
    "opq_w",
    "roof",
    "sky_lw",
)

#: ISO 13790 §7.2.2.2: ratio of internal surface area to floor area.
LAMBDA_AT: float = 4.5
#: ISO 13790 §7.2.2.2: heat transfer coefficient between air and surface node, W/(m2 K).
H_IS_W_M2K: float = 3.45
#: ISO 13790 §12.2.2: heat transfer coefficient between mass and surface node, W/(m2 K).
H_MS_W_M2K: float = 9.1


def _as_f64(value, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    return arr


def _as_i64(value, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim == 0:
        arr = np.full(n, int(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    return arr.astype(np.int64)


@dataclass
class StockInputs:
    """Per-building constants of the ISO 13790 5R1C model (one entry per building).

    Parameters
    ----------
    building_id : (n_b,) array of str or int
        Identifier used in results and error messages.
    a_f_m2 : (n_b,)
        Conditioned floor area A_f, m2 (> 0).
    h_ve_w_k : (n_b,)
        Ventilation + infiltration heat transfer coefficient H_ve, W/K (>= 0), supply at
        outdoor temperature (heat recovery: use ``(1 - eta) * H_ve,mech``).
    h_tr_w_w_k : (n_b,)
        Transmission coefficient of windows and doors H_tr,w (massless), W/K (>= 0).
    h_tr_op_w_k : (n_b,)
        Transmission coefficient of opaque elements H_tr,op, W/K (>= 0). The kernel splits it
        into H_tr,em and H_tr,ms = 9.1 A_m (ISO 13790 §12.2.2); requires H_tr,op < H_tr,ms.
    c_m_j_k : (n_b,)
        Internal heat capacity C_m, J/K (> 0).
    a_m_m2 : (n_b,)
        Effective mass area A_m, m2 (> 0).
    sol_coeff_m2 : (n_b, n_groups)
        Effective collecting area per surface group, m2 (negative for ``sky_lw``).
    groups : tuple of str
        Names of the surface groups (columns of ``sol_coeff_m2``).
    phi_h_max_w, phi_c_max_w : (n_b,)
        Heating / cooling power limits, W (>= 0; ``inf`` = unlimited, the default).
    gain_w_m2 : (n_b,)
        Internal gains per floor area at schedule value 1, W/m2.
    gain_profile : (n_b,) int
        Row of ``Drivers.gain_schedule`` used by each building.
    gain_conv_frac : (n_b,)
        Convective fraction of internal gains (to the air node); the rest is radiative and
        split between surface and mass nodes as solar gains. ISO 13790 C.2: 0.5.
    setpoint_profile : (n_b,) int
        Row of ``Drivers.heat_setpoint_c`` / ``cool_setpoint_c`` used by each building.
    shade_factor : (n_b, n_groups, 12) or None
        Monthly shading reduction factor per group (1 = unshaded). ``None``: no shading.
    a_t_m2 : (n_b,) or None
        Area of all surfaces facing the zone A_t, m2. ``None``: ``4.5 * a_f_m2`` (ISO 13790
        §7.2.2.2).
    film_correction : (n_b,) bool
        How ``h_tr_w_w_k`` and ``h_tr_op_w_k`` enter the network (an input of each building,
        not a mode of the run). ``False`` (the default of this class): the ISO 13790 Annex C
        network as written, air-to-air conductances in series with ``H_tr,is = 3.45 A_t``
        (steady-state loss ``H_tr,is H_tr / (H_tr,is + H_tr)``). ``True``: both are the
        building's steady-state transmission coefficient and the network scales them by
        ``H_tr,is / (H_tr,is - H_tr)`` so that its steady-state loss is exactly ``H_tr``
        (requires ``H_tr < H_tr,is``). Provenance: the stock model sets ``True``
        (:attr:`twin.energy.model.Conventions.film_correction`: TABULA's ``H_tr`` is a
        steady-state loss); a single-zone spec gives it (``simulation.film_correction``,
        ``False`` in the BESTEST specs). See ``docs/energy.md``.
    h_ve_sched_w_k : (n_b,)
        Scheduled ventilation heat transfer coefficient at schedule value 1, W/K (>= 0; default
        0): in hour ``h`` the building's ``H_ve`` is ``h_ve_w_k + h_ve_sched_w_k *
        Drivers.ve_schedule[ve_profile, h]`` (e.g. a night-ventilation fan).
    ve_profile : (n_b,) int
        Row of ``Drivers.ve_schedule`` used by each building.
    """

    building_id: np.ndarray
    a_f_m2: np.ndarray
    h_ve_w_k: np.ndarray
    h_tr_w_w_k: np.ndarray
    h_tr_op_w_k: np.ndarray
    c_m_j_k: np.ndarray
    a_m_m2: np.ndarray
    sol_coeff_m2: np.ndarray
    groups: tuple[str, ...] = STANDARD_GROUPS
    phi_h_max_w: np.ndarray | float = np.inf
    phi_c_max_w: np.ndarray | float = np.inf
    gain_w_m2: np.ndarray | float = 0.0
    gain_profile: np.ndarray | int = 0
    gain_conv_frac: np.ndarray | float = 0.5
    setpoint_profile: np.ndarray | int = 0
    shade_factor: np.ndarray | None = None
    a_t_m2: np.ndarray | None = None
    film_correction: np.ndarray | bool = False
    h_ve_sched_w_k: np.ndarray | float = 0.0
    ve_profile: np.ndarray | int = 0

    def __post_init__(self) -> None:
        self.building_id = np.asarray(self.building_id)
        n = self.building_id.shape[0]
        for name in (
            "a_f_m2",
            "h_ve_w_k",
            "h_tr_w_w_k",
            "h_tr_op_w_k",
            "c_m_j_k",
            "a_m_m2",
            "phi_h_max_w",
            "phi_c_max_w",
            "gain_w_m2",
            "gain_conv_frac",
            "h_ve_sched_w_k",
        ):
            setattr(self, name, _as_f64(getattr(self, name), n, name))
        film = np.asarray(self.film_correction)
        if film.ndim == 0:
            film = np.full(n, bool(film))
        if film.shape != (n,):
            raise ValueError(f"film_correction must have shape ({n},), got {film.shape}")
        self.film_correction = film.astype(bool)
        self.ve_profile = _as_i64(self.ve_profile, n, "ve_profile")
        self.gain_profile = _as_i64(self.gain_profile, n, "gain_profile")
        self.setpoint_profile = _as_i64(self.setpoint_profile, n, "setpoint_profile")
        self.groups = tuple(self.groups)
        sol = np.asarray(self.sol_coeff_m2, dtype=np.float64)
        if sol.shape != (n, len(self.groups)):
            raise ValueError(f"sol_coeff_m2 must have shape ({n}, {len(self.groups)}), got {sol.shape}")
        self.sol_coeff_m2 = sol
        if self.shade_factor is not None:
            shade = np.asarray(self.shade_factor, dtype=np.float64)
            if shade.shape != (n, len(self.groups), 12):
                raise ValueError(f"shade_factor must have shape ({n}, {len(self.groups)}, 12), got {shade.shape}")
            self.shade_factor = shade
        if self.a_t_m2 is None:
            self.a_t_m2 = LAMBDA_AT * self.a_f_m2
        else:
            self.a_t_m2 = _as_f64(self.a_t_m2, n, "a_t_m2")

    @property
    def n_buildings(self) -> int:
        """Number of buildings."""
        return int(self.building_id.shape[0])

    def subset(self, mask: np.ndarray) -> StockInputs:
        """A new :class:`StockInputs` with only the buildings where ``mask`` is true (or the given indices)."""
        kw = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "groups" or value is None:
                kw[f.name] = value
            else:
                kw[f.name] = np.asarray(value)[mask]
        return StockInputs(**kw)


@dataclass
class Drivers:
    """Hourly drivers shared by all buildings.

    Parameters
    ----------
    time : pandas.DatetimeIndex (n_h,)
        tz-aware timestamps of the hourly intervals (interval END, as in EPW files). The
        month of an hour is that of the interval midpoint.
    t_out_c : (n_h,)
        Outdoor dry-bulb temperature, degC (also the ventilation supply temperature).
    irr_w_m2 : (n_groups, n_h)
        Irradiance driving each surface group, W/m2 (see :mod:`twin.energy.inputs`).
    groups : tuple of str
        Names of the rows of ``irr_w_m2``.
    gain_schedule : (n_gain_profiles, n_h)
        Multiplier of ``StockInputs.gain_w_m2`` per profile and hour (1 = full gains).
    heat_setpoint_c, cool_setpoint_c : (n_setpoint_profiles, n_h)
        Air temperature setpoints, degC; NaN = heating / cooling off in that hour.
    ve_schedule : (n_ventilation_profiles, n_h)
        Multiplier of ``StockInputs.h_ve_sched_w_k`` per profile and hour (finite, >= 0).
        Default: one profile of zeros (no scheduled ventilation).
    wind_speed_m_s, wind_dir_deg : (n_h,) or None
        Wind at 10 m (m/s) and the direction it blows from (deg from north), as the weather file
        gives them; read only by the finer model's wind-dependent exterior surfaces
        (``simulation.exterior_convection: doe2``). None: not carried.
    """

    time: pd.DatetimeIndex
    t_out_c: np.ndarray
    irr_w_m2: np.ndarray
    groups: tuple[str, ...] = STANDARD_GROUPS
    gain_schedule: np.ndarray = field(default=None)  # type: ignore[assignment]
    heat_setpoint_c: np.ndarray = field(default=None)  # type: ignore[assignment]
    cool_setpoint_c: np.ndarray = field(default=None)  # type: ignore[assignment]
    ve_schedule: np.ndarray = field(default=None)  # type: ignore[assignment]
    wind_speed_m_s: np.ndarray | None = None
    wind_dir_deg: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.time = pd.DatetimeIndex(self.time)
        if self.time.tz is None:
            raise ValueError("Drivers.time must be tz-aware")
        n_h = self.time.shape[0]
        self.t_out_c = _as_f64(self.t_out_c, n_h, "t_out_c")
        self.groups = tuple(self.groups)
        irr = np.asarray(self.irr_w_m2, dtype=np.float64)
        if irr.shape != (len(self.groups), n_h):
            raise ValueError(f"irr_w_m2 must have shape ({len(self.groups)}, {n_h}), got {irr.shape}")
        self.irr_w_m2 = irr
        if self.gain_schedule is None:
            self.gain_schedule = np.ones((1, n_h))
        if self.heat_setpoint_c is None:
            self.heat_setpoint_c = np.full((1, n_h), np.nan)
        if self.cool_setpoint_c is None:
            self.cool_setpoint_c = np.full((1, n_h), np.nan)
        if self.ve_schedule is None:
            self.ve_schedule = np.zeros((1, n_h))
        for name in ("gain_schedule", "heat_setpoint_c", "cool_setpoint_c", "ve_schedule"):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.ndim == 1:
                arr = arr[None, :]
            if arr.ndim != 2 or arr.shape[1] != n_h:
                raise ValueError(f"{name} must have shape (n_profiles, {n_h}), got {arr.shape}")
            setattr(self, name, arr)
        if self.heat_setpoint_c.shape != self.cool_setpoint_c.shape:
            raise ValueError("heat_setpoint_c and cool_setpoint_c must have the same shape")
        for name in ("wind_speed_m_s", "wind_dir_deg"):
            if getattr(self, name) is not None:
                setattr(self, name, _as_f64(getattr(self, name), n_h, name))

    @property
    def n_hours(self) -> int:
        """Number of hourly steps."""
        return int(self.time.shape[0])

    def month_index(self) -> np.ndarray:
        """Month (0..11) of each hour, from the interval midpoint in the index's time zone.

        Computed once per time index (a pandas index is immutable; the cache is keyed on its
        identity and dropped with it); every call returns a fresh writable copy.
        """
        hit = _MONTH_CACHE.get(id(self.time))
        if hit is not None and hit[0]() is self.time:
            return hit[1].copy()
        mid = self.time - pd.Timedelta(minutes=30)
        month = (mid.month.to_numpy() - 1).astype(np.int64)
        key = id(self.time)
        _MONTH_CACHE[key] = (weakref.ref(self.time, lambda _r, k=key: _MONTH_CACHE.pop(k, None)), month)
        return month.copy()
