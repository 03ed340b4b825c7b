"""Junction delays a planner can read: one row per junction with a stop line or a give-way line.

A mobility run with ``signals`` or ``give_way`` (:class:`twin.traffic.mobility.MobilityOptions`)
puts the junctions' control delay on zero-length *lines* of the car network: a stop line
(:mod:`twin.traffic.signals`) on every approach of a signalised node, a give-way line
(:mod:`twin.traffic.priority`) on every yielding approach of an unsignalised junction. The
per-link results add a line's time to its approach; this module takes the lines apart again.

Per line (:func:`line_table`): the junction node (the approach's end), the approach, the
control (``signal``, or ``give_way:<rule>`` with the rule of :class:`~twin.traffic.priority.Junctions`:
``major``, ``right``, ``roundabout``, ``sign``, ``all_way_stop``, ``mini_roundabout``), its
flow, capacity, degree of saturation (flow / capacity) and delay (the line's time at the
assigned flow: the HCM control delay).

Per junction (:func:`junction_table`), ``node_id``, ``control`` (``mixed`` when a node has both
kinds of line, ``give_way:<rule>+<rule>`` when its yielding approaches follow several rules),
``approaches`` (street links entering the node), ``controlled_approaches`` (with a line),
``flow_veh_h`` (entering on all its street approaches, veh/h), ``controlled_flow_veh_h``
(through its lines), ``delay_veh_h`` (total control delay, vehicle-hours per hour: the sum over
its lines of flow x delay / 3600), ``mean_delay_s`` (``delay_veh_h`` x 3600 / ``flow_veh_h``:
per vehicle entering, those that do not stop or give way included; NaN without flow) and
``max_degree_of_saturation`` (largest over its lines). Sorted by ``delay_veh_h``, largest first.

:func:`junction_change` puts a baseline's and a what-if's tables side by side (the change of
the delay per junction, sorted by its size); :func:`link_columns` and :func:`junctions_from_links`
carry the same numbers through a per-link table (the scenario engine's objects) to the report.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

LINE_COLUMNS = ("node_id", "link_id", "control", "flow_veh_h", "capacity_veh_h", "degree_of_saturation", "delay_s", "delay_veh_h")
JUNCTION_COLUMNS = ("node_id", "control", "approaches", "controlled_approaches", "flow_veh_h", "controlled_flow_veh_h", "delay_veh_h", "mean_delay_s",
                    "max_degree_of_saturation")  # fmt: skip


def line_map(graph: Any, n_links: int) -> tuple[np.ndarray, np.ndarray]:
    """For every stored link of ``graph.network`` (``n_links`` of them): the approach link of the
    base network whose stop or give-way line it is (-1: not a line) and the line's control
    (``signal``, ``give_way:<rule>``; ``""`` for other links).

    Parameters
    ----------
    graph
        The map from the assigned network to the base: a :class:`~twin.traffic.priority.GiveWayNetwork`
        (over a signal or turn network or not), a :class:`~twin.traffic.signals.SignalNetwork`
        (over a turn network or not), a :class:`~twin.traffic.turns.TurnNetwork` or None (no
        line). The give-way junctions must index the base's links (as in a mobility run and
        :func:`twin.traffic.priority.add_give_way` on the base).
    n_links
        Stored links of the assigned network.
    """
    from twin.traffic.priority import GiveWayNetwork
    from twin.traffic.signals import SignalNetwork

    approach = np.full(n_links, -1, dtype=np.int64)
    control = np.full(n_links, "", dtype=object)
    if isinstance(graph, GiveWayNetwork):
        if graph.inner is not None:
            inner_a, inner_c = line_map(graph.inner, graph.original.n_links)
            keep = graph.link_of >= 0
            approach[keep] = inner_a[graph.link_of[keep]]
            control[keep] = inner_c[graph.link_of[keep]]
        own = graph.yielding >= 0
        j = graph.yielding[own]
        approach[own] = graph.junctions.approach[j]
        control[own] = np.array([f"give_way:{r}" for r in graph.junctions.rule[j].tolist()], dtype=object)
    elif isinstance(graph, SignalNetwork):
        own = graph.approach_of >= 0
        a = graph.approach_of[own]
        approach[own] = graph.turns.link_of[a] if graph.turns is not None else a
        control[own] = "signal"
    return approach, control


def line_table(network: Any, graph: Any, base: Any, flow: np.ndarray, time: np.ndarray) -> pd.DataFrame:
    """One row per stop or give-way line of ``network`` (columns :data:`LINE_COLUMNS`; module docstring).

    Parameters
    ----------
    network
        The assigned network (its capacities: those of the assignment).
    graph
        Its map to ``base`` (:func:`line_map`).
    base
        The street network the approaches and nodes are reported in.
    flow, time
        Flow (veh/h) and time (``network.time_unit``) per stored link of ``network`` at the assignment.
    """
    from twin.traffic.priority import UNITS_PER_HOUR

    approach, control = line_map(graph, network.n_links)
    e = np.flatnonzero(approach >= 0)
    a = approach[e]
    f = np.asarray(flow, dtype=np.float64)[e]
    cap = np.asarray(network.capacity, dtype=np.float64)[e]
    delay_s = np.asarray(time, dtype=np.float64)[e] * 3600.0 / UNITS_PER_HOUR[network.time_unit]
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(cap > 0, f / cap, np.nan)
    return pd.DataFrame({"node_id": base.node_ids[base.to_node[a]], "link_id": base.link_ids[a], "control": control[e], "flow_veh_h": f,
                         "capacity_veh_h": cap, "degree_of_saturation": x, "delay_s": delay_s, "delay_veh_h": f * delay_s / 3600.0},
                        columns=list(LINE_COLUMNS))  # fmt: skip


def _control(kinds: list[str]) -> str:
    kinds = sorted(set(kinds))
    if "signal" in kinds:
        return "signal" if len(kinds) == 1 else "mixed"
    return "give_way:" + "+".join(k.split(":", 1)[1] for k in kinds)


def junction_table(lines: pd.DataFrame, base: Any, base_flow: np.ndarray, street: np.ndarray) -> pd.DataFrame:
    """One row per junction of ``lines`` (:func:`line_table`; columns :data:`JUNCTION_COLUMNS`).

    Parameters
    ----------
    lines
        The lines.
    base
        The street network of the lines' nodes and approaches.
    base_flow
        Flow (veh/h) per link of ``base``.
    street
        True per link of ``base`` that is a street (connectors from zones entering a node are no approach).
    """
    if lines.empty:
        return pd.DataFrame(columns=list(JUNCTION_COLUMNS))
    node_index = {n: i for i, n in enumerate(base.node_ids.tolist())}
    link_index = {k: i for i, k in enumerate(base.link_ids.tolist())}
    to_node = np.asarray(base.to_node, dtype=np.int64)
    base_flow = np.asarray(base_flow, dtype=np.float64)
    rows = []
    for node, g in lines.groupby("node_id", sort=False):
        entering = set(np.flatnonzero(street & (to_node == node_index[node])).tolist()) | {link_index[k] for k in g["link_id"].tolist()}
        flow = float(base_flow[sorted(entering)].sum())
        delay = float(g["delay_veh_h"].sum())
        rows.append({"node_id": node, "control": _control(g["control"].tolist()), "approaches": len(entering), "controlled_approaches": int(g["link_id"].nunique()),
                     "flow_veh_h": flow, "controlled_flow_veh_h": float(g["flow_veh_h"].sum()), "delay_veh_h": delay,
                     "mean_delay_s": delay * 3600.0 / flow if flow > 0 else float("nan"), "max_degree_of_saturation": float(g["degree_of_saturation"].max())})  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(JUNCTION_COLUMNS))
    return frame.sort_values(["delay_veh_h", "node_id"], ascending=[False, True], kind="stable", ignore_index=True)


def _period_parts(result: Any) -> tuple[pd.DataFrame, Any, np.ndarray, np.ndarray]:
    """The lines of a mobility period result, its base network, base flows and street mask."""
    from twin.traffic.vdf import link_times

    car = result.car_net
    net = car.network
    base = car.base if car.turned is not None else net
    if result.assignment is not None:
        flow, time = result.assignment.flow, result.assignment.time
    else:
        flow = np.zeros(net.n_links)
        time = link_times(net, flow)
    lines = line_table(net, car.turned, base, flow, time)
    base_flow = car.turned.link_flow(flow) if car.turned is not None else np.asarray(flow, dtype=np.float64)
    street = np.array([not str(k).startswith("conn:") for k in base.link_ids.tolist()], dtype=bool)
    return lines, base, base_flow, street


def period_lines(result: Any) -> pd.DataFrame:
    """The stop and give-way lines of a mobility period (:class:`~twin.traffic.mobility.PeriodResult`; :func:`line_table`)."""
    return _period_parts(result)[0]


def period_junctions(result: Any) -> pd.DataFrame:
    """The junction table of a mobility period (:class:`~twin.traffic.mobility.PeriodResult`; :func:`junction_table`):
    empty when its car network has no stop or give-way line."""
    return junction_table(*_period_parts(result))


def run_junctions(periods: dict[str, Any]) -> pd.DataFrame:
    """The junction tables of a mobility run's periods in one frame, a ``period`` column first."""
    frames = [period_junctions(r).assign(period=p) for p, r in periods.items()]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(JUNCTION_COLUMNS))
    if "period" not in out.columns:
        out["period"] = pd.Series(dtype=object)
    return out[["period", *JUNCTION_COLUMNS]]


def junction_change(base: pd.DataFrame, variant: pd.DataFrame) -> pd.DataFrame:
    """Junction tables of a baseline and a what-if side by side, per junction (and period, when
    both have that column): ``control`` (the baseline's, else the what-if's), ``delay_veh_h_base``,
    ``delay_veh_h_whatif``, ``delay_veh_h_change`` (what-if - baseline), the same for
    ``mean_delay_s`` and ``flow_veh_h``, and ``status``: ``kept``, ``removed`` (no line left in the
    what-if: 0 delay) or ``new``. Sorted by the absolute change of the delay, largest first."""
    key = [c for c in ("period", "node_id") if c in base.columns and c in variant.columns]
    cols = ["control", "delay_veh_h", "mean_delay_s", "flow_veh_h"]
    b = base[key + [c for c in cols if c in base.columns]]
    v = variant[key + [c for c in cols if c in variant.columns]]
    m = b.merge(v, on=key, how="outer", suffixes=("_base", "_whatif"), indicator=True)
    out = m[key].copy()
    out["control"] = m["control_base"].where(m["control_base"].notna(), m["control_whatif"])
    for c in cols[1:]:
        if f"{c}_base" not in m.columns:
            continue
        for side in ("base", "whatif"):  # a junction missing on one side: no delay, no flow (its mean delay undefined)
            values = m[f"{c}_{side}"].astype(float)
            out[f"{c}_{side}"] = values if c == "mean_delay_s" else values.fillna(0.0)
        out[f"{c}_change"] = out[f"{c}_whatif"] - out[f"{c}_base"]
    out["status"] = m["_merge"].map({"both": "kept", "left_only": "removed", "right_only": "new"}).astype(str)
    order = np.argsort(-np.abs(out["delay_veh_h_change"].to_numpy(dtype=float)), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def link_columns(periods: dict[str, Any]) -> pd.DataFrame:
    """Per street link entering a junction of the tables (index ``link_id``): ``junction_node_id``,
    ``junction_control`` (the junction's control) and ``control_delay_<period>_veh_h`` (flow x
    delay of the link's lines / 3600, 0 without a line): what :func:`junctions_from_links` needs
    to rebuild the junctions' delays from a per-link table."""
    node: dict[str, str] = {}
    control: dict[str, str] = {}
    delays: dict[str, dict[str, float]] = {}
    for p, r in periods.items():
        lines, base, _, street = _period_parts(r)
        table_control = {n: _control(g["control"].tolist()) for n, g in lines.groupby("node_id", sort=False)}
        entering = street & np.isin(base.node_ids[base.to_node], list(table_control))
        for k, n in zip(base.link_ids[entering].tolist(), base.node_ids[base.to_node[entering]].tolist(), strict=True):
            node.setdefault(k, str(n))
        for n, c in table_control.items():
            control[n] = c
        delays[p] = lines.groupby("link_id")["delay_veh_h"].sum().to_dict()
        for k, n in zip(lines["link_id"].tolist(), lines["node_id"].tolist(), strict=True):
            node.setdefault(k, str(n))
    ids = list(node)
    out = pd.DataFrame({"junction_node_id": [node[k] for k in ids], "junction_control": [control.get(node[k], "") for k in ids]}, index=pd.Index(ids, name="link_id"))
    for p, d in delays.items():
        out[f"control_delay_{p}_veh_h"] = [float(d.get(k, 0.0)) for k in ids]
    return out


def junctions_from_links(links: pd.DataFrame, period: str) -> pd.DataFrame:
    """Junctions of a per-link table with :func:`link_columns`' columns: ``node_id``, ``control``,
    ``delay_veh_h`` (the sum over its links), ``streets`` (names of the streets entering it, ``" / "``
    joined); empty without those columns."""
    col = f"control_delay_{period}_veh_h"
    if "junction_node_id" not in links.columns or col not in links.columns:
        return pd.DataFrame(columns=["node_id", "control", "delay_veh_h", "streets"])
    at = links[links["junction_node_id"].fillna("").astype(str) != ""]
    names = at["name"].fillna("").astype(str) if "name" in at.columns else pd.Series("", index=at.index)
    rows = []
    for node, g in at.groupby("junction_node_id", sort=False):
        streets = sorted({n.split(" - ")[0] for n in names.loc[g.index].tolist() if n})
        rows.append({"node_id": str(node), "control": str(g["junction_control"].iloc[0]), "delay_veh_h": float(g[col].astype(float).sum()),
                     "streets": " / ".join(streets)})  # fmt: skip
    return pd.DataFrame(rows, columns=["node_id", "control", "delay_veh_h", "streets"])


__all__ = ["JUNCTION_COLUMNS", "LINE_COLUMNS", "junction_change", "junction_table", "junctions_from_links", "line_map", "line_table", "link_columns",
           "period_junctions", "period_lines", "run_junctions"]  # fmt: skip
