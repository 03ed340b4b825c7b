"""docs/solar.md's measured region block (cadastre, energy run, shading, CityJSON export against the PBF read),
rendered by scripts/update_figures.py from benchmarks/figures/solar_region.json (written by
``benchmarks/bench_solar_region.py``, which no longer writes the page itself).

Checked: a changed figure in the JSON changes the rendered text (times, ratios, a target met or not), the stamp
names the commit of each part or says it was not recorded, a part left out of the JSON is left out of the page,
a missing key is an error naming the key, the file and the benchmark to re-run (nothing written), the benchmark
refuses ``--docs``, and the page quotes the block and agrees with the repository's figures file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import page_and_figures, without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import solar  # noqa: E402 - scripts/ is on the path from here

PAGE = REPO / "docs" / "solar.md"
FIGURES = REPO / "benchmarks" / "figures" / "solar_region.json"


@pytest.fixture
def data() -> dict:
    """The repository's figures file: every part, in the shapes the benchmark writes."""
    return json.loads(FIGURES.read_text(encoding="utf-8"))


def rendered(tmp_path, data: dict) -> str:
    """docs/solar.md's block as update_figures writes it from ``data``."""
    page, folder = page_and_figures(tmp_path, data, ["solar_region"], "solar_region.json", inline=False)
    uf.update([page], figures_dir=folder)
    return page.read_text(encoding="utf-8")


def test_a_changed_figure_changes_the_text(tmp_path, data):
    data["cadastre"]["end_to_end_s"] = 12.34
    data["cadastre"]["n_sensors"] = 1_234_567
    data["export"]["export_s"] = 31.26
    data["shading"]["old_s"] = 150.0
    data["shading"]["pbf_read_s"] = 1.5
    text = rendered(tmp_path, data)
    assert "| 12.3 s (buildings " in text
    assert "1,234,567 sensors (2 m" in text
    assert "| CityJSON export of the region (" in text and "| 31.3 s | |" in text
    assert "| the same with the former NumPy path (`tests/energy_shading_reference.py`) | 150.0 s | 100 |" in text
    assert "CityJSON export under 30 s: **not met** (31.3 s)" in text


@pytest.mark.parametrize(("ratio", "process_ratio", "status"), [(4.2, 3.9, "**met**"), (4.2, 5.5, "**met after the ingest's imports only, not as a separate process**"),
                                                                 (6.3, 3.9, "**not met**")])  # fmt: skip
def test_the_energy_target_follows_the_figures(tmp_path, data, ratio, process_ratio, status):
    data["energy"]["in_process_ratio"] = ratio
    data["energy"]["cli"]["process_ratio"] = process_ratio
    text = rendered(tmp_path, data)
    assert f"energy run under 5x the read: {status} ({ratio:.1f}x the ratio of the medians; " in text
    assert f"| {ratio:.1f} (read: median " in text


def test_the_stamp_names_each_part_s_commit_or_says_it_was_not_recorded(tmp_path, data):
    for part in solar.PARTS:
        data[part].pop("commit", None)
    data["energy"]["date"] = "2026-12-07 09:00 UTC"
    assert "energy run 2026-12-07 09:00 UTC, shading " in rendered(tmp_path, data)
    assert "(commit not recorded: measured before the benchmark kept it)" in rendered(tmp_path, data)
    data["energy"]["commit"] = "abc1234"
    text = rendered(tmp_path, data)
    assert "energy run 2026-12-07 09:00 UTC at commit abc1234, shading " in text
    assert re.search(r"cadastre \S+ \S+ UTC \(commit not recorded\), energy run", text)


def test_a_part_left_out_of_the_figures_is_left_out_of_the_page(tmp_path, data):
    del data["export"]
    text = rendered(tmp_path, data)
    assert "CityJSON export" not in text
    assert "export 2026" not in text
    assert "cadastre under 20x the read" in text


@pytest.mark.parametrize(("drop", "message"), [(("cadastre", "steps"), r"no 'steps' in the figures"),
                                               (("energy", "cli"), r"no 'cli' in the figures"),
                                               (("shading", "date"), r"no 'date' in the figures")])  # fmt: skip
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_benchmark(tmp_path, data, drop, message):
    page, folder = page_and_figures(tmp_path, without(data, drop), ["solar_region"], "solar_region.json", inline=False)
    where = re.escape("page.md: block 'solar_region': solar_region.json: cannot render block 'solar_region': ")
    with pytest.raises(uf.FiguresError, match=rf"{where}{message} \(re-run python benchmarks/bench_solar_region\.py\)"):
        uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8").endswith("\nold\n<!-- /figures:solar_region -->\n")  # nothing written


def test_no_part_at_all_is_an_error(tmp_path):
    page, folder = page_and_figures(tmp_path, {}, ["solar_region"], "solar_region.json", inline=False)
    with pytest.raises(uf.FiguresError, match=r"none of 'cadastre', 'energy', 'shading', 'export' in the figures"):
        uf.update([page], figures_dir=folder)


def test_the_benchmark_no_longer_writes_the_page():
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_solar_region.py"), "--docs"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "unknown part --docs" in proc.stderr and "python scripts/update_figures.py docs/solar.md" in proc.stderr


def test_the_page_quotes_the_block_and_agrees_with_the_figures_file(data):
    text = PAGE.read_text(encoding="utf-8")
    assert text.count("<!-- figures:solar_region -->") == 1
    assert "BEGIN measured" not in text
    assert set(solar.PARTS) <= set(data)
    changed, _ = uf.update([PAGE], check=True)
    assert changed == [], "docs/solar.md disagrees with benchmarks/figures/solar_region.json: run python scripts/update_figures.py docs/solar.md"
