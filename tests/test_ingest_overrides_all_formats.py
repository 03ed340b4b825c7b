"""``twin ingest --overrides`` for every reader: applied, or refused in one line, never a quiet
no change (a row naming a building of a reader that swallowed the option left it as read).

Through the command line (:func:`tests.cli_harness.run_twin`) on the hand-made CityJSON district
of ``tests/test_ingest_cityjson.py`` and the sample IFC permit of ``data_samples``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_ingest_cityjson import district, write
from twin.errors import InputError
from twin.ingest.dispatch import PER_BUILDING_OPTIONS, _accepted, check_overrides_applied
from twin.ingest.result import IngestResult

REPO = Path(__file__).resolve().parents[1]
IFC = REPO / "data_samples" / "permit_AC20-FZK-Haus.ifc"


def _table(tmp_path: Path, text: str, name: str = "known.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _city(tmp_path: Path) -> Path:
    b, _ = district()
    return write(tmp_path, b.doc())


def _buildings(scene: Path) -> pd.DataFrame:
    return gpd.read_parquet(scene / "buildings.parquet").set_index("building_id")


# --------------------------------------------------------------------------- the safety net
def test_ifc_row_is_refused_in_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    """The IFC reader does not apply overrides: a row naming its building is refused, naming the
    table, its line, the building, the input file and the format; no scene is written."""
    bid = "ifc:2hQBAVPOr5VxhS3Jl0O47h"
    known = _table(tmp_path, f"building_id,construction_year\n\n{bid},1975\n")
    out = tmp_path / "scene"
    result = run_twin(["ingest", IFC, "-o", out, "--origin", "148500,168700", "--overrides", known, "-q"])
    line = assert_one_line_error(result, contains=("known.csv", "line 3", bid, "permit_AC20-FZK-Haus.ifc",
                                                   "overrides are not applied to IFC buildings yet"))
    assert "building_id" in line
    assert not out.exists()


def test_a_catch_all_reader_does_not_take_a_per_building_option() -> None:
    """``**kwargs`` is not ``overrides=``: the option is kept from such a reader (and then refused
    for its buildings), other options still reach it."""

    def catch_all(path, *, crs=None, **_other):
        return IngestResult(path=str(path))

    def named(path, *, overrides=None, **_other):
        return IngestResult(path=str(path))

    options = {"overrides": {"b": {"construction_year": 1975}}, "layer": "buildings"}
    assert "overrides" in PER_BUILDING_OPTIONS
    assert _accepted(catch_all, options) == {"layer": "buildings"}
    assert _accepted(named, options) == options


def test_rows_of_other_buildings_and_applying_readers_pass() -> None:
    """Only a row naming a building of the file is refused; a reader that recorded
    ``overrides_applied`` (even 0) is trusted."""
    result = IngestResult(path="a.city.json")
    result.layers["buildings"] = pd.DataFrame({"building_id": ["cityjson:a", "cityjson:b"]})
    check_overrides_applied(result, {"vector:x": {"construction_year": 1975}}, path="a.city.json", suffix=".city.json")
    rows = {"cityjson:b": {"construction_year": 1975}}
    with pytest.raises(InputError, match="not applied to CityJSON buildings yet.*cityjson:b.*a.city.json"):
        check_overrides_applied(result, rows, path="a.city.json", suffix=".city.json")
    result.meta["overrides_applied"] = 1
    check_overrides_applied(result, rows, path="a.city.json", suffix=".city.json")
