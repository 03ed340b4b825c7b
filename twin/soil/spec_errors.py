"""One rule for turning a pydantic validation error of a soil spec into an :class:`InputError`.

Used by the column spec (:func:`twin.soil.column.parse_column_spec`), the block spec
(:func:`twin.soil.block3d_spec.load_block_spec`) and the year options
(:meth:`twin.soil.year.YearOptions.parse`): the first error only, its key path as the field
(``top.rain.mm``), ``unknown key 'x'`` for a key the model does not know (with the closest key of
its section: ``unknown key 'top.rian' (did you mean 'rain'?)``, :mod:`twin.io.key_hints`), and the
offending value appended when it is a scalar.
"""

from __future__ import annotations

import importlib

from pydantic import ValidationError

from twin.errors import InputError
from twin.io.key_hints import error_to_report, hint_for_error

#: The spec models whose errors come here, by the name pydantic gives a model's error
#: (``ValidationError.title``): the model of an unknown key's hint when the caller names none.
SPEC_MODELS = {
    "ColumnSpec": ("twin.soil.column", "ColumnSpec"),
    "BlockSpecFile": ("twin.soil.block3d_spec", "BlockSpecFile"),
    "YearOptions": ("twin.soil.year", "YearOptions"),
}


def _model_of(exc: ValidationError) -> type | None:
    where = SPEC_MODELS.get(exc.title)
    if where is None:
        return None
    return getattr(importlib.import_module(where[0]), where[1], None)


def spec_input_error(exc: ValidationError, *, path=None, model: type | None = None, key_prefix: str = "") -> InputError:
    """The :class:`InputError` that reports the first error of ``exc`` (a misspelt required key: the
    unknown key, not the missing one; :func:`twin.io.key_hints.error_to_report`).

    Parameters
    ----------
    exc
        The validation error of a spec model.
    path
        The spec file, if any (named in the message).
    model
        The model validated (default: the one of :data:`SPEC_MODELS` named by ``exc.title``);
        it gives the known keys of an unknown key's section.
    key_prefix
        The key path of the model in the file the user wrote (``"options."`` for the options of a
        year spec), put before the key in the field and the message.

    Returns
    -------
    InputError
        ``field`` is the dotted key path (pydantic's ``function-after`` steps left out; None at
        the top level); the message is ``unknown key 'k'`` for an extra key (followed by
        ``(did you mean 'x'?)`` when a key of its section is close), else pydantic's
        message without its ``"Value error, "`` before a validator's own words, followed by ``, got <value>`` when the value is a number, a string or a bool.
    """
    err = error_to_report(exc.errors())
    key = ".".join(str(p) for p in err["loc"] if p not in ("function-after",))
    key = f"{key_prefix}{key}" if key else key_prefix.rstrip(".")
    if err["type"] == "extra_forbidden":
        model = model if model is not None else _model_of(exc)
        hint = hint_for_error(model, err["loc"]) if model is not None else ""
        return InputError(f"unknown key {key!r}{hint}", path=path, field=key)
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    if isinstance(value, (int, float, str, bool)):
        msg = f"{msg}, got {value!r}"
    return InputError(msg, path=path, field=key or None)
