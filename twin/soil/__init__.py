"""Soil engine: unsaturated soil water (Richards) over a city grid, runoff from sealed surfaces,
screening methods (Green-Ampt, SCS Curve Number) and soil heat.

Modules
-------
hydraulics     retention and conductivity models, texture tables (Carsel & Parrish 1988)
solver         the Richards kernel's Python side: profiles, forcing, options, results
column         single-column YAML spec (``twin soil column SPEC.yaml``)
screening      Green-Ampt infiltration (ponded and under rain); SCS Curve Number
curve_number   SCS Curve Number runoff (TR-55 tables; used by the scenario runner's soil adapter)
heat           1-D soil heat conduction, thermal properties (Johansen, de Vries)
rain           rain series from weather files, design storms
grid           soil grid from the scene (cells, sealing, layers)
district       city-scale run: per-cell water balance, theta(x, y, z, t) as xarray
et             FAO-56 Penman-Monteith reference evapotranspiration, daily and hourly
vegetation     crop coefficients, leaf area, interception, partition of the demand (tables)
roots          Feddes water-stress parameters, root-density profiles
groundwater    water table per cell (map or default), columns down to it
sewer          sewer catchments, capacities, routing, overflow events
green_infra    bioretention cells, infiltration trenches, permeable paving
year           a district through a year: run_district_year, KPIs, balance
year_spec      the spec of ``twin soil year``
plots          profiles, runoff maps, moisture slices (matplotlib, imported lazily)
"""
