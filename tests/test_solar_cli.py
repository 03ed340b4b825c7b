"""``twin solar``: a run on a small scene, and bad input as one error line (tests/cli_harness.py)."""

from __future__ import annotations

import json

import pytest

from tests.cli_harness import assert_one_line_error, assert_warning, run_twin
from tests.conftest import shared_path
from tests.geojson_builders import polygon_feature, rectangle_ring, write_geojson

EPW = "data_samples/BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Ten footprints, one without height."""
    d = tmp_path_factory.mktemp("solar_cli")
    feats = []
    for i in range(10):
        x = 150000 + 12 * i
        props = {"building": "house", "height": 9 if i else None, "roof:shape": "gabled" if i % 2 else None}
        feats.append(polygon_feature(rectangle_ring(x, 170000, x + 10, 170008), **props))
    return write_geojson(d / "houses.geojson", feats, crs="EPSG:31370")


def test_cadastre_runs_and_writes_geoparquet(small, tmp_path):
    import geopandas as gpd

    out = tmp_path / "solar"
    r = run_twin(["solar", "cadastre", small, "--weather", EPW, "-o", out, "--method", "horizon", "--cityjson", tmp_path / "b.city.json"])
    assert r.code == 0, r.stderr
    assert "results written" in r.stdout
    # half the footprints give roof:shape: the others' shapes are the default, said and recorded
    assert "roof shapes: 5 from the data, 5 without one taken as flat (--roof-default), 0 approximated as flat" in r.stdout
    summary = json.loads((out / "solar_summary.json").read_text())
    assert summary["roof_shape_sources"] == {"data": 5, "default": 5, "approximated": 0} and summary["roof_default"] == "flat"
    s = gpd.read_parquet(out / "surfaces.parquet")
    assert len(s) > 0 and s["irradiation_kwh_m2_year"].between(300, 1400).all()
    doc = json.loads((tmp_path / "b.city.json").read_text())
    attrs = [o["attributes"] for o in doc["CityObjects"].values()]
    assert any(a.get("solar_pv_kwp", 0) > 0 for a in attrs)


def test_quiet_run_prints_nothing_to_stdout(small, tmp_path):
    r = run_twin(["solar", "cadastre", small, "--weather", EPW, "-o", tmp_path / "q", "--method", "horizon", "-q"])
    assert r.code == 0 and r.stdout == ""


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (["--spacing", "0"], "'--spacing'"),
        (["--spacing", "nan"], "'--spacing'"),
        (["--method", "magic"], "method"),
        (["--sectors", "2"], "sectors"),
        (["--surfaces", "roof,chimney"], "'--surfaces'"),
        (["--roof-default", "onion"], "roof"),
        (["--albedo", "1.5"], "albedo"),
        (["--max-sensors", "0"], "'--max-sensors'"),
    ],
)
def test_bad_options_one_line(small, tmp_path, args, contains):
    r = run_twin(["solar", "cadastre", small, "--weather", EPW, "-o", tmp_path / "o", *args])
    assert_one_line_error(r, contains=contains)
    assert not (tmp_path / "o").exists()


def test_bad_files_one_line(small, tmp_path):
    assert_one_line_error(run_twin(["solar", "cadastre", small, "--weather", tmp_path / "none.epw", "-o", tmp_path / "o"]), contains="weather")
    (tmp_path / "wdir.epw").mkdir()
    assert_one_line_error(run_twin(["solar", "cadastre", small, "--weather", tmp_path / "wdir.epw", "-o", tmp_path / "o"]), contains="folder")
    (tmp_path / "afile").write_text("x")
    assert_one_line_error(run_twin(["solar", "cadastre", small, "--weather", EPW, "-o", tmp_path / "afile" / "o"]), contains="--out")
    assert_one_line_error(run_twin(["solar", "cadastre", shared_path("gis", "delft.city.json"), "-o", tmp_path / "o"]), contains="weather")
    assert_one_line_error(run_twin(["solar", "pv", "--weather", EPW, "--tilt", "100"]), contains="--tilt")


@pytest.mark.parametrize(("option", "value"), [("--tilt", "nan"), ("--azimuth", "inf"), ("--albedo", "-inf"), ("--kwp", "nan"), ("--kwp", "inf")])
def test_pv_option_that_is_not_finite_says_so(option, value):
    """``--tilt nan`` said 'nan is outside [0, 90]'; a NaN or inf is not a number to range-check."""
    line = assert_one_line_error(run_twin(["solar", "pv", "--weather", EPW, option, value]),
                                 contains=(f"'{option}'", f"not a finite number: {float(value)!r}"))
    assert "outside" not in line


def test_pv_parameters_not_finite_say_so():
    """The library check of PVParameters (scenario solar settings) says the same."""
    from twin.errors import InputError
    from twin.solar.pv import PVParameters

    with pytest.raises(InputError, match="not a finite number: nan"):
        PVParameters(dc_losses=float("nan")).check()


def test_pv_json_is_strict(tmp_path):
    r = run_twin(["solar", "pv", "--weather", EPW, "--tilt", "35", "--azimuth", "180", "--kwp", "4", "--json"])
    assert r.code == 0, r.stderr
    res = json.loads(r.stdout)
    assert 3000 < res["ac_kwh_year"] < 5000 and res["poa_kwh_m2_year"] > 1000


def test_problems_warning_line(tmp_path):
    """A CityJSON file with degenerate faces: one warning line, results for the rest."""
    r = run_twin(["solar", "cadastre", shared_path("gis", "delft.city.json"), "--weather", EPW, "-o", tmp_path / "d",
                  "--method", "horizon", "--spacing", "3", "-q"])
    assert r.code == 0
    assert_warning(r, contains="problem")


def test_walls_and_ground_on_footprints(small, tmp_path):
    import pandas as pd

    out = tmp_path / "walls"
    r = run_twin(["solar", "cadastre", small, "--weather", EPW, "-o", out, "--surfaces", "roof,wall,ground", "--spacing", "2",
                  "--method", "horizon", "--csv", "-q"])
    assert r.code == 0, r.stderr
    s = pd.read_csv(out / "surfaces.csv")
    assert set(s["kind"]) == {"roof", "wall"} and len(pd.read_csv(out / "ground.csv")) > 0
    walls = s[s["kind"] == "wall"]
    assert (walls["irradiation_kwh_m2_year"] < s[s["kind"] == "roof"]["irradiation_kwh_m2_year"].max()).all()
