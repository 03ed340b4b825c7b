"""The scenario file: inputs, a baseline, what-if modifications, engines, KPIs, uncertainty.

YAML is read with ``yaml.safe_load`` (no tags, no Python objects), a ``.json`` file with the
JSON parser (:mod:`twin.scenario.scenario_file`), and validated by pydantic
models that forbid unknown keys and non-finite numbers. Every problem becomes a
:class:`~twin.errors.ScenarioError` naming the file and the key path
(``whatifs.0.modifications.1.measures``). :func:`json_schema` exports the schema for editors
(``twin scenario schema``).

What the schema checks on its own (no scene needed): types, ranges and the bounds below,
measure names (against the energy measures table ``twin/data/energy_measures.csv``), sampled
parameter names (numeric engine options), distributions that fit the bounds of the option they
set, ``samples`` with something to sample (parameters or priors) and parameters with samples,
the prior table merged with the scenario's ``priors``, percentiles, the seed, the nesting depth
and size of the file. Checks that need the scene (a selection that matches nothing, a modification
without effect) are in :mod:`twin.scenario.checks` and :mod:`twin.scenario.modifications`.

Bounds (documented limits; beyond them a number is refused, not clipped)
-----------------------------------------------------------------------
``scale_demand.factor``
    :data:`MIN_DEMAND_FACTOR` to :data:`MAX_DEMAND_FACTOR` (0.01-100): two orders of magnitude
    either way covers every planning question (growth, car-free days); beyond it the peak-hour
    demand model means nothing and BPR travel times (``(v/c)^4``) overflow. Several
    ``scale_demand`` of one what-if multiply; their product obeys the same bounds.
``change_streets``
    ``lanes`` 1-:data:`MAX_LANES`, ``capacity_factor`` 0.01-100, ``free_speed_m_s`` up to
    :data:`MAX_FREE_SPEED_M_S` (60 m/s = 216 km/h, above any posted limit); both bounds are
    :mod:`twin.street_limits`', shared with the street ingest and the traffic what-ifs.
``uncertainty``
    ``samples`` 0-:data:`MAX_SAMPLES` (with something to sample: parameters, the priors, or the
    traffic engine's own model parameters); ``seed`` a whole number in [0, 2**63 - 1] (it is stored
    as a SQLite INTEGER); ``percentiles`` ``0 <= lo < hi <= 100``; ``priors`` ``true``,
    ``false`` or a mapping merged onto the prior table and checked like it
    (:func:`twin.energy.priors.load_priors`). The total number of engine runs is limited
    separately (:mod:`twin.scenario.checks`).
``soil``
    ``cell_size_m`` 1-100 m, ``storm_mm`` up to 2,000 mm (above the 24-hour world record,
    1,825 mm at Foc-Foc, La Reunion, 1966), ``hours`` up to :data:`MAX_SOIL_HOURS` (720 h: the
    engine models a storm event without evaporation; longer periods need a water-balance model
    with evaporation). ``method: year`` (a year under the weather file): ``spinup_days`` 0-3,650,
    ``water_table_depth_m`` in (0, 100] (at or above the surface is refused), ``max_column_depth_m``
    0.3-100, ``sewer_outlet_capacity_mm_h`` in (0, 1,000] (zero is refused: every storm would
    overflow), ``kc_scale`` in (0, 2], ``samples`` 1-:data:`MAX_SOIL_YEAR_SAMPLES`; the storm options
    are refused with ``year`` and the year options with the storm methods.
``traffic``
    ``zone_size_m`` 25-5,000 m (below 25 m a zone is a building or less and the zone-to-zone
    skims of a 1 km district grow past 1,600 x 1,600 per mode; the engine also refuses more
    than :data:`twin.scenario.engines.traffic.MAX_ZONES` occupied zones), ``minutes`` up to 120
    (the access indicator's threshold),
    ``feedback`` 1-50 iterations, ``gap`` in (0, 0.1], ``evaporation_elasticity`` 0-1 (1: trip
    making as elastic as a logit choice of whether to travel with the destination choice's
    scale; the documented band is 0-0.6), ``gtfs_date`` a real calendar date ``YYYYMMDD`` and
    only with a ``gtfs`` feed, ``access_categories`` known to
    ``twin/data/mobility_poi_categories.csv``, ``periods`` among ``am_peak`` and ``off_peak``.
file
    at most :data:`MAX_SCENARIO_BYTES` bytes, nested at most :data:`MAX_NESTING_DEPTH` levels,
    at most :data:`MAX_YAML_VALUES` values once aliases are expanded.

Example
-------
.. code-block:: yaml

    name: stgilles-default
    inputs:
      files: [../data_samples/stgilles_buildings_osm2013.geojson]
      weather: ../data_samples/BEL_VLG_Uccle.064470_TMYx.2007-2021.epw
    domains: [energy, traffic, soil]
    whatifs:
      - name: renovation-wave
        modifications:
          - op: renovate
            select: {where: {use: residential}}
            measures: [wall_insulation, roof_insulation]
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator, model_validator

from twin.errors import ScenarioError
from twin.io.input_limits import MAX_SCENARIO_BYTES as MAX_SCENARIO_BYTES  # re-exported (twin.scenario.batch)
from twin.street_limits import MAX_FREE_SPEED_M_S, MAX_LANES

Domain = Literal["energy", "traffic", "soil"]

#: Bounds of ``scale_demand.factor`` (and of the product of a what-if's factors).
MIN_DEMAND_FACTOR = 0.01
MAX_DEMAND_FACTOR = 100.0
#: Bounds of ``change_streets``.
MIN_CAPACITY_FACTOR = 0.01
MAX_CAPACITY_FACTOR = 100.0
# MAX_LANES, MAX_FREE_SPEED_M_S: twin.street_limits (shared with the ingest and the traffic what-ifs)
#: Monte Carlo: the most samples a scenario may ask for, and the largest seed (SQLite INTEGER).
MAX_SAMPLES = 10_000
MAX_SEED = 2**63 - 1
#: Soil: the longest simulated period, h (a storm event; no evaporation is modelled).
MAX_SOIL_HOURS = 720.0
#: The scenario file: size, nesting depth and values after alias expansion.
# MAX_SCENARIO_BYTES: twin.io.input_limits (light: the command line checks the file before importing pydantic)
MAX_NESTING_DEPTH = 32
MAX_YAML_VALUES = 1_000_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _ordered_box(v: list[float] | None, key: str) -> list[float] | None:
    """``v`` unchanged when None or a box ``[xmin, ymin, xmax, ymax]`` with xmin < xmax and ymin < ymax.

    Raises
    ------
    ValueError
        Naming ``key`` (the scenario key of the box).
    """
    if v is not None and (v[0] >= v[2] or v[1] >= v[3]):
        raise ValueError(f"{key} must be [xmin, ymin, xmax, ymax] with xmin < xmax and ymin < ymax")
    return v


def _listed_once(v: list, what: str) -> list:
    """``v`` unchanged when no item stands in it twice.

    Raises
    ------
    ValueError
        ``"<what> is listed twice"`` (``what``: ``"a mode"``, ``"an engine"``...).
    """
    if len(set(v)) != len(v):
        raise ValueError(f"{what} is listed twice")
    return v


def _known_once(v: list[str], known: Sequence[str], unknown: str, twice: str) -> list[str]:
    """``v`` unchanged when each item is one of ``known`` and none stands in it twice.

    Raises
    ------
    ValueError
        ``"<unknown> 'x'; did you mean 'y'? (known: a, b)"`` for the first unknown item
        (``unknown``: ``"unknown measure"``...), else ``twice`` with ``{}`` replaced by the
        first repeated item (sorted), quoted.
    """
    for name in v:
        if name not in known:
            raise ValueError(f"{unknown} {name!r}{_suggest(name, known)} (known: {', '.join(known)})")
    dup = sorted({name for name in v if v.count(name) > 1})
    if dup:
        raise ValueError(twice.format(repr(dup[0])))
    return v


class KeyRuleError(ValueError):
    """A section's rule broken by one of its keys (a key that needs or excludes another): the error's
    field is the section's key path plus ``key`` (``traffic.signal_split``), the key to change, not
    the section (:func:`parse_scenario`)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def _suggest(word: str, choices) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices`` (:func:`twin.io.key_hints.closest_key`), or ``""``."""
    from twin.io.key_hints import did_you_mean

    return did_you_mean(word, [str(c) for c in choices], parenthesised=False)


class Range(Strict):
    """An inclusive numeric range for a selector column (at least one of ``min``, ``max``)."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.min is None and self.max is None:
            raise ValueError("a range needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"range min {self.min:g} is above max {self.max:g}")
        return self


Scalar = str | int | float | bool


def _where_value(column: str, value: Any):
    """One ``where`` condition checked by hand (pydantic's union errors are unreadable)."""
    if isinstance(value, dict):
        try:
            return Range.model_validate(value)
        except ValidationError as exc:
            from twin.io.key_hints import hint_for_error

            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            msg = (f"unknown key {first['loc'][-1]!r}{hint_for_error(Range, first['loc'])} (a range has min and max)"
                   if first["type"] == "extra_forbidden" else _clean(first["msg"]))
            raise ValueError(f"where.{column}{'.' + where if where else ''}: {msg}") from None
    if isinstance(value, list):
        if not value:
            raise ValueError(f"where.{column}: an empty list matches nothing")
        return [_where_value(column, v) if not isinstance(v, (dict, list)) else _bad_where(column, v) for v in value]
    if value is None:
        raise ValueError(f"where.{column}: give a value, a list of values or {{min, max}} (null matches nothing; "
                         "to select missing values is not supported)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"where.{column}: {value} is not a finite number")
    if isinstance(value, (str, int, float, bool)):
        return value
    return _bad_where(column, value)


def _bad_where(column: str, value: Any):
    raise ValueError(f"where.{column}: {type(value).__name__} values are not allowed (a value, a list of values or {{min, max}})")


class Selector(Strict):
    """Which objects of a layer a modification applies to (all conditions must hold).

    ``ids``: explicit ids; ``where``: column -> value, list of values, or {min, max} (on the
    ``name`` of streets a value matches the whole bilingual Brussels name or either of its
    halves: ``Parvis Saint-Gilles`` and ``Sint-Gillis Voorplein`` both match
    ``Parvis Saint-Gilles - Sint-Gillis Voorplein``); ``within``: [xmin, ymin, xmax, ymax] in the
    scene CRS (objects intersecting the box); ``fraction``: a seeded random share of the
    selected objects (e.g. 0.3 for a 30 % wave). A selection that matches nothing is an error.
    """

    ids: list[Annotated[str, Field(min_length=1)]] | None = Field(default=None, min_length=1)
    where: dict[str, Scalar | list[Scalar] | Range] = Field(default_factory=dict)
    within: tuple[float, float, float, float] | None = None
    fraction: float | None = Field(default=None, gt=0.0, le=1.0)

    @field_validator("where", mode="before")
    @classmethod
    def _where(cls, v):
        if not isinstance(v, dict):
            raise ValueError("where must be a mapping of column -> condition")
        return {str(k): _where_value(str(k), val) for k, val in v.items()}

    @field_validator("ids")
    @classmethod
    def _ids_once(cls, v):
        seen: set[str] = set()
        for i in v or ():
            if i in seen:
                raise ValueError(f"id {i!r} listed twice (a slip for another id?)")
            seen.add(i)
        return v

    @field_validator("within")
    @classmethod
    def _box(cls, v):
        return _ordered_box(v, "within")


@functools.lru_cache(maxsize=1)
def known_measures() -> tuple[str, ...]:
    """Measure names of the packaged energy measures table (``twin/data/energy_measures.csv``)."""
    from twin.energy.measures import load_measures

    return tuple(str(m) for m in load_measures().index)


class Renovate(Strict):
    """Apply renovation measures (names from the energy measures table) to selected buildings."""

    op: Literal["renovate"]
    select: Selector = Selector()
    measures: list[str] = Field(min_length=1)

    @field_validator("measures")
    @classmethod
    def _known(cls, v):
        return _known_once(v, known_measures(), "unknown measure", "measure {} listed twice (it would be applied twice)")


class CloseStreets(Strict):
    """Close selected street links to the given modes (cars, trucks and buses by default)."""

    op: Literal["close_streets"]
    select: Selector
    modes: list[Literal["car", "bike", "walk", "bus", "truck"]] = Field(default_factory=lambda: ["car", "truck", "bus"], min_length=1)

    @field_validator("modes")
    @classmethod
    def _unique(cls, v):
        return _listed_once(v, "a mode")


class ChangeStreets(Strict):
    """Change lanes, capacity or free speed of selected links (bounds in the module docstring)."""

    op: Literal["change_streets"]
    select: Selector
    lanes: int | None = Field(default=None, ge=1, le=MAX_LANES)
    capacity_factor: float | None = Field(default=None, ge=MIN_CAPACITY_FACTOR, le=MAX_CAPACITY_FACTOR)
    free_speed_m_s: float | None = Field(default=None, gt=0.0, le=MAX_FREE_SPEED_M_S)

    @model_validator(mode="after")
    def _something(self):
        if self.lanes is None and self.capacity_factor is None and self.free_speed_m_s is None:
            raise ValueError("give at least one of lanes, capacity_factor, free_speed_m_s")
        return self


class ScaleDemand(Strict):
    """Scale the travel demand by a factor (:data:`MIN_DEMAND_FACTOR` to :data:`MAX_DEMAND_FACTOR`)."""

    op: Literal["scale_demand"]
    factor: float = Field(ge=MIN_DEMAND_FACTOR, le=MAX_DEMAND_FACTOR)


class Deseal(Strict):
    """Set the sealed fraction of selected land-cover polygons (de-sealing, permeable paving).

    The new fraction must not be above the current one of any selected polygon (that would
    seal, the opposite of the operation's name).
    """

    op: Literal["deseal"]
    select: Selector
    sealed_fraction: float = Field(ge=0.0, le=1.0)
    cover_class: str | None = Field(default=None, min_length=1)


class GreenRoofs(Strict):
    """Green roofs on selected buildings: a share of their roof retains rain (soil engine)."""

    op: Literal["green_roofs"]
    select: Selector = Selector()
    share: float = Field(default=1.0, gt=0.0, le=1.0)


class InsertBuilding(Strict):
    """Insert an IFC building (a permit application) at a location of the scene."""

    op: Literal["insert_building"]
    ifc: str = Field(min_length=1)
    origin_xy: tuple[float, float]
    rotation_deg: float = Field(default=0.0, ge=-360.0, le=360.0)
    replace_within_m: float | None = Field(default=None, ge=0.0, le=1000.0)


#: Soil, method ``year``: the kinds of green infrastructure (:mod:`twin.soil.green_infra`).
GreenInfraKind = Literal["bioretention", "infiltration_trench", "permeable_paving"]


class SoilGreenInfrastructure(Strict):
    """Green infrastructure of the ``year`` method (:class:`twin.soil.green_infra.GreenInfrastructure`):
    ``area_share`` of the sealed (not roof, not street) area of the cells of ``landcover_classes``
    becomes the infrastructure, draining ``loading_ratio`` m2 of sealed surface per m2."""

    kind: GreenInfraKind
    landcover_classes: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    area_share: float = Field(gt=0.0, le=1.0)
    loading_ratio: float | None = Field(default=None, ge=0.0, le=100.0)
    ponding_depth_m: float | None = Field(default=None, ge=0.0, le=1.0)
    media_depth_m: float | None = Field(default=None, gt=0.0, le=3.0)


class AddGreenInfrastructure(SoilGreenInfrastructure):
    """Green infrastructure for the soil engine's ``year`` method (bioretention cells,
    infiltration trenches, permeable paving; :mod:`twin.soil.green_infra`) on ``area_share`` of
    the sealed area of the cells of ``landcover_classes``, added to the scenario's own
    ``soil.green_infrastructure``."""

    op: Literal["green_infrastructure"]


class RemovePois(Strict):
    """Remove selected points of interest (a shop, a post office, a school mapped as a point
    closes): the traffic engine's trip ends and 15-minute access follow. The selection is on the
    ``pois`` layer (``category``, ``name``, ``poi_id``...); it has no default, so every POI is
    never removed by accident."""

    op: Literal["remove_pois"]
    select: Selector


Modification = Annotated[
    Renovate | CloseStreets | ChangeStreets | ScaleDemand | Deseal | GreenRoofs | InsertBuilding | RemovePois | AddGreenInfrastructure,
    Field(discriminator="op"),
]

OPS = ("renovate", "close_streets", "change_streets", "scale_demand", "deseal", "green_roofs", "insert_building", "remove_pois",
       "green_infrastructure")


class WhatIf(Strict):
    """A named set of modifications, compared with the baseline."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    modifications: list[Modification] = Field(min_length=1)


def _check_crs(v: str | None, *, projected: bool = False) -> str | None:
    """``v`` if pyproj knows it (and, with ``projected``, it is projected in metres: the scene CRS)."""
    if v is None:
        return v
    from pyproj import CRS
    from pyproj.exceptions import CRSError as PyprojCRSError

    try:
        crs = CRS.from_user_input(v)
    except PyprojCRSError:
        raise ValueError(f"unknown coordinate reference system {v!r} (e.g. EPSG:31370)") from None
    if projected and not (crs.is_projected and crs.axis_info[0].unit_name in ("metre", "meter")):
        raise ValueError(f"the scene CRS must be projected in metres, not {v!r} (e.g. EPSG:31370)")
    return v


class Inputs(Strict):
    """Scene sources, relative to the scenario file (and confined to its folder: see
    :mod:`twin.scenario.inputs`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True)  # docstrings -> schema
    files: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    sites: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    """Polygon files of the district(s): every building gets the ``site_id`` of its site; the
    soil grid covers their bounding box."""
    clip_to_sites: bool = False
    """Cut the OSM files of ``files`` (a region's ``.osm.pbf``) to the sites: whole buildings whose
    centroid is in a site, street lines cut at its edge, land-cover polygons and POIs touching one
    (:func:`twin.ingest.ingest`); other files are read whole."""
    weather: str | None = Field(default=None, min_length=1)
    calibration: str | None = Field(default=None, min_length=1)
    """A calibration table written by ``twin calibrate`` (``calibration.parquet``): its
    calibrated parameters are applied to the baseline scene and carried by every what-if."""
    crs: str = "EPSG:31370"
    source_crs: str | None = None

    @field_validator("crs", "source_crs")
    @classmethod
    def _crs(cls, v, info):
        return _check_crs(v, projected=info.field_name == "crs")

    @model_validator(mode="after")
    def _clip_needs_sites(self):
        if self.clip_to_sites and not self.sites:
            raise ValueError("clip_to_sites cuts the OSM files to the sites, and no sites file is given: add the district's "
                             "polygon file to inputs.sites")
        return self


class EnergyOptions(Strict):
    heating_setpoint_c: float = Field(default=20.0, ge=5.0, le=30.0)
    cooling_setpoint_c: float | None = Field(default=None, ge=15.0, le=40.0)
    weather: str | None = Field(default=None, min_length=1)
    dhw: Literal["typology", "by_use"] = "typology"  # hot-water need: TABULA per m2, or litres per person by use (twin.energy.hot_water)
    model: Literal["5r1c", "iso52016"] = "5r1c"  # zone model of the stock: ISO 13790 5R1C, or the multi-node model (twin.energy.stock_iso52016)
    # exterior surfaces of the finer model (twin.energy.model.Conventions): fixed film, or hourly
    # DOE-2 convection and long-wave with the wind at each surface (terrain, opaque roughness)
    exterior_convection: Literal["fixed", "doe2"] = "fixed"
    # None: the defaults of twin.energy.model.Conventions (city, medium_rough)
    terrain: Literal["country", "suburbs", "city", "ocean", "urban"] | None = None
    roughness: Literal["very_rough", "rough", "medium_rough", "medium_smooth", "smooth", "very_smooth"] | None = None
    # the temperature the finer model's setpoints apply to (None: Conventions' default, operative)
    control_temperature: Literal["air", "operative"] | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.cooling_setpoint_c is not None and self.cooling_setpoint_c <= self.heating_setpoint_c:
            raise ValueError(f"cooling_setpoint_c ({self.cooling_setpoint_c:g} C) must be above heating_setpoint_c ({self.heating_setpoint_c:g} C)")
        if self.exterior_convection != "fixed" and self.model != "iso52016":
            raise ValueError(f"exterior_convection {self.exterior_convection!r} is read by the finer model only "
                             "(set energy.model: iso52016; with 5r1c it would change nothing)")
        if self.control_temperature is not None and self.model != "iso52016":
            raise ValueError(f"control_temperature {self.control_temperature!r} is read by the finer model only "
                             "(set energy.model: iso52016; the 5r1c model controls its air node)")
        unread = [name for name in ("roughness", "terrain") if getattr(self, name) is not None]
        if unread and self.exterior_convection == "fixed":
            raise ValueError(f"{' and '.join(unread)} {'are' if len(unread) > 1 else 'is'} read by the wind-dependent exterior surfaces only "
                             "(set energy.exterior_convection: doe2; with the fixed films it would change nothing)")
        return self


class TrafficOptions(Strict):
    """Traffic engine: the district mobility model (:func:`twin.traffic.mobility.run_district_mobility`,
    ``docs/traffic.md``) per period, and the 15-minute access indicator.

    Files (``gtfs``: a ``.zip`` feed; ``mode_choice_table``, ``parameters_table``,
    ``targets_table``, ``external_matrix``: ``.csv``) are scenario inputs, relative to the
    scenario file and confined like the others (:mod:`twin.scenario.inputs`). Without a feed,
    ``transit_routes`` (a GeoJSON of OSM route lines and stops, opt-in) gives a schedule-free
    public transport (:mod:`twin.traffic.osm_transit`; headways and speeds from
    ``transit_defaults``, a ``.csv``, default the packaged table); not with ``gtfs``.
    ``evaporation_elasticity`` overrides the parameter table's value (then it is held fixed in
    the Monte Carlo unless ``uncertainty.parameters`` samples it). ``sample_model_parameters``:
    every Monte Carlo sample also draws the mode-choice coefficients, the demand parameters and
    the emission factors from their documented bands (false: only the stock priors and the
    declared ``uncertainty.parameters`` vary). Junction delays on the car network (off by
    default; ``docs/traffic.md``, District mobility): ``signals`` (pretimed signals with the HCM
    delay at the nodes the scene flags as signalised), ``signal_split`` (``equal`` or
    ``capacity``: Webster's rule by street axis; needs ``signals``), ``give_way`` (HCM two-way
    stop control at unsignalised junctions: minor arms of a major road, else priority to the right). ``samples``: the traffic engine runs only the
    first ``samples`` of the scenario's Monte Carlo samples (two mobility runs per sample for a
    closure what-if, about a second on Saint-Gilles); its bands come from those, with their
    Monte Carlo error in the report (default: every sample).
    """

    periods: list[Literal["am_peak", "off_peak"]] = Field(default_factory=lambda: ["am_peak", "off_peak"], min_length=1)
    zone_size_m: float = Field(default=100.0, ge=25.0, le=5000.0)
    gap: float = Field(default=1e-5, gt=0.0, le=0.1)
    feedback: int = Field(default=3, ge=1, le=50)
    minutes: float = Field(default=15.0, gt=0.0, le=120.0)
    access_categories: list[Annotated[str, Field(min_length=1)]] | None = Field(default=None, min_length=1)
    gtfs: str | None = Field(default=None, min_length=1)
    gtfs_date: str | None = Field(default=None, pattern=r"^[0-9]{8}$")
    mode_choice_table: str | None = Field(default=None, min_length=1)
    parameters_table: str | None = Field(default=None, min_length=1)
    targets_table: str | None = Field(default=None, min_length=1)
    external_matrix: str | None = Field(default=None, min_length=1)
    transit_routes: str | None = Field(default=None, min_length=1)
    transit_defaults: str | None = Field(default=None, min_length=1)
    evaporation_elasticity: float | None = Field(default=None, ge=0.0, le=1.0)
    sample_model_parameters: bool = True
    samples: int | None = Field(default=None, ge=1, le=MAX_SAMPLES)
    signals: bool = False
    signal_split: Literal["equal", "capacity"] = "equal"
    give_way: bool = False

    @model_validator(mode="after")
    def _split_needs_signals(self):
        if self.signal_split != "equal" and not self.signals:
            raise KeyRuleError("signal_split", f"signal_split {self.signal_split!r} without signals changes nothing: set signals: true, or leave signal_split out")
        return self

    @field_validator("periods")
    @classmethod
    def _unique_periods(cls, v):
        return _listed_once(v, "a period")

    @field_validator("access_categories")
    @classmethod
    def _known_categories(cls, v):
        if v is None:
            return v
        from twin.traffic.indicators import category_sources

        return _known_once(v, sorted(category_sources()), "unknown service category", "category {} listed twice")

    @field_validator("gtfs_date")
    @classmethod
    def _real_date(cls, v):
        if v is None:
            return v
        import datetime as dt

        try:
            dt.datetime.strptime(v, "%Y%m%d")
        except ValueError:
            raise ValueError(f"gtfs_date {v!r} is not a calendar date (YYYYMMDD)") from None
        return v

    @model_validator(mode="after")
    def _date_needs_feed(self):
        if self.gtfs_date is not None and self.gtfs is None:
            raise KeyRuleError("gtfs_date", "gtfs_date is set but there is no gtfs feed (add traffic.gtfs or remove gtfs_date)")
        return self

    @property
    def models_public_transport(self) -> bool:
        """Whether public transport is modelled: a timetable (``gtfs``) or the map's routes
        (``transit_routes``) is given. The one rule for the engine's modes and the report."""
        return bool(self.gtfs or self.transit_routes)

    @model_validator(mode="after")
    def _transit_routes_alone(self):
        if self.transit_routes is not None and self.gtfs is not None:
            raise KeyRuleError("transit_routes", "give either traffic.gtfs (a timetable) or traffic.transit_routes (OSM routes without one), not both")
        if self.transit_defaults is not None and self.transit_routes is None:
            raise KeyRuleError("transit_defaults", "transit_defaults is set but there is no transit_routes file (add traffic.transit_routes or remove transit_defaults)")
        return self


#: Options of ``soil`` that only the ``year`` method reads, and those only the storm methods read
#: (``cell_size_m`` and ``bounds`` serve every method).
SOIL_YEAR_OPTIONS = ("spinup_days", "water_table_depth_m", "max_column_depth_m", "sewer_outlet_capacity_mm_h",
                     "sewer_storage_share", "sewer_tank_m3", "inter_event_hours", "kc_scale", "green_infrastructure", "samples",
                     "sample_cell_size_m", "sample_spinup_days", "priors")
SOIL_STORM_OPTIONS = ("storm_mm", "storm_hours", "hours", "block")
#: Soil, method ``year``: the most Monte Carlo samples (each is a year of every distinct column).
MAX_SOIL_YEAR_SAMPLES = 100


class SoilOptions(Strict):
    """Soil engine: a block design storm (``storm_mm`` evenly over ``storm_hours``, then dry up to
    ``hours``) on the district's soil grid, solved by ``richards`` (Richards equation per column)
    or screened by ``scs_cn`` (SCS Curve Number); or ``year``: a year of soil water under the
    scenario's weather file with evapotranspiration, roots, a water table and sewers
    (:func:`twin.soil.year.run_district_year`; the options in ``SOIL_YEAR_OPTIONS``, see
    docs/scenarios.md "Soil: a year"). With ``richards`` and Monte Carlo samples, every sample draws the
    soil hydraulics of each texture from the Carsel & Parrish (1988) spreads times
    ``hydraulics_spread`` (0: not sampled; :mod:`twin.scenario.engines.soil_storm_samples`);
    ``initial_head_m`` is the columns' uniform pressure head when the storm starts (-1 m, an
    assumption: sample it with ``uncertainty.parameters``). ``texture`` is the soil where the
    scene has no soil polygon; left out, the central run takes the mode of a prior (silt loam)
    and, with ``richards`` or ``scs_cn``, every sample draws it from that prior (``texture_shares``, default
    ``twin/data/soil_texture_prior.yaml``; :mod:`twin.scenario.engines.soil_texture_prior`)."""

    method: Literal["richards", "scs_cn", "year"] = "richards"
    cell_size_m: float = Field(default=10.0, ge=1.0, le=100.0)
    storm_mm: float = Field(default=30.0, ge=0.0, le=2000.0)
    storm_hours: float = Field(default=1.0, gt=0.0, le=MAX_SOIL_HOURS)
    hours: float = Field(default=24.0, gt=0.0, le=MAX_SOIL_HOURS)
    # ---- method: year
    bounds: tuple[float, float, float, float] | None = None
    spinup_days: int = Field(default=365, ge=0, le=3650)
    water_table_depth_m: float = Field(default=3.0, le=100.0)
    max_column_depth_m: float = Field(default=5.0, gt=0.3, le=100.0)
    sewer_outlet_capacity_mm_h: float = Field(default=1.0, le=1000.0)
    sewer_storage_share: float = Field(default=0.5, ge=0.0, le=1.0)
    sewer_tank_m3: float = Field(default=0.0, ge=0.0, le=1e9)
    inter_event_hours: float = Field(default=6.0, gt=0.0, le=720.0)
    kc_scale: float = Field(default=1.0, gt=0.0, le=2.0)
    green_infrastructure: list[SoilGreenInfrastructure] = Field(default_factory=list)
    samples: int | None = Field(default=None, ge=1, le=MAX_SOIL_YEAR_SAMPLES)
    sample_cell_size_m: float | None = Field(default=None, ge=1.0, le=100.0)
    sample_spinup_days: int | None = Field(default=None, ge=0, le=3650)
    priors: dict[str, Any] | None = None
    # ---- storm methods: a 3-D block around the what-if's changed cells, bands from the soil hydraulics
    block: dict[str, Any] | None = None
    # ---- method richards: Monte Carlo of the soil hydraulics (twin/scenario/engines/soil_storm_samples.py)
    hydraulics_spread: float = Field(default=1.0, ge=0.0, le=3.0)
    # ---- method richards: the soil columns' pressure head when the storm starts (antecedent wetness), m
    initial_head_m: float = Field(default=-1.0, ge=-100.0, lt=0.0)
    # ---- the texture of the ground where the scene has no soil polygon; None: the prior's mode, and with
    # richards or scs_cn a prior sampled per Monte Carlo sample (twin/scenario/engines/soil_texture_prior.py)
    texture: str | None = None
    texture_shares: dict[str, float] | None = None

    @field_validator("texture")
    @classmethod
    def _texture(cls, v):
        if v is None:
            return v
        from twin.soil.hydraulics import CARSEL_PARRISH_1988, _norm

        for name in CARSEL_PARRISH_1988:
            if _norm(name) == _norm(v):
                return name
        raise ValueError(f"unknown soil texture {v!r} (known: {', '.join(CARSEL_PARRISH_1988)})")

    @field_validator("texture_shares", mode="before")
    @classmethod
    def _texture_shares(cls, v):
        if v is None:
            return v
        from twin.scenario.engines.soil_texture_prior import parse_shares

        return parse_shares(v)  # raises ValueError naming the texture

    @field_validator("block", mode="before")
    @classmethod
    def _block(cls, v):
        if v is None:
            return v
        from twin.soil.block_bands import parse_block_options

        parse_block_options(v)  # raises ValueError naming the key (twin/soil/block_bands.py)
        return v

    @field_validator("hours")
    @classmethod
    def _after_storm(cls, v, info):
        storm = info.data.get("storm_hours")
        if storm is not None and v < storm:
            raise ValueError(f"the simulated period ({v:g} h) must cover the storm (storm_hours {storm:g} h)")
        return v

    @field_validator("bounds")
    @classmethod
    def _box(cls, v):
        return _ordered_box(v, "bounds")

    @field_validator("water_table_depth_m")
    @classmethod
    def _below_surface(cls, v):
        if v <= 0.0:
            raise ValueError(f"the water table lies at or above the surface (depth {v:g} m); give its depth below the surface (> 0 m)")
        return v

    @field_validator("sewer_outlet_capacity_mm_h")
    @classmethod
    def _capacity(cls, v):
        if v <= 0.0:
            raise ValueError(f"the sewer capacity must be positive, got {v:g} mm/h (every storm would overflow)")
        return v

    @field_validator("priors", mode="before")
    @classmethod
    def _priors(cls, v):
        if v is None:
            return v
        if not isinstance(v, dict):
            raise ValueError(f"priors must be a mapping of prior entries (twin/data/soil_priors.yaml), not {v!r}")
        from twin.scenario.engines.soil_priors import load_soil_priors

        load_soil_priors(v)  # raises ValueError naming the entry and field
        return v

    @model_validator(mode="after")
    def _method_options(self):
        # options that differ from their defaults (a sampled copy re-validates every field)
        given = {k for k in self.model_fields_set if getattr(self, k) != type(self).model_fields[k].get_default(call_default_factory=True)}
        if self.method == "year":
            wrong = [k for k in SOIL_STORM_OPTIONS if k in given]
            if wrong:
                raise KeyRuleError(wrong[0], f"{wrong[0]} is an option of the design storm (methods richards and scs_cn); the year method "
                                   "takes its rain from the weather file (inputs.weather)")
        else:
            wrong = [k for k in SOIL_YEAR_OPTIONS if k in given]
            if wrong:
                raise KeyRuleError(wrong[0], f"{wrong[0]} is an option of method: year (this soil section runs method: {self.method})")
        for option, what in (("hydraulics_spread", "the Monte Carlo of its soil hydraulics"), ("initial_head_m", "its columns' starting head")):
            if self.method != "richards" and option in given:
                raise KeyRuleError(option, f"{option} is an option of method: richards ({what}); method {self.method} does not read it")
        if self.method == "year" and "texture_shares" in given:
            raise KeyRuleError("texture_shares", "texture_shares is an option of the storm methods richards and scs_cn (the Monte Carlo of the unmapped "
                               "ground's texture); method year takes soil.texture as known")
        if self.texture is not None and self.texture_shares is not None and not self.texture_shares.get(self.texture, 0.0) > 0.0:
            raise KeyRuleError("texture", f"soil.texture {self.texture!r} (the central run's) has no share in soil.texture_shares "
                               f"({', '.join(self.texture_shares)}): no sample would draw it and the band would not hold the "
                               "central run; give it a share, or leave texture out (the central run takes the shares' mode)")
        return self


OPTION_MODELS: dict[str, type[Strict]] = {"energy": EnergyOptions, "traffic": TrafficOptions, "soil": SoilOptions}


def option_bounds(name: str) -> tuple[float, bool, float, bool]:
    """Bounds of a numeric engine option ``domain.option``, from its schema.

    Returns
    -------
    (low, low_strict, high, high_strict)
        ``-inf``/``inf`` where the option has no bound; ``*_strict`` for ``gt``/``lt``.

    Raises
    ------
    ValueError
        Not a numeric option of that engine (with the names that are).
    """
    domain, _, option = name.partition(".")
    model = OPTION_MODELS.get(domain)
    if model is None:
        raise ValueError(f"{name!r}: no engine {domain!r} (energy, traffic, soil)")
    numeric = [k for k, f in model.model_fields.items() if _is_number(f.annotation)]
    if option not in numeric:
        hint = _suggest(option, numeric)
        raise ValueError(f"{name!r} is not a numeric option of the {domain} engine{hint} "
                         f"(sampled parameters: {', '.join(f'{domain}.{k}' for k in numeric)})")
    lo, lo_strict, hi, hi_strict = -math.inf, False, math.inf, False
    for m in model.model_fields[option].metadata:
        if getattr(m, "ge", None) is not None:
            lo, lo_strict = float(m.ge), False
        if getattr(m, "gt", None) is not None:
            lo, lo_strict = float(m.gt), True
        if getattr(m, "le", None) is not None:
            hi, hi_strict = float(m.le), False
        if getattr(m, "lt", None) is not None:
            hi, hi_strict = float(m.lt), True
    return lo, lo_strict, hi, hi_strict


def _is_number(annotation) -> bool:
    args = getattr(annotation, "__args__", None)
    if args:
        return any(a in (int, float) for a in args)
    return annotation in (int, float)


def _fmt_bounds(lo, lo_strict, hi, hi_strict) -> str:
    return f"{'(' if lo_strict else '['}{lo:g}, {hi:g}{')' if hi_strict else ']'}"


class Distribution(Strict):
    """An uncertain parameter: ``name`` is a numeric engine option (e.g.
    ``energy.heating_setpoint_c``). Samples are drawn from the distribution truncated to the
    option's bounds (:mod:`twin.scenario.sampling`); a distribution must fit them: the mean (or
    ``low``/``mode``/``high``) inside, and less than half of a normal or lognormal outside."""

    name: str = Field(pattern=r"^(energy|traffic|soil)\.[a-z0-9_]+$")
    dist: Literal["normal", "uniform", "triangular", "lognormal"]
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0.0)
    low: float | None = None
    high: float | None = None
    mode: float | None = None

    @field_validator("name")
    @classmethod
    def _option(cls, v):
        option_bounds(v)  # raises for an unknown or non-numeric option
        return v

    @model_validator(mode="after")
    def _params(self):
        need = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"), "uniform": ("low", "high"), "triangular": ("low", "mode", "high")}[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"{self.dist} distribution needs {', '.join(missing)}")
        extra = [k for k in ("mean", "sd", "low", "high", "mode") if k not in need and getattr(self, k) is not None]
        if extra:
            raise ValueError(f"a {self.dist} distribution takes {', '.join(need)}, not {', '.join(extra)}")
        if self.dist in ("uniform", "triangular") and not self.low < self.high:
            raise ValueError("low must be below high")
        if self.dist == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError("mode must lie between low and high")
        if self.dist == "lognormal" and self.mean <= 0:
            raise ValueError("a lognormal distribution needs mean > 0")
        lo, lo_s, hi, hi_s = option_bounds(self.name)
        span = _fmt_bounds(lo, lo_s, hi, hi_s)

        def inside(x: float) -> bool:
            return (x > lo if lo_s else x >= lo) and (x < hi if hi_s else x <= hi)

        points = {"normal": ("mean",), "lognormal": ("mean",), "uniform": ("low", "high"), "triangular": ("low", "mode", "high")}[self.dist]
        for k in points:
            x = getattr(self, k)
            if not inside(x):
                raise ValueError(f"{k} {x:g} is outside the bounds {span} of {self.name}")
        if self.dist in ("normal", "lognormal"):
            from twin.scenario.sampling import MAX_TRUNCATED_SHARE, truncated_share

            share = truncated_share(self)
            if share > MAX_TRUNCATED_SHARE:
                raise ValueError(f"{100 * share:.0f} % of this {self.dist} distribution lies outside the bounds {span} of "
                                 f"{self.name}: samples truncated to the bounds would not follow it (lower sd)")
        return self


class Uncertainty(Strict):
    """Seeded Monte Carlo: ``samples`` draws of the declared option ``parameters`` and, with
    ``priors`` (the default), of the building stock's unknown attributes from the prior table
    (``twin/data/stock_priors.yaml``; a mapping here is merged onto it, ``false`` switches the
    priors off). ``samples`` needs parameters or priors to sample; parameters need samples."""

    samples: int = Field(default=0, ge=0, le=MAX_SAMPLES)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    parameters: list[Distribution] = Field(default_factory=list)
    priors: bool | dict[str, Any] = True
    percentiles: tuple[float, float] = (5.0, 95.0)

    @field_validator("priors", mode="before")
    @classmethod
    def _priors(cls, v):
        if not isinstance(v, (bool, dict)):
            raise ValueError(f"priors must be true, false or a mapping of prior entries, not {v!r}")
        if isinstance(v, dict):
            from twin.energy.priors import load_priors
            from twin.errors import SchemaError

            try:
                load_priors(v)
            except SchemaError as exc:
                raise ValueError(f"{exc.field}: {exc.message}" if exc.field else exc.message) from None
        return v

    @field_validator("percentiles")
    @classmethod
    def _percentiles(cls, v):
        lo, hi = v
        if not 0.0 <= lo < hi <= 100.0:
            raise ValueError(f"percentiles must be [lo, hi] with 0 <= lo < hi <= 100, not [{lo:g}, {hi:g}]")
        return v

    @model_validator(mode="after")
    def _together(self, info: ValidationInfo):
        names = [p.name for p in self.parameters]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"parameter {dup[0]} declared twice")
        # the traffic engine samples its own model parameters (context from parse_scenario)
        # ... and the soil engine's year method its soil unknowns (twin/data/soil_priors.yaml)
        ctx = info.context or {}
        engine_samples = bool(ctx.get("traffic_samples_itself")) or bool(ctx.get("soil_samples_itself"))
        if self.samples and not self.parameters and self.priors is False and not engine_samples:
            raise ValueError(f"samples: {self.samples} but no parameters to sample and priors: false "
                             "(add uncertainty.parameters, switch the priors on, run the traffic engine with "
                             "traffic.sample_model_parameters or the soil engine with method: year or richards, or set samples: 0)")
        if self.parameters and not self.samples:
            raise ValueError("parameters are declared but samples is 0: set samples (e.g. 20) or remove the parameters")
        return self


class Scenario(Strict):
    """A scenario file."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    inputs: Inputs
    domains: list[Domain] = Field(default_factory=lambda: ["energy"], min_length=1)
    baseline: list[Modification] = Field(default_factory=list)
    whatifs: list[WhatIf] = Field(default_factory=list)
    kpis: list[str] | None = None
    uncertainty: Uncertainty = Uncertainty()
    energy: EnergyOptions = EnergyOptions()
    traffic: TrafficOptions = TrafficOptions()
    soil: SoilOptions = SoilOptions()
    _source_path: str | None = PrivateAttr(default=None)

    @property
    def source_path(self) -> str | None:
        """The file the scenario was read from (:func:`parse_scenario` with ``path``), or None.

        Not part of the scenario's data (:meth:`digest`, the JSON Schema): no-effect reports
        name it (:func:`twin.scenario.checks.report_no_effect`).
        """
        return self._source_path

    @field_validator("domains")
    @classmethod
    def _unique_domains(cls, v):
        return _listed_once(v, "an engine")

    @model_validator(mode="after")
    def _unique_whatifs(self):
        names = [w.name for w in self.whatifs]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"what-if names repeated: {', '.join(sorted(dup))}")
        return self

    def digest(self) -> str:
        """A stable hash of the validated scenario (key order and formatting do not matter)."""
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:16]


# loc entries pydantic adds for union members and discriminator tags (not keys of the file)
_LOC_TAGS = set(OPS) | {"str", "int", "float", "bool", "Range", "function-after[_ordered(), Range]"}
_TYPE_TAGS = _LOC_TAGS - set(OPS)


def _is_tag(loc: tuple, i: int) -> bool:
    """Whether ``loc[i]`` is a tag pydantic adds (a union member), not a key of the file.

    An operation's name is a tag only right after a list index (``whatifs.0.modifications.0`` then
    ``set_attribute``): ``soil.green_infrastructure`` is a key that is also an operation's name.
    """
    part = loc[i]
    if not isinstance(part, str):
        return False
    if part in _TYPE_TAGS or "[" in part:
        return True
    return part in OPS and i > 0 and isinstance(loc[i - 1], int)


def _key_path(loc: tuple) -> str:
    parts = [str(p) for i, p in enumerate(loc) if not _is_tag(loc, i)]
    return ".".join(parts) or "(top level)"


def _document_position(data: Any, loc: tuple) -> tuple[int, ...]:
    """Where the key at ``loc`` stands in the file: its index among its siblings at each depth
    (YAML and JSON keep the order of a mapping's keys)."""
    position, node = [], data
    for part in loc:
        if isinstance(node, dict) and part in node:
            position.append(list(node).index(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            position.append(part)
            node = node[part]
        elif not (isinstance(part, str) and (part in _LOC_TAGS or "[" in part)):
            break  # a key the file does not hold (a missing field): rank it after its parent's keys
    return tuple(position)


def _first_error(errors: list[dict], data: Any) -> tuple[dict, str]:
    """The error a planner should read first, and its message.

    A misspelt key gives two errors: the unknown key (``extra_forbidden``) and, when the field is
    required, the missing one; pydantic lists the missing one first, so ``measurs:`` was reported
    as "whatifs.0.modifications.0.measures: Field required" without naming the key actually
    written. The first unknown key in file order is named instead, with the key of its section
    it is closest to (:func:`twin.io.key_hints.hint_for_error`: every key of the section, not
    only the missing ones, so a misspelt optional key gets its hint too).
    """
    from twin.io.key_hints import hint_for_error

    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    if not unknown:
        return errors[0], _clean(errors[0]["msg"])
    first = min(unknown, key=lambda e: _document_position(data, e["loc"]))
    key = first["loc"][-1]
    return first, f"unknown key {key!r}{hint_for_error(Scenario, first['loc'])}: not a setting of this section"


def parse_scenario(data: Any, *, path: str | os.PathLike[str] | None = None) -> Scenario:
    """Validate already-loaded data; errors name the key path."""
    if not isinstance(data, dict):
        raise ScenarioError("a scenario must be a mapping at the top level", path=path, field="(top level)")
    check_shape(data, path=path)
    traffic, domains = data.get("traffic"), data.get("domains", ["energy"])
    samples_itself = (isinstance(domains, list) and "traffic" in domains
                      and not (isinstance(traffic, dict) and traffic.get("sample_model_parameters") is False))
    soil = data.get("soil")
    soil_section = soil if isinstance(soil, dict) else {}
    soil_samples_itself = (isinstance(domains, list) and "soil" in domains
                           and (soil_section.get("method") == "year" or soil_section.get("block") is not None
                                or (soil_section.get("method", "richards") in ("richards", "scs_cn")
                                    and ((soil_section.get("method", "richards") == "richards" and soil_section.get("hydraulics_spread", 1.0) != 0)
                                         or soil_section.get("texture") is None or soil_section.get("texture_shares") is not None))))
    try:
        scenario = Scenario.model_validate(data, context={"traffic_samples_itself": samples_itself, "soil_samples_itself": soil_samples_itself})
    except ValidationError as exc:
        first, message = _first_error(exc.errors(), data)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        rule = (first.get("ctx") or {}).get("error")
        key = f".{rule.key}" if isinstance(rule, KeyRuleError) else ""
        raise ScenarioError(f"{message}{more}", path=path, field=_key_path(first["loc"]) + key) from None
    check_options_of_engines_that_run(scenario, path=path)
    if path is not None:
        scenario._source_path = str(path)
    return scenario


def check_options_of_engines_that_run(scenario: Scenario, *, path: str | os.PathLike[str] | None = None) -> None:
    """Refuse an engine's options section that differs from its defaults while the engine is not
    in ``domains``: it would change nothing (the error names the section and the changed keys)."""
    for name, default in (("energy", EnergyOptions()), ("traffic", TrafficOptions()), ("soil", SoilOptions())):
        section = getattr(scenario, name)
        if name in scenario.domains or section == default:
            continue
        changed = sorted(k for k in type(section).model_fields if getattr(section, k) != getattr(default, k))
        raise ScenarioError(f"{name} options are given ({', '.join(changed)}) but {name} is not in domains ({', '.join(scenario.domains)}): "
                            f"they would change nothing; add {name} to domains or remove them", path=path, field=name)


def check_shape(data: Any, *, path: str | os.PathLike[str] | None = None) -> None:
    """Refuse data nested deeper than :data:`MAX_NESTING_DEPTH` or holding more than
    :data:`MAX_YAML_VALUES` values once YAML aliases are expanded (an alias bomb), without
    recursion."""
    stack: list[tuple[Any, int, tuple]] = [(data, 0, ())]
    count = 0
    while stack:
        node, depth, where = stack.pop()
        count += 1
        if count > MAX_YAML_VALUES:
            raise ScenarioError(f"more than {MAX_YAML_VALUES:,} values (YAML aliases expanded); a scenario is far smaller", path=path)
        if depth > MAX_NESTING_DEPTH:
            key = ".".join(str(p) for p in where[:6]) + (".…" if len(where) > 6 else "")
            raise ScenarioError(f"nested more than {MAX_NESTING_DEPTH} levels deep; a scenario needs at most 8", path=path, field=key or "(top level)")
        if isinstance(node, dict):
            stack.extend((v, depth + 1, where + (k,)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, depth + 1, where + (i,)) for i, v in enumerate(node))


def with_overrides(scenario: Scenario, *, samples: int | None = None, seed: int | None = None,
                   path: str | os.PathLike[str] | None = None) -> Scenario:
    """``scenario`` with command-line overrides of the Monte Carlo, validated like the file.

    ``model_copy(update=...)`` skips validation (``--samples 100000`` would slip past the
    schema's maximum); this re-validates the whole scenario, so an override obeys the same
    bounds as the file and errors name the option's key path. ``samples=0`` turns the Monte
    Carlo off (the declared parameters are dropped).
    """
    updates = {k: v for k, v in (("samples", samples), ("seed", seed)) if v is not None}
    if not updates:
        return scenario
    # only the keys the file set: a full dump marks every default as set, and the checks of keys
    # the file gives (soil.hydraulics_spread with samples 0) would then blame keys it does not
    data = scenario.model_dump(mode="json", exclude_unset=True)
    data["uncertainty"] = {**data.get("uncertainty", {}), **updates}
    if samples == 0:
        data["uncertainty"]["parameters"] = []
    try:
        return parse_scenario(data, path=path)
    except ScenarioError as exc:
        options = [f"--{k}" for k in updates if exc.field and exc.field.endswith(k)] or [f"--{k}" for k in updates]
        raise ScenarioError(f"{exc.message} (from {' / '.join(options)})", path=path, field=exc.field) from None


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file: YAML (``.yaml``/``.yml``, safely: tags and Python
    objects are refused) or JSON (``.json``), the same schema and checks
    (:func:`twin.scenario.scenario_file.read_scenario_data`).

    The file must be a regular file of at most :data:`MAX_SCENARIO_BYTES` (a pipe or a device is
    refused before it is opened).
    """
    from twin.scenario.scenario_file import read_scenario_data

    return parse_scenario(read_scenario_data(path), path=Path(path))


def json_schema() -> dict:
    """JSON Schema of the scenario file (for editors)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "twin scenario"
    return schema
