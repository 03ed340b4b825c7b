""""Did you mean" for a misspelt key of a spec file, and for every other misspelt name.

One rule for every hint twin gives: spec files read by a pydantic model (scenario, energy zone
spec, soil specs, prior tables) and every other place that names what a user may have meant: the
columns and values of a scenario's selection, KPI names, measures, service categories, engine
options, land-cover classes, the keys of a dynamic-traffic settings table, the columns of an
attribute or energy overrides table.

:func:`section_keys`
    The keys a user may write in the section that holds an unknown key, found by walking the
    pydantic model along the error's ``loc`` (nested models, ``list``/``tuple``/``dict`` items,
    ``Optional``, unions with pydantic's member tags, discriminated unions by their tag, field
    aliases). None when the section cannot be told (``dict[str, Any]``, an unknown union tag...):
    then no hint is given rather than a wrong one.
:func:`closest_key`
    The known key closest to the one written, or None.
:func:`closest_value`
    The same rule for a value with several spellings (each half of a bilingual street name).

How close is close enough (:data:`CUTOFF`)
------------------------------------------
Keys are compared case-folded, with ``-``, spaces and runs of ``_`` read as one ``_`` (so
``Storm-MM`` is ``storm_mm`` at once). Beyond that, difflib's ratio ``2 M / T`` must reach
:data:`CUTOFF`, and the best known key must be the only one at its ratio (``dw_m`` is as close
to ``dx_m`` as to ``dy_m`` and ``dz_m``: no hint). The cutoff was chosen on the keys of the
scenario, energy zone spec, soil column, block and year specs and ``soil.block`` (62 sections, 321
distinct keys; one seeded misspelling of each kind per key; ``benchmarks/key_hint_cutoff.py``).
With 0.75 the right key is named for 93 % of transpositions, 96 % of missing letters, 99 % of
doubled letters, 92 % of wrong letters and every case or separator slip, never a wrong key; a
hint is given to 0.3 % of unrelated words (keys of other sections more than two edits from every
key of the section). 0.7 names the same keys but hints at 0.8 % of unrelated words; 0.6,
difflib's default, 2.7 % of them and a wrong key for 0.2 % of transpositions; 0.8 loses a tenth
of the transpositions and wrong letters (short keys such as ``gap_m``).

Values and names
----------------
The readers of values (a selection's ``use: residental``, ``name: rue haute``) keep matching
them exactly, case included: a street name or a land-use class is data, and folding it in the
match would pick rows the user did not name. Only the hint folds, so ``rue haute`` is told
``'Rue Haute'``; two present values that differ only in case or separators give no hint (a tie).
Street names are folded further by :mod:`twin.scenario.selection` (accents, apostrophe kinds)
before the rule, as before.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import AliasChoices, BaseModel

#: The least difflib ratio between a written key and a known key for a hint (see the module
#: docstring for how it was chosen).
CUTOFF = 0.75

_UNION_TAG = re.compile(r"^function-(?:after|before|wrap|plain)\[.*, (?P<name>[A-Za-z_][A-Za-z0-9_]*)\]$")
_LIST_ORIGINS = (list, set, frozenset, Sequence, typing.Sequence)


def fold(key: object) -> str:
    """``key`` compared without case and separators: lower case, ``-``, spaces and ``_`` as one ``_``."""
    return re.sub(r"[\s_\-]+", "_", str(key).strip().lower())


def closest_key(key: object, known: Iterable[object], *, cutoff: float = CUTOFF) -> str | None:
    """The known key a misspelt ``key`` most likely stands for, or None.

    Parameters
    ----------
    key
        The key as written in the file.
    known
        The keys of that section.
    cutoff
        The least difflib ratio (0-1) of the folded keys.

    Returns
    -------
    str or None
        A known key equal to ``key`` but for case and separators; else the one with the highest
        ratio if it reaches ``cutoff`` and no other known key has the same ratio; else None.
    """
    return closest_value(key, {str(k): str(k) for k in known if str(k) != str(key)}, cutoff=cutoff)


def closest_value(written: object, spellings: Mapping[str, Any], *, cutoff: float = CUTOFF) -> Any | None:
    """The value a misspelt ``written`` most likely stands for, when one value has several spellings.

    The rule of :func:`closest_key` (folded comparison, :data:`CUTOFF`, no hint on a tie), for
    values a reader compares in its own way: a street name is matched by each half of a bilingual
    ``"A - B"`` name, so each half is a spelling of the whole name, and a tie between two
    spellings of one name is no tie.

    Parameters
    ----------
    written
        The value as written (already normalised by the caller, if it normalises).
    spellings
        ``{spelling: value}``: the spellings compared with ``written`` and the value each names.
    cutoff
        The least difflib ratio (0-1) of the folded texts.

    Returns
    -------
    object or None
        The value of the only spelling(s) equal to ``written`` but for case and separators;
        else the value of the spelling with the highest ratio if it reaches ``cutoff`` and no
        spelling of another value has the same ratio; else None.
    """
    text = fold(written)
    same = {v: None for k, v in spellings.items() if fold(k) == text}
    if same:
        return next(iter(same)) if len(same) == 1 else None
    if not text or not spellings:
        return None
    matcher = difflib.SequenceMatcher(b=text)
    best: dict[Any, float] = {}
    for k, v in spellings.items():
        matcher.set_seq1(fold(k))
        best[v] = max(best.get(v, 0.0), matcher.ratio())
    scored = sorted(best.items(), key=lambda s: -s[1])
    value, ratio = scored[0]
    if ratio < cutoff or (len(scored) > 1 and scored[1][1] == ratio):
        return None
    return value


def did_you_mean(key: object, known: Iterable[object] | None, *, parenthesised: bool = True) -> str:
    """The hint to append after the unknown ``key``, or ``""`` (no known keys, none close).

    ``" (did you mean 'k'?)"``; with ``parenthesised=False`` ``"; did you mean 'k'?"``, for a
    message that lists the known keys in parentheses next (``unknown key 'x'; did you mean
    'k'? (keys: ...)``).
    """
    if known is None:
        return ""
    close = closest_key(key, known)
    if not close:
        return ""
    return f" (did you mean {close!r}?)" if parenthesised else f"; did you mean {close!r}?"


def section_keys(model: type, loc: Sequence[str | int]) -> tuple[str, ...] | None:
    """The keys a user may write in the section holding the last key of ``loc``.

    Parameters
    ----------
    model
        The pydantic model (or pydantic dataclass) the data was validated with.
    loc
        The ``loc`` of a validation error about a key (``extra_forbidden``): the key path,
        with pydantic's union-member tags, ending with the key itself.

    Returns
    -------
    tuple of str or None
        The section's keys as written in a file (a field's alias when it has one), in the
        model's order; for a union whose member the ``loc`` does not tell, the keys of all its
        members. None when the section is not a model (``dict[str, Any]``, a plain value) or
        the ``loc`` does not follow the model.
    """
    if not loc:
        return None
    found = _walk(model, list(loc[:-1]), None)
    if not found:
        return None
    keys: dict[str, None] = {}
    for m in found:
        for name, info in _fields(m).items():
            keys.update(dict.fromkeys(_written_keys(m, name, info)))
    return tuple(keys)


def hint_for_error(model: type, loc: Sequence[str | int]) -> str:
    """``" (did you mean 'k'?)"`` for the unknown key at the end of ``loc``, or ``""``."""
    if not loc:
        return ""
    return did_you_mean(loc[-1], section_keys(model, loc))


def error_to_report(errors: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The error of a pydantic ``errors()`` list a reader that reports one error should name.

    The first, unless it is a missing key (``missing``) whose section also holds an unknown key
    (``extra_forbidden``): a misspelt required key gives both, pydantic lists the missing one
    first, and "field required" would not name the key actually written; the unknown key is
    reported instead (with :func:`hint_for_error` it names the missing key).
    """
    first = errors[0]
    if first.get("type") == "missing":
        parent = tuple(first["loc"][:-1])
        for e in errors:
            if e.get("type") == "extra_forbidden" and tuple(e["loc"][:-1]) == parent:
                return e
    return first


# ---------------------------------------------------------------------------- the walk


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and (issubclass(tp, BaseModel) or hasattr(tp, "__pydantic_fields__"))


def _fields(model: type) -> Mapping[str, Any]:
    if issubclass(model, BaseModel):
        return model.model_fields
    return getattr(model, "__pydantic_fields__", {})


def _by_name(model: type) -> bool:
    config = getattr(model, "model_config", None) or getattr(model, "__pydantic_config__", None) or {}
    return bool(config.get("populate_by_name") or config.get("validate_by_name"))


def _written_keys(model: type, name: str, info: Any) -> list[str]:
    """The keys that set field ``name`` in a file (aliases first)."""
    alias = getattr(info, "validation_alias", None)
    keys: list[str] = []
    if isinstance(alias, str):
        keys.append(alias)
    elif isinstance(alias, AliasChoices):
        keys.extend(c for c in alias.choices if isinstance(c, str))
    elif getattr(info, "alias", None):
        keys.append(info.alias)
    if not keys or _by_name(model):
        keys.append(name)
    return keys


def _field_of(model: type, key: object) -> Any | None:
    for name, info in _fields(model).items():
        if key in _written_keys(model, name, info):
            return info
    return None


def _unwrap(tp: Any, disc: Any) -> tuple[Any, Any]:
    """``tp`` without ``Annotated`` (its discriminator kept) and without ``None`` in a union."""
    while typing.get_origin(tp) is typing.Annotated:
        base, *meta = typing.get_args(tp)
        for m in meta:
            d = getattr(m, "discriminator", None)
            if d is not None:
                disc = d
        tp = base
    if _is_union(tp):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0], disc)
    return tp, disc


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _discriminator_name(disc: Any) -> str | None:
    if isinstance(disc, str):
        return disc
    inner = getattr(disc, "discriminator", None)  # pydantic.Discriminator("op")
    return inner if isinstance(inner, str) else None


def _member_for_tag(members: list[Any], tag: str, disc: Any) -> Any | None:
    """The union member pydantic named ``tag`` in the ``loc`` (a discriminator value, a model's
    name, ``function-after[..., Name]``), or None."""
    name = _discriminator_name(disc)
    if name is not None:
        for m in members:
            base, _ = _unwrap(m, None)
            info = _field_of(base, name) if _is_model(base) else None
            if info is not None and tag in typing.get_args(_unwrap(info.annotation, None)[0]):
                return m
    match = _UNION_TAG.match(tag)
    wanted = match.group("name") if match else tag
    hits = [m for m in members if _is_model(_unwrap(m, None)[0]) and _unwrap(m, None)[0].__name__ == wanted]
    return hits[0] if len(hits) == 1 else None


def _walk(tp: Any, parts: list[str | int], disc: Any) -> list[type] | None:
    tp, disc = _unwrap(tp, disc)
    if _is_union(tp):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        if parts and isinstance(parts[0], str):
            chosen = _member_for_tag(members, parts[0], disc)
            if chosen is not None:
                return _walk(chosen, parts[1:], None)
        if parts:
            return None
        bases = [_unwrap(m, None)[0] for m in members]
        return bases if all(_is_model(b) for b in bases) else None
    if not parts:
        return [tp] if _is_model(tp) else None
    part, rest = parts[0], parts[1:]
    if _is_model(tp):
        info = _field_of(tp, part)
        if info is None:
            return None
        return _walk(info.annotation, rest, getattr(info, "discriminator", None))
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in _LIST_ORIGINS and isinstance(part, int) and args:
        return _walk(args[0], rest, None)
    if origin is tuple and isinstance(part, int) and args:
        if len(args) == 2 and args[1] is Ellipsis:
            return _walk(args[0], rest, None)
        return _walk(args[part], rest, None) if 0 <= part < len(args) else None
    if origin in (dict, Mapping, typing.Mapping) and len(args) == 2:
        return _walk(args[1], rest, None)
    return None


__all__ = ["CUTOFF", "closest_key", "closest_value", "did_you_mean", "error_to_report", "fold", "hint_for_error", "section_keys"]
