"""IFC (IFC2X3, IFC4) reader: buildings, storeys, spaces and envelope elements.

ifcopenshell runs in a **child process** (:mod:`twin.ingest.ifc_worker`) with a timeout: its
C++ geometry kernel can crash the interpreter on malformed input (a cyclic IfcLocalPlacement
segfaults the geometry iterator). A crash or a timeout becomes a
:class:`~twin.errors.SubprocessCrash` naming the file; a file ifcopenshell cannot parse becomes a
:class:`~twin.errors.ParseError` naming the file and the problem. The calling process never
loads ifcopenshell.

The child writes the file's semantics (JSON) and the triangulated body geometry in world
coordinates (npz) to a temporary folder; this process then computes, with NumPy and shapely
(:mod:`twin.ingest.ifc_building`):

* per building (``building_id = 'ifc:<GlobalId>'``): the footprint (union of the wall outlines
  projected to the ground, holes filled; floor slabs if there are no walls), the height (top
  of the geometry above the ground level), the storeys above ground, use and construction year
  from ``Pset_BuildingCommon``/names (defaulted and flagged otherwise), and the floor area (net
  area of the spaces, else the floor slabs per storey, else footprint x storeys);
* per element: the net area (walls: mean of the two sides, openings cut; windows and doors:
  silhouette on the host wall plane; slabs: top or bottom faces), the outward normal's azimuth
  (clockwise from grid north of the output CRS, georeference rotation included) and tilt, the
  U-value (:mod:`twin.ingest.ifc_uvalue`) and the boundary kind.

Placement in the scene: :mod:`twin.ingest.ifc_georef` (IfcMapConversion, IfcSite latitude and
longitude, or the caller's ``origin``/``crs``/``rotation_deg``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError, ParseError, SubprocessCrash
from twin.ingest.result import IngestResult

DEFAULT_TIMEOUT_S = 300.0
"""Default time limit of the child process (open + semantics + geometry), seconds."""

WORKER = Path(__file__).with_name("ifc_worker.py")

_STAGES = {
    "open": "opening (parsing) the file",
    "semantics": "reading properties and relationships",
    "geometry": "computing geometry with ifcopenshell's geometry iterator",
    "done": "finishing",
}


def read_ifc(
    path: str | os.PathLike[str],
    *,
    origin: tuple[float, float] | None = None,
    crs: str | None = None,
    rotation_deg: float | None = None,
    scene_crs: str | None = None,
    ground_z_m: float | None = None,
    id_prefix: str = "ifc",
    timeout_s: float = DEFAULT_TIMEOUT_S,
    threads: int = 1,
    **_ignored: Any,
) -> IngestResult:
    """Read an IFC file into the ``buildings``, ``storeys``, ``spaces`` and ``elements`` layers.

    Parameters
    ----------
    path
        An IFC2X3 or IFC4 STEP file (``.ifc``).
    origin
        Place the model's origin (0, 0) at this (x, y) position, in ``crs`` (metres). Overrides
        the file's georeference. This is how a permit application is inserted in a scene.
    crs
        CRS of ``origin`` (default: ``scene_crs``, else EPSG:31370).
    rotation_deg
        Azimuth of the model's +Y axis, degrees clockwise from north (grid north of the CRS of
        the position; true north for a latitude/longitude). Default: the file's true north.
    scene_crs
        Output CRS; azimuths are measured from its grid north. Default: see
        :mod:`twin.ingest.ifc_georef`.
    ground_z_m
        Height of the model's z = 0 when placed by ``origin`` (default 0).
    id_prefix
        Prefix of the ids (``'<id_prefix>:<GlobalId>'``); change it to insert the same file twice.
    timeout_s
        Time limit of the child process, seconds.
    threads
        Threads of ifcopenshell's geometry iterator.
    **_ignored
        Options meant for other readers (the dispatcher passes the same options to every
        file); listed in ``meta['ignored_options']``.

    Returns
    -------
    IngestResult
        Layers in the output CRS; ``meta`` holds the schema, the georeference used and timings;
        ``dropped`` the elements left out, with their reason.

    Raises
    ------
    ParseError
        Not an IFC file ifcopenshell can read (a Git LFS pointer, no STEP header, an
        unterminated string...).
    SubprocessCrash
        ifcopenshell crashed (e.g. segfault on a cyclic placement) or timed out; this process
        is unaffected.
    InputError
        No IfcBuilding, no georeference and no ``origin``, bad options.
    """
    from twin.ingest.ifc_building import build_layers, meshes_from_npz
    from twin.ingest.ifc_georef import placement_from

    path = Path(path)
    precheck(path)
    t0 = time.perf_counter()
    semantics, arrays, timing = extract(path, timeout_s=timeout_s, threads=threads)
    result = IngestResult(path=str(path))
    placement = placement_from(
        semantics, path=path, origin=origin, crs=crs, rotation_deg=rotation_deg, scene_crs=scene_crs, ground_z_m=ground_z_m
    )
    t1 = time.perf_counter()
    layers = build_layers(semantics, meshes_from_npz(arrays), placement, path=str(path), id_prefix=id_prefix, result=result)
    result.layers.update(layers)
    result.meta.update(
        {
            "format": "ifc",
            "schema": semantics["schema"],
            "crs": placement.crs.to_string(),
            "georeference": placement.describe(),
            "problems": semantics.get("problems", []),
            "ignored_options": sorted(_ignored),
            "timing_s": {**timing, "analysis": time.perf_counter() - t1, "total": time.perf_counter() - t0},
        }
    )
    return result


# --------------------------------------------------------------------------- input checks
LFS_MAGIC = b"version https://git-lfs.github.com/spec/"


def precheck(path: Path) -> None:
    """Cheap checks before starting the child: the file exists, is not empty, not a Git LFS pointer."""
    if not path.exists():
        raise InputError("file not found", path=path)
    if not path.is_file():
        raise InputError("not a file", path=path)
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head.strip():
        raise ParseError("empty file", path=path)
    if head.startswith(LFS_MAGIC):
        raise ParseError(
            "this is a Git LFS pointer file, not an IFC model: fetch the real content (git lfs pull) and read that",
            path=path,
            obj="line 1",
        )


def diagnose_step(path: Path, max_bytes: int = 64 * 1024 * 1024) -> list[str]:
    """Plain-text reasons why a STEP physical file (ISO 10303-21) is malformed, for the message.

    Looks for the ``ISO-10303-21;`` header, the ``HEADER``/``DATA`` sections, an unterminated
    string (strings are quoted with ``'``, a quote inside doubled) and the end marker.
    """
    with open(path, "rb") as fh:
        data = fh.read(max_bytes)
    text = data.decode("latin-1")
    stripped = text.lstrip("\ufeff \t\r\n")
    reasons = []
    if not stripped.startswith("ISO-10303-21"):
        reasons.append("no 'ISO-10303-21;' header on line 1")
    if "HEADER;" not in text:
        reasons.append("no HEADER section")
    if "DATA;" not in text:
        reasons.append("no DATA section")
    # scan for an unterminated string outside comments
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                reasons.append(f"comment opened on line {line} is never closed")
                break
            line += text.count("\n", i, end)
            i = end + 2
            continue
        elif c == "'":
            j = i + 1
            while True:
                k = text.find("'", j)
                if k < 0:
                    reasons.append(f"string opened on line {line} is never closed")
                    i = n
                    break
                if text.startswith("''", k):
                    j = k + 2
                    continue
                line += text.count("\n", i, k)
                i = k + 1
                break
            continue
        i += 1
    if len(data) < max_bytes and "END-ISO-10303-21" not in text:
        reasons.append("no 'END-ISO-10303-21;' end marker (truncated file?)")
    return reasons


# --------------------------------------------------------------------------- the child process
def extract(
    path: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S, threads: int = 1
) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, float]]:
    """Run the worker on ``path``: (semantics, mesh arrays, timings in seconds).

    Raises
    ------
    ParseError, SubprocessCrash
        See :func:`read_ifc`.
    """
    if timeout_s is None or not timeout_s > 0:
        raise InputError(f"timeout_s must be positive, got {timeout_s!r}", path=path, field="timeout_s")
    with tempfile.TemporaryDirectory(prefix="twin-ifc-") as tmp:
        cmd = [sys.executable, str(WORKER), str(path), tmp, "--threads", str(int(threads))]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            stage = _read_text(Path(tmp) / "stage.txt")
            raise SubprocessCrash(
                f"ifcopenshell did not finish within {timeout_s:g} s while {_STAGES.get(stage, stage or 'starting')}; "
                "the child process was stopped (raise timeout_s for a very large model)",
                path=path,
            ) from None
        elapsed = time.perf_counter() - t0
        tmp_path = Path(tmp)
        stage = _read_text(tmp_path / "stage.txt")
        if proc.returncode == 0 and (tmp_path / "meshes.npz").exists():
            semantics = json.loads((tmp_path / "semantics.json").read_text(encoding="utf-8"))
            with np.load(tmp_path / "meshes.npz") as npz:
                arrays = {k: npz[k] for k in npz.files}
            return semantics, arrays, {"child_process": elapsed}
        error_file = tmp_path / "error.json"
        if error_file.exists():
            error = json.loads(error_file.read_text(encoding="utf-8"))
            reasons = diagnose_step(path) if error.get("kind") == "parse" else []
            detail = "; ".join(reasons) if reasons else error.get("message", "")
            what = (
                "not a readable IFC (STEP) file"
                if error.get("kind") == "parse"
                else "ifcopenshell failed while reading the model"
            )
            raise ParseError(f"{what}: {detail} (ifcopenshell: {error.get('message', '')})", path=path)
        problems = []
        semantics_file = tmp_path / "semantics.json"
        if semantics_file.exists():
            try:
                problems = json.loads(semantics_file.read_text(encoding="utf-8")).get("problems", [])
            except (OSError, ValueError):
                problems = []
        raise SubprocessCrash(_crash_message(proc, stage, problems), path=path)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _crash_message(proc: subprocess.CompletedProcess, stage: str, problems: list[str]) -> str:
    code = proc.returncode
    if code < 0:
        try:
            how = f"crashed with signal {signal.Signals(-code).name}"
        except ValueError:
            how = f"crashed with signal {-code}"
    else:
        how = f"exited with status {code}"
    msg = f"ifcopenshell {how} while {_STAGES.get(stage, stage or 'starting')} (in a child process; this process is unaffected)"
    if problems:
        msg += "; the file is malformed: " + "; ".join(problems[:3])
    else:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        if tail:
            msg += "; child stderr: " + " | ".join(tail)
    return msg
