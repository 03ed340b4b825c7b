"""Bad-input sweep 4 of ``twin ingest``: options that would change nothing.

* ``--allow-truncated-ifc`` without an ``.ifc`` input ran with exit 0; ``--rotation`` or
  ``--ifc-crs`` without one were refused naming ``--origin``. Each now names itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return write_tiny_inputs(tmp_path_factory.mktemp("in"))


@pytest.mark.parametrize(
    "option",
    [["--allow-truncated-ifc"], ["--rotation", "30"], ["--ifc-crs", "EPSG:31370"], ["--origin", "150000,170000"]],
)
def test_ifc_option_without_ifc_is_refused_naming_itself(tmp_path: Path, inputs: Path, option: list[str]) -> None:
    out = tmp_path / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", "-o", out, "-q", *option])
    assert_one_line_error(result, contains=(f"'{option[0]}'", "no .ifc file", "would change nothing"))
    assert not out.exists()
