"""docs/soil_block_p18.md's measured parts, rendered by scripts/update_figures.py from
benchmarks/figures/soil_block_p18.json (written by ``benchmarks/soil_block_p18_refinement.py``).

Checked: the renderer on hand-made figures (a row of each table, the observed orders, the per-part stamp
line), a missing key is an error naming the key, the file and the script to re-run (nothing written), and
the page quotes the block and agrees with the repository's figures file.
"""

from __future__ import annotations

import copy
import json
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures, without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import soil_block_p18  # noqa: E402 - scripts/ is on the path from here

PAGE = REPO / "docs" / "soil_block_p18.md"
FIGURES = REPO / "benchmarks" / "figures" / "soil_block_p18.json"

STAMP = {"date": "2026-12-06 13:20 UTC", "commit": "abc1234", "load_before": [6.04, 7, 7], "load_after": [6.46, 7, 7], "cpus": 2, "cpu_s": 12.4}
SECTION = {"dx_m": 0.5, "dz_m": 0.0125, "cells": 320, "gain_m3_per_m": 9.017e-4, "infiltration_m3_per_m": 1.425e-2, "cpu_s": 0.031}
DATA = {"case": "test", "parts": {
    "a": {**STAMP, "sorptivity_m_s05": 2.047e-4, "rows": [{"dx_m": 0.005, "ratio_1h": 1.0051, "ratio_24h": 1.0042}]},
    "b": {**STAMP, "widths": [{**SECTION, "gain_m3_per_m": 0.9e-3}, {**SECTION, "dx_m": 0.25, "gain_m3_per_m": 1.3e-3}, {**SECTION, "dx_m": 0.125, "gain_m3_per_m": 1.4e-3}],
          "layers": [{**SECTION, "dx_m": 0.025, "dz_m": 0.1, "cells": 600}]},
    "c": {**STAMP, "scene": "deseal-car-park",
          "block": [{"sub": 1, "dx_m": 5.0, "block_m3": [0.0193, 0.0257], "layout_edge_m": [670.0, 670.0], "section_gain_m3_per_m": 1.11e-4, "cpu_s": 17.1}],
          "edge": [{"dx_m": dx, "dz_m": dx, "gain_m3": [b, w], "edge_length_m": [137.8, 178.1]}
                   for dx, b, w in ((0.1, 0.2047, 0.2656), (0.05, 0.2053, 0.2664), (0.025, 0.2031, 0.2634), (0.0125, 0.2016, 0.2614))]},
    "d": {**STAMP, "seed": 2026, "sample": 9, "soil": "Silt Loam", "theta_s": 0.29, "n": 1.243, "alpha_per_m": 3.09, "ks_m_s": 1.96e-6, "dz_m": 0.1,
          "block_cpu_s": 5.62, "steps": 239, "rejected_steps": 0, "failed_steps": 0, "picard_iterations": 318, "balance_error_rel": 3.7e-12}}}  # fmt: skip


def _page(tmp_path, data: dict):
    return page_and_figures(tmp_path, data, ["soil_block_p18"], soil_block_p18.FILE, inline=False, around=("before\n", "\nafter"))


def test_the_four_parts(tmp_path):
    page, folder = _page(tmp_path, DATA)
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert "S = 0.2047 mm/s^0.5, so `S sqrt(t)` = 12.28 mm after 1 h and 60.17 mm after 24 h." in text
    assert "| 0.5 cm | 1.005 | 1.004 |\n" in text
    assert "| 50 cm | 12.5 mm | 320 | 0.9000 | 14.25 |  | 0.03 |\n" in text
    assert "| 12.5 cm | 12.5 mm | 320 | 1.4000 | 14.25 | 2.00 | 0.03 |\n" in text  # log2((1.3 - 0.9) / (1.4 - 1.3))
    assert "## C. The Saint-Gilles car park block (deseal-car-park, central soil)" in text
    assert "| 5 m | 0.0193 / 0.0257 | 670.0 / 670.0 | 0.0744 / 0.0744 | 17.1 |\n" in text
    assert "| 2.5 cm x 2.5 cm | 0.2031 | 0.2634 | +0.0603 | n/a (sign change) / n/a (sign change) | 137.8 / 178.1 |\n" in text
    assert "| 1.25 cm x 1.25 cm | 0.2016 | 0.2614 | +0.0598 | 0.55 / 0.68 | 137.8 / 178.1 |\n" in text
    assert "the baseline moves 0.7%, the what-if 0.8% and the change 0.8%" in text
    assert ("Seed 2026, sample 9: Silt Loam with theta_s 0.290, n 1.243, alpha 3.09 1/m, Ks 1.96e-06 m/s. Its what-if block at 1 m x 1 m x 10 cm "
            "through the day (25 hourly runs and the dry twin): 5.6 s CPU, 239 steps, 0 rejected, 0 accepted unconverged, 318 Picard iterations; "
            "balance error 3.7e-12.") in text
    assert text.count("Measured on 2026-12-06 13:20 UTC (commit abc1234, load 6.0-6.5 on 2 cores): CPU 12 s.") == 4
    assert "old" not in text


def test_orders_need_three_values_and_name_a_sign_change():
    assert soil_block_p18.orders([1.0, 2.0, 2.5, 2.75]) == ["", "", "1.00", "1.00"]
    assert soil_block_p18.orders([1.0, 2.0, 1.5]) == ["", "", "n/a (sign change)"]


@pytest.mark.parametrize(("drop", "message"), [
    (("parts", "c"), "no 'parts.c' in the figures"),
    (("parts", "a", "sorptivity_m_s05"), "no 'sorptivity_m_s05' in the figures"),
    (("parts", "d", "picard_iterations"), "no 'picard_iterations' in the figures"),
    (("parts", "b", "load_after"), "no 'load_after' in the figures"),
])  # fmt: skip
def test_a_missing_figure_names_it_the_file_and_the_script(tmp_path, drop, message):
    page, folder = _page(tmp_path, without(DATA, drop))
    assert_refused(uf, page, folder, "soil_block_p18.json", "soil_block_p18", message, "python benchmarks/soil_block_p18_refinement.py")


def test_a_figure_of_a_part_changes_the_page(tmp_path):
    data = copy.deepcopy(DATA)
    data["parts"]["d"]["steps"] = 240
    page, folder = _page(tmp_path, data)
    uf.update([page], figures_dir=folder)
    assert "240 steps" in page.read_text(encoding="utf-8")


def test_the_page_quotes_the_block_and_agrees_with_the_figures_file():
    text = PAGE.read_text(encoding="utf-8")
    assert "<!-- figures:soil_block_p18 -->" in text
    assert sorted(json.loads(FIGURES.read_text(encoding="utf-8"))["parts"]) == ["a", "b", "c", "d"]
    changed, _ = uf.update([PAGE], check=True)
    assert changed == [], "docs/soil_block_p18.md disagrees with benchmarks/figures/soil_block_p18.json: run python scripts/update_figures.py docs/soil_block_p18.md"
