"""The stock prior table and its Monte Carlo draws (:mod:`twin.energy.priors`,
:mod:`twin.energy.stock_samples`, :mod:`twin.energy.sampled`).

* The packaged table: every entry has a source; a user's mapping merges onto it; a bad entry is
  refused naming its key path.
* Draws: reproducible from the seed; each entry has its own stream (switching one off changes
  no other draw); truncation holds (storeys, heights, setpoints, air change) and the truncated
  normal follows scipy's ``truncnorm``; the district mix spreads as the Dirichlet's closed form.
* Within a building one period drives every U-value (the sampled rows are TABULA rows), and
  one storey height ties storeys to height.
* Geometry: the party wall above a lower neighbour, by hand; the sampled facades at the central
  heights are the central model's.
* With every prior off the batch of samples gives the central run's totals.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from tests.scenario_helpers import BOX_100M, EPW, write_small_district
from twin.energy.priors import ENTRIES, describe, load_priors, packaged_table, parse_priors
from twin.energy.stock_samples import draw_stock_samples, truncated_normal_ppf, two_level_normal
from twin.errors import SchemaError

OFF = {e: {"enabled": False} for e in ENTRIES}


@pytest.fixture(scope="module")
def small_scene(tmp_path_factory):
    """About 30 footprints of Saint-Gilles (every attribute defaulted or inferred) and the weather."""
    from twin.ingest import ingest

    folder = tmp_path_factory.mktemp("priors")
    path = write_small_district(folder, BOX_100M)
    scene, _ = ingest([path, EPW])
    return scene


def fake_scene(n: int = 400, *, use_source: str = "default", year_source: str = "default", size_source: str = "default"):
    """A buildings table with sources, enough for the draws (no geometry needed)."""
    rng = np.random.default_rng(0)
    area = rng.uniform(40.0, 300.0, n)
    b = pd.DataFrame({
        "building_id": [f"b{i}" for i in range(n)],
        "source_format": "geojson",
        "use": "residential",
        "construction_year": np.where(year_source in ("data", "user"), 1960.0, np.nan),
        "n_storeys": 3,
        "height_m": 9.0,
        "footprint_area_m2": area,
        "floor_area_m2": area * 3,
        "use_source": use_source,
        "height_m_source": size_source,
        "n_storeys_source": size_source,
        "construction_year_source": year_source,
    })
    return SimpleNamespace(buildings=b)


# --------------------------------------------------------------------------- the table


def test_packaged_table_every_entry_has_a_source():
    priors = load_priors()
    assert priors.enabled() == list(ENTRIES)
    rows = describe(priors)
    assert [r["entry"] for r in rows] == list(ENTRIES)
    for r in rows:
        assert len(r["basis"]) > 40, r
    # the Brussels sources named in the issue are cited
    text = " ".join(r["basis"] for r in rows)
    for source in ("Statbel", "Census 2011", "SPF Economie"):
        assert source in text
    assert abs(priors.construction_period.shares.sum() - 1.0) < 1e-12
    # the period shares reproduce the cited figures: 40 + 28 % before 1946 of which 40 % before 1919 ...
    assert priors.construction_period.shares[0] == pytest.approx(0.68)
    assert priors.construction_period.shares[:2].sum() == pytest.approx(0.89)  # before 1971, 84 % before 1962 + 1962-70


def test_a_user_mapping_merges_onto_the_table():
    p = load_priors({"construction_period": {"shares": [1, 0, 0, 0, 0, 0], "concentration": None}, "air_change": {"enabled": False}})
    assert p.construction_period.shares.tolist() == [1, 0, 0, 0, 0, 0] and p.construction_period.concentration is None
    assert p.construction_period.keep_inferred == packaged_table()["construction_period"]["keep_inferred"]  # untouched keys stay
    assert p.air_change is None and p.use is not None
    assert p.source == "packaged + scenario"


def test_a_prior_file_replaces_entries(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("heating_system:\n  shares: [0, 0, 0, 0, 1]\n  basis: every building has a heat pump (a test)\n")
    p = load_priors(path)
    assert p.heating_system.shares.tolist() == [0, 0, 0, 0, 1] and p.source == str(path)


@pytest.mark.parametrize("update, field, text", [
    ({"foo": {}}, "foo", "unknown prior entry"),
    ({"use": {"shares": [0.5, 0.5]}}, "use.shares", "list of 7 numbers"),
    ({"use": {"shares": [0.9, 0.2, 0, 0, -0.1, 0, 0]}}, "use.shares", ">= 0"),
    ({"use": {"shares": [0.5, 0.2, 0.1, 0.1, 0.0, 0, 0]}}, "use.shares", "add up to 0.9"),
    ({"use": {"categories": ["residential", "castle", "office", "industrial", "ancillary", "public", "other"]}}, "use.categories",
     "unknown use class 'castle'"),
    ({"use": {"by_footprint": [{"max_area_m2": 500, "shares": [1, 0, 0, 0, 0, 0, 0]}]}}, "use.by_footprint.0.max_area_m2", "null"),
    ({"use": {"by_footprint": [{"max_area_m2": 500, "shares": [1, 0, 0, 0, 0, 0, 0]}, {"max_area_m2": 100, "shares": [1, 0, 0, 0, 0, 0, 0]},
                               {"max_area_m2": None, "shares": [1, 0, 0, 0, 0, 0, 0]}]}}, "use.by_footprint.1.max_area_m2", "go up"),
    ({"heating_system": {"categories": ["gas_boiler", "coal", "oil_boiler", "electric_direct", "heat_pump"]}}, "heating_system.categories", "unknown heating system"),
    ({"construction_period": {"categories": [1, 2, 3, 4, 5, 9]}}, "construction_period.categories", "TABULA period"),
    ({"storeys": {"min": 5, "max": 2}}, "storeys.max", "min <= max"),
    ({"storeys": {"offsets": [-1, 0.5, 1, 2, 3]}}, "storeys.offsets", "whole numbers"),
    ({"storey_height_m": {"by_use": {"residential": {"low": 3.5, "mode": 3.0, "high": 3.6}}}}, "storey_height_m.by_use.residential", "low <= mode <= high"),
    ({"heating_setpoint_c": {"sd_common_k": float("nan")}}, "heating_setpoint_c.sd_common_k", "finite number"),
    ({"air_change": {"low": 2.0}}, "air_change.low", "outside"),
    ({"window": {"groups": [{"min_typology_u": 4.5, "states": [{"name": "x", "u": 1.0, "share": 1.0}]}]}}, "window.groups.0.states.0.u", "both u and g"),
    ({"use": {"basis": ""}}, "use.basis", "give the basis"),
    ({"use": {"colour": "red"}}, "use.colour", "unknown key"),
])
def test_a_bad_prior_names_its_key(update, field, text):
    with pytest.raises(SchemaError) as err:
        load_priors(update)
    assert err.value.field == field and text in err.value.message, (err.value.field, err.value.message)


# --------------------------------------------------------------------------- the draws


def test_draws_are_reproducible_and_each_entry_has_its_own_stream():
    scene = fake_scene()
    a = draw_stock_samples(scene, load_priors(), 20, 7)
    b = draw_stock_samples(scene, load_priors(), 20, 7)
    for name in ("use", "n_storeys", "height_m", "floor_area_m2", "period", "system", "air_factor", "setpoint_u_building"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    c = draw_stock_samples(scene, load_priors(), 20, 8)
    assert not np.array_equal(a.period, c.period) and not np.array_equal(a.height_m, c.height_m)
    # the heating system switched off: no other draw moves
    d = draw_stock_samples(scene, load_priors({"heating_system": {"enabled": False}}), 20, 7)
    assert d.system is None
    for name in ("use", "n_storeys", "height_m", "period", "air_factor", "setpoint_u_building"):
        np.testing.assert_array_equal(getattr(a, name), getattr(d, name))


def test_values_from_data_are_not_sampled():
    scene = fake_scene(use_source="data", year_source="data", size_source="data")
    s = draw_stock_samples(scene, load_priors(), 10, 1)
    assert not any(v.any() for v in s.sampled.values())
    assert (s.use == "residential").all() and (s.n_storeys == 3).all() and (s.height_m == 9.0).all()
    assert (s.period == 2).all()  # 1960: TABULA class 02 in every sample


def test_storeys_and_height_are_truncated_and_tied():
    p = load_priors()
    s = draw_stock_samples(fake_scene(3000), p, 40, 3)
    assert s.n_storeys.min() >= p.storeys.min and s.n_storeys.max() <= p.storeys.max
    assert set(np.unique(s.n_storeys - 3)) <= set(p.storeys.offsets.tolist())  # around the central 3 storeys
    storey_h = s.height_m / s.n_storeys
    for use in np.unique(s.use):
        t = p.storey_height_m.of(use)
        h = storey_h[s.use == use]
        assert h.min() >= t.low - 1e-9 and h.max() <= t.high + 1e-9, use
    res = s.use == "residential"
    t = p.storey_height_m.of("residential")
    # one storey height per building: the floor-to-floor heights follow the triangular distribution
    assert stats.kstest(storey_h[res][:5000], stats.triang((t.mode - t.low) / (t.high - t.low), loc=t.low, scale=t.high - t.low).cdf).pvalue > 1e-3
    np.testing.assert_allclose(s.floor_area_m2, s.n_storeys * fake_scene(3000).buildings["footprint_area_m2"].to_numpy()[None, :])


def test_known_height_gives_the_storeys():
    scene = fake_scene(200)
    b = scene.buildings
    b["height_m"] = 16.0
    b["height_m_source"] = "data"
    s = draw_stock_samples(scene, load_priors(), 30, 2)
    assert (s.height_m == 16.0).all()
    for use in np.unique(s.use):  # storeys = round(height / storey height of the (sampled) use)
        t = load_priors().storey_height_m.of(use)
        n = s.n_storeys[s.use == use]
        assert n.min() >= math.floor(16.0 / t.high) and n.max() <= math.ceil(16.0 / t.low), use


@pytest.mark.parametrize("sd, lo, hi", [(1.0, -5.0, 4.0), (1.5, -0.5, 3.0), (2.0, 0.0, 0.7)])
def test_truncated_normal_follows_scipy(sd, lo, hi):
    u = np.random.default_rng(5).random(20_000)
    x = truncated_normal_ppf(u, sd, lo, hi)
    assert x.min() >= lo and x.max() <= hi
    ref = stats.truncnorm(lo / sd, hi / sd, scale=sd)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-3
    assert abs(x.mean() - ref.mean()) < 4 * ref.std() / math.sqrt(len(x))


def test_setpoints_and_air_change_stay_within_their_bounds():
    p = load_priors()
    s = draw_stock_samples(fake_scene(2000), p, 50, 9)
    assert s.air_factor.min() >= p.air_change.low and s.air_factor.max() <= p.air_change.high
    for base in (20.0, 6.0, 29.0):
        off = s.setpoint_offset_k(np.full(50, base))
        theta = base + off
        assert off.min() >= p.heating_setpoint_c.low - 1e-12 and off.max() <= p.heating_setpoint_c.high + 1e-12
        assert theta.min() >= 5.0 - 1e-12 and theta.max() <= 30.0 + 1e-12
    # common + building: the spread of the district means is the common sd, within sampling error
    off = s.setpoint_offset_k(np.full(50, 20.0))
    means = off.mean(axis=1)
    assert np.std(means, ddof=1) == pytest.approx(p.heating_setpoint_c.sd_common, rel=0.35)
    assert np.std(off - means[:, None]) == pytest.approx(p.heating_setpoint_c.sd_building, rel=0.1)


def test_two_level_normal_keeps_each_building_within_its_own_bounds():
    rng = np.random.default_rng(1)
    lo = np.linspace(-3.0, -0.1, 200)[None, :]
    x = two_level_normal(rng.random(30), rng.random((30, 200)), 1.0, 1.0, -5.0, 4.0, lo, 4.0)
    assert (x >= lo - 1e-12).all() and (x <= 4.0).all()


def test_the_district_mix_spreads_like_its_dirichlet():
    """Share of the oldest period among 4000 buildings across samples: with the concentration c,
    sd = sqrt(p (1 - p) / (c + 1)) (plus the binomial part); with a fixed mix only the binomial part."""
    n_b, n_s = 4000, 400
    for c in (6.0, 30.0, None):
        pr = load_priors({"construction_period": {"concentration": c}})
        s = draw_stock_samples(fake_scene(n_b), pr, n_s, 11)
        share = (s.period == 1).mean(axis=1)
        p = pr.construction_period.shares[0]
        var = p * (1 - p) / n_b + (0.0 if c is None else p * (1 - p) / (c + 1) * (1 - 1 / n_b))
        sd = np.std(share, ddof=1)
        # the sample sd of 400 draws is within 15 % of the true one (chi-square, far beyond 5 sigma)
        assert sd == pytest.approx(math.sqrt(var), rel=0.15), (c, sd, math.sqrt(var))
        assert share.mean() == pytest.approx(p, abs=4 * math.sqrt(var / n_s))


def test_rows_share_their_storey_draws(small_scene):
    """Buildings joined by party walls take the row's storey offset and storey height for a share
    ``row_share`` of them: neighbours' heights differ less than drawn independently."""
    from twin.energy.sampled import facade_geometry
    from twin.energy.stock_samples import rows_of

    rows = rows_of(small_scene)
    geo = facade_geometry(small_scene)
    assert (rows[geo.pair_a] == rows[geo.pair_b]).all()  # party-wall neighbours are in one row
    diffs = {}
    for share in (0.0, 0.7, 1.0):
        pr = load_priors({"storeys": {"row_share": share}, "storey_height_m": {"row_share": share}, "use": {"enabled": False}})
        s = draw_stock_samples(small_scene, pr, 200, 4)
        diffs[share] = np.abs(s.height_m[:, geo.pair_a] - s.height_m[:, geo.pair_b]).mean()
    assert diffs[1.0] < diffs[0.7] < diffs[0.0]


def test_use_follows_the_footprint_band():
    """Large untagged footprints are mostly not dwellings (the measured Brussels shares), small ones mostly are."""
    scene = fake_scene(3000)
    scene.buildings["footprint_area_m2"] = np.where(np.arange(3000) % 2 == 0, 100.0, 2000.0)
    pr = load_priors({"use": {"concentration": None}})
    s = draw_stock_samples(scene, pr, 30, 6)
    small = scene.buildings["footprint_area_m2"].to_numpy() < 1000
    res_small = (s.use[:, small] == "residential").mean()
    res_large = (s.use[:, ~small] == "residential").mean()
    assert res_small == pytest.approx(pr.use.bands[0][1][0], abs=0.01)
    assert res_large == pytest.approx(pr.use.bands[1][1][0], abs=0.01)
    assert (s.use[:, small] != "public").all()  # no share of 'public' under 1000 m2


def test_inferred_values_are_kept_with_their_probability():
    scene = fake_scene(3000, year_source="inferred")
    scene.buildings["construction_year"] = 1985.0  # inferred: TABULA class 03
    pr = load_priors({"construction_period": {"keep_inferred": 0.7}})
    s = draw_stock_samples(scene, pr, 40, 4)
    kept = (s.period == 3).mean()
    p3 = pr.construction_period.shares[2]
    # kept 70 % of the time; otherwise drawn, and the draw is class 03 with the mix's share
    assert kept == pytest.approx(0.7 + 0.3 * p3, abs=0.03)


# --------------------------------------------------------------------------- geometry and the envelope


def test_party_wall_above_a_lower_neighbour_is_exterior():
    """Two 10 m x 10 m boxes sharing a 10 m wall, 6 m and 9 m tall: the taller one's wall above
    the lower roof (10 m x 3 m) faces out; swap the heights and it is the other's."""
    from twin.energy.sampled import exterior_areas, facade_geometry
    from twin.scene import Scene

    scene = Scene(crs="EPSG:31370")
    b = gpd.GeoDataFrame({"building_id": ["a", "b"], "height_m": [6.0, 9.0], "n_storeys": [2, 3], "use": "residential",
                          "footprint_area_m2": 100.0, "floor_area_m2": [200.0, 300.0], "source_format": "geojson"},
                         geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs="EPSG:31370")
    scene.add("buildings", b)
    geo = facade_geometry(scene)
    areas = exterior_areas(geo, np.array([[6.0, 9.0], [9.0, 6.0], [6.0, 6.0]]))
    # a: north, south, west exposed (30 m x h); b: north, south, east
    np.testing.assert_allclose(areas[0].sum(axis=1), [30 * 6.0, 30 * 9.0 + 10 * 3.0])
    np.testing.assert_allclose(areas[1].sum(axis=1), [30 * 9.0 + 10 * 3.0, 30 * 6.0])
    np.testing.assert_allclose(areas[2].sum(axis=1), [30 * 6.0, 30 * 6.0])
    # the exposed part of b's party wall faces west (the shared edge's orientation)
    assert areas[0][1][3] == pytest.approx(10 * 3.0)


def test_sampled_facades_at_the_central_heights_are_the_central_model(small_scene):
    from twin.energy.model import _edge_exterior_areas, orientation_of
    from twin.energy.sampled import exterior_areas, facade_geometry

    got = exterior_areas(facade_geometry(small_scene), small_scene.buildings["height_m"].to_numpy())
    e = _edge_exterior_areas(small_scene)
    e["building_id"] = small_scene.buildings["building_id"].to_numpy()[e["building_index"].to_numpy()]
    e["o"] = orientation_of(e["azimuth_deg"].to_numpy())
    want = e.pivot_table(index="building_id", columns="o", values="exterior_area_m2", aggfunc="sum", fill_value=0.0)
    want = want.reindex(index=small_scene.buildings["building_id"], columns=list("nesw"), fill_value=0.0).to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)


def test_one_period_drives_every_u_value_of_a_building(small_scene):
    from twin.energy.sampled import SampledEnvelopes
    from twin.energy.stock import prepare_stock
    from twin.energy.typology import load_typology

    prep = prepare_stock(small_scene)
    s = draw_stock_samples(small_scene, load_priors({"window": {"enabled": False}}), 12, 5)
    env, s_of_row = SampledEnvelopes(small_scene, prep, s).build(np.arange(12), None)
    table = load_typology().set_index("tabula_code")
    rows = table.loc[env["tabula_code"]]
    for col in ("u_wall_w_m2k", "u_roof_w_m2k", "u_floor_w_m2k", "u_window_w_m2k", "u_door_w_m2k", "g_window", "c_m_wh_m2k"):
        np.testing.assert_array_equal(env[col].to_numpy(dtype=float), rows[col].to_numpy(dtype=float), err_msg=col)
    # the type's period is the sampled period (or the nearest the type has: AB has no class 01)
    pos = pd.Index(s.building_id).get_indexer(env["building_id"].str.split("|").str[1])
    sampled_period = s.period[s_of_row, pos]
    same = rows["period"].to_numpy() == sampled_period
    assert same.mean() > 0.9 and (rows.loc[~same, "building_class"] == "AB").all()
    assert env.groupby(s_of_row)["tabula_code"].nunique().min() >= 1


def test_every_prior_off_gives_the_central_run(small_scene):
    from twin.energy.sampled import simulate_samples
    from twin.energy.stock import prepare_stock, simulate_prepared

    prep = prepare_stock(small_scene)
    central = simulate_prepared(prep).accounts
    s = draw_stock_samples(small_scene, parse_priors({}), 3, 0)
    tot = simulate_samples(small_scene, prep, s)
    for col in ("q_heat_kwh", "primary_energy_kwh", "co2_kg", "energy_cost_eur", "a_f_m2"):
        np.testing.assert_allclose(tot[col].to_numpy(), central[col].sum(), rtol=1e-12, err_msg=col)
    assert (tot["buildings"] == len(central)).all()
    # the setpoint the scenario sets is the central run's with that setpoint
    env = prep.envelope.assign(theta_i_c=21.0)
    from twin.energy.stock import stock_drivers

    drv, prof = stock_drivers(small_scene.weather, env)
    warm = simulate_prepared(type(prep)(env, prep.excluded, prep.shade_factor, drv, prof, prep.conventions, prep.factors), env).accounts
    tot21 = simulate_samples(small_scene, prep, s, setpoint_c=21.0)
    np.testing.assert_allclose(tot21["q_heat_kwh"].to_numpy(), warm["q_heat_kwh"].sum(), rtol=1e-12)


def test_priors_widen_the_stock_totals_and_data_narrows_them(small_scene):
    """The stock totals of the small district: the period prior alone gives a band; with every
    building's period from data the same samples give none."""
    from twin.energy.sampled import simulate_samples
    from twin.energy.stock import prepare_stock

    only_period = {**OFF, "construction_period": {"enabled": True}}
    prep = prepare_stock(small_scene)
    s = draw_stock_samples(small_scene, load_priors(only_period), 16, 3)
    heat = simulate_samples(small_scene, prep, s)["q_heat_kwh"].to_numpy()
    assert heat.max() > 1.1 * heat.min()
    known = small_scene.copy()
    b = known.buildings.copy()
    b["construction_year"] = 1930.0
    b["construction_year_source"] = "data"
    known.set_layer("buildings", b)
    s2 = draw_stock_samples(known, load_priors(only_period), 16, 3)
    heat2 = simulate_samples(known, prepare_stock(known), s2)["q_heat_kwh"].to_numpy()
    assert np.ptp(heat2) == 0.0
