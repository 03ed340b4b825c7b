"""``--scene-crs`` of the traffic commands must be a projected CRS in metres.

Link lengths, speeds and buffers are taken in the scene CRS's units; ``twin traffic assign
--scene streets.geojson --scene-crs EPSG:4326`` ran with exit 0 on lengths in degrees (noticed
by the traffic bad-input sweep).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin

STREETS = Path(__file__).resolve().parents[1] / "data_samples" / "stgilles_streets_osm2013.geojson"


@pytest.mark.parametrize("command", [["assign", "--scene"], ["simulate"]])
def test_geographic_scene_crs_is_refused(tmp_path: Path, command: list[str]) -> None:
    od = tmp_path / "od.csv"
    od.write_text("origin,destination,flow_veh_h\n1,2,100\n")
    result = run_twin(["traffic", *command, STREETS, "--demand", od, "--scene-crs", "EPSG:4326", "-q"])
    assert_one_line_error(result, contains=("'--scene-crs'", "EPSG:4326", "not a projected CRS in metres"))
