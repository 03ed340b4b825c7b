"""How the cutoff of :func:`twin.io.key_hints.closest_key` was chosen.

Every section (model) of the scenario, energy zone spec, soil column spec, soil block spec, soil
year options and ``soil.block`` options; for each key of a section, one seeded misspelling of each
kind (two adjacent letters swapped, a letter missing, a letter doubled, a letter replaced, upper
case, ``_`` written ``-``); the hint is right (the key), wrong (another key) or absent. Unrelated
words: the keys of the other sections that are more than two edits from every key of the section
(not misspellings of it); any hint to them is a wrong one.

Run: ``.venv/bin/python benchmarks/key_hint_cutoff.py`` (a second; prints one table).
"""

from __future__ import annotations

import random
import string
import typing

from twin.io import key_hints


def _models():
    from twin.energy.spec import ZoneSpec
    from twin.scenario.schema import Scenario
    from twin.soil.block3d_spec import BlockSpecFile
    from twin.soil.block_bands import BlockBandOptions
    from twin.soil.column import ColumnSpec
    from twin.soil.year import YearOptions

    return (Scenario, ZoneSpec, ColumnSpec, BlockSpecFile, YearOptions, BlockBandOptions)


def _sections() -> dict[str, tuple[str, ...]]:
    """Model name -> its keys, for every model reachable from the spec models."""
    out: dict[str, tuple[str, ...]] = {}
    todo = list(_models())
    while todo:
        m = todo.pop()
        if m.__name__ in out:
            continue
        out[m.__name__] = key_hints.section_keys(m, ("_",)) or ()
        for info in key_hints._fields(m).values():
            stack = [info.annotation]
            while stack:
                tp = stack.pop()
                if key_hints._is_model(tp):
                    todo.append(tp)
                stack.extend(a for a in typing.get_args(tp) if a is not Ellipsis)
    return {k: v for k, v in out.items() if len(v) > 1}


def _misspell(key: str, kind: str, rng: random.Random) -> str | None:
    letters = [i for i, c in enumerate(key) if c.isalpha()]
    if not letters:
        return None
    i = rng.choice(letters)
    if kind == "transposition":
        pairs = [j for j in range(len(key) - 1) if key[j] != key[j + 1] and key[j].isalpha() and key[j + 1].isalpha()]
        if not pairs:
            return None
        j = rng.choice(pairs)
        return key[:j] + key[j + 1] + key[j] + key[j + 2:]
    if kind == "missing letter":
        return key[:i] + key[i + 1:] if len(key) > 1 else None
    if kind == "extra letter":
        return key[:i] + key[i] + key[i:]
    if kind == "wrong letter":
        return key[:i] + rng.choice([c for c in string.ascii_lowercase if c != key[i]]) + key[i + 1:]
    if kind == "case":
        return key.upper()
    if kind == "separator":
        return key.replace("_", "-") if "_" in key else None
    raise ValueError(kind)


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


KINDS = ("transposition", "missing letter", "extra letter", "wrong letter", "case", "separator")


def main(cutoffs=(0.6, 0.65, 0.7, 0.75, 0.8, 0.85)) -> None:
    sections = _sections()
    every = sorted({k for keys in sections.values() for k in keys})
    print(f"{len(sections)} sections, {len(every)} distinct keys")
    print(f"{'cutoff':>6}  " + "  ".join(f"{k:>22}" for k in KINDS) + f"  {'unrelated: hinted':>18}")
    for cutoff in cutoffs:
        row = []
        for kind in KINDS:
            rng = random.Random(f"{kind}-1")
            right = wrong = n = 0
            for keys in sections.values():
                for key in keys:
                    bad = _misspell(key, kind, rng)
                    if bad is None or bad in keys:
                        continue
                    got = key_hints.closest_key(bad, keys, cutoff=cutoff)
                    n += 1
                    right += got == key
                    wrong += got is not None and got != key
            row.append(f"{100 * right / n:5.1f}% ok {100 * wrong / n:4.1f}% bad".rjust(22))
        hinted = n_unrelated = 0
        for keys in sections.values():
            for word in every:
                if all(_distance(key_hints.fold(word), key_hints.fold(k)) > 2 for k in keys):
                    n_unrelated += 1
                    hinted += key_hints.closest_key(word, keys, cutoff=cutoff) is not None
        print(f"{cutoff:>6.2f}  " + "  ".join(row) + f"  {100 * hinted / n_unrelated:>17.1f}%")


if __name__ == "__main__":
    main()
