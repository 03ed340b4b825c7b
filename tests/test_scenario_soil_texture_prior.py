"""The texture of the ground without a soil polygon as a prior (``soil.texture``,
``soil.texture_shares``, twin/scenario/engines/soil_texture_prior.py): with ``richards`` and
Monte Carlo samples, each sample draws one texture for the district's unmapped ground, the same
for the baseline and the what-ifs, and its hydraulics around that texture's class means.

The site is the 100 m x 100 m one of tests/test_scenario_soil_engine.py at 10 m cells.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from tests.test_scenario_soil_engine import RICHARDS, SCS, desealed, small_scene
from twin.errors import NoEffectError, ScenarioError
from twin.scenario.engines import soil
from twin.scenario.engines.soil_texture_prior import TexturePrior, central_texture, packaged_prior, parse_shares, texture_prior
from twin.scenario.schema import parse_scenario

SEED = 5
N = 12
WATER = ("runoff_m3", "infiltration_m3", "storage_change_m3", "drainage_m3")


@pytest.fixture(scope="module")
def scenes():
    base = small_scene()
    return base, desealed(base)


def _reference(scene, texture: str, s: int, spread: float) -> dict[str, float]:
    """Sample ``s`` computed here: the grid built with ``texture`` on the unmapped ground, every
    texture material drawn from the sample's normals, the design storm on every column."""
    from twin.soil.block_bands import draw_normals, sampled_material
    from twin.soil.district import run_district
    from twin.soil.grid import GridOptions, build_grid
    from twin.soil.rain import block_rain

    gopts = soil.grid_options(scene, RICHARDS)
    grid = build_grid(scene, GridOptions(**{**gopts.model_dump(), "texture": texture}))
    z = draw_normals(N, SEED)[s]
    grid = dataclasses.replace(grid, materials=[sampled_material(m, z, spread) for m in grid.materials])
    rain = block_rain(RICHARDS.storm_mm, RICHARDS.storm_hours * 3600.0, end_s=RICHARDS.hours * 3600.0)
    tot = run_district(grid, rain, duration_s=RICHARDS.hours * 3600.0).totals_m3()
    return {k: tot[k.removesuffix("_m3")] for k in WATER}


def test_the_packaged_prior_is_read_checked_and_its_mode_is_the_former_default():
    prior = packaged_prior()
    assert abs(sum(prior.shares.values()) - 1.0) < 1e-12 and all(v > 0 for v in prior.shares.values())
    assert prior.mode == "Silt Loam" and "assumption" in prior.basis.lower()
    # the central run is unchanged: texture left out = the mode = the grid's former default
    assert central_texture(RICHARDS) == "Silt Loam"
    assert soil.grid_options(small_scene(), RICHARDS).texture == "Silt Loam"
    assert texture_prior(RICHARDS) == prior
    assert texture_prior(RICHARDS.model_copy(update={"texture": "Loam"})) is None  # given: known
    assert texture_prior(RICHARDS.model_copy(update={"method": "year"})) is None
    assert texture_prior(SCS) == prior


def test_draws_follow_the_shares_and_depend_on_the_seed_alone():
    prior = TexturePrior({"Silt Loam": 0.5, "Loam": 0.3, "Sand": 0.2}, "", "")
    n = 20000
    drawn = prior.draw(n, 3)
    for name, p in prior.shares.items():
        share = drawn.count(name) / n
        assert abs(share - p) < 4.0 * np.sqrt(p * (1 - p) / n), name  # 4 standard errors
    assert prior.draw(50, 3) == drawn[:50] and prior.draw(50, 4) != drawn[:50]


def test_each_sample_is_the_district_run_with_its_texture_and_its_hydraulics(scenes):
    base, what = scenes
    prior = packaged_prior()
    textures = prior.draw(N, SEED)
    assert len(set(textures)) >= 2  # the seed draws more than one texture in N samples
    base_k, what_k, _, notes = soil.run_samples_paired(base, {"deseal": what}, [RICHARDS] * N, seed=SEED)
    for s in range(N):
        for got, scene in ((base_k[s], base), (what_k["deseal"][s], what)):
            ref = _reference(scene, textures[s], s, 1.0)
            for k in WATER:
                assert got[k] == pytest.approx(ref[k], rel=1e-9, abs=1e-9), (s, textures[s], k)
        # paired: the same soil under both, so opening the car park raises infiltration in every sample
        assert what_k["deseal"][s]["infiltration_m3"] > base_k[s]["infiltration_m3"]
    text = " ".join(notes)
    assert "texture of the ground without a soil polygon drawn per sample" in text and "soil_texture_prior.yaml" in text


def test_without_hydraulics_spread_each_sample_is_its_textures_class_means(scenes):
    base, what = scenes
    shares = {"Silt Loam": 0.5, "Sandy Loam": 0.5}
    opts = RICHARDS.model_copy(update={"hydraulics_spread": 0.0, "texture_shares": shares})
    textures = TexturePrior(shares, "", "").draw(N, SEED)
    assert set(textures) == set(shares)
    base_k, _, _, _ = soil.run_samples_paired(base, {"deseal": what}, [opts] * N, seed=SEED)
    central = soil.run(base, RICHARDS, base_dir=None).kpis
    for s, t in enumerate(textures):
        ref = _reference(base, t, s, 0.0)
        for k in WATER:
            assert base_k[s][k] == pytest.approx(ref[k], rel=1e-9, abs=1e-9)
        if t == "Silt Loam":
            assert base_k[s]["infiltration_m3"] == pytest.approx(central["infiltration_m3"], rel=1e-12)
    infil = {t: base_k[s]["infiltration_m3"] for s, t in enumerate(textures)}
    assert infil["Sandy Loam"] > infil["Silt Loam"]  # the coarser soil takes in more of the storm


def test_a_given_texture_is_known_and_soil_polygons_keep_theirs(scenes):
    base, what = scenes
    # texture given, no shares: every sample on that texture (only the hydraulics drawn)
    loam = RICHARDS.model_copy(update={"texture": "Loam"})
    base_k, _, _, notes = soil.run_samples_paired(base, {"deseal": what}, [loam] * 4, seed=SEED)
    for s in range(4):
        assert base_k[s]["infiltration_m3"] == pytest.approx(_reference(base, "Loam", s, 1.0)["infiltration_m3"], rel=1e-9)
    assert "texture of the ground without a soil polygon" not in " ".join(notes)
    # a soil polygon over the whole site: the drawn texture has no cell to go to
    mapped = base.copy()
    mapped.add("soil", gpd.GeoDataFrame({"soil_id": ["s"], "texture": ["Clay Loam"]}, geometry=[box(-10, -10, 110, 110)], crs="EPSG:31370"))
    known = RICHARDS.model_copy(update={"texture": "Clay Loam"})
    drawn_k, _, _, _ = soil.run_samples_paired(mapped, {}, [RICHARDS] * 4, seed=SEED)
    known_k, _, _, _ = soil.run_samples_paired(mapped, {}, [known] * 4, seed=SEED)
    for a, b in zip(drawn_k, known_k, strict=True):
        for k in WATER:
            assert a[k] == pytest.approx(b[k], rel=1e-12, abs=1e-12)


def test_bad_options_are_one_clear_error():
    doc = {"name": "t", "inputs": {"files": ["a.geojson"]}, "domains": ["soil"], "uncertainty": {"samples": 3}}
    cases = [({"texture": "Loess"}, "soil.texture", "unknown soil texture 'Loess'"),
             ({"texture_shares": {"Silt Loam": 0.6, "Loess": 0.4}}, "soil.texture_shares", "texture_shares.Loess: unknown soil texture"),
             ({"texture_shares": {"Silt Loam": 0.6, "Loam": 0.3}}, "soil.texture_shares", "sum to 0.9, not 1"),
             ({"texture_shares": {"Silt Loam": 1.2, "Loam": -0.2}}, "soil.texture_shares", "finite number >= 0"),
             ({"texture_shares": {"Silt Loam": float("nan"), "Loam": 1.0}}, "soil.texture_shares", "finite number >= 0"),
             ({"texture_shares": {"silt loam": 0.5, "Silt_Loam": 0.5}}, "soil.texture_shares", "given twice"),
             ({"method": "year", "texture_shares": {"Loam": 1.0}}, "soil.texture_shares", "texture_shares is an option of the storm methods")]
    for soil_section, field, text in cases:
        with pytest.raises(ScenarioError, match=text) as info:
            parse_scenario({**doc, "soil": soil_section})
        assert info.value.field == field, soil_section
    assert parse_scenario({**doc, "soil": {"texture": "silt_loam"}}).soil.texture == "Silt Loam"  # spelled like the table
    with pytest.raises(ValueError, match="mapping"):
        parse_shares([0.5, 0.5])


def test_shares_without_samples_change_nothing_and_say_so():
    from twin.scenario.checks import check_scenario, sampled_domains, soil_texture_sampled

    doc = {"name": "t", "inputs": {"files": ["a.geojson"]}, "domains": ["soil"], "soil": {"texture_shares": {"Loam": 1.0}}}
    with pytest.raises(NoEffectError, match="uncertainty.samples is 0") as info:
        check_scenario(parse_scenario(doc))
    assert info.value.field == "soil.texture_shares"
    # the texture alone makes the soil sampled (hydraulics_spread 0, texture left out)
    only_texture = parse_scenario({**doc, "soil": {"hydraulics_spread": 0.0}, "uncertainty": {"samples": 3, "priors": False}})
    assert sampled_domains(only_texture) == {"soil"} and soil_texture_sampled(only_texture)
    with pytest.raises(ScenarioError, match="no parameters to sample"):
        parse_scenario({**doc, "soil": {"hydraulics_spread": 0.0, "texture": "Loam"}, "uncertainty": {"samples": 3, "priors": False}})


def test_the_report_names_the_sampled_texture():
    from tests.test_scenario_soil_heat import _run, _scenario
    from twin.scenario.report import render_html

    data = _scenario()
    data["soil"].pop("texture")  # the default: the texture is a prior
    comparison = _run(data)
    page = render_html(comparison)
    assert "the texture of the ground without a soil polygon (one per sample, from <code>twin/data/soil_texture_prior.yaml</code>" in page
    assert "hydraulics within its texture class" not in page  # hydraulics_spread 0: not named
    k = comparison.kpis
    infil = k[(k["whatif"] == "wood") & (k["kpi"] == "infiltration_m3")].iloc[0]
    assert infil["baseline_p_lo"] < infil["baseline_p_hi"]  # the texture alone gives the soil water a band


def test_the_scs_screening_takes_each_samples_texture_group(scenes):
    """``scs_cn``: each sample is the screening with the sample's texture (its hydrologic soil
    group's open-space curve number); one screening per scene and distinct texture."""
    base, what = scenes
    textures = packaged_prior().draw(N, SEED)
    base_k, what_k, _, notes = soil.run_samples_paired(base, {"deseal": what}, [SCS] * N, seed=SEED)
    by_texture = {t: soil.run(base, SCS.model_copy(update={"texture": t}), base_dir=None).kpis for t in set(textures)}
    for s, t in enumerate(textures):
        assert base_k[s]["runoff_m3"] == by_texture[t]["runoff_m3"]
        assert what_k["deseal"][s]["runoff_m3"] < base_k[s]["runoff_m3"]
    runoff = {t: k["runoff_m3"] for t, k in by_texture.items()}
    if {"Sandy Loam", "Silt Loam"} <= set(runoff):
        assert runoff["Sandy Loam"] < runoff["Silt Loam"]  # group A sheds less than B
    assert len({round(k["runoff_m3"], 9) for k in base_k}) >= 2  # the band has a width
    assert "texture of the ground without a soil polygon" in " ".join(notes)
    # the texture given: the deterministic screening in every sample
    known = SCS.model_copy(update={"texture": "Silt Loam"})
    fixed, _, _, notes = soil.run_samples_paired(base, {"deseal": what}, [known] * 4, seed=SEED)
    assert len({k["runoff_m3"] for k in fixed}) == 1 and not notes
