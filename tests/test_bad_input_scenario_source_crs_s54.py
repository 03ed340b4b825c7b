"""``inputs.source_crs`` of a scenario whose every input declares its CRS (helper fuzz, s54).

``twin ingest --source-crs`` warns when no input takes it (it changed nothing); the same key of a
scenario was ignored without a word by ``twin scenario validate`` and ``twin run``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.cli_harness import run_twin
from tests.scenario_helpers import BOX_100M, EPW, write_small_district


def _scenario(folder: Path, buildings: Path, source_crs: str) -> Path:
    doc = {
        "name": "source-crs",
        "inputs": {"files": [str(buildings)], "weather": str(EPW), "crs": "EPSG:31370", "source_crs": source_crs},
        "domains": ["energy"],
        "whatifs": [{"name": "walls", "modifications": [{"op": "renovate", "select": {"where": {"use": "residential"}},
                                                         "measures": ["wall_insulation"]}]}],
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_an_unused_source_crs_is_told(tmp_path: Path) -> None:
    buildings = write_small_district(tmp_path / "in", BOX_100M)  # GeoJSON that declares EPSG:31370
    result = run_twin(["scenario", "validate", "--allow-dir", buildings.parent, "--allow-dir", EPW.parent,
                       _scenario(tmp_path, buildings, "EPSG:4326")])
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr_lines if line.startswith("twin: warning:")]
    assert any("inputs.source_crs EPSG:4326 was not used" in line for line in warnings), result.stderr


def test_a_used_source_crs_is_not_told(tmp_path: Path) -> None:
    import json

    buildings = write_small_district(tmp_path / "in", BOX_100M)
    doc = json.loads(buildings.read_text(encoding="utf-8"))
    doc.pop("crs")  # now the file declares none: the key says what its numbers are
    buildings.write_text(json.dumps(doc), encoding="utf-8")
    result = run_twin(["scenario", "validate", "--allow-dir", buildings.parent, "--allow-dir", EPW.parent,
                       _scenario(tmp_path, buildings, "EPSG:31370")])
    assert result.code == 0, result.stderr
    assert "was not used" not in result.stderr
