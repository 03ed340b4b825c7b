"""The de-sealing's surface temperature per grid cell: the soil deltas table's
``surface_temp_midday_c_baseline``, ``_whatif`` and ``_delta`` columns and the report's map of the
change (twin/soil/deseal_heat.py, twin/scenario/engines/soil_heat.py, twin/scenario/report_soil_heat.py).

Small on purpose: 80 m x 40 m at 10 m cells across the east edge of Place Louis Morichar (the
square planted as a wood; streets and buildings beyond it), the ``scs_cn`` method, no samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data_samples"
EPW = DATA / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
FILES = [DATA / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover")]
BOUNDS = [148600.0, 168500.0, 148680.0, 168540.0]  # the square's east edge and beyond
MORICHAR = "Place Louis Morichar - Louis Moricharplein"
WOOD = {"name": "wood", "modifications": [
    {"op": "deseal", "select": {"where": {"name": MORICHAR}}, "sealed_fraction": 0.0, "cover_class": "wood"}]}
GREEN_ROOFS = {"name": "green-roofs", "modifications": [{"op": "green_roofs", "share": 0.5}]}
COLUMNS = ("surface_temp_midday_c_baseline", "surface_temp_midday_c_whatif", "surface_temp_midday_c_delta")


def _run(whatifs: list[dict]):
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    data = {"name": "deseal-heat-cells", "inputs": {"files": [str(f) for f in FILES], "weather": str(EPW)}, "domains": ["soil"],
            "whatifs": whatifs, "soil": {"method": "scs_cn", "cell_size_m": 10.0, "bounds": BOUNDS}, "uncertainty": {"samples": 0}}
    return run_scenario(parse_scenario(data), base_dir=REPO / "scenarios")


@pytest.fixture(scope="module")
def comparison():
    return _run([WOOD, GREEN_ROOFS])


@pytest.fixture(scope="module")
def grids(comparison):
    """The baseline's and the wood what-if's soil grids, built here from the scenes."""
    from twin.ingest import ingest
    from twin.scenario.engines.soil import grid_options
    from twin.scenario.modifications import apply
    from twin.scenario.schema import Deseal, Selector
    from twin.soil.grid import build_grid

    scene, _ = ingest(FILES)
    what = scene.copy()
    apply(what, Deseal(op="deseal", select=Selector(where={"name": MORICHAR}), sealed_fraction=0.0, cover_class="wood"),
          index=0, rng=np.random.default_rng(0), base_dir=None)
    opts = comparison.scenario.soil
    return build_grid(scene, grid_options(scene, opts)), build_grid(what, grid_options(what, opts))


def _in_grid_order(comparison, grid):
    """The wood what-if's soil deltas, one row per cell in the grid's flat (row-major) order."""
    from twin.scenario.engines.soil import cell_ids

    d = comparison.deltas("wood", "soil")
    assert len(d) == grid.x.size * grid.y.size
    return d.set_index("cell_id").loc[cell_ids(grid)].reset_index()


def test_the_cells_changes_weighted_by_their_ground_give_back_the_kpi(comparison, grids):
    """The KPI is the mean over the changed ground (deseal_heat.py): the sum over the changed cells
    of each cell's change times its ground-level area, over the changed area."""
    from twin.soil.deseal_heat import changed_area_m2_per_cell, cover_fractions

    base, what = grids
    d = _in_grid_order(comparison, base)
    fb, fw = cover_fractions(base), cover_fractions(what)
    delta = d["surface_temp_midday_c_delta"].to_numpy()
    ground_m2 = sum(fb.values()) * base.cell_area_m2
    changed_m2 = changed_area_m2_per_cell(fb, fw, base.cell_area_m2)
    used = np.isfinite(delta) & (changed_m2 > 0)
    assert used.sum() >= 3
    k = comparison.kpis.set_index(["whatif", "kpi"]).loc[("wood", "hot_days_surface_temp_midday_c")]
    expect = float((delta[used] * ground_m2[used]).sum() / changed_m2[used].sum())
    assert k["delta"] < -0.5
    assert expect == pytest.approx(k["delta"], rel=1e-9)
    lv = d[list(COLUMNS[:2])].to_numpy()
    np.testing.assert_allclose(delta[used], lv[used, 1] - lv[used, 0], rtol=1e-12)
    assert np.all(np.isfinite(delta))  # every cell of the square keeps ground: no undefined change


def test_cells_whose_cover_did_not_change_have_no_change(comparison, grids):
    from twin.soil.deseal_heat import changed_cover_cells, cover_fractions

    base, what = grids
    d = _in_grid_order(comparison, base)
    changed = changed_cover_cells(cover_fractions(base), cover_fractions(what))
    assert changed.any() and (~changed).sum() >= 5
    assert np.all(d["surface_temp_midday_c_delta"].to_numpy()[~changed] == 0.0)
    assert np.all(d["surface_temp_midday_c_delta"].to_numpy()[changed] < 0.0)  # planted: cooler
    same = d[~changed]
    pd_equal = same["surface_temp_midday_c_whatif"].equals(same["surface_temp_midday_c_baseline"])
    assert pd_equal  # NaN (no ground outside roofs) where the baseline has none


def test_the_output_files_carry_the_columns_only_for_the_what_if_with_hot_days(comparison, tmp_path):
    import pandas as pd

    from twin.scenario.outputs import write_output_files

    written = write_output_files(comparison, tmp_path)
    wood = pd.read_parquet(tmp_path / written["wood/soil"])
    roofs = pd.read_parquet(tmp_path / written["green-roofs/soil"])
    assert all(c in wood.columns for c in COLUMNS)
    assert not any(c.startswith("surface_temp") for c in roofs.columns)
    assert list(wood.columns[: len(roofs.columns) - 1]) == [c for c in roofs.columns if c != "geometry"]


def test_the_report_maps_the_change_with_its_caption(comparison):
    from twin.scenario.report_soil_heat import soil_heat_report_section

    page = soil_heat_report_section(comparison)
    assert page.count("<figure") == 1
    assert "<img alt='Map: wood, change of the ground surface temperature at 11–16 h" in page
    assert "column <code>surface_temp_midday_c_delta</code> of <code>outputs/deltas_wood_soil.parquet</code>" in page
    assert "central run: the mean over those hours of the 3 hottest days of the weather year (20" in page
    assert "blue: cooler" in page and "only the cells whose ground cover changed are coloured" in page


def test_no_map_when_no_what_if_changes_the_ground_cover():
    from twin.scenario.report_soil_heat import soil_heat_report_section

    comp = _run([GREEN_ROOFS])
    assert not any(c.startswith("surface_temp") for c in comp.deltas("green-roofs", "soil").columns)
    page = soil_heat_report_section(comp)
    assert "<figure" not in page and "no what-if of this scenario changes the ground cover" in page
