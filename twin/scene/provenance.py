"""Where each building attribute came from, and how much of the city rests on assumptions.

Every attribute a model reads has a *source*:

``data``
    read from an input file (an OSM tag, a CityJSON attribute, an IFC quantity);
``inferred``
    derived from other data by a documented rule (storeys from a measured height, use from a
    name or the land-use polygon a building stands in, period from its neighbours);
``default``
    a documented default (a prior's central value) because nothing was known;
``calibrated``
    fitted to measurements (meter readings, certificate statistics);
``user``
    given by the user (an overrides table, a scenario modification).

A building layer records the source of attribute ``p`` in the column ``p_source``
(:func:`source_column`). Layers written before those columns existed carry only the boolean
``*_defaulted`` flags; :func:`building_sources` reads either, so older scenes still report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The sources an attribute can have, from most to least trusted for reporting.
SOURCES: tuple[str, ...] = ("data", "user", "calibrated", "inferred", "default")

#: Building attributes whose source the scene tracks.
BUILDING_PARAMETERS: tuple[str, ...] = ("use", "height_m", "n_storeys", "construction_year")

#: The boolean flag that older layers carry for each attribute (True = defaulted).
LEGACY_FLAGS: dict[str, str] = {
    "use": "use_defaulted",
    "height_m": "height_defaulted",
    "n_storeys": "storeys_defaulted",
    "construction_year": "year_defaulted",
}


def source_column(parameter: str) -> str:
    """Name of the column holding the source of ``parameter`` (``height_m`` -> ``height_m_source``)."""
    return f"{parameter}_source"


def building_sources(buildings: pd.DataFrame, parameters: tuple[str, ...] = BUILDING_PARAMETERS) -> pd.DataFrame:
    """The source of each attribute of each building.

    Parameters
    ----------
    buildings
        A buildings layer: ``<parameter>_source`` columns, or else the legacy ``*_defaulted``
        flags (True -> ``default``, False -> ``data``).
    parameters
        The attributes to report.

    Returns
    -------
    DataFrame
        One row per building (same index), one column per parameter, values in :data:`SOURCES`.

    Raises
    ------
    ValueError
        A source column holds a value outside :data:`SOURCES`, or neither a source column nor a
        flag exists for a parameter.
    """
    out = {}
    for p in parameters:
        col = source_column(p)
        if col in buildings:
            values = buildings[col].astype("string").fillna("default")
            bad = ~values.isin(SOURCES)
            if bad.any():
                raise ValueError(f"{col} holds {values[bad].iloc[0]!r}; sources are {', '.join(SOURCES)}")
            out[p] = values.astype(object)
        elif LEGACY_FLAGS.get(p) in buildings:
            flag = buildings[LEGACY_FLAGS[p]].fillna(True).astype(bool)
            out[p] = pd.Series(np.where(flag, "default", "data"), index=buildings.index, dtype=object)
        else:
            raise ValueError(f"buildings carry no source for {p!r} (no {col} column, no {LEGACY_FLAGS.get(p, '*_defaulted')} flag)")
    return pd.DataFrame(out, index=buildings.index)


def floor_area_shares(buildings: pd.DataFrame, parameters: tuple[str, ...] = BUILDING_PARAMETERS) -> pd.DataFrame:
    """Share of the floor area whose value of each attribute comes from each source.

    Parameters
    ----------
    buildings
        A buildings layer with ``floor_area_m2`` (m2) and sources (see :func:`building_sources`).
    parameters
        The attributes to report.

    Returns
    -------
    DataFrame
        Index: parameter; columns: every name in :data:`SOURCES` (shares 0..1 that sum to 1 per
        row), ``floor_area_m2`` (the total the shares are of) and ``buildings`` (the count).
        An empty layer gives shares of NaN.
    """
    sources = building_sources(buildings, parameters)
    area = pd.to_numeric(buildings["floor_area_m2"], errors="coerce").fillna(0.0).clip(lower=0.0).to_numpy(dtype=float)
    total = float(area.sum())
    rows = {}
    for p in parameters:
        by = pd.Series(area).groupby(sources[p].to_numpy()).sum()
        shares = {s: (float(by.get(s, 0.0)) / total if total > 0 else np.nan) for s in SOURCES}
        rows[p] = {**shares, "floor_area_m2": total, "buildings": len(buildings)}
    return pd.DataFrame.from_dict(rows, orient="index")


__all__ = ["BUILDING_PARAMETERS", "LEGACY_FLAGS", "SOURCES", "building_sources", "floor_area_shares", "source_column"]
