"""One override path for every building reader (:mod:`twin.ingest.attributes.precedence`).

The vector / OSM path (:func:`twin.ingest.attributes.complete.complete`), the CityJSON reader and
the IFC reader decide a building attribute in the same order: the user's value, then the file's,
then what is derived, each with its source. The IFC reader applies ``--overrides`` (it refused
them before) and refuses a ``height_m`` its geometry fixes, through the command line
(:func:`tests.cli_harness.run_twin`) on the sample IFC permit of ``data_samples``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from tests.cli_harness import assert_one_line_error, run_twin
from twin.ingest.attributes.complete import complete
from twin.ingest.attributes.precedence import Given, given_or_file, prefer_given
from twin.ingest.defaults import load_defaults

REPO = Path(__file__).resolve().parents[1]
IFC = REPO / "data_samples" / "permit_AC20-FZK-Haus.ifc"
IFC_ID = "ifc:2hQBAVPOr5VxhS3Jl0O47h"


def _table(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "known.csv"
    path.write_text(text)
    return path


def test_the_user_wins_then_the_file_and_the_rest_is_left_to_derive() -> None:
    """Three buildings: given and in the file (the given wins, ``user``), only in the file
    (kept with its source and rule), neither (left missing for the reader to derive)."""
    given = np.array([4.0, np.nan, np.nan])
    value, source, rule = prefer_given(given, np.array([2.0, 5.0, np.nan]), ["data", "data", None], ["attribute:storeys", "attribute:storeys", None])
    assert value[:2].tolist() == [4.0, 5.0] and np.isnan(value[2])
    assert source.tolist() == ["user", "data", None]
    assert rule.tolist() == ["override", "attribute:storeys", None]
    text, src, _ = prefer_given(np.array([None, "office"], dtype=object), np.array(["school", None], dtype=object), ["data", "default"], ["tag", "default"])
    assert text.tolist() == ["school", "office"] and src.tolist() == ["data", "user"]
    # one building at a time (the IFC reader): the same rule
    rows = Given.read({"b1": {"construction_year": 1975, "use": "Office"}})
    assert given_or_file(rows, "construction_year", "b1", 2008.0, "data", "ifc:year") == (1975.0, "user", "override")
    assert given_or_file(rows, "use", "b1", "residential", "data", "ifc:x") == ("office", "user", "override")
    assert given_or_file(rows, "construction_year", "b2", 2008.0, "data", "ifc:year") == (2008.0, "data", "ifc:year")


def test_the_vector_path_takes_a_given_value_over_the_file_and_derives_from_it() -> None:
    """``complete``: a given ``n_storeys`` wins over the file's (``user``) and the height is then
    derived from it; a building without a row keeps the file's storeys (``data``)."""
    frame = pd.DataFrame({"building_id": ["a", "b"], "footprint_area_m2": [100.0, 100.0], "n_storeys": [2.0, 2.0], "building": ["house", "house"]})
    out = complete(frame, load_defaults(), overrides={"a": {"n_storeys": 5}}).set_index("building_id")
    assert out.loc["a", "n_storeys"] == 5 and out.loc["a", "n_storeys_source"] == "user" and out.loc["a", "n_storeys_rule"] == "override"
    assert out.loc["b", "n_storeys"] == 2 and out.loc["b", "n_storeys_source"] == "data"
    assert out.loc["a", "height_m"] > out.loc["b", "height_m"] and out.loc["a", "height_m_source"] == "inferred"
    assert out.attrs["overrides_applied"] == 1


def test_ifc_overrides_are_applied_with_source_user_and_derived_values_follow(tmp_path: Path) -> None:
    """The permit says a 2-storey residential house of 2008: the given office of 1975 with 3
    storeys and a heat pump win (source ``user``, rule ``override``); the storey height follows
    (the geometry's height over 3); the height stays the geometry's."""
    known = _table(tmp_path, f"building_id,use,construction_year,n_storeys,heating_system\n{IFC_ID},Office,1975,3,heat_pump_air_35\n")
    out = tmp_path / "scene"
    result = run_twin(["ingest", IFC, "-o", out, "--origin", "148500,168700", "--overrides", known, "-q"])
    assert result.code == 0, result.stderr
    b = gpd.read_parquet(out / "buildings.parquet").set_index("building_id").loc[IFC_ID]
    assert (b["use"], b["construction_year"], b["n_storeys"], b["heating_system"]) == ("office", 1975, 3, "heat_pump_air_35")
    for attribute in ("use", "construction_year", "n_storeys", "heating_system"):
        assert (b[f"{attribute}_source"], b[f"{attribute}_rule"]) == ("user", "override"), attribute
    assert b["height_m_source"] == "data" and 6.0 < b["height_m"] < 6.5
    assert abs(b["storey_height_m"] - b["height_m"] / 3) < 1e-6
    assert not b["storeys_defaulted"] and not b["year_defaulted"]


def test_an_ifc_height_override_is_refused_in_one_line_naming_n_storeys(tmp_path: Path) -> None:
    """The IFC geometry gives the height: a ``height_m`` row is refused, naming the table, its
    line, the building and the field, and saying to give ``n_storeys``; nothing is written."""
    known = _table(tmp_path, f"building_id,height_m\n{IFC_ID},9\n")
    out = tmp_path / "scene"
    result = run_twin(["ingest", IFC, "-o", out, "--origin", "148500,168700", "--overrides", known, "-q"])
    assert_one_line_error(result, contains=("known.csv", "line 2", IFC_ID, "height_m", "IFC geometry", "give n_storeys instead"))
    assert not out.exists()


def test_a_cityjson_building_gets_the_storey_height_of_its_use_as_a_gis_building(tmp_path: Path) -> None:
    """Same footprint, same measured height, no storeys, no use: a CityJSON building and a GIS
    building get the same storeys and storey height, from the reader on (the defaults table's by
    use: 3.5 m for the 'other' use of a large untagged footprint, 3.0 m for a dwelling; the
    CityJSON reader said 3.0 m for both, and the scene 3.5 m after its refinement)."""
    from tests.test_ingest_cityjson import DocBuilder, box_faces, solid, write
    from twin.ingest.attributes.context import refine_buildings
    from twin.ingest.cityjson import read_cityjson

    table = load_defaults()
    doc = DocBuilder()
    big, kinds = box_faces(doc, 0, 0, 0, 40, 40, 7)
    small, small_kinds = box_faces(doc, 100, 0, 0, 10, 10, 7)
    doc.objects = {"big": {"type": "Building", "geometry": [solid(big, kinds, lod="1.2", semantics=False)]},
                   "small": {"type": "Building", "geometry": [solid(small, small_kinds, lod="1.2", semantics=False)]}}
    read = read_cityjson(write(tmp_path, doc.doc())).layers["buildings"].set_index("building_id")
    assert read["storey_height_m"].to_dict() == {"cityjson:big": 3.5, "cityjson:small": 3.0}  # the reader already, not only the scene
    city = refine_buildings(read.reset_index(), table=table).set_index("building_id")
    gis = pd.DataFrame({"building_id": ["big", "small"], "footprint_area_m2": [1600.0, 100.0], "height_m": [7.0, 7.0]})
    gis = refine_buildings(complete(gis, table), table=table).set_index("building_id")
    for name, sh in (("big", 3.5), ("small", 3.0)):
        c, g = city.loc[f"cityjson:{name}"], gis.loc[name]
        assert (c["use"], c["n_storeys"], c["storey_height_m"]) == (g["use"], g["n_storeys"], g["storey_height_m"]), name
        assert c["storey_height_m"] == sh
        assert (c["n_storeys_source"], c["n_storeys_rule"]) == (g["n_storeys_source"], g["n_storeys_rule"]) == ("inferred", "storeys_from_height")
