"""Run a scenario: build the baseline scene, apply each what-if to a copy, run the engines on
both, and compare KPIs per object and in total, with Monte Carlo bands when asked.

Engines are adapters in :mod:`twin.scenario.engines` with one contract::

    READS: frozenset[str]   # layers (and 'meta:<key>') the engine depends on
    run(scene, options, *, base_dir) -> EngineResult

so the runner knows nothing of energy, traffic or soil physics. An adapter may also declare
``UNDEFINED_OK`` (KPIs that are NaN when undefined, e.g. a mean over no trips) and
``kpi_names(options)`` (the KPIs it reports).

Order of work (nothing is computed before the checks that can refuse the scenario):

1. :func:`twin.scenario.checks.check_scenario`: checks without a scene (no-effect rules,
   engine-run limit);
2. :func:`twin.scenario.inputs.resolve_inputs`: every input confined to the allowed folders and
   checked as a regular file of the right type and size, before anything is read;
3. the baseline scene (ingest, baseline modifications), the scene limits, and every what-if
   applied to a copy (selections that match nothing and modifications without effect are
   refused here, :mod:`twin.scenario.modifications`);
4. only then the engines. A KPI that comes back NaN or infinite (and is not declared
   ``UNDEFINED_OK``) is a :class:`~twin.errors.SimulationError` naming the engine, the scene
   and the KPI, never a silent NaN in the table.

``no_effect="warn"`` turns the no-effect errors of steps 1 and 3 into warnings. An engine runs on a what-if
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

from pydantic import ValidationError

from twin.errors import ScenarioError, SimulationError
from twin.scenario.checks import check_policy, check_scenario, check_scene_limits
from twin.scenario.inputs import ScenarioInput, input_path, resolve_inputs
from twin.scenario.sampling import draw_samples
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
    ``series``: optional time series (tz-aware index) for plots; ``notes``: for the report;
    ``warnings``: what a user must see (the runner prints each distinct text once per run as a
    :class:`~twin.errors.TwinWarning`, with the scenes it concerns).
    """

    objects: pd.DataFrame
    id_column: str
    kpis: dict[str, float]
    series: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


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


@dataclass
class PreparedScenes:
    """The baseline scene and the what-if scenes of a scenario, checked and ready for the engines."""

    baseline: object
    scenes: dict[str, object]
    applied: dict[str, list[dict]]
    inputs: list[ScenarioInput]
    timings_s: dict[str, float]


def build_baseline(scenario: Scenario, base_dir: Path, *, progress: bool = False, no_effect: str = "error",
                   allow_dirs=(), inputs: list[ScenarioInput] | None = None):
    """Ingest the scenario's inputs into a scene and apply its baseline modifications.

    ``inputs``: the confined and checked inputs (:func:`twin.scenario.inputs.resolve_inputs`);
    resolved here (confined to ``base_dir``, the shipped data and ``allow_dirs``) when not given.
    """
    from twin.ingest import ingest
    from twin.scenario.modifications import apply

    base_dir = Path(base_dir)
    if inputs is None:
        inputs = resolve_inputs(scenario, base_dir, allow_dirs=allow_dirs)
    files = [input_path(inputs, f"inputs.files.{i}") for i in range(len(scenario.inputs.files))]
    if scenario.inputs.weather:
        files.append(input_path(inputs, "inputs.weather"))
    sites = [input_path(inputs, f"inputs.sites.{i}") for i in range(len(scenario.inputs.sites))]
    scene, _ = ingest(files, crs=scenario.inputs.crs, source_crs=scenario.inputs.source_crs, sites=sites, progress=progress)
    scene.name = scenario.name
    rng = np.random.default_rng(scenario.uncertainty.seed)
    for i, mod in enumerate(scenario.baseline):
        ifc = input_path(inputs, f"baseline.{i}.ifc") if mod.op == "insert_building" else None
        apply(scene, mod, index=i, rng=rng, base_dir=base_dir, prefix="baseline", no_effect=no_effect, ifc_path=ifc)
    return scene


def apply_whatif(baseline, whatif, *, base_dir: Path, seed: int, index: int, no_effect: str = "error",
                 inputs: list[ScenarioInput] | None = None):
    """A copy of ``baseline`` with the what-if's modifications applied."""
    from twin.scenario.modifications import apply

    scene = baseline.copy()
    scene.name = whatif.name
    rng = np.random.default_rng([seed, index])
    records = []
    for i, m in enumerate(whatif.modifications):
        key = f"whatifs.{index}.modifications.{i}.ifc"
        ifc = input_path(inputs, key) if inputs is not None and m.op == "insert_building" else None
        records.append(apply(scene, m, index=i, rng=rng, base_dir=base_dir, prefix=f"whatifs.{index}.modifications",
                             no_effect=no_effect, ifc_path=ifc))
    return scene, records


def prepare_scenes(scenario: Scenario, *, base_dir: str | Path, progress: bool = False, no_effect: str = "error",
                   allow_dirs=()) -> PreparedScenes:
    """Steps 1-3 of the module docstring: every check, the baseline and the what-if scenes; no engine runs.

    Used by :func:`run_scenario` and by ``twin scenario validate``.
    """
    check_policy(no_effect)
    base_dir = Path(base_dir)
    timings: dict[str, float] = {}
    check_scenario(scenario, no_effect=no_effect)
    inputs = resolve_inputs(scenario, base_dir, allow_dirs=allow_dirs)
    t0 = time.perf_counter()
    baseline_scene = build_baseline(scenario, base_dir, progress=progress, no_effect=no_effect, inputs=inputs)
    timings["baseline_scene"] = time.perf_counter() - t0
    check_scene_limits(scenario, len(baseline_scene.buildings))
    for domain in scenario.domains:
        check = getattr(_engine(domain), "check_scene", None)
        if check is not None:
            check(baseline_scene, getattr(scenario, domain))
    scenes, applied = {}, {}
    for i, w in enumerate(scenario.whatifs):
        t0 = time.perf_counter()
        scenes[w.name], applied[w.name] = apply_whatif(baseline_scene, w, base_dir=base_dir, seed=scenario.uncertainty.seed,
                                                       index=i, no_effect=no_effect, inputs=inputs)
        timings[f"whatif_scene:{w.name}"] = time.perf_counter() - t0
    return PreparedScenes(baseline_scene, scenes, applied, inputs, timings)


def _options(scenario: Scenario, domain: str, overrides: dict[str, float] | None = None, *, sample=None):
    """The engine's options with the sampled values of this sample, validated like the file."""
    opts = getattr(scenario, domain)
    if overrides:
        mine = {k.split(".", 1)[1]: float(v) for k, v in overrides.items() if k.startswith(domain + ".")}
        if mine:
            unknown = [k for k in mine if k not in type(opts).model_fields]
            if unknown:
                raise ScenarioError(f"no option {domain}.{unknown[0]}", field="uncertainty.parameters")
            try:
                opts = type(opts).model_validate({**opts.model_dump(), **mine})
            except ValidationError as exc:
                first = exc.errors()[0]
                values = ", ".join(f"{domain}.{k} = {v:g}" for k, v in mine.items())
                raise ScenarioError(f"Monte Carlo sample {sample} ({values}) is not a valid {domain} setting: "
                                    f"{first['msg'].removeprefix('Value error, ')}", field="uncertainty.parameters") from None
    return opts


def kpi_names(scenario: Scenario) -> dict[str, list[str]]:
    """The KPIs each engine of ``scenario`` reports (from the adapters' ``kpi_names``)."""
    out = {}
    for domain in scenario.domains:
        names = getattr(_engine(domain), "kpi_names", None)
        if names is not None:
            out[domain] = list(names(getattr(scenario, domain)))
    return out


def _check_kpi_filter(scenario: Scenario) -> None:
    if scenario.kpis is None:
        return
    import difflib

    known = [k for names in kpi_names(scenario).values() for k in names]
    for i, k in enumerate(scenario.kpis):
        if k not in known:
            close = difflib.get_close_matches(k, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f" (the engines of this scenario report: {', '.join(known)})"
            raise ScenarioError(f"unknown KPI {k!r}{hint}", field=f"kpis.{i}")


def _run_engine(domain: str, engine, scene, opts, *, base_dir: Path, label: str) -> EngineResult:
    """One engine run; a NaN or infinite KPI that the adapter does not declare undefined-able is an error."""
    result = engine.run(scene, opts, base_dir=base_dir)
    undefined_ok = getattr(engine, "UNDEFINED_OK", frozenset())
    for kpi, value in result.kpis.items():
        v = float(value)
        if np.isinf(v) or (np.isnan(v) and kpi not in undefined_ok):
            raise SimulationError(f"the {domain} engine gave {kpi} = {v} on {label}: a result that is not a finite number "
                                  "(check the scenario's factors and options)", obj=label, field=kpi)
    return result


def _emit_engine_warnings(baseline: dict[str, EngineResult], whatifs: dict[str, dict[str, EngineResult]]) -> None:
    """Each distinct engine warning of the deterministic runs once, naming the scenes it concerns
    (Monte Carlo samples change options only and repeat them)."""
    import warnings

    from twin.errors import TwinWarning

    seen: dict[tuple[str, str], list[str]] = {}
    for domain, res in baseline.items():
        for text in res.warnings:
            seen.setdefault((domain, text), []).append("baseline")
    for name, per_domain in whatifs.items():
        for domain, res in per_domain.items():
            if res is baseline.get(domain):
                continue  # the baseline's result reused: nothing new
            for text in res.warnings:
                seen.setdefault((domain, text), []).append(f"what-if {name!r}")
    for (domain, text), scenes in seen.items():
        warnings.warn(f"{domain} ({', '.join(scenes)}): {text}", TwinWarning, stacklevel=3)


def run_scenario(scenario: Scenario, *, base_dir: str | Path, progress: bool = False, no_effect: str = "error",
                 allow_dirs=()) -> Comparison:
    """Run the baseline and every what-if of ``scenario`` on every requested engine.

    Parameters
    ----------
    scenario
        The validated scenario.
    base_dir
        The scenario file's folder: relative inputs are relative to it, and inputs must stay in
        it (or in the shipped data, or in ``allow_dirs``; :mod:`twin.scenario.inputs`).
    progress
        Show progress bars.
    no_effect
        ``"error"`` (default): a selection that matches nothing or a modification without effect
        raises :class:`~twin.errors.NoEffectError` before any engine runs; ``"warn"``: a
        :class:`~twin.errors.TwinWarning` instead.
    allow_dirs
        Extra folders inputs may come from.
    """
    base_dir = Path(base_dir)
    _check_kpi_filter(scenario)
    prepared = prepare_scenes(scenario, base_dir=base_dir, progress=progress, no_effect=no_effect, allow_dirs=allow_dirs)
    unc = scenario.uncertainty
    draws = draw_samples(scenario) if unc.samples and unc.parameters else None
    if draws is not None:  # every sample's options are valid before any engine runs
        for s, row in draws.iterrows():
            for domain in scenario.domains:
                _options(scenario, domain, row.to_dict(), sample=s)
    timings = dict(prepared.timings_s)
    baseline_scene, scenes, applied = prepared.baseline, prepared.scenes, prepared.applied

    def run_all(overrides=None, reuse=None, sample=None):
        base, what = {}, {w: {} for w in scenes}
        for domain in scenario.domains:
            if reuse is not None and not any(k.startswith(domain + ".") for k in overrides):
                # no sampled parameter of this engine: the deterministic results stand
                base[domain] = reuse[0][domain]
                for name in scenes:
                    what[name][domain] = reuse[1][name][domain]
                continue
            engine = _engine(domain)
            opts = _options(scenario, domain, overrides, sample=sample)
            suffix = "" if sample is None else f" (Monte Carlo sample {sample})"
            t = time.perf_counter()
            base[domain] = _run_engine(domain, engine, baseline_scene, opts, base_dir=base_dir, label=f"the baseline{suffix}")
            timings[f"engine:{domain}:baseline"] = timings.get(f"engine:{domain}:baseline", 0.0) + time.perf_counter() - t
            for name, sc in scenes.items():
                if not (sc.changed & engine.READS):
                    what[name][domain] = base[domain]
                    continue
                t = time.perf_counter()
                what[name][domain] = _run_engine(domain, engine, sc, opts, base_dir=base_dir, label=f"what-if {name!r}{suffix}")
                timings[f"engine:{domain}:{name}"] = timings.get(f"engine:{domain}:{name}", 0.0) + time.perf_counter() - t
        return base, what

    baseline, whatifs = run_all()
    _emit_engine_warnings(baseline, whatifs)
    wanted = None if scenario.kpis is None else set(scenario.kpis)
    rows = []
    for name, per_domain in whatifs.items():
        for domain, res in per_domain.items():
            for kpi, value in res.kpis.items():
                if wanted is not None and kpi not in wanted:
                    continue
                b = baseline[domain].kpis.get(kpi, np.nan)
                rows.append({"whatif": name, "domain": domain, "kpi": kpi, "baseline": b, "whatif_value": value, "delta": value - b})
    kpis = pd.DataFrame(rows, columns=["whatif", "domain", "kpi", "baseline", "whatif_value", "delta"])
    samples_frame = None
    if draws is not None:
        sample_rows = []
        for s, row in draws.iterrows():
            b_s, w_s = run_all(row.to_dict(), reuse=(baseline, whatifs), sample=s)
            for name, per_domain in w_s.items():
                for domain, res in per_domain.items():
                    for kpi, value in res.kpis.items():
                        if wanted is not None and kpi not in wanted:
                            continue
                        sample_rows.append({"sample": s, "whatif": name, "domain": domain, "kpi": kpi, "delta": value - b_s[domain].kpis.get(kpi, np.nan)})
        samples_frame = pd.DataFrame(sample_rows, columns=["sample", "whatif", "domain", "kpi", "delta"])
        lo, hi = unc.percentiles
        bands = samples_frame.groupby(["whatif", "domain", "kpi"])["delta"].agg(
            delta_p_lo=lambda x: np.percentile(x, lo), delta_p_hi=lambda x: np.percentile(x, hi)
        ).reset_index()
        kpis = kpis.merge(bands, on=["whatif", "domain", "kpi"], how="left")
    return Comparison(scenario, baseline, whatifs, applied, kpis, timings, samples_frame, baseline_scene)
