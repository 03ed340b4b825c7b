"""Traffic output files that cannot be mistaken, are swapped all-or-nothing and are written through
public APIs (:mod:`twin.traffic.output_files`).

* A GeoParquet output is written through the public ``GeoDataFrame.to_parquet`` (the writer used
  geopandas' private ``_geopandas_to_arrow``), and still carries ``twin_written_by``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest


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


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of ``folder`` (hidden ones included) and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


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
