"""The zone-limit errors name the cut to the sites where it applies.

A scenario with a district's polygon as ``sites`` but no ``inputs.clip_to_sites`` keeps the
whole region of an OSM extract, and the traffic engine refuses its zones ("use larger zones"):
the larger zones are no answer for a 1 km district, the cut is. The advice is given when the
scene has OSM buildings outside its sites, not for a cut scene nor one without sites. The limit
is lowered on the hand-made OSM file of tests/test_newdistrict_clip.py (3 buildings, 2 schools).
"""

from __future__ import annotations

import pytest

from tests.test_newdistrict_clip import region  # noqa: F401  (fixture: the OSM file and its site)
from twin.errors import ResourceLimitError
from twin.ingest import ingest
from twin.scenario.engines import traffic as engine
from twin.scenario.schema import TrafficOptions
from twin.traffic import demand

ADVICE = "or cut the scene to the district: inputs.clip_to_sites: true (2 of its 3 buildings lie outside the sites)"


def _engine_error(scene, monkeypatch) -> str:
    monkeypatch.setattr(engine, "MAX_ZONES", 1)
    with pytest.raises(ResourceLimitError) as err:
        engine.check_scene(scene, TrafficOptions())
    return str(err.value)


def test_an_uncut_scene_with_sites_is_told_to_cut(region, monkeypatch):  # noqa: F811
    osm, site = region
    scene, _ = ingest([osm], sites=[site], progress=False)
    message = _engine_error(scene, monkeypatch)
    assert message.endswith(f"use larger zones, {ADVICE}")


@pytest.mark.parametrize("how", ["cut", "no sites"])
def test_no_cut_advice_where_the_cut_changes_nothing(region, monkeypatch, how):  # noqa: F811
    osm, site = region
    if how == "cut":
        scene, _ = ingest([osm], sites=[site], clip_to_sites=True, progress=False)  # one building, one school: one zone
    else:
        scene, _ = ingest([osm], progress=False)
    monkeypatch.setattr(engine, "MAX_ZONES", 0)
    with pytest.raises(ResourceLimitError) as err:
        engine.check_scene(scene, TrafficOptions())
    assert str(err.value).endswith("use larger zones")


def test_the_trip_ends_limit_names_the_ingest_option(region, monkeypatch):  # noqa: F811
    osm, site = region
    scene, _ = ingest([osm], sites=[site], progress=False)
    monkeypatch.setattr(demand, "MAX_ZONES", 1)
    with pytest.raises(
        ResourceLimitError,
        match="use larger zones, or cut the scene to the district: twin ingest --sites SITES "
        r"--clip-to-sites \(2 of its 3 buildings lie outside the sites\)$",
    ):
        demand.trip_ends(scene, demand.read_parameters())
