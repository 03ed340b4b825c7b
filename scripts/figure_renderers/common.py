"""What the renderers of scripts/update_figures.py share: the error, the repository root, seed lists, a figure's
lookup by its key path, the load a case was measured at and the minus sign of a negative figure."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root."""

Blocks = dict[str, tuple[str, Callable[[dict], str], str]]
"""Block name -> (JSON file under benchmarks/figures/, renderer, benchmark that writes the file)."""


class FiguresError(Exception):
    """A block that cannot be written (unknown name, missing or malformed figures)."""


def seeds_text(seeds: list[int]) -> str:
    """``0-2`` for consecutive seeds, else ``0, 3, 5``."""
    seeds = sorted(int(s) for s in seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(str(s) for s in seeds)


def figure_at(data: dict, *keys: str) -> Any:
    """``data[k0][k1]...``; a missing key is a :class:`FiguresError` naming its path."""
    node: Any = data
    for i, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            raise FiguresError(f"no {'.'.join(keys[: i + 1])!r} in the figures")
        node = node[key]
    return node


def one_minute(x: float | list[float]) -> float:
    """The 1-minute load average: the first of (1, 5, 15-minute) averages, or the figure itself
    (bench_soil_year.py's district years record the 1-minute average alone)."""
    return float(x[0] if isinstance(x, list) else x)


def load_text(entry: dict) -> str:
    """``load 1.3-2.1``: the 1-minute load averages before and after a measured case (``load_before``, ``load_after``)."""
    lo, hi = sorted((one_minute(figure_at(entry, "load_before")), one_minute(figure_at(entry, "load_after"))))
    return f"load {lo:.1f}" if round(lo, 1) == round(hi, 1) else f"load {lo:.1f}-{hi:.1f}"


MINUS = "\u2212"
"""The minus sign U+2212 that the pages' prose and tables write before a negative figure, as the report does
(``twin.scenario.report_labels.page_minus``); code spans keep the ASCII hyphen-minus a reader copies."""


def signed(x: float, spec: str = "") -> str:
    """``x`` formatted with ``spec`` (``"+.2f"``, ``",.0f"``...) for prose and tables: a negative figure starts with
    the minus sign U+2212 instead of the hyphen-minus (``signed(-11.914, ".2f")`` is ``"−11.91"``; ``"+.1f"``
    gives ``"+0.4"`` and ``"−0.4"``).

    Parameters
    ----------
    x
        The figure.
    spec
        A format specification as in ``format(x, spec)``.
    """
    text = format(x, spec)
    return text.replace("-", MINUS, 1) if text.lstrip().startswith("-") else text


def minus_signs(text: str) -> str:
    """``text`` as a script printed it (a figures file's ready-made lines) with each negative number's hyphen-minus
    written as U+2212, by the report's rule (:func:`twin.scenario.report_labels.minus_sign`: not in a date, a
    range ``11-16``, an id or an exponent), outside code spans, which stay ASCII."""
    from twin.scenario.report_labels import minus_sign

    parts = re.split(r"(`+[^`]*`+)", text)
    return "".join(p if i % 2 else minus_sign(p) for i, p in enumerate(parts))
