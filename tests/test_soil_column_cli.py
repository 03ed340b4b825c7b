"""The single-column spec and ``twin soil column``: output, and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from tests.soil_helpers import edited_spec
from twin.cli.main import app
from twin.errors import InputError
from twin.soil.column import (
    column_report,
    front_depth_m,
    load_column_spec,
    prepare_column,
)
from twin.soil.rain import from_weather

CELIA = Path(__file__).parent / "soil_data" / "celia1990.yaml"
runner = CliRunner()


def _spec(tmp_path: Path, **changes) -> Path:
    return edited_spec(CELIA, tmp_path, changes)


def test_cli_prints_profiles_fluxes_and_balance():
    res = runner.invoke(app, ["soil", "column", str(CELIA)])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "h_m@24h" in out and "theta@24h" in out and "water balance error" in out
    assert "infiltration" in out


def test_cli_json_matches_the_api():
    res = runner.invoke(app, ["soil", "column", str(CELIA), "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert rep["times_s"] == [21600, 43200, 64800, 86400]
    assert len(rep["h_m"]) == 4 and len(rep["h_m"][0]) == len(rep["depth_m"]) == 101
    # the front moves down with time and the cumulative infiltration grows
    fronts = [front_depth_m(rep["depth_m"], h, -5.375) for h in rep["h_m"]]
    assert all(np.diff(fronts) > 0)
    assert all(np.diff(rep["cumulative_m"]["infiltration"]) > 0)
    assert abs(rep["relative_water_balance_error"]) < 1e-6
    run = prepare_column(load_column_spec(CELIA), path=CELIA)
    again = column_report(run, run.run())
    assert again["totals_m"]["infiltration"] == pytest.approx(rep["totals_m"]["infiltration"], rel=1e-12)


def test_atmospheric_column_with_a_storm(tmp_path):
    spec = {
        "name": "loam under a block storm",
        "materials": {"loam": {"texture": "Loam"}},
        "layers": [{"top_m": 0.0, "bottom_m": 1.0, "material": "loam"}],
        "grid": {"dz_m": 0.02},
        "initial": {"profile": [[0.0, -2.0], [1.0, -1.0]]},
        "top": {"kind": "atmospheric", "rain": {"block": {"depth_mm": 40.0, "duration_s": 1800.0, "start_s": 600.0}},
                "evaporation_mm_day": 2.0},
        "bottom": {"kind": "free_drainage"},
        "duration_s": 21600.0,
        "output_times_s": [0, 3600, 21600],
    }
    path = tmp_path / "storm.yaml"
    path.write_text(yaml.safe_dump(spec))
    run = prepare_column(load_column_spec(path), path=path)
    rep = column_report(run, run.run())
    tot = rep["totals_m"]
    assert tot["rain"] == pytest.approx(0.040, rel=1e-9)
    assert tot["runoff"] > 0.005  # 80 mm/h on loam (Ks 10 mm/h) runs off
    assert tot["evaporation"] == pytest.approx(2.0e-3 * 21600 / 86400, rel=1e-6)
    assert tot["rain"] - tot["runoff"] - tot["evaporation"] == pytest.approx(tot["infiltration"], abs=1e-12)
    assert abs(rep["relative_water_balance_error"]) < 1e-9


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"top.rian": 3}, "top.rian"),
        ({"solvr": {}}, "solvr"),
        ({"materials.celia.theta_r": 0.4}, "materials.celia.theta_r"),
        ({"materials.celia.ks_m_s": -1e-5}, "materials.celia.ks_m_s"),
        ({"materials.celia": {"texture": "Moon Dust"}}, "materials.celia.texture"),
        ({"layers.0.material": "granite"}, "layers.0.material"),
        ({"bottom.kind": "sideways"}, "bottom.kind"),
        # s54: repeated or unordered output times were printed twice or sorted without a word
        ({"output_times_s": [21600, 21600]}, "output_times_s.1"),
        ({"output_times_s": [43200, 21600, 86400]}, "output_times_s.1"),
    ],
)
def test_bad_specs_name_the_key_path(tmp_path, changes, field):
    path = _spec(tmp_path, **changes)
    with pytest.raises(InputError) as err:
        prepare_column(load_column_spec(path), path=path)
    assert err.value.field == field
    assert "spec.yaml" in str(err.value)
    res = runner.invoke(app, ["soil", "column", str(path)])
    assert res.exit_code != 0


def test_rain_series_with_a_gap_names_the_field(tmp_path):
    path = _spec(tmp_path, top={"kind": "atmospheric", "rain": {"step_s": 600, "mm": [1.0, 2.0, None, 1.0]}})
    with pytest.raises(InputError) as err:
        prepare_column(load_column_spec(path), path=path)
    assert err.value.field == "top.rain.mm" and "index 2" in str(err.value)


def test_weather_rain_with_a_gap_or_missing_values_names_precip(tmp_path):
    from tests.conftest import shared_path
    from twin.ingest.epw import read_epw

    weather = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    assert from_weather(weather).depth_mm == pytest.approx(weather.data["precip_mm"].sum())
    gappy = weather.data.drop(weather.data.index[100:103])
    with pytest.raises(InputError) as err:
        from_weather(gappy)
    assert err.value.field == "precip_mm"
    missing = weather.data.copy()
    missing.iloc[50, missing.columns.get_loc("precip_mm")] = np.nan
    with pytest.raises(InputError) as err:
        from_weather(missing)
    assert err.value.field == "precip_mm" and "missing" in str(err.value)
    dry = read_epw(shared_path("weather", "BEL_Brussels.064510_IWEC.epw"))  # IWEC carries no rain data
    with pytest.raises(InputError, match="no precipitation"):
        from_weather(dry)


def test_weather_driven_column_with_roots_and_a_water_table(tmp_path):
    """The district's column in the spec: texture with air entry, graded grid, a lawn under the
    Uccle weather (FAO-56 ET, interception, roots), a water table at 2 m, run-on."""
    from tests.conftest import shared_path

    spec = {
        "name": "lawn over a water table",
        "materials": {"sl": {"texture": "Silt Loam", "h_e_m": -0.02}},
        "layers": [{"top_m": 0.0, "bottom_m": 2.0, "material": "sl"}],
        "grid": {"dz_top_m": 0.01, "dz_max_m": 0.1, "growth": 1.2},
        "initial": {"hydrostatic": True},
        "top": {"kind": "atmospheric", "weather": {"file": str(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")),
                                                   "vegetation": "lawn"}, "runon_factor": 1.5},
        "bottom": {"kind": "water_table", "depth_m": 2.0},
        "duration_s": 60 * 86400.0,
        "output_times_s": [30 * 86400.0, 60 * 86400.0],
    }
    path = tmp_path / "lawn.yaml"
    path.write_text(yaml.safe_dump(spec))
    res = runner.invoke(app, ["soil", "column", str(path), "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    tot = rep["totals_m"]
    assert 0 < tot["transpiration"] <= tot["potential_transpiration"] * (1 + 1e-12)  # no stress in January and February
    assert tot["interception_evaporation"] > 0 and tot["capillary_rise"] >= 0
    # the column's rain is the throughfall plus half the gross rain as run-on
    assert tot["rain"] == pytest.approx(tot["gross_rain"] - tot["interception_evaporation"] - tot["canopy_storage_change"]
                                        + 0.5 * tot["gross_rain"], rel=1e-9)
    assert abs(rep["relative_water_balance_error"]) < 1e-9
    assert tot["infiltration_hydrus"] == tot["infiltration"]  # an atmospheric top: the two counts agree


def test_infiltration_counting_conventions_on_the_celia_spec():
    """Celia (head top): twin counts the fill of the top half-cell at t = 0, HYDRUS does not."""
    from twin.soil.column import initial_top_fill_m
    from twin.soil.hydraulics import van_genuchten

    run = prepare_column(load_column_spec(CELIA), path=CELIA)
    rep = column_report(run, run.run())
    m = van_genuchten("celia", 0.102, 0.368, 3.35, 2.0, 9.22e-5)
    fill = 0.005 * (float(m.theta(-0.75)) - float(m.theta(-10.0)))  # half of the first 1 cm interval
    assert initial_top_fill_m(run) == pytest.approx(fill, rel=1e-12)
    assert rep["totals_m"]["infiltration"] - rep["totals_m"]["infiltration_hydrus"] == pytest.approx(fill, rel=1e-12)
    assert rep["cumulative_m"]["infiltration_hydrus"][-1] == pytest.approx(rep["totals_m"]["infiltration_hydrus"], rel=1e-12)
    assert rep["totals_m"]["infiltration"] * 100 == pytest.approx(4.1346, abs=1e-4)
