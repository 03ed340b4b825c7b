"""The Monte Carlo steps of ``twin run`` count their samples: the energy samples by kernel chunk,
the traffic samples one by one (the progress facility, :mod:`twin.io.progress`)."""

from __future__ import annotations

import numpy as np

from tests.conftest import DATA_SAMPLES
from tests.test_energy_stock_bad_input import row_scene
from twin.io import progress


class Recorder(progress.Reporter):
    """Every step that ended: (label, items done, total)."""

    def __init__(self) -> None:
        self.ended: list[tuple[str, int, int | None]] = []

    def pop(self, step: progress.Step) -> None:
        self.ended.append((step.label, step.done, step.total))


def test_energy_samples_count_the_samples_chunk_by_chunk():
    from twin.energy.priors import load_priors
    from twin.energy.sampled import simulate_samples
    from twin.energy.stock import prepare_stock
    from twin.energy.stock_samples import draw_stock_samples
    from twin.ingest.epw import read_epw

    scene = row_scene(5)
    prep = prepare_stock(scene, read_epw(DATA_SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    stock = draw_stock_samples(scene, load_priors(), 7, 1)
    rec = Recorder()
    with progress.reporting(rec):
        totals = simulate_samples(scene, prep, stock, setpoint_c=np.full(7, 20.0), chunk_rows=10)  # 2 samples of 5 buildings a chunk
    assert len(totals) == 7
    assert ("simulating the sampled stock", 7, 7) in rec.ended


def test_traffic_samples_count_the_samples(tmp_path):
    from tests.scenario_helpers import BOX_100M, SAMPLES, write_small_district
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    doc = {
        "name": "counted",
        "inputs": {"files": [str(write_small_district(tmp_path, BOX_100M))] + [str(SAMPLES / f"stgilles_{k}_osm2013.geojson") for k in ("streets", "pois")]},
        "domains": ["traffic"],
        "whatifs": [{"name": "more", "modifications": [{"op": "scale_demand", "factor": 1.2}]}],
        "uncertainty": {"samples": 3, "seed": 4},
        "traffic": {"periods": ["am_peak"], "feedback": 1, "access_categories": ["school", "park"], "evaporation_elasticity": 0.0},
    }
    rec = Recorder()
    with progress.reporting(rec):
        run_scenario(parse_scenario(doc), base_dir=tmp_path)
    assert ("traffic samples", 3, 3) in rec.ended
