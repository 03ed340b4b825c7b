"""A run ingests its input files once (twin.scenario.runner._ingested): the priors-alone energy run
of a calibrated scenario, made inside the run, takes a copy of the run's first ingest, never a
scene the calibration or a modification changed, and re-reads a file that changed on disk."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
import shapely

from tests.scenario_helpers import BOX_100M, EPW, write_small_district
from twin.errors import TwinWarning
from twin.scenario import runner


def _plain(scene) -> dict[str, pd.DataFrame]:
    return {k: v.drop(columns=["geometry"], errors="ignore").reset_index(drop=True) for k, v in scene.layers.items()}


def _same_scene(a, b) -> None:
    assert set(a.layers) == set(b.layers)
    for name, layer in _plain(a).items():
        pd.testing.assert_frame_equal(layer, _plain(b)[name])
        if "geometry" in a.layers[name]:
            ga, gb = np.asarray(a.layers[name].geometry.values), np.asarray(b.layers[name].geometry.values)
            assert shapely.equals_exact(ga, gb, 0.0).all()
    assert a.crs == b.crs and a._changed == b._changed


@pytest.fixture
def district(tmp_path):
    return write_small_district(tmp_path, BOX_100M)


def _ingest(files):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        return runner._ingested(files, crs=None, source_crs=None, sites=[], progress=False)


def test_second_ingest_of_a_run_is_a_copy_of_the_first(district):
    fresh = _ingest([district, EPW])  # outside a run: nothing kept
    assert runner._RUN_INGESTS.get() is None
    token = runner._RUN_INGESTS.set({})
    try:
        first = _ingest([district, EPW])
        # what the calibration and a what-if do to the run's scene must not reach the second ingest
        b = first.buildings.copy()
        b["calib_kind"] = "group"
        b["height_m"] = b["height_m"] * 2.0
        first.set_layer("buildings", b)
        first.set_meta("changed_by_test", 1)
        first.buildings.loc[first.buildings.index[0], "use"] = "industrial"  # in place (copy-on-write)
        second = _ingest([district, EPW])
        assert len(runner._RUN_INGESTS.get()) == 1  # one ingest kept, reused
        assert second is not first and "calib_kind" not in second.buildings and "changed_by_test" not in second.meta
        _same_scene(second, fresh)
        third = _ingest([district, EPW])
        assert third is not second
        _same_scene(third, fresh)
        # a file changed on disk (size and time) is read again
        gj = district.read_text()
        district.write_text(gj + "\n")
        st = district.stat()
        os.utime(district, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        _ingest([district, EPW])
        assert len(runner._RUN_INGESTS.get()) == 2
        # other files: another key
        _ingest([district])
        assert len(runner._RUN_INGESTS.get()) == 3
    finally:
        runner._RUN_INGESTS.reset(token)
