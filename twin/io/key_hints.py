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
    The same rule for a value with several spellings.
:func:`closest_name`
    A rule of its own for street and place names (a selection's ``name``; see below).

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
match would pick rows the user did not name. Only the hint folds, so ``residental`` is told
``'residential'``; two present values that differ only in case or separators give no hint (a tie).

Street and place names (:func:`closest_name`)
---------------------------------------------
The key rule gave wrong hints for names: the names of one district share ``Rue de``,
``Avenue``, ``Chaussée de`` and the Dutch ``straat``, so the ratio of two whole names is high
for unrelated streets (``Rue de France`` was told ``Rue de Roumanie``). A name is compared on
its distinctive part (:func:`name_parts`: case, accents and punctuation folded, ``Av.``, ``Bd``,
``Ch.``, ``Pl.``, ``St`` read in full, the street type and the articles after it set aside; a
Dutch name without its ``straat``, ``laan``, ``steenweg`` ...), by :func:`edit_distance` (a letter
wrong, dropped, added, or two swapped), with one slip per :data:`NAME_LETTERS_PER_EDIT` letters of
the written distinctive part, at most :data:`NAME_MAX_EDITS`, against names of the same street
type only (a name without a known type is of its own type; but see below for the type word), numbers
and Roman numerals equal (``16e Chemin`` is no slip of ``14e Chemin``); the nearest name must be
the only one at its distance (each half of a bilingual name is a spelling of it; a half shared by
two streets, ``Villalaan``, names both). Measured by ``benchmarks/name_hint_cutoff.py`` on the 79 street names of the default
Saint-Gilles scene with one seeded slip of each kind per name, and the 1,531 names of the Brussels
EqualStreetNames extract the scene does not hold as unrelated names: the key rule hinted at 100
unrelated names (6.5 %) and named a wrong street for 3 % of slips of the street type and 1 % of
Dutch slips; with 3/1 and the same type the right street is named for every wrong, swapped or
doubled letter, accent or case slip and abbreviated type, 99 % of dropped letters, 97 % of Dutch
slips, 62 % of wrong letters anywhere (none for a slip in the street type word) and no other
type (``Avenue de Rome`` for ``Rue de Rome`` gets no hint: another type hinted at 13 more
unrelated names, ``Square Théodore Verhaegen`` -> ``Rue Théodore Verhaegen``), never a wrong
street; one unrelated name is hinted (``Rue d'Ardenne`` -> ``Rue d'Andenne``: one letter apart,
as a slip would be). Two slips (3/2, 4/2) hinted 2 to 4 unrelated names (``Avenue de Villegas``
-> ``Avenue des Villas``) for 0.1 % more slips; 5 or 6 letters per slip name the right street for
79.9 % and 74.3 % of all slips (3/1: 83.7 %) for the same one unrelated hint. On a scene of half
the region's names (779; the other 749 unrelated) the key rule hinted at 40.5 % of unrelated names
and named a wrong street for 1.5 % of slips (10 % of other-type slips); 3/1 with the same type
hints at none of them, never names a wrong street and names the right one for 85 % of slips
(96-99 % of letter, accent, case and abbreviation slips, 56 % of wrong letters anywhere); 3/2
hinted at 5 and named a wrong street for 2 % of other-type slips.

The street type word itself (:func:`type_word_slip`, :data:`STREET_TYPE_KINDS`): the rule above
gave no hint for a slip in the type word (``Ruee de Rome``: ``ruee`` is no type, so the name was of
no type) nor for another type (``Avenue de Rome``). A first word one slip from exactly one French
street type is now also read as that type, the slip counted (so the rest must be exact); and when
no name of the written type is near, a name of another type *of the same kind* (streets: rue,
avenue, boulevard, chaussée, straat, laan, steenweg; squares: place, square, parvis, plein) is
named if its distinctive part is the one written and no other street's is. Measured with the same
benchmark and a new kind of slip, one seeded slip in the type word (a wrong, swapped, dropped or
doubled letter): on Saint-Gilles the right street is now named for 100 % of type-word slips (0 %
before), 93 % of other-type slips (0 %; the rest are a square written as a street, ``Rue Loix``
for ``Place Loix``, which is not hinted), 91 % of wrong letters anywhere (62 %), 98.0 % of all
slips (74.8 %), never a wrong street, and still one unrelated name hinted (``Rue d'Ardenne``).
Another type of any kind (``"any"``) would name the right street for every other-type slip but
hint at 14 unrelated names (a real ``Impasse de Savoie`` -> ``Rue de Savoie``, ``Square Théodore
Verhaegen`` -> ``Rue Théodore Verhaegen``, ``Sentier de Waterloo`` -> ``Chaussée de Waterloo``...).
On the half-region scene: 98 % of type-word slips, 86 % of other-type slips, 95.3 % of all slips
(76.5 %), and 4 of 749 unrelated names hinted (none before): real streets sharing their
distinctive part with a scene street of the same kind (``Avenue du Château`` -> ``Rue du
Château``, ``Square de la Croix Rouge`` -> ``Place de la Croix-Rouge``, ``Avenue de Watermael``
-> ``Chaussée de Watermael``, ``Antwerpselaan`` -> ``Antwerpsesteenweg``); a wrong street is
named for 3 of 420 other-type slips (2 before: a same-type name one slip away comes first,
``Rue de Gand`` -> ``Rue De Wand`` for ``Chaussée de Gand``; new: ``Rue de la Constitution`` ->
``Avenue de la Constitution`` where ``Place de la Constitution`` was meant).
"""

from __future__ import annotations

import difflib
import functools
import re
import types
import typing
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import AliasChoices, BaseModel

#: The least difflib ratio between a written key and a known key for a hint (see the module
#: docstring for how it was chosen).
CUTOFF = 0.75
#: Names (:func:`closest_name`): one slip per this many letters of the distinctive part, at most
#: :data:`NAME_MAX_EDITS`, and whether another street type may be hinted: ``"kin"``, one of the same
#: kind (:data:`STREET_TYPE_KINDS`) with the same distinctive part (see the module docstring).
NAME_LETTERS_PER_EDIT = 3
NAME_MAX_EDITS = 1
NAME_ACROSS_TYPES = "kin"

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


# ---------------------------------------------------------------------------- names


#: French street types, as the first word of a name (folded), with the abbreviations planners write.
STREET_TYPES_FR = frozenset({
    "rue", "avenue", "chaussee", "place", "placette", "parvis", "square", "boulevard", "barriere", "allee", "allees", "impasse",
    "quai", "dreve", "clos", "galerie", "passage", "sentier", "chemin", "rond-point", "cour", "pont", "porte", "venelle", "cite",
    "esplanade", "promenade", "carrefour", "tunnel", "passerelle", "rampe", "piste", "parc", "jardin", "marche", "escalier", "ruelle",
})  # fmt: skip
STREET_ABBREVIATIONS = {
    "r": "rue", "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "bvd": "boulevard", "boul": "boulevard",
    "ch": "chaussee", "chee": "chaussee", "chaus": "chaussee", "pl": "place", "sq": "square", "imp": "impasse", "gal": "galerie",
}  # fmt: skip
#: Abbreviations read anywhere in a name.
NAME_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints"}
#: Dutch street types, as the end of the last word of a name (longest first).
STREET_TYPES_NL = (
    "voorplein", "steenweg", "galerij", "straat", "plein", "plaats", "square", "gaarde", "dreef", "laan", "kaai", "gang", "weg",
    "pad", "hof", "markt", "poort", "brug", "tunnel",
)  # fmt: skip
#: Street types a planner mixes up, by kind (:func:`closest_name` names ``Rue de Rome`` for ``Avenue
#: de Rome``): the streets of a town (not a lane, a path or an alley), and its squares. A name of
#: another kind (``Impasse de Savoie`` for ``Rue de Savoie``, ``Square Théodore Verhaegen`` for
#: ``Rue Théodore Verhaegen``) is a street of its own, often next to the other.
STREET_TYPE_KINDS = (
    frozenset({"rue", "avenue", "boulevard", "chaussee", "straat", "laan", "steenweg"}),
    frozenset({"place", "square", "parvis", "plein", "voorplein"}),
)
#: French articles and prepositions between the street type and the distinctive part.
NAME_PARTICLES = frozenset({"de", "du", "des", "la", "le", "les", "l", "d"})


def name_words(name: object) -> list[str]:
    """The words of a name: case and accents folded, split on white space, dashes, apostrophes and dots."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.findall(r"[^\W_]+", text)


def name_parts(name: object) -> tuple[str, str]:
    """``(street type, distinctive part)`` of a street or place name, folded.

    ``"Rue de l'Église Saint-Gilles"`` is ``("rue", "eglise saint gilles")``, ``"Av. Brugmann"``
    ``("avenue", "brugmann")``, ``"Roemeniestraat"`` ``("straat", "roemenie")``; a name without a
    known type is ``("", <all its words>)``.
    """
    words = [NAME_ABBREVIATIONS.get(w, w) for w in name_words(name)]
    if not words:
        return "", ""
    kind = ""
    first = STREET_ABBREVIATIONS.get(words[0], words[0])
    if first == "rond" and len(words) > 1 and words[1] == "point":
        first, words = "rond-point", words[1:]
    if first in STREET_TYPES_FR and len(words) > 1:
        kind, words = first, words[1:]
        while len(words) > 1 and words[0] in NAME_PARTICLES:
            words = words[1:]
    else:
        last = words[-1]
        for suffix in STREET_TYPES_NL:
            if last.endswith(suffix):
                kind = suffix
                rest = last[: -len(suffix)]
                if rest:
                    words = [*words[:-1], rest]
                elif len(words) > 1:
                    words = words[:-1]
                else:
                    kind = ""
                break
    return kind, " ".join(words)


def edit_distance(a: str, b: str, *, limit: int | None = None) -> int:
    """Letters inserted, deleted, replaced or swapped with a neighbour to turn ``a`` into ``b``
    (optimal string alignment); any value above ``limit`` is returned as ``limit + 1``."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def name_edits_allowed(core: str, *, letters_per_edit: int = NAME_LETTERS_PER_EDIT, max_edits: int = NAME_MAX_EDITS) -> int:
    """Slips allowed in the distinctive part ``core`` of a written name: one per ``letters_per_edit``
    letters (none below that), at most ``max_edits``."""
    letters = sum(c.isalnum() for c in core)
    return min(max_edits, letters // letters_per_edit)


def closest_name(
    written: object,
    spellings: Mapping[str, Any] | Iterable[tuple[str, Any]],
    *,
    letters_per_edit: int = NAME_LETTERS_PER_EDIT,
    max_edits: int = NAME_MAX_EDITS,
    across_types: str = NAME_ACROSS_TYPES,
) -> Any | None:
    """The value a misspelt street or place name most likely stands for, or None.

    Names of one district share long prefixes (``Rue de``, ``Avenue``, ``Chaussée de``) and Dutch
    suffixes (``straat``, ``laan``): a ratio over the whole text finds ``Rue de Roumanie`` close to
    ``Rue de France``. Names are compared on their distinctive part (:func:`name_parts`: case,
    accents and punctuation folded, abbreviations such as ``Av.`` read, the street type and the
    articles after it set aside) by :func:`edit_distance`, with at most
    :func:`name_edits_allowed` slips; a misspelt street type word (``Ruee``, ``Avneue``) is read
    as the type it is one slip from (the slip counts); a name of another street type of the same
    kind (:data:`STREET_TYPE_KINDS`: ``Avenue de Rome`` for ``Rue de Rome``) is named only when no
    name of the written type is near, and only if its distinctive part is the one written (see the
    module docstring for how this was measured).

    Parameters
    ----------
    written
        The name as written.
    spellings
        ``{spelling: value}`` or ``(spelling, value)`` pairs (each half of a bilingual name is a
        spelling of the whole name; one spelling may name two values, such as the Dutch half
        ``Villalaan`` of ``Avenue des Villas`` and ``Rue des Villas``).
    letters_per_edit, max_edits
        One slip allowed per ``letters_per_edit`` letters of the written distinctive part, at most
        ``max_edits``.
    across_types
        Whether a name of another street type may be hinted: ``"none"``; ``"kin"``, a type of the
        same kind with the same distinctive part, when no name of the written type is near;
        ``"any"``, any type within the slips allowed (a name of the written type first at one
        distance).

    Returns
    -------
    object or None
        The value of the only spelling(s) whose distinctive part is nearest to the written one
        within the slips allowed; None when none is, or when spellings of two values are equally near.
    """
    core, scores = name_distances(written, spellings, limit=max_edits)
    return pick_name(scores, name_edits_allowed(core, letters_per_edit=letters_per_edit, max_edits=max_edits), across_types=across_types)


def type_word_slip(word: str) -> str | None:
    """The French street type a folded first word is one slip from (:func:`edit_distance` 1), or
    None: when it is a type, an abbreviation or an article already, or one slip from two types
    (only ``rue`` is one slip from a word of two letters: ``Ru``, ``Re``)."""
    if len(word) < 2 or word in STREET_TYPES_FR or word in STREET_ABBREVIATIONS or word in NAME_PARTICLES or word in NAME_ABBREVIATIONS:
        return None
    near = [t for t in STREET_TYPES_FR if "-" not in t and edit_distance(word, t, limit=1) <= 1]
    return near[0] if len(near) == 1 else None


def _readings(written: object) -> list[tuple[str, str, int]]:
    """``(street type, distinctive part, slips)`` a written name may be read as: :func:`name_parts`
    (no slip), and for a name whose first word is one slip from a French street type
    (:func:`type_word_slip`), the name with that type written right (one slip)."""
    readings = [(*name_parts(written), 0)]
    words = name_words(written)
    fixed = type_word_slip(words[0]) if len(words) > 1 else None
    if fixed is not None:
        kind, core = name_parts(" ".join([fixed, *words[1:]]))
        if kind == fixed:
            readings.append((kind, core, 1))
    return readings


def name_distances(
    written: object, spellings: Mapping[str, Any] | Iterable[tuple[str, Any]], *, limit: int
) -> tuple[str, dict[Any, tuple[int, int, int]]]:
    """The written distinctive part, and for each value its least :func:`edit_distance` (up to
    ``limit``; ``limit + 1``: none within it) to a spelling of the same street type, of another
    type of the same kind (:data:`STREET_TYPE_KINDS`) and of any other type.

    A name without a known type is of its own type (none), or, when its first word is one slip from
    a street type, of that type with that slip counted (:func:`type_word_slip`: ``Ruee de Rome`` is
    one slip from ``Rue de Rome``); numbers and Roman numerals must be equal (``14e Chemin`` is not
    a slip of ``16e Chemin``, nor ``Léopold III`` of ``Léopold II``)."""
    readings = [(kind, core, slips, _numbers(core), _type_kind(kind)) for kind, core, slips in _readings(written)]
    core = readings[0][1]
    scores: dict[Any, tuple[int, int, int]] = {}
    if not core:
        return core, scores
    far = limit + 1
    for spelling, value in spellings.items() if isinstance(spellings, Mapping) else spellings:
        s_kind, s_core, s_numbers = _cached_name_parts(spelling)
        for kind, r_core, slips, numbers, kin in readings:
            budget = limit - slips
            if abs(len(s_core) - len(r_core)) > budget or s_numbers != numbers:
                continue
            if slips and kind != s_kind:
                continue  # a misspelt type word read as a type is compared with that type only
            d = slips + edit_distance(r_core, s_core, limit=budget)
            if d > limit:
                continue
            same, akin, other = scores.get(value, (far, far, far))
            if kind == s_kind:
                same = min(same, d)
            else:
                other = min(other, d)
                if kin and kin == _type_kind(s_kind):
                    akin = min(akin, d)
            scores[value] = (same, akin, other)
    return core, scores


def pick_name(scores: Mapping[Any, tuple[int, int, int]], allowed: int, *, across_types: str) -> Any | None:
    """The value of :func:`name_distances` scores a hint names, none on a tie.

    ``across_types``: ``"none"``, the nearest name of the written type within ``allowed`` slips;
    ``"kin"``, that, else the only name of another type of the same kind at distance 0; ``"any"``,
    the nearest name of any type within ``allowed`` slips (the written type first at one distance).
    """
    if across_types not in ("none", "kin", "any"):
        raise ValueError(f"across_types must be 'none', 'kin' or 'any', not {across_types!r}")
    ranked = []
    for value, (same, _akin, other) in scores.items():
        if same <= allowed:
            ranked.append(((same, 0), value))
        elif across_types == "any" and other <= allowed:
            ranked.append(((other, 1), value))
    if not ranked and across_types == "kin":
        ranked = [((0, 1), value) for value, (_, akin, _) in scores.items() if akin == 0]
    if not ranked:
        return None
    ranked.sort(key=lambda r: r[0])
    if len(ranked) > 1 and ranked[1][0] == ranked[0][0]:
        return None
    return ranked[0][1]


def _type_kind(kind: str) -> int:
    """The index + 1 of the :data:`STREET_TYPE_KINDS` group holding street type ``kind``; 0: none."""
    for i, group in enumerate(STREET_TYPE_KINDS, start=1):
        if kind in group:
            return i
    return 0


_NUMBER = re.compile(r"\d+[^\W\d_]*|(?:i{1,3}|iv|vi{0,3}|ix|xi{0,3})")


def _numbers(core: str) -> tuple[str, ...]:
    """The numbers and Roman numerals (up to 13) among the words of a distinctive part, sorted."""
    return tuple(sorted(w for w in core.split() if _NUMBER.fullmatch(w)))


@functools.lru_cache(maxsize=65536)
def _cached_name_parts(name: str) -> tuple[str, str, tuple[str, ...]]:
    kind, core = name_parts(name)
    return kind, core, _numbers(core)


__all__ = [
    "CUTOFF", "STREET_TYPE_KINDS", "closest_key", "closest_name", "closest_value", "did_you_mean", "edit_distance", "error_to_report", "fold", "hint_for_error",
    "name_parts", "section_keys", "type_word_slip",
]
