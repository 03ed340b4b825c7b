"""grid11 dynamic loading against a peer's recorded output (UXsim 1.15.1; issue 15 item 4).

The peer figures are in ``tests/traffic_data/traffic_dynamic_grid11_uxsim_p15.json``, labelled as
UXsim's output with its version, settings and the command that produced them
(``benchmarks/bench_traffic_grid11_uxsim.py``, which runs both engines side by side and writes the
file with ``--write-peer``). The reference is UXsim at ``deltan`` 1 (platoons of one vehicle, 1 s
steps), its setting closest to the continuum limit: at ``deltan`` 5 (the scenario file) its
platoons and the bursts in which it releases the demand add delay and queues of their own
(docs/traffic.md). twin runs with ``duo_time="instantaneous"`` (the option the side by side is about;
the default stays ``"experienced"``, see docs/traffic.md). Links that queue: :mod:`twin.traffic.dynamic_queues` (vertical queue of at
least 10 vehicles for at least 60 s), computed the same way from both engines' cumulative counts.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import shared_path
from twin.errors import InputError
from twin.traffic.dynamic import simulate
from twin.traffic.dynamic_queues import queueing_links, vertical_queue_veh

PEER = json.loads((Path(__file__).parent / "traffic_data" / "traffic_dynamic_grid11_uxsim_p15.json").read_text())
SEEDS = range(5)
FREE_FLOW_TRIP_S = 681.8181818  # mean Manhattan route of grid11 / 20 m/s


def _grid11(scale: float = 1.0):
    from twin.traffic.dynamic_scenario import read_scenario

    sc = read_scenario(shared_path("traffic", "grid11"))
    opts = {
        "dt_s": sc.dt_s,
        "duration_s": sc.duration_s,
        "route_choice": "duo",
        "duo_interval_s": float(sc.settings["duo_update_time"]),
        "duo_weight": float(sc.settings["duo_update_weight"]),
    }
    demand = sc.demand.copy()
    demand["flow_veh_s"] = demand["flow_veh_s"] * scale
    demand["vehicles"] = demand["vehicles"] * scale
    return sc, demand, opts


@functools.lru_cache(maxsize=2)
def _runs(scale: float) -> tuple:
    """(totals, links that queue) of twin's runs with seeds 0-4 at ``scale`` x the demand (DUO on instantaneous link times)."""
    sc, demand, opts = _grid11(scale)
    out = []
    for seed in SEEDS:
        res = simulate(sc.network, demand, dynamics=sc.dynamics, seed=seed, duo_time="instantaneous", **opts)
        q = vertical_queue_veh(res.cum_in, res.cum_out, sc.dynamics.free_time_s, res.dt_s)
        out.append((res.totals(), int(queueing_links(q, res.dt_s).sum())))
    return tuple(out)


def _mean_trip(runs) -> float:
    return float(np.mean([t["mean_trip_time_s"] for t, _ in runs]))


def test_peer_file_is_uxsim_at_deltan_1():
    assert PEER["peer"] == "UXsim" and PEER["peer_version"] == "1.15.1"
    assert "deltan 1" in PEER["engine"]
    assert all(PEER["mean_over_seeds"][k]["seeds"] == 5 for k in ("x1", "x1.5", "x2"))


def test_grid11_1x_mean_trip_within_5_percent_of_uxsim():
    runs = _runs(1.0)
    for tot, _ in runs:
        assert tot["arrived_veh"] == pytest.approx(tot["generated_veh"], rel=1e-9)
    peer = PEER["mean_over_seeds"]["x1"]["mean_trip_time_s"]
    assert abs(_mean_trip(runs) / peer - 1.0) < 0.05, (_mean_trip(runs), peer)
    # not back at free flow (the equal split of exactly tied routes gave 681.8 s for every trip)
    assert _mean_trip(runs) > 1.03 * FREE_FLOW_TRIP_S


@pytest.mark.xfail(
    strict=True,
    reason="issue 15 acceptance not met: twin queues on more links than UXsim at deltan 1 (UXsim's DUO link time, length / mean speed of "
    "its discrete vehicles, is load-sensitive below capacity and spreads routes before queues form; docs/traffic.md)",
)
def test_grid11_1x_queued_links_within_10_percent_of_uxsim():
    twin_queued = float(np.mean([n for _, n in _runs(1.0)]))
    peer = PEER["mean_over_seeds"]["x1"]["queued_links"]
    assert abs(twin_queued / peer - 1.0) < 0.10, (twin_queued, peer)


def test_grid11_1x_queued_links_between_uxsim_deltan_1_and_twice_it():
    """Regression guard around the measured 1x count (twin / UXsim deltan 1 about 1.4 on 2026-12-02)."""
    twin_queued = float(np.mean([n for _, n in _runs(1.0)]))
    peer = PEER["mean_over_seeds"]["x1"]["queued_links"]
    assert peer <= twin_queued <= 2.0 * peer, (twin_queued, peer)


@pytest.mark.slow
def test_grid11_at_1_5x_delivers_every_vehicle_like_uxsim():
    """At 1.5x the demand UXsim delivers every vehicle within 2 h; so does twin (all seeds).

    With the experienced link times (the default) and the splitting rates applied strictly
    (``duo_supply_choice=False``, the rule before issue 15) incoming links wait behind full next
    links and about half of the vehicles are still in the network at 2 h.
    """
    runs = _runs(1.5)
    peer = PEER["mean_over_seeds"]["x1.5"]
    assert peer["arrived_share"] == 1.0
    for tot, _ in runs:
        assert tot["arrived_veh"] / tot["generated_veh"] > 0.999, tot
    # regression guard: 1.11 on 2026-12-02 (1.33 with the experienced link times)
    assert _mean_trip(runs) / peer["mean_trip_time_s"] < 1.2, (_mean_trip(runs), peer["mean_trip_time_s"])
    sc, demand, opts = _grid11(1.5)
    old = [
        simulate(sc.network, demand, dynamics=sc.dynamics, seed=seed, duo_supply_choice=False, duo_time="experienced", **opts).totals()
        for seed in (0, 1)
    ]
    assert all(t["arrived_veh"] / t["generated_veh"] < 0.8 for t in old)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue 15 acceptance not met at 1.5x: twin's mean trip about 11 % above UXsim's at deltan 1 (docs/traffic.md)")
def test_grid11_at_1_5x_mean_trip_within_5_percent_of_uxsim():
    peer = PEER["mean_over_seeds"]["x1.5"]["mean_trip_time_s"]
    assert abs(_mean_trip(_runs(1.5)) / peer - 1.0) < 0.05


def test_grid11_equal_tie_split_stays_at_free_flow_and_noise_is_seeded():
    sc, _, opts = _grid11()
    flat = simulate(sc.network, sc.demand, dynamics=sc.dynamics, duo_noise=0.0, **opts)
    assert flat.totals()["mean_trip_time_s"] == pytest.approx(FREE_FLOW_TRIP_S, rel=1e-8)
    a = simulate(sc.network, sc.demand, dynamics=sc.dynamics, seed=7, **opts)
    b = simulate(sc.network, sc.demand, dynamics=sc.dynamics, seed=7, **opts)
    c = simulate(sc.network, sc.demand, dynamics=sc.dynamics, seed=8, **opts)
    assert np.array_equal(a.cum_in, b.cum_in)
    assert not np.array_equal(a.cum_in, c.cum_in)
    assert a.meta["duo_noise"] == 0.01 and a.meta["seed"] == 7


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_bad_duo_noise_is_an_input_error(bad):
    sc, _, opts = _grid11()
    with pytest.raises(InputError, match="duo_noise"):
        simulate(sc.network, sc.demand, dynamics=sc.dynamics, duo_noise=bad, **opts)
