"""Differences between a what-if scene and its baseline, layer by layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from twin.scene.schema import ID_COLUMN, LAYERS

if TYPE_CHECKING:  # pragma: no cover
    from twin.scene.scene import Scene


@dataclass
class LayerDiff:
    """Ids added, removed and modified in one layer, and the columns that changed."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: dict[str, list[str]] = field(default_factory=dict)  # id -> changed columns

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.modified)


@dataclass
class SceneDiff:
    """Per-layer :class:`LayerDiff` of a scene against its baseline."""

    layers: dict[str, LayerDiff]

    @property
    def empty(self) -> bool:
        return all(d.empty for d in self.layers.values())

    def to_frame(self) -> pd.DataFrame:
        """One row per changed object: layer, id, change ('added', 'removed', 'modified'), columns."""
        rows = []
        for name, d in self.layers.items():
            rows += [{"layer": name, "id": i, "change": "added", "columns": ""} for i in d.added]
            rows += [{"layer": name, "id": i, "change": "removed", "columns": ""} for i in d.removed]
            rows += [{"layer": name, "id": i, "change": "modified", "columns": ",".join(c)} for i, c in d.modified.items()]
        return pd.DataFrame(rows, columns=["layer", "id", "change", "columns"])


def _layer_diff(name: str, before: pd.DataFrame, after: pd.DataFrame) -> LayerDiff:
    if before is after:
        return LayerDiff()
    id_col = ID_COLUMN[name]
    b = before.set_index(id_col, drop=False)
    a = after.set_index(id_col, drop=False)
    added = a.index.difference(b.index)
    removed = b.index.difference(a.index)
    common = a.index.intersection(b.index)
    modified: dict[str, list[str]] = {}
    if len(common):
        bc = b.loc[common]
        ac = a.loc[common]
        changed = np.zeros(len(common), dtype=bool)
        per_col = {}
        for col in [c for c in ac.columns if c in bc.columns]:
            x, y = bc[col], ac[col]
            if col == "geometry":
                diff = ~np.asarray(x.geom_equals_exact(y, tolerance=1e-9)) if hasattr(x, "geom_equals_exact") else np.zeros(len(x), bool)
            else:
                xv, yv = x.to_numpy(), y.to_numpy()
                same = (xv == yv) | (pd.isna(xv) & pd.isna(yv))
                diff = ~np.asarray(same, dtype=bool)
            if diff.any():
                per_col[col] = diff
                changed |= diff
        for k in np.flatnonzero(changed):
            modified[str(common[k])] = [c for c, d in per_col.items() if d[k]]
    return LayerDiff([str(i) for i in added], [str(i) for i in removed], modified)


def diff_scenes(baseline: Scene, scene: Scene) -> SceneDiff:
    """Compare every layer of ``scene`` with ``baseline`` by id."""
    return SceneDiff({name: _layer_diff(name, baseline.layers[name], scene.layers[name]) for name in LAYERS})
