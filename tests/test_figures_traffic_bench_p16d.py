"""The dynamic-loading benchmark table of docs/traffic.md ("Benchmarks"), rendered by scripts/update_figures.py
from benchmarks/figures/traffic_dynamic_bench.json (benchmarks/bench_traffic_dynamic.py), not typed.

Checked: the table and the "measured by" line on hand-made figures, with and without UXsim; the
refusal of a missing case, row or key; the benchmark's entry from hand-made rows; the blocks of
docs/traffic.md are the renderings of the committed file and every view is quoted.
"""

from __future__ import annotations

import sys

import pytest

from tests.cli_harness import REPO
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import traffic_dynamic_bench as tb  # noqa: E402 - scripts/ is on the path from here

bench = load_script("benchmarks/bench_traffic_dynamic.py")

VIEWS = [n for n in uf.RENDERERS if n.startswith("traffic_dynamic_bench.")]


def _twin(case: str, wall: float, vehicles: float, links: int, steps: int, dt: float, mean_trip: float) -> dict:
    return {"case": case, "engine": "twin LTM", "repeat": 3.0, "wall_s": wall, "dt_s": dt, "vehicles": vehicles, "links": float(links),
            "steps": float(steps), "vehicles_per_s": vehicles / wall, "link_steps_per_s": links * steps / wall, "arrived": vehicles,
            "total_travel_time_veh_h": 1.0, "mean_trip_time_s": mean_trip, "fifo_merges": 0.0}  # fmt: skip


def _uxsim(deltan: int, wall: float, mean_trip: float) -> dict:
    return {"case": "grid11", "engine": f"UXsim C++ (deltan {deltan})", "deltan": float(deltan), "repeat": 1.0, "wall_s": wall, "build_s": 0.5,
            "vehicles": 38720.0, "links": 440.0, "steps": 1440.0 / deltan * 5, "vehicles_per_s": 38720.0 / wall,
            "link_steps_per_s": 440 * 1440.0 / deltan * 5 / wall, "arrived": 38715.0, "total_travel_time_veh_h": 1.0, "mean_trip_time_s": mean_trip}  # fmt: skip


def _figures(*, uxsim: bool = True) -> dict:
    rows = [_twin("grid11", 0.4, 38720.0, 440, 1440, 5.0, 805.7)]
    if uxsim:
        rows += [_uxsim(5, 3.42, 783.2), _uxsim(1, 12.5, 729.4)]
    rows.append(_twin("stgilles", 5.7, 2000.0, 507, 7200, 1.0, 99.4))
    entry = {"date": "2026-12-05 12:50 UTC", "commit": "abc1234", "cpus": 2, "command": "python benchmarks/bench_traffic_dynamic.py",
             "load_1min_before": 1.5, "load_1min_after": 2.25, "uxsim": "1.15.1" if uxsim else None, "rows": rows}  # fmt: skip
    return {"case": "hand-made", "cases": {"side_by_side": entry}}


def test_the_table_with_uxsim():
    table = tb.table(_figures())
    assert table.startswith("\n| case |") and table.endswith(" |\n")
    assert table.strip().splitlines() == [
        "| case | engine | wall | vehicles/s | link-steps/s | arrived | mean trip |",
        "|---|---|---:|---:|---:|---:|---:|",
        "| grid11 (440 links, 38,720 veh, 1,440 steps of 5 s) | twin LTM (best of 3 after a warm-up) | 0.40 s | 96,800 | 1.6e+06 | 38,720 of 38,720 | 805.7 s |",
        "| grid11 | UXsim 1.15.1 C++ (deltan 5) (one run) | 3.42 s | 11,322 | 1.9e+05 | 38,715 of 38,720 | 783.2 s |",
        "| grid11 | UXsim 1.15.1 C++ (deltan 1) (one run) | 12.50 s | 3,098 | 2.5e+05 | 38,715 of 38,720 | 729.4 s |",
        "| Saint-Gilles (507 links, 2,000 veh, 7,200 steps of 1 s) | twin LTM (best of 3 after a warm-up) | 5.70 s | 351 | 6.4e+05 | 2,000 of 2,000 | 99.4 s |"]  # fmt: skip


def test_the_table_and_line_without_uxsim():
    data = _figures(uxsim=False)
    lines = tb.table(data).strip().splitlines()
    assert len(lines) == 4 and not any("UXsim" in line for line in lines)
    assert tb.measured(data) == ("Measured by `python benchmarks/bench_traffic_dynamic.py`: 2026-12-05 12:50 UTC, commit abc1234, 2 cores, "
                                 "1-minute load average 1.50 before, 2.25 after; UXsim was not installed in the environment, so the table "
                                 "has twin's rows only.")  # fmt: skip
    assert tb.measured(_figures()).endswith("2.25 after; UXsim 1.15.1 in the same process.")


def test_the_renderers_refuse_missing_figures():
    for name in VIEWS:
        with pytest.raises(uf.FiguresError, match="no case 'side_by_side'"):
            uf.RENDERERS[name][1]({"cases": {"other": {}}})
    data = _figures()
    del data["cases"]["side_by_side"]["rows"][1]["mean_trip_time_s"]
    with pytest.raises(uf.FiguresError, match="row 'UXsim C\\+\\+ \\(deltan 5\\)': no 'mean_trip_time_s'"):
        tb.table(data)
    data["cases"]["side_by_side"]["rows"] = []
    with pytest.raises(uf.FiguresError, match="no 'rows'"):
        tb.table(data)
    del data["cases"]["side_by_side"]["commit"]
    with pytest.raises(uf.FiguresError, match="no 'commit'"):
        tb.measured(data)
    assert sorted(VIEWS) == ["traffic_dynamic_bench.measured", "traffic_dynamic_bench.table"]


def test_the_benchmark_entry():
    rows = [("grid11", {k: v for k, v in _twin("grid11", 0.4, 38720.0, 440, 1440, 5.0, 805.7).items() if k != "case"})]
    rows[0][1]["fifo_merges"] = 3  # an int from the kernel: written as a float
    entry = bench.figures(rows, 1.0, 2.0, "abc1234")
    assert entry["rows"][0]["case"] == "grid11" and entry["rows"][0]["fifo_merges"] == 3.0 and entry["rows"][0]["engine"] == "twin LTM"
    assert (entry["load_1min_before"], entry["load_1min_after"], entry["commit"]) == (1.0, 2.0, "abc1234")
    assert entry["uxsim"] == bench.uxsim_version() and entry["command"] == "python benchmarks/bench_traffic_dynamic.py"
    assert tb.table({"cases": {"side_by_side": entry}}).count("| grid11 (440 links") == 1


def test_the_docs_blocks_are_the_renderings_of_the_figures_file():
    page = (REPO / "docs" / "traffic.md").read_text(encoding="utf-8")
    found = set()
    for m in uf.BLOCK.finditer(page):
        if m.group("name").startswith("traffic_dynamic_bench."):
            found.add(m.group("name"))
            assert m.group("body").strip() == uf.render_block(m.group("name")).strip(), m.group("name")
    assert found == set(VIEWS)  # every view is quoted
