"""``twin traffic assign --scene SCENE --demand OD.csv --give-way`` (issue 15: the junction model of
the mobility runs on the static scene assignment too). Saint-Gilles streets (2013 sample), six OD
pairs across the district, signals off so that give-way is the only junction delay:

* the printed and ``--json`` counts are those of the classification of the scene's car network
  (:func:`twin.traffic.priority.scene_junctions`);
* a street link that is not a yielding approach takes its BPR time exactly; every yielding
  approach takes at least its BPR time plus the smallest HCM delay a yielding approach can have
  (``3600 / c + 5`` s at the largest capacity, ``3600 / t_f`` = 900 veh/h: 9 s; a roundabout
  entry 3600 / 1130 s), and the approaches with flow together take more than that;
* the capacities of the last pass are within 5 % of those of its own flows (reported).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    from tests.traffic_helpers import stgilles_scene
    from twin.export import write_scene

    folder = tmp_path_factory.mktemp("giveway")
    scene = stgilles_scene()
    write_scene(scene, folder / "scene")
    links = scene.links
    car = links[links["modes"].fillna("").str.contains("car") & (links["capacity_veh_h"] > 0)]
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = sorted(set(car["from_node"]) | set(car["to_node"]))
    index = {v: i for i, v in enumerate(ids)}
    graph = coo_matrix((np.ones(len(car)), ([index[v] for v in car["from_node"]], [index[v] for v in car["to_node"]])), shape=(len(ids), len(ids)))
    _, label = connected_components(graph, directed=True, connection="strong")
    largest = np.bincount(label).argmax()
    ends = [v for v in ids if label[index[v]] == largest]  # every pair of them is connected both ways
    rng = np.random.default_rng(5)
    pick = rng.choice(len(ends), 8, replace=False)
    pairs = [(ends[pick[i]], ends[pick[i + 4]]) for i in range(4)] + [(ends[pick[i + 4]], ends[pick[i]]) for i in range(2)]
    od = folder / "od.csv"
    pd.DataFrame({"origin": [a for a, _ in pairs], "destination": [b for _, b in pairs], "flow_veh_h": 300.0}).to_csv(od, index=False)
    return scene, folder / "scene", od


def test_give_way_on_the_scene_assignment(case, tmp_path: Path) -> None:
    from twin.traffic.network import Network
    from twin.traffic.priority import scene_junctions

    scene, folder, od = case
    out = tmp_path / "links.csv"
    common = ["traffic", "assign", "--scene", folder, "--demand", od, "--no-signals", "--give-way"]
    r = run_twin([*common, "--output", out, "--json"], timeout_s=300)
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    net = Network.from_scene(scene, mode="car")
    street = np.isin(net.link_ids, scene.links["link_id"].to_numpy()) & (net.capacity > 0) & (net.vdf < 2)
    junctions = scene_junctions(scene, scene.links, net, street=street, signalised=False)
    assert {k: s[f"give_way_{k}"] for k in junctions.summary()} == junctions.summary()
    assert s["give_way"] == "on" and s["give_way_lines"] == junctions.approach.size > 50
    assert 0 <= s["give_way_change"] < 0.05
    links = pd.read_csv(out).set_index("link_id")
    row = scene.links.set_index("link_id").loc[links.index]
    bpr = row["length_m"] / row["free_speed_m_s"] * (1.0 + 0.15 * (links["flow"] / row["capacity_veh_h"]) ** 4)
    yielding = set(net.link_ids[junctions.approach].tolist())
    entry = set(net.link_ids[junctions.approach[junctions.roundabout]].tolist())
    plain = [k for k in links.index if k not in yielding]
    np.testing.assert_allclose(links.loc[plain, "time"], bpr[plain], rtol=1e-9)
    least = pd.Series({k: 3600.0 / 1130.0 if k in entry else 3600.0 / 900.0 + 5.0 for k in yielding})
    extra = links.loc[sorted(yielding), "time"] - bpr[sorted(yielding)]
    assert (extra >= least[extra.index] - 1e-6).all()  # the table has about 10 significant digits
    used = links.loc[sorted(yielding), "flow"] > 1.0
    assert used.sum() > 0 and (extra[used] > least[extra.index][used]).all()
    text = run_twin(common, timeout_s=300)
    assert f"give-way                     {s['give_way_junctions']} unsignalised junctions" in text.stdout
    off = run_twin(["traffic", "assign", "--scene", folder, "--demand", od, "--no-signals"], timeout_s=300)
    assert "give-way                     off" in off.stdout


def test_give_way_without_a_scene_is_one_line(case) -> None:
    from tests.conftest import shared_path

    folder = shared_path("traffic", "tntp", "SiouxFalls")
    bad = run_twin(["traffic", "assign", "--net", folder / "SiouxFalls_net.tntp", "--trips", folder / "SiouxFalls_trips.tntp", "--give-way"])
    assert_one_line_error(bad, contains=("--give-way", "--scene"))
    bad = run_twin(["traffic", "assign", "--net", folder / "SiouxFalls_net.tntp", "--trips", folder / "SiouxFalls_trips.tntp", "--signal-split", "capacity"])
    assert_one_line_error(bad, contains=("--signal-split", "--scene"))


def test_select_link_and_zone_on_the_give_way_assignment(case, tmp_path: Path) -> None:
    """``select-link --scene ... --give-way``: the selected trips are those of the give-way
    equilibrium (the OD total = the street link's flow in ``assign --scene --give-way``, 1e-6);
    ``select-zone``: the flow of the trips from a zone leaves it as its demand; the same junction counts."""
    _, folder, od = case
    links = tmp_path / "links.csv"
    common = ["--scene", folder, "--demand", od, "--no-signals", "--give-way"]
    a = run_twin(["traffic", "assign", *common, "--output", links, "--json"], timeout_s=300)
    assert a.code == 0, a.stderr
    flows = pd.read_csv(links).set_index("link_id")["flow"]
    busiest = str(flows.idxmax())
    r = run_twin(["traffic", "select-link", *common, "--link", busiest, "--json"], timeout_s=300)
    assert r.code == 0, r.stderr
    s, assigned = json.loads(r.stdout), json.loads(a.stdout)
    assert s["select_link_total"] == pytest.approx(flows[busiest], rel=1e-6) and s["selected_link_flow"] == pytest.approx(flows[busiest], rel=1e-6)
    assert s["give_way_lines"] == assigned["give_way_lines"] and s["give_way_change"] == pytest.approx(assigned["give_way_change"], rel=1e-9)
    origin = str(pd.read_csv(od)["origin"].iloc[0])
    z = run_twin(["traffic", "select-zone", *common, "--zones", origin, "--json"], timeout_s=300)
    assert z.code == 0, z.stderr
    zs = json.loads(z.stdout)
    demand = pd.read_csv(od)
    assert zs["give_way"] == "on" and zs["demand_veh"] == pytest.approx(demand.loc[demand["origin"] == origin, "flow_veh_h"].sum(), rel=1e-12)
    assert zs["balance_error"] < 1e-6  # the flow leaving the zone on the give-way network = its demand
    text = run_twin(["traffic", "select-link", *common, "--link", busiest], timeout_s=300)
    assert f"give-way                       {assigned['give_way_junctions']} unsignalised junctions" in text.stdout
