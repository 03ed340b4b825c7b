"""``twin batch`` on its local Dask cluster, stopped by SIGINT or SIGTERM: one line, nothing else.

Before: a Ctrl-C (SIGINT to the whole foreground process group, the workers included) printed
the workers' ``KeyboardInterrupt`` tracebacks or Dask's ``CommClosedError``, and both signals
were followed by Dask's "Async instruction ... CancelledError" and the ``resource_tracker``
warning about leaked semaphores. The signal is sent once a run is claimed in the run store (the
cluster is up and a worker is computing), whatever the load of the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.child_runs import wait_group_gone
from tests.output_helpers import child_env, twin_cmd, write_tiny_scenario
from twin.scenario.store import RunStore

pytestmark = pytest.mark.slow

WAIT_S = 300.0
LINES = {signal.SIGINT: "twin: interrupted", signal.SIGTERM: "twin: terminated (SIGTERM)"}
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


def _running(store_path: Path) -> bool:
    if not store_path.exists():
        return False
    try:
        runs = RunStore(store_path).runs()
    except Exception:  # noqa: BLE001 - the store is being created by the batch
        return False
    return bool((runs["status"] == "running").any())


@pytest.mark.parametrize(("sig", "group"), [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGTERM, True)],
                         ids=["SIGINT-terminal-group", "SIGTERM-batch-process", "SIGTERM-group"])
def test_a_signal_stops_the_batch_and_its_cluster_with_one_line(tmp_path, sig, group):
    apps = tmp_path / "apps"
    for i in range(3):
        write_tiny_scenario(apps, seed=i, name=f"s{i}.yaml")
    out = tmp_path / "out"
    proc = subprocess.Popen(twin_cmd("batch", apps, "-o", out, "-q", "--workers", "1"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=child_env(), stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + WAIT_S
        while not _running(out / "runs.sqlite"):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "no run was claimed"
            time.sleep(0.1)
        if group:  # as a Ctrl-C at the terminal: every process of the group, Dask's workers too
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=WAIT_S)
        assert (proc.returncode, err) == (CODES[sig], LINES[sig] + "\n")
        wait_group_gone(proc.pid, 30.0, "processes of the stopped batch are still alive")  # the workers end with the batch
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
