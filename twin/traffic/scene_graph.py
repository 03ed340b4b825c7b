"""The network a scene assignment runs on (``twin traffic assign --scene``, ``select-link --scene``).

:func:`build_scene_graph` applies the scene's OSM turn restrictions (turn-expanded network,
:func:`twin.traffic.turns.expand_turns`), turn penalties and pretimed signals (stop lines,
:func:`twin.traffic.signals.add_signals`) to the scene's car network; :class:`SceneGraph` maps
the flows of the network assigned back to the scene's street links (:meth:`SceneGraph.street_flow`)
and tells which of its links carry each street link's flow (:meth:`SceneGraph.street_link_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.errors import InputError
from twin.traffic.network import Network


@dataclass(eq=False)
class SceneGraph:
    """A scene's car network and the network its assignment runs on.

    Attributes
    ----------
    net : Network
        The scene's car network (one link per street link, :meth:`Network.from_scene`).
    graph : TurnNetwork or SignalNetwork or GiveWayNetwork or None
        The turn-expanded network, the network with stop lines, or both, with give-way lines on
        top when asked; None: ``net`` itself.
    expanded : TurnNetwork or None
        The turn-expanded network (also inside ``graph`` when signals were added to it).
    counts : dict
        Restriction, penalty and signal counts for the summary.
    banned, sequences, penalties, movements, flagged
        The banned turns and link sequences, the turn penalties, the movements (with
        ``turn_penalties`` or the turning movements asked for) and the signalised nodes applied.
    """

    net: Network
    graph: Any
    expanded: Any
    counts: dict[str, Any]
    banned: list[Any] = field(default_factory=list)
    sequences: list[Any] = field(default_factory=list)
    penalties: dict[Any, float] | None = None
    movements: Any = None
    flagged: list[Any] = field(default_factory=list)
    give_way: Any = None
    """The :class:`~twin.traffic.priority.GiveWayNetwork` (also ``graph``) when give-way delay is on."""

    @property
    def network(self) -> Network:
        """The network assigned."""
        return self.graph.network if self.graph is not None else self.net

    def street_flow(self, flow: np.ndarray) -> np.ndarray:
        """Flows on the street links from flows on the links of :attr:`network` (a street link's
        flow summed over its via-way copies; turn, connector and stop-line links left out)."""
        return self.graph.link_flow(flow) if self.graph is not None else np.asarray(flow, dtype=np.float64)

    def street_link_of(self) -> np.ndarray:
        """Per link of :attr:`network`: the street link (index in ``net``) whose flow it carries
        and :meth:`street_flow` adds to it, or -1 (turn, connector, stop-line and give-way links)."""
        from twin.traffic.priority import base_links_of

        return base_links_of(self.network, self.graph)


def assign_scene_graph(sg: SceneGraph, od: Any, **options: Any) -> Any:
    """The equilibrium of ``od`` on ``sg.network`` (``options`` to :func:`twin.traffic.assign.assign`).

    With give-way lines, the fixed point of the give-way capacities and the flows
    (:func:`twin.traffic.give_way_fixed_point.solve_give_way`, default tolerance and passes):
    ``sg.graph`` and ``sg.give_way`` then hold the capacities of the last assignment and
    ``sg.counts`` how it ended (``give_way_change``: the largest relative change of a capacity
    against those of its own flows; ``give_way_passes``, ``give_way_converged``,
    ``give_way_tolerance``). Returns the last assignment (on the links of ``sg.network``).
    """
    from twin.traffic.assign import assign
    from twin.traffic.give_way_fixed_point import solve_give_way

    if sg.give_way is None:
        return assign(sg.network, od, **options)
    graph, raw, convergence = solve_give_way(sg.give_way, lambda network: assign(network, od, **options))
    sg.graph = sg.give_way = graph
    sg.counts.update(convergence.summary())
    return raw


GIVE_WAY_LINE_PREFIX = "giveway:"
"""Link id prefix of the give-way lines of a scene assignment (``giveway:<approach link id>``)."""


def build_scene_graph(scene: Any, net: Network, *, restrictions: bool, signals: bool, turn_penalties: bool, turns: bool = False,
                      signal_split: str = "equal", give_way: bool = False, signal_flows: Mapping[Any, float] | None = None) -> SceneGraph:  # fmt: skip
    """The network a scene assignment runs on (see :func:`twin.traffic.assign_commands.run_scene_assign`).

    With ``restrictions`` the scene's OSM turn restrictions and via-way sequences, with
    ``turn_penalties`` the default penalty of every turn's kind (both on the turn-expanded
    network, which ``turns`` asks for too); with ``signals`` a stop line with the default
    pretimed signal on every approach of the nodes the scene flags as signalised, its green split
    ``signal_split`` (``equal``, or ``capacity``: Webster's rule by street axis, bearings from the
    scene's street geometry, or ``flows``: the same rule with the design flows ``signal_flows``,
    veh/h by link id, an approach not in it taking its capacity, a counted 0 staying 0; a split with no flagged node
    is an error); with ``give_way``, a
    give-way line on every yielding approach of the unsignalised junctions
    (:func:`twin.traffic.priority.add_scene_give_way`, capacities at zero conflicting flow: the
    caller sets them from the flows, :meth:`~twin.traffic.priority.GiveWayNetwork.updated`).
    """
    from twin.traffic.dynamic_commands import scene_restriction_options
    from twin.traffic.turns import expand_turns

    options: dict[str, Any] = {}
    counts = scene_restriction_options(scene, net, restrictions, options, sequences=True)
    banned, sequences = options.get("banned_turns", []), options.get("banned_sequences", [])
    movements = penalties = None
    if turn_penalties or turns:
        from twin.traffic.movements import movement_penalties, scene_movements

        movements = scene_movements(scene, net)
        penalties = movement_penalties(movements) if turn_penalties else {}
    counts["turn_penalties"] = len(penalties) if turn_penalties and penalties is not None else "off"
    expanded = expand_turns(net, banned=banned, sequences=sequences, penalties=penalties) if banned or sequences or penalties or turns else None
    graph: Any = expanded
    flagged: list[Any] = []
    counts["signals"] = "off"
    if signals:
        from twin.traffic.signals import add_signals, scene_signals

        flagged, signal_counts = scene_signals(net, (net.capacity > 0) & (net.vdf < 2))
        counts.update(signal_counts)
        if signal_split != "equal" and not flagged:
            raise InputError(f"green split {signal_split!r}: the scene flags no signalised node with a car approach", field="--signal-split")
        if flagged:
            from twin.traffic.signal_phases import scene_link_bearings
            from twin.traffic.signals import SignalTiming

            bearing = scene_link_bearings(scene, net) if signal_split != "equal" else None
            graph = add_signals(expanded if expanded is not None else net, flagged, timing=SignalTiming(split=signal_split), bearing=bearing,
                                flows=signal_flows)
            counts["signal_approaches"] = int((graph.approach_of >= 0).sum())
            counts.update({f"signal_{k}" if k.startswith("nodes") else "signal_split": v for k, v in graph.split.items()})
    give = None
    counts["give_way"] = "off"
    if give_way:
        from twin.traffic.priority import add_scene_give_way

        street = np.isin(net.link_ids, scene.links["link_id"].to_numpy()) & (net.capacity > 0) & (net.vdf < 2)
        give = add_scene_give_way(scene, scene.links, net, graph.network if graph is not None else net, graph, street=street,
                                  signalised=signals and bool(flagged), line_label=GIVE_WAY_LINE_PREFIX)  # fmt: skip
        give.junctions.require_yielding(signalised=signals and bool(flagged))
        graph = give
        counts["give_way"] = "on"
        counts.update({f"give_way_{k}": v for k, v in give.junctions.summary().items()})
        counts["give_way_lines"] = int((give.yielding >= 0).sum())
    return SceneGraph(net, graph, expanded, counts, banned, sequences, penalties, movements, flagged, give)


__all__ = ["SceneGraph", "assign_scene_graph", "build_scene_graph"]
