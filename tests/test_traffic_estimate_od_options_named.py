"""``twin traffic estimate-od``: a bad ``--period``, ``--class`` or ``--rounds`` names the option typed.

* ``--period pm`` / ``--class truck`` that the counts file does not have named the file's column
  (``field 'period'``), not the option;
* ``--rounds`` had no upper limit (``--rounds 1000000`` ran a million assignments); it is now
  1 to :data:`twin.traffic.counts.MAX_OUTER_ROUNDS`, said in the --help.
"""

from __future__ import annotations

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from twin.errors import InputError
from twin.traffic.counts import MAX_OUTER_ROUNDS, check_outer

NET = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
TRIPS = NET.with_name("SiouxFalls_trips.tntp")


@pytest.fixture
def counts(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("link_id,period,vehicles,class\n1,am,4000,car\n2,am,3000,car\n3,off_peak,2000,car\n")
    return path


@pytest.mark.parametrize(("option", "value", "has"), [("--period", "pm", "its periods: am, off_peak"),
                                                      ("--class", "truck", "its classes: car")])
def test_a_value_the_counts_file_lacks_names_the_option(counts, option, value, has):
    extra = [] if option == "--period" else ["--period", "am"]
    line = assert_one_line_error(run_twin(["traffic", "estimate-od", "--net", NET, "--trips", TRIPS, "--counts", counts,
                                           option, value, *extra]),
                                 contains=(f"field '{option}'", f"{value!r}", "counts.csv"))
    assert has.split(": ")[1] in line
    assert "field 'period'" not in line and "field 'class'" not in line


def test_several_periods_without_the_option_name_it(counts):
    assert_one_line_error(run_twin(["traffic", "estimate-od", "--net", NET, "--trips", TRIPS, "--counts", counts]),
                          contains=("field '--period'", "2 periods (am, off_peak)", "choose one with --period"))


@pytest.mark.parametrize("rounds", ["0", str(MAX_OUTER_ROUNDS + 1), "1000000"])
def test_rounds_out_of_bounds_are_refused_before_the_files_are_read(tmp_path, rounds):
    missing = tmp_path / "none_net.tntp"
    assert_one_line_error(run_twin(["traffic", "estimate-od", "--net", missing, "--trips", TRIPS, "--counts", tmp_path / "c.csv",
                                    "--rounds", rounds]),
                          contains=("field '--rounds'", f"[1, {MAX_OUTER_ROUNDS}]", f"got {rounds}"))


def test_the_bound_is_in_the_help():
    result = run_twin(["traffic", "estimate-od", "--help"], env={"COLUMNS": "200"})
    assert result.code == 0 and f"1 to {MAX_OUTER_ROUNDS}" in result.stdout


def test_the_library_keeps_its_parameter_name():
    assert check_outer(MAX_OUTER_ROUNDS) == MAX_OUTER_ROUNDS
    for bad in (0, MAX_OUTER_ROUNDS + 1, 2.0, True):
        with pytest.raises(InputError, match="whole number of rounds") as info:
            check_outer(bad)
        assert info.value.field == "outer"
