"""Roundabouts in the give-way model (issue 15, mobility; twin.traffic.priority).

A hand-made four-arm roundabout: every entry gives way to the ring link arriving at its node and
the ring never gives way (listed here by hand; without the ring's ``junction`` value priority to
the right made the ring give way to the entering cars). The entry capacity and control delay
against HCM 2010 Eq. 21-1 and Eq. 21-17 written out here, the delay's integral against quadrature
and its derivative against finite differences. The links keep ``junction`` through the OSM
reader (a hand-written .osm) and a scene without the column reads ''. Saint-Gilles: the ring
nodes and entries counted from the GeoJSON's five ring ways, and a mobility run with give-way
delay at the roundabouts converges.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from tests.test_traffic_priority import hcm_entry_capacity, hcm_roundabout_delay_s
from twin.errors import InputError
from twin.traffic.network import Network
from twin.traffic.priority import add_give_way, classify_junctions, insert_give_way_lines, roundabout_capacity
from twin.traffic.vdf import link_times

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


ARMS = {"N": (0.0, 100.0), "E": (100.0, 0.0), "S": (0.0, -100.0), "W": (-100.0, 0.0)}
RING = {"N": (0.0, 20.0), "E": (20.0, 0.0), "S": (0.0, -20.0), "W": (-20.0, 0.0)}
# counterclockwise seen from above (right-hand traffic): E -> N -> W -> S -> E
RING_LINKS = [("rE", "rN"), ("rN", "rW"), ("rW", "rS"), ("rS", "rE")]


def roundabout_network(ring_class: str = "residential") -> tuple[Network, np.ndarray, list[str], list[str]]:
    """A ring of four one-way links and four two-way residential arms; ids ``a>b``; the ring's
    road class, and the ``junction`` value of every stored link."""
    names = [*(f"r{k}" for k in RING), *ARMS]
    pos = {n: i for i, n in enumerate(names)}
    links = [(a, b, ring_class, "roundabout") for a, b in RING_LINKS]
    for k in ARMS:
        links += [(k, f"r{k}", "residential", ""), (f"r{k}", k, "residential", "")]
    net = Network.build(node_ids=np.array(names, dtype=object), link_ids=np.array([f"{a}>{b}" for a, b, _, _ in links], dtype=object),
                        from_node=np.array([pos[a] for a, _, _, _ in links]), to_node=np.array([pos[b] for _, b, _, _ in links]),
                        free_flow_time=np.full(len(links), 5.0), capacity=np.full(len(links), 600.0), alpha=0.15, beta=4.0, time_unit="s")  # fmt: skip
    xy = np.array([*RING.values(), *ARMS.values()], dtype=float)
    rc = {f"{a}>{b}": c for a, b, c, _ in links}
    jn = {f"{a}>{b}": j for a, b, _, j in links}
    return net, xy, [rc[k] for k in net.link_ids.tolist()], [jn[k] for k in net.link_ids.tolist()]


def yields(net: Network, junctions) -> dict[str, tuple[str, set[str]]]:
    ids = net.link_ids
    return {ids[k]: (r, {ids[c] for c in cs}) for k, r, cs in zip(junctions.approach.tolist(), junctions.rule.tolist(), junctions.conflicts, strict=True)}


def test_each_entry_gives_way_to_the_ring_and_the_ring_never_does() -> None:
    net, xy, rc, jn = roundabout_network()
    j = classify_junctions(net, rc, xy, junction=jn)
    # by hand: at ring node rN the ring link arriving is rE>rN, the entry N>rN; and so on round the ring
    assert yields(net, j) == {"N>rN": ("roundabout", {"rE>rN"}), "W>rW": ("roundabout", {"rN>rW"}), "S>rS": ("roundabout", {"rW>rS"}),
                              "E>rE": ("roundabout", {"rS>rE"})}  # fmt: skip
    assert j.summary() == {"junctions": 4, "major_road_junctions": 0, "priority_to_right_junctions": 0, "roundabout_junctions": 4,
                           "sign_junctions": 0, "yielding_approaches": 4, "roundabout_entries": 4, "roundabout_multilane_entries": 0}  # fmt: skip
    # without the junction values the same nodes are priority to the right: the ring link (the arm from
    # the entering car's left) gives way to the entry on its right, which itself gives way to no one
    plain = yields(net, classify_junctions(net, rc, xy))
    assert plain["rE>rN"] == ("right", {"N>rN"}) and "N>rN" not in plain
    # a ring of a higher class than its arms: the roundabout rule, not the major-road one (same yielding, other rule)
    net, xy, rc, jn = roundabout_network("secondary")
    assert {k: r for k, (r, _) in yields(net, classify_junctions(net, rc, xy, junction=jn)).items()} == dict.fromkeys(("N>rN", "W>rW", "S>rS", "E>rE"), "roundabout")
    # 'circular' is a ring too; a signalised ring node is left out
    j = classify_junctions(net, rc, xy, junction=["circular" if v else "" for v in jn], exclude=["rN"])
    assert set(yields(net, j)) == {"W>rW", "S>rS", "E>rE"} and j.n_roundabout == 3


def test_an_exit_only_ring_node_is_a_roundabout_junction_without_entry() -> None:
    names = ["rA", "rB", "rC", "X"]
    pos = {n: i for i, n in enumerate(names)}
    links = [("rA", "rB", "roundabout"), ("rB", "rC", "roundabout"), ("rC", "rA", "roundabout"), ("rB", "X", "")]
    net = Network.build(node_ids=np.array(names, dtype=object), link_ids=np.array([f"{a}>{b}" for a, b, _ in links], dtype=object),
                        from_node=np.array([pos[a] for a, _, _ in links]), to_node=np.array([pos[b] for _, b, _ in links]),
                        free_flow_time=np.full(4, 5.0), capacity=np.full(4, 600.0), alpha=0.15, beta=4.0, time_unit="s")  # fmt: skip
    xy = np.array([[20.0, 0.0], [0.0, 20.0], [-20.0, 0.0], [0.0, 100.0]])
    jn = {f"{a}>{b}": v for a, b, v in links}
    j = classify_junctions(net, ["residential"] * 4, xy, junction=[jn[k] for k in net.link_ids.tolist()])
    assert (j.n_junctions, j.n_roundabout, j.approach.size) == (1, 1, 0)


def test_entry_capacity_and_delay_are_the_hcm_roundabout_formulas() -> None:
    net, xy, rc, jn = roundabout_network()
    j = classify_junctions(net, rc, xy, junction=jn)
    gw = add_give_way(net, j)
    ids = net.link_ids.tolist()
    stored = gw.network.link_ids.tolist()
    lines = {stored[e][len("giveway:") :]: e for e in np.flatnonzero(gw.yielding >= 0).tolist()}
    # no circulating flow: 1130 veh/h (not 3600 / t_f = 900 of a two-way stop), delay 3600 / 1130 = 3.186 s (no 5 s)
    assert gw.network.capacity[lines["N>rN"]] == pytest.approx(1130.0, rel=1e-12)
    assert link_times(gw.network, np.zeros(gw.network.n_links))[lines["N>rN"]] == pytest.approx(3600.0 / 1130.0, rel=1e-12)
    flow = np.zeros(net.n_links)
    flow[ids.index("rE>rN")], flow[ids.index("rN>rW")], flow[ids.index("N>rN")] = 400.0, 250.0, 300.0
    updated, _ = gw.updated(flow)
    # v_c = 400 veh/h in front of N's entry: c = 1130 exp(-0.4) = 1130 x 0.670320 = 757.46 veh/h; W's entry: v_c = 250
    c = hcm_entry_capacity(400.0)
    assert c == pytest.approx(757.46, abs=0.01)
    assert updated.network.capacity[lines["N>rN"]] == pytest.approx(c, rel=1e-12)
    assert updated.network.capacity[lines["W>rW"]] == pytest.approx(hcm_entry_capacity(250.0), rel=1e-12)
    assert updated.network.capacity[lines["S>rS"]] == pytest.approx(1130.0, rel=1e-12)
    assert roundabout_capacity(np.array([0.0, 400.0, 1e5])).tolist() == pytest.approx([1130.0, c, 10.0])
    # Eq. 21-17 below, at and above capacity (the 5 s grow with min(x, 1)); at x = 0.396, by hand:
    # 3600 / 757.46 = 4.753 s; 225 (-0.6039 + sqrt(0.3647 + 4.753 x 0.3961 / 112.5)) = 225 x 0.01370 = 3.082 s; + 5 x 0.3961 = 1.980 s: 9.815 s
    for v in (0.0, 300.0, c, 1.4 * c):
        assigned = np.zeros(updated.network.n_links)
        assigned[lines["N>rN"]] = v
        assert link_times(updated.network, assigned)[lines["N>rN"]] == pytest.approx(hcm_roundabout_delay_s(v, c), rel=1e-12)
    assert hcm_roundabout_delay_s(300.0, c) == pytest.approx(9.815, abs=2e-3)


@pytest.mark.parametrize("code", [5, 6, 7])
@pytest.mark.parametrize("ratio", [0.0, 0.4, 0.99, 1.0, 1.3, 3.0])
def test_roundabout_delay_integral_and_derivative(code, ratio) -> None:
    from tests.test_traffic_vdf import assert_matches_reference

    c, period_h = 757.46, 0.25
    per_h = {5: 3600.0, 6: 60.0, 7: 1.0}[code]
    t0, k, period = 3600.0 / c * per_h / 3600.0, 5.0 * per_h / 3600.0, period_h * per_h

    def ref(v):
        return hcm_roundabout_delay_s(v, c, period_h) * per_h / 3600.0

    assert_matches_reference(ref, ratio * c, t0, c, period, k, code, kink_at_capacity=True)


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="50.8300000" lon="4.3500000"/>
  <node id="2" lat="50.8302000" lon="4.3503000"/>
  <node id="3" lat="50.8300000" lon="4.3506000"/>
  <node id="4" lat="50.8298000" lon="4.3503000"/>
  <node id="5" lat="50.8300000" lon="4.3490000"/>
  <way id="10"><nd ref="1"/><nd ref="4"/><nd ref="3"/><nd ref="2"/><nd ref="1"/><tag k="highway" v="tertiary"/><tag k="junction" v="roundabout"/></way>
  <way id="20"><nd ref="5"/><nd ref="1"/><tag k="highway" v="residential"/></way>
</osm>
"""


def test_the_osm_reader_keeps_the_junction_on_the_links(tmp_path: Path) -> None:
    from twin.ingest.dispatch import ingest

    path = tmp_path / "ring.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([path], context=False)
    links = scene.links.set_index("link_id")
    ring = links[links["source_id"] == "osm:way/10"]
    assert len(ring) >= 2 and set(ring["junction"]) == {"roundabout"}
    # one-way for cars: the backward links are for walkers only
    assert all(("car" in m) == k.endswith(":f") for k, m in ring["modes"].items())
    assert set(links.loc[links["source_id"] == "osm:way/20", "junction"]) == {""}


def test_a_scene_written_before_the_column_reads_empty() -> None:
    from tests.traffic_helpers import stgilles_scene
    from twin.scene.layers import conform

    links = stgilles_scene().links
    old = conform("links", links.drop(columns="junction"), crs=links.crs)
    assert "junction" in old.columns and set(old["junction"]) == {""}


# ----------------------------------------------------------------------------------- Saint-Gilles
def geojson_ring_counts() -> tuple[int, int]:
    """From the GeoJSON alone: ring nodes (vertices of the ``junction=roundabout`` ways that another
    way touches) and entries (touching ways that cars drive towards the vertex: two-way, or
    ``oneway=yes`` ending there; every class touching these rings is open to cars)."""
    import geopandas as gpd

    g = gpd.read_file(SAMPLES / "stgilles_streets_osm2013.geojson")
    ring = g["junction"].isin(["roundabout", "circular"]).to_numpy()
    assert ring.sum() == 5
    on_ring = {c for geom in g.geometry[ring] for c in geom.coords}
    nodes, entries = set(), 0
    for geom, oneway, highway in zip(g.geometry[~ring], g["oneway"][~ring], g["highway"][~ring], strict=True):
        cs = list(geom.coords)
        for i, c in enumerate(cs):
            if c in on_ring:
                assert highway in ("secondary", "tertiary", "residential", "service") and i in (0, len(cs) - 1)
                nodes.add(c)
                entries += int(oneway != "yes" or i == len(cs) - 1)
    return len(nodes), entries


@pytest.fixture(scope="module")
def stgilles():
    from tests.traffic_helpers import stgilles_scene

    return stgilles_scene()


def test_stgilles_ring_nodes_are_roundabout_junctions(stgilles) -> None:
    from twin.traffic.priority import scene_junction

    links = stgilles.links
    car = links[links["modes"].str.split(",").map(lambda m: "car" in m) & (links["capacity_veh_h"] > 0)]
    nodes = list(dict.fromkeys(car["from_node"].tolist() + car["to_node"].tolist()))
    pos = {n: i for i, n in enumerate(nodes)}
    net = Network.build(node_ids=np.array(nodes, dtype=object), link_ids=car["link_id"].to_numpy(dtype=object),
                        from_node=np.array([pos[a] for a in car["from_node"]]), to_node=np.array([pos[b] for b in car["to_node"]]),
                        free_flow_time=np.ones(len(car)), capacity=car["capacity_veh_h"].to_numpy(), alpha=0.15, beta=4.0, time_unit="s")  # fmt: skip
    where = stgilles.nodes.set_index("node_id").geometry
    xy = np.array([[where[n].x, where[n].y] for n in net.node_ids.tolist()])
    rc = dict(zip(car["link_id"], car["road_class"], strict=True))
    jn = scene_junction(links, net.link_ids.tolist())
    j = classify_junctions(net, [rc[k] for k in net.link_ids.tolist()], xy, junction=jn)
    n_nodes, n_entries = geojson_ring_counts()
    assert (n_nodes, n_entries) == (13, 10)
    s = j.summary()
    assert (s["roundabout_junctions"], s["roundabout_entries"]) == (n_nodes, n_entries)
    ring = {k for k, v in zip(net.link_ids.tolist(), jn, strict=True) if v}
    for k, r, cs in zip(j.approach.tolist(), j.rule.tolist(), j.conflicts, strict=True):
        assert net.link_ids[k] not in ring  # the ring never gives way
        if r == "roundabout":
            assert {net.link_ids[c] for c in cs.tolist()} <= ring and cs.size == 1
    # before: the same nodes without the junction values, some ring links gave way to entering cars
    before = classify_junctions(net, [rc[k] for k in net.link_ids.tolist()], xy)
    assert any(net.link_ids[k] in ring for k in before.approach.tolist())


def test_stgilles_mobility_with_roundabouts_converges(stgilles) -> None:
    """The mobility run with give-way delay reads the rings' ``junction`` values from the scene
    (twin.traffic.priority.scene_junctions): the 10 entries yield to the ring at HCM 2010 Eq. 21-1."""
    from twin.traffic.mobility import GIVE_WAY_LINK_PREFIX, MobilityOptions, run_district_mobility

    run = run_district_mobility(stgilles, MobilityOptions(periods=("am_peak",), feedback=1, give_way=True, compute_access=False))
    period = run.periods["am_peak"]
    gw = period.car_net.give_way
    assert gw.junctions.summary()["roundabout_entries"] == 10
    assert period.assignment.converged
    assert period.give_way.converged and period.give_way_change <= period.give_way.tolerance  # the fixed point to its tolerance (1 %)
    # every roundabout entry's line at HCM 2010 Eq. 21-1 of the circulating flow of the last assignment, within the reported change
    net, base_ids = period.car_net.network, period.car_net.base.link_ids
    rb = [e for e in np.flatnonzero(gw.yielding >= 0).tolist() if gw.junctions.rule[gw.yielding[e]] == "roundabout"]
    assert len(rb) == 10 and all(net.link_ids[e].startswith(GIVE_WAY_LINK_PREFIX) for e in rb)
    for e in rb:
        vc = sum(period.link_flow[base_ids[k]] for k in gw.junctions.conflicts[gw.yielding[e]].tolist())
        assert abs(hcm_entry_capacity(vc) - net.capacity[e]) <= period.give_way_change * net.capacity[e] * (1 + 1e-9) + 1e-9
    assert sum(period.link_flow[base_ids[k]] for e in rb for k in gw.junctions.conflicts[gw.yielding[e]].tolist()) > 0


def test_bad_junction_values_and_yielding_entries_one_line() -> None:
    net, xy, rc, jn = roundabout_network()
    with pytest.raises(InputError) as err:
        classify_junctions(net, rc, xy, junction=jn[:3])
    assert "\n" not in str(err.value) and "junction needs 12 values, got 3" in str(err.value) and "field 'junction'" in str(err.value)
    j = classify_junctions(net, rc, xy, junction=jn)
    with pytest.raises(InputError, match=r"yielding entries must be in 0\.\.3"):
        insert_give_way_lines(net, np.array([0]), np.array([4]), j)
