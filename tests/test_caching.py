"""twin.caching: the bounded cache (eviction of the oldest stored entry, a key stored again
moving to the end, reads not reordering, the lock under concurrent writers, the atomic
conditional pop a background computation needs) and the content digest (equal content, equal
digest; a changed element, dtype, shape, key, value, field, label or time zone, another digest)."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest

from twin.caching import BoundedCache, content_digest


def test_the_oldest_stored_entry_goes_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache(3)
    for i, k in enumerate("abcd"):
        assert cache.put(k, i) == i
    assert len(cache) == 3 and "a" not in cache and [cache.get(k) for k in "bcd"] == [1, 2, 3]
    assert cache.get("b") == 1  # a read does not make "b" newer ...
    cache.put("e", 4)
    assert "b" not in cache and "c" in cache  # ... so it goes next
    cache.put("c", 20)  # storing a key again makes it the newest
    cache.put("f", 5)
    assert "d" not in cache and cache.get("c") == 20 and cache.get("e") == 4 and cache.get("f") == 5


def test_get_pop_clear_and_the_size() -> None:
    cache: BoundedCache[tuple, str] = BoundedCache(1)
    assert cache.get(("x",)) is None and cache.get(("x",), "none") == "none"
    cache.put(("x",), "first")
    cache.put(("y",), "second")  # a cache of one keeps the last value stored
    assert len(cache) == 1 and cache.get(("y",)) == "second" and ("x",) not in cache
    assert cache.pop(("x",), "absent") == "absent"
    assert cache.pop(("y",)) == "second" and len(cache) == 0
    cache.put(("z",), "third")
    cache.clear()
    assert len(cache) == 0 and ("z",) not in cache


def test_pop_only_if_removes_only_that_very_value() -> None:
    cache: BoundedCache[str, object] = BoundedCache(2, lock=True)
    mine: Future = Future()
    cache.put("k", mine)
    other = np.zeros(3)
    cache.put("k", other)  # a result stored since the future
    assert cache.pop("k", only_if=mine) is None and cache.get("k") is other
    assert cache.pop("k", only_if=other) is other and "k" not in cache


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, None])
def test_a_size_below_one_or_not_whole_is_refused(bad) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        BoundedCache(bad)


def test_the_lock_keeps_the_bound_under_concurrent_writers() -> None:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        cache: BoundedCache[tuple, int] = BoundedCache(4, lock=True)
        errors: list[BaseException] = []
        seen: list[int] = []
        stop = threading.Event()

        def writer(t: int) -> None:
            try:
                for i in range(3000):
                    cache.put((t, i), i)
                    cache.get((t, i - 1))
                    if i % 7 == 0:
                        cache.pop((t, i - 3))
            except BaseException as exc:  # collected and failed on below
                errors.append(exc)

        def reader() -> None:
            while not stop.is_set():
                seen.append(len(cache))

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(6)]
        watch = threading.Thread(target=reader)
        watch.start()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        stop.set()
        watch.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors
    assert seen and max(seen) <= 4
    assert len(cache) == 4


# ------------------------------------------------------------------------------------- digest


@dataclass(frozen=True)
class _Options:
    spacing_m: float
    names: tuple[str, ...]
    table: dict


def test_equal_content_gives_equal_digests() -> None:
    a = np.arange(12, dtype=float).reshape(3, 4)
    strided = np.asfortranarray(a)  # other memory layout, same content
    assert content_digest(a) == content_digest(strided) == content_digest(a.copy())
    assert content_digest({"x": 1, "y": [1, 2]}) == content_digest({"y": [1, 2], "x": 1})  # key order
    assert content_digest({"b", "a", "c"}) == content_digest({"c", "b", "a"})
    opts = _Options(1.0, ("a", "b"), {"k": np.ones(2)})
    assert content_digest(opts, 3) == content_digest(_Options(1.0, ("a", "b"), {"k": np.ones(2)}), 3)
    t = pd.date_range("2021-01-01", periods=5, freq="h", tz="Europe/Brussels")
    frame = pd.DataFrame({"t_out_c": [1.0, 2.0, 3.0, 4.0, 5.0], "zone": list("abcde")}, index=t)
    assert content_digest(frame) == content_digest(frame.copy(deep=True))
    assert len(content_digest(a, digest_size=20)) == 20 and len(content_digest(a)) == 32
    for bad in (0, 33, 2.0):
        with pytest.raises(ValueError, match="digest_size"):
            content_digest(a, digest_size=bad)


def test_a_change_of_content_changes_the_digest() -> None:
    a = np.arange(12, dtype=np.float64).reshape(3, 4)
    changed = a.copy()
    changed[2, 3] += 1e-12
    opts = _Options(1.0, ("a", "b"), {"k": 1.0})
    t = pd.date_range("2021-01-01", periods=3, freq="h", tz="Europe/Brussels")
    frame = pd.DataFrame({"t_out_c": [1.0, 2.0, 3.0]}, index=t)
    other_frame = frame.copy()
    other_frame.iloc[1, 0] = 2.5
    pairs = [
        (a, changed),  # one element
        (a, a.astype(np.float32)),  # dtype
        (a, a.astype(np.int64)),  # dtype, same numbers
        (a, a.reshape(4, 3)),  # shape, same bytes
        (a, a.T.copy()),  # order of the elements
        ({"k": 1.0}, {"k": 2.0}),  # a mapping's value
        ({"k": 1.0}, {"j": 1.0}),  # a mapping's key
        (opts, replace(opts, spacing_m=2.0)),  # a dataclass field
        (opts, replace(opts, table={"k": 1.0, "extra": None})),  # a nested mapping
        ([1, 2], [2, 1]),  # order of a sequence
        ([1, 2], (1, 2)),  # list and tuple
        (("ab", "c"), ("a", "bc")),  # where one string ends
        (1, True),  # int and bool
        (1, 1.0),
        (np.float64(1.0), np.float32(1.0)),
        (t, t.tz_convert("UTC")),  # the same instants in another zone
        (t, t.as_unit("s")),  # the same instants in another unit
        (pd.Index([1, 2], name="a"), pd.Index([1, 2], name="b")),
        (frame, other_frame),
        (frame, frame.rename(columns={"t_out_c": "t_air_c"})),
        (frame["t_out_c"], frame["t_out_c"].reset_index(drop=True)),
        (np.array(["a", None], dtype=object), np.array(["a", "None"], dtype=object)),
    ]
    for x, y in pairs:
        assert content_digest(x) != content_digest(y), (x, y)
    assert content_digest(a, 1) != content_digest(1, a)  # order of the arguments


def test_a_value_without_a_rule_is_refused_with_its_type_and_place() -> None:
    with pytest.raises(TypeError, match=r"object.*values\[1\]\['k'\]"):
        content_digest(1, {"k": object()})


def test_importing_the_module_does_not_import_pandas() -> None:
    code = "import sys, twin.caching; sys.exit('pandas' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_weather_digest_follows_numbers_times_and_site_not_the_path():
    import dataclasses

    import pandas as pd

    from twin.caching import weather_digest
    from twin.types.weather import Location, Weather

    idx = pd.date_range("2021-01-01 01:00", periods=48, freq="h", tz="Etc/GMT-1")
    data = pd.DataFrame({"t_air_c": np.linspace(-2.0, 8.0, 48), "ghi_w_m2": np.zeros(48), "flag": ["A"] * 48}, index=idx)
    site = Location("Uccle", 50.8, 4.35, 1.0, 100.0)
    w = Weather(data, site, source="/a/uccle.epw")
    assert weather_digest(w) == weather_digest(Weather(data.copy(), site, source="/b/elsewhere.epw"))
    warmer = data.copy()
    warmer.iloc[5, 0] += 0.1
    later = data.copy()
    later.index = later.index + pd.Timedelta(hours=1)
    assert len({weather_digest(w), weather_digest(Weather(warmer, site)), weather_digest(Weather(later, site)),
                weather_digest(Weather(data, dataclasses.replace(site, latitude_deg=51.0)))}) == 4


def test_a_file_is_parsed_once_per_content(tmp_path) -> None:
    from twin.caching import parsed_file

    cache: BoundedCache = BoundedCache(2)
    path = tmp_path / "table.csv"
    calls: list[bytes] = []

    def parse(data: bytes) -> str:
        calls.append(data)
        return data.decode()

    path.write_text("a,1\n")
    assert parsed_file(cache, path, parse) == "a,1\n"
    assert parsed_file(cache, path, parse) == "a,1\n" and len(calls) == 1  # same content: not parsed again
    path.write_text("b,2\n")  # the same size, another content
    assert parsed_file(cache, path, parse) == "b,2\n" and len(calls) == 2
    other = tmp_path / "other.csv"
    other.write_text("b,2\n")  # the same content under another path is another entry
    assert parsed_file(cache, other, parse) == "b,2\n" and len(calls) == 3
