"""Heat generators a building may have, and the final-energy carrier of each.

One list for every layer: ingest checks a building's ``heating_system`` against it (overrides
table, GIS column, CityJSON attribute) without importing an engine, and the energy accounts
(:mod:`twin.energy.results`, which re-exports both tables) compute final energy per carrier
from it.
"""

from __future__ import annotations

__all__ = ["OPT_IN_SYSTEMS", "SYSTEMS", "all_systems"]

#: Heat generators of the accounts (``env['system']``) and the final-energy carrier of each.
SYSTEMS: dict[str, str] = {
    "gas_boiler": "gas",
    "gas_boiler_condensing": "gas",
    "oil_boiler": "oil",
    "electric_direct": "electricity",
    "heat_pump": "electricity",
    "heat_pump_air_35": "electricity",
    "heat_pump_air_55": "electricity",
    "heat_pump_ground_35": "electricity",
    "heat_pump_ground_55": "electricity",
}

#: Opt-in systems of :mod:`twin.energy.systems` (accounts and measures only; the Monte Carlo
#: priors and the calibration's meters know :data:`SYSTEMS`) and their carrier.
OPT_IN_SYSTEMS: dict[str, str] = {
    "district_heating": "district_heat",
    "gas_boiler_partload": "gas",
    "gas_boiler_condensing_partload": "gas",
    "oil_boiler_partload": "oil",
}


def all_systems() -> tuple[str, ...]:
    """Every heat generator a building may declare: :data:`SYSTEMS`, then :data:`OPT_IN_SYSTEMS`."""
    return (*SYSTEMS, *OPT_IN_SYSTEMS)
