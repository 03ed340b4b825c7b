"""Progress of the long commands, run as a user does (child processes, stderr captured).

For ``twin run`` (a tiny scenario), ``twin ingest`` and ``twin export`` (the Saint-Gilles
district of ``data_samples/``), ``twin energy run`` and ``twin batch`` (the tiny inputs):

* with ``-v`` the command's own clock is in its debug log (``end: <command> (T s)``); every
  command running 2 s or more must show its first progress line within 2 s of its start, then
  at most 10 s between lines and between the last line and the end (the times are the ones
  printed in the lines, measured by the command from its start: no wall-clock assert here);
* with ``-q`` there is no progress line;
* used as a library (``python -c "import twin; ..."``), ingest, export and a scenario run print
  nothing at all.

The ``-v`` and ``-q`` runs of a command run side by side (two child processes), to keep the
file near 60 s.
"""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.cli_harness import REPO, CliResult, run_twin
from tests.output_helpers import child_env, write_tiny_inputs, write_tiny_scenario

SAMPLES = REPO / "data_samples"
DISTRICT = [SAMPLES / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover", "pois")]
EPW = SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"

LINE = re.compile(r"^twin: \[\s*(\d+\.\d) s\] (.+)$")
END = re.compile(r"twin\.progress debug: end: (.+) \((\d+\.\d+) s\)$")

#: The promise: first line within FIRST_LINE_S of the start, then at most GAP_S between lines.
FIRST_LINE_S = 2.0
GAP_S = 10.0


def run_verbose_and_quiet(args: list, out: Path, *, timeout_s: float = 300.0) -> tuple[CliResult, CliResult]:
    """``twin ARGS -o OUT/verbose -v`` and ``twin ARGS -o OUT/quiet -q``, side by side."""
    with ThreadPoolExecutor(2) as pool:
        verbose = pool.submit(run_twin, [*args, "-o", out / "verbose", "-v"], timeout_s=timeout_s)
        quiet = pool.submit(run_twin, [*args, "-o", out / "quiet", "-q"], timeout_s=timeout_s)
        return verbose.result(), quiet.result()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("progress_commands")
    tiny = write_tiny_scenario(folder / "tiny")
    batch_dir = folder / "batch"
    write_tiny_scenario(batch_dir, seed=3)
    ingest = run_verbose_and_quiet(["ingest", *DISTRICT, EPW], folder / "ingest", timeout_s=180)
    return {"folder": folder, "tiny": tiny, "batch": batch_dir, "scene": folder / "ingest" / "verbose", "ingest": ingest,
            "tiny_inputs": write_tiny_inputs(folder / "tiny")}


def progress_lines(stderr: str) -> list[tuple[float, str]]:
    return [(float(m.group(1)), m.group(2)) for m in map(LINE.match, stderr.splitlines()) if m]


def assert_progress(result: CliResult, command: str) -> list[tuple[float, str]]:
    """The progress lines of a ``-v`` run of ``command`` keep the promise; they are returned."""
    assert result.code == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    ends = {m.group(1): float(m.group(2)) for m in map(END.search, result.stderr.splitlines()) if m}
    assert command in ends, f"no end of {command!r} in the debug log:\n{result.stderr[-3000:]}"
    duration = ends[command]
    lines = progress_lines(result.stderr)
    if duration >= FIRST_LINE_S:
        assert lines, f"{command} ran {duration:.1f} s and printed no progress:\n{result.stderr[-3000:]}"
    if not lines:
        return lines
    times = [t for t, _ in lines]
    assert times[0] <= FIRST_LINE_S, f"first progress line at {times[0]} s:\n{result.stderr[-3000:]}"
    gaps = [b - a for a, b in zip([*times], [*times[1:], duration])]
    assert max(gaps) <= GAP_S, f"{max(gaps):.1f} s without a progress line:\n{result.stderr[-3000:]}"
    assert all(text.startswith(command) for _, text in lines)  # the command is the outer step
    return lines


def assert_quiet(result: CliResult) -> None:
    assert result.code == 0, result.stderr[-3000:]
    assert not progress_lines(result.stderr), result.stderr[-3000:]
    assert "twin: [" not in result.stderr


def test_twin_run_shows_its_steps(inputs, tmp_path):
    result, quiet = run_verbose_and_quiet(["run", inputs["tiny"]], tmp_path, timeout_s=240)
    texts = " | ".join(text for _, text in assert_progress(result, "run"))
    for step in ("baseline scene", "engines", "energy on the baseline", "writing the results"):
        assert step in texts, step
    assert "report:" in result.stdout  # the summary still comes (on stdout)
    assert_quiet(quiet)


def test_twin_ingest_shows_the_files_it_reads(inputs):
    result, quiet = inputs["ingest"]
    texts = " | ".join(text for _, text in assert_progress(result, "ingest"))
    assert "input files" in texts and "writing layers" in texts
    assert_quiet(quiet)


def test_twin_export_shows_its_steps_and_takes_the_global_flags(inputs, tmp_path):
    # -v and -q after the command name, though export has no options of that name: they are twin's
    result, quiet = run_verbose_and_quiet(["export", inputs["scene"]], tmp_path, timeout_s=180)
    assert_progress(result, "export")
    assert "wrote" in result.stdout
    assert_quiet(quiet)
    assert "wrote" in quiet.stdout  # the global -q silences the progress, not the result line


def test_twin_energy_run_reports_through_the_same_facility(inputs, tmp_path):
    """``twin energy run`` (its steps: :mod:`twin.solar.progress`) under the command line's reporter;
    ``twin -q energy run`` (twin's -q, not the command's own) is silent too."""
    tiny = inputs["tiny_inputs"]
    args = ["energy", "run", tiny / "district.geojson", "-w", tiny / "weather.epw"]
    with ThreadPoolExecutor(2) as pool:
        verbose = pool.submit(run_twin, [*args, "-o", tmp_path / "verbose", "-v"], timeout_s=240)
        quiet = pool.submit(run_twin, ["-q", *args, "-o", tmp_path / "quiet"], timeout_s=240)
        verbose, quiet = verbose.result(), quiet.result()
    texts = " | ".join(text for _, text in assert_progress(verbose, "energy run"))
    assert "energy run > energy: " in texts
    assert_quiet(quiet)
    assert "results written to" in quiet.stdout  # twin's -q silences the progress, not the command's summary


def test_twin_batch_shows_its_runs(inputs, tmp_path):
    result, quiet = run_verbose_and_quiet(["batch", inputs["batch"], "--workers", "1"], tmp_path, timeout_s=300)
    texts = " | ".join(text for _, text in assert_progress(result, "batch"))
    assert "starting the Dask cluster" in texts
    assert "1 runs: done 1" in result.stdout
    assert_quiet(quiet)


LIBRARY_USE = """
import sys
from pathlib import Path
import twin
from twin.ingest import ingest
from twin.export import write_cityjson, write_scene
from twin.scenario.runner import run_scenario
from twin.scenario.schema import load_scenario

tiny = Path(sys.argv[1])
scene, _ = ingest([tiny.parent / "district.geojson", tiny.parent / "weather.epw"])
write_scene(scene, Path(sys.argv[2]) / "scene")
write_cityjson(scene, Path(sys.argv[2]) / "b.city.json")
comparison = run_scenario(load_scenario(tiny), base_dir=tiny.parent)
assert len(comparison.kpis)
"""


def test_library_use_prints_nothing(inputs, tmp_path):
    proc = subprocess.run([sys.executable, "-c", LIBRARY_USE, str(inputs["tiny"]), str(tmp_path)], capture_output=True, text=True,
                          timeout=240, env=child_env(), cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (proc.stdout, proc.stderr) == ("", "")
    assert (tmp_path / "scene" / "scene.json").exists() and (tmp_path / "b.city.json").exists()


def test_global_flags_are_moved_before_the_command():
    from twin.cli.main import command_label, global_flags_first

    assert global_flags_first(["export", "s", "-o", "b.gpkg", "-q"]) == ["--quiet", "export", "s", "-o", "b.gpkg"]
    assert global_flags_first(["run", "x.yaml", "-q", "-v"]) == ["--quiet", "--verbose", "run", "x.yaml", "-q"]  # run's own -q stays
    assert global_flags_first(["info", "--", "-q"]) == ["info", "--", "-q"]
    assert command_label(["energy", "run", "scene"]) == "energy run"
    assert command_label(["--quiet", "run", "x.yaml"]) == "run"


def test_progress_lines_do_not_count_as_errors_of_the_bad_input_corpus(tmp_path):
    """A command that fails after its first progress line still ends in one error line (the
    progress lines before it are allowed by :func:`tests.cli_harness.assert_one_line_error`)."""
    from tests.cli_harness import assert_one_line_error

    fake = CliResult(["run"], 2, "", "twin: [     1.0 s] run > baseline scene\ntwin: error: something wrong\n")
    assert assert_one_line_error(fake, contains="something") == "twin: error: something wrong"

