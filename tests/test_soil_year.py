"""A year of soil water over Saint-Gilles: balance, identical columns, what-ifs, sewers, vegetation.

The district runs use a part of the 1 km2 district at coarse cells (the full 2 m run is the
benchmark, ``benchmarks/bench_soil_year.py``) and the Uccle TMYx weather file, whose hourly
precipitation is populated (782 mm in the year).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path
from twin.errors import InputError
from twin.soil.grid import GridOptions
from twin.soil.sewer import SewerNetwork, SewerOptions, manning_full_pipe_m3_s, read_street_classes, route
from twin.soil.vegetation import read_landcover_vegetation, read_vegetation_table, vegetation_forcing
from twin.soil.year import YearOptions, run_district_year

PART = (148250.0, 168750.0, 148550.0, 169000.0)  # 300 m x 250 m around the largest car park
PARKING = "osm:way/22795481"


@pytest.fixture(scope="module")
def scene():
    from twin.ingest import ingest

    files = [shared_path("brussels", f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "landcover", "streets")]
    scene, _ = ingest(files)
    return scene


def _options(**kw) -> YearOptions:
    grid = kw.pop("grid", GridOptions(cell_size_m=10.0, bounds=PART, subsamples=2))
    return YearOptions(grid=grid, spinup_days=kw.pop("spinup_days", 60), **kw)


@pytest.fixture(scope="module")
def base(scene, weather):
    return run_district_year(scene, weather, _options())


# ----------------------------------------------------------------------------- the year
def test_the_year_closes_its_water_balance_and_reports_its_kpis(base, weather):
    b = base.balance_m3()
    assert b["relative_error"] < 1e-9
    k = base.kpis()
    area = 300.0 * 250.0
    assert k["rain_m3"] == pytest.approx(weather.data["precip_mm"].sum() / 1000 * area, rel=1e-12)
    for key, value in k.items():
        assert math.isfinite(value), key
    # sealed surfaces shed: runoff is most of the rain; the open ground evaporates and transpires
    assert 0.5 * k["rain_m3"] < k["runoff_m3"] < k["rain_m3"]
    assert k["transpiration_m3"] > 0 and k["soil_evaporation_m3"] > 0 and k["interception_evaporation_m3"] > 0
    assert k["transpiration_m3"] <= k["potential_transpiration_m3"]
    assert k["et_m3"] == pytest.approx(k["transpiration_m3"] + k["soil_evaporation_m3"] + k["interception_evaporation_m3"])
    assert 0 < k["theta_p10"] < k["theta_p50"] < k["theta_p90"] < 0.46  # silt loam saturates at 0.45
    assert 0 <= k["plant_stress_days"] <= 365
    assert k["capillary_rise_m3"] > 0  # the 3 m water table feeds the roots in summer
    # the sewer carries what it receives; its own balance closes
    assert abs(base.sewer.balance_error_m3()) < 1e-9 * base.sewer.inflow_m3.sum()
    assert base.sewer.inflow_m3.sum() == pytest.approx(k["runoff_m3"], rel=1e-9)
    assert k["sewer_overflow_m3"] == pytest.approx(base.events["volume_m3"].sum(), rel=1e-12)
    assert k["sewer_overflow_hours"] == pytest.approx(base.events["duration_h"].sum())
    # per cell maps add up to the totals
    cells = base.to_geodataframe()
    assert cells["runoff_m3"].sum() == pytest.approx(k["runoff_m3"], rel=1e-9)
    assert cells["recharge_m3"].sum() == pytest.approx(k["recharge_m3"], rel=1e-9)
    assert len(base.daily) == 365 and base.daily["rain_m3"].sum() == pytest.approx(k["rain_m3"], rel=1e-9)


def test_identical_columns_integrated_once_give_the_same_year(scene, weather):
    small = (148300.0, 168800.0, 148400.0, 168900.0)
    opts = dict(grid=GridOptions(cell_size_m=20.0, bounds=small, runoff_to_neighbours=0.4), spinup_days=10,
                runon_factor_step=0.0)
    once = run_district_year(scene, weather, _options(**opts))
    every = run_district_year(scene, weather, _options(unique_columns=False, **opts))
    assert once.n_integrated < every.n_integrated == every.n_columns
    for key, value in every.kpis().items():
        assert once.kpis()[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def test_runon_factor_steps_conserve_water(scene, weather):
    opts = _options(grid=GridOptions(cell_size_m=20.0, bounds=PART, runoff_to_neighbours=0.4), spinup_days=10)
    res = run_district_year(scene, weather, opts)
    assert res.balance_m3()["relative_error"] < 1e-9
    assert res.n_integrated < res.n_columns


def test_desealing_the_car_park_and_bioretention_lower_runoff(scene, weather, base):
    what_if = scene.copy()
    lc = what_if.landcover.copy()
    lc.loc[lc["landcover_id"] == PARKING, "sealed_fraction"] = 0.0
    what_if.set_layer("landcover", lc)
    green = run_district_year(what_if, weather, _options())
    b, g = base.kpis(), green.kpis()
    assert g["runoff_m3"] < b["runoff_m3"]
    assert g["infiltration_m3"] > b["infiltration_m3"] and g["et_m3"] > b["et_m3"]
    assert g["recharge_m3"] > b["recharge_m3"]
    assert g["sewer_overflow_m3"] <= b["sewer_overflow_m3"]
    assert green.balance_m3()["relative_error"] < 1e-9
    from twin.soil.green_infra import GreenInfrastructure

    rain_garden = GreenInfrastructure(kind="bioretention", landcover_classes=["parking", "residential"], area_share=0.05)
    gi = run_district_year(scene, weather, _options(green_infrastructure=[rain_garden]))
    k = gi.kpis()
    assert k["runoff_m3"] < b["runoff_m3"] and k["recharge_m3"] > b["recharge_m3"]
    assert k["sewer_overflow_m3"] <= b["sewer_overflow_m3"]
    assert gi.balance_m3()["relative_error"] < 1e-9
    trench = GreenInfrastructure(kind="infiltration_trench", landcover_classes=["residential"], area_share=0.02)
    tr = run_district_year(scene, weather, _options(green_infrastructure=[trench]))
    assert tr.kpis()["runoff_m3"] < b["runoff_m3"] and tr.balance_m3()["relative_error"] < 1e-9


# ----------------------------------------------------------------------------- sewer
def test_manning_capacity_by_hand():
    # D 0.5 m, S 0.5 %, n 0.013: A = 0.19635 m2, R = 0.125 m, Q = A R^(2/3) S^(1/2) / n
    q = 0.19635 * 0.125 ** (2 / 3) * 0.005**0.5 / 0.013
    assert manning_full_pipe_m3_s(0.5, 0.005, 0.013) == pytest.approx(q, rel=1e-4)
    table = read_street_classes()
    assert table["residential"].capacity_m3_s == pytest.approx(q, rel=1e-4)
    assert not table["footway"].has_sewer


def test_sewer_routing_floods_spills_and_counts_events():
    net = SewerNetwork(["a", "b"], ["residential", "primary"], np.array([1.0, 10.0]) / 3600.0, np.zeros(2), np.zeros(4, dtype=int),
                       outlet_capacity_m3_s=4.0 / 3600.0, outlet_storage_m3=5.0, source="test")
    inflow = np.zeros((30, 2))
    inflow[2] = [3.0, 2.0]  # a: 2 m3 over its 1 m3/h; outlet: 1 + 2 = 3 below 4
    inflow[3] = [0.5, 9.0]  # outlet: 9.5 - 4 = 5.5 stored, 0.5 spills (storage 5)
    inflow[20] = [0.0, 10.0]  # a second event after 16 dry hours
    times = pd.date_range("2023-01-01 01:00", periods=30, freq="h", tz="UTC+01:00")
    res = route(inflow, net, times=times, inter_event_hours=6.0)
    assert res.flooding_m3[2, 0] == pytest.approx(2.0) and res.flooding_m3.sum() == pytest.approx(2.0)
    assert res.cso_m3[3] == pytest.approx(0.5)
    assert abs(res.balance_error_m3()) < 1e-12
    ev = res.events()
    assert len(ev) == 2
    assert ev.loc[0, "volume_m3"] == pytest.approx(2.5) and ev.loc[0, "duration_h"] == 2.0
    assert ev.loc[0, "start"] == times[2] - pd.Timedelta(hours=1)
    assert ev.loc[1, "volume_m3"] == pytest.approx(1.0)  # 10 in, 4 out, 5 stored (4 left from before drained)
    merged = route(inflow, net, times=times, inter_event_hours=24.0).events()
    assert len(merged) == 1 and merged.loc[0, "volume_m3"] == pytest.approx(3.5)


# ----------------------------------------------------------------------------- vegetation
def test_vegetation_forcing_partitions_the_demand_and_closes_the_canopy_balance():
    veg = read_vegetation_table()["trees"]
    rng = np.random.default_rng(3)
    n = 24 * 60
    et0 = np.clip(rng.normal(0.15, 0.15, n), -0.02, None)
    rain = np.where(rng.random(n) < 0.1, rng.exponential(1.5, n), 0.0)
    doy = 150 + np.arange(n) // 24
    vf = vegetation_forcing(veg, et0, rain, doy)
    assert abs(vf.canopy_balance_error_m(rain / 1000.0)) < 1e-15
    kc, lai = veg.season(doy)
    demand = kc * np.maximum(et0, 0) / 1000.0
    total = (vf.evaporation_m_s + vf.transpiration_m_s) * 3600.0 + vf.interception_evaporation_m
    np.testing.assert_allclose(total, demand, rtol=1e-12, atol=1e-18)
    share = vf.transpiration_m_s / np.maximum(vf.transpiration_m_s + vf.evaporation_m_s, 1e-300)
    busy = (vf.transpiration_m_s + vf.evaporation_m_s) > 0
    np.testing.assert_allclose(share[busy], 1 - np.exp(-0.463 * lai[busy]), rtol=1e-12)
    assert vf.interception_evaporation_m.sum() > 0 and (vf.throughfall_m_s * 3600.0 <= rain / 1000.0 + 1e-15).all()
    bare = vegetation_forcing(read_vegetation_table()["bare_soil"], et0, rain, doy)
    assert bare.transpiration_m_s.sum() == 0 and np.allclose(bare.throughfall_m_s * 3600, rain / 1000)


def test_every_shipped_land_cover_class_has_a_vegetation():
    veg = read_vegetation_table()
    for row in read_landcover_vegetation().values():
        assert row.ground_vegetation in veg
    assert {"lawn", "trees", "bare_soil", "permeable_paving", "green_roof", "bioretention", "infiltration_trench"} <= set(veg)


# ----------------------------------------------------------------------------- bad input
def test_a_land_cover_without_coefficients_names_the_table_and_the_class(scene, weather, tmp_path):
    from importlib import resources

    table = tmp_path / "lc.csv"

    text = (resources.files("twin") / "data" / "soil_landcover_vegetation.csv").read_text()
    table.write_text("\n".join(line for line in text.splitlines() if not line.startswith("parking,")) + "\n")
    with pytest.raises(InputError) as err:
        run_district_year(scene, weather, _options(landcover_table=str(table)))
    assert err.value.field == "cover_class" and err.value.obj == "parking" and "lc.csv" in str(err.value)


def test_a_sewer_capacity_of_zero_is_refused(scene, weather, tmp_path):
    from importlib import resources

    text = (resources.files("twin") / "data" / "soil_sewer_street_classes.csv").read_text()
    table = tmp_path / "streets.csv"
    table.write_text(text.replace("residential,yes,0.50,", "residential,yes,0,"))
    with pytest.raises(InputError) as err:
        run_district_year(scene, weather, _options(sewer=SewerOptions(street_classes_table=str(table))))
    assert err.value.field == "pipe_diameter_m" and "residential" in str(err.value) and "capacity of zero" in str(err.value)
    with pytest.raises(InputError) as err:
        run_district_year(scene, weather, _options(sewer=SewerOptions(outlet_capacity_mm_h=0.0)))
    assert err.value.field == "sewer.outlet_capacity_mm_h"


def test_cli_year_prints_kpis_balance_and_events_as_json(tmp_path):
    import json

    import yaml

    from tests.cli_harness import run_twin

    spec = {
        "name": "part of Saint-Gilles",
        "scene": [str(shared_path("brussels", f"stgilles_{k}_osm2013.geojson")) for k in ("buildings", "landcover", "streets")],
        "weather": str(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")),
        "options": {"grid": {"cell_size_m": 25.0, "bounds": list(PART)}, "spinup_days": 5},
    }
    path = tmp_path / "year.yaml"
    path.write_text(yaml.safe_dump(spec))
    res = run_twin(["soil", "year", str(path), "--json"], timeout_s=300)
    assert res.code == 0, res.stderr
    rep = json.loads(res.stdout)
    assert rep["water_balance_m3"]["relative_error"] < 1e-9
    assert set(rep["kpis"]) >= {"runoff_m3", "recharge_m3", "et_m3", "sewer_overflow_m3", "plant_stress_days", "theta_p50"}
    assert rep["columns"]["integrated"] <= rep["columns"]["column_entries"]
    text = run_twin(["soil", "year", str(path)], timeout_s=300)
    assert text.code == 0 and "water balance" in text.stdout and "sewer overflow events" in text.stdout
