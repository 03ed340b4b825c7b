"""twin: an urban digital twin.

Ingest BIM/IFC and GIS layers into one spatial scene graph, run Numba kernels for building
energy, traffic and soil water, and compare what-if scenarios with a baseline.

Heavy libraries (geopandas, ifcopenshell, numba, pyvista) are imported lazily: ``import twin``
is cheap, and so is ``twin --help``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from twin.errors import TwinError

__version__ = "0.1.0"

#: Names of ``twin`` imported on first use. ``twin.ingest`` is not one of them: it is the
#: subpackage (``from twin.ingest import ingest``), and a lazy function of the same name would
#: be the function on first use and the subpackage once any ``twin.ingest.*`` module is imported.
_LAZY = {
    "Scene": "twin.scene",
    "read_epw": "twin.io.epw",
}

#: Subpackages reachable as attributes after a bare ``import twin`` (imported on first use).
_SUBPACKAGES = frozenset({"ingest"})

if TYPE_CHECKING:  # pragma: no cover
    from twin.scene import Scene


def __getattr__(name: str):
    if name in _LAZY:
        module = import_module(_LAZY[name])
        return getattr(module, name)
    if name in _SUBPACKAGES:  # ``twin.ingest`` after a bare ``import twin``
        return import_module(f"twin.{name}")
    raise AttributeError(f"module 'twin' has no attribute {name!r}")


__all__ = ["Scene", "TwinError", "__version__", "read_epw"]
