"""The Saint-Gilles junction-model table of docs/traffic.md: benchmarks/traffic_stgilles_junctions.py
and its renderer in scripts/update_figures.py (issue 15: figures produced by a script, not typed).

Checked: the renderer's table and provenance from hand-made figures (two runs, uncommitted files
named); the block of docs/traffic.md is the rendering of the committed figures file, and the
prose around it (which words the rows instead of restating them) holds for them; and (slow,
about 10 s) one row of the script against the vehicle-km summed here from the run's link flows,
the street lengths and the road classes, and the merge of a second run into the file.
"""

from __future__ import annotations

import json
import sys
import warnings

import pytest

from tests.cli_harness import REPO
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import traffic  # noqa: E402 - scripts/ is on the path from here

FIGURES = REPO / "benchmarks" / "figures" / "traffic_stgilles_junctions.json"


def _row(trips: float, res: float, main: float, *, commit: str, gw: dict | None = None, change: float | None = None, sig: dict | None = None,
         dirty: list[str] | None = None, right: dict | None = None) -> dict:  # fmt: skip
    return {"options": {"periods": ["am_peak"], "feedback": 2}, "car_trips": trips, "vehicle_km_residential": res, "vehicle_km_main": main,
            "signals": sig, "give_way": gw, "give_way_change": change, "main_road_yielding": right, "wall_s": 3.04, "load_1min_before": 0.5, "load_1min_after": 1.25,
            "date": "2026-12-05 00:10 UTC", "commit": commit, "uncommitted": dirty or [], "command": f"python x.py # {commit}"}  # fmt: skip


def test_table_rows_in_order_and_one_provenance_per_run():
    gw = {"junctions": 135, "major_road_junctions": 53, "priority_to_right_junctions": 77, "roundabout_junctions": 5, "yielding_approaches": 193,
          "roundabout_entries": 3}  # fmt: skip
    sig = {"signals": 12, "signal_approaches": 32, "split": "capacity", "nodes_split": 11, "nodes_one_axis": 1, "nodes_without_bearing": 0}
    data = {"order": ["none", "signals, capacity split + give-way"],
            "variants": {"signals, capacity split + give-way": _row(2522.44, 1061.6, 2078.4, commit="bbb", gw=gw, change=0.00078, sig=sig,
                                                                     dirty=["twin/traffic/mobility.py"], right={"right": 2, "major": 1}),
                         "none": _row(2528.81, 766.2, 2317.4, commit="aaa")}}  # fmt: skip
    fixed = {"give_way_change": 0.00078, "give_way_passes": 4, "give_way_converged": True, "give_way_tolerance": 0.01}
    data["variants"]["signals, capacity split + give-way"]["give_way_fixed_point"] = fixed
    text = traffic.traffic_stgilles_junctions(data)
    lines = text.strip().splitlines()
    assert lines[2] == "| none | 2,528.8 | 766 | 2,317 | - | - | - | - | - |"
    assert lines[3] == ("| signals, capacity split + give-way | 2,522.4 | 1,062 | 2,078 | 12 / 32, split by capacity at 11 (1 on one axis) "
                        "| 135 (53 / 77 / 5) | 193 (3) | 2 | 0.078 % (4 passes) |")  # fmt: skip
    assert "rows none: `python x.py # aaa` (morning peak, feedback 2), 2026-12-05 00:10 UTC, commit aaa, 3.0 s of runs, 1-minute load average 0.50–1.25" in text
    assert "rows signals, capacity split + give-way: `python x.py # bbb`" in text and "commit bbb with uncommitted changes to twin/traffic/mobility.py, give-way fixed point to 1 %" in text
    assert "(major road / right / roundabout)" in lines[0]
    data["variants"]["signals, capacity split + give-way"]["give_way_fixed_point"] = {**fixed, "give_way_passes": 20, "give_way_converged": False}
    assert "| 0.078 % (20 passes, NOT converged) |" in traffic.traffic_stgilles_junctions(data)
    data["variants"]["signals, capacity split + give-way"]["give_way_fixed_point"] = {**fixed, "give_way_passes": 1}
    assert "| 0.078 % (1 pass) |" in traffic.traffic_stgilles_junctions(data)
    data["variants"]["none"]["give_way"] = {**gw, "junctions": 140, "sign_junctions": 5}  # junctions decided by signs: a fourth count
    lines = traffic.traffic_stgilles_junctions(data).strip().splitlines()
    assert "(major road / right / roundabout / signs)" in lines[0] and "| 140 (53 / 77 / 5 / 5) |" in lines[2] and "| 135 (53 / 77 / 5 / 0) |" in lines[3]
    with pytest.raises(uf.FiguresError, match="no 'variants'"):
        traffic.traffic_stgilles_junctions({"order": ["none"]})


def test_the_docs_block_is_the_rendering_of_the_figures_file():
    page = (REPO / "docs" / "traffic.md").read_text(encoding="utf-8")
    blocks = [m for m in uf.BLOCK.finditer(page) if m.group("name") == "traffic_stgilles_junctions"]
    assert len(blocks) == 1
    assert blocks[0].group("body") == uf.render_block("traffic_stgilles_junctions")
    data = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert set(data["variants"]) == set(data["order"])  # every junction model has its row


def test_the_prose_around_the_block_holds_for_its_rows():
    """docs/traffic.md words the rows instead of restating them; those words, checked on the figures."""
    v = json.loads(FIGURES.read_text(encoding="utf-8"))["variants"]
    res = {k: r["vehicle_km_residential"] for k, r in v.items()}
    main = {k: r["vehicle_km_main"] for k, r in v.items()}
    assert abs(v["signals"]["car_trips"] - v["none"]["car_trips"]) < 1e-3 * v["none"]["car_trips"]  # "car trips barely move"
    assert res["signals"] > res["none"] and main["signals"] < main["none"]  # "routes leave the signalised main roads"
    assert res["none"] < res["signals, capacity split"] < res["signals"]  # "the capacity split takes back part"
    assert res["signals, capacity split + give-way"] < res["signals, capacity split"]  # "the give-way delay on top of it more"
    assert main["signals, capacity split + give-way"] > main["none"] / 2  # "keep most of the main roads' share"
    assert main["signals + give-way"] > main["signals"] and res["signals + give-way"] > res["none"]  # "no longer empty ... stays above"
    assert res["give-way"] > res["none"]  # "give-way alone moves some traffic to residential streets"
    rings = {k: v[k]["give_way"]["roundabout_junctions"] for k in ("give-way", "signals + give-way")}
    assert rings["give-way"] - rings["signals + give-way"] > rings["give-way"] / 2  # "most ring nodes are signalised"
    right = {k: v[k]["main_road_yielding"].get("right", 0) for k in ("give-way", "signals + give-way")}
    assert 0 < right["signals + give-way"] < right["give-way"]  # "some main-road approaches ... yield to the right, fewer when signals are on"


@pytest.mark.slow
def test_script_rows_are_the_runs_vehicle_km_and_a_second_run_is_merged(tmp_path):
    """One variant's row against the vehicle-km of its run summed here (flow x length per street
    link, main = MAIN_ROAD_CLASSES); then the script writes two files' worth of rows into one."""
    import numpy as np

    sys.path.insert(0, str(REPO / "benchmarks"))
    import traffic_stgilles_junctions as bench

    from twin.traffic.mobility import MAIN_ROAD_CLASSES, run_district_mobility

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene = bench.signal_scene()
    res = run_district_mobility(scene, bench.mobility_options(bench.VARIANTS["signals + give-way"], feedback=1))
    row = bench.row_of(res)
    links = scene.links
    flow = np.array([res.periods["am_peak"].link_flow.get(k, 0.0) for k in links["link_id"]])
    vkm = flow * links["length_m"].to_numpy(float) / 1000.0
    main = links["road_class"].fillna("").isin(MAIN_ROAD_CLASSES).to_numpy()
    assert vkm[main].sum() > 100 and vkm[~main].sum() > 100
    np.testing.assert_allclose([row["vehicle_km_main"], row["vehicle_km_residential"]], [vkm[main].sum(), vkm[~main].sum()], rtol=1e-12)
    assert (row["signals"]["signals"], row["signals"]["signal_approaches"]) == (12, 32)  # docs/traffic.md, Signals: 12 nodes, 32 approaches
    gw = row["give_way"]
    assert gw["junctions"] == gw["major_road_junctions"] + gw["priority_to_right_junctions"] + gw["roundabout_junctions"]
    assert 0 < sum(row["main_road_yielding"].values()) < gw["yielding_approaches"]
    assert row["give_way_fixed_point"]["give_way_change"] == row["give_way_change"] and row["give_way_fixed_point"]["give_way_passes"] >= 1
    assert 0 <= row["give_way_change"] < 1 and bench.row_of(run_district_mobility(scene, bench.mobility_options({}, feedback=1)))["give_way"] is None
    out = tmp_path / "figures.json"
    bench.main(["--variants", "none", "--feedback", "1", "--output", str(out)])
    out.write_text(out.read_text().replace('"none"', '"an older row"'))
    data = bench.main(["--variants", "none", "--feedback", "1", "--output", str(out)])
    assert list(data["variants"]) == ["none", "an older row"] and data["variants"]["none"]["commit"]
    assert "--output" in data["variants"]["none"]["command"] and traffic.traffic_stgilles_junctions(data).count("(morning peak, feedback 1)") == 1  # one run
