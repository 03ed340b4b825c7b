"""The 5R1C stock kernel against the plain-Python reference (tests/energy_reference.py): the largest
relative difference of annual heating and cooling, as tests/test_energy_kernel.py computes it.

Cases (the tests' own): ``plain`` = 50 synthetic buildings (seed 11) x 8760 h of synthetic drivers
(seed 3) with power limits, setbacks, off hours, monthly shading, two gain profiles, 240 h warm-up;
``film`` = 8 buildings (seed 5), film correction on, 48 h warm-up. Writes
``benchmarks/figures/energy_kernel_reference.json`` (differences, CPU time, load before/after, date,
commit, versions), from which ``scripts/update_figures.py`` writes docs/energy.md's validation sentence
and the README's energy-kernel row.

Usage::

    .venv/bin/python benchmarks/energy_kernel_reference.py
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_load import run_stamp  # noqa: E402 - benchmarks/machine_load.py

FIGURES = REPO / "benchmarks" / "figures" / "energy_kernel_reference.json"
N_H = 8760


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    """Largest relative difference where the reference is not 0 (tests/test_energy_kernel.py's measure)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    zero = b == 0
    if not np.all(a[zero] == 0):
        raise SystemExit("the kernel has a load where the reference has none")
    return float(np.max(np.abs(a[~zero] - b[~zero]) / np.abs(b[~zero]))) if (~zero).any() else 0.0


def main() -> dict:
    from tests.energy_reference import simulate_stock_reference
    from tests.energy_synthetic import synthetic_drivers, synthetic_stock
    from twin.energy.simulate import run_kernel

    out: dict = {**run_stamp(),
                 "command": "python benchmarks/energy_kernel_reference.py", "cases": {}}
    c0 = time.process_time()
    drivers = synthetic_drivers(N_H, seed=3)
    for key, n, seed, warmup, film in (("plain", 50, 11, 240, None), ("film", 8, 5, 48, True)):
        inp = synthetic_stock(n, seed=seed)
        raw = run_kernel(inp, drivers, warmup_hours=warmup, film_correction=film)
        ref = simulate_stock_reference(inp, drivers, warmup_hours=warmup, film_correction=film)
        out["cases"][key] = {"buildings": n, "hours": N_H, "film_correction": "each building's own" if film is None else film,
                             "heating_max_rel_diff": _rel(raw["heat_wh"], np.array([r["heat_wh"] for r in ref])),
                             "cooling_max_rel_diff": _rel(raw["cool_wh"], np.array([r["cool_wh"] for r in ref]))}
        print(key, out["cases"][key], flush=True)
    out["cpu_s"] = time.process_time() - c0
    out["load_after"] = list(os.getloadavg())
    FIGURES.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {FIGURES.relative_to(REPO)}; {out['cpu_s']:.1f} s CPU; load {out['load_before'][0]:.1f} -> {out['load_after'][0]:.1f}")
    return out


if __name__ == "__main__":
    main()
