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

#: The sources that count as evidence about the building itself (read from its file, given by the
#: user, fitted to its measurements), as opposed to ``inferred`` and ``default``. The one tuple
#: behind :data:`twin.ingest.attributes.sources.KNOWN` and
#: :data:`twin.energy.model.KNOWN_SYSTEM_SOURCES` (the energy model takes a scene's
#: ``heating_system`` only from these).
KNOWN_SOURCES: tuple[str, ...] = ("data", "user", "calibrated")

#: Building attributes whose source the scene tracks.
BUILDING_PARAMETERS: tuple[str, ...] = ("use", "height_m", "n_storeys", "construction_year")

#: Every building attribute with a source column in layers written by twin's readers: the four
#: above, the ground-floor use (mixed use: a shop under dwellings), the roof shape, the storeys
#: in the roof, the levels left out below (building:min_level) and the underside height.
STOCK_PARAMETERS: tuple[str, ...] = (*BUILDING_PARAMETERS, "ground_floor_use", "roof_kind", "roof_levels", "min_level", "min_height_m")

#: Building attributes the readers derive from others unless a file gives them, with a source
#: column (``floor_area_m2_source``, ``storey_height_m_source``) but no rule column: see
#: :func:`derived_floor_area_source` and :func:`storey_height_source`. Layers written before
#: those columns existed have none; :func:`floor_area_shares` reports them where present.
DERIVED_PARAMETERS: tuple[str, ...] = ("floor_area_m2", "storey_height_m")

#: Building attributes a layer carries only when some building has a value (no default column):
#: ``heating_system`` (one of the heat generators of :data:`twin.energy.results.SYSTEMS` and
#: ``OPT_IN_SYSTEMS``, from an overrides table or a file; ``''`` with source ``default``
#: elsewhere). Not in :data:`BUILDING_PARAMETERS`: a layer without it (every scene of the
#: embedded data) has no source for it; ``floor_area_shares(buildings, OPTIONAL_PARAMETERS)``
#: reports it where present.
OPTIONAL_PARAMETERS: tuple[str, ...] = ("heating_system",)

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
    names = np.asarray(SOURCES, dtype=object)
    return pd.DataFrame({p: pd.Series(names[_source_codes(buildings, p)], index=buildings.index, dtype=object) for p in parameters}, index=buildings.index)


def _source_index(values: pd.Series) -> np.ndarray | None:
    """Index in :data:`SOURCES` of each value of a source column (int8): ``-1`` where the value is
    missing, ``-2`` where it is not a source; ``None`` for columns other than Arrow-backed strings
    and categoricals of strings (the callers then take the plain route).

    The fast route for the string columns as the layers hold them: hashed lookups on the Arrow
    buffers or on the categories, not a Python string per building per column (about 0.1 s per
    call on the region's 51k buildings)."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        if not (pd.api.types.is_object_dtype(cats.dtype) or pd.api.types.is_string_dtype(cats.dtype)) or not all(isinstance(c, str) for c in cats):
            return None
        of_cat = pd.Index(SOURCES).get_indexer(pd.Index(cats, dtype=object))
        of_cat = np.where(of_cat < 0, -2, of_cat).astype(np.int8)
        codes = values.cat.codes.to_numpy()
        return np.where(codes < 0, np.int8(-1), of_cat[np.clip(codes, 0, None)] if len(of_cat) else np.int8(-1)).astype(np.int8)
    arrow = (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or isinstance(dtype, pd.ArrowDtype)
    if not arrow:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    data = values.array.__arrow_array__()
    data = data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data
    if not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return None
    found = pc.index_in(data, value_set=pa.array(SOURCES, type=data.type))
    idx = np.asarray(found.fill_null(-2).to_numpy(zero_copy_only=False), dtype=np.int8)
    if data.null_count:
        idx[np.asarray(data.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = -1
    return idx


def _source_codes(buildings: pd.DataFrame, p: str) -> np.ndarray:
    """Index in :data:`SOURCES` of the source of ``p`` for each building (see
    :func:`building_sources`, whose values are ``SOURCES[code]``; same errors)."""
    col = source_column(p)
    if col in buildings:
        idx = _source_index(buildings[col])
        if idx is not None and not (idx == -2).any():
            return np.where(idx == -1, np.int8(SOURCES.index("default")), idx).astype(np.int8)
    codes = _plain_source_codes(buildings, (p,))
    return codes[p]


def _plain_source_codes(buildings: pd.DataFrame, parameters: tuple[str, ...]) -> dict[str, np.ndarray]:
    """:func:`_source_codes` the plain way (any column dtype; the errors' wording)."""
    out = {}
    for p in parameters:
        col = source_column(p)
        if col in buildings:
            values = buildings[col].astype("string").fillna("default")
            bad = ~values.isin(SOURCES)
            if bad.any():
                raise ValueError(f"{col} holds {values[bad].iloc[0]!r}; sources are {', '.join(SOURCES)}")
            out[p] = pd.Index(SOURCES).get_indexer(values.astype(object)).astype(np.int8)
        elif LEGACY_FLAGS.get(p) in buildings:
            flag = buildings[LEGACY_FLAGS[p]].fillna(True).astype(bool).to_numpy()
            out[p] = np.where(flag, np.int8(SOURCES.index("default")), np.int8(SOURCES.index("data"))).astype(np.int8)
        else:
            raise ValueError(f"buildings carry no source for {p!r} (no {col} column, no {LEGACY_FLAGS.get(p, '*_defaulted')} flag)")
    return out


def floor_area_shares(buildings: pd.DataFrame, parameters: tuple[str, ...] = BUILDING_PARAMETERS) -> pd.DataFrame:
    """Share of the floor area whose value of each attribute comes from each source.

    Parameters
    ----------
    buildings
        A buildings layer with ``floor_area_m2`` (m2) and sources (see :func:`building_sources`).
    parameters
        The attributes to report; the default is the four of :data:`BUILDING_PARAMETERS` only.
        For "how much of the stock's inputs are defaults" pass :func:`reported_parameters`
        (floor area and storey height too, where the layer records their sources).

    Returns
    -------
    DataFrame
        Index: parameter; columns: every name in :data:`SOURCES` (shares 0..1 that sum to 1 per
        row), ``floor_area_m2`` (the total the shares are of) and ``buildings`` (the count).
        An empty layer gives shares of NaN.
    """
    codes = {p: _source_codes(buildings, p) for p in parameters}
    area = pd.to_numeric(buildings["floor_area_m2"], errors="coerce").fillna(0.0).clip(lower=0.0).to_numpy(dtype=float)
    total = float(area.sum())
    rows = {}
    for p in parameters:
        # grouped by the source's index, not its name: the same sums (pandas adds each group's
        # rows in order either way), without hashing a Python string per building
        by = pd.Series(area).groupby(codes[p]).sum()
        shares = {s: (float(by.get(i, 0.0)) / total if total > 0 else np.nan) for i, s in enumerate(SOURCES)}
        rows[p] = {**shares, "floor_area_m2": total, "buildings": len(buildings)}
    return pd.DataFrame.from_dict(rows, orient="index")


def reported_parameters(buildings: pd.DataFrame) -> tuple[str, ...]:
    """The attributes whose sources a report lists for ``buildings``: :data:`BUILDING_PARAMETERS`
    and those of :data:`DERIVED_PARAMETERS` whose source column is present and filled (layers
    written before those columns existed leave them out)."""
    extra = tuple(p for p in DERIVED_PARAMETERS if source_column(p) in buildings and _all_sources(buildings[source_column(p)]))
    return (*BUILDING_PARAMETERS, *extra)


def _all_sources(values: pd.Series) -> bool:
    """Whether every value is one of :data:`SOURCES` (none missing)."""
    idx = _source_index(values)
    if idx is not None:
        return bool((idx >= 0).all())
    return bool(values.astype(object).fillna("").astype(str).isin(SOURCES).all())


def derived_floor_area_source(storeys_source) -> np.ndarray:
    """Source of a floor area taken as footprint x storeys (no file gave it).

    ``default`` where the storeys are a default, else ``inferred`` (a documented rule applied to
    the footprint and the storeys, whatever their source: a measured footprint times an OSM
    ``building:levels`` is still not the building's floor area).

    Parameters
    ----------
    storeys_source
        Source of each building's ``n_storeys`` (one of :data:`SOURCES`).

    Returns
    -------
    ndarray
        object array of ``inferred`` / ``default``, same length.
    """
    s = np.asarray(storeys_source, dtype=object)
    return np.where(s == "default", "default", "inferred").astype(object)


def storey_height_source(height_source, storeys_source) -> np.ndarray:
    """Source of a storey height taken as a building's height over its storeys.

    The less trusted of the two sources in :data:`SOURCES` order (data, user, calibrated,
    inferred, default; anything else counts as ``default``): a measured height over an IFC
    model's or CityJSON file's storeys is ``data``, over storeys from an overrides table
    ``user``. Where a reader takes the storey height by use from the defaults table instead (no
    height or no storeys given) its source is ``default``; callers choose where this applies.

    Parameters
    ----------
    height_source, storeys_source
        Source of each building's ``height_m`` and ``n_storeys``.

    Returns
    -------
    ndarray
        object array of sources, same length.
    """
    rank = {src: i for i, src in enumerate(SOURCES)}
    worst = len(SOURCES) - 1
    h = [rank.get(x, worst) for x in np.asarray(height_source, dtype=object)]
    s = [rank.get(x, worst) for x in np.asarray(storeys_source, dtype=object)]
    return np.array([SOURCES[max(a, b)] for a, b in zip(h, s)], dtype=object)


def rule_column(parameter: str) -> str:
    """Name of the column naming the rule that set ``parameter`` (``use`` -> ``use_rule``)."""
    return f"{parameter}_rule"


def rule_family(rule: str) -> str:
    """A rule without its tag value: ``tag:amenity=school`` -> ``tag:amenity``, ``poi:shop=bakery``
    -> ``poi:shop``; other rules unchanged (``default:untagged<150m2``, ``neighbours``)."""
    text = str(rule)
    return text.split("=", 1)[0] if text.startswith(("tag:", "poi:", "column:")) else text


def rule_counts(buildings: pd.DataFrame, parameters: tuple[str, ...] = STOCK_PARAMETERS, *, families: bool = False) -> pd.DataFrame:
    """How many buildings (and how much floor area) each rule set, per attribute.

    Parameters
    ----------
    buildings
        A buildings layer with ``<parameter>_rule`` and ``<parameter>_source`` columns (those
        without a rule column are left out) and ``floor_area_m2``.
    parameters
        The attributes to count.
    families
        Count :func:`rule_family` (``tag:amenity``) instead of the full rule
        (``tag:amenity=school``).

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``rule``, ``source``, ``buildings``, ``floor_area_m2``; most
        buildings first within each parameter.
    """
    area = pd.to_numeric(buildings["floor_area_m2"], errors="coerce").fillna(0.0).clip(lower=0.0) if "floor_area_m2" in buildings else pd.Series(0.0, index=buildings.index)
    frames = []
    for p in parameters:
        col = rule_column(p)
        if col not in buildings or source_column(p) not in buildings:
            continue
        rule = buildings[col].astype(object).fillna("").astype(str)
        if families:
            rule = rule.map(rule_family)
        t = pd.DataFrame({"rule": rule.to_numpy(), "source": buildings[source_column(p)].astype(object).fillna("").astype(str).to_numpy(), "a": area.to_numpy()})
        g = t.groupby(["rule", "source"], sort=False).agg(buildings=("a", "size"), floor_area_m2=("a", "sum")).reset_index()
        g.insert(0, "parameter", p)
        frames.append(g.sort_values(["buildings", "rule"], ascending=[False, True]))
    if not frames:
        return pd.DataFrame(columns=["parameter", "rule", "source", "buildings", "floor_area_m2"])
    return pd.concat(frames, ignore_index=True)


__all__ = [
    "BUILDING_PARAMETERS",
    "DERIVED_PARAMETERS",
    "KNOWN_SOURCES",
    "LEGACY_FLAGS",
    "OPTIONAL_PARAMETERS",
    "SOURCES",
    "STOCK_PARAMETERS",
    "building_sources",
    "derived_floor_area_source",
    "reported_parameters",
    "floor_area_shares",
    "rule_column",
    "rule_counts",
    "storey_height_source",
    "rule_family",
    "source_column",
]
