"""Numba's disk cache and kernels that call into another module.

Numba checks a cached kernel against the time stamp and size of the file defining it only, so a
kernel whose helper (in another file) changed keeps the old machine code. ``kernels/config.py``
stamps the cache folder with a fingerprint of the kernel sources and empties it when they change
(:func:`twin.kernels.config.purge_stale_cache`). The test builds a two-module package in a
temporary folder: ``caller.py`` (cached) calls ``helper.py``; the helper's return value changes
and the caller's file is left untouched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.cli_harness import REPO

CALLER = textwrap.dedent(
    """
    import numba
    from helper import value

    @numba.njit(cache=True)
    def caller():
        return value() + 0.5
    """
)
HELPER = "import numba\n\n\n@numba.njit(cache=True)\ndef value():\n    return {v}\n"

RUN = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, {pkg!r})
    if {guard}:
        from twin.kernels.config import kernel_cache_folder, purge_stale_cache, sources_fingerprint
        purge_stale_cache(kernel_cache_folder("", os.path.join({pkg!r}, "caller.py")), sources_fingerprint({pkg!r}))
    from caller import caller
    print(caller())
    """
)


def _run(pkg: Path, guard: bool) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env["TWIN_NUMBA_THREADS"] = "1"
    proc = subprocess.run([sys.executable, "-c", RUN.format(pkg=str(pkg), guard=guard)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip()


def test_changed_helper_reaches_a_cached_caller(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "caller.py").write_text(CALLER)
    (pkg / "helper.py").write_text(HELPER.format(v="1.0"))
    assert _run(pkg, guard=True) == "1.5"
    assert list((pkg / "__pycache__").glob("caller.*.nbi")), "the caller was not cached"
    (pkg / "helper.py").write_text(HELPER.format(v="2.0"))  # same caller.py, same stamp
    # Numba alone: the cached caller still answers with the old helper (why the guard exists)
    assert _run(pkg, guard=False) == "1.5"
    # with the fingerprint guard of kernels/config.py: recompiled with the new helper
    assert _run(pkg, guard=True) == "2.5"
    assert _run(pkg, guard=True) == "2.5"


def test_purge_only_when_the_sources_change(tmp_path: Path) -> None:
    from twin.kernels.config import FINGERPRINT_FILE, purge_stale_cache, sources_fingerprint

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.py").write_text("x = 1\n")
    cache = tmp_path / "cache"
    fp = sources_fingerprint(str(src))
    assert not purge_stale_cache(str(cache), fp)  # nothing cached yet: the folder is stamped
    assert (cache / FINGERPRINT_FILE).read_text().strip() == fp
    (cache / "a.f-1.py311.nbi").write_bytes(b"index")
    (cache / "a.f-1.py311.1.nbc").write_bytes(b"code")
    (cache / "other.txt").write_text("kept")
    assert not purge_stale_cache(str(cache), fp)  # same sources: cache kept
    assert len(list(cache.glob("*.nb?"))) == 2
    (src / "a.py").write_text("x = 2\n")
    fp2 = sources_fingerprint(str(src))
    assert fp2 != fp
    assert purge_stale_cache(str(cache), fp2)
    assert not list(cache.glob("*.nb?")) and (cache / "other.txt").exists()
    assert (cache / FINGERPRINT_FILE).read_text().strip() == fp2


def test_cache_folder_matches_numba_locator(tmp_path: Path) -> None:
    """The folder derived for a user cache root is the one Numba's locator uses."""
    from numba.core.caching import _CacheLocator

    from twin.kernels.config import kernel_cache_folder

    module = str(REPO / "kernels" / "traffic_vdf.py")
    expected = os.path.join(str(tmp_path), _CacheLocator.get_suitable_cache_subpath(module))
    assert kernel_cache_folder(str(tmp_path), module) == expected
    assert kernel_cache_folder("", module) == str(REPO / "kernels" / "__pycache__")
