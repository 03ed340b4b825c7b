"""Bounds of a street link's lanes and free speed, shared by every layer that sets them.

The street ingest (:mod:`twin.ingest.streets`: a ``lanes`` or ``maxspeed`` tag beyond them is not
used, the class default applies and a note says so), the scenario schema's ``change_streets``
(:mod:`twin.scenario.schema`) and the traffic what-ifs (:mod:`twin.traffic.whatif`) read them
from here, so a value one of them accepts is never refused by another. A module of constants
only: importing it costs nothing (the scenario schema is imported by ``twin --help``).
"""

from __future__ import annotations

MAX_LANES = 16
"""Most lanes of one street link in one direction. The widest motorways carry 10-12 lanes per
direction (e.g. the Katy Freeway, Houston: 26 lanes in all with its frontage roads);
OpenStreetMap's ``lanes`` counts both directions of a two-way way (half each at ingest)."""

MAX_FREE_SPEED_M_S = 60.0
"""Highest free-flow speed of a street link, m/s (216 km/h): above any posted limit (the highest
are 160 km/h; Belgian motorways 120 km/h)."""

__all__ = ["MAX_FREE_SPEED_M_S", "MAX_LANES"]
