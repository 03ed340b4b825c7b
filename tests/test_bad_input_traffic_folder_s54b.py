"""A dynamic-loading scenario folder (twin traffic simulate FOLDER) with a mistyped links.csv or
nodes.csv (helper fuzz2, s54b). Before: a link from a node to itself was simulated without a
word (exit 0), and a repeated id was named as ``np.int64(0)``."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_traffic_dynamic_replicates import write_grid


def test_a_link_from_a_node_to_itself_is_refused(tmp_path):
    folder = write_grid(tmp_path / "grid")
    links = pd.read_csv(folder / "links.csv")
    links.loc[0, "to_node_id"] = links.loc[0, "from_node_id"]
    links.to_csv(folder / "links.csv", index=False)
    line = assert_one_line_error(run_twin(["traffic", "simulate", str(folder)]),
                                 contains=("links.csv", f"link {links.loc[0, 'link_id']}", "'to_node_id'", "back to itself"))
    assert "np." not in line


@pytest.mark.parametrize(("name", "column"), [("links.csv", "link_id"), ("nodes.csv", "node_id")])
def test_a_repeated_id_is_named_as_written(tmp_path, name, column):
    folder = write_grid(tmp_path / "grid")
    table = pd.read_csv(folder / name)
    pd.concat([table, table.iloc[[1]]]).to_csv(folder / name, index=False)
    written = table.loc[1, column]
    line = assert_one_line_error(run_twin(["traffic", "simulate", str(folder)]),
                                 contains=(name, f"row {len(table) + 2}", f"duplicate id {written!r}" if isinstance(written, str)
                                           else f"duplicate id {int(written)} (first at row 3)"))
    assert "np." not in line
