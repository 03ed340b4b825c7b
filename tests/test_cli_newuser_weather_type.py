"""A weather file that is not an EPW is refused by its option before anything is read.

``twin energy simulate SPEC --weather DRYCOLD.TMY`` (the BESTEST weather of the shared data is a
TMY file) answered ``object line 1: first line must be 'LOCATION,...'``, and ``twin energy run
SCENE -w streets.geojson`` the same without naming ``--weather``. ``twin solar pv`` already
said ``field '--weather': weather file must end in .epw``; now ``energy simulate``, ``energy
run`` and ``calibrate`` do too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin

REPO = Path(__file__).resolve().parents[1]
ZONE = REPO / "tests" / "energy_data" / "bestest_900.yaml"
POIS = REPO / "data_samples" / "stgilles_pois_osm2013.geojson"


@pytest.fixture()
def tmy(tmp_path: Path) -> Path:
    path = tmp_path / "DRYCOLD.TMY"
    path.write_text("14941 OMAHA NE -6 N41 18 W95 54 404\n")
    return path


def test_energy_simulate_refuses_a_weather_file_that_is_not_epw(tmy: Path) -> None:
    line = assert_one_line_error(run_twin(["energy", "simulate", ZONE, "--weather", tmy]),
                                 contains=(str(tmy), "'--weather'", "must end in .epw"))
    assert "LOCATION" not in line


@pytest.mark.parametrize("command", [["energy", "run"], ["calibrate", "--classes", "brussels"]])
def test_scene_commands_refuse_a_weather_file_that_is_not_epw(command: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    line = assert_one_line_error(run_twin([*command, POIS, "-w", POIS, "-o", out]),
                                 contains=(str(POIS), "'--weather'", "must end in .epw"))
    assert "LOCATION" not in line
    assert not out.exists()
