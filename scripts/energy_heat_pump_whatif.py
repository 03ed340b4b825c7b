"""The KPI table of the Saint-Gilles heat-pump what-if (docs/energy_systems.md), from a run.

Runs ``scenarios/stgilles_heat_pumps.yaml`` through the scenario runner (what ``twin run`` runs)
and prints, as Markdown, every energy KPI's baseline, what-if and change with their bands
(5th-95th percentiles over the Monte Carlo samples) and the wall time. With ``--fixed-cop`` it
runs the same scenario again with the heat pumps' COP prior switched off (same seed: every other
draw is the same) and prints the bands of the change side by side.

Usage::

    TWIN_NUMBA_THREADS=1 .venv/bin/python scripts/energy_heat_pump_whatif.py [--fixed-cop]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "stgilles_heat_pumps.yaml"
KPIS = ("heating_need_mwh", "final_energy_mwh", "final_gas_mwh", "final_oil_mwh", "final_electricity_mwh", "primary_energy_mwh", "co2_t",
        "energy_cost_keur_yr", "investment_keur", "floor_area_class_d_or_worse_pct")


def _absolute(doc: dict, base: Path) -> dict:
    """The scenario with its input paths made absolute (so it can be written elsewhere)."""
    inp = doc["inputs"]
    inp["files"] = [str((base / f).resolve()) for f in inp["files"]]
    inp["sites"] = [str((base / f).resolve()) for f in inp.get("sites", [])]
    inp["weather"] = str((base / inp["weather"]).resolve())
    return doc


def run(doc: dict):
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import load_scenario

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        path.write_text(yaml.safe_dump(doc))
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            comparison = run_scenario(load_scenario(path), base_dir=Path(tmp), allow_dirs=[REPO / "data_samples"], progress=False)
        return comparison, time.perf_counter() - t0


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"


def table(comparison) -> str:
    k = comparison.kpis.set_index("kpi")
    lines = ["| KPI | baseline (5-95 %) | what-if (5-95 %) | change (5-95 %) |", "|---|---|---|---|"]
    for name in KPIS:
        r = k.loc[name]
        lines.append(f"| {name} | {_fmt(r['baseline'])} ({_fmt(r['baseline_p_lo'])} to {_fmt(r['baseline_p_hi'])}) | "
                     f"{_fmt(r['whatif_value'])} ({_fmt(r['whatif_p_lo'])} to {_fmt(r['whatif_p_hi'])}) | "
                     f"{_fmt(r['delta'])} ({_fmt(r['delta_p_lo'])} to {_fmt(r['delta_p_hi'])}) |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixed-cop", action="store_true", help="also run with the COP prior off and compare the bands of the change")
    args = ap.parse_args(argv)
    doc = _absolute(yaml.safe_load(SCENARIO.read_text()), SCENARIO.parent)
    c, wall = run(doc)
    n = doc["uncertainty"]["samples"]
    print(f"{SCENARIO.relative_to(REPO)}: {int(c.kpis.set_index('kpi').loc['buildings_simulated', 'baseline']):,} buildings, "
          f"{n} samples (seed {doc['uncertainty']['seed']}), wall {wall:.0f} s\n")
    print(table(c))
    f = c.stock_samples.hp_cop_factor
    if f is not None:
        import numpy as np

        lo, med, hi = np.percentile(f, [5, 50, 95])
        print(f"\nCOP factor drawn (prior heat_pump_cop): median {med:.3f}, 5-95 % {lo:.3f}-{hi:.3f}")
    if args.fixed_cop:
        doc2 = yaml.safe_load(yaml.safe_dump(doc))
        pri = doc2["uncertainty"].get("priors")
        doc2["uncertainty"]["priors"] = {**(pri if isinstance(pri, dict) else {}), "heat_pump_cop": {"enabled": False}}
        c2, wall2 = run(doc2)
        k1, k2 = c.kpis.set_index("kpi"), c2.kpis.set_index("kpi")
        print(f"\nBands of the change with and without the COP prior (wall {wall2:.0f} s without):\n")
        print("| KPI | change, COP prior on (5-95 %) | change, COP fixed (5-95 %) |\n|---|---|---|")
        for name in ("final_electricity_mwh", "final_energy_mwh", "primary_energy_mwh", "co2_t", "energy_cost_keur_yr"):
            a, b = k1.loc[name], k2.loc[name]
            print(f"| {name} | {_fmt(a['delta_p_lo'])} to {_fmt(a['delta_p_hi'])} | {_fmt(b['delta_p_lo'])} to {_fmt(b['delta_p_hi'])} |")


if __name__ == "__main__":
    main()
