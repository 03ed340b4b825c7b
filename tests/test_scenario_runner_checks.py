"""The runner's checks: nothing runs before the scenario is known to do what it says, and no
engine result carries a silent NaN.

* A selection that matches nothing stops :func:`run_scenario` before any engine runs
  (``NoEffectError``); ``no_effect="warn"`` warns and runs.
* A KPI that comes back NaN or infinite is a ``SimulationError`` naming the engine, the scene
  and the KPI, unless the adapter declares it undefined-able.
* The traffic adapter reports trips without a path (KPIs, a note per row, one warning per scene and text).
* ``samples x buildings`` and engine-run limits refuse before work.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.scenario_helpers import EPW, SAMPLES, write_small_district
from twin.errors import InputError, NoEffectError, ResourceLimitError, SimulationError, TwinWarning
from twin.scenario import runner
from twin.scenario.runner import EngineResult, run_scenario
from twin.scenario.schema import parse_scenario

TINY_BOX = (148330.0, 168860.0, 148390.0, 168920.0)
STREETS = SAMPLES / "stgilles_streets_osm2013.geojson"
LANDCOVER = SAMPLES / "stgilles_landcover_osm2013.geojson"  # schools and parks for the access KPIs


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    f = tmp_path_factory.mktemp("runner_checks")
    write_small_district(f, TINY_BOX)
    return f


def energy_doc(select: dict) -> dict:
    return {
        "name": "checks",
        "inputs": {"files": ["district_small.geojson"], "weather": str(EPW)},
        "domains": ["energy"],
        "whatifs": [{"name": "reno", "modifications": [{"op": "renovate", "select": select, "measures": ["roof_insulation"]}]}],
    }


def test_a_selection_that_matches_nothing_stops_before_any_engine(folder, monkeypatch):
    from twin.scenario.engines import energy

    def boom(*a, **k):
        raise AssertionError("an engine ran")

    monkeypatch.setattr(energy, "run", boom)
    scenario = parse_scenario(energy_doc({"where": {"construction_year": {"max": 1970}}}))
    with pytest.raises(NoEffectError, match=r"construction_year is missing \(NaN\) for all 12 buildings") as info:
        run_scenario(scenario, base_dir=folder)
    assert info.value.field == "whatifs.0.modifications.0.select"


def test_warn_policy_runs_and_reports_no_change(folder):
    scenario = parse_scenario(energy_doc({"where": {"construction_year": {"max": 1970}}}))
    with pytest.warns(TwinWarning, match="construction_year is missing"):
        comp = run_scenario(scenario, base_dir=folder, no_effect="warn")
    heat = comp.kpis.set_index("kpi").loc["heating_need_mwh"]
    assert heat["delta"] == 0.0 and comp.applied["reno"] == [{"op": "renovate", "buildings": 0}]


def test_unknown_no_effect_policy_is_refused(folder):
    with pytest.raises(InputError, match="no_effect"):
        run_scenario(parse_scenario(energy_doc({"fraction": 0.5})), base_dir=folder, no_effect="ignore")


class FakeEngine:
    """An engine adapter whose KPIs are given."""

    READS = frozenset({"buildings"})
    UNDEFINED_OK = frozenset({"maybe"})

    def __init__(self, kpis):
        self.kpis = kpis

    def run(self, scene, options, *, base_dir):
        return EngineResult(pd.DataFrame({"building_id": []}), "building_id", dict(self.kpis))


@pytest.mark.parametrize(
    "kpis, bad",
    [({"q": float("nan")}, "q = nan"), ({"q": float("inf")}, "q = inf"), ({"maybe": float("-inf")}, "maybe = -inf")],
    ids=["nan", "inf", "declared-but-infinite"],
)
def test_non_finite_kpis_are_simulation_errors(folder, monkeypatch, kpis, bad):
    monkeypatch.setattr(runner, "_engine", lambda domain: FakeEngine(kpis))
    with pytest.raises(SimulationError, match="the energy engine gave " + bad.replace("+", r"\+")) as info:
        run_scenario(parse_scenario(energy_doc({"fraction": 0.5})), base_dir=folder)
    assert info.value.obj == "the baseline" and info.value.field == bad.split(" = ")[0]


def test_declared_undefined_kpi_may_be_nan(folder, monkeypatch):
    monkeypatch.setattr(runner, "_engine", lambda domain: FakeEngine({"maybe": float("nan"), "q": 1.0}))
    comp = run_scenario(parse_scenario(energy_doc({"fraction": 0.5})), base_dir=folder)
    assert np.isnan(comp.kpis.set_index("kpi").loc["maybe", "whatif_value"])


def test_trips_without_a_path_are_reported(folder):
    """The mobility model serves every trip or reports it: a house 3 km from any street (no street
    of any mode within 400 m of its zone) leaves its residents' trips unserved: counted in the
    KPIs, one note per unserved row with its reason, one warning per scene; the closure of the
    Parvis strands no other trip."""
    import geopandas as gpd
    import shapely

    far = gpd.GeoDataFrame({"building": ["house"], "building:levels": ["3"]}, geometry=[shapely.box(152000, 172000, 152012, 172010)],
                           crs="EPSG:31370")
    far.to_file(folder / "far_house.geojson", driver="GeoJSON")
    doc = {
        "name": "closure",
        "inputs": {"files": ["district_small.geojson", "far_house.geojson", str(STREETS), str(LANDCOVER)]},
        "domains": ["traffic"],
        "whatifs": [
            {"name": "parvis", "modifications": [{"op": "close_streets", "select": {"where": {"name": [
                "Parvis Saint-Gilles", "Rue de l'Église Saint-Gilles"]}}}]},
            {"name": "more", "modifications": [{"op": "scale_demand", "factor": 1.5}]},
        ],
        "traffic": {"periods": ["am_peak"], "feedback": 1, "access_categories": ["school", "park"]},
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comp = run_scenario(parse_scenario(doc), base_dir=folder)
    texts = [str(w.message) for w in caught if issubclass(w.category, TwinWarning)]
    k = comp.kpis.set_index(["whatif", "kpi"])
    lost = k.loc[("parvis", "am_peak_unserved_trips"), "baseline"]
    assert lost > 0 and k.loc[("parvis", "am_peak_unserved_trips"), "whatif_value"] == pytest.approx(lost, rel=1e-9)
    assert k.loc[("more", "am_peak_unserved_trips"), "whatif_value"] == pytest.approx(1.5 * lost, rel=1e-9)
    notes = [n for n in comp.baseline["traffic"].notes if n.startswith("unserved")]
    assert notes and all("no street of this mode within 400 m" in n for n in notes)
    # one warning per distinct text naming the scenes it concerns: the baseline and the closure
    # strand the same trips (one line), the 1.5 x demand more (its own line)
    unserved = [t for t in texts if "no path by any mode" in t]
    assert len(unserved) == 2 and all("no street of this mode within 400 m" in t for t in unserved), texts
    assert any("(baseline, what-if 'parvis')" in t for t in unserved) and any("(what-if 'more')" in t for t in unserved)


def test_samples_times_buildings_limit(folder, monkeypatch):
    monkeypatch.setenv("TWIN_MAX_BUILDING_SIMULATIONS", "100")
    doc = energy_doc({"fraction": 0.5})
    doc["uncertainty"] = {"samples": 10, "parameters": [{"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20, "sd": 1}]}
    with pytest.raises(ResourceLimitError, match="264 building simulations"):
        run_scenario(parse_scenario(doc), base_dir=folder)


def test_a_sample_breaking_a_rule_between_options_names_the_sample():
    from twin.scenario.runner import _options

    doc = {"name": "s", "inputs": {"files": ["x.geojson"]}, "domains": ["soil"], "soil": {"storm_hours": 1.0, "hours": 2.0}}
    scenario = parse_scenario(doc)
    with pytest.raises(Exception, match=r"Monte Carlo sample 3 \(soil.storm_hours = 5\)"):
        _options(scenario, "soil", {"soil.storm_hours": 5.0}, sample=3)
    assert _options(scenario, "soil", {"soil.storm_hours": 1.5}, sample=0).storm_hours == 1.5
