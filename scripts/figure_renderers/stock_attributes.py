"""Renderer of the measured tables of docs/stock_attributes.md ("where the attributes come from"):
benchmarks/figures/stock_attributes.json, written by ``python scripts/stock_attributes_tables.py`` (twin's ingest of
the default scenario's Saint-Gilles inputs and of the 2013 Brussels extract; the full tables are in
docs/stock_attributes/*.csv, written by the same run).

* ``stock_attributes.measured``: per case, the buildings and floor area, the share of floor area by source of each
  attribute, the 8 most frequent rules per attribute and the storey cap; for Brussels also the OSM tags used (by key)
  and the use of the buildings whose own tags give it, by footprint.

A table is ``{"columns": [...], "data": [[...], ...]}``. A key missing from the figures is a :class:`FiguresError`
naming it (scripts/update_figures.py adds the file and the script to run).
"""

from __future__ import annotations

from .common import Blocks, FiguresError, figure_at

SCRIPT = "python scripts/stock_attributes_tables.py"
FILE = "stock_attributes.json"
CASES = (("stgilles", "Saint-Gilles (default scenario inputs)"), ("brussels", "Brussels-Capital Region, 2013 OSM extract"))
"""Case key in the figures and its heading, in the page's order."""


def markdown(tab: dict, percent: tuple[str, ...] = ()) -> str:
    """A figures table as a markdown table: ``percent`` columns as ``12.3 %``, numbers >= 100 or whole with
    thousands separators and no decimals, other numbers with 3 decimals."""
    cols = [str(c) for c in figure_at(tab, "columns")]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in figure_at(tab, "data"):
        if len(row) != len(cols):
            raise FiguresError(f"a row of {len(row)} cells under {len(cols)} columns ({', '.join(cols)})")
        cells = []
        for c, v in zip(cols, row, strict=True):
            if c in percent:
                cells.append(f"{100 * float(v):.1f} %")
            elif isinstance(v, float):
                cells.append(f"{v:,.0f}" if abs(v) >= 100 or v.is_integer() else f"{v:.3f}")
            elif isinstance(v, int) and not isinstance(v, bool):
                cells.append(f"{v:,}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def measured(data: dict) -> str:
    """The measured part of the page: one section per case."""
    percent = tuple(str(c) for c in figure_at(data, "percent_columns"))
    sections = [f"Measured by `{SCRIPT}`, {figure_at(data, 'date')}, commit {figure_at(data, 'commit')}.\n"]
    for case, title in CASES:
        c = figure_at(data, "cases", case)
        t = figure_at(c, "tables")
        sections.append(f"### {title}\n\n{int(figure_at(c, 'buildings')):,} buildings, {float(figure_at(c, 'floor_area_m2')) / 1e3:,.1f} thousand m2 "
                        "of floor area.\n")
        sections.append(f"Share of the floor area by source of each attribute (`docs/stock_attributes/{case}_shares.csv`):\n\n"
                        + markdown(figure_at(t, "shares"), percent) + "\n")
        sections.append("Rules and how many buildings each touched (the 8 most frequent per attribute; all in "
                        f"`docs/stock_attributes/{case}_rules.csv`):\n\n" + markdown(figure_at(t, "rules_top")) + "\n")
        sections.append(f"The rule \"no untagged footprint above 5 storeys\" (`docs/stock_attributes/{case}_storey_cap.csv`):\n\n"
                        + markdown(figure_at(t, "storey_cap")) + "\n")
        if case == "brussels":
            sections.append("OSM tags used, by key (every value in `docs/stock_attributes/brussels_tags_used.csv`):\n\n"
                            + markdown(figure_at(t, "tags_by_key")) + "\n")
            sections.append("Use of the buildings whose own tags give it, by footprint "
                            "(`docs/stock_attributes/brussels_use_by_footprint.csv`; the evidence for `large_untagged_use`):\n\n"
                            + markdown(figure_at(t, "use_by_footprint")) + "\n")
    return "\n\n" + "\n".join(sections) + "\n"


BLOCKS: Blocks = {"stock_attributes.measured": (FILE, measured, SCRIPT)}
