"""Help text of the commands: one line per paragraph, so the terminal wraps it (twin.cli.help_text)."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from twin.cli.help_text import reflow
from twin.cli.main import app


def _commands(command, path=("twin",)):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


def test_reflow_joins_lines_keeps_paragraphs_and_marked_blocks():
    text = """First line
    goes on here.

    Second ``paragraph``
    ends.

    \b
    kept
      as written"""
    assert reflow(text) == "First line goes on here.\n\nSecond `paragraph` ends.\n\n\b\nkept\n  as written"


def test_every_command_help_has_one_line_per_paragraph():
    root = typer.main.get_command(app)
    seen = 0
    for path, command in _commands(root):
        for paragraph in (command.help or "").split("\n\n"):
            assert "\n" not in paragraph, f"{' '.join(path)}: a paragraph of its help keeps a line break: {paragraph!r}"
            assert "``" not in paragraph, f"{' '.join(path)}: reStructuredText literal left in its help"
        seen += 1
    assert seen > 25  # every command of every group was walked


def test_help_in_an_80_column_terminal_breaks_no_sentence_early():
    # before: the panel's line "attribute comes from" stopped 45 columns short of its edge, and
    # "(share of floor area ..." began the next line
    out = CliRunner().invoke(app, ["--help"], terminal_width=80, env={"COLUMNS": "80"}).output
    assert any("attribute comes from (share" in line for line in out.splitlines()), out
