"""Calibrated parameters into the scene, with their source ``calibrated`` and their posterior.

:func:`write_back` adds to the scene's buildings layer, for every calibrated building and
parameter ``p`` (:data:`twin.energy.calibrated.PARAMETERS`):

============================  ===============================================================
column                        meaning
============================  ===============================================================
``calib_<p>``                 posterior median (physical units: a factor, or degC)
``calib_<p>_source``          ``calibrated``
``calib_<p>_p5``, ``_p95``    the 90 % posterior interval
``calib_<p>_low``, ``_high``  the prior's support (the posterior never leaves it)
``calib_<p>_z_mean``, ``_z_sd``  Gaussian approximation of the posterior in the unconstrained
                              coordinate ``z = logit((t - low_t) / (high_t - low_t))``, ``t`` the
                              log of a factor or the setpoint itself
``calib_corr_<p>__<q>``       correlation of ``z_p`` and ``z_q`` (the parameters of one building
                              are correlated: a leaky house and a cold one use the same gas)
``calib_kind``                ``building`` (own meter) or ``group`` (an aggregate: a shift of
                              the group's envelope on top of the stock priors)
``calib_group``               the group (``""`` for a building)
``calib_method``              how it was fitted, e.g. ``laplace-is (monthly gas, 2023)``
``calib_ess``                 effective sample size of the posterior
============================  ===============================================================

Monte Carlo samples of a calibrated scene (:mod:`twin.energy.stock_samples`) draw
``z = z_mean + z_sd * (L e)`` with ``L`` the Cholesky factor of the correlations, ``e``
standard normal per building (``building``) or per group and sample (``group``: one draw moves
the whole group), and map ``z`` back into the support. Scenes saved as GeoParquet or GeoPackage
keep these columns (plain numbers and text).

:func:`calibration_table` returns the same columns as a table keyed by ``building_id`` and
:func:`apply_calibration` puts such a table onto another scene (a scenario's baseline).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from twin.energy.calibrated import (
    GROUP_COLUMN,
    KIND_COLUMN,
    METHOD_COLUMN,
    PARAMETERS,
    SOURCE,
    corr_column,
    source_column,
    value_column,
    z_columns,
)
from twin.errors import InputError, SchemaError

ESS_COLUMN = "calib_ess"

#: A group calibrated to class shares: what a later run needs to draw the group's shift given
#: its own stock samples (:func:`twin.calibration.group.conditional_model`): the fitted targets
#: (JSON text: classes, share, sd, relation), the prior of ``log s`` and the range of ``log s``
#: the run simulates.
GROUP_CONDITIONAL_COLUMNS = ("calib_group_targets", "calib_group_prior_mu", "calib_group_prior_sd", "calib_group_node_low", "calib_group_node_high")
#: The text columns among them.
GROUP_TEXT_COLUMNS = ("calib_group_targets",)


def bound_columns(p: str) -> tuple[str, str]:
    return f"calib_{p}_low", f"calib_{p}_high"


def quantile_columns(p: str) -> tuple[str, str]:
    return f"calib_{p}_p5", f"calib_{p}_p95"


def calibration_columns() -> list[str]:
    """Every column :func:`write_back` may write, in order."""
    cols = [KIND_COLUMN, GROUP_COLUMN, METHOD_COLUMN, ESS_COLUMN, *GROUP_CONDITIONAL_COLUMNS]
    for p in PARAMETERS:
        cols += [value_column(p), source_column(p), *quantile_columns(p), *bound_columns(p), *z_columns(p)]
    for i, p in enumerate(PARAMETERS):
        for q in PARAMETERS[i + 1:]:
            cols.append(corr_column(p, q))
    return cols


def strip_calibration(scene):
    """A copy of ``scene`` without calibration columns (calibration starts from the uncalibrated stock)."""
    out = scene.copy()
    b = out.buildings
    drop = [c for c in calibration_columns() if c in b.columns]
    if drop:
        out.set_layer("buildings", b.drop(columns=drop))
    return out


def _rows_from_posterior(bids, post, priors, kind: str, group: str, method: str) -> pd.DataFrame:
    k = len(PARAMETERS)
    zd = post.draws_z[:, :, :k]
    z_mean = zd.mean(axis=1)
    z_sd = zd.std(axis=1, ddof=1)
    z_sd = np.maximum(z_sd, 1e-6)
    cen = (zd - z_mean[:, None, :]) / z_sd[:, None, :]
    corr = np.einsum("nmi,nmj->nij", cen, cen) / max(zd.shape[1] - 1, 1)
    out = {"building_id": list(bids), KIND_COLUMN: kind, GROUP_COLUMN: group, METHOD_COLUMN: method, ESS_COLUMN: post.ess}
    for i, p in enumerate(PARAMETERS):
        pr = priors.priors[priors.index(p)]
        lo, hi = pr.value_bounds
        out[value_column(p)] = post.param_q[1][:, i]
        out[source_column(p)] = SOURCE
        out[quantile_columns(p)[0]], out[quantile_columns(p)[1]] = post.param_q[0][:, i], post.param_q[2][:, i]
        out[bound_columns(p)[0]], out[bound_columns(p)[1]] = lo, hi
        out[z_columns(p)[0]], out[z_columns(p)[1]] = z_mean[:, i], z_sd[:, i]
    for i, p in enumerate(PARAMETERS):
        for j in range(i + 1, k):
            out[corr_column(p, PARAMETERS[j])] = np.clip(corr[:, i, j], -0.999, 0.999)
    return pd.DataFrame(out)


def building_table(calibration, method: str = "laplace-is") -> pd.DataFrame:
    """Calibration columns of every building of a :class:`~twin.calibration.calibrate.BuildingCalibration`."""
    parts = [_rows_from_posterior(bids, post, calibration.priors, "building", "", method) for bids, post in calibration.posteriors]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["building_id", *calibration_columns()])


def group_table(building_ids, group: str, shift, method: str, conditional: dict | None = None) -> pd.DataFrame:
    """Calibration columns of the buildings of a group calibrated to an aggregate: only
    ``h_tr_factor`` (the group's shift of the envelope, a :class:`~twin.calibration.group.GroupPosterior`),
    and, for a class-share fit, what a later run needs to draw the shift given its own Monte Carlo
    samples (``conditional``, :func:`twin.calibration.group.conditional_model`; the samples use it
    instead of the marginal posterior)."""
    ids = list(map(str, building_ids))
    p = "h_tr_factor"
    lo, hi = shift.bounds
    out = {"building_id": ids, KIND_COLUMN: "group", GROUP_COLUMN: group, METHOD_COLUMN: method, ESS_COLUMN: shift.ess,
           value_column(p): shift.median, source_column(p): SOURCE, quantile_columns(p)[0]: shift.p5, quantile_columns(p)[1]: shift.p95,
           bound_columns(p)[0]: lo, bound_columns(p)[1]: hi, z_columns(p)[0]: shift.z_mean, z_columns(p)[1]: shift.z_sd}
    if conditional:
        import json

        out.update({"calib_group_targets": json.dumps(conditional["targets"]), "calib_group_prior_mu": conditional["prior_mu"],
                    "calib_group_prior_sd": conditional["prior_sd"], "calib_group_node_low": conditional["node_low"],
                    "calib_group_node_high": conditional["node_high"]})
    return pd.DataFrame(out)


def apply_calibration(scene, table: pd.DataFrame | str | os.PathLike[str], *, replace: bool = True):
    """A copy of ``scene`` with the calibration columns of ``table`` (keyed by ``building_id``).

    Buildings of the table missing from the scene are an error (a calibration of another
    scene); scene buildings missing from the table keep what they had (``replace=True``: their
    calibration columns are cleared when the table holds them).

    Raises
    ------
    SchemaError
        The table lacks ``building_id`` or holds an unknown ``calib_`` column or kind.
    InputError
        A building of the table is not in the scene.
    """
    if not isinstance(table, pd.DataFrame):
        from twin.io.paths import check_input_file

        path = Path(table)
        check_input_file(path, suffixes=(".parquet", ".csv"), what="calibration table", field="calibration")
        table = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    if "building_id" not in table:
        raise SchemaError("a calibration table needs building_id", field="building_id")
    known = set(calibration_columns())
    extra = [c for c in table.columns if c.startswith("calib_") and c not in known]
    if extra:
        raise SchemaError(f"unknown calibration column {extra[0]!r}", field=extra[0])
    kinds = set(table[KIND_COLUMN].astype(str)) - {"building", "group"} if KIND_COLUMN in table else set()
    if kinds:
        raise SchemaError(f"calib_kind must be building or group, not {sorted(kinds)[0]!r}", field=KIND_COLUMN)
    b = scene.buildings
    ids = b["building_id"].astype(str)
    missing = ~table["building_id"].astype(str).isin(set(ids))
    if missing.any():
        raise InputError(f"{int(missing.sum())} buildings of the calibration are not in the scene (first: "
                         f"{table['building_id'].astype(str)[missing].iloc[0]!r}): a calibration of another scene?", field="building_id")
    t = table.drop_duplicates("building_id", keep="last").set_index(table["building_id"].astype(str).drop_duplicates(keep="last").to_numpy())
    new = b.copy()
    pos = ids.isin(t.index).to_numpy()
    for c in calibration_columns():
        if c not in t.columns:
            continue
        text = c in (KIND_COLUMN, GROUP_COLUMN, METHOD_COLUMN, *GROUP_TEXT_COLUMNS) or c.endswith("_source")
        cur = new[c].to_numpy(dtype=object if text else float, copy=True) if c in new else np.full(len(new), "" if text else np.nan,
                                                                                                    dtype=object if text else float)
        vals = t[c].reindex(ids[pos].to_numpy()).to_numpy()
        cur[pos] = vals if text else np.asarray(vals, dtype=float)
        new[c] = pd.Series(cur, index=new.index).astype(object).fillna("").astype(str) if text else cur
    out = scene.copy()
    out.set_layer("buildings", new)
    return out


def write_back(scene, tables) -> object:
    """A copy of ``scene`` with the calibration tables applied in order (a building's last table wins)."""
    for t in [tables] if isinstance(tables, pd.DataFrame) else list(tables):
        scene = apply_calibration(scene, t)
    return scene


def calibration_table(scene) -> pd.DataFrame:
    """The calibration columns of the calibrated buildings of ``scene`` (empty when none)."""
    b = scene.buildings
    cols = [c for c in calibration_columns() if c in b.columns]
    if KIND_COLUMN not in b:
        return pd.DataFrame(columns=["building_id", *calibration_columns()])
    m = b[KIND_COLUMN].astype(str).isin(("building", "group")).to_numpy()
    return pd.DataFrame(b.loc[m, ["building_id", *cols]]).reset_index(drop=True)


__all__ = ["ESS_COLUMN", "GROUP_CONDITIONAL_COLUMNS", "GROUP_TEXT_COLUMNS", "apply_calibration", "bound_columns", "building_table", "calibration_columns", "calibration_table",
           "group_table", "quantile_columns", "strip_calibration", "write_back"]
