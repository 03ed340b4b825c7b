"""``--gas-kwh-per-m3`` with a meter file that has no reading in m3 changes nothing: an error.

Before, ``twin calibrate SCENE --meters kwh_only.csv --gas-kwh-per-m3 10.5`` ran with exit 0 and
the factor unused (a wrong file, or an option copied from another run).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_calibration_meters import IDS, _monthly
from tests.test_cli_bad_input_rel3 import _meters, tiny_scene  # noqa: F401  (tiny_scene: a module fixture)
from twin.calibration.meters import read_meters
from twin.errors import InputError


@pytest.mark.parametrize("unit", [None, "kWh", "MWh"], ids=["kwh-column", "value-kwh", "value-mwh"])
def test_factor_without_a_volume_is_refused(unit):
    t = _monthly()
    if unit is not None:
        t = t.rename(columns={"kwh": "value"})
        t["unit"] = unit
    with pytest.raises(InputError, match="gas-kwh-per-m3 is given but no reading is a gas volume") as info:
        read_meters(t, building_ids=IDS, gas_kwh_per_m3=10.5)
    assert info.value.field == "--gas-kwh-per-m3"
    read_meters(t, building_ids=IDS)  # the same table without the factor reads


def test_factor_with_one_volume_among_other_units_reads():
    t = _monthly().rename(columns={"kwh": "value"})
    t["unit"] = ["m3", "kWh", "kWh"] * 2
    r = read_meters(t, building_ids=IDS, gas_kwh_per_m3=10.0).readings
    np.testing.assert_allclose(r["kwh"].to_numpy()[:3], [10_000.0, 2_000.0, 3_000.0])


def test_command_line_names_the_option_and_the_file(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:  # noqa: F811
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "kwh_only.csv", {ids[0]: 12})
    out = tmp_path / "cal"
    result = run_twin(["calibrate", scene, "--meters", meters, "--gas-kwh-per-m3", "10.5", "-o", out])
    assert_one_line_error(result, contains=("kwh_only.csv", "'--gas-kwh-per-m3'", "no reading is a gas volume"))
    assert not out.exists()
