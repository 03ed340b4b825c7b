"""The building stock on Monte Carlo samples of its unknowns: every sample's buildings as extra
rows of one kernel call.

:func:`simulate_samples` takes a prepared stock (:func:`twin.energy.stock.prepare_stock`: the
central envelope, urban shading, drivers) and the samples of the stock's unknowns
(:mod:`twin.energy.stock_samples`) and returns the stock totals of every sample. Per sample and
building, the envelope row is rebuilt from the sampled attributes:

* the TABULA type from the sampled storeys, gross floor area and period
  (:func:`twin.energy.typology.classify`, same fallbacks as the central run); every typology
  parameter whose ``_source`` is the typology takes the sampled type's value, so one period
  draw moves all U-values of the building together;
* geometry from the sampled heights: the exterior wall area per orientation is the facade
  length not shared with a neighbour times the height, plus the party wall above a lower
  neighbour (``sum over neighbours of shared length x max(0, h - h_neighbour)``, with the
  neighbour's height *of the same sample*), spread over orientations like the shared edges
  (:func:`exterior_areas`, which reproduces :func:`twin.energy.model._edge_exterior_areas`
  exactly at the central heights); windows and doors as their share of it; heated floor area
  from the sampled gross floor area; volume from it;
* window U and g from the glazing state, the heating system, the setpoint offset and the
  air-change factor where the parameter comes from the typology or a default;
* the heat pumps' COP factor of the sample (prior ``heat_pump_cop``, one per sample) in the
  column :data:`HP_COP_FACTOR_COLUMN` of every row: the accounts of a row
  (:func:`account_arrays_sampled`) scale the real-operation correction of every heat pump's COP
  by it (``field_factor`` of the hourly-COP systems, ``hp_cop_correction`` of the plain
  ``heat_pump`` and of the heat pumps' hot water), so the COP model's uncertainty reaches the
  bands of a what-if that installs heat pumps;
* the PV yield factor of the sample (prior ``pv_yield``, one per sample) in the column
  :data:`PV_FACTOR_COLUMN` of every row: the accounts of a row scale its rooftop PV yield by it
  (the solar model's AC yield, or the flat yield where a building has none), so the solar
  model's uncertainty reaches the bands of a what-if that installs PV.

Part-load boilers (:mod:`twin.energy.systems`) get each row's simulated peak heating power, as
in the central run.

Parameters from IFC elements, user overrides or measures keep their central values; IFC
buildings keep their geometry. Renovation measures of a what-if are applied to the sampled
rows after sampling (a measure's result is known).

Approximation: urban shading (horizon profiles) is computed once from the central heights and
reused by every sample; a sampled height changes the facade areas and volumes, not the
obstruction angles. Computing the horizons per sample would cost about 5 s per sample on the
Saint-Gilles district.

Setpoints are rounded to 0.1 K so that the samples share a few hundred setpoint profiles.
Samples are simulated :data:`DEFAULT_CHUNK_ROWS` building rows at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from twin.caching import BoundedCache, content_digest
from twin.energy.model import ORIENTATIONS

#: Building rows simulated per kernel call (memory about 2 kB per row).
DEFAULT_CHUNK_ROWS = 48_000

#: Brussels EPB classes counted as "D or worse".
POOR_CLASSES = ("D", "E", "F", "G")

#: Starts of a ``_source`` that mark a typology or default value (sampled); anything else (IFC
#: elements, user overrides, measures) is data and stays.
PRIOR_SOURCE_PREFIXES = ("TABULA", "typology", "default")

#: Setpoint resolution of the samples, K.
SETPOINT_STEP_K = 0.1

#: Per-sample totals returned by :func:`simulate_samples`.
TOTALS = ("buildings", "a_f_m2", "q_heat_kwh", "final_energy_kwh", "primary_energy_kwh", "co2_kg", "energy_cost_eur",
          "investment_eur", "a_f_d_or_worse_m2", "substituted", "gas_kwh", "oil_kwh", "electricity_kwh", "district_heat_kwh",
          "pv_kwh")

#: Envelope column of a sample row holding the sample's heat-pump COP factor (prior ``heat_pump_cop``).
HP_COP_FACTOR_COLUMN = "hp_cop_factor"
#: Envelope column of a sample row holding the sample's PV yield factor (prior ``pv_yield``).
PV_FACTOR_COLUMN = "pv_yield_factor"


def account_arrays_sampled(cop_factor: np.ndarray | None, *, factors: dict[str, float], **kwargs) -> dict[str, np.ndarray]:
    """:func:`twin.energy.results.account_arrays` with a heat-pump COP factor per row.

    Rows are grouped by their factor (one per Monte Carlo sample); each group is accounted with
    the heat-pump table's ``field_factor`` and the factor ``hp_cop_correction`` times its
    factor (:func:`twin.energy.heat_pump.scaled_table`). ``cop_factor`` None (or all 1): one
    plain call. Per-row keyword arrays (n,) are split; ``monthly_heat_kwh`` (n, 12) too.
    """
    from twin.energy.heat_pump import scaled_table
    from twin.energy.results import account_arrays

    if cop_factor is None:
        return account_arrays(factors=factors, **kwargs)
    cf = np.asarray(cop_factor, dtype=float)
    n = len(cf)
    uniq, inv = np.unique(cf, return_inverse=True)
    if len(uniq) == 0 or (len(uniq) == 1 and uniq[0] == 1.0):  # no row (every row rejected) or no factor: one plain call
        return account_arrays(factors=factors, **kwargs)
    table = kwargs.pop("heat_pump_table", None)
    out: dict[str, np.ndarray] = {}
    for j, f in enumerate(uniq):
        rows = np.flatnonzero(inv == j)
        part = {k: (v[rows] if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == n else v) for k, v in kwargs.items()}
        fac = {**factors, "hp_cop_correction": float(factors["hp_cop_correction"]) * float(f)}
        acc = account_arrays(factors=fac, heat_pump_table=scaled_table(table, float(f)), **part)
        for k, v in acc.items():
            if k not in out:
                out[k] = np.full(n, np.nan)
            out[k][rows] = v
    return out


def central_system_mix(priors) -> list[tuple[str, float]]:
    """The heating-system mix of the central run: the prior's expected mix, ``[(system, share), ...]``
    with the most probable system first (empty without a heating-system prior).

    The Monte Carlo samples draw each building's system from a district mix that is Dirichlet
    around ``priors.heating_system.shares`` (:func:`twin.energy.stock_samples.district_mix`), so
    the expected share of each system is its prior share. The central run gives the buildings whose
    system the data does not say (:func:`is_prior`) that expected mix: one run per system, the
    KPIs and per-building numbers the share-weighted mean (:func:`mix_central`). Putting every such
    building on the most probable system (a gas boiler) would leave the central oil, electricity
    and gas figures outside their bands (no oil at all where the samples put a fifth of the stock).
    """
    hs = getattr(priors, "heating_system", None)
    if hs is None:
        return []
    shares = np.asarray(hs.shares, dtype=float)
    order = np.argsort(-shares, kind="stable")
    return [(str(hs.categories[i]), float(shares[i] / shares.sum())) for i in order if shares[i] > 0]


def mix_central(runs: list[tuple[float, dict[str, float], pd.DataFrame | None]]) -> tuple[dict[str, float], pd.DataFrame | None]:
    """Share-weighted mean of central runs (one per system of :func:`central_system_mix`).

    ``runs``: ``(share, kpis, objects)`` with the most probable system first. KPIs: the weighted
    sums (every KPI is linear in the per-building results, the class share in the per-building
    class indicator). ``objects``: the first run's table with its numeric columns replaced by the
    weighted means (rows matched by position: the runs simulate the same buildings); text columns
    (system, class letter) stay those of the most probable system.
    """
    w = np.array([r[0] for r in runs], dtype=float)
    w = w / w.sum()
    kpis = {k: float(sum(wi * r[1][k] for wi, r in zip(w, runs))) for k in runs[0][1]}
    first = runs[0][2]
    if first is None:
        return kpis, None
    out = first.copy()
    num = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])]
    for c in num:
        if all(r[2] is not None and c in r[2] and len(r[2]) == len(out) for r in runs):
            out[c] = sum(wi * r[2][c].to_numpy(dtype=float) for wi, r in zip(w, runs))
    return kpis, out


#: ``system`` of a building whose central figures are the expected value over the prior's heating-system
#: mix (:func:`mix_accounts`).
MIXED_SYSTEM = "prior mix"

#: Column of :func:`mix_accounts`: the probability that the building rates D or worse, the share-weighted
#: indicator of its systems' classes (the class-share KPI of a mixed central run is its expected value).
POOR_PROBABILITY = "class_d_or_worse_probability"

#: Envelope columns a heating-system variant of the central run changes (the kernel reads none of them).
SYSTEM_COLUMNS = ("system", "system_source")


def system_variants(env: pd.DataFrame, mix: list[tuple[str, float]], renovate) -> list[tuple[float, pd.DataFrame, pd.DataFrame | None]]:
    """The central run's envelope once per system of ``mix`` (:func:`central_system_mix`).

    In variant ``i`` every building whose system the data does not give (:func:`is_prior`) has
    system ``mix[i][0]``; then ``renovate(env) -> (env, costs)`` applies the scene's measures
    (a system measure with ``replaces`` acts on the variant's system). Returns
    ``[(share, env, costs), ...]`` in the order of ``mix``.
    """
    prior = is_prior(env, "system")
    out = []
    for system, share in mix:
        e = env.copy()
        e.loc[prior, "system"] = system
        e, costs = renovate(e)
        out.append((float(share), e, costs))
    return out


def simulate_central_mix(prep, variants: list[tuple[float, pd.DataFrame, pd.DataFrame | None]]):
    """The central run as the expected value over the heating systems of ``variants``.

    The first variant goes through :func:`twin.energy.stock.simulate_prepared`. The heating system
    is not a kernel input: a variant whose envelope differs from the first only in
    :data:`SYSTEM_COLUMNS` reuses the first one's kernel results (heat need, monthly heat, peak
    power) and is only accounted again (:func:`twin.energy.results.energy_accounts`, its measures
    priced at the same peak); any other variant is simulated on its own. The accounts are mixed
    by :func:`mix_accounts`.

    Parameters
    ----------
    prep
        :class:`~twin.energy.stock.PreparedStock` of the scene.
    variants
        ``[(share, envelope after measures, measure costs or None), ...]`` (:func:`system_variants`).

    Returns
    -------
    (StockRun, pandas.DataFrame)
        The first variant's run (envelope, exclusions, kernel results) and the mixed accounts.
    """
    from twin.energy.measures import price_peak_measures
    from twin.energy.results import energy_accounts
    from twin.energy.stock import simulate_prepared

    share0, env0, cost0 = variants[0]
    first = simulate_prepared(prep, env0, cost0)
    ids = first.accounts["building_id"].astype(str)
    base = env0.drop(columns=[c for c in SYSTEM_COLUMNS if c in env0])
    accounts = [first.accounts]
    for _, env, cost in variants[1:]:
        same = env.drop(columns=[c for c in SYSTEM_COLUMNS if c in env]).equals(base)
        if not same:
            accounts.append(simulate_prepared(prep, env, cost).accounts)
            continue
        e = env.set_index(env["building_id"].astype(str), drop=False).loc[ids.to_numpy()].reset_index(drop=True)
        c = None
        if cost is not None and len(cost):
            c = price_peak_measures(cost, first.results.per_building["peak_heat_w"])
            c = c[c["building_id"].astype(str).isin(set(ids))].reset_index(drop=True)
        accounts.append(energy_accounts(e, first.results.per_building, first.results.monthly, prep.drivers, costs=c, factors=prep.factors))
    return first, mix_accounts(accounts, [v[0] for v in variants])


def mix_accounts(accounts: list[pd.DataFrame], shares) -> pd.DataFrame:
    """Per-building accounts mixed over heating-system variants: the expected value over the mix.

    ``accounts``: :func:`twin.energy.results.energy_accounts` tables of the same buildings, one
    per system variant; ``shares``: the variants' probabilities (normalised here). Every numeric
    column is the share-weighted mean (the carriers, primary energy, CO2, cost and investment are
    expected values; the heat need, identical in every variant, is unchanged). The EPB class is
    that of the mixed ``primary_energy_kwh_m2`` (:func:`twin.energy.classes.energy_class`), so the
    class and the primary energy of a building are one figure. :data:`POOR_PROBABILITY`: the
    share-weighted indicator of the variants' classes D to G (the expected value of the building's
    part in the class-share KPI, which is not linear in the primary energy). ``system`` is kept where every
    variant has the same system (data, or a measure that replaced them all) and is
    :data:`MIXED_SYSTEM` elsewhere.

    Raises
    ------
    ValueError
        The tables do not hold the same buildings.
    """
    from twin.energy.classes import energy_class

    w = np.asarray(shares, dtype=float)
    w = w / w.sum()
    first = accounts[0].reset_index(drop=True)
    ids = first["building_id"].astype(str).to_numpy()
    aligned = []
    for a in accounts:
        a = a.set_index(a["building_id"].astype(str), drop=False)
        if len(a) != len(ids) or not a.index.isin(ids).all() or a.index.has_duplicates:
            raise ValueError("the system variants' accounts do not hold the same buildings")
        aligned.append(a.loc[ids].reset_index(drop=True))
    out = first.copy()
    num = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])]
    for c in num:
        out[c] = sum(wi * a[c].to_numpy(dtype=float) for wi, a in zip(w, aligned))
    if "energy_class" in out:
        out[POOR_PROBABILITY] = sum(wi * a["energy_class"].isin(POOR_CLASSES).to_numpy(dtype=float) for wi, a in zip(w, aligned))
    systems = np.column_stack([a["system"].astype(str).to_numpy() for a in aligned])
    varies = (systems != systems[:, :1]).any(axis=1)
    out["system"] = np.where(varies, MIXED_SYSTEM, systems[:, 0]).astype(object)
    if "primary_energy_kwh_m2" in out and "energy_class" in out:
        out["energy_class"] = energy_class(out["primary_energy_kwh_m2"].to_numpy(dtype=float))
    return out


def is_prior(env: pd.DataFrame, parameter: str) -> np.ndarray:
    """Rows whose ``parameter`` comes from the typology or a default (``<parameter>_source``)."""
    col = f"{parameter}_source"
    if col not in env:
        return np.zeros(len(env), dtype=bool)
    src = env[col].astype(str)
    return src.str.startswith(PRIOR_SOURCE_PREFIXES).to_numpy()


@dataclass(frozen=True)
class FacadeGeometry:
    """Height-independent facade geometry of every scene building (scene order).

    ``ext_len_m`` (n, 4): footprint edge length not shared with a neighbour per orientation
    (n, e, s, w); ``shared_m`` (n,): shared edge length; ``shared_share`` (n, 4): its split over
    orientations; ``pair_a``, ``pair_b``, ``pair_len_m``: party walls (scene indices, length).
    """

    ext_len_m: np.ndarray
    shared_m: np.ndarray
    shared_share: np.ndarray
    pair_a: np.ndarray
    pair_b: np.ndarray
    pair_len_m: np.ndarray


def facade_geometry(scene) -> FacadeGeometry:
    """The scene's :class:`FacadeGeometry` (from :meth:`Scene.facades` and :meth:`Scene.party_walls`)."""
    from twin.energy.model import orientation_of

    b = scene.buildings
    n = len(b)
    fac = scene.facades()
    bi = fac["building_index"].to_numpy()
    o = pd.Index(ORIENTATIONS).get_indexer(orientation_of(fac["azimuth_deg"].to_numpy()))
    length = fac["length_m"].to_numpy(dtype=float)
    shared = fac["shared_length_m"].to_numpy(dtype=float)
    ext = np.zeros((n, 4))
    sh = np.zeros((n, 4))
    np.add.at(ext, (bi, o), length - shared)
    np.add.at(sh, (bi, o), shared)
    total = sh.sum(axis=1)
    share = np.divide(sh, total[:, None], out=np.zeros_like(sh), where=total[:, None] > 0)
    pw = scene.party_walls()
    pos = pd.Index(b["building_id"].astype(str))
    return FacadeGeometry(ext, total, share, pos.get_indexer(pw["building_id"].astype(str)), pos.get_indexer(pw["neighbour_id"].astype(str)),
                          pw["shared_length_m"].to_numpy(dtype=float))


def exterior_areas(geo: FacadeGeometry, height_m: np.ndarray) -> np.ndarray:
    """Exterior wall area per orientation (..., n, 4), m2, for heights (..., n) (module docstring)."""
    h = np.asarray(height_m, dtype=float)
    lead = h.shape[:-1]
    h2 = h.reshape(-1, h.shape[-1])
    out = np.empty((h2.shape[0], h2.shape[1], 4))
    n = h2.shape[1]
    for k in range(h2.shape[0]):
        hk = h2[k]
        lower = np.minimum(hk[geo.pair_a], hk[geo.pair_b]) * geo.pair_len_m
        true_party = np.bincount(geo.pair_a, lower, minlength=n) + np.bincount(geo.pair_b, lower, minlength=n)
        excess = np.maximum(hk * geo.shared_m - true_party, 0.0)
        out[k] = geo.ext_len_m * hk[:, None] + geo.shared_share * excess[:, None]
    return out.reshape(*lead, n, 4)


class SampledEnvelopes:
    """Builds the envelope rows of samples of one scene (see the module docstring)."""

    def __init__(self, scene, prep, samples) -> None:
        from twin.energy.typology import PARAMETERS, load_typology, neighbour_counts

        self.prep = prep
        self.samples = samples.for_scene(scene)
        env = _base_envelope(scene, prep).reset_index(drop=True)
        self.env = env
        # the columns a sampled row carries: numbers, id, system (sources are read here once)
        self.columns = [c for c in env.columns if not c.endswith("_source") and c not in ("typology_source", "source_format", HP_COP_FACTOR_COLUMN)]
        self.n_env = len(env)
        ids = scene.buildings["building_id"].astype(str)
        self.bidx = pd.Index(ids).get_indexer(env["building_id"].astype(str))
        self.geo = facade_geometry(scene)
        self.nb = neighbour_counts(scene).reindex(env["building_id"].astype(str).to_numpy()).fillna(0).to_numpy(dtype=float)
        self.table = load_typology().reset_index(drop=True)
        self.parameters = PARAMETERS
        self.footprint = (env["source_format"].astype(str).to_numpy() != "ifc") & (self.bidx >= 0)
        self.prior = {p: is_prior(env, p) for p in (*PARAMETERS, "system")}
        self.area_prior = env["a_f_m2_source"].astype(str).str.startswith("scene floor_area_m2").to_numpy() & self.footprint
        # buildings calibrated to their own meter: no prior draw, their posterior instead
        kind = self.samples.calib_kind
        self.fixed = np.zeros(self.n_env, dtype=bool) if kind is None else np.where(self.bidx >= 0, kind[np.maximum(self.bidx, 0)] == "building", False)
        for p in self.prior:
            self.prior[p] = self.prior[p] & ~self.fixed
        self._lookup_cache: dict[tuple[str, str, int], int] = {}
        self._table_arrays: dict[str, np.ndarray] | None = None
        # read once: every build tiles these (the envelope is fixed for the builder's life)
        self._base_columns = {c: env[c].to_numpy() for c in self.columns}
        self._bar_ids = ["|" + i for i in env["building_id"].astype(str).to_numpy()]
        self._id_digest: np.ndarray | None = None

    def id_digest(self) -> np.ndarray:
        """A 64-bit digest of every envelope row's building id (n_env,), made once: in a chunk, row
        ``r`` is building ``r % n_env`` of the chunk's sample (:func:`_row_hashes`)."""
        if self._id_digest is None:
            ids = pd.Series(self.env["building_id"].astype(str).to_numpy(), dtype=object)
            self._id_digest = pd.util.hash_pandas_object(ids, index=False).to_numpy()
        return self._id_digest

    def _rows(self, cls: np.ndarray, sub: np.ndarray, period: np.ndarray) -> np.ndarray:
        from twin.energy.typology import _lookup

        c_code, c_uniq = pd.factorize(cls)
        s_code, s_uniq = pd.factorize(sub)
        period = period.astype(np.int64)
        key = (c_code.astype(np.int64) * len(s_uniq) + s_code) * 100 + period
        uniq, first, codes = np.unique(key, return_index=True, return_inverse=True)
        rows = np.empty(len(uniq), dtype=np.int64)
        for j, i in enumerate(first):
            t = (str(cls[i]), str(sub[i]), int(period[i]))
            if t not in self._lookup_cache:
                self._lookup_cache[t] = _lookup(self.table, *t)[0]
            rows[j] = self._lookup_cache[t]
        return rows[codes]

    def _table_columns(self) -> dict[str, np.ndarray]:
        """The typology table's sampled parameters (float) and ``tabula_code`` as arrays, read once."""
        if self._table_arrays is None:
            cols = {p: self.table[p].to_numpy(dtype=float) for p in self.parameters}
            cols["tabula_code"] = self.table["tabula_code"].to_numpy()
            self._table_arrays = cols
        return self._table_arrays

    def build(self, sample_index: np.ndarray, setpoint_c: np.ndarray | None, *, group_factor: float | None = None,
              standard_setpoint: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
        """Envelope rows of the samples ``sample_index`` (k,) with run setpoints ``setpoint_c`` (k,)
        (None: each building's own ``theta_i_c``).

        ``group_factor``: this factor on the U-values of every building of a group calibrated to
        class shares, instead of its per-sample shift (the pass of :func:`condition_groups` that
        finds each sample's share at the reference shift); ``standard_setpoint`` leaves out the
        sampled setpoint offsets (the certificate's standard conditions).

        Returns the envelope table (``building_id`` = ``"<sample>|<building id>"``) and the
        sample of each row.
        """
        from twin.energy.typology import classify

        ss = self.samples
        k = len(sample_index)
        n = self.n_env
        env = self.env
        b = self.bidx
        fp = np.tile(self.footprint, k)
        out = {c: np.tile(v, k) for c, v in self._base_columns.items()}
        s_of_row = np.repeat(np.asarray(sample_index, dtype=np.int64), n)
        storeys = ss.n_storeys[sample_index][:, b].ravel()
        floor = ss.floor_area_m2[sample_index][:, b].ravel()
        period = ss.period[sample_index][:, b].ravel()
        cls, sub = classify(storeys, floor, np.tile(self.nb, k))
        rows = self._rows(cls, sub, period)
        picked = self._table_columns()
        for p in self.parameters:
            m = np.tile(self.prior[p], k) & fp
            if m.any():
                v = out[p].astype(float)
                v[m] = picked[p][rows[m]]
                out[p] = v
        code = out["tabula_code"].astype(object)
        code[fp] = picked["tabula_code"][rows[fp]]
        out["tabula_code"] = code
        # geometry of footprint buildings from the sampled heights and floor areas
        area_m = np.tile(self.area_prior, k)
        a_f = out["a_f_m2"].astype(float)
        a_f[area_m] = floor[area_m] * self.prep.factors["floor_area_net_to_gross"]
        out["a_f_m2"] = a_f
        gross = exterior_areas(self.geo, ss.height_m[sample_index])[:, b, :].reshape(k * n, 4)
        wr = out["window_ratio"].astype(float)
        dr = out["door_ratio"].astype(float)
        for j, o in enumerate(ORIENTATIONS):
            out[f"a_win_{o}_m2"] = np.where(fp, gross[:, j] * wr, out[f"a_win_{o}_m2"])
            out[f"a_wall_{o}_m2"] = np.where(fp, gross[:, j] * (1.0 - wr - dr), out[f"a_wall_{o}_m2"])
        out["a_door_m2"] = np.where(fp, gross.sum(axis=1) * dr, out["a_door_m2"])
        out["volume_m3"] = out["a_f_m2"] * out["h_room_m"].astype(float)
        # windows replaced since construction
        priors = ss.priors
        if priors.window is not None and ss.window_state:
            m_u = np.tile(self.prior["u_window_w_m2k"], k)
            m_g = np.tile(self.prior["g_window"], k)
            typ_u = out["u_window_w_m2k"].astype(float)
            u_new = np.full(k * n, np.nan)
            g_new = np.full(k * n, np.nan)
            group_of = priors.window.group_index(typ_u)
            for gi, g in enumerate(priors.window.groups):
                in_g = m_u & (group_of == gi)
                state = ss.window_state[gi][sample_index][:, b].ravel()
                su = np.array([np.nan if s.u is None else s.u for s in g.states])
                sg = np.array([np.nan if s.g is None else s.g for s in g.states])
                ok = in_g & (state >= 0)
                u_new[ok] = su[state[ok]]
                g_new[ok] = sg[state[ok]]
            set_u = np.isfinite(u_new)
            out["u_window_w_m2k"] = np.where(set_u, u_new, typ_u)
            out["g_window"] = np.where(set_u & m_g, g_new, out["g_window"].astype(float))
        if ss.system is not None:
            m = np.tile(self.prior["system"], k)
            drawn = ss.system[sample_index][:, b].ravel()
            m &= drawn != ""
            sysv = out["system"].astype(object)
            sysv[m] = drawn[m]
            out["system"] = sysv
        if ss.air_factor is not None:
            m = np.tile(self.prior["n_air_inf_1_h"], k)
            out["n_air_inf_1_h"] = np.where(m, out["n_air_inf_1_h"].astype(float) * ss.air_factor[sample_index][:, b].ravel(),
                                            out["n_air_inf_1_h"].astype(float))
        # the run's setpoint (per sample), or each building's own (the envelope's theta_i_c)
        if setpoint_c is None:
            base2 = np.broadcast_to(env["theta_i_c"].to_numpy(dtype=float), (k, n))
        else:
            base2 = np.broadcast_to(np.asarray(setpoint_c, dtype=float)[:, None], (k, n))
        theta = base2.ravel().copy()
        if ss.setpoint_u_common is not None and not standard_setpoint:
            subset = replace(ss, setpoint_u_common=ss.setpoint_u_common[sample_index], setpoint_u_building=ss.setpoint_u_building[sample_index][:, b])
            off = subset.setpoint_offset_k(base2).ravel()
            m = np.tile(self.prior["theta_i_c"], k)
            theta = np.where(m, theta + off, theta)
        out["theta_i_c"] = theta
        if ss.hp_cop_factor is not None:
            out[HP_COP_FACTOR_COLUMN] = np.repeat(np.asarray(ss.hp_cop_factor, dtype=float)[sample_index], n)
        if ss.pv_factor is not None:
            out[PV_FACTOR_COLUMN] = np.repeat(np.asarray(ss.pv_factor, dtype=float)[sample_index], n)
        # standard conditions of the certificate (the class KPI): the run's setpoint (or the
        # building's own) without the sampled offset or a calibrated setpoint, the typology's
        # hot-water need (the calibration's dhw_factor left out)
        theta_std = np.asarray(base2, dtype=float).ravel().copy()
        ids = np.empty(k * n, dtype=object)  # "<sample>|<building id>", the building ids' strings made once
        ids[:] = [s + t for s in map(str, np.asarray(sample_index, dtype=np.int64).tolist()) for t in self._bar_ids]
        out["building_id"] = ids
        # text columns (id, system, TABULA code) as object arrays: pandas' str dtype would convert them
        # to Arrow and back at every selection and read of the chunk
        frame = pd.DataFrame({c: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v for c, v in out.items()})
        if ss.calibrated is not None:
            from twin.energy.calibrated import apply_parameters

            values = {p: np.where(b >= 0, v[sample_index][:, np.maximum(b, 0)], np.nan) for p, v in ss.calibrated.items()}
            for g, c in ss.group_conditional.items():
                mem = np.where(b >= 0, c["members"][np.maximum(b, 0)], False)
                h = values["h_tr_factor"]
                if group_factor is not None:
                    h[:, mem] = float(group_factor)
                elif g in ss.conditioned:
                    h[:, mem] = ss.conditioned[g][np.asarray(sample_index)][:, None]
            frame = apply_parameters(frame, {p: v.ravel() for p, v in values.items()})
        frame["theta_i_c"] = np.clip(np.round(frame["theta_i_c"].to_numpy(dtype=float) / SETPOINT_STEP_K) * SETPOINT_STEP_K, 5.0, 30.0)
        dhw = values.get("dhw_factor") if ss.calibrated is not None else None
        dhw = np.ones(k * n) if dhw is None else np.nan_to_num(np.asarray(dhw, dtype=float).ravel(), nan=1.0)
        self.standard = {"building_id": frame["building_id"].to_numpy(),
                         "theta_i_c": np.clip(np.round(theta_std / SETPOINT_STEP_K) * SETPOINT_STEP_K, 5.0, 30.0), "dhw_factor": dhw}
        return frame, s_of_row


def _base_envelope(scene, prep) -> pd.DataFrame:
    """The uncalibrated envelope rows of the prepared stock (what samples start from)."""
    base = getattr(prep, "base_envelope", None)
    if base is not None:
        return base
    from twin.energy.calibrated import scene_calibration

    env = prep.envelope
    if scene_calibration(scene.buildings, env["building_id"]) is None:
        return env
    # a prepared stock made without its base (e.g. rebuilt by a caller): rebuild the base rows
    from twin.energy.model import build_envelope

    rebuilt = build_envelope(scene, factors=prep.factors, calibrated=False)
    rebuilt = rebuilt.set_index(rebuilt["building_id"].astype(str)).reindex(env["building_id"].astype(str).to_numpy()).reset_index(drop=True)
    rebuilt["building_id"] = env["building_id"].to_numpy()
    if "theta_i_c" in env:
        calibrated = env["theta_i_c_source"].astype(str).eq("calibrated").to_numpy() if "theta_i_c_source" in env else np.zeros(len(env), bool)
        rebuilt["theta_i_c"] = np.where(calibrated, rebuilt["theta_i_c"].to_numpy(dtype=float), env["theta_i_c"].to_numpy(dtype=float))
    return rebuilt


def simulate_samples(
    scene,
    prep,
    samples,
    *,
    setpoint_c: np.ndarray | None = None,
    cooling_c: np.ndarray | None = None,
    measures: dict[str, set[str]] | None = None,
    measures_table: pd.DataFrame | None = None,
    fallback: pd.DataFrame | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    standard_classes: bool = True,
) -> pd.DataFrame:
    """Stock totals of every sample (index ``sample``, columns :data:`TOTALS`).

    The same chain as a central run (:func:`twin.energy.stock.simulate_prepared`: envelope
    checks, kernel, peak-priced measures, :func:`twin.energy.results.account_arrays`, Brussels
    EPB class), on arrays. A sampled building the model cannot simulate (a sampled shape beyond
    the 5R1C network's limits, e.g. a tall nave on a small floor area) counts with its central
    result from ``fallback`` (the accounts of the central run of the same scene);
    ``substituted`` counts them per sample. Without ``fallback`` it is left out (``buildings``
    is lower).

    Parameters
    ----------
    scene, prep
        The scene and its prepared central stock (:func:`twin.energy.stock.prepare_stock`).
    samples
        :class:`~twin.energy.stock_samples.StockSamples` (of this scene or its baseline).
    setpoint_c, cooling_c
        The run's heating setpoint of every sample, degC (None: each building's ``theta_i_c``,
        as in :func:`twin.energy.stock.run_stock`), and cooling setpoint (None or NaN: off).
    measures
        Renovation measures (comma list, as in ``buildings.renovation_measures``) -> building ids.
    measures_table
        Measure table (default: the packaged one).
    fallback
        Per-building accounts (:func:`twin.energy.results.energy_accounts`) of the central run.
    chunk_rows
        Building rows per kernel call.
    standard_classes
        Count a building in class D or worse (``a_f_d_or_worse_m2``) from its primary energy in
        the certificate's standard conditions (default; :func:`_standard_poor`), not at the
        sample's own setpoint and hot-water use. False: at the sample's conditions (the former
        behaviour, kept for comparison).
    """
    from twin.energy.classes import load_classes
    from twin.io import progress as _progress

    builder = SampledEnvelopes(scene, prep, samples)
    n_s, n_env = builder.samples.n_samples, builder.n_env
    if builder.samples.group_conditional:
        condition_groups(builder, prep, chunk_rows)
    if setpoint_c is not None:
        setpoint_c = np.broadcast_to(np.asarray(setpoint_c, dtype=float), (n_s,))
    cool = np.full(n_s, np.nan) if cooling_c is None else np.broadcast_to(np.asarray(cooling_c, dtype=float), (n_s,))
    env_ids = builder.env["building_id"].astype(str)
    plans = [(plan.split(","), env_ids.isin(list(ids)).to_numpy()) for plan, ids in (measures or {}).items()]
    classes = load_classes()
    if plans and measures_table is None:  # the packaged table, read once for every chunk's measures
        from twin.energy.measures import load_measures

        measures_table = load_measures()
    fb = _fallback_arrays(fallback, env_ids, classes)
    per_chunk = max(1, int(chunk_rows) // max(n_env, 1))
    totals = np.zeros((n_s, len(TOTALS)))
    col = {c: i for i, c in enumerate(TOTALS)}
    context = _RowContext.of(builder, prep, setpoint_c, cool, per_chunk, standard_classes)
    reference = _reference_rows(context)
    record = _RowRecord(context)
    with _progress.step("simulating the sampled stock", n_s, unit="samples") as step:
        for start in range(0, n_s, per_chunk):
            idx = np.arange(start, min(n_s, start + per_chunk))
            k = len(idx)
            env_all, s_all = builder.build(idx, None if setpoint_c is None else setpoint_c[idx])
            cool_all = np.repeat(cool[idx], n_env)
            # rows of an earlier run in the same context (a what-if's baseline): reused where the
            # row, its shading and its standard conditions are the same and no measure touches it
            columns = [c for c in env_all.columns if c not in _MEASURE_ONLY_COLUMNS]
            record.columns = columns if record.columns is None else record.columns
            row_hash = _row_hashes(env_all, builder.standard, columns, id_digest=np.tile(builder.id_digest(), k))
            touched = np.zeros(len(env_all), dtype=bool)  # rows a measure changes after the digest
            for _, mask in plans:
                touched |= np.tile(mask, k)
            reuse = np.zeros(len(env_all), dtype=bool)
            if reference is not None:
                reuse = reference.reusable(start, env_all, row_hash, np.tile(context.same_shade, k), columns) & ~touched
            run_rows = np.flatnonzero(~reuse)
            env, cool_row = (env_all.iloc[run_rows].reset_index(drop=True), cool_all[run_rows]) if reuse.any() else (env_all, cool_all)
            plan_rows = [(plan, np.tile(mask, k)[run_rows]) for plan, mask in plans]
            # the rows' shading (row r of the chunk is building r % n of the tiled stock), gathered where it is read
            shade = None if prep.shade_factor is None else _GatheredRows(np.asarray(prep.shade_factor), run_rows % len(prep.shade_factor))
            done, values = _simulate_rows(env, cool_row, plan_rows, shade, builder.standard, prep, classes, measures_table, standard_classes,
                                          chunk_rows=run_rows)
            done = run_rows[done]  # rows of the chunk
            if reuse.any():
                done, values = reference.merge(start, reuse, done, values)
            record.add(start, row_hash, done, values, touched)
            record.rows += len(env_all)
            record.simulated += len(run_rows)
            s_ran = s_all[done]
            for name, v in values.items():
                totals[:, col[name]] += np.bincount(s_ran, weights=v, minlength=n_s)
            lost_mask = np.ones(len(env_all), dtype=bool)
            lost_mask[done] = False
            lost = np.flatnonzero(lost_mask)  # the rows that did not run (np.setdiff1d of done, without its sort)
            if len(lost) and fb is not None:
                j = lost % n_env
                have = fb["ok"][j]
                s_lost = s_all[lost][have]
                for name in TOTALS:
                    totals[:, col[name]] += np.bincount(s_lost, weights=fb[name][j[have]], minlength=n_s)
            step.advance(k)
    if reference is None or record.simulated > record.rows // 2:  # a baseline-like run: the reference of later ones
        _ROWS_CACHE.put(record.context.key, record)
    out = pd.DataFrame(totals, columns=list(TOTALS), index=pd.RangeIndex(n_s, name="sample"))
    return out


def setpoint_profiles(heat_c: np.ndarray, cool_c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The setpoint profiles of sample rows: one per distinct (heating, cooling) pair, numbered
    in the order of first appearance (as ``pandas.factorize`` of the pairs).

    Parameters
    ----------
    heat_c, cool_c
        Heating and cooling setpoint of every row, degC (n,); cooling off is ``-999``.

    Returns
    -------
    codes : int64 (n,)
        The profile of every row.
    heat_p, cool_p : (n_profiles,)
        Heating and cooling setpoint of every profile, degC (cooling off: NaN).
    """
    # NaN is a value of its own (as in a tuple of the pair), not left out
    c_heat, u_heat = pd.factorize(np.asarray(heat_c, dtype=float), use_na_sentinel=False)
    c_cool, u_cool = pd.factorize(np.asarray(cool_c, dtype=float), use_na_sentinel=False)
    n_cool = max(len(u_cool), 1)
    # pairs as one integer each (factorized per column first: no tuples), numbered by first appearance
    codes, first = pd.factorize(c_heat.astype(np.int64) * n_cool + c_cool)
    first = np.asarray(first, dtype=np.int64)
    heat_p = np.asarray(u_heat, dtype=float)[first // n_cool]
    cool_p = np.asarray(u_cool, dtype=float)[first % n_cool]
    return codes.astype(np.int64), heat_p, np.where(cool_p == -999.0, np.nan, cool_p)


def _rows_of(shade: np.ndarray | None, mask: np.ndarray) -> np.ndarray | None:
    """The rows ``mask`` (bool) of the shading factors (None: None); the array itself when every
    row is kept (no copy of the (n, groups, 12) array, the same values); of :class:`_GatheredRows`,
    the selected rows gathered (one copy)."""
    if isinstance(shade, _GatheredRows):
        return shade[mask]
    if shade is None or mask.all():
        return shade
    return shade[mask]


class _GatheredRows:
    """Rows ``rows`` of an array, gathered only when selected: ``self[mask]`` is ``source[rows[mask]]``
    (one copy of the selected rows, where ``source[rows][mask]`` makes two; the same values)."""

    def __init__(self, source: np.ndarray, rows: np.ndarray) -> None:
        self.source = source
        self.rows = rows

    def __getitem__(self, mask: np.ndarray) -> np.ndarray:
        return self.source[self.rows[mask]]

    def subset(self, mask: np.ndarray) -> _GatheredRows:
        """The rows ``mask`` (bool or positions) of these rows, still not gathered."""
        return _GatheredRows(self.source, self.rows[mask])


def _simulate_rows(env: pd.DataFrame, cool_row: np.ndarray, plan_rows: list, shade, standard: dict, prep, classes, measures_table,
                   standard_classes: bool, chunk_rows: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The chain of :func:`simulate_samples` on the envelope rows ``env`` of a chunk (measures,
    envelope checks, kernel, accounts, class): the rows that ran (positions in ``env``) and their
    contributions to :data:`TOTALS` but ``substituted``'s fallbacks.

    ``cool_row``: cooling setpoint per row (NaN: off); ``plan_rows``: (measure list, row mask);
    ``shade``: the rows' shading factors (:class:`_GatheredRows`, or None); ``standard``: :attr:`SampledEnvelopes.standard`;
    ``chunk_rows``: the row of ``standard`` of each row of ``env`` (checked by :func:`_standard_poor`; None: looked up by id).
    """
    from twin.energy.classes import energy_class
    from twin.energy.measures import apply_measures, price_peak_measures
    from twin.energy.model import envelope_problems, text_values, to_stock_inputs
    from twin.energy.simulate import simulate_raw

    if not len(env):
        return np.zeros(0, dtype=np.int64), {name: np.zeros(0) for name in TOTALS}
    # setpoint profiles: one per (heating, cooling) pair
    codes, heat_p, cool_p = setpoint_profiles(env["theta_i_c"].to_numpy(dtype=float), np.nan_to_num(cool_row, nan=-999.0))
    drivers = replace(prep.drivers, heat_setpoint_c=np.repeat(heat_p[:, None], prep.drivers.n_hours, axis=1),
                      cool_setpoint_c=np.repeat(cool_p[:, None], prep.drivers.n_hours, axis=1))
    costs = []
    for plan, rows in plan_rows:
        if rows.any():
            env, c = apply_measures(env, plan, buildings=env["building_id"].to_numpy()[rows], table=measures_table, factors=prep.factors)
            costs.append(c)
    problems = envelope_problems(env)
    keep = ~env["building_id"].isin(problems["building_id"]).to_numpy() if len(problems) else np.ones(len(env), dtype=bool)
    ok_env = env[keep].reset_index(drop=True) if len(problems) else env
    shade_all = shade
    shade = None if shade_all is None else shade_all[keep]
    inputs = to_stock_inputs(ok_env, conventions=prep.conventions, factors=prep.factors, shade_factor=shade)
    inputs.setpoint_profile = codes[keep].astype(np.int64)
    # film correction: each building's own flag (StockInputs.film_correction, from the conventions), as simulate_prepared
    raw, ran, _ = simulate_raw(inputs, drivers, on_error="report")
    done = np.flatnonzero(keep)[ran]  # rows of env that ran
    sim = ok_env.iloc[np.flatnonzero(ran)]
    ids = sim["building_id"].to_numpy()
    inv = np.zeros(len(sim))
    if costs:
        priced = price_peak_measures(pd.concat(costs, ignore_index=True), pd.Series(raw["peak_heat_w"], index=ids))
        inv = priced.groupby("building_id")["investment_eur"].sum(min_count=1).reindex(ids).fillna(0.0).to_numpy()
    a_f = sim["a_f_m2"].to_numpy(dtype=float)
    q_heat = raw["heat_wh"] / 1000.0
    acc = account_arrays_sampled(
        _cop_factor(sim), a_f_m2=a_f, q_heat_kwh=q_heat, monthly_heat_kwh=raw["monthly_heat_wh"] / 1000.0,
        q_w_nd_kwh_m2=sim["q_w_nd_kwh_m2"].to_numpy(dtype=float), system=text_values(sim["system"]),
        eta_hr=sim["eta_hr"].to_numpy(dtype=float), n_air_use_1_h=sim["n_air_use_1_h"].to_numpy(dtype=float),
        volume_m3=sim["volume_m3"].to_numpy(dtype=float),
        pv_kwp=_pv_scaled(sim, "pv_kwp", np.zeros(len(sim))), drivers=drivers, factors=prep.factors,
        pv_ac_kwh_year=_pv_scaled(sim, "pv_ac_kwh_year", None),
        peak_heat_kw=np.asarray(raw["peak_heat_w"], dtype=float) / 1000.0,
    )
    poor = np.isin(energy_class(acc["primary_energy_kwh_m2"], classes), POOR_CLASSES)
    if standard_classes:
        h_w_k = (np.asarray(inputs.h_ve_w_k, dtype=float) + np.asarray(inputs.h_tr_w_w_k, dtype=float)
                 + np.asarray(inputs.h_tr_op_w_k, dtype=float))[np.flatnonzero(ran)]
        poor = _standard_poor(standard, sim, poor, cool_row[done], None if shade_all is None else shade_all.subset(np.flatnonzero(keep)[ran]), prep, classes,
                              pe_m2=acc["primary_energy_kwh_m2"], h_w_k=h_w_k, q_dhw_kwh=acc["q_dhw_kwh"], monthly_heat_kwh=raw["monthly_heat_wh"],
                              rows=None if chunk_rows is None else np.asarray(chunk_rows)[done])
    values = {"buildings": np.ones(len(sim)), "a_f_m2": a_f, "q_heat_kwh": q_heat, "final_energy_kwh": acc["final_energy_kwh"],
              "primary_energy_kwh": acc["primary_energy_kwh"], "co2_kg": acc["co2_kg"], "energy_cost_eur": acc["energy_cost_eur"],
              "investment_eur": inv, "a_f_d_or_worse_m2": np.where(poor, a_f, 0.0), "substituted": np.zeros(len(sim)),
              **{c: acc[c] for c in ("gas_kwh", "oil_kwh", "electricity_kwh", "district_heat_kwh", "pv_kwh")}}
    return done, values


#: Envelope columns only a renovation measure reads (the cadastre's PV of a ``pv`` measure):
#: left out of the row digest, a what-if carrying them reuses its baseline's rows.
_MEASURE_ONLY_COLUMNS = ("solar_pv_kwp", "solar_pv_ac_kwh_year")

#: Per-row results of the last two :func:`simulate_samples` calls that simulated most of their
#: rows (:class:`_RowRecord`), by the digest of their context (:class:`_RowContext`).
_ROWS_CACHE: BoundedCache[bytes, _RowRecord] = BoundedCache(2)


@dataclass
class _RowContext:
    """What a sample row's results depend on besides the row itself: the drivers, conventions and
    factors of the prepared stock, the cooling setpoints, the chunking, the class rule, the
    active hot-water model and heat-pump table (``key``), and the rows' shading (compared per
    building with the reference's)."""

    key: bytes
    shade: np.ndarray | None
    n_env: int
    same_shade: np.ndarray

    @classmethod
    def of(cls, builder, prep, setpoint_c, cool, per_chunk: int, standard_classes: bool) -> _RowContext:
        from twin.energy.heat_pump import _ACTIVE_TABLE
        from twin.energy.hot_water import active_dhw_model

        # the active hot-water model and heat-pump table (context variables read by the accounts)
        key = content_digest(prep.drivers, prep.conventions, prep.factors, None if setpoint_c is None else np.asarray(setpoint_c, dtype=float),
                             np.asarray(cool, dtype=float), int(per_chunk), int(builder.n_env), bool(standard_classes),
                             getattr(prep, "model", "5r1c"), active_dhw_model(), _ACTIVE_TABLE.get())  # fmt: skip
        shade = None if prep.shade_factor is None else np.array(prep.shade_factor, dtype=float, copy=True)
        return cls(key, shade, int(builder.n_env), np.zeros(int(builder.n_env), dtype=bool))


def _row_hashes(env: pd.DataFrame, standard: dict, columns: list[str], id_digest: np.ndarray | None = None) -> np.ndarray:
    """A 64-bit digest of every row of a chunk: its envelope ``columns`` and its standard
    conditions (setpoint, hot-water factor of :attr:`SampledEnvelopes.standard`).

    ``id_digest``: a digest of each row's building id (:meth:`SampledEnvelopes.id_digest`, tiled)
    that stands for ``building_id`` ("<sample>|<id>"): digests are compared between runs at the
    same row of the same chunk, that is of the same sample, so the building's id is what can
    differ (hashing the chunk's id strings was half of the digest's time).
    """
    if id_digest is not None and "building_id" in columns:
        rest = [c for c in columns if c != "building_id"]
        h = pd.util.hash_pandas_object(env[rest], index=False).to_numpy() * np.uint64(1_000_033) ^ np.asarray(id_digest, dtype=np.uint64)
    else:
        h = pd.util.hash_pandas_object(env[columns], index=False).to_numpy()
    std = pd.util.hash_pandas_object(pd.DataFrame({"theta": np.asarray(standard["theta_i_c"], dtype=float),
                                                   "dhw": np.asarray(standard["dhw_factor"], dtype=float)}), index=False).to_numpy()
    return h * np.uint64(1_000_003) ^ std


@dataclass
class _ChunkRows:
    n_rows: int
    hash: np.ndarray
    done: np.ndarray
    values: dict
    touched: np.ndarray


@dataclass
class _RowRecord:
    """The per-row results of one :func:`simulate_samples` call, chunk by chunk: each row's digest,
    the rows simulated (``done``, rows of the chunk) and their contributions to :data:`TOTALS`."""

    context: _RowContext
    columns: list[str] | None = None
    chunks: dict = None  # type: ignore[assignment]
    simulated: int = 0
    rows: int = 0

    def __post_init__(self) -> None:
        self.chunks = {}

    def add(self, start: int, row_hash: np.ndarray, done: np.ndarray, values: dict, touched: np.ndarray) -> None:
        """Chunk ``start``: digests of its rows (before measures), rows simulated, their values,
        rows changed by a measure (never reused: their digest is not their input)."""
        self.chunks[start] = _ChunkRows(len(row_hash), row_hash, done, values, touched)

    def reusable(self, start: int, env: pd.DataFrame, row_hash: np.ndarray, same_shade: np.ndarray, columns: list[str]) -> np.ndarray:
        """Rows of chunk ``start`` whose digest, columns and shading are this record's, and that
        no measure of this record changed."""
        rec = self.chunks.get(start)
        if rec is None or rec.n_rows != len(env) or columns != self.columns:
            return np.zeros(len(env), dtype=bool)
        return (row_hash == rec.hash) & same_shade & ~rec.touched

    def merge(self, start: int, reuse: np.ndarray, done_run: np.ndarray, values_run: dict) -> tuple[np.ndarray, dict]:
        """The chunk's simulated rows and their values: ``done_run`` (rows run now) with the
        rows of ``reuse`` this record simulated, in row order."""
        rec = self.chunks[start]
        was_done = np.zeros(rec.n_rows, dtype=bool)
        was_done[rec.done] = True
        take = np.flatnonzero(reuse & was_done)
        at = np.searchsorted(rec.done, take)
        done = np.concatenate([done_run, take])
        order = np.argsort(done, kind="stable")
        values = {name: np.concatenate([np.asarray(v, dtype=float), np.asarray(rec.values[name], dtype=float)[at]])[order]
                  for name, v in values_run.items()}
        return done[order], values


def _reference_rows(context: _RowContext) -> _RowRecord | None:
    """The record of an earlier call in the same context (shading compared per building), or None."""
    ref = _ROWS_CACHE.get(context.key)
    if ref is None or ref.context.n_env != context.n_env:
        return None
    a, b = ref.context.shade, context.shade
    if a is None and b is None:
        context.same_shade = np.ones(context.n_env, dtype=bool)
    elif a is not None and b is not None and a.shape == b.shape:
        context.same_shade = (a == b).reshape(len(a), -1).all(axis=1)
    else:
        return None
    return ref


#: Safety factor on the bound of the primary-energy change between a row's sampled and standard
#: conditions (:func:`_standard_poor`).
STANDARD_BOUND_SAFETY = 1.25


def _standard_poor(standard: dict, sim: pd.DataFrame, poor: np.ndarray, cool_c: np.ndarray, shade, prep, classes, *,
                   pe_m2: np.ndarray | None = None, h_w_k: np.ndarray | None = None, q_dhw_kwh: np.ndarray | None = None,
                   monthly_heat_kwh: np.ndarray | None = None, rows: np.ndarray | None = None) -> np.ndarray:
    """Whether each simulated row is in class D or worse in the certificate's standard conditions.

    An EPB certificate rates the building, not its occupants: the Brussels method computes the
    primary energy at a standard use (a conventional setpoint and hot-water need). A sample's
    row runs at its sampled setpoint (the run's setpoint plus the sampled offset, or a
    calibrated setpoint) and with a calibrated hot-water factor; its class is taken at the
    run's setpoint without the offset (each building's own ``theta_i_c`` when the run sets
    none; TABULA's 20 C in the default scenario, as the central run) and its typology's
    hot-water need instead, the conditions in which the class calibration
    (:func:`twin.calibration.group.calibrate_classes`, :func:`condition_groups`) fits the
    published class shares. Counting classes at the sampled setpoints let a sample's common
    setpoint offset (a sample a degree warmer than another) move the whole stock across the C/D
    boundary: after the class calibration, which puts many dwellings near that boundary, the
    run's band of the D-or-worse share widened from 12 to 33 points on Saint-Gilles.

    Primary energy increases with the setpoint and the hot-water need, so a row already rated
    at conditions at least as demanding as the standard ones and not poor is not poor in
    standard conditions, and one rated at conditions no more demanding and poor stays poor;
    only the other rows whose conditions differ are simulated again (at their standard
    setpoint, same drivers, shading and system), and of those only the ones whose primary
    energy lies within a bound of the C/D limit: lowering the setpoint by ``d`` K lowers the
    year's heat by at most ``H d 8760 h`` (``H``: the row's transmission and ventilation
    conductance, an upper bound of the 5R1C network's steady conductance; hours without heating
    lose less; when the setpoint is lowered, only the hours of the months with heat at the
    sampled setpoint count, a lower setpoint heating no month that had none), the hot water
    changes by the known amount, and primary energy per kWh of heat is
    at most ``pef / efficiency`` of the row's carrier (electricity: ``pef_electricity`` over the
    direct-electric efficiency, a heat pump's COP being at least that); the bound is taken
    :data:`STANDARD_BOUND_SAFETY` times. Rows far from the limit keep their class; the others
    are simulated. Checked against a full run in standard conditions in
    ``tests/test_calibration_bands.py``.

    Parameters
    ----------
    standard
        :attr:`SampledEnvelopes.standard` of the chunk: ``building_id``, standard ``theta_i_c``
        (degC) and the ``dhw_factor`` applied to the row (1 where none).
    sim, poor
        The simulated rows and whether each is poor at its own conditions.
    cool_c
        Cooling setpoint of each row, degC (NaN: off).
    shade
        Shading factors of the rows (an array or :class:`_GatheredRows`; or None).
    rows
        The row of ``standard`` of each simulated row, if the caller knows it: used where the ids
        there are the rows' ids (checked; else, and without ``rows``, looked up by id).
    """
    from twin.energy.classes import energy_class
    from twin.energy.model import text_values

    pos = _standard_positions(standard["building_id"], np.asarray(sim["building_id"].to_numpy(), dtype=object), rows)
    theta = sim["theta_i_c"].to_numpy(dtype=float)
    q_w = sim["q_w_nd_kwh_m2"].to_numpy(dtype=float)
    ok = pos >= 0
    p = np.maximum(pos, 0)
    th_s = np.where(ok, standard["theta_i_c"][p], theta)
    f = np.where(ok, standard["dhw_factor"][p], 1.0)
    q_s = np.where(f > 0, q_w / np.where(f > 0, f, 1.0), q_w)
    up = (theta >= th_s - 1e-9) & (q_w >= q_s * (1 - 1e-12))
    down = (theta <= th_s + 1e-9) & (q_w <= q_s * (1 + 1e-12))
    redo = ~(up & down) & ~((up & ~poor) | (down & poor))
    if pe_m2 is not None and h_w_k is not None and q_dhw_kwh is not None and redo.any():
        from twin.energy.results import OPT_IN_SYSTEMS, SYSTEMS
        from twin.energy.systems import PARTLOAD_BOILERS

        fac = prep.factors
        upper = classes["upper_kwh_m2"].to_numpy(dtype=float)
        labels = classes["energy_class"].astype(str).to_numpy()
        first_poor = int(np.flatnonzero(np.isin(labels, POOR_CLASSES))[0])
        limit = upper[first_poor - 1] if first_poor > 0 else -np.inf
        system = text_values(sim["system"])
        carrier = pd.Series(system).map({**SYSTEMS, **OPT_IN_SYSTEMS}).fillna("electricity").to_numpy()
        # part-load boilers: stand-by losses are not proportional to the heat (a month that stops
        # needing heat also loses its stand-by loss), no bound: simulated in standard conditions
        partload = np.isin(system, list(PARTLOAD_BOILERS))
        ratio = np.select([partload, system == "gas_boiler_condensing", carrier == "gas", carrier == "oil", carrier == "district_heat"],
                          [np.inf, fac["pef_gas"] / fac["condensing_boiler_efficiency"], fac["pef_gas"] / fac["boiler_efficiency"],
                           fac["pef_oil"] / fac["oil_boiler_efficiency"],
                           fac.get("pef_district_heat", np.inf) / fac.get("dh_substation_efficiency", np.nan)],
                          fac["pef_electricity"] / min(float(fac["electric_direct_efficiency"]), 1.0))
        a_f = sim["a_f_m2"].to_numpy(dtype=float)
        hours = np.full(len(sim), float(prep.drivers.n_hours))
        if monthly_heat_kwh is not None:
            m_hours = np.bincount(np.asarray(prep.drivers.month_index(), dtype=np.int64), minlength=12).astype(float)
            heated = (np.asarray(monthly_heat_kwh, dtype=float) > 0) @ m_hours[: np.shape(monthly_heat_kwh)[1]]
            hours = np.where(theta > th_s, heated, hours)
        d_heat = np.asarray(h_w_k, dtype=float) * np.abs(theta - th_s) * hours / 1000.0
        d_dhw = np.abs(np.asarray(q_dhw_kwh, dtype=float) * (1.0 - 1.0 / np.where(f > 0, f, 1.0)))
        bound = STANDARD_BOUND_SAFETY * ratio * (d_heat + d_dhw) / np.where(a_f > 0, a_f, np.nan)
        far = np.abs(np.asarray(pe_m2, dtype=float) - limit) > bound
        redo &= ~(far & np.isfinite(bound))
    if not redo.any():
        return poor
    env = sim.iloc[np.flatnonzero(redo)].copy()
    env["theta_i_c"] = th_s[redo]
    env["q_w_nd_kwh_m2"] = q_s[redo]
    pe = _primary_energy(env, prep, None if shade is None else shade[redo], cool_c=cool_c[redo], pv_yield=True)
    out = poor.copy()
    have = np.isfinite(pe)
    idx = np.flatnonzero(redo)[have]
    out[idx] = np.isin(energy_class(pe[have], classes), POOR_CLASSES)
    return out


def _standard_positions(standard_ids: np.ndarray, ids: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """The position of each of ``ids`` in ``standard_ids`` (-1: absent; the ids of a chunk are
    unique): ``rows`` when the ids at those positions are ``ids`` (one comparison per row, where
    a lookup by id hashes both arrays), else looked up."""
    if rows is not None and len(rows) == len(ids):
        rows = np.asarray(rows, dtype=np.int64)
        if (not len(rows) or (rows.min() >= 0 and rows.max() < len(standard_ids))) and np.array_equal(np.asarray(standard_ids, dtype=object)[rows], ids):
            return rows
    return pd.Index(standard_ids, dtype=object).get_indexer(ids)


def _primary_energy(env: pd.DataFrame, prep, shade, cool_c: np.ndarray | None = None, pv_yield: bool = False) -> np.ndarray:
    """Primary energy per m2 of envelope rows at their own setpoints, kWh/(m2 a) (NaN: a row the
    kernel rejects): the chain of :func:`simulate_samples` without measures (``cool_c``: cooling
    setpoint per row, NaN or None: off; ``pv_yield``: credit the cadastre's PV yield
    ``pv_ac_kwh_year`` like :func:`simulate_samples`, not done by the class calibration)."""
    from twin.energy.model import envelope_problems, text_values, to_stock_inputs
    from twin.energy.simulate import simulate_raw

    out = np.full(len(env), np.nan)
    problems = envelope_problems(env)
    keep = ~env["building_id"].isin(problems["building_id"]).to_numpy() if len(problems) else np.ones(len(env), bool)
    ok_env = env[keep].reset_index(drop=True)
    if not len(ok_env):
        return out
    drv = prep.drivers
    cool = np.full(len(env), -999.0) if cool_c is None else np.nan_to_num(np.asarray(cool_c, dtype=float), nan=-999.0)
    profile, heat_p, cool_p = setpoint_profiles(ok_env["theta_i_c"].to_numpy(dtype=float), cool[keep])
    drivers = replace(drv, heat_setpoint_c=np.repeat(heat_p[:, None], drv.n_hours, axis=1), cool_setpoint_c=np.repeat(cool_p[:, None], drv.n_hours, axis=1))
    inputs = to_stock_inputs(ok_env, conventions=prep.conventions, factors=prep.factors, shade_factor=_rows_of(shade, keep))
    inputs.setpoint_profile = profile.astype(np.int64)
    raw, ran, _ = simulate_raw(inputs, drivers, on_error="report")  # each building's own film-correction flag
    sim = ok_env.iloc[np.flatnonzero(ran)]
    acc = account_arrays_sampled(
        _cop_factor(sim), peak_heat_kw=np.asarray(raw["peak_heat_w"], dtype=float) / 1000.0,
        a_f_m2=sim["a_f_m2"].to_numpy(dtype=float), q_heat_kwh=raw["heat_wh"] / 1000.0, monthly_heat_kwh=raw["monthly_heat_wh"] / 1000.0,
        q_w_nd_kwh_m2=sim["q_w_nd_kwh_m2"].to_numpy(dtype=float), system=text_values(sim["system"]),
        eta_hr=sim["eta_hr"].to_numpy(dtype=float), n_air_use_1_h=sim["n_air_use_1_h"].to_numpy(dtype=float),
        volume_m3=sim["volume_m3"].to_numpy(dtype=float),
        # the sample's PV yield factor with the yield credited (as simulate_samples); the class calibration's rows as they are
        pv_kwp=(_pv_scaled(sim, "pv_kwp", np.zeros(len(sim))) if pv_yield
                else sim["pv_kwp"].to_numpy(dtype=float) if "pv_kwp" in sim else np.zeros(len(sim))),
        drivers=drivers, factors=prep.factors, pv_ac_kwh_year=_pv_scaled(sim, "pv_ac_kwh_year", None) if pv_yield else None)
    out[np.flatnonzero(keep)[ran]] = acc["primary_energy_kwh_m2"]
    return out


def _primary_energy_at_nodes(env: pd.DataFrame, nodes: np.ndarray, prep, shade) -> np.ndarray:
    """Primary energy of the rows ``env`` with their U-values times ``exp(x)`` for every node ``x``
    of ``nodes``, kWh/(m2 a) (rows x nodes; NaN: a row the kernel rejects at that node).

    The rows of every node go through :func:`_primary_energy` as one batch (one set of envelope
    checks, kernel inputs, kernel call and accounts instead of one per node): a row's result
    depends on the row alone, so the values are those of one call per node. Within the batch a
    row's ``building_id`` is prefixed by its node (``"<node>#"``) so that the envelope checks,
    which name rows by id, act on each node's row alone.
    """
    from twin.energy.calibrated import apply_parameters

    n = len(env)
    k = len(nodes)
    factor = np.repeat(np.array([math.exp(x) for x in nodes]), n)  # math.exp, as the factor of one call per node
    rows = env.iloc[np.tile(np.arange(n), k)].reset_index(drop=True)
    ids = np.empty(n * k, dtype=object)  # "<node>#<row id>" by string concatenation (not numpy's string ufuncs: the same strings)
    ids[:] = [f"{j}#" + t for j in range(k) for t in map(str, env["building_id"].to_numpy())]
    rows["building_id"] = ids
    stacked = apply_parameters(rows, {"h_tr_factor": factor})
    if shade is not None:  # the rows of every node, gathered once where the kernel inputs are made
        shade = (shade if isinstance(shade, _GatheredRows) else _GatheredRows(np.asarray(shade), np.arange(n))).subset(np.tile(np.arange(n), k))
    pe = _primary_energy(stacked, prep, shade)
    return pe.reshape(k, n).T


def condition_groups(builder: SampledEnvelopes, prep, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
    """The shift of every group calibrated to class shares, per sample, drawn from its posterior
    given the sample (stored on the samples: ``conditioned``; ``conditioned_share``, the sample's
    share of the first fitted target at its drawn shift; ``conditioned_curve``, that share on the
    grid of ``log s``).

    The calibration's prior and likelihood on the run's own samples
    (:func:`twin.calibration.group.conditional_model`): the group's rows of every sample are run
    through the kernel in the certificates' standard conditions (each building's own setpoint,
    no sampled offset) at :data:`~twin.calibration.group.COND_NODES` values of ``log s``
    spanning the calibration's marginal posterior; between them each building's log primary
    energy is interpolated (as in the calibration); the sample's class shares on the grid give
    its posterior of ``log s``, inverted at a uniform of the calibrated stream
    (:func:`twin.calibration.group.conditional_log_shift`). The shift of a sample does not
    depend on the scene it is later run on: it is computed once per set of samples and shared
    by its what-ifs (paired deltas; a renovation measure acts after it).
    """
    from twin.calibration.group import COND_NODES, GRID, _interp_pe, conditional_log_shift, grid_class_shares
    from twin.energy.calibrated import CALIBRATED_STREAM
    from twin.energy.stock_samples import STREAM_TAG

    ss = builder.samples
    todo = {g: c for g, c in ss.group_conditional.items() if g not in ss.conditioned}
    n_s = ss.n_samples
    bidx = builder.bidx
    order = sorted(ss.group_conditional)  # a group's random stream does not depend on which others are done
    for g, c in sorted(todo.items()):
        gi = order.index(g)
        mem = np.where(bidx >= 0, c["members"][np.maximum(bidx, 0)], False)
        nodes = np.linspace(c["node_low"], c["node_high"], COND_NODES)
        grid = np.linspace(c["node_low"], c["node_high"], GRID)
        shares = {t["target"]: np.full((GRID, n_s), np.nan) for t in c["targets"]}
        per_chunk = max(1, int(chunk_rows) // max(int(mem.sum()) * COND_NODES, 1))
        for start in range(0, n_s, per_chunk):
            idx = np.arange(start, min(n_s, start + per_chunk))
            env, s_of_row = builder.build(idx, None, group_factor=1.0, standard_setpoint=True)
            rows = np.tile(mem, len(idx))
            env, s_local = env[rows].reset_index(drop=True), s_of_row[rows] - start
            # the group's rows of every sample (row r is member r % n_members), gathered where read
            shade = None if prep.shade_factor is None else _GatheredRows(np.asarray(prep.shade_factor), np.tile(np.flatnonzero(mem), len(idx)))
            pe = _primary_energy_at_nodes(env, nodes, prep, shade)
            good = np.all(np.isfinite(pe), axis=1)
            a_f = env["a_f_m2"].to_numpy(dtype=float)
            pe_grid = _interp_pe(nodes, np.where(good[:, None], pe, 1.0), grid)
            for t in c["targets"]:
                shares[t["target"]][:, idx] = grid_class_shares(pe_grid, a_f, good, s_local, len(idx), tuple(t["classes"]))
        u = np.random.default_rng([int(ss.seed), STREAM_TAG, CALIBRATED_STREAM + 1, gi]).uniform(size=n_s)
        log_s = conditional_log_shift(shares, c, u)
        ss.conditioned[g] = np.clip(np.exp(log_s), c["low"], c["high"])
        first = shares[c["targets"][0]["target"]]
        ss.conditioned_share[g] = np.array([np.interp(log_s[j], grid, first[:, j]) for j in range(n_s)])
        ss.conditioned_curve[g] = (grid, first)


def _pv_scaled(sim: pd.DataFrame, column: str, missing):
    """Column ``pv_kwp`` or ``pv_ac_kwh_year`` of the rows times each row's PV yield factor
    (:data:`PV_FACTOR_COLUMN`; the kWp only feeds the flat yield of the accounts, so scaling it
    scales that yield), or ``missing`` without the column."""
    if column not in sim:
        return missing
    values = sim[column].to_numpy(dtype=float)
    if PV_FACTOR_COLUMN not in sim:
        return values
    return values * np.nan_to_num(sim[PV_FACTOR_COLUMN].to_numpy(dtype=float), nan=1.0)


def _cop_factor(env: pd.DataFrame) -> np.ndarray | None:
    """The heat-pump COP factor of every row (:data:`HP_COP_FACTOR_COLUMN`), or None."""
    if HP_COP_FACTOR_COLUMN not in env:
        return None
    return np.nan_to_num(env[HP_COP_FACTOR_COLUMN].to_numpy(dtype=float), nan=1.0)


def _fallback_arrays(fallback: pd.DataFrame | None, env_ids: pd.Series, classes) -> dict[str, np.ndarray] | None:
    """The central accounts aligned to the envelope rows, as per-row contributions to :data:`TOTALS`."""
    if fallback is None:
        return None
    f = fallback.drop_duplicates("building_id").set_index("building_id").reindex(env_ids.to_numpy())
    a_f = f["a_f_m2"].to_numpy(dtype=float)
    ok = np.isfinite(a_f)
    poor = f["energy_class"].isin(POOR_CLASSES).to_numpy()
    out = {name: np.nan_to_num(f[name].to_numpy(dtype=float)) for name in
           ("a_f_m2", "q_heat_kwh", "final_energy_kwh", "primary_energy_kwh", "co2_kg", "energy_cost_eur", "investment_eur")}
    for name in ("gas_kwh", "oil_kwh", "electricity_kwh", "district_heat_kwh", "pv_kwh"):
        out[name] = np.nan_to_num(f[name].to_numpy(dtype=float)) if name in f else np.zeros(len(f))
    out.update(buildings=np.ones(len(f)), a_f_d_or_worse_m2=np.where(poor, np.nan_to_num(a_f), 0.0), substituted=np.ones(len(f)), ok=ok)
    return out


__all__ = ["DEFAULT_CHUNK_ROWS", "HP_COP_FACTOR_COLUMN", "MIXED_SYSTEM", "POOR_CLASSES", "POOR_PROBABILITY", "SYSTEM_COLUMNS", "TOTALS", "FacadeGeometry",
           "SampledEnvelopes", "account_arrays_sampled", "central_system_mix", "condition_groups", "exterior_areas", "facade_geometry",
           "is_prior", "mix_accounts", "mix_central", "simulate_central_mix", "simulate_samples", "system_variants"]
