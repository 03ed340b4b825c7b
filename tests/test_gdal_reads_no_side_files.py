"""twin's reads of a user's GIS files leave nothing beside them (twin.io.gdal_env.gdal_reads).

A GeoPackage with dataset metadata items (``ogr2ogr -mo KEY=VALUE``, QGIS, any writer setting
dataset metadata): GDAL 3.12 wrote ``X.gpkg.aux.xml`` beside it at every read (its PAM side
file). Each reading command runs on such a file in a folder of its own; the folder's listing
must be the same after the command. The shapefile and GeoJSON cases guard the other formats
twin reads through GDAL.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
import yaml

from tests.cli_harness import run_twin

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data_samples"
#: What a user's tools leave in a GeoPackage's dataset metadata (``ogr2ogr -mo``).
META = {"AUTHOR": "planner", "twin_note": "edited in QGIS"}
SMALL = (148300.0, 168800.0, 148400.0, 168900.0)  # 100 m x 100 m in EPSG:31370


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _buildings(n: int = 30) -> gpd.GeoDataFrame:
    return gpd.read_file(SAMPLES / "stgilles_buildings_osm2013.geojson").to_crs(31370).head(n)


def _user_file(folder: Path, name: str, frame: gpd.GeoDataFrame) -> Path:
    """``frame`` written as a user's tool would: dataset metadata where the format keeps it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if name.endswith(".gpkg"):
        pyogrio.write_dataframe(frame, path, layer=path.stem, driver="GPKG", dataset_metadata=META)
    else:
        frame = frame.rename(columns=lambda c: c.replace(":", "_")[:10])  # shapefile field names
        pyogrio.write_dataframe(frame, path)
    return path


@pytest.mark.parametrize("name", ["buildings.gpkg", "buildings.shp", "buildings.geojson"])
def test_ingest_leaves_nothing_beside_its_input(tmp_path: Path, name: str) -> None:
    src = _user_file(tmp_path / "data", name, _buildings())
    before = _listing(src.parent)
    r = run_twin(["-q", "ingest", str(src), "-o", str(tmp_path / "out" / "scene.gpkg")])
    assert r.code == 0, r.stderr
    assert _listing(src.parent) == before
    assert r.stderr == ""  # no GDAL warning either


def test_scene_geopackage_with_dataset_metadata_read_by_info_and_replaced_by_ingest(tmp_path: Path) -> None:
    """A scene written by twin ingest that a user opened and tagged (dataset metadata) is an input
    of every command that takes a scene (here ``twin info``) and an output ingest may replace."""
    src = _user_file(tmp_path / "data", "buildings.geojson", _buildings())
    folder = tmp_path / "scenes"
    scene = folder / "scene.gpkg"
    r = run_twin(["-q", "ingest", str(src), "-o", str(scene)])
    assert r.code == 0, r.stderr
    # the user's tool adds dataset metadata (what ogr2ogr -mo or a metadata editor leaves)
    table = pyogrio.read_dataframe(scene, layer="twin_scene")
    pyogrio.write_dataframe(table, scene, layer="twin_scene", driver="GPKG", append=True, dataset_metadata=META)
    pyogrio.write_dataframe(table.iloc[:0], scene, layer="twin_scene", driver="GPKG", append=True)  # leaves the rows as they were
    assert "twin_note" in (pyogrio.read_info(scene, layer="twin_scene").get("dataset_metadata") or {})
    for p in folder.iterdir():  # the setup's own reads (outside twin) may have left a side file
        if p.name != "scene.gpkg":
            p.unlink()
    r = run_twin(["-q", "info", str(scene)])
    assert r.code == 0, r.stderr
    assert "buildings" in r.stdout
    assert _listing(folder) == ["scene.gpkg"]
    r = run_twin(["-q", "export", str(scene), "-o", str(tmp_path / "exported")])
    assert r.code == 0, r.stderr
    assert _listing(folder) == ["scene.gpkg"]
    r = run_twin(["-q", "ingest", str(src), "-o", str(scene)])  # reads the earlier scene's writer first
    assert r.code == 0, r.stderr
    assert _listing(folder) == ["scene.gpkg"]


def test_traffic_access_leaves_nothing_beside_its_inputs(tmp_path: Path) -> None:
    """``twin traffic access`` on the St-Gilles sample layers as GeoPackages a user tagged (the
    traffic commands read their scene files through ingest)."""
    data = tmp_path / "data"
    for kind in ("buildings", "streets", "pois", "landcover"):
        _user_file(data, f"{kind}.gpkg", gpd.read_file(SAMPLES / f"stgilles_{kind}_osm2013.geojson"))
    before = _listing(data)
    out = tmp_path / "out" / "reach.gpkg"
    out.parent.mkdir()
    r = run_twin(["-q", "traffic", "access", *(str(data / n) for n in before), "-o", str(out)], timeout_s=120.0)
    assert r.code == 0, r.stderr
    assert "park" in r.stdout
    assert _listing(data) == before
    assert _listing(out.parent) == ["reach.gpkg"]


def test_soil_year_maps_leave_nothing_beside_them(tmp_path: Path) -> None:
    """``twin soil year`` reads its water-table map (here one without its field: the run stops with
    one error line after reading it)."""
    data = tmp_path / "data"
    wt = gpd.GeoDataFrame({"depth": [2.0]}, geometry=[shapely.box(*SMALL)], crs="EPSG:31370")
    _user_file(data, "wt.gpkg", wt)
    spec = {
        "name": "side files",
        "scene": [str(SAMPLES / f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "landcover", "streets")],
        "weather": str(SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"),
        "water_table_map": "wt.gpkg",
        "options": {"grid": {"cell_size_m": 50.0, "bounds": list(SMALL)}, "spinup_days": 0},
    }
    (data / "year.yaml").write_text(yaml.safe_dump(spec))
    before = _listing(data)
    r = run_twin(["-q", "soil", "year", str(data / "year.yaml")], timeout_s=120.0)
    assert r.code == 2, r.stderr
    assert "wt.gpkg" in r.stderr and "water_table_depth_m" in r.stderr  # it was read
    assert _listing(data) == before


def test_library_readers_leave_nothing_beside_their_input(tmp_path: Path) -> None:
    """The readers of twin used as a library: sewer catchments and signal files."""
    from twin.soil.grid import read_polygon_layer
    from twin.traffic.signals import read_osm_signals

    data = tmp_path / "data"
    catch = gpd.GeoDataFrame({"capacity_m3_s": [0.5]}, geometry=[shapely.box(*SMALL)], crs="EPSG:31370")
    path = _user_file(data, "sewers.gpkg", catch)
    signals = gpd.read_file(SAMPLES / "stgilles_signals_osm2013.geojson")
    sig = _user_file(data, "signals.gpkg", signals)
    before = _listing(data)
    gdf, _ = read_polygon_layer(path, what="sewer catchments", max_bytes=10_000_000)
    assert gdf["capacity_m3_s"].tolist() == [0.5]
    assert len(read_osm_signals(sig)) == len(signals)
    assert _listing(data) == before


def test_library_readers_use_pyogrio_whatever_the_hosts_geopandas_engine(tmp_path: Path) -> None:
    """gdal_reads sets pyogrio's GDAL; a host that chose fiona for geopandas (its own GDAL) must
    not get reads outside that setting: the readers name their engine."""
    from twin.soil.grid import read_polygon_layer
    from twin.traffic.signals import read_osm_signals

    data = tmp_path / "data"
    catch = gpd.GeoDataFrame({"capacity_m3_s": [0.5]}, geometry=[shapely.box(*SMALL)], crs="EPSG:31370")
    path = _user_file(data, "sewers.gpkg", catch)
    sig = _user_file(data, "signals.gpkg", gpd.read_file(SAMPLES / "stgilles_signals_osm2013.geojson"))
    before = _listing(data)
    host = gpd.options.io_engine
    gpd.options.io_engine = "fiona"  # (geopandas' options refuse monkeypatch's restore)
    try:
        assert read_polygon_layer(path, what="sewer catchments", max_bytes=10_000_000)[0]["capacity_m3_s"].tolist() == [0.5]
        assert len(read_osm_signals(sig)) > 0
    finally:
        gpd.options.io_engine = host
    assert _listing(data) == before


def test_folder_where_no_side_file_can_be_written_gives_no_warning(tmp_path: Path) -> None:
    """A read-only data folder: GDAL warned "Unable to save auxiliary information in X.aux.xml" at
    every read. The tests may run as root (chmod 555 does not stop root), so a directory in the
    side file's place stands in for the read-only folder: GDAL cannot write there either."""
    import warnings

    from twin.soil.grid import read_polygon_layer

    catch = gpd.GeoDataFrame({"capacity_m3_s": [0.5]}, geometry=[shapely.box(*SMALL)], crs="EPSG:31370")
    path = _user_file(tmp_path / "data", "sewers.gpkg", catch)
    (path.parent / "sewers.gpkg.aux.xml").mkdir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gdf, _ = read_polygon_layer(path, what="sewer catchments", max_bytes=10_000_000)
    assert len(gdf) == 1
    assert [str(w.message) for w in caught] == []


# ----------------------------------------------------------------------------- the setting itself
@pytest.fixture
def pam_option():
    """GDAL_PAM_ENABLED as a test found it, set back after the test (config option and environment)."""
    from twin.io.gdal_env import PAM_OPTION

    before = pyogrio.get_gdal_config_option(PAM_OPTION)
    yield PAM_OPTION
    pyogrio.set_gdal_config_options({PAM_OPTION: before})


@pytest.mark.parametrize("host", [None, "YES", "NO", True])
def test_host_setting_restored_after_reads(pam_option: str, host) -> None:
    from twin.io.gdal_env import gdal_reads

    pyogrio.set_gdal_config_options({pam_option: host})
    with gdal_reads():
        assert pyogrio.get_gdal_config_option(pam_option) == "NO"
        with gdal_reads():  # nested (a reader calling another): the outer block still reads without PAM after
            pass
        assert pyogrio.get_gdal_config_option(pam_option) == "NO"
    assert pyogrio.get_gdal_config_option(pam_option) == host
    with pytest.raises(KeyError), gdal_reads():  # a read that fails restores it too
        raise KeyError("x")
    assert pyogrio.get_gdal_config_option(pam_option) == host


def test_setting_from_the_environment_left_to_the_environment(pam_option: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A host that sets GDAL_PAM_ENABLED in its environment only: after twin's reads the option is
    cleared again (not pinned), so a later change of the environment still counts."""
    from twin.io.gdal_env import gdal_reads

    pyogrio.set_gdal_config_options({pam_option: None})
    monkeypatch.setenv(pam_option, "YES")
    with gdal_reads():
        assert pyogrio.get_gdal_config_option(pam_option) == "NO"
    assert pyogrio.get_gdal_config_option(pam_option) == "YES"
    monkeypatch.delenv(pam_option)
    assert pyogrio.get_gdal_config_option(pam_option) is None
