"""Every command names its arguments the one way: upper case, as its help and its errors do.

``twin sync init --help`` showed ``{scene}`` (typer's name of the parameter) where ``twin sync
update`` showed ``{STATE}``, and a missing scene was reported as ``Missing argument 'scene'``.
"""

from __future__ import annotations

import typer

from tests.cli_harness import assert_one_line_error, run_twin
from twin.cli.main import app


def _commands(group: typer.core.TyperGroup, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], typer.core.TyperCommand]]:
    found = []
    for name, command in group.commands.items():
        if getattr(command, "commands", None) is not None:
            found += _commands(command, (*prefix, name))
        else:
            found.append(((*prefix, name), command))
    return found


def test_every_argument_is_shown_in_upper_case() -> None:
    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 20
    lower = [(" ".join(path), param.name, param.metavar) for path, command in commands for param in command.params
             if param.param_type_name == "argument" and not (param.metavar and param.metavar.isupper())]
    assert lower == []


def test_a_missing_argument_is_named_as_the_usage_shows_it() -> None:
    result = run_twin(["sync", "init", "--weather", "w.epw", "--start", "2023-01-01T00:00+01:00"])
    line = assert_one_line_error(result)
    assert "Missing argument 'SCENE'" in line  # case matters here: assert_one_line_error ignores it
    usage = run_twin(["sync", "init", "--help"], env={"COLUMNS": "200"})
    assert "twin sync init [OPTIONS] {SCENE}" in usage.stdout
