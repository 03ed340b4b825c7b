"""Bad-input sweep 5: a meter time that is not ISO 8601 (``2023-02-30``) gave the planner pandas'
advice to programmers ("You might want to try: passing `format`... `format='mixed'`") cut at a
few hundred characters. Now the error names file, row, column and the bad value, and shows the
format to write.
"""

from __future__ import annotations

import pandas as pd
import pytest

from twin.calibration.meters import read_meters
from twin.errors import InputError


def test_a_time_that_is_not_iso_8601_gets_no_pandas_advice() -> None:
    table = pd.DataFrame({"building_id": "b1", "carrier": "gas", "start": ["2023-01-01T00:00:00+01:00", "2023-02-30T00:00:00+01:00"],
                          "end": ["2023-02-01T00:00:00+01:00", "2023-03-01T00:00:00+01:00"], "kwh": 900.0})
    with pytest.raises(InputError) as err:
        read_meters(table, building_ids=["b1"])
    text = str(err.value)
    assert "row 3" in text and "'start'" in text and "'2023-02-30T00:00:00+01:00'" in text
    assert "write e.g. 2023-01-01T00:00:00+01:00" in text
    assert "format=" not in text and "You might want" not in text
