"""``twin --help`` imports no heavy library (issue 19: help must stay fast).

The CLI modules import only typer at top level; the engines (numpy, pandas, geopandas, numba...)
are imported inside the command functions. Each check runs in a fresh interpreter and reads its
``sys.modules``: once on the path users run (``python -m twin.cli.main --help``, the same
``main()`` as the ``twin`` console script) and once for the help of every command and
sub-command, in one process (what any help page imports stays imported, so one process sees the
union). No wall-clock assert here: ``benchmarks/bench_cli_help.py`` times ``twin --help``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.cli_harness import REPO

#: Libraries ``twin --help`` must not import (issue 19 acceptance, plus the other engine libraries).
HEAVY = (
    "numpy", "pandas", "geopandas", "numba", "matplotlib", "pyvista", "shapely", "pyproj",
    "scipy", "xarray", "pyarrow", "pyogrio", "osmium", "ifcopenshell",
)

#: Reports the heavy modules in ``sys.modules`` at interpreter exit (after ``main()`` exits).
_MAIN_HELP = """
import atexit, json, runpy, sys
heavy = {heavy!r}
atexit.register(lambda: sys.stderr.write("HEAVY=" + json.dumps(sorted(
    h for h in heavy if h in sys.modules)) + "\\n"))
sys.argv = ["twin", "--help"]
runpy.run_module("twin.cli.main", run_name="__main__")
"""

#: Runs ``--help`` of every command and sub-command, then reports the heavy modules loaded.
_ALL_HELP = """
import contextlib, io, json, sys
import typer
from twin.cli.errors import run_app
from twin.cli.main import app
heavy = {heavy!r}
paths = []
def walk(command, prefix):
    paths.append(prefix)
    for name, sub in sorted(getattr(command, "commands", {{}}).items()):
        walk(sub, prefix + [name])
walk(typer.main.get_command(app), [])
codes = {{}}
for path in paths:
    with contextlib.redirect_stdout(io.StringIO()):
        codes[" ".join(path)] = run_app(app, path + ["--help"])
print(json.dumps({{"codes": codes, "heavy": sorted(h for h in heavy if h in sys.modules)}}))
"""


def _python(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TWIN_TRACEBACK", "TWIN_WARNINGS")}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120, stdin=subprocess.DEVNULL,
    )


def test_twin_help_imports_no_heavy_library():
    proc = _python(_MAIN_HELP.format(heavy=HEAVY))
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout and "energy" in proc.stdout  # the real help page was printed
    lines = [line for line in proc.stderr.splitlines() if line.startswith("HEAVY=")]
    assert len(lines) == 1, proc.stderr
    assert json.loads(lines[0][len("HEAVY="):]) == []


def test_every_command_help_imports_no_heavy_library():
    proc = _python(_ALL_HELP.format(heavy=HEAVY))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # every command was reached and printed its help (exit 0), sub-commands included
    assert {"", "energy run", "traffic assign", "soil column", "solar cadastre", "run"} <= set(result["codes"])
    assert all(code == 0 for code in result["codes"].values()), result["codes"]
    assert result["heavy"] == []
