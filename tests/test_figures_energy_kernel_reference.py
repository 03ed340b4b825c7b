"""The 5R1C kernel's agreement with the plain-Python reference in docs/energy.md and README.md, rendered by
scripts/update_figures.py from benchmarks/figures/energy_kernel_reference.json
(benchmarks/energy_kernel_reference.py), not typed.

Checked: both views on hand-made figures (the README quotes the largest of the four differences), a missing
key is an error naming the key, the file and the script to re-run (nothing written), and the pages quote them.
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
from figure_renderers import energy_kernel_reference as ekr  # noqa: E402 - scripts/ is on the path from here

DATA = {"date": "2026-12-06 10:04 UTC", "commit": "abc1234", "load_before": [20.12, 1, 1], "load_after": [18.5, 1, 1], "cpus": 2,
        "cases": {"plain": {"heating_max_rel_diff": 6.925e-15, "cooling_max_rel_diff": 1.6862e-13},
                  "film": {"heating_max_rel_diff": 1.1e-14, "cooling_max_rel_diff": 3.6e-13}}}  # fmt: skip
STAMP = "measured 2026-12-06 10:04 UTC at commit abc1234 by `python benchmarks/energy_kernel_reference.py`, load 18.5-20.1"


def _page(tmp_path, data: dict, block: str):
    return page_and_figures(tmp_path, data, [block], "energy_kernel_reference.json", inline=True, around=("| x | ", " |"))


def test_the_validation_sentence_names_each_difference(tmp_path):
    page, folder = _page(tmp_path, DATA, "energy_kernel_reference.validation")
    uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == (
        "| x | <!-- figures:energy_kernel_reference.validation -->max relative difference of annual heating 6.9e-15 and cooling 1.7e-13 "
        f"(film correction on: 1.1e-14, 3.6e-13; bound 1e-09; {STAMP})<!-- /figures:energy_kernel_reference.validation --> |\n")


def test_the_readme_quotes_the_largest_difference():
    assert ekr.readme(DATA) == f"max relative difference 3.6e-13 ({STAMP})"
    worse = copy.deepcopy(DATA)
    worse["cases"]["plain"]["heating_max_rel_diff"] = 2.5e-12
    assert ekr.readme(worse).startswith("max relative difference 2.5e-12 (")


@pytest.mark.parametrize(("block", "drop", "message"), [
    ("energy_kernel_reference.validation", ("cases", "film"), "no 'cases.film' in the figures"),
    ("energy_kernel_reference.readme", ("cases", "plain", "cooling_max_rel_diff"), "no 'cases.plain.cooling_max_rel_diff' in the figures"),
    ("energy_kernel_reference.readme", ("load_after",), "no 'load_after' in the figures"),
])  # fmt: skip
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_script(tmp_path, block, drop, message):
    data = without(DATA, drop)
    page, folder = _page(tmp_path, data, block)
    assert_refused(uf, page, folder, "energy_kernel_reference.json", block, message, "python benchmarks/energy_kernel_reference.py")


@pytest.mark.parametrize(("page", "name"), [("docs/energy.md", "energy_kernel_reference.validation"), ("README.md", "energy_kernel_reference.readme")])
def test_the_pages_quote_the_views(page, name):
    assert f"<!-- figures:{name} -->" in (REPO / page).read_text(encoding="utf-8")
