"""``twin store``: what a run store holds, and releasing runs held by processes that are gone.

``twin batch -o OUT`` records every run in ``OUT/runs.sqlite``, ``twin run -o OUT`` in
``OUT.runs.sqlite`` (:mod:`twin.scenario.store`). STORE is that file, or a folder holding
``runs.sqlite``.

``twin store list STORE``
    One row per run: run id, scenario name, seed, status, attempts, host and pid of the process
    that claimed it last, claim and finish times (UTC), heartbeat age (s, running runs whose
    claim has one) and a note: the first line of the error of a failed run (the exception, last
    line, of a traceback), and for a running run whether it is ``held``, ``held (no heartbeat)``,
    ``stale`` or has a ``dead holder`` (:func:`twin.scenario.store.holder_state`). Then a summary
    line. A done run shows, for each of its what-ifs (one line each), the change of a few KPIs
    (what-if minus baseline, as the store records them; default :data:`DEFAULT_KPIS`, the
    buildings' CO2 and heating need; ``--kpi NAME``, repeated, picks others, ``NAME`` or
    ``DOMAIN/NAME``), units in the header. ``--status`` keeps one status (``held``: running runs
    still held), ``--format csv`` / ``json`` for tools (every column, the KPI changes as
    ``kpi_changes``: ``{what-if: {DOMAIN/NAME: change}}``; JSON with the summary). Read-only: the database is opened
    read-only, nothing is claimed, marked, written or created (:func:`twin.scenario.store.read_runs`).
``twin store release STORE RUN_ID...``
    Marks ``running`` runs ``failed`` with ``interrupted: <reason>``, so the next ``twin batch``
    computes them (:meth:`twin.scenario.store.RunStore.release`). Every id is checked before
    anything changes; refused: an id the store does not have (with the closest id), a run that
    is not running, a run held by a live process of this host, and a run of another host whose
    heartbeat is fresh (releasing either lets two processes compute it; ``--force`` releases
    them anyway).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from twin.cli.choices import choice

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="Run stores of twin batch and twin run: list their runs, release runs held by processes that are gone.",
                  no_args_is_help=True)

STATUSES = ("done", "failed", "running", "held")
FORMATS = ("table", "csv", "json")

#: The columns of ``twin store list`` (CSV and JSON), in order.
COLUMNS = ("run_id", "name", "file", "seed", "status", "attempts", "host", "pid", "started_at", "finished_at", "heartbeat_age_s",
           "holder", "error", "kpi_changes")
#: The KPI changes ``twin store list`` shows without ``--kpi``: what a planner asks of most
#: measures first (the buildings' CO2 emissions and heating need, :data:`twin.scenario.report.HEADLINE_KPIS`).
DEFAULT_KPIS = ("co2_t", "heating_need_mwh")

StorePath = Annotated[Path, typer.Argument(help="The run store: OUT/runs.sqlite of twin batch (or the folder OUT), OUT.runs.sqlite "
                                                "of twin run (or its results folder OUT)", metavar="STORE")]


def _first_line(error) -> str:
    """The first line of an error; for a traceback (a bug), its last line (the exception)."""
    if error is None or (isinstance(error, float) and math.isnan(error)):
        return ""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]


def _value(v):
    """A cell as plain Python (None for missing, int for whole numbers pandas made floats)."""
    if v is None:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if hasattr(v, "item"):
        return v.item()
    return v


def recorded_kpis(frame: pd.DataFrame) -> dict[str, dict[str, dict[str, float | None]]]:
    """``{run_id: {what-if: {DOMAIN/NAME: change}}}`` of the done runs of a store's records (the
    store keeps ``"<what-if>/<domain>/<kpi>"`` -> change; a run without KPIs is left out)."""
    import json

    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for rec in frame.to_dict("records"):
        text = _value(rec.get("kpis"))
        if rec.get("status") != "done" or not text:
            continue
        whatifs: dict[str, dict[str, float | None]] = {}
        for key, value in json.loads(text).items():
            whatif, _, kpi = str(key).partition("/")
            if kpi:
                whatifs.setdefault(whatif, {})[kpi] = None if value is None else float(value)
        out[rec["run_id"]] = whatifs
    return out


def pick_kpis(wanted: list[str] | None, recorded: dict[str, dict[str, dict[str, float | None]]], *, path: Path | None = None) -> list[str]:
    """The ``DOMAIN/NAME`` KPIs ``twin store list`` shows: each of ``wanted`` (``NAME`` or
    ``DOMAIN/NAME``; :data:`DEFAULT_KPIS` when None) resolved on the KPIs the store's runs recorded.

    Raises
    ------
    InputError
        A wanted KPI no run recorded (with the closest recorded name; checked only when some run
        recorded KPIs), an empty name, or a ``NAME`` recorded by two domains (write ``DOMAIN/NAME``).
    """
    from twin.errors import InputError

    known = sorted({k for whatifs in recorded.values() for kpis in whatifs.values() for k in kpis})
    by_name: dict[str, list[str]] = {}
    for k in known:
        by_name.setdefault(k.rpartition("/")[2], []).append(k)
    picked = []
    for name in dict.fromkeys(DEFAULT_KPIS if wanted is None else wanted):
        name = name.strip()
        if not name:
            raise InputError("an empty KPI name: give a KPI a run recorded, e.g. co2_t or energy/co2_t", path=path, field="--kpi")
        if "/" in name:
            if known and name not in known:
                raise InputError(_unrecorded(name, known), path=path, field="--kpi")
            picked.append(name)
            continue
        domains = by_name.get(name, [])
        if len(domains) > 1:
            raise InputError(f"KPI {name!r} is recorded by {len(domains)} domains: write one of {', '.join(domains)}", path=path,
                             field="--kpi")
        if domains:
            picked.append(domains[0])
        elif known and wanted is not None:
            raise InputError(_unrecorded(name, sorted(by_name)), path=path, field="--kpi")
        else:  # a default KPI no run of this store recorded: shown as n/a
            picked.append(name)
    return list(dict.fromkeys(picked))


def _unrecorded(name: str, known: list[str]) -> str:
    """``no run of this store recorded KPI 'x'``, with the closest recorded KPI, or those holding ``name``."""
    from twin.io.key_hints import closest_key

    hint = closest_key(name, known)
    if hint:
        return f"no run of this store recorded KPI {name!r} (did you mean {hint!r}?)"
    holding = [k for k in known if name.lower() in k]
    shown = holding or known
    more = f" and {len(shown) - 6} more" if len(shown) > 6 else ""
    return (f"no run of this store recorded KPI {name!r} ({'recorded: ' if holding else 'KPIs recorded: '}"
            f"{', '.join(shown[:6])}{more})")


def runs_table(frame: pd.DataFrame, *, now: dt.datetime | None = None, kpis: list[str] | None = None) -> pd.DataFrame:
    """The rows of ``twin store list`` (:data:`COLUMNS`) from the records of a store.

    ``kpi_changes`` of a done run: ``{what-if: {KPI: change or None}}`` for the ``kpis``
    (``DOMAIN/NAME``, :func:`pick_kpis`; None: the store's own resolution of :data:`DEFAULT_KPIS`);
    None for a run that recorded no KPIs.
    """
    import pandas as pd

    from twin.scenario.store import holder_state, own_heartbeat_at

    now = dt.datetime.now(dt.UTC) if now is None else now
    recorded = recorded_kpis(frame)
    kpis = pick_kpis(None, recorded) if kpis is None else kpis
    rows = []
    for rec in frame.to_dict("records"):
        rec = {k: _value(v) for k, v in rec.items()}
        running = rec["status"] == "running"
        beat = own_heartbeat_at(rec.get("started_at"), rec.get("heartbeat_at")) if running else None
        pid, seed = rec.get("pid"), rec.get("seed")
        rows.append({
            "run_id": rec["run_id"], "name": rec.get("label") or "", "file": rec.get("scenario") or "",
            "seed": None if seed is None else int(seed), "status": rec["status"], "attempts": rec.get("attempts"),
            "host": rec.get("host") or "", "pid": None if pid is None else int(pid), "started_at": rec.get("started_at") or "",
            "finished_at": rec.get("finished_at") or "",
            "heartbeat_age_s": None if beat is None else round((now - beat).total_seconds(), 1),
            "holder": holder_state(rec, now=now), "error": _first_line(rec.get("error")) if rec["status"] == "failed" else "",
            "kpi_changes": ({w: {k: v[k] for k in kpis if k in v} for w, v in recorded[rec["run_id"]].items()}
                            if rec["run_id"] in recorded else None),
        })
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _summary(table: pd.DataFrame) -> dict[str, int]:
    counts = table["status"].value_counts().to_dict()
    held = int(table["holder"].str.startswith("held").sum()) if len(table) else 0
    return {"runs": len(table), "done": int(counts.get("done", 0)), "failed": int(counts.get("failed", 0)),
            "running": int(counts.get("running", 0)), "held": held}


def summary_line(counts: dict[str, int]) -> str:
    """``N runs: D done, F failed, R running: H held[, G no longer held ...]``."""
    gone = counts["running"] - counts["held"]
    tail = f", {gone} no longer held (stale or dead holder; the next opening of the store marks them interrupted)" if gone else ""
    return (f"{counts['runs']} runs: {counts['done']} done, {counts['failed']} failed, {counts['running']} running: "
            f"{counts['held']} held{tail}")


def _short_time(text: str) -> str:
    return text[:19].replace("T", " ") if text else ""


def ascii_text(text: str) -> str:
    """``text`` in ASCII for the terminal: ``€`` as ``EUR``, ``m²`` as ``m2``, ``≈ 0`` as ``~0``,
    ``–`` (undefined) as ``n/a``, other accents and signs left out."""
    import unicodedata

    for a, b in (("≈ ", "~"), ("–", "n/a"), ("−", "-"), ("€", "EUR"), ("²", "2"), ("³", "3"), ("·", "."), ("°C", "degC")):
        text = text.replace(a, b)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def kpi_header(kpi: str) -> str:
    """The table's header of a KPI change: ``CO2_T CHANGE (t/yr)`` (the unit of the change,
    :func:`twin.scenario.report_labels.change_unit`, in ASCII)."""
    from twin.scenario.report_labels import change_unit

    name = kpi.rpartition("/")[2]
    unit = ascii_text(change_unit(name, short=True))
    return f"{name.upper()} CHANGE" + (f" ({unit})" if unit else "")


def kpi_cell(kpi: str, kpis: dict[str, float | None]) -> str:
    """A what-if's change of ``kpi``, rounded as the report rounds it (``n/a``: not recorded or undefined)."""
    from twin.scenario.report_labels import fmt_delta

    if kpi not in kpis:
        return "n/a"
    return ascii_text(fmt_delta(kpi.rpartition("/")[2], kpis[kpi], None))


def _table_text(table: pd.DataFrame, kpis: list[str]) -> list[str]:
    """Aligned columns, the note (holder or error) last; a done run's further what-ifs on lines of their own."""
    import pandas as pd

    head = ("RUN_ID", "STATUS", "SCENARIO", "FINISHED (UTC)", "WHATIF", *(kpi_header(k) for k in kpis), "SEED", "TRIES", "HOST",
            "PID", "STARTED (UTC)", "BEAT_AGE_S", "NOTE")
    rows = [head]
    for r in table.itertuples(index=False):
        name = r.name or (Path(r.file).name if r.file else "")
        whatifs = list((r.kpi_changes or {}).items()) or [("", None)]
        first, changes = whatifs[0]
        rows.append((r.run_id, r.status, name, _short_time(r.finished_at), first,
                     *(kpi_cell(k, changes) if changes is not None else "" for k in kpis),
                     "" if r.seed is None or pd.isna(r.seed) else str(int(r.seed)),
                     "" if r.attempts is None or pd.isna(r.attempts) else str(int(r.attempts)), r.host,
                     "" if r.pid is None or pd.isna(r.pid) else str(int(r.pid)), _short_time(r.started_at),
                     "" if r.heartbeat_age_s is None or pd.isna(r.heartbeat_age_s) else f"{r.heartbeat_age_s:.0f}",
                     r.holder or r.error))
        for whatif, changes in whatifs[1:]:
            rows.append(("", "", "", "", whatif, *(kpi_cell(k, changes) for k in kpis), *[""] * 6, ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    return [ascii_text("  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]]).rstrip()) for row in rows]


@app.command("list")
def list_runs(
    store: StorePath,
    status: Annotated[str | None, typer.Option("--status", help="Only runs of this status: done, failed, running or held "
                                                                "(running runs still held)", callback=choice(STATUSES, what="status"))] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json (every column; JSON with the summary)",
                                      callback=choice(FORMATS, what="format"))] = "table",
    kpi: Annotated[list[str] | None, typer.Option("--kpi", help="A KPI whose change (what-if minus baseline) each what-if of a "
                                                             "done run shows, NAME or DOMAIN/NAME as the run recorded it (e.g. "
                                                             "co2_t, traffic/am_peak_vehicle_km); repeat for more. Default: "
                                                             "co2_t and heating_need_mwh")] = None,
) -> None:
    """List the runs of a run store: status, scenario, the KPI changes of each what-if, holder and heartbeat age, error. Read-only."""
    path = _store_file(store)  # before the store's reader is imported (pandas: about a second)
    from twin.scenario.store import read_runs

    frame = read_runs(path)
    kpis = pick_kpis(kpi, recorded_kpis(frame), path=path)
    table = runs_table(frame, kpis=kpis)
    counts = _summary(table)
    if status == "held":
        table = table[table["holder"].str.startswith("held")]
    elif status is not None:
        table = table[table["status"] == status]
    if fmt == "csv":
        from twin.io.json_out import to_json_text

        table = table.assign(kpi_changes=[None if v is None else to_json_text(v, indent=None) for v in table["kpi_changes"]])
        typer.echo(table.to_csv(index=False), nl=False)
    elif fmt == "json":
        from twin.io.json_out import to_json_text

        records = [{k: v if k == "kpi_changes" else _value(v) for k, v in row.items()} for row in table.to_dict("records")]
        typer.echo(to_json_text({"store": str(path), "summary": counts, "runs": records}))
    else:
        if len(table):
            for line in _table_text(table, kpis):
                typer.echo(line)
        shown = "" if status is None else f" ({len(table)} {status} shown)"
        typer.echo(f"{path}: {summary_line(counts)}{shown}")


def _refusal(run_id: str, rec: dict, ids: list[str], *, force: bool, now: dt.datetime) -> str | None:
    """Why ``run_id`` may not be released (None: it may)."""
    from twin.io.key_hints import closest_key
    from twin.scenario.store import STALE_AFTER_S, holder_state, own_heartbeat_at

    if rec is None:
        hint = closest_key(run_id, ids)
        if hint is None:
            starting = [i for i in ids if i.startswith(run_id)] if run_id else []
            hint = starting[0] if len(starting) == 1 else None
        return f"no run {run_id} in this store" + (f" (did you mean {hint}?)" if hint else f" ({len(ids)} runs; see twin store list)")
    if rec["status"] != "running":
        when = f" at {rec['finished_at']} UTC" if rec.get("finished_at") else ""
        return f"run {run_id} is already {rec['status']} (finished{when}), not running"
    if force:
        return None
    state = holder_state(rec, now=now)
    holder = f"process {rec['pid']} on host {rec['host']}"
    beat = own_heartbeat_at(rec.get("started_at"), rec.get("heartbeat_at"))
    if state == "held" and rec.get("host") != _hostname() and beat is not None:
        age = (now - beat).total_seconds()
        return (f"run {run_id} is held by {holder}, whose last heartbeat is {age:.0f} s old (it is taken for gone after "
                f"{STALE_AFTER_S:g} s without one): it is probably still computing, and releasing it lets two processes compute "
                f"it; stop it first, or wait, or pass --force")
    if state == "held":
        return (f"run {run_id} is held by live process {rec['pid']} on this host ({rec['host']}) since {rec['started_at']} UTC: "
                f"stop that process (its run is then marked interrupted and can be run again), or pass --force "
                f"(releasing it lets two processes compute it)")
    return None


def _hostname() -> str:
    import socket

    return socket.gethostname()


@app.command("release")
def release(
    store: StorePath,
    run_ids: Annotated[list[str], typer.Argument(help="Run ids (as twin store list shows them)", metavar="RUN_IDS")],
    reason: Annotated[str, typer.Option("--reason", help="Recorded in the run's error: interrupted: REASON")] = "",
    force: Annotated[bool, typer.Option("--force", help="Also release runs held by a live process of this host, or by a "
                                                       "process of another host whose heartbeat is fresh")] = False,
) -> None:
    """Release running runs whose process is gone (marked failed, interrupted), so the next twin batch computes them."""
    from twin.errors import InputError, RunHeldError

    why = " ".join(reason.split())
    if reason and not why:
        raise InputError("an empty reason: say why the runs are released, or leave --reason out", field="--reason")
    path = _store_file(store)  # before the store's reader is imported (pandas: about a second)
    from twin.scenario.store import RunStore, holder_state, read_runs

    frame = read_runs(path)
    records = {r["run_id"]: {k: _value(v) for k, v in r.items()} for r in frame.to_dict("records")}
    ids = list(records)
    now = dt.datetime.now(dt.UTC)
    todo = []
    for run_id in dict.fromkeys(run_ids):
        refused = _refusal(run_id, records.get(run_id), ids, force=force, now=now)
        if refused is not None:
            kind = RunHeldError if records.get(run_id, {}).get("status") == "running" else InputError
            raise kind(f"{refused}; nothing released", path=path, field="RUN_ID")
        todo.append(records[run_id])
    runs = RunStore.existing(path)
    holders, texts = [], []
    for rec in todo:
        state = holder_state(rec, now=now)
        holders.append(f"process {rec['pid']} on host {rec['host']} since {rec['started_at']} UTC, {state}")
        texts.append(f"released by hand (twin store release on host {_hostname()}{': ' + why if why else ''}); it was held by {holders[-1]}")
    done = runs.release_all([(rec["run_id"], text, rec["started_at"]) for rec, text in zip(todo, texts, strict=True)])  # all or none
    released, changed = [], []
    for rec, holder, ok in zip(todo, holders, done, strict=True):
        if ok:
            released.append(f"released {rec['run_id']} ({rec.get('label') or Path(str(rec.get('scenario'))).name}; {holder})")
        else:
            changed.append(rec["run_id"])
    for line in released:
        typer.echo(line)
    if released:
        n = len(released)
        typer.echo(f"{n} run{'s' if n > 1 else ''} marked failed (interrupted): the next twin batch on {path} computes "
                   f"{'them' if n > 1 else 'it'} again")
    if changed:
        raise InputError(f"run {', '.join(changed)} changed while being released (finished, or claimed again): not released; "
                         f"see twin store list", path=path, field="RUN_ID")


__all__ = ["COLUMNS", "DEFAULT_KPIS", "app", "pick_kpis", "recorded_kpis", "runs_table", "summary_line"]


def _store_file(store: Path) -> Path:
    """The run store STORE names; ``twin run -o OUT``'s results folder OUT (or OUT when it is gone)
    stands for its store ``OUT.runs.sqlite`` beside it.

    A new user who ran ``twin run -o results`` and typed ``twin store list results`` was told
    "a folder without runs.sqlite, not a run store" although ``results.runs.sqlite`` lay beside
    it. A folder that holds ``runs.sqlite`` (``twin batch -o OUT``) is read as before.

    Parameters
    ----------
    store
        The STORE argument.

    Returns
    -------
    Path
        The store file.

    Raises
    ------
    InputError
        Neither STORE nor ``STORE.runs.sqlite`` is a run store.
    """
    from twin.io.run_store_path import store_file

    path = Path(store)
    beside = path.with_name(path.name + ".runs.sqlite")
    if not (path / "runs.sqlite").is_file() and not path.is_file() and beside.is_file():
        return store_file(beside)
    return store_file(path)
