"""Floor area and storey height say where they came from (``floor_area_m2_source``,
``storey_height_m_source``).

Every reader sets the two sources beside the values: an IFC model's spaces or slabs and its
storeys' heights are ``data``; a CityJSON height over its ``storeysAboveGround`` is ``data``
(the weaker of the two sources it rests on); footprint x storeys is ``inferred`` (``default``
where the storeys are a default) and a storey height by use ``default``. The scene refinement
keeps a value whose source is evidence and derives the others again, by the source and no
longer by comparing the value with footprint x storeys (which took a fallback value for data
when the scene's footprint differed slightly from the reader's). Before these columns every
test here failed: the ingested scenes had no ``*_source`` column for either value (KeyError),
and the refinement kept the near-miss 320 m2 of the last test.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from tests.cli_harness import run_twin
from twin.ingest.attributes.complete import complete
from twin.ingest.attributes.context import refine_buildings
from twin.ingest.defaults import load_defaults

REPO = Path(__file__).resolve().parents[1]
IFC = REPO / "data_samples" / "permit_AC20-FZK-Haus.ifc"
IFC_ID = "ifc:2hQBAVPOr5VxhS3Jl0O47h"
ORIGIN = "148500,168700"


def _ingest(tmp_path: Path, source: Path, *extra) -> pd.DataFrame:
    out = tmp_path / "scene"
    result = run_twin(["ingest", source, "-o", out, *extra, "-q"])
    assert result.code == 0, result.stderr
    return gpd.read_parquet(out / "buildings.parquet").set_index("building_id")


def test_ifc_spaces_and_storeys_are_data(tmp_path: Path) -> None:
    """The permit's floor area comes from its spaces, its storey height from its storeys."""
    b = _ingest(tmp_path, IFC, "--origin", ORIGIN).loc[IFC_ID]
    assert (b["floor_area_m2_source"], b["storey_height_m_source"]) == ("data", "data")
    assert b["floor_area_m2"] != pytest.approx(b["footprint_area_m2"] * b["n_storeys"], rel=1e-3)


def test_ifc_user_storeys_give_a_user_storey_height_and_keep_the_spaces(tmp_path: Path) -> None:
    """``--overrides`` gives 3 storeys: the storey height is the geometry's height over the
    user's storeys (``user``); the floor area is still the spaces' (``data``)."""
    known = tmp_path / "known.csv"
    known.write_text(f"building_id,n_storeys\n{IFC_ID},3\n")
    b = _ingest(tmp_path, IFC, "--origin", ORIGIN, "--overrides", known).loc[IFC_ID]
    assert b["n_storeys_source"] == "user"
    assert (b["storey_height_m_source"], b["floor_area_m2_source"]) == ("user", "data")
    assert b["storey_height_m"] == pytest.approx(b["height_m"] / 3, rel=1e-9)


def test_cityjson_storeys_give_a_data_storey_height_and_an_inferred_floor_area(tmp_path: Path) -> None:
    """A LoD2 house with ``storeysAboveGround`` 2: storey height = measured height / 2 (``data``),
    floor area footprint x 2 (``inferred``). A house without storeys: storey height by use
    (``default``), floor area footprint x storeys from its height (``inferred``)."""
    from tests.test_ingest_cityjson import known_and_bare_houses

    scene = _ingest(tmp_path, known_and_bare_houses(tmp_path), "--crs", "EPSG:28992")
    k, b = scene.loc["cityjson:known"], scene.loc["cityjson:bare"]
    assert (k["storey_height_m_source"], k["floor_area_m2_source"]) == ("data", "inferred")
    assert k["storey_height_m"] == pytest.approx(k["height_m"] / 2, rel=1e-9)
    assert b["n_storeys_source"] == "inferred"
    assert (b["storey_height_m_source"], b["floor_area_m2_source"]) == ("default", "inferred")


def _footprints(tmp_path: Path) -> Path:
    """Two footprints in Belgian Lambert: one with its storeys, one with nothing."""
    frame = gpd.GeoDataFrame(
        {"building_id": ["tagged", "bare"], "n_storeys": [3.0, np.nan], "height_m": [np.nan, np.nan]},
        geometry=[box(148500, 168700, 148512, 168710), box(148600, 168700, 148609, 168708)], crs="EPSG:31370",
    )
    path = tmp_path / "fp.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def test_vector_footprints_follow_the_storeys_and_an_override_is_user(tmp_path: Path) -> None:
    """Footprint x given storeys is ``inferred``, footprint x default storeys ``default``; storey
    heights are by use (``default``). An override giving the height and the storeys makes the
    storey height ``user`` and the floor area footprint x the user's storeys (``inferred``)."""
    path = _footprints(tmp_path)
    scene = _ingest(tmp_path, path)
    t, b = scene.loc["fp:tagged"], scene.loc["fp:bare"]
    assert (t["n_storeys_source"], t["floor_area_m2_source"], t["storey_height_m_source"]) == ("data", "inferred", "default")
    assert (b["n_storeys_source"], b["floor_area_m2_source"], b["storey_height_m_source"]) == ("default", "default", "default")
    known = tmp_path / "known.csv"
    known.write_text("building_id,height_m,n_storeys\nfp:bare,12.0,4\n")
    over = _ingest(tmp_path / "over", path, "--overrides", known).loc["fp:bare"]
    assert (over["n_storeys"], over["storey_height_m"]) == (4, pytest.approx(3.0))
    assert (over["storey_height_m_source"], over["floor_area_m2_source"]) == ("user", "inferred")


def test_refinement_keeps_data_and_refines_a_near_miss_fallback_by_source() -> None:
    """``a``'s floor area is from a file (``data``, 290 m2, kept); ``b``'s is a reader's
    footprint x storeys (``inferred``) over a footprint the scene measures 0.1 m2 smaller: the
    refinement derives it again (79.9 x 4), where the old value test (not footprint x storeys,
    so from the file) kept 320 m2."""
    table = load_defaults()
    frame = pd.DataFrame({"building_id": ["a", "b"], "footprint_area_m2": [80.0, 80.0], "n_storeys": [4.0, 4.0],
                          "height_m": [13.0, 13.0], "building": ["house", "house"]})
    done = complete(frame, table)
    assert list(done["floor_area_m2_source"]) == ["inferred", "inferred"]
    done.loc[done["building_id"] == "a", ["floor_area_m2", "floor_area_m2_source"]] = [290.0, "data"]
    done.loc[done["building_id"] == "b", "footprint_area_m2"] = 79.9
    out = refine_buildings(done, table=table).set_index("building_id")
    assert (out.loc["a", "floor_area_m2"], out.loc["a", "floor_area_m2_source"]) == (290.0, "data")
    assert out.loc["b", "floor_area_m2"] == pytest.approx(79.9 * 4, rel=1e-12)
    assert out.loc["b", "floor_area_m2_source"] == "inferred"


def test_the_report_box_says_where_the_floor_area_came_from() -> None:
    """The attribute-sources table of the assumed box carries a floor-area and a storey-height
    row with their shares (a building of default storeys puts its floor area on ``default``),
    and says what the sources mean; a layer without the columns (older scenes) has neither."""
    from types import SimpleNamespace

    from twin.scenario.report import _provenance_table

    frame = pd.DataFrame({"building_id": ["a", "b"], "footprint_area_m2": [100.0, 300.0], "n_storeys": [2.0, np.nan],
                          "height_m": [np.nan, np.nan], "building": ["house", "house"]})
    done = complete(frame, load_defaults())
    share_default = float(done.loc[done["n_storeys_source"] == "default", "floor_area_m2"].sum() / done["floor_area_m2"].sum())
    assert 0 < share_default < 1
    box = _provenance_table(SimpleNamespace(buildings=done))
    row = re.search(r"<td class='l' title='floor_area_m2'>floor area</td>(.*?)</tr>", box).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert (cells[3], cells[4]) == (f"{100 * (1 - share_default):.1f} %", f"{100 * share_default:.1f} %")  # inferred, default
    assert "title='storey_height_m'" in box and "inferred = footprint × storeys" in box
    old = _provenance_table(SimpleNamespace(buildings=done.drop(columns=["floor_area_m2_source", "storey_height_m_source"])))
    assert "floor_area_m2" not in old and "footprint × storeys" not in old


def test_a_layer_without_the_columns_gets_them_from_its_values() -> None:
    """A buildings layer written before the columns existed reads with sources: a floor area
    unlike footprint x storeys is ``data`` (the one test such a layer allows), footprint x data
    storeys ``inferred``; a storey height over a data height and data storeys ``data``, else
    ``default``."""
    from twin.scene import Scene

    frame = pd.DataFrame({"building_id": ["ifc", "osm"], "footprint_area_m2": [80.0, 80.0], "n_storeys": [2.0, 3.0],
                          "height_m": [6.0, np.nan], "building": ["house", "house"]})
    done = complete(frame, load_defaults())
    done.loc[0, "floor_area_m2"] = 150.0
    old = gpd.GeoDataFrame(done.drop(columns=["floor_area_m2_source", "storey_height_m_source"]),
                           geometry=[box(0, 0, 10, 8), box(20, 0, 30, 8)], crs="EPSG:31370")
    scene = Scene()
    scene.add("buildings", old)
    got = scene.buildings.set_index("building_id")
    assert list(got["floor_area_m2_source"]) == ["data", "inferred"]
    assert list(got["storey_height_m_source"]) == ["data", "default"]
