"""The finer model's setpoints on the operative temperature (ISO 52016-1 §6.5.5; issue 13).

``control_temperature: operative`` (spec ``simulation.control_temperature``, the stock's
``Conventions.control_temperature``, its default) controls half the air temperature plus half the
area-weighted mean of the interior surface temperatures instead of the air temperature.

* Kernel = the plain hour-by-hour reference (which interpolates the heating on ``c . x``) on
  random networks with random control weights, air and operative lanes mixed in one batch, with
  convective links; on the BESTEST 600 and 900 specs (interior TARP links, glazing gap links,
  DOE-2 exterior links) and on a TABULA stock zone, over a year.
* Steady state against linear algebra: at constant outdoor air, no sun, no gains, the heating
  that holds ``c . x`` at 20 degC solves ``K x = F u + e_air P`` with ``c . x = 20`` (one solve,
  no time stepping, no modal form); the air is then above 20 degC and the surfaces below.
* Inputs: the spec key, the stock conventions and the 5R1C note.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.conftest import shared_path
from tests.energy_iso52016_reference import simulate_network_reference
from tests.test_energy_iso52016_kernel import _compare, _random_network, _spec_drivers_kw, _synthetic_drivers, _with_convective_links
from twin.energy.iso52016 import build_network, load_spec_iso52016, modal_arrays, run_kernel, stack_buildings

DENVER = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")
UCCLE = ("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
DATA = __import__("pathlib").Path(__file__).parent / "energy_data"


def _operative(spec):
    return spec.model_copy(update={"simulation": spec.simulation.model_copy(update={"control_temperature": "operative"})})


def test_kernel_agrees_with_reference_mixed_control_random_networks():
    """Twelve random networks in one batch, every other one controlled on random node weights
    (a made-up 'operative' temperature), half of them with hourly convective links."""
    rng = np.random.default_rng(11)
    n_h, n_g = 1500, 4
    drv = _synthetic_drivers(rng, n_h, n_g)
    nets = []
    for i, n in enumerate(rng.integers(3, 31, 12)):
        net = _random_network(rng, int(n), n_g)
        if i % 4 >= 2:
            net = _with_convective_links(rng, net)
        if i % 2:
            w = rng.random(len(net.names)) * (rng.random(len(net.names)) < 0.6)
            w[net.air] += 1.0
            net.control_weights = w / w.sum()
        nets.append(net)
    kw = {key: drv[key] for key in ("t_out_c", "irr_hg", "gain_schedule", "heat_setpoint_c", "cool_setpoint_c", "ve_schedule", "month")}
    st = stack_buildings([modal_arrays(net) for net in nets])
    assert st["control_operative"].tolist() == [bool(i % 2) for i in range(12)]
    out = run_kernel(st, **kw, h_ve_sched_w_k=np.array([net.h_ve_sched_w_k for net in nets]), phi_h_max_w=np.inf, phi_c_max_w=np.inf,
                     warmup_hours=200, hourly=True)
    for i, net in enumerate(nets):
        _compare(out, i, simulate_network_reference(net, **kw, warmup_hours=200))
        if i % 2:  # the control changes the result (not the air control twice)
            air = replace(net, control_weights=None)
            assert not np.allclose(simulate_network_reference(air, **kw, warmup_hours=200)["phi_hc_w"], out.hourly_phi_hc_w[i], rtol=1e-3)


@pytest.mark.parametrize("case", ["600", pytest.param("900", marks=pytest.mark.slow)])
def test_kernel_agrees_with_reference_bestest_operative(case):
    """The BESTEST spec's whole network (TARP, glazing gap and DOE-2 exterior links) on the operative temperature, Denver year."""
    from twin.ingest.epw import read_epw

    denver = read_epw(shared_path(*DENVER))
    spec = _operative(load_spec_iso52016(DATA / f"bestest_{case}.yaml"))
    net, drv, info = build_network(spec, denver)
    assert net.control_weights is not None and net.control_weights[net.air] == 0.5
    assert net.control_weights.sum() == pytest.approx(1.0, rel=1e-12)
    assert info["exterior_links"] > 0 and info["glazing_gap_links"] == 1
    kw = _spec_drivers_kw(drv)
    out = run_kernel(stack_buildings([modal_arrays(net)]), **kw, h_ve_sched_w_k=net.h_ve_sched_w_k, phi_h_max_w=np.inf,
                     phi_c_max_w=np.inf, warmup_hours=720, hourly=True)
    _compare(out, 0, simulate_network_reference(net, **kw, warmup_hours=720, a_f_m2=48.0))
    air, _, _ = build_network(load_spec_iso52016(DATA / f"bestest_{case}.yaml"), denver)
    base = run_kernel(stack_buildings([modal_arrays(air)]), **kw, h_ve_sched_w_k=air.h_ve_sched_w_k, phi_h_max_w=np.inf, phi_c_max_w=np.inf,
                      warmup_hours=720)
    assert out.heat_wh[0] > base.heat_wh[0]  # the surfaces are colder than the air in winter: more heat for the same operative 20 degC


def _stock_zone(control: str, interior_convection: str = "tarp"):
    from tests.test_energy_stock_bad_input import row_scene
    from twin.energy.model import Conventions, build_envelope
    from twin.energy.stock_iso52016 import zones_from_envelope

    env = build_envelope(row_scene(3))
    zones, errs, _ = zones_from_envelope(env, conventions=Conventions(control_temperature=control))
    assert errs == []
    return zones[0]


def test_steady_state_operative_heating_against_linear_algebra():
    """Constant outdoor air (-5 degC), no sun, no gains, fixed films: after 3,000 h the kernel's
    heating equals the steady-state solution of ``K x = F u + e_air P`` with ``c . x = 20``."""
    from twin.energy.solar import standard_drivers
    from twin.energy.stock_iso52016 import zone_network
    from twin.ingest.epw import read_epw

    groups = tuple(standard_drivers(read_epw(shared_path(*UCCLE))).groups)
    net = zone_network(_stock_zone("operative"), groups, interior_convection="fixed")
    c = net.control_weights
    te = -5.0
    u = np.zeros(len(net.inputs))
    u[0] = te
    k_inv_f = np.linalg.solve(net.k_w_k, net.f_in @ u)
    k_inv_e = np.linalg.solve(net.k_w_k, np.eye(len(net.names))[net.air])
    p_ss = (20.0 - c @ k_inv_f) / (c @ k_inv_e)
    x_ss = k_inv_f + p_ss * k_inv_e
    n_h = 3000
    out = run_kernel(
        stack_buildings([modal_arrays(net)]), t_out_c=np.full(n_h, te), irr_hg=np.zeros((n_h, len(groups))), month=np.zeros(n_h, dtype=np.int64),
        gain_schedule=np.zeros(n_h), heat_setpoint_c=np.full(n_h, 20.0), cool_setpoint_c=np.full(n_h, np.nan), ve_schedule=np.zeros(n_h),
        h_ve_sched_w_k=0.0, phi_h_max_w=np.inf, phi_c_max_w=np.inf, warmup_hours=n_h, hourly=True,
    )
    assert out.hourly_phi_hc_w[0, -1] == pytest.approx(p_ss, rel=1e-6)
    assert out.hourly_t_air_c[0, -1] == pytest.approx(x_ss[net.air], abs=1e-6)
    assert x_ss[net.air] > 20.0  # the air above the setpoint, the mean radiant temperature below it
    air_net = zone_network(_stock_zone("air"), groups, interior_convection="fixed")
    p_air = (20.0 - np.linalg.solve(air_net.k_w_k, air_net.f_in @ u)[air_net.air]) / np.linalg.solve(air_net.k_w_k, np.eye(len(air_net.names))[air_net.air])[air_net.air]
    assert p_ss > p_air


@pytest.mark.slow
def test_stock_zone_operative_equals_reference():
    """A TABULA-typology stock zone (tarp links) on the operative temperature: kernel = reference over the Uccle year."""
    from twin.energy.solar import standard_drivers
    from twin.energy.stock_iso52016 import zone_network
    from twin.ingest.epw import read_epw

    w = read_epw(shared_path(*UCCLE))
    drv = standard_drivers(w, heat_setpoint_c=np.full(len(w.data), 20.0))
    zone = _stock_zone("operative")
    net = zone_network(zone, tuple(drv.groups))
    kw = _spec_drivers_kw(drv)
    out = run_kernel(stack_buildings([modal_arrays(net)]), **kw, h_ve_sched_w_k=net.h_ve_sched_w_k, phi_h_max_w=np.inf, phi_c_max_w=np.inf,
                     warmup_hours=720, hourly=True)
    _compare(out, 0, simulate_network_reference(net, **kw, warmup_hours=720, a_f_m2=zone.a_f_m2))


def test_control_temperature_inputs(tmp_path):
    from twin.energy.model import Conventions
    from twin.energy.spec import load_spec
    from twin.energy.spec_scope import ignored_inputs
    from twin.energy.stock_iso52016 import check_conventions
    from twin.errors import InputError, SchemaError

    assert Conventions().control_temperature == "operative"  # the stock's default: ISO 52016-1's
    spec = load_spec(DATA / "bestest_600.yaml")
    assert spec.simulation.control_temperature == "air"  # the BESTEST thermostat senses the air
    fields = [i.field for i in ignored_inputs(_operative(spec), "5r1c")]
    assert "simulation.control_temperature" in fields and "simulation.control_temperature" not in [i.field for i in ignored_inputs(spec, "5r1c")]
    with pytest.raises(InputError, match="unknown control temperature 'radiant'") as exc:
        check_conventions(Conventions(control_temperature="radiant"))
    assert exc.value.field == "energy.control_temperature"
    doc = __import__("yaml").safe_load((DATA / "bestest_600.yaml").read_text(encoding="utf-8"))
    doc.setdefault("simulation", {})["control_temperature"] = "globe"
    path = tmp_path / "globe.yaml"
    path.write_text(__import__("yaml").safe_dump(doc), encoding="utf-8")
    with pytest.raises(SchemaError) as exc:
        load_spec(path)
    assert "control_temperature" in str(exc.value) and "operative" in str(exc.value)


def test_control_temperature_options_bad_input(tmp_path):
    from tests.cli_harness import assert_one_line_error, run_twin
    from tests.test_energy_stock_iso52016_options import _scenario
    from twin.errors import ScenarioError
    from twin.scenario.engines.energy import _conventions
    from twin.scenario.schema import parse_scenario

    assert _conventions(parse_scenario(_scenario(model="iso52016")).energy).control_temperature == "operative"
    assert _conventions(parse_scenario(_scenario(model="iso52016", control_temperature="air")).energy).control_temperature == "air"
    with pytest.raises(ScenarioError, match="finer model only"):
        parse_scenario(_scenario(control_temperature="air"))  # with 5r1c: changes nothing
    res = run_twin(["energy", "run", str(tmp_path / "none"), "--control-temperature", "air", "-o", str(tmp_path / "out")])
    assert_one_line_error(res, contains=("--control-temperature", "finer model only", "--model iso52016"))
    res = run_twin(["energy", "run", str(tmp_path / "none"), "--model", "iso52016", "--control-temperature", "globe", "-o", str(tmp_path / "out")])
    assert_one_line_error(res, contains=("--control-temperature", "'globe'", "air, operative"))
