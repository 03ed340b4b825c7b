"""Progress of the solar and energy steps, on the one progress facility of :mod:`twin.io.progress`.

Kept for the modules that import it (``twin.solar.*``, ``twin.energy.stock``): :func:`chunks` and
:class:`Steps` report through :mod:`twin.io.progress`. ``progress``: None follows the reporter
the command line installed (library use: silent), False is silent, True shows the steps on
stderr (a line reporter of its own when none is installed, printing once a step has run
:data:`DELAY_S`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from twin.io import progress as _progress

#: Seconds before the first line of a reporter :class:`Steps` or :func:`chunks` start themselves
#: (``progress=True`` without the command line's reporter).
DELAY_S = 2.0

#: Chunks a long query is cut into (so the count moves); at least this many items each.
N_CHUNKS = 50
MIN_CHUNK = 256


@contextlib.contextmanager
def _asked(progress) -> Iterator[None]:
    """:func:`twin.io.progress.requested`, with :data:`DELAY_S` for a reporter of our own."""
    if progress and _progress.current() is None:
        with _progress.reporting(_progress.LineReporter(first_s=DELAY_S)):
            yield
    else:
        with _progress.requested(progress):
            yield


def chunks(n: int, progress, label: str) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` slices of ``range(n)``, reported as step ``label`` counting points."""
    size = max(MIN_CHUNK, -(-n // N_CHUNKS)) if n else 1
    bounds = [(a, min(n, a + size)) for a in range(0, n, size)]
    if not bounds:
        return
    with _asked(progress), _progress.step(label, n, unit="pt") as s:
        for a, b in bounds:
            yield a, b
            s.advance(b - a)


class Steps:
    """Named steps reported as ``desc: name`` (just ``name`` for ``desc="solar"``), with their wall times (``times``)."""

    def __init__(self, names: list[str], progress, *, desc: str = "solar") -> None:
        import time

        self._time = time.perf_counter
        self.times: dict[str, float] = {}
        self._desc = "" if desc == "solar" else desc
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(_asked(progress))

    def step(self, name: str):
        @contextlib.contextmanager
        def run():
            t = self._time()
            try:
                with _progress.step(f"{self._desc}: {name}" if self._desc else name):
                    yield
            finally:
                self.times[name] = self.times.get(name, 0.0) + self._time() - t

        return run()

    def close(self) -> None:
        self._stack.close()
