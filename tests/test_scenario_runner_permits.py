"""A permit application through the runner: the inserted IFC house shades its neighbours.

The coupled effect comes from the shared scene alone: the house enters the what-if scene, the
neighbours' horizon profiles see it, their solar gains drop and their heating need rises. A
building can only lose sun when an obstruction is added, so no heating need may fall, and
only buildings within the horizon search distance (100 m) may change. A second what-if puts
the house on existing footprints with ``replace_within_m`` and demolishes them.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from tests.scenario_helpers import (
    FZK_CENTRE_OFFSET,
    permit_scenario,
    permit_sites,
    write_small_district,
)
from twin.scenario.runner import run_scenario
from twin.scenario.schema import parse_scenario

pytestmark = pytest.mark.slow

HORIZON_DISTANCE_M = 100.0  # Scene.horizon_profile's default search distance


@pytest.fixture(scope="module")
def permit_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("permit")
    buildings = write_small_district(folder)
    origin = permit_sites(buildings, 1)[0]
    doc = permit_scenario("permit-shading", origin, buildings=buildings)
    # a second what-if: the same house dropped onto the middle of a block, demolishing what it touches
    import geopandas as gpd

    frame = gpd.read_file(buildings)
    big = frame.geometry.area.idxmax()
    c = frame.geometry.iloc[big].representative_point()
    on_block = (round(c.x - FZK_CENTRE_OFFSET[0], 2), round(c.y - FZK_CENTRE_OFFSET[1], 2))
    replace = dict(doc["whatifs"][0]["modifications"][0], origin_xy=list(on_block), replace_within_m=0.0)
    doc["whatifs"].append({"name": "replace", "modifications": [replace]})
    scenario = parse_scenario(doc)
    return origin, on_block, run_scenario(scenario, base_dir=folder)


def test_inserted_house_sits_where_asked(permit_run):
    origin, _, comp = permit_run
    objects = comp.whatifs["permit"]["energy"].objects
    new = objects[objects["building_id"].str.startswith("ifc:")]
    assert len(new) == 1
    xmin, ymin, xmax, ymax = new.geometry.iloc[0].bounds
    # rotation 90: the house covers x in [0, 10] and y in [-12, 0] from its origin (the helpers rely on it)
    assert np.allclose([xmin - origin[0], ymin - origin[1], xmax - origin[0], ymax - origin[1]], [0, -12, 10, 0], atol=0.05)
    assert comp.applied["permit"] == [{"op": "insert_building", "buildings_added": 1, "buildings_removed": 0}]


def test_neighbours_heating_need_rises_and_only_nearby(permit_run):
    _, _, comp = permit_run
    d = comp.deltas("permit", "energy")
    objects = comp.whatifs["permit"]["energy"].objects
    house = objects.loc[objects["building_id"].str.startswith("ifc:"), "geometry"].iloc[0]
    old = d[d["q_heat_kwh_baseline"].notna()]
    delta = old["q_heat_kwh_delta"].to_numpy()
    rel_tol = 1e-9 * old["q_heat_kwh_baseline"].abs().to_numpy()
    assert (delta >= -rel_tol).all(), "shading can only raise heating need"
    risen = old[delta > rel_tol]
    assert len(risen) >= 1, "no neighbour is shaded by the new house"
    geoms = comp.baseline["energy"].objects.set_index("building_id").geometry
    distance = shapely.distance(np.asarray(geoms.loc[risen["building_id"]].values), house)
    assert (distance <= HORIZON_DISTANCE_M + 1.0).all()
    # the floor areas of existing buildings do not change
    assert np.allclose(old["a_f_m2_delta"], 0.0)


def test_totals_add_up(permit_run):
    _, _, comp = permit_run
    d = comp.deltas("permit", "energy")
    k = comp.kpis.set_index(["whatif", "kpi"])["delta"]
    new = d[d["q_heat_kwh_baseline"].isna()]
    neighbours = d["q_heat_kwh_delta"].sum()  # NaN (the new house) skipped
    assert k["permit", "buildings_simulated"] == 1
    assert k["permit", "heating_need_mwh"] == pytest.approx((new["q_heat_kwh_whatif"].sum() + neighbours) / 1e3, rel=1e-9)
    assert k["permit", "heating_need_mwh"] > new["q_heat_kwh_whatif"].sum() / 1e3  # the neighbours' share is positive


def test_replace_within_demolishes_what_the_house_touches(permit_run):
    _, _, comp = permit_run
    (record,) = comp.applied["replace"]
    assert record["buildings_added"] == 1 and record["buildings_removed"] >= 1
    base_ids = set(comp.baseline["energy"].objects["building_id"])
    new_objects = comp.whatifs["replace"]["energy"].objects
    gone = base_ids - set(new_objects["building_id"])  # simulated buildings that are gone
    assert 1 <= len(gone) <= record["buildings_removed"]
    house = new_objects.loc[new_objects["building_id"].str.startswith("ifc:"), "geometry"].iloc[0]
    geoms = comp.baseline["energy"].objects.set_index("building_id").geometry
    assert shapely.intersects(np.asarray(geoms.loc[sorted(gone)].values), house.buffer(1e-6)).all()
    k = comp.kpis.set_index(["whatif", "kpi"])["delta"]
    assert k["replace", "buildings_simulated"] == 1 - len(gone)


def test_the_same_ifc_inserted_twice_gives_two_buildings(tmp_path):
    from twin.scenario.runner import apply_whatif, build_baseline

    buildings = write_small_district(tmp_path)
    a, b = permit_sites(buildings, 2)
    doc = permit_scenario("pair", a, buildings=buildings)
    first = doc["whatifs"][0]["modifications"][0]
    doc["whatifs"][0]["modifications"].append(dict(first, origin_xy=list(b)))
    scenario = parse_scenario(doc)
    base = build_baseline(scenario, tmp_path)
    scene, records = apply_whatif(base, scenario.whatifs[0], base_dir=tmp_path, seed=0, index=0)
    ids = scene.buildings["building_id"]
    assert ids.is_unique and len(scene.buildings) == len(base.buildings) + 2
    assert [r["buildings_added"] for r in records] == [1, 1]
