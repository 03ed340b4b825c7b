"""``twin traffic mobility`` and ``twin traffic skims`` as a user runs them, and their bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
FILES = [str(SAMPLES / f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "streets", "landcover", "pois")]
PARVIS = ["Parvis Saint-Gilles - Sint-Gillis Voorplein", "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat"]


def test_skims_of_siouxfalls_as_omx(tmp_path) -> None:
    import openmatrix as omx

    folder = shared_path("traffic", "tntp", "SiouxFalls")
    out = tmp_path / "sioux.omx"
    r = run_twin(["traffic", "skims", "--net", folder / "SiouxFalls_net.tntp", "--trips", folder / "SiouxFalls_trips.tntp", "-o", out, "--json"])
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    assert "car_assigned_time" in s["matrices"]
    f = omx.open_file(str(out))
    try:
        t = np.array(f["car_free_flow_time"])
        assert t.shape == (24, 24) and np.all(np.diag(t) == 0) and np.all(t[~np.eye(24, dtype=bool)] > 0)
        assert np.all(np.array(f["car_assigned_time"]) >= t - 1e-9)  # congestion only adds time
    finally:
        f.close()


def test_mobility_closure_through_the_cli(tmp_path) -> None:
    out = tmp_path / "links.gpkg"
    png = tmp_path / "change.png"
    args = ["traffic", "mobility", *FILES, "--periods", "am_peak", "--feedback", "1", "--categories", "school,park,post", "-o", out, "--map", png, "--json"]
    for name in PARVIS:
        args += ["--close", name]
    r = run_twin(args, timeout_s=300)
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["change"]["am_peak_closed_link_flow_veh_h"] == 0.0
    assert s["change"]["am_peak_rerouted_car_trips"] > 0
    assert s["unserved"] == [] and s["whatif_unserved"] == []
    assert out.exists() and png.stat().st_size > 1000
    import geopandas as gpd

    g = gpd.read_file(out)
    assert "flow_am_peak_veh_h_change" in g.columns and (g["status"] == "closed").sum() == s["closed_links"]


def broken_gtfs(tmp_path) -> Path:
    with zipfile.ZipFile(SAMPLES / "cairns_gtfs_weekday_am.zip") as z:
        tables = {n: z.read(n).decode() for n in z.namelist()}
    lines = tables["stop_times.txt"].splitlines()
    parts = lines[3].split(",")
    parts[3] = "999999"
    lines[3] = ",".join(parts)
    tables["stop_times.txt"] = "\n".join(lines) + "\n"
    out = tmp_path / "broken.zip"
    with zipfile.ZipFile(out, "w") as z:
        for n, text in tables.items():
            z.writestr(n, text)
    return out


def test_bad_input_gtfs_broken_stop_reference(tmp_path) -> None:
    r = run_twin(["traffic", "mobility", *FILES, "--gtfs", broken_gtfs(tmp_path)])
    assert_one_line_error(r, contains=("stop_times.txt", "line 4", "stop_id", "'999999' is not in stops.txt"))


def test_bad_input_mode_choice_coefficient_with_the_wrong_sign(tmp_path) -> None:
    table = (Path(__file__).resolve().parents[1] / "twin" / "data" / "mobility_mode_choice.csv").read_text()
    bad = tmp_path / "coef.csv"
    bad.write_text(table.replace("time,all,-0.05134", "time,all,0.05134"))
    r = run_twin(["traffic", "mobility", *FILES, "--mode-choice", bad])
    assert_one_line_error(r, contains=("coef.csv", "parameter time", "must be negative"))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--categories", "school,bakery"], ("--categories", "unknown service category 'bakery'", "choose one of")),
        (["--periods", "night"], ("unknown period 'night'",)),
        (["--skims", "out.csv"], ("--skims", ".omx or .parquet")),
        (["--map", "m.png"], ("--map", "give --close")),
        (["--close", "Rue Imaginaire"], ("--close", "no street named 'Rue Imaginaire'")),
    ],
)
def test_bad_input_options(tmp_path, args, needle) -> None:
    args = [str(tmp_path / a) if a.endswith((".csv", ".png")) else a for a in args]
    r = run_twin(["traffic", "mobility", *FILES, *args])
    assert_one_line_error(r, contains=needle)


def test_bad_input_skims_output(tmp_path) -> None:
    folder = shared_path("traffic", "tntp", "SiouxFalls")
    r = run_twin(["traffic", "skims", "--net", folder / "SiouxFalls_net.tntp", "-o", tmp_path / "s.xlsx"])
    assert_one_line_error(r, contains=("--output", ".omx or .parquet"))
