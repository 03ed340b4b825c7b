"""``twin run``: one scenario file -> comparison -> report, outputs and a run record."""

from __future__ import annotations

import time
from pathlib import Path

from twin.errors import InputError


def default_scenario() -> Path:
    """``scenarios/stgilles_default.yaml`` of the repository (or of the working directory)."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "scenarios" / "stgilles_default.yaml", Path.cwd() / "scenarios" / "stgilles_default.yaml"):
        if candidate.exists():
            return candidate
    raise InputError("default scenario not found; pass a scenario file", path="scenarios/stgilles_default.yaml")


def run_scenario_file(path, out, *, samples=None, seed=None, progress=True) -> list[str]:
    """Run ``path`` (default: the Saint-Gilles default scenario) and write everything to ``out``."""
    from twin.scenario.batch import run_identity
    from twin.scenario.outputs import write_outputs
    from twin.scenario.report import terminal_summary, write_report
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import with_overrides
    from twin.scenario.store import RunStore
    from twin.export import write_scene

    path = Path(path) if path else default_scenario()
    ident = run_identity(path)
    scenario = with_overrides(ident["scenario"], samples=samples, seed=seed, path=path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store = RunStore(out / "runs.sqlite")
    from twin.scenario.store import make_run_id

    run_id = make_run_id(scenario.digest(), ident["input_hash"], scenario.uncertainty.seed, ident["version"])
    store.claim(run_id, scenario=str(ident["path"]), label=scenario.name, version=ident["version"],
                input_hash=ident["input_hash"], scenario_hash=scenario.digest(), seed=scenario.uncertainty.seed)
    t0 = time.perf_counter()
    try:
        comparison = run_scenario(scenario, base_dir=ident["path"].parent, progress=progress)
        written = write_outputs(comparison, out / "outputs")
        report = write_report(comparison, out / "report.html", run_id=run_id)
        write_scene(comparison.baseline_scene, out / "baseline_scene")
        comparison.kpis.to_csv(out / "kpis.csv.tmp", index=False)
        (out / "kpis.csv.tmp").replace(out / "kpis.csv")
    except Exception as exc:
        store.fail(run_id, str(exc))
        raise
    kpis = {f"{r.whatif}/{r.domain}/{r.kpi}": float(r.delta) for r in comparison.kpis.itertuples()}
    store.finish(run_id, kpis=kpis, outputs={"report": str(report), **{k: str(out / "outputs" / v) for k, v in written.items()}})
    lines = [f"scenario {scenario.name} ({path}), run {run_id}, {time.perf_counter() - t0:.1f} s"]
    lines += terminal_summary(comparison)
    lines.append(f"report: {report}")
    return lines
