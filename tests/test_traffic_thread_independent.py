"""The static assignment gives the same link flows, to the last bit, whatever the number of Numba
threads (1, 2 or 4): the all-or-nothing loading is chunked by the problem, not by the machine.

Run in a child process started with ``NUMBA_NUM_THREADS=4`` (this machine may have fewer cores;
Numba then runs four threads on them), which sets 1, 2 and 4 threads in turn with
:func:`numba.set_num_threads` and prints the flows' bytes digest per thread count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.cli_harness import REPO
from tests.conftest import shared_path

CHILD = r"""
import hashlib, json, sys
import numba
import numpy as np
from twin.traffic.assign import _Arrays, assign
from twin.traffic.network import Network
from twin.traffic.tntp import read_network, read_trips

folder = sys.argv[1]
net = read_network(folder + "/SiouxFalls_net.tntp")
dem = read_trips(folder + "/SiouxFalls_trips.tntp", n_zones=net.n_zones)

# synthetic grid: 40 x 40 nodes, the first 300 of them zones, 6,240 links; zones x links
# (1.9 million) is above both PARALLEL_MIN_WORK and kernel_threads.THREADS_MIN_WORK
k = 40
rng = np.random.default_rng(11)
ij = np.arange(k * k).reshape(k, k)
pairs = [(ij[:, :-1], ij[:, 1:]), (ij[:-1, :], ij[1:, :])]
a = np.concatenate([p[0].ravel() for p in pairs])
b = np.concatenate([p[1].ravel() for p in pairs])
frm, to = np.concatenate([a, b]), np.concatenate([b, a])
perm = rng.permutation(k * k)  # zones scattered over the grid
frm, to = perm[frm], perm[to]
m = frm.size
grid = Network.build(node_ids=np.arange(1, k * k + 1), link_ids=np.arange(1, m + 1), from_node=frm, to_node=to,
                     free_flow_time=rng.uniform(0.5, 2.0, m), capacity=rng.uniform(200.0, 900.0, m), n_zones=300)
gdem = rng.uniform(0.0, 30.0, (300, 300)) * (rng.uniform(size=(300, 300)) < 0.3)
np.fill_diagonal(gdem, 0.0)

def digest(*arrays):
    h = hashlib.sha256()
    for x in arrays:
        h.update(np.ascontiguousarray(x).tobytes())
    return h.hexdigest()

out = {"work": {"SiouxFalls": int(_Arrays(net, dem.matrix).work_size), "grid": int(_Arrays(grid, gdem).work_size)}}
for threads in (1, 2, 4):
    numba.set_num_threads(threads)
    row = {}
    for name, (n, d) in {"SiouxFalls": (net, dem.matrix), "grid": (grid, gdem)}.items():
        arrays = _Arrays(n, d)
        cost = np.ascontiguousarray(n.free_flow_time * np.linspace(1.0, 1.4, n.n_links))
        aon = np.empty(n.n_links)
        sptt, _ = arrays.aon(cost, aon)
        fw = assign(n, d, algorithm="bfw", gap=1e-12, max_iter=15)
        b = assign(n, d, algorithm="b", gap=1e-12, max_iter=4)
        row[name] = {"aon": digest(aon, np.array([sptt])), "bfw": digest(fw.flow), "b": digest(b.flow),
                     "aon_flow": aon.tolist(), "bfw_flow": fw.flow.tolist(), "b_flow": b.flow.tolist()}
    out[threads] = row
print("RESULT " + json.dumps(out))
"""


@pytest.mark.slow
def test_link_flows_are_the_same_on_1_2_and_4_threads() -> None:
    import numpy as np

    from twin.traffic.assign import PARALLEL_MIN_WORK

    folder = shared_path("traffic", "tntp", "SiouxFalls")
    env = {**os.environ, "NUMBA_NUM_THREADS": "4", "PYTHONPATH": str(REPO)}
    env.pop("TWIN_NUMBA_THREADS", None)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(s for s in proc.stdout.splitlines() if s.startswith("RESULT "))
    out = json.loads(line[len("RESULT "):])
    assert out["work"]["grid"] >= PARALLEL_MIN_WORK  # the grid is chunked (and threaded)
    diffs = {}
    for name in ("SiouxFalls", "grid"):
        for what in ("aon", "bfw", "b"):
            ref = np.array(out["1"][name][f"{what}_flow"])
            assert ref.sum() > 0
            for threads in ("2", "4"):
                other = np.array(out[threads][name][f"{what}_flow"])
                diffs[(name, what, threads)] = float(np.max(np.abs(other - ref)))
    unequal = {key: d for key, d in diffs.items() if out[key[2]][key[0]][key[1]] != out["1"][key[0]][key[1]]}
    assert not unequal, f"link flows differ from the 1-thread run (max abs difference): {unequal}"
