"""Run a scenario: build the baseline scene, apply each what-if to a copy, run the engines on
both, and compare KPIs per object and in total, with Monte Carlo bands when asked.

Engines are adapters in :mod:`twin.scenario.engines` with one contract::

    READS: frozenset[str]   # layers (and 'meta:<key>') the engine depends on
    run(scene, options, *, base_dir) -> EngineResult

so the runner knows nothing of energy, traffic or soil physics. An engine runs on a what-if
only if the what-if changed something it reads; otherwise the baseline result is the what-if
result (a street closure does not re-run the building energy model). Coupled effects follow from
the shared scene: an inserted building shades its neighbours (their horizon profiles change),
adds floor area (trips) and seals its footprint (runoff), with no special code here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import ScenarioError
from twin.scenario.schema import Scenario

ENGINES = {
    "energy": "twin.scenario.engines.energy",
    "traffic": "twin.scenario.engines.traffic",
    "soil": "twin.scenario.engines.soil",
}


@dataclass
class EngineResult:
    """What one engine returns for one scene.

    ``objects``: one row per object (building, link, cell) with ``id_column`` and numeric
    result columns (units in names), optionally a geometry column for maps; ``kpis``: totals;
    ``series``: optional time series (tz-aware index) for plots.
    """

    objects: pd.DataFrame
    id_column: str
    kpis: dict[str, float]
    series: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    """Baseline and what-if results of a scenario and their differences."""

    scenario: Scenario
    baseline: dict[str, EngineResult]
    whatifs: dict[str, dict[str, EngineResult]]
    applied: dict[str, list[dict]]
    kpis: pd.DataFrame
    timings_s: dict[str, float]
    samples: pd.DataFrame | None = None
    baseline_scene: object = None

    def deltas(self, whatif: str, domain: str) -> pd.DataFrame:
        """Per-object what-if minus baseline for the numeric columns both share."""
        base = self.baseline[domain]
        new = self.whatifs[whatif][domain]
        idc = base.id_column
        b = base.objects.drop(columns="geometry", errors="ignore").set_index(idc)
        w = new.objects.drop(columns="geometry", errors="ignore").set_index(idc)
        numeric = [c for c in b.columns if c in w.columns and pd.api.types.is_numeric_dtype(b[c]) and pd.api.types.is_numeric_dtype(w[c])]
        joined = b[numeric].add_suffix("_baseline").join(w[numeric].add_suffix("_whatif"), how="outer")
        out = pd.DataFrame(index=joined.index)
        for c in numeric:
            out[f"{c}_baseline"] = joined[f"{c}_baseline"]
            out[f"{c}_whatif"] = joined[f"{c}_whatif"]
            out[f"{c}_delta"] = joined[f"{c}_whatif"] - joined[f"{c}_baseline"]
        out.index.name = idc
        return out.reset_index()


def _engine(domain: str):
    return import_module(ENGINES[domain])


def build_baseline(scenario: Scenario, base_dir: Path, *, progress: bool = False):
    """Ingest the scenario's inputs into a scene and apply its baseline modifications."""
    from twin.ingest import ingest
    from twin.scenario.modifications import apply

    files = [(base_dir / f).resolve() for f in scenario.inputs.files]
    if scenario.inputs.weather:
        files.append((base_dir / scenario.inputs.weather).resolve())
    for i, f in enumerate(files):
        if not f.exists():
            key = f"inputs.files.{i}" if i < len(scenario.inputs.files) else "inputs.weather"
            raise ScenarioError("input file not found", path=f, field=key)
    sites = [(base_dir / f).resolve() for f in scenario.inputs.sites]
    for i, f in enumerate(sites):
        if not f.exists():
            raise ScenarioError("input file not found", path=f, field=f"inputs.sites.{i}")
    scene, _ = ingest(files, crs=scenario.inputs.crs, source_crs=scenario.inputs.source_crs, sites=sites, progress=progress)
    scene.name = scenario.name
    rng = np.random.default_rng(scenario.uncertainty.seed)
    for i, mod in enumerate(scenario.baseline):
        apply(scene, mod, index=i, rng=rng, base_dir=base_dir, prefix="baseline")
    return scene


def apply_whatif(baseline, whatif, *, base_dir: Path, seed: int, index: int):
    """A copy of ``baseline`` with the what-if's modifications applied."""
    from twin.scenario.modifications import apply

    scene = baseline.copy()
    scene.name = whatif.name
    rng = np.random.default_rng([seed, index])
    records = [apply(scene, m, index=i, rng=rng, base_dir=base_dir, prefix=f"whatifs.{index}.modifications") for i, m in enumerate(whatif.modifications)]
    return scene, records


def _options(scenario: Scenario, domain: str, overrides: dict[str, float] | None = None):
    opts = getattr(scenario, domain)
    if overrides:
        mine = {k.split(".", 1)[1]: v for k, v in overrides.items() if k.startswith(domain + ".")}
        if mine:
            unknown = [k for k in mine if k not in type(opts).model_fields]
            if unknown:
                raise ScenarioError(f"no option {domain}.{unknown[0]}", field="uncertainty.parameters")
            opts = opts.model_copy(update=mine)
    return opts


def draw_samples(scenario: Scenario) -> pd.DataFrame:
    """The Monte Carlo parameter samples (one row per sample), reproducible from the seed."""
    unc = scenario.uncertainty
    rng = np.random.default_rng(unc.seed)
    columns = {}
    for d in unc.parameters:
        n = unc.samples
        if d.dist == "normal":
            columns[d.name] = rng.normal(d.mean, d.sd, n)
        elif d.dist == "lognormal":
            sigma2 = np.log(1 + (d.sd / d.mean) ** 2)
            columns[d.name] = rng.lognormal(np.log(d.mean) - sigma2 / 2, np.sqrt(sigma2), n)
        elif d.dist == "uniform":
            columns[d.name] = rng.uniform(d.low, d.high, n)
        else:
            columns[d.name] = rng.triangular(d.low, d.mode, d.high, n)
    return pd.DataFrame(columns, index=pd.RangeIndex(unc.samples, name="sample"))


def run_scenario(scenario: Scenario, *, base_dir: str | Path, progress: bool = False) -> Comparison:
    """Run the baseline and every what-if of ``scenario`` on every requested engine."""
    base_dir = Path(base_dir)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    baseline_scene = build_baseline(scenario, base_dir, progress=progress)
    timings["baseline_scene"] = time.perf_counter() - t0
    scenes = {}
    applied = {}
    for i, w in enumerate(scenario.whatifs):
        t0 = time.perf_counter()
        scenes[w.name], applied[w.name] = apply_whatif(baseline_scene, w, base_dir=base_dir, seed=scenario.uncertainty.seed, index=i)
        timings[f"whatif_scene:{w.name}"] = time.perf_counter() - t0

    def run_all(overrides=None, reuse=None):
        base, what = {}, {w: {} for w in scenes}
        for domain in scenario.domains:
            if reuse is not None and not any(k.startswith(domain + ".") for k in overrides):
                # no sampled parameter of this engine: the deterministic results stand
                base[domain] = reuse[0][domain]
                for name in scenes:
                    what[name][domain] = reuse[1][name][domain]
                continue
            engine = _engine(domain)
            opts = _options(scenario, domain, overrides)
            t = time.perf_counter()
            base[domain] = engine.run(baseline_scene, opts, base_dir=base_dir)
            timings[f"engine:{domain}:baseline"] = timings.get(f"engine:{domain}:baseline", 0.0) + time.perf_counter() - t
            for name, sc in scenes.items():
                if not (sc.changed & engine.READS):
                    what[name][domain] = base[domain]
                    continue
                t = time.perf_counter()
                what[name][domain] = engine.run(sc, opts, base_dir=base_dir)
                timings[f"engine:{domain}:{name}"] = timings.get(f"engine:{domain}:{name}", 0.0) + time.perf_counter() - t
        return base, what

    baseline, whatifs = run_all()
    rows = []
    for name, per_domain in whatifs.items():
        for domain, res in per_domain.items():
            for kpi, value in res.kpis.items():
                b = baseline[domain].kpis.get(kpi, np.nan)
                rows.append({"whatif": name, "domain": domain, "kpi": kpi, "baseline": b, "whatif_value": value, "delta": value - b})
    kpis = pd.DataFrame(rows, columns=["whatif", "domain", "kpi", "baseline", "whatif_value", "delta"])
    samples_frame = None
    unc = scenario.uncertainty
    if unc.samples and unc.parameters:
        draws = draw_samples(scenario)
        sample_rows = []
        for s, row in draws.iterrows():
            b_s, w_s = run_all(row.to_dict(), reuse=(baseline, whatifs))
            for name, per_domain in w_s.items():
                for domain, res in per_domain.items():
                    for kpi, value in res.kpis.items():
                        sample_rows.append({"sample": s, "whatif": name, "domain": domain, "kpi": kpi, "delta": value - b_s[domain].kpis.get(kpi, np.nan)})
        samples_frame = pd.DataFrame(sample_rows)
        lo, hi = unc.percentiles
        bands = samples_frame.groupby(["whatif", "domain", "kpi"])["delta"].agg(
            delta_p_lo=lambda x: np.percentile(x, lo), delta_p_hi=lambda x: np.percentile(x, hi)
        ).reset_index()
        kpis = kpis.merge(bands, on=["whatif", "domain", "kpi"], how="left")
    return Comparison(scenario, baseline, whatifs, applied, kpis, timings, samples_frame, baseline_scene)
