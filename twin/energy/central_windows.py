"""The central run's windows: the expected glazing over the window prior.

The Monte Carlo samples draw, for every building whose window U and g come from the TABULA
typology (``<parameter>_source``, :func:`twin.energy.sampled.is_prior`), a glazing state of the
``window`` entry of the stock priors (``twin/data/stock_priors.yaml``): in Saint-Gilles' group of
single-glazed types, "tabula" (keep U 5.0) 25 %, "double" (U 2.9) 45 %, "double_low_e" (U 1.8)
30 %. A central run that kept the typology's single glazing for all of them would sit at the
worst end of every sample: its heat loss through the windows is that of the 25 % state, and its
share of floor area in class D or worse lay above the band of the samples (93.4 % against
83.3-89.9 % in the calibrated default scenario).

The central run therefore gives those buildings the expected U and g of their group,
``E[U] = sum_s p_s U_s`` (``U_s`` the typology's U for a state that keeps it), and likewise g.
The transmission heat loss and the solar gains are linear in U and g, so the central heat need
is the one of the expected window; the class share, a threshold of it, is not exactly the
samples' mean (it is nearer to it than the worst state). The expectation is over the prior's
``shares``: the samples' district mix is Dirichlet around them, so they are its expected mix.

Buildings calibrated to their own meter (``calib_kind == "building"``) keep their windows, as in
the samples; a building of a calibrated group keeps its group's factor on the U-values (the
calibration multiplies every U, :func:`twin.energy.calibrated.apply_parameters`), applied to the
expected U.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.energy.sampled import is_prior


def expected_window_values(windows, typology_u: np.ndarray, typology_g: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected window U (W/m2K) and g over the prior's glazing states, per building.

    Parameters
    ----------
    windows
        :class:`twin.energy.priors.Windows`: groups sorted from the highest ``min_typology_u``; a
        building belongs to the first group whose ``min_typology_u`` its typology U reaches.
    typology_u, typology_g
        (n,) the typology's window U (W/m2K) and g of each building.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Expected U (n,), expected g (n,), and (n,) bool: the building is in a group (elsewhere U
        and g are the typology's).
    """
    typ_u = np.asarray(typology_u, dtype=float)
    typ_g = np.asarray(typology_g, dtype=float)
    exp_u, exp_g = typ_u.copy(), typ_g.copy()
    group_of = windows.group_index(typ_u)
    for gi, group in enumerate(windows.groups):
        in_group = group_of == gi
        if not in_group.any():
            continue
        shares = np.asarray(group.shares, dtype=float)
        u = np.zeros(int(in_group.sum()))
        g = np.zeros(int(in_group.sum()))
        for share, state in zip(shares, group.states):
            u += share * (typ_u[in_group] if state.u is None else state.u)
            g += share * (typ_g[in_group] if state.g is None else state.g)
        exp_u[in_group] = u
        exp_g[in_group] = g
    return exp_u, exp_g, group_of >= 0


def with_expected_windows(env: pd.DataFrame, windows, *, base: pd.DataFrame | None = None,
                          keep: np.ndarray | None = None) -> tuple[pd.DataFrame, int]:
    """``env`` with the expected glazing of the window prior on its buildings whose window comes
    from the typology (module docstring).

    Parameters
    ----------
    env
        Envelope rows of the central run (``u_window_w_m2k``, ``g_window`` and their ``_source``
        columns), possibly calibrated.
    windows
        :class:`twin.energy.priors.Windows` (the ``window`` entry of the stock priors).
    base
        The same buildings' envelope without calibration (:attr:`PreparedStock.base_envelope`),
        matched by ``building_id``; None: ``env`` itself is uncalibrated.
    keep
        (len(env),) bool: rows that keep their windows (buildings calibrated to their own meter).

    Returns
    -------
    (pandas.DataFrame, int)
        A copy of ``env`` with the expected U and g, and the number of buildings changed.
    """
    ref = env if base is None else base.set_index(base["building_id"].astype(str)).reindex(env["building_id"].astype(str))
    prior_u = is_prior(ref.reset_index(drop=True), "u_window_w_m2k")
    prior_g = is_prior(ref.reset_index(drop=True), "g_window")
    if keep is not None:
        prior_u = prior_u & ~np.asarray(keep, dtype=bool)
    typ_u = ref["u_window_w_m2k"].to_numpy(dtype=float)
    typ_g = ref["g_window"].to_numpy(dtype=float)
    exp_u, exp_g, grouped = expected_window_values(windows, typ_u, typ_g)
    change = prior_u & grouped & np.isfinite(typ_u) & (typ_u > 0)
    out = env.copy()
    if not change.any():
        return out, 0
    u = out["u_window_w_m2k"].to_numpy(dtype=float)
    # a calibrated group's factor on every U-value (u / typ_u) carries over to the expected U
    scaled = np.where(u == typ_u, exp_u, u * np.divide(exp_u, typ_u, out=np.ones_like(exp_u), where=typ_u > 0))
    out["u_window_w_m2k"] = np.where(change, scaled, u)
    g = out["g_window"].to_numpy(dtype=float)
    out["g_window"] = np.where(change & prior_g, exp_g, g)
    return out, int(change.sum())


__all__ = ["expected_window_values", "with_expected_windows"]
