"""One rule for turning a pydantic validation error of a soil spec into an :class:`InputError`.

Used by the column spec (:func:`twin.soil.column.parse_column_spec`), the block spec
(:func:`twin.soil.block3d_spec.load_block_spec`) and the year options
(:meth:`twin.soil.year.YearOptions.parse`): the first error only, its key path as the field
(``top.rain.mm``), ``unknown key 'x'`` for a key the model does not know, and the offending value
appended when it is a scalar.
"""

from __future__ import annotations

from pydantic import ValidationError

from twin.errors import InputError


def spec_input_error(exc: ValidationError, *, path=None) -> InputError:
    """The :class:`InputError` that reports the first error of ``exc``.

    Parameters
    ----------
    exc
        The validation error of a spec model.
    path
        The spec file, if any (named in the message).

    Returns
    -------
    InputError
        ``field`` is the dotted key path (pydantic's ``function-after`` steps left out; None at
        the top level); the message is ``unknown key 'k'`` for an extra key, else pydantic's
        message without its ``"Value error, "`` before a validator's own words, followed by ``, got <value>`` when the value is a number, a string or a bool.
    """
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"] if p not in ("function-after",))
    if err["type"] == "extra_forbidden":
        return InputError(f"unknown key {key!r}", path=path, field=key)
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    if isinstance(value, (int, float, str, bool)):
        msg = f"{msg}, got {value!r}"
    return InputError(msg, path=path, field=key or None)
