"""Calibrated energy parameters on the envelope table: one definition for calibration and for every later run.

A calibration (:mod:`twin.calibration`) fits four parameters per building (or a shift per group
of buildings) and writes them back into the scene's buildings layer. This module is where they
act, so that the forward model of the calibration and every later run (central, Monte Carlo
samples, what-ifs) read them the same way:

``h_tr_factor``
    multiplies every U-value of the envelope table (``u_wall_w_m2k``, ``u_roof_w_m2k``,
    ``u_floor_w_m2k``, ``u_window_w_m2k``, ``u_door_w_m2k``) and the thermal-bridge surcharge
    ``delta_u_tb_w_m2k``: the transmission conductance and the opaque solar and sky terms that
    scale with U (:func:`twin.energy.model.solar_coefficients`) follow;
``air_change_factor``
    multiplies the infiltration air change ``n_air_inf_1_h``;
``heating_setpoint_c``
    replaces ``theta_i_c``;
``dhw_factor``
    multiplies the hot-water need ``q_w_nd_kwh_m2``.

A renovation measure applied after calibration acts on the calibrated U-values (a U-value
target replaces them, an added resistance adds to them), so every what-if of a calibrated
building starts from its calibrated state.

Scene columns (written by :func:`twin.calibration.writeback.write_back`): for each parameter
``p``, ``calib_<p>`` (posterior median, physical units) with ``calib_<p>_source`` =
``calibrated``, ``calib_<p>_p5`` / ``calib_<p>_p95`` (the 90 % interval) and the Gaussian
approximation of the posterior in the unconstrained coordinate of
:mod:`twin.calibration.parameters`, ``calib_<p>_z_mean`` / ``calib_<p>_z_sd``, with the
correlations ``calib_corr_<p>__<q>``; ``calib_kind`` (``building``: fitted to the building's
own meter; ``group``: a shift of the group's envelope, fitted to an aggregate, on top of the
stock priors), ``calib_group`` and ``calib_method``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The calibrated parameters, in the order of every parameter array.
PARAMETERS: tuple[str, ...] = ("h_tr_factor", "air_change_factor", "heating_setpoint_c", "dhw_factor")

#: Envelope columns multiplied by ``h_tr_factor``.
U_COLUMNS: tuple[str, ...] = ("u_wall_w_m2k", "u_roof_w_m2k", "u_floor_w_m2k", "u_window_w_m2k", "u_door_w_m2k", "delta_u_tb_w_m2k")

#: Source text written into the envelope's ``<parameter>_source`` columns.
SOURCE = "calibrated"

#: Columns of the scene's buildings layer that carry a calibration.
KIND_COLUMN, GROUP_COLUMN, METHOD_COLUMN = "calib_kind", "calib_group", "calib_method"


def value_column(p: str) -> str:
    return f"calib_{p}"


def source_column(p: str) -> str:
    return f"calib_{p}_source"


def z_columns(p: str) -> tuple[str, str]:
    return f"calib_{p}_z_mean", f"calib_{p}_z_sd"


def corr_column(p: str, q: str) -> str:
    return f"calib_corr_{p}__{q}"


def apply_parameters(env: pd.DataFrame, values: dict[str, np.ndarray], *, source: str = SOURCE) -> pd.DataFrame:
    """A copy of envelope rows with calibration parameters applied (module docstring).

    Parameters
    ----------
    env
        Envelope rows (:func:`twin.energy.model.build_envelope` columns).
    values
        Parameter name -> (n,) values, one per row (NaN: leave the row as it is). Unknown
        names raise ``KeyError``.
    source
        Written into the ``_source`` columns of the changed parameters.
    """
    out = env.copy()
    for name, v in values.items():
        if name not in PARAMETERS:
            raise KeyError(f"unknown calibration parameter {name!r}")
        v = np.asarray(v, dtype=float)
        if v.shape != (len(out),):
            raise ValueError(f"{name}: {len(out)} values expected, got {v.shape}")
        has = np.isfinite(v)
        if not has.any():
            continue
        if name == "h_tr_factor":
            for col in U_COLUMNS:
                x = out[col].to_numpy(dtype=float)
                out[col] = np.where(has, x * np.where(has, v, 1.0), x)
                _mark(out, col, has, source)
        elif name == "air_change_factor":
            x = out["n_air_inf_1_h"].to_numpy(dtype=float)
            out["n_air_inf_1_h"] = np.where(has, x * np.where(has, v, 1.0), x)
            _mark(out, "n_air_inf_1_h", has, source)
        elif name == "heating_setpoint_c":
            x = out["theta_i_c"].to_numpy(dtype=float)
            out["theta_i_c"] = np.where(has, v, x)
            _mark(out, "theta_i_c", has, source)
        else:
            x = out["q_w_nd_kwh_m2"].to_numpy(dtype=float)
            out["q_w_nd_kwh_m2"] = np.where(has, x * np.where(has, v, 1.0), x)
            _mark(out, "q_w_nd_kwh_m2", has, source)
    return out


def _mark(env: pd.DataFrame, col: str, rows: np.ndarray, source: str) -> None:
    s = f"{col}_source"
    if s in env:
        cur = env[s].astype(object).to_numpy(copy=True)
        cur[rows] = source
        env[s] = cur


def _by_id(buildings: pd.DataFrame) -> pd.DataFrame:
    b = pd.DataFrame(buildings).drop_duplicates("building_id")
    b.index = b["building_id"].astype(str).to_numpy()
    return b


def scene_calibration(buildings: pd.DataFrame, building_ids) -> dict[str, np.ndarray] | None:
    """The calibrated point values (posterior medians) of ``building_ids`` from a buildings layer,
    one array per parameter (NaN where not calibrated), or None when nothing is calibrated."""
    cols = [value_column(p) for p in PARAMETERS]
    if not any(c in buildings for c in cols):
        return None
    b = _by_id(buildings)
    ids = pd.Index(np.asarray(building_ids).astype(str))
    out = {}
    for p in PARAMETERS:
        col, src = value_column(p), source_column(p)
        if col not in b:
            continue
        v = pd.to_numeric(b[col], errors="coerce").reindex(ids).to_numpy(dtype=float)
        if src in b:
            ok = (b[src].astype(str) == SOURCE).reindex(ids).fillna(False).to_numpy(dtype=bool)
            v = np.where(ok, v, np.nan)
        out[p] = v
    if not out or not any(np.isfinite(v).any() for v in out.values()):
        return None
    return out


def calibrated_kind(buildings: pd.DataFrame, building_ids) -> np.ndarray:
    """``calib_kind`` of each of ``building_ids`` (``""`` where not calibrated)."""
    ids = pd.Index(np.asarray(building_ids).astype(str))
    if KIND_COLUMN not in buildings:
        return np.full(len(ids), "", dtype=object)
    s = _by_id(buildings)[KIND_COLUMN]
    return s.astype(object).reindex(ids).fillna("").astype(str).to_numpy(dtype=object)


class ParameterizedStock:
    """Kernel inputs of envelope rows as a function of the calibration parameters, on arrays.

    ``inputs(rows, values)`` equals ``to_stock_inputs(apply_parameters(env.iloc[rows], values))``
    (checked by the tests) without building a table per evaluation: the transmission
    conductances, the opaque solar and sky coefficients (all proportional to U) scale with
    ``h_tr_factor``, the infiltration part of ``H_ve`` with ``air_change_factor``; TABULA's
    temperature reduction factor is re-interpolated from the scaled transmission. Used where
    the same buildings are evaluated many times (the calibration's forward model, the sync
    filter's ensemble).
    """

    def __init__(self, env: pd.DataFrame, *, conventions=None, factors: dict | None = None, shade_factor=None) -> None:
        from twin.energy.model import RHO_C_AIR_WH_M3K, Conventions, a_m_from_c_m, load_factors, solar_coefficients, transmission

        self.conventions = conventions if conventions is not None else Conventions()
        self.factors = {**load_factors(), **(factors or {})}
        env = env.reset_index(drop=True)
        self.n = len(env)
        self.building_id = env["building_id"].astype(str).to_numpy()
        self.h_op, self.h_w = transmission(env)
        v = env["volume_m3"].to_numpy(dtype=float)
        self.h_inf = RHO_C_AIR_WH_M3K * env["n_air_inf_1_h"].to_numpy(dtype=float) * v
        self.h_use = RHO_C_AIR_WH_M3K * (1.0 - env["eta_hr"].to_numpy(dtype=float)) * env["n_air_use_1_h"].to_numpy(dtype=float) * v
        self.a_f = env["a_f_m2"].to_numpy(dtype=float)
        self.f_given = env["f_red_temp"].to_numpy(dtype=float) if "f_red_temp" in env else np.full(self.n, np.nan)
        self.f1 = env["f_red_htr1"].to_numpy(dtype=float)
        self.f4 = env["f_red_htr4"].to_numpy(dtype=float)
        c_m = env["c_m_wh_m2k"].to_numpy(dtype=float) * 3600.0
        self.c_m = c_m * self.a_f
        self.a_m = a_m_from_c_m(c_m, self.a_f)
        self.gain = env["phi_int_w_m2"].to_numpy(dtype=float)
        sol = solar_coefficients(env, self.conventions, self.factors)
        from twin.energy.inputs import STANDARD_GROUPS

        self.groups = STANDARD_GROUPS
        scaled = np.array([not g.startswith("win_") for g in STANDARD_GROUPS])
        self.sol_fixed = np.where(scaled[None, :], 0.0, sol)
        self.sol_scaled = np.where(scaled[None, :], sol, 0.0)
        self.shade = None if shade_factor is None else np.asarray(shade_factor, dtype=float)
        self.theta = env["theta_i_c"].to_numpy(dtype=float)
        self.q_w_nd = env["q_w_nd_kwh_m2"].to_numpy(dtype=float)
        self.system = env["system"].astype(str).to_numpy(dtype=object) if "system" in env else np.full(self.n, "gas_boiler", dtype=object)

    def _f_red(self, rows, h_tr):
        if not self.conventions.temperature_reduction:
            return np.ones(len(rows))
        h = h_tr / self.a_f[rows]
        interp = self.f1[rows] + (self.f4[rows] - self.f1[rows]) * np.clip((h - 1.0) / 3.0, 0.0, 1.0)
        return np.where(np.isfinite(self.f_given[rows]), self.f_given[rows], interp)

    def inputs(self, rows: np.ndarray, values: np.ndarray):
        """``(StockInputs, heat_setpoint_c, q_w_nd_kwh_m2)`` of buildings ``rows`` with parameter
        values (n_rows, 4) in :data:`PARAMETERS` order (NaN: the central value)."""
        from twin.energy.inputs import StockInputs

        rows = np.asarray(rows, dtype=np.int64)
        x = np.asarray(values, dtype=float).reshape(len(rows), len(PARAMETERS))
        f_tr = np.where(np.isfinite(x[:, 0]), x[:, 0], 1.0)
        f_air = np.where(np.isfinite(x[:, 1]), x[:, 1], 1.0)
        sp = np.where(np.isfinite(x[:, 2]), x[:, 2], self.theta[rows])
        f_w = np.where(np.isfinite(x[:, 3]), x[:, 3], 1.0)
        h_op, h_w = self.h_op[rows] * f_tr, self.h_w[rows] * f_tr
        f_red = self._f_red(rows, h_op + h_w)
        inputs = StockInputs(
            building_id=np.arange(len(rows)).astype(str),
            a_f_m2=self.a_f[rows],
            h_ve_w_k=f_red * (self.h_inf[rows] * f_air + self.h_use[rows]),
            h_tr_w_w_k=f_red * h_w,
            h_tr_op_w_k=f_red * h_op,
            c_m_j_k=self.c_m[rows],
            a_m_m2=self.a_m[rows],
            sol_coeff_m2=self.sol_fixed[rows] + self.sol_scaled[rows] * f_tr[:, None],
            groups=self.groups,
            gain_w_m2=self.gain[rows],
            gain_conv_frac=self.conventions.gain_conv_frac,
            shade_factor=None if self.shade is None else self.shade[rows],
        )
        return inputs, sp, self.q_w_nd[rows] * f_w


#: Transform of each parameter between its value and ``t`` (the coordinate of its prior).
TRANSFORMS = {"h_tr_factor": "log", "air_change_factor": "log", "heating_setpoint_c": "linear", "dhw_factor": "log"}

#: Stream of the calibrated draws (apart from the stock priors' streams 0..7).
CALIBRATED_STREAM = 100


def _t(p: str, x):
    x = np.asarray(x, dtype=float)
    return np.log(x) if TRANSFORMS[p] == "log" else x


def _value(p: str, t):
    return np.exp(t) if TRANSFORMS[p] == "log" else t


def draw_calibrated(buildings: pd.DataFrame, building_ids, n_samples: int, seed: int, stream_tag: int) -> tuple[dict, np.ndarray] | None:
    """Monte Carlo draws of the calibrated parameters of ``building_ids`` (NaN where not calibrated).

    ``z = z_mean + z_sd * (L e)`` per parameter, ``L`` the Cholesky factor of the stored
    correlations, ``e`` standard normal per building and sample (``calib_kind = building``) or
    per group and sample (``group``: the group moves together), mapped into the stored support.
    Returns ``({parameter: (n_s, n_b)}, kind (n_b,))`` or None when nothing is calibrated.
    """
    b = _by_id(buildings)
    ids = pd.Index(np.asarray(building_ids).astype(str))
    if KIND_COLUMN not in b or not b[KIND_COLUMN].astype(str).isin(("building", "group")).any():
        return None
    kind = b[KIND_COLUMN].astype(object).reindex(ids).fillna("").astype(str).to_numpy(dtype=object)
    group = (b[GROUP_COLUMN].astype(object).reindex(ids).fillna("").astype(str).to_numpy(dtype=object) if GROUP_COLUMN in b
             else np.full(len(ids), "", dtype=object))
    n_b, k = len(ids), len(PARAMETERS)

    def col(c, fill=np.nan):
        return pd.to_numeric(b[c], errors="coerce").reindex(ids).to_numpy(dtype=float) if c in b else np.full(n_b, fill)

    has = np.zeros((n_b, k), dtype=bool)
    zm, zs, lo, hi = (np.zeros((n_b, k)) for _ in range(4))
    for i, p in enumerate(PARAMETERS):
        src = (b[source_column(p)].astype(str) == SOURCE).reindex(ids).fillna(False).to_numpy(dtype=bool) if source_column(p) in b else np.zeros(n_b, bool)
        m, sd = col(z_columns(p)[0]), col(z_columns(p)[1])
        low, high = col(f"calib_{p}_low"), col(f"calib_{p}_high")
        ok = src & np.isfinite(m) & np.isfinite(sd) & np.isfinite(low) & np.isfinite(high) & (kind != "")
        has[:, i] = ok
        zm[:, i], zs[:, i] = np.where(ok, m, 0.0), np.where(ok, sd, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            lo[:, i], hi[:, i] = np.where(ok, _t(p, np.where(ok, low, 1.0)), 0.0), np.where(ok, _t(p, np.where(ok, high, 1.0)), 1.0)
    corr = np.tile(np.eye(k), (n_b, 1, 1))
    for i, p in enumerate(PARAMETERS):
        for j in range(i + 1, k):
            c = np.nan_to_num(col(corr_column(p, PARAMETERS[j]), 0.0))
            corr[:, i, j] = corr[:, j, i] = c
    corr = corr + 1e-9 * np.eye(k)
    try:
        chol = np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(corr)
        chol = np.linalg.cholesky(np.einsum("nij,nj,nkj->nik", v, np.clip(w, 1e-6, None), v))
    rng = np.random.default_rng([int(seed), int(stream_tag), CALIBRATED_STREAM])
    e = rng.standard_normal((n_samples, n_b, k))  # drawn for every building: the stream does not depend on which are calibrated
    groups = sorted(set(group[kind == "group"]))
    g_e = rng.standard_normal((n_samples, len(groups), k))
    for gi, g in enumerate(groups):
        m = (kind == "group") & (group == g)
        e[:, m, :] = g_e[:, gi, None, :]
    z = zm[None] + zs[None] * np.einsum("nij,snj->sni", chol, e)
    u = 0.5 * (1.0 + np.tanh(0.5 * z))
    t = lo[None] + (hi - lo)[None] * u
    out = {}
    for i, p in enumerate(PARAMETERS):
        v = _value(p, t[:, :, i])
        out[p] = np.where(has[None, :, i], v, np.nan)
    return out, kind


def group_conditionals(buildings: pd.DataFrame, building_ids) -> dict:
    """Groups calibrated to class shares whose shift a run draws given its own stock samples:
    group -> the model of :func:`twin.calibration.group.conditional_model` (``targets``,
    ``prior_mu``, ``prior_sd``, ``node_low``, ``node_high``; log units), ``low``, ``high`` (support
    of the factor) and ``members`` ((n_b,) bool over ``building_ids``). A group whose columns are
    missing or unreadable is left out (its shift is then drawn from the marginal posterior,
    :func:`draw_calibrated`)."""
    import json

    cols = ("calib_group_targets", "calib_group_prior_mu", "calib_group_prior_sd", "calib_group_node_low", "calib_group_node_high")
    if not all(c in buildings for c in cols) or KIND_COLUMN not in buildings:
        return {}
    b = _by_id(buildings)
    ids = pd.Index(np.asarray(building_ids).astype(str))
    kind = b[KIND_COLUMN].astype(object).reindex(ids).fillna("").astype(str).to_numpy()
    grp = b[GROUP_COLUMN].astype(object).reindex(ids).fillna("").astype(str).to_numpy() if GROUP_COLUMN in b else np.full(len(ids), "")
    out = {}
    for g in sorted(set(grp[kind == "group"])):
        m = (kind == "group") & (grp == g)
        first = b.loc[ids[np.flatnonzero(m)[0]]]
        vals = [first.get(c) for c in cols[1:]] + [first.get("calib_h_tr_factor_low"), first.get("calib_h_tr_factor_high")]
        try:
            mu, sd, n_lo, n_hi, lo, hi = (float(v) for v in vals)
            targets = json.loads(str(first.get("calib_group_targets")))
            targets = [{"target": str(t["target"]), "classes": [str(c) for c in t["classes"]], "share": float(t["share"]), "sd": float(t["sd"]),
                        "relation": str(t["relation"])} for t in targets]
        except (TypeError, ValueError, KeyError):
            continue
        if not all(np.isfinite([mu, sd, n_lo, n_hi, lo, hi])) or sd <= 0 or not (0 < lo < hi) or not (n_lo < n_hi) or not targets:
            continue
        out[g] = {"targets": targets, "prior_mu": mu, "prior_sd": sd, "node_low": n_lo, "node_high": n_hi, "low": lo, "high": hi, "members": m}
    return out


__all__ = ["CALIBRATED_STREAM", "group_conditionals", "ParameterizedStock", "TRANSFORMS", "draw_calibrated", "GROUP_COLUMN", "KIND_COLUMN",
           "METHOD_COLUMN", "PARAMETERS", "SOURCE", "U_COLUMNS", "apply_parameters", "calibrated_kind", "corr_column", "scene_calibration", "source_column", "value_column", "z_columns"]
