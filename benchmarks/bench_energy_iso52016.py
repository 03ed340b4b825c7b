"""Benchmark of the finer zone model kernel (kernels/energy_iso52016.py) next to its Python loop and the 5R1C kernel.

Run:  python benchmarks/bench_energy_iso52016.py [--exterior fixed|doe2] [--control air|operative] [N ...]
      (defaults: fixed, air; 1000 10000 100000)
      pytest benchmarks/bench_energy_iso52016.py -s -m "not slow"   (1k only; the 100k case is marked slow)

* Buildings: networks of the BESTEST 600 (light) and 900 (heavy) specs and four variants each
  (insulation x0.5 / x2, glazing x0.5 / x1.5) built by ``twin.energy.iso52016`` on the Uccle EPW
  of ``data_samples`` (Denver when it is missing); every network is then perturbed (conductances
  and capacities times U(0.8, 1.2), one factor per node / link) to 500 distinct buildings, whose
  modal arrays are tiled to N buildings. Same inputs for all: outdoor temperature, gain schedule,
  7 irradiance groups; heating 20 degC with a 16 degC night setback, cooling 26 degC by day,
  a night ventilation fan on half of the buildings; aggregates only (annual, monthly, peaks,
  temperatures). The validated model: tarp interior convection and the glazing gap link of every
  window (``build_stock(glazed=False)``: constant glazing conductance).
* The Python loop is ``tests/energy_iso52016_reference.py`` (one linear solve per hour, the same
  model) on 2 buildings x 8760 h, scaled per building-year; the 5R1C kernel
  (``twin.energy.simulate.run_kernel``) runs the same number of buildings on the standard
  drivers (11 groups) of the same weather.
* Wall time and CPU time (process, all threads) are printed; the ratios use wall time (best of
  the rounds) and CPU time. Numba threads: ``TWIN_NUMBA_THREADS`` (the machine is shared).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.* helpers

REPO = Path(__file__).resolve().parents[1]
UCCLE = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
SPECS = REPO / "tests" / "energy_data"
N_DISTINCT = 500


def _weather():
    from twin.ingest.epw import read_epw

    if UCCLE.exists():
        return read_epw(UCCLE)
    from tests.conftest import SHARED_DATA

    return read_epw(SHARED_DATA / "weather" / "USA_CO_Denver.Intl.AP.725650_TMY3.epw")


def _variants(spec):
    """The spec, insulation x0.5 / x2, glazing x0.5 / x1.5 (same surface groups)."""
    out = [spec]
    for f in (0.5, 2.0):
        env = spec.envelope
        layers = [lay.model_copy(update={"thickness_m": lay.thickness_m * f}) if lay.conductivity_w_mk < 0.08 else lay for lay in env.wall.layers]
        out.append(spec.model_copy(update={"envelope": env.model_copy(update={"wall": env.wall.model_copy(update={"layers": layers})})}))
    for f in (0.5, 1.5):
        wins = [w.model_copy(update={"width_m": w.width_m * f}) for w in spec.windows]
        out.append(spec.model_copy(update={"windows": wins}))
    return out


def build_stock(n_b: int, seed: int = 1, glazed: bool = True, exterior: str = "fixed", control: str = "air"):
    """Kernel arrays of ``n_b`` buildings, the drivers and the base networks.

    ``glazed``: every window with the glazing gap link of the validated model (the BESTEST specs'
    ``glazing_gap``); False: the constant glazing conductance. ``exterior``: ``fixed`` (the stock's
    films) or ``doe2`` (the BESTEST specs' hourly wind-dependent exterior links, the configuration
    BESTEST validates). ``control``: the temperature the setpoints apply to, ``air`` (BESTEST) or
    ``operative`` (ISO 52016-1, the stock's default).
    """
    from twin.energy.iso52016 import Network, build_network, load_spec_iso52016, modal_arrays, stack_buildings

    weather = _weather()
    nets = []
    drv = None
    for case in ("600", "900"):
        spec0 = load_spec_iso52016(SPECS / f"bestest_{case}.yaml")
        # the stock's exterior surfaces: the fixed films (the specs' hourly DOE-2 exterior links are a spec option the
        # stock does not set; docs/energy_iso52016.md, "The exterior surfaces")
        spec0 = spec0.model_copy(update={"simulation": spec0.simulation.model_copy(update={"exterior_convection": exterior,
                                                                                            "control_temperature": control})})
        for spec in _variants(spec0):
            net, d, _ = build_network(spec, weather, glazing=None if glazed else [None] * len(spec.windows))  # None: the spec's glazing_gap
            nets.append(net)
            drv = d if drv is None else drv
    rng = np.random.default_rng(seed)
    models = []
    for i in range(min(N_DISTINCT, n_b)):
        base = nets[i % len(nets)]
        n = len(base.names)
        off = base.k_w_k - np.diag(np.diag(base.k_w_k))
        fac = rng.uniform(0.8, 1.2, (n, n))
        fac = np.triu(fac, 1) + np.triu(fac, 1).T
        k_off = off * fac
        bound = base.f_in[:, 0] * rng.uniform(0.8, 1.2, n)
        k = k_off - np.diag(k_off.sum(axis=1)) + np.diag(bound)
        f = base.f_in.copy()
        f[:, 0] = bound
        # hourly links (interior convection, glazing gaps): the base coefficient follows the perturbed link
        other = np.full(len(base.conv_node), base.air) if base.conv_other is None else base.conv_other
        # a link to the outdoor air (other -1) follows its node's perturbed film
        scale = np.where(other >= 0, fac[base.conv_node, np.maximum(other, 0)], (bound / np.where(base.f_in[:, 0] != 0, base.f_in[:, 0], 1.0))[base.conv_node])
        h0 = base.conv_h0_w_m2k * scale
        net = Network(base.names, base.c_j_k * rng.uniform(0.8, 1.2, n), k, f, base.inputs, base.air, base.h_ve_sched_w_k, {},
                      base.conv_node, base.conv_area_m2, h0, base.conv_c_pos, base.conv_c_neg,
                      base.conv_other, base.conv_kind, base.conv_partner, base.conv_gap, base.control_weights)
        models.append(modal_arrays(net))
    distinct = stack_buildings(models)
    idx = np.arange(n_b) % len(models)
    stacked = {key: np.ascontiguousarray(val[idx]) for key, val in distinct.items()}
    return stacked, drv, nets


def _drivers_arrays(drv, wind: bool = False):
    n_h = len(drv.time)
    hour = np.arange(n_h) % 24
    heat = np.where((hour >= 7) & (hour < 23), 20.0, 16.0)
    cool = np.where((hour >= 8) & (hour < 19), 26.0, np.nan)
    vent = np.where((hour < 7) | (hour >= 19), 1.0, 0.0)
    return {
        "t_out_c": np.asarray(drv.t_out_c, float),
        "irr_hg": np.ascontiguousarray(np.asarray(drv.irr_w_m2, float).T),
        "month": drv.month_index(),
        "gain_schedule": np.where((hour >= 8) & (hour < 18), 1.0, 0.5),
        "heat_setpoint_c": heat,
        "cool_setpoint_c": cool,
        "ve_schedule": np.vstack([np.zeros(n_h), vent]),
        **({"wind_speed_m_s": drv.wind_speed_m_s, "wind_dir_deg": drv.wind_dir_deg} if wind else {}),
    }


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def run_kernel_timed(stacked, arrays, rounds: int = 2) -> tuple[float, float, object]:
    from twin.energy.iso52016 import run_kernel

    n_b = stacked["lam"].shape[0]
    ve_profile = np.arange(n_b) % 2
    best_wall, best_cpu, out = np.inf, np.inf, None
    for _ in range(rounds):
        w0, c0 = time.perf_counter(), _cpu()
        out = run_kernel(
            stacked,
            **arrays,
            h_ve_sched_w_k=np.full(n_b, 650.0),
            ve_profile=ve_profile,
            phi_h_max_w=np.inf,
            phi_c_max_w=np.inf,
            warmup_hours=336,
        )
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, _cpu() - c0)
    return best_wall, best_cpu, out


def python_loop_seconds_per_building_year(nets, arrays, n: int = 2) -> tuple[float, float]:
    from tests.energy_iso52016_reference import simulate_network_reference

    w0, c0 = time.perf_counter(), _cpu()
    for net in nets[:n]:
        simulate_network_reference(
            net,
            t_out_c=arrays["t_out_c"],
            irr_hg=arrays["irr_hg"],
            gain_schedule=arrays["gain_schedule"],
            heat_setpoint_c=arrays["heat_setpoint_c"],
            cool_setpoint_c=arrays["cool_setpoint_c"],
            ve_schedule=arrays["ve_schedule"][1],
            month=arrays["month"],
            warmup_hours=336,
            wind_speed_m_s=arrays.get("wind_speed_m_s"),
            wind_dir_deg=arrays.get("wind_dir_deg"),
        )
    return (time.perf_counter() - w0) / n, (_cpu() - c0) / n


def five_r1c_seconds(n_b: int, weather) -> tuple[float, float]:
    from tests.energy_synthetic import synthetic_drivers, synthetic_stock
    from twin.energy.simulate import run_kernel
    from twin.energy.solar import standard_drivers

    base = synthetic_drivers(8760, seed=3)
    d = standard_drivers(weather, gain_schedule=base.gain_schedule, heat_setpoint_c=base.heat_setpoint_c, cool_setpoint_c=base.cool_setpoint_c)
    inp = synthetic_stock(n_b, seed=11)
    run_kernel(synthetic_stock(10, seed=1), d, warmup_hours=336)  # compile / load
    best = (np.inf, np.inf)
    for _ in range(2):
        w0, c0 = time.perf_counter(), _cpu()
        run_kernel(inp, d, warmup_hours=336)
        best = (min(best[0], time.perf_counter() - w0), min(best[1], _cpu() - c0))
    return best


def bench(n_b: int, exterior: str = "fixed", control: str = "air") -> dict:
    from twin.kernels.config import threads_from_env

    stacked, drv, nets = build_stock(n_b, exterior=exterior, control=control)
    arrays = _drivers_arrays(drv, wind=exterior != "fixed")
    run_kernel_timed({k: v[:2] for k, v in stacked.items()}, arrays, rounds=1)  # compile / load from cache
    wall, cpu, out = run_kernel_timed(stacked, arrays, rounds=2 if n_b < 100_000 else 1)
    assert np.all(np.isfinite(out.heat_wh)) and out.heat_wh.min() > 0
    py_wall, py_cpu = python_loop_seconds_per_building_year(nets, arrays)
    r_wall, r_cpu = five_r1c_seconds(n_b, _weather())
    n_h = len(arrays["t_out_c"])
    fig = {
        "buildings": n_b,
        "hours": n_h,
        "exterior": exterior,
        "control": control,
        "links_max": int(stacked["conv_gv"].shape[1]),
        "modes_max": int(stacked["lam"].shape[1]),
        "inputs": int(stacked["w_in"].shape[1]),
        "threads": threads_from_env(),
        "wall_s": wall,
        "cpu_s": cpu,
        "ns_per_building_hour_cpu": cpu / (n_b * n_h) * 1e9,
        "python_loop_s_per_building_year": py_wall,
        "speedup_vs_python_wall": py_wall * n_b / wall,
        "speedup_vs_python_cpu": py_cpu * n_b / cpu,
        "five_r1c_wall_s": r_wall,
        "five_r1c_cpu_s": r_cpu,
        "ratio_to_5r1c_wall": wall / r_wall,
        "ratio_to_5r1c_cpu": cpu / r_cpu,
        "max_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "load_1min": os.getloadavg()[0],
    }
    print(
        f"{n_b:,} buildings x {n_h} h, exterior {exterior} ({fig['links_max']} hourly links), control {control}: finer model {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"({fig['ns_per_building_hour_cpu']:.1f} ns CPU per building-hour, {fig['modes_max']} modes, {fig['inputs']} inputs); "
        f"Python loop {py_wall:.2f} s per building-year -> x{fig['speedup_vs_python_wall']:.0f} (wall), x{fig['speedup_vs_python_cpu']:.0f} (CPU); "
        f"5R1C kernel {r_wall:.2f} s wall, {r_cpu:.2f} s CPU -> finer / 5R1C = {fig['ratio_to_5r1c_wall']:.1f} (wall), {fig['ratio_to_5r1c_cpu']:.1f} (CPU); "
        f"max RSS {fig['max_rss_gb']:.2f} GB; load {fig['load_1min']:.1f}; threads {fig['threads']}",
        flush=True,
    )
    return fig


def test_bench_1k():
    fig = bench(1000)
    assert fig["speedup_vs_python_cpu"] > 1.0  # a sanity bound; the figure is printed (no wall-clock assert)


@pytest.mark.slow
def test_bench_100k():
    bench(100_000)


if __name__ == "__main__":
    # usage: python benchmarks/bench_energy_iso52016.py [--exterior fixed|doe2] [--control air|operative] [N ...]
    args = sys.argv[1:]
    opts = {"--exterior": "fixed", "--control": "air"}
    for flag in opts:
        if flag in args:
            k = args.index(flag)
            opts[flag] = args[k + 1]
            args = args[:k] + args[k + 2:]
    for n in [int(a) for a in args] or [1000, 10_000, 100_000]:
        bench(n, exterior=opts["--exterior"], control=opts["--control"])
