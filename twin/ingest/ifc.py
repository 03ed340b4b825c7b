"""IFC (IFC2X3, IFC4) reader: buildings, storeys, spaces and envelope elements.

ifcopenshell runs in a **child process** (:mod:`twin.ingest.ifc_worker`) with limits: its C++
geometry kernel can crash the interpreter on malformed input (a cyclic IfcLocalPlacement
segfaults the geometry iterator), and a hostile or broken model can ask for unbounded time or
memory. The child gets

* a time limit (``timeout_s``, default :data:`DEFAULT_TIMEOUT_S`);
* an address-space limit (``memory_limit_mb``, else the environment variable
  ``TWIN_IFC_MEMORY_MB``, else :data:`DEFAULT_MEMORY_LIMIT_MB`; 0 switches it off);
* a cap on the mesh it may return (:data:`twin.ingest.ifc_extract.MAX_MESH_VERTICES`);
* its standard output and error are read into bounded buffers (the last
  :data:`MAX_CHILD_OUTPUT_BYTES` of each are kept), so a child that prints without end cannot
  fill this process's memory.

A crash or a timeout becomes a :class:`~twin.errors.SubprocessCrash` naming the file; hitting
the memory or mesh limit a :class:`~twin.errors.ResourceLimitError` naming the file and the
limit; a file ifcopenshell cannot parse a :class:`~twin.errors.ParseError` naming the file and
the problem. The calling process never loads ifcopenshell.

A **truncated** file (no ``END-ISO-10303-21;`` at its end) is refused before the child starts:
ifcopenshell reads what is there and returns fewer elements without a word (24 of the 33
elements of a truncated AC20-FZK-Haus). ``allow_truncated=True`` reads it anyway with a
:class:`~twin.errors.TwinWarning`.

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
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError, ParseError, ResourceLimitError, SubprocessCrash, TwinWarning
from twin.ingest.result import IngestResult

DEFAULT_TIMEOUT_S = 300.0
"""Default time limit of the child process (open + semantics + geometry), seconds."""

DEFAULT_MEMORY_LIMIT_MB = 4096
"""Default address-space limit of the child process, MB (``TWIN_IFC_MEMORY_MB`` overrides; the
child needs about 300 MB for a house, 0.5-1 GB for a large office model)."""

MEMORY_ENV = "TWIN_IFC_MEMORY_MB"

MAX_CHILD_OUTPUT_BYTES = 64 * 1024
"""Bytes kept of each of the child's standard output and error (the last ones)."""

MAX_IFC_BYTES = 1024**3
"""Size limit of an IFC file, bytes (1 GB; ``TWIN_MAX_INPUT_BYTES`` can lower it)."""

END_MARKER = b"END-ISO-10303-21"

WORKER = Path(__file__).with_name("ifc_worker.py")

_STAGES = {
    "starting": "starting (loading ifcopenshell)",
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
    memory_limit_mb: int | None = None,
    allow_truncated: bool = False,
    overrides: Any = None,
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
    memory_limit_mb
        Address-space limit of the child process, MB (default: ``TWIN_IFC_MEMORY_MB``, else
        :data:`DEFAULT_MEMORY_LIMIT_MB`; 0: none).
    allow_truncated
        Read a file without its end marker anyway (with a TwinWarning) instead of refusing it.
    overrides
        Known values by building id (:func:`twin.ingest.attributes.overrides.read_overrides`),
        checked before the child starts: ``use``, ``construction_year``, ``n_storeys`` and
        ``heating_system`` win over the file's values with source ``user`` (rule ``override``)
        and what is derived follows (:func:`twin.ingest.ifc_building.build_layers`); a
        ``height_m`` is refused (the geometry gives the height; give ``n_storeys``).
        ``meta['overrides_applied']`` counts the buildings changed.
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
        unterminated string, a truncated file...).
    SubprocessCrash
        ifcopenshell crashed (e.g. segfault on a cyclic placement) or timed out; this process
        is unaffected.
    ResourceLimitError
        The child process hit its memory limit, or the model's mesh its size limit.
    InputError
        No IfcBuilding, no georeference and no ``origin``, bad options.
    """
    from twin.ingest.attributes.precedence import Given
    from twin.ingest.ifc_building import build_layers, meshes_from_npz
    from twin.ingest.ifc_georef import placement_from, validate_placement_options

    path = Path(path)
    validate_placement_options(origin=origin, rotation_deg=rotation_deg, ground_z_m=ground_z_m, path=path)
    memory_mb = memory_limit(memory_limit_mb)
    truncated = precheck(path, allow_truncated=allow_truncated)
    given = Given.read(overrides) if overrides is not None else None
    t0 = time.perf_counter()
    semantics, arrays, timing = extract(path, timeout_s=timeout_s, threads=threads, memory_limit_mb=memory_mb)
    result = IngestResult(path=str(path))
    placement = placement_from(
        semantics, path=path, origin=origin, crs=crs, rotation_deg=rotation_deg, scene_crs=scene_crs, ground_z_m=ground_z_m
    )
    t1 = time.perf_counter()
    layers = build_layers(semantics, meshes_from_npz(arrays), placement, path=str(path), id_prefix=id_prefix, result=result, given=given)
    result.layers.update(layers)
    if overrides is not None:
        result.meta["overrides_applied"] = given.hits(layers["buildings"]["building_id"]) if given is not None else 0
    result.meta.update(
        {
            "format": "ifc",
            "schema": semantics["schema"],
            "crs": placement.crs.to_string(),
            "georeference": placement.describe(),
            "problems": semantics.get("problems", []),
            "ignored_options": sorted(_ignored),
            "timing_s": {**timing, "analysis": time.perf_counter() - t1, "total": time.perf_counter() - t0},
            "truncated": truncated,
        }
    )
    if truncated:
        counts = ", ".join(f"{k} {len(v)}" for k, v in result.layers.items())
        warnings.warn(
            f"file {path}: truncated IFC (no END-ISO-10303-21; marker) read anyway: {counts}; "
            "elements after the cut are missing",
            TwinWarning,
            stacklevel=2,
        )
    return result


def memory_limit(value: int | None = None) -> int:
    """The child's memory limit in MB: ``value``, else ``TWIN_IFC_MEMORY_MB``, else the default.

    Raises
    ------
    InputError
        Not a whole number >= 0.
    """
    field = "memory_limit_mb"
    if value is None:
        raw = os.environ.get(MEMORY_ENV, "").strip()
        if not raw:
            return DEFAULT_MEMORY_LIMIT_MB
        field = MEMORY_ENV
        try:
            value = int(raw)
        except ValueError:
            raise InputError(f"{MEMORY_ENV} must be a whole number of MB, not {raw!r}", field=MEMORY_ENV) from None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise InputError(f"the IFC memory limit must be a whole number of MB >= 0 (0: none), got {value!r}", field=field)
    return int(value)


# --------------------------------------------------------------------------- input checks
LFS_MAGIC = b"version https://git-lfs.github.com/spec/"


def precheck(path: Path, *, allow_truncated: bool = False) -> bool:
    """Cheap checks before starting the child: a readable regular file below the size limit, not
    empty, not a Git LFS pointer, and complete (ending in ``END-ISO-10303-21;``).

    Returns
    -------
    bool
        True if the file is truncated and ``allow_truncated`` let it through.
    """
    from twin.io.paths import check_input_file, max_input_bytes

    if not path.exists():
        raise InputError("file not found", path=path)
    check_input_file(path, max_bytes=min(MAX_IFC_BYTES, max_input_bytes()), what="IFC file", refuse_empty=True)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(512)
        fh.seek(max(0, size - 4096))
        tail = fh.read(4096)
    if not head.strip():
        raise ParseError("empty file", path=path)
    if head.startswith(LFS_MAGIC):
        raise ParseError(
            "this is a Git LFS pointer file, not an IFC model: fetch the real content (git lfs pull) and read that",
            path=path,
            obj="line 1",
        )
    if END_MARKER in tail:
        return False
    reasons = diagnose_step(path)
    structural = [r for r in reasons if "end marker" not in r]
    if structural:
        raise ParseError(f"not a readable IFC (STEP) file: {'; '.join(reasons)}", path=path)
    if allow_truncated:
        return True
    raise ParseError(
        f"truncated IFC file: it does not end with 'END-ISO-10303-21;' ({size:,} bytes; "
        f"last entity {_last_entity(tail)}); the elements after the cut would be missing without a word. "
        "Get the complete file (or read what is there with --allow-truncated-ifc; in Python allow_truncated=True)",
        path=path,
    )


def _last_entity(tail: bytes) -> str:
    """The id of the last complete entity line in ``tail`` ('#123'), or 'unknown'."""
    import re

    ids = re.findall(rb"#(\d+)\s*=", tail)
    return f"#{int(ids[-1])}" if ids else "unknown"


def _with_lines(path: Path, errors: list[str]) -> str:
    """ifcopenshell's parser errors joined, each 'at offset N' (bytes) followed by its line number in ``path``."""
    import re

    def line_of(match: re.Match) -> str:
        offset = int(match.group(1))
        with open(path, "rb") as fh:
            line = fh.read(offset).count(b"\n") + 1
        return f"{match.group(0)} (line {line:,})"

    return "; ".join(re.sub(r"at offset (\d+)", line_of, e) for e in errors)


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
    path: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S, threads: int = 1, memory_limit_mb: int | None = None
) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, float]]:
    """Run the worker on ``path``: (semantics, mesh arrays, timings in seconds).

    Raises
    ------
    ParseError, SubprocessCrash, ResourceLimitError
        See :func:`read_ifc`.
    """
    if timeout_s is None or not (isinstance(timeout_s, (int, float)) and math.isfinite(timeout_s) and timeout_s > 0):
        raise InputError(f"timeout_s must be positive, got {timeout_s!r}", path=path, field="timeout_s")
    memory_mb = memory_limit(memory_limit_mb)
    with tempfile.TemporaryDirectory(prefix="twin-ifc-") as tmp:
        cmd = [sys.executable, str(WORKER), str(path), tmp, "--threads", str(int(threads)), "--memory-mb", str(memory_mb)]
        t0 = time.perf_counter()
        proc = _run_bounded(cmd, timeout_s)
        tmp_path = Path(tmp)
        stage = _read_text(tmp_path / "stage.txt")
        if proc.returncode is None:  # timed out
            raise SubprocessCrash(
                f"ifcopenshell did not finish within {timeout_s:g} s while {_STAGES.get(stage, stage or 'starting')}; "
                "the child process was stopped (raise timeout_s for a very large model)",
                path=path,
            )
        elapsed = time.perf_counter() - t0
        if proc.returncode == 0 and (tmp_path / "meshes.npz").exists():
            semantics = json.loads((tmp_path / "semantics.json").read_text(encoding="utf-8"))
            with np.load(tmp_path / "meshes.npz") as npz:
                arrays = {k: npz[k] for k in npz.files}
            return semantics, arrays, {"child_process": elapsed}
        error_file = tmp_path / "error.json"
        error = {}
        if error_file.exists():
            try:
                error = json.loads(error_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                error = {}
        near_limit = memory_mb > 0 and getattr(proc, "peak_bytes", 0) >= NEAR_LIMIT * memory_mb * 1024 * 1024
        crashed = proc.returncode is not None and proc.returncode < 0
        if error.get("kind") == "memory" or (not error and (_looks_out_of_memory(proc) or (crashed and near_limit))):
            where = _STAGES.get(error.get("stage") or stage, stage or "starting")
            raise ResourceLimitError(
                f"ifcopenshell needed more memory than the limit of {memory_mb:,} MB while {where} "
                f"(the child process was stopped; set {MEMORY_ENV} to raise the limit for a very large model)",
                path=path,
            )
        if error.get("kind") == "limit":
            raise ResourceLimitError(str(error.get("message", "the model's geometry is too large")), path=path)
        if error.get("parser_errors"):
            raise ParseError(f"the IFC file is damaged: ifcopenshell skipped what it could not parse "
                             f"({_with_lines(path, error['parser_errors'])}), and reading the model then failed "
                             f"(ifcopenshell: {error.get('message', '')})", path=path)
        if error:
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


class _Tail:
    """Reads a pipe to its end in a thread, keeping only the last ``limit`` bytes."""

    def __init__(self, stream, limit: int = MAX_CHILD_OUTPUT_BYTES) -> None:
        self.limit = limit
        self.data = bytearray()
        self.total = 0
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream) -> None:
        try:
            while True:
                chunk = stream.read(65536)
                if not chunk:
                    break
                self.total += len(chunk)
                self.data += chunk
                if len(self.data) > self.limit:
                    del self.data[: len(self.data) - self.limit]
        except (OSError, ValueError):
            pass
        finally:
            try:
                stream.close()
            except OSError:
                pass

    def result(self) -> bytes:
        self._thread.join(timeout=5.0)
        return bytes(self.data)


POLL_S = 0.05
"""Interval at which the parent samples the child's address-space size, s."""


def _address_space_bytes(pid: int) -> int:
    """Current virtual size of process ``pid`` in bytes (0 where /proc is not available)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _run_bounded(cmd: list[str], timeout_s: float) -> subprocess.CompletedProcess:
    """Run ``cmd`` with its output read into bounded buffers; ``returncode`` None on timeout
    (the child is killed). The peak address-space size seen while polling is in
    ``result.peak_bytes`` (a crash near the memory limit is reported as the limit)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = _Tail(proc.stdout), _Tail(proc.stderr)
    deadline = time.monotonic() + timeout_s
    peak = 0
    try:
        while True:
            try:
                code = proc.wait(timeout=POLL_S)
                break
            except subprocess.TimeoutExpired:
                peak = max(peak, _address_space_bytes(proc.pid))
                if time.monotonic() >= deadline:
                    proc.kill()
                    proc.wait()
                    code = None
                    break
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    done = subprocess.CompletedProcess(cmd, code, out.result(), err.result())
    done.peak_bytes = peak
    return done


NEAR_LIMIT = 0.8
"""A child killed by a signal after using this fraction of its memory limit ran out of memory."""


def _looks_out_of_memory(proc: subprocess.CompletedProcess) -> bool:
    """A child that died without a report, with a sign of memory exhaustion on its stderr."""
    text = proc.stderr.decode("utf-8", "replace")
    return "MemoryError" in text or any(sign in text for sign in ("bad_alloc", "Cannot allocate memory", "failed to map segment", "out of memory"))


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
        tail = [line[-300:] for line in proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]]
        if tail:
            msg += "; child stderr: " + " | ".join(tail)
    return msg
