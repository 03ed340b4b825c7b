"""Markdown tables of docs/traffic.md (grid11 side by side) from the benchmark's output JSON.

Run:  python benchmarks/traffic_grid11_table_p15.py [benchmarks/figures/traffic_grid11.json]

Prints the table of means over seeds (every engine at every demand scale), the ratios of twin to
the reference (UXsim at deltan 1) and to UXsim at deltan 5, and the queued-link counts on the
grid of thresholds at 1x. No number in those tables is typed by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent / "figures" / "traffic_grid11.json"


def _trip(e: dict) -> str:
    t = e["mean_trip_time_s"]
    lo, hi = e["mean_trip_time_s_range"]
    est = "" if e["mean_trip_exact"] else " (est.)"
    return f"{t:,.1f} ({lo:,.0f}-{hi:,.0f}){est}"


def tables(data: dict) -> str:
    """The three tables, as one markdown string."""
    ref = data["reference"]
    lines = [
        "| demand | engine | arrived | mean trip, s (range over seeds) | links that queue (range) | links per trip | delay on links, veh-h | above k_c |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in data["summary"]:
        for eng, e in row["engines"].items():
            name = f"**{eng}**" if eng in ("twin", ref) else eng
            lo, hi = e["queued_links_range"]
            lines.append(
                f"| {row['scale']:g}x | {name} | {100 * e['arrived_share']:.1f} % | {_trip(e)} | {e['queued_links']:.1f} ({lo}-{hi}) | "
                f"{e['links_per_trip']:.2f} | {e['delay_on_links_veh_h']:,.0f} | {e['above_kc_links']:.1f} |"
            )
    lines += ["", "| demand | twin variant | over | mean trip | links that queue | arrived |", "|---|---|---|---|---|---|"]
    for row in data["summary"]:
        for name, by in row["ratios_twin_over"].items():
            for eng, q in by.items():
                if eng == ref or eng.endswith("deltan 5"):
                    lines.append(f"| {row['scale']:g}x | {name} | {eng} | {q['mean_trip_time']:.3f} | {q['queued_links']:.3f} | {q['arrived_share']:.3f} |")
    first = data["summary"][0]
    keys = list(next(iter(first["engines"].values()))["queue_grid"])
    lines += ["", f"Links that queue at {first['scale']:g}x on a grid of thresholds (vehicles / seconds in a row), means over seeds:", ""]
    lines += ["| engine | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for eng, e in first["engines"].items():
        lines.append(f"| {eng} | " + " | ".join(f"{e['queue_grid'][k]:.0f}" for k in keys) + " |")
    load = (data["load_average_before"][0], data["load_average_after"][0])
    lines += ["", f"(`{data['command']}`; load average {load[0]:.1f} before, {load[1]:.1f} after; {data['seeds']} seeds)"]
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    print(tables(json.loads(path.read_text())))
