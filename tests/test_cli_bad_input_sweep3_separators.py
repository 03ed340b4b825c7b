"""Bad-input sweep 3: the other CSV inputs written with ';' (a spreadsheet in a comma-decimal locale).

``--heat-pumps``, ``--measures``, ``--daily-weather`` and a CSV forecast read as one column said
"... lacks a column" naming a column the header holds. Now one ``twin: error:`` line naming the
file, the option and the separator (:func:`twin.io.csv_separator.check_separator`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.test_cli_bad_input_rel3 import _meters, tiny_scene  # noqa: F401  (tiny_scene: a module fixture)
from twin.errors import ParseError

DATA = REPO / "twin" / "data"
DAILY = REPO / "data_samples" / "yvr_daily_temperature_2012-2014.csv"


def _semicolons(source: Path, path: Path) -> Path:
    """``source`` rewritten with ';' between the columns (its quoted texts keep their commas)."""
    import pandas as pd

    pd.read_csv(source, dtype=str, keep_default_na=False).to_csv(path, sep=";", index=False)
    return path


@pytest.mark.parametrize(
    ("option", "source", "extra", "what"),
    [("--heat-pumps", DATA / "heat_pumps.csv", ["-m", "heat_pump_air_55"], "heat-pump table"),
     ("--measures", DATA / "energy_measures.csv", ["-m", "wall_insulation"], "measure table")],
    ids=["heat-pumps", "measures"],
)
def test_energy_run_tables_with_semicolons(tiny_scene: tuple[Path, list[str]], tmp_path: Path, option: str, source: Path,  # noqa: F811
                                           extra: list, what: str) -> None:
    scene, _ = tiny_scene
    table = _semicolons(source, tmp_path / "excel.csv")
    out = tmp_path / "out"
    result = run_twin(["energy", "run", scene, *extra, option, table, "-o", out, "-q"])
    line = assert_one_line_error(result, contains=("excel.csv", f"'{option}'", "separated by ';'", f"the {what} is a comma-separated CSV"))
    assert "lacks a column" not in line
    assert not out.exists()


def test_daily_weather_with_semicolons(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:  # noqa: F811
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "m.csv", {ids[0]: 12})
    daily = _semicolons(DAILY, tmp_path / "daily.csv")
    result = run_twin(["calibrate", scene, "--meters", meters, "--daily-weather", daily, "--utc-offset", "-8", "--latitude", "49.2",
                       "--longitude", "-123.2", "-o", tmp_path / "cal", "-q"])
    assert_one_line_error(result, contains=("daily.csv", "'--daily-weather'", "separated by ';'"))


def test_forecast_csv_with_semicolons(tmp_path: Path) -> None:
    from twin.calibration.command import read_forecast_csv

    path = tmp_path / "forecast.csv"
    path.write_text("time;t_out_c\n2023-01-15T01:00:00+01:00;3,5\n", encoding="utf-8")
    with pytest.raises(ParseError, match="separated by ';'"):
        read_forecast_csv(path, latitude_deg=50.8, longitude_deg=4.35)
    path.write_text("time,t_out_c\n2023-01-15T01:00:00+01:00,3.5\n", encoding="utf-8")  # the same forecast with commas reads on
    try:
        read_forecast_csv(path, latitude_deg=50.8, longitude_deg=4.35)
    except ParseError as exc:  # pragma: no cover - the failure message
        pytest.fail(f"a comma-separated forecast refused: {exc}")
    except Exception as exc:  # a later check of the one-hour table may refuse it, not the separator one
        assert "separated by" not in str(exc)
