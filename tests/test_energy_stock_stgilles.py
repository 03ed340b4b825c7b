"""Renovation what-if on the Saint-Gilles stock (3 991 OSM footprints, Uccle weather)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import shared_path

pytestmark = pytest.mark.slow  # the whole district: scene, horizons, two simulations (~15-25 s)


@pytest.fixture(scope="module")
def whatif():
    from tests.energy_stock_helpers import scene_from_footprints
    from twin.energy.stock import what_if
    from twin.ingest.epw import read_epw

    scene = scene_from_footprints(shared_path("brussels", "stgilles_buildings_osm2013.geojson"))
    weather = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    return scene, what_if(scene, weather, ["wall_insulation", "roof_insulation"])


def test_every_affected_building_needs_less_heat(whatif):
    scene, wi = whatif
    c = wi.comparison
    assert len(c) == len(scene.buildings) - wi.baseline.excluded["building_id"].nunique()
    affected = c[c["affected"]]
    assert len(affected) >= 0.95 * len(c)
    assert (affected["q_heat_kwh_after"] < affected["q_heat_kwh_before"]).all()
    assert (affected["co2_kg_after"] < affected["co2_kg_before"]).all()
    assert (affected["investment_eur"] > 0).all() and np.isfinite(affected["simple_payback_yr"]).all()
    # buildings the measures did not touch are unchanged
    same = c[~c["affected"]]
    np.testing.assert_allclose(same["q_heat_kwh_after"], same["q_heat_kwh_before"], rtol=1e-12)


def test_table_shows_class_co2_cost_before_and_after(whatif):
    _, wi = whatif
    c = wi.comparison
    for col in ("energy_class", "co2_kg", "energy_cost_eur", "primary_energy_kwh_m2"):
        assert f"{col}_before" in c and f"{col}_after" in c
    assert {"investment_eur", "saving_eur_yr", "simple_payback_yr"} <= set(c.columns)
    assert c["energy_class_before"].isin(["A++", "A+", "A", "B", "C", "D", "E", "F", "G"]).all()
    order = {k: i for i, k in enumerate(["A++", "A+", "A", "B", "C", "D", "E", "F", "G"])}
    assert (c["energy_class_after"].map(order) <= c["energy_class_before"].map(order)).all()
    # the stock gets better overall: fewer buildings in E-G after insulation
    worst = ["E", "F", "G"]
    assert c["energy_class_after"].isin(worst).sum() < c["energy_class_before"].isin(worst).sum()


def test_provenance_and_shading(whatif):
    _, wi = whatif
    env = wi.baseline.envelope
    sources = [c for c in env.columns if c.endswith("_source")]
    assert len(sources) >= 25
    for c in sources:
        assert (env[c].astype(str).str.len() > 0).all(), c
    assert env["u_wall_w_m2k_source"].str.startswith("TABULA").all()
    assert (wi.variant.envelope["u_wall_w_m2k_source"] == "measure wall_insulation").mean() > 0.95
    # party walls are adiabatic: terraced houses have party area and less exterior wall
    th = env[env["tabula_code"].str.contains(".TH.")]
    assert (th["a_party_m2"] > 0).mean() > 0.9
    assert wi.baseline.results.per_building["q_heat_kwh"].notna().all()
    # urban shading from the horizon profiles: factors within [0, 1], facades in narrow
    # streets shaded (below 1), roofs unshaded
    from twin.energy.inputs import STANDARD_GROUPS

    shade = wi.baseline.shade_factor
    assert shade.shape == (len(env), len(STANDARD_GROUPS), 12)
    assert np.all((shade >= 0) & (shade <= 1))
    south = shade[:, STANDARD_GROUPS.index("win_s"), :]
    assert np.median(south[:, 11]) < 0.9  # December: low sun, deep street canyons
    assert np.all(shade[:, STANDARD_GROUPS.index("roof"), :] == 1.0)
