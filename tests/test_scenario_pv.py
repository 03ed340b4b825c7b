"""Rooftop PV what-ifs: the ``pv`` measure's size and yield come from the solar cadastre.

One small scenario (a 100 m square of Saint-Gilles, about 30 buildings) with two PV what-ifs:
half of the buildings, and buildings the cadastre gives no suitable roof. The cadastre is
computed here directly (:func:`twin.solar.cadastre.solar_cadastre` on the ingested footprints,
the scenario's options) and the energy accounts are checked against it and against the factor
table (primary energy, CO2 and cost of the credited electricity).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.scenario_helpers import BOX_100M, EPW, write_small_district
from twin.errors import TwinWarning

SAMPLES = 2


@pytest.fixture(scope="module")
def pv_run(tmp_path_factory):
    from twin.energy.model import load_factors
    from twin.ingest import ingest
    from twin.ingest.epw import read_epw
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import load_scenario
    from twin.solar.cadastre import solar_cadastre
    from twin.solar.pv_measure import SCENARIO_OPTIONS, SUITABLE

    folder = tmp_path_factory.mktemp("pv")
    buildings = write_small_district(folder, BOX_100M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene, _ = ingest([buildings], crs="EPSG:31370")
    # the cadastre, directly (not through the scenario's cache)
    direct = solar_cadastre(scene, read_epw(EPW), SCENARIO_OPTIONS)
    roofs = direct.surfaces[direct.surfaces["kind"] == "roof"]
    good = roofs["suitability"].isin(SUITABLE)
    has_suitable = set(roofs.loc[good, "building_id"].astype(str))
    no_roof = sorted(set(roofs["building_id"].astype(str)) - has_suitable)
    assert no_roof, "the small district should have buildings without a suitable roof"
    doc = {
        "name": "pv-small",
        "inputs": {"files": [str(buildings)], "weather": str(EPW), "crs": "EPSG:31370"},
        "domains": ["energy"],
        "whatifs": [
            {"name": "pv", "modifications": [{"op": "renovate", "select": {"fraction": 0.5}, "measures": ["rooftop_pv"]}]},
            {"name": "pv-no-roof", "modifications": [{"op": "renovate", "select": {"ids": no_roof[:3]}, "measures": ["rooftop_pv"]}]},
        ],
        "uncertainty": {"samples": SAMPLES, "seed": 7},
    }
    path = folder / "pv.yaml"
    path.write_text(yaml.safe_dump(doc))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comparison = run_scenario(load_scenario(path), base_dir=folder)
    return {"comparison": comparison, "direct": direct, "no_roof": no_roof[:3], "factors": load_factors(),
            "warnings": [str(w.message) for w in caught if issubclass(w.category, TwinWarning)], "suitable": SUITABLE}


def _direct_suitable(direct, suitable) -> pd.DataFrame:
    roofs = direct.surfaces[(direct.surfaces["kind"] == "roof") & direct.surfaces["suitability"].isin(suitable)]
    return roofs.groupby("building_id")[["pv_kwp", "pv_ac_kwh_year"]].sum()


def test_pv_whatif_yield_is_the_cadastres(pv_run):
    c, direct, f = pv_run["comparison"], pv_run["direct"], pv_run["factors"]
    res = c.whatifs["pv"]["energy"]
    selected = res.solar.selected
    assert len(selected) >= 10
    ref = _direct_suitable(direct, pv_run["suitable"]).reindex(selected).fillna(0.0)
    got = res.objects.set_index("building_id")["pv_kwh"].reindex(selected)
    # per building and in total: the AC yield of the building's suitable roofs
    np.testing.assert_allclose(got.to_numpy(), ref["pv_ac_kwh_year"].to_numpy(), rtol=1e-9, atol=1e-6)
    total = float(ref["pv_ac_kwh_year"].sum())
    assert total > 0 and res.solar.ac_kwh_year == pytest.approx(total, rel=1e-12)
    assert res.solar.kwp == pytest.approx(float(ref["pv_kwp"].sum()), rel=1e-12)
    # buildings outside the selection get nothing
    others = res.objects[~res.objects["building_id"].isin(selected)]
    assert (others["pv_kwh"] == 0).all()
    # the credit in the accounts: net electricity at the factor table's primary energy, CO2 and price
    k = c.kpis[c.kpis["whatif"] == "pv"].set_index("kpi")
    assert k.loc["heating_need_mwh", "delta"] == 0.0 and k.loc["final_energy_mwh", "delta"] == 0.0
    assert k.loc["primary_energy_mwh", "delta"] == pytest.approx(-total * f["pef_electricity"] / 1e3, rel=1e-9)
    assert k.loc["co2_t", "delta"] == pytest.approx(-total * f["co2_electricity_kg_kwh"] / 1e3, rel=1e-9)
    # the bills: no net metering (Brussels ended it on 1 November 2021); 35 % of each building's yield at the
    # electricity price, the rest at 0.05 EUR/kWh (the solar model's rule, docs/solar.md), by hand
    price, share, injection = f["price_electricity_eur_kwh"], 0.35, 0.05
    credit = -float(k.loc["energy_cost_keur_yr", "delta"]) * 1e3
    assert credit == pytest.approx(total * (share * price + (1 - share) * injection), rel=1e-9)
    assert credit < 0.5 * total * price  # far from net metering's whole yield at the electricity price
    from twin.energy.measures import load_measures

    assert k.loc["investment_keur", "delta"] == pytest.approx(float(ref["pv_kwp"].sum()) * load_measures().loc["rooftop_pv", "cost_eur"] / 1e3,
                                                              rel=1e-9)


def test_report_section_shows_the_cadastre_totals(pv_run):
    from twin.scenario.report_solar import solar_section

    c, direct = pv_run["comparison"], pv_run["direct"]
    html = solar_section(c)
    assert html.startswith("<section id='solar'>") and html.endswith("</section>")
    assert "<img alt='PV potential map' src='data:image/png;base64," in html
    t = direct.meta["totals"]
    m = re.search(r"data-suitable-kwp='([^']+)' data-suitable-kwh-year='([^']+)'", html)
    assert float(m.group(1)) == pytest.approx(t["suitable_pv_kwp"], rel=1e-12)
    assert float(m.group(2)) == pytest.approx(t["suitable_pv_ac_mwh_year"] * 1e3, rel=1e-12)
    # the KPI tables' units (MWh/yr, m²), three significant digits (report_labels.fmt_value)
    shown = re.search(r"Suitable roofs \(excellent and good\): ([0-9,.]+) kWp, ([0-9,.]+) MWh/yr</b> AC on ([0-9,.]+) m² of suitable "
                      r"roofs \(of ([0-9,.]+) m² of roofs in all\)", html)
    totals = re.search(r"<p class='solar-totals'.*?</p>", html).group(0)
    assert not re.search(r"kWh/year|MWh/year| m2\b", totals)
    s = direct.surfaces
    suitable_m2 = s.loc[(s["kind"] == "roof") & s["suitability"].isin(["excellent", "good"]), "area_m2"].sum()
    assert suitable_m2 < t["roof_area_m2"]  # the two areas differ: the sentence gives the suitable roofs' (not all roofs')
    for text, true in zip(shown.groups(), (t["suitable_pv_kwp"], t["suitable_pv_ac_mwh_year"], suitable_m2, t["roof_area_m2"])):
        dec = len(text.split(".")[1]) if "." in text else 0
        assert float(text.replace(",", "")) == pytest.approx(true, abs=0.5 * 10 ** -dec + 1e-9)
    # the footprints give no roof shape: the section says every roof was drawn flat (the cadastre's counts)
    shapes = direct.meta["roof_shape_sources"]
    assert shapes["default"] > 0 and sum(shapes.values()) == direct.meta["n_buildings"]
    assert f"<p class='note roof-shapes'>Roof shapes: {shapes['default']:,} of the {direct.meta['n_buildings']:,} buildings have no roof shape" in html
    # the what-if's yield as credited
    w = re.search(r"data-whatif='pv' data-kwp='([^']+)' data-kwh-year='([^']+)'", html)
    assert float(w.group(2)) == pytest.approx(c.whatifs["pv"]["energy"].objects["pv_kwh"].sum(), rel=1e-12)


def test_pv_on_buildings_without_suitable_roof_is_reported(pv_run):
    from twin.scenario.report_solar import solar_section

    c, ids = pv_run["comparison"], pv_run["no_roof"]
    res = c.whatifs["pv-no-roof"]["energy"]
    assert sorted(res.solar.without_suitable_roof) == sorted(ids)
    assert (res.objects.set_index("building_id")["pv_kwh"].reindex(ids) == 0).all()
    assert any(f"{len(ids)} of the {len(ids)} buildings selected for rooftop PV have no roof of class excellent or good" in w
               for w in pv_run["warnings"])
    html = solar_section(c)
    block = html.split("<h3>pv-no-roof: rooftop PV</h3>")[1]
    assert f"data-count='{len(ids)}'" in block and all(i in block for i in ids)
    k = c.kpis[c.kpis["whatif"] == "pv-no-roof"].set_index("kpi")
    assert k.loc["primary_energy_mwh", "delta"] == 0.0


def test_pv_part_of_the_band_is_paired_and_follows_the_pv_yield_prior(pv_run):
    """PV is the only change: its primary-energy delta is -yield x PEF, in each sample times that
    sample's PV yield factor (prior ``pv_yield``, one draw per sample), so the band of the change is
    the central change times the factors' percentiles."""
    c = pv_run["comparison"]
    factor = np.asarray(c.stock_samples.pv_factor, dtype=float)
    assert len(factor) == SAMPLES and np.ptp(factor) > 0 and ((0.85 <= factor) & (factor <= 1.17)).all()
    row = c.kpis[(c.kpis["whatif"] == "pv") & (c.kpis["kpi"] == "primary_energy_mwh")].iloc[0]
    s = c.samples
    per_sample = s[(s["whatif"] == "pv") & (s["kpi"] == "primary_energy_mwh")].sort_values("sample")["delta"].to_numpy()
    np.testing.assert_allclose(per_sample, row["delta"] * factor, rtol=1e-9)
    lo, hi = np.percentile(row["delta"] * factor, [5.0, 95.0])
    assert row["delta_p_lo"] == pytest.approx(lo, rel=1e-9) and row["delta_p_hi"] == pytest.approx(hi, rel=1e-9)
    pv = c.kpis[(c.kpis["whatif"] == "pv") & (c.kpis["kpi"] == "pv_yield_mwh")].iloc[0]
    assert pv["delta_p_lo"] < pv["delta"] * max(factor) and pv["delta_p_lo"] < pv["delta_p_hi"]


def test_section_without_pv_whatif_says_so():
    from types import SimpleNamespace

    from twin.scenario.report_solar import solar_section

    html = solar_section(SimpleNamespace(whatifs={"w": {"energy": SimpleNamespace(objects=None)}}))
    assert "No what-if of this scenario puts PV on roofs" in html
