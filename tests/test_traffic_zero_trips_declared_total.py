"""A zero TNTP trips file that declares a non-zero ``<TOTAL OD FLOW>``: one error line, no warning.

``twin traffic estimate-od`` / ``skims --trips`` / ``assign`` printed the warning ``<TOTAL OD FLOW>
360600.0 but the entries sum to 0.0`` and then the error ``nothing to ...``: two lines for one bad
input. The reader (:func:`twin.traffic.tntp.read_trips` with ``demand_for=``) now refuses the file
before it warns, and the error says both (every flow 0, though the header declares 360600).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("zero_declared")
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    text = net.with_name("SiouxFalls_trips.tntp").read_text()
    assert "<TOTAL OD FLOW> 360600.0" in text  # the header is kept
    zero = folder / "zero_trips.tntp"
    zero.write_text(re.sub(r"(:\s*)[0-9.]+;", r"\g<1>0.0;", text))
    counts = folder / "counts.csv"
    pd.DataFrame({"link_id": [1], "period": "am", "vehicles": [4000.0], "class": "car"}).to_csv(counts, index=False)
    return net, zero, counts


@pytest.mark.parametrize(
    "command",
    [
        ["estimate-od", "--counts", "{counts}", "--rounds", "1", "--output", "{out}.csv"],
        ["skims", "--output", "{out}.omx"],
        ["assign", "--output", "{out}.csv"],
    ],
)
def test_refused_zero_trips_print_one_line(case, tmp_path: Path, command: list[str]) -> None:
    net, zero, counts = case
    out = tmp_path / "out"
    args = [a.replace("{counts}", str(counts)).replace("{out}", str(out)) for a in command]
    result = run_twin(["traffic", args[0], "--net", net, "--trips", zero, *args[1:]])
    assert_one_line_error(result, contains=("zero_trips.tntp", "'flow'", "every OD flow is 0", "<TOTAL OD FLOW> declares 360600"))
    assert "warning" not in result.stderr.lower()
    assert not list(tmp_path.iterdir())


def test_the_reader_still_warns_when_it_reads_the_zeros(case) -> None:
    """Without ``demand_for`` the file is read, and the mismatch with the header is still a warning."""
    from twin.traffic.tntp import read_trips

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert read_trips(case[1]).total == 0.0
    assert any("<TOTAL OD FLOW> 360600.0 but the entries sum to 0.0" in str(w.message) for w in caught)
