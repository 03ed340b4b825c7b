"""``kill -9`` of ``twin run``, ``twin ingest`` and ``twin export`` writing into an existing result.

Twenty kills in all (8 ``twin run``, 6 ``twin ingest``, 6 ``twin export``: 3 to a GeoParquet
folder, 3 to a CityJSON file), at times drawn from a seeded generator: half uniformly over the
measured duration of an uninterrupted run of the same command (start-up, reading, computing,
writing), half in the write phase (a random delay after the staged folder appears, spread over
the measured write phase), since a uniform draw rarely lands in a phase that short.

Each run writes the *other* of two results (seed 1 / seed 2; a small / a large scene) into a
folder that holds one complete result. After each kill the output must be the old complete
result or the new complete result, told apart and checked by content:

* ``twin run``: every file matches the manifest of ``run_record.json`` (size and SHA-256; no
  file missing, none extra), the record's seed says which result it is, the report names the
  record's run id, the store copy records that run done; the stable store has no run left
  ``running`` once reopened (the killed run is ``failed``, "interrupted").
* scene folders: every file matches the manifest in ``scene.json``; the building count says
  which scene it is.
* CityJSON: the file parses and holds all buildings of one of the two scenes.

The output is never missing. After the kills, one uninterrupted run of each command leaves no
temporary folder or file behind. The counts of old and new results are printed (``pytest -s``).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from tests.output_helpers import child_env, run_cli, twin_cmd, write_tiny_inputs, write_tiny_scenario
from tests.scenario_helpers import SAMPLES

pytestmark = pytest.mark.slow

SEED = 20260601
KILLS = {"run": 8, "ingest": 6, "export-folder": 3, "export-cityjson": 3}


@dataclass
class Tally:
    """What the kills left: result kind -> count, and where the kill landed."""

    results: dict[str, int] = field(default_factory=lambda: {"old": 0, "new": 0})
    phases: dict[str, int] = field(default_factory=dict)
    tries: int = 0

    def add(self, result: str, phase: str) -> None:
        self.results[result] += 1
        self.phases[phase] = self.phases.get(phase, 0) + 1


def _staging(target: Path, pid: int) -> bool:
    """Whether process ``pid`` has made its temporary folder or file for ``target`` (it writes)."""
    prefix = f".{target.name}.twin-tmp-{pid}-"
    return any(n.startswith(prefix) for n in os.listdir(target.parent))


def _measure(cmd: list[str], target: Path) -> tuple[float, float]:
    """Duration of an uninterrupted run, s, and when its staged output appeared, s from the start."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    t_stage = None
    while proc.poll() is None:
        if t_stage is None and _staging(target, proc.pid):
            t_stage = time.monotonic() - t0
        time.sleep(0.002)
    total = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr.read().decode()
    return total, (t_stage if t_stage is not None else 0.9 * total)


def _kill_run(cmd: list[str], target: Path, rng: np.random.Generator, total_s: float, stage_s: float, in_write: bool) -> str | None:
    """Start ``cmd``, SIGKILL it at a drawn time; where the kill landed (None: it ended first)."""
    proc = subprocess.Popen(cmd, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    t0 = time.monotonic()
    staged_at = None
    if in_write:
        deadline = t0 + 10 * total_s + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if _staging(target, proc.pid):
                staged_at = time.monotonic()
                break
            time.sleep(0.001)
        kill_at = (staged_at or time.monotonic()) + rng.uniform(0.0, max(total_s - stage_s, 0.02))
    else:
        kill_at = t0 + rng.uniform(0.0, total_s)
    while proc.poll() is None and time.monotonic() < kill_at:
        if staged_at is None and _staging(target, proc.pid):
            staged_at = time.monotonic()
        time.sleep(0.001)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()  # reaped: no zombie holds its process id
    if finished:
        return None
    return "write phase" if staged_at is not None else "before writing"


def _kills(n: int, one_kill) -> Tally:
    """``n`` kills (a draw after which the run had already ended is drawn again; at most 4n tries)."""
    tally = Tally()
    tries = 0
    while sum(tally.results.values()) < n:
        tries += 1
        assert tries <= 4 * n, f"only {sum(tally.results.values())} of {n} kills hit a running process"
        outcome = one_kill(sum(tally.results.values()) % 2 == 1)
        if outcome is not None:
            tally.add(*outcome)
    tally.tries = tries
    return tally


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".twin-" in p.name)


# ---------------------------------------------------------------------------------------------
# twin run


def _run_stamp(out: Path, store_path: Path) -> int:
    """The seed of the complete result in ``out`` (fails on a missing, partial or mixed folder)."""
    from twin.scenario.store import RunStore
    from twin.workflows.scenario_run import verify_result

    assert out.is_dir(), "the results folder is missing"
    problems = verify_result(out)
    assert problems == [], problems
    record = json.loads((out / "run_record.json").read_text())
    assert record["run_id"] in (out / "report.html").read_text()
    con = sqlite3.connect(out / "runs.sqlite")
    assert con.execute("SELECT status FROM runs WHERE run_id = ?", (record["run_id"],)).fetchone() == ("done",)
    con.close()
    scene_meta = json.loads((out / "baseline_scene" / "scene.json").read_text())
    from twin.io.run_record import verify_manifest

    assert verify_manifest(out / "baseline_scene", scene_meta["files"], exclude=("scene.json",)) == []
    runs = RunStore(store_path).runs()  # reopening marks the killed run failed
    assert "running" not in set(runs["status"]), runs[["status", "error"]]
    return int(record["seed"])


def test_kill_twin_run(tmp_path):
    from twin.scenario.store import RunStore
    from twin.workflows.scenario_run import store_path_for

    rng = np.random.default_rng(SEED)
    scen = write_tiny_scenario(tmp_path / "scenario", seed=1)
    out = tmp_path / "results"
    store_path = store_path_for(out)
    proc = run_cli("run", scen, "-o", out, "-q", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    total_s, stage_s = _measure(twin_cmd("run", scen, "-o", tmp_path / "measure", "-q", "--seed", "2"), tmp_path / "measure")
    interrupted = []

    def attempts(seed):
        runs = RunStore(store_path).runs().set_index("seed")
        return int(runs.loc[seed, "attempts"]) if seed in runs.index else 0

    def one_kill(in_write):
        old = _run_stamp(out, store_path)
        new = 2 if old == 1 else 1
        tried_before = attempts(new)
        phase = _kill_run(twin_cmd("run", scen, "-o", out, "-q", "--seed", str(new)), out, rng, total_s, stage_s, in_write)
        now = _run_stamp(out, store_path)  # reopens the store: marks the killed run
        assert now in (old, new)
        if phase is None:
            return None
        if attempts(new) > tried_before:  # the killed process had claimed its run
            killed = RunStore(store_path).runs().set_index("seed").loc[new]
            marked = killed["status"] == "failed" and str(killed["error"]).startswith("interrupted")
            assert marked or (now == new and killed["status"] == "done"), killed.to_dict()
            interrupted.append(marked)
        return ("old" if now == old else "new"), phase

    tally = _kills(KILLS["run"], one_kill)
    proc = run_cli("run", scen, "-o", out, "-q", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    _run_stamp(out, store_path)
    assert _leftovers(tmp_path) == [], "temporary folders survived the next run"
    print(f"\nkill -9 twin run ({KILLS['run']}; run {total_s:.1f} s, staged at {stage_s:.1f} s): "
          f"old {tally.results['old']}, new {tally.results['new']}; {tally.phases}; {tally.tries} draws; "
          f"killed after claiming their run: {len(interrupted)}, marked failed (interrupted) in the store: {sum(interrupted)}")


# ---------------------------------------------------------------------------------------------
# twin ingest and twin export


def _scene_stamp(folder: Path) -> int:
    """Building count of the complete scene folder ``folder`` (fails on missing, partial, mixed)."""
    from twin.io.run_record import verify_manifest

    assert folder.is_dir(), "the scene folder is missing"
    meta = json.loads((folder / "scene.json").read_text())
    problems = verify_manifest(folder, meta["files"], exclude=("scene.json",))
    assert problems == [], problems
    return int(meta["layers"]["buildings"])


def _cityjson_stamp(path: Path) -> int:
    assert path.is_file(), "the CityJSON file is missing"
    doc = json.loads(path.read_text())
    assert doc["type"] == "CityJSON"
    return len(doc["CityObjects"])


@pytest.fixture(scope="module")
def two_inputs(tmp_path_factory):
    """Two input sets for ``twin ingest``: a dozen buildings, and the whole district with streets,
    land cover and weather (a longer write phase)."""
    folder = tmp_path_factory.mktemp("inputs")
    small = write_tiny_inputs(folder / "small")
    large = [SAMPLES / "stgilles_buildings_osm2013.geojson", SAMPLES / "stgilles_streets_osm2013.geojson",
             SAMPLES / "stgilles_landcover_osm2013.geojson", SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"]
    return [small / "district.geojson", small / "weather.epw"], large


@pytest.fixture(scope="module")
def two_scenes(tmp_path_factory, two_inputs):
    """The two input sets ingested once each by uninterrupted ``twin ingest`` runs (read-only
    afterwards): building count -> (input files, scene folder), and the duration and staging time
    of the large set's run (the measure of the ingest kills)."""
    folder = tmp_path_factory.mktemp("scenes")
    small, large = two_inputs
    proc = run_cli("ingest", *small, "-o", folder / "small", "-q")
    assert proc.returncode == 0, proc.stderr
    timing = _measure(twin_cmd("ingest", *large, "-o", folder / "large", "-q"), folder / "large")
    scenes = {_scene_stamp(folder / name): (files, folder / name) for name, files in (("small", small), ("large", large))}
    assert len(scenes) == 2
    return scenes, timing


def test_kill_twin_ingest(tmp_path, two_inputs, two_scenes):
    rng = np.random.default_rng(SEED + 1)
    small, _ = two_inputs
    out = tmp_path / "scene"
    scenes, (total_s, stage_s) = two_scenes
    sets = {n: files for n, (files, _) in scenes.items()}
    proc = run_cli("ingest", *small, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr

    def one_kill(in_write):
        old = _scene_stamp(out)
        new = next(k for k in sets if k != old)
        phase = _kill_run(twin_cmd("ingest", *sets[new], "-o", out, "-q"), out, rng, total_s, stage_s, in_write)
        now = _scene_stamp(out)
        assert now in (old, new)
        return None if phase is None else (("old" if now == old else "new"), phase)

    tally = _kills(KILLS["ingest"], one_kill)
    proc = run_cli("ingest", *small, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    assert _leftovers(tmp_path) == [], "temporary folders survived the next run"
    print(f"\nkill -9 twin ingest ({KILLS['ingest']}; run {total_s:.1f} s, staged at {stage_s:.1f} s): "
          f"old {tally.results['old']}, new {tally.results['new']}; {tally.phases}; {tally.tries} draws")


@pytest.mark.parametrize("kind", ["folder", "cityjson"])
def test_kill_twin_export(tmp_path, two_scenes, kind):
    rng = np.random.default_rng(SEED + (2 if kind == "folder" else 3))
    scenes = {n: folder for n, (_, folder) in two_scenes[0].items()}  # the ingested scenes, read only
    exports = tmp_path / "exports"
    exports.mkdir()
    out = exports / ("scene" if kind == "folder" else "buildings.city.json")
    stamp = _scene_stamp if kind == "folder" else _cityjson_stamp
    small_n = min(scenes)
    proc = run_cli("export", scenes[small_n], "-o", out)
    assert proc.returncode == 0, proc.stderr
    measure = exports / ("measure" if kind == "folder" else "measure.city.json")
    total_s, stage_s = _measure(twin_cmd("export", scenes[max(scenes)], "-o", measure), measure)
    n = KILLS[f"export-{kind}"]

    def one_kill(in_write):
        old = stamp(out)
        new = next(k for k in scenes if k != old)
        phase = _kill_run(twin_cmd("export", scenes[new], "-o", out), out, rng, total_s, stage_s, in_write)
        now = stamp(out)
        assert now in (old, new)
        return None if phase is None else (("old" if now == old else "new"), phase)

    tally = _kills(n, one_kill)
    proc = run_cli("export", scenes[small_n], "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert stamp(out) == small_n
    assert _leftovers(exports) == [], "temporary files survived the next run"
    print(f"\nkill -9 twin export to {kind} ({n}; run {total_s:.1f} s, staged at {stage_s:.1f} s): "
          f"old {tally.results['old']}, new {tally.results['new']}; {tally.phases}; {tally.tries} draws")
