"""Dynamic loading against closed forms: kinematic waves on a link, bottleneck queues, node models.

Sources of the expected values (none computed by our code):
* free flow on a link with a triangular diagram: the flow pattern travels unchanged at the free
  speed, density ``k = q / v`` (Lighthill & Whitham 1955; Richards 1956);
* a queue behind a bottleneck of capacity ``mu``: congested state ``k_c = k_j - mu / w`` on the
  congested branch, shock speed ``(q_u - mu) / (k_u - k_c)`` (Rankine-Hugoniot), spillback when
  the shock reaches the upstream end;
* deterministic point queue (arrival rate ``lam > mu`` for ``T``): the vehicle arriving at ``t``
  waits ``(lam - mu) t / mu``; total delay ``T^2 lam (lam - mu) / (2 mu)`` (the triangle between the
  arrival and departure curves, e.g. Daganzo 1997, *Fundamentals of Transportation and Traffic
  Operations*, ch. 2); with a triangular diagram the kinematic-wave delay equals it (Newell 1993);
* merge and diverge of the first-order node model (Daganzo 1995; Tampère et al. 2011):
  capacity-proportional merge shares and the FIFO diverge.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.errors import InputError, SchemaError
from twin.traffic.dynamic import LinkDynamics, simulate
from twin.traffic.network import Network

V, W, KJ, QMAX = 20.0, 5.0, 0.2, 0.8  # m/s, m/s, veh/m, veh/s: v w kj / (v + w) = 0.8


def chain(lengths, caps, speeds=None):
    """Links 0 -> 1 -> ... in series, with their diagrams."""
    n = len(lengths)
    speeds = [V] * n if speeds is None else speeds
    net = Network.build(
        node_ids=np.arange(n + 1), link_ids=np.array([f"l{k}" for k in range(n)]), from_node=np.arange(n), to_node=np.arange(1, n + 1),
        free_flow_time=np.array(lengths) / np.array(speeds), capacity=np.array(caps) * 3600.0, length=np.array(lengths, dtype=float),
        time_unit="s", length_unit="m",
    )  # fmt: skip
    dyn = LinkDynamics.build(length_m=lengths, free_speed_m_s=speeds, capacity_veh_s=caps, jam_density_veh_m_lane=KJ, wave_speed_m_s=W)
    return net, dyn


def one_od(origin, destination, t0, t1, flow):
    return pd.DataFrame({"origin": [origin], "destination": [destination], "t_start_s": [t0], "t_end_s": [t1], "flow_veh_s": [flow]})


def crossing_times(cum, values, dt):
    """Time at which a piecewise-linear cumulative curve (samples every dt) reaches each value."""
    t = np.arange(cum.shape[0]) * dt
    out = []
    for v in values:
        k = int(np.searchsorted(cum, v - 1e-9))
        if k == 0:
            out.append(0.0)
            continue
        out.append(t[k - 1] + dt * (v - cum[k - 1]) / (cum[k] - cum[k - 1]))
    return np.array(out)


@pytest.mark.parametrize("speed", [20.0, 15.0])
def test_free_flow_step_travels_unchanged_at_free_speed(speed):
    """Demand step below capacity: outflow = inflow delayed by L / v, density q / v."""
    L, q, dt = 1000.0, 0.5, 5.0
    net, dyn = chain([L], [0.7], [speed])
    res = simulate(net, one_od(0, 1, 0.0, 600.0, q), dynamics=dyn, dt_s=dt, duration_s=900.0, route_choice="free_flow")
    t = res.times_s
    tau = L / speed  # 50 s, or 66.67 s (not a whole number of steps)
    expected_in = q * np.clip(t, 0, 600.0)
    expected_out = q * np.clip(t - tau, 0, 600.0)
    assert np.allclose(res.cum_in[0], expected_in, atol=1e-9)
    assert np.allclose(res.cum_out[0], expected_out, atol=1e-9)
    ds = res.to_xarray()
    steady = (ds.t_start_s >= tau + dt) & (ds.t_start_s + dt <= 600.0)
    assert np.allclose(ds.density_veh_m.isel(link=0).where(steady, drop=True), q / speed, rtol=1e-12)
    # the first step's vehicle sees the kink of the delayed curve between two samples (linear
    # interpolation, exact only on whole steps): its travel time is within one step
    tt = ds.travel_time_s.isel(link=0)
    assert np.allclose(tt.where((ds.t_start_s >= dt) & (ds.t_start_s < 600), drop=True), tau, rtol=1e-9)
    assert abs(tt.isel(step=0).item() - tau) < dt
    assert res.totals()["total_delay_veh_h"] == pytest.approx(0.0, abs=1e-9)
    # a time-zone-aware start gives UTC step times; a naive one is refused
    ds = res.to_xarray(start="2024-03-05 07:00+01:00")
    assert str(ds.time_utc.values[0])[:19] == "2024-03-05T06:00:00"
    with pytest.raises(InputError, match="time zone"):
        res.to_xarray(start="2024-03-05 07:00")


def test_queue_behind_bottleneck_spills_back_at_the_shock_speed():
    """Demand 0.6 veh/s into a 0.4 veh/s bottleneck: congested state, shock, spillback time."""
    L, lam, mu, dt = 1000.0, 0.6, 0.4, 5.0
    net, dyn = chain([L, L], [QMAX, mu])
    res = simulate(net, one_od(0, 2, 0.0, 600.0, lam), dynamics=dyn, dt_s=dt, duration_s=1200.0, route_choice="free_flow")
    k_u = lam / V
    k_c = KJ - mu / W  # congested branch q = w (kj - k)
    shock = (lam - mu) / (k_u - k_c)  # negative: moves upstream
    t_hit = L / V  # front reaches the bottleneck
    t_spill = t_hit + L / abs(shock)  # queue reaches the upstream end: 500 s
    assert t_spill == pytest.approx(500.0)
    t = res.times_s
    inflow = np.diff(res.cum_in[0]) / dt
    t_mid = t[:-1] + dt / 2
    # upstream inflow is the demand until the spillback, then the bottleneck capacity
    assert np.allclose(inflow[t_mid < t_spill], lam, atol=1e-9)
    assert np.allclose(inflow[(t_mid > t_spill) & (t_mid < 600.0)], mu, atol=1e-9)
    # bottleneck discharge at capacity from t_hit
    outflow = np.diff(res.cum_out[0]) / dt
    assert np.allclose(outflow[(t_mid > t_hit) & (t_mid < 900.0)], mu, atol=1e-9)
    # at the spillback the whole link holds the congested density
    veh = res.vehicles()[0]
    assert veh[int(round(t_spill / dt))] == pytest.approx(k_c * L, rel=1e-9)
    # before it, free-flow part at k_u and queue at k_c, the queue growing at |shock|
    for ts in (150.0, 300.0, 450.0):
        x_q = abs(shock) * (ts - t_hit)
        assert veh[int(round(ts / dt))] == pytest.approx(k_u * (L - x_q) + k_c * x_q, rel=1e-9)
    # never more than jam storage
    assert veh.max() <= KJ * L + 1e-9


@pytest.mark.parametrize("where", ["origin", "link"])
def test_bottleneck_delay_equals_the_point_queue(where):
    """Arrivals lam > mu for T: vehicle at t waits (lam - mu) t / mu; total T^2 lam (lam - mu) / (2 mu)."""
    lam, mu, T, dt = 0.6, 0.4, 600.0, 5.0
    if where == "origin":  # the origin queue feeds a link of capacity mu
        net, dyn = chain([1000.0], [mu])
        dest, free = 1, 50.0
    else:  # a long link (no spillback to the origin) ahead of a bottleneck link
        net, dyn = chain([3000.0, 1000.0], [QMAX, mu])
        dest, free = 2, 200.0
    res = simulate(net, one_od(0, dest, 0.0, T, lam), dynamics=dyn, dt_s=dt, duration_s=1800.0, route_choice="free_flow")
    tot = res.totals()
    expected_total_s = T**2 * lam * (lam - mu) / (2 * mu)  # 54,000 veh s
    assert tot["total_delay_veh_h"] * 3600.0 == pytest.approx(expected_total_s, rel=1e-9)
    assert tot["total_travel_time_veh_h"] * 3600.0 == pytest.approx(expected_total_s + lam * T * free, rel=1e-9)
    if where == "link":
        assert tot["origin_wait_veh_h"] == pytest.approx(0.0, abs=1e-9)
    # vehicle by vehicle (FIFO): departure at t, arrival at t + free + (lam - mu) t / mu
    n = np.linspace(1.0, lam * T, 37)
    t_gen = crossing_times(res.cum_gen[0], n, dt)
    t_arr = crossing_times(res.cum_arr[0], n, dt)
    assert np.allclose(t_gen, n / lam, atol=1e-9)
    assert np.allclose(t_arr - t_gen - free, (lam - mu) * t_gen / mu, atol=1e-8)


def late_outflow(link_ids, from_node, to_node, caps, demand):
    """Mean outflow of each link, veh/s, after t = 2000 s (long after the queues reached the
    origins): three 1 km links of capacity ``caps`` (veh/s) between nodes 0-3, free speed V, jam
    density 0.3 veh/m, loaded with ``demand`` (one_od rows) for 3000 s on free-flow routes."""
    length = np.full(3, 1000.0)
    cap = np.array(caps)
    net = Network.build(node_ids=np.arange(4), link_ids=np.array(link_ids), from_node=np.array(from_node), to_node=np.array(to_node),
                        free_flow_time=length / V, capacity=cap * 3600, length=length, time_unit="s", length_unit="m")  # fmt: skip
    dyn = LinkDynamics.build(length_m=length, free_speed_m_s=V, capacity_veh_s=cap, jam_density_veh_m_lane=0.3)
    res = simulate(net, pd.concat(demand, ignore_index=True), dynamics=dyn, dt_s=5.0, duration_s=3000.0, route_choice="free_flow")
    ds = res.to_xarray()
    return ds.outflow_veh_s.where(ds.t_start_s > 2000.0, drop=True).mean("step")


def test_merge_shares_capacity_in_proportion_to_capacity():
    """Two links (capacities 0.8 and 0.4) merge into one of capacity 0.6, both with demand 0.5."""
    # nodes: 0 -> 2, 1 -> 2, 2 -> 3
    out = late_outflow(["a", "b", "c"], [0, 1, 2], [2, 2, 3], [0.8, 0.4, 0.6], [one_od(0, 3, 0.0, 3000.0, 0.5), one_od(1, 3, 0.0, 3000.0, 0.5)])
    # shares 0.6 * 0.8 / 1.2 = 0.4 and 0.6 * 0.4 / 1.2 = 0.2, both below the demand 0.5
    assert out.sel(link="a").item() == pytest.approx(0.4, rel=1e-9)
    assert out.sel(link="b").item() == pytest.approx(0.2, rel=1e-9)
    assert out.sel(link="c").item() == pytest.approx(0.6, rel=1e-9)


def test_fifo_diverge_holds_back_both_turns():
    """Demand 0.6 splits 50/50 into links of capacity 0.8 and 0.2: FIFO limits both turns to 0.2."""
    out = late_outflow(["in", "left", "right"], [0, 1, 1], [1, 2, 3], [0.8, 0.8, 0.2], [one_od(0, 2, 0.0, 3000.0, 0.3), one_od(0, 3, 0.0, 3000.0, 0.3)])
    assert out.sel(link="in").item() == pytest.approx(0.4, rel=1e-9)  # = R_right / f_right
    assert out.sel(link="left").item() == pytest.approx(0.2, rel=1e-9)
    assert out.sel(link="right").item() == pytest.approx(0.2, rel=1e-9)


def test_conservation_on_a_grid_with_time_dependent_demand():
    from tests.test_traffic_dynamic_reference import grid_network

    net = grid_network(5, 5, 400.0)
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(40):
        o, d = rng.choice(25, 2, replace=False)
        t0 = float(rng.uniform(0, 1800))
        rows.append((o, d, t0, t0 + float(rng.uniform(60, 1200)), float(rng.uniform(0.02, 0.2))))
    demand = pd.DataFrame(rows, columns=["origin", "destination", "t_start_s", "t_end_s", "flow_veh_s"])
    res = simulate(net, demand, dt_s=4.0, duration_s=5400.0, route_choice="duo", duo_interval_s=120.0)
    gen = res.cum_gen.sum(axis=0)
    dep = res.cum_dep.sum(axis=0)
    arr = res.cum_arr.sum(axis=0)
    on_links = res.vehicles().sum(axis=0)
    assert gen[-1] == pytest.approx(float((demand.flow_veh_s * (demand.t_end_s - demand.t_start_s)).sum()), rel=1e-12)
    assert np.allclose(dep - arr, on_links, atol=1e-8)
    assert np.all(np.diff(res.cum_in, axis=1) >= -1e-12) and np.all(np.diff(res.cum_out, axis=1) >= -1e-12)
    assert np.all(res.cum_out <= res.cum_in + 1e-9)
    assert np.all(dep <= gen + 1e-9)
    # storage: never above jam density
    assert np.all(res.vehicles().max(axis=1) <= res.dynamics.jam_veh * (1 + 1e-9) + 1e-9)
    # node conservation at every node and step: inflow + departures = outflow + arrivals
    inflow = np.diff(res.cum_in, axis=1)
    outflow = np.diff(res.cum_out, axis=1)
    node_in = np.zeros((net.n_nodes, res.n_steps))
    node_out = np.zeros((net.n_nodes, res.n_steps))
    np.add.at(node_in, net.to_node, outflow)
    np.add.at(node_out, net.from_node, inflow)
    np.add.at(node_in, res.demand.orig_node, np.diff(res.cum_dep, axis=1))
    np.add.at(node_out, res.demand.dest_node, np.diff(res.cum_arr, axis=1))
    assert np.allclose(node_in, node_out, atol=1e-9)


def test_bad_input_is_named():
    net, dyn = chain([1000.0], [0.5])
    with pytest.raises(InputError, match="negative or non-finite capacity") as err:
        LinkDynamics.build(length_m=[1000.0, 500.0], free_speed_m_s=10.0, capacity_veh_s=[0.5, -1.0], link_ids=["x", "y"])
    assert err.value.field == "capacity_veh_s" and "y" in str(err.value.obj)
    with pytest.raises(InputError, match="no path"):
        simulate(net, one_od(1, 0, 0.0, 60.0, 0.1), dynamics=dyn)
    with pytest.raises(InputError, match="not in the network") as err:
        simulate(net, one_od(0, 7, 0.0, 60.0, 0.1), dynamics=dyn)
    assert err.value.field == "destination"
    with pytest.raises(InputError, match="origin equals destination"):
        simulate(net, one_od(0, 0, 0.0, 60.0, 0.1), dynamics=dyn)
    with pytest.raises(InputError, match="negative"):
        simulate(net, one_od(0, 1, 0.0, 60.0, -0.1), dynamics=dyn)
    with pytest.raises(SchemaError):
        simulate(net, pd.DataFrame({"origin": [0], "destination": [1]}), dynamics=dyn)
    with pytest.raises(InputError, match="shorter than one time step"):
        simulate(net, one_od(0, 1, 0.0, 60.0, 0.1), dynamics=dyn, dt_s=200.0, short_links="error")
    with pytest.raises(InputError, match="triangle"):
        LinkDynamics.build(length_m=[100.0], free_speed_m_s=10.0, capacity_veh_s=[2.0], wave_speed_m_s=5.0, jam_density_veh_m_lane=0.15)
    with pytest.raises(InputError, match="sum to"):
        simulate(net, one_od(0, 1, 0.0, 60.0, 0.1), dynamics=dyn, route_choice="fixed", splits=np.zeros((1, 1)))
