"""What the traffic engine adapter needs around :func:`twin.traffic.mobility.run_district_mobility`.

* :func:`model_files`: the tables and the GTFS timetable the scenario's traffic options name
  (or, without a feed, the schedule-free timetable of ``traffic.transit_routes``: :mod:`twin.traffic.osm_transit`)
  (read and checked once per file content, cached);
* :func:`mobility_options`, :func:`central_parameters`: the model's options and parameters
  from the scenario's (``traffic.evaporation_elasticity`` fixes that parameter, band included);
* :func:`scaled`: a ``scale_demand`` factor multiplies the trip rates (residents' trips per day
  and the trip ends per job, school place and visited POI): every person trip of the district
  scales by it; the through traffic between the district's edges does not;
* :func:`mobility_digest`, :func:`access_digest`: hashes of what the model and the access
  indicator read, so that a what-if that changes neither (de-sealing, a renovation) reuses the
  baseline's run instead of re-running it;
* :func:`closed_links`: the links a what-if closed to cars (``car`` no longer in their modes);
* the KPIs: :data:`CHANGE_KPIS` (what-if against its baseline; 0 for the baseline itself),
  :data:`STATE_KPIS` (per period) and the access KPIs.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.caching import BoundedCache
from twin.errors import InputError

#: Parameters a ``scale_demand`` factor multiplies (trip making of the district).
TRIP_RATE_PARAMETERS = ("trips_per_resident_day", "trip_ends_per_job_day", "trip_ends_per_visit_poi_day", "trip_ends_per_school_place_day")

#: KPIs of a what-if against its baseline, per period (``<period>_<name>``), from
#: :func:`twin.traffic.mobility.compare_mobility`. In this order (the report's headlines).
CHANGE_KPIS = ("rerouted_car_trips", "mode_shifted_trips", "evaporated_trips", "redistributed_car_trips", "evaporated_through_vehicles",
               "closed_link_flow_veh_h")  # fmt: skip

#: KPIs of one run, per period (``<period>_<name>``), from :func:`twin.traffic.indicators.mobility_kpis`.
STATE_KPIS = ("person_trips", "walk_share_pct", "bike_share_pct", "pt_share_pct", "car_share_pct", "vehicle_km", "vehicle_km_residential",
              "vehicle_km_main", "co2_kg", "nox_kg", "unserved_trips", "max_volume_capacity_ratio")  # fmt: skip


@dataclass(frozen=True)
class ModelFiles:
    """The tables and timetable named by the scenario's traffic options (None: the packaged ones / no feed)."""

    mode_choice_table: Path | None
    parameters_table: Path | None
    targets_table: Path | None
    external_matrix: Path | None
    gtfs: Path | None
    transit_routes: Path | None
    transit_defaults: Path | None
    params: dict
    model: Any
    timetable: Any


def option_path(raw: str | None, base_dir: str | os.PathLike[str]) -> Path | None:
    """A file option resolved against the scenario's folder (already confined by :mod:`twin.scenario.inputs`)."""
    if not raw:
        return None
    return (Path(base_dir) / os.path.expanduser(raw)).resolve()


#: The files of the last four option sets read by :func:`model_files`, by paths, sizes, times and options.
_FILES_CACHE: BoundedCache[tuple, ModelFiles] = BoundedCache(4)


def _stamp(path: Path | None) -> tuple:
    if path is None:
        return (None,)
    st = path.stat()
    return (str(path), st.st_size, st.st_mtime_ns)


@contextmanager
def _named(option: str, paths: dict):
    """An InputError reading the file of ``option`` says which scenario option named it (the
    file, row and field stay as the reader gave them; an error of a packaged table says so)."""
    try:
        yield
    except InputError as exc:
        how = f"traffic.{option} of the scenario" if paths.get(option) is not None else f"the packaged table for traffic.{option}"
        raise InputError(f"{exc.message} (file named by {how})", path=exc.path, obj=exc.obj, field=exc.field) from None


def model_files(options: Any, base_dir: str | os.PathLike[str], *, crs: Any = "EPSG:31370") -> ModelFiles:
    """Read and check every file the traffic options name (cached by path, size and time).

    Raises
    ------
    InputError
        A table with missing columns, bad numbers or a coefficient of the wrong sign, an external
        matrix naming an unknown edge or period, a GTFS feed with a broken reference or no
        service on the date (each naming the file, the row and the field).
    """
    from twin.traffic.demand import read_parameters
    from twin.traffic.mobility import _a_tuesday, read_external_matrix
    from twin.traffic.mode_choice import ModeChoiceModel, read_targets

    paths = {k: option_path(getattr(options, k), base_dir) for k in ("mode_choice_table", "parameters_table", "targets_table", "external_matrix", "gtfs",
                                                                      "transit_routes", "transit_defaults")}  # fmt: skip
    key = (tuple(_stamp(p) for p in paths.values()), options.gtfs_date, tuple(options.periods), str(crs))
    hit = _FILES_CACHE.get(key)
    if hit is not None:
        return hit
    with _named("mode_choice_table", paths):
        model = ModeChoiceModel.from_table(paths["mode_choice_table"])
    with _named("parameters_table", paths):
        params = read_parameters(paths["parameters_table"])
    with _named("targets_table", paths):
        if paths["targets_table"] is not None:
            read_targets(paths["targets_table"])
    with _named("external_matrix", paths):
        if paths["external_matrix"] is not None:
            read_external_matrix(paths["external_matrix"], tuple(options.periods))
    timetable = None
    start_s, end_s = timetable_window(options)
    with _named("gtfs", paths):
        if paths["gtfs"] is not None:
            from twin.traffic.gtfs import feed_dates, read_gtfs
            from twin.traffic.gtfs import timetable as make_timetable

            feed = read_gtfs(paths["gtfs"])
            date = options.gtfs_date or _a_tuesday(feed_dates(feed))
            timetable = make_timetable(feed, date, start_s=start_s, end_s=end_s, crs=crs)
    with _named("transit_defaults", paths):
        if paths["transit_routes"] is not None:
            from twin.traffic.osm_transit import read_defaults

            read_defaults(paths["transit_defaults"])
    with _named("transit_routes", paths):
        if paths["transit_routes"] is not None:
            from twin.traffic.osm_transit import osm_timetable

            timetable, _ = osm_timetable(paths["transit_routes"], crs=crs, defaults_table=paths["transit_defaults"], start_s=start_s, end_s=end_s)
    return _FILES_CACHE.put(key, ModelFiles(**paths, params=params, model=model, timetable=timetable))


def timetable_window(options: Any) -> tuple[float, float]:
    """Seconds after midnight a timetable covers: from the first period's start to the last one's
    end and 90 minutes more (the longest trip the skims follow)."""
    from twin.traffic.mobility import PERIODS

    return (min(PERIODS[q]["window_s"][0] for q in options.periods), max(PERIODS[q]["window_s"][1] for q in options.periods) + 5400.0)


def sample_timetable(files: ModelFiles, options: Any, params: dict, crs: Any) -> Any:
    """The timetable of one Monte Carlo sample: with the map's routes (``traffic.transit_routes``),
    their headways times the sample's ``pt_headway_factor`` (a parameter of the table, drawn per
    sample: the headways are assumptions); else ``files.timetable`` (a GTFS feed's is the feed's;
    a factor of 1, the central run's, gives the central timetable)."""
    factor = params.get("pt_headway_factor")
    if files.transit_routes is None or factor is None or factor.value == 1.0:
        return files.timetable
    from twin.traffic.osm_transit import osm_timetable

    start_s, end_s = timetable_window(options)
    return osm_timetable(files.transit_routes, crs=crs, defaults_table=files.transit_defaults, start_s=start_s, end_s=end_s,
                         headway_factor=factor.value)[0]  # fmt: skip


def mobility_options(options: Any, files: ModelFiles) -> Any:
    """The :class:`~twin.traffic.mobility.MobilityOptions` of the scenario's traffic options
    (the access indicator is computed by the adapter, :mod:`twin.scenario.engines.traffic_access`)."""
    from twin.traffic.mobility import MobilityOptions

    def s(p: Path | None) -> str | None:
        return None if p is None else str(p)

    opts = MobilityOptions(
        periods=tuple(options.periods), zone_size_m=float(options.zone_size_m), gtfs=s(files.gtfs), gtfs_date=options.gtfs_date,
        transit_routes=s(files.transit_routes), transit_defaults=s(files.transit_defaults),
        mode_choice_table=s(files.mode_choice_table), parameters_table=s(files.parameters_table), targets_table=s(files.targets_table),
        external_matrix=s(files.external_matrix), feedback=int(options.feedback), gap=float(options.gap), access_minutes=float(options.minutes),
        access_categories=tuple(options.access_categories) if options.access_categories else None, compute_access=False,
        parameter_overrides={} if options.evaporation_elasticity is None else {"evaporation_elasticity": float(options.evaporation_elasticity)},
        signals=bool(options.signals), signal_split=str(options.signal_split), give_way=bool(options.give_way),
    )  # fmt: skip
    opts.check()
    return opts


def central_parameters(options: Any, files: ModelFiles) -> dict:
    """The parameter table with ``traffic.evaporation_elasticity`` (when set) as a fixed value."""
    params = dict(files.params)
    e = options.evaporation_elasticity
    if e is not None:
        old = params["evaporation_elasticity"]
        params["evaporation_elasticity"] = replace(old, value=float(e), low=float(e), high=float(e), source="scenario option traffic.evaporation_elasticity")
    return params


def demand_factor(scene: Any) -> float:
    """The scene's ``scale_demand`` factor (1 when none)."""
    return float(scene.meta.get("demand_factor", 1.0))


def scaled(params: dict, factor: float) -> dict:
    """``params`` with the trip rates (:data:`TRIP_RATE_PARAMETERS`) and their bands times ``factor``."""
    if factor == 1.0:
        return params
    out = dict(params)
    for k in TRIP_RATE_PARAMETERS:
        p = out[k]
        out[k] = replace(p, value=p.value * factor, low=p.low * factor, high=p.high * factor)
    return out


def residents(scene: Any, params: dict) -> np.ndarray:
    """Residents per building (the weights of the access indicator), as the demand model counts them."""
    from twin.traffic.demand import building_activity, read_jobs

    return building_activity(scene, params, read_jobs())[0]


# ---------------------------------------------------------------------------------------- digests
def _frame_hash(h, frame: pd.DataFrame, columns: list[str]) -> None:
    cols = [c for c in columns if c in frame.columns]
    h.update(",".join(cols).encode())
    plain = [c for c in cols if c != "geometry"]
    if plain:
        h.update(pd.util.hash_pandas_object(frame[plain].astype(str), index=False).to_numpy().tobytes())
    if "geometry" in cols and len(frame):
        import shapely

        h.update(b"".join(shapely.to_wkb(np.asarray(frame.geometry.values), hex=False)))


def mobility_digest(scene: Any) -> str:
    """Hash of what the mobility model reads: buildings (footprint, floor area, use, ground-floor
    use), links, nodes, POIs and the demand factor."""
    h = hashlib.sha256()
    _frame_hash(h, scene.buildings, ["building_id", "floor_area_m2", "use", "ground_floor_use", "footprint_area_m2", "geometry"])
    links = scene.links
    _frame_hash(h, links, [c for c in links.columns])
    _frame_hash(h, scene.nodes, ["node_id", "geometry"])
    _frame_hash(h, scene.layer("pois"), ["poi_id", "category", "geometry"])
    h.update(repr(demand_factor(scene)).encode())
    return h.hexdigest()


def access_digest(scene: Any, categories: tuple[str, ...], *, with_timetable: bool) -> str:
    """Hash of what the walk and bike access times read: the buildings' footprints and uses
    (school buildings), the links open to walking and cycling, the nodes and the service points
    of ``categories``; with a timetable also everything the mobility model reads (the
    public-transport access uses its zone skims)."""
    from twin.traffic.access import service_points
    from twin.traffic.indicators import category_sources

    h = hashlib.sha256()
    _frame_hash(h, scene.buildings, ["building_id", "use", "geometry"])
    links = scene.links
    modes = links["modes"].fillna("").astype(str).str.split(",")
    flags = pd.DataFrame({"walk": modes.map(lambda m: "walk" in m), "bike": modes.map(lambda m: "bike" in m)})
    _frame_hash(h, pd.concat([links[["link_id", "from_node", "to_node", "length_m"]].reset_index(drop=True), flags], axis=1),
                ["link_id", "from_node", "to_node", "length_m", "walk", "bike"])  # fmt: skip
    _frame_hash(h, links, ["geometry"])
    _frame_hash(h, scene.nodes, ["node_id", "geometry"])
    svc = service_points(scene, categories, sources=category_sources())
    _frame_hash(h, svc, ["category", "geometry"])
    if with_timetable:
        h.update(mobility_digest(scene).encode())
    return h.hexdigest()


def closed_links(baseline_scene: Any, scene: Any) -> list[str]:
    """Links open to cars in the baseline and not in ``scene`` (closed by the what-if)."""

    def car(links) -> pd.Series:
        return links.set_index("link_id")["modes"].fillna("").astype(str).str.split(",").map(lambda m: "car" in m)

    before, after = car(baseline_scene.links), car(scene.links)
    common = before.index.intersection(after.index)
    return [str(i) for i in common if before[i] and not after[i]]


# ---------------------------------------------------------------------------------------- KPIs
def zero_changes(periods: tuple[str, ...]) -> dict[str, float]:
    """The change KPIs of the baseline against itself (all 0)."""
    return {f"{p}_{k}": 0.0 for p in periods for k in CHANGE_KPIS}


def changes(compared: dict[str, float], periods: tuple[str, ...]) -> dict[str, float]:
    """The change KPIs from :func:`~twin.traffic.mobility.compare_mobility`'s ``kpis``."""
    return {f"{p}_{k}": float(compared[f"{p}_{k}"]) for p in periods for k in CHANGE_KPIS}


def closed_flow(result: Any, closed: list[str], periods: tuple[str, ...]) -> dict[str, float]:
    """Per period, the flow of ``result`` on the ``closed`` links (veh/h): the baseline value of
    ``<period>_closed_link_flow_veh_h`` of a what-if."""
    links = result.links
    on = links["link_id"].astype(str).isin(set(closed)).to_numpy()
    return {f"{p}_closed_link_flow_veh_h": float(links.loc[on, f"flow_{p}_veh_h"].sum()) for p in periods}


def state(result: Any, periods: tuple[str, ...], per_km: tuple[float, float] | None = None) -> dict[str, float]:
    """The state KPIs of one run; ``per_km`` (CO2 kg/km, NOx g/km) replaces the central emission
    factors (a Monte Carlo sample's)."""
    out = {}
    for p in periods:
        for k in STATE_KPIS:
            out[f"{p}_{k}"] = float(result.kpis[f"{p}_{k}"])
        if per_km is not None:
            vkm = float(result.kpis[f"{p}_vehicle_km"])
            out[f"{p}_co2_kg"] = vkm * per_km[0]
            out[f"{p}_nox_kg"] = vkm * per_km[1] / 1000.0
    return out


def objects(result: Any) -> Any:
    """Per-link results (GeoDataFrame): flows, volume/capacity and times per period, and
    ``car_open`` (1 open to cars, 0 not; a closure's delta is -1); with signals or give-way
    delay also the junction a link enters and its control delay per period
    (:func:`twin.traffic.junction_delays.link_columns`; ``""`` and 0 for the other links), which
    the report's junction table sums per junction."""
    frame = result.links.copy()
    frame["car_open"] = frame["modes"].fillna("").astype(str).str.split(",").map(lambda m: 1.0 if "car" in m else 0.0).astype(float)
    if result.options.signals or result.options.give_way:
        from twin.traffic.junction_delays import link_columns

        extra = link_columns(result.periods).reindex(frame["link_id"])
        for col in extra.columns:
            values = extra[col].to_numpy()
            frame[col] = np.where(pd.isna(values), 0.0 if col.startswith("control_delay_") else "", values)
            if col.startswith("control_delay_"):
                frame[col] = frame[col].astype(float)
    return frame
