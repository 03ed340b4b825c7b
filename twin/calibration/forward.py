"""The forward model of a calibration: meter readings of buildings as a function of their parameters.

For a building ``b`` with calibration parameters ``x`` (:data:`twin.energy.calibrated.PARAMETERS`),
the reading of meter period ``p`` (kWh of the meter's carrier) is

* ``heat`` (a heat meter): ``Q_h(b, p; x) + Q_w(b, p; x)``; for a building whose system is
  ``district_heating`` (declared by the scene, :data:`twin.energy.results.OPT_IN_SYSTEMS`) the
  network's meter reads the heat bought, ``(Q_h + Q_w) / dh_substation_efficiency`` (0.95,
  as the accounts' ``district_heat_kwh``, :func:`twin.energy.systems.district_heat_kwh`);
* ``gas`` / ``oil``: ``(Q_h + Q_w) / eta`` with the seasonal efficiency of the building's
  boiler (``boiler_efficiency`` 0.85, ``condensing_boiler_efficiency`` 0.95,
  ``oil_boiler_efficiency`` 0.80 of ``twin/data/energy_factors.csv``);
* ``electricity``, for a building heated by electricity only: direct electric
  ``(Q_h + Q_w) / eta`` (``electric_direct_efficiency``); heat pump ``Q_h / COP_p + Q_w / COP_w``
  with the COP of the accounts (:func:`twin.energy.results.account_arrays`): the plain
  ``heat_pump`` at the period's mean outdoor temperature
  (:func:`twin.energy.measures.heat_pump_cop`), the hourly-COP heat pumps
  (``heat_pump_air_35``, ``heat_pump_air_55``, ``heat_pump_ground_35``, ``heat_pump_ground_55``:
  :mod:`twin.energy.heat_pump`) weighted by the degree-hours of the period
  (:meth:`ForwardModel.period_cop`); ``COP_w`` the yearly COP at the hot-water sink. Every
  system of :data:`twin.energy.results.SYSTEMS` and ``district_heating`` is recognised, any other
  (the part-load boilers of ``OPT_IN_SYSTEMS``) is an error.

``Q_h`` is the heating energy of the hours of the period from the 5R1C model
(:func:`twin.energy.periods.simulate_periods`, film correction on, as every stock run) on the
envelope row with the parameters applied (:func:`twin.energy.calibrated.apply_parameters`), after
a two-week warm-up; ``Q_w = dhw_from_typology x q_w_nd x dhw_factor x A_f x hours / 8760`` is
the hot-water need, spread evenly over the year (TABULA gives an annual figure).

A meter's carrier says how the building is heated where the scene does not (its system is a
default, ``system_source`` ``default ...``, ``TABULA``, ``typology`` or ``inferred ...``): a gas
meter on such a building calibrates it as a gas boiler (``system_note`` says so), oil the same.
Where the system is known (the scene's ``heating_system`` from data or the user, a measure, a
calibration), a meter of another carrier is an error (:func:`system_for_carrier`): the meter and
the building disagree. An electricity meter on a building with a boiler cannot be modelled (no
appliance load) and is refused.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from twin.energy.calibrated import PARAMETERS
from twin.errors import InputError

#: Carriers a heating meter may measure.
CARRIERS = ("gas", "oil", "heat", "electricity")

#: Hours of the year over which TABULA's annual hot-water need is spread.
HOURS_PER_YEAR = 8760.0

#: Evaluations per kernel call (memory: the period outputs and the inputs of this many rows).
CHUNK_ROWS = 50_000


@dataclass
class Layout:
    """The periods of a set of meters: which hours belong to which period.

    Attributes
    ----------
    period : (n_h,) int64
        Period of each hour of the drivers (-1: none).
    start, end : DatetimeIndex (n_p,)
        The periods, ``[start, end)``.
    """

    period: np.ndarray
    start: pd.DatetimeIndex
    end: pd.DatetimeIndex

    @property
    def n_periods(self) -> int:
        return len(self.start)

    def hours(self) -> np.ndarray:
        """Simulated hours in each period (n_p,)."""
        p = self.period[self.period >= 0]
        return np.bincount(p, minlength=self.n_periods).astype(float)

    def mean_temperature(self, t_out_c: np.ndarray) -> np.ndarray:
        """Mean outdoor temperature of each period (n_p,), degC."""
        m = self.period >= 0
        s = np.bincount(self.period[m], weights=np.asarray(t_out_c)[m], minlength=self.n_periods)
        return s / np.maximum(self.hours(), 1.0)

    def key(self) -> tuple:
        return tuple(self.start.as_unit("ns").asi8) + tuple(self.end.as_unit("ns").asi8)


#: Prefixes of a ``system_source`` that says the system is not known of the building itself
#: (a default, the typology, an inference): a meter's carrier may replace such a system.
WEAK_SYSTEM_SOURCES = ("TABULA", "typology", "default", "inferred")


def system_is_known(source: object) -> bool:
    """Is a ``system_source`` evidence about the building (data, user, a measure, a
    calibration), not a default? A blank or missing source is a default."""
    text = "" if source is None or (isinstance(source, float) and np.isnan(source)) else str(source).strip()
    return bool(text) and not text.startswith(WEAK_SYSTEM_SOURCES)


def system_for_carrier(system: str, carrier: str, *, source: str | None = None) -> tuple[str, str]:
    """The heating system a meter of ``carrier`` implies for a building whose central system is
    ``system``, and a note when it differs (``""`` otherwise).

    Every heating system of the accounts (:data:`twin.energy.results.SYSTEMS`: boilers, direct
    electric, the plain ``heat_pump`` and the hourly-COP heat pumps ``heat_pump_air_35`` ...
    of :data:`twin.energy.results.HOURLY_HEAT_PUMPS`) and ``district_heating`` is recognised; an
    electricity meter calibrates any system whose carrier is electricity, a heat meter any
    system (it reads the heat, the network's heat for ``district_heating``).

    Parameters
    ----------
    system
        The building's modelled system (``env['system']``).
    carrier
        The carrier of its meter (:data:`CARRIERS`).
    source
        Where the system comes from (``env['system_source']``). A default (None, blank,
        ``default ...``, ``TABULA``, ``typology``, ``inferred ...``: :func:`system_is_known` is
        False) is replaced by a gas or oil meter's boiler (the note says so); a known system
        (data, user, a measure) is never replaced.

    Raises
    ------
    InputError
        An electricity meter on a building that is not heated by electricity; a gas or oil
        meter on a building whose known system burns another carrier (naming the system and its
        source); an unknown carrier or an unknown heating system.
    """
    from twin.energy.results import SYSTEMS

    if carrier not in CARRIERS:
        raise InputError(f"unknown carrier {carrier!r} (heating carriers: {', '.join(CARRIERS)})", field="carrier")
    known_systems = (*SYSTEMS, "district_heating")
    if system not in known_systems:
        raise InputError(f"unknown heating system {system!r} (known: {', '.join(known_systems)})", field="system")
    modelled = SYSTEMS.get(system, "district_heat")
    if carrier in ("gas", "oil") and modelled != carrier and system_is_known(source):
        raise InputError(f"a{'n' if carrier == 'oil' else ''} {carrier} meter on a building heated by {system} ({source}): the meter and the "
                         f"building's known system disagree on its carrier; give the meter of its heating carrier or correct its heating_system",
                         field="carrier")
    if carrier == "gas":
        return (system, "") if system in ("gas_boiler", "gas_boiler_condensing") else ("gas_boiler", f"system {system} -> gas_boiler (gas meter)")
    if carrier == "oil":
        return (system, "") if system == "oil_boiler" else ("oil_boiler", f"system {system} -> oil_boiler (oil meter)")
    if carrier == "heat":
        return system, ""
    if modelled != "electricity":
        shown = f"{system} ({source})" if source else system
        raise InputError(f"an electricity meter cannot calibrate a building heated by {shown} (the model has no appliance load); "
                         "give its heating carrier (gas, oil, heat) or declare its electric system (heating_system)", field="carrier")
    return system, ""


@dataclass
class ForwardModel:
    """Meter readings (kWh) of a set of buildings for parameter values (module docstring).

    Parameters
    ----------
    env
        Envelope rows of the buildings (one per building, :func:`twin.energy.model.build_envelope`).
    drivers
        Hourly drivers covering every meter period.
    layout
        The meter periods (shared by the buildings of this model).
    carriers
        (n_b,) carrier of each building's meter.
    conventions, factors
        As :func:`twin.energy.model.to_stock_inputs`.
    shade
        (n_b, n_groups, 12) urban shading factors, or None.
    warmup_hours
        Hours simulated before the first hour (cyclic over the drivers).
    """

    env: pd.DataFrame
    drivers: object
    layout: Layout
    carriers: np.ndarray
    conventions: object = None
    factors: dict = field(default_factory=dict)
    shade: np.ndarray | None = None
    warmup_hours: int = 336
    system_notes: list = field(default_factory=list)
    #: Does the meter see the hot water? (False: a furnace or space-heating sub-meter.)
    hot_water: bool = True
    #: Heat pump with a furnace backup ("dual fuel"): the metered furnace serves only the hours
    #: whose outdoor temperature is below this switchover temperature (degC); None: all hours.
    switchover_c: float | None = None

    def __post_init__(self) -> None:
        from twin.energy.model import Conventions, load_factors

        self.env = self.env.reset_index(drop=True)
        self.conventions = self.conventions if self.conventions is not None else Conventions()
        self.factors = {**load_factors(), **(self.factors or {})}
        self.carriers = np.asarray(self.carriers, dtype=object)
        if len(self.carriers) != len(self.env):
            raise ValueError("one carrier per envelope row is needed")
        systems = self.env["system"].astype(str).to_numpy(dtype=object).copy()
        sources = (self.env["system_source"].to_numpy(dtype=object) if "system_source" in self.env
                   else np.full(len(systems), None, dtype=object))
        notes = []
        for i, (s, c, src) in enumerate(zip(systems, self.carriers, sources)):
            new, note = system_for_carrier(s, str(c), source=src)
            if note:
                systems[i] = new
                notes.append((str(self.env.loc[i, "building_id"]), note))
        self.env["system"] = systems
        self.system_notes = notes
        self._cop_cache: dict[str, np.ndarray] = {}
        from twin.energy.calibrated import ParameterizedStock

        self._stock = ParameterizedStock(self.env, conventions=self.conventions, factors=self.factors, shade_factor=self.shade)
        from twin.energy.periods import prepare_drivers

        # the drivers are checked and converted for the kernel once per model, not per evaluation
        self._prepared = prepare_drivers(self.drivers)
        self._hours = self.layout.hours()
        self._t_mean = self.layout.mean_temperature(self.drivers.t_out_c)
        self._period = self._metered_period(self.switchover_c)
        # first and last simulated hour: the run covers the span of the periods only
        inside = np.flatnonzero(self.layout.period >= 0)
        if len(inside) == 0:
            raise InputError("no hour of the weather falls in a meter period", field="weather")
        self._h0, self._n = int(inside[0]), int(inside[-1] - inside[0] + 1)

    def with_switchover(self, switchover_c: float | None) -> ForwardModel:
        """The same model with another switch-over temperature (degC; None: every hour metered).

        Only the hours each period sums differ: the envelope, the parameterised stock, the
        prepared drivers and the layout are shared with this model (read-only), not rebuilt;
        its readings equal bit for bit those of a model built with ``switchover_c``.
        """
        other = copy.copy(self)
        other.switchover_c = switchover_c
        other._cop_cache = {}
        other._period = self._metered_period(switchover_c)
        return other

    def _metered_period(self, switchover_c: float | None) -> np.ndarray:
        """The meter period of each hour (-1: none), the hours at or above the switch-over
        temperature ``switchover_c`` (degC) left out (None: every hour of a period)."""
        if switchover_c is None:
            return self.layout.period
        return np.where(np.asarray(self.drivers.t_out_c) < float(switchover_c), self.layout.period, -1)

    @property
    def n_buildings(self) -> int:
        return len(self.env)

    @property
    def building_ids(self) -> np.ndarray:
        return self.env["building_id"].astype(str).to_numpy()

    def loss_split(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(transmission, infiltration, other ventilation) conductances of every building at the
        central parameters, W/K (TABULA's temperature reduction applied): what ``h_tr_factor``
        and ``air_change_factor`` multiply."""
        from twin.energy.model import RHO_C_AIR_WH_M3K, temperature_reduction, transmission

        env = self.env
        h_op, h_w = transmission(env)
        f_red = temperature_reduction(env, h_op + h_w) if self.conventions.temperature_reduction else np.ones(len(env))
        v = env["volume_m3"].to_numpy(dtype=float)
        inf = RHO_C_AIR_WH_M3K * env["n_air_inf_1_h"].to_numpy(dtype=float) * v * f_red
        use = RHO_C_AIR_WH_M3K * (1.0 - env["eta_hr"].to_numpy(dtype=float)) * env["n_air_use_1_h"].to_numpy(dtype=float) * v * f_red
        return (h_op + h_w) * f_red, inf, use

    def proposal_space(self, priors):
        """The :class:`~twin.calibration.posterior.LossRidge` of these buildings."""
        from twin.calibration.posterior import LossRidge

        a, b, c = self.loss_split()
        return LossRidge(priors, priors.index("h_tr_factor"), priors.index("air_change_factor"), a, b, c)

    def to_carrier(self, rows: np.ndarray, q_heat: np.ndarray, q_w: np.ndarray, t_mean_c: np.ndarray) -> np.ndarray:
        """Meter readings (kWh of each building's carrier) from heating and hot-water energy
        (n_rows, n_p) kWh, with the periods' mean outdoor temperatures (for a heat pump)."""
        system = self._stock.system[rows].astype(str)
        carrier = self.carriers[rows]
        out = q_heat + q_w
        network = (carrier == "heat") & (system == "district_heating")
        if network.any():
            out[network] = out[network] / float(self.factors["dh_substation_efficiency"])
        fuel = np.isin(carrier, ("gas", "oil"))
        if fuel.any():
            out[fuel] = out[fuel] / self._efficiency(system[fuel])[:, None]
        elec = carrier == "electricity"
        direct = elec & (system == "electric_direct")
        if direct.any():
            out[direct] = out[direct] / float(self.factors["electric_direct_efficiency"])
        hp = elec & (system != "electric_direct")
        if hp.any():
            from twin.energy.measures import heat_pump_cop

            f = self.factors
            cop_w = float(heat_pump_cop(np.array([float(np.mean(self.drivers.t_out_c))]), f["hp_sink_dhw_c"], f)[0])
            for name in np.unique(system[hp]):
                sel = hp & (system == name)
                out[sel] = q_heat[sel] / self.period_cop(str(name), t_mean_c)[None, :] + q_w[sel] / cop_w
        return out

    def period_cop(self, system: str, t_mean_c: np.ndarray | None = None) -> np.ndarray:
        """Space-heating COP of a heat pump ``system`` in each period (n_p,), as the accounts
        (:func:`twin.energy.results.account_arrays`) take it: the plain ``heat_pump`` at the
        period's mean outdoor temperature (:func:`twin.energy.measures.heat_pump_cop`); an
        hourly-COP heat pump (:data:`twin.energy.results.HOURLY_HEAT_PUMPS`) weighted by the
        degree-hours of the period's hours (:func:`twin.energy.heat_pump.hourly_cop`,
        :func:`~twin.energy.heat_pump.heating_weights`; the accounts do the same per calendar
        month). Hot water keeps the yearly COP at the hot-water sink, as in the accounts.

        Raises
        ------
        InputError
            ``system`` is not a heat pump the accounts know.
        """
        from twin.energy.results import HOURLY_HEAT_PUMPS

        if system == "heat_pump":
            from twin.energy.measures import heat_pump_cop

            t = self._t_mean if t_mean_c is None else np.asarray(t_mean_c, dtype=float)
            return heat_pump_cop(t, self.factors["hp_sink_space_c"], self.factors)
        if system not in HOURLY_HEAT_PUMPS:
            raise InputError(f"heating system {system!r} is not a heat pump of the accounts (known: heat_pump, {', '.join(HOURLY_HEAT_PUMPS)})",
                             field="system")
        if system not in self._cop_cache:
            from twin.energy.heat_pump import _params, heating_weights, hourly_cop

            kind, design_c = HOURLY_HEAT_PUMPS[system]
            p = _params(kind, None)
            t = np.asarray(self.drivers.t_out_c, dtype=float)
            cop = hourly_cop(t, p, design_c)
            q = heating_weights(t, p)
            per = self.layout.period
            m = per >= 0
            n_p = self.layout.n_periods
            heat = np.bincount(per[m], weights=q[m], minlength=n_p)
            elec = np.bincount(per[m], weights=(q / cop)[m], minlength=n_p)
            mean = np.bincount(per[m], weights=cop[m], minlength=n_p) / np.maximum(np.bincount(per[m], minlength=n_p), 1)
            with np.errstate(invalid="ignore", divide="ignore"):
                self._cop_cache[system] = np.where(elec > 0, heat / np.where(elec > 0, elec, 1.0), mean)
        return self._cop_cache[system]

    def _efficiency(self, system: np.ndarray) -> np.ndarray:
        f = self.factors
        return np.select([system == "gas_boiler_condensing", system == "gas_boiler", system == "oil_boiler"],
                         [f["condensing_boiler_efficiency"], f["boiler_efficiency"], f["oil_boiler_efficiency"]], 1.0)

    def predict_until(self, rows: np.ndarray, values: np.ndarray, last: int) -> np.ndarray:
        """As :meth:`predict`, but the simulation stops at the end of period ``last``: the
        periods up to ``last`` are the same bit for bit, the later ones NaN (for
        :func:`~twin.calibration.posterior.calibrate_posterior`'s ``forward_until``)."""
        return self.predict(rows, values, last_period=last)

    def predict(self, rows: np.ndarray, values: np.ndarray, *, components: bool = False, last_period: int | None = None):
        """Readings (n_rows, n_periods), kWh, of buildings ``rows`` with parameter values ``values``.

        Parameters
        ----------
        rows : (n_rows,) int
            Building (row of ``env``) of each evaluation; a building may repeat.
        values : (n_rows, 4)
            Physical values of :data:`twin.energy.calibrated.PARAMETERS` (NaN: central value).
        components
            Also return the heating and hot-water energy (kWh) separately.
        last_period
            Stop the simulation at the end of this period: the later ones are NaN (None: all).

        Returns
        -------
        (n_rows, n_p) array, NaN for evaluations the model rejects (a conductance beyond the
        network's limits); with ``components``, ``(readings, q_heat_kwh, q_dhw_kwh)``.
        """
        from twin.energy.periods import simulate_periods

        rows = np.asarray(rows, dtype=np.int64)
        values = np.asarray(values, dtype=float).reshape(len(rows), len(PARAMETERS))
        n_steps = self._n
        if last_period is not None and int(last_period) < self.layout.n_periods - 1:
            inside = np.flatnonzero((self.layout.period >= 0) & (self.layout.period <= int(last_period)))
            n_steps = int(inside[-1] - self._h0 + 1) if len(inside) else 1
        out_all = []
        for c0 in range(0, max(len(rows), 1), CHUNK_ROWS):
            r = rows[c0:c0 + CHUNK_ROWS]
            inputs, sp, q_w_nd = self._stock.inputs(r, values[c0:c0 + CHUNK_ROWS])
            res = simulate_periods(inputs, self.drivers, heat_setpoint_c=sp, period=self._period, n_periods=self.layout.n_periods,
                                   start_hour=self._h0, n_steps=n_steps, warmup_hours=self.warmup_hours, film_correction=True,
                                   on_error="report", prepared=self._prepared)
            q = res.period_heat_wh / 1000.0
            if n_steps < self._n:
                q[:, int(last_period) + 1:] = np.nan
            out_all.append((q, q_w_nd))
        q_heat = np.concatenate([o[0] for o in out_all]) if out_all else np.zeros((0, self.layout.n_periods))
        q_w_nd = np.concatenate([o[1] for o in out_all]) if out_all else np.zeros(0)
        a_f = self._stock.a_f[rows]
        q_w = (self.factors["dhw_from_typology"] * q_w_nd * a_f)[:, None] * (self._hours / HOURS_PER_YEAR)[None, :]
        if not self.hot_water:
            q_w = np.zeros_like(q_w)
        out = self.to_carrier(rows, q_heat, q_w, self._t_mean)
        if components:
            return out, q_heat, q_w
        return out


__all__ = ["CARRIERS", "ForwardModel", "HOURS_PER_YEAR", "Layout", "WEAK_SYSTEM_SOURCES", "system_for_carrier", "system_is_known"]
