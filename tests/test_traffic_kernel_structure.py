"""Issue 19 code health of the traffic kernels: one Dijkstra, at most 16 arguments per kernel, no
private kernel function imported across modules, and NamedTuple arguments that still load from
Numba's disk cache in a second process."""

from __future__ import annotations

import ast
import heapq
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from twin.kernels.access_paths import cumulative_opportunities, multi_source_dijkstra
from twin.kernels.traffic_paths import dijkstra, reset_tree

REPO = Path(__file__).resolve().parents[1]
OWNED = sorted(
    [*REPO.glob("kernels/traffic_*.py"), *REPO.glob("kernels/dnl_*.py"), REPO / "kernels" / "access_paths.py"]
)
MAX_ARGS = 16


def _functions(path: Path):
    tree = ast.parse(path.read_text())
    return tree, [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


@pytest.mark.parametrize("path", OWNED, ids=lambda p: p.name)
def test_no_kernel_has_more_than_16_arguments(path: Path) -> None:
    _, funcs = _functions(path)
    too_many = [f"{f.name} ({len(f.args.args)})" for f in funcs if len(f.args.args) > MAX_ARGS]
    assert not too_many, f"{path.name}: {too_many}"


@pytest.mark.parametrize("path", OWNED, ids=lambda p: p.name)
def test_no_private_kernel_imported_across_modules(path: Path) -> None:
    tree, _ = _functions(path)
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("twin.kernels")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert not private, f"{path.name} imports {private}"


def test_one_dijkstra_in_the_kernels() -> None:
    """Only traffic_paths.py holds a priority-queue search (sift/heap push functions)."""
    holders = []
    for path in REPO.glob("kernels/*.py"):
        _, funcs = _functions(path)
        if any(f.name in {"_sift_up", "_sift_down", "_heap_push", "_heap_pop"} for f in funcs):
            holders.append(path.name)
    assert holders == ["traffic_paths.py"]


def _ref_multi_seed(n, tails, heads, cost, seeds, times, first_thru, cutoff):
    """Plain-Python multi-seed Dijkstra: seeds are expanded, zones reached by a link are not."""
    out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for k, (u, v) in enumerate(zip(tails, heads)):
        out[int(u)].append((int(v), k))
    dist = [math.inf] * n
    from_seed = [False] * n
    heap = []
    for s, t in zip(seeds, times):
        if t < dist[s] and t <= cutoff:
            dist[s] = t
            from_seed[s] = True
            heapq.heappush(heap, (t, int(s)))
    done = [False] * n
    while heap:
        d, u = heapq.heappop(heap)
        if done[u] or d > dist[u]:
            continue
        done[u] = True
        if u < first_thru and not from_seed[u]:
            continue
        for v, k in out[u]:
            nd = d + cost[k]
            if nd < dist[v] and nd <= cutoff:
                dist[v] = nd
                from_seed[v] = False
                heapq.heappush(heap, (nd, v))
    return np.array(dist)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_multi_seed_dijkstra_matches_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, first_thru = 60, 240, 6
    tails = rng.integers(0, n, m)
    heads = rng.integers(0, n, m)
    order_ = np.argsort(tails, kind="stable")
    tails, heads = tails[order_], heads[order_]
    cost = rng.uniform(0.0, 5.0, m)
    cost[rng.random(m) < 0.05] = np.inf  # closed links
    indptr = np.searchsorted(tails, np.arange(n + 1)).astype(np.int64)
    # a reversed arc -> link map, as for a reverse graph: arcs are a permutation of the links
    perm = rng.permutation(m)
    arc_link = perm.astype(np.int64)
    link_cost = np.empty(m)
    link_cost[perm] = cost
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    heap = np.empty(n, dtype=np.int64)
    pos = np.full(n, -1, dtype=np.int64)
    for trial in range(5):
        k = int(rng.integers(1, 4))
        seeds = rng.integers(0, n, k).astype(np.int64)
        times = rng.uniform(0.0, 3.0, k)
        cutoff = np.inf if trial % 2 == 0 else 6.0
        ref = _ref_multi_seed(n, tails, heads, cost, seeds, times, first_thru, cutoff)
        cnt = dijkstra(indptr, heads.astype(np.int64), arc_link, link_cost, seeds, times, first_thru, cutoff, dist, pred, order, heap, pos, True)
        np.testing.assert_allclose(dist, ref, rtol=1e-12)
        assert set(order[:cnt].tolist()) == set(np.flatnonzero(np.isfinite(ref)).tolist())
        for v in np.flatnonzero(np.isfinite(ref)):
            if pred[v] >= 0:  # the link entering v is consistent with the labels
                e = int(np.flatnonzero(arc_link == pred[v])[0])
                assert heads[e] == v and dist[tails[e]] + link_cost[pred[v]] == pytest.approx(dist[v], rel=1e-12)
        reset_tree(order, cnt, dist, pred, pos)  # the next search runs clean
        assert np.isinf(dist).all() and (pred == -1).all() and (pos == -1).all()
        d2 = np.empty(n)
        multi_source_dijkstra(indptr, heads.astype(np.int64), arc_link, link_cost, seeds, times, cutoff, d2)
        np.testing.assert_allclose(d2, _ref_multi_seed(n, tails, heads, cost, seeds, times, 0, cutoff), rtol=1e-12)


def test_cumulative_opportunities_reuses_clean_arrays() -> None:
    """Many bounded searches in one chunk (reset_tree between them) equal one search per chunk."""
    rng = np.random.default_rng(5)
    n, m = 50, 200
    tails = np.sort(rng.integers(0, n, m))
    heads = rng.integers(0, n, m).astype(np.int64)
    indptr = np.searchsorted(tails, np.arange(n + 1)).astype(np.int64)
    cost = rng.uniform(0.5, 3.0, m)
    arc_link = np.arange(m, dtype=np.int64)
    origin_ptr = np.arange(21, dtype=np.int64)
    origin_node = rng.integers(0, n, 20).astype(np.int64)
    origin_time = np.zeros(20)
    target_ptr = np.arange(n + 1, dtype=np.int64)
    target_node = np.arange(n, dtype=np.int64)
    thresholds = np.array([2.0, 4.0])
    outs = []
    for chunks in (1, 20):
        out = np.empty((20, 2))
        assert cumulative_opportunities(indptr, heads, arc_link, cost, origin_ptr, origin_node, origin_time, target_ptr, target_node, np.zeros(n), np.ones(n), thresholds, out, chunks) == 0
        outs.append(out)
    np.testing.assert_array_equal(outs[0], outs[1])
    for o in range(20):
        ref = _ref_multi_seed(n, tails, heads, cost, origin_node[o : o + 1], [0.0], 0, np.inf)
        assert outs[0][o].tolist() == [float((ref <= 2.0).sum()), float((ref <= 4.0).sum())]


CACHE_SCRIPT = """
import numpy as np
from twin.kernels.traffic_bush import BushGraph, BushRows, LinkState, LinkVdf, bush_init, bush_sweep, sum_rows
# two zones, two parallel routes 0 -> 2 -> 1 and 0 -> 3 -> 1 (links sorted by tail)
frm = np.array([0, 0, 2, 3], dtype=np.int64); to = np.array([2, 3, 1, 1], dtype=np.int64)
out_start = np.array([0, 2, 2, 3, 4], dtype=np.int64)
in_link = np.array([2, 3, 0, 1], dtype=np.int64); in_start = np.array([0, 0, 2, 3, 4], dtype=np.int64)
t0 = np.array([1.0, 2.0, 1.0, 1.0]); cap = np.full(4, 10.0); alpha = np.full(4, 0.15); beta = np.full(4, 4.0)
code = np.zeros(4, dtype=np.int64); fixed = np.zeros(4)
demand = np.array([[0.0, 30.0], [0.0, 0.0]])
from twin.kernels.traffic_vdf import link_costs, link_derivatives
flow = np.zeros(4); cost = np.empty(4); dcost = np.empty(4)
link_costs(flow, t0, cap, alpha, beta, code, fixed, cost)
bush = np.zeros((2, 4), dtype=np.uint8); bflow = np.zeros((2, 4))
rows = BushRows(np.arange(2, dtype=np.int64), np.zeros(2, dtype=np.int64), np.ones((1, 4), dtype=np.uint8))
bush_init(demand, rows, out_start, frm, to, cost, 2, bush, bflow); sum_rows(bflow, flow)
link_costs(flow, t0, cap, alpha, beta, code, fixed, cost); link_derivatives(flow, t0, cap, alpha, beta, code, dcost)
assert bush_sweep(demand, rows, 2, BushGraph(out_start, in_start, in_link, frm, to), LinkVdf(t0, cap, alpha, beta, code, fixed),
                  LinkState(flow, cost, dcost), bush, bflow, True, 20, 1e-12) == 0
assert abs(cost[0] + cost[2] - cost[1] - cost[3]) < 1e-6 * cost[0], cost
print(sum(bush_sweep.stats.cache_hits.values()), sum(bush_sweep.stats.cache_misses.values()))
"""


def test_namedtuple_kernels_load_from_the_disk_cache(tmp_path: Path) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "TWIN_NUMBA_THREADS": "1"}
    runs = [subprocess.run([sys.executable, "-c", CACHE_SCRIPT], env=env, capture_output=True, text=True, timeout=300) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
    hits_misses = [tuple(int(x) for x in r.stdout.split()) for r in runs]
    assert hits_misses[0] == (0, 1)  # compiled and stored
    assert hits_misses[1] == (1, 0)  # loaded by the second process
