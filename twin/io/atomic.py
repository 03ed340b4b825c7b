"""Atomic file writes: write to a temporary file beside the target, then rename.

A reader never sees a half-written output, and an earlier result survives a crash or an error
during the write. The temporary name is unique (:func:`tempfile.mkstemp`), so two writers of
the same target never share it, and the new file gets the mode of an ordinary new file
(``0o666 & ~umask``), not the private mode of ``mkstemp``. Folders of several files use
:func:`twin.io.staged.staged_dir`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left as it was. The
    temporary name is ``.NAME.twin-tmp-PID-RANDOM.tmp.SUFFIX``; such files left by a killed
    writer (dead process, or older than a day) are removed by the next write of ``target``
    (:func:`twin.io.staged.clean_stale`).

    Examples
    --------
    >>> with atomic_path("out.parquet") as tmp:  # doctest: +SKIP
    ...     frame.to_parquet(tmp)
    """
    from twin.io import stop
    from twin.io.staged import clean_stale, file_mode, new_temp_beside

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)  # temporary files of writers that were killed
    suffix = target.suffix if len(target.suffix) <= 16 else ""
    tmp: Path | None = None
    try:
        with stop.signals_held():  # named and noted together (a signal between the two left an empty file behind)
            tmp = new_temp_beside(target, folder=False, suffix=".tmp" + suffix)  # removed by the command line's signal stop
        yield tmp
        if tmp.exists() and not tmp.is_symlink():
            os.chmod(tmp, file_mode())
        with stop.signals_held(), stop.critical():  # the rename and its note go together
            os.replace(tmp, target)
            stop.note_placed(target)
    finally:
        if tmp is not None:
            if os.path.lexists(tmp):
                tmp.unlink()
            stop.unregister(tmp)


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)
