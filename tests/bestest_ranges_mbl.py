"""ASHRAE Standard 140-2020 example-program ranges of the BESTEST cases 600-950 (min, max).

Read from the reference results the Modelica Buildings Library encodes next to each case
(``staRes`` of ``lbl-srg/modelica-buildings``,
``Buildings/ThermalZones/Detailed/Validation/BESTEST/Cases6xx/Case*.mo`` and
``.../Cases9xx/Case*.mo``, commit c4117ccec1f288ee6bc7f0ee0cb40a45d6940b0c, 2026-07-22; the
ranges were updated to the 140-2020 example programs in 2022-2023, MBL issues 3005 and 3396).
Annual loads in MWh, peaks in kW, free-float air temperatures in degC. Case 650 has no heating
(range 0-0), which the model meets trivially; it is listed for completeness.

Used by ``tests/test_energy_bestest.py`` (asserts inside the range) and
``scripts/energy_validation_figures.py`` (the README / docs validation table).
"""

from __future__ import annotations

SOURCE = (
    "lbl-srg/modelica-buildings Buildings/ThermalZones/Detailed/Validation/BESTEST/Cases6xx|Cases9xx/Case*.mo "
    "(staRes, ASHRAE 140-2020 example programs), commit c4117cc"
)

#: (case, quantity) -> (min, max)
RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("600", "heating_mwh"): (3.993, 4.504),
    ("600", "cooling_mwh"): (5.432, 6.162),
    ("600", "peak_heating_kw"): (3.020, 3.359),
    ("600", "peak_cooling_kw"): (5.422, 6.481),
    ("610", "heating_mwh"): (4.066, 4.592),
    ("610", "cooling_mwh"): (4.117, 4.382),
    ("610", "peak_heating_kw"): (3.021, 3.360),
    ("610", "peak_cooling_kw"): (5.331, 6.432),
    ("620", "heating_mwh"): (4.094, 4.719),
    ("620", "cooling_mwh"): (3.841, 4.404),
    ("620", "peak_heating_kw"): (3.038, 3.385),
    ("620", "peak_cooling_kw"): (3.955, 4.797),
    ("630", "heating_mwh"): (4.356, 5.139),
    ("630", "cooling_mwh"): (2.573, 3.074),
    ("630", "peak_heating_kw"): (3.039, 3.388),
    ("630", "peak_cooling_kw"): (3.526, 4.212),
    ("640", "heating_mwh"): (2.403, 2.682),
    ("640", "cooling_mwh"): (5.237, 5.893),
    ("640", "peak_heating_kw"): (4.039, 4.658),
    ("640", "peak_cooling_kw"): (5.365, 6.429),
    ("650", "heating_mwh"): (0.0, 0.0),
    ("650", "cooling_mwh"): (4.186, 4.945),
    ("650", "peak_cooling_kw"): (5.045, 6.290),
    ("900", "heating_mwh"): (1.379, 1.814),
    ("900", "cooling_mwh"): (2.267, 2.714),
    ("900", "peak_heating_kw"): (2.443, 2.778),
    ("900", "peak_cooling_kw"): (2.556, 3.376),
    ("910", "heating_mwh"): (1.648, 2.163),
    ("910", "cooling_mwh"): (1.191, 1.490),
    ("910", "peak_heating_kw"): (2.469, 2.799),
    ("910", "peak_cooling_kw"): (2.081, 2.722),
    ("920", "heating_mwh"): (2.956, 3.607),
    ("920", "cooling_mwh"): (2.549, 3.128),
    ("920", "peak_heating_kw"): (2.512, 2.895),
    ("920", "peak_cooling_kw"): (2.710, 3.481),
    ("930", "heating_mwh"): (3.524, 4.384),
    ("930", "cooling_mwh"): (1.654, 2.161),
    ("930", "peak_heating_kw"): (2.537, 2.968),
    ("930", "peak_cooling_kw"): (2.335, 3.052),
    ("940", "heating_mwh"): (0.863, 1.389),
    ("940", "cooling_mwh"): (2.203, 2.613),
    ("940", "peak_heating_kw"): (3.052, 3.882),
    ("940", "peak_cooling_kw"): (2.556, 3.376),
    ("950", "heating_mwh"): (0.0, 0.0),
    ("950", "cooling_mwh"): (0.586, 0.707),
    ("950", "peak_cooling_kw"): (2.054, 2.388),
    ("600ff", "t_air_min_c"): (-13.8, -9.9),
    ("600ff", "t_air_max_c"): (62.4, 68.4),
    ("600ff", "t_air_mean_c"): (24.3, 26.1),
    ("650ff", "t_air_min_c"): (-17.8, -16.7),
    ("650ff", "t_air_max_c"): (61.1, 66.8),
    ("650ff", "t_air_mean_c"): (17.6, 18.9),
    ("900ff", "t_air_min_c"): (0.6, 2.2),
    ("900ff", "t_air_max_c"): (43.3, 46.0),
    ("900ff", "t_air_mean_c"): (24.5, 25.7),
    ("950ff", "t_air_min_c"): (-13.4, -12.5),
    ("950ff", "t_air_max_c"): (36.1, 37.1),
    ("950ff", "t_air_mean_c"): (14.4, 15.0),
}

#: Units of the quantities (for tables and messages).
UNITS = {
    "heating_mwh": "MWh",
    "cooling_mwh": "MWh",
    "peak_heating_kw": "kW",
    "peak_cooling_kw": "kW",
    "t_air_min_c": "degC",
    "t_air_max_c": "degC",
    "t_air_mean_c": "degC",
}

#: (case, quantity) -> mean of the example programs (``Mean`` of the same ``staRes`` records),
#: for the deltas between cases (the programs' individual results are not in these files).
MEANS: dict[tuple[str, str], float] = {
    ("600", "heating_mwh"): 4.213, ("600", "cooling_mwh"): 5.856, ("600", "peak_heating_kw"): 3.184, ("600", "peak_cooling_kw"): 6.024,
    ("610", "heating_mwh"): 4.311, ("610", "cooling_mwh"): 4.256, ("610", "peak_heating_kw"): 3.168, ("610", "peak_cooling_kw"): 5.861,
    ("620", "heating_mwh"): 4.413, ("620", "cooling_mwh"): 4.090, ("620", "peak_heating_kw"): 3.186, ("620", "peak_cooling_kw"): 4.527,
    ("630", "heating_mwh"): 4.821, ("630", "cooling_mwh"): 2.814, ("630", "peak_heating_kw"): 3.203, ("630", "peak_cooling_kw"): 3.963,
    ("640", "heating_mwh"): 2.612, ("640", "cooling_mwh"): 5.636, ("640", "peak_heating_kw"): 4.369, ("640", "peak_cooling_kw"): 5.973,
    ("650", "heating_mwh"): 0.0, ("650", "cooling_mwh"): 4.644, ("650", "peak_cooling_kw"): 5.813,
    ("900", "heating_mwh"): 1.626, ("900", "cooling_mwh"): 2.467, ("900", "peak_heating_kw"): 2.591, ("900", "peak_cooling_kw"): 2.975,
    ("910", "heating_mwh"): 1.971, ("910", "cooling_mwh"): 1.374, ("910", "peak_heating_kw"): 2.648, ("910", "peak_cooling_kw"): 2.306,
    ("920", "heating_mwh"): 3.326, ("920", "cooling_mwh"): 2.786, ("920", "peak_heating_kw"): 2.710, ("920", "peak_cooling_kw"): 3.127,
    ("930", "heating_mwh"): 4.064, ("930", "cooling_mwh"): 1.898, ("930", "peak_heating_kw"): 2.751, ("930", "peak_cooling_kw"): 2.656,
    ("940", "heating_mwh"): 1.109, ("940", "cooling_mwh"): 2.401, ("940", "peak_heating_kw"): 3.377, ("940", "peak_cooling_kw"): 2.993,
    ("950", "heating_mwh"): 0.0, ("950", "cooling_mwh"): 0.634, ("950", "peak_cooling_kw"): 2.268,
    ("600ff", "t_air_min_c"): -12.7, ("600ff", "t_air_max_c"): 64.6, ("600ff", "t_air_mean_c"): 25.2,
    ("650ff", "t_air_min_c"): -17.3, ("650ff", "t_air_max_c"): 63.1, ("650ff", "t_air_mean_c"): 18.3,
    ("900ff", "t_air_min_c"): 1.3, ("900ff", "t_air_max_c"): 44.6, ("900ff", "t_air_mean_c"): 25.2,
    ("950ff", "t_air_min_c"): -13.0, ("950ff", "t_air_max_c"): 36.6, ("950ff", "t_air_mean_c"): 14.7,
}

#: Case pairs whose differences the Standard's results report (sensitivity tests): (case, base).
DELTAS: tuple[tuple[str, str], ...] = (
    ("610", "600"), ("620", "600"), ("630", "620"), ("640", "600"), ("650", "600"), ("900", "600"),
    ("910", "900"), ("920", "900"), ("930", "920"), ("940", "900"), ("950", "900"),
)
