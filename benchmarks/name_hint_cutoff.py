"""How the rule of :func:`twin.io.key_hints.closest_name` (street and place names) was chosen.

Scenes:

* ``stgilles``: the street names of the default Saint-Gilles scene
  (``data_samples/stgilles_streets_osm2013.geojson``, the links' ``name`` column of ``twin run``).
  Unrelated names: the names of the EqualStreetNames extract of the whole Brussels-Capital Region
  (``<shared>/data/brussels/equalstreetnames_brussels_ways.geojson``) that are not in the scene
  (other communes, and Saint-Gilles streets outside the 1 km box).
* ``region``: a seeded half of the region's names as the scene, the other half as unrelated names
  (a scene of the whole region: many more names close to each other).

For each scene name, one seeded slip of each kind in its French half (the part a planner types):
a wrong letter, two letters swapped, a letter dropped or doubled in the distinctive part (after
the street type and its articles), a wrong letter anywhere (the street type included), accents
left out, one slip in the street type word (``Ruee de Rome``: a wrong, swapped, dropped or
doubled letter), lower case, the street type abbreviated (``Av.``, ``Bd``, ``Ch.``, ``Pl.``), another
street type (``Avenue`` for ``Rue``), and a wrong letter in the Dutch half. A slip that gives
another name of the scene is skipped. The hint is right (the name), wrong (another name) or none.
Unrelated names are written as their French half; any hint to them is a wrong one (a planner
who asks for a street the scene does not hold).

Rules: ``old`` is the rule used until then (difflib ratio of the whole folded name >= 0.75,
:func:`twin.io.key_hints.closest_value`); ``n/k`` allows one slip per ``n`` letters of the
distinctive part, at most ``k``, and a name of another street type is hinted within those slips
(``same type``: never; ``kin``: only one of the same kind, :data:`twin.io.key_hints.STREET_TYPE_KINDS`,
with the same distinctive part, when no name of the written type is near: the default). Every row
reads a type word one slip from a street type as that type (:func:`twin.io.key_hints.type_word_slip`);
the rule before that (no other type, no type-word slip) is ``same type`` with ``type word slip`` at 0.

Run: ``.venv/bin/python benchmarks/name_hint_cutoff.py`` (prints two tables; about 10 min on a
loaded 2-core machine, load average 8-10, nearly all of it the old rule on the region's 1,558
spellings; ``--no-old`` leaves out the old rule, whose row does not depend on the new one: 70 s).
"""

from __future__ import annotations

import json
import os
import random
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

from twin.io import key_hints
from twin.scene.names import halves

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TWIN_SHARED", REPO.parent / "shared")).resolve()
SCENE_STREETS = REPO / "data_samples" / "stgilles_streets_osm2013.geojson"
REGION_STREETS = SHARED / "data" / "brussels" / "equalstreetnames_brussels_ways.geojson"

KINDS = ("wrong letter", "swapped letters", "dropped letter", "doubled letter", "wrong letter anywhere", "type word slip", "no accents",
         "lower case", "abbreviated type", "other type", "Dutch wrong letter")  # fmt: skip
TYPE_WORD_SLIPS = ("wrong letter", "swapped letters", "dropped letter", "doubled letter")
ABBREVIATE = {"Avenue": "Av.", "Boulevard": "Bd", "Chaussée": "Ch.", "Place": "Pl."}
OTHER_TYPE = {"Rue": "Avenue", "Avenue": "Rue", "Place": "Rue", "Chaussée": "Rue", "Boulevard": "Avenue", "Square": "Place"}


def _names(path: Path) -> list[str]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return sorted({" ".join(str(f["properties"]["name"]).split()) for f in features if (f["properties"] or {}).get("name")})


def _old_fold(text: str) -> str:
    """The folding :mod:`twin.scenario.selection` applied before the old rule: case, accents and
    apostrophe kinds."""
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("\u2019", "'").replace("`", "'").split()).casefold()


def _spellings(names: list[str]) -> list[tuple[str, str]]:
    """``(spelling, name)``: each name and each half of it (a half may name two streets)."""
    return list(dict.fromkeys((variant, n) for n in names for variant in (n, *halves(n))))


def _core_positions(text: str) -> list[int]:
    """Indices of the letters of the distinctive part of ``text`` (after the street type and articles)."""
    import re

    spans = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\W_]+", text)]
    kind = key_hints.name_parts(text)[0]
    skip = 0
    if kind and key_hints.name_words(spans[0][2])[0] in key_hints.STREET_TYPES_FR | {"rond"}:
        skip = 2 if kind == "rond-point" else 1
        while skip < len(spans) - 1 and key_hints.name_words(spans[skip][2])[0] in key_hints.NAME_PARTICLES:
            skip += 1
    return [i for s, e, _ in spans[skip:] for i in range(s, e) if text[i].isalpha()]


def _wrong_letter(text: str, positions: list[int], rng: random.Random) -> str | None:
    if not positions:
        return None
    i = rng.choice(positions)
    c = rng.choice([c for c in string.ascii_lowercase if c != text[i].lower()])
    return text[:i] + (c.upper() if text[i].isupper() else c) + text[i + 1:]


def _slip(name: str, kind: str, rng: random.Random) -> str | None:
    parts = halves(name)
    fr = parts[0]
    core = _core_positions(fr)
    if kind == "wrong letter":
        return _wrong_letter(fr, core, rng)
    if kind == "swapped letters":
        pairs = [i for i in core if i + 1 in core and fr[i] != fr[i + 1]]
        if not pairs:
            return None
        i = rng.choice(pairs)
        return fr[:i] + fr[i + 1] + fr[i] + fr[i + 2:]
    if kind == "dropped letter":
        if len(core) < 2:
            return None
        i = rng.choice(core)
        return fr[:i] + fr[i + 1:]
    if kind == "doubled letter":
        if not core:
            return None
        i = rng.choice(core)
        return fr[:i] + fr[i] + fr[i:]
    if kind == "wrong letter anywhere":
        return _wrong_letter(fr, [i for i, c in enumerate(fr) if c.isalpha()], rng)
    if kind == "type word slip":
        return _type_word_slip(fr, rng)
    if kind == "no accents":
        import unicodedata

        plain = "".join(c for c in unicodedata.normalize("NFKD", fr) if not unicodedata.combining(c))
        return plain if plain != fr else None
    if kind == "lower case":
        return fr.lower() if fr.lower() != fr else None
    first, _, rest = fr.partition(" ")
    if kind == "abbreviated type":
        return f"{ABBREVIATE[first]} {rest}" if first in ABBREVIATE and rest else None
    if kind == "other type":
        return f"{OTHER_TYPE[first]} {rest}" if first in OTHER_TYPE and rest else None
    if kind == "Dutch wrong letter":
        if len(parts) < 2:
            return None
        nl = parts[1]
        kind_nl, core_nl = key_hints.name_parts(nl)
        # the letters of the Dutch name before its street-type suffix
        stem = len(nl) - len(kind_nl) if kind_nl and nl.lower().endswith(kind_nl) else len(nl)
        return _wrong_letter(nl, [i for i in range(stem) if nl[i].isalpha()], rng)
    raise ValueError(kind)


def _type_word_slip(fr: str, rng: random.Random) -> str | None:
    """One seeded slip (a wrong, swapped, dropped or doubled letter; the kind drawn too) in the
    French street type word, when the name starts with one written in full (``Ruee de Rome``)."""
    first, _, rest = fr.partition(" ")
    if not rest or key_hints.name_words(first)[0] not in key_hints.STREET_TYPES_FR:
        return None
    how = rng.choice(TYPE_WORD_SLIPS)
    i = rng.randrange(len(first))
    if how == "wrong letter":
        c = rng.choice([c for c in string.ascii_lowercase if c != first[i].lower()])
        word = first[:i] + (c.upper() if first[i].isupper() else c) + first[i + 1:]
    elif how == "swapped letters":
        i = rng.randrange(len(first) - 1)
        word = first[:i] + first[i + 1] + first[i] + first[i + 2:]
    elif how == "dropped letter":
        word = first[:i] + first[i + 1:]
    else:
        word = first[:i] + first[i] + first[i:]
    return f"{word} {rest}" if word != first else None


CHOSEN = "3/1 kin"
"""The rule :func:`twin.io.key_hints.closest_name` applies by default."""


def _chosen(written: str, spellings) -> str | None:
    return key_hints.closest_name(written, spellings)


Rule = Callable[[str, dict[str, str], tuple], "str | None"]
LIMIT = 2
"""Most slips any rule of the sweep allows (the distances are computed once up to it)."""


_OLD_FOLDED: dict[int, dict[str, str]] = {}


def _old(written: str, spellings: list[tuple[str, str]], _distances=None) -> str | None:
    """The rule of :mod:`twin.scenario.selection` until then (a spelling names its first street)."""
    folded = _OLD_FOLDED.get(id(spellings))
    if folded is None:
        folded = {}
        for spelling, value in spellings:
            folded.setdefault(_old_fold(spelling), value)
        _OLD_FOLDED[id(spellings)] = folded
    return key_hints.closest_value(_old_fold(written), folded)


def _rules() -> dict[str, Rule]:
    """The old rule (unless ``--no-old``: its row does not depend on the new rule), and :func:`key_hints.pick_name` over :func:`key_hints.name_distances` for each
    budget (the two steps of :func:`key_hints.closest_name`, the distances computed once)."""
    rules: dict[str, Rule] = {} if "--no-old" in sys.argv else {"old (ratio 0.75)": _old}
    for across in ("any", "none", "kin"):
        for k in (1, 2):
            for n in (3, 4, 5, 6):
                label = f"{n}/{k}" + {"any": "", "none": " same type", "kin": " kin"}[across]

                def rule(w, s, distances, n=n, k=k, across=across):
                    core, scores = distances
                    return key_hints.pick_name(scores, key_hints.name_edits_allowed(core, letters_per_edit=n, max_edits=k), across_types=across)

                rules[label] = rule
    return rules


def _cases(scene: list[str], unrelated: list[str], seed: str) -> tuple[dict[str, list[tuple[str, str]]], list[str]]:
    spellings = _spellings(scene)
    taken = {_old_fold(s) for s, _ in spellings}
    cases: dict[str, list[tuple[str, str]]] = {}
    for kind in KINDS:
        rng = random.Random(f"{seed}-{kind}")
        cases[kind] = []
        for name in scene:
            bad = _slip(name, kind, rng)
            if bad is None or (_old_fold(bad) in taken and kind not in ("no accents", "lower case")):
                continue
            cases[kind].append((bad, name))
    others = []
    for name in unrelated:
        if any(_old_fold(v) in taken for v in (name, *halves(name))):
            continue
        others.append(halves(name)[0])
    return cases, sorted(set(others))


def _table(title: str, scene: list[str], unrelated: list[str], seed: str) -> None:
    started = time.perf_counter()
    _OLD_FOLDED.clear()
    cases, others = _cases(scene, unrelated, seed)
    spellings = _spellings(scene)
    print(f"\n{title}: {len(scene)} names in the scene, {len(others)} unrelated names; slips per kind: "
          + ", ".join(f"{k} {len(v)}" for k, v in cases.items()))
    print("right % / wrong % (none: the rest)")
    print(f"{'rule':<18}" + "".join(f"{k[:13]:>14}" for k in KINDS) + f"{'all slips':>14}{'unrelated hinted':>18}")
    distances = {w: key_hints.name_distances(w, spellings, limit=LIMIT) for w in {b for c in cases.values() for b, _ in c} | set(others)}
    for label, rule in _rules().items():
        row, right_all, wrong_all, n_all = [], 0, 0, 0
        for kind in KINDS:
            right = wrong = 0
            for bad, name in cases[kind]:
                got = rule(bad, spellings, distances[bad])
                right += got == name
                wrong += got is not None and got != name
            n = max(len(cases[kind]), 1)
            right_all, wrong_all, n_all = right_all + right, wrong_all + wrong, n_all + len(cases[kind])
            row.append(f"{100 * right / n:5.0f} /{100 * wrong / n:4.0f}".rjust(14))
        hinted = [w for w in others if rule(w, spellings, distances[w]) is not None]
        print(f"{label:<18}" + "".join(row) + f"{100 * right_all / n_all:7.1f} /{100 * wrong_all / n_all:4.1f}"
              + f"{len(hinted):>9} ({100 * len(hinted) / len(others):4.1f}%)")
        if label == CHOSEN:
            chosen_hinted = hinted
    print(f"unrelated names hinted by {CHOSEN}: " + "; ".join(f"{w!r} -> {_chosen(w, spellings)!r}" for w in chosen_hinted))
    print(f"({time.perf_counter() - started:.0f} s)")


def main() -> None:
    scene = _names(SCENE_STREETS)
    region = _names(REGION_STREETS)
    _table("Saint-Gilles (default scene)", scene, region, "stgilles")
    rng = random.Random("region")
    shuffled = region[:]
    rng.shuffle(shuffled)
    half = len(shuffled) // 2
    _table("Region (half of the Brussels names as the scene)", sorted(shuffled[:half]), shuffled[half:], "region")
    examples = ["Rue de France", "Rue de Roumani", "Rue de l'Eglise Saint-Gilles", "Av. Brugmann", "Rue Haute"]
    spellings = _spellings(scene)
    _OLD_FOLDED.clear()
    print("\nexamples (Saint-Gilles): " + "; ".join(f"{w!r}: old {_old(w, spellings)!r}, new {_chosen(w, spellings)!r}" for w in examples))


if __name__ == "__main__":
    main()
