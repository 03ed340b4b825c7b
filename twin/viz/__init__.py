"""Maps and 3-D views of a scene (matplotlib and pyvista, imported lazily)."""

from twin.viz.maps import plot_scene
from twin.viz.three_d import buildings_mesh, render_buildings

__all__ = ["buildings_mesh", "plot_scene", "render_buildings"]
