"""``twin info`` lists where floor area and storey height came from, with the same vocabulary
and shares as the other attributes (``floor_area_m2``, ``storey_height_m`` rows of the attribute
sources table, and the buildings whose value is inferred or a default on the summary line).

Each case compares what ``twin info`` prints with the scene's own columns (what the data says):
the IFC permit's floor area comes from its spaces and its storey height from its storeys
(``data``); a CityJSON house with ``storeysAboveGround`` has a measured storey height (``data``)
and a floor area footprint x storeys (``inferred``), one without storeys a storey height by use
(``default``). A scene written before the two source columns existed is read with the sources
the scene reader fills in (a floor area unlike footprint x storeys came from a file); a
buildings frame without the columns shows no row for them. Before this change ``twin info``
printed no row for either attribute (every test here failed).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import REPO, run_twin

IFC = REPO / "data_samples" / "permit_AC20-FZK-Haus.ifc"
ORIGIN = "148500,168700"
DERIVED = ("floor_area_m2", "storey_height_m")


def _ingest(tmp_path: Path, *args) -> Path:
    out = tmp_path / "scene"
    res = run_twin(["ingest", *args, "-o", out, "-q"])
    assert res.code == 0, res.stderr
    return out


def _info(scene: Path) -> tuple[list[str], dict[str, dict[str, float]]]:
    """``twin info`` lines and its attribute sources table as ``{attribute: {source: percent}}``."""
    res = run_twin(["info", scene])
    assert res.code == 0, res.stderr
    lines = res.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("attribute sources"))
    header = lines[head + 1].split()[1:]
    rows = {}
    for line in lines[head + 2:]:
        if not line.startswith("  "):
            break
        name, *values = line.split()
        rows[name] = {s: float(v.rstrip("%")) for s, v in zip(header, values)}
    return lines, rows


def _expected(b: pd.DataFrame, attribute: str) -> dict[str, float]:
    area = b["floor_area_m2"].astype(float)
    src = b[f"{attribute}_source"].astype(str)
    return {s: 100.0 * float(area[src == s].sum()) / float(area.sum()) for s in ("data", "inferred", "default")}


def _summary_counts(lines: list[str]) -> dict[str, int]:
    line = next(line for line in lines if line.startswith("buildings: floor area"))
    counts = {}
    for part in line.split("defaulted or inferred ", 1)[1].split(", "):
        name, n = part.rsplit(" ", 1)
        counts[name] = int(n.replace(",", ""))
    return counts


def _check(lines, rows, b: pd.DataFrame) -> None:
    for attribute in DERIVED:
        assert attribute in rows, (attribute, list(rows))
        for s, want in _expected(b, attribute).items():
            assert rows[attribute][s] == pytest.approx(want, abs=0.06), (attribute, s)
        assert sum(rows[attribute].values()) == pytest.approx(100.0, abs=0.2)
    counts = _summary_counts(lines)
    for attribute, name in zip(DERIVED, ("floor areas", "storey heights")):
        assert counts[name] == int(b[f"{attribute}_source"].isin(["inferred", "default"]).sum()), name


def test_ifc_permit_floor_area_and_storey_height_are_data(tmp_path: Path) -> None:
    scene = _ingest(tmp_path, IFC, "--origin", ORIGIN)
    b = gpd.read_parquet(scene / "buildings.parquet")
    assert list(b["floor_area_m2_source"]) == ["data"] and list(b["storey_height_m_source"]) == ["data"]
    lines, rows = _info(scene)
    _check(lines, rows, b)
    assert rows["floor_area_m2"]["data"] == 100.0 and rows["storey_height_m"]["data"] == 100.0


def test_cityjson_storeys_give_data_and_default_storey_heights(tmp_path: Path) -> None:
    from tests.test_ingest_cityjson import known_and_bare_houses

    scene = _ingest(tmp_path, known_and_bare_houses(tmp_path, bare_width_m=20.0), "--crs", "EPSG:28992")
    b = gpd.read_parquet(scene / "buildings.parquet")
    assert set(b["storey_height_m_source"]) == {"data", "default"} and set(b["floor_area_m2_source"]) == {"inferred"}
    lines, rows = _info(scene)
    _check(lines, rows, b)
    assert 0.0 < rows["storey_height_m"]["data"] < 100.0 and rows["floor_area_m2"]["inferred"] == 100.0


def test_a_scene_written_before_the_columns_gets_the_readers_sources(tmp_path: Path) -> None:
    """The IFC scene without the two source columns (as written before they existed): the scene
    reader fills them (spaces' floor area unlike footprint x storeys: ``data``; a measured
    height over the model's storeys: ``data``) and ``twin info`` shows those."""
    scene = _ingest(tmp_path, IFC, "--origin", ORIGIN)
    path = scene / "buildings.parquet"
    b = gpd.read_parquet(path)
    b.drop(columns=[f"{p}_source" for p in DERIVED]).to_parquet(path)
    lines, rows = _info(scene)
    assert rows["floor_area_m2"]["data"] == 100.0 and rows["storey_height_m"]["data"] == 100.0
    assert _summary_counts(lines)["floor areas"] == 0


def test_a_frame_without_the_columns_shows_no_row_for_them() -> None:
    """A buildings frame that carries no source for floor area and storey height (a layer not
    read through the scene reader) gets no row and no count for them, rather than a wrong one;
    with the columns it gets both."""
    from twin.cli.scene_commands import _derived_counts, attribute_lines

    frame = pd.DataFrame({"floor_area_m2": [100.0, 300.0], "use_source": ["data", "default"], "height_m_source": ["default"] * 2,
                          "n_storeys_source": ["data", "default"], "construction_year_source": ["default"] * 2})
    names = [line.split()[0] for line in attribute_lines(frame)[2:]]
    assert names == ["use", "height_m", "n_storeys", "construction_year"] and _derived_counts(frame) == ""
    frame["floor_area_m2_source"] = np.array(["inferred", "default"], dtype=object)
    frame["storey_height_m_source"] = np.array(["default", "default"], dtype=object)
    lines = attribute_lines(frame)
    row = next(line for line in lines if line.startswith("  floor_area_m2"))
    assert row.split()[1:] == ["0.0%", "25.0%", "75.0%"]
    assert _derived_counts(frame) == ", floor areas 2, storey heights 2"
