"""The street links a cyclist uses: ridden where cycling is allowed, the bike pushed where only walking is.

A cyclist who meets a street piece closed to cycling but open to walking (a one-way street
against its direction without a contraflow permission, a footway, a pedestrian square, steps)
gets off and pushes the bike at walking speed rather than being stuck: OSRM's bicycle profile
has the same "pushing bike" mode (its ``walking_speed``, 4 km/h, on footways and against one-way
streets). Without it a building on a one-way street whose only exit leaves the study area could
not reach anything by bike although it can on foot, and the bike 15-minute indicator would fall
below the walking one; with it every building reaches at least what it reaches on foot, since
every walking link is in the bike graph and no slower than on foot.

Both the accessibility graph (:meth:`twin.traffic.access.AccessGraph.from_scene`) and the
mobility model's bike network (:func:`twin.traffic.mobility.build_mode_network`) take their bike
links from :func:`bike_links`, so the 15-minute indicator and the mode choice see the same
streets.

Assumption (documented default): the pushing speed is the walking speed of
:data:`twin.traffic.access.WALK_SPEED_M_S`; OSRM's profile uses 4 km/h (1.11 m/s).

References
----------
* Project OSRM, bicycle profile (``profiles/bicycle.lua``: ``walking_speed``, ``mode.pushing_bike``).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _has_mode(links: Any, mode: str) -> np.ndarray:
    """Rows of ``links`` whose comma-separated ``modes`` contain ``mode`` (bool array)."""
    return links["modes"].fillna("").astype(str).map(lambda s: mode in {x.strip() for x in s.split(",")}).to_numpy(bool)


def bike_links(links: Any, *, push: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of a scene's ``links`` layer a cyclist uses, and on which the bike is pushed.

    Parameters
    ----------
    links
        The scene's links (a frame with a ``modes`` column, comma-separated modes per link).
    push
        If True (default), links open to walking and not to cycling are used too, the bike
        pushed; False: links open to ``bike`` only.

    Returns
    -------
    (used, pushed)
        Boolean arrays over the rows of ``links``: the links of the bike graph, and those of
        them walked with the bike (``pushed`` implies ``used``; never true where ``bike`` is a mode).
    """
    ride = _has_mode(links, "bike")
    pushed = (_has_mode(links, "walk") & ~ride) if push else np.zeros(len(ride), dtype=bool)
    return ride | pushed, pushed
