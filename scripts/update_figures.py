"""Write the measured figures of README.md and docs/*.md from the benchmarks' JSON files.

Figures in the pages are never typed: a benchmark merges what it measured into
``benchmarks/figures/<name>.json`` and this script rewrites every marked block from those files::

    <!-- figures:energy_kernel -->
    (a table, rewritten)
    <!-- /figures:energy_kernel -->

A block may also sit inside one line (a table cell of the README):
``| energy kernel speed | ... | <!-- figures:energy_kernel.summary -->text<!-- /figures:energy_kernel.summary --> |``.
``NAME`` is the stem of the JSON file, optionally ``.view`` for another rendering of it
(:data:`RENDERERS` lists them). A block whose name has no renderer, or whose JSON file is
missing, is an error naming the page, the block and the benchmark to run; nothing is written then.
The renderers live in ``scripts/figure_renderers/``, one module per domain (energy,
energy_iso52016_notes, energy_kernel_reference, energy_notes, energy_stock, ingest, ingest_gis_counts, ingest_ifc_quantities, scenario,
scenario_bands, soil, soil_block_bands, soil_kernel, soil_richards3d, soil_3d_validation, soil_block_p18, solar, stock_attributes, traffic, traffic_duo, traffic_give_way, traffic_dynamic,
traffic_dynamic_bench, traffic_grid11_tables, traffic_best_known, traffic_od_estimation, traffic_grid11_ties_table,
calibration, calibration_ampds2_p12, calibration_lcm_p12u, calibration_sync); each module's ``BLOCKS``
registers its views (calibration's blocks and soil's ``soil_heat_default_run.*`` read default_run.json).
A figures file that lacks what a renderer needs is an error naming the file, the block, the missing key
and the benchmark to re-run.

Run::

    python scripts/update_figures.py                # rewrite README.md and docs/*.md
    python scripts/update_figures.py --check        # exit 1 if a page is not up to date (CI)
    python scripts/update_figures.py docs/solar.md  # only these pages

Exit codes: 0 done (or up to date), 1 ``--check`` found pages to update, 2 bad block or
missing figures.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # figure_renderers/ beside this script, however it is loaded

from figure_renderers import (  # noqa: E402
    calibration,
    calibration_ampds2_p12,
    calibration_lcm_p12u,
    calibration_sync,
    energy,
    energy_iso52016_notes,
    energy_kernel_reference,
    energy_notes,
    energy_stock,
    ingest,
    ingest_gis_counts,
    ingest_ifc_quantities,
    scenario,
    scenario_bands,
    soil,
    soil_3d_validation,
    soil_block_bands,
    soil_block_p18,
    soil_kernel,
    soil_richards3d,
    solar,
    stock_attributes,
    traffic,
    traffic_best_known,
    traffic_duo,
    traffic_dynamic,
    traffic_dynamic_bench,
    traffic_give_way,
    traffic_grid11_tables,
    traffic_grid11_ties_table,
    traffic_od_estimation,
)
from figure_renderers.common import ROOT, Blocks, FiguresError  # noqa: E402

FIGURES_DIR = ROOT / "benchmarks" / "figures"

BLOCK = re.compile(r"<!-- figures:(?P<name>[\w.-]+) -->(?P<body>.*?)<!-- /figures:(?P=name) -->", re.S)
"""A marked block: opening and closing markers with the same name, on one line or around lines."""

#: Block name -> (JSON file under benchmarks/figures/, renderer, benchmark that writes the file); the renderers are in
#: scripts/figure_renderers/, one module per domain.
RENDERERS: Blocks = {**energy.BLOCKS, **energy_iso52016_notes.BLOCKS, **energy_kernel_reference.BLOCKS, **energy_notes.BLOCKS,
                     **energy_stock.BLOCKS, **ingest.BLOCKS, **ingest_gis_counts.BLOCKS, **ingest_ifc_quantities.BLOCKS, **scenario.BLOCKS, **scenario_bands.BLOCKS,
                     **soil.BLOCKS, **soil_block_bands.BLOCKS, **soil_kernel.BLOCKS, **soil_richards3d.BLOCKS, **soil_3d_validation.BLOCKS, **soil_block_p18.BLOCKS,
                     **solar.BLOCKS, **stock_attributes.BLOCKS, **traffic.BLOCKS,
                     **traffic_duo.BLOCKS, **traffic_give_way.BLOCKS, **traffic_dynamic.BLOCKS, **traffic_dynamic_bench.BLOCKS,
                     **traffic_grid11_tables.BLOCKS, **traffic_grid11_ties_table.BLOCKS, **traffic_od_estimation.BLOCKS, **traffic_best_known.BLOCKS,
                     **calibration.BLOCKS, **calibration_ampds2_p12.BLOCKS, **calibration_lcm_p12u.BLOCKS, **calibration_sync.BLOCKS}  # fmt: skip

__all__ = ["BLOCK", "FIGURES_DIR", "RENDERERS", "ROOT", "FiguresError", "default_pages", "main", "render_block", "rewrite", "update"]


# ----------------------------------------------------------------------------- rewriting
def render_block(name: str, figures_dir: Path = FIGURES_DIR) -> str:
    """The text between the markers of block ``name``."""
    if name not in RENDERERS:
        raise FiguresError(f"unknown figures block {name!r} (known: {', '.join(sorted(RENDERERS))})")
    file, renderer, bench = RENDERERS[name]
    path = figures_dir / file
    if not path.exists():
        raise FiguresError(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} is missing: run {bench}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        text = renderer(data)
    except FiguresError as exc:
        raise FiguresError(f"{path.name}: cannot render block {name!r}: {exc} (re-run {bench})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise FiguresError(f"{path.name}: cannot render block {name!r}: {type(exc).__name__}: {exc} (re-run {bench})") from None
    return text


def rewrite(text: str, *, figures_dir: Path = FIGURES_DIR, where: str = "<text>") -> tuple[str, list[str]]:
    """``text`` with every marked block rewritten, and the names of the blocks found.

    A one-line block gets a one-line rendering (newlines are not allowed in a table cell).
    """
    names: list[str] = []

    def one(m: re.Match) -> str:
        name = m.group("name")
        names.append(name)
        try:
            body = render_block(name, figures_dir)
        except FiguresError as exc:
            raise FiguresError(f"{where}: block {name!r}: {exc}") from None
        if "\n" not in m.group("body") and "\n" in body.strip():
            raise FiguresError(f"{where}: block {name!r} sits in one line but renders to several (use a block on its own lines)")
        if "\n" not in m.group("body"):
            body = body.strip()
        return f"<!-- figures:{name} -->{body}<!-- /figures:{name} -->"

    return BLOCK.sub(one, text), names


def default_pages(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def update(pages: Iterable[Path], *, check: bool = False, figures_dir: Path = FIGURES_DIR) -> tuple[list[Path], dict[Path, list[str]]]:
    """Rewrite (or, with ``check``, only compare) ``pages``; returns the pages that changed (or
    would change) and the blocks found per page. Every page is rendered before any is written."""
    new_texts: dict[Path, str] = {}
    found: dict[Path, list[str]] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        new, names = rewrite(text, figures_dir=figures_dir, where=str(page))
        if names:
            found[page] = names
        if new != text:
            new_texts[page] = new
    if not check:
        for page, new in new_texts.items():
            page.write_text(new, encoding="utf-8")
    return list(new_texts), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", type=Path, help="pages to rewrite (default: README.md and docs/*.md)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page is not up to date")
    args = parser.parse_args(argv)
    pages = args.pages or default_pages()
    try:
        changed, found = update(pages, check=args.check)
    except (FiguresError, OSError) as exc:
        print(f"update_figures: error: {exc}", file=sys.stderr)
        return 2
    for page, names in found.items():
        state = ("out of date" if args.check else "rewritten") if page in changed else "up to date"
        print(f"{page.relative_to(ROOT) if page.is_relative_to(ROOT) else page}: {', '.join(names)} ({state})")
    if not found:
        print("no figures blocks found")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
