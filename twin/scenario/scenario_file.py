"""Reading a scenario file into plain data (the schema checks it: :func:`twin.scenario.schema.parse_scenario`).

A scenario file is YAML (``.yaml``, ``.yml``) or JSON (``.json``), the same schema and the same
checks either way: YAML is a superset of JSON, but a JSON file is read by the JSON parser, so a
tab-indented JSON file (which YAML refuses) reads and the errors point at JSON lines. The JSON
constants ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON numbers (RFC 8259) and are refused.
The file must be a regular file of at most :data:`twin.scenario.schema.MAX_SCENARIO_BYTES` (a
pipe or a device is refused before it is opened), UTF-8 text, safe YAML (no tags, no Python
objects).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from twin.errors import ScenarioError
from twin.io.input_limits import SCENARIO_SUFFIXES  # light: the command line checks a path before importing this module


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _json(text: str, path: Path) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"not valid JSON: {exc.msg}", path=path, obj=f"line {exc.lineno}, column {exc.colno}") from None
    except ValueError as exc:  # a NaN / Infinity constant
        raise ScenarioError(f"not valid JSON: {exc}", path=path) from None


def _yaml(text: str, path: Path) -> Any:
    from twin.io.yaml_file import unique_key_loader

    try:
        return yaml.load(text, Loader=unique_key_loader())  # a safe loader that refuses a key given twice
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"not valid (safe) YAML: {problem}", path=path, obj=where) from None


def read_scenario_data(path: str | os.PathLike[str]) -> Any:
    """The data of scenario file ``path`` (YAML or JSON by its ending), not yet checked by the schema.

    Raises
    ------
    ScenarioError
        Not a regular file with one of :data:`SCENARIO_SUFFIXES`, too large, not UTF-8, not valid
        YAML / JSON (line and column given), nested too deeply to be parsed.
    """
    from twin.io.input_limits import check_scenario_path
    from twin.scenario.schema import MAX_NESTING_DEPTH

    path = Path(path)
    check_scenario_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror or exc}", path=path) from None
    try:
        return _json(text, path) if path.suffix.lower() == ".json" else _yaml(text, path)
    except RecursionError:
        raise ScenarioError(f"nested too deeply to be read (a scenario needs at most 8 levels; the limit is {MAX_NESTING_DEPTH})", path=path) from None


__all__ = ["SCENARIO_SUFFIXES", "read_scenario_data"]
