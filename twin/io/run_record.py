"""What a result folder says about how it was made: versions, and a manifest of its files.

:func:`dependency_versions` gives the versions of Python, twin and the libraries whose
behaviour shapes the numbers (read from the installed distributions' metadata, nothing is
imported). :func:`file_manifest` lists every file of a folder with its size and SHA-256, so a
reader (or a test) can check that a folder is one complete result: :func:`verify_manifest`.
"""

from __future__ import annotations

import hashlib
import os
import platform
from pathlib import Path

#: Distributions recorded with every run (import name differences do not matter: these are
#: the names on the package index).
DEPENDENCIES = (
    "numpy", "pandas", "numba", "scipy", "geopandas", "shapely", "pyproj", "pyogrio", "pyarrow",
    "xarray", "typer", "click", "pydantic", "pyyaml", "ifcopenshell",
)


def dependency_versions(names: tuple[str, ...] = DEPENDENCIES) -> dict[str, str | None]:
    """Versions of Python, twin and ``names`` (None for a distribution that is not installed).

    Returns
    -------
    dict
        ``{"python": "3.11.9", "twin": "0.1.0", "numpy": "2.1.3", ...}``
    """
    from importlib import metadata

    import twin

    versions: dict[str, str | None] = {"python": platform.python_version(), "twin": twin.__version__}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_manifest(folder: str | os.PathLike[str], *, exclude: tuple[str, ...] = ()) -> dict[str, dict]:
    """Every regular file under ``folder``: relative POSIX path -> ``{"bytes", "sha256"}``.

    Parameters
    ----------
    exclude
        Relative paths left out (e.g. the record that holds the manifest).
    """
    folder = Path(folder)
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel in exclude or not path.is_file() or path.is_symlink():
            continue
        out[rel] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    return out


def verify_manifest(folder: str | os.PathLike[str], manifest: dict[str, dict], *, exclude: tuple[str, ...] = ()) -> list[str]:
    """Differences between ``folder`` and ``manifest`` (empty list: the folder is that result).

    Returns
    -------
    list of str
        ``"missing X"``, ``"extra X"``, ``"changed X"`` entries.
    """
    found = file_manifest(folder, exclude=exclude)
    problems = [f"missing {k}" for k in manifest if k not in found]
    problems += [f"extra {k}" for k in found if k not in manifest]
    problems += [f"changed {k}" for k in manifest if k in found and found[k]["sha256"] != manifest[k]["sha256"]]
    return problems


__all__ = ["DEPENDENCIES", "dependency_versions", "file_manifest", "verify_manifest"]
