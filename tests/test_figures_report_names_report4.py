"""The docs' generated tables name a KPI as the report does (one name per quantity).

The report calls the class-share KPI "Floor area in EPB class D or worse"
(:data:`twin.scenario.report_labels.LABELS`); the tables that scripts/update_figures.py writes into
docs/calibration.md and docs/stock_attributes.md name it the same way (lower case, as their other
rows, with the unit after a comma), not "floor area in D or worse (standard conditions)" or
"floor area in class D or worse".
"""

from __future__ import annotations

import sys

from tests.cli_harness import REPO
from twin.scenario.report_labels import LABELS

sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import calibration, scenario_bands  # noqa: E402 - scripts/ is on the path from here

KPI = "floor_area_class_d_or_worse_pct"


def _docs_name(kpi: str) -> str:
    label, unit, _ = LABELS[kpi]
    return f"{label[0].lower()}{label[1:]}, {unit}"


def test_the_calibration_table_names_the_class_share_as_the_report():
    assert dict(calibration.ROWS)[KPI] == _docs_name(KPI) == "floor area in EPB class D or worse, %"


def test_the_default_run_bands_table_names_the_class_share_as_the_report():
    assert {kpi: label for kpi, label, _, _ in scenario_bands.ROWS}[KPI] == _docs_name(KPI)


def test_the_docs_pages_use_the_report_s_name():
    for page in ("calibration.md", "stock_attributes.md"):
        text = (REPO / "docs" / page).read_text(encoding="utf-8")
        assert "D or worse (standard conditions), %" not in text, page
        assert "| floor area in class D or worse, % |" not in text, page
        assert f"| {_docs_name(KPI)} |" in text, page
