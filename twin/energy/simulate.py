"""Run the ISO 13790 5R1C kernel on a building stock: validation, allocation, tidy results.

>>> res = simulate_stock(inputs, drivers)             # doctest: +SKIP
>>> res.per_building[["q_heat_kwh", "q_cool_kwh"]]    # doctest: +SKIP

The numerical work is :func:`twin.kernels.energy_5r1c.simulate_5r1c`; this module checks the
inputs (each bad value is reported with the building id or the weather timestamp), converts
off-setpoints (NaN) to the kernel's +-inf, allocates the outputs the caller asked for and wraps
them in pandas / xarray objects with units in the names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from twin.energy.inputs import H_IS_W_M2K, H_MS_W_M2K, Drivers, StockInputs
from twin.errors import InputError, SimulationError

#: Default warm-up: the last two weeks of the series are simulated before hour 0 (periodic year).
DEFAULT_WARMUP_HOURS = 336
#: Default mass temperature at the start of the warm-up, degC (run_kernel, simulate_stock and simulate_raw).
DEFAULT_THETA_M0_C = 20.0


@dataclass
class StockResults:
    """Results of :func:`simulate_stock`.

    Attributes
    ----------
    per_building : pandas.DataFrame
        Index ``building_id``; columns ``a_f_m2``, ``q_heat_kwh``, ``q_cool_kwh``,
        ``q_heat_kwh_m2``, ``q_cool_kwh_m2``, ``peak_heat_w``, ``peak_heat_time``,
        ``peak_cool_w``, ``peak_cool_time``, ``t_air_min_c``, ``t_air_max_c``, ``t_air_mean_c``.
        Buildings rejected with ``on_error="report"`` have NaN results.
    monthly : pandas.DataFrame
        Long form: ``building_id``, ``month`` (1..12), ``q_heat_kwh``, ``q_cool_kwh``.
    hourly : xarray.Dataset or None
        With ``hourly=True``: variables ``phi_hc_w`` (heating +, cooling -) and ``t_air_c`` on
        dimensions ``(building_id, time)``.
    errors : pandas.DataFrame
        One row per rejected building: ``building_id``, ``field``, ``message`` (empty when
        every building ran).
    """

    per_building: pd.DataFrame
    monthly: pd.DataFrame
    hourly: object | None
    errors: pd.DataFrame


def _building_errors(inp: StockInputs, film_correction: bool | None = None) -> list[tuple[int, str, str]]:
    """(index, field, message) for each building whose constants the model cannot use.

    ``film_correction``: None, each building's own flag (``inp.film_correction``); a bool
    overrides it for every building (as :func:`with_film_correction`)."""
    inp = with_film_correction(inp, film_correction)
    errs: list[tuple[int, str, str]] = []

    def flag(mask: np.ndarray, field: str, message: str) -> None:
        for i in np.flatnonzero(mask):
            errs.append((int(i), field, message))

    def bad(x: np.ndarray) -> np.ndarray:
        return ~np.isfinite(x)

    flag(bad(inp.a_f_m2) | (inp.a_f_m2 <= 0), "a_f_m2", "floor area must be a finite number > 0 m2")
    flag(bad(inp.a_t_m2) | (inp.a_t_m2 <= 0), "a_t_m2", "internal surface area must be a finite number > 0 m2")
    for name in ("h_ve_w_k", "h_tr_w_w_k", "h_tr_op_w_k", "h_ve_sched_w_k"):
        x = getattr(inp, name)
        flag(bad(x) | (x < 0), name, "heat transfer coefficient must be finite and >= 0 W/K (negative U or H?)")
    flag(bad(inp.c_m_j_k) | (inp.c_m_j_k <= 0), "c_m_j_k", "heat capacity must be finite and > 0 J/K")
    flag(bad(inp.a_m_m2) | (inp.a_m_m2 <= 0), "a_m_m2", "effective mass area must be finite and > 0 m2")
    with np.errstate(invalid="ignore", divide="ignore"):
        h_is = H_IS_W_M2K * inp.a_t_m2
        h_tr = inp.h_tr_w_w_k + inp.h_tr_op_w_k
        h_op = inp.h_tr_op_w_k
        film = inp.film_correction
        if film.any():
            too_big = film & (h_tr >= h_is)
            flag(
                too_big,
                "h_tr_w_w_k",
                "envelope conductance H_tr,w + H_tr,op must be below H_tr,is = 3.45 W/(m2 K) x A_t",
            )
            h_op = np.where(~film, h_op, np.where(too_big, 0.0, h_op * h_is / (h_is - h_tr)))
        flag(
            h_op >= H_MS_W_M2K * inp.a_m_m2,
            "h_tr_op_w_k",
            "opaque transmission coefficient must be below H_tr,ms = 9.1 W/(m2 K) x A_m (ISO 13790 §12.2.2)",
        )
        flag(
            np.isnan(inp.phi_h_max_w) | (inp.phi_h_max_w < 0),
            "phi_h_max_w",
            "heating power limit must be >= 0 W (inf = unlimited)",
        )
        flag(
            np.isnan(inp.phi_c_max_w) | (inp.phi_c_max_w < 0),
            "phi_c_max_w",
            "cooling power limit must be >= 0 W (inf = unlimited)",
        )
    flag(bad(inp.gain_w_m2), "gain_w_m2", "internal gains must be finite")
    flag(
        bad(inp.gain_conv_frac) | (inp.gain_conv_frac < 0) | (inp.gain_conv_frac > 1),
        "gain_conv_frac",
        "convective fraction must be within [0, 1]",
    )
    flag(~np.all(np.isfinite(inp.sol_coeff_m2), axis=1), "sol_coeff_m2", "solar coefficients must be finite")
    if inp.shade_factor is not None:
        s = inp.shade_factor
        flag(
            ~np.all((s >= 0) & (s <= 1), axis=(1, 2)),  # NaN and +-inf fail a comparison
            "shade_factor",
            "shading factors must be within [0, 1]",
        )
    errs.sort()
    return errs


def _check_profiles(inp: StockInputs, drv: Drivers) -> list[tuple[int, str, str]]:
    errs = []
    n_gp = drv.gain_schedule.shape[0]
    n_sp = drv.heat_setpoint_c.shape[0]
    for i in np.flatnonzero((inp.gain_profile < 0) | (inp.gain_profile >= n_gp)):
        errs.append((int(i), "gain_profile", f"profile index outside 0..{n_gp - 1}"))
    for i in np.flatnonzero((inp.setpoint_profile < 0) | (inp.setpoint_profile >= n_sp)):
        errs.append((int(i), "setpoint_profile", f"profile index outside 0..{n_sp - 1}"))
    n_vp = drv.ve_schedule.shape[0]
    for i in np.flatnonzero((inp.ve_profile < 0) | (inp.ve_profile >= n_vp)):
        errs.append((int(i), "ve_profile", f"profile index outside 0..{n_vp - 1}"))
    return errs


def input_problems(inputs: StockInputs, drivers: Drivers, film_correction: bool | None = None) -> list[tuple[int, str, str]]:
    """``(index, field, message)`` of each building :func:`simulate_stock` leaves out before
    running the kernel (its constants, :func:`_building_errors`, then its profile indices), in
    the order of ``StockResults.errors`` when the kernel itself then rejects nothing (an overflow
    is found only by running it). ``film_correction`` as in :func:`simulate_stock`."""
    return _building_errors(inputs, film_correction) + _check_profiles(inputs, drivers)


def _check_drivers(drv: Drivers) -> None:
    """Raise on non-finite weather or schedules, naming the first bad timestamp."""

    def first_bad(mask: np.ndarray, field: str, message: str) -> None:
        if mask.any():
            h = int(np.flatnonzero(mask)[0])
            raise SimulationError(
                f"{message} ({int(mask.sum())} hours affected; first at hour {h}, {drv.time[h]})",
                obj=f"weather row {h} ({drv.time[h]})",
                field=field,
            )

    first_bad(~np.isfinite(drv.t_out_c), "t_out_c", "outdoor temperature is missing (NaN) or infinite")
    for g, name in enumerate(drv.groups):
        first_bad(~np.isfinite(drv.irr_w_m2[g]), f"irr_w_m2[{name}]", "irradiance is missing (NaN) or infinite")
    first_bad(~np.all(np.isfinite(drv.gain_schedule), axis=0), "gain_schedule", "gain schedule is not finite")
    first_bad(~np.all(drv.ve_schedule >= 0, axis=0) | ~np.all(np.isfinite(drv.ve_schedule), axis=0), "ve_schedule",
              "ventilation schedule must be finite and >= 0")
    hs, cs = drv.heat_setpoint_c, drv.cool_setpoint_c
    first_bad(np.any(np.isinf(hs), axis=0), "heat_setpoint_c", "setpoint is infinite (use NaN for off)")
    first_bad(np.any(np.isinf(cs), axis=0), "cool_setpoint_c", "setpoint is infinite (use NaN for off)")
    with np.errstate(invalid="ignore"):
        first_bad(np.any(hs > cs, axis=0), "heat_setpoint_c", "heating setpoint above cooling setpoint")


def with_film_correction(inputs: StockInputs, film_correction: bool | None) -> StockInputs:
    """``inputs`` itself when ``film_correction`` is None, else a copy whose every building has that flag.

    The flag is an input of each building (:attr:`StockInputs.film_correction`); the keyword
    ``film_correction`` of the simulation functions is kept for callers written before it was
    (a bool sets it for the whole call).
    """
    if film_correction is None:
        return inputs
    from dataclasses import replace

    return replace(inputs, film_correction=np.full(inputs.n_buildings, bool(film_correction)))


def steady_state_h_tr_w_k(inputs: StockInputs, *, film_correction: bool | None = None) -> np.ndarray:
    """Steady-state transmission conductance of each building's 5R1C network, W/K (n_b,).

    With constant outdoor temperature, no sun and no gains, the heating power that holds the
    air at ``theta_set`` is ``(steady_state_h_tr_w_k + H_ve) * (theta_set - theta_e)``: the
    series-parallel combination of the network, ``H_tr,is`` in series with ``H_tr,w``
    parallel to (``H_tr,ms`` in series with ``H_tr,em``, which is ``H_tr,op``). Plain ISO
    13790: ``H_tr,is H_tr / (H_tr,is + H_tr)``; with the film correction (each building's
    flag, or ``film_correction`` for all): ``H_tr`` itself.
    """
    inputs = with_film_correction(inputs, film_correction)
    h_tr = inputs.h_tr_w_w_k + inputs.h_tr_op_w_k
    h_is = H_IS_W_M2K * inputs.a_t_m2
    return np.where(inputs.film_correction, h_tr, h_is * h_tr / (h_is + h_tr))


def _n_chunks(n_b: int) -> int:
    """Parallel work items of the kernel: one per thread, each an equal share of the blocks.

    The kernel's work per block is the same for every block, so one contiguous share per thread
    finishes together; more chunks than threads only add start-up (Numba hands each thread an
    equal, static range of the ``prange``). Small stocks get fewer chunks than threads when
    there are fewer blocks.
    """
    import numba

    from twin.kernels.energy_5r1c import BLOCK

    n_blocks = -(-n_b // BLOCK)
    return max(1, min(n_blocks, numba.get_num_threads()))


def _simulation_order(inputs: StockInputs, only: np.ndarray | None = None) -> np.ndarray:
    """Buildings sorted (stably) by setpoint and gain profile, so blocks share schedules.

    ``only`` (bool, n_b): those buildings only, as rows of ``inputs``, in the order that
    ``inputs.subset(only)`` would get (the same function of the same profiles)."""
    if only is not None:
        rows = np.flatnonzero(only)
        return rows[_profile_order(inputs.gain_profile[rows], inputs.setpoint_profile[rows])]
    return _profile_order(inputs.gain_profile, inputs.setpoint_profile)


def _profile_order(gp: np.ndarray, sp: np.ndarray) -> np.ndarray:
    """:func:`_simulation_order` of the gain profiles ``gp`` and setpoint profiles ``sp``."""
    if len(gp) == 0:
        return np.zeros(0, dtype=np.int64)
    key = sp * (int(gp.max()) + 1) + gp
    if (key[1:] >= key[:-1]).all():
        return np.arange(len(gp), dtype=np.int64)
    return np.argsort(key, kind="stable").astype(np.int64)


def _kernel_building(inputs: StockInputs):
    """The per-building constants of ``inputs`` as the 5R1C kernels take them (a
    :class:`twin.kernels.energy_5r1c.Building5R1C`)."""
    from twin.kernels.energy_5r1c import Building5R1C

    shade = inputs.shade_factor if inputs.shade_factor is not None else np.zeros((0, 0, 0))
    return Building5R1C(
        a_t_m2=inputs.a_t_m2,
        h_ve_w_k=inputs.h_ve_w_k,
        h_tr_w_w_k=inputs.h_tr_w_w_k,
        h_tr_op_w_k=inputs.h_tr_op_w_k,
        c_m_j_k=inputs.c_m_j_k,
        a_m_m2=inputs.a_m_m2,
        gain_w=_product(inputs.gain_w_m2, inputs.a_f_m2),
        gain_conv_frac=inputs.gain_conv_frac,
        gain_profile=inputs.gain_profile,
        phi_h_max_w=inputs.phi_h_max_w,
        sol_coeff_m2=np.ascontiguousarray(inputs.sol_coeff_m2),
        shade_factor=np.ascontiguousarray(shade),
        film_correction=np.ascontiguousarray(inputs.film_correction, dtype=np.bool_),
        h_ve_sched_w_k=inputs.h_ve_sched_w_k,
        ve_profile=inputs.ve_profile,
    )


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a * b`` without floating-point warnings: rows the kernel does not simulate
    (:func:`run_kernel`'s ``only``) may hold invalid values."""
    with np.errstate(all="ignore"):
        return a * b


def _kernel_climate(drivers: Drivers):
    """The hourly drivers as the 5R1C kernels take them (a :class:`twin.kernels.energy_5r1c.Climate5R1C`)."""
    from twin.kernels.energy_5r1c import Climate5R1C

    return Climate5R1C(
        t_out_c=drivers.t_out_c,
        irr_hg=np.ascontiguousarray(drivers.irr_w_m2.T),
        month=drivers.month_index(),
        gain_schedule=np.ascontiguousarray(drivers.gain_schedule),
        ve_schedule=np.ascontiguousarray(drivers.ve_schedule),
    )


def run_kernel(
    inputs: StockInputs,
    drivers: Drivers,
    *,
    hourly: bool = False,
    warmup_hours: int = DEFAULT_WARMUP_HOURS,
    theta_m0_c: float = DEFAULT_THETA_M0_C,
    film_correction: bool | None = None,
    only: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Call the kernel on already validated inputs; return the raw output arrays (SI units).

    ``film_correction``: None (default) each building's own flag; a bool overrides it for
    every building (:func:`with_film_correction`).

    ``only``: bool (n_b,), simulate these buildings only (the others' inputs are read nowhere,
    need not be valid, and their output rows are left undefined): the same results as
    ``inputs.subset(only)``, in the same blocks, without copying every input.

    Keys: ``heat_wh``, ``cool_wh`` (n_b,), ``monthly_heat_wh``, ``monthly_cool_wh`` (n_b, 12),
    ``peak_heat_w``, ``peak_heat_hour``, ``peak_cool_w``, ``peak_cool_hour``, ``t_air_min_c``,
    ``t_air_max_c``, ``t_air_mean_c`` and, with ``hourly=True``, ``phi_hc_w`` and ``t_air_c``
    (n_b, n_h).
    """
    from twin.kernels.energy_5r1c import AnnualOutputs5R1C, Control5R1C, simulate_5r1c

    inputs = with_film_correction(inputs, film_correction)
    n_b, n_h = inputs.n_buildings, drivers.n_hours
    warmup = int(min(max(warmup_hours, 0), n_h))
    heat_sp = np.where(np.isnan(drivers.heat_setpoint_c), -np.inf, drivers.heat_setpoint_c)
    cool_sp = np.where(np.isnan(drivers.cool_setpoint_c), np.inf, drivers.cool_setpoint_c)
    out = {
        "heat_wh": np.empty(n_b),
        "cool_wh": np.empty(n_b),
        "monthly_heat_wh": np.empty((n_b, 12)),
        "monthly_cool_wh": np.empty((n_b, 12)),
        "peak_heat_w": np.empty(n_b),
        "peak_heat_hour": np.empty(n_b, dtype=np.int64),
        "peak_cool_w": np.empty(n_b),
        "peak_cool_hour": np.empty(n_b, dtype=np.int64),
        "t_air_min_c": np.empty(n_b),
        "t_air_max_c": np.empty(n_b),
        "t_air_mean_c": np.empty(n_b),
    }
    if hourly:
        out["phi_hc_w"] = np.empty((n_b, n_h))
        out["t_air_c"] = np.empty((n_b, n_h))
    empty2 = np.zeros((0, 0))
    order = _simulation_order(inputs, None if only is None else np.asarray(only, dtype=bool))
    if len(order) == 0:
        return out
    simulate_5r1c(
        _kernel_building(inputs),
        _kernel_climate(drivers),
        Control5R1C(
            setpoint_profile=inputs.setpoint_profile,
            phi_c_max_w=inputs.phi_c_max_w,
            heat_setpoint_c=np.ascontiguousarray(heat_sp),
            cool_setpoint_c=np.ascontiguousarray(cool_sp),
        ),
        warmup,
        float(theta_m0_c),
        _n_chunks(len(order)),
        order,
        AnnualOutputs5R1C(
            heat_wh=out["heat_wh"],
            cool_wh=out["cool_wh"],
            monthly_heat_wh=out["monthly_heat_wh"],
            monthly_cool_wh=out["monthly_cool_wh"],
            peak_heat_w=out["peak_heat_w"],
            peak_heat_hour=out["peak_heat_hour"],
            peak_cool_w=out["peak_cool_w"],
            peak_cool_hour=out["peak_cool_hour"],
            t_air_min_c=out["t_air_min_c"],
            t_air_max_c=out["t_air_max_c"],
            t_air_mean_c=out["t_air_mean_c"],
            hourly_phi_hc_w=out.get("phi_hc_w", empty2),
            hourly_t_air_c=out.get("t_air_c", empty2),
        ),
    )
    return out


def simulate_stock(
    inputs: StockInputs,
    drivers: Drivers,
    *,
    hourly: bool = False,
    warmup_hours: int = DEFAULT_WARMUP_HOURS,
    theta_m0_c: float = DEFAULT_THETA_M0_C,
    film_correction: bool | None = None,
    on_error: Literal["raise", "report"] = "raise",
) -> StockResults:
    """Simulate every building of a stock hourly with the ISO 13790 5R1C model.

    Parameters
    ----------
    inputs : StockInputs
        Per-building constants.
    drivers : Drivers
        Shared hourly weather, irradiance per surface group and schedules.
    hourly : bool
        Also return hourly heating/cooling power and air temperature (xarray Dataset); memory
        ``16 * n_b * n_h`` bytes.
    warmup_hours : int
        Hours simulated before the first hour, taken from the end of the series (a typical
        year is treated as periodic). Default two weeks.
    theta_m0_c : float
        Mass temperature at the start of the warm-up, degC.
    film_correction : bool or None
        ``None`` (default): each building's own input ``inputs.film_correction``
        (:class:`~twin.energy.inputs.StockInputs`): ``False``, the ISO 13790 Annex C network
        as written. ``h_tr_w_w_k`` and ``h_tr_op_w_k`` are the air-to-air conductances of ISO
        13789 (U x A with both surface resistances) and sit in series with ``H_tr,is = 3.45
        A_t``, so the steady-state loss is ``(H_tr,eff + H_ve) * dT`` with ``H_tr,eff =
        H_tr,is H_tr / (H_tr,is + H_tr)``, ``H_tr = H_tr,w + H_tr,op``
        (:func:`steady_state_h_tr_w_k`); ``True``, both conductances are scaled by ``H_tr,is
        / (H_tr,is - H_tr)`` so that the steady-state loss is exactly ``(H_tr + H_ve) * dT``
        (the interior film is not counted twice; the stock model's default, consistent with
        TABULA's ``H_tr``). A bool overrides every building's flag (kept for older callers).
    on_error : {"raise", "report"}
        ``"raise"``: the first invalid building raises :class:`~twin.errors.InputError`
        naming it. ``"report"``: invalid buildings are left out (NaN results) and listed in
        ``StockResults.errors``; the others are simulated.

    Returns
    -------
    StockResults

    Raises
    ------
    InputError
        A building constant is invalid (zero floor area, negative conductance...), naming the
        building id and the field.
    SimulationError
        The weather or a schedule has a missing value, naming the weather row, or the groups
        of inputs and drivers differ, or the kernel gave a non-finite result (an overflow from
        extreme constants; with ``on_error="report"`` the building is listed in ``errors``).
    """
    raw, ok, errs = simulate_raw(inputs, drivers, hourly=hourly, warmup_hours=warmup_hours, theta_m0_c=theta_m0_c,
                                 film_correction=film_correction, on_error=on_error)
    return _tidy(inputs, drivers, ok, raw, errs, hourly)


def simulate_raw(
    inputs: StockInputs,
    drivers: Drivers,
    *,
    hourly: bool = False,
    warmup_hours: int = DEFAULT_WARMUP_HOURS,
    theta_m0_c: float = DEFAULT_THETA_M0_C,
    film_correction: bool | None = None,
    on_error: Literal["raise", "report"] = "raise",
) -> tuple[dict[str, np.ndarray], np.ndarray, list[tuple[int, str, str]]]:
    """:func:`simulate_stock` without the tidy tables: the kernel's raw outputs of the buildings
    that ran, which buildings ran (``ok``, (n_b,) bool) and the problems ``(index, field,
    message)`` of the others. Same checks and parameters as :func:`simulate_stock`."""
    if inputs.groups != drivers.groups:
        raise SimulationError(
            f"surface groups differ: inputs {inputs.groups} vs drivers {drivers.groups}", field="groups"
        )
    _check_drivers(drivers)
    inputs = with_film_correction(inputs, film_correction)
    errs = input_problems(inputs, drivers)
    ids = inputs.building_id
    if errs and on_error == "raise":
        i, field, message = errs[0]
        more = f" ({len(errs) - 1} more problems)" if len(errs) > 1 else ""
        raise InputError(message + more, obj=f"building {ids[i]!r}", field=field)
    ok = np.ones(inputs.n_buildings, dtype=bool)
    for i, _, _ in errs:
        ok[i] = False
    kw = {"hourly": hourly, "warmup_hours": warmup_hours, "theta_m0_c": theta_m0_c}
    if ok.all():
        raw = run_kernel(inputs, drivers, **kw)
    elif hourly:  # the kept buildings' inputs: not n_b rows of hourly outputs
        raw = run_kernel(inputs.subset(ok), drivers, **kw)
    else:  # the kept buildings simulated where they are, no copy of every input (the shade factors: 54 MB on the region)
        raw = {k: v[ok] for k, v in run_kernel(inputs, drivers, only=ok, **kw).items()}
    blown = _non_finite_outputs(raw)
    if blown.size:
        sub_ids = np.asarray(ids)[ok]
        first = int(blown[0])
        more = f" ({blown.size - 1} more buildings)" if blown.size > 1 else ""
        if on_error == "raise":
            raise SimulationError(
                "the model gave a non-finite result (overflow): check the building's constants and the weather" + more,
                obj=f"building {sub_ids[first]!r}",
                field="q_heat_kwh",
            )
        bad_rows = np.flatnonzero(ok)[blown]
        for i in bad_rows:
            errs.append((int(i), "q_heat_kwh", "the model gave a non-finite result (overflow)"))
        errs.sort()
        keep = np.ones(int(ok.sum()), dtype=bool)
        keep[blown] = False
        ok[bad_rows] = False
        raw = {k: v[keep] for k, v in raw.items()}
    return raw, ok, errs


def _non_finite_outputs(raw: dict[str, np.ndarray]) -> np.ndarray:
    """Rows (simulated buildings) whose annual results are not finite: an overflow in the kernel."""
    n = raw["heat_wh"].shape[0]
    bad = np.zeros(n, dtype=bool)
    for key in ("heat_wh", "cool_wh", "peak_heat_w", "peak_cool_w", "t_air_min_c", "t_air_max_c", "t_air_mean_c"):
        bad |= ~np.isfinite(raw[key])
    bad |= ~np.all(np.isfinite(raw["monthly_heat_wh"]) & np.isfinite(raw["monthly_cool_wh"]), axis=1)
    return np.flatnonzero(bad)


def _tidy(inputs, drivers, ok, raw, errs, hourly) -> StockResults:
    n_b = inputs.n_buildings
    ids = inputs.building_id

    def full(x: np.ndarray, fill: float = np.nan) -> np.ndarray:
        if ok.all():
            return x
        shape = (n_b,) + x.shape[1:]
        arr = np.full(shape, fill, dtype=x.dtype)
        arr[ok] = x
        return arr

    def when(idx: np.ndarray):
        # time of an hour index (-1: none -> NaT), kept as a tz-aware datetime array
        idx = full(idx, -1).astype(np.int64)
        return drivers.time[np.clip(idx, 0, None)].where(idx >= 0).array

    a_f = inputs.a_f_m2
    q_h = full(raw["heat_wh"]) / 1000.0
    q_c = full(raw["cool_wh"]) / 1000.0
    with np.errstate(invalid="ignore", divide="ignore"):
        per = pd.DataFrame(
            {
                "a_f_m2": a_f,
                "q_heat_kwh": q_h,
                "q_cool_kwh": q_c,
                "q_heat_kwh_m2": q_h / a_f,
                "q_cool_kwh_m2": q_c / a_f,
                "peak_heat_w": full(raw["peak_heat_w"]),
                "peak_heat_time": when(raw["peak_heat_hour"]),
                "peak_cool_w": full(raw["peak_cool_w"]),
                "peak_cool_time": when(raw["peak_cool_hour"]),
                "t_air_min_c": full(raw["t_air_min_c"]),
                "t_air_max_c": full(raw["t_air_max_c"]),
                "t_air_mean_c": full(raw["t_air_mean_c"]),
            },
            index=pd.Index(ids, name="building_id"),
        )
    mh = full(raw["monthly_heat_wh"]) / 1000.0
    mc = full(raw["monthly_cool_wh"]) / 1000.0
    monthly = pd.DataFrame(
        {
            # repeat the index built once above (no new id objects per month row)
            "building_id": per.index.repeat(12).array,
            "month": np.tile(np.arange(1, 13), n_b),
            "q_heat_kwh": mh.reshape(-1),
            "q_cool_kwh": mc.reshape(-1),
        }
    )
    ds = None
    if hourly:
        import xarray as xr

        ds = xr.Dataset(
            {
                "phi_hc_w": (("building_id", "time"), full(raw["phi_hc_w"])),
                "t_air_c": (("building_id", "time"), full(raw["t_air_c"])),
            },
            coords={"building_id": ids, "time": drivers.time},
            attrs={"model": "ISO 13790 Annex C 5R1C", "phi_hc_w": "heating positive, cooling negative"},
        )
    errors = pd.DataFrame(
        {
            "building_id": [ids[i] for i, _, _ in errs],
            "field": [f for _, f, _ in errs],
            "message": [m for _, _, m in errs],
        }
    )
    return StockResults(per_building=per, monthly=monthly, hourly=ds, errors=errors)
