"""``twin store release RUN_ID...`` stopped by a signal changes no run, or releases all it was asked to.

The sweep of interrupted commands sent SIGINT to ``twin store release STORE stale nobeat dead``
as its first update was written: exit 130 and ``twin: interrupted``, but ``stale`` was released
and the two others were not, with no line saying so. The updates now share one transaction
(:meth:`twin.scenario.store.RunStore.release_all`).
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.test_store_cli import _store
from twin.cli.store import release
from twin.scenario import store as store_mod


def _statuses(path) -> dict[str, str]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT run_id, status FROM runs"))
    finally:
        con.close()


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_a_signal_between_the_updates_releases_none(tmp_path, monkeypatch, nth):
    path = tmp_path / "runs.sqlite"
    _store(path)
    before = _statuses(path)
    real, calls = store_mod._now, []

    def now() -> str:  # the time stamp of each released run: the signal lands before the nth update
        calls.append(1)
        if len(calls) == nth:
            raise KeyboardInterrupt
        return real()

    monkeypatch.setattr(store_mod, "_now", now)
    with pytest.raises(KeyboardInterrupt):
        release(path, ["stale", "nobeat", "dead"], reason="", force=False)
    assert _statuses(path) == before


def test_release_without_a_signal_releases_every_run_named(tmp_path):
    path = tmp_path / "runs.sqlite"
    _store(path)
    before = _statuses(path)
    release(path, ["stale", "nobeat", "dead"], reason="", force=False)
    after = _statuses(path)
    assert {k for k in after if after[k] != before[k]} == {"stale", "nobeat", "dead"}
    assert {after[k] for k in ("stale", "nobeat", "dead")} == {"failed"}
