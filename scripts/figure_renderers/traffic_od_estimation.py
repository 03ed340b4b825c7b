"""Renderers of the OD-estimation experiment on SiouxFalls (issue 15) in docs/traffic.md, "OD estimation from counts":
benchmarks/figures/od_estimation_ceiling_siouxfalls.json, written by ``python benchmarks/od_estimation_ceiling_siouxfalls.py``.

* ``od_estimation_ceiling_siouxfalls.setup``: one line, the counted and held-back links, the seeds, where measured.
* ``od_estimation_ceiling_siouxfalls.table``: the table of held-back links with GEH < 5 (mean over the seeds; the
  oracle's range over the seeds) per prior set-up: true matrix, prior, oracle (the BLUP given the true proportions
  and prior covariance, assigned to equilibrium), twin (weights of the set-up), twin ``structured``.
* ``od_estimation_ceiling_siouxfalls.summary``: one line, how often the oracle and twin reach the target, twin's
  distance below the oracle, the network's flows and the true matrix's share with the noisiest counts.

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file and
the script to run).
"""

from __future__ import annotations

from .common import Blocks, FiguresError, figure_at, load_text

SCRIPT = "python benchmarks/od_estimation_ceiling_siouxfalls.py"
FILE = "od_estimation_ceiling_siouxfalls.json"
#: The columns of a seed's row the renderers read (benchmarks/od_estimation_ceiling_siouxfalls.py's COLUMNS).
NEEDED = ("true", "prior", "blup", "twin", "twin_structured")


def _col(data: dict, name: str) -> int:
    columns = list(figure_at(data, "columns"))
    if name not in columns:
        raise FiguresError(f"no column {name!r} in 'columns'")
    return columns.index(name)


def _stamp(data: dict) -> str:
    return (f"measured {figure_at(data, 'date')} at commit {figure_at(data, 'commit')} by `{SCRIPT}`, {float(figure_at(data, 'wall_s')) / 60:.0f} min wall, "
            f"{load_text(data)} on 2 cores")


def setup(data: dict) -> str:
    """``counts on a random 30 % of the links (23), the 53 others held back; six seeds (0-5); measured ...``."""
    seeds = figure_at(data, "seeds")
    counted, held = int(figure_at(data, "counted_links")), int(figure_at(data, "held_back_links"))
    return (f"{counted} of the {counted + held} links counted, the {held} others held back; {len(seeds)} seeds "
            f"({seeds[0]}-{seeds[-1]}); {_stamp(data)}")


def table(data: dict) -> str:
    """The held-back table, one row per prior set-up."""
    idx = {n: _col(data, n) for n in NEEDED}
    lines = ["| prior | count noise | true matrix | prior | oracle (range over seeds) | twin (weights of the set-up) | twin `structured` |",
             "|---|---|---|---|---|---|---|"]
    for s in figure_at(data, "setups"):
        mean, rows = figure_at(s, "mean"), figure_at(s, "per_seed")
        oracle = [r[idx["blup"]] for r in rows]
        method = figure_at(s, "twin_method")
        weight = f"prior CV {float(figure_at(s, 'cell_spread')):g}" if method == "gls" else f"zone CV {float(figure_at(s, 'zone_spread')):g}"
        label = str(figure_at(s, "label")).split(", noise")[0]
        lines.append(f"| {label} | {100 * float(figure_at(s, 'count_noise')):g} % | {mean[idx['true']]:.2f} | {mean[idx['prior']]:.2f} "
                     f"| {mean[idx['blup']]:.2f} ({min(oracle):.2f}-{max(oracle):.2f}) | {mean[idx['twin']]:.2f} (`{method}`, {weight}) "
                     f"| {mean[idx['twin_structured']]:.2f} |")
    return "\n" + "\n".join(lines) + "\n"


def summary(data: dict) -> str:
    """The acceptance line: runs at or above the target (oracle, twin), twin's distance below the oracle, the flows."""
    target = float(figure_at(data, "target"))
    i_o, i_t, i_s, i_true = _col(data, "blup"), _col(data, "twin"), _col(data, "twin_structured"), _col(data, "true")
    setups = figure_at(data, "setups")
    rows = [r for s in setups for r in figure_at(s, "per_seed")]
    gaps = [float(figure_at(s, "mean")[i_o]) - float(figure_at(s, "mean")[i_t]) for s in setups]
    worst_true = min(setups, key=lambda s: float(figure_at(s, "mean")[i_true]))
    return (f"the oracle reaches {target:.2f} on {sum(r[i_o] >= target for r in rows)} of {len(rows)} seed x set-up runs, twin on "
            f"{sum(r[i_t] >= target for r in rows)} and `structured` on {sum(r[i_s] >= target for r in rows)}; twin's mean is "
            f"{min(gaps):.2f} to {max(gaps):.2f} below the oracle's per set-up. SiouxFalls links carry "
            f"{float(figure_at(data, 'flow_min')):,.0f}-{float(figure_at(data, 'flow_max')):,.0f} veh/h (median "
            f"{float(figure_at(data, 'flow_median')):,.0f}); with {100 * float(figure_at(worst_true, 'count_noise')):g} % count noise the true "
            f"matrix itself passes {float(figure_at(worst_true, 'mean')[i_true]):.2f} of the held-back links")


BLOCKS: Blocks = {f"od_estimation_ceiling_siouxfalls.{name}": (FILE, fn, SCRIPT) for name, fn in
                  (("setup", setup), ("table", table), ("summary", summary))}  # fmt: skip
