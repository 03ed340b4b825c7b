"""Entry capacity of a roundabout (HCM 2010 chapter 21), and which links are a roundabout's ring.

Method
------
At circulating flow ``v_c`` (veh/h, the flow of the ring in front of the entry) the capacity of
an entry lane is ``1130 exp(-b v_c)`` veh/h with

* one circulating lane: ``b`` = 1.0e-3 h/veh for a one-lane entry (Eq. 21-1) and for each lane
  of a two-lane entry (Eq. 21-2);
* two circulating lanes: ``b`` = 0.7e-3 for a one-lane entry (Eq. 21-3) and for the right lane of
  a two-lane entry (Eq. 21-4), 0.75e-3 for its left lane (Eq. 21-5);

and the entry's capacity is the sum over its lanes (the entry's flow split between its lanes
so that both reach capacity together: HCM's equal lane use, no lane-use imbalance), floored at
:data:`MIN_CAPACITY_VEH_H`. 3 lanes or more use the two-lane formulas (HCM 2010 has none for
more). HCM 2010 rather than the 6th edition's recalibrated ``1380 exp(-1.02e-3 v_c)`` (Eq. 22-1;
22 % more at ``v_c = 0``, 21 % at 500; its multi-lane Eq. 22-2 to 22-5 are likewise higher): the
same edition as the two-way stop method of :mod:`twin.traffic.priority` and as the delay
equation, and the lower (more cautious) capacity: how Brussels drivers' gaps compare with either
US data set is not known. Both are in pc/h, read here as veh/h (cars only).

A link is part of a ring where its OSM ``junction`` is ``roundabout`` or ``circular``
(:data:`RING_JUNCTIONS`, the scene links' ``junction`` column). Which approaches are entries,
their lanes and the ring's, and the control delay (HCM 2010 Eq. 21-17) are
:mod:`twin.traffic.priority`'s; the dynamic-loading kernel (:mod:`twin.kernels.give_way`) uses
the constants here.

References
----------
Transportation Research Board (2010). *Highway Capacity Manual 2010*, chapter 21, Roundabouts,
Eq. 21-1 to 21-5. Washington, DC.

Transportation Research Board (2016). *Highway Capacity Manual, 6th edition*, chapter 22,
Roundabouts, Eq. 22-1 to 22-5 (not used; see above).

Limits: equal lane use (no lane-use imbalance, no lane for one movement), 3+ lanes count as 2,
no exiting-flow or pedestrian effect.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from twin.errors import InputError

MIN_CAPACITY_VEH_H = 10.0
"""Floor of a give-way capacity, veh/h (a roundabout entry's here, and the potential capacity of
:func:`twin.traffic.priority.potential_capacity`): at higher conflicting flows a minor stream is
all but blocked (3600 / c = 360 s at the floor); keeps the delay finite."""
RING_JUNCTIONS = ("roundabout", "circular")
"""OSM ``junction`` values of a roundabout's ring (the scene links' ``junction`` column)."""
ROUNDABOUT_INTERCEPT_VEH_H = 1130.0
"""Capacity of a single-lane roundabout entry at zero circulating flow, veh/h (HCM 2010 Eq. 21-1)."""
ROUNDABOUT_DECAY_H_VEH = 1.0e-3
"""Exponential decay of an entry lane's capacity with the flow of one circulating lane, h/veh
(HCM 2010 Eq. 21-1; each lane of a two-lane entry, Eq. 21-2)."""
ROUNDABOUT_DECAY_TWO_H_VEH = 0.7e-3
"""Decay against two circulating lanes of a one-lane entry (HCM 2010 Eq. 21-3) and of the right
lane of a two-lane entry (Eq. 21-4), h/veh."""
ROUNDABOUT_DECAY_TWO_LEFT_H_VEH = 0.75e-3
"""Decay against two circulating lanes of the left lane of a two-lane entry (HCM 2010 Eq. 21-5), h/veh."""
ROUNDABOUT_MAX_LANES = 2
"""Entry and circulating lanes beyond this count as this many (HCM 2010 has formulas up to two)."""


def roundabout_capacity(circulating_veh_h: np.ndarray, entry_lanes: Any = 1, circulating_lanes: Any = 1) -> np.ndarray:
    """Capacity (veh/h) of a roundabout entry at circulating flow ``v_c`` (module docstring).

    Parameters
    ----------
    circulating_veh_h
        Circulating flow ``v_c`` in front of each entry, veh/h (finite, >= 0).
    entry_lanes, circulating_lanes
        Lanes of each entry and of the ring in front of it (whole numbers >= 1, broadcast with
        ``circulating_veh_h``; more than :data:`ROUNDABOUT_MAX_LANES` count as that many).

    Returns
    -------
    numpy.ndarray
        The sum over the entry's lanes of ``1130 exp(-b v_c)`` (HCM 2010 Eq. 21-1 to 21-5),
        floored at :data:`MIN_CAPACITY_VEH_H`; one lane against one: ``1130 exp(-1.0e-3 v_c)``.

    Raises
    ------
    InputError
        A negative or non-finite flow; a lane count that is not a whole number >= 1.
    """
    vc = np.asarray(circulating_veh_h, dtype=np.float64)
    if not np.all(np.isfinite(vc) & (vc >= 0)):
        raise InputError("circulating flows must be finite and >= 0", field="conflicting_flow")
    ne = np.minimum(lane_counts(entry_lanes, "entry_lanes"), ROUNDABOUT_MAX_LANES)
    nc = np.minimum(lane_counts(circulating_lanes, "circulating_lanes"), ROUNDABOUT_MAX_LANES)
    one = ROUNDABOUT_INTERCEPT_VEH_H * np.exp(-ROUNDABOUT_DECAY_H_VEH * vc)  # Eq. 21-1, each lane of Eq. 21-2
    right = ROUNDABOUT_INTERCEPT_VEH_H * np.exp(-ROUNDABOUT_DECAY_TWO_H_VEH * vc)  # Eq. 21-3, 21-4
    left = ROUNDABOUT_INTERCEPT_VEH_H * np.exp(-ROUNDABOUT_DECAY_TWO_LEFT_H_VEH * vc)  # Eq. 21-5
    c = np.where(nc == 1, ne * one, np.where(ne == 1, right, right + left))
    return np.maximum(c, MIN_CAPACITY_VEH_H)


def lane_counts(lanes: Any, field: str) -> np.ndarray:
    """``lanes`` as int64, each a whole number >= 1.

    Parameters
    ----------
    lanes
        A lane count or an array of them.
    field
        The name of the setting, for the error.

    Returns
    -------
    numpy.ndarray
        The counts as int64, in the shape of ``lanes``.

    Raises
    ------
    InputError
        A count that is not a whole number >= 1 (naming ``field``).
    """
    value = np.asarray(lanes, dtype=np.float64)
    bad = ~(np.isfinite(value) & (value >= 1) & (value == np.floor(value)))
    if np.any(bad):
        raise InputError(f"a lane count must be a whole number >= 1, got {value[bad].flat[0]:g}", field=field)
    return value.astype(np.int64)


def ring_links(junction: Iterable[Any]) -> np.ndarray:
    """True per link whose ``junction`` value is a roundabout's ring (:data:`RING_JUNCTIONS`)."""
    return np.array([str(v).strip().lower() in RING_JUNCTIONS if v is not None else False for v in junction], dtype=bool)


__all__ = ["MIN_CAPACITY_VEH_H", "RING_JUNCTIONS", "ROUNDABOUT_DECAY_H_VEH", "ROUNDABOUT_DECAY_TWO_H_VEH", "ROUNDABOUT_DECAY_TWO_LEFT_H_VEH",
           "ROUNDABOUT_INTERCEPT_VEH_H", "ROUNDABOUT_MAX_LANES", "lane_counts", "ring_links", "roundabout_capacity"]  # fmt: skip
