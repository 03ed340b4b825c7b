"""``twin sync init`` on an uncalibrated scene says which calibration it needs.

After ``twin calibrate --classes brussels`` (a fit of groups), a new user was told "run twin
calibrate first": they just had. The message names ``--meters`` and why ``--classes`` is not it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.output_helpers import write_tiny_inputs
from twin.calibration.command import sync_init
from twin.errors import InputError


def test_sync_init_names_the_meter_calibration(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    with pytest.raises(InputError) as err:
        sync_init([inputs / "district.geojson"], weather=inputs / "weather.epw", start="2023-01-15T00:00:00+01:00", out=tmp_path / "s.npz")
    text = str(err.value)
    assert err.value.field == "SCENE" and "\n" not in text
    for words in ("twin calibrate --meters", "--classes fit calibrates groups, not buildings", "--from-prior"):
        assert words in text
