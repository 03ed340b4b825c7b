"""twin.traffic.kernel_threads: a district's kernel calls run on one thread, with the results of
the threaded run to the last bit (all-or-nothing flows and SPTT, initial bushes and Algorithm B
flows, skims), and Numba's thread count is restored after every call."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from tests.traffic_helpers import stgilles_scene, stgilles_walk_network
from twin.traffic import kernel_threads as KT
from twin.traffic.assign import PARALLEL_MIN_WORK, _Arrays, assign
from twin.traffic.skims import network_skims

needs_threads = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one Numba thread: nothing to choose")


@pytest.fixture(autouse=True)
def all_threads():
    """Every Numba thread for each test, then the count as it was: an earlier test of the same
    process (a pytest-xdist worker) may have left one thread set (it made 'parallel' False in CI)."""
    before = numba.get_num_threads()
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    yield
    numba.set_num_threads(before)


@pytest.fixture(scope="module")
def walk():
    return stgilles_walk_network(stgilles_scene()).network


@pytest.fixture(scope="module")
def demand(walk):
    # random trips between the zones a walk reaches (every pair with demand has a path)
    sk = network_skims(walk, cost=walk.free_flow_time, attributes={}, cost_name="time_s").matrices["time_s"]
    rng = np.random.default_rng(7)
    d = rng.uniform(0.0, 20.0, sk.shape) * (rng.uniform(size=sk.shape) < 0.5)
    d[~np.isfinite(sk)] = 0.0
    np.fill_diagonal(d, 0.0)
    return d


@needs_threads
def test_small_calls_run_on_one_thread_and_the_count_is_restored() -> None:
    before = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        with KT.kernel_threads(KT.THREADS_MIN_WORK - 1):
            assert numba.get_num_threads() == 1
        assert numba.get_num_threads() == 2
        with KT.kernel_threads(KT.THREADS_MIN_WORK):
            assert numba.get_num_threads() == 2
        with pytest.raises(RuntimeError), KT.kernel_threads(10):
            raise RuntimeError("a kernel failed")
        assert numba.get_num_threads() == 2  # restored after an error too
    finally:
        numba.set_num_threads(before)


def _threaded(monkeypatch) -> None:
    monkeypatch.setattr(KT, "THREADS_MIN_WORK", 0)  # every call on Numba's threads, as before


@needs_threads
def test_all_or_nothing_on_one_thread_equals_the_threaded_one(walk, demand, monkeypatch) -> None:
    arrays = _Arrays(walk, demand)
    assert PARALLEL_MIN_WORK == KT.THREADS_MIN_WORK  # one rule: one chunk where one thread runs it
    assert arrays.work_size < KT.THREADS_MIN_WORK and not arrays.parallel and arrays.n_chunks == 1
    cost = np.ascontiguousarray(walk.free_flow_time * np.linspace(1.0, 1.3, walk.n_links))
    one = np.empty(walk.n_links)
    sptt_one, pair_one = arrays.aon(cost, one)
    _threaded(monkeypatch)
    many = np.empty(walk.n_links)
    sptt_many, pair_many = arrays.aon(cost, many)
    assert pair_one is None and pair_many is None and one.sum() > 0
    assert np.array_equal(one, many) and sptt_one == sptt_many


@needs_threads
def test_algorithm_b_and_skims_on_one_thread_equal_the_threaded_ones(walk, demand, monkeypatch) -> None:
    one = assign(walk, demand, algorithm="b", gap=1e-6)
    sk_one = network_skims(walk, cost=walk.free_flow_time * 1.1)
    _threaded(monkeypatch)
    many = assign(walk, demand, algorithm="b", gap=1e-6)
    sk_many = network_skims(walk, cost=walk.free_flow_time * 1.1)
    assert np.array_equal(one.flow, many.flow) and np.array_equal(one.origin_flows, many.origin_flows)
    assert [h.relative_gap for h in one.history] == [h.relative_gap for h in many.history]
    for name in sk_one.matrices:
        assert np.array_equal(sk_one.matrices[name], sk_many.matrices[name])


@needs_threads
def test_public_transport_skims_on_one_thread_equal_the_threaded_ones(monkeypatch) -> None:
    from tests.traffic_helpers import SAMPLES
    from twin.traffic import mobility as mob
    from twin.traffic.osm_transit import osm_timetable

    scene = stgilles_scene()
    walk = stgilles_walk_network(scene)
    tt, _ = osm_timetable(SAMPLES / "stgilles_transit_osm2013.geojson", crs=scene.crs, start_s=8 * 3600.0, end_s=9 * 3600.0 + 5400.0)
    legs = mob._pt_legs(scene, walk, tt)
    n_c, window = walk.network.n_zones, (8 * 3600.0, 9 * 3600.0)
    assert n_c * 12 * tt.n_connections < KT.CSA_THREADS_MIN_WORK  # one thread at this size
    import twin.traffic.transit as transit

    threads, real = [], transit.pt_travel_times

    def recording(*args, **kw):
        threads.append(numba.get_num_threads())
        return real(*args, **kw)

    monkeypatch.setattr(transit, "pt_travel_times", recording)
    before = numba.get_num_threads()
    mob._PT_SKIM_CACHE.clear()
    one = mob._pt_skims(legs, tt, n_c, window, 300.0)
    monkeypatch.setattr(KT, "CSA_THREADS_MIN_WORK", 0)
    mob._PT_SKIM_CACHE.clear()  # scanned again, on the threads
    many = mob._pt_skims(legs, tt, n_c, window, 300.0)
    assert threads == [1, before] and numba.get_num_threads() == before
    assert np.isfinite(one["time_s"]).any()
    for name in one:
        assert np.array_equal(one[name], many[name])
