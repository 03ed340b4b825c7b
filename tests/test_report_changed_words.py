""""What each what-if changed" in a planner's words: the default report read "close streets: links
10" and "deseal: landcover 6, area (m²) 5,939" (the machine record's keys); it now says "10 street
links (a link: ...)", "6 land-cover polygons (...)", "area 5,939 m²"."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace


def _items(applied: dict) -> dict[str, str]:
    from twin.scenario.report import _changes_section

    page = html.unescape(_changes_section(SimpleNamespace(applied=applied)))
    return {m.group(1): m.group(2) for m in re.finditer(r"<li><b>(.*?)</b>: (.*?)</li>", page)}


def test_the_changes_are_counted_in_words():
    items = _items({"renovation-wave": [{"op": "renovate", "buildings": 1181, "already_renovated": 3}],
                    "low-traffic-parvis": [{"op": "close_streets", "links": 10}],
                    "desealing-car-parks": [{"op": "deseal", "landcover": 6, "area_m2": 5939.2}],
                    "less-demand": [{"op": "scale_demand", "demand_factor": 0.9}]})
    assert items["renovation-wave"] == "renovate: 1,181 buildings, 3 buildings already renovated (left as they were)"
    assert items["low-traffic-parvis"] == ("close streets: 10 street links (a link: the stretch of a street between two junctions, "
                                           "one per direction of traffic)")
    assert items["desealing-car-parks"] == ("deseal: 6 land-cover polygons (areas of one ground cover: a car park, a lawn...), "
                                            "area 5,939 m²")
    assert items["less-demand"] == "scale demand: demand × 0.9 (-10 %)"  # not "demand factor 0.900"
    assert not any("links 10" in t or "landcover" in t or "(m²)" in t for t in items.values())


def test_the_demand_factor_reads_as_a_multiplier_and_a_change():
    from twin.scenario.report import demand_factor_words

    for factor, shown in ((0.9, "demand × 0.9 (-10 %)"), (0.925, "demand × 0.925 (-7.5 %)"), (1.25, "demand × 1.25 (+25 %)"),
                          (0.5, "demand × 0.5 (-50 %)")):
        assert demand_factor_words(factor) == shown
    items = _items({"more-demand": [{"op": "scale_demand", "demand_factor": 1.1}]})
    assert items["more-demand"] == "scale demand: demand × 1.1 (+10 %)"
    assert "demand factor" not in items["more-demand"]
