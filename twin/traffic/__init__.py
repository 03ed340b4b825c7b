"""Traffic: network model, TNTP reader, static user-equilibrium assignment.

Dynamic loading and accessibility live in ``twin.traffic.dynamic*`` and ``twin.traffic.access*``.
Importing this package compiles nothing; the Numba kernels load on first use.
"""

from __future__ import annotations

from twin.traffic.assign import ALGORITHMS, assign
from twin.traffic.network import Network
from twin.traffic.results import AssignmentResult, IterationRecord
from twin.traffic.tntp import Demand, read_network, read_nodes, read_trips

__all__ = [
    "ALGORITHMS",
    "AssignmentResult",
    "Demand",
    "IterationRecord",
    "Network",
    "assign",
    "read_network",
    "read_nodes",
    "read_trips",
]
