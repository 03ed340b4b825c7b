"""OSM turn restriction relations of a file (``type=restriction``), read with pyosmium.

A file-level reader, below the ingest layer and the engines, which both use it
(tests/test_import_layers.py): :mod:`twin.ingest.osm_restrictions` maps the relations to a
scene's street network (the ``turn_restrictions`` layer), and :mod:`twin.traffic.turns` to a
network whose node ids are OSM node ids (:func:`twin.traffic.turns.osm_banned_turns`). Rules of
the relation: OSM wiki, Relation:restriction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from twin.errors import InputError


@dataclass(frozen=True)
class OsmRestriction:
    """One OSM turn restriction relation."""

    relation_id: int
    kind: str  # no_left_turn, only_straight_on, ...
    from_way: int
    to_way: int
    via_node: int | None
    via_ways: tuple[int, ...] = ()
    vehicles: str = ""  # X of a restriction:X tag (e.g. hgv): only those vehicles; '' every vehicle
    exempt: str = ""  # the except tag (e.g. bicycle;psv): vehicles not bound

    @property
    def mandatory(self) -> bool:
        """``only_*``: the one turn allowed out of the ``from`` way."""
        return self.kind.startswith("only_")


@dataclass(eq=False)
class OsmRestrictions:
    """Restrictions read from a file and the relations that could not be used (with reasons)."""

    restrictions: list[OsmRestriction]
    skipped: list[tuple[int, str]] = field(default_factory=list)
    path: str | None = None

    @property
    def n_relations(self) -> int:
        """All ``type=restriction`` relations in the file."""
        return len(self.restrictions) + len(self.skipped)


def read_osm_restrictions(path: str | Path) -> OsmRestrictions:
    """Every ``type=restriction`` relation of an OSM file (.pbf, .osm), with pyosmium.

    Relations without exactly one ``from`` and one ``to`` way, or without a ``via`` member, or
    with an unknown ``restriction`` value, are listed in ``skipped`` with the reason. The value is
    ``restriction``'s, else that of a ``restriction:<vehicle>`` tag (then ``vehicles``); the
    ``except`` tag is kept in ``exempt``; a ``restriction:conditional`` (or
    ``restriction:<vehicle>:conditional``) relation is skipped (its condition is not read).
    """
    import osmium

    path = Path(path)
    if not path.exists():
        raise InputError("OSM file not found", path=path)
    found: list[OsmRestriction] = []
    skipped: list[tuple[int, str]] = []

    class Handler(osmium.SimpleHandler):
        def relation(self, r) -> None:  # noqa: ANN001 - pyosmium object
            if r.tags.get("type") != "restriction":
                return
            kind = r.tags.get("restriction") or ""
            vehicles = ""
            if not kind:
                vehicles, kind = next(((k.split(":", 1)[1], v) for k, v in r.tags if k.startswith("restriction:")), ("", ""))
            frm = [m.ref for m in r.members if m.role == "from" and m.type == "w"]
            to = [m.ref for m in r.members if m.role == "to" and m.type == "w"]
            via_n = [m.ref for m in r.members if m.role == "via" and m.type == "n"]
            via_w = [m.ref for m in r.members if m.role == "via" and m.type == "w"]
            if vehicles.endswith("conditional"):
                skipped.append((r.id, f"conditional restriction {kind!r} (restriction:{vehicles}): not applied"))
            elif not (kind.startswith("no_") or kind.startswith("only_")):
                skipped.append((r.id, f"restriction value {kind!r}"))
            elif len(frm) != 1 or len(to) != 1:
                skipped.append((r.id, f"{len(frm)} from and {len(to)} to ways"))
            elif len(via_n) + len(via_w) == 0 or (via_n and via_w) or len(via_n) > 1:
                skipped.append((r.id, "no single via node or via ways"))
            else:
                found.append(OsmRestriction(int(r.id), kind, int(frm[0]), int(to[0]), int(via_n[0]) if via_n else None, tuple(int(w) for w in via_w),
                                            vehicles, r.tags.get("except") or ""))  # fmt: skip

    try:
        Handler().apply_file(str(path))
    except RuntimeError as exc:
        raise InputError(f"cannot read the OSM file: {exc}", path=path) from None
    return OsmRestrictions(found, skipped, str(path))


__all__ = ["OsmRestriction", "OsmRestrictions", "read_osm_restrictions"]
