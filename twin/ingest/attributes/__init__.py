"""Building attributes from data where the data has them, inference before defaults, provenance.

Modules, in the order a building goes through them:

:mod:`~twin.ingest.attributes.tags`
    raw values per attribute from a file's columns (the first key holding a value in each row)
    and the use from the building's own tags and name;
:mod:`~twin.ingest.attributes.years`
    construction years from ``start_date``-like text;
:mod:`~twin.ingest.attributes.checks`
    values not usable as given: ignored with a note per building;
:mod:`~twin.ingest.attributes.precedence`
    the order every building reader shares: a value the user gives (an overrides row), then
    the file's, then what is derived (GIS / OSM, CityJSON and IFC readers);
:mod:`~twin.ingest.attributes.form`
    height and storeys from each other, from neighbours, or a default band;
:mod:`~twin.ingest.attributes.complete`
    every attribute of one file's buildings with its source and rule;
:mod:`~twin.ingest.attributes.context`
    in a scene: POIs, land use and party-wall neighbours;
:mod:`~twin.ingest.attributes.sources`
    source and rule columns, legacy flags.

Shares of floor area per source and rule counts (``twin info``, the docs) are in
:mod:`twin.scene.provenance`.

The rules and their evidence are documented in ``docs/stock_attributes.md``.

Entry points: :func:`twin.ingest.attributes.complete.complete` (one file's buildings) and
:func:`twin.ingest.attributes.context.refine_scene` (a scene); the submodules are imported by
name (nothing is re-exported here, so ``twin.ingest.attributes.complete`` stays the module).
"""
