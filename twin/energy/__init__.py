"""Building energy: the ISO 13790 hourly 5R1C model for single zones and whole building stocks.

* :mod:`twin.energy.inputs`: :class:`StockInputs` (per-building constants) and
  :class:`Drivers` (shared hourly weather, irradiance per surface group, schedules).
* :mod:`twin.energy.simulate`: :func:`simulate_stock` runs the Numba kernel
  (:mod:`twin.kernels.energy_5r1c`) and returns tidy results.
* :mod:`twin.energy.solar`: sun position, plane-of-array irradiance, window angular
  transmittance, overhang/fin and horizon shading, the standard surface-group drivers.
* :mod:`twin.energy.spec`: the single-zone YAML spec (``twin energy simulate``).

Heavy modules are imported on first use of the names re-exported here.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "StockInputs": "twin.energy.inputs",
    "Drivers": "twin.energy.inputs",
    "STANDARD_GROUPS": "twin.energy.inputs",
    "simulate_stock": "twin.energy.simulate",
    "StockResults": "twin.energy.simulate",
}

__all__ = ["STANDARD_GROUPS", "Drivers", "StockInputs", "StockResults", "simulate_stock"]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'twin.energy' has no attribute {name!r}")
