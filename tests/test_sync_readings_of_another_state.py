"""``twin sync update --readings``: readings of a building the sync state does not hold name the
sync state, not "the scene" (the command is given no scene: a state started from another scene
said ``building 'b9' is not in the scene``)."""

from __future__ import annotations

import pandas as pd
import pytest

from twin.calibration.meters import read_meters
from twin.errors import InputError


def _hourly(building_id: str) -> pd.DataFrame:
    start = pd.date_range("2023-01-15T00:00:00+01:00", periods=24, freq="h")
    return pd.DataFrame({"building_id": building_id, "start": start.map(pd.Timestamp.isoformat),
                         "end": (start + pd.Timedelta(hours=1)).map(pd.Timestamp.isoformat), "value": 2.0, "unit": "kWh", "carrier": "gas"})


def test_readings_of_a_building_the_state_does_not_hold_name_the_state() -> None:
    with pytest.raises(InputError, match=r"building 'b9' is not in the sync state \(the buildings of its twin sync init\)") as err:
        read_meters(_hourly("b9"), building_ids=["b1"], drop_option=None, option="--readings")
    assert err.value.field == "building_id"


def test_meters_of_calibrate_still_name_the_scene() -> None:
    with pytest.raises(InputError, match="building 'b9' is not in the scene"):
        read_meters(_hourly("b9"), building_ids=["b1"])
