"""One check of a time given as a command-line option: a timestamp with its UTC offset."""

from __future__ import annotations

from typing import Any

from twin.errors import InputError


def aware_time_option(text: str, option: str, example: str = "2023-01-15T00:00:00+01:00") -> Any:
    """``text`` as a ``pandas.Timestamp`` with a UTC offset (explicit time zones everywhere).

    Raises
    ------
    InputError
        ``text`` is not a time, or has no UTC offset; names ``option`` and shows ``example``.
    """
    import pandas as pd

    try:
        value = pd.Timestamp(text)
    except ValueError:
        raise InputError(f"{option} is not a time: {text!r} (e.g. {example})", field=option) from None
    if value.tz is None:
        raise InputError(f"{option} needs a UTC offset ({example})", field=option)
    return value


__all__ = ["aware_time_option"]
