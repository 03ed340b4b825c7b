"""A scenario folder's ``duo_noise`` and ``random_seed`` (its ``scenario.csv``, as grid11's) are the
defaults of ``twin traffic simulate --duo-noise`` and ``--seed``; the options win (issue 15).

The hand 3 x 3 grid of :func:`tests.test_traffic_dynamic_replicates.write_grid` (10 s steps, DUO
every 100 s), its ``scenario.csv`` given the two keys; each figure is compared with one library run.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_traffic_duo_step_noise import library_run
from tests.test_traffic_dynamic_replicates import simulate_json, write_grid
from twin.traffic.dynamic import DEFAULT_DUO_NOISE


def with_keys(folder, **keys):
    """``folder``'s scenario.csv with ``keys`` (key: value) added or replaced; returns ``folder``."""
    table = pd.read_csv(folder / "scenario.csv")
    table = table[~table["key"].isin(keys)]
    extra = pd.DataFrame({"key": list(keys), "value": list(keys.values()), "unit": ""})
    pd.concat([table, extra]).to_csv(folder / "scenario.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    """The grid with duo_noise 0.3 and random_seed 7 (far from the defaults 0.01 and 0)."""
    return with_keys(write_grid(tmp_path_factory.mktemp("csv_keys") / "grid"), duo_noise=0.3, random_seed=7)


def delay(summary):
    return summary["total_delay_veh_h"]


def test_the_folders_noise_and_seed_are_used(keyed):
    s = simulate_json([keyed])
    assert s["duo_noise"] == 0.3 and s["seed"] == 7
    assert delay(s) == pytest.approx(library_run(keyed, duo_noise=0.3, seed=7).totals()["total_delay_veh_h"], rel=1e-12)
    default = library_run(keyed).totals()["total_delay_veh_h"]  # noise 0.01, seed 0: what was run before
    assert delay(s) != pytest.approx(default, rel=1e-6)
    reps = simulate_json([keyed, "--replicates", "2"])
    assert reps["seeds"] == [7, 8] and reps["duo_noise"] == 0.3


@pytest.mark.parametrize(("extra", "noise", "seed"), [
    (["--seed", "0"], 0.3, 0),
    (["--seed", "3"], 0.3, 3),
    (["--duo-noise", "0.05"], 0.05, 7),
    (["--duo-noise", "0.05", "--seed", "2"], 0.05, 2),
])
def test_the_options_win(keyed, extra, noise, seed):
    s = simulate_json([keyed, *extra])
    assert s["duo_noise"] == noise and s["seed"] == seed
    assert delay(s) == pytest.approx(library_run(keyed, duo_noise=noise, seed=seed).totals()["total_delay_veh_h"], rel=1e-12)


def test_without_noise_the_folders_seed_is_not_used(tmp_path):
    folder = with_keys(write_grid(tmp_path / "grid"), duo_noise=0, random_seed=5)
    s = simulate_json([folder])
    assert s["duo_noise"] == 0.0 and s["seed"] == 0
    assert delay(s) == pytest.approx(library_run(folder, duo_noise=0.0).totals()["total_delay_veh_h"], rel=1e-12)
    assert_one_line_error(run_twin(["traffic", "simulate", str(folder), "--seed", "4"]),
                          contains=("--seed", "the folder's duo_noise 0", "changes nothing", "scenario.csv", "--duo-noise overrides"))  # fmt: skip
    assert_one_line_error(run_twin(["traffic", "simulate", str(folder), "--replicates", "3"]),
                          contains=("--replicates", "identical runs", "scenario.csv"))  # fmt: skip
    assert simulate_json([folder, "--duo-noise", "0.3", "--seed", "7"])["seed"] == 7  # the option lifts it


def test_a_folder_without_the_keys_keeps_the_defaults(tmp_path):
    s = simulate_json([write_grid(tmp_path / "grid")])
    assert s["duo_noise"] == DEFAULT_DUO_NOISE and s["seed"] == 0


@pytest.mark.parametrize(("keys", "contains"), [
    ({"duo_noise": 1.5}, ("scenario.csv", "key duo_noise", "[0, 1]", "1.5", "--duo-noise")),
    ({"duo_noise": -0.1}, ("scenario.csv", "key duo_noise", "[0, 1]", "-0.1")),
    ({"duo_noise": "nan"}, ("scenario.csv", "key duo_noise", "[0, 1]", "nan")),
    ({"duo_noise": "lots"}, ("scenario.csv", "key duo_noise", "must be a number", "lots")),
    ({"random_seed": -1}, ("scenario.csv", "key random_seed", "whole number >= 0", "-1", "--seed")),
    ({"random_seed": 2.5}, ("scenario.csv", "key random_seed", "whole number >= 0", "2.5")),
])
def test_a_bad_value_in_the_file_is_one_error_line(tmp_path, keys, contains):
    folder = with_keys(write_grid(tmp_path / "grid"), **keys)
    assert_one_line_error(run_twin(["traffic", "simulate", str(folder)]), contains=contains)


def test_bad_values_are_not_read_when_the_option_wins_or_routes_are_not_duo(tmp_path):
    folder = with_keys(write_grid(tmp_path / "grid"), duo_noise=1.5, random_seed=-1)
    s = simulate_json([folder, "--duo-noise", "0.02", "--seed", "1"])
    assert s["duo_noise"] == 0.02 and s["seed"] == 1
    assert simulate_json([folder, "--routes", "free_flow"])["route_choice"] == "free_flow"
