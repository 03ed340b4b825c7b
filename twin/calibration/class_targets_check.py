"""Checks of a ``--classes`` table (EPB class shares) that its reader does not make.

:func:`twin.calibration.group.load_class_targets` reads the table; that module is fingerprinted
by the default calibration table (``scripts/calibrate_stgilles_default.py``), so these checks run
first, from the command, and should move into the reader when the fingerprint is next
regenerated. Each was a hole of the fifth bad-input sweep:

* a ``share`` or ``sd`` that is not a number (``85%``): an internal error (exit 70, a traceback);
* a target name given twice: both rows were fitted, the target counted twice, exit 0;
* a target whose classes cover every EPB class: its share is 1 whatever the stock, so a share
  below 1 can never be met and pulled the fit without a word.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from twin.errors import SchemaError


def check_class_targets_table(path: str | os.PathLike[str]) -> None:
    """Refuse a class-target CSV that :func:`~twin.calibration.group.load_class_targets` would
    misread (module docstring).

    Parameters
    ----------
    path
        The ``--classes`` CSV (``target,classes,share,sd,use[,relation,source]``).

    Raises
    ------
    SchemaError
        Naming the file, the row and the column.
    """
    from twin.energy.classes import class_order
    from twin.io.paths import check_input_file

    path = Path(path)
    check_input_file(path, suffixes=(".csv",), max_bytes=1024**2, what="class targets", field="--classes")
    if path.stat().st_size == 0:  # pandas: 'No columns to parse from file'
        raise SchemaError("empty file (0 bytes): give the header target,classes,share,sd,use and a row per class share",
                          path=path, field="--classes")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise SchemaError(f"not a readable CSV: {exc}", path=path, field="--classes") from None
    every = set(class_order())
    seen: dict[str, int] = {}
    for i, r in table.iterrows():
        row = f"row {int(i) + 2}"
        for col in ("share", "sd"):
            if col in table:
                try:
                    float(str(r[col]).strip())
                except ValueError:
                    what = "is empty" if not str(r[col]).strip() else f"{r[col]!r} is not a number (a share is a fraction: 0.85, not 85%)"
                    raise SchemaError(f"{col} {what}", path=path, obj=row, field=col) from None
        if "target" in table:
            name = str(r["target"]).strip()
            if name in seen:
                raise SchemaError(f"target {name!r} is given twice (rows {seen[name]} and {int(i) + 2}): it would be fitted twice",
                                  path=path, obj=row, field="target")
            seen[name] = int(i) + 2
        if "classes" in table:
            classes = {c.strip() for c in str(r["classes"]).split(",") if c.strip()}
            if classes >= every:
                raise SchemaError(f"the classes cover every EPB class ({', '.join(class_order())}): their share is 1 whatever the stock, "
                                  "so the target says nothing", path=path, obj=row, field="classes")


__all__ = ["check_class_targets_table"]
