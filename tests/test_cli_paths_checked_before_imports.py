"""A missing input file is refused before the command imports its heavy modules.

``twin run nope.yaml``, ``twin scenario validate nope.yaml``, ``twin energy run nope``, ``twin
energy simulate nope.yaml``, ``twin calibrate ... --meters nope.csv``, ``twin sync update ...
--readings nope.csv``, ``twin soil year nope.yaml``, ``twin store list|release nope.sqlite``,
``twin info|export nope`` and ``twin traffic simulate nope`` imported pandas (and the scenario
schema or the energy stock: 0.5-1.5 s in all), ``twin soil column|block nope.yaml`` NumPy (about
0.3 s), ``twin batch nope/``, ``twin sync init nope`` and ``twin solar cadastre nope`` pandas
and Dask, SciPy or the solar engine (1.5-1.7 s), before they looked at the path, so the one-line
error waited for them, behind a progress line on a loaded machine. Each case runs the real command line in a child process with
``PYTHONPROFILEIMPORTTIME`` (``python -X importtime``) and reads which modules it imported before
it stopped: no time is measured (nor whether a progress line, drawn after 1 s, came first: that
depends on the machine's load).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import CliResult, assert_one_line_error, run_twin

#: Modules a path check must not wait for (each costs a few tenths of a second or more; pydantic is
#: not one of them: Typer imports it to run any command).
HEAVY = ("numpy", "pandas", "twin.scenario.schema", "twin.energy.stock", "twin.calibration.meters")


def _imported_and_result(args: list) -> tuple[set[str], CliResult]:
    """The modules ``twin ARGS`` imported, and its result with the import-time lines taken out of stderr."""
    result = run_twin(args, env={"PYTHONPROFILEIMPORTTIME": "1"}, timeout_s=120)
    imported, other = set(), []
    for line in result.stderr.splitlines():
        if line.startswith("import time:"):
            imported.add(line.rsplit("|", 1)[-1].strip())
        else:
            other.append(line)
    return imported, CliResult(result.args, result.code, result.stdout, "\n".join(other))


def _cases(tmp: Path) -> dict[str, tuple[list, tuple[str, ...]]]:
    (tmp / "state.npz").write_bytes(b"")
    (tmp / "weather.epw").write_text("")
    (tmp / "apps").mkdir()
    (tmp / "apps" / "a.yaml").write_text("")
    return {
        "run": (["run", tmp / "nope.yaml", "-o", tmp / "out"], ("nope.yaml", "scenario file not found")),
        "scenario validate": (["scenario", "validate", tmp / "nope.yaml"], ("nope.yaml", "scenario file not found")),
        "energy run": (["energy", "run", tmp / "nope", "-o", tmp / "out"], ("nope", "'SCENE'", "file not found")),
        "calibrate": (["calibrate", tmp, "--meters", tmp / "nope.csv", "-o", tmp / "out"], ("nope.csv", "'--meters'", "meter file not found")),
        "sync update": (["sync", "update", tmp / "state.npz", "--readings", tmp / "nope.csv", "-w", tmp / "weather.epw"],
                        ("nope.csv", "'--readings'", "meter file not found")),
        "soil year": (["soil", "year", tmp / "nope.yaml"], ("nope.yaml", "soil year spec not found")),
        "energy simulate": (["energy", "simulate", tmp / "nope.yaml", "-w", tmp / "weather.epw"], ("nope.yaml", "spec not found")),
        "store list": (["store", "list", tmp / "nope.sqlite"], ("nope.sqlite", "no such file: not a run store")),
        "store release": (["store", "release", tmp / "nope.sqlite", "r1"], ("nope.sqlite", "no such file: not a run store")),
        "info": (["info", tmp / "nope"], ("nope", "scene not found")),
        "export": (["export", tmp / "nope", "-o", tmp / "out.gpkg"], ("nope", "scene not found")),
        "soil column": (["soil", "column", tmp / "nope.yaml"], ("nope.yaml", "column spec not found")),
        "soil block": (["soil", "block", tmp / "nope.yaml"], ("nope.yaml", "block spec not found")),
        "batch": (["batch", tmp / "nope", "-o", tmp / "out"], ("nope", "no scenario files found")),
        "sync init": (["sync", "init", tmp / "nope", "-w", tmp / "weather.epw", "--start", "2023-01-01T00:00+01:00", "-o", tmp / "s.npz"],
                      ("nope", "'SCENE'", "file not found")),
        "solar cadastre": (["solar", "cadastre", tmp / "nope", "-o", tmp / "out"], ("nope", "'SCENE'", "file not found")),
        "solar cadastre -w": (["solar", "cadastre", tmp / "nope", "-w", tmp / "nope.epw", "-o", tmp / "out"],
                              ("nope.epw", "'--weather'", "not found")),
        "batch -o": (["batch", tmp / "apps", "-o", tmp / "state.npz"], ("state.npz", "'--out'", "not a folder")),
        **_traffic_cases(tmp),
    }


def _traffic_cases(tmp: Path) -> dict[str, tuple[list, tuple[str, ...]]]:
    """``twin traffic`` commands that check their inputs before the traffic engine is imported
    (``assign``, ``skims``, ``select-link`` and ``select-zone`` by :func:`twin.cli.traffic.check_input_paths`)."""
    net = tmp / "net.tntp"
    net.write_text("")  # exists: the check passes it, the next path is the missing one
    missing_net = ["--net", tmp / "nope_net.tntp", "--trips", tmp / "nope_trips.tntp"]
    scene = ["--scene", tmp / "nope", "--demand", tmp / "od.csv"]
    return {
        "traffic simulate": (["traffic", "simulate", tmp / "nope", "--demand", tmp / "od.csv"], ("nope", "'SOURCE'", "input not found")),
        "traffic assign": (["traffic", "assign", *missing_net], ("nope_net.tntp", "network file not found")),
        "traffic assign --trips": (["traffic", "assign", "--net", net, "--trips", tmp / "nope_trips.tntp"], ("nope_trips.tntp", "trips file not found")),
        "traffic assign --scene": (["traffic", "assign", *scene], ("nope", "'--scene'", "input not found")),
        "traffic access": (["traffic", "access", tmp / "nope"], ("nope", "'FILES'", "input not found")),
        "traffic skims": (["traffic", "skims", "--net", tmp / "nope_net.tntp", "-o", tmp / "out"], ("nope_net.tntp", "network file not found")),
        "traffic select-link": (["traffic", "select-link", "--link", "1", *missing_net], ("nope_net.tntp", "network file not found")),
        "traffic select-link --scene": (["traffic", "select-link", "--link", "1", *scene], ("nope", "'--scene'", "input not found")),
        "traffic select-zone": (["traffic", "select-zone", "--zones", "1", *missing_net], ("nope_net.tntp", "network file not found")),
        "traffic select-zone --scene": (["traffic", "select-zone", "--zones", "1", *scene], ("nope", "'--scene'", "input not found")),
    }


@pytest.mark.parametrize("command", ["run", "scenario validate", "energy run", "calibrate", "sync update", "soil year", "store list",
                                     "store release", "energy simulate", "info", "export",
                                     "soil column", "soil block", "batch", "batch -o", "sync init", "solar cadastre", "solar cadastre -w",
                                     "traffic simulate", "traffic assign", "traffic assign --trips", "traffic assign --scene", "traffic access",
                                     "traffic skims", "traffic select-link", "traffic select-link --scene", "traffic select-zone",
                                     "traffic select-zone --scene"])
def test_a_missing_file_is_refused_before_the_heavy_imports(tmp_path, command):
    args, contains = _cases(tmp_path)[command]
    imported, result = _imported_and_result(args)
    assert_one_line_error(result, contains=contains)
    assert not imported & set(HEAVY), f"twin {command} imported {sorted(imported & set(HEAVY))} before refusing the path"
    assert not (tmp_path / "out").exists()


def _choice_cases(tmp: Path) -> dict[str, tuple[list, tuple[str, ...]]]:
    """An option checked by :func:`twin.cli.choices.choice` against an engine's names, whose names
    come from :mod:`twin.option_names`, not the engine: a valid non-default value beside a missing
    input where the command checks its paths first, else an unknown value (refused as the command
    line is parsed; ``traffic assign`` and ``estimate-od`` import the engine before their path checks;
    the shapes and methods of ``solar cadastre`` are checked before its paths). The modes, periods and service categories of ``traffic access`` and
    ``mobility`` stay in their engines (speeds, windows and layer columns, not just names)."""
    missing_net = ["--net", tmp / "nope_net.tntp", "--trips", tmp / "nope_trips.tntp"]
    return {
        "energy run --format": (["energy", "run", tmp / "nope", "--format", "csv", "-o", tmp / "out"], ("nope", "'SCENE'", "file not found")),
        "energy run --dhw": (["energy", "run", tmp / "nope", "--dhw", "by_use", "-o", tmp / "out"], ("nope", "'SCENE'", "file not found")),
        "energy run --model": (["energy", "run", tmp / "nope", "--model", "iso52016", "-o", tmp / "out"], ("nope", "'SCENE'", "file not found")),
        "energy run --control-temperature": (["energy", "run", tmp / "nope", "--model", "iso52016", "--control-temperature", "air",
                                              "-o", tmp / "out"], ("nope", "'SCENE'", "file not found")),
        "energy run --exterior-convection": (["energy", "run", tmp / "nope", "--model", "iso52016", "--exterior-convection", "doe2",
                                              "--terrain", "suburbs", "--roughness", "rough", "-o", tmp / "out"],
                                             ("nope", "'SCENE'", "file not found")),
        "energy run --terrain": (["energy", "run", tmp / "nope", "--terrain", "subrbs", "-o", tmp / "out"],
                                 ("'--terrain'", "unknown terrain 'subrbs'", "did you mean 'suburbs'")),
        "energy run --roughness": (["energy", "run", tmp / "nope", "--roughness", "rugh", "-o", tmp / "out"],
                                   ("'--roughness'", "unknown roughness 'rugh'", "did you mean 'rough'")),
        "traffic simulate --routes": (["traffic", "simulate", tmp / "nope", "--demand", tmp / "od.csv", "--routes", "free_flow"],
                                      ("nope", "'SOURCE'", "input not found")),
        "traffic assign --algorithm": (["traffic", "assign", *missing_net, "--algorithm", "fww"], ("'--algorithm'", "unknown algorithm 'fww'")),
        "traffic estimate-od --method": (["traffic", "estimate-od", *missing_net, "--counts", tmp / "nope.csv", "--method", "glss"],
                                         ("'--method'", "unknown method 'glss'", "did you mean 'gls'")),
        "traffic simulate --signal-split": (["traffic", "simulate", tmp / "nope", "--demand", tmp / "od.csv", "--signal-split", "eqal"],
                                            ("'--signal-split'", "unknown green split 'eqal'")),
        "solar cadastre --method": (["solar", "cadastre", tmp / "nope", "--method", "horizn", "-o", tmp / "out"],
                                    ("'--method'", "unknown method 'horizn'", "did you mean 'horizon'")),
        "solar cadastre --roof-default": (["solar", "cadastre", tmp / "nope", "--roof-default", "gabeld", "-o", tmp / "out"],
                                          ("'--roof-default'", "unknown roof shape 'gabeld'", "did you mean 'gabled'")),
    }


@pytest.mark.parametrize("command", ["energy run --format", "energy run --dhw", "energy run --model", "energy run --control-temperature",
                                     "energy run --exterior-convection", "energy run --terrain", "energy run --roughness", "traffic simulate --routes",
                                     "traffic assign --algorithm", "traffic estimate-od --method", "traffic simulate --signal-split",
                                     "solar cadastre --method", "solar cadastre --roof-default"])
def test_a_named_choice_is_checked_without_importing_the_engine(tmp_path, command):
    args, contains = _choice_cases(tmp_path)[command]
    imported, result = _imported_and_result(args)
    assert_one_line_error(result, contains=contains)
    assert not imported & {"numpy", "pandas"}, f"twin {command} imported {sorted(imported & {'numpy', 'pandas'})} before its error"
    assert not (tmp_path / "out").exists()
