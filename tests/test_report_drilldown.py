"""A newcomer's task, end to end in Chromium (issue 19): from the default run's report, find one
building by its id and one by its street address, and read its baseline and what-if heating need,
EPB class and energy bills; the numbers read off the page are those of the run's own per-building
output (``outputs/deltas_renovation-wave_energy.parquet``), the class the one its primary energy per
m2 gives on the Brussels scale.

The page is driven as a person would: type in the search box, click the first hit (or press
Enter), read the table. Also fast checks of the drill-down's data without a browser.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tests.scenario_chromium import file_url, open_page
from tests.test_scenario_report import needs_chromium

WHATIF = "renovation-wave"

#: Types ``query`` in the search box, picks the first hit (``how``: click or Enter) and reads the
#: table: {column: {key: text}}, the building shown and the list of hits.
FIND = """(() => {
  const inp = document.getElementById('bd-search');
  const find = (query, how) => {
    inp.value = query; inp.dispatchEvent(new Event('input', {bubbles: true}));
    const hits = [...document.querySelectorAll('#bd-results li')].map(li => li.textContent);
    if (how === 'click') { const b = document.querySelector('#bd-results button'); if (b) b.click(); }
    else inp.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
    const table = {};
    document.querySelectorAll('#bd-detail td[data-key]').forEach(td => { (table[td.dataset.col] = table[td.dataset.col] || {})[td.dataset.key] = td.textContent; });
    const map = document.getElementById('bd-map');
    return {hits, table, shown: document.getElementById('bd-detail').dataset.building || null,
            title: (document.getElementById('bd-title') || {}).textContent || '',
            map: map ? {paths: map.querySelectorAll('path').length, streets: [...map.querySelectorAll('text.street')].map(t => t.textContent),
                        scale: (map.querySelector('.scalebar text') || {}).textContent || ''} : null};
  };
  return {byId: find(%s, 'click'), byAddress: find(%s, 'enter'),
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
})()"""


@pytest.fixture(scope="module")
def default_results(tmp_path_factory):
    from tests.scenario_default_run import default_run

    return default_run(tmp_path_factory)[0]


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("\u2009", ""))


def _addressed(frame: pd.DataFrame) -> tuple[str, str]:
    """(building id, "street number") of the first building of ``frame`` that OpenStreetMap gives an address."""
    import geopandas as gpd

    from tests.scenario_helpers import DISTRICT

    osm = gpd.read_file(DISTRICT)
    osm = osm[osm["addr:street"].notna()]
    ids = "osm:" + osm["osm_type"].astype(str) + "/" + osm["osm_id"].astype(str)
    for bid, street, number in zip(ids, osm["addr:street"], osm["addr:housenumber"]):
        if bid in set(frame["building_id"]):
            return bid, f"{street} {number}".strip()
    raise AssertionError("no building of the district has an OpenStreetMap address")


def _check_table(found: dict, row: pd.Series) -> None:
    """The page's baseline and what-if heating need, class and bills are the parquet's."""
    from twin.energy.classes import energy_class

    for col, suffix in (("baseline", "_baseline"), (WHATIF, "_whatif")):
        cells = found["table"][col]
        assert _number(cells["q"]) == pytest.approx(row[f"q_heat_kwh{suffix}"], abs=0.5), (col, cells["q"])
        assert _number(cells["cost"]) == pytest.approx(row[f"energy_cost_eur{suffix}"], abs=0.5), (col, cells["cost"])
        assert cells["cls"] == str(energy_class(np.array([row[f"primary_energy_kwh_m2{suffix}"]]))[0]), (col, cells["cls"])
        assert _number(cells["pe"]) == pytest.approx(row[f"primary_energy_kwh_m2{suffix}"], abs=0.5)


@pytest.mark.slow
def test_newcomer_finds_a_building_by_id_and_by_address(default_results):
    needs_chromium()
    out = default_results
    frame = pd.read_parquet(out / "outputs" / f"deltas_{WHATIF}_energy.parquet")
    renovated = frame[frame["investment_eur_whatif"] > 0].sort_values("building_id")
    assert len(renovated) > 100
    by_id = renovated.iloc[len(renovated) // 2]  # a renovated building: its what-if differs
    addr_id, address = _addressed(frame)
    page = open_page(file_url(out / "report.html"), evaluate=FIND % (repr(by_id["building_id"]), repr(address.lower())), width=1200)
    assert page.errors == []
    got = page.evaluated
    # by id: the first hit is the building; its numbers are the run's
    found = got["byId"]
    assert found["shown"] == by_id["building_id"] and by_id["building_id"] in found["hits"][0]
    _check_table(found, by_id)
    assert _number(found["table"][WHATIF]["q"]) < _number(found["table"]["baseline"]["q"])  # insulated: less heating
    assert _number(found["table"][WHATIF]["inv"]) == pytest.approx(by_id["investment_eur_whatif"], abs=0.5)
    saving = by_id["energy_cost_eur_baseline"] - by_id["energy_cost_eur_whatif"]
    assert _number(found["table"][WHATIF]["payback"]) == pytest.approx(by_id["investment_eur_whatif"] / saving, abs=0.05)
    assert found["table"]["baseline"]["payback"] == "–"
    # a small map: the building and its neighbours, named streets, a scale bar
    assert found["map"]["paths"] > 5 and found["map"]["streets"] and re.fullmatch(r"\d+ m", found["map"]["scale"])
    # by street address (typed in lower case), Enter takes the first hit
    found = got["byAddress"]
    assert found["shown"] == addr_id and found["title"] == address and address in found["hits"][0]
    _check_table(found, frame.set_index("building_id").loc[addr_id])
    assert got["overflow"] <= 0


def test_drilldown_data_without_energy_is_a_note():
    from types import SimpleNamespace

    from twin.scenario.report_drilldown import drilldown_section

    page = drilldown_section(SimpleNamespace(baseline={"traffic": None}, whatifs={}))
    assert page.startswith("<section id='buildings'>") and "nothing to look up" in page and "<script" not in page


def test_drilldown_data_of_a_small_comparison():
    """The page's data: ids, decoded footprints in the frame of the origin, values of the what-if that changes energy."""
    from tests.scenario_helpers import fake_comparison
    from twin.scenario.report_drilldown import drilldown_data, drilldown_section

    comp = fake_comparison()
    data = drilldown_data(comp)
    assert data["ids"] == ["a", "b", "c", "d", "n"] and data["whatifs"] == ["w"]  # n: added by w, looked up too
    ring = np.asarray(data["geom"][1][0], dtype=float)
    xy = np.cumsum(ring.reshape(-1, 2), axis=0) / 10.0 + data["origin"]  # delta-encoded decimetres
    assert xy.min(axis=0).tolist() == [20.0, 0.0] and xy.max(axis=0).tolist() == [30.0, 10.0]
    assert data["values"]["baseline"]["q"] == [10, 20, 30, 40, None] and data["values"]["w"]["q"] == [11, 20, 30, None, 5]
    page = drilldown_section(comp)
    assert "<script type='application/json' id='bd-data'>" in page and "http" not in page.split("<script>")[1]


def test_addresses_from_the_source_file_and_the_nearest_street(tmp_path):
    import geopandas as gpd
    import shapely

    from twin.scenario.report_drilldown import nearest_streets, osm_addresses

    src = tmp_path / "b.geojson"
    gpd.GeoDataFrame({"osm_type": ["way", "way", "relation"], "osm_id": [11, 12, 13], "addr:street": ["Rue A", None, "Rue C"],
                      "addr:housenumber": ["5", None, None]},
                     geometry=[shapely.box(0, 0, 1, 1)] * 3, crs="EPSG:4326").to_file(src, driver="GeoJSON")
    buildings = pd.DataFrame({"building_id": ["osm:way/11", "osm:way/12", "osm:relation/13"], "source": [str(src)] * 3})
    got = osm_addresses(buildings)
    assert got.to_dict() == {"osm:way/11": "Rue A 5", "osm:relation/13": "Rue C"}
    assert osm_addresses(buildings.assign(source=str(tmp_path / "missing.geojson"))).empty  # no file: no address, no error
    links = gpd.GeoDataFrame({"name": ["Rue Nord", "", "Rue Sud"]},
                             geometry=[shapely.LineString([(0, 100), (100, 100)]), shapely.LineString([(0, 55), (100, 55)]),
                                       shapely.LineString([(0, 0), (100, 0)])])
    houses = gpd.GeoDataFrame(geometry=[shapely.box(10, 80, 20, 90), shapely.box(10, 50, 20, 60), shapely.box(10, 10, 20, 20)])
    assert nearest_streets(houses, links).tolist() == ["Rue Nord", "Rue Nord", "Rue Sud"]  # the unnamed street is skipped
    assert nearest_streets(houses, None).tolist() == ["", "", ""]
