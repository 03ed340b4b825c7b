"""docs/energy.md's stock benchmark bullets and the kernel's per-core speed-up, rendered by
scripts/update_figures.py from benchmarks/figures/energy_stock.json (benchmarks/bench_energy_stock.py)
and energy_kernel.json (benchmarks/bench_energy_kernel.py), not typed.

Checked: each renderer on hand-made figures (the wording the figures decide), a missing key is an error
naming the key, the file and the benchmark to re-run (nothing written), and the page quotes both views.
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
from figure_renderers import energy_stock  # noqa: E402 - scripts/ is on the path from here

STAMP = {"date": "2026-12-06 10:00 UTC", "commit": "abc1234", "load_before": [20.1, 1, 1], "load_after": [22.44, 1, 1], "cpus": 2}
STOCK = {"case": "test", "cases": {
    "stock": {**STAMP, "buildings": 3991, "rounds": 3, "median_wall_s": 18.456, "min_wall_s": 17.2, "median_cpu_s": 5.123,
              "stages_wall_s": {"envelope (typology, facades, party walls)": 1.234, "urban shading (horizon profiles + factors)": 12.5,
                                "drivers (sun, Perez, sky long-wave)": 0.031, "kernel (5R1C, 8760 h)": 0.0612, "accounts": 0.02}},
    "whatif": {**STAMP, "load_before": [22.0, 1, 1], "load_after": [22.04, 1, 1], "buildings": 3991, "rounds": 2,
               "median_wall_s": 20.01, "min_wall_s": 19.5, "median_cpu_s": 6.5}}}  # fmt: skip
KERNEL = {"cases": {k: {"n_buildings": n, "speedup_vs_python": w, "cpu_speedup_vs_python_per_core": c}
                    for k, n, w, c in (("10k", 10_000, 3958.5, 1964.0), ("1k", 1_000, 3076.7, 1482.3), ("100k", 100_000, 4049.1, 2015.2))}}  # fmt: skip


def _page(tmp_path, file: str, data: dict, block: str, *, inline: bool):
    return page_and_figures(tmp_path, data, [block], file, inline=inline)


def test_the_stock_bullets_render_wall_cpu_stages_and_load(tmp_path):
    page, folder = _page(tmp_path, "energy_stock.json", STOCK, "energy_stock.bench", inline=False)
    changed, _ = uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert changed == [page] and "old" not in text
    assert "Measured 2026-12-06 10:00 UTC at commit abc1234 on the shared 2-core machine (`pytest benchmarks/bench_energy_stock.py -s`):" in text
    assert "* Saint-Gilles (3,991 buildings) end to end" in text
    assert ("**median 18.46 s** wall over 3 rounds (min 17.20 s), 5.12 s of CPU, load 20.1-22.4; of one run (wall): kernel 0.06 s; "
            "envelope (typology, facades, party walls) 1.23 s; urban shading (horizon profiles + factors) 12.50 s; drivers (sun, Perez, "
            "sky long-wave) 0.03 s; accounts 0.02 s;") in text
    assert "(`what_if`, shared preparation): median 20.01 s wall, 6.50 s of CPU, load 22.0." in text
    assert uf.update([page], figures_dir=folder, check=True)[0] == []


def test_the_per_core_phrase_follows_the_figures():
    assert energy_stock.kernel_per_core(KERNEL) == (
        "Speed-up per core (CPU time) is 1,482-2,015x (1k, 10k, 100k buildings); the 2000x target is met in wall-clock time on the 2-core "
        "machine at all sizes, and per core only at 100k (`pytest benchmarks/bench_energy_kernel.py --benchmark-only -s`, the table under Benchmarks)")
    fast = copy.deepcopy(KERNEL)
    for case in fast["cases"].values():
        case["cpu_speedup_vs_python_per_core"] += 600
    assert "and per core at all sizes" in energy_stock.kernel_per_core(fast)
    slow = copy.deepcopy(KERNEL)
    slow["cases"]["1k"]["speedup_vs_python"] = 1500.0
    slow["cases"]["100k"]["cpu_speedup_vs_python_per_core"] = 1999.0
    text = energy_stock.kernel_per_core(slow)
    assert "met in wall-clock time at 10k, 100k" in text and "and per core at no size" in text


@pytest.mark.parametrize(("file", "block", "drop", "message", "bench"), [
    ("energy_stock.json", "energy_stock.bench", ("cases", "whatif"), "no 'cases.whatif' in the figures", "bench_energy_stock.py -s"),
    ("energy_stock.json", "energy_stock.bench", ("cases", "stock", "stages_wall_s", "kernel (5R1C, 8760 h)"),
     "no 'stages_wall_s.kernel (5R1C, 8760 h)' in the figures", "bench_energy_stock.py -s"),
    ("energy_kernel.json", "energy_kernel.per_core", ("cases", "10k", "cpu_speedup_vs_python_per_core"),
     "no '10k.cpu_speedup_vs_python_per_core' in the figures", "bench_energy_kernel.py --benchmark-only -s"),
])  # fmt: skip
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_benchmark(tmp_path, file, block, drop, message, bench):
    data = without(STOCK if file == "energy_stock.json" else KERNEL, drop)
    page, folder = _page(tmp_path, file, data, block, inline=block.endswith("per_core"))
    assert_refused(uf, page, folder, file, block, message, f"pytest benchmarks/{bench}")


def test_the_energy_page_quotes_both_views():
    text = (REPO / "docs" / "energy.md").read_text(encoding="utf-8")
    for name in energy_stock.BLOCKS:
        assert f"<!-- figures:{name} -->" in text, f"docs/energy.md does not quote {name}"
