"""One bound for a street link's lanes and free speed (twin.street_limits), used by the street
ingest, the scenario schema's change_streets and the traffic what-ifs; and per-direction speed
limits (``maxspeed:forward`` / ``maxspeed:backward``) at ingest, with their provenance."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from twin.errors import InputError
from twin.ingest.streets import build_network
from twin.street_limits import MAX_FREE_SPEED_M_S, MAX_LANES

KMH = 1.0 / 3.6

#: id -> tags
LINES = {
    "wide_oneway": {"highway": "primary", "lanes": "1000", "oneway": "yes"},
    "wide_twoway": {"highway": "primary", "lanes": str(2 * (MAX_LANES + 1))},  # MAX_LANES + 1 per direction
    "widest_twoway": {"highway": "primary", "lanes": str(2 * MAX_LANES)},  # exactly MAX_LANES per direction
    "wide_forward": {"highway": "secondary", "lanes": "4", "lanes:forward": str(MAX_LANES + 1)},
    "fast": {"highway": "primary", "maxspeed": "1000"},
    "fastest": {"highway": "motorway", "maxspeed": str(round(MAX_FREE_SPEED_M_S * 3.6)), "oneway": "yes"},
    "per_direction": {"highway": "secondary", "maxspeed": "50", "maxspeed:forward": "30"},
    "bad_backward": {"highway": "secondary", "maxspeed": "50", "maxspeed:backward": "fast"},
    "only_backward": {"highway": "tertiary", "maxspeed:backward": "20"},
    "reverse_oneway": {"highway": "tertiary", "oneway": "-1", "maxspeed": "50", "maxspeed:backward": "30", "maxspeed:forward": "70"},
}


def _build() -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    rows = list(LINES.values())
    lines = [shapely.LineString([(150_000.0 + 100 * k, 170_000.0), (150_000.0 + 100 * k, 170_050.0)]) for k in range(len(rows))]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=lines, crs="EPSG:31370")
    notes: list[tuple[str, str]] = []
    _, links = build_network(frame, source_ids=list(LINES), node_prefix="t", note=lambda o, t: notes.append((str(o), t)))
    return links, notes


def _direction(links: pd.DataFrame, suffix: str) -> pd.DataFrame:
    return links[links["link_id"].str.endswith(f":{suffix}")].set_index("source_id")


def _class_lanes(road_class: str) -> int:
    from twin.ingest.defaults import load_defaults

    return int(load_defaults()["streets"]["classes"][road_class]["lanes"])


def test_more_lanes_than_the_bound_fall_back_to_the_class_default_with_a_note() -> None:
    links, notes = _build()
    fwd, back = _direction(links, "f"), _direction(links, "b")
    primary = _class_lanes("primary")
    # 1000 lanes on a oneway; 2 x (MAX + 1) on a two-way street (MAX + 1 per direction)
    for way in ("wide_oneway", "wide_twoway"):
        assert fwd.loc[way, "lanes"] == primary, way
        assert fwd.loc[way, "lanes_source"] == "default"
        assert fwd.loc[way, "lanes_rule"] == f"default:primary (lanes '{LINES[way]['lanes']}' more than {MAX_LANES} lanes in one direction)"
    assert back.loc["wide_twoway", "lanes"] == primary
    # exactly the bound per direction is used (inferred: half the two-way total)
    assert (fwd.loc["widest_twoway", "lanes"], back.loc["widest_twoway", "lanes"]) == (MAX_LANES, MAX_LANES)
    assert fwd.loc["widest_twoway", "lanes_rule"] == "tag:lanes/2"
    # lanes:forward above the bound: the class default forward; backward keeps half of lanes=4
    assert fwd.loc["wide_forward", "lanes"] == _class_lanes("secondary") != MAX_LANES + 1
    assert fwd.loc["wide_forward", "lanes_rule"] == f"default:secondary (lanes:forward '{MAX_LANES + 1}' more than {MAX_LANES} lanes in one direction)"
    assert (back.loc["wide_forward", "lanes"], back.loc["wide_forward", "lanes_rule"]) == (2, "tag:lanes/2")
    by_way: dict[str, list[str]] = {}
    for obj, text in notes:
        by_way.setdefault(obj, []).append(text)
    assert by_way["wide_oneway"] == [f"lanes '1000' is more than {MAX_LANES} lanes in one direction: ignored (forward lanes: class default {primary})"]
    assert by_way["wide_twoway"] == [f"lanes '{2 * (MAX_LANES + 1)}' is more than {MAX_LANES} lanes in one direction: ignored (forward lanes: class default {primary})"]
    secondary = _class_lanes("secondary")
    assert by_way["wide_forward"] == [
        f"lanes:forward '{MAX_LANES + 1}' is more than {MAX_LANES} lanes in one direction: ignored (forward lanes: class default {secondary})"
    ]
    assert "widest_twoway" not in by_way


def test_a_speed_limit_above_the_bound_is_not_used() -> None:
    links, notes = _build()
    fwd = _direction(links, "f")
    assert fwd.loc["fast", "free_speed_m_s_rule"] == "default:primary (maxspeed '1000' not a speed limit)"
    assert [t for o, t in notes if o == "fast"] == [
        f"maxspeed '1000' is not a speed limit: ignored (class default {fwd.loc['fast', 'free_speed_m_s'] * 3.6:g} km/h of 'primary')"
    ]
    # the bound itself is a limit
    assert fwd.loc["fastest", "free_speed_m_s"] == pytest.approx(MAX_FREE_SPEED_M_S)
    assert fwd.loc["fastest", "free_speed_m_s_rule"] == "tag:maxspeed"


def test_maxspeed_forward_and_backward_set_their_own_direction() -> None:
    links, notes = _build()
    fwd, back = _direction(links, "f"), _direction(links, "b")
    assert fwd.loc["per_direction", "free_speed_m_s"] == pytest.approx(30 * KMH)
    assert (fwd.loc["per_direction", "free_speed_m_s_source"], fwd.loc["per_direction", "free_speed_m_s_rule"]) == ("data", "tag:maxspeed:forward")
    assert back.loc["per_direction", "free_speed_m_s"] == pytest.approx(50 * KMH)
    assert back.loc["per_direction", "free_speed_m_s_rule"] == "tag:maxspeed"
    # an unusable maxspeed:backward: maxspeed applies, with a note naming the tag
    assert back.loc["bad_backward", "free_speed_m_s"] == pytest.approx(50 * KMH)
    assert back.loc["bad_backward", "free_speed_m_s_rule"] == "tag:maxspeed"
    assert ("bad_backward", "maxspeed:backward 'fast' is not a speed limit: ignored (maxspeed or the class default)") in notes
    # maxspeed:backward alone: backward from it, forward the class default
    assert back.loc["only_backward", "free_speed_m_s"] == pytest.approx(20 * KMH)
    assert back.loc["only_backward", "free_speed_m_s_rule"] == "tag:maxspeed:backward"
    assert fwd.loc["only_backward", "free_speed_m_s_rule"] == "default:tertiary"
    # oneway=-1: cars drive backward only, at maxspeed:backward; the forward link is for walkers
    assert back.loc["reverse_oneway", "free_speed_m_s"] == pytest.approx(30 * KMH)
    assert "car" in back.loc["reverse_oneway", "modes"] and "car" not in fwd.loc["reverse_oneway", "modes"]
    assert fwd.loc["reverse_oneway", "free_speed_m_s_rule"] == "default:walk_speed_kmh"


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="50.8300000" lon="4.3500000"/>
  <node id="2" lat="50.8300000" lon="4.3510000"/>
  <node id="3" lat="50.8300000" lon="4.3520000"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="secondary"/><tag k="maxspeed" v="50"/>
    <tag k="maxspeed:forward" v="30"/></way>
  <way id="20"><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/><tag k="lanes" v="1000"/><tag k="oneway" v="yes"/></way>
</osm>
"""


def test_the_osm_reader_reads_the_per_direction_limits(tmp_path: Path) -> None:
    """Through the GDAL OSM driver (the path of .osm / .osm.pbf files): ``maxspeed:forward`` is one
    of the tags it keeps, and a lanes tag beyond the bound is not used."""
    from twin.ingest.dispatch import ingest

    path = tmp_path / "two_ways.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([path], context=False)
    links = scene.links.set_index("link_id")
    assert links.loc["osm:way/10:0:f", "free_speed_m_s"] == pytest.approx(30 * KMH)
    assert links.loc["osm:way/10:0:f", "free_speed_m_s_rule"] == "tag:maxspeed:forward"
    assert links.loc["osm:way/10:0:b", "free_speed_m_s"] == pytest.approx(50 * KMH)
    assert links.loc["osm:way/20:0:f", "lanes"] == _class_lanes("primary")
    assert links.loc["osm:way/20:0:f", "lanes_source"] == "default"


def test_the_scenario_schema_and_the_traffic_whatifs_share_the_ingest_bounds() -> None:
    from twin.scenario import schema
    from twin.traffic import whatif

    assert schema.MAX_LANES == whatif.MAX_LANES == MAX_LANES
    assert schema.MAX_FREE_SPEED_M_S == whatif.MAX_SPEED_M_S == MAX_FREE_SPEED_M_S
    select = {"where": {"road_class": "primary"}}
    schema.ChangeStreets(op="change_streets", select=select, lanes=MAX_LANES)
    with pytest.raises(ValueError, match="less than or equal to 16"):
        schema.ChangeStreets(op="change_streets", select=select, lanes=MAX_LANES + 1)
    with pytest.raises(ValueError, match="less than or equal to 60"):
        schema.ChangeStreets(op="change_streets", select=select, free_speed_m_s=np.nextafter(MAX_FREE_SPEED_M_S, np.inf))


def test_a_traffic_whatif_refuses_more_lanes_than_the_bound() -> None:
    from tests.conftest import shared_path
    from twin.traffic.dynamic_scenario import read_scenario
    from twin.traffic.whatif import TrafficCase

    case = TrafficCase.from_scenario(read_scenario(shared_path("traffic", "grid11")))
    link = case.network.link_ids[0]
    case.set_lanes([link], MAX_LANES)
    with pytest.raises(InputError, match=f"lanes must be a finite number in \\(0, {MAX_LANES}\\]"):
        case.set_lanes([link], MAX_LANES + 1)
    with pytest.raises(InputError, match="free speed must be a finite number in"):
        case.set_speed([link], MAX_FREE_SPEED_M_S + 1)
