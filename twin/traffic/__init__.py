"""Traffic: network model, TNTP reader, static user-equilibrium assignment.

Dynamic loading and accessibility live in ``twin.traffic.dynamic*`` and ``twin.traffic.access*``.
"""

from __future__ import annotations

from twin.traffic.network import Network

__all__ = ["Network"]
