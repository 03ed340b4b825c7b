"""``twin --help`` describes each command group by all of its commands.

A new user reading ``twin --help`` saw "traffic: static user-equilibrium assignment on TNTP or
scene networks" (nothing of select-link, OD estimation, skims, dynamic loading, access or
mobility), "soil: one column, or a district through a year" (not the 3-D block) and "energy:
... (ISO 13790 hourly 5R1C)" (not the ISO 52016 model both its commands take with --model).
"""

from __future__ import annotations

import typer

from twin.cli.main import app

#: group -> words its one-line description must hold (one per command or model it offers)
EXPECTED = {
    "traffic": ("assignment", "select-link", "select-zone", "OD estimation", "skims", "dynamic loading", "access", "mobility"),
    "soil": ("column", "year", "3-D block"),
    "energy": ("5R1C", "ISO 52016"),
}


def test_group_help_names_every_command_it_holds() -> None:
    root = typer.main.get_command(app)
    for group, words in EXPECTED.items():
        text = root.commands[group].help or ""
        missing = [w for w in words if w.lower() not in text.lower()]
        assert not missing, f"twin {group}: its help does not name {missing}: {text!r}"
    # the traffic group's commands are the ones named above
    assert set(root.commands["traffic"].commands) == {
        "assign", "select-link", "select-zone", "estimate-od", "skims", "simulate", "access", "mobility"}
    assert set(root.commands["soil"].commands) == {"column", "year", "block"}
