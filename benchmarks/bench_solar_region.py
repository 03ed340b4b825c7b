"""Whole Brussels region (the shared 2013 OSM extract, 51k buildings): solar cadastre, ``twin
energy run``, energy shading, CityJSON export, each next to the time of reading the region PBF
with pyogrio in the same run (the yardstick of issue 16). Prints every figure with the load
average and merges them into ``benchmarks/figures/solar_region.json`` (each part with its date,
commit, thread setting and core count), from which ``python scripts/update_figures.py
docs/solar.md`` writes the measured part of ``docs/solar.md`` (renderer
``scripts/figure_renderers/solar.py``, block ``solar_region``): the figures of the page are never typed.

Run: ``python benchmarks/bench_solar_region.py [cadastre] [energy] [shading] [export]`` (parts not
run keep their last figures in the results file), or ``pytest benchmarks/bench_solar_region.py -s``
(figures printed, not kept). Needs ../shared/data.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository, for tests.* helpers
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/, for machine_load

from machine_load import commit_stamp  # noqa: E402 - benchmarks/machine_load.py

from tests.conftest import shared_path  # noqa: E402

PBF = ("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
EPW = ("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")

#: Options of the region cadastre: horizon method (36 sectors), 2 m sensors, at most 16 per roof surface.
REGION_OPTIONS = {"method": "horizon", "spacing_m": 2.0, "max_sensors_per_surface": 16, "max_distance_m": 100.0}
#: The same options on the command line.
REGION_FLAGS = ["--method", "horizon", "--spacing", "2", "--max-sensors", "16", "--max-distance", "100"]

RESULTS = ROOT / "benchmarks" / "figures" / "solar_region.json"
#: The parts of the benchmark, as named on the command line and in the results file.
PARTS = ("cadastre", "energy", "shading", "export")
#: Environment variable describing the tree the energy run is measured on (recorded with its row), e.g.
#: ``snapshot of commit abc1234 (git archive), its own Numba cache``.
TREE_ENV = "TWIN_BENCH_TREE"


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _threads() -> str:
    return os.environ.get("TWIN_NUMBA_THREADS", "all")


def pbf_read_s(repeats: int = 2) -> float:
    """Seconds to read the region's multipolygons (buildings) with pyogrio (best of ``repeats``)."""
    import warnings

    import pyogrio

    from twin.ingest.osm import osm_config_file

    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyogrio.read_dataframe(shared_path(*PBF), layer="multipolygons", use_arrow=True, CONFIG_FILE=osm_config_file())
        best = min(best, time.perf_counter() - t)
    return best


def pbf_reads() -> tuple[list[float], float, list[float]]:
    """:data:`CADASTRE_READS` reads of the region's PBF (:func:`pbf_read_s`, once each, printed with the load).

    Returns
    -------
    tuple
        The seconds of each read, their median and the load averages after the last read.
    """
    reads = []
    for _ in range(CADASTRE_READS):
        reads.append(pbf_read_s(repeats=1))
        print(f"pyogrio read of the region PBF: {reads[-1]:.2f} s ({_load()})")
    return reads, _median(reads), _loadavg()


#: A Python process that reads the region's multipolygons with pyogrio (imports included): the
#: PBF read as a separate process, to set against the command line's separate process.
_READ_SCRIPT = """
import sys, warnings
import pyogrio
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    pyogrio.read_dataframe(sys.argv[1], layer="multipolygons", use_arrow=True, CONFIG_FILE=sys.argv[2])
"""


def pbf_read_process() -> dict:
    """The PBF read of :func:`pbf_read_s` as a separate Python process under ``/usr/bin/time``
    (start-up, the pyogrio / GeoPandas imports and the read): wall seconds and peak RSS (GB)."""
    from twin.ingest.osm import osm_config_file

    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        cmd = ["/usr/bin/time", "-f", "%e %M", "-o", f.name, sys.executable, "-c", _READ_SCRIPT, str(shared_path(*PBF)), str(osm_config_file())]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"the PBF read process failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        wall, kb = Path(f.name).read_text().split()[-2:]
    return {"wall_s": float(wall), "peak_gb": int(kb) / 1024**2, "load": _loadavg()}


def region_scene(*, buildings_only: bool = False):
    """The region as ``twin ingest`` reads it (all layers), or its buildings only (the same
    attribute rules without the POI and land-use evidence of the other layers)."""
    import warnings

    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([shared_path(*PBF)], **({"layers": ("buildings",)} if buildings_only else {}))
    return scene


def run_cli(args: list[str]) -> dict:
    """``twin ARGS`` as a separate process under ``/usr/bin/time``: wall seconds and peak RSS (GB)."""
    twin = Path(sys.executable).with_name("twin")
    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        cmd = ["/usr/bin/time", "-f", "%e %M", "-o", f.name, str(twin), *args]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"twin {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        wall, kb = Path(f.name).read_text().split()[-2:]
    return {"wall_s": float(wall), "peak_gb": int(kb) / 1024**2, "load": _loadavg()}


def cli_beside_reads(what: str, args_of, runs: int, read_s: float) -> dict:
    """``twin ARGS`` (``args_of(i)`` for run ``i``) as a separate process ``runs`` times, each beside
    the PBF read as a separate process (:func:`pbf_read_process`: start-up and imports on both
    sides, like with like), interleaved, then one more read: median wall, peak memory, the load of
    the median run, and the ratios to the in-process read ``read_s`` (``ratio``) and to the median
    read process (``process_ratio``)."""
    clis: list[dict] = []
    read_procs: list[dict] = []
    for i in range(runs):
        read_procs.append(pbf_read_process())
        print(f"pyogrio read of the region PBF as a separate process: {read_procs[-1]['wall_s']:.2f} s ({_load()})")
        clis.append(run_cli(args_of(i)))
        print(f"{what} as a separate process: {clis[-1]['wall_s']:.2f} s ({_load()})")
    read_procs.append(pbf_read_process())
    cli_walls = [c["wall_s"] for c in clis]
    proc_walls = [r["wall_s"] for r in read_procs]
    cli = {"wall_s": _median(cli_walls), "runs_s": cli_walls, "peak_gb": max(c["peak_gb"] for c in clis),
           "load": clis[sorted(range(len(clis)), key=lambda i: cli_walls[i])[len(clis) // 2]]["load"],
           "read_process_s": _median(proc_walls), "read_processes_s": proc_walls, "read_process_peak_gb": max(r["peak_gb"] for r in read_procs)}
    cli["ratio"] = cli["wall_s"] / read_s
    cli["process_ratio"] = cli["wall_s"] / cli["read_process_s"]
    print(f"{what} (separate process): median {cli['wall_s']:.2f} s wall of {len(cli_walls)}, {cli['ratio']:.1f} x the median "
          f"in-process PBF read, {cli['process_ratio']:.1f} x the median PBF read as a separate process ({cli['read_process_s']:.2f} s of "
          f"{len(proc_walls)}); peak {cli['peak_gb']:.2f} GB; {_load()}")
    return cli


def bench_cadastre(out_dir: Path) -> dict:
    """Cadastre of every roof end to end: read the PBF into a scene, surfaces, shading, PV, GeoParquet;
    then the same on the command line as a separate process."""
    from twin.ingest.epw import read_epw
    from twin.solar.cadastre import CadastreOptions, solar_cadastre

    reads, read, load_read = pbf_reads()
    weather = read_epw(shared_path(*EPW))
    # warm-up on a tiny scene: Numba compilation (cached on disk) is not the cadastre's cost
    solar_cadastre(region_scene(buildings_only=True).buildings.iloc[:50], weather, CadastreOptions(**REGION_OPTIONS))
    t0 = time.perf_counter()
    full = region_scene()
    t_full = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        from twin.export.layers import write_scene
        from twin.scene.io import read_scene

        write_scene(full, Path(d) / "scene")
        t = time.perf_counter()
        read_scene(Path(d) / "scene")
        t_folder = time.perf_counter() - t
    del full
    print(f"reading the region into a scene: twin ingest (all layers) {t_full:.1f} s; an ingested scene folder {t_folder:.1f} s")
    t0 = time.perf_counter()
    scene = region_scene(buildings_only=True)
    t_scene = time.perf_counter() - t0
    t1 = time.perf_counter()
    cad = solar_cadastre(scene, weather, CadastreOptions(**REGION_OPTIONS))
    t2 = time.perf_counter()
    cad.save(out_dir)
    t3 = time.perf_counter()
    total = t_scene + (t2 - t1) + (t3 - t2)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    res = {"pbf_read_s": read, "pbf_reads_s": reads, "pbf_read_load": load_read, "scene_s": t_scene, "full_ingest_s": t_full, "scene_folder_s": t_folder,
           "cadastre_s": t2 - t1, "write_s": t3 - t2, "end_to_end_s": total, "ratio": total / read, "peak_gb": peak_gb,
           "steps": cad.meta["times_s"], "n_buildings": cad.meta["n_buildings"], "n_sensors": cad.meta["n_sensors"],
           "n_surfaces": cad.meta["n_surfaces"], "totals": cad.meta["totals"], "load": _loadavg()}
    print(f"cadastre end to end (PBF -> buildings -> GeoParquet) {total:.1f} s = buildings {t_scene:.1f} + cadastre {t2 - t1:.1f} + write {t3 - t2:.1f}; "
          f"{total / read:.1f} x the PBF read; peak RSS {peak_gb:.2f} GB; {_load()}")
    print(f"  steps {cad.meta['times_s']}; {cad.meta['n_surfaces']} surfaces, {cad.meta['n_sensors']} sensors; totals {cad.meta['totals']}")
    del cad, scene
    res["cli"] = cli_beside_reads("twin solar cadastre", lambda i: ["solar", "cadastre", str(shared_path(*PBF)), "--weather", str(shared_path(*EPW)),
                                                                    "-o", str(out_dir.with_name(f"cli_solar_{i}")), *REGION_FLAGS, "-q"],
                                  CADASTRE_CLI_RUNS, read)
    return res


#: Repeats of the cadastre benchmark: in-process PBF reads (median), then the command line beside
#: the PBF read as a separate process, interleaved (the in-process cadastre runs once: 10-15 s).
CADASTRE_READS = 5
CADASTRE_CLI_RUNS = 3
#: Repeats of the energy benchmark: PBF reads and energy runs (each run in a fresh process), interleaved.
ENERGY_READS = 7
ENERGY_RUNS = 5
#: Repeats of the command line and of the PBF read as separate processes, interleaved.
CLI_RUNS = 3


def _median(xs: list[float]) -> float:
    import statistics

    return float(statistics.median(xs))


def _ingest_child(scene_dir: Path, modules_file: Path) -> None:
    """In a fresh process: ingest the region (all layers, as ``twin ingest``), write it as a scene
    folder, and list the modules the ingest imported (what an energy run in the same process as
    the ingest would find loaded)."""
    region = region_scene()
    modules_file.write_text("\n".join(sorted(sys.modules)) + "\n")
    from twin.export.layers import write_scene

    write_scene(region, scene_dir)


def _energy_child(scene_dir: Path, out: Path, modules_file: Path) -> None:
    """In a fresh process: import the modules of :func:`_ingest_child`'s list, then time
    ``twin energy run --no-plots`` on the scene folder (its steps and the shading's own steps);
    prints one JSON line. Nothing computed earlier (horizon cache, scene geometry) can serve it."""
    import importlib
    import warnings

    for name in modules_file.read_text().split():
        if name != "__main__":
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001, S112 - a module that imports only as part of another
                continue
    import twin.solar.shading
    from twin.energy.stock import run_command

    times: dict = {}
    shading: dict = {}
    # the shading's own steps, recorded through its ``times`` argument (the same call, the same work)
    shade_factors = twin.solar.shading.urban_shade_factors
    twin.solar.shading.urban_shade_factors = lambda *a, **k: shade_factors(*a, **{**k, "times": shading})
    load = _loadavg()
    t = time.perf_counter()
    cpu = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_command([scene_dir], weather=shared_path(*EPW), out=out, times=times, plots=False)
    dt = time.perf_counter() - t
    cpu = time.process_time() - cpu
    print(json.dumps({"wall_s": dt, "cpu_s": cpu, "steps": {k: round(v, 3) for k, v in times.items()},
                      "shading_steps": {k: round(v, 3) for k, v in shading.items()}, "load_before": load, "load": _loadavg()}))


def _child(*args: str) -> str:
    """Run this file with ``args`` in a fresh Python process; its standard output."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout


def compile_bytecode() -> str:
    """Compile twin's modules (``twin/``, ``kernels/``) to bytecode, as an installation has them:
    pip compiles a package's modules when it installs it, and Python writes the bytecode of an
    editable install's modules on their first import. A machine that sets
    ``PYTHONDONTWRITEBYTECODE`` (this one does) would otherwise make every fresh process of the
    benchmark compile twin's source again, a cost no user's second run pays. Returns what was done
    (recorded with the figures)."""
    import compileall

    ok = all(compileall.compile_dir(str(ROOT / d), quiet=1) for d in ("twin", "kernels"))
    if not ok:
        raise RuntimeError("compileall failed on twin/ or kernels/")
    unset = "" if os.environ.get("PYTHONDONTWRITEBYTECODE") else " (PYTHONDONTWRITEBYTECODE not set: Python writes it anyway)"
    return "twin's modules compiled to bytecode first, as installed" + unset


def bench_energy_run(tmp: Path) -> dict:
    """``twin energy run`` on the ingested region (scene folder -> envelope, shading, kernel,
    GeoParquet, without the PNG plots: ``--no-plots``) against the PBF read, both repeated.

    The region is ingested once in a fresh process, which writes the scene folder and lists the
    modules the ingest imported. Then :data:`ENERGY_READS` PBF reads and :data:`ENERGY_RUNS`
    energy runs, interleaved; each energy run in a fresh process that first imports that list
    (so it pays what a run after ``twin ingest`` in one process would pay, and no module cache
    of an earlier run serves it), its steps timed. Reported: median and best of each side and
    the ratio of the medians; then the command line as a separate process (start-up and imports
    included), :data:`CLI_RUNS` times, against the median read and, like with like, against the
    PBF read as a separate process (:func:`pbf_read_process`, start-up and imports included),
    interleaved. twin's modules are compiled to bytecode first (:func:`compile_bytecode`), as an
    installation has them.
    """
    bytecode = compile_bytecode()
    scene_dir = tmp / "scene"
    modules_file = tmp / "ingest_modules.txt"
    _child("--ingest-child", str(scene_dir), str(modules_file))
    reads: list[float] = []
    read_loads: list[list[float]] = []
    runs: list[dict] = []

    def read() -> None:
        reads.append(pbf_read_s(repeats=1))
        read_loads.append(_loadavg())
        print(f"pyogrio read of the region PBF: {reads[-1]:.2f} s ({_load()})")

    for _ in range(ENERGY_READS - ENERGY_RUNS):
        read()
    for i in range(ENERGY_RUNS):
        runs.append(json.loads(_child("--energy-child", str(scene_dir), str(tmp / f"energy_{i}"), str(modules_file)).splitlines()[-1]))
        r = runs[-1]
        print(f"twin energy run on the region, fresh process after the ingest's imports: {r['wall_s']:.2f} s, process CPU "
              f"{r['cpu_s']:.1f} s ({r['steps']}; shading {r['shading_steps']}); {_load()}")
        read()
    walls = [r["wall_s"] for r in runs]
    med = runs[sorted(range(len(runs)), key=lambda i: walls[i])[len(runs) // 2]]  # the run of the median time (odd count)
    read_med, run_med = _median(reads), _median(walls)
    res = {"pbf_read_s": read_med, "pbf_read_best_s": min(reads), "pbf_reads_s": reads, "pbf_read_load": read_loads[len(reads) // 2],
           "in_process_s": run_med, "in_process_best_s": min(walls), "in_process_runs_s": walls,
           "in_process_ratio": run_med / read_med, "in_process_cpu_s": med["cpu_s"], "steps": med["steps"],
           "shading_steps": med["shading_steps"], "in_process_load": med["load"],
           "loads": [r["load"] for r in runs] + read_loads, "method": "fresh processes after the ingest's imports",
           "bytecode": bytecode}
    if os.environ.get(TREE_ENV):  # what was run, when not the working tree (e.g. a snapshot with its own Numba cache)
        res["tree"] = os.environ[TREE_ENV]
    print(f"twin energy run: median {run_med:.2f} s (best {min(walls):.2f}) of {len(walls)}; PBF read median {read_med:.2f} s "
          f"(best {min(reads):.2f}) of {len(reads)}; ratio of the medians {run_med / read_med:.1f}; {_load()}")
    res["cli"] = cli_beside_reads("twin energy run", lambda i: ["energy", "run", str(scene_dir), "--weather", str(shared_path(*EPW)), "-o",
                                                                str(tmp / f"energy_cli_{i}"), "-q", "--no-plots"],
                                  CLI_RUNS, read_med)
    return res


def bench_shading() -> dict:
    """Urban shading of the energy stock model: the solar kernel vs the former NumPy path, same scene."""
    import numpy as np

    from tests.energy_shading_reference import reference_urban_shade_factors as old
    from twin.ingest.epw import read_epw
    from twin.solar.shading import urban_shade_factors as new

    _, read, load_read = pbf_reads()
    weather = read_epw(shared_path(*EPW))
    scene = region_scene()
    ids = scene.buildings["building_id"].to_numpy()
    small = scene.copy()
    new(small, ids[:100], weather)  # warm-up (compilation)
    import twin.solar.shading

    twin.solar.shading._HORIZON_CACHE.clear()  # horizons of this geometry kept by an earlier part are not this part's
    s1 = scene.copy()
    s1.facades(), s1.party_walls()  # both paths start from the same cached facades
    times: dict = {}
    t = time.perf_counter()
    b = new(s1, ids, weather, times=times)
    t_new = time.perf_counter() - t
    load_new = _loadavg()
    print(f"solar-kernel shading: {t_new:.1f} s ({times}); {t_new / read:.1f} x the PBF read; {_load()}")
    s2 = scene.copy()
    s2.facades(), s2.party_walls()
    t = time.perf_counter()
    a = old(s2, ids, weather)
    t_old = time.perf_counter() - t
    print(f"former NumPy shading: {t_old:.1f} s; max |difference| of the factors {np.abs(a - b).max():.2e}; {_load()}")
    return {"pbf_read_s": read, "pbf_read_load": load_read, "new_s": t_new, "new_load": load_new, "ratio": t_new / read,
            "steps": {k: round(v, 3) for k, v in times.items()}, "old_s": t_old, "old_load": _loadavg(),
            "max_diff": float(np.abs(a - b).max())}


def bench_export(path: Path) -> dict:
    from twin.export.cityjson import write_cityjson

    scene = region_scene()
    t = time.perf_counter()
    r = write_cityjson(scene, path)
    dt = time.perf_counter() - t
    print(f"CityJSON export of {r.n_buildings} buildings: {dt:.1f} s, {path.stat().st_size / 1e6:.0f} MB; {_load()}")
    return {"export_s": dt, "n_buildings": r.n_buildings, "size_mb": path.stat().st_size / 1e6, "load": _loadavg()}


# ----------------------------------------------------------------------------- results
def save_results(new: dict, path: Path = RESULTS) -> dict:
    """Merge ``new`` parts into the results file (each part with its date, commit, thread setting and core count)."""
    data = json.loads(path.read_text()) if path.exists() else {}
    stamp = {"date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit_stamp(), "twin_numba_threads": _threads(),
             "cpus": os.cpu_count()}
    for key, value in new.items():
        data[key] = {**value, **stamp}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    return data


def test_region_cadastre(tmp_path):
    res = bench_cadastre(tmp_path / "solar")
    assert res["n_surfaces"] > 50_000


def test_region_energy_shading():
    res = bench_shading()
    assert res["max_diff"] < 0.01


def test_region_energy_run(tmp_path):
    bench_energy_run(tmp_path)


def test_region_cityjson_export(tmp_path):
    bench_export(tmp_path / "region.city.json")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--ingest-child":
        _ingest_child(Path(args[1]), Path(args[2]))
        raise SystemExit(0)
    if args and args[0] == "--energy-child":
        _energy_child(Path(args[1]), Path(args[2]), Path(args[3]))
        raise SystemExit(0)
    which = args or list(PARTS)
    unknown = [a for a in which if a not in PARTS]
    if unknown:
        hint = " (the page is written by python scripts/update_figures.py docs/solar.md)" if "--docs" in unknown else ""
        raise SystemExit(f"bench_solar_region.py: unknown part {', '.join(unknown)}; parts: {', '.join(PARTS)}{hint}")
    results: dict = {}
    with tempfile.TemporaryDirectory() as d:
        if "cadastre" in which:
            results["cadastre"] = bench_cadastre(Path(d) / "solar")
        if "energy" in which:
            results["energy"] = bench_energy_run(Path(d))
        if "shading" in which:
            results["shading"] = bench_shading()
        if "export" in which:
            results["export"] = bench_export(Path(d) / "region.city.json")
    save_results(results)
    print(f"merged {', '.join(results)} into {RESULTS.relative_to(ROOT)}; run python scripts/update_figures.py docs/solar.md")
