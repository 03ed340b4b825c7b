"""Run store: one record per run id, done runs are not claimed again, concurrent claims are exclusive."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import socket
import sqlite3
import subprocess
import sys
import time

import numpy as np

from twin.scenario.store import ClaimStatus, RunStore, hash_files, make_run_id, process_start

KW = dict(scenario="s.yaml", version="0.1", input_hash="abc", scenario_hash="def", seed=1)


def test_claim_finish_and_skip(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    kw = dict(scenario="s.yaml", version="0.1", input_hash="abc", scenario_hash="def", seed=1)
    rid = make_run_id("def", "abc", 1, "0.1")
    assert store.claim(rid, **kw).claimed
    store.finish(rid, kpis={"energy/q": -1.5}, outputs={"kpis": "x"})
    assert store.claim(rid, **kw).status is ClaimStatus.DONE  # done: nothing to do
    rec = store.get(rid)
    assert rec["status"] == "done" and rec["kpis"] == {"energy/q": -1.5} and rec["attempts"] == 1
    assert len(store.runs()) == 1


def test_failed_or_interrupted_runs_are_claimed_again(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    kw = dict(scenario="s.yaml", version="0.1", input_hash="abc", scenario_hash="def", seed=1)
    assert store.claim("r1", **kw).claimed  # then the process handles an error and tries again
    assert store.claim("r1", **kw).claimed
    store.fail("r1", "boom")
    assert store.get("r1")["status"] == "failed"
    assert store.claim("r1", **kw).claimed
    assert store.get("r1")["attempts"] == 3
    assert len(store.runs()) == 1


def test_run_id_depends_on_every_part():
    base = make_run_id("s", "i", 1, "v")
    assert base == make_run_id("s", "i", 1, "v")
    assert len({base, make_run_id("x", "i", 1, "v"), make_run_id("s", "x", 1, "v"), make_run_id("s", "i", 2, "v"), make_run_id("s", "i", 1, "w")}) == 5


def test_hash_files_reads_contents(tmp_path):
    a = tmp_path / "a"
    a.write_text("1")
    h1 = hash_files([a])
    a.write_text("2")
    assert hash_files([a]) != h1


def _finish_many(path, ids, start=None):
    store = RunStore(path)
    if start is not None:
        start.wait(120)  # the processes claim together (spawned interpreters start at different times)
    for rid in ids:
        if store.claim(rid, scenario="s", version="v", input_hash="i", scenario_hash="h", seed=0).claimed:
            time.sleep(0.02)  # the run's work: others try to claim it meanwhile
            store.finish(rid, kpis={"k": 1.0})


def test_concurrent_processes_record_each_run_once(tmp_path):
    path = tmp_path / "runs.sqlite"
    RunStore(path)
    ids = [f"r{i}" for i in range(40)]
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(3)
    procs = [ctx.Process(target=_finish_many, args=(path, ids, start)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]  # none failed (e.g. "database is locked") or hung
    runs = RunStore(path).runs()
    assert sorted(runs["run_id"]) == sorted(ids)
    # each claimed by one process only: a run another live process holds is not claimed again
    assert (runs["status"] == "done").all() and (runs["attempts"] == 1).all(), runs[["run_id", "attempts", "pid"]].to_string()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _set_owner(path, run_id, host, pid):
    """Make ``run_id`` look claimed by process ``pid`` of ``host`` (with its start time)."""
    con = sqlite3.connect(path)
    con.execute("UPDATE runs SET host = ?, pid = ?, pid_started = ? WHERE run_id = ?", (host, pid, process_start(pid), run_id))
    con.commit()
    con.close()


def test_runs_of_killed_processes_are_marked_failed_when_the_store_is_opened(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    for rid in ("dead", "alive", "elsewhere", "mine", "finished"):
        store.claim(rid, **KW)
    store.finish("finished", kpis={"k": 1.0})
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = _dead_pid()
        _set_owner(path, "dead", socket.gethostname(), dead)
        _set_owner(path, "alive", socket.gethostname(), sleeper.pid)
        _set_owner(path, "elsewhere", "another-host", dead)
        _set_owner(path, "finished", socket.gethostname(), dead)
        reopened = RunStore(path)
        status = reopened.runs().set_index("run_id")["status"].to_dict()
        assert status == {"dead": "failed", "alive": "running", "elsewhere": "running", "mine": "running", "finished": "done"}
        err = reopened.get("dead")["error"]
        assert err.startswith("interrupted") and str(dead) in err
        # claimed again like any failed run
        assert reopened.claim("dead", **KW).claimed and reopened.get("dead")["attempts"] == 2
    finally:
        sleeper.kill()
        sleeper.wait()
    assert RunStore(path).get("alive")["status"] == "failed"  # its process is gone now


def test_claim_marks_interrupted_runs_too(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    store.claim("a", **KW)
    _set_owner(path, "a", socket.gethostname(), _dead_pid())
    store.claim("b", **KW)  # the same store object, no reopening
    assert store.get("a")["status"] == "failed"


def test_kpis_are_strict_json_and_versions_are_recorded(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    store.claim("r", **KW)
    store.finish("r", kpis={"w/energy/a": float("nan"), "w/energy/b": np.float64(-1.5), "w/energy/c": float("inf")}, outputs={"x": tmp_path})
    raw = sqlite3.connect(path).execute("SELECT kpis, outputs, versions FROM runs").fetchone()

    def refuse(name):
        raise AssertionError(f"not JSON: {name}")

    kpis = json.loads(raw[0], parse_constant=refuse)
    assert kpis == {"w/energy/a": None, "w/energy/b": -1.5, "w/energy/c": None}
    assert json.loads(raw[1]) == {"x": str(tmp_path)}
    versions = json.loads(raw[2])
    assert versions["numpy"] == np.__version__ and versions["python"].count(".") == 2
    for name in ("pandas", "numba", "geopandas", "shapely", "pyproj", "pyarrow", "typer", "pydantic", "ifcopenshell"):
        assert name in versions, name
    assert store.get("r")["versions"] == versions


def test_copy_records_the_run_done_in_the_copy_only(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    store.claim("r", **KW)
    copy = store.copy_to(tmp_path / "copy.sqlite", done={"run_id": "r", "kpis": {"k": float("nan")}, "outputs": {}})
    assert store.get("r")["status"] == "running"
    con = sqlite3.connect(copy)
    assert con.execute("SELECT status, kpis FROM runs").fetchone() == ("done", '{"k": null}')
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.sqlite"]
    assert os.path.getsize(copy) > 0
