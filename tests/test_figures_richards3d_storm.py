"""docs/soil_3d.md's storm benchmark block, rendered by scripts/update_figures.py from
benchmarks/figures/richards3d_storm.json (written by ``benchmarks/bench_richards3d.py storm``).

Checked: the renderer on hand-made figures, a missing key is an error naming the key, the file and the script
to re-run (nothing written), figures that contradict themselves are an error, the page quotes the block and
agrees with the repository's figures file, and the page's typed description of the block is the case rendered.
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
from figure_renderers import soil_richards3d  # noqa: E402 - scripts/ is on the path from here

PAGE = REPO / "docs" / "soil_3d.md"
FIGURES = REPO / "benchmarks" / "figures" / "richards3d_storm.json"

ENTRY = {"date": "2026-12-06 13:10 UTC", "commit": "abc1234", "load_before": [7.96, 7.6, 6.9], "load_after": [8.42, 7.8, 7.0], "cpus": 2,
         "versions": {"python": "3.11.9", "numpy": "2.0.0", "numba": "0.60.0"}, "n": 200, "nz": 60, "cells": 2_400_000, "square_m": 80.0,
         "wall_s": 61.26, "cpu_s": 35.04, "peak_rss_mb": 701.4, "threads": "1", "steps": 31, "picard_iterations": 81, "cg_iterations": 486,
         "rejected_steps": 0, "rain_m3": 192.0, "runoff_m3": 55.1012, "infiltration_m3": 136.8988, "drainage_m3": 0.56541,
         "balance_error_rel": 8.93e-12, "sealed_strip_gain_m3": 0.00912, "theta_gain_edge": 0.000312}  # fmt: skip
DATA = {"case": "test", "cases": {"n200": ENTRY, "n100": {**ENTRY, "n": 100, "cells": 600_000, "wall_s": 5.0}}}


def _page(tmp_path, data: dict):
    return page_and_figures(tmp_path, data, ["richards3d_storm"], soil_richards3d.FILE, inline=False, around=("before\n", "\nafter"))


def test_the_storm_block_lines(tmp_path):
    page, folder = _page(tmp_path, DATA)
    uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == (
        "before\n<!-- figures:richards3d_storm -->\n\n```text\n"
        "storm block 200 x 200 x 60 = 2,400,000 cells, square 80 m: wall 61.3 s, CPU 35.0 s, peak RSS 701 MB, TWIN_NUMBA_THREADS=1, "
        "load 8.0-8.4 on 2 cores (2026-12-06 13:10 UTC, commit abc1234)\n"
        "  steps 31, Picard 81, CG 486, rejected 0\n"
        "  rain 192.00 m3, runoff 55.10 m3, infiltration 136.90 m3, drainage 0.5654 m3, balance error 8.9e-12\n"
        "  water gained under the sealed strip left of the square (beyond the far edge column): 0.009 m3; "
        "theta gain 1 m outside the square at 5-10 cm: 0.0003\n"
        "```\n\n<!-- /figures:richards3d_storm -->\nafter\n")


@pytest.mark.parametrize(("drop", "message"), [
    (("cases", "n200"), "no 'cases.n200' in the figures"),
    (("cases", "n200", "cg_iterations"), "no 'cg_iterations' in the figures"),
    (("cases", "n200", "load_after"), "no 'load_after' in the figures"),
])  # fmt: skip
def test_a_missing_storm_figure_names_it_the_file_and_the_benchmark(tmp_path, drop, message):
    page, folder = _page(tmp_path, without(DATA, drop))
    assert_refused(uf, page, folder, "richards3d_storm.json", "richards3d_storm", message, "TWIN_NUMBA_THREADS=1 python benchmarks/bench_richards3d.py storm")


def test_a_cell_count_that_is_not_the_grid_is_an_error(tmp_path):
    page, folder = _page(tmp_path, {"case": "test", "cases": {"n200": {**ENTRY, "cells": 2_000_000}}})
    with pytest.raises(uf.FiguresError, match=re.escape("'cells' 2000000 is not n x n x nz = 200 x 200 x 60")):
        uf.update([page], figures_dir=folder)
    assert "old" in page.read_text(encoding="utf-8")


def test_the_page_quotes_the_storm_block_and_agrees_with_the_figures_file():
    text = PAGE.read_text(encoding="utf-8")
    assert "<!-- figures:richards3d_storm -->" in text
    assert "bench:begin" not in text, "the storm block is no longer written by the benchmark itself"
    changed, _ = uf.update([PAGE], check=True)
    assert changed == [], "docs/soil_3d.md disagrees with benchmarks/figures/richards3d_storm.json: run python scripts/update_figures.py docs/soil_3d.md"


def test_the_page_describes_the_block_it_renders():
    """The typed description above the block (size, cells, square) is that of the case rendered."""
    entry = json.loads(FIGURES.read_text(encoding="utf-8"))["cases"][soil_richards3d.CASE]
    n, nz, square = int(entry["n"]), int(entry["nz"]), float(entry["square_m"])
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    assert (f"the issue's block, {n} m x {n} m x {nz * 0.05:g} m at 1 m x 1 m x 5 cm ({entry['cells'] / 1e6:g} million cells), "
            f"an {square:g} m x {square:g} m de-sealed square") in text
