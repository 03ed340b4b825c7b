"""District mobility on Saint-Gilles: the low-traffic Parvis what-if (closed streets carry
nothing, every trip served or reported, rerouted / mode-shifted / evaporated trips apart), the
15-minute indicator discriminates, public transport from a feed, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from tests.traffic_helpers import stgilles_scene
from tests.traffic_reference import tram_feed
from twin.errors import InputError
from twin.traffic.mobility import MobilityOptions, compare_mobility, edge_nodes, run_district_mobility
from twin.traffic.mode_choice import MODES
from twin.traffic.whatif import close_streets

PARVIS = ["Parvis Saint-Gilles - Sint-Gillis Voorplein", "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat"]


@pytest.fixture(scope="module")
def scene():
    return stgilles_scene()


@pytest.fixture(scope="module")
def base(scene):
    return run_district_mobility(scene, MobilityOptions(feedback=2))


def closed_ids(scene) -> list[str]:
    links = scene.links
    return links.loc[links["name"].isin(PARVIS) & links["modes"].str.contains("car"), "link_id"].tolist()


def test_baseline_serves_every_trip_and_reproduces_its_calibration(base) -> None:
    assert len(base.unserved) == 0
    for period, r in base.periods.items():
        # person trips = what the segments generated (destination choice is production-constrained)
        assert r.trips.sum() == pytest.approx(sum(g.sum() for g in r.generated.values()), rel=1e-9)
        assert base.kpis[f"{period}_unserved_trips"] == 0.0
        # through traffic between the edges is assigned in full (one-way edges are entries or exits only)
        assert r.through.sum() == pytest.approx(r.through_demand.sum(), rel=1e-12) and r.through.sum() > 0
    # the walk share is the calibrated target without public transport (no feed): 0.37 / 0.72
    am = base.periods["am_peak"].trips
    share = am.sum(axis=(1, 2)) / am.sum()
    assert share[MODES.index("pt")] == 0.0
    assert base.kpis["am_peak_vehicle_km_residential"] > 0 and base.kpis["am_peak_vehicle_km_main"] > 0


def test_low_traffic_parvis_reroutes_shifts_and_reports(scene, base) -> None:
    ids = closed_ids(scene)
    assert len(ids) >= 4
    variant = run_district_mobility(close_streets(scene, ids), MobilityOptions(feedback=2), baseline=base)
    assert len(variant.unserved) == 0  # zero silently unserved, and zero unserved at all
    cmp = compare_mobility(base, variant, closed_link_ids=ids)
    k = cmp["kpis"]
    links = cmp["links"]
    closed = links[links["status"] == "closed"]
    assert closed["flow_am_peak_veh_h"].sum() > 10  # the baseline used them
    assert closed["flow_am_peak_veh_h_whatif"].abs().max() == 0.0 and k["am_peak_closed_link_flow_veh_h"] == 0.0
    assert k["am_peak_rerouted_car_trips"] > 10
    # the decomposition adds up: person trips lost = evaporated; car trips lost = shifted + redistributed
    assert k["am_peak_person_trips_base"] - k["am_peak_person_trips_whatif"] == pytest.approx(k["am_peak_evaporated_trips"])
    lost_car = -(variant.periods["am_peak"].trips[MODES.index("car")] - base.periods["am_peak"].trips[MODES.index("car")]).clip(max=0).sum()
    assert k["am_peak_mode_shifted_trips"] + k["am_peak_redistributed_car_trips"] == pytest.approx(lost_car, rel=1e-9, abs=1e-9)
    # the change is mapped on the surrounding streets: some kept links gain traffic
    kept = links[links["status"] == "kept"]
    assert (kept["flow_am_peak_veh_h_change"] > 5).sum() >= 2
    assert links.crs is not None and links.geometry.notna().all()


def test_edges_are_entries_or_exits_by_direction(scene) -> None:
    edges = edge_nodes(scene)
    assert all(len(v) > 0 for v in edges.values())


def test_a_zone_without_streets_is_reported_with_its_reason(scene) -> None:
    import geopandas as gpd
    import shapely

    far = scene.copy()
    b = far.buildings.iloc[:1].copy()
    b["building_id"] = "test:far"
    b = gpd.GeoDataFrame(b, geometry=[shapely.box(152000, 172000, 152020, 172020)], crs=far.crs)
    far.add("buildings", b)
    res = run_district_mobility(far, MobilityOptions(feedback=1, periods=("am_peak",), access_categories=("school",)))
    assert len(res.unserved) > 0
    assert res.unserved["trips"].sum() == pytest.approx(res.kpis["am_peak_unserved_trips"])
    assert "no street of this mode within 400 m" in res.unserved["reason"].iloc[0]


def test_fifteen_minute_indicator_discriminates_and_follows_a_removed_poi(scene) -> None:
    from twin.traffic.indicators import district_access

    opts = MobilityOptions(access_categories=("school", "park", "post", "bank", "culture"))
    acc = district_access(scene, opts)
    walk = acc[acc["mode"] == "walk"].set_index("category")["share_of_residents"]
    assert walk.min() < 1.0  # at least one category below 100 % at 15 minutes (the one post office)
    poi = scene.pois

    def without(category: str, k: int = 0):
        sc = scene.copy()
        gone = poi.loc[poi["category"] == category, "poi_id"].iloc[k]
        sc.set_layer("pois", poi[poi["poi_id"] != gone])
        return sc

    # the district's only post office closes: nobody is within 15 minutes of one any more
    acc2 = district_access(without("post"), opts)
    walk2 = acc2[acc2["mode"] == "walk"].set_index("category")
    assert walk2.loc["post", "share_of_residents"] == 0.0 and walk2.loc["post", "services"] == 0
    assert walk2.loc["school", "share_of_residents"] == walk["school"]
    # one bank of six closes: at 5 minutes fewer residents have one nearby
    o5 = MobilityOptions(access_minutes=5.0, access_categories=("bank",), access_modes=("walk",))
    base5 = district_access(scene, o5)["share_of_residents"].iloc[0]
    changes = [district_access(without("bank", k), o5)["share_of_residents"].iloc[0] for k in range(2)]
    assert base5 < 1.0 and min(changes) < base5


def test_public_transport_from_a_feed_is_a_mode_and_an_access_mode(scene, tmp_path) -> None:
    """A two-stop tram across the district every 5 minutes (a hand-made feed in the scene's area)."""
    feed = tram_feed(tmp_path / "tram.zip")
    res = run_district_mobility(scene, MobilityOptions(gtfs=str(feed), periods=("am_peak",), feedback=1, access_categories=("school", "park")))
    pt = res.periods["am_peak"].skims["pt"]["time_s"]
    assert np.isfinite(pt).sum() > 0 and np.nanmin(pt[np.isfinite(pt)]) >= 240.0  # at least the 4-minute ride
    assert res.kpis["am_peak_pt_trips"] > 0
    assert "access_15min_pt_school_pct" in res.kpis


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (MobilityOptions(access_categories=("school", "bakery")), "unknown service category 'bakery'"),
        (MobilityOptions(periods=("night",)), "unknown period 'night'"),
        (MobilityOptions(mode_choice_overrides={"cost": 0.2}), "cost coefficient must be negative"),
        (MobilityOptions(parameter_overrides={"no_such": 1.0}), "unknown mobility parameter 'no_such'"),
    ],
)
def test_bad_options_are_refused_before_work(scene, options, needle) -> None:
    with pytest.raises(InputError, match=needle):
        run_district_mobility(scene, options)


def test_bad_external_matrix(scene, tmp_path) -> None:
    p = tmp_path / "ext.csv"
    p.write_text("origin_edge,destination_edge,period,vehicles_h\nnorth,up,am_peak,10\n")
    with pytest.raises(InputError, match="unknown edge 'up'"):
        run_district_mobility(scene, MobilityOptions(external_matrix=str(p)))


def test_bands_from_the_uncertain_coefficients_are_paired_and_ordered(scene) -> None:
    from twin.traffic.mobility import mobility_bands

    b = mobility_bands(scene, MobilityOptions(feedback=1, periods=("am_peak",)), samples=4, seed=3, closed_link_ids=closed_ids(scene))
    bands = b["bands"].set_index("kpi")
    assert len(b["samples"]) == 4
    assert (bands["low"] <= bands["median"]).all() and (bands["median"] <= bands["high"]).all()
    # demand parameters move the number of trips; every sample's closure reroutes traffic
    assert bands.loc["am_peak_person_trips", "high"] > bands.loc["am_peak_person_trips", "low"]
    assert (b["samples"]["am_peak_rerouted_car_trips"] > 0).all()


def test_the_calibration_note_speaks_words_not_ids(base) -> None:
    """The note reaches the report, the terminal and the run record: the destination-choice scale
    and the mode constants in words, public transport named, the car's 0 (the reference) left out."""
    said = [n for n in base.notes if n.startswith("calibrated: ")]
    assert len(said) == 1, base.notes
    note = said[0]
    assert note.startswith("calibrated: how strongly destinations are chosen by travel time and cost (scale ")
    assert "; preference for each mode beyond its time and cost, against the car: walk " in note
    assert "(target shares walk " in note and "theta" not in note and "car +0.000" not in note and " pt " not in note
