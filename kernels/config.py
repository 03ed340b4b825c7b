"""The one place for Numba options.

Every kernel decorates with :func:`jit` or :func:`jit_parallel` from here; a test rejects a
literal ``fastmath=``, ``cache=`` or ``parallel=`` anywhere else in ``kernels/``.

* ``cache=True``: compiled machine code is stored on disk, so only the first run pays for it.
* ``fastmath`` leaves out ``nnan`` and ``ninf``: NaN and inf carry meaning (missing data,
  unbounded capacity) and must survive (as in stumpy's config).
* ``nogil=True``: kernels can run in threads (Dask workers) concurrently.
* Nothing is compiled at import: decorators carry no signatures.

Set ``TWIN_NUMBA_THREADS`` to cap the threads a parallel kernel uses (e.g. one per Dask worker
process); Numba's own ``NUMBA_NUM_THREADS`` also applies.
"""

from __future__ import annotations

import os

import numba

FASTMATH: frozenset[str] = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})

JIT_OPTIONS: dict[str, object] = {"cache": True, "nogil": True, "fastmath": set(FASTMATH), "error_model": "numpy"}
PARALLEL_OPTIONS: dict[str, object] = {**JIT_OPTIONS, "parallel": True}


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


_env_threads = os.environ.get("TWIN_NUMBA_THREADS")
if _env_threads:
    set_threads(int(_env_threads))

prange = numba.prange
