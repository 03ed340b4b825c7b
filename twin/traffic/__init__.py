"""Traffic: network model, TNTP reader, static user-equilibrium assignment.

Dynamic loading and accessibility live in ``twin.traffic.dynamic*`` and ``twin.traffic.access*``.
Importing this package imports neither NumPy nor the engines (nor compiles anything): the modules
behind the names re-exported here load on their first use, so a light submodule (a command's
checks) can be imported alone.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType

_EXPORTS = {
    "ALGORITHMS": "twin.traffic.assign",
    "assign": "twin.traffic.assign",
    "Network": "twin.traffic.network",
    "AssignmentResult": "twin.traffic.results",
    "IterationRecord": "twin.traffic.results",
    "Demand": "twin.traffic.tntp",
    "read_network": "twin.traffic.tntp",
    "read_nodes": "twin.traffic.tntp",
    "read_trips": "twin.traffic.tntp",
}

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


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'twin.traffic' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(ModuleType):
    """``twin.traffic.assign`` stays the function, as when this package imported it eagerly: the
    import system binds a submodule to its package's attribute of the same name once the submodule
    is loaded, which would leave ``from twin.traffic import assign`` the module ``twin.traffic.assign``."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _EXPORTS and isinstance(value, ModuleType):
            return  # the submodule stays reachable as sys.modules["twin.traffic.assign"] and by 'from twin.traffic.assign import ...'
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
