"""A scene whose weather layer was cut or edited is refused when the scene is read (helper fuzz, s54).

``twin ingest`` stores the weather of an EPW file: a year of consecutive hours, every field inside
the EPW data dictionary's range or missing. The reader took any ``weather.parquet`` as it stood:
``twin energy run`` on a scene whose weather held 100 hours simulated them as "the year" (annual
heating need 5,590 MWh instead of 248,844 MWh for Saint-Gilles), exit 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import EPW


@pytest.fixture(scope="module")
def scene_folder(tmp_path_factory) -> Path:
    """Five footprints and the EPW of data_samples, written as a scene folder."""
    from twin.export import write_scene
    from twin.ingest import ingest

    folder = tmp_path_factory.mktemp("scene_weather")
    footprints = folder / "footprints.gpkg"
    squares = [shapely.box(148_000 + 20 * i, 168_000, 148_010 + 20 * i, 168_010) for i in range(5)]
    gpd.GeoDataFrame({"building": ["yes"] * 5}, geometry=squares, crs="EPSG:31370").to_file(footprints, layer="buildings", driver="GPKG")
    scene, _ = ingest([footprints, EPW])
    write_scene(scene, folder / "scene")
    return folder / "scene"


def _edited(scene_folder: Path, tmp_path: Path, edit) -> Path:
    out = tmp_path / "edited"
    shutil.copytree(scene_folder, out)
    weather = pd.read_parquet(out / "weather.parquet")
    edit(weather).to_parquet(out / "weather.parquet")
    return out


def test_the_written_scene_reads(scene_folder: Path) -> None:
    from twin.scene.io import read_scene

    assert read_scene(scene_folder).weather.n_hours == 8760
    assert run_twin(["info", scene_folder]).code == 0


def _set(column: str, row: int, value: float):
    def edit(w: pd.DataFrame) -> pd.DataFrame:
        values = w[column].to_numpy(dtype=float).copy()
        values[row] = value
        return w.assign(**{column: values})

    return edit


@pytest.mark.parametrize(("edit", "field", "words"), [
    (lambda w: w.iloc[:100], "time", "100 hourly rows; 8760 (or 8784 in a leap year) expected"),
    (lambda w: w.drop(index=50), "time", "8,759 hourly rows"),
    (lambda w: pd.concat([w.iloc[:50], w.iloc[[60]], w.iloc[51:60], w.iloc[[50]], w.iloc[61:]]), "time", "hours are not consecutive"),
    (_set("ghi_w_m2", 7, 5000.0), "ghi_w_m2", "value 5000 outside the range 0..1500"),
    (_set("dry_bulb_c", 9, np.inf), "dry_bulb_c", "value inf outside the range -70..70"),
    (_set("wind_speed_m_s", 3, -2.0), "wind_speed_m_s", "value -2 outside the range 0..40"),
], ids=["100_hours", "one_hour_dropped", "hours_swapped", "ghi_5000", "temperature_inf", "wind_negative"])
def test_a_cut_or_edited_weather_layer_is_refused(scene_folder: Path, tmp_path: Path, edit, field: str, words: str) -> None:
    from twin.errors import ParseError
    from twin.scene.io import read_scene

    scene = _edited(scene_folder, tmp_path, edit)
    with pytest.raises(ParseError, match=words.replace("(", r"\(").replace(")", r"\)")) as exc:
        read_scene(scene)
    assert exc.value.field == field and exc.value.path == str(scene / "weather.parquet")
    assert_one_line_error(run_twin(["info", scene]), contains=("weather.parquet", f"field '{field}'", words))


def test_a_missing_value_stays_missing(scene_folder: Path, tmp_path: Path) -> None:
    """NaN is an EPW missing-value code read: the reader keeps it (the engines that need the field refuse it)."""
    from twin.scene.io import read_scene

    scene = _edited(scene_folder, tmp_path, _set("ghi_w_m2", 7, np.nan))
    assert np.isnan(read_scene(scene).weather.data["ghi_w_m2"].iloc[7])


def test_a_missing_value_is_reported_in_the_scene_weather_file(scene_folder: Path, tmp_path: Path) -> None:
    """The engine that refuses a missing hour names the scene's weather.parquet, the file that holds
    it (helper fuzz4, s55: it named the EPW the layer was once ingested from, which may not hold it)."""
    from twin.energy.solar import standard_drivers
    from twin.errors import InputError
    from twin.scene.io import read_scene

    scene = _edited(scene_folder, tmp_path, _set("dry_bulb_c", 100, np.nan))
    with pytest.raises(InputError, match="missing air temperature") as exc:
        standard_drivers(read_scene(scene).weather)
    assert exc.value.path == str(scene / "weather.parquet") and exc.value.field == "dry_bulb_c"
    assert "weather row 100" in exc.value.obj


def test_a_saved_scene_keeps_the_weather_origin(scene_folder: Path, tmp_path: Path) -> None:
    """Saving a scene read from disk writes the EPW its weather came from, not the layer file read."""
    import json

    from twin.export import write_scene
    from twin.scene.io import read_scene

    before = json.loads((scene_folder / "scene.json").read_text())["weather"]["source"]
    assert before.endswith(".epw")
    write_scene(read_scene(scene_folder), tmp_path / "again")
    assert json.loads((tmp_path / "again" / "scene.json").read_text())["weather"]["source"] == before
