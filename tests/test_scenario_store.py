"""Run store: one record per run id, done runs are not claimed again, concurrent claims are exclusive."""

from __future__ import annotations

import multiprocessing as mp

from twin.scenario.store import RunStore, hash_files, make_run_id


def test_claim_finish_and_skip(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    kw = dict(scenario="s.yaml", version="0.1", input_hash="abc", scenario_hash="def", seed=1)
    rid = make_run_id("def", "abc", 1, "0.1")
    assert store.claim(rid, **kw)
    store.finish(rid, kpis={"energy/q": -1.5}, outputs={"kpis": "x"})
    assert not store.claim(rid, **kw)  # done: nothing to do
    rec = store.get(rid)
    assert rec["status"] == "done" and rec["kpis"] == {"energy/q": -1.5} and rec["attempts"] == 1
    assert len(store.runs()) == 1


def test_failed_or_interrupted_runs_are_claimed_again(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    kw = dict(scenario="s.yaml", version="0.1", input_hash="abc", scenario_hash="def", seed=1)
    assert store.claim("r1", **kw)  # then the process dies: status stays 'running'
    assert store.claim("r1", **kw)
    store.fail("r1", "boom")
    assert store.get("r1")["status"] == "failed"
    assert store.claim("r1", **kw)
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


def _finish_many(path, ids):
    store = RunStore(path)
    for rid in ids:
        if store.claim(rid, scenario="s", version="v", input_hash="i", scenario_hash="h", seed=0):
            store.finish(rid, kpis={"k": 1.0})


def test_concurrent_processes_record_each_run_once(tmp_path):
    path = tmp_path / "runs.sqlite"
    RunStore(path)
    ids = [f"r{i}" for i in range(40)]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_finish_many, args=(path, ids)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    runs = RunStore(path).runs()
    assert sorted(runs["run_id"]) == sorted(ids)
    assert (runs["status"] == "done").all()
