"""``soil.bounds`` of a scenario that hold nothing of the scene (helper fuzz, s54).

``twin scenario validate`` said "ok" to bounds off the district (another CRS's numbers, digits
swapped); ``twin run`` then stopped in the soil engine with ``field 'grid.bounds'`` (a key of the
soil YAML of ``twin soil year``, not of a scenario) and no file. Both now refuse them as
``soil.bounds`` of the scenario file, before any engine runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import BOX_100M, EPW, write_small_district


@pytest.fixture(scope="module")
def buildings(tmp_path_factory) -> Path:
    return write_small_district(tmp_path_factory.mktemp("soil_bounds"), BOX_100M)


def _scenario(folder: Path, buildings: Path, bounds) -> Path:
    soil = {"method": "scs_cn", "cell_size_m": 10.0}
    if bounds is not None:
        soil["bounds"] = bounds
    doc = {
        "name": "soil-bounds",
        "inputs": {"files": [str(buildings)], "weather": str(EPW), "crs": "EPSG:31370"},
        "domains": ["soil"],
        "whatifs": [{"name": "green", "modifications": [{"op": "green_roofs", "select": {"where": {"use": "residential"}}, "share": 0.5}]}],
        "soil": soil,
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_bounds_over_the_district_pass(buildings: Path, tmp_path: Path) -> None:
    x0, y0, x1, y1 = BOX_100M
    for bounds in (None, [x0, y0, x1, y1]):
        result = run_twin(["scenario", "validate", "--allow-dir", buildings.parent, "--allow-dir", EPW.parent,
                           _scenario(tmp_path, buildings, bounds)])
        assert result.code == 0, result.stderr


@pytest.mark.parametrize("command", ["validate", "run"])
def test_bounds_off_the_district_are_refused_as_a_key_of_the_file(buildings: Path, tmp_path: Path, command: str) -> None:
    scenario = _scenario(tmp_path, buildings, [0.0, 0.0, 100.0, 100.0])
    allow = ["--allow-dir", buildings.parent, "--allow-dir", EPW.parent]
    args = ["scenario", "validate", *allow, scenario] if command == "validate" else ["run", scenario, "-o", tmp_path / "out", *allow]
    assert_one_line_error(run_twin(args), contains=("scenario.yaml", "field 'soil.bounds'", "hold no building"))
    assert not (tmp_path / "out").exists()
