"""Measured consumption in one tidy format: reading, checking and the documented cleaning steps.

Format (CSV, or Parquet with the same columns; one row per reading; units in the names):

============  ==========================================================================
column        meaning
============  ==========================================================================
building_id   the scene's building id (``osm:way/13766097``) ...
address       ... or an address, matched to the scene buildings' ``address`` column ...
zone          ... or a zone (an aggregate meter: a district total); the zones a caller
              names (``zones=``); ``twin calibrate`` knows one, ``*`` = every building.
              Exactly one of the three per row.
carrier       ``gas``, ``oil``, ``heat`` (district-heating heat meter) or ``electricity``
start, end    period ``[start, end)`` of an interval reading (annual bill, monthly reading,
              hourly smart-meter value), ISO 8601 **with** a UTC offset
              (``2023-01-01T00:00:00+01:00`` or ``...Z``) ...
timestamp     ... or the time of a cumulative register reading (then ``start``/``end`` empty)
kwh           energy of the period (interval rows) or the register index (timestamp rows), kWh;
              instead of ``kwh``: ``value`` with ``unit`` (``kWh``, ``Wh``, ``MWh``, ``MJ``,
              ``GJ``; ``m3`` for gas with ``gas_kwh_per_m3``)
meter_id      optional: a register restarts with a new meter id (a meter exchange)
============  ==========================================================================

Every problem is either an error naming the file, the row and the column (nothing is fitted),
or a cleaning step that is applied and **reported** (:attr:`MeterData.report`, and a
:class:`~twin.errors.TwinWarning` the command line prints):

* missing time zone: an error, unless the caller names the zone of the clock (``tz=``); then
  the local times are localised (a time that does not exist or repeats at a daylight-saving
  change is an error naming the row) and the step is reported; a zone named when every time has
  its UTC offset would change nothing: an error;
* rows for buildings the scene does not know: an error, or dropped and reported with
  ``unknown="drop"``;
* exact duplicate rows: dropped and reported; two different values for the same building,
  carrier and period (or time stamp): an error naming both rows;
* a negative interval reading, a non-finite value, a period that ends before it starts: errors;
* cumulative registers: sorted by time per building, carrier and meter id; a register that
  goes down is an error naming the two readings (a meter exchange needs a new ``meter_id``;
  a wrong unit shows the same way); consecutive readings become intervals;
* overlapping periods of one building and carrier: an error;
* gaps between periods: kept as gaps (nothing is filled or interpolated) and reported with
  their count and total length; the likelihood uses the covered periods only;
* unknown units: an error; ``m3`` without a conversion factor: an error;
* two heating carriers for one building: an error (calibrate one carrier at a time).

Plausibility of the magnitudes (kWh per m2 of heated floor area) is checked against the scene
in :mod:`twin.calibration.calibrate` (a unit slip by 1000 is an error there).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError, ParseError, SchemaError, TwinWarning
from twin.io.input_limits import METER_SUFFIXES

#: Heating carriers.
CARRIERS = ("gas", "oil", "heat", "electricity")

#: Units accepted in ``unit`` and their factor to kWh (``m3`` needs ``gas_kwh_per_m3``).
UNITS = {"kwh": 1.0, "wh": 1e-3, "mwh": 1e3, "mj": 1.0 / 3.6, "gj": 1e3 / 3.6}

#: Largest meter file read, bytes.
MAX_METER_BYTES = 512 * 1024**2

# METER_SUFFIXES (endings of a meter file): twin.io.input_limits, light, for the command line's checks before pandas is imported

#: Most rows read.
MAX_ROWS = 20_000_000

ID_COLUMNS = ("building_id", "address", "zone")


@dataclass
class MeterData:
    """Clean interval readings.

    Attributes
    ----------
    readings : pandas.DataFrame
        ``building_id`` (or ``""`` for a zone row), ``zone`` (``""`` for a building row),
        ``carrier``, ``start``, ``end`` (tz-aware, UTC), ``kwh``, ``row`` (1-based line of the
        source file, the first of the two readings for a register difference).
    report : list of dict
        One entry per cleaning step applied: ``step``, ``rows`` (affected), ``detail``.
    path : str
    """

    readings: pd.DataFrame
    report: list = field(default_factory=list)
    path: str = ""

    def buildings(self) -> pd.DataFrame:
        return self.readings[self.readings["building_id"] != ""]

    def zones(self) -> pd.DataFrame:
        return self.readings[self.readings["zone"] != ""]

    def report_lines(self) -> list[str]:
        return [f"{r['step']}: {r['detail']}" for r in self.report]


def _fail(message: str, path, row=None, column=None, cls=InputError):
    raise cls(message, path=path, obj=None if row is None else f"row {row}", field=column)


def _read_table(path: Path, option: str) -> pd.DataFrame:
    from twin.io.paths import check_input_file

    # a 0-byte file: pandas would say 'No columns to parse from file'
    check_input_file(path, suffixes=METER_SUFFIXES, max_bytes=MAX_METER_BYTES, what="meter file", field=option, refuse_empty=True)
    try:
        if path.name.lower().endswith(".csv"):  # its separator checked by check_input_file
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=MAX_ROWS + 1, skipinitialspace=True)
        else:
            frame = pd.read_parquet(path)
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})", path=path, field=option) from None
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise ParseError(f"not a readable {'CSV' if path.suffix.lower() == '.csv' else 'Parquet'} table: "
                         f"{' '.join(str(exc).split())[:200]}", path=path, field=option) from None
    if path.name.lower().endswith(".csv") and not isinstance(frame.index, pd.RangeIndex):  # pandas took the first column as the index
        raise ParseError("the rows have one field more than the header (a trailing comma, or a column without a name), "
                         "so every column would shift by one: name every column in the header or remove the extra field",
                         path=path, obj="row 2")
    if path.name.lower().endswith(".csv") and len(frame.columns) and (frame.iloc[:, -1] == "").any():
        short = _first_short_row(path, len(frame.columns))  # pandas fills a row cut short with '' in silence
        if short is not None:
            raise ParseError(f"the row has {short[1]} field(s), fewer than the {len(frame.columns)} of the header "
                             "(a line cut short?): give every column a value, or an empty field between commas",
                             path=path, obj=f"row {short[0]}")
    if len(frame) > MAX_ROWS:
        from twin.errors import ResourceLimitError

        raise ResourceLimitError(f"more than {MAX_ROWS:,} rows", path=path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _first_short_row(path: Path, n_header: int) -> tuple[int, int] | None:
    """The first row of a CSV with fewer fields than its header.

    Parameters
    ----------
    path : Path
        The CSV file, already read by pandas (so UTF-8 text).
    n_header : int
        Number of fields of the header line.

    Returns
    -------
    tuple of (int, int) or None
        Its 1-based line number (the header is line 1) and its number of fields; None if no row is short.
    """
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, skipinitialspace=True)
        next(reader, None)
        for fields in reader:
            if fields and len(fields) < n_header:
                return reader.line_num, len(fields)
    return None


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    s = frame[col]
    return s.astype(object).where(s.notna(), "").astype(str).str.strip()


def _times(values: pd.Series, column: str, path, lines: np.ndarray, tz: str | None, report: list) -> pd.DatetimeIndex:
    """Tz-aware UTC times of text (or datetime) values; naive values need ``tz``."""
    if pd.api.types.is_datetime64_any_dtype(values):
        idx = pd.DatetimeIndex(values)
        if idx.tz is None:
            return _localise(idx, column, path, lines, tz, report)
        return idx.tz_convert("UTC")
    text = values.astype(str).str.strip()
    naive_mask = ~text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    try:
        if naive_mask.all():
            parsed = pd.to_datetime(text, format="ISO8601")
            return _localise(pd.DatetimeIndex(parsed), column, path, lines, tz, report)
        if naive_mask.any():
            i = int(np.flatnonzero(naive_mask.to_numpy())[0])
            _fail(f"time {text.iloc[i]!r} has no UTC offset while others have one: give every time with its offset "
                  "(e.g. 2023-01-01T00:00:00+01:00)", path, lines[i], column)
        return pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601", utc=True))
    except (ValueError, TypeError):
        bad = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=not naive_mask.all())
        i = int(np.flatnonzero(pd.isna(bad).to_numpy())[0]) if pd.isna(bad).any() else 0
        # pandas' own text is advice to programmers ("passing `format='mixed'`..."), not to the planner
        _fail(f"not an ISO 8601 time: {text.iloc[i]!r} (a date that does not exist, or another format; write e.g. "
              "2023-01-01T00:00:00+01:00)", path, lines[i], column)


def _localise(idx: pd.DatetimeIndex, column: str, path, lines, tz: str | None, report: list) -> pd.DatetimeIndex:
    if tz is None:
        _fail("times have no time zone (no UTC offset): give them with their offset (2023-01-01T00:00:00+01:00) "
              "or name the zone of the meter's clock (--tz Europe/Brussels)", path, lines[0] if len(lines) else None, column)
    try:
        out = idx.tz_localize(tz, ambiguous="raise", nonexistent="raise")
    except (ValueError, TypeError, Exception) as exc:  # pytz/zoneinfo errors: ambiguous or non-existent local time
        bad = idx.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        i = int(np.flatnonzero(pd.isna(bad))[0]) if pd.isna(bad).any() else 0
        _fail(f"local time {idx[i]} does not exist or repeats in {tz} (a daylight-saving change): give times with a "
              f"UTC offset ({type(exc).__name__})", path, lines[i], column)
    report.append({"step": "time zone", "rows": int(len(idx)),
                   "detail": f"{len(idx):,} {column} values without a UTC offset read as local time of {tz}"})
    return out.tz_convert("UTC")


def _energy_column_hint(frame: pd.DataFrame) -> str:
    """`` (column 'valeu': did you mean 'value'?)`` for a column that looks like a misspelt energy
    column, ``" (a 'value' column needs a 'unit' column)"`` when only the unit is missing, else ``""``."""
    from twin.io.key_hints import closest_value

    wanted = {k: k for k in ("kwh", "value", "unit") if k not in frame}
    known = {*ID_COLUMNS, "carrier", "start", "end", "timestamp", "kwh", "value", "unit", "meter_id"}
    for column in (c for c in frame.columns if c not in known):
        close = closest_value(column, wanted)
        if close is not None:
            return f" (column {str(column)!r}: did you mean {close!r}?)"
    if "value" in frame and "unit" not in frame:
        return " (a 'value' column needs a 'unit' column)"
    return ""


def _energy(frame: pd.DataFrame, path, lines, gas_kwh_per_m3: float | None) -> np.ndarray:
    volumes = False  # a reading in m3 (what gas_kwh_per_m3 is for)
    if "kwh" in frame:
        raw = frame["kwh"]
        factor = np.ones(len(frame))
        col = "kwh"
    elif "value" in frame and "unit" in frame:
        raw = frame["value"]
        units = _text(frame, "unit").str.lower().str.replace(" ", "", regex=False).str.replace("³", "3", regex=False)
        factor = np.empty(len(frame))
        for u in units.unique():
            m = (units == u).to_numpy()
            if u in UNITS:
                factor[m] = UNITS[u]
            elif u in ("m3", "nm3"):
                if gas_kwh_per_m3 is None:
                    _fail("a gas volume (m3) needs its energy content: give --gas-kwh-per-m3 (e.g. 10.5 for H-gas)", path,
                          lines[np.flatnonzero(m)[0]], "unit")
                factor[m] = float(gas_kwh_per_m3)
                volumes = True
            else:
                _fail(f"unknown unit {u!r} (units: kWh, Wh, MWh, MJ, GJ, m3)", path, lines[np.flatnonzero(m)[0]], "unit")
        col = "value"
    else:
        _fail(f"no energy column: give 'kwh', or 'value' with 'unit'{_energy_column_hint(frame)}", path, None, "kwh", SchemaError)
    if gas_kwh_per_m3 is not None and not volumes:
        _fail("--gas-kwh-per-m3 is given but no reading is a gas volume (unit m3): it would change nothing; leave it out, "
              "or check that this is the meter file meant", path, None, "--gas-kwh-per-m3")
    values = pd.to_numeric(pd.Series(raw).astype(str).str.strip().replace("", "nan"), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(f"not a finite number: {str(pd.Series(raw).iloc[i])!r}", path, lines[i], col)
    return values * factor


def check_hourly(readings: pd.DataFrame, *, path, option: str = "--readings", hour_mark: pd.Timestamp | None = None) -> None:
    """Refuse readings that are not periods of one hour, or (with ``hour_mark``) that do not start
    on the hours of the weather, naming the first such row (``twin sync``).

    Parameters
    ----------
    readings
        Cleaned readings (:meth:`MeterData.buildings`): ``start``, ``end`` and ``row`` (the line
        of the meter file, 1-based counting the header).
    path
        The meter file, named in the error.
    option
        The command-line option that named the file.
    hour_mark
        A time on the weather's hour grid (its first stamp); None: not checked. A reading of
        00:30-01:30 was put into the hour 00:00-01:00 without a word (shifted by half an hour).

    Raises
    ------
    InputError
        A period other than one hour, or one off the hour grid: its row, its start and end and its
        length (h).
    """
    if len(readings) == 0:
        return
    hours = ((pd.DatetimeIndex(readings["end"]) - pd.DatetimeIndex(readings["start"])) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
    bad = ~np.isclose(hours, 1.0)
    if not bad.any():
        if hour_mark is not None:
            _check_on_the_hour(readings, hour_mark, path=path, option=option)
        return
    k = _first_in_file(readings, bad)
    start, end = pd.Timestamp(readings["start"].iloc[k]), pd.Timestamp(readings["end"].iloc[k])
    raise InputError(
        f"twin sync takes hourly readings (periods of one hour); {int(bad.sum()):,} reading(s) are not, the first "
        f"from {start.isoformat()} to {end.isoformat()} ({hours[k]:g} h)",
        path=path, obj=f"row {int(readings['row'].iloc[k])}", field=option,
    )


def _first_in_file(readings: pd.DataFrame, mask: np.ndarray) -> int:
    """Position in ``readings`` of the masked reading that comes first in the meter file (its
    ``row``), not first in the cleaned order."""
    where = np.flatnonzero(mask)
    return int(where[np.argmin(readings["row"].to_numpy()[where])])


def _check_on_the_hour(readings: pd.DataFrame, hour_mark: pd.Timestamp, *, path, option: str) -> None:
    """Refuse hourly readings that start off the weather's hours (see :func:`check_hourly`)."""
    offset_s = ((pd.DatetimeIndex(readings["start"]) - pd.Timestamp(hour_mark)) / pd.Timedelta(seconds=1)).to_numpy(dtype=float)
    off = np.abs(offset_s - 3600.0 * np.round(offset_s / 3600.0)) > 1e-6
    if not off.any():
        return
    k = _first_in_file(readings, off)
    start = pd.Timestamp(readings["start"].iloc[k])
    raise InputError(
        f"the reading from {start.isoformat()} does not start on the hour of the weather (its hours end at "
        f"{pd.Timestamp(hour_mark).isoformat()} and every hour after); {int(off.sum()):,} reading(s) are off the hour: "
        "give hourly readings on the clock hours (a meter export shifted by part of an hour?)",
        path=path, obj=f"row {int(readings['row'].iloc[k])}", field=option,
    )


def read_meters(
    path: str | os.PathLike[str] | pd.DataFrame,
    *,
    building_ids=None,
    addresses: pd.Series | None = None,
    zones: dict[str, str] | None = None,
    tz: str | None = None,
    unknown: str = "error",
    gas_kwh_per_m3: float | None = None,
    drop_option: str | None = "--drop-unknown",
    option: str = "--meters",
) -> MeterData:
    """Read, check and clean a meter file (module docstring).

    Parameters
    ----------
    path
        CSV or Parquet file of the tidy format (or a DataFrame of it, for tests and the API).
    building_ids
        The scene's building ids (None: not checked).
    addresses
        Address -> building id (the scene's ``address`` column), for rows given by address.
    zones
        Zone names the caller knows -> description (``twin calibrate``: ``{"*": "every building"}``);
        None: not checked.
    tz
        Time zone of times without a UTC offset (``Europe/Brussels``); None: such times are an error.
    unknown
        ``"error"``: a row for a building the scene does not know is an error; ``"drop"``: dropped
        and reported.
    gas_kwh_per_m3
        Energy of a cubic metre of gas (kWh), for ``unit = m3``.
    drop_option
        The command-line option that drops unknown rows, named in the error (None: the command
        has none, and the error says to remove the rows).
    option
        The command-line option that names the meter file, named in errors about the file itself
        (``twin sync update``: ``--readings``).

    Raises
    ------
    InputError, ParseError, SchemaError
        As the module docstring says, naming the file, the row and the column.
    """
    if unknown not in ("error", "drop"):
        raise InputError("unknown must be 'error' or 'drop'", field="unknown")
    if isinstance(path, pd.DataFrame):
        frame, where = path.copy(), "meter table"
        frame.columns = [str(c).strip().lower() for c in frame.columns]
    else:
        where = Path(path)
        frame = _read_table(where, option)
    report: list[dict] = []
    if len(frame) == 0:
        _fail("the meter file has no readings", where, None, None)
    lines = np.arange(len(frame)) + 2  # 1-based, after the header line
    given = [c for c in ID_COLUMNS if c in frame]
    if not given:
        _fail("no id column: give building_id, address or zone", where, None, "building_id", SchemaError)
    ids = {c: _text(frame, c) for c in ID_COLUMNS}
    n_ids = sum((ids[c] != "").astype(int) for c in ID_COLUMNS)
    if (n_ids != 1).any():
        i = int(np.flatnonzero((n_ids != 1).to_numpy())[0])
        _fail("give exactly one of building_id, address, zone per row", where, lines[i], "building_id")
    # addresses -> building ids
    bid = ids["building_id"].copy()
    has_addr = (ids["address"] != "").to_numpy()
    if has_addr.any():
        if addresses is None:
            _fail("rows give an address but the scene's buildings have no 'address' column: give building_id", where,
                  lines[np.flatnonzero(has_addr)[0]], "address")
        amap = {str(a).strip().lower(): str(b) for a, b in addresses.items()}
        mapped = ids["address"][has_addr].str.lower().map(amap)
        miss = mapped.isna().to_numpy()
        if miss.any():
            if unknown == "error":
                j = int(np.flatnonzero(has_addr)[np.flatnonzero(miss)[0]])
                _fail(f"address {ids['address'].iloc[j]!r} matches no building of the scene", where, lines[j], "address")
        bid.loc[has_addr] = mapped.fillna("__unknown_address__").to_numpy()
    zone = ids["zone"]
    carrier = _text(frame, "carrier").str.lower()
    if "carrier" not in frame:
        _fail("no carrier column (gas, oil, heat, electricity)", where, None, "carrier", SchemaError)
    bad = ~carrier.isin(CARRIERS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        _fail(f"unknown carrier {carrier.iloc[i]!r} (carriers: {', '.join(CARRIERS)})", where, lines[i], "carrier")
    kwh = _energy(frame, where, lines, gas_kwh_per_m3)
    st, en, ts = _text(frame, "start"), _text(frame, "end"), _text(frame, "timestamp")
    is_int = ((st != "") | (en != "")).to_numpy()
    is_reg = (ts != "").to_numpy()
    if not (is_int | is_reg).all():
        i = int(np.flatnonzero(~(is_int | is_reg))[0])
        _fail("a reading needs start and end (an interval) or timestamp (a register index)", where, lines[i], "start")
    if (is_int & is_reg).any():
        i = int(np.flatnonzero(is_int & is_reg)[0])
        _fail("give start/end or timestamp, not both", where, lines[i], "timestamp")
    if "start" in frame and pd.api.types.is_datetime64_any_dtype(frame["start"]):  # parquet with datetimes
        st_raw, en_raw = frame["start"], frame["end"]
    else:
        st_raw, en_raw = st, en
    # unknown buildings
    known_b = None if building_ids is None else set(map(str, building_ids))
    is_b = (bid != "").to_numpy()
    unknown_mask = np.zeros(len(frame), dtype=bool)
    if known_b is not None:
        unknown_mask |= is_b & ~bid.isin(known_b).to_numpy()
    if zones is not None:
        unknown_mask |= (zone != "").to_numpy() & ~zone.isin(set(zones)).to_numpy()
    if unknown_mask.any():
        if unknown == "error":
            i = int(np.flatnonzero(unknown_mask)[0])
            what = f"building {bid.iloc[i]!r}" if is_b[i] else f"zone {zone.iloc[i]!r}"
            fix = f"fix the ids or drop them ({drop_option})" if drop_option else "fix the ids or remove those rows"
            holder = "the sync state (the buildings of its twin sync init)" if option == "--readings" else "the scene"
            _fail(f"{what} is not in {holder} ({int(unknown_mask.sum()):,} rows for unknown buildings or zones); {fix}",
                  where, lines[i], "building_id" if is_b[i] else "zone")
        names = sorted(set(bid[unknown_mask & is_b]) | set(zone[unknown_mask & ~is_b]))
        msg = f"{int(unknown_mask.sum()):,} rows for {len(names)} buildings or zones not in the scene dropped (first: {names[0]})"
        report.append({"step": "unknown buildings", "rows": int(unknown_mask.sum()), "detail": msg})
        warnings.warn(msg, TwinWarning, stacklevel=2)
    keep = ~unknown_mask
    out = []
    # interval rows
    mi = is_int & keep
    if mi.any():
        s = _times(pd.Series(np.asarray(st_raw)[mi]), "start", where, lines[mi], tz, report)
        e = _times(pd.Series(np.asarray(en_raw)[mi]), "end", where, lines[mi], tz, report)
        k = kwh[mi]
        if (e <= s).any():
            j = int(np.flatnonzero(e <= s)[0])
            _fail(f"period ends ({e[j]}) at or before it starts ({s[j]})", where, lines[mi][j], "end")
        if (k < 0).any():
            j = int(np.flatnonzero(k < 0)[0])
            _fail(f"negative consumption {k[j]:g} kWh", where, lines[mi][j], "kwh" if "kwh" in frame else "value")
        out.append(pd.DataFrame({"building_id": bid[mi].to_numpy(), "zone": zone[mi].to_numpy(), "carrier": carrier[mi].to_numpy(),
                                 "start": s, "end": e, "kwh": k, "row": lines[mi]}))
    # register rows
    mr = is_reg & keep
    if mr.any():
        t = _times(pd.Series(frame["timestamp"].to_numpy()[mr] if pd.api.types.is_datetime64_any_dtype(frame.get("timestamp", pd.Series(dtype=str)))
                             else ts[mr].to_numpy()), "timestamp", where, lines[mr], tz, report)
        reg = pd.DataFrame({"building_id": bid[mr].to_numpy(), "zone": zone[mr].to_numpy(), "carrier": carrier[mr].to_numpy(),
                            "meter_id": _text(frame, "meter_id")[mr].to_numpy(), "t": t, "kwh": kwh[mr], "row": lines[mr]})
        out.append(_registers(reg, where, report))
    if tz is not None and out and not any(r["step"] == "time zone" for r in report):
        _fail(f"--tz {tz} is given but every time has its UTC offset: it would change nothing; leave it out, or check that "
              "this is the meter file meant", where, None, "--tz")
    readings = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["building_id", "zone", "carrier", "start", "end", "kwh", "row"])
    readings = _duplicates(readings, where, report)
    _overlaps_and_gaps(readings, where, report)
    _one_carrier(readings, where)
    readings = readings.sort_values(["building_id", "zone", "carrier", "start"], kind="stable").reset_index(drop=True)
    if len(readings) == 0:
        _fail("no reading is left after cleaning", where, None, None)
    for r in report:
        if r["step"] in ("duplicates", "gaps", "register"):
            warnings.warn(r["detail"], TwinWarning, stacklevel=2)
    return MeterData(readings, report, str(where))


def _registers(reg: pd.DataFrame, where, report: list) -> pd.DataFrame:
    """Intervals from cumulative register readings (one series per building/zone, carrier, meter id)."""
    reg = reg.sort_values(["building_id", "zone", "carrier", "meter_id", "t", "row"], kind="stable")
    # exact duplicates of a register reading
    key = ["building_id", "zone", "carrier", "meter_id", "t"]
    dup = reg.duplicated(key, keep="first")
    if dup.any():
        first = reg[reg.duplicated(key, keep=False)].groupby(key, sort=False)["kwh"].nunique()
        if (first > 1).any():
            k = first[first > 1].index[0]
            rows = reg.set_index(key).loc[[k], "row"].to_numpy()
            _fail(f"two different register readings at the same time {k[4]} ({len(rows)} rows: {', '.join(map(str, rows))})",
                  where, int(rows[1]), "timestamp")
        report.append({"step": "duplicates", "rows": int(dup.sum()), "detail": f"{int(dup.sum()):,} repeated register readings dropped"})
        reg = reg[~dup]
    parts = []
    for _, g in reg.groupby(["building_id", "zone", "carrier", "meter_id"], sort=False):
        v = g["kwh"].to_numpy()
        d = np.diff(v)
        if (d < 0).any():
            j = int(np.flatnonzero(d < 0)[0])
            _fail(f"the register goes down from {v[j]:g} to {v[j + 1]:g} kWh at {g['t'].iloc[j + 1]} (rows {g['row'].iloc[j]} and "
                  f"{g['row'].iloc[j + 1]}): a meter exchange needs a new meter_id; a wrong unit or a reset shows the same way",
                  where, int(g["row"].iloc[j + 1]), "kwh")
        if len(g) < 2:
            continue
        parts.append(pd.DataFrame({"building_id": g["building_id"].to_numpy()[1:], "zone": g["zone"].to_numpy()[1:],
                                   "carrier": g["carrier"].to_numpy()[1:], "start": g["t"].to_numpy()[:-1], "end": g["t"].to_numpy()[1:],
                                   "kwh": d, "row": g["row"].to_numpy()[:-1]}))
    n_series = reg.groupby(["building_id", "zone", "carrier", "meter_id"]).ngroups
    report.append({"step": "register", "rows": int(len(reg)),
                   "detail": f"{len(reg):,} cumulative register readings of {n_series} series turned into {sum(len(p) for p in parts):,} intervals"})
    if not parts:
        return pd.DataFrame(columns=["building_id", "zone", "carrier", "start", "end", "kwh", "row"])
    out = pd.concat(parts, ignore_index=True)
    out["start"] = pd.DatetimeIndex(out["start"]).tz_localize("UTC") if pd.DatetimeIndex(out["start"]).tz is None else out["start"]
    out["end"] = pd.DatetimeIndex(out["end"]).tz_localize("UTC") if pd.DatetimeIndex(out["end"]).tz is None else out["end"]
    return out


def _duplicates(r: pd.DataFrame, where, report: list) -> pd.DataFrame:
    key = ["building_id", "zone", "carrier", "start", "end"]
    if len(r) == 0:
        return r
    rep = r.duplicated(key, keep=False)
    if not rep.any():
        return r
    grp = r[rep].groupby(key, sort=False)["kwh"]
    conflict = grp.nunique()
    if (conflict > 1).any():
        k = conflict[conflict > 1].index[0]
        rows = r[rep].set_index(key).loc[[k], "row"].to_numpy()
        who = k[0] or f"zone {k[1]}"
        _fail(f"two different readings for {who} ({k[2]}) over the same period {k[3]} - {k[4]}: rows {', '.join(map(str, rows))}",
              where, int(rows[1]), "kwh")
    dup = r.duplicated(key, keep="first")
    report.append({"step": "duplicates", "rows": int(dup.sum()), "detail": f"{int(dup.sum()):,} repeated readings (same period, same value) dropped"})
    return r[~dup].reset_index(drop=True)


def _overlaps_and_gaps(r: pd.DataFrame, where, report: list) -> None:
    if len(r) == 0:
        return
    r = r.sort_values(["building_id", "zone", "carrier", "start"], kind="stable")
    same = ((r["building_id"].to_numpy()[1:] == r["building_id"].to_numpy()[:-1]) & (r["zone"].to_numpy()[1:] == r["zone"].to_numpy()[:-1])
            & (r["carrier"].to_numpy()[1:] == r["carrier"].to_numpy()[:-1]))
    s = pd.DatetimeIndex(r["start"]).as_unit("ns").asi8
    e = pd.DatetimeIndex(r["end"]).as_unit("ns").asi8
    over = same & (s[1:] < e[:-1])
    if over.any():
        j = int(np.flatnonzero(over)[0])
        _fail(f"periods overlap: {r['start'].iloc[j]} - {r['end'].iloc[j]} (row {r['row'].iloc[j]}) and {r['start'].iloc[j + 1]} - "
              f"{r['end'].iloc[j + 1]}", where, int(r["row"].iloc[j + 1]), "start")
    gap = same & (s[1:] > e[:-1])
    if gap.any():
        hours = float((s[1:][gap] - e[:-1][gap]).sum()) / 3.6e12
        n_b = len(set(r["building_id"].to_numpy()[1:][gap]) | set(r["zone"].to_numpy()[1:][gap]))
        report.append({"step": "gaps", "rows": int(gap.sum()),
                       "detail": f"{int(gap.sum()):,} gaps between readings ({hours:,.0f} h in total, {n_b} meters) left unfilled: "
                                 "the fit uses the covered periods only"})


def _one_carrier(r: pd.DataFrame, where) -> None:
    b = r[r["building_id"] != ""]
    n = b.groupby("building_id")["carrier"].nunique()
    if (n > 1).any():
        bid = n[n > 1].index[0]
        rows = b[b["building_id"] == bid].drop_duplicates("carrier")
        _fail(f"building {bid!r} has readings of {len(rows)} heating carriers ({', '.join(rows['carrier'])}): calibrate one carrier at a time",
              where, int(rows["row"].iloc[1]), "carrier")


def to_days(readings: pd.DataFrame, tz, report: list | None = None) -> pd.DataFrame:
    """Readings shorter than a day summed into calendar days of ``tz`` (a day counts only when its
    readings cover all of it; the others are dropped and reported). Longer readings are kept."""
    if len(readings) == 0:
        return readings
    dur = (pd.DatetimeIndex(readings["end"]) - pd.DatetimeIndex(readings["start"])) / pd.Timedelta(hours=1)
    short = dur.to_numpy() < 24.0 - 1e-9
    if not short.any():
        return readings
    sub = readings[short].copy()
    local_start = pd.DatetimeIndex(sub["start"]).tz_convert(tz)
    day = local_start.normalize()
    end_day = (pd.DatetimeIndex(sub["end"]).tz_convert(tz) - pd.Timedelta(seconds=1)).normalize()
    cross = day != end_day
    if cross.any() and report is not None:
        report.append({"step": "days", "rows": int(cross.sum()), "detail": f"{int(cross.sum()):,} readings spanning midnight dropped when summing days"})
    sub = sub[~cross]
    day = day[~cross]
    sub["day"] = day
    sub["hours"] = ((pd.DatetimeIndex(sub["end"]) - pd.DatetimeIndex(sub["start"])) / pd.Timedelta(hours=1)).to_numpy()
    g = sub.groupby(["building_id", "zone", "carrier", "day"], sort=True).agg(kwh=("kwh", "sum"), hours=("hours", "sum"), row=("row", "min")).reset_index()
    d0 = pd.DatetimeIndex(g["day"])
    d1 = (d0 + pd.Timedelta(days=1)).normalize()  # calendar day (23 or 25 h at DST changes)
    full = np.isclose(g["hours"].to_numpy(), ((d1 - d0) / pd.Timedelta(hours=1)).to_numpy())
    if (~full).any() and report is not None:
        report.append({"step": "days", "rows": int((~full).sum()),
                       "detail": f"{int((~full).sum()):,} days not fully covered by readings dropped when summing hourly readings into days"})
    g = g[full]
    days = pd.DataFrame({"building_id": g["building_id"].to_numpy(), "zone": g["zone"].to_numpy(), "carrier": g["carrier"].to_numpy(),
                         "start": d0[full].tz_convert("UTC"), "end": d1[full].tz_convert("UTC"), "kwh": g["kwh"].to_numpy(), "row": g["row"].to_numpy()})
    if report is not None:
        report.append({"step": "days", "rows": int(short.sum()), "detail": f"{int(short.sum()):,} sub-daily readings summed into {len(days):,} days"})
    return pd.concat([readings[~short], days], ignore_index=True).sort_values(["building_id", "zone", "carrier", "start"]).reset_index(drop=True)


__all__ = ["CARRIERS", "MeterData", "UNITS", "check_hourly", "read_meters", "to_days"]
