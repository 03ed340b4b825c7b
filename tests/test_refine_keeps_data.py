"""The scene-wide refinement keeps what a building's data says (:mod:`twin.ingest.attributes.context`).

``twin ingest`` refines every building once all files are read (:func:`refine_scene`). It
recomputed each building's storey height and floor area as if they were derived: the sample IFC
permit (floor area from its spaces, storey height from its storeys' elevations) came out of
``twin ingest`` with footprint x storeys and (height - roof) / storeys instead. These tests read
what the reader says and check the scene says the same, with the source of the values it rests
on; a defaulted value is still refined. The vector reader reads no floor-area column (its floor
area is always footprint x storeys), so there is no vector case of a floor area from a file.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import run_twin
from twin.ingest.attributes import form
from twin.ingest.attributes.complete import complete
from twin.ingest.attributes.context import refine_buildings
from twin.ingest.defaults import load_defaults

REPO = Path(__file__).resolve().parents[1]
IFC = REPO / "data_samples" / "permit_AC20-FZK-Haus.ifc"
IFC_ID = "ifc:2hQBAVPOr5VxhS3Jl0O47h"
ORIGIN = "148500,168700"


@pytest.fixture(scope="module")
def ifc_read() -> pd.Series:
    """The IFC reader's building, before any refinement."""
    from twin.ingest.ifc import read_ifc

    return read_ifc(IFC).layers["buildings"].set_index("building_id").loc[IFC_ID]


def _ingest(tmp_path: Path, *extra) -> pd.Series:
    out = tmp_path / "scene"
    result = run_twin(["ingest", IFC, "-o", out, "--origin", ORIGIN, *extra, "-q"])
    assert result.code == 0, result.stderr
    return gpd.read_parquet(out / "buildings.parquet").set_index("building_id").loc[IFC_ID]


def test_ifc_floor_area_and_storey_height_are_the_readers_after_ingest(tmp_path: Path, ifc_read: pd.Series) -> None:
    """The permit's floor area (its spaces, 173 m2) and storey height (its storeys, 2.35 m) as
    the reader read them, not footprint x storeys (240 m2) nor (height - roof) / storeys
    (1.66 m) as before; the height and storeys they rest on keep source ``data``."""
    scene = _ingest(tmp_path)
    assert not math.isclose(ifc_read["floor_area_m2"], scene["footprint_area_m2"] * scene["n_storeys"], rel_tol=1e-3)  # not derivable
    assert scene["floor_area_m2"] == pytest.approx(ifc_read["floor_area_m2"], rel=1e-9)
    assert scene["storey_height_m"] == pytest.approx(ifc_read["storey_height_m"], rel=1e-9)
    for attribute in ("height_m", "n_storeys", "use"):
        assert scene[f"{attribute}_source"] == ifc_read[f"{attribute}_source"] == "data", attribute
        assert scene[attribute] == pytest.approx(ifc_read[attribute]) if attribute != "use" else scene[attribute] == ifc_read[attribute]


def test_ifc_user_storeys_survive_and_the_spaces_floor_area_stays(tmp_path: Path, ifc_read: pd.Series) -> None:
    """``--overrides`` gives 3 storeys: source ``user``, the storey height the geometry's height
    over 3 (the reader's rule for a given value), the floor area still the spaces' (before:
    footprint x 3 storeys)."""
    known = tmp_path / "known.csv"
    known.write_text(f"building_id,n_storeys\n{IFC_ID},3\n")
    scene = _ingest(tmp_path, "--overrides", known)
    assert (scene["n_storeys"], scene["n_storeys_source"], scene["n_storeys_rule"]) == (3, "user", "override")
    assert scene["storey_height_m"] == pytest.approx(scene["height_m"] / 3, rel=1e-9)
    assert scene["floor_area_m2"] == pytest.approx(ifc_read["floor_area_m2"], rel=1e-9)


def test_cityjson_data_storeys_keep_the_readers_storey_height(tmp_path: Path) -> None:
    """A LoD2 gable house with ``storeysAboveGround`` 2: the refinement keeps the reader's storey
    height (measured height over the storeys; before: the height less a 3 m pitched-roof
    allowance, over the storeys) and the storeys' source ``data``. A house without storeys is
    still refined: storeys from its height with the storey height of its use."""
    from tests.test_ingest_cityjson import known_and_bare_houses
    from twin.ingest.cityjson import read_cityjson

    table = load_defaults()
    read = read_cityjson(known_and_bare_houses(tmp_path)).layers["buildings"].set_index("building_id")
    refined = refine_buildings(read.reset_index(), table=table).set_index("building_id")
    k, r = refined.loc["cityjson:known"], read.loc["cityjson:known"]
    assert (k["n_storeys"], k["n_storeys_source"], k["height_m_source"]) == (2, "data", "data")
    assert k["storey_height_m"] == pytest.approx(r["storey_height_m"], rel=1e-9)
    assert k["storey_height_m"] == pytest.approx(k["height_m"] / 2, rel=1e-9)
    assert k["floor_area_m2"] == pytest.approx(k["footprint_area_m2"] * 2, rel=1e-9)
    b = refined.loc["cityjson:bare"]
    assert (b["n_storeys_source"], b["n_storeys_rule"]) == ("inferred", "storeys_from_height")
    assert b["storey_height_m"] == form.storey_height(np.array([b["use"]], dtype=object), table)[0]
    assert b["floor_area_m2"] == pytest.approx(b["footprint_area_m2"] * b["n_storeys"], rel=1e-9)


def test_a_defaulted_building_is_still_refined_next_to_a_building_with_data() -> None:
    """Two terraced houses: ``a`` has storeys and height from its file (kept, with its storey
    height), ``b`` has neither and takes ``a``'s storeys (rule ``neighbours``); ``b``'s floor
    area follows its new storeys. A file floor area unlike footprint x storeys is kept."""
    table = load_defaults()
    frame = pd.DataFrame({"building_id": ["a", "b"], "footprint_area_m2": [80.0, 80.0], "n_storeys": [4.0, np.nan],
                          "height_m": [13.0, np.nan], "building": ["house", "house"]})
    done = complete(frame, table)
    done.loc[done["building_id"] == "a", ["floor_area_m2", "floor_area_m2_source"]] = [290.0, "data"]  # as if a file gave it
    walls = pd.DataFrame({"building_id": ["a"], "neighbour_id": ["b"], "shared_length_m": [8.0]})
    before = done.set_index("building_id")
    out = refine_buildings(done, table=table, party_walls=walls).set_index("building_id")
    assert (out.loc["a", "n_storeys"], out.loc["a", "n_storeys_source"]) == (4, "data")
    assert out.loc["a", "storey_height_m"] == before.loc["a", "storey_height_m"]
    assert out.loc["a", "floor_area_m2"] == 290.0
    assert (out.loc["b", "n_storeys"], out.loc["b", "n_storeys_source"], out.loc["b", "n_storeys_rule"]) == (4, "inferred", "neighbours")
    assert before.loc["b", "n_storeys"] != 4
    assert out.loc["b", "floor_area_m2"] == pytest.approx(80.0 * 4)
