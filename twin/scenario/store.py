"""The run store: one SQLite record per run, so batches resume and nothing runs or counts twice.

A run is identified by ``run_id`` = hash of (scenario digest, input file contents, seed,
package version): the same work always has the same id. Statuses: ``running`` (claimed),
``done`` (KPIs and outputs recorded), ``failed`` (error recorded). Claiming a ``done`` run is
refused, so a rerun of an interrupted batch skips finished work; a ``running`` or ``failed``
run is claimed again (its process died or it failed) and ``attempts`` counts the tries;
``host`` and ``pid`` name the process that claimed it last.
A ``done`` record is final: a late :meth:`RunStore.fail` does not overwrite it.
A run whose process was killed (``kill -9``, a power cut) cannot mark itself failed: opening
the store, and every claim, marks ``running`` records of this host whose process is gone as
``failed`` with the error ``interrupted: ...`` (:meth:`RunStore.mark_interrupted`).
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
import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from twin.io.json_out import to_json_text


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
    versions TEXT
);
"""

# columns added after the first release of the table: (name, SQL type)
LATER_COLUMNS = (("host", "TEXT"), ("pid", "INTEGER"), ("versions", "TEXT"))

# columns holding JSON text
JSON_COLUMNS = ("kpis", "outputs", "versions")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


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


class RunStore:
    """SQLite run store at ``path`` (created on first use)."""

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
        """Mark ``running`` records of this host whose process is gone as ``failed`` (interrupted).

        Returns
        -------
        list of str
            The run ids marked.
        """
        from twin.io.staged import pid_alive

        host = socket.gethostname()
        with self._connection() as con:
            rows = con.execute("SELECT run_id, pid FROM runs WHERE status = 'running' AND host = ?", (host,)).fetchall()
            marked = []
            for run_id, pid in rows:
                if pid is None or int(pid) == os.getpid() or pid_alive(int(pid)):
                    continue
                cur = con.execute(
                    "UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ? AND status = 'running' AND pid = ? AND host = ?",
                    (_now(), f"interrupted: process {pid} on {host} ended without finishing the run (killed?)", run_id, pid, host),
                )
                if cur.rowcount:
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
    ) -> bool:
        """Mark ``run_id`` as running by this process; False if it is already done (nothing to do).

        The record keeps the host name and process id of the claimer (``host``, ``pid``) and
        ``versions`` (default: :func:`twin.io.run_record.dependency_versions`). With
        ``again=True`` a ``done`` run is claimed too (``twin run`` recomputes on request; the
        attempt is recorded like any other, and a later failure or interruption shows).
        """
        from twin.io.run_record import dependency_versions

        self.mark_interrupted()
        me = (socket.gethostname(), os.getpid())
        versions_json = _json(dependency_versions() if versions is None else versions)
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            row = con.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is not None and row[0] == "done" and not again:
                con.execute("COMMIT")
                return False
            if row is None:
                con.execute(
                    "INSERT INTO runs (run_id, scenario, label, status, started_at, version, input_hash, scenario_hash, seed, host, pid, versions) "
                    "VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)",
                    (run_id, scenario, label, _now(), version, input_hash, scenario_hash, seed, *me, versions_json),
                )
            else:
                con.execute(
                    "UPDATE runs SET status = 'running', started_at = ?, finished_at = NULL, attempts = attempts + 1, error = NULL, "
                    "host = ?, pid = ?, versions = ? WHERE run_id = ?",
                    (_now(), *me, versions_json, run_id),
                )
            con.execute("COMMIT")
            return True
        finally:
            con.close()

    def finish(self, run_id: str, *, kpis: dict, outputs: dict | None = None) -> None:
        """Record the KPIs and output paths of a finished run (strict JSON: NaN is stored as null)."""
        with self._connection() as con:
            con.execute(
                "UPDATE runs SET status = 'done', finished_at = ?, kpis = ?, outputs = ?, error = NULL WHERE run_id = ?",
                (_now(), _json({str(k): v for k, v in kpis.items()}), _json({str(k): str(v) for k, v in (outputs or {}).items()}), run_id),
            )

    def fail(self, run_id: str, error: str) -> None:
        """Record the error of a failed run (a ``done`` run stays done)."""
        with self._connection() as con:
            con.execute("UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ? AND status != 'done'", (_now(), error, run_id))

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
