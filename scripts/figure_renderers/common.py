"""What the renderers of scripts/update_figures.py share: the error, the repository root, seed lists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
