"""The names the engines' command-line options take, importable without the engines.

``twin energy run nope --format csv`` imported :mod:`twin.energy.stock` (pandas, about a second)
to check ``csv`` against its formats before the missing scene was refused: the option checks of
:func:`twin.cli.choices.choice` import the module that holds the names. The engines keep these
names under their own (each module imports its constant from here), and the command line reads
them here. A module of constants (and one string check) only: it imports nothing heavy, like
:mod:`twin.street_limits`. Traffic's names are not in a module of :mod:`twin.traffic`: importing
that package imports its assignment (NumPy).
"""

from __future__ import annotations

from typing import Any

# -- energy -------------------------------------------------------------------------------------

FORMATS = ("parquet", "csv")
"""Output formats of the tables of ``twin energy run`` (:data:`twin.energy.stock.FORMATS`)."""

DHW_MODELS = ("typology", "by_use")
"""Hot-water need models: TABULA's q_w_nd per m2 (default) or litres per person by use
(:data:`twin.energy.hot_water.DHW_MODELS`)."""

# -- traffic ------------------------------------------------------------------------------------

ALGORITHMS = ("fw", "cfw", "bfw", "b")
"""Static assignment algorithms (:data:`twin.traffic.assign.ALGORITHMS`)."""

ALGORITHM_ALIASES = {
    "frank-wolfe": "fw",
    "frankwolfe": "fw",
    "conjugate": "cfw",
    "biconjugate": "bfw",
    "bi-conjugate": "bfw",
    "algorithm-b": "b",
    "algorithmb": "b",
    "bush": "b",
}
"""Other spellings of :data:`ALGORITHMS` that :func:`algorithm_name` takes."""


def algorithm_name(name: str) -> str:
    """Canonical algorithm name (``fw``, ``cfw``, ``bfw``, ``b``); raises InputError otherwise
    (:func:`twin.traffic.assign.algorithm_name`)."""
    from twin.errors import InputError

    key = name.strip().lower()
    key = ALGORITHM_ALIASES.get(key, key)
    if key not in ALGORITHMS:
        raise InputError(f"unknown algorithm {name!r}; use one of {', '.join(ALGORITHMS)}", field="algorithm")
    return key


ESTIMATION_METHODS = ("zonal", "gls", "zonal+gls", "structured")
"""The ``method`` values of :func:`twin.traffic.counts.estimate_od` (``twin traffic estimate-od --method``)."""

CLI_ROUTES = ("duo", "free_flow", "equilibrium")
"""Route choices of ``twin traffic simulate`` (``fixed`` needs splitting rates, a Python-only input)."""

PERIODS: dict[str, dict[str, Any]] = {
    "am_peak": {"share": "am_peak_hour_share", "home": "am_from_home_share", "through": "through_share_am", "window_s": (8 * 3600.0, 9 * 3600.0)},
    "off_peak": {"share": "off_peak_hour_share", "home": "off_peak_from_home_share", "through": "through_share_off_peak", "window_s": (11 * 3600.0, 12 * 3600.0)},
}
"""Periods of ``twin traffic mobility`` (:data:`twin.traffic.mobility.PERIODS`): the mobility
defaults' columns of each and its hour window, s."""

SPLITS = ("equal", "capacity", "flows")
"""Green split rules of :class:`twin.traffic.signals.SignalTiming` (``split``)."""

WALK_SPEED_M_S = 1.33
"""Walking speed, m/s (4.8 km/h)."""
BIKE_SPEED_M_S = 4.2
"""Cycling speed, m/s (15 km/h)."""
MODE_SPEEDS_M_S: dict[str, float | None] = {"walk": WALK_SPEED_M_S, "bike": BIKE_SPEED_M_S, "car": None}
"""Speed of each mode of ``twin traffic access --mode``, m/s (car: the street's free speed)."""

SERVICE_SOURCES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "school": (("pois", "category", ("school",)), ("landcover", "cover_class", ("school",)), ("buildings", "use", ("education", "school"))),
    "park": (("pois", "category", ("park",)), ("landcover", "cover_class", ("park",))),
    "playground": (("pois", "category", ("playground",)), ("landcover", "cover_class", ("playground",))),
    "shop": (("pois", "category", ("shop", "supermarket", "convenience")), ("buildings", "use", ("retail",))),
    "health": (("pois", "category", ("health", "doctors", "pharmacy", "clinic", "hospital")), ("buildings", "use", ("health",))),
}
"""Where each service category is looked for: (layer, column, values). Other categories need a
layer of one's own (``services=`` of :func:`twin.traffic.access.fifteen_minute_city`, Python only)."""

# -- solar --------------------------------------------------------------------------------------

METHODS = ("exact", "horizon")
"""Irradiance methods of ``twin solar cadastre --method`` (:data:`twin.solar.irradiance.METHODS`):
a sun ray per sensor and hour, or horizon profiles."""

SHAPES = ("flat", "gabled", "hipped", "pyramidal", "skillion")
"""Roof shapes built as such; others are approximated as flat (:data:`twin.solar.footprints.SHAPES`)."""
