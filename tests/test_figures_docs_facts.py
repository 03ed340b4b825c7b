"""Renderers added so that the docs say only what the measured files say: the Brussels PBF's scene counts
(docs/ingest_gis.md), the SiouxFalls OD-estimation experiment (docs/traffic.md) and the Saint-Gilles block bands
(docs/soil_3d.md).

Checked: each renderer on hand-made figures, a missing key is an error naming the key, the file and the script to
re-run (nothing written), the pages quote every view, and each page agrees with the repository's figures file
(what ``scripts/update_figures.py --check`` checks, here per page).
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures, without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import (  # noqa: E402 - scripts/ is on the path from here
    ingest_gis_counts,
    soil_block_bands,
    traffic_grid11_ties_table,
    traffic_od_estimation,
)

STAMP = {"date": "2026-12-06 09:49 UTC", "commit": "abc1234", "load_before": [17.2, 1, 1], "load_after": [19.3, 1, 1], "cpus": 2}
GIS = {"case": "test", "cases": {"brussels_pbf": {**STAMP, "buildings": 51060, "links": 79320}}}


def _page(tmp_path, data: dict, names: list[str], file: str, *, inline: bool = True):
    return page_and_figures(tmp_path, data, names, file, inline=inline)


# ----------------------------------------------------------------------------- docs/ingest_gis.md
def test_the_brussels_counts(tmp_path):
    page, folder = _page(tmp_path, GIS, ["ingest_gis.brussels_counts"], "ingest_gis.json")
    uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == (
        "<!-- figures:ingest_gis.brussels_counts -->51,060 buildings and 79,320 links (`pytest benchmarks/bench_ingest_gis.py -s`, "
        "2026-12-06 09:49 UTC, commit abc1234)<!-- /figures:ingest_gis.brussels_counts -->\n")


def test_a_missing_brussels_count_names_it_the_file_and_the_benchmark(tmp_path):
    page, folder = _page(tmp_path, without(GIS, ("cases", "brussels_pbf", "links")), ["ingest_gis.brussels_counts"], "ingest_gis.json")
    assert_refused(uf, page, folder, "ingest_gis.json", "ingest_gis.brussels_counts", "no 'links' in the figures", "pytest benchmarks/bench_ingest_gis.py -s")


# ----------------------------------------------------------------------------- docs/traffic.md
COLUMNS = ["true", "prior", "prior_linear", "blup_linear", "blup", "twin", "twin_structured"]
OD = {
    "date": "2026-12-06 12:35 UTC", "commit": "abc1234", "load_before": [1.4, 1, 1], "load_after": [12.3, 1, 1], "wall_s": 310.0,
    "links": 76, "counted_links": 23, "held_back_links": 53, "flow_min": 4495.2, "flow_max": 23192.4, "flow_median": 9962.8,
    "seeds": [0, 1], "target": 0.85, "columns": COLUMNS,
    "setups": [
        {"label": "cells 25 % (unbiased)", "count_noise": 0.02, "zone_spread": 0.0, "cell_spread": 0.25, "twin_method": "gls",
         "per_seed": [[0.98, 0.6, 0.5, 0.6, 0.70, 0.66, 0.64], [0.96, 0.62, 0.5, 0.6, 0.86, 0.70, 0.68]],
         "mean": [0.97, 0.61, 0.5, 0.6, 0.78, 0.68, 0.66]},
        {"label": "cells 25 % (unbiased), noise 5 %", "count_noise": 0.05, "zone_spread": 0.0, "cell_spread": 0.25, "twin_method": "gls",
         "per_seed": [[0.66, 0.5, 0.4, 0.5, 0.55, 0.52, 0.50], [0.64, 0.5, 0.4, 0.5, 0.53, 0.50, 0.52]],
         "mean": [0.65, 0.5, 0.4, 0.5, 0.54, 0.51, 0.51]},
        {"label": "0.9 x true, zones 5 %, cells 5 %", "count_noise": 0.02, "zone_spread": 0.05, "cell_spread": 0.05, "twin_method": "zonal",
         "per_seed": [[1.0, 0.1, 0.1, 0.7, 0.91, 0.87, 0.74], [0.98, 0.12, 0.1, 0.7, 0.71, 0.61, 0.74]],
         "mean": [0.99, 0.11, 0.1, 0.7, 0.81, 0.73, 0.74]},
    ],
}  # fmt: skip


def test_the_od_estimation_table_and_lines(tmp_path):
    names = ["od_estimation_ceiling_siouxfalls.setup", "od_estimation_ceiling_siouxfalls.summary"]
    page, folder = _page(tmp_path, OD, names, "od_estimation_ceiling_siouxfalls.json")
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert ("23 of the 76 links counted, the 53 others held back; 2 seeds (0-1); measured 2026-12-06 12:35 UTC at commit abc1234 by "
            "`python benchmarks/od_estimation_ceiling_siouxfalls.py`, 5 min wall, load 1.4-12.3 on 2 cores") in text
    assert ("the oracle reaches 0.85 on 2 of 6 seed x set-up runs, twin on 1 and `structured` on 0; twin's mean is 0.03 to 0.10 below the "
            "oracle's per set-up. SiouxFalls links carry 4,495-23,192 veh/h (median 9,963); with 5 % count noise the true matrix itself "
            "passes 0.65 of the held-back links") in text
    table = traffic_od_estimation.table(OD)
    assert "| cells 25 % (unbiased) | 5 % | 0.65 | 0.50 | 0.54 (0.53-0.55) | 0.51 (`gls`, prior CV 0.25) | 0.51 |" in table
    assert "| 0.9 x true, zones 5 %, cells 5 % | 2 % | 0.99 | 0.11 | 0.81 (0.71-0.91) | 0.73 (`zonal`, zone CV 0.05) | 0.74 |" in table


@pytest.mark.parametrize(("block", "drop", "message"), [
    ("od_estimation_ceiling_siouxfalls.table", ("setups",), "no 'setups' in the figures"),
    ("od_estimation_ceiling_siouxfalls.summary", ("target",), "no 'target' in the figures"),
    ("od_estimation_ceiling_siouxfalls.setup", ("wall_s",), "no 'wall_s' in the figures"),
])  # fmt: skip
def test_a_missing_od_figure_names_it_the_file_and_the_script(tmp_path, block, drop, message):
    page, folder = _page(tmp_path, without(OD, drop), [block], "od_estimation_ceiling_siouxfalls.json", inline=not block.endswith("table"))
    assert_refused(uf, page, folder, "od_estimation_ceiling_siouxfalls.json", block, message, "python benchmarks/od_estimation_ceiling_siouxfalls.py")


def test_a_renamed_column_is_an_error():
    data = {**OD, "columns": [c if c != "blup" else "oracle" for c in COLUMNS]}
    with pytest.raises(uf.FiguresError, match="no column 'blup' in 'columns'"):
        traffic_od_estimation.summary(data)


TIES = {
    "date": "2026-12-05 05:52 UTC", "commit": "abc1234", "load_1min_before": 6.27, "load_1min_after": 6.26,
    "rows": {
        "twin LTM, free speeds x (1 + 0 U)": {"mean_trip_time_s": 681.818, "total_delay_veh_h": -7e-9, "vehicle_km": 527999.99,
                                              "links_above_critical_density": 0},
        "twin LTM, free speeds x (1 + 0.001 U)": {"mean_trip_time_s": 805.66, "total_delay_veh_h": 1113.7, "vehicle_km": 543826.7,
                                                  "links_above_critical_density": 159},
        "twin LTM, duo_noise 0, other options default": {"mean_trip_time_s": 1.0, "total_delay_veh_h": 0.0, "vehicle_km": 1.0,
                                                         "links_above_critical_density": 0},
    },
}  # fmt: skip


def test_the_grid11_ties_table_shows_the_perturbation_rows_only(tmp_path):
    page, folder = _page(tmp_path, TIES, ["traffic_grid11_ties_table"], "traffic_grid11_ties.json", inline=False)
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert "| twin LTM, grid11 as given | 681.8 s (free flow) | 528,000 | 0 |\n| twin, free speeds x (1 + 0.001 U(−1, 1)) | 805.7 s | 543,827 | 159 |\n" in text
    assert "duo_noise" not in text
    assert "Measured 2026-12-05 05:52 UTC at commit abc1234 by `python benchmarks/bench_traffic_grid11_ties.py` (load 6.3 on 2 cores)." in text


def test_the_grid11_ties_table_without_its_rows_is_an_error(tmp_path):
    data = {**TIES, "rows": {"twin LTM, duo_noise 0, other options default": TIES["rows"]["twin LTM, duo_noise 0, other options default"]}}
    page, folder = _page(tmp_path, data, ["traffic_grid11_ties_table"], "traffic_grid11_ties.json", inline=False)
    with pytest.raises(uf.FiguresError, match=re.escape("no row starting 'twin LTM, free speeds x (1 + ' in 'rows' "
                                                        "(re-run python benchmarks/bench_traffic_grid11_ties.py)")):
        uf.update([page], figures_dir=folder)


# ----------------------------------------------------------------------------- docs/soil_3d.md
KPIS = ("block_sealed_rain_gain_m3", "block_sealed_rain_gain_mm", "block_recharge_m3", "block_infiltration_m3",
        "block_sealed_rain_gain_grid_m3", "block_sealed_edge_m")


def _kpis(*values: float) -> dict[str, float]:
    return dict(zip(KPIS, values, strict=True))


def _grid(sub: int, dz_m: float, cells: int, cpu_s: float, base: dict, what: dict) -> dict:
    return {"sub": sub, "dz_m": dz_m, "column_m": 5.0 / sub, "cells": cells, "grid_cells_x": 26, "grid_cells_y": 16, "sealed_cells_inner": 112,
            "sealed_area_inner_m2": 2800.0, "wall_s": 56.2, "cpu_s": cpu_s, "peak_rss_mb": 489.4, "load_before": [4.3, 1, 1],
            "load_after": [7.34, 1, 1], "balance_error_rel": 1.6e-12, "baseline": base, "whatif": what}


BANDS = {
    "case": "test",
    "cases": {"deseal-car-park": {
        "date": "2026-12-06 12:35 UTC", "commit": "abc1234", "region_m": [148290.0, 168865.0, 148420.0, 168945.0], "cell_size_m": 5.0,
        "margin_m": 10.0, "storm_mm": 30.0, "storm_hours": 1.0, "hours": 24.0,
        "grids": {
            "sample grid": _grid(2, 0.1, 16640, 9.1, _kpis(0.2, 0.0714, 13.618, 20.0, 0.034, 137.75), _kpis(0.26, 0.0929, 13.619, 50.0, 0.042, 178.1)),
            "fine grid": _grid(4, 0.05, 133120, 13.2, _kpis(0.2, 0.0714, 13.6, 16.0, 0.08, 137.75), _kpis(0.26, 0.0929, 13.6, 40.0, 0.1, 178.1)),
        },
        "samples": {"n": 20, "seed": 2026, "prior_spread": 1.0, "wall_s": 92.0, "cpu_s": 27.3, "load_before": [10.7, 1, 1],
                    "load_after": [12.0, 1, 1], "peak_rss_mb": 544.0, "largest_balance_error_rel": 5.1e-11, "percentiles": [5, 50, 95],
                    "bands": {k: {"baseline": [1.0, 2.0, 3.0], "whatif": [2.0, 3.0, 4.0], "change": [0.5, 1.0, 1.5]} for k in KPIS}},
    }},
}  # fmt: skip


def test_the_block_bands_central_run_says_the_grid_the_scenario_runs(tmp_path):
    page, folder = _page(tmp_path, BANDS, ["soil_block_bands.central", "soil_block_bands.refinement"], "soil_block_bands.json")
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert ("the block: the changed cells and a 10 m margin, 130 m x 80 m (26 x 16 grid cells of 5 m), 2.5 m x 2.5 m x 10 cm (`sub: 2`), "
            "16,640 cells; 112 sealed grid cells off the edge ring (2,800 m2). Central run (`TWIN_NUMBA_THREADS=1 python "
            "benchmarks/bench_soil_block_bands.py`, 2026-12-06 12:35 UTC, commit abc1234, load 4.3-7.3 on 2 cores; ") in text
    assert ("9.1 s of CPU for the pair (56 s wall), peak RSS 489 MB, balance error 1.6e-12; rain water under the sealed cells (edge measure) "
            "0.2 m3 baseline, 0.26 m3 what-if (+0.06 m3, +0.021 mm over their area), the block grid's own figure 0.034 / 0.042 m3; "
            "infiltration 20.0 -> 50.0 m3 (+30.0 m3: the rain water the de-sealing adds under the sealed cells is 0.20% of the infiltration "
            "it adds), recharge 13.618 / 13.619 m3") in text
    assert ("on 1.25 m x 1.25 m x 5 cm (`sub: 4`), 133,120 cells, baseline / what-if (13.2 s of CPU for the pair, load 4.3-7.3): "
            "infiltration 16 / 40 m3 (the scenario's grid: 20 / 50, +25.0% / +25.0%); the block grid's own figure under the sealed cells "
            "0.08 / 0.1 m3 (the scenario's grid: 0.034 / 0.042, −57.5% / −58.0%)") in text


def test_the_block_bands_samples_table(tmp_path):
    page, folder = _page(tmp_path, BANDS, ["soil_block_bands.samples"], "soil_block_bands.json", inline=False)
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert ("20 paired samples (seed 2026, `prior_spread` 1; 27 s of CPU, 92 s wall, load 10.7-12.0; largest balance error 5.1e-11), "
            "2.5 m x 2.5 m x 10 cm (`sub: 2`), 16,640 cells; central (p5 / p50 / p95):") in text
    assert "| infiltration into the block, m3 | 20 (1 / 2 / 3) | 50 (2 / 3 / 4) | +30 (+0.5 / +1 / +1.5) |" in text
    assert text.index("rain water under the sealed cells (edge measure), m3") < text.index("recharge below the block, m3")


@pytest.mark.parametrize(("block", "drop", "message"), [
    ("soil_block_bands.central", ("cases", "deseal-car-park"), "no 'cases.deseal-car-park' in the figures"),
    ("soil_block_bands.refinement", ("cases", "deseal-car-park", "grids", "fine grid"), "no 'grids.fine grid' in the figures"),
    ("soil_block_bands.samples", ("cases", "deseal-car-park", "samples", "bands", "block_recharge_m3"), "no 'bands.block_recharge_m3' in the figures"),
])  # fmt: skip
def test_a_missing_block_bands_figure_names_it_the_file_and_the_benchmark(tmp_path, block, drop, message):
    page, folder = _page(tmp_path, without(BANDS, drop), [block], "soil_block_bands.json", inline=not block.endswith("samples"))
    assert_refused(uf, page, folder, "soil_block_bands.json", block, message, "TWIN_NUMBA_THREADS=1 python benchmarks/bench_soil_block_bands.py")


def test_the_rendered_block_is_the_one_the_scenario_runs():
    """The case and the grid the page renders are those of scenarios/stgilles_deseal_block.yaml (what-if name, sub, dz_m)."""
    import yaml

    scenario = yaml.safe_load((REPO / "scenarios" / "stgilles_deseal_block.yaml").read_text(encoding="utf-8"))
    assert soil_block_bands.CASE in [w["name"] for w in scenario["whatifs"]]
    data = json.loads((REPO / "benchmarks" / "figures" / "soil_block_bands.json").read_text(encoding="utf-8"))
    grid = data["cases"][soil_block_bands.CASE]["grids"]["sample grid"]
    block = scenario["soil"]["block"]
    assert (grid["sub"], grid["dz_m"]) == (block["sub"], block["dz_m"])
    assert grid["column_m"] == scenario["soil"]["cell_size_m"] / block["sub"]
    # the page's typed description of the shipped scenario's grid says the same
    page = (REPO / "docs" / "soil_3d.md").read_text(encoding="utf-8")
    col, cell, dz_cm = grid["column_m"], scenario["soil"]["cell_size_m"], round(100 * block["dz_m"])
    assert f"sets `sub: {block['sub']}` on its\n   {cell:g} m soil grid, so its block runs {col:g} m x {col:g} m x {dz_cm} cm cells" in page
    assert f"The shipped scenario runs {col:g} m columns (`sub: {block['sub']}`)" in page


# ----------------------------------------------------------------------------- the pages
PAGES = {"docs/ingest_gis.md": ingest_gis_counts.BLOCKS, "docs/traffic.md": {**traffic_od_estimation.BLOCKS, **traffic_grid11_ties_table.BLOCKS},
         "docs/soil_3d.md": soil_block_bands.BLOCKS}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_page_quotes_every_view_and_agrees_with_the_figures_file(page):
    path = REPO / page
    text = path.read_text(encoding="utf-8")
    for name in PAGES[page]:
        assert f"<!-- figures:{name} -->" in text, f"{page} does not quote {name}"
    changed, _ = uf.update([path], check=True)
    assert changed == [], f"{page} disagrees with benchmarks/figures/: run python scripts/update_figures.py {page}"
