"""What the renderer tests of scripts/update_figures.py share."""

from __future__ import annotations

import copy


def without(data: dict, path: tuple[str, ...]) -> dict:
    """A deep copy of a figures file's ``data`` with the key at ``path`` (``("cases", "plain", "x")``) removed."""
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out
