"""The fast route of :mod:`twin.scene.provenance` (hashed lookups on Arrow strings and on
categories) gives the plain route's answers: the same sources, shares (to the bit), reported
attributes and errors, for every dtype a source column can have."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from twin.scene import provenance as prov
from twin.scene.provenance import SOURCES, building_sources, floor_area_shares, reported_parameters

RAW = ["data", None, "inferred", "default", "user", np.nan, "calibrated", "default", "inferred", "data"]

DTYPES = {
    "string[pyarrow]": lambda v: pd.Series(v, dtype="string[pyarrow]"),
    "str (NaN)": lambda v: pd.Series(v, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
    "arrow string": lambda v: pd.Series(v, dtype=pd.ArrowDtype(pa.string())),
    "arrow large_string": lambda v: pd.Series(v, dtype=pd.ArrowDtype(pa.large_string())),
    "categorical": lambda v: pd.Series(v, dtype="category"),
    "categorical, unused categories": lambda v: pd.Series(v, dtype="category").cat.add_categories(["zzz"]),
    "string[python]": lambda v: pd.Series(v, dtype="string[python]"),
}


def _layer(values, dtype, *, area=None) -> pd.DataFrame:
    n = len(values)
    rng = np.random.default_rng(3)
    col = DTYPES[dtype](values)
    return pd.DataFrame({
        "floor_area_m2": rng.uniform(10.0, 900.0, n) if area is None else area,
        "use_source": col, "height_m_source": col.iloc[::-1].reset_index(drop=True),
        "n_storeys_source": col, "construction_year_source": col,
        "floor_area_m2_source": col, "storey_height_m_source": col,
    })


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The same layer with every source column as Python objects (the plain route)."""
    return frame.assign(**{c: frame[c].astype(object) for c in frame if c.endswith("_source")})


def _shares_by_name(buildings: pd.DataFrame, parameters) -> pd.DataFrame:
    """The shares grouped by the sources' names (as before the fast route)."""
    sources = building_sources(_plain(buildings), parameters)
    area = pd.to_numeric(buildings["floor_area_m2"], errors="coerce").fillna(0.0).clip(lower=0.0).to_numpy(dtype=float)
    total = float(area.sum())
    rows = {}
    for p in parameters:
        by = pd.Series(area).groupby(sources[p].to_numpy()).sum()
        rows[p] = {**{s: (float(by.get(s, 0.0)) / total if total > 0 else np.nan) for s in SOURCES}, "floor_area_m2": total, "buildings": len(buildings)}
    return pd.DataFrame.from_dict(rows, orient="index")


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_fast_route_same_sources_and_shares(dtype):
    rng = np.random.default_rng(5)
    values = list(rng.choice(np.array(RAW, dtype=object), 5000))
    layer = _layer(values, dtype)
    params = (*prov.BUILDING_PARAMETERS, *prov.DERIVED_PARAMETERS)
    fast = building_sources(layer, params)
    pd.testing.assert_frame_equal(fast, building_sources(_plain(layer), params))
    assert fast.dtypes.eq(object).all()
    got = floor_area_shares(layer, params)
    want = _shares_by_name(layer, params)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # missing values make the derived attributes unreported, on either route
    assert reported_parameters(layer) == reported_parameters(_plain(layer)) == prov.BUILDING_PARAMETERS


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_fast_route_reports_filled_derived_columns(dtype):
    layer = _layer(["data", "inferred", "default", "default"], dtype)
    assert reported_parameters(layer) == reported_parameters(_plain(layer)) == (*prov.BUILDING_PARAMETERS, *prov.DERIVED_PARAMETERS)
    # an empty layer: every value (none) is a source, shares NaN
    empty = layer.iloc[:0]
    assert reported_parameters(empty) == reported_parameters(_plain(empty))
    pd.testing.assert_frame_equal(floor_area_shares(empty), _shares_by_name(empty, prov.BUILDING_PARAMETERS), check_exact=True)


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_fast_route_same_error(dtype):
    layer = _layer(["data", "guessed", None, "default"], dtype)
    with pytest.raises(ValueError) as fast:
        building_sources(layer)
    with pytest.raises(ValueError) as plain:
        building_sources(_plain(layer))
    assert str(fast.value) == str(plain.value) == "use_source holds 'guessed'; sources are " + ", ".join(SOURCES)
    assert reported_parameters(layer) == reported_parameters(_plain(layer)) == prov.BUILDING_PARAMETERS


def test_missing_columns_and_legacy_flags():
    layer = pd.DataFrame({"floor_area_m2": [10.0, 20.0, np.nan, 5.0], "use_defaulted": [True, False, None, False],
                          "height_m_source": pd.Series(["data", None, "user", "inferred"], dtype="string[pyarrow]")})
    got = building_sources(layer, ("use", "height_m"))
    assert got["use"].tolist() == ["default", "data", "default", "data"]
    assert got["height_m"].tolist() == ["data", "default", "user", "inferred"]
    pd.testing.assert_frame_equal(floor_area_shares(layer, ("use", "height_m")), _shares_by_name(layer, ("use", "height_m")), check_exact=True)
    assert reported_parameters(layer) == prov.BUILDING_PARAMETERS
    with pytest.raises(ValueError, match="no source for 'n_storeys'"):
        floor_area_shares(layer)


def test_categorical_of_non_strings_takes_the_plain_route():
    col = pd.Series(pd.Categorical([1, 2, None]))
    assert prov._source_index(col) is None
    assert not prov._all_sources(col)
