"""The command line of a validation script whose figures file holds ``sections``
(``benchmarks/soil_validation.py``, ``benchmarks/soil_year_validation.py``).

Each section is computed and printed in turn, stamped with the date, the commit, the load averages
before and after and the core count, and merged into the figures file (re-running some sections
with ``--only`` keeps the others' figures), with the command and the versions; from that file
``python scripts/update_figures.py`` writes the page's blocks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from machine_load import measurement_stamp  # benchmarks/ is on the path of the scripts that import this module

REPO = Path(__file__).resolve().parents[1]


def run_sections(argv: list[str] | None, *, description: str, output: Path, sections: Iterable[str],
                 compute: Callable[[str], dict[str, Any]], command: str, versions: dict[str, str] | None = None) -> dict:  # fmt: skip
    """Parse ``--output`` / ``--only``, compute the sections, merge them into the figures file; returns its content.

    Parameters
    ----------
    argv
        The arguments (None: ``sys.argv``).
    description
        The script's first line, for ``--help``.
    output
        The default figures file (in the repository).
    sections
        The section keys, in the order they are computed.
    compute
        Computes and prints one section: its entry (``title``, ``lines``, ...) without the stamp.
    command
        The command that wrote the file.
    versions
        Versions besides Python's, NumPy's and Numba's.
    """
    import numba

    keys = list(sections)
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--output", type=Path, default=output, help=f"figures file (default {output.relative_to(REPO)})")
    ap.add_argument("--only", nargs="+", choices=sorted(keys), default=None, help="these sections only (the others keep their figures)")
    args = ap.parse_args(argv)
    data = json.loads(args.output.read_text(encoding="utf-8")) if args.output.exists() else {}
    for key in args.only or keys:
        stamp = {**measurement_stamp(), "load_before": list(os.getloadavg()), "cpus": os.cpu_count()}
        entry = compute(key)
        data.setdefault("sections", {})[key] = {**stamp, "load_after": list(os.getloadavg()), **entry}
    data["command"] = command
    data["versions"] = {"python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__, **(versions or {})}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return data
