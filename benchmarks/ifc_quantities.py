"""AC20-FZK-Haus read by twin against the file's own quantity sets (ArchiCAD's BaseQuantities): the exterior
walls' areas against ``NetSideArea``, the windows' and doors' against ``Area`` (tests/test_ingest_ifc.py's
checks, with the figures kept).

Writes ``benchmarks/figures/ingest_ifc_quantities.json`` (per wall, totals, openings, date, commit, load,
versions), from which ``scripts/update_figures.py`` writes docs/ingest_ifc.md's wall table and the README's
IFC row.

Usage::

    .venv/bin/python benchmarks/ifc_quantities.py
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_load import measurement_stamp  # noqa: E402 - benchmarks/machine_load.py

FIGURES = REPO / "benchmarks" / "figures" / "ingest_ifc_quantities.json"


def main() -> dict:
    import ifcopenshell

    from tests.conftest import shared_path
    from tests.test_ingest_ifc import FZK, GOOD_FILES, _qto
    from twin.ingest.ifc import read_ifc

    out: dict = {**measurement_stamp(), "load_before": list(os.getloadavg()), "cpus": os.cpu_count(), "file": FZK,
                 "versions": {"python": platform.python_version(), "ifcopenshell": ifcopenshell.version},
                 "command": "python benchmarks/ifc_quantities.py"}
    path = shared_path("bim", FZK)
    model = ifcopenshell.open(str(path))
    elements = read_ifc(path, **GOOD_FILES[FZK]).layers["elements"].set_index("source_id")
    walls = []
    for wall in sorted((w for w in model.by_type("IfcWall") if w.Name.startswith("Wand-Ext")), key=lambda w: w.Name):
        theirs, ours = _qto(wall, "NetSideArea"), float(elements.loc[wall.GlobalId, "area_m2"])
        walls.append({"name": wall.Name, "net_side_area_m2": theirs, "twin_area_m2": ours, "deviation": ours / theirs - 1})
    openings = []
    for cls in ("IfcWindow", "IfcDoor"):
        for item in model.by_type(cls):
            theirs, ours = _qto(item, "Area"), float(elements.loc[item.GlobalId, "area_m2"])
            openings.append({"ifc_class": cls, "name": item.Name, "area_m2": theirs, "twin_area_m2": ours, "deviation": ours / theirs - 1})
    out["walls"] = walls
    out["walls_total"] = {"net_side_area_m2": sum(w["net_side_area_m2"] for w in walls), "twin_area_m2": sum(w["twin_area_m2"] for w in walls)}
    out["openings"] = openings
    windows = [o for o in openings if o["ifc_class"] == "IfcWindow"]
    out["windows_total"] = {"area_m2": sum(o["area_m2"] for o in windows), "twin_area_m2": sum(o["twin_area_m2"] for o in windows)}
    out["load_after"] = list(os.getloadavg())
    FIGURES.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("walls_total", "windows_total")}), f"{len(walls)} walls, {len(openings)} openings")
    return out


if __name__ == "__main__":
    main()
