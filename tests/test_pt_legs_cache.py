"""The walking legs to public transport of the mobility model (twin.traffic.mobility._pt_legs),
kept by the content of what they are computed from: a hit equals a new computation and hands
out fresh arrays, and a changed walk network, a moved stop or another stop set is computed anew
(never the legs of the last run)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from tests.traffic_helpers import stgilles_scene, stgilles_walk_network
from twin.traffic import mobility as mob


@pytest.fixture(scope="module")
def scene():
    return stgilles_scene()


@pytest.fixture(scope="module")
def walk(scene):
    return stgilles_walk_network(scene)


def _stops(scene, n: int = 12, shift_m: float = 7.0) -> SimpleNamespace:
    pts = scene.nodes.geometry.values[:: max(1, len(scene.nodes) // n)][:n]
    xy = np.array([(p.x + shift_m, p.y - shift_m) for p in pts], dtype=np.float64)
    return SimpleNamespace(stop_xy=xy, n_stops=len(xy))


def _fresh(scene, walk, tt):
    mob._PT_LEGS_CACHE.clear()
    return mob._pt_legs(scene, walk, tt)


def _same(a, b) -> bool:
    return all(np.array_equal(getattr(x, f), getattr(y, f)) and getattr(x, f).dtype == getattr(y, f).dtype
               for x, y in zip(a, b, strict=True) for f in ("ptr", "stop", "time_s"))  # fmt: skip


def test_a_hit_equals_a_new_computation_and_hands_out_fresh_arrays(scene, walk) -> None:
    tt = _stops(scene)
    ref = _fresh(scene, walk, tt)
    assert ref is not None and ref[0].n_points == walk.network.n_zones and ref[1].n_points == tt.n_stops
    assert len(ref[0].stop) > 0
    first = mob._pt_legs(scene, walk, tt)
    assert len(mob._PT_LEGS_CACHE) == 1 and _same(first, ref)
    first[0].time_s[:] = -1.0  # a caller writing into its legs does not reach the cache
    first[1].stop[:] = 0
    again = mob._pt_legs(scene, walk, tt)
    assert _same(again, ref) and again[0].time_s is not first[0].time_s


def test_another_walk_network_or_stop_set_is_not_the_last_ones(scene, walk) -> None:
    tt = _stops(scene)
    base = _fresh(scene, walk, tt)
    cases = {
        "slower walk": (replace(walk, network=replace(walk.network, free_flow_time=walk.network.free_flow_time * 1.7)), tt),
        "a stop moved": (walk, SimpleNamespace(stop_xy=tt.stop_xy + np.r_[[[150.0, 0.0]], np.zeros((tt.n_stops - 1, 2))], n_stops=tt.n_stops)),
        "fewer stops": (walk, SimpleNamespace(stop_xy=tt.stop_xy[:-3], n_stops=tt.n_stops - 3)),
    }
    for name, (w, t) in cases.items():
        mob._PT_LEGS_CACHE.clear()
        assert _same(mob._pt_legs(scene, walk, tt), base)  # the baseline's legs are in the cache ...
        got = mob._pt_legs(scene, w, t)  # ... and the changed inputs do not find them
        assert len(mob._PT_LEGS_CACHE) == 2, name
        assert _same(got, _fresh(scene, w, t)), name
        assert not _same(got, base), name
