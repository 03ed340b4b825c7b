"""Hourly multi-node zone model in the spirit of ISO 52016-1 (modal form), vectorised over buildings.

The thermal network of a zone (built by :mod:`twin.energy.iso52016`: nodes per opaque construction
layer, window surface nodes, one air node, a radiative star node, see ``docs/energy_iso52016.md``)
is stepped with the implicit (backward) Euler scheme of ISO 52016-1 §6.5.6 with a one-hour step:

    (C / dt + K) x[t+1] = C / dt x[t] + F u[t+1] + e_air Q_air[t+1]

``x`` node temperatures, ``C`` node capacities (zero for surface nodes), ``K`` the conductance
matrix, ``u`` the hourly inputs shared by every building (outdoor temperature, gain schedule
value, irradiance of each surface group), ``F`` the building's input matrix and ``Q_air`` the
heat injected at the air node (ideal heating/cooling ``Phi_HC`` plus scheduled ventilation).

Only the nodes with capacity carry state. With ``G = (C / dt + K)^-1`` and ``D = diag(sqrt(C_S /
dt))`` over the capacitive nodes ``S``, ``D G_SS D`` is symmetric positive definite, so its
eigendecomposition ``U Lambda U^T`` (done once per building by the caller) turns the step into
independent modes ``z = U^T D x_S`` that decay by ``lambda_i`` per hour:

    z[t+1] = lambda * z[t] + W u[t+1] + w_q Q_air,     theta_air[t+1] = r . z[t+1]

with ``W = U^T D (G F)_S``, ``w_q = U^T D G_{S,air}`` and ``r = (D^-1 U)_{air,:}``. This is the
exact backward-Euler solution of the full network (no mode is dropped), at ``n_s (n_u + 2)``
multiply-adds per building-hour instead of a linear solve.

Control (ISO 52016-1 §6.5.5.2, ideal, on the air temperature): the air temperature is affine in
``Q_air`` with slope ``k = r . w_q = G_air,air`` (K/W). A scheduled ventilation conductance
``g = H_ve,s v[p, h]`` to the outdoor air adds ``g (theta_e - theta_air)`` at the air node, which
is solved in closed form (``theta_air = (theta_air,0 + k g theta_e) / (1 + k g)``, slope
``k / (1 + k g)``); the heating/cooling power is then
``Phi_HC = clip((theta_set - theta_air,0) / k', -Phi_C,max, Phi_H,max)`` with the setpoints off
as ``-inf`` (heating) / ``+inf`` (cooling), branch-free.

Control on another temperature (``control_operative``, e.g. ISO 52016-1's operative temperature,
half the air's and half the mean of the interior surfaces'): the controlled temperature ``c . x``
of the base system is ``op_z . z[t] + op_u . u[t+1] + op_q Q_air`` (the massless surface nodes
depend on the state before the step, not on the new modes alone); with the links it is less
``conv_op . e``, affine in ``Q_air`` like the air's. With ``Q_air = (Phi + g (theta_e -
theta_air,0)) / (1 + k g)``, its free value is ``theta_c,0 + k_c g (theta_e - theta_air,0) / (1 +
k g)`` and its slope ``k_c / (1 + k g)``; the same clip gives ``Phi_HC``.

Hourly convective coefficients (``n_conv > 0``): link ``j`` joins an interior surface node to the
air node with ``h_j A_j``, ``h_j = max(0.1, c_j |d_j|^(1/3))`` from the previous hour's
surface-air difference ``d_j`` (``c_j`` by its sign), whereas the base system holds ``h0_j A_j``.
The change ``V diag(delta) V^T`` (``v_j = e_j - e_air``, ``delta_j = (h_j - h0_j) A_j``) is applied
exactly by the Sherman-Morrison-Woodbury identity: with ``d_b = V^T G b`` the base system's
differences (``conv_cv . z + conv_qv . u + conv_gv Q``) and ``S = V^T G V``,
``x' = G b - G V e``, ``e = (I + diag(delta) S)^-1 diag(delta) d_b``, ``d' = d_b - S e``; in modal
form ``z' = z_base - conv_cv^T e``, and the air temperature stays affine in ``Q`` (slope
``k - conv_gv . (I + diag(delta) S)^-1 diag(delta) conv_gv``). The ``n_c x n_c`` system is solved
by elimination without pivoting (its leading minors are ratios of determinants of conductance
matrices with positive coefficients, hence positive).

Other link laws (``conv_kind``): a glazing gap link (:data:`LINK_GAP`) joins the two pane nodes
of a window, ``v_j = e_inner - e_outer``, with the ISO 15099 conductance of
:func:`glazing_conductance` at the previous hour's pane temperatures (inner pane = air
temperature + the difference of its link to the air, ``conv_partner``; outer = inner - ``d_j``);
a fixed link (:data:`LINK_FIXED`) keeps ``h0`` and only carries its difference. The update above
holds for any link vectors. An exterior link (:data:`LINK_EXTERIOR_DOE2`) joins a surface node to
the outdoor air, an input, not a node: ``v_j = e_j``, and the change ``delta_j`` of its coefficient
also adds ``delta_j theta_e`` to the right-hand side. Written for its difference ``d_j = x_j -
theta_e`` (the caller puts -1 on input 0 of its ``conv_qv`` row) the step is the same
``(I + S diag(delta)) d = d_b``, ``e = diag(delta) d``: nothing else changes.

Warm-up: the last ``warmup_hours`` hours of the series run first (periodic year), from the
modal state ``z0`` the caller gives (e.g. every node at 20 degC).

Layout: ``prange`` over batches of up to ``LANES`` buildings (in the order of their mode and link
counts, so a batch pads little); a batch copies its buildings'
constants into small arrays with the lane (building) index innermost and runs the hour loop for
all its lanes at once, so every operation of the hour (mode updates, the link products, the
``n_c x n_c`` elimination, the cube roots) is a loop over lanes that LLVM vectorises. Modes and
links a building does not have are zero in the batch arrays (a padded link has ``dl = 0``: an
identity row); a short last batch repeats its last building and writes only its own rows. Inputs
that are zero in an hour (every solar group at night) are skipped (exact). The shared drivers are
read-only.

References
----------
ISO 52016-1:2017, Energy performance of buildings - Energy needs for heating and cooling,
internal temperatures and sensible and latent heat loads - Part 1: Calculation procedures,
§6.5.6 (hourly calculation, matrix formulation), §6.5.5 (control), Annex B (defaults).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange
from twin.kernels.energy_5r1c import AnnualOutputs5R1C, Control5R1C


class Building52016(NamedTuple):
    """Per-building constants of the modal form, float64 unless noted.

    ``n_s`` = largest number of capacitive nodes (modes), ``n_u = 2 + n_g`` inputs in the order
    outdoor temperature (degC), gain schedule value (-), irradiance of groups ``0 .. n_g - 1``
    (W/m2). Built by :func:`twin.energy.iso52016.modal_arrays`.

    Attributes
    ----------
    lam : (n_b, n_s) decay factor of each mode over one hour, in [0, 1).
    w_in : (n_b, n_u, n_s) response of each mode to a unit input (K per unit).
    w_q : (n_b, n_s) response of each mode to 1 W at the air node (K/W).
    r_air : (n_b, n_s) air temperature per unit of each mode (-).
    k_air_k_w : (n_b,) air temperature per W at the air node, ``r . w_q`` (K/W, > 0).
    z0 : (n_b, n_s) modal state at the start of the warm-up.
    n_modes : int64 (n_b,) number of modes used (the rest is padding).
    gain_profile : int64 (n_b,) row of the gain schedule.
    h_ve_sched_w_k : (n_b,) scheduled ventilation conductance at schedule value 1, W/K (>= 0).
    ve_profile : int64 (n_b,) row of the ventilation schedule.
    phi_h_max_w : (n_b,) heating power limit (>= 0, may be inf), W.
    conv_cv : (n_b, n_c, n_s) modal response to a unit heat flow pair on link ``j`` (``U^T D G_{S,v_j}``).
    conv_qv : (n_b, n_c, n_u) surface-air difference of the base system per unit input (K).
    conv_gv : (n_b, n_c) surface-air difference of the base system per W at the air node (K/W).
    conv_s : (n_b, n_c, n_c) ``V^T G V`` (K/W).
    conv_area_m2, conv_h0_w_m2k : (n_b, n_c) area and the coefficient inside the base system.
    conv_c_pos, conv_c_neg : (n_b, n_c) ``c`` of ``h = c |dtheta|^(1/3)``, surface warmer / colder.
    n_conv : int64 (n_b,) number of hourly convective links (0: the base system only).
    conv_kind : int64 (n_b, n_c) law of each link: :data:`LINK_TARP` (surface to air,
        ``c |d|^(1/3)``), :data:`LINK_GAP` (the gas gap of a double glazing between its two pane
        nodes, :func:`glazing_conductance`) or :data:`LINK_FIXED` (coefficient ``h0`` kept; the
        link is only tracked for the difference it carries).
    conv_partner : int64 (n_b, n_c) for a gap link, the index of the link from its inner pane to
        the air (its difference gives the pane temperatures with the air temperature); else -1.
    conv_gap : (n_b, n_c, 4) for a gap link: gap width (m), conduction resistance of the two panes
        (m2 K/W), ``1 / (1 / eps_1 + 1 / eps_2 - 1)`` of the gap faces (-), height of the glazing (m).
    op_z : (n_b, n_s) controlled (operative) temperature per unit of each mode of the state
        before the step (``U^T D (G c)_S``, -); read for ``control_operative`` buildings only.
    op_u : (n_b, n_u) controlled temperature per unit input of the step (``F^T G c``, K per unit).
    op_q : (n_b,) controlled temperature per W at the air node (``(G c)_air``, K/W).
    conv_op : (n_b, n_c) controlled temperature per unit ``e_j`` of each link (``V^T G c``, K/W).
    control_operative : bool (n_b,) the setpoints apply to the temperature ``c . x`` (e.g. the
        operative temperature of ISO 52016-1 §6.5.5) instead of the air temperature.
    """

    lam: np.ndarray
    w_in: np.ndarray
    w_q: np.ndarray
    r_air: np.ndarray
    k_air_k_w: np.ndarray
    z0: np.ndarray
    n_modes: np.ndarray
    gain_profile: np.ndarray
    h_ve_sched_w_k: np.ndarray
    ve_profile: np.ndarray
    phi_h_max_w: np.ndarray
    conv_cv: np.ndarray
    conv_qv: np.ndarray
    conv_gv: np.ndarray
    conv_s: np.ndarray
    conv_area_m2: np.ndarray
    conv_h0_w_m2k: np.ndarray
    conv_c_pos: np.ndarray
    conv_c_neg: np.ndarray
    n_conv: np.ndarray
    conv_kind: np.ndarray
    conv_partner: np.ndarray
    conv_gap: np.ndarray
    op_z: np.ndarray
    op_u: np.ndarray
    op_q: np.ndarray
    conv_op: np.ndarray
    control_operative: np.ndarray


H_CONV_MIN_W_M2K = 0.1
"""Lower bound of an hourly convective coefficient, W/(m2 K) (EnergyPlus' lowest interior
convection coefficient, 0.1)."""
H_CONV_MIN_CUBED = H_CONV_MIN_W_M2K**3
"""``c^3 |d| <= H_CONV_MIN_CUBED`` means ``c |d|^(1/3) <= H_CONV_MIN_W_M2K``: no cube root needed."""


LINK_TARP = 0
"""Link law: buoyancy-driven interior convection ``h = max(0.1, c |d|^(1/3))``, ``d`` surface - air."""
LINK_GAP = 1
"""Link law: gas gap of a double glazing (:func:`glazing_conductance`), ``d`` inner pane - outer pane."""
LINK_FIXED = 2
"""Link law: the base coefficient ``h0`` (no change; the link only tracks its difference ``d``)."""
LINK_EXTERIOR_DOE2 = 3
"""Link law: an exterior surface to the outdoor air, ``d`` surface - outdoor air temperature of the
previous hour: the DOE-2 convection of the EnergyPlus Engineering Reference, ``h_n + R_f (sqrt(h_n^2
+ (a V_z^b)^2) - h_n)`` (``h_n = max(0.1, c |d|^(1/3))`` with ``c`` by the sign of ``d``, as
:data:`LINK_TARP`; windward ``a = 3.26, b = 0.89``, leeward ``a = 3.55, b = 0.617``, MoWiTT), plus
the long-wave exchange linearised to the air, ``4 eps sigma T_m^3`` (``T_m`` the mean of the
previous hour's surface temperature and this hour's outdoor air). Link parameters (``conv_gap``):
outward azimuth of the surface (deg; negative: a roof, always windward), ``R_f``, ``V_z / V_10``
(terrain and height), ``eps``. A wall is windward when the wind blows from within
:data:`WINDWARD_DEG` of its outward normal."""
WINDWARD_DEG = 100.0
"""A wall is windward when the wind direction is within this angle of its outward normal, deg: the
rule of EnergyPlus (``ConvectionCoefficients.cc``, function ``Windward``: "leeward is defined as
greater than 100 degrees from normal incidence", a horizontal surface always windward; after
Walton 1981, the TARP model)."""

SIGMA_W_M2K4 = 5.670374419e-8
"""Stefan-Boltzmann constant, W/(m2 K4)."""
GAP_PRESSURE_PA = 1.0e5
"""Pressure of the gas in a sealed glazing gap, Pa (EnergyPlus' window model, ``ENpressure`` of its
gas-property routine, uses 1e5 Pa whatever the site altitude)."""
AIR_MOLAR_MASS_KG_MOL = 28.97e-3
"""Molar mass of air, kg/mol (ISO 15099:2003 Table B.1)."""
GAS_CONSTANT_J_MOLK = 8.314462618
"""Molar gas constant, J/(mol K)."""


@jit
def glazing_conductance(t_mean_k, dt_k, gap_m, r_panes_m2k_w, eps_factor, height_m):
    """Conductance of a double glazing between its outer and inner pane surface nodes, W/(m2 K).

    ``1 / (R_panes + 1 / (h_c + h_r))`` with the gap's convection and radiation of ISO 15099:2003:
    ``h_c = Nu k / s`` (section 5.3.3.4, vertical cavity: ``Nu = max(Nu_1, Nu_2)``, ``Nu_1 = 1 +
    1.7596678e-10 Ra^2.2984755`` (Ra <= 1e4), ``0.028154 Ra^0.4134`` (Ra <= 5e4), ``0.0673838 Ra^(1/3)``,
    ``Nu_2 = 0.242 (Ra / A)^0.272``, ``A = height / s``), air properties of Table B.1 (``k = 2.873e-3 +
    7.76e-5 T``, ``mu = 3.723e-6 + 4.94e-8 T``, ``c_p = 1002.737 + 1.2324e-2 T``, ideal-gas density at
    :data:`GAP_PRESSURE_PA`), ``Ra = rho^2 s^3 g c_p dT / (T mu k)``; ``h_r = 4 sigma T_m^3 eps_factor``
    (two grey parallel panes, linearised at their mean temperature). The pane temperatures are the
    network's surface nodes (the panes' own conduction, ``R_panes``, is in series).

    Parameters
    ----------
    t_mean_k : mean of the two pane surface temperatures, K (> 0).
    dt_k : their difference, K (absolute value used).
    gap_m : gap width, m. r_panes_m2k_w : conduction resistance of the panes, m2 K/W.
    eps_factor : ``1 / (1 / eps_1 + 1 / eps_2 - 1)``. height_m : height of the glazing, m.

    References
    ----------
    ISO 15099:2003, Thermal performance of windows, doors and shading devices - Detailed
    calculations, sections 5.3.3 and Annex B. EnergyPlus Engineering Reference, "Window Heat
    Balance Calculation" (the same correlations, solved every time step).
    """
    tm = t_mean_k
    k = 2.873e-3 + 7.76e-5 * tm
    mu = 3.723e-6 + 4.94e-8 * tm
    cp = 1002.737 + 1.2324e-2 * tm
    rho = GAP_PRESSURE_PA * AIR_MOLAR_MASS_KG_MOL / (GAS_CONSTANT_J_MOLK * tm)
    ra = rho * rho * gap_m * gap_m * gap_m * 9.81 * cp * abs(dt_k) / (tm * mu * k)
    if ra > 5e4:
        nu1 = 0.0673838 * ra ** (1.0 / 3.0)
    elif ra > 1e4:
        nu1 = 0.028154 * ra**0.4134
    else:
        nu1 = 1.0 + 1.7596678e-10 * ra**2.2984755
    # Nu_2 < 1 <= Nu_1 when Ra / A < (1 / 0.242)^(1 / 0.272) = 184.4: its power is then skipped (exact)
    ra_a = ra * gap_m / height_m
    nu = max(nu1, 0.242 * ra_a**0.272) if ra_a > 184.0 else nu1
    h_gap = nu * k / gap_m + 4.0 * SIGMA_W_M2K4 * tm * tm * tm * eps_factor
    return 1.0 / (r_panes_m2k_w + 1.0 / h_gap)


CBRT_EXPONENT_BIAS = 682 << 20
"""High-word bias of the first cube-root guess: ``(1023 - 1023/3) 2^20``, so that dividing the high
word of a float64 by 3 and adding it divides the exponent by 3 (and the mantissa bits roughly so):
a guess within 6 % of the root."""


@jit
def cbrt_positive(x, fbits, ibits):
    """Cube root of a positive normal float64 ``x`` (within a few units in the last place).

    A first guess from the bits (the high word divided by 3 plus :data:`CBRT_EXPONENT_BIAS`:
    relative error below 6 %), then three steps of Halley's iteration for ``t^3 = x``,
    ``t <- t (t^3 + 2 x) / (2 t^3 + x)``, whose relative error cubes at each step (6e-2, 1e-4,
    1e-12, then rounding): tested against ``np.cbrt`` to 1e-15 relative. Inline in the hour loop it
    costs a fraction of a library call. Zero, subnormal, inf and NaN inputs are not handled (the
    caller excludes them).

    Parameters
    ----------
    x : float in [1e-100, 1e100] (the kernel's ``c^3 |dT|`` lie in about [1e-3, 1e5]; outside, ``t^3``
        can overflow or underflow, since fastmath may reassociate the products).
    fbits : (1,) float64 scratch array; ibits its int64 view (``fbits.view(np.int64)``).

    Returns
    -------
    float, ``x ** (1/3)``.

    References
    ----------
    Halley's method: e.g. A. S. Householder, *The Numerical Treatment of a Single Nonlinear
    Equation*, McGraw-Hill, 1970, section 4.4; the exponent-halving first guess is the classical
    trick for square roots applied to a third.
    """
    fbits[0] = x
    hx = ibits[0] >> 32
    ibits[0] = (hx // 3 + CBRT_EXPONENT_BIAS) << 32
    t = fbits[0]
    for _ in range(3):
        t3 = t * t * t
        t = t * ((t3 + x + x) / (t3 + t3 + x))
    return t


class Climate52016(NamedTuple):
    """Hourly drivers shared by every building.

    Attributes
    ----------
    t_out_c : (n_h,) outdoor temperature, degC.
    irr_hg : (n_h, n_g) irradiance per hour and group, W/m2 (hour-major).
    month : int64 (n_h,) month 0..11 of each hour.
    gain_schedule : (n_gp, n_h) gain multipliers.
    ve_schedule : (n_vp, n_h) multipliers of ``H_ve,s`` (finite, >= 0).
    wind_speed_m_s : (n_h,) wind speed at 10 m, m/s (read by :data:`LINK_EXTERIOR_DOE2` links only).
    wind_dir_deg : (n_h,) direction the wind blows from, deg from north (the same).
    """

    t_out_c: np.ndarray
    irr_hg: np.ndarray
    month: np.ndarray
    gain_schedule: np.ndarray
    ve_schedule: np.ndarray
    wind_speed_m_s: np.ndarray
    wind_dir_deg: np.ndarray


Control52016 = Control5R1C
"""Ideal heating and cooling on the air temperature: the 5R1C kernel's control record (setpoint
profile per building, cooling power limit, heating and cooling setpoints by profile and hour)."""

Outputs52016 = AnnualOutputs5R1C
"""Outputs of :func:`simulate_iso52016`, allocated by the caller: the 5R1C kernel's annual output
record (annual, monthly and peak heating/cooling, air temperature statistics, optional hourly
series), so both models fill the same tables."""


LANES = 32
"""Buildings stepped together by one thread (at most), lane index innermost in every working array
(the arithmetic of an hour vectorises across them; 8 / 16 / 32 / 64 lanes measured 377 / 243 / 205 /
205 ns CPU per building-hour on the benchmark stock)."""


@jit
def _cbrt_lanes(x, out, fbits, ibits, nl):
    """``out[l] = cbrt_positive(x[l])`` for the lanes ``l < nl``, as straight loops that vectorise.

    ``x`` must be in [1e-100, 1e100] (:func:`cbrt_positive`); ``fbits`` a (>= nl,) float64 scratch array,
    ``ibits`` its int64 view. ``(n * 0xAAAAAAAB) >> 33`` is ``n // 3`` for ``0 <= n < 2^32`` (the
    high word here is below 2^31).
    """
    for lane in range(nl):
        fbits[lane] = x[lane]
    for lane in range(nl):
        hx = ibits[lane] >> 32
        ibits[lane] = (((hx * 0xAAAAAAAB) >> 33) + CBRT_EXPONENT_BIAS) << 32
    for lane in range(nl):
        t = fbits[lane]
        xl = x[lane]
        for _ in range(3):
            t3 = t * t * t
            t = t * ((t3 + xl + xl) / (t3 + t3 + xl))
        out[lane] = t


@jit
def _ideal_power(t0, kk, heat_set, cool_set, phi_h_max, phi_c_max):
    """Ideal heating (> 0) or cooling (< 0) power, W, that brings the controlled temperature from its
    free value ``t0`` to the setpoints (slope ``kk``, K/W; setpoints off as -inf / +inf), within the
    power limits: the closed form of the module docstring, branch-free."""
    need_h = min(phi_h_max, max(0.0, (heat_set - t0) / kk))
    need_c = max(-phi_c_max, min(0.0, (cool_set - t0) / kk))
    return need_h + need_c


@jit
def _run_batch(bt, nl, order, building, climate, control, warm, out):
    """Batch ``bt`` of :func:`simulate_iso52016` (lanes ``order[bt * nl : bt * nl + nl]``): the hour loop and
    the batch's outputs. A serial function called from the ``prange`` loop, so Numba's parallel passes
    do not see (and turn into nested parfors) the allocations and loops of its body; the records are
    unpacked here, outside any ``prange``."""
    lam = building.lam
    w_in = building.w_in
    w_q = building.w_q
    r_air = building.r_air
    k_air = building.k_air_k_w
    z0 = building.z0
    n_modes = building.n_modes
    gain_profile = building.gain_profile
    h_ve_s = building.h_ve_sched_w_k
    ve_profile = building.ve_profile
    ph_max = building.phi_h_max_w
    c_cv = building.conv_cv
    c_qv = building.conv_qv
    c_gv = building.conv_gv
    c_s = building.conv_s
    c_area = building.conv_area_m2
    c_h0 = building.conv_h0_w_m2k
    c_pos = building.conv_c_pos
    c_neg = building.conv_c_neg
    n_conv = building.n_conv
    c_kind = building.conv_kind
    c_partner = building.conv_partner
    c_gap = building.conv_gap
    op_z = building.op_z
    op_u = building.op_u
    op_q = building.op_q
    c_op = building.conv_op
    ctrl_op = building.control_operative
    t_out = climate.t_out_c
    irr = climate.irr_hg
    month = climate.month
    g_sched = climate.gain_schedule
    ve_sched = climate.ve_schedule
    wind_v = climate.wind_speed_m_s
    wind_d = climate.wind_dir_deg
    sp_profile = control.setpoint_profile
    pc_max = control.phi_c_max_w
    heat_sp = control.heat_setpoint_c
    cool_sp = control.cool_setpoint_c
    heat_wh = out.heat_wh
    cool_wh = out.cool_wh
    m_heat = out.monthly_heat_wh
    m_cool = out.monthly_cool_wh
    pk_h = out.peak_heat_w
    pk_h_hour = out.peak_heat_hour
    pk_c = out.peak_cool_w
    pk_c_hour = out.peak_cool_hour
    t_min = out.t_air_min_c
    t_max = out.t_air_max_c
    t_mean = out.t_air_mean_c
    hourly_phi = out.hourly_phi_hc_w
    hourly_ta = out.hourly_t_air_c
    write_hourly = hourly_phi.shape[0] > 0
    n_b = lam.shape[0]
    n_s = lam.shape[1]
    n_u = w_in.shape[1]
    n_h = t_out.shape[0]
    n_g = irr.shape[1]
    n_cl = c_gv.shape[1]
    # the batch's constants, lane innermost; modes / links a building does not have stay zero
    bl = np.empty(LANES, dtype=np.int64)
    for lane in range(nl):
        bl[lane] = order[min(bt * nl + lane, n_b - 1)]  # a short last batch repeats its last building
    ns = 0
    nc = 0
    any_op = False  # some lane controls another temperature than the air's
    for lane in range(nl):
        ns = max(ns, n_modes[bl[lane]])
        nc = max(nc, n_conv[bl[lane]])
        any_op = any_op or ctrl_op[bl[lane]]
    lam_l = np.zeros((n_s, LANES))
    wq_l = np.zeros((n_s, LANES))
    r_l = np.zeros((n_s, LANES))
    z = np.zeros((n_s, LANES))
    w_l = np.zeros((n_u, n_s, LANES))
    cv_l = np.zeros((n_s, n_cl, LANES))  # mode-major: one mode's links together
    qv_l = np.zeros((n_cl, n_u, LANES))
    s_l = np.zeros((n_cl, n_cl, LANES))
    gv_l = np.zeros((n_cl, LANES))
    area_l = np.zeros((n_cl, LANES))
    h0_l = np.zeros((n_cl, LANES))
    cpos_l = np.zeros((n_cl, LANES))
    cneg_l = np.zeros((n_cl, LANES))
    kind_l = np.zeros((n_cl, LANES), dtype=np.int64)
    part_l = np.zeros((n_cl, LANES), dtype=np.int64)
    gap_l = np.ones((n_cl, 4, LANES))
    n_op_s = n_s if any_op else 0  # the controlled temperature's arrays, only where some lane needs them
    opz_l = np.zeros((n_op_s, LANES))
    opu_l = np.zeros((n_u if any_op else 0, LANES))
    opq_l = np.zeros(LANES)
    opcv_l = np.zeros((n_cl if any_op else 0, LANES))
    opw_l = np.zeros(LANES)  # 1: the lane controls c . x, 0: the air temperature
    special_j = np.zeros(max(n_cl, 1), dtype=np.bool_)  # link j is a gap or fixed link in some lane
    ext_j = np.zeros(max(n_cl, 1), dtype=np.bool_)  # link j is an exterior link in some lane
    fw_l = np.zeros((n_cl, LANES))  # exterior links: (V_z / V_10)^0.89 and ^0.617 (windward, leeward exponents)
    fe_l = np.zeros((n_cl, LANES))
    k_l = np.empty(LANES)
    gp_l = np.empty(LANES, dtype=np.int64)
    vp_l = np.empty(LANES, dtype=np.int64)
    sp_l = np.empty(LANES, dtype=np.int64)
    hve_l = np.empty(LANES)
    phmax_l = np.empty(LANES)
    pcmax_l = np.empty(LANES)
    for lane in range(nl):
        b = bl[lane]
        nsb = n_modes[b]
        ncb = n_conv[b]
        for i in range(nsb):
            lam_l[i, lane] = lam[b, i]
            wq_l[i, lane] = w_q[b, i]
            r_l[i, lane] = r_air[b, i]
            z[i, lane] = z0[b, i]
            for q in range(n_u):
                w_l[q, i, lane] = w_in[b, q, i]
        for j in range(ncb):
            for i in range(nsb):
                cv_l[i, j, lane] = c_cv[b, j, i]
            for q in range(n_u):
                qv_l[j, q, lane] = c_qv[b, j, q]
            for jj in range(ncb):
                s_l[j, jj, lane] = c_s[b, j, jj]
            gv_l[j, lane] = c_gv[b, j]
            area_l[j, lane] = c_area[b, j]
            h0_l[j, lane] = c_h0[b, j]
            cpos_l[j, lane] = c_pos[b, j]
            cneg_l[j, lane] = c_neg[b, j]
            kind_l[j, lane] = c_kind[b, j]
            part_l[j, lane] = max(0, c_partner[b, j])
            if c_kind[b, j] != LINK_TARP:
                if c_kind[b, j] == LINK_EXTERIOR_DOE2:
                    ext_j[j] = True
                    fw_l[j, lane] = c_gap[b, j, 2] ** 0.89
                    fe_l[j, lane] = c_gap[b, j, 2] ** 0.617
                else:
                    special_j[j] = True
                for q in range(4):
                    gap_l[j, q, lane] = c_gap[b, j, q]
        if any_op and ctrl_op[b]:
            opw_l[lane] = 1.0
            opq_l[lane] = op_q[b]
            for i in range(nsb):
                opz_l[i, lane] = op_z[b, i]
            for q in range(n_u):
                opu_l[q, lane] = op_u[b, q]
            for j in range(ncb):
                opcv_l[j, lane] = c_op[b, j]
        k_l[lane] = k_air[b]
        gp_l[lane] = gain_profile[b]
        vp_l[lane] = ve_profile[b]
        sp_l[lane] = sp_profile[b]
        hve_l[lane] = h_ve_s[b]
        phmax_l[lane] = ph_max[b]
        pcmax_l[lane] = pc_max[b]
    # working arrays
    zp = np.empty((n_s, LANES))
    ugain = np.empty(LANES)
    ta0 = np.empty(LANES)
    kq = np.empty(LANES)
    op0 = np.zeros(LANES)  # the controlled temperature of the free step (any_op)
    kop = np.zeros(LANES)
    fac = np.empty(LANES)
    q_air = np.empty(LANES)
    phi_l = np.empty(LANES)
    ta_l = np.zeros(LANES)
    for i in range(ns):
        for lane in range(nl):
            ta_l[lane] += r_l[i, lane] * z[i, lane]  # the air temperature before the first step
    dprev = np.zeros((n_cl, LANES))  # surface - air of each link at the end of the previous hour
    dl = np.zeros((n_cl, LANES))
    dz = np.zeros((n_cl, LANES))  # conv_cv . z of the current state
    for i in range(ns):
        for j in range(nc):
            for lane in range(nl):
                dz[j, lane] += cv_l[i, j, lane] * z[i, lane]
    va = np.zeros((n_cl, LANES))
    vb = np.zeros((n_cl, LANES))
    mm = np.zeros((n_cl, n_cl, LANES))
    ad = np.empty(LANES)
    cb = np.empty(LANES)
    ra_l = np.zeros(LANES)
    kgap_l = np.zeros(LANES)
    hr_l = np.zeros(LANES)
    nu_l = np.ones(LANES)
    fbits = np.empty(LANES)
    ibits = fbits.view(np.int64)
    # accumulators
    q_h = np.zeros(LANES)
    q_c = np.zeros(LANES)
    peak_h = np.zeros(LANES)
    peak_c = np.zeros(LANES)
    peak_h_hour = np.full(LANES, -1, dtype=np.int64)
    peak_c_hour = np.full(LANES, -1, dtype=np.int64)
    ta_min = np.full(LANES, np.inf)
    ta_max = np.full(LANES, -np.inf)
    ta_sum = np.zeros(LANES)
    mh = np.zeros((12, LANES))
    mc = np.zeros((12, LANES))
    te_prev = t_out[n_h - warm if warm > 0 else 0]  # the previous hour's outdoor air; the first step's own (its hour h)
    for step in range(warm + n_h):
        h = n_h - warm + step if step < warm else step - warm
        te = t_out[h]
        v_ww = wind_v[h] ** 0.89  # the hour's wind to the windward and leeward exponents (exterior links)
        v_lw = wind_v[h] ** 0.617
        for lane in range(nl):
            ugain[lane] = g_sched[gp_l[lane], h]
        # free-floating step (Q_air = 0) in modal form; zero inputs skipped (shared by the lanes)
        for i in range(ns):
            for lane in range(nl):
                zp[i, lane] = lam_l[i, lane] * z[i, lane] + w_l[0, i, lane] * te + w_l[1, i, lane] * ugain[lane]
        for gi in range(n_g):
            ug = irr[h, gi]
            if ug != 0.0:
                for i in range(ns):
                    for lane in range(nl):
                        zp[i, lane] += w_l[2 + gi, i, lane] * ug
        for lane in range(nl):
            ta0[lane] = 0.0
            kq[lane] = k_l[lane]
        for i in range(ns):
            for lane in range(nl):
                ta0[lane] += r_l[i, lane] * zp[i, lane]
        if any_op:
            # the controlled temperature of the free step: the state before the step (z) and the inputs
            for lane in range(nl):
                op0[lane] = opu_l[0, lane] * te + opu_l[1, lane] * ugain[lane]
                kop[lane] = opq_l[lane]
            for i in range(ns):
                for lane in range(nl):
                    op0[lane] += opz_l[i, lane] * z[i, lane]
            for gi in range(n_g):
                ug = irr[h, gi]
                if ug != 0.0:
                    for lane in range(nl):
                        op0[lane] += opu_l[2 + gi, lane] * ug
        if nc > 0:
            # hourly convective coefficients from the previous hour's differences
            for j in range(nc):
                for lane in range(nl):
                    ad[lane] = max(abs(dprev[j, lane]), 1e-300)
                _cbrt_lanes(ad, cb, fbits, ibits, nl)
                for lane in range(nl):
                    dj = dprev[j, lane]
                    cj = cpos_l[j, lane] if dj > 0.0 else cneg_l[j, lane]
                    # c |d|^(1/3) only above the lower bound (also excludes d = 0)
                    hj = max(H_CONV_MIN_W_M2K, cj * cb[lane]) if cj * cj * cj * abs(dj) > H_CONV_MIN_CUBED else H_CONV_MIN_W_M2K
                    dl[j, lane] = (hj - h0_l[j, lane]) * area_l[j, lane]
                if special_j[j]:
                    # the glazing law of glazing_conductance, as straight lane loops (the Rayleigh
                    # number, properties and combination vectorise; the power is per lane)
                    for lane in range(nl):
                        # pane mean temperature: air + (inner pane - air) - (inner - outer) / 2
                        dj = dprev[j, lane]
                        tm = ta_l[lane] + dprev[part_l[j, lane], lane] - 0.5 * dj + 273.15
                        tm = max(tm, 100.0)  # lanes of other kinds: any positive value (unused)
                        s_gap = gap_l[j, 0, lane]
                        kg = 2.873e-3 + 7.76e-5 * tm
                        mu = 3.723e-6 + 4.94e-8 * tm
                        cpg = 1002.737 + 1.2324e-2 * tm
                        rho = GAP_PRESSURE_PA * AIR_MOLAR_MASS_KG_MOL / (GAS_CONSTANT_J_MOLK * tm)
                        ra_l[lane] = rho * rho * s_gap * s_gap * s_gap * 9.81 * cpg * abs(dj) / (tm * mu * kg)
                        kgap_l[lane] = kg / s_gap
                        hr_l[lane] = 4.0 * SIGMA_W_M2K4 * tm * tm * tm * gap_l[j, 2, lane]
                    for lane in range(nl):
                        if kind_l[j, lane] == LINK_GAP:
                            ra = ra_l[lane]
                            if ra > 5e4:
                                nu = 0.0673838 * ra ** (1.0 / 3.0)
                            elif ra > 1e4:
                                nu = 0.028154 * ra**0.4134
                            else:
                                nu = 1.0 + 1.7596678e-10 * ra**2.2984755
                            ra_a = ra * gap_l[j, 0, lane] / gap_l[j, 3, lane]
                            if ra_a > 184.0:  # else Nu_2 < 1 <= Nu_1 (see glazing_conductance)
                                nu = max(nu, 0.242 * ra_a**0.272)
                            nu_l[lane] = nu
                    for lane in range(nl):
                        kd = kind_l[j, lane]
                        hj = 1.0 / (gap_l[j, 1, lane] + 1.0 / (nu_l[lane] * kgap_l[lane] + hr_l[lane]))
                        dgap = (hj - h0_l[j, lane]) * area_l[j, lane]
                        dl[j, lane] = dgap if kd == LINK_GAP else (0.0 if kd == LINK_FIXED else dl[j, lane])
                if ext_j[j]:
                    # exterior links: h_n from the tarp line above (dl holds (h_n - h0) A); the DOE-2
                    # forced part with (f V)^b = f^b V^b (V^b once per hour); the long-wave part
                    for lane in range(nl):
                        if kind_l[j, lane] == LINK_EXTERIOR_DOE2:
                            h_n = dl[j, lane] / area_l[j, lane] + h0_l[j, lane]
                            az = gap_l[j, 0, lane]
                            windward = True
                            if az >= 0.0:
                                off = abs(wind_d[h] - az) % 360.0
                                windward = min(off, 360.0 - off) <= WINDWARD_DEG
                            forced = (3.26 * fw_l[j, lane] * v_ww) if windward else (3.55 * fe_l[j, lane] * v_lw)
                            h_c = h_n + gap_l[j, 1, lane] * (np.sqrt(h_n * h_n + forced * forced) - h_n)
                            tm = 0.5 * (dprev[j, lane] + te_prev + te) + 273.15
                            h_e = h_c + 4.0 * gap_l[j, 3, lane] * SIGMA_W_M2K4 * tm * tm * tm
                            dl[j, lane] = (h_e - h0_l[j, lane]) * area_l[j, lane]
                # base-system difference with Q = 0 (uses the state before the step)
                for lane in range(nl):
                    va[j, lane] = dz[j, lane] + qv_l[j, 0, lane] * te + qv_l[j, 1, lane] * ugain[lane]
                    vb[j, lane] = gv_l[j, lane]
                for gi in range(n_g):
                    ug = irr[h, gi]
                    if ug != 0.0:
                        for lane in range(nl):
                            va[j, lane] += qv_l[j, 2 + gi, lane] * ug
            for j in range(nc):
                for jj in range(nc):
                    for lane in range(nl):
                        mm[j, jj, lane] = s_l[j, jj, lane] * dl[jj, lane]
                for lane in range(nl):
                    mm[j, j, lane] += 1.0
            # solve (I + S diag(dl)) [pa, pb] = [d_b, g_v]: the new differences (no pivoting, see
            # module doc); e = diag(dl) p
            for p in range(nc):
                for lane in range(nl):
                    mm[p, p, lane] = 1.0 / mm[p, p, lane]  # the reciprocal pivot, reused below
                for r in range(p + 1, nc):
                    for lane in range(nl):
                        fac[lane] = mm[r, p, lane] * mm[p, p, lane]
                    for cc in range(p + 1, nc):
                        for lane in range(nl):
                            mm[r, cc, lane] -= fac[lane] * mm[p, cc, lane]
                    for lane in range(nl):
                        va[r, lane] -= fac[lane] * va[p, lane]
                        vb[r, lane] -= fac[lane] * vb[p, lane]
            for p in range(nc - 1, -1, -1):
                for cc in range(p + 1, nc):
                    for lane in range(nl):
                        va[p, lane] -= mm[p, cc, lane] * va[cc, lane]
                        vb[p, lane] -= mm[p, cc, lane] * vb[cc, lane]
                for lane in range(nl):
                    va[p, lane] *= mm[p, p, lane]
                    vb[p, lane] *= mm[p, p, lane]
            for j in range(nc):
                for lane in range(nl):
                    gd = gv_l[j, lane] * dl[j, lane]
                    ta0[lane] -= gd * va[j, lane]
                    kq[lane] -= gd * vb[j, lane]
            if any_op:
                for j in range(nc):
                    for lane in range(nl):
                        od = opcv_l[j, lane] * dl[j, lane]
                        op0[lane] -= od * va[j, lane]
                        kop[lane] -= od * vb[j, lane]
        if any_op:
            for lane in range(nl):
                # as below, on the controlled temperature c . x (air lanes: opw 0, the air's own)
                g = hve_l[lane] * ve_sched[vp_l[lane], h]
                k = kq[lane]
                den = 1.0 + k * g
                w = opw_l[lane]
                tc = ta0[lane] + w * (op0[lane] - ta0[lane])
                kc = k + w * (kop[lane] - k)
                t0 = tc + kc * g * (te - ta0[lane]) / den
                kk = kc / den
                sp = sp_l[lane]
                phi = _ideal_power(t0, kk, heat_sp[sp, h], cool_sp[sp, h], phmax_l[lane], pcmax_l[lane])
                qa = (phi + g * (te - ta0[lane])) / den
                q_air[lane] = qa
                phi_l[lane] = phi
                ta_l[lane] = ta0[lane] + k * qa
        else:
            for lane in range(nl):
                # scheduled ventilation at the air node, implicit: g (theta_e - theta_air)
                g = hve_l[lane] * ve_sched[vp_l[lane], h]
                k = kq[lane]
                den = 1.0 + k * g
                t0 = (ta0[lane] + k * g * te) / den
                kk = k / den
                sp = sp_l[lane]
                phi = _ideal_power(t0, kk, heat_sp[sp, h], cool_sp[sp, h], phmax_l[lane], pcmax_l[lane])
                ta = t0 + kk * phi
                q_air[lane] = g * (te - ta) + phi
                phi_l[lane] = phi
                ta_l[lane] = ta
        if nc > 0:
            for j in range(nc):
                for lane in range(nl):
                    pj = va[j, lane] + vb[j, lane] * q_air[lane]  # the new surface - air difference
                    dprev[j, lane] = pj
                    va[j, lane] = dl[j, lane] * pj  # e
        if nc > 0:
            # new state and, in the same pass over each mode's links, conv_cv . z for the next hour
            for j in range(nc):
                for lane in range(nl):
                    dz[j, lane] = 0.0
            for i in range(ns):
                for lane in range(nl):
                    z[i, lane] = zp[i, lane] + wq_l[i, lane] * q_air[lane]
                for j in range(nc):
                    for lane in range(nl):
                        z[i, lane] -= cv_l[i, j, lane] * va[j, lane]
                for j in range(nc):
                    for lane in range(nl):
                        dz[j, lane] += cv_l[i, j, lane] * z[i, lane]
        else:
            for i in range(ns):
                for lane in range(nl):
                    z[i, lane] = zp[i, lane] + wq_l[i, lane] * q_air[lane]
        te_prev = te
        if step < warm:
            continue
        mo = month[h]
        for lane in range(nl):
            phi = phi_l[lane]
            ta = ta_l[lane]
            ph = max(0.0, phi)
            pc = ph - phi
            q_h[lane] += ph
            q_c[lane] += pc
            mh[mo, lane] += ph
            mc[mo, lane] += pc
            if ph > peak_h[lane]:
                peak_h[lane] = ph
                peak_h_hour[lane] = h
            if pc > peak_c[lane]:
                peak_c[lane] = pc
                peak_c_hour[lane] = h
            ta_min[lane] = min(ta_min[lane], ta)
            ta_max[lane] = max(ta_max[lane], ta)
            ta_sum[lane] += ta
        if write_hourly:
            for lane in range(nl):
                if bt * nl + lane < n_b:
                    b = bl[lane]
                    hourly_phi[b, h] = phi_l[lane]
                    hourly_ta[b, h] = ta_l[lane]
    for lane in range(nl):
        if bt * nl + lane < n_b:
            b = bl[lane]
            heat_wh[b] = q_h[lane]
            cool_wh[b] = q_c[lane]
            for mo in range(12):
                m_heat[b, mo] = mh[mo, lane]
                m_cool[b, mo] = mc[mo, lane]
            pk_h[b] = peak_h[lane]
            pk_c[b] = peak_c[lane]
            pk_h_hour[b] = peak_h_hour[lane]
            pk_c_hour[b] = peak_c_hour[lane]
            t_min[b] = ta_min[lane]
            t_max[b] = ta_max[lane]
            t_mean[b] = ta_sum[lane] / n_h


@jit_parallel
def simulate_iso52016(building, climate, control, warmup_hours, out):
    """Run every building over the hours of ``climate``; write the aggregates into ``out``.

    Parameters
    ----------
    building : Building52016
    climate : Climate52016
    control : Control52016
    warmup_hours : int, hours (taken periodically from the end of the series) run first.
    out : Outputs52016, caller-allocated; ``hourly_*`` of shape (0, 0) are not written.
    """
    n_b = building.lam.shape[0]
    n_h = climate.t_out_c.shape[0]
    n_cl = building.conv_gv.shape[1]
    n_modes = building.n_modes
    warm = min(warmup_hours, n_h)
    # lanes per batch: a run-time count (the lane loops then go to LLVM's loop vectoriser, with its
    # run-time overlap checks; a compile-time 32 is unrolled instead and runs slower)
    nl = max(1, min(LANES, n_b))
    n_batch = (n_b + nl - 1) // nl
    # batches of buildings with similar mode / link counts (a batch runs its largest counts)
    order = np.argsort(n_modes * (n_cl + 1) + building.n_conv, kind="mergesort")
    # the output record goes whole to the batch function, which unpacks it (no write through a tuple
    # field inside the prange loop: Numba's parallel backend can lose those)
    for bt in prange(n_batch):
        _run_batch(bt, nl, order, building, climate, control, warm, out)


def allocate_outputs(n_b: int, n_h: int, *, hourly: bool = False) -> Outputs52016:
    """Zeroed output arrays for :func:`simulate_iso52016` (``hourly``: also (n_b, n_h) series)."""
    nh = (n_b, n_h) if hourly else (0, 0)
    return Outputs52016(
        heat_wh=np.zeros(n_b),
        cool_wh=np.zeros(n_b),
        monthly_heat_wh=np.zeros((n_b, 12)),
        monthly_cool_wh=np.zeros((n_b, 12)),
        peak_heat_w=np.zeros(n_b),
        peak_heat_hour=np.full(n_b, -1, dtype=np.int64),
        peak_cool_w=np.zeros(n_b),
        peak_cool_hour=np.full(n_b, -1, dtype=np.int64),
        t_air_min_c=np.zeros(n_b),
        t_air_max_c=np.zeros(n_b),
        t_air_mean_c=np.zeros(n_b),
        hourly_phi_hc_w=np.zeros(nh),
        hourly_t_air_c=np.zeros(nh),
    )
