"""Source and rule columns of building attributes, and the legacy ``*_defaulted`` flags.

Every attribute ``p`` the stock tracks has a value column, a ``p_source`` column (one of
:data:`twin.scene.provenance.SOURCES`) and, for the attributes inference can set, a ``p_rule``
column naming what decided the value (``tag:building:levels``, ``name:religious``,
``poi:amenity=place_of_worship``, ``neighbours``, ``default:untagged<150m2`` ...).

The legacy boolean flags (``use_defaulted``, ``height_defaulted``, ``storeys_defaulted``,
``year_defaulted``) are True where the source is ``inferred`` or ``default``: the value is not
what a source file or a user gave for this building. That is what they meant before sources
existed (storeys computed from a height were flagged), and it keeps the CityJSON export from
writing an inferred value as if it had been measured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.scene.provenance import KNOWN_SOURCES, LEGACY_FLAGS, rule_column, source_column

KNOWN: tuple[str, ...] = KNOWN_SOURCES
"""Sources that count as evidence about the building itself (:data:`twin.scene.provenance.KNOWN_SOURCES`)."""

RULE_ATTRIBUTES: tuple[str, ...] = ("use", "ground_floor_use", "height_m", "n_storeys", "construction_year")
"""Attributes that carry a ``<attribute>_rule`` column."""

EXTRA_ATTRIBUTES: tuple[str, ...] = ("ground_floor_use", "roof_kind", "roof_levels", "min_level", "min_height_m")
"""Attributes added to the four of :data:`twin.scene.provenance.BUILDING_PARAMETERS`."""

def put(frame: pd.DataFrame, name: str, values) -> None:
    """Set column ``name`` in place; object arrays stay object columns (pandas would otherwise
    convert text to its Arrow string type, a cost of ~15 ms per 200k-row column)."""
    arr = np.asarray(values)
    if arr.dtype == object:
        frame[name] = pd.Series(arr, index=frame.index, dtype=object)
    else:
        frame[name] = arr


def is_known(sources: np.ndarray | pd.Series) -> np.ndarray:
    """True where the source is evidence about the building itself (data, user, calibrated)."""
    return pd.Series(np.asarray(sources, dtype=object), dtype=object).isin(KNOWN).to_numpy(dtype=bool)


def set_legacy_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Set every ``*_defaulted`` flag from its source column (True for inferred or default), in place."""
    for attribute, flag in LEGACY_FLAGS.items():
        col = source_column(attribute)
        if col in frame:
            frame[flag] = frame[col].isin(("inferred", "default")).to_numpy(dtype=bool)
    return frame


__all__ = ["EXTRA_ATTRIBUTES", "KNOWN", "RULE_ATTRIBUTES", "is_known", "put", "rule_column", "set_legacy_flags"]
