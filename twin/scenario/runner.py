"""Run a scenario: build the baseline scene, apply each what-if to a copy, run the engines on
both, and compare KPIs per object and in total, with Monte Carlo bands when asked.

Engines are adapters in :mod:`twin.scenario.engines` with one contract::

    READS: frozenset[str]   # layers (and 'meta:<key>') the engine depends on
    run(scene, options, *, base_dir) -> EngineResult

so the runner knows nothing of energy, traffic or soil physics. An adapter may also declare
``UNDEFINED_OK`` (KPIs that are NaN when undefined, e.g. a mean over no trips),
``kpi_names(options)`` (the KPIs it reports), ``check_inputs(options, *, base_dir)`` (reads and
checks the files its options name, before the scene is built), ``check_scene(scene, options)``
(the baseline scene, before the what-ifs are applied), ``check_whatifs(baseline_scene, scenes,
options, *, no_effect)`` (once every what-if scene is built, before any engine runs; e.g. a
``soil.block`` that no what-if reaches) and ``PAIRED = True``: its
what-if runs are made against its baseline run (``run(scene, options, *, base_dir,
baseline_scene)``, e.g. the mobility model's what-if keeps the baseline's calibration), its
what-if results may carry what-if-specific baseline values (:attr:`EngineResult.baseline_kpis`,
e.g. the baseline flow on the streets a what-if closes), and its Monte Carlo samples run
baseline and what-ifs together (``run_samples_paired``). ``SAMPLES_ITSELF = True``: with
``uncertainty.samples`` > 0 its ``run_samples_paired`` is called even when none of its options
is sampled (the soil engine samples its surface priors for the hot-days KPIs).

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
only if the what-if changed something it reads (a layer of its ``READS``; for the buildings
layer, one of its ``BUILDING_COLUMNS`` when it declares them); otherwise the baseline result is
the what-if result (a street closure does not re-run the building energy model, a renovation
does not re-run the traffic model).

Monte Carlo (``uncertainty.samples`` > 0): each sample draws the declared option ``parameters``
(:mod:`twin.scenario.sampling`) and, with ``uncertainty.priors`` on (the default), the building
stock's unknown attributes (:mod:`twin.energy.stock_samples`: use, storeys and height, period,
glazing, heating system, setpoint, air change) once, on the baseline scene. Every what-if is
evaluated on the same sampled city (the draws are aligned by building id), so its deltas are
paired. An engine with a sampled option, or reading sampled attributes (``STOCK_ATTRIBUTES``),
runs every sample on the baseline and on the what-ifs it re-runs, through its ``run_samples``
(the energy engine batches all samples through the kernel) or ``run_samples_paired`` (the
traffic engine runs each sample's baseline, then each what-if against it, with the sample's
mode-choice coefficients and demand parameters) or else once per sample on a copy of the
scene with the sampled attributes; other engines' deterministic results stand in every sample. The KPI table
gets the percentiles of the baseline, what-if and delta samples (:data:`BAND_COLUMNS`). Coupled effects follow from
the shared scene: an inserted building shades its neighbours (their horizon profiles change),
adds floor area (trips) and seals its footprint (runoff), with no special code here.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from twin.errors import CRSError, ScenarioError, SimulationError, TwinError
from twin.io import progress as _progress
from twin.scenario.checks import check_policy, check_scenario, check_scene_limits, priors_on, scenario_in_hand
from twin.scenario.inputs import ScenarioInput, in_scenario_terms, input_path, resolve_inputs
from twin.scenario.sampling import draw_samples
from twin.scenario.schema import Scenario

log = logging.getLogger(__name__)

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
    baseline_kpis: dict[str, float] = field(default_factory=dict)
    """What-if results only: baseline values that depend on the what-if (e.g. the baseline's flow
    on the links this what-if closes); they replace the baseline's KPI of the same name in the
    comparison of this what-if."""
    object_deltas: pd.DataFrame | None = None
    """What-if results only: per-object columns of this what-if's deltas that the engine computes
    itself (``id_column``, ``<name>_baseline``, ``_whatif``, ``_delta``), for values whose
    baseline depends on the what-if (the soil engine's surface temperature of each cell on the
    hottest days); :meth:`Comparison.deltas` appends them."""
    solar: object | None = None
    """Energy what-ifs with a ``pv`` measure: the solar cadastre behind the PV yield
    (:class:`twin.solar.pv_measure.SolarPV`), shown by the report's solar section."""


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
    stock_samples: object = None
    sample_notes: list[str] = field(default_factory=list)

    def deltas(self, whatif: str, domain: str) -> pd.DataFrame:
        """Per-object what-if minus baseline for the numeric columns both share, then the
        what-if's own :attr:`EngineResult.object_deltas`."""
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
        if new.object_deltas is not None:
            out = out.join(new.object_deltas.set_index(idc), how="left")
        out.index.name = idc
        return out.reset_index()


def _engine(domain: str):
    return import_module(ENGINES[domain])


# one run: its identity and its outputs (used by ``twin run`` and by each run of a batch) ---------

def scenario_inputs(scenario: Scenario, base_dir: Path, *, allow_dirs=()) -> list[Path]:
    """Every file a scenario reads (inputs, weather, inserted IFC files, the traffic engine's
    GTFS feed and tables), for the input hash:
    confined to the allowed folders and checked as regular files of the right type and size
    (:func:`twin.scenario.inputs.resolve_inputs`), so nothing outside is ever hashed."""
    return [item.path for item in resolve_inputs(scenario, base_dir, allow_dirs=allow_dirs)]


def run_identity(path, *, allow_dirs=()) -> dict:
    """Scenario, hashes and run id of a scenario file.

    The inputs are confined and checked before any of them is hashed (:func:`scenario_inputs`).

    Returns
    -------
    dict
        ``scenario``, ``path`` (resolved), ``input_hash``, ``scenario_hash``, ``seed``,
        ``version`` (of twin) and ``run_id`` (:func:`twin.scenario.store.make_run_id`).

    Raises
    ------
    ScenarioError
        The file is not a valid scenario.
    UnsafePathError
        An input outside the scenario's folder, the shipped data and ``allow_dirs``, or not a
        regular file.
    InputError
        A missing input, or one of the wrong type (ResourceLimitError: too large).
    """
    import twin
    from twin.scenario.schema import load_scenario
    from twin.scenario.store import hash_files, make_run_id

    path = Path(path).resolve()
    scenario = load_scenario(path)
    input_hash = hash_files(scenario_inputs(scenario, path.parent, allow_dirs=allow_dirs))
    scenario_hash = scenario.digest()
    seed = scenario.uncertainty.seed
    return {
        "scenario": scenario,
        "path": path,
        "input_hash": input_hash,
        "scenario_hash": scenario_hash,
        "seed": seed,
        "version": twin.__version__,
        "run_id": make_run_id(scenario_hash, input_hash, seed, twin.__version__),
    }


def kpi_deltas(comparison: Comparison) -> dict[str, float]:
    """``"<whatif>/<domain>/<kpi>"`` -> delta of every KPI of a comparison (what the run store records)."""
    return {f"{r.whatif}/{r.domain}/{r.kpi}": float(r.delta) for r in comparison.kpis.itertuples()}


def write_run_files(comparison: Comparison, folder: Path) -> dict[str, str]:
    """A run's per-object outputs in the existing folder ``folder``: ``kpis.parquet``, the
    per-object deltas (:func:`twin.scenario.outputs.write_output_files`) and, with Monte Carlo
    samples, ``samples.parquet`` (every sample's baseline, what-if and delta KPIs).

    Returns
    -------
    dict
        Output name (``kpis``, ``<whatif>/<domain>``, ``samples``) -> file name inside ``folder``.
    """
    from twin.scenario.outputs import write_output_files

    with _progress.step("per-object outputs"):
        written = write_output_files(comparison, Path(folder))
        if comparison.samples is not None:
            comparison.samples.to_parquet(Path(folder) / "samples.parquet", index=False)
            written["samples"] = "samples.parquet"
    return written


def write_run_folder(comparison: Comparison, out_dir: Path, *, report: bool = False, run_id: str | None = None) -> dict[str, str]:
    """:func:`write_run_files` into ``out_dir`` as one folder, staged beside it and swapped in
    whole (:func:`twin.io.staged.staged_dir`; an existing ``out_dir`` is replaced only when it
    holds earlier outputs or is empty).

    ``report``: also write ``report.html`` (:func:`twin.scenario.report.write_report`, naming
    ``run_id``) into the staged folder, output ``report``; if it fails, nothing is swapped in.
    """
    from twin.io.staged import staged_dir
    from twin.scenario.outputs import OUTPUT_MARKERS

    with staged_dir(out_dir, owned=OUTPUT_MARKERS) as tmp:
        written = write_run_files(comparison, tmp)
        if report:
            from twin.scenario.report import write_report

            with _progress.step("report.html"):
                write_report(comparison, tmp / "report.html", run_id=run_id)
            written["report"] = "report.html"
    return written


@dataclass
class PreparedScenes:
    """The baseline scene and the what-if scenes of a scenario, checked and ready for the engines."""

    baseline: object
    scenes: dict[str, object]
    applied: dict[str, list[dict]]
    inputs: list[ScenarioInput]
    timings_s: dict[str, float]


def build_baseline(scenario: Scenario, base_dir: Path, *, progress: bool | None = None, no_effect: str = "error",
                   allow_dirs=(), inputs: list[ScenarioInput] | None = None):
    """Ingest the scenario's inputs into a scene and apply its baseline modifications.

    ``inputs``: the confined and checked inputs (:func:`twin.scenario.inputs.resolve_inputs`);
    resolved here (confined to ``base_dir``, the shipped data and ``allow_dirs``) when not given.
    """
    from twin.scenario.modifications import apply

    base_dir = Path(base_dir)
    if inputs is None:
        inputs = resolve_inputs(scenario, base_dir, allow_dirs=allow_dirs)
    files = [input_path(inputs, f"inputs.files.{i}") for i in range(len(scenario.inputs.files))]
    if scenario.inputs.weather:
        files.append(input_path(inputs, "inputs.weather"))
    sites = [input_path(inputs, f"inputs.sites.{i}") for i in range(len(scenario.inputs.sites))]
    try:
        scene = _ingested(files, crs=scenario.inputs.crs, source_crs=scenario.inputs.source_crs, sites=sites,
                          clip_to_sites=scenario.inputs.clip_to_sites, progress=progress)
    except CRSError as exc:  # its advice in the scenario's keys, not twin ingest's options
        raise in_scenario_terms(exc) from None
    scene.name = scenario.name
    if scenario.inputs.calibration:
        from twin.calibration.writeback import apply_calibration

        table = input_path(inputs, "inputs.calibration")
        try:
            scene = apply_calibration(scene, table)
        except TwinError as exc:  # name the scenario's file and key
            raise type(exc)(exc.message, path=table, obj=exc.obj, field=f"inputs.calibration ({exc.field})" if exc.field else
                            "inputs.calibration") from None
        scene.name = scenario.name
    rng = np.random.default_rng(scenario.uncertainty.seed)
    for i, mod in enumerate(scenario.baseline):
        ifc = input_path(inputs, f"baseline.{i}.ifc") if mod.op == "insert_building" else None
        apply(scene, mod, index=i, rng=rng, base_dir=base_dir, prefix="baseline", no_effect=no_effect, ifc_path=ifc)
    return scene


#: Ingested scenes of the run in progress (:func:`run_scenario` and the runs it makes itself, e.g.
#: the priors-alone energy run of a calibrated scenario), by input files (path, size, modification
#: time) and CRS; None outside a run. A run's own second run of the same inputs takes a copy of
#: the first ingest instead of reading the files again.
_RUN_INGESTS: ContextVar[dict | None] = ContextVar("twin_run_ingests", default=None)


def _file_key(path) -> tuple:
    st = Path(path).stat()
    return str(Path(path).resolve()), st.st_size, st.st_mtime_ns


def _ingested(files: list, *, crs, source_crs, sites: list, clip_to_sites: bool = False, progress):
    """:func:`twin.ingest.ingest` of ``files`` and ``sites``, once per run (:data:`_RUN_INGESTS`):
    a later call of the same run with the same files (unchanged on disk) and CRS gets a copy of the
    first scene (its tables shared copy-on-write, as a what-if's copy of the baseline)."""
    from twin.ingest import ingest

    store = _RUN_INGESTS.get()
    key = None
    if store is not None:
        key = (tuple(_file_key(f) for f in files), tuple(_file_key(f) for f in sites), clip_to_sites, crs, source_crs)
        hit = store.get(key)
        if hit is not None:
            return hit.copy(keep_changed=True)
    scene, results = ingest(files, crs=crs, source_crs=source_crs, sites=sites, clip_to_sites=clip_to_sites, progress=progress)
    if source_crs is not None:
        import warnings

        from twin.errors import TwinWarning
        from twin.ingest.dispatch import source_crs_used

        if not source_crs_used(results):  # as twin ingest --source-crs: a warning (the scene is right, the key changed nothing)
            warnings.warn(f"inputs.source_crs {source_crs} was not used: every input declares its CRS or has a fixed one "
                          "(OSM, IFC, EPW); remove the key", TwinWarning, stacklevel=2)
    if key is not None:
        store[key] = scene.copy(keep_changed=True)
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


def prepare_scenes(scenario: Scenario, *, base_dir: str | Path, progress: bool | None = None, no_effect: str = "error",
                   allow_dirs=()) -> PreparedScenes:
    """Steps 1-3 of the module docstring: every check, the baseline and the what-if scenes; no engine runs.

    Used by :func:`run_scenario` and by ``twin scenario validate``. ``progress``: as
    :func:`run_scenario`.
    """
    with _progress.requested(progress):
        return _prepare_scenes(scenario, base_dir=base_dir, no_effect=no_effect, allow_dirs=allow_dirs)


def _prepare_scenes(scenario: Scenario, *, base_dir: str | Path, no_effect: str, allow_dirs) -> PreparedScenes:
    with scenario_in_hand(scenario):  # no-effect errors and warnings name the file and the what-if
        return _build_scenes(scenario, base_dir=base_dir, no_effect=no_effect, allow_dirs=allow_dirs)


def _build_scenes(scenario: Scenario, *, base_dir: str | Path, no_effect: str, allow_dirs) -> PreparedScenes:
    check_policy(no_effect)
    base_dir = Path(base_dir)
    timings: dict[str, float] = {}
    check_scenario(scenario, no_effect=no_effect)
    inputs = resolve_inputs(scenario, base_dir, allow_dirs=allow_dirs)
    for domain in scenario.domains:  # the files engine options name (tables, feeds), read and checked
        check_files = getattr(_engine(domain), "check_inputs", None)
        if check_files is not None:
            check_files(getattr(scenario, domain), base_dir=base_dir)
    t0 = time.perf_counter()
    with _progress.step("baseline scene"):
        baseline_scene = build_baseline(scenario, base_dir, no_effect=no_effect, inputs=inputs)
    timings["baseline_scene"] = time.perf_counter() - t0
    check_scene_limits(scenario, len(baseline_scene.buildings))
    for domain in scenario.domains:
        check = getattr(_engine(domain), "check_scene", None)
        if check is not None:
            check(baseline_scene, getattr(scenario, domain))
    scenes, applied = {}, {}
    for i, w in enumerate(_progress.track(scenario.whatifs, "what-if scenes")):
        t0 = time.perf_counter()
        scenes[w.name], applied[w.name] = apply_whatif(baseline_scene, w, base_dir=base_dir, seed=scenario.uncertainty.seed,
                                                       index=i, no_effect=no_effect, inputs=inputs)
        timings[f"whatif_scene:{w.name}"] = time.perf_counter() - t0
    for domain in scenario.domains:  # checks that need the what-if scenes (a soil.block that no what-if reaches)
        check_whatifs = getattr(_engine(domain), "check_whatifs", None)
        if check_whatifs is not None:
            check_whatifs(baseline_scene, scenes, getattr(scenario, domain), no_effect=no_effect)
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
    from twin.io.key_hints import did_you_mean

    known = [k for names in kpi_names(scenario).values() for k in names]
    for i, k in enumerate(scenario.kpis):
        if k not in known:
            hint = did_you_mean(k, known, parenthesised=False) or f" (the engines of this scenario report: {', '.join(known)})"
            raise ScenarioError(f"unknown KPI {k!r}{hint}", field=f"kpis.{i}")


def _run_engine(domain: str, engine, scene, opts, *, base_dir: Path, label: str, baseline_scene=None, priors=None) -> EngineResult:
    """One engine run; a NaN or infinite KPI that the adapter does not declare undefined-able is an error.

    ``baseline_scene``: for a what-if of a ``PAIRED`` engine, the baseline scene it is run against.
    ``priors``: the Monte Carlo's stock priors, for an engine with ``CENTRAL_PRIORS`` (its central
    run is the expected value over the priors where it says so, e.g. the energy engine's heating systems).
    """
    extra = {"priors": priors} if priors is not None and getattr(engine, "CENTRAL_PRIORS", False) else {}
    if getattr(engine, "PAIRED", False):
        result = engine.run(scene, opts, base_dir=base_dir, baseline_scene=baseline_scene, **extra)
    else:
        result = engine.run(scene, opts, base_dir=base_dir, **extra)
    undefined_ok = getattr(engine, "UNDEFINED_OK", frozenset())
    for kpi, value in {**result.kpis, **result.baseline_kpis}.items():
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


def run_scenario(scenario: Scenario, *, base_dir: str | Path, progress: bool | None = None, no_effect: str = "error",
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
        None (default): the steps (baseline scene, what-if scenes, each engine on each scene,
        Monte Carlo) go to the reporter the command line installed (library use: silent);
        False: silent; True: on stderr (:mod:`twin.io.progress`).
    no_effect
        ``"error"`` (default): a selection that matches nothing or a modification without effect
        raises :class:`~twin.errors.NoEffectError` before any engine runs; ``"warn"``: a
        :class:`~twin.errors.TwinWarning` instead.
    allow_dirs
        Extra folders inputs may come from.
    """
    token = _RUN_INGESTS.set({}) if _RUN_INGESTS.get() is None else None
    try:
        with _progress.requested(progress):
            return _run_scenario(scenario, base_dir=Path(base_dir), no_effect=no_effect, allow_dirs=allow_dirs)
    finally:
        if token is not None:
            _RUN_INGESTS.reset(token)


def _run_scenario(scenario: Scenario, *, base_dir: Path, no_effect: str, allow_dirs) -> Comparison:
    """:func:`run_scenario`, its steps reported to :mod:`twin.io.progress`."""
    _check_kpi_filter(scenario)
    prepared = _prepare_scenes(scenario, base_dir=base_dir, no_effect=no_effect, allow_dirs=allow_dirs)
    unc = scenario.uncertainty
    draws = draw_samples(scenario) if unc.samples and unc.parameters else None
    sample_options = {}
    if unc.samples:  # every sample's options are valid before any engine runs
        for domain in scenario.domains:
            sample_options[domain] = [
                _options(scenario, domain, None if draws is None else draws.loc[s].to_dict(), sample=s) for s in range(unc.samples)]
    timings = dict(prepared.timings_s)
    baseline_scene, scenes, applied = prepared.baseline, prepared.scenes, prepared.applied
    stock = None
    if priors_on(scenario):
        from twin.energy.priors import load_priors
        from twin.energy.stock_samples import draw_stock_samples

        t = time.perf_counter()
        with _progress.step(f"stock samples ({unc.samples})"):
            priors = load_priors(unc.priors if isinstance(unc.priors, dict) else None)
            stock = draw_stock_samples(baseline_scene, priors, unc.samples, unc.seed)
        timings["stock_samples"] = time.perf_counter() - t

    def run_all():
        base, what = {}, {w: {} for w in scenes}
        with _progress.step("engines", len(scenario.domains) * (1 + len(scenes)), unit="scene runs") as done:
            for domain in scenario.domains:
                engine = _engine(domain)
                opts = _options(scenario, domain)
                t = time.perf_counter()
                with _progress.step(f"{domain} on the baseline"):
                    base[domain] = _run_engine(domain, engine, baseline_scene, opts, base_dir=base_dir, label="the baseline",
                                               priors=None if stock is None else stock.priors)
                done.advance()
                timings[f"engine:{domain}:baseline"] = timings.get(f"engine:{domain}:baseline", 0.0) + time.perf_counter() - t
                log.debug("%s on the baseline: %.2f s", domain, time.perf_counter() - t)
                for name, sc in scenes.items():
                    if not _reads_change(engine, baseline_scene, sc):
                        what[name][domain] = base[domain]
                        done.advance()
                        continue
                    t = time.perf_counter()
                    with _progress.step(f"{domain} on what-if {name!r}"):
                        what[name][domain] = _run_engine(domain, engine, sc, opts, base_dir=base_dir, label=f"what-if {name!r}",
                                                         baseline_scene=baseline_scene, priors=None if stock is None else stock.priors)
                    done.advance()
                    timings[f"engine:{domain}:{name}"] = timings.get(f"engine:{domain}:{name}", 0.0) + time.perf_counter() - t
                    log.debug("%s on what-if %r: %.2f s", domain, name, time.perf_counter() - t)
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
                b = res.baseline_kpis.get(kpi, baseline[domain].kpis.get(kpi, np.nan))
                rows.append({"whatif": name, "domain": domain, "kpi": kpi, "baseline": b, "whatif_value": value, "delta": value - b})
    kpis = pd.DataFrame(rows, columns=["whatif", "domain", "kpi", "baseline", "whatif_value", "delta"])
    samples_frame = None
    notes: list[str] = []
    if unc.samples:
        with _progress.step(f"Monte Carlo ({unc.samples} samples)"):
            samples_frame, notes = _run_samples(scenario, baseline_scene, scenes, baseline, whatifs, sample_options, stock,
                                                base_dir=base_dir, timings=timings, wanted=wanted)
        kpis = kpis.merge(bands(samples_frame, unc.percentiles), on=["whatif", "domain", "kpi"], how="left")
    comparison = Comparison(scenario, baseline, whatifs, applied, kpis, timings, samples_frame, baseline_scene)
    comparison.stock_samples = stock
    comparison.sample_notes = notes
    if unc.samples and "energy" in scenario.domains and scenario.inputs.calibration:
        # a calibrated run also gives every energy band with the priors alone (kpis.csv, report)
        from twin.scenario.report_calibration import add_prior_bands

        t = time.perf_counter()
        with _progress.step("energy bands with the priors alone (no calibration)"):
            comparison.kpis = add_prior_bands(comparison, base_dir=base_dir, allow_dirs=allow_dirs)
        timings["uncalibrated:energy"] = time.perf_counter() - t
    return comparison


#: Columns of the KPI table that hold the Monte Carlo bands (``p_lo``/``p_hi``: the
#: scenario's percentiles; ``p50``: the median of the samples).
BAND_COLUMNS = ("baseline_p_lo", "baseline_p50", "baseline_p_hi", "whatif_p_lo", "whatif_p_hi", "delta_p_lo", "delta_p50", "delta_p_hi")


def bands(samples: pd.DataFrame, percentiles: tuple[float, float]) -> pd.DataFrame:
    """Per what-if, engine and KPI: the percentiles of the baseline, what-if and delta samples."""
    lo, hi = percentiles
    g = samples.groupby(["whatif", "domain", "kpi"], sort=False)

    def q(col: str, p: float):
        return g[col].agg(lambda x: np.percentile(x.to_numpy(dtype=float), p))

    out = pd.DataFrame({
        "baseline_p_lo": q("baseline", lo), "baseline_p50": q("baseline", 50.0), "baseline_p_hi": q("baseline", hi),
        "whatif_p_lo": q("whatif_value", lo), "whatif_p_hi": q("whatif_value", hi),
        "delta_p_lo": q("delta", lo), "delta_p50": q("delta", 50.0), "delta_p_hi": q("delta", hi),
    })
    return out.reset_index()


def band_edge_errors(samples: pd.DataFrame, percentiles: tuple[float, float], *, resamples: int = 200, seed: int = 0) -> pd.DataFrame:
    """Monte Carlo standard error of every band edge (bootstrap over the samples, seeded).

    Each what-if, engine and KPI is resampled with the same draw of sample positions as every
    other of the same sample count (one draw per count, in the order the counts first appear):
    the KPIs of one count are bootstrapped together as one (KPIs, resamples, samples) array, the
    same numbers a loop over the KPIs gives.

    Returns, per what-if, engine and KPI, ``<baseline|delta>_p_<lo|hi>_se`` and ``..._se_rel``
    (the standard error over the band's width; NaN for a band of zero width).
    """
    rng = np.random.default_rng(seed)
    lo, hi = percentiles
    if not len(samples):
        return pd.DataFrame()
    keys = ["whatif", "domain", "kpi"]
    group = samples.groupby(keys, sort=False).ngroup().to_numpy()  # in the order the KPIs first appear
    order = np.lexsort((samples["sample"].to_numpy(), group))  # rows by KPI, each KPI's by sample
    sizes = np.bincount(group)
    starts = np.cumsum(sizes) - sizes
    out = samples.iloc[order[starts]][keys].reset_index(drop=True)
    columns = {f"{name}_p_{label}_{kind}": np.full(len(sizes), np.nan) for name in ("baseline", "delta")
               for label in ("lo", "hi") for kind in ("se", "se_rel")}
    for n in dict.fromkeys(sizes.tolist()):  # an engine may run fewer samples
        pick = rng.integers(0, n, size=(resamples, n))
        kpis = np.flatnonzero(sizes == n)
        rows = order[starts[kpis, None] + np.arange(n)]  # (KPIs, samples)
        for name in ("baseline", "delta"):
            x = samples[name].to_numpy(dtype=float)[rows]
            edges = np.percentile(x[:, pick], [lo, hi], axis=2)  # (2, KPIs, resamples)
            width = np.percentile(x, hi, axis=1) - np.percentile(x, lo, axis=1)
            for e, label in zip(edges, ("lo", "hi")):
                se = np.std(e, axis=1, ddof=1)
                columns[f"{name}_p_{label}_se"][kpis] = se
                with np.errstate(divide="ignore", invalid="ignore"):
                    columns[f"{name}_p_{label}_se_rel"][kpis] = np.where(width > 0, se / width, np.nan)
    return out.assign(**columns)


def _reads_change(engine, baseline_scene, scene) -> bool:
    """Whether a what-if changed something ``engine`` reads (a layer of ``READS``; for the
    buildings layer, with ``BUILDING_COLUMNS`` declared, one of those columns)."""
    changed = scene.changed & engine.READS
    if not changed:
        return False
    columns = getattr(engine, "BUILDING_COLUMNS", None)
    if changed != {"buildings"} or columns is None:
        return True
    a, b = baseline_scene.buildings, scene.buildings
    if len(a) != len(b) or any((c in a.columns) != (c in b.columns) for c in columns):
        return True
    for c in columns:
        if c not in a.columns:
            continue
        if c == "geometry":
            import shapely

            if not bool(np.all(shapely.equals_exact(np.asarray(a.geometry.values), np.asarray(b.geometry.values), 0.0))):
                return True
        elif not a[c].reset_index(drop=True).equals(b[c].reset_index(drop=True)):
            return True
    return False


def _run_samples(scenario: Scenario, baseline_scene, scenes: dict, baseline: dict, whatifs: dict, sample_options: dict, stock,
                 *, base_dir: Path, timings: dict, wanted) -> tuple[pd.DataFrame, list[str]]:
    """Every engine on every Monte Carlo sample (the module docstring of
    :mod:`twin.scenario.runner`, "Monte Carlo"): per sample, baseline and what-if KPIs and deltas."""
    from twin.scenario.checks import sampled_domains

    n = scenario.uncertainty.samples
    sampled = sampled_domains(scenario)
    per_domain: dict[str, tuple[list[dict], dict[str, list[dict]]]] = {}
    what_base: dict[str, dict[str, list[dict]]] = {}  # domain -> what-if -> per-sample baseline values of that what-if
    notes: list[str] = []
    for domain in scenario.domains:
        engine = _engine(domain)
        by_stock = stock is not None and bool(getattr(engine, "STOCK_ATTRIBUTES", frozenset()))
        if domain not in sampled and not getattr(engine, "SAMPLES_ITSELF", False):
            # nothing of this engine is sampled: its deterministic results stand in every sample
            per_domain[domain] = ([baseline[domain].kpis] * n, {w: [whatifs[w][domain].kpis] * n for w in scenes})
            what_base[domain] = {w: [whatifs[w][domain].baseline_kpis] * n for w in scenes}
            continue
        opts = sample_options[domain]
        engine_stock = stock if by_stock else None
        if hasattr(engine, "run_samples_paired"):
            # baseline and the what-ifs it re-runs, sample by sample (each what-if against its sample's baseline)
            rerun = {name: sc for name, sc in scenes.items() if whatifs[name][domain] is not baseline[domain]}
            t = time.perf_counter()
            with _progress.step(f"{domain}: baseline and {len(rerun)} what-if(s), sample by sample"):
                base_k, rerun_k, rerun_base, engine_notes = engine.run_samples_paired(
                    baseline_scene, rerun, opts, engine_stock, base_dir=base_dir, seed=scenario.uncertainty.seed)
            timings[f"samples:{domain}:paired"] = time.perf_counter() - t
            notes.extend(f"{domain}: {note}" for note in engine_notes)
            _check_sample_kpis(domain, engine, base_k, "the baseline")
            for name, k in rerun_k.items():
                _check_sample_kpis(domain, engine, k, f"what-if {name!r}")
                _check_sample_kpis(domain, engine, rerun_base.get(name, [{}] * n), f"what-if {name!r} (its baseline values)")
            per_domain[domain] = (base_k, {name: rerun_k.get(name, base_k) for name in scenes})
            what_base[domain] = {name: rerun_base.get(name, [{}] * n) for name in scenes}
            continue
        t = time.perf_counter()
        base_k = _engine_samples(domain, engine, baseline_scene, opts, engine_stock, base_dir=base_dir, label="the baseline", notes=notes)
        timings[f"samples:{domain}:baseline"] = time.perf_counter() - t
        what_k = {}
        for name, sc in scenes.items():
            if whatifs[name][domain] is baseline[domain]:
                what_k[name] = base_k  # the what-if changes nothing this engine reads: same sampled results
                continue
            t = time.perf_counter()
            what_k[name] = _engine_samples(domain, engine, sc, opts, engine_stock, base_dir=base_dir, label=f"what-if {name!r}", notes=notes)
            timings[f"samples:{domain}:{name}"] = time.perf_counter() - t
        per_domain[domain] = (base_k, what_k)
    rows = []
    for domain, (base_k, what_k) in per_domain.items():
        for name in scenes:
            wb = what_base.get(domain, {}).get(name, [{}] * n)
            for s in range(len(base_k)):  # an engine may run fewer samples (traffic.samples)
                b_s, w_s = base_k[s], what_k[name][s]
                for kpi, value in w_s.items():
                    if wanted is not None and kpi not in wanted:
                        continue
                    b = wb[s].get(kpi, b_s.get(kpi, np.nan))
                    rows.append({"sample": s, "whatif": name, "domain": domain, "kpi": kpi, "baseline": b, "whatif_value": value,
                                 "delta": value - b})
    frame = pd.DataFrame(rows, columns=["sample", "whatif", "domain", "kpi", "baseline", "whatif_value", "delta"])
    return frame, notes


def _engine_samples(domain: str, engine, scene, opts: list, stock, *, base_dir: Path, label: str, notes: list[str]) -> list[dict[str, float]]:
    """KPIs of every sample of one engine on one scene; a NaN or infinite KPI is an error naming the sample."""
    if hasattr(engine, "run_samples"):
        with _progress.step(f"{domain} on {label}, {len(opts)} samples"):
            kpis, engine_notes = engine.run_samples(scene, opts, stock, base_dir=base_dir)
        notes.extend(f"{domain} ({label}): {note}" for note in engine_notes)
    else:
        kpis = []
        for s, o in enumerate(_progress.track(opts, f"{domain} on {label}", unit="samples")):
            sc = scene if stock is None else _sampled_scene(scene, stock, s)
            kpis.append(engine.run(sc, o, base_dir=base_dir).kpis)
    _check_sample_kpis(domain, engine, kpis, label)
    return kpis


def _check_sample_kpis(domain: str, engine, kpis: list[dict[str, float]], label: str) -> None:
    """A NaN or infinite KPI of a Monte Carlo sample is an error naming the sample (unless declared undefined-able)."""
    undefined_ok = getattr(engine, "UNDEFINED_OK", frozenset())
    for s, k in enumerate(kpis):
        for kpi, value in k.items():
            v = float(value)
            if np.isinf(v) or (np.isnan(v) and kpi not in undefined_ok):
                raise SimulationError(f"the {domain} engine gave {kpi} = {v} on {label} (Monte Carlo sample {s}): a result that is not "
                                      "a finite number (check the scenario's factors, options and priors)", obj=label, field=kpi)


def _sampled_scene(scene, stock, s: int):
    """A copy of ``scene`` whose buildings carry the attributes of Monte Carlo sample ``s``."""
    aligned = stock.for_scene(scene)
    sc = scene.copy()
    b = sc.buildings.copy()
    for col, values in aligned.columns(s).items():
        if col in b.columns:
            b[col] = values.astype(b[col].dtype) if col == "use" else values
    sc.set_layer("buildings", b)
    return sc
