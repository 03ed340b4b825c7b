"""Exhaust emissions from vehicle-kilometres: CO2 from fuel burnt, NOx from per-km factors.

Per vehicle class ``c`` of the car fleet (``twin/data/mobility_emission_factors.csv``, each value
with its source and a band)::

    CO2 [kg] = veh_km x sum_c share_c x fuel_c [l/100 km] / 100 x co2_c [kg/l]
    NOx [g]  = veh_km x sum_c share_c x nox_c [g/km]

The CO2 per litre is the carbon content of the fuel (US EPA 2018); the fuel use and the NOx
factors are urban averages of the order of COPERT's hot emission factors (see the table's
notes: they are not yet the EMEP/EEA guidebook's speed curves). Cold starts are not counted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from twin.caching import BoundedCache, parsed_file
from twin.errors import InputError

TABLE = Path(__file__).resolve().parents[1] / "data" / "mobility_emission_factors.csv"


#: The emission-factor tables read by :func:`read_factors`, by path and content (every run of a
#: Monte Carlo reads the same one, several times). The last four stored.
_FACTORS_CACHE: BoundedCache[tuple[str, bytes], Any] = BoundedCache(4)


def read_factors(path: str | Path | None = None) -> Any:
    """The emission-factor table; fleet shares must sum to 1 and every value be finite and >= 0.

    Parsed and checked once per file content (:func:`twin.caching.parsed_file`); the caller gets
    its own copy.
    """
    path = Path(path) if path is not None else TABLE
    return parsed_file(_FACTORS_CACHE, path, lambda data: _parse_factors(data, path)).copy()


def _parse_factors(data: bytes, path: Path) -> Any:
    """The emission-factor table of the bytes ``data`` of file ``path``, checked (see :func:`read_factors`)."""
    import io

    import pandas as pd

    table = pd.read_csv(io.BytesIO(data))
    for col in ("vehicle_class", "fleet_share", "fuel_l_per_100km", "co2_kg_per_l", "nox_g_km"):
        if col not in table.columns:
            raise InputError(f"the emission table lacks the column {col!r}", path=path, field=col)
    for col in ("fleet_share", "fuel_l_per_100km", "co2_kg_per_l", "nox_g_km"):
        v = pd.to_numeric(table[col], errors="coerce").to_numpy()
        bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
        if bad.size:
            raise InputError(f"{col} must be a finite number >= 0, got {table[col].iloc[bad[0]]!r}", path=path, obj=f"line {bad[0] + 2}", field=col)
    if abs(table["fleet_share"].sum() - 1.0) > 1e-6:
        raise InputError(f"fleet shares must sum to 1, got {table['fleet_share'].sum():.6g}", path=path, field="fleet_share")
    return table


def per_km(table: Any) -> tuple[float, float]:
    """Fleet-average CO2 (kg/km) and NOx (g/km)."""
    s = table["fleet_share"].to_numpy(float)
    co2 = float((s * table["fuel_l_per_100km"].to_numpy(float) / 100.0 * table["co2_kg_per_l"].to_numpy(float)).sum())
    nox = float((s * table["nox_g_km"].to_numpy(float)).sum())
    return co2, nox


def emissions(vehicle_km: float, table: Any | None = None) -> dict[str, float]:
    """CO2 (kg) and NOx (kg) of ``vehicle_km`` of the car fleet."""
    co2, nox = per_km(read_factors() if table is None else table)
    return {"co2_kg": vehicle_km * co2, "nox_kg": vehicle_km * nox / 1000.0}


def sample_factors(table: Any, n: int, rng: np.random.Generator) -> list[Any]:
    """``n`` tables with fuel use, NOx factors and the diesel share drawn uniformly in their bands."""
    out = []
    for _ in range(int(n)):
        t = table.copy()
        for col, lo, hi in (("fuel_l_per_100km", "fuel_low", "fuel_high"), ("nox_g_km", "nox_low", "nox_high")):
            if lo in t.columns and hi in t.columns:
                t[col] = rng.uniform(t[lo].to_numpy(float), t[hi].to_numpy(float))
        if "fleet_share_low" in t.columns:
            s = rng.uniform(t["fleet_share_low"].to_numpy(float), t["fleet_share_high"].to_numpy(float))
            t["fleet_share"] = s / s.sum()
        out.append(t)
    return out
