"""Choice-valued options: one check as the command line is parsed, with "did you mean" (cli3).

``twin energy run --model iso52061`` printed "choose one of 5r1c, iso52016" and nothing more;
``--side dest``, ``--routes du``, ``--signal-split capcity``... each engine in its own words,
some after the scene was read. Every case here failed before :mod:`twin.cli.choices`.
"""

from __future__ import annotations

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from twin.cli.choices import check_choice, close_choice
from twin.cli.errors import run_app
from twin.cli.main import app
from twin.errors import InputError

B = "data_samples/stgilles_buildings_osm2013.geojson"


@pytest.mark.parametrize(
    ("value", "allowed", "expected"),
    [
        ("iso52061", ("5r1c", "iso52016"), "iso52016"),  # difflib ratio (closest_key)
        ("bwf", ("fw", "cfw", "bfw", "b"), "bfw"),  # two letters swapped in a short name
        ("dest", ("origin", "destination"), "destination"),  # the start of one name
        ("du", ("duo", "free_flow", "equilibrium"), "duo"),
        ("o", ("origin", "destination"), None),  # one letter: no guess
        ("bus", ("walk", "bike", "car"), None),  # nothing close
        ("ab", ("abc", "abd"), None),  # the start of two names: no guess
    ],
)
def test_close_choice(value, allowed, expected) -> None:
    assert close_choice(value, allowed) == expected


def test_check_choice_message() -> None:
    with pytest.raises(InputError) as err:
        check_choice("iso52061", ("5r1c", "iso52016"), option="--model", what="zone model")
    assert str(err.value) == "field '--model': unknown zone model 'iso52061': choose one of 5r1c, iso52016 (did you mean 'iso52016'?)"
    assert check_choice("5r1c", ("5r1c", "iso52016"), option="--model", what="zone model") == "5r1c"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["energy", "run", B, "--model", "iso52061"],
         "field '--model': unknown zone model 'iso52061': choose one of 5r1c, iso52016 (did you mean 'iso52016'?)"),
        (["energy", "simulate", "spec.yaml", "-w", "w.epw", "--model", "iso5201"], "(did you mean 'iso52016'?)"),
        (["energy", "run", B, "--dhw", "byuse"], "unknown hot-water model 'byuse': choose one of typology, by_use (did you mean 'by_use'?)"),
        (["energy", "run", B, "--model", "iso52016", "--exterior-convection", "doe"], "field '--exterior-convection'"),
        (["energy", "run", B, "--terrain", "citi"], "unknown terrain 'citi': choose one of country, suburbs, city, ocean, urban (did you mean 'city'?)"),
        (["energy", "run", B, "--control-temperature", "operatve"], "(did you mean 'operative'?)"),
        (["traffic", "select-zone", "--net", "n", "--trips", "t", "--zones", "1", "--side", "dest"],
         "field '--side': unknown side 'dest': choose one of origin, destination (did you mean 'destination'?)"),
        (["traffic", "assign", "--net", "n", "--trips", "t", "--algorithm", "bwf"], "unknown algorithm 'bwf': choose one of fw, cfw, bfw, b (did you mean 'bfw'?)"),
        (["traffic", "simulate", B, "--routes", "du"], "field '--routes': unknown route choice 'du'"),
        (["traffic", "simulate", B, "--signal-split", "capcity"], "unknown green split 'capcity': choose one of equal, capacity, flows (did you mean 'capacity'?)"),
        (["traffic", "estimate-od", "--net", "n", "--trips", "t", "--counts", "c", "--method", "zonal+gsl"], "(did you mean 'zonal+gls'?)"),
        (["traffic", "access", B, "--mode", "wlak"], "field '--mode': unknown mode 'wlak': choose one of walk, bike, car (did you mean 'walk'?)"),
        (["traffic", "mobility", B, "--periods", "am_peak,offpeak"], "unknown period 'offpeak': choose one of am_peak, off_peak (did you mean 'off_peak'?)"),
        (["traffic", "mobility", B, "--categories", "scool"], "(did you mean 'school'?)"),
        (["traffic", "mobility", B, "--categories", ","], "field '--categories': no service category given: name at least one of"),
        (["solar", "cadastre", B, "--method", "horizn"], "(did you mean 'horizon'?)"),
        (["solar", "cadastre", B, "--surfaces", "roof,wal"], "field '--surfaces': unknown surface 'wal': choose one of roof, wall, ground (did you mean 'wall'?)"),
        (["solar", "cadastre", B, "--roof-default", "gabeld"], "(did you mean 'gabled'?)"),
        (["store", "list", "runs.sqlite", "--status", "don"], "field '--status': unknown status 'don': choose one of done, failed, running, held (did you mean 'done'?)"),
    ],
)
def test_a_slip_is_one_line_naming_the_option_and_the_name_meant(capsys, args, line) -> None:
    code = run_app(app, args)
    err = [text for text in capsys.readouterr().err.splitlines() if text.startswith("twin: error:")]
    assert code == 2 and len(err) == 1 and line in err[0], err


def test_other_spellings_the_engine_reads_still_pass(capsys) -> None:
    """``--algorithm Frank-Wolfe`` and ``B`` are read by the assignment (its aliases): no error from the check."""
    for name in ("Frank-Wolfe", "B"):
        run_app(app, ["traffic", "assign", "--net", "missing_net.tntp", "--trips", "t", "--algorithm", name])
        assert "network file not found" in capsys.readouterr().err


def test_access_categories_hint(capsys) -> None:
    assert run_app(app, ["traffic", "access", B, "--categories", "school,parc"]) == 2
    assert "field '--categories': unknown service category 'parc': choose one of school, park" in capsys.readouterr().err
    assert run_app(app, ["traffic", "access", B, "--categories", "school,plaground"]) == 2
    assert "(did you mean 'playground'?)" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "option", "name"), [
    (["traffic", "access", "x.geojson", "--categories", "school,school"], "--categories", "'school'"),
    (["solar", "cadastre", "x.geojson", "--surfaces", "roof,wall,roof"], "--surfaces", "'roof'"),
])
def test_a_name_listed_twice_in_a_comma_separated_option_is_refused(args, option, name):
    """s54b: ``--categories school,school`` ran (exit 0) as if written once."""
    assert_one_line_error(run_twin(args), contains=(f"'{option}'", f"{name} is listed twice"))
