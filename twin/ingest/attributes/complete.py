"""Every attribute of every building of one file: data, then inference from the building's own
data, then a documented default, each value with its source and rule.

Order per attribute (the first that gives a value wins):

``use``
    1. an override (``user``); 2. the building's tags (``data``, :func:`.tags.use_from_tags`);
    3. its name (``inferred``, :func:`.tags.use_from_name`); 4. (in a scene, :mod:`.context`:
    POIs inside it, then the land-use polygon it stands in); 5. the default: ``use_default``
    (residential), or ``large_untagged_use`` ('other') for a footprint of at least
    ``large_untagged_footprint_m2`` (``default``).
``ground_floor_use``
    a shop or service tag on a dwelling (``data``), (in a scene: a POI inside it,
    ``inferred``); else the building's use with the use's source (rule ``as_use``).
``height_m``, ``n_storeys``
    :mod:`.form` (given, from each other, neighbours in a scene, default bands).
``construction_year``
    given (``data``) or override (``user``); (in a scene: the party-wall neighbours' median,
    ``inferred``); else NaN (``default``: the energy model's default period applies).
``roof_kind``, ``roof_levels``, ``min_level``, ``min_height_m``
    given (``data``); else ``''``, 0, 0, 0 m (``default``).
``heating_system``
    an override (``user``); a ``heating_system`` column of the file (``data``, checked against
    the heat generators of the energy accounts,
    :func:`twin.ingest.attributes.overrides.heating_systems`); else ``''`` (``default``: the
    energy model's default system, the existing gas boiler, applies and the Monte Carlo priors
    may sample it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twin.ingest.attributes import form, tags
from twin.ingest.attributes.overrides import OVERRIDE_COLUMNS, check_heating_system, read_overrides
from twin.ingest.attributes.precedence import USER_SOURCE, Given, prefer_given
from twin.ingest.attributes.sources import put, rule_column, set_legacy_flags
from twin.scene.provenance import derived_floor_area_source

NUMERIC = ("height_m", "n_storeys", "construction_year", "roof_levels", "min_level", "min_height_m")
"""Numeric attributes a reader may give (NaN where unknown)."""



def _column(frame: pd.DataFrame, name: str, n: int, fill: object = np.nan, dtype=float) -> np.ndarray:
    if name in frame:
        return frame[name].to_numpy(dtype=dtype).copy() if dtype is not object else frame[name].to_numpy(dtype=object).copy()
    return np.full(n, fill, dtype=dtype)


def _given_source(frame: pd.DataFrame, attribute: str, has: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Source and rule of given values: the frame's ``<attribute>_source`` / ``_rule`` columns
    where present, else ``data`` and ``column:<attribute>``."""
    n = len(has)
    src = np.full(n, None, dtype=object)
    rule = np.full(n, None, dtype=object)
    src[has] = "data"
    rule[has] = f"column:{attribute}"
    for col, target in ((f"{attribute}_source", src), (rule_column(attribute), rule)):
        if col in frame:
            given = frame[col].to_numpy(dtype=object)
            ok = has & pd.notna(given)
            ok[ok] = given[ok] != ""
            target[ok] = given[ok]
    return src, rule


def _given_system(frame: pd.DataFrame, path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heating system, source and rule of each building from the frame's ``heating_system``
    column (None where blank or absent; the source and rule of :func:`_given_source`).

    Raises
    ------
    InputError
        A given value that is not a known heating system, naming ``path``, the building and the
        field, with the closest known system.
    """
    n = len(frame)
    if "heating_system" not in frame:
        return np.full(n, None, dtype=object), np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    values = pd.Series(frame["heating_system"].to_numpy(dtype=object), index=frame["building_id"].astype(str).to_numpy(), dtype=object)
    system = check_heating_system(values, path, None, what="value").to_numpy(dtype=object, copy=True)
    src, rule = _given_source(frame, "heating_system", ~pd.isna(system))
    # a scene read back keeps its sources; a default row of it stays a default
    default = ~pd.isna(system) & (src == "default")
    system[default] = None
    return system, src, rule


def resolve_use(frame: pd.DataFrame, table: dict[str, Any]) -> pd.DataFrame:
    """Use and ground-floor use with sources and rules (steps 2, 3 and 5 of the module docstring)."""
    n = len(frame)
    bt = table["buildings"]
    classes = set(bt["use_classes"])
    if "use" in frame and "use_source" in frame:
        use = frame["use"].to_numpy(dtype=object).copy()
        src = frame["use_source"].to_numpy(dtype=object).copy()
        rule = _column(frame, "use_rule", n, None, object)
        rule = np.where(pd.isna(rule), np.where(src == "default", "default", "column:use"), rule).astype(object)
        gf = pd.DataFrame({"use": use, "use_rule": rule}, dtype=object)
        gf["ground_floor_use"] = _column(frame, "ground_floor_use", n, None, object)
        gf["ground_floor_use_rule"] = _column(frame, "ground_floor_use_rule", n, None, object)
        gf_src = _column(frame, "ground_floor_use_source", n, None, object)
        known_use = src != "default"
        use[~known_use] = None
    elif "use" in frame and "use_defaulted" in frame:
        use = frame["use"].to_numpy(dtype=object).copy()
        defaulted = frame["use_defaulted"].to_numpy(dtype=bool)
        use = np.where(defaulted | ~pd.Series(use, dtype=object).isin(classes).to_numpy(), None, use).astype(object)
        src = np.where(pd.isna(use), None, "data").astype(object)
        rule = np.where(pd.isna(use), None, "column:use").astype(object)
        gf = pd.DataFrame({"ground_floor_use": np.full(n, None, dtype=object), "ground_floor_use_rule": np.full(n, None, dtype=object)}, dtype=object)
        gf_src = np.full(n, None, dtype=object)
    else:
        got = tags.use_from_tags(frame, table)
        use = got["use"].to_numpy(dtype=object).copy()
        rule = got["use_rule"].to_numpy(dtype=object).copy()
        src = np.where(pd.isna(use), None, "data").astype(object)
        gf = got
        gf_src = np.where(pd.isna(gf["ground_floor_use"].to_numpy(dtype=object)), None, "data").astype(object)
    todo = pd.isna(use)
    if todo.any() and "name" in frame:
        name_use, name_rule = tags.use_from_name(frame["name"].to_numpy(dtype=object), table)
        take = todo & ~pd.isna(name_use)
        use[take], rule[take], src[take] = name_use[take], name_rule[take], "inferred"
    todo = pd.isna(use)
    if todo.any():
        area = _column(frame, "footprint_area_m2", n)
        large = todo & (area >= float(bt.get("large_untagged_footprint_m2", np.inf)))
        use[todo] = bt["use_default"]
        rule[todo] = "default"
        use[large] = bt.get("large_untagged_use", bt["use_default"])
        rule[large] = f"default:footprint>={float(bt['large_untagged_footprint_m2']):g}m2"
        src[todo] = "default"
    gf_use = gf["ground_floor_use"].to_numpy(dtype=object).copy()
    gf_rule = gf["ground_floor_use_rule"].to_numpy(dtype=object).copy()
    gf_src = np.asarray(gf_src, dtype=object).copy()
    differs = ~pd.isna(gf_use) & ~pd.isna(gf_src) & (gf_rule != "as_use")
    gf_use = np.where(differs, gf_use, use).astype(object)
    gf_rule = np.where(differs, gf_rule, "as_use").astype(object)
    gf_src = np.where(differs, gf_src, src).astype(object)
    return pd.DataFrame(
        {"use": use, "use_source": src, "use_rule": rule, "ground_floor_use": gf_use, "ground_floor_use_source": gf_src, "ground_floor_use_rule": gf_rule},
        dtype=object,
    )


def _apply_overrides(out: pd.DataFrame, values: dict[str, np.ndarray], sources: dict[str, np.ndarray], rules: dict[str, np.ndarray],
                     uses: pd.DataFrame, overrides, path, table, system: tuple[np.ndarray, np.ndarray, np.ndarray]) -> int:
    """Put the given values over the file's (:func:`twin.ingest.attributes.precedence.prefer_given`),
    in place; returns how many buildings have a row."""
    given = Given.read(overrides, path=path, use_classes=table["buildings"]["use_classes"])
    if given is None:
        return 0
    ids = out["building_id"].astype(str).to_numpy(dtype=object)
    for col in given.frame.columns:
        g = given.column(col, ids)
        if col == "heating_system":
            system[0][:], system[1][:], system[2][:] = prefer_given(g, *system)
        elif col == "use":
            use, src, rule = prefer_given(g, *(uses[c].to_numpy(dtype=object) for c in ("use", "use_source", "use_rule")))
            follow = ~pd.isna(g) & (uses["ground_floor_use_rule"].to_numpy(dtype=object) == "as_use")
            for c, v in (("use", use), ("use_source", src), ("use_rule", rule)):
                uses[c] = v
            uses.loc[follow, "ground_floor_use"] = uses.loc[follow, "use"]
            uses.loc[follow, "ground_floor_use_source"] = USER_SOURCE
        else:
            values[col], sources[col], rules[col] = prefer_given(g, values[col], sources[col], rules[col])
            if col == "n_storeys":
                values["min_level"][~np.isnan(g)] = np.nan  # the user's storeys are the storeys that exist
    return given.hits(ids)


def complete(frame: pd.DataFrame, table: dict[str, Any], *, overrides=None, path=None) -> pd.DataFrame:
    """Fill every attribute of ``frame`` by the order of the module docstring.

    Parameters
    ----------
    frame
        ``building_id``, ``footprint_area_m2`` (m2) and any of: the numeric attributes of
        :data:`NUMERIC` (NaN where unknown; ``n_storeys`` as given, with ``min_level`` not yet
        taken off), ``roof_kind``, ``name``, raw tag columns (``building``, ``amenity``, ...),
        ``use`` with ``use_source`` (already resolved) or ``use_defaulted``, and per attribute
        ``<attribute>_source`` / ``<attribute>_rule`` of given values (default ``data`` /
        ``column:<attribute>``).
    table
        The defaults table (:func:`twin.ingest.defaults.load_defaults`).
    overrides
        Known values by building id (:func:`read_overrides`); they count as ``user``.
    path
        The source file, for error messages.

    Returns
    -------
    DataFrame
        ``frame`` with every attribute, ``<attribute>_source``, ``<attribute>_rule``, the legacy
        ``*_defaulted`` flags, ``storey_height_m`` and ``floor_area_m2`` (footprint x storeys) with their sources;
        ``attrs['overrides_applied']`` counts the overridden buildings.
    """
    out = frame.copy()
    n = len(out)
    values = {a: _column(out, a, n) for a in NUMERIC}
    values["height_m"][~(values["height_m"] > 0)] = np.nan
    values["n_storeys"][~(values["n_storeys"] >= 1)] = np.nan
    sources, rules = {}, {}
    for a in NUMERIC:
        sources[a], rules[a] = _given_source(out, a, np.isfinite(values[a]))
    uses = resolve_use(out, table)
    system = _given_system(out, path)
    n_over = _apply_overrides(out, values, sources, rules, uses, overrides, path, table, system)

    low = np.nan_to_num(values["min_level"], nan=0.0)
    storeys = values["n_storeys"] - low
    roof_kind = _column(out, "roof_kind", n, "", object)
    roof_kind = np.where(pd.isna(roof_kind), "", roof_kind).astype(object)
    shape = form.resolve_form(
        height_m=values["height_m"], height_source=sources["height_m"], height_rule=rules["height_m"],
        n_storeys=storeys, storeys_source=sources["n_storeys"], storeys_rule=rules["n_storeys"],
        roof_levels=values["roof_levels"], roof_kind=roof_kind, min_height_m=values["min_height_m"],
        use=uses["use"].to_numpy(dtype=object), use_source=uses["use_source"].to_numpy(dtype=object),
        footprint_area_m2=out["footprint_area_m2"].to_numpy(dtype=float), table=table,
    )
    for c in uses.columns:
        put(out, c, uses[c].to_numpy(dtype=object))
    for c, v in shape.items():
        put(out, c, v)
    year = values["construction_year"]
    has_year = np.isfinite(year)
    put(out, "construction_year", year)
    put(out, "construction_year_source", np.where(has_year, sources["construction_year"], "default").astype(object))
    put(out, "construction_year_rule", np.where(has_year, rules["construction_year"], "default").astype(object))
    for a, fill in (("roof_levels", 0.0), ("min_level", 0.0), ("min_height_m", 0.0)):
        has = np.isfinite(values[a])
        put(out, a, np.where(has, values[a], fill))
        put(out, f"{a}_source", np.where(has, sources[a], "default").astype(object))
    system, system_src, system_rule = system
    if "heating_system" in out or (system_src == "user").any():
        has_system = ~pd.isna(system)
        put(out, "heating_system", np.where(has_system, system, "").astype(object))
        put(out, "heating_system_source", np.where(has_system, system_src, "default").astype(object))
        put(out, "heating_system_rule", np.where(has_system, system_rule, "default").astype(object))
    has_roof = roof_kind != ""
    put(out, "roof_kind", roof_kind)
    kind_src = _column(out, "roof_kind_source", n, None, object)
    put(out, "roof_kind_source", np.where(has_roof, np.where(pd.isna(kind_src), "data", kind_src), "default").astype(object))
    put(out, "floor_area_m2", out["footprint_area_m2"].to_numpy(dtype=float) * out["n_storeys"].to_numpy(dtype=float))
    put(out, "floor_area_m2_source", derived_floor_area_source(out["n_storeys_source"].to_numpy(dtype=object)))
    if "attribute_notes" not in out:
        put(out, "attribute_notes", np.full(n, "", dtype=object))
    set_legacy_flags(out)
    out.attrs["overrides_applied"] = n_over
    return out


__all__ = ["NUMERIC", "OVERRIDE_COLUMNS", "complete", "read_overrides", "resolve_use"]
