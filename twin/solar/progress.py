"""Progress for long steps: a tqdm bar on stderr when asked, silence otherwise.

Library calls are silent by default (``progress=None``); the command line passes ``True``
unless ``-q``. A bar appears only once a step has run for 2 s (``delay``), so short steps
print nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

#: Seconds a step runs before its bar appears.
DELAY_S = 2.0

#: Chunks a long query is cut into (so the bar moves); at least this many items each.
N_CHUNKS = 50
MIN_CHUNK = 256


def chunks(n: int, progress, label: str) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` slices of ``range(n)``; a bar labelled ``label`` follows them if ``progress``."""
    size = max(MIN_CHUNK, -(-n // N_CHUNKS)) if n else 1
    bounds = [(a, min(n, a + size)) for a in range(0, n, size)]
    if not progress or not bounds:
        yield from bounds
        return
    from tqdm import tqdm

    with tqdm(total=n, desc=label, unit="pt", file=sys.stderr, delay=DELAY_S, leave=False, dynamic_ncols=True) as bar:
        for a, b in bounds:
            yield a, b
            bar.update(b - a)


class Steps:
    """Named steps with a bar over them (``progress``) and their wall times (``times``)."""

    def __init__(self, names: list[str], progress, *, desc: str = "solar") -> None:
        import time

        self._time = time.perf_counter
        self.times: dict[str, float] = {}
        self._bar = None
        self._desc = "" if desc == "solar" else desc
        if progress:
            from tqdm import tqdm

            self._bar = tqdm(total=len(names), desc=desc, unit="step", file=sys.stderr, delay=DELAY_S, leave=False,
                             dynamic_ncols=True)

    def step(self, name: str):
        import contextlib

        @contextlib.contextmanager
        def run():
            if self._bar is not None:
                self._bar.set_description(f"{self._desc}: {name}" if self._desc else name)
            t = self._time()
            try:
                yield
            finally:
                self.times[name] = self.times.get(name, 0.0) + self._time() - t
                if self._bar is not None:
                    self._bar.update(1)

        return run()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
