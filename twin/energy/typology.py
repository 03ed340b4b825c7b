"""Belgian residential typology (TABULA / EPISCOPE) and the mapping of scene buildings onto it.

A footprint or CityJSON building carries no U-values. It gets them from the TABULA building
type that fits its shape and age:

1. :func:`tidy_tabula` turns TABULA's wide rows (``tabula_BE.csv``, 327 columns) into one tidy
   row per reference building: U-value and b-factor per element kind, window and door shares,
   air change, heat capacity, TABULA conventions (``theta_i``, ``F_red_temp``, ``F_sh_vert``,
   ``F_F``, ``F_W``, ``phi_int``, ``h_room``) and TABULA's own result ``q_h_nd``.
   The package ships that tidy table as ``twin/data/energy_typology_be.csv`` (a test checks it
   is exactly what :func:`tidy_tabula` makes of the shared TABULA file; replace it with another
   country's table of the same columns to use another typology).
2. :func:`assign_typology` picks a TABULA type for every scene building from its use, number
   of storeys, gross floor area, number of neighbours across party walls and construction year,
   with the fallbacks listed in :data:`FALLBACKS`, and records why (``typology_source``).
3. :func:`apply_overrides` lets a user replace any parameter per building id or per TABULA type;
   every parameter column ``x`` has a provenance column ``x_source``.

Type rules (:func:`classify`, thresholds in :data:`RULES`)
-----------------------------------------------------------
* ``n_storeys >= ab_min_storeys`` (7): apartment block ``AB`` (TABULA BE AB types have 9 to
  27 storeys, MFH types 3 to 6);
* else ``n_storeys >= mfh_min_storeys`` (4) or gross floor area > ``house_max_floor_m2``
  (350 m2, between TABULA's largest house, about 240 m2 of reference area, and its smallest
  MFH, about 200-420 m2 over 3 storeys): multi-family house ``MFH``, subtype ``Small`` below
  ``mfh_small_max_floor_m2`` (1000 m2) of gross floor area, else ``Gen``;
* else a house: detached (no neighbour) ``SFH``; one neighbour ``TH.Semi``; two or more
  neighbours ``TH.Gen`` (terraced). A Brussels terraced house of R+2 (3 storeys, under
  350 m2) is a ``TH``.

These thresholds are assumptions fitted to TABULA's Belgian reference buildings, not published
rules; change them with ``rules=``.

The TABULA construction-year classes of Belgium are 01 (<= 1945), 02 (1946-70), 03 (1971-90),
04 (1991-2005), 05 (2006-11), 06 (>= 2012).

References
----------
TABULA/EPISCOPE (IEE projects, IWU Darmstadt coordinator), tabula-calculator.xlsx, Belgian
residential typology (VITO / BBRI national contact point); data as redistributed by
FZJ-IEK3-VSA/tsib ``tsib/data/episcope/episcope.csv`` (see ``shared/data/typology/SOURCE.md``).
Loga, T., Stein, B., Diefenbach, N. (2016). TABULA building typologies in 20 European
countries. Energy and Buildings 132, 4-12.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError, SchemaError
from twin.packaged import packaged_csv

#: Element kinds of TABULA and their numbered columns.
_ELEMENTS: dict[str, tuple[str, ...]] = {
    "roof": ("Roof_1", "Roof_2"),
    "wall": ("Wall_1", "Wall_2", "Wall_3"),
    "floor": ("Floor_1", "Floor_2"),
    "window": ("Window_1", "Window_2"),
    "door": ("Door_1",),
}

#: Thresholds of :func:`classify` (documented in the module docstring; pass ``rules=`` to change).
RULES: dict[str, float] = {
    "ab_min_storeys": 7,
    "mfh_min_storeys": 4,
    "house_max_floor_m2": 350.0,
    "mfh_small_max_floor_m2": 1000.0,
}

#: Construction year assumed when a building has none (``construction_year`` NaN). 1930 falls in
#: TABULA class 01 (<= 1945); this is an assumption for 19th/early-20th-century Brussels
#: districts such as Saint-Gilles, recorded as ``typology_source='default year'``. Override it.
DEFAULT_YEAR: float = 1930.0

#: Fallbacks, in the order they are tried, recorded in ``typology_source``.
FALLBACKS: tuple[str, ...] = (
    "exact: type, subtype and period found in the table",
    "nearest period: the type exists but not for that period (e.g. AB has no class 01): "
    "the nearest period of the same type and subtype",
    "other subtype: no row of that subtype, the 'Gen' subtype of the type",
    "non-residential use: typed as the residential building of the same shape (TABULA covers dwellings only)",
    "default year: no construction year, DEFAULT_YEAR used",
)

#: Name of the packaged tidy table (in ``twin/data``).
PACKAGED_TABLE = "energy_typology_be.csv"

#: Parameter columns of the tidy table that a building inherits (each gets a ``_source`` column).
PARAMETERS: tuple[str, ...] = (
    "u_wall_w_m2k",
    "u_roof_w_m2k",
    "u_floor_w_m2k",
    "u_window_w_m2k",
    "u_door_w_m2k",
    "b_wall",
    "b_roof",
    "b_floor",
    "delta_u_tb_w_m2k",
    "window_ratio",
    "door_ratio",
    "g_window",
    "n_air_inf_1_h",
    "n_air_use_1_h",
    "c_m_wh_m2k",
    "h_room_m",
    "phi_int_w_m2",
    "theta_i_c",
    "f_red_htr1",
    "f_red_htr4",
    "f_sh_vert",
    "f_frame",
    "f_w",
    "q_w_nd_kwh_m2",
)


def _num(raw: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(raw[col], errors="coerce").fillna(0.0).to_numpy(dtype=float)


def tidy_tabula(raw: pd.DataFrame, *, source: str = "TABULA") -> pd.DataFrame:
    """One tidy row per TABULA building variant (see the module docstring).

    Parameters
    ----------
    raw
        Rows of TABULA's wide table (``tabula_BE.csv`` / ``episcope.csv`` columns).
    source
        Label written into the ``source`` column, followed by the variant code.

    Returns
    -------
    pandas.DataFrame
        Columns: ``tabula_code`` (variant), ``tabula_type``, ``building_class`` (SFH/TH/MFH/AB),
        ``subtype``, ``period``, ``year_from``, ``year_to``, ``attached``, ``n_storeys``,
        ``a_c_ref_m2``, element areas ``a_<kind>_m2``, window areas per orientation
        ``a_win_{n,e,s,w,h}_m2``, every name in :data:`PARAMETERS`, ``f_red_temp``,
        ``q_h_nd_kwh_m2`` and ``source``.

    Notes
    -----
    Per element kind, ``b_<kind> = sum(A b) / sum(A)`` and ``u_<kind> = sum(A b U) / sum(A b)``
    with TABULA's ``A_Calc_*``, ``b_Transmission_*`` and ``U_Actual_*`` (U of the actual state,
    including the ``R_Add_UnheatedSpace`` of adjacent unheated spaces), so that
    ``b A U`` reproduces TABULA's ``H_Transmission_*`` exactly. Windows and doors have b = 1.
    ``window_ratio`` and ``door_ratio`` are shares of the gross wall area
    (walls + windows + doors).
    """
    required = ["Code_BuildingVariant", "Code_BuildingType", "A_C_Ref", "q_h_nd", "U_Actual_Wall_1"]
    for col in required:
        if col not in raw:
            raise SchemaError("not a TABULA table: column missing", field=col)
    out: dict[str, object] = {}
    code = raw["Code_BuildingVariant"].astype(str).to_numpy()
    btype = raw["Code_BuildingType"].astype(str).to_numpy()
    parts = [t.split(".") for t in btype]
    out["tabula_code"] = code
    out["tabula_type"] = btype
    out["building_class"] = [p[2] if len(p) > 4 else "" for p in parts]
    out["period"] = [int(p[3]) if len(p) > 4 and p[3].isdigit() else 0 for p in parts]
    out["subtype"] = [p[4] if len(p) > 4 else "" for p in parts]
    out["year_from"] = _num(raw, "Year1_Building")
    out["year_to"] = _num(raw, "Year2_Building")
    out["attached"] = raw["Code_AttachedNeighbours"].astype(str).to_numpy()
    out["n_storeys"] = _num(raw, "n_Storey")
    out["a_c_ref_m2"] = _num(raw, "A_C_Ref")
    for kind, cols in _ELEMENTS.items():
        area = sum(_num(raw, f"A_Calc_{c}") for c in cols)
        if kind in ("window", "door"):
            b = area
        else:
            b = sum(_num(raw, f"A_Calc_{c}") * _num(raw, f"b_Transmission_{c}") for c in cols)
        h = sum(
            _num(raw, f"A_Calc_{c}")
            * _num(raw, f"U_Actual_{c}")
            * (1.0 if kind in ("window", "door") else _num(raw, f"b_Transmission_{c}"))
            for c in cols
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"a_{kind}_m2"] = area
            out[f"u_{kind}_w_m2k"] = np.where(b > 0, h / np.where(b > 0, b, 1.0), 0.0)
            if kind not in ("window", "door"):
                out[f"b_{kind}"] = np.where(area > 0, b / np.where(area > 0, area, 1.0), 0.0)
    for o, col in (("n", "North"), ("e", "East"), ("s", "South"), ("w", "West"), ("h", "Horizontal")):
        out[f"a_win_{o}_m2"] = _num(raw, f"A_Calc_Window_{col}")
    gross = out["a_wall_m2"] + out["a_window_m2"] + out["a_door_m2"]  # type: ignore[operator]
    safe = np.where(gross > 0, gross, 1.0)
    out["window_ratio"] = np.where(gross > 0, out["a_window_m2"] / safe, 0.0)  # type: ignore[operator]
    out["door_ratio"] = np.where(gross > 0, out["a_door_m2"] / safe, 0.0)  # type: ignore[operator]
    out["delta_u_tb_w_m2k"] = _num(raw, "delta_U_ThermalBridging")
    out["g_window"] = _num(raw, "g_gl_n")
    out["n_air_inf_1_h"] = _num(raw, "n_air_infiltration")
    out["n_air_use_1_h"] = _num(raw, "n_air_use")
    out["c_m_wh_m2k"] = _num(raw, "c_m")
    out["h_room_m"] = _num(raw, "h_room")
    out["phi_int_w_m2"] = _num(raw, "phi_int")
    out["theta_i_c"] = _num(raw, "theta_i")
    out["f_red_htr1"] = _num(raw, "F_red_htr1")
    out["f_red_htr4"] = _num(raw, "F_red_htr4")
    out["f_red_temp"] = _num(raw, "F_red_temp")
    out["f_sh_vert"] = _num(raw, "F_sh_vert")
    out["f_frame"] = _num(raw, "F_f")
    out["f_w"] = _num(raw, "F_w")
    out["q_w_nd_kwh_m2"] = _num(raw, "q_w_nd")
    out["q_h_nd_kwh_m2"] = _num(raw, "q_h_nd")
    out["h_tr_tabula_w_k"] = sum(
        _num(raw, f"H_Transmission_{c}") for cols in _ELEMENTS.values() for c in cols
    ) + _num(raw, "H_Transmission_ThermalBridging")
    out["source"] = [f"{source} {c}" for c in code]
    return pd.DataFrame(out)


def read_tabula(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a raw TABULA CSV (``tabula_BE.csv`` columns) and return :func:`tidy_tabula` of it.

    Raises
    ------
    InputError
        The file does not exist or is not a TABULA table.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("TABULA table not found", path=path)
    raw = pd.read_csv(path, low_memory=False)
    try:
        return tidy_tabula(raw, source=f"TABULA ({path.name})")
    except SchemaError as exc:
        raise SchemaError(exc.message, path=path, field=exc.field) from None


def load_typology(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The tidy typology table: the packaged Belgian one, or a user file of the same columns.

    Only rows with a building class (SFH/TH/MFH/AB) and a period are kept for mapping.
    """
    if path is None:
        table = packaged_csv(PACKAGED_TABLE)
    else:
        table = pd.read_csv(path)
        missing = [c for c in ("tabula_code", "building_class", "subtype", "period", *PARAMETERS) if c not in table]
        if missing:
            raise SchemaError("typology table lacks a column", path=path, field=missing[0])
    return table


def period_of_year(year: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """TABULA period (1..6) of each construction year, from the table's year ranges."""
    spans = table[table["period"] > 0].groupby("period")[["year_from", "year_to"]].agg({"year_from": "min", "year_to": "max"})
    periods = spans.index.to_numpy()
    lo = spans["year_from"].to_numpy()
    year = np.asarray(year, dtype=float)
    # the last period whose start is <= year (class 01 starts at 0)
    idx = np.searchsorted(lo, year, side="right") - 1
    return periods[np.clip(idx, 0, len(periods) - 1)]


def classify(
    n_storeys: np.ndarray,
    floor_area_m2: np.ndarray,
    n_neighbours: np.ndarray,
    *,
    rules: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Building class (SFH/TH/MFH/AB) and subtype (Gen/Semi/Small) from shape and neighbours.

    Parameters
    ----------
    n_storeys
        Above-ground storeys.
    floor_area_m2
        Gross floor area, m2.
    n_neighbours
        Number of distinct buildings sharing a party wall.
    rules
        Thresholds (defaults :data:`RULES`).
    """
    r = {**RULES, **(rules or {})}
    n_storeys = np.asarray(n_storeys, dtype=float)
    area = np.asarray(floor_area_m2, dtype=float)
    nb = np.asarray(n_neighbours, dtype=float)
    cls = np.where(nb == 0, "SFH", "TH").astype(object)
    sub = np.where(nb == 1, "Semi", "Gen").astype(object)
    sub[nb == 0] = "Gen"
    mfh = (n_storeys >= r["mfh_min_storeys"]) | (area > r["house_max_floor_m2"])
    cls[mfh] = "MFH"
    sub[mfh] = np.where(area[mfh] < r["mfh_small_max_floor_m2"], "Small", "Gen")
    ab = n_storeys >= r["ab_min_storeys"]
    cls[ab] = "AB"
    sub[ab] = "Gen"
    return cls, sub


def _lookup(table: pd.DataFrame, cls: str, sub: str, period: int) -> tuple[int, str]:
    """Row index in ``table`` and the fallback used."""
    rows = table[(table["building_class"] == cls) & (table["period"] > 0)]
    how = "exact"
    cand = rows[rows["subtype"] == sub]
    if cand.empty:
        cand = rows[rows["subtype"] == "Gen"]
        how = "other subtype"
    if cand.empty:
        raise InputError(f"typology table has no building of class {cls!r}", field="building_class")
    exact = cand[cand["period"] == period]
    if not exact.empty:
        return int(exact.index[0]), how
    nearest = cand.iloc[np.argsort(np.abs(cand["period"].to_numpy() - period), kind="stable")]
    return int(nearest.index[0]), ("nearest period" if how == "exact" else how + "; nearest period")


def neighbour_counts(scene) -> pd.Series:
    """Number of distinct buildings sharing a party wall with each building (index building_id)."""
    ids = scene.buildings["building_id"].astype(str)
    if ids.is_unique and hasattr(scene, "_shared"):
        # each party wall is one pair of scene rows (a < b, each pair once): the count of a row is
        # its degree, without hashing the id strings of both directions (the same counts)
        a, b = scene._shared()[:2]
        degree = np.bincount(np.concatenate([a, b]), minlength=len(ids))
        # the index from the ids' string array (not a NumPy object array of 51k Python strings
        # converted back: the same index, 5 ms less on the region)
        return pd.Series(degree.astype(int), index=pd.Index(ids.array.copy(), name="building_id"))
    pw = scene.party_walls()
    both = pd.concat([pw[["building_id", "neighbour_id"]], pw.rename(columns={"building_id": "neighbour_id", "neighbour_id": "building_id"})[["building_id", "neighbour_id"]]])
    counts = both.drop_duplicates().groupby("building_id").size()
    return counts.reindex(ids.to_numpy(), fill_value=0).astype(int)


def assign_typology(
    buildings: pd.DataFrame,
    n_neighbours: pd.Series | np.ndarray,
    *,
    table: pd.DataFrame | None = None,
    rules: Mapping[str, float] | None = None,
    default_year: float = DEFAULT_YEAR,
) -> pd.DataFrame:
    """TABULA parameters for every building, with the source of each value.

    Parameters
    ----------
    buildings
        The scene's ``buildings`` layer (``building_id``, ``use``, ``construction_year``,
        ``n_storeys``, ``floor_area_m2``).
    n_neighbours
        Distinct party-wall neighbours per building (aligned with ``buildings``; see
        :func:`neighbour_counts`).
    table
        Tidy typology table (default :func:`load_typology`).
    rules, default_year
        See :data:`RULES` and :data:`DEFAULT_YEAR`.

    Returns
    -------
    pandas.DataFrame
        One row per building: ``building_id``, ``tabula_code``, ``building_class``,
        ``subtype``, ``period``, ``typology_source`` (the fallbacks used, ';'-separated), every
        name in :data:`PARAMETERS` and for each a ``<name>_source`` column (the TABULA variant
        code, e.g. ``'TABULA BE.N.TH.01.Gen.ReEx.001.001'``).
    """
    if table is None:
        table = load_typology()
    table = table.reset_index(drop=True)
    year = pd.to_numeric(buildings.get("construction_year", pd.Series(np.nan, index=buildings.index)), errors="coerce").to_numpy(dtype=float)
    no_year = ~np.isfinite(year)
    year = np.where(no_year, default_year, year)
    period = period_of_year(year, table)
    storeys = buildings["n_storeys"].to_numpy(dtype=float)
    area = buildings["floor_area_m2"].to_numpy(dtype=float)
    cls, sub = classify(storeys, area, np.asarray(n_neighbours, dtype=float), rules=rules)
    use = buildings.get("use", pd.Series("residential", index=buildings.index)).astype(str).str.lower()
    # per distinct (class, subtype, period) and per distinct use, not per building: the table row
    # of each key looked up once, in the order of first appearance (the first missing class is
    # the one reported), and the notes of each (key, default year, use) combination joined once
    key_of, n_keys = _codes(cls, sub, period)
    first = np.full(n_keys, len(key_of), dtype=np.int64)  # the first building of each key
    np.minimum.at(first, key_of, np.arange(len(key_of)))
    looked: list = [None] * n_keys
    for k in np.argsort(first).tolist():
        i = first[k]
        looked[k] = _lookup(table, cls[i], sub[i], int(period[i]))
    rows = np.array([r for r, _ in looked], dtype=np.int64)[key_of]
    use_code, use_values = pd.factorize(use.to_numpy())
    non_res = np.array([u not in RESIDENTIAL_USES for u in use_values] + [True])[use_code]  # code -1 (missing): not residential
    combo, how_of = np.unique((key_of * 2 + no_year) * 2 + non_res, return_inverse=True)
    notes = ["; ".join([looked[c // 4][1], *(["default year"] if c // 2 % 2 else []), *(["non-residential use"] if c % 2 else [])])
             for c in combo.tolist()]
    how = np.array(notes, dtype=object)[how_of.reshape(-1)]
    bid = buildings["building_id"].astype(str).array.copy()  # its own array object, not the layer's
    cols: dict[str, object] = {
        "building_id": bid,
        "tabula_code": table["tabula_code"].to_numpy()[rows],
        "building_class": cls,
        "subtype": sub,
        "period": period.astype(int),
        "n_neighbours": np.array(n_neighbours, dtype=int),  # a copy: the caller's array stays its own
        "typology_source": how,
    }
    # the columns of the picked table rows only (not a copy of its every column per building)
    src = table["source"].to_numpy() if "source" in table else np.array([f"typology {c}" for c in table["tabula_code"]])
    src = pd.array(src[rows], dtype=bid.dtype)  # converted to the string dtype once, not once per parameter
    for name in PARAMETERS:
        cols[name] = table[name].to_numpy(dtype=float)[rows]
        cols[f"{name}_source"] = src.copy()  # a wrapper of its own over the same buffers, as an insertion makes
    # one table of every column (48 insertions into a table cost about 0.03 s on the region)
    out = pd.DataFrame(cols, copy=False)
    return out


#: Values of ``use`` (lower-cased) that :func:`assign_typology` takes as residential.
RESIDENTIAL_USES = frozenset({"residential", "", "house", "apartments", "dwelling"})


def _codes(cls: np.ndarray, sub: np.ndarray, period: np.ndarray) -> tuple[np.ndarray, int]:
    """A code per building for its (class, subtype, period) and the number of codes (0..n-1, in no particular order)."""
    parts = [pd.factorize(np.asarray(x))[0] for x in (cls, sub, period)]
    key = np.zeros(len(cls), dtype=np.int64)
    for p in parts:
        key = key * (int(p.max(initial=0)) + 1) + p
    values, code = np.unique(key, return_inverse=True)
    return code.reshape(-1), len(values)


OVERRIDES_PATH_ATTR = "twin_path"
"""Key of ``DataFrame.attrs`` under which a command keeps the path of an overrides table it read,
so that :func:`apply_overrides` names the file in its errors."""

OVERRIDE_KEYS: tuple[str, ...] = ("building_id", "tabula_code", "building_class")
"""Key columns of an overrides table (building-id rows win over type rows)."""

SHARE_PARAMETERS: frozenset[str] = frozenset(
    {"b_wall", "b_roof", "b_floor", "window_ratio", "door_ratio", "g_window", "f_red_htr1", "f_red_htr4", "f_sh_vert", "f_frame", "f_w"}
)
"""Parameters that are shares or reduction factors (dimensionless, in [0, 1])."""

SIGNED_PARAMETERS: frozenset[str] = frozenset({"theta_i_c", "delta_u_tb_w_m2k"})
"""Parameters that may be any finite number (a temperature in C, a thermal-bridge surcharge in
W/(m2 K)); every other parameter is a finite number >= 0 (U-values, air changes, capacities...)."""


def override_ranges() -> dict[str, tuple[float, float, bool, str]]:
    """Physical range of the parameters an override may not leave: ``{name: (low, high,
    low_open, unit)}``.

    The ranges are the single-zone spec's (:mod:`twin.energy.spec`, each constant with its
    basis): U-values up to :data:`~twin.energy.spec.WINDOW_U_MAX_W_M2K` (an element of no
    resistance between its two ISO 6946 films has 5.9 to 7.1 W/(m2 K)), air changes up to
    :data:`~twin.energy.spec.INFILTRATION_MAX_ACH`, the room height in (0,
    :data:`~twin.energy.spec.ZONE_HEIGHT_MAX_M`], the set temperature in
    :data:`~twin.energy.spec.SETPOINT_RANGE_C`. An override of 1e6 air changes or a 90 degC
    setpoint ran and gave some 58 million kWh/m2 or 3,430 kWh/m2 of heating without a word.
    """
    from twin.energy.spec import INFILTRATION_MAX_ACH, SETPOINT_RANGE_C, WINDOW_U_MAX_W_M2K, ZONE_HEIGHT_MAX_M

    u = (0.0, WINDOW_U_MAX_W_M2K, False, "W/(m2 K)")
    ach = (0.0, INFILTRATION_MAX_ACH, False, "1/h")
    return {
        **{name: u for name in ("u_wall_w_m2k", "u_roof_w_m2k", "u_floor_w_m2k", "u_window_w_m2k", "u_door_w_m2k")},
        "n_air_inf_1_h": ach,
        "n_air_use_1_h": ach,
        "h_room_m": (0.0, ZONE_HEIGHT_MAX_M, True, "m"),
        "theta_i_c": (*SETPOINT_RANGE_C, False, "degC"),
    }


def check_override_value(col: str, value: object, *, path: str | os.PathLike[str] | None = None, obj: object = None) -> float:
    """An override value as a float, or an InputError naming the file, object and parameter.

    A value must be a finite number; a share (:data:`SHARE_PARAMETERS`) lies in [0, 1]; a
    parameter of :func:`override_ranges` in its physical range; any other parameter of
    :data:`PARAMETERS` but :data:`SIGNED_PARAMETERS` is >= 0. (The Python API,
    :func:`apply_overrides`, takes any number: a run then lists a building with a negative
    U-value among the excluded ones.)
    """
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"override value is not a number: {value!r}", path=path, obj=obj, field=col) from None
    if not np.isfinite(v):
        raise InputError(f"override value must be a finite number, got {value!r}", path=path, obj=obj, field=col)
    if col in SHARE_PARAMETERS and not 0.0 <= v <= 1.0:
        raise InputError(f"override value must be a share in [0, 1], got {v:g}", path=path, obj=obj, field=col)
    ranges = override_ranges()
    if col in ranges:
        low, high, low_open, unit = ranges[col]
        if not (low < v if low_open else low <= v):
            raise InputError(f"override value must be {'>' if low_open else '>='} {low:g} {unit}, got {v:g}", path=path, obj=obj, field=col)
        if v > high:
            raise InputError(f"override value must be <= {high:g} {unit} (a unit slip?), got {v:g}", path=path, obj=obj, field=col)
    if col in PARAMETERS and col not in SHARE_PARAMETERS | SIGNED_PARAMETERS and v < 0.0:
        raise InputError(f"override value must be >= 0, got {v:g}", path=path, obj=obj, field=col)
    return v


def check_overrides_file(path: str | os.PathLike[str]) -> None:
    """Check an overrides CSV before any work: readable, a key column, rows, at least one value,
    values, keys given once.

    What needs the scene (a key that matches no building, a column that is no parameter of the
    buildings) is left to :func:`apply_overrides`.

    Raises
    ------
    InputError
        Naming the file, the row (CSV line) or key and the column at fault.
    """
    from twin.io.paths import check_input_file

    check_input_file(path, suffixes=(".csv",), field="--overrides", what="overrides table")  # also the separator
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the overrides table: {' '.join(str(exc).split())}", path=path, field="--overrides") from None
    keys = [k for k in OVERRIDE_KEYS if k in frame.columns]
    if not keys:
        raise InputError("overrides need a building_id, tabula_code or building_class column", path=path, field="building_id")
    if frame.empty:
        raise InputError("the overrides table has no rows: it changes nothing", path=path, field=keys[0])
    given_any = False
    for col in frame.columns:
        if col in OVERRIDE_KEYS:
            continue
        for row, value in enumerate(frame[col]):
            if value.strip() != "":  # blank = keep
                check_override_value(col, value, path=path, obj=f"line {row + 2}")
                given_any = True
    if not given_any:  # only keys, or every parameter cell blank: the run would be the run without the table
        params = [c for c in frame.columns if c not in OVERRIDE_KEYS]
        said = f"every cell of {', '.join(params)} is blank (keep)" if params else "it has no parameter column, only keys"
        raise InputError(f"the overrides table gives no value: {said}; it changes nothing", path=path,
                         field=params[0] if params else keys[0])
    for key in keys:
        given = frame[key].str.strip()
        repeated = np.flatnonzero((given != "").to_numpy() & given.duplicated().to_numpy())
        if repeated.size:
            raise InputError(f"{key} {given.iloc[repeated[0]]!r} is given twice", path=path, obj=f"line {repeated[0] + 2}", field=key)


def apply_overrides(params: pd.DataFrame, overrides: pd.DataFrame | Mapping | None, *, label: str = "user") -> pd.DataFrame:
    """Replace parameters by user values, per building id or per TABULA type.

    Parameters
    ----------
    params
        Output of :func:`assign_typology` (or any table with ``building_id`` and parameter
        columns with ``_source`` companions).
    overrides
        Either a table with a key column ``building_id`` or ``tabula_code`` (or
        ``building_class``) and parameter columns (NaN = keep), or a mapping
        ``{building_id or tabula_code: {parameter: value}}``. Building-id rows win over
        type rows.
    label
        Written into ``<parameter>_source`` (followed by the key) where a value was replaced.

    Raises
    ------
    InputError
        Unknown parameter name, unknown key, or a value that is not a number.
    """
    if overrides is None:
        return params
    if isinstance(overrides, Mapping):
        recs = []
        for key, values in overrides.items():
            key_col = "building_id" if key in set(params["building_id"]) else "tabula_code"
            recs.append({key_col: key, **dict(values)})
        overrides = pd.DataFrame(recs)
    out = params.copy()
    path = overrides.attrs.get(OVERRIDES_PATH_ATTR)  # the file the table was read from, if known
    keys = [k for k in ("tabula_code", "building_class", "building_id") if k in overrides]
    if not keys:
        raise InputError("overrides need a building_id, tabula_code or building_class column", path=path, field="building_id")
    for col in overrides.columns:
        if col in ("building_id", "tabula_code", "building_class"):
            continue
        if col not in out.columns or col.endswith("_source"):
            from twin.io.key_hints import did_you_mean

            # no list of the parameters: the envelope table has some 45 columns (TABULA's, areas, systems)
            known = [c for c in out.columns if c not in OVERRIDE_KEYS and not str(c).endswith("_source")]
            raise InputError(f"unknown parameter in overrides{did_you_mean(col, known)}", path=path, obj=col, field=col)
    # type-level first, then building-level so that building rows win
    for key in keys:
        sub = overrides[overrides[key].notna() & (overrides[key].astype(str) != "")] if key in overrides else overrides.iloc[:0]
        for _, rec in sub.iterrows():
            mask = out[key].astype(str).to_numpy() == str(rec[key])
            if not mask.any():
                raise InputError(f"override key matches no building ({key})", path=path, obj=rec[key], field=key)
            for col, value in rec.items():
                if col in ("building_id", "tabula_code", "building_class") or pd.isna(value):
                    continue
                try:
                    v = float(value)
                except (TypeError, ValueError):
                    raise InputError("override value is not a number", path=path, obj=rec[key], field=col) from None
                out.loc[mask, col] = v
                src = f"{col}_source"
                if src in out:
                    out.loc[mask, src] = f"{label} ({key}={rec[key]})"
    return out


__all__ = [
    "DEFAULT_YEAR",
    "FALLBACKS",
    "PARAMETERS",
    "RULES",
    "OVERRIDES_PATH_ATTR",
    "OVERRIDE_KEYS",
    "SHARE_PARAMETERS",
    "SIGNED_PARAMETERS",
    "apply_overrides",
    "assign_typology",
    "check_override_value",
    "check_overrides_file",
    "classify",
    "load_typology",
    "neighbour_counts",
    "override_ranges",
    "period_of_year",
    "read_tabula",
    "tidy_tabula",
]
