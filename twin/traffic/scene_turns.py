"""A scene's OSM turn restrictions as banned turns of one of its mode networks.

The scene keeps its restriction relations in the ``turn_restrictions`` layer (written at OSM
ingest, :mod:`twin.ingest.osm_restrictions`: from way, via node of the scene's network, to way,
and a reason for the ones that could not be mapped). :func:`scene_banned_turns` turns the usable
rows into banned turns ``(in_link, out_link)`` of a network built by
:meth:`twin.traffic.network.Network.from_scene`, whose ``meta['osm_way_id']`` gives the way of
every link (from the link ids ``osm:way/<id>:<piece>:f|b``), with the rule of
:func:`twin.traffic.turns.restriction_turns` (``no_*``: the turn from the from way to the to way
at the via node; ``only_*``: every other turn out of the from way there). A usable restriction
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
from twin.traffic.turns import network_way_ids, restriction_turns

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
    and ``simulate(banned_turns=...)``); ``applied``: restriction ids that banned at least one
    turn; ``skipped``: ``(restriction id, reason)`` of the others.
    """

    banned: list[tuple[int, int]] = field(default_factory=list)
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


def scene_banned_turns(network: Network, table: pd.DataFrame) -> SceneTurns:
    """Banned turns of the restrictions ``table`` (a scene's ``turn_restrictions`` layer) on ``network``.

    Parameters
    ----------
    network
        A network of the scene (:meth:`~twin.traffic.network.Network.from_scene`, with
        ``meta['osm_way_id']``); node ids are the scene's node ids.
    table
        Rows with ``restriction_id``, ``kind``, ``from_way``, ``via_node``, ``to_way``,
        ``reason`` (rows with a reason are skipped with it).

    Returns
    -------
    SceneTurns

    Raises
    ------
    InputError
        A usable row (empty reason) whose kind is not ``no_*`` / ``only_*`` or whose ways are not
        ``osm:way/<id>``, naming the restriction and the column; a network without way ids.
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


def banned_turns_of_scene(scene: Any, network: Network) -> SceneTurns:
    """:func:`scene_banned_turns` of the scene's own restrictions table."""
    return scene_banned_turns(network, scene_restrictions(scene))


__all__ = ["MODE_VEHICLES", "SceneTurns", "banned_turns_of_scene", "binds", "scene_banned_turns", "scene_restrictions"]
