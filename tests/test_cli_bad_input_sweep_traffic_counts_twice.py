"""Bad-input sweep of ``twin traffic``: one link counted twice under two spellings.

A counts file may name a link by its id or by its ``FROM-TO`` node ids. ``1`` and ``1-2`` (the
same SiouxFalls link) counted 4000 and 3000 vehicles: ``estimate-od`` fitted both, exit 0, and
``--design-flows`` took the last (``W-C`` after ``Win`` on a crossroads); the reader only caught a
link written twice the same way. Now the duplicate check is on the links a row resolves to
(:func:`twin.traffic.counts.read_counts`, the one reader of both): one ``twin: error:`` line
naming the file, the line and both spellings, exit 2.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.test_traffic_signal_split_flows_cli import crossroads_scene


def counts(path: Path, rows: dict[str, float]) -> Path:
    pd.DataFrame({"link_id": list(rows), "period": "am", "vehicles": list(rows.values()), "class": "car"}).to_csv(path, index=False)
    return path


def test_estimate_od_link_counted_by_id_and_by_nodes(tmp_path: Path) -> None:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    twice = counts(tmp_path / "twice.csv", {"1": 4000.0, "1-2": 3000.0})
    out = tmp_path / "od.csv"
    args = ["traffic", "estimate-od", "--net", net, "--trips", net.with_name("SiouxFalls_trips.tntp"), "--counts", twice, "--rounds", "1", "--output", out]
    assert_one_line_error(run_twin(args), contains=("twice.csv", "line 3", "'link_id'", "1-2 is counted twice", "as link_id 1"))
    assert not out.exists()


def test_design_flows_link_counted_by_id_and_by_nodes(tmp_path: Path) -> None:
    from twin.export import write_scene

    write_scene(crossroads_scene(), tmp_path / "scene")
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": ["W"], "destination": ["E"], "flow_veh_h": [600.0]}).to_csv(od, index=False)
    twice = counts(tmp_path / "twice.csv", {"Win": 600.0, "Nin": 200.0, "W-C": 100.0})
    args = ["traffic", "assign", "--scene", tmp_path / "scene", "--demand", od, "--signal-split", "flows", "--design-flows", twice]
    assert_one_line_error(run_twin(args), contains=("twice.csv", "line 4", "W-C is counted twice", "as link_id Win"))
