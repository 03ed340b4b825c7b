"""Selectors: which objects of a scene layer a modification applies to, and why none.

:func:`select` turns a :class:`~twin.scenario.schema.Selector` into a boolean mask over a
layer; :func:`explain_empty` says, in a planner's words, why a selection matched nothing
("construction_year is missing (NaN) for all 3,991 buildings", "no street named 'Rue X'; did
you mean 'Rue X - X straat'?"), so the runner can refuse a what-if that would silently change
nothing.

Street names in Brussels are bilingual, ``"<French> - <Dutch>"`` (``Parvis Saint-Gilles -
Sint-Gillis Voorplein``; a few shipped names lack a space around the dash, ``Rue du Céleri
-Selderijstraat``). A ``where`` on a ``name`` column matches the whole name or either half
(exactly, apart from runs of white space); a dash inside a word (``Saint-Gilles``) does not
split a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from twin.errors import ScenarioError
from twin.io.key_hints import closest_name, did_you_mean, name_parts
from twin.scenario import schema as S
from twin.scene.names import halves
from twin.scene.schema import ID_COLUMN

#: Singular and plural of the objects of each layer, for messages.
NOUNS = {
    "buildings": ("building", "buildings"),
    "links": ("street link", "street links"),
    "landcover": ("land-cover polygon", "land-cover polygons"),
}

#: Columns holding names (matched by either half of a bilingual name).
NAME_COLUMNS = ("name",)


@dataclass
class Selection:
    """The result of a selector: the mask and what could not be found."""

    mask: np.ndarray
    missing_ids: list[str] = field(default_factory=list)
    before_fraction: int = 0


def noun(layer: str, n: int | None = None) -> str:
    one, many = NOUNS.get(layer, (layer, layer))
    return one if n == 1 else many


def _space(text: str) -> str:
    return " ".join(str(text).split())


def name_variants(name: object) -> set[str]:
    """The whole name and, for a bilingual ``"A - B"`` name, each half (white space normalised)."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return set()
    whole = _space(str(name))
    parts = halves(whole)
    return {whole, *parts} if whole else set()


def one_language_namesakes(values: pd.Series, wanted: list, mask: np.ndarray) -> list[str]:
    """The names of rows outside ``mask`` that are one half of a wanted bilingual name, alone.

    OSM 2013 names part of Place Flagey ``Place Eugène Flagey`` and part ``Place Eugène Flagey -
    Eugène Flageyplein``: the whole bilingual name (what an error's list of values shows) selects
    the second only, as it always did (:func:`name_mask`); these are the ways it leaves out.
    """
    halves_wanted = {h for w in wanted if isinstance(w, str) and len(halves(_space(w))) == 2 for h in halves(_space(w))}
    left = {_space(str(v)) for v in pd.unique(values[~np.asarray(mask, dtype=bool)].dropna())}
    return sorted(n for n in left if n in halves_wanted and len(halves(n)) < 2)


def name_mask(values: pd.Series, wanted: list, *, ignore_case: bool = False) -> np.ndarray:
    """Which of ``values`` (names) is one of the ``wanted`` names: the whole name or either half
    of a bilingual ``"A - B"`` name (:func:`name_variants`), white space normalised.

    A scenario's ``where: {name: ...}`` compares exactly (``ignore_case=False``); ``twin traffic
    mobility --close`` ignores case (``ignore_case=True``). Either way an exact whole name selects
    what it always did.
    """
    fold = str.casefold if ignore_case else str
    targets = {fold(_space(str(w))) for w in wanted if isinstance(w, str)}
    if not targets:
        return np.zeros(len(values), dtype=bool)
    variants = {v: {fold(n) for n in name_variants(v)} for v in pd.unique(values.dropna())}
    hits = {v for v, names in variants.items() if names & targets}
    return values.isin(list(hits)).to_numpy(dtype=bool) if hits else np.zeros(len(values), dtype=bool)


def _condition_mask(frame: pd.DataFrame, column: str, cond, *, layer: str, field: str) -> np.ndarray:
    if column not in frame.columns:
        cols = [c for c in frame.columns if c != "geometry"]
        hint = did_you_mean(column, cols, parenthesised=False) or f" (columns: {', '.join(map(str, cols))})"
        raise ScenarioError(f"layer {layer!r} has no column {column!r}{hint}", field=f"{field}.where.{column}")
    values = frame[column]
    if isinstance(cond, S.Range):
        v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(v)
        if cond.min is not None:
            ok &= v >= cond.min
        if cond.max is not None:
            ok &= v <= cond.max
        return ok
    wanted = cond if isinstance(cond, list) else [cond]
    if column in NAME_COLUMNS:
        return name_mask(values, wanted)
    return values.isin(wanted).to_numpy(dtype=bool)


def select(frame: pd.DataFrame, selector: S.Selector, *, layer: str, rng: np.random.Generator, field: str) -> Selection:
    """The rows of ``frame`` the selector picks.

    Raises
    ------
    ScenarioError
        A ``where`` column the layer does not have (naming the key path ``field``).
    """
    mask = np.ones(len(frame), dtype=bool)
    missing: list[str] = []
    if selector.ids is not None:
        ids = frame[ID_COLUMN[layer]].astype(str)
        mask &= ids.isin(selector.ids).to_numpy()
        present = set(ids)
        missing = [i for i in dict.fromkeys(selector.ids) if i not in present]
    for column, cond in selector.where.items():
        mask &= _condition_mask(frame, column, cond, layer=layer, field=field)
    if selector.within is not None:
        if "geometry" not in frame:
            raise ScenarioError(f"layer {layer!r} has no geometry", field=f"{field}.within")
        mask &= shapely.intersects(np.asarray(frame.geometry.values), shapely.box(*selector.within))
    before = int(mask.sum())
    if selector.fraction is not None:
        picked = np.flatnonzero(mask)
        k = int(round(selector.fraction * len(picked)))
        keep = rng.choice(picked, size=k, replace=False) if k else np.array([], dtype=int)
        mask = np.zeros(len(frame), dtype=bool)
        mask[keep] = True
    return Selection(mask, missing, before)


def _fmt(v) -> str:
    return repr(v) if isinstance(v, str) else f"{v:g}" if isinstance(v, float) else str(v)


def _values_present(values: pd.Series, limit: int = 6) -> str:
    counts = values.dropna().astype(str).value_counts()
    shown = ", ".join(f"{k!r} ({n:,})" for k, n in counts.head(limit).items())
    more = f" and {len(counts) - limit} more" if len(counts) > limit else ""
    return f"values present: {shown}{more}" if len(counts) else "no values present"


def name_hint(values: pd.Series, wanted: list) -> str:
    """``"; did you mean 'X'?"`` for the names of ``values`` closest to the ``wanted`` ones, or ``""``.

    Names are compared on the part that tells them apart (:func:`twin.io.key_hints.closest_name`:
    street type and articles set aside, case, accents and ``Av.`` folded, one slip per 3 letters
    and at most one, a street of the same type), so ``Rue de France`` is told nothing rather than
    ``Rue de Roumanie``. A slip in the type word counts as the slip (``Ruee de Rome``), and a
    street of another type of the same kind is named when its distinctive part is the one written
    (``Avenue de Rome`` -> ``Rue de Rome``; not ``Impasse de Savoie`` -> ``Rue de Savoie``). A half
    shared by two names (``Villalaan``) names both: no hint. A name as people say it, without the
    first name the street's official name holds (``Place Flagey``), is told the official name
    (:func:`fuller_names`).
    """
    names = [str(v) for v in pd.unique(values.dropna()) if str(v).strip()]
    spellings = list(dict.fromkeys((variant, n) for n in names for variant in name_variants(n)))
    hints = []
    for w in wanted:
        close = closest_name(str(w), spellings)
        if close is not None:
            hints.append(f"did you mean {close!r}?")
        elif fuller := fuller_names(str(w), spellings):
            hints.append(f"did you mean {' or '.join(repr(f) for f in fuller)}?")
    return "; " + " ".join(dict.fromkeys(hints)) if hints else ""


def fuller_names(written: str, spellings: list[tuple[str, str]], limit: int = 3) -> list[str]:
    """The spellings of the same street type whose distinctive part ends with the written one's
    words and holds more (``Place Eugène Flagey`` for ``Place Flagey``, ``Rue Jean Dupont`` for
    ``Rue Dupont``): at most ``limit`` of them, else none (too vague to name).

    Parameters
    ----------
    written
        The name as written.
    spellings
        ``(spelling, name)`` pairs, each half of a bilingual name a spelling (:func:`name_hint`).
    """
    kind, part = name_parts(written)
    words = part.split()
    if not kind or not words:
        return []
    found: dict[str, str] = {}
    for spelling, _ in spellings:
        k, p = name_parts(spelling)
        longer = p.split()
        if k == kind and len(longer) > len(words) and longer[-len(words):] == words:
            found.setdefault(p, spelling)
    return sorted(found.values()) if len(found) <= limit else []


def _why_condition(frame: pd.DataFrame, column: str, cond, *, layer: str) -> str:
    values = frame[column]
    n = len(frame)
    missing = int(values.isna().sum())
    if missing == n:
        return f"{column} is missing (NaN) for all {n:,} {noun(layer, n)}"
    if isinstance(cond, S.Range):
        v = pd.to_numeric(values, errors="coerce")
        if v.notna().sum() == 0:
            return f"{column} is not numeric ({_values_present(values, 3)}), so no range can match"
        span = " and ".join(s for s in (f">= {cond.min:g}" if cond.min is not None else "", f"<= {cond.max:g}" if cond.max is not None else "") if s)
        nan_note = f"; {missing:,} are missing (NaN)" if missing else ""
        return f"no {noun(layer, 1)} has {column} {span}: its values range from {v.min():g} to {v.max():g}{nan_note}"
    wanted = cond if isinstance(cond, list) else [cond]
    shown = " or ".join(_fmt(w) for w in wanted)
    if column in NAME_COLUMNS:
        what = "street" if layer == "links" else noun(layer, 1)
        hint = name_hint(values, wanted)
        return f"no {what} named {shown}{hint or '; ' + _values_present(values, 4)}"
    if pd.api.types.is_numeric_dtype(values) and any(isinstance(w, str) for w in wanted):
        return f"{column} holds numbers, not text like {shown} ({_values_present(values, 4)})"
    hint = ""
    if any(isinstance(w, str) for w in wanted):
        present = [str(v) for v in pd.unique(values.dropna())]
        hint = next((h for w in wanted if isinstance(w, str) and (h := did_you_mean(w, present, parenthesised=False))), "")
    return f"no {noun(layer, 1)} has {column} = {shown}{hint} ({_values_present(values)})"


def explain_empty(frame: pd.DataFrame, selector: S.Selector, *, layer: str, selection: Selection | None = None) -> str:
    """Why ``selector`` picks nothing in ``frame`` (the first condition that alone matches
    nothing, else the counts of each condition)."""
    n = len(frame)
    if n == 0:
        return f"the scene has no {noun(layer)} (no input provides them)"
    counts = []
    if selector.ids is not None:
        ids = frame[ID_COLUMN[layer]].astype(str)
        hits = int(ids.isin(selector.ids).sum())
        if hits == 0:
            example = ids.iloc[0]
            return (f"none of the {len(selector.ids)} ids is a {noun(layer, 1)} of the scene "
                    f"(first: {selector.ids[0]!r}; ids look like {example!r})")
        counts.append(f"ids: {hits:,}")
    for column, cond in selector.where.items():
        hits = int(_condition_mask(frame, column, cond, layer=layer, field="").sum())
        if hits == 0:
            return _why_condition(frame, column, cond, layer=layer)
        counts.append(f"{column}: {hits:,}")
    if selector.within is not None:
        hits = int(shapely.intersects(np.asarray(frame.geometry.values), shapely.box(*selector.within)).sum())
        if hits == 0:
            xmin, ymin, xmax, ymax = frame.total_bounds
            box = ", ".join(f"{v:.1f}" for v in selector.within)
            return (f"no {noun(layer, 1)} intersects the box [{box}]; the {noun(layer)} span "
                    f"[{xmin:.1f}, {ymin:.1f}, {xmax:.1f}, {ymax:.1f}] (scene CRS)")
        counts.append(f"within: {hits:,}")
    if selection is not None and selector.fraction is not None and selection.before_fraction > 0:
        m = selection.before_fraction
        return f"fraction {selector.fraction:g} of the {m:,} selected {noun(layer, m)} rounds to none"
    if len(counts) > 1:
        return f"each condition matches some {noun(layer)} ({'; '.join(counts)}) but no {noun(layer, 1)} matches them all"
    return f"no {noun(layer, 1)} matches"
