"""Bad-input sweep 5 of ``twin calibrate``: a building whose every reading is 0 kWh.

It was "calibrated" with exit 0: parameters written to the calibrated scene as ``calibrated``,
NMBE and CV(RMSE) empty (a mean of zero). A meter that measured nothing does not measure this
building's heating (vacant, another carrier). Now one ``twin: error:`` line naming the meter
file, the building and ``kwh``, before the stock is simulated
(:func:`twin.calibration.calibrate.check_some_consumption`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_cli_bad_input_rel3 import _meters, tiny_scene  # noqa: F401  (tiny_scene: a module fixture)
from twin.calibration.calibrate import check_some_consumption
from twin.errors import InputError


def test_calibrate_refuses_a_meter_that_read_nothing(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:  # noqa: F811
    scene, ids = tiny_scene
    meters = pd.read_csv(_meters(tmp_path / "m.csv", {ids[0]: 12, ids[1]: 12}))
    meters.loc[meters["building_id"] == ids[1], "kwh"] = 0.0
    meters.to_csv(tmp_path / "zero.csv", index=False)
    out = tmp_path / "cal"
    result = run_twin(["calibrate", scene, "--meters", tmp_path / "zero.csv", "-o", out, "-q"])
    assert_one_line_error(result, contains=("zero.csv", f"building {ids[1]!r}", "'kwh'", "every one of its 12 readings is 0 kWh"))
    assert not out.exists()


def _readings(kwh: list[float]) -> pd.DataFrame:
    ends = pd.date_range("2023-02-01", periods=len(kwh), freq="MS", tz="Europe/Brussels")
    return pd.DataFrame({"building_id": "a", "end": ends, "kwh": kwh})


def test_some_consumption_counts_the_fitted_readings_only() -> None:
    check_some_consumption(_readings([0.0, 0.0, 0.0, 5.0]))  # summer zeros beside a winter reading: fine
    check_some_consumption(_readings([0.0, 0.0, 0.0, 5.0]), cutoff=None)
    with pytest.raises(InputError, match=r"every one of its 3 readings fitted is 0 kWh"):
        check_some_consumption(_readings([0.0, 0.0, 0.0, 5.0]), cutoff=pd.Timestamp("2023-04-01T00:00:00+02:00"))
