"""Building energy: the ISO 13790 hourly 5R1C model for single zones and whole building stocks.

* :mod:`twin.energy.inputs`: :class:`StockInputs` (per-building constants) and
  :class:`Drivers` (shared hourly weather, irradiance per surface group, schedules).
* :mod:`twin.energy.simulate`: :func:`simulate_stock` runs the Numba kernel
  (:mod:`twin.kernels.energy_5r1c`) and returns tidy results.
* :mod:`twin.energy.solar`: sun position, plane-of-array irradiance, window angular
  transmittance, overhang/fin and horizon shading, the standard surface-group drivers.
* :mod:`twin.energy.spec`: the single-zone YAML spec (``twin energy simulate``).
* :mod:`twin.energy.stock`: :func:`run_stock` and :func:`what_if` on a scene's building stock
  (TABULA typology, measures, energy accounts; ``twin energy run``).

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
    "steady_state_h_tr_w_k": "twin.energy.simulate",
    "run_stock": "twin.energy.stock",
    "what_if": "twin.energy.stock",
}

__all__ = [
    "STANDARD_GROUPS",
    "Drivers",
    "StockInputs",
    "StockResults",
    "run_stock",
    "simulate_stock",
    "steady_state_h_tr_w_k",
    "what_if",
]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'twin.energy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
