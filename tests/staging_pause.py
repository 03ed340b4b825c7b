"""``python -m tests.staging_pause ARGS``: ``twin ARGS`` that pauses inside the write of its output.

Test-only. With ``TWIN_TEST_PAUSE=staged:<marker>`` (:data:`twin.cli.PAUSE_ENV`), the write of
the output path (given to ``-o``, or to ``--link-flows`` by a command without ``-o``: ``twin
traffic select-zone``) writes the marker file and sleeps (:func:`twin.cli.pause_point`) once every
file of the new result is written beside the output and before it is swapped in: a folder staged
by :func:`twin.io.staged.staged_dir`, a file by :func:`twin.io.atomic.atomic_path`, or the files of
a traffic command staged by :class:`twin.traffic.output_files.StagedOutputs` (paused as its
:meth:`~twin.traffic.output_files.StagedOutputs.commit` begins, when the output is one of them). A
test that sends a signal once the marker exists knows the signal lands mid-work, whatever the
load of the machine: no timing, no retry. Writes of other paths (the files inside a staged
folder, a cache) do not pause. The command line otherwise runs as ``python -m twin.cli.main``.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

#: The pause point's name in ``TWIN_TEST_PAUSE``.
POINT = "staged"
#: The options naming the output to pause in, the first found in the command line.
OUTPUT_OPTIONS = ("-o", "--link-flows")


def _output(argv: list[str]) -> Path | None:
    """The path after the first of :data:`OUTPUT_OPTIONS` in ``argv`` (None: none of them)."""
    for option in OUTPUT_OPTIONS:
        if option in argv[:-1]:
            return Path(argv[argv.index(option) + 1]).absolute()
    return None


def _pausing(write: Callable, output: Path) -> Callable:
    """``write`` (a context manager yielding the staged path of its target), pausing at the end of
    the block when its target is ``output``."""
    from twin.cli import pause_point

    @contextlib.contextmanager
    def paused(target, *args, **kwargs) -> Iterator[Path]:
        with write(target, *args, **kwargs) as staged:
            yield staged
            if Path(target).absolute() == output:
                pause_point(POINT)

    return paused


def _pausing_commit(commit: Callable, output: Path) -> Callable:
    """``StagedOutputs.commit``, pausing first when ``output`` is one of the staged targets."""
    from twin.cli import pause_point

    @functools.wraps(commit)
    def paused(self) -> None:
        if output in {Path(target).absolute() for target in self.fields}:
            pause_point(POINT)
        commit(self)

    return paused


def install(argv: list[str]) -> None:
    """Make the staged writers of :mod:`twin.io` and the traffic commands pause in the write of
    ``argv``'s output path.

    Called before the command line is imported, so that modules importing the writers by name
    (``from twin.io import staged_dir``) get the pausing ones.
    """
    import twin.io
    import twin.io.atomic
    import twin.io.staged

    output = _output(argv)
    if output is None:
        raise SystemExit(f"tests.staging_pause: the command has no output ({' or '.join(OUTPUT_OPTIONS)}) to pause in")
    twin.io.staged.staged_dir = twin.io.staged_dir = _pausing(twin.io.staged.staged_dir, output)
    twin.io.atomic.atomic_path = twin.io.atomic_path = _pausing(twin.io.atomic.atomic_path, output)
    from twin.traffic.output_files import StagedOutputs  # after: twin.traffic imports atomic_path by name

    StagedOutputs.commit = _pausing_commit(StagedOutputs.commit, output)


if __name__ == "__main__":
    install(sys.argv[1:])
    from twin.cli.main import main

    main()
