"""Give-way at unsignalised junctions in dynamic loading (:func:`twin.traffic.dynamic.simulate`).

Method
------
The junctions and who gives way to whom are those of static assignment
(:func:`twin.traffic.priority.classify_junctions`; on a scene
:func:`~twin.traffic.priority.scene_junctions`, which leaves the signalised nodes out when the
signals are on). Every yielding approach gets, at every time step, a stop-line capacity of
``min(capacity, c(v_c))``: ``c`` is the give-way capacity of static assignment (Harders'
potential capacity, HCM 2010 Eq. 19-30, with :class:`~twin.traffic.priority.GiveWayParameters`'
``t_c`` and ``t_f``; at a roundabout entry HCM 2010 Eq. 21-1 to 21-5 by its lanes), computed in the kernel by
:func:`twin.kernels.give_way.give_way_capacity_veh_h` with the constants of
:mod:`twin.traffic.priority`; ``v_c`` (veh/h) is the sum of the *outflows* of the approaches it
gives way to, averaged over the last ``window_s`` seconds (:data:`DEFAULT_WINDOW_S`; fewer at the
start of the run, zero at the first step). The capacity caps the approach's sending flow and is
its priority in the node model, as a signal's ``s g`` does (:mod:`twin.traffic.dynamic_turns`).

Delay, unlike static assignment: no HCM control-delay term is added. A yielding approach loses
time only in the queue that builds when its demand exceeds ``c(v_c)`` (point queue of the link
transmission model, spilling back like any bottleneck); below it a vehicle passes at the free
speed, where the static model charges ``3600 / c + 5`` s even at zero flow (HCM 2010 Eq. 19-64)
and a random-arrival queue below capacity.

Limits: those of the static model (one capacity per approach, the signs assumed from the road
classes, ...), plus: the conflicting flow lags the priority stream by up to one window (a moving
average of what left, not of what arrives); the priority stream never slows for the minor one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from twin.kernels.give_way import LtmGiveWay
    from twin.traffic.network import Network
    from twin.traffic.priority import GiveWayParameters, Junctions

DEFAULT_WINDOW_S = 120.0
"""Window of the moving average of the conflicting outflows, s (a couple of signal cycles: long
enough to smooth platoons, short enough to follow a peak)."""
MAX_WINDOW_S = 3600.0
"""Longest window, s."""


@dataclass(frozen=True)
class GiveWayArrays:
    """The kernel record of the yielding approaches (:class:`twin.kernels.give_way.LtmGiveWay`),
    the junctions it came from (None: give-way off) and the window in steps."""

    kernel: LtmGiveWay
    junctions: Junctions | None
    window_steps: int


def give_way_arrays(
    network: Network, junctions: Junctions | None, *, params: GiveWayParameters | None = None, window_s: float = DEFAULT_WINDOW_S, dt_s: float = 1.0
) -> GiveWayArrays:
    """Validate ``junctions`` against ``network`` and turn them into the kernel record.

    Parameters
    ----------
    network
        The network of the dynamic loading (the one ``junctions`` were classified on).
    junctions
        Yielding approaches (:func:`twin.traffic.priority.classify_junctions`); None: none.
    params
        Gap-acceptance parameters (default :class:`~twin.traffic.priority.GiveWayParameters`).
    window_s
        Window of the moving average of the conflicting outflows, s: finite, in
        ``[dt_s, MAX_WINDOW_S]``, rounded to whole steps.
    dt_s
        Time step of the run, s.

    Returns
    -------
    GiveWayArrays

    Raises
    ------
    InputError
        Not a :class:`~twin.traffic.priority.Junctions`; an approach or a conflicting link outside
        the network, an approach listed twice or not entering its node, one without capacity;
        parameters out of range; a window out of range.
    """
    from twin.kernels.give_way import (
        GW_CRITICAL_S,
        GW_FLOOR,
        GW_FOLLOW_UP_S,
        GW_N_PARAMS,
        GW_RB_DECAY,
        GW_RB_DECAY_TWO,
        GW_RB_DECAY_TWO_LEFT,
        GW_RB_INTERCEPT,
        LtmGiveWay,
        no_give_way,
    )
    from twin.traffic.priority import (
        MIN_CAPACITY_VEH_H,
        ROUNDABOUT_DECAY_H_VEH,
        ROUNDABOUT_DECAY_TWO_H_VEH,
        ROUNDABOUT_DECAY_TWO_LEFT_H_VEH,
        ROUNDABOUT_INTERCEPT_VEH_H,
        GiveWayParameters,
        Junctions,
    )

    if junctions is None:
        return GiveWayArrays(no_give_way(), None, 1)
    if not (isinstance(window_s, (int, float, np.floating)) and np.isfinite(window_s) and dt_s <= window_s <= MAX_WINDOW_S):
        raise InputError(f"the give-way window must be a finite number of seconds in [{dt_s:g} (one step), {MAX_WINDOW_S:g}], got {window_s}",
                         field="give_way_window_s")  # fmt: skip
    steps = max(1, int(round(window_s / dt_s)))
    if not isinstance(junctions, Junctions):
        raise InputError("give_way must be the yielding approaches of the network (twin.traffic.priority.classify_junctions or scene_junctions), "
                         f"False or None; got {type(junctions).__name__}", field="give_way")  # fmt: skip
    params = params or GiveWayParameters()
    params.check("give_way_params")
    m = network.n_links
    approach = np.asarray(junctions.approach, dtype=np.int64)
    node = np.asarray(junctions.node, dtype=np.int64)
    if approach.size and (approach.min() < 0 or approach.max() >= m):
        raise InputError(f"a yielding approach is not a link of the network ({m} links): were the junctions classified on another network?",
                         obj=f"network {network.name}", field="give_way")  # fmt: skip
    if np.unique(approach).size != approach.size:
        raise InputError(
            "a link is listed twice as a yielding approach",
            obj=f"link {network.link_ids[approach[np.argmax(np.bincount(approach))]]}",
            field="give_way",
        )
    wrong = np.flatnonzero(network.to_node.astype(np.int64)[approach] != node)
    if wrong.size:
        raise InputError(
            "the yielding approach does not enter its junction's node", obj=f"link {network.link_ids[approach[wrong[0]]]}", field="give_way"
        )
    empty = np.flatnonzero(~(np.asarray(network.capacity, dtype=np.float64)[approach] > 0))
    if empty.size:
        raise InputError("a yielding approach has no capacity", obj=f"link {network.link_ids[approach[empty[0]]]}", field="give_way")
    conf_ptr = np.zeros(approach.size + 1, dtype=np.int64)
    conf_ptr[1:] = np.cumsum([np.asarray(c).size for c in junctions.conflicts])
    conf_link = np.concatenate([np.asarray(c, dtype=np.int64) for c in junctions.conflicts]) if approach.size else np.zeros(0, dtype=np.int64)
    if conf_ptr.size != approach.size + 1 or (conf_link.size and (conf_link.min() < 0 or conf_link.max() >= m)):
        raise InputError("the conflicting links of the junctions are not links of the network", obj=f"network {network.name}", field="give_way")
    values = np.zeros(GW_N_PARAMS)
    values[GW_CRITICAL_S], values[GW_FOLLOW_UP_S] = params.critical_headway_s, params.follow_up_headway_s
    values[GW_RB_INTERCEPT], values[GW_RB_DECAY], values[GW_FLOOR] = ROUNDABOUT_INTERCEPT_VEH_H, ROUNDABOUT_DECAY_H_VEH, MIN_CAPACITY_VEH_H
    values[GW_RB_DECAY_TWO], values[GW_RB_DECAY_TWO_LEFT] = ROUNDABOUT_DECAY_TWO_H_VEH, ROUNDABOUT_DECAY_TWO_LEFT_H_VEH
    lanes = (np.asarray(junctions.entry_lanes, dtype=np.int64), np.asarray(junctions.circulating_lanes, dtype=np.int64))  # one per approach (Junctions checks)
    kernel = LtmGiveWay(approach, np.asarray(junctions.roundabout, dtype=np.bool_), conf_ptr, conf_link, values, steps, *lanes)
    return GiveWayArrays(kernel, junctions, steps)


def give_way_meta(arrays: GiveWayArrays, capacity_veh_s: np.ndarray, queue_veh: Any, dt_s: float) -> dict[str, Any]:
    """Summary entries of a run: ``give_way`` on/off, the counts of
    :meth:`~twin.traffic.priority.Junctions.summary` (``give_way_<count>``), the window, the mean
    give-way capacity over the yielding approaches and the steps (veh/h) and the vehicle-hours
    queued on the yielding approaches (``queue_veh``: a function of the link indices returning
    their held-back vehicles per sample time, :meth:`twin.traffic.dynamic.DynamicResult.queue_veh`)."""
    if arrays.junctions is None:
        return {"give_way": "off"}
    out: dict[str, Any] = {"give_way": "on", **{f"give_way_{k}": v for k, v in arrays.junctions.summary().items()}}
    out["give_way_window_s"] = float(arrays.window_steps * dt_s)
    out["give_way_mean_capacity_veh_h"] = float(capacity_veh_s.mean() * 3600.0) if capacity_veh_s.size else float("nan")
    if arrays.kernel.approach.size:
        q = queue_veh(arrays.kernel.approach).sum(axis=0)
        out["give_way_queue_veh_h"] = float(dt_s * (0.5 * q[0] + q[1:-1].sum() + 0.5 * q[-1]) / 3600.0)
    else:
        out["give_way_queue_veh_h"] = 0.0
    return out


__all__ = ["DEFAULT_WINDOW_S", "MAX_WINDOW_S", "GiveWayArrays", "give_way_arrays", "give_way_meta"]
