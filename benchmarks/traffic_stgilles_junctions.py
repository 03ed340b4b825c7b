"""Saint-Gilles car network under each junction model: the figures of docs/traffic.md (issue 15).

Run:  nice -n 10 python benchmarks/traffic_stgilles_junctions.py [--variants NAME ...] [--feedback 2] [--output FILE]
      (default: every variant, feedback 2; writes benchmarks/figures/traffic_stgilles_junctions.json,
      then ``python scripts/update_figures.py`` rewrites the block of docs/traffic.md)

The Saint-Gilles sample scene (``data_samples/stgilles_*_osm2013.geojson``, the four layers the
mobility benchmark ingests) with the 12 OSM 2013 signals of
``data_samples/stgilles_signals_osm2013.geojson`` placed on its street nodes
(:func:`twin.traffic.signals.mark_signals`), run by
:func:`twin.traffic.mobility.run_district_mobility` for the morning peak (feedback 2, no access
indicator) once per junction model of :data:`VARIANTS`: none, signals (equal or capacity split),
give-way (with the roundabouts, as the model always is), and both. A green split by ``flows``
is not a :class:`~twin.traffic.mobility.MobilityOptions` choice (its ``check`` refuses it), so it
has no row.

Each row: morning car trips (person trips by car), car vehicle-km on residential streets and on
main roads (the KPIs ``am_peak_vehicle_km_residential`` / ``_main``: main roads are the road
classes of :data:`twin.traffic.mobility.MAIN_ROAD_CLASSES`, residential the other car links),
the signals' counts, the give-way junction counts (``Junctions.summary()``), the main-road
approaches that give way, per rule (:func:`main_road_yielding`), the largest
relative give-way capacity change at the last pass and the passes of that fixed point, the run's wall time and the 1-minute load
average before and after, the date (UTC), the commit and the files of the imported ``twin`` and
``twin.kernels`` that differed from it (the wall times are of runs after an untimed warm-up run with every junction
model on, feedback 1, which compiles the kernels; about 20 s in all on 2 cores). The output is
merged: the rows of variants not run are kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

OUT = REPO / "benchmarks" / "figures" / "traffic_stgilles_junctions.json"
SIGNALS = REPO / "data_samples" / "stgilles_signals_osm2013.geojson"
PERIOD = "am_peak"

#: Row label -> the junction options of :class:`~twin.traffic.mobility.MobilityOptions`, in table order.
VARIANTS: dict[str, dict[str, Any]] = {
    "none": {},
    "signals": {"signals": True},
    "signals, capacity split": {"signals": True, "signal_split": "capacity"},
    "give-way": {"give_way": True},
    "signals + give-way": {"signals": True, "give_way": True},
    "signals, capacity split + give-way": {"signals": True, "signal_split": "capacity", "give_way": True},
}


def signal_scene() -> Any:
    """The Saint-Gilles sample scene (the mobility benchmark's four layers) with the OSM 2013 signals on its street nodes."""
    from bench_traffic_mobility import stgilles_scene

    from twin.traffic.signals import mark_signals, read_osm_signals

    scene = stgilles_scene()
    mark_signals(scene, read_osm_signals(SIGNALS))
    return scene


def _load_1min() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def mobility_options(junctions: dict[str, Any], *, feedback: int = 2) -> Any:
    """The :class:`~twin.traffic.mobility.MobilityOptions` of a row: the morning peak, ``feedback``
    iterations, no access indicator, and the junction options ``junctions`` (``signals``,
    ``signal_split``, ``give_way``)."""
    from twin.traffic.mobility import MobilityOptions

    return MobilityOptions(periods=(PERIOD,), feedback=feedback, compute_access=False, **junctions)


def row_of(res: Any) -> dict[str, Any]:
    """The table row of a mobility run made with :func:`mobility_options`.

    Parameters
    ----------
    res : MobilityResult
        The run (:func:`twin.traffic.mobility.run_district_mobility`).

    Returns
    -------
    dict
        ``car_trips``, ``vehicle_km_residential``, ``vehicle_km_main``, ``signals`` (the car
        network's signal counts, None without signals), ``give_way`` (``Junctions.summary()``,
        None without give-way), ``give_way_change`` and ``give_way_fixed_point`` (how the last
        fixed point of the give-way capacities ended: passes, converged, tolerance; None without give-way),
        ``main_road_yielding`` (:func:`main_road_yielding`) and the run's ``notes``.
    """
    period = res.periods[PERIOD]
    car = period.car_net
    sig = car.signals
    return {
        "car_trips": res.kpis[f"{PERIOD}_car_trips"],
        "vehicle_km_residential": res.kpis[f"{PERIOD}_vehicle_km_residential"],
        "vehicle_km_main": res.kpis[f"{PERIOD}_vehicle_km_main"],
        "signals": None if not sig else {k: sig[k] for k in ("signals", "signal_approaches", "split", "nodes_split", "nodes_one_axis", "nodes_without_bearing") if k in sig},
        "give_way": car.give_way.junctions.summary() if car.give_way is not None else None,
        "give_way_change": period.give_way_change,
        "give_way_fixed_point": period.give_way.summary() if period.give_way is not None else None,
        "main_road_yielding": main_road_yielding(res),
        "notes": list(res.notes),
    }


def main_road_yielding(res: Any) -> dict[str, int] | None:
    """Yielding approaches on main roads (``street_type`` of the run's link table) per give-way
    rule (``major``, ``right``, ``roundabout`` ...), None without give-way.

    Parameters
    ----------
    res : MobilityResult
        The run.

    Returns
    -------
    dict or None
        Rule -> number of main-road approaches that give way under it.
    """
    car = res.periods[PERIOD].car_net
    if car.give_way is None:
        return None
    junctions = car.give_way.junctions  # approaches index the street network car.base
    main = set(res.links.loc[res.links["street_type"] == "main", "link_id"])
    out: dict[str, int] = {}
    for k, rule in zip(junctions.approach.tolist(), junctions.rule.tolist(), strict=True):
        if car.base.link_ids[k] in main:
            out[str(rule)] = out.get(str(rule), 0) + 1
    return out


def variant_row(scene: Any, junctions: dict[str, Any], *, feedback: int = 2) -> dict[str, Any]:
    """Run the morning peak with the junction options ``junctions``; its :func:`row_of` with the
    ``options``, the wall time ``wall_s`` and the 1-minute load average before and after
    (``load_1min_before`` / ``_after``).

    Parameters
    ----------
    scene : Scene
        The scene (with its signalised nodes flagged, see :func:`signal_scene`).
    junctions : dict
        ``signals``, ``signal_split`` and ``give_way`` of :class:`~twin.traffic.mobility.MobilityOptions`.
    feedback : int
        Feedback iterations of the run.

    Returns
    -------
    dict
        The row (JSON-ready).
    """
    from twin.traffic.mobility import run_district_mobility

    options = mobility_options(junctions, feedback=feedback)
    load_before = _load_1min()
    t0 = time.perf_counter()
    res = run_district_mobility(scene, options)
    wall = time.perf_counter() - t0
    return {"options": {"periods": [PERIOD], "feedback": feedback, "compute_access": False, **junctions}, **row_of(res),
            "wall_s": round(wall, 1), "load_1min_before": load_before, "load_1min_after": _load_1min()}  # fmt: skip


def _git(*args: str, cwd: Path = REPO) -> str:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def provenance() -> dict[str, Any]:
    """Date (UTC), commit, the folders ``twin`` and ``twin.kernels`` were imported from (an editable
    install can point to another checkout) and their files that differ from that checkout's commit
    (uncommitted work)."""
    import twin
    import twin.kernels

    folders = [Path(m.__file__).parent for m in (twin, twin.kernels)]
    dirty = sorted({line[3:] for f in folders for line in _git("status", "--porcelain", "--", ".", cwd=f).splitlines() if line.strip()})
    return {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "commit": _git("rev-parse", "--short=7", "HEAD").strip() or "unknown",
            "uncommitted": dirty, "imported_from": [str(f) for f in folders]}  # fmt: skip


def merge(path: Path, rows: dict[str, dict[str, Any]], command: str) -> dict[str, Any]:
    """Write ``rows`` into the figures file ``path``, keeping the rows of other variants; returns the file's content."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data["case"] = ("Saint-Gilles sample (data_samples/stgilles_*_osm2013.geojson) with the OSM 2013 signals of "
                    "data_samples/stgilles_signals_osm2013.geojson; run_district_mobility, morning peak, no access indicator")  # fmt: skip
    data["main_roads"] = "road classes of twin.traffic.mobility.MAIN_ROAD_CLASSES; residential: the other car links (KPIs am_peak_vehicle_km_main / _residential)"
    data["order"] = list(VARIANTS)
    variants = data.setdefault("variants", {})
    for name, row in rows.items():
        variants[name] = {**row, "command": command}
    data["variants"] = {k: variants[k] for k in [*VARIANTS, *sorted(set(variants) - set(VARIANTS))] if k in variants}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return data


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS), metavar="NAME", help=f"rows to run (default all: {'; '.join(VARIANTS)})")
    ap.add_argument("--feedback", type=int, default=2, help="feedback iterations (the docs' figures: 2)")
    ap.add_argument("--output", type=Path, default=OUT)
    args = ap.parse_args(argv)
    command = "nice -n 10 python benchmarks/traffic_stgilles_junctions.py" + "".join(f" {a}" if " " not in a else f" '{a}'" for a in (argv if argv is not None else sys.argv[1:]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene = signal_scene()
        variant_row(scene, VARIANTS["signals, capacity split + give-way"], feedback=1)  # warm-up (compilation), not recorded
    rows: dict[str, dict[str, Any]] = {}
    for name in args.variants:
        row = {**variant_row(scene, VARIANTS[name], feedback=args.feedback), **provenance()}
        rows[name] = row
        gw = row["give_way"]
        print(f"{name:36s} car trips {row['car_trips']:8.1f}  vehicle-km residential {row['vehicle_km_residential']:7.0f} main {row['vehicle_km_main']:7.0f}"
              + (f"  give-way junctions {gw['junctions']}, yielding {gw['yielding_approaches']}, last change {100 * row['give_way_change']:.2g} %" if gw else "")
              + f"  {row['wall_s']:.0f} s, load {row['load_1min_before']} -> {row['load_1min_after']}", flush=True)  # fmt: skip
    data = merge(args.output, rows, command)
    print(f"wrote {args.output} ({len(rows)} of {len(data['variants'])} rows this run)")
    return data


if __name__ == "__main__":
    main()
