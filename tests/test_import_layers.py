"""Layering of the package: the scene and the engines do not import the ingest layer.

``twin.ingest`` reads source files into a scene (it imports :mod:`twin.scene`); the scene, the
engines and calibration work on scenes and must not reach back into it. What both sides need
lives below both: shared types in :mod:`twin.types` (weather, the use classes of the defaults
table), file-level readers in :mod:`twin.io` (the EPW reader, the CityJSON document checks, the
parsing libraries' error tuple) and the scene-schema bounds of buildings in
:mod:`twin.scene.limits`. Every ``import`` statement is read with :mod:`ast` (function-level and
``TYPE_CHECKING`` imports included, relative imports resolved), not by importing the modules.

The rule, by design:

* the lower layers (:data:`LOWER_LAYERS`) import nothing of ``twin.ingest``;
* of the workflow layer (``twin.workflows``, which may import ingest) they import only
  :data:`COMMAND_ENTRY`, the one scene loader of the command functions that accept raw input
  files (``twin energy run FILES``, ``twin traffic simulate FILES``, ...): through it, and only
  through it, a command ingests files; everything else in those layers works on a scene.

:data:`ALLOWED` lists, with a reason, any import of ``twin.ingest`` that remains in those layers
(none today); an allowance no longer needed fails :func:`test_no_stale_allowance`: delete its line.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from tests.cli_harness import REPO

PACKAGE = REPO / "twin"

#: Layers that must not import ``twin.ingest`` (folders under twin/).
LOWER_LAYERS = ("scene", "energy", "traffic", "soil", "solar", "calibration")

#: The one module of the workflow layer the lower layers may import (see the module docstring).
COMMAND_ENTRY = "twin.workflows.scene_loading"

#: (file relative to twin/, imported module) -> why it is allowed. Empty: keep it so.
ALLOWED: dict[tuple[str, str], str] = {}


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


def _is_workflow(module: str) -> bool:
    return module == "twin.workflows" or module.startswith("twin.workflows.")


@functools.lru_cache(maxsize=1)
def lower_layer_imports() -> frozenset[tuple[str, str]]:
    """(file relative to twin/, module) of every import of twin.* in :data:`LOWER_LAYERS`."""
    found = set()
    for layer in LOWER_LAYERS:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            rel = path.relative_to(PACKAGE).as_posix()
            found.update((rel, m) for m in imported_modules(path) if m.startswith("twin."))
    return frozenset(found)


def ingest_imports() -> frozenset[tuple[str, str]]:
    """(file relative to twin/, module) of every import of twin.ingest in :data:`LOWER_LAYERS`."""
    return frozenset((f, m) for f, m in lower_layer_imports() if _is_ingest(m))


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


def test_lower_layers_reach_the_workflow_layer_only_through_the_scene_loader():
    other = sorted((f, m) for f, m in lower_layer_imports() if _is_workflow(m) and m != COMMAND_ENTRY)
    assert not other, (
        f"the scene / engine / calibration layers may import only {COMMAND_ENTRY} of twin.workflows (the commands' scene "
        f"loader); move the work up into the workflow or command layer: {other}"
    )


def test_the_scene_loader_is_used_by_the_commands_that_take_files():
    # the energy and traffic commands share the loader (one .gpkg rule), not a loader each
    users = {f for f, m in lower_layer_imports() if m == COMMAND_ENTRY}
    assert {"energy/stock.py", "traffic/dynamic_commands.py"} <= users, users


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
    from twin.io import epw as io_epw
    from twin.types import weather

    assert epw.Weather is weather.Weather and epw.Location is weather.Location
    assert epw.read_epw is io_epw.read_epw


def test_neutral_modules_do_not_import_ingest():
    # the modules moved below both layers must stay there
    for rel in ("io/epw.py", "io/cityjson_document.py", "io/read_errors.py", "scene/limits.py", "types/use_classes.py"):
        path = PACKAGE / rel
        bad = {m for m in imported_modules(path) if _is_ingest(m) or _is_workflow(m)}
        assert not bad, f"twin/{rel} imports {bad}"


def test_priors_bounds_match_the_scene_limits():
    # twin.energy.priors repeats two bounds (importing twin.scene would load geopandas with the priors)
    from twin.energy import priors
    from twin.scene import limits

    assert priors.MAX_STOREYS == limits.MAX_STOREYS
    assert priors.STOREY_HEIGHT_BOUNDS_M[0] == limits.MIN_STOREY_HEIGHT_M
