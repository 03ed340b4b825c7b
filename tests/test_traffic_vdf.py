"""Delay functions: times against their formulas, integrals against quadrature, derivatives
against finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from twin.kernels.traffic_vdf import (
    beckmann_objective,
    vdf_derivative,
    vdf_integral,
    vdf_time,
)

CASES = [
    # t0, c, alpha, beta, code
    (6.0, 25900.2, 0.15, 4.0, 0),
    (2.0, 1000.0, 0.5, 1.0, 0),
    (1.08, 1.0, 0.0, 0.0, 0),  # Barcelona: power 0, B 0
    (3.0, 500.0, 0.8, 0.0, 0),  # power 0 with B > 0: constant t0 (1 + B)
    (0.0, 49500.0, 0.15, 4.0, 0),  # zero free-flow time connector
    (5.0, 1200.0, 4.0, 0.0, 1),  # conical, alpha 4
    (5.0, 1200.0, 2.5, 0.0, 1),
]


def reference_time(v, t0, c, alpha, beta, code):
    if code == 1:
        x = v / c
        b = (2 * alpha - 1) / (2 * alpha - 2)
        return t0 * (2 + math.sqrt(alpha**2 * (1 - x) ** 2 + b**2) - alpha * (1 - x) - b)
    if beta == 0:
        return t0 * (1 + alpha)
    return t0 * (1 + alpha * (v / c) ** beta)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("ratio", [0.0, 0.3, 1.0, 1.7])
def test_time_integral_derivative(case, ratio) -> None:
    t0, c, alpha, beta, code = case
    v = ratio * c
    assert vdf_time(v, t0, c, alpha, beta, code) == pytest.approx(reference_time(v, t0, c, alpha, beta, code), rel=1e-12, abs=1e-15)
    integral, _ = quad(lambda s: reference_time(s, t0, c, alpha, beta, code), 0.0, v, epsabs=1e-12, epsrel=1e-12)
    assert vdf_integral(v, t0, c, alpha, beta, code) == pytest.approx(integral, rel=1e-9, abs=1e-9)
    if v > 0:
        h = 1e-6 * c
        fd = (reference_time(v + h, t0, c, alpha, beta, code) - reference_time(v - h, t0, c, alpha, beta, code)) / (2 * h)
        assert vdf_derivative(v, t0, c, alpha, beta, code) == pytest.approx(fd, rel=1e-6, abs=1e-12)


def test_conical_is_free_flow_at_zero_and_doubles_at_capacity() -> None:
    # Spiess (1990): t(0) = t0 and t(c) = 2 t0 for every alpha > 1
    for alpha in (1.5, 4.0, 10.0):
        assert vdf_time(0.0, 3.0, 100.0, alpha, 0.0, 1) == pytest.approx(3.0, rel=1e-12)
        assert vdf_time(100.0, 3.0, 100.0, alpha, 0.0, 1) == pytest.approx(6.0, rel=1e-12)


def test_beckmann_objective_sums_integrals_and_fixed_costs() -> None:
    flow = np.array([100.0, 2000.0, 50.0])
    t0 = np.array([1.0, 2.0, 3.0])
    cap = np.array([500.0, 1000.0, 1.0])
    alpha = np.array([0.15, 0.15, 0.0])
    beta = np.array([4.0, 4.0, 0.0])
    code = np.zeros(3, dtype=np.int64)
    fixed = np.array([0.5, 0.0, 1.0])
    expected = 0.0
    for k in range(3):
        expected += quad(lambda s, k=k: reference_time(s, t0[k], cap[k], alpha[k], beta[k], 0), 0, flow[k])[0] + fixed[k] * flow[k]
    assert beckmann_objective(flow, t0, cap, alpha, beta, code, fixed) == pytest.approx(expected, rel=1e-10)


def test_network_level_wrappers() -> None:
    from tests.traffic_reference import costs
    from twin.traffic.network import Network
    from twin.traffic.vdf import beckmann, link_costs, link_derivatives, link_times

    net = Network.build(
        node_ids=np.array([1, 2, 3]), link_ids=np.array([1, 2]), from_node=[0, 1], to_node=[1, 2],
        free_flow_time=[2.0, 3.0], capacity=[100.0, 50.0], fixed_cost=[0.5, 0.0],
    )
    flow = np.array([80.0, 20.0])
    np.testing.assert_allclose(link_costs(net, flow), costs(net, flow))
    np.testing.assert_allclose(link_times(net, flow), costs(net, flow) - net.fixed_cost)
    assert link_derivatives(net, flow)[0] == pytest.approx(2.0 * 0.15 * 4 / 100.0 * 0.8**3)
    expected = sum(
        quad(lambda s, k=k: reference_time(s, net.free_flow_time[k], net.capacity[k], 0.15, 4.0, 0), 0, flow[k])[0] + net.fixed_cost[k] * flow[k]
        for k in range(2)
    )
    assert beckmann(net, flow) == pytest.approx(expected, rel=1e-10)


# --- signal stop-line delay (codes 2, 3, 4): HCM 2000 Eq. 16-11 and 16-12 written out in seconds


def reference_signal_delay_s(v_veh_h, cycle_s, g, c_veh_h, period_h):
    """Uniform + incremental delay, s/veh, as printed in the HCM (k = 0.5, I = 1, PF = 1)."""
    x = v_veh_h / c_veh_h
    d1 = 0.0 if g == 1.0 else 0.5 * cycle_s * (1.0 - g) ** 2 / (1.0 - g * min(x, 1.0))
    d2 = 900.0 * period_h * ((x - 1.0) + math.sqrt((x - 1.0) ** 2 + 8.0 * 0.5 * 1.0 * x / (c_veh_h * period_h)))
    return d1 + d2


def assert_matches_reference(ref, v: float, t0: float, c: float, period: float, beta: float, code: int, *, kink_at_capacity: bool) -> None:
    """Delay-function ``code`` at flow ``v`` against the printed formula ``ref`` (time units of the
    code): its time (1e-12), its Beckmann integral against quadrature (1e-9) and its derivative
    against central differences (1e-6). ``kink_at_capacity``: the function has a kink at
    ``v = c`` (quadrature split there, no derivative taken at it)."""
    assert vdf_time(v, t0, c, period, beta, code) == pytest.approx(ref(v), rel=1e-12, abs=1e-15)
    points = [c] if kink_at_capacity and v > c else None
    integral, _ = quad(ref, 0.0, v, points=points, epsabs=1e-13, epsrel=1e-12)
    assert vdf_integral(v, t0, c, period, beta, code) == pytest.approx(integral, rel=1e-9, abs=1e-12)
    if v > 0 and not (kink_at_capacity and v == c):
        h = 1e-7 * c
        fd = (ref(v + h) - ref(v - h)) / (2 * h)
        assert vdf_derivative(v, t0, c, period, beta, code) == pytest.approx(fd, rel=1e-6)


SIGNAL_CASES = [
    # cycle s, green ratio, capacity veh/h, period h
    (90.0, 0.4556, 865.6, 0.25),
    (60.0, 1.0, 1800.0, 1.0),  # full green: no uniform delay
    (120.0, 0.2, 300.0, 0.25),
    (90.0, 0.5, 0.5, 1.0),  # c T < 1 vehicle: the root's quadratic has real roots (other integral branch)
]


@pytest.mark.parametrize("code", [2, 3, 4])
@pytest.mark.parametrize("case", SIGNAL_CASES)
@pytest.mark.parametrize("ratio", [0.0, 0.3, 0.99, 1.0, 1.5, 4.0])
def test_signal_delay_integral_derivative(code, case, ratio) -> None:
    cycle, g, c, period_h = case
    per_h = {2: 3600.0, 3: 60.0, 4: 1.0}[code]
    t0 = 0.5 * cycle * (1.0 - g) ** 2 * per_h / 3600.0
    period = period_h * per_h

    def ref(v):
        return reference_signal_delay_s(v, cycle, g, c, period_h) * per_h / 3600.0

    assert_matches_reference(ref, ratio * c, t0, c, period, g, code, kink_at_capacity=True)


def test_signal_delay_hand_values() -> None:
    # C = 90 s, two phases of 4 s lost time: g = (90 - 8) / (2 * 90) = 0.45556; s = 1900 veh/h:
    # c = 865.56 veh/h; T = 0.25 h. By hand (HCM 2000 Eq. 16-11, 16-12):
    #   X = 0:   d1 = 0.5 * 90 * 0.54444^2 = 13.339 s, d2 = 0
    #   X = 0.8: d1 = 13.339 / (1 - 0.45556 * 0.8) = 13.339 / 0.63556 = 20.988 s;
    #            d2 = 225 * (-0.2 + sqrt(0.04 + 3.2 / 216.39)) = 225 * (-0.2 + 0.234069) = 7.666 s
    #   X = 1.2: d1 = 13.339 / 0.54444 = 24.500 s;
    #            d2 = 225 * (0.2 + sqrt(0.04 + 4.8 / 216.39)) = 225 * (0.2 + 0.249363) = 101.11 s
    g = (90.0 - 8.0) / 180.0
    c = 1900.0 * g
    t0 = 0.5 * 90.0 * (1.0 - g) ** 2
    assert t0 == pytest.approx(13.339, abs=1e-3)
    assert vdf_time(0.8 * c, t0, c, 900.0, g, 2) == pytest.approx(20.988 + 7.666, abs=2e-3)
    assert vdf_time(1.2 * c, t0, c, 900.0, g, 2) == pytest.approx(24.500 + 101.11, abs=1e-2)
    # finite, continuous and non-decreasing through and beyond capacity
    flows = np.linspace(0.0, 5.0 * c, 2001)
    times = np.array([vdf_time(v, t0, c, 900.0, g, 2) for v in flows])
    assert np.isfinite(times).all() and (np.diff(times) >= 0).all()


# --- give-way (priority junction) control delay (codes 5, 6, 7): HCM 2010 Eq. 19-64 in seconds


def reference_give_way_delay_s(v_veh_h, c_veh_h, period_h):
    """Control delay of a yielding approach, s/veh, as printed in the HCM (two-way stop control)."""
    x = v_veh_h / c_veh_h
    return 3600.0 / c_veh_h + 900.0 * period_h * ((x - 1.0) + math.sqrt((x - 1.0) ** 2 + (3600.0 / c_veh_h) * x / (450.0 * period_h))) + 5.0


GIVE_WAY_CASES = [
    # potential capacity veh/h, period h
    (900.0, 0.25),  # no conflicting flow: 3600 / t_f with t_f = 4 s
    (312.4, 0.25),
    (60.0, 1.0),
    (0.5, 1.0),  # c T < 2 vehicles: m = 8 / (c T) > 4, the other integral branch
]


@pytest.mark.parametrize("code", [5, 6, 7])
@pytest.mark.parametrize("case", GIVE_WAY_CASES)
@pytest.mark.parametrize("ratio", [0.0, 0.3, 0.99, 1.0, 1.5, 4.0])
def test_give_way_delay_integral_derivative(code, case, ratio) -> None:
    c, period_h = case
    per_h = {5: 3600.0, 6: 60.0, 7: 1.0}[code]
    t0 = (3600.0 / c + 5.0) * per_h / 3600.0
    period = period_h * per_h

    def ref(v):
        return reference_give_way_delay_s(v, c, period_h) * per_h / 3600.0

    assert_matches_reference(ref, ratio * c, t0, c, period, 0.0, code, kink_at_capacity=False)


def test_give_way_delay_hand_values() -> None:
    # c = 900 veh/h (no conflicting flow, t_f = 4 s), T = 0.25 h. By hand (HCM 2010 Eq. 19-64):
    #   v = 0:   3600 / 900 + 0 + 5 = 9 s
    #   v = 450: x = 0.5; 225 * (-0.5 + sqrt(0.25 + 4 * 0.5 / 112.5)) = 225 * (-0.5 + 0.517472) = 3.931 s; 12.931 s
    #   v = 1080: x = 1.2; 225 * (0.2 + sqrt(0.04 + 4 * 1.2 / 112.5)) = 225 * (0.2 + 0.287518) = 109.69 s; 118.69 s
    c = 900.0
    t0 = 3600.0 / c + 5.0
    assert vdf_time(0.0, t0, c, 900.0, 0.0, 5) == pytest.approx(9.0, abs=1e-12)
    assert vdf_time(450.0, t0, c, 900.0, 0.0, 5) == pytest.approx(12.931, abs=2e-3)
    assert vdf_time(1080.0, t0, c, 900.0, 0.0, 5) == pytest.approx(118.69, abs=1e-2)
    # not a signal: the signal code with the same slots (green ratio 0 is not even allowed) differs
    assert vdf_time(450.0, t0, c, 900.0, 1.0, 2) != pytest.approx(vdf_time(450.0, t0, c, 900.0, 0.0, 5), rel=1e-3)
    flows = np.linspace(0.0, 5.0 * c, 2001)
    times = np.array([vdf_time(v, t0, c, 900.0, 0.0, 5) for v in flows])
    assert np.isfinite(times).all() and (np.diff(times) > 0).all()
