"""A GeoPackage with the journal or write-ahead log of an unfinished write beside it (helper scenegpkg).

Before, the damage check opened the file immutable (which ignores a journal) and GDAL then
failed on a hot journal with "attempt to write a readonly database", and copied a write-ahead
log into the user's file and deleted the log. Now the file is refused, naming the side file, and
nothing beside it changes (docs/ingest_gis.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from tests.cli_harness import assert_one_line_error, run_twin

_INTERRUPTED = {
    # a transaction left open by a process that dies once its pages have spilled into the file:
    # its rollback journal stays ("hot"), the file alone is half-written
    "journal": ("con.execute('PRAGMA cache_size = 2'); con.execute('BEGIN');"
                "con.execute(\"UPDATE gpkg_contents SET description = 'half-written'\");"
                "con.execute('CREATE TABLE junk (x)');"
                "con.execute('WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000) "
                "INSERT INTO junk SELECT zeroblob(1000) FROM c')"),
    # a write committed to the write-ahead log and not yet copied into the file
    "wal": "con.execute('PRAGMA journal_mode=WAL'); con.execute(\"UPDATE gpkg_contents SET description = 'in the log'\")",
}


def _interrupt_a_write(path: Path, side: str) -> Path:
    """Leave ``path`` as a process killed mid-write leaves it; returns the side file."""
    code = f"import os, sqlite3\ncon = sqlite3.connect({str(path)!r}, isolation_level=None)\n{_INTERRUPTED[side]}\nos._exit(0)\n"
    subprocess.run([sys.executable, "-c", code], check=True)
    out = path.with_name(f"{path.name}-{side}")
    assert out.stat().st_size > 512
    return out


def _footprints(path: Path) -> Path:
    squares = [shapely.box(148_000 + 20 * i, 168_000, 148_010 + 20 * i, 168_010) for i in range(10)]
    gpd.GeoDataFrame({"building": ["yes"] * 10}, geometry=squares, crs="EPSG:31370").to_file(path, layer="buildings", driver="GPKG")
    return path


def _scene(path: Path) -> Path:
    from twin.export import write_scene
    from twin.ingest import ingest

    scene, _ = ingest([_footprints(path.with_name("footprints.gpkg"))])
    write_scene(scene, path)
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("side", sorted(_INTERRUPTED))
@pytest.mark.parametrize("command", ["ingest", "info", "energy run"])
def test_a_geopackage_left_mid_write_is_refused_and_left_as_it_is(tmp_path: Path, command: str, side: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    gpkg = _footprints(data / "city.gpkg") if command == "ingest" else _scene(data / "city.gpkg")
    side_file = _interrupt_a_write(gpkg, side)
    before = _files(data)
    args = {"ingest": ["ingest", gpkg, "-o", tmp_path / "scene", "-q"], "info": ["info", gpkg],
            "energy run": ["energy", "run", gpkg, "--weather", Path("data_samples/BEL_VLG_Uccle.064470_TMYx.2007-2021.epw").resolve(),
                           "-o", tmp_path / "energy"]}[command]
    assert_one_line_error(run_twin(args), contains=("city.gpkg", "was not closed cleanly", side_file.name))
    assert _files(data) == before  # nothing rolled back, copied in or deleted
    assert not (tmp_path / "scene").exists() and not (tmp_path / "energy").exists()


def test_a_finished_journal_or_an_empty_log_is_no_unfinished_write(tmp_path: Path) -> None:
    from twin.io.geopackage_damage import check_geopackage_intact, unfinished_write

    gpkg = _footprints(tmp_path / "city.gpkg")
    gpkg.with_name("city.gpkg-journal").write_bytes(b"\0" * 512)  # journal_mode=PERSIST keeps a zeroed journal
    gpkg.with_name("city.gpkg-wal").write_bytes(b"")
    assert unfinished_write(gpkg) is None
    check_geopackage_intact(gpkg)  # raises nothing
