"""The mobility model through the scenario path (``run_scenario``, as ``twin run`` runs it) on the
default scenario's inputs (Saint-Gilles: buildings, streets, land cover and POIs).

* The low-traffic Parvis: no unserved trip in the baseline or the what-if; rerouted,
  mode-shifted, redistributed and evaporated trips reported apart (and they add up); the
  closed streets carry 0 veh/h in the what-if (and carried traffic in the baseline); the change
  on the surrounding streets is in the per-link outputs and on the report's map.
* The 15-minute indicator is below 100 % for a category of the default inputs and drops when
  the district's only post office closes (``remove_pois``).
* A what-if that changes nothing the mobility model reads (de-sealing) changes no traffic KPI,
  in every sample.
* Bands: every Monte Carlo sample is the mobility model run with that sample's floor areas and
  uses and its drawn coefficients, parameters and emission factors (sample 0 recomputed here);
  with the stock priors off, the coefficients and parameters alone give bands; sampled floor
  areas reach the trip demand (person trips = the documented trip-end formula of each sample's
  floor areas, written out here).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.scenario_helpers import BOX_100M, SAMPLES, write_small_district
from tests.traffic_reference import tram_feed
from twin.errors import TwinWarning
from twin.scenario.runner import run_scenario
from twin.scenario.schema import parse_scenario

INPUTS = [str(SAMPLES / f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "streets", "landcover", "pois")]
PARVIS = ["Parvis Saint-Gilles - Sint-Gillis Voorplein", "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat"]
SEED = 11


def district_doc(samples: int = 3, **traffic) -> dict:
    return {
        "name": "mobility",
        "inputs": {"files": INPUTS},
        "domains": ["traffic"],
        "whatifs": [
            {"name": "parvis", "modifications": [{"op": "close_streets", "select": {"where": {"name": PARVIS}}, "modes": ["car", "truck", "bus"]}]},
            {"name": "post-closes", "modifications": [{"op": "remove_pois", "select": {"where": {"category": "post"}}}]},
            {"name": "deseal", "modifications": [{"op": "deseal", "select": {"where": {"cover_class": "parking"}}, "sealed_fraction": 0.1}]},
        ],
        "uncertainty": {"samples": samples, "seed": SEED},
        "traffic": traffic,
    }


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mobility")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # de-sealing acts on the soil engine, not run here: allowed, to show it changes no traffic
        comp = run_scenario(parse_scenario(district_doc()), base_dir=folder, no_effect="warn")
    return comp, [str(w.message) for w in caught if issubclass(w.category, TwinWarning)]


def kpi(comp, whatif: str, name: str) -> pd.Series:
    k = comp.kpis
    return k[(k["whatif"] == whatif) & (k["kpi"] == name)].iloc[0]


@pytest.mark.slow
def test_parvis_no_unserved_trip_and_the_split_of_the_change(district):
    comp, texts = district
    assert not [t for t in texts if "no path" in t]  # no unserved-trip warning
    for period in ("am_peak", "off_peak"):
        row = kpi(comp, "parvis", f"{period}_unserved_trips")
        assert row["baseline"] == 0.0 and row["whatif_value"] == 0.0
        # the split: each reported apart, 0 for the baseline against itself
        for name in ("rerouted_car_trips", "mode_shifted_trips", "redistributed_car_trips", "evaporated_trips"):
            r = kpi(comp, "parvis", f"{period}_{name}")
            assert r["baseline"] == 0.0 and r["whatif_value"] >= 0.0
        assert kpi(comp, "parvis", f"{period}_rerouted_car_trips")["whatif_value"] > 10.0
        # evaporated person trips = the change of the person trips (the decomposition adds up)
        assert kpi(comp, "parvis", f"{period}_evaporated_trips")["whatif_value"] == pytest.approx(
            -kpi(comp, "parvis", f"{period}_person_trips")["delta"], rel=1e-9, abs=1e-9)
        closed = kpi(comp, "parvis", f"{period}_closed_link_flow_veh_h")
        assert closed["baseline"] > 10.0 and closed["whatif_value"] == 0.0
    # the samples: every sample of the what-if also serves every trip and leaves the closed streets empty
    smp = comp.samples
    par = smp[(smp["whatif"] == "parvis") & (smp["domain"] == "traffic")]
    assert (par[par["kpi"].str.endswith("_unserved_trips")][["baseline", "whatif_value"]] == 0.0).all().all()
    assert (par[par["kpi"].str.endswith("_closed_link_flow_veh_h")]["whatif_value"] == 0.0).all()
    assert (par[par["kpi"] == "am_peak_closed_link_flow_veh_h"]["baseline"] > 0.0).all()


@pytest.mark.slow
def test_parvis_closed_streets_carry_nothing_and_the_surroundings_are_mapped(district, tmp_path):
    comp, _ = district
    d = comp.deltas("parvis", "traffic")
    closed = d[d["car_open_delta"] == -1.0]
    links = comp.baseline_scene.links
    named = links.loc[links["name"].isin(PARVIS) & links["modes"].str.contains("car"), "link_id"]
    assert set(closed["link_id"]) == set(named) and len(closed) >= 4
    assert (closed["flow_am_peak_veh_h_whatif"] == 0.0).all() and closed["flow_am_peak_veh_h_baseline"].sum() > 10.0
    kept = d[d["car_open_delta"] == 0.0]
    assert (kept["flow_am_peak_veh_h_delta"] > 5.0).sum() >= 2  # traffic moves onto surrounding streets
    from twin.scenario.report import render_html

    text = render_html(comp)
    section = re.search(r"<section id='mobility'>(.*?)</section>", text, re.S).group(1)
    assert "car trips rerouted" in section and "shifted to walking" in section and "evaporated" in section
    assert "<img alt='parvis car flow change'" in section and "dashed black: closed to cars" in section  # the change map
    top = kept.sort_values("flow_am_peak_veh_h_delta").iloc[-1]
    street = links.set_index("link_id").loc[top["link_id"], "name"]
    assert str(street) in section  # the street that gains most is named


@pytest.mark.slow
def test_fifteen_minute_access_below_100_and_follows_a_removed_poi(district):
    from twin.traffic.indicators import district_access
    from twin.traffic.mobility import MobilityOptions

    comp, _ = district
    k = comp.kpis
    walk = k[(k["whatif"] == "post-closes") & k["kpi"].str.startswith("access_15min_walk_")].set_index("kpi")
    assert walk["baseline"].min() < 100.0  # at least one category below 100 % on the default inputs
    post = walk.loc["access_15min_walk_post_pct"]
    assert 0.0 < post["baseline"] < 100.0 and post["whatif_value"] == 0.0  # the only post office closed
    others = walk.drop(index="access_15min_walk_post_pct")
    assert (others["delta"] == 0.0).all()
    # the engine's shares are the library's indicator (same services and graphs, residents as weights)
    acc = district_access(comp.baseline_scene, MobilityOptions())
    for row in acc.itertuples():
        assert kpi(comp, "parvis", f"access_15min_{row.mode}_{row.category}_pct")["baseline"] == pytest.approx(
            100.0 * row.share_of_residents, rel=1e-12, abs=1e-12)
    assert comp.applied["post-closes"] == [{"op": "remove_pois", "pois": 1, "categories": "post 1"}]


@pytest.mark.slow
def test_a_whatif_changing_nothing_the_model_reads_changes_no_traffic_kpi(district):
    comp, _ = district
    k = comp.kpis
    assert (k[(k["whatif"] == "deseal") & (k["domain"] == "traffic")]["delta"] == 0.0).all()
    smp = comp.samples
    assert (smp[(smp["whatif"] == "deseal") & (smp["domain"] == "traffic")]["delta"] == 0.0).all()


@pytest.mark.slow
def test_every_sample_is_the_model_with_its_drawn_coefficients(district, tmp_path):
    """Sample 0 recomputed: the stock sample's floor areas and uses, the coefficients, parameters
    and emission factors drawn from the documented stream."""
    import pandas as pd

    from twin.energy.priors import load_priors
    from twin.energy.stock_samples import draw_stock_samples
    from twin.scenario.engines import traffic_model as M
    from twin.scenario.engines.traffic_samples import STREAM_TAG, draw_model
    from twin.traffic.mobility import run_district_mobility

    comp, _ = district
    sc = comp.scenario
    scene = comp.baseline_scene
    stock = draw_stock_samples(scene, load_priors(None), sc.uncertainty.samples, SEED)
    files = M.model_files(sc.traffic, tmp_path, crs=scene.crs)
    params, model, (co2_km, nox_km) = draw_model(files, files.params, np.random.default_rng([SEED, STREAM_TAG, 0]))
    assert model.beta_time_per_min != files.model.beta_time_per_min and model.beta_cost_per_eur != files.model.beta_cost_per_eur
    assert params["trips_per_resident_day"].value != files.params["trips_per_resident_day"].value
    s0 = scene.copy()
    b = s0.buildings.copy()
    b["floor_area_m2"] = stock.floor_area_m2[0]
    b["use"] = pd.array(stock.use[0], dtype=b["use"].dtype)
    s0.set_layer("buildings", b)
    res = run_district_mobility(s0, M.mobility_options(sc.traffic, files), model=model, params=params)
    smp = comp.samples
    s = smp[(smp["sample"] == 0) & (smp["whatif"] == "parvis") & (smp["domain"] == "traffic")].set_index("kpi")["baseline"]
    for name in ("am_peak_person_trips", "am_peak_car_share_pct", "am_peak_vehicle_km", "off_peak_vehicle_km_residential"):
        assert s[name] == pytest.approx(res.kpis[name], rel=1e-9), name
    assert s["am_peak_co2_kg"] == pytest.approx(res.kpis["am_peak_vehicle_km"] * co2_km, rel=1e-9)
    assert s["am_peak_nox_kg"] == pytest.approx(res.kpis["am_peak_vehicle_km"] * nox_km / 1000.0, rel=1e-9)
    # the bands hold the samples' spread
    row = kpi(comp, "parvis", "am_peak_rerouted_car_trips")
    assert row["delta_p_lo"] < row["delta_p_hi"]


def _formula_person_trips(scene, params: dict, period: str = "am_peak") -> float:
    """Person trips of a period from the documented trip-end formula (docs/traffic.md, "District
    mobility", steps 1 and 5): residents' trips, and half the daily activity ends (jobs, school
    places, visited POIs) coming and going, by segment shares; written out independently."""
    from twin.traffic.demand import VISIT_CATEGORIES

    p = {k: v.value for k, v in params.items()}
    jobs_table = pd.read_csv(Path(__file__).resolve().parents[1] / "twin" / "data" / "mobility_jobs.csv").set_index("use")
    b = scene.buildings
    area = b["floor_area_m2"].to_numpy(float)
    use = b["use"].astype(str).str.lower().to_numpy()
    ground = b["ground_floor_use"].fillna("").astype(str).str.lower().to_numpy() if "ground_floor_use" in b else np.full(len(b), "")
    foot = np.minimum(b["footprint_area_m2"].to_numpy(float), area)
    residents = jobs = places = 0.0
    for a, u, g, f in zip(area, use, ground, foot):
        if u == "residential" and g not in ("", "residential", "as_use"):
            res_a, other_a, other_u = a - f, f, g
        elif u == "residential":
            res_a, other_a, other_u = a, 0.0, ""
        else:
            res_a, other_a, other_u = 0.0, a, u
        residents += res_a / p["floor_area_per_resident_m2"]
        if other_a > 0:
            row = jobs_table.loc[other_u] if other_u in jobs_table.index else jobs_table.loc["other"]
            if row["kind"] == "place":
                places += other_a / row["floor_area_per_job_m2"]
            else:
                jobs += other_a / row["floor_area_per_job_m2"]
    pois = scene.layer("pois")
    visits = int(pois["category"].astype(str).isin(VISIT_CATEGORIES).sum()) if len(pois) else 0
    resident_ends = residents * p["trips_per_resident_day"]
    act = (jobs * p["trip_ends_per_job_day"] + places * p["trip_ends_per_school_place_day"] + visits * p["trip_ends_per_visit_poi_day"]) / 2.0
    share = p[f"{period}_hour_share"]
    home = p["am_from_home_share" if period == "am_peak" else "off_peak_from_home_share"]
    inbound = p["inbound_share"]
    return share * (home * resident_ends + (1 - home) * act + home * act * inbound)


def test_sampled_floor_areas_reach_the_trip_demand(tmp_path):
    """In every sample (coefficients and parameters not sampled, to isolate the priors), the
    person trips (served + unserved) are the trip-end formula of that sample's floor areas; a
    scale_demand of 1.2 (no evaporation) multiplies them by 1.2."""
    from twin.traffic.demand import read_parameters

    buildings = write_small_district(tmp_path, BOX_100M)
    doc = {
        "name": "floor",
        "inputs": {"files": [str(buildings), INPUTS[1], INPUTS[3]]},
        "domains": ["traffic"],
        "whatifs": [{"name": "more", "modifications": [{"op": "scale_demand", "factor": 1.2}]}],
        "uncertainty": {"samples": 3, "seed": 4},
        "traffic": {"sample_model_parameters": False, "evaporation_elasticity": 0.0, "periods": ["am_peak"], "feedback": 1,
                    "access_categories": ["school", "park"]},
    }
    comp = run_scenario(parse_scenario(doc), base_dir=tmp_path)
    params = read_parameters()
    stock = comp.stock_samples
    smp = comp.samples[comp.samples["domain"] == "traffic"]
    k = {c: smp.pivot(index="sample", columns="kpi", values=c) for c in ("baseline", "whatif_value")}
    totals = []
    for s in range(3):
        sc = comp.baseline_scene.copy()
        b = sc.buildings.copy()
        b["floor_area_m2"] = stock.floor_area_m2[s]
        b["use"] = pd.array(stock.use[s], dtype=b["use"].dtype)
        sc.set_layer("buildings", b)
        expected = _formula_person_trips(sc, params)
        served = {c: k[c].loc[s, "am_peak_person_trips"] + k[c].loc[s, "am_peak_unserved_trips"] for c in k}
        assert served["baseline"] == pytest.approx(expected, rel=1e-9)
        assert served["whatif_value"] == pytest.approx(1.2 * expected, rel=1e-9)
        totals.append(expected)
    assert np.ptp(totals) > 0  # the samples' floor areas differ


def test_priors_off_the_coefficients_alone_give_bands(tmp_path):
    buildings = write_small_district(tmp_path, BOX_100M)
    doc = {
        "name": "coefficients",
        "inputs": {"files": [str(buildings), INPUTS[1], INPUTS[3]]},
        "domains": ["traffic"],
        "whatifs": [{"name": "slow", "modifications": [{"op": "scale_demand", "factor": 1.5}]}],
        "uncertainty": {"samples": 3, "seed": 2, "priors": False},
        "traffic": {"periods": ["am_peak"], "feedback": 1, "access_categories": ["school", "park"], "evaporation_elasticity": 0.0},
    }
    comp = run_scenario(parse_scenario(doc), base_dir=tmp_path)
    assert comp.stock_samples is None
    row = kpi(comp, "slow", "am_peak_vehicle_km")
    assert row["baseline_p_lo"] < row["baseline_p_hi"]
    # scale_demand multiplies every person trip of the district (no evaporation: the option fixes
    # the elasticity at 0, in every sample too)
    trips = kpi(comp, "slow", "am_peak_person_trips")
    assert trips["whatif_value"] == pytest.approx(1.5 * trips["baseline"], rel=1e-9)
    smp = comp.samples[(comp.samples["kpi"] == "am_peak_person_trips")]
    np.testing.assert_allclose(smp["whatif_value"], 1.5 * smp["baseline"], rtol=1e-9)


def test_a_whatif_on_an_unchanged_scene_gives_the_baseline_exactly(tmp_path):
    """The what-if's elastic trip making compares its destination logsums with the baseline's at
    the same feedback iteration: a what-if run on an unchanged copy reproduces the baseline's
    trips and flows exactly (before, comparing free-flow with congested logsums, it reported
    induced trips)."""
    from twin.ingest import ingest
    from twin.traffic.mobility import MobilityOptions, compare_mobility, run_district_mobility

    buildings = write_small_district(tmp_path, BOX_100M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([buildings, INPUTS[1], INPUTS[3]])
    opts = MobilityOptions(feedback=3, compute_access=False)
    base = run_district_mobility(scene, opts)
    same = run_district_mobility(scene.copy(), opts, baseline=base)
    k = compare_mobility(base, same)["kpis"]
    for period in opts.periods:
        np.testing.assert_array_equal(same.periods[period].trips, base.periods[period].trips)
        assert k[f"{period}_evaporated_trips"] == 0.0 and k[f"{period}_evaporated_through_vehicles"] == 0.0
        assert same.periods[period].link_flow == base.periods[period].link_flow


DETERMINISM_SCRIPT = """
import sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from twin.scenario.runner import run_scenario
from twin.scenario.schema import parse_scenario
import yaml
folder = Path(sys.argv[1])
comp = run_scenario(parse_scenario(yaml.safe_load((folder / "traffic.yaml").read_text())), base_dir=folder)
comp.kpis.to_csv(sys.argv[2], float_format="%.17g")
comp.samples.to_csv(sys.argv[2] + ".samples", float_format="%.17g")
"""


@pytest.mark.slow
def test_same_seed_same_traffic_results_in_fresh_processes(tmp_path):
    """Same scenario and seed: identical traffic KPIs, bands and samples in two fresh processes
    with other hash seeds; another seed: other samples."""
    import os
    import subprocess
    import sys

    import yaml

    buildings = write_small_district(tmp_path, BOX_100M)
    doc = {"name": "det", "inputs": {"files": [str(buildings), INPUTS[1], INPUTS[3]]}, "domains": ["traffic"],
           "whatifs": [{"name": "parvis", "modifications": [{"op": "close_streets", "select": {"where": {"name": ["Parvis Saint-Gilles"]}}}]}],
           "uncertainty": {"samples": 3, "seed": 8}, "traffic": {"access_categories": ["school", "park", "bank"]}}
    outs = []
    for k, (hashseed, seed) in enumerate(((1, 8), (77, 8), (1, 9))):
        doc["uncertainty"]["seed"] = seed
        (tmp_path / "traffic.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
        env = {**os.environ, "PYTHONHASHSEED": str(hashseed), "TWIN_NUMBA_THREADS": "1"}
        out = tmp_path / f"kpis{k}.csv"
        subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT, str(tmp_path), str(out)], check=True, env=env, timeout=600)
        outs.append(out)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert Path(str(outs[0]) + ".samples").read_bytes() == Path(str(outs[1]) + ".samples").read_bytes()
    assert Path(str(outs[0]) + ".samples").read_bytes() != Path(str(outs[2]) + ".samples").read_bytes()


def test_public_transport_from_a_scenario_feed(tmp_path):
    """``traffic.gtfs``: public transport becomes a mode and an access mode through the scenario
    path; the feed is an input of the run (hashed: another feed, another run id)."""
    import yaml

    from twin.scenario.batch import run_identity
    from twin.traffic.indicators import district_access
    from twin.traffic.mobility import MobilityOptions

    buildings = write_small_district(tmp_path, BOX_100M)
    tram_feed(tmp_path / "tram.zip")
    doc = {"name": "tram", "inputs": {"files": [str(buildings), INPUTS[1], INPUTS[3]]}, "domains": ["traffic"],
           "whatifs": [{"name": "parvis", "modifications": [{"op": "close_streets", "select": {"where": {"name": ["Parvis Saint-Gilles"]}}}]}],
           "traffic": {"gtfs": "tram.zip", "periods": ["am_peak"], "feedback": 1, "access_categories": ["school", "park", "bank"]}}
    comp = run_scenario(parse_scenario(doc), base_dir=tmp_path)
    k = comp.kpis.set_index("kpi")
    assert k.loc["am_peak_pt_share_pct", "baseline"] > 0.0
    pt = k.filter(like="access_15min_pt_", axis=0)
    assert list(pt.index) == [f"access_15min_pt_{c}_pct" for c in ("school", "park", "bank")]
    walk = k.loc["access_15min_walk_bank_pct", "baseline"]
    assert (pt["baseline"] >= k.filter(like="access_15min_walk_", axis=0)["baseline"].to_numpy() - 1e-12).all()  # the better of walk and pt
    assert 0.0 < walk <= 100.0
    # walk and bike shares are the library's indicator with the same feed
    acc = district_access(comp.baseline_scene, MobilityOptions(access_categories=("school", "park", "bank")))
    for row in acc.itertuples():
        assert k.loc[f"access_15min_{row.mode}_{row.category}_pct", "baseline"] == pytest.approx(100.0 * row.share_of_residents, abs=1e-12)
    path = tmp_path / "tram.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    first = run_identity(path)["run_id"]
    assert run_identity(path)["run_id"] == first
    with open(tmp_path / "tram.zip", "ab") as f:
        f.write(b"\0")  # another feed file (bytes appended)
    assert run_identity(path)["run_id"] != first


SIGNALS_FILE = str(SAMPLES / "stgilles_signals_osm2013.geojson")


@pytest.mark.slow
def test_junction_delays_of_the_scenario_reach_the_car_network(tmp_path):
    """``traffic.signals``, ``traffic.signal_split`` and ``traffic.give_way`` of a scenario are the
    mobility model's options: its baseline run on the scene with the OSM signal points is the one
    of :class:`MobilityOptions` with them (the same morning car kilometres), and, as measured in
    docs/traffic.md (District mobility), the green split and the give-way delay take back part of
    the morning car kilometres the signals alone push onto residential streets."""
    from twin.ingest import ingest
    from twin.scenario.engines import traffic_model as M
    from twin.scenario.schema import TrafficOptions
    from twin.traffic.mobility import run_district_mobility

    def run(**traffic) -> pd.Series:
        doc = {"name": "junctions", "inputs": {"files": [*INPUTS, SIGNALS_FILE]}, "domains": ["traffic"],
               "whatifs": [{"name": "parvis", "modifications": [{"op": "close_streets", "select": {"where": {"name": PARVIS}}}]}],
               "uncertainty": {"samples": 0, "seed": SEED}, "traffic": {"periods": ["am_peak"], "feedback": 2, **traffic}}  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            comp = run_scenario(parse_scenario(doc), base_dir=tmp_path)
        k = comp.kpis[comp.kpis["whatif"] == "parvis"].set_index("kpi")["baseline"]
        return k[["am_peak_vehicle_km_residential", "am_peak_vehicle_km_main"]]

    signals_only = run(signals=True)
    junctions = {"signals": True, "signal_split": "capacity", "give_way": True}
    all_three = run(**junctions)
    residential_share = lambda k: k.iloc[0] / (k.iloc[0] + k.iloc[1])  # noqa: E731
    assert residential_share(all_three) < residential_share(signals_only) - 0.1
    # the scenario's run is the model's with the same options (and the scenario's demand scaling)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([*INPUTS, SIGNALS_FILE])
    options = TrafficOptions(periods=["am_peak"], feedback=2, **junctions)
    files = M.model_files(options, tmp_path, crs=scene.crs)
    opts = M.mobility_options(options, files)
    assert (opts.signals, opts.signal_split, opts.give_way) == (True, "capacity", True)
    params = M.scaled(M.central_parameters(options, files), M.demand_factor(scene))
    direct = run_district_mobility(scene, opts, model=files.model, params=params, timetable=files.timetable)
    assert any("green split by capacity" in n for n in direct.notes) and any("give-way delay" in n for n in direct.notes)
    np.testing.assert_allclose([direct.kpis["am_peak_vehicle_km_residential"], direct.kpis["am_peak_vehicle_km_main"]], all_three.to_numpy(), rtol=1e-12)
