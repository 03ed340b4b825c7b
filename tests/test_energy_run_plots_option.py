"""``twin energy run --no-plots``: the same tables, no PNG plots (the region benchmark's
writing step without the matplotlib import), and the monthly heat the accounts read from
the kernel's table equals the pivot-table reading it replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from tests.conftest import shared_path
from tests.test_energy_stock_bad_input import EPW, row_scene


def _run(tmp_path, name, *flags):
    from twin.cli.main import app
    from twin.export.layers import write_scene

    folder = tmp_path / "scene"
    if not folder.exists():
        write_scene(row_scene(), folder)
    out = tmp_path / name
    res = CliRunner().invoke(app, ["energy", "run", str(folder), "--weather", str(shared_path(*EPW)), "-o", str(out), "-q", *flags])
    assert res.exit_code == 0, res.output
    return out


def test_no_plots_writes_the_same_tables_without_pngs(tmp_path):
    with_plots = _run(tmp_path, "a")
    without = _run(tmp_path, "b", "--no-plots")
    assert {"monthly_balance.png", "class_distribution.png"} <= {p.name for p in with_plots.iterdir()}
    assert not list(without.glob("*.png"))
    for name in ("buildings", "envelope", "monthly"):
        pd.testing.assert_frame_equal(pd.read_parquet(with_plots / f"{name}.parquet"), pd.read_parquet(without / f"{name}.parquet"))


def test_no_plots_with_a_measure_leaves_out_the_before_after_plots(tmp_path):
    out = _run(tmp_path, "m", "--no-plots", "-m", "wall_insulation")
    assert (out / "comparison.parquet").exists() and (out / "baseline" / "buildings.parquet").exists()
    assert not list(out.rglob("*.png"))


def test_monthly_heat_equals_the_pivot_table_reading():
    from twin.energy.results import _monthly_heat

    rng = np.random.default_rng(3)
    ids = np.array([f"b{i}" for i in range(7)], dtype=object)
    v = rng.random(7 * 12)
    v[[5, 30]] = np.nan
    v[48:60] = np.nan  # a building the kernel rejected: all months NaN
    kernel_table = pd.DataFrame({"building_id": pd.Index(ids).repeat(12).array, "month": np.tile(np.arange(1, 13), 7), "q_heat_kwh": v})
    shuffled = kernel_table.sample(frac=1.0, random_state=1)  # not the kernel's layout: the pivot path
    for want_ids in (ids, ids[[6, 0, 3]], np.array(["b2", "nope", "b4"], dtype=object)):
        pivot = kernel_table.pivot_table(index="building_id", columns="month", values="q_heat_kwh", aggfunc="sum")
        want = pivot.reindex(index=want_ids, columns=range(1, 13)).to_numpy(dtype=float)
        np.testing.assert_array_equal(_monthly_heat(kernel_table, want_ids), want)
        np.testing.assert_array_equal(_monthly_heat(shuffled, want_ids), want)
