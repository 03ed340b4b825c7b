"""SIGINT and SIGTERM while a ``twin traffic`` command replaces an earlier result: nothing is lost or mixed.

The traffic part of the sweep of ``tests/test_outputs_interrupted_signals.py``: each command
first writes a result (with options that give other numbers), then runs again into the same
files and gets a signal once its staging entry (a temporary file beside an output,
:mod:`twin.traffic.output_files`) has appeared. Then: exit 130 (SIGINT) or 143 (SIGTERM), one
line and no traceback, every output of the first result byte-identical (the CSV records
``.NAME.twin-written.json`` too), nothing left beside them (no ``.twin-tmp-*``, no
``.twin-old-*``), and a rerun succeeds and replaces them. The sweep found a signal landing
during the swap (``select-link``, two CSV outputs) left ``.twin-old-*`` files and could leave
one output new and the other old (``tests/test_output_swap_signals.py``).

When the signal lands once the new outputs are in place (a short write phase), the line says so
(``twin: interrupted; a.gpkg was already written whole``, or ``... after the command had
ended ...``): then every output is new and nothing is left beside them, and the test tries
again for a signal mid-work.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import shared_path
from tests.output_helpers import child_env, run_cli, signal_if_running, twin_cmd

pytestmark = pytest.mark.slow

#: Longest wait for a staging entry to appear, and for a stopped process to end, s.
WAIT_S = 300.0
#: Runs that ended before their staging entry was seen (a fast command): tried again so many times.
TRIES = 4

#: What the name of a staging entry holds (not the write probe ``.twin-probe-*`` of the output
#: checks, made and removed before any work: a signal there is not this test's case).
STAGING_KINDS = ("twin-tmp-", "twin-old-")

LINES = {signal.SIGINT: "twin: interrupted", signal.SIGTERM: "twin: terminated (SIGTERM)"}
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
DATA = Path(__file__).resolve().parents[1] / "data_samples"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """SiouxFalls (TNTP), the crossroads scene with two demand tables, and the Saint-Gilles samples."""
    from tests.test_traffic_signal_split_flows_cli import crossroads_scene
    from twin.export import write_scene

    root = tmp_path_factory.mktemp("interrupted_traffic")
    write_scene(crossroads_scene(), root / "scene")
    for name, vehicles in (("od1.csv", 12.0), ("od2.csv", 20.0)):
        pd.DataFrame({"origin": ["W"], "destination": ["E"], "t_start_s": [0.0], "t_end_s": [300.0], "vehicles": [vehicles]}).to_csv(
            root / name, index=False)
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    pd.DataFrame({"link_id": [1, 5, 12], "period": "am", "vehicles": [4000.0, 6000.0, 5000.0], "class": "car"}).to_csv(
        root / "counts.csv", index=False)
    return {"root": root, "net": net, "trips": net.with_name("SiouxFalls_trips.tntp"), "scene": root / "scene",
            "counts": root / "counts.csv", "od1": root / "od1.csv", "od2": root / "od2.csv",
            **{k: DATA / f"stgilles_{k}_osm2013.geojson" for k in ("streets", "buildings", "landcover")}}


def _tntp(c: dict[str, Path]) -> list:
    return ["--net", c["net"], "--trips", c["trips"]]


#: command -> (first run, run that is interrupted and run again), each given (inputs, output folder).
COMMANDS = {
    "skims": (lambda c, o: ["traffic", "skims", *_tntp(c), "--gap", "1e-2", "-o", o / "skims.omx"],
              lambda c, o: ["traffic", "skims", *_tntp(c), "-o", o / "skims.omx"]),
    "select-link": (lambda c, o: ["traffic", "select-link", *_tntp(c), "--link", "10-15", "--gap", "1e-2", "-o", o / "od.csv",
                                  "--link-flows", o / "links.csv"],
                    lambda c, o: ["traffic", "select-link", *_tntp(c), "--link", "10-15", "-o", o / "od.csv", "--link-flows", o / "links.csv"]),
    "select-zone": (lambda c, o: ["traffic", "select-zone", *_tntp(c), "--zones", "1", "--link-flows", o / "links.parquet"],
                    lambda c, o: ["traffic", "select-zone", *_tntp(c), "--zones", "1,2", "--link-flows", o / "links.parquet"]),
    "estimate-od": (lambda c, o: ["traffic", "estimate-od", *_tntp(c), "--counts", c["counts"], "--rounds", "1", "-o", o / "od.csv"],
                    lambda c, o: ["traffic", "estimate-od", *_tntp(c), "--counts", c["counts"], "--rounds", "2", "-o", o / "od.csv"]),
    "simulate": (lambda c, o: ["traffic", "simulate", c["scene"], "--demand", c["od1"], "--routes", "free_flow", "-o", o / "links.csv",
                               "--turns", o / "turns.csv", "--timeseries", o / "series.nc"],
                 lambda c, o: ["traffic", "simulate", c["scene"], "--demand", c["od2"], "--routes", "free_flow", "-o", o / "links.csv",
                               "--turns", o / "turns.csv", "--timeseries", o / "series.nc"]),
    # a .gpkg output: its tag in the layer's metadata, so reading the earlier output leaves no GDAL side file a.gpkg.aux.xml
    "access": (lambda c, o: ["traffic", "access", c["streets"], c["buildings"], c["landcover"], "--categories", "park", "-o", o / "a.gpkg"],
               lambda c, o: ["traffic", "access", c["streets"], c["buildings"], c["landcover"], "--categories", "park,school", "-o", o / "a.gpkg"]),
    "mobility": (lambda c, o: ["traffic", "mobility", c["streets"], c["buildings"], "--periods", "am_peak", "-o", o / "links.csv",
                               "--turns", o / "turns.parquet", "--skims", o / "skims.omx", "-q"],
                 lambda c, o: ["traffic", "mobility", c["streets"], c["buildings"], "--periods", "am_peak", "--feedback", "1", "-o",
                               o / "links.csv", "--turns", o / "turns.parquet", "--skims", o / "skims.omx", "-q"]),
}


def _hashes(folder: Path) -> dict[str, str]:
    """Name -> SHA-256 of every file of ``folder`` (hidden records included)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _interrupted(args: list, folder: Path, before: set[str], sig: int) -> tuple[int, str] | None:
    """Run ``twin ARGS``, send ``sig`` once a staging entry appears in ``folder``; (exit code, stderr),
    or None when the run ended before an entry was seen or before the signal could be sent
    (:func:`tests.output_helpers.signal_if_running`; it then exited 0)."""
    proc = subprocess.Popen(twin_cmd(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=child_env(),
                            stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + WAIT_S
        while proc.poll() is None and time.monotonic() < deadline:
            if [n for n in set(os.listdir(folder)) - before if any(k in n for k in STAGING_KINDS)]:
                sent = signal_if_running(proc, sig)
                _, err = proc.communicate(timeout=WAIT_S)
                if not sent:
                    assert proc.returncode == 0, err[-2000:]
                    return None
                return proc.returncode, err
            time.sleep(0.002)
        assert proc.poll() is not None, f"no staging entry in {WAIT_S:g} s"
        proc.communicate()
        return None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _after_the_swap(line: str, sig: int) -> bool:
    """Whether the stop line says the new outputs were in place before the signal came."""
    placed = line.startswith(f"{LINES[sig]}; ") and line.endswith(" already written whole")
    return placed or line == f"{LINES[sig]} after the command had ended; its results were written whole"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_signal_mid_work_keeps_every_earlier_traffic_output(inputs, tmp_path, command):
    first_args, args = (make(inputs, tmp_path) for make in COMMANDS[command])
    for sig in (signal.SIGINT, signal.SIGTERM):
        for _ in range(TRIES):
            first = run_cli(*first_args, timeout_s=WAIT_S)
            assert first.returncode == 0, first.stderr
            earlier = _hashes(tmp_path)
            ended = _interrupted(args, tmp_path, set(os.listdir(tmp_path)), sig)
            if ended is None:
                continue
            code, err = ended
            lines = [line for line in err.splitlines() if line.strip() and not line.startswith("twin: [")]
            assert code == CODES[sig], err[-2000:]
            assert "Traceback" not in err and len(lines) == 1, err[-2000:]
            if _after_the_swap(lines[0], sig):  # every output new, whole, nothing beside them; try again for mid-work
                assert sorted(os.listdir(tmp_path)) == sorted(earlier)
                continue
            break
        else:
            pytest.fail(f"twin {command} ended {TRIES} times before a signal could land while its staging entry was there")
        assert lines == [LINES[sig]], err[-2000:]
        assert _hashes(tmp_path) == earlier  # every file of the first result, byte for byte; none added or lost
        assert sorted(os.listdir(tmp_path)) == sorted(earlier)  # no staging or .twin-old-* entry left
    again = run_cli(*args, timeout_s=WAIT_S)
    assert again.returncode == 0, again.stderr
    after = _hashes(tmp_path)
    assert sorted(after) == sorted(earlier) and after != earlier  # the rerun replaced the first result
