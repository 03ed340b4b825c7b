"""The shipped Saint-Gilles district (issue 11 acceptance): `twin info` states the share of floor
area from data, inference and default per attribute; churches, schools and shops are no longer
dwellings; no untagged footprint above 5 storeys. Brussels: the measured tables are the script's."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from tests.cli_harness import REPO, run_twin
from tests.conftest import shared_path

SAMPLES = REPO / "data_samples"
INPUTS = [SAMPLES / f for f in ("stgilles_buildings_osm2013.geojson", "stgilles_streets_osm2013.geojson",
                                "stgilles_landcover_osm2013.geojson", "stgilles_pois_osm2013.geojson")]


@pytest.fixture(scope="module")
def stgilles(tmp_path_factory):
    out = tmp_path_factory.mktemp("sg") / "scene"
    result = run_twin(["ingest", *map(str, INPUTS), "--sites", str(SAMPLES / "stgilles_district_bbox.geojson"), "-o", str(out), "-q"])
    assert result.code == 0, result.stderr
    info = run_twin(["info", str(out)])
    assert info.code == 0, info.stderr
    return gpd.read_parquet(out / "buildings.parquet").set_index("building_id"), info.stdout


def test_info_states_the_share_of_floor_area_by_source_per_attribute(stgilles):
    b, text = stgilles
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("attribute sources"))
    header = lines[head + 1].split()
    assert header[:4] == ["attribute", "data", "inferred", "default"]
    table = lines[head + 2: next(i for i in range(head + 2, len(lines)) if not lines[i].startswith("  "))]
    rows = {line.split()[0]: [float(v.rstrip("%")) for v in line.split()[1:]] for line in table}
    assert set(rows) >= {"use", "height_m", "n_storeys", "construction_year", "ground_floor_use", "floor_area_m2", "storey_height_m"}
    area = b["floor_area_m2"]
    for attribute, values in rows.items():
        assert sum(values) == pytest.approx(100.0, abs=0.2), attribute
        src = b[f"{attribute}_source"]
        for name, shown in zip(("data", "inferred", "default"), values):
            assert shown == pytest.approx(100.0 * area[src == name].sum() / area.sum(), abs=0.06), (attribute, name)
    # the 2013 data carry no heights, levels or years in the box: those rest on defaults
    assert rows["construction_year"][-1] == 100.0 and rows["n_storeys"][-1] == 100.0
    # so do the floor areas (footprint x default storeys) and storey heights (by use)
    assert rows["floor_area_m2"][-1] == 100.0 and rows["storey_height_m"][-1] == 100.0
    assert 0.0 < rows["use"][0] < rows["use"][1] + rows["use"][0] < 100.0  # some from tags, more inferred
    assert any(line.startswith("  n_storeys: default:untagged<150m2") for line in lines)


def test_churches_schools_and_shops_are_not_dwellings(stgilles):
    b, _ = stgilles
    raw = gpd.read_file(INPUTS[0]).to_crs("EPSG:31370")
    raw["building_id"] = "osm:way/" + raw["osm_id"].astype(str)
    raw = raw.set_index("building_id")
    # churches: tagged places of worship and the names Eglise / Chapelle / Sainte-...
    churches = raw.index[(raw["amenity"] == "place_of_worship") | raw["name"].fillna("").str.contains("glise|Chapelle|^Sainte-", regex=True)]
    assert len(churches) >= 3 and (b.loc[churches, "use"] == "religious").all()
    # schools: every building whose representative point is inside an amenity=school polygon
    lc = gpd.read_file(INPUTS[2]).to_crs("EPSG:31370")
    schools = lc[lc["amenity"] == "school"]
    points = gpd.GeoDataFrame(geometry=raw.representative_point(), crs=raw.crs)
    inside = gpd.sjoin(points, schools[["geometry"]], predicate="within").index.unique()
    assert len(inside) >= 20
    got = b.loc[inside]
    untagged = got[got["use_source"] != "data"]
    assert (untagged["use"] == "education").all() and (untagged["use_source"] == "inferred").all()
    # shops: every building holding a shop node has a retail ground floor or is a shop
    pois = gpd.read_file(INPUTS[3]).to_crs("EPSG:31370")
    shops = pois[pois["shop"].notna()]
    holding = gpd.sjoin(shops[["geometry"]], gpd.GeoDataFrame(geometry=raw.geometry, crs=raw.crs), predicate="within")["building_id"].unique()
    assert len(holding) >= 3
    got = b.loc[holding]
    assert ((got["use"] == "retail") | (got["ground_floor_use"] == "retail")).all()
    # the town hall is public
    assert b.loc["osm:way/13766097", "use"] == "public"


def test_no_untagged_footprint_above_five_storeys(stgilles):
    b, _ = stgilles
    no_evidence = b["n_storeys_source"] == "default"
    assert no_evidence.all() and b.loc[no_evidence, "n_storeys"].max() <= 5
    big = b[(b["footprint_area_m2"] >= 1000) & (b["use_source"] == "default")]
    assert len(big) >= 5 and (big["use"] == "other").all() and (big["n_storeys"] == 2).all()


@pytest.mark.slow
def test_measured_tables_are_what_the_script_writes(tmp_path):
    """docs/stock_attributes/*.csv and the page's tables (benchmarks/figures/stock_attributes.json, which
    scripts/update_figures.py renders into docs/stock_attributes.md) equal a fresh run of
    scripts/stock_attributes_tables.py (~30 s)."""
    shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")  # skips without the shared data
    docs, figures = tmp_path / "docs", tmp_path / "figures"
    docs.mkdir()
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "stock_attributes_tables.py"), "--docs", str(docs), "--figures", str(figures)],
                          capture_output=True, text=True, env={"TWIN_NUMBA_THREADS": "1", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    committed = sorted((REPO / "docs" / "stock_attributes").glob("*.csv"))
    assert len(committed) == 8
    for path in committed:
        pd.testing.assert_frame_equal(pd.read_csv(docs / "stock_attributes" / path.name), pd.read_csv(path), check_exact=False, rtol=1e-9)
    fresh = json.loads((figures / "stock_attributes.json").read_text(encoding="utf-8"))
    kept = json.loads((REPO / "benchmarks" / "figures" / "stock_attributes.json").read_text(encoding="utf-8"))
    for data in (fresh, kept):
        del data["date"], data["commit"]
    for case in kept["cases"]:
        assert fresh["cases"][case].pop("floor_area_m2") == pytest.approx(kept["cases"][case].pop("floor_area_m2"), rel=1e-9)
    assert fresh == kept  # the tables are rounded as the CSV files are
    shares = pd.read_csv(REPO / "docs" / "stock_attributes" / "brussels_shares.csv").set_index("attribute")
    assert shares.loc["use", "data"] > 0.05 and shares.loc["construction_year", "default"] == 1.0
    # floor area and storey height have rows: footprint x storeys follows the storeys' sources
    assert list(shares.index[-2:]) == ["floor_area_m2", "storey_height_m"]
    assert shares.loc["floor_area_m2", "default"] == shares.loc["n_storeys", "default"] < 1.0
    tags = pd.read_csv(REPO / "docs" / "stock_attributes" / "brussels_tags_used.csv")
    assert {"building's own tag", "POI inside the footprint", "land-use polygon"} <= set(tags["via"])
    # SOURCE.md: 36 of the region's buildings carry building:levels or height
    numbers = tags[(tags["via"] == "building's own tag") & tags["key"].isin(["building:levels", "height"])]
    assert 30 <= numbers.groupby("key")["buildings"].max().sum() <= 40
