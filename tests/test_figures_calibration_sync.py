"""docs/calibration.md's live-sync benchmark sentence, rendered by scripts/update_figures.py from
benchmarks/figures/calibration_sync.json (benchmarks/bench_calibration.py's sync test), not typed.

Checked: the renderer on hand-made figures, a missing key is an error naming the key, the file and the
benchmark to re-run (nothing written), and the page quotes the view.
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
from figure_renderers import calibration_sync  # noqa: E402 - scripts/ is on the path from here

SYNC = {"case": "test", "cases": {"sync_10k": {
    "date": "2026-12-06 09:54 UTC", "commit": "abc1234", "load_before": [21.53, 18.2, 13.3], "load_after": [22.6, 19.1, 13.9], "cpus": 2,
    "buildings": 10000, "members": 32, "rounds": 5, "median_wall_s": 10.564, "min_wall_s": 8.9647, "median_cpu_s": 1.6431,
    "min_cpu_s": 1.3204, "max_cpu_s": 1.7495}}}  # fmt: skip


def _page(tmp_path, data: dict):
    return page_and_figures(tmp_path, data, ["calibration_sync.sync"], "calibration_sync.json", inline=True, around=("Benchmark ", "."))


def test_the_sync_sentence_renders_wall_and_cpu_per_1000_buildings(tmp_path):
    page, folder = _page(tmp_path, SYNC)
    changed, _ = uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert changed == [page] and "old" not in text
    assert ("(`test_sync_one_day_10k_buildings`, 10,000 buildings x 32 members, one day): median 10.6 s (min 9.0 s) at load 21.5-22.6 "
            "on 2 cores, i.e. 1,056 ms (min 896 ms) per 1,000 buildings per day. The CPU time of the process was 1.32-1.75 s per day "
            "(median 1.64 s) for the 10,000 buildings, 164 ms per 1,000 buildings per day: what a core of its own gives (measured "
            "2026-12-06 09:54 UTC, commit abc1234, `pytest benchmarks/bench_calibration.py -s -k test_sync_one_day_10k_buildings`)") in text
    assert uf.update([page], figures_dir=folder, check=True)[0] == []


def test_the_rate_follows_the_building_count():
    data = copy.deepcopy(SYNC)
    data["cases"]["sync_10k"]["buildings"] = 5000
    assert "i.e. 2,113 ms (min 1,793 ms) per 1,000 buildings per day" in calibration_sync.sync(data)


@pytest.mark.parametrize(("drop", "message"), [(("cases", "sync_10k"), "no 'cases.sync_10k' in the figures"),
                                               (("cases", "sync_10k", "min_cpu_s"), "no 'min_cpu_s' in the figures")])
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_benchmark(tmp_path, drop, message):
    data = without(SYNC, drop)
    page, folder = _page(tmp_path, data)
    assert_refused(uf, page, folder, "calibration_sync.json", "calibration_sync.sync", message,
                   "pytest benchmarks/bench_calibration.py -s -k test_sync_one_day_10k_buildings")


def test_the_calibration_page_quotes_the_sync_view():
    assert "<!-- figures:calibration_sync.sync -->" in (REPO / "docs" / "calibration.md").read_text(encoding="utf-8")
