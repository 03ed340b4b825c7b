"""Every option and argument of every command says what it is in ``--help``.

A new user who read ``twin calibrate --help`` met ``--quiet -q <bool>`` with no words, and
``twin sync update --help`` an unexplained ``--gas-kwh-per-m3 <float>`` (no unit, no default);
``twin sync init --seed`` was bare too. Walk the whole command tree and require a help text for
each parameter (``--help`` itself excepted).
"""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from twin.cli.main import app


def _commands(command, path=("twin",)):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


def test_every_parameter_of_every_command_has_help() -> None:
    root = typer.main.get_command(app)
    bare = []
    seen = 0
    for path, command in _commands(root):
        for param in command.params:
            seen += 1
            if "--help" in getattr(param, "opts", ()):
                continue
            if not (getattr(param, "help", None) or "").strip():
                bare.append(f"{' '.join(path)} {'/'.join(param.opts)}")
    assert seen > 200  # the whole tree was walked
    assert not bare, "parameters without a help text: " + "; ".join(bare)


def test_gas_energy_option_names_its_unit_in_calibrate_and_sync_update() -> None:
    for args in (["calibrate", "--help"], ["sync", "update", "--help"]):
        out = CliRunner().invoke(app, args, terminal_width=200, env={"COLUMNS": "200"}).output
        line = next(ln for ln in out.splitlines() if "--gas-kwh-per-m3" in ln)
        assert "kWh/m3" in line, line
