"""The report's PNGs (report._png) are cropped to a tight box computed once, without the layout
draw savefig's bbox_inches="tight" makes first; the bytes are those of bbox_inches="tight"."""

from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PolyCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from twin.scenario.report import _png


def map_figure() -> Figure:
    """Like the report's maps: cells, a colour bar, a legend, a note beside a point, no ticks."""
    rng = np.random.default_rng(4)
    fig = Figure(figsize=(6.4, 6.0))
    ax = fig.subplots()
    xy = rng.random((300, 2)) * 900 + (148_000, 168_000)
    cells = xy[:, None, :] + np.array([[0, 0], [20, 0], [20, 20], [0, 20]])
    norm = TwoSlopeNorm(0.0, -3.0, 5.0)
    ax.add_collection(PolyCollection(cells, array=rng.normal(size=300), cmap="RdBu_r", norm=norm), autolim=True)
    ax.autoscale_view()
    ax.annotate("closed: Parvis Saint-Gilles", (xy[0, 0], xy[0, 1]), xytext=(12, -18), textcoords="offset points", fontsize=7.5,
                arrowprops={"arrowstyle": "-"})
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("renovation-wave: heating need change per building, kWh/yr")
    fig.colorbar(ScalarMappable(norm=norm, cmap="RdBu_r"), ax=ax, shrink=0.7, extend="both", label="change, kWh/yr")
    ax.legend(handles=[Line2D([], [], color="k", label="closed street")], loc="lower left", fontsize=8, framealpha=0.9)
    return fig


def series_figure() -> Figure:
    """Like the report's time series: stacked panels sharing x, legends placed 'best', large values
    (an offset text on the y axis) and rotated dates."""
    fig = Figure(figsize=(7.5, 5.2))
    axes = fig.subplots(2, 1, sharex=True)
    t = np.arange(365)
    for k, ax in enumerate(axes):
        ax.plot(t, 1e6 * (3 + np.sin(t / 58.0 + k)), label="baseline")
        ax.fill_between(t, 1e6 * (2.5 + np.sin(t / 58.0)), 1e6 * (3.5 + np.sin(t / 58.0)), alpha=0.3, label="band")
        ax.set_ylabel("heat, kWh/day")
        ax.legend(fontsize=8, loc="best")
    axes[-1].set_xticks(t[:360:60], [f"2026-{m:02d}-01" for m in range(1, 13, 2)], rotation=30, ha="right")
    return fig


def tight(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    return buf.getvalue()


def test_png_bytes_are_those_of_bbox_inches_tight():
    for build in (map_figure, series_figure):
        got = base64.b64decode(_png(build()).split(",", 1)[1])
        assert got == tight(build()), build.__name__


def test_a_figure_with_a_layout_engine_is_saved_as_before():
    fig, ref = series_figure(), series_figure()
    fig.set_layout_engine("constrained")
    ref.set_layout_engine("constrained")
    assert base64.b64decode(_png(fig).split(",", 1)[1]) == tight(ref)
