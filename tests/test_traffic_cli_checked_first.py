"""``twin traffic`` and the traffic part of ``twin run``: a bad value is one error line naming what
the user typed (the option, or the scenario file and key), given before the inputs are read.

* ``simulate --duo-noise 0 --replicates 3`` named the library's ``duo_noise``;
* ``simulate --duo-interval`` / ``--turns-interval`` that is not a whole number of steps was
  refused by ``simulate`` itself, after the scene or folder and its demand were read (and the
  dynamic loading's progress had started);
* ``mobility --zone-size 0``, a missing ``--parameters`` or ``--external-matrix`` table were
  refused after the scene was read; ``--mode-choice`` and ``--gtfs`` errors named the Python
  fields ``mode_choice`` and ``gtfs``;
* the traffic engine's zone limit in ``twin run`` named the key but not the scenario file;
* ``assign`` / ``select-link`` / ``select-zone --gap 2`` stopped at the first all-or-nothing
  loading, reported as converged.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.test_traffic_dynamic_replicates import write_grid
from twin.errors import InputError

SCENE = [str(REPO / "data_samples" / name) for name in ("stgilles_buildings_osm2013.geojson", "stgilles_streets_osm2013.geojson")]


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return write_grid(tmp_path_factory.mktemp("checked_first") / "grid")  # 10 s steps


@pytest.fixture(scope="module")
def grid_bad_demand(tmp_path_factory):
    """The grid whose demand names a node the network lacks: an error once the demand is read."""
    folder = write_grid(tmp_path_factory.mktemp("checked_first_bad") / "grid")
    demand = pd.read_csv(folder / "demand.csv")
    demand.loc[0, "origin_node_id"] = 99
    demand.to_csv(folder / "demand.csv", index=False)
    return folder


def test_replicates_without_noise_name_the_option_typed(grid):
    line = assert_one_line_error(run_twin(["traffic", "simulate", str(grid), "--duo-noise", "0", "--replicates", "3"]),
                                 contains=("--replicates", "--duo-noise 0", "identical runs"))
    assert "duo_noise" not in line


def test_the_library_keeps_its_parameter_name():
    from twin.traffic.dynamic_replicates import check_replicates

    with pytest.raises(InputError, match="replicates with duo_noise 0 are 3 identical runs") as info:
        check_replicates(0, 3, route_choice="duo", duo_noise=0.0)
    assert info.value.field == "replicates"


@pytest.mark.parametrize(("extra", "contains"), [
    (["--duo-interval", "7"], ("--duo-interval", "(7 s)", "whole number of time steps of 10 s")),
    (["--dt", "5", "--duo-interval", "7"], ("--duo-interval", "(7 s)", "whole number of time steps of 5 s")),
    (["--turns", "turns.csv", "--turns-interval", "7"], ("--turns-interval", "(7 s)", "whole number of time steps of 10 s")),
])
def test_a_folder_interval_off_the_steps_is_refused_before_the_demand_is_read(grid_bad_demand, tmp_path, extra, contains):
    """The demand of the folder is bad: the interval's error comes first (was: the demand's)."""
    extra = [str(tmp_path / e) if e.endswith(".csv") else e for e in extra]
    assert_one_line_error(run_twin(["traffic", "simulate", str(grid_bad_demand), *extra]), contains=contains)


@pytest.mark.parametrize(("extra", "contains"), [
    (["--duo-interval", "7.5"], ("--duo-interval", "(7.5 s)", "whole number of time steps of 1 s")),
    (["--dt", "2", "--duo-interval", "7"], ("--duo-interval", "(7 s)", "whole number of time steps of 2 s")),
    (["--turns", "turns.csv", "--turns-interval", "2.5"], ("--turns-interval", "(2.5 s)", "whole number of time steps of 1 s")),
])
def test_a_scene_interval_off_the_steps_is_refused_before_anything_is_read(tmp_path, extra, contains):
    """The --demand table does not exist: the interval's error comes first (was: the missing demand's)."""
    extra = [str(tmp_path / e) if e.endswith(".csv") else e for e in extra]
    assert_one_line_error(run_twin(["traffic", "simulate", *SCENE, "--demand", str(tmp_path / "none.csv"), *extra]), contains=contains)


def test_a_folders_own_interval_still_names_its_file(tmp_path):
    folder = write_grid(tmp_path / "grid")
    pd.DataFrame({"key": ["deltat", "tmax", "duo_update_time"], "value": [10, 2400, 105], "unit": "s"}).to_csv(folder / "scenario.csv", index=False)
    assert_one_line_error(run_twin(["traffic", "simulate", str(folder)]), contains=("scenario.csv", "duo_update_time", "(105 s)", "10 s"))


@pytest.mark.parametrize(("extra", "contains"), [
    (["--zone-size", "0"], ("--zone-size", "[10, 10000] m", "got 0")),
    (["--zone-size", "nan"], ("--zone-size", "got nan")),
    (["--parameters", "none.csv"], ("none.csv", "--parameters", "not found")),
    (["--external-matrix", "none.csv"], ("none.csv", "--external-matrix", "not found")),
    (["--mode-choice", "none.csv"], ("none.csv", "--mode-choice", "not found")),
    (["--gtfs", "none.zip"], ("none.zip", "--gtfs", "not found")),
])
def test_mobility_options_are_refused_before_the_scene_is_read(tmp_path, extra, contains):
    """The scene's second file does not exist: the option's error comes first (was: the scene's,
    or the option's after the scene was read)."""
    extra = [str(tmp_path / e) if e.startswith("none.") else e for e in extra]
    line = assert_one_line_error(run_twin(["traffic", "mobility", SCENE[0], str(tmp_path / "no_streets.geojson"), *extra]), contains=contains)
    assert "no_streets" not in line


@pytest.mark.parametrize("content", [b"", b"\x9e\xff not text"])
@pytest.mark.parametrize(("option", "what"), [("--parameters", "mobility parameter table"), ("--mode-choice", "coefficient table")])
def test_an_unreadable_parameter_table_is_one_line(tmp_path, content, option, what):
    """s54b: an empty --parameters table was an internal error (EmptyDataError, exit 70); an
    unreadable --mode-choice table named no option."""
    table = tmp_path / "params.csv"
    table.write_bytes(content)
    assert_one_line_error(run_twin(["traffic", "mobility", *SCENE, option, str(table)]),
                          contains=("params.csv", f"'{option}'", f"cannot read the {what}"))


def test_the_zone_limit_of_a_scenario_run_names_the_file(tmp_path, monkeypatch, capsys):
    import yaml

    from tests.scenario_helpers import write_small_district
    from twin.cli.errors import run_app
    from twin.cli.main import app
    from twin.scenario.engines import traffic as engine

    write_small_district(tmp_path, (148330.0, 168860.0, 148390.0, 168920.0))
    doc = {"name": "zones", "inputs": {"files": ["district_small.geojson", SCENE[1]]},
           "domains": ["traffic"], "uncertainty": {"samples": 0}, "traffic": {"periods": ["am_peak"], "feedback": 1}}
    scenario = tmp_path / "zones.yaml"
    scenario.write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setattr(engine, "MAX_ZONES", 0)
    code = run_app(app, ["run", str(scenario), "-o", str(tmp_path / "out"), "-q"])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("twin: error:")]
    assert code == 2 and len(errors) == 1, errors
    assert f"file {scenario}; field 'traffic.zone_size_m'" in errors[0] and "above the traffic engine's limit of 0" in errors[0]


@pytest.mark.parametrize("command", [["assign"], ["select-link", "--link", "1"], ["select-zone", "--zones", "1"]])
@pytest.mark.parametrize("gap", ["1", "2"])
def test_a_target_gap_of_one_or_more_is_refused(command, gap):
    """A relative gap is below 1 from the first all-or-nothing loading on (was: exit 0 after that
    loading, reported as converged)."""
    sioux = shared_path("traffic", "tntp", "SiouxFalls")
    result = run_twin(["traffic", *command, "--net", sioux / "SiouxFalls_net.tntp", "--trips", sioux / "SiouxFalls_trips.tntp", "--gap", gap])
    assert_one_line_error(result, contains=("--gap", "(0, 1)", f"got {float(gap)}"))
