"""Numba settings from the environment: the thread count and a disk cache that may not be writable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_harness import REPO

# compiles two tiny kernels (a few seconds) and prints where the cache went
PROBE = """
import numpy as np
from twin.kernels import config
from twin.kernels.traffic_vdf import link_costs
out = np.empty(1)
link_costs(np.zeros(1), np.ones(1), np.ones(1), np.full(1, 0.15), np.full(1, 4.0), np.zeros(1, dtype=np.int64), np.zeros(1), out)
assert out[0] == 1.0, out
print(config.CACHE_STATUS)
"""


def _run_probe(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env.update({"TWIN_NUMBA_THREADS": "1", **env_extra})
    return subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_parse_threads() -> None:
    from twin.kernels.config import ConfigError, parse_threads

    assert parse_threads(None) is None and parse_threads("  ") is None
    assert parse_threads("2") == 2 and parse_threads(" -1 ") == -1
    for bad in ("abc", "1.5", "1e3", "two"):
        with pytest.raises(ConfigError, match="TWIN_NUMBA_THREADS") as err:
            parse_threads(bad)
        assert bad in str(err.value)
        assert err.value.exit_code == 2 and err.value.format_message() == str(err.value)


def test_threads_from_env_sets_and_caps() -> None:
    import numba

    from twin.kernels.config import threads_from_env

    before = numba.get_num_threads()
    try:
        assert threads_from_env({"TWIN_NUMBA_THREADS": "1"}) == 1 and numba.get_num_threads() == 1
        assert threads_from_env({"TWIN_NUMBA_THREADS": "100000"}) == numba.config.NUMBA_NUM_THREADS
        assert threads_from_env({}) is None
    finally:
        numba.set_num_threads(before)


def test_bad_thread_count_at_import_is_one_line() -> None:
    """Importing a kernel with ``TWIN_NUMBA_THREADS=abc`` raises the one clear ConfigError."""
    env = {**os.environ, "TWIN_NUMBA_THREADS": "abc"}
    code = "try:\n    import twin.kernels.traffic_vdf\nexcept ValueError as e:\n    print(type(e).__name__, e.exit_code, e)\n"
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ConfigError 2 TWIN_NUMBA_THREADS") and "'abc'" in proc.stdout


def test_writable_dir(tmp_path: Path) -> None:
    from twin.kernels.config import writable_dir

    assert writable_dir(str(tmp_path / "new" / "cache"))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert not writable_dir(str(blocker / "cache"))  # a file where a folder should be
    assert not writable_dir("/proc/twin-numba-cache")  # refused even to root


def test_choose_cache_dir_order(tmp_path: Path) -> None:
    from twin.kernels.config import choose_cache_dir

    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad = str(blocker / "cache")
    good = str(tmp_path / "fallback")
    in_tree = str(tmp_path / "pycache")
    assert choose_cache_dir(str(tmp_path / "mine"), bad, [good]) == (None, "numba")  # configured and fine
    assert choose_cache_dir("", in_tree, [good]) == (None, "numba")  # Numba's in-tree folder works
    assert choose_cache_dir(bad, in_tree, [good]) == (good, f"fallback: {good}")  # configured but unusable
    assert choose_cache_dir("", bad, [bad, good]) == (good, f"fallback: {good}")  # read-only install
    folder, status = choose_cache_dir(bad, bad, [bad])
    assert folder is None and status.startswith("disabled")


def test_unwritable_cache_falls_back_to_a_user_folder(tmp_path: Path) -> None:
    """NUMBA_CACHE_DIR under a file and Numba's other locators switched off (a read-only install):
    Numba alone fails with "no locator available"; twin caches in $XDG_CACHE_HOME/twin/numba."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    xdg = tmp_path / "xdg"
    env = {"NUMBA_CACHE_DIR": str(blocker / "numba"), "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator", "XDG_CACHE_HOME": str(xdg)}
    proc = _run_probe(env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == f"fallback: {xdg / 'twin' / 'numba'}"
    assert list((xdg / "twin" / "numba").rglob("*.nbi")), "no index file written in the fallback cache"


def test_no_writable_cache_at_all_still_runs(tmp_path: Path) -> None:
    """Every candidate refused: the kernels compile in memory (no disk cache) and still run."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = {
        "NUMBA_CACHE_DIR": str(blocker / "numba"),
        "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator",
        "XDG_CACHE_HOME": str(blocker / "xdg"),
        "TMPDIR": str(blocker / "tmp"),
    }
    code = PROBE.replace("from twin.kernels import config\n", "import tempfile, os\nfrom twin.kernels import config\n")
    env_all = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env_all.update({"TWIN_NUMBA_THREADS": "1", **env})
    # the last fallback is the temporary folder; point Python's at the blocked path too
    pre = f"import tempfile; tempfile.tempdir = {str(blocker / 'tmp')!r}\n"
    proc = subprocess.run([sys.executable, "-c", pre + code], cwd=REPO, env=env_all, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().startswith("disabled"), proc.stdout
