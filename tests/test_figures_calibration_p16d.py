"""The default run's calibration figures of docs/calibration.md (energy bands with the priors alone against
the calibrated ones, which bands narrow, the cost of the priors-alone Monte Carlo), rendered by
scripts/update_figures.py from benchmarks/figures/default_run.json (benchmarks/bench_default_run.py), not typed.

Checked: each renderer on hand-made figures (both wordings where a figure decides the words), the
refusal of missing figures; the benchmark's ``uncalibrated`` read from a hand-made ``kpis.csv``; the
blocks of docs/calibration.md are the renderings of the committed file and every view is quoted.
"""

from __future__ import annotations

import sys

import pytest

from tests.cli_harness import REPO
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import calibration as cal  # noqa: E402 - scripts/ is on the path from here

bench = load_script("benchmarks/bench_default_run.py")

VIEWS = [n for n, (_, render, _) in uf.RENDERERS.items() if n.startswith("calibration_default_run.")]

# KPI -> (baseline band, delta band, baseline median), priors alone and calibrated
PRIOR = {"heating_need_mwh": ((197000.0, 302000.0), (-39300.0, -26600.0), 250000.0),
         "final_energy_mwh": ((241000.0, 371000.0), (-45400.0, -30500.0), 300000.0),
         "primary_energy_mwh": ((246000.0, 386000.0), (-61600.0, -46700.0), 310000.0),
         "co2_t": ((50600.0, 81400.0), (-10900.0, -7440.0), 65000.0),
         "energy_cost_keur_yr": ((25100.0, 39900.0), (-7100.0, -5330.0), 32000.0),
         "floor_area_class_d_or_worse_pct": ((94.6, 99.6), (-24.6, -19.4), 97.31)}  # fmt: skip
CALIBRATED = {"heating_need_mwh": ((147000.0, 229000.0), (-27400.0, -18000.0), 180000.0),
              "final_energy_mwh": ((184000.0, 282000.0), (-31200.0, -20500.0), 230000.0),
              "primary_energy_mwh": ((189000.0, 291000.0), (-48600.0, -37000.0), 238000.0),
              "co2_t": ((39400.0, 60900.0), (-7800.0, -5460.0), 48000.0),
              "energy_cost_keur_yr": ((19200.0, 30800.0), (-5730.0, -4350.0), 25000.0),
              "floor_area_class_d_or_worse_pct": ((83.3, 89.9), (-23.0, -20.3), 86.54)}  # fmt: skip


def _row(bands: tuple) -> dict:
    (b_lo, b_hi), (d_lo, d_hi), p50 = bands
    return {"baseline": p50, "delta": (d_lo + d_hi) / 2, "baseline_p_lo": b_lo, "baseline_p_hi": b_hi, "baseline_p50": p50,
            "delta_p_lo": d_lo, "delta_p_hi": d_hi}  # fmt: skip


def _figures() -> dict:
    """A hand-made warm entry of default_run.json: the renovation wave's bands, calibrated and with the priors alone."""
    timings = {"baseline_scene": 1.0, "stock_samples": 0.9, "engine:energy:baseline": 0.7, "samples:energy:baseline": 32.1,
               "samples:energy:renovation-wave": 5.2, "samples:traffic:paired": 29.4, "uncalibrated:energy": 16.0}  # fmt: skip
    return {"date": "2026-12-05 12:40 UTC", "commit": "abc1234", "cpus": 2, "command": "NUMBA_CACHE_DIR=<dir> python benchmarks/bench_default_run.py",
            "numba_cache": "warm", "wall_s": 105.0, "cpu_s": 151.7, "load_before": [2.17, 1.6, 2.0], "load_after": [1.71, 1.6, 2.0],
            "seed": 2026, "samples": 100, "timings_s": timings,
            "whatifs": {"renovation-wave": {k: _row(v) for k, v in CALIBRATED.items()}, "low-traffic-parvis": {}},
            "uncalibrated": {"renovation-wave": {k: _row(v) for k, v in PRIOR.items()}}}  # fmt: skip


def test_the_bands_table():
    table = cal.bands_table(_figures())
    assert table.startswith("\n| KPI |") and table.endswith(" |\n")
    # widths: heating 105,000 -> 82,000 (-21.9 %), 12,700 -> 9,400 (-26.0 %); the class share's baseline 5.0 -> 6.6 (+32 %)
    assert table.strip().splitlines() == [
        "| KPI | baseline, priors alone | baseline, calibrated | width | delta, priors alone | delta, calibrated | width |",
        "|---|---|---|---|---|---|---|",
        "| heating need, MWh | 197,000-302,000 | 147,000-229,000 | −22 % | −39,300 to −26,600 | −27,400 to −18,000 | −26 % |",
        "| final energy, MWh | 241,000-371,000 | 184,000-282,000 | −25 % | −45,400 to −30,500 | −31,200 to −20,500 | −28 % |",
        "| primary energy, MWh | 246,000-386,000 | 189,000-291,000 | −27 % | −61,600 to −46,700 | −48,600 to −37,000 | −22 % |",
        "| CO2, t | 50,600-81,400 | 39,400-60,900 | −30 % | −10,900 to −7,440 | −7,800 to −5,460 | −32 % |",
        "| energy cost, kEUR/year | 25,100-39,900 | 19,200-30,800 | −22 % | −7,100 to −5,330 | −5,730 to −4,350 | −22 % |",
        "| floor area in EPB class D or worse, % | 94.6-99.6 | 83.3-89.9 | **+32 %** | −24.6 to −19.4 | −23.0 to −20.3 | −48 % |"]


def test_the_rounding_keeps_three_significant_digits():
    assert [cal._sig3(x) for x in (197412.0, -7444.9, 94.649, 0.012345, 1234567.0, 0.0)] == ["197,000", "−7,440", "94.6", "0.0123", "1,230,000", "0"]


def test_the_widths_sentence_follows_the_figures():
    data = _figures()
    assert cal.widths(data) == ("Every band but one narrows (by 22 % to 48 %): the baseline's floor area in EPB class D or worse "
                                "widens by 32 % (5.00 -> 6.60 points); its median moves from 97.3 % with the priors alone to 86.5 % calibrated.")  # fmt: skip
    data["whatifs"]["renovation-wave"]["floor_area_class_d_or_worse_pct"]["baseline_p_lo"] = 85.0  # 5.0 -> 4.9 points
    assert cal.widths(data) == "Every band narrows (by 2 % to 48 %)."
    assert "**" not in cal.bands_table(data) and "| −2 % |" in cal.bands_table(data)
    for k in ("heating_need_mwh", "co2_t"):
        data["uncalibrated"]["renovation-wave"][k]["delta_p_hi"] = data["uncalibrated"]["renovation-wave"][k]["delta_p_lo"]  # no width before
    assert cal.bands_table(data).count("| – |") == 2
    assert cal.widths(data) == "Every band narrows (by 2 % to 48 %)."  # a band without a width before is left out


def test_the_cost_sentence():
    assert cal.cost(_figures()) == (
        "`twin run` of the default scenario (100 samples, seed 2026) took 1 min 45 s wall and 152 s of CPU, of which the priors-alone "
        "energy Monte Carlo (`uncalibrated:energy` of the run record) took 16.0 s, 15 % of the run's wall, against 32.1 s (baseline), "
        "5.2 s (renovation-wave) for the calibrated energy samples (the run record times its steps in wall seconds; CPU is measured for "
        "the whole run only); measured by `NUMBA_CACHE_DIR=<dir> python benchmarks/bench_default_run.py`, 2026-12-05 12:40 UTC, "
        "commit abc1234, 2 cores, 1-minute load average 1.71–2.17")


def test_the_renderers_refuse_missing_figures():
    data = _figures()
    del data["timings_s"]["uncalibrated:energy"]
    with pytest.raises(uf.FiguresError, match="no 'uncalibrated:energy'"):
        cal.cost(data)
    data = _figures()
    del data["uncalibrated"]
    with pytest.raises(uf.FiguresError, match="no 'uncalibrated' in the figures"):
        cal.bands_table(data)
    data["uncalibrated"] = {}
    with pytest.raises(uf.FiguresError, match="is the run calibrated"):
        cal.widths(data)
    data = _figures()
    del data["whatifs"]["renovation-wave"]["co2_t"]
    with pytest.raises(uf.FiguresError, match="no KPI 'co2_t' of 'renovation-wave'"):
        cal.bands_table(data)
    fns = {"bands": cal.bands_table, "widths": cal.widths, "cost": cal.cost}
    assert sorted(VIEWS) == sorted(f"calibration_default_run.{v}" for v in fns)
    for name in VIEWS:
        render = uf.RENDERERS[name][1]
        assert render({"cases": {"warm": _figures()}}) == fns[name.split(".")[1]](_figures())  # the view renders the warm entry
        with pytest.raises(uf.FiguresError, match="no case 'warm'"):
            render({"cases": {"cold": _figures()}})


def test_the_benchmark_reads_the_uncalibrated_columns(tmp_path):
    head = "whatif,domain,kpi,baseline,delta," + ",".join(f"uncalibrated_{c}" for c in bench.UNCALIBRATED_COLUMNS)
    rows = ["renovation-wave,energy,co2_t,10,-2,12,-3,8,11,15,-4,-3,-2", "renovation-wave,traffic,am_peak_vehicle_km,5,0,,,,,,,,",
            "low-traffic-parvis,energy,co2_t,10,0,12,0,8,11,15,0,0,0", "renovation-wave,energy,investment_keur,0,5,,,,,,,,"]  # fmt: skip
    (tmp_path / "kpis.csv").write_text("\n".join([head, *rows]) + "\n")
    got = bench.uncalibrated_figures(tmp_path)
    assert got == {"renovation-wave": {"co2_t": {"baseline": 12.0, "delta": -3.0, "baseline_p_lo": 8.0, "baseline_p50": 11.0, "baseline_p_hi": 15.0,
                                                 "delta_p_lo": -4.0, "delta_p50": -3.0, "delta_p_hi": -2.0}},
                   "low-traffic-parvis": {"co2_t": {"baseline": 12.0, "delta": 0.0, "baseline_p_lo": 8.0, "baseline_p50": 11.0, "baseline_p_hi": 15.0,
                                                    "delta_p_lo": 0.0, "delta_p50": 0.0, "delta_p_hi": 0.0}}}  # fmt: skip
    (tmp_path / "kpis.csv").write_text("whatif,domain,kpi,baseline,delta\nrenovation-wave,energy,co2_t,10,-2\n")
    assert bench.uncalibrated_figures(tmp_path) == {}  # an uncalibrated run


def test_the_docs_blocks_are_the_renderings_of_the_figures_file():
    page = (REPO / "docs" / "calibration.md").read_text(encoding="utf-8")
    found = set()
    for m in uf.BLOCK.finditer(page):
        if m.group("name").startswith("calibration_default_run."):
            found.add(m.group("name"))
            assert m.group("body").strip() == uf.render_block(m.group("name")).strip(), m.group("name")
    assert found == set(VIEWS) and len(VIEWS) == 3  # every view is quoted


def test_the_prose_around_the_blocks_holds_for_the_figures():
    """docs/calibration.md words some of these figures ("the class share sits against 100 %, which keeps its band narrow"); checked on the committed file."""
    import json

    data = json.loads((REPO / "benchmarks" / "figures" / "default_run.json").read_text(encoding="utf-8"))["cases"]["warm"]
    assert (data["seed"], data["samples"]) == (2026, 100)
    prior = data["uncalibrated"][cal.WHATIF]["floor_area_class_d_or_worse_pct"]
    calibrated = data["whatifs"][cal.WHATIF]["floor_area_class_d_or_worse_pct"]
    assert prior["baseline_p_hi"] > 99.0 and prior["baseline_p50"] > 95.0  # against 100 %
    assert prior["baseline_p_hi"] - prior["baseline_p_lo"] < calibrated["baseline_p_hi"] - calibrated["baseline_p_lo"]  # narrower than calibrated
    assert 80.0 < calibrated["baseline_p50"] < 90.0  # "moves it to the published share (about 85 %)"
