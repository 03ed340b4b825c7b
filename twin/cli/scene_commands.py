"""``twin ingest`` and ``twin info``: files into a scene, and what a scene holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("info")(info)
    app.command("export")(export)


def ingest(
    files: Annotated[list[Path], typer.Argument(help="Input files: .ifc, .city.json, .geojson, .gpkg, .parquet, .osm, .osm.pbf, .epw")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output: a folder (GeoParquet per layer) or a .gpkg file")],
    crs: Annotated[str, typer.Option(help="Scene CRS (projected, metres)")] = "EPSG:31370",
    source_crs: Annotated[Optional[str], typer.Option("--source-crs", help="CRS of inputs that declare none (else an error)")] = None,
    sites: Annotated[Optional[list[Path]], typer.Option("--sites", help="Polygon file(s) of districts/sites; buildings get their site_id")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary")] = False,
) -> None:
    """Read FILES into one scene (reprojected to --crs) and write it to OUT.

    Prints the rows per layer and every dropped object with its reason.
    """
    from twin.export import write_scene
    from twin.ingest import ingest as ingest_files

    scene, results = ingest_files(files, crs=crs, source_crs=source_crs, sites=sites or (), progress=not quiet)
    write_scene(scene, out)
    if quiet:
        return
    for result in results:
        counts = ", ".join(f"{k} {v.n_hours} hours" if k == "weather" else f"{k} {len(v)}" for k, v in result.layers.items()) or "nothing"
        typer.echo(f"{result.path}: {counts}")
        for d in result.dropped:
            typer.echo(f"  dropped {d.obj}: {d.reason}")
    _print_counts(scene)
    typer.echo(f"wrote {out}")


def info(scene_path: Annotated[Path, typer.Argument(help="A scene folder or .gpkg written by 'twin ingest'")]) -> None:
    """Show what a scene holds: CRS, rows per layer, defaulted building values, party walls."""
    from twin.scene.io import read_scene

    scene = read_scene(scene_path)
    typer.echo(f"scene {scene.name!r}  CRS {scene.crs.to_string()}")
    _print_counts(scene)
    b = scene.buildings
    if len(b):
        typer.echo(
            f"buildings: floor area {b['floor_area_m2'].sum() / 1e3:,.1f} thousand m2; "
            f"defaulted heights {int(b['height_defaulted'].sum())}, storeys {int(b['storeys_defaulted'].sum())}, "
            f"years {int(b['year_defaulted'].sum())}, uses {int(b['use_defaulted'].sum())}"
        )
        walls = scene.party_walls()
        typer.echo(f"party walls: {len(walls)} shared walls, {walls['shared_area_m2'].sum():,.0f} m2")
    if scene.weather is not None:
        loc = scene.weather.location
        typer.echo(f"weather: {loc.name} ({loc.latitude_deg:.3f}, {loc.longitude_deg:.3f}), {len(scene.weather.data)} hours, UTC{loc.tz_offset_h:+g}")


def _print_counts(scene) -> None:
    for name, n in scene.counts().items():
        if n:
            typer.echo(f"  {name:<10} {n:>8,}")


def export(
    scene_path: Annotated[Path, typer.Argument(help="A scene folder or .gpkg written by 'twin ingest'")],
    out: Annotated[Path, typer.Option("-o", "--out", help="OUT.gpkg, OUT.city.json (buildings, LoD1) or a folder (GeoParquet)")],
) -> None:
    """Export a scene: every layer to GeoParquet or GeoPackage, or its buildings to CityJSON 2.0."""
    from twin.scene.io import read_scene

    scene = read_scene(scene_path)
    if out.name.lower().endswith((".city.json", ".cityjson", ".json")):
        from twin.export import write_cityjson

        write_cityjson(scene, out)
        typer.echo(f"wrote {len(scene.buildings):,} buildings to {out}")
    else:
        from twin.export import write_scene

        write_scene(scene, out)
        typer.echo(f"wrote {out}")
