"""Skims: zone-to-zone level-of-service matrices per mode and period, written as OpenMatrix or Parquet.

A :class:`Skim` holds, for one mode and one period, square (or origin x destination) matrices
named with their unit (``time_s`` or ``time_min``, ``distance_m``, ``cost``...). Road skims
come from :func:`network_skims`: one shortest-path tree per origin zone on a link cost (free-flow
or congested times, a generalized cost), with other link attributes summed along the same paths
(kernel :func:`twin.kernels.traffic_skims.tree_skims`). Unreachable pairs are ``inf``.

Files:

* OpenMatrix (OMX 0.2, HDF5; read by ``openmatrix``, AequilibraE, Emme, Visum, TransCAD...):
  one matrix per ``<mode>_<period>_<name>``; the zone numbers in the mapping ``zone`` (the
  native ids when they are integers, else 1..n with the ids in the file attribute
  ``zone_ids``); attributes ``mode``, ``period``, ``unit`` on every matrix.
* Parquet: long form, one row per OD pair and skim, columns ``origin``, ``destination``, then
  one column per ``<mode>_<period>_<name>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError, OutputError

SKIM_SUFFIXES = (".omx", ".parquet")


@dataclass
class Skim:
    """Level-of-service matrices of one mode and period (origins x destinations)."""

    mode: str
    period: str
    zone_ids: np.ndarray
    matrices: dict[str, np.ndarray]
    dest_ids: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n_d = len(self.zone_ids if self.dest_ids is None else self.dest_ids)
        for name, m in self.matrices.items():
            if np.shape(m) != (len(self.zone_ids), n_d):
                raise InputError(f"skim {name!r} has shape {np.shape(m)}, expected {(len(self.zone_ids), n_d)}", field=name)

    @property
    def destinations(self) -> np.ndarray:
        return self.zone_ids if self.dest_ids is None else self.dest_ids

    def key(self, name: str) -> str:
        return f"{self.mode}_{self.period}_{name}"


def network_skims(
    network: Any,
    *,
    cost: np.ndarray | None = None,
    attributes: dict[str, np.ndarray] | None = None,
    origins: np.ndarray | None = None,
    destinations: np.ndarray | None = None,
    mode: str = "car",
    period: str = "free_flow",
    cost_name: str | None = None,
) -> Skim:
    """Shortest-path skims of a :class:`~twin.traffic.network.Network` between its zones.

    Parameters
    ----------
    network
        The network; zones are nodes ``0 .. n_zones-1`` and never carry through traffic beyond
        ``first_thru_node``.
    cost
        Link costs the paths minimise (stored link order; default: the free-flow generalized cost).
    attributes
        Further link attributes summed along the chosen paths, by name (default: ``length`` as
        ``distance``, with the network's length unit in the name when known).
    origins, destinations
        Node indices (default: all zones).
    cost_name
        Name of the cost matrix (default ``cost`` or ``time_<unit>`` when ``cost`` is ``None``
        and the network has no fixed cost).
    """
    from twin.kernels.traffic_skims import tree_skims
    from twin.traffic.kernel_threads import kernel_threads

    n_z = network.n_zones
    o = np.arange(n_z, dtype=np.int64) if origins is None else np.asarray(origins, dtype=np.int64)
    d = np.arange(n_z, dtype=np.int64) if destinations is None else np.asarray(destinations, dtype=np.int64)
    if o.size == 0 or d.size == 0:
        raise InputError("no origin or destination zone to skim", field="zones")
    c = network.free_flow_cost() if cost is None else np.ascontiguousarray(cost, dtype=np.float64)
    if c.shape != (network.n_links,) or np.any(~(c >= 0)):
        raise InputError("link costs must be >= 0 (one per link)", field="cost")
    if attributes is None:
        unit = network.length_unit or "unit"
        attributes = {f"distance_{unit}": np.asarray(network.length, dtype=np.float64)}
    names = list(attributes)
    link_attr = np.ascontiguousarray(np.stack([np.asarray(attributes[k], dtype=np.float64) for k in names])) if names else np.zeros((0, network.n_links))
    out_cost = np.empty((o.size, d.size))
    out_attr = np.empty((len(names), o.size, d.size))
    with kernel_threads(o.size * network.n_links):  # one tree per origin, on one thread for a district (the same skims)
        tree_skims(
            o, d, np.ascontiguousarray(network.out_start, dtype=np.int64), np.ascontiguousarray(network.from_node, dtype=np.int64),
            np.ascontiguousarray(network.to_node, dtype=np.int64), c, int(network.first_thru_node), link_attr, out_cost, out_attr,
        )  # fmt: skip
    if cost_name is None:
        cost_name = f"time_{network.time_unit}" if cost is None and not np.any(network.fixed_cost) else "cost"
    mats = {cost_name: out_cost}
    mats.update({k: out_attr[i] for i, k in enumerate(names)})
    ids = network.node_ids
    return Skim(mode=mode, period=period, zone_ids=np.asarray(ids)[o], dest_ids=None if destinations is None and origins is None else np.asarray(ids)[d], matrices=mats)


# ---------------------------------------------------------------------------------------- files
def check_skim_output(path: str | Path, *, field: str = "--output", inputs: Iterable[str | Path | None] = ()) -> Path:
    """Before any work: an allowed suffix, a writable place, none of the files and folders
    ``inputs`` the command reads nor inside one (:func:`twin.io.output_checks.check_output_file`;
    OutputError otherwise)."""
    from twin.io.output_checks import check_output_file

    path = Path(path)
    if path.suffix.lower() not in SKIM_SUFFIXES:
        raise OutputError(f"skims are written as {' or '.join(SKIM_SUFFIXES)}, not {path.suffix or 'no suffix'!r}", path=path, field=field)
    check_output_file(path, inputs=[p for p in inputs if p is not None], field=field)
    from twin.traffic.dynamic_commands import check_replace

    check_replace(path, field=field)  # a Parquet or OMX file another command wrote (or an older untagged one) is refused
    return path


def _zone_numbers(ids: np.ndarray) -> tuple[np.ndarray, list[str] | None]:
    try:
        nums = np.array([int(v) for v in ids], dtype=np.int64)
        if all(str(v) == str(n) for v, n in zip(ids, nums)) and len(set(nums.tolist())) == len(nums):
            return nums, None
    except (TypeError, ValueError):
        pass
    return np.arange(1, len(ids) + 1, dtype=np.int64), [str(v) for v in ids]


def write_skims(path: str | Path, skims: list[Skim]) -> Path:
    """Write skims to ``.omx`` (OpenMatrix) or ``.parquet`` atomically; all must share their zones."""
    path = Path(path)
    if not skims:
        raise InputError("no skim to write", field="skims")
    zones = skims[0].zone_ids
    dests = skims[0].destinations
    for s in skims[1:]:
        if len(s.zone_ids) != len(zones) or np.any(s.zone_ids != zones) or len(s.destinations) != len(dests) or np.any(s.destinations != dests):
            raise InputError("skims written to one file must share their zones", field="skims")
    suffix = path.suffix.lower()
    if suffix == ".omx":
        return _write_omx(path, skims)
    if suffix == ".parquet":
        return _write_parquet(path, skims)
    raise OutputError(f"skims are written as {' or '.join(SKIM_SUFFIXES)}", path=path, field="--output")


UNITS = ("s", "min", "h", "m", "km", "ft", "mi", "eur", "util", "kg", "g")


def _unit(name: str) -> str:
    """The unit suffix of a matrix name (``time_s`` -> ``s``), '' when none."""
    tail = name.rsplit("_", 1)[-1].lower() if "_" in name else ""
    return tail if tail in UNITS else ""


def _write_omx(path: Path, skims: list[Skim]) -> Path:
    import openmatrix as omx

    from twin.io import atomic_path
    from twin.traffic.output_files import tag_omx

    if len(skims[0].zone_ids) != len(skims[0].destinations) or np.any(skims[0].zone_ids != skims[0].destinations):
        raise InputError("OpenMatrix files hold square matrices over one zone list", field="skims")
    nums, text_ids = _zone_numbers(skims[0].zone_ids)
    with atomic_path(path) as tmp:
        f = omx.open_file(str(tmp), "w")
        try:
            tag_omx(f)  # twin_written_by: twin traffic, the writer rule of twin.traffic.output_files
            f.create_mapping("zone", nums.tolist())
            if text_ids is not None:
                f.root._v_attrs["zone_ids"] = json.dumps(text_ids)
            for s in skims:
                for name, m in s.matrices.items():
                    key = s.key(name)
                    f[key] = np.ascontiguousarray(m, dtype=np.float64)
                    node = f[key]
                    node.attrs.mode = s.mode
                    node.attrs.period = s.period
                    node.attrs.unit = _unit(name)
        finally:
            f.close()
    return path


def _write_parquet(path: Path, skims: list[Skim]) -> Path:
    import pandas as pd

    from twin.io import atomic_path

    o = np.repeat(np.asarray(skims[0].zone_ids, dtype=object), len(skims[0].destinations))
    d = np.tile(np.asarray(skims[0].destinations, dtype=object), len(skims[0].zone_ids))
    frame = pd.DataFrame({"origin": [str(v) for v in o], "destination": [str(v) for v in d]})
    for s in skims:
        for name, m in s.matrices.items():
            frame[s.key(name)] = np.asarray(m, dtype=np.float64).ravel()
    from twin.traffic.dynamic_commands import to_table  # tags a Parquet, refuses a file of another kind
    with atomic_path(path) as tmp:
        to_table(frame, tmp, path)
    return path


def read_omx(path: str | Path) -> dict[str, Any]:
    """Matrices and zone numbers of an OMX file (``{'zones': ..., 'matrices': {name: array}}``)."""
    import openmatrix as omx

    f = omx.open_file(str(path), "r")
    try:
        mapping = f.mapping("zone") if "zone" in f.list_mappings() else None
        zones = np.array(sorted(mapping, key=mapping.get)) if mapping else None
        mats = {name: np.array(f[name]) for name in f.list_matrices()}
        ids = f.root._v_attrs["zone_ids"] if "zone_ids" in f.root._v_attrs._v_attrnames else None
    finally:
        f.close()
    return {"zones": zones, "zone_ids": json.loads(ids) if ids else None, "matrices": mats}
