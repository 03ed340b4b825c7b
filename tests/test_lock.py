"""The install is reproducible: constraints.txt pins what the tests run on, within pyproject's ranges.

Under CI (installed by ``scripts/test.sh`` with ``-c constraints.txt``) every installed package
must have its pinned version; everywhere, every pin must satisfy the ranges ``pyproject.toml``
declares, so the lock and the ranges never contradict each other.
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"constraints.txt: not an exact pin: {line!r}"
        pins[canonicalize_name(m.group(1))] = Version(m.group(2))
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        reqs += [Requirement(r) for r in extra if not r.startswith("twin[")]
    return reqs


def test_every_dependency_is_pinned_inside_its_range():
    pins = _pins()
    for req in _requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is a dependency but constraints.txt does not pin it"
        assert pins[name] in req.specifier, f"constraints.txt pins {req.name}=={pins[name]}, outside pyproject's {req.specifier}"


def test_every_runtime_dependency_has_an_upper_bound():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    unbounded = [r for r in project["dependencies"] if not any(s.operator in ("<", "<=", "==", "~=") for s in Requirement(r).specifier)]
    assert not unbounded, f"no tested upper bound: {unbounded}"


def test_installed_versions_are_the_pinned_ones():
    if not os.environ.get("CI"):
        pytest.skip("checked under CI, where scripts/test.sh installs with -c constraints.txt")
    wrong = []
    for name, version in _pins().items():
        try:
            have = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            continue  # an extra this install did not ask for
        if have != version:
            wrong.append(f"{name} {have} (lock {version})")
    assert not wrong, "installed versions differ from constraints.txt: " + ", ".join(wrong)
