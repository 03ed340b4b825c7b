"""Bad-input sweep s24 of scenario files: ``deseal.cover_class`` not in the land-cover vegetation table.

With ``soil.method: year`` an unknown class was refused; with ``richards`` and ``scs_cn`` it was
accepted and the hot-days surface temperature (run by every soil method) took it for open ground
outside every polygon (``_unmapped_``) without a word. Now, whatever the method, ``twin scenario
validate`` and ``twin run`` end in one ``twin: error:`` line (exit 2) naming the scenario file,
the what-if, the key path, the closest class and the list of classes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli_harness import REPO, assert_one_line_error, run_twin

DATA = REPO / "data_samples"
FILES = [DATA / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover")]


def _deseal_scenario(tmp_path: Path, method: str, cover_class: str) -> Path:
    doc = {
        "name": "deseal-class-sweep",
        "inputs": {"files": [str(f) for f in FILES]},
        "domains": ["soil"],
        "whatifs": [{"name": "plant-car-parks", "modifications": [
            {"op": "deseal", "select": {"where": {"cover_class": "parking"}}, "sealed_fraction": 0.1, "cover_class": cover_class}]}],
        "soil": {"method": method},
        "uncertainty": {"samples": 0},
    }  # fmt: skip
    path = tmp_path / f"deseal_{method}.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("method", ["richards", "scs_cn", "year"])
def test_unknown_cover_class_is_refused_by_every_soil_method(tmp_path: Path, method: str) -> None:
    scenario = _deseal_scenario(tmp_path, method, "parkk")
    line = assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", scenario]),
                                 contains=(scenario.name, "what-if 'plant-car-parks'", "whatifs.0.modifications.0.cover_class", "'parkk'",
                                           "did you mean 'park'"))  # fmt: skip
    assert "classes: " in line and "wood" in line and "residential" in line  # the list of known classes


def test_twin_run_refuses_it_before_any_work(tmp_path: Path) -> None:
    scenario = _deseal_scenario(tmp_path, "richards", "green_space")
    line = assert_one_line_error(run_twin(["run", scenario, "-o", tmp_path / "out"]),
                                 contains=(scenario.name, "whatifs.0.modifications.0.cover_class", "'green_space'", "classes: "))  # fmt: skip
    assert "did you mean" not in line  # nothing close: the list only
    assert not (tmp_path / "out").exists()


def test_a_known_class_validates_with_a_storm_method(tmp_path: Path) -> None:
    result = run_twin(["scenario", "validate", "--no-scene", _deseal_scenario(tmp_path, "scs_cn", "park")])
    assert result.code == 0, result.stderr


def test_the_default_scenario_names_a_known_class() -> None:
    """scenarios/stgilles_default.yaml's car-park de-sealing used ``green_space`` (not in the table)."""
    result = run_twin(["scenario", "validate", "--no-scene", REPO / "scenarios" / "stgilles_default.yaml"])
    assert result.code == 0, result.stderr


def _block_scenario(tmp_path: Path, block: dict) -> Path:
    doc = yaml.safe_load(_deseal_scenario(tmp_path, "richards", "park").read_text(encoding="utf-8"))
    doc["soil"]["block"] = block
    path = tmp_path / "block.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_block_margin_beside_a_block_region_changes_nothing(tmp_path: Path) -> None:
    """soil.block.margin_m widens the block around the changed cells only when no region is given."""
    region = [148540.0, 168510.0, 148570.0, 168540.0]
    scenario = _block_scenario(tmp_path, {"region": region, "margin_m": 20.0})
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", scenario]),
                          contains=(scenario.name, "soil.block.margin_m", "soil.block.region is given", "--allow-no-effect"))  # fmt: skip
    assert run_twin(["scenario", "validate", "--no-scene", "--allow-no-effect", scenario]).code == 0
    for block in ({"region": region}, {"margin_m": 20.0}):
        result = run_twin(["scenario", "validate", "--no-scene", _block_scenario(tmp_path, block)])
        assert result.code == 0, result.stderr


def test_a_block_region_outside_the_soil_grid_is_refused_by_validate(tmp_path: Path) -> None:
    """``soil.block.region`` off the district: ``scenario validate`` said ok and ``twin run`` failed
    only after the baseline's soil engine, without naming the key; now the scene check refuses it."""
    doc = yaml.safe_load(_deseal_scenario(tmp_path, "richards", "park").read_text(encoding="utf-8"))
    inside = [148900.0, 168600.0, 149000.0, 168700.0]  # in the Saint-Gilles box (EPSG:31370)
    for region, ok in ((inside, True), ([100000.0, 100000.0, 100100.0, 100100.0], False)):
        doc["soil"]["block"] = {"region": region}
        path = tmp_path / f"block_{ok}.yaml"
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        result = run_twin(["scenario", "validate", path])
        if ok:
            assert result.code == 0, result.stderr
        else:
            assert_one_line_error(result, contains=(path.name, "soil.block.region", "holds no cell centre of the soil grid"))
