"""The scenario file: inputs, a baseline, what-if modifications, engines, KPIs, uncertainty.

YAML is read with ``yaml.safe_load`` (no tags, no Python objects) and validated by pydantic
models that forbid unknown keys. Every problem becomes a :class:`~twin.errors.ScenarioError`
naming the file and the key path (``whatifs.0.modifications.1.measures``).
:func:`json_schema` exports the schema for editors (``twin scenario schema``).

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

import hashlib
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from twin.errors import ScenarioError

Domain = Literal["energy", "traffic", "soil"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(Strict):
    """An inclusive numeric range for a selector column."""

    min: float | None = None
    max: float | None = None


Scalar = Union[str, int, float, bool]


class Selector(Strict):
    """Which objects of a layer a modification applies to (all conditions must hold).

    ``ids``: explicit ids; ``where``: column -> value, list of values, or {min, max};
    ``within``: [xmin, ymin, xmax, ymax] in the scene CRS (objects intersecting the box);
    ``fraction``: a seeded random share of the selected objects (e.g. 0.3 for a 30 % wave).
    """

    ids: list[str] | None = None
    where: dict[str, Union[Scalar, list[Scalar], Range]] = Field(default_factory=dict)
    within: tuple[float, float, float, float] | None = None
    fraction: float | None = Field(default=None, gt=0.0, le=1.0)

    @field_validator("within")
    @classmethod
    def _box(cls, v):
        if v is not None and (v[0] >= v[2] or v[1] >= v[3]):
            raise ValueError("within must be [xmin, ymin, xmax, ymax] with xmin < xmax and ymin < ymax")
        return v


class Renovate(Strict):
    """Apply renovation measures (names from the energy measures table) to selected buildings."""

    op: Literal["renovate"]
    select: Selector = Selector()
    measures: list[str] = Field(min_length=1)


class CloseStreets(Strict):
    """Close selected street links to the given modes (all modes by default)."""

    op: Literal["close_streets"]
    select: Selector
    modes: list[Literal["car", "bike", "walk", "bus", "truck"]] = Field(default_factory=lambda: ["car", "truck", "bus"])


class ChangeStreets(Strict):
    """Change lanes, capacity or free speed of selected links."""

    op: Literal["change_streets"]
    select: Selector
    lanes: int | None = Field(default=None, ge=1)
    capacity_factor: float | None = Field(default=None, gt=0.0)
    free_speed_m_s: float | None = Field(default=None, gt=0.0)

    @model_validator(mode="after")
    def _something(self):
        if self.lanes is None and self.capacity_factor is None and self.free_speed_m_s is None:
            raise ValueError("give at least one of lanes, capacity_factor, free_speed_m_s")
        return self


class ScaleDemand(Strict):
    """Scale the travel demand by a factor."""

    op: Literal["scale_demand"]
    factor: float = Field(gt=0.0)


class Deseal(Strict):
    """Set the sealed fraction of selected land-cover polygons (de-sealing, permeable paving)."""

    op: Literal["deseal"]
    select: Selector
    sealed_fraction: float = Field(ge=0.0, le=1.0)
    cover_class: str | None = None


class GreenRoofs(Strict):
    """Green roofs on selected buildings: a share of their roof retains rain."""

    op: Literal["green_roofs"]
    select: Selector = Selector()
    share: float = Field(default=1.0, gt=0.0, le=1.0)


class InsertBuilding(Strict):
    """Insert an IFC building (a permit application) at a location of the scene."""

    op: Literal["insert_building"]
    ifc: str
    origin_xy: tuple[float, float]
    rotation_deg: float = 0.0
    replace_within_m: float | None = Field(default=None, ge=0.0)


Modification = Annotated[
    Union[Renovate, CloseStreets, ChangeStreets, ScaleDemand, Deseal, GreenRoofs, InsertBuilding],
    Field(discriminator="op"),
]


class WhatIf(Strict):
    """A named set of modifications, compared with the baseline."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    modifications: list[Modification] = Field(min_length=1)


class Inputs(Strict):
    """Scene sources, relative to the scenario file."""

    files: list[str] = Field(min_length=1)
    sites: list[str] = Field(default_factory=list)
    weather: str | None = None
    crs: str = "EPSG:31370"
    source_crs: str | None = None


class Distribution(Strict):
    """An uncertain parameter: ``name`` is an engine option path (e.g. ``energy.heating_setpoint_c``)."""

    name: str = Field(pattern=r"^(energy|traffic|soil)\.[a-z0-9_]+$")
    dist: Literal["normal", "uniform", "triangular", "lognormal"]
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0.0)
    low: float | None = None
    high: float | None = None
    mode: float | None = None

    @model_validator(mode="after")
    def _params(self):
        need = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"), "uniform": ("low", "high"), "triangular": ("low", "mode", "high")}[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"{self.dist} distribution needs {', '.join(missing)}")
        if self.dist in ("uniform", "triangular") and not self.low < self.high:
            raise ValueError("low must be below high")
        if self.dist == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError("mode must lie between low and high")
        return self


class Uncertainty(Strict):
    """Seeded Monte Carlo over the declared distributions."""

    samples: int = Field(default=0, ge=0, le=10_000)
    seed: int = 0
    parameters: list[Distribution] = Field(default_factory=list)
    percentiles: tuple[float, float] = (5.0, 95.0)


class EnergyOptions(Strict):
    heating_setpoint_c: float = Field(default=20.0, ge=5.0, le=30.0)
    cooling_setpoint_c: float | None = Field(default=None, ge=15.0, le=40.0)
    weather: str | None = None


class TrafficOptions(Strict):
    trips_per_100m2: float = Field(default=1.5, ge=0.0)
    peak_hour_share: float = Field(default=0.1, gt=0.0, le=1.0)
    gap: float = Field(default=1e-6, gt=0.0)
    minutes: float = Field(default=15.0, gt=0.0)


class SoilOptions(Strict):
    """Soil engine: a block design storm (``storm_mm`` evenly over ``storm_hours``, then dry up to
    ``hours``) on the district's soil grid, solved by ``richards`` (Richards equation per column)
    or screened by ``scs_cn`` (SCS Curve Number)."""

    method: Literal["richards", "scs_cn"] = "richards"
    cell_size_m: float = Field(default=10.0, gt=0.0, le=100.0)
    storm_mm: float = Field(default=30.0, ge=0.0)
    storm_hours: float = Field(default=1.0, gt=0.0)
    hours: float = Field(default=24.0, gt=0.0)

    @field_validator("hours")
    @classmethod
    def _after_storm(cls, v, info):
        storm = info.data.get("storm_hours")
        if storm is not None and v < storm:
            raise ValueError(f"the simulated period ({v:g} h) must cover the storm (storm_hours {storm:g} h)")
        return v


class Scenario(Strict):
    """A scenario file."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
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


def _key_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and p in {"renovate", "close_streets", "change_streets", "scale_demand", "deseal", "green_roofs", "insert_building"})) or "(top level)"


def parse_scenario(data: Any, *, path: str | os.PathLike[str] | None = None) -> Scenario:
    """Validate already-loaded data; errors name the key path."""
    if not isinstance(data, dict):
        raise ScenarioError("a scenario must be a mapping at the top level", path=path, field="(top level)")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ScenarioError(f"{first['msg']}{more}", path=path, field=_key_path(first["loc"])) from None


def with_overrides(scenario: Scenario, *, samples: int | None = None, seed: int | None = None,
                   path: str | os.PathLike[str] | None = None) -> Scenario:
    """``scenario`` with command-line overrides of the Monte Carlo, validated like the file.

    ``model_copy(update=...)`` skips validation (``--samples 100000`` would slip past the
    schema's maximum); this re-validates the whole scenario, so an override obeys the same
    bounds as the file and errors name the option's key path.
    """
    updates = {k: v for k, v in (("samples", samples), ("seed", seed)) if v is not None}
    if not updates:
        return scenario
    data = scenario.model_dump(mode="json")
    data["uncertainty"] = {**data["uncertainty"], **updates}
    return parse_scenario(data, path=path)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario YAML file (safely: tags and Python objects are refused)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read: {exc}", path=path) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"not valid (safe) YAML: {problem}", path=path, obj=where) from None
    return parse_scenario(data, path=path)


def json_schema() -> dict:
    """JSON Schema of the scenario file (for editors)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "twin scenario"
    return schema
