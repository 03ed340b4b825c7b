"""Traffic signals in static assignment: approach capacity ``s g / C`` and stop-line delay.

Method
------
At a signalised node every approach (in-link open to traffic) gets a zero-length *stop-line
link* between its end and the node (:func:`add_signals`); the approach link keeps its own
delay function (mid-block), the stop-line link carries the signal's delay as a function of the
approach flow ``v`` (delay-function codes 2-4 of :mod:`twin.kernels.traffic_vdf`)::

    c  = s g                                  approach capacity, veh/h (s: saturation flow)
    X  = v / c
    d1 = C (1 - g)^2 / 2 / (1 - g min(X, 1))  uniform delay (Webster 1958; HCM 2000 Eq. 16-11)
    d2 = 900 T [(X - 1) + sqrt((X - 1)^2 + 4 X / (c T))]   incremental delay, s (T in h)

``d2`` is the time-dependent form of Kimber & Hollis (1979) and Akcelik (1980), HCM 2000
Eq. 16-12 (``k = 0.5`` pretimed, ``I = 1`` isolated; kept in HCM 2010 chapter 18). Webster's
steady-state random term ``X^2 / (2 v (1 - X))`` is infinite at ``X = 1`` and undefined above,
which a static equilibrium cannot use (early iterations load links far above capacity);
Akcelik's form is finite, continuous and non-decreasing at every flow and tends to Webster's
below saturation as ``T`` grows. Above capacity it grows like ``T / 2 (X - 1)``: the mean
delay of the queue that builds during a period of length ``T``. The Beckmann objective uses
its closed-form integral, so Frank-Wolfe's line search and Algorithm B are unchanged.

Defaults (:class:`SignalTiming`)
--------------------------------
* cycle ``C`` = 90 s: Webster's (1958) optimum cycle ``(1.5 L + 5) / (1 - Y)`` for the
  8 s lost time below and a flow ratio sum ``Y`` = 0.8 is 85 s; urban pretimed cycles are
  60-120 s. A planning value, to be replaced by the local timing plans;
* two phases of equal green (opposing approaches move together, the usual pretimed plan),
  4 s lost time per phase (HCM 2000 defaults: 2 s start-up lost time, 4 s yellow + all-red
  of which 2 s are used as green extension), so the effective green ratio of every approach
  is ``g = (C - 2 x 4) / (2 C)`` = 0.456 at 90 s;
* saturation flow ``s`` = 1,900 veh/h per lane (the HCM's base saturation flow, no
  adjustment factors) times the approach's lanes when the network knows them
  (``meta['lanes']``, scene networks), else the approach link's capacity (TNTP networks: the
  link capacity taken as its saturation flow);
* analysis period ``T`` = 0.25 h (HCM peak 15 minutes);
* green split ``split="equal"`` (every approach the same ``g``); ``"capacity"`` and ``"flows"``
  group the approaches into phases by street axis and split the green by Webster's rule
  (:mod:`twin.traffic.signal_phases`; needs the approaches' bearings, ``add_signals(bearing=)``).

Saint-Gilles / OSM: :func:`read_osm_signals` reads nodes tagged ``highway=traffic_signals``
(also within ``;`` lists) and, as kind ``crossing``, ``crossing=traffic_signals``;
:func:`mark_signals` puts them on the scene's street nodes (``signalised``,
``signal_source``). Signalised pedestrian crossings are left out by default: their vehicle
green is usually most of the cycle (push-button), and the two-phase default would overstate
their delay several times; ``include_crossings=True`` takes them with the same timing.

Limits: isolated, pretimed signals only (no coordination / progression factor, no actuated
control, no initial queue ``d3``), one delay per approach (no per-movement lane groups, no
left-turn opposed flows). Dynamic loading (:func:`twin.traffic.dynamic.simulate`, ``signals=``)
takes a signal as the approach's stop-line capacity ``min(capacity, s g)``, cycle-averaged (no
red phase, no uniform delay below ``s g``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.scene.signals import SignalMatch, is_signal_crossing, is_traffic_signal, signal_nodes, with_signal_columns
from twin.traffic.network import LINK_META, VDF_SIGNAL, Network
from twin.traffic.signal_phases import SPLIT_STATUSES, SPLITS, approach_design_flows, group_phases, node_split

UNITS_PER_HOUR = {"s": 3600.0, "min": 60.0, "h": 1.0}


@dataclass(frozen=True)
class SignalTiming:
    """Timing of a pretimed signal (see the module docstring for the defaults and sources).

    Attributes
    ----------
    cycle_s : float
        Cycle length ``C``, s (> 0).
    green_ratio : float or None
        Effective green ratio ``g / C`` of every approach, in (0, 1]; None: equal split of
        ``C - n_phases * lost_time_s`` among ``n_phases`` phases.
    n_phases : int
        Number of phases of the default split (>= 1).
    lost_time_s : float
        Lost time per phase, s (>= 0, and ``n_phases * lost_time_s < cycle_s``).
    saturation_flow_veh_h_lane : float
        Saturation flow per lane, veh/h (> 0).
    period_h : float
        Analysis period ``T`` of the incremental delay, h (> 0).
    split : str
        Green split among phases: ``equal`` (every approach :attr:`green`), ``capacity`` or
        ``flows`` (Webster's rule on the approaches' capacities or given flows, phases by street
        axis: :mod:`twin.traffic.signal_phases`).
    min_green_s : float
        Minimum effective green of a phase under a Webster split, s (>= 0, and
        ``n_phases * (min_green_s + lost_time_s) <= cycle_s``; not used by the equal split);
        12 s: HCM 2000 pedestrian minimum for a 10 m crossing.
    axis_tolerance_deg : float
        Approaches whose axes (bearing modulo 180) lie within this angle share a phase, degrees in [0, 90].
    """

    cycle_s: float = 90.0
    green_ratio: float | None = None
    n_phases: int = 2
    lost_time_s: float = 4.0
    saturation_flow_veh_h_lane: float = 1900.0
    period_h: float = 0.25
    split: str = "equal"
    min_green_s: float = 12.0
    axis_tolerance_deg: float = 45.0

    def check(self, where: str = "signal timing") -> None:
        """Raise InputError (naming ``where``) for a value outside its range."""
        if not (np.isfinite(self.cycle_s) and self.cycle_s > 0):
            raise InputError(f"cycle length must be a finite number > 0 s, got {self.cycle_s}", obj=where, field="cycle_s")
        if self.green_ratio is not None and not (np.isfinite(self.green_ratio) and 0 < self.green_ratio <= 1):
            raise InputError(f"green ratio must be in (0, 1], got {self.green_ratio}", obj=where, field="green_ratio")
        if not (isinstance(self.n_phases, (int, np.integer)) and self.n_phases >= 1):
            raise InputError(f"number of phases must be a whole number >= 1, got {self.n_phases}", obj=where, field="n_phases")
        if not (np.isfinite(self.lost_time_s) and self.lost_time_s >= 0):
            raise InputError(f"lost time must be a finite number >= 0 s, got {self.lost_time_s}", obj=where, field="lost_time_s")
        if self.green_ratio is None and not self.n_phases * self.lost_time_s < self.cycle_s:
            raise InputError(
                f"{self.n_phases} phases x {self.lost_time_s} s lost time leave no green in a {self.cycle_s} s cycle", obj=where, field="lost_time_s"
            )
        if not (np.isfinite(self.saturation_flow_veh_h_lane) and self.saturation_flow_veh_h_lane > 0):
            raise InputError(f"saturation flow must be a finite number > 0 veh/h/lane, got {self.saturation_flow_veh_h_lane}", obj=where, field="saturation_flow_veh_h_lane")
        if not (np.isfinite(self.period_h) and self.period_h > 0):
            raise InputError(f"analysis period must be a finite number > 0 h, got {self.period_h}", obj=where, field="period_h")
        self._check_split(where)

    def _check_split(self, where: str) -> None:
        if self.split not in SPLITS:
            raise InputError(f"unknown green split {self.split!r}; use one of {', '.join(SPLITS)}", obj=where, field="split")
        if self.split != "equal" and self.green_ratio is not None:
            raise InputError(f"a fixed green ratio ({self.green_ratio}) and split {self.split!r} exclude each other", obj=where, field="split")
        if self.split != "equal" and not (np.isfinite(self.min_green_s) and 0 <= self.min_green_s and self.n_phases * (self.min_green_s + self.lost_time_s) <= self.cycle_s):
            raise InputError(
                f"minimum green must be a finite number >= 0 s with {self.n_phases} x ({self.lost_time_s} s lost + minimum green) <= the "
                f"{self.cycle_s} s cycle, got {self.min_green_s}", obj=where, field="min_green_s"
            )  # fmt: skip
        if not (np.isfinite(self.axis_tolerance_deg) and 0 <= self.axis_tolerance_deg <= 90):
            raise InputError(f"axis tolerance must be in [0, 90] degrees, got {self.axis_tolerance_deg}", obj=where, field="axis_tolerance_deg")

    @property
    def green(self) -> float:
        """Effective green ratio ``g / C`` of an approach."""
        if self.green_ratio is not None:
            return float(self.green_ratio)
        return (self.cycle_s - self.n_phases * self.lost_time_s) / (self.n_phases * self.cycle_s)

    @property
    def uniform_delay_s(self) -> float:
        """Uniform delay at zero flow, ``C (1 - g)^2 / 2``, s."""
        return 0.5 * self.cycle_s * (1.0 - self.green) ** 2


@dataclass(eq=False)
class SignalNetwork:
    """A network with stop-line links at its signalised nodes, and the maps back.

    ``link_of[e]``: link of ``original`` that stored link ``e`` is (-1 for stop-line links);
    ``approach_of[e]``: the approach link (of ``original``) whose stop line ``e`` is (-1
    otherwise). ``turns``: the :class:`~twin.traffic.turns.TurnNetwork` whose expanded network
    is ``original``, when signals were added to a turn-expanded network. ``phase_of[e]``: phase
    of stop line ``e`` at its node (-1 for other links, and where the bearings are unknown);
    ``split``: the split rule and how many nodes it set (``nodes_split``), left equal because
    their approaches share one axis (``nodes_one_axis``), lack a bearing (``nodes_without_bearing``)
    or all have a design flow of 0 (``nodes_no_flow``: every approach counted 0).
    """

    network: Network
    original: Network
    link_of: np.ndarray
    approach_of: np.ndarray
    nodes: list[Any] = field(default_factory=list)
    turns: Any = None
    phase_of: np.ndarray | None = None
    split: dict[str, Any] = field(default_factory=dict)

    def original_flow(self, flow: np.ndarray) -> np.ndarray:
        """Flows on the links of ``original`` (the network the stop lines were inserted in: the
        turn-expanded network for a turn network, whose turn links give the movements)."""
        out = np.zeros(self.original.n_links)
        keep = self.link_of >= 0
        np.add.at(out, self.link_of[keep], np.asarray(flow)[keep])
        return out

    def link_flow(self, flow: np.ndarray) -> np.ndarray:
        """Flows on the original links (of the unexpanded network for a turn network)."""
        out = self.original_flow(flow)
        return self.turns.link_flow(out) if self.turns is not None else out

    def link_values(self, values: np.ndarray) -> np.ndarray:
        """Per-link quantities (times, costs; not summed like flows) of the links of ``original``
        (of the unexpanded network for a turn network), each approach's with its stop line's added:
        the time to run the link and pass the signal, so that a route's times still add up."""
        values = np.asarray(values, dtype=np.float64)
        out = np.zeros(self.original.n_links)
        keep = self.link_of >= 0
        out[self.link_of[keep]] = values[keep]
        stop = self.approach_of >= 0
        out[self.approach_of[stop]] += values[stop]
        return self.turns.link_values(out) if self.turns is not None else out

    def approaches(self, flow: np.ndarray, cost: np.ndarray | None = None) -> pd.DataFrame:
        """One row per stop line: node, approach link, flow, capacity, phase (-1: unknown), green
        ratio, X, delay (an approach with via-way copies in a turn network has a row per copy,
        under the same link id).

        ``flow`` (and ``cost``, default: delay at ``flow``) are per stored link of ``network``.
        """
        from twin.traffic.vdf import link_times

        stop = np.flatnonzero(self.approach_of >= 0)
        net = self.network
        delay = link_times(net, flow) if cost is None else np.asarray(cost)
        unit = {2: "s", 3: "min", 4: "h"}[int(net.vdf[stop[0]])] if stop.size else net.time_unit
        base = self.turns.original if self.turns is not None else self.original
        orig = self.approach_of[stop]
        if self.turns is not None:
            orig = self.turns.link_of[orig]
        return pd.DataFrame(
            {
                "node_id": base.node_ids[base.to_node[orig]],
                "link_id": base.link_ids[orig],
                "flow": np.asarray(flow)[stop],
                "capacity": net.capacity[stop],
                "phase": self.phase_of[stop] if self.phase_of is not None else np.full(stop.size, -1, dtype=np.int64),
                "green_ratio": net.beta[stop],
                "degree_of_saturation": np.asarray(flow)[stop] / net.capacity[stop],
                f"delay_{unit}": delay[stop],
            }
        )


def signalised_nodes(network: Network) -> list[Any]:
    """Native ids of the nodes flagged in ``network.meta['signalised']`` (:func:`mark_signals`; empty list if none)."""
    mask = network.meta.get("signalised")
    if mask is None:
        return []
    return [network.node_ids[i] for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


def approach_links(network: Network, node_of: Mapping[Any, int], node: Any, is_approach: np.ndarray) -> list[int]:
    """Stored indices of the approaches of signalised node ``node`` (native id, or its string).

    ``node_of``: stored index of each native node id (``{id: i for i, id in enumerate(network.node_ids)}``,
    built once by the caller); ``is_approach`` (n_links,) bool: the links that can be an approach
    (e.g. a capacity > 0). Shared by static assignment (:func:`add_signals`) and dynamic loading
    (:func:`twin.traffic.dynamic_turns.signal_stop_lines`).

    Raises
    ------
    InputError
        The node is not in the network, or none of its in-links can be an approach.
    """
    v = node_of.get(node)
    if v is None:
        v = node_of.get(str(node))
    if v is None:
        raise InputError(f"signalised node {node!r} is not in network {network.name!r}", obj=f"node {node}", field="signals")
    ins = [int(i) for i in network.in_link[network.in_start[v] : network.in_start[v + 1]] if is_approach[i]]
    if not ins:
        raise InputError(f"signalised node {node!r} has no approach (no in-link with a capacity > 0)", obj=f"node {node}", field="signals")
    return ins


def split_by_approach(network: Network, nodes: Iterable[Any], is_approach: np.ndarray) -> tuple[list[Any], list[Any]]:
    """``nodes`` (native ids of the network) split into those with an approach (an in-link where
    ``is_approach``, (n_links,) bool: e.g. a capacity > 0) and those without, each in the given order.

    A scene flags its signals from the map (:mod:`twin.scene.signals`); in a network of one mode,
    or cut from a larger area, a flagged node may have no in-link that can queue at a stop line
    (only footways arrive, or the arriving street lies outside the cut). A command that applies
    the scene's flags applies the first list and reports the second; signals a user names
    without an approach stay an error (:func:`approach_links`).
    """
    node_of = {v: i for i, v in enumerate(network.node_ids)}
    ok = np.asarray(is_approach, dtype=bool)
    with_approach: list[Any] = []
    without: list[Any] = []
    for node in nodes:
        v = node_of.get(node, node_of.get(str(node)))
        ins = network.in_link[network.in_start[v] : network.in_start[v + 1]] if v is not None else []
        (with_approach if v is not None and ok[ins].any() else without).append(node)
    return with_approach, without


def scene_signals(network: Network, is_approach: np.ndarray) -> tuple[list[Any], dict[str, Any]]:
    """The signals a command applies from its scene's flags: the flagged nodes with an approach
    (:func:`split_by_approach`) and the summary counts (``signals``: how many;
    ``signals_without_approach``: the ids of the flagged nodes left out). Shared by static
    assignment and dynamic loading on a scene."""
    flagged, no_approach = split_by_approach(network, signalised_nodes(network), is_approach)
    return flagged, {"signals": len(flagged), "signals_without_approach": [str(v) for v in no_approach]}


def _timings(signals: Any, network: Network, timing: SignalTiming | None) -> dict[Any, SignalTiming]:
    default = timing or SignalTiming()
    default.check()
    if signals is None:
        if network.meta.get("signalised") is None:
            raise InputError("no signals given and the network has no meta['signalised'] (see twin.traffic.signals.mark_signals)", field="signals")
        signals = signalised_nodes(network)
    if isinstance(signals, Mapping):
        out = {}
        for node, t in signals.items():
            t = default if t is None else t
            t.check(f"signal at node {node}")
            out[node] = t
    else:
        out = {node: default for node in signals}
    if not out:
        raise InputError("no signalised node given (an empty selection)", field="signals")
    return out


def add_signals(
    network: Network | Any,
    signals: Iterable[Any] | Mapping[Any, SignalTiming | None] | None = None,
    *,
    timing: SignalTiming | None = None,
    green_by_link: Mapping[Any, float] | None = None,
    time_unit: str | None = None,
    approach: np.ndarray | None = None,
    bearing: np.ndarray | None = None,
    flows: Mapping[Any, float] | np.ndarray | None = None,
) -> SignalNetwork:
    """Insert a stop-line link with the signal delay on every approach of the signalised nodes.

    Parameters
    ----------
    network
        A :class:`Network`, or a :class:`~twin.traffic.turns.TurnNetwork` (the stop lines then
        sit between each approach and its turns; node and link ids are the unexpanded ones). An
        approach that has copies (via links of via-way restrictions, ``TurnNetwork.copy_link``)
        gets a stop line on the link and on each copy, each with the approach's capacity and
        delay function of its own flow (exact while one of them carries the approach's flow;
        optimistic when several do, as the copies' own delay functions).
    signals
        Native ids of the signalised nodes, or a mapping id -> :class:`SignalTiming` (None: the
        default). None: the nodes flagged in ``network.meta['signalised']``.
    timing
        Default timing (see :class:`SignalTiming`).
    green_by_link
        Green ratio of individual approaches, by native approach link id (in (0, 1]).
    time_unit
        ``s``, ``min`` or ``h``: the unit of the network's times, when its own ``time_unit``
        is none of these (TNTP files say ``file``); default: the network's.
    approach
        (n_links,) bool over the links of the (unexpanded) network: the links that can be an
        approach. Default: every link with a capacity > 0 that is not a stop line already (a
        model whose zone connectors enter street nodes leaves them out: vehicles that join the
        street there do not queue at its stop line).
    bearing
        (n_links,) arriving bearing of every link of the (unexpanded) network, degrees (NaN:
        unknown; :func:`twin.traffic.signal_phases.scene_link_bearings` for a scene network,
        :func:`~twin.traffic.signal_phases.network_bearings` from node coordinates): groups the
        approaches into phases. Without it a split other than ``equal`` leaves every node equal
        (counted in ``SignalNetwork.split``).
    flows
        Design flows of ``split="flows"``, veh/h: by native link id, or (n_links,) over the links
        of the (unexpanded) network (e.g. ``SignalNetwork.link_flow`` of a previous assignment);
        an approach not counted (absent from the mapping, NaN in the array) takes its capacity, a
        counted 0 stays 0 (:func:`twin.traffic.signal_phases.approach_design_flows`).

    Returns
    -------
    SignalNetwork
        ``.network`` is assigned like any network; ``.link_flow`` maps flows back.

    Raises
    ------
    InputError
        A node id not in the network, a node without an approach (no in-link with capacity),
        a cycle <= 0, a green ratio outside (0, 1], an approach link id that is not an approach
        of a signalised node, an unsupported time unit, no signal at all, an unknown split or a
        minimum green out of range, bearings or flows of the wrong shape, a flow that is not
        finite and >= 0 (NaN: not counted) or for a link not in the network, ``split="flows"`` without flows.
    """
    from twin.traffic.turns import TurnNetwork

    turns = network if isinstance(network, TurnNetwork) else None
    base = turns.original if turns is not None else network
    target = turns.network if turns is not None else network
    unit = target.time_unit if time_unit is None else time_unit
    if unit not in VDF_SIGNAL:
        raise InputError(f"signals need a network timed in s, min or h, got {unit!r} (name it with time_unit=)", field="time_unit")
    per_unit = UNITS_PER_HOUR[unit] / 3600.0  # time units per second
    plan = _timings(signals, base, timing)
    lanes = base.meta.get("lanes")
    node_of = {nid: i for i, nid in enumerate(base.node_ids.tolist())}
    link_pos = {lid: k for k, lid in enumerate(base.link_ids.tolist())}
    is_approach = (base.capacity > 0) & (base.vdf < 2)  # not a stop line already
    if approach is not None:
        if np.shape(approach) != (base.n_links,):
            raise InputError(f"approach must be one bool per link ({base.n_links}), got shape {np.shape(approach)}", field="approach")
        is_approach &= np.asarray(approach, dtype=bool)
    greens = dict(green_by_link or {})
    bearings = _link_array(bearing, base, "bearing", link_pos)
    design = _link_array(flows, base, "flows", link_pos, nonnegative=True)
    counts = {"split": (timing or SignalTiming()).split, **dict.fromkeys(SPLIT_STATUSES.values(), 0)}
    approach: list[int] = []  # links of ``base``
    cap: list[float] = []
    green: list[float] = []
    uniform: list[float] = []
    period: list[float] = []
    phase: list[int] = []
    for node, t in plan.items():
        ins = approach_links(base, node_of, node, is_approach)
        sat = [t.saturation_flow_veh_h_lane * float(lanes[i]) if lanes is not None else float(base.capacity[i]) for i in ins]
        node_green, node_phase = _node_greens(t, node, np.asarray(ins), np.asarray(sat), base, bearings, design, counts)
        for i, s, g0, ph in zip(ins, sat, node_green.tolist(), node_phase.tolist()):
            g = greens.pop(base.link_ids[i], g0)
            if not (np.isfinite(g) and 0 < g <= 1):
                raise InputError(f"green ratio must be in (0, 1], got {g}", obj=f"approach link {base.link_ids[i]} of node {node}", field="green_ratio")
            phase.append(int(ph))
            approach.append(i)
            cap.append(s * g)
            green.append(g)
            uniform.append(0.5 * t.cycle_s * (1.0 - g) ** 2 * per_unit)
            period.append(t.period_h * UNITS_PER_HOUR[unit])
    if greens:
        lid = next(iter(greens))
        where = "not in the network" if lid not in link_pos else "not an approach of a signalised node"
        raise InputError(f"green ratio given for link {lid!r}, {where}", obj=f"link {lid}", field="green_by_link")
    if len(set(approach)) != len(approach):
        raise InputError("a signalised node is listed twice", field="signals")
    if turns is not None:
        # every expanded link of an approach: the link itself and its via-way copies, each with a stop line
        stored: dict[int, list[int]] = {}
        for e, k in enumerate(turns.link_of.tolist()):
            if k >= 0:
                stored.setdefault(int(k), []).append(e)
        split = [e for i in approach for e in stored[i]]
        copies = np.array([len(stored[i]) for i in approach], dtype=np.int64)
    else:
        split = approach
        copies = np.ones(len(approach), dtype=np.int64)

    def per_stop_line(values: list[float]) -> np.ndarray:
        return np.repeat(np.array(values, dtype=np.float64), copies)

    net = _insert_stop_lines(target, np.asarray(split, dtype=np.int64), per_stop_line(cap), per_stop_line(green), per_stop_line(uniform), per_stop_line(period),
                             VDF_SIGNAL[unit])  # fmt: skip
    m = target.n_links
    order = net.link_ids_order
    link_of = np.r_[np.arange(m), np.full(len(split), -1)][order]
    approach_of = np.r_[np.full(m, -1), np.asarray(split, dtype=np.int64)][order]
    phase_of = np.r_[np.full(m, -1), np.repeat(np.asarray(phase, dtype=np.int64), copies)][order]
    return SignalNetwork(net.network, target, link_of, approach_of, list(plan), turns, phase_of, counts)


def _link_array(values: Any, network: Network, name: str, link_pos: Mapping[Any, int], *, nonnegative: bool = False) -> np.ndarray | None:
    """``values`` (None, a mapping native link id -> number, or one number per link) as (n_links,)
    floats, NaN for a link absent from a mapping (unknown bearing, flow not counted).

    Raises
    ------
    InputError
        Wrong shape, a link id not in the network, or a value that is neither finite nor NaN
        (unknown) or, ``nonnegative`` (flows), below 0.
    """
    if values is None:
        return None
    if isinstance(values, Mapping):
        out = np.full(network.n_links, np.nan)
        for lid, v in values.items():
            if lid not in link_pos:
                raise InputError(f"{name} given for link {lid!r}, not in the network", obj=f"link {lid}", field=name)
            out[link_pos[lid]] = v
    else:
        out = np.asarray(values, dtype=np.float64)
        if out.shape != (network.n_links,):
            raise InputError(f"{name} must be one number per link ({network.n_links}), got shape {out.shape}", field=name)
    ok = np.isnan(out) | (np.isfinite(out) & ((out >= 0) if nonnegative else True))
    bad = np.flatnonzero(~ok)
    if bad.size:
        what = f"finite and >= 0 veh/h, got {out[bad[0]]} (NaN: not counted)" if nonnegative else f"finite or NaN (unknown), got {out[bad[0]]}"
        raise InputError(f"{name} must be {what}", obj=f"link {network.link_ids[bad[0]]}", field=name)
    return out


def _node_greens(t: SignalTiming, node: Any, ins: np.ndarray, sat: np.ndarray, base: Network, bearings: np.ndarray | None,
                 design: np.ndarray | None, counts: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Green ratio and phase of the approaches ``ins`` of ``node`` (saturation flows ``sat``) under
    ``t.split``; the equal split gives every approach ``t.green`` (phases by axis where the bearings
    are known, for the report). Counts the nodes by how their split was set."""
    b = bearings[ins] if bearings is not None else np.full(len(ins), np.nan)
    if t.split == "equal":
        known = not np.isnan(b).any()
        ph = group_phases(b, t.n_phases, t.axis_tolerance_deg) if known else np.full(len(ins), -1, dtype=np.int64)
        return np.full(len(ins), t.green), ph
    flow = base.capacity[ins]
    if t.split == "flows":
        if design is None:
            raise InputError("split 'flows' needs the approach flows (add_signals(flows=...))", obj=f"signal at node {node}", field="flows")
        flow = approach_design_flows(flow, design[ins])
    g, ph, status = node_split(t, flow, sat, b)
    counts[SPLIT_STATUSES[status]] += 1
    return g, ph


@dataclass
class _Inserted:
    network: Network
    link_ids_order: np.ndarray


def _insert_stop_lines(net: Network, split: np.ndarray, cap: np.ndarray, green: np.ndarray, uniform: np.ndarray, period: np.ndarray, code: int) -> _Inserted:
    """``net`` with links ``split`` ending at new nodes, joined to their old head by stop-line links."""
    m, n, k = net.n_links, net.n_nodes, len(split)
    new_nodes = np.array([f"{net.node_ids[net.to_node[i]]}:stop:{net.link_ids[i]}" for i in split], dtype=object)
    to_node = net.to_node.astype(np.int64).copy()
    stop_head = to_node[split].copy()
    to_node[split] = n + np.arange(k)

    def cat(a: np.ndarray, extra: Any, dtype: Any) -> np.ndarray:
        return np.concatenate([np.asarray(a, dtype=dtype), np.broadcast_to(np.asarray(extra, dtype=dtype), (k,))])

    link_ids = np.concatenate([np.asarray(net.link_ids, dtype=object), np.array([f"signal:{net.link_ids[i]}" for i in split], dtype=object)])
    meta = {key: v for key, v in net.meta.items() if not key.startswith("_") and key not in ("link_index", *LINK_META)}
    built = Network.build(
        node_ids=np.concatenate([np.asarray(net.node_ids, dtype=object), new_nodes]),
        link_ids=np.arange(m + k),  # construction order; real ids set below
        from_node=np.r_[net.from_node.astype(np.int64), n + np.arange(k)],
        to_node=np.r_[to_node, stop_head],
        free_flow_time=cat(net.free_flow_time, uniform, np.float64),
        capacity=cat(net.capacity, cap, np.float64),
        length=cat(net.length, 0.0, np.float64),
        alpha=cat(net.alpha, period, np.float64),
        beta=cat(net.beta, green, np.float64),
        toll=cat(net.toll, 0.0, np.float64),
        link_type=cat(net.link_type, 0, np.int32),
        vdf=cat(net.vdf, code, np.int8),
        fixed_cost=cat(net.fixed_cost, 0.0, np.float64),
        n_zones=net.n_zones,
        first_thru_node=net.first_thru_node,
        time_unit=net.time_unit,
        length_unit=net.length_unit,
        name=f"{net.name} (signals)",
        meta=meta,
    )
    order = built.link_ids.astype(np.int64)
    return _Inserted(replace(built, link_ids=link_ids[order]), order)


# ---------------------------------------------------------------------------- OSM
def read_osm_signals(path: str | Path, bbox: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
    """Signal nodes of an OSM file (.pbf/.osm, pyosmium) or of a GeoJSON excerpt.

    Returns a GeoDataFrame (EPSG:4326) with ``osm_id`` (int), ``kind`` (``traffic_signals``
    for ``highway=traffic_signals``, also in a ``;`` list; ``crossing`` for
    ``crossing=traffic_signals`` alone), ``highway``, ``crossing``, ``direction`` (the
    ``traffic_signals:direction`` tag) and the point. ``bbox`` = (lon_min, lat_min, lon_max,
    lat_max), bounds included.
    """
    import geopandas as gpd
    import shapely

    path = Path(path)
    if not path.exists():
        raise InputError("signal file not found", path=path)
    cols = ["osm_id", "kind", "highway", "crossing", "direction"]
    if path.suffix.lower() in (".geojson", ".json", ".gpkg"):
        from twin.io.gdal_env import gdal_reads

        try:
            with gdal_reads():  # GDAL (pyogrio's, whose settings gdal_reads sets) writes no .aux.xml beside the user's file
                frame = gpd.read_file(path, engine="pyogrio")
        except Exception as exc:  # noqa: BLE001 - any reader failure is bad input
            raise InputError(f"cannot read the signal file: {' '.join(str(exc).split())}", path=path) from None
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputError(f"signal file lacks column {missing[0]!r}", path=path, field=missing[0])
        frame = frame.to_crs("EPSG:4326")
        frame["osm_id"] = frame["osm_id"].astype(np.int64)
    else:
        import osmium

        rows = []
        try:
            for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
                hw = node.tags.get("highway", "")
                cr = node.tags.get("crossing", "")
                if is_traffic_signal(hw):
                    kind = "traffic_signals"
                elif is_signal_crossing(cr):
                    kind = "crossing"
                else:
                    continue
                rows.append((int(node.id), kind, hw or None, cr or None, node.tags.get("traffic_signals:direction"), node.location.lon, node.location.lat))
        except RuntimeError as exc:
            raise InputError(f"cannot read the OSM file: {exc}", path=path) from None
        raw = pd.DataFrame(rows, columns=[*cols, "lon", "lat"])
        frame = gpd.GeoDataFrame(raw[cols], geometry=shapely.points(raw["lon"].to_numpy(), raw["lat"].to_numpy()), crs="EPSG:4326")
    if bbox is not None:
        x, y = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
        frame = frame[(x >= bbox[0]) & (x <= bbox[2]) & (y >= bbox[1]) & (y <= bbox[3])]
    return frame.sort_values("osm_id").reset_index(drop=True)


def mark_signals(scene: Any, signals: pd.DataFrame, *, include_crossings: bool = False, max_snap_m: float = 30.0, mode: str = "car") -> SignalMatch:
    """Flag the scene's street nodes that carry a signal (columns ``signalised``, ``signal_source``).

    The rule is :func:`twin.scene.signals.signal_nodes` (the one the OSM ingest applies): a
    signal within 0.5 m of a node is that node's; a signal on a link open to ``mode`` (within
    1 m) but not at a node (OSM puts some at the stop line, a few metres before the junction)
    goes to the link's nearer end node when that is within ``max_snap_m`` along the line; others
    are left unmatched (listed). ``signal_source`` gives the OSM node id(s), the tag and the
    distance moved. The ``nodes`` layer of ``scene`` is replaced.
    """
    signalised, source, match = signal_nodes(scene.nodes, scene.links, signals, include_crossings=include_crossings,
                                             max_snap_m=max_snap_m, mode=mode)
    scene.set_layer("nodes", with_signal_columns(scene.nodes, signalised, source))
    return match


__all__ = ["SignalMatch", "SignalNetwork", "SignalTiming", "add_signals", "mark_signals", "read_osm_signals", "scene_signals", "split_by_approach"]
