"""Soil hydraulic materials: validated parameters, texture tables and NumPy retention curves.

A :class:`SoilMaterial` holds one retention/conductivity model in SI units (heads in m,
conductivity in m/s). It is built directly, from a texture name of the Carsel & Parrish (1988)
table (:func:`texture_material`), or from a user table (:func:`read_texture_table`). Invalid
parameters raise :class:`~twin.errors.InputError` naming the field.

The NumPy functions (:func:`water_content`, :func:`conductivity`, :func:`moisture_capacity`)
are the Python-side twins of the scalar kernels in :mod:`twin.kernels.soil_hydraulics`; the
tests check both agree.

References
----------
van Genuchten, M.Th. (1980), SSSAJ 44:892-898. Mualem, Y. (1976), WRR 12(3):513-522.
Brooks, R.H. & Corey, A.T. (1964), Hydrology Paper 3, Colorado State University.
Haverkamp, R., Vauclin, M., Touma, J., Wierenga, P.J. & Vachaud, G. (1977), SSSAJ 41:285-294.
Carsel, R.F. & Parrish, R.S. (1988), WRR 24(5):755-769, doi:10.1029/WR024i005p00755.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twin.errors import InputError

MODELS = ("van_genuchten", "brooks_corey", "haverkamp", "gardner")

# Upper bounds of the parameters (a value beyond is a unit slip or a typo, and the retention
# curves overflow float64 for the largest of them at the solver's driest head, -1e5 m).
MAX_KS_M_S = 1.0
"""Saturated conductivity, m/s (open gravel about 0.1; Carsel & Parrish sand 8.25e-5)."""
MAX_ALPHA_PER_M = 1000.0
"""van Genuchten alpha, 1/m (Carsel & Parrish sand 14.5)."""
MAX_VG_N = 20.0
"""van Genuchten n (uniform sands reach about 10; Carsel & Parrish sand 2.68)."""
L_RANGE = (-20.0, 20.0)
"""Pore-connectivity exponent l (fits range from about -8 to 5; Mualem 0.5)."""
MAX_SHAPE_EXPONENT = 20.0
"""Brooks-Corey lambda, Haverkamp beta and gamma."""
MAX_H_B_M = 1000.0
"""Brooks-Corey air-entry head, m."""
MAX_HAVERKAMP_SCALE = 1.0e12
"""Haverkamp alpha and A (heads in m; Haverkamp et al. 1977 sand: 18.7 and 0.0039)."""
CM_PER_DAY = 0.01 / 86400.0
"""1 cm/day in m/s."""

# Carsel & Parrish (1988), Table 3 (mean values; identical to the HYDRUS-1D soil catalogue).
# texture: theta_r, theta_s, alpha [1/cm], n, Ks [cm/day]; Mualem l = 0.5.
CARSEL_PARRISH_1988: dict[str, tuple[float, float, float, float, float]] = {
    "Sand": (0.045, 0.43, 0.145, 2.68, 712.8),
    "Loamy Sand": (0.057, 0.41, 0.124, 2.28, 350.2),
    "Sandy Loam": (0.065, 0.41, 0.075, 1.89, 106.1),
    "Loam": (0.078, 0.43, 0.036, 1.56, 24.96),
    "Silt": (0.034, 0.46, 0.016, 1.37, 6.0),
    "Silt Loam": (0.067, 0.45, 0.020, 1.41, 10.8),
    "Sandy Clay Loam": (0.100, 0.39, 0.059, 1.48, 31.44),
    "Clay Loam": (0.095, 0.41, 0.019, 1.31, 6.24),
    "Silty Clay Loam": (0.089, 0.43, 0.010, 1.23, 1.68),
    "Sandy Clay": (0.100, 0.38, 0.027, 1.23, 2.88),
    "Silty Clay": (0.070, 0.36, 0.005, 1.09, 0.48),
    "Clay": (0.068, 0.38, 0.008, 1.09, 4.80),
}


@dataclass(frozen=True)
class SoilMaterial:
    """One soil material: a retention/conductivity model and its parameters (SI units).

    Parameters
    ----------
    name
        Label (texture name or user key).
    model
        ``'van_genuchten'`` (Mualem conductivity), ``'brooks_corey'``, ``'haverkamp'`` or
        ``'gardner'`` (``K = Ks exp(alpha h)``, ``Se = exp(alpha h)``: the exponential model of the
        closed-form steady and transient solutions, Gardner 1958; ``alpha_per_m`` only).
    theta_r, theta_s
        Residual and saturated water content, m3/m3 (``0 <= theta_r < theta_s <= 1``).
    ks_m_s
        Saturated conductivity, m/s (> 0).
    alpha_per_m, n
        van Genuchten shape parameters (1/m; ``n > 1``).
    h_e_m
        van Genuchten air-entry head (m, <= 0; 0 = the original model): saturated above it and
        rescaled below it (Vogel et al. 2001; Ippisch et al. 2006; HYDRUS uses -0.02 m).
    l
        Pore-connectivity exponent (van Genuchten-Mualem: ``Kr = Se^l (1-(1-Se^(1/m))^m)^2``;
        Brooks-Corey: ``Kr = Se^(l + 2 + 2/lambda)``, ``l = 1`` is Brooks & Corey's original).
    h_b_m, lambda_
        Brooks-Corey air-entry head (m, > 0) and pore-size index (> 0).
    alpha_m_beta, beta, a_m_gamma, gamma
        Haverkamp: ``theta = theta_r + alpha (theta_s-theta_r) / (alpha + |h|^beta)`` and
        ``K = Ks A / (A + |h|^gamma)`` with ``|h|`` in m.
    tabulate
        Let the kernel use its Hermite lookup table (van Genuchten and Haverkamp only).
    """

    name: str
    model: str = "van_genuchten"
    theta_r: float = 0.0
    theta_s: float = 0.4
    ks_m_s: float = 1e-6
    alpha_per_m: float = float("nan")
    n: float = float("nan")
    l: float = 0.5
    h_e_m: float = 0.0
    h_b_m: float = float("nan")
    lambda_: float = float("nan")
    alpha_m_beta: float = float("nan")
    beta: float = float("nan")
    a_m_gamma: float = float("nan")
    gamma: float = float("nan")
    tabulate: bool = True
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self, *, path: str | None = None) -> None:
        """Raise :class:`InputError` naming the first invalid field."""
        obj = self.name or None
        if self.model not in MODELS:
            raise InputError(f"unknown retention model {self.model!r}; use one of {', '.join(MODELS)}", path=path, obj=obj, field="model")
        for name in ("theta_r", "theta_s", "ks_m_s"):
            if not math.isfinite(getattr(self, name)):
                raise InputError("must be a finite number", path=path, obj=obj, field=name)
        if not 0.0 <= self.theta_r < 1.0:
            raise InputError(f"theta_r = {self.theta_r} must be in [0, 1)", path=path, obj=obj, field="theta_r")
        if not 0.0 < self.theta_s <= 1.0:
            raise InputError(f"theta_s = {self.theta_s} must be in (0, 1]", path=path, obj=obj, field="theta_s")
        if self.theta_r >= self.theta_s:
            raise InputError(
                f"theta_r = {self.theta_r} must be below theta_s = {self.theta_s}", path=path, obj=obj, field="theta_r"
            )
        if self.ks_m_s <= 0.0:
            raise InputError(f"saturated conductivity must be positive, got {self.ks_m_s} m/s", path=path, obj=obj, field="ks_m_s")
        _at_most(self.ks_m_s, MAX_KS_M_S, "ks_m_s", path, obj)
        if self.model == "van_genuchten":
            _positive(self.alpha_per_m, "alpha_per_m", path, obj)
            _at_most(self.alpha_per_m, MAX_ALPHA_PER_M, "alpha_per_m", path, obj)
            if not (math.isfinite(self.n) and self.n > 1.0):
                raise InputError(f"van Genuchten n = {self.n} must be > 1", path=path, obj=obj, field="n")
            _at_most(self.n, MAX_VG_N, "n", path, obj)
            _finite(self.l, "l", path, obj)
            _within(self.l, L_RANGE, "l", path, obj)
            if not (math.isfinite(self.h_e_m) and self.h_e_m <= 0.0):
                raise InputError(f"air-entry head must be <= 0 m, got {self.h_e_m}", path=path, obj=obj, field="h_e_m")
        elif self.model == "gardner":
            _positive(self.alpha_per_m, "alpha_per_m", path, obj)
            _at_most(self.alpha_per_m, MAX_ALPHA_PER_M, "alpha_per_m", path, obj)
        elif self.model == "brooks_corey":
            _positive(self.h_b_m, "h_b_m", path, obj)
            _at_most(self.h_b_m, MAX_H_B_M, "h_b_m", path, obj)
            _positive(self.lambda_, "lambda_", path, obj)
            _at_most(self.lambda_, MAX_SHAPE_EXPONENT, "lambda_", path, obj)
            _finite(self.l, "l", path, obj)
            _within(self.l, L_RANGE, "l", path, obj)
        else:
            for name in ("alpha_m_beta", "beta", "a_m_gamma", "gamma"):
                _positive(getattr(self, name), name, path, obj)
            for name in ("alpha_m_beta", "a_m_gamma"):
                _at_most(getattr(self, name), MAX_HAVERKAMP_SCALE, name, path, obj)
            for name in ("beta", "gamma"):
                _at_most(getattr(self, name), MAX_SHAPE_EXPONENT, name, path, obj)

    def row(self) -> np.ndarray:
        """The kernel parameter row (see :mod:`twin.kernels.soil_hydraulics`)."""
        from twin.kernels.soil_hydraulics import N_PARAM

        p = np.zeros(N_PARAM)
        p[1] = self.theta_r
        p[2] = self.theta_s
        p[5] = self.ks_m_s
        if self.model == "van_genuchten":
            p[0] = 0
            p[3], p[4], p[6], p[7] = self.alpha_per_m, self.n, self.l, self.h_e_m
            p[9], p[10] = self._air_entry_constants()
        elif self.model == "brooks_corey":
            p[0] = 1
            p[3], p[4], p[6] = self.h_b_m, self.lambda_, self.l
        elif self.model == "gardner":
            p[0] = 3
            p[3] = self.alpha_per_m
        else:
            p[0] = 2
            p[3], p[4], p[6], p[7] = self.alpha_m_beta, self.beta, self.a_m_gamma, self.gamma
        p[8] = 1.0 if (self.tabulate and self.model in ("van_genuchten", "haverkamp")) else 0.0
        return p

    def _air_entry_constants(self) -> tuple[float, float]:
        """``S_c`` and ``D`` of the air-entry model (1, 1 without air entry)."""
        if self.model != "van_genuchten" or self.h_e_m == 0.0:
            return 1.0, 1.0
        m = 1.0 - 1.0 / self.n
        sc = (1.0 + (self.alpha_per_m * -self.h_e_m) ** self.n) ** (-m)
        dd = -math.expm1(m * math.log1p(-(sc ** (1.0 / m))))
        return sc, dd

    def with_air_entry(self, h_e_m: float) -> SoilMaterial:
        """The same material with an air-entry head (van Genuchten only)."""
        from dataclasses import replace

        return replace(self, h_e_m=h_e_m) if self.model == "van_genuchten" else self

    # NumPy twins --------------------------------------------------------------------
    def theta(self, h_m) -> np.ndarray:
        """Water content at head ``h_m`` (m), m3/m3."""
        return water_content(h_m, self)

    def k(self, h_m) -> np.ndarray:
        """Conductivity at head ``h_m`` (m), m/s."""
        return conductivity(h_m, self)

    def capacity(self, h_m) -> np.ndarray:
        """Specific moisture capacity d theta/d h at head ``h_m`` (m), 1/m."""
        return moisture_capacity(h_m, self)


def _finite(value: float, name: str, path, obj) -> None:
    if not math.isfinite(value):
        raise InputError("must be a finite number", path=path, obj=obj, field=name)


def _at_most(value: float, limit: float, name: str, path, obj) -> None:
    if not value <= limit:
        raise InputError(f"{value:g} is above the plausible maximum {limit:g}", path=path, obj=obj, field=name)


def _within(value: float, bounds: tuple[float, float], name: str, path, obj) -> None:
    if not bounds[0] <= value <= bounds[1]:
        raise InputError(f"{value:g} outside the plausible range [{bounds[0]:g}, {bounds[1]:g}]", path=path, obj=obj, field=name)


def _positive(value: float, name: str, path, obj) -> None:
    if not (math.isfinite(value) and value > 0.0):
        raise InputError(f"must be a positive number, got {value}", path=path, obj=obj, field=name)


def van_genuchten(
    name: str, theta_r: float, theta_s: float, alpha_per_m: float, n: float, ks_m_s: float, l: float = 0.5, **kw
) -> SoilMaterial:
    """A van Genuchten-Mualem material (SI units)."""
    return SoilMaterial(name, "van_genuchten", theta_r, theta_s, ks_m_s, alpha_per_m=alpha_per_m, n=n, l=l, **kw)


def texture_material(texture: str, table: dict[str, SoilMaterial] | None = None, *, path: str | None = None) -> SoilMaterial:
    """The material of a texture name (case and spacing insensitive).

    Parameters
    ----------
    texture
        A USDA texture class of Carsel & Parrish (1988) (``'Silt Loam'``, ``'loam'``...), or a
        key of ``table``.
    table
        A user table (:func:`read_texture_table`); default the Carsel & Parrish table.

    Raises
    ------
    InputError
        Unknown texture (field ``texture``), with the known names.
    """
    table = carsel_parrish() if table is None else table
    key = _norm(texture)
    for name, mat in table.items():
        if _norm(name) == key:
            return mat
    raise InputError(f"unknown soil texture {texture!r}; known: {', '.join(table)}", path=path, obj=texture, field="texture")


def _norm(name: str) -> str:
    return " ".join(str(name).replace("_", " ").replace("-", " ").lower().split())


def carsel_parrish() -> dict[str, SoilMaterial]:
    """The 12 USDA textures of Carsel & Parrish (1988) as van Genuchten-Mualem materials (SI)."""
    return {
        name: van_genuchten(name, tr, ts, a * 100.0, n, ks * CM_PER_DAY, 0.5, source="Carsel & Parrish (1988)")
        for name, (tr, ts, a, n, ks) in CARSEL_PARRISH_1988.items()
    }


def read_texture_table(path: str | Path) -> dict[str, SoilMaterial]:
    """Read a van Genuchten texture table in the layout of ``carsel_parrish_1988.csv``.

    Columns: ``texture, theta_r, theta_s, alpha_per_cm, n, Ks_cm_per_day, l`` (``l`` optional,
    default 0.5). SI columns ``alpha_per_m`` and ``ks_m_s`` are accepted instead.

    Raises
    ------
    InputError
        Missing column, unreadable number or invalid parameter, naming the file, row and field.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("soil texture table not found", path=path)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols = set(reader.fieldnames or [])
        need = {"texture", "theta_r", "theta_s", "n"}
        missing = need - cols
        if not ({"alpha_per_cm", "alpha_per_m"} & cols):
            missing.add("alpha_per_cm")
        if not ({"Ks_cm_per_day", "ks_m_s"} & cols):
            missing.add("Ks_cm_per_day")
        if missing:
            raise InputError("texture table lacks a column", path=path, field=sorted(missing)[0])
        out: dict[str, SoilMaterial] = {}
        for i, row in enumerate(reader, start=2):
            name = (row.get("texture") or "").strip()
            obj = f"line {i}"
            if not name:
                raise InputError("empty texture name", path=path, obj=obj, field="texture")

            def num(col: str, row=row, obj=obj) -> float:
                try:
                    return float(row[col])
                except (TypeError, ValueError):
                    raise InputError(f"not a number: {row.get(col)!r}", path=path, obj=obj, field=col) from None

            alpha = num("alpha_per_m") if "alpha_per_m" in cols else num("alpha_per_cm") * 100.0
            ks = num("ks_m_s") if "ks_m_s" in cols else num("Ks_cm_per_day") * CM_PER_DAY
            lval = num("l") if "l" in cols and row.get("l") not in (None, "") else 0.5
            try:
                mat = SoilMaterial(name, "van_genuchten", num("theta_r"), num("theta_s"), ks, alpha_per_m=alpha, n=num("n"), l=lval, source=str(path))
            except InputError as exc:
                raise InputError(exc.message, path=path, obj=f"{obj} ({name})", field=_table_field(exc.field)) from None
            out[name] = mat
    if not out:
        raise InputError("texture table has no rows", path=path)
    return out


def _table_field(field_name: str | None) -> str | None:
    return {"ks_m_s": "Ks_cm_per_day", "alpha_per_m": "alpha_per_cm"}.get(field_name or "", field_name)


# ------------------------------------------------------------------ NumPy twins of the kernels
def _se_and_parts(h: np.ndarray, mat: SoilMaterial):
    a = np.where(h < 0.0, -h, 0.0)
    if mat.model == "van_genuchten":
        m = 1.0 - 1.0 / mat.n
        sc, _ = mat._air_entry_constants()
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            se = np.where(h < mat.h_e_m, (1.0 + (mat.alpha_per_m * a) ** mat.n) ** (-m) / sc, 1.0)
        return se, a, m
    if mat.model == "brooks_corey":
        with np.errstate(divide="ignore"):
            se = np.where(a > mat.h_b_m, (mat.h_b_m / np.maximum(a, 1e-300)) ** mat.lambda_, 1.0)
        return se, a, None
    if mat.model == "gardner":
        return np.exp(-mat.alpha_per_m * a), a, None
    with np.errstate(over="ignore"):
        se = np.where(h < 0.0, mat.alpha_m_beta / (mat.alpha_m_beta + a**mat.beta), 1.0)
    return se, a, None


def water_content(h_m, mat: SoilMaterial) -> np.ndarray:
    """theta(h), m3/m3, for head ``h_m`` in m (array-like)."""
    h = np.asarray(h_m, dtype=float)
    se, _, _ = _se_and_parts(h, mat)
    return mat.theta_r + (mat.theta_s - mat.theta_r) * se


def conductivity(h_m, mat: SoilMaterial) -> np.ndarray:
    """K(h), m/s, for head ``h_m`` in m (array-like)."""
    h = np.asarray(h_m, dtype=float)
    se, a, m = _se_and_parts(h, mat)
    if mat.model == "van_genuchten":
        sc, dd = mat._air_entry_constants()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # 1 - (1 - x^(1/m))^m without cancellation in dry soil (x = Se S_c, x^(1/m) tiny)
            kr = se**mat.l * (-np.expm1(m * np.log1p(-((se * sc) ** (1.0 / m)))) / dd) ** 2
        return np.where(h < mat.h_e_m, mat.ks_m_s * kr, mat.ks_m_s)
    if mat.model == "brooks_corey":
        return mat.ks_m_s * se ** (mat.l + 2.0 + 2.0 / mat.lambda_)
    if mat.model == "gardner":
        return mat.ks_m_s * se
    with np.errstate(over="ignore"):
        return np.where(h < 0.0, mat.ks_m_s * mat.a_m_gamma / (mat.a_m_gamma + a**mat.gamma), mat.ks_m_s)


def moisture_capacity(h_m, mat: SoilMaterial) -> np.ndarray:
    """d theta / d h, 1/m, for head ``h_m`` in m (array-like); 0 at saturation."""
    h = np.asarray(h_m, dtype=float)
    se, a, m = _se_and_parts(h, mat)
    dth = mat.theta_s - mat.theta_r
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if mat.model == "van_genuchten":
            an = (mat.alpha_per_m * a) ** mat.n
            c = np.where(h < mat.h_e_m, dth * mat.n * m * an / a * se / (1.0 + an), 0.0)
        elif mat.model == "brooks_corey":
            c = np.where(a > mat.h_b_m, dth * mat.lambda_ * se / a, 0.0)
        elif mat.model == "gardner":
            c = dth * mat.alpha_per_m * se
        else:
            ab = a**mat.beta
            c = mat.alpha_m_beta * dth * mat.beta * ab / a / (mat.alpha_m_beta + ab) ** 2
    return np.where(h < 0.0, np.nan_to_num(c), 0.0)


def head_from_theta(theta, mat: SoilMaterial) -> np.ndarray:
    """Inverse of :func:`water_content` (m); 0 at or above saturation."""
    th = np.asarray(theta, dtype=float)
    se = np.clip((th - mat.theta_r) / (mat.theta_s - mat.theta_r), 1e-300, 1.0)
    if mat.model == "van_genuchten":
        m = 1.0 - 1.0 / mat.n
        se0 = se * mat._air_entry_constants()[0]
        h = -((se0 ** (-1.0 / m) - 1.0) ** (1.0 / mat.n)) / mat.alpha_per_m
        return np.where(se >= 1.0, mat.h_e_m, h)
    elif mat.model == "brooks_corey":
        h = -mat.h_b_m * se ** (-1.0 / mat.lambda_)
    elif mat.model == "gardner":
        h = np.log(se) / mat.alpha_per_m
    else:
        h = -((mat.alpha_m_beta / se - mat.alpha_m_beta) ** (1.0 / mat.beta))
    return np.where(se >= 1.0, 0.0, h)
