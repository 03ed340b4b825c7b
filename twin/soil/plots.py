"""Plots of soil results (matplotlib, imported when a plot is made; install ``twin[plot]``).

Every function returns a ``matplotlib.figure.Figure`` (no global pyplot state) and, given
``path``, also writes it atomically.
"""

from __future__ import annotations

import numpy as np

from twin.errors import InputError


def _figure(**kw):
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise InputError("plots need matplotlib (pip install 'twin[plot]')", field="matplotlib") from exc
    return Figure(**kw)


def _save(fig, path) -> None:
    if path is None:
        return
    from twin.io import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=str(path).rsplit(".", 1)[-1], dpi=120, bbox_inches="tight")


def profiles(report: dict, *, path=None):
    """Head and water content against depth at the output times of a column report
    (:func:`twin.soil.column.column_report`)."""
    fig = _figure(figsize=(9, 5))
    ax_h, ax_t = fig.subplots(1, 2, sharey=True)
    z = np.asarray(report["depth_m"])
    for o, t in enumerate(report["times_s"]):
        label = f"{t / 3600:g} h"
        ax_h.plot(report["h_m"][o], z, label=label)
        ax_t.plot(report["theta"][o], z, label=label)
    ax_h.invert_yaxis()
    ax_h.set_xlabel("pressure head h (m)")
    ax_h.set_ylabel("depth (m)")
    ax_t.set_xlabel("water content theta (-)")
    ax_t.legend(title="time")
    fig.suptitle(report.get("name", ""))
    _save(fig, path)
    return fig


def runoff_map(result, *, variable: str = "runoff", path=None):
    """Map of a per-cell variable of a :class:`~twin.soil.district.DistrictResult`, in mm."""
    if variable not in result.cells:
        raise InputError(f"unknown cell variable {variable!r}; one of {', '.join(result.cells)}", field="variable")
    g = result.grid
    mm = result.cells[variable] / g.cell_area_m2 * 1000.0
    fig = _figure(figsize=(7, 6))
    ax = fig.subplots()
    half = g.cell_size_m / 2
    extent = (g.x[0] - half, g.x[-1] + half, g.y[0] - half, g.y[-1] + half)
    im = ax.imshow(mm, origin="lower", extent=extent, cmap="Blues")
    fig.colorbar(im, ax=ax, label=f"{variable} (mm over the cell)")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_aspect("equal")
    _save(fig, path)
    return fig


def moisture_slice(result, *, depth_m: float = 0.1, time_index: int = -1, path=None):
    """Map of the ground water content at ``depth_m`` (nearest node) and an output time."""
    if result.theta is None:
        raise InputError("the district run kept no moisture profiles (store_profiles=False)", field="theta")
    k = int(np.argmin(np.abs(result.z_m - depth_m)))
    g = result.grid
    fig = _figure(figsize=(7, 6))
    ax = fig.subplots()
    half = g.cell_size_m / 2
    extent = (g.x[0] - half, g.x[-1] + half, g.y[0] - half, g.y[-1] + half)
    im = ax.imshow(result.theta[time_index, k], origin="lower", extent=extent, cmap="YlGnBu")
    fig.colorbar(im, ax=ax, label=f"theta at {result.z_m[k]:.2f} m (-)")
    ax.set_title(f"t = {result.times_s[time_index] / 3600:g} h")
    ax.set_aspect("equal")
    _save(fig, path)
    return fig
