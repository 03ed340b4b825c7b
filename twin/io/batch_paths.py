"""The paths of ``twin batch``, checked before the batch's modules are imported.

``twin batch nope/`` imported :mod:`twin.scenario.batch` (pandas, Dask: about 2 s) before it
found no scenario file, so the one-line error waited for them, behind a progress line. The checks
of the scenario files, the ``--allow-dir`` folders and the results folder live here (standard
library only); :mod:`twin.scenario.batch` and :mod:`twin.scenario.inputs` use them, and the
command line runs :func:`check_batch_paths` first.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from twin.errors import InputError, OutputError
from twin.io.paths import check_output_path


def discover(pattern: str | os.PathLike[str]) -> list[Path]:
    """Scenario files: every ``*.yaml``/``*.yml`` in a folder (recursively), or a glob.

    Raises
    ------
    InputError
        Nothing matches.
    """
    p = Path(pattern)
    if p.is_dir():
        files = sorted([*p.rglob("*.yaml"), *p.rglob("*.yml")])
    else:
        files = sorted(Path(f) for f in glob.glob(str(pattern), recursive=True))
    if not files:
        raise InputError("no scenario files found", path=pattern)
    return files


def allowed_folder(folder: str | os.PathLike[str]) -> Path:
    """A folder given by ``--allow-dir``, resolved.

    Raises
    ------
    InputError
        It does not exist or is not a folder (a typo on the command line).
    """
    p = Path(folder).expanduser()
    if not p.is_dir():
        raise InputError("allowed folder does not exist or is not a folder", path=p, field="--allow-dir")
    return p.resolve()


def check_batch_folder(out: Path, files: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse a results folder that would mix the runs of a batch with files of another kind.

    A batch adds ``runs.sqlite`` and one folder per run to ``out`` (it is not replaced whole, so
    finished runs are kept). An existing folder is used only when it is empty or holds the
    ``runs.sqlite`` of an earlier batch; a folder of the user's (``-o ~/Documents``, ``-o .``)
    or the folder of the scenario files would get run folders and a store among its own files.

    Raises
    ------
    OutputError
        The folder holds a scenario file of the batch, or other files and no ``runs.sqlite``.
    """
    target = Path(os.path.realpath(out))
    for f in files:
        src = Path(os.path.realpath(f))
        if target == src or target in src.parents:
            raise OutputError(f"the output folder holds a scenario file of the batch ({f}); the runs would be written among "
                              "the scenario files: name a folder of its own", path=out, field="--out")
    if not target.is_dir():
        return
    try:
        names = set(os.listdir(target))
    except OSError as exc:
        raise OutputError(f"cannot read the existing output folder: {exc.strerror or exc}", path=out, field="--out") from None
    if names and "runs.sqlite" not in names:
        raise OutputError("the output folder exists and is not an earlier result of twin batch (no runs.sqlite); the runs "
                          "would be mixed with its files: name a new or empty folder, or remove it", path=out, field="--out")


def check_batch_paths(pattern: str | os.PathLike[str], out: str | os.PathLike[str],
                      allow_dirs: Iterable[str | os.PathLike[str]] = ()) -> None:
    """The scenario files, the ``--allow-dir`` folders, then the results folder (``--out``): the
    path checks of :func:`twin.scenario.batch.run_batch`, in its order, with nothing written.

    Raises
    ------
    InputError, OutputError
        The first path refused.
    """
    files = discover(pattern)
    for folder in allow_dirs:
        allowed_folder(folder)
    check_batch_folder(check_output_path(out, kind="folder", field="--out"), files)


__all__ = ["allowed_folder", "check_batch_folder", "check_batch_paths", "discover"]
