"""Bad-input sweep of ``twin traffic mobility``: ``--close ""`` (a blank street name).

The name was compared with the scene's street names, and an empty name equals the name of every
street without one: the what-if closed all unnamed car links of Saint-Gilles, exit 0. Now a blank
``--close`` (or ``--close-link``) is one ``twin: error:`` line naming the option, exit 2, before
the scene is read (:func:`twin.traffic.mobility_commands.check_closures`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin

SAMPLES = REPO / "data_samples"


@pytest.mark.parametrize(("option", "value", "contains"), [("--close", "", "every street without a name"), ("--close", "  ", "every street without a name"),
                                                           ("--close-link", "", "matches no link")])  # fmt: skip
def test_blank_closure_is_one_line(tmp_path: Path, option: str, value: str, contains: str) -> None:
    out = tmp_path / "links.csv"
    args = ["traffic", "mobility", SAMPLES / "stgilles_streets_osm2013.geojson", SAMPLES / "stgilles_buildings_osm2013.geojson", option, value, "-o", out, "-q"]
    assert_one_line_error(run_twin(args), contains=(f"'{option}'", contains))
    assert not out.exists()


def test_blank_name_matched_unnamed_streets() -> None:
    """Why it mattered: the sample's streets include car links without a name, which '' matched."""
    from twin.traffic.dynamic_commands import scene_from_files

    scene = scene_from_files([SAMPLES / "stgilles_streets_osm2013.geojson"], None, "EPSG:31370")
    assert (scene.links["name"].fillna("") == "").sum() > 0
