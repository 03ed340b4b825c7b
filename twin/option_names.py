"""The names the engines' command-line options take, importable without the engines.

``twin energy run nope --format csv`` imported :mod:`twin.energy.stock` (pandas, about a second)
to check ``csv`` against its formats before the missing scene was refused: the option checks of
:func:`twin.cli.choices.choice` import the module that holds the names. The engines keep these
names under their own (each module imports its constant from here), and the command line reads
them here. A module of constants (and one string check) only: it imports nothing heavy, like
:mod:`twin.street_limits`. Traffic's names are not in a module of :mod:`twin.traffic`: importing
that package imports its assignment (NumPy). Only names: a constant that is also a model's data
(the modes' speeds, the periods' windows, where each service category is looked for) stays in its
engine, and its option is checked there.
"""

from __future__ import annotations

# -- energy -------------------------------------------------------------------------------------

FORMATS = ("parquet", "csv")
"""Output formats of the tables of ``twin energy run`` (:data:`twin.energy.stock.FORMATS`)."""

DHW_MODELS = ("typology", "by_use")
"""Hot-water need models: TABULA's q_w_nd per m2 (default) or litres per person by use
(:data:`twin.energy.hot_water.DHW_MODELS`)."""

ZONE_MODELS = ("5r1c", "iso52016")
"""Zone models a stock (or scenario) can name; ``5r1c`` is the default
(:data:`twin.energy.stock_iso52016.MODELS`)."""

CONTROL_TEMPERATURES = ("air", "operative")
"""Temperatures the setpoints of the ISO 52016-1 model can apply to
(:data:`twin.energy.stock_iso52016.CONTROL_TEMPERATURES`)."""

EXTERIOR_CONVECTION = ("fixed", "doe2")
"""Exterior surface models of the ISO 52016-1 network (:data:`twin.energy.iso52016.EXTERIOR_CONVECTION`)."""

TERRAINS = ("country", "suburbs", "city", "ocean", "urban")
"""Site terrains of the DOE-2 exterior convection: the keys of :data:`twin.energy.iso52016.TERRAIN`
(the wind profile of each stays there)."""

ROUGHNESSES = ("very_rough", "rough", "medium_rough", "medium_smooth", "smooth", "very_smooth")
"""Surface roughnesses of the DOE-2 exterior convection: the keys of
:data:`twin.energy.iso52016.ROUGHNESS_RF` (the multiplier of each stays there)."""

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

SPLITS = ("equal", "capacity", "flows")
"""Green split rules of :class:`twin.traffic.signals.SignalTiming` (``split``)."""


# -- solar --------------------------------------------------------------------------------------

METHODS = ("exact", "horizon")
"""Irradiance methods of ``twin solar cadastre --method`` (:data:`twin.solar.irradiance.METHODS`):
a sun ray per sensor and hour, or horizon profiles."""

SHAPES = ("flat", "gabled", "hipped", "pyramidal", "skillion")
"""Roof shapes built as such; others are approximated as flat (:data:`twin.solar.footprints.SHAPES`)."""
