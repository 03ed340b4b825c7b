"""Permit-batch safety: a scenario file from an applicant cannot make twin read outside its folder.

A permit YAML naming ``/etc/passwd``, a ``../../`` path, a link leading out of the folder, a
pipe or a device is refused with one ``twin: error:`` line (exit 2) by ``twin scenario
validate``, ``twin run`` and ``twin batch`` *before anything is read or hashed*. The proof of
"before": a named pipe (FIFO) without a writer blocks whoever opens it for reading, so a
command that opened or hashed it would hang past the time limit; each case that names a pipe
must finish with its error line instead. In-process, the hash function is replaced by one that
fails the test if called.

Allowed without a flag: the scenario's own folder (and below) and the shipped
``data_samples/``; ``--allow-dir DIR`` adds a folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import EPW, IFC, REPO, write_small_district

TINY_BOX = (148330.0, 168860.0, 148390.0, 168920.0)
TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    return write_small_district(tmp_path_factory.mktemp("permit_district"), TINY_BOX)


def permit_doc(buildings: str) -> dict:
    """A permit application as shipped in ``scenarios/permits/`` (energy, the FZK-Haus inserted)."""
    return {
        "name": "permit-test",
        "inputs": {"files": [buildings], "weather": str(EPW)},
        "domains": ["energy"],
        "whatifs": [{"name": "permit", "modifications": [
            {"op": "insert_building", "ifc": str(IFC), "origin_xy": [148341.0, 168910.0], "rotation_deg": 90}]}],
    }


def _outside(tmp_path: Path) -> Path:
    """A folder beside the permit folder (outside it) holding a readable file and a pipe."""
    out = tmp_path / "elsewhere"
    out.mkdir(exist_ok=True)
    (out / "secret.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (out / "secret.epw").write_text("not a weather file")
    if not (out / "pipe.geojson").exists():
        os.mkfifo(out / "pipe.geojson")
    return out


def _absolute_etc_passwd(doc, apps, tmp):
    doc["inputs"]["files"] = ["/etc/passwd"]
    return ("inputs.files.0", "/etc/passwd", "absolute path outside")


def _dotdot(doc, apps, tmp):
    doc["inputs"]["files"] = ["../../x.geojson"]
    return ("inputs.files.0", "../../x.geojson", "'..'")


def _dotdot_existing(doc, apps, tmp):
    _outside(tmp)
    doc["inputs"]["files"] = ["../elsewhere/secret.geojson"]
    return ("inputs.files.0", "outside the scenario's folder")


def _pipe_outside(doc, apps, tmp):
    doc["inputs"]["files"] = [str(_outside(tmp) / "pipe.geojson")]
    return ("inputs.files.0", "pipe.geojson", "outside")


def _pipe_inside(doc, apps, tmp):
    os.mkfifo(apps / "pipe.geojson")
    doc["inputs"]["files"] = ["pipe.geojson"]
    return ("inputs.files.0", "not a regular file")


def _link_to_passwd(doc, apps, tmp):
    (apps / "buildings.geojson").symlink_to("/etc/passwd")
    doc["inputs"]["files"] = ["buildings.geojson"]
    return ("inputs.files.0", "link pointing outside")


def _link_to_dev_zero(doc, apps, tmp):
    (apps / "weather.epw").symlink_to("/dev/zero")
    doc["inputs"]["weather"] = "weather.epw"
    return ("inputs.weather", "link pointing outside")


def _link_to_pipe_outside(doc, apps, tmp):
    (apps / "b.geojson").symlink_to(_outside(tmp) / "pipe.geojson")
    doc["inputs"]["files"] = ["b.geojson"]
    return ("inputs.files.0", "link pointing outside")


def _ifc_passwd(doc, apps, tmp):
    doc["whatifs"][0]["modifications"][0]["ifc"] = "/etc/passwd"
    return ("whatifs.0.modifications.0.ifc", "/etc/passwd", "outside")


def _energy_weather_outside(doc, apps, tmp):
    _outside(tmp)
    doc["energy"] = {"weather": "../elsewhere/secret.epw"}
    return ("energy.weather", "outside")


def _sites_outside(doc, apps, tmp):
    doc["inputs"]["sites"] = [str(_outside(tmp) / "secret.geojson")]
    return ("inputs.sites.0", "outside")


def _home_path(doc, apps, tmp):
    doc["inputs"]["files"] = ["~/.ssh/id_rsa.geojson"]
    return ("inputs.files.0", "outside")


def _shapefile_sidecar_outside(doc, apps, tmp):
    out = _outside(tmp)
    (apps / "b.shp").write_bytes(b"\0" * 100)
    (out / "b.dbf").write_bytes(b"\0" * 100)
    (apps / "b.dbf").symlink_to(out / "b.dbf")
    doc["inputs"]["files"] = ["b.shp"]
    return ("inputs.files.0", "shapefile part .dbf", "outside")


def _folder_as_input(doc, apps, tmp):
    (apps / "data.geojson").mkdir()
    doc["inputs"]["files"] = ["data.geojson"]
    return ("inputs.files.0", "is a folder")


def _wrong_suffix(doc, apps, tmp):
    (apps / "notes.txt").write_text("hello")
    doc["inputs"]["files"] = ["notes.txt"]
    return ("inputs.files.0", "must end in")


def _gtfs_pipe_outside(doc, apps, tmp):
    out = _outside(tmp)
    if not (out / "feed.zip").exists():
        os.mkfifo(out / "feed.zip")
    doc["traffic"] = {"gtfs": str(out / "feed.zip")}
    doc["domains"] = ["energy", "traffic"]  # traffic options of an engine that does not run are refused before any path is looked at
    return ("traffic.gtfs", "GTFS feed", "outside")


def _traffic_table_link_to_dev_zero(doc, apps, tmp):
    (apps / "coefficients.csv").symlink_to("/dev/zero")
    doc["traffic"] = {"mode_choice_table": "coefficients.csv"}
    doc["domains"] = ["energy", "traffic"]
    return ("traffic.mode_choice_table", "link pointing outside")


def _missing_ifc(doc, apps, tmp):
    doc["whatifs"][0]["modifications"][0]["ifc"] = "house.ifc"
    return ("whatifs.0.modifications.0.ifc", "not found")


ATTACKS = {
    "etc-passwd": _absolute_etc_passwd,
    "dotdot": _dotdot,
    "dotdot-existing-file": _dotdot_existing,
    "pipe-outside": _pipe_outside,
    "pipe-inside": _pipe_inside,
    "link-to-etc-passwd": _link_to_passwd,
    "link-to-dev-zero": _link_to_dev_zero,
    "link-to-pipe-outside": _link_to_pipe_outside,
    "ifc-etc-passwd": _ifc_passwd,
    "energy-weather-outside": _energy_weather_outside,
    "sites-outside": _sites_outside,
    "home-path": _home_path,
    "shapefile-sidecar-outside": _shapefile_sidecar_outside,
    "folder-as-input": _folder_as_input,
    "wrong-suffix": _wrong_suffix,
    "missing-ifc": _missing_ifc,
    "traffic-gtfs-pipe-outside": _gtfs_pipe_outside,
    "traffic-table-link-to-dev-zero": _traffic_table_link_to_dev_zero,
}


def _permit(tmp_path: Path, district: Path, attack) -> tuple[Path, Path, tuple]:
    import shutil

    apps = tmp_path / "permits"
    apps.mkdir()
    shutil.copy(district, apps / "district.geojson")
    doc = permit_doc("district.geojson")
    contains = attack(doc, apps, tmp_path)
    path = apps / "application.yaml"
    path.write_text(yaml.safe_dump(doc))
    return apps, path, contains


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
@pytest.mark.parametrize("command", ["validate", "run", "batch"])
def test_permit_inputs_are_confined_before_anything_is_read(tmp_path, district, command, attack):
    apps, path, contains = _permit(tmp_path, district, ATTACKS[attack])
    out = tmp_path / "out"
    args = {
        "validate": ["scenario", "validate", path],
        "run": ["run", path, "-o", out, "-q"],
        "batch": ["batch", apps, "-o", out, "-q"],
    }[command]
    result = run_twin(args, timeout_s=TIMEOUT_S)  # a pipe that was opened would hang here
    line = assert_one_line_error(result, contains=contains)
    if command == "batch":
        assert "every run failed" in line and "application.yaml" in line
    assert "root:" not in result.stdout + result.stderr  # nothing of /etc/passwd leaks


def test_the_same_permit_is_accepted_with_allow_dir(tmp_path, district):
    apps, path, _ = _permit(tmp_path, district, _dotdot_existing)
    doc = yaml.safe_load(path.read_text())
    doc["inputs"]["files"] = ["district.geojson"]
    doc["inputs"]["sites"] = ["../elsewhere/site.geojson"]
    import shutil

    shutil.copy(REPO / "data_samples" / "stgilles_district_bbox.geojson", tmp_path / "elsewhere" / "site.geojson")
    path.write_text(yaml.safe_dump(doc))
    refused = run_twin(["scenario", "validate", "--no-scene", path], timeout_s=TIMEOUT_S)
    assert_one_line_error(refused, contains=("inputs.sites.0", "--allow-dir"))
    accepted = run_twin(["scenario", "validate", "--no-scene", "--allow-dir", tmp_path / "elsewhere", path], timeout_s=TIMEOUT_S)
    assert accepted.code == 0, accepted.stderr


def test_an_allowed_folder_does_not_admit_devices(tmp_path, district):
    apps, path, contains = _permit(tmp_path, district, _link_to_dev_zero)
    result = run_twin(["scenario", "validate", "--allow-dir", "/dev", path], timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=("inputs.weather", "not a regular file"))


def test_a_scenario_file_linked_from_outside_the_batch_folder_is_refused(tmp_path, district):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.yaml").write_text(yaml.safe_dump(permit_doc(str(district))))
    apps = tmp_path / "apps"
    apps.mkdir()
    (apps / "evil.yaml").symlink_to(outside / "evil.yaml")
    result = run_twin(["batch", apps, "-o", tmp_path / "out", "-q"], timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=("evil.yaml", "outside the batch folder"))


def test_shipped_scenarios_need_no_flag():
    """The shipped scenarios reach ../data_samples: the shipped sample data is allowed by default."""
    files = [REPO / "scenarios" / "stgilles_default.yaml", *sorted((REPO / "scenarios" / "permits").glob("*.yaml"))]
    result = run_twin(["scenario", "validate", "--no-scene", *files], timeout_s=TIMEOUT_S)
    assert result.code == 0, result.stderr
    assert result.stdout.count(": ok (") == len(files)


def test_nothing_is_hashed_before_the_inputs_are_confined(tmp_path, district, monkeypatch):
    """In process: ``run_identity`` (which hashes the inputs for the run id) refuses first."""
    from twin.errors import UnsafePathError
    from twin.scenario import store
    from twin.scenario.batch import run_identity

    def no_hash(paths):
        pytest.fail(f"hashed before the check: {list(paths)}")

    monkeypatch.setattr(store, "hash_files", no_hash)
    _, path, _ = _permit(tmp_path, district, _pipe_outside)
    with pytest.raises(UnsafePathError, match="outside"):
        run_identity(path)
    (tmp_path / "permits" / "application.yaml").unlink()
    doc = permit_doc("district.geojson")
    doc["inputs"]["files"] = ["/etc/passwd"]
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(UnsafePathError) as info:
        run_identity(path)
    assert info.value.field == "inputs.files.0"


def test_twin_run_reads_an_allowed_folder(tmp_path, district):
    """``twin run --allow-dir``: the footprints live beside the permit folder, the run goes through."""
    import shutil

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(district, elsewhere / "district.geojson")
    apps = tmp_path / "permits"
    apps.mkdir()
    doc = permit_doc("../elsewhere/district.geojson")
    doc["whatifs"] = [{"name": "reno", "modifications": [{"op": "renovate", "select": {"fraction": 0.5}, "measures": ["roof_insulation"]}]}]
    path = apps / "application.yaml"
    path.write_text(yaml.safe_dump(doc))
    refused = run_twin(["run", path, "-o", tmp_path / "out", "-q"], timeout_s=TIMEOUT_S)
    assert_one_line_error(refused, contains=("inputs.files.0", "outside the scenario's folder"))
    result = run_twin(["run", path, "-o", tmp_path / "out", "-q", "--allow-dir", elsewhere], timeout_s=180)
    assert result.code == 0, result.stderr
    assert (tmp_path / "out" / "report.html").exists()
