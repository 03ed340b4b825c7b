"""``twin store list`` and ``twin store release``, through the command line.

Stores are built with :class:`RunStore` and their records edited as the store tests do: another
host is simulated by writing its host name, pid and heartbeat into the record; a live holder of
this host is this test process (the command runs in a child process, so the record's pid is
another live process to it); a dead holder of this host is this process's pid with another
start time (a pid taken by a later process, :func:`holder_alive`), so no process has to die.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import socket
import sqlite3
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_scenario_store_claim_held import KW, TIMEOUT_S, _set, app, tiny_source  # noqa: F401 - fixtures
from twin.scenario.store import RunStore, process_start

HOST = socket.gethostname()
TRACEBACK = "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\nZeroDivisionError: division by zero"


def _utc(seconds_ago: float) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds_ago)).isoformat(timespec="milliseconds")


def _store(path: Path) -> RunStore:
    """One run of each kind: done, failed twice (a message, a traceback), running held by a live
    process here, by a dead one here, by another host with a fresh, a stale and no heartbeat."""
    store = RunStore(path)
    for run_id in ("done", "failed", "bug", "live", "dead", "fresh", "stale", "nobeat"):
        assert store.claim(run_id, **{**KW, "label": f"app-{run_id}", "seed": 7}).claimed
    store.finish("done", kpis={"reno/energy/heating_need_mwh": -1.0})
    store.fail("failed", "file a.yaml; field 'whatifs': no building matches\nsecond line")
    store.fail("bug", TRACEBACK)
    _set(path, "live", pid=os.getpid(), pid_started=process_start(os.getpid()))
    _set(path, "dead", pid=os.getpid(), pid_started="another-boot:1")  # the pid now belongs to another process
    started = _utc(3600)
    _set(path, "fresh", host="node-17", pid=4242, pid_started="boot:1", started_at=started, heartbeat_at=_utc(10))
    _set(path, "stale", host="node-17", pid=4243, pid_started="boot:1", started_at=started, heartbeat_at=_utc(600))
    _set(path, "nobeat", host="node-18", pid=11, pid_started="boot:1", started_at=started, heartbeat_at=None)
    return store


def _state(path: Path) -> tuple[bytes, int, list[str]]:
    """The store's bytes and modification time, and the names in its folder."""
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def _listed(path: Path, *args: str) -> dict:
    got = run_twin(["store", "list", path, "--format", "json", *args])
    assert got.code == 0, got.stderr
    return json.loads(got.stdout)


def test_list_shows_every_status_the_holder_and_the_error(tmp_path):
    path = tmp_path / "runs.sqlite"
    _store(path)
    doc = _listed(path)
    runs = {r["run_id"]: r for r in doc["runs"]}
    assert {k: (r["status"], r["holder"]) for k, r in runs.items()} == {
        "done": ("done", ""), "failed": ("failed", ""), "bug": ("failed", ""), "live": ("running", "held"),
        "dead": ("running", "dead holder"), "fresh": ("running", "held"), "stale": ("running", "stale"),
        "nobeat": ("running", "held (no heartbeat)")}
    assert runs["failed"]["error"] == "file a.yaml; field 'whatifs': no building matches"  # the first line
    assert runs["bug"]["error"] == "ZeroDivisionError: division by zero"  # a traceback: its exception
    assert runs["done"]["error"] == "" and runs["done"]["finished_at"]
    assert (runs["fresh"]["host"], runs["fresh"]["pid"], runs["live"]["pid"]) == ("node-17", 4242, os.getpid())
    assert runs["done"]["name"] == "app-done" and runs["done"]["file"] == KW["scenario"] and runs["done"]["seed"] == 7
    assert 10 <= runs["fresh"]["heartbeat_age_s"] < 10 + TIMEOUT_S and 600 <= runs["stale"]["heartbeat_age_s"] < 600 + TIMEOUT_S
    assert runs["nobeat"]["heartbeat_age_s"] is None and runs["done"]["heartbeat_age_s"] is None
    assert doc["summary"] == {"runs": 8, "done": 1, "failed": 2, "running": 5, "held": 3}

    assert [r["run_id"] for r in _listed(path, "--status", "held")["runs"]] == ["fresh", "nobeat", "live"]
    assert {r["run_id"] for r in _listed(path, "--status", "running")["runs"]} == {"live", "dead", "fresh", "stale", "nobeat"}
    assert {r["run_id"] for r in _listed(path, "--status", "failed")["runs"]} == {"failed", "bug"}

    table = run_twin(["store", "list", tmp_path, "--status", "failed"])  # the folder of twin batch -o OUT
    assert table.code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["RUN_ID", "STATUS", "SCENARIO"] and len(lines) == 4
    assert any(line.startswith("bug ") and line.endswith("ZeroDivisionError: division by zero") for line in lines)
    assert lines[-1] == (f"{path}: 8 runs: 1 done, 2 failed, 5 running: 3 held, 2 no longer held (stale or dead holder; "
                         "the next opening of the store marks them interrupted) (2 failed shown)")
    csv = run_twin(["store", "list", path, "--format", "csv", "--status", "done"]).stdout.splitlines()
    assert csv[0].startswith("run_id,name,file,seed,status") and len(csv) == 2 and csv[1].startswith("done,app-done,")


def test_list_changes_nothing_and_creates_nothing(tmp_path):
    path = tmp_path / "runs.sqlite"
    _store(path)
    before = _state(path)
    assert not Path(f"{path}-wal").exists()  # every connection closed: nothing but the file
    for fmt in ("table", "csv", "json"):
        assert run_twin(["store", "list", path, "--format", fmt]).code == 0
    assert _state(path) == before  # an opening of the store would have marked 'dead' and 'stale' interrupted
    reader = sqlite3.connect(path)  # another connection open: the -wal exists, read through SQLite's locks
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM runs").fetchall()
        wal_before = _state(path)
        assert len(_listed(path)["runs"]) == 8
        assert _state(path) == wal_before
    finally:
        reader.close()
    assert RunStore(path).mark_interrupted() == [] and RunStore(path).get("dead")["status"] == "failed"  # as said above


@pytest.mark.parametrize("case", ["missing", "text", "other-db", "folder", "status", "format"])
def test_list_refuses_what_is_not_a_store_in_one_line(tmp_path, case):
    path = tmp_path / "runs.sqlite"
    args, contains = [path], ()
    if case == "missing":
        contains = (str(path), "no such file")
    elif case == "text":
        path.write_text("run_id,status\nabc,done\n")
        contains = (str(path), "not an SQLite database")
    elif case == "other-db":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE meters (id TEXT)")
        con.commit()
        con.close()
        contains = (str(path), "without twin's table runs")
    elif case == "folder":
        args = [tmp_path]
        contains = (str(tmp_path), "without runs.sqlite")
    else:
        _store(path)
        args = [path, f"--{case}", "hel" if case == "status" else "yaml"]
        contains = (f"--{case}", "did you mean 'held'" if case == "status" else "table, csv, json")
    before = sorted(tmp_path.iterdir()), {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert_one_line_error(run_twin(["store", "list", *args]), contains=contains)
    assert (sorted(tmp_path.iterdir()), {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}) == before


@pytest.mark.parametrize(("run_ids", "contains"), [
    (["stael"], ("no run stael", "did you mean stale")),
    (["nob"], ("no run nob", "did you mean nobeat")),  # the one id it begins (too short for closest_key)
    (["stale", "zzz"], ("no run zzz", "nothing released")),  # checked before any is released
    (["done"], ("run done is already done", "nothing released")),
    (["failed"], ("run failed is already failed",)),
    (["stale", "live"], (f"live process {os.getpid()} on this host ({HOST})", "--force")),
    (["fresh"], ("process 4242 on host node-17", "last heartbeat is", "lets two processes compute it", "--force")),
    (["stale", "--reason", "  "], ("--reason", "an empty reason")),
])
def test_release_refusals_change_nothing(tmp_path, run_ids, contains):
    path = tmp_path / "runs.sqlite"
    _store(path)
    before = _state(path)
    where = () if "--reason" in run_ids else (str(path),)
    assert_one_line_error(run_twin(["store", "release", path, *run_ids]), contains=(*where, *contains))
    assert _state(path) == before


def test_release_marks_gone_holders_and_force_takes_a_held_run(tmp_path):
    path = tmp_path / "runs.sqlite"
    _store(path)
    got = run_twin(["store", "release", path, "stale", "nobeat", "dead", "--reason", "node-17 and node-18 were switched off"])
    assert got.code == 0, got.stderr
    assert [line.split()[:2] for line in got.stdout.splitlines()[:3]] == [["released", "stale"], ["released", "nobeat"],
                                                                         ["released", "dead"]]
    store = RunStore.existing(path)
    for run_id, was in (("stale", "stale"), ("nobeat", "held (no heartbeat)"), ("dead", "dead holder")):
        record = store.get(run_id)
        assert record["status"] == "failed" and record["finished_at"], run_id
        assert record["error"].startswith(f"interrupted: released by hand (twin store release on host {HOST}: node-17 and "
                                          "node-18 were switched off)") and record["error"].endswith(was), record["error"]
    assert {r: store.get(r)["status"] for r in ("live", "fresh")} == {"live": "running", "fresh": "running"}
    forced = run_twin(["store", "release", path, "fresh", "live", "--force"])
    assert forced.code == 0, forced.stderr
    assert store.get("fresh")["status"] == "failed" and store.get("live")["status"] == "failed"
    assert store.claim("fresh", **KW).claimed  # taken again, attempt 2
    assert store.get("fresh")["attempts"] == 2


def test_release_does_not_take_a_claim_made_since_it_looked(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = _store(path)
    looked_at = store.get("stale")["started_at"]
    _set(path, "stale", started_at=_utc(1), heartbeat_at=_utc(1))  # claimed again meanwhile
    assert not store.release("stale", started_at=looked_at) and store.get("stale")["status"] == "running"
    assert store.release("stale", started_at=store.get("stale")["started_at"])


@pytest.mark.slow
def test_the_release_the_waiting_message_shows_lets_a_batch_compute_the_run(tmp_path, app):  # noqa: F811 - the fixture
    """A run of another host whose twin records no heartbeat is held until released by hand."""
    path, run_id, claim = app
    out = tmp_path / "out"
    store = RunStore(out / "runs.sqlite")
    assert store.claim(run_id, **claim).claimed
    _set(out / "runs.sqlite", run_id, host="node-18", pid=11, pid_started="boot:1", heartbeat_at=None)
    assert store.is_held(store.get(run_id))
    advice = store.held_advice(run_id, "node-18")
    command = advice.split("release the run: ", 1)[1].rstrip(")")
    assert command == f"twin store release {shlex.quote(str(out / 'runs.sqlite'))} {run_id}"
    released = run_twin(shlex.split(command)[1:])
    assert released.code == 0 and released.stdout.startswith(f"released {run_id} (a; process 11 on host node-18"), released.stderr
    batch = run_twin(["batch", path.parent, "-o", out, "--workers", "1", "-q", "--no-report"], timeout_s=TIMEOUT_S)
    assert batch.code == 0, batch.stderr
    record = store.get(run_id)
    assert record["status"] == "done" and record["attempts"] == 2 and (record["host"], record["pid"]) != ("node-18", 11)
    assert (out / run_id / "kpis.parquet").exists()
