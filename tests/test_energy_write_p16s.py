"""Tables of a stock run encoded early (``run_stock(..., encode=True)``, as ``twin energy run`` does
for Parquet): the written files are the ones the ordinary writer gives, byte for byte, and a table
changed after the run is not taken from the early bytes."""

from __future__ import annotations

import hashlib

import pandas as pd

from tests.test_energy_stock_bad_input import row_scene

TABLES = ("buildings", "envelope", "excluded", "monthly", "costs")


def _digests(folder) -> dict[str, str]:
    return {n: hashlib.sha256((folder / f"{n}.parquet").read_bytes()).hexdigest() for n in TABLES}


def test_early_encoding_writes_the_same_files(weather, tmp_path):
    from twin.energy.stock import prepare_stock, run_stock

    scene = row_scene(7)
    prep = prepare_stock(scene, weather)
    plain = run_stock(scene, weather, prepared=prep)
    early = run_stock(scene, weather, prepared=prep, encode=True)
    assert plain.encoded == {}
    assert set(early.encoded) == {"envelope", "monthly", "buildings"}
    plain.save(tmp_path / "plain", plots=False)
    early.save(tmp_path / "early", plots=False)
    assert _digests(tmp_path / "plain") == _digests(tmp_path / "early")
    # and they hold the run's tables (not a stale or empty encoding)
    got = pd.read_parquet(tmp_path / "early" / "monthly.parquet")
    pd.testing.assert_frame_equal(got, early.results.monthly.reset_index(drop=True), check_exact=True)
    assert len(pd.read_parquet(tmp_path / "early" / "envelope.parquet")) == len(early.envelope) == 7


def test_a_table_replaced_after_the_run_is_written_anew(weather, tmp_path):
    from twin.energy.stock import run_stock

    scene = row_scene(4)
    run = run_stock(scene, weather, encode=True)
    run.accounts = run.accounts.assign(q_heat_kwh=run.accounts["q_heat_kwh"] * 2.0)
    run.save(tmp_path / "out", plots=False)
    got = pd.read_parquet(tmp_path / "out" / "buildings.parquet")
    pd.testing.assert_series_equal(got["q_heat_kwh"], run.accounts["q_heat_kwh"], check_exact=True)


def test_csv_output_ignores_the_early_parquet(weather, tmp_path):
    from twin.energy.stock import run_stock

    run = run_stock(row_scene(3), weather, encode=True)
    written = {p.name for p in run.save(tmp_path / "out", plots=False, format="csv")}
    assert "envelope.csv" in written and not any(n.endswith(".parquet") for n in written)
    env = pd.read_csv(tmp_path / "out" / "envelope.csv")
    assert list(env["building_id"]) == list(run.envelope["building_id"])
