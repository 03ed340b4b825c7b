"""``twin ingest``, ``twin info`` and ``twin export``: files into a scene, and what a scene holds.

Every option is checked before any file is read: CRS texts, the IFC placement (``--origin``
two finite numbers, ``--rotation`` finite degrees), and the output path
(:func:`twin.io.paths.check_output_path`), so a typo costs a second, not an ingest.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("info")(info)
    app.command("export")(export)


def _is_cityjson(out: Path) -> bool:
    """``out`` names a CityJSON file (:data:`twin.export.cityjson.CITYJSON_SUFFIXES`, any case)."""
    from twin.export.cityjson import CITYJSON_SUFFIXES  # here: that module imports NumPy, this one loads at start-up

    return out.name.lower().endswith(CITYJSON_SUFFIXES)


def _is_geopackage(out: Path) -> bool:
    """``out`` names a GeoPackage (``.gpkg``, any case)."""
    return out.name.lower().endswith(".gpkg")


def _output_kind(out: Path) -> str:
    return "file" if _is_geopackage(out) or _is_cityjson(out) else "folder"


def _check_scene_output_name(out: Path, *, cityjson: bool) -> None:
    """``out`` is a folder name (no suffix), ``.gpkg`` or (``twin export``, ``cityjson``) a CityJSON
    file name (``.city.json``, ``.cityjson``, ``.json``). Any other suffix (``-o out.csv``,
    ``-o out.xyz``) would be a folder named like a file: OutputError naming ``--out``. A suffix of
    digits only (``-o run.2024``) is part of a folder name."""
    from twin.errors import OutputError

    if _is_geopackage(out) or (cityjson and _is_cityjson(out)):
        return
    if out.suffix and not out.suffix[1:].isdigit():
        kinds = "a folder (GeoParquet per layer, a name without suffix), OUT.gpkg or OUT.city.json (buildings)" if cityjson \
            else "a folder (GeoParquet per layer, a name without suffix) or OUT.gpkg"
        raise OutputError(f"a scene is written as {kinds}; {out.name!r} ends in {out.suffix!r} and would be a folder named like a file",
                          path=out, field="--out")


def parse_origin(text: str | None) -> tuple[float, float] | None:
    """``"X,Y"`` as two finite floats (metres).

    Raises
    ------
    InputError
        Not two finite numbers.
    """
    if text is None:
        return None
    from twin.errors import InputError

    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise InputError(f"--origin must be X,Y in metres (e.g. --origin 148500,168700), got {text!r}", field="--origin") from None
    if len(values) != 2:
        raise InputError(f"--origin must be two numbers X,Y, got {len(values)} in {text!r}", field="--origin")
    if not all(math.isfinite(v) for v in values):
        raise InputError(f"--origin must be finite numbers, got {text!r}", field="--origin")
    return values


def ingest(
    files: Annotated[list[Path], typer.Argument(help="Input files: .ifc, .city.json, .geojson, .gpkg, .parquet, .osm, .osm.pbf, .epw", metavar="FILES")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output: a folder (GeoParquet per layer) or a .gpkg file; an existing scene "
                                      "is replaced only if twin ingest wrote it")],
    crs: Annotated[str, typer.Option(help="Scene CRS (projected, metres); inputs must lie in its area of use")] = "EPSG:31370",
    source_crs: Annotated[
        str | None,
        typer.Option("--source-crs", help="CRS of inputs that declare none (a GeoJSON without \"crs\" is WGS84 by RFC 7946 unless this names another)"),
    ] = None,
    override_crs: Annotated[bool, typer.Option("--override-crs", help="Apply --source-crs also to inputs that declare a (wrong) CRS")] = False,
    origin: Annotated[str | None, typer.Option("--origin", help="IFC: put the model's origin at X,Y (metres, in --ifc-crs)")] = None,
    ifc_crs: Annotated[str | None, typer.Option("--ifc-crs", help="IFC: CRS of --origin (default: the scene CRS)")] = None,
    rotation: Annotated[float | None, typer.Option("--rotation", help="IFC: azimuth of the model's +Y axis, degrees clockwise from north (-360..360)")] = None,
    allow_truncated_ifc: Annotated[bool, typer.Option("--allow-truncated-ifc", help="Read a truncated IFC anyway (with a warning)")] = False,
    sites: Annotated[list[Path] | None, typer.Option("--sites", help="Polygon file(s) of districts/sites; buildings get their site_id")] = None,
    clip_to_sites: Annotated[
        bool,
        typer.Option("--clip-to-sites", help="Cut the OSM files to --sites: a district from a region's extract (other files are read whole)"),
    ] = False,
    defaults: Annotated[
        Path | None,
        typer.Option("--defaults", help="YAML merged onto twin/data/ingest_defaults.yaml (storey heights, storey bands, use rules...; docs/stock_attributes.md)"),
    ] = None,
    overrides: Annotated[
        Path | None,
        typer.Option("--overrides", help="CSV or Parquet of known values by building_id: use, height_m, n_storeys, construction_year, heating_system (source 'user')"),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines, no summary")] = False,
) -> None:
    """Read FILES into one scene (reprojected to --crs) and write it to OUT.

    Prints the rows per layer and every dropped object with its reason. Progress lines go to
    stderr once the command has run 1 s (none with -q).
    """
    from twin.errors import InputError
    from twin.ingest.dispatch import OSM_SUFFIXES
    from twin.io.crs_option import check_crs_option
    from twin.io.paths import check_input_file, check_output_path

    check_crs_option(crs, "--crs", projected=True)
    check_crs_option(source_crs, "--source-crs")
    check_crs_option(ifc_crs, "--ifc-crs", projected=True)
    if override_crs and source_crs is None:
        raise InputError("--override-crs needs --source-crs (the CRS to apply)", field="--override-crs")
    if clip_to_sites and not sites:
        raise InputError("--clip-to-sites cuts the OSM files to the sites, and no --sites file is given: give the district's polygon "
                         "with --sites", field="--clip-to-sites")  # fmt: skip
    if clip_to_sites and not any(f.name.lower().endswith(OSM_SUFFIXES) for f in files):
        raise InputError("--clip-to-sites cuts OSM files (.osm, .osm.bz2, .osm.pbf) only, and none is given: it would change nothing",
                         field="--clip-to-sites")  # fmt: skip
    xy = parse_origin(origin)
    if rotation is not None and not (math.isfinite(rotation) and -360.0 <= rotation <= 360.0):
        raise InputError(f"--rotation must be finite degrees in -360..360, got {rotation!r}", field="--rotation")
    n_ifc = sum(1 for f in files if f.name.lower().endswith(".ifc"))
    ifc_options = [name for name, given in (("--origin", xy is not None), ("--ifc-crs", ifc_crs is not None),
                                             ("--rotation", rotation is not None), ("--allow-truncated-ifc", allow_truncated_ifc)) if given]
    if ifc_options and n_ifc == 0:  # an IFC option without an IFC would change nothing
        raise InputError(f"{ifc_options[0]} is read for an IFC model only, but no .ifc file is given: it would change nothing "
                         "(--origin, --ifc-crs, --rotation and --allow-truncated-ifc are IFC options)", field=ifc_options[0])
    if xy is not None and n_ifc > 1:
        raise InputError(f"--origin places one IFC model, but {n_ifc} .ifc files are given: ingest them one per command", field="--origin")
    from twin.export import check_scene_output, write_scene
    from twin.export.layers import INGEST_WRITER

    inputs = [*files, *(sites or ())]
    _check_scene_output_name(out, cityjson=False)
    check_output_path(out, kind=_output_kind(out), field="--out")
    # also: not /proc, not over or inside an input, not a scene another command wrote (twin.export.layers)
    check_scene_output(out, inputs=[*inputs, *(p for p in (defaults, overrides) if p is not None)], written_by=INGEST_WRITER)
    for i, f in enumerate(inputs):
        check_input_file(f, field="--sites" if i >= len(files) else None)
    table, override_rows = _stock_options(defaults, overrides)

    from twin.ingest import ingest as ingest_files

    options = {}
    if xy is not None:
        options["origin"] = xy
    if rotation is not None:
        options["rotation_deg"] = rotation
    if allow_truncated_ifc:
        options["allow_truncated"] = True
    if table is not None:
        options["defaults"] = table
    if override_rows is not None:
        options["overrides"] = override_rows
    scene, results = ingest_files(
        files, crs=crs, source_crs=source_crs, override_crs=override_crs, ifc_crs=ifc_crs, sites=sites or (),
        clip_to_sites=clip_to_sites, progress=False if quiet else None, **options,
    )
    if not any(scene.counts().values()) and scene.weather is None:
        dropped = sum(len(r.dropped) for r in results)
        raise InputError(
            f"nothing to write: no object of the {len(results)} input file(s) could be used ({dropped} dropped)",
            path=files[0] if len(files) == 1 else None,
        )
    if override_rows is not None:
        _check_unmatched_overrides(override_rows, scene, overrides)
    if source_crs is not None and not override_crs:
        _warn_unused_source_crs(source_crs, results)
    write_scene(scene, out, inputs=inputs, written_by=INGEST_WRITER)
    if quiet:
        return
    from twin.io.progress import clear_line

    clear_line()
    for result in results:
        counts = ", ".join([*(f"{k} {v.n_hours} hours" if k == "weather" else f"{k} {len(v)}" for k, v in result.layers.items()),
                            *([f"traffic signal points {len(result.signal_points)}"] if result.signal_points is not None else [])]) or "nothing"
        typer.echo(f"{result.path}: {counts}")
        if result.meta.get("signals"):
            typer.echo(_signal_line(result.meta["signals"]))
        for d in result.dropped:
            typer.echo(f"  dropped {d.obj}: {d.reason}")
        if result.meta.get("repaired"):  # kept, but not as given: say so (twin.ingest.vector.repair_polygons)
            typer.echo(f"  repaired {result.meta['repaired']} invalid polygon(s) (self-intersections, ...; shapely.make_valid), kept")
        if result.meta.get("tables_not_read"):  # attribute tables of a GeoPackage (twin.ingest.vector.read_vector)
            typer.echo(f"  not read: table(s) without geometry {result.meta['tables_not_read']} (twin reads the layers with geometry)")
        for note in result.meta.get("attribute_notes") or []:
            typer.echo(f"  not used as given {note}")
    _print_counts(scene)
    typer.echo(f"wrote {out}")


def _signal_line(counts: dict) -> str:
    """The summary line of the traffic signals a file flagged on the street nodes (``result.meta['signals']``)."""
    return (f"  traffic signals: {counts['read']} read, {counts['at_node']} at a street node, {counts['moved_to_junction']} moved "
            f"along the street to its junction, {counts['not_placed']} not placed: {counts['signalised_nodes']} signalised street nodes")


def _stock_options(defaults: Path | None, overrides: Path | None):
    """The ``--defaults`` table and ``--overrides`` rows, read and checked before any input file."""
    from twin.ingest.defaults import load_defaults
    from twin.io.paths import check_input_file

    table = rows = None
    if defaults is not None:
        check_input_file(defaults, suffixes=(".yaml", ".yml"), field="--defaults", what="defaults file", refuse_empty=True)
        table = load_defaults(defaults)
    if overrides is not None:
        check_input_file(overrides, suffixes=(".csv", ".parquet"), field="--overrides", what="overrides table", refuse_empty=True)
        rows = _read_overrides_file(overrides, (table or load_defaults())["buildings"]["use_classes"])
    return table, rows


def _read_overrides_file(path: Path, use_classes):
    """The overrides table, its values checked (a ``use`` among ``use_classes``), any reading
    failure as one InputError naming the file."""
    import pandas as pd

    from twin.errors import InputError, TwinError
    from twin.ingest.attributes.overrides import read_overrides

    try:
        return read_overrides(path, path=path, use_classes=use_classes)
    except TwinError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        text = " ".join(str(exc).split())[:200]
        raise InputError(f"cannot read the overrides table: {type(exc).__name__}: {text}", path=path, field="--overrides") from None


def _check_unmatched_overrides(rows, scene, path: Path) -> None:
    """Every ``--overrides`` row names a building of the scene (an InputError listing the rows
    that match none, by line and id)."""
    from twin.ingest.attributes.overrides import unmatched_rows_error

    error = unmatched_rows_error(rows, scene.buildings["building_id"], path)
    if error is not None:
        raise error


def _warn_unused_source_crs(source_crs: str, results) -> None:
    """A ``twin: warning:`` when every input declared its own CRS, so ``--source-crs`` changed nothing."""
    import warnings

    from twin.errors import TwinWarning
    from twin.ingest.dispatch import source_crs_used

    if not source_crs_used(results):
        warnings.warn(
            f"--source-crs {source_crs} was not used: every input declares its CRS or has a fixed one (OSM, IFC, EPW); "
            "--override-crs applies it to inputs that declare a wrong one",
            TwinWarning, stacklevel=2,
        )


def info(
    scene_path: Annotated[Path, typer.Argument(help="A scene folder or .gpkg written by 'twin ingest'", metavar="SCENE")],
    rules: Annotated[bool, typer.Option("--rules", help="List every rule with its tag value (tag:amenity=school), not only by tag key")] = False,
) -> None:
    """Show what a scene holds: CRS, rows per layer, where each building attribute comes from
    (share of floor area from data, user, calibrated, inferred, default), which rules set
    them, party walls, where the street links' free speed and lanes come from (share of the
    length open to cars), weather."""
    from twin.io.scene_path import check_scene_path

    check_scene_path(scene_path)  # before the scene reader is imported (pandas, geopandas: about a second)
    from twin.scene.io import read_scene

    scene = read_scene(scene_path)
    typer.echo(f"scene {scene.name!r}  CRS {scene.crs.to_string()}")
    _print_counts(scene)
    b = scene.buildings
    if len(b):
        typer.echo(
            f"buildings: floor area {b['floor_area_m2'].sum() / 1e3:,.1f} thousand m2; "
            f"defaulted or inferred heights {int(b['height_defaulted'].sum())}, storeys {int(b['storeys_defaulted'].sum())}, "
            f"years {int(b['year_defaulted'].sum())}, uses {int(b['use_defaulted'].sum())}{_derived_counts(b)}"
        )
        for line in attribute_lines(b, all_rules=rules):
            typer.echo(line)
        walls = scene.party_walls()
        typer.echo(f"party walls: {len(walls)} shared walls, {walls['shared_area_m2'].sum():,.0f} m2")
    for line in link_source_lines(scene.links):
        typer.echo(line)
    if scene.weather is not None:
        loc = scene.weather.location
        typer.echo(f"weather: {loc.name} ({loc.latitude_deg:.3f}, {loc.longitude_deg:.3f}), {len(scene.weather.data)} hours, UTC{loc.tz_offset_h:+g}")


def _derived_counts(buildings) -> str:
    """``, floor areas N, storey heights N`` for the summary line of ``twin info``: buildings whose
    floor area or storey height is inferred or a default (footprint x storeys, a height by use),
    where the layer records those sources (:func:`twin.scene.provenance.reported_parameters`);
    '' for a layer without them."""
    from twin.scene.provenance import DERIVED_PARAMETERS, reported_parameters, source_column

    names = {"floor_area_m2": "floor areas", "storey_height_m": "storey heights"}
    shown = [p for p in reported_parameters(buildings) if p in DERIVED_PARAMETERS]
    return "".join(f", {names[p]} {int(buildings[source_column(p)].astype(str).isin(('inferred', 'default')).sum())}" for p in shown)


def link_source_lines(links) -> list[str]:
    """The lines of ``twin info`` on the street links' attributes: per attribute (free speed,
    lanes) the share of the length of the links open to cars from each source (``data``,
    ``user``, ``inferred``, ``default``: :data:`twin.scene.provenance.SOURCES`); nothing when the
    links carry no source columns (scenes written before they existed)."""
    import numpy as np

    from twin.scene.provenance import SOURCES

    columns = [c for c in ("free_speed_m_s", "lanes") if f"{c}_source" in links]
    if not len(links) or not columns:
        return []
    car = links["modes"].astype(str).str.contains("car").to_numpy() if "modes" in links else np.ones(len(links), dtype=bool)
    length = links["length_m"].to_numpy(dtype=float)[car]
    total = float(length.sum())
    if total <= 0:
        return []
    lines = [f"street link sources (share of the length open to cars, {total / 1e3:,.1f} km):"]
    lines.append("  " + f"{'attribute':<19}" + "".join(f"{s:>11}" for s in SOURCES if s != "calibrated") + f"{'not recorded':>14}")
    for c in columns:
        src = links[f"{c}_source"].astype(object).fillna("").astype(str).to_numpy()[car]
        shares = [100.0 * float(length[src == s].sum()) / total for s in SOURCES if s != "calibrated"]
        missing = 100.0 * float(length[src == ""].sum()) / total
        lines.append("  " + f"{c:<19}" + "".join(f"{v:>10.1f}%" for v in shares) + f"{missing:>13.1f}%")
    return lines


def attribute_lines(buildings, *, all_rules: bool = False, max_rules: int = 8) -> list[str]:
    """The lines of ``twin info`` on building attributes: per attribute the share of floor area
    from each source, then the rules that set the values and how many buildings each touched.

    The attributes are :data:`twin.scene.provenance.STOCK_PARAMETERS` (those with a source
    column, the first four always), then ``floor_area_m2`` and ``storey_height_m`` where every
    building has a source for them (:func:`twin.scene.provenance.reported_parameters`; a layer
    without those columns shows no row for them rather than a wrong one)."""
    from twin.scene.provenance import BUILDING_PARAMETERS, SOURCES, STOCK_PARAMETERS, floor_area_shares, reported_parameters, rule_counts

    present = tuple(p for p in STOCK_PARAMETERS if f"{p}_source" in buildings or p in BUILDING_PARAMETERS)
    # floor area and storey height where the layer records their sources (written since those
    # columns exist); they have no rule column, so no rules line
    present += tuple(p for p in reported_parameters(buildings) if p not in present)
    shares = floor_area_shares(buildings, present)
    shown = [s for s in SOURCES if s in ("data", "inferred", "default") or (shares[s] > 0).any()]
    lines = [f"attribute sources (share of the floor area, {shares['floor_area_m2'].iloc[0] / 1e3:,.1f} thousand m2):"]
    lines.append("  " + f"{'attribute':<19}" + "".join(f"{s:>11}" for s in shown))
    for p, row in shares.iterrows():
        lines.append("  " + f"{p:<19}" + "".join(f"{100 * row[s]:>10.1f}%" for s in shown))
    counts = rule_counts(buildings, present, families=not all_rules)
    counts = counts.groupby(["parameter", "rule"], sort=False, as_index=False)["buildings"].sum()
    counts = counts.sort_values("buildings", ascending=False, kind="stable")
    counts["order"] = counts["parameter"].map({p: i for i, p in enumerate(present)})
    counts = counts.sort_values("order", kind="stable")
    if len(counts):
        lines.append("rules (buildings touched; data: tag or column read, inferred: rule, default: band or value):")
        for p, group in counts.groupby("parameter", sort=False):
            items = [f"{r} {n:,}" for r, n in zip(group["rule"], group["buildings"])]
            more = len(items) - max_rules if not all_rules and len(items) > max_rules else 0
            shown_items = items if all_rules else items[:max_rules]
            lines.append(f"  {p}: " + "; ".join(shown_items) + (f"; ... {more} more (--rules)" if more else ""))
    notes = buildings["attribute_notes"].astype(object).fillna("").astype(str) if "attribute_notes" in buildings else None
    if notes is not None and (notes != "").any():
        lines.append(f"values not used as given: {int((notes != '').sum()):,} buildings (column attribute_notes)")
    return lines


def _print_counts(scene) -> None:
    counts = {name: n for name, n in scene.counts().items() if n}
    width = max((len(name) for name in counts), default=10)
    for name, n in counts.items():
        typer.echo(f"  {name:<{width}} {n:>8,}")


def export(
    scene_path: Annotated[Path, typer.Argument(help="A scene folder or .gpkg written by 'twin ingest'", metavar="SCENE")],
    out: Annotated[Path, typer.Option("-o", "--out", help="OUT.gpkg, OUT.city.json (buildings, LoD1) or a folder (GeoParquet; a name "
                                      "without suffix: -o out.csv is refused); an existing "
                                      "scene or CityJSON is replaced only if twin export wrote it")],
) -> None:
    """Export a scene: every layer to GeoParquet or GeoPackage, or its buildings to CityJSON 2.0.

    Progress lines go to stderr once the command has run 1 s (none with twin -q export ...)."""
    from twin.io.scene_path import check_scene_path

    check_scene_path(scene_path)  # before the output checks and the scene reader import NumPy and pandas (about a second)
    from twin.export import check_cityjson_output, check_scene_output
    from twin.export.layers import EXPORT_WRITER
    from twin.io.paths import check_output_path
    from twin.scene.io import read_scene

    _check_scene_output_name(out, cityjson=True)
    check_output_path(out, kind=_output_kind(out), field="--out")
    if out.resolve() == Path(scene_path).resolve():
        from twin.errors import OutputError

        raise OutputError("the output is the scene being read; write the export elsewhere", path=out, field="--out")
    to_cityjson = _is_cityjson(out)
    inputs = [scene_path]
    if to_cityjson:
        check_cityjson_output(out, inputs=inputs, written_by=EXPORT_WRITER)  # before reading: not /proc, not inside the scene, not another's
    else:  # an existing scene folder is replaced only when an earlier export wrote it
        check_scene_output(out, inputs=inputs, written_by=EXPORT_WRITER)
    from twin.io import progress

    with progress.step(f"reading {Path(scene_path).name}"):
        scene = read_scene(scene_path)
    if to_cityjson:
        from twin.export import write_cityjson

        if len(scene.buildings) == 0:  # was: an empty CityJSON, "wrote 0 buildings", exit 0
            from twin.errors import InputError

            raise InputError("the scene has no buildings and a CityJSON export holds the buildings only: nothing to write; "
                             "export its layers to a folder or OUT.gpkg", path=scene_path, obj="buildings layer", field="buildings")
        write_cityjson(scene, out, inputs=inputs, written_by=EXPORT_WRITER)
        _echo(f"wrote {len(scene.buildings):,} buildings to {out}")
    else:
        from twin.export import write_scene

        write_scene(scene, out, inputs=inputs, written_by=EXPORT_WRITER)
        _echo(f"wrote {out}")


def _echo(line: str) -> None:
    """``typer.echo`` on a clean terminal line (the progress line, if drawn, is erased first)."""
    from twin.io.progress import clear_line

    clear_line()
    typer.echo(line)
