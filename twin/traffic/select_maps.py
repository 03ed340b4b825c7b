"""Select-link and select-zone results as a per-link table and a map (``twin traffic select-link``
/ ``select-zone`` ``--link-flows`` and ``--map``).

One table writer (:func:`link_flow_frame`, :func:`write_link_flows`) and one plotting function
(:func:`draw_flow_map`) serve both commands. Node coordinates come from a TNTP ``*_node.tntp``
file (:func:`read_node_xy`). matplotlib (the ``plot`` extra) is imported only when a map is drawn;
:func:`require_matplotlib` checks for it before any work.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from twin.errors import InputError
from twin.traffic.network import Network

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Endings of the per-link table.
TABLE_SUFFIXES = (".csv", ".parquet")


def node_file_for(net_path: Path) -> Path:
    """The TNTP node file beside a net file: ``X_net.tntp`` -> ``X_node.tntp`` (else ``X_node.tntp`` from the stem)."""
    name = net_path.name
    stem = name[: -len("_net.tntp")] if name.lower().endswith("_net.tntp") else net_path.stem
    return net_path.with_name(f"{stem}_node.tntp")


def read_node_xy(network: Network, path: Path) -> np.ndarray:
    """Coordinates (n, 2) of every node of ``network`` from a TNTP node file (``node X Y``).

    Nodes that no link touches may be missing (NaN); a missing file, a node given twice or a
    link end without coordinates is an error.

    Raises
    ------
    InputError
        Naming the node file and the node.
    """
    from twin.traffic.tntp import read_nodes

    if not path.is_file():
        raise InputError("no node coordinates to draw the map (TNTP node file 'node X Y'; give one with --nodes)", path=path, field="--map")
    rows = read_nodes(path)
    xy = np.full((network.n_nodes, 2), np.nan)
    index = {str(v): k for k, v in enumerate(network.node_ids)}
    seen: set[str] = set()
    for number, x, y in rows:
        key = str(int(number)) if float(number).is_integer() else str(number)
        if key in seen:
            raise InputError("node given twice", path=path, obj=f"node {key}", field="node")
        seen.add(key)
        if key in index:
            if not (np.isfinite(x) and np.isfinite(y)):
                raise InputError(f"coordinates must be finite, got ({x}, {y})", path=path, obj=f"node {key}", field="X")
            xy[index[key]] = (x, y)
    ends = np.union1d(network.from_node, network.to_node)
    missing = ends[np.isnan(xy[ends, 0])]
    if missing.size:
        raise InputError(f"{missing.size} node(s) of network {network.name} have no coordinates", path=path,
                         obj=f"node {network.node_ids[missing[0]]}", field="node")  # fmt: skip
    return xy


def require_matplotlib(field: str = "--map") -> None:
    """Raise before any work if matplotlib (``pip install 'twin[plot]'``) is absent."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise InputError("maps need matplotlib (pip install 'twin[plot]')", field=field) from exc


def link_flow_frame(network: Network, flow: np.ndarray, selected_flow: np.ndarray, *, kind: str, unit: str, selected: np.ndarray | None = None) -> pd.DataFrame:
    """One row per link: ``link_id``, ``from_node``, ``to_node``, ``flow_<unit>`` (all traffic),
    ``<kind>_flow_<unit>`` (the selected trips), and ``selected`` (bool) when ``selected`` (link indices) is given."""
    import pandas as pd

    ids = network.node_ids
    frame = pd.DataFrame({
        "link_id": network.link_ids,
        "from_node": ids[network.from_node],
        "to_node": ids[network.to_node],
        f"flow_{unit}": np.asarray(flow, dtype=np.float64),
        f"{kind}_flow_{unit}": np.asarray(selected_flow, dtype=np.float64),
    })  # fmt: skip
    if selected is not None:
        mask = np.zeros(network.n_links, dtype=bool)
        mask[selected] = True
        frame["selected"] = mask
    if "line" in network.meta:  # TNTP: file order, as the net file lists the links
        frame = frame.iloc[np.argsort(np.asarray(network.meta["line"]), kind="stable")].reset_index(drop=True)
    return frame


def write_link_flows(frame: pd.DataFrame, path: Path) -> Path:
    """Write the per-link table atomically (``.csv`` or ``.parquet``)."""
    from twin.io import atomic_path

    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"must end in {', '.join(TABLE_SUFFIXES)}", path=path, field="--link-flows")
    from twin.traffic.dynamic_commands import to_table  # tags a Parquet, refuses a file of another kind
    with atomic_path(path) as tmp:
        to_table(frame, tmp, path)
    return path


def _segments(network: Network, xy: np.ndarray) -> np.ndarray:
    """Link segments (m, 2, 2), shifted to the right of their direction so that the two
    directions of a street are both visible."""
    a, b = xy[network.from_node], xy[network.to_node]
    d = b - a
    length = np.hypot(d[:, 0], d[:, 1])
    extent = float(np.nanmax(np.ptp(xy[np.isfinite(xy[:, 0])], axis=0))) if np.isfinite(xy).any() else 1.0
    shift = 0.004 * max(extent, 1e-12)
    normal = np.divide(np.stack([d[:, 1], -d[:, 0]], axis=1), length[:, None], out=np.zeros_like(d), where=length[:, None] > 0)
    return np.stack([a + shift * normal, b + shift * normal], axis=1)


def draw_flow_map(
    network: Network,
    xy: np.ndarray,
    selected_flow: np.ndarray,
    path: Path,
    *,
    title: str,
    label: str,
    highlight_links: Sequence[int] = (),
    highlight_nodes: Sequence[int] = (),
    highlight_label: str = "selected",
    lines: Sequence[np.ndarray] | None = None,
) -> Path:
    """Draw every link in grey and the selected trips' flow on top (width and colour), the
    highlighted links or nodes in red; written atomically (PNG or SVG by the ending of ``path``).

    Parameters
    ----------
    network, xy
        The network and its node coordinates (n, 2).
    selected_flow
        Flow of the selected trips on every link (m,).
    label
        Colour bar label, with the unit.
    highlight_links, highlight_nodes
        Stored link indices (drawn dashed red) or node indices (red squares).
    lines
        The drawing of every link (m arrays of vertices (k, 2), e.g. a scene's street
        geometries); None: a straight segment between its nodes' coordinates.
    """
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap, Normalize
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from twin.io import atomic_path

    segs = list(_segments(network, xy)) if lines is None else [np.asarray(line, dtype=np.float64) for line in lines]
    flow = np.asarray(selected_flow, dtype=np.float64)
    top = float(flow.max()) if flow.size and flow.max() > 0 else 1.0
    fig = Figure(figsize=(8, 8))
    ax = fig.add_subplot()
    ax.add_collection(LineCollection(segs, colors="0.8", linewidths=0.8, zorder=1))
    used = flow > 1e-9 * top
    cmap = ListedColormap(colormaps["viridis_r"](np.linspace(0.2, 1.0, 256)))  # no pale yellow on white
    drawn = LineCollection([segs[k] for k in np.flatnonzero(used)], array=flow[used], cmap=cmap, norm=Normalize(0.0, top),
                           linewidths=0.5 + 5.0 * flow[used] / top, zorder=2)  # fmt: skip
    ax.add_collection(drawn)
    fig.colorbar(drawn, ax=ax, shrink=0.7, label=label)
    handles = [Line2D([], [], color="0.8", lw=1, label="all links"), Line2D([], [], color=cmap(0.7), lw=3, label=label)]
    hl = np.asarray(highlight_links, dtype=np.int64)
    if hl.size:
        ax.add_collection(LineCollection([segs[k] for k in hl], colors="red", linewidths=2.0, linestyles="--", zorder=3))
        mid = np.array([segs[k].mean(axis=0) for k in hl])  # a ring too: a short link stays visible on a large network
        ax.scatter(mid[:, 0], mid[:, 1], s=160, facecolors="none", edgecolors="red", linewidths=1.5, zorder=4)
        handles.append(Line2D([], [], color="red", lw=2, ls="--", marker="o", markerfacecolor="none", label=highlight_label))
    hn = np.asarray(highlight_nodes, dtype=np.int64)
    if hn.size:
        ax.scatter(xy[hn, 0], xy[hn, 1], marker="s", s=50, color="red", zorder=4)
        handles.append(Line2D([], [], color="red", marker="s", ls="", label=highlight_label))
    ax.legend(handles=handles, loc="best", fontsize=8)
    finite = xy[np.isfinite(xy[:, 0])]
    lon_lat = finite.size and np.abs(finite[:, 0]).max() <= 180 and np.abs(finite[:, 1]).max() <= 90
    ax.set_aspect(1.0 / max(np.cos(np.radians(float(finite[:, 1].mean()))), 0.1) if lon_lat else 1.0)  # degrees: metres alike on both axes
    ax.autoscale_view()
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight", format=path.suffix.lstrip(".").lower() or "png")
    return path


def zone_balance(network: Network, flow: np.ndarray, zones: Sequence[int], side: str) -> float:
    """Net flow of the selected trips out of (origin side) or into (destination side) the zone
    nodes: out-links minus in-links summed over the zones (the reverse for the destination side)."""
    mask = np.zeros(network.n_nodes, dtype=bool)
    mask[np.asarray(zones, dtype=np.int64)] = True
    out = float(flow[mask[network.from_node]].sum() - flow[mask[network.to_node]].sum())
    return out if side == "origin" else -out


__all__ = ["TABLE_SUFFIXES", "draw_flow_map", "link_flow_frame", "node_file_for", "read_node_xy", "require_matplotlib", "write_link_flows", "zone_balance"]
