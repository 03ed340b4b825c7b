"""A run held by another live process is not computed twice (``RunStore.claim`` says ``held``).

The holder is a real child process that claims a run and then waits for a word on its stdin
(``finish``: record a result; end of input: exit without finishing, as a killed process
would). Tests wait on observable states (a line from the child, a hook of the batch) with
generous timeouts, never on a sleep that assumes a schedule.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.scenario_helpers import write_small_district
from tests.test_scenario_batch import TINY_BOX, tiny_scenario, write
from twin.scenario.batch import run_identity
from twin.scenario.store import ClaimStatus, RunStore, holder_alive, process_start

KW = dict(scenario="s.yaml", version="0.1", input_hash="abc", scenario_hash="def", seed=1)

#: Generous bound on any wait of these tests, s (CI runs them beside other tests on 2 cores).
TIMEOUT_S = 300

HOLDER = r"""
import json, sys
from twin.scenario.store import RunStore
store_path, run_id, claim = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
store = RunStore(store_path)
print(store.claim(run_id, **claim).status.value, flush=True)
if sys.stdin.readline().strip() == "finish":
    store.finish(run_id, kpis={"held/energy/sentinel": 42.0}, outputs={})
    print("finished", flush=True)
"""


class Holder:
    """A child process that claims ``run_id`` in the store at ``store_path`` and holds it."""

    def __init__(self, store_path: Path, run_id: str, claim: dict | None = None):
        import json

        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(store_path), run_id, json.dumps(claim or KW)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        said = self.proc.stdout.readline().strip()  # blocks until the claim is recorded (or the child ended)
        assert said == "claimed", f"the holder could not claim {run_id}: {said!r}"

    def finish(self) -> None:
        """Record the sentinel result and exit."""
        self.proc.stdin.write("finish\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "finished"
        self.proc.wait(TIMEOUT_S)

    def end(self) -> None:
        """Exit without finishing (the run stays ``running`` with a dead pid)."""
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(TIMEOUT_S)

    def kill(self) -> None:
        """Stop the child if it still runs and close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(TIMEOUT_S)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()


@pytest.fixture
def holders():
    started: list[Holder] = []
    yield started
    for h in started:
        h.kill()


def _set(path: Path, run_id: str, **columns) -> None:
    con = sqlite3.connect(path)
    con.execute(f"UPDATE runs SET {', '.join(f'{k} = ?' for k in columns)} WHERE run_id = ?", (*columns.values(), run_id))
    con.commit()
    con.close()


def test_a_run_held_by_a_live_process_is_not_claimed_and_a_dead_ones_is(tmp_path, holders):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    holders.append(holder := Holder(path, "r"))
    got = store.claim("r", **KW)
    assert got.status is ClaimStatus.HELD and (got.host, got.pid) == (socket.gethostname(), holder.pid)
    assert store.claim("r", again=True, **KW).status is ClaimStatus.HELD  # twin run's recompute does not take it either
    record = store.get("r")
    assert record["status"] == "running" and record["attempts"] == 1 and record["pid"] == holder.pid
    assert store.wait_while_held("r", poll_s=0.05, timeout_s=0.2)["status"] == "running"  # still held when the time is up
    with pytest.raises(TypeError, match="not a truth value"):
        bool(got)  # `if store.claim(...)` would take held for claimed
    holder.end()  # its process is gone: the run is interrupted and claimed again
    assert store.wait_while_held("r", poll_s=0.05, timeout_s=TIMEOUT_S)["error"].startswith("interrupted")
    assert store.claim("r", **KW).claimed
    assert store.get("r")["attempts"] == 2 and store.get("r")["pid"] != holder.pid


def test_a_run_whose_holder_finishes_is_done_for_the_waiter(tmp_path, holders):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    holders.append(holder := Holder(path, "r"))
    seen = []

    def finish_once_seen(record):
        seen.append(record["pid"])
        if len(seen) == 1:
            holder.finish()

    record = store.wait_while_held("r", poll_s=0.05, timeout_s=TIMEOUT_S, on_wait=finish_once_seen)
    assert seen == [holder.pid]
    assert record["status"] == "done" and record["kpis"] == {"held/energy/sentinel": 42.0} and record["attempts"] == 1
    assert store.claim("r", **KW).status is ClaimStatus.DONE


def test_a_pid_taken_by_another_process_is_not_the_holder(tmp_path, holders):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    holders.append(holder := Holder(path, "reused"))
    started = process_start(holder.pid)
    assert started is not None and holder_alive(socket.gethostname(), holder.pid, started) is True
    # the run was claimed by an earlier process that had this pid: another start time
    _set(path, "reused", pid_started=started + "0")
    assert holder_alive(socket.gethostname(), holder.pid, started + "0") is False
    assert store.claim("reused", **KW).claimed
    assert store.get("reused")["attempts"] == 2


def test_records_without_a_start_time_are_checked_by_their_claim_time(tmp_path, holders):
    pytest.importorskip("psutil")
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    holders.append(Holder(path, "old"))
    _set(path, "old", pid_started=None)  # as written before the column existed
    assert store.claim("old", **KW).status is ClaimStatus.HELD  # claimed after the process started: it holds it
    _set(path, "old", started_at="2020-01-01T00:00:00.000+00:00")  # claimed before the process with this pid started
    assert store.mark_interrupted() == ["old"]
    assert "interrupted" in store.get("old")["error"]


def test_a_run_of_another_host_counts_as_held_until_released(tmp_path, holders):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    holders.append(Holder(path, "far"))
    _set(path, "far", host="node-17", pid=4242)
    got = store.claim("far", **KW)
    assert got.status is ClaimStatus.HELD and (got.host, got.pid) == ("node-17", 4242)
    advice = store.held_advice("far", "node-17")
    assert "node-17" in advice and f"twin store release {path} far" in advice
    assert store.release("far") and store.claim("far", **KW).claimed
    assert not store.release("never-claimed")


@pytest.fixture(scope="module")
def tiny_source(tmp_path_factory):
    return write_small_district(tmp_path_factory.mktemp("tiny_held"), TINY_BOX)


@pytest.fixture
def app(tmp_path, tiny_source):
    """One scenario file (its input beside it) and the store fields of its run."""
    import shutil

    folder = tmp_path / "apps"
    folder.mkdir()
    buildings = Path(shutil.copy(tiny_source, folder / tiny_source.name))
    path = write(folder, "a.yaml", tiny_scenario(buildings, "a"))
    ident = run_identity(path)
    claim = dict(scenario=str(ident["path"]), label="a", version=ident["version"], input_hash=ident["input_hash"],
                 scenario_hash=ident["scenario_hash"], seed=ident["seed"])
    return path, ident["run_id"], claim


def _batch_waiting_on(monkeypatch, then):
    """Call ``then()`` (in a thread) once the batch waits for a held run; set the poll interval short."""
    import twin.scenario.batch as batch
    import twin.scenario.store as store_module

    monkeypatch.setattr(store_module, "HELD_POLL_S", 0.1)
    original = batch._wait_for_holder
    waited = []

    def wait(store, task, poll_s):
        record = store.get(task["run_id"])
        waited.append(dict(record))
        threading.Thread(target=then, daemon=True).start()
        return original(store, task, poll_s)

    monkeypatch.setattr(batch, "_wait_for_holder", wait)
    return waited


@pytest.mark.slow
def test_batch_waits_for_a_held_run_and_reports_the_holders_result(tmp_path, app, holders, monkeypatch):
    from twin.scenario.batch import run_batch

    path, run_id, claim = app
    out = tmp_path / "out"
    holders.append(holder := Holder(out / "runs.sqlite", run_id, claim))
    waited = _batch_waiting_on(monkeypatch, holder.finish)
    records = run_batch(path.parent, out=out, n_workers=1, report=False)
    assert [(w["status"], w["pid"]) for w in waited] == [("running", holder.pid)]  # the batch did wait for it
    row = records.iloc[0]
    assert row["status"] == "done" and row["pid"] == holder.pid and row["attempts"] == 1
    assert row["kpis"] == {"held/energy/sentinel": 42.0}  # the holder's result, not computed again
    assert not (out / run_id).exists()


@pytest.mark.slow
def test_batch_computes_a_held_run_whose_holder_dies(tmp_path, app, holders, monkeypatch):
    from twin.scenario.batch import run_batch

    path, run_id, claim = app
    out = tmp_path / "out"
    holders.append(holder := Holder(out / "runs.sqlite", run_id, claim))
    waited = _batch_waiting_on(monkeypatch, holder.end)
    records = run_batch(path.parent, out=out, n_workers=1, report=False)
    assert len(waited) == 1
    row = records.iloc[0]
    assert row["status"] == "done", row["error"]
    assert row["attempts"] == 2 and row["pid"] != holder.pid
    assert row["kpis"]["reno/energy/heating_need_mwh"] < 0  # computed here
    assert (out / run_id / "kpis.parquet").exists()


def test_twin_run_of_a_held_run_is_refused_with_one_line(tmp_path, app, holders):
    from twin.workflows.scenario_run import store_path_for

    path, run_id, claim = app
    out = tmp_path / "results"
    store_path = store_path_for(out)
    holders.append(holder := Holder(store_path, run_id, claim))
    proc = subprocess.run([sys.executable, "-m", "twin.cli.main", "run", str(path), "-o", str(out), "-q"],
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("twin: error: "), proc.stderr
    for part in (str(store_path), run_id, f"process {holder.pid} on host {socket.gethostname()}", "wait for it to finish"):
        assert part in lines[0], part
    assert not out.exists()  # nothing computed or written
    record = RunStore(store_path).get(run_id)
    assert record["status"] == "running" and record["pid"] == holder.pid and record["attempts"] == 1
