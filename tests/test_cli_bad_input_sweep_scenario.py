"""Bad-input sweep of scenario files: a permit's ``insert_building.origin_xy`` outside the area of
use of the scene CRS (typed as longitude/latitude, or left at [0, 0]).

It used to be found only after the IFC file was parsed, in an error that named the IFC file's
``crs`` and advised the command line's ``--origin`` option, not the scenario key. Now one
``twin: error:`` line (exit 2) names the scenario file and ``...origin_xy``, before the IFC file
is read; a valid origin still validates.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import EPW, IFC, write_small_district

TINY_BOX = (148330.0, 168860.0, 148390.0, 168920.0)


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_district(tmp_path_factory.mktemp("sweep_permit"), TINY_BOX)


def _permit(district: Path, origin: list[float]) -> Path:
    doc = {
        "name": "permit-sweep",
        "inputs": {"files": [district.name], "weather": str(EPW)},
        "domains": ["energy"],
        "whatifs": [{"name": "permit", "modifications": [
            {"op": "insert_building", "ifc": str(IFC), "origin_xy": origin, "rotation_deg": 90}]}],
    }  # fmt: skip
    path = district.parent / f"permit_{origin[0]:g}_{origin[1]:g}.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("origin", "text"),
    [([4.345, 50.83], "longitude/latitude"), ([0.0, 0.0], "[0, 0]"), ([-5.0e6, 9.0e6], "outside the area of use")],
    ids=["lon-lat", "zero", "far-away"],
)
def test_origin_outside_the_scene_crs_names_the_key(district: Path, origin: list[float], text: str) -> None:
    scenario = _permit(district, origin)
    line = assert_one_line_error(run_twin(["scenario", "validate", scenario]),
                                 contains=(scenario.name, "whatifs.0.modifications.0.origin_xy", "EPSG:31370", text))  # fmt: skip
    assert "--origin" not in line and IFC.name not in line


def test_origin_in_the_district_validates(district: Path) -> None:
    result = run_twin(["scenario", "validate", _permit(district, [148341.0, 168910.0])])
    assert result.code == 0, result.stderr
