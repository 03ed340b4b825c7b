"""Algorithm B's path check before the bushes runs once per network and demand pattern
(:data:`twin.traffic.assign._REACHABLE`): a repeat skips that all-or-nothing search with the same
flows, a new pattern is checked again, and a pair without a path is still refused."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from twin.errors import InputError
from twin.traffic.assign import assign
from twin.traffic.network import Network

assign_module = importlib.import_module("twin.traffic.assign")  # the module (twin.traffic.assign is also the function's name)


def network() -> Network:
    """Zones 1, 2, 3 and node 4; two routes 1 -> 2 (direct, via 4), a link 2 -> 1, nothing into zone 3."""
    return Network.build(
        node_ids=np.array([1, 2, 3, 4]),
        link_ids=np.array([1, 2, 3, 4, 5]),
        from_node=[0, 0, 3, 1, 2],
        to_node=[1, 3, 1, 0, 0],
        free_flow_time=[10.0, 4.0, 4.0, 6.0, 3.0],
        capacity=[500.0, 300.0, 300.0, 400.0, 200.0],
        alpha=[0.15, 0.15, 0.15, 0.15, 0.15],
        beta=[4.0, 4.0, 4.0, 4.0, 4.0],
        n_zones=3,
    )


@pytest.fixture
def aon_calls(monkeypatch):
    """The number of all-or-nothing searches made so far (a list holding one count), the cache emptied."""
    assign_module._REACHABLE.clear()
    calls = [0]
    original = assign_module._Arrays.aon

    def counted(self, cost, out):
        calls[0] += 1
        return original(self, cost, out)

    monkeypatch.setattr(assign_module._Arrays, "aon", counted)
    yield calls
    assign_module._REACHABLE.clear()


def test_repeat_skips_the_check_with_the_same_flows(aon_calls) -> None:
    net = network()
    od = np.array([[0.0, 900.0, 0.0], [50.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    first = assign(net, od, algorithm="b", gap=1e-10)
    n_first = aon_calls[0]
    second = assign(net, od, algorithm="b", gap=1e-10)
    assert aon_calls[0] - n_first == n_first - 1  # the check before the bushes is the one search left out
    assert np.array_equal(first.flow, second.flow)
    assert np.array_equal(first.cost, second.cost)
    assert [h.relative_gap for h in first.history] == [h.relative_gap for h in second.history]


def test_new_demand_pattern_is_checked_again(aon_calls) -> None:
    net = network()
    od = np.array([[0.0, 900.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assign(net, od, algorithm="b", gap=1e-10)
    od2 = od.copy()
    od2[1, 0] = 50.0  # a pair with demand the first pattern did not have
    n0 = aon_calls[0]
    assign(net, od2, algorithm="b", gap=1e-10)
    n_checked = aon_calls[0] - n0
    n0 = aon_calls[0]
    assign(net, od2, algorithm="b", gap=1e-10)
    assert n_checked == aon_calls[0] - n0 + 1


def test_pair_without_path_refused_after_a_checked_pattern(aon_calls) -> None:
    net = network()
    assign(net, np.array([[0.0, 900.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), algorithm="b", gap=1e-10)
    with pytest.raises(InputError, match="no path from zone 1 to zone 3"):
        assign(net, np.array([[0.0, 900.0, 10.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), algorithm="b", gap=1e-10)
