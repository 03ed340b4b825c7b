"""Urban solar: irradiance on every roof, facade and ground point of a 3-D scene, PV yield, the
solar cadastre, and the urban shading factors of the energy model.

Modules (nothing is re-exported; import from the module):

* :mod:`twin.solar.surfaces`, :mod:`twin.solar.footprints`, :mod:`twin.solar.cityjson_surfaces`:
  planar surfaces and triangles from footprints (with roof shapes) or CityJSON LoD1/LoD2;
* :mod:`twin.solar.grid`: the ray-casting grid (:mod:`twin.kernels.solar_grid`);
* :mod:`twin.solar.sky`, :mod:`twin.solar.sensors`, :mod:`twin.solar.irradiance`: Perez sky,
  sensor grids, annual irradiation with shading and sky view;
* :mod:`twin.solar.pv`: PV yield (PVWatts-type), layout, cost and payback;
* :mod:`twin.solar.cadastre`: the solar cadastre of a scene, GeoParquet output;
* :mod:`twin.solar.shading`: monthly shading factors for the energy stock model.

Method, validation and limits: ``docs/solar.md``.
"""
