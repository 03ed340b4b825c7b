"""Reader of the TNTP format (Transportation Networks for Research): network, trips and nodes.

Files (see the LICENSE-NOTE and each folder's README/SOURCE.md in the TNTP data):

* ``*_net.tntp``: metadata (``<NUMBER OF ZONES>``, ``<NUMBER OF NODES>``, ``<FIRST THRU NODE>``,
  ``<NUMBER OF LINKS>``, ``<END OF METADATA>``), then one line per link
  ``init_node term_node capacity length free_flow_time b power speed toll link_type ;``.
  Link time ``t = free_flow_time * (1 + b * (flow / capacity) ^ power)``.
* ``*_trips.tntp``: ``<NUMBER OF ZONES>``, ``<TOTAL OD FLOW>``, ``<END OF METADATA>``, then blocks
  ``Origin k`` followed by ``dest : flow;`` entries.
* ``*_node.tntp``: ``node X Y ;`` coordinates.

Generalized cost: ``time + toll_factor * toll + distance_factor * length``. The weights are read
from the README (``SOURCE.md`` or ``README.md``) beside the net file, section
"Generalized Cost Weights" (ChicagoSketch: 0.02 min/cent and 0.04 min/mile), unless given.

Every problem raises :class:`~twin.errors.InputError` (or :class:`~twin.errors.ParseError`)
naming the file, the line and the field.

References
----------
Transportation Networks for Research Core Team. Transportation Networks for Research.
https://github.com/bstabler/TransportationNetworks
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError, ParseError, TwinWarning
from twin.traffic.network import Network

NET_METADATA = ("NUMBER OF ZONES", "NUMBER OF NODES", "FIRST THRU NODE", "NUMBER OF LINKS")
NET_COLUMNS = ("init_node", "term_node", "capacity", "length", "free_flow_time", "b", "power", "speed", "toll", "link_type")
_META_RE = re.compile(r"^\s*<([^>]+)>\s*(.*?)\s*$")
_OD_RE = re.compile(r"(\S+)\s*:\s*([^;\s]+)\s*;?")

MAX_NODES = 10_000_000
"""Largest ``<NUMBER OF NODES>`` accepted (the node arrays are allocated from it; the largest
public road graphs of a country have a few million nodes)."""
MAX_ZONES = 20_000
"""Largest ``<NUMBER OF ZONES>`` accepted: the OD matrix holds zones**2 entries (12 bytes each
with its source lines: 4.8 GB at this limit; the largest TNTP network, chicago-regional, has
1,790 zones)."""


@dataclass(frozen=True, eq=False)
class Demand:
    """An origin-destination matrix over the zones of a network.

    Attributes
    ----------
    matrix : ndarray (n_zones, n_zones)
        Trips from zone ``i`` (row) to zone ``j`` (column), in the file's units (veh/h).
    path : str or None
        The trips file, for error messages.
    lines : ndarray of int32 (n_zones, n_zones) or None
        Source line of each OD entry (0 when absent), for error messages.
    meta : dict
        Metadata of the file (e.g. ``TOTAL OD FLOW``).
    """

    matrix: np.ndarray
    path: str | None = None
    lines: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_zones(self) -> int:
        """Number of zones."""
        return int(self.matrix.shape[0])

    @property
    def total(self) -> float:
        """Total trips."""
        return float(self.matrix.sum())

    def scaled(self, factor: float) -> Demand:
        """A copy with every OD flow multiplied by ``factor``."""
        if not factor >= 0:
            raise InputError(f"demand scale must be >= 0, got {factor}", path=self.path, field="scale")
        return Demand(self.matrix * factor, self.path, self.lines, dict(self.meta))

    def where(self, origin: int, destination: int) -> str:
        """'line N (origin o, destination d)' for error messages (0-based zone indices in; the
        zones are named by ``meta['zone_ids']`` when given, else numbered from 1 as in TNTP)."""
        line = int(self.lines[origin, destination]) if self.lines is not None else 0
        ids = self.meta.get("zone_ids")
        od = f"origin {ids[origin]}, destination {ids[destination]}" if ids is not None else f"origin {origin + 1}, destination {destination + 1}"
        return f"line {line} ({od})" if line else od


def _read_lines(path: Path, what: str = "TNTP file") -> list[str]:
    from twin.io.paths import check_input_file

    check_input_file(path, what=what)
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}", path=path) from None


def _whole_number(text: str) -> int:
    """``text`` as a whole number (``12``, ``12.0``); ValueError for anything else (nan, inf, 1.5)."""
    try:
        return int(text)
    except ValueError:
        value = float(text)  # ValueError for words
        if not (math.isfinite(value) and value.is_integer()):
            raise ValueError(text) from None
        return int(value)


def _metadata(path: Path, lines: list[str], required: tuple[str, ...]) -> tuple[dict[str, str], dict[str, int], int]:
    """Parse the ``<KEY> value`` header; return values, their line numbers and the first body line."""
    values: dict[str, str] = {}
    where: dict[str, int] = {}
    for i, raw in enumerate(lines):
        text = raw.strip()
        if not text or text.startswith("~"):
            continue
        match = _META_RE.match(text)
        if match is None:
            if values:  # metadata was read, then data came without the closing tag
                raise ParseError(
                    f"data before <END OF METADATA> (or a malformed metadata line): {text[:40]!r}",
                    path=path,
                    obj=f"line {i + 1}",
                    field="END OF METADATA",
                )
            raise ParseError(
                f"expected a metadata line '<KEY> value', got {text[:40]!r}",
                path=path,
                obj=f"line {i + 1}",
                field="metadata",
            )
        key = match.group(1).strip().upper()
        if key == "END OF METADATA":
            missing = [k for k in required if k not in values]
            if missing:
                raise ParseError(f"metadata lacks <{missing[0]}>", path=path, obj=f"line {i + 1}", field=missing[0])
            return values, where, i + 1
        values[key] = match.group(2)
        where[key] = i + 1
    raise ParseError("no <END OF METADATA> line", path=path, obj=f"line {len(lines)}", field="END OF METADATA")


def _meta_int(path: Path, values: dict[str, str], where: dict[str, int], key: str, minimum: int, maximum: int | None = None) -> int:
    text = values[key].split()[0] if values[key].split() else ""
    try:
        value = int(text)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError:
            as_float = math.nan
        if not as_float.is_integer():
            raise ParseError(f"<{key}> must be an integer, got {values[key]!r}", path=path, obj=f"line {where[key]}", field=key) from None
        value = int(as_float)
    if value < minimum:
        raise InputError(f"<{key}> must be >= {minimum}, got {value}", path=path, obj=f"line {where[key]}", field=key)
    if maximum is not None and value > maximum:
        from twin.errors import ResourceLimitError

        raise ResourceLimitError(f"<{key}> {value:,} is above the limit of {maximum:,}", path=path, obj=f"line {where[key]}", field=key)
    return value


def read_cost_weights(folder: str | Path) -> tuple[float, float]:
    """Toll and distance weights of the generalized cost from the README beside the files.

    Looks for ``SOURCE.md`` then ``README.md`` and its "Generalized Cost Weights" section
    (``Toll: 0.02 minutes/cent``, ``Distance: 0.04 minutes/mile``). Returns ``(0, 0)`` when
    absent or unreadable.
    """
    folder = Path(folder)
    for name in ("SOURCE.md", "README.md", "readme.md"):
        readme = folder / name
        if readme.exists():
            text = readme.read_text(encoding="utf-8", errors="replace")
            section = re.search(r"#+\s*Generalized Cost Weights\s*\n(.*?)(?:\n#|\Z)", text, re.DOTALL | re.IGNORECASE)
            if section is None:
                return 0.0, 0.0
            weights = []
            for label in ("Toll", "Distance"):
                found = re.search(rf"^\s*{label}\s*:\s*([-+0-9.eE]+)", section.group(1), re.MULTILINE | re.IGNORECASE)
                weights.append(float(found.group(1)) if found else 0.0)
            return weights[0], weights[1]
    return 0.0, 0.0



def _check_no_repeated_link(path: Path, data: np.ndarray, lines: np.ndarray) -> None:
    """Refuse a link line given twice, every field the same (a copied line: it would double the
    link's capacity without a word)."""
    if data.shape[0] < 2:
        return
    _, first, inverse = np.unique(data, axis=0, return_index=True, return_inverse=True)
    repeat = np.flatnonzero(first[inverse.ravel()] != np.arange(data.shape[0]))
    if repeat.size:
        i = int(repeat[0])
        j = int(first[inverse.ravel()[i]])
        raise InputError(f"the link line repeats line {lines[j]} field for field (a copied line would double the link's capacity); "
                         "delete it, or give one link with the capacity of both", path=path, obj=f"line {lines[i]}", field="link")


def read_network(
    path: str | Path,
    *,
    toll_factor: float | None = None,
    distance_factor: float | None = None,
) -> Network:
    """Read a ``*_net.tntp`` file into a :class:`~twin.traffic.network.Network`.

    Parameters
    ----------
    path
        The net file.
    toll_factor, distance_factor
        Generalized-cost weights (time units per toll unit, per length unit). ``None``: from the
        README beside the file (see :func:`read_cost_weights`).

    Returns
    -------
    Network
        Node ``k`` of the file is index ``k - 1``; zones are nodes ``1..NUMBER OF ZONES``;
        ``first_thru_node = FIRST THRU NODE - 1``; ``link_ids`` are 1-based link numbers in file
        order. ``meta`` holds the file metadata, the path, the weights and ``line`` (source line
        of each stored link).

    Raises
    ------
    InputError
        Malformed or inconsistent metadata, a bad or non-finite number, more nodes than
        :data:`MAX_NODES` or zones than :data:`MAX_ZONES`, a node outside ``1..NUMBER OF NODES``,
        a link from a node to itself, negative capacity/time/length/b/power, zero capacity on a congestible link, a link count
        other than ``NUMBER OF LINKS``; the message names the file, line and field.
    """
    path = Path(path)
    lines = _read_lines(path, "network file")
    values, where, body = _metadata(path, lines, NET_METADATA)
    n_zones = _meta_int(path, values, where, "NUMBER OF ZONES", 0, MAX_ZONES)
    n_nodes = _meta_int(path, values, where, "NUMBER OF NODES", 1, MAX_NODES)
    first_thru = _meta_int(path, values, where, "FIRST THRU NODE", 1, MAX_NODES + 1)
    n_links = _meta_int(path, values, where, "NUMBER OF LINKS", 0)
    if n_zones > n_nodes:
        raise InputError(f"<NUMBER OF ZONES> {n_zones} exceeds <NUMBER OF NODES> {n_nodes}", path=path, obj=f"line {where['NUMBER OF ZONES']}", field="NUMBER OF ZONES")
    if first_thru > n_zones + 1:
        raise InputError(
            f"<FIRST THRU NODE> {first_thru} is beyond the zones (1..{n_zones})", path=path, obj=f"line {where['FIRST THRU NODE']}", field="FIRST THRU NODE"
        )
    if toll_factor is None or distance_factor is None:
        readme_toll, readme_distance = read_cost_weights(path.parent)
        toll_factor = readme_toll if toll_factor is None else toll_factor
        distance_factor = readme_distance if distance_factor is None else distance_factor

    columns = list(NET_COLUMNS)
    rows: list[list[float]] = []
    line_no: list[int] = []
    for i in range(body, len(lines)):
        text = lines[i].strip()
        if not text:
            continue
        if text.startswith("~"):
            header = text.lstrip("~").replace(";", " ").split()
            if len(header) >= 5 and header[0].lower() in ("init_node", "tail", "from"):
                columns = [h.lower() for h in header]
            continue
        parts = text.replace(";", " ").split()
        if len(parts) < 7:
            raise ParseError(f"a link line needs at least 7 fields, found {len(parts)}", path=path, obj=f"line {i + 1}", field="link")
        row = []
        for j, token in enumerate(parts[: len(columns)]):
            name = columns[j] if j < len(columns) else f"column {j + 1}"
            try:
                value = float(token)
            except ValueError:
                raise ParseError(f"not a number: {token!r}", path=path, obj=f"line {i + 1}", field=name) from None
            if not math.isfinite(value):
                raise InputError(f"must be a finite number, got {token!r}", path=path, obj=f"line {i + 1}", field=name)
            row.append(value)
        row.extend([0.0] * (len(columns) - len(row)))
        rows.append(row)
        line_no.append(i + 1)
    data = np.asarray(rows, dtype=np.float64).reshape(-1, len(columns))
    lines_arr = np.asarray(line_no, dtype=np.int64)
    if data.shape[0] != n_links:
        raise InputError(
            f"<NUMBER OF LINKS> says {n_links} but the file has {data.shape[0]} link lines",
            path=path,
            obj=f"line {where['NUMBER OF LINKS']}",
            field="NUMBER OF LINKS",
        )

    def col(name: str, default: float = 0.0) -> np.ndarray:
        return data[:, columns.index(name)] if name in columns else np.full(data.shape[0], default)

    tail, head = col("init_node"), col("term_node")
    for name, nodes in (("init_node", tail), ("term_node", head)):
        bad = np.flatnonzero((nodes < 1) | (nodes > n_nodes) | (nodes != np.round(nodes)))
        if bad.size:
            raise InputError(f"node {nodes[bad[0]]:g} outside 1..{n_nodes}", path=path, obj=f"line {lines_arr[bad[0]]}", field=name)
    loop = np.flatnonzero(tail == head)  # no route takes it: a mistyped node, assigned without a word
    if loop.size:
        raise InputError(f"the link goes from node {tail[loop[0]]:g} back to itself (init_node = term_node): a mistyped node?",
                         path=path, obj=f"line {lines_arr[loop[0]]}", field="term_node")
    _check_no_repeated_link(path, data, lines_arr)
    cap, fft, length = col("capacity"), col("free_flow_time"), col("length")
    b, power, toll = col("b", 0.15), col("power", 4.0), col("toll")
    for name, values_ in (("capacity", cap), ("free_flow_time", fft), ("length", length), ("b", b), ("power", power), ("toll", toll)):
        bad = np.flatnonzero(~(values_ >= 0) | ~np.isfinite(values_))
        if bad.size:
            raise InputError(f"{name} must be >= 0, got {values_[bad[0]]:g}", path=path, obj=f"line {lines_arr[bad[0]]}", field=name)
    bad = np.flatnonzero((cap <= 0) & (b > 0) & (power > 0))
    if bad.size:
        raise InputError("capacity must be > 0 on a link whose time depends on flow", path=path, obj=f"line {lines_arr[bad[0]]}", field="capacity")
    fixed = toll_factor * toll + distance_factor * length
    meta = {
        "path": str(path),
        "metadata": values,
        "toll_factor": float(toll_factor),
        "distance_factor": float(distance_factor),
        "first_thru_node_number": first_thru,
    }
    net = Network.build(
        node_ids=np.arange(1, n_nodes + 1, dtype=np.int64),
        link_ids=np.arange(1, data.shape[0] + 1, dtype=np.int64),
        from_node=tail.astype(np.int64) - 1,
        to_node=head.astype(np.int64) - 1,
        free_flow_time=fft,
        capacity=cap,
        length=length,
        alpha=b,
        beta=power,
        toll=toll,
        link_type=col("link_type").astype(np.int32),
        vdf="bpr",
        fixed_cost=fixed,
        n_zones=n_zones,
        first_thru_node=first_thru - 1,
        time_unit="file",
        length_unit="file",
        name=path.name.replace("_net.tntp", "").replace(".tntp", ""),
        meta=meta,
        path=str(path),
    )
    order = np.argsort(tail.astype(np.int64) - 1, kind="stable")
    net.meta["line"] = lines_arr[order]
    return net


def read_trips(path: str | Path, *, n_zones: int | None = None, demand_for: str | None = None) -> Demand:
    """Read a ``*_trips.tntp`` file into a :class:`Demand`.

    Parameters
    ----------
    path
        The trips file.
    n_zones
        Zones of the network it goes with; a mismatch with ``<NUMBER OF ZONES>`` is an error.
    demand_for
        What the caller does with the demand (``"assign"``, ...): given, a file whose every OD
        flow is 0 is an error (``nothing to <demand_for>``: the command would run on no
        traffic), the one rule of the commands that read trips files.

    Raises
    ------
    InputError
        Malformed metadata, an entry before any ``Origin``, no entries at all, a zone outside
        ``1..NUMBER OF ZONES``, an OD pair given twice, a non-numeric, non-finite or negative flow, more zones than
        :data:`MAX_ZONES`, no demand with ``demand_for``; the message names the file, line and
        field.
    """
    path = Path(path)
    lines = _read_lines(path, "trips file")
    values, where, body = _metadata(path, lines, ("NUMBER OF ZONES",))
    zones = _meta_int(path, values, where, "NUMBER OF ZONES", 1, MAX_ZONES)
    if n_zones is not None and zones != n_zones:
        raise InputError(
            f"<NUMBER OF ZONES> is {zones} but the network has {n_zones} zones", path=path, obj=f"line {where['NUMBER OF ZONES']}", field="NUMBER OF ZONES"
        )
    matrix = np.zeros((zones, zones), dtype=np.float64)
    src = np.zeros((zones, zones), dtype=np.int32)
    origin = -1
    for i in range(body, len(lines)):
        text = lines[i].strip()
        if not text or text.startswith("~"):
            continue
        if text[:6].lower() == "origin":
            token = text[6:].strip().split()
            try:
                origin = _whole_number(token[0]) - 1
            except (ValueError, IndexError):
                raise ParseError(f"bad origin {text!r}", path=path, obj=f"line {i + 1}", field="origin") from None
            if not 0 <= origin < zones:
                raise InputError(f"origin {origin + 1} outside 1..{zones}", path=path, obj=f"line {i + 1}", field="origin")
            continue
        if origin < 0:
            raise ParseError("OD entries before any 'Origin' line", path=path, obj=f"line {i + 1}", field="origin")
        entries = _OD_RE.findall(text)
        if not entries:
            raise ParseError(f"expected 'destination : flow;' entries, got {text[:40]!r}", path=path, obj=f"line {i + 1}", field="destination")
        for dest_text, flow_text in entries:
            try:
                dest = _whole_number(dest_text) - 1
            except ValueError:
                raise ParseError(f"bad destination {dest_text!r}", path=path, obj=f"line {i + 1}", field="destination") from None
            try:
                flow = float(flow_text)
            except ValueError:
                raise ParseError(f"bad flow {flow_text!r} to destination {dest + 1}", path=path, obj=f"line {i + 1}", field="flow") from None
            if not 0 <= dest < zones:
                raise InputError(f"destination {dest + 1} outside 1..{zones}", path=path, obj=f"line {i + 1}", field="destination")
            if not flow >= 0 or math.isinf(flow):
                raise InputError(f"flow to destination {dest + 1} must be finite and >= 0, got {flow_text}", path=path, obj=f"line {i + 1}", field="flow")
            if src[origin, dest]:  # the flows were summed without a word: a slip (a pasted block, a mistyped zone)
                lines_said = f"line {i + 1}" if src[origin, dest] == i + 1 else f"lines {src[origin, dest]} and {i + 1}"
                raise InputError(f"the flow from origin {origin + 1} to destination {dest + 1} is given twice ({lines_said}): "
                                 "give each OD pair once", path=path, obj=f"line {i + 1}", field="destination")
            matrix[origin, dest] += flow
            src[origin, dest] = i + 1
    if not src.any():
        raise InputError("no OD entries ('Origin k' blocks of 'destination : flow;') after <END OF METADATA>", path=path, obj=f"line {len(lines)}", field="origin")
    meta: dict[str, Any] = {"metadata": values}
    total = float(matrix.sum())
    stated = None
    if "TOTAL OD FLOW" in values:
        try:
            stated = float(values["TOTAL OD FLOW"].split()[0])
        except (ValueError, IndexError):
            raise ParseError(f"<TOTAL OD FLOW> is not a number: {values['TOTAL OD FLOW']!r}", path=path, obj=f"line {where['TOTAL OD FLOW']}", field="TOTAL OD FLOW") from None
        if not (math.isfinite(stated) and stated >= 0):
            raise InputError(f"<TOTAL OD FLOW> must be a finite number >= 0, got {stated}", path=path, obj=f"line {where['TOTAL OD FLOW']}", field="TOTAL OD FLOW")
        meta["total_od_flow"] = stated
    if demand_for is not None and not total > 0:  # refused: one line, no warning about the declared total before it
        declared = f", though <TOTAL OD FLOW> declares {stated:g}" if stated else ""
        raise InputError(f"the trips file holds no demand (every OD flow is 0{declared}): nothing to {demand_for}", path=path, field="flow")
    if stated is not None and abs(total - stated) > 1e-6 * max(1.0, abs(stated)):
        warnings.warn(f"file {path}: <TOTAL OD FLOW> {stated} but the entries sum to {total}", TwinWarning, stacklevel=2)
    return Demand(matrix, str(path), src, meta)


def read_nodes(path: str | Path) -> np.ndarray:
    """Read a ``*_node.tntp`` file: array (n, 3) of node number, X, Y (file units and CRS)."""
    path = Path(path)
    lines = _read_lines(path)
    rows = []
    for i, raw in enumerate(lines):
        parts = raw.replace(";", " ").split()
        if not parts or parts[0].startswith("~"):
            continue
        try:
            rows.append([float(parts[0]), float(parts[1]), float(parts[2])])
        except (ValueError, IndexError):
            if not rows:  # the header line
                continue
            raise ParseError(f"expected 'node X Y', got {raw.strip()[:40]!r}", path=path, obj=f"line {i + 1}", field="node") from None
    return np.asarray(rows, dtype=np.float64).reshape(-1, 3)


def find_files(folder: str | Path) -> dict[str, Path]:
    """The ``net``, ``trips`` and (if present) ``node`` files of a TNTP folder."""
    folder = Path(folder)
    found: dict[str, Path] = {}
    for kind in ("net", "trips", "node"):
        hits = sorted(folder.glob(f"*_{kind}.tntp"))
        if hits:
            found[kind] = hits[0]
    if "net" not in found or "trips" not in found:
        raise InputError("a TNTP folder needs *_net.tntp and *_trips.tntp", path=folder)
    return found
