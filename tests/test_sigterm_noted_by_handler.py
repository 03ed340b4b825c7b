"""SIGTERM inside a workflow block ends as SIGTERM (143) even before the watcher thread runs.

``twin run``, ``twin energy run`` and ``twin calibrate`` enter
:func:`twin.workflows.interrupt.sigterm_raises` inside the command line's
:func:`twin.cli.signals.installed`. The workflow block used to replace the command line's SIGTERM
handler by one that raised without noting the signal, so only the watcher thread noted it: a
main thread that unwound to ``interrupted()`` first ended with 130 and "twin: interrupted" (seen
about once in 60 signalled ``twin run`` processes). Here the watcher is replaced by a thread that
does nothing, so the note can come only from the handler.
"""

from __future__ import annotations

import signal

import pytest

from twin.cli import errors, signals
from twin.workflows.interrupt import Terminated, sigterm_raises


@pytest.fixture
def no_watcher(monkeypatch):
    monkeypatch.setattr(signals, "_watch", lambda read_fd: None)


def test_sigterm_in_a_workflow_block_is_noted_and_ends_143(no_watcher, capsys):
    with signals.installed():
        with pytest.raises(Terminated), sigterm_raises():
            signal.raise_signal(signal.SIGTERM)
        assert signals.received() == signal.SIGTERM
        code = errors.interrupted()
    assert code == 143
    assert capsys.readouterr().err.strip() == "twin: terminated (SIGTERM)"


def test_sigterm_raises_outside_the_command_line_still_raises_and_restores(no_watcher):
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated), sigterm_raises():
        signal.raise_signal(signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is before
