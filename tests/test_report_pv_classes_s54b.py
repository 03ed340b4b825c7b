"""The EPB class chart says how much of a what-if's class gain is its rooftop PV.

The default run's renovation wave showed "class A: 398 buildings" (A++ 4, A+ 25) and said nothing
of why: the accounts credit the PV yield in primary energy at the electricity's factor (2.5), and
without that credit none of its buildings is better than B (B 507 instead of 697, C 930 instead of
322; measured on /tmp/ref_s54/outputs/deltas_renovation-wave_energy.parquet, 2026-12-07).
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from twin.scenario.report_energy_classes import energy_section

DATA = Path(__file__).resolve().parents[1] / "twin" / "data"


def _factor(key: str) -> float:
    with open(DATA / "energy_factors.csv", encoding="utf-8") as f:
        return next(float(r["value"]) for r in csv.DictReader(f) if r["key"] == key)


def _class(kwh_m2: float) -> str:
    """The Brussels class of a primary energy per m², from the packaged table's upper bounds."""
    with open(DATA / "energy_classes_brussels.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if kwh_m2 <= float(r["upper_kwh_m2"]):
                return r["energy_class"]
    raise AssertionError(kwh_m2)


def _accounts(primary_kwh: list[float], pv_kwh: list[float]) -> pd.DataFrame:
    """Three buildings of 100 m² with their primary energy (PV credited) and PV yield."""
    return pd.DataFrame({"building_id": ["a", "b", "c"], "a_f_m2": 100.0, "q_heat_kwh": [9e3, 8e3, 7e3], "pv_kwh": pv_kwh,
                         "primary_energy_kwh": primary_kwh, "primary_energy_kwh_m2": [p / 100.0 for p in primary_kwh],
                         "energy_class": [_class(p / 100.0) for p in primary_kwh]})


def _section(whatif: pd.DataFrame) -> str:
    base = _accounts([20e3, 9e3, 16e3], [0.0, 0.0, 0.0])
    comp = SimpleNamespace(baseline={"energy": SimpleNamespace(objects=base)},
                           whatifs={"wave": {"energy": SimpleNamespace(objects=whatif)}}, samples=None, kpis=pd.DataFrame({"kpi": []}))
    return html.unescape(energy_section(comp))


def test_the_class_chart_says_how_many_buildings_the_pv_credit_lifts():
    """a: 40 kWh/m² with 3,000 kWh of PV (without it 40 + 2.5 x 30 = 115: C); b: no PV (B either
    way); c: 0 kWh/m² with 8,000 kWh of PV (without it 200: D)."""
    pef = _factor("pef_electricity")
    page = _section(_accounts([4e3, 9e3, 0.0], [3e3, 0.0, 8e3]))
    notes = re.findall(r"<p class='note pv-classes'>(.*?)</p>", page, flags=re.S)
    assert len(notes) == 1, page
    note = re.sub(r"<[^>]+>", "", notes[0])
    without = [_class((4e3 + pef * 3e3) / 100.0), "B", _class((0.0 + pef * 8e3) / 100.0)]
    assert without == ["C", "B", "D"]  # the case holds what the docstring says
    assert f"credited in each building's primary energy at the electricity's factor ({pef:g}, pef_electricity" in note
    assert "2 of its buildings are in a better class with it than without it" in note
    # every class whose count differs, without the credit first, the chart's count in brackets
    assert note.endswith("Without that credit, buildings per class (with it, as in the chart): A++ 0 (1), A 0 (1), C 1 (0), D 1 (0).")


def test_no_pv_note_when_the_pv_moves_no_building_across_a_class():
    """A yield too small to cross a bound (1 kWh: 0.025 kWh/m²), and a what-if without PV."""
    assert "pv-classes" not in _section(_accounts([4e3, 9e3, 12e3], [1.0, 0.0, 0.0]))
    assert "pv-classes" not in _section(_accounts([4e3, 9e3, 12e3], [0.0, 0.0, 0.0]))


def test_pv_the_baseline_already_has_is_not_taken_out():
    """Only the yield the what-if adds: a building with 3,000 kWh in both runs keeps its class."""
    base = _accounts([4e3, 9e3, 16e3], [3e3, 0.0, 0.0])
    new = _accounts([4e3, 9e3, 15e3], [3e3, 0.0, 0.0])
    new.loc[1, "q_heat_kwh"] = 1.0  # the what-if changes something, not the PV
    comp = SimpleNamespace(baseline={"energy": SimpleNamespace(objects=base)},
                           whatifs={"wave": {"energy": SimpleNamespace(objects=new)}}, samples=None, kpis=pd.DataFrame({"kpi": []}))
    assert "pv-classes" not in energy_section(comp)
