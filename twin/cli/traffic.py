"""``twin traffic``: static user-equilibrium assignment (and, from other modules, dynamics)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from twin.cli.choices import choice

#: The check of every ``--signal-split`` (a mobility run refuses ``flows`` itself, with its reason).
SPLIT_CHOICE = choice("twin.option_names:SPLITS", what="green split")

if TYPE_CHECKING:  # pragma: no cover
    from twin.errors import TwinError
    from twin.traffic.select_commands import SelectOutputs

app = typer.Typer(
    help=("Traffic on TNTP or scene networks: static user-equilibrium assignment, select-link / select-zone, OD estimation from "
          "counts, skims, dynamic loading, 15-minute access, district mobility (demand and mode choice). Every output file is checked before any work and "
          "replaces only an earlier twin traffic output (docs/ingest_gis.md, 'Who may replace an output'); the outputs of one run are "
          "swapped in together at the end."),
    no_args_is_help=True,
)

DESIGN_FLOWS_HELP = ("With --signal-split flows: counted flows that time the signals, a counts CSV as for estimate-od: link_id (or osm_way_id), "
                     "period, vehicles (counted over the period: veh/h once divided by --count-period-h), class; an approach not in the file "
                     "takes its capacity (veh/h), a counted 0 stays 0")
COUNT_PERIOD_HELP = ("With --design-flows: hours each count covers (default 1); the design flow is vehicles / hours, in veh/h as the capacities "
                     "of the approaches not in the file (e.g. 2 for a 07:00-09:00 count)")
# the design-flows options of the four scene commands that take --signal-split flows (assign, simulate, select-link, select-zone)
DesignFlowsOption = Annotated[Path | None, typer.Option("--design-flows", help=DESIGN_FLOWS_HELP)]
PeriodOption = Annotated[str | None, typer.Option("--period", help="With --design-flows: counting period to use (required if the file has several)")]
ClassOption = Annotated[str | None, typer.Option("--class", help="With --design-flows: vehicle class to use (required if the file has several)")]
CountPeriodOption = Annotated[float | None, typer.Option("--count-period-h", help=COUNT_PERIOD_HELP)]


@app.command("assign")
def assign_command(
    net: Annotated[Path | None, typer.Option("--net", help="Network file (*_net.tntp)")] = None,
    trips: Annotated[Path | None, typer.Option("--trips", help="Demand file (*_trips.tntp)")] = None,
    scene: Annotated[list[Path] | None, typer.Option("--scene", help="Instead of --net/--trips: scene folder or files (repeatable), with --demand")] = None,
    demand: Annotated[Path | None, typer.Option("--demand", help="With --scene: OD table CSV (origin, destination node ids, flow_veh_h)")] = None,
    restrictions: Annotated[bool | None, typer.Option("--restrictions/--no-restrictions",
                                                      help="With --scene: ban the turns of the scene's OSM turn restrictions (default on)")] = None,
    signals: Annotated[bool | None, typer.Option("--signals/--no-signals",
                                                 help="With --scene: pretimed signals (HCM delay) at the nodes the scene flags as signalised (default on)")] = None,
    signal_split: Annotated[str, typer.Option("--signal-split",
                                              help=("With --scene: green split of the signals' approaches, equal, capacity (Webster's rule by street axis) "
                                                    "or flows (the same rule with the counted flows of --design-flows)"), callback=SPLIT_CHOICE)] = "equal",
    design_flows: DesignFlowsOption = None,
    period: PeriodOption = None,
    klass: ClassOption = None,
    count_period_h: CountPeriodOption = None,
    give_way: Annotated[bool, typer.Option("--give-way/--no-give-way",
                                           help=("With --scene: give-way delay (HCM) at unsignalised junctions: OSM give-way / stop signs and mini roundabouts "
                                                 "where mapped, else minor arms of a major road, roundabout entries, priority to the right"))] = False,
    turn_penalties: Annotated[bool, typer.Option("--turn-penalties/--no-turn-penalties",
                                                 help="With --scene: a penalty per turn by its kind from the street geometry (left 10 s, right 5 s, U-turn 30 s)")] = False,
    turns: Annotated[Path | None, typer.Option("--turns", help="With --scene: write the turning movements of every node (.csv or .parquet)")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="With --scene: CRS of input files that declare none")] = None,
    scene_crs: Annotated[str | None, typer.Option("--scene-crs", help="With --scene: metric CRS of the scene (default EPSG:31370)")] = None,
    algorithm: Annotated[str, typer.Option("--algorithm", "-a", help="fw, cfw, bfw or b (Algorithm B, bush-based)",
                                                      callback=choice("twin.option_names:ALGORITHMS", what="algorithm", parse="twin.option_names:algorithm_name"))] = "b",
    gap: Annotated[float, typer.Option("--gap", "-g", help="Target relative gap (TSTT - SPTT) / TSTT")] = 1e-6,
    max_iter: Annotated[int | None, typer.Option("--max-iter", "-n", help="Iteration limit (default: 1000 for b, 10000 for fw, cfw and bfw)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary and history as JSON")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write link flows and costs (.csv or .parquet)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not print every iteration")] = False,
    toll_factor: Annotated[float | None, typer.Option(help="Generalized-cost weight of tolls (default: the weight in the README.md or SOURCE.md beside --net, else 0)")] = None,
    distance_factor: Annotated[float | None, typer.Option(help="Generalized-cost weight of length (default: the weight in the README.md or SOURCE.md beside --net, else 0)")] = None,
) -> None:
    """Solve the static user equilibrium of TRIPS on NET.

    Prints every iteration (relative gap, Beckmann objective), then the final relative gap,
    Beckmann objective, total system travel cost and time, and wall time. Costs are in the
    network file's units; the generalized cost adds the toll and distance weights of the
    network's README (ChicagoSketch: 0.02 per cent, 0.04 per mile).

    With --scene and --demand instead of --net and --trips: the scene's car network (times in s,
    flows in veh/h; twin.traffic.assign_commands), with the scene's OSM turn restrictions applied
    (the count is printed; --no-restrictions leaves them out) and a pretimed signal (HCM delay) at
    each node the scene flags as signalised (the OSM ingest flags them; --no-signals leaves them out).
    --turn-penalties adds the default penalty of each turn's kind; --turns writes one row per turning
    movement (node, in and out link, kind, allowed, penalty, signal, flow in veh/h).

    --give-way adds give-way delay at unsignalised junctions, assignments repeated until the
    give-way capacities agree with their own conflicting flows within 1 % (at most 20).

    Exit status: 0 converged; 1 not converged within --max-iter, or give-way capacities not
    converged (the results are still printed and written, and one line ``twin: warning: ...``
    goes to stderr); 2 bad input
    (one ``twin: error:`` line: --gap not a finite number in (0, 1), --max-iter below 1, a bad TNTP
    file, no demand, a demand above the limit, an unwritable --output...).
    """
    import time
    import warnings

    from twin.errors import InputError, TwinWarning

    check_cost_factors(toll_factor, distance_factor)
    if scene:  # the options of the two kinds of run, then the input paths: before the engine is imported (NumPy: a few tenths of a second)
        for option, value in (("--net", net), ("--trips", trips), ("--toll-factor", toll_factor), ("--distance-factor", distance_factor)):
            if value is not None:
                raise InputError("not with --scene (a scene assignment reads the scene and --demand)", field=option)
        if demand is None:
            raise InputError("--scene needs --demand (CSV: origin, destination, flow_veh_h)", field="--demand")
    else:
        if net is None or trips is None:
            raise InputError("give --net and --trips (TNTP files), or --scene and --demand", field="--net" if net is None else "--trips")
        if demand is not None:
            raise InputError("only with --scene (a TNTP network takes --trips)", field="--demand")
        if turns is not None or turn_penalties:
            raise InputError("only with --scene (turn kinds come from the scene's street geometry)", field="--turns" if turns is not None else "--turn-penalties")
        if give_way or signal_split != "equal":
            raise InputError("only with --scene (junction rules and street axes come from the scene's streets)", field="--give-way" if give_way else "--signal-split")
        for option, value in (("--design-flows", design_flows), ("--period", period), ("--class", klass), ("--count-period-h", count_period_h)):
            if value is not None:
                raise InputError("only with --scene and --signal-split flows (the design flows time the scene's signals)", field=option)
        check_tntp_options(net, trips, restrictions=restrictions, signals=signals, crs=crs, scene_crs=scene_crs)  # scene options: no signals, bans or geometry
    check_input_paths(scene=scene, net=net, trips=trips)

    from twin.io.json_out import to_json_text
    from twin.traffic.assign import MAX_ITER_LIMIT, algorithm_name, assign
    from twin.traffic.assign_commands import check_gap_option
    from twin.traffic.dynamic_commands import check_distinct_outputs, check_output
    from twin.traffic.tntp import read_network, read_trips

    try:
        algo = algorithm_name(algorithm)
    except InputError as exc:
        raise named_as_option(exc, {"algorithm": "--algorithm"}) from None
    check_gap_option(gap)
    if max_iter is not None and not 1 <= max_iter <= MAX_ITER_LIMIT:
        raise InputError(f"must be a whole number in [1, {MAX_ITER_LIMIT:,}], got {max_iter}", field="--max-iter")
    check_distinct_outputs([("--output", output), ("--turns", turns)])  # first: then each file's own kind is judged once
    check_output(output, (".csv", ".parquet"), "--output", inputs=[*(scene or []), net, trips, demand, design_flows])

    def show(rec) -> None:
        typer.echo(f"  iter {rec.iteration:5d}  gap {rec.relative_gap:.3e}  beckmann {rec.beckmann:.6f}  t {rec.elapsed_s:8.3f} s")

    t_read = time.perf_counter()
    if scene:
        from twin.traffic.assign_commands import run_scene_assign

        result, summary = run_scene_assign(list(scene), demand=demand, algorithm=algo, gap=gap, max_iter=max_iter, output=output, crs=crs,
                                           scene_crs=scene_crs or "EPSG:31370", restrictions=restrictions is not False, signals=signals is not False,
                                           turn_penalties=turn_penalties, turns_output=turns, signal_split=signal_split,
                                           give_way=give_way, callback=None if (as_json or quiet) else show, design_flows=design_flows,
                                           period=period, klass=klass, count_period_h=count_period_h)  # fmt: skip
        summary["read_s"] = max(time.perf_counter() - t_read - result.wall_s, 0.0)  # scene, network and demand
        if not as_json:
            same_node = f" ({summary['same_node_veh_h']:.2f} veh/h from a node to itself left out: they use no link)" if summary["same_node_veh_h"] > 0 else ""
            typer.echo(f"{summary['network']}; {summary['zones']} zones, demand {summary['demand_veh_h']:.2f} veh/h{same_node}")
            typer.echo(f"  turn restrictions            {restriction_line(summary)}")
            typer.echo(f"  signals                      {signal_line(summary)}")
            penalised = summary["turn_penalties"]
            typer.echo(f"  turn penalties               {'off' if penalised == 'off' else f'{penalised} turns penalised (left 10 s, right 5 s, U-turn 30 s)'}")
            typer.echo(f"  give-way                     {give_way_line(summary)}")
    else:
        from twin.traffic.output_files import StagedOutputs

        outputs = StagedOutputs([net, trips])  # a CSV and its record swapped in together, as every traffic output
        outputs.add([("--output", output, (".csv", ".parquet"))])
        network = read_network(net, toll_factor=toll_factor, distance_factor=distance_factor)
        trip_table = read_trips(trips, n_zones=network.n_zones, demand_for="assign")
        read_s = time.perf_counter() - t_read
        if not as_json and not quiet:
            typer.echo(f"{network!r}; demand {trip_table.total:.2f}; algorithm {algo}, target gap {gap:g}")
        result = assign(network, trip_table, algorithm=algo, gap=gap, max_iter=max_iter, callback=None if (as_json or quiet) else show)
        summary = result.summary()
        summary["read_s"] = read_s
        if output is not None:
            with outputs:
                result.write(outputs.path(output))
            summary["output"] = str(output)
    read_s = summary.get("read_s", 0.0)
    if as_json:
        summary["history"] = [rec.__dict__ for rec in result.history]
        typer.echo(to_json_text(summary))
    else:
        typer.echo(
            f"{'converged' if result.converged else 'NOT converged'} after {result.iterations} iterations: "
            f"relative gap {result.relative_gap:.3e} (target {gap:g})"
        )
        typer.echo(f"  Beckmann objective          {result.beckmann:.6f}")
        typer.echo(f"  total system travel cost    {result.tstt:.6f}  (flow x generalized cost)")
        typer.echo(f"  total system travel time    {result.total_travel_time:.6f}  (flow x delay-function time)")
        typer.echo(f"  wall time                   {result.wall_s:.3f} s  (+ {read_s:.3f} s reading)")
        if output is not None:
            typer.echo(f"  link flows and costs        {output}")
        if "turns_output" in summary:
            typer.echo(f"  turning movements           {summary['turns_output']} ({summary['movements']} movements)")
    give_way_off_target = warn_give_way(summary) if scene else False
    if not result.converged:
        warnings.warn(
            f"not converged: relative gap {result.relative_gap:.3e} above the target {gap:g} after {result.iterations} iterations "
            "(exit status 1; raise --max-iter or --gap)",
            TwinWarning,
            stacklevel=1,
        )
    if give_way_off_target or not result.converged:
        raise typer.Exit(code=1)


SCENE_HELP = "Instead of --net/--trips: scene folder or files (repeatable), with --demand"
DEMAND_HELP = "With --scene: OD table CSV (origin, destination node ids, flow_veh_h), as for assign --scene"
# the network and scene options select-link and select-zone share
NetOption = Annotated[Path | None, typer.Option("--net", help="Network file (*_net.tntp)")]
TripsOption = Annotated[Path | None, typer.Option("--trips", help="Demand file (*_trips.tntp)")]
SceneOption = Annotated[list[Path] | None, typer.Option("--scene", help=SCENE_HELP)]
DemandOption = Annotated[Path | None, typer.Option("--demand", help=DEMAND_HELP)]
RestrictionsOption = Annotated[bool | None, typer.Option("--restrictions/--no-restrictions", help="With --scene: the scene's OSM turn restrictions (default on)")]
SignalsOption = Annotated[bool | None, typer.Option("--signals/--no-signals", help="With --scene: pretimed signals at the flagged nodes (default on)")]
TurnPenaltiesOption = Annotated[bool, typer.Option("--turn-penalties", help="With --scene: the default penalty of each turn's kind")]
SignalSplitOption = Annotated[str | None, typer.Option("--signal-split", help="With --scene: green split of the signals, equal (default), capacity or flows",
                                                                     callback=SPLIT_CHOICE)]
GiveWayOption = Annotated[bool, typer.Option("--give-way", help="With --scene: give-way delay (HCM) at unsignalised junctions")]
CrsOption = Annotated[str | None, typer.Option("--crs", help="With --scene: CRS of input files that declare none")]
SceneCrsOption = Annotated[str | None, typer.Option("--scene-crs", help="With --scene: metric CRS of the scene (default EPSG:31370)")]


@app.command("select-link")
def select_link_command(
    link: Annotated[list[str], typer.Option("--link", "-l", help="Selected link: its id or FROM-TO node ids (with --scene: a street link id; repeat for several: traffic using any)")],
    net: NetOption = None,
    trips: TripsOption = None,
    scene: SceneOption = None,
    demand: DemandOption = None,
    restrictions: RestrictionsOption = None,
    signals: SignalsOption = None,
    turn_penalties: TurnPenaltiesOption = False,
    signal_split: SignalSplitOption = None,
    design_flows: DesignFlowsOption = None,
    period: PeriodOption = None,
    klass: ClassOption = None,
    count_period_h: CountPeriodOption = None,
    give_way: GiveWayOption = False,
    crs: CrsOption = None,
    scene_crs: SceneCrsOption = None,
    gap: Annotated[float, typer.Option("--gap", "-g", help="Relative gap of the Algorithm B equilibrium")] = 1e-6,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Select-link OD table: origin, destination, flow (.csv or .parquet)")] = None,
    top: Annotated[int, typer.Option("--top", help="OD pairs printed (largest first)")] = 10,
    link_flows: Annotated[Path | None, typer.Option("--link-flows", help="Per link: total and select-link flow (.csv or .parquet)")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Map of the select-link flow (.png or .svg; needs node coordinates)")] = None,
    nodes: Annotated[Path | None, typer.Option("--nodes", help="With --map: TNTP node file (default: *_node.tntp beside --net)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Select-link analysis: the OD matrix of the traffic that uses LINK at equilibrium.

    Solves the user equilibrium of TRIPS on NET with Algorithm B (to --gap), then splits every
    origin's flow at each node in proportion to its link flows and keeps the part that used a
    selected link. Prints the selected links' flow, the select-link total (equal for one link),
    the largest OD pairs, origin and destination totals; --output writes the OD table,
    --link-flows every link's total flow and the flow of the trips that use a selected link
    (before and after it), --map draws that flow on the network (node coordinates from the TNTP
    node file).

    With --scene and --demand instead of --net and --trips: the assignment of ``twin traffic
    assign --scene`` (turn restrictions, signals, veh/h), LINK a street link id of the scene; the
    selected street link is every link of the turn-expanded network that carries its flow;
    --link-flows and --map are per street link (the map draws the scene's street geometries);
    --output is a demand table (origin, destination, flow_veh_h).

    Exit status: 0; 2 bad input (unknown link, --gap not a finite number in (0, 1), --top < 0, a bad
    TNTP file, --map without a node file, an output that cannot be written or lies in the
    network's folder), all checked before the assignment; with --scene also a street link that
    carries no car flow at equilibrium (the selection matches nothing).
    """
    from twin.errors import InputError

    if top < 0:
        raise InputError(f"must be >= 0, got {top}", field="--top")
    if any(not str(v).strip() for v in link):  # was: "object link ; ...: no link ''"
        raise InputError("--link is empty: give a link id or FROM-TO node ids (with --scene: a street link id)", field="--link")
    scene_options = select_scene_options(scene, net, trips, demand, restrictions=restrictions, signals=signals, turn_penalties=turn_penalties,
                                         signal_split=signal_split, give_way=give_way, design_flows=design_flows, period=period, klass=klass,
                                         count_period_h=count_period_h, crs=crs, scene_crs=scene_crs)  # fmt: skip
    check_input_paths(scene=scene, net=net, trips=trips)  # before the engine is imported
    from twin.io.json_out import to_json_text
    from twin.traffic.select_commands import SelectOutputs

    outputs = SelectOutputs(od=output, link_flows=link_flows, map=map_path, nodes=nodes)
    if scene_options is not None:
        from twin.traffic.select_scene import run_scene_select_link

        summary = run_scene_select_link(list(scene), demand, link, gap=gap, top=top, outputs=outputs, **scene_options)
    else:
        try:
            summary = tntp_select_link(net, trips, link, gap, top, outputs)
        except InputError as exc:
            raise named_as_option(exc, {"links": "--link"}) from None
    if as_json:
        typer.echo(to_json_text(summary))
        return
    unit = " (veh/h)" if scene else ""
    warn_give_way(summary)
    typer.echo(f"{summary['network']}: select-link {', '.join(summary['links'])} at relative gap {summary['relative_gap']:.2e}")
    if scene:
        echo_junction_lines(summary, 30)
    typer.echo(f"  flow on the selected link(s)   {summary['selected_link_flow']:.6f}{unit}")
    typer.echo(f"  select-link OD total           {summary['select_link_total']:.6f}  ({summary['od_pairs']} OD pairs)")
    for row in summary["top"]:
        typer.echo(f"  {row['origin']:>8s} -> {row['destination']:<8s} {row['flow']:14.4f}")
    for key, words in (("output", "OD table"), ("link_flows", "link flows"), ("map", "map")):
        if key in summary:
            typer.echo(f"  {words:30s} {summary[key]}")


def echo_junction_lines(s: dict, width: int) -> None:
    """The turn-restriction, signal and give-way lines of a scene run's summary (select-link,
    select-zone), each label padded to ``width`` characters."""
    for label, text in (("turn restrictions", restriction_line(s)), ("signals", signal_line(s)), ("give-way", give_way_line(s))):
        typer.echo(f"  {label:{width}s} {text}")


def check_scene_options(net: Path | None, trips: Path | None, demand: Path | None) -> None:
    """With --scene: no --net / --trips, and a --demand."""
    from twin.errors import InputError

    for option, value in (("--net", net), ("--trips", trips)):
        if value is not None:
            raise InputError("not with --scene (a scene run reads the scene and --demand)", path=value, field=option)
    if demand is None:
        raise InputError("--scene needs --demand (CSV: origin, destination, flow_veh_h)", field="--demand")


def select_scene_options(scene: list[Path] | None, net: Path | None, trips: Path | None, demand: Path | None, *, restrictions: bool | None,
                         signals: bool | None, turn_penalties: bool, signal_split: str | None, give_way: bool, design_flows: Path | None,
                         period: str | None, klass: str | None, count_period_h: float | None, crs: str | None,
                         scene_crs: str | None) -> dict[str, object] | None:  # fmt: skip
    """The input options of ``select-link`` / ``select-zone``, checked before any work.

    With ``scene``: :func:`check_scene_options`, then the keywords of the scene run
    (:func:`twin.traffic.select_scene.run_scene_select_link` / ``run_scene_select_zone``) with the
    defaults of options left out. Without: :func:`check_tntp_options` (none of the scene options
    given) and None.
    """
    if not scene:
        check_tntp_options(net, trips, demand=demand, restrictions=restrictions, signals=signals, turn_penalties=turn_penalties, crs=crs, scene_crs=scene_crs,
                           signal_split=signal_split, give_way=give_way, design_flows=design_flows, period=period, **{"class": klass},
                           count_period_h=count_period_h)  # fmt: skip
        return None
    check_scene_options(net, trips, demand)
    return {"crs": crs, "scene_crs": scene_crs or "EPSG:31370", "restrictions": restrictions is not False, "signals": signals is not False,
            "turn_penalties": turn_penalties, "signal_split": signal_split or "equal", "give_way": give_way, "design_flows": design_flows,
            "period": period, "klass": klass, "count_period_h": count_period_h}  # fmt: skip


def check_tntp_options(net: Path | None, trips: Path | None, *, restrictions: bool | None = None, signals: bool | None = None, **scene_only: object) -> None:
    """Without --scene: --net and --trips, and none of the options of a scene run.

    ``restrictions`` / ``signals``: None when left out (``--no-restrictions`` / ``--no-signals``
    is False, given: a TNTP network has neither, the option would change nothing); the other
    options count as given unless None or False (flags off by default).
    """
    from twin.errors import InputError

    if net is None or trips is None:
        raise InputError("give --net and --trips (TNTP files), or --scene and --demand", field="--net" if net is None else "--trips")
    for name, value in (("restrictions", restrictions), ("signals", signals)):
        if value is not None:
            raise InputError(f"only with --scene (a TNTP network has no {'turn restrictions' if name == 'restrictions' else name})",
                             field=f"--{'' if value else 'no-'}{name}")  # fmt: skip
    for name, value in scene_only.items():
        if value is not None and value is not False:
            raise InputError("only with --scene", field="--" + name.replace("_", "-"))


def tntp_select_link(net: Path, trips: Path, link: list[str], gap: float, top: int, outputs: SelectOutputs) -> dict:
    """Select-link on a TNTP case: assign, select, write the outputs; returns the summary."""
    from twin.errors import InputError
    from twin.traffic.assign import assign
    from twin.traffic.select_commands import od_summary, read_inputs, write_select_outputs
    from twin.traffic.select_link import link_indices, select_link

    network, demand, xy = read_inputs(net, trips, outputs, gap)
    try:
        sel = link_indices(network, link)  # unknown links fail before the assignment
    except InputError as exc:  # an unknown link: name the network file, as the reader's errors do
        if exc.obj is None:
            raise
        raise InputError(exc.message, path=net, obj=exc.obj, field=exc.field) from None
    result = assign(network, demand, algorithm="b", gap=gap)
    sl = select_link(result, link, demand=demand)
    title = f"{network.name}: select-link {', '.join(str(v) for v in sl.link_ids)} (relative gap {result.relative_gap:.1e})"
    with outputs.writing():  # staged, then swapped in together: an error on the last output leaves every earlier file as it was
        if outputs.od is not None:
            sl.write(outputs.path(outputs.od))
        written = write_select_outputs(network, result.flow, sl.trip_flow, outputs, kind="select_link", unit=sl.unit, title=title,
                                       highlight_links=sel, xy=xy)  # fmt: skip
    frame = sl.to_frame().sort_values("flow", ascending=False)
    summary = {
        "network": network.name,
        "links": [str(v) for v in sl.link_ids],
        "relative_gap": result.relative_gap,
        "selected_link_flow": sl.selected_flow,
        "select_link_total": sl.total,
        **od_summary(sl.od, network.node_ids, frame, top),
    }
    if outputs.od is not None:
        summary["output"] = str(outputs.od)
    summary.update(written)
    return summary


@app.command("select-zone")
def select_zone_command(
    zones: Annotated[list[str], typer.Option("--zones", "-z", help="Selected zone node ids, comma-separated or repeated (with --scene: nodes of the demand table)")],
    net: NetOption = None,
    trips: TripsOption = None,
    scene: SceneOption = None,
    demand: DemandOption = None,
    restrictions: RestrictionsOption = None,
    signals: SignalsOption = None,
    turn_penalties: TurnPenaltiesOption = False,
    signal_split: SignalSplitOption = None,
    design_flows: DesignFlowsOption = None,
    period: PeriodOption = None,
    klass: ClassOption = None,
    count_period_h: CountPeriodOption = None,
    give_way: GiveWayOption = False,
    crs: CrsOption = None,
    scene_crs: SceneCrsOption = None,
    side: Annotated[str, typer.Option("--side", help="origin (trips from the zones) or destination (trips to them)",
                                                 callback=choice(("origin", "destination"), what="side"))] = "origin",
    gap: Annotated[float, typer.Option("--gap", "-g", help="Relative gap of the Algorithm B equilibrium")] = 1e-6,
    link_flows: Annotated[Path | None, typer.Option("--link-flows", help="Per link: total and select-zone flow (.csv or .parquet)")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Map of the select-zone flow (.png or .svg; needs node coordinates)")] = None,
    nodes: Annotated[Path | None, typer.Option("--nodes", help="With --map: TNTP node file (default: *_node.tntp beside --net)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Select-zone analysis: the flow on every link of the trips from (--side origin) or to
    (--side destination) ZONES at equilibrium.

    Solves the user equilibrium of TRIPS on NET with Algorithm B (to --gap); prints the zones'
    demand, the net flow out of (into) the zone nodes (equal to the demand less the trips
    between two selected zones) and the selected trips' vehicle distance and time; --link-flows
    writes every link's total and select-zone flow, --map draws the select-zone flow.

    With --scene and --demand instead of --net and --trips: the assignment of ``twin traffic
    assign --scene``, ZONES nodes of the demand table; flows in veh/h per street link, vehicle
    distance in m, vehicle time in s (with signal delay and turn penalties).

    Exit status: 0; 2 bad input (a zone that does not exist, zones with no trip on the chosen
    --side, --side not origin or destination, --gap not a finite number in (0, 1), a bad TNTP file,
    --map without a node file, an output that cannot be written or lies in the network's folder),
    all checked before the assignment.
    """
    scene_options = select_scene_options(scene, net, trips, demand, restrictions=restrictions, signals=signals, turn_penalties=turn_penalties,
                                         signal_split=signal_split, give_way=give_way, design_flows=design_flows, period=period, klass=klass,
                                         count_period_h=count_period_h, crs=crs, scene_crs=scene_crs)  # fmt: skip
    check_input_paths(scene=scene, net=net, trips=trips)  # before the engine is imported
    from twin.errors import InputError
    from twin.io.json_out import to_json_text
    from twin.traffic.select_commands import SelectOutputs, run_select_zone

    ids = [part.strip() for item in zones for part in item.split(",") if part.strip()]
    outputs = SelectOutputs(link_flows=link_flows, map=map_path, nodes=nodes)
    if scene_options is not None:
        from twin.traffic.select_scene import run_scene_select_zone

        s = run_scene_select_zone(list(scene), demand, ids, side, gap=gap, outputs=outputs, **scene_options)
    else:
        try:
            s = run_select_zone(net, trips, ids, side, gap, outputs)
        except InputError as exc:
            raise named_as_option(exc, {"zones": "--zones", "side": "--side"}) from None
    if as_json:
        typer.echo(to_json_text(s))
        return
    warn_give_way(s)
    where = "from" if side == "origin" else "to"
    units = {u: "network file units" if u == "file" else u for u in (s["length_unit"], s["time_unit"])}
    typer.echo(f"{s['network']}: select-zone, trips {where} zone(s) {', '.join(s['zones'])} at relative gap {s['relative_gap']:.2e}")
    if scene:
        echo_junction_lines(s, 38)
    typer.echo(f"  demand {where + (' the zones (demand, veh/h)' if scene else ' the zones (trips file)'):31s} {s['demand_veh']:.6f}")
    typer.echo(f"  {'of it between selected zones':38s} {s['demand_among_zones_veh']:.6f}")
    typer.echo(f"  net flow {('out of' if side == 'origin' else 'into') + ' the zone nodes':29s} {s['net_flow_veh']:.6f}  (relative difference {s['balance_error']:.1e})")
    typer.echo(f"  {'vehicle distance':38s} {s['vehicle_distance']:.6f}  (veh x {units[s['length_unit']]})")
    typer.echo(f"  {'vehicle time':38s} {s['vehicle_time']:.6f}  (veh x {units[s['time_unit']]})")
    for key, words in (("link_flows", "link flows"), ("map", "map")):
        if key in s:
            typer.echo(f"  {words:38s} {s[key]}")


@app.command("estimate-od")
def estimate_od_command(
    net: Annotated[Path, typer.Option("--net", help="Network file (*_net.tntp)")],
    trips: Annotated[Path, typer.Option("--trips", help="Prior OD matrix (*_trips.tntp)")],
    counts: Annotated[Path, typer.Option("--counts", help="Counts CSV: link_id (or osm_way_id), period, vehicles, class")],
    period: Annotated[str | None, typer.Option("--period", help="Counting period to use (required if the file has several)")] = None,
    klass: Annotated[str | None, typer.Option("--class", help="Vehicle class to use (required if the file has several)")] = None,
    method: Annotated[str, typer.Option("--method", help="zonal, gls, zonal+gls or structured (docs/traffic.md)",
                                                   callback=choice("twin.option_names:ESTIMATION_METHODS", what="method"))] = "zonal",
    outer: Annotated[int, typer.Option("--rounds", help="Largest number of assignment / estimation rounds, 1 to 50 (round k moves the matrix by 1/k)")] = 8,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Estimated OD table: origin, destination, vehicles (.csv or .parquet)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Adjust the prior OD matrix TRIPS to link COUNTS; print the GEH fit before and after.

    Each round assigns the current matrix (Algorithm B, user equilibrium), takes the share of
    every OD pair on every counted link (select-link) and solves a regularised least-squares
    problem (see docs/traffic.md, "OD estimation from counts"). Exit status: 0; 2 bad input (a
    count on a link that does not exist, a negative count, a bad TNTP file...).
    """
    from twin.io.paths import check_input_file
    from twin.traffic.estimate_rounds import check_outer

    check_outer(outer, field="--rounds")  # the option, then the paths, before the engine is imported (NumPy, pandas: up to a second)
    check_input_paths(net=net, trips=trips)
    check_input_file(counts, field="--counts", what="counts file")
    import numpy as np
    import pandas as pd

    from twin.errors import InputError
    from twin.io.json_out import to_json_text
    from twin.traffic.counts import check_method, estimate_od, read_counts
    from twin.traffic.output_files import StagedOutputs
    from twin.traffic.tntp import read_network, read_trips

    try:
        check_method(method)  # before the files are read
    except InputError as exc:
        raise named_as_option(exc, {"method": "--method"}) from None
    outputs = StagedOutputs([net, trips, counts])  # checked now; a CSV and its record swapped in together (as every traffic output)
    outputs.add([("--output", output, (".csv", ".parquet"))])
    network = read_network(net)
    data = read_counts(counts, network, period=period, klass=klass)
    prior = read_trips(trips, n_zones=network.n_zones, demand_for="estimate (the estimate scales the prior: OD pairs with a zero prior stay zero)")
    est = estimate_od(network, prior, data, method=method, outer=outer)
    summary = est.summary()
    if output is not None:
        o, d = np.nonzero(est.matrix > 0)
        ids = network.node_ids
        frame = pd.DataFrame({"origin": ids[o], "destination": ids[d], "vehicles": est.matrix[o, d]})
        from twin.traffic.dynamic_commands import write_frame  # tags a Parquet; a CSV's record is written by the commit

        with outputs:
            write_frame(frame, outputs.path(output), target=output)
        summary["output"] = str(output)
    if as_json:
        typer.echo(to_json_text(summary))
        return
    typer.echo(f"{network.name}: {len(data)} counts (period {data.period}, class {data.klass}), method {method}, {summary['rounds']} rounds")
    typer.echo(f"  counts with GEH < 5     prior {100 * summary['geh_below_5_prior']:5.1f} %   estimated {100 * summary['geh_below_5']:5.1f} %")
    typer.echo(f"  mean GEH                prior {summary['mean_geh_prior']:7.3f}   estimated {summary['mean_geh']:7.3f}")
    typer.echo(f"  total demand            prior {summary['total_prior']:.2f}   estimated {summary['total_estimated']:.2f}")
    if output is not None:
        typer.echo(f"  OD table                {output}")


# ---------------------------------------------------------------------------------------------
# dynamic loading and accessibility (traffic-dynamic helper; the work is in twin.traffic.dynamic_commands)
@app.command("simulate")
def simulate_command(
    source: Annotated[list[Path], typer.Argument(help="Scenario folder (nodes.csv, links.csv, demand.csv) or scene files / scene folder", metavar="SOURCE")],
    demand: Annotated[Path | None, typer.Option("--demand", help="OD demand CSV for a scene (origin, destination, t_start_s, t_end_s, vehicles)")] = None,
    dt: Annotated[float | None, typer.Option("--dt", help="Time step, s (default: scenario's, or 1 s)")] = None,
    duration: Annotated[float | None, typer.Option("--duration", help="Simulated time, s (default: a scenario folder's, else the end of the last departure window + 1 h)")] = None,
    routes: Annotated[str, typer.Option("--routes", help="duo, free_flow or equilibrium",
                                                   callback=choice("twin.option_names:CLI_ROUTES", what="route choice"))] = "duo",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Per-link results (.csv, .parquet)")] = None,
    timeseries: Annotated[Path | None, typer.Option("--timeseries", help="Per-link, per-step results (.nc, .parquet, .csv)")] = None,
    turns: Annotated[Path | None, typer.Option("--turns", help="Vehicles per turning movement over the run (.csv, .parquet)")] = None,
    turns_interval: Annotated[float | None, typer.Option("--turns-interval",
                                                         help=("With --turns: vehicles per movement in intervals of this many seconds "
                                                               "(a whole number of steps; default: one interval, the whole run)"))] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of input files that declare none")] = None,
    scene_crs: Annotated[str, typer.Option("--scene-crs", help="Metric CRS of the scene")] = "EPSG:31370",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
    signals: Annotated[bool, typer.Option("--signals/--no-signals",
                                          help="Pretimed signals (stop-line capacity s g) at the nodes the scene flags as signalised")] = True,
    signal_split: Annotated[str, typer.Option("--signal-split",
                                              help=("Green split of the signals' approaches (scenes): equal, capacity (Webster's rule by street axis) "
                                                    "or flows (the same rule with the counted flows of --design-flows)"), callback=SPLIT_CHOICE)] = "equal",
    design_flows: DesignFlowsOption = None,
    period: PeriodOption = None,
    klass: ClassOption = None,
    count_period_h: CountPeriodOption = None,
    restrictions: Annotated[bool, typer.Option("--restrictions/--no-restrictions",
                                               help="Ban the turns of the scene's OSM turn restrictions (its turn_restrictions layer)")] = True,
    give_way: Annotated[bool, typer.Option("--give-way/--no-give-way", help="Scenes: give-way capacity of the conflicting outflows at unsignalised junctions")] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of DUO's route-choice noise (duo_noise); the first seed with --replicates "
                                                     "(default: a scenario folder's random_seed, else 0)")] = None,
    replicates: Annotated[int, typer.Option("--replicates",
                                            help="Runs with seeds SEED..SEED+N-1 (duo only, 1-100): mean, sd, min-max and standard error of the totals")] = 1,
    duo_interval: Annotated[float | None, typer.Option("--duo-interval",
                                                       help="Seconds between DUO route updates, a whole number of steps (default: "
                                                            "a scenario folder's duo_update_time, 60 s on a scene)")] = None,
    duo_noise: Annotated[float | None, typer.Option("--duo-noise",
                                                    help="DUO's route-choice tie noise in [0, 1] (default: a scenario folder's duo_noise, else 0.01; 0: deterministic, "
                                                         "the seed changes nothing)")] = None,
) -> None:
    """Dynamic network loading (link transmission model with queues and spillback).

    Options are checked before any work: --routes one of duo, free_flow, equilibrium; --dt in
    (0, 3600] s; --duration in (0, 30 days]; links x steps at most 2.5e8 (a ResourceLimitError
    instead of hours of work or memory exhaustion); --seed >= 0 (another than 0 with duo only);
    --replicates in [1, 100] (more than one with duo only, not with --timeseries or --turns;
    --output is then the mean per link over the replicates); --duo-interval a whole number of
    steps; --duo-noise in [0, 1] (duo only; with 0, no other --seed than 0 and no replicates).
    """
    from twin.workflows.scene_loading import check_sources

    check_sources(list(source), "SOURCE")  # before twin.traffic.dynamic_commands is imported (NumPy, pandas: about a second)
    from twin.io.json_out import to_json_text
    from twin.traffic.dynamic_commands import give_way_text, run_simulate

    s = run_simulate(list(source), demand=demand, dt_s=dt, duration_s=duration, routes=routes, output=output, timeseries=timeseries, crs=crs, scene_crs=scene_crs,
                     signals=signals, restrictions=restrictions, turns=turns, turns_interval_s=turns_interval, signal_split=signal_split, give_way=give_way,
                     seed=seed, replicates=replicates, duo_interval_s=duo_interval, duo_noise=duo_noise, design_flows=design_flows,
                     period=period, klass=klass, count_period_h=count_period_h)  # fmt: skip
    if as_json:
        typer.echo(to_json_text(s))
        return
    if replicates > 1:
        echo_replicates(s)
        return
    from twin.traffic.dynamic_replicates import REPLICATE_KPIS

    typer.echo(f"{s['network']}; dt {s['dt_s']:g} s, {s['steps']} steps, routes {routes_text(s)}")
    echo_controls(s, give_way_text(s))
    for key in ("generated_veh", *REPLICATE_KPIS):
        typer.echo(f"  {key:28s} {s[key]:.3f}")
    if s.get("duo_noise", 0.0) > 0.0:  # one run of a noisy route choice: say how far to trust the totals
        typer.echo(f"  (one run, seed {s.get('seed', 0)}: DUO's route-choice noise moves these totals from seed to seed; "
                   "--replicates N gives their spread)")
    typer.echo(f"  wall time                    {s['wall_time_s']:.3f} s ({s['vehicles_per_s']:.0f} veh/s, {s['link_steps_per_s']:.0f} link-steps/s)")
    for key in ("output", "timeseries", "turns"):
        if key in s:
            typer.echo(f"  {key:28s} {s[key]}" + (f" ({s['movements']} movements)" if key == "turns" else ""))


def routes_text(s: dict) -> str:
    """The route choice of a ``twin traffic simulate`` summary, with DUO's update interval and noise."""
    if s.get("route_choice") == "duo" and s.get("duo_interval_steps"):
        return f"duo, updated every {s['duo_interval_steps'] * s['dt_s']:g} s, noise {s.get('duo_noise', 0.0):g}"
    return str(s.get("route_choice"))


def echo_controls(s: dict, give_way: str) -> None:
    """The turn-restriction, signal and give-way lines of a ``twin traffic simulate`` summary
    (each when the run has it; ``give_way``: the give-way line's text)."""
    if "turn_restrictions" in s:
        typer.echo(f"  turn restrictions            {restriction_line(s)}")
    if "signals" in s:
        typer.echo(f"  signals                      {signal_line(s)}")
    if "give_way_junctions" in s:
        typer.echo(f"  give-way                     {give_way}")


def echo_replicates(s: dict) -> None:
    """Print the summary of several replicates of ``twin traffic simulate``: the figures that do
    not vary with the seed, then per figure that does its mean, sd, min-max and standard error."""
    from twin.traffic.dynamic_commands import give_way_text
    from twin.traffic.dynamic_replicates import GIVE_WAY_KPIS, REPLICATE_KPIS

    typer.echo(f"{s['network']}; dt {s['dt_s']:g} s, {s['steps']} steps, routes {routes_text(s)}; "
               f"{s['replicates']} replicates, seeds {s['seeds'][0]}-{s['seeds'][-1]}")  # fmt: skip
    means = {k: s[f"{k}_mean"] for k in GIVE_WAY_KPIS if f"{k}_mean" in s}
    echo_controls(s, f"{give_way_text({**s, **means})} (means over the replicates)")
    typer.echo(f"  {'generated_veh':28s} {s['generated_veh']:.3f}")
    typer.echo(f"  {'':28s} {'mean':>12s} {'sd':>10s} {'min':>12s} {'max':>12s} {'sem':>10s}")
    for key in (*REPLICATE_KPIS, "give_way_queue_veh_h"):
        if f"{key}_mean" in s:
            typer.echo(f"  {key:28s} {s[key + '_mean']:12.3f} {s[key + '_sd']:10.3f} {s[key + '_min']:12.3f} {s[key + '_max']:12.3f} {s[key + '_sem']:10.3f}")
    typer.echo(f"  ({s['spread']})")
    typer.echo(f"  wall time                    {s['wall_time_s']:.3f} s for {s['replicates']} runs ({s['vehicles_per_s']:.0f} veh/s, {s['link_steps_per_s']:.0f} link-steps/s)")
    if "output" in s:
        typer.echo(f"  {'output':28s} {s['output']} (mean per link over the replicates)")


def signal_line(s: dict) -> str:
    """How many of the scene's signalised nodes a run applied (``--no-signals``: off), and those
    left out for want of an approach (:func:`twin.traffic.signals.split_by_approach`)."""
    if s["signals"] == "off":
        return "off (--no-signals)"
    left = s.get("signals_without_approach", [])
    without = f"; {len(left)} flagged node(s) without an approach in the car network not applied (ids: --json)" if left else ""
    split = ""
    if s.get("signal_split", "equal") != "equal":
        split = f"; green split by {s['signal_split']} at {s.get('signal_nodes_split', 0)} node(s)"
        if "signal_design_flows" in s:
            hours = s.get("signal_count_period_h", 1.0)
            per = f" over {hours:g} h (vehicles / {hours:g} as veh/h)" if hours != 1.0 else ""
            split += f" ({s['signal_design_flows']} approaches counted{per}, {s['signal_approaches_capacity']} not in the file at their capacity)"
        for key, why in (("signal_nodes_one_axis", "one street axis"), ("signal_nodes_without_bearing", "no bearing"),
                         ("signal_nodes_no_flow", "every approach counted 0")):
            if s.get(key):
                split += f", equal at {s[key]} ({why})"
    return f"{s['signals']} signalised nodes ({s.get('signal_approaches', 0)} approaches){without}{split}"


def give_way_line(s: dict) -> str:
    """The give-way junctions of a scene assignment and how its fixed point of capacities and flows
    ended (``--no-give-way``: off)."""
    if s.get("give_way", "off") == "off":
        return "off (--give-way to apply)"
    head = "converged" if s["give_way_converged"] else "NOT converged"
    from twin.traffic.priority import junction_counts_text

    return (f"{junction_counts_text(s, 'give_way_')}: {s['give_way_yielding_approaches']} yielding approaches; capacities {head} after {s['give_way_passes']} assignments, "
            f"largest change at the last {100 * s['give_way_change']:.2g} % (tolerance {100 * s['give_way_tolerance']:g} %)")  # fmt: skip


def warn_give_way(s: dict) -> bool:
    """One ``twin: warning:`` line (:class:`~twin.errors.TwinWarning`) when a scene run's give-way
    capacities did not converge; returns whether they did not."""
    import warnings

    from twin.errors import TwinWarning

    if s.get("give_way", "off") == "off" or s["give_way_converged"]:
        return False
    warnings.warn(f"give-way capacities not converged: largest change {100 * s['give_way_change']:.2g} % above the tolerance "
                  f"{100 * s['give_way_tolerance']:g} % after {s['give_way_passes']} assignments (the results are those of the last)",
                  TwinWarning, stacklevel=1)  # fmt: skip
    return True


def restriction_line(s: dict) -> str:
    """How many of the scene's turn restrictions a run applied (``--no-restrictions``: off).

    The banned link sequences of via-way restrictions are counted when there are any; the via-way
    restrictions that dynamic loading leaves out
    (:data:`twin.traffic.dynamic_commands.VIA_WAY_NOT_IN_DYNAMIC`) are named apart from those
    that do not apply to the network.
    """
    from twin.traffic.dynamic_commands import VIA_WAY_NOT_IN_DYNAMIC

    if s["turn_restrictions"] == "off":
        return "off (--no-restrictions)"
    sequences = s.get("restriction_banned_sequences", 0)
    banned = f"{s['restriction_banned_turns']} banned turns" + (f", {sequences} banned sequences" if sequences else "")
    via_way = sum(r["reason"] == VIA_WAY_NOT_IN_DYNAMIC for r in s.get("turn_restrictions_not_applied", []))
    left_out = f"; {via_way} via-way not applied (dynamic loading cannot apply them; twin traffic assign --scene does)" if via_way else ""
    return (f"{s['turn_restrictions_applied']} of {s['turn_restrictions']} applied ({banned}){left_out}; "
            f"{s['turn_restrictions_skipped'] - via_way} not applicable (reasons: --json)")


@app.command("access")
def access_command(
    files: Annotated[list[Path], typer.Argument(help="Scene files (streets, buildings, land cover, POIs) or a scene folder", metavar="FILES")],
    mode: Annotated[str, typer.Option("--mode", help="walk, bike or car", callback=choice("twin.traffic.access:MODE_SPEEDS_M_S", what="mode"))] = "walk",
    categories: Annotated[str, typer.Option("--categories", help="Comma-separated service categories",
                                                     callback=choice("twin.traffic.access:SERVICE_SOURCES", what="service category",
                                                                     comma_separated=True))] = "school,park",
    minutes: Annotated[float, typer.Option("--minutes", help="Time budget, min")] = 15.0,
    weight: Annotated[str, typer.Option("--weight", help="Residents proxy: auto (dwellings, else floor area), a column name, or count")] = "auto",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Per-building results (.gpkg, .parquet, .csv)")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Map of the first category (.png)")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of input files that declare none")] = None,
    scene_crs: Annotated[str, typer.Option("--scene-crs", help="Metric CRS of the scene")] = "EPSG:31370",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """15-minute-city indicator: share of residents reaching each service category in time.

    Options are checked before the scene is read: --mode walk, bike or car; --minutes a finite
    number in (0, 1440]; at least one category.
    """
    from twin.workflows.scene_loading import check_sources

    check_sources(list(files), "FILES")  # before twin.traffic.dynamic_commands is imported (NumPy, pandas: about a second)
    from twin.io.json_out import to_json_text
    from twin.traffic.dynamic_commands import run_access

    cats = [c.strip() for c in categories.split(",") if c.strip()]
    s = run_access(list(files), mode=mode, categories=cats, minutes=minutes, weight=weight, output=output, map_path=map_path, crs=crs, scene_crs=scene_crs)
    if as_json:
        typer.echo(to_json_text(s))
        return
    typer.echo(f"{s['buildings']} buildings, {s['mode']}, {s['minutes']:g} min, weight {s['weight']}")
    for row in s["categories"]:
        typer.echo(f"  {row['category']:12s} {100 * row['share_of_residents']:6.1f} % of residents ({row['buildings_reached']} buildings)")
    for key in ("output", "map"):
        if key in s:
            typer.echo(f"  {key:12s} {s[key]}")


def check_cost_factors(toll_factor: float | None, distance_factor: float | None) -> None:
    """Raise InputError naming ``--toll-factor`` or ``--distance-factor`` unless it is left out or
    a finite number >= 0 (a negative weight makes a link's generalized cost fall with its toll or
    length; ``assign`` and ``skims`` read both)."""
    from twin.errors import InputError

    for option, value in (("--toll-factor", toll_factor), ("--distance-factor", distance_factor)):
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise InputError(f"must be a finite number >= 0, got {value}", field=option)


def check_input_paths(*, scene: list[Path] | None = None, net: Path | None = None, trips: Path | None = None) -> None:
    """The input files of a command exist and can be read, checked before the traffic engine is
    imported (NumPy, pandas: up to a second), with the messages of the readers' own checks.

    With ``scene``: its sources (:func:`twin.workflows.scene_loading.check_sources`, field
    ``--scene``); else each of the TNTP network and trips files given, in that order
    (:func:`twin.io.paths.check_input_file`, as :func:`twin.traffic.tntp.read_network` and
    :func:`twin.traffic.tntp.read_trips` check them). Standard library only.
    """
    if scene:
        from twin.workflows.scene_loading import check_sources

        check_sources(list(scene), "--scene")
        return
    from twin.io.paths import check_input_file

    for path, what in ((net, "network file"), (trips, "trips file")):
        if path is not None:
            check_input_file(path, what=what)


#: The fields of :class:`twin.traffic.mobility.MobilityOptions` (and the zone size of
#: :func:`twin.traffic.demand.trip_ends`) a ``twin traffic mobility`` option sets: its errors name
#: the option a user typed, not the Python field.
MOBILITY_OPTION_NAMES = {"periods": "--periods", "zone_size_m": "--zone-size", "feedback": "--feedback", "access_minutes": "--minutes",
                         "signal_split": "--signal-split", "gtfs_date": "--gtfs-date", "transit_routes": "--transit-routes",
                         "transit_defaults": "--transit-defaults", "mode_choice": "--mode-choice", "parameters": "--parameters", "gtfs": "--gtfs",
                         "external_matrix": "--external-matrix"}  # fmt: skip


def named_as_option(exc: TwinError, names: dict[str, str]) -> TwinError:
    """``exc`` with its field renamed to the command-line option of ``names`` that sets it (``exc``
    itself when its field is not one of them), in its message too when that starts with the field
    (``access_minutes must be in (0, 120]`` -> ``--minutes must be in (0, 120]``)."""
    option = names.get(exc.field or "")
    if option is None:
        return exc
    message = option + exc.message[len(exc.field):] if exc.message.startswith(f"{exc.field} ") else exc.message
    return type(exc)(message, path=exc.path, obj=exc.obj, field=option)


# ---------------------------------------------------------------------------------------------
# district mobility and skims (issue 14; the work is in twin.traffic.mobility_commands)
@app.command("skims")
def skims_command(
    net: Annotated[Path, typer.Option("--net", help="Network file (*_net.tntp)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Skims file (.omx OpenMatrix, or .parquet)")],
    trips: Annotated[Path | None, typer.Option("--trips", help="Demand file: adds the skims at the assigned equilibrium")] = None,
    gap: Annotated[float | None, typer.Option("--gap", help="With --trips: target relative gap of the assignment (default 1e-6)")] = None,
    toll_factor: Annotated[float | None, typer.Option(help="Generalized-cost weight of tolls (default: the weight in the README.md or SOURCE.md beside --net, else 0)")] = None,
    distance_factor: Annotated[float | None, typer.Option(help="Generalized-cost weight of length (default: the weight in the README.md or SOURCE.md beside --net, else 0)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Zone-to-zone skims (generalized cost, time, length) of a TNTP network, free flow and assigned."""
    check_cost_factors(toll_factor, distance_factor)
    check_input_paths(net=net, trips=trips)  # before the engine is imported
    from twin.io.json_out import to_json_text
    from twin.traffic.mobility_commands import run_skims

    s = run_skims(net, trips=trips, output=output, gap=gap, toll_factor=toll_factor, distance_factor=distance_factor)
    if as_json:
        typer.echo(to_json_text(s))
        return
    typer.echo(f"{s['network']}: {len(s['matrices'])} matrices over {s['zones']} zones -> {s['output']}")
    for name in s["matrices"]:
        typer.echo(f"  {name}")


@app.command("mobility")
def mobility_command(
    files: Annotated[list[Path], typer.Argument(help="Scene files (buildings, streets, land cover, POIs) or a scene folder", metavar="FILES")],
    close: Annotated[list[str] | None, typer.Option("--close", help="Street name to close to motor traffic (repeatable): runs the what-if; "
                                                    "the whole name or either half of a bilingual 'French - Dutch' name, case ignored")] = None,
    close_link: Annotated[list[str] | None, typer.Option("--close-link", help="Link id to close to motor traffic (repeatable)")] = None,
    gtfs: Annotated[Path | None, typer.Option("--gtfs", help="GTFS feed (.zip or folder) for public transport")] = None,
    gtfs_date: Annotated[str | None, typer.Option("--gtfs-date", help="Service day YYYYMMDD (default: a Tuesday of the feed)")] = None,
    transit_routes: Annotated[Path | None, typer.Option("--transit-routes",
                                                        help=("Without a GTFS feed: public transport from OSM route lines and stops (GeoJSON), "
                                                              "schedule-free (documented headway and speed per mode; docs/traffic.md)"))] = None,
    transit_defaults: Annotated[Path | None, typer.Option("--transit-defaults",
                                                          help="Headway and speed per mode for --transit-routes (CSV; default twin/data/transit_osm_defaults.csv)")] = None,
    periods: Annotated[str, typer.Option("--periods", help="Comma-separated: am_peak, off_peak",
                                                   callback=choice("twin.traffic.mobility:PERIODS", what="period", comma_separated=True))] = "am_peak,off_peak",
    categories: Annotated[str | None, typer.Option("--categories", help="15-minute categories, comma-separated (default: school, park, grocery, health, bank, post, culture)",
                                                      callback=choice("twin.traffic.indicators:category_sources", what="service category", comma_separated=True))] = None,
    minutes: Annotated[float, typer.Option("--minutes", help="Access threshold, min")] = 15.0,
    zone_size: Annotated[float, typer.Option("--zone-size", help="Zone grid cell, m")] = 100.0,
    mode_choice: Annotated[Path | None, typer.Option("--mode-choice", help="Mode-choice coefficient table (CSV)")] = None,
    parameters: Annotated[Path | None, typer.Option("--parameters", help="Demand parameter table (CSV)")] = None,
    external_matrix: Annotated[Path | None, typer.Option("--external-matrix", help="Through traffic between edges (CSV)")] = None,
    feedback: Annotated[int, typer.Option("--feedback", help="Demand-supply feedback iterations")] = 3,
    signals: Annotated[bool, typer.Option("--signals/--no-signals",
                                          help="Pretimed signals (HCM delay) at the nodes the scene flags as signalised (off by default; without --give-way no delay at other junctions)")] = False,
    give_way: Annotated[bool, typer.Option("--give-way/--no-give-way",
                                           help=("Give-way delay (HCM two-way stop control) at unsignalised junctions: OSM give-way / stop signs and mini "
                                                 "roundabouts where mapped, else minor arms of a major road, roundabout entries, priority to the right"))] = False,
    signal_split: Annotated[str, typer.Option("--signal-split",
                                              help="Green split of the signals' approaches: equal, or capacity (Webster's rule, phases by street axis); needs --signals",
                                              callback=SPLIT_CHOICE)] = "equal",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Per-link flows (and changes) (.gpkg, .parquet, .csv)")] = None,
    skims: Annotated[Path | None, typer.Option("--skims", help="Baseline skims per mode and period (.omx or .parquet)")] = None,
    turns: Annotated[Path | None, typer.Option("--turns", help="Car turning movements per period, with the what-if's change (.csv or .parquet)")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="Map of the what-if's morning-peak flow change (.png)")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of input files that declare none")] = None,
    scene_crs: Annotated[str, typer.Option("--scene-crs", help="Metric CRS of the scene")] = "EPSG:31370",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """District mobility: demand from buildings and POIs, destination and mode choice (walk, bike,
    public transport, car), car assignment with through traffic; with --close, the what-if and its
    rerouted, mode-shifted and evaporated trips. Options are checked before the scene is read."""
    from twin.io.json_out import to_json_text
    from twin.traffic.mobility import MobilityOptions
    from twin.traffic.mobility_commands import run_mobility

    opts = MobilityOptions(
        periods=tuple(p.strip() for p in periods.split(",") if p.strip()), zone_size_m=zone_size, gtfs=str(gtfs) if gtfs else None,
        gtfs_date=gtfs_date, mode_choice_table=str(mode_choice) if mode_choice else None, parameters_table=str(parameters) if parameters else None,
        external_matrix=str(external_matrix) if external_matrix else None, feedback=feedback, access_minutes=minutes,
        access_categories=tuple(c.strip() for c in categories.split(",") if c.strip()) if categories is not None else None, signals=signals,
        give_way=give_way, signal_split=signal_split, transit_routes=str(transit_routes) if transit_routes else None,
        transit_defaults=str(transit_defaults) if transit_defaults else None,
    )  # fmt: skip
    from twin.errors import InputError

    try:
        opts.check()  # before the scene is read
        s = run_mobility(list(files), close=list(close or []), close_links=list(close_link or []), options=opts, output=output, skims=skims,
                         turns=turns, map_path=map_path, crs=crs, scene_crs=scene_crs)  # fmt: skip
    except InputError as exc:
        if exc.field == "inputs.files" and exc.path is None:  # a layer the scene lacks: the scenario's key on the command line is FILES
            raise type(exc)(exc.message, path=", ".join(map(str, files)), obj=exc.obj, field="FILES") from None
        raise named_as_option(exc, MOBILITY_OPTION_NAMES) from None
    if as_json:
        typer.echo(to_json_text(s))
        return
    typer.echo(f"{s['zones']} zones; {s['timings_s']['total_s']:.1f} s")
    for note in s["notes"]:
        typer.echo(f"  note: {note}")
    keys = [k for k in s["baseline"] if k.endswith(("_person_trips", "_share_pct", "_vehicle_km_residential", "_vehicle_km_main", "_co2_kg", "_unserved_trips"))]
    for k in keys:
        line = f"  {k:40s} {s['baseline'][k]:12.2f}"
        if "whatif" in s:
            line += f"  what-if {s['whatif'].get(k, float('nan')):12.2f}"
        typer.echo(line)
    for k, v in s["baseline"].items():
        if k.startswith("access_"):
            typer.echo(f"  {k:40s} {v:12.1f}" + (f"  what-if {s['whatif'].get(k, float('nan')):12.1f}" if "whatif" in s else ""))
    if "change" in s:
        for k, v in s["change"].items():
            if k.endswith(("_evaporated_trips", "_mode_shifted_trips", "_redistributed_car_trips", "_rerouted_car_trips", "_closed_link_flow_veh_h", "_evaporated_through_vehicles")):
                typer.echo(f"  {k:40s} {v:12.2f}")
    if "junctions" in s:
        typer.echo("  junctions with a stop or give-way line: " + "; ".join(
            f"{p} {t['junctions']} (control delay {t['delay_veh_h']:.1f} veh-h"
            + (f", what-if {s['whatif_junctions'][p]['delay_veh_h']:.1f}" if p in s.get("whatif_junctions", {}) else "") + ")"
            for p, t in s["junctions"].items()))  # fmt: skip
    for key in ("output", "junctions_output", "skims", "map", "turns"):
        if key in s:
            typer.echo(f"  {key:12s} {s[key]}" + (f" ({s['movements']} movements)" if key == "turns" else ""))
