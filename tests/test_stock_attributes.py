"""Building attributes from data, inference before defaults, provenance (docs/stock_attributes.md).

One test per inference rule on a hand-made block whose right answer is known by construction:
levels from height, height from levels (roof levels, min_level, min_height), use from tags,
from the name, from POIs inside the footprint and from the land-use polygon, storeys and
period from party-wall neighbours, the cap on untagged footprints; then bad input.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.geojson_builders import X0, Y0, polygon_feature, rectangle_ring, write_geojson
from twin.ingest import ingest
from twin.ingest.attributes.years import year_from_text
from twin.scene.provenance import floor_area_shares, rule_counts


def _rect(x0: float, y0: float, x1: float, y1: float, **props) -> dict:
    """A rectangle Feature from ``(x0, y0)`` to ``(x1, y1)``, m from the corner (X0, Y0) in Lambert 72."""
    return polygon_feature(rectangle_ring(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1), **props)


def _point(x: float, y: float, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [X0 + x, Y0 + y]}}


def _terrace(n: int, width: float = 6.0, depth: float = 10.0, first_id: int = 1, y0: float = 0.0, **per_house) -> list[dict]:
    """``n`` houses side by side (party walls of ``depth`` m); ``per_house[k]`` = props of house k (1-based)."""
    feats = []
    for k in range(n):
        props = {"id": f"h{first_id + k}", "building": "yes", **per_house.get(f"h{first_id + k}", {})}
        feats.append(_rect(k * width, y0, (k + 1) * width, y0 + depth, **props))
    return feats


def _buildings(tmp_path: Path, features: list[dict], *extra: tuple[str, list[dict]]):
    files = [write_geojson(tmp_path / "b.geojson", features)] + [write_geojson(tmp_path / name, feats) for name, feats in extra]
    scene, results = ingest(files)
    return scene.buildings.set_index("building_id"), scene, results


# ----------------------------------------------------------------------------- levels and height
def test_levels_from_height(tmp_path):
    feats = [
        _rect(0, 0, 8, 10, id="flat", building="house", height="12"),  # 12 / 3.0 -> 4
        _rect(20, 0, 28, 10, id="gabled", building="house", height="12 m", **{"roof:shape": "gabled"}),  # (12 - 3) / 3 -> 3
        _rect(40, 0, 48, 10, id="attic", building="house", height=15, **{"roof:levels": 1}),  # (15 - 3) / 3 -> 4
        _rect(60, 0, 68, 10, id="stilts", building="house", height=12, min_height=3),  # (12 - 3) / 3 -> 3
        _rect(80, 0, 88, 10, id="office", building="office", height=14),  # 14 / 3.5 -> 4
    ]
    b, _, _ = _buildings(tmp_path, feats)
    assert b.loc["b:flat", "n_storeys"] == 4
    assert b.loc["b:gabled", "n_storeys"] == 3
    assert b.loc["b:attic", "n_storeys"] == 4 and b.loc["b:attic", "roof_levels"] == 1
    assert b.loc["b:stilts", "n_storeys"] == 3 and b.loc["b:stilts", "min_height_m"] == 3
    assert b.loc["b:office", "n_storeys"] == 4
    assert (b["n_storeys_source"] == "inferred").all() and (b["n_storeys_rule"] == "storeys_from_height").all()
    assert (b["height_m_source"] == "data").all() and (b["height_m_rule"] == "column:height").all()
    assert b["storeys_defaulted"].all() and not b["height_defaulted"].any()
    np.testing.assert_allclose(b["floor_area_m2"], 80.0 * b["n_storeys"])


def test_height_from_levels(tmp_path):
    feats = [
        _rect(0, 0, 8, 10, id="plain", building="house", **{"building:levels": 4}),  # 4 x 3.0 = 12
        _rect(20, 0, 28, 10, id="attic", building="house", **{"building:levels": "3", "roof:levels": "1"}),  # 3 x 3 + 1 x 3 = 12
        _rect(40, 0, 48, 10, id="gabled", building="house", **{"building:levels": 3, "roof:shape": "gabled"}),  # 9 + 3 = 12
        _rect(60, 0, 68, 10, id="part", building="apartments", **{"building:levels": 5, "building:min_level": 2}),  # 3 storeys, 9 m
        _rect(80, 0, 88, 10, id="both", building="house", height=10, **{"building:levels": 2}),  # kept, 5 m a storey
    ]
    b, _, _ = _buildings(tmp_path, feats)
    assert b.loc["b:plain", "height_m"] == pytest.approx(12.0)
    assert b.loc["b:attic", "height_m"] == pytest.approx(12.0) and b.loc["b:attic", "n_storeys"] == 3
    assert b.loc["b:gabled", "height_m"] == pytest.approx(12.0)
    assert b.loc["b:part", "n_storeys"] == 3 and b.loc["b:part", "height_m"] == pytest.approx(9.0) and b.loc["b:part", "min_level"] == 2
    assert (b.loc["b:both", "height_m"], b.loc["b:both", "n_storeys"], b.loc["b:both", "storey_height_m"]) == (10.0, 2, 5.0)
    rest = b.drop(index="b:both")
    assert (rest["height_m_source"] == "inferred").all() and (rest["height_m_rule"] == "height_from_storeys").all()
    assert (b["n_storeys_source"] == "data").all() and (b["n_storeys_rule"] == "column:building:levels").all()
    assert b.loc["b:both", "height_m_source"] == "data"


# ----------------------------------------------------------------------------- use
def test_use_from_tags(tmp_path):
    feats = [
        _rect(0, 0, 20, 30, id="church", building="church"),
        _rect(30, 0, 50, 30, id="worship", building="yes", amenity="place_of_worship"),
        _rect(60, 0, 80, 30, id="religion", building="yes", religion="christian"),
        _rect(90, 0, 110, 30, id="school", building="school"),
        _rect(120, 0, 140, 30, id="supermarket", building="yes", shop="supermarket"),
        _rect(150, 0, 156, 10, id="bakery", building="apartments", shop="bakery"),  # mixed use
        _rect(160, 0, 166, 10, id="cafe", building="house", amenity="cafe"),  # mixed use
        _rect(170, 0, 190, 30, id="hotel", building="apartments", tourism="hotel"),  # a whole-building tag wins
        _rect(200, 0, 206, 10, id="garage", building="garages"),
        _rect(210, 0, 216, 10, id="converted", building="church", **{"building:use": "residential"}),
        _rect(220, 0, 226, 10, id="plain", building="yes"),
    ]
    b, _, _ = _buildings(tmp_path, feats)
    expect = {
        "church": ("religious", "religious", "tag:building=church"),
        "worship": ("religious", "religious", "tag:amenity=place_of_worship"),
        "religion": ("religious", "religious", "tag:religion=christian"),
        "school": ("education", "education", "tag:building=school"),
        "supermarket": ("retail", "retail", "tag:shop=supermarket"),
        "bakery": ("residential", "retail", "tag:building=apartments"),
        "cafe": ("residential", "hospitality", "tag:building=house"),
        "hotel": ("hospitality", "hospitality", "tag:tourism=hotel"),
        "garage": ("ancillary", "ancillary", "tag:building=garages"),
        "converted": ("residential", "residential", "tag:building:use=residential"),
    }
    for key, (use, ground, rule) in expect.items():
        row = b.loc[f"b:{key}"]
        assert (row["use"], row["ground_floor_use"], row["use_rule"]) == (use, ground, rule), key
        assert row["use_source"] == "data" and not row["use_defaulted"], key
    assert b.loc["b:bakery", "ground_floor_use_rule"] == "tag:shop=bakery" and b.loc["b:bakery", "ground_floor_use_source"] == "data"
    plain = b.loc["b:plain"]
    assert (plain["use"], plain["use_source"], plain["use_rule"], plain["ground_floor_use_rule"]) == ("residential", "default", "default", "as_use")


def test_use_from_name(tmp_path):
    feats = [
        _rect(0, 0, 20, 30, id="n1", building="yes", name="Église Saint-Gilles - Sint-Gilliskerk"),
        _rect(30, 0, 50, 30, id="n2", building="yes", name="Sainte-Alène"),
        _rect(60, 0, 80, 30, id="n3", building="yes", name="École communale du Parvis"),
        _rect(90, 0, 110, 30, id="n4", building="yes", name="Piscine Victor Boin - Zwembad Victor Boin"),
        _rect(120, 0, 140, 30, id="n5", building="yes", name="Hôtel communal de Schaerbeek"),
        _rect(150, 0, 170, 30, id="n6", building="yes", name="Hôtel Métropole"),
        _rect(180, 0, 186, 10, id="n7", building="yes", name="Le liberty's"),
        _rect(190, 0, 210, 30, id="n8", building="yes", amenity="school", name="Église"),  # a tag beats a name
    ]
    b, _, _ = _buildings(tmp_path, feats)
    got = {k: (b.loc[f"b:{k}", "use"], b.loc[f"b:{k}", "use_source"], b.loc[f"b:{k}", "use_rule"]) for k in ("n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8")}
    assert got == {
        "n1": ("religious", "inferred", "name:church"),
        "n2": ("religious", "inferred", "name:saint_name"),
        "n3": ("education", "inferred", "name:school"),
        "n4": ("sport", "inferred", "name:sport"),
        "n5": ("public", "inferred", "name:town_hall"),
        "n6": ("hospitality", "inferred", "name:hotel"),
        "n7": ("residential", "default", "default"),
        "n8": ("education", "data", "tag:amenity=school"),
    }
    assert b.loc["b:n1", "use_defaulted"]  # inferred counts as not from the data


def test_use_from_pois_inside_footprints(tmp_path):
    feats = [
        _rect(0, 0, 6, 10, id="shop_house"),  # 60 m2 terraced house with a bakery node
        _rect(10, 0, 30, 20, id="hall"),  # 400 m2 with a place_of_worship node: a church
        _rect(40, 0, 46, 10, id="small_worship"),  # 60 m2 with a place_of_worship node: its ground floor
        _rect(50, 0, 56, 10, id="two_shops"),  # a pub and two pharmacies: the most frequent
        _rect(60, 0, 66, 10, id="tagged", building="office"),  # data: use kept, ground floor from the POI
        _rect(70, 0, 76, 10, id="empty"),
    ]
    pois = [
        _point(3, 5, amenity=None, shop="bakery", name="Boulangerie"),
        _point(20, 10, amenity="place_of_worship", name="Mosquée"),
        _point(43, 5, amenity="place_of_worship"),
        _point(52, 5, amenity="pub"), _point(53, 5, amenity="pharmacy"), _point(54, 5, amenity="pharmacy"),
        _point(63, 5, amenity="restaurant"),
        _point(200, 200, shop="bakery"),  # outside every footprint
    ]
    for f in feats:
        f["properties"].setdefault("building", "yes")
    b, scene, _ = _buildings(tmp_path, feats, ("p.geojson", pois))
    assert len(scene.pois) == 8 and set(scene.pois["tag"]) >= {"shop=bakery", "amenity=place_of_worship"}
    row = b.loc["b:shop_house"]
    assert (row["use"], row["use_source"], row["ground_floor_use"], row["ground_floor_use_source"], row["ground_floor_use_rule"]) == (
        "residential", "default", "retail", "inferred", "poi:shop=bakery")
    row = b.loc["b:hall"]
    assert (row["use"], row["use_source"], row["use_rule"], row["ground_floor_use"]) == ("religious", "inferred", "poi:amenity=place_of_worship", "religious")
    row = b.loc["b:small_worship"]
    assert (row["use"], row["ground_floor_use"]) == ("residential", "religious")
    assert b.loc["b:two_shops", "ground_floor_use"] == "health" and b.loc["b:two_shops", "ground_floor_use_rule"] == "poi:amenity=pharmacy"
    row = b.loc["b:tagged"]
    assert (row["use"], row["use_source"], row["ground_floor_use"], row["ground_floor_use_source"]) == ("office", "data", "hospitality", "inferred")
    assert b.loc["b:empty", "ground_floor_use_rule"] == "as_use" and b.loc["b:empty", "use_source"] == "default"
    # the church's storeys follow its new use (one high nave storey), not the dwelling bands
    assert b.loc["b:hall", "n_storeys"] == 1 and b.loc["b:hall", "height_m"] == pytest.approx(10.0)


def test_use_from_landuse_polygon(tmp_path):
    feats = [
        _rect(0, 0, 60, 50, id="school_hall", building="yes"),  # 3000 m2 untagged, inside school grounds
        _rect(70, 0, 76, 10, id="school_shed", building="yes"),
        _rect(200, 0, 206, 10, id="outside", building="yes"),
        _rect(210, 0, 270, 50, id="big_outside", building="yes"),  # 3000 m2 untagged elsewhere
        _rect(80, 20, 86, 30, id="tagged_inside", building="house"),  # data wins over land use
    ]
    landcover = [
        _rect(-10, -10, 100, 60, id="grounds", amenity="school", name="École communale"),
        _rect(-50, -50, 300, 100, id="block", landuse="residential"),  # says nothing about one building
    ]
    b, _, _ = _buildings(tmp_path, feats, ("lc.geojson", landcover))
    for key in ("school_hall", "school_shed"):
        assert (b.loc[f"b:{key}", "use"], b.loc[f"b:{key}", "use_source"], b.loc[f"b:{key}", "use_rule"]) == ("education", "inferred", "landuse:school")
    assert (b.loc["b:outside", "use"], b.loc["b:outside", "use_source"]) == ("residential", "default")
    assert (b.loc["b:big_outside", "use"], b.loc["b:big_outside", "use_source"]) == ("other", "default")
    assert (b.loc["b:tagged_inside", "use"], b.loc["b:tagged_inside", "use_source"]) == ("residential", "data")
    # a 3000 m2 school building gets the education band (3 storeys), not a 9-storey block
    assert b.loc["b:school_hall", "n_storeys"] == 3 and b.loc["b:school_hall", "n_storeys_rule"] == "default:education"


# ----------------------------------------------------------------------------- neighbours
def test_storeys_and_height_from_party_wall_neighbours(tmp_path):
    # a row of 7 houses; h1 has 4 levels, h7 a measured height of 15 m; nothing else is known
    row = _terrace(7, h1={"building:levels": 4}, h7={"height": 15})
    # a detached house far away: no neighbour, default band
    row.append(_rect(300, 0, 306, 10, id="alone", building="yes"))
    b, _, _ = _buildings(tmp_path, row)
    # h2 (1 wall from h1) and h3 (2 walls) take 4 storeys, height from storeys (12 m)
    for key in ("h2", "h3"):
        r = b.loc[f"b:{key}"]
        assert (r["n_storeys"], r["n_storeys_source"], r["n_storeys_rule"]) == (4, "inferred", "neighbours")
        assert (r["height_m"], r["height_m_source"]) == (12.0, "inferred")
    # h6 and h5 take h7's measured height and the storeys it implies (round(15 / 3) = 5)
    for key in ("h6", "h5"):
        r = b.loc[f"b:{key}"]
        assert (r["n_storeys"], r["height_m"], r["height_m_rule"]) == (5, 15.0, "neighbours")
    # h4 is 3 walls from both: nothing propagates from the inferred neighbours, default band
    assert (b.loc["b:h4", "n_storeys"], b.loc["b:h4", "n_storeys_source"]) == (3, "default")
    assert b.loc["b:alone", "n_storeys_source"] == "default"
    assert (b.loc["b:h1", "n_storeys_source"], b.loc["b:h7", "height_m_source"]) == ("data", "data")


def test_period_from_party_wall_neighbours(tmp_path):
    # two rows: a-row A1(1905) A2 A3 A4(1925) and b-row B1..B4 with B1 'C19' (1850) only;
    # a lone house with no year and no neighbour
    a_row = _terrace(4, first_id=1, h1={"start_date": "1905"}, h4={"start_date": "1925"})
    b_row = _terrace(4, first_id=11, y0=50.0, h11={"start_date": "C19"})
    lone = [_rect(300, 0, 306, 10, id="lone", building="yes")]
    b, _, _ = _buildings(tmp_path, a_row + b_row + lone)
    year = b["construction_year"]
    assert (year["b:h1"], year["b:h4"]) == (1905.0, 1925.0)
    assert b.loc["b:h1", "construction_year_source"] == "data" and b.loc["b:h1", "construction_year_rule"] == "column:start_date"
    assert year["b:h2"] == 1905.0 and year["b:h3"] == 1925.0  # the nearest neighbour with a year
    assert (year["b:h12"], year["b:h13"]) == (1850.0, 1850.0) and np.isnan(year["b:h14"])  # 3 walls away: none
    for key in ("h2", "h3", "h12", "h13"):
        assert (b.loc[f"b:{key}", "construction_year_source"], b.loc[f"b:{key}", "construction_year_rule"]) == ("inferred", "neighbours")
        assert b.loc[f"b:{key}", "year_defaulted"]
    assert np.isnan(year["b:lone"]) and b.loc["b:lone", "construction_year_source"] == "default"


def test_period_from_neighbours_takes_the_median_at_the_nearest_hop(tmp_path):
    # h2 sits between h1 (1890) and h3 (1910): median 1900
    row = _terrace(3, h1={"start_date": "1890"}, h3={"start_date": "1910"})
    b, _, _ = _buildings(tmp_path, row)
    assert b.loc["b:h2", "construction_year"] == 1900.0


# ----------------------------------------------------------------------------- untagged footprints
def test_untagged_footprints_never_exceed_five_storeys_without_evidence(tmp_path):
    feats = [
        _rect(0, 0, 10, 10, id="house", building="yes"),  # 100 m2: R+2
        _rect(20, 0, 40, 25, id="mid", building="yes"),  # 500 m2: R+3
        _rect(50, 0, 110, 50, id="huge", building="yes"),  # 3000 m2: 'other', 2 storeys
        _rect(120, 0, 124, 5, id="annex", building="yes"),  # 20 m2: 1 storey
        _rect(130, 0, 190, 50, id="flats", building="apartments"),  # tagged dwelling, 3000 m2: capped at 5
        _rect(200, 0, 260, 50, id="offices", building="office"),  # tagged office, 3000 m2: capped at 5
        _rect(270, 0, 330, 50, id="tower", building="yes", **{"building:levels": 12}),  # evidence: kept
    ]
    b, _, _ = _buildings(tmp_path, feats)
    got = {k: (b.loc[f"b:{k}", "use"], int(b.loc[f"b:{k}", "n_storeys"])) for k in ("house", "mid", "huge", "annex", "flats", "offices", "tower")}
    assert got == {
        "house": ("residential", 3), "mid": ("residential", 4), "huge": ("other", 2), "annex": ("residential", 1),
        "flats": ("residential", 5), "offices": ("office", 5), "tower": ("other", 12),
    }
    assert b.loc["b:huge", "use_rule"] == "default:footprint>=1000m2" and b.loc["b:huge", "n_storeys_rule"] == "default:untagged>=1000m2"
    assert b.loc["b:flats", "n_storeys_rule"] == "default:residential>=400m2"
    assert b.loc["b:offices", "n_storeys_rule"] == "default:office>=400m2"
    assert (b.drop(index="b:tower")["n_storeys"] <= 5).all()


# ----------------------------------------------------------------------------- provenance
def test_shares_and_rule_counts_and_overrides(tmp_path):
    feats = [
        _rect(0, 0, 10, 10, id="a", building="yes", height=12),  # 100 m2, 4 storeys (inferred)
        _rect(20, 0, 30, 10, id="b", building="yes"),  # 100 m2, 3 storeys (default)
        _rect(40, 0, 50, 10, id="c", building="yes"),  # override: 2 storeys (user)
    ]
    path = write_geojson(tmp_path / "b.geojson", feats)
    scene, _ = ingest([path], overrides={"b:c": {"n_storeys": 2, "use": "office"}})
    b = scene.buildings.set_index("building_id")
    assert (b.loc["b:c", "n_storeys"], b.loc["b:c", "n_storeys_source"], b.loc["b:c", "use_source"]) == (2, "user", "user")
    shares = floor_area_shares(scene.buildings)
    total = 400.0 + 300.0 + 200.0
    assert shares.loc["n_storeys", "inferred"] == pytest.approx(400.0 / total)
    assert shares.loc["n_storeys", "default"] == pytest.approx(300.0 / total)
    assert shares.loc["n_storeys", "user"] == pytest.approx(200.0 / total)
    assert shares.loc["height_m", "data"] == pytest.approx(400.0 / total)
    counts = rule_counts(scene.buildings).set_index(["parameter", "rule"])
    assert counts.loc[("n_storeys", "storeys_from_height"), "buildings"] == 1
    assert counts.loc[("n_storeys", "override"), "buildings"] == 1
    assert counts.loc[("use", "default"), "floor_area_m2"] == pytest.approx(700.0)


def test_sources_survive_write_read_copy_and_old_layers_get_them_from_flags(tmp_path):
    from twin.export import write_scene
    from twin.scene.io import read_scene

    feats = [_rect(0, 0, 10, 10, id="a", building="church"), _rect(20, 0, 30, 10, id="b", building="yes", height=9)]
    scene, _ = ingest([write_geojson(tmp_path / "b.geojson", feats)])
    write_scene(scene, tmp_path / "scene")
    back = read_scene(tmp_path / "scene")
    cols = [c for c in scene.buildings.columns if c.endswith(("_source", "_rule")) and c != "source"]
    assert len(cols) >= 12
    pd.testing.assert_frame_equal(
        back.buildings[cols].astype(str).reset_index(drop=True), scene.buildings[cols].astype(str).reset_index(drop=True)
    )
    copy = back.copy()
    assert copy.diff(back).empty
    # a layer written before the source columns existed: sources from the legacy flags
    old = pd.DataFrame(back.buildings.drop(columns=[c for c in back.buildings.columns if c.endswith(("_source", "_rule")) and c != "source"]))
    from twin.scene import Scene

    s2 = Scene()
    s2.add("buildings", back.buildings.__class__(old, geometry="geometry", crs=back.crs))
    got = s2.buildings.set_index("building_id")
    assert got.loc["b:a", "use_source"] == "data" and got.loc["b:b", "height_m_source"] == "data"
    assert got.loc["b:b", "n_storeys_source"] == "default"  # flag True -> default (the flag cannot say inferred)


def test_source_column_outside_the_list_is_a_schema_error(tmp_path):
    from twin.errors import SchemaError
    from twin.scene import Scene

    scene, _ = ingest([write_geojson(tmp_path / "b.geojson", [_rect(0, 0, 10, 10, id="a", building="yes")])])
    b = scene.buildings.copy()
    b["height_m_source"] = "guess"
    with pytest.raises(SchemaError, match="height_m_source"):
        Scene().add("buildings", b)


# ----------------------------------------------------------------------------- years and OSM tags
def test_start_date_forms():
    cases = {
        "1905": 1905, "1905-06-01": 1905, "1905-06": 1905, "~1900": 1900, "ca. 1900": 1900, "circa 1900": 1900,
        "1890s": 1895, "early 1890s": 1892, "late 1890s": 1898, "C19": 1850, "early C19": 1820, "late C19": 1880,
        "19th century": 1850, "1890..1900": 1895, "1890-1900": 1895, "before 1914": 1913, "after 1950": 1951,
    }
    for text, year in cases.items():
        assert year_from_text(text) == year, text
    for text in ("old", "unknown", "", "0", "3000", None):
        assert np.isnan(year_from_text(text)), text


def test_osm_file_tags_are_read(tmp_path):
    """A hand-made OSM XML file through GDAL's OSM driver: the tags twin asks for arrive."""
    from twin.ingest.osm import read_osm

    lon0, lat0 = 4.345, 50.826
    d = 0.0001
    nodes, ways = [], []

    def way(wid: int, k: int, tags: dict) -> None:
        ids = []
        for j, (dx, dy) in enumerate(((0, 0), (1, 0), (1, 1), (0, 1))):
            nid = wid * 10 + j
            nodes.append(f'<node id="{nid}" version="1" lat="{lat0 + dy * d:.7f}" lon="{lon0 + (3 * k + dx) * d:.7f}"/>')
            ids.append(nid)
        refs = "".join(f'<nd ref="{i}"/>' for i in [*ids, ids[0]])
        tag_xml = "".join(f'<tag k="{a}" v="{b}"/>' for a, b in tags.items())
        ways.append(f'<way id="{wid}" version="1">{refs}{tag_xml}</way>')

    way(1, 0, {"building": "yes", "building:levels": "5", "building:min_level": "1", "roof:levels": "1", "roof:shape": "gabled", "start_date": "~1905"})
    way(2, 1, {"building": "yes", "height": "20", "min_height": "4", "construction_date": "1960s"})
    way(3, 2, {"building": "yes", "religion": "muslim", "name": "Centre"})
    way(4, 3, {"building": "yes", "craft": "carpenter"})
    nodes.append(f'<node id="99" version="1" lat="{lat0 + 0.5 * d:.7f}" lon="{lon0 + 9.5 * d:.7f}"><tag k="craft" v="carpenter"/></node>')
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n' + "\n".join(nodes + ways) + "\n</osm>\n"
    path = tmp_path / "tags.osm"
    path.write_text(xml, encoding="utf-8")
    b = read_osm(path).layers["buildings"].set_index("building_id")
    one = b.loc["osm:way/1"]
    assert (one["n_storeys"], one["min_level"], one["roof_levels"], one["roof_kind"], one["construction_year"]) == (4, 1, 1, "gabled", 1905)
    assert one["n_storeys_rule"] == "tag:building:levels" and one["construction_year_rule"] == "tag:start_date"
    two = b.loc["osm:way/2"]
    assert (two["height_m"], two["min_height_m"], two["n_storeys"], two["construction_year"]) == (20.0, 4.0, 5, 1965.0)
    assert two["construction_year_rule"] == "tag:construction_date"
    assert b.loc["osm:way/3", "use"] == "religious" and b.loc["osm:way/3", "use_rule"] == "tag:religion=muslim"
    assert b.loc["osm:way/4", "use"] == "industrial"


def test_neighbour_values_take_the_nearest_hop_only():
    from twin.ingest.attributes.context import neighbour_values

    # a chain 0-1-2-3-4-5-6 and a branch 2-7; evidence at 0 (10) and 4 (30)
    pairs = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (2, 7)]
    edges = pd.DataFrame({"a": [a for a, b in pairs] + [b for a, b in pairs], "b": [b for a, b in pairs] + [a for a, b in pairs]})
    evidence = np.zeros(8, dtype=bool)
    evidence[[0, 4]] = True
    values = np.array([10.0, 0, 0, 0, 30.0, 0, 0, 0])
    got, hops = neighbour_values(edges, evidence, values, 2, with_hops=True)
    # 1: hop 1 from 0; 2: hop 2 from 0 and from 4 (median 20); 3 and 5: hop 1 from 4; 6: hop 2 from 4;
    # 7: hop 3 from 0 and from 4 -> nothing
    np.testing.assert_array_equal(got[[1, 2, 3, 5, 6]], [10.0, 20.0, 30.0, 30.0, 30.0])
    np.testing.assert_array_equal(hops[[1, 2, 3, 5, 6, 7]], [1, 2, 1, 1, 2, 0])
    assert np.isnan(got[7])
    assert np.isnan(neighbour_values(edges, evidence, values, 1)[2])  # one hop only: 2 is two walls from both
