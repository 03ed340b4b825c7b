"""The README's soil-kernel row, rendered by scripts/update_figures.py from benchmarks/figures/soil_kernel.json
(benchmarks/bench_soil.py's Celia per-column test), not typed.

Checked: the view on hand-made figures (CPU first, the target met or not), a missing key is an error naming the
key, the file and the benchmark to re-run (nothing written), and the README quotes the view.
"""

from __future__ import annotations

import copy
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import assert_refused, page_and_figures, without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import soil_kernel  # noqa: E402 - scripts/ is on the path from here

DATA = {"cases": {"celia_dz_1cm": {"date": "2026-12-06 10:08 UTC", "commit": "abc1234", "load_before": [16.1, 1, 1], "load_after": [17.26, 1, 1],
                                   "cpus": 2, "batch_columns": 200, "per_column_wall_s": 0.0052, "per_column_cpu_s": 0.00139,
                                   "hydrus_s_per_column": 0.02}}}  # fmt: skip


def test_the_readme_cell(tmp_path):
    page, folder = page_and_figures(tmp_path, DATA, ["soil_kernel.readme"], "soil_kernel.json", inline=True, around=("| soil | ", " |"))
    uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == (
        "| soil | <!-- figures:soil_kernel.readme -->1.39 ms of CPU per column at dz 1 cm, one thread: 14.4× HYDRUS-1D's 0.02 s "
        "(target ≥ 10×, met); 5.20 ms wall, best of 3 batches of 200 (3.8×; load 16.1-17.3); measured 2026-12-06 10:08 UTC at "
        "commit abc1234<!-- /figures:soil_kernel.readme --> |\n")


def test_a_missed_target_is_said():
    slow = copy.deepcopy(DATA)
    slow["cases"]["celia_dz_1cm"]["per_column_cpu_s"] = 0.0025
    assert "8.0× HYDRUS-1D's 0.02 s (target ≥ 10×, not met)" in soil_kernel.readme(slow)


@pytest.mark.parametrize(("drop", "message"), [(("cases", "celia_dz_1cm"), "no 'cases.celia_dz_1cm' in the figures"),
                                               (("cases", "celia_dz_1cm", "per_column_cpu_s"), "no 'per_column_cpu_s' in the figures")])
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_benchmark(tmp_path, drop, message):
    page, folder = page_and_figures(tmp_path, without(DATA, drop), ["soil_kernel.readme"], "soil_kernel.json", inline=True)
    assert_refused(uf, page, folder, "soil_kernel.json", "soil_kernel.readme", message,
                   "pytest benchmarks/bench_soil.py --benchmark-only -s -p no:cacheprovider -k 'celia and 0.01'")


def test_the_readme_quotes_the_view():
    assert "<!-- figures:soil_kernel.readme -->" in (REPO / "README.md").read_text(encoding="utf-8")
