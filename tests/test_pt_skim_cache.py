"""The mobility model's public-transport skim cache (twin.traffic.mobility._PT_SKIM_CACHE): a
hit gives what a new connection scan gives, as fresh arrays; a change of any input it reads (a
walking leg, a transfer, a connection's time, the departures) is scanned again, never served
from the cache. Whole-model equality with the cache cleared is in the default run's check
(kpis.csv and outputs byte-identical, commit message)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.traffic_helpers import SAMPLES, stgilles_scene, stgilles_walk_network
from twin.traffic import mobility as mob
from twin.traffic.transit import Legs

WINDOW = (8 * 3600.0, 9 * 3600.0)


@pytest.fixture(scope="module")
def inputs():
    from twin.traffic.osm_transit import osm_timetable

    scene = stgilles_scene()
    walk = stgilles_walk_network(scene)
    tt, _ = osm_timetable(SAMPLES / "stgilles_transit_osm2013.geojson", crs=scene.crs, start_s=WINDOW[0], end_s=WINDOW[1] + 5400.0)
    return mob._pt_legs(scene, walk, tt), tt, walk.network.n_zones


def _fresh(legs, tt, n_c, step_s=300.0):
    mob._PT_SKIM_CACHE.clear()
    out = mob._pt_skims(legs, tt, n_c, WINDOW, step_s)
    mob._PT_SKIM_CACHE.clear()
    return out


def _scans(monkeypatch) -> list:
    import twin.traffic.transit as transit

    calls, real = [], transit.pt_travel_times

    def counting(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(transit, "pt_travel_times", counting)
    return calls


def test_a_hit_equals_a_new_scan_and_hands_out_fresh_arrays(inputs, monkeypatch) -> None:
    legs, tt, n_c = inputs
    ref = _fresh(legs, tt, n_c)
    calls = _scans(monkeypatch)
    first = mob._pt_skims(legs, tt, n_c, WINDOW, 300.0)
    first["time_s"][:] = -1.0  # a caller writing into its skims does not reach the cache
    again = mob._pt_skims(legs, tt, n_c, WINDOW, 300.0)
    assert len(calls) == 1  # the second call is a hit
    assert np.isfinite(ref["time_s"]).any()
    for name in ref:
        assert np.array_equal(again[name], ref[name])


def test_a_changed_input_is_scanned_again(inputs, monkeypatch) -> None:
    legs, tt, n_c = inputs
    access, transfers = legs
    slower_walk = Legs(access.ptr, access.stop, access.time_s + 120.0)
    later = replace(tt, dep_t=tt.dep_t + 240.0, arr_t=tt.arr_t + 240.0)
    longer_transfers = Legs(transfers.ptr, transfers.stop, transfers.time_s + 300.0)
    cases = [((slower_walk, transfers), tt, 300.0), ((access, longer_transfers), tt, 300.0), (legs, later, 300.0), (legs, tt, 600.0)]
    expected = [_fresh(lg, t, n_c, step) for lg, t, step in cases]
    base = _fresh(legs, tt, n_c)
    calls = _scans(monkeypatch)
    mob._pt_skims(legs, tt, n_c, WINDOW, 300.0)  # the unchanged inputs in the cache
    for (lg, t, step), exp in zip(cases, expected, strict=True):
        got = mob._pt_skims(lg, t, n_c, WINDOW, step)
        assert not np.array_equal(got["time_s"], base["time_s"])  # the change matters
        for name in exp:
            assert np.array_equal(got[name], exp[name])
    assert len(calls) == 1 + len(cases)
