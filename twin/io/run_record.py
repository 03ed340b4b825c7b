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
import re
import sys
from pathlib import Path

#: Distributions recorded with every run (import name differences do not matter: these are
#: the names on the package index).
DEPENDENCIES = (
    "numpy", "pandas", "numba", "scipy", "geopandas", "shapely", "pyproj", "pyogrio", "pyarrow",
    "xarray", "typer", "click", "pydantic", "pyyaml", "ifcopenshell",
)


def dependency_versions(names: tuple[str, ...] = DEPENDENCIES) -> dict[str, str | None]:
    """Versions of Python, twin and ``names`` (None for a distribution that is not installed).

    A distribution's version is read from the name of its ``NAME-VERSION.dist-info`` folder, the
    first on ``sys.path`` (the folder :func:`importlib.metadata.version` would read; the wheel
    format puts the version in that name), without parsing its ``METADATA``: parsing 15 of
    those took 0.06-0.08 s, the first time in a process, of every run's writing step. A name
    whose folder is not found that way (an egg-info, two folders of one name in a directory,
    no distribution) goes through :func:`importlib.metadata.version`.

    Returns
    -------
    dict
        ``{"python": "3.11.9", "twin": "0.1.0", "numpy": "2.1.3", ...}``
    """
    from importlib import metadata

    import twin

    versions: dict[str, str | None] = {"python": platform.python_version(), "twin": twin.__version__}
    found = _dist_info_versions(names)
    for name in names:
        if name in found:
            versions[name] = found[name]
            continue
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _normalized(name: str) -> str:
    """A distribution name as the wheel format writes it in folder names (PEP 503 runs of ``-_.``
    as one ``_``, lower case)."""
    return re.sub(r"[-_.]+", "_", name).lower()


#: A version as it may appear in a ``.dist-info`` folder name (no ``-``: it ends the name part).
_FOLDER_VERSION = re.compile(r"[0-9][0-9A-Za-z.+!_]*")


def _dist_info_versions(names: tuple[str, ...]) -> dict[str, str]:
    """``{name: version}`` of the ``names`` whose first metadata folder on ``sys.path`` is one
    ``NAME-VERSION.dist-info`` (the only one of that name in its directory, a version of the
    expected form); the others are left out."""
    wanted = {_normalized(n): n for n in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.scandir(entry or ".")
        except OSError:  # a zip file, a missing folder
            continue
        here: dict[str, list[str]] = {}
        with listing:
            for item in listing:
                stem, dot, kind = item.name.rpartition(".")
                if not dot or kind not in ("dist-info", "egg-info"):
                    continue
                dist, _, version = stem.partition("-")
                name = wanted.get(_normalized(dist))
                if name is not None and name not in found:
                    # an egg-info: its version is in its PKG-INFO (left to importlib.metadata)
                    here.setdefault(name, []).append(version if kind == "dist-info" else "")
        for name, seen in here.items():
            if len(seen) == 1 and _FOLDER_VERSION.fullmatch(seen[0]):
                found[name] = seen[0]
            else:  # ambiguous here: importlib.metadata decides (and this directory comes first)
                found.pop(name, None)
                wanted.pop(_normalized(name), None)
    return found


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of the bytes of ``path`` (hex), read in 1 MiB blocks."""
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
        out[rel] = {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
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


__all__ = ["DEPENDENCIES", "dependency_versions", "file_manifest", "file_sha256", "verify_manifest"]
