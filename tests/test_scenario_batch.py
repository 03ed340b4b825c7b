"""Batch bookkeeping without a cluster: discovery, planning, idempotent runs, atomic outputs.

The Dask runs themselves (a 20-permit batch with a worker killed, a batch process SIGKILLed
and rerun) are in ``test_scenario_batch_faults.py``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml

from tests.scenario_helpers import EPW, fake_comparison, write_small_district
from twin.errors import InputError
from twin.scenario.batch import (
    discover,
    plan_batch,
    run_identity,
    run_one,
)
from twin.scenario.outputs import write_outputs
from twin.scenario.store import RunStore

TINY_BOX = (148330.0, 168860.0, 148390.0, 168920.0)  # a few footprints around the Parvis


def tiny_scenario(buildings, name="tiny", seed=0, fraction=0.5):
    return {
        "name": name,
        "inputs": {"files": [str(buildings)], "weather": str(EPW)},
        "domains": ["energy"],
        "whatifs": [{"name": "reno", "modifications": [
            {"op": "renovate", "select": {"fraction": fraction}, "measures": ["wall_insulation"]}]}],
        "uncertainty": {"seed": seed},
    }


@pytest.fixture(scope="module")
def tiny_source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    return write_small_district(folder, TINY_BOX)


@pytest.fixture
def tiny(tmp_path, tiny_source):
    """The tiny district copied into the test's folder (scenario inputs must stay in the scenario's folder)."""
    import shutil

    folder = tmp_path / "apps"  # inside the folder of every scenario file of these tests
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(tiny_source, folder / tiny_source.name))


def write(folder, name, doc):
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    return p


def test_discover_folder_and_glob(tmp_path, tiny):
    a = write(tmp_path / "apps", "a.yaml", tiny_scenario(tiny))
    b = write(tmp_path / "apps" / "sub", "b.yml", tiny_scenario(tiny, "b"))
    write(tmp_path / "apps", "notes.txt", "not a scenario")
    assert discover(tmp_path / "apps") == [a, b]
    assert discover(str(tmp_path / "apps" / "*.yaml")) == [a]
    with pytest.raises(InputError, match="no scenario files"):
        discover(tmp_path / "nothing")


def test_run_id_follows_contents_not_formatting(tmp_path, tiny):
    a = write(tmp_path, "a.yaml", tiny_scenario(tiny))
    b = write(tmp_path, "b.yaml", "# the same, written by hand\n" + yaml.safe_dump(tiny_scenario(tiny), default_flow_style=True))
    c = write(tmp_path, "c.yaml", tiny_scenario(tiny, seed=1))
    ids = [run_identity(p)["run_id"] for p in (a, b, c)]
    assert ids[0] == ids[1] != ids[2]
    # an input file that changes changes the run id
    before = run_identity(a)["run_id"]
    frame = gpd.read_file(tiny)
    frame.iloc[:-1].to_file(tmp_path / "fewer.geojson", driver="GeoJSON")
    d = write(tmp_path, "d.yaml", dict(tiny_scenario(tiny), inputs={"files": [str(tmp_path / "fewer.geojson")], "weather": str(EPW)}))
    assert run_identity(d)["run_id"] != before


def test_plan_records_invalid_files_and_skips_duplicates_and_done_runs(tmp_path, tiny):
    apps = tmp_path / "apps"
    a = write(apps, "a.yaml", tiny_scenario(tiny))
    write(apps, "a_copy.yaml", tiny_scenario(tiny))  # the same run
    bad = write(apps, "bad.yaml", dict(tiny_scenario(tiny), colour="red"))
    c = write(apps, "c.yaml", tiny_scenario(tiny, "c"))
    store = RunStore(tmp_path / "runs.sqlite")
    todo, ids = plan_batch(discover(apps), store)
    assert [t["path"] for t in todo] == [str(a.resolve()), str(c.resolve())]
    failed = store.get(ids[str(bad)])
    assert failed["status"] == "failed" and "colour" in failed["error"]
    # a run recorded as done is not planned again
    store.claim(todo[0]["run_id"], **todo[0]["claim"])
    store.finish(todo[0]["run_id"], kpis={})
    todo2, _ = plan_batch(discover(apps), store)
    assert [t["path"] for t in todo2] == [str(c.resolve())]
    assert sorted(store.runs()["status"]) == ["done", "failed"]  # a and bad; c is planned, not claimed


def test_run_one_is_idempotent(tmp_path, tiny):
    path = write(tmp_path, "s.yaml", tiny_scenario(tiny))
    store_path, out = tmp_path / "runs.sqlite", tmp_path / "out"
    stale = out / ".{}.stale".format(run_identity(path)["run_id"])
    stale.mkdir(parents=True)  # a temporary folder left by a killed attempt
    first = run_one(str(path), str(store_path), str(out), report=False)
    assert first["status"] == "done", first["error"]
    assert first["attempts"] == 1 and first["pid"] == os.getpid()
    assert not stale.exists()
    folder = out / first["run_id"]
    kpis = pd.read_parquet(folder / "kpis.parquet")
    assert set(kpis["kpi"]) >= {"heating_need_mwh", "buildings_simulated"}
    assert first["kpis"]["reno/energy/heating_need_mwh"] == pytest.approx(kpis.set_index("kpi").loc["heating_need_mwh", "delta"])
    assert first["kpis"]["reno/energy/heating_need_mwh"] < 0  # insulating walls lowers the heating need
    mtime = (folder / "kpis.parquet").stat().st_mtime_ns
    second = run_one(str(path), str(store_path), str(out), report=False)
    assert second == first  # not run again: the same record, outputs untouched
    assert (folder / "kpis.parquet").stat().st_mtime_ns == mtime
    assert len(RunStore(store_path).runs()) == 1


def test_run_one_records_bad_inputs_as_failed(tmp_path, tiny):
    path = write(tmp_path, "s.yaml", dict(tiny_scenario(tiny), inputs={"files": ["missing.geojson"], "weather": str(EPW)}))
    record = run_one(str(path), str(tmp_path / "runs.sqlite"), str(tmp_path / "out"))
    assert record["status"] == "failed"
    assert "missing.geojson" in record["error"] and "inputs.files.0" in record["error"]


def test_failing_a_done_run_keeps_it_done(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    kw = dict(scenario="s", version="v", input_hash="i", scenario_hash="h", seed=0)
    store.claim("r", **kw)
    store.finish("r", kpis={"k": 1.0})
    store.fail("r", "late news of a lost task")
    assert store.get("r")["status"] == "done" and store.get("r")["error"] is None


def test_store_adds_columns_to_an_older_table(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE runs (run_id TEXT PRIMARY KEY, scenario TEXT NOT NULL, label TEXT NOT NULL DEFAULT '', "
                "status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, version TEXT NOT NULL, input_hash TEXT NOT NULL, "
                "scenario_hash TEXT NOT NULL, seed INTEGER, attempts INTEGER NOT NULL DEFAULT 1, error TEXT, kpis TEXT, outputs TEXT)")
    con.commit()
    con.close()
    store = RunStore(path)
    assert store.claim("r", scenario="s", version="v", input_hash="i", scenario_hash="h", seed=0).claimed
    assert store.get("r")["pid"] == os.getpid()


def test_write_outputs_geoparquet_with_new_and_removed_objects(tmp_path):
    out = tmp_path / "out" / "run1"
    written = write_outputs(fake_comparison(), out)
    assert written == {"kpis": "kpis.parquet", "w/energy": "deltas_w_energy.parquet"}
    frame = gpd.read_parquet(out / "deltas_w_energy.parquet").set_index("building_id")
    assert frame.crs.to_epsg() == 31370
    assert frame.loc["a", "q_heat_kwh_delta"] == 1.0
    assert np.isnan(frame.loc["n", "q_heat_kwh_baseline"]) and frame.loc["n", "geometry"].bounds[0] == 100.0
    assert np.isnan(frame.loc["d", "q_heat_kwh_whatif"]) and not frame.loc["d", "geometry"].is_empty
    mode = stat.S_IMODE(out.stat().st_mode)
    assert mode & 0o055 == 0o055 & ~_umask(), oct(mode)  # not the private mode of a temporary folder


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m


def test_write_outputs_replaces_a_previous_folder_whole(tmp_path, monkeypatch):
    out = tmp_path / "run1"
    write_outputs(fake_comparison(), out)
    (out / "leftover.txt").write_text("from an older version")
    write_outputs(fake_comparison(), out)
    assert sorted(p.name for p in out.iterdir()) == ["deltas_w_energy.parquet", "kpis.parquet"]
    # a failure while writing leaves the previous folder as it was and no temporary folder behind
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", boom)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(fake_comparison(), out)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run1"]
