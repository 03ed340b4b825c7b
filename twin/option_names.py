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

# -- energy -------------------------------------------------------------------------------------

FORMATS = ("parquet", "csv")
"""Output formats of the tables of ``twin energy run`` (:data:`twin.energy.stock.FORMATS`)."""

DHW_MODELS = ("typology", "by_use")
"""Hot-water need models: TABULA's q_w_nd per m2 (default) or litres per person by use
(:data:`twin.energy.hot_water.DHW_MODELS`)."""
