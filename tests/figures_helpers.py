"""What the renderer tests of scripts/update_figures.py share."""

from __future__ import annotations

import copy
import json
from pathlib import Path


def without(data: dict, path: tuple[str, ...]) -> dict:
    """A deep copy of a figures file's ``data`` with the key at ``path`` (``("cases", "plain", "x")``) removed."""
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


def page_and_figures(tmp_path: Path, data: dict, names: list[str], file: str, *, inline: bool) -> tuple[Path, Path]:
    """A page holding the blocks ``names`` (each ``old``: inline on one line, or on lines of its
    own) and a figures folder holding ``data`` as ``file``: (page, folder) for
    ``update_figures.update([page], figures=folder)``."""
    folder = tmp_path / "figures"
    folder.mkdir(exist_ok=True)
    (folder / file).write_text(json.dumps(data), encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("".join(f"<!-- figures:{n} -->old<!-- /figures:{n} -->\n" if inline else f"<!-- figures:{n} -->\nold\n<!-- /figures:{n} -->\n"
                            for n in names), encoding="utf-8")  # fmt: skip
    return page, folder
