"""``--allow-no-effect``: the warning names the scenario file, the key path and the what-if, like
the error it replaces.

Before, the error named the file (the command line added it to the exception) but the warning,
printed while the run went on, named only the key path: with a batch of scenario files a planner
could not tell which file a ``twin: warning: field 'whatifs.0...'`` line was about.
:func:`twin.scenario.checks.report_no_effect` now takes the file and the what-if's name from
the scenario being checked (:func:`twin.scenario.checks.scenario_in_hand`), for the error and
the warning alike.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import run_twin
from tests.output_helpers import tiny_scenario_doc, write_tiny_scenario
from twin.errors import NoEffectError, TwinWarning


def _no_effect_scenario(folder: Path) -> Path:
    """The tiny scenario with a second what-if, 'ghost', whose selection matches no building."""
    doc = tiny_scenario_doc(1)
    ghost = {"name": "ghost", "modifications": [{"op": "renovate", "select": {"ids": ["no_such_building"]}, "measures": ["wall_insulation"]}]}
    doc["whatifs"] = [*doc["whatifs"], ghost]
    return write_tiny_scenario(folder, doc=doc, name="ghost.yaml")


def test_the_warning_reads_as_the_error_with_file_and_whatif(tmp_path: Path) -> None:
    scen = _no_effect_scenario(tmp_path)
    refused = run_twin(["scenario", "validate", scen, "-q"])
    allowed = run_twin(["scenario", "validate", scen, "-q", "--allow-no-effect"])
    assert refused.code == 2 and allowed.code == 0, (refused.stderr, allowed.stderr)
    [error] = [ln for ln in refused.stderr_lines if ln.startswith("twin: error: ")]
    [warning] = [ln for ln in allowed.stderr_lines if ln.startswith("twin: warning: ")]
    for line in (error, warning):
        assert f"file {scen}" in line and "field 'whatifs.1.modifications.0.select'" in line and "what-if 'ghost'" in line, line
    assert error.removeprefix("twin: error: ").replace("(pass --allow-no-effect to run anyway)", "") == \
        warning.removeprefix("twin: warning: ").replace("(allowed by --allow-no-effect)", "")


def test_runner_and_scene_free_checks_name_the_file(tmp_path: Path) -> None:
    from twin.scenario.checks import check_scenario
    from twin.scenario.runner import prepare_scenes
    from twin.scenario.schema import load_scenario

    scen = _no_effect_scenario(tmp_path)
    with pytest.warns(TwinWarning, match=r"file .*ghost\.yaml; field 'whatifs\.1\.modifications\.0\.select': what-if 'ghost': "):
        prepare_scenes(load_scenario(scen), base_dir=scen.parent, no_effect="warn", progress=False)
    with pytest.raises(NoEffectError) as err:
        prepare_scenes(load_scenario(scen), base_dir=scen.parent, progress=False)
    assert err.value.path == str(scen)

    # a check made without a scene (scale_demand acts on traffic, which this scenario does not run)
    doc = yaml.safe_load(scen.read_text())
    doc["whatifs"][1]["modifications"] = [{"op": "scale_demand", "factor": 1.2}]
    other = tmp_path / "demand.yaml"
    other.write_text(yaml.safe_dump(doc))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_scenario(load_scenario(other), no_effect="warn")
    texts = [str(w.message) for w in caught if issubclass(w.category, TwinWarning)]
    assert texts and texts[0].startswith(f"file {other}; field 'whatifs.1.modifications.0': what-if 'ghost': scale_demand acts on"), texts
