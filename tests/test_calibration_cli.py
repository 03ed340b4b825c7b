"""twin calibrate and twin sync on the command line: a calibrated scene written whole, and every bad input
as one 'twin: error:' line (or a reported cleaning step)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import DATA_SAMPLES
from twin.errors import TwinWarning

EPW = DATA_SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
N = 10


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """A 10-building scene and a year of monthly gas readings of 4 of them (synthetic truth)."""
    from twin.calibration.forward import ForwardModel
    from twin.calibration.parameters import load_calibration_priors
    from twin.calibration.synthetic import calendar_layout, noisy
    from twin.energy.stock import prepare_stock
    from twin.export.layers import write_scene
    from twin.ingest import ingest

    root = tmp_path_factory.mktemp("cal")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene, _ = ingest([DATA_SAMPLES / "stgilles_buildings_osm2013.geojson", EPW])
    b = scene.buildings
    scene.set_layer("buildings", b[b["use"] == "residential"].iloc[:N])
    write_scene(scene, root / "scene")
    prep = prepare_stock(scene)
    months = calendar_layout(prep.drivers, "MS")
    fm = ForwardModel(prep.envelope.iloc[:4], prep.drivers, months, np.full(4, "gas"), conventions=prep.conventions, factors=prep.factors,
                      shade=prep.shade_factor[:4])
    priors = load_calibration_priors()[0]
    rng = np.random.default_rng(3)
    x = np.tile(priors.values_from_z(priors.z_from_t(priors.mu[None, :])), (4, 1)) * np.array([0.8, 1.1, 1.0, 1.0])
    y = noisy(fm.predict(np.arange(4), x), rng)
    ids = prep.envelope["building_id"].astype(str).to_numpy()[:4]
    rows = [{"building_id": ids[i], "carrier": "gas", "start": months.start[p].isoformat(), "end": months.end[p].isoformat(), "kwh": y[i, p]}
            for i in range(4) for p in range(12)]
    meters = pd.DataFrame(rows)
    meters.to_csv(root / "meters.csv", index=False)
    return root, meters, ids


def _csv(root, name, frame):
    p = root / name
    frame.to_csv(p, index=False)
    return p


@pytest.mark.slow
def test_calibrate_and_sync_end_to_end(case):
    root, meters, ids = case
    out = root / "out"
    r = run_twin(["calibrate", root / "scene", "--meters", root / "meters.csv", "--train-until", "2023-10-01T00:00:00+01:00", "-o", out],
                 timeout_s=600)
    assert r.code == 0, r.stderr
    assert "calibrated 4 metered buildings" in r.stdout and "held-out periods" in r.stdout
    for name in ("calibration.parquet", "posterior_draws.parquet", "predictions.parquet", "summary.json", "scene/scene.json"):
        assert (out / name).exists(), name
    t = pd.read_parquet(out / "calibration.parquet")
    assert sorted(t["building_id"]) == sorted(ids) and (t["calib_h_tr_factor_source"] == "calibrated").all()
    s = json.loads((out / "summary.json").read_text())
    assert len(s["buildings"]) == 4 and s["options"]["train_until"].startswith("2023-10-01")
    # live sync on the calibrated scene: init, a day of hourly readings, a forecast with a band
    state = root / "state.npz"
    r = run_twin(["sync", "init", out / "scene", "-w", EPW, "--start", "2023-01-15T00:00:00+01:00", "-o", state, "--members", "16"], timeout_s=600)
    assert r.code == 0, r.stderr
    hours = pd.date_range("2023-01-15T00:00:00+01:00", periods=24, freq="h")
    hourly = pd.DataFrame([{"building_id": b, "carrier": "gas", "start": h.isoformat(), "end": (h + pd.Timedelta(hours=1)).isoformat(), "kwh": 20.0}
                           for h in hours for b in ids])
    # one hour missing, one hour of the next (incomplete) day: both reported, not silently dropped
    nxt = hourly.iloc[[0]].assign(start=(hours[-1] + pd.Timedelta(hours=1)).isoformat(), end=(hours[-1] + pd.Timedelta(hours=2)).isoformat())
    hourly = pd.concat([hourly.iloc[1:], nxt], ignore_index=True)
    r = run_twin(["sync", "update", state, "--readings", _csv(root, "hourly.csv", hourly), "-w", EPW], timeout_s=600)
    assert r.code == 0, r.stderr
    assert "1 day assimilated" in r.stdout
    assert f"1 of {24 * len(ids)} hourly readings missing" in r.stdout and "1 readings after the last whole day" in r.stdout, r.stdout
    # the measured total is set against the band of the same buildings (the one with a missing hour left out of both)
    assert f"measured {20 * 24 * (len(ids) - 1):,} kWh" in r.stdout and f"total of the {len(ids) - 1} of {len(ids)} buildings with all 24 readings" in r.stdout, r.stdout
    r = run_twin(["sync", "forecast", state, "-w", EPW, "--days", "2", "-o", root / "fc.csv"], timeout_s=600)
    assert r.code == 0, r.stderr
    fc = pd.read_csv(root / "fc.csv")
    assert len(fc) == 8 and (fc["p5_kwh"] <= fc["p50_kwh"]).all() and (fc["p50_kwh"] <= fc["p95_kwh"]).all()
    assert fc["day"].iloc[0].startswith("2023-01-16")


def test_unknown_building_is_an_error_or_dropped_with_a_warning(case):
    root, meters, ids = case
    bad = meters.copy()
    bad.loc[5, "building_id"] = "osm:way/0"
    p = _csv(root, "unknown.csv", bad)
    r = run_twin(["calibrate", root / "scene", "--meters", p, "-o", root / "o1"])
    assert_one_line_error(r, contains=("osm:way/0", "not in the scene", "row 7", "--drop-unknown"))


def test_register_that_goes_down_is_an_error(case):
    root, meters, ids = case
    reg = pd.DataFrame({"building_id": ids[0], "carrier": "gas", "timestamp": ["2023-01-01T00:00:00+01:00", "2023-02-01T00:00:00+01:00",
                                                                               "2023-03-01T00:00:00+01:00"], "kwh": [100.0, 5000.0, 4000.0]})
    r = run_twin(["calibrate", root / "scene", "--meters", _csv(root, "reg.csv", reg), "-o", root / "o2"])
    assert_one_line_error(r, contains=("register goes down", "row 4", "meter_id"))


def test_conflicting_duplicates_missing_time_zone_and_wrong_units(case):
    root, meters, ids = case
    dup = pd.concat([meters, meters.iloc[[3]].assign(kwh=1.0)], ignore_index=True)
    assert_one_line_error(run_twin(["calibrate", root / "scene", "--meters", _csv(root, "dup.csv", dup), "-o", root / "o3"]),
                          contains=("two different readings", "rows 5, 50"))
    naive = meters.assign(start=meters["start"].str[:19], end=meters["end"].str[:19])
    assert_one_line_error(run_twin(["calibrate", root / "scene", "--meters", _csv(root, "naive.csv", naive), "-o", root / "o4"]),
                          contains=("no time zone", "--tz"))
    wh = meters.assign(kwh=meters["kwh"] * 1000.0)  # Wh written as kWh
    assert_one_line_error(run_twin(["calibrate", root / "scene", "--meters", _csv(root, "wh.csv", wh), "-o", root / "o5"]),
                          contains=("W per m2", "wrong unit"))
    unit = meters.drop(columns="kwh").assign(value=1.0, unit="BTU")
    assert_one_line_error(run_twin(["calibrate", root / "scene", "--meters", _csv(root, "btu.csv", unit), "-o", root / "o6"]),
                          contains=("unknown unit 'btu'",))


def test_negative_reading_readings_outside_the_weather_and_nothing_to_fit(case):
    root, meters, ids = case
    neg = meters.copy()
    neg.loc[2, "kwh"] = -5.0
    assert_one_line_error(run_twin(["calibrate", root / "scene", "--meters", _csv(root, "neg.csv", neg), "-o", root / "o7"]),
                          contains=("negative consumption", "row 4"))
    late = meters.assign(start=meters["start"].str.replace("2023", "2031"), end=meters["end"].str.replace("2023", "2031").str.replace("2024", "2032"))
    assert_one_line_error(run_twin(["calibrate", root / "scene", "--meters", _csv(root, "late.csv", late), "-o", root / "o8"]),
                          contains=("outside the weather",))
    assert_one_line_error(run_twin(["calibrate", root / "scene", "-o", root / "o9"]), contains=("nothing to calibrate",))
    assert_one_line_error(run_twin(["calibrate", root / "scene", "--meters", root / "meters.csv", "--sigma-rel", "lots", "-o", root / "o10"]),
                          contains=("--sigma-rel",))


def test_output_is_checked_before_anything_is_fitted(case, tmp_path):
    root, meters, ids = case
    gap = meters.drop(index=[13]).reset_index(drop=True)
    # the output path is refused before any reading or fitting (a file is in the way)
    (tmp_path / "file").write_text("x")
    r = run_twin(["calibrate", root / "scene", "--meters", _csv(root, "gap.csv", gap), "-o", tmp_path / "file" / "out"])
    assert_one_line_error(r, contains=("--out",))


def test_sync_bad_input(case, tmp_path):
    root, meters, ids = case
    assert_one_line_error(run_twin(["sync", "init", root / "scene", "-w", EPW, "--start", "2023-01-15T00:00:00+01:00", "-o", tmp_path / "s.npz"]),
                          contains=("no building of the scene is calibrated",))
    (tmp_path / "junk.npz").write_bytes(b"junk")
    assert_one_line_error(run_twin(["sync", "update", tmp_path / "junk.npz", "--readings", root / "meters.csv", "-w", EPW]),
                          contains=("not a sync state",))
    assert_one_line_error(run_twin(["sync", "forecast", tmp_path / "junk.npz", "-w", EPW, "--days", "0"]), contains=("--days",))
