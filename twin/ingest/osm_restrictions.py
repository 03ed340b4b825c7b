"""OSM turn restrictions of a file -> the ``turn_restrictions`` table of the scene.

Every ``type=restriction`` relation (read with pyosmium, :func:`twin.io.osm_relations.read_osm_restrictions`)
becomes one row: relation id, restriction value, from way, via node, to way, and a ``reason``
that is empty when the restriction can be applied. The via node is mapped to the street network
built from the same file (:func:`twin.ingest.streets.build_network`): its location in the file,
snapped on the grid of the street vertices, is the network node ``<node prefix>:<x cell>_<y cell>``
(the id the network gave the vertex), so two ways that meet at more than one node are told
apart. A restriction is not usable, and is reported in the ingest's drop list with its reason,
when

* the relation itself cannot be used (no single from / to way or via member, an unknown value:
  the reader's reasons);
* the from or to way is not in the file, or the via node is not a node of both ways in the file
  (the ways do not meet there);
* the from or to way is not a street of the scene (not routable, e.g. a footway closed to every
  mode, or dropped for its geometry), or the via node is not a node of the street network, or no
  link of the from way and no link of the to way touches it.

A restriction whose via member is one or more ways (``via_osm`` ``osm:way/<id>,...`` in the
relation's member order, ``via_node`` empty) is usable when its ways form a chain from the from
way through the via ways to the to way: every way in the file, each one sharing a node with the
next in the file, every one a street of the scene, and a link of each touching a link of the next
at a node of the street network. Otherwise it is reported like the others, with the first link of
the chain that fails. Which links' sequences it bans is decided on a mode's network
(:func:`twin.traffic.turns.via_way_sequences`).

The vehicles a restriction is for (``restriction:<vehicle>``) and those it exempts (``except``)
are kept; which turns are then banned for a mode is decided on that mode's network
(:func:`twin.traffic.scene_turns.scene_banned_turns`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from twin.ingest.result import IngestResult
from twin.ingest.streets import cell_node_ids, snap_cells

COLUMNS = ("restriction_id", "kind", "from_way", "via_node", "to_way", "via_osm", "vehicles", "exempt", "reason")
"""Columns of the table, those of the ``turn_restrictions`` layer (:mod:`twin.scene.schema`)."""


def _members(path: Path, way_ids: set[int], node_ids: set[int]) -> tuple[dict[int, list[int]], dict[int, tuple[float, float]]]:
    """Node refs of the ways ``way_ids`` and lon/lat (degree) of the nodes ``node_ids`` found in the file."""
    import osmium

    ways: dict[int, list[int]] = {}
    where: dict[int, tuple[float, float]] = {}
    if way_ids:
        for w in osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(osmium.filter.IdFilter(way_ids)):
            ways[int(w.id)] = [int(n.ref) for n in w.nodes]
    if node_ids:
        for n in osmium.FileProcessor(str(path), osmium.osm.NODE).with_filter(osmium.filter.IdFilter(node_ids)):
            if n.location.valid():
                where[int(n.id)] = (float(n.location.lon), float(n.location.lat))
    return ways, where


def _via_way_reason(chain: list[int], way_nodes: dict[int, list[int]], street_ways: set[str], ends: dict[str, set[str]], dropped_why: dict[str, str]) -> str:
    """Why the chain from way, via ways, to way of a via-way restriction cannot be used ('' usable)."""
    roles = ["from", *(["via"] * (len(chain) - 2)), "to"]
    for way, role in zip(chain, roles, strict=True):
        if way not in way_nodes:
            return f"{role} way {way} is not in the file"
    for (a, ra), (b, rb) in zip(zip(chain, roles), zip(chain[1:], roles[1:]), strict=False):
        if not set(way_nodes[a]) & set(way_nodes[b]):
            return f"{ra} way {a} and {rb} way {b} share no node in the file (the via ways do not join the from way to the to way)"
    for way, role in zip(chain, roles, strict=True):
        if f"osm:way/{way}" not in street_ways:
            return f"{role} way osm:way/{way} is not a street of the scene ({dropped_why.get(f'osm:way/{way}', 'not read as a street')})"
    for (a, ra), (b, rb) in zip(zip(chain, roles), zip(chain[1:], roles[1:]), strict=False):
        if not ends[f"osm:way/{a}"] & ends[f"osm:way/{b}"]:
            return f"no link of {ra} way {a} meets a link of {rb} way {b} at a node of the street network"
    return ""


def restriction_table(
    path: Path,
    links: pd.DataFrame,
    *,
    node_prefix: str,
    snap_deg: float,
    result: IngestResult,
) -> pd.DataFrame:
    """The ``turn_restrictions`` rows of the OSM file ``path`` on the street network ``links``.

    Parameters
    ----------
    path
        The OSM file (.osm, .osm.pbf) the network was built from (readable by pyosmium).
    links
        The ``links`` layer built from it (node ids from ``node_prefix`` and the snapped lon/lat
        in EPSG:4326, ``source_id`` ``osm:way/<id>``).
    node_prefix, snap_deg
        The node prefix and the snapping grid (degree) the network was built with.
    result
        Unusable restrictions are added to its drop list (not as invalid data: a restriction
        that does not fit the file or the scene is left out, the rest of the file is fine).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, one row per relation (empty if the file has none).
    """
    from twin.io.osm_relations import read_osm_restrictions

    found = read_osm_restrictions(path)
    rows: list[dict[str, str]] = [
        {"restriction_id": f"osm:relation/{rid}", "kind": "", "from_way": "", "via_node": "", "to_way": "", "via_osm": "", "vehicles": "", "exempt": "", "reason": why}
        for rid, why in found.skipped
    ]
    way_ids = {w for r in found.restrictions for w in (r.from_way, r.to_way, *r.via_ways)}
    via_ids = {r.via_node for r in found.restrictions if r.via_node is not None}
    way_nodes, lonlat = _members(path, way_ids, via_ids)
    # only the links of the restrictions' ways (a region has ~10^5 links and a few restrictions)
    mine = links[links["source_id"].isin({f"osm:way/{w}" for w in way_ids})] if len(links) else links
    street_ways = set(mine["source_id"].astype(str))
    node_set = set(mine["from_node"].astype(str)) | set(mine["to_node"].astype(str))
    ends: dict[str, set[str]] = {}
    for way, a, b in zip(mine["source_id"].astype(str), mine["from_node"].astype(str), mine["to_node"].astype(str), strict=True):
        ends.setdefault(way, set()).update((a, b))
    dropped_why = {d.obj: d.reason for d in result.dropped}
    for r in found.restrictions:
        frm, to = f"osm:way/{r.from_way}", f"osm:way/{r.to_way}"
        via_osm = f"osm:node/{r.via_node}" if r.via_node is not None else "osm:way/" + ",".join(str(w) for w in r.via_ways)
        via = ""
        if r.via_node is None:
            why = _via_way_reason([r.from_way, *r.via_ways, r.to_way], way_nodes, street_ways, ends, dropped_why)
        elif r.from_way not in way_nodes:
            why = f"from way {r.from_way} is not in the file"
        elif r.to_way not in way_nodes:
            why = f"to way {r.to_way} is not in the file"
        elif r.via_node not in way_nodes[r.from_way] or r.via_node not in way_nodes[r.to_way]:
            why = f"from way {r.from_way} and to way {r.to_way} do not meet at via node {r.via_node} in the file"
        elif r.via_node not in lonlat:
            why = f"via node {r.via_node} is not in the file (no location)"
        elif frm not in street_ways or to not in street_ways:
            way = frm if frm not in street_ways else to
            why = f"{'from' if way == frm else 'to'} way {way} is not a street of the scene ({dropped_why.get(way, 'not read as a street')})"
        else:
            via = str(cell_node_ids(node_prefix, snap_cells(np.array([lonlat[r.via_node]]), snap_deg))[0])
            if via not in node_set:
                why = f"via node {r.via_node} is not a junction of the street network"
            elif via not in ends.get(frm, set()) or via not in ends.get(to, set()):
                why = f"no link of from way {r.from_way} and of to way {r.to_way} meets at via node {r.via_node} in the street network"
            else:
                why = ""
            if why:
                via = ""
        rows.append({"restriction_id": f"osm:relation/{r.relation_id}", "kind": r.kind, "from_way": frm, "via_node": via, "to_way": to, "via_osm": via_osm,
                     "vehicles": r.vehicles, "exempt": r.exempt, "reason": why})  # fmt: skip
    for row in rows:
        if row["reason"]:
            result.drop(row["restriction_id"], f"turn restriction not used: {row['reason']}")
    return pd.DataFrame(rows, columns=list(COLUMNS))


__all__ = ["COLUMNS", "restriction_table"]
