"""Bad-input sweep 5 of scenario files: misspelt keys.

A misspelt required key (``measurs:``) was reported as the key it replaced, "field
'whatifs.0.modifications.0.measures': Field required", never naming what the planner wrote; with
misspellings at several depths the message named whichever pydantic listed first, not the first in
the file. Now the first unknown key in file order is named with its key path, and the missing key
it is closest to (:func:`twin.scenario.schema._first_error`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from twin.errors import ScenarioError
from twin.scenario.schema import parse_scenario


def _scenario(*, domains_key: str = "domains", measures_key: str = "measures", select: dict | None = None) -> dict:
    return {"name": "tiny", "inputs": {"files": ["district.geojson"]}, domains_key: ["energy"],
            "whatifs": [{"name": "insulate", "modifications": [{"op": "renovate", "select": select or {"where": {"use": "residential"}},
                                                               measures_key: ["wall_insulation"]}]}]}


@pytest.mark.parametrize(("data", "field", "text"), [
    (_scenario(measures_key="measurs"), "whatifs.0.modifications.0.measurs", "unknown key 'measurs' (did you mean 'measures'?)"),
    (_scenario(domains_key="domainz", measures_key="measurs"), "domainz", "unknown key 'domainz'"),  # the first in the file
    (_scenario(select={"where": {"use": "residential"}, "fractoin": 0.3}), "whatifs.0.modifications.0.select.fractoin",
     "unknown key 'fractoin'"),
], ids=["required-key", "several-depths", "optional-key"])
def test_the_first_misspelt_key_in_the_file_is_named(data: dict, field: str, text: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, path="s.yaml")
    assert err.value.field == field
    assert text in err.value.message


def test_a_missing_key_alone_is_still_reported_as_missing() -> None:
    data = _scenario()
    del data["whatifs"][0]["modifications"][0]["measures"]
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, path="s.yaml")
    assert err.value.field == "whatifs.0.modifications.0.measures" and "Field required" in err.value.message


def test_validate_names_the_misspelt_key(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text("name: tiny\ninputs:\n  files: [district.geojson]\ndomains: [energy]\nwhatifs:\n  - name: insulate\n"
                    "    modifications:\n      - op: renovate\n        select: {where: {use: residential}}\n"
                    "        measurs: [wall_insulation]\n", encoding="utf-8")
    assert_one_line_error(run_twin(["scenario", "validate", path, "--no-scene"]),
                          contains=("typo.yaml", "'whatifs.0.modifications.0.measurs'", "did you mean 'measures'?"))
