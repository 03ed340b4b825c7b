"""The mobility model's skim cache (twin.traffic.mobility._skim): a hit gives the skims a new
path search gives (the reference: :func:`twin.traffic.skims.network_skims` on the same
network), fresh arrays every time, and a what-if closing streets to cars finds its walk and
bike skims in the cache (the same zones and networks as its baseline), not its car skims.
Whole-model equality (cache on / cleared) on the Saint-Gilles sample."""

from __future__ import annotations

import numpy as np
import pytest

from tests.traffic_helpers import stgilles_scene, stgilles_walk_network
from twin.traffic import mobility as mob
from twin.traffic.mobility import MobilityOptions, run_district_mobility
from twin.traffic.skims import network_skims

PARVIS = ["Parvis Saint-Gilles - Sint-Gillis Voorplein", "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat"]


@pytest.fixture(scope="module")
def scene():
    return stgilles_scene()


@pytest.fixture(scope="module")
def walk(scene):
    return stgilles_walk_network(scene)


@pytest.fixture
def searches(monkeypatch) -> list[tuple[str, object]]:
    """Every path search of this test, ``(network name, cost)`` (the cost ``None`` when not
    given): :func:`twin.traffic.skims.network_skims` counted, still run; the skim cache emptied."""
    calls = []

    def counting(net, **kw):
        calls.append((net.name, kw.get("cost")))
        return network_skims(net, **kw)

    monkeypatch.setattr("twin.traffic.skims.network_skims", counting)
    mob._FREE_SKIM_CACHE.clear()
    return calls


def test_a_hit_equals_a_new_search_and_hands_out_fresh_arrays(walk) -> None:
    net = walk.network
    mob._FREE_SKIM_CACHE.clear()
    first = mob._skim(walk)
    assert len(mob._FREE_SKIM_CACHE) == 1
    ref = network_skims(net, cost=net.free_flow_time, attributes={"distance_m": net.length}, cost_name="time_s")
    assert np.array_equal(first["time_s"], ref.matrices["time_s"]) and np.array_equal(first["distance_m"], ref.matrices["distance_m"])
    first["time_s"][:] = -1.0  # a caller writing into its skims does not reach the cache
    again = mob._skim(walk)
    assert len(mob._FREE_SKIM_CACHE) == 1
    assert np.array_equal(again["time_s"], ref.matrices["time_s"]) and again["time_s"] is not first["time_s"]
    # other costs (a feedback iteration's congested times): searched, not stored, the skims of those costs
    slow = net.free_flow_time * 2.0
    other = mob._skim(walk, slow)
    assert len(mob._FREE_SKIM_CACHE) == 1
    ref2 = network_skims(net, cost=slow, attributes={"distance_m": net.length}, cost_name="time_s")
    assert np.array_equal(other["time_s"], ref2.matrices["time_s"]) and np.array_equal(other["distance_m"], ref2.matrices["distance_m"])
    assert not np.array_equal(other["time_s"], again["time_s"])


def test_skims_at_other_costs_are_searched_every_time(walk, searches) -> None:
    # congested car times come from an assignment of the call's own demand: never stored, so
    # never handed out for costs that differ in the last bit
    slow = walk.network.free_flow_time * 1.5
    a = mob._skim(walk, slow)
    b = mob._skim(walk, np.nextafter(slow, np.inf))
    assert len(searches) == 2 and len(mob._FREE_SKIM_CACHE) == 0
    assert np.array_equal(a["time_s"], network_skims(walk.network, cost=slow, attributes={"distance_m": walk.network.length}, cost_name="time_s").matrices["time_s"])
    assert not np.array_equal(a["time_s"], b["time_s"])


def test_free_flow_skims_outlast_a_run_of_congested_ones(walk, searches) -> None:
    # a run of the default options (two periods, three feedback iterations) makes six skims at
    # congested times after its free-flow ones: the next run (a what-if, the next Monte Carlo
    # sample) still finds the free-flow ones
    first = mob._skim(walk)
    for k in range(2 * mob._FREE_SKIM_CACHE.max_entries):
        mob._skim(walk, walk.network.free_flow_time * (1.0 + 0.1 * k))
    n = len(searches)
    again = mob._skim(walk)
    assert len(searches) == n  # no new search
    assert np.array_equal(again["time_s"], first["time_s"]) and np.array_equal(again["distance_m"], first["distance_m"])


@pytest.mark.slow
def test_a_car_closure_reuses_walk_and_bike_skims_and_gives_the_same_results(scene, searches) -> None:
    from twin.traffic.whatif import close_streets

    links = scene.links
    ids = links.loc[links["name"].isin(PARVIS) & links["modes"].str.contains("car"), "link_id"].tolist()
    opts = MobilityOptions(feedback=1, periods=("am_peak",))
    base = run_district_mobility(scene, opts)
    n_base = len(searches)
    variant = run_district_mobility(close_streets(scene, ids), opts, baseline=base)
    n_variant = len(searches) - n_base
    assert n_variant == n_base - 2  # walk and bike free skims from the cache; every car skim searched
    # the same what-if with empty caches: equal results
    mob._FREE_SKIM_CACHE.clear()
    fresh = run_district_mobility(close_streets(scene, ids), opts, baseline=base)
    assert fresh.kpis == variant.kpis
    for m in ("walk", "bike", "car"):
        assert np.array_equal(fresh.periods["am_peak"].skims[m]["time_s"], variant.periods["am_peak"].skims[m]["time_s"])
    assert np.array_equal(fresh.periods["am_peak"].trips, variant.periods["am_peak"].trips)
