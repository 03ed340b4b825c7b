"""``twin store list`` shows what the runs found: each what-if's KPI changes, through the command line.

A store made here with :class:`RunStore`: two done runs (a renovation what-if and a traffic
what-if; a second run of one what-if), a failed one and a running one. The KPI changes are those
the run store records (``"<what-if>/<domain>/<kpi>"`` -> change, :func:`twin.scenario.runner.kpi_deltas`).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_scenario_store_claim_held import KW
from twin.scenario.store import RunStore

FIRST = {"renovation-wave/energy/co2_t": -6248.595, "renovation-wave/energy/heating_need_mwh": -21330.49,
         "renovation-wave/traffic/am_peak_co2_kg": 0.0,
         "low-traffic-parvis/energy/co2_t": 0.0, "low-traffic-parvis/energy/heating_need_mwh": 0.0,
         "low-traffic-parvis/traffic/am_peak_vehicle_km": 812.4, "low-traffic-parvis/traffic/am_peak_co2_kg": 96.3}
SECOND = {"desealing/soil/runoff_m3": -74.15, "desealing/soil/sealed_area_pct": -0.4532, "desealing/energy/co2_kg": 1.0,
          "desealing/traffic/co2_kg": 2.0}


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    for run_id, label in (("run-a", "stgilles-default"), ("run-b", "desealing"), ("run-c", "broken"), ("run-d", "busy")):
        assert store.claim(run_id, **{**KW, "label": label}).claimed
    store.finish("run-a", kpis=FIRST)
    store.finish("run-b", kpis=SECOND)
    store.fail("run-c", "file s.yaml; field 'whatifs': no building matches")
    return path


def _lines(path, *args: str) -> list[str]:
    got = run_twin(["store", "list", path, *args])
    assert got.code == 0, got.stderr
    return got.stdout.splitlines()


def _cells(header: str, line: str, column: str) -> str:
    """The text of ``line`` under ``column`` of the aligned ``header`` (up to the next column)."""
    start = header.index(column)
    rest = header[start + len(column):]
    end = start + len(column) + (len(rest) - len(rest.lstrip())) if rest.strip() else len(line)
    return line[start:end].strip()


def test_the_table_shows_each_whatifs_co2_and_heating_change_with_units(store_path):
    lines = _lines(store_path)
    assert all(line.isascii() for line in lines)
    head = lines[0]
    co2, heat = "CO2_T CHANGE (t/yr)", "HEATING_NEED_MWH CHANGE (MWh/yr)"
    assert co2 in head and heat in head and "WHATIF" in head
    a = next(i for i, line in enumerate(lines) if line.startswith("run-a "))
    first, second = lines[a], lines[a + 1]
    assert _cells(head, first, "STATUS") == "done" and _cells(head, first, "SCENARIO") == "stgilles-default"
    assert _cells(head, first, "FINISHED (UTC)")[:2] == "20"  # the date the run finished
    rows = {_cells(head, line, "WHATIF"): (_cells(head, line, co2), _cells(head, line, heat)) for line in (first, second)}
    assert rows == {"renovation-wave": ("-6,249", "-21,330"), "low-traffic-parvis": ("0", "0")}
    assert _cells(head, second, "RUN_ID") == "" and _cells(head, second, "STATUS") == ""  # a further what-if of run-a
    b = next(line for line in lines if line.startswith("run-b "))
    assert (_cells(head, b, "WHATIF"), _cells(head, b, co2), _cells(head, b, heat)) == ("desealing", "n/a", "n/a")
    c = next(line for line in lines if line.startswith("run-c "))
    assert _cells(head, c, "WHATIF") == "" and _cells(head, c, co2) == "" and c.endswith("no building matches")
    assert lines[-1].endswith("4 runs: 2 done, 1 failed, 1 running: 1 held")


def test_kpi_picks_the_changes_shown_by_name_or_domain(store_path):
    lines = _lines(store_path, "--kpi", "am_peak_vehicle_km", "--kpi", "traffic/am_peak_co2_kg", "--kpi", "sealed_area_pct")
    head = lines[0]
    columns = ("AM_PEAK_VEHICLE_KM CHANGE (veh.km)", "AM_PEAK_CO2_KG CHANGE (kg)", "SEALED_AREA_PCT CHANGE (pts)")
    assert all(c in head for c in columns) and "CO2_T" not in head
    got = {_cells(head, line, "WHATIF"): tuple(_cells(head, line, c) for c in columns) for line in lines[1:-1] if _cells(head, line, "WHATIF")}
    assert got == {"renovation-wave": ("n/a", "0", "n/a"), "low-traffic-parvis": ("+812", "+96.3", "n/a"),
                   "desealing": ("n/a", "n/a", "-0.5")}


def test_json_and_csv_give_the_kpi_changes(store_path):
    doc = json.loads(run_twin(["store", "list", store_path, "--format", "json", "--kpi", "runoff_m3", "--kpi", "co2_t"]).stdout)
    runs = {r["run_id"]: r["kpi_changes"] for r in doc["runs"]}
    assert runs == {"run-a": {"renovation-wave": {"energy/co2_t": -6248.595}, "low-traffic-parvis": {"energy/co2_t": 0.0}},
                    "run-b": {"desealing": {"soil/runoff_m3": -74.15}}, "run-c": None, "run-d": None}
    csv = _lines(store_path, "--format", "csv", "--status", "done")
    assert csv[0].endswith(",kpi_changes") and '""energy/heating_need_mwh"": -21330.49' in csv[1]


@pytest.mark.parametrize(("kpi", "contains"), [
    ("co2", "no run of this store recorded KPI 'co2' (did you mean 'co2_t'?)"),
    ("vehicle_km", "(recorded: am_peak_vehicle_km)"),
    ("soil/co2_t", "no run of this store recorded KPI 'soil/co2_t'"),
    ("co2_kg", "KPI 'co2_kg' is recorded by 2 domains: write one of energy/co2_kg, traffic/co2_kg"),
    (" ", "an empty KPI name"),
])
def test_a_kpi_no_run_recorded_is_one_line(store_path, kpi, contains):
    assert_one_line_error(run_twin(["store", "list", store_path, "--kpi", kpi]), contains=(str(store_path), "--kpi", contains))


def test_a_run_committed_to_the_wal_is_listed_and_the_store_and_wal_are_not_written(tmp_path):
    """Another process writes the store: its last run is committed to the ``-wal`` only (no
    checkpoint yet). The listing reads it through SQLite's locks (``mode=ro``): ``immutable=1``
    would read the database file alone and miss the run; only the ``-shm`` (the readers' marks
    that keep a checkpoint off the pages they read) may change."""
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    assert store.claim("old", **KW).claimed
    store.finish("old", kpis={"w/energy/co2_t": -1.0})
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = writer.execute("SELECT * FROM runs WHERE run_id = 'old'").fetchone()
        columns = [c[1] for c in writer.execute("PRAGMA table_info(runs)")]
        new = dict(zip(columns, row, strict=True)) | {"run_id": "new", "kpis": json.dumps({"w/energy/co2_t": -2.5})}
        writer.execute(f"INSERT INTO runs ({', '.join(new)}) VALUES ({', '.join('?' * len(new))})", tuple(new.values()))
        wal = Path(f"{path}-wal")
        assert wal.stat().st_size > 0
        before = (path.read_bytes(), wal.read_bytes())
        doc = json.loads(run_twin(["store", "list", path, "--format", "json"]).stdout)
        assert {r["run_id"]: r["kpi_changes"] for r in doc["runs"]} == {"old": {"w": {"energy/co2_t": -1.0}},
                                                                      "new": {"w": {"energy/co2_t": -2.5}}}
        assert (path.read_bytes(), wal.read_bytes()) == before
    finally:
        writer.close()
