"""A signal that lands while ``twin traffic`` swaps its outputs in (:func:`twin.traffic.output_files.swap_in`).

The sweep of interrupted traffic commands (``tests/test_outputs_interrupted_traffic.py``) sent
SIGINT to ``twin traffic select-link -o a.csv --link-flows b.csv`` just as its files were being
renamed in: exit 130 and one line, but ``.b.csv.twin-old-*`` and
``..a.csv.twin-written.json.twin-old-*`` were left beside the outputs (the ``KeyboardInterrupt``
was raised between making a name aside and noting it). Here the signal is raised at chosen
points of the swap, in this process, with the command line's handlers' behaviour (raise).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from twin.traffic import output_files
from twin.traffic.output_files import swap_in


def _pairs(folder: Path) -> list[tuple[Path, Path]]:
    """Three earlier outputs and three staged files to replace them."""
    pairs = []
    for name in ("a.csv", "b.csv", "c.parquet"):
        (folder / name).write_text(f"earlier {name}\n")
        tmp = folder / f".{name}.twin-tmp-1-x.tmp"
        tmp.write_text(f"new {name}\n")
        pairs.append((tmp, folder / name))
    return pairs


def _raising_after(monkeypatch, name: str, nth: int, sig: int) -> None:
    """``os.NAME`` raises signal ``sig`` right after its ``nth`` call has done its work."""
    real = getattr(os, name)
    calls = []

    def wrapped(*args, **kwargs):
        out = real(*args, **kwargs)
        calls.append(args)
        if len(calls) == nth:
            signal.raise_signal(sig)
        return out

    monkeypatch.setattr(output_files.os, name, wrapped)


@pytest.mark.parametrize(("name", "nth"), [("link", 1), ("link", 3), ("replace", 1), ("replace", 3)])
def test_a_signal_during_the_swap_keeps_every_earlier_file_and_leaves_nothing(tmp_path, monkeypatch, name, nth):
    pairs = _pairs(tmp_path)
    _raising_after(monkeypatch, name, nth, signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        swap_in(pairs)
    monkeypatch.undo()
    assert {p.name: p.read_text() for p in sorted(tmp_path.iterdir())} == {
        "a.csv": "earlier a.csv\n", "b.csv": "earlier b.csv\n", "c.parquet": "earlier c.parquet\n",
        **{tmp.name: tmp.read_text() for tmp, _ in pairs if tmp.exists()}}  # the staged files: the caller's to remove
    assert not [p for p in tmp_path.iterdir() if "twin-old" in p.name]


def test_sigterm_during_the_swap_reaches_the_handler_in_place(tmp_path, monkeypatch):
    class Terminated(Exception):
        pass

    def raise_terminated(signum, frame):
        raise Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        pairs = _pairs(tmp_path)
        _raising_after(monkeypatch, "replace", 2, signal.SIGTERM)
        with pytest.raises(Terminated):
            swap_in(pairs)
        assert signal.getsignal(signal.SIGTERM) is raise_terminated  # put back
    finally:
        signal.signal(signal.SIGTERM, previous)
    monkeypatch.undo()
    assert [(tmp_path / n).read_text() for n in ("a.csv", "b.csv", "c.parquet")] == ["earlier a.csv\n", "earlier b.csv\n", "earlier c.parquet\n"]
    assert not [p for p in tmp_path.iterdir() if "twin-old" in p.name]


def test_a_swap_without_a_signal_puts_every_new_file_in(tmp_path):
    pairs = _pairs(tmp_path)
    swap_in(pairs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "c.parquet"]
    assert (tmp_path / "b.csv").read_text() == "new b.csv\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_ignored_signal_during_the_swap_stays_ignored(tmp_path, monkeypatch):
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        pairs = _pairs(tmp_path)
        _raising_after(monkeypatch, "replace", 1, signal.SIGTERM)
        swap_in(pairs)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)
    monkeypatch.undo()
    assert [(tmp_path / n).read_text() for n in ("a.csv", "b.csv", "c.parquet")] == ["new a.csv\n", "new b.csv\n", "new c.parquet\n"]
