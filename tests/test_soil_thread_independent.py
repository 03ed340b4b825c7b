"""The Richards kernel's group series (sewer inflows per catchment and hour) are the same, to the
last bit, whatever the number of Numba threads (1, 2 or 4) and whichever thread took which column.

Each thread count runs in a fresh process started with ``NUMBA_NUM_THREADS`` set to it (the
machine may have fewer cores; Numba then runs that many threads on them), which prints the bytes
of the group series and of the per-column totals. The case: 480 random columns (textures, initial
heads, run-on factors, bottoms) in 5 groups, chunks of 3 columns handed out dynamically, two days
of hourly rain, evaporation and transpiration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.cli_harness import REPO

CHILD = r"""
import json, sys
import numba
import numpy as np
from twin.kernels import soil_richards as R
from twin.soil.hydraulics import carsel_parrish
from twin.soil.roots import FeddesParameters
from twin.soil.solver import Forcing, ForcingSet, Profile, SolverOptions, graded_profile, run_richards

rng = np.random.default_rng(23)
mats = [m.with_air_entry(-0.02) for m in carsel_parrish().values()]  # as the district grid
profiles = []
for m in range(len(mats)):
    g = graded_profile([(0.0, 1.0 + 0.1 * m, m)], dz_top_m=0.01, dz_max_m=0.1, growth=1.2)
    roots = np.where(g.z_m < 0.4, 2.5, 0.0)
    profiles.append(Profile(g.z_m, g.material, roots, 0.002))
n_col, n_t, n_groups = 480, 48, 5
col_prof = rng.integers(0, len(profiles), n_col)
h0 = -(10 ** rng.uniform(-0.5, 0.7, n_col))
rain = np.where(rng.random(n_t) < 0.3, rng.uniform(0.0, 8e-6, n_t), 0.0)
rain[10:12] = 2e-5  # a storm: ponding and runoff on the wetter columns
evap = np.full(n_t, 5e-8)
tp = np.tile(np.r_[np.zeros(6), np.full(12, 8e-8), np.zeros(6)], 2)
sets = [ForcingSet(rain * 0.9, evap, tp, "grass"), ForcingSet(rain, evap, np.zeros(n_t), "bare")]
forcing = Forcing(np.arange(n_t + 1) * 3600.0, rain, sets=sets)
col_set = (col_prof % 2).astype(np.int64)
bottom = np.where(rng.random(n_col) < 0.2, "zero_flux", "free_drainage")
group, weight = rng.integers(-1, n_groups, n_col), rng.uniform(5.0, 400.0, n_col)
res = run_richards(profiles, mats, col_prof, h0, forcing, bottom=bottom, rain_factor=rng.uniform(1.0, 3.0, n_col),
                   column_set=col_set, feddes=FeddesParameters(), column_group=group, column_weight=weight, n_groups=n_groups,
                   options=SolverOptions(chunk=3), store_profiles=False)
print("RESULT " + json.dumps({"threads": numba.get_num_threads(), "series": res.group_series_m3.ravel().tolist(),
                              "series_hex": res.group_series_m3.tobytes().hex(), "totals_hex": res.totals.tobytes().hex(),
                              "totals": res.totals.tolist(), "group": group.tolist(), "weight": weight.tolist()}))
"""
N_GROUPS = 5


def _run(threads: int) -> dict:
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads), "PYTHONPATH": str(REPO)}
    env.pop("TWIN_NUMBA_THREADS", None)
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, cwd=REPO, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(s for s in proc.stdout.splitlines() if s.startswith("RESULT "))
    out = json.loads(line[len("RESULT "):])
    assert out["threads"] == threads
    return out


@pytest.mark.slow
def test_group_series_are_the_same_on_1_2_and_4_threads() -> None:
    from twin.kernels import soil_richards as R

    runs = {t: _run(t) for t in (1, 2, 4)}
    ref = np.array(runs[1]["series"]).reshape(48, N_GROUPS, R.N_GSER)
    totals = np.array(runs[1]["totals"])
    # the series are the columns' fluxes: per group, the year's sums are sum(weight x total)
    group, weight = np.array(runs[1]["group"]), np.array(runs[1]["weight"])
    for g in range(N_GROUPS):
        cols = group == g
        for s, f in [(R.G_RUNOFF, R.F_RUNOFF), (R.G_DRAIN, R.F_DRAIN), (R.G_EVAP, R.F_EVAP), (R.G_TRANSP, R.F_TRANSP)]:
            want = float(np.sum(weight[cols] * totals[cols, f]))
            assert abs(ref[:, g, s].sum() - want) <= 1e-9 * max(1.0, abs(want)), (g, s)
    assert ref[:, :, R.G_RUNOFF].sum() > 0 and ref[:, :, R.G_TRANSP].sum() > 0  # the case runs off and transpires
    for t in (2, 4):
        assert runs[t]["totals_hex"] == runs[1]["totals_hex"]  # per column: one thread per column, always equal
        other = np.array(runs[t]["series"]).reshape(ref.shape)
        diff = float(np.max(np.abs(other - ref)))
        assert runs[t]["series_hex"] == runs[1]["series_hex"], f"group series on {t} threads differ from 1 thread: max |diff| {diff:.3e} m3"
