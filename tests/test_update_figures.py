"""scripts/update_figures.py: the marked figure blocks of README.md and docs/ written from the benchmarks' JSON."""

from __future__ import annotations

import json
import sys

import pytest

from tests.cli_harness import REPO
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import traffic  # noqa: E402 - scripts/ is on the path from here

CASE = {
    "n_buildings": 10_000, "n_hours": 8760, "wall_s": 0.263, "building_years_per_s": 38025.0, "speedup_vs_python": 2241.2,
    "cpu_ns_per_building_hour": 2.32, "cpu_speedup_vs_python_per_core": 2141.0, "traced_peak_mb": 7.0, "max_rss_gb": 0.34,
    "load_average_1min": 1.3, "numba_threads": 1, "cpus": 2, "drivers": "Uccle EPW", "date": "2026-12-02 12:12 UTC",
}


@pytest.fixture()
def figures(tmp_path):
    folder = tmp_path / "figures"
    folder.mkdir()
    small = {**CASE, "n_buildings": 1000, "wall_s": 0.035, "speedup_vs_python": 1696.0, "cpu_speedup_vs_python_per_core": 1794.0}
    (folder / "energy_kernel.json").write_text(json.dumps({"cases": {"1k": small, "10k": CASE}}))
    return folder


def test_blocks_are_rewritten_from_the_json_and_twice_is_a_no_op(tmp_path, figures):
    page = tmp_path / "page.md"
    page.write_text(
        "# Speed\n\n| what | result |\n|---|---|\n"
        "| kernel | <!-- figures:energy_kernel.summary -->old text<!-- /figures:energy_kernel.summary --> |\n\n"
        "<!-- figures:energy_kernel -->\nstale table\n<!-- /figures:energy_kernel -->\n\nafter\n"
    )
    changed, found = uf.update([page], figures_dir=figures)
    text = page.read_text()
    assert changed == [page] and found[page] == ["energy_kernel.summary", "energy_kernel"]
    assert "old text" not in text and "stale table" not in text and text.endswith("\n\nafter\n")
    cell = next(line for line in text.splitlines() if line.startswith("| kernel |"))
    assert "10,000 buildings × 8,760 h in 0.26 s" in cell and "1,696–2,241× the loop in wall time (1k–10k)" in cell
    assert "| 10,000 × 8,760 | 0.263 s | 38,025 | 2,241× | 2.32 | 2,141× | 0.34 GB | 1.3 |" in text
    assert uf.update([page], figures_dir=figures, check=True)[0] == []  # up to date now


def test_check_writes_nothing(tmp_path, figures):
    page = tmp_path / "page.md"
    original = "<!-- figures:energy_kernel -->\nx\n<!-- /figures:energy_kernel -->\n"
    page.write_text(original)
    changed, _ = uf.update([page], figures_dir=figures, check=True)
    assert changed == [page] and page.read_text() == original


def test_unknown_block_and_missing_figures_are_errors_naming_the_page(tmp_path, figures):
    page = tmp_path / "page.md"
    page.write_text("<!-- figures:nope -->x<!-- /figures:nope -->\n")
    with pytest.raises(uf.FiguresError, match=r"page\.md: block 'nope': unknown figures block"):
        uf.update([page], figures_dir=figures)
    page.write_text("<!-- figures:solar_region.summary -->x<!-- /figures:solar_region.summary -->\n")
    with pytest.raises(uf.FiguresError, match=r"solar_region\.json is missing: run python benchmarks/bench_solar_region\.py"):
        uf.update([page], figures_dir=figures)
    assert page.read_text().endswith("x<!-- /figures:solar_region.summary -->\n")  # nothing written


def test_a_table_cannot_go_into_one_line(tmp_path, figures):
    page = tmp_path / "page.md"
    page.write_text("| a | <!-- figures:energy_kernel -->x<!-- /figures:energy_kernel --> |\n")
    with pytest.raises(uf.FiguresError, match="sits in one line"):
        uf.update([page], figures_dir=figures)


def test_every_block_in_the_repository_pages_has_a_renderer():
    for page in uf.default_pages():
        for m in uf.BLOCK.finditer(page.read_text(encoding="utf-8")):
            assert m.group("name") in uf.RENDERERS, f"{page}: block {m.group('name')!r} has no renderer"


def test_grid11_summary_names_both_engines_and_says_when_not_every_vehicle_arrived():
    twin_1x = {"mean_trip_time_s": 800.2, "queued_links": 156.8, "arrived_share": 1.0}
    twin_2x = {"mean_trip_time_s": float("nan"), "queued_links": 427.2, "arrived_share": 0.273}
    option = {"mean_trip_time_s": 760.0, "queued_links": 120.0, "arrived_share": 1.0}
    peer = {"mean_trip_time_s": 780.1, "queued_links": 336.0, "arrived_share": 1.0}
    ref = "UXsim 1.15.1 C++ deltan 1"
    data = {"seeds": 5, "load_average_before": [1.0], "load_average_after": [2.5], "reference": ref,
            "summary": [{"scale": 1.0, "engines": {"twin": option, "twin experienced link times": twin_1x, ref: peer,
                                                   "UXsim 1.15.1 C++ deltan 5": option}},
                        {"scale": 2.0, "engines": {"twin": option, "twin experienced link times": twin_2x, ref: peer}}]}
    line = traffic.traffic_grid11_summary(data)
    assert "1× demand: mean trip 800 s (option: mean trip 760 s) vs mean trip 780 s, links that queue 157 (120) vs 336" in line
    assert "2× demand: 27 % of vehicles arrived (option: mean trip 760 s) vs mean trip 780 s" in line and "(load 2.5)" in line
    assert ref in line
    with pytest.raises(uf.FiguresError):
        traffic.traffic_grid11_summary({})
