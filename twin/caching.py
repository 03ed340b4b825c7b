"""Bounded in-process caches and content digests: the one rule for twin's memo tables.

:class:`BoundedCache` keeps the last ``max_entries`` values stored, by key: a value stored
(again) goes to the end, and storing into a full cache first drops the oldest entry
(insertion order; reading does not reorder). With ``lock=True`` every operation holds a
lock, for caches written from several threads (a background computation storing its
``Future`` and later its result).

:func:`content_digest` hashes what values hold, not what they are: arrays by dtype, shape and
bytes, pandas indexes, series and frames by their labels and values, dataclasses by type and
fields, mappings by sorted keys, sequences element by element, and plain scalars by ``repr``.
Equal content gives equal digests within a process and across processes; it is a cache key,
not a security measure.

>>> cache = BoundedCache(2)
>>> cache.put("a", 1), cache.put("b", 2), cache.put("c", 3)
(1, 2, 3)
>>> "a" in cache, len(cache)
(False, 2)
>>> content_digest(np.arange(3)) == content_digest(np.arange(3))
True
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import threading
from collections.abc import Callable, Hashable, Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path, PurePath
from typing import Any, Generic, TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING: Any = object()

#: Scalars digested by their ``repr`` (exact for these types: no truncation, no memory address).
_REPR_SCALARS = (type(None), bool, int, float, complex, str, bytes, PurePath, enum.Enum, datetime.date, datetime.time,
                 datetime.timedelta)  # fmt: skip


class BoundedCache(Generic[K, V]):
    """A dict of at most ``max_entries`` entries that drops the oldest stored first.

    Parameters
    ----------
    max_entries
        How many entries the cache keeps (at least 1).
    lock
        Hold a :class:`threading.Lock` in every operation (for caches written from several
        threads). Without it the cache is as safe as a plain dict.

    Raises
    ------
    ValueError
        ``max_entries`` is not a whole number of at least 1.

    Notes
    -----
    Values are stored and handed out as they are, never copied: a cache of mutable values
    either hands out copies itself (its caller copies) or documents that they are read-only.
    """

    def __init__(self, max_entries: int, *, lock: bool = False) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"BoundedCache: max_entries must be a whole number of at least 1, got {max_entries!r}")
        self.max_entries = max_entries
        self._data: dict[K, V] = {}
        self._lock: AbstractContextManager[Any] = threading.Lock() if lock else nullcontext()

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value stored under ``key``, or ``default``; does not change the eviction order."""
        with self._lock:
            return self._data.get(key, default)

    def put(self, key: K, value: V) -> V:
        """Store ``value`` under ``key`` as the newest entry and return it.

        A key already present is moved to the end; otherwise, in a full cache, the oldest entry
        is dropped first.
        """
        with self._lock:
            self._data.pop(key, None)
            while len(self._data) >= self.max_entries:
                del self._data[next(iter(self._data))]
            self._data[key] = value
        return value

    def pop(self, key: K, default: V | None = None, *, only_if: Any = _MISSING) -> V | None:
        """Remove the entry of ``key`` and return its value (``default`` if absent).

        Parameters
        ----------
        key
            The entry to remove.
        default
            Returned when nothing is removed.
        only_if
            Remove only if the stored value *is* this object (an atomic check and remove with
            ``lock=True``: a failed background computation forgets its own ``Future``, not a
            value stored since).
        """
        with self._lock:
            if key not in self._data or (only_if is not _MISSING and self._data[key] is not only_if):
                return default
            return self._data.pop(key)

    def clear(self) -> None:
        """Remove every entry."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __repr__(self) -> str:
        return f"BoundedCache({len(self)}/{self.max_entries} entries)"


def parsed_file(cache: BoundedCache[tuple[str, bytes], V], path: str | PurePath, parse: Callable[[bytes], V]) -> V:
    """``parse`` of the bytes of file ``path``, parsed once per path and content.

    The file is read on every call (a file changed between calls is parsed again) and its
    sha256 with the path is the key in ``cache``. The value is the cached one itself: a caller
    that may change it takes a copy.
    """
    data = Path(path).read_bytes()
    key = (str(path), hashlib.sha256(data).digest())
    hit = cache.get(key)
    if hit is None:
        hit = cache.put(key, parse(data))
    return hit


def content_digest(*values: Any, digest_size: int = 32) -> bytes:
    """A digest of what ``values`` hold (SHA-256, truncated to ``digest_size``), for cache keys.

    Parameters
    ----------
    *values
        Arrays (dtype, shape and bytes; object arrays by the ``repr`` of their elements), numpy
        scalars, pandas ``Index`` (labels, dtype with time zone and unit, name), ``Series`` and
        ``DataFrame`` (index, columns, dtypes and values), dataclass instances (type name and
        every field), mappings (keys sorted by ``str``), lists, tuples, sets, and plain scalars
        (``None``, bool, int, float, complex, str, bytes, paths, enums, dates, times and
        durations, pandas' ``Timestamp`` and ``Timedelta`` among them), nested
        in any way.
    digest_size
        Bytes of the digest (1 to 32).

    Returns
    -------
    bytes
        ``digest_size`` bytes; equal for equal content, and different (with the probability of a
        hash collision) when an element, a dtype, a shape, a key, a field or the order of a
        sequence differs.

    Raises
    ------
    ValueError
        ``digest_size`` out of 1 to 32.
    TypeError
        A value of a type without a rule here (its ``repr`` could be truncated or hold a memory
        address); the message names the type and where it was found.
    """
    if isinstance(digest_size, bool) or not isinstance(digest_size, int) or not 1 <= digest_size <= 32:
        raise ValueError(f"content_digest: digest_size must be a whole number from 1 to 32, got {digest_size!r}")
    h = hashlib.sha256()  # faster than BLAKE2b where the CPU has SHA extensions (measured: 4.8 against 7.1 ms per 8 MiB)
    for i, v in enumerate(values):
        _feed(h, v, f"values[{i}]")
    return h.digest()[:digest_size]


def _chunk(h: Any, tag: bytes, data: bytes | np.ndarray) -> None:
    """Feed ``data`` (bytes, or a 1-D uint8 array: not copied) with its tag and length, so that
    consecutive chunks cannot run into each other."""
    h.update(tag + len(data).to_bytes(8, "little"))
    h.update(data)


def _feed(h: Any, value: Any, where: str) -> None:
    """Feed ``value`` into hash ``h`` (the rule of :func:`content_digest`); ``where`` names it in errors."""
    if isinstance(value, np.ndarray):
        dtype = repr(value.dtype.descr) if value.dtype.fields else value.dtype.str
        _chunk(h, b"A", f"{dtype}{value.shape}".encode())
        data = repr(value.tolist()).encode() if value.dtype.hasobject else np.ascontiguousarray(value).reshape(-1).view(np.uint8)
        _chunk(h, b"a", data)
    elif isinstance(value, np.generic):
        _feed(h, np.asarray(value), where)
    elif isinstance(value, _REPR_SCALARS):
        _chunk(h, b"s", f"{type(value).__name__}:{value!r}".encode())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        _chunk(h, b"D", type(value).__qualname__.encode())
        for f in dataclasses.fields(value):
            _chunk(h, b"f", f.name.encode())
            _feed(h, getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, Mapping):
        _chunk(h, b"M", str(len(value)).encode())
        for k in sorted(value, key=str):
            _feed(h, k, f"{where} key")
            _feed(h, value[k], f"{where}[{k!r}]")
    elif isinstance(value, (list, tuple)):
        _chunk(h, b"L", f"{type(value).__name__}{len(value)}".encode())
        for i, v in enumerate(value):
            _feed(h, v, f"{where}[{i}]")
    elif isinstance(value, (set, frozenset)):
        _feed(h, (type(value).__name__, *sorted(value, key=repr)), where)
    elif not _feed_pandas(h, value, where):
        raise TypeError(f"content_digest: no rule for a {type(value).__module__}.{type(value).__qualname__} ({where})")


def _feed_pandas(h: Any, value: Any, where: str) -> bool:
    """Feed a pandas ``Index``, ``Series`` or ``DataFrame``; False for anything else
    (pandas is imported only if already loaded: an object of it cannot exist otherwise)."""
    import sys

    pd = sys.modules.get("pandas")
    if pd is None:
        return False
    if isinstance(value, pd.Index):
        _chunk(h, b"I", f"{value.dtype}:{value.name!r}".encode())
        _feed(h, np.asarray(value.asi8 if isinstance(value, pd.DatetimeIndex) else value), where)
    elif isinstance(value, pd.Series):
        _chunk(h, b"S", f"{value.dtype}:{value.name!r}".encode())
        _feed(h, value.index, f"{where}.index")
        _feed(h, value.to_numpy(), f"{where}.values")
    elif isinstance(value, pd.DataFrame):
        _chunk(h, b"F", str(value.shape).encode())
        _feed(h, value.columns, f"{where}.columns")
        _feed(h, value.index, f"{where}.index")
        for i in range(value.shape[1]):
            _feed(h, value.iloc[:, i], f"{where}[{value.columns[i]!r}]")
    else:
        return False
    return True


__all__ = ["BoundedCache", "content_digest"]


def weather_digest(weather: Any) -> bytes:
    """A digest of a :class:`twin.types.weather.Weather` for cache keys: its numeric columns with
    their times, and its site (:func:`content_digest`); the source path is left out, so the same
    weather read from two paths gives one key."""
    return content_digest(weather.data.select_dtypes("number"), weather.location)
