"""The small case of the traffic output tests (tests/test_traffic_outputs_safe.py,
tests/test_traffic_outputs_staged.py and the scene of tests/test_cli_bad_input_sweep_traffic_demand_cells.py,
_outputs.py, _same_output.py): the crossroads scene written to a folder, a demand of one OD row,
and a snapshot of a folder's files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


def crossroads_scene_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """The crossroads scene (tests/test_traffic_signal_split_flows_cli.py) written to
    ``<a new temporary folder called name>/scene``."""
    from tests.test_traffic_signal_split_flows_cli import crossroads_scene
    from twin.export import write_scene

    folder = tmp_path_factory.mktemp(name) / "scene"
    write_scene(crossroads_scene(), folder)
    return folder


def one_trip_demand(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """``od.csv`` in a new temporary folder called ``name``: 20 vehicles from W to E in the first 300 s."""
    path = tmp_path_factory.mktemp(name) / "od.csv"
    pd.DataFrame({"origin": ["W"], "destination": ["E"], "t_start_s": [0.0], "t_end_s": [300.0], "vehicles": [20.0]}).to_csv(path, index=False)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of ``folder`` (hidden temporary files included) and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
