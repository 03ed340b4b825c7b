"""Replicates of dynamic loading over seeds (issue 15): ``twin traffic simulate --seed/--replicates``
and :func:`twin.traffic.dynamic_replicates.simulate_replicates`.

A hand 3 x 3 grid with two bottlenecks (the congested case of the DUO reference tests, as a
scenario folder): DUO's route-choice noise moves its total delay from seed to seed.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.cli_harness import assert_one_line_error, run_twin
from twin.cli.main import app
from twin.errors import InputError

RUN_KEYS = ("wall_time_s", "vehicles_per_s", "link_steps_per_s")
"""Summary entries that are wall-clock measurements (differ between any two runs)."""


def write_grid(folder, spacing=600.0):
    """3 x 3 bidirectional grid, 1 lane, 15 m/s, 0.5 veh/s except the bottlenecks 1-4 and 5-8
    (0.12 veh/s); six OD flows (1,017 vehicles); 10 s steps, 2,400 s, DUO every 100 s."""
    folder.mkdir()
    ids = np.arange(9)
    pd.DataFrame({"node_id": ids, "x_m": spacing * (ids // 3), "y_m": spacing * (ids % 3)}).to_csv(folder / "nodes.csv", index=False)
    rows = []
    for u in ids:
        i, j = divmod(int(u), 3)
        for a, b in ((i + 1, j), (i, j + 1), (i - 1, j), (i, j - 1)):
            if 0 <= a < 3 and 0 <= b < 3:
                lid = f"{u}-{3 * a + b}"
                rows.append({"link_id": lid, "from_node_id": u, "to_node_id": 3 * a + b, "length_m": spacing, "free_flow_speed_m_s": 15.0,
                             "jam_density_veh_m": 0.15, "lanes": 1, "capacity_veh_s": 0.12 if lid in ("1-4", "5-8") else 0.5})  # fmt: skip
    pd.DataFrame(rows).to_csv(folder / "links.csv", index=False)
    pd.DataFrame({"origin_node_id": [0, 0, 2, 6, 1, 3], "destination_node_id": [8, 5, 6, 2, 8, 5],
                  "t_start_s": [0.0, 120.0, 0.0, 300.0, 60.0, 0.0], "t_end_s": [900.0, 700.0, 600.0, 1000.0, 500.0, 800.0],
                  "flow_veh_s": [0.35, 0.2, 0.25, 0.3, 0.15, 0.2]}).to_csv(folder / "demand.csv", index=False)  # fmt: skip
    pd.DataFrame({"key": ["deltat", "tmax", "duo_update_time"], "value": [10, 2400, 100], "unit": ["s", "s", "s"]}).to_csv(folder / "scenario.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return write_grid(tmp_path_factory.mktemp("replicates") / "grid")


def direct(folder, seed):
    """``simulate`` called directly on the scenario with the options ``twin traffic simulate`` uses."""
    from twin.traffic.dynamic import simulate
    from twin.traffic.dynamic_scenario import read_scenario

    sc = read_scenario(folder)
    return simulate(sc.network, sc.demand, dynamics=sc.dynamics, dt_s=sc.dt_s, duration_s=sc.duration_s, route_choice="duo",
                    duo_interval_s=sc.number("duo_update_time", 0.0), duo_weight=sc.number("duo_update_weight", 0.5), seed=seed)  # fmt: skip


def simulate_json(args):
    result = CliRunner().invoke(app, ["traffic", "simulate", *map(str, args), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_one_replicate_of_the_default_seed_is_the_single_run(grid):
    """``--replicates 1 --seed 0`` prints the same summary as no option, which is the summary of
    one ``simulate(seed=0)`` run (totals and scalar meta), with no replicate entry."""
    plain = simulate_json([grid])
    explicit = simulate_json([grid, "--replicates", "1", "--seed", "0"])
    assert plain.keys() == explicit.keys()
    assert {k: v for k, v in plain.items() if k not in RUN_KEYS} == {k: v for k, v in explicit.items() if k not in RUN_KEYS}
    res = direct(grid, 0)
    want = {"network": res.network.name, "dt_s": 10.0, "steps": res.n_steps, **res.totals(), **{k: v for k, v in res.meta.items() if np.isscalar(v)}}
    assert plain.keys() - {"vehicles_per_s", "link_steps_per_s"} == want.keys()
    for key, value in want.items():
        if isinstance(value, float) and key not in RUN_KEYS:
            assert plain[key] == pytest.approx(value, rel=1e-12, nan_ok=True), key
        elif key not in RUN_KEYS:
            assert plain[key] == value, key
    assert "replicates" not in plain and "per_seed" not in plain
    text = CliRunner().invoke(app, ["traffic", "simulate", str(grid), "--replicates", "1"])
    assert text.exit_code == 0 and "replicates, seeds" not in text.output and "total_delay_veh_h" in text.output
    # one run of a noisy route choice says so, and how to get the spread
    assert "(one run, seed 0: DUO's route-choice noise moves these totals" in text.output and "--replicates N" in text.output
    still = CliRunner().invoke(app, ["traffic", "simulate", str(grid), "--routes", "free_flow"])
    assert still.exit_code == 0 and "one run, seed" not in still.output  # no noise, nothing to say


def test_three_replicates_give_each_seed_and_numpy_statistics(grid, tmp_path):
    """Seeds 5, 6, 7: three different delays, each that of a direct ``simulate(seed=s)`` run; the
    statistics are numpy's on them; ``--output`` is the mean per link of the three runs."""
    out = tmp_path / "links.csv"
    s = simulate_json([grid, "--seed", "5", "--replicates", "3", "--output", out])
    assert s["replicates"] == 3 and s["seeds"] == [5, 6, 7] and "duo_noise" in s["spread"]
    assert [p["seed"] for p in s["per_seed"]] == [5, 6, 7]
    runs = [direct(grid, seed) for seed in (5, 6, 7)]
    for kpi in ("arrived_veh", "total_delay_veh_h", "vehicle_km", "mean_trip_time_s", "total_travel_time_veh_h"):
        values = np.array([p[kpi] for p in s["per_seed"]])
        assert values == pytest.approx([r.totals()[kpi] for r in runs], rel=1e-12)
        assert s[f"{kpi}_mean"] == pytest.approx(np.mean(values), rel=1e-12)
        assert s[f"{kpi}_sd"] == pytest.approx(np.std(values, ddof=1), rel=1e-9, abs=1e-9)
        assert s[f"{kpi}_min"] == pytest.approx(values.min(), rel=1e-12) and s[f"{kpi}_max"] == pytest.approx(values.max(), rel=1e-12)
        assert s[f"{kpi}_sem"] == pytest.approx(np.std(values, ddof=1) / np.sqrt(3), rel=1e-9, abs=1e-9)
        assert kpi not in s  # no single seed's figure passes for the answer
    delays = [p["total_delay_veh_h"] for p in s["per_seed"]]
    assert len(set(np.round(delays, 6))) == 3 and s["total_delay_veh_h_sd"] > 1.0  # the noise moves the delay
    links = pd.read_csv(out)
    want = np.mean([r.link_summary()["delay_veh_h"].to_numpy() for r in runs], axis=0)
    assert links["delay_veh_h"].to_numpy() == pytest.approx(want, rel=1e-8)
    text = CliRunner().invoke(app, ["traffic", "simulate", str(grid), "--seed", "5", "--replicates", "3"])
    assert text.exit_code == 0, text.output
    assert "3 replicates, seeds 5-7" in text.output and "not uncertainty of the inputs" in text.output
    row = next(line for line in text.output.splitlines() if line.strip().startswith("total_delay_veh_h"))
    assert float(row.split()[1]) == pytest.approx(s["total_delay_veh_h_mean"], abs=1e-3)


def test_library_replicates_are_silent_and_report_one_step_per_seed(grid, capsys):
    from twin.io import progress
    from twin.traffic.dynamic_replicates import simulate_replicates
    from twin.traffic.dynamic_scenario import read_scenario

    sc = read_scenario(grid)
    opts = {"dynamics": sc.dynamics, "dt_s": 10.0, "duration_s": 2400.0, "duo_interval_s": 100.0}
    runs = simulate_replicates(sc.network, sc.demand, seed=2, replicates=2, **opts)
    assert capsys.readouterr().err == ""
    assert runs.seeds == (2, 3) and runs.first.meta["seed"] == 2
    assert runs.values("total_delay_veh_h")[1] == pytest.approx(direct(grid, 3).totals()["total_delay_veh_h"], rel=1e-12)

    class Recorder(progress.Reporter):
        def __init__(self):
            self.steps = []

        def push(self, step):
            self.steps.append(step)

    rec = Recorder()
    with progress.reporting(rec):
        simulate_replicates(sc.network, sc.demand, seed=0, replicates=2, **opts)
    assert [(s.label, s.total, s.done) for s in rec.steps] == [("dynamic loading replicates", 2, 2)]


def test_give_way_figures_get_statistics_when_on():
    """With give-way on (the hand T junction of the give-way tests, DUO, a queue on the minor
    approach), the give-way queue and mean capacity are figures of every seed and have statistics."""
    from tests.test_traffic_dynamic_give_way import demand, junctions_of, t_junction
    from twin.traffic.dynamic import simulate
    from twin.traffic.dynamic_replicates import GIVE_WAY_KPIS, REPLICATE_KPIS, simulate_replicates

    net = t_junction()
    opts = {"dt_s": 1.0, "duration_s": 1200.0, "give_way": junctions_of(net)}
    runs = simulate_replicates(net, demand(900.0, 600.0, 600.0), seed=1, replicates=2, **opts)
    assert runs.kpis == REPLICATE_KPIS + GIVE_WAY_KPIS
    stats = runs.statistics()
    one = simulate(net, demand(900.0, 600.0, 600.0), seed=2, **opts).meta["give_way_queue_veh_h"]
    assert runs.values("give_way_queue_veh_h")[1] == pytest.approx(one, rel=1e-12) and one > 1.0
    assert stats["give_way_queue_veh_h_mean"] == pytest.approx(np.mean(runs.values("give_way_queue_veh_h")), rel=1e-12)
    assert stats["give_way_mean_capacity_veh_h_max"] == pytest.approx(np.max(runs.values("give_way_mean_capacity_veh_h")), rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"replicates": 2, "duo_noise": 0.0}, "replicates"), ({"replicates": 2, "route_choice": "free_flow"}, "replicates"),
     ({"replicates": 0}, "replicates"), ({"replicates": 101}, "replicates"), ({"replicates": 2.0}, "replicates"), ({"seed": -1}, "seed")],
)  # fmt: skip
def test_library_refuses_replicates_that_change_nothing(grid, kwargs, field):
    from twin.traffic.dynamic_replicates import simulate_replicates
    from twin.traffic.dynamic_scenario import read_scenario

    sc = read_scenario(grid)
    with pytest.raises(InputError) as err:
        simulate_replicates(sc.network, sc.demand, dynamics=sc.dynamics, dt_s=10.0, duration_s=2400.0, **kwargs)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (["--replicates", "0"], ("--replicates", "[1, 100]")),
        (["--replicates", "101"], ("--replicates", "[1, 100]")),
        (["--seed", "-1"], ("--seed", ">= 0")),
        (["--routes", "free_flow", "--replicates", "3"], ("--replicates", "identical runs", "free_flow")),
        (["--routes", "equilibrium", "--seed", "2"], ("--seed", "changes nothing")),
        (["--replicates", "2", "--timeseries", "ts.nc"], ("--timeseries", "--replicates 1")),
        (["--replicates", "2", "--turns", "turns.csv"], ("--turns", "--replicates 1")),
    ],
)
def test_bad_seed_options_are_one_error_line(grid, tmp_path, args, contains):
    args = [str(tmp_path / a) if a.endswith((".nc", ".csv")) else a for a in args]
    result = run_twin(["traffic", "simulate", grid, *args])
    assert_one_line_error(result, contains=contains)
    assert not list(tmp_path.iterdir())  # checked before any work: nothing written
