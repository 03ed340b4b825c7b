"""Soil engine: soil water, runoff from sealed surfaces, screening methods and soil heat.

Modules
-------
curve_number   SCS Curve Number runoff (screening; used by the scenario runner's soil adapter)

The Richards solver, Green-Ampt, soil heat, the column spec and the district grid of issue 5
are being built and are not part of the package yet.
"""
