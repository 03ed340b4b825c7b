"""Finer hourly zone model (ISO 52016-1 style multi-node network) for single-zone specs.

Builds the thermal network of a :class:`~twin.energy.spec.ZoneSpec` (one node per capacitive
layer slice of each opaque construction, surface nodes, window surface nodes, one air node and a
radiative star node), turns it into the modal arrays of
:func:`twin.kernels.energy_iso52016.simulate_iso52016` and runs it. The irradiance rows, the
outdoor temperature, the gain schedule and the setpoints come from the spec path
(:func:`twin.energy.spec.zone_model`); scheduled ventilation flows come from
:mod:`twin.energy.schedules`. Method, equations and validation: ``docs/energy_iso52016.md``.

Network (per construction, outside -> inside):

* every layer with heat capacity is cut into ``n = ceil(d / delta)`` slices (``delta =
  sqrt(a * 3600 s)``, the one-hour penetration depth, ``a = lambda / (rho c)``; at most
  :data:`MAX_SLICES` per layer) with a node at the centre of each slice holding
  ``rho c d / n A``; massless layers are pure resistances;
* a massless exterior surface node, coupled to the outdoor air by ``A / R_se`` (combined film of
  the spec), receiving the absorbed solar ``alpha A I`` and the sky long-wave loss
  ``-F eps A (sigma T_e^4 - L_sky)`` (``F`` the TARP sky-view factor of
  :func:`twin.energy.solar.sky_longwave_factor`); a floor to the outdoor air without sun has
  the film only; adiabatic surfaces have no exterior coupling;
* a massless interior surface node, coupled to the air node by the convective coefficient
  (default ``tarp``: ``c |theta_s - theta_air|^(1/3)`` with the previous hour's difference,
  :data:`TARP_C_W_M2K43`, updated hour by hour in the kernel; ``fixed``: ``h_ci = 1 / R_si - h_ri``
  of the spec's combined film) and to the radiative star node by ``h_ri A`` (``h_ri`` =
  :data:`H_RI_W_M2K` = ``eps 4 sigma T^3`` at 20 degC with eps 0.9; ISO 52016-1 uses 5.13):
  the star node reproduces the ISO 52016-1 area-weighted radiative exchange between surfaces;
* windows: exterior and interior surface nodes (massless) joined by the glazing conductance
  ``1 / (1 / U - R_se - R_si)`` (``R_si`` of the wall or roof the window sits in), or, for a
  window with the spec key ``glazing_gap`` (or ``build_network(..., glazing=)``), by the hourly
  ISO 15099 gap conductance of the pane set (:class:`GlazingGap`, from the previous hour's pane
  temperatures);
* the air node holds the zone air ``rho c_p V`` and is coupled to the outdoor air by the
  constant ventilation ``H_ve`` (and by the scheduled flows, hour by hour, in the kernel).

One builder: the network is built by the stock path's
:func:`twin.energy.stock_iso52016.zone_network` from the spec's zone input
(:func:`twin.energy.stock_iso52016.zone_input_from_spec`), so the spec and the stock take the same
inputs by the same code.

Heat flows: internal gains split convective (air node) / radiative (interior surfaces by area);
heating/cooling 100 % convective at the air node; solar through windows (``g (1 - F_F) A_w`` times
the angle-weighted irradiance of the spec path) :data:`SOLAR_CONVECTIVE_FRACTION` to the air
(0 here: the zone has no furniture; ISO 52016-1's default is 0.1) and the rest to the interior
surfaces: first incidence on the floor,
then diffuse inter-reflection by area with each surface's interior solar absorptance (spec key
``interior_solar_absorptance`` of its construction, envelope or internal mass; default
:data:`INTERIOR_SOLAR_ABSORPTANCE`), windows letting ``g r_dif`` of what reaches them back out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from twin import option_names
from twin.errors import InputError

H_RI_W_M2K = 0.9 * 4.0 * 5.670374419e-8 * 293.15**3
"""Interior radiative surface coefficient, W/(m2 K): ``eps 4 sigma T^3`` at 20 degC with
eps = 0.9 (5.14; ISO 52016-1 uses 5.13)."""
SOLAR_CONVECTIVE_FRACTION = 0.0
"""Share of the solar gain through windows delivered to the air node. ISO 52016-1:2017 gives a
default ``f_sol,c`` of 0.1 for the solar absorbed by furniture and light objects; a spec zone has
no furniture (``internal_mass`` are constructions with their own surfaces), and the ASHRAE 140
reference programs absorb all transmitted solar on the room surfaces, so 0 (docs/energy_iso52016.md,
sensitivity: 0.1 raises BESTEST 600 / 900 cooling by 0.16 / 0.18 MWh)."""
INTERIOR_SOLAR_ABSORPTANCE = 0.6
"""Default solar absorptance of the interior opaque surfaces (dimensionless): the default of the
spec key ``interior_solar_absorptance`` of a construction (:class:`twin.energy.spec.Construction`)
and the value of every stock surface (the envelope table has no such column); 0.6 is ASHRAE 140's
``int_sw_absorpt`` (walls, roof, floor) and a common default."""
TARP_C_W_M2K43 = {"wall": (1.31, 1.31), "floor": (1.51, 0.76), "ceiling": (0.76, 1.51)}
"""Buoyancy-driven interior convection ``h_ci = c |theta_s - theta_air|^(1/3)``, W/(m2 K), ``c`` by
orientation as (surface warmer than the air, surface colder): vertical 1.31; floor (facing up)
1.51 unstable / 0.76 stable; ceiling (facing down) 0.76 stable / 1.51 unstable. Walton 1983 (TARP
simple natural convection: 1.31 vertical, ``9.482 / (7.238 - |cos|) = 1.52`` unstable and
``1.810 / (1.382 + |cos|) = 0.76`` stable horizontal), used by EnergyPlus (TARP inside algorithm of
the ASHRAE 140 GSR input files) and, with 1.51 / 0.76, by lbl-srg/modelica-buildings
``Buildings.HeatTransfer.Convection.Functions.HeatFlux`` (wall, floor, ceiling)."""
INTERIOR_CONVECTION = ("tarp", "fixed")
"""Interior convection models of :func:`build_network`: ``tarp`` (default, :data:`TARP_C_W_M2K43`
with the previous hour's surface-air difference) or ``fixed`` (``h_ci = 1 / R_si - h_ri`` from the
spec's combined interior film, constant)."""
EXTERIOR_CONVECTION = option_names.EXTERIOR_CONVECTION  # the names are there for the command line
"""Exterior surface models of the network builder: ``fixed`` (the combined film ``1 / R_se`` of the
spec, constant) or ``doe2`` (hourly, :data:`twin.kernels.energy_iso52016.LINK_EXTERIOR_DOE2`: the
DOE-2 wind-dependent convection of the EnergyPlus Engineering Reference, "Outside Surface Heat
Balance", with the site's :data:`TERRAIN` and each construction's roughness :data:`ROUGHNESS_RF`,
plus the long-wave exchange linearised to the air; the sky long-wave correction of the network is
kept). ASHRAE 140-2020's EnergyPlus inputs (NREL/BESTEST-GSR) use DOE-2 outside."""
ROUGHNESS_RF = {"very_rough": 2.17, "rough": 1.67, "medium_rough": 1.52, "medium_smooth": 1.13, "smooth": 1.11, "very_smooth": 1.00}
"""DOE-2 roughness multiplier ``R_f`` by surface roughness (EnergyPlus Engineering Reference, "Outside
Surface Heat Balance", roughness table); glass is very smooth (1.00)."""
TERRAIN = {"country": (0.14, 270.0), "suburbs": (0.22, 370.0), "city": (0.33, 460.0), "ocean": (0.10, 210.0), "urban": (0.22, 370.0)}
"""Wind profile exponent and boundary-layer height (m) by site terrain (EnergyPlus Engineering
Reference, "Local Wind Speed Calculations"); the weather station is flat open country (0.14, 270 m)
at 10 m: ``V_z = V_10 (270 / 10)^0.14 (z / delta)^alpha``."""
EXTERIOR_C_W_M2K43 = {"wall": (1.31, 1.31), "roof": (9.482 / (7.238 - 1.0), 1.810 / (1.382 + 1.0))}
"""Natural part of the exterior convection ``h_n = c |theta_s - theta_e|^(1/3)``, ``c`` as (surface
warmer than the outdoor air, colder): TARP (Walton 1983) for a vertical surface and for a roof facing
up (unstable 9.482 / 6.238, stable 1.810 / 2.382), as the DOE-2 model of EnergyPlus uses it."""


def wind_factor(terrain: str, height_m: float) -> float:
    """``V_z / V_10``: the wind at ``height_m`` above the ground of a site with ``terrain`` per unit of
    the weather station's wind at 10 m (:data:`TERRAIN`)."""
    alpha, delta = TERRAIN[terrain]
    return (270.0 / 10.0) ** 0.14 * (max(height_m, 0.0) / delta) ** alpha


MAX_SLICES = 6
"""Largest number of capacitive slices of one layer."""
DT_S = 3600.0
"""Time step, s."""


@dataclass(frozen=True)
class GlazingGap:
    """Construction of a double glazing whose gap conductance follows its pane temperatures.

    With it, :func:`build_network` gives the window an hourly link between its two pane surface
    nodes (:data:`twin.kernels.energy_iso52016.LINK_GAP`, ISO 15099 gap convection and radiation
    from the previous hour's pane temperatures) in place of the constant glazing conductance
    ``1 / (1 / U - R_se - R_si)`` (which stays the base of the modal form). The spec's ``u_w_m2k``
    then no longer sets the glazing; the films still do. The spec key ``windows.K.glazing_gap``
    (:class:`twin.energy.spec.GlazingGap`, ``gap_emissivity`` for ``emissivity``) gives one.

    Attributes
    ----------
    pane_thickness_m, pane_conductivity_w_mk : each of the two panes, m and W/(m K).
    gap_m : width of the air gap, m.
    emissivity : long-wave emissivity of the two faces that bound the gap (-).
    """

    pane_thickness_m: float
    pane_conductivity_w_mk: float
    gap_m: float
    emissivity: float


@dataclass
class Network:
    """Thermal network of one zone (node temperatures ``x``, W and K).

    ``(C / dt + K) x[t+1] = C / dt x[t] + F u[t+1] + e_air Q_air``.

    Attributes
    ----------
    names : node names.
    c_j_k : (n,) node heat capacities, J/K (0: massless).
    k_w_k : (n, n) conductance matrix (symmetric; boundary conductances on the diagonal), W/K.
    f_in : (n, n_u) heat flow into each node per unit input, inputs ``inputs``.
    inputs : input names: ``t_out``, ``gain``, then the irradiance groups.
    air : index of the air node.
    h_ve_sched_w_k : scheduled ventilation conductance at schedule value 1, W/K.
    info : derived quantities for reports.
    conv_node : int (n_c,) interior surface nodes whose convective link to the air varies hour by
        hour (empty: every coefficient fixed).
    conv_area_m2 : (n_c,) their areas, m2.
    conv_h0_w_m2k : (n_c,) the convective coefficient included in ``k_w_k``, W/(m2 K).
    conv_c_pos, conv_c_neg : (n_c,) ``c`` of ``h = c |theta_s - theta_air|^(1/3)`` when the surface
        is warmer / colder than the air, W/(m2 K^(4/3)).
    conv_other : int (n_c,) or None, the second node of each link (None: the air node for all);
        a link's difference is ``x[conv_node] - x[conv_other]``.
    conv_kind : int (n_c,) or None, the law of each link (``LINK_TARP``, ``LINK_GAP``,
        ``LINK_FIXED`` of :mod:`twin.kernels.energy_iso52016`; None: all ``LINK_TARP``).
    conv_partner : int (n_c,) or None, for a gap link the index of its inner pane's link to the air.
    conv_gap : (n_c, 4) or None, for a gap link: gap width m, panes' resistance m2K/W, emissivity
        factor, glazing height m.
    control_weights : (n,) or None, the controlled temperature as weights of the node temperatures
        (None: the air node). The operative temperature of ISO 52016-1 §6.5.5.3 is half the air's
        plus half the area-weighted mean of the interior surface temperatures (mean radiant).
    """

    names: list[str]
    c_j_k: np.ndarray
    k_w_k: np.ndarray
    f_in: np.ndarray
    inputs: tuple[str, ...]
    air: int
    h_ve_sched_w_k: float = 0.0
    info: dict = field(default_factory=dict)
    conv_node: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    conv_area_m2: np.ndarray = field(default_factory=lambda: np.zeros(0))
    conv_h0_w_m2k: np.ndarray = field(default_factory=lambda: np.zeros(0))
    conv_c_pos: np.ndarray = field(default_factory=lambda: np.zeros(0))
    conv_c_neg: np.ndarray = field(default_factory=lambda: np.zeros(0))
    conv_other: np.ndarray | None = None
    conv_kind: np.ndarray | None = None
    conv_partner: np.ndarray | None = None
    conv_gap: np.ndarray | None = None
    control_weights: np.ndarray | None = None


class _Builder:
    def __init__(self, inputs: tuple[str, ...]):
        self.inputs = inputs
        self.col = {name: k for k, name in enumerate(inputs)}
        self.names: list[str] = []
        self.cap: list[float] = []
        self.links: list[tuple[int, int, float]] = []
        self.bound: dict[int, float] = {}
        self.src: list[tuple[int, str, float]] = []

    def node(self, name: str, cap: float = 0.0) -> int:
        self.names.append(name)
        self.cap.append(cap)
        return len(self.names) - 1

    def link(self, i: int, j: int, h: float) -> None:
        self.links.append((i, j, h))

    def to_outdoor(self, i: int, h: float) -> None:
        self.bound[i] = self.bound.get(i, 0.0) + h

    def source(self, i: int, inp: str, coeff: float) -> None:
        self.src.append((i, inp, coeff))

    def chain(self, name: str, construction, area: float) -> tuple[int, int]:
        """Exterior and interior surface nodes of a construction, capacitive slices in between."""
        ext = self.node(f"{name}.ext")
        prev, r_acc = ext, 0.0
        for li, layer in enumerate(construction.layers):
            rc = layer.density_kg_m3 * layer.heat_capacity_j_kgk
            if rc <= 0.0:
                r_acc += layer.thickness_m / layer.conductivity_w_mk
                continue
            delta = np.sqrt(layer.conductivity_w_mk / rc * DT_S)
            n = int(min(MAX_SLICES, max(1, np.ceil(layer.thickness_m / delta))))
            dx = layer.thickness_m / n
            for s in range(n):
                nd = self.node(f"{name}.layer{li}.{s}", rc * dx * area)
                self.link(prev, nd, area / (r_acc + dx / (2 * layer.conductivity_w_mk)))
                prev, r_acc = nd, dx / (2 * layer.conductivity_w_mk)
        inn = self.node(f"{name}.int")
        self.link(prev, inn, area / r_acc if r_acc > 0 else 1e9 * area)
        return ext, inn

    def network(self, air: int, h_ve_sched: float, info: dict) -> Network:
        n = len(self.names)
        k = np.zeros((n, n))
        for i, j, h in self.links:
            k[i, i] += h
            k[j, j] += h
            k[i, j] -= h
            k[j, i] -= h
        f = np.zeros((n, len(self.inputs)))
        for i, h in self.bound.items():
            k[i, i] += h
            f[i, self.col["t_out"]] += h
        for i, inp, c in self.src:
            f[i, self.col[inp]] += c
        return Network(list(self.names), np.array(self.cap), k, f, self.inputs, air, h_ve_sched, info)


def load_spec_iso52016(path):
    """Read a zone spec for the finer model: :func:`twin.energy.spec.load_spec`, plus flow schedules that vary by hour.

    The 5R1C spec path rejects a ventilation flow whose schedule varies by hour (its kernel
    takes one ``H_ve``); the finer model takes an hourly ventilation conductance. When that is
    the only objection, the flows' schedules are validated here (24 values per day type,
    multipliers in [0, 1]) and the spec is returned with them. Any other error is raised as is.

    Raises
    ------
    InputError, SchemaError
        As :func:`twin.energy.spec.load_spec`; a flow schedule value outside [0, 1] names
        ``ventilation.flows.K.schedule.<day>.<hour>``.
    """
    import yaml

    from twin.energy.schedules import DaySchedule, check_range
    from twin.energy.spec import load_spec, spec_from_dict
    from twin.errors import SchemaError

    try:
        return load_spec(path)
    except SchemaError as exc:
        field_ = exc.field or ""
        if not (field_.startswith("ventilation.flows.") and field_.endswith(".schedule") and "hourly ventilation" in exc.message):
            raise
    data = yaml.safe_load(open(path, encoding="utf-8").read())
    flows = data["ventilation"]["flows"]
    scheds = [fl.pop("schedule", None) for fl in flows]
    spec = spec_from_dict(data, path=path)
    new_flows = []
    for k, (fl, raw) in enumerate(zip(spec.ventilation.flows, scheds)):
        if raw is None:
            new_flows.append(fl)
            continue
        try:
            sched = DaySchedule.model_validate(raw)
        except ValueError as err:
            raise SchemaError(
                f"bad flow schedule: {' '.join(str(err).split())}", path=path, obj=spec.name, field=f"ventilation.flows.{k}.schedule"
            ) from None
        bad = check_range(sched, 0.0, 1.0, allow_null=False)
        if bad is not None:
            raise SchemaError(
                f"a flow schedule value is a fraction of the flow in [0, 1], got {bad[2]}",
                path=path,
                obj=spec.name,
                field=f"ventilation.flows.{k}.schedule.{bad[0]}.{bad[1]}",
            )
        new_flows.append(fl.model_copy(update={"schedule": sched}))
    return spec.model_copy(update={"ventilation": spec.ventilation.model_copy(update={"flows": new_flows})})


def _solar_distribution(areas: np.ndarray, alpha: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Share of the solar entering the zone absorbed by each interior surface (radiosity by area).

    ``I = first + P I`` with ``P[j, k] = A_j / A_tot (1 - alpha_k)``: what surface k does not
    absorb is reflected diffusely and lands on the surfaces in proportion to their area;
    returns ``alpha * I`` (for windows ``alpha`` is the share let out).
    """
    p = (areas / areas.sum())[:, None] * (1.0 - alpha)[None, :]
    inc = np.linalg.solve(np.eye(len(areas)) - p, first)
    return alpha * inc


def spec_drivers(spec, weather):
    """Drivers of a spec for the finer model, with its flows split into constant and scheduled parts.

    The spec path's drivers (:func:`twin.energy.spec.zone_model` of the spec without its flows:
    irradiance groups, outdoor temperature, gain schedule, setpoints), then each flow: one whose
    hourly series (its ``schedule``, else 1) is constant adds ``h_k * value`` to the constant
    conductance; the others add ``h_k * series`` to the scheduled conductance, stated as its
    largest value (W/K) times the multiplier row ``drivers.ve_schedule`` scaled to a largest
    value of 1 (zeros without scheduled flows).

    Parameters
    ----------
    spec : twin.energy.spec.ZoneSpec
    weather : twin.ingest.epw.Weather

    Returns
    -------
    drivers : twin.energy.inputs.Drivers
        With ``ve_schedule`` (1, n_h).
    info : dict
        :func:`twin.energy.spec.zone_model`'s derived constants of the spec without flows, with
        ``h_ve_w_k`` the constant conductance (W/K), ``h_ve_sched_w_k`` the scheduled
        conductance at multiplier 1 (W/K) and ``flows`` (per flow ``name``, ``unit``, ``h_w_k``
        in W/K, ``scheduled``).

    Raises
    ------
    InputError
        A flow schedule with null values (naming the flow's field).
    """
    from twin.energy.schedules import hourly_values
    from twin.energy.spec import zone_model

    vent = spec.ventilation
    base = spec.model_copy(update={"ventilation": vent.model_copy(update={"flows": []})})
    _, drivers, info5 = zone_model(base, weather)
    time = drivers.time
    n_h = len(time)
    rho = info5["air_density_kg_m3"]
    cp = vent.air_heat_capacity_j_kgk
    h_ve = float(info5["h_ve_w_k"])
    sched = np.zeros(n_h)
    flows_info = []
    for k, fl in enumerate(vent.flows):
        h_k = fl.mass_flow_kg_s(spec.volume_m3, rho) * cp * (1.0 - fl.heat_recovery)
        series = np.ones(n_h) if fl.schedule is None else hourly_values(fl.schedule, time, spec.calendar.holidays)
        if not np.all(np.isfinite(series)):
            raise InputError("flow schedule values cannot be null", obj=spec.name, field=f"ventilation.flows.{k}.schedule")
        if np.ptp(series) == 0.0:
            h_ve += h_k * float(series[0])
        else:
            sched += h_k * series
        flows_info.append({"name": fl.name, "unit": fl.unit, "h_w_k": h_k, "scheduled": bool(np.ptp(series) > 0)})
    h_ve_sched = float(sched.max())
    drivers.ve_schedule = (sched / h_ve_sched if h_ve_sched > 0 else np.zeros(n_h))[None, :]
    return drivers, {**info5, "h_ve_w_k": h_ve, "h_ve_sched_w_k": h_ve_sched, "flows": flows_info}


def check_wind(spec, weather) -> None:
    """A spec with wind-dependent exterior surfaces needs a wind speed and direction in every hour of the weather.

    Raises
    ------
    InputError
        Naming the weather file, the column and the hours without a value (EPW missing code 999),
        when ``simulation.exterior_convection`` is ``doe2``.
    """
    if spec.simulation.exterior_convection != "doe2":
        return
    check_weather_wind(weather, obj=spec.name, option="simulation.exterior_convection")


def check_weather_wind(weather, *, obj: str | None, option: str) -> None:
    """:class:`~twin.errors.InputError` naming the weather file, the column and the hours without a
    value (EPW missing code 999) unless the weather has a wind speed and direction in every hour;
    ``option`` is the setting that asked for the wind."""
    for column in ("wind_speed_m_s", "wind_dir_deg"):
        values = weather.data[column].to_numpy(dtype=float) if column in weather.data else np.full(len(weather.data), np.nan)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            first = weather.data.index[bad[0]]
            raise InputError(f"{bad.size} hours without a value (first {first}); {option} doe2 needs the wind of every "
                             "hour (or use exterior_convection: fixed)", path=weather.source or None, obj=obj, field=column)


def build_network(spec, weather, *, interior_convection: str | None = None, glazing: Sequence[GlazingGap | None] | None = None):
    """Thermal network and drivers of a zone spec.

    ``interior_convection`` (:data:`INTERIOR_CONVECTION`; None: the spec's
    ``simulation.interior_convection``, default ``tarp``): ``tarp`` marks every interior surface's
    convective link as hourly (``h = c |theta_s - theta_air|^(1/3)``, :data:`TARP_C_W_M2K43`, the
    previous hour's difference; the kernel updates the linear system exactly, see
    ``kernels/energy_iso52016.py``); ``fixed`` keeps ``h_ci = 1 / R_si - h_ri`` of the spec's
    combined film. In both, ``k_w_k`` holds the fixed coefficient (the base of the modal form) and
    the window's glazing conductance is ``1 / (1 / U - R_se - R_si)`` with the films its U-value
    was stated with. A window with ``glazing_gap`` (spec key), or ``glazing`` (one entry per
    ``spec.windows``, replacing the spec's key; None: the constant glazing conductance): the
    window's two panes are joined by an hourly gap link (:class:`GlazingGap`); the interior
    link of its inner pane is then hourly too (``tarp``) or tracked at its fixed value
    (``fixed``). ``simulation.exterior_convection: doe2`` (:data:`EXTERIOR_CONVECTION`): every
    sunlit wall, roof and window also gets an hourly link to the outdoor air (DOE-2 wind-dependent
    convection with ``site.terrain`` and each construction's ``roughness``; the drivers carry the
    weather's wind).

    Returns
    -------
    net : Network
    drivers : twin.energy.inputs.Drivers of the spec path (irradiance groups, outdoor
        temperature, gain schedule, setpoints) with ``ve_schedule`` the scheduled ventilation
        multiplier (1, n_h).
    info : dict of derived constants.

    Raises
    ------
    InputError
        A surface film below the radiative coefficient (``R_si > 1 / h_ri``), a window U-value
        above its films, or a zone without air volume.
    """
    from twin.energy.stock_iso52016 import zone_input_from_spec, zone_network

    if interior_convection is None:
        interior_convection = spec.simulation.interior_convection
    if interior_convection not in INTERIOR_CONVECTION:
        raise InputError(f"interior convection model must be one of {INTERIOR_CONVECTION}, got {interior_convection!r}", obj=spec.name)
    if glazing is not None and len(glazing) != len(spec.windows):
        raise InputError(f"glazing needs one entry per window ({len(spec.windows)}), got {len(glazing)}", obj=spec.name, field="windows")
    check_wind(spec, weather)
    # the spec path builds the drivers; scheduled flows are handled there (hour by hour)
    drivers, info5 = spec_drivers(spec, weather)
    rho = info5["air_density_kg_m3"]
    cp = spec.ventilation.air_heat_capacity_j_kgk
    h_ve, h_ve_sched, flows_info = info5["h_ve_w_k"], info5["h_ve_sched_w_k"], info5["flows"]

    groups = tuple(drivers.groups)
    if rho * cp * spec.volume_m3 <= 0:
        raise InputError("the zone has no air volume", obj=spec.name, field="zone")
    # the stock path's builder (twin.energy.stock_iso52016.zone_network) on the spec path's groups
    zone = zone_input_from_spec(spec, air_density_kg_m3=rho, h_ve_w_k=h_ve, h_ve_sched_w_k=h_ve_sched, standard_groups=False, glazing=glazing)
    net = zone_network(zone, groups, interior_convection=interior_convection)
    surf_info = [
        {"name": s["name"], "area_m2": s["area_m2"], "h_ci_w_m2k": 1.0 / s["r_si_m2k_w"] - H_RI_W_M2K, "boundary": s["boundary"]}
        for s in zone.surfaces
        if s["area_m2"] > 0
    ]
    info = {
        "a_f_m2": spec.floor_area_m2,
        "volume_m3": spec.volume_m3,
        "air_density_kg_m3": rho,
        "c_air_j_k": zone.c_air_j_k,
        "h_ve_w_k": h_ve,
        "h_ve_sched_w_k": h_ve_sched,
        "flows": flows_info,
        "surfaces": surf_info,
        **net.info,
        "interior_convection": interior_convection,
    }
    net.info = info
    info["n_nodes"] = len(net.names)
    info["n_capacitive"] = int((net.c_j_k > 0).sum())
    return net, drivers, info


def modal_arrays(net: Network, *, theta0_c: float = 20.0, dt_s: float = DT_S) -> dict[str, np.ndarray]:
    """Modal form of a network for the kernel (one building).

    Returns a dict with ``lam`` (n_s,), ``w_in`` (n_u, n_s), ``w_q`` (n_s,), ``r_air`` (n_s,),
    ``k_air_k_w`` (float) and ``z0`` (n_s,) (every node at ``theta0_c``), and for the hourly
    convective links ``v_j = e_j - e_other`` of ``net.conv_node`` (n_c of them; ``e_other`` the
    air node, ``net.conv_other``, or nothing where ``conv_other`` is -1: a link to the outdoor
    air, whose difference is the surface's temperature minus the outdoor air's, so its
    ``conv_qv`` row has -1 on input 0): ``conv_cv``
    (n_c, n_s) = ``(U^T D G_{S,V})^T``, ``conv_qv`` (n_c, n_u) = ``V^T G F``, ``conv_gv`` (n_c,)
    = ``V^T G e_air``, ``conv_s`` (n_c, n_c) = ``V^T G V``, and the link constants ``conv_area_m2``,
    ``conv_h0_w_m2k``, ``conv_c_pos``, ``conv_c_neg``; see :mod:`twin.kernels.energy_iso52016`.
    The controlled temperature ``c . x`` (``net.control_weights``; None: the air node) is
    ``op_z . z_prev + op_u . u + op_q Q_air`` in the base system, ``op_z`` (n_s,) =
    ``U^T D (G c)_S``, ``op_u`` (n_u,) = ``F^T G c``, ``op_q`` = ``(G c)_air``, less
    ``conv_op . e`` (``conv_op`` (n_c,) = ``V^T G c``) with the links; ``control_operative`` says
    whether ``c`` is not the air node alone.
    """
    cap = net.c_j_k
    s = np.flatnonzero(cap > 0)
    if net.air not in s:
        raise InputError("the air node needs a heat capacity")
    m = np.diag(cap / dt_s) + net.k_w_k
    g = np.linalg.inv(m)
    g = 0.5 * (g + g.T)
    d = np.sqrt(cap[s] / dt_s)
    bsym = d[:, None] * g[np.ix_(s, s)] * d[None, :]
    lam, u = np.linalg.eigh(0.5 * (bsym + bsym.T))
    w_in = (u.T * d[None, :]) @ (g[s, :] @ net.f_in)
    w_q = (u.T * d[None, :]) @ g[s, net.air]
    ia = int(np.flatnonzero(s == net.air)[0])
    r_air = u[ia, :] / d[ia]
    z0 = u.T @ (d * np.full(len(s), theta0_c))
    n_c = len(net.conv_node)
    v = np.zeros((len(cap), n_c))
    v[net.conv_node, np.arange(n_c)] = 1.0
    other = np.full(n_c, net.air, dtype=np.int64) if net.conv_other is None else np.asarray(net.conv_other, dtype=np.int64)
    inner_link = other >= 0  # other = -1: a link to the outdoor air (input 0), v_j = e_j
    v[other[inner_link], np.flatnonzero(inner_link)] -= 1.0
    gv = g @ v
    qv = v.T @ g @ net.f_in
    qv[~inner_link, 0] -= 1.0  # the difference of a link to the outdoor air is surface - outdoor temperature
    c_w = np.zeros(len(cap))
    if net.control_weights is None:
        c_w[net.air] = 1.0
    else:
        c_w[:] = net.control_weights
    gc = g @ c_w
    return {
        "op_z": (u.T * d[None, :]) @ gc[s],
        "op_u": net.f_in.T @ gc,
        "op_q": float(gc[net.air]),
        "conv_op": v.T @ gc,
        "control_operative": net.control_weights is not None,
        "lam": lam,
        "w_in": np.ascontiguousarray(w_in.T),
        "w_q": w_q,
        "r_air": r_air,
        "k_air_k_w": float(r_air @ w_q),
        "z0": z0,
        "conv_cv": np.ascontiguousarray(((u.T * d[None, :]) @ gv[s, :]).T),
        "conv_qv": qv,
        "conv_gv": gv[net.air, :].copy(),
        "conv_s": v.T @ gv,
        "conv_area_m2": np.asarray(net.conv_area_m2, float),
        "conv_h0_w_m2k": np.asarray(net.conv_h0_w_m2k, float),
        "conv_c_pos": np.asarray(net.conv_c_pos, float),
        "conv_c_neg": np.asarray(net.conv_c_neg, float),
        "conv_kind": np.zeros(n_c, dtype=np.int64) if net.conv_kind is None else np.asarray(net.conv_kind, dtype=np.int64),
        "conv_partner": np.full(n_c, -1, dtype=np.int64) if net.conv_partner is None else np.asarray(net.conv_partner, dtype=np.int64),
        "conv_gap": np.tile([1.0, 0.0, 0.0, 1.0], (n_c, 1)) if net.conv_gap is None else np.asarray(net.conv_gap, float).reshape(n_c, 4),
    }


def stack_buildings(models: list[dict[str, np.ndarray]], *, gain_w_scale: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Pad and stack the modal arrays of several buildings (same inputs) into kernel arrays."""
    n_b = len(models)
    n_s = max(len(mo["lam"]) for mo in models)
    n_u = models[0]["w_in"].shape[0]
    lam = np.zeros((n_b, n_s))
    w_in = np.zeros((n_b, n_u, n_s))
    w_q = np.zeros((n_b, n_s))
    r_air = np.zeros((n_b, n_s))
    z0 = np.zeros((n_b, n_s))
    n_modes = np.zeros(n_b, dtype=np.int64)
    k_air = np.zeros(n_b)
    n_c = max(len(mo.get("conv_gv", ())) for mo in models)
    conv = {
        "conv_cv": np.zeros((n_b, n_c, n_s)),
        "conv_qv": np.zeros((n_b, n_c, n_u)),
        "conv_gv": np.zeros((n_b, n_c)),
        "conv_s": np.zeros((n_b, n_c, n_c)),
        "conv_area_m2": np.zeros((n_b, n_c)),
        "conv_h0_w_m2k": np.zeros((n_b, n_c)),
        "conv_c_pos": np.zeros((n_b, n_c)),
        "conv_c_neg": np.zeros((n_b, n_c)),
        "conv_kind": np.zeros((n_b, n_c), dtype=np.int64),
        "conv_partner": np.full((n_b, n_c), -1, dtype=np.int64),
        "conv_gap": np.ones((n_b, n_c, 4)),
    }
    n_conv = np.zeros(n_b, dtype=np.int64)
    op = {"op_z": np.zeros((n_b, n_s)), "op_u": np.zeros((n_b, n_u)), "op_q": np.zeros(n_b), "conv_op": np.zeros((n_b, n_c)),
          "control_operative": np.zeros(n_b, dtype=np.bool_)}
    for i, mo in enumerate(models):
        n = len(mo["lam"])
        if mo.get("control_operative", False):
            op["op_z"][i, :n] = mo["op_z"]
            op["op_u"][i] = mo["op_u"]
            op["op_q"][i] = mo["op_q"]
            op["conv_op"][i, :len(mo["conv_op"])] = mo["conv_op"]
            op["control_operative"][i] = True
        if mo["w_in"].shape[0] != n_u:
            raise InputError("buildings stacked together must share their inputs (irradiance groups)")
        lam[i, :n] = mo["lam"]
        w_in[i, :, :n] = mo["w_in"]
        w_q[i, :n] = mo["w_q"]
        r_air[i, :n] = mo["r_air"]
        z0[i, :n] = mo["z0"]
        n_modes[i] = n
        k_air[i] = mo["k_air_k_w"]
        m = len(mo.get("conv_gv", ()))
        n_conv[i] = m
        if m:
            conv["conv_cv"][i, :m, :n] = mo["conv_cv"]
            conv["conv_qv"][i, :m] = mo["conv_qv"]
            conv["conv_s"][i, :m, :m] = mo["conv_s"]
            for key in ("conv_gv", "conv_area_m2", "conv_h0_w_m2k", "conv_c_pos", "conv_c_neg"):
                conv[key][i, :m] = mo[key]
            for key in ("conv_kind", "conv_partner", "conv_gap"):  # absent: every link tarp
                if key in mo:
                    conv[key][i, :m] = mo[key]
    return {"lam": lam, "w_in": w_in, "w_q": w_q, "r_air": r_air, "k_air_k_w": k_air, "z0": z0, "n_modes": n_modes, **conv, "n_conv": n_conv,
            **op}


def _kernel_array(a: np.ndarray) -> np.ndarray:
    """``a`` itself when C-contiguous and writeable, else a C-contiguous writeable copy (same values)."""
    return np.require(a, requirements=["C", "W"])


def run_kernel(
    stacked: dict[str, np.ndarray],
    *,
    t_out_c: np.ndarray,
    irr_hg: np.ndarray,
    month: np.ndarray,
    gain_schedule: np.ndarray,
    heat_setpoint_c: np.ndarray,
    cool_setpoint_c: np.ndarray,
    ve_schedule: np.ndarray,
    h_ve_sched_w_k: np.ndarray,
    phi_h_max_w: np.ndarray,
    phi_c_max_w: np.ndarray,
    gain_profile: np.ndarray | None = None,
    ve_profile: np.ndarray | None = None,
    setpoint_profile: np.ndarray | None = None,
    warmup_hours: int = 720,
    hourly: bool = False,
    wind_speed_m_s: np.ndarray | None = None,
    wind_dir_deg: np.ndarray | None = None,
):
    """Allocate the outputs and run :func:`twin.kernels.energy_iso52016.simulate_iso52016`.

    Setpoints NaN (off) become -inf (heating) / +inf (cooling). ``wind_speed_m_s`` /
    ``wind_dir_deg`` (n_h,): the wind of the exterior links (None: calm, from the north; needed
    only by :data:`~twin.kernels.energy_iso52016.LINK_EXTERIOR_DOE2` links). Returns the outputs
    NamedTuple.
    """
    from twin.kernels.energy_iso52016 import Building52016, Climate52016, Control52016, allocate_outputs, simulate_iso52016

    n_b = stacked["lam"].shape[0]
    n_h = len(t_out_c)
    zeros = np.zeros(n_b, dtype=np.int64)
    hs = np.where(np.isnan(heat_setpoint_c), -np.inf, heat_setpoint_c).reshape(-1, n_h)
    cs = np.where(np.isnan(cool_setpoint_c), np.inf, cool_setpoint_c).reshape(-1, n_h)
    # every array C-contiguous and writeable, so that all callers share one compiled signature (a read-only
    # view, e.g. of np.broadcast_to, is another Numba type: a second compilation of about a minute)
    bld = Building52016._make(_kernel_array(a) for a in Building52016(
        lam=stacked["lam"],
        w_in=stacked["w_in"],
        w_q=stacked["w_q"],
        r_air=stacked["r_air"],
        k_air_k_w=stacked["k_air_k_w"],
        z0=stacked["z0"],
        n_modes=stacked["n_modes"],
        gain_profile=zeros if gain_profile is None else np.asarray(gain_profile, dtype=np.int64),
        h_ve_sched_w_k=np.broadcast_to(np.asarray(h_ve_sched_w_k, dtype=float), (n_b,)).copy(),
        ve_profile=zeros if ve_profile is None else np.asarray(ve_profile, dtype=np.int64),
        phi_h_max_w=np.broadcast_to(np.asarray(phi_h_max_w, dtype=float), (n_b,)).copy(),
        conv_cv=stacked["conv_cv"],
        conv_qv=stacked["conv_qv"],
        conv_gv=stacked["conv_gv"],
        conv_s=stacked["conv_s"],
        conv_area_m2=stacked["conv_area_m2"],
        conv_h0_w_m2k=stacked["conv_h0_w_m2k"],
        conv_c_pos=stacked["conv_c_pos"],
        conv_c_neg=stacked["conv_c_neg"],
        n_conv=stacked["n_conv"],
        conv_kind=stacked.get("conv_kind", np.zeros_like(stacked["conv_gv"], dtype=np.int64)),
        conv_partner=stacked.get("conv_partner", np.full(stacked["conv_gv"].shape, -1, dtype=np.int64)),
        conv_gap=stacked.get("conv_gap", np.ones(stacked["conv_gv"].shape + (4,))),
        op_z=stacked.get("op_z", np.zeros_like(stacked["lam"])),
        op_u=stacked.get("op_u", np.zeros(stacked["w_in"].shape[:2])),
        op_q=stacked.get("op_q", np.zeros(n_b)),
        conv_op=stacked.get("conv_op", np.zeros_like(stacked["conv_gv"])),
        control_operative=stacked.get("control_operative", np.zeros(n_b, dtype=np.bool_)),
    ))
    clim = Climate52016._make(_kernel_array(a) for a in Climate52016(
        t_out_c=np.ascontiguousarray(t_out_c, dtype=float),
        irr_hg=np.ascontiguousarray(irr_hg, dtype=float),
        month=np.asarray(month, dtype=np.int64),
        gain_schedule=np.ascontiguousarray(np.asarray(gain_schedule, dtype=float).reshape(-1, n_h)),
        ve_schedule=np.ascontiguousarray(np.asarray(ve_schedule, dtype=float).reshape(-1, n_h)),
        wind_speed_m_s=np.zeros(n_h) if wind_speed_m_s is None else np.ascontiguousarray(wind_speed_m_s, dtype=float),
        wind_dir_deg=np.zeros(n_h) if wind_dir_deg is None else np.ascontiguousarray(wind_dir_deg, dtype=float),
    ))
    ctrl = Control52016._make(_kernel_array(a) for a in Control52016(
        setpoint_profile=zeros if setpoint_profile is None else np.asarray(setpoint_profile, dtype=np.int64),
        phi_c_max_w=np.broadcast_to(np.asarray(phi_c_max_w, dtype=float), (n_b,)).copy(),
        heat_setpoint_c=np.ascontiguousarray(hs),
        cool_setpoint_c=np.ascontiguousarray(cs),
    ))
    out = allocate_outputs(n_b, n_h, hourly=hourly)
    simulate_iso52016(bld, clim, ctrl, int(warmup_hours), out)
    return out


def spec_power_limits_w(spec) -> tuple[float, float]:
    """The spec's heating and cooling power limits ``(phi_h_max_w, phi_c_max_w)``, W; ``inf`` where
    the system is absent or has no ``power_max_w``."""
    lim_h = np.inf if spec.heating is None or spec.heating.power_max_w is None else float(spec.heating.power_max_w)
    lim_c = np.inf if spec.cooling is None or spec.cooling.power_max_w is None else float(spec.cooling.power_max_w)
    return lim_h, lim_c


def run_spec_kernel(mo: dict, net: Network, drv, spec, *, hourly: bool = False):
    """Run one building's modal arrays (:func:`modal_arrays`) through the kernel with the spec
    path's arguments: the network's drivers ``drv`` and scheduled ventilation, the spec's power
    limits (:func:`spec_power_limits_w`) and warm-up. The call of :func:`simulate_spec_iso52016`;
    returns the kernel's outputs NamedTuple (one building, SI units)."""
    lim_h, lim_c = spec_power_limits_w(spec)
    return run_kernel(
        stack_buildings([mo]),
        t_out_c=drv.t_out_c,
        irr_hg=np.asarray(drv.irr_w_m2, dtype=float).T,
        month=drv.month_index(),
        gain_schedule=drv.gain_schedule,
        heat_setpoint_c=np.asarray(drv.heat_setpoint_c, dtype=float),
        cool_setpoint_c=np.asarray(drv.cool_setpoint_c, dtype=float),
        ve_schedule=drv.ve_schedule,
        h_ve_sched_w_k=net.h_ve_sched_w_k,
        phi_h_max_w=lim_h,
        phi_c_max_w=lim_c,
        warmup_hours=spec.simulation.warmup_hours,
        hourly=hourly,
        wind_speed_m_s=drv.wind_speed_m_s,
        wind_dir_deg=drv.wind_dir_deg,
    )


def simulate_spec_iso52016(
    spec, weather, *, hourly: bool = False, interior_convection: str | None = None, glazing: Sequence[GlazingGap | None] | None = None
) -> dict:
    """Simulate one zone with the finer model; the same summary keys as :func:`twin.energy.spec.simulate_spec`.

    ``interior_convection``: as :func:`build_network` (None: the spec's ``simulation.interior_convection``).

    Keys: ``name``, ``heating_mwh``, ``cooling_mwh``, ``peak_heating_kw``, ``peak_heating_time``,
    ``peak_cooling_kw``, ``peak_cooling_time``, ``t_air_min_c``, ``t_air_max_c``,
    ``t_air_mean_c``, ``monthly_heating_kwh``, ``monthly_cooling_kwh``, ``model`` (derived
    constants), and with ``hourly`` the series ``hourly_phi_hc_w`` and ``hourly_t_air_c``.
    """
    import pandas as pd

    net, drv, info = build_network(spec, weather, interior_convection=interior_convection, glazing=glazing)
    out = run_spec_kernel(modal_arrays(net), net, drv, spec, hourly=hourly)
    time = drv.time

    def stamp(h: int) -> str | None:
        return None if h < 0 else pd.Timestamp(time[h]).isoformat()

    res = {
        "name": spec.name,
        "heating_mwh": float(out.heat_wh[0]) / 1e6,
        "cooling_mwh": float(out.cool_wh[0]) / 1e6,
        "peak_heating_kw": float(out.peak_heat_w[0]) / 1e3,
        "peak_heating_time": stamp(int(out.peak_heat_hour[0])),
        "peak_cooling_kw": float(out.peak_cool_w[0]) / 1e3,
        "peak_cooling_time": stamp(int(out.peak_cool_hour[0])),
        "t_air_min_c": float(out.t_air_min_c[0]),
        "t_air_max_c": float(out.t_air_max_c[0]),
        "t_air_mean_c": float(out.t_air_mean_c[0]),
        "monthly_heating_kwh": out.monthly_heat_wh[0] / 1e3,
        "monthly_cooling_kwh": out.monthly_cool_wh[0] / 1e3,
        "model": info,
    }
    if hourly:
        res["hourly_phi_hc_w"] = out.hourly_phi_hc_w[0]
        res["hourly_t_air_c"] = out.hourly_t_air_c[0]
    return res
