"""A scene's OSM turn restrictions as banned turns of one of its mode networks.

The scene keeps its restriction relations in the ``turn_restrictions`` layer (written at OSM
ingest, :mod:`twin.ingest.osm_restrictions`: from way, via node of the scene's network or via
way(s) (``via_osm`` ``osm:way/<id>,...``, ``via_node`` empty), to way, and a reason for the ones
that could not be mapped). :func:`scene_banned_turns` turns the usable rows into banned turns
``(in_link, out_link)`` of a network built by :meth:`twin.traffic.network.Network.from_scene`,
whose ``meta['osm_way_id']`` gives the way of every link (from the link ids
``osm:way/<id>:<piece>:f|b``), with the rule of :func:`twin.traffic.turns.restriction_turns`
(``no_*``: the turn from the from way to the to way at the via node; ``only_*``: every other turn
out of the from way there), and the via-way rows into banned link sequences
(:func:`twin.traffic.turns.via_way_sequences`, for ``expand_turns(sequences=...)``; a via chain
that does not join the from way to the to way on the network is skipped with the reason). A usable restriction
that does not apply to the network's mode (a restriction for other vehicles, ``restriction:hgv``
on a car network, or one whose ``except`` names the mode's vehicles: :func:`binds`; the via node
is not on the network, or no link of the from way enters, or no link of the to way leaves, the
via node in that mode) is listed with the reason, not an error. A scene without the layer (older scene folders, non-OSM sources) has no
restrictions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from twin.errors import InputError
from twin.traffic.network import OSM_WAY_PREFIX, Network, osm_way_of
from twin.traffic.turns import SequenceBan, network_way_ids, restriction_turns, via_way_sequences

MODE_VEHICLES: dict[str, frozenset[str]] = {
    "car": frozenset({"vehicle", "motor_vehicle", "motorcar"}),
    "truck": frozenset({"vehicle", "motor_vehicle", "hgv", "goods"}),
    "bus": frozenset({"vehicle", "motor_vehicle", "bus", "psv"}),
    "bike": frozenset({"vehicle", "bicycle"}),
    "walk": frozenset(),
}
"""OSM access keys of the vehicles of each mode (OSM wiki, Key:access, transport mode
hierarchy): a restriction for vehicles X (``restriction:X``) binds the mode when X is one of
them (every vehicle when X is empty, pedestrians never); ``except`` naming one of them exempts it."""


def binds(mode: str, vehicles: str, exempt: str) -> bool:
    """Whether a restriction for ``vehicles`` ('' all) with ``except`` ``exempt`` binds ``mode``."""
    keys = MODE_VEHICLES.get(mode, MODE_VEHICLES["car"])
    if not keys or (vehicles and vehicles not in keys):
        return False
    return not ({v.strip() for v in exempt.split(";")} & keys)


@dataclass(frozen=True)
class SceneTurns:
    """Banned turns of a scene's restrictions on one network, and which restrictions gave them.

    ``banned``: ``(in_link, out_link)`` stored link indices (for :func:`twin.traffic.turns.expand_turns`
    and ``simulate(banned_turns=...)``); ``sequences``: the banned link sequences of via-way
    restrictions (for ``expand_turns(sequences=...)``); ``applied``: restriction ids that banned
    at least one turn or sequence; ``skipped``: ``(restriction id, reason)`` of the others.
    """

    banned: list[tuple[int, int]] = field(default_factory=list)
    sequences: list[SequenceBan] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """For a command's summary: restrictions in the scene, applied, skipped (with the reasons),
        distinct banned turns."""
        return {
            "turn_restrictions": len(self.applied) + len(self.skipped),
            "turn_restrictions_applied": len(self.applied),
            "turn_restrictions_skipped": len(self.skipped),
            "restriction_banned_turns": len(set(self.banned)),
            "restriction_banned_sequences": len(self.sequences),
            "turn_restrictions_not_applied": [{"restriction_id": rid, "reason": why} for rid, why in self.skipped],
        }


def scene_restrictions(scene: Any) -> pd.DataFrame:
    """The ``turn_restrictions`` table of ``scene`` (empty when it has none)."""
    from twin.scene.layers import empty_layer

    layers = getattr(scene, "layers", {})
    return layers["turn_restrictions"] if "turn_restrictions" in layers else empty_layer("turn_restrictions")


def _way(row: pd.Series, column: str) -> int:
    way = osm_way_of(row[column], link=False)
    if way < 0:
        raise InputError(f"{column} must be an OSM way id '{OSM_WAY_PREFIX}<id>', got {str(row[column])!r}", obj=str(row["restriction_id"]), field=column)
    return way


def _text(row: pd.Series, column: str) -> str:
    value = row.get(column, "")
    return "" if pd.isna(value) else str(value)


def _via_ways(row: pd.Series) -> list[int] | None:
    """The via ways of a via-way row (``via_osm`` ``osm:way/<id>,<id>...``), None for a via-node row."""
    text = _text(row, "via_osm")
    if not text.startswith(OSM_WAY_PREFIX):
        return None
    ways = [osm_way_of(OSM_WAY_PREFIX + part, link=False) for part in text[len(OSM_WAY_PREFIX) :].split(",")]
    if min(ways) < 0:
        raise InputError(f"via_osm must be via ways '{OSM_WAY_PREFIX}<id>,<id>...', got {text!r}", obj=str(row["restriction_id"]), field="via_osm")
    return ways


def scene_banned_turns(network: Network, table: pd.DataFrame, *, via_way_reason: str | None = None) -> SceneTurns:
    """Banned turns of the restrictions ``table`` (a scene's ``turn_restrictions`` layer) on ``network``.

    Parameters
    ----------
    network
        A network of the scene (:meth:`~twin.traffic.network.Network.from_scene`, with
        ``meta['osm_way_id']``); node ids are the scene's node ids.
    table
        Rows with ``restriction_id``, ``kind``, ``from_way``, ``via_node``, ``to_way``,
        ``reason`` (rows with a reason are skipped with it); ``via_osm`` ``osm:way/<id>,...``
        marks a via-way row (its ``via_node`` is empty).
    via_way_reason
        None: via-way rows give banned sequences; else they are skipped with this reason (for a
        model that cannot apply a sequence ban).

    Returns
    -------
    SceneTurns

    Raises
    ------
    InputError
        A usable row (empty reason) whose kind is not ``no_*`` / ``only_*`` or whose ways are not
        ``osm:way/<id>``, or whose ``via_osm`` is neither a node nor ways, naming the restriction
        and the column; a network without way ids.
    """
    out = SceneTurns()
    if len(table) == 0:
        return out
    ways = network_way_ids(network)
    node_of = {str(v): k for k, v in enumerate(network.node_ids)}
    mode = network.meta.get("mode", "this")
    for _, row in table.iterrows():
        rid = str(row["restriction_id"])
        reason = _text(row, "reason")
        if reason:
            out.skipped.append((rid, reason))
            continue
        kind = str(row["kind"])
        if not (kind.startswith("no_") or kind.startswith("only_")):
            raise InputError(f"kind must be an OSM restriction value no_* or only_*, got {kind!r}", obj=rid, field="kind")
        from_way, to_way = _way(row, "from_way"), _way(row, "to_way")
        vehicles, exempt = (_text(row, "vehicles"), _text(row, "exempt"))
        if not binds(str(mode), vehicles, exempt):
            out.skipped.append((rid, f"does not bind the {mode} mode (restriction:{vehicles or '*'}, except={exempt or 'none'})"))
            continue
        via_ways = _via_ways(row)
        if via_ways is not None:
            if via_way_reason is not None:
                out.skipped.append((rid, via_way_reason))
                continue
            found = via_way_sequences(network, ways, from_way, via_ways, to_way, mandatory=kind.startswith("only_"))
            if found is None:
                chain = "via way" + ("s " if len(via_ways) > 1 else " ") + ",".join(str(w) for w in via_ways)
                out.skipped.append((rid, f"on the {mode} network no path from way {from_way} along {chain} reaches a link of to way {to_way}"))
            else:
                out.sequences.extend(found)
                out.applied.append(rid)
            continue
        v = node_of.get(str(row["via_node"]))
        if v is None:
            out.skipped.append((rid, f"via node {row['via_node']} is not on the {mode} network"))
            continue
        turns = restriction_turns(network, ways, v, from_way, to_way, mandatory=kind.startswith("only_"))
        if turns is None:
            out.skipped.append((rid, f"on the {mode} network no link of from way {from_way} enters, or no link of to way {to_way} leaves, via node {row['via_node']}"))
        elif not turns:
            out.skipped.append((rid, f"{kind}: no other turn out of from way {from_way} at via node {row['via_node']} on the {mode} network"))
        else:
            out.banned.extend(turns)
            out.applied.append(rid)
    return out


def banned_turns_of_scene(scene: Any, network: Network, *, via_way_reason: str | None = None) -> SceneTurns:
    """:func:`scene_banned_turns` of the scene's own restrictions table."""
    return scene_banned_turns(network, scene_restrictions(scene), via_way_reason=via_way_reason)


__all__ = ["MODE_VEHICLES", "SceneTurns", "banned_turns_of_scene", "binds", "scene_banned_turns", "scene_restrictions"]
