"""The console entry point ``twin`` (``twin.cli:entry``): a Ctrl-C while the command line is still
being imported is one line and exit 130, as every other interruption, not a traceback."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import builtins
real = builtins.__import__


def interrupted_import(name, *args, **kwargs):
    if name == "twin.cli.main":  # the Ctrl-C lands while the command line is imported
        raise KeyboardInterrupt
    return real(name, *args, **kwargs)


builtins.__import__ = interrupted_import
from twin.cli import entry

entry(["--help"])
"""


def test_ctrl_c_during_the_import_of_the_command_line_is_one_line_and_130() -> None:
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "twin: interrupted\n"
    assert proc.stdout == ""


def test_the_console_script_is_that_entry_point() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["twin"].partition(":")
    assert (module, name) == ("twin.cli", "entry")
    assert callable(getattr(import_module(module), name))
