"""``twin.energy.stock.isin_ids`` answers as ``Series.isin`` on every route: empty sides, Python
objects on both sides (pandas), Arrow-backed strings (pyarrow), mixed, missing values, sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from twin.energy.stock import isin_ids

IDS = ["w1", "w2", None, "r7", "w1", "n3", np.nan, "x"]
AMONG = ["w1", "n3", None, "zz"]

KINDS = {
    "object": lambda v: pd.Series(np.asarray(v, dtype=object), dtype=object),
    "string[pyarrow]": lambda v: pd.Series(v, dtype="string[pyarrow]"),
    "str": lambda v: pd.Series(v, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
    "arrow string": lambda v: pd.Series(v, dtype=pd.ArrowDtype(pa.string())),
}


def _expected(values, among, *, objects: bool = False) -> np.ndarray:
    """Missing values as one (None), as pyarrow's ``is_in``; ``objects``: two object columns,
    ``Series.isin`` itself (which tells None from NaN)."""
    if objects:
        return pd.Series(values, dtype=object).isin(pd.Series(among, dtype=object)).to_numpy()
    norm = [None if (x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))) else x for x in values]
    look = {None if (x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))) else x for x in among}
    return np.array([x in look for x in norm], dtype=bool)


@pytest.mark.parametrize("vk", list(KINDS))
@pytest.mark.parametrize("ak", list(KINDS))
def test_every_route_answers_as_isin(vk, ak):
    v = KINDS[vk](IDS)
    # nothing missing among the ids looked for (as in every call of a run): a missing value is
    # found on no route, the others as Series.isin on Python objects
    for among in (["w1", "x"], ["n3", "zz", "w2"], ["q"]):
        got = isin_ids(v, KINDS[ak](among))
        assert got.dtype == bool and got.shape == (len(IDS),)
        np.testing.assert_array_equal(got, _expected(IDS, among))
        np.testing.assert_array_equal(got, _expected(IDS, among, objects=True))


def test_objects_with_missing_ids_looked_for():
    """Two object columns, a missing id among those looked for: Series.isin as it is (None is
    not NaN)."""
    got = isin_ids(KINDS["object"](IDS), KINDS["object"](AMONG))
    np.testing.assert_array_equal(got, _expected(IDS, AMONG, objects=True))
    assert got[2] and not got[6]


@pytest.mark.parametrize("kind", list(KINDS))
def test_empty_sides(kind):
    v = KINDS[kind](IDS)
    assert isin_ids(KINDS[kind]([]), v).shape == (0,)
    empty_among = isin_ids(v, KINDS[kind]([]))
    assert empty_among.shape == (len(IDS),) and not empty_among.any()
    assert not isin_ids(v, set()).any()


def test_plain_sequences_and_sets():
    np.testing.assert_array_equal(isin_ids(["a", "b", "c"], {"c", "a"}), [True, False, True])
    np.testing.assert_array_equal(isin_ids(np.array([3, 1, 2]), [2]), [False, False, True])
