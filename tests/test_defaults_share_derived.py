"""The counts of "how much of the stock's inputs are defaults" include floor area and storey
height where the scene records their sources: ``twin energy run``'s ``floor_area_sources`` /
``floor_area_on_defaults`` (:func:`twin.energy.stock.defaults_share`) and the run record's
``assumed.floor_area_shares`` of ``twin run`` (``_assumed_record``), as the report's table does
(:func:`twin.scene.provenance.reported_parameters`). A layer without those columns is reported
on the four attributes as before. Before this change both listed the four only (the tests of
the two derived attributes failed with a KeyError).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from twin.ingest.attributes.complete import complete
from twin.ingest.defaults import load_defaults
from twin.scene.provenance import BUILDING_PARAMETERS, DERIVED_PARAMETERS, SOURCES, floor_area_shares


@pytest.fixture(scope="module")
def buildings() -> pd.DataFrame:
    """Three buildings: ``a`` with its storeys (floor area ``inferred``), ``b`` and ``c`` on
    default storeys (floor area ``default``); every storey height by use (``default``)."""
    frame = pd.DataFrame({"building_id": ["a", "b", "c"], "footprint_area_m2": [100.0, 300.0, 50.0], "n_storeys": [2.0, np.nan, np.nan],
                          "height_m": [np.nan, np.nan, np.nan], "building": ["house", "house", "house"]})
    done = complete(frame, load_defaults())
    assert list(done["floor_area_m2_source"]) == ["inferred", "default", "default"]
    return done


def _record(b: pd.DataFrame) -> dict:
    from twin.workflows.scenario_run import _assumed_record

    comparison = SimpleNamespace(baseline_scene=SimpleNamespace(buildings=b), samples=None, stock_samples=None,
                                 scenario=SimpleNamespace(uncertainty=SimpleNamespace(samples=0, seed=0, parameters=[])))
    return _assumed_record(comparison)["floor_area_shares"]


def test_run_record_counts_floor_area_and_storey_height(buildings: pd.DataFrame) -> None:
    shares = _record(buildings)
    assert list(shares) == [*BUILDING_PARAMETERS, *DERIVED_PARAMETERS]
    area = buildings["floor_area_m2"].astype(float)
    on_default = float(area[buildings["n_storeys_source"] == "default"].sum() / area.sum())
    assert 0 < on_default < 1
    assert shares["floor_area_m2"]["default"] == pytest.approx(on_default, rel=1e-12)
    assert shares["floor_area_m2"]["inferred"] == pytest.approx(1 - on_default, rel=1e-12)
    assert shares["storey_height_m"]["default"] == 1.0
    # a layer without the columns (written before them) keeps the four
    old = buildings.drop(columns=[f"{p}_source" for p in DERIVED_PARAMETERS])
    assert list(_record(old)) == list(BUILDING_PARAMETERS)


def test_energy_defaults_share_counts_them_for_the_simulated_buildings(buildings: pd.DataFrame) -> None:
    """Over the buildings simulated only: ``a`` alone has its floor area ``inferred`` (100 %)."""
    from twin.energy.stock import defaults_share

    scene = SimpleNamespace(buildings=buildings)
    every = defaults_share(scene, buildings["building_id"])
    want = floor_area_shares(buildings, (*BUILDING_PARAMETERS, *DERIVED_PARAMETERS))
    assert list(every) == list(want.index)
    for attr, row in want.iterrows():
        assert every[attr] == {s: pytest.approx(float(row[s]), rel=1e-12) for s in SOURCES}
    only_a = defaults_share(scene, pd.Series(["a"]))
    assert only_a["floor_area_m2"]["inferred"] == 1.0 and only_a["storey_height_m"]["default"] == 1.0
    old = SimpleNamespace(buildings=buildings.drop(columns=[f"{p}_source" for p in DERIVED_PARAMETERS]))
    assert list(defaults_share(old, buildings["building_id"])) == list(BUILDING_PARAMETERS)
