"""The work behind ``twin traffic mobility`` and ``twin traffic skims`` (the CLI keeps only options).

Every option, table and output path is checked before the scene or network is read; the
summaries are JSON-able dicts; files are written atomically.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError

DEFAULT_SKIM_GAP = 1e-6
"""Relative gap of the assignment behind ``twin traffic skims --trips`` when ``--gap`` is not given."""


def run_skims(net_path: Path, *, trips: Path | None, output: Path, gap: float | None, toll_factor: float | None, distance_factor: float | None) -> dict[str, Any]:
    """Free-flow (and, with ``trips``, congested) skims of a TNTP network between its zones.

    ``gap``: the relative gap of the assignment of ``trips`` (default :data:`DEFAULT_SKIM_GAP`);
    without ``trips`` nothing is assigned and a gap is an error (it would change nothing).
    """
    from twin.traffic.assign import assign
    from twin.traffic.skims import check_skim_output, network_skims, write_skims
    from twin.traffic.tntp import read_network, read_trips

    if gap is not None and trips is None:
        raise InputError(f"the assignment gap {gap:g} without --trips changes nothing (free-flow skims assign no demand): add --trips or leave --gap out",
                         field="--gap")  # fmt: skip
    gap = DEFAULT_SKIM_GAP if gap is None else gap
    if not (np.isfinite(gap) and 0 < gap <= 0.1):
        raise InputError(f"must be a finite number in (0, 0.1], got {gap}", field="--gap")
    check_skim_output(output, inputs=[net_path, trips])
    net = read_network(net_path, toll_factor=toll_factor, distance_factor=distance_factor)
    skims = [network_skims(net, cost_name="cost", attributes={"time": net.free_flow_time, "length": net.length}, mode="car", period="free_flow")]
    summary: dict[str, Any] = {"network": net.name, "zones": net.n_zones}
    if trips is not None:
        dem = read_trips(trips, n_zones=net.n_zones, demand_for="assign (the assigned skims would be the free-flow skims: leave --trips out)")
        res = assign(net, dem, algorithm="b", gap=gap)
        skims.append(network_skims(net, cost=res.cost, attributes={"time": res.time, "length": net.length}, cost_name="cost", mode="car", period="assigned"))
        summary.update(relative_gap=res.relative_gap, converged=res.converged)
    write_skims(output, skims)
    summary["output"] = str(output)
    summary["matrices"] = [s.key(name) for s in skims for name in s.matrices]
    return summary


def check_closures(names: list[str], ids: list[str]) -> None:
    """Before the scene is read: no blank ``--close`` name or ``--close-link`` id, none twice. A blank name
    would match every street without a name (the scene's unnamed links: a what-if nobody asked
    for), a blank id no link; a name (case ignored) or an id given twice closes nothing more: a slip
    for another, as a scenario's ``ids`` listed twice."""
    for option, values, why in (("--close", names, "an empty street name would close every street without a name: give the street's name"),
                                ("--close-link", ids, "an empty link id matches no link: give a link_id of the scene's links layer")):  # fmt: skip
        if any(not str(value).strip() for value in values):
            raise InputError(why, field=option)
        seen: set[str] = set()
        for value in values:  # closing a street twice is a slip for another one
            key = str(value).strip().casefold() if option == "--close" else str(value).strip()
            if key in seen:
                raise InputError(f"{value!r} is given twice: a slip for another {'street' if option == '--close' else 'link'}?", field=option)
            seen.add(key)


def _closed_links(scene: Any, names: list[str], ids: list[str]) -> list[str]:
    from twin.scenario.selection import name_hint, name_mask

    links = scene.links
    car = links["modes"].fillna("").astype(str).str.split(",").map(lambda m: bool({"car", "truck", "bus"} & set(m)))
    out: list[str] = []
    street_names = links["name"]
    for name in names:
        # the whole name or either half of a bilingual "French - Dutch" name, case ignored (the
        # rule of a scenario's where: {name: ...}, which compares case exactly)
        hit = links.loc[name_mask(street_names, [name], ignore_case=True) & car, "link_id"].tolist()
        if not hit:
            raise InputError(f"no street named {name!r} open to motor traffic{name_hint(street_names[car], [name])}", obj="links", field="--close")
        out += hit
    known = set(links["link_id"].tolist())
    for lid in ids:
        if lid not in known:
            raise InputError(f"no link {lid!r} in the scene", obj="links", field="--close-link")
        out.append(lid)
    return list(dict.fromkeys(out))


def junctions_file(output: Path) -> Path:
    """Where ``twin traffic mobility`` writes the junction table: ``<output stem>_junctions.csv`` beside ``output``."""
    return output.with_name(f"{output.stem}_junctions.csv")


def _junction_totals(table: Any) -> dict[str, dict[str, float]]:
    """Per period: junctions with a stop or give-way line and their total control delay (veh-h per hour)."""
    return {str(p): {"junctions": int(len(g)), "delay_veh_h": float(g["delay_veh_h"].sum())} for p, g in table.groupby("period", sort=False)}


def run_mobility(
    files: list[Path],
    *,
    close: list[str],
    close_links: list[str],
    options: Any,
    output: Path | None,
    skims: Path | None,
    turns: Path | None = None,
    map_path: Path | None,
    crs: str | None,
    scene_crs: str,
) -> dict[str, Any]:
    """Baseline (and a closure what-if) of the district mobility model on scene files; ``turns``:
    write the car turning movements there (with the what-if's and their change when it runs).
    With signals or give-way delay, the control delay per junction (:meth:`MobilityResult.junction_delays`,
    with a what-if its change) goes to :func:`junctions_file` of ``output`` and its totals to the summary."""
    from twin.traffic.dynamic_commands import (
        FRAME_SUFFIXES,
        MAP_SUFFIXES,
        TABLE_SUFFIXES,
        check_sources,
        scene_from_files,
        write_frame,
    )
    from twin.traffic.mobility import compare_mobility, map_change, run_district_mobility
    from twin.traffic.output_files import StagedOutputs
    from twin.traffic.skims import check_skim_output, write_skims
    from twin.traffic.whatif import close_streets

    options.check()
    check_closures(close, close_links)
    if options.access_categories is not None:
        from twin.traffic.indicators import check_categories

        try:
            check_categories(options.access_categories)
        except InputError as exc:
            raise InputError(exc.message, field="--categories") from None
    if map_path is not None and not (close or close_links):
        raise InputError("--map draws the change of a what-if: give --close or --close-link", field="--map")
    if options.mode_choice_table or options.mode_choice_overrides:
        from twin.traffic.mode_choice import ModeChoiceModel

        ModeChoiceModel.from_table(options.mode_choice_table, overrides=options.mode_choice_overrides)
    if options.parameters_table or options.parameter_overrides:
        from twin.traffic.demand import read_parameters

        read_parameters(options.parameters_table, options.parameter_overrides)
    if options.external_matrix:
        from twin.traffic.mobility import read_external_matrix

        read_external_matrix(options.external_matrix, options.periods)
    if options.gtfs:
        from twin.traffic.gtfs import check_feed_path, read_gtfs

        check_feed_path(options.gtfs)  # read below, once the outputs and the scene's paths are checked (a feed: a second or more)
    if options.transit_routes:
        from twin.traffic.osm_transit import osm_transit

        osm_transit(options.transit_routes, crs=scene_crs, defaults_table=options.transit_defaults)
    inputs = [*files, *(Path(p) for p in (options.gtfs, options.transit_routes, options.transit_defaults, options.mode_choice_table,
                                          options.parameters_table, options.external_matrix) if p)]  # fmt: skip
    junctions_path = junctions_file(output) if output is not None and (options.signals or options.give_way) else None
    outputs = StagedOutputs(inputs)  # every output checked now (two options on one file first), written staged and swapped in together
    outputs.add([("--output", output, FRAME_SUFFIXES), ("--output (its junction table)", junctions_path, (".csv",)), ("--map", map_path, MAP_SUFFIXES),
                 ("--turns", turns, TABLE_SUFFIXES), ("--skims", skims, check_skim_output)])  # fmt: skip
    if turns is not None:
        options = replace(options, turning_movements=True)
    check_sources(files, "FILES")
    if options.gtfs:
        read_gtfs(options.gtfs)
    scene = scene_from_files(files, crs, scene_crs)
    ids = _closed_links(scene, close, close_links) if (close or close_links) else []
    base = run_district_mobility(scene, options)
    summary: dict[str, Any] = {"zones": int(len(base.zone_ids)), "notes": base.notes, "baseline": base.kpis, "timings_s": base.timings_s,
                               "unserved": base.unserved.to_dict(orient="records")}  # fmt: skip
    table, moves = base.links, base.movements
    junctions = base.junction_delays() if (options.signals or options.give_way) else None
    if junctions is not None:
        summary["junctions"] = _junction_totals(junctions)
    if ids:
        variant = run_district_mobility(close_streets(scene, ids), options, baseline=base)
        cmp = compare_mobility(base, variant, closed_link_ids=ids)
        summary.update(closed_links=len(ids), whatif=variant.kpis, change=cmp["kpis"], whatif_unserved=variant.unserved.to_dict(orient="records"))
        table, moves = cmp["links"], cmp.get("movements")
        if junctions is not None:
            summary["whatif_junctions"] = _junction_totals(variant.junction_delays())
            junctions = cmp["junctions"]
    with outputs:  # staged, then swapped in together: an error on the last output leaves every earlier file as it was
        if map_path is not None and ids:
            map_change(table, outputs.path(map_path), title=f"Morning peak car flow change, {len(ids)} links closed (veh/h)")
            summary["map"] = str(map_path)
        if output is not None:
            write_frame(table, outputs.path(output), target=output)
            summary["output"] = str(output)
        if junctions_path is not None and junctions is not None:
            write_frame(junctions, outputs.path(junctions_path), target=junctions_path, field="--output (its junction table)")
            summary["junctions_output"] = str(junctions_path)
        if turns is not None and moves is not None:
            write_frame(moves, outputs.path(turns), target=turns, field="--turns")
            summary["turns"] = str(turns)
            summary["movements"] = len(moves)
        if skims is not None:
            write_skims(outputs.path(skims), base.skims_list())
            summary["skims"] = str(skims)
    return summary
