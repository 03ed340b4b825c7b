"""Child process of the IFC reader: open one IFC file with ifcopenshell and dump what it holds.

Usage (started by :func:`twin.ingest.ifc.read_ifc`, not by users)::

    python twin/ingest/ifc_worker.py IN.ifc OUT_DIR [--threads N] [--no-geometry] [--memory-mb MB]

Writes into ``OUT_DIR``:

``stage.txt``       the stage reached (``open``, ``semantics``, ``geometry``, ``done``), so the
                    parent can say where a crash happened;
``semantics.json``  :func:`twin.ingest.ifc_extract.extract_semantics` of the file;
``meshes.npz``      :func:`twin.ingest.ifc_extract.extract_meshes` of the envelope elements and spaces;
``error.json``      ``{"kind": "parse" | "extract", "message": ...}`` when ifcopenshell raised
                    (exit status 3), ``{"kind": "memory", ...}`` when the memory limit was hit
                    (exit status 4); a crash (segfault) leaves no error file and a signal status.

Limits: ``--memory-mb`` caps the address space of this process (``RLIMIT_AS``) before
ifcopenshell is imported, so a model that allocates without bound (a million nested mapped
items) ends in a MemoryError here, reported as ``kind: memory``, instead of taking the
machine's memory; core dumps are switched off. A few megabytes are set aside at the start and
freed to write the report when memory runs out.

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
MEMORY_LIMIT = 4

_RESERVE_BYTES = 8 * 1024 * 1024
_reserve: bytearray | None = None


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` MB (``RLIMIT_AS``; 0: no cap) and switch
    off core dumps. Never raises the hard limit an administrator set."""
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    if megabytes <= 0:
        return
    limit = int(megabytes) * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


OUT_OF_MEMORY_SIGNS = ("bad_alloc", "Cannot allocate memory", "failed to map segment", "out of memory")
"""Texts of exceptions (and of a dying child's stderr) that mean the memory limit was hit."""


def _is_out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or any(sign in str(exc) for sign in OUT_OF_MEMORY_SIGNS)


def _report_memory(out_dir: str, exc: BaseException, stage: str, megabytes: int) -> int:
    global _reserve
    _reserve = None  # give the report room to be written
    import gc

    gc.collect()
    _write_json(
        os.path.join(out_dir, "error.json"),
        {"kind": "memory", "message": f"{type(exc).__name__}: {exc}"[:500], "stage": stage, "limit_mb": megabytes},
    )
    return MEMORY_LIMIT


def _write_json(path: str, data: object) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


def _stage(out_dir: str, stage: str) -> None:
    with open(os.path.join(out_dir, "stage.txt"), "w", encoding="utf-8") as fh:
        fh.write(stage)


def _parser_errors(ifcopenshell) -> list[str]:
    """The errors ifcopenshell logged while parsing the file, without their level and time.

    ``ifcopenshell.open`` skips an entity it cannot parse and only logs it ("Entity with name
    'GARBAGE' not found in schema 'IFC4' at offset 1970"); the model then fails later without
    naming it. The first three, and a count of the rest.
    """
    errors = [line.split("] ", 2)[-1] for line in ifcopenshell.get_log().splitlines() if line.startswith("[error]")]
    return errors[:3] + ([f"{len(errors) - 3} more"] if len(errors) > 3 else [])


def run(path: str, out_dir: str, threads: int = 1, geometry: bool = True) -> int:
    """Extract ``path`` into ``out_dir``; returns the process exit status."""
    _stage(out_dir, "starting")
    try:
        import ifcopenshell
        import numpy as np
    except ImportError as exc:  # a shared library that cannot be mapped under the memory limit
        if _is_out_of_memory(exc):
            raise MemoryError(str(exc)) from None
        raise

    _stage(out_dir, "open")
    try:
        model = ifcopenshell.open(path)
    except Exception as exc:  # noqa: BLE001 - every parser failure is reported to the parent
        if _is_out_of_memory(exc):
            raise MemoryError(str(exc)) from None
        _write_json(os.path.join(out_dir, "error.json"), {"kind": "parse", "message": f"{type(exc).__name__}: {exc}"})
        return PARSE_FAILED
    _stage(out_dir, "semantics")
    try:
        semantics = extract.extract_semantics(model)
    except Exception as exc:  # noqa: BLE001
        if _is_out_of_memory(exc):
            raise MemoryError(str(exc)) from None
        tb = traceback.format_exc(limit=4)
        _write_json(
            os.path.join(out_dir, "error.json"),
            {"kind": "extract", "message": f"{type(exc).__name__}: {exc}", "traceback": tb,
             "parser_errors": _parser_errors(ifcopenshell)},
        )
        return PARSE_FAILED
    _write_json(os.path.join(out_dir, "semantics.json"), semantics)
    if geometry:
        _stage(out_dir, "geometry")
        try:
            meshes = extract.extract_meshes(model, extract.geometry_ids(semantics), threads=threads)
        except extract.MeshLimitError as exc:
            _write_json(os.path.join(out_dir, "error.json"), {"kind": "limit", "message": str(exc)})
            return PARSE_FAILED
        except Exception as exc:  # noqa: BLE001
            if _is_out_of_memory(exc):
                raise MemoryError(str(exc)) from None
            raise
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
    parser.add_argument("--memory-mb", type=int, default=0, help="address-space limit, MB (0: none)")
    args = parser.parse_args(argv)
    global _reserve
    limit_memory(args.memory_mb)
    faulthandler.enable()  # a segfault prints the Python stack to stderr for the parent's message
    try:
        _reserve = bytearray(_RESERVE_BYTES)
        return run(args.path, args.out_dir, threads=args.threads, geometry=not args.no_geometry)
    except MemoryError as exc:
        stage = ""
        try:
            with open(os.path.join(args.out_dir, "stage.txt"), encoding="utf-8") as fh:
                stage = fh.read().strip()
        except OSError:
            pass
        return _report_memory(args.out_dir, exc, stage, args.memory_mb)


if __name__ == "__main__":
    sys.exit(main())
