"""``twin solar``: the solar cadastre of a scene and the PV yield of one plane."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from twin.cli.choices import choice
from twin.io.input_limits import CITYJSON_NAMED_SUFFIXES

app = typer.Typer(help="Urban solar: irradiation of roofs, facades and ground; PV yield; the solar cadastre.", no_args_is_help=True)


def _is_cityjson(path: Path) -> bool:
    """``path`` names a CityJSON input (:data:`twin.io.cityjson_document.CITYJSON_SUFFIXES`, any
    case); a plain ``.json`` only when it is an existing file."""
    return path.name.lower().endswith(CITYJSON_NAMED_SUFFIXES) or (path.suffix.lower() == ".json" and path.is_file())


#: The writer the CityJSON of ``twin solar cadastre --cityjson`` records (as its results folder: twin.io.staged.WRITER_FILES).
SOLAR_WRITER = "twin solar cadastre"

#: The largest installed power ``twin solar pv --kwp`` takes, kWp (1 GWp).
MAX_KWP = 1e6

#: The surfaces ``twin solar cadastre --surfaces`` takes (:class:`twin.solar.cadastre.CadastreOptions` ``kinds``).
SURFACES = ("roof", "wall", "ground")

_OSM_SUFFIXES = (".osm", ".osm.pbf", ".pbf", ".osm.bz2")

_OPTION_OF_FIELD = {"spacing_m": "--spacing", "method": "--method", "n_sectors": "--sectors", "max_distance_m": "--max-distance",
                    "max_sensors_per_surface": "--max-sensors", "kinds": "--surfaces", "roof_default": "--roof-default", "albedo": "--albedo"}
"""The ``twin solar cadastre`` option of each field of :class:`twin.solar.cadastre.CadastreOptions` it sets."""


def _is_osm(paths: list[Path]) -> bool:
    return bool(paths) and all(p.name.lower().endswith(_OSM_SUFFIXES) for p in paths)


def _check_scene_paths(paths: list[Path]) -> None:
    """Every SCENE path that is no CityJSON file exists (checked before the solar engine is
    imported; a CityJSON file is checked by the engine, after its --weather)."""
    from twin.errors import InputError
    from twin.workflows.scene_loading import check_scene_paths

    if len(paths) == 1 and _is_cityjson(paths[0]):
        return
    if not _is_osm(paths):
        check_scene_paths(paths)
        return
    for p in paths:
        if not p.exists():
            raise InputError("file not found", path=p)


def _load_buildings(paths: list[Path]):
    """The scene to work on (its paths checked by :func:`_check_scene_paths`): a scene folder /
    GeoPackage as written, OSM files with their buildings layer only (the cadastre needs nothing
    else), other files ingested."""
    from twin.workflows.scene_loading import load_scene

    if _is_osm(paths):
        from twin.ingest import ingest

        scene_, _ = ingest(paths, layers=("buildings",))
        return scene_
    return load_scene(paths)


@app.command("cadastre")
def cadastre(
    scene: Annotated[list[Path], typer.Argument(help="Scene folder / .gpkg from 'twin ingest', footprint or OSM files, or a CityJSON file (LoD2 roofs)", metavar="SCENE")],
    weather: Annotated[Path | None, typer.Option("--weather", "-w", help="Hourly weather file (.epw); default: the scene's weather")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder")] = Path("solar_results"),
    spacing: Annotated[float, typer.Option("--spacing", help="Sensor spacing on every surface, m")] = 1.0,
    method: Annotated[str, typer.Option("--method", help="exact (a sun ray per sensor and hour) or horizon (horizon profiles; regions)",
                                        callback=choice("twin.option_names:METHODS", what="method"))] = "exact",
    sectors: Annotated[int | None, typer.Option("--sectors", help="Horizon sectors (default 72 exact, 36 horizon)")] = None,
    max_sensors: Annotated[int | None, typer.Option("--max-sensors", help="Most sensors per surface (larger surfaces get a coarser grid; default: no cap)")] = None,
    surfaces: Annotated[str, typer.Option("--surfaces", help="Surfaces with sensors: comma-separated roof, wall, ground",
                                           callback=choice(SURFACES, what="surface", comma_separated=True))] = "roof",
    roof_default: Annotated[str, typer.Option("--roof-default", help="Roof shape of footprints without roof:shape (flat, gabled, hipped, pyramidal, skillion)",
                                               callback=choice("twin.option_names:SHAPES", what="roof shape"))] = "flat",
    albedo: Annotated[float, typer.Option("--albedo", help="Ground reflectance")] = 0.2,
    max_distance: Annotated[float, typer.Option("--max-distance", help="Obstructions are looked for this far, m")] = 200.0,
    csv: Annotated[bool, typer.Option("--csv", help="Write the tables as CSV (geometry as WKT) instead of GeoParquet")] = False,
    cityjson: Annotated[Path | None, typer.Option("--cityjson", help="Also write the buildings as CityJSON with solar attributes; an "
                                                 "existing file is replaced only if twin solar cadastre wrote it")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of a CityJSON file that declares none")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars, no summary")] = False,
) -> None:
    """Solar cadastre of SCENE: irradiation (kWh/m2/year), suitability class, PV layout, kWp, kWh/year,
    cost and payback of every roof surface (and of facades and ground with --surfaces).

    Writes OUT/surfaces.parquet (GeoParquet, one row per surface), buildings.parquet,
    problems.parquet (bad input per building: zero-area surfaces, non-planar roofs, missing
    heights; those buildings or surfaces are left out, the others computed) and
    solar_summary.json. OUT is checked before any work and replaced whole at the end.
    """
    from twin.errors import InputError
    from twin.io.crs_option import check_crs_option
    from twin.io.output_checks import check_output_folder
    from twin.io.paths import check_input_file

    kinds = tuple(k.strip() for k in surfaces.split(",") if k.strip())
    check_crs_option(crs, "--crs", projected=True)
    if crs is not None and not (len(scene) == 1 and _is_cityjson(scene[0])):
        raise InputError(f"--crs {crs} is for a CityJSON file that declares no CRS; a scene or footprint file has its own "
                         "(it would relabel the outputs' coordinates)", path=scene[0] if len(scene) == 1 else None, field="--crs")
    if roof_default != "flat" and len(scene) == 1 and _is_cityjson(scene[0]):
        raise InputError(f"--roof-default {roof_default} shapes the roofs of footprints; a CityJSON file has its own roofs: "
                         "it would change nothing", path=scene[0], field="--roof-default")
    if weather is not None:  # the input paths, before the solar engine is imported (NumPy, pandas: about a second)
        check_input_file(weather, suffixes=(".epw",), field="--weather", what="weather file")
    _check_scene_paths(scene)
    from twin.solar.cadastre import OUTPUT_MARKERS, CadastreOptions, solar_cadastre
    from twin.solar.pv import PVParameters

    options = CadastreOptions(spacing_m=spacing, method=method, n_sectors=sectors, max_distance_m=max_distance,
                              max_sensors_per_surface=max_sensors, kinds=kinds, roof_default=roof_default, albedo=albedo,
                              pv=PVParameters())
    try:
        options.check()
    except InputError as exc:  # name the option the user typed, not the field of CadastreOptions
        raise InputError(exc.message, field=_OPTION_OF_FIELD.get(exc.field or "", exc.field)) from None
    check_output_folder(out, inputs=[*scene, *( [weather] if weather else [])], owned=OUTPUT_MARKERS, field="--out")
    if cityjson is not None:
        from twin.export.cityjson import check_cityjson_output

        if len(scene) == 1 and _is_cityjson(scene[0]):
            raise InputError("--cityjson needs a footprint scene (a CityJSON input is already 3-D)", path=scene[0], field="--cityjson")
        check_cityjson_output(cityjson, inputs=[*scene, out], field="--cityjson", written_by=SOLAR_WRITER)
    if len(scene) == 1 and _is_cityjson(scene[0]):
        if weather is None:
            raise InputError("a CityJSON file carries no weather: give --weather FILE.epw", path=scene[0], field="--weather")
        from twin.ingest.epw import read_epw

        source = scene[0]
        buildings_for_export = None
        w = read_epw(weather)
    else:
        sc = _load_buildings(scene)
        if weather is not None:
            from twin.ingest.epw import read_epw

            w = read_epw(weather)
        elif sc.weather is not None:
            w = sc.weather
        else:
            raise InputError("no weather: pass --weather FILE.epw or ingest one into the scene", field="--weather")
        from twin.io.weather_site import check_weather_site

        check_weather_site(w, sc, field="--weather" if weather is not None else "weather")
        if len(sc.buildings) == 0:
            raise InputError("the scene has no buildings: no roof or facade to compute", path=scene[0] if len(scene) == 1 else None,
                             obj="buildings layer", field="buildings")
        source = sc
        buildings_for_export = sc
    cad = solar_cadastre(source, w, options, crs=crs, progress=not quiet, weather_field="--weather" if weather is not None else "weather")
    cad.save(out, format="csv" if csv else "parquet")
    if cityjson is not None:
        from twin.export.cityjson import write_cityjson

        extra = cad.buildings.rename(columns={c: f"solar_{c}" for c in cad.buildings.columns if c != "building_id"})
        write_cityjson(buildings_for_export, cityjson, extra_attributes=extra, inputs=list(scene), written_by=SOLAR_WRITER)
    if len(cad.problems):
        import warnings

        from twin.errors import TwinWarning

        n_b = cad.problems["building_id"].nunique()
        warnings.warn(f"{len(cad.problems)} problem(s) in {n_b} building(s) (listed in {out / ('problems.csv' if csv else 'problems.parquet')}); "
                      "those surfaces or buildings were left out, the others computed", TwinWarning, stacklevel=1)
    if not quiet:
        t = cad.meta["totals"]
        typer.echo(f"{cad.meta['n_buildings']} buildings, {cad.meta['n_surfaces']} surfaces, {cad.meta['n_sensors']} sensors "
                   f"({options.method}); site optimum {cad.meta['site_optimum_kwh_m2_year']:.0f} kWh/m2/year "
                   f"(tilt {cad.meta['site_optimum_tilt_deg']:.0f}, azimuth {cad.meta['site_optimum_azimuth_deg']:.0f})")
        shapes = cad.meta["roof_shape_sources"]
        if shapes["default"] or shapes["approximated"]:  # the suitability of those roofs rests on an assumed shape
            typer.echo(f"roof shapes: {shapes['data']} from the data, {shapes['default']} without one taken as {options.roof_default} "
                       f"(--roof-default), {shapes['approximated']} approximated as flat")
        typer.echo(f"roofs {t['roof_area_m2']:.0f} m2; PV {t['pv_kwp']:.1f} kWp, {t['pv_ac_mwh_year']:.1f} MWh/year; "
                   f"suitable (excellent, good) {t['suitable_pv_kwp']:.1f} kWp, {t['suitable_pv_ac_mwh_year']:.1f} MWh/year")
        typer.echo(f"results written to {out}")


@app.command("pv")
def pv(
    weather: Annotated[Path, typer.Option("--weather", "-w", help="Hourly weather file (.epw)")],
    tilt: Annotated[float, typer.Option("--tilt", help="Module tilt from horizontal, degrees")] = 35.0,
    azimuth: Annotated[float, typer.Option("--azimuth", help="Module azimuth, degrees clockwise from north (180 south)")] = 180.0,
    kwp: Annotated[float, typer.Option("--kwp", help="Installed DC power, kWp")] = 1.0,
    rack: Annotated[bool, typer.Option("--rack", help="Open-rack temperature model (flat-roof racks) instead of close mount")] = False,
    albedo: Annotated[float, typer.Option("--albedo", help="Ground reflectance")] = 0.2,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Unshaded annual plane-of-array irradiation and PV yield of one plane (PVWatts-type model)."""
    import math

    from twin.errors import InputError
    from twin.ingest.epw import read_epw
    from twin.io.json_out import to_json_text
    from twin.io.paths import check_input_file
    from twin.solar.pv import PVParameters, economics, normal_of, orientation_yield
    from twin.solar.sky import solar_sky

    for name, value, lo, hi in (("--tilt", tilt, 0.0, 90.0), ("--azimuth", azimuth, 0.0, 360.0), ("--albedo", albedo, 0.0, 1.0)):
        if not math.isfinite(value):
            raise InputError(f"not a finite number: {value!r}; give a value within [{lo:g}, {hi:g}]", field=name)
        if not lo <= value <= hi:
            raise InputError(f"{value!r} is outside [{lo:g}, {hi:g}]", field=name)
    if kwp == 0.0:
        raise InputError("0 kWp yields nothing (and no payback); give the installed power, > 0", field="--kwp")
    if not math.isfinite(kwp):
        raise InputError(f"not a finite number: {kwp!r}; give the installed power, > 0", field="--kwp")
    if not 0.0 < kwp <= MAX_KWP:
        raise InputError(f"{kwp!r} is outside (0, {MAX_KWP:g}] kWp: give the installed power, > 0", field="--kwp")
    check_input_file(weather, suffixes=(".epw",), field="--weather", what="weather file")
    sky = solar_sky(read_epw(weather), albedo=albedo)
    p = PVParameters()
    y = orientation_yield(sky, normal_of([tilt], [azimuth]), p, flat_rack=[rack])
    ac = float(y.ac_kwh_kwp[0] * kwp)
    eco = economics([kwp], [ac], p)
    res = {"tilt_deg": tilt, "azimuth_deg": azimuth, "kwp": kwp, "poa_kwh_m2_year": float(y.poa_kwh_m2[0]),
           "effective_kwh_m2_year": float(y.effective_kwh_m2[0]), "dc_kwh_year_before_losses": float(y.dc_kwh_kwp[0] * kwp),
           "ac_kwh_year": ac, "specific_yield_kwh_kwp": float(y.ac_kwh_kwp[0]),
           "investment_eur": float(eco["investment_eur"][0]), "payback_years": float(eco["payback_years"][0])}
    if as_json:
        typer.echo(to_json_text(res))
        return
    typer.echo(f"tilt {tilt:g} deg, azimuth {azimuth:g} deg, {kwp:g} kWp ({weather.name})")
    typer.echo(f"  plane-of-array {res['poa_kwh_m2_year']:.1f} kWh/m2/year; AC {ac:.1f} kWh/year ({res['specific_yield_kwh_kwp']:.0f} kWh/kWp)")
    typer.echo(f"  investment {res['investment_eur']:.0f} EUR, simple payback {res['payback_years']:.1f} years")
