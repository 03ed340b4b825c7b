"""Whole-folder outputs: write into a staged folder beside the target, then swap it in.

A command that writes several files (a report, tables, a scene) must never leave a reader with
files of two different runs side by side, or with no result at all after a crash. The files
are written into a temporary folder made with :func:`tempfile.mkdtemp` beside the target
(same file system), and when the last file is written the folder is swapped in at once:

``with staged_dir("results", owned=("report.html",)) as tmp: ...write into tmp...``

The swap
--------
The target is a real folder (not a symbolic link), so users, scripts and ``cp -r`` see what
they expect. When the target does not exist, one ``rename`` puts the staged folder there.
When it exists, the two folders are **exchanged** in one system call,
``renameat2(RENAME_EXCHANGE)`` on Linux (kernel 3.15 and later; ext4, XFS, Btrfs, tmpfs and
others) or ``renamex_np(RENAME_SWAP)`` on macOS: at every instant the target path holds either
the complete old folder or the complete new one, never nothing and never a mix. The old result
then sits under the temporary name and is deleted.

Why not the alternatives: two renames (old aside, new in place) leave a window in which the
target is missing (a ``kill -9`` there lost ``scene/`` in issue 10); a target that is a
symbolic link to a versioned folder is atomic too, but changes what users find on disk (``cp
-r`` copies a dangling link, ``rm -r results/`` behaves differently, Windows needs privileges).

Where the exchange is not available (another OS, a file system without it), the fallback is
the two renames with the old folder kept under a recognisable name (``.NAME.twin-old-PID-*``)
until the new one is in place; if the process dies between the two renames, the next writer
(or :func:`recover`) renames the old folder back before doing anything else.

Signals
-------
A staged folder is registered with :mod:`twin.io.stop` while it exists, and the swap runs
under :func:`twin.io.stop.critical`: when the command line stops a process on SIGTERM or
SIGINT inside a compiled kernel (:mod:`twin.cli.signals`), it waits for a swap under way and
removes the staged folder, so nothing half-written is left and the target is untouched.

Leftovers
---------
Temporary folders are named ``.NAME.twin-tmp-PID-RANDOM`` and carry a small marker file
(``.twin-staging``: process id, host, start time) until they are complete. A killed run leaves
one behind; the next run for the same target removes those whose process is dead on this host,
or that are older than :data:`STALE_AFTER_S` (a process id may be reused, a host may be gone).

Permissions
-----------
``mkdtemp`` makes folders readable by their owner only; the staged folder is given the mode of
an ordinary new folder, ``0o777 & ~umask``. Files written inside follow the umask already.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import functools
import hashlib
import json
import os
import platform
import re
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from twin.errors import OutputError
from twin.io import stop

#: Temporary folders older than this are removed even when their process id is alive, s
#: (a process id is reused after a reboot; a run that stages for a day is not expected).
STALE_AFTER_S = 24 * 3600.0

#: Name of the marker file inside a staged folder that is not complete yet.
MARKER = ".twin-staging"

#: Longest part of the target name kept in temporary names, bytes (names are limited to 255).
_STEM_BYTES = 80


# ----------------------------------------------------------------------------------------------
# names


def _stem(name: str) -> str:
    """``name``, or a shortened form with a hash when it is too long for a temporary name."""
    raw = os.fsencode(name)
    if len(raw) <= _STEM_BYTES:
        return name
    digest = hashlib.sha1(raw).hexdigest()[:10]
    short = raw[: _STEM_BYTES - 12].decode("utf-8", errors="ignore")
    return f"{short}~{digest}"


def temp_prefix(target: str | os.PathLike[str], kind: str = "tmp") -> str:
    """The name prefix of twin's temporary folders for ``target`` (``kind``: ``tmp`` or ``old``)."""
    return f".{_stem(Path(target).name)}.twin-{kind}-"


def _pattern(target: Path) -> re.Pattern[str]:
    return re.compile(re.escape(f".{_stem(target.name)}.twin-") + r"(tmp|old)-(\d+)-")


# ----------------------------------------------------------------------------------------------
# umask and permissions


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux ``/proc``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # portable fallback: set and restore at once
    os.umask(mask)
    return mask


def folder_mode() -> int:
    """Mode of an ordinary new folder: ``0o777 & ~umask``."""
    return 0o777 & ~current_umask()


def file_mode() -> int:
    """Mode of an ordinary new file: ``0o666 & ~umask``."""
    return 0o666 & ~current_umask()


# ----------------------------------------------------------------------------------------------
# processes


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host and is not a zombie.

    On Windows, where ``os.kill(pid, 0)`` would end the process, every process counts as
    alive (stale folders are then removed by age only).
    """
    if pid <= 0:
        return False
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:
        return False
    try:  # a killed child that its parent has not reaped yet is dead for our purpose
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return True


def _owner(folder: Path, pid_in_name: int) -> tuple[str | None, int]:
    """(host, pid) of a temporary folder: from its marker, else this host and the pid of its name."""
    try:
        info = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        return str(info.get("host")), int(info.get("pid", pid_in_name))
    except (OSError, ValueError, TypeError):
        return None, pid_in_name


def _is_stale(folder: Path, pid_in_name: int, now: float) -> bool:
    host, pid = _owner(folder, pid_in_name)
    try:
        age = now - folder.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_AFTER_S:
        return True
    if pid == os.getpid():
        return False  # ours: still in use by this process
    if host not in (None, socket.gethostname()):
        return False  # another host's process: only the age tells
    return not pid_alive(pid)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        with contextlib.suppress(OSError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# recovery and cleanup


def leftovers(target: str | os.PathLike[str]) -> list[Path]:
    """Every temporary or set-aside folder of twin for ``target`` (live or stale)."""
    target = Path(target)
    pattern = _pattern(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    return sorted(target.parent / n for n in names if pattern.match(n))


def recover(target: str | os.PathLike[str]) -> Path | None:
    """Put back the previous result when a writer died between its two renames (fallback swap).

    When ``target`` is missing and a set-aside folder (``.NAME.twin-old-PID-*``) of a dead
    process exists, the newest such folder is renamed back to ``target``.

    Returns
    -------
    Path or None
        The folder that was put back, or None.
    """
    target = Path(target)
    if os.path.lexists(target):
        return None
    pattern = _pattern(target)
    now = time.time()
    candidates = []
    for p in leftovers(target):
        m = pattern.match(p.name)
        if m and m.group(1) == "old" and _is_stale(p, int(m.group(2)), now):
            with contextlib.suppress(OSError):
                candidates.append((p.stat().st_mtime, p))
    for _, p in sorted(candidates, reverse=True):
        try:
            os.rename(p, target)
            return p
        except OSError:
            continue
    return None


def clean_stale(target: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary folders of ``target`` left by dead processes (or older than the limit).

    Earlier files set aside (``.NAME.twin-old-*``) are kept while a swap journal lies in the
    folder (:data:`SWAP_JOURNAL_PREFIX`): the recovery of a killed multi-file swap
    (:func:`twin.traffic.output_files.recover_killed_swaps`) puts them back, then removes them.

    Returns
    -------
    list of Path
        The removed folders.
    """
    target = Path(target)
    pattern = _pattern(target)
    now = time.time()
    removed = []
    journal = _swap_journal_beside(target)
    for p in leftovers(target):
        m = pattern.match(p.name)
        if m and m.group(1) == "old" and journal:
            continue  # an earlier file a killed swap's journal may still need (its recovery removes it)
        if m and _is_stale(p, int(m.group(2)), now):
            _remove(p)
            removed.append(p)
    return removed


#: Name prefix of the journal a multi-file swap leaves beside its targets while it runs
#: (:mod:`twin.traffic.output_files`): ``.twin-swap-PID-RANDOM.json``.
SWAP_JOURNAL_PREFIX = ".twin-swap-"


def _swap_journal_beside(target: Path) -> bool:
    """Whether a swap journal lies in the folder of ``target`` (a swap under way, or one killed)."""
    try:
        return any(n.startswith(SWAP_JOURNAL_PREFIX) for n in os.listdir(target.parent))
    except OSError:
        return False


# ----------------------------------------------------------------------------------------------
# the swap

_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 0x2  # macOS sys/stdio.h
_AT_FDCWD = -100
_SYS_RENAMEAT2 = {"x86_64": 316, "aarch64": 276, "arm64": 276, "riscv64": 276, "ppc64le": 357, "s390x": 347, "i686": 353}
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


@functools.lru_cache(maxsize=1)
def _libc():
    """The C library already loaded in this process (``dlopen(NULL)``; no library search)."""
    return ctypes.CDLL(None, use_errno=True)


def exchange(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Swap the entries ``a`` and ``b`` (both existing) in one atomic system call.

    Returns
    -------
    bool
        True when swapped; False when this system or file system has no atomic exchange
        (nothing was changed).

    Raises
    ------
    OSError
        The exchange is supported but failed (e.g. one of the paths is gone).
    """
    if not (sys.platform.startswith("linux") or sys.platform == "darwin"):
        return False
    fa, fb = os.fsencode(a), os.fsencode(b)
    try:
        libc = _libc()
        if sys.platform.startswith("linux"):
            func = getattr(libc, "renameat2", None)
            if func is not None:
                func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                rc = func(_AT_FDCWD, fa, _AT_FDCWD, fb, _RENAME_EXCHANGE)
            else:  # glibc < 2.28: the system call itself
                number = _SYS_RENAMEAT2.get(platform.machine())
                if number is None:
                    return False
                libc.syscall.restype = ctypes.c_long
                rc = libc.syscall(ctypes.c_long(number), ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(fa),
                                  ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(fb), ctypes.c_uint(_RENAME_EXCHANGE))
        else:  # macOS
            func = getattr(libc, "renamex_np", None)
            if func is None:
                return False
            func.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
            rc = func(fa, fb, _RENAME_SWAP)
    except (OSError, AttributeError, TypeError):  # no usable C library
        return False
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), os.fsdecode(fa), None, os.fsdecode(fb))


def _rename_fallback(src: Path, target: Path) -> None:
    """Two renames: the old folder aside under a recognisable name, the new one in place."""
    aside = Path(tempfile.mkdtemp(prefix=f"{temp_prefix(target, 'old')}{os.getpid()}-", dir=target.parent))
    os.rmdir(aside)  # a free, unique name
    os.rename(target, aside)
    try:
        os.rename(src, target)
    except OSError:
        os.rename(aside, target)  # put the old one back; the caller retries
        raise
    _remove(aside)


def swap_in(src: str | os.PathLike[str], target: str | os.PathLike[str], *, tries: int = 8,
            undo_if: Callable[[], bool] | None = None) -> bool:
    """Put the complete folder ``src`` at ``target``; a previous ``target`` is replaced whole.

    ``src`` and ``target`` must be on the same file system (``src`` beside ``target``). See the
    module docstring for the guarantees.

    Parameters
    ----------
    undo_if
        Asked once the new folder is in place and before the previous one is removed: when it
        answers True (a stop signal came during the swap), the swap is undone, ``target`` holds
        its previous content again (or is missing again) and ``src`` the new one. Only an
        exchange or a first rename can be undone; after the fallback's two renames the new
        folder stays.

    Returns
    -------
    bool
        True when the new folder is in place, False when the swap was undone.
    """
    src, target = Path(src), Path(target)
    last: OSError | None = None
    for _ in range(tries):
        if not os.path.lexists(target):
            try:
                os.rename(src, target)
            except OSError as exc:  # another writer got there first: exchange with it
                last = exc
                continue
            if undo_if is not None and undo_if():
                os.rename(target, src)
                return False
            return True
        if not target.is_dir() or target.is_symlink():
            raise OutputError("output is not a folder; it cannot be replaced by one", path=target)
        try:
            if exchange(src, target):
                if undo_if is not None and undo_if():
                    exchange(src, target)  # back: src holds the new folder again
                    return False
                _remove(src)  # src now holds the previous result
                return True
            _rename_fallback(src, target)
            return True
        except FileNotFoundError as exc:  # the target went away in between: try again
            last = exc
            continue
    raise OutputError(f"could not put the new result in place: {last}", path=target)


def new_temp_beside(target: str | os.PathLike[str], *, folder: bool, suffix: str = "", kind: str = "tmp") -> Path:
    """A new temporary entry beside ``target``, registered with :mod:`twin.io.stop`.

    Named ``.NAME.twin-KIND-PID-RANDOM[SUFFIX]`` (removed on a signal stop, and by the next
    writer of ``target`` if this process dies: :func:`clean_stale`). A folder is made empty; a
    file name is left free (nothing there: writers such as GDAL refuse to overwrite).

    Call it inside :func:`twin.io.stop.signals_held` and assign the result there: a signal
    between making the entry and the caller noting it would leave the entry behind.

    Raises
    ------
    OSError
        The entry cannot be made (no space, no permission).
    """
    target = Path(target)
    prefix = f"{temp_prefix(target, kind)}{os.getpid()}-"
    if folder:
        tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=target.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
        os.close(fd)
        tmp = Path(name)
        tmp.unlink()
    stop.register(tmp)
    return tmp


# ----------------------------------------------------------------------------------------------
# the public context manager


def _real_target(target: Path) -> Path:
    """Absolute target; a link to a folder is followed so the link keeps pointing at the result."""
    target = Path(os.path.abspath(target))
    if target.is_symlink() and target.is_dir():
        return Path(os.path.realpath(target))
    return target


def check_replaceable(target: str | os.PathLike[str], owned: Iterable[str] | None, *, field: str | None = None) -> None:
    """Refuse to replace a folder that is not an earlier output of the same kind.

    The whole folder is replaced, so a folder of the user's (``-o .``, ``-o ~/Documents``)
    must not be taken for an old result. A folder is replaceable when it is missing, empty,
    or holds at least one of the names in ``owned`` (e.g. ``report.html``). ``owned=None``
    skips the check.

    Raises
    ------
    OutputError
        The folder holds other things, or is the current folder (or one of its parents).
    """
    target = Path(os.path.realpath(target))
    if not target.is_dir():
        return
    cwd = Path(os.path.realpath(os.getcwd()))
    if target == cwd or target in cwd.parents:
        raise OutputError("the output folder is the current folder or holds it; it is replaced whole, so name a folder of its own",
                          path=target, field=field)
    if owned is None:
        return
    owned = tuple(owned)
    try:
        names = set(os.listdir(target))
    except OSError as exc:
        raise OutputError(f"cannot read the existing output folder: {exc.strerror or exc}", path=target, field=field) from None
    if names and not names & set(owned):
        raise OutputError(
            f"the output folder exists and is not an earlier result of this command (no {' or '.join(owned)}); "
            "it would be replaced whole: name a new or empty folder, or remove it",
            path=target, field=field,
        )


#: Files that only one command writes at the top of its output folder, and that command: the
#: writer of a folder that records none in ``scene.json`` or ``run_record.json``.
WRITER_FILES = {"calibration.parquet": "twin calibrate", "solar_summary.json": "twin solar cadastre"}


def _json_field(path: Path, key: str) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def folder_writer(folder: str | os.PathLike[str]) -> str | None:
    """The command that wrote the output folder ``folder``, as the folder records it.

    In this order: ``written_by`` of ``scene.json`` (a scene folder: ``twin ingest``, ``twin
    export``, the scene of ``twin calibrate``); ``command`` of ``run_record.json`` (``twin run``,
    ``twin energy run``); the command of a file only it writes (:data:`WRITER_FILES`). None when
    nothing records it: an empty folder, a folder of the user's, a scene written before writers
    were recorded (or through the Python API, :func:`twin.export.write_scene` without
    ``written_by``).
    """
    folder = Path(folder)
    if (folder / "scene.json").is_file():
        return _json_field(folder / "scene.json", "written_by")
    if (folder / "run_record.json").is_file():
        found = _json_field(folder / "run_record.json", "command")
        if found is not None:
            return found
    for name, writer in WRITER_FILES.items():
        if (folder / name).is_file():
            return writer
    return None


def check_writer(target: str | os.PathLike[str], written_by: str | None, *, field: str | None = None,
                 again: str = "another -o folder") -> None:
    """Refuse to replace an existing folder that the command ``written_by`` did not write.

    The rule of every command that names itself (``twin ingest``, ``twin export``, ``twin
    calibrate``, ``twin energy run``): an existing output folder that records another writer
    (:func:`folder_writer`) is refused. A scene that records no writer is refused too: it may
    be a scene of an older twin written by another command (a calibrated scene, the baseline
    scene of ``twin run``), which cannot be told from an ingested one; it is removed once by
    hand, and every later scene records its writer. Any other folder that records no writer
    is left to the names rule of :func:`check_replaceable` (empty, or holding a name the
    command writes). ``written_by=None`` checks nothing (the Python API).

    Raises
    ------
    OutputError
        One line naming the folder, who wrote it and what to do.
    """
    if written_by is None:
        return
    try:
        target = Path(os.path.realpath(target))
        if not target.is_dir():
            return
        scene = (target / "scene.json").is_file()
    except OSError:  # a name the system refuses: the path checks of the command say why
        return
    found = folder_writer(target)
    if found == written_by or (found is None and not scene):
        return
    what = "a scene" if scene else "results"
    who = f"written by {found}" if found else "with no writer recorded (an older twin, or another command)"
    raise OutputError(f"the output folder holds {what} {who}, not an earlier result of {written_by}; "
                      f"it would be replaced whole: name {again}, or remove it", path=target, field=field)


@contextlib.contextmanager
def staged_dir(target: str | os.PathLike[str], *, owned: Iterable[str] | None = None, field: str | None = None,
               written_by: str | None = None) -> Iterator[Path]:
    """Yield a new empty folder beside ``target``; swap it in as ``target`` when the block ends.

    Parameters
    ----------
    target
        The output folder (created or replaced whole).
    owned
        Names of which at least one marks an existing folder as an earlier output of the same
        kind (:func:`check_replaceable`); None: any existing folder is replaced.
    field
        The option that named the output, for error messages.
    written_by
        The command writing (``"twin calibrate"``...): an existing folder is replaced only when
        it records the same writer (:func:`check_writer`); None: not checked.

    Yields
    ------
    Path
        The staged folder; write every output file into it.

    Notes
    -----
    Before staging, a result lost between two renames is put back (:func:`recover`) and
    stale temporary folders of ``target`` are removed (:func:`clean_stale`). On any exception
    (``KeyboardInterrupt`` included) the staged folder is removed and ``target`` is unchanged.
    """
    from twin.io.paths import check_output_path

    check_output_path(target, kind="folder", field=field)
    target = _real_target(Path(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    clean_stale(target)
    check_replaceable(target, owned, field=field)
    check_writer(target, written_by, field=field)
    tmp: Path | None = None
    try:
        with stop.signals_held():  # made and noted together (a signal between the two would leave it behind)
            try:
                tmp = new_temp_beside(target, folder=True)
            except OSError as exc:
                raise OutputError(f"cannot create a temporary folder beside the output: {exc.strerror or exc}", path=target,
                                  field=field) from None
        os.chmod(tmp, folder_mode())
        (tmp / MARKER).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                              "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}),
                                  encoding="utf-8")
        yield tmp
        (tmp / MARKER).unlink()
        # A signal stop waits for the swap (critical); a signal during it is held, the swap undone, then delivered:
        # the target is the old folder, whole, when the command says it was stopped.
        with stop.signals_held() as held, stop.critical():
            check_replaceable(target, owned, field=field)
            check_writer(target, written_by, field=field)
            if swap_in(tmp, target, undo_if=lambda: held.signum is not None):
                stop.note_placed(target)
    finally:
        if tmp is not None:
            if os.path.lexists(tmp):
                _remove(tmp)
            stop.unregister(tmp)


__all__ = [
    "MARKER",
    "STALE_AFTER_S",
    "SWAP_JOURNAL_PREFIX",
    "WRITER_FILES",
    "check_replaceable",
    "check_writer",
    "clean_stale",
    "current_umask",
    "exchange",
    "file_mode",
    "folder_mode",
    "folder_writer",
    "leftovers",
    "new_temp_beside",
    "pid_alive",
    "recover",
    "staged_dir",
    "swap_in",
    "temp_prefix",
]
