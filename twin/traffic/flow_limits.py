"""Plausible bounds of traffic flows read from files (counts, through traffic), shared by their readers.

Standard library only: :mod:`twin.traffic.counts` (a count on one link) and
:mod:`twin.traffic.mobility` (a row of an external matrix) read them from here, so that both bound
a flow by the same widest road.
"""

from __future__ import annotations

from twin.street_limits import MAX_LANES

MAX_LANE_FLOW_VEH_H = 2400.0
"""Highest flow of one traffic lane, veh/h: the Highway Capacity Manual's capacity of a basic
freeway segment at a free-flow speed of 75 mi/h (2,400 pc/h/ln); urban lanes carry less."""

MAX_ROAD_FLOW_VEH_H = MAX_LANES * MAX_LANE_FLOW_VEH_H
"""Highest flow of the widest road in one direction, veh/h (38,400: :data:`MAX_LANES` lanes at
:data:`MAX_LANE_FLOW_VEH_H`)."""

__all__ = ["MAX_LANES", "MAX_LANE_FLOW_VEH_H", "MAX_ROAD_FLOW_VEH_H"]
