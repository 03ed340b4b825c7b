"""Helpers shared by the soil tests: a spec (a shipped YAML file or a dict) with some keys changed."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

DELETE = object()
"""A value for :func:`edited` and :func:`edited_spec` that removes the key."""


def edited(spec: dict, changes: dict) -> dict:
    """A deep copy of ``spec`` with ``changes`` applied.

    Keys are dotted paths (``"top.rain.mm"``, ``"layers.0.material"``: a number indexes a list);
    missing mappings on the way are created; the value :data:`DELETE` removes the key.
    """
    raw = copy.deepcopy(spec)
    for key, value in changes.items():
        node = raw
        parts = key.split(".")
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node.setdefault(p, {})
        if value is DELETE:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return raw


def edited_spec(base: Path, tmp_path: Path, changes: dict) -> Path:
    """Write ``base`` (a YAML spec) to ``tmp_path / "spec.yaml"`` with ``changes`` applied (see :func:`edited`)."""
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(edited(yaml.safe_load(base.read_text()), changes)))
    return path
