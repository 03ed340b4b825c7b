"""Bad-input sweep of ``twin traffic``: a TNTP trips file whose every OD flow is 0.

``twin traffic estimate-od`` with such a prior ran, exit 0, and printed an estimate of 0 vehicles
(the estimate scales the prior: a zero prior stays zero); ``twin traffic skims --trips`` wrote
"assigned" skims that are the free-flow skims. ``assign`` and ``select-link`` / ``select-zone``
refused it, each with its own copy of the rule. Now the one rule is in the reader
(:func:`twin.traffic.tntp.read_trips` with ``demand_for=``): one ``twin: error:`` line naming the
trips file and the field ``flow``, exit 2, for all of them, and no output is written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("zero_demand")
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    text = net.with_name("SiouxFalls_trips.tntp").read_text()
    text = re.sub(r"(:\s*)[0-9.]+;", r"\g<1>0.0;", text).replace("<TOTAL OD FLOW> 360600.0", "<TOTAL OD FLOW> 0.0")
    zero = folder / "zero_trips.tntp"
    zero.write_text(text)
    counts = folder / "counts.csv"
    pd.DataFrame({"link_id": [1], "period": "am", "vehicles": [4000.0], "class": "car"}).to_csv(counts, index=False)
    return net, zero, counts


@pytest.mark.parametrize(
    ("command", "nothing_to"),
    [
        (["estimate-od", "--counts", "{counts}", "--rounds", "1", "--output", "{out}.csv"], "nothing to estimate"),
        (["skims", "--output", "{out}.omx"], "leave --trips out"),
        (["assign", "--output", "{out}.csv"], "nothing to assign"),
        (["select-zone", "-z", "1", "--link-flows", "{out}.csv"], "nothing to assign"),
        (["select-link", "--link", "1", "--output", "{out}.csv"], "nothing to assign"),
    ],
)
def test_zero_demand_is_one_line(case, tmp_path: Path, command: list[str], nothing_to: str) -> None:
    net, zero, counts = case
    out = tmp_path / "out"
    args = [a.replace("{counts}", str(counts)).replace("{out}", str(out)) for a in command]
    assert_one_line_error(run_twin(["traffic", args[0], "--net", net, "--trips", zero, *args[1:]]), contains=("zero_trips.tntp", "'flow'", nothing_to))
    assert not list(tmp_path.iterdir())  # nothing written


def test_read_trips_without_demand_for_reads_the_zeros(case) -> None:
    """The library reader keeps a zero matrix readable when the caller does not say what it needs it for."""
    from twin.traffic.tntp import read_trips

    assert read_trips(case[1]).total == 0.0
