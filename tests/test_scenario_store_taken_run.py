"""A process whose run was taken from it does not overwrite the new holder's record.

A run is taken from a live process when its heartbeat stops for longer than ``STALE_AFTER_S``
(a host under heavy load, a paused VM) or when it is released by hand. The old holder goes on
computing; its ``finish`` or ``fail`` replaced the record of the new claim (status, KPIs, error)
whatever that claim had recorded since.
"""

from __future__ import annotations

import logging

import pytest

from tests.test_scenario_store_claim_held import KW, _set, app, tiny_source  # noqa: F401 (fixtures)
from twin.scenario.store import RunStore


def _taken(path, run_id: str) -> None:
    """The record now belongs to process 4242 of host node-17, claimed after this process's claim."""
    _set(path, run_id, host="node-17", pid=4242, started_at="2999-01-01T00:00:00.000+00:00")


def test_finish_and_fail_under_a_claim_that_was_taken_record_nothing(tmp_path, caplog):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    mine = store.claim("r", **KW)
    _taken(path, "r")
    before = store.get("r")
    with caplog.at_level(logging.WARNING, logger="twin.scenario.store"):
        assert store.finish("r", kpis={"w/energy/q": 1.0}, claim=mine) is False
        assert store.fail("r", "boom", claim=mine) is False
    assert store.get("r") == before
    assert "was taken from this process" in caplog.text


def test_finish_under_the_claim_still_held_records_the_result(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    mine = store.claim("r", **KW)
    assert store.finish("r", kpis={"w/energy/q": 1.0}, claim=mine) is True
    record = store.get("r")
    assert record["status"] == "done" and record["kpis"] == {"w/energy/q": 1.0}


def test_a_claim_that_is_not_ours_cannot_record(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    store.claim("r", **KW)
    store.finish("r", kpis={})
    done = store.claim("r", **KW)
    with pytest.raises(ValueError, match="records nothing"):
        store.finish("r", kpis={}, claim=done)


@pytest.mark.slow
def test_a_batch_task_whose_run_was_taken_keeps_the_new_holders_record(tmp_path, app, monkeypatch):  # noqa: F811 (fixture)
    """run_one computes on; the run is taken meanwhile; its result does not replace the record."""
    from twin.scenario import batch, runner

    path, run_id, _ = app
    store_path = tmp_path / "out" / "runs.sqlite"
    store_path.parent.mkdir()
    real = runner.run_scenario

    def run_then_lose_the_run(*args, **kwargs):
        result = real(*args, **kwargs)
        _taken(store_path, run_id)  # as if another host took it while this one computed
        return result

    monkeypatch.setattr(runner, "run_scenario", run_then_lose_the_run)
    record = batch.run_one(str(path), str(store_path), str(tmp_path / "out"), report=False)
    assert record["status"] == "running" and (record["host"], record["pid"]) == ("node-17", 4242)
    assert record["kpis"] is None


@pytest.mark.slow
def test_twin_run_whose_run_was_taken_keeps_the_new_holders_record(tmp_path, app, monkeypatch):  # noqa: F811 (fixture)
    from twin.scenario import runner
    from twin.workflows.scenario_run import run_scenario_file, store_path_for

    path, _, _ = app
    out = tmp_path / "results"
    real = runner.run_scenario
    taken = []

    def run_then_lose_the_run(*args, **kwargs):
        result = real(*args, **kwargs)
        store = RunStore(store_path_for(out))
        (run_id,) = store.runs()["run_id"]
        _taken(store.path, run_id)
        taken.append(run_id)
        return result

    monkeypatch.setattr(runner, "run_scenario", run_then_lose_the_run)
    run_scenario_file(path, out, progress=False)
    record = RunStore(store_path_for(out)).get(taken[0])
    assert record["status"] == "running" and (record["host"], record["pid"]) == ("node-17", 4242)
