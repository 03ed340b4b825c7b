"""A plain-Python link transmission model, written from the papers, against the Numba kernel.

The reference keeps every per-step inflow record of every link in lists of dicts, scans them
all to find the destination mix of a slice of vehicles (no pointers, no ring buffer), solves the
node model with Python sets following Tampère et al. (2011) section 4.2 literally, and finds
shortest paths with ``heapq``. It implements the same scheme as ``twin.kernels.dnl_ltm``
(sending/receiving flows of Yperman 2007, origin point queues, FIFO destination tracking,
reactive DUO with equal tie splitting), so both must agree to rounding.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pandas as pd
import pytest

from twin.traffic.dynamic import LinkDynamics, demand_arrays, simulate
from twin.traffic.network import Network


# ------------------------------------------------------------------------------------------ node model
def reference_node_model(S, C, F, R):
    """Tampère et al. (2011) general node model, literal; S, C lists; F[i][j]; R list (inf = sink)."""
    n_in, n_out = len(S), len(R)
    q = [[0.0] * n_out for _ in range(n_in)]
    r_left = list(R)
    U = {j: {i for i in range(n_in) if S[i] > 0 and F[i][j] > 0} for j in range(n_out)}
    J = {j for j in range(n_out) if U[j]}
    done = set()
    while J:
        a = {}
        for j in J:
            c = sum(C[i] * F[i][j] for i in U[j])
            a[j] = max(r_left[j], 0.0) / c
        j_star = min(sorted(J), key=lambda j: a[j])
        demand_constrained = {i for i in U[j_star] if S[i] <= a[j_star] * C[i]}
        if demand_constrained:
            fixed = {i: S[i] for i in demand_constrained}
        else:
            fixed = {i: a[j_star] * C[i] for i in U[j_star]}
        for i, qi in fixed.items():
            for j in range(n_out):
                q[i][j] = qi * F[i][j]
                r_left[j] -= qi * F[i][j]
            done.add(i)
            for j in U:
                U[j].discard(i)
        if not demand_constrained:
            J.discard(j_star)
        J = {j for j in J if U[j]}
    return q


# ------------------------------------------------------------------------------------------ the LTM
class ReferenceLTM:
    """The link transmission model with destination tracking, plain Python."""

    def __init__(self, net: Network, dyn: LinkDynamics, dem, dt, n_steps, duo_interval, duo_weight, node_iterations=4, duo_noise=0.0, seed=0,
                 supply_choice=False, duo_time="instantaneous", banned=(), penalty=None, discharge=None):  # fmt: skip
        # banned / penalty: turns (in_link, out_link) -> routes per in-link on a search over the
        # links (heapq), cost(a) = t(a) + min over allowed b of (penalty + cost(b));
        # discharge: stop-line capacity per link (signals), veh/s (no zone nodes here)
        # duo_noise: the search times of update u are the link times x (1 + noise U(0, 1)), row u of
        # numpy.random.default_rng(seed).uniform(0, 1, (n_updates, n_links)) (twin's documented rule)
        n_updates = (n_steps - 1) // duo_interval + 1 if duo_interval > 0 else 0
        draws = np.random.default_rng(seed).uniform(0.0, 1.0, (n_updates, len(dyn.length_m)))
        self.factor = [[1.0 + duo_noise * x for x in row] for row in draws] if duo_noise > 0 else None
        self.net, self.dyn, self.dem, self.dt, self.n = net, dyn, dem, dt, n_steps
        self.L = list(dyn.length_m)
        self.v = [min(v, L / dt) for v, L in zip(dyn.free_speed_m_s, dyn.length_m)]
        self.w = [min(w, L / dt) for w, L in zip(dyn.wave_speed_m_s, dyn.length_m)]
        self.cap = list(dyn.capacity_veh_s)
        self.dis = list(self.cap if discharge is None else discharge)
        self.jam = list(dyn.jam_veh)
        self.banned = {(int(a), int(b)) for a, b in banned}
        self.penalty = {(int(a), int(b)): float(p) for (a, b), p in (penalty or {}).items()}
        self.turns = bool(self.banned or self.penalty)
        self.tail = [int(x) for x in net.from_node]
        self.head = [int(x) for x in net.to_node]
        self.n_links, self.n_nodes = len(self.L), net.n_nodes
        self.ins = {n: [a for a in range(self.n_links) if self.head[a] == n] for n in range(self.n_nodes)}
        self.outs = {n: [a for a in range(self.n_links) if self.tail[a] == n] for n in range(self.n_nodes)}
        self.dests = [int(x) for x in dem.dest_node]
        self.origs = [int(x) for x in dem.orig_node]
        self.duo_interval, self.duo_weight, self.iters = duo_interval, duo_weight, node_iterations
        self.supply_choice = supply_choice
        self.duo_time = duo_time
        nd = len(self.dests)
        self.split = [[0.0] * nd for _ in range(self.n_links)]
        self.mv_split = {(a, b): [0.0] * nd for a in range(self.n_links) for b in self.outs[self.head[a]]}
        self.cum_in = [[0.0] for _ in range(self.n_links)]
        self.cum_out = [[0.0] for _ in range(self.n_links)]
        self.records = [[] for _ in range(self.n_links)]  # per step: dict dest -> vehicles
        self.queue = [[0.0] * nd for _ in self.origs]
        self.cum_arr = [[0.0] for _ in self.dests]
        self.cum_dep = [[0.0] for _ in self.origs]
        self.movement_veh = {(a, b): 0.0 for a in range(self.n_links) for b in self.outs[self.head[a]]}  # vehicles from a into b
        self.movement_step = {}  # (a, b, step) -> vehicles from a into b in that step

    # cumulative curve at a fractional step
    @staticmethod
    def at(curve, tau):
        if tau <= 0:
            return 0.0
        k = math.floor(tau)
        f = tau - k
        return curve[k] if f == 0 else curve[k] + f * (curve[k + 1] - curve[k])

    def mix(self, a, lo, hi):
        nd = len(self.dests)
        out = [0.0] * nd
        if hi - lo <= 1e-12:
            return out
        total = 0.0
        for s, rec in enumerate(self.records[a]):
            c0, c1 = self.cum_in[a][s], self.cum_in[a][s + 1]
            if c1 - c0 <= 0:
                continue
            ov = min(c1, hi) - max(c0, lo)
            if ov > 0:
                for d in range(nd):
                    out[d] += ov / (c1 - c0) * rec.get(d, 0.0)
                total += ov
        return [x / total for x in out] if total > 0 else out

    def experienced_time(self, a, t):
        free = self.L[a] / self.v[a]
        n_head = self.cum_out[a][t]
        if self.cum_in[a][t] - n_head <= 1e-9:
            return free
        for k in range(t):
            c0, c1 = self.cum_in[a][k], self.cum_in[a][k + 1]
            if c1 > n_head:
                tau = k + ((n_head - c0) / (c1 - c0) if c1 > c0 else 0.0)
                return max(free, (t - tau) * self.dt)
        return free

    def instantaneous_time(self, a, t):
        # reactive assignment (Kuwahara & Akamatsu 1997): free time + vertical queue / capacity,
        # the vertical queue read off the cumulative curves: N_in(t - L / v) - N_out(t)
        free = self.L[a] / self.v[a]
        behind = self.at(self.cum_in[a], t - free / self.dt) - self.cum_out[a][t]
        return free + max(behind, 0.0) / self.dis[a]

    def discharge_time(self, a, t):
        # free time + vertical queue / the link's outflow over the last free travel time (at most
        # its capacity, at least 1 % of it)
        free = self.L[a] / self.v[a]
        behind = self.at(self.cum_in[a], t - free / self.dt) - self.cum_out[a][t]
        if behind <= 0.0:
            return free
        span = min(free / self.dt, t)
        rate = (self.cum_out[a][t] - self.at(self.cum_out[a], t - span)) / (span * self.dt)
        rate = max(min(rate, self.dis[a]), 0.01 * self.dis[a])
        return free + behind / rate

    def net_speed(self, a):
        return self.dyn.free_speed_m_s[a]

    def duo(self, t):
        link_time = {"instantaneous": self.instantaneous_time, "experienced": self.experienced_time, "discharge": self.discharge_time}[self.duo_time]
        times = [link_time(a, t) for a in range(self.n_links)]
        if self.factor is not None:
            times = [x * f for x, f in zip(times, self.factor[t // self.duo_interval])]
        weight = 1.0 if t == 0 else self.duo_weight
        if self.turns:
            self.duo_turns(times, weight)
            return
        for d, dnode in enumerate(self.dests):
            dist = {dnode: 0.0}
            heap = [(0.0, dnode)]
            settled = set()
            while heap:
                du, u = heapq.heappop(heap)
                if u in settled:
                    continue
                settled.add(u)
                for a in self.ins[u]:
                    x = self.tail[a]
                    nd_ = du + times[a]
                    if nd_ < dist.get(x, math.inf):
                        dist[x] = nd_
                        heapq.heappush(heap, (nd_, x))
            for n in range(self.n_nodes):
                if n == dnode or n not in dist:
                    for a in self.outs[n]:
                        self.split[a][d] = 0.0
                    continue
                costs = {a: times[a] + dist.get(self.head[a], math.inf) for a in self.outs[n]}
                best = min(costs.values())
                ties = [a for a in self.outs[n] if costs[a] <= best + 1e-9 * best]
                for a in self.outs[n]:
                    aon = 1.0 / len(ties) if a in ties else 0.0
                    self.split[a][d] = (1 - weight) * self.split[a][d] + weight * aon

    def duo_turns(self, times, weight):
        def move(rates, d, costs):
            best = min(costs.values(), default=math.inf)
            if best == math.inf:
                for key in rates:
                    rates[key][d] = 0.0
                return
            ties = [key for key in costs if costs[key] <= best + 1e-9 * best]
            for key in rates:
                aon = 1.0 / len(ties) if key in ties else 0.0
                rates[key][d] = (1 - weight) * rates[key][d] + weight * aon

        for d, dnode in enumerate(self.dests):
            cost = {a: times[a] for a in self.ins[dnode]}
            heap = [(c, a) for a, c in cost.items()]
            heapq.heapify(heap)
            settled = set()
            while heap:
                cb, b = heapq.heappop(heap)
                if b in settled:
                    continue
                settled.add(b)
                if self.tail[b] == dnode:
                    continue
                for a in self.ins[self.tail[b]]:
                    if (a, b) in self.banned:
                        continue
                    c = times[a] + self.penalty.get((a, b), 0.0) + cb
                    if c < cost.get(a, math.inf):
                        cost[a] = c
                        heapq.heappush(heap, (c, a))
            for n in range(self.n_nodes):
                rates = {a: self.split[a] for a in self.outs[n]}
                move(rates, d, {} if n == dnode else {a: cost[a] for a in self.outs[n] if a in cost})
            for a in range(self.n_links):
                h = self.head[a]
                rates = {b: self.mv_split[(a, b)] for b in self.outs[h]}
                costs = (
                    {}
                    if h == dnode
                    else {b: self.penalty.get((a, b), 0.0) + cost[b] for b in self.outs[h] if b in cost and (a, b) not in self.banned}
                )
                move(rates, d, costs)

    def run(self):
        for t in range(self.n):
            t0, t1 = t * self.dt, (t + 1) * self.dt
            for o, d, a, b, rate in zip(self.dem.od_orig, self.dem.od_dest, self.dem.t0_s, self.dem.t1_s, self.dem.rate_veh_s):
                ov = min(b, t1) - max(a, t0)
                if ov > 0:
                    self.queue[o][d] += rate * ov
            if self.duo_interval > 0 and t % self.duo_interval == 0:
                self.duo(t)
            S, R, M = [], [], []
            for a in range(self.n_links):
                up = self.at(self.cum_in[a], t + 1 - max(self.L[a] / (self.v[a] * self.dt), 1.0))
                S.append(max(min(up - self.cum_out[a][t], self.dis[a] * self.dt), 0.0))
                down = self.at(self.cum_out[a], t + 1 - max(self.L[a] / (self.w[a] * self.dt), 1.0))
                R.append(max(min(down + self.jam[a] - self.cum_in[a][t], self.cap[a] * self.dt), 0.0))
                M.append(self.mix(a, self.cum_out[a][t], self.cum_out[a][t] + S[a]))
            new_in = [dict() for _ in range(self.n_links)]
            out_flow = [0.0] * self.n_links
            for n in range(self.n_nodes):
                self.node(n, t, S, R, M, new_in, out_flow)
            for a in range(self.n_links):
                self.records[a].append(new_in[a])
                self.cum_in[a].append(self.cum_in[a][t] + sum(new_in[a].values()))
                self.cum_out[a].append(self.cum_out[a][t] + out_flow[a])
        return self

    def node(self, n, t, S, R, M, new_in, out_flow):
        nd = len(self.dests)
        dn = self.dests.index(n) if n in self.dests else -1
        o = self.origs.index(n) if n in self.origs else -1
        in_links, out_links = self.ins[n], self.outs[n]
        send = [S[a] for a in in_links]
        prio = [self.dis[a] for a in in_links]
        mixes = [list(M[a]) for a in in_links]
        if o >= 0:
            qs = sum(self.queue[o])
            send.append(qs)
            prio.append(max(max((self.cap[a] for a in out_links), default=0.0), 1e-6))
            mixes.append([x / qs for x in self.queue[o]] if qs > 0 else [0.0] * nd)
        supply = [R[a] for a in out_links] + ([math.inf] if dn >= 0 else [])
        # splitting rates used here: with the stop-line choice, a destination's rates times the
        # entry chance min(1, R / D) of each next link (D: the flow wanting it with the plain
        # rates, from every incoming link and the origin queue), renormalised (unchanged if 0)
        # rates[k][a][d]: row k's rate of next link a for d (per in-link with turns, else the node's)
        plain = [{a: list(self.mv_split[(i, a)] if self.turns and k < len(in_links) else self.split[a]) for a in out_links}
                 for k, i in enumerate(in_links + [None] * (len(send) - len(in_links)))]  # fmt: skip
        rates = [{a: list(r[a]) for a in out_links} for r in plain]
        if self.supply_choice and len(out_links) > 1:
            want = {a: sum(send[k] * mixes[k][d] * plain[k][a][d] for k in range(len(send)) if send[k] > 0 for d in range(nd) if d != dn)
                    for a in out_links}  # fmt: skip
            chance = {a: (1.0 if want[a] <= R[a] else R[a] / want[a]) for a in out_links}
            for k in range(len(send)):
                for d in range(nd):
                    total = sum(plain[k][a][d] * chance[a] for a in out_links)
                    if total > 0:
                        for a in out_links:
                            rates[k][a][d] = plain[k][a][d] * chance[a] / total
        for _ in range(self.iters):
            F = []
            for k in range(len(send)):
                row = [sum(mixes[k][d] * rates[k][a][d] for d in range(nd) if d != dn) for a in out_links]
                if dn >= 0:
                    row.append(mixes[k][dn])
                tot = sum(row)
                if tot > 0:
                    row = [x / tot for x in row]
                else:
                    send[k] = 0.0
                F.append(row)
            q = reference_node_model(send, prio, F, supply)
            consistent = True
            for k, a in enumerate(in_links):
                qk = sum(q[k])
                if qk < send[k] * (1 - 1e-12):
                    new = self.mix(a, self.cum_out[a][t], self.cum_out[a][t] + qk)
                    if max(abs(x - y) for x, y in zip(new, mixes[k])) > 1e-9:
                        consistent = False
                    mixes[k] = new
                    send[k] = qk
            if o >= 0:
                send[-1] = sum(q[-1])
            if consistent:
                break
        arrived = 0.0
        for k in range(len(send)):
            if k < len(in_links):
                out_flow[in_links[k]] = send[k]
            else:
                self.cum_dep[o].append(self.cum_dep[o][t] + send[k])
            for d in range(nd):
                x = send[k] * mixes[k][d]
                if x <= 0:
                    continue
                if k >= len(in_links):
                    self.queue[o][d] = max(self.queue[o][d] - x, 0.0)
                if d == dn:
                    arrived += x
                    continue
                for a in out_links:
                    new_in[a][d] = new_in[a].get(d, 0.0) + x * rates[k][a][d]
                    if k < len(in_links):
                        self.movement_veh[(in_links[k], a)] += x * rates[k][a][d]
                        key = (in_links[k], a, t)
                        self.movement_step[key] = self.movement_step.get(key, 0.0) + x * rates[k][a][d]
        if dn >= 0:
            self.cum_arr[dn].append(self.cum_arr[dn][t] + arrived)


# ------------------------------------------------------------------------------------------ network
def grid_network(nx=3, ny=3, spacing=600.0):
    """Bidirectional nx x ny grid; node (i, j) has id i * ny + j."""
    ids, frm, to = [], [], []
    for i in range(nx):
        for j in range(ny):
            u = i * ny + j
            for di, dj in ((1, 0), (0, 1), (-1, 0), (0, -1)):
                a, b = i + di, j + dj
                if 0 <= a < nx and 0 <= b < ny:
                    frm.append(u)
                    to.append(a * ny + b)
                    ids.append(f"{u}-{a * ny + b}")
    m = len(frm)
    length = np.full(m, spacing)
    return Network.build(
        node_ids=np.arange(nx * ny), link_ids=np.array(ids), from_node=np.array(frm), to_node=np.array(to),
        free_flow_time=length / 15.0, capacity=np.full(m, 1800.0), length=length, time_unit="s", length_unit="m",
    )  # fmt: skip


def small_case():
    net = grid_network()
    cap = np.full(net.n_links, 0.5)
    # two bottlenecks: into the centre from the west, and the east edge northwards
    for k, lid in enumerate(net.link_ids):
        if lid in ("1-4", "5-8"):
            cap[k] = 0.12
    dyn = LinkDynamics.build(length_m=net.length, free_speed_m_s=np.where(np.arange(net.n_links) % 3 == 0, 12.0, 15.0),
                             capacity_veh_s=cap, jam_density_veh_m_lane=0.15, link_ids=net.link_ids)  # fmt: skip
    demand = pd.DataFrame(
        {
            "origin": [0, 0, 2, 6, 1, 3],
            "destination": [8, 5, 6, 2, 8, 5],
            "t_start_s": [0.0, 120.0, 0.0, 300.0, 60.0, 0.0],
            "t_end_s": [900.0, 700.0, 600.0, 1000.0, 500.0, 800.0],
            "flow_veh_s": [0.35, 0.2, 0.25, 0.3, 0.15, 0.2],
        }
    )
    return net, dyn, demand


def assert_movements_match(res, ref) -> None:
    """The kernel's vehicles per movement (``DynamicResult.movements``) equal the reference's, and
    they are not idle: every in-link's vehicles that left it are its movements' plus those that
    arrived at its head (none arrive where the head is no destination)."""
    table = res.movements()
    pos = {lid: k for k, lid in enumerate(res.network.link_ids.tolist())}
    got = {(pos[i], pos[o]): v for i, o, v in zip(table["in_link_id"], table["out_link_id"], table["vehicles"], strict=True)}
    assert got.keys() == ref.movement_veh.keys()
    assert max(abs(got[k] - ref.movement_veh[k]) for k in got) < 1e-8
    # per interval of movement_interval_s: the reference's per-step counts summed over each interval's steps
    steps = int(round(res.movement_interval_s / res.dt_s))
    per = res.movements(by_interval=True)
    assert len(per) == len(table) * res.movement_veh_intervals.shape[1]
    want = {}
    for (a, b, t), v in ref.movement_step.items():
        key = (a, b, min(t // steps, res.movement_veh_intervals.shape[1] - 1))
        want[key] = want.get(key, 0.0) + v
    bins = np.round(per["t_start_s"].to_numpy() / res.movement_interval_s).astype(int)
    got_t = {(pos[i], pos[o], k): v for i, o, k, v in zip(per["in_link_id"], per["out_link_id"], bins, per["vehicles"], strict=True)}
    assert max(abs(got_t[k] - want.get(k, 0.0)) for k in got_t) < 1e-8
    assert set(want) <= set(got_t)
    assert table["vehicles"].sum() > 100.0
    left = res.cum_out[:, -1]
    by_in = table.groupby("in_link_id")["vehicles"].sum()
    dest = set(res.network.node_ids[res.demand.dest_node].tolist())
    for k, lid in enumerate(res.network.link_ids.tolist()):
        if res.network.node_ids[res.network.to_node[k]] not in dest:
            assert left[k] == pytest.approx(by_in.get(lid, 0.0), abs=1e-8), lid


@pytest.mark.parametrize(
    ("route_choice", "noise", "supply_choice", "duo_time"),
    [
        ("duo", 0.0, True, "instantaneous"),
        ("duo", 0.0, False, "instantaneous"),
        ("duo", 0.01, True, "instantaneous"),
        ("duo", 0.01, False, "instantaneous"),
        ("duo", 0.2, True, "instantaneous"),
        ("duo", 0.01, True, "experienced"),
        ("duo", 0.0, False, "experienced"),
        ("duo", 0.01, True, "discharge"),
        ("duo", 0.0, False, "discharge"),
        ("free_flow", 0.0, False, "instantaneous"),
    ],
)
def test_kernel_matches_plain_python_reference(route_choice, noise, supply_choice, duo_time):
    net, dyn, demand = small_case()
    dt, duration = 10.0, 2400.0
    res = simulate(net, demand, dynamics=dyn, dt_s=dt, duration_s=duration, route_choice=route_choice,
                   duo_interval_s=100.0, duo_weight=0.5, window_steps=100000, duo_noise=noise, seed=3,
                   duo_supply_choice=supply_choice, duo_time=duo_time, movement_interval_s=300.0)  # fmt: skip
    assert res.movement_veh_intervals.shape[1] == 8  # 2400 s in 300 s intervals; demand until 1000 s: counts in the first ones
    assert (res.movement_veh_intervals.sum(axis=0) > 1.0).sum() >= 4
    assert res.meta["duo_supply_choice"] == (supply_choice and route_choice == "duo")
    assert res.meta["duo_time"] == (duo_time if route_choice == "duo" else None)
    n_steps = res.n_steps
    interval = 10 if route_choice == "duo" else n_steps + 1
    ref = ReferenceLTM(net, dyn, demand_arrays(net, demand), dt, n_steps, interval, 0.5 if route_choice == "duo" else 1.0,
                       duo_noise=noise if route_choice == "duo" else 0.0, seed=3,
                       supply_choice=supply_choice and route_choice == "duo", duo_time=duo_time).run()  # fmt: skip
    assert np.allclose(res.cum_in, np.array(ref.cum_in), atol=1e-8, rtol=0)
    assert np.allclose(res.cum_out, np.array(ref.cum_out), atol=1e-8, rtol=0)
    assert np.allclose(res.cum_arr, np.array(ref.cum_arr), atol=1e-8, rtol=0)
    assert np.allclose(res.cum_dep, np.array(ref.cum_dep), atol=1e-8, rtol=0)
    assert_movements_match(res, ref)
    # the case is congested enough to matter: queues on the bottlenecks; vehicles are conserved
    tot = res.totals()
    assert res.queue_veh().max() > 5.0
    assert tot["conservation_error_veh"] < 1e-8
    assert tot["generated_veh"] == pytest.approx(float(np.sum(demand.flow_veh_s * (demand.t_end_s - demand.t_start_s))))


def test_stop_line_choice_acts_on_the_congested_case():
    """The stop-line choice changes the loading of the congested 3x3 case (the reference test is not idle)."""
    net, dyn, demand = small_case()
    opts = {"dt_s": 10.0, "duration_s": 2400.0, "route_choice": "duo", "duo_interval_s": 100.0, "duo_noise": 0.01, "seed": 3}
    on = simulate(net, demand, dynamics=dyn, duo_supply_choice=True, **opts)
    off = simulate(net, demand, dynamics=dyn, duo_supply_choice=False, **opts)
    assert np.abs(on.cum_in - off.cum_in).max() > 1.0


def test_duo_time_rule_acts_on_the_congested_case():
    """Instantaneous and experienced link times route the congested 3x3 case differently (both reference-checked above)."""
    net, dyn, demand = small_case()
    opts = {"dt_s": 10.0, "duration_s": 2400.0, "route_choice": "duo", "duo_interval_s": 100.0, "duo_noise": 0.01, "seed": 3}
    inst = simulate(net, demand, dynamics=dyn, duo_time="instantaneous", **opts)
    exp = simulate(net, demand, dynamics=dyn, **opts)
    assert exp.meta["duo_time"] == "experienced"  # the default
    assert np.abs(inst.cum_in - exp.cum_in).max() > 1.0
    dis = simulate(net, demand, dynamics=dyn, duo_time="discharge", **opts)
    assert np.abs(dis.cum_in - inst.cum_in).max() > 1.0
    assert np.abs(dis.cum_in - exp.cum_in).max() > 1.0


@pytest.mark.parametrize("bad", ["instant", "", None, 1])
def test_bad_duo_time_is_an_input_error(bad):
    from twin.errors import InputError

    net, dyn, demand = small_case()
    with pytest.raises(InputError, match="duo_time"):
        simulate(net, demand, dynamics=dyn, dt_s=10.0, duration_s=600.0, duo_time=bad)


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_bad_duo_supply_choice_is_an_input_error(bad):
    from twin.errors import InputError

    net, dyn, demand = small_case()
    with pytest.raises(InputError, match="duo_supply_choice"):
        simulate(net, demand, dynamics=dyn, dt_s=10.0, duration_s=600.0, duo_supply_choice=bad)


def test_duo_routes_around_the_bottlenecks():
    """Reactive DUO empties the network sooner and with less delay than fixed free-flow routes."""
    net, dyn, demand = small_case()
    duo = simulate(net, demand, dynamics=dyn, dt_s=10.0, duration_s=2400.0, route_choice="duo", duo_interval_s=100.0)
    ff = simulate(net, demand, dynamics=dyn, dt_s=10.0, duration_s=2400.0, route_choice="free_flow")
    assert duo.totals()["arrived_veh"] == pytest.approx(duo.totals()["generated_veh"], rel=1e-9)
    assert ff.totals()["arrived_veh"] < 0.9 * ff.totals()["generated_veh"]
    assert duo.totals()["total_delay_veh_h"] < 0.5 * ff.totals()["total_delay_veh_h"]


def test_short_packet_window_merges_but_conserves():
    """With too few packets per link the oldest merge: counted, vehicles still conserved per destination."""
    net, dyn, demand = small_case()
    opts = {"dt_s": 10.0, "duration_s": 2400.0, "duo_interval_s": 100.0}
    full = simulate(net, demand, dynamics=dyn, window_steps=100000, **opts)
    short = simulate(net, demand, dynamics=dyn, window_steps=4, **opts)
    assert full.meta["fifo_merges"] == 0
    assert short.meta["fifo_merges"] > 0
    tot = short.totals()
    assert tot["conservation_error_veh"] < 1e-8
    assert tot["arrived_veh"] == pytest.approx(tot["generated_veh"], rel=1e-9)
    # per destination: arrivals equal the demand for it
    dem = short.demand
    per_dest = np.bincount(dem.od_dest, weights=dem.rate_veh_s * (dem.t1_s - dem.t0_s), minlength=dem.dest_node.size)
    assert np.allclose(short.cum_arr[:, -1], per_dest, rtol=1e-9)
    # with fixed routes, the flows stay close to the exact-FIFO run (only the order within the
    # merged packets is lost)
    ff = {"dt_s": 10.0, "duration_s": 2400.0, "route_choice": "free_flow"}
    exact = simulate(net, demand, dynamics=dyn, window_steps=100000, **ff)
    merged = simulate(net, demand, dynamics=dyn, window_steps=4, **ff)
    assert merged.meta["fifo_merges"] > 0
    assert np.abs(merged.cum_out - exact.cum_out).max() < 0.05 * exact.cum_out.max()
    assert merged.totals()["total_travel_time_veh_h"] == pytest.approx(exact.totals()["total_travel_time_veh_h"], rel=0.05)


def test_node_model_kernel_matches_reference_on_random_nodes():
    from twin.kernels.dnl_node import general_node_model

    rng = np.random.default_rng(7)
    for _ in range(300):
        n_in, n_out = rng.integers(1, 5), rng.integers(1, 5)
        S = rng.uniform(0, 10, n_in) * (rng.uniform(size=n_in) > 0.15)
        C = rng.uniform(1, 10, n_in)
        F = rng.uniform(size=(n_in, n_out)) * (rng.uniform(size=(n_in, n_out)) > 0.3)
        F[F.sum(axis=1) == 0, 0] = 1.0
        F /= F.sum(axis=1, keepdims=True)
        R = rng.uniform(0, 12, n_out)
        if rng.uniform() < 0.3:
            R[-1] = np.inf
        out = np.empty((n_in, n_out))
        general_node_model(S, C, F, R, out)
        ref = np.array(reference_node_model(list(S), list(C), F.tolist(), list(R)))
        assert np.allclose(out, ref, atol=1e-12)
        # requirements of a first-order node model (Tampere et al. 2011, section 2)
        assert np.all(out >= -1e-12)
        assert np.all(out.sum(axis=1) <= S + 1e-9)
        assert np.all(out.sum(axis=0) <= R + 1e-9)
        q_i = out.sum(axis=1)
        assert np.allclose(out, q_i[:, None] * F, atol=1e-9)  # FIFO: turns in proportion
        # each link passes its demand or is held by a full outgoing link
        full = out.sum(axis=0) >= R - 1e-9
        for i in range(n_in):
            if q_i[i] < S[i] - 1e-9:
                assert np.any(full & (F[i] > 0))
