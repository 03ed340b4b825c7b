"""Whole-folder outputs: staged beside the target, swapped in at once, leftovers cleaned.

Function-level tests of :mod:`twin.io.staged` (the exchange, the two-rename fallback and its
recovery, stale temporary folders, permissions from the umask, refusing to replace a folder of
other things) and of the results folders of ``twin run``, ``twin ingest`` / ``twin export`` and
``twin energy run`` (one complete result with a manifest, strict JSON, SIGTERM marks the run
failed). The ``kill -9`` tests are in ``test_kill_outputs.py``.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.child_runs import tiny_run as run_tiny
from tests.output_helpers import child_env, hidden_entries, process_state, run_cli, run_record, twin_cmd
from twin.errors import OutputError
from twin.io import atomic_path, atomic_write_text, staged_dir
from twin.io import staged as staged_mod
from twin.io.staged import clean_stale, exchange, leftovers, recover, swap_in, temp_prefix


def _dead_pid() -> int:
    """The process id of a child that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _fill(folder: Path, tag: str, names=("a.txt", "b.txt")) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        (folder / n).write_text(tag)


def _tags(folder: Path) -> set[str]:
    return {p.read_text() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(old)


# ---------------------------------------------------------------------------------------------
# staged_dir


def test_new_folder_gets_umask_permissions_not_the_private_temp_mode(tmp_path, umask_027):
    target = tmp_path / "out"
    with staged_dir(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(temp_prefix(target))
        assert json.loads((tmp / staged_mod.MARKER).read_text())["pid"] == os.getpid()
        (tmp / "sub").mkdir()
        (tmp / "sub" / "f.txt").write_text("x")
        assert not target.exists()  # nothing visible before the end of the block
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert stat.S_IMODE((target / "sub").stat().st_mode) == 0o750
    assert stat.S_IMODE((target / "sub" / "f.txt").stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert not (target / staged_mod.MARKER).exists()


def test_existing_folder_is_replaced_whole(tmp_path):
    target = tmp_path / "out"
    _fill(target, "old", ("a.txt", "only_old.txt"))
    inode = target.stat().st_ino
    with staged_dir(target) as tmp:
        _fill(tmp, "new")
    assert sorted(p.name for p in target.iterdir()) == ["a.txt", "b.txt"]
    assert _tags(target) == {"new"}
    assert target.stat().st_ino != inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_failure_inside_the_block_keeps_the_old_folder(tmp_path, error):
    target = tmp_path / "out"
    _fill(target, "old")
    with pytest.raises(type(error)):
        with staged_dir(target) as tmp:
            _fill(tmp, "new")
            raise error
    assert _tags(target) == {"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_exchange_swaps_two_folders_in_one_call(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _fill(a, "A")
    _fill(b, "B")
    if not exchange(a, b):
        pytest.skip("no atomic exchange on this system or file system (the fallback is tested below)")
    assert _tags(a) == {"B"} and _tags(b) == {"A"}
    with pytest.raises(FileNotFoundError):
        exchange(a, tmp_path / "missing")
    assert _tags(a) == {"B"}


def test_swap_never_leaves_the_target_missing_while_a_reader_watches(tmp_path):
    """A reader thread polls the target during 200 swaps: the path always holds a complete folder.

    A listing counts when the folder at the path was the same (inode) before and after it: a
    reader that opened the previous folder just before a swap may see it being deleted, which
    says nothing about what the path holds. The folder stays open during the check, so its inode
    number cannot be freed and reused by a later staged folder (which made a listing of a
    half-deleted folder look like one of the path).

    Only where the file system swaps two folders in one call: the fallback of two renames leaves
    the path missing for a moment (by design, tested below), which the reader would catch or
    not depending on the scheduling.
    """
    import threading

    probe_a, probe_b = tmp_path / "probe_a", tmp_path / "probe_b"
    probe_a.mkdir()
    probe_b.mkdir()
    if not staged_mod.exchange(probe_a, probe_b):
        pytest.skip("no atomic exchange on this system or file system: the path is missing between the two renames")
    probe_a.rmdir()
    probe_b.rmdir()
    target = tmp_path / "out"
    _fill(target, "v0")
    seen, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                seen.append("missing")
                continue
            try:
                before = os.fstat(fd).st_ino
                names = sorted(os.listdir(fd))
                if os.stat(target).st_ino == before:
                    seen.append(",".join(names))
            except FileNotFoundError:
                seen.append("missing")
            finally:
                os.close(fd)

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i in range(1, 201):
            with staged_dir(target) as tmp:
                _fill(tmp, f"v{i}")
    finally:
        stop.set()
        t.join()
    assert _tags(target) == {"v200"}
    assert "missing" not in seen and set(seen) == {"a.txt,b.txt"}, sorted(set(seen))[:5]
    assert len(seen) > 0


def test_fallback_two_renames_replace_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(staged_mod, "exchange", lambda a, b: False)
    target = tmp_path / "out"
    _fill(target, "old", ("a.txt", "only_old.txt"))
    with staged_dir(target) as tmp:
        _fill(tmp, "new")
    assert _tags(target) == {"new"} and sorted(p.name for p in target.iterdir()) == ["a.txt", "b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_fallback_killed_between_the_two_renames_is_recovered_by_the_next_run(tmp_path):
    """The state a kill leaves between 'old aside' and 'new in place': the next run puts the old
    result back before anything else, then removes the dead process's folders."""
    target = tmp_path / "out"
    pid = _dead_pid()
    aside = tmp_path / f"{temp_prefix(target, 'old')}{pid}-abc123"
    _fill(aside, "old")
    staged_new = tmp_path / f"{temp_prefix(target)}{pid}-def456"
    _fill(staged_new, "new")
    assert recover(target) == aside
    assert _tags(target) == {"old"}
    assert recover(target) is None  # the target exists: nothing to do
    assert clean_stale(target) == [staged_new]
    assert leftovers(target) == []
    # the same through a new run: put back, cleaned, replaced
    target2 = tmp_path / "out2"
    _fill(tmp_path / f"{temp_prefix(target2, 'old')}{pid}-x1", "old")
    _fill(tmp_path / f"{temp_prefix(target2)}{pid}-x2", "half")
    with staged_dir(target2) as tmp:
        assert _tags(target2) == {"old"}  # recovered before the new run writes anything
        assert leftovers(target2) == [tmp]
        _fill(tmp, "new")
    assert _tags(target2) == {"new"} and leftovers(target2) == []


def test_stale_cleanup_removes_dead_owners_and_old_folders_only(tmp_path, monkeypatch):
    target = tmp_path / "out"
    dead = tmp_path / f"{temp_prefix(target)}{_dead_pid()}-aaaa"
    _fill(dead, "x")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f"{temp_prefix(target)}{sleeper.pid}-bbbb"
        _fill(live, "y")
        old_live = tmp_path / f"{temp_prefix(target)}{sleeper.pid}-cccc"
        _fill(old_live, "z")
        two_days_ago = time.time() - 2 * 86400
        os.utime(old_live, (two_days_ago, two_days_ago))
        other = tmp_path / ".other.twin-tmp-1-dddd"  # another target's folder
        _fill(other, "w")
        assert sorted(clean_stale(target)) == sorted([dead, old_live])
        assert live.exists() and other.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert clean_stale(target) == [live]  # its owner is gone now
    assert other.exists()


def test_a_zombie_owner_counts_as_dead(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # ended but not reaped: a zombie
        try:
            with open(f"/proc/{proc.pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except OSError:
            pytest.skip("no /proc")
        time.sleep(0.05)
    try:
        assert not staged_mod.pid_alive(proc.pid)
        assert staged_mod.pid_alive(os.getpid())
    finally:
        proc.wait()


def test_refuses_to_replace_a_folder_of_other_things(tmp_path, monkeypatch):
    target = tmp_path / "mine"
    _fill(target, "precious", ("thesis.tex",))
    with pytest.raises(OutputError, match="not an earlier result"):
        with staged_dir(target, owned=("report.html",)):
            pytest.fail("must not get here")
    assert _tags(target) == {"precious"} and sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    # an empty folder or an earlier result is replaced
    (tmp_path / "empty").mkdir()
    with staged_dir(tmp_path / "empty", owned=("report.html",)) as tmp:
        _fill(tmp, "new", ("report.html",))
    with staged_dir(tmp_path / "empty", owned=("report.html",)) as tmp:
        _fill(tmp, "newer", ("report.html",))
    assert _tags(tmp_path / "empty") == {"newer"}
    # never the current folder or one of its parents
    monkeypatch.chdir(tmp_path / "empty")
    with pytest.raises(OutputError, match="current folder"):
        with staged_dir(tmp_path / "empty", owned=("report.html",)):
            pass
    with pytest.raises(OutputError, match="current folder"):
        with staged_dir(".", owned=None):
            pass


def test_long_names_and_existing_files(tmp_path):
    name = "r" * 250  # fits the file system, but ".NAME.twin-tmp-..." would not
    with staged_dir(tmp_path / name) as tmp:
        assert len(os.fsencode(tmp.name)) <= 255
        _fill(tmp, "x")
    assert _tags(tmp_path / name) == {"x"}
    with pytest.raises(OutputError, match="255"):
        with staged_dir(tmp_path / ("r" * 256)):
            pass
    (tmp_path / "file").write_text("a file")
    with pytest.raises(OutputError, match="not a folder"):
        with staged_dir(tmp_path / "file"):
            pass
    assert (tmp_path / "file").read_text() == "a file"


def test_a_link_to_a_folder_keeps_pointing_at_the_new_result(tmp_path):
    real = tmp_path / "real"
    _fill(real, "old")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    with staged_dir(link) as tmp:
        _fill(tmp, "new")
    assert link.is_symlink() and _tags(link) == {"new"} and _tags(real) == {"new"}


def test_swap_in_onto_a_missing_target_is_one_rename(tmp_path):
    src = tmp_path / "src"
    _fill(src, "x")
    swap_in(src, tmp_path / "dst")
    assert not src.exists() and _tags(tmp_path / "dst") == {"x"}


# ---------------------------------------------------------------------------------------------
# atomic files


def test_atomic_files_get_umask_permissions_and_unique_temporary_names(tmp_path, umask_027):
    target = tmp_path / ("f" * 250 + ".json")
    seen = set()
    for i in range(5):
        with atomic_path(target) as tmp:
            assert len(os.fsencode(tmp.name)) <= 255 and tmp.parent == tmp_path
            seen.add(tmp.name)
            tmp.write_text(str(i))
    assert len(seen) == 5 and target.read_text() == "4"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    atomic_write_text(tmp_path / "x.txt", "y")
    assert stat.S_IMODE((tmp_path / "x.txt").stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, "x.txt"])


# ---------------------------------------------------------------------------------------------
# result folders of the commands


def test_scene_folder_carries_a_manifest_and_is_replaced_whole(tmp_path):
    from tests.scenario_helpers import DISTRICT
    from twin.export import write_scene
    from twin.ingest import ingest
    from twin.io.run_record import verify_manifest

    scene, _ = ingest([DISTRICT], progress=False)
    out = tmp_path / "scene"
    write_scene(scene, out)
    meta = json.loads((out / "scene.json").read_text())
    assert set(meta["files"]) == {"buildings.parquet"}
    assert verify_manifest(out, meta["files"], exclude=("scene.json",)) == []
    (out / "stray.parquet").write_text("from an older version")
    write_scene(scene, out)
    assert sorted(p.name for p in out.iterdir()) == ["buildings.parquet", "scene.json"]
    assert hidden_entries(tmp_path) == []
    # a folder of other things is not replaced
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.md").write_text("mine")
    with pytest.raises(OutputError, match="not an earlier result"):
        write_scene(scene, other)
    assert [p.name for p in other.iterdir()] == ["notes.md"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """``twin run`` of the tiny scenario (seed 1) into a fresh folder, in a child process."""
    return run_tiny(tmp_path_factory.mktemp("tiny_run"), "results")


def test_twin_run_writes_one_complete_result_with_its_record(tiny_run):
    from twin.scenario.store import RunStore
    from twin.workflows.scenario_run import store_path_for, verify_result

    scen, out = tiny_run
    assert sorted(p.name for p in out.iterdir()) == ["baseline_scene", "kpis.csv", "outputs", "report.html", "run_record.json", "runs.sqlite"]
    assert verify_result(out) == []
    record = run_record(out)
    for lib in ("python", "numpy", "pandas", "numba", "geopandas", "shapely", "pyproj", "pyarrow", "typer", "pydantic", "ifcopenshell"):
        assert lib in record["versions"], lib
    import numpy as np

    assert record["versions"]["numpy"] == np.__version__ and record["seed"] == 1
    assert record["run_id"] in (out / "report.html").read_text()
    # the stable store beside the folder, and the copy inside, both say done, with versions
    store = RunStore(store_path_for(out))
    rec = store.get(record["run_id"])
    assert rec["status"] == "done" and rec["versions"]["numpy"] == np.__version__
    con = sqlite3.connect(out / "runs.sqlite")
    assert con.execute("SELECT status FROM runs WHERE run_id = ?", (record["run_id"],)).fetchone() == ("done",)
    con.close()
    assert hidden_entries(out.parent) == []
    for p in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o044 == 0o044, (p, oct(mode))  # readable like any file the umask (022) allows


def test_twin_run_rerun_replaces_the_folder_whole(tiny_run, tmp_path):
    import shutil

    from twin.workflows.scenario_run import verify_result

    scen, first = tiny_run
    out = tmp_path / "results"
    shutil.copytree(first, out)
    (out / "stray.txt").write_text("left from an older run")
    proc = run_cli("run", scen, "-o", out, "-q", "--seed", "2")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "stray.txt").exists() and verify_result(out) == []
    assert run_record(out)["seed"] == 2
    assert hidden_entries(tmp_path) == []


def _stop_before_writing(proc: subprocess.Popen, store_path: Path, out: Path, timeout_s: float = 120.0) -> bool:
    """Wait until the ``twin run`` child ``proc`` has claimed its run, then freeze it (SIGSTOP).

    True: the child is stopped with its run ``running`` and no staged folder of ``out`` made
    yet, so a signal sent now is handled before anything is written. False: it was already
    writing, or had ended successfully, when it stopped (looking at the store and freezing the
    child are two steps: a test process descheduled for the ~3 s the tiny run computes used to
    send its SIGTERM after the swap, or after the end); a stopped child is let go on.
    """
    from twin.io.staged import temp_prefix
    from twin.scenario.store import RunStore

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if store_path.exists() and "running" in set(RunStore(store_path).runs()["status"]):
            break
        time.sleep(0.02)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGSTOP)  # a child that ended since is a zombie until reaped: no error
        while proc.poll() is None and process_state(proc.pid) != "T":
            time.sleep(0.005)
    if proc.poll() is not None:  # ended before it was frozen
        return False
    # the staged folder first: a child frozen in its write phase may hold the store's write lock
    if not any(p.name.startswith(temp_prefix(out)) for p in out.parent.iterdir()):
        if list(RunStore(store_path).runs()["status"]) == ["running"]:
            return True
    os.kill(proc.pid, signal.SIGCONT)
    return False


def test_sigterm_marks_the_run_failed_and_keeps_the_old_result(tiny_run, tmp_path):
    """SIGTERM while ``twin run`` computes (after its claim, before it writes): exit 143, the
    run marked failed, the previous result kept.

    The child is frozen while it is looked at, so the signal lands in that phase; an attempt
    whose child had already begun writing proves nothing about it and is run again on a fresh
    copy (at most 5 attempts; each is printed).
    """
    import shutil

    from twin.scenario.store import RunStore
    from twin.workflows.scenario_run import store_path_for

    scen, first = tiny_run
    for attempt in range(1, 6):
        out = tmp_path / f"results{attempt}"
        shutil.copytree(first, out)
        before = run_record(out)
        store_path = store_path_for(out)
        proc = subprocess.Popen(twin_cmd("run", scen, "-o", out, "-q", "--seed", "5"), env=child_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        try:
            in_time = _stop_before_writing(proc, store_path, out)
            if in_time:
                proc.send_signal(signal.SIGTERM)  # pending while stopped, handled first thing after SIGCONT
                proc.send_signal(signal.SIGCONT)
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        print(f"\nattempt {attempt}: child {'stopped while computing: signalled' if in_time else 'writing or ended: let go on'}")
        if in_time:
            break
        assert proc.returncode == 0 and list(RunStore(store_path).runs()["status"]) == ["done"], err  # a late try ran through
    else:
        pytest.fail("in 5 attempts the child was never caught computing")
    assert proc.returncode == 143, err  # 128 + SIGTERM, the shell's convention (twin.cli.signals)
    assert "Traceback" not in err and "terminated (SIGTERM)" in err
    runs = RunStore(store_path).runs()
    assert list(runs["status"]) == ["failed"] and runs["error"].iloc[0].startswith("interrupted")
    assert run_record(out) == before
    assert hidden_entries(tmp_path) == []


def test_energy_run_writes_geoparquet_by_default_and_csv_on_request(tmp_path):
    import geopandas as gpd
    import pandas as pd

    from tests.output_helpers import write_tiny_inputs
    from twin.io.run_record import verify_manifest

    inputs = write_tiny_inputs(tmp_path / "in")
    out = tmp_path / "energy"
    proc = run_cli("energy", "run", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", out, "-m", "wall_insulation", "-q")
    assert proc.returncode == 0, proc.stderr
    comp = gpd.read_parquet(out / "comparison.parquet")
    assert comp.crs.to_epsg() == 31370 and (comp.geometry.area > 0).all() and len(comp) > 0
    base = gpd.read_parquet(out / "baseline" / "buildings.parquet")
    assert set(base["building_id"]) >= set(comp["building_id"]) and base.geometry.notna().all()
    record = run_record(out)
    assert record["options"] == {"format": "parquet", "measures": ["wall_insulation"]}
    assert verify_manifest(out, record["files"], exclude=("run_record.json",)) == []
    summary_text = (out / "baseline" / "summary.json").read_text()
    assert "NaN" not in summary_text and json.loads(summary_text)["crs"] == "EPSG:31370"
    # --csv: the same folder replaced whole by CSV tables (footprints as WKT)
    proc = run_cli("energy", "run", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", out, "--csv", "-q")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "comparison.parquet").exists() and not (out / "baseline").exists()
    b = pd.read_csv(out / "buildings.csv")
    assert b["geometry"].str.startswith(("POLYGON", "MULTIPOLYGON")).all()
    assert hidden_entries(tmp_path) == []


def test_energy_simulate_json_is_strict(monkeypatch):
    from typer.testing import CliRunner

    import twin.energy.spec as spec_mod
    from tests.conftest import DATA_SAMPLES
    from twin.cli.main import app

    def fake(zone, weather):
        return {"heating_mwh": float("nan"), "cooling_mwh": float("inf"), "model": {"x": float("nan"), "surfaces": []}}

    monkeypatch.setattr(spec_mod, "simulate_spec", fake)
    spec = Path(__file__).parent / "energy_data" / "bestest_600.yaml"
    res = CliRunner().invoke(app, ["energy", "simulate", str(spec), "--weather", str(DATA_SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"), "--json"])
    assert res.exit_code == 0, res.output

    def refuse(name):
        raise AssertionError(f"not JSON: {name}")

    data = json.loads(res.stdout, parse_constant=refuse)  # stdout: a note on stderr is not JSON
    assert data["heating_mwh"] is None and data["cooling_mwh"] is None and data["model"]["x"] is None
