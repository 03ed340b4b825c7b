"""2-D maps of scene layers with matplotlib."""

from __future__ import annotations


def plot_scene(scene, *, column: str | None = "height_m", ax=None, legend: bool = True):
    """Map of buildings (coloured by ``column``), streets, land cover and points of interest.

    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    if len(scene.landcover):
        scene.landcover.plot(ax=ax, color="#cde5c4", edgecolor="none", alpha=0.7)
    if len(scene.buildings):
        if column:
            scene.buildings.plot(ax=ax, column=column, cmap="viridis", legend=legend, legend_kwds={"label": column, "shrink": 0.6})
        else:
            scene.buildings.plot(ax=ax, color="#999999")
    if len(scene.links):
        scene.links.plot(ax=ax, color="#333333", linewidth=0.8)
    if len(scene.pois):
        scene.pois.plot(ax=ax, color="crimson", markersize=8)
    ax.set_title(scene.name)
    ax.set_xlabel(f"x, m ({scene.crs.to_string()})")
    ax.set_ylabel("y, m")
    ax.set_aspect("equal")
    return ax
