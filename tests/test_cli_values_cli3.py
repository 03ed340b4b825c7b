"""Values a new user types on the command line (cli3): each case failed before its fix.

Every case runs the real command line in a child process and must end in one ``twin: error:``
line naming the option, exit status 2.
"""

from __future__ import annotations

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import SAMPLES

EPW = SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


@pytest.mark.parametrize("kwp", ["-1", "2e6"])
def test_kwp_range_says_above_zero(kwp: str) -> None:
    """--kwp -1 said 'outside [0, 1e+06]' though --kwp 0 is refused too."""
    line = assert_one_line_error(run_twin(["solar", "pv", "-w", EPW, "--kwp", kwp]), contains=("'--kwp'", "outside (0, 1e+06] kWp", "> 0"))
    assert "[0," not in line


def test_samples_zero_from_the_command_line_is_named(tmp_path) -> None:
    """``twin run <deseal block> --samples 0`` said 'uncertainty.samples is 0' and sent the user to
    a file that says 20; the option that gave the 0 is now named."""
    scenario = SAMPLES.parent / "scenarios" / "stgilles_deseal_block.yaml"
    line = assert_one_line_error(run_twin(["run", scenario, "--samples", "0", "-o", tmp_path / "out"]),
                                 contains=("field 'soil.block.samples'", "uncertainty.samples is 0 (--samples 0)"))
    assert line.count("--samples 0") == 1


def test_samples_zero_of_the_file_names_no_option() -> None:
    from tests.test_soil_block_mc_without_samples import _doc
    from twin.errors import NoEffectError
    from twin.scenario.checks import check_scenario, values_from_options
    from twin.scenario.schema import parse_scenario

    scenario = parse_scenario(_doc({"samples": 4}, 0), path="mc.yaml")
    with pytest.raises(NoEffectError) as err:
        check_scenario(scenario)
    assert "uncertainty.samples is 0:" in str(err.value) and "--samples" not in str(err.value)
    with values_from_options({"uncertainty.samples": "--samples"}), pytest.raises(NoEffectError) as err:
        check_scenario(scenario)
    assert "uncertainty.samples is 0 (--samples 0):" in str(err.value)


@pytest.mark.parametrize(("value", "text"), [("estimat", "not 'estimat' (did you mean 'estimate'?)"), ("2", "within (0, 1], not 2")])
def test_sigma_rel_slip_and_range(tmp_path, value: str, text: str) -> None:
    """--sigma-rel estimat gave no hint; --sigma-rel 2 did not repeat the value."""
    args = ["calibrate", SAMPLES / "stgilles_buildings_osm2013.geojson", "-o", tmp_path / "out",
            "--meters", SAMPLES / "lcm_central_heat_daily.csv", "--sigma-rel", value]
    assert_one_line_error(run_twin(args), contains=("'--sigma-rel'", text))


def test_classes_slip_of_the_packaged_name(tmp_path) -> None:
    """--classes brusels said only 'class targets not found' (read as a file name)."""
    args = ["calibrate", SAMPLES / "stgilles_buildings_osm2013.geojson", "-o", tmp_path / "out", "--classes", "brusels"]
    assert_one_line_error(run_twin(args), contains=("'--classes'", "class targets not found", "(did you mean 'brussels'?)"))


def test_forecast_days_out_of_range_repeats_the_value(tmp_path) -> None:
    """--days 0 said '--days must be from 1 to 60' without the value given."""
    result = run_twin(["sync", "forecast", tmp_path / "state.npz", "-w", tmp_path / "f.csv", "--days", "0"])
    assert_one_line_error(result, contains=("'--days'", "--days must be from 1 to 60, not 0"))


@pytest.mark.parametrize(("args", "text"), [(["--minutes", "inf"], "field '--minutes': --minutes must be in (0, 120], got inf"),
                                            (["--feedback", "0"], "field '--feedback': --feedback must be a whole number in [1, 50], got 0")])
def test_mobility_range_errors_speak_of_the_option(args: list[str], text: str) -> None:
    """'access_minutes must be in (0, 120]' named the Python field in the message of --minutes."""
    line = assert_one_line_error(run_twin(["traffic", "mobility", SAMPLES / "stgilles_buildings_osm2013.geojson", *args]), contains=(text,))
    assert "access_minutes" not in line
