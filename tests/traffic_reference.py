"""Plain-Python references for the traffic kernels (obviously correct, slow)."""

from __future__ import annotations

import heapq
import math

import numpy as np


def bpr_time(v: float, t0: float, c: float, alpha: float, beta: float) -> float:
    """BPR link time t0 (1 + alpha (v/c)^beta), with power 0 meaning a constant t0 (1 + alpha)."""
    if alpha == 0.0:
        return t0
    if beta == 0.0:
        return t0 * (1.0 + alpha)
    return t0 * (1.0 + alpha * (v / c) ** beta)


def costs(net, flow: np.ndarray) -> np.ndarray:
    """Generalized cost per link from the network arrays, in plain Python."""
    out = np.empty(net.n_links)
    for k in range(net.n_links):
        out[k] = bpr_time(float(flow[k]), net.free_flow_time[k], net.capacity[k], net.alpha[k], net.beta[k]) + net.fixed_cost[k]
    return out


def dijkstra(n: int, tails, heads, cost, origin: int, first_thru: int = 0):
    """Distances and predecessor links with heapq; nodes < first_thru (not the origin) are not expanded."""
    out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for k, (u, v) in enumerate(zip(tails, heads)):
        out[int(u)].append((int(v), k))
    dist = [math.inf] * n
    pred = [-1] * n
    dist[origin] = 0.0
    heap = [(0.0, origin)]
    done = [False] * n
    while heap:
        d, u = heapq.heappop(heap)
        if done[u]:
            continue
        done[u] = True
        if u < first_thru and u != origin:
            continue
        for v, k in out[u]:
            nd = d + cost[k]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = k
                heapq.heappush(heap, (nd, v))
    return np.array(dist), np.array(pred)


def aon(net, demand: np.ndarray, cost) -> tuple[np.ndarray, float]:
    """All-or-nothing flows by walking every OD path back link by link; and the SPTT."""
    flow = np.zeros(net.n_links)
    sptt = 0.0
    for o in range(demand.shape[0]):
        dist, pred = dijkstra(net.n_nodes, net.from_node, net.to_node, cost, o, net.first_thru_node)
        for d in range(demand.shape[0]):
            q = demand[o, d]
            if q <= 0 or d == o:
                continue
            sptt += q * dist[d]
            v = d
            while v != o:
                k = pred[v]
                flow[k] += q
                v = net.from_node[k]
    return flow, sptt
