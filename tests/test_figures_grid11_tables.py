"""docs/traffic.md's grid11 side-by-side tables, rendered by scripts/update_figures.py from
benchmarks/figures/traffic_grid11.json and traffic_grid11_p15_tenth.json with the tables of
benchmarks/traffic_grid11_table_p15.py, not pasted.

Checked: both views on a small hand-made figures file (one demand scale, the reference and twin), a
missing key is an error naming the key, the file and the benchmark to re-run (nothing written), and the
page quotes both views.
"""

from __future__ import annotations

import copy
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import traffic_grid11_tables as grid11  # noqa: E402 - scripts/ is on the path from here

REF = "UXsim 1.15.1 C++ deltan 1"


def _engine(trip: float, queued: float, arrived: float = 1.0) -> dict:
    return {"mean_trip_time_s": trip, "mean_trip_time_s_range": [trip - 10, trip + 12], "mean_trip_exact": arrived == 1.0,
            "arrived_share": arrived, "queued_links": queued, "queued_links_range": [int(queued) - 3, int(queued) + 4],
            "links_per_trip": 13.74, "delay_on_links_veh_h": 506.2, "above_kc_links": 117.0, "queue_grid": {"5/0": 125.4, "10/60": queued}}  # fmt: skip


DATA = {"reference": REF, "seeds": 5, "command": "python benchmarks/bench_traffic_grid11_uxsim.py --seeds 5", "load_average_before": [15.49, 1, 1],
        "load_average_after": [8.88, 1, 1],
        "summary": [{"scale": 1.0, "engines": {"twin": _engine(734.11, 98.0), REF: _engine(725.8, 67.8)},
                     "ratios_twin_over": {"twin": {REF: {"mean_trip_time": 1.0114, "queued_links": 1.4454, "arrived_share": 1.0}}}}]}  # fmt: skip


def _page(tmp_path, file: str, data: dict, block: str):
    return page_and_figures(tmp_path, data, [block], file, inline=False)


def test_the_tables_render_means_ratios_grid_and_the_run(tmp_path):
    page, folder = _page(tmp_path, "traffic_grid11.json", DATA, "traffic_grid11.tables")
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert "\nold\n" not in text
    assert "| 1x | **twin** | 100.0 % | 734.1 (724-746) | 98.0 (95-102) | 13.74 | 506 | 117.0 |" in text
    assert f"| 1x | **{REF}** | 100.0 % | 725.8 (716-738) | 67.8 (64-71) | 13.74 | 506 | 117.0 |" in text
    assert f"| 1x | twin | {REF} | 1.011 | 1.445 | 1.000 |" in text
    assert "| engine | 5/0 | 10/60 |" in text and "| twin | 125 | 98 |" in text
    assert "(`python benchmarks/bench_traffic_grid11_uxsim.py --seeds 5`; load average 15.5 before, 8.9 after; 5 seeds)" in text
    assert uf.update([page], figures_dir=folder, check=True)[0] == []


def test_the_tenth_view_is_the_table_of_means_alone(tmp_path):
    page, folder = _page(tmp_path, "traffic_grid11_p15_tenth.json", DATA, "traffic_grid11_p15_tenth.means")
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert "| 1x | **twin** | 100.0 % | 734.1 (724-746) |" in text
    assert "twin variant" not in text and "load average" not in text and "\n\n" not in text


@pytest.mark.parametrize(("file", "block", "key", "bench"), [
    ("traffic_grid11.json", "traffic_grid11.tables", "load_average_after", "--seeds 5 --discharge"),
    ("traffic_grid11_p15_tenth.json", "traffic_grid11_p15_tenth.means", "reference", "--seeds 1 --scales 0.1 --output benchmarks/figures/traffic_grid11_p15_tenth.json"),
])  # fmt: skip
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_benchmark(tmp_path, file, block, key, bench):
    data = copy.deepcopy(DATA)
    del data[key]
    page, folder = _page(tmp_path, file, data, block)
    assert_refused(uf, page, folder, file, block, f"no '{key}' in the figures", f"python benchmarks/bench_traffic_grid11_uxsim.py {bench}")


def test_the_traffic_page_quotes_both_views():
    text = (REPO / "docs" / "traffic.md").read_text(encoding="utf-8")
    for name in grid11.BLOCKS:
        assert f"<!-- figures:{name} -->" in text, f"docs/traffic.md does not quote {name}"
