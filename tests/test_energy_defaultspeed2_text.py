"""twin.energy.model.text_values: ``astype(str).to_numpy()`` of a column, without pandas' string
dtype round trip when the column holds str objects only (the sampled envelope's ids, systems)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.mark.parametrize("values", [
    pd.Series(np.array(["0|osm:way/1", "1|osm:way/2", "gas_boiler"], dtype=object), dtype=object),  # str objects: no round trip
    pd.Series(["a", "b"]),  # pandas' string dtype
    pd.Series(np.array(["a", np.nan, None], dtype=object), dtype=object),  # missing values: as astype(str) leaves them
    pd.Series(np.array(["a", 3, 2.5], dtype=object), dtype=object),  # not only str
    pd.Series([1, 2, 3]),
    pd.Series(np.array([], dtype=object), dtype=object),
])
def test_text_values_are_astype_str(values):
    from twin.energy.model import text_values

    expected = values.astype(str).to_numpy()
    out = text_values(values)
    assert out.dtype == object and len(out) == len(values)
    assert [type(v) for v in out] == [type(v) for v in expected]
    pd.testing.assert_series_equal(pd.Series(out, dtype=object), pd.Series(expected, dtype=object))


def test_text_values_is_a_copy():
    from twin.energy.model import text_values

    s = pd.Series(np.array(["a", "b"], dtype=object), dtype=object)
    out = text_values(s)
    out[0] = "z"
    assert s.iloc[0] == "a"
