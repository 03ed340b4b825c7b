"""ASHRAE Standard 140-2020 example-program ranges of the BESTEST solar outputs (min, max, mean).

Section 5.2 of the 140-2020 results (``RESULTS5-2A``), Tables B8-11 to B8-15, for the six example
programs (BSIMAC 9, CSE, DeST, EnergyPlus, ESP-r, TRNSYS; CSE gives no west-window values), as
rendered in ``JasonGlazer/ashrae-140-automation``
``rendered/images/testsim/5.2/images/results5-2a-section_5_2_table_b8_11.md`` ... ``_b8_15.md``
(commit 24aa85fc3f6107abfad9a69fc79f5ac2e22c74e4). These are the programs whose loads give the
ranges of ``tests/bestest_ranges_mbl.py``. Annual irradiation in kWh/m2; coefficients dimensionless:

* incident solar radiation of case 600 on each orientation (B8-13);
* transmitted solar radiation per m2 of window, unshaded (B8-14: 600 South, 620 West) and shaded
  (B8-15: 610 South, 630 West);
* shading coefficient of the overhang (and fins) ``1 - shaded / unshaded transmitted`` (B8-12);
* transmissivity coefficient of the window ``transmitted / incident`` (B8-11).

Used by ``tests/test_energy_bestest_solar_p13g.py``.
"""

from __future__ import annotations

SOURCE = (
    "ASHRAE 140-2020 RESULTS5-2A section 5.2, Tables B8-11..B8-15, as rendered in "
    "JasonGlazer/ashrae-140-automation rendered/images/testsim/5.2/images/results5-2a-section_5_2_table_b8_1*.md, commit 24aa85f"
)

#: orientation -> (min, max, mean) of the annual incident solar radiation of case 600, kWh/m2 (Table B8-13).
INCIDENT: dict[str, tuple[float, float, float]] = {
    "horizontal": (1663.0, 1670.0, 1666.0),
    "north": (399.0, 477.0, 440.0),
    "east": (1017.0, 1068.0, 1048.0),
    "south": (1291.0, 1387.0, 1352.0),
    "west": (903.0, 997.0, 951.0),
}

#: (case, window facade) -> (min, max, mean) of the annual transmitted solar radiation, kWh/m2 of window
#: (Table B8-14 unshaded, B8-15 shaded).
TRANSMITTED: dict[tuple[str, str], tuple[float, float, float]] = {
    ("600", "south"): (804.0, 826.0, 815.0),
    ("620", "west"): (569.0, 624.0, 593.0),
    ("610", "south"): (631.0, 665.0, 651.0),
    ("630", "west"): (390.0, 446.0, 418.0),
}

#: (shaded case, unshaded case, facade) -> (min, max, mean) of ``1 - shaded / unshaded`` (Table B8-12).
SHADING_COEFFICIENT: dict[tuple[str, str, str], tuple[float, float, float]] = {
    ("610", "600", "south"): (0.176, 0.224, 0.201),
    ("630", "620", "west"): (0.268, 0.342, 0.294),
}

#: (case, facade) -> (min, max, mean) of ``transmitted / incident`` (Table B8-11).
TRANSMISSIVITY: dict[tuple[str, str], tuple[float, float, float]] = {
    ("600", "south"): (0.587, 0.627, 0.603),
    ("620", "west"): (0.600, 0.640, 0.617),
}
