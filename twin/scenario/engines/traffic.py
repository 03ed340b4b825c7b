"""Traffic engine adapter: the district mobility model and the 15-minute access indicator.

Each scene runs :func:`twin.traffic.mobility.run_district_mobility` (``docs/traffic.md``,
"District mobility"): trip ends from the buildings and POIs on grid zones, walk / bike / car
networks (and public transport with a GTFS feed), destination and mode choice on the skims,
car assignment with the through traffic at the district's edges, per period (``am_peak``,
``off_peak``). The baseline calibrates the mode constants and the destination-choice scale to
Brussels' shares and mean trip; a what-if runs against it (``baseline=``: same calibration;
trip making elastic to the change of the destination logsum, so traffic can evaporate), and
:func:`twin.traffic.mobility.compare_mobility` splits its change into rerouted, mode-shifted,
redistributed and evaporated trips. A what-if that changes nothing the model reads (e.g.
de-sealing) reuses the baseline's run.

Every trip is served by some mode or listed with its reason (``result.unserved``): each row is
a note, the count is the KPI ``<period>_unserved_trips`` and any unserved trip is a warning.

KPIs (per period ``p``; :func:`kpi_names`): the what-if's changes
(``p_rerouted_car_trips``, ``p_mode_shifted_trips``, ``p_evaporated_trips``,
``p_redistributed_car_trips``, ``p_evaporated_through_vehicles``, ``p_closed_link_flow_veh_h``:
0 for the baseline against itself; the closed-link flow's baseline value is the baseline's flow
on the links the what-if closes), the state of each run (``p_person_trips``, mode shares,
vehicle-km on all / residential / main streets, CO2, NOx, unserved trips, largest
volume/capacity) and ``access_<minutes>min_<mode>_<category>_pct`` (share of residents within
the threshold of each service category, :mod:`twin.scenario.engines.traffic_access`).

Monte Carlo (:func:`run_samples_paired`, :mod:`twin.scenario.engines.traffic_samples`): each
sample takes the stock priors' floor areas and uses and draws the mode-choice coefficients,
the demand parameters and the emission factors; the baseline is recalibrated on the sample and
every what-if runs against that sample's baseline (paired).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twin.caching import BoundedCache
from twin.errors import InputError, ResourceLimitError
from twin.scenario.engines import traffic_model as M
from twin.scenario.engines.traffic_access import access_kpi_names, access_kpis, access_times
from twin.scenario.runner import EngineResult

#: Scene layers (and meta keys) this engine reads.
READS = frozenset({"nodes", "links", "buildings", "pois", "landcover", "meta:demand_factor"})

#: The columns of ``buildings`` it reads (a renovation, which changes none, reuses the
#: baseline's traffic results): footprints (zones, access), floor area and uses (residents,
#: jobs, school buildings).
BUILDING_COLUMNS = ("building_id", "geometry", "floor_area_m2", "use", "ground_floor_use", "footprint_area_m2")

#: Sampled building attributes the engine reads (floor area and use: residents and jobs).
STOCK_ATTRIBUTES = frozenset({"floor_area_m2", "use"})

#: What-ifs run against the baseline's run (see :mod:`twin.scenario.runner`).
PAIRED = True

#: Most occupied zones of a scenario run (the skims hold zones x zones per mode and period;
#: Saint-Gilles at 100 m has 99 and runs in about 0.5 s; the cost grows with the square).
MAX_ZONES = 1_000

#: Unserved trips listed one per note (the rest are counted in one line).
MAX_UNSERVED_NOTES = 30


class _UndefinedOk:
    """KPIs that are NaN when undefined: mode shares of no trip, the volume/capacity of a period
    without car flow, access shares without residents."""

    def __contains__(self, kpi: object) -> bool:
        k = str(kpi)
        return k.endswith("_share_pct") or k.endswith("_max_volume_capacity_ratio") or k.startswith("access_")


UNDEFINED_OK = _UndefinedOk()


def _periods(options) -> tuple[str, ...]:
    return tuple(options.periods)


def kpi_names(options) -> tuple[str, ...]:
    """The KPIs this engine reports with ``options``, in the order reported."""
    from twin.traffic.indicators import DEFAULT_CATEGORIES

    periods = _periods(options)
    names = [f"{p}_{k}" for p in periods for k in M.CHANGE_KPIS]
    names += [f"{p}_{k}" for p in periods for k in M.STATE_KPIS]
    modes = ("walk", "bike", "pt") if options.models_public_transport else ("walk", "bike")
    cats = tuple(options.access_categories) if options.access_categories else DEFAULT_CATEGORIES
    return tuple(names) + access_kpi_names(modes, cats, float(options.minutes))


def check_inputs(options, *, base_dir: Path) -> None:
    """Read and check the files the traffic options name (tables, GTFS feed) before any work.

    Raises
    ------
    InputError
        See :func:`twin.scenario.engines.traffic_model.model_files`.
    """
    M.model_files(options, base_dir)


def check_scene(scene, options) -> None:
    """What the engine needs, checked before any engine runs: streets open to cars, buildings,
    and at most :data:`MAX_ZONES` zones.

    Raises
    ------
    InputError
        No street link, no street open to cars, no building.
    ResourceLimitError
        More occupied zones than :data:`MAX_ZONES` at ``traffic.zone_size_m``.
    """
    import shapely

    links = scene.links
    if len(links) == 0:
        raise InputError("the traffic engine needs streets: add a streets file to inputs.files", field="inputs.files")
    car = links["modes"].fillna("").map(lambda v: "car" in str(v).split(",")).to_numpy(bool)
    if not car.any():
        raise InputError("no street of the scene is open to cars", obj="links", field="modes")
    b = scene.buildings
    if len(b) == 0:
        raise InputError("the traffic engine needs buildings (trip ends come from them)", field="inputs.files")
    xy = shapely.get_coordinates(shapely.point_on_surface(np.asarray(b.geometry.values, dtype=object)))
    pois = scene.layer("pois")
    if len(pois):
        xy = np.vstack([xy, shapely.get_coordinates(shapely.centroid(np.asarray(pois.geometry.values, dtype=object)))])
    cells = np.floor((xy - xy.min(axis=0)) / float(options.zone_size_m)).astype(np.int64)
    n = len(np.unique(cells, axis=0))
    if n > MAX_ZONES:
        from twin.traffic.uncut_sites import cut_advice

        raise ResourceLimitError(f"the scene has {n:,} occupied zones of {options.zone_size_m:g} m, above the traffic engine's limit of "
                                 f"{MAX_ZONES:,} (zone-to-zone skims and choices grow with the square): use larger zones"
                                 f"{cut_advice(scene, 'inputs.clip_to_sites: true')}",
                                 field="traffic.zone_size_m")  # fmt: skip


# ---------------------------------------------------------------------------------------- runs
def _files(options, base_dir: Path, scene):
    return M.model_files(options, base_dir, crs=scene.crs)


def baseline_result(scene, options, *, base_dir: Path):
    """The baseline mobility run of ``scene`` (cached on the scene by content and options)."""
    from twin.traffic.mobility import run_district_mobility

    files = _files(options, base_dir, scene)
    key = f"traffic:mobility:{M.mobility_digest(scene)}:{options.model_dump_json()}"
    if key not in scene._cache:
        params = M.scaled(M.central_parameters(options, files), M.demand_factor(scene))
        scene._cache[key] = run_district_mobility(scene, M.mobility_options(options, files), model=files.model, params=params,
                                                  timetable=files.timetable)  # fmt: skip
    return scene._cache[key]


#: Access times by content (what they read, options): a what-if that changes none of it (a
#: closure to cars only, de-sealing) reuses the baseline's. The last four stored.
_ACCESS_CACHE: BoundedCache[str, object] = BoundedCache(4)


def access_for(scene, options, *, base_dir: Path, result=None, params=None):
    """Access times of ``scene`` (:func:`twin.scenario.engines.traffic_access.access_times`),
    cached by what they read; ``result``: the scene's mobility run (public-transport skims)."""
    from twin.traffic.demand import trip_ends
    from twin.traffic.indicators import DEFAULT_CATEGORIES

    files = _files(options, base_dir, scene)
    cats = tuple(options.access_categories) if options.access_categories else DEFAULT_CATEGORIES
    # the times depend on the services, the walk and bike networks and, with a feed, the zones;
    # not on the threshold (applied when weighting) nor on the model's parameters
    key = f"{M.access_digest(scene, cats, with_timetable=files.timetable is not None)}:{cats}:{options.zone_size_m}:{files.gtfs}:{options.gtfs_date}:{files.transit_routes}:{files.transit_defaults}"
    times = _ACCESS_CACHE.get(key)
    if times is None:
        params = params if params is not None else M.central_parameters(options, files)
        ends = trip_ends(scene, params, zone_size_m=float(options.zone_size_m))
        times = _ACCESS_CACHE.put(key, access_times(scene, M.mobility_options(options, files), ends=ends, result=result, timetable=files.timetable))
    return times


def _notes(result, periods) -> list[str]:
    notes = list(result.notes)
    for p in periods:
        k = result.kpis
        r = result.periods[p]
        gap = r.assignment.relative_gap if r.assignment is not None else float("nan")
        notes.append(f"{p}: {k[f'{p}_person_trips']:,.0f} person trips (walk {k[f'{p}_walk_share_pct']:.1f} %, bike {k[f'{p}_bike_share_pct']:.1f} %, "
                     f"public transport {k[f'{p}_pt_share_pct']:.1f} %, car {k[f'{p}_car_share_pct']:.1f} %), {r.through.sum():,.0f} through "
                     f"vehicles; car assignment (Algorithm B) to relative gap {gap:.1e}")  # fmt: skip
    rows = result.unserved
    for row in rows.head(MAX_UNSERVED_NOTES).itertuples():
        notes.append(f"unserved ({row.period}, {row.segment}, {row.zone}): {row.trips:,.2f} trips: {row.reason}")
    if len(rows) > MAX_UNSERVED_NOTES:
        notes.append(f"... and {len(rows) - MAX_UNSERVED_NOTES} more unserved rows ({rows['trips'].iloc[MAX_UNSERVED_NOTES:].sum():,.1f} trips)")
    return notes


def _warnings(result) -> list[str]:
    rows = result.unserved
    if len(rows) == 0:
        return []
    first = rows.iloc[0]
    return [f"{rows['trips'].sum():,.1f} trips have no path by any mode ({len(rows)} origin or edge-pair rows over "
            f"{rows['period'].nunique()} periods; e.g. {first['zone']}: {first['reason']}); they are listed in the notes and counted in "
            "<period>_unserved_trips"]  # fmt: skip


def run(scene, options, *, base_dir: Path, baseline_scene=None) -> EngineResult:
    """The mobility model on ``scene``: the baseline when ``baseline_scene`` is None, else a
    what-if against the baseline's run (see the module docstring)."""
    from twin.traffic.mobility import compare_mobility, run_district_mobility

    periods = _periods(options)
    files = _files(options, base_dir, scene)
    params = M.scaled(M.central_parameters(options, files), M.demand_factor(scene))
    if baseline_scene is None:
        result = baseline_result(scene, options, base_dir=base_dir)
        kpis = {**M.zero_changes(periods), **M.state(result, periods)}
        baseline_kpis: dict[str, float] = {}
        notes = _notes(result, periods)
    else:
        base = baseline_result(baseline_scene, options, base_dir=base_dir)
        if M.mobility_digest(scene) == M.mobility_digest(baseline_scene):
            result, closed = base, []
            kpis = {**M.zero_changes(periods), **M.state(base, periods)}
            notes = ["nothing the mobility model reads changed: the baseline's trips and flows"]
        else:
            closed = M.closed_links(baseline_scene, scene)
            try:
                result = run_district_mobility(scene, M.mobility_options(options, files), params=params, baseline=base, timetable=files.timetable)
            except InputError as exc:
                if exc.field == "baseline":
                    raise InputError("the what-if moves the mobility model's zones (a building or point of interest in a new "
                                     f"{options.zone_size_m:g} m cell, or the last one of a cell removed): a what-if is compared with "
                                     "the baseline on the same zones; not supported yet", field="traffic.zone_size_m") from None  # fmt: skip
                raise
            cmp = compare_mobility(base, result, closed_link_ids=closed)
            kpis = {**M.changes(cmp["kpis"], periods), **M.state(result, periods)}
            notes = _notes(result, periods)
            if closed:
                names = scene.links.loc[scene.links["link_id"].astype(str).isin(set(closed)), "name"].dropna().astype(str).unique()
                notes.insert(0, f"{len(closed)} links closed to cars ({', '.join(names[:4])}{' and more' if len(names) > 4 else ''})")
        baseline_kpis = M.closed_flow(base, closed, periods)
    acc = access_for(scene, options, base_dir=base_dir, result=result, params=params)
    kpis.update(access_kpis(acc, M.residents(scene, params), float(options.minutes)))
    return EngineResult(M.objects(result), "link_id", kpis, None, notes, warnings=_warnings(result), baseline_kpis=baseline_kpis)


def run_samples_paired(baseline_scene, whatif_scenes: dict, options: list, stock, *, base_dir: Path, seed: int):
    """Monte Carlo of the baseline and the what-ifs, paired sample by sample
    (:func:`twin.scenario.engines.traffic_samples.run_samples_paired`)."""
    from twin.scenario.engines.traffic_samples import run_samples_paired as run_paired

    return run_paired(baseline_scene, whatif_scenes, options, stock, base_dir=base_dir, seed=seed)
