"""The 3-D block's bands through the scenario runner (issue 18, soil.block): a de-sealing
what-if on the west edge of Place Morichar gets the rain water under the neighbouring sealed cells,
the recharge and the infiltration of the block with bands from paired samples of the soil
hydraulics, next to the hot-days surface temperatures; the report shows them; bad block options
are clear errors.

Small on purpose: 60 m x 60 m at 10 m cells (the street west of the square and the square's
edge), a 6-hour storm, three samples. The Saint-Gilles figures are in
benchmarks/bench_soil_block_bands.py (docs/soil_3d.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twin.errors import ResourceLimitError, ScenarioError

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data_samples"
EPW = DATA / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
FILES = [DATA / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover")]
BOUNDS = [148440.0, 168490.0, 148540.0, 168560.0]  # the street west of Place Louis Morichar and the square's edge
MORICHAR = "Place Louis Morichar - Louis Moricharplein"
BLOCK = ("block_sealed_rain_gain_m3", "block_sealed_rain_gain_mm", "block_recharge_m3", "block_infiltration_m3")
HEAT = ("hot_days_surface_temp_midday_c", "hot_days_surface_temp_max_c", "hot_days_district_surface_temp_midday_c")


def _scenario(block: dict | None = None, samples: int = 3, method: str = "richards") -> dict:
    soil = {"method": method, "cell_size_m": 10.0, "bounds": BOUNDS,
            "block": {"margin_m": 10.0, "sub": 2, "dz_m": 0.2, "samples": 3} if block is None else block}
    if method == "richards":
        soil.update(storm_mm=30.0, storm_hours=1.0, hours=6.0)
    return {
        "name": "soil-block-test",
        "inputs": {"files": [str(f) for f in FILES], "weather": str(EPW)},
        "domains": ["soil"],
        "whatifs": [{"name": "wood", "modifications": [
            {"op": "deseal", "select": {"where": {"name": MORICHAR}}, "sealed_fraction": 0.0, "cover_class": "wood"}]}],
        "soil": soil,
        "uncertainty": {"samples": samples, "seed": 5, "priors": False},  # the soil engine samples its own
    }


def _run(data):
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    return run_scenario(parse_scenario(data), base_dir=REPO / "scenarios")


@pytest.fixture(scope="module")
def comparison():
    return _run(_scenario())


def test_block_kpis_come_with_bands_next_to_the_hot_days_kpis(comparison):
    k = comparison.kpis
    r = k[k["whatif"] == "wood"].set_index("kpi")
    assert set(BLOCK) <= set(r.index) and set(HEAT) <= set(r.index)
    for kpi in BLOCK + HEAT:
        row = r.loc[kpi]
        assert np.isfinite(row["delta"]) and np.isfinite(row["delta_p_lo"]) and np.isfinite(row["delta_p_hi"])
        assert row["delta_p_lo"] <= row["delta_p50"] <= row["delta_p_hi"]
        assert row["baseline_p_lo"] <= row["baseline_p50"] <= row["baseline_p_hi"]
    gain = r.loc["block_sealed_rain_gain_m3"]
    assert gain["baseline"] > 0 and gain["baseline_p_lo"] < gain["baseline_p_hi"]  # the hydraulics are sampled
    assert r.loc["block_infiltration_m3", "delta"] > 0  # de-sealing: more rain into the soil
    smp = comparison.samples
    assert (smp[smp["kpi"] == "block_recharge_m3"]["sample"].nunique()) == 3
    notes = [n for n in comparison.whatifs["wood"]["soil"].notes if n.startswith("3-D block: ")]
    assert notes and "balance error" in notes[0]
    err = float(notes[0].split("balance error ")[1].split(";")[0])
    assert err < 1e-10


def test_the_report_shows_the_block(comparison):
    from twin.scenario.report_soil import soil_section

    html = soil_section(comparison)
    assert "Lateral water under the sealed cells" in html
    assert "rain water under the neighbouring sealed cells" in html
    assert "paired samples of the Carsel" in html


def test_bad_block_options_are_clear_errors():
    from twin.scenario.schema import parse_scenario

    with pytest.raises(ScenarioError, match="block.sub") as err:
        parse_scenario(_scenario(block={"sub": 0}))
    assert err.value.field.startswith("soil.block")
    with pytest.raises(ScenarioError, match="unknown key"):
        parse_scenario(_scenario(block={"cell": 1}))
    with pytest.raises(ScenarioError, match="block"):
        parse_scenario(_scenario(method="year"))
    with pytest.raises(ResourceLimitError, match="max_cells") as err:
        _run(_scenario(block={"max_cells": 100}, samples=0))
    assert err.value.field == "soil.block"


def test_the_saint_gilles_scenario_is_valid():
    from twin.scenario.engines.soil import _block_options, kpi_names
    from twin.scenario.schema import load_scenario

    sc = load_scenario(REPO / "scenarios" / "stgilles_deseal_block.yaml")
    bo = _block_options(sc.soil)
    assert bo.sub == 2 and bo.dz_m == 0.1 and bo.samples == 20 and sc.uncertainty.samples == 20
    assert set(BLOCK) <= set(kpi_names(sc.soil)) and set(HEAT) <= set(kpi_names(sc.soil))
