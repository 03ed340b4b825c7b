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


def _soil_texture_scenario(district: Path, name: str, soil: dict) -> Path:
    doc = {
        "name": "texture-sweep",
        "inputs": {"files": [district.name], "weather": str(EPW)},
        "domains": ["soil"],
        "whatifs": [{"name": "deseal", "modifications": [{"op": "deseal", "select": {"where": {"kind": "landcover"}}, "sealed_fraction": 0.1}]}],
        "soil": {"method": "richards", **soil},
        "uncertainty": {"samples": 4, "seed": 1, "priors": False},
    }  # fmt: skip
    path = district.parent / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_texture_without_a_share_in_the_texture_shares(district: Path) -> None:
    """soil.texture Clay with shares of Loam and Silt Loam: the central run's texture was never drawn
    by a sample (the band could not hold it); validated as ok."""
    scenario = _soil_texture_scenario(district, "clay_not_shared", {"texture": "Clay", "texture_shares": {"Loam": 0.5, "Silt Loam": 0.5}})
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", scenario]),
                          contains=(scenario.name, "soil.texture 'Clay'", "no share in soil.texture_shares"))  # fmt: skip


def test_texture_with_a_share_in_the_texture_shares_validates(district: Path) -> None:
    scenario = _soil_texture_scenario(district, "loam_shared", {"texture": "Loam", "texture_shares": {"Loam": 0.3, "Silt Loam": 0.7}})
    result = run_twin(["scenario", "validate", "--no-scene", scenario])
    assert result.code == 0, result.stderr
