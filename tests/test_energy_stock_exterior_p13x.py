"""The stock's finer model with the wind-dependent exterior surfaces the BESTEST cases validate.

``Conventions.exterior_convection: doe2`` (scenario ``energy.exterior_convection``) gives every
exterior wall, roof and window of a stock zone the spec path's hourly exterior link (DOE-2
convection with the wind at the surface, linearised long-wave; :mod:`twin.energy.stock_iso52016`).

* The mapping: each surface's entry (azimuth, roughness multiplier, wind at its height, emissivity,
  natural-convection coefficients) against the EnergyPlus Engineering Reference's formulas and
  tables written out here, and the network has one link per exterior surface and window.
* The kernel on a stock zone with those links equals the plain hour-by-hour reference
  (``tests/energy_iso52016_reference.py``) over the Uccle year to 1e-9.
* The TABULA check through the finer model with the links (printed; the film correction of the
  5R1C path does not apply).
* Bad input: the links with the 5R1C model, terrain or roughness without the links, a weather
  file without wind, an unknown terrain.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path


def _eplus_wind_factor(terrain_exponent: float, layer_m: float, z_m: float) -> float:
    """EnergyPlus Engineering Reference, "Local Wind Speed Calculations": V_z / V_met for a
    station at 10 m in open country (exponent 0.14, boundary layer 270 m)."""
    return (270.0 / 10.0) ** 0.14 * (z_m / layer_m) ** terrain_exponent


def test_stock_zone_surfaces_get_the_exterior_links(weather):
    from tests.test_energy_stock_bad_input import row_scene
    from twin.energy.model import Conventions, build_envelope
    from twin.energy.solar import standard_drivers
    from twin.energy.stock_iso52016 import zone_network, zones_from_envelope

    scene = row_scene(3)
    env = build_envelope(scene)
    conv = Conventions(exterior_convection="doe2", terrain="city", roughness="rough")
    zones, errs, layers = zones_from_envelope(env, conventions=conv)
    assert errs == [] and all(z.exterior_convection == "doe2" for z in zones)
    height = scene.buildings["height_m"].to_numpy(dtype=float)
    # EnergyPlus: City terrain exponent 0.33, boundary layer 460 m; roughness "Rough" R_f 1.67,
    # glass "VerySmooth" 1.00; TARP natural convection 1.31 (vertical)
    azimuth = {"n": 0.0, "e": 90.0, "s": 180.0, "w": 270.0}
    groups = tuple(standard_drivers(weather).groups)
    for z, h in zip(zones, height):
        n_links = 0
        for s in z.surfaces:
            if s["name"] == "floor":
                assert s.get("exterior_wind") is None
                continue
            if s["boundary"] != "exterior":
                continue
            n_links += s["area_m2"] > 0  # the network leaves out a surface without area (an end wall of the row)
            az, r_f, fz, eps, c_warm, c_cold = s["exterior_wind"]
            if s["name"] == "roof":
                assert az == -1.0 and fz == pytest.approx(_eplus_wind_factor(0.33, 460.0, h), rel=1e-12)
                assert c_warm == pytest.approx(9.482 / 6.238) and c_cold == pytest.approx(1.810 / 2.382)
            else:
                assert az == azimuth[s["name"][-1]] and fz == pytest.approx(_eplus_wind_factor(0.33, 460.0, h / 2), rel=1e-12)
                assert c_warm == c_cold == 1.31
            assert r_f == 1.67 and eps == s["construction"].emissivity
        for w in z.windows:
            n_links += 1
            az, r_f, fz, eps, _, _ = w["exterior_wind"]
            assert r_f == 1.00 and az == azimuth[w["group"][-1]] and fz == pytest.approx(_eplus_wind_factor(0.33, 460.0, h / 2), rel=1e-12)
        assert n_links >= 5
        net = zone_network(z, groups)
        assert net.info["exterior_links"] == n_links
    np.testing.assert_array_equal(layers["exterior_height_m"].to_numpy(), height)
    assert (layers["exterior_height_source"] == "scene height_m").all()


def test_height_falls_back_to_volume_over_ground_floor():
    from tests.test_energy_stock_bad_input import row_scene
    from twin.energy.model import Conventions, build_envelope
    from twin.energy.stock_iso52016 import zones_from_envelope

    env = build_envelope(row_scene(2))
    env.loc[0, "height_m"] = np.nan
    zones, errs, layers = zones_from_envelope(env, conventions=Conventions(exterior_convection="doe2"))
    assert errs == []
    expected = env.loc[0, "volume_m3"] / env.loc[0, "a_floor_m2"]
    assert layers.loc[0, "exterior_height_m"] == pytest.approx(expected)
    assert layers.loc[0, "exterior_height_source"].startswith("inference")
    assert layers.loc[1, "exterior_height_source"] == "scene height_m"


@pytest.mark.slow
def test_stock_zone_with_exterior_links_equals_plain_reference(weather):
    """Kernel vs the plain reference (matrix rebuilt and coefficients written out every hour) on a
    stock zone with its exterior links, the stock's own drivers (Uccle wind), a year."""
    from tests.energy_iso52016_reference import simulate_network_reference
    from tests.test_energy_iso52016_kernel import _compare
    from tests.test_energy_stock_bad_input import row_scene
    from twin.energy.iso52016 import modal_arrays, run_kernel, stack_buildings
    from twin.energy.model import Conventions
    from twin.energy.stock import prepare_stock
    from twin.energy.stock_iso52016 import zone_network, zones_from_envelope

    conv = Conventions(exterior_convection="doe2", terrain="suburbs", external_shading="none")
    prep = prepare_stock(row_scene(2), weather, model="iso52016", conventions=conv)
    drv = prep.drivers
    assert drv.wind_speed_m_s is not None
    zones, errs, _ = zones_from_envelope(prep.envelope, conventions=conv)
    net = zone_network(zones[1], tuple(drv.groups))  # the middle of the row: two party walls
    assert net.info["exterior_links"] > 0
    profile = int(np.asarray(prep.setpoint_profile)[1])

    def row(a):
        return np.asarray(a, dtype=float)[profile] if np.ndim(a) == 2 else np.asarray(a, dtype=float)

    kw = {
        "t_out_c": drv.t_out_c, "irr_hg": np.asarray(drv.irr_w_m2).T, "gain_schedule": row(drv.gain_schedule),
        "heat_setpoint_c": row(drv.heat_setpoint_c), "cool_setpoint_c": row(drv.cool_setpoint_c), "ve_schedule": row(drv.ve_schedule),
        "month": drv.month_index(), "wind_speed_m_s": drv.wind_speed_m_s, "wind_dir_deg": drv.wind_dir_deg,
    }
    st = stack_buildings([modal_arrays(net)])
    out = run_kernel(st, **kw, h_ve_sched_w_k=net.h_ve_sched_w_k, phi_h_max_w=np.inf, phi_c_max_w=np.inf, warmup_hours=720, hourly=True)
    ref = simulate_network_reference(net, **kw, warmup_hours=720, a_f_m2=zones[1].a_f_m2)
    _compare(out, 0, ref)
    assert out.heat_wh[0] > 0


@pytest.mark.slow
def test_tabula_through_finer_model_with_exterior_links(weather):
    """TABULA's 36 Belgian reference buildings through the finer model with the exterior links
    (terrain city, the height of the conditioned volume over the ground floor): printed next to the fixed films; the wind
    film is below ISO 6946's R_se = 0.04 m2K/W convention, so every building needs less heat."""
    from twin.energy.model import TABULA_CONVENTIONS, envelope_from_tabula
    from twin.energy.solar import standard_drivers
    from twin.energy.stock_iso52016 import simulate_envelope_iso52016
    from twin.energy.typology import read_tabula

    raw = pd.read_csv(shared_path("typology", "tabula_BE.csv"))
    env = envelope_from_tabula(read_tabula(shared_path("typology", "tabula_BE.csv")))
    drivers = standard_drivers(weather, heat_setpoint_c=np.full(len(weather.data), 20.0))  # as the existing TABULA check
    q = {}
    for ext in ("fixed", "doe2"):
        conv = replace(TABULA_CONVENTIONS, exterior_convection=ext, terrain="city")
        res, layers = simulate_envelope_iso52016(env, drivers, conventions=conv, on_error="raise")
        q[ext] = res.per_building["q_heat_kwh_m2"].to_numpy() / raw["q_h_nd"].to_numpy()
    print(f"\nfiner model / TABULA q_h_nd, fixed films: {q['fixed'].min():.3f}-{q['fixed'].max():.3f} (median {np.median(q['fixed']):.3f}); "
          f"DOE-2 exterior, city: {q['doe2'].min():.3f}-{q['doe2'].max():.3f} (median {np.median(q['doe2']):.3f})")
    assert np.all(np.isfinite(q["doe2"])) and np.all(q["doe2"] < q["fixed"])
    assert layers["exterior_height_source"].str.startswith("inference").all()  # TABULA's rows have no height_m


def test_exterior_options_bad_input(weather):
    from tests.test_energy_stock_bad_input import row_scene
    from tests.test_energy_stock_iso52016_options import _scenario
    from twin.energy.model import Conventions
    from twin.energy.stock import prepare_stock
    from twin.errors import InputError, ScenarioError
    from twin.scenario.schema import parse_scenario

    ok = parse_scenario(_scenario(model="iso52016", exterior_convection="doe2", terrain="suburbs")).energy
    assert (ok.exterior_convection, ok.terrain, ok.roughness) == ("doe2", "suburbs", None)
    from twin.scenario.engines.energy import _conventions

    conv = _conventions(ok)
    assert (conv.exterior_convection, conv.terrain, conv.roughness) == ("doe2", "suburbs", "medium_rough")  # None: the default
    with pytest.raises(ScenarioError, match="finer model only"):
        parse_scenario(_scenario(exterior_convection="doe2"))  # with 5r1c: changes nothing
    with pytest.raises(ScenarioError, match="terrain is read by the wind-dependent"):
        parse_scenario(_scenario(model="iso52016", terrain="suburbs"))  # without the links: changes nothing
    with pytest.raises(ScenarioError, match="city"):
        parse_scenario(_scenario(model="iso52016", exterior_convection="doe2", terrain="downtown"))
    scene = row_scene(2)
    with pytest.raises(InputError, match="finer model only") as exc:
        prepare_stock(scene, weather, model="5r1c", conventions=Conventions(exterior_convection="doe2"))
    assert exc.value.field == "energy.exterior_convection"
    with pytest.raises(InputError, match="unknown terrain 'downtown'") as exc:
        prepare_stock(scene, weather, model="iso52016", conventions=Conventions(exterior_convection="doe2", terrain="downtown"))
    assert exc.value.field == "energy.terrain"
    calm = replace(weather, data=weather.data.drop(columns=["wind_speed_m_s", "wind_dir_deg"]))
    with pytest.raises(InputError, match="energy.exterior_convection doe2 needs the wind") as exc:
        prepare_stock(scene, calm, model="iso52016", conventions=Conventions(exterior_convection="doe2"))
    assert exc.value.field == "wind_speed_m_s" and exc.value.path == weather.source
    prepare_stock(scene, calm, model="iso52016")  # the fixed films need no wind


@pytest.mark.slow
def test_scenario_engine_runs_the_exterior_links(tmp_path):
    """The scenario's energy engine with ``energy.model: iso52016`` and ``exterior_convection: doe2``
    gives what :func:`prepare_stock` / :func:`simulate_prepared` give with the same conventions, and
    not the fixed films' result."""
    from tests.scenario_helpers import prepared_small_district
    from twin.energy.model import Conventions
    from twin.energy.stock import prepare_stock, simulate_prepared
    from twin.scenario.engines.energy import run
    from twin.scenario.schema import EnergyOptions

    district = prepared_small_district(tmp_path)
    scene = district["scene"]
    q = {}
    for ext, terrain in (("fixed", None), ("doe2", "suburbs")):
        res = run(scene, EnergyOptions(model="iso52016", exterior_convection=ext, terrain=terrain), base_dir=district["folder"])
        q[ext] = float(res.kpis["heating_need_mwh"])
    direct = simulate_prepared(prepare_stock(scene, model="iso52016", conventions=Conventions(exterior_convection="doe2", terrain="suburbs")))
    assert q["doe2"] == pytest.approx(direct.accounts["q_heat_kwh"].sum() / 1000.0, rel=1e-9)
    assert q["doe2"] < q["fixed"]


@pytest.mark.parametrize(
    "args,contains",
    [
        (["--exterior-convection", "doe2"], ("--exterior-convection", "finer model only", "--model iso52016")),
        (["--model", "iso52016", "--terrain", "suburbs"], ("--terrain", "change nothing", "--exterior-convection doe2")),
        (["--model", "iso52016", "--exterior-convection", "doe2", "--roughness", "grainy"], ("--roughness", "'grainy'", "medium_rough")),
        (["--model", "iso52016", "--exterior-convection", "wind"], ("--exterior-convection", "'wind'", "fixed, doe2")),
    ],
)
def test_cli_exterior_options_bad_input(tmp_path, args, contains):
    from tests.cli_harness import assert_one_line_error, run_twin

    res = run_twin(["energy", "run", str(tmp_path / "no_scene"), *args, "-o", str(tmp_path / "out")])
    assert_one_line_error(res, contains=contains)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_cli_run_with_the_exterior_links(tmp_path, weather):
    """``twin energy run --model iso52016 --exterior-convection doe2`` writes what the API gives with
    the same conventions, below the fixed films' need, with each building's wind height in the envelope."""
    from typer.testing import CliRunner

    from tests.test_energy_stock_bad_input import row_scene
    from twin.cli.main import app
    from twin.energy.model import Conventions
    from twin.energy.stock import prepare_stock, simulate_prepared
    from twin.export import write_scene

    folder = tmp_path / "scene"
    scene = row_scene(3)
    write_scene(scene, folder)
    args = ["energy", "run", str(folder), "--weather", weather.source, "--format", "csv", "--no-plots", "-q", "--model", "iso52016"]
    q = {}
    for ext in ("fixed", "doe2"):
        res = CliRunner().invoke(app, [*args, "-o", str(tmp_path / ext), "--exterior-convection", ext, *(["--terrain", "suburbs"] if ext == "doe2" else [])])
        assert res.exit_code == 0, res.output
        q[ext] = pd.read_csv(tmp_path / ext / "buildings.csv").set_index("building_id")["q_heat_kwh"]
    assert (q["doe2"] < q["fixed"]).all()
    api = simulate_prepared(prepare_stock(scene, weather, model="iso52016", conventions=Conventions(exterior_convection="doe2", terrain="suburbs")))
    np.testing.assert_allclose(q["doe2"].sort_index().to_numpy(), api.accounts.set_index("building_id")["q_heat_kwh"].sort_index().to_numpy(), rtol=1e-6)
    env = pd.read_csv(tmp_path / "doe2" / "envelope.csv")
    assert (env["exterior_height_m"] == 9.0).all() and (env["exterior_height_source"] == "scene height_m").all()
