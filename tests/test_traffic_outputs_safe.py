"""Traffic output files that cannot be mistaken, are swapped all-or-nothing and are written through
public APIs (:mod:`twin.traffic.output_files`).

* A CSV output was recognised by its leading key columns alone: ``twin traffic simulate -o
  mytable.csv`` overwrote a user's table that merely started ``link_id,from_node,to_node``. Now a
  traffic CSV has a record beside it (``.NAME.twin-written.json``: the SHA-256 of what twin wrote)
  and only a CSV whose bytes it lists is replaced; a user's table with the key columns, or a
  traffic output edited since, is refused (one line, exit 2, bytes unchanged).
* The outputs of one command were renamed into place one by one: a failure at the 3rd of 5 left
  outputs of two runs. Now every old file is kept aside first and put back on a failure.
* A GeoParquet output is written through the public ``GeoDataFrame.to_parquet`` (the writer used
  geopandas' private ``_geopandas_to_arrow``), and still carries ``twin_written_by``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.traffic_output_cases import crossroads_scene_folder, one_trip_demand, snapshot
from twin.traffic.output_files import CSV_KEYS


def links_frame(n: int = 4):
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(7)
    return gpd.GeoDataFrame({"link_id": [f"l{i}" for i in range(n)], "flow_veh_h": rng.random(n) * 900.0},
                            geometry=shapely.linestrings(rng.random((n, 2, 2)) * 1000.0 + 150_000.0), crs=31370)


def test_traffic_writers_use_no_private_geopandas_api() -> None:
    import ast
    import inspect

    from twin.traffic import output_files

    tree = ast.parse(inspect.getsource(output_files))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not {m for m in imported if m and m.startswith("geopandas.")}, imported
    assert not {a for a in names if a.startswith("_")}, names


def test_geoparquet_tag_round_trips_through_public_geopandas(tmp_path: Path) -> None:
    import geopandas as gpd
    import pyarrow.parquet as pq

    from twin.traffic.output_files import TRAFFIC_WRITER, parquet_writer_of, write_parquet

    frame = links_frame()
    target = tmp_path / "links.parquet"
    write_parquet(frame, target)
    meta = pq.read_schema(target).metadata
    assert meta[b"twin_written_by"] == TRAFFIC_WRITER.encode() and b"geo" in meta and b"pandas" in meta
    assert parquet_writer_of(target) == (TRAFFIC_WRITER, "a Parquet table")
    back = gpd.read_parquet(target)
    assert back.crs.to_epsg() == 31370
    assert list(back.columns) == list(frame.columns)
    assert back["link_id"].tolist() == frame["link_id"].tolist()
    assert np.array_equal(back["flow_veh_h"].to_numpy(), frame["flow_veh_h"].to_numpy())
    assert back.geometry.geom_equals_exact(frame.geometry, tolerance=0.0).all()


def test_parquet_tag_round_trips_for_a_plain_table(tmp_path: Path) -> None:
    from twin.traffic.output_files import TRAFFIC_WRITER, parquet_writer_of, write_parquet

    frame = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [12.5, 3.0]})
    target = tmp_path / "od.parquet"
    write_parquet(frame, target)
    assert parquet_writer_of(target)[0] == TRAFFIC_WRITER
    pd.testing.assert_frame_equal(pd.read_parquet(target), frame)


# ------------------------------------------------------------------------------------------------
# all-or-nothing swap

SWAP_NAMES = ("a.csv", "b.parquet", "c.csv", "d.parquet", "e.parquet")


def write_outputs(folder: Path, run: str, names) -> None:
    """One traffic command's outputs ``names`` in ``folder`` (CSV and Parquet link tables of run ``run``),
    written as the commands do (StagedOutputs, write_frame)."""
    from twin.traffic.dynamic_commands import write_frame
    from twin.traffic.output_files import StagedOutputs

    outputs = StagedOutputs()
    outputs.add([(f"--out-{i}", folder / n, (".csv", ".parquet")) for i, n in enumerate(names)])
    with outputs:
        for n in names:
            frame = pd.DataFrame({"link_id": [n], "from_node": ["1"], "to_node": ["2"], "run": [run]})
            write_frame(frame, outputs.path(folder / n), target=folder / n)


@pytest.mark.parametrize("k", range(1, len(SWAP_NAMES) + 1))
def test_a_failed_kth_rename_leaves_every_old_output(tmp_path: Path, monkeypatch, k: int) -> None:
    import os

    write_outputs(tmp_path, "old", SWAP_NAMES[:-1])  # the last output is new in the second run
    before = snapshot(tmp_path)
    real_replace = os.replace
    renames: list[str] = []

    def replace(src, dst, *a, **kw):
        if ".twin-tmp-" in os.fspath(src) and Path(os.fspath(dst)).name in SWAP_NAMES:
            renames.append(Path(os.fspath(dst)).name)
            if len(renames) == k:
                raise OSError(28, "No space left on device")
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="No space left"):
        write_outputs(tmp_path, "new", SWAP_NAMES)
    assert len(renames) == k
    assert snapshot(tmp_path) == before  # every old file byte-identical, the new one absent, nothing left aside
    monkeypatch.setattr(os, "replace", real_replace)
    write_outputs(tmp_path, "new", SWAP_NAMES)
    for n in SWAP_NAMES:
        frame = pd.read_csv(tmp_path / n) if n.endswith(".csv") else pd.read_parquet(tmp_path / n)
        assert frame["run"].tolist() == ["new"], n


# ------------------------------------------------------------------------------------------------
# CSV outputs recognised by their record, not by their columns


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    return crossroads_scene_folder(tmp_path_factory, "safe_outputs")


@pytest.fixture(scope="module")
def demand(tmp_path_factory) -> Path:
    return one_trip_demand(tmp_path_factory, "safe_demand")


def simulate(scene: Path, demand: Path, *options):
    return run_twin(["traffic", "simulate", scene, "--demand", demand, "--routes", "free_flow", *options])


def test_a_users_csv_with_traffic_key_columns_is_not_overwritten(scene: Path, demand: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mytable.csv"
    mine.write_text("link_id,from_node,to_node,survey_note\nL1,a,b,counted on 3 May by hand\n")
    before = snapshot(tmp_path)
    r = simulate(scene, demand, "-o", mine)
    assert_one_line_error(r, contains=("--output", "mytable.csv", "link_id,from_node,to_node", "no record", "not an earlier result of twin traffic"))
    assert snapshot(tmp_path) == before  # file bytes unchanged, no record or temporary file left


def test_a_twin_written_csv_is_replaced_and_an_edited_one_refused(scene: Path, demand: Path, tmp_path: Path) -> None:
    from twin.traffic.output_files import csv_record_path, file_sha256, read_csv_record

    turns = tmp_path / "turns.csv"
    first = simulate(scene, demand, "--turns", turns)
    assert first.code == 0, first.stderr
    assert "t_start_s" not in turns.read_text().splitlines()[0]
    assert read_csv_record(turns) == [file_sha256(turns)]
    again = simulate(scene, demand, "--turns", turns, "--turns-interval", "60")  # other columns: still its own output
    assert again.code == 0, again.stderr
    assert "t_start_s" in turns.read_text().splitlines()[0]
    assert read_csv_record(turns)[0] == file_sha256(turns)
    with open(turns, "a") as fh:
        fh.write("n9,x,y,1\n")  # a user's row added to twin's table
    before = snapshot(tmp_path)
    r = simulate(scene, demand, "--turns", turns)
    assert_one_line_error(r, contains=("--turns", "turns.csv", "changed since twin traffic wrote it", csv_record_path(turns).name))
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("keys", [keys for keys, _ in CSV_KEYS])
def test_every_traffic_key_header_without_a_record_is_refused(tmp_path: Path, keys: tuple[str, ...]) -> None:
    from twin.errors import OutputError
    from twin.traffic.output_files import check_replace

    target = tmp_path / "table.csv"
    target.write_text(",".join(keys) + "\n" + ",".join("1" for _ in keys) + "\n")
    with pytest.raises(OutputError, match="no record"):
        check_replace(target, field="--output")


def test_a_csv_written_outside_staged_outputs_is_recorded_and_survives_a_failed_rename(tmp_path: Path) -> None:
    """The writers that use :func:`twin.io.atomic_path` (assign's result, select-link tables, skims)
    record the CSV before its rename: the earlier content stays recognised when the rename fails."""
    from twin.io import atomic_path
    from twin.traffic.dynamic_commands import to_table
    from twin.traffic.output_files import TRAFFIC_WRITER, traffic_csv_writer_of

    target = tmp_path / "flows.csv"
    with atomic_path(target) as tmp:
        to_table(pd.DataFrame({"link_id": ["a"], "from_node": [1], "to_node": [2], "flow": [1.0]}), tmp, target)
    assert traffic_csv_writer_of(target)[0] == TRAFFIC_WRITER
    old = target.read_bytes()
    with pytest.raises(OSError, match="disk full"), atomic_path(target) as tmp:
        to_table(pd.DataFrame({"link_id": ["a"], "from_node": [1], "to_node": [2], "flow": [2.0]}), tmp, target)
        raise OSError("disk full")
    assert target.read_bytes() == old and traffic_csv_writer_of(target)[0] == TRAFFIC_WRITER


def test_a_failed_rollback_is_one_error_naming_where_the_earlier_file_is(tmp_path: Path, monkeypatch) -> None:
    import os
    import re

    from twin.errors import OutputError

    write_outputs(tmp_path, "old", SWAP_NAMES[:2])
    old = (tmp_path / "b.parquet").read_bytes()
    real_replace = os.replace
    renames: list[str] = []

    def replace(src, dst, *a, **kw):
        src, dst = os.fspath(src), os.fspath(dst)
        if ".twin-tmp-" in src and Path(dst).name in SWAP_NAMES:
            renames.append(Path(dst).name)
            if len(renames) == 3:
                raise OSError(28, "No space left on device")
        if ".twin-old-" in src and Path(dst).name == "b.parquet":
            raise OSError(5, "Input/output error")
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="could not be undone") as err:
        write_outputs(tmp_path, "new", SWAP_NAMES[:3])
    message = str(err.value)
    assert "b.parquet (Input/output error" in message and "a.csv" not in message
    kept = Path(re.search(r"its earlier file is (\S+?)\)", message).group(1))
    assert kept.read_bytes() == old  # the earlier file is where the message says
    assert pd.read_csv(tmp_path / "a.csv")["run"].tolist() == ["old"]  # the others were put back
    assert not (tmp_path / "c.csv").exists()
