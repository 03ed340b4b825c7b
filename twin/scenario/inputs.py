"""The files a scenario reads, confined to where they may be and checked before anything is read.

A scenario file may come from someone else (a permit application in a batch). Its input paths
are therefore treated as untrusted: every input (``inputs.files``, ``inputs.sites``,
``inputs.weather``, ``energy.weather``, the ``ifc`` of every ``insert_building``, the traffic
engine's files) must resolve,
after following every symbolic link, to a file inside one of the *allowed folders*:

1. the folder of the scenario file (and everything below it);
2. the sample data shipped with twin (:func:`shipped_data_dirs`: the repository's
   ``data_samples/``). It is public, read-only reference data, and the shipped scenarios
   (``scenarios/stgilles_default.yaml``, ``scenarios/permits/*.yaml``) use it through
   ``../data_samples`` and ``../../data_samples``;
3. folders the operator allows on the command line (``--allow-dir DIR``, repeatable) or through
   ``allow_dirs=`` in Python.

An absolute path or a ``..`` that leaves these folders, or a link inside them that points
outside, is refused with :class:`~twin.errors.UnsafePathError` before the file is opened,
hashed or even checked for size (only the path and its links are resolved). The traffic
engine's files (``traffic.gtfs``, ``traffic.mode_choice_table``, ``traffic.parameters_table``,
``traffic.targets_table``, ``traffic.external_matrix``, ``traffic.transit_routes``,
``traffic.transit_defaults``) are inputs too, confined, checked and
hashed into the run id like the scene sources, whether or not the scenario runs the traffic
engine. Then each input
must be a regular file (not a folder, device, pipe or a link to one, which could hang a
reader) with a suffix its reader accepts and a size below the input limit
(:func:`twin.io.paths.check_input_file`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from twin.errors import CRSError, UnsafePathError
from twin.io.batch_paths import allowed_folder
from twin.io.paths import check_input_file

#: Suffixes of scene sources (the readers of :mod:`twin.ingest`, plus ``.json`` which the
#: dispatcher sniffs as GeoJSON or CityJSON).
SCENE_SUFFIXES = (".ifc", ".city.json", ".cityjson", ".json", ".geojson", ".gpkg", ".parquet", ".geoparquet",
                  ".shp", ".osm", ".osm.pbf", ".pbf", ".osm.bz2")
SITE_SUFFIXES = (".geojson", ".json", ".gpkg", ".parquet", ".geoparquet", ".shp")
WEATHER_SUFFIXES = (".epw",)
IFC_SUFFIXES = (".ifc",)
GTFS_SUFFIXES = (".zip",)
TABLE_SUFFIXES = (".csv",)

#: The traffic options that name files: (option, suffixes, what).
TRAFFIC_FILES = (
    ("gtfs", GTFS_SUFFIXES, "GTFS feed"),
    ("mode_choice_table", TABLE_SUFFIXES, "mode-choice table"),
    ("parameters_table", TABLE_SUFFIXES, "mobility parameter table"),
    ("targets_table", TABLE_SUFFIXES, "mode-share target table"),
    ("external_matrix", TABLE_SUFFIXES, "external (through-traffic) matrix"),
    ("transit_routes", (".geojson", ".json"), "public-transport routes file"),
    ("transit_defaults", TABLE_SUFFIXES, "public-transport defaults table"),
)

#: Files a shapefile reads beside ``name.shp`` (they are confined and checked too).
SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class ScenarioInput:
    """One input of a scenario: the key that names it, the path as written, the resolved file."""

    field: str
    raw: str
    path: Path
    suffixes: tuple[str, ...]
    what: str


def shipped_data_dirs() -> list[Path]:
    """The sample data folders shipped with twin that every scenario may read (``data_samples/``
    of the repository, when twin runs from it)."""
    root = Path(__file__).resolve().parents[2]
    folder = root / "data_samples"
    return [folder.resolve()] if folder.is_dir() else []


def allowed_dirs(scenario_dir: str | os.PathLike[str], allow_dirs: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """The folders inputs may come from: the scenario's folder, the shipped data, ``allow_dirs``.

    Raises
    ------
    InputError
        An allowed folder that does not exist or is not a folder (a typo on the command line).
    """
    roots = [Path(scenario_dir).resolve(), *shipped_data_dirs()]
    return [*roots, *(allowed_folder(d) for d in allow_dirs)]


def declared_inputs(scenario) -> list[tuple[str, str, tuple[str, ...], str]]:
    """Every input path of ``scenario`` as ``(key path, path as written, suffixes, what)``."""
    out = [(f"inputs.files.{i}", f, SCENE_SUFFIXES, "scene input") for i, f in enumerate(scenario.inputs.files)]
    out += [(f"inputs.sites.{i}", f, SITE_SUFFIXES, "sites file") for i, f in enumerate(scenario.inputs.sites)]
    if scenario.inputs.weather:
        out.append(("inputs.weather", scenario.inputs.weather, WEATHER_SUFFIXES, "weather file"))
    if scenario.inputs.calibration:
        out.append(("inputs.calibration", scenario.inputs.calibration, (".parquet", ".csv"), "calibration table"))
    if scenario.energy.weather:
        out.append(("energy.weather", scenario.energy.weather, WEATHER_SUFFIXES, "weather file"))
    for option, suffixes, what in TRAFFIC_FILES:
        raw = getattr(scenario.traffic, option)
        if raw:
            out.append((f"traffic.{option}", raw, suffixes, what))
    for i, m in enumerate(scenario.baseline):
        if m.op == "insert_building":
            out.append((f"baseline.{i}.ifc", m.ifc, IFC_SUFFIXES, "IFC file"))
    for j, w in enumerate(scenario.whatifs):
        for i, m in enumerate(w.modifications):
            if m.op == "insert_building":
                out.append((f"whatifs.{j}.modifications.{i}.ifc", m.ifc, IFC_SUFFIXES, "IFC file"))
    return out


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def confine(raw: str, base_dir: Path, roots: Sequence[Path], *, field: str, what: str) -> Path:
    """``raw`` resolved against ``base_dir`` (every link followed), refused if outside ``roots``.

    Nothing is opened: only the path and its links are resolved.

    Raises
    ------
    UnsafePathError
        The path leaves the allowed folders.
    """
    try:
        resolved = (base_dir / os.path.expanduser(raw) if not os.path.isabs(raw) else Path(raw)).resolve()
    except (OSError, RuntimeError) as exc:  # a link loop
        raise UnsafePathError(f"{what} path cannot be resolved: {exc}", path=raw, field=field) from None
    if not _inside(resolved, roots):
        written = Path(os.path.normpath(base_dir / os.path.expanduser(raw)))
        if any(written == r or written.is_relative_to(r) for r in roots):
            how = "a link pointing"
        elif raw.startswith("~"):
            how = "a home-folder path ('~') leading"
        else:
            how = "an absolute path" if os.path.isabs(raw) else "a relative path ('..') leading"
        raise UnsafePathError(
            f"{what} is {how} outside the scenario's folder ({roots[0]}) and the allowed folders; "
            f"inputs must stay in the scenario's folder (allow another folder with --allow-dir)",
            path=raw, field=field,
        )
    return resolved


def resolve_inputs(scenario, base_dir: str | os.PathLike[str], *, allow_dirs: Iterable[str | os.PathLike[str]] = (),
                   check_files: bool = True) -> list[ScenarioInput]:
    """Every input of ``scenario``, confined to the allowed folders and checked, in file order.

    All paths are confined first (no file is touched before every path is known to be inside),
    then each is checked as a regular file of an allowed suffix and size.

    Parameters
    ----------
    scenario
        The validated scenario.
    base_dir
        The scenario file's folder (relative paths are relative to it; it is the first allowed folder).
    allow_dirs
        Extra allowed folders.
    check_files
        Also check that each input is a readable regular file of an allowed suffix and size.

    Raises
    ------
    UnsafePathError
        An input outside the allowed folders, or not a regular file.
    InputError
        A missing input, a wrong suffix; :class:`~twin.errors.ResourceLimitError` a file above
        the size limit.
    """
    base_dir = Path(base_dir).resolve()
    roots = allowed_dirs(base_dir, allow_dirs)
    found: list[ScenarioInput] = []
    for field, raw, suffixes, what in declared_inputs(scenario):
        path = confine(raw, base_dir, roots, field=field, what=what)
        found.append(ScenarioInput(field, raw, path, suffixes, what))
        if path.name.lower().endswith(".shp"):
            for ext in SHAPEFILE_SIDECARS:
                side = path.with_suffix(ext)
                if os.path.lexists(side):
                    confine(str(side), base_dir, roots, field=field, what=f"shapefile part {ext}")
    if check_files:
        for item in found:
            check_input_file(item.path, suffixes=item.suffixes, field=item.field, what=item.what)
    return found


def input_path(inputs: Sequence[ScenarioInput], field: str) -> Path:
    """The resolved path of the input named by ``field``."""
    for item in inputs:
        if item.field == field:
            return item.path
    raise KeyError(field)


#: The ingest's command-line options and the scenario keys that set the same thing.
SCENARIO_CRS_KEYS = (("--source-crs", "inputs.source_crs:"), ("--crs", "inputs.crs:"))


def in_scenario_terms(exc: CRSError) -> CRSError:
    """The ingest's CRS error (:mod:`twin.ingest.crs_check`) told in the scenario's keys: its advice
    names ``--source-crs EPSG:31370``, an option of ``twin ingest`` that ``twin run`` does not take;
    a scenario writes ``inputs.source_crs: EPSG:31370``. A file that declares a wrong CRS
    (``--override-crs``) has no key: its declaration is to be fixed."""
    message = exc.message
    for option, key in SCENARIO_CRS_KEYS:
        message = message.replace(option, key)
    message = message.replace("--override-crs", "a corrected \"crs\" member in the file (a scenario cannot override a declared CRS)")
    scene_crs = "inputs.crs:" in message and "inputs.source_crs:" not in message
    field = {"crs": "inputs.crs" if scene_crs else "inputs.source_crs"}.get(exc.field or "", exc.field)
    return type(exc)(message, path=exc.path, obj=exc.obj, field=field)
