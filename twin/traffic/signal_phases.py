"""Phases and green split of a pretimed signal: approaches grouped by street axis, Webster's split.

Method
------
*Phases.* The approaches of a signalised node are grouped by the axis of the arriving link's
last segment (its bearing modulo 180 degrees: the two approaches of one street share an axis).
Agglomerative grouping on the axial circle: the two groups whose mean axes (axial means, by
doubled angles) are closest merge while they lie within ``tolerance_deg`` of each other, or
while there are more groups than phases. A crossroads gives two phases (its two streets), a
T-junction two (the through road, the stem), a Y-junction's three arms two (the closest two
arms share a phase). Each group is one phase; the phases are numbered in the order of their
first approach.

*Split* (Webster 1958; HCM 2000 chapter 16; Akcelik 1981). With ``k`` phases, lost time ``l``
per phase and cycle ``C``, phase ``p`` gets the effective green::

    g_p = (C - L) y_p / Y,   y_p = max over its approaches of (design flow / saturation flow),
    Y = sum of y_p,          L = k l

Design flow: the approach's mid-block capacity (``split="capacity"``: what the street is built
to carry, a planning assumption in place of counted flows) or a given flow (``split="flows"``,
e.g. from a previous assignment or counts; :func:`approach_design_flows`: a counted 0 veh/h stays
0, an approach not counted takes its capacity). A phase whose share falls below the minimum green
gets the minimum (as does a phase with ``y = 0``, all its approaches counted 0) and the others share the rest
in proportion to their ``y`` (repeated until no phase is below). A node whose phases all have
``y = 0`` (every approach counted 0) keeps the equal split (status ``no_flow``): Webster's rule
has no ratio to share by. The minimum green default, 12 s, is the HCM 2000
(chapter 16) pedestrian minimum ``3.2 + L_c / S_p`` for a 10 m crossing walked at 1.2 m/s
(11.5 s) rounded up, no pedestrian platoon term. A node whose approaches share one axis (a
mid-block or one-way crossing) or whose bearings are unknown keeps the equal split.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.errors import InputError
from twin.option_names import SPLITS  # green split rules (there for the command line, kept here)

SPLIT_STATUSES = {"split": "nodes_split", "one_axis": "nodes_one_axis", "no_bearing": "nodes_without_bearing", "no_flow": "nodes_no_flow"}
"""Key of the split counts (``SignalNetwork.split``, ``SignalStopLines.split``) of each status of :func:`node_split`."""


def last_segment_bearings(geometries: Any) -> np.ndarray:
    """Bearing of the last segment of non-zero length of each line, degrees clockwise from +y.

    Parameters
    ----------
    geometries
        Array of shapely LineStrings (a projected CRS: x east, y north); None or empty lines allowed.

    Returns
    -------
    ndarray (n,)
        Bearing in [0, 360); NaN for a line without a segment of non-zero length.
    """
    import shapely

    geoms = np.asarray(geometries, dtype=object)
    out = np.full(len(geoms), np.nan)
    if not len(geoms):
        return out
    xy, index = shapely.get_coordinates(geoms, return_index=True)
    if not len(xy):
        return out
    same = index[1:] == index[:-1]
    d = xy[1:] - xy[:-1]
    ok = same & ((d[:, 0] != 0) | (d[:, 1] != 0))
    seg = np.flatnonzero(ok)
    last = np.full(len(geoms), -1, dtype=np.int64)
    np.maximum.at(last, index[seg], seg)
    has = last >= 0
    out[has] = np.degrees(np.arctan2(d[last[has], 0], d[last[has], 1])) % 360.0
    return out


def chord_bearings(from_xy: np.ndarray, to_xy: np.ndarray) -> np.ndarray:
    """Bearing (degrees clockwise from +y, [0, 360)) from ``from_xy`` to ``to_xy`` ((n, 2) each); NaN where
    a coordinate is missing or the two points coincide."""
    d = np.asarray(to_xy, dtype=np.float64) - np.asarray(from_xy, dtype=np.float64)
    out = np.degrees(np.arctan2(d[:, 0], d[:, 1])) % 360.0
    out[~np.isfinite(d).all(axis=1) | ((d[:, 0] == 0) & (d[:, 1] == 0))] = np.nan
    return out


def network_bearings(network: Any, node_xy: np.ndarray) -> np.ndarray:
    """Bearing of every link of ``network`` from its tail to its head node, node coordinates ``node_xy``
    ((n_nodes, 2), NaN where unknown): the arriving direction of a straight link.

    Raises
    ------
    InputError
        ``node_xy`` is not one (x, y) pair per node.
    """
    node_xy = np.asarray(node_xy, dtype=np.float64)
    if node_xy.shape != (network.n_nodes, 2):
        raise InputError(f"node coordinates must be one (x, y) per node ({network.n_nodes}, 2), got shape {node_xy.shape}", field="node_xy")
    return chord_bearings(node_xy[network.from_node], node_xy[network.to_node])


def scene_link_bearings(scene: Any, network: Any) -> np.ndarray:
    """Arriving bearing of every link of ``network`` (built from ``scene``: street links keep their
    ``link_id``): the last segment of the scene link's geometry (in the scene's CRS; a link's
    geometry runs from its tail to its head), else the chord between its nodes' points, else NaN
    (zone connectors). For :func:`twin.traffic.signals.add_signals` (``bearing=``)."""
    links, nodes = scene.links, scene.nodes
    by_link = dict(zip(links["link_id"].tolist(), last_segment_bearings(links.geometry.values).tolist()))
    out = np.array([by_link.get(k, np.nan) for k in network.link_ids.tolist()], dtype=np.float64)
    missing = np.isnan(out)
    if missing.any():
        points = dict(zip(nodes["node_id"].tolist(), nodes.geometry.values))
        xy = np.array([(p.x, p.y) if (p := points.get(k)) is not None else (np.nan, np.nan) for k in network.node_ids.tolist()], dtype=np.float64)
        xy = xy.reshape(network.n_nodes, 2)
        out[missing] = network_bearings(network, xy)[missing]
    return out


def _axial_mean(axes: np.ndarray) -> float:
    """Mean of axes (degrees modulo 180) by their doubled angles."""
    t = np.radians(2.0 * axes)
    return float(np.degrees(np.arctan2(np.sin(t).mean(), np.cos(t).mean())) / 2.0 % 180.0)


def _axial_distance(a: float, b: float) -> float:
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def group_phases(bearings: np.ndarray, n_phases: int, tolerance_deg: float) -> np.ndarray:
    """Phase (0 .. k-1, k <= ``n_phases``) of each approach of one node from its arriving bearings.

    Parameters
    ----------
    bearings
        (n,) arriving bearings, degrees (finite).
    n_phases
        Largest number of phases.
    tolerance_deg
        Groups whose mean axes lie within this angle (modulo 180) share a phase.

    Returns
    -------
    ndarray (n,) int
        Phase of each approach, numbered in the order of each phase's first approach.
    """
    axes = np.asarray(bearings, dtype=np.float64) % 180.0
    groups = [[i] for i in range(len(axes))]
    centres = [float(a) for a in axes]
    while len(groups) > 1:
        best = min((_axial_distance(centres[i], centres[j]), i, j) for i in range(len(groups)) for j in range(i + 1, len(groups)))
        dist, i, j = best
        if dist > tolerance_deg and len(groups) <= n_phases:
            break
        groups[i] += groups.pop(j)
        centres.pop(j)
        centres[i] = _axial_mean(axes[groups[i]])
    phase = np.empty(len(axes), dtype=np.int64)
    for p, members in enumerate(sorted(groups, key=min)):
        phase[members] = p
    return phase


def approach_design_flows(capacity_veh_h: np.ndarray, counted_veh_h: np.ndarray) -> np.ndarray:
    """Design flows of a ``flows`` split: the counted flow of each approach, its capacity where it is not counted.

    The one rule of static (:func:`twin.traffic.signals.add_signals`) and dynamic
    (:func:`twin.traffic.dynamic_turns.signal_stop_lines`) signals: a counted 0 veh/h is a count
    (the approach then gets the minimum green), NaN means "not counted" (the approach's capacity,
    the ``capacity`` split's planning assumption, stands in).

    Parameters
    ----------
    capacity_veh_h
        (n,) capacity of the approaches, veh/h.
    counted_veh_h
        (n,) counted flow of the approaches, veh/h (>= 0; NaN: not counted).

    Returns
    -------
    ndarray (n,)
        Design flows, veh/h.
    """
    counted = np.asarray(counted_veh_h, dtype=np.float64)
    return np.where(np.isnan(counted), np.asarray(capacity_veh_h, dtype=np.float64), counted)


def webster_green_ratios(y: np.ndarray, cycle_s: float, lost_time_s: float, min_green_s: float) -> np.ndarray:
    """Effective green ratio ``g_p / C`` of each phase by Webster's rule with a minimum green.

    Parameters
    ----------
    y
        (k,) flow ratio of each phase (finite, >= 0); a phase with ``y = 0`` gets the minimum green.
    cycle_s, lost_time_s, min_green_s
        Cycle, lost time per phase and minimum effective green, s (``k min_green <= C - k lost``).

    Returns
    -------
    ndarray (k,)
        Green ratios, summing to ``(C - k lost) / C``, each at least ``min_green / C``; every
        ``y = 0`` (no flow to share by): the equal shares ``(C - k lost) / (k C)``.

    Raises
    ------
    InputError
        A flow ratio that is not finite or below 0.
    """
    y = np.asarray(y, dtype=np.float64)
    if not (np.isfinite(y) & (y >= 0)).all():
        raise InputError(f"phase flow ratios must be finite and >= 0, got {y.tolist()}", field="y")
    total = (cycle_s - len(y) * lost_time_s) / cycle_s
    if not y.any():
        return np.full(len(y), total / len(y))
    floor = min_green_s / cycle_s
    fixed = np.zeros(len(y), dtype=bool)
    while True:
        free = ~fixed
        share = (total - floor * fixed.sum()) * y / y[free].sum()
        g = np.where(fixed, floor, share)
        low = free & (g < floor)
        if not low.any():
            return g
        fixed |= low


def node_split(timing: Any, design: np.ndarray, saturation: np.ndarray, bearings: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Green ratio and phase of each approach of one node, and how it was set.

    Parameters
    ----------
    timing
        The node's :class:`~twin.traffic.signals.SignalTiming` (``split`` not ``"equal"``).
    design, saturation, bearings
        (n,) design flow, saturation flow (veh/h) and arriving bearing (degrees, NaN: unknown) of its approaches.

    Returns
    -------
    green, phase, status
        ``status``: ``split`` (Webster's rule), ``one_axis`` (the approaches share one axis, or one
        approach: the equal split), ``no_bearing`` (a bearing unknown: the equal split, phases -1)
        or ``no_flow`` (every design flow 0, e.g. every approach counted 0: the equal split).
    """
    n = len(design)
    if np.isnan(bearings).any():
        return np.full(n, timing.green), np.full(n, -1, dtype=np.int64), "no_bearing"
    phase = group_phases(bearings, timing.n_phases, timing.axis_tolerance_deg)
    k = int(phase.max()) + 1
    if k < 2:
        return np.full(n, timing.green), phase, "one_axis"
    ratio = np.asarray(design, dtype=np.float64) / np.asarray(saturation, dtype=np.float64)
    y = np.zeros(k)
    np.maximum.at(y, phase, ratio)
    if not y.any():
        return np.full(n, timing.green), phase, "no_flow"
    return webster_green_ratios(y, timing.cycle_s, timing.lost_time_s, timing.min_green_s)[phase], phase, "split"


__all__ = [
    "SPLITS",
    "SPLIT_STATUSES",
    "approach_design_flows",
    "chord_bearings",
    "group_phases",
    "last_segment_bearings",
    "network_bearings",
    "node_split",
    "scene_link_bearings",
    "webster_green_ratios",
]
