"""Bad building attributes: each case reported per building with its documented resolution
(twin.ingest.attributes.checks, twin.ingest.limits), never silent; CLI cases through the harness."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.cli_harness import assert_warning, run_twin
from tests.geojson_builders import X0, Y0, polygon_feature, rectangle_ring, write_geojson
from twin.ingest.vector import read_vector

NEXT_YEAR = dt.date.today().year + 1


def _rect(k: int, **props) -> dict:
    """Building ``k`` of a row: an 8 m x 10 m rectangle every 20 m from (X0, Y0), tagged building=yes."""
    x = X0 + 20.0 * k
    return polygon_feature(rectangle_ring(x, Y0, x + 8.0, Y0 + 10.0), **{"building": "yes", **props})


def test_values_not_usable_as_given_are_ignored_with_a_note(tmp_path):
    path = write_geojson(
        tmp_path / "b.geojson",
        [
            _rect(0, id="future", start_date=str(NEXT_YEAR)),
            _rect(1, id="old", start_date="old"),
            _rect(2, id="above", **{"building:levels": 3, "building:min_level": 3}),
            _rect(3, id="negmin", **{"building:levels": 3, "building:min_level": -1}),
            _rect(4, id="roof", **{"building:levels": 3, "roof:levels": -2}),
            _rect(5, id="rooftext", **{"building:levels": 3, "roof:levels": "many"}),
            _rect(6, id="under", height=9, min_height=12),
            _rect(7, id="half", **{"building:levels": "2.5"}),
            _rect(8, id="fine", start_date="1905", **{"building:levels": 3}),
        ],
    )
    result = read_vector(path)
    b = result.layers["buildings"].set_index("building_id")
    assert len(b) == 9 and result.dropped == []
    notes = result.meta["attribute_notes"]
    assert len(notes) == 8
    by_id = {n.split(":", 2)[1]: n for n in notes}
    assert "is in the future" in by_id["future"] and "start_date" in by_id["future"]
    assert np.isnan(b.loc["b:future", "construction_year"]) and b.loc["b:future", "construction_year_source"] == "default"
    assert "holds no year" in by_id["old"]
    # min_level not below the levels: ignored, the levels tag wins
    assert (b.loc["b:above", "n_storeys"], b.loc["b:above", "min_level"], b.loc["b:above", "min_level_source"]) == (3, 0.0, "default")
    assert "building:min_level" in by_id["above"] and "not below" in by_id["above"]
    assert b.loc["b:negmin", "n_storeys"] == 3 and "building:min_level" in by_id["negmin"]
    for key in ("roof", "rooftext"):
        assert b.loc[f"b:{key}", "roof_levels"] == 0 and b.loc[f"b:{key}", "height_m"] == pytest.approx(9.0)
        assert "roof:levels" in by_id[key]
    assert b.loc["b:under", "min_height_m"] == 0 and b.loc["b:under", "n_storeys"] == 3 and "min_height" in by_id["under"]
    assert b.loc["b:half", "n_storeys"] == 3 and "rounded to 3" in by_id["half"]
    assert b.loc["b:fine", "attribute_notes"] == "" and b.loc["b:fine", "construction_year"] == 1905
    assert b.loc["b:future", "attribute_notes"].startswith("start_date")


def test_contradictory_height_and_levels_drop_the_building_with_the_reason(tmp_path):
    path = write_geojson(tmp_path / "b.geojson", [_rect(0, id="thin", height=3, **{"building:levels": 10}), _rect(1, id="ok")])
    result = read_vector(path)
    assert list(result.layers["buildings"]["building_id"]) == ["b:ok"]
    (d,) = result.dropped
    assert d.obj == "b:thin" and d.invalid and "0.30 m per storey" in d.reason


def test_overrides_and_defaults_can_change_the_rules(tmp_path):
    from twin.ingest.defaults import complete_buildings

    frame = __import__("pandas").DataFrame({"building_id": ["a", "b"], "footprint_area_m2": [2000.0, 80.0], "building": ["apartments", "yes"]})
    raised = {"buildings": {"storeys": {"residential": [{"max_area_m2": None, "storeys": 9}]}}}
    out = complete_buildings(frame, defaults=raised).set_index("building_id")
    assert out.loc["a", "n_storeys"] == 5 and out.loc["a", "n_storeys_rule"].endswith(",capped")
    lifted = {"buildings": {"storeys": {"residential": [{"max_area_m2": None, "storeys": 9}]}, "max_default_storeys": None}}
    assert complete_buildings(frame, defaults=lifted).set_index("building_id").loc["a", "n_storeys"] == 9
    no_large = {"buildings": {"large_untagged_footprint_m2": 1e12}}
    frame2 = frame.assign(building=["yes", "yes"])
    assert complete_buildings(frame2, defaults=no_large).set_index("building_id").loc["a", "use"] == "residential"


# ----------------------------------------------------------------------------- command line
CLI_CASES = {
    "future-start-date": (_rect(0, id="future", start_date=str(NEXT_YEAR)), ("future", "start_date", "in the future")),
    "min-level-above-levels": (_rect(0, id="hover", **{"building:levels": 2, "building:min_level": 4}), ("hover", "building:min_level", "not below")),
    "height-3m-with-10-levels": (_rect(0, id="thin", height=3, **{"building:levels": 10}), ("thin", "per storey")),
    "negative-levels": (_rect(0, id="neg", **{"building:levels": -2}), ("neg", "building:levels")),
    "non-numeric-height": (_rect(0, id="txt", height="tall"), ("txt", "'tall' is not a number")),
}


@pytest.mark.parametrize("case", list(CLI_CASES), ids=list(CLI_CASES))
def test_cli_reports_each_bad_value(case, tmp_path):
    feature, texts = CLI_CASES[case]
    path = write_geojson(tmp_path / "in.geojson", [feature, _rect(3, id="good")])
    result = run_twin(["ingest", str(path), "-o", str(tmp_path / "scene")])
    assert result.code == 0, result.stderr
    assert_warning(result, contains=texts)
    assert texts[0] in result.stdout  # the per-object list of twin ingest names it too


def test_cli_info_counts_the_buildings_with_notes(tmp_path):
    path = write_geojson(tmp_path / "in.geojson", [_rect(0, id="future", start_date=str(NEXT_YEAR)), _rect(1, id="good")])
    assert run_twin(["ingest", str(path), "-o", str(tmp_path / "scene"), "-q"]).code == 0
    info = run_twin(["info", str(tmp_path / "scene")])
    assert info.code == 0, info.stderr
    assert "values not used as given: 1 buildings" in info.stdout
