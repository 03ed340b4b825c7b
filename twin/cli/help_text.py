"""Help text of the commands as a terminal shows it.

The commands' help comes from their docstrings, wrapped at about 100 columns for the source.
Typer's rich help (0.2x) keeps every line break of a docstring paragraph, so a terminal 80
columns wide showed ragged paragraphs (``twin --help``: "...where each building attribute
comes from" broken in mid-sentence, then wrapped again). :func:`reflow_commands` gives every
command of an app help text whose paragraphs are one line each (the terminal wraps them),
whose paragraphs stay apart, and whose reStructuredText literals (````x````) are shown as
```x```. A paragraph starting with ``\\b`` (click's "keep as written" mark) is left as it is.
"""

from __future__ import annotations

import inspect

import typer

#: Click's mark for a paragraph whose line breaks are kept.
KEEP_MARK = "\b"


def reflow(text: str) -> str:
    """``text`` (a docstring) with each paragraph on one line and ````x```` shown as ```x```.

    Parameters
    ----------
    text : str
        Help text or docstring; indentation is removed as :func:`inspect.cleandoc` does.

    Returns
    -------
    str
        Paragraphs separated by one empty line, each joined into one line with single spaces
        (a paragraph starting with ``\\b`` keeps its lines).
    """
    paragraphs = [p for p in inspect.cleandoc(text).split("\n\n") if p.strip()]
    kept = (p if p.startswith(KEEP_MARK) else " ".join(line.strip() for line in p.splitlines()) for p in paragraphs)
    return "\n\n".join(kept).replace("``", "`")


def reflow_commands(app: typer.Typer) -> None:
    """Give every command of ``app`` and of its sub-apps (``add_typer``) the :func:`reflow` of
    its help (the ``help=`` given to the command, else its docstring). Changes ``app`` in place."""
    for info in app.registered_commands:
        text = info.help if isinstance(info.help, str) else inspect.getdoc(info.callback)
        if text:
            info.help = reflow(text)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            reflow_commands(group.typer_instance)


__all__ = ["KEEP_MARK", "reflow", "reflow_commands"]
