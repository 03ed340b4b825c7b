"""Height and storeys: from each other, from neighbours, or from a documented default.

Terms (OSM's): ``n_storeys`` counts the full storeys of the building above ground, without
the levels in the roof and without the levels a ``building:min_level`` leaves out
(``n_storeys = building:levels - building:min_level``); ``roof_levels`` are the storeys in
the roof (``roof:levels``); ``min_height_m`` is the height of the building's underside
(``min_height``, a building on stilts or over a passage); ``height_m`` is the top of the
building (the ridge of a pitched roof) above the ground.

The roof adds ``roof_m`` above the last full storey: ``roof_levels x storey height`` when
``roof:levels`` is given, else ``pitched_roof_height_m`` (3 m) when ``roof:shape`` names a
pitched roof, else nothing (flat or unknown roof).

Rules, in order (each building takes the first that applies; ``sh`` is the storey height
of its use, ``storey_height_m`` in the defaults table):

``both known``
    height and storeys kept; ``storey_height_m = (height - min_height - roof_m) / n_storeys``.
``storeys_from_height`` (inferred)
    ``n_storeys = max(1, round((height - min_height - roof_m) / sh))``.
``height_from_storeys`` (inferred)
    ``height = min_height + n_storeys x sh + roof_m``.
``neighbours`` (inferred; :mod:`twin.ingest.attributes.context`)
    neither known: the median storeys (and, where they are known, height) of the nearest
    party-wall neighbours that have them.
``default:<band>`` (default)
    neither known: storeys by use and footprint area (``storeys`` bands; the ``untagged``
    bands when the use itself is a default), at most ``max_default_storeys``; footprints under
    ``small_footprint_m2`` have ``small_footprint_storeys``; height from the storeys as above.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twin.ingest.attributes.sources import KNOWN
from twin.scene.provenance import storey_height_source


def storey_height(use: np.ndarray, table: dict[str, Any]) -> np.ndarray:
    """Default storey height (m) for each use class."""
    sh = table["buildings"]["storey_height_m"]
    default = float(sh["default"])
    u = pd.Series(np.asarray(use, dtype=object), dtype=object)
    table_sh = {str(k): float(v) for k, v in sh.items() if k != "default"}
    return u.map(table_sh).astype(float).fillna(default).to_numpy(dtype=float)


def roof_allowance_m(roof_levels: np.ndarray, roof_kind: np.ndarray, sh: np.ndarray, table: dict[str, Any]) -> np.ndarray:
    """Height (m) the roof adds above the last full storey (module docstring)."""
    bt = table["buildings"]
    flat = {str(k).lower() for k in bt.get("flat_roof_kinds", ["flat", ""])}
    kind = pd.Series(np.asarray(roof_kind, dtype=object), dtype=object).fillna("").astype(str).str.strip().str.lower().to_numpy()
    pitched = ~pd.Series(kind, dtype=object).isin(flat).to_numpy(dtype=bool)
    levels = np.nan_to_num(np.asarray(roof_levels, dtype=float), nan=0.0)
    return np.where(levels > 0, levels * sh, np.where(pitched, float(bt.get("pitched_roof_height_m", 0.0)), 0.0))


def _bands(table: dict[str, Any], key: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    bands = table["buildings"]["storeys"]
    rows = bands.get(key) or bands["*"]
    edges = np.array([np.inf if r["max_area_m2"] is None else float(r["max_area_m2"]) for r in rows])
    values = np.array([int(r["storeys"]) for r in rows], dtype=np.int64)
    labels = []
    lower = 0.0
    for r, e in zip(rows, edges):
        name = key if key in bands else "*"
        if r.get("label"):
            labels.append(str(r["label"]))
        elif np.isfinite(e):
            labels.append(f"{name}<{e:g}m2")
        else:
            labels.append(f"{name}>={lower:g}m2" if lower > 0 else name)
        lower = e
    return edges, values, labels


def default_storeys(
    use: np.ndarray, footprint_area_m2: np.ndarray, table: dict[str, Any], *, untagged: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Default storeys (int64) and the band that gave them (``default:<label>``).

    Parameters
    ----------
    use
        Use class of each building.
    footprint_area_m2
        Footprint area, m2.
    table
        The defaults table.
    untagged
        True where the use itself is a default: the ``untagged`` bands apply.
    """
    bt = table["buildings"]
    area = np.asarray(footprint_area_m2, dtype=float)
    use = np.asarray(use, dtype=object)
    n = len(area)
    untagged = np.zeros(n, dtype=bool) if untagged is None else np.asarray(untagged, dtype=bool)
    key = np.where(untagged & ("untagged" in bt["storeys"]), "untagged", use).astype(object)
    out = np.zeros(n, dtype=np.int64)
    label = np.full(n, "", dtype=object)
    codes, uniques = pd.factorize(pd.Series(key, dtype=object))
    for j, k in enumerate(uniques):
        mask = codes == j
        edges, values, labels = _bands(table, str(k))
        idx = np.minimum(np.searchsorted(edges, area[mask], side="right"), len(values) - 1)
        out[mask] = values[idx]
        label[mask] = np.asarray(["default:" + x for x in labels], dtype=object)[idx]
    cap = bt.get("max_default_storeys")
    if cap is not None:
        over = out > int(cap)
        out[over] = int(cap)
        label[over] = label[over] + ",capped"
    small = area < float(bt["small_footprint_m2"])
    out[small] = int(bt["small_footprint_storeys"])
    label[small] = f"default:small<{float(bt['small_footprint_m2']):g}m2"
    return out, label


def resolve_form(
    *,
    height_m: np.ndarray,
    height_source: np.ndarray,
    height_rule: np.ndarray,
    n_storeys: np.ndarray,
    storeys_source: np.ndarray,
    storeys_rule: np.ndarray,
    roof_levels: np.ndarray,
    roof_kind: np.ndarray,
    min_height_m: np.ndarray,
    use: np.ndarray,
    use_source: np.ndarray,
    footprint_area_m2: np.ndarray,
    table: dict[str, Any],
    neighbour_storeys: np.ndarray | None = None,
    neighbour_height_m: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Height, storeys and storey height of every building by the rules of the module docstring.

    Parameters
    ----------
    height_m, n_storeys
        Known values (NaN where unknown): only values whose source is data, user or
        calibrated are passed as known; ``n_storeys`` already without ``min_level``.
    height_source, storeys_source, height_rule, storeys_rule
        Source and rule of the known values.
    roof_levels, roof_kind, min_height_m
        Roof storeys (NaN = none), ``roof:shape`` text, underside height (NaN = 0), m.
    use, use_source
        Use class and its source (a default use takes the ``untagged`` storey bands).
    footprint_area_m2
        Footprint area, m2.
    neighbour_storeys, neighbour_height_m
        From :mod:`twin.ingest.attributes.context` (NaN where no neighbour knows).

    Returns
    -------
    dict
        ``height_m``, ``height_m_source``, ``height_m_rule``, ``n_storeys`` (int64),
        ``n_storeys_source``, ``n_storeys_rule``, ``storey_height_m`` and
        ``storey_height_m_source`` (the height and storeys' sources where both are given,
        :func:`twin.scene.provenance.storey_height_source`; ``default`` by use elsewhere).
    """
    n = len(footprint_area_m2)
    h = np.asarray(height_m, dtype=float).copy()
    s = np.asarray(n_storeys, dtype=float).copy()
    h[~(h > 0)] = np.nan
    s = np.where(s >= 1, np.round(s), np.nan)
    sh = storey_height(use, table)
    min_h = np.nan_to_num(np.asarray(min_height_m, dtype=float), nan=0.0)
    roof_m = roof_allowance_m(roof_levels, roof_kind, sh, table)
    has_h, has_s = ~np.isnan(h), ~np.isnan(s)
    nb_s = np.full(n, np.nan) if neighbour_storeys is None else np.asarray(neighbour_storeys, dtype=float)
    nb_h = np.full(n, np.nan) if neighbour_height_m is None else np.asarray(neighbour_height_m, dtype=float)

    out_s = np.where(has_s, s, np.nan)
    out_h = np.where(has_h, h, np.nan)
    s_src = np.where(has_s, np.asarray(storeys_source, dtype=object), None).astype(object)
    h_src = np.where(has_h, np.asarray(height_source, dtype=object), None).astype(object)
    s_rule = np.where(has_s, np.asarray(storeys_rule, dtype=object), None).astype(object)
    h_rule = np.where(has_h, np.asarray(height_rule, dtype=object), None).astype(object)

    only_h = has_h & ~has_s
    body = np.maximum(h - min_h - roof_m, 0.0)
    out_s[only_h] = np.maximum(1.0, np.round(body[only_h] / sh[only_h]))
    s_src[only_h], s_rule[only_h] = "inferred", "storeys_from_height"

    neither = ~has_h & ~has_s
    from_nb = neither & (nb_s >= 1)
    out_s[from_nb] = np.round(nb_s[from_nb])
    s_src[from_nb], s_rule[from_nb] = "inferred", "neighbours"
    nb_height = from_nb & (nb_h > 0)
    out_h[nb_height] = nb_h[nb_height]
    h_src[nb_height], h_rule[nb_height] = "inferred", "neighbours"

    default = neither & ~from_nb
    if default.any():
        untagged = np.asarray(use_source, dtype=object) == "default"
        d_s, d_rule = default_storeys(np.asarray(use, dtype=object)[default], np.asarray(footprint_area_m2, dtype=float)[default], table, untagged=untagged[default])
        out_s[default] = d_s
        s_src[default], s_rule[default] = "default", d_rule

    need_h = np.isnan(out_h)
    out_h[need_h] = min_h[need_h] + out_s[need_h] * sh[need_h] + roof_m[need_h]
    h_src[need_h] = np.where(s_src[need_h] == "default", "default", "inferred")
    h_rule[need_h] = "height_from_storeys"

    both = has_h & has_s
    storey_h = sh.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        per = (h - min_h - roof_m) / np.where(both, s, 1.0)
        plain = (h - min_h) / np.where(both, s, 1.0)
    storey_h[both] = np.where(per[both] >= 1.5, per[both], plain[both])
    sh_src = np.full(n, "default", dtype=object)
    sh_src[both] = storey_height_source(np.asarray(height_source, dtype=object)[both], np.asarray(storeys_source, dtype=object)[both])
    return {
        "height_m": out_h,
        "height_m_source": h_src,
        "height_m_rule": h_rule,
        "n_storeys": out_s.astype(np.int64),
        "n_storeys_source": s_src,
        "n_storeys_rule": s_rule,
        "storey_height_m": storey_h,
        "storey_height_m_source": sh_src,
    }


def known(values: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """``values`` where the source is data, user or calibrated, NaN elsewhere."""
    v = np.asarray(values, dtype=float).copy()
    v[~pd.Series(np.asarray(sources, dtype=object), dtype=object).isin(KNOWN).to_numpy(dtype=bool)] = np.nan
    return v


__all__ = ["default_storeys", "known", "resolve_form", "roof_allowance_m", "storey_height"]
