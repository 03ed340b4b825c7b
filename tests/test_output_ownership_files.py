"""A file output replaces only a file of its own kind (:func:`twin.io.output_checks.check_file_writer`).

``twin sync forecast -o X.csv`` replaced any CSV, a table of hourly readings included (the
measurements were lost, exit 0); ``twin sync init -o X.npz`` any ``.npz``; ``twin export -o
X.city.json`` and ``twin solar cadastre --cityjson X`` each other's CityJSON. Each refusal is one
``twin: error:`` line naming the file, what it holds and what to do, and leaves the file
byte-identical; every command still replaces its own earlier file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs

START = "2023-01-15T00:00:00+01:00"


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict[str, Path]:
    """The tiny district ingested, a sync state of it, a forecast, a CityJSON export and a solar CityJSON."""
    root = tmp_path_factory.mktemp("file_ownership")
    inputs = write_tiny_inputs(root / "in")
    paths = {"inputs": inputs, "weather": inputs / "weather.epw", "scene": root / "scene", "state": root / "state.npz",
             "forecast": root / "forecast.csv", "export": root / "export.city.json", "solar": root / "solar.city.json"}
    steps = (
        ["ingest", inputs / "district.geojson", paths["weather"], "-o", paths["scene"], "-q"],
        ["sync", "init", paths["scene"], "-w", paths["weather"], "--start", START, "--from-prior", "--members", "8", "-o", paths["state"]],
        ["sync", "forecast", paths["state"], "-w", paths["weather"], "--days", "1", "-o", paths["forecast"]],
        ["export", paths["scene"], "-o", paths["export"]],
        ["solar", "cadastre", paths["scene"], "-w", paths["weather"], "-o", root / "solar_out", "--cityjson", paths["solar"], "-q"],
    )
    for args in steps:
        result = run_twin(args, timeout_s=600)
        assert result.code == 0, result.stderr
    return paths


def _refused(args: list, target: Path, contains: tuple[str, ...]) -> None:
    """``twin ARGS`` ends in one error line holding ``contains`` and leaves ``target`` byte-identical."""
    before = target.read_bytes()
    assert_one_line_error(run_twin(args, timeout_s=600), contains=(str(target), "remove it", *contains))
    assert target.read_bytes() == before


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


def _readings(path: Path) -> Path:
    """A table of hourly meter readings (the user's measurements)."""
    rows = [f"b{i},2023-01-16T{h:02d}:00:00+01:00,2023-01-16T{h + 1:02d}:00:00+01:00,{1.5 + h / 10:.2f},kWh,gas" for i in range(2) for h in range(23)]
    path.write_text("building_id,start,end,value,unit,carrier\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_sync_forecast_does_not_replace_a_readings_csv(case, tmp_path: Path) -> None:
    readings = _readings(tmp_path / "readings.csv")
    _refused(["sync", "forecast", case["state"], "-w", case["weather"], "--days", "1", "-o", readings], readings,
             ("'--out'", "a CSV table with other columns (building_id,start,end,value,...)", "not an earlier result of twin sync forecast",
              "another -o file"))


def test_sync_forecast_replaces_its_own_forecast(case, tmp_path: Path) -> None:
    out = _copy(case["forecast"], tmp_path / "fc.csv")
    out.write_text(out.read_text(encoding="utf-8") + out.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")  # rows twice
    result = run_twin(["sync", "forecast", case["state"], "-w", case["weather"], "--days", "1", "-o", out])
    assert result.code == 0, result.stderr
    assert out.read_bytes() == case["forecast"].read_bytes()  # the same forecast: the rows once, as written first


def test_sync_init_does_not_replace_another_npz(case, tmp_path: Path) -> None:
    other = tmp_path / "mine.npz"
    np.savez(other, temperature=np.arange(24.0), flow=np.ones(3))
    _refused(["sync", "init", case["scene"], "-w", case["weather"], "--start", START, "--from-prior", "--members", "8", "-o", other], other,
             ("'--out'", "not a sync state (arrays flow, temperature)", "not an earlier result of twin sync"))


def test_sync_init_replaces_its_own_state(case, tmp_path: Path) -> None:
    out = _copy(case["state"], tmp_path / "again.npz")
    with np.load(out, allow_pickle=False) as d:
        assert json.loads(str(d["meta"]))["written_by"] == "twin sync"
    result = run_twin(["sync", "init", case["scene"], "-w", case["weather"], "--start", "2023-01-16T00:00:00+01:00", "--from-prior",
                       "--members", "8", "-o", out])
    assert result.code == 0, result.stderr
    with np.load(out, allow_pickle=False) as d:
        assert json.loads(str(d["meta"]))["next_time"].startswith("2023-01-16 00:00:00")


def test_sync_init_replaces_a_state_of_an_older_twin(case, tmp_path: Path) -> None:
    """A state written before states recorded their writer is recognised by its arrays."""
    older = tmp_path / "older.npz"
    with np.load(case["state"], allow_pickle=False) as d:
        arrays = {k: d[k] for k in d.files}
    meta = json.loads(str(arrays["meta"]))
    del meta["written_by"]
    np.savez(older, **{**arrays, "meta": np.array(json.dumps(meta))})
    result = run_twin(["sync", "init", case["scene"], "-w", case["weather"], "--start", START, "--from-prior", "--members", "8", "-o", older])
    assert result.code == 0, result.stderr
    with np.load(older, allow_pickle=False) as d:
        assert json.loads(str(d["meta"]))["written_by"] == "twin sync"


def test_export_does_not_replace_a_solar_cityjson(case, tmp_path: Path) -> None:
    solar = _copy(case["solar"], tmp_path / "solar.city.json")
    _refused(["export", case["scene"], "-o", solar], solar,
             ("'--out'", "a CityJSON written by twin solar cadastre", "not an earlier result of twin export"))


def test_solar_does_not_replace_an_exported_cityjson(case, tmp_path: Path) -> None:
    exported = _copy(case["export"], tmp_path / "export.city.json")
    _refused(["solar", "cadastre", case["scene"], "-w", case["weather"], "-o", tmp_path / "solar_out", "--cityjson", exported, "-q"], exported,
             ("'--cityjson'", "a CityJSON written by twin export", "not an earlier result of twin solar cadastre"))
    assert not (tmp_path / "solar_out").exists()  # refused before any work


@pytest.mark.parametrize("which", ["export", "solar"])
def test_cityjson_replaced_by_its_own_command(case, tmp_path: Path, which: str) -> None:
    out = _copy(case[which], tmp_path / "own.city.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    writer = {"export": "twin export", "solar": "twin solar cadastre"}[which]
    assert doc["metadata"]["twin_written_by"] == writer
    out.write_text(json.dumps({**doc, "CityObjects": {}}, separators=(",", ":")), encoding="utf-8")  # an earlier, emptier file
    if which == "export":
        args = ["export", case["scene"], "-o", out]
    else:
        args = ["solar", "cadastre", case["scene"], "-w", case["weather"], "-o", tmp_path / "solar_out", "--cityjson", out, "-q"]
    result = run_twin(args, timeout_s=600)
    assert result.code == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["CityObjects"] == doc["CityObjects"]


def test_cityjson_of_an_older_twin_is_refused_once(case, tmp_path: Path) -> None:
    """A CityJSON of twin that records no writer (an older twin) cannot be told from the other
    command's: it is refused, naming that it records none."""
    doc = json.loads(case["export"].read_text(encoding="utf-8"))
    del doc["metadata"]["twin_written_by"]
    older = tmp_path / "older.city.json"
    older.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    _refused(["export", case["scene"], "-o", older], older, ("no writer recorded (an older twin)", "not an earlier result of twin export"))
