"""The work behind ``twin traffic simulate`` and ``twin traffic access`` (the CLI keeps only options).

Both return a JSON-able summary dict and write their outputs atomically.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError
from twin.option_names import CLI_ROUTES  # route choices of twin traffic simulate (there for the command line, kept here)
from twin.traffic.output_files import (  # noqa: F401 - re-exported: the writer rule of every traffic output
    PARQUET_TAG,
    TRAFFIC_WRITER,
    check_replace,
    image_writer_of,
    parquet_writer_of,
    record_csv,
    write_parquet,
)
from twin.workflows.scene_loading import check_sources  # light: twin traffic simulate runs it before importing this module

if TYPE_CHECKING:  # pragma: no cover
    from twin.traffic.dynamic_replicates import ReplicateRuns


def scene_from_files(files: list[Path], crs: str | None, scene_crs: str) -> Any:
    """The scene of a traffic command (:func:`twin.workflows.scene_loading.load_scene`): ``crs`` is
    the CRS of input files that declare none, ``scene_crs`` that of a scene built from files.

    Both are checked first, also when the sources do not need them (a written scene keeps its
    CRS): a CRS pyproj does not know is a CRSError naming ``--crs`` / ``--scene-crs``; a ``--crs``
    given with a written scene is not used (a ``twin: warning:`` says so).
    """
    from twin.io.crs_option import check_crs_option
    from twin.workflows.scene_loading import is_written_scene, load_scene

    check_crs_option(crs, "--crs")
    check_crs_option(scene_crs, "--scene-crs", projected=True)  # lengths, speeds and buffers are in its units
    if crs is not None and is_written_scene(files):
        import warnings

        from twin.errors import TwinWarning

        warnings.warn(f"--crs {crs} was not used: {files[0]} is a scene written by twin, which keeps its CRS", TwinWarning, stacklevel=2)
    return load_scene(files, scene_crs=scene_crs, source_crs=crs)


def check_car_links(scene: Any, sources: list[Path]) -> None:
    """The scene has at least one link open to cars; otherwise an InputError naming the source
    (the only one, else the list) and the ``links`` layer (before a demand table is matched to it).
    """
    links = scene.links
    if "modes" not in links.columns:
        return  # Network.from_scene names the missing column
    if not any("car" in {p.strip() for p in m.split(",")} for m in links["modes"].fillna("").astype(str)):
        raise InputError(f"the scene has no link open to cars ({len(links)} links in its links layer): nothing to route on",
                         path=sources[0] if len(sources) == 1 else ", ".join(map(str, sources)), obj="links layer", field="modes")


FRAME_SUFFIXES = (".csv", ".parquet", ".gpkg")
TABLE_SUFFIXES = (".csv", ".parquet")
TIMESERIES_SUFFIXES = (".nc", ".parquet", ".csv")
MAP_SUFFIXES = (".png", ".svg")


def to_table(frame: Any, tmp: Path, path: Path, *, float_format: str | None = "%.10g", field: str = "--output") -> None:
    """Write ``frame`` to ``tmp`` (the atomic or staged stand-in of ``path``) as ``path``'s ending
    says, after :func:`check_replace` of ``path`` (``field``: the option that named it); a Parquet
    gets the ``twin_written_by`` tag in its key-value metadata, in the same write
    (:func:`twin.traffic.output_files.write_parquet`); a CSV its record beside ``path``
    (:func:`twin.traffic.output_files.record_csv`: a CSV holds no tag)."""
    path = Path(path)
    check_replace(path, field=field)
    if path.suffix.lower() == ".csv":
        frame.to_csv(tmp, index=False, float_format=float_format)
        record_csv(tmp, path)
    else:
        write_parquet(frame, tmp)


def check_output(path: Path | None, suffixes: tuple[str, ...], field: str, *, inputs: Iterable[Path | None] = ()) -> None:
    """Before any work: ``path`` has an allowed ending, can be written and is none of the files
    and folders ``inputs`` the command reads nor inside one of them (an output written over the
    demand table or into a scenario folder would lose what the user wrote;
    :func:`twin.io.output_checks.check_output_file`, the rule of every output file of twin), nor
    a scene GeoPackage or a file in a scene folder (:func:`twin.export.layers.check_not_a_scene_file`).

    Raises
    ------
    OutputError
        Naming the option ``field`` (and the input it would overwrite).
    """
    from twin.errors import OutputError
    from twin.io.output_checks import check_output_file

    if path is None:
        return
    if path.suffix.lower() not in suffixes:
        raise OutputError(f"must end in {', '.join(suffixes)}", path=path, field=field)
    check_output_file(path, inputs=[p for p in inputs if p is not None], field=field)
    from twin.export.layers import check_not_a_scene_file

    check_not_a_scene_file(path, field=field)  # a scene .gpkg is replaced only by the command that wrote it
    check_replace(path, field=field)  # a file another writer wrote (twin.traffic.output_files)


def check_distinct_outputs(outputs: Iterable[tuple[str, Path | None]]) -> None:
    """Before any work: no two of the outputs ``(option, path)`` of one run are the same file (the
    one written last would replace the other, exit 0); left-out outputs (None) are skipped.

    Raises
    ------
    OutputError
        Naming the second option and the first.
    """
    from twin.errors import OutputError

    seen: dict[Path, str] = {}
    for field, path in outputs:
        if path is None:
            continue
        real = Path(path).resolve()
        if real in seen:
            raise OutputError(f"the same file as {seen[real]}; give each output its own path", path=path, field=field)
        seen[real] = field


def write_frame(frame: Any, path: Path, *, target: Path | None = None, field: str = "--output") -> Path:
    """Write ``frame`` atomically to ``path`` (``.csv``: without geometry, ``.parquet``, ``.gpkg``:
    layer named after ``target``, the output ``path`` stands for when it is a staged file of
    :class:`twin.traffic.output_files.StagedOutputs`; default ``path``); returns ``target``."""
    from twin.io import atomic_path
    from twin.traffic.output_files import write_geopackage

    target = Path(path) if target is None else Path(target)
    suffix = path.suffix.lower()
    with atomic_path(path) as tmp:
        if suffix in (".csv", ".parquet"):
            to_table(frame.drop(columns="geometry", errors="ignore") if suffix == ".csv" else frame, tmp, path, field=field)
        elif suffix == ".gpkg":
            write_geopackage(frame, tmp, layer=target.stem)
        else:
            raise InputError("output must end in .csv, .parquet or .gpkg", path=path, field=field)
    return target


def run_simulate(
    source: list[Path],
    *,
    demand: Path | None,
    dt_s: float | None,
    duration_s: float | None,
    routes: str,
    output: Path | None,
    timeseries: Path | None,
    crs: str | None,
    scene_crs: str,
    signals: bool = True,
    restrictions: bool = True,
    turns: Path | None = None,
    turns_interval_s: float | None = None,
    signal_split: str = "equal",
    give_way: bool = False,
    seed: int | None = None,
    design_flows: Path | None = None,
    period: str | None = None,
    klass: str | None = None,
    count_period_h: float | None = None,
    replicates: int = 1,
    duo_interval_s: float | None = None,
    duo_noise: float | None = None,
) -> dict[str, Any]:
    """Dynamic loading of a scenario folder (grid11 format) or of a scene's car network + demand CSV.

    ``seed``: seed of DUO's route-choice noise (``simulate(seed=)``; another seed than 0 with
    ``routes`` other than ``duo`` changes nothing: an error); default: a scenario folder's
    ``random_seed`` (with ``duo`` and noise above 0), else 0. ``replicates`` (1 to
    :data:`twin.traffic.dynamic_replicates.MAX_REPLICATES`; more than one with ``duo`` only): the
    run repeated with seeds ``seed .. seed + replicates - 1``
    (:func:`twin.traffic.dynamic_replicates.simulate_replicates`); the summary then has
    ``replicates``, ``seeds``, the statistics ``<figure>_<mean|sd|min|max|sem>`` of the figures of
    :data:`~twin.traffic.dynamic_replicates.REPLICATE_KPIS` (and the give-way queue and capacity
    when on), ``per_seed`` (those figures per seed) and ``spread``; the figures that vary with the
    seed are not given for one seed alone. ``output`` is then the mean link summary over the
    replicates; ``timeseries`` and ``turns`` (one seed's steps) are an error.

    ``duo_interval_s``: seconds between DUO route updates (``routes="duo"`` only, a whole number of
    time steps, checked before anything is read when the step is known (``dt_s`` given, or a
    scene), else once the folder's ``scenario.csv`` is read, before its demand: the error names
    ``--duo-interval``, or the folder's ``scenario.csv`` when its ``duo_update_time`` is at
    fault, :func:`check_step_intervals`; ``turns_interval_s`` likewise); default: a scenario folder's own
    ``duo_update_time``, a scene's :data:`SCENE_DUO_INTERVAL_S`. ``duo_noise``: DUO's route-choice
    tie noise in [0, 1] (``routes="duo"`` only; ``simulate(duo_noise=)``); default: a scenario
    folder's ``duo_noise``, else :data:`twin.traffic.dynamic.DEFAULT_DUO_NOISE`. Without noise (0)
    the seed changes nothing and replicates are the same run: ``--seed`` other than 0 and
    ``--replicates`` above 1 are errors (a folder's ``random_seed`` is then not used). A folder's
    ``duo_noise`` or ``random_seed`` out of range is an InputError naming ``scenario.csv`` and the
    key (:meth:`twin.traffic.dynamic_scenario.DynamicScenario.duo_noise`, ``.random_seed``).

    ``turns``: write the turning movements there (``.csv`` or ``.parquet``; vehicles per
    movement over the run, :meth:`twin.traffic.dynamic.DynamicResult.movements`; on a scene
    with each movement's kind from the street geometry, :mod:`twin.traffic.movements`).
    ``turns_interval_s`` (with ``turns`` only): one row per movement and interval of that many
    seconds (``t_start_s``, ``t_end_s``), a whole number of time steps, at most the run.

    ``signals`` (scenes only): the nodes the scene flags as signalised (``signalised`` column of
    its nodes, :func:`twin.traffic.signals.mark_signals`) get pretimed signals of the default
    :class:`~twin.traffic.signals.SignalTiming` (stop-line capacity ``s g``,
    :mod:`twin.traffic.dynamic_turns`); False: no signals. ``signal_split``: their green split
    (``equal``, or ``capacity``: Webster's rule by street axis, the bearings from the scene's
    street geometry, or ``flows``: the same rule with the counted flows of ``design_flows``,
    :func:`read_design_flows`, ``period`` / ``klass`` choosing one period and class of the
    file, ``count_period_h`` the hours each count covers (default 1: the counts are veh/h), an
    approach not in the file taking its capacity, a counted 0 staying 0; an error on a scenario folder, with
    ``signals`` False or when the scene flags no node). ``restrictions`` (scenes only): the
    scene's OSM turn restrictions (its ``turn_restrictions`` layer,
    :func:`twin.traffic.scene_turns.scene_banned_turns`) are banned turns of the car network; the
    summary counts them (``turn_restrictions_applied``, ``..._skipped``, ``restriction_banned_turns``); False:
    none (``turn_restrictions_applied`` 0, ``turn_restrictions`` ``"off"``). Via-way restrictions
    are not applied (the route choice is per link and destination): they are counted as skipped
    and listed in ``turn_restrictions_not_applied`` with :data:`VIA_WAY_NOT_IN_DYNAMIC`.

    ``give_way`` (scenes only: junction rules need the streets' road classes and geometry; an
    error on a scenario folder or a scene without a ``road_class`` column): the yielding
    approaches of the unsignalised junctions, classified as in static assignment
    (:func:`twin.traffic.priority.scene_junctions`; with ``signals``, the flagged nodes left out),
    get the give-way capacity of their conflicting outflows as stop-line capacity
    (:mod:`twin.traffic.dynamic_give_way`); the summary has the junction counts
    (``give_way_<count>``), the mean give-way capacity and the queued vehicle-hours.

    Every option and output path is checked before anything is read or computed: ``routes``
    one of :data:`CLI_ROUTES`, ``dt_s`` and ``duration_s`` finite and within
    :data:`twin.traffic.dynamic.MAX_DT_S` / :data:`~twin.traffic.dynamic.MAX_DURATION_S`, output
    endings and folders; links x steps are then limited by
    :data:`twin.traffic.dynamic.MAX_LINK_STEPS` (a ResourceLimitError, not a hang).
    """
    import pandas as pd

    from twin.io.paths import check_input_file
    from twin.traffic.dynamic import DEFAULT_DUO_INTERVAL_S, DEFAULT_DUO_WEIGHT, EMPTY_ONLY_NA, MAX_DT_S, MAX_DURATION_S, LinkDynamics
    from twin.traffic.dynamic_replicates import simulate_replicates
    from twin.traffic.dynamic_scenario import csv_line_index, read_scenario

    if routes not in CLI_ROUTES:
        raise InputError(f"unknown route choice {routes!r}; use one of {', '.join(CLI_ROUTES)}", field="--routes")
    if dt_s is not None and not (np.isfinite(dt_s) and 0 < dt_s <= MAX_DT_S):
        raise InputError(f"must be a finite number in (0, {MAX_DT_S:g}] s, got {dt_s}", field="--dt")
    if duration_s is not None and not (np.isfinite(duration_s) and 0 < duration_s <= MAX_DURATION_S):
        raise InputError(f"must be a finite number in (0, {MAX_DURATION_S:g}] s, got {duration_s}", field="--duration")
    from twin.traffic.output_files import StagedOutputs, write_netcdf

    outputs = StagedOutputs([*source, demand, design_flows])  # every output checked now, written staged and swapped in together
    outputs.add([("--output", output, TABLE_SUFFIXES), ("--timeseries", timeseries, TIMESERIES_SUFFIXES), ("--turns", turns, TABLE_SUFFIXES)])
    if turns_interval_s is not None:
        if turns is None:
            raise InputError("only with --turns (the file the movements per interval are written to)", field="--turns-interval")
        if not (np.isfinite(turns_interval_s) and 0 < turns_interval_s <= MAX_DURATION_S):  # no run is longer: known before reading
            raise InputError(f"must be a finite number in (0, {MAX_DURATION_S:g}] s, got {turns_interval_s}", field="--turns-interval")
    check_signal_split(signal_split, signals, design_flows, period=period, klass=klass, count_period_h=count_period_h)
    if duo_noise is not None:
        if routes != "duo":
            raise InputError(f"route-choice noise with --routes {routes} changes nothing (only duo searches routes with noise): leave it out",
                             field="--duo-noise")  # fmt: skip
        if not (np.isfinite(duo_noise) and 0 <= duo_noise <= 1):  # the rule of check_duo_noise, worded as the other options'
            raise InputError(f"must be a finite number in [0, 1], got {duo_noise}", field="--duo-noise")
    check_seed_options(0 if seed is None else seed, replicates, routes, timeseries=timeseries, turns=turns, duo_noise=duo_noise)
    if duo_interval_s is not None:
        if routes != "duo":
            raise InputError(f"the route update interval with --routes {routes} changes nothing (only duo updates routes): leave it out",
                             field="--duo-interval")  # fmt: skip
        if not (np.isfinite(duo_interval_s) and 0 < duo_interval_s <= MAX_DURATION_S):
            raise InputError(f"must be a finite number in (0, {MAX_DURATION_S:g}] s, got {duo_interval_s}", field="--duo-interval")
    check_sources(source, "SOURCE")
    folder = len(source) == 1 and source[0].is_dir() and (source[0] / "links.csv").exists()  # a scenario folder, else a scene
    if dt_s is not None or not folder:  # the step is known before anything is read: the intervals given are checked now
        try:
            check_step_intervals(dt_s if dt_s is not None else SCENE_DT_S, duo_interval_s=duo_interval_s, turns_interval_s=turns_interval_s,
                                 duration_s=duration_s)
        except InputError as exc:
            raise cli_input_error(exc, duo_interval_given=True, interval_file=None) from None
    settings: dict[str, Any] = {}
    options: dict[str, Any] = {}
    scene = None
    restriction_counts: dict[str, Any] = {}
    interval_file = None  # the scenario.csv the DUO interval comes from, if it does
    signal_counts: dict[str, Any] = {}
    if folder:
        if give_way:
            raise InputError("a scenario folder has no node coordinates or road classes to find who gives way (scenes only): leave --give-way out",
                             path=source[0], field="--give-way")  # fmt: skip
        if signal_split != "equal":
            raise InputError("a scenario folder has no signals (scenes only): leave --signal-split out", path=source[0], field="--signal-split")
        if demand is not None:
            raise InputError(f"a scenario folder's demand is its demand.csv, and --demand {demand} would not be read (scenes only): leave "
                             "--demand out, or replace the folder's demand.csv", path=source[0], field="--demand")  # fmt: skip
        if crs is not None:
            raise InputError(f"--crs {crs} would not be read: a scenario folder's tables have no geometry (scenes only); leave --crs out",
                             path=source[0], field="--crs")  # fmt: skip
        sc = read_scenario(source[0])
        net, dyn, dem, settings = sc.network, sc.dynamics, sc.demand, sc.settings
        dt_s = dt_s if dt_s is not None else sc.dt_s
        duration_s = duration_s if duration_s is not None else sc.duration_s
        if routes == "duo" and "duo_update_time" in settings:
            options["duo_interval_s"] = sc.number("duo_update_time", 0.0)
            interval_file = source[0] / "scenario.csv"
            options["duo_weight"] = sc.duo_weight(DEFAULT_DUO_WEIGHT)
        if routes == "duo":
            seed, duo_noise = folder_seed_and_noise(sc, seed, duo_noise, replicates, timeseries=timeseries, turns=turns)
        duo_run_s = options.get("duo_interval_s", DEFAULT_DUO_INTERVAL_S) if duo_interval_s is None else duo_interval_s
        try:  # the folder's step, known now: its intervals checked before the demand and the run
            check_step_intervals(dt_s, duo_interval_s=duo_run_s if routes == "duo" else None, turns_interval_s=turns_interval_s,
                                 duration_s=duration_s)
        except InputError as exc:
            raise cli_input_error(exc, duo_interval_given=duo_interval_s is not None, interval_file=interval_file) from None
    else:
        if demand is None:
            raise InputError("a scene needs --demand (CSV: origin, destination, t_start_s, t_end_s, vehicles or flow_veh_s)", field="--demand")
        check_input_file(demand, field="--demand", what="demand table")
        from twin.traffic.network import Network

        scene = scene_from_files(source, crs, scene_crs)
        check_car_links(scene, source)
        net = Network.from_scene(scene, mode="car")
        dyn = LinkDynamics.from_network(net, lanes=net.meta.get("lanes", np.ones(net.n_links)))  # from_scene: lanes per link, at least 1
        try:
            dem = csv_line_index(pd.read_csv(demand, **EMPTY_ONLY_NA))  # 'nan' written in a cell is not an empty cell
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the demand table: {' '.join(str(exc).split())}", path=demand) from None
        dt_s = dt_s if dt_s is not None else SCENE_DT_S
        if routes == "duo":
            options["duo_interval_s"] = SCENE_DUO_INTERVAL_S
        signal_counts = {"signals": "off"}
        if signals:
            from twin.traffic.signals import scene_signals

            flagged, signal_counts = scene_signals(net, dyn.capacity_veh_s > 0)
            if flagged:
                options["signals"] = flagged
            if signal_split != "equal":
                if not flagged:
                    raise InputError(f"green split {signal_split!r}: the scene flags no signalised node with a car approach", field="--signal-split")
                from twin.traffic.signal_phases import scene_link_bearings
                from twin.traffic.signals import SignalTiming

                options["signal_timing"] = SignalTiming(split=signal_split)
                options["signal_bearing"] = scene_link_bearings(scene, net)
                if design_flows is not None:  # then signal_split is flows (check_signal_split)
                    options["signal_flows"] = read_design_flows(design_flows, net, period=period, klass=klass, count_period_h=count_period_h)
                    signal_counts.update(design_flow_counts(net, flagged, options["signal_flows"], dyn.capacity_veh_s > 0, design_flows,
                                                            count_period_h=count_period_h))  # fmt: skip
        restriction_counts = scene_restriction_options(scene, net, restrictions, options)
        if give_way:
            options["give_way"] = scene_give_way(scene, net, source, signalised=signals and bool(options.get("signals")))
    from twin.traffic.dynamic import default_duration_s, demand_arrays
    from twin.traffic.dynamic_demand_checks import check_demand_departs, check_interval_within_run

    demand_path = demand if demand is not None else source[0] / "demand.csv"
    amount_field = "vehicles" if "vehicles" in dem.columns else "flow_veh_s"
    dem = demand_arrays(net, dem, path=str(demand_path))  # errors name the demand file
    check_demand_departs(dem, duration_s, path=demand_path, field=amount_field)
    if duo_interval_s is not None:
        check_interval_within_run(duo_interval_s, duration_s if duration_s is not None else default_duration_s(dem))
        options["duo_interval_s"] = float(duo_interval_s)
    if duo_noise is not None:
        options["duo_noise"] = float(duo_noise)
    options.update({"dt_s": float(dt_s), "duration_s": duration_s, "route_choice": routes, "movement_interval_s": turns_interval_s})
    try:
        runs = simulate_replicates(net, dem, dynamics=dyn, seed=0 if seed is None else seed, replicates=replicates, **options)
    except InputError as exc:
        raise cli_input_error(exc, duo_interval_given=duo_interval_s is not None, interval_file=interval_file, demand_path=demand_path) from None
    result = runs.first
    summary: dict[str, Any] = {"network": net.name, "dt_s": float(dt_s), "steps": result.n_steps, **result.totals(), **{k: v for k, v in result.meta.items() if np.isscalar(v)}}
    summary.update(restriction_counts)
    summary.update(signal_counts)
    if replicates > 1:
        summary = replicate_summary(summary, runs)
    summary["vehicles_per_s"] = replicates * summary["generated_veh"] / max(summary["wall_time_s"], 1e-12)
    summary["link_steps_per_s"] = replicates * summary["link_steps"] / max(summary["wall_time_s"], 1e-12)
    with outputs:  # staged, then swapped in together: an error on the last output leaves every earlier file as it was
        if output is not None:
            summary["output"] = str(write_frame(result.link_summary() if replicates == 1 else runs.link_summary, outputs.path(output), target=output))
        if timeseries is not None:
            ds = result.to_xarray()
            if timeseries.suffix.lower() == ".nc":
                write_netcdf(ds, outputs.path(timeseries))
            else:
                frame = ds.to_dataframe().reset_index()
                frame["link"] = frame["link"].astype(str)
                write_frame(frame, outputs.path(timeseries), target=timeseries, field="--timeseries")
            summary["timeseries"] = str(timeseries)
        if turns is not None:
            table = result.movements(by_interval=turns_interval_s is not None)
            if scene is not None:
                from twin.traffic.movements import scene_movements
                from twin.traffic.turns import TURN_KINDS

                moves = scene_movements(scene, net)
                kinds = pd.Series(np.asarray(TURN_KINDS)[moves.kind], index=pd.MultiIndex.from_arrays([net.link_ids[moves.in_link], net.link_ids[moves.out_link]]))
                table.insert(3, "movement", kinds.reindex(pd.MultiIndex.from_arrays([table["in_link_id"], table["out_link_id"]])).to_numpy())
            summary["movements"] = len(table)
            summary["turns"] = str(write_frame(table, outputs.path(turns), target=turns, field="--turns"))
    return summary


#: Time step of a scene's run when ``--dt`` is not given, s.
SCENE_DT_S = 1.0


def check_step_intervals(dt_s: float, *, duo_interval_s: float | None, turns_interval_s: float | None,
                         duration_s: float | None = None) -> None:
    """The DUO update and movement intervals, checked against the time step before the run (and,
    when the step is known without reading, before any input is read): a whole number of steps of
    ``dt_s`` (:func:`twin.traffic.dynamic.check_duo_interval`,
    :func:`~twin.traffic.dynamic.movement_steps`), and the movement interval at most the run when
    ``duration_s`` (s) is known (:func:`~twin.traffic.dynamic.movement_bins`; None: the run's length
    comes from the demand, and ``simulate`` checks it). The DUO interval's length against the run's
    is checked once the demand is read (:func:`twin.traffic.dynamic_demand_checks.check_interval_within_run`).

    Raises
    ------
    InputError
        Fields ``duo_interval_s``, ``movement_interval_s``, as ``simulate``'s:
        :func:`cli_input_error` names them as the command line does.
    """
    from twin.traffic.dynamic import check_duo_interval, movement_bins, movement_steps, run_steps

    if duo_interval_s is not None:
        check_duo_interval(duo_interval_s, dt_s)
    if turns_interval_s is not None:
        movement_steps(turns_interval_s, dt_s)
        if duration_s is not None:
            movement_bins(turns_interval_s, dt_s, run_steps(duration_s, dt_s))


#: Seconds between DUO route updates on a scene (``twin traffic simulate SCENE``; a scenario
#: folder keeps its own ``duo_update_time``). 60 s, not UXsim's 600 s (``simulate``'s default):
#: on the Saint-Gilles bench case at 3,000 vehicles the total delay is 131 veh-h with routes
#: updated every 600 s, 34.5 every 300 s, 6.0 every 60 s and 4.4 every 5 s (mean of 3 seeds),
#: and the mean trip time stays within 6 % of the 5 s value from 60 s on, at about the same run
#: time (docs/traffic.md, "DUO update interval"; benchmarks/traffic_duo_interval_p15i.py).
SCENE_DUO_INTERVAL_S = 60.0


def cli_input_error(exc: InputError, *, duo_interval_given: bool, interval_file: Path | None, demand_path: Path | None = None) -> InputError:
    """The error of a ``simulate`` setting as the command line names it.

    ``movement_interval_s`` is ``--turns-interval``; ``duo_interval_s`` is ``--duo-interval``
    when given, else the ``duo_update_time`` of ``interval_file`` (a scenario folder's
    ``scenario.csv``), else ``--duo-interval`` with a note that the interval was the default (a
    scene's :data:`SCENE_DUO_INTERVAL_S`, the library's for a folder without the setting). An
    error about an OD pair that names no file (no path between its nodes, with or without the
    banned turns: :func:`twin.traffic.dynamic.simulate` checks the prepared demand) names the
    demand table ``demand_path`` the pair comes from. Other errors are returned as they are.
    """
    if exc.path is None and demand_path is not None and str(exc.obj or "").startswith("OD pair"):
        return type(exc)(exc.message, path=demand_path, obj=exc.obj, field=exc.field)
    if exc.field == "movement_interval_s":
        return InputError(exc.message, field="--turns-interval")
    if exc.field != "duo_interval_s":
        return exc
    if duo_interval_given:
        return InputError(exc.message, field="--duo-interval")
    if interval_file is not None:
        return InputError(f"{exc.message}; or set the interval with --duo-interval", path=interval_file, obj="key duo_update_time", field="value")
    return InputError(f"{exc.message}; this is the default interval: set one with --duo-interval", field="--duo-interval")


def folder_seed_and_noise(sc: Any, seed: int | None, duo_noise: float | None, replicates: int, *,
                          timeseries: Path | None, turns: Path | None) -> tuple[int | None, float | None]:  # fmt: skip
    """The seed and DUO noise of a ``duo`` run of scenario folder ``sc``
    (:class:`twin.traffic.dynamic_scenario.DynamicScenario`): the options given win, else the
    folder's ``random_seed`` and ``duo_noise`` (checked: an InputError naming ``scenario.csv`` and
    the key). A folder's seed is not used without noise (it would change nothing). With the
    folder's noise the options are checked again (:func:`check_seed_options`, which then names it).
    """
    noise_file = None
    if duo_noise is None:
        duo_noise = sc.duo_noise()
        noise_file = None if duo_noise is None else sc.folder / "scenario.csv"
    file_seed = sc.random_seed() if seed is None else None
    if noise_file is not None:
        try:
            check_seed_options(0 if seed is None else seed, replicates, "duo", timeseries=timeseries, turns=turns, duo_noise=duo_noise,
                               noise_name="the folder's duo_noise")  # fmt: skip
        except InputError as exc:
            raise InputError(f"{exc.message} (duo_noise {duo_noise:g} of {noise_file}; --duo-noise overrides it)", field=exc.field) from None
    if file_seed is not None and (duo_noise is None or duo_noise > 0.0):
        seed = file_seed
    return seed, duo_noise


def check_seed_options(seed: int, replicates: int, routes: str, *, timeseries: Path | None, turns: Path | None,
                       duo_noise: float | None = None, noise_name: str = "--duo-noise") -> None:  # fmt: skip
    """Raise InputError naming ``--seed`` or ``--replicates`` for options ``twin traffic simulate``
    cannot honour: a seed below 0, replicates outside [1, 100], another seed than 0 or several
    replicates with ``routes`` other than ``duo`` or with ``duo_noise`` 0 (no noise: they change
    nothing), or several replicates with ``--timeseries`` / ``--turns`` (files of one seed's steps
    and movements). ``duo_noise``: the noise of the run (None: the library's default);
    ``noise_name``: where it comes from, as the errors name it (a scenario folder's setting)."""
    from twin.traffic.dynamic import DEFAULT_DUO_NOISE
    from twin.traffic.dynamic_replicates import check_replicates

    noise = DEFAULT_DUO_NOISE if duo_noise is None else duo_noise
    check_replicates(seed, replicates, route_choice=routes, duo_noise=noise, seed_field="--seed", replicates_field="--replicates",
                     noise_field=noise_name)  # fmt: skip
    if seed != 0 and routes != "duo":
        raise InputError(f"seed {seed} with --routes {routes} changes nothing (only duo route choice has seeded noise): leave it out", field="--seed")
    if seed != 0 and not noise > 0.0:
        raise InputError(f"seed {seed} with {noise_name} {noise:g} changes nothing (the seed only draws DUO's route-choice noise): leave it out",
                         field="--seed")  # fmt: skip
    for path, option in ((timeseries, "--timeseries"), (turns, "--turns")):
        if replicates > 1 and path is not None:
            raise InputError(f"{option} writes one run's steps, not {replicates} replicates: run it with --replicates 1 (and --seed) "
                             "for the seed wanted", field="--replicates")  # fmt: skip


def replicate_summary(first: dict[str, Any], runs: ReplicateRuns) -> dict[str, Any]:
    """The summary of several replicates: ``first`` (the first seed's summary) without the
    entries that vary with the seed, plus ``replicates``, ``seeds``, the statistics of
    :meth:`twin.traffic.dynamic_replicates.ReplicateRuns.statistics`, ``per_seed`` (seed and
    figures, and the other entries that vary with the seed), ``spread``
    (:data:`~twin.traffic.dynamic_replicates.SPREAD_NOTE`) and the ``wall_time_s`` of all runs."""
    from twin.traffic.dynamic_replicates import SPREAD_NOTE

    varying = [k for k in first if k in runs.per_seed[0] and k != "seed" and not all(_same(s[k], first[k]) for s in runs.per_seed)]
    out = {k: v for k, v in first.items() if k not in varying and k not in runs.kpis and k != "seed"}
    out.update({"replicates": len(runs.seeds), "seeds": list(runs.seeds), **runs.statistics()})
    per_seed_keys = [*runs.kpis, *(k for k in varying if k not in runs.kpis and k != "wall_time_s")]
    out["per_seed"] = [{"seed": s["seed"], **{k: s[k] for k in per_seed_keys}} for s in runs.per_seed]
    out["spread"] = SPREAD_NOTE
    out["wall_time_s"] = float(sum(s["wall_time_s"] for s in runs.per_seed))
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal, or both NaN."""
    return bool(a == b) or (isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b))


def scene_give_way(scene: Any, net: Any, sources: list[Path], *, signalised: bool) -> Any:
    """The yielding approaches of ``net`` (the scene's car network), as static assignment finds
    them (:func:`twin.traffic.priority.scene_junctions`, street links as in
    :func:`twin.traffic.scene_graph.build_scene_graph`); ``signalised``: leave the flagged nodes
    out. InputError (field ``--give-way``) when the scene's links have no ``road_class``, or when
    no approach yields (``--give-way`` would change nothing)."""
    from twin.traffic.priority import scene_junctions

    if "road_class" not in scene.links.columns:
        raise InputError("the scene's links have no road_class column: who gives way comes from the road classes",
                         path=sources[0] if len(sources) == 1 else ", ".join(map(str, sources)), obj="links layer", field="--give-way")  # fmt: skip
    street = np.isin(net.link_ids, scene.links["link_id"].to_numpy()) & (net.capacity > 0) & (net.vdf < 2)
    junctions = scene_junctions(scene, scene.links, net, street=street, signalised=signalised)
    junctions.require_yielding(signalised=signalised, path=sources[0] if len(sources) == 1 else ", ".join(map(str, sources)))
    return junctions


def give_way_text(s: dict[str, Any]) -> str:
    """The give-way line of ``twin traffic simulate``: off, or the junction counts, the mean
    give-way capacity and the vehicle-hours queued on the yielding approaches."""
    if s.get("give_way", "off") == "off":
        return "off (--give-way to apply)"
    from twin.traffic.priority import junction_counts_text

    return (f"{junction_counts_text(s, 'give_way_')}: {s['give_way_yielding_approaches']} yielding approaches, mean capacity {s['give_way_mean_capacity_veh_h']:.0f} veh/h "
            f"(window {s['give_way_window_s']:g} s), {s['give_way_queue_veh_h']:.3f} veh-h queued on them")  # fmt: skip


VIA_WAY_NOT_IN_DYNAMIC = (
    "via-way restriction (the sequence from way -> via way(s) -> to way): not applied in dynamic loading, whose route choice is "
    "per link and destination and cannot tell the vehicles on the via way that came from the from way (static assignment applies it)"
)
"""Why ``twin traffic simulate`` leaves a scene's via-way restrictions out (listed as not applied)."""


CLI_SIGNAL_SPLITS = ("equal", "capacity", "flows")
"""Green splits the scene commands take (``flows`` with ``--design-flows FILE.csv``: ``traffic assign
--scene``, ``traffic simulate`` on a scene, ``select-link`` / ``select-zone --scene``)."""


def check_signal_split(split: str, signals: bool, design_flows: Path | None = None, *, period: str | None = None, klass: str | None = None,
                       count_period_h: float | None = None) -> None:  # fmt: skip
    """Raise InputError for a split the command line does not take, or an option that changes nothing.

    ``design_flows``: the counts file of a ``flows`` split (``--design-flows``), ``period`` /
    ``klass`` its ``--period`` / ``--class``, ``count_period_h`` its ``--count-period-h`` (hours
    each count covers, :func:`check_count_period_h`). Errors: an unknown split, a split other than
    ``equal`` without signals, ``flows`` without a design-flows file, a design-flows file (or a
    period, class or count period) without the ``flows`` split (field: the option that would
    change nothing), a count period not a finite number > 0.
    """
    if split not in CLI_SIGNAL_SPLITS:
        raise InputError(f"unknown green split {split!r}; use {' or '.join(CLI_SIGNAL_SPLITS)} (flows with --design-flows FILE.csv)", field="--signal-split")
    if split != "equal" and not signals:
        raise InputError(f"green split {split!r} with --no-signals changes nothing: leave one of them out", field="--signal-split")
    if split == "flows" and design_flows is None:
        raise InputError("--signal-split flows needs the approaches' counted flows: give --design-flows FILE.csv (link_id, period, vehicles, class)",
                         field="--design-flows")  # fmt: skip
    if split != "flows":
        if design_flows is not None:
            raise InputError(f"design flows with --signal-split {split} change nothing: add --signal-split flows, or leave --design-flows out",
                             path=design_flows, field="--design-flows")  # fmt: skip
        for option, value in (("--period", period), ("--class", klass)):
            if value is not None:
                raise InputError(f"{option} {value} selects design flows: only with --signal-split flows --design-flows FILE.csv", field=option)
        if count_period_h is not None:
            raise InputError(f"--count-period-h {count_period_h:g} converts the counts of --design-flows to veh/h: only with --signal-split flows "
                             "--design-flows FILE.csv (it changes nothing here)", field="--count-period-h")  # fmt: skip
    if count_period_h is not None:
        check_count_period_h(count_period_h)


DEFAULT_COUNT_PERIOD_H = 1.0
"""Hours a count of ``--design-flows`` covers when ``--count-period-h`` is not given: an hour's count is veh/h."""


def check_count_period_h(count_period_h: float) -> float:
    """``count_period_h`` (``--count-period-h``: hours each count of a design-flows file covers) as
    a float, or an InputError naming the option unless it is a finite number > 0."""
    try:
        value = float(count_period_h)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"the hours each count covers must be a finite number > 0, got {count_period_h}", field="--count-period-h")
    return value


def read_design_flows(path: Path, network: Any, *, period: str | None = None, klass: str | None = None,
                      count_period_h: float | None = None) -> dict[Any, float]:  # fmt: skip
    """Design flows of a ``flows`` green split from a counts file, veh/h by native link id.

    The file is the counts format of OD estimation (:func:`twin.traffic.counts.read_counts`:
    ``link_id`` or ``osm_way_id``, ``period``, ``vehicles``, ``class``; ``period`` / ``klass``
    required when it holds several), read for ``network``. ``vehicles`` are the vehicles counted
    over the period, which lasts ``count_period_h`` hours (``--count-period-h``; default
    :data:`DEFAULT_COUNT_PERIOD_H`, an hour's count): the design flow is ``vehicles /
    count_period_h`` veh/h, the unit of the capacities that stand in for approaches not in the
    file. This is the one place counts become veh/h. A count of 0 is a design flow of 0; a link
    not in the file is not counted and its capacity stands in. Errors (file, line and field
    named): those of the reader (a link not in the network, a count not finite or below 0, a link
    counted twice...), an ``osm_way_id`` whose way has more than one link in the network (a
    design flow is one approach's; give its link_id), and a count period that is not a finite
    number > 0 (:func:`check_count_period_h`, before the file is read).
    """
    from twin.traffic.counts import read_counts

    hours = check_count_period_h(DEFAULT_COUNT_PERIOD_H if count_period_h is None else count_period_h)
    counts = read_counts(path, network, period=period, klass=klass, option="--design-flows", period_h=hours)
    out: dict[Any, float] = {}
    for idx, label, v, line in zip(counts.links, counts.labels, counts.vehicles.tolist(), counts.lines.tolist(), strict=True):
        if len(idx) != 1:
            raise InputError(f"OSM way {label} has {len(idx)} links in the network: a design flow is one approach's, give its link_id",
                             path=path, obj=f"line {line}", field="osm_way_id")  # fmt: skip
        out[network.link_ids[int(idx[0])]] = float(v) / hours
    return out


def design_flow_counts(network: Any, flagged: list[Any], flows: dict[Any, float], is_approach: np.ndarray, path: Path, *,
                       count_period_h: float | None = None) -> dict[str, Any]:  # fmt: skip
    """How the design flows ``flows`` (:func:`read_design_flows`) meet the approaches of the signalised
    nodes ``flagged``: ``signal_design_flows`` (approaches with a count in the file, a counted 0
    included: it is the approach's design flow), ``signal_approaches_capacity`` (approaches
    not in the file: by the rule of :func:`twin.traffic.signal_phases.approach_design_flows`,
    their capacity is their design flow) and ``signal_count_period_h`` (the hours each count
    covers, ``count_period_h`` or :data:`DEFAULT_COUNT_PERIOD_H`: the counts were divided by it).

    Raises
    ------
    InputError
        The file counts no approach of a signalised node (every approach would take its capacity:
        the split would be the capacity split, the file would change nothing), naming the file.
    """
    from twin.traffic.signals import approach_links

    node_of = {nid: i for i, nid in enumerate(network.node_ids.tolist())}
    ins = [int(i) for node in flagged for i in approach_links(network, node_of, node, is_approach)]
    counted = sum(1 for i in ins if network.link_ids[i] in flows)
    if counted == 0:
        raise InputError(f"the file counts none of the {len(ins)} approaches of the {len(flagged)} signalised node(s): the green split would be "
                         "the capacity split (an approach not in the file takes its capacity)", path=path, field="link_id")  # fmt: skip
    hours = DEFAULT_COUNT_PERIOD_H if count_period_h is None else float(count_period_h)
    return {"signal_design_flows": counted, "signal_approaches_capacity": len(ins) - counted, "signal_count_period_h": hours}


def scene_restriction_options(scene: Any, net: Any, restrictions: bool, options: dict[str, Any], *, sequences: bool = False) -> dict[str, Any]:
    """The scene's turn restrictions on ``net``: ``options['banned_turns']`` set when any turn is
    banned and, with ``sequences`` (static assignment on the turn-expanded network),
    ``options['banned_sequences']`` when a via-way restriction bans a link sequence (without it,
    via-way restrictions are listed as not applied with :data:`VIA_WAY_NOT_IN_DYNAMIC`); returns
    the counts for the summary (:meth:`twin.traffic.scene_turns.SceneTurns.summary`, with
    ``turn_restrictions`` ``"off"`` and 0 applied when ``restrictions`` is False)."""
    if not restrictions:
        return {"turn_restrictions": "off", "turn_restrictions_applied": 0}
    from twin.traffic.scene_turns import banned_turns_of_scene

    turns = banned_turns_of_scene(scene, net, via_way_reason=None if sequences else VIA_WAY_NOT_IN_DYNAMIC)
    if turns.banned:
        options["banned_turns"] = turns.banned
    if turns.sequences:
        options["banned_sequences"] = turns.sequences
    return turns.summary()


def run_access(
    files: list[Path],
    *,
    mode: str,
    categories: list[str],
    minutes: float,
    weight: str,
    output: Path | None,
    map_path: Path | None,
    crs: str | None,
    scene_crs: str,
) -> dict[str, Any]:
    """15-minute-city indicator of a scene read from files (streets, buildings, land cover, POIs).

    The mode, time budget, categories and output paths are checked before the scene is read.
    """
    from twin.traffic.access import MAX_THRESHOLD_S, check_access_options, check_categories, fifteen_minute_city

    if not (np.isfinite(minutes) and 0 < minutes <= MAX_THRESHOLD_S / 60.0):
        raise InputError(f"must be a finite number of minutes in (0, {MAX_THRESHOLD_S / 60.0:g}], got {minutes}", field="--minutes")
    try:
        check_access_options(mode=mode, threshold_s=60.0 * minutes, categories=categories)
        check_categories(categories)
    except InputError as exc:
        option = {"mode": "--mode", "categories": "--categories"}.get(exc.field or "", exc.field)
        raise InputError(exc.message, field=option) from None
    if weight.strip() == "":
        raise InputError("give auto, count or a column name", field="--weight")
    from twin.traffic.output_files import StagedOutputs

    outputs = StagedOutputs(files)  # every output checked now, written staged and swapped in together
    outputs.add([("--output", output, FRAME_SUFFIXES), ("--map", map_path, MAP_SUFFIXES)])
    check_sources(files, "FILES")
    scene = scene_from_files(files, crs, scene_crs)
    try:
        res = fifteen_minute_city(scene, categories=tuple(categories), mode=mode, threshold_s=60.0 * minutes, weight=weight)
    except InputError as exc:  # name the option the user typed, and the scene of a layer that lacks something
        if exc.path is not None:
            raise
        option = {"categories": "--categories", weight: "--weight"}.get(exc.field or "", exc.field)
        where = None if exc.obj is None else (files[0] if len(files) == 1 else ", ".join(map(str, files)))
        raise type(exc)(exc.message, path=where, obj=exc.obj, field=option) from None
    summary: dict[str, Any] = {
        "mode": mode,
        "minutes": minutes,
        "weight": res.weight,
        "buildings": int(len(res.buildings)),
        "categories": res.summary().to_dict(orient="records"),
    }
    with outputs:
        if output is not None:
            summary["output"] = str(write_frame(res.buildings, outputs.path(output), target=output))
        if map_path is not None:
            res.plot(outputs.path(map_path), category=categories[0])
            summary["map"] = str(map_path)
    return summary
