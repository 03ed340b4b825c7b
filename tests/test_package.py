"""Packaging and start-up rules: twin.kernels mapping, one place for Numba options, lazy imports."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_kernels_are_importable_as_twin_kernels():
    import twin.kernels
    import twin.kernels.config

    assert Path(twin.kernels.__file__).resolve().parent == (REPO / "kernels").resolve()


def test_numba_options_live_only_in_the_config_module():
    offenders = []
    for path in (REPO / "kernels").rglob("*.py"):
        if path.name == "config.py":
            continue
        text = path.read_text()
        for pattern in (r"fastmath\s*=", r"cache\s*=\s*(True|False)", r"parallel\s*=\s*(True|False)", r"numba\.njit", r"@njit", r"numba\.jit"):
            if re.search(pattern, text):
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []


def test_fastmath_keeps_nan_and_inf():
    from twin.kernels.config import FASTMATH

    assert "nnan" not in FASTMATH and "ninf" not in FASTMATH and "fast" not in FASTMATH


def test_kernels_import_nothing_from_twin_outside_kernels():
    for path in (REPO / "kernels").rglob("*.py"):
        for line in path.read_text().splitlines():
            m = re.match(r"\s*(from|import)\s+(twin[\w.]*)", line)
            if m:
                assert m.group(2).startswith("twin.kernels"), f"{path.name}: {line.strip()}"
            assert not re.match(r"\s*(from|import)\s+(pandas|geopandas|pyogrio|ifcopenshell)\b", line), f"{path.name}: {line.strip()}"


def test_ingest_never_imports_a_domain_model():
    for path in (REPO / "twin" / "ingest").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"(from|import)\s+twin\.(energy|traffic|soil|scenario)", text), path.name


HEAVY = ("numba", "geopandas", "ifcopenshell", "pyvista", "vtk", "pandas", "shapely", "scipy", "xarray", "matplotlib")


def test_cli_start_up_imports_no_heavy_library():
    code = (
        "import sys, twin.cli.main\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_import_twin_is_light_and_compiles_nothing():
    code = f"import sys, twin, twin.kernels\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_twin_help_answers():
    result = subprocess.run([sys.executable, "-m", "twin.cli.main", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "ingest" in result.stdout and "run" in result.stdout


def test_cli_ingest_info_export_round_trip(tmp_path):
    """twin ingest -> info -> export (GeoPackage, CityJSON) on a small real file, via the CLI."""
    import json

    from tests.conftest import shared_path

    doc = json.loads(shared_path("gis", "lyon_bdtopo_oneBlock_buildings.geojson").read_text())
    assert doc.pop("crs")["properties"]["name"].endswith("3946")
    src = tmp_path / "lyon_no_crs.geojson"  # the same block with its CRS member removed
    src.write_text(json.dumps(doc))
    run = lambda *a: subprocess.run([sys.executable, "-m", "twin.cli.main", *map(str, a)], capture_output=True, text=True)  # noqa: E731
    bad = run("ingest", src, "-o", tmp_path / "scene")
    assert bad.returncode == 2 and "CRS" in bad.stderr and "lyon_no_crs.geojson" in bad.stderr
    assert not (tmp_path / "scene").exists()  # nothing written for a refused input
    # Lyon data in a Lyon scene (the default scene CRS, Belgian Lambert 72, refuses it: wrong area)
    ok = run("ingest", src, "--source-crs", "EPSG:3946", "--crs", "EPSG:3946", "-o", tmp_path / "scene", "-q")
    assert ok.returncode == 0, ok.stderr
    info = run("info", tmp_path / "scene")
    assert info.returncode == 0 and "buildings" in info.stdout
    assert run("export", tmp_path / "scene", "-o", tmp_path / "b.city.json").returncode == 0
    doc = json.loads((tmp_path / "b.city.json").read_text())
    assert doc["type"] == "CityJSON" and doc["version"] == "2.0" and len(doc["CityObjects"]) >= 1
    assert run("export", tmp_path / "scene", "-o", tmp_path / "s.gpkg").returncode == 0


def test_benchmark_scripts_compile_on_this_python():
    """Benchmarks are not run by CI; at least they must be valid on the supported Python."""
    for path in sorted((REPO / "benchmarks").glob("*.py")):
        compile(path.read_text(), str(path), "exec")
