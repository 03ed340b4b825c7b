"""Bad-input sweep 3 of ``twin sync``: a state file that is not a zip archive.

``twin sync update`` said "not a sync state ... ValueError: This file contains pickled (object)
data. If you trust the file you can load it unsafely ...": numpy's advice to unpickle an
unknown file. Now: "not a .npz (zip) archive", checked before numpy opens it.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_harness import REPO, assert_one_line_error, run_twin

EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


def test_sync_state_that_is_no_zip_archive_gets_no_unpickling_advice(tmp_path: Path) -> None:
    state = tmp_path / "state.npz"
    state.write_bytes(b"\x80\x04junk that numpy would take for a pickle" * 20)
    readings = tmp_path / "r.csv"
    readings.write_text("building_id,carrier,start,end,kwh\nb,gas,2023-01-15T00:00:00+01:00,2023-01-15T01:00:00+01:00,2\n")
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", EPW])
    assert_one_line_error(result, contains=("state.npz", "'state'", "not a sync state", "not a .npz (zip) archive"))
    assert "pickle" not in result.stderr and "unsafely" not in result.stderr
