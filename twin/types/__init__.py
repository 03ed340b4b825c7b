"""Plain data types shared by several layers (scene, ingest, the engines, calibration).

Modules here import nothing else of twin, so any layer can use them without importing the layer
that produces them (the scene reads a :class:`~twin.types.weather.Weather` without importing
:mod:`twin.ingest`, which itself imports :mod:`twin.scene`).
"""
