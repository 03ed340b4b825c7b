"""A report reads the buildings' OpenStreetMap addresses once.

The permit parts of the page (:func:`twin.scenario.report_permit.permit_facts`) and the building
drill-down both name buildings by their address; the drill-down read them from the source files
again (``osm_addresses``, ~0.3 s on Saint-Gilles) in a report with a permit what-if.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from tests.scenario_helpers import fake_comparison, fake_scenario


def _counted_reads(monkeypatch) -> list[int]:
    """Replace the address reader by one that gives building ``a`` an address and counts its calls."""
    from twin.scenario import report_drilldown

    calls = []

    def read(buildings: pd.DataFrame) -> pd.Series:
        calls.append(len(buildings))
        return pd.Series({"a": "Rue A 5"}, dtype=object)

    monkeypatch.setattr(report_drilldown, "osm_addresses", read)
    return calls


def _drilldown_addresses(page: str) -> dict[str, str]:
    data = json.loads(page.split("id='bd-data'>", 1)[1].split("</script>", 1)[0].replace("<\\/", "</"))
    return dict(zip(data["ids"], data["addr"]))


@pytest.mark.parametrize("inserts", [True, False], ids=["permit", "no-permit"])
def test_one_report_reads_the_addresses_once_and_the_drilldown_shows_them(monkeypatch, inserts):
    from twin.scenario.report import page_sections, render_html

    comparison = fake_comparison()  # the what-if w adds building n
    comparison.scenario = fake_scenario()
    comparison.baseline_scene = SimpleNamespace(buildings=pd.DataFrame({"building_id": list("abcd"), "source": "b.geojson"}))
    if not inserts:
        comparison.whatifs["w"] = comparison.baseline
        comparison.kpis = comparison.kpis.assign(whatif_value=100.0, delta=0.0)
    calls = _counted_reads(monkeypatch)
    page = render_html(comparison)
    assert ("permit" in page_sections(comparison)) is inserts
    assert len(calls) == 1
    assert _drilldown_addresses(page)["a"] == "Rue A 5" and _drilldown_addresses(page)["b"] == ""


def test_the_maps_section_computes_each_what_ifs_deltas_once(monkeypatch):
    """The map of a what-if's engine and the note said when it draws none (:func:`_mapped_elsewhere`)
    share one ``comparison.deltas`` (~0.2 s each on Saint-Gilles)."""
    from twin.scenario.report import _maps_section
    from twin.scenario.runner import Comparison

    comparison = fake_comparison()
    comparison.scenario = fake_scenario()
    comparison.whatifs["w"] = comparison.baseline  # no change: no map, the note
    calls = []
    deltas = Comparison.deltas
    monkeypatch.setattr(Comparison, "deltas", lambda self, w, d: calls.append((w, d)) or deltas(self, w, d))
    section = _maps_section(comparison)
    assert "No per-object change (no map): w (energy)." in section
    assert calls == [("w", "energy")]
