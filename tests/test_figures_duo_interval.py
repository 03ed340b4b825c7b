"""The DUO-interval table and the give-way seed figures of docs/traffic.md: rendered by
scripts/update_figures.py from benchmarks/figures/traffic_duo_interval.json
(benchmarks/traffic_duo_interval_p15i.py) and traffic_give_way_seeds.json
(benchmarks/traffic_stgilles_give_way_delay_p15g.py), not typed (issue 15).

Checked: each renderer on hand-made figures (exact text, a row measured by another run, a row
of other seeds) and its refusal of malformed ones; the blocks of docs/traffic.md are the
renderings of the committed figures files; and the prose around the blocks, which words the
figures instead of quoting them, holds for them.
"""

from __future__ import annotations

import json
import statistics
import sys

import pytest

from tests.cli_harness import REPO
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import traffic_duo as duo  # noqa: E402 - scripts/ is on the path from here
from figure_renderers import traffic_give_way as gw  # noqa: E402

DUO = REPO / "benchmarks" / "figures" / "traffic_duo_interval.json"
SEEDS = REPO / "benchmarks" / "figures" / "traffic_give_way_seeds.json"
SG, GW, GRID, LIGHT = "Saint-Gilles 3,000 veh", "Saint-Gilles 3,000 veh, give-way", "grid11 1x", "Saint-Gilles 2,000 veh"


def _row(interval: float, delay: tuple[float, float], trip: tuple[float, float], vkm: float, wall: float, *, seeds=(0, 1, 2),
         commit: str = "aaa1111", date: str = "2026-12-05 05:10 UTC") -> dict:  # fmt: skip
    return {"interval_s": interval, "seeds": list(seeds), "total_delay_veh_h_mean": delay[0], "total_delay_veh_h_sd": delay[1],
            "mean_trip_time_s_mean": trip[0], "mean_trip_time_s_sd": trip[1], "vehicle_km_mean": vkm, "vehicle_km_sd": 1.0,
            "arrived_veh_mean": 3000.0, "arrived_veh_sd": 0.0, "wall_per_run_s": wall, "load_1min_before": 1.5, "load_1min_after": 2.25,
            "date": date, "commit": commit, "per_seed": []}  # fmt: skip


def _case(*rows: dict) -> dict:
    return {"links": 507, "dt_s": 1.0, "intervals": {f"{r['interval_s']:g}": r for r in rows}}


def _duo() -> dict:
    """Three intervals of the four cases; the 5 s rows measured by a second run, one of them on other seeds."""
    late = {"commit": "bbb2222", "date": "2026-12-05 06:00 UTC"}
    return {"cases": {
        LIGHT: _case(_row(600.0, (0.0, 0.0), (99.41, 0.0), 1967.0, 6.0), _row(60.0, (0.001, 0.0), (99.43, 0.0), 1968.0, 5.3),
                     _row(5.0, (0.0, 0.0), (99.44, 0.0), 1968.0, 9.7, **late)),
        SG: _case(_row(600.0, (130.86, 4.39), (303.3, 6.5), 4198.2, 7.5), _row(60.0, (6.04, 0.31), (112.4, 0.8), 3094.0, 5.25),
                  _row(5.0, (4.4, 0.04), (106.3, 0.02), 2973.4, 7.0, **late)),
        GW: _case(_row(600.0, (197.3, 10.7), (395.0, 12.0), 4300.0, 8.0), _row(60.0, (6.0, 0.1), (111.5, 0.3), 3080.0, 6.0),
                  _row(5.0, (4.1, 0.0), (105.5, 0.1), 2960.0, 7.2, seeds=(0, 1, 2, 3, 4), **late)),
        GRID: _case(_row(600.0, (572.0, 195.0), (745.0, 23.0), 5.3e5, 0.6), _row(60.0, (27.9, 4.8), (684.4, 0.4), 5.2e5, 0.7),
                    _row(5.0, (7.5, 1.3), (682.5, 0.1), 5.2e5, 1.7, **late)),
    }}  # fmt: skip


def test_duo_interval_table_and_its_measured_line():
    text = duo.traffic_duo_interval_table(_duo())
    note, blank, *table = text.strip().splitlines()
    assert blank == ""
    assert table[0] == ("| interval, s | Saint-Gilles 3,000: delay, veh-h | trip, s | veh-km | with give-way: delay, veh-h | trip, s "
                        "| grid11 1x: delay, veh-h | trip, s |")  # fmt: skip
    assert table[1] == "|---:|---:|---:|---:|---:|---:|---:|---:|"
    assert table[2] == "| 600 | 130.9 ± 4.4 | 303.3 ± 6.5 | 4,198 | 197 ± 11 | 395 ± 12 | 572 ± 195 | 745 ± 23 |"
    assert table[3] == "| 60 | 6.0 ± 0.3 | 112.4 ± 0.8 | 3,094 | 6.0 ± 0.1 | 111.5 ± 0.3 | 27.9 ± 4.8 | 684.4 ± 0.4 |"
    assert table[4] == "| 5 | 4.4 ± 0.0 | 106.3 ± 0.0 | 2,973 | 4.1 ± 0.0 (seeds 0-4) | 105.5 ± 0.1 | 7.5 ± 1.3 | 682.5 ± 0.1 |"
    assert len(table) == 5
    # one provenance per run (date, commit): its intervals, the wall time of its runs (every case), the load range
    assert note.startswith("Measured by `python benchmarks/traffic_duo_interval_p15i.py`: intervals 600, 60 s: 2026-12-05 05:10 UTC, commit aaa1111, ")
    late_s = 3 * (9.7 + 7.0 + 1.7) + 5 * 7.2  # the give-way row ran 5 seeds
    assert f"; intervals 5 s: 2026-12-05 06:00 UTC, commit bbb2222, {late_s:.0f} s of runs, 1-minute load average 1.50–2.25; mean ± sd over seeds 0-2 " in note
    assert f"commit aaa1111, {3 * (6.0 + 5.3 + 7.5 + 5.25 + 8.0 + 6.0 + 0.6 + 0.7):.0f} s of runs" in note


def test_duo_interval_table_marks_a_missing_cell_and_one_run_has_one_provenance():
    data = _duo()
    del data["cases"][GRID]["intervals"]["60"]
    for case in data["cases"].values():
        for r in case["intervals"].values():
            r.update(commit="ccc3333", date="2026-12-05 07:00 UTC", seeds=[0, 1, 2])
    text = duo.traffic_duo_interval_table(data)
    assert "| 60 | 6.0 ± 0.3 | 112.4 ± 0.8 | 3,094 | 6.0 ± 0.1 | 111.5 ± 0.3 | - | - |" in text
    assert "`: 2026-12-05 07:00 UTC, commit ccc3333, " in text and "intervals" not in text.split("\n")[1]


def test_duo_interval_phrases():
    data = _duo()
    assert duo.traffic_duo_interval_light(data) == "no delay at any interval from 600 to 5 s (mean trip 99.4 s)"
    data["cases"][LIGHT]["intervals"]["60"]["total_delay_veh_h_mean"] = 0.26
    data["cases"][LIGHT]["intervals"]["5"]["mean_trip_time_s_mean"] = 99.9
    assert duo.traffic_duo_interval_light(data) == "at most 0.3 veh-h of delay at the intervals from 600 to 5 s (mean trip 99.4-99.9 s)"
    assert duo.traffic_duo_interval_swing(data) == "at 600 s, 4,198 veh-km against 2,973 at 5 s"
    assert duo.traffic_duo_interval_settle(data) == "within 5.7 % of the 5 s value on Saint-Gilles (112 vs 106 s) and 0.28 % on grid11"
    assert duo.traffic_duo_interval_delay(data) == "Saint-Gilles 6.0 -> 4.4 veh-h, grid11 27.9 -> 7.5 veh-h from 60 to 5 s"
    assert duo.traffic_duo_interval_sd(data) == "Saint-Gilles sd 4.4 -> 0.3 veh-h from 600 to 60 s"
    assert duo.traffic_duo_interval_cost(data) == ("wall time per run at 600 / 60 / 5 s: Saint-Gilles 3,000 7.5 / 5.2 / 7.0 s; "
                                                  "with give-way 8.0 / 6.0 / 7.2 s; grid11 1x 0.6 / 0.7 / 1.7 s")  # fmt: skip
    del data["cases"][GRID]["intervals"]["600"]
    assert duo.traffic_duo_interval_cost(data).endswith("; grid11 1x 0.7 / 1.7 s at 60 / 5 s")


@pytest.mark.parametrize("name", [n for n in uf.RENDERERS if n.split(".")[0] == "traffic_duo_interval"])
def test_duo_interval_renderers_refuse_malformed_figures(name, tmp_path):
    render = uf.RENDERERS[name][1]
    with pytest.raises(uf.FiguresError, match="no 'cases'"):
        render({})
    data = _duo()
    del data["cases"][SG if name != "traffic_duo_interval.light" else LIGHT]
    with pytest.raises(uf.FiguresError, match="no intervals of the case 'Saint-Gilles"):
        render(data)
    data = _duo()
    del data["cases"][SG]["intervals"]["5"]["total_delay_veh_h_mean"], data["cases"][SG]["intervals"]["5"]["vehicle_km_mean"]
    del data["cases"][SG]["intervals"]["5"]["wall_per_run_s"], data["cases"][SG]["intervals"]["600"]["total_delay_veh_h_sd"]
    del data["cases"][SG]["intervals"]["5"]["mean_trip_time_s_mean"]
    del data["cases"][LIGHT]["intervals"]["5"]["total_delay_veh_h_mean"]
    (tmp_path / "traffic_duo_interval.json").write_text(json.dumps(data))
    with pytest.raises(uf.FiguresError, match=rf"traffic_duo_interval\.json: cannot render block '{name}': KeyError"):
        uf.render_block(name, tmp_path)


def test_duo_interval_phrases_need_the_60_s_row():
    data = _duo()
    del data["cases"][SG]["intervals"]["60"]
    for render in (duo.traffic_duo_interval_settle, duo.traffic_duo_interval_delay, duo.traffic_duo_interval_sd):
        with pytest.raises(uf.FiguresError, match="no 60 s interval of the case 'Saint-Gilles 3,000 veh'"):
            render(data)


def _seeds(off: list[float], on: list[float]) -> dict:
    return {"cases": {"3000": {"vehicles": 3000.0, "seeds": list(range(len(off))), "duo_interval_s": 300.0,
                               "off": {"total_delay_veh_h": off}, "on": {"total_delay_veh_h": on}}}}  # fmt: skip


def test_give_way_seed_phrases():
    data = _seeds([32.6, 52.44, 31.9, 34.0], [24.1, 36.7, 33.0, 34.0])
    assert gw.traffic_give_way_seeds_range(data) == "31.9-52.4 veh-h"
    sd = statistics.stdev([32.6, 52.44, 31.9, 34.0])
    assert gw.traffic_give_way_seeds_off(data) == f"31.9-52.4 veh-h of delay over seeds 0-3, mean 37.7, sd {sd:.1f}"
    # lower: strictly (seed 3 ties, seed 2 is higher with give-way)
    assert gw.traffic_give_way_seeds_pair(data) == "31.9-52.4 veh-h (seeds 0-3, mean 37.7; on: 24.1-36.7, mean 32.0, lower in 2 of 4)"
    assert gw.traffic_give_way_seeds_off(_seeds([5.0], [4.0])) == "5.0-5.0 veh-h of delay over seeds 0, mean 5.0"


GW_DELAY_VIEWS = ("traffic_give_way_seeds.range", "traffic_give_way_seeds.off", "traffic_give_way_seeds.pair")
"""The views of the delays over the seeds (the others read seed 0, the variants or the provenance)."""


def _gw_side(delay: list[float], free: float, vkm: list[float], full: list[float], vehicles: float) -> dict:
    """One side (give-way off or on) of an entry of traffic_give_way_seeds.json, per seed (arrived and generated to rounding)."""
    n = len(delay)
    return {"total_delay_veh_h": delay, "total_travel_time_veh_h": [d + free for d in delay], "driven_free_h": [free] * n, "vehicle_km": vkm,
            "arrived_veh": [vehicles - 1e-10] * n, "generated_veh": [vehicles + 1e-8] * n, "origin_wait_veh_h": [-1e-12] * n,
            "in_network_end_veh": [0.0] * n, "full_links": full}  # fmt: skip


def _gw_pair(off: list[float], on: list[float], *, vkm_off: list[float] | None = None, vkm_on: list[float] | None = None,
             vehicles: float = 3000.0, diff: float = 150.0) -> dict:  # fmt: skip
    """Give-way off / on sides and the pair figures of ``len(off)`` seeds (9 links full in both, curves ``diff`` apart)."""
    n = len(off)
    return {"off": _gw_side(off, 100.0, vkm_off or [3600.0] * n, [9.0] * n, vehicles), "on": _gw_side(on, 98.0, vkm_on or [3500.0] * n, [9.0] * n, vehicles),
            "full_both": [9.0] * n, "curve_diff_veh": [diff] * n}  # fmt: skip


def _gw() -> dict:
    """traffic_give_way_seeds.json by hand: 3,000 vehicles (2 seeds, three route-choice variants), 2,000 vehicles (seed 0)."""
    fixed = _gw_pair([900.0], [950.0])
    fixed["off"]["arrived_veh"], fixed["on"]["arrived_veh"] = [1620.2], [1499.6]
    heavy = {"vehicles": 3000.0, "seeds": [0, 1], "duo_interval_s": 300.0, "date": "2026-12-05 05:40 UTC", "commit": "abc1234", "wall_s": 231.4,
             "load_1min_before": 3.5, "load_1min_after": 2.25, "command": "nice -n 10 python benchmarks/traffic_stgilles_give_way_delay_p15g.py",
             "junctions": {"junctions": 147, "yielding_approaches": 211}, "shortest_free_h": 82.24,
             **_gw_pair([32.62, 52.4], [24.07, 36.7], vkm_off=[3600.0, 3500.0], vkm_on=[3450.0, 3450.0]),
             "variants": {"DUO, no noise": {"options": {"duo_noise": 0.0}, **_gw_pair([3.0], [7.2])},
                          "DUO every 60 s": {"options": {"duo_interval_s": 60.0}, **_gw_pair([6.3], [5.9])},
                          "fixed routes: free-flow": {"options": {"route_choice": "free_flow"}, **fixed}}}  # fmt: skip
    light = {**heavy, "vehicles": 2000.0, "seeds": [0], "date": "2026-12-05 05:38 UTC", "wall_s": 63.0, "load_1min_before": 2.23, "load_1min_after": 2.34,
             "command": heavy["command"] + " --vehicles 2000 --seeds 1", **_gw_pair([0.0], [0.0], vehicles=2000.0, diff=0.0), "variants": {}}  # fmt: skip
    return {"cases": {"3000": heavy, "2000": light}}


def test_give_way_seed0_variant_and_provenance_phrases():
    data = _gw()
    assert gw.traffic_give_way_seeds_measured(data) == (
        "measured by `python benchmarks/traffic_stgilles_give_way_delay_p15g.py`: 2026-12-05 05:40 UTC, commit abc1234, 231 s, 1-minute load average "
        "2.25–3.50; `python benchmarks/traffic_stgilles_give_way_delay_p15g.py --vehicles 2000 --seeds 1`: 2026-12-05 05:38 UTC, commit abc1234, "
        "63 s, 1-minute load average 2.23–2.34")  # fmt: skip
    assert gw.traffic_give_way_seeds_junctions(data) == "147 junctions, 211 yielding approaches"
    assert gw.traffic_give_way_seeds_light(data) == (
        "at 2,000 vehicles give-way changes nothing: every link's cumulative curves are those of give-way off (largest difference 0 veh)")
    assert gw.traffic_give_way_seeds_seed0(data) == "the total delay falls from 32.6 to 24.1 veh-h (seed 0)"
    assert gw.traffic_give_way_seeds_accounting(data) == (
        "(all arrive, no origin wait; travel time 132.6 / 122.1 veh-h less the free-flow time of the links driven, 100.0 / 98.0; "
        "shortest routes 82.2) and the same 9 links full in both")  # fmt: skip
    assert gw.traffic_give_way_seeds_routes(data) == "100 veh-km fewer on mean over the seeds"
    assert gw.traffic_give_way_seeds_variants(data) == (
        "DUO, no noise +4.2 veh-h (3.0 -> 7.2); DUO every 60 s −0.4 veh-h (6.3 -> 5.9); fixed routes (off / on): free-flow 1,620 / 1,500 of 3,000 arrive")


def test_give_way_phrases_follow_the_figures_not_the_words_of_the_docs():
    """Each phrase words what the figures say: another sign, other full links, a wait, vehicles left, curves that differ."""
    data = _gw()
    heavy, light = data["cases"]["3000"], data["cases"]["2000"]
    heavy["off"]["total_delay_veh_h"][0], heavy["on"]["total_delay_veh_h"][0] = 24.07, 32.62
    assert gw.traffic_give_way_seeds_seed0(data) == "the total delay rises from 24.1 to 32.6 veh-h (seed 0)"
    heavy["on"]["total_delay_veh_h"][0] = 24.1
    assert gw.traffic_give_way_seeds_seed0(data) == "the total delay stays at 24.1 veh-h (seed 0)"
    heavy["on"]["full_links"][0], heavy["full_both"][0], heavy["off"]["origin_wait_veh_h"][0] = 10.0, 8.0, 0.31
    heavy["on"]["arrived_veh"][0] = 2990.2
    text = gw.traffic_give_way_seeds_accounting(data)
    assert text.startswith("(3,000 / 2,990 of 3,000 arrive, origin wait 0.3 / 0.0 veh-h; ")
    assert text.endswith("and 9 / 10 links full, 8 of them in both")
    heavy["on"]["vehicle_km"] = [3600.0, 3700.0]
    assert gw.traffic_give_way_seeds_routes(data) == "100 veh-km more on mean over the seeds"
    light["curve_diff_veh"][0] = 0.37
    assert gw.traffic_give_way_seeds_light(data) == "at 2,000 vehicles give-way moves the cumulative curves by up to 0.37 veh"


def test_give_way_seed_phrases_refuse_malformed_figures():
    data = _gw()
    data["cases"]["3000"]["seeds"] = [1, 2]
    with pytest.raises(uf.FiguresError, match=r"case '3000': no seed 0 \(seeds 1, 2\)"):
        gw.traffic_give_way_seeds_seed0(data)
    data = _gw()
    del data["cases"]["3000"]["variants"]
    with pytest.raises(uf.FiguresError, match="case '3000' has no route-choice variants"):
        gw.traffic_give_way_seeds_variants(data)
    data["cases"]["3000"]["on"]["vehicle_km"] = [1.0]
    with pytest.raises(uf.FiguresError, match="case '3000': 2 vehicle-km off, 1 on"):
        gw.traffic_give_way_seeds_routes(data)
    with pytest.raises(uf.FiguresError, match="'3000': 3 seeds, 3 delays off, 2 on"):
        gw.traffic_give_way_seeds_pair(_seeds([1.0, 2.0, 3.0], [1.0, 2.0]))


@pytest.mark.parametrize("name", [n for n in uf.RENDERERS if n.split(".")[0] == "traffic_give_way_seeds"])
def test_give_way_seed_renderers_refuse_malformed_figures(name, tmp_path):
    render = uf.RENDERERS[name][1]
    needed = "2000" if name == "traffic_give_way_seeds.light" else "3000"
    data = _gw() if name not in GW_DELAY_VIEWS else {"cases": {"3000": _seeds([1.0], [1.0])["cases"]["3000"]}}
    data["cases"]["2000" if needed == "3000" else "3000"] = data["cases"].pop(needed)  # the other case only
    with pytest.raises(uf.FiguresError, match=f"no case '{needed}'"):
        render(data)
    bad = _gw()
    for entry in (*bad["cases"].values(), *bad["cases"]["3000"]["variants"].values()):
        for key in ("off", "wall_s", "junctions"):
            entry.pop(key, None)
    (tmp_path / "traffic_give_way_seeds.json").write_text(json.dumps(bad))
    with pytest.raises(uf.FiguresError, match=rf"cannot render block '{name}': KeyError"):
        uf.render_block(name, tmp_path)


def test_the_docs_blocks_are_the_renderings_of_the_figures_files():
    page = (REPO / "docs" / "traffic.md").read_text(encoding="utf-8")
    found = {}
    for m in uf.BLOCK.finditer(page):
        name = m.group("name")
        if name.split(".")[0] in ("traffic_duo_interval", "traffic_give_way_seeds"):
            body = uf.render_block(name)
            found[name] = found.get(name, 0) + 1
            assert m.group("body") == (body if "\n" in m.group("body") else body.strip()), name
    # every view is quoted (traffic_give_way_seeds.off twice: Seeds and replicates, and the turns and signals item)
    assert set(found) == {n for n in uf.RENDERERS if n.split(".")[0] in ("traffic_duo_interval", "traffic_give_way_seeds")}


def test_the_prose_around_the_blocks_holds_for_the_figures():
    """docs/traffic.md words the figures instead of quoting them; those words, checked on the committed figures."""
    cases = json.loads(DUO.read_text(encoding="utf-8"))["cases"]
    rows = {case: sorted(c["intervals"].values(), key=lambda r: -r["interval_s"]) for case, c in cases.items()}
    at = {case: {r["interval_s"]: r for r in rs} for case, rs in rows.items()}
    for case, rs in rows.items():  # "Every vehicle arrives in every run below"
        for r in rs:
            assert r["per_seed"] and all(abs(s["arrived_veh"] - s["generated_veh"]) < 0.5 for s in r["per_seed"]), (case, r["interval_s"])
    assert {r["interval_s"] for r in rows[SG]} >= {600.0, 300.0, 60.0, 5.0}
    assert max(r["total_delay_veh_h_mean"] for r in rows[LIGHT]) < duo.NO_DELAY_VEH_H  # "the interval only matters in congestion"
    assert rows[SG][0]["vehicle_km_mean"] > 1.1 * rows[SG][-1]["vehicle_km_mean"]  # long intervals: cohorts on detours
    for case in (SG, GW, GRID):
        short = rows[case][-1]
        for r in rows[case]:
            if r["interval_s"] <= duo.DUO_SETTLED_S:  # "Trip times settle from about 60 s", "trust ... vehicle-km at 60 s"
                assert abs(r["mean_trip_time_s_mean"] / short["mean_trip_time_s_mean"] - 1) < 0.1, (case, r["interval_s"])
                assert abs(r["vehicle_km_mean"] / short["vehicle_km_mean"] - 1) < 0.1, (case, r["interval_s"])
    for case in (SG, GRID):  # "The total delay does not settle ... no interval is the converged one"
        assert rows[case][-1]["total_delay_veh_h_mean"] < 0.9 * at[case][duo.DUO_SETTLED_S]["total_delay_veh_h_mean"], case
    # "The seed scatter shrinks with the interval too": most of the spread belongs to the 300 s interval
    assert at[SG][duo.DUO_SETTLED_S]["total_delay_veh_h_sd"] < at[SG][300.0]["total_delay_veh_h_sd"] < at[SG][600.0]["total_delay_veh_h_sd"]
    entry = json.loads(SEEDS.read_text(encoding="utf-8"))["cases"][gw.GIVE_WAY_SEEDS_CASE]
    off, on = entry["off"]["total_delay_veh_h"], entry["on"]["total_delay_veh_h"]
    assert entry["duo_interval_s"] == 300.0 and entry["vehicles"] == 3000.0  # "belong to the 300 s interval"
    # "that is DUO's scatter, not give-way": the mean change is within the spread of one variant over seeds
    assert abs(statistics.fmean(on) - statistics.fmean(off)) < statistics.stdev(off)


def test_the_give_way_item_holds_for_the_figures():
    """docs/traffic.md's Give-way item words these figures; those words, checked on the committed figures file."""
    entry = json.loads(SEEDS.read_text(encoding="utf-8"))["cases"][gw.GIVE_WAY_SEEDS_CASE]
    k = entry["seeds"].index(0)
    for side in ("off", "on"):  # "same accounting (all arrive, no origin wait; ...)"
        assert abs(entry[side]["arrived_veh"][k] - entry[side]["generated_veh"][k]) < gw.ALL_ARRIVE_VEH, side
        assert entry[side]["origin_wait_veh_h"][k] < gw.NO_WAIT_VEH_H, side
    vkm_off, vkm_on = statistics.fmean(entry["off"]["vehicle_km"]), statistics.fmean(entry["on"]["vehicle_km"])
    assert abs(vkm_on - vkm_off) > 0.01 * vkm_off  # "give-way shifts routes"
    # "the sign of the change follows the route choice": seed 0 as it is and the DUO variants change the delay both ways
    changes = [entry["on"]["total_delay_veh_h"][k] - entry["off"]["total_delay_veh_h"][k]]
    changes += [v["on"]["total_delay_veh_h"][0] - v["off"]["total_delay_veh_h"][0] for name, v in entry["variants"].items()
                if not name.startswith(gw.FIXED_ROUTES)]  # fmt: skip
    assert min(changes) < 0 < max(changes), changes
