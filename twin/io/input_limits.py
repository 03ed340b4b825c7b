"""Endings and size limits of input files, and the check of each kind of file that both the command
line (before loading the file's reader) and the reader run.

A missing or misnamed file given to ``twin run``, ``twin scenario validate``, ``twin calibrate``
``twin sync update``, ``twin energy simulate``, ``twin soil column|block`` or ``twin solar cadastre`` is refused at once: the check needs these constants, and importing the
module that reads the file (pandas, pydantic: up to a second) only to get them made the error
wait for it, behind a progress line on a loaded machine. A module of constants only: importing
it costs nothing. The readers import them from here (:mod:`twin.calibration.meters`,
:mod:`twin.scenario.scenario_file`, :mod:`twin.scenario.schema`, :mod:`twin.energy.spec`,
:mod:`twin.soil.column`, :mod:`twin.soil.block3d_spec` keep their names).
"""

from __future__ import annotations

import os
from pathlib import Path

from twin.io.paths import check_input_file

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



def check_scenario_path(path: str | os.PathLike[str]) -> Path:
    """A scenario file exists, is a regular file, ends in one of :data:`SCENARIO_SUFFIXES` and is at
    most :data:`MAX_SCENARIO_BYTES` (``twin run``, ``twin scenario validate``, ``twin batch`` before
    the scenario modules are imported; :func:`twin.scenario.scenario_file.read_scenario_data`).

    Raises
    ------
    InputError
        Missing, unreadable or another ending (ResourceLimitError: too large; UnsafePathError: a
        folder, a device or a pipe); the message names the path as given.
    """
    return check_input_file(path, suffixes=SCENARIO_SUFFIXES, max_bytes=MAX_SCENARIO_BYTES, what="scenario file")


def check_energy_spec_path(path: str | os.PathLike[str]) -> Path:
    """A single-zone energy spec file, as :func:`check_scenario_path` (``twin energy simulate``;
    :func:`twin.energy.spec.load_spec`): at most :data:`ENERGY_SPEC_MAX_BYTES`, any ending."""
    return check_input_file(path, max_bytes=ENERGY_SPEC_MAX_BYTES, what="spec")


def check_column_spec_path(path: str | os.PathLike[str]) -> Path:
    """A soil column spec file (``twin soil column``): YAML, at most :data:`COLUMN_SPEC_MAX_BYTES`."""
    return check_input_file(path, suffixes=(".yaml", ".yml"), max_bytes=COLUMN_SPEC_MAX_BYTES, what="column spec")


def check_block_spec_path(path: str | os.PathLike[str]) -> Path:
    """A soil block spec file (``twin soil block``; :func:`twin.soil.block3d_spec.block_command`):
    YAML, at most :data:`BLOCK_SPEC_MAX_BYTES`."""
    return check_input_file(path, suffixes=(".yaml", ".yml"), max_bytes=BLOCK_SPEC_MAX_BYTES, what="block spec")


__all__ = ["BLOCK_SPEC_MAX_BYTES", "CITYJSON_NAMED_SUFFIXES", "COLUMN_SPEC_MAX_BYTES", "ENERGY_SPEC_MAX_BYTES", "MAX_SCENARIO_BYTES", "METER_SUFFIXES",
           "SCENARIO_SUFFIXES", "check_block_spec_path", "check_column_spec_path", "check_energy_spec_path", "check_scenario_path"]
