"""Bad-input sweep 5 of ``twin scenario schema -o``: an output that is a scenario file.

``twin scenario schema -o scenarios/mine.yaml`` (the planner meant to validate it) replaced the
scenario with the JSON Schema, exit 0; a scenario written as ``.json`` was overwritten the same
way. Now ``-o`` must be a ``.json`` file that is new or holds a schema written before; anything
else is one ``twin: error:`` line naming the file and ``--out``, and the file is left as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin

SCENARIO = "name: mine\ninputs:\n  files: [district.geojson]\ndomains: [energy]\n"


@pytest.mark.parametrize(("name", "text", "contains"), [
    ("mine.yaml", SCENARIO, ("name a .json file", "a scenario file?")),
    ("mine.json", json.dumps({"name": "mine", "domains": ["energy"]}), ("is not a JSON Schema of scenario files", "name a new file")),
    ("notes", "my notes\n", ("name a .json file", "without a suffix")),
], ids=["yaml-scenario", "json-scenario", "no-suffix"])
def test_schema_never_overwrites_a_scenario(tmp_path: Path, name: str, text: str, contains: tuple[str, ...]) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert_one_line_error(run_twin(["scenario", "schema", "-o", path]), contains=(name, "'--out'", *contains))
    assert path.read_text(encoding="utf-8") == text


def test_schema_writes_a_new_json_file_and_rewrites_its_own(tmp_path: Path) -> None:
    path = tmp_path / "scenario.schema.json"
    assert run_twin(["scenario", "schema", "-o", path]).code == 0
    first = json.loads(path.read_text(encoding="utf-8"))
    assert first["title"] == "twin scenario" and "$defs" in first
    assert run_twin(["scenario", "schema", "-o", path]).code == 0  # a schema written before may be refreshed
