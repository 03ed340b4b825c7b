"""Traffic commands check every output before any work and never lose an earlier output.

``twin traffic simulate --output a.csv --turns b.csv`` judged a CSV only at writing time, against
the exact header about to be written: ``a.csv`` was already replaced when ``b.csv`` (a meters
table) was refused, after the whole run; and a rerun whose table had other columns (movements
per interval) was refused over its own earlier file. ``.nc``, ``.omx`` and ``.gpkg`` outputs had
no writer check at all. Now (:mod:`twin.traffic.output_files`) every output is checked before
anything is read, a CSV is recognised by its record (``.NAME.twin-written.json``, the SHA-256 of
what twin wrote; it was: by the key columns it starts with, tests/test_traffic_outputs_safe.py), netCDF / OMX /
GeoPackage outputs record ``twin_written_by``, and the outputs of one command are written staged
and swapped in together.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.traffic_output_cases import crossroads_scene_folder, one_trip_demand, snapshot

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
ACCESS_FILES = [SAMPLES / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover", "pois")]


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    return crossroads_scene_folder(tmp_path_factory, "staged_outputs")


@pytest.fixture(scope="module")
def demand(tmp_path_factory) -> Path:
    return one_trip_demand(tmp_path_factory, "staged_demand")


def simulate(scene: Path, demand: Path, *options) -> list:
    return ["traffic", "simulate", scene, "--demand", demand, "--routes", "free_flow", *options]


def meters_csv(path: Path) -> None:
    pd.DataFrame({"meter_id": ["m1", "m2"], "timestamp": ["2023-01-15T00:00", "2023-01-15T01:00"], "kwh": [1.5, 2.25]}).to_csv(path, index=False)


def test_last_output_a_foreign_csv_refused_before_any_work(scene: Path, demand: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    first = run_twin(simulate(scene, demand, "--output", out / "links.csv", "--timeseries", out / "steps.nc"))
    assert first.code == 0, first.stderr
    meters_csv(out / "meters.csv")
    before = snapshot(out)
    # --output to a new file, --timeseries over its own earlier file, --turns over a meters table
    r = run_twin(simulate(scene, demand, "--output", out / "new_links.csv", "--timeseries", out / "steps.nc", "--turns", out / "meters.csv"))
    assert_one_line_error(r, contains=("--turns", "meters.csv", "meter_id", "not an earlier result of twin traffic"))
    assert snapshot(out) == before  # nothing created, nothing replaced, no temporary file left


def test_outputs_checked_before_the_demand_is_read(scene: Path, tmp_path: Path) -> None:
    broken = tmp_path / "od.csv"
    broken.write_text("origin,destination\nW\n")  # would be an error of its own
    meters_csv(tmp_path / "meters.csv")
    r = run_twin(simulate(scene, broken, "--output", tmp_path / "links.csv", "--turns", tmp_path / "meters.csv"))
    assert_one_line_error(r, contains=("--turns", "meters.csv"))


def test_rerun_with_other_columns_replaces_its_own_csv(scene: Path, demand: Path, tmp_path: Path) -> None:
    turns = tmp_path / "turns.csv"
    first = run_twin(simulate(scene, demand, "--turns", turns))
    assert first.code == 0, first.stderr
    assert "t_start_s" not in turns.read_text().splitlines()[0]
    again = run_twin(simulate(scene, demand, "--turns", turns, "--turns-interval", "60"))  # one row per interval: two more columns
    assert again.code == 0, again.stderr
    header = turns.read_text().splitlines()[0].split(",")
    assert header[:3] == ["node_id", "in_link_id", "out_link_id"] and "t_start_s" in header


def test_a_failure_at_the_last_output_leaves_the_earlier_ones(scene: Path, demand: Path, tmp_path: Path, monkeypatch) -> None:
    from twin.io import atomic_path
    from twin.traffic import output_files
    from twin.traffic.dynamic_commands import run_simulate, to_table

    links, steps = tmp_path / "links.csv", tmp_path / "steps.nc"
    with atomic_path(links) as tmp:  # an earlier result (a traffic CSV and its record)
        to_table(pd.DataFrame({"link_id": ["old"], "from_node": ["a"], "to_node": ["b"], "entered_veh": [1]}), tmp, links)

    def fail(ds, path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(output_files, "write_netcdf", fail)
    before = snapshot(tmp_path)
    with pytest.raises(OSError, match="disk full"):
        run_simulate([scene], demand=demand, dt_s=None, duration_s=None, routes="free_flow", output=links, timeseries=steps, crs=None,
                     scene_crs="EPSG:31370")  # fmt: skip
    assert snapshot(tmp_path) == before


def untagged_netcdf(path: Path) -> None:
    import xarray as xr

    xr.Dataset({"kwh": ("t", np.array([1.0, 2.0]))}).to_netcdf(path)


@pytest.mark.parametrize("foreign", ["untagged", "csv"])
def test_netcdf_of_another_writer_refused_and_kept(scene: Path, demand: Path, tmp_path: Path, foreign: str) -> None:
    target = tmp_path / "steps.nc"
    if foreign == "untagged":
        untagged_netcdf(target)
    else:
        meters_csv(target)
    before = target.read_bytes()
    r = run_twin(simulate(scene, demand, "--timeseries", target))
    assert_one_line_error(r, contains=("--timeseries", "steps.nc", "not an earlier result of twin traffic"))
    assert target.read_bytes() == before


def test_netcdf_tagged_and_replaced_by_a_rerun(scene: Path, demand: Path, tmp_path: Path) -> None:
    import xarray as xr

    target = tmp_path / "steps.nc"
    for _ in range(2):
        r = run_twin(simulate(scene, demand, "--timeseries", target))
        assert r.code == 0, r.stderr
    with xr.open_dataset(target) as ds:
        assert ds.attrs["twin_written_by"] == "twin traffic" and ds.sizes["link"] > 0


@pytest.fixture(scope="module")
def sioux() -> Path:
    return shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")


def test_omx_of_another_writer_refused_and_own_replaced(sioux: Path, tmp_path: Path) -> None:
    import openmatrix as omx
    import tables

    foreign = tmp_path / "other.omx"
    f = omx.open_file(str(foreign), "w")
    f["time"] = np.ones((2, 2))
    f.close()
    before = foreign.read_bytes()
    assert_one_line_error(run_twin(["traffic", "skims", "--net", sioux, "-o", foreign]), contains=("--output", "other.omx", "OpenMatrix"))
    assert foreign.read_bytes() == before
    own = tmp_path / "skims.omx"
    for _ in range(2):
        r = run_twin(["traffic", "skims", "--net", sioux, "-o", own])
        assert r.code == 0, r.stderr
    with tables.open_file(str(own)) as fh:
        assert fh.root._v_attrs["twin_written_by"] == "twin traffic"


def access(target: Path) -> list:
    return ["traffic", "access", *ACCESS_FILES, "--categories", "school", "-o", target]


def test_geopackage_of_another_writer_refused_and_own_replaced(tmp_path: Path) -> None:
    import geopandas as gpd
    import pyogrio
    import shapely

    foreign = tmp_path / "parcels.gpkg"
    gpd.GeoDataFrame({"parcel": ["p1"]}, geometry=[shapely.Point(0, 0)], crs="EPSG:31370").to_file(foreign, driver="GPKG")
    before = foreign.read_bytes()
    assert_one_line_error(run_twin(access(foreign)), contains=("--output", "parcels.gpkg", "GeoPackage", "not an earlier result of twin traffic"))
    assert foreign.read_bytes() == before
    own = tmp_path / "reach.gpkg"
    for _ in range(2):
        r = run_twin(access(own))
        assert r.code == 0, r.stderr
    assert [name for name, _ in pyogrio.list_layers(own)] == ["reach"]  # the tag is no layer: read_file takes the table by default
    assert pyogrio.read_info(own)["layer_metadata"]["twin_written_by"] == "twin traffic"
    assert gpd.read_file(own).crs.to_epsg() == 31370
    # nothing beside the output: a tag in the dataset's metadata made GDAL write reach.gpkg.aux.xml at every read (the rerun's check)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parcels.gpkg", "reach.gpkg"]


def test_geopackage_tagged_in_its_dataset_metadata_by_an_earlier_twin_is_replaced(tmp_path: Path) -> None:
    import geopandas as gpd
    import pyogrio
    import shapely

    earlier = tmp_path / "reach.gpkg"
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(150000, 170000)], crs="EPSG:31370")
    pyogrio.write_dataframe(frame, earlier, layer="reach", driver="GPKG", dataset_metadata={"twin_written_by": "twin traffic"})
    r = run_twin(access(earlier))
    assert r.code == 0, r.stderr
    assert pyogrio.read_info(earlier)["layer_metadata"]["twin_written_by"] == "twin traffic"


def test_geoparquet_written_once_keeps_geo_metadata_and_tag(tmp_path: Path) -> None:
    import geopandas as gpd
    import pyarrow.parquet as pq

    target = tmp_path / "reach.parquet"
    r = run_twin(access(target))
    assert r.code == 0, r.stderr
    meta = pq.read_schema(target).metadata
    assert meta[b"twin_written_by"] == b"twin traffic" and b"geo" in meta
    g = gpd.read_parquet(target)
    assert g.crs.to_epsg() == 31370 and len(g) > 0 and not g.geometry.is_empty.any()


def test_staged_outputs_swap_all_or_nothing(tmp_path: Path) -> None:
    from twin.traffic.output_files import StagedOutputs

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    outputs = StagedOutputs()
    outputs.add([("--output", a, (".csv",))])
    with outputs:  # an earlier result: a traffic CSV and its record (.a.csv.twin-written.json)
        outputs.path(a).write_text("link_id,from_node,to_node\nold,1,2\n")
    outputs = StagedOutputs()
    outputs.add([("--output", a, (".csv",)), ("--turns", b, (".csv",))])
    with pytest.raises(RuntimeError), outputs:
        outputs.path(a).write_text("link_id,from_node,to_node\nnew,1,2\n")
        raise RuntimeError("the second table failed")
    assert a.read_text() == "link_id,from_node,to_node\nold,1,2\n" and not b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".a.csv.twin-written.json", "a.csv"]
    with outputs:
        outputs.path(a).write_text("link_id,from_node,to_node\nnew,1,2\n")
        outputs.path(b).write_text("node_id,in_link_id,out_link_id\nn,1,2\n")
    assert "new" in a.read_text() and b.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".a.csv.twin-written.json", ".b.csv.twin-written.json", "a.csv", "b.csv"]
