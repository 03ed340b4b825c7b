"""Bad-input sweep of ``twin traffic simulate`` (scenario folders' ``scenario.csv``, demand tables).

Each case was a silent success or an error that did not name the file: a typo'd or repeated key
of ``scenario.csv`` (the default stayed in force), ``tmax`` / ``deltat`` / ``duo_update_weight``
out of range (the error named ``duration_s`` / ``dt_s`` / ``duo_weight``, not the file and key), a
demand without vehicles or whose vehicles all depart after the end of the run (a run of 0
vehicles, exit 0). Every case runs the command line in a child process and must end in one
``twin: error:`` line, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.test_bad_input_engines import write_scenario

STREETS = REPO / "data_samples" / "stgilles_streets_osm2013.geojson"


def _settings(folder: Path, rows: list[tuple[str, object]]) -> Path:
    """``folder``'s scenario.csv replaced by ``rows`` (key, value)."""
    pd.DataFrame({"key": [k for k, _ in rows], "value": [v for _, v in rows]}).to_csv(folder / "scenario.csv", index=False)
    return folder


def test_unknown_key_is_named_with_its_line_and_the_closest_key(tmp_path: Path) -> None:
    folder = _settings(write_scenario(tmp_path / "s"), [("deltat", 5), ("tmax", 1800), ("duo_nois", 0.3)])
    line = assert_one_line_error(run_twin(["traffic", "simulate", folder]),
                                 contains=("scenario.csv", "row 4", "'key'", "unknown key 'duo_nois'", "did you mean 'duo_noise'"))  # fmt: skip
    assert "random_seed" in line  # the keys read are listed


def test_key_given_twice(tmp_path: Path) -> None:
    folder = _settings(write_scenario(tmp_path / "s"), [("deltat", 5), ("tmax", 1800), ("deltat", 10)])
    assert_one_line_error(run_twin(["traffic", "simulate", folder]), contains=("scenario.csv", "row 4", "'deltat' given twice"))


def test_uxsim_keys_are_accepted_and_the_read_keys_used(tmp_path: Path) -> None:
    """grid11's UXsim keys (grid_size, deltan, reaction_time, route_choice, engine) are not errors."""
    rows = [("grid_size", 3), ("deltan", 5), ("deltat", 5), ("reaction_time", 1.0), ("tmax", 1200), ("route_choice", "homogeneous_DUO"),
            ("engine", "cpp")]  # fmt: skip
    result = run_twin(["traffic", "simulate", _settings(write_scenario(tmp_path / "s"), rows), "--json", "-q"])
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["dt_s"] == 5.0 and summary["steps"] == 1200 / 5


@pytest.mark.parametrize(
    ("key", "value", "option"),
    [("tmax", -1800, "--duration"), ("tmax", "inf", "--duration"), ("deltat", 0, "--dt"), ("duo_update_weight", 2, None)],
    ids=["tmax-negative", "tmax-inf", "deltat-zero", "duo-update-weight-2"],
)
def test_setting_out_of_range_names_the_file_and_key(tmp_path: Path, key: str, value: object, option: str | None) -> None:
    rows = {"deltat": 5, "tmax": 1800, "duo_update_time": 100}
    rows[key] = value
    folder = _settings(write_scenario(tmp_path / "s"), list(rows.items()))
    line = assert_one_line_error(run_twin(["traffic", "simulate", folder]), contains=("scenario.csv", f"key {key}", "'value'", "finite number"))
    if option:
        assert option in line


def test_random_seed_beyond_what_the_file_holds_exactly(tmp_path: Path) -> None:
    """random_seed 1e23 was run as 99999999999999991611392 (the float nearest), exit 0."""
    folder = _settings(write_scenario(tmp_path / "s"), [("deltat", 5), ("tmax", 1800), ("duo_noise", 0.1), ("random_seed", "99999999999999999999999")])
    assert_one_line_error(run_twin(["traffic", "simulate", folder]), contains=("scenario.csv", "key random_seed", "at most 2**53"))


def test_demand_table_with_no_rows(tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    od.write_text("origin,destination,t_start_s,t_end_s,vehicles\n", encoding="utf-8")
    result = run_twin(["traffic", "simulate", STREETS, "--demand", od, "--duration", "600", "-q"])
    assert_one_line_error(result, contains=("od.csv", "'vehicles'", "no vehicles", "nothing to simulate"))


def test_folder_demand_of_zero_vehicles(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", demand={"flow_veh_s": [0.0]})
    assert_one_line_error(run_twin(["traffic", "simulate", folder]), contains=("demand.csv", "'flow_veh_s'", "no vehicles"))


def test_demand_departing_after_the_end_of_the_run(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", demand={"t_start_s": [3600.0], "t_end_s": [4200.0]})  # tmax 1800
    line = assert_one_line_error(run_twin(["traffic", "simulate", folder]), contains=("demand.csv", "'t_start_s'", "no vehicle departs"))
    assert "3600 s" in line and "1800 s" in line
    ok = run_twin(["traffic", "simulate", folder, "--duration", "3700", "--json", "-q"])  # one window's start inside the run
    assert ok.code == 0, ok.stderr
    generated = json.loads(ok.stdout)["generated_veh"]
    assert generated > 0
    # the rest departs after the end: said on one warning line (it ran silently before), with the count
    warning = [line for line in ok.stderr.splitlines() if line.startswith("twin: warning:")]
    assert len(warning) == 1 and "would depart after the end of the run (3700 s)" in warning[0], ok.stderr
    total = pd.read_csv(folder / "demand.csv").eval("flow_veh_s * (t_end_s - t_start_s)").sum()
    assert f"{total - generated:,.0f} of the demand's {total:,.0f} vehicles" in warning[0]


@pytest.mark.parametrize(("option", "value"), [("--toll-factor", "-1"), ("--distance-factor", "nan")])
def test_skims_cost_factor_out_of_range(tmp_path: Path, option: str, value: str) -> None:
    """``assign`` refused a negative or NaN cost weight; ``skims`` wrote the matrices with it (exit 0)."""
    out = tmp_path / "skims.omx"
    result = run_twin(["traffic", "skims", "--net", shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp"), "-o", out, option, value])
    assert_one_line_error(result, contains=(f"'{option}'", "finite number >= 0"))
    assert not out.exists()


MOBILITY_FILES = [REPO / "data_samples" / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets")]


@pytest.mark.parametrize(
    ("options", "contains"),
    [
        (["--periods", "pm_peak"], ("'--periods'", "unknown period 'pm_peak'")),
        (["--feedback", "0"], ("'--feedback'", "[1, 50]")),
        (["--minutes", "-5"], ("'--minutes'", "(0, 120]")),
        (["--zone-size", "1"], ("'--zone-size'", "[10, 10000] m")),
    ],
    ids=["periods", "feedback", "minutes", "zone-size"],
)
def test_mobility_errors_name_the_option(options: list[str], contains: tuple[str, ...]) -> None:
    """The errors named the Python fields (periods, feedback, access_minutes, zone_size_m), not the options typed."""
    assert_one_line_error(run_twin(["traffic", "mobility", *MOBILITY_FILES, *options, "-q"]), contains=contains)
