"""The fluid head-of-line node rule of the p15f diagnostic (``benchmarks/traffic_grid11_hol_p15f.py``).

Not a twin model (docs/traffic.md, grid11 finding 9): a scratch rule run under DUO on grid11. Checked
here, one node and one step at a time, against what it claims: on the contested node of grid11
finding 8 (links A and B of capacity ``c`` queued, all of A and a share ``f`` of B into a next link
that takes ``r`` veh/s, B's others free) the head-vehicle closed form of a discrete FIFO queue
whose head waits for one of two equally likely acceptances, ``q_B = 1 / ((1 - f) / c + 2 f / r)``,
``q_A = r - f q_B`` (derived in the test, not read from the rule); two links sending only into
the full link get half each; and on any node: FIFO per incoming link, supplies and demands
respected, Tampère's result wherever no next link is contested.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from twin.kernels.dnl_node import general_node_model

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "traffic_grid11_hol_p15f.py"
DT_S = 5.0
C_VEH_S = 0.8


@pytest.fixture(scope="module")
def hol():
    spec = importlib.util.spec_from_file_location("traffic_grid11_hol_p15f", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_hol_node_model(DT_S)


def _solve(model, sending, priority, turn, receiving):
    turn = np.asarray(turn, float)
    flow = np.zeros(turn.shape)
    model(np.asarray(sending, float), np.asarray(priority, float), turn, np.asarray(receiving, float), flow)
    return flow


@pytest.mark.parametrize(("f", "r"), [(0.1, 0.1), (0.4, 0.1), (0.25, 0.3)])
def test_contested_node_gives_head_vehicle_closed_form(hol, f, r):
    # closed form: B's head is at the stop line for (1 - f) / c per free vehicle and, for a vehicle
    # bound for J, until J accepts it; A's head always waits for J, so each acceptance of J goes
    # to B's waiting head with probability 1/2: 2 / r on average
    q_b = 1.0 / ((1.0 - f) / C_VEH_S + 2.0 * f / r)
    q_a = r - f * q_b
    sending = [C_VEH_S * DT_S, C_VEH_S * DT_S]
    turn = [[1.0, 0.0], [f, 1.0 - f]]
    receiving = [r * DT_S, C_VEH_S * DT_S]
    flow = _solve(hol, sending, [C_VEH_S, C_VEH_S], turn, receiving)
    assert flow[0].sum() / DT_S == pytest.approx(q_a, rel=1e-9)
    assert flow[1].sum() / DT_S == pytest.approx(q_b, rel=1e-9)
    assert flow[:, 0].sum() == pytest.approx(r * DT_S, rel=1e-9)  # J's supply used in full


def test_two_links_into_one_full_link_share_it_equally(hol):
    flow = _solve(hol, [4.0, 4.0], [C_VEH_S, C_VEH_S], np.ones((2, 1)), [1.0])
    assert flow[:, 0] == pytest.approx([0.5, 0.5], rel=1e-9)


def test_any_node_fifo_supply_demand_and_tampere_when_uncontested(hol):
    rng = np.random.default_rng(15)
    contested_nodes = 0
    for _ in range(300):
        n_in, n_out = rng.integers(1, 5), rng.integers(1, 5)
        sending = rng.uniform(0.0, C_VEH_S * DT_S, n_in) * (rng.uniform(size=n_in) < 0.9)
        priority = np.full(n_in, C_VEH_S)
        turn = rng.uniform(size=(n_in, n_out)) * (rng.uniform(size=(n_in, n_out)) < 0.7)
        turn[turn.sum(axis=1) == 0.0, 0] = 1.0
        turn /= turn.sum(axis=1, keepdims=True)
        receiving = rng.uniform(0.0, C_VEH_S * DT_S, n_out) * rng.choice([0.2, 1.0, 3.0])
        flow = _solve(hol, sending, priority, turn, receiving)
        out = flow.sum(axis=1)
        assert np.all(flow >= 0.0)
        assert np.all(out <= sending * (1.0 + 1e-12) + 1e-12)
        assert np.all(flow.sum(axis=0) <= receiving * (1.0 + 1e-9) + 1e-12)
        np.testing.assert_allclose(flow, out[:, None] * turn, rtol=1e-12, atol=1e-12)  # FIFO
        if np.all(sending @ turn <= receiving):
            reference = np.zeros_like(flow)
            general_node_model(sending, priority, turn, receiving, reference)
            np.testing.assert_allclose(flow, reference, rtol=1e-12, atol=1e-12)
        else:
            contested_nodes += 1
    assert contested_nodes > 50
