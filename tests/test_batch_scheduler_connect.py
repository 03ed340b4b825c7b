"""``twin batch --scheduler ADDRESS``: a scheduler that cannot be reached fails fast, before work.

Before: ``--scheduler tcp://127.0.0.1:1`` (nothing listening) read the scenario files, made the
results folder, then waited Dask's 30 s connect timeout (Dask retries a refused connection);
a port where something listens but never answers (a web server, a wrong port) kept Dask's
client waiting for its handshake reply without a limit (more than 10 minutes measured, with
``Client(address, timeout=1)``). Now :func:`twin.scenario.batch.check_scheduler_reachable`
runs before any file is read: one ``twin: error:`` line naming ``--scheduler`` and the address,
exit 2, no results folder. ``--connect-timeout`` bounds the wait (and only means something
with ``--scheduler``).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_scenario
from twin.errors import InputError
from twin.scenario.batch import check_scheduler_reachable


@contextlib.contextmanager
def _closed_port() -> Iterator[int]:
    """A local TCP port where nothing listens, held for the block.

    The socket stays bound without listening: a connection to the port is refused (Linux answers
    a SYN to a port without a listener with a reset), and no other process can bind the port in
    the meantime. A port bound, released and then used could be taken in between, e.g. by a
    Dask cluster of the other test worker (``pytest -n 2``), which would answer.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def test_nothing_listening_is_refused_at_once_before_reading(tmp_path: Path) -> None:
    write_tiny_scenario(tmp_path / "apps")
    out = tmp_path / "results"
    with _closed_port() as port:
        address = f"tcp://127.0.0.1:{port}"
        t0 = time.monotonic()
        result = run_twin(["batch", tmp_path / "apps", "--scheduler", address, "-o", out])
    print(f"\nrefused scheduler: twin batch ended in {time.monotonic() - t0:.1f} s (was 30 s + start-up)")  # measured, not asserted
    assert_one_line_error(result, contains=("'--scheduler'", address, "connection refused"))
    assert not out.exists()  # checked before the results folder is made


def test_a_listener_that_never_answers_is_no_scheduler(tmp_path: Path) -> None:
    write_tiny_scenario(tmp_path / "apps")
    out = tmp_path / "results"
    with socket.socket() as srv:  # accepts connections (the kernel's backlog) and never speaks
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        address = f"tcp://127.0.0.1:{srv.getsockname()[1]}"
        result = run_twin(["batch", tmp_path / "apps", "--scheduler", address, "--connect-timeout", "1", "-o", out], timeout_s=120)
    assert_one_line_error(result, contains=("'--scheduler'", address, "did not answer as a Dask scheduler within 1 s"))
    assert not out.exists()


@pytest.mark.parametrize(("args", "contains"), [
    (["--connect-timeout", "5"], ("'--connect-timeout'", "--scheduler", "change nothing")),
    (["--scheduler", "tcp://127.0.0.1:8786", "--connect-timeout", "0"], ("'--connect-timeout'", "positive")),
], ids=["without-scheduler", "zero"])
def test_connect_timeout_is_checked(tmp_path: Path, args: list[str], contains: tuple[str, ...]) -> None:
    write_tiny_scenario(tmp_path / "apps")
    out = tmp_path / "results"
    result = run_twin(["batch", tmp_path / "apps", *args, "-o", out])
    assert_one_line_error(result, contains=contains)
    assert not out.exists()


def test_a_running_scheduler_passes_the_check() -> None:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        check_scheduler_reachable(cluster.scheduler_address, 10.0)
    with _closed_port() as port, pytest.raises(InputError, match="connection refused"):
        check_scheduler_reachable(f"127.0.0.1:{port}")  # no scheme: tcp, as Dask reads it
    check_scheduler_reachable(None)  # a LocalCluster: nothing to reach
