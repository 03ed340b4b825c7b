"""What every reader returns: layers for the scene, and the objects it dropped with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Dropped:
    """An input object that did not make it into the scene, and why.

    ``invalid`` is True for broken data (a geometry that cannot be built or repaired, a NaN
    coordinate, an attribute outside its physical bounds), False for objects that are simply not
    used (a point without a service category, a private road); invalid drops give a warning.
    """

    path: str
    obj: str
    reason: str
    invalid: bool = False


@dataclass
class IngestResult:
    """Layers read from one file (tables following :mod:`twin.scene.schema`).

    ``layers`` maps a layer name to a (Geo)DataFrame in the file's CRS or already reprojected;
    the scene reprojects on :meth:`twin.scene.Scene.add`. ``dropped`` lists every object that
    was skipped, with its reason. ``meta`` carries format facts (schema version, CRS, site...).
    ``signal_points``: the traffic signals of a vector file (``osm_id``, ``kind``, points;
    :mod:`twin.ingest.signal_points`), placed on the street nodes once the whole ingest is read;
    None when the file has no signal point. ``sign_points``: its priority signs (``osm_id``,
    ``kind``, ``direction``, ``all_way``, points; :mod:`twin.ingest.priority_signs`), placed the
    same way; None when it has none.
    """

    path: str
    layers: dict[str, pd.DataFrame] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    meta: dict[str, object] = field(default_factory=dict)
    signal_points: pd.DataFrame | None = None
    sign_points: pd.DataFrame | None = None

    def drop(self, obj: object, reason: str, *, invalid: bool = False) -> None:
        """Record a skipped object (``invalid``: because its data is broken)."""
        self.dropped.append(Dropped(self.path, str(obj), reason, invalid))

    @property
    def invalid(self) -> list[Dropped]:
        """The objects dropped because their data is broken."""
        return [d for d in self.dropped if d.invalid]

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.layers.items()}
