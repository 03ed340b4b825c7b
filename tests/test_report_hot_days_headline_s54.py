"""The de-sealing card gives the district's mean surface temperature beside the changed ground's.

The default run's card read "Hottest days: surface temperature at 11–16 h, ground whose cover
changed: −11.9 K" and, four lines down, the change of water stored in the soil; the district mean
(−0.093 K) was only in the KPI table: a planner could take the cooling of 4,532 m² of car parks
for the district's.
"""

from __future__ import annotations

import re

import pandas as pd

#: (kpi, baseline, delta) of the default run's desealing-car-parks, in the KPI table's order
ROWS = [("runoff_m3", 26599.2, -74.15), ("infiltration_m3", 3400.8, 74.15), ("storage_change_m3", 3128.64, 68.21),
        ("sealed_area_pct", 79.216, -0.453), ("hot_days_surface_temp_midday_c", 51.4, -11.9),
        ("hot_days_surface_temp_max_c", 53.1, -12.4), ("hot_days_district_surface_temp_midday_c", 47.1, -0.093)]


def test_the_card_gives_the_district_mean_right_after_the_changed_ground():
    from twin.scenario.report import _headlines

    group = pd.DataFrame([{"whatif": "w", "domain": "soil", "kpi": k, "baseline": b, "whatif_value": b + d, "delta": d} for k, b, d in ROWS])
    labels = [re.match(r"(.+?): <b>", line).group(1) for line in _headlines(group)]
    assert labels[:2] == ["Hottest days: surface temperature at 11–16 h, ground whose cover changed",
                          "Hottest days: surface temperature at 11–16 h, district mean"]
    assert labels[2:] == ["Runoff to the sewer", "Infiltration into the soil", "Sealed area"]
