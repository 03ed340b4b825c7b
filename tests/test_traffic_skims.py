"""Skims: the tree kernel against a plain-Python Dijkstra with path reconstruction, SiouxFalls
skims against scipy, written as OpenMatrix and read back by ``openmatrix`` itself."""

from __future__ import annotations

import heapq

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra as sp_dijkstra

from tests.traffic_helpers import tntp_case
from twin.errors import OutputError
from twin.traffic.assign import assign
from twin.traffic.network import Network
from twin.traffic.skims import check_skim_output, network_skims, read_omx, write_skims


def python_paths(n, frm, to, cost, attr, origin, first_thru):
    """heapq Dijkstra keeping the predecessor link; attribute summed by walking back the path."""
    out = {}
    for k in range(len(frm)):
        out.setdefault(int(frm[k]), []).append(k)
    dist = [np.inf] * n
    pred = [-1] * n
    dist[origin] = 0.0
    heap = [(0.0, origin)]
    done = set()
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        if u < first_thru and u != origin:
            continue
        for k in out.get(u, []):
            v = int(to[k])
            if d + cost[k] < dist[v]:
                dist[v] = d + cost[k]
                pred[v] = k
                heapq.heappush(heap, (dist[v], v))
    sums = []
    for v in range(n):
        if not np.isfinite(dist[v]):
            sums.append(np.inf)
            continue
        s, x = 0.0, v
        while pred[x] >= 0:
            s += attr[pred[x]]
            x = int(frm[pred[x]])
        sums.append(s)
    return np.array(dist), np.array(sums)


def test_tree_kernel_matches_plain_python_paths() -> None:
    rng = np.random.default_rng(7)
    n, m, nz = 60, 260, 8
    frm = rng.integers(0, n, m)
    to = rng.integers(0, n, m)
    keep = frm != to
    frm, to = frm[keep], to[keep]
    cost = rng.uniform(1, 10, frm.size)
    length = rng.uniform(50, 500, frm.size)
    net = Network.build(node_ids=np.arange(n), link_ids=np.arange(frm.size), from_node=frm, to_node=to, free_flow_time=cost,
                        capacity=np.inf, length=length, alpha=0.0, n_zones=nz, first_thru_node=nz)
    sk = network_skims(net)
    for o in range(nz):
        d_ref, l_ref = python_paths(n, net.from_node, net.to_node, net.free_flow_time, net.length, o, nz)
        assert sk.matrices["time_min"][o] == pytest.approx(d_ref[:nz], rel=1e-12)
        assert sk.matrices["distance_unit"][o] == pytest.approx(l_ref[:nz], rel=1e-12)


@pytest.fixture(scope="module")
def sioux():
    return tntp_case("SiouxFalls")


def test_siouxfalls_skims_as_omx_read_back_by_openmatrix(sioux, tmp_path) -> None:
    import openmatrix as omx

    net, dem = sioux
    free = network_skims(net, mode="car", period="free_flow", cost_name="time", attributes={"length": net.length})
    res = assign(net, dem, algorithm="b", gap=1e-8)
    cong = network_skims(net, cost=res.cost, attributes={"time": res.time, "length": net.length}, mode="car", period="am_peak", cost_name="cost")
    # reference: scipy on the same costs
    g = csr_matrix((net.free_flow_time, (net.from_node, net.to_node)), shape=(net.n_nodes, net.n_nodes))
    ref = sp_dijkstra(g, indices=np.arange(net.n_zones))[:, : net.n_zones]
    assert free.matrices["time"] == pytest.approx(ref, rel=1e-12)
    gc = csr_matrix((res.cost, (net.from_node, net.to_node)), shape=(net.n_nodes, net.n_nodes))
    ref_c = sp_dijkstra(gc, indices=np.arange(net.n_zones))[:, : net.n_zones]
    assert cong.matrices["cost"] == pytest.approx(ref_c, rel=1e-12)
    # the congested skim of the OD flows' costs equals SPTT / demand (definition of the gap)
    assert float((dem.matrix * cong.matrices["cost"]).sum()) == pytest.approx(res.history[-1].sptt, rel=1e-9)
    path = write_skims(tmp_path / "sioux.omx", [free, cong])
    f = omx.open_file(str(path), "r")
    try:
        assert sorted(f.list_matrices()) == sorted(["car_free_flow_time", "car_free_flow_length", "car_am_peak_cost", "car_am_peak_time", "car_am_peak_length"])
        assert f.shape() == (24, 24)
        mapping = f.mapping("zone")
        assert sorted(mapping) == list(range(1, 25)) and mapping[1] == 0
        assert np.array(f["car_free_flow_time"]) == pytest.approx(ref, rel=1e-15)
        assert np.array(f["car_am_peak_cost"]) == pytest.approx(ref_c, rel=1e-15)
    finally:
        f.close()
    back = read_omx(path)
    assert back["zones"].tolist() == list(range(1, 25))
    pq = write_skims(tmp_path / "sioux.parquet", [free])
    import pandas as pd

    frame = pd.read_parquet(pq)
    assert len(frame) == 576 and frame["car_free_flow_time"].to_numpy() == pytest.approx(ref.ravel())


def test_skim_output_checked_first(tmp_path) -> None:
    with pytest.raises(OutputError, match="omx or .parquet"):
        check_skim_output(tmp_path / "skims.csv")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        check_skim_output(blocker / "skims.omx")
