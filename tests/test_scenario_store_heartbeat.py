"""A run held by a process of another host is held only while that process records a heartbeat.

The other host is simulated by writing its host name, pid and heartbeat into the record
directly (no second host). Heartbeat threads are observed through the record (the column
changes) and through the thread list, with generous timeouts, never a sleep that assumes a
schedule.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time

import pytest

from tests.test_scenario_store_claim_held import KW, _batch_waiting_on, _set, app, tiny_source  # noqa: F401 (fixtures)
from twin.errors import InputError
from twin.scenario.store import ClaimStatus, RunStore, heartbeat_stale

#: Generous bound on any wait of these tests, s (CI runs them beside other tests on 2 cores).
TIMEOUT_S = 120


def _utc(seconds_ago: float) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds_ago)).isoformat(timespec="milliseconds")


def _far_record(path, run_id: str, *, heartbeat_at: str | None, started_at: str | None = None) -> RunStore:
    """A ``running`` record of ``run_id`` held by process 4242 of host node-17."""
    store = RunStore(path)
    assert store.claim(run_id, **KW).claimed
    _set(path, run_id, host="node-17", pid=4242, pid_started="boot:1", started_at=started_at or _utc(3600),
         heartbeat_at=heartbeat_at)
    return store


def _heartbeat_threads(run_id: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"twin-heartbeat-{run_id}" and t.is_alive()]


def _wait_until(predicate, what: str):
    deadline = time.monotonic() + TIMEOUT_S
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"not seen within {TIMEOUT_S} s: {what}"
        time.sleep(0.01)
    return value


def test_a_run_of_another_host_with_a_fresh_heartbeat_is_held(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = _far_record(path, "far", heartbeat_at=_utc(10))
    got = store.claim("far", **KW)
    assert got.status is ClaimStatus.HELD and (got.host, got.pid) == ("node-17", 4242)
    assert store.is_held(store.get("far"))
    assert store.mark_interrupted() == []
    record = store.get("far")
    assert record["status"] == "running" and record["attempts"] == 1 and record["error"] is None


def test_a_run_of_another_host_with_a_stale_heartbeat_is_claimed_and_says_why(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="twin.scenario.store")  # whatever an earlier CLI test set (-q)
    path = tmp_path / "runs.sqlite"
    beat = _utc(600)  # more than STALE_AFTER_S (150 s) ago
    store = _far_record(path, "far", heartbeat_at=beat)
    assert not store.is_held(store.get("far"))
    assert store.mark_interrupted() == ["far"]
    record = store.get("far")
    assert record["status"] == "failed"
    assert record["error"].startswith(f"interrupted: no heartbeat from process 4242 on host node-17 since {beat} UTC")
    assert "no heartbeat from process 4242 on host node-17" in caplog.text
    got = store.claim("far", **KW)
    assert got.claimed and (got.host, got.pid) == (socket.gethostname(), store.get("far")["pid"])
    record = store.get("far")
    assert record["status"] == "running" and record["attempts"] == 2 and record["host"] == socket.gethostname()
    assert record["heartbeat_at"] == record["started_at"]  # the claim is the first heartbeat


def test_a_stale_heartbeat_found_by_the_claim_itself_is_taken(tmp_path, monkeypatch):
    """The heartbeat goes stale between the claim's look for dead holders and its transaction."""
    path = tmp_path / "runs.sqlite"
    store = _far_record(path, "far", heartbeat_at=_utc(600))
    monkeypatch.setattr(RunStore, "mark_interrupted", lambda self: [])
    assert store.claim("far", **KW).claimed and store.get("far")["attempts"] == 2


def test_records_without_a_heartbeat_of_their_claim_keep_the_former_rule(tmp_path, monkeypatch):
    path = tmp_path / "runs.sqlite"
    store = _far_record(path, "old", heartbeat_at=None)  # written by a twin without heartbeats
    assert store.claim("old", **KW).status is ClaimStatus.HELD
    # an older twin claimed again: the heartbeat left by an earlier attempt is not its own
    _set(path, "old", heartbeat_at=_utc(7200), started_at=_utc(3600))
    assert store.claim("old", **KW).status is ClaimStatus.HELD
    assert store.mark_interrupted() == [] and store.get("old")["status"] == "running"
    assert not heartbeat_stale(_utc(3600), _utc(7200)) and heartbeat_stale(_utc(3600), _utc(1800))
    monkeypatch.setattr("twin.scenario.store.STALE_AFTER_S", 2000.0)
    assert not heartbeat_stale(_utc(3600), _utc(1800))


def test_the_heartbeat_updates_the_record_and_stops_with_the_block(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    claim = store.claim("r", **KW)
    first = store.get("r")["heartbeat_at"]
    with store.heartbeat(claim, interval_s=0.05) as beat:
        _wait_until(lambda: store.get("r")["heartbeat_at"] > first, "a heartbeat")
        assert beat.alive and _heartbeat_threads("r")
    assert not beat.alive and not _heartbeat_threads("r") and beat.beats >= 1
    last = store.get("r")["heartbeat_at"]
    with pytest.raises(KeyError):  # an error in the block stops it too
        with store.heartbeat(claim, interval_s=0.05) as beat:
            _wait_until(lambda: store.get("r")["heartbeat_at"] > last, "a heartbeat")
            raise KeyError("boom")
    assert not beat.alive and not _heartbeat_threads("r")


def test_a_heartbeat_needs_a_claimed_run_and_a_positive_interval(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    claim = store.claim("r", **KW)
    store.finish("r", kpis={})
    with pytest.raises(ValueError, match="claimed run, not done"):
        with store.heartbeat(store.claim("r", **KW)):
            pass
    for bad in (0, -1.0, float("nan"), True):
        with pytest.raises(ValueError, match="positive number"):
            with store.heartbeat(claim, interval_s=bad):
                pass
    assert not _heartbeat_threads("r")


def test_the_heartbeat_stops_when_the_run_is_taken_by_another_process(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="twin.scenario.store")  # whatever an earlier CLI test set (-q)
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    claim = store.claim("r", **KW)
    with store.heartbeat(claim, interval_s=0.05) as beat:
        _set(path, "r", host="node-17", pid=4242)  # another host took it (it found this claim stale)
        _wait_until(lambda: not beat.alive, "the heartbeat thread stopping")
    assert "was claimed by process 4242 on host node-17" in caplog.text
    assert store.get("r")["pid"] == 4242


def _blocking_run_scenario(store_path, run_id: str, seen: list):
    """A ``run_scenario`` that returns only once the run's heartbeat was recorded, then fails."""

    def run_scenario(*args, **kwargs):
        store = RunStore(store_path)
        first = store.get(run_id)["heartbeat_at"]
        _wait_until(lambda: store.get(run_id)["heartbeat_at"] > first, "a heartbeat while the run computes")
        seen.append([t.name for t in _heartbeat_threads(run_id)])
        raise InputError("stopped by the test once its heartbeat was seen", field="test")

    return run_scenario


def test_run_one_beats_while_it_computes_and_stops_after(tmp_path, app, monkeypatch):  # noqa: F811 (fixture)
    from twin.scenario.batch import run_one

    path, run_id, _ = app
    store_path = tmp_path / "out" / "runs.sqlite"
    seen: list = []
    monkeypatch.setattr("twin.scenario.store.HEARTBEAT_S", 0.05)
    monkeypatch.setattr("twin.scenario.runner.run_scenario", _blocking_run_scenario(store_path, run_id, seen))
    record = run_one(str(path), str(store_path), str(tmp_path / "out"))
    assert seen == [[f"twin-heartbeat-{run_id}"]]  # one thread beat while the run computed
    assert record["status"] == "failed" and "stopped by the test" in record["error"]
    assert not _heartbeat_threads(run_id)


def test_twin_run_beats_while_it_computes_and_stops_after(tmp_path, app, monkeypatch):  # noqa: F811 (fixture)
    from twin.workflows.scenario_run import run_scenario_file, store_path_for

    path, run_id, _ = app
    out = tmp_path / "results"
    seen: list = []
    monkeypatch.setattr("twin.scenario.store.HEARTBEAT_S", 0.05)
    monkeypatch.setattr("twin.scenario.runner.run_scenario", _blocking_run_scenario(store_path_for(out), run_id, seen))
    with pytest.raises(InputError, match="stopped by the test"):
        run_scenario_file(path, out, progress=False)
    assert seen == [[f"twin-heartbeat-{run_id}"]]
    assert RunStore(store_path_for(out)).get(run_id)["status"] == "failed"
    assert not _heartbeat_threads(run_id)


@pytest.mark.slow
def test_batch_computes_a_run_whose_holder_of_another_host_stops_beating(tmp_path, app, monkeypatch):  # noqa: F811
    from twin.scenario.batch import run_batch

    path, run_id, claim = app
    out = tmp_path / "out"
    store = RunStore(out / "runs.sqlite")
    assert store.claim(run_id, **claim).claimed
    _set(out / "runs.sqlite", run_id, host="node-17", pid=4242, pid_started="boot:1", started_at=_utc(3600), heartbeat_at=_utc(5))
    # the batch's worker finds the run held (fresh heartbeat); while the batch waits, the heartbeat stops
    waited = _batch_waiting_on(monkeypatch, lambda: _set(out / "runs.sqlite", run_id, heartbeat_at=_utc(3000)))
    original = RunStore.wait_while_held

    def bounded(self, run_id, **kwargs):  # a batch that would wait forever fails the test instead
        record = original(self, run_id, **{**kwargs, "timeout_s": kwargs.get("timeout_s") or TIMEOUT_S})
        assert not self.is_held(record), f"still waiting after {TIMEOUT_S} s for {record['host']}"
        return record

    monkeypatch.setattr(RunStore, "wait_while_held", bounded)
    records = run_batch(path.parent, out=out, n_workers=1, report=False)
    assert [(w["host"], w["pid"]) for w in waited] == [("node-17", 4242)]  # the batch did wait for it
    row = records.iloc[0]
    assert row["status"] == "done", row["error"]
    assert row["attempts"] == 2 and row["host"] == socket.gethostname()
    assert row["kpis"]["reno/energy/heating_need_mwh"] < 0  # computed here
    assert (out / run_id / "kpis.parquet").exists()
