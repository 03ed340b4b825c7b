"""The priors-alone pass of a calibrated run starts from the run's ingested scene.

:func:`twin.scenario.report_calibration.add_prior_bands` runs the scenario again without its
calibration (:func:`~twin.scenario.report_calibration.counterpart_kpis`); it read the same input
files again. It now starts from a copy of the scene the run ingested before applying its
calibration (:class:`twin.scenario.runner.IngestedScene`), when the files are the same (path,
size, modification time) and the CRS options too. The copy must carry nothing of the
calibration, and its KPI table must be that of a run that reads the files.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """A small district calibrated to synthetic gas readings of its buildings, run with 4 samples."""
    from tests.scenario_helpers import BOX_100M, EPW, write_small_district
    from twin.calibration.calibrate import calibrate_buildings
    from twin.calibration.forward import ForwardModel
    from twin.calibration.meters import read_meters
    from twin.calibration.parameters import load_calibration_priors
    from twin.calibration.synthetic import calendar_layout, noisy
    from twin.calibration.writeback import building_table
    from twin.energy.stock import prepare_stock
    from twin.errors import TwinWarning
    from twin.ingest import ingest
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    tmp = tmp_path_factory.mktemp("prior_pass")
    buildings = write_small_district(tmp, BOX_100M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene, _ = ingest([buildings, EPW])
    prep = prepare_stock(scene)
    env = prep.envelope
    n = len(env)
    rng = np.random.default_rng(3)
    months = calendar_layout(prep.drivers, "MS")
    fm = ForwardModel(env, prep.drivers, months, np.full(n, "gas"), conventions=prep.conventions, factors=prep.factors, shade=prep.shade_factor)
    cp = load_calibration_priors()[0]
    m = fm.predict(np.arange(n), cp.values_from_z(cp.sample_z(rng, n)))
    keep = ~np.isnan(m).any(axis=1)
    ids = env["building_id"].astype(str).to_numpy()[keep]
    y = noisy(m[keep], rng)
    p, s = np.meshgrid(np.arange(12), np.arange(len(ids)))
    meters = pd.DataFrame({"building_id": ids[s.ravel()], "carrier": "gas", "start": [t.isoformat() for t in months.start[p.ravel()]],
                           "end": [t.isoformat() for t in months.end[p.ravel()]], "kwh": y.ravel()})
    cal = calibrate_buildings(scene, read_meters(meters, building_ids=scene.buildings["building_id"].astype(str)), prepared=prep, seed=1)
    building_table(cal).to_parquet(tmp / "calibration.parquet")
    doc = {"name": "calibrated", "inputs": {"files": [str(buildings)], "weather": str(EPW), "calibration": "calibration.parquet"},
           "domains": ["energy"], "uncertainty": {"samples": 4, "seed": 5},
           "whatifs": [{"name": "walls", "modifications": [{"op": "renovate", "select": {"fraction": 1.0}, "measures": ["wall_insulation"]}]}]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        run = run_scenario(parse_scenario(doc), base_dir=tmp)
    return run, doc, tmp, buildings


def _count_ingests(monkeypatch) -> list:
    import twin.ingest

    calls = []
    real = twin.ingest.ingest
    monkeypatch.setattr(twin.ingest, "ingest", lambda *a, **k: calls.append(a) or real(*a, **k))
    return calls


def _uncalibrated(doc: dict, tmp) -> pd.DataFrame:
    """The priors-alone KPI table of a run that reads its files (no ingested scene given)."""
    from twin.errors import TwinWarning
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    other = {**doc, "inputs": {k: v for k, v in doc["inputs"].items() if k != "calibration"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        return run_scenario(parse_scenario(other), base_dir=tmp, progress=False, no_effect="warn").kpis


def test_the_ingested_scene_carries_no_calibration_and_is_the_files_scene(calibrated):
    from tests.scenario_helpers import EPW
    from twin.errors import TwinWarning
    from twin.ingest import ingest

    run, _, _, buildings = calibrated
    kept = run.ingested.scene.buildings
    assert "calib_kind" in run.baseline_scene.buildings  # the run itself is calibrated
    assert not [c for c in kept.columns if c.startswith("calib_")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        fresh, _ = ingest([buildings, EPW])
    pd.testing.assert_frame_equal(kept, fresh.buildings, check_exact=True)
    assert run.ingested.fresh().changed == fresh.changed


def test_the_prior_pass_reads_no_file_and_gives_the_table_of_a_run_that_reads_them(calibrated, monkeypatch):
    from twin.errors import TwinWarning
    from twin.scenario.report_calibration import counterpart_kpis

    run, doc, tmp, _ = calibrated
    want = _uncalibrated(doc, tmp)
    calls = _count_ingests(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        got = counterpart_kpis(run, base_dir=tmp)
    assert calls == []
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # the run's own priors-alone columns are the same table
    from twin.scenario.report_calibration import prior_kpis

    carried = prior_kpis(run.kpis).merge(want, on=["whatif", "domain", "kpi"], suffixes=("", "_read"))
    assert len(carried) == int((want["domain"] == "energy").sum()) > 0
    for c in ("baseline", "delta", "baseline_p_lo", "baseline_p_hi", "delta_p_lo", "delta_p_hi"):
        np.testing.assert_array_equal(carried[c].to_numpy(float), carried[f"{c}_read"].to_numpy(float))


def test_a_file_changed_since_is_read_again(calibrated, monkeypatch):
    from twin.errors import TwinWarning
    from twin.scenario.report_calibration import counterpart_kpis

    run, _, tmp, buildings = calibrated
    st = os.stat(buildings)
    calls = _count_ingests(monkeypatch)
    try:
        os.utime(buildings, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TwinWarning)
            counterpart_kpis(run, base_dir=tmp)
    finally:
        os.utime(buildings, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert len(calls) == 1
