"""Street links record where their free speed and lanes came from (twin.ingest.street_sources);
tag values present but unusable are reported with their raw value, never silently replaced."""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.cli_harness import run_twin
from tests.conftest import shared_path
from tests.geojson_builders import write_geojson
from twin.ingest.defaults import load_defaults
from twin.ingest.streets import build_network
from twin.ingest.vector import read_vector
from twin.scene.provenance import SOURCES

MOTOR = {"car", "truck", "bus"}

#: id -> (tags, expected (speed source, speed rule), expected forward (lanes source, lanes rule))
LINES = {
    "plain": ({"highway": "residential"}, ("default", "default:residential"), ("default", "default:residential")),
    "good": ({"highway": "primary", "maxspeed": "70", "lanes": "4"}, ("data", "tag:maxspeed"), ("inferred", "tag:lanes/2")),
    "oneway": ({"highway": "primary", "maxspeed": "BE:urban", "lanes": "3", "oneway": "yes"}, ("data", "tag:maxspeed"), ("data", "tag:lanes")),
    "forward": ({"highway": "secondary", "maxspeed": "30 mph", "lanes": "3", "lanes:forward": "2"}, ("data", "tag:maxspeed"), ("data", "tag:lanes:forward")),
    "fast": ({"highway": "residential", "maxspeed": "fast", "lanes": "two"}, ("default", "default:residential (maxspeed 'fast' not a speed limit)"),
             ("default", "default:residential (lanes 'two' not a number of lanes >= 1)")),
    "zero": ({"highway": "tertiary", "maxspeed": "0", "lanes": "0"}, ("default", "default:tertiary (maxspeed '0' not a speed limit)"),
             ("default", "default:tertiary (lanes '0' not a number of lanes >= 1)")),
    "huge": ({"highway": "trunk", "maxspeed": "1e400", "lanes": "1e400", "oneway": "yes"}, ("default", "default:trunk (maxspeed '1e400' not a speed limit)"),
             ("default", "default:trunk (lanes '1e400' not a number of lanes >= 1)")),
    "negative": ({"highway": "primary", "maxspeed": "-2", "lanes": "-2"}, ("default", "default:primary (maxspeed '-2' not a speed limit)"),
                 ("default", "default:primary (lanes '-2' not a number of lanes >= 1)")),
    "single": ({"highway": "residential", "lanes": "1"}, ("default", "default:residential"), ("default", "default:residential (lanes '1' on a two-way street)")),
    "path": ({"highway": "footway", "maxspeed": "fast"}, ("default", "default:walk_speed_kmh"), ("default", "default:footway")),
}
UNUSABLE = {"fast": ("maxspeed 'fast'", "lanes 'two'"), "zero": ("maxspeed '0'", "lanes '0'"), "huge": ("maxspeed '1e400'", "lanes '1e400'"),
            "negative": ("maxspeed '-2'", "lanes '-2'")}


def _frame() -> gpd.GeoDataFrame:
    rows = [tags for tags, _, _ in LINES.values()]
    lines = [shapely.LineString([(150_000.0 + 100 * k, 170_000.0), (150_000.0 + 100 * k, 170_050.0)]) for k in range(len(rows))]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=lines, crs="EPSG:31370")


def _build(frame: gpd.GeoDataFrame):
    notes: list[tuple[str, str]] = []
    _, links = build_network(frame, source_ids=list(LINES), node_prefix="t", note=lambda o, t: notes.append((str(o), t)))
    return links, notes


def test_each_line_records_the_source_and_rule_its_tags_give():
    links, _ = _build(_frame())
    forward = links[links["link_id"].str.endswith(":f")].set_index("source_id")
    assert set(forward.index) == set(LINES)
    for way, (_, speed, lanes) in LINES.items():
        assert (forward.loc[way, "free_speed_m_s_source"], forward.loc[way, "free_speed_m_s_rule"]) == speed, way
        assert (forward.loc[way, "lanes_source"], forward.loc[way, "lanes_rule"]) == lanes, way
    assert set(links["free_speed_m_s_source"]) | set(links["lanes_source"]) <= set(SOURCES)
    # against the oneway: walkers only, a default lane and speed
    back = links[links["link_id"].str.endswith(":b")].set_index("source_id")
    assert back.loc["oneway", "modes"] == "walk"
    assert (back.loc["oneway", "lanes_source"], back.loc["oneway", "lanes_rule"]) == ("default", "default:contraflow")
    assert back.loc["oneway", "free_speed_m_s_rule"] == "default:walk_speed_kmh"
    # the lanes:forward tag sets only its direction: backward is half of lanes=3, rounded down
    assert (back.loc["forward", "lanes"], back.loc["forward", "lanes_source"]) == (1, "inferred")
    assert (forward.loc["forward", "lanes"], back.loc["good", "lanes"]) == (2, 2)


def test_the_values_are_those_the_sources_say():
    links, _ = _build(_frame())
    table = load_defaults()["streets"]["classes"]
    f = links[links["link_id"].str.endswith(":f")].set_index("source_id")
    for way in ("plain", "fast", "zero", "huge", "negative"):
        cls = table[f.loc[way, "road_class"]]
        assert f.loc[way, "free_speed_m_s"] == pytest.approx(cls["speed_kmh"] / 3.6), way
        assert f.loc[way, "lanes"] == cls["lanes"], way
        assert f.loc[way, "capacity_veh_h"] == pytest.approx(cls["lanes"] * cls["capacity_veh_h_lane"]), way
    assert f.loc["good", "free_speed_m_s"] == pytest.approx(70 / 3.6) and f.loc["oneway", "lanes"] == 3


def test_unusable_values_are_reported_with_their_raw_value():
    _, notes = _build(_frame())
    by_way: dict[str, list[str]] = {}
    for way, text in notes:
        by_way.setdefault(way, []).append(text)
    assert set(by_way) == set(UNUSABLE)  # the footway's maxspeed is not used by any vehicle: no note
    for way, raws in UNUSABLE.items():
        assert len(by_way[way]) == 2, by_way[way]
        for raw in raws:
            assert any(t.startswith(raw) and "ignored" in t for t in by_way[way]), (way, raw, by_way[way])
    assert any("class default 70 km/h of 'trunk'" in t for t in by_way["huge"])


def test_fractional_lanes_are_truncated_with_a_note():
    frame = gpd.GeoDataFrame({"highway": ["primary"], "lanes": ["2.5"], "oneway": ["yes"]},
                             geometry=[shapely.LineString([(0, 0), (0, 50)])], crs="EPSG:31370")
    notes: list[str] = []
    _, links = build_network(frame, source_ids=["w"], node_prefix="t", note=lambda o, t: notes.append(t))
    assert links["lanes"].iloc[0] == 2 and links["lanes_source"].iloc[0] == "data"
    assert notes == ["lanes '2.5' is not a whole number of lanes: 2 forward lane(s) used"]


def _geojson(path: Path, n_bad: int) -> Path:
    feats = []
    for k in range(n_bad + 1):
        x = 150_000.0 + 100 * k
        props = {"id": f"s{k}", "highway": "residential", "maxspeed": "fast" if k < n_bad else "50"}
        feats.append({"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": [[x, 170_000.0], [x, 170_050.0]]}})
    return write_geojson(path, feats)


def test_reader_collects_the_notes_and_warns_once_per_file(tmp_path):
    from twin.errors import TwinWarning
    from twin.ingest.dispatch import read

    path = _geojson(tmp_path / "streets.geojson", 40)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read(path)
    notes = result.meta["attribute_notes"]
    assert len(notes) == 40 and all("maxspeed 'fast' is not a speed limit" in n for n in notes)
    ours = [w for w in caught if issubclass(w.category, TwinWarning) and "not used as given" in str(w.message)]
    assert len(ours) == 1 and "40 value(s)" in str(ours[0].message)
    links = result.layers["links"]
    assert Counter(links["free_speed_m_s_source"]) == {"default": 80, "data": 2}


def test_cli_ingest_lists_each_unusable_value_in_one_warning(tmp_path):
    path = _geojson(tmp_path / "streets.geojson", 3)
    run = run_twin(["ingest", path, "-o", tmp_path / "scene"])
    assert run.code == 0, run.stderr
    warned = [line for line in run.stderr_lines if line.startswith("twin: warning:") and "not used as given" in line]
    assert len(warned) == 1 and "3 value(s)" in warned[0]
    listed = [line for line in run.stdout.splitlines() if "maxspeed 'fast' is not a speed limit" in line]
    assert len(listed) == 3


def _scene():
    """A scene of the hand-made lines: the nodes and links :func:`build_network` gives."""
    from twin.scene import Scene

    links, _ = _build(_frame())
    nodes, _ = build_network(_frame(), source_ids=list(LINES), node_prefix="t")
    scene = Scene()
    scene.add("nodes", nodes)
    scene.add("links", links)
    return scene


def test_scene_round_trip_keeps_the_sources_and_old_folders_read(tmp_path):
    from twin.export import write_scene
    from twin.scene.io import read_scene

    scene = _scene()
    write_scene(scene, tmp_path / "scene")
    back = read_scene(tmp_path / "scene").links
    for col in ("free_speed_m_s_source", "free_speed_m_s_rule", "lanes_source", "lanes_rule"):
        assert list(back[col]) == list(scene.links[col]), col
    # a folder written before the columns existed: read with '' (not recorded)
    (parquet,) = (tmp_path / "scene").glob("links*.parquet")
    old = gpd.read_parquet(parquet).drop(columns=["free_speed_m_s_source", "free_speed_m_s_rule", "lanes_source", "lanes_rule"])
    old.to_parquet(parquet)
    again = read_scene(tmp_path / "scene").links
    assert (again["lanes_source"] == "").all() and (again["free_speed_m_s_rule"] == "").all()
    assert np.array_equal(again["lanes"].to_numpy(), back["lanes"].to_numpy())


# ----------------------------------------------------------------------------- real extracts
_NUMBER_LIMIT = re.compile(r"\s*(\d+(\.\d+)?)\s*(mph)?\s*")
_WHOLE = re.compile(r"\s*[1-9]\d*\s*")


def _usable_limit(value, words) -> bool:
    if value is None:
        return False
    first = str(value).split(";")[0].strip()
    m = _NUMBER_LIMIT.fullmatch(first)
    return first.lower() in {w.lower() for w in words} or (m is not None and float(m.group(1)) > 0)


def _direction(tags: dict) -> int:
    """OSM: 1 oneway along the way, -1 against it, 0 both ways."""
    oneway = (tags.get("oneway") or "").lower()
    if oneway in ("no", "false", "0"):
        return 0
    if oneway in ("-1", "reverse"):
        return -1
    if oneway in ("yes", "true", "1") or tags.get("junction") in ("roundabout", "circular") or tags.get("highway") in ("motorway", "motorway_link"):
        return 1
    return 0


def _expected(links: pd.DataFrame, way_tags: dict[str, dict]) -> tuple[list[str], list[str]]:
    """Expected speed and lanes source of each link, from its way's tags as the file gives them."""
    words = load_defaults()["streets"]["maxspeed_words"]
    speed, lanes = [], []
    for link_id, way, modes in zip(links["link_id"], links["source_id"], links["modes"], strict=True):
        tags = way_tags[way]
        d = _direction(tags)
        full = d == 0 or (d == 1) == link_id.endswith(":f")
        motor = bool(MOTOR & set(modes.split(",")))
        speed.append("data" if full and motor and _usable_limit(tags.get("maxspeed"), words) else "default")
        raw = tags.get("lanes")
        n = int(raw) if raw is not None and _WHOLE.fullmatch(raw) else 0
        if not full or n < 1 or (d == 0 and n // 2 < 1):
            lanes.append("default")
        else:
            lanes.append("data" if d != 0 else "inferred")
    return speed, lanes


def test_stgilles_sources_match_the_tags_of_the_file():
    path = shared_path("brussels", "stgilles_streets_osm2013.geojson")
    with open(path, encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    way_tags = {f"osm:way/{f['properties']['osm_id']}": {k: v for k, v in f["properties"].items() if v is not None} for f in feats}
    result = read_vector(path)
    links = result.layers["links"]
    speed, lanes = _expected(links, way_tags)
    assert Counter(links["free_speed_m_s_source"]) == Counter(speed)
    assert list(links["free_speed_m_s_source"]) == speed and list(links["lanes_source"]) == lanes
    tagged = {w for w, t in way_tags.items() if "maxspeed" in t}
    assert tagged and (links.loc[links["source_id"].isin(tagged) & links["modes"].str.contains("car"), "free_speed_m_s_rule"] == "tag:maxspeed").all()
    assert "data" in speed and "default" in speed
    assert len(result.meta.get("attribute_notes") or []) == _expected_notes(links, way_tags)


def test_brussels_sources_match_the_tags_read_by_pyosmium():
    """The GDAL-read network's sources against the way tags pyosmium reads from the same file."""
    osmium = pytest.importorskip("osmium")
    pbf = shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
    result = _read_streets(pbf)
    links = result.layers["links"]
    ways = set(links["source_id"])
    way_tags = {}
    for way in osmium.FileProcessor(str(pbf), osmium.osm.WAY):
        key = f"osm:way/{way.id}"
        if key in ways:
            way_tags[key] = {t.k: t.v for t in way.tags}
    assert set(way_tags) == ways
    speed, lanes = _expected(links, way_tags)
    assert Counter(links["free_speed_m_s_source"]) == Counter(speed)
    assert Counter(links["lanes_source"]) == Counter(lanes)
    assert list(links["free_speed_m_s_source"]) == speed and list(links["lanes_source"]) == lanes
    assert {"data", "inferred", "default"} <= set(lanes)
    assert len(result.meta.get("attribute_notes") or []) == _expected_notes(links, way_tags)


def _expected_notes(links: pd.DataFrame, way_tags: dict[str, dict]) -> int:
    """Tag values of the ways open to motor vehicles that are neither a limit nor a whole number
    of lanes >= 1 (one note each)."""
    words = load_defaults()["streets"]["maxspeed_words"]
    motor = {w for w, m in zip(links["source_id"], links["modes"], strict=True) if MOTOR & set(m.split(","))}
    count = 0
    for way in motor:
        tags = way_tags[way]
        count += "maxspeed" in tags and str(tags["maxspeed"]).strip() != "" and not _usable_limit(tags["maxspeed"], words)
        count += sum(1 for k in ("lanes", "lanes:forward", "lanes:backward") if k in tags and not _WHOLE.fullmatch(str(tags[k])))
    return count


def _read_streets(pbf):
    """The streets of an OSM file (warnings of the signal placement are not under test here)."""
    from twin.ingest.osm import read_osm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_osm(pbf, layers=("streets",))


def test_a_change_streets_what_if_marks_what_it_set_as_user():
    """A ``change_streets`` modification sets lanes / free speed: those links' sources become
    ``user`` and the rule names the modification; the other links and columns keep theirs."""
    from twin.scenario.modifications import apply
    from twin.scenario.schema import ChangeStreets, Selector

    scene = _scene()
    links = scene.links
    target = str(links["link_id"].iloc[0])
    before = scene.links.set_index("link_id")
    new_lanes = int(before.loc[target, "lanes"]) + 1
    what_if = scene.copy()
    apply(what_if, ChangeStreets(op="change_streets", select=Selector(ids=[target]), lanes=new_lanes), index=2, rng=np.random.default_rng(0),
          base_dir=None)
    after = what_if.links.set_index("link_id")
    assert after.loc[target, "lanes"] == new_lanes
    assert after.loc[target, "lanes_source"] == "user" and after.loc[target, "lanes_rule"] == "scenario: modifications.2"
    assert after.loc[target, "free_speed_m_s_source"] == before.loc[target, "free_speed_m_s_source"]  # not changed
    others = after.index != target
    assert (after.loc[others, "lanes_source"] == before.loc[others, "lanes_source"]).all()


def test_twin_info_reports_the_link_sources_by_length(tmp_path):
    """``twin info`` prints, per attribute, the share of the car links' length from each source;
    checked against the shares computed here from the stored links table."""
    from tests.cli_harness import run_twin
    from twin.export import write_scene
    from twin.scene.io import read_scene

    scene = _scene()
    write_scene(scene, tmp_path / "scene")
    res = run_twin(["info", str(tmp_path / "scene")])
    assert res.code == 0, res.stderr
    stored = read_scene(tmp_path / "scene").links
    car = stored[stored["modes"].astype(str).str.contains("car")]
    printed = {line.split()[0]: line.split()[1:] for line in res.stdout.splitlines() if line.strip().startswith(("free_speed_m_s", "lanes"))}
    assert set(printed) == {"free_speed_m_s", "lanes"}
    for column in ("free_speed_m_s", "lanes"):
        share = {s: 100.0 * car.loc[car[f"{column}_source"] == s, "length_m"].sum() / car["length_m"].sum() for s in ("data", "user", "inferred", "default")}
        values = [float(v.rstrip("%")) for v in printed[column]]
        assert values[:4] == pytest.approx([share[s] for s in ("data", "user", "inferred", "default")], abs=0.051), (column, values, share)
        assert sum(values) == pytest.approx(100.0, abs=0.2)
    assert 0.0 < share["default"] < 100.0  # the frame mixes tagged and untagged lines
