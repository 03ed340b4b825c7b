"""The one error family of twin.

Every problem with user input raises a subclass of :class:`TwinError`. The message names the
file, the object and the field when they are known, so a planner can find and fix the input.
Callers that want to survive bad input catch ``TwinError`` alone.
"""

from __future__ import annotations

from os import PathLike


class TwinError(Exception):
    """Base class of every error twin raises on purpose.

    Parameters
    ----------
    message
        What went wrong, in words a user understands.
    path
        The file the problem was found in, if any.
    obj
        The object (building id, link, row number, JSON key path...) the problem concerns.
    field
        The field or column at fault.

    Attributes
    ----------
    exit_code
        The command line's exit status for this error: 2 (bad input) unless a subclass says
        otherwise.
    """

    exit_code: int = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        obj: object | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.obj = obj
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.path is not None:
            where.append(f"file {self.path}")
        if self.obj is not None:
            where.append(f"object {self.obj}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return f"{'; '.join(where)}: {self.message}" if where else self.message


class InputError(TwinError):
    """An input file or value is malformed, inconsistent or out of range."""


class ParseError(InputError):
    """A file cannot be parsed in its declared format."""


class CRSError(InputError):
    """A layer has no or an unusable coordinate reference system."""


class SchemaError(InputError):
    """A table lacks a required column or holds a value of the wrong type or range."""


class GeometryError(InputError):
    """Geometry that cannot be used (empty, invalid beyond repair, degenerate)."""


class SubprocessCrash(TwinError):
    """A parser running in a child process crashed or timed out; the main process survived."""


class SimulationError(TwinError):
    """A simulation cannot run on the given model (e.g. non-physical parameters)."""


class ScenarioError(InputError):
    """A scenario file is invalid; the key path is given as ``field``."""


class NoEffectError(ScenarioError):
    """A scenario selection matches nothing, or a modification changes nothing (or the opposite
    of what its name says). An error by default; the command line can turn it into a warning."""


class ResourceLimitError(InputError):
    """An input asks for more than a documented limit (file size, cells, samples, duration)."""


class UnsafePathError(InputError):
    """An input path leaves the folder it must stay in (absolute, ``..``, a link outside) or is
    not a regular file (a folder, a device, a pipe)."""


class OutputError(TwinError):
    """An output cannot be written where asked (read-only, not a folder, name too long)."""


class RunHeldError(TwinError):
    """The run asked for is being computed by another live process on the same run store (or by
    a process of another host, which cannot be checked); the message names the store, the run,
    the host and pid of that process and what to do. Exit code 2 like other refusals: nothing
    was computed or written."""


class TwinWarning(UserWarning):
    """Something a user should know that does not stop the run (the command line prints
    ``twin: warning: ...``)."""
