"""Endings and size limits of input files that the command line checks before loading their readers.

A missing or misnamed file given to ``twin run``, ``twin scenario validate``, ``twin calibrate``
``twin sync update``, ``twin energy simulate``, ``twin soil column|block`` or ``twin solar cadastre`` is refused at once: the check needs these constants, and importing the
module that reads the file (pandas, pydantic: up to a second) only to get them made the error
wait for it, behind a progress line on a loaded machine. A module of constants only: importing
it costs nothing. The readers import them from here (:mod:`twin.calibration.meters`,
:mod:`twin.scenario.scenario_file`, :mod:`twin.scenario.schema`, :mod:`twin.energy.spec`,
:mod:`twin.soil.column`, :mod:`twin.soil.block3d_spec` keep their names).
"""

from __future__ import annotations

#: Endings of a meter file (``--meters``, ``--readings``): a CSV or Parquet table.
METER_SUFFIXES = (".csv", ".parquet", ".pq")

#: Endings of scenario files.
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")

#: Endings that name a CityJSON file whatever it holds; a plain ``.json`` may also be GeoJSON
#: (:data:`twin.io.cityjson_document.CITYJSON_SUFFIXES` adds it).
CITYJSON_NAMED_SUFFIXES = (".city.json", ".cityjson")

#: Largest scenario file read, bytes.
MAX_SCENARIO_BYTES = 4 * 1024**2

#: Largest single-zone energy spec read (``twin energy simulate``), bytes: a spec is a page of YAML.
ENERGY_SPEC_MAX_BYTES = 10 * 1024**2

#: Largest soil column spec read (``twin soil column``), bytes: a measured rain series of a year at 5 min is about 1 MB.
COLUMN_SPEC_MAX_BYTES = 10 * 1024**2

#: Largest soil block spec read (``twin soil block``), bytes.
BLOCK_SPEC_MAX_BYTES = 1024**2

__all__ = ["BLOCK_SPEC_MAX_BYTES", "CITYJSON_NAMED_SUFFIXES", "COLUMN_SPEC_MAX_BYTES", "ENERGY_SPEC_MAX_BYTES", "MAX_SCENARIO_BYTES", "METER_SUFFIXES",
           "SCENARIO_SUFFIXES"]
