"""Bad output paths on the command line: one ``twin: error:`` line, exit 2, before any work.

Each case runs the real command line in a child process (:func:`tests.cli_harness.run_twin`).

Proof that the check comes *before* the work, by content: the ``twin run`` and ``twin energy
run`` cases read inputs that cannot be parsed (``district.geojson`` is not GeoJSON). Had the
command started its work, it would have failed on that file (the control test shows it does
with a good output); it fails on the output option instead (``field '--out'``), and no file
appeared (no run store, nothing claimed or written). The ``twin ingest`` / ``twin export`` cases use
valid inputs: they show the one-line error that names the output (:func:`twin.export.write_scene`
and :func:`twin.export.write_cityjson` check before converting anything; the reading or
ingesting that the command does before calling them is in ``twin/cli/scene_commands.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs, write_tiny_scenario
from tests.scenario_helpers import SAMPLES

LONG = "x" * 256  # one byte over the usual file-name limit


@dataclass
class Case:
    """One bad output: ``make(tmp)`` prepares the files and returns (argv, cwd or None)."""

    id: str
    make: Callable[[Path], tuple[list, Path | None]]
    contains: tuple[str, ...]


def _garbage_scenario(tmp: Path) -> Path:
    """A valid scenario file whose footprints cannot be parsed: running it would fail on them."""
    scen = write_tiny_scenario(tmp / "scenario")
    (tmp / "scenario" / "district.geojson").write_text("this is not GeoJSON {", encoding="utf-8")
    return scen


def _garbage_scene(tmp: Path) -> Path:
    inputs = write_tiny_inputs(tmp / "in")
    (inputs / "district.geojson").write_text("this is not GeoJSON {", encoding="utf-8")
    return inputs / "district.geojson"


def _file(path: Path, text: str = "a file") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _folder_of_other_things(path: Path) -> Path:
    _file(path / "thesis.tex", "years of work")
    return path


def _run(out_of: Callable[[Path, Path], Path]):
    def make(tmp: Path):
        scen = _garbage_scenario(tmp)
        return ["run", scen, "-o", out_of(tmp, scen), "-q"], None
    return make


def _energy(out_of: Callable[[Path, Path], Path], *extra: str):
    def make(tmp: Path):
        scene = _garbage_scene(tmp)
        return ["energy", "run", scene, "-w", tmp / "in" / "weather.epw", "-o", out_of(tmp, scene), *extra, "-q"], None
    return make


def _scene_folder(tmp: Path) -> Path:
    """A small valid scene folder (written by twin) to export."""
    from twin.export import write_scene
    from twin.ingest import ingest

    inputs = write_tiny_inputs(tmp / "in")
    scene, _ = ingest([inputs / "district.geojson"], progress=False)
    write_scene(scene, tmp / "scene")
    return tmp / "scene"


def _export(out_of: Callable[[Path, Path], Path]):
    def make(tmp: Path):
        scene = _scene_folder(tmp)
        return ["export", scene, "-o", out_of(tmp, scene)], None
    return make


def _ingest(out_of: Callable[[Path], Path]):
    def make(tmp: Path):
        inputs = write_tiny_inputs(tmp / "in")
        return ["ingest", inputs / "district.geojson", "-o", out_of(tmp), "-q"], None
    return make


def _run_from_cwd(tmp: Path):
    """``twin run ... -o .`` from inside an earlier results folder."""
    scen = _garbage_scenario(tmp)
    cwd = _file(tmp / "results" / "report.html", "<html>").parent
    return ["run", scen, "-o", ".", "-q"], cwd


def _store_is_a_folder(tmp: Path, scen: Path) -> Path:
    (tmp / "results.runs.sqlite").mkdir()
    return tmp / "results"


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


CASES = [
    # twin run
    Case("run-parent-is-a-file", _run(lambda t, s: _file(t / "notes.txt") / "results"), ("notes.txt", "is a file")),
    Case("run-output-is-a-file", _run(lambda t, s: _file(t / "results")), ("existing file, not a folder",)),
    Case("run-name-over-255-bytes", _run(lambda t, s: t / LONG), ("255 bytes",)),
    Case("run-proc", _run(lambda t, s: Path("/proc/twin_results")), ("/proc", "cannot write")),
    Case("run-proc-self", _run(lambda t, s: Path("/proc/self/twin_results")), ("/proc/self", "not writable")),
    Case("run-sys", _run(lambda t, s: Path("/sys/twin_results")), ("/sys", "cannot write")),
    Case("run-dev-null", _run(lambda t, s: Path("/dev/null")), ("/dev/null", "not a folder")),
    Case("run-under-dev-null", _run(lambda t, s: Path("/dev/null/results")), ("/dev/null is a file",)),
    Case("run-output-holds-the-scenario", _run(lambda t, s: s.parent), ("holds an input",)),
    Case("run-output-is-the-scenario", _run(lambda t, s: s), ("also an input",)),
    Case("run-output-inside-the-scenario-file", _run(lambda t, s: s / "results"), ("inside an input",)),
    Case("run-folder-of-other-things", _run(lambda t, s: _folder_of_other_things(t / "mine")), ("not an earlier result",)),
    Case("run-current-folder", _run_from_cwd, ("current folder",)),
    Case("run-store-path-is-a-folder", _run(_store_is_a_folder), ("results.runs.sqlite", "existing folder, not a file")),
    Case("run-empty-output-name", lambda t: (_run(lambda t, s: "")(t)[0], _file(t / "cwd" / "keep.txt").parent), ("current folder",)),
    # twin energy run
    Case("energy-parent-is-a-file", _energy(lambda t, s: _file(t / "notes.txt") / "out"), ("notes.txt", "is a file")),
    Case("energy-output-is-a-file", _energy(lambda t, s: _file(t / "out")), ("existing file, not a folder",)),
    Case("energy-name-over-255-bytes", _energy(lambda t, s: t / LONG), ("255 bytes",)),
    Case("energy-proc", _energy(lambda t, s: Path("/proc/twin_energy")), ("/proc", "cannot write")),
    Case("energy-output-holds-the-scene", _energy(lambda t, s: s.parent), ("holds an input",)),
    Case("energy-output-is-the-scene", _energy(lambda t, s: s), ("also an input",)),
    Case("energy-output-inside-the-weather-file", _energy(lambda t, s: s.parent / "weather.epw" / "out"), ("inside an input",)),
    Case("energy-folder-of-other-things", _energy(lambda t, s: _folder_of_other_things(t / "mine")), ("not an earlier result",)),
    Case("energy-unknown-format", _energy(lambda t, s: t / "out", "--format", "xlsx"), ("xlsx", "--format")),
    # twin export
    Case("export-folder-of-other-things", _export(lambda t, s: _folder_of_other_things(t / "mine")), ("not an earlier result",)),
    Case("export-cityjson-is-a-folder", _export(lambda t, s: _folder_of_other_things(t / "b.city.json")), ("existing folder, not a file",)),
    Case("export-cityjson-is-a-fifo", _export(lambda t, s: _fifo(t / "b.city.json")), ("not a regular file",)),
    Case("export-cityjson-name-over-255-bytes", _export(lambda t, s: t / (LONG + ".city.json")), ("255 bytes",)),
    Case("export-gpkg-under-a-file", _export(lambda t, s: _file(t / "notes.txt") / "s.gpkg"), ("notes.txt", "is a file")),
    Case("export-proc", _export(lambda t, s: Path("/proc/twin_scene")), ("/proc", "cannot write")),
    Case("export-over-the-scene-itself", _export(lambda t, s: s / "scene.json" / "x.city.json"), ("scene.json is a file",)),
    # twin ingest
    Case("ingest-parent-is-a-file", _ingest(lambda t: _file(t / "notes.txt") / "scene"), ("notes.txt", "is a file")),
    Case("ingest-gpkg-is-a-folder", _ingest(lambda t: _folder_of_other_things(t / "s.gpkg")), ("existing folder, not a file",)),
    Case("ingest-folder-of-other-things", _ingest(lambda t: _folder_of_other_things(t / "mine")), ("not an earlier result",)),
    Case("ingest-name-over-255-bytes", _ingest(lambda t: t / LONG), ("255 bytes",)),
    Case("ingest-proc", _ingest(lambda t: Path("/proc/twin_scene")), ("/proc", "cannot write")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_output_path_is_one_line_error(case, tmp_path):
    argv, cwd = case.make(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = run_twin(argv, cwd=cwd, timeout_s=120)
    line = assert_one_line_error(result, contains=case.contains)
    if argv[0] in ("run", "energy"):
        # checked before the work: the error is about the option, not the unparseable
        # footprints (which the work would have read first, see the control test below) ...
        assert "field '--out'" in line or "field '--format'" in line, line
        # ... and nothing was claimed or written
        after = sorted(p.name for p in tmp_path.rglob("*"))
        assert after == before, set(after) ^ set(before)
    assert not [p for p in tmp_path.rglob(".*twin-*")], "temporary output left behind"


def test_the_unparseable_input_would_have_failed_the_work(tmp_path):
    """The control of the proof above: with a good output path, the same command fails on the
    footprints (so a case that passed above did stop before reading them)."""
    scen = _garbage_scenario(tmp_path)
    result = run_twin(["run", scen, "-o", tmp_path / "results", "-q"], timeout_s=120)
    assert result.code != 0 and "district.geojson" in result.stderr
    scene = _garbage_scene(tmp_path / "e")
    result = run_twin(["energy", "run", scene, "-w", tmp_path / "e" / "in" / "weather.epw", "-o", tmp_path / "e" / "out", "-q"], timeout_s=120)
    assert result.code != 0 and "district.geojson" in result.stderr


def test_corpus_size():
    assert len(CASES) >= 20
    assert SAMPLES.exists()
