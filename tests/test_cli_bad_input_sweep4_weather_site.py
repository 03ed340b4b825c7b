"""Bad-input sweep 4: a weather file of another place.

``twin ingest`` of Saint-Gilles footprints with Denver's TMY3, ``twin energy run`` and ``twin solar
cadastre`` of a Brussels scene with ``--weather`` Denver all ran with exit 0: the sun positions
come from the weather file's LOCATION line, so Brussels roofs were computed under Denver's sun
and climate. Now one ``twin: error:`` line naming the weather file, the option and the distance
(:func:`twin.io.weather_site.check_weather_site`); nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs
from twin.errors import InputError
from twin.io.weather_site import MAX_WEATHER_DISTANCE_KM, check_weather_site, distance_km

UCCLE = Path(__file__).parents[1] / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


def _moved_weather(path: Path, lat: float, lon: float, name: str = "Elsewhere") -> Path:
    """Uccle's year with the LOCATION line of another place."""
    lines = UCCLE.read_text().splitlines(keepends=True)
    parts = lines[0].split(",")
    parts[1], parts[6], parts[7] = name, f"{lat:.4f}", f"{lon:.4f}"
    lines[0] = ",".join(parts)
    path.write_text("".join(lines))
    return path


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    inputs = write_tiny_inputs(folder / "in")
    out = folder / "scene"
    assert run_twin(["ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", out, "-q"]).code == 0
    return out


def test_distance_is_the_great_circle() -> None:
    assert distance_km(4.3581, 50.7969, 2.3522, 48.8566) == pytest.approx(259, abs=3)  # Uccle - Paris
    assert distance_km(4.0, 50.0, 4.0, 51.0) == pytest.approx(111.2, abs=0.2)  # one degree of latitude


def test_ingest_refuses_a_weather_file_of_another_continent(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    far = _moved_weather(tmp_path / "denver.epw", 39.83, -104.65, "Denver")
    out = tmp_path / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", far, "-o", out, "-q"])
    assert_one_line_error(result, contains=("denver.epw", "'weather'", "Denver", "104.650 W", "km from the scene"))
    assert not out.exists()
    alone = run_twin(["ingest", far, "-o", tmp_path / "weather_only", "-q"])  # no geometry to compare with
    assert alone.code == 0, alone.stderr


def test_energy_run_and_cadastre_refuse_a_far_weather(tmp_path: Path, scene: Path) -> None:
    far = _moved_weather(tmp_path / "lyon.epw", 45.76, 4.84, "Lyon")  # about 560 km south
    energy = run_twin(["energy", "run", scene, "-w", far, "-o", tmp_path / "e", "-q", "--no-plots"])
    assert_one_line_error(energy, contains=("lyon.epw", "'--weather'", "Lyon"))
    solar = run_twin(["solar", "cadastre", scene, "-w", far, "-o", tmp_path / "s", "-q"])
    assert_one_line_error(solar, contains=("lyon.epw", "'--weather'", "Lyon"))
    assert not (tmp_path / "e").exists() and not (tmp_path / "s").exists()


def test_a_near_weather_still_runs(tmp_path: Path, scene: Path) -> None:
    near = _moved_weather(tmp_path / "ostend.epw", 51.23, 2.92, "Oostende")  # about 110 km
    solar = run_twin(["solar", "cadastre", scene, "-w", near, "-o", tmp_path / "s", "-q"])
    assert solar.code == 0, solar.stderr


def test_the_limit(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    from twin.io.epw import read_epw
    from twin.scene import Scene

    sc = Scene(crs="EPSG:31370")
    site = gpd.GeoDataFrame({"site_id": ["s"]}, geometry=[box(4.35, 50.80, 4.36, 50.81)], crs="EPSG:4326").to_crs("EPSG:31370")
    sc.add("sites", site)
    inside = read_epw(_moved_weather(tmp_path / "a.epw", 50.805 + (MAX_WEATHER_DISTANCE_KM - 5) / 111.2, 4.355))
    check_weather_site(inside, sc)
    outside = read_epw(_moved_weather(tmp_path / "b.epw", 50.805 + (MAX_WEATHER_DISTANCE_KM + 5) / 111.2, 4.355))
    with pytest.raises(InputError) as err:
        check_weather_site(outside, sc, field="--weather")
    assert err.value.field == "--weather" and "b.epw" in str(err.value)


def test_cadastre_of_a_cityjson_with_a_far_weather(tmp_path: Path) -> None:
    """A CityJSON of Zurich with Uccle's weather (487 km) ran the cadastre with exit 0 (the footprint
    scenes were checked before it; a CityJSON is checked once its surfaces are read, before any
    irradiation)."""
    from tests.conftest import shared_path

    out = tmp_path / "zurich"
    result = run_twin(["solar", "cadastre", shared_path("gis", "zurich_subset_lod2.city.json"), "-w", UCCLE, "-o", out, "-q",
                       "--spacing", "5"])
    assert_one_line_error(result, contains=("Uccle", "'--weather'", "487 km from the scene"))
    assert not out.exists()
