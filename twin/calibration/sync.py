"""Live sync with meters: an ensemble Kalman filter over the RC state and the parameters, one day at a time.

The state of a building is its 5R1C mass temperature ``theta_m`` (the network's only state: the
air and surface nodes follow from it and the day's inputs) and its four calibration parameters
in the unconstrained coordinates ``z`` of :mod:`twin.calibration.parameters`. Each building
carries an ensemble of ``n_ensemble`` members (from its calibration posterior, or from the
priors). Every new day of hourly readings:

1. **forecast**: every member is advanced through the day's 24 hours from its own
   ``theta_m`` with its own parameters (:func:`twin.energy.periods.simulate_periods`: all
   buildings x members are rows of one kernel call), giving its predicted readings;
2. **analysis**: the stochastic ensemble Kalman filter (Evensen 1994; Burgers et al. 1998) with
   perturbed observations updates ``[theta_m, z]`` of each member from the day's readings,
   summed into ``windows`` blocks of hours (default 6 blocks of 4 h: a boiler's on/off cycles
   average out and each update is a small linear system per building). The observation error
   of a block is the meter noise of :class:`~twin.calibration.posterior.Noise` at the ensemble
   mean; a missing hour leaves its block out;
3. **spread keeping**: parameter anomalies are inflated by ``inflation`` and the parameters do
   a small random walk (``drift_z`` per day in ``z``), so the filter can follow a building whose
   behaviour changes (a new setpoint, a renovation) and does not collapse onto one value.

No year is re-run: a day costs ``n_buildings x n_ensemble`` building-days of the kernel and a
few small linear solves per building. :meth:`SyncFilter.forecast` runs the current ensemble
through the next days of a weather (forecast) file and returns the band of the daily readings.

References
----------
Evensen G. (1994) Sequential data assimilation with a nonlinear quasi-geostrophic model using
Monte Carlo methods to forecast error statistics. J. Geophys. Res. 99(C5).
Burgers G., van Leeuwen P.J., Evensen G. (1998) Analysis scheme in the ensemble Kalman filter.
Monthly Weather Review 126.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.calibration.forward import ForwardModel, Layout
from twin.calibration.parameters import PARAMETERS, PriorSet, load_calibration_priors
from twin.calibration.posterior import Noise
from twin.errors import InputError

#: Members of every building's ensemble.
DEFAULT_ENSEMBLE = 32
#: Multiplicative inflation of the parameter anomalies after each update.
DEFAULT_INFLATION = 1.03
#: Daily random walk of the parameters in z.
DEFAULT_DRIFT_Z = 0.02
#: Blocks of hours a day's readings are summed into for the update.
DEFAULT_WINDOWS = 6


@dataclass
class DayReport:
    """What one assimilated day did (per building arrays)."""

    day_start: pd.Timestamp
    measured_kwh: np.ndarray  # (n_b,) sum of the day's readings (NaN if any hour is missing)
    forecast_p5: np.ndarray
    forecast_p50: np.ndarray
    forecast_p95: np.ndarray  # (n_b,) band of the day's readings before the update
    windows_used: np.ndarray  # (n_b,) blocks that entered the update
    seconds: float = 0.0
    metered: int = 0  # buildings with all 24 readings of the day
    measured_total_kwh: float = float("nan")  # their readings summed
    forecast_total_kwh: tuple[float, float, float] = (float("nan"),) * 3  # 5/50/95 % of their summed forecast


@dataclass
class SyncFilter:
    """The ensemble filter of a set of buildings (module docstring).

    Parameters
    ----------
    model
        A :class:`~twin.calibration.forward.ForwardModel` of the buildings (its envelope rows,
        drivers, carriers; its layout is not used).
    z
        (n_b, n_e, 4) initial ensemble of the parameters in ``z``.
    hour
        Index (in the drivers) of the first hour of the next day to assimilate; ``n_hours`` once
        the day ending with the weather is assimilated (the filter stands at the weather's end).
    priors, noise, inflation, drift_z, windows, seed
        See the module docstring.
    theta_m
        (n_b, n_e) mass temperatures at ``hour``; None: each member is warmed up over the two
        weeks before ``hour``.
    """

    model: ForwardModel
    z: np.ndarray
    hour: int
    priors: PriorSet = None
    noise: Noise = field(default_factory=Noise)
    inflation: float = DEFAULT_INFLATION
    drift_z: float = DEFAULT_DRIFT_Z
    windows: int = DEFAULT_WINDOWS
    seed: int = 0
    theta_m: np.ndarray | None = None
    days: int = 0
    history: list = field(default_factory=list)
    #: (n_b,) bool: the building's carrier is that of readings assimilated (True), or the default
    #: of ``twin sync init`` (False: the first readings' carrier replaces it, :func:`reconcile_carriers`).
    carrier_from_meter: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.priors is None:
            self.priors, _, _ = load_calibration_priors()
        self.z = np.asarray(self.z, dtype=float)
        n_b = self.model.n_buildings
        if self.z.ndim != 3 or self.z.shape[0] != n_b or self.z.shape[2] != len(PARAMETERS):
            raise InputError(f"the ensemble must have shape ({n_b}, n_members, {len(PARAMETERS)}), got {self.z.shape}", field="z")
        if 24 % int(self.windows) != 0:
            raise InputError("windows must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)", field="windows")
        self.carrier_from_meter = (np.zeros(n_b, dtype=bool) if self.carrier_from_meter is None
                                   else np.asarray(self.carrier_from_meter, dtype=bool).reshape(n_b))
        self._rng = np.random.default_rng([int(self.seed), 0x5C, self.days])
        self._rows = np.repeat(np.arange(n_b), self.z.shape[1])
        if self.theta_m is None:
            self.theta_m = self._warm_up()

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_prior(cls, model: ForwardModel, hour: int, *, n_ensemble: int = DEFAULT_ENSEMBLE, seed: int = 0, priors=None, **kw) -> SyncFilter:
        """An ensemble drawn from the priors (a building nobody calibrated yet)."""
        priors = priors if priors is not None else load_calibration_priors()[0]
        rng = np.random.default_rng([int(seed), 0x5D])
        z = priors.sample_z(rng, model.n_buildings * n_ensemble).reshape(model.n_buildings, n_ensemble, -1)
        return cls(model, z, hour, priors=priors, seed=seed, **kw)

    @classmethod
    def from_draws(cls, model: ForwardModel, draws_z: np.ndarray, hour: int, *, n_ensemble: int = DEFAULT_ENSEMBLE, seed: int = 0, **kw) -> SyncFilter:
        """An ensemble from posterior draws in ``z`` (n_b, n_draws, >= 4): a calibration's posterior."""
        rng = np.random.default_rng([int(seed), 0x5E])
        d = np.asarray(draws_z, dtype=float)[:, :, : len(PARAMETERS)]
        idx = rng.integers(0, d.shape[1], (d.shape[0], n_ensemble))
        return cls(model, np.take_along_axis(d, idx[:, :, None], axis=1), hour, seed=seed, **kw)

    # ---------------------------------------------------------------- model runs
    @property
    def n_buildings(self) -> int:
        return self.z.shape[0]

    @property
    def n_ensemble(self) -> int:
        return self.z.shape[1]

    def _values(self) -> np.ndarray:
        return self.priors.values_from_z(self.z.reshape(-1, self.z.shape[2]))

    def _prepared(self, drivers):
        """The forward model's drivers as checked and converted once (None for other drivers)."""
        prepared = getattr(self.model, "_prepared", None)
        return prepared if prepared is not None and prepared.drivers is drivers else None

    def _run(self, start_hour: int, n_hours: int, theta: np.ndarray | None, z: np.ndarray | None = None, drivers=None):
        """Advance every member ``n_hours`` from ``start_hour``: (hourly readings (rows, n_hours), final theta_m (rows,))."""
        from twin.energy.periods import simulate_periods

        drivers = drivers if drivers is not None else self.model.drivers
        start_hour = int(start_hour) % drivers.n_hours  # a filter at the weather's end (hour == n_hours) wraps as before
        zz = self.z if z is None else z
        x = self.priors.values_from_z(zz.reshape(-1, zz.shape[2]))
        rows = np.repeat(np.arange(zz.shape[0]), zz.shape[1])
        inputs, sp, q_w_nd = self.model._stock.inputs(rows, x)
        n_h = drivers.n_hours
        period = np.full(n_h, -1, dtype=np.int64)
        hours = (start_hour + np.arange(n_hours)) % n_h
        period[hours] = np.arange(n_hours)
        res = simulate_periods(inputs, drivers, heat_setpoint_c=sp, period=period, n_periods=n_hours, start_hour=start_hour, n_steps=n_hours,
                               theta_m_c=None if theta is None else theta.reshape(-1), warmup_hours=336, film_correction=True,
                               on_error="report", prepared=self._prepared(drivers))
        q_heat = res.period_heat_wh / 1000.0
        f = self.model.factors
        q_w = (f["dhw_from_typology"] * q_w_nd * self.model._stock.a_f[rows] / 8760.0)[:, None] * np.ones((1, n_hours))
        readings = self.model.to_carrier(rows, q_heat, q_w, drivers.t_out_c[hours])
        return readings, res.theta_m_c

    def _warm_up(self) -> np.ndarray:
        _, theta = self._run(self.hour, 0, None)
        return theta.reshape(self.n_buildings, self.n_ensemble)

    # ---------------------------------------------------------------- filter
    def assimilate_day(self, readings_kwh: np.ndarray) -> DayReport:
        """Assimilate one day of hourly readings (n_b, 24), kWh of each building's carrier (NaN:
        missing); advance the ensemble to the next day. Returns the day's report."""
        import time

        t0 = time.perf_counter()
        y = np.asarray(readings_kwh, dtype=float)
        n_b, n_e, k = self.z.shape
        if y.shape != (n_b, 24):
            raise InputError(f"a day of readings must have shape ({n_b}, 24), got {y.shape}", field="readings")
        if np.any(y[np.isfinite(y)] < 0):
            raise InputError("negative hourly reading", field="readings")
        day_start = self.model.drivers.time[self.hour % self.model.drivers.n_hours] - pd.Timedelta(hours=1)
        pred, theta = self._run(self.hour, 24, self.theta_m)
        pred = pred.reshape(n_b, n_e, 24)
        theta = np.where(np.isfinite(theta), theta, np.nan).reshape(n_b, n_e)
        daily = pred.sum(axis=2)
        q = np.nanpercentile(daily, [5, 50, 95], axis=1)
        w = int(self.windows)
        hw = pred.reshape(n_b, n_e, w, 24 // w).sum(axis=3)
        yw = y.reshape(n_b, w, 24 // w).sum(axis=2)  # NaN when an hour is missing
        # state: [theta_m, z]
        x = np.concatenate([theta[..., None], self.z], axis=2)
        ok_member = np.all(np.isfinite(hw), axis=2) & np.isfinite(theta)
        hbar = np.nanmean(np.where(ok_member[..., None], hw, np.nan), axis=1)
        var = (self.noise.relative * hbar) ** 2 + self.noise.floor * (24 // w)
        use = np.isfinite(yw) & np.isfinite(var)
        r = np.where(use, var, 1e12)
        xa = x - np.nanmean(np.where(ok_member[..., None], x, np.nan), axis=1, keepdims=True)
        ha = hw - hbar[:, None, :]
        xa = np.where(ok_member[..., None], xa, 0.0)
        ha = np.where(ok_member[..., None], ha, 0.0)
        c_xh = np.einsum("nei,nej->nij", xa, ha) / max(n_e - 1, 1)
        c_hh = np.einsum("nei,nej->nij", ha, ha) / max(n_e - 1, 1)
        s = c_hh + np.einsum("ni,ij->nij", r, np.eye(w))
        gain = np.linalg.solve(s, np.swapaxes(c_xh, 1, 2))  # (n, w, 1 + k)
        gain = np.swapaxes(gain, 1, 2)
        eps = self._rng.standard_normal((n_b, n_e, w)) * np.sqrt(r)[:, None, :]
        innov = np.where(use[:, None, :], np.nan_to_num(yw)[:, None, :] + eps - hw, 0.0)
        innov = np.where(ok_member[..., None], innov, 0.0)
        x_new = x + np.einsum("nij,nej->nei", gain, innov)
        # members the model rejected take the ensemble mean of the others
        mean_new = np.nanmean(np.where(ok_member[..., None], x_new, np.nan), axis=1, keepdims=True)
        x_new = np.where(ok_member[..., None], x_new, mean_new)
        zn = x_new[..., 1:]
        zbar = zn.mean(axis=1, keepdims=True)
        zn = zbar + self.inflation * (zn - zbar) + self.drift_z * self._rng.standard_normal(zn.shape)
        self.z = zn
        self.theta_m = x_new[..., 0]
        n_h = self.model.drivers.n_hours
        after = self.hour % n_h + 24
        # a day that ends with the weather leaves the filter at its end (n_hours), not at its first hour:
        # the state's position stays the end of that day (it went back a year), the next year's weather takes it on
        self.hour = after if after == n_h else after % n_h
        self.days += 1
        whole = np.all(np.isfinite(y), axis=1)
        # the band of the metered buildings' total: percentiles of the members' sums (a sum of
        # per-building percentiles is no percentile of the sum), members the model rejected left out
        total = daily[whole].sum(axis=0) if whole.any() else np.full(n_e, np.nan)
        total_q = tuple(float(v) for v in np.nanpercentile(total, [5, 50, 95])) if np.isfinite(total).any() else (float("nan"),) * 3
        rep = DayReport(day_start, np.where(whole, np.nansum(y, axis=1), np.nan), q[0], q[1], q[2], use.sum(axis=1),
                        time.perf_counter() - t0, int(whole.sum()), float(y[whole].sum()), total_q)
        self.history.append(rep)
        return rep

    # ---------------------------------------------------------------- bands
    def parameter_band(self, q=(5.0, 50.0, 95.0)) -> dict[str, np.ndarray]:
        """Percentiles over the ensemble of every parameter (physical units) and of ``theta_m_c``:
        name -> (len(q), n_b)."""
        vals = self._values().reshape(self.n_buildings, self.n_ensemble, -1)
        out = {p: np.percentile(vals[:, :, i], q, axis=1) for i, p in enumerate(PARAMETERS)}
        out["theta_m_c"] = np.nanpercentile(self.theta_m, q, axis=1)
        return out

    def forecast(self, days: int, *, drivers=None, start_hour: int | None = None, with_noise: bool = True) -> pd.DataFrame:
        """Band of the daily readings of the next ``days`` days.

        Parameters
        ----------
        days
            Days ahead.
        drivers
            The weather of the forecast period (default: the filter's own drivers, from ``hour``).
        start_hour
            First hour in ``drivers`` (default: the filter's next hour, or 0 with other drivers).
        with_noise
            Add the meter noise to each member's daily reading (a band for the readings, not
            only for the model).

        Returns
        -------
        pandas.DataFrame
            ``building_id``, ``day`` (start, tz-aware), ``p5_kwh``, ``p50_kwh``, ``p95_kwh``, ``mean_kwh``.
        """
        if days < 1:
            raise InputError("days must be >= 1", field="days")
        own = drivers is None
        drv = self.model.drivers if own else drivers
        h0 = (self.hour if own else 0) if start_hour is None else int(start_hour)
        if h0 >= drv.n_hours:
            raise InputError(f"the state's next day starts at {drv.time[-1]}, when the weather ends: give the weather of the days from it on",
                             field="weather")
        if not own and days * 24 > drv.n_hours - h0:
            raise InputError(f"the forecast weather holds {drv.n_hours - h0} hours from its start, {days * 24} needed", field="weather")
        pred, _ = self._run(h0, 24 * days, self.theta_m, drivers=drv)
        daily = pred.reshape(self.n_buildings, self.n_ensemble, days, 24).sum(axis=3)
        if with_noise:
            rng = np.random.default_rng([int(self.seed), 0xF0, self.days])
            sd = np.sqrt((self.noise.relative * daily) ** 2 + self.noise.floor * 24)
            daily = np.maximum(daily + sd * rng.standard_normal(daily.shape), 0.0)
        q = np.nanpercentile(daily, [5, 50, 95], axis=1)
        starts = drv.time[(h0 + 24 * np.arange(days)) % drv.n_hours] - pd.Timedelta(hours=1)
        ids = self.model.building_ids
        return pd.DataFrame({"building_id": np.repeat(ids, days), "day": np.tile(starts, self.n_buildings), "p5_kwh": q[0].ravel(),
                             "p50_kwh": q[1].ravel(), "p95_kwh": q[2].ravel(), "mean_kwh": np.nanmean(daily, axis=1).ravel()})

    @property
    def next_time(self) -> pd.Timestamp:
        """Start of the next day to assimilate (tz-aware); the weather's last hour's end when the
        filter stands at the end of its weather (``hour == n_hours``)."""
        time, n_h = self.model.drivers.time, self.model.drivers.n_hours
        return time[-1] if self.hour == n_h else time[self.hour % n_h] - pd.Timedelta(hours=1)

    @classmethod
    def from_scene(cls, model: ForwardModel, buildings: pd.DataFrame, hour: int, *, n_ensemble: int = DEFAULT_ENSEMBLE, seed: int = 0,
                   **kw) -> SyncFilter:
        """An ensemble from the calibration a scene carries (:func:`twin.energy.calibrated.draw_calibrated`):
        each member one posterior draw; parameters not calibrated come from the priors."""
        from twin.energy.calibrated import draw_calibrated

        priors = kw.pop("priors", None) or load_calibration_priors()[0]
        ids = model.building_ids
        cal = draw_calibrated(buildings, ids, n_ensemble, seed, 0x5F)
        rng = np.random.default_rng([int(seed), 0x60])
        t = priors.sample_t(rng, len(ids) * n_ensemble).reshape(n_ensemble, len(ids), -1)
        if cal is not None:
            values, _ = cal
            for i, p in enumerate(PARAMETERS):
                v = values[p]
                prior = priors.priors[i]
                tv = prior.to_t(np.where(np.isfinite(v), v, 1.0 if prior.transform == "log" else prior.mu))
                lo, hi = prior.low + 1e-9, prior.high - 1e-9
                t[:, :, i] = np.where(np.isfinite(v), np.clip(tv, lo, hi), t[:, :, i])
        z = priors.z_from_t(t.reshape(-1, t.shape[2])).reshape(n_ensemble, len(ids), -1).transpose(1, 0, 2)
        return cls(model, z, hour, priors=priors, seed=seed, **kw)


def hour_of(drivers, start: pd.Timestamp) -> int:
    """Index in ``drivers`` of the hour that starts at ``start`` (its interval ends an hour later)."""
    target = pd.Timestamp(start) + pd.Timedelta(hours=1)
    idx = drivers.time.get_indexer([target.tz_convert(drivers.time.tz)])
    if idx[0] < 0:
        raise InputError(f"{start} is not the start of an hour of the weather ({drivers.time[0] - pd.Timedelta(hours=1)} - {drivers.time[-1]})",
                         field="weather")
    return int(idx[0])


#: The sync state argument of ``twin sync update`` / ``twin sync forecast`` as their ``--help`` shows it,
#: named in the errors of :func:`load_state`.
STATE_FIELD = "STATE"

#: The writer a sync state records (``written_by`` of its ``meta``): ``twin sync init`` replaces
#: an existing ``.npz`` only if it records it (:func:`twin.calibration.command.state_writer`).
SYNC_WRITER = "twin sync"


def save_state(filt: SyncFilter, path: str | os.PathLike[str]) -> Path:
    """The filter's ensemble, position and buildings (envelope rows, shading, carriers and whether
    each carrier came from assimilated readings) to a ``.npz`` file, written atomically; the
    weather is not stored (each update and forecast names its own). Its ``meta`` records the
    writer (``written_by``: :data:`SYNC_WRITER`)."""
    import io

    from twin.io.atomic import atomic_path

    path = Path(path)
    meta = {"next_time": str(filt.next_time), "days": int(filt.days), "seed": int(filt.seed), "inflation": filt.inflation, "drift_z": filt.drift_z,
            "windows": int(filt.windows), "noise": [filt.noise.relative, filt.noise.absolute_kwh, filt.noise.rounding_kwh],
            "building_id": list(map(str, filt.model.building_ids)), "carriers": list(map(str, filt.model.carriers)),
            "carrier_from_meter": [bool(x) for x in filt.carrier_from_meter], "version": 1,
            "written_by": SYNC_WRITER}
    buf = io.BytesIO()
    filt.model.env.to_parquet(buf, index=False)
    shade = filt.model.shade if filt.model.shade is not None else np.zeros((0, 0, 0))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, z=filt.z, theta_m=filt.theta_m, meta=np.array(json.dumps(meta)), env=np.frombuffer(buf.getvalue(), dtype=np.uint8),
                     shade=shade)
    return path


#: The ``meta`` entries :func:`load_state` reads (``carrier_from_meter`` is absent in older states).
_META_KEYS = ("next_time", "days", "seed", "inflation", "drift_z", "windows", "noise", "carriers")


def _check_state_values(z: np.ndarray, meta, path: Path) -> None:
    """The values of a state read from ``path``: ``meta`` a mapping holding :data:`_META_KEYS`, its
    ``next_time`` a time with its UTC offset, its numbers finite, one carrier per building; the
    ensemble ``z`` (parameters, one row per member) finite. A state damaged or edited by hand (a NaN ensemble was
    forecast as a number, exit 0; a missing key was a KeyError) is an InputError naming ``path``
    and :data:`STATE_FIELD`."""
    def bad(detail: str) -> InputError:
        return InputError(f"not a sync state written by twin sync: {detail}", path=path, field=STATE_FIELD)

    if not isinstance(meta, dict):
        raise bad(f"its meta is a JSON {type(meta).__name__}, not an object")
    missing = [k for k in _META_KEYS if k not in meta]
    if missing:
        raise bad(f"its meta lacks {', '.join(missing)}")
    try:
        numbers = np.array([meta["days"], meta["seed"], meta["inflation"], meta["drift_z"], meta["windows"], *meta["noise"]], dtype=float)
        next_time = pd.Timestamp(meta["next_time"])
    except (TypeError, ValueError) as exc:
        raise bad(f"its meta holds a value of another kind ({exc})") from None
    if not np.isfinite(numbers).all():
        raise bad("its meta holds a value that is not a finite number (days, seed, inflation, drift_z, windows, noise)")
    if next_time.tzinfo is None:
        raise bad(f"its next_time {meta['next_time']!r} has no UTC offset")
    if not isinstance(meta["carriers"], list) or len(meta["carriers"]) != z.shape[0]:
        raise bad(f"its meta gives {len(meta['carriers']) if isinstance(meta['carriers'], list) else 'no list of'} carriers for {z.shape[0]} buildings")
    n_bad = int(np.size(z) - np.isfinite(z).sum())  # not theta_m: a sound state can hold NaN there (tests/test_meter_carrier_checks.py)
    if n_bad:
        raise bad(f"{n_bad} values of its ensemble (z) are not finite numbers (NaN or inf): a damaged state; start again with twin sync init")


def load_state(path: str | os.PathLike[str], drivers, make_model) -> SyncFilter:
    """A filter saved by :func:`save_state` on new ``drivers`` (they must hold the state's next day);
    ``make_model(env, shade, carriers, drivers)`` builds its forward model."""
    import io

    from twin.io.paths import check_input_file

    path = Path(path)
    check_input_file(path, suffixes=(".npz",), max_bytes=2 * 1024**3, what="sync state", field=STATE_FIELD, refuse_empty=True)
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head != b"PK\x03\x04":  # not a zip archive: np.load took it for a pickle and advised loading it "unsafely"
        raise InputError("not a sync state written by twin sync: not a .npz (zip) archive", path=path, field=STATE_FIELD)
    try:
        with np.load(path, allow_pickle=False) as d:
            z, theta, meta = d["z"], d["theta_m"], json.loads(str(d["meta"]))
            env = pd.read_parquet(io.BytesIO(d["env"].tobytes()))
            shade = d["shade"]
    except (OSError, ValueError, KeyError, json.JSONDecodeError, zipfile.BadZipFile) as exc:  # BadZipFile: a truncated archive
        raise InputError(f"not a sync state written by twin sync: {type(exc).__name__}: {exc}", path=path, field=STATE_FIELD) from None
    if z.ndim != 3 or z.shape[0] != len(env) or theta.shape != z.shape[:2]:
        raise InputError("the sync state is inconsistent (ensemble and buildings differ)", path=path, field=STATE_FIELD)
    _check_state_values(z, meta, path)
    model = make_model(env, None if shade.size == 0 else shade, np.array(meta["carriers"], dtype=object), drivers)
    next_time = pd.Timestamp(meta["next_time"])
    # a state at the end of its weather (its last day assimilated) stands at the end of these drivers too
    hour = drivers.n_hours if next_time == drivers.time[-1] else hour_of(drivers, next_time)
    return SyncFilter(model, z, hour, noise=Noise(*meta["noise"]), inflation=meta["inflation"], drift_z=meta["drift_z"], windows=meta["windows"],
                      seed=meta["seed"], theta_m=theta, days=meta["days"],
                      carrier_from_meter=meta.get("carrier_from_meter"))  # absent in older states: sync init's default carriers


def reconcile_carriers(filt: SyncFilter, readings: pd.DataFrame, make_model, *, path: str | None = None) -> list[str]:
    """The carrier of each building's readings against the carrier its state models; the
    filter's model is rebuilt where the readings' carrier replaces a default.

    ``twin sync init`` gives every building the carrier of the scene's heating system (a
    default gas boiler unless the scene says otherwise). The first readings of a building fix
    its carrier: a gas, oil or heat meter replaces a default (as in ``twin calibrate``,
    :func:`twin.calibration.calibrate.check_carriers`); readings of another carrier than the
    one already assimilated are an error (one meter per building), and so is an electricity
    meter on a building not modelled with an electric system (it measures appliances, not the
    heating).

    Parameters
    ----------
    filt
        The filter (its model's ``carriers``, ``env``; its ``carrier_from_meter``).
    readings
        Building readings of the filter's buildings: ``building_id``, ``carrier``, ``row``.
    make_model
        ``make_model(env, shade, carriers, drivers)`` -> forward model (as :func:`load_state`).
    path
        The readings file, named in the errors.

    Returns
    -------
    list of str
        Lines for the command to print (the carriers replaced); empty when none was.

    Raises
    ------
    InputError
        Naming the file, the row and building of the first conflict and ``carrier``.
    """
    from twin.calibration.calibrate import check_carriers

    if len(readings) == 0:
        return []
    first = readings.drop_duplicates("building_id")
    pos = pd.Index(list(map(str, filt.model.building_ids))).get_indexer(first["building_id"].astype(str))
    meter = first["carrier"].astype(str).to_numpy()
    state = np.asarray(filt.model.carriers, dtype=object)[pos].astype(str)
    clash = filt.carrier_from_meter[pos] & (meter != state)
    if clash.any():
        j = int(np.flatnonzero(clash)[0])
        raise InputError(f"{meter[j]} readings, but the sync state has assimilated {state[j]} readings of this building: one meter (carrier) "
                         f"per building; give its {state[j]} readings, or start a new state (twin sync init) for the {meter[j]} meter", path=path,
                         obj=f"row {first['row'].iloc[j]} (building {first['building_id'].iloc[j]!r})", field="carrier")
    check_carriers(readings, filt.model.env, path=path)
    change = meter != state
    lines = []
    if change.any():
        carriers = np.asarray(filt.model.carriers, dtype=object).copy()
        carriers[pos[change]] = meter[change]
        m = filt.model
        filt.model = make_model(m.env, m.shade, carriers, m.drivers)
        counts = pd.Series(meter[change]).value_counts()
        b0 = first["building_id"].iloc[int(np.flatnonzero(change)[0])]
        n = int(change.sum())
        lines.append(f"carriers: {n} building{'s take' if n > 1 else ' takes'} the carrier of {'their' if n > 1 else 'its'} readings "
                     f"({', '.join(f'{c}: {n}' for c, n in counts.items())}) instead of the state's default (first: {b0!r}, "
                     f"{state[int(np.flatnonzero(change)[0])]} before)")
    filt.carrier_from_meter[pos] = True
    return lines


def day_layout(drivers) -> Layout:
    """A one-period layout over the whole drivers (the filter's model does not use periods)."""
    from twin.energy.periods import period_index

    start = drivers.time[0] - pd.Timedelta(hours=1)
    return Layout(period_index(drivers.time, pd.DatetimeIndex([start]), pd.DatetimeIndex([drivers.time[-1]])), pd.DatetimeIndex([start]),
                  pd.DatetimeIndex([drivers.time[-1]]))


__all__ = ["DEFAULT_ENSEMBLE", "STATE_FIELD", "SYNC_WRITER", "DayReport", "SyncFilter", "day_layout", "hour_of", "load_state", "reconcile_carriers", "save_state"]
