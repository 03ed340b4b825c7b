"""The overrides table: known values per building, read and checked before any input file.

A table (CSV or Parquet, or a DataFrame / dict from Python) with a ``building_id`` column and
any of :data:`OVERRIDE_COLUMNS`. Every value is checked when the table is read, and every error
names the table, the row (``line N`` of a CSV file, header line 1; ``row N`` of a Parquet file)
and the column:

* a number that is not a positive finite number (``-3``, ``0``, ``tall``, and the literals
  ``nan``, ``inf``, ``-inf``: a CSV cell is read as text, so ``nan`` is not taken for a blank),
  or outside the scene's bounds of a building (:mod:`twin.scene.limits`: ``height_m`` up to
  1000 m, ``n_storeys`` a whole number 1..250, ``construction_year`` a whole number
  1000..2100), or a ``height_m`` over ``n_storeys`` below the least storey height (1.5 m);
* a ``use`` outside the use classes of the defaults table;
* a ``heating_system`` outside the heating systems of the energy accounts
  (:data:`HEATING_SYSTEMS`: :data:`twin.types.heating_systems.SYSTEMS` and ``OPT_IN_SYSTEMS``), with the
  closest known system (:mod:`twin.io.key_hints`);
* an unknown column (with the closest allowed column, :mod:`twin.io.key_hints`), a building
  given twice, a blank ``building_id``; a table of a file whose every value cell is blank
  (it would change nothing).

A blank cell keeps the value of the data. A row whose building is not in the scene is an error
of the command line (:func:`unmatched_rows_error`): a selection that matches nothing is an
error, not a quiet no change.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.io.key_hints import closest_key
from twin.types.heating_systems import all_systems

OVERRIDE_COLUMNS = ("use", "height_m", "n_storeys", "construction_year", "heating_system")
"""Columns an overrides table may hold."""


def heating_systems() -> tuple[str, ...]:
    """The values a building's ``heating_system`` may take: the heat generators of the energy
    accounts, :data:`twin.types.heating_systems.SYSTEMS` then ``OPT_IN_SYSTEMS`` (``gas_boiler``,
    ``heat_pump_air_35``, ``district_heating`` ...)."""
    return all_systems()


def check_heating_system(values: pd.Series, path, labels, *, what: str = "override") -> pd.Series:
    """``values`` as lower-case system names (None where blank); an error naming ``path``, the
    row and the column ``heating_system`` for the first value that is not a known system
    (:func:`heating_systems`), with the closest known one."""
    known = heating_systems()
    text = values.astype(str).str.strip().str.lower()
    given = values.notna().to_numpy() & (text != "").to_numpy() & (text != "nan").to_numpy()
    wrong = given & ~text.isin(set(known)).to_numpy()
    if wrong.any():
        k = int(np.flatnonzero(wrong)[0])
        shown = str(values.iloc[k]).strip()
        close = closest_key(shown, known)
        hint = f" (did you mean {close!r}?)" if close else ""
        raise InputError(f"{what} {shown!r} is not a known heating system{hint}; known: {', '.join(known)}",
                         path=path, obj=_where(labels, values.index[k]), field="heating_system")
    return pd.Series(np.where(given, text.to_numpy(dtype=object), None), index=values.index, dtype=object)

ROW_LABELS = "row_labels"
"""Key of ``DataFrame.attrs`` holding, per building id, where its row is in the file
(``line 4`` of a CSV file, ``row 3`` of a Parquet file)."""

TABLE_PATH = "table_path"
"""Key of ``DataFrame.attrs`` holding the name of the overrides table (its path) when one was
given, so that a later error (:func:`not_applied_error`) can name the table."""

MAX_LISTED = 20
"""Most unmatched rows listed by name in :func:`unmatched_rows_error` (the count is always given)."""


def _read_file(p: Path) -> tuple[pd.DataFrame, list[str]]:
    """The table of file ``p`` and the label of each of its rows.

    A CSV file is read as text (``nan`` stays the text ``nan``; a blank cell is ``''``), with
    blank lines skipped but counted, so each row keeps its line number.
    """
    if p.suffix.lower() in (".parquet", ".geoparquet"):
        frame = pd.read_parquet(p)
        return frame.reset_index(drop=frame.index.name is None), [f"row {i + 1}" for i in range(len(frame))]
    from twin.io.csv_separator import check_separator

    check_separator(p, what="overrides table", field="--overrides")
    frame = pd.read_csv(p, dtype=str, keep_default_na=False, skip_blank_lines=False)
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # the header is line 1
    blank = (frame.apply(lambda c: c.str.strip()) == "").all(axis=1) if len(frame.columns) else pd.Series(True, index=frame.index)
    frame = frame[~blank.to_numpy()]
    return frame.reset_index(drop=True), [f"line {i}" for i in frame.index]


def _as_frame(overrides, path) -> tuple[pd.DataFrame, list[str] | None, Path | str | None]:
    """``overrides`` as a DataFrame, the row labels (None: rows named by their building id) and
    the path to name in errors."""
    if isinstance(overrides, (str, os.PathLike)):
        p = Path(overrides)
        if not p.exists():
            raise InputError("overrides table not found", path=p)
        frame, labels = _read_file(p)
        name = path if path is not None else p
        if len(frame) == 0:  # a header alone (a table saved before its rows were typed)
            raise InputError("the overrides table has no rows: it would change nothing", path=name, field="building_id")
        if not [c for c in frame.columns if c != "building_id"]:
            raise InputError(f"the overrides table has no value column (one of {list(OVERRIDE_COLUMNS)}): it would change nothing",
                             path=name, field="building_id")
        return frame, labels, name
    if isinstance(overrides, pd.DataFrame):
        return overrides.copy(), None, path
    if isinstance(overrides, Mapping):
        frame = pd.DataFrame.from_dict(dict(overrides), orient="index")
        frame.index.name = "building_id"
        return frame, None, path
    raise InputError(f"overrides must be a DataFrame, dict or path, got {type(overrides).__name__}", path=path, field="overrides")


def _where(labels: dict[str, str] | None, building: str) -> str:
    return f"{labels[building]} (building {building})" if labels else building


def _check_use(values: pd.Series, use_classes, path, labels) -> pd.Series:
    text = values.astype(str).str.strip().str.lower()
    given = values.notna() & (text != "")
    if use_classes is not None:
        wrong = given & ~text.isin(set(use_classes))
        if wrong.any():
            b = wrong.index[wrong.to_numpy()][0]
            raise InputError(f"use {text[b]!r} is not one of {sorted(use_classes)}", path=path, obj=_where(labels, b), field="use")
    return values.where(given, None)


def _check_number(values: pd.Series, column: str, path, labels) -> pd.Series:
    """``values`` as floats (NaN where blank); an error for a value that is not a positive finite number."""
    text = values.astype(str).str.strip()
    blank = values.isna().to_numpy() | (text == "").to_numpy()
    if values.dtype == object:
        num = pd.to_numeric(text.where(~blank, None), errors="coerce").to_numpy(dtype=float)
    else:
        num = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~blank & ~(np.isfinite(num) & (num > 0))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        shown = str(values.iloc[k]).strip()
        if np.isnan(num[k]) and shown.lower() not in ("nan", "+nan", "-nan"):
            what = f"is not a number: {shown!r}"
        elif not np.isfinite(num[k]):
            what = f"must be a finite number, not {shown!r}"
        else:
            what = f"must be a positive number, not {shown!r}"
        raise InputError(f"override {what}", path=path, obj=_where(labels, values.index[k]), field=column)
    _check_bounds(np.where(blank, np.nan, num), values, column, path, labels)
    return pd.Series(np.where(blank, np.nan, num), index=values.index, dtype=float)


def _bounds(column: str) -> tuple[float, float, bool, str]:
    """(low, high, whole number, unit) of an override column: the scene's bounds of a building
    (:mod:`twin.scene.limits`), so that a value out of them is refused here, naming the table,
    instead of dropping the building as if its source file were at fault."""
    from twin.scene.limits import MAX_HEIGHT_M, MAX_STOREYS, MAX_YEAR, MIN_YEAR

    return {"height_m": (0.0, MAX_HEIGHT_M, False, " m"), "n_storeys": (1.0, float(MAX_STOREYS), True, ""),
            "construction_year": (MIN_YEAR, MAX_YEAR, True, "")}[column]  # fmt: skip


def _check_bounds(num: np.ndarray, values: pd.Series, column: str, path, labels) -> None:
    """An error naming the table, the row and ``column`` for the first given value outside its bounds."""
    low, high, whole, unit = _bounds(column)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(num) & ((num < low) | (num > high) | (whole & (num != np.round(num))))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        kind = "a whole number " if whole else ""
        raise InputError(f"override {str(values.iloc[k]).strip()!r} must be {kind}in {low:g}..{high:g}{unit}",
                         path=path, obj=_where(labels, values.index[k]), field=column)  # fmt: skip


def _check_storey_height(out: pd.DataFrame, path, labels) -> None:
    """An error for a row whose ``height_m`` over its ``n_storeys`` gives storeys lower than the
    scene's least storey height (the building would be dropped as if its source were at fault)."""
    from twin.scene.limits import MIN_STOREY_HEIGHT_M

    if "height_m" not in out or "n_storeys" not in out:
        return
    with np.errstate(invalid="ignore"):
        low = (out["height_m"] / out["n_storeys"]).to_numpy(dtype=float) < MIN_STOREY_HEIGHT_M
    if low.any():
        k = int(np.flatnonzero(low)[0])
        h, n = out["height_m"].iloc[k], out["n_storeys"].iloc[k]
        raise InputError(f"height_m {h:g} m over n_storeys {n:g} gives storeys of {h / n:.2g} m, below {MIN_STOREY_HEIGHT_M:g} m",
                         path=path, obj=_where(labels, out.index[k]), field="height_m")  # fmt: skip


def read_overrides(overrides, *, path=None, use_classes=None) -> pd.DataFrame | None:
    """Per-building known values as a DataFrame indexed by ``building_id``.

    Parameters
    ----------
    overrides
        A DataFrame with a ``building_id`` column (or index), a mapping
        ``{building_id: {"height_m": 12.0, ...}}`` or the path of a CSV / Parquet table; columns
        among :data:`OVERRIDE_COLUMNS`. None: no overrides.
    path
        The table's name in the errors (default: the path given as ``overrides``).
    use_classes
        The ``buildings.use_classes`` of the defaults table (None: ``use`` not checked).

    Returns
    -------
    DataFrame or None
        Numbers as floats (NaN where blank), ``use`` and ``heating_system`` lower-case text
        (None where blank);
        ``attrs[ROW_LABELS]`` maps each building id to its line (CSV) or row (Parquet) when
        read from a file.

    Raises
    ------
    InputError
        The rules of the module docstring, naming the table, the row and the column.
    """
    if overrides is None:
        return None
    frame, labels, path = _as_frame(overrides, path)
    if "building_id" in frame.columns:
        frame = frame.set_index("building_id")
    frame.index = frame.index.astype(str).str.strip()
    where = dict(zip(frame.index, labels, strict=True)) if labels is not None else None
    if where is not None and (frame.index == "").any():
        raise InputError("building_id is blank", path=path, obj=labels[int(np.flatnonzero(frame.index == "")[0])], field="building_id")
    bad = [c for c in frame.columns if c not in OVERRIDE_COLUMNS]
    if bad:
        raise InputError(f"unknown override column(s) {bad}{_columns_hint(bad)}; allowed: {list(OVERRIDE_COLUMNS)}", path=path, field=bad[0])
    dup = frame.index.duplicated()
    if dup.any():
        k = int(np.flatnonzero(dup)[0])
        obj = f"{labels[k]} (building {frame.index[k]})" if labels is not None else frame.index[k]
        raise InputError("building repeated in overrides", path=path, obj=obj, field="building_id")
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        if col == "use":
            out[col] = _check_use(frame[col], use_classes, path, where)
        elif col == "heating_system":
            out[col] = check_heating_system(frame[col], path, where)
        else:
            out[col] = _check_number(frame[col], col, path, where)
    _check_storey_height(out, path, where)
    if where is not None and len(out.columns) and not out.notna().to_numpy().any():  # a file of blank cells (keep): nothing set
        raise InputError(f"the overrides table gives no value: every cell of {', '.join(map(str, out.columns))} is blank (keep); "
                         "it would change nothing", path=path, field=str(out.columns[0]))
    if where is not None:
        out.attrs[ROW_LABELS] = where
    if path is not None:
        out.attrs[TABLE_PATH] = str(path)
    if isinstance(overrides, pd.DataFrame):  # rows read before keep their lines and table
        for key in (ROW_LABELS, TABLE_PATH):
            if key in overrides.attrs and key not in out.attrs:
                out.attrs[key] = overrides.attrs[key]
    return out


def _columns_hint(bad: list) -> str:
    """``" (did you mean 'height_m'?)"`` for one unknown column, ``" (did you mean 'height_m' for
    'heigth_m', 'use' for 'Use'?)"`` for several (those with a close column,
    :func:`twin.io.key_hints.closest_key`), or ``""``."""
    close = [(c, k) for c in bad if (k := closest_key(c, OVERRIDE_COLUMNS))]
    if not close:
        return ""
    if len(bad) == 1:
        return f" (did you mean {close[0][1]!r}?)"
    return " (did you mean " + ", ".join(f"{k!r} for {c!r}" for c, k in close) + "?)"


def unmatched_rows_error(rows: pd.DataFrame, building_ids, path) -> InputError | None:
    """The error for the rows of ``rows`` (:func:`read_overrides`) whose building is not among
    ``building_ids`` (None when every row matches): one line naming the table and every such
    row (the first :data:`MAX_LISTED`, then how many more) with its line and id."""
    missing = rows.index[~rows.index.isin(pd.Index(building_ids).astype(str))]
    if not len(missing):
        return None
    labels = rows.attrs.get(ROW_LABELS) or {}
    shown = [f"{labels[b]} (id {b!r})" if b in labels else f"id {b!r}" for b in missing[:MAX_LISTED]]
    more = f", ... and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
    rows_word = "row matches" if len(missing) == 1 else "rows match"
    return InputError(f"{len(missing)} {rows_word} no building of the scene (of {len(rows)} override rows): {', '.join(shown)}{more}",
                      path=path, field="building_id")


def not_applied_error(rows: pd.DataFrame, building_ids, *, source, fmt: str) -> InputError | None:
    """The error for the first row of ``rows`` (:func:`read_overrides`) naming a building among
    ``building_ids`` that a reader of format ``fmt`` read from ``source`` without applying the
    overrides (None when no row names one of them): one line naming the table, the row's line
    and id, the input file and the format.

    An overrides row is known values the user gives; a reader that does not apply them would
    keep the file's values and change nothing without a word.
    """
    hit = rows.index[rows.index.isin(pd.Index(building_ids).astype(str))]
    if not len(hit):
        return None
    labels = rows.attrs.get(ROW_LABELS) or {}
    b = hit[0]
    more = f" (and {len(hit) - 1} more row(s) of that file)" if len(hit) > 1 else ""
    return InputError(f"overrides are not applied to {fmt} buildings yet: the row names building {b!r} read from {source}{more}; "
                      f"remove the row (the file's values stay) or give the building in a format that takes overrides",
                      path=rows.attrs.get(TABLE_PATH), obj=labels.get(b, f"building {b}"), field="building_id")


__all__ = ["MAX_LISTED", "OVERRIDE_COLUMNS", "ROW_LABELS", "TABLE_PATH", "check_heating_system", "heating_systems", "not_applied_error",
           "read_overrides", "unmatched_rows_error"]
