"""The district-year spec of ``twin soil year SPEC.yaml``: a scene, a weather file and options.

.. code-block:: yaml

    name: Saint-Gilles, a year
    scene:                      # files read with twin.ingest (relative to the spec)
      - ../data_samples/stgilles_buildings_osm2013.geojson
      - ../data_samples/stgilles_landcover_osm2013.geojson
      - ../data_samples/stgilles_streets_osm2013.geojson
    weather: ../data_samples/BEL_VLG_Uccle.064470_TMYx.2007-2021.epw
    water_table_map: wt.geojson # optional: polygons with water_table_depth_m
    catchments: sewers.geojson  # optional: polygons with capacity_m3_s (else the streets)
    options:                    # twin.soil.year.YearOptions
      grid: {cell_size_m: 10}
      spinup_days: 365
      water_table: {default_depth_m: 3}
      sewer: {outlet_capacity_mm_h: 1.0}
      green_infrastructure:
        - {kind: bioretention, landcover_classes: [parking], area_share: 0.1}

Table paths inside ``options`` (``vegetation_table``, ``landcover_table``,
``sewer.street_classes_table``) are relative to the spec too. Unknown keys and bad values are
errors naming the file and the key path.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from twin.errors import InputError
from twin.io.key_hints import error_to_report, hint_for_error
from twin.soil.year import YearOptions


class YearSpec(BaseModel):
    """See the module docstring."""

    model_config = ConfigDict(extra="forbid")

    name: str = "district year"
    scene: list[str] = Field(min_length=1, max_length=100)
    weather: str
    water_table_map: str | None = None
    catchments: str | None = None
    options: dict = Field(default_factory=dict)


def load_year_spec(path: str | Path) -> tuple[YearSpec, YearOptions]:
    """Read and validate a year spec; relative paths are resolved against the spec's folder.

    Raises
    ------
    InputError
        Not a ``.yaml``/``.yml`` file (the check of ``twin soil year``), unreadable YAML, an
        unknown key or a bad value (the key path named).
    """
    from twin.io.paths import check_input_file
    from twin.io.yaml_file import read_yaml_mapping

    path = check_input_file(path, suffixes=(".yaml", ".yml"), what="soil year spec")  # as twin soil year checks it
    raw = read_yaml_mapping(path, "soil year spec")
    try:
        spec = YearSpec.model_validate(raw)
    except ValidationError as exc:
        err = error_to_report(exc.errors())
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            hint = hint_for_error(YearSpec, err["loc"])
            if len(err["loc"]) == 1 and key in YearOptions.model_fields:  # an option written at the top level
                hint = f" (did you mean 'options.{key}'? the options go under 'options:')"
            raise InputError(f"unknown key {key!r}{hint}", path=path, field=key) from None
        raise InputError(err["msg"], path=path, field=key or None) from None
    base = path.parent
    opts_raw = dict(spec.options)
    for key in ("vegetation_table", "landcover_table"):
        if isinstance(opts_raw.get(key), str):
            opts_raw[key] = str(base / opts_raw[key])
    sewer = opts_raw.get("sewer")
    if isinstance(sewer, dict) and isinstance(sewer.get("street_classes_table"), str):
        opts_raw["sewer"] = {**sewer, "street_classes_table": str(base / sewer["street_classes_table"])}
    options = YearOptions.parse(opts_raw, path=path, key_prefix="options.")
    try:  # the checks run_district_year makes again, here before the scene is read
        options.water_table.checked(path=path)
        options.sewer.checked(path=path)
    except InputError as exc:
        raise InputError(exc.message, path=path, field=f"options.{exc.field}") from None
    spec = spec.model_copy(update={
        "scene": [str(base / f) for f in spec.scene],
        "weather": str(base / spec.weather),
        "water_table_map": None if spec.water_table_map is None else str(base / spec.water_table_map),
        "catchments": None if spec.catchments is None else str(base / spec.catchments),
    })
    return spec, options
