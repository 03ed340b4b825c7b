"""The one place for Numba options.

Every kernel decorates with :func:`jit` or :func:`jit_parallel` from here; a test rejects a
literal ``fastmath=``, ``cache=`` or ``parallel=`` anywhere else in ``kernels/``.

* ``cache=True``: compiled machine code is stored on disk, so only the first run pays for it.
  Where it is stored is settled once, at import, by :func:`ensure_cache_dir` (see below).
* ``fastmath`` leaves out ``nnan`` and ``ninf``: NaN and inf carry meaning (missing data,
  unbounded capacity) and must survive (as in stumpy's config).
* ``nogil=True``: kernels can run in threads (Dask workers) concurrently.
* Nothing is compiled at import: decorators carry no signatures.

Threads
-------
Set ``TWIN_NUMBA_THREADS`` to cap the threads a parallel kernel uses (e.g. one per Dask worker
process): a whole number, ``0`` or ``-1`` for all cores, ``-k`` for all but k (AequilibraE's
convention). Numba's own ``NUMBA_NUM_THREADS`` also applies. Any other value (``abc``,
``1.5``) raises :class:`ConfigError` when this module is imported, with a message naming the
variable; the command line prints it as one ``twin: error:`` line (exit 2).

Disk cache
----------
Numba stores compiled kernels in ``NUMBA_CACHE_DIR`` when it is set and writable, else in the
``__pycache__`` folder beside the kernel sources. When neither is writable (a read-only
install, a ``NUMBA_CACHE_DIR`` that is a file or on a read-only file system) Numba refuses to
decorate a ``cache=True`` function ("no locator available"). :func:`ensure_cache_dir` checks
this at import and falls back, in order, to a per-user folder (``$XDG_CACHE_HOME/twin/numba``,
default ``~/.cache/twin/numba``) and to ``<temp>/twin-numba-<user>``, setting
``numba.config.CACHE_DIR`` (and ``NUMBA_CACHE_DIR`` for child processes) before anything is
compiled. If none of them is writable the kernels run without a disk cache (compiled in memory
on every run, slower start-up but the same results). :data:`CACHE_STATUS` says which case
applied.

Numba decides whether a cached kernel is still valid from the time stamp and size of the file
that defines it, not of the files it calls into: after a change to a helper in another module
(a delay function of ``traffic_vdf`` inlined into ``traffic_bush``), the cached machine code of
the caller silently keeps the old helper (Numba's documented cache limitation, "Cache
invalidation"). :func:`purge_stale_cache` closes that gap: the cache folder of ``kernels/``
carries a SHA-256 of every kernel source (:func:`sources_fingerprint`); when it differs from the
sources being imported, every cached kernel of the folder is deleted (recompiled on first use)
and the new fingerprint is written. :data:`CACHE_PURGED` tells whether this import did so.

Nothing here imports from ``twin`` (the layout rule of ``kernels/``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator

import numba

FASTMATH: frozenset[str] = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})

JIT_OPTIONS: dict[str, object] = {"cache": True, "nogil": True, "fastmath": set(FASTMATH), "error_model": "numpy"}
PARALLEL_OPTIONS: dict[str, object] = {**JIT_OPTIONS, "parallel": True}

THREADS_ENV = "TWIN_NUMBA_THREADS"

#: Where compiled kernels are cached: ``"numba"`` (Numba's own choice works), ``"fallback: <dir>"``
#: or ``"disabled: <reason>"`` (set at import by :func:`ensure_cache_dir`).
CACHE_STATUS = "numba"

#: File in the kernels' cache folder holding the fingerprint of the sources it was compiled from.
FINGERPRINT_FILE = "twin-kernels-sources.sha256"

#: True when this import found the cache compiled from other sources and emptied it.
CACHE_PURGED = False


class ConfigError(ValueError):
    """A Numba setting in the environment that twin cannot use (e.g. ``TWIN_NUMBA_THREADS=abc``).

    Carries ``exit_code`` (2, bad input) and ``format_message()`` so that a command line prints
    it as one error line, like a usage error.
    """

    exit_code = 2

    def format_message(self) -> str:
        """The message, for command-line error printers."""
        return str(self)


def jit(func=None, **overrides):
    """``numba.njit`` with the project options (serial)."""
    options = {**JIT_OPTIONS, **overrides}
    if func is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(func)


def jit_parallel(func=None, **overrides):
    """``numba.njit`` with the project options and ``parallel=True`` (use ``numba.prange``)."""
    options = {**PARALLEL_OPTIONS, **overrides}
    if func is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(func)


def parse_threads(text: str | None, *, name: str = THREADS_ENV) -> int | None:
    """The thread count a setting asks for: ``None`` when unset or blank, else a whole number.

    Raises
    ------
    ConfigError
        ``text`` is not a whole number (``abc``, ``1.5``, ``1e3``).
    """
    if text is None or text.strip() == "":
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise ConfigError(
            f"{name} must be a whole number of threads (0 or -1: all cores, -k: all but k), not {text!r}"
        ) from None


def set_threads(n: int | None) -> int:
    """Set the number of Numba threads; ``None``/``0``/``-1`` mean all, ``-k`` all but k.

    Returns the number of threads in use.
    """
    available = numba.config.NUMBA_NUM_THREADS
    if n is None or n == 0 or n == -1:
        wanted = available
    elif n < 0:
        wanted = max(1, available + n + 1)
    else:
        wanted = min(n, available)
    numba.set_num_threads(wanted)
    return wanted


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the parallel kernels called inside on this thread alone, then restore the thread count.

    For a call whose parallel loop has a single iteration (one chunk): waking and joining the
    other threads costs CPU and does no work. Numba's thread count is per calling thread, so
    other threads' kernels are not affected.
    """
    n = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(n)


def threads_from_env(environ: dict[str, str] | None = None) -> int | None:
    """Apply ``TWIN_NUMBA_THREADS`` (if set) with :func:`set_threads`; return the threads set.

    Raises
    ------
    ConfigError
        The variable is set to something other than a whole number.
    """
    env = os.environ if environ is None else environ
    wanted = parse_threads(env.get(THREADS_ENV))
    return None if wanted is None else set_threads(wanted)


# ------------------------------------------------------------------------------------ disk cache
def writable_dir(path: str) -> bool:
    """True if ``path`` is (or can be made) a folder a temporary file can be written to.

    This is the test Numba itself applies to a cache folder (``_CacheLocator.ensure_cache_path``).
    """
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except (OSError, ValueError):
        return False
    return True


def fallback_cache_dirs(environ: dict[str, str] | None = None) -> list[str]:
    """Cache folders tried when Numba's own are not writable: per-user, then temporary."""
    env = os.environ if environ is None else environ
    out = []
    xdg = env.get("XDG_CACHE_HOME", "").strip()
    home = os.path.expanduser("~")
    base = xdg if xdg else (os.path.join(home, ".cache") if home and home != "~" else "")
    if base:
        out.append(os.path.join(base, "twin", "numba"))
    try:
        user = str(os.getuid())
    except AttributeError:  # pragma: no cover - Windows
        user = env.get("USERNAME", "user")
    out.append(os.path.join(tempfile.gettempdir(), f"twin-numba-{user}"))
    return out


def choose_cache_dir(configured: str, in_tree: str, fallbacks: list[str]) -> tuple[str | None, str]:
    """Decide where compiled kernels go.

    A configured folder that works is kept; a configured folder that does not is replaced by
    the first writable fallback (Numba's own retreat to ``__pycache__`` can be switched off with
    ``NUMBA_CACHE_LOCATOR_CLASSES``). Without a configured folder, ``__pycache__`` is kept when
    writable.

    Parameters
    ----------
    configured
        ``NUMBA_CACHE_DIR`` as Numba read it ("" when unset).
    in_tree
        The ``__pycache__`` folder beside the kernel sources.
    fallbacks
        Folders to try next, in order (:func:`fallback_cache_dirs`).

    Returns
    -------
    (folder, status)
        ``folder`` to set as Numba's cache folder, or None to leave Numba's choice (or when
        caching must be disabled); ``status`` as in :data:`CACHE_STATUS`.
    """
    if configured:
        if writable_dir(configured):
            return None, "numba"
    elif writable_dir(in_tree):
        return None, "numba"
    for candidate in fallbacks:
        if writable_dir(candidate):
            return candidate, f"fallback: {candidate}"
    where = ", ".join([p for p in (configured, in_tree) if p] + list(fallbacks))
    return None, f"disabled: no writable cache folder ({where})"


def ensure_cache_dir() -> str:
    """Make sure ``cache=True`` kernels can be decorated; see the module docstring.

    Returns the new :data:`CACHE_STATUS`.
    """
    global CACHE_STATUS, CACHE_PURGED
    configured = str(getattr(numba.config, "CACHE_DIR", "") or "")
    in_tree = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__")
    folder, status = choose_cache_dir(configured, in_tree, fallback_cache_dirs())
    if folder is not None:
        numba.config.CACHE_DIR = folder
        os.environ["NUMBA_CACHE_DIR"] = folder  # child processes (Dask workers) use it too
    elif status.startswith("disabled"):
        JIT_OPTIONS["cache"] = False
        PARALLEL_OPTIONS["cache"] = False
    CACHE_STATUS = status
    if not status.startswith("disabled"):
        root = folder if folder is not None else configured
        CACHE_PURGED = purge_stale_cache(kernel_cache_folder(root, __file__), sources_fingerprint(os.path.dirname(os.path.abspath(__file__))))
    return status


def sources_fingerprint(source_dir: str) -> str:
    """SHA-256 of the names and contents of every ``*.py`` file in ``source_dir`` (hex)."""
    digest = hashlib.sha256()
    for name in sorted(n for n in os.listdir(source_dir) if n.endswith(".py")):
        digest.update(name.encode())
        with open(os.path.join(source_dir, name), "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()


def kernel_cache_folder(cache_root: str, module_file: str) -> str:
    """Folder where Numba stores the cache files of the kernels defined beside ``module_file``.

    ``cache_root`` empty: Numba's in-tree ``__pycache__``; otherwise the sub-folder of the user
    cache folder that Numba's ``UserProvidedCacheLocator`` derives from the source folder
    (``<dir name>_<sha1 of the absolute dir>``, ``numba.core.caching``).
    """
    source_dir = os.path.dirname(os.path.abspath(module_file))
    if not cache_root:
        return os.path.join(source_dir, "__pycache__")
    hashed = hashlib.sha1(source_dir.encode()).hexdigest()
    return os.path.join(cache_root, f"{os.path.split(source_dir)[-1]}_{hashed}")


def purge_stale_cache(cache_folder: str, fingerprint: str) -> bool:
    """Empty ``cache_folder`` of compiled kernels unless it was compiled from ``fingerprint``.

    Deletes the Numba index (``*.nbi``) and data (``*.nbc``) files of the folder and writes the
    fingerprint (atomically) when the stored one differs or is missing while cache files exist.
    A process loading a file deleted under it just recompiles (Numba treats a vanished data file
    as a cache miss). Failures to delete or write are ignored: the result is then only a slower
    start, never a wrong kernel, as long as the fingerprint is not written.

    Returns
    -------
    bool
        True if cached kernels were deleted.
    """
    stamp = os.path.join(cache_folder, FINGERPRINT_FILE)
    try:
        with open(stamp, encoding="ascii") as fh:
            if fh.read().strip() == fingerprint:
                return False
    except (OSError, UnicodeDecodeError):
        pass
    purged = False
    try:
        os.makedirs(cache_folder, exist_ok=True)  # nothing cached yet: stamp the folder Numba will use
        names = os.listdir(cache_folder)
        for name in names:
            if name.endswith((".nbi", ".nbc")):
                try:
                    os.remove(os.path.join(cache_folder, name))
                    purged = True
                except FileNotFoundError:
                    pass  # another process purged it first
        tmp = f"{stamp}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(fingerprint + "\n")
        os.replace(tmp, stamp)
    except OSError:
        pass
    return purged


ensure_cache_dir()
threads_from_env()

prange = numba.prange
