"""ISO 13790 5R1C heating over arbitrary periods, from a given mass temperature (state in, state out).

The annual kernel (:mod:`twin.kernels.energy_5r1c`) starts every run from a warm-up and sums
by calendar month. Calibration against meter readings and a recursive filter need two more
things, which this kernel adds:

* **periods**: every hour carries the index of the meter period it belongs to (a bill, a
  month, a day, an hour; ``-1``: not recorded) and the heating energy is summed per period;
* **state**: the run starts from each building's mass temperature ``theta_m`` (the only state
  of the 5R1C network: the air and surface nodes are algebraic) and leaves the final one in
  the same array, so a filter can advance every ensemble member by one day at a time.

Heating only (ideal control to a heating setpoint, clipped at the heating power limit); the
setpoint of building ``b`` in hour ``h`` is ``heat_setpoint_c[b] + setpoint_offset_k[h]`` (a
shared schedule, e.g. a night setback; ``-inf`` anywhere: heating off). The equations and the
order of the floating-point operations are those of
:func:`twin.kernels.energy_5r1c.simulate_5r1c` (ISO 13790 C.2-C.11 in affine form, closed-form
C.4 control), so monthly totals agree with it: both kernels take the same grouped inputs
(:class:`~twin.kernels.energy_5r1c.Building5R1C`, :class:`~twin.kernels.energy_5r1c.Climate5R1C`)
and call the same functions for the per-building constants
(:func:`~twin.kernels.energy_5r1c.lane_constants`, :func:`~twin.kernels.energy_5r1c.lane_solar_coefficients`)
and the hourly solar heat flow of a block (:func:`~twin.kernels.energy_5r1c.block_solar_flow`).

Hours are taken from the series cyclically: step ``s`` of a run uses hour
``(start_hour + s) mod n_h``, so a warm-up over the last hours of a typical year is a run with
``start_hour = n_h - w`` and ``record = False``.

Layout: ``prange`` over chunks of blocks of ``BLOCK`` buildings (lanes side by side in the hour
loop, as in the annual kernel); each chunk writes only its own rows.

References
----------
ISO 13790:2008, Annex C, §7.2.2.2, §12.2.2.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit_parallel, prange
from twin.kernels.energy_5r1c import (
    BLOCK,
    K_A_G,
    K_A_SOL,
    K_A_TE,
    K_A_TM,
    K_B_G,
    K_B_SOL,
    K_B_TE,
    K_B_TM,
    K_IK,
    K_K,
    K_P2,
    K_PHMAX,
    N_CONST,
    Building5R1C,
    Climate5R1C,
    block_solar_flow,
    block_ventilation_hour,
    block_ventilation_profile,
    lane_start,
)

__all__ = ["BLOCK", "Building5R1C", "Climate5R1C", "PeriodOutputs5R1C", "run_periods_5r1c"]


class PeriodOutputs5R1C(NamedTuple):
    """Outputs of :func:`run_periods_5r1c`, allocated by the caller.

    Attributes
    ----------
    period_heat_wh : (n_b, n_p) heating energy per period, Wh (added to what it holds).
    hourly_heat_w : (n_b, n_steps) heating power of each step, W, or shape (0, 0).
    hourly_t_air_c : (n_b, n_steps) air temperature of each step, degC, or shape (0, 0).
    """

    period_heat_wh: np.ndarray
    hourly_heat_w: np.ndarray
    hourly_t_air_c: np.ndarray


@jit_parallel
def run_periods_5r1c(
    building, climate, heat_setpoint_c, setpoint_offset_k, period, start_hour, n_steps, record, n_chunks, theta_m_c, out,
):  # fmt: skip
    """Advance ``n_b`` buildings by ``n_steps`` hours; sum the heating energy per period.

    Parameters
    ----------
    building : Building5R1C
        Per-building constants (``n_b`` rows), as for :func:`twin.kernels.energy_5r1c.simulate_5r1c`
        (``phi_h_max_w``: ``inf`` for unlimited; film correction and scheduled ventilation per
        building); the caller checks them.
    climate : Climate5R1C
        Outdoor temperature, irradiance per surface group, month and gain schedules (``n_h`` hours).
    heat_setpoint_c : (n_b,) heating setpoint, degC (``-inf``: heating off).
    setpoint_offset_k : (n_h,) offset added to every setpoint, K (``-inf``: heating off).
    period : (n_h,) int64, period index of each hour (``-1``: not summed).
    start_hour, n_steps : int, first hour and number of hours (cyclic over the series).
    record : bool, sum into the outputs (False: warm-up, only the state moves).
    n_chunks : int, parallel work items (1 <= n_chunks <= number of blocks).
    theta_m_c : (n_b,) mass temperature, degC: read at the start, overwritten by the final one.
    out : PeriodOutputs5R1C
        Written in place (see the class).
    """
    t_out_c, irr_hg, month, gain_schedule = climate.t_out_c, climate.irr_hg, climate.month, climate.gain_schedule
    ve_schedule = climate.ve_schedule
    # outputs as local names: a write through a tuple field inside a prange loop is lost (Numba issues 5872, 7135)
    out_period_heat_wh, out_hourly_heat_w, out_hourly_t_air_c = out.period_heat_wh, out.hourly_heat_w, out.hourly_t_air_c
    n_b = building.a_t_m2.shape[0]
    n_h = t_out_c.shape[0]
    n_g = irr_hg.shape[1]
    n_p = out_period_heat_wh.shape[1]
    want_phi = out_hourly_heat_w.shape[0] > 0
    want_t = out_hourly_t_air_c.shape[0] > 0
    n_blocks = (n_b + BLOCK - 1) // BLOCK
    for c in prange(n_chunks):
        coef = np.empty((12, n_g, BLOCK))
        kc = np.empty((N_CONST, BLOCK))
        hs = np.empty(BLOCK)
        gp = np.empty(BLOCK, dtype=np.int64)
        tm = np.empty(BLOCK)
        sol = np.empty(BLOCK)
        phi = np.empty(BLOCK)
        tav = np.empty(BLOCK)
        gsv = np.empty(BLOCK)
        act = np.empty(n_g, dtype=np.int64)
        aiv = np.empty(n_g)
        lane_b = np.empty(BLOCK, dtype=np.int64)
        vp = np.empty(BLOCK, dtype=np.int64)
        lane_v = np.empty(BLOCK)
        for blk in range(c * n_blocks // n_chunks, (c + 1) * n_blocks // n_chunks):
            b0 = blk * BLOCK
            nb = min(BLOCK, n_b - b0)
            for j in range(BLOCK):
                # padding lanes repeat the block's first building (results discarded)
                b = b0 + j if j < nb else b0
                lane_start(building, b, j, kc, coef, lane_b, vp, lane_v)
                hs[j] = heat_setpoint_c[b]
                gp[j] = building.gain_profile[b]
                tm[j] = theta_m_c[b]
            uniform = True
            for j in range(BLOCK):
                uniform = uniform and gp[j] == gp[0]
            n_vent, vent_uniform, vp_u = block_ventilation_profile(building, lane_b, vp)
            v_last = np.nan
            for step in range(n_steps):
                h = (start_hour + step) % n_h
                te = t_out_c[h]
                mo = month[h]
                off = setpoint_offset_k[h]
                p = period[h]
                v_last = block_ventilation_hour(building, ve_schedule, h, lane_b, vp, lane_v, kc, n_vent, vent_uniform, vp_u, v_last)
                block_solar_flow(irr_hg, h, mo, coef, act, aiv, sol)
                if uniform:
                    g_u = gain_schedule[gp[0], h]
                    for j in range(BLOCK):
                        gsv[j] = g_u
                else:
                    for j in range(BLOCK):
                        gsv[j] = gain_schedule[gp[j], h]
                for j in range(BLOCK):
                    g_s = gsv[j]
                    tm_old = tm[j]
                    ta = kc[K_A_G, j] * g_s + kc[K_A_SOL, j] * sol[j] + kc[K_A_TE, j] * te + kc[K_A_TM, j] * tm_old
                    tm_new = kc[K_B_G, j] * g_s + kc[K_B_SOL, j] * sol[j] + kc[K_B_TE, j] * te + kc[K_B_TM, j] * tm_old
                    need = (hs[j] + off - ta) * kc[K_IK, j]
                    need = max(0.0, need)
                    need = min(kc[K_PHMAX, j], need)
                    tav[j] = ta + kc[K_K, j] * need
                    tm[j] = tm_new + kc[K_P2, j] * need
                    phi[j] = need
                if record:
                    if p >= 0 and p < n_p:
                        for j in range(nb):
                            out_period_heat_wh[b0 + j, p] += phi[j]
                    if want_phi:
                        for j in range(nb):
                            out_hourly_heat_w[b0 + j, step] = phi[j]
                    if want_t:
                        for j in range(nb):
                            out_hourly_t_air_c[b0 + j, step] = tav[j]
            for j in range(nb):
                theta_m_c[b0 + j] = tm[j]
