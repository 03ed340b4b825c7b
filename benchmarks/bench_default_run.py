"""The default ``twin run`` (README's first command), measured: time, CPU, memory, steps and the KPIs docs/scenarios.md quotes.

Run:  python benchmarks/bench_default_run.py [--keep DIR] [--output FILE]
      (writes benchmarks/figures/default_run.json, then ``python scripts/update_figures.py``)

Runs the installed CLI ``twin run -o <tmp>/results -q`` (the default scenario,
``scenarios/stgilles_default.yaml``) once in a fresh process and merges into the figures file's
``cases`` an entry keyed by the state of the numba cache (``cold``: ``NUMBA_CACHE_DIR`` empty, the
run compiles the kernels, as a first run does; ``warm``: a later run; ``default``: no
``NUMBA_CACHE_DIR``): the wall time, the
child's CPU time (user + system, :func:`resource.getrusage` of ``RUSAGE_CHILDREN``) and peak
resident memory, the load average before and after, the cores, the date and
:func:`machine_load.commit_stamp`; the run's ``run_record.json`` (``timings_s``: seconds per
step, the run id, seed and samples, the traffic samples of the scenario); from ``kpis.csv`` every
KPI of the what-if :data:`WHATIF` (central value, baseline and change bands) and, in ``whatifs``,
the same of every what-if of the scenario (docs/stock_attributes.md quotes their largest changes); in
``uncalibrated``, the energy KPIs' central values and bands with the priors alone, per what-if
(the ``uncalibrated_*`` columns of a calibrated run; docs/calibration.md compares them); from
``outputs/samples.parquet`` the largest unserved trips of any sample; from the per-link deltas
of :data:`WHATIF` the links it closes to cars and, per street, the largest change of a link's
morning-peak flow (with the street's road group, ``main`` or ``residential``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from figures_file import merge_case  # noqa: E402 - benchmarks/ is on the path only from here
from machine_load import commit_stamp  # noqa: E402

OUT = REPO / "benchmarks" / "figures" / "default_run.json"
WHATIF = "low-traffic-parvis"
"""The what-if whose traffic KPIs docs/scenarios.md quotes."""
N_STREETS = 6
"""Streets kept in ``streets``: the largest morning-peak flow changes of a link, by absolute value."""
COMMAND = "NUMBA_CACHE_DIR=<dir> python benchmarks/bench_default_run.py"
CASE = ("the default twin run (README's first command) in a fresh process, keyed by the numba cache: cold (empty NUMBA_CACHE_DIR, "
        "kernels compiled in the run) or warm (a later run); cpu_s and peak_rss_mb: the child's (RUSAGE_CHILDREN); "
        "load_before/after: 1, 5, 15-minute load averages; timings_s: the run record's seconds per step")


KPI_COLUMNS = {"baseline": "baseline", "whatif": "whatif_value", "delta": "delta", "delta_p_lo": "delta_p_lo", "delta_p_hi": "delta_p_hi",
               "baseline_p_lo": "baseline_p_lo", "baseline_p_hi": "baseline_p_hi"}  # fmt: skip
"""Key in the figures -> column of ``kpis.csv``, per KPI."""


def _twin() -> str:
    """The installed ``twin`` command beside this interpreter (else the one on PATH)."""
    beside = Path(sys.executable).with_name("twin")
    found = str(beside) if beside.exists() else shutil.which("twin")
    if not found:
        raise SystemExit("bench_default_run: error: no installed 'twin' command (pip install -e .)")
    return found


def kpi_figures(results: Path, whatif: str = WHATIF, *, median: bool = False) -> dict[str, dict[str, float]]:
    """Every KPI of ``whatif`` in ``results/kpis.csv``: central values and 5-95 % bands.

    Parameters
    ----------
    results : Path
        A ``twin run`` results folder.
    whatif : str
        The what-if's name.
    median : bool
        Also ``baseline_p50``, the median of the baseline's samples.

    Returns
    -------
    dict
        KPI name -> :data:`KPI_COLUMNS` (``baseline``, ``whatif``, ``delta``, ``delta_p_lo``,
        ``delta_p_hi``, ``baseline_p_lo``, ``baseline_p_hi``; NaN written as ``None``).
    """
    import pandas as pd

    k = pd.read_csv(results / "kpis.csv")
    rows = k[k["whatif"] == whatif]
    if rows.empty:
        raise SystemExit(f"bench_default_run: error: {results / 'kpis.csv'}: no what-if {whatif!r}")
    cols = dict(KPI_COLUMNS, baseline_p50="baseline_p50") if median else KPI_COLUMNS
    out: dict[str, dict[str, float]] = {}
    for _, r in rows.iterrows():
        out[str(r["kpi"])] = {key: (None if pd.isna(r[c]) else float(r[c])) for key, c in cols.items()}
    return out


def whatif_figures(results: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Every what-if of ``results/kpis.csv`` and its KPIs (:func:`kpi_figures`), in the file's order.

    Parameters
    ----------
    results : Path
        A ``twin run`` results folder.

    Returns
    -------
    dict
        What-if name -> KPI name -> central values and bands, with the baseline's median.
    """
    import pandas as pd

    names = pd.read_csv(results / "kpis.csv", usecols=["whatif"])["whatif"].astype(str).unique()
    return {name: kpi_figures(results, name, median=True) for name in names}


UNCALIBRATED_COLUMNS = ("baseline", "delta", "baseline_p_lo", "baseline_p50", "baseline_p_hi", "delta_p_lo", "delta_p50", "delta_p_hi")
"""Columns of ``kpis.csv`` recorded with the prefix ``uncalibrated_`` (the priors-alone energy Monte Carlo of a calibrated run)."""


def uncalibrated_figures(results: Path) -> dict[str, dict[str, dict[str, float | None]]]:
    """The energy KPIs' central values and bands with the priors alone, per what-if (``uncalibrated_*`` of ``results/kpis.csv``).

    A calibrated run's ``kpis.csv`` carries them next to the calibrated ones
    (``twin.scenario.report_calibration.add_prior_bands``); docs/calibration.md compares the two.

    Parameters
    ----------
    results : Path
        A ``twin run`` results folder.

    Returns
    -------
    dict
        What-if name -> energy KPI name -> :data:`UNCALIBRATED_COLUMNS` without the prefix (NaN
        written as ``None``); empty when the run is not calibrated (no ``uncalibrated_`` column).
    """
    import pandas as pd

    k = pd.read_csv(results / "kpis.csv")
    cols = [c for c in UNCALIBRATED_COLUMNS if f"uncalibrated_{c}" in k]
    if not cols:
        return {}
    rows = k[k["domain"] == "energy"] if "domain" in k else k
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for _, r in rows.iterrows():
        if all(pd.isna(r[f"uncalibrated_{c}"]) for c in cols):
            continue
        out.setdefault(str(r["whatif"]), {})[str(r["kpi"])] = {c: (None if pd.isna(r[f"uncalibrated_{c}"]) else float(r[f"uncalibrated_{c}"])) for c in cols}
    return out


def link_figures(results: Path, whatif: str = WHATIF, n_streets: int = N_STREETS) -> dict[str, Any]:
    """The links ``whatif`` closes to cars and the streets whose links' morning-peak flow changes most.

    Parameters
    ----------
    results : Path
        A ``twin run`` results folder (``outputs/deltas_<whatif>_traffic.parquet``, ``baseline_scene/links.parquet``).
    whatif : str
        The what-if's name.
    n_streets : int
        Streets kept.

    Returns
    -------
    dict
        ``closed_links`` (car links open in the baseline, closed in the what-if) and ``streets``:
        per street (``name``, ``group`` ``main`` or ``residential``, ``max_delta_veh_h``: the
        change of flow on its link with the largest absolute change), largest first, the closed
        links left out.
    """
    import pandas as pd

    from twin.traffic.mobility import MAIN_ROAD_CLASSES

    d = pd.read_parquet(results / "outputs" / f"deltas_{whatif}_traffic.parquet", columns=["link_id", "flow_am_peak_veh_h_delta", "car_open_delta"])
    links = pd.read_parquet(results / "baseline_scene" / "links.parquet", columns=["link_id", "name", "road_class"])
    m = d.merge(links, on="link_id", how="left")
    closed = m["car_open_delta"] == -1
    rest = m[~closed & m["flow_am_peak_veh_h_delta"].notna()].copy()
    rest["name"] = rest["name"].fillna("(unnamed)").astype(str)
    rest["abs"] = rest["flow_am_peak_veh_h_delta"].abs()
    best = rest.sort_values("abs", ascending=False).drop_duplicates("name").head(n_streets)
    streets = [{"name": r["name"], "group": "main" if str(r["road_class"]) in MAIN_ROAD_CLASSES else "residential",
                "max_delta_veh_h": float(r["flow_am_peak_veh_h_delta"])} for _, r in best.iterrows()]  # fmt: skip
    return {"closed_links": int(closed.sum()), "streets": streets}


def sample_figures(results: Path) -> dict[str, float | int | None]:
    """The largest unserved trips of any Monte Carlo sample, baseline or what-if (``outputs/samples.parquet``)."""
    import pandas as pd

    s = pd.read_parquet(results / "outputs" / "samples.parquet", columns=["kpi", "baseline", "whatif_value"])
    u = s[s["kpi"].astype(str).str.endswith("unserved_trips")]
    worst = float(max(u["baseline"].abs().max(), u["whatif_value"].abs().max())) if len(u) else None
    return {"unserved_trips_max_any_sample": worst, "unserved_samples_rows": int(len(u))}


def traffic_samples(scenario: Path) -> int | None:
    """``traffic.samples`` of the scenario file (``None`` when it does not set it)."""
    import yaml

    doc = yaml.safe_load(scenario.read_text(encoding="utf-8")) or {}
    n = (doc.get("traffic") or {}).get("samples")
    return None if n is None else int(n)


def numba_cache_state() -> str:
    """``warm`` when ``NUMBA_CACHE_DIR`` is set and holds files, ``cold`` when it is set and empty or missing, else ``default``."""
    where = os.environ.get("NUMBA_CACHE_DIR")
    if not where:
        return "default"
    return "warm" if Path(where).is_dir() and any(Path(where).rglob("*.nbi")) else "cold"


def measure(out_dir: Path) -> dict[str, Any]:
    """Run ``twin run -o out_dir -q`` once; wall, child CPU, child peak RSS, the load around it, the commit before it."""
    cache, commit = numba_cache_state(), commit_stamp()
    load_before = list(os.getloadavg())
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([_twin(), "run", "-o", str(out_dir), "-q"], cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_after = list(os.getloadavg())
    if proc.returncode != 0:
        raise SystemExit(f"bench_default_run: error: twin run exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return {"commit": commit, "numba_cache": cache, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": ru1.ru_maxrss / 1024.0, "load_before": load_before, "load_after": load_after}


def figures(results: Path, measured: dict[str, Any]) -> dict[str, Any]:
    """The figures file's content: ``measured`` and what the run folder ``results`` says."""
    record = json.loads((results / "run_record.json").read_text(encoding="utf-8"))
    scenario = Path(record["scenario"])
    return {"date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", "cpus": os.cpu_count(), "command": COMMAND,
            "twin_command": "twin run -o <tmp>/results -q", "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR"), **measured,
            "run_id": record["run_id"], "scenario": scenario.name, "seed": record["seed"], "samples": record["samples"],
            "traffic_samples": traffic_samples(scenario) if scenario.exists() else None,
            "timings_s": {k: float(v) for k, v in record["timings_s"].items()}, "whatif": WHATIF,
            "kpis": kpi_figures(results), "whatifs": whatif_figures(results), "uncalibrated": uncalibrated_figures(results), **link_figures(results), **sample_figures(results)}  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure the default run once and merge it into ``--output``; returns the file's content."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", type=Path, default=OUT, help="figures file (default benchmarks/figures/default_run.json)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the run's results folder here (a new folder)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_default_run_") as tmp:
        results = Path(tmp) / "results"
        measured = measure(results)
        data = figures(results, measured)
        if args.keep is not None:
            shutil.copytree(results, args.keep)
    merge_case(args.output, data["numba_cache"], data, CASE)
    print(f"twin run: {data['wall_s']:.1f} s wall, {data['cpu_s']:.1f} s CPU, peak {data['peak_rss_mb']:.0f} MB, "
          f"load {data['load_before'][0]:.2f} -> {data['load_after'][0]:.2f}; wrote {args.output}")  # fmt: skip
    return data


if __name__ == "__main__":
    main()
