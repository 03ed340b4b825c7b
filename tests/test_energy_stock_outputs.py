"""Outputs of a stock run: hourly xarray, files written by StockRun.save, summaries and plots."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path
from tests.test_energy_stock_bad_input import row_scene


@pytest.fixture(scope="module")
def run():
    from twin.energy.stock import run_stock
    from twin.ingest.epw import read_epw

    w = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    return run_stock(row_scene(), w, hourly=True)


def test_hourly_xarray_adds_up_to_the_annual_need(run):
    ds = run.hourly
    assert ds["phi_hc_w"].dims == ("building_id", "time") and ds.sizes["time"] == 8760
    assert str(ds["time"].to_index().tz) == "UTC+01:00"  # the EPW's local standard time, explicit
    annual_kwh = ds["phi_hc_w"].clip(min=0).sum("time").to_numpy() / 1000.0  # hourly steps: W x 1 h
    np.testing.assert_allclose(annual_kwh, run.accounts["q_heat_kwh"].to_numpy(), rtol=1e-9)
    monthly = run.results.monthly.groupby("building_id")["q_heat_kwh"].sum()
    np.testing.assert_allclose(monthly.reindex(run.accounts["building_id"]).to_numpy(), run.accounts["q_heat_kwh"].to_numpy(), rtol=1e-9)


def test_save_writes_tables_plots_and_netcdf(run, tmp_path):
    import geopandas as gpd
    import xarray as xr

    written = run.save(tmp_path / "out")
    names = {p.name for p in written}
    assert {"buildings.parquet", "envelope.parquet", "excluded.parquet", "monthly.parquet", "costs.parquet", "summary.json",
            "hourly.nc", "run_record.json"} <= names
    assert {"monthly_balance.png", "class_distribution.png"} <= names
    assert all(p.exists() for p in written)
    # GeoParquet by default: the footprints come with the results, in the scene CRS
    b = gpd.read_parquet(tmp_path / "out" / "buildings.parquet")
    assert list(b["building_id"]) == ["h0", "h1", "h2", "h3", "h4"]
    assert b.crs.to_epsg() == 31370 and b.geometry.notna().all() and (b.geometry.area > 0).all()
    env = gpd.read_parquet(tmp_path / "out" / "envelope.parquet")
    assert env["u_wall_w_m2k_source"].str.startswith("TABULA").all() and env.crs.to_epsg() == 31370
    for col in ("q_heat_kwh_m2", "primary_energy_kwh_m2", "energy_class", "co2_kg", "energy_cost_eur"):
        assert b[col].notna().all(), col
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["buildings"] == 5 and sum(summary["classes"].values()) == 5
    assert summary["q_heat_mwh"] == pytest.approx(run.accounts["q_heat_kwh"].sum() / 1000.0)
    with xr.open_dataset(tmp_path / "out" / "hourly.nc") as ds:
        np.testing.assert_allclose(ds["phi_hc_w"].to_numpy(), run.hourly["phi_hc_w"].to_numpy())
        assert "UTC" in ds.attrs["time_zone"]
    record = json.loads((tmp_path / "out" / "run_record.json").read_text())
    assert record["versions"]["numpy"] == np.__version__ and record["options"]["format"] == "parquet"
    assert set(record["files"]) == {p.name for p in written} - {"run_record.json"}


def test_save_as_csv_on_request_with_wkt_footprints(run, tmp_path):
    import shapely

    written = run.save(tmp_path / "out", format="csv", plots=False)
    assert {p.name for p in written} >= {"buildings.csv", "envelope.csv", "excluded.csv", "monthly.csv", "costs.csv", "summary.json"}
    b = pd.read_csv(tmp_path / "out" / "buildings.csv")
    assert list(b["building_id"]) == ["h0", "h1", "h2", "h3", "h4"]
    assert all(shapely.from_wkt(w).area > 0 for w in b["geometry"])
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["crs"] == "EPSG:31370"
    # a second save replaces the folder whole: no Parquet of an earlier run beside the CSV
    run.save(tmp_path / "out", plots=False)
    assert not list((tmp_path / "out").glob("*.csv"))
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_summary_json_is_strict_json_with_null_for_nan(run, tmp_path):
    from dataclasses import replace

    odd = replace(run, meta={"note": float("nan"), "measures": []})
    odd.save(tmp_path / "out", plots=False)
    text = (tmp_path / "out" / "summary.json").read_text()
    assert "NaN" not in text
    assert json.loads(text)["note"] is None


def test_save_refuses_to_replace_a_folder_of_other_things(run, tmp_path):
    from twin.errors import OutputError

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(OutputError, match="not an earlier result"):
        run.save(mine, plots=False)
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]
