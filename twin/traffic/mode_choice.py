"""Mode choice: a multinomial logit over walk, bike, public transport and car.

Utility of mode ``m`` for a trip (Ben-Akiva & Lerman 1985, ch. 5)::

    V_m = ASC_m + beta_time * time_m [min] + beta_cost * cost_m [EUR]

``P_m = exp(V_m) / sum_k exp(V_k)`` over the modes *available* for the trip (a mode without a
path, or without a timetable, is unavailable); the logsum ``ln sum_k exp(V_k)`` is the
trip's composite utility (used by destination choice and for the evaporation of trips).

Coefficients come from a documented, replaceable table (default
``twin/data/mobility_mode_choice.csv``): the MTC San Francisco Bay Area work-trip model 1 of
Koppelman & Bhat (2006), re-estimated in larch (time -0.05134 per minute, cost -0.00492 per 1990
US cent converted to -0.3666 per 2013 euro: a value of time of 8.40 EUR/h). The alternative-
specific constants are recalibrated to target shares (default: Brussels intra-regional trips,
``twin/data/mobility_mode_targets.csv``) with :meth:`ModeChoiceModel.calibrate`. Each
coefficient has its standard error: :meth:`ModeChoiceModel.sample` draws coefficient sets for
bands.

Point elasticities of the MNL (Ben-Akiva & Lerman 1985, ch. 5): direct
``E[P_m, x_m] = beta x_m (1 - P_m)``, cross ``E[P_k, x_m] = -beta x_m P_m``.

References
----------
* F. S. Koppelman, C. Bhat (2006). A Self Instructing Course in Mode Choice Modeling:
  Multinomial and Nested Logit Models. US DOT FTA. (MTC model 1, ch. 5.)
* J. Newman (larch), MTC example 1 (re-estimation of the same model, same data).
* M. Ben-Akiva, S. Lerman (1985). Discrete Choice Analysis. MIT Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError

MODES: tuple[str, ...] = ("walk", "bike", "pt", "car")

#: Each mode in words, as notes and reports name it (``pt``: public transport).
MODE_WORDS: dict[str, str] = {"walk": "walk", "bike": "bike", "pt": "public transport", "car": "car"}
"""The modes of the model, in the order of every mode axis."""

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_TABLE = DATA_DIR / "mobility_mode_choice.csv"
DEFAULT_TARGETS = DATA_DIR / "mobility_mode_targets.csv"

#: Bounds of a plausible coefficient (a typo such as -51.34 per minute is refused).
MAX_ABS_TIME_PER_MIN = 2.0
MAX_ABS_COST_PER_EUR = 20.0
MAX_ABS_ASC = 20.0


@dataclass(frozen=True)
class ModeChoiceModel:
    """A multinomial logit over :data:`MODES`.

    Attributes
    ----------
    asc : dict
        Alternative-specific constant per mode, utils.
    beta_time_per_min : float
        Coefficient of the door-to-door travel time, utils per minute (< 0).
    beta_cost_per_eur : float
        Coefficient of the out-of-pocket cost, utils per euro (< 0).
    std_error : dict
        Standard error of each parameter (``asc_<mode>``, ``time``, ``cost``), for sampling.
    source : str
        Where the values come from.
    """

    asc: dict[str, float]
    beta_time_per_min: float
    beta_cost_per_eur: float
    std_error: dict[str, float] = field(default_factory=dict)
    source: str = ""

    # ------------------------------------------------------------------ build
    def __post_init__(self) -> None:
        check_coefficients(self.asc, self.beta_time_per_min, self.beta_cost_per_eur, path=None)

    @classmethod
    def from_table(cls, path: str | Path | None = None, *, overrides: Mapping[str, float] | None = None) -> ModeChoiceModel:
        """Read a coefficient table (CSV: parameter, mode, value, std_error, sign, source).

        ``overrides``: ``{"time": -0.04, "cost": -0.3, "asc_bike": -1.0}`` replaces values.

        Raises
        ------
        InputError
            Missing columns, unknown parameters or modes, non-numeric or non-finite values, a time
            or cost coefficient that is not negative (naming the file, the row and the field).
        """
        import pandas as pd

        from twin.io.paths import check_input_file

        path = Path(path) if path is not None else DEFAULT_TABLE
        check_input_file(path, suffixes=(".csv",), field="mode_choice", what="mode-choice coefficient table")
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (ValueError, pd.errors.ParserError) as exc:
            raise InputError(f"cannot read the coefficient table: {exc}".splitlines()[0], path=path, field="mode_choice") from None
        for col in ("parameter", "mode", "value"):
            if col not in table.columns:
                raise InputError(f"the coefficient table lacks the column {col!r}", path=path, field=col)
        asc: dict[str, float] = {}
        se: dict[str, float] = {}
        betas: dict[str, float] = {}
        first: dict[tuple[str, str], int] = {}
        for i, row in table.iterrows():
            where = f"line {int(i) + 2}"
            name = row["parameter"].strip()
            mode = row["mode"].strip()
            key = (name, mode if name == "asc" else "")
            if key in first:  # the later row silently won
                raise InputError(f"{name}{' of ' + mode if name == 'asc' else ''} is given twice (first at line {first[key]})", path=path, obj=where,
                                 field="parameter")  # fmt: skip
            first[key] = int(i) + 2
            value = _number(row["value"], path, where, "value")
            err = _number(row.get("std_error", "0") or "0", path, where, "std_error")
            if err < 0:
                raise InputError(f"a standard error must be >= 0, got {err:g}", path=path, obj=where, field="std_error")
            if name == "asc":
                if mode not in MODES:
                    raise InputError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}", path=path, obj=where, field="mode")
                asc[mode] = value
                se[f"asc_{mode}"] = err
            elif name in ("time", "cost"):
                if mode not in ("all", ""):
                    raise InputError(f"{name} is generic: mode must be 'all', got {mode!r}", path=path, obj=where, field="mode")
                betas[name] = value
                se[name] = err
            else:
                raise InputError(f"unknown parameter {name!r}; parameters: asc, time, cost", path=path, obj=where, field="parameter")
        for name in ("time", "cost"):
            if name not in betas:
                raise InputError(f"the coefficient table has no {name!r} row", path=path, field="parameter")
        for mode in MODES:
            asc.setdefault(mode, 0.0)
        for key, value in dict(overrides or {}).items():
            if key in ("time", "cost"):
                betas[key] = float(value)
            elif key.startswith("asc_") and key[4:] in MODES:
                asc[key[4:]] = float(value)
            else:
                raise InputError(f"unknown coefficient {key!r}; use time, cost or asc_<mode>", field="mode_choice")
        check_coefficients(asc, betas["time"], betas["cost"], path=path)
        return cls(asc=asc, beta_time_per_min=betas["time"], beta_cost_per_eur=betas["cost"], std_error=se, source=str(path))

    # ------------------------------------------------------------------ model
    @property
    def value_of_time_eur_h(self) -> float:
        """Value of travel time implied by the coefficients, EUR/h."""
        return 60.0 * self.beta_time_per_min / self.beta_cost_per_eur

    def utilities(self, time_min: np.ndarray, cost_eur: np.ndarray | None = None) -> np.ndarray:
        """Systematic utilities, shape of ``time_min`` (mode axis first, in :data:`MODES` order).

        Non-finite times give ``-inf`` (the mode is then unavailable).
        """
        time_min = np.asarray(time_min, dtype=np.float64)
        if time_min.shape[0] != len(MODES):
            raise InputError(f"the first axis must hold the {len(MODES)} modes {MODES}, got {time_min.shape[0]}", field="time_min")
        cost = np.zeros_like(time_min) if cost_eur is None else np.broadcast_to(np.asarray(cost_eur, dtype=np.float64), time_min.shape)
        asc = np.array([self.asc[m] for m in MODES]).reshape((-1,) + (1,) * (time_min.ndim - 1))
        with np.errstate(invalid="ignore"):
            v = asc + self.beta_time_per_min * time_min + self.beta_cost_per_eur * cost
        return np.where(np.isfinite(time_min) & np.isfinite(cost), v, -np.inf)

    @staticmethod
    def probabilities(utilities: np.ndarray) -> np.ndarray:
        """Logit shares over the mode axis (``-inf`` utilities: unavailable, share 0).

        Where no mode is available every share is 0 (the trip is reported as unserved).
        """
        v = np.asarray(utilities, dtype=np.float64)
        vmax = np.max(v, axis=0)
        ok = np.isfinite(vmax)
        shift = np.where(ok, vmax, 0.0)
        with np.errstate(invalid="ignore", over="ignore"):
            e = np.exp(v - shift)
        total = e.sum(axis=0)
        return np.where(ok, e / np.where(ok, total, 1.0), 0.0)

    @staticmethod
    def logsum(utilities: np.ndarray) -> np.ndarray:
        """``ln sum_m exp(V_m)`` over the mode axis (``-inf`` where no mode is available)."""
        v = np.asarray(utilities, dtype=np.float64)
        vmax = np.max(v, axis=0)
        ok = np.isfinite(vmax)
        shift = np.where(ok, vmax, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = shift + np.log(np.exp(v - shift).sum(axis=0))
        return np.where(ok, out, -np.inf)

    def elasticities(self, probabilities: np.ndarray, time_min: np.ndarray, mode: str) -> np.ndarray:
        """Point elasticities of every mode's share to the time of ``mode`` (mode axis first).

        Direct ``beta_time t_m (1 - P_m)``; cross ``-beta_time t_m P_m`` (IIA).
        """
        j = MODES.index(mode)
        p = np.asarray(probabilities, dtype=np.float64)
        t = np.asarray(time_min, dtype=np.float64)[j]
        out = np.broadcast_to(-self.beta_time_per_min * t * p[j], p.shape).copy()
        out[j] = self.beta_time_per_min * t * (1.0 - p[j])
        return out

    def with_values(self, **changes: Any) -> ModeChoiceModel:
        """A copy with some values replaced (checked again)."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ calibration and sampling
    def calibrate(self, utilities_fn, weights: np.ndarray, targets: Mapping[str, float], *, tol: float = 1e-10, max_iter: int = 200) -> ModeChoiceModel:
        """Alternative-specific constants that reproduce ``targets`` (shares per mode).

        ``utilities_fn(model)`` returns the utilities (mode axis first) of every trip group and
        ``weights`` the trips of each group. The car constant stays 0; the others move by
        ``ln(target / share)`` until every share is within ``tol`` (Train 2009, sec. 2.8).

        Raises
        ------
        InputError
            Targets that are not a share per mode (each in (0, 1), summing to 1 within 1e-6), or a
            mode with a positive target that no trip can use.
        """
        tgt = check_targets(targets)
        model = self
        w = np.asarray(weights, dtype=np.float64)
        for _ in range(max_iter):
            p = self.probabilities(utilities_fn(model))
            shares = np.array([(p[k] * w).sum() for k in range(len(MODES))])
            total = shares.sum()
            if not total > 0:
                raise InputError("no trip can use any mode: the mode constants cannot be calibrated", field="targets")
            shares /= total
            for k, m in enumerate(MODES):
                if tgt[m] > 0 and shares[k] == 0:
                    raise InputError(f"no trip can use {m!r}: its target share {tgt[m]:g} cannot be met", field="targets")
            if max(abs(shares[k] - tgt[m]) for k, m in enumerate(MODES)) <= tol:
                break
            asc = dict(model.asc)
            for k, m in enumerate(MODES):
                if tgt[m] > 0:
                    asc[m] += float(np.log(tgt[m] / shares[k]))
            base = asc["car"]
            model = replace(model, asc={m: asc[m] - base for m in MODES}, source=f"{self.source}; constants calibrated to {dict(tgt)}")
        return model

    def sample(self, n: int, rng: np.random.Generator) -> list[ModeChoiceModel]:
        """``n`` coefficient sets drawn from independent normals with the standard errors.

        Time and cost stay negative (draws truncated at -1e-6 of their mean's sign). Constants are
        drawn around their current (possibly calibrated) values.
        """
        out = []
        for _ in range(int(n)):
            asc = {m: self.asc[m] + (rng.normal(0.0, self.std_error.get(f"asc_{m}", 0.0)) if m != "car" else 0.0) for m in MODES}
            bt = min(self.beta_time_per_min + rng.normal(0.0, self.std_error.get("time", 0.0)), -1e-6)
            bc = min(self.beta_cost_per_eur + rng.normal(0.0, self.std_error.get("cost", 0.0)), -1e-6)
            out.append(replace(self, asc=asc, beta_time_per_min=bt, beta_cost_per_eur=bc))
        return out


def _number(text: str, path: Path, where: str, field_name: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise InputError(f"not a number: {text!r}", path=path, obj=where, field=field_name) from None
    if not np.isfinite(value):
        raise InputError(f"must be finite, got {text!r}", path=path, obj=where, field=field_name)
    return value


def check_coefficients(asc: Mapping[str, float], beta_time: float, beta_cost: float, *, path: str | Path | None) -> None:
    """Signs and magnitudes of the coefficients (InputError naming the coefficient).

    Time and cost must lower the utility (negative coefficients): a positive one would make
    slower or dearer modes more attractive, and a closure would then attract traffic.
    """
    for name, value, bound, unit in (("time", beta_time, MAX_ABS_TIME_PER_MIN, "per minute"), ("cost", beta_cost, MAX_ABS_COST_PER_EUR, "per euro")):
        if not np.isfinite(value):
            raise InputError(f"the {name} coefficient must be finite, got {value}", path=path, obj=f"parameter {name}", field="value")
        if not value < 0:
            raise InputError(
                f"the {name} coefficient must be negative (a longer or dearer trip is less attractive), got {value:g}",
                path=path, obj=f"parameter {name}", field="value",
            )  # fmt: skip
        if abs(value) > bound:
            raise InputError(f"the {name} coefficient {value:g} {unit} is outside [-{bound:g}, 0): a unit slip?", path=path, obj=f"parameter {name}", field="value")
    for mode, value in asc.items():
        if mode not in MODES:
            raise InputError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}", path=path, obj=f"asc {mode}", field="mode")
        if not (np.isfinite(value) and abs(value) <= MAX_ABS_ASC):
            raise InputError(f"the constant of {mode} must be finite and within +-{MAX_ABS_ASC:g}, got {value}", path=path, obj=f"asc {mode}", field="value")


def check_targets(targets: Mapping[str, float]) -> dict[str, float]:
    """Target shares per mode: known modes, each in [0, 1], summing to 1 (within 1e-6)."""
    out = {m: 0.0 for m in MODES}
    for mode, value in dict(targets).items():
        if mode not in MODES:
            raise InputError(f"unknown mode {mode!r} in the target shares; modes: {', '.join(MODES)}", field="targets")
        value = float(value)
        if not (np.isfinite(value) and 0.0 <= value <= 1.0):
            raise InputError(f"the target share of {mode} must be in [0, 1], got {value}", field="targets")
        out[mode] = value
    total = sum(out.values())
    if abs(total - 1.0) > 1e-6:
        raise InputError(f"the target shares must sum to 1, got {total:.6g}", field="targets")
    return out


def targets_without_pt(targets: Mapping[str, float]) -> dict[str, float]:
    """The target shares of a run without public transport: its share set to 0 and the other
    modes scaled up in proportion to fill it (Brussels: walk 0.37, bike 0.03, car 0.32, public
    transport 0.26 give walk 0.51, bike 0.04, car 0.44).

    Parameters
    ----------
    targets : Mapping[str, float]
        Share per mode (each in [0, 1], summing to 1), e.g. from :func:`read_targets`.

    Returns
    -------
    dict[str, float]
        Share per mode of :data:`MODES`, ``pt`` 0, summing to 1.
    """
    rest = {m: float(v) for m, v in targets.items() if m != "pt"}
    total = sum(rest.values())
    if not total > 0:
        raise InputError("the target shares give every trip to public transport, and there is no timetable", field="targets")
    return {m: (rest.get(m, 0.0) / total if m != "pt" else 0.0) for m in MODES}


def read_targets(path: str | Path | None = None) -> dict[str, float]:
    """Target mode shares from a CSV (mode, share, source); the four modes renormalised to 1."""
    import pandas as pd

    path = Path(path) if path is not None else DEFAULT_TARGETS
    table = pd.read_csv(path)
    for col in ("mode", "share"):
        if col not in table.columns:
            raise InputError(f"the target table lacks the column {col!r}", path=path, field=col)
    shares = {str(m): float(s) for m, s in zip(table["mode"], table["share"])}
    total = sum(shares.values())
    return check_targets({m: v / total for m, v in shares.items()}) if total > 0 else check_targets(shares)
