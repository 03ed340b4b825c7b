"""The command line's error path and exit codes, with the CLI library the lock installs.

Exit codes (twin/cli/errors.py): 0 ok, 1 partial or not converged, 2 bad input or usage,
70 a bug, 130 interrupted. Usage errors print one ``twin: error:`` line whether typer raises
click's exceptions or those of the copy of click it vendors.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import typer

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from twin.cli.errors import EXIT_BAD_INPUT, EXIT_BUG, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, run_app
from twin.errors import InputError, TwinWarning


# --- the real command line, in a child process -------------------------------------------------
@pytest.mark.parametrize(
    "args, contains",
    [
        (["ingets"], ("No such command", "ingest")),
        (["ingest", "x.geojson"], ("--out",)),
        (["run", "--samples", "abc"], ("--samples",)),
        (["run", "--seed", "1.5"], ("--seed",)),
        (["run", "--no-such-option"], ("--no-such-option",)),
        (["energy", "simulate"], ("SPEC",)),
        (["traffic", "assign", "--net", "a", "--trips", "b", "--gap", "x"], ("--gap",)),
        (["soil", "column", "a.yaml", "--every", "-3"], ("--every",)),
        (["scenario", "nope"], ("nope",)),
    ],
    ids=["unknown-command", "missing-out", "samples-not-int", "seed-not-int", "unknown-option",
         "missing-argument", "gap-not-float", "every-below-min", "unknown-subcommand"],
)
def test_usage_errors_are_one_line_and_exit_2(args, contains):
    assert_one_line_error(run_twin(args, timeout_s=60), contains=contains)


def test_version_prints_the_package_version():
    import twin

    result = run_twin(["--version"], timeout_s=60)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == f"twin {twin.__version__}"


def test_no_arguments_prints_help_and_exits_0():
    result = run_twin([], timeout_s=60)
    assert result.code == 0, result.stderr
    assert "Usage" in result.stdout and "Traceback" not in result.stderr


def test_not_converged_assignment_exits_1():
    folder = shared_path("traffic", "tntp", "SiouxFalls")
    result = run_twin(["traffic", "assign", "--net", folder / "SiouxFalls_net.tntp", "--trips", folder / "SiouxFalls_trips.tntp",
                       "--algorithm", "fw", "--gap", "1e-12", "--max-iter", "3", "-q"], timeout_s=120)
    assert result.code == EXIT_PARTIAL, (result.code, result.stderr)
    assert "NOT converged" in result.stdout
    assert "Traceback" not in result.stderr


# --- run_app on a small app, in process --------------------------------------------------------
def _app(body):
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.command()
    def cmd(value: int = 0) -> None:
        body(value)

    @app.command("other")
    def other() -> None:  # a second command, so the app is a group as twin's is
        pass

    return app


def test_exit_code_of_typer_exit_is_kept(capsys):
    def body(value):
        raise typer.Exit(code=value)

    assert run_app(_app(body), ["cmd", "--value", "1"]) == 1
    assert run_app(_app(body), ["cmd", "--value", "0"]) == 0


def test_twin_error_is_one_line_with_exit_2(capsys):
    def body(value):
        raise InputError("height must be positive\n(got -3)", path="b.geojson", obj="way/1", field="height")

    assert run_app(_app(body), ["cmd"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["twin: error: file b.geojson; object way/1; field 'height': height must be positive (got -3)"]


def test_os_error_names_the_file(capsys, tmp_path):
    def body(value):
        open(tmp_path / "missing" / "x.csv")  # noqa: SIM115

    assert run_app(_app(body), ["cmd"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("twin: error: file ") and "x.csv" in err[0]


def test_a_bug_is_named_a_bug_with_its_traceback_in_a_file(capsys):
    def body(value):
        raise ZeroDivisionError("division by zero")

    assert run_app(_app(body), ["cmd"]) == EXIT_BUG
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "internal error" in err[0] and "ZeroDivisionError" in err[0]
    trace = Path(err[0].rsplit("traceback in ", 1)[1])
    assert "ZeroDivisionError" in trace.read_text()
    trace.unlink()


def test_interrupt_exits_130(capsys):
    def body(value):
        raise KeyboardInterrupt

    assert run_app(_app(body), ["cmd"]) == EXIT_INTERRUPTED
    assert capsys.readouterr().err.strip() == "twin: interrupted"


def test_twin_warnings_print_one_line_and_others_stay_silent(capsys):
    def body(value):
        warnings.warn("3 buildings have no height; 10 m assumed", TwinWarning, stacklevel=1)
        warnings.warn("some library deprecation", DeprecationWarning, stacklevel=1)

    with warnings.catch_warnings():
        assert run_app(_app(body), ["cmd"]) == EXIT_OK
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["twin: warning: 3 buildings have no height; 10 m assumed"]
