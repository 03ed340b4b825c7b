"""Give-way capacity of a yielding approach, for dynamic loading (:mod:`twin.kernels.dnl_ltm`).

The formulas of :mod:`twin.traffic.priority` and :mod:`twin.traffic.roundabout` (static
assignment), written once for the kernel:
Harders' potential capacity of a minor stream at conflicting flow ``v_c`` (veh/h; HCM 2010
Eq. 19-30)::

    c = v_c exp(-v_c t_c / 3600) / (1 - exp(-v_c t_f / 3600))    (c = 3600 / t_f at v_c = 0)

and the entry capacity of a roundabout by its lanes (HCM 2010 Eq. 21-1 to 21-5), the sum over
the entry's lanes of ``a exp(-b v_c)`` (``a`` = 1130 veh/h; ``b`` = 1.0e-3 h/veh against one
circulating lane, whatever the entry's lanes; against two, 0.7e-3 for a one-lane entry or a
two-lane entry's right lane, 0.75e-3 for its left lane; 3+ lanes count as 2), both floored.
The constants come from the caller (:data:`twin.traffic.roundabout.ROUNDABOUT_INTERCEPT_VEH_H`
and the others), so the kernel and the static model share one set; a test checks
:func:`give_way_capacity_veh_h` against :meth:`twin.traffic.priority.Junctions.capacity` and
:func:`twin.traffic.roundabout.roundabout_capacity` for every lane configuration.

In the link transmission model the conflicting flow of each yielding approach is the sum of the
outflows of the approaches it gives way to, averaged over the last ``window_steps`` steps (fewer
at the start of the run), and the approach's stop-line capacity (``discharge_veh_s``) is its
capacity without give-way capped by the give-way capacity, recomputed every step
(:func:`update_give_way`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit

GW_CRITICAL_S = 0
"""Index of the critical headway ``t_c`` (s) in :attr:`LtmGiveWay.params`."""
GW_FOLLOW_UP_S = 1
"""Index of the follow-up headway ``t_f`` (s)."""
GW_RB_INTERCEPT = 2
"""Index of the roundabout entry capacity at zero circulating flow (veh/h)."""
GW_RB_DECAY = 3
"""Index of the roundabout decay with the circulating flow (h/veh)."""
GW_FLOOR = 4
"""Index of the floor of every give-way capacity (veh/h)."""
GW_RB_DECAY_TWO = 5
"""Index of the roundabout decay against two circulating lanes of a one-lane entry or a two-lane
entry's right lane (h/veh)."""
GW_RB_DECAY_TWO_LEFT = 6
"""Index of the roundabout decay against two circulating lanes of a two-lane entry's left lane (h/veh)."""
GW_N_PARAMS = 7


class LtmGiveWay(NamedTuple):
    """The yielding approaches of a dynamic loading (all arrays empty: no give-way)."""

    approach: np.ndarray  # int64 (n_gw): the link of each yielding approach
    roundabout: np.ndarray  # bool (n_gw): a roundabout entry (Eq. 21-1 to 21-5), else Harders
    conf_ptr: np.ndarray  # int64 (n_gw + 1): CSR of the links each approach gives way to
    conf_link: np.ndarray  # int64
    params: np.ndarray  # float64 (GW_N_PARAMS): t_c, t_f, roundabout intercept and decay, floor, decays against two lanes
    window_steps: int  # steps of the moving average of the conflicting outflows (>= 1)
    entry_lanes: np.ndarray  # int64 (n_gw): lanes of a roundabout entry (1 elsewhere)
    circulating_lanes: np.ndarray  # int64 (n_gw): lanes of the ring in front of it (1 elsewhere)


@jit
def roundabout_entry_capacity_veh_h(circulating_veh_h, entry_lanes, circulating_lanes, params):
    """Capacity (veh/h, not floored) of a roundabout entry of ``entry_lanes`` lanes against
    ``circulating_lanes`` circulating lanes at circulating flow ``circulating_veh_h`` (>= 0):
    HCM 2010 Eq. 21-1 to 21-5 summed over the entry's lanes (module docstring)."""
    vc = circulating_veh_h
    a = params[GW_RB_INTERCEPT]
    if circulating_lanes < 2:  # Eq. 21-1, each lane of Eq. 21-2
        return (2.0 if entry_lanes >= 2 else 1.0) * (a * math.exp(-params[GW_RB_DECAY] * vc))
    c = a * math.exp(-params[GW_RB_DECAY_TWO] * vc)  # Eq. 21-3, or the right lane (Eq. 21-4)
    if entry_lanes >= 2:
        c += a * math.exp(-params[GW_RB_DECAY_TWO_LEFT] * vc)  # the left lane (Eq. 21-5)
    return c


@jit
def give_way_capacity_veh_h(conflicting_veh_h, roundabout, params, entry_lanes=1, circulating_lanes=1):
    """Capacity (veh/h) of a yielding approach at conflicting flow ``conflicting_veh_h`` (>= 0):
    at a roundabout entry HCM 2010 Eq. 21-1 to 21-5 by its lanes (default one against one), else
    Harders' potential capacity; at least ``params[GW_FLOOR]`` (module docstring)."""
    vc = conflicting_veh_h
    if roundabout:
        c = roundabout_entry_capacity_veh_h(vc, entry_lanes, circulating_lanes, params)
    elif vc > 0.0:
        c = vc * math.exp(-vc * params[GW_CRITICAL_S] / 3600.0) / -math.expm1(-vc * params[GW_FOLLOW_UP_S] / 3600.0)
    else:
        c = 3600.0 / params[GW_FOLLOW_UP_S]
    floor = params[GW_FLOOR]
    return c if c > floor else floor


@jit
def update_give_way(gw, cum_out, t, dt_s, base_veh_s, discharge_veh_s, cap_veh_s):
    """Stop-line capacities of the yielding approaches for step ``t`` (module docstring).

    ``discharge_veh_s[a] = min(base_veh_s[a], c / 3600)`` for every yielding approach ``a``, ``c``
    the give-way capacity at the conflicting links' mean outflow over steps ``[t - w, t]`` (``w =
    min(t, window_steps)``; zero flow at ``t = 0``), also written to ``cap_veh_s[j, t]``.
    """
    w = gw.window_steps if gw.window_steps < t else t
    for j in range(gw.approach.shape[0]):
        vc = 0.0
        if w > 0:
            for k in range(gw.conf_ptr[j], gw.conf_ptr[j + 1]):
                c = gw.conf_link[k]
                vc += cum_out[c, t] - cum_out[c, t - w]
            vc = vc * 3600.0 / (w * dt_s)
            if vc < 0.0:
                vc = 0.0
        cap = give_way_capacity_veh_h(vc, gw.roundabout[j], gw.params, gw.entry_lanes[j], gw.circulating_lanes[j]) / 3600.0
        cap_veh_s[j, t] = cap
        a = gw.approach[j]
        discharge_veh_s[a] = base_veh_s[a] if base_veh_s[a] < cap else cap


def no_give_way() -> LtmGiveWay:
    """An :class:`LtmGiveWay` without yielding approaches (the kernel then runs as before)."""
    empty = np.zeros(0, dtype=np.int64)
    return LtmGiveWay(empty, np.zeros(0, dtype=np.bool_), np.zeros(1, dtype=np.int64), empty.copy(), np.zeros(GW_N_PARAMS), 1, empty.copy(), empty.copy())
