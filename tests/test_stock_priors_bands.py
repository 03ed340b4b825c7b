"""Bands from the stock priors through the scenario runner (:func:`twin.scenario.runner.run_scenario`).

* A parameter with a prior widens the band; the same parameter given as data does not (every
  building's construction year in the input file), and the central values are the run without
  samples.
* The sampled floor areas reach the traffic demand: in every sample, assigned + unserved trips
  = trip rate x peak share x the sample's floor area.
* The what-ifs run on the same sampled city: a what-if that changes nothing the energy model
  reads has a zero energy delta in every sample; insulation lowers the heating need in every
  sample.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from tests.scenario_helpers import BOX_100M, EPW, SAMPLES, write_small_district
from twin.energy.priors import ENTRIES
from twin.scenario.runner import run_scenario
from twin.scenario.schema import parse_scenario

ONLY_PERIOD = {**{e: {"enabled": False} for e in ENTRIES}, "construction_period": {"enabled": True}}
PARVIS = ["Parvis Saint-Gilles - Sint-Gillis Voorplein", "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat"]


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bands")
    path = write_small_district(folder, BOX_100M)
    known = gpd.read_file(path)
    known["construction_year"] = 1925  # the same buildings, their year from the file
    known.to_file(folder / "district_with_year.geojson", driver="GeoJSON")
    return folder, path, folder / "district_with_year.geojson"


def energy_doc(buildings, *, samples: int, priors) -> dict:
    return {
        "name": "bands",
        "inputs": {"files": [str(buildings)], "weather": str(EPW)},
        "domains": ["energy"],
        "whatifs": [{"name": "wave", "modifications": [{"op": "renovate", "select": {"fraction": 0.5},
                                                           "measures": ["wall_insulation", "roof_insulation"]}]}],
        "uncertainty": {"samples": samples, "seed": 3, "priors": priors},
    }


def heat_row(comparison):
    k = comparison.kpis
    return k[(k["whatif"] == "wave") & (k["kpi"] == "heating_need_mwh")].iloc[0]


def test_a_prior_widens_the_band_and_data_does_not(district):
    folder, defaulted, with_year = district
    prior = run_scenario(parse_scenario(energy_doc(defaulted, samples=8, priors=ONLY_PERIOD)), base_dir=folder)
    row = heat_row(prior)
    assert row["baseline_p_hi"] > 1.05 * row["baseline_p_lo"]  # the period prior: a band of the baseline
    assert row["delta_p_lo"] < row["delta_p_hi"]  # and of the delta
    assert prior.stock_samples.sampled["construction_year"].all()
    data = run_scenario(parse_scenario(energy_doc(with_year, samples=8, priors=ONLY_PERIOD)), base_dir=folder)
    row = heat_row(data)
    assert not data.stock_samples.sampled["construction_year"].any()
    assert row["baseline_p_lo"] == row["baseline_p_hi"]  # known from data: no band, at the central value
    assert row["delta_p_lo"] == row["delta_p_hi"]  # (to the order of the sums: batch rows vs per-building table)
    assert row["baseline_p_lo"] == pytest.approx(row["baseline"], rel=1e-12) and row["delta_p_lo"] == pytest.approx(row["delta"], rel=1e-12)
    # priors change nothing on the deterministic path: the central columns are the run without samples
    plain = run_scenario(parse_scenario(energy_doc(defaulted, samples=0, priors=True)), base_dir=folder)
    cols = ["whatif", "domain", "kpi", "baseline", "whatif_value", "delta"]
    assert prior.kpis[cols].equals(plain.kpis[cols])


def test_sampled_floor_areas_reach_the_traffic_demand_and_whatifs_are_paired(district):
    folder, defaulted, _ = district
    doc = {
        "name": "coupled",
        "inputs": {"files": [str(defaulted), str(SAMPLES / "stgilles_streets_osm2013.geojson"),
                             str(SAMPLES / "stgilles_landcover_osm2013.geojson")], "weather": str(EPW)},
        "domains": ["energy", "traffic"],
        "whatifs": [
            {"name": "wave", "modifications": [{"op": "renovate", "select": {"fraction": 0.5}, "measures": ["wall_insulation"]}]},
            {"name": "parvis", "modifications": [{"op": "close_streets", "select": {"where": {"name": PARVIS}}}]},
        ],
        "uncertainty": {"samples": 6, "seed": 9},
    }
    sc = parse_scenario(doc)
    comp = run_scenario(sc, base_dir=folder)
    smp = comp.samples
    floor = comp.stock_samples.floor_area_m2.sum(axis=1)  # each sample's gross floor area, m2
    assert np.ptp(floor) > 0
    # the person trips follow each sample's floor areas (the trip-end formula itself is checked in
    # tests/test_scenario_mobility.py::test_sampled_floor_areas_reach_the_trip_demand)
    base = smp[(smp["whatif"] == "parvis") & (smp["domain"] == "traffic")].pivot(index="sample", columns="kpi", values="baseline")
    trips = [c for c in base.columns if c.endswith("_person_trips")]
    assert trips
    assert all(np.ptp(base[c].to_numpy()) > 0 for c in trips)
    energy = smp[smp["domain"] == "energy"].pivot_table(index=["whatif", "sample"], columns="kpi", values="delta")
    assert (energy.loc["parvis"] == 0.0).all().all()  # the closure changes nothing the energy model reads
    assert (energy.loc["wave", "heating_need_mwh"] < 0).all()  # insulation: less heat in every sampled city
    # the renovation changes nothing the traffic model reads: same sampled results, zero deltas
    traffic = smp[(smp["domain"] == "traffic") & (smp["whatif"] == "wave")]
    assert (traffic["delta"] == 0.0).all()
