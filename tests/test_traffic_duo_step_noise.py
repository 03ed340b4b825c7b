"""DUO's update interval is a whole number of time steps in the library as on the command line
(an error, not a rounding), and ``twin traffic simulate --duo-noise`` sets DUO's route-choice
tie noise (issue 15).

A hand 3 x 3 grid with two bottlenecks (``tests.test_traffic_dynamic_replicates.write_grid``:
10 s steps, DUO every 100 s) and grid11 of ../shared/data for a scenario folder's own setting.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.test_traffic_dynamic_replicates import simulate_json, write_grid
from twin.errors import InputError
from twin.traffic.dynamic import DEFAULT_DUO_NOISE, simulate
from twin.traffic.dynamic_scenario import read_scenario

#: Link-summary columns compared between the command line and the library.
LINK_COLUMNS = ("entered_veh", "left_veh", "vehicle_h", "delay_veh_h", "mean_travel_time_s")


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return write_grid(tmp_path_factory.mktemp("duo_step_noise") / "grid")


def library_run(folder, **options):
    """``simulate`` on the scenario folder with the options ``twin traffic simulate`` uses, and ``options``."""
    sc = read_scenario(folder)
    opts = {"dt_s": sc.dt_s, "duration_s": sc.duration_s, "route_choice": "duo", "duo_interval_s": sc.number("duo_update_time", 0.0),
            "duo_weight": sc.number("duo_update_weight", 0.5), "seed": 0, **options}  # fmt: skip
    return simulate(sc.network, sc.demand, dynamics=sc.dynamics, **opts)


def test_the_library_refuses_an_interval_that_is_not_whole_steps(grid):
    with pytest.raises(InputError) as info:
        library_run(grid, dt_s=5.0, duo_interval_s=7.0)
    assert info.value.field == "duo_interval_s"
    assert "(7 s)" in info.value.message and "time steps of 5 s" in info.value.message
    with pytest.raises(InputError, match="whole number of time steps") as below:
        library_run(grid, dt_s=5.0, duo_interval_s=2.0)  # less than one step
    assert below.value.field == "duo_interval_s"
    res = library_run(grid, dt_s=5.0, duo_interval_s=10.0)
    assert res.meta["duo_interval_steps"] == 2 and res.n_steps == 480


def test_other_route_choices_still_ignore_the_interval(grid):
    res = library_run(grid, dt_s=5.0, duo_interval_s=7.0, route_choice="free_flow")
    ref = library_run(grid, dt_s=5.0, route_choice="free_flow")
    assert res.totals()["total_delay_veh_h"] == ref.totals()["total_delay_veh_h"]


@pytest.mark.parametrize(("extra", "contains"), [
    (["--dt", "5", "--duo-interval", "7"], ("--duo-interval", "(7 s)", "time steps of 5 s")),
    (["--duo-interval", "0.5"], ("--duo-interval", "(0.5 s)", "time steps of 10 s")),
])
def test_a_bad_interval_on_the_command_line_is_one_error_line(grid, extra, contains):
    assert_one_line_error(run_twin(["traffic", "simulate", str(grid), *extra]), contains=contains)


def test_a_folders_interval_that_is_not_whole_steps_names_its_file(tmp_path):
    folder = write_grid(tmp_path / "grid")
    settings = pd.read_csv(folder / "scenario.csv")
    settings.loc[settings["key"] == "duo_update_time", "value"] = 105  # 10 s steps
    settings.to_csv(folder / "scenario.csv", index=False)
    line = assert_one_line_error(run_twin(["traffic", "simulate", str(folder)]), contains=("scenario.csv", "duo_update_time", "(105 s)", "10 s"))
    assert "--duo-interval" in line  # the way out: the option overrides the setting
    assert simulate_json([folder, "--duo-interval", "100"])["duo_interval_steps"] == 10


def test_grid11_keeps_its_600_s_at_5_s_steps():
    folder = shared_path("traffic", "grid11")
    s = simulate_json([folder, "--duration", "1800"])
    assert s["dt_s"] == 5.0 and s["duo_interval_steps"] == 120
    ref = library_run(folder, duration_s=1800.0)
    assert s["total_delay_veh_h"] == pytest.approx(ref.totals()["total_delay_veh_h"], rel=1e-12)
    assert_one_line_error(run_twin(["traffic", "simulate", str(folder), "--dt", "7"]),
                          contains=("grid11", "scenario.csv", "duo_update_time", "(600 s)", "time steps of 7 s"))  # fmt: skip


def test_duo_noise_zero_is_the_librarys_deterministic_run(grid, tmp_path):
    out = tmp_path / "links.csv"
    s = simulate_json([grid, "--duo-noise", "0", "--output", out])
    assert s["duo_noise"] == 0.0
    ref = library_run(grid, duo_noise=0.0)
    for key, value in ref.totals().items():
        assert s[key] == pytest.approx(value, rel=1e-12, nan_ok=True), key
    links = pd.read_csv(out)
    want = ref.link_summary()
    assert list(links["link_id"].astype(str)) == list(want["link_id"].astype(str))
    for col in LINK_COLUMNS:
        assert links[col].to_numpy() == pytest.approx(want[col].to_numpy(), rel=1e-9, nan_ok=True), col
    noisy = simulate_json([grid])
    assert noisy["duo_noise"] == DEFAULT_DUO_NOISE > 0.0
    assert noisy["total_delay_veh_h"] != pytest.approx(s["total_delay_veh_h"], rel=1e-6)  # the option acts
    half = simulate_json([grid, "--duo-noise", "0.5", "--seed", "2"])
    assert half["duo_noise"] == 0.5
    assert half["total_delay_veh_h"] == pytest.approx(library_run(grid, duo_noise=0.5, seed=2).totals()["total_delay_veh_h"], rel=1e-12)


@pytest.mark.parametrize(("extra", "contains"), [
    (["--duo-noise", "1.5"], ("--duo-noise", "[0, 1]", "1.5")),
    (["--duo-noise", "nan"], ("--duo-noise", "[0, 1]", "nan")),
    (["--duo-noise", "-0.1"], ("--duo-noise", "[0, 1]")),
    (["--routes", "free_flow", "--duo-noise", "0.01"], ("--duo-noise", "changes nothing")),
    (["--routes", "equilibrium", "--duo-noise", "0"], ("--duo-noise", "changes nothing")),
    (["--duo-noise", "0", "--replicates", "3"], ("--replicates", "--duo-noise 0", "identical runs")),
    (["--duo-noise", "0", "--seed", "4"], ("--seed", "--duo-noise 0", "changes nothing")),
])
def test_bad_duo_noise_options_are_one_error_line(grid, extra, contains):
    assert_one_line_error(run_twin(["traffic", "simulate", str(grid), *extra]), contains=contains)


def test_an_interval_not_shorter_than_the_run_is_refused(grid):
    # DUO would set its routes once and never update them (was: exit 0, the run of --routes free_flow)
    line = assert_one_line_error(run_twin(["traffic", "simulate", str(grid), "--duration", "600", "--duo-interval", "600"]),
                                 contains=("--duo-interval", "(600 s)", "not shorter than the run (600 s)", "--routes free_flow"))
    assert "never update" in line
    assert simulate_json([grid, "--duration", "600", "--duo-interval", "590"])["duo_interval_steps"] == 59
