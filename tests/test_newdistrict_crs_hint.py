"""A scenario's CRS error names the scenario's key, not ``twin ingest``'s option.

A planner wrote the district's site box in Lambert metres in a GeoJSON without a ``"crs"`` member;
``twin run`` / ``twin scenario validate`` said ``use --source-crs EPSG:31370``, an option neither
takes. The scenario key is ``inputs.source_crs``.
"""

from __future__ import annotations

import json

import pytest

from tests.geojson_builders import square, write_geojson
from tests.test_newdistrict_clip import OSM_XML
from twin.errors import CRSError
from twin.scenario.inputs import in_scenario_terms
from twin.scenario.runner import build_baseline
from twin.scenario.schema import load_scenario


def test_site_in_metres_without_crs_names_inputs_source_crs(tmp_path):
    (tmp_path / "region.osm").write_text(OSM_XML)
    write_geojson(tmp_path / "site.geojson", [square(149760, 168100, 1000)], crs=None)  # Lambert metres, no "crs" member
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps({"name": "s", "inputs": {"files": ["region.osm"], "sites": ["site.geojson"]},
                                "domains": ["energy"], "uncertainty": {"samples": 0}}))
    with pytest.raises(CRSError) as info:
        build_baseline(load_scenario(path), tmp_path, progress=False)
    assert "use inputs.source_crs: EPSG:31370" in info.value.message
    assert "--source-crs" not in str(info.value)
    assert info.value.field == "inputs.source_crs"


def test_scene_crs_advice_names_inputs_crs():
    exc = in_scenario_terms(CRSError("refused: choose a scene CRS that covers it with --crs EPSG:2056", path="a.geojson", field="crs"))
    assert exc.message.endswith("with inputs.crs: EPSG:2056") and exc.field == "inputs.crs"
    exc = in_scenario_terms(CRSError("name the file's real CRS with --source-crs EPSG:<code> (and --override-crs if the file "
                                     "declares a wrong one)", path="a.geojson", field="crs"))
    assert "--" not in exc.message and exc.field == "inputs.source_crs"
