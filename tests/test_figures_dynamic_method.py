"""The dynamic-loading Method figures of docs/traffic.md: turns and signals on Saint-Gilles, the DUO
link times on Saint-Gilles and grid11's tied routes, rendered by scripts/update_figures.py from
benchmarks/figures/traffic_stgilles_turns_signals.json (benchmarks/traffic_stgilles_turns_signals_p15t.py),
traffic_stgilles_duo_time.json (benchmarks/traffic_stgilles_duo_time_p15.py) and traffic_grid11_ties.json
(benchmarks/bench_traffic_grid11_ties.py), not typed (issue 15).

Checked: each renderer on hand-made figures (both wordings where a figure decides the words), the
refusal of malformed figures; the blocks of docs/traffic.md are the renderings of the committed
files, every view is quoted; and the prose around the blocks holds for the committed figures.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from tests.cli_harness import REPO
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import traffic_dynamic as td  # noqa: E402 - scripts/ is on the path from here

FIGURES = REPO / "benchmarks" / "figures"
FILES = ("traffic_stgilles_turns_signals", "traffic_stgilles_duo_time", "traffic_grid11_ties")
STAMP = {"date": "2026-12-05 05:49 UTC", "commit": "abc1234", "command": "nice -n 10 python benchmarks/x.py"}


def _r(trip: float, delay: float, *, diff: float = 0.0, banned: int = 0, penalised: int = 0, approaches: int = 0,
       arrived: float = 3000.0, generated: float = 3000.0, wall: float = 5.0) -> dict:  # fmt: skip
    return {"generated_veh": generated, "arrived_veh": arrived, "mean_trip_time_s": trip, "total_delay_veh_h": delay,
            "max_cum_in_diff_veh": diff, "banned_turns": banned, "penalised_turns": penalised, "signal_approaches": approaches,
            "wall_s": wall, "load_1min": 2.0}  # fmt: skip


def _turns() -> dict:
    """Hand-made turns/signals figures: at 2,000 the ban and the signals change nothing, at 3,000 everything changes."""
    light = {"as it is": _r(99.4, 0.0, arrived=2000, generated=2000), "per in-link, nothing banned": _r(99.4, 0.0, arrived=2000, generated=2000),
             "U-turns banned": _r(99.4, 0.0, banned=376, arrived=2000, generated=2000),
             "U-turns banned + angle penalties": _r(101.24, 0.0, diff=123.0, banned=376, penalised=553, arrived=2000, generated=2000),
             "signals (12 OSM nodes)": _r(99.4, 0.0, approaches=32, arrived=2000, generated=2000)}  # fmt: skip
    heavy = {"as it is": _r(161.77, 32.62), "per in-link, nothing banned": _r(161.77, 32.62),
             "U-turns banned": _r(223.29, 67.24, diff=240.0, banned=376), "U-turns banned + angle penalties": _r(149.7, 24.13, diff=294.0),
             "signals (12 OSM nodes)": _r(172.9, 39.59, diff=96.3, approaches=32)}  # fmt: skip
    entry = {**STAMP, "duo_interval_s": 300.0, "signal_nodes": 12}
    return {"cases": {"2000": {**entry, "vehicles": 2000.0, "load_1min_before": 1.5, "load_1min_after": 2.5, "runs": light},
                      "3000": {**entry, "date": "2026-12-05 05:50 UTC", "vehicles": 3000.0, "load_1min_before": 2.5, "load_1min_after": 3.25,
                               "runs": heavy}}}  # fmt: skip


def _duo_time() -> dict:
    def run(arrived: float, generated: float, trip: float | None) -> dict:
        return {"generated_veh": generated, "arrived_veh": arrived, "mean_trip_time_s": trip, "total_delay_veh_h": 1.0, "wall_s": 10.0}

    entry = {**STAMP, "duo_interval_s": 300.0, "duration_s": 7200.0, "load_1min_before": 1.0, "load_1min_after": 1.25}
    return {"cases": {"2000": {**entry, "vehicles": 2000.0, "runs": {t: run(2000, 2000, 99.43) for t in ("instantaneous", "experienced", "discharge")}},
                      "3000": {**entry, "vehicles": 3000.0, "runs": {"instantaneous": run(1620.02, 3000, None), "experienced": run(3000, 3000, 161.77),
                                                                     "discharge": run(3000, 3000, 163.43)}}}}  # fmt: skip


def _ties(ratio: float = 0.536, delay: float = -7e-9) -> dict:
    return {**STAMP, "load_1min_before": 6.27, "load_1min_after": 6.25,
            "rows": {td.TIED_ROW: {"mean_trip_time_s": 681.818, "total_delay_veh_h": delay, "max_inflow_over_capacity": ratio}}}  # fmt: skip


def test_turns_signals_phrases():
    data = _turns()
    r = uf.RENDERERS
    assert r["traffic_stgilles_turns_signals.same"][1](data) == "give exactly the per-node flows (max difference 0 vehicles) at 2,000 and 3,000 vehicles per hour"
    assert td.turns_signals_light(data) == (
        "At 2,000: banning U-turns (376 movements) changes nothing (no route used one), U-turn ban + the default angle penalties "
        "(553 penalised turns) mean trip 99.4 -> 101.2 s, the 12 signals (32 approaches at `s g`) change nothing (no approach above `s g`).")
    assert td.turns_signals_base(data) == "At 3,000 (mean trip 161.8 s, delay 32.6 veh h as it is)"
    assert [r[f"traffic_stgilles_turns_signals.{v}"][1](data) for v in ("uturns", "angles", "signals")] == [
        "223.3 s / 67.2 veh h", "149.7 s / 24.1 veh h", "172.9 s / 39.6 veh h"]
    assert td.turns_signals_arrive(data) == "every vehicle arrives in all runs"
    assert td.turns_signals_measured(data) == ("measured by `python benchmarks/traffic_stgilles_turns_signals_p15t.py`: 2026-12-05 05:49 UTC "
                                               "to 2026-12-05 05:50 UTC, commit abc1234, 50 s of runs, 1-minute load average 1.50–3.25")  # fmt: skip


def test_turns_signals_phrases_follow_the_figures():
    data = _turns()
    light = data["cases"]["2000"]["runs"]
    light["U-turns banned"].update(max_cum_in_diff_veh=12.0, mean_trip_time_s=100.0)
    light["signals (12 OSM nodes)"].update(max_cum_in_diff_veh=3.0, mean_trip_time_s=104.0)
    text = td.turns_signals_light(data)
    assert "banning U-turns (376 movements) mean trip 99.4 -> 100.0 s" in text and "(32 approaches at `s g`) mean trip 99.4 -> 104.0 s" in text
    data["cases"]["3000"]["runs"]["per in-link, nothing banned"]["max_cum_in_diff_veh"] = 0.5
    assert td.turns_signals_same(data) == "differ from the per-node flows by up to 0.5 vehicles at 2,000 and 3,000 vehicles per hour"
    data["cases"]["3000"]["runs"]["U-turns banned"]["arrived_veh"] = 2500.0
    assert td.turns_signals_arrive(data) == "not every vehicle arrives: U-turns banned at 3,000 2,500 of 3,000"


def test_duo_time_and_tied_phrases():
    data = _duo_time()
    assert td.duo_time_gridlock(data) == "1,620 of 3,000 arrive in 2 h, all 3,000 with the experienced time; at 2,000 vehicles both deliver all, 99.4 s"
    assert td.duo_time_discharge(data) == "all arrive (163.4 s, 161.8 s with the experienced time)"
    assert td.duo_time_measured(data).endswith("commit abc1234, 60 s of runs, 1-minute load average 1.00–1.25")
    data["cases"]["2000"]["runs"]["instantaneous"].update(arrived_veh=1900.0, mean_trip_time_s=None)
    data["cases"]["3000"]["runs"]["discharge"].update(arrived_veh=2990.0, mean_trip_time_s=None)
    assert td.duo_time_gridlock(data).endswith("at 2,000 vehicles 1,900 of 2,000 arrive (not all arrive), all 2,000 with the experienced time (99.4 s)")
    assert td.duo_time_discharge(data) == "2,990 of 3,000 arrive (not all arrive, 161.8 s with the experienced time)"
    assert td.grid11_tied(_ties()) == "keeps every link below capacity (largest one-step inflow 0.54 of it) and every trip at free flow (681.8 s)"
    assert td.grid11_tied(_ties(ratio=1.0001, delay=12.3)) == "brings a link's inflow to 1.00 of its capacity, 12.3 veh-h of delay, mean trip 681.8 s"
    assert td.grid11_tied_measured(_ties()) == ("`python benchmarks/bench_traffic_grid11_ties.py`, 2026-12-05 05:49 UTC, commit abc1234, "
                                                "1-minute load average 6.25–6.27")  # fmt: skip


NEEDS = {"same": "per in-link, nothing banned", "light": "U-turns banned", "base": "as it is", "uturns": "U-turns banned",
         "angles": "U-turns banned + angle penalties", "signals": "signals (12 OSM nodes)", "gridlock": "instantaneous", "discharge": "discharge"}
"""View -> a run it reads (left out: the view refuses with 'no run')."""


@pytest.mark.parametrize("name", [n for n in uf.RENDERERS if n.split(".")[0] in FILES])
def test_the_renderers_refuse_malformed_figures(name, tmp_path):
    file, render, bench = uf.RENDERERS[name]
    with pytest.raises(uf.FiguresError, match="no 'cases'|no case '[23]000'|no row"):
        render({})
    data = {"traffic_stgilles_turns_signals.json": _turns, "traffic_stgilles_duo_time.json": _duo_time, "traffic_grid11_ties.json": _ties}[file]()
    view = name.split(".")[1]
    if view in NEEDS:
        for entry in data["cases"].values():
            del entry["runs"][NEEDS[view]]
        with pytest.raises(uf.FiguresError, match=re.escape(f"vehicles: no run '{td.SIGNALS if view == 'signals' else NEEDS[view]}'")):
            render(data)
        return
    if "rows" in data:  # the grid11 ties: a figure left out
        del data["rows"][td.TIED_ROW]["max_inflow_over_capacity"], data["load_1min_after"]
    else:  # measured / arrive: a figure of a run left out
        for entry in data["cases"].values():
            del entry["runs"]["as it is" if "as it is" in entry["runs"] else "experienced"]["arrived_veh"], entry["load_1min_after"]
    (tmp_path / file).write_text(json.dumps(data))
    with pytest.raises(uf.FiguresError, match=rf"{file.replace('.', '[.]')}: cannot render block '{name}': KeyError"):
        uf.render_block(name, tmp_path)
    assert (REPO / bench.split("python ")[1]).exists()  # the benchmark named in the 'missing' error


def test_the_docs_blocks_are_the_renderings_of_the_figures_files():
    page = (REPO / "docs" / "traffic.md").read_text(encoding="utf-8")
    found = set()
    for m in uf.BLOCK.finditer(page):
        if m.group("name").split(".")[0] in FILES:
            found.add(m.group("name"))
            assert m.group("body") == uf.render_block(m.group("name")).strip(), m.group("name")
    assert found == {n for n in uf.RENDERERS if n.split(".")[0] in FILES}  # every view is quoted


def test_the_prose_around_the_blocks_holds_for_the_figures():
    """docs/traffic.md words these figures instead of quoting them; those words, checked on the committed files."""
    turns = json.loads((FIGURES / "traffic_stgilles_turns_signals.json").read_text(encoding="utf-8"))["cases"]
    for entry in turns.values():  # "the bench_traffic_dynamic set-up, DUO every 300 s"
        assert entry["duo_interval_s"] == 300.0
    heavy = {name: r for name, r in turns[td.HEAVY]["runs"].items()}
    # "(routes that avoid turns also avoid the turning conflicts at the node model)": the penalties lower the delay
    assert heavy[td.ANGLES]["total_delay_veh_h"] < heavy[td.AS_IS]["total_delay_veh_h"]
    # "These are single runs of seed 0": the run as it is is seed 0 of the give-way study (same set-up), which gives the spread quoted
    seeds = json.loads((FIGURES / "traffic_give_way_seeds.json").read_text(encoding="utf-8"))["cases"]["3000"]
    assert seeds["duo_interval_s"] == 300.0
    assert heavy[td.AS_IS]["total_delay_veh_h"] == pytest.approx(seeds["off"]["total_delay_veh_h"][seeds["seeds"].index(0)], abs=1e-9)
    duo = json.loads((FIGURES / "traffic_stgilles_duo_time.json").read_text(encoding="utf-8"))["cases"]
    inst = duo[td.HEAVY]["runs"]["instantaneous"]  # "gridlocks the Saint-Gilles case at 3,000 vehicles", "so it is an option, not the default"
    assert inst["arrived_veh"] < 0.9 * inst["generated_veh"] and duo[td.HEAVY]["duration_s"] == 7200.0
    # the experienced time of this file is the turns/signals run as it is (same set-up, same seed)
    assert duo[td.HEAVY]["runs"]["experienced"]["mean_trip_time_s"] == pytest.approx(heavy[td.AS_IS]["mean_trip_time_s"], abs=1e-9)
    ties = json.loads((FIGURES / "traffic_grid11_ties.json").read_text(encoding="utf-8"))["rows"]
    # "equal split ... as investigated" (681.8 s) and with today's other defaults: the same free-flow trip
    assert ties[td.TIED_ROW]["mean_trip_time_s"] == pytest.approx(ties["twin LTM, free speeds x (1 + 0 U)"]["mean_trip_time_s"], rel=1e-9)
