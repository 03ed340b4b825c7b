"""Energy classes of the Brussels EPB (PEB) certificate for dwellings.

The class follows from the yearly primary energy use per m2 of heated floor area
(kWh/(m2.yr)). The thresholds live in ``twin/data/energy_classes_brussels.csv`` (one row per
class: ``energy_class``, inclusive upper bound ``upper_kwh_m2``, ``source``); pass another table
of the same columns for another scheme.

============  ===================
class         primary energy, kWh/(m2.yr)
============  ===================
A++           <= 0
A+            0 - 15
A             15 - 45
B             45 - 95
C             95 - 150
D             150 - 210
E             210 - 275
F             275 - 345
G             > 345
============  ===================

References
----------
Arrete du Gouvernement de la Region de Bruxelles-Capitale du 17 fevrier 2011 relatif au
certificat PEB etabli par un certificateur pour les habitations individuelles ("Certires"),
classes as amended on 6 October 2016 (in force 1 January 2017). The C (96-150) and D (151-210)
bounds were checked against public pages cited in the table; the certificate works on rounded
integers, here a value belongs to the first class whose upper bound it does not exceed.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from twin.errors import SchemaError
from twin.packaged import packaged_csv

PACKAGED_TABLE = "energy_classes_brussels.csv"


def load_classes(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The class table (packaged Brussels scale, or a user CSV with the same columns).

    Raises
    ------
    SchemaError
        A column is missing or the upper bounds do not increase.
    """
    if path is None:
        table = packaged_csv(PACKAGED_TABLE)
    else:
        table = pd.read_csv(path)
    for col in ("energy_class", "upper_kwh_m2"):
        if col not in table:
            raise SchemaError("class table lacks a column", path=path, field=col)
    upper = pd.to_numeric(table["upper_kwh_m2"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(upper).any() or np.any(np.diff(upper) <= 0):
        raise SchemaError("class upper bounds must be numbers increasing down the table", path=path, field="upper_kwh_m2")
    return table.assign(upper_kwh_m2=upper)


def energy_class(primary_kwh_m2: np.ndarray | pd.Series | float, table: pd.DataFrame | None = None) -> np.ndarray:
    """Class label of each primary-energy intensity (kWh/(m2.yr)); NaN gives ``''``.

    Examples
    --------
    >>> energy_class([-5.0, 100.0, 151.0, 400.0]).tolist()
    ['A++', 'C', 'D', 'G']
    """
    if table is None:
        table = load_classes()
    ep = np.atleast_1d(np.asarray(primary_kwh_m2, dtype=float))
    labels = table["energy_class"].astype(str).to_numpy()
    out = labels[class_index(ep, table)].astype(object)
    out[~np.isfinite(ep)] = ""
    return out


def class_index(primary_kwh_m2: np.ndarray, table: pd.DataFrame | None = None) -> np.ndarray:
    """Row of the class table (best class first) of each primary-energy intensity, kWh/(m2.yr),
    any shape: the first class whose upper limit the value does not exceed, the last class above
    every limit. Non-finite values get an index too (the last class for NaN and inf); callers
    mask them (:func:`energy_class` gives them ``''``)."""
    if table is None:
        table = load_classes()
    upper = table["upper_kwh_m2"].to_numpy(dtype=float)
    return np.clip(np.searchsorted(upper, np.asarray(primary_kwh_m2, dtype=float), side="left"), 0, len(upper) - 1)


def class_order(table: pd.DataFrame | None = None) -> list[str]:
    """Class labels from best to worst (for ordered plots and tables)."""
    if table is None:
        table = load_classes()
    return table["energy_class"].astype(str).tolist()


__all__ = ["class_index", "class_order", "energy_class", "load_classes"]
