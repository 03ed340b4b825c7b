"""The vocabulary of priority signs from the data, shared by the ingest and the give-way model.

The OSM ingest (:mod:`twin.ingest.priority_signs`) writes these values in the scene's
``priority_sign`` columns; the give-way model (:mod:`twin.traffic.priority`) reads them. Kept
here, below both layers, so the ingest need not import the traffic model.
"""

from __future__ import annotations

APPROACH_SIGNS = ("give_way", "stop")
"""Priority signs of an approach link from the data (the scene links' ``priority_sign``)."""
NODE_SIGNS = ("mini_roundabout", "all_way_stop")
"""Priority signs of a junction node from the data (the scene nodes' ``priority_sign``)."""

__all__ = ["APPROACH_SIGNS", "NODE_SIGNS"]
