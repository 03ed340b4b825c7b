"""Benchmarks of static assignment: iteration speed on SiouxFalls and ChicagoSketch.

Run:  pytest benchmarks/bench_traffic_assign.py --benchmark-only -s
      (``-m "not slow"`` skips the ChicagoSketch side-by-side with AequilibraE)

* ``test_*_aon``: one all-or-nothing step (shortest-path trees from every zone + loading), the
  cost of one Frank-Wolfe-family iteration.
* ``test_*_bfw_iterations`` / ``test_*_b_sweeps``: a fixed number of BFW iterations / Algorithm B
  sweeps (each sweep includes the relative-gap computation).
* ``test_*_b_to_1e8``: Algorithm B to relative gap 1e-8.
* ``test_chicago_side_by_side``: runs ``compare_aequilibrae.py`` (times to gaps 1e-4/1e-5 with
  BFW, Algorithm B to 1e-5/1e-8, AequilibraE's BFW when installed) and prints the ratios.

Numba compilation is excluded: every case warms up once before timing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the repository, for tests.* and benchmarks.* helpers

from tests.conftest import shared_path
from twin.traffic.assign import _Arrays, assign
from twin.traffic.tntp import read_network, read_trips


def _load(name: str):
    folder = shared_path("traffic", "tntp", name)
    net = read_network(folder / f"{name}_net.tntp")
    return net, read_trips(folder / f"{name}_trips.tntp", n_zones=net.n_zones)


@pytest.fixture(scope="module")
def siouxfalls():
    return _load("SiouxFalls")


@pytest.fixture(scope="module")
def chicago():
    return _load("ChicagoSketch")


def _aon(benchmark, net, dem) -> None:
    arrays = _Arrays(net, dem.matrix)
    cost = arrays.costs(np.zeros(net.n_links), np.empty(net.n_links))
    out = np.empty(net.n_links)
    arrays.aon(cost, out)  # warm-up
    benchmark(arrays.aon, cost, out)
    assert out.sum() > 0


def test_siouxfalls_aon(benchmark, siouxfalls) -> None:
    _aon(benchmark, *siouxfalls)


def test_chicago_aon(benchmark, chicago) -> None:
    _aon(benchmark, *chicago)


def test_siouxfalls_b_to_1e8(benchmark, siouxfalls) -> None:
    net, dem = siouxfalls
    assign(net, dem, algorithm="b", gap=1e-4)
    res = benchmark.pedantic(assign, args=(net, dem), kwargs={"algorithm": "b", "gap": 1e-8}, rounds=5, iterations=1)
    assert res.converged
    benchmark.extra_info["sweeps"] = res.iterations


def test_siouxfalls_bfw_100_iterations(benchmark, siouxfalls) -> None:
    net, dem = siouxfalls
    assign(net, dem, algorithm="bfw", gap=0.0, max_iter=5)
    res = benchmark.pedantic(assign, args=(net, dem), kwargs={"algorithm": "bfw", "gap": 0.0, "max_iter": 100}, rounds=5, iterations=1)
    benchmark.extra_info["final_gap"] = res.relative_gap


def test_chicago_bfw_20_iterations(benchmark, chicago) -> None:
    net, dem = chicago
    assign(net, dem, algorithm="bfw", gap=0.0, max_iter=2)
    res = benchmark.pedantic(assign, args=(net, dem), kwargs={"algorithm": "bfw", "gap": 0.0, "max_iter": 20}, rounds=3, iterations=1)
    benchmark.extra_info["final_gap"] = res.relative_gap


def test_chicago_b_10_iterations(benchmark, chicago) -> None:
    net, dem = chicago
    assign(net, dem, algorithm="b", gap=0.0, max_iter=2)
    res = benchmark.pedantic(assign, args=(net, dem), kwargs={"algorithm": "b", "gap": 0.0, "max_iter": 10}, rounds=3, iterations=1)
    benchmark.extra_info["final_gap"] = res.relative_gap


@pytest.mark.slow
def test_chicago_b_to_1e8(benchmark, chicago) -> None:
    net, dem = chicago
    res = benchmark.pedantic(assign, args=(net, dem), kwargs={"algorithm": "b", "gap": 1e-8}, rounds=1, iterations=1)
    assert res.converged
    benchmark.extra_info["sweeps"] = res.iterations


@pytest.mark.slow
def test_chicago_side_by_side(capsys) -> None:
    """The AequilibraE comparison script, printed (run with -s to see it)."""
    shared_path("traffic", "tntp", "ChicagoSketch")
    sys.path.insert(0, str(REPO / "benchmarks"))
    import compare_aequilibrae

    argv = ["--json"] if os.environ.get("TWIN_BENCH_AEQUILIBRAE", "1") != "0" else ["--json", "--skip-aequilibrae"]
    assert compare_aequilibrae.main(argv) == 0
    out = capsys.readouterr().out
    with capsys.disabled():
        print(out)
    assert "twin B" in out


@pytest.mark.slow
def test_chicago_multiclass_to_1e8(benchmark, chicago) -> None:
    """Cars (90 %) and trucks (10 %, PCE 2.5) to gap 1e-8; compare with test_chicago_b_to_1e8."""
    from twin.traffic.multiclass import VehicleClass, assign_multiclass

    net, dem = chicago
    classes = [VehicleClass("car", 0.9 * dem.matrix), VehicleClass("truck", 0.1 * dem.matrix, pce=2.5)]
    res = benchmark.pedantic(assign_multiclass, args=(net, classes), kwargs={"gap": 1e-8}, rounds=1, iterations=1)
    assert res.converged
    benchmark.extra_info["sweeps"] = res.iterations
