"""Helpers shared by the soil tests: a shipped YAML spec with some keys changed."""

from __future__ import annotations

from pathlib import Path

import yaml

DELETE = object()
"""A value for :func:`edited_spec` that removes the key."""


def edited_spec(base: Path, tmp_path: Path, changes: dict) -> Path:
    """Write ``base`` (a YAML spec) to ``tmp_path / "spec.yaml"`` with ``changes`` applied.

    Keys are dotted paths (``"top.rain.mm"``, ``"layers.0.material"``: a number indexes a list);
    missing mappings on the way are created; the value :data:`DELETE` removes the key.
    """
    raw = yaml.safe_load(base.read_text())
    for key, value in changes.items():
        node = raw
        parts = key.split(".")
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node.setdefault(p, {})
        if value is DELETE:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path
