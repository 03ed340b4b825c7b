"""What the renderer tests of scripts/update_figures.py share."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


def without(data: dict, path: tuple[str, ...]) -> dict:
    """A deep copy of a figures file's ``data`` with the key at ``path`` (``("cases", "plain", "x")``) removed."""
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


def page_and_figures(tmp_path: Path, data: dict, names: list[str], file: str, *, inline: bool | Callable[[str], bool],
                     around: tuple[str, str] = ("", ""), indent: str = "") -> tuple[Path, Path]:
    """A page holding the blocks ``names`` and a figures folder holding ``data`` as ``file``: (page, folder) for
    ``update_figures.update([page], figures_dir=folder)``.

    Parameters
    ----------
    inline
        Each block ``old`` on one line (``True``), on lines of its own (``False``), or as a function of the block's name says.
    around
        Text written before and after each block (``("| ", " |")`` puts an inline block in a table cell,
        ``("before\\n", "\\nafter")`` puts a block of lines between two lines of text); each block ends its line.
    indent
        Written before both marker lines of a block on lines of its own.
    """
    folder = tmp_path / "figures"
    folder.mkdir(exist_ok=True)
    (folder / file).write_text(json.dumps(data), encoding="utf-8")
    one_line = inline if callable(inline) else (lambda _name: inline)
    before, after = around
    page = tmp_path / "page.md"
    page.write_text("".join(before + (f"<!-- figures:{n} -->old<!-- /figures:{n} -->" if one_line(n) else
                                      f"{indent}<!-- figures:{n} -->\nold\n{indent}<!-- /figures:{n} -->") + after + "\n"
                            for n in names), encoding="utf-8")  # fmt: skip
    return page, folder


def assert_refused(uf: ModuleType, page: Path, folder: Path, file: str, block: str, message: str, rerun: str) -> None:
    """``uf.update([page], figures_dir=folder)`` (``uf``: scripts/update_figures.py) fails with the line
    that names the page, the ``block``, the figures ``file``, what is wrong (``message``, as printed)
    and the command that writes the file (``rerun``), and leaves the page as it was."""
    before = page.read_text(encoding="utf-8")
    with pytest.raises(uf.FiguresError, match=re.escape(f"{page.name}: block '{block}': {file}: cannot render block '{block}': {message} (re-run {rerun})")):
        uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == before
