"""The storm method's Monte Carlo of the soil hydraulics (``soil.hydraulics_spread``,
twin/scenario/engines/soil_storm_samples.py): every sample draws the van Genuchten parameters of
each texture from the Carsel & Parrish (1988) spreads, the same draws for the baseline and the
what-ifs, so the soil water KPIs get bands instead of repeating the central run.

Small on purpose: the 100 m x 100 m site of tests/test_scenario_soil_engine.py (a car park and a
park on the default silt loam) at 10 m cells and a 6-hour storm.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_scenario_soil_engine import RICHARDS, desealed, small_scene
from twin.errors import ScenarioError
from twin.scenario.engines import soil
from twin.scenario.schema import parse_scenario

SEED = 11
N = 8
#: The site's soil taken as known (``soil.texture`` given): these tests are about the hydraulics
#: within a texture; the texture's own prior is tests/test_scenario_soil_texture_prior.py.
KNOWN = RICHARDS.model_copy(update={"texture": "Silt Loam"})
WATER = ("runoff_m3", "infiltration_m3", "storage_change_m3", "drainage_m3")


@pytest.fixture(scope="module")
def scenes():
    base = small_scene()
    what = desealed(base)
    central = (soil.run(base, RICHARDS, base_dir=None), soil.run(what, RICHARDS, base_dir=None, baseline_scene=base))
    return base, what, central


def _samples(scenes, spread: float = 1.0, n: int = N):
    base, what, _ = scenes
    opts = KNOWN.model_copy(update={"hydraulics_spread": spread})
    return soil.run_samples_paired(base, {"deseal": what}, [opts] * n, seed=SEED)


def _reference(scene, s: int, spread: float = 1.0, head_m: float = -1.0) -> dict[str, float]:
    """Sample ``s`` computed here: the scene's grid with every texture material drawn from the
    sample's normals, the design storm on every column (the district run without the engine)."""
    import dataclasses

    from twin.soil.block_bands import draw_normals, sampled_material
    from twin.soil.district import run_district
    from twin.soil.grid import build_grid
    from twin.soil.rain import block_rain

    grid = build_grid(scene, soil.grid_options(scene, RICHARDS.model_copy(update={"initial_head_m": head_m})))
    assert grid.options.initial_head_m == head_m
    z = draw_normals(N, SEED)[s]
    grid = dataclasses.replace(grid, materials=[sampled_material(m, z, spread) for m in grid.materials])
    rain = block_rain(RICHARDS.storm_mm, RICHARDS.storm_hours * 3600.0, end_s=RICHARDS.hours * 3600.0)
    tot = run_district(grid, rain, duration_s=RICHARDS.hours * 3600.0).totals_m3()
    return {k: tot[k.removesuffix("_m3")] for k in WATER}


def test_each_sample_is_the_district_run_with_that_samples_hydraulics(scenes):
    base_k, what_k, _, notes = _samples(scenes)
    assert len(base_k) == N and len(what_k["deseal"]) == N
    for s in (0, 3, N - 1):
        for got, scene in ((base_k[s], scenes[0]), (what_k["deseal"][s], scenes[1])):
            ref = _reference(scene, s)
            for k in WATER:
                assert got[k] == pytest.approx(ref[k], rel=1e-9, abs=1e-9), (s, k)
    assert any("paired samples of the soil hydraulics" in n and "Carsel & Parrish" in n for n in notes)


def test_the_samples_spread_and_every_one_closes_its_balance_and_sees_the_desealing(scenes):
    base_k, what_k, _, _ = _samples(scenes)
    central = scenes[2][0].kpis
    infil = np.array([k["infiltration_m3"] for k in base_k])
    assert np.ptp(infil) > 0.05 * central["infiltration_m3"]  # the band has a width
    assert (infil > 0).all()
    for b, w in zip(base_k, what_k["deseal"], strict=True):
        assert b["water_balance_error_rel"] < 1e-9 and w["water_balance_error_rel"] < 1e-9
        assert b["rain_m3"] == w["rain_m3"] == central["rain_m3"]  # the storm is not sampled
        # paired: the same soil under both, so opening the car park raises infiltration in every sample
        assert w["infiltration_m3"] > b["infiltration_m3"] and w["runoff_m3"] < b["runoff_m3"]


def test_a_smaller_spread_gives_a_narrower_band_and_zero_repeats_the_central_run(scenes):
    def width(spread):
        k = _samples(scenes, spread)[0]
        return np.ptp([x["infiltration_m3"] for x in k])

    assert 0 < width(0.5) < width(1.0)
    base_k, what_k, _, notes = _samples(scenes, 0.0)
    central_base, central_what = scenes[2][0].kpis, scenes[2][1].kpis
    for b, w in zip(base_k, what_k["deseal"], strict=True):
        for k in WATER:
            assert b[k] == central_base[k] and w[k] == central_what[k]
    assert not any("soil hydraulics" in n for n in notes)


def test_a_what_if_on_the_baselines_soil_grid_shares_its_samples(scenes):
    """A what-if whose soil grid is the baseline's (here: the baseline scene itself as a what-if)
    has the same samples, so zero change in every sample, and costs no district run of its own."""
    base, _, _ = scenes
    opts = KNOWN.model_copy(update={"hydraulics_spread": 1.0})
    base_k, what_k, _, notes = soil.run_samples_paired(base, {"same": base.copy()}, [opts] * N, seed=SEED)
    for b, w in zip(base_k, what_k["same"], strict=True):
        for k in WATER:
            assert w[k] == b[k]
    assert f"{N} district runs" in " ".join(notes)


def test_the_starting_head_is_an_option_and_each_samples_own(scenes):
    """``soil.initial_head_m``: a drier start takes in more of the storm; sampled with
    ``uncertainty.parameters``, each sample runs with its own head and its own hydraulics."""
    base, what, _ = scenes
    wet = soil.run(base, RICHARDS, base_dir=None).kpis
    dry = soil.run(base, RICHARDS.model_copy(update={"initial_head_m": -5.0}), base_dir=None).kpis
    assert dry["infiltration_m3"] > wet["infiltration_m3"] and dry["runoff_m3"] < wet["runoff_m3"]
    heads = [-1.0, -0.5, -3.0, -0.5]
    opts = [KNOWN.model_copy(update={"initial_head_m": h, "hydraulics_spread": 1.0}) for h in heads]
    base_k, what_k, _, _ = soil.run_samples_paired(base, {"deseal": what}, opts, seed=SEED)
    for s, h in enumerate(heads):
        for got, scene in ((base_k[s], base), (what_k["deseal"][s], what)):
            ref = _reference(scene, s, head_m=h)
            for k in WATER:
                assert got[k] == pytest.approx(ref[k], rel=1e-9, abs=1e-9), (s, h, k)


def test_the_option_is_checked():
    doc = {"name": "t", "inputs": {"files": ["a.geojson"]}, "domains": ["soil"]}
    for value in (-0.1, 3.5, float("nan")):
        with pytest.raises(ScenarioError) as info:
            parse_scenario({**doc, "soil": {"hydraulics_spread": value}})
        assert info.value.field == "soil.hydraulics_spread"
    for method in ("scs_cn", "year"):
        for option, value in (("hydraulics_spread", 0.5), ("initial_head_m", -2.0)):
            with pytest.raises(ScenarioError, match=f"{option} is an option of method: richards") as info:
                parse_scenario({**doc, "soil": {"method": method, option: value}})
            assert info.value.field == f"soil.{option}"
    for value in (0.0, 0.5, -101.0):
        with pytest.raises(ScenarioError) as info:
            parse_scenario({**doc, "soil": {"initial_head_m": value}})
        assert info.value.field == "soil.initial_head_m"
    sampled = parse_scenario({**doc, "uncertainty": {"samples": 4, "parameters": [
        {"name": "soil.initial_head_m", "dist": "uniform", "low": -3.0, "high": -0.5}]}})
    assert sampled.uncertainty.parameters[0].name == "soil.initial_head_m"


def test_the_report_names_the_sampled_hydraulics_and_the_soil_water_gets_a_band():
    from tests.test_scenario_soil_heat import _run, _scenario
    from twin.scenario.report import render_html

    data = _scenario()
    data["soil"].pop("hydraulics_spread")  # the default: sampled
    comparison = _run(data)
    k = comparison.kpis
    runoff = k[(k["whatif"] == "wood") & (k["kpi"] == "runoff_m3")].iloc[0]
    assert runoff["delta_p_lo"] < runoff["delta_p_hi"] <= 0  # planting the square lowers the runoff in every sample
    assert runoff["baseline_p_lo"] < runoff["baseline_p_hi"]
    page = render_html(comparison)
    assert "the soil&#x27;s hydraulics within its texture class" in page or "the soil's hydraulics within its texture class" in page
    assert "Nothing sampled reaches the soil engine" not in page


def test_a_spread_without_samples_changes_nothing_and_says_so():
    from twin.errors import NoEffectError
    from twin.scenario.checks import check_scenario

    doc = {"name": "t", "inputs": {"files": ["a.geojson"]}, "domains": ["soil"], "soil": {"hydraulics_spread": 0.5}}
    with pytest.raises(NoEffectError, match="uncertainty.samples is 0") as info:
        check_scenario(parse_scenario(doc))
    assert info.value.field == "soil.hydraulics_spread"
    check_scenario(parse_scenario({**doc, "uncertainty": {"samples": 3}}))  # with samples it acts
