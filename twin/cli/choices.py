"""Options whose value is one of a few names: one check, and "did you mean" for a slip.

``twin energy run --model iso52061`` printed "choose one of 5r1c, iso52016"; each engine checked
its names in its own words, some after the scene was read. :func:`choice` makes the ``callback``
of such an option: the value is checked as the command line is parsed, before any work, and an
unknown one ends in one line naming the option, the names it takes and the one the user most
likely meant::

    twin: error: field '--model': unknown zone model 'iso52061': choose one of 5r1c, iso52016 (did you mean 'iso52016'?)

The names come from the engine that reads them (``"module:NAME"``, imported when a value other
than the option's default is given, so ``twin --help`` stays fast). The engines keep their own
checks for callers from Python; a name the engine refuses for another reason (a green split by
flows in a mobility run) passes here and gets the engine's explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from importlib import import_module
from typing import Any

import typer

#: Least length of a value read as the start of a name (``dest`` for ``destination``).
MIN_PREFIX = 2


def close_choice(value: str, allowed: Iterable[str]) -> str | None:
    """The name of ``allowed`` that a mistyped ``value`` most likely stands for, or None.

    The rule of every hint of twin (:func:`twin.io.key_hints.closest_key`: case and separators
    folded, a difflib ratio of at least 0.75, no tie); else, for the short names that ratio misses,
    the only name one slip away (a letter wrong, dropped, added or two swapped:
    :func:`twin.io.key_hints.edit_distance`; ``bwf`` for ``bfw``) when ``value`` has at least
    three letters; else the only name ``value`` starts (at least :data:`MIN_PREFIX` letters, case
    folded: ``dest`` for ``destination``).
    """
    from twin.io.key_hints import closest_key, edit_distance

    names = [str(a) for a in allowed]
    written = value.strip().lower()
    close = closest_key(value, names)
    if close is None and len(written) >= 3:
        near = [n for n in names if edit_distance(written, n.lower(), limit=1) <= 1]
        close = near[0] if len(near) == 1 else None
    if close is None and len(written) >= MIN_PREFIX:
        starting = [n for n in names if n.lower().startswith(written)]
        close = starting[0] if len(starting) == 1 else None
    return close


def did_you_mean(value: str, allowed: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the name :func:`close_choice` finds, else ``""``."""
    close = close_choice(value, allowed)
    return f" (did you mean {close!r}?)" if close is not None else ""


def check_choice(value: str, allowed: Sequence[str], *, option: str, what: str) -> str:
    """``value`` if it is one of ``allowed``.

    Parameters
    ----------
    value
        The value given to the option.
    allowed
        The names the option takes, in the order the error lists them.
    option
        The option (``--model``), the error's field.
    what
        What the names are, for the message (``zone model``).

    Returns
    -------
    str
        ``value``, unchanged.

    Raises
    ------
    twin.errors.InputError
        ``unknown <what> 'v': choose one of a, b (did you mean 'b'?)`` (the hint when one name is
        close), field ``option``.
    """
    from twin.errors import InputError

    if value in allowed:
        return value
    raise InputError(f"unknown {what} {value!r}: choose one of {', '.join(allowed)}{did_you_mean(value, allowed)}", field=option)


def _names(source: Sequence[str] | str) -> tuple[str, ...]:
    """The names of ``source``: a sequence, or ``"module:NAME"`` of a sequence, a mapping (its
    keys) or a function returning one."""
    if not isinstance(source, str):
        return tuple(source)
    found = _imported(source)
    return tuple(found() if callable(found) else found)


def _imported(reference: str) -> Any:
    """The object ``"module:NAME"`` names (the module imported now)."""
    module, _, name = reference.partition(":")
    return getattr(import_module(module), name)


def _accepted_by(parse: str | None, value: str) -> bool:
    """Whether the engine's own reader ``parse`` (``"module:function"``) takes ``value``
    (another spelling of a name, e.g. ``frank-wolfe`` for ``fw``)."""
    from twin.errors import TwinError

    if parse is None:
        return False
    try:
        _imported(parse)(value)
    except TwinError:
        return False
    return True


def choice(source: Sequence[str] | str, *, what: str, comma_separated: bool = False, parse: str | None = None) -> Callable[..., Any]:
    """The ``callback`` of a typer option whose value must be one of the names of ``source``.

    Parameters
    ----------
    source
        The names, or ``"module:NAME"`` of the engine's constant (a sequence or mapping of them,
        or a function returning one), imported only when a value other than the default is given.
    what
        What the names are, for the message (``zone model``, ``green split``).
    comma_separated
        The value is a comma-separated list; every item must be a name.
    parse
        ``"module:function"``: the engine's reader of the value; a value it takes (another
        spelling, other case) is accepted as well.

    Returns
    -------
    callable
        A callback for ``typer.Option(callback=...)``: returns the value unchanged, raises
        :class:`~twin.errors.InputError` (:func:`check_choice`) for an unknown name.
    """

    def callback(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:  # noqa: ARG001 - typer passes them by their type
        if value is None or value == param.default or _accepted_by(parse, value):
            return value
        allowed = _names(source)
        items = [v.strip() for v in value.split(",") if v.strip()] if comma_separated else [value]
        if not items:
            from twin.errors import InputError

            raise InputError(f"no {what} given: name at least one of {', '.join(allowed)}", field=param.opts[0])
        for item in items:
            check_choice(item, allowed, option=param.opts[0], what=what)
        twice = next((item for i, item in enumerate(items) if item in items[:i]), None)
        if twice is not None:  # computed and reported twice, or a typo for another name
            from twin.errors import InputError

            raise InputError(f"{what} {twice!r} is listed twice in {value!r}", field=param.opts[0])
        return value

    return callback


__all__ = ["MIN_PREFIX", "check_choice", "choice", "close_choice", "did_you_mean"]
