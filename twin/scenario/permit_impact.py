"""What the building(s) of a permit application do to their neighbours, from a what-if's energy results.

A what-if that inserts buildings (``insert_building``) changes the district's heating need by two
things the KPI table adds up: the new building's own heating need, and the change of the existing
buildings' heating need (the new building shades them, or, with ``replace_within_m``, replaces
some). :func:`permit_impact` tells them apart from the per-building results of the energy engine
(the same numbers as ``outputs/deltas_<what-if>_energy.parquet``):

* the new buildings: id, floor area (m²), heating need (kWh/yr and kWh/m²·yr), EPB class;
* the neighbours: the existing buildings (in the baseline and in the what-if) whose heating need
  changed, with their change (kWh/yr, kWh/m²·yr, % of their own baseline), EPB class before and
  after, and their distance to the nearest new building (m);
* the buildings the what-if removes, and their baseline heating need.

So that ``new + neighbours - removed`` is the change of the district's heating need (the KPI
``heating_need_mwh``). Numbers are those of the central run: the per-building results carry no band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A change of a building's heating need at or below this share of the largest baseline heating
#: need is round-off, not a change (as the report's maps: ``twin.scenario.report.CHANGE_RTOL``).
CHANGE_RTOL = 1e-9


@dataclass(frozen=True)
class PermitImpact:
    """The new buildings of a what-if and their effect on the existing ones (module docstring).

    Attributes
    ----------
    new
        One row per new building: ``building_id``, ``floor_area_m2``, ``heating_need_kwh_yr``,
        ``heating_need_kwh_m2_yr``, ``energy_class`` ('' when the results carry none).
    neighbours
        One row per existing building whose heating need changed, largest change per m² first:
        ``building_id``, ``distance_m`` (to the nearest new building; NaN without geometry),
        ``heating_need_baseline_kwh_yr``, ``heating_need_delta_kwh_yr``,
        ``heating_need_baseline_kwh_m2_yr``, ``heating_need_delta_kwh_m2_yr``,
        ``heating_need_delta_pct`` (of the building's own baseline), ``class_baseline``,
        ``class_whatif``.
    removed
        One row per building the what-if removes: ``building_id``, ``heating_need_baseline_kwh_yr``.
    """

    new: pd.DataFrame
    neighbours: pd.DataFrame
    removed: pd.DataFrame

    @property
    def new_heating_need_kwh_yr(self) -> float:
        """The new buildings' heating need, kWh/yr."""
        return float(self.new["heating_need_kwh_yr"].sum())

    @property
    def neighbours_delta_kwh_yr(self) -> float:
        """The sum of the neighbours' change of heating need, kWh/yr."""
        return float(self.neighbours["heating_need_delta_kwh_yr"].sum())

    @property
    def neighbours_baseline_kwh_yr(self) -> float:
        """The changed neighbours' own baseline heating need, kWh/yr."""
        return float(self.neighbours["heating_need_baseline_kwh_yr"].sum())

    @property
    def neighbours_delta_pct(self) -> float:
        """The neighbours' change of heating need in % of their own baseline (NaN without neighbours)."""
        base = self.neighbours_baseline_kwh_yr
        return 100.0 * self.neighbours_delta_kwh_yr / base if base > 0 else float("nan")

    @property
    def removed_heating_need_kwh_yr(self) -> float:
        """The baseline heating need of the buildings the what-if removes, kWh/yr."""
        return float(self.removed["heating_need_baseline_kwh_yr"].sum())

    @property
    def has_classes(self) -> bool:
        """Whether the results carry EPB classes (without them every class is '')."""
        return bool(self.new["energy_class"].astype(bool).any() or self.neighbours["class_baseline"].astype(bool).any())

    @property
    def class_changes(self) -> pd.Series:
        """How many neighbours moved from one EPB class to another: index ``(from, to)``, most first."""
        n = self.neighbours
        moved = n[n["class_baseline"] != n["class_whatif"]]
        if moved.empty:
            return pd.Series(dtype=int)
        return moved.groupby(["class_baseline", "class_whatif"]).size().sort_values(ascending=False, kind="stable")


def added_ids(comparison, whatif: str, domain: str = "energy") -> list[str]:
    """The ids of the objects of ``domain`` in ``whatif`` that the baseline does not have (inserted)."""
    if domain not in getattr(comparison, "baseline", {}) or domain not in comparison.whatifs.get(whatif, {}):
        return []
    base, new = comparison.baseline[domain], comparison.whatifs[whatif][domain]
    idc = base.id_column
    return new.objects.loc[~new.objects[idc].isin(base.objects[idc]), idc].astype(str).tolist()


def permit_impact(comparison, whatif: str) -> PermitImpact | None:
    """The new buildings of ``whatif`` and the change of their neighbours' heating need and EPB class.

    Parameters
    ----------
    comparison
        A :class:`twin.scenario.runner.Comparison` whose energy engine ran; its per-building
        results need ``q_heat_kwh`` (kWh/yr), and for the per-m² numbers ``a_f_m2`` (m²).
    whatif
        The what-if's name.

    Returns
    -------
    PermitImpact or None
        None when the what-if adds no building to the energy engine's results (or the engine did
        not run).
    """
    if not added_ids(comparison, whatif):
        return None
    base_res, new_res = comparison.baseline["energy"], comparison.whatifs[whatif]["energy"]
    idc = base_res.id_column
    return impact_of(base_res.objects.set_index(idc), new_res.objects.set_index(idc))


def permit_impact_from_deltas(deltas: pd.DataFrame) -> PermitImpact | None:
    """:func:`permit_impact` from a what-if's per-building deltas (``outputs/deltas_<what-if>_energy.parquet``
    of a run folder: ``building_id``, ``q_heat_kwh_baseline`` / ``_whatif`` in kWh/yr, ``a_f_m2_...`` in m²,
    ``geometry`` as shapely or WKB). The file has no EPB class: each building's is that of its
    ``primary_energy_kwh_m2_...`` (kWh/m²·yr), as the energy engine gives it
    (:func:`twin.energy.classes.energy_class`); '' without that column.

    Returns
    -------
    PermitImpact or None
        None when no row is new (a baseline heating need missing, a what-if one given).
    """
    from twin.energy.classes import energy_class

    d = deltas.set_index("building_id")
    sides = []
    for suffix in ("_baseline", "_whatif"):
        cols = {c[: -len(suffix)]: d[c] for c in d.columns if c.endswith(suffix)}
        frame = pd.DataFrame(cols, index=d.index)
        if "geometry" in d.columns:
            import shapely

            geoms = d["geometry"].to_numpy()
            is_wkb = len(geoms) and isinstance(geoms[0], (bytes, bytearray))
            frame["geometry"] = shapely.from_wkb(geoms) if is_wkb else geoms
        if "primary_energy_kwh_m2" in frame.columns:
            frame["energy_class"] = energy_class(frame["primary_energy_kwh_m2"].to_numpy(dtype=float))
        sides.append(frame[frame["q_heat_kwh"].notna()])
    base, new = sides
    if new.index.isin(base.index).all():
        return None
    return impact_of(base, new)


def impact_of(base: pd.DataFrame, new: pd.DataFrame) -> PermitImpact:
    """The :class:`PermitImpact` of a what-if from its per-building energy results.

    Parameters
    ----------
    base, new
        The baseline's and the what-if's buildings, indexed by building id: ``q_heat_kwh``
        (kWh/yr), optionally ``a_f_m2`` (m²), ``energy_class`` and ``geometry`` (projected, m).
        A building only in ``new`` is new; only in ``base``, removed.
    """
    added = new.index[~new.index.isin(base.index)].tolist()

    def column(frame: pd.DataFrame, name: str, ids) -> np.ndarray:
        return frame[name].reindex(ids).to_numpy(dtype=float) if name in frame.columns else np.full(len(ids), np.nan)

    def classes(frame: pd.DataFrame, ids) -> np.ndarray:
        return frame["energy_class"].reindex(ids).fillna("").astype(str).to_numpy() if "energy_class" in frame.columns else np.full(len(ids), "")

    area = column(new, "a_f_m2", added)
    heat = column(new, "q_heat_kwh", added)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_m2 = np.where(area > 0, heat / area, np.nan)
    new_rows = pd.DataFrame({"building_id": [str(i) for i in added], "floor_area_m2": area, "heating_need_kwh_yr": heat,
                             "heating_need_kwh_m2_yr": per_m2, "energy_class": classes(new, added)})

    in_new = base.index.isin(new.index)
    kept, removed = base.index[in_new].tolist(), base.index[~in_new].tolist()
    b_heat, w_heat = column(base, "q_heat_kwh", kept), column(new, "q_heat_kwh", kept)
    delta = w_heat - b_heat
    scale = float(np.nanmax(np.abs(b_heat))) if len(b_heat) and np.isfinite(b_heat).any() else 0.0
    changed = np.isfinite(delta) & (np.abs(delta) > CHANGE_RTOL * max(scale, 1.0))
    ids = [i for i, c in zip(kept, changed) if c]
    b_area = column(base, "a_f_m2", ids)
    with np.errstate(divide="ignore", invalid="ignore"):
        b_m2 = np.where(b_area > 0, b_heat[changed] / b_area, np.nan)
        d_m2 = np.where(b_area > 0, delta[changed] / b_area, np.nan)
        d_pct = np.where(b_heat[changed] > 0, 100.0 * delta[changed] / b_heat[changed], np.nan)
    neighbours = pd.DataFrame({
        "building_id": [str(i) for i in ids], "distance_m": _distances(base, new, ids, added),
        "heating_need_baseline_kwh_yr": b_heat[changed], "heating_need_delta_kwh_yr": delta[changed],
        "heating_need_baseline_kwh_m2_yr": b_m2, "heating_need_delta_kwh_m2_yr": d_m2, "heating_need_delta_pct": d_pct,
        "class_baseline": classes(base, ids), "class_whatif": classes(new, ids)})
    key = np.abs(neighbours["heating_need_delta_kwh_m2_yr"].to_numpy(float))
    key[~np.isfinite(key)] = -1.0  # without a floor area: last
    order = np.argsort(-key, kind="stable")
    neighbours = neighbours.iloc[order].reset_index(drop=True)
    gone = pd.DataFrame({"building_id": [str(i) for i in removed], "heating_need_baseline_kwh_yr": column(base, "q_heat_kwh", removed)})
    return PermitImpact(new=new_rows, neighbours=neighbours, removed=gone)


def _distances(base: pd.DataFrame, new: pd.DataFrame, ids: list, added: list) -> np.ndarray:
    """Distance (m, the scene's projected CRS) from each building of ``ids`` to the nearest new
    building, footprint to footprint; NaN without geometry."""
    if not ids or "geometry" not in base.columns or "geometry" not in new.columns:
        return np.full(len(ids), np.nan)
    import shapely

    footprints = shapely.union_all(np.asarray(new["geometry"].reindex(added).values))
    return shapely.distance(np.asarray(base["geometry"].reindex(ids).values), footprints).astype(float)


#: The columns of a batch's ``permits_summary.csv`` (:func:`twin.scenario.batch.write_permits_summary`)
#: that :func:`summary_row` gives: the new buildings, then their neighbours.
SUMMARY_COLUMNS = ("new_buildings", "new_floor_area_m2", "new_heating_need_mwh_yr", "new_heating_need_kwh_m2_yr", "new_energy_class",
                   "neighbours_changed", "neighbours_heating_need_delta_mwh_yr", "neighbours_heating_need_delta_pct",
                   "neighbours_class_changed",
                   "largest_change_building_id", "largest_change_kwh_m2_yr", "largest_change_pct", "largest_change_distance_m",
                   "buildings_removed")


def summary_row(impact: PermitImpact) -> dict:
    """One row of a batch's permit summary (:data:`SUMMARY_COLUMNS`): the new buildings' floor area
    (m²), heating need (MWh/yr, kWh/m²·yr) and EPB class(es), the neighbours changed, the sum of
    their change (MWh/yr, % of their own baseline), how many changed EPB class (the report card's
    :attr:`PermitImpact.class_changes`) and the largest change of one building (kWh/m²·yr, % of its
    own, its id and its distance to the new building, m); NaN and '' where there is none (no class:
    the results carry none)."""
    area = float(impact.new["floor_area_m2"].sum())
    top = impact.neighbours.iloc[0] if len(impact.neighbours) else None
    return {
        "new_buildings": len(impact.new), "new_floor_area_m2": area,
        "new_heating_need_mwh_yr": impact.new_heating_need_kwh_yr / 1e3,
        "new_heating_need_kwh_m2_yr": impact.new_heating_need_kwh_yr / area if area > 0 else float("nan"),
        "new_energy_class": ", ".join(c for c in impact.new["energy_class"] if c),
        "neighbours_changed": len(impact.neighbours), "neighbours_heating_need_delta_mwh_yr": impact.neighbours_delta_kwh_yr / 1e3,
        "neighbours_heating_need_delta_pct": impact.neighbours_delta_pct,
        "neighbours_class_changed": int(impact.class_changes.sum()) if impact.has_classes else float("nan"),
        "largest_change_building_id": "" if top is None else str(top["building_id"]),
        "largest_change_kwh_m2_yr": float("nan") if top is None else float(top["heating_need_delta_kwh_m2_yr"]),
        "largest_change_pct": float("nan") if top is None else float(top["heating_need_delta_pct"]),
        "largest_change_distance_m": float("nan") if top is None else float(top["distance_m"]),
        "buildings_removed": len(impact.removed),
    }
