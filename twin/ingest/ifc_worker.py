"""Child process of the IFC reader: open one IFC file with ifcopenshell and dump what it holds.

Usage (started by :func:`twin.ingest.ifc.read_ifc`, not by users)::

    python twin/ingest/ifc_worker.py IN.ifc OUT_DIR [--threads N] [--no-geometry]

Writes into ``OUT_DIR``:

``stage.txt``       the stage reached (``open``, ``semantics``, ``geometry``, ``done``), so the
                    parent can say where a crash happened;
``semantics.json``  :func:`twin.ingest.ifc_extract.extract_semantics` of the file;
``meshes.npz``      :func:`twin.ingest.ifc_extract.extract_meshes` of the envelope elements and spaces;
``error.json``      ``{"kind": "parse" | "extract", "message": ...}`` when ifcopenshell raised
                    (exit status 3); a crash (segfault) leaves no error file and a signal status.

It is run as a script (not ``-m twin.ingest.ifc_worker``) so that it does not import the
``twin.ingest`` package and pandas: the child starts in about the time ifcopenshell takes to load.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import sys
import traceback

if __package__ in (None, ""):  # run as a script: the sibling module is on sys.path[0]
    import ifc_extract as extract  # type: ignore[import-not-found]

    del sys.path[0]  # the other modules of twin/ingest must not shadow anything the child imports
else:  # imported as twin.ingest.ifc_worker (tests, tools)
    from twin.ingest import ifc_extract as extract

PARSE_FAILED = 3


def _write_json(path: str, data: object) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


def _stage(out_dir: str, stage: str) -> None:
    with open(os.path.join(out_dir, "stage.txt"), "w", encoding="utf-8") as fh:
        fh.write(stage)


def run(path: str, out_dir: str, threads: int = 1, geometry: bool = True) -> int:
    """Extract ``path`` into ``out_dir``; returns the process exit status."""
    import ifcopenshell
    import numpy as np

    _stage(out_dir, "open")
    try:
        model = ifcopenshell.open(path)
    except Exception as exc:  # noqa: BLE001 - every parser failure is reported to the parent
        _write_json(os.path.join(out_dir, "error.json"), {"kind": "parse", "message": f"{type(exc).__name__}: {exc}"})
        return PARSE_FAILED
    _stage(out_dir, "semantics")
    try:
        semantics = extract.extract_semantics(model)
    except Exception as exc:  # noqa: BLE001
        tb = traceback.format_exc(limit=4)
        _write_json(
            os.path.join(out_dir, "error.json"),
            {"kind": "extract", "message": f"{type(exc).__name__}: {exc}", "traceback": tb},
        )
        return PARSE_FAILED
    _write_json(os.path.join(out_dir, "semantics.json"), semantics)
    if geometry:
        _stage(out_dir, "geometry")
        meshes = extract.extract_meshes(model, extract.geometry_ids(semantics), threads=threads)
        tmp = os.path.join(out_dir, "meshes.tmp.npz")
        np.savez(tmp, **meshes)
        os.replace(tmp, os.path.join(out_dir, "meshes.npz"))
    _stage(out_dir, "done")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("out_dir")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-geometry", action="store_true")
    args = parser.parse_args(argv)
    faulthandler.enable()  # a segfault prints the Python stack to stderr for the parent's message
    return run(args.path, args.out_dir, threads=args.threads, geometry=not args.no_geometry)


if __name__ == "__main__":
    sys.exit(main())
