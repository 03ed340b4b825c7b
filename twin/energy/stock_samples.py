"""Monte Carlo draws of a building stock's unknown attributes from the prior table.

:func:`draw_stock_samples` draws, for every sample and building, the attributes the data does
not give (:mod:`twin.energy.priors`), reproducibly from a seed:

* **use** where its source is ``inferred`` or ``default`` (``twin.scene.provenance``);
* **storeys and height jointly**: one floor-to-floor height per building (triangular, by its
  sampled use) links them; an unknown storey count is its central value plus a drawn offset
  (with a district mix), truncated to the prior's bounds; a known height gives the storeys and
  known storeys the height; the gross floor area is footprint x storeys, as at ingest;
* **construction period** (TABULA class) where the construction year is not from data;
* draws the energy model resolves against each building's parameters (they apply only where
  the envelope parameter comes from the typology or a default): a glazing state per window
  group, a heating system, uniforms of the setpoint offset, an air-change factor;
* the heat pumps' COP factor (one per sample, for the whole district: a parameter of the COP
  model, :data:`StockSamples.hp_cop_factor`);
* the rooftop PV yield factor (one per sample, for the whole district: a parameter of the solar
  model, :data:`StockSamples.pv_factor`).

Correlation: within a building, one period drives every typology parameter and one storey
height ties storeys to height; between buildings, each sample's *district mix* of every
categorical prior is a Dirichlet draw around its shares, and continuous priors have a common
part, so what is unknown about the district as a whole does not average out. Along a row of
buildings joined by party walls (:func:`rows_of`), a share ``row_share`` of the buildings take
the row's storey offset and storey height (:func:`row_uniforms`), so neighbours are not drawn
to random heights whose differences would all count as exposed party wall.

Truncation: categorical offsets outside the bounds are removed and the rest renormalised per
building; normal variables are drawn by the inverse CDF of the truncated normal, first the
common part within the bounds, then the building part within the bounds minus the common part.

Reproducibility: every entry draws from its own stream ``default_rng([seed, STREAM_TAG, k])``
(``k`` its position in :data:`twin.energy.priors.ENTRIES`) for every building of the scene,
whatever its source, so switching one entry off, or giving one building's value as data,
leaves every other draw unchanged. Samples are aligned to other scenes (what-ifs) by building
id (:meth:`StockSamples.for_scene`): the what-ifs are evaluated on the same sampled city
(common random numbers), so their deltas are paired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from twin.energy.priors import ENTRIES, Categorical, StockPriors

#: Second element of every stream's seed sequence (keeps these streams apart from the
#: scenario's option draws ``default_rng(seed)`` and selections ``default_rng([seed, i])``).
STREAM_TAG = 0x70C5

#: Sources whose values are sampled (``twin.scene.provenance.SOURCES``).
UNCERTAIN_SOURCES = ("inferred", "default")

#: Scene attributes a sample carries (aligned to a scene's buildings).
SCENE_ATTRIBUTES = ("use", "n_storeys", "height_m", "floor_area_m2")

#: Most samples x buildings drawn at once (memory: about 100 bytes per cell).
MAX_CELLS = 200_000_000


def _rng(seed: int, entry: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), STREAM_TAG, ENTRIES.index(entry)])


def _open_uniform(u: np.ndarray) -> np.ndarray:
    """``u`` moved into the open interval (0, 1) (``rng.random`` may return exactly 0)."""
    return np.clip(u, np.nextafter(0.0, 1.0), np.nextafter(1.0, 0.0))


def district_mix(rng: np.random.Generator, shares: np.ndarray, concentration: float | None, n: int) -> np.ndarray:
    """``n`` district mixes (n, k): Dirichlet(concentration x shares) over the categories with a
    share above 0 (the others stay 0), or ``shares`` itself when ``concentration`` is None."""
    shares = np.asarray(shares, dtype=float)
    if concentration is None:
        return np.tile(shares, (n, 1))
    out = np.zeros((n, len(shares)))
    pos = shares > 0
    out[:, pos] = rng.dirichlet(concentration * shares[pos], size=n)
    return out


def categorical_draw(mix: np.ndarray, u: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    """Category index per sample and building (n_s, n_b) by inverse CDF of each sample's mix.

    ``allowed`` (n_b, k) bool: categories a building may take (the mix is renormalised over
    them; a building with none allowed gets -1).
    """
    n_s, n_b = u.shape
    out = np.empty((n_s, n_b), dtype=np.int64)
    for s in range(n_s):
        w = np.broadcast_to(mix[s], (n_b, mix.shape[1])) if allowed is None else mix[s][None, :] * allowed
        cum = np.cumsum(w, axis=1)
        total = cum[:, -1]
        idx = (cum < (u[s] * total)[:, None]).sum(axis=1)
        idx = np.minimum(idx, mix.shape[1] - 1)
        idx[~(total > 0)] = -1
        out[s] = idx
    return out


def truncated_normal_ppf(u: np.ndarray, sd: float, lo, hi) -> np.ndarray:
    """Inverse CDF at ``u`` of N(0, sd) truncated to [lo, hi] (arrays broadcast); 0 where sd is 0."""
    from scipy.stats import truncnorm

    u = _open_uniform(np.asarray(u, dtype=float))
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    if sd <= 0:
        return np.clip(np.zeros(np.broadcast(u, lo, hi).shape), lo, hi)
    x = truncnorm.ppf(u, lo / sd, hi / sd, loc=0.0, scale=sd)
    return np.clip(x, lo, hi)


def two_level_normal(u_common: np.ndarray, u_building: np.ndarray, sd_common: float, sd_building: float, low: float, high: float,
                     building_low=None, building_high=None) -> np.ndarray:
    """``common + building`` (n_s, n_b) from uniforms (n_s,) and (n_s, n_b).

    The common part is drawn within [low, high]; the building part within
    [building_low - common, building_high - common] (default: [low, high]; arrays broadcast to
    (n_s, n_b)), so the sum stays within the building's bounds.
    """
    c = truncated_normal_ppf(u_common, sd_common, low, high)
    b_lo = np.broadcast_to(np.asarray(low if building_low is None else building_low, dtype=float), u_building.shape)
    b_hi = np.broadcast_to(np.asarray(high if building_high is None else building_high, dtype=float), u_building.shape)
    e = truncated_normal_ppf(u_building, sd_building, b_lo - c[:, None], b_hi - c[:, None])
    return c[:, None] + e


def triangular_ppf(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """Inverse CDF of the triangular distribution (low, mode, high) at ``u``."""
    u = np.asarray(u, dtype=float)
    fc = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    return np.where(u < fc, left, right)


@dataclass
class StockSamples:
    """Sampled attributes of a scene's buildings: arrays (n_samples, n_buildings).

    Attributes
    ----------
    building_id : (n_b,)
        The buildings, in the scene's order.
    use, n_storeys, height_m, floor_area_m2
        Scene attributes per sample (central values where not sampled); floor area m2 gross.
    period
        TABULA period (1..6) per sample: drawn where the construction year is uncertain, the
        central period (from the year, or the typology's default year) elsewhere.
    window_state
        Per window group of the priors, the index of the glazing state (n_s, n_b).
    system
        Heating system per sample (object; ``""`` for a building the samples do not know; the
        declared system in every sample for a building whose scene ``heating_system`` is known,
        :func:`twin.energy.model.scene_systems`), or None when the prior is off.
    setpoint_u_common, setpoint_u_building
        Uniforms (n_s,), (n_s, n_b) of the setpoint offset (resolved with the run's setpoint,
        :meth:`setpoint_offset_k`), or None.
    air_factor
        Factor on the infiltration air change (n_s, n_b), or None.
    hp_cop_factor
        Factor on the real-operation correction of every heat pump's COP (n_s,), or None
        (:mod:`twin.energy.priors` entry ``heat_pump_cop``).
    pv_factor
        Factor on the annual AC yield of every rooftop PV system (n_s,), or None (entry ``pv_yield``).
    sampled
        Attribute -> (n_b,) bool: which buildings had it sampled (``use``, ``n_storeys``,
        ``height_m``, ``construction_year``).
    """

    building_id: np.ndarray
    seed: int
    priors: StockPriors
    use: np.ndarray
    n_storeys: np.ndarray
    height_m: np.ndarray
    floor_area_m2: np.ndarray
    period: np.ndarray
    window_state: list[np.ndarray] = field(default_factory=list)
    system: np.ndarray | None = None
    setpoint_u_common: np.ndarray | None = None
    setpoint_u_building: np.ndarray | None = None
    air_factor: np.ndarray | None = None
    hp_cop_factor: np.ndarray | None = None
    pv_factor: np.ndarray | None = None
    sampled: dict[str, np.ndarray] = field(default_factory=dict)
    #: Draws of the calibrated parameters (:func:`twin.energy.calibrated.draw_calibrated`):
    #: parameter -> (n_s, n_b), NaN where not calibrated; None when the scene carries none.
    calibrated: dict[str, np.ndarray] | None = None
    #: ``calib_kind`` of every building (``building``, ``group`` or ``""``), or None.
    calib_kind: np.ndarray | None = None
    #: Groups whose shift depends on the sample (:func:`twin.energy.calibrated.group_conditionals`).
    group_conditional: dict = field(default_factory=dict)
    #: Their shift factor per sample, computed by the first simulation of the samples
    #: (:func:`twin.energy.sampled.simulate_samples`) and shared by every copy of the samples.
    conditioned: dict = field(default_factory=dict)
    #: Per group: each sample's share in the first fitted target's classes at its drawn shift
    #: (standard conditions), (n_samples,).
    conditioned_share: dict = field(default_factory=dict)
    #: Per group: ``(grid of log s (G,), share of every sample on it (G, n_samples))``, the
    #: curves the shifts were drawn from.
    conditioned_curve: dict = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return int(self.use.shape[0])

    @property
    def n_buildings(self) -> int:
        return int(len(self.building_id))

    def setpoint_offset_k(self, base_c: np.ndarray) -> np.ndarray | None:
        """Setpoint offsets (n_s, n_b), K, around the setpoint ``base_c`` (per sample (n_s, 1) or
        per sample and building (n_s, n_b)): the prior truncated to its bounds and, per building,
        to 5-30 C."""
        p = self.priors.heating_setpoint_c
        if p is None or self.setpoint_u_common is None:
            return None
        base = np.asarray(base_c, dtype=float)
        if base.ndim == 1:
            base = base[:, None]
        lo = np.maximum(p.low, 5.0 - base)
        hi = np.minimum(p.high, 30.0 - base)
        return two_level_normal(self.setpoint_u_common, self.setpoint_u_building, p.sd_common, p.sd_building, p.low, p.high, lo, hi)

    def columns(self, s: int) -> dict[str, np.ndarray]:
        """The scene attributes of sample ``s`` (:data:`SCENE_ATTRIBUTES`)."""
        return {a: getattr(self, a)[s] for a in SCENE_ATTRIBUTES}

    def subset(self, samples) -> StockSamples:
        """The samples ``samples`` (indices) only."""
        idx = np.asarray(samples, dtype=np.int64)

        def pick(x):
            return None if x is None else x[idx]

        return replace(
            self,
            use=self.use[idx], n_storeys=self.n_storeys[idx], height_m=self.height_m[idx], floor_area_m2=self.floor_area_m2[idx],
            period=self.period[idx], window_state=[w[idx] for w in self.window_state], system=pick(self.system),
            setpoint_u_common=pick(self.setpoint_u_common), setpoint_u_building=pick(self.setpoint_u_building),
            air_factor=pick(self.air_factor), hp_cop_factor=pick(self.hp_cop_factor), pv_factor=pick(self.pv_factor),
            calibrated=None if self.calibrated is None else {k: v[idx] for k, v in self.calibrated.items()},
        )

    def for_scene(self, scene) -> StockSamples:
        """The samples aligned to ``scene``'s buildings by id (a what-if of the sampled scene).

        Buildings the samples do not know (inserted by the what-if) keep their central values
        in every sample and count as not sampled; removed buildings drop out.
        """
        b = scene.buildings
        ids = b["building_id"].astype(str).to_numpy()
        if len(ids) == len(self.building_id) and np.array_equal(ids, self.building_id):
            return self
        pos = pd.Index(self.building_id).get_indexer(ids)
        known = pos >= 0
        n_s = self.n_samples
        central = _central(b)

        def take(x, fill, dtype=None):
            if x is None:
                return None
            out = np.empty((n_s, len(ids)), dtype=dtype or x.dtype)
            out[:, known] = x[:, pos[known]]
            out[:, ~known] = np.broadcast_to(np.asarray(fill)[~known] if np.ndim(fill) else fill, (n_s, int((~known).sum())))
            return out

        return replace(
            self,
            building_id=ids,
            use=take(self.use, central["use"]),
            n_storeys=take(self.n_storeys, central["n_storeys"]),
            height_m=take(self.height_m, central["height_m"]),
            floor_area_m2=take(self.floor_area_m2, central["floor_area_m2"]),
            period=take(self.period, central["period"]),
            window_state=[take(w, -1) for w in self.window_state],
            system=take(self.system, "", object),
            setpoint_u_building=take(self.setpoint_u_building, 0.5),
            air_factor=take(self.air_factor, 1.0),
            sampled={k: np.where(known, v[np.maximum(pos, 0)], False) for k, v in self.sampled.items()},
            calibrated=None if self.calibrated is None else {k: take(v, np.nan) for k, v in self.calibrated.items()},
            calib_kind=None if self.calib_kind is None else np.where(known, self.calib_kind[np.maximum(pos, 0)], "").astype(object),
            group_conditional={g: {**c, "members": np.where(known, c["members"][np.maximum(pos, 0)], False)} for g, c in self.group_conditional.items()},
        )


def _central(buildings: pd.DataFrame) -> dict[str, np.ndarray]:
    """Central (scene) values of the sampled attributes, and the central TABULA period."""
    from twin.energy.typology import DEFAULT_YEAR, load_typology, period_of_year

    n = len(buildings)
    year = pd.to_numeric(buildings["construction_year"], errors="coerce").to_numpy(dtype=float) if "construction_year" in buildings else np.full(n, np.nan)
    year = np.where(np.isfinite(year), year, DEFAULT_YEAR)
    return {
        "use": buildings["use"].astype(str).str.lower().to_numpy(dtype=object) if "use" in buildings else np.full(n, "residential", dtype=object),
        "n_storeys": buildings["n_storeys"].to_numpy(dtype=float),
        "height_m": buildings["height_m"].to_numpy(dtype=float),
        "floor_area_m2": buildings["floor_area_m2"].to_numpy(dtype=float),
        "footprint_area_m2": buildings["footprint_area_m2"].to_numpy(dtype=float),
        "period": period_of_year(year, load_typology()).astype(np.int64),
    }


def rows_of(scene) -> np.ndarray:
    """Row label of every building: buildings joined by party walls (directly or through others)
    share one (a scene without footprints: every building its own)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    b = scene.buildings
    n = len(b)
    party_walls = getattr(scene, "party_walls", None)
    if party_walls is None or n == 0 or "geometry" not in b.columns:
        return np.arange(n)
    pw = party_walls()
    pos = pd.Index(b["building_id"].astype(str))
    i, j = pos.get_indexer(pw["building_id"].astype(str)), pos.get_indexer(pw["neighbour_id"].astype(str))
    ok = (i >= 0) & (j >= 0)
    graph = coo_matrix((np.ones(int(ok.sum())), (i[ok], j[ok])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def row_uniforms(rng: np.random.Generator, u: np.ndarray, rows: np.ndarray, share: float) -> np.ndarray:
    """``u`` (n_s, n_b) where each building takes its row's uniform with probability ``share``
    (the draws are made whatever ``share``, so the stream does not depend on it)."""
    n_s = u.shape[0]
    row_u = _open_uniform(rng.random((n_s, int(rows.max()) + 1 if len(rows) else 0)))
    take = rng.random(u.shape) < share
    return np.where(take, row_u[:, rows], u) if len(rows) else u


def _uncertain(sources: pd.DataFrame, attribute: str) -> tuple[np.ndarray, np.ndarray]:
    """(uncertain, inferred) masks of an attribute."""
    s = sources[attribute].to_numpy(dtype=object)
    return np.isin(s, UNCERTAIN_SOURCES), s == "inferred"


def _draw_categorical(prior: Categorical, rng: np.random.Generator, n_s: int, n_b: int, central_index: np.ndarray | None,
                      uncertain: np.ndarray, inferred: np.ndarray, footprint_m2: np.ndarray | None = None) -> np.ndarray:
    """Category index (n_s, n_b) where ``uncertain`` (else -1).

    Inferred values (``central_index`` >= 0) are kept with probability ``keep_inferred``. With
    footprint bands, each band has its own district mix. Every draw is made for every building
    (streams do not depend on the sources).
    """
    bands = prior.bands or ((np.inf, prior.shares),)
    mixes = [district_mix(rng, shares, prior.concentration, n_s) for _, shares in bands]
    u = _open_uniform(rng.random((n_s, n_b)))
    keep_u = rng.random((n_s, n_b))
    if len(bands) == 1:
        idx = categorical_draw(mixes[0], u)
    else:
        tops = np.array([t for t, _ in bands])
        band = np.searchsorted(tops, np.asarray(footprint_m2, dtype=float), side="right")
        band = np.minimum(band, len(bands) - 1)
        idx = np.empty((n_s, n_b), dtype=np.int64)
        for j, mix in enumerate(mixes):
            m = band == j
            if m.any():
                idx[:, m] = categorical_draw(mix, u[:, m])
    if central_index is not None and prior.keep_inferred > 0:
        keep = inferred[None, :] & (keep_u < prior.keep_inferred) & (central_index[None, :] >= 0)
        idx = np.where(keep, np.broadcast_to(central_index, idx.shape), idx)
    idx[:, ~uncertain] = -1
    return idx


def draw_stock_samples(scene, priors: StockPriors, n_samples: int, seed: int) -> StockSamples:
    """Draw ``n_samples`` samples of the scene's unknown building attributes (module docstring).

    Parameters
    ----------
    scene
        The (baseline) scene: ``buildings`` with ``use``, ``n_storeys``, ``height_m``,
        ``floor_area_m2``, ``footprint_area_m2``, ``construction_year`` and their sources.
    priors
        The checked prior table (:func:`twin.energy.priors.load_priors`).
    n_samples, seed
        Number of samples (>= 1) and the seed.

    Raises
    ------
    ResourceLimitError
        More than :data:`MAX_CELLS` samples x buildings.
    """
    from twin.errors import ResourceLimitError
    from twin.scene.provenance import building_sources

    b = scene.buildings
    n_b, n_s = len(b), int(n_samples)
    if n_s < 1:
        raise ValueError("n_samples must be >= 1")
    if n_s * max(n_b, 1) > MAX_CELLS:
        raise ResourceLimitError(f"{n_s:,} samples x {n_b:,} buildings = {n_s * n_b:,} draws, above the limit of {MAX_CELLS:,}",
                                 field="uncertainty.samples")
    ids = b["building_id"].astype(str).to_numpy()
    sources = building_sources(b)
    central = _central(b)
    footprint_only = b["source_format"].astype(str).to_numpy() != "ifc" if "source_format" in b else np.ones(n_b, bool)
    sampled: dict[str, np.ndarray] = {}

    # use
    use = np.broadcast_to(central["use"], (n_s, n_b)).copy()
    unc_use, inf_use = _uncertain(sources, "use")
    unc_use &= footprint_only
    if priors.use is not None:
        cats = np.array(priors.use.categories, dtype=object)
        cidx = pd.Index(cats).get_indexer(central["use"])
        idx = _draw_categorical(priors.use, _rng(seed, "use"), n_s, n_b, cidx, unc_use, inf_use, central["footprint_area_m2"])
        use = np.where(idx >= 0, cats[np.maximum(idx, 0)], use)
        sampled["use"] = unc_use.copy()
    else:
        sampled["use"] = np.zeros(n_b, bool)

    # storeys and height, jointly
    storeys, height = _draw_storeys_height(scene, priors, seed, n_s, central, sources, use, footprint_only, sampled)
    floor = np.where(footprint_only[None, :], central["footprint_area_m2"][None, :] * storeys, central["floor_area_m2"][None, :])

    # construction period
    period = np.broadcast_to(central["period"], (n_s, n_b)).copy()
    unc_year, inf_year = _uncertain(sources, "construction_year")
    unc_year &= footprint_only
    if priors.construction_period is not None:
        cats = np.array(priors.construction_period.categories, dtype=np.int64)
        cidx = pd.Index(cats).get_indexer(central["period"])
        cidx = np.where(inf_year, cidx, -1)
        idx = _draw_categorical(priors.construction_period, _rng(seed, "construction_period"), n_s, n_b, cidx, unc_year, inf_year)
        period = np.where(idx >= 0, cats[np.maximum(idx, 0)], period)
        sampled["construction_year"] = unc_year.copy()
    else:
        sampled["construction_year"] = np.zeros(n_b, bool)

    # calibrated buildings: a building fitted to its own meter keeps its central attributes (its
    # calibration was made on them) and draws its parameters from its posterior; a building of a
    # calibrated group keeps its prior draws and adds the group's shift (twin.energy.calibrated)
    from twin.energy.calibrated import draw_calibrated

    cal = draw_calibrated(b, ids, n_s, seed, STREAM_TAG)
    calibrated, calib_kind = (None, None) if cal is None else cal
    if calib_kind is not None:
        fixed = calib_kind == "building"
        if fixed.any():
            use[:, fixed] = central["use"][fixed]
            storeys[:, fixed] = central["n_storeys"][fixed]
            height[:, fixed] = central["height_m"][fixed]
            floor[:, fixed] = central["floor_area_m2"][fixed]
            period[:, fixed] = central["period"][fixed]
            for key in sampled:
                sampled[key] = sampled[key] & ~fixed
    from twin.energy.calibrated import group_conditionals

    out = StockSamples(ids, int(seed), priors, use, storeys, height, floor, period, sampled=sampled, calibrated=calibrated,
                       calib_kind=calib_kind, group_conditional=group_conditionals(b, ids) if calib_kind is not None else {})
    # energy-model draws: resolved per building by the energy model
    if priors.window is not None:
        rng = _rng(seed, "window")
        for g in priors.window.groups:
            mix = district_mix(rng, g.shares, priors.window.concentration, n_s)
            out.window_state.append(categorical_draw(mix, _open_uniform(rng.random((n_s, n_b)))))
    if priors.heating_system is not None:
        rng = _rng(seed, "heating_system")
        mix = district_mix(rng, priors.heating_system.shares, priors.heating_system.concentration, n_s)
        idx = categorical_draw(mix, _open_uniform(rng.random((n_s, n_b))))
        out.system = np.array(priors.heating_system.categories, dtype=object)[idx]
        # a building whose system the scene declares (heating_system from data, the user or a
        # calibration) keeps it in every sample; the draws of the others are those without it
        from twin.energy.model import scene_systems

        declared = scene_systems(b)
        if declared is not None:
            known, system, _source = declared
            out.system[:, known] = system[known]
    if priors.heating_setpoint_c is not None:
        rng = _rng(seed, "heating_setpoint_c")
        out.setpoint_u_common = rng.random(n_s)
        out.setpoint_u_building = rng.random((n_s, n_b))
    if priors.air_change is not None:
        rng = _rng(seed, "air_change")
        p = priors.air_change
        log_f = two_level_normal(rng.random(n_s), rng.random((n_s, n_b)), p.sd_common, p.sd_building, math.log(p.low), math.log(p.high))
        out.air_factor = np.exp(log_f)
    if priors.heat_pump_cop is not None:
        p = priors.heat_pump_cop
        rng = _rng(seed, "heat_pump_cop")
        out.hp_cop_factor = np.exp(truncated_normal_ppf(rng.random(n_s), p.sd_common, math.log(p.low), math.log(p.high)))
    if priors.pv_yield is not None:
        p = priors.pv_yield
        rng = _rng(seed, "pv_yield")
        out.pv_factor = np.exp(truncated_normal_ppf(rng.random(n_s), p.sd_common, math.log(p.low), math.log(p.high)))
    return out


def _draw_storeys_height(scene, priors: StockPriors, seed: int, n_s: int, central: dict, sources: pd.DataFrame, use: np.ndarray,
                         footprint_only: np.ndarray, sampled: dict) -> tuple[np.ndarray, np.ndarray]:
    """Storeys and height (n_s, n_b) drawn jointly (module docstring)."""
    from twin.scene.limits import MAX_HEIGHT_M, MAX_STOREYS

    n_b = len(central["n_storeys"])
    rows = rows_of(scene)
    s_c = np.broadcast_to(central["n_storeys"], (n_s, n_b)).astype(float)
    h_c = np.broadcast_to(central["height_m"], (n_s, n_b)).astype(float)
    unc_s, _ = _uncertain(sources, "n_storeys")
    unc_h, _ = _uncertain(sources, "height_m")
    unc_s &= footprint_only
    unc_h &= footprint_only
    sampled["n_storeys"] = np.zeros(n_b, bool)
    sampled["height_m"] = np.zeros(n_b, bool)
    if priors.storey_height_m is None and priors.storeys is None:
        return s_c.copy(), h_c.copy()
    # one floor-to-floor height per building and sample, by its (sampled) use
    rng_h = _rng(seed, "storey_height_m")
    u_h = _open_uniform(rng_h.random((n_s, n_b)))
    u_h = row_uniforms(rng_h, u_h, rows, priors.storey_height_m.row_share if priors.storey_height_m is not None else 0.0)
    if priors.storey_height_m is not None:
        storey_h = np.empty((n_s, n_b))
        for u_name in pd.unique(use.ravel()):
            t = priors.storey_height_m.of(u_name)
            m = use == u_name
            storey_h[m] = triangular_ppf(u_h[m], t.low, t.mode, t.high)
    else:  # the scene's own storey height
        sh = scene.buildings["storey_height_m"].to_numpy(dtype=float) if "storey_height_m" in scene.buildings else central["height_m"] / np.maximum(central["n_storeys"], 1)
        storey_h = np.broadcast_to(sh, (n_s, n_b)).astype(float)
    storeys = s_c.copy()
    height = h_c.copy()
    only_s = unc_s & ~unc_h  # height known: storeys from it
    only_h = unc_h & ~unc_s  # storeys known: height from them
    both = unc_s & unc_h
    storeys[:, only_s] = np.clip(np.round(h_c[:, only_s] / storey_h[:, only_s]), 1, MAX_STOREYS)
    height[:, only_h] = s_c[:, only_h] * storey_h[:, only_h]
    if both.any() and priors.storeys is not None:
        p = priors.storeys
        rng = _rng(seed, "storeys")
        mix = district_mix(rng, p.shares, p.concentration, n_s)
        u = row_uniforms(rng, _open_uniform(rng.random((n_s, n_b))), rows, p.row_share)
        # the centre: the building's own (inferred or default) storeys; a default for an untagged
        # footprint already spans its possible uses, so a resampled use does not move it
        centre = s_c
        for s in range(n_s):
            cand = centre[s][:, None] + p.offsets[None, :]
            allowed = (cand >= p.min) & (cand <= p.max)
            k = categorical_draw(mix[s:s + 1], u[s:s + 1], allowed)[0]
            pick = np.where(k >= 0, cand[np.arange(n_b), np.maximum(k, 0)], np.clip(centre[s], p.min, p.max))
            storeys[s, both] = pick[both]
        height[:, both] = storeys[:, both] * storey_h[:, both]
    elif both.any():
        height[:, both] = storeys[:, both] * storey_h[:, both]
    height = np.minimum(height, MAX_HEIGHT_M)
    sampled["n_storeys"] = unc_s.copy()
    sampled["height_m"] = unc_h.copy()
    return storeys, height


__all__ = [
    "SCENE_ATTRIBUTES",
    "rows_of",
    "row_uniforms",
    "STREAM_TAG",
    "StockSamples",
    "categorical_draw",
    "district_mix",
    "draw_stock_samples",
    "triangular_ppf",
    "truncated_normal_ppf",
    "two_level_normal",
]
