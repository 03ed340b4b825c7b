"""SCS Curve Number runoff (USDA NRCS), the screening method for storm runoff.

.. math:: S = 25400 / CN - 254, \\quad I_a = \\lambda S, \\quad
          Q = (P - I_a)^2 / (P - I_a + S) \\text{ for } P > I_a, \\text{ else } 0

with depths in mm and the initial-abstraction ratio :math:`\\lambda = 0.2` of the original
method (NRCS National Engineering Handbook, Part 630, Chapter 10, 2004).

Curve numbers by cover and hydrologic soil group (HSG) follow USDA TR-55 (1986), Table 2-2a
(urban areas): impervious surfaces (roofs, paved parking lots, streets) 98; open space in good
condition (grass cover > 75 %) A 39, B 61, C 74, D 80; woods in good condition (Table 2-2c)
A 30, B 55, C 70, D 77. Soil textures map to groups after NEH Part 630, Chapter 7, Table 7-1
(saturated conductivity classes) as listed in :data:`TEXTURE_HSG`.
"""

from __future__ import annotations

import numpy as np

from twin.errors import InputError

CN_IMPERVIOUS = 98.0
CN_OPEN_SPACE_GOOD = {"A": 39.0, "B": 61.0, "C": 74.0, "D": 80.0}
CN_WOODS_GOOD = {"A": 30.0, "B": 55.0, "C": 70.0, "D": 77.0}

#: USDA texture class -> hydrologic soil group (NEH 630 ch. 7, typical, no water table).
TEXTURE_HSG = {
    "sand": "A", "loamy sand": "A", "sandy loam": "A",
    "loam": "B", "silt loam": "B", "silt": "B",
    "sandy clay loam": "C", "clay loam": "C", "silty clay loam": "C",
    "sandy clay": "D", "silty clay": "D", "clay": "D",
}


def potential_retention_mm(cn) -> np.ndarray:
    """S = 25400 / CN - 254, mm."""
    cn = np.asarray(cn, dtype=float)
    if np.any((cn <= 0) | (cn > 100) | ~np.isfinite(cn)):
        raise InputError("curve numbers must lie in (0, 100]", field="curve_number")
    return 25400.0 / cn - 254.0


def runoff_mm(precip_mm, cn, *, ia_ratio: float = 0.2) -> np.ndarray:
    """Direct runoff depth Q (mm) of a storm of depth ``precip_mm`` on curve number ``cn``.

    Examples
    --------
    >>> round(float(runoff_mm(50.0, 80.0)), 2)
    13.8
    """
    p = np.asarray(precip_mm, dtype=float)
    if np.any(p < 0) or not np.all(np.isfinite(p)):
        raise InputError("precipitation must be finite and >= 0", field="precip_mm")
    if not 0.0 <= ia_ratio < 1.0:
        raise InputError("initial-abstraction ratio must lie in [0, 1)", field="ia_ratio")
    s = potential_retention_mm(cn)
    ia = ia_ratio * s
    excess = np.maximum(p - ia, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(excess > 0.0, excess**2 / (excess + s), 0.0)
    return q


def hydrologic_group(texture: str | None, default: str = "B") -> str:
    """Hydrologic soil group of a texture class (``default`` for an unknown or missing one)."""
    if not texture:
        return default
    key = str(texture).strip().lower().replace("_", " ")
    if key not in TEXTURE_HSG:
        raise InputError(f"unknown soil texture {texture!r}; known: {', '.join(sorted(TEXTURE_HSG))}", field="texture")
    return TEXTURE_HSG[key]
