"""A command replaces only the outputs it wrote (``written_by``, :func:`twin.io.staged.check_writer`).

``twin ingest -o X`` replaced any scene at X, an export or the calibrated ``scene/`` of ``twin
calibrate`` (minutes of work) included; ``twin energy run -o X`` and ``twin calibrate -o X``
replaced each other's results (both write ``summary.json``, a name each took as the mark of its
own earlier result), and ``twin energy run -o X`` the results of ``twin run`` (both write
``run_record.json``); ``twin traffic access --output X.gpkg`` replaced a scene GeoPackage, and
``--output scene/buildings.parquet`` a layer of a scene folder. Each
refusal is one ``twin: error:`` line naming the folder, its writer and what to do, and leaves the
output byte-identical; every command still replaces its own earlier output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.output_helpers import write_tiny_inputs


def _snapshot(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` (or ``path`` itself) with its bytes."""
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict[str, Path]:
    """Inputs, an ingested scene, an export of it, a calibrated folder and energy results (about 15 s)."""
    root = tmp_path_factory.mktemp("ownership")
    inputs = write_tiny_inputs(root / "in")
    paths = {"inputs": inputs, "scene": root / "scene", "export": root / "export", "cal": root / "cal", "energy": root / "energy"}
    steps = (
        ["ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", paths["scene"], "-q"],
        ["export", paths["scene"], "-o", paths["export"]],
        ["calibrate", paths["scene"], "--classes", "brussels", "--samples", "2", "-o", paths["cal"], "-q"],
        ["energy", "run", paths["scene"], "-o", paths["energy"], "--no-plots", "-q"],
    )
    for args in steps:
        result = run_twin(args, timeout_s=300)
        assert result.code == 0, result.stderr
    return paths


def _refused(args: list, target: Path, contains: tuple[str, ...]) -> None:
    """``twin ARGS`` ends in one error line holding ``contains`` and leaves ``target`` byte-identical."""
    before = _snapshot(target)
    assert_one_line_error(run_twin(args, timeout_s=300), contains=(str(target), "'--out'", "remove it", *contains))
    assert _snapshot(target) == before


def test_ingest_does_not_replace_an_export(case) -> None:
    _refused(["ingest", case["inputs"] / "district.geojson", "-o", case["export"], "-q"], case["export"],
             ("written by twin export", "not an earlier result of twin ingest", "another -o folder"))


def test_ingest_does_not_replace_a_calibrated_scene(case) -> None:
    """The ``scene/`` of ``twin calibrate`` records ``twin calibrate``; the whole folder stays as it was."""
    assert json.loads((case["cal"] / "scene" / "scene.json").read_text())["written_by"] == "twin calibrate"
    before = _snapshot(case["cal"])
    _refused(["ingest", case["inputs"] / "district.geojson", "-o", case["cal"] / "scene", "-q"], case["cal"] / "scene",
             ("written by twin calibrate", "not an earlier result of twin ingest"))
    assert _snapshot(case["cal"]) == before


def test_ingest_does_not_replace_an_exported_geopackage(case, tmp_path: Path) -> None:
    gpkg = tmp_path / "exported.gpkg"
    assert run_twin(["export", case["scene"], "-o", gpkg]).code == 0
    _refused(["ingest", case["inputs"] / "district.geojson", "-o", gpkg, "-q"], gpkg,
             ("written by twin export", "not an earlier result of twin ingest", "another -o file"))


def test_ingest_replaces_its_own_earlier_scene(case, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    first = run_twin(["ingest", case["inputs"] / "district.geojson", case["inputs"] / "weather.epw", "-o", out, "-q"])
    assert first.code == 0, first.stderr
    assert json.loads((out / "scene.json").read_text())["written_by"] == "twin ingest"
    assert (out / "weather.parquet").is_file()
    again = run_twin(["ingest", case["inputs"] / "district.geojson", "-o", out, "-q"])
    assert again.code == 0, again.stderr
    assert not (out / "weather.parquet").exists()  # replaced whole by the second ingest (no weather)
    assert json.loads((out / "scene.json").read_text())["written_by"] == "twin ingest"


def test_ingest_refuses_a_scene_with_no_writer_recorded(case, tmp_path: Path) -> None:
    """A scene of an older twin records no writer: it may be a calibrated scene, so it is refused (once)."""
    import shutil

    old = tmp_path / "old_scene"
    shutil.copytree(case["scene"], old)
    meta = json.loads((old / "scene.json").read_text())
    del meta["written_by"]
    (old / "scene.json").write_text(json.dumps(meta))
    _refused(["ingest", case["inputs"] / "district.geojson", "-o", old, "-q"], old, ("no writer recorded", "twin ingest"))
    shutil.rmtree(old)  # what the message says to do
    assert run_twin(["ingest", case["inputs"] / "district.geojson", "-o", old, "-q"]).code == 0


def test_calibrate_does_not_replace_a_scene(case, tmp_path: Path) -> None:
    """Refused before this rule too (a scene folder holds no calibration.parquet or summary.json); kept as a guard."""
    other = tmp_path / "other_scene"
    assert run_twin(["ingest", case["inputs"] / "weather.epw", "-o", other, "-q"]).code == 0
    _refused(["calibrate", case["scene"], "--classes", "brussels", "-o", other, "-q"], other, ("not an earlier result",))


def test_calibrate_does_not_replace_energy_results(case) -> None:
    _refused(["calibrate", case["scene"], "--classes", "brussels", "--samples", "2", "-o", case["energy"], "-q"], case["energy"],
             ("written by twin energy run", "not an earlier result of twin calibrate"))


def test_energy_run_does_not_replace_a_calibration(case) -> None:
    _refused(["energy", "run", case["scene"], "-o", case["cal"], "--no-plots", "-q"], case["cal"],
             ("written by twin calibrate", "not an earlier result of twin energy run"))


def test_energy_run_does_not_replace_the_results_of_twin_run(case, tmp_path: Path) -> None:
    """Both write ``run_record.json``; its ``command`` tells them apart (was replaced whole, exit 0)."""
    from tests.output_helpers import write_tiny_scenario

    results = tmp_path / "results"
    ran = run_twin(["run", write_tiny_scenario(tmp_path / "sc"), "-o", results, "-q"], timeout_s=300)
    assert ran.code == 0, ran.stderr
    _refused(["energy", "run", case["scene"], "-o", results, "--no-plots", "-q"], results,
             ("written by twin run", "not an earlier result of twin energy run"))


def test_calibrate_and_energy_run_replace_their_own(case) -> None:
    for args, out in ((["calibrate", case["scene"], "--classes", "brussels", "--samples", "2", "-o", case["cal"], "-q"], case["cal"]),
                      (["energy", "run", case["scene"], "-o", case["energy"], "--no-plots", "-q"], case["energy"])):
        result = run_twin(args, timeout_s=300)
        assert result.code == 0, result.stderr
        assert (out / "summary.json").is_file()


def test_traffic_output_does_not_replace_a_scene_geopackage(case, tmp_path: Path) -> None:
    """Without the rule the access run succeeded and wrote its table over the scene (exit 0)."""
    files = [shared_path("brussels", f"stgilles_{k}_osm2013.geojson") for k in ("streets", "buildings", "landcover")]
    gpkg = tmp_path / "scene.gpkg"
    assert run_twin(["ingest", case["inputs"] / "district.geojson", "-o", gpkg, "-q"]).code == 0
    before = gpkg.read_bytes()
    result = run_twin(["traffic", "access", *files, "--categories", "park", "--output", gpkg])
    assert_one_line_error(result, contains=(str(gpkg), "'--output'", "holds a scene written by twin ingest", "remove it"))
    assert gpkg.read_bytes() == before


def test_traffic_output_does_not_write_into_a_scene_folder(case) -> None:
    """``--output scene/buildings.parquet`` replaced the buildings layer of a scene it did not read (exit 0)."""
    files = [shared_path("brussels", f"stgilles_{k}_osm2013.geojson") for k in ("streets", "buildings", "landcover")]
    target = case["scene"] / "buildings.parquet"
    before = _snapshot(case["scene"])
    result = run_twin(["traffic", "access", *files, "--categories", "park", "--output", target])
    assert_one_line_error(result, contains=(str(target), "'--output'", "in the folder of a scene written by twin ingest", "another folder"))
    assert _snapshot(case["scene"]) == before


def test_traffic_output_does_not_write_into_energy_results(case) -> None:
    """The same for a results folder that records its writer (``run_record.json`` of ``twin energy run``)."""
    files = [shared_path("brussels", f"stgilles_{k}_osm2013.geojson") for k in ("streets", "buildings", "landcover")]
    target = case["energy"] / "buildings.parquet"
    before = _snapshot(case["energy"])
    result = run_twin(["traffic", "access", *files, "--categories", "park", "--output", target])
    assert_one_line_error(result, contains=(str(target), "'--output'", "in the folder of results written by twin energy run"))
    assert _snapshot(case["energy"]) == before


def test_run_does_not_replace_the_results_of_energy_run(case, tmp_path: Path) -> None:
    """Both write ``run_record.json``; ``twin run -o energy_results`` replaced them whole, exit 0."""
    from tests.output_helpers import write_tiny_scenario

    _refused(["run", write_tiny_scenario(tmp_path / "sc"), "-o", case["energy"], "-q"], case["energy"],
             ("written by twin energy run", "not an earlier result of twin run"))


def test_run_replaces_its_own_results(tmp_path: Path) -> None:
    from tests.output_helpers import write_tiny_scenario

    scenario, results = write_tiny_scenario(tmp_path / "sc"), tmp_path / "results"
    for _ in range(2):
        ran = run_twin(["run", scenario, "-o", results, "-q"], timeout_s=300)
        assert ran.code == 0, ran.stderr
    assert json.loads((results / "run_record.json").read_text())["command"] == "twin run"
