"""Traffic counts (reader, GEH) and OD estimation from counts: closed-form GLS on a network with
fixed routes, and the SiouxFalls experiment of issue 15 (counts from the known matrix)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import shared_path
from tests.traffic_helpers import tntp_case
from twin.errors import InputError
from twin.traffic.assign import assign
from twin.traffic.counts import Counts, estimate_od, geh, read_counts
from twin.traffic.network import Network
from twin.traffic.tntp import read_network, read_trips


def test_geh_by_hand() -> None:
    assert geh(np.array([100.0]), np.array([50.0]))[0] == pytest.approx(np.sqrt(2 * 50.0**2 / 150.0))
    assert geh(np.array([0.0, 400.0]), np.array([0.0, 400.0])).tolist() == [0.0, 0.0]


def three_zone_network() -> Network:
    """Zones 1, 2, 3 on a line through nodes 4 and 5, constant link times (routes never change)."""
    frm = [0, 3, 3, 4, 4, 1, 1, 3, 2, 4]
    to = [3, 0, 4, 3, 1, 4, 3, 1, 4, 2]
    return Network.build(
        node_ids=np.arange(1, 6), link_ids=np.arange(1, 11), from_node=frm, to_node=to, free_flow_time=np.full(10, 1.0),
        capacity=np.full(10, 1000.0), alpha=np.zeros(10), beta=np.zeros(10), n_zones=3, first_thru_node=3,
    )


def test_gls_matches_the_closed_form() -> None:
    """Fixed routes: one GLS round is the linear estimator x0 + W P' (P W P' + V)^-1 (v - P x0)
    (Cascetta 1984), computed here with plain NumPy."""
    net = three_zone_network()
    x0 = np.array([[0.0, 100.0, 50.0], [80.0, 0.0, 60.0], [40.0, 70.0, 0.0]])
    ids = {int(lid): k for k, lid in enumerate(net.link_ids)}
    counted = [ids[3], ids[5]]  # links 4->5 and 5->2 (stored indices)
    res = assign(net, x0, algorithm="b", gap=1e-12)
    v = res.flow[counted] * np.array([1.2, 0.9])
    counts = Counts([np.array([k]) for k in counted], v, ["3", "5"], "am", "car")
    est = estimate_od(net, x0, counts, method="gls", prior_cv=0.3, count_cv=0.05, outer=1)
    od = np.flatnonzero(x0.ravel() > 0)
    # proportions by hand: each OD pair has one route
    p = np.zeros((2, od.size))
    for a, k in enumerate(counted):
        for j, flat in enumerate(od):
            o, d = divmod(int(flat), 3)
            one = np.zeros((3, 3))
            one[o, d] = 1.0
            p[a, j] = assign(net, one, algorithm="b", gap=1e-12).flow[k]
    w = np.diag((0.3 * x0.ravel()[od]) ** 2)
    vv = np.diag((0.05 * v) ** 2)
    ref = x0.ravel()[od] + w @ p.T @ np.linalg.solve(p @ w @ p.T + vv, v - p @ x0.ravel()[od])
    assert (ref > 0).all()
    np.testing.assert_allclose(est.matrix.ravel()[od], ref, rtol=1e-6)
    assert np.all(est.geh < est.geh_prior)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "counts.csv"
    path.write_text(text)
    return path


def test_read_counts_and_bad_rows(tmp_path: Path) -> None:
    net = three_zone_network()
    good = write(tmp_path, "link_id,period,vehicles,class\n3,am,120,car\n4-2,am,80.5,car\n3,pm,10,car\n")
    c = read_counts(good, net, period="am")
    assert c.labels == ["3", "4-2"] and c.vehicles.tolist() == [120.0, 80.5] and c.period == "am" and c.klass == "car"
    cases = [
        ("link_id,period,vehicles,class\n99,am,1,car\n", "line 2", "no link '99'"),
        ("link_id,period,vehicles,class\n3,am,-4,car\n", "line 2", "finite number >= 0"),
        ("link_id,period,vehicles,class\n3,am,abc,car\n", "line 2", "finite number >= 0"),
        ("link_id,period,vehicles,class\n3,am,nan,car\n", "line 2", "finite number >= 0"),
        ("link_id,period,vehicles,class\n3,am,1e12,car\n", "line 2 (link_id 3); field 'vehicles'", "above the largest plausible count, 921,600"),
        ("link_id,period,vehicles,class\n3,am,4,car\n4-2,,5,car\n", "line 3; field 'period'", "empty period"),
        ("link_id,period,vehicles,class\n3,am,4, \n", "line 2; field 'class'", "empty class"),
        ("link_id,period,vehicles,class\n3,am,4,car\n3,am,5,car\n", "line 3", "counted twice"),
        ("link_id,period,class\n3,am,car\n", "", "missing column 'vehicles'"),
        ("period,vehicles,class\nam,3,car\n", "", "exactly one of the columns"),
        ("link_id,period,vehicles,class\n3,am,4,car\n3,pm,5,car\n", "", "choose one"),
        ("osm_way_id,period,vehicles,class\n123,am,4,car\n", "", "network built from OSM ways"),
    ]
    for text, where, message in cases:
        path = write(tmp_path, text)
        with pytest.raises(InputError, match=message) as info:
            read_counts(path, net)
        assert str(path) in str(info.value) and where in str(info.value)
    with pytest.raises(InputError, match="no count for period 'night'"):
        read_counts(good, net, period="night")


def test_count_bound_follows_the_hours_and_the_links(tmp_path: Path) -> None:
    """The plausible bound of a count is the widest road (16 lanes at 2,400 veh/h) over a day, or
    over the hours given (design flows), times the links an OSM way count sums."""
    from twin.traffic.counts import MAX_COUNT_PER_LINK

    net = three_zone_network()
    assert MAX_COUNT_PER_LINK == 16 * 2400 * 24
    day = write(tmp_path, "link_id,period,vehicles,class\n3,am,921600,car\n")
    assert read_counts(day, net).vehicles.tolist() == [921600.0]  # at the bound: accepted
    with pytest.raises(InputError, match=r"above the largest plausible count, 38,400 .* over 1 h") as info:
        read_counts(day, net, period_h=1.0)
    assert "line 2" in str(info.value) and str(day) in str(info.value)
    net.meta["osm_way_id"] = np.array(["10", "10", "20", "20", "30", "30", "40", "40", "50", "50"])
    two = write(tmp_path, "osm_way_id,period,vehicles,class\n20,am,1500000,all\n")
    assert read_counts(two, net).vehicles.tolist() == [1.5e6]  # two links: twice the bound
    with pytest.raises(InputError, match="on 2 links is above"):
        read_counts(write(tmp_path, "osm_way_id,period,vehicles,class\n20,am,2e6,all\n"), net)


def test_counts_by_osm_way(tmp_path: Path) -> None:
    net = three_zone_network()
    net.meta["osm_way_id"] = np.array(["10", "10", "20", "20", "30", "30", "40", "40", "50", "50"])
    c = read_counts(write(tmp_path, "osm_way_id,period,vehicles,class\n20,am,300,all\n"), net)
    assert sorted(c.links[0].tolist()) == [2, 3]  # both directions of the way
    assert c.modelled(np.arange(10.0))[0] == 5.0


def test_siouxfalls_estimation_from_30_percent_of_links() -> None:
    """Issue 15 experiment: counts from the known SiouxFalls matrix at equilibrium on 30 % of the
    links (23) with 2 % noise; prior = an outdated matrix (0.9 x true, zonal factors of 5 % and
    cell noise of 5 %, log-normal). Measured (docs/traffic.md): GEH < 5 on the held-back links
    0.09 -> 0.79 and on the counted links 0.09 -> 1.00 (seed 0, zone_cv 0.1). The acceptance asks
    >= 0.85 on the held-back links: NOT met; this test pins what is reached."""
    net, demand = tntp_case("SiouxFalls")
    true = demand.matrix
    flow = assign(net, true, algorithm="b", gap=1e-8).flow
    rng = np.random.default_rng(0)
    m = net.n_links
    counted = rng.permutation(m)[: round(0.3 * m)]
    held = np.setdiff1d(np.arange(m), counted)
    vehicles = flow * (1 + 0.02 * rng.standard_normal(m))
    counts = Counts([np.array([k]) for k in counted], vehicles[counted], [str(net.link_ids[k]) for k in counted], "am", "car")
    z = net.n_zones
    prior = 0.9 * true * rng.lognormal(0, 0.05, (z, 1)) * rng.lognormal(0, 0.05, (1, z)) * rng.lognormal(0, 0.05, (z, z))
    est = estimate_od(net, prior, counts, method="zonal", count_cv=0.02, outer=8)
    held_prior = np.mean(geh(est.flow_prior[held], vehicles[held]) < 5)
    held_after = np.mean(geh(est.flow[held], vehicles[held]) < 5)
    assert np.mean(est.geh < 5) >= 0.9 and np.mean(est.geh_prior < 5) <= 0.2
    assert held_prior <= 0.2 and held_after >= 0.7, (held_prior, held_after)
    assert abs(est.matrix.sum() / true.sum() - 1) <= 0.02  # the total is recovered (prior: -10 %)


def test_cli_estimate_od(tmp_path: Path) -> None:
    import json

    from tests.cli_harness import assert_one_line_error, run_twin

    folder = shared_path("traffic", "tntp", "SiouxFalls")
    net, trips = folder / "SiouxFalls_net.tntp", folder / "SiouxFalls_trips.tntp"
    network = read_network(net)
    true = read_trips(trips, n_zones=network.n_zones).matrix
    flow = assign(network, true, algorithm="b", gap=1e-6).flow
    rows = [f"{network.link_ids[k]},am,{1.1 * flow[k]:.3f},car" for k in range(0, network.n_links, 4)]
    counts = write(tmp_path, "link_id,period,vehicles,class\n" + "\n".join(rows) + "\n")
    out = tmp_path / "od.csv"
    r = run_twin(["traffic", "estimate-od", "--net", net, "--trips", trips, "--counts", counts, "--rounds", "3", "-o", out, "--json"])
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["counts"] == len(rows) and s["geh_below_5"] > s["geh_below_5_prior"]
    assert s["total_estimated"] > 1.05 * s["total_prior"]  # counts 10 % above the prior's flows
    assert out.exists()
    bad = write(tmp_path, "link_id,period,vehicles,class\n9999,am,10,car\n")
    assert_one_line_error(run_twin(["traffic", "estimate-od", "--net", net, "--trips", trips, "--counts", bad]), contains=("no link '9999'", "line 2"))


def siouxfalls_truth(gap: float = 1e-10) -> tuple[Network, np.ndarray, np.ndarray]:
    net, demand = tntp_case("SiouxFalls")
    true = demand.matrix
    return net, true, assign(net, true, algorithm="b", gap=gap).flow


@pytest.mark.parametrize("method", ["gls", "zonal", "structured"])
def test_true_matrix_is_a_fixed_point_without_noise(method: str) -> None:
    """Prior = the true SiouxFalls matrix, counts = its equilibrium flows on 30 % of the links
    without noise: the bi-level loop must not move the matrix (first round's change ~ 0)."""
    net, true, flow = siouxfalls_truth()
    counted = np.random.default_rng(0).permutation(net.n_links)[: round(0.3 * net.n_links)]
    counts = Counts([np.array([k]) for k in counted], flow[counted], [str(net.link_ids[k]) for k in counted], "am", "car")
    est = estimate_od(net, true, counts, method=method, prior_cv=0.25, count_cv=0.02, gap=1e-10, outer=3)
    assert len(est.rounds) == 1 and est.rounds[0]["change"] < 1e-8
    np.testing.assert_allclose(est.matrix, true, rtol=0, atol=1e-8 * true.max())
    assert np.all(est.geh < 1e-3)


def test_held_back_ceiling_with_independent_cell_errors() -> None:
    """Why the issue-15 target (GEH < 5 on 85 % of held-back SiouxFalls links) is a property of
    the set-up, not of the estimator: with a prior whose cells are independently wrong (log-normal,
    CV 0.25) even the best linear estimator, the GLS / BLUP x0 + W P' (P W P' + V)^-1 (v - P x0)
    with the TRUE equilibrium proportions and the TRUE variances, fits the counted links but
    leaves the held-back ones about where the prior had them (independent cell errors are hardly
    correlated across links); and the true matrix itself fails GEH 5 on many links once counts
    carry 5 % noise, because the links carry 4,500-23,000 veh/h (GEH 5 = a 3-5 % band)."""
    from twin.traffic.select_link import select_link

    net, true, flow = siouxfalls_truth()
    m = net.n_links
    od = np.flatnonzero(true.ravel() > 0)
    xt = true.ravel()[od]
    res = assign(net, true, algorithm="b", gap=1e-10)
    p = np.array([select_link(res, [str(net.link_ids[k])], demand=true).od.ravel()[od] / xt for k in range(m)])
    np.testing.assert_allclose(p @ xt, flow, rtol=1e-9)
    prior_share, blup_share, counted_share, true_share_5 = [], [], [], []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        counted = rng.permutation(m)[: round(0.3 * m)]
        held = np.setdiff1d(np.arange(m), counted)
        v = flow * (1 + 0.02 * rng.standard_normal(m))
        x0 = xt * rng.lognormal(-0.5 * 0.25**2, 0.25, xt.size)
        w = (0.25 * x0) ** 2
        pc = p[counted]
        xh = x0 + w * (pc.T @ np.linalg.solve(pc @ (w[:, None] * pc.T) + np.diag((0.02 * v[counted]) ** 2), v[counted] - pc @ x0))
        prior_share.append(np.mean(geh(p[held] @ x0, v[held]) < 5))
        blup_share.append(np.mean(geh(p[held] @ xh, v[held]) < 5))
        counted_share.append(np.mean(geh(pc @ xh, v[counted]) < 5))
        v5 = flow * (1 + 0.05 * rng.standard_normal(m))
        true_share_5.append(np.mean(geh(flow[held], v5[held]) < 5))
    assert min(counted_share) >= 0.95  # the counts are fitted
    assert max(blup_share) < 0.85 and np.mean(blup_share) - np.mean(prior_share) < 0.15, (prior_share, blup_share)
    assert np.mean(true_share_5) < 0.85, true_share_5


def test_structured_gls_matches_the_closed_form() -> None:
    """Fixed routes, method="structured": one round is x0 + W P' (P W P' + V)^-1 (v - P x0) with the
    dense correlated W = X0 (g^2 + z^2 ([o = o'] + [d = d']) + c^2 [same cell]) X0, built here
    entry by entry."""
    net = three_zone_network()
    x0 = np.array([[0.0, 100.0, 50.0], [80.0, 0.0, 60.0], [40.0, 70.0, 0.0]])
    ids = {int(lid): k for k, lid in enumerate(net.link_ids)}
    counted = [ids[3], ids[5], ids[8]]
    res = assign(net, x0, algorithm="b", gap=1e-12)
    v = res.flow[counted] * np.array([1.2, 0.9, 1.05])
    counts = Counts([np.array([k]) for k in counted], v, ["3", "5", "8"], "am", "car")
    est = estimate_od(net, x0, counts, method="structured", global_cv=0.2, zone_cv=0.1, prior_cv=0.3, count_cv=0.05, outer=1)
    od = [int(f) for f in np.flatnonzero(x0.ravel() > 0)]
    xv = x0.ravel()[od]
    p = np.zeros((len(counted), len(od)))
    w = np.zeros((len(od), len(od)))
    for j, fj in enumerate(od):
        one = np.zeros(9)
        one[fj] = 1.0
        p[:, j] = assign(net, one.reshape(3, 3), algorithm="b", gap=1e-12).flow[counted]
        for i, fi in enumerate(od):
            (oi, di), (oj, dj) = divmod(fi, 3), divmod(fj, 3)
            w[i, j] = xv[i] * xv[j] * (0.2**2 + 0.1**2 * ((oi == oj) + (di == dj)) + 0.3**2 * (i == j))
    ref = xv + w @ p.T @ np.linalg.solve(p @ w @ p.T + np.diag((0.05 * v) ** 2), v - p @ xv)
    assert (ref > 0).all()
    np.testing.assert_allclose(est.matrix.ravel()[od], ref, rtol=1e-9)
    assert np.all(est.geh <= est.geh_prior)
