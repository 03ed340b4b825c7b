"""The progress facility (:mod:`twin.io.progress`) on a test clock: when lines are printed, what
they say, silence without a reporter, and the ``progress`` argument's three meanings."""

from __future__ import annotations

import io
import re

import pytest

from twin.io import progress

LINE = re.compile(r"^twin: \[\s*(\d+\.\d) s\] (.*)$")


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def reporter(clock: Clock, stream: io.StringIO, **kw) -> progress.LineReporter:
    return progress.LineReporter(stream, clock=clock, thread=False, tty=False, **kw)


def lines(stream: io.StringIO) -> list[tuple[float, str]]:
    out = []
    for line in stream.getvalue().splitlines():
        m = LINE.match(line)
        assert m, f"not a progress line: {line!r}"
        out.append((float(m.group(1)), m.group(2)))
    return out


def test_first_line_after_first_s_then_a_heartbeat_at_least_every_heartbeat_s():
    clock, stream = Clock(), io.StringIO()
    rep = reporter(clock, stream)
    with progress.reporting(rep), progress.step("run"), progress.step("energy on the baseline"):
        for _ in range(200):  # 40 s of a step that reports nothing, the thread ticking every 0.2 s
            clock.t += progress.TICK_S
            rep.tick()
    got = lines(stream)
    times = [t for t, _ in got]
    assert times[0] == pytest.approx(progress.FIRST_S, abs=progress.TICK_S + 1e-9)
    assert times[0] <= 2.0
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert max(gaps) <= progress.HEARTBEAT_S + progress.TICK_S + 1e-9 <= 10.0
    assert len(got) >= 40 / progress.HEARTBEAT_S
    assert all(text.startswith("run > energy on the baseline") for _, text in got)
    assert "s in this step)" in got[-1][1]


def test_nothing_before_first_s_and_nothing_once_the_steps_are_over():
    clock, stream = Clock(), io.StringIO()
    rep = reporter(clock, stream)
    with progress.reporting(rep):
        with progress.step("short"):
            clock.t = 0.9
            rep.tick()
        clock.t = 30.0
        assert not rep.tick()  # no step running
    assert stream.getvalue() == ""


def test_new_steps_print_at_once_counts_at_most_every_min_gap():
    clock, stream = Clock(), io.StringIO()
    rep = reporter(clock, stream, first_s=0.0)
    with progress.reporting(rep):
        with progress.step("writing layers", 3) as done:
            for name in ("a", "b", "c"):
                with progress.step(name):
                    clock.t += 0.1
                done.advance()
                rep.tick()
            clock.t += progress.MIN_GAP_S
            rep.tick()
    texts = [text for _, text in lines(stream)]
    assert texts == ["writing layers 0/3 (0%)", "writing layers 0/3 (0%) > a", "writing layers 1/3 (33%) > b",
                     "writing layers 2/3 (67%) > c", "writing layers 3/3 (100%)"]


def test_track_counts_items_and_library_use_prints_nothing(capsys):
    assert progress.current() is None
    assert list(progress.track([1, 2, 3], "items")) == [1, 2, 3]
    with progress.step("x", 2) as s:
        s.advance(2)
    assert capsys.readouterr() == ("", "")


def test_progress_argument_none_follows_false_silences_true_shows(capsys, monkeypatch):
    clock, stream = Clock(), io.StringIO()
    rep = reporter(clock, stream, first_s=0.0)
    with progress.reporting(rep):
        with progress.requested(None), progress.step("followed"):
            pass
        with progress.requested(False), progress.step("silenced"):
            pass
        with progress.requested(True), progress.step("shown"):
            pass
    assert [t for _, t in lines(stream)] == ["followed", "shown"]
    # True without a reporter: a line reporter on stderr for the block (printing after FIRST_S)
    monkeypatch.setattr(progress, "FIRST_S", 0.0)
    with progress.requested(True), progress.step("asked for"):
        pass
    err = capsys.readouterr().err
    assert LINE.match(err.strip()) and err.strip().endswith("asked for")
    assert progress.current() is None


def test_terminal_redraws_one_line_and_clears_it():
    clock, stream = Clock(), io.StringIO()
    rep = progress.LineReporter(stream, clock=clock, thread=False, tty=True, first_s=0.0)
    with progress.reporting(rep), progress.step("a"):
        progress.clear_line()
        with progress.step("b"):
            pass
    out = stream.getvalue()
    assert "\n" not in out
    assert out.endswith("\r\x1b[K")
    assert out.count("\r\x1b[K") == 4  # a, cleared, b, cleared at the end


def test_an_exception_unwinds_the_steps_inside():
    clock, stream = Clock(), io.StringIO()
    rep = reporter(clock, stream, first_s=0.0)
    with progress.reporting(rep), progress.step("outer"):
        with pytest.raises(ValueError), progress.step("inner"), progress.step("innermost"):
            raise ValueError
        assert rep.status() == "outer"
    assert rep.status() == ""
