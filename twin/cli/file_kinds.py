"""Which of twin's YAML input files a file is, for the error of a file given to the wrong command.

A new user who reads "a year of soil water" beside ``scenarios/stgilles_soil_year.yaml`` tries
``twin soil year scenarios/stgilles_soil_year.yaml``, and the spec loader's first complaint,
``unknown key 'description'``, does not say that the file is a scenario. When a command's
loader refuses a file, :func:`wrong_kind` reads the file's top-level keys; if they all belong to
another kind of file (a scenario, a soil column / year / block spec, a single-zone energy spec)
and not to the one the command reads, the error says so and names the command that runs it.
Any other error is raised unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from twin.errors import InputError, TwinError

#: Largest file read again to tell its kind (the loaders' own limits are smaller).
PROBE_MAX_BYTES = 4_000_000

#: kind -> (top-level keys of the file, the command that runs it; FILE stands for the path).
_KINDS: dict[str, tuple[frozenset[str], str]] = {}


def _kinds() -> dict[str, tuple[frozenset[str], str]]:
    """The known kinds, their keys read from the spec models (imported on first use)."""
    if not _KINDS:
        from twin.energy.spec import ZoneSpec
        from twin.scenario.schema import Scenario
        from twin.soil.block3d_spec import BlockSpecFile
        from twin.soil.column import ColumnSpec
        from twin.soil.year_spec import YearSpec

        _KINDS.update({
            "scenario": (frozenset(Scenario.model_fields), "twin run FILE"),
            "soil column spec": (frozenset(ColumnSpec.model_fields), "twin soil column FILE"),
            "soil year spec": (frozenset(YearSpec.model_fields), "twin soil year FILE"),
            "soil block spec": (frozenset(BlockSpecFile.model_fields), "twin soil block FILE"),
            "single-zone energy spec": (frozenset(ZoneSpec.model_fields), "twin energy simulate FILE --weather FILE.epw"),
        })
    return _KINDS


def top_keys(path: Path) -> frozenset[str] | None:
    """The top-level keys of a YAML or JSON mapping file, or None when it is not one (or too large,
    or not a regular file: a named pipe or a device is never read, it could block for ever)."""
    import stat

    import yaml

    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > PROBE_MAX_BYTES:
            return None
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, yaml.YAMLError):
        return None
    if not isinstance(data, dict) or not data or not all(isinstance(k, str) for k in data):
        return None
    return frozenset(data)


def guess_kind(path: Path, expected: str) -> tuple[str, str] | None:
    """The kind of file ``path`` is and the command that runs it, when its keys fit another kind
    than ``expected`` (and do not fit ``expected``); else None.

    Parameters
    ----------
    path
        The file the command was given.
    expected
        The kind the command reads, a key of the table (e.g. ``"soil year spec"``).

    Returns
    -------
    tuple[str, str] | None
        ``(kind, command)`` with ``FILE`` in the command replaced by ``path``, or None.
    """
    keys = top_keys(path)
    if keys is None:  # a missing file, a folder...: its error at once, without importing the spec models
        return None
    kinds = _kinds()
    if keys <= kinds[expected][0]:
        return None
    fits = [(len(keys & fields), kind, cmd) for kind, (fields, cmd) in kinds.items() if kind != expected and keys <= fields]
    if not fits:
        return None
    fits.sort(reverse=True)
    if len(fits) > 1 and fits[0][0] == fits[1][0]:
        return None
    _, kind, cmd = fits[0]
    return kind, cmd.replace("FILE", str(path), 1)


@contextmanager
def wrong_kind(path: Path | None, expected: str) -> Iterator[None]:
    """Turn a loader's refusal of ``path`` into 'this is a KIND, not a EXPECTED: run it with ...'
    when the file is another kind of twin file; other errors pass unchanged.

    Parameters
    ----------
    path
        The file given on the command line (None: nothing to check).
    expected
        The kind the command reads, a key of the table.

    Raises
    ------
    InputError
        The file is another kind of twin file (its keys all belong to that kind).
    """
    try:
        yield
    except TwinError:
        found = guess_kind(Path(path), expected) if path is not None else None
        if found is None:
            raise
        kind, command = found
        raise InputError(f"this is a {kind}, not a {expected}: run it with `{command}`", path=path) from None
