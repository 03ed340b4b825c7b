"""Layering of the package: the scene and the engines do not import the ingest layer.

``twin.ingest`` reads source files into a scene (it imports :mod:`twin.scene`); the scene, the
engines and calibration work on scenes and must not reach back into it. Their shared types live
below both (:mod:`twin.types`). Every ``import`` statement is read with :mod:`ast` (function-level
and ``TYPE_CHECKING`` imports included, relative imports resolved), not by importing the modules.

:data:`ALLOWED` lists, with a reason, exactly the imports of ``twin.ingest`` that remain in those
layers: workflow functions behind a command that accept raw input files, and imports still to be
moved (files of other areas; the moves are described in issue 19). An allowance no longer
needed fails :func:`test_no_stale_allowance`: delete its line.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from tests.cli_harness import REPO

PACKAGE = REPO / "twin"

#: Layers that must not import ``twin.ingest`` (folders under twin/).
LOWER_LAYERS = ("scene", "energy", "traffic", "soil", "solar", "calibration")

_WORKFLOW = "workflow behind a command that accepts raw input files (ingests them / reads the weather file)"
_TO_MOVE = "to move below both layers (issue 19); file of another area"

#: (file relative to twin/, imported module) -> why it is allowed.
ALLOWED: dict[tuple[str, str], str] = {
    ("energy/stock.py", "twin.ingest"): _WORKFLOW + ": load_scene() behind 'twin energy run' ingests input files",
    ("energy/stock.py", "twin.ingest.epw"): _WORKFLOW + ": 'twin energy run --weather FILE.epw'",
    ("traffic/dynamic_commands.py", "twin.ingest.dispatch"): _WORKFLOW + ": 'twin traffic simulate/access' ingest their inputs",
    ("calibration/command.py", "twin.ingest.epw"): _WORKFLOW + ": 'twin calibrate' / 'twin sync --weather FILE.epw'",
    ("calibration/synthetic.py", "twin.ingest.epw"): _WORKFLOW + ": the shipped Uccle EPW of the identifiability experiments",
    ("soil/column.py", "twin.ingest.epw"): _WORKFLOW + ": the weather file named in a 'twin soil column' spec",
    ("scene/io.py", "twin.ingest.dispatch"): _TO_MOVE + ": the parsing libraries' error tuple (_library_errors, private) "
                                             "belongs in a neutral module",
    ("scene/io.py", "twin.ingest.limits"): _TO_MOVE + ": the physical bounds of buildings (building_row_problems) "
                                           "are a scene-schema rule; move limits below scene and ingest",
    ("energy/stock_samples.py", "twin.ingest.limits"): _TO_MOVE + ": MAX_HEIGHT_M, MAX_STOREYS (same move as above)",
    ("energy/priors.py", "twin.ingest.defaults"): _TO_MOVE + ": the use classes of the defaults table",
    ("solar/cityjson_surfaces.py", "twin.ingest.cityjson"): _TO_MOVE + ": private CityJSON readers (_load, _vertices, "
                                                            "_file_crs) shared by ingest and solar",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Absolute names of the modules imported anywhere in ``path`` (``from X import y``: X);
    ``source``: its text (default: read the file)."""
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                out.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                out.add(node.module)
    return out


def _is_ingest(module: str) -> bool:
    return module == "twin.ingest" or module.startswith("twin.ingest.")


@functools.lru_cache(maxsize=1)
def ingest_imports() -> frozenset[tuple[str, str]]:
    """(file relative to twin/, module) of every import of twin.ingest in :data:`LOWER_LAYERS`."""
    found = set()
    for layer in LOWER_LAYERS:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            rel = path.relative_to(PACKAGE).as_posix()
            found.update((rel, m) for m in imported_modules(path) if _is_ingest(m))
    return frozenset(found)


def test_walker_sees_function_level_and_relative_imports():
    # the walker itself: a lazy import inside a function and relative imports are all seen
    source = (
        "def f():\n    from twin.ingest.epw import read_epw\n"
        "from ..ingest import limits\nfrom . import schema\nfrom .spatial import x\nimport twin.ingest.osm\n"
    )
    found = imported_modules(PACKAGE / "scene" / "probe.py", source)
    assert found == {"twin.ingest.epw", "twin.ingest", "twin.scene", "twin.scene.spatial", "twin.ingest.osm"}
    assert {m for m in found if _is_ingest(m)} == {"twin.ingest.epw", "twin.ingest", "twin.ingest.osm"}


def test_lower_layers_do_not_import_ingest():
    offenders = sorted(ingest_imports() - set(ALLOWED))
    assert not offenders, (
        "imports of twin.ingest from the scene / engine / calibration layers (put shared types in "
        f"twin.types, or move the workflow up): {offenders}"
    )


def test_no_stale_allowance():
    stale = sorted(set(ALLOWED) - ingest_imports())
    assert not stale, f"allowances no longer needed, delete them from ALLOWED: {stale}"


def test_scene_reads_weather_without_ingest():
    assert ("scene/io.py", "twin.ingest.epw") not in ingest_imports()


def test_types_import_nothing_of_twin():
    for path in sorted((PACKAGE / "types").rglob("*.py")):
        twin_imports = {m for m in imported_modules(path) if m == "twin" or m.startswith("twin.")}
        assert not twin_imports, f"{path.relative_to(REPO)} imports {twin_imports}: twin.types must stay below every layer"


def test_weather_reexported_by_epw():
    from twin.ingest import epw
    from twin.types import weather

    assert epw.Weather is weather.Weather and epw.Location is weather.Location
