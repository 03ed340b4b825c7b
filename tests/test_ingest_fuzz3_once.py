"""A file given twice to one ingest, left by the fault-injection walks (fixed by helper fuzz3).

* ``twin scenario validate --no-scene`` did not check that an input is given twice (the check of
  :func:`twin.ingest.dispatch.check_each_file_once` ran only when the scene was built).
* A file given both as an input and as sites was read as both without a word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.geojson_builders import X0, Y0, square, write_geojson

SCENARIO = ("name: tiny\ninputs:\n  files: {files}\n  sites: {sites}\ndomains: [energy]\nwhatifs:\n"
            "  - name: insulate\n    modifications:\n      - op: renovate\n        select: {{where: {{use: residential}}}}\n"
            "        measures: [wall_insulation]\n")


@pytest.mark.parametrize(("files", "sites", "where"), [
    ("[district.geojson, district.geojson]", "[]", "input files 1 and 2 of 2"),
    ("[district.geojson]", "[district.geojson]", "input file 1 of 1 and sites file 1 of 1"),
])
def test_validate_no_scene_refuses_a_file_given_twice(tmp_path: Path, files: str, sites: str, where: str) -> None:
    """``--no-scene`` confined and checked the inputs but skipped the check that a file is given once."""
    from tests.cli_harness import assert_one_line_error, run_twin

    write_geojson(tmp_path / "district.geojson", [square(X0, Y0, building="yes", osm_id="1", **{"building:use": "residential"})])
    path = tmp_path / "twice.yaml"
    path.write_text(SCENARIO.format(files=files, sites=sites), encoding="utf-8")
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", path]),
                          contains=("district.geojson", f"given twice ({where})"))


def test_a_file_given_as_input_and_as_sites_is_refused_naming_both_roles(tmp_path: Path) -> None:
    """``twin ingest d.geojson --sites d.geojson`` read the polygons as buildings and as sites (exit 0)."""
    from tests.cli_harness import assert_one_line_error, run_twin

    path = write_geojson(tmp_path / "district.geojson", [square(X0, Y0, building="yes", osm_id="1")])
    out = tmp_path / "scene"
    assert_one_line_error(run_twin(["ingest", path, "--sites", path, "-o", out, "-q"]),
                          contains=("district.geojson", "given twice (input file 1 of 1 and sites file 1 of 1)"))
    assert not out.exists()
