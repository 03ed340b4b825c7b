"""The time-series figure's caption says what is drawn: the default report's read "energy:
baseline (solid) and what-ifs (dashed), the central run ..." (the quantity, heating need in
MWh per month, only on the image's axis), and its text alternative was "energy series"."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd


def test_the_series_caption_names_the_quantity_and_its_unit():
    from tests.scenario_helpers import fake_scenario
    from twin.scenario.report import _timeseries_section, series_labels

    months = pd.Index(range(1, 13), name="month")
    base = pd.DataFrame({"heating_need_mwh": [30.0 - 2 * m for m in range(12)]}, index=months)
    new = base * 0.9
    sc = fake_scenario("x")
    sc.domains = ["energy"]
    comp = SimpleNamespace(scenario=sc, samples=None, baseline={"energy": SimpleNamespace(series=base)},
                           whatifs={"w": {"energy": SimpleNamespace(series=new)}})
    assert series_labels(base) == ["Heating need, MWh per month"]
    page = _timeseries_section(comp)
    alt = html.unescape(re.search(r"<img alt='([^']*)'", page).group(1))
    caption = html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<figcaption>(.*?)</figcaption>", page, flags=re.S).group(1)))
    assert alt == "energy: Heating need, MWh per month, each month of the weather file's year"
    assert caption.startswith("energy: Heating need, MWh per month, each month of the weather file's year; baseline (solid) and "
                              "what-ifs (dashed), the central run")
