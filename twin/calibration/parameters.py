"""The calibration parameters and their priors (``twin/data/calibration_priors.yaml``).

Every parameter has a *transformed* value ``t`` (the logarithm of a factor, or the value itself)
whose prior is a normal distribution truncated to ``[low, high]``, and an *unconstrained*
coordinate ``z = logit((t - low) / (high - low))`` in which the posterior is searched and sampled
(:mod:`twin.calibration.posterior`): every ``z`` maps inside the support, so no draw can leave it.

:class:`PriorSet` evaluates the prior density in ``z`` (with the Jacobian of the transform),
its gradient and curvature, draws from the prior, and converts between ``z``, ``t`` and the
physical value (a factor, a temperature).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from twin.errors import SchemaError
from twin.io.key_hints import did_you_mean

#: The per-building parameters, in the order of every parameter array.
PARAMETERS: tuple[str, ...] = ("h_tr_factor", "air_change_factor", "heating_setpoint_c", "dhw_factor")

#: The extra parameter of a fit that estimates the meter noise (``sigma_rel="estimate"``).
SIGMA_PARAMETER = "sigma_rel"

#: Prior of the estimated relative noise (model and meter error of one reading).
SIGMA_PRIOR = {"transform": "log", "median": 0.10, "sd_log": 0.7, "low": 0.01, "high": 1.0, "unit": "-",
               "basis": "assumption: monthly model-and-meter error of 1 % to 100 % of a reading, median 10 %"}

PACKAGED_TABLE = "calibration_priors.yaml"
MAX_PRIORS_BYTES = 1024**2


@dataclass(frozen=True)
class ParameterPrior:
    """A truncated normal prior on the transformed value ``t`` of one parameter."""

    name: str
    transform: str  # "log" or "linear"
    mu: float
    sd: float
    low: float
    high: float
    unit: str
    basis: str

    def to_value(self, t: np.ndarray) -> np.ndarray:
        """Physical value from ``t``."""
        return np.exp(t) if self.transform == "log" else np.asarray(t, dtype=float)

    def to_t(self, value: np.ndarray) -> np.ndarray:
        """``t`` from the physical value."""
        value = np.asarray(value, dtype=float)
        return np.log(value) if self.transform == "log" else value

    @property
    def value_bounds(self) -> tuple[float, float]:
        """The support in physical units."""
        lo, hi = self.to_value(np.array([self.low, self.high]))
        return float(lo), float(hi)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


class PriorSet:
    """The priors of the fitted parameters, vectorised over draws (arrays ``(n, k)``)."""

    def __init__(self, priors: tuple[ParameterPrior, ...], source: str = "packaged") -> None:
        self.priors = tuple(priors)
        self.source = source
        self.names = tuple(p.name for p in self.priors)
        self.mu = np.array([p.mu for p in self.priors])
        self.sd = np.array([p.sd for p in self.priors])
        self.low = np.array([p.low for p in self.priors])
        self.high = np.array([p.high for p in self.priors])
        from scipy.special import ndtr

        a, b = (self.low - self.mu) / self.sd, (self.high - self.mu) / self.sd
        self._log_mass = np.log(ndtr(b) - ndtr(a))

    @property
    def k(self) -> int:
        return len(self.priors)

    def index(self, name: str) -> int:
        return self.names.index(name)

    # ---------------------------------------------------------------- coordinates
    def t_from_z(self, z: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * _sigmoid(z)

    def z_from_t(self, t: np.ndarray) -> np.ndarray:
        u = (np.asarray(t, dtype=float) - self.low) / (self.high - self.low)
        u = np.clip(u, 1e-12, 1.0 - 1e-12)
        return np.log(u) - np.log1p(-u)

    def values_from_z(self, z: np.ndarray) -> np.ndarray:
        """Physical values (n, k) of ``z`` (n, k)."""
        t = self.t_from_z(z)
        return np.column_stack([p.to_value(t[:, i]) for i, p in enumerate(self.priors)]) if t.ndim == 2 else np.array(
            [p.to_value(t[i]) for i, p in enumerate(self.priors)])

    def t_from_values(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return np.stack([p.to_t(values[..., i]) for i, p in enumerate(self.priors)], axis=-1)

    # ---------------------------------------------------------------- density in z
    def logpdf_z(self, z: np.ndarray) -> np.ndarray:
        """Normalised log density of the prior in ``z`` (n, k) -> (n,): the truncated normal of
        ``t`` times the Jacobian ``dt/dz``."""
        z = np.atleast_2d(z)
        u = _sigmoid(z)
        t = self.low + (self.high - self.low) * u
        x = (t - self.mu) / self.sd
        with np.errstate(divide="ignore"):
            jac = np.log(self.high - self.low) + np.log(u) + np.log1p(-u)
        terms = -0.5 * x**2 - 0.5 * math.log(2 * math.pi) - np.log(self.sd) - self._log_mass + jac
        return terms.sum(axis=1)

    def grad_hess_z(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient and (diagonal) second derivative of :meth:`logpdf_z`, each (n, k)."""
        z = np.atleast_2d(z)
        u = _sigmoid(z)
        w = self.high - self.low
        t = self.low + w * u
        dt = w * u * (1.0 - u)
        d2t = dt * (1.0 - 2.0 * u)
        r = (t - self.mu) / self.sd**2
        grad = -r * dt + (1.0 - 2.0 * u)
        hess = -(dt**2) / self.sd**2 - r * d2t - 2.0 * u * (1.0 - u)
        return grad, hess

    # ---------------------------------------------------------------- draws
    def sample_t(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws of ``t`` (n, k) from the truncated normals (inverse CDF)."""
        from scipy.special import ndtr, ndtri

        a, b = ndtr((self.low - self.mu) / self.sd), ndtr((self.high - self.mu) / self.sd)
        u = rng.random((n, self.k))
        p = a + u * (b - a)
        p = np.clip(p, 1e-15, 1 - 1e-15)
        return np.clip(self.mu + self.sd * ndtri(p), self.low, self.high)

    def sample_z(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.z_from_t(self.sample_t(rng, n))

    def describe(self) -> list[dict]:
        """One row per parameter: name, unit, prior median (physical), 5th and 95th percentiles, support, basis."""
        from scipy.special import ndtr, ndtri

        rows = []
        for _i, p in enumerate(self.priors):
            a, b = ndtr((p.low - p.mu) / p.sd), ndtr((p.high - p.mu) / p.sd)
            q = p.mu + p.sd * ndtri(a + np.array([0.05, 0.5, 0.95]) * (b - a))
            v = p.to_value(q)
            lo, hi = p.value_bounds
            rows.append({"parameter": p.name, "unit": p.unit, "p5": float(v[0]), "median": float(v[1]), "p95": float(v[2]),
                         "low": lo, "high": hi, "basis": p.basis})
        return rows

    def with_parameter(self, prior: ParameterPrior) -> PriorSet:
        """A copy with ``prior`` appended."""
        return PriorSet((*self.priors, prior), self.source)


def _parse_one(name: str, raw, path, where: str | None = None) -> ParameterPrior:
    where = where or name
    if not isinstance(raw, Mapping):
        raise SchemaError("a parameter prior is a mapping", path=path, field=where)
    transform = raw.get("transform", "linear")
    keys = {"log": ("transform", "median", "sd_log", "low", "high", "unit", "basis"),
            "linear": ("transform", "mean", "sd", "low", "high", "unit", "basis")}
    if transform not in keys:
        raise SchemaError(f"transform must be 'log' or 'linear', not {transform!r}", path=path, field=f"{where}.transform")
    extra = [k for k in raw if k not in keys[transform]]
    if extra:
        raise SchemaError(f"unknown key {extra[0]!r}{did_you_mean(extra[0], keys[transform], parenthesised=False)} "
                          f"(keys: {', '.join(keys[transform])})", path=path, field=f"{where}.{extra[0]}")

    def num(key: str, lo: float = -math.inf, hi: float = math.inf) -> float:
        v = raw.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
            raise SchemaError(f"must be a finite number, not {v!r}", path=path, field=f"{where}.{key}")
        if not lo <= float(v) <= hi:
            raise SchemaError(f"{float(v):g} is outside [{lo:g}, {hi:g}]", path=path, field=f"{where}.{key}")
        return float(v)

    basis = raw.get("basis", "")
    if not isinstance(basis, str) or not basis.strip():
        raise SchemaError("give the basis of this prior (where its numbers come from, or 'assumption')", path=path, field=f"{where}.basis")
    if transform == "log":
        med, sd = num("median", 1e-6, 1e6), num("sd_log", 1e-6, 10.0)
        low, high = num("low", 1e-6, 1e6), num("high", 1e-6, 1e6)
        if not low < med < high:
            raise SchemaError(f"needs low < median < high (got {low:g}, {med:g}, {high:g})", path=path, field=f"{where}.median")
        mu, low_t, high_t = math.log(med), math.log(low), math.log(high)
    else:
        mu, sd = num("mean"), num("sd", 1e-6, 1e6)
        low_t, high_t = num("low"), num("high")
        if not low_t < mu < high_t:
            raise SchemaError(f"needs low < mean < high (got {low_t:g}, {mu:g}, {high_t:g})", path=path, field=f"{where}.mean")
    return ParameterPrior(name, transform, mu, sd, low_t, high_t, str(raw.get("unit", "")), " ".join(basis.split()))


def packaged_table() -> dict:
    import yaml

    with resources.as_file(resources.files("twin") / "data" / PACKAGED_TABLE) as p:
        return yaml.safe_load(Path(p).read_text(encoding="utf-8"))


def load_calibration_priors(update: Mapping | str | os.PathLike[str] | None = None, *, path=None) -> tuple[PriorSet, ParameterPrior, dict]:
    """The per-building priors, the group prior and the noise model, with ``update`` merged on.

    Parameters
    ----------
    update
        A mapping of the same shape as ``twin/data/calibration_priors.yaml`` (merged key by key)
        or the path of such a YAML file.

    Returns
    -------
    (PriorSet, ParameterPrior, dict)
        The priors of :data:`PARAMETERS`, the group prior ``h_tr_shift`` and the noise model
        (``relative``, ``absolute_kwh``, ``rounding_kwh``).

    Raises
    ------
    SchemaError
        An unknown key or parameter, a number out of range, bounds in the wrong order; the
        message names the key.
    """
    from twin.energy.priors import merge, read_priors_file

    table = packaged_table()
    source = "packaged"
    if update is not None and not isinstance(update, Mapping):
        path = Path(update)
        update = read_priors_file(path)
        source = str(path)
        if not update:
            raise SchemaError("the prior file holds no entries: it changes nothing (keys: parameters, group, noise)", path=path, field="--priors")
    if update:
        unknown = [k for k in update if k not in ("version", "parameters", "group", "noise")]
        if unknown:
            hint = did_you_mean(unknown[0], ("parameters", "group", "noise"), parenthesised=False)
            raise SchemaError(f"unknown key {unknown[0]!r}{hint} (keys: parameters, group, noise)", path=path, field=str(unknown[0]))
        for sect in ("parameters", "group"):
            bad = [k for k in (update.get(sect) or {}) if k not in table[sect]]
            if bad:
                raise SchemaError(f"unknown {'' if sect == 'parameters' else 'group '}parameter {bad[0]!r}"
                                  f"{did_you_mean(bad[0], table[sect], parenthesised=False)} "
                                  f"(known: {', '.join(table[sect])})", path=path, field=f"{sect}.{bad[0]}")
        noise = update.get("noise")
        bad = [k for k in (noise if isinstance(noise, Mapping) else {}) if k not in table["noise"]]
        if bad:  # an unknown noise key was merged and never read: it would change nothing
            raise SchemaError(f"unknown key {bad[0]!r}{did_you_mean(bad[0], table['noise'], parenthesised=False)} "
                              f"(keys: {', '.join(table['noise'])})", path=path, field=f"noise.{bad[0]}")
        table = merge(table, update)
        source = source if source != "packaged" else "packaged + user"
    priors = PriorSet(tuple(_parse_one(n, table["parameters"][n], path, f"parameters.{n}") for n in PARAMETERS), source)
    group = _parse_one("h_tr_shift", table["group"]["h_tr_shift"], path, "group.h_tr_shift")
    noise = dict(table["noise"])
    for key, hi in (("relative", 1.0), ("absolute_kwh", 1e6), ("rounding_kwh", 1e6)):
        v = noise.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= float(v) <= hi:
            raise SchemaError(f"must be a number within [0, {hi:g}], not {v!r}", path=path, field=f"noise.{key}")
    return priors, group, {k: float(noise[k]) for k in ("relative", "absolute_kwh", "rounding_kwh")}


def sigma_prior() -> ParameterPrior:
    """The prior of the estimated relative noise (:data:`SIGMA_PRIOR`)."""
    return _parse_one(SIGMA_PARAMETER, SIGMA_PRIOR, None)


__all__ = ["PARAMETERS", "SIGMA_PARAMETER", "ParameterPrior", "PriorSet", "load_calibration_priors", "sigma_prior"]
