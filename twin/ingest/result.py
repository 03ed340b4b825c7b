"""What every reader returns: layers for the scene, and the objects it dropped with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Dropped:
    """An input object that did not make it into the scene, and why."""

    path: str
    obj: str
    reason: str


@dataclass
class IngestResult:
    """Layers read from one file (tables following :mod:`twin.scene.schema`).

    ``layers`` maps a layer name to a (Geo)DataFrame in the file's CRS or already reprojected;
    the scene reprojects on :meth:`twin.scene.Scene.add`. ``dropped`` lists every object that
    was skipped, with its reason. ``meta`` carries format facts (schema version, CRS, site...).
    """

    path: str
    layers: dict[str, pd.DataFrame] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    meta: dict[str, object] = field(default_factory=dict)

    def drop(self, obj: object, reason: str) -> None:
        """Record a skipped object."""
        self.dropped.append(Dropped(self.path, str(obj), reason))

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.layers.items()}
