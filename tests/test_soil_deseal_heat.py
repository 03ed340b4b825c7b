"""De-sealing what-if on Saint-Gilles: change of the ground surface temperature on the three
hottest days of the Uccle weather year, with bands (twin/soil/deseal_heat.py), and its report
section (twin/scenario/report_soil_heat.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twin.errors import InputError, NoEffectError

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data_samples"
EPW = DATA / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
FILES = [DATA / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover")]
MORICHAR = "Place Louis Morichar - Louis Moricharplein"


@pytest.fixture(scope="module")
def scenes():
    """The baseline and the what-if of scenarios/stgilles_soil_year.yaml (Morichar planted as a
    wood, car parks de-sealed to 10 % and planted), and the soil engine's grid options at 10 m."""
    from twin.ingest import ingest
    from twin.scenario.modifications import apply
    from twin.scenario.schema import Deseal, Selector
    from twin.soil.grid import GridOptions

    scene, _ = ingest(FILES)
    what = scene.copy()
    rng = np.random.default_rng(0)
    apply(what, Deseal(op="deseal", select=Selector(where={"name": MORICHAR}), sealed_fraction=0.0, cover_class="wood"),
          index=0, rng=rng, base_dir=None)
    apply(what, Deseal(op="deseal", select=Selector(where={"cover_class": "parking"}), sealed_fraction=0.1, cover_class="park"),
          index=1, rng=rng, base_dir=None)
    return scene, what, GridOptions(cell_size_m=10.0)


@pytest.fixture(scope="module")
def grids(scenes):
    from twin.ingest.epw import read_epw
    from twin.soil.grid import build_grid

    scene, what, opts = scenes
    return build_grid(scene, opts), build_grid(what, opts), read_epw(EPW)


@pytest.fixture(scope="module")
def result(grids):
    from twin.soil.deseal_heat import deseal_heat

    base, what, weather = grids
    return deseal_heat(base, {"deseal": what}, weather, samples=8, seed=3)


def test_the_three_hottest_days_are_those_of_the_weather_file(grids, result):
    _, _, weather = grids
    t = weather.data["dry_bulb_c"].to_numpy()
    days = t[: len(t) // 24 * 24].reshape(-1, 24).max(axis=1)
    top = np.sort(days)[-3:]
    got = [days[int(np.flatnonzero(weather.data.index.astype(str) == d)[0]) // 24] for d in result.days]
    assert sorted(got) == pytest.approx(sorted(top))


def test_desealing_cools_the_changed_cells_on_hot_days(result):
    k = result.kpis["deseal"]
    cov = result.cover_midday_c
    # the mean over the ground whose cover changed, not over whole cells: every changed share of
    # this what-if is sealed ground (asphalt) turned open ground of a class on lawn, so the change
    # is the full asphalt-to-lawn difference (before, the unchanged parts of the cells diluted it)
    assert k["surface_temp_change_midday_c"] == pytest.approx(cov["lawn"] - cov["asphalt"], rel=1e-9)
    assert k["surface_temp_change_midday_c"] < -0.5
    assert k["surface_temp_change_daily_max_c"] < -0.5
    assert k["district_surface_temp_change_midday_c"] < 0
    assert abs(k["district_surface_temp_change_midday_c"]) < abs(k["surface_temp_change_midday_c"])
    assert k["changed_area_m2"] > 5000.0
    lo, hi = result.bands["deseal"]["surface_temp_change_midday_c"]
    assert lo <= hi < 0
    assert np.all(result.samples["deseal"]["surface_temp_change_midday_c"] < 0)


def test_cell_change_is_the_area_weighted_change_of_cover_temperatures(grids, result):
    """Mid-day means are linear in the cover fractions: a cell's change equals the sum of its
    fraction changes times the covers' central mid-day temperatures, over its ground-level area."""
    from twin.soil.deseal_heat import cover_fractions

    base, what, _ = grids
    fb, fw = cover_fractions(base), cover_fractions(what)
    covers = set(fb) | set(fw)
    total = sum(fb.values())
    expect = sum((fw.get(c, 0.0) - fb.get(c, 0.0)) * result.cover_midday_c.get(c, 0.0) for c in covers)
    with np.errstate(invalid="ignore", divide="ignore"):
        expect = np.where(total > 0, expect / total, 0.0)
    np.testing.assert_allclose(result.cell_change_midday_c["deseal"].ravel(), expect, atol=1e-9)


def test_samples_are_paired_and_reproducible(grids):
    from twin.soil.deseal_heat import deseal_heat

    base, what, weather = grids
    a = deseal_heat(base, {"deseal": what}, weather, samples=2, seed=5)
    b = deseal_heat(base, {"deseal": what}, weather, samples=2, seed=5)
    np.testing.assert_array_equal(a.samples["deseal"]["surface_temp_change_midday_c"], b.samples["deseal"]["surface_temp_change_midday_c"])


def test_a_what_if_that_changes_no_cover_is_refused(grids):
    from twin.soil.deseal_heat import deseal_heat

    base, _, weather = grids
    with pytest.raises(NoEffectError, match="changes no cell"):
        deseal_heat(base, {"same": base}, weather, samples=0)
    with pytest.raises(InputError, match="samples"):
        deseal_heat(base, {"same": base}, weather, samples=-1)


def test_report_section_shows_changes_and_bands(result):
    from twin.scenario.report_soil_heat import soil_heat_lines, soil_heat_section

    page = soil_heat_section(result)
    assert page.startswith("<section id='soil-heat'>") and "deseal" in page
    k = result.kpis["deseal"]["surface_temp_change_midday_c"]
    assert f"{k:+.2f}" in page
    lo, hi = result.bands["deseal"]["surface_temp_change_midday_c"]
    assert f"{lo:+.2f} to {hi:+.2f}" in page
    lines = soil_heat_lines(result)
    assert any("surface temperature at 11-16 h, ground whose cover changed" in line and f"{k:+.2f}" in line for line in lines)
    assert soil_heat_section(None) == "" and soil_heat_lines(None) == []


def test_scenes_entry_point_builds_the_same_grids(scenes, grids, result):
    from twin.soil.deseal_heat import deseal_heat_scenes

    scene, what, opts = scenes
    _, _, weather = grids
    got = deseal_heat_scenes(scene, {"deseal": what, "unchanged": scene}, weather, opts, samples=0)
    assert set(got.kpis) == {"deseal"}
    assert got.kpis["deseal"] == result.kpis["deseal"]
