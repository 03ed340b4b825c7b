"""Bad-input corpus of the engine commands: energy simulate, traffic assign/simulate/access, soil column.

Every case runs the real command line in a child process (``tests.cli_harness.run_twin``, with a
time limit) and must end in exactly one ``twin: error:`` line naming the file / key / option at
fault, exit status 2, no traceback, no crash, no hang. The inputs are small edits of the
reference inputs: the BESTEST 600 spec (``tests/energy_data``), the Celia soil spec
(``tests/soil_data``), the SiouxFalls TNTP network (``../shared/data/traffic``) and a two-link
dynamic-loading scenario written here.

Decided behaviour for a run that does not converge (``twin traffic assign --max-iter 3``): the
results are printed as usual, exit status 1, and stderr holds one line ``twin: warning: not
converged ...`` and no error line (:func:`test_assign_not_converged_exits_1_with_one_warning`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.cli_harness import REPO, assert_one_line_error, assert_warning, run_twin
from tests.conftest import shared_path

ENERGY_SPEC = REPO / "tests" / "energy_data" / "bestest_600.yaml"
SOIL_SPEC = REPO / "tests" / "soil_data" / "celia1990.yaml"
EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
BUILDINGS = REPO / "data_samples" / "stgilles_buildings_osm2013.geojson"
TIMEOUT_S = 300.0  # a hang never ends; the bound leaves room for a cold Numba cache on a loaded machine

Builder = Callable[[Path], list]


# ------------------------------------------------------------------------------------ helpers
def _set(tree: dict, key: str, value) -> None:
    """Set ``a.b.0.c`` in a loaded YAML tree (``value`` DELETE removes the key)."""
    parts = key.split(".")
    node = tree
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    last = parts[-1]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


DELETE = object()


def _yaml_file(tmp: Path, base: Path, edits: dict, name: str = "spec.yaml") -> Path:
    tree = yaml.safe_load(base.read_text())
    for key, value in edits.items():
        _set(tree, key, value if value is DELETE else copy.deepcopy(value))
    path = tmp / name
    path.write_text(yaml.safe_dump(tree, sort_keys=False))
    return path


def energy(**edits) -> Builder:
    """``twin energy simulate`` on BESTEST 600 with ``edits`` (keys with ``__`` for dots)."""

    def build(tmp: Path) -> list:
        spec = _yaml_file(tmp, ENERGY_SPEC, {k.replace("__", "."): v for k, v in edits.items()})
        return ["energy", "simulate", spec, "--weather", EPW]

    return build


def energy_text(text: str) -> Builder:
    def build(tmp: Path) -> list:
        spec = tmp / "spec.yaml"
        spec.write_text(text)
        return ["energy", "simulate", spec, "--weather", EPW]

    return build


def soil(**edits) -> Builder:
    """``twin soil column`` on the Celia spec with ``edits``."""

    def build(tmp: Path) -> list:
        return ["soil", "column", _yaml_file(tmp, SOIL_SPEC, {k.replace("__", "."): v for k, v in edits.items()})]

    return build


def _sioux() -> tuple[Path, Path]:
    folder = shared_path("traffic", "tntp", "SiouxFalls")
    return folder / "SiouxFalls_net.tntp", folder / "SiouxFalls_trips.tntp"


def assign(*options: str, net_edit: Callable[[str], str] | None = None, trips_edit: Callable[[str], str] | None = None) -> Builder:
    """``twin traffic assign`` on SiouxFalls (copied and edited in the test folder)."""

    def build(tmp: Path) -> list:
        net, trips = _sioux()
        net_path, trips_path = tmp / "Sioux_net.tntp", tmp / "Sioux_trips.tntp"
        net_path.write_text(net_edit(net.read_text()) if net_edit else net.read_text())
        trips_path.write_text(trips_edit(trips.read_text()) if trips_edit else trips.read_text())
        return ["traffic", "assign", "--net", net_path, "--trips", trips_path, "-q", *[o.replace("{tmp}", str(tmp)) for o in options]]

    return build


def _net_link(text: str, k: int, column: int, value: str) -> str:
    """Replace field ``column`` of link line ``k`` (0-based among link lines) of a TNTP net."""
    lines = text.splitlines()
    body = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith(("~", "<"))]
    parts = lines[body[k]].replace(";", " ").split()
    parts[column] = value
    lines[body[k]] = "\t" + "\t".join(parts) + "\t;"
    return "\n".join(lines) + "\n"


def _net_all(text: str, column: int, value: str) -> str:
    for k in range(76):
        text = _net_link(text, k, column, value)
    return text


def _first_flow(text: str, value: str) -> str:
    """Set the flow of the first 'dest : flow;' entry of origin 1 after destination 1."""
    return text.replace("2 :    100.0;", f"2 :    {value};", 1)


def write_scenario(folder: Path, *, links: dict | None = None, demand: dict | None = None, settings: dict | None = None) -> Path:
    """Two links 0 -> 1 -> 2 (3 km, 1 km), 0.6 veh/s for 600 s; ``links``/``demand`` override columns."""
    folder.mkdir(exist_ok=True)
    pd.DataFrame({"node_id": [0, 1, 2], "x_m": [0.0, 3000.0, 4000.0], "y_m": [0.0, 0.0, 0.0]}).to_csv(folder / "nodes.csv", index=False)
    table = {
        "link_id": ["a", "b"], "from_node_id": [0, 1], "to_node_id": [1, 2], "length_m": [3000.0, 1000.0],
        "free_flow_speed_m_s": [20.0, 20.0], "jam_density_veh_m": [0.2, 0.2], "lanes": [1, 1],
        "backward_wave_speed_m_s": [5.0, 5.0], "capacity_veh_s": [0.8, 0.4],
    }  # fmt: skip
    table.update(links or {})
    pd.DataFrame(table).to_csv(folder / "links.csv", index=False)
    dem = {"origin_node_id": [0], "destination_node_id": [2], "t_start_s": [0.0], "t_end_s": [600.0], "flow_veh_s": [0.6]}
    dem.update(demand or {})
    pd.DataFrame(dem).to_csv(folder / "demand.csv", index=False)
    keys = {"deltat": 5, "tmax": 1800}
    keys.update(settings or {})
    pd.DataFrame({"key": list(keys), "value": list(keys.values())}).to_csv(folder / "scenario.csv", index=False)
    return folder


def simulate(*options: str, **scenario) -> Builder:
    def build(tmp: Path) -> list:
        folder = write_scenario(tmp / "scenario", **scenario)
        return ["traffic", "simulate", folder, *[o.replace("{tmp}", str(tmp)) for o in options]]

    return build


def access(*options: str) -> Builder:
    def build(tmp: Path) -> list:
        return ["traffic", "access", BUILDINGS, *[o.replace("{tmp}", str(tmp)) for o in options]]

    return build


def _file_in_the_way(tmp: Path) -> Path:
    blocker = tmp / "blocker"
    blocker.write_text("a file, not a folder")
    return blocker


NAN = float("nan")
INF = float("inf")

# ------------------------------------------------------------------------------------ the corpus
# (id, builder, texts the error line must hold)
ENERGY_CASES = [
    ("heating-setpoint-nan", energy(heating__setpoint_c=NAN), ("spec.yaml", "heating.setpoint_c", "finite")),
    ("cooling-setpoint-inf", energy(cooling__setpoint_c=INF), ("cooling.setpoint_c", "finite")),
    ("setpoints-inverted", energy(heating__setpoint_c=28.0), ("heating.setpoint_c", "above the cooling setpoint")),
    (
        "setpoints-inverted-in-one-hour",
        energy(heating={"schedule": {"weekday": [20.0] * 7 + [30.0] + [20.0] * 16}}),
        ("heating.schedule.weekday.7", "above the cooling"),
    ),
    ("setpoint-out-of-range", energy(heating__setpoint_c=200.0), ("heating.setpoint_c", "plausible range")),
    ("setpoint-schedule-nan", energy(cooling={"schedule": {"weekday": [27.0] * 23 + [NAN]}}), ("cooling.schedule.weekday.23",)),
    ("zone-width-negative", energy(zone__width_m=-8.0), ("zone.width_m", "greater than 0")),
    ("zone-height-zero", energy(zone__height_m=0.0), ("zone.height_m",)),
    ("zone-depth-huge", energy(zone__depth_m=1e9), ("zone.depth_m", "less than or equal")),
    ("window-u-negative", energy(windows__0__u_w_m2k=-3.0), ("windows.0.u_w_m2k",)),
    ("window-u-unit-slip", energy(windows__0__u_w_m2k=300.0), ("windows.0.u_w_m2k",)),
    ("window-area-above-wall", energy(windows__0__count=5), ("windows.0", "exceed the facade area")),
    ("window-wider-than-wall", energy(windows__0__width_m=30.0, windows__0__count=1), ("windows.0.width_m", "exceeds")),
    ("window-g-above-1", energy(windows__0__g=1.5), ("windows.0.g",)),
    ("window-on-adiabatic-facade", energy(envelope__adiabatic_facades=["south"]), ("windows.0.facade", "adiabatic")),
    ("layer-conductivity-negative", energy(envelope__wall__layers__1__conductivity_w_mk=-0.04), ("envelope.wall.layers.1.conductivity_w_mk",)),
    ("layer-thickness-nan", energy(envelope__wall__layers__0__thickness_m=NAN), ("envelope.wall.layers.0.thickness_m", "finite")),
    ("layer-density-huge", energy(envelope__roof__layers__0__density_kg_m3=1e9), ("envelope.roof.layers.0.density_kg_m3",)),
    ("layer-heat-capacity-negative", energy(envelope__floor__layers__1__heat_capacity_j_kgk=-1.0), ("envelope.floor.layers.1.heat_capacity_j_kgk",)),
    ("infiltration-negative", energy(ventilation__infiltration_ach=-0.5), ("ventilation.infiltration_ach",)),
    ("heat-recovery-above-1", energy(ventilation={"mechanical_m3_h": 100.0, "heat_recovery": 1.5}), ("ventilation.heat_recovery",)),
    ("air-density-unit-slip", energy(ventilation={"infiltration_ach": 0.5, "air_density_kg_m3": 1000.0}), ("ventilation.air_density_kg_m3",)),
    ("gains-power-nan", energy(gains__power_w=NAN), ("gains.power_w", "finite")),
    ("gains-convective-fraction-2", energy(gains__convective_fraction=2.0), ("gains.convective_fraction",)),
    ("gain-schedule-negative", energy(gains__schedule={"weekday": [1.0] * 3 + [-1.0] + [1.0] * 20}), ("gains.schedule.weekday.3",)),
    ("heat-capacity-negative", energy(mass={"c_m_j_k": -1.0}), ("mass.c_m_j_k",)),
    ("power-limit-negative", energy(heating={"setpoint_c": 20.0, "power_max_w": -10.0}), ("heating.power_max_w",)),
    ("albedo-above-1", energy(site__albedo=2.0), ("site.albedo",)),
    ("horizon-above-90", energy(site__horizon_deg=[95.0] * 36), ("site.horizon_deg.0",)),
    ("warmup-negative", energy(simulation__warmup_hours=-1), ("simulation.warmup_hours",)),
    ("unknown-key", energy(zone__colour="red"), ("zone.colour", "unknown key")),
    ("free-float-with-heating", energy(free_float=True), ("free_float",)),
    ("no-heating-no-cooling", energy(heating=DELETE, cooling=DELETE), ("heating", "free_float")),
    ("spec-not-a-mapping", energy_text("- a\n- b\n"), ("spec.yaml", "mapping")),
    ("spec-not-yaml", energy_text("zone: [1, 2\n"), ("spec.yaml", "YAML")),
    ("spec-nested-too-deep", energy_text("zone: " + "[" * 5000 + "]" * 5000 + "\n"), ("spec.yaml", "nested")),
    ("spec-is-a-folder", lambda tmp: ["energy", "simulate", tmp, "--weather", EPW], ("folder",)),
    ("spec-missing", lambda tmp: ["energy", "simulate", tmp / "nope.yaml", "--weather", EPW], ("nope.yaml", "not found")),
    ("weather-missing", lambda tmp: ["energy", "simulate", ENERGY_SPEC, "--weather", tmp / "nope.epw"], ("nope.epw", "not found")),
    ("weather-is-a-folder", lambda tmp: ["energy", "simulate", ENERGY_SPEC, "--weather", tmp], ("folder",)),
    ("weather-truncated", lambda tmp: ["energy", "simulate", ENERGY_SPEC, "--weather", _truncated_epw(tmp)], ("short.epw", "8760")),
]


def _truncated_epw(tmp: Path) -> Path:
    path = tmp / "short.epw"
    path.write_text("\n".join(EPW.read_text(encoding="utf-8", errors="replace").splitlines()[:40]) + "\n")
    return path


def _gap_case(value: str) -> tuple:
    return (f"gap-{value}", assign("--gap", value), ("--gap",))


ASSIGN_CASES = [
    _gap_case("0"),
    _gap_case("-1"),
    _gap_case("nan"),
    _gap_case("inf"),
    ("max-iter-0", assign("--max-iter", "0"), ("--max-iter",)),
    ("max-iter-negative", assign("--max-iter", "-5"), ("--max-iter",)),
    ("toll-factor-negative", assign("--toll-factor", "-1"), ("--toll-factor",)),
    ("unknown-algorithm", assign("-a", "teleport"), ("algorithm", "teleport")),
    ("output-bad-suffix", assign("-o", "{tmp}/flows.txt"), ("--output", "flows.txt")),
    ("output-under-a-file", lambda tmp: assign("-o", str(_file_in_the_way(tmp) / "flows.csv"))(tmp), ("--output", "not a folder")),
    # Algorithm B segfaulted and FW reported "converged" with TSTT 0 on this demand
    ("demand-1e100-algorithm-b", assign("-a", "b", trips_edit=lambda t: _first_flow(t, "1e100")), ("Sioux_trips.tntp", "demand", "limit")),
    ("demand-1e100-frank-wolfe", assign("-a", "fw", trips_edit=lambda t: _first_flow(t, "1e100")), ("Sioux_trips.tntp", "demand", "limit")),
    ("trips-flow-nan", assign(trips_edit=lambda t: _first_flow(t, "nan")), ("Sioux_trips.tntp", "line", "flow")),
    ("trips-flow-negative", assign(trips_edit=lambda t: _first_flow(t, "-100.0")), ("Sioux_trips.tntp", "line", "flow")),
    ("trips-flow-not-a-number", assign(trips_edit=lambda t: _first_flow(t, "lots")), ("Sioux_trips.tntp", "line", "flow")),
    ("trips-destination-out-of-range", assign(trips_edit=lambda t: t.replace("2 :    100.0;", "99 :    100.0;", 1)), ("line", "destination", "99")),
    ("trips-origin-inf", assign(trips_edit=lambda t: t.replace("Origin \t1", "Origin \tinf", 1)), ("Sioux_trips.tntp", "origin")),
    ("trips-no-entries", assign(trips_edit=lambda t: t.split("<END OF METADATA>")[0] + "<END OF METADATA>\n"), ("Sioux_trips.tntp", "no OD entries")),
    ("trips-all-zero", assign(trips_edit=lambda t: __import__("re").sub(r":\s*[0-9.]+;", ": 0.0;", t)), ("Sioux_trips.tntp", "no demand")),
    ("trips-zone-count-mismatch", assign(trips_edit=lambda t: t.replace("<NUMBER OF ZONES> 24", "<NUMBER OF ZONES> 23")), ("NUMBER OF ZONES",)),
    ("net-capacity-negative", assign(net_edit=lambda t: _net_link(t, 3, 2, "-25900")), ("Sioux_net.tntp", "line", "capacity")),
    ("net-free-flow-time-nan", assign(net_edit=lambda t: _net_link(t, 0, 4, "nan")), ("Sioux_net.tntp", "line", "free_flow_time", "finite")),
    ("net-node-out-of-range", assign(net_edit=lambda t: _net_link(t, 5, 1, "99")), ("Sioux_net.tntp", "line", "term_node")),
    ("net-not-a-number", assign(net_edit=lambda t: _net_link(t, 2, 3, "abc")), ("Sioux_net.tntp", "line", "length", "not a number")),
    ("net-no-end-of-metadata", assign(net_edit=lambda t: t.replace("<END OF METADATA>", "")), ("Sioux_net.tntp", "END OF METADATA")),
    ("net-node-count-huge", assign(net_edit=lambda t: t.replace("<NUMBER OF NODES> 24", "<NUMBER OF NODES> 1000000000000000")), ("NUMBER OF NODES", "limit")),
    ("net-link-count-mismatch", assign(net_edit=lambda t: t.replace("<NUMBER OF LINKS> 76", "<NUMBER OF LINKS> 77")), ("NUMBER OF LINKS",)),
    ("net-power-overflows", assign(net_edit=lambda t: _net_all(t, 6, "1000")), ("Sioux_net.tntp", "overflows")),
    ("net-zero-cost", assign("-a", "fw", net_edit=lambda t: _net_all(t, 4, "0")), ("total system travel cost is 0", "free_flow_time")),
    ("net-missing", lambda tmp: ["traffic", "assign", "--net", tmp / "no_net.tntp", "--trips", _sioux()[1]], ("no_net.tntp", "not found")),
    ("net-is-a-folder", lambda tmp: ["traffic", "assign", "--net", tmp, "--trips", _sioux()[1]], ("folder",)),
]

SIMULATE_CASES = [
    ("dt-zero", simulate("--dt", "0"), ("--dt",)),
    ("dt-nan", simulate("--dt", "nan"), ("--dt",)),
    ("duration-negative", simulate("--duration", "-5"), ("--duration",)),
    ("duration-1e12", simulate("--duration", "1e12"), ("--duration",)),
    ("link-steps-beyond-limit", simulate("--dt", "0.001", "--duration", "2000000"), ("link-steps", "limit")),
    ("routes-unknown", simulate("--routes", "teleport"), ("--routes", "teleport")),
    ("routes-fixed-needs-splits", simulate("--routes", "fixed"), ("--routes",)),
    ("link-length-not-a-number", simulate(links={"length_m": ["abc", 1000.0]}), ("links.csv", "length_m", "not a number")),
    ("link-capacity-negative", simulate(links={"capacity_veh_s": [0.8, -0.4]}), ("links.csv", "link b", "capacity")),
    ("link-speed-inf", simulate(links={"free_flow_speed_m_s": [20.0, INF]}), ("links.csv", "free_speed_m_s")),
    ("duplicate-link-id", simulate(links={"link_id": ["a", "a"]}), ("links.csv", "duplicate")),
    ("demand-flow-inf", simulate(demand={"flow_veh_s": [INF]}), ("flow_veh_s", "demand row 2")),
    ("demand-window-missing-end", simulate(demand={"t_end_s": [NAN]}), ("t_end_s",)),
    ("demand-unknown-node", simulate(demand={"destination_node_id": [7]}), ("destination", "not in the network")),
    ("setting-not-a-number", simulate(settings={"deltat": "abc"}), ("scenario.csv", "deltat")),
    ("output-bad-suffix", simulate("--output", "{tmp}/links.txt"), ("--output", "links.txt")),
    ("timeseries-under-a-file", lambda tmp: simulate("--timeseries", str(_file_in_the_way(tmp) / "ts.nc"))(tmp), ("--timeseries",)),
    ("scene-needs-demand", lambda tmp: ["traffic", "simulate", BUILDINGS], ("--demand",)),
    ("source-missing", lambda tmp: ["traffic", "simulate", tmp / "no_such_scenario"], ("no_such_scenario", "not found")),
    ("scenario-without-demand-table", lambda tmp: ["traffic", "simulate", _without(write_scenario(tmp / "s"), "demand.csv")], ("demand.csv", "not found")),
]


def _without(folder: Path, name: str) -> Path:
    (folder / name).unlink()
    return folder

ACCESS_CASES = [
    ("mode-unknown", access("--mode", "plane"), ("--mode", "plane")),
    ("minutes-zero", access("--minutes", "0"), ("--minutes",)),
    ("minutes-nan", access("--minutes", "nan"), ("--minutes",)),
    ("minutes-negative", access("--minutes", "-15"), ("--minutes",)),
    ("minutes-a-week", access("--minutes", "10080"), ("--minutes",)),
    ("no-category", access("--categories", " , "), ("--categories",)),
    ("output-bad-suffix", access("--output", "{tmp}/b.txt"), ("--output",)),
    ("map-bad-suffix", access("--map", "{tmp}/map.jpg"), ("--map",)),
    ("file-missing", lambda tmp: ["traffic", "access", tmp / "no_streets.geojson"], ("no_streets.geojson", "not found")),
]

SOIL_CASES = [
    ("duration-1e12", soil(duration_s=1e12, output_times_s=[86400.0]), ("spec.yaml", "duration_s")),
    ("dz-1e-7", soil(grid={"dz_m": 1e-7}), ("spec.yaml", "grid.dz_m", "limit")),
    ("n-nodes-huge", soil(grid={"n_nodes": 10**9}), ("grid.n_nodes",)),
    ("node-steps-beyond-limit", soil(solver={"dt_min_s": 1e-5, "dt_max_s": 1e-4}), ("duration_s", "node-steps")),
    ("theta-r-above-theta-s", soil(materials__celia__theta_r=0.5), ("materials.celia.theta_r",)),
    ("ks-zero", soil(materials__celia__ks_m_s=0.0), ("materials.celia.ks_m_s",)),
    ("ks-unit-slip", soil(materials__celia__ks_m_s=922.0), ("materials.celia.ks_m_s", "plausible")),
    ("vg-n-below-1", soil(materials__celia__n=0.5), ("materials.celia.n",)),
    ("vg-alpha-nan", soil(materials__celia__alpha_per_m=NAN), ("materials.celia.alpha_per_m", "finite")),
    ("texture-with-parameters", soil(materials__celia={"texture": "Loam", "n": 3.0}), ("materials.celia", "ignored")),
    ("texture-unknown", soil(materials__celia={"texture": "Moon Dust"}), ("materials.celia.texture",)),
    ("air-entry-positive", soil(materials__celia__h_e_m=0.5), ("materials.celia.h_e_m",)),
    ("output-time-after-end", soil(output_times_s=[21600.0, 43200.0, 64800.0, 90000.0]), ("output_times_s.3", "duration")),
    ("initial-head-nan", soil(initial={"h_m": NAN}), ("initial.h_m", "finite")),
    ("top-head-huge", soil(top={"kind": "head", "h_m": 1e9}), ("top.h_m",)),
    ("unknown-key", soil(top={"kind": "head", "h_m": -0.75, "rian": 3}), ("top.rian", "unknown key")),
    ("unknown-material", soil(layers=[{"top_m": 0.0, "bottom_m": 1.0, "material": "clay"}]), ("layers.0.material", "clay")),
    ("layers-with-a-gap", soil(layers=[{"top_m": 0.0, "bottom_m": 0.5, "material": "celia"}, {"top_m": 0.6, "bottom_m": 1.0, "material": "celia"}]), ("layers",)),
    (
        "rain-series-gap",
        soil(top={"kind": "atmospheric", "rain": {"step_s": 3600, "mm": [1.0, None, 2.0]}}),
        ("spec.yaml", "top.rain.mm", "gap"),
    ),
    ("rain-unit-slip", soil(top={"kind": "atmospheric", "rain": {"block": {"depth_mm": 1e7, "duration_s": 600}}}), ("spec.yaml", "top.rain", "mm/h")),
    ("evaporation-negative", soil(top={"kind": "atmospheric", "evaporation_mm_day": -1.0}), ("top.evaporation_mm_day",)),
    (
        "chicago-step-too-fine",
        soil(top={"kind": "atmospheric", "rain": {"chicago": {"a": 1000.0, "b": 10.0, "c": 0.8, "duration_s": 3600, "step_s": 1e-6}}}),
        ("top.rain.chicago", "limit"),
    ),
    ("solver-dt-min-above-dt-max", soil(solver={"dt_min_s": 10.0, "dt_max_s": 1.0}), ("solver", "dt_min_s")),
    (
        "solver-runaway",
        soil(
            materials__celia={"model": "van_genuchten", "theta_r": 0.0, "theta_s": 0.5, "alpha_per_m": 900, "n": 19, "ks_m_s": 0.5},
            top={"kind": "head", "h_m": 10.0},
            bottom={"kind": "free_drainage"},
            initial={"h_m": -1000.0},
            solver={"dt_min_s": 1e-9, "max_iter": 2, "iter_low": 1, "iter_high": 2, "tol_h_m": 1e-12, "tol_theta": 1e-12},
            output_times_s=[86400.0],
        ),
        ("spec.yaml", "solver.max_steps", "stopped"),
    ),
    ("spec-nested-too-deep", lambda tmp: ["soil", "column", _text(tmp, "zone: " + "[" * 5000 + "]" * 5000)], ("spec.yaml", "nested")),
    ("spec-is-a-folder", lambda tmp: ["soil", "column", tmp], ("folder",)),
]


def _text(tmp: Path, text: str) -> Path:
    path = tmp / "spec.yaml"
    path.write_text(text)
    return path


ALL = (
    [(f"energy-{i}", b, c) for i, b, c in ENERGY_CASES]
    + [(f"assign-{i}", b, c) for i, b, c in ASSIGN_CASES]
    + [(f"simulate-{i}", b, c) for i, b, c in SIMULATE_CASES]
    + [(f"access-{i}", b, c) for i, b, c in ACCESS_CASES]
    + [(f"soil-{i}", b, c) for i, b, c in SOIL_CASES]
)


@pytest.mark.parametrize(("build", "contains"), [pytest.param(b, c, id=i) for i, b, c in ALL])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, build: Builder, contains: tuple[str, ...]) -> None:
    result = run_twin(build(tmp_path), timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=contains)


def test_corpus_size() -> None:
    assert len(ALL) >= 50


# ------------------------------------------------------------------------------ exit codes 1 and 0
def test_assign_not_converged_exits_1_with_one_warning(tmp_path: Path) -> None:
    result = run_twin(assign("-a", "fw", "--gap", "1e-9", "--max-iter", "3")(tmp_path), timeout_s=TIMEOUT_S)
    assert result.code == 1, result.stderr
    assert "NOT converged after 3 iterations" in result.stdout
    assert not [line for line in result.stderr_lines if line.startswith("twin: error:")]
    assert_warning(result, contains=("not converged", "1e-09"))
    assert len(result.stderr_lines) == 1


def test_assign_json_is_strict_and_large_demand_is_finite(tmp_path: Path) -> None:
    """A demand near the limit runs to a finite result (no overflow, no NaN in the JSON)."""
    import json

    result = run_twin(assign("-a", "b", "--json", "--gap", "1e-4", trips_edit=lambda t: _first_flow(t, "1e9"))(tmp_path), timeout_s=TIMEOUT_S)
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert summary["converged"] and math.isfinite(summary["total_system_travel_time"]) and summary["total_system_travel_time"] > 0


def test_numba_threads_env_is_one_line(tmp_path: Path) -> None:
    result = run_twin(assign()(tmp_path), env={"TWIN_NUMBA_THREADS": "abc"}, timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=("TWIN_NUMBA_THREADS", "abc"))


def test_energy_setpoint_nan_was_zero_heating(tmp_path: Path) -> None:
    """The case of the issue: a ``.nan`` heating setpoint gave 0 MWh of heating, silently."""
    from twin.energy.spec import load_spec
    from twin.errors import SchemaError

    spec = energy(heating__setpoint_c=NAN)(tmp_path)[2]
    assert ".nan" in Path(spec).read_text()
    with pytest.raises(SchemaError) as err:
        load_spec(spec)
    assert err.value.field == "heating.setpoint_c"


def test_soil_air_entry_is_accepted(tmp_path: Path) -> None:
    """``h_e_m`` (the air-entry head the district uses) is a key of the column spec."""
    from twin.soil.column import load_column_spec, prepare_column

    spec = soil(materials__celia__h_e_m=-0.02)(tmp_path)[2]
    run = prepare_column(load_column_spec(spec), path=spec)
    assert run.materials[0].h_e_m == -0.02
    spec = soil(materials__celia={"texture": "Loam", "h_e_m": -0.02})(tmp_path)[2]
    assert prepare_column(load_column_spec(spec), path=spec).materials[0].h_e_m == -0.02


# ------------------------------------------------------------------------------ fuzzing in-process
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=int(__import__("os").environ.get("TWIN_FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ODD_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, -1.0, 1e-300, 1e300, 1e12, -1e12, 0.5, 2.0]),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from(["abc", "", "1e400", None, True, [], {}]),
)


def _numeric_leaves(tree, prefix=()) -> list[tuple]:
    out = []
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else []
    for key, value in items:
        if isinstance(value, (dict, list)):
            out += _numeric_leaves(value, prefix + (key,))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(prefix + (key,))
    return out


def _replace(tree, where: tuple, value):
    tree = copy.deepcopy(tree)
    node = tree
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    return tree


def _all_finite(model) -> bool:
    from pydantic import BaseModel

    def walk(v) -> bool:
        if isinstance(v, BaseModel):
            return all(walk(x) for x in v.__dict__.values())
        if isinstance(v, (list, tuple)):
            return all(walk(x) for x in v)
        if isinstance(v, dict):
            return all(walk(x) for x in v.values())
        if isinstance(v, float):
            return math.isfinite(v)
        return True

    return walk(model)


ENERGY_TREE = yaml.safe_load(ENERGY_SPEC.read_text())
ENERGY_LEAVES = _numeric_leaves(ENERGY_TREE)
SOIL_TREE = yaml.safe_load(SOIL_SPEC.read_text())
SOIL_LEAVES = _numeric_leaves(SOIL_TREE)


@FUZZ
@given(leaf=st.sampled_from(ENERGY_LEAVES), value=ODD_FLOATS)
def test_fuzz_energy_spec_one_value(leaf: tuple, value) -> None:
    """Any value at any numeric key: a valid, all-finite spec or a SchemaError naming a key path."""
    from twin.energy.spec import spec_from_dict
    from twin.errors import SchemaError

    try:
        spec = spec_from_dict(_replace(ENERGY_TREE, leaf, value), path="fuzz.yaml")
    except SchemaError as exc:
        assert exc.field and exc.path == "fuzz.yaml"
        return
    assert _all_finite(spec)
    heating, cooling = spec.heating, spec.cooling
    if heating is not None and cooling is not None and heating.setpoint_c is not None and cooling.setpoint_c is not None:
        assert heating.setpoint_c <= cooling.setpoint_c


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=20,
)


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["name", "zone", "envelope", "windows", "heating", "cooling", "gains", "junk"]), JSONISH, max_size=6))
def test_fuzz_energy_spec_structure(data: dict) -> None:
    from twin.energy.spec import spec_from_dict
    from twin.errors import SchemaError

    with pytest.raises(SchemaError):
        spec_from_dict(data)


@FUZZ
@given(leaf=st.sampled_from(SOIL_LEAVES), value=ODD_FLOATS)
def test_fuzz_soil_spec_one_value(leaf: tuple, value) -> None:
    """Any value at any numeric key of the Celia spec: ready to run (finite, within the limits)
    or an InputError naming the file and a key."""
    from twin.errors import InputError
    from twin.soil.column import parse_column_spec, prepare_column

    try:
        run = prepare_column(parse_column_spec(_replace(SOIL_TREE, leaf, value), path="fuzz.yaml"), path="fuzz.yaml")
    except InputError as exc:
        assert exc.field and exc.path == "fuzz.yaml"
        return
    assert _all_finite(run.spec) and np_all_finite(run.h0) and run.profile.n_nodes <= 100_000


def np_all_finite(a) -> bool:
    import numpy as np

    return bool(np.all(np.isfinite(a)))


SMALL_NET = """<NUMBER OF ZONES> 2
<NUMBER OF NODES> 3
<FIRST THRU NODE> 1
<NUMBER OF LINKS> 3
<END OF METADATA>
~ init_node term_node capacity length free_flow_time b power speed toll link_type ;
1 3 100 1 1 0.15 4 0 0 1 ;
3 2 100 1 1 0.15 4 0 0 1 ;
1 2 50 2 3 0.15 4 0 0 1 ;
"""
SMALL_TRIPS = """<NUMBER OF ZONES> 2
<TOTAL OD FLOW> 120
<END OF METADATA>
Origin 1
    2 : 120.0;
Origin 2
    1 : 0.0;
"""
TOKENS = st.sampled_from(["nan", "inf", "-inf", "-1", "0", "1e400", "1e300", "abc", "", ";", "99", "<END OF METADATA>", "Origin", ":", "1.5"])


@pytest.mark.filterwarnings("ignore::twin.errors.TwinWarning")
@FUZZ
@given(which=st.sampled_from(["net", "trips"]), position=st.integers(min_value=0, max_value=400), token=TOKENS, drop=st.booleans())
def test_fuzz_tntp_and_assign(tmp_path_factory, which: str, position: int, token: str, drop: bool) -> None:
    """A TNTP file with one token inserted (or a line dropped): a result with finite flows and
    a positive TSTT, or a TwinError; never another exception."""
    import numpy as np

    from twin.errors import TwinError
    from twin.traffic.assign import assign as run_assign
    from twin.traffic.tntp import read_network, read_trips

    tmp = tmp_path_factory.mktemp("tntp")
    texts = {"net": SMALL_NET, "trips": SMALL_TRIPS}
    text = texts[which]
    if drop:
        lines = text.splitlines()
        del lines[position % len(lines)]
        text = "\n".join(lines) + "\n"
    else:
        k = position % (len(text) + 1)
        text = text[:k] + " " + token + " " + text[k:]
    texts[which] = text
    (tmp / "n_net.tntp").write_text(texts["net"])
    (tmp / "n_trips.tntp").write_text(texts["trips"])
    try:
        net = read_network(tmp / "n_net.tntp", toll_factor=0.0, distance_factor=0.0)
        demand = read_trips(tmp / "n_trips.tntp", n_zones=net.n_zones)
        result = run_assign(net, demand, algorithm="b", gap=1e-6, max_iter=50)
    except TwinError as exc:
        assert exc.path is not None or exc.field is not None
        return
    assert np.all(np.isfinite(result.flow)) and np.all(np.isfinite(result.cost))
    if demand.total > 0:
        assert result.tstt > 0 and math.isfinite(result.relative_gap)
