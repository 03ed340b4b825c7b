"""The spatial scene graph (see :class:`twin.scene.Scene`)."""

from twin.scene.scene import DEFAULT_CRS, Scene
from twin.scene.schema import BOUNDARY_KINDS, ELEMENT_KINDS, LAYERS

__all__ = ["BOUNDARY_KINDS", "DEFAULT_CRS", "ELEMENT_KINDS", "LAYERS", "Scene"]
