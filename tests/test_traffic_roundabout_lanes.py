"""Multi-lane roundabout entries in the give-way model (issue 15, mobility; twin.traffic.priority).

HCM 2010 chapter 21 by lane configuration, written out here as printed: one circulating lane,
``1130 exp(-1.0e-3 v_c)`` per entry lane (Eq. 21-1 one-lane entry, Eq. 21-2 each lane of a
two-lane entry); two circulating lanes, ``1130 exp(-0.7e-3 v_c)`` for a one-lane entry (Eq. 21-3)
and a two-lane entry's right lane (Eq. 21-4), ``1130 exp(-0.75e-3 v_c)`` for its left lane
(Eq. 21-5); the entry's capacity is the sum over its lanes. Checked: each configuration at two
circulating flows; a four-arm roundabout with a two-lane ring and one two-lane entry by hand
(capacities, Eq. 21-17 delay on the entry's capacity, counts); the kernel of dynamic loading equal
to the static numbers for every configuration, directly and through its record; single-lane
Saint-Gilles results bit for bit those of the Eq. 21-1-only formula; the Brussels 2013 extract's
entries by configuration against the ways' tags read by pyosmium; a lane count below 1 refused.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from tests.test_traffic_priority import hcm_roundabout_delay_s
from tests.test_traffic_roundabouts import roundabout_network
from twin.errors import InputError
from twin.traffic.priority import GiveWayParameters, add_give_way, classify_junctions, junction_counts_text, roundabout_capacity
from twin.traffic.vdf import link_times

CONFIGURATIONS = [(1, 1), (1, 2), (2, 1), (2, 2)]


def hcm_lane_capacities(vc: float, entry_lanes: int, circulating_lanes: int) -> list[float]:
    """Capacity of each entry lane as printed in HCM 2010 chapter 21 (one or two lanes), veh/h."""
    if circulating_lanes == 1:
        return [1130.0 * math.exp(-1.0e-3 * vc)] * entry_lanes  # Eq. 21-1; Eq. 21-2 for each of two lanes
    if entry_lanes == 1:
        return [1130.0 * math.exp(-0.7e-3 * vc)]  # Eq. 21-3
    return [1130.0 * math.exp(-0.7e-3 * vc), 1130.0 * math.exp(-0.75e-3 * vc)]  # Eq. 21-4 (right), Eq. 21-5 (left)


@pytest.mark.parametrize("entry,circulating", CONFIGURATIONS)
@pytest.mark.parametrize("vc", [300.0, 900.0])
def test_each_configuration_is_the_hcm_formula(entry, circulating, vc) -> None:
    expected = sum(hcm_lane_capacities(vc, entry, circulating))
    assert roundabout_capacity(np.array([vc]), entry, circulating)[0] == pytest.approx(expected, rel=1e-14)
    # 3+ lanes use the two-lane formulas (HCM 2010 has none for more)
    assert roundabout_capacity(np.array([vc]), entry + (entry == 2), circulating + 2 * (circulating == 2))[0] == pytest.approx(expected, rel=1e-14)


def test_configurations_by_hand() -> None:
    # two lanes against two at v_c = 1000: 1130 (e^-0.70 + e^-0.75) = 1130 (0.496585 + 0.472367) = 1094.92 veh/h;
    # one lane against two at 600: 1130 e^-0.42 = 742.46; two lanes against one at 400: 2 x 1130 e^-0.4 = 1514.92
    got = roundabout_capacity(np.array([1000.0, 600.0, 400.0]), np.array([2, 1, 2]), np.array([2, 2, 1]))
    assert got.tolist() == pytest.approx([1094.92, 742.46, 1514.92], abs=0.01)
    # single lane: today's Eq. 21-1 bit for bit, the floor kept
    vc = np.array([0.0, 400.0, 1e5])
    assert np.array_equal(roundabout_capacity(vc), np.maximum(1130.0 * np.exp(-1.0e-3 * vc), 10.0))
    assert roundabout_capacity(np.array([1e5]), 2, 2)[0] == 10.0


def two_lane_ring():
    """The four-arm roundabout of tests/test_traffic_roundabouts.py with a two-lane ring and a
    two-lane entry from the north (N>rN); every other link one lane."""
    net, xy, rc, jn = roundabout_network()
    lanes = [2 if j or k == "N>rN" else 1 for k, j in zip(net.link_ids.tolist(), jn, strict=True)]
    return net, xy, rc, jn, lanes


def test_two_lane_ring_and_entry_by_hand() -> None:
    net, xy, rc, jn, lanes = two_lane_ring()
    j = classify_junctions(net, rc, xy, junction=jn, lanes=lanes)
    ids = net.link_ids.tolist()
    per = {ids[k]: (int(e), int(c)) for k, e, c in zip(j.approach.tolist(), j.entry_lanes, j.circulating_lanes, strict=True)}
    assert per == {"N>rN": (2, 2), "W>rW": (1, 2), "S>rS": (1, 2), "E>rE": (1, 2)}
    assert j.summary()["roundabout_multilane_entries"] == 4 and j.summary()["roundabout_entries"] == 4
    assert j.roundabout_configurations() == {(1, 1): 0, (1, 2): 3, (2, 1): 0, (2, 2): 1}
    gw = add_give_way(net, j)
    stored = gw.network.link_ids.tolist()
    lines = {stored[e][len("giveway:") :]: e for e in np.flatnonzero(gw.yielding >= 0).tolist()}
    # no circulating flow: 2 x 1130 at the two-lane entry, 1130 at the others
    assert gw.network.capacity[lines["N>rN"]] == pytest.approx(2260.0, rel=1e-12)
    assert gw.network.capacity[lines["W>rW"]] == pytest.approx(1130.0, rel=1e-12)
    flow = np.zeros(net.n_links)
    flow[ids.index("rE>rN")], flow[ids.index("rN>rW")] = 400.0, 250.0
    updated, _ = gw.updated(flow)
    # by hand: N (two lanes against two, v_c = 400): 1130 (e^-0.28 + e^-0.30) = 1130 (0.755784 + 0.740818) = 1691.16 veh/h;
    # W (one lane against two, v_c = 250): 1130 e^-0.175 = 1130 x 0.839457 = 948.59; S (v_c = 0): 1130
    c_n = updated.network.capacity[lines["N>rN"]]
    assert c_n == pytest.approx(1691.16, abs=0.01)
    assert updated.network.capacity[lines["W>rW"]] == pytest.approx(948.59, abs=0.01)
    assert updated.network.capacity[lines["S>rS"]] == pytest.approx(1130.0, rel=1e-12)
    # control delay: HCM 2010 Eq. 21-17 on the entry's capacity
    for v in (0.0, 900.0, c_n, 1.3 * c_n):
        assigned = np.zeros(updated.network.n_links)
        assigned[lines["N>rN"]] = v
        assert link_times(updated.network, assigned)[lines["N>rN"]] == pytest.approx(hcm_roundabout_delay_s(v, c_n), rel=1e-12)
    # the same roundabout with one-lane ring: the two-lane entry has 2 x Eq. 21-1 (Eq. 21-2), the others Eq. 21-1
    one_ring = [2 if k == "N>rN" else 1 for k in ids]
    j1 = classify_junctions(net, rc, xy, junction=jn, lanes=one_ring)
    vc = j1.conflicting_flow(flow)
    cap = dict(zip([ids[k] for k in j1.approach.tolist()], j1.capacity(vc, GiveWayParameters()).tolist(), strict=True))
    assert cap["N>rN"] == pytest.approx(2 * 1130.0 * math.exp(-0.4), rel=1e-14) and cap["W>rW"] == pytest.approx(1130.0 * math.exp(-0.25), rel=1e-14)
    assert j1.summary()["roundabout_multilane_entries"] == 1


def test_counts_text_names_multi_lane_entries_only_when_there_are_some() -> None:
    net, xy, rc, jn, lanes = two_lane_ring()
    s = classify_junctions(net, rc, xy, junction=jn, lanes=lanes).summary()
    assert junction_counts_text(s) == ("4 unsignalised junctions (0 on a major road, 0 priority to the right, 4 on a roundabout's ring "
                                       "(4 multi-lane entries), 0 decided by signs in the data)")  # fmt: skip
    one = classify_junctions(net, rc, xy, junction=jn).summary()
    assert one["roundabout_multilane_entries"] == 0
    text = "4 unsignalised junctions (0 on a major road, 0 priority to the right, 4 on a roundabout's ring, 0 decided by signs in the data)"
    assert junction_counts_text(one) == text
    # a summary written before the count (e.g. a figures file) reads as none
    assert junction_counts_text({f"give_way_{k}": v for k, v in one.items() if k != "roundabout_multilane_entries"}, "give_way_") == text


def test_kernel_equals_the_static_formula_for_every_configuration() -> None:
    from twin.kernels.give_way import give_way_capacity_veh_h
    from twin.traffic.dynamic_give_way import give_way_arrays

    net, xy, rc, jn, lanes = two_lane_ring()
    params = give_way_arrays(net, classify_junctions(net, rc, xy, junction=jn, lanes=lanes)).kernel.params
    vc = np.r_[0.0, np.random.default_rng(15).uniform(0.0, 3000.0, 40), 1e5]
    for entry in (1, 2, 3):
        for circulating in (1, 2, 3):
            static = roundabout_capacity(vc, entry, circulating)
            kernel = [give_way_capacity_veh_h(v, True, params, entry, circulating) for v in vc]
            assert kernel == pytest.approx(static, rel=1e-12, abs=0.0), (entry, circulating)
    # the default lanes (one against one) of the three-argument call
    assert [give_way_capacity_veh_h(v, True, params) for v in vc] == pytest.approx(roundabout_capacity(vc), rel=1e-12)


def test_kernel_record_carries_the_lanes_of_each_entry() -> None:
    """update_give_way (every step of dynamic loading) at known conflicting outflows gives the
    static capacities of the four entries (two lane configurations)."""
    from twin.kernels.give_way import update_give_way
    from twin.traffic.dynamic_give_way import give_way_arrays

    net, xy, rc, jn, lanes = two_lane_ring()
    j = classify_junctions(net, rc, xy, junction=jn, lanes=lanes)
    arrays = give_way_arrays(net, j, window_s=1.0, dt_s=1.0)
    assert arrays.kernel.entry_lanes.tolist() == j.entry_lanes.tolist() and arrays.kernel.circulating_lanes.tolist() == j.circulating_lanes.tolist()
    rate = np.zeros(net.n_links)
    rate[net.link_ids.tolist().index("rE>rN")], rate[net.link_ids.tolist().index("rN>rW")] = 400.0, 250.0  # veh/h
    cum_out = np.zeros((net.n_links, 2))
    cum_out[:, 1] = rate / 3600.0  # one step of 1 s
    base = np.full(net.n_links, 1.0)  # veh/s: above every give-way capacity
    discharge, cap = base.copy(), np.zeros((j.approach.size, 2))
    update_give_way(arrays.kernel, cum_out, 1, 1.0, base, discharge, cap)
    static = j.capacity(j.conflicting_flow(rate), GiveWayParameters())
    assert cap[:, 1] * 3600.0 == pytest.approx(static, rel=1e-12)
    assert np.array_equal(discharge[j.approach], cap[:, 1])


def test_a_lane_count_below_one_is_refused_naming_the_link() -> None:
    net, xy, rc, jn, lanes = two_lane_ring()
    bad = list(lanes)
    bad[net.link_ids.tolist().index("W>rW")] = 0
    with pytest.raises(InputError) as err:
        classify_junctions(net, rc, xy, junction=jn, lanes=bad)
    msg = str(err.value)
    assert "\n" not in msg and "object link W>rW" in msg and "field 'lanes'" in msg and "whole number >= 1, got 0" in msg
    with pytest.raises(InputError, match="lanes needs 12 values, got 3"):
        classify_junctions(net, rc, xy, junction=jn, lanes=lanes[:3])
    with pytest.raises(InputError, match="field 'circulating_lanes'.*got 1.5"):
        roundabout_capacity(np.array([100.0]), 1, 1.5)


def test_a_scene_link_with_zero_lanes_is_one_error_line(tmp_path) -> None:
    """``twin traffic assign --scene ... --give-way`` on a scene whose roundabout entry has 0 lanes:
    one ``twin: error:`` line naming the link and the field, exit 2."""
    from tests.cli_harness import assert_one_line_error, run_twin
    from tests.test_traffic_roundabouts import OSM_XML
    from twin.export import write_scene
    from twin.ingest.dispatch import ingest

    path = tmp_path / "ring.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([path], context=False)
    links = scene.links.copy()
    entry = links.loc[(links["source_id"] == "osm:way/20") & links["link_id"].str.endswith(":f"), "link_id"].iloc[0]
    links.loc[links["link_id"] == entry, "lanes"] = 0
    scene.set_layer("links", links)
    write_scene(scene, tmp_path / "scene")
    nodes = scene.nodes["node_id"].tolist()
    od = tmp_path / "od.csv"
    od.write_text(f"origin,destination,flow_veh_h\n{nodes[0]},{nodes[-1]},10\n", encoding="utf-8")
    result = run_twin(["traffic", "assign", "--scene", tmp_path / "scene", "--demand", od, "--no-signals", "--give-way"])
    assert_one_line_error(result, contains=(f"link {entry}", "field 'lanes'", "whole number >= 1, got 0"))


@pytest.mark.slow
def test_single_lane_stgilles_is_bit_for_bit_the_eq_21_1_model(monkeypatch) -> None:
    """Saint-Gilles (10 roundabout entries, none multi-lane): the static give-way run's link flows,
    link times and capacities equal, bit for bit, those of a run whose roundabout capacity is
    Eq. 21-1 alone as written before lane configurations (``1130 exp(-1.0e-3 v_c)``, floored)."""
    import twin.traffic.priority as priority
    from tests.traffic_helpers import stgilles_scene
    from twin.traffic.mobility import MobilityOptions, run_district_mobility

    scene = stgilles_scene()
    options = MobilityOptions(periods=("am_peak",), feedback=1, give_way=True, compute_access=False)

    def run() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
        p = run_district_mobility(scene, options).periods["am_peak"]
        keys = sorted(p.link_flow)
        return (np.array([p.link_flow[k] for k in keys]), np.array([p.link_time_s[k] for k in keys]), p.car_net.network.capacity.copy(),
                p.car_net.give_way.junctions.summary())  # fmt: skip

    flow, time, cap, summary = run()
    assert summary["roundabout_entries"] == 10 and summary["roundabout_multilane_entries"] == 0

    def eq_21_1_only(vc, *_lanes):
        return np.maximum(1130.0 * np.exp(-1.0e-3 * np.asarray(vc, dtype=np.float64)), 10.0)

    monkeypatch.setattr(priority, "roundabout_capacity", eq_21_1_only)
    flow0, time0, cap0, _ = run()
    assert np.array_equal(flow, flow0) and np.array_equal(time, time0) and np.array_equal(cap, cap0)
    assert flow.sum() > 0


# ------------------------------------------------------------------------------------ Brussels 2013
CAR_CLASSES = {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link", "tertiary",
               "tertiary_link", "unclassified", "road", "residential", "living_street", "service", "services", "track"}  # fmt: skip
STREET_CLASSES = CAR_CLASSES | {"busway", "bus_guideway", "pedestrian", "footway", "steps", "corridor", "path", "bridleway", "cycleway"}


def _whole_lanes(value: str | None) -> int | None:
    """A ``lanes`` tag's whole number of lanes (>= 1), else None."""
    try:
        n = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return int(n) if math.isfinite(n) and n >= 1 else None


def tag_count_of_roundabout_entries(pbf) -> dict[tuple[str, str, str], tuple[int, int]]:
    """From the ways' tags alone (pyosmium, not the GDAL reader of the ingest): every entry of a
    ring (``junction=roundabout|circular``) as (node ``<lon e7>_<lat e7>``, ``osm:way/<id>``, side
    ``f``/``b``) -> (entry lanes, circulating lanes), both capped at 2. Ways open to cars (a car
    class, no ``access`` / ``motor_vehicle`` = no / private, not an area); an entry is a side of a
    non-ring way driven towards a ring node (``oneway``), where a ring segment arrives and one
    leaves, with at least three distinct neighbours in the street graph (nodes: the ends of the
    street ways open to someone and the OSM nodes on two of them or twice on one; a piece of way from a node back
    to itself cut at its middle vertex; so a turning loop at a dead end is no junction). Lanes
    from ``lanes:forward`` / ``lanes:backward``, else ``lanes`` (half of it, rounded down, on a
    two-way way), else one (no tag: the class default, read as one lane); the ring's from
    ``lanes`` of the ring way arriving (the most where several do)."""
    from collections import Counter

    import osmium

    where, ways, occurrences = {}, [], Counter()
    for obj in osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if not obj.is_way() or obj.tags.get("highway") not in STREET_CLASSES or obj.tags.get("area") == "yes":
            continue
        tags = {t.k: t.v for t in obj.tags}
        if tags.get("access") in ("no", "private") and not {"yes", "designated", "permissive"} & {tags.get("foot"), tags.get("bicycle")}:
            continue  # open to no one: not a street line of the ingest
        refs = [n.ref for i, n in enumerate(obj.nodes) if i == 0 or n.ref != obj.nodes[i - 1].ref]
        occurrences.update(refs)
        if tags["highway"] not in CAR_CLASSES or {"no", "private"} & {tags.get("access"), tags.get("motor_vehicle")}:
            continue
        where.update({n.ref: f"{n.location.x}_{n.location.y}" for n in obj.nodes})
        oneway = tags.get("oneway")
        ring = tags.get("junction") in ("roundabout", "circular")
        d = 0 if oneway in ("no", "false", "0") else -1 if oneway in ("-1", "reverse") else 1 if ring or oneway in ("yes", "true", "1") or tags["highway"] == "motorway" else 0
        ways.append((obj.id, refs, tags, ring, d))
    neighbours: dict[int, set[int]] = {}
    ring_in: dict[int, int] = {}
    ring_out: set[int] = set()
    for _, refs, tags, ring, d in ways:
        cut = [i for i, n in enumerate(refs) if i in (0, len(refs) - 1) or occurrences[n] >= 2]
        for i, k in zip(cut[:-1], cut[1:], strict=True):
            ends = [refs[i], refs[(i + k) // 2], refs[k]] if refs[i] == refs[k] else [refs[i], refs[k]]
            for a, b in zip(ends[:-1], ends[1:], strict=True):
                neighbours.setdefault(a, set()).add(b), neighbours.setdefault(b, set()).add(a)
        for a, b in zip(refs[:-1], refs[1:], strict=True):
            if ring:
                lanes = _whole_lanes(tags.get("lanes:forward")) or _whole_lanes(tags.get("lanes")) or 1
                for tail, head in ((a, b),) * (d >= 0) + ((b, a),) * (d <= 0):
                    ring_in[head] = max(ring_in.get(head, 0), lanes)
                    ring_out.add(tail)
    out = {}
    for wid, refs, tags, ring, d in ways:
        total = _whole_lanes(tags.get("lanes"))
        for i, n in enumerate(refs):
            if ring or n not in ring_in or n not in ring_out or len(neighbours[n]) < 3:
                continue
            for side, drives, own in (("f", i > 0 and d >= 0, "lanes:forward"), ("b", i < len(refs) - 1 and d <= 0, "lanes:backward")):
                if drives:
                    entry = _whole_lanes(tags.get(own)) or (total if d != 0 else (total // 2 if total else None)) or 1
                    out[(where[n], f"osm:way/{wid}", side)] = (min(entry, 2), min(ring_in[n], 2))
    return out


def test_brussels_2013_entries_by_configuration_match_the_ways_tags() -> None:
    """The Brussels 2013 extract through the scene ingest and scene_junctions: its roundabout
    entries by lane configuration, entry by entry the same as the count from the ways' tags."""
    from collections import Counter

    from tests.conftest import shared_path
    from twin.ingest import ingest
    from twin.traffic.network import Network
    from twin.traffic.priority import scene_junctions

    pbf = shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([pbf], layers=("streets",))
    net = Network.from_scene(scene, mode="car")
    j = scene_junctions(scene, scene.links, net, street=net.capacity > 0, signalised=False)
    source = dict(zip(scene.links["link_id"], scene.links["source_id"], strict=True))
    ring = j.rule == "roundabout"
    found = {(str(net.node_ids[v]).rsplit(":", 1)[-1], source[net.link_ids[k]], str(net.link_ids[k]).rsplit(":", 1)[-1]): (min(int(e), 2), min(int(c), 2))
             for v, k, e, c in zip(j.node[ring], j.approach[ring], j.entry_lanes[ring], j.circulating_lanes[ring], strict=True)}  # fmt: skip
    expected = tag_count_of_roundabout_entries(pbf)
    assert found == expected
    by_configuration = Counter(expected.values())
    # 2013: 1,136 ring entries, 25 of them multi-lane: 17 one lane against a two-lane ring, 4 two lanes against one, 4 two against two
    assert by_configuration[(1, 2)] + by_configuration[(2, 1)] + by_configuration[(2, 2)] >= 20 and all(by_configuration[c] > 0 for c in CONFIGURATIONS)
    # mini roundabouts: one lane against one; the summary and the configurations count both kinds of entry
    assert set(zip(j.entry_lanes[~ring & j.roundabout], j.circulating_lanes[~ring & j.roundabout], strict=True)) <= {(1, 1)}
    configurations = j.roundabout_configurations()
    assert configurations == {c: by_configuration[c] + (c == (1, 1)) * int((~ring & j.roundabout).sum()) for c in CONFIGURATIONS}
    s = j.summary()
    assert s["roundabout_multilane_entries"] == sum(n for c, n in configurations.items() if c != (1, 1)) and s["roundabout_entries"] == sum(configurations.values())
