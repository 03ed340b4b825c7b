"""Bad-input sweep 3 of ``twin calibrate`` and ``twin sync forecast``: options that change nothing.

``twin calibrate --utc-offset/--latitude/--longitude`` without ``--daily-weather`` (the EPW has its
own offset and site), ``--weather`` beside ``--daily-weather`` (the daily table was used, the EPW
ignored) and ``twin sync forecast -w FILE.epw --latitude ...`` (read for a CSV forecast only) all
ran with exit 0. So did the options of one fit given without it: ``--samples`` without
``--classes``, ``--draws``, ``--sigma-rel``, ``--tz``, ``--drop-unknown``, ``--train-until`` or
``--gas-kwh-per-m3`` without ``--meters``. Now one ``twin: error:`` line naming the option, before
anything is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.test_cli_bad_input_rel3 import _meters, tiny_scene  # noqa: F401  (tiny_scene: a module fixture)

SAMPLES = REPO / "data_samples"
EPW = SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
DAILY = SAMPLES / "yvr_daily_temperature_2012-2014.csv"


@pytest.mark.parametrize(
    ("options", "contains"),
    [
        (["--utc-offset", "1"], ("'--utc-offset'", "--utc-offset 1 is read with --daily-weather only")),
        (["-w", EPW, "--latitude", "50.8", "--longitude", "4.35"], ("'--latitude'", "read with --daily-weather only")),
        (["--longitude", "4.35"], ("'--longitude'", "would change nothing")),
        (["-w", EPW, "--daily-weather", DAILY, "--utc-offset", "-8", "--latitude", "49.2", "--longitude", "-123.2"],
         ("'--weather'", "not both", "--weather would be ignored", EPW.name)),
    ],
    ids=["utc-offset-alone", "latitude-with-epw", "longitude-alone", "epw-and-daily"],
)
def test_calibrate_weather_option_that_changes_nothing_is_refused(tiny_scene: tuple[Path, list[str]], tmp_path: Path,  # noqa: F811
                                                                   options: list, contains: tuple[str, ...]) -> None:
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "m.csv", {ids[0]: 12})
    out = tmp_path / "cal"
    result = run_twin(["calibrate", scene, "--meters", meters, *options, "-o", out, "-q"])
    assert_one_line_error(result, contains=contains)
    assert not out.exists()


def test_daily_weather_with_its_options_passes_the_check(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:  # noqa: F811
    """The same options with --daily-weather are read: the run gets past the option checks (to the
    coverage check of the 2023 readings against the 2012-2014 table)."""
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "m.csv", {ids[0]: 12})
    result = run_twin(["calibrate", scene, "--meters", meters, "--daily-weather", DAILY, "--utc-offset", "-8", "--latitude", "49.2",
                       "--longitude", "-123.2", "-o", tmp_path / "cal", "-q"])
    line = assert_one_line_error(result, contains=("m.csv", "outside the weather"))
    assert "change nothing" not in line


def test_sync_forecast_latitude_with_an_epw_is_refused(tmp_path: Path) -> None:
    # refused before the state is read: no state needed
    result = run_twin(["sync", "forecast", tmp_path / "state.npz", "-w", EPW, "--latitude", "50.8", "--longitude", "4.35"])
    assert_one_line_error(result, contains=(EPW.name, "'--latitude'", "for a CSV forecast", "change nothing"))


@pytest.mark.parametrize(
    ("fit", "option", "value", "needs"),
    [
        ("meters", "--samples", "10", "--classes"),
        ("classes", "--draws", "10", "--meters"),
        ("classes", "--sigma-rel", "0.1", "--meters"),
        ("classes", "--tz", "Europe/Brussels", "--meters"),
        ("classes", "--drop-unknown", None, "--meters"),
        ("classes", "--train-until", "2023-10-01T00:00:00+02:00", "--meters"),
    ],
    ids=["samples-without-classes", "draws-without-meters", "sigma-without-meters", "tz-without-meters", "drop-unknown-without-meters",
         "train-until-without-meters"],
)
def test_calibrate_option_of_the_other_fit_is_refused(tiny_scene: tuple[Path, list[str]], tmp_path: Path, fit: str, option: str,  # noqa: F811
                                                      value: str | None, needs: str) -> None:
    """Each ran with exit 0, the option unused (a class fit draws no posterior per building; a meter
    fit simulates no stock samples)."""
    scene, ids = tiny_scene
    given = ["--meters", _meters(tmp_path / "m.csv", {ids[0]: 12})] if fit == "meters" else ["--classes", "brussels"]
    out = tmp_path / "cal"
    result = run_twin(["calibrate", scene, *given, option, *([value] if value is not None else []), "-o", out, "-q"])
    assert_one_line_error(result, contains=(f"'{option}'", f"is read with {needs} only", "change nothing"))
    assert not out.exists()


def test_calibrate_default_draws_and_samples_are_not_taken_as_given(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:  # noqa: F811
    """Without --draws / --samples on the command line their defaults (100, 40) raise nothing: the run
    gets to the meter file (2 readings: too few to fit, another error)."""
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "m.csv", {ids[0]: 2})
    line = assert_one_line_error(run_twin(["calibrate", scene, "--meters", meters, "-o", tmp_path / "cal", "-q"]), contains=("m.csv", "2 readings"))
    assert "change nothing" not in line
