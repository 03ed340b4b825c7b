"""Versions in run records: the dist-info folder names read by ``dependency_versions`` give what
``importlib.metadata`` gives, and the cases the folder names cannot decide go to it."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest

from twin.io.run_record import DEPENDENCIES, _dist_info_versions, dependency_versions


def _metadata_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def test_versions_equal_importlib_metadata():
    got = dependency_versions()
    assert {n: got[n] for n in DEPENDENCIES} == {n: _metadata_version(n) for n in DEPENDENCIES}
    assert got["numpy"] is not None  # installed with twin: read from its folder name
    assert "numpy" in _dist_info_versions(DEPENDENCIES)


def _folder(root, name: str, version: str, kind: str = "dist-info", metadata_version: str | None = None):
    d = root / f"{name}-{version}.{kind}"
    d.mkdir()
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {metadata_version or version}\n"
    (d / ("METADATA" if kind == "dist-info" else "PKG-INFO")).write_text(meta)
    return d


def test_folder_names_first_on_path_and_normalised(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    _folder(first, "Py_Yaml_Probe", "1.2.3")  # normalised: py-yaml.probe matches
    _folder(second, "py_yaml_probe", "9.9.9")
    monkeypatch.setattr(sys, "path", [str(first), str(second)])
    assert _dist_info_versions(("py-yaml.probe",)) == {"py-yaml.probe": "1.2.3"}
    assert dependency_versions(("py-yaml.probe", "no_such_probe"))["py-yaml.probe"] == "1.2.3"
    assert dependency_versions(("no_such_probe",))["no_such_probe"] is None


@pytest.mark.parametrize("case", ["two folders", "egg-info first"])
def test_undecided_folders_go_to_importlib_metadata(tmp_path, monkeypatch, case):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    if case == "two folders":
        _folder(first, "probe_pkg", "1.0")
        _folder(first, "probe_pkg", "2.0")
    else:
        _folder(first, "probe_pkg", "3.0", kind="egg-info")
    _folder(second, "probe_pkg", "4.0")
    monkeypatch.setattr(sys, "path", [str(first), str(second)])
    assert _dist_info_versions(("probe_pkg",)) == {}
    asked = []
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda n: asked.append(n) or real(n))
    version = dependency_versions(("probe_pkg",))["probe_pkg"]
    assert asked == ["probe_pkg"]
    assert version == real("probe_pkg")
    assert version in ("1.0", "2.0", "3.0")  # what importlib.metadata reads first, never the later folder

