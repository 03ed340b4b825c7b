"""JSON that other programs can read: NaN and infinities become ``null`` (RFC 8259 has no NaN)."""

from __future__ import annotations

import json
import math
from typing import Any


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None, NumPy scalars and arrays as Python."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    tolist = getattr(value, "tolist", None)  # NumPy scalars and arrays
    if callable(tolist) and type(value).__module__ == "numpy":
        return _finite(tolist())
    return value


def to_json_text(data: Any, *, indent: int | None = 2, default=str) -> str:
    """Serialise ``data`` as strict JSON: NaN and infinities become ``null``.

    Parameters
    ----------
    data
        Mappings, sequences, numbers (Python or NumPy), strings.
    indent
        As :func:`json.dumps`.
    default
        Called for objects JSON cannot hold (default: ``str``, e.g. timestamps and paths).

    Returns
    -------
    str
        Text that any JSON parser accepts (``json.dumps(..., allow_nan=False)`` holds).
    """
    return json.dumps(_finite(data), indent=indent, default=lambda o: _finite(default(o)), allow_nan=False)
