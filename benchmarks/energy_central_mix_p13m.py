"""CPU time of the energy engine's central run on the Saint-Gilles default scenario's baseline: the
typology's system (``priors=None``, the run without samples) vs the expected value over the
heating-system prior (``priors=`` the scenario's stock priors; docs/energy_systems.md, "The central
run and the heating-system prior"). Two repetitions each after a warm-up; prints CPU
(``time.process_time``), wall, the load and the carrier KPIs.

Usage::

    .venv/bin/python benchmarks/energy_central_mix_p13m.py
"""
import time
import warnings
from pathlib import Path

from twin.energy.priors import load_priors
from twin.scenario.engines import energy
from twin.scenario.runner import _options, _prepare_scenes
from twin.scenario.schema import load_scenario

warnings.simplefilter("ignore")

path = Path(__file__).resolve().parents[1] / "scenarios" / "stgilles_default.yaml"
sc = load_scenario(path)
prep = _prepare_scenes(sc, base_dir=path.parent, no_effect="warn", allow_dirs=())
scene = prep.baseline
opts = _options(sc, "energy")
unc = sc.uncertainty
priors = load_priors(unc.priors if isinstance(unc.priors, dict) else None)
energy.run(scene, opts, base_dir=path.parent)  # warm: kernel compile, prepared stock cached
res = {}
for rep in range(2):
    for label, pri in (("old", None), ("mix", priors)):
        la = open("/proc/loadavg").read().split()[0]
        c0, w0 = time.process_time(), time.perf_counter()
        r = energy.run(scene, opts, base_dir=path.parent, priors=pri)
        c1, w1 = time.process_time(), time.perf_counter()
        res.setdefault(label, []).append(c1 - c0)
        print(f"{label} rep {rep}: cpu {c1 - c0:.2f} s, wall {w1 - w0:.2f} s, load {la}; gas {r.kpis['final_gas_mwh']:.0f} oil {r.kpis['final_oil_mwh']:.0f} "
              f"el {r.kpis['final_electricity_mwh']:.0f} MWh, D+ {r.kpis['floor_area_class_d_or_worse_pct']:.2f} %, buildings {r.kpis['buildings_simulated']:.0f}", flush=True)
print(f"ratio mix/old cpu (min of 2): {min(res['mix']) / min(res['old']):.2f}")
