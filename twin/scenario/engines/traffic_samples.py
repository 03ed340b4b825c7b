"""Monte Carlo of the traffic engine: baseline and what-ifs paired, sample by sample.

Sample ``s`` of a scenario (``uncertainty.samples``) is, for the mobility model:

* the buildings' floor areas and uses of the stock priors' sample ``s``
  (:mod:`twin.energy.stock_samples`, aligned by building id to every what-if scene), when the
  priors are on: residents, jobs and school places, hence trip ends and the access weights;
* with ``traffic.sample_model_parameters`` (default): the mode-choice coefficients drawn from
  normals with their standard errors (:meth:`twin.traffic.mode_choice.ModeChoiceModel.sample`),
  every demand parameter uniform in its documented band
  (:func:`twin.traffic.demand.sample_parameters`; one fixed by
  ``traffic.evaporation_elasticity`` stays fixed) and the emission factors uniform in theirs
  (:func:`twin.traffic.emissions.sample_factors`), from
  ``numpy.random.default_rng([seed, STREAM_TAG, s])`` (so a sample's draws do not depend on how
  many samples there are);
* the engine options of the sample (``uncertainty.parameters`` on ``traffic.*``).

The baseline of the sample is recalibrated (mode constants to the target shares, the
destination-choice scale to the mean trip length) with the sample's coefficients and
parameters; each what-if the runner re-runs is then run against that sample's baseline
(``baseline=``) and compared with it: the what-if's changes (rerouted, mode-shifted,
evaporated trips...) are paired, and so are the deltas of the state KPIs. A what-if that
changes nothing the mobility model reads (de-sealing) takes its sample's baseline results
(its access shares from its own access times). Access times are computed once per scene; a
sample re-weights them with its residents.

Cost: two mobility runs per sample for the default scenario (baseline and the low-traffic
Parvis), about 0.3-0.5 s each on Saint-Gilles (``docs/scenarios.md`` has the measured run). The
traffic part of the default run (central runs and the 40 paired samples, CPU time of the
process) took 35.6 and 37.4 s before the kernels of a district's size ran on one thread and the
what-if found its baseline's public-transport skims (:mod:`twin.traffic.kernel_threads`,
``twin.traffic.mobility._PT_SKIM_CACHE``), 22.2 and 23.4 s after, with the same KPIs to the last
bit (2026-12-06, 2 cores shared, load average 10-21). Networks are made per run: their zone
connectors follow the sample's activity-weighted zone centroids; their street part is shared
(:mod:`twin.traffic.mode_streets`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.scenario.engines import traffic_model as M
from twin.scenario.engines.traffic_access import access_kpis

#: Second element of every sample's seed sequence (apart from the scenario's other streams:
#: option draws ``default_rng(seed)``, selections ``[seed, i]``, stock priors ``[seed, 0x70C5, k]``).
STREAM_TAG = 0x7AFF1C


def _sampled_scene(scene: Any, aligned: Any, s: int) -> Any:
    """A copy of ``scene`` whose buildings carry sample ``s``'s floor areas and uses.

    Only these two columns change, so only they are checked (:func:`_check_sampled_columns`,
    then :meth:`~twin.scene.Scene.set_columns`), not the whole layer again (``set_layer``
    conforms and checks every column: 14-22 ms per call on Saint-Gilles, about 2 ms this way;
    twice per sample). The copy drops the scene's cached values that depend on the buildings'
    attributes and keeps those of their geometry.
    """
    if aligned is None:
        return scene
    floor, use = _check_sampled_columns(scene.buildings, aligned.floor_area_m2[s], aligned.use[s], s)
    sc = scene.copy()
    sc.set_columns("buildings", {"floor_area_m2": floor, "use": use})  # ids, geometry and heights are the scene's
    return sc


def _check_sampled_columns(buildings: pd.DataFrame, floor_area_m2: Any, use: Any, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``s``'s floor areas (float64, finite, >= 0) and uses (text), one per building.

    Raises
    ------
    SchemaError
        A sample that does not hold one value per building, a floor area that is not a finite
        number >= 0, a use that is not text (naming the building and the column).
    """
    from twin.errors import SchemaError

    n = len(buildings)
    ids = buildings["building_id"]
    where = f"Monte Carlo sample {s} of the stock priors"
    floor = np.asarray(floor_area_m2)
    use = np.asarray(use, dtype=object)
    for name, values in (("floor_area_m2", floor), ("use", use)):
        if values.shape != (n,):
            raise SchemaError(f"{where}: {values.shape} values for {n} buildings", obj="buildings", field=name)
    try:
        floor = floor.astype(np.float64)
    except (TypeError, ValueError):
        raise SchemaError(f"{where}: floor areas that are not numbers", obj="buildings", field="floor_area_m2") from None
    bad = ~(np.isfinite(floor) & (floor >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SchemaError(f"{where}: floor area {floor[i]!r} is not a finite number >= 0", obj=ids.iloc[i], field="floor_area_m2")
    bad = np.array([not isinstance(u, str) for u in use.tolist()], dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SchemaError(f"{where}: use {use[i]!r} is not text", obj=ids.iloc[i], field="use")
    return floor, use


def draw_model(files: M.ModelFiles, params: dict, rng: np.random.Generator) -> tuple[dict, Any, tuple[float, float]]:
    """One sample's demand parameters, mode-choice coefficients and emission factors (CO2 kg/km, NOx g/km)."""
    from twin.traffic.demand import sample_parameters
    from twin.traffic.emissions import per_km, read_factors, sample_factors

    drawn = sample_parameters(params, 1, rng)[0]
    model = files.model.sample(1, rng)[0]
    factors = sample_factors(read_factors(), 1, rng)[0]
    return drawn, model, per_km(factors)


def run_samples_paired(baseline_scene: Any, whatif_scenes: dict[str, Any], options: list, stock: Any, *, base_dir: Path,
                       seed: int) -> tuple[list[dict], dict[str, list[dict]], dict[str, list[dict]], list[str]]:
    """KPIs of every sample of the baseline and of each what-if in ``whatif_scenes``.

    Parameters
    ----------
    baseline_scene, whatif_scenes
        The baseline scene and the what-if scenes the runner re-runs (by name).
    options
        The traffic options of each sample (a list, one per sample).
    stock
        :class:`~twin.energy.stock_samples.StockSamples` of the baseline scene, or None (priors off).
    base_dir
        The scenario's folder (its files).
    seed
        The scenario's seed.

    Returns
    -------
    (baseline KPIs per sample, what-if KPIs per sample by name, what-if-specific baseline values
    per sample by name (the closed links' baseline flow), notes)
    """
    from twin.io import progress as _progress
    from twin.scenario.engines.traffic import access_for, baseline_result
    from twin.traffic.mobility import compare_mobility, run_district_mobility

    n_all = len(options)
    limit = options[0].samples
    options = options if limit is None else options[:limit]  # traffic.samples: the first ones
    n = len(options)
    periods = tuple(options[0].periods)
    base_digest = M.mobility_digest(baseline_scene)
    aligned_base = stock.for_scene(baseline_scene) if stock is not None else None
    # central runs: the access times of each scene (public transport uses the central zone skims)
    central = options[0]
    central_base = baseline_result(baseline_scene, central, base_dir=base_dir)
    acc_base = access_for(baseline_scene, central, base_dir=base_dir, result=central_base)
    plans = {}
    for name, sc in whatif_scenes.items():
        same = M.mobility_digest(sc) == base_digest
        closed = [] if same else M.closed_links(baseline_scene, sc)
        acc = acc_base if same else access_for(sc, central, base_dir=base_dir, result=None if not central.models_public_transport else _central_whatif(sc, central, central_base, base_dir))
        plans[name] = (sc, same, closed, acc, None if (same or stock is None) else stock.for_scene(sc))
    base_k: list[dict] = []
    what_k: dict[str, list[dict]] = {name: [] for name in whatif_scenes}
    what_base: dict[str, list[dict]] = {name: [] for name in whatif_scenes}
    unserved_samples = 0
    for s in _progress.track(range(n), "traffic samples", unit="samples"):
        o = options[s]
        files = M.model_files(o, base_dir, crs=baseline_scene.crs)
        mopts = M.mobility_options(o, files)
        params = M.central_parameters(o, files)
        model, per_km = files.model, None
        if o.sample_model_parameters:
            params, model, per_km = draw_model(files, params, np.random.default_rng([int(seed), STREAM_TAG, s]))
        sc_b = _sampled_scene(baseline_scene, aligned_base, s)
        timetable = M.sample_timetable(files, o, params, baseline_scene.crs)
        base = run_district_mobility(sc_b, mopts, model=model, params=M.scaled(params, M.demand_factor(baseline_scene)), timetable=timetable)
        w_b = M.residents(sc_b, params)
        kb = {**M.zero_changes(periods), **M.state(base, periods, per_km), **access_kpis(acc_base, w_b, float(o.minutes))}
        base_k.append(kb)
        unserved = len(base.unserved) > 0
        for name, (sc, same, closed, acc, aligned) in plans.items():
            if same:
                kw = dict(kb)
                kw.update(access_kpis(acc, w_b, float(o.minutes)))
                what_k[name].append(kw)
                what_base[name].append({})
                continue
            sc_w = _sampled_scene(sc, aligned, s)
            var = run_district_mobility(sc_w, mopts, params=M.scaled(params, M.demand_factor(sc)), baseline=base, timetable=timetable)
            cmp = compare_mobility(base, var, closed_link_ids=closed, link_change=False)  # the KPIs only
            kw = {**M.changes(cmp["kpis"], periods), **M.state(var, periods, per_km), **access_kpis(acc, M.residents(sc_w, params), float(o.minutes))}
            what_k[name].append(kw)
            what_base[name].append(M.closed_flow(base, closed, periods))
            unserved = unserved or len(var.unserved) > 0
        unserved_samples += int(unserved)
    drew = "the stock priors' floor areas and uses" if stock is not None else ""
    if central.sample_model_parameters:
        drew = (drew + ", " if drew else "") + "the mode-choice coefficients, demand parameters and emission factors"
        if central.transit_routes:
            drew += ", and the headways of the public transport from the map's routes (pt_headway_factor)"
    of = f" (the first {n} of the scenario's {n_all}: traffic.samples)" if n < n_all else ""
    notes = [f"{n} Monte Carlo samples{of} of {drew or 'the declared parameters'}; each sample's baseline recalibrated, its what-ifs "
             "run against it (paired)"]  # fmt: skip
    if unserved_samples:
        notes.append(f"{unserved_samples} of {n} samples left some trips without a path (counted in <period>_unserved_trips)")
    return base_k, what_k, what_base, notes


def _central_whatif(scene: Any, options: Any, base: Any, base_dir: Path) -> Any:
    """The central what-if run (for its public-transport skims)."""
    from twin.traffic.mobility import run_district_mobility

    files = M.model_files(options, base_dir, crs=scene.crs)
    params = M.scaled(M.central_parameters(options, files), M.demand_factor(scene))
    return run_district_mobility(scene, M.mobility_options(options, files), params=params, baseline=base, timetable=files.timetable)
