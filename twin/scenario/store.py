"""The run store: one SQLite record per run, so batches resume and nothing runs or counts twice.

A run is identified by ``run_id`` = hash of (scenario digest, input file contents, seed,
package version): the same work always has the same id. Statuses: ``running`` (claimed),
``done`` (KPIs and outputs recorded), ``failed`` (error recorded). :meth:`RunStore.claim` says
what it found (:class:`Claim`, :class:`ClaimStatus`):

* ``done``: nothing to do (a rerun of an interrupted batch skips finished work);
* ``held``: another process is computing the run (a ``running`` record whose process is alive
  on this host, or a ``running`` record of another host whose heartbeat is recent): the run is
  not claimed, so two processes on one store never compute the same run at once;
* ``claimed``: the run is now ``running`` by this process: it was new, ``failed``, or
  ``running`` by a process that is gone (``attempts`` counts the tries).

``host``, ``pid`` and ``pid_started`` name the process that claimed a run last.
``pid_started`` is that process's start time as the operating system gives it (Linux: boot id
and start time in clock ticks from ``/proc``, exact and unaffected by clock changes; elsewhere
:mod:`psutil`'s creation time), so a process that got the pid of a dead holder (pid reuse) is
not taken for the holder (:func:`holder_alive`). Records written before this column existed are
checked by their claim time: a process that started after the claim is not the holder.
A ``running`` record of another host cannot be checked (no process table to look at), so the
process computing a run proves it is alive: a heartbeat (:meth:`RunStore.heartbeat`, around the
computation in ``twin batch``'s tasks and in ``twin run``) writes the time to ``heartbeat_at``
every :data:`HEARTBEAT_S` (30 s). A record of another host whose heartbeat is older than
:data:`STALE_AFTER_S` (150 s, five intervals) is no longer held: the next opening, claim or wait
marks it ``failed`` with ``interrupted: no heartbeat from process P on host H since T`` and it
is claimed again (``attempts`` grows), so a batch rerun after a cluster node died does not wait
for it forever. The hosts' clocks must agree to well within two minutes (NTP). A record of
another host without a heartbeat of its claim (written by a twin without heartbeats) keeps the
former rule: held until that host's next opening of the store marks it interrupted, or until it
is released by hand with :meth:`RunStore.release` (the message of a held run says so); its
claim time is not used instead, since such a holder never beats and a long run of it would be
taken for dead. Records of this host are checked by their process as before (the heartbeat is
written there too, but not used).
A ``done`` record is final: a late :meth:`RunStore.fail` does not overwrite it.
A run whose process was killed (``kill -9``, a power cut) cannot mark itself failed: opening
the store, and every claim, marks ``running`` records of this host whose process is gone (or
whose pid now belongs to another process) as ``failed`` with the error ``interrupted: ...``
(:meth:`RunStore.mark_interrupted`).
Each claim records the versions of Python, twin and the main libraries (``versions``, JSON;
:func:`twin.io.run_record.dependency_versions`). KPIs, outputs and versions are strict JSON
(``null`` for NaN, never ``NaN``).
SQLite (WAL journal, busy timeout) serialises writers from several processes; every call opens
and closes its own connection, so a store object can be sent to another process.
Times are UTC ISO 8601 with milliseconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import hashlib
import json
import logging
import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from twin.io.json_out import to_json_text
from twin.io.run_store_path import store_file

log = logging.getLogger(__name__)

def _json(data) -> str:
    """Strict, compact JSON with sorted keys (NaN -> null)."""
    if isinstance(data, dict):
        data = dict(sorted(data.items()))
    return to_json_text(data, indent=None)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    scenario TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    version TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    scenario_hash TEXT NOT NULL,
    seed INTEGER,
    attempts INTEGER NOT NULL DEFAULT 1,
    error TEXT,
    kpis TEXT,
    outputs TEXT,
    host TEXT,
    pid INTEGER,
    versions TEXT,
    pid_started TEXT,
    batch TEXT,
    heartbeat_at TEXT
);
"""

# columns added after the first release of the table: (name, SQL type)
LATER_COLUMNS = (("host", "TEXT"), ("pid", "INTEGER"), ("versions", "TEXT"), ("pid_started", "TEXT"), ("batch", "TEXT"),
                 ("heartbeat_at", "TEXT"))

#: How often a caller waiting for a run held by another process looks at the store again, s
#: (:meth:`RunStore.wait_while_held`).
HELD_POLL_S = 2.0

#: How often a process computing a run records that it still does (``heartbeat_at``), s
#: (:meth:`RunStore.heartbeat`). One small write per run every 30 s costs nothing beside a run
#: of minutes, and a dead holder of another host is noticed within minutes
#: (:data:`STALE_AFTER_S`).
HEARTBEAT_S = 30.0

#: A ``running`` record of another host whose last heartbeat is older than this is no longer
#: held: its process or its host is taken for gone, s. Five heartbeat intervals: a heartbeat
#: skipped because the store was locked (each write waits :data:`HEARTBEAT_WRITE_TIMEOUT_S` at
#: most), a slow shared file system or a loaded host do not make a live holder look dead. The
#: hosts' clocks are compared (the heartbeat is the holder's UTC time): they must agree to well
#: within ``STALE_AFTER_S - HEARTBEAT_S`` (NTP keeps them within milliseconds).
STALE_AFTER_S = 5 * HEARTBEAT_S

#: How long one heartbeat write waits for a locked store before it is skipped (the next one
#: comes :data:`HEARTBEAT_S` later), s.
HEARTBEAT_WRITE_TIMEOUT_S = 10.0

# columns holding JSON text
JSON_COLUMNS = ("kpis", "outputs", "versions")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _my_start() -> str | None:
    """:func:`process_start` of this process (recorded at each claim)."""
    return process_start(os.getpid())


def hash_files(paths: Iterable[str | os.PathLike[str]]) -> str:
    """SHA-256 over the contents of ``paths`` (in the given order), 16 hex digits."""
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


def make_run_id(scenario_hash: str, input_hash: str, seed: int | None, version: str) -> str:
    """The id of a run: the same scenario, inputs, seed and version give the same id."""
    return hashlib.sha256(f"{scenario_hash}|{input_hash}|{seed}|{version}".encode()).hexdigest()[:20]


def process_start(pid: int) -> str | None:
    """The start time of process ``pid`` of this host as a comparable token, or None (no such
    process, or no way to tell).

    Linux: ``<boot id>:<start time in clock ticks since boot>`` from ``/proc`` (exact: a clock
    change does not move it, unlike a start time in seconds since 1970 computed from it);
    elsewhere :mod:`psutil`'s creation time if psutil is installed. Two processes with the same
    pid have different tokens, so a recorded holder and a later process that got its pid are
    told apart.
    """
    if pid <= 0:
        return None
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                ticks = fh.read().rsplit(")", 1)[1].split()[19]  # field 22 (starttime); fields 1-2 precede ")"
        except (OSError, IndexError):
            return None
        return f"{_boot_id()}:{ticks}"
    try:
        import psutil
    except ImportError:
        return None
    try:
        return f"psutil:{psutil.Process(pid).create_time():.6f}"
    except (psutil.Error, OSError):
        return None


@functools.cache
def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return "boot"


def _started_after(pid: int, claimed_at: str | None) -> bool:
    """Whether process ``pid`` started after ``claimed_at`` (so it cannot have made that claim);
    for records without ``pid_started``. False when either time is unknown."""
    if not claimed_at:
        return False
    try:
        import psutil

        started = psutil.Process(pid).create_time()
        claimed = dt.datetime.fromisoformat(claimed_at).timestamp()
    except Exception:  # noqa: BLE001 - no psutil, no such process, a time that does not parse
        return False
    return started > claimed + 1.0  # psutil's creation time on Linux may drift by a clock step; 1 s margin


def holder_alive(host: str | None, pid: int | None, pid_started: str | None, claimed_at: str | None = None) -> bool | None:
    """Whether the process that claimed a run (``host``, ``pid``, ``pid_started``) still runs.

    Returns
    -------
    bool or None
        None: another host (cannot be checked from here); False: no such process, a zombie, or
        a process that got the pid later (its start time differs from ``pid_started``, or,
        without ``pid_started``, it started after ``claimed_at``); True otherwise.
    """
    from twin.io.staged import pid_alive

    if host != socket.gethostname():
        return None
    if pid is None or not pid_alive(int(pid)):
        return False
    now = process_start(int(pid))
    if pid_started:
        return now is None or now == pid_started
    return not _started_after(int(pid), claimed_at)


def _parse_utc(text: str | None) -> dt.datetime | None:
    """A time of the store (UTC ISO 8601), or None (missing or not a time)."""
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def heartbeat_stale(started_at: str | None, heartbeat_at: str | None, *, now: dt.datetime | None = None) -> bool:
    """Whether the heartbeat of a ``running`` record is older than :data:`STALE_AFTER_S`.

    Only a heartbeat of the record's own claim counts: ``heartbeat_at`` at or after
    ``started_at`` (a claim writes both with the same time). A record without one (claimed by a
    twin without heartbeats, which leaves the column empty or, claiming again, as the earlier
    attempt left it) is never stale: such a holder never beats, so a long run of it would look
    dead. It counts as held as before (until released, :meth:`RunStore.release`).

    Parameters
    ----------
    started_at, heartbeat_at
        The record's claim time and last heartbeat (UTC ISO 8601).
    now
        The time to compare with (default: now, UTC).
    """
    started, beat = _parse_utc(started_at), _parse_utc(heartbeat_at)
    if beat is None or started is None or beat < started:
        return False
    now = dt.datetime.now(dt.UTC) if now is None else now
    return (now - beat).total_seconds() > STALE_AFTER_S


def _stale_error(host: str | None, pid: int | None, heartbeat_at: str | None) -> str:
    """The error of a run whose holder of another host stopped beating (why it was taken)."""
    return (f"interrupted: no heartbeat from process {pid} on host {host} since {heartbeat_at} UTC (more than "
            f"{STALE_AFTER_S:g} s; one is due every {HEARTBEAT_S:g} s): the process or its host is taken for gone")


def release_command(path: str | os.PathLike[str], run_ids: Iterable[str]) -> str:
    """The command line that releases ``run_ids`` of the store at ``path`` (``twin store
    release``), quoted for a POSIX shell."""
    import shlex

    return " ".join(["twin store release", shlex.quote(str(path)), *(shlex.quote(r) for r in run_ids)])


#: The columns :func:`read_runs` needs; a database without them is not a run store.
_REQUIRED_COLUMNS = ("run_id", "scenario", "status", "started_at")

#: How often :func:`read_runs` reads a store without a write-ahead log again when the file
#: changed while it read (a writer checkpointed into it), before it reads through SQLite's locks.
_SNAPSHOT_TRIES = 3


# store_file (where a run store is): twin.io.run_store_path, light, for the command line's check before this module is imported


def read_runs(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Every record of the run store at ``path``, oldest first, read without changing anything.

    Unlike :class:`RunStore` (whose opening adds missing columns and marks runs of dead holders
    interrupted), nothing is written or created: the database is opened read-only. SQLite's
    read-only opening of a WAL database creates its ``-wal`` and ``-shm`` files when they are
    missing (and cannot remove them), so a store without a ``-wal`` (no connection open) is read
    as an immutable file, and read again if its size or modification time changed meanwhile (a
    writer's checkpoint); after :data:`_SNAPSHOT_TRIES` tries, or when a ``-wal`` exists, it is
    read through SQLite's locks (``mode=ro``). Columns a store of an older twin lacks are
    present, empty.

    Read through the locks, SQLite writes this reader's mark into the ``-shm`` (the WAL index), as
    every reader of a WAL database does so that a checkpoint does not overwrite the pages it
    reads; the database and its ``-wal`` are not written. Neither way around that is right while
    another process may write: ``immutable=1`` reads the database file alone, so a run committed
    to the ``-wal`` and not yet checkpointed would be missing (tests/test_store_list_kpis.py), and
    a copy of the database and its ``-wal`` can tear across a checkpoint that writes the one and
    restarts the other between the two copies.

    Raises
    ------
    InputError
        ``path`` is missing, not an SQLite database, or has no table ``runs`` of twin.
    """
    from twin.errors import InputError

    path = store_file(path)
    query = "SELECT * FROM runs ORDER BY started_at, run_id"
    frame = None
    for _ in range(_SNAPSHOT_TRIES):
        wal = Path(f"{path}-wal")
        before = path.stat()
        if wal.exists():
            break
        frame = _read_query(path, query, immutable=True)
        after = path.stat()
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) and not wal.exists():
            break
        frame = None
    if frame is None:
        frame = _read_query(path, query, immutable=False)
    if isinstance(frame, str):
        raise InputError(frame, path=path)
    for name, _ in LATER_COLUMNS:
        if name not in frame.columns:
            frame[name] = None
    for name in ("label", "seed", "attempts", "finished_at", "error", "version"):
        if name not in frame.columns:
            frame[name] = None
    return frame


def _read_query(path: Path, query: str, *, immutable: bool) -> pd.DataFrame | str:
    """``query`` on the database at ``path`` opened read-only; a message when it is no run store."""
    from urllib.parse import quote

    uri = f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        con = sqlite3.connect(uri, uri=True, timeout=60.0)
    except sqlite3.Error as exc:
        return f"cannot open the run store read-only: {exc}"
    try:
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "runs" not in tables:
            return "not a run store: an SQLite database without twin's table runs"
        have = {row[1] for row in con.execute("PRAGMA table_info(runs)")}
        missing = [c for c in _REQUIRED_COLUMNS if c not in have]
        if missing:
            return f"not a run store: its table runs has no column {', '.join(missing)}"
        return pd.read_sql_query(query, con)
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            return f"not a run store: not an SQLite database ({exc})"
        return f"cannot read the run store: {exc}"
    finally:
        con.close()


def own_heartbeat_at(started_at: str | None, heartbeat_at: str | None) -> dt.datetime | None:
    """The last heartbeat of a record's own claim (at or after ``started_at``), or None: a
    heartbeat left by an earlier attempt does not count (:func:`heartbeat_stale`)."""
    started, beat = _parse_utc(started_at), _parse_utc(heartbeat_at)
    if beat is None or started is None or beat < started:
        return None
    return beat


def holder_state(record: dict, *, now: dt.datetime | None = None) -> str:
    """What a ``running`` record is, seen from this host ('' for a record that is not running).

    ``held``
        Its process is alive on this host, or it is a process of another host whose heartbeat
        is fresh: a claim or batch waits for it.
    ``held (no heartbeat)``
        A process of another host without a heartbeat of its claim (a twin without heartbeats):
        held until released (``twin store release``) or marked by an opening on that host.
    ``stale``
        A process of another host whose heartbeat is older than :data:`STALE_AFTER_S`.
    ``dead holder``
        Its process on this host is gone (or its pid now belongs to another process).

    Stale and dead-holder runs are marked interrupted by the next opening of the store
    (:meth:`RunStore.mark_interrupted`) and claimed again.
    """
    if record.get("status") != "running":
        return ""
    pid = record.get("pid")
    pid = None if pid is None or pd.isna(pid) else int(pid)
    alive = holder_alive(record.get("host"), pid, record.get("pid_started"), record.get("started_at"))
    if alive is not None:
        return "held" if alive else "dead holder"
    if own_heartbeat_at(record.get("started_at"), record.get("heartbeat_at")) is None:
        return "held (no heartbeat)"
    return "stale" if heartbeat_stale(record.get("started_at"), record.get("heartbeat_at"), now=now) else "held"


class ClaimStatus(enum.Enum):
    """What :meth:`RunStore.claim` found."""

    #: The run is now ``running`` by this process: compute it.
    CLAIMED = "claimed"
    #: The run is ``done``: nothing to do (its record holds the result).
    DONE = "done"
    #: Another live process (or a process of another host) is computing the run: do not.
    HELD = "held"


@dataclass(frozen=True)
class Claim:
    """The answer of :meth:`RunStore.claim`: ``status`` and who holds the run (``held``: the
    other process; ``claimed``: this one, ``since`` the claim time, which names the claim for
    :meth:`RunStore.heartbeat`).

    Not a truth value on purpose (``if store.claim(...)`` would take ``held`` for ``claimed``):
    test ``claim.status`` or :attr:`claimed`.
    """

    status: ClaimStatus
    run_id: str
    host: str | None = None
    pid: int | None = None
    since: str | None = None

    @property
    def claimed(self) -> bool:
        """Whether this process now holds the run (and must compute it)."""
        return self.status is ClaimStatus.CLAIMED

    def __bool__(self) -> bool:
        raise TypeError("a Claim is not a truth value: test .status or .claimed")

    def holder(self) -> str:
        """``process PID on host HOST (since TIME)``, for messages."""
        return f"process {self.pid} on host {self.host} (since {self.since} UTC)"


class Heartbeat:
    """The thread behind :meth:`RunStore.heartbeat`: writes ``heartbeat_at`` of one claimed run.

    Each write opens its own connection (SQLite connections belong to one thread) and waits at
    most :data:`HEARTBEAT_WRITE_TIMEOUT_S` for a locked store; a write that fails (``database is
    locked``, a shared file system that hiccups) is skipped and logged, the next comes
    ``interval_s`` later. The thread stops by itself when the record is no longer this claim
    (finished, failed, released, or claimed by another process, which is logged as a warning:
    both then compute the run).

    Attributes
    ----------
    beats : int
        Heartbeats written so far.
    """

    def __init__(self, store_path: str | os.PathLike[str], claim: Claim, *, interval_s: float):
        if claim.status is not ClaimStatus.CLAIMED or claim.since is None:
            raise ValueError(f"a heartbeat needs a claimed run, not {claim.status.value} ({claim.run_id})")
        if isinstance(interval_s, bool) or not (isinstance(interval_s, (int, float)) and 0 < interval_s < float("inf")):
            raise ValueError(f"interval_s must be a positive number of seconds, got {interval_s!r}")
        self.store_path = Path(store_path)
        self.claim = claim
        self.interval_s = float(interval_s)
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"twin-heartbeat-{claim.run_id}", daemon=True)

    def start(self) -> None:
        """Start beating (the claim itself was the first heartbeat)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and wait for the thread (at most one write's timeout)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(HEARTBEAT_WRITE_TIMEOUT_S + 5.0)

    @property
    def alive(self) -> bool:
        """Whether the thread still runs."""
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                if not self._beat():
                    return
            except sqlite3.Error as exc:  # locked for longer than the write timeout, or an I/O error: next time
                log.info("run %s: heartbeat not recorded (%s); trying again in %g s", self.claim.run_id, exc, self.interval_s)

    def _beat(self) -> bool:
        """Write one heartbeat; False when the record is no longer this claim (stop)."""
        c = self.claim
        con = sqlite3.connect(self.store_path, timeout=HEARTBEAT_WRITE_TIMEOUT_S, isolation_level=None)
        try:
            con.execute(f"PRAGMA busy_timeout={int(HEARTBEAT_WRITE_TIMEOUT_S * 1000)}")
            cur = con.execute("UPDATE runs SET heartbeat_at = ? WHERE run_id = ? AND status = 'running' AND host = ? AND pid = ? "
                              "AND started_at = ?", (_now(), c.run_id, c.host, c.pid, c.since))
            if cur.rowcount:
                self.beats += 1
                return True
            row = con.execute("SELECT status, host, pid FROM runs WHERE run_id = ?", (c.run_id,)).fetchone()
        finally:
            con.close()
        if row is not None and row[0] == "running" and not self._stop.is_set():
            log.warning("run %s was claimed by process %s on host %s while this process (%s on %s) computes it (no "
                        "heartbeat of it for %g s seen?): both compute it", c.run_id, row[2], row[1], c.pid, c.host, STALE_AFTER_S)
        return False


class RunStore:
    """SQLite run store at ``path`` (created on first use)."""

    @classmethod
    def existing(cls, path: str | os.PathLike[str]) -> RunStore:
        """A store object for the store that exists at ``path``, without what opening one does
        (no folder or table made, no column added, no record marked interrupted): for a tool that
        looked at the records read-only (:func:`read_runs`) and changes only what it decided to
        (``twin store release``)."""
        store = cls.__new__(cls)
        store.path = Path(path)
        return store

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(SCHEMA)
            have = {row[1] for row in con.execute("PRAGMA table_info(runs)")}
            for name, kind in LATER_COLUMNS:
                if name not in have:
                    try:
                        con.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
                    except sqlite3.OperationalError as exc:  # another process added it first
                        if "duplicate column" not in str(exc):
                            raise
        self.mark_interrupted()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        con.execute("PRAGMA busy_timeout=60000")
        return con

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """An autocommit connection, closed on exit."""
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    def mark_interrupted(self) -> list[str]:
        """Mark ``running`` records whose process is gone as ``failed`` (interrupted).

        A process of this host is gone when its pid is free, a zombie, or taken by a later
        process (pid reuse, :func:`holder_alive`). A process of another host is taken for gone
        when its heartbeat is older than :data:`STALE_AFTER_S` (:func:`heartbeat_stale`; the
        error says ``no heartbeat from process P on host H since T``, and a warning is logged);
        records of another host without a heartbeat of their claim are left alone. Records of
        this process are left alone.

        Returns
        -------
        list of str
            The run ids marked.
        """
        host = socket.gethostname()
        with self._connection() as con:
            rows = con.execute("SELECT run_id, pid, pid_started, started_at FROM runs WHERE status = 'running' AND host = ?",
                               (host,)).fetchall()
            marked = []
            for run_id, pid, pid_started, started_at in rows:
                if pid is None or (int(pid) == os.getpid() and pid_started in (None, _my_start())):
                    continue
                if holder_alive(host, int(pid), pid_started, started_at):
                    continue
                reused = "" if not pid_started or process_start(int(pid)) is None else " (its pid now belongs to another process)"
                cur = con.execute(
                    "UPDATE runs SET status = 'failed', finished_at = ?, error = ? "
                    "WHERE run_id = ? AND status = 'running' AND pid = ? AND host = ? AND started_at = ?",
                    (_now(), f"interrupted: process {pid} on {host} ended without finishing the run (killed?){reused}",
                     run_id, pid, host, started_at),
                )
                if cur.rowcount:
                    marked.append(run_id)
            rows = con.execute("SELECT run_id, host, pid, started_at, heartbeat_at FROM runs "
                               "WHERE status = 'running' AND host IS NOT NULL AND host != ? AND heartbeat_at IS NOT NULL",
                               (host,)).fetchall()
            for run_id, other, pid, started_at, heartbeat_at in rows:
                if not heartbeat_stale(started_at, heartbeat_at):
                    continue
                error = _stale_error(other, pid, heartbeat_at)
                cur = con.execute(  # unless it beat meanwhile
                    "UPDATE runs SET status = 'failed', finished_at = ?, error = ? "
                    "WHERE run_id = ? AND status = 'running' AND host = ? AND pid IS ? AND started_at = ? AND heartbeat_at = ?",
                    (_now(), error, run_id, other, pid, started_at, heartbeat_at),
                )
                if cur.rowcount:
                    log.warning("run %s: %s; it can be claimed again", run_id, error)
                    marked.append(run_id)
        return marked

    def claim(
        self,
        run_id: str,
        *,
        scenario: str,
        label: str = "",
        version: str,
        input_hash: str,
        scenario_hash: str,
        seed: int | None,
        versions: dict | None = None,
        again: bool = False,
        batch: str | None = None,
    ) -> Claim:
        """Mark ``run_id`` as running by this process, unless it is done or another process holds it.

        The record keeps the host name, process id and process start time of the claimer
        (``host``, ``pid``, ``pid_started``) and ``versions`` (default:
        :func:`twin.io.run_record.dependency_versions`). With ``again=True`` a ``done`` run is
        claimed too (``twin run`` recomputes on request; the attempt is recorded like any other,
        and a later failure or interruption shows). A run held by another process is never
        taken, ``again`` or not.

        Parameters
        ----------
        batch
            A token of the claimer's batch (recorded in ``batch``). A run ``running`` under the
            same token by another process is claimed: the batch gives each run to one task, so
            that process is an earlier attempt of the same task, which the batch's scheduler
            gave up on (its worker was lost, perhaps on another host that cannot be checked).

        Returns
        -------
        Claim
            ``claimed`` (compute the run), ``done`` (nothing to do) or ``held`` (another process
            computes it; ``host``, ``pid`` and ``since`` name it).
        """
        from twin.io.run_record import dependency_versions

        self.mark_interrupted()
        me = (socket.gethostname(), os.getpid(), _my_start(), batch)
        versions_json = _json(dependency_versions() if versions is None else versions)
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            row = con.execute("SELECT status, host, pid, pid_started, started_at, batch, heartbeat_at FROM runs WHERE run_id = ?",
                              (run_id,)).fetchone()
            if row is not None and row[0] == "done" and not again:
                con.execute("COMMIT")
                return Claim(ClaimStatus.DONE, run_id)
            if row is not None and row[0] == "running" and self._held(row, me):
                con.execute("COMMIT")
                return Claim(ClaimStatus.HELD, run_id, host=row[1], pid=row[2], since=row[4])
            if row is not None and row[0] == "running" and row[1] != me[0] and heartbeat_stale(row[4], row[6]):
                # went stale after mark_interrupted looked (the usual path marks it failed first)
                log.warning("run %s: %s; claimed again", run_id, _stale_error(row[1], row[2], row[6]))
            now = _now()  # the claim time is the first heartbeat
            if row is None:
                con.execute(
                    "INSERT INTO runs (run_id, scenario, label, status, started_at, version, input_hash, scenario_hash, seed, "
                    "host, pid, pid_started, batch, versions, heartbeat_at) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (run_id, scenario, label, now, version, input_hash, scenario_hash, seed, *me, versions_json, now),
                )
            else:
                con.execute(
                    "UPDATE runs SET status = 'running', started_at = ?, finished_at = NULL, attempts = attempts + 1, error = NULL, "
                    "host = ?, pid = ?, pid_started = ?, batch = ?, versions = ?, heartbeat_at = ? WHERE run_id = ?",
                    (now, *me, versions_json, now, run_id),
                )
            con.execute("COMMIT")
            return Claim(ClaimStatus.CLAIMED, run_id, host=me[0], pid=me[1], since=now)
        finally:
            con.close()

    @staticmethod
    def _held(row, me) -> bool:
        """Whether a ``running`` record (status, host, pid, pid_started, started_at, batch,
        heartbeat_at) is held by a process other than ``me`` (host, pid, pid_started, batch) that
        may still run."""
        _, host, pid, pid_started, started_at, batch, heartbeat_at = row
        if (host, pid) == me[:2] and pid_started in (None, me[2]):
            return False  # this process claimed it before (e.g. it handled an error and tries again)
        if batch is not None and batch == me[3]:
            return False  # an earlier attempt of this batch's own task, given up by its scheduler
        alive = holder_alive(host, pid, pid_started, started_at)
        if alive is None:  # another host: held while it beats (or while it has no heartbeat of this claim)
            return not heartbeat_stale(started_at, heartbeat_at)
        return alive

    def is_held(self, record: dict | None, *, batch: str | None = None) -> bool:
        """Whether ``record`` (from :meth:`get`) is ``running`` by another process that may still
        run (this host: alive, pid not reused; another host: its heartbeat is not stale, or it
        has none, :func:`heartbeat_stale`). A run of the same ``batch`` token is not held (see
        :meth:`claim`)."""
        if record is None or record["status"] != "running":
            return False
        row = (record["status"], record["host"], record["pid"], record.get("pid_started"), record["started_at"], record.get("batch"),
               record.get("heartbeat_at"))
        return self._held(row, (socket.gethostname(), os.getpid(), _my_start(), batch))

    def wait_while_held(self, run_id: str, *, poll_s: float = HELD_POLL_S, timeout_s: float | None = None,
                        on_wait: Callable[[dict], None] | None = None) -> dict | None:
        """Wait until no other live process holds ``run_id``; its record then (or None).

        Every ``poll_s`` seconds the store is looked at again (runs of processes that died
        meanwhile, and runs of another host whose heartbeat went stale, are marked interrupted,
        :meth:`mark_interrupted`). ``on_wait(record)`` is
        called before each pause (e.g. for a progress line). The record returned is ``done``
        (the holder's result), ``failed`` (its error; ``interrupted: ...`` when the holder died)
        or ``running`` by this process; with ``timeout_s``, the record as it is when the time
        is up (still held).
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            self.mark_interrupted()
            record = self.get(run_id)
            if not self.is_held(record):
                return record
            if deadline is not None and time.monotonic() >= deadline:
                return record
            if on_wait is not None:
                on_wait(record)
            time.sleep(poll_s)

    def held_advice(self, run_id: str, host: str | None) -> str:
        """What to do about a run held by a process of ``host``: wait, or stop it; for another
        host, how to release the run if that process is gone for good."""
        if host == socket.gethostname():
            return "wait for it to finish, or stop that process (its run is then marked interrupted and can be run again)"
        return (f"wait for it to finish (it is taken for gone if it records no heartbeat for {STALE_AFTER_S:g} s), or stop "
                f"that process on {host} and open the store there (or, if {host} or the process is gone for good and its "
                f"twin records no heartbeat, release the run: {release_command(self.path, [run_id])})")

    @contextlib.contextmanager
    def heartbeat(self, claim: Claim, *, interval_s: float | None = None) -> Iterator[Heartbeat]:
        """Record that this process still computes the run of ``claim`` while the block runs.

        A daemon thread writes the time to the record's ``heartbeat_at`` every ``interval_s``
        seconds (default :data:`HEARTBEAT_S`), through its own connection, as long as the record
        is still this claim (``running``, this host, pid and claim time); it stops when the block
        ends, however it ends (result, error, Ctrl-C or SIGTERM). A process of another host takes
        the run for abandoned when the heartbeat is older than :data:`STALE_AFTER_S`
        (:func:`heartbeat_stale`). Wrap the computation of every claimed run in it.

        Parameters
        ----------
        claim
            A ``claimed`` answer of :meth:`claim`.
        interval_s
            Seconds between heartbeats (default :data:`HEARTBEAT_S`, read at each call).

        Raises
        ------
        ValueError
            ``claim`` is not ``claimed``, or ``interval_s`` is not a positive number.
        """
        beat = Heartbeat(self.path, claim, interval_s=HEARTBEAT_S if interval_s is None else interval_s)
        beat.start()
        try:
            yield beat
        finally:
            beat.stop()

    def release(self, run_id: str, reason: str = "released by hand", *, started_at: str | None = None) -> bool:
        """Mark a ``running`` run ``failed`` (error ``interrupted: <reason>``) whoever holds it.

        For a run held by a process of another host that is gone for good (a cluster node that
        died): no process here can tell, and every batch would wait for it. Releasing a run
        whose holder still computes lets another process compute it too: stop the holder first.
        ``twin store release`` (:mod:`twin.cli.store`) checks that before it calls this.

        Parameters
        ----------
        started_at
            Release the run only while it is still the claim made at this time (the record
            looked at before deciding to release it), not a claim made since.

        Returns
        -------
        bool
            Whether a ``running`` record was released.
        """
        where, args = ("", ()) if started_at is None else (" AND started_at = ?", (started_at,))
        with self._connection() as con:
            cur = con.execute(f"UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ? AND status = 'running'{where}",
                              (_now(), f"interrupted: {reason}", run_id, *args))
        return bool(cur.rowcount)

    def release_all(self, runs: Iterable[tuple[str, str, str | None]]) -> list[bool]:
        """:meth:`release` several runs ``(run_id, reason, started_at)`` in one transaction: every
        update is made, or none (an error or a signal, ``KeyboardInterrupt``, before the commit
        rolls them all back; ``twin store release RUN_ID...`` interrupted after the first of its
        runs released it alone, with no line saying so).

        Returns
        -------
        list of bool
            For each run, whether a ``running`` record was released.
        """
        query = "UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ? AND status = 'running'"
        with self._connection() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                done = []
                for run_id, reason, started_at in runs:
                    where, args = ("", ()) if started_at is None else (" AND started_at = ?", (started_at,))
                    done.append(bool(con.execute(query + where, (_now(), f"interrupted: {reason}", run_id, *args)).rowcount))
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                raise
        return done

    def finish(self, run_id: str, *, kpis: dict, outputs: dict | None = None, claim: Claim | None = None) -> bool:
        """Record the KPIs and output paths of a finished run (strict JSON: NaN is stored as null).

        With ``claim`` (the ``claimed`` answer of :meth:`claim` this process computed under), the
        record is written only while it is still that claim: a run taken from this process
        meanwhile (no heartbeat for :data:`STALE_AFTER_S`, or :meth:`release`) belongs to its new
        holder, whose result must not be overwritten. Returns whether the record was written.
        """
        where, args = self._still_claimed(claim)
        with self._connection() as con:
            cur = con.execute(
                f"UPDATE runs SET status = 'done', finished_at = ?, kpis = ?, outputs = ?, error = NULL WHERE run_id = ?{where}",
                (_now(), _json({str(k): v for k, v in kpis.items()}), _json({str(k): str(v) for k, v in (outputs or {}).items()}), run_id, *args),
            )
        return self._written(cur.rowcount, run_id, claim, "result")

    def fail(self, run_id: str, error: str, *, claim: Claim | None = None) -> bool:
        """Record the error of a failed run (a ``done`` run stays done); ``claim``: as :meth:`finish`.

        Returns whether the record was written.
        """
        where, args = self._still_claimed(claim)
        with self._connection() as con:
            cur = con.execute(f"UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ? AND status != 'done'{where}",
                              (_now(), error, run_id, *args))
        return self._written(cur.rowcount, run_id, claim, "failure")

    @staticmethod
    def _still_claimed(claim: Claim | None) -> tuple[str, tuple]:
        """The SQL condition (and its values) that the record is still ``claim``; none without one."""
        if claim is None:
            return "", ()
        if not claim.claimed:
            raise ValueError(f"run {claim.run_id}: a {claim.status.value!r} claim records nothing")
        return " AND status = 'running' AND host = ? AND pid = ? AND started_at = ?", (claim.host, claim.pid, claim.since)

    @staticmethod
    def _written(rowcount: int, run_id: str, claim: Claim | None, what: str) -> bool:
        if rowcount or claim is None:
            return bool(rowcount)
        log.warning("run %s was taken from this process (%s) while it computed; its %s is not recorded (the new holder's is)",
                    run_id, claim.holder(), what)
        return False

    def get(self, run_id: str) -> dict | None:
        """The record of ``run_id`` (KPIs decoded), or None."""
        with self._connection() as con:
            con.row_factory = sqlite3.Row
            row = con.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        record = dict(row)
        for key in JSON_COLUMNS:
            record[key] = json.loads(record[key]) if record.get(key) else None
        return record

    def copy_to(self, path: str | os.PathLike[str], *, done: dict | None = None) -> Path:
        """A consistent copy of the whole store at ``path`` (SQLite online backup, one file).

        The copy is a plain single-file database (journal mode DELETE), e.g. for a result
        folder that must not change after it was written.

        Parameters
        ----------
        done
            ``{"run_id", "kpis", "outputs"}``: record that run as ``done`` in the copy only
            (the copy goes into the result folder before the folder is swapped in; the store
            itself is told with :meth:`finish` after the swap).
        """
        path = Path(path)
        with self._connection() as src:
            dst = sqlite3.connect(path, isolation_level=None)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
                if done is not None:
                    dst.execute(
                        "UPDATE runs SET status = 'done', finished_at = ?, kpis = ?, outputs = ?, error = NULL WHERE run_id = ?",
                        (_now(), _json({str(k): v for k, v in done.get("kpis", {}).items()}),
                         _json({str(k): str(v) for k, v in done.get("outputs", {}).items()}), done["run_id"]),
                    )
            finally:
                dst.close()
        return path

    def runs(self) -> pd.DataFrame:
        """Every record, oldest first."""
        with self._connection() as con:
            return pd.read_sql_query("SELECT * FROM runs ORDER BY started_at, run_id", con)
