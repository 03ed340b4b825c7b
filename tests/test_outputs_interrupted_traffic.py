"""SIGINT and SIGTERM while a ``twin traffic`` command replaces an earlier result: nothing is lost or mixed.

The traffic part of the sweep of ``tests/test_outputs_interrupted_signals.py``: each command
first writes a result (with options that give other numbers), then runs again into the same
files and gets a signal mid-work. Then: exit 130 (SIGINT) or 143 (SIGTERM), one line and no
traceback, every output of the first result byte-identical (the CSV records
``.NAME.twin-written.json`` too), nothing left beside them (no ``.twin-tmp-*``, no
``.twin-old-*``), and a rerun succeeds and replaces them. The sweep found a signal landing
during the swap (``select-link``, two CSV outputs) left ``.twin-old-*`` files and could leave
one output new and the other old (``tests/test_output_swap_signals.py``).

Where the signal lands is made certain, not left to timing: the rerun runs as
``python -m tests.staging_pause`` with ``TWIN_TEST_PAUSE=staged:<marker>``, which writes the marker
and sleeps once every new output is wholly written beside its target and before they are swapped
in (a traffic command's :class:`twin.traffic.output_files.StagedOutputs`, or the one file of
:func:`twin.io.atomic.atomic_path`); the signal is sent once the marker exists, to the main thread,
where a user's Ctrl-C lands (:func:`tests.output_helpers.signal_if_running`), so the command
unwinds through :meth:`~twin.traffic.output_files.StagedOutputs.discard`. The test used to
send it as soon as a staging entry appeared, and tried again when the new outputs were in place
by then. The lines of a signal that lands after the swap or after the command has ended are
checked by ``tests/test_stop_held_signals.py`` and ``tests/test_signals_startup_shutdown.py``.
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import shared_path
from tests.output_helpers import run_cli, signalled_rerun

pytestmark = pytest.mark.slow

#: Longest wait for the write to reach the pause, and for the stopped process to end, s.
WAIT_S = 300.0

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
    "assign": (lambda c, o: ["traffic", "assign", *_tntp(c), "--gap", "1e-2", "-o", o / "flows.csv"],
               lambda c, o: ["traffic", "assign", *_tntp(c), "--gap", "1e-3", "-o", o / "flows.csv"]),
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


@pytest.mark.parametrize("command", COMMANDS)
def test_a_signal_mid_work_keeps_every_earlier_traffic_output(inputs, tmp_path, command):
    out = tmp_path / "out"
    out.mkdir()
    first_args, args = (make(inputs, out) for make in COMMANDS[command])
    for sig in (signal.SIGINT, signal.SIGTERM):
        first = run_cli(*first_args, timeout_s=WAIT_S)
        assert first.returncode == 0, first.stderr
        earlier = _hashes(out)
        err, code = signalled_rerun(args, sig, tmp_path / f"paused-{sig.name}", wait_s=WAIT_S)
        lines = [line for line in err.splitlines() if line.strip() and not line.startswith("twin: [")]
        assert code == CODES[sig] and "Traceback" not in err, err[-2000:]
        assert lines == [LINES[sig]], err[-2000:]
        assert _hashes(out) == earlier  # every file of the first result, byte for byte; none added or lost
        assert sorted(os.listdir(out)) == sorted(earlier)  # no staging or .twin-old-* entry left
    again = run_cli(*args, timeout_s=WAIT_S)
    assert again.returncode == 0, again.stderr
    after = _hashes(out)
    assert sorted(after) == sorted(earlier) and after != earlier  # the rerun replaced the first result


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_another_thread_takes_keeps_every_earlier_output_too(inputs, tmp_path, sig):
    """The other path of a stop signal: a thread other than the main one takes it (a signal sent to
    a stopped process, e.g. Ctrl-Z then ``kill %1``, goes to whichever thread runs first), and the
    main thread does not wake (here paused in ``time.sleep``; inside a kernel alike). The watcher
    of :mod:`twin.cli.signals` then stops the process after its grace time, removing the staged
    files (:func:`twin.io.stop.remove_staged`): the earlier outputs are kept all the same."""
    out = tmp_path / "out"
    out.mkdir()
    first_args, args = (make(inputs, out) for make in COMMANDS["select-link"])
    first = run_cli(*first_args, timeout_s=WAIT_S)
    assert first.returncode == 0, first.stderr
    earlier = _hashes(out)
    err, code = signalled_rerun(args, sig, tmp_path / "paused", wait_s=WAIT_S, main_thread=False)
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("twin: [")]
    assert code == CODES[sig] and "Traceback" not in err, err[-2000:]
    assert lines == [LINES[sig]], err[-2000:]
    assert _hashes(out) == earlier
    assert sorted(os.listdir(out)) == sorted(earlier)  # the staged files removed
