"""Bad input in stock runs: one bad building is reported and left out, the others keep their results;
bad weather names the weather row. Also the IFC path of the envelope model and the CLI."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.conftest import shared_path
from twin.errors import InputError

EPW = ("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")


def row_scene(n: int = 5, *, floor_area=None):
    """``n`` terraced houses of 6 x 10 m in a row (EPSG:31370), 3 storeys, 9 m."""
    from twin.scene import Scene

    geoms = [shapely.box(150000 + 6 * i, 170000, 150006 + 6 * i, 170010) for i in range(n)]
    fa = np.full(n, 180.0) if floor_area is None else np.asarray(floor_area, dtype=float)
    frame = gpd.GeoDataFrame(
        {
            "building_id": [f"h{i}" for i in range(n)],
            "height_m": 9.0,
            "n_storeys": 3,
            "footprint_area_m2": 60.0,
            "floor_area_m2": fa,
            "construction_year": 1925.0,
            "source_format": "footprints",
        },
        geometry=geoms,
        crs="EPSG:31370",
    )
    scene = Scene()
    scene.add("buildings", frame)
    return scene


def test_row_of_houses_typology_and_party_walls(weather):
    from twin.energy.stock import run_stock

    run = run_stock(row_scene(), weather)
    env = run.envelope.set_index("building_id")
    # end houses have one neighbour (semi-detached), the middle ones two (terraced)
    assert env.loc["h0", "tabula_code"] == "BE.N.TH.01.Semi.ReEx.001.001"
    assert env.loc["h2", "tabula_code"] == "BE.N.TH.01.Gen.ReEx.001.001"
    # party walls adiabatic: a middle house has only its two 6 m street facades (2 x 6 x 9 m2 gross)
    gross = sum(env.loc["h2", f"a_{k}_{o}_m2"] for k in ("wall", "win") for o in "nesw") + env.loc["h2", "a_door_m2"]
    assert gross == pytest.approx(2 * 6 * 9.0)
    assert env.loc["h2", "a_party_m2"] == pytest.approx(2 * 10 * 9.0)
    q = run.accounts.set_index("building_id")["q_heat_kwh"]
    assert q["h2"] < q["h0"]  # fewer exterior walls, less heat


def test_zero_floor_area_is_reported_and_others_run(weather):
    from twin.energy.stock import run_stock

    good = run_stock(row_scene(), weather)
    bad = run_stock(row_scene(floor_area=[180.0, 180.0, 0.0, 180.0, 180.0]), weather)
    assert list(bad.excluded["building_id"].unique()) == ["h2"]
    row = bad.excluded.iloc[0]
    assert row["field"] == "a_f_m2" and "floor area" in row["reason"]
    assert list(bad.accounts["building_id"]) == ["h0", "h1", "h3", "h4"]
    keep = good.accounts.set_index("building_id").loc[["h0", "h1", "h3", "h4"]]
    np.testing.assert_allclose(bad.accounts.set_index("building_id")["q_heat_kwh"], keep["q_heat_kwh"], rtol=1e-12)


def test_a_stock_of_only_bad_buildings_raises_naming_one(weather):
    from twin.energy.stock import run_stock

    with pytest.raises(InputError) as exc:
        run_stock(row_scene(1, floor_area=[0.0]), weather)
    assert "building 'h0'" in str(exc.value) and exc.value.field == "a_f_m2"


def test_negative_u_value_is_reported(weather):
    from twin.energy.stock import run_stock

    run = run_stock(row_scene(), weather, overrides={"h1": {"u_wall_w_m2k": -0.5}})
    assert list(run.excluded["building_id"]) == ["h1"]
    assert run.excluded["field"].iloc[0] == "u_wall_w_m2k"
    assert "negative U" in run.excluded["reason"].iloc[0]
    assert len(run.accounts) == 4 and run.accounts["q_heat_kwh"].notna().all()


def test_nan_in_weather_names_the_row(weather):
    from twin.energy.stock import run_stock

    w = type(weather)(weather.data.copy(), weather.location, getattr(weather, "source", ""))
    w.data.iloc[100, w.data.columns.get_loc("dry_bulb_c")] = np.nan
    with pytest.raises(InputError) as exc:  # the weather gate names the file's own field (2201bf0; was t_out_c)
        run_stock(row_scene(), w)
    assert "weather row 100" in str(exc.value) and exc.value.field == "dry_bulb_c"
    assert "missing air temperature (1 hours)" in str(exc.value) and "BEL_VLG_Uccle" in str(exc.value)
    w2 = type(weather)(weather.data.copy(), weather.location, getattr(weather, "source", ""))
    w2.data.iloc[4000, w2.data.columns.get_loc("ghi_w_m2")] = np.nan
    with pytest.raises(InputError) as exc:
        run_stock(row_scene(), w2)
    assert "weather row 4000" in str(exc.value)


def test_no_weather_and_no_buildings():
    from twin.energy.stock import run_stock
    from twin.scene import Scene

    with pytest.raises(InputError, match="no weather"):
        run_stock(row_scene())
    with pytest.raises(InputError, match="no buildings"):
        run_stock(Scene(), weather=object())


def _ifc_scene():
    from twin.scene import Scene

    scene = Scene()
    scene.add(
        "buildings",
        gpd.GeoDataFrame(
            {
                "building_id": ["ifc:b"],
                "height_m": 6.0,
                "n_storeys": 2,
                "footprint_area_m2": 50.0,
                "floor_area_m2": 100.0,
                "construction_year": 2015.0,
                "source_format": "ifc",
            },
            geometry=[shapely.box(0, 0, 10, 5)],
            crs="EPSG:31370",
        ),
    )
    el = [
        # element_id, kind, area, azimuth, tilt, U, boundary
        ("w_n", "wall", 30.0, 0.0, 90.0, 0.25, "exterior"),
        ("w_e", "wall", 15.0, 90.0, 90.0, 0.25, "exterior"),
        ("w_s", "wall", 24.0, 180.0, 90.0, 0.25, "exterior"),
        ("w_w", "wall", 15.0, 270.0, 90.0, np.nan, "exterior"),
        ("w_p", "wall", 15.0, 270.0, 90.0, 1.0, "party"),
        ("g_s", "window", 6.0, 180.0, 90.0, 1.2, "exterior"),
        ("g_h", "window", 2.0, np.nan, 0.0, 1.4, "exterior"),
        ("r", "roof", 48.0, np.nan, 0.0, 0.2, "exterior"),
        ("f", "floor", 50.0, np.nan, 180.0, 0.3, "ground"),
        ("d", "door", 2.0, 0.0, 90.0, 2.0, "exterior"),
    ]
    frame = pd.DataFrame(el, columns=["element_id", "kind", "area_m2", "azimuth_deg", "tilt_deg", "u_value_w_m2k", "boundary"])
    frame["building_id"] = "ifc:b"
    scene.add("elements", frame)
    return scene


def test_ifc_envelope_from_elements():
    from twin.energy.model import envelope_from_ifc, transmission

    env = envelope_from_ifc(_ifc_scene()).iloc[0]
    assert env["a_wall_n_m2"] == 30.0 and env["a_wall_s_m2"] == 24.0 and env["a_wall_w_m2"] == 15.0
    assert env["a_win_s_m2"] == 6.0 and env["a_win_h_m2"] == 2.0 and env["a_door_m2"] == 2.0
    assert env["a_roof_m2"] == 48.0 and env["a_floor_m2"] == 50.0 and env["a_party_m2"] == 0.0
    # three walls (69 m2) carry U 0.25; the west wall (15 m2) has none and takes the TABULA U
    t = env["u_wall_w_m2k"]
    from twin.energy.typology import load_typology

    tab_u = load_typology().set_index("tabula_code").loc[env["tabula_code"], "u_wall_w_m2k"]
    assert t == pytest.approx((69 * 0.25 + 15 * tab_u) / 84)
    assert "ifc elements" in env["u_wall_w_m2k_source"] and "without U" in env["u_wall_w_m2k_source"]
    assert env["u_roof_w_m2k_source"] == "ifc elements (area-weighted)"
    # windows: area-weighted U of the vertical and the horizontal one
    assert env["u_window_w_m2k"] == pytest.approx((6 * 1.2 + 2 * 1.4) / 8)
    h_op, h_w = transmission(pd.DataFrame([env]))
    b_floor = env["b_floor"]
    tb = env["delta_u_tb_w_m2k"] * (84 + 8 + 2 + 48 + 50)
    assert h_op[0] == pytest.approx(69 * 0.25 + 15 * tab_u + 48 * 0.2 + b_floor * 50 * 0.3 + tb)
    assert h_w[0] == pytest.approx(6 * 1.2 + 2 * 1.4 + 2 * 2.0)


def test_cli_run_reports_bad_building(tmp_path):
    """``twin energy run`` on a scene folder: results written, the bad building reported, exit 0."""
    from typer.testing import CliRunner

    from twin.cli.main import app
    from twin.export import write_scene

    folder = tmp_path / "scene"
    write_scene(row_scene(floor_area=[180.0, 0.0, 180.0, 180.0, 180.0]), folder)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["energy", "run", str(folder), "--weather", str(shared_path(*EPW)), "-o", str(out), "-m", "wall_insulation"])
    assert res.exit_code == 0, res.output
    assert "excluded 1 building(s)" in res.output and "h1: a_f_m2" in res.output
    comp = gpd.read_parquet(out / "comparison.parquet")
    assert list(comp["building_id"]) == ["h0", "h2", "h3", "h4"]
    assert (comp["q_heat_kwh_after"] < comp["q_heat_kwh_before"]).all()
    for name in ("baseline/buildings.parquet", "baseline/envelope.parquet", "variant/excluded.parquet", "class_distribution.png", "monthly_balance.png"):
        assert (out / name).exists(), name
    res = CliRunner().invoke(app, ["energy", "run", str(tmp_path / "nowhere"), "-o", str(out)])
    assert res.exit_code != 0
