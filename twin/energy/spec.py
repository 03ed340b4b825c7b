"""Single-zone building spec (YAML) -> ISO 13790 5R1C inputs and drivers.

A spec describes one rectangular zone explicitly: dimensions, constructions by layer, windows by
facade (U, g, optional overhang and fins), infiltration and ventilation, internal gains with
their convective/radiative split, setpoint schedules, power limits and free float. It is how a
designer tests one building and how the BESTEST validation cases are written
(``tests/energy_data/bestest_*.yaml``). Units are in the key names.

Derived model constants (documented in ``docs/energy.md``):

* ``U = 1 / (R_si + sum(d / lambda) + R_se)`` per construction (ISO 6946), ``H_tr,op = sum(U A)``
  over opaque surfaces with an outdoor boundary, ``H_tr,w = sum(U_w A_w)``; adiabatic (party)
  surfaces carry no transmission term.
* Internal areal heat capacity ``kappa`` of each construction: ``sum(rho c d)`` over the layers
  from the inside up to the smallest of 0.10 m, half the construction thickness and the first
  insulating layer (``lambda < 0.08 W/(m K)``), ISO 13786:2007 Annex A.2 (effective thickness
  method); ``C_m = sum(kappa A)`` plus the zone air ``rho c_p V`` (``mass.include_air``, default
  true), ``A_m = (sum kappa A)^2 / sum(kappa^2 A)`` (ISO 13790 §12.3.1.2, eq. 65). Both can be
  overridden.
* ``A_t`` = the real area of all surfaces facing the zone (walls, windows, roof, floor).
* ``H_ve = rho_a c_a (V ACH / 3600 + q_mech (1 - eta_hr) / 3600)`` with the air density at the
  site (mean EPW pressure, 20 degC; or the standard atmosphere at ``site_altitude_m``) unless
  ``air_density_kg_m3`` is given, plus ``m_dot c_a (1 - eta_hr)`` for each entry of
  ``ventilation.flows`` (a value with its unit: ``ach``, ``m3/h site``, ``m3/h standard``, ...;
  standard air 1.204 kg/m3, :mod:`twin.energy.schedules`).
* Schedules (gains, heating and cooling setpoints, flows): 24 hourly values per day type
  (``all_days``, ``weekday``, ``weekend``, ``saturday``, ``sunday``, ``holiday`` for the dates
  of ``calendar.holidays``; the most specific wins), :mod:`twin.energy.schedules`. A flow whose
  schedule is constant adds to the constant ``H_ve``; flows whose schedules vary by hour make
  the building's scheduled ventilation (``h_ve_sched_w_k`` times the hourly ventilation
  schedule of its drivers, ``H_ve(h) = H_ve,0 + sum_k H_k s_k(h)``).
* Outdoor temperature: interval mean of the weather file's instantaneous values
  (:func:`twin.energy.solar.interval_mean_temperature_c`), aligned with the hourly solar sums.
* Network: ``simulation.film_correction`` is the building's input
  :attr:`twin.energy.inputs.StockInputs.film_correction` (default false: the plain ISO 13790
  Annex C network); the spec runs through the stock's simulation code
  (:func:`twin.energy.simulate.simulate_stock`) with nothing else set by the call.
* Solar: opaque ``alpha R_se U A`` times the plane-of-array irradiance, windows
  ``g_n (1 - F_F) A_w`` times the angle-weighted irradiance (:mod:`twin.energy.solar`), and the
  sky long-wave loss ``-F eps R_se U A`` (ISO 13790 §11.3.5) times ``sigma T_e^4 - L_sky``, with
  ``F = solar.sky_longwave_factor(tilt)`` (TARP sky view: 1 roof, 0.354 wall, 0 floor).
* Window shading (vertical windows, :class:`twin.energy.solar.WindowShading`): ``overhang``
  with ``extension_m`` (both sides) or ``extension_left_m`` / ``extension_right_m`` (seen from
  outside) or ``wall_wide: true``; ``fins`` symmetric or per side (``left`` / ``right``), with
  ``full_height: true`` from the floor to the top of the wall (``below_m = sill_m``,
  ``above_m`` = wall height - ``sill_m`` - ``height_m``). A
  wall-wide overhang needs the window's position ``offset_m`` (left jamb from the wall's left
  end, one value per window of ``count``): window ``i`` gets the extensions ``offset_i`` and
  ``L - offset_i - width_m`` (``L`` the wall length) and the row's irradiance is the mean over
  its windows. ``sill_m`` (above the floor) is checked against the wall height.
* ``simulation.interior_convection`` (``tarp`` | ``fixed``): read by the finer model only.
* ``simulation.exterior_convection`` (``fixed`` | ``doe2``), ``site.terrain`` and each
  construction's ``roughness``: read by the finer model only (hourly wind-dependent exterior
  surfaces, :mod:`twin.energy.iso52016`).
* ``windows.K.glazing_gap`` (panes' thickness and conductivity, gap width and emissivity): read
  by the finer model only (hourly ISO 15099 gap conductance, :mod:`twin.energy.iso52016`); the
  5R1C model uses ``u_w_m2k``.
* Keys read by the finer model only and set away from their defaults (the four above and each
  construction's ``interior_solar_absorptance``) are not an error: the 5R1C result lists them
  (``ignored_inputs``, :func:`twin.energy.spec_scope.ignored_inputs`) and ``twin energy
  simulate`` says so in one ``twin: note:`` line.

Validation (before any work; every error names the file and the key path, e.g.
``heating.setpoint_c`` or ``windows.0.u_w_m2k``):

* every number finite (``.nan`` and ``.inf`` are errors, never "off"; a setpoint is switched
  off with ``null`` in a schedule or by leaving out ``heating`` / ``cooling``);
* every number inside its physical range (the constants below, each with its source): sizes
  and thicknesses positive and bounded, conductivities, densities and heat capacities
  non-negative and bounded, fractions in [0, 1], window U-values up to
  :data:`WINDOW_U_MAX_W_M2K`, setpoints in :data:`SETPOINT_RANGE_C`, power limits and gains
  bounded;
* consistency: each window fits its facade and the glazing of a facade is smaller than the
  facade, no windows on an adiabatic facade, the heating setpoint never above the cooling
  setpoint in the same hour, gain schedules in [0, :data:`GAIN_SCHEDULE_MAX`], horizon
  elevations in [0, 90) degrees, ``free_float`` exclusive of heating and cooling.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from twin.energy.iso52016 import INTERIOR_SOLAR_ABSORPTANCE
from twin.energy.schedules import ALTITUDE_RANGE_M, DaySchedule, Flow, air_density_at_altitude_kg_m3, check_holiday, check_range, hourly_values
from twin.errors import InputError, SchemaError
from twin.io.key_hints import error_to_report, hint_for_error

FACADES: dict[str, float] = {"north": 0.0, "east": 90.0, "south": 180.0, "west": 270.0}
INSULATION_CONDUCTIVITY_W_MK = 0.08
KAPPA_DEPTH_M = 0.10
CP_AIR_J_KGK = 1006.0
R_AIR_J_KGK = 287.05

# ---------------------------------------------------------------------------- physical ranges
# Every number of a spec must be finite (``.nan`` and ``.inf`` are errors) and inside the range
# below; a value outside is reported with its key path. The ranges hold every real building and
# the ASHRAE 140 cases with room to spare and catch unit slips (mm for m, kW for W) and typos.
ZONE_LENGTH_MAX_M = 1000.0
"""Width or depth of one zone, m (a 1 km hall is already beyond a single thermal zone)."""
ZONE_HEIGHT_MAX_M = 100.0
"""Height of one zone, m."""
LAYER_THICKNESS_MAX_M = 10.0
"""One layer, m (the BESTEST floors model R-25 insulation as 1.003 m at 0.04 W/(m K))."""
CONDUCTIVITY_MAX_W_MK = 500.0
"""Thermal conductivity, W/(m K) (copper 400; building materials up to steel's 50-60)."""
DENSITY_MAX_KG_M3 = 25000.0
"""Density, kg/m3 (the densest element, osmium, 22,590; steel 7,850)."""
HEAT_CAPACITY_MAX_J_KGK = 10000.0
"""Specific heat capacity, J/(kg K) (water 4,186, the highest of common materials)."""
SURFACE_RESISTANCE_MAX_M2K_W = 1.0
"""Surface (film) resistance, m2 K/W (ISO 6946 Table 7: 0.04 to 0.17)."""
KAPPA_MAX_J_M2K = 1.0e6
"""Internal areal heat capacity, J/(m2 K) (ISO 13790 Table 12 "very heavy": 370,000)."""
WINDOW_U_MAX_W_M2K = 10.0
"""Window U-value, W/(m2 K) (single glazing with both films about 5.8)."""
WINDOW_COUNT_MAX = 100_000
PANE_EXTINCTION_MAX = 10.0
"""Extinction coefficient x thickness ``K L`` of one pane (clear 3 mm glass 0.0622)."""
REFRACTIVE_INDEX_MAX = 3.0
"""Refractive index of glazing (soda-lime glass 1.52)."""
SHADING_LENGTH_MAX_M = 100.0
"""Overhang and fin depth, gap and extension, m."""
INFILTRATION_MAX_ACH = 100.0
"""Air changes per hour (a blower-door test at 50 Pa of a very leaky house gives about 30)."""
MECHANICAL_FLOW_MAX_M3_H = 1.0e7
AIR_DENSITY_RANGE_KG_M3 = (0.5, 1.5)
"""Air density, kg/m3 (1.225 at sea level and 15 degC; 0.74 at 5,000 m)."""
AIR_HEAT_CAPACITY_RANGE_J_KGK = (900.0, 1200.0)
"""Specific heat of air, J/(kg K) (dry 1,005; saturated at 40 degC about 1,080)."""
GAIN_MAX_W = 1.0e8
"""Internal gains of one zone, W."""
GAIN_MAX_W_M2 = 5000.0
"""Internal gains per floor area, W/m2 (offices 5-20, data halls up to a few thousand)."""
GAIN_SCHEDULE_MAX = 1000.0
"""Largest multiplier of a gain schedule."""
SETPOINT_RANGE_C = (-30.0, 60.0)
"""Heating and cooling setpoints, degC (cold stores at -25; drying rooms and saunas up to 60)."""
POWER_LIMIT_MAX_W = 1.0e9
"""Heating or cooling power limit, W."""
HEAT_CAPACITY_ZONE_MAX_J_K = 1.0e12
"""Whole-zone heat capacity ``C_m``, J/K (370 kJ/(m2 K) over 100,000 m2 is 3.7e10)."""
AREA_MAX_M2 = 1.0e6
"""Areas (window, internal mass, effective mass area), m2."""
WARMUP_MAX_HOURS = 87_600
"""Warm-up, h (ten years; the warm-up is taken from the weather year, periodically)."""
HORIZON_SECTORS_MAX = 3600


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Layer(_Model):
    """One homogeneous layer (listed outside -> inside in a construction)."""

    name: str = ""
    thickness_m: float = Field(gt=0, le=LAYER_THICKNESS_MAX_M)
    conductivity_w_mk: float = Field(gt=0, le=CONDUCTIVITY_MAX_W_MK)
    density_kg_m3: float = Field(default=0.0, ge=0, le=DENSITY_MAX_KG_M3)
    heat_capacity_j_kgk: float = Field(default=0.0, ge=0, le=HEAT_CAPACITY_MAX_J_KGK)

    @property
    def r_m2k_w(self) -> float:
        return self.thickness_m / self.conductivity_w_mk


class Construction(_Model):
    """Opaque construction by layers, outside -> inside, with surface properties."""

    layers: list[Layer] = Field(min_length=1, max_length=100)
    r_si_m2k_w: float | None = Field(default=None, ge=0, le=SURFACE_RESISTANCE_MAX_M2K_W)
    r_se_m2k_w: float = Field(default=0.04, ge=0, le=SURFACE_RESISTANCE_MAX_M2K_W)
    solar_absorptance: float = Field(default=0.6, ge=0, le=1)
    emissivity: float = Field(default=0.9, ge=0, le=1)
    interior_solar_absorptance: float = Field(
        default=INTERIOR_SOLAR_ABSORPTANCE, ge=0, le=1,
        description="short-wave absorptance of the face toward the zone: share of the window-transmitted solar reaching it that it "
        "absorbs, the rest reflected diffusely (finer model only; the 5R1C model does not read it)",
    )
    kappa_j_m2k: float | None = Field(default=None, ge=0, le=KAPPA_MAX_J_M2K, description="override of the internal areal heat capacity")
    roughness: Literal["very_rough", "rough", "medium_rough", "medium_smooth", "smooth", "very_smooth"] = Field(
        default="medium_rough",
        description="exterior surface roughness of the wind-dependent exterior convection (simulation.exterior_convection: doe2; "
        "the finer model only): the DOE-2 multiplier R_f of EnergyPlus' roughness classes",
    )

    def u_w_m2k(self, r_si_default: float) -> float:
        """Air-to-air U-value, W/(m2 K)."""
        r_si = self.r_si_m2k_w if self.r_si_m2k_w is not None else r_si_default
        return 1.0 / (r_si + sum(layer.r_m2k_w for layer in self.layers) + self.r_se_m2k_w)

    def kappa(self) -> float:
        """Internal areal heat capacity, J/(m2 K) (ISO 13786 Annex A.2, effective thickness)."""
        if self.kappa_j_m2k is not None:
            return self.kappa_j_m2k
        total = sum(layer.thickness_m for layer in self.layers)
        limit = min(KAPPA_DEPTH_M, total / 2)
        kappa = 0.0
        depth = 0.0
        for layer in reversed(self.layers):  # from the inside
            if layer.conductivity_w_mk < INSULATION_CONDUCTIVITY_W_MK or depth >= limit:
                break
            d = min(layer.thickness_m, limit - depth)
            kappa += layer.density_kg_m3 * layer.heat_capacity_j_kgk * d
            depth += d
        return kappa


class Overhang(_Model):
    """Horizontal overhang over a facade window; left and right as seen from outside.

    Its extent along the wall is one of: ``extension_m`` (the same beyond each jamb; default 0),
    ``extension_left_m`` / ``extension_right_m`` (an absent side extends 0 m) or ``wall_wide: true``
    (from the wall's left end to its right end: each window's extensions are its distances to the
    wall ends, from the window's ``offset_m``).
    """

    depth_m: float = Field(gt=0, le=SHADING_LENGTH_MAX_M, description="projection from the wall, m")
    gap_m: float = Field(default=0.0, ge=0, le=SHADING_LENGTH_MAX_M, description="height of the overhang above the window head, m")
    extension_m: float | None = Field(default=None, ge=0, le=SHADING_LENGTH_MAX_M, description="extension beyond each side of the window, m")
    extension_left_m: float | None = Field(default=None, ge=0, le=SHADING_LENGTH_MAX_M, description="extension beyond the left jamb (seen from outside), m")
    extension_right_m: float | None = Field(default=None, ge=0, le=SHADING_LENGTH_MAX_M, description="extension beyond the right jamb (seen from outside), m")
    wall_wide: bool = Field(default=False, description="the overhang runs the whole wall (needs the window's offset_m)")

    def extents_m(self) -> tuple[float, float]:
        """Extensions beyond the left and right jambs, m (not for ``wall_wide``, which depends on the window's position)."""
        if self.extension_m is not None:
            return self.extension_m, self.extension_m
        return self.extension_left_m or 0.0, self.extension_right_m or 0.0


class FinSide(_Model):
    """One side fin: it projects ``depth_m`` from the wall at ``gap_m`` from its jamb, from ``below_m``
    under the sill to ``above_m`` over the head, or with ``full_height: true`` from the floor to the
    top of the wall (``below_m`` = the window's ``sill_m``, ``above_m`` = wall height - ``sill_m`` -
    ``height_m``)."""

    depth_m: float = Field(gt=0, le=SHADING_LENGTH_MAX_M, description="projection from the wall, m")
    gap_m: float = Field(default=0.0, ge=0, le=SHADING_LENGTH_MAX_M, description="distance from the window jamb, m")
    above_m: float = Field(default=0.0, ge=0, le=SHADING_LENGTH_MAX_M, description="extent above the window head, m")
    below_m: float = Field(default=0.0, ge=0, le=SHADING_LENGTH_MAX_M, description="extent below the sill, m")
    full_height: bool = Field(default=False, description="from the floor to the top of the wall (needs the window's sill_m)")


class Fins(_Model):
    """Side fins of a facade window: the same on both sides (``depth_m``, ``gap_m``, ``above_m``,
    ``below_m``) or per side (``left`` / ``right`` seen from outside, :class:`FinSide`; either may be absent)."""

    depth_m: float | None = Field(default=None, gt=0, le=SHADING_LENGTH_MAX_M, description="projection of both fins from the wall, m")
    gap_m: float | None = Field(default=None, ge=0, le=SHADING_LENGTH_MAX_M, description="distance of both fins from the window jambs, m (default 0)")
    above_m: float | None = Field(default=None, ge=0, le=SHADING_LENGTH_MAX_M, description="extent of both fins above the head, m (default 0)")
    below_m: float | None = Field(default=None, ge=0, le=SHADING_LENGTH_MAX_M, description="extent of both fins below the sill, m (default 0)")
    full_height: bool | None = Field(default=None, description="both fins from the floor to the top of the wall (needs the window's sill_m)")
    left: FinSide | None = None
    right: FinSide | None = None

    def sides(self) -> tuple[FinSide | None, FinSide | None]:
        """The left and right fins (None: no fin on that side)."""
        if self.depth_m is None:
            return self.left, self.right
        both = FinSide(
            depth_m=self.depth_m, gap_m=self.gap_m or 0.0, above_m=self.above_m or 0.0, below_m=self.below_m or 0.0, full_height=bool(self.full_height)
        )
        return both, both


class GlazingGap(_Model):
    """Double glazing by its panes and gap (finer model: ISO 15099 gap link; the 5R1C model uses ``u_w_m2k``)."""

    pane_thickness_m: float = Field(gt=0, le=0.05)
    pane_conductivity_w_mk: float = Field(gt=0, le=10.0)
    gap_m: float = Field(gt=0, le=0.1)
    gap_emissivity: float = Field(gt=0, le=1, description="long-wave emissivity of the two faces bounding the gap")


class Window(_Model):
    """Windows on one facade (``count`` identical windows)."""

    facade: Literal["north", "east", "south", "west", "roof"]
    width_m: float | None = Field(default=None, gt=0, le=ZONE_LENGTH_MAX_M)
    height_m: float | None = Field(default=None, gt=0, le=ZONE_LENGTH_MAX_M)
    area_m2: float | None = Field(default=None, gt=0, le=AREA_MAX_M2)
    count: int = Field(default=1, ge=1, le=WINDOW_COUNT_MAX)
    u_w_m2k: float = Field(gt=0, le=WINDOW_U_MAX_W_M2K)
    g: float = Field(gt=0, le=1, description="total solar energy transmittance at normal incidence")
    frame_fraction: float = Field(default=0.0, ge=0, lt=1)
    panes: int = Field(default=2, ge=1, le=4)
    pane_extinction_kl: float = Field(default=0.0622, ge=0, le=PANE_EXTINCTION_MAX)
    refractive_index: float = Field(default=1.526, gt=1, le=REFRACTIVE_INDEX_MAX)
    r_se_m2k_w: float = Field(default=0.04, ge=0, le=SURFACE_RESISTANCE_MAX_M2K_W)
    emissivity: float = Field(default=0.84, ge=0, le=1)
    overhang: Overhang | None = None
    fins: Fins | None = None
    glazing_gap: GlazingGap | None = None
    offset_m: float | list[float] | None = Field(
        default=None, description="distance from the wall's left end (seen from outside) to the left jamb, m; a list: one per window of count"
    )
    sill_m: float | None = Field(default=None, ge=0, le=ZONE_HEIGHT_MAX_M, description="height of the sill above the floor, m")

    @property
    def offsets_m(self) -> list[float] | None:
        """The left-jamb offset of each window of the row, m (None: position not given)."""
        if self.offset_m is None:
            return None
        return list(self.offset_m) if isinstance(self.offset_m, list) else [self.offset_m]

    @model_validator(mode="after")
    def _size(self) -> Window:
        if self.glazing_gap is not None and self.panes != 2:
            raise ValueError("glazing_gap is for double glazing (panes: 2)")
        if self.area_m2 is None and (self.width_m is None or self.height_m is None):
            raise ValueError("give area_m2 or both width_m and height_m")
        if (self.overhang or self.fins) and (self.width_m is None or self.height_m is None):
            raise ValueError("overhang and fins need width_m and height_m")
        if (self.overhang or self.fins) and self.facade == "roof":
            raise ValueError("overhang and fins are for facade windows")
        return self

    @property
    def total_area_m2(self) -> float:
        one = self.area_m2 if self.area_m2 is not None else self.width_m * self.height_m  # type: ignore[operator]
        return one * self.count


class Zone(_Model):
    """Rectangular zone: ``width_m`` along the south/north facades, ``depth_m`` along east/west."""

    width_m: float = Field(gt=0, le=ZONE_LENGTH_MAX_M)
    depth_m: float = Field(gt=0, le=ZONE_LENGTH_MAX_M)
    height_m: float = Field(gt=0, le=ZONE_HEIGHT_MAX_M)


class Envelope(_Model):
    """Constructions of the box and the boundary of each surface."""

    wall: Construction
    roof: Construction
    floor: Construction
    floor_boundary: Literal["outdoor_no_sun", "adiabatic"] = "outdoor_no_sun"
    adiabatic_facades: list[Literal["north", "east", "south", "west"]] = Field(default_factory=list)
    roof_adiabatic: bool = False


class Ventilation(_Model):
    infiltration_ach: float = Field(default=0.0, ge=0, le=INFILTRATION_MAX_ACH)
    mechanical_m3_h: float = Field(default=0.0, ge=0, le=MECHANICAL_FLOW_MAX_M3_H)
    heat_recovery: float = Field(default=0.0, ge=0, le=1)
    air_density_kg_m3: float | None = Field(
        default=None, ge=AIR_DENSITY_RANGE_KG_M3[0], le=AIR_DENSITY_RANGE_KG_M3[1], description="default: site density from the EPW pressure at 20 degC"
    )
    air_heat_capacity_j_kgk: float = Field(default=CP_AIR_J_KGK, ge=AIR_HEAT_CAPACITY_RANGE_J_KGK[0], le=AIR_HEAT_CAPACITY_RANGE_J_KGK[1])
    site_altitude_m: float | None = Field(
        default=None, ge=ALTITUDE_RANGE_M[0], le=ALTITUDE_RANGE_M[1], description="site density from the standard atmosphere at this altitude (twin.energy.schedules)"
    )
    flows: list[Flow] = Field(default_factory=list, max_length=100, description="flows with units and schedules (twin.energy.schedules)")


class Gains(_Model):
    power_w: float | None = Field(default=None, ge=0, le=GAIN_MAX_W)
    w_m2: float | None = Field(default=None, ge=0, le=GAIN_MAX_W_M2)
    convective_fraction: float = Field(default=0.5, ge=0, le=1)
    schedule: DaySchedule | None = None

    @model_validator(mode="after")
    def _one(self) -> Gains:
        if (self.power_w is None) == (self.w_m2 is None):
            raise ValueError("give exactly one of power_w and w_m2")
        return self


class Setpoint(_Model):
    setpoint_c: float | None = None
    schedule: DaySchedule | None = None
    power_max_w: float | None = Field(default=None, ge=0, le=POWER_LIMIT_MAX_W, description="null = unlimited")

    @model_validator(mode="after")
    def _one(self) -> Setpoint:
        if (self.setpoint_c is None) == (self.schedule is None):
            raise ValueError("give exactly one of setpoint_c and schedule")
        return self


class Mass(_Model):
    c_m_j_k: float | None = Field(default=None, gt=0, le=HEAT_CAPACITY_ZONE_MAX_J_K)
    a_m_m2: float | None = Field(default=None, gt=0, le=AREA_MAX_M2)
    include_air: bool = Field(default=True, description="add the zone air (rho c_p V) to the layer-derived C_m")


class InternalMass(_Model):
    construction: Construction
    area_m2: float = Field(gt=0, le=AREA_MAX_M2, description="exposed area (both faces count if both face the zone)")


class Site(_Model):
    albedo: float = Field(default=0.2, ge=0, le=1)
    terrain: Literal["country", "suburbs", "city", "ocean", "urban"] = Field(
        default="suburbs",
        description="terrain around the building for the wind at its surfaces (simulation.exterior_convection: doe2; the finer model "
        "only): EnergyPlus' site terrain classes (exponent and boundary-layer height of the wind profile)",
    )
    horizon_deg: list[float] | None = Field(
        default=None, min_length=1, max_length=HORIZON_SECTORS_MAX, description="obstruction elevation per azimuth sector from north, degrees in [0, 90)"
    )


class Calendar(_Model):
    holidays: list[Annotated[str, AfterValidator(check_holiday)]] = Field(
        default_factory=list, max_length=366, description="dates MM-DD (every year) or YYYY-MM-DD that take the holiday profiles"
    )


class Simulation(_Model):
    warmup_hours: int = Field(default=720, ge=0, le=WARMUP_MAX_HOURS)
    film_correction: bool = False
    interior_convection: Literal["tarp", "fixed"] = Field(
        default="tarp",
        description="interior convection of the finer model (twin.energy.iso52016.INTERIOR_CONVECTION): tarp (hourly, from the surface-air "
        "difference) or fixed (h_ci = 1 / R_si - h_ri of the combined film); the 5R1C model does not read it",
    )
    exterior_convection: Literal["fixed", "doe2"] = Field(
        default="fixed",
        description="exterior surfaces of the finer model: fixed (the combined film 1 / R_se) or doe2 (hourly: DOE-2 wind-dependent "
        "convection with the site's terrain and each construction's roughness, plus long-wave to the air linearised at the surface "
        "temperature; twin.energy.iso52016.EXTERIOR_CONVECTION); the 5R1C model does not read it",
    )
    control_temperature: Literal["air", "operative"] = Field(
        default="air",
        description="the temperature the finer model's setpoints apply to: air (a thermostat that senses the air, as the BESTEST "
        "cases) or operative (ISO 52016-1 6.5.5: half the air's and half the area-weighted mean of the interior surfaces'); "
        "the 5R1C model controls the air temperature",
    )


class ZoneSpec(_Model):
    """A single-zone building (root of the YAML file)."""

    name: str = "zone"
    zone: Zone
    envelope: Envelope
    windows: list[Window] = Field(default_factory=list)
    ventilation: Ventilation = Ventilation()
    gains: Gains | None = None
    heating: Setpoint | None = None
    cooling: Setpoint | None = None
    free_float: bool = False
    mass: Mass = Mass()
    internal_mass: list[InternalMass] = Field(default_factory=list)
    site: Site = Site()
    calendar: Calendar = Calendar()
    simulation: Simulation = Simulation()

    @model_validator(mode="after")
    def _check(self) -> ZoneSpec:
        """Checks across keys; each raises :class:`SchemaError` naming the key path."""
        _check_windows(self)
        if self.free_float and (self.heating or self.cooling):
            raise SchemaError("free_float: true excludes heating and cooling", field="free_float")
        if not self.free_float and self.heating is None and self.cooling is None:
            raise SchemaError("give heating and/or cooling, or free_float: true", field="heating")
        _check_setpoints(self)
        if self.gains is not None and self.gains.schedule is not None:
            bad = check_range(self.gains.schedule, 0.0, GAIN_SCHEDULE_MAX, allow_null=False)
            if bad is not None:
                raise SchemaError(
                    f"a gain schedule value must be a number in [0, {GAIN_SCHEDULE_MAX:g}], got {bad[2]}",
                    field=f"gains.schedule.{bad[0]}.{bad[1]}",
                )
        for k, flow in enumerate(self.ventilation.flows):
            _check_flow(self, flow, f"ventilation.flows.{k}")
        if self.site.horizon_deg is not None:
            for k, v in enumerate(self.site.horizon_deg):
                if not 0.0 <= v < 90.0:
                    raise SchemaError(f"a horizon elevation must be in [0, 90) degrees, got {v}", field=f"site.horizon_deg.{k}")
        return self

    # ------------------------------------------------------------------ derived quantities
    @property
    def floor_area_m2(self) -> float:
        return self.zone.width_m * self.zone.depth_m

    @property
    def volume_m3(self) -> float:
        return self.floor_area_m2 * self.zone.height_m

    def surfaces(self) -> list[dict]:
        """Opaque surfaces of the box: name, tilt, azimuth, net area, construction, role, boundary."""
        z, env = self.zone, self.envelope
        glazed: dict[str, float] = {}
        for w in self.windows:
            glazed[w.facade] = glazed.get(w.facade, 0.0) + w.total_area_m2
        out = []
        for facade, az in FACADES.items():
            gross = (z.width_m if facade in ("north", "south") else z.depth_m) * z.height_m
            out.append(
                {
                    "name": facade,
                    "tilt_deg": 90.0,
                    "azimuth_deg": az,
                    "area_m2": gross - glazed.get(facade, 0.0),
                    "construction": env.wall,
                    "r_si_default": 0.13,
                    "boundary": "adiabatic" if facade in env.adiabatic_facades else "exterior",
                }
            )
        out.append(
            {
                "name": "roof",
                "tilt_deg": 0.0,
                "azimuth_deg": 180.0,
                "area_m2": self.floor_area_m2 - glazed.get("roof", 0.0),
                "construction": env.roof,
                "r_si_default": 0.10,
                "boundary": "adiabatic" if env.roof_adiabatic else "exterior",
            }
        )
        out.append(
            {
                "name": "floor",
                "tilt_deg": 180.0,
                "azimuth_deg": 180.0,
                "area_m2": self.floor_area_m2,
                "construction": env.floor,
                "r_si_default": 0.17,
                "boundary": env.floor_boundary,
            }
        )
        return out


def _check_flow(spec: ZoneSpec, flow: Flow, key: str) -> None:
    """A flow's value inside its unit's range; its schedule a multiplier in [0, 1]."""
    if flow.unit == "ach":
        if flow.value > INFILTRATION_MAX_ACH:
            raise SchemaError(f"{flow.value:g} air changes per hour is above {INFILTRATION_MAX_ACH:g}", field=f"{key}.value")
    else:
        m3_h = flow.value * {"m3/h": 1.0, "m3/s": 3600.0, "l/s": 3.6}[flow.unit.split(" ")[0]]
        if m3_h > MECHANICAL_FLOW_MAX_M3_H:
            raise SchemaError(f"{flow.value:g} {flow.unit} ({m3_h:.4g} m3/h) is above {MECHANICAL_FLOW_MAX_M3_H:g} m3/h", field=f"{key}.value")
    if flow.schedule is not None:
        bad = check_range(flow.schedule, 0.0, 1.0, allow_null=False)
        if bad is not None:
            raise SchemaError(f"a flow schedule value is a fraction of the flow in [0, 1], got {bad[2]}", field=f"{key}.schedule.{bad[0]}.{bad[1]}")


def _check_windows(spec: ZoneSpec) -> None:
    """Each window fits its facade; the glazing of a facade is smaller than the facade."""
    z = spec.zone
    areas = {
        "north": z.width_m * z.height_m,
        "south": z.width_m * z.height_m,
        "east": z.depth_m * z.height_m,
        "west": z.depth_m * z.height_m,
        "roof": z.width_m * z.depth_m,
    }
    lengths = {"north": z.width_m, "south": z.width_m, "east": z.depth_m, "west": z.depth_m, "roof": max(z.width_m, z.depth_m)}
    heights = {"north": z.height_m, "south": z.height_m, "east": z.height_m, "west": z.height_m, "roof": max(z.width_m, z.depth_m)}
    glazed: dict[str, float] = {}
    for k, w in enumerate(spec.windows):
        if w.facade in spec.envelope.adiabatic_facades:
            raise SchemaError(f"windows on the adiabatic facade {w.facade}", field=f"windows.{k}.facade")
        _check_shading(w, f"windows.{k}", lengths[w.facade], heights[w.facade])
        if w.width_m is not None and w.width_m > lengths[w.facade]:
            raise SchemaError(f"window width {w.width_m:g} m exceeds the {w.facade} facade ({lengths[w.facade]:g} m)", field=f"windows.{k}.width_m")
        if w.height_m is not None and w.height_m > heights[w.facade]:
            raise SchemaError(f"window height {w.height_m:g} m exceeds the {w.facade} facade ({heights[w.facade]:g} m)", field=f"windows.{k}.height_m")
        glazed[w.facade] = glazed.get(w.facade, 0.0) + w.total_area_m2
        if glazed[w.facade] >= areas[w.facade]:
            raise SchemaError(
                f"windows on {w.facade} ({glazed[w.facade]:.2f} m2) exceed the facade area {areas[w.facade]:.2f} m2",
                field=f"windows.{k}",
            )


def _check_shading(w: Window, key: str, wall_length_m: float, wall_height_m: float) -> None:
    """One form of each shading device's extent; the window's position (if given) on its wall."""
    ov, fins = w.overhang, w.fins
    if ov is not None:
        if ov.extension_m is not None and (ov.extension_left_m is not None or ov.extension_right_m is not None):
            side = "extension_left_m" if ov.extension_left_m is not None else "extension_right_m"
            raise SchemaError("give extension_m (both sides) or extension_left_m / extension_right_m, not both", field=f"{key}.overhang.{side}")
        if ov.wall_wide and (ov.extension_m is not None or ov.extension_left_m is not None or ov.extension_right_m is not None):
            raise SchemaError("a wall-wide overhang takes its extensions from the window's offset_m: leave out the extension keys", field=f"{key}.overhang.wall_wide")
        if ov.wall_wide and w.offset_m is None:
            raise SchemaError("a wall-wide overhang needs the window's position on the wall (offset_m)", field=f"{key}.offset_m")
    if fins is not None:
        sym = [name for name in ("depth_m", "gap_m", "above_m", "below_m", "full_height") if getattr(fins, name) is not None]
        if fins.left is None and fins.right is None and fins.depth_m is None:
            raise SchemaError("fins need depth_m (both sides) or a left / right fin with its depth_m", field=f"{key}.fins.depth_m")
        if sym and (fins.left is not None or fins.right is not None):
            raise SchemaError(f"give symmetric fins ({', '.join(sym)}) or left / right fins, not both", field=f"{key}.fins.{sym[0]}")
        if sym and fins.depth_m is None:
            raise SchemaError(f"symmetric fins need depth_m (got {', '.join(sym)})", field=f"{key}.fins.depth_m")
        where = [(f"{key}.fins", fins)] if fins.depth_m is not None else [(f"{key}.fins.{n}", f) for n, f in (("left", fins.left), ("right", fins.right))]
        for path, fin in where:
            if fin is None or not fin.full_height:
                continue
            if w.sill_m is None:
                raise SchemaError("a full-height fin needs the window's sill_m", field=f"{key}.sill_m")
            given = [n for n in ("above_m", "below_m") if n in fin.model_fields_set and getattr(fin, n) is not None]
            if given:
                raise SchemaError(f"a full-height fin takes its extent from sill_m and the wall height: leave out {given[0]}", field=f"{path}.{given[0]}")
    offsets = w.offsets_m
    if (offsets is not None or w.sill_m is not None) and (w.width_m is None or w.height_m is None or w.facade == "roof"):
        raise SchemaError("a position on the wall (offset_m, sill_m) is for facade windows with width_m and height_m", field=f"{key}.offset_m")
    if offsets is not None:
        if len(offsets) != w.count:
            raise SchemaError(f"offset_m needs one value per window of count ({w.count}), got {len(offsets)}", field=f"{key}.offset_m")
        ordered = sorted(offsets)
        for i, o in enumerate(offsets):
            if not 0.0 <= o <= wall_length_m - w.width_m:  # type: ignore[operator]
                raise SchemaError(
                    f"window offset {o:g} m puts the {w.width_m:g} m window outside the {w.facade} wall (0 to {wall_length_m:g} m)",
                    field=f"{key}.offset_m.{i}" if isinstance(w.offset_m, list) else f"{key}.offset_m",
                )
        for a, b in zip(ordered, ordered[1:]):
            if b - a < w.width_m:  # type: ignore[operator]
                raise SchemaError(f"windows at offsets {a:g} and {b:g} m overlap (width {w.width_m:g} m)", field=f"{key}.offset_m")
    if w.sill_m is not None and w.sill_m + w.height_m > wall_height_m:  # type: ignore[operator]
        raise SchemaError(f"sill {w.sill_m:g} m + window height {w.height_m:g} m is above the {w.facade} wall ({wall_height_m:g} m)", field=f"{key}.sill_m")


def _window_shadings(w: Window, wall_length_m: float, wall_height_m: float) -> list:
    """The :class:`~twin.energy.solar.WindowShading` of each window of a row (one entry when they are all the same)."""
    from twin.energy import solar

    ov, fins = w.overhang, w.fins
    left, right = fins.sides() if fins is not None else (None, None)

    def in_wall(side: FinSide | None) -> FinSide | None:
        """A full-height fin in window coordinates: from the floor (``sill_m`` below) to the top of the wall."""
        if side is None or not side.full_height:
            return side
        return side.model_copy(update={"below_m": w.sill_m, "above_m": wall_height_m - w.sill_m - w.height_m})  # type: ignore[operator]

    symmetric = left is right
    left = in_wall(left)
    right = left if symmetric else in_wall(right)

    def fin(side: FinSide | None):
        return None if side is None else solar.Fin(side.depth_m, side.gap_m, side.above_m, side.below_m)

    if ov is not None and ov.wall_wide:
        extents = [(o, wall_length_m - o - w.width_m) for o in w.offsets_m]  # type: ignore[union-attr, operator]
    else:
        extents = [ov.extents_m() if ov is not None else (0.0, 0.0)]
    common = {
        "width": w.width_m,
        "height": w.height_m,
        "overhang_depth": ov.depth_m if ov is not None else 0.0,
        "overhang_gap": ov.gap_m if ov is not None else 0.0,
    }
    if left is right and left is not None:  # symmetric fins: today's arithmetic
        common.update(fin_depth=left.depth_m, fin_gap=left.gap_m, fin_above=left.above_m, fin_below=left.below_m)
    else:
        common.update(fin_left=fin(left), fin_right=fin(right))
    # equal extensions keep the symmetric form (today's arithmetic, bit-identical results)
    out = [
        solar.WindowShading(**common, overhang_extension=ext_l)
        if ext_l == ext_r
        else solar.WindowShading(**common, overhang_extension_left=ext_l, overhang_extension_right=ext_r)
        for ext_l, ext_r in extents
    ]
    return out[:1] if all(sh == out[0] for sh in out) else out


def _hourly_setpoints(sp: Setpoint) -> dict[str, tuple[str, list[float | None]]]:
    """Profile of each day type (weekday, saturday, sunday) and the key path it comes from."""
    if sp.schedule is None:
        return {day: ("setpoint_c", [sp.setpoint_c] * 24) for day in ("weekday", "saturday", "sunday", "holiday")}
    return {day: (f"schedule.{key}", values) for day, (key, values) in sp.schedule.resolved().items()}


def _setpoint_key(name: str, source: str, hour: int) -> str:
    return f"{name}.{source}" if source == "setpoint_c" else f"{name}.{source}.{hour}"


def _check_setpoints(spec: ZoneSpec) -> None:
    """Setpoints inside :data:`SETPOINT_RANGE_C`, heating never above cooling in the same hour."""
    lo, hi = SETPOINT_RANGE_C
    hourly: dict[str, dict[str, tuple[str, list[float | None]]]] = {}
    for name in ("heating", "cooling"):
        sp: Setpoint | None = getattr(spec, name)
        if sp is None:
            continue
        hourly[name] = _hourly_setpoints(sp)
        if sp.schedule is None:
            continue  # setpoint_c is checked below with the schedules' hours
        bad = check_range(sp.schedule, lo, hi, allow_null=True)
        if bad is not None:
            raise SchemaError(
                f"{name} setpoint {bad[2]:g} degC outside the plausible range [{lo:g}, {hi:g}] degC", field=f"{name}.schedule.{bad[0]}.{bad[1]}"
            )
    for name, days in hourly.items():
        source, values = days["weekday"]
        if source == "setpoint_c" and values[0] is not None and not lo <= values[0] <= hi:
            raise SchemaError(f"{name} setpoint {values[0]:g} degC outside the plausible range [{lo:g}, {hi:g}] degC", field=f"{name}.setpoint_c")
    if len(hourly) == 2:
        for day in ("weekday", "saturday", "sunday", "holiday"):
            (src_h, heat), (_, cool) = hourly["heating"][day], hourly["cooling"][day]
            for h, (th, tc) in enumerate(zip(heat, cool)):
                if th is not None and tc is not None and th > tc:
                    raise SchemaError(
                        f"heating setpoint {th:g} degC is above the cooling setpoint {tc:g} degC ({day} hour {h})",
                        field=_setpoint_key("heating", src_h, h),
                    )


def _format_loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def load_spec(path: str | Path) -> ZoneSpec:
    """Read a single-zone spec from YAML (a safe loader that refuses a key given twice,
    :func:`twin.io.yaml_file.unique_key_loader`).

    Raises
    ------
    InputError
        The file is missing, not a regular file, larger than :data:`twin.io.input_limits.ENERGY_SPEC_MAX_BYTES` or not YAML.
    SchemaError
        A key is unknown, missing or has a bad value; ``field`` is the key path
        (e.g. ``windows.0.overhang.depth_m``).
    """
    import yaml

    from twin.io.input_limits import check_energy_spec_path
    from twin.io.yaml_file import unique_key_loader

    path = check_energy_spec_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read spec: {exc.strerror}", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"spec is not UTF-8 text: {exc.reason} at byte {exc.start}", path=path) from None
    try:
        data = yaml.load(text, Loader=unique_key_loader())  # a safe loader that refuses a key given twice
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {' '.join(str(exc).split())}", path=path) from None
    except RecursionError:
        raise InputError("YAML nested too deeply", path=path) from None
    return spec_from_dict(data, path=path)


def spec_from_dict(data: object, *, path: str | Path | None = None) -> ZoneSpec:
    """Validate a mapping as a :class:`ZoneSpec`; errors name the key path."""
    if not isinstance(data, dict):
        raise SchemaError("the spec must be a mapping", path=path)
    name = data.get("name", "zone")
    obj = name if isinstance(name, str) and name.strip() else None
    try:
        return ZoneSpec.model_validate(data)
    except SchemaError as exc:  # a check across keys (ZoneSpec._check)
        raise SchemaError(exc.message, path=path, obj=exc.obj if exc.obj is not None else obj, field=exc.field) from None
    except ValidationError as exc:
        err = error_to_report(exc.errors())
        loc = _format_loc(err["loc"]) or "<root>"
        kind = err["type"]
        msg = f"unknown key{hint_for_error(ZoneSpec, err['loc'])}" if kind == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        if kind not in ("extra_forbidden", "value_error") and isinstance(value, (int, float, str, bool)) and not isinstance(value, dict):
            msg = f"{msg}, got {value!r}"
        more = f" ({exc.error_count() - 1} more errors)" if exc.error_count() > 1 else ""
        raise SchemaError(f"{msg}{more}", path=path, obj=obj, field=loc) from None


# ---------------------------------------------------------------------------- model building
def _day_schedule(sched: DaySchedule, time, holidays: tuple[str, ...] | list[str] = ()) -> np.ndarray:
    """Hourly values (n_h,) of a day schedule (:func:`twin.energy.schedules.hourly_values`)."""
    return hourly_values(sched, time, holidays)


def _setpoint_series(sp: Setpoint | None, time, holidays: tuple[str, ...] | list[str] = ()) -> np.ndarray:
    n_h = len(time)
    if sp is None:
        return np.full(n_h, np.nan)
    if sp.schedule is not None:
        return _day_schedule(sp.schedule, time, holidays)
    return np.full(n_h, float(sp.setpoint_c))


def air_density_kg_m3(weather, temperature_c: float = 20.0) -> float:
    """Site air density from the weather file's mean station pressure (ideal gas), kg/m3."""
    p = weather.data["pressure_pa"].to_numpy(dtype=float) if "pressure_pa" in weather.data else np.array([np.nan])
    p_mean = float(np.nanmean(p)) if np.isfinite(p).any() else 101325.0
    return p_mean / (R_AIR_J_KGK * (temperature_c + 273.15))


def zone_model(spec: ZoneSpec, weather):
    """Build the kernel inputs of one zone.

    Returns
    -------
    inputs : StockInputs (one building)
    drivers : Drivers (groups: one per opaque surface, one per window row, ``sky_lw``)
    info : dict of derived constants (U-values, H, C_m, A_m, A_t, ...) for reports.
    """
    from twin.energy import solar
    from twin.energy.inputs import Drivers, StockInputs

    time = weather.data.index
    sky = solar.sky_from_weather(weather, albedo=spec.site.albedo)
    horizon = None if spec.site.horizon_deg is None else np.asarray(spec.site.horizon_deg, dtype=float)
    groups: list[str] = []
    rows: list[np.ndarray] = []
    coeffs: list[float] = []
    sky_coeff = 0.0
    h_op = 0.0
    h_w = 0.0
    kappa_a = 0.0
    kappa2_a = 0.0
    a_t = 0.0
    info: dict = {"surfaces": [], "windows": []}
    for s in spec.surfaces():
        con: Construction = s["construction"]
        u = con.u_w_m2k(s["r_si_default"])
        kap = con.kappa()
        a = s["area_m2"]
        a_t += a
        kappa_a += kap * a
        kappa2_a += kap * kap * a
        info["surfaces"].append({"name": s["name"], "area_m2": a, "u_w_m2k": u, "kappa_j_m2k": kap, "boundary": s["boundary"]})
        if s["boundary"] == "adiabatic":
            continue
        h_op += u * a
        if s["boundary"] == "exterior" and a > 0:
            groups.append(f"opq_{s['name']}")
            rows.append(solar.surface_irradiance(sky, s["tilt_deg"], s["azimuth_deg"], horizon_deg=horizon))
            coeffs.append(con.solar_absorptance * con.r_se_m2k_w * u * a)
            sky_coeff -= solar.sky_longwave_factor(s["tilt_deg"]) * con.emissivity * con.r_se_m2k_w * u * a
    for im in spec.internal_mass:
        kap = im.construction.kappa()
        kappa_a += kap * im.area_m2
        kappa2_a += kap * kap * im.area_m2
        a_t += im.area_m2
    for k, w in enumerate(spec.windows):
        a = w.total_area_m2
        a_t += a
        h_w += w.u_w_m2k * a
        tilt, az = (0.0, 180.0) if w.facade == "roof" else (90.0, FACADES[w.facade])
        glz = solar.Glazing(panes=w.panes, n=w.refractive_index, kl=w.pane_extinction_kl)
        shadings = [None]
        if w.overhang is not None or w.fins is not None:
            shadings = _window_shadings(w, spec.zone.width_m if w.facade in ("north", "south") else spec.zone.depth_m, spec.zone.height_m)
        groups.append(f"win_{k}_{w.facade}")
        # windows of a row shaded differently (a wall-wide overhang): the row's irradiance is their mean
        row = solar.surface_irradiance(sky, tilt, az, glazing=glz, shading=shadings[0], horizon_deg=horizon)
        for sh in shadings[1:]:
            row = row + solar.surface_irradiance(sky, tilt, az, glazing=glz, shading=sh, horizon_deg=horizon)
        rows.append(row if len(shadings) == 1 else row / len(shadings))
        coeffs.append(w.g * (1 - w.frame_fraction) * a)
        sky_coeff -= solar.sky_longwave_factor(tilt) * w.emissivity * w.r_se_m2k_w * w.u_w_m2k * a
        info["windows"].append({"facade": w.facade, "area_m2": a, "u_w_m2k": w.u_w_m2k, "g": w.g})
    groups.append("sky_lw")
    lw = solar.sky_longwave_loss_w_m2(weather)
    if horizon is not None:
        f_iso, _ = solar.horizon_view_factors(horizon[None, :], 0.0, 180.0)
        lw = lw * f_iso[0]
    rows.append(lw)
    coeffs.append(sky_coeff)

    v = spec.ventilation
    if v.air_density_kg_m3 is not None:
        rho = v.air_density_kg_m3
    elif v.site_altitude_m is not None:
        rho = air_density_at_altitude_kg_m3(v.site_altitude_m)
    else:
        rho = air_density_kg_m3(weather)
    c_air = rho * v.air_heat_capacity_j_kgk * spec.volume_m3
    c_m = spec.mass.c_m_j_k if spec.mass.c_m_j_k is not None else kappa_a + (c_air if spec.mass.include_air else 0.0)
    if spec.mass.a_m_m2 is not None:
        a_m = spec.mass.a_m_m2
    elif kappa2_a > 0:
        a_m = kappa_a**2 / kappa2_a
    else:
        a_m = a_t
    if c_m <= 0 or (spec.mass.c_m_j_k is None and kappa_a <= 0):
        raise InputError("the zone has no heat capacity: give layer densities and heat capacities or mass.c_m_j_k", field="mass.c_m_j_k")
    flow_m3_s = spec.volume_m3 * v.infiltration_ach / 3600.0 + v.mechanical_m3_h * (1 - v.heat_recovery) / 3600.0
    h_ve = rho * v.air_heat_capacity_j_kgk * flow_m3_s
    flows_info = []
    n_h = len(time)
    ve_w_k = np.zeros(n_h)  # scheduled part of H_ve, W/K per hour
    for fl in v.flows:
        h_k = fl.mass_flow_kg_s(spec.volume_m3, rho) * v.air_heat_capacity_j_kgk * (1 - fl.heat_recovery)
        frac = 1.0
        if fl.schedule is not None:
            series = hourly_values(fl.schedule, time, spec.calendar.holidays)
            if np.ptp(series) > 0:
                ve_w_k += h_k * series
                flows_info.append({"name": fl.name, "unit": fl.unit, "mass_flow_kg_s": fl.mass_flow_kg_s(spec.volume_m3, rho),
                                   "h_w_k": h_k, "scheduled": True})
                continue
            frac = float(series[0])
        h_ve += h_k * frac
        flows_info.append({"name": fl.name, "unit": fl.unit, "mass_flow_kg_s": fl.mass_flow_kg_s(spec.volume_m3, rho) * frac, "h_w_k": h_k * frac,
                           "scheduled": False})
    # scheduled ventilation: H_ve(h) = h_ve + h_ve_sched * ve_schedule(h), the schedule scaled to a largest value of 1
    h_ve_sched = float(ve_w_k.max()) if n_h else 0.0
    ve_sched = ve_w_k / h_ve_sched if h_ve_sched > 0 else np.zeros(n_h)

    a_f = spec.floor_area_m2
    if spec.gains is None:
        gain_w_m2, conv, gsched = 0.0, 0.5, np.ones(n_h)
    else:
        g = spec.gains
        gain_w_m2 = g.w_m2 if g.w_m2 is not None else g.power_w / a_f  # type: ignore[operator]
        conv = g.convective_fraction
        gsched = np.ones(n_h) if g.schedule is None else _day_schedule(g.schedule, time, spec.calendar.holidays)
        if not np.all(np.isfinite(gsched)):
            raise SchemaError("gain schedule values cannot be null", field="gains.schedule")
    heat_sp = _setpoint_series(spec.heating, time, spec.calendar.holidays)
    cool_sp = _setpoint_series(spec.cooling, time, spec.calendar.holidays)

    def limit(sp: Setpoint | None) -> float:
        return np.inf if sp is None or sp.power_max_w is None else float(sp.power_max_w)

    inputs = StockInputs(
        building_id=np.array([spec.name]),
        a_f_m2=a_f,
        h_ve_w_k=h_ve,
        h_tr_w_w_k=h_w,
        h_tr_op_w_k=h_op,
        c_m_j_k=c_m,
        a_m_m2=a_m,
        sol_coeff_m2=np.array([coeffs]),
        groups=tuple(groups),
        phi_h_max_w=limit(spec.heating),
        phi_c_max_w=limit(spec.cooling),
        gain_w_m2=gain_w_m2,
        gain_conv_frac=conv,
        a_t_m2=a_t,
        film_correction=spec.simulation.film_correction,
        h_ve_sched_w_k=h_ve_sched,
    )
    drivers = Drivers(
        time=time,
        t_out_c=solar.interval_mean_temperature_c(weather),
        irr_w_m2=np.vstack(rows),
        groups=tuple(groups),
        gain_schedule=gsched,
        heat_setpoint_c=heat_sp,
        cool_setpoint_c=cool_sp,
        ve_schedule=ve_sched,
        wind_speed_m_s=solar.weather_wind(weather.data, "wind_speed_m_s"),
        wind_dir_deg=solar.weather_wind(weather.data, "wind_dir_deg"),
    )
    info.update(
        {
            "a_f_m2": a_f,
            "volume_m3": spec.volume_m3,
            "a_t_m2": a_t,
            "h_tr_op_w_k": h_op,
            "h_tr_w_w_k": h_w,
            "h_ve_w_k": h_ve,
            "h_ve_sched_w_k": h_ve_sched,
            "flows": flows_info,
            "air_density_kg_m3": rho,
            "c_m_j_k": c_m,
            "c_air_j_k": c_air if spec.mass.c_m_j_k is None and spec.mass.include_air else 0.0,
            "a_m_m2": a_m,
            "sol_coeff_m2": dict(zip(groups, coeffs)),
        }
    )
    return inputs, drivers, info


def _rows_index(rows: list[np.ndarray], row: np.ndarray) -> int:
    """Index of ``row`` among ``rows`` (appended when new): profiles shared by several specs are stored once."""
    for i, r in enumerate(rows):
        if np.array_equal(r, row, equal_nan=True):
            return i
    rows.append(row)
    return len(rows) - 1


def spec_stock(specs, weather):
    """A building stock with one building per spec: the kernel inputs the city runs on.

    Each spec goes through :func:`zone_model`; the buildings are stacked into one
    :class:`~twin.energy.inputs.StockInputs` / :class:`~twin.energy.inputs.Drivers` pair as a
    city stock is: shared hourly rows (irradiance per surface group, gain, setpoint and
    ventilation profiles) stored once and referenced by each building's profile indices, the
    physics options (film correction, scheduled ventilation) as per-building inputs. A surface
    group of the same name but another irradiance (e.g. another horizon) gets its own row.

    Parameters
    ----------
    specs : sequence of ZoneSpec
        The zones (at least one), with the same ``simulation.warmup_hours``.
    weather
        The weather all zones share (:func:`twin.ingest.epw.read_epw`).

    Returns
    -------
    inputs : StockInputs (one building per spec, ids ``spec.name``)
    drivers : Drivers
    warmup_hours : int
    infos : list of dict (the derived constants of each zone, as :func:`zone_model`)

    Raises
    ------
    InputError
        No spec, or specs with different warm-ups (``simulation.warmup_hours``).
    """
    from twin.energy.inputs import Drivers, StockInputs

    specs = list(specs)
    if not specs:
        raise InputError("no spec to build a stock from", field="specs")
    warmups = {s.simulation.warmup_hours for s in specs}
    if len(warmups) > 1:
        raise InputError(f"the specs of one stock need one warm-up, got {sorted(warmups)} hours", field="simulation.warmup_hours")
    models = [zone_model(s, weather) for s in specs]
    drv0 = models[0][1]
    groups: list[str] = []
    irr: list[np.ndarray] = []
    cols: list[list[int]] = []
    for k, (_, drv, _) in enumerate(models):
        c = []
        for g, name in enumerate(drv.groups):
            key = name
            if key in groups and not np.array_equal(irr[groups.index(key)], drv.irr_w_m2[g]):
                key = f"{name}@{k}"
            if key not in groups:
                groups.append(key)
                irr.append(drv.irr_w_m2[g])
            c.append(groups.index(key))
        cols.append(c)
    sol = np.zeros((len(specs), len(groups)))
    gains: list[np.ndarray] = []
    setpoints: list[np.ndarray] = []
    vents: list[np.ndarray] = []
    gp, sp, vp = [], [], []
    for k, (inp, drv, _) in enumerate(models):
        sol[k, cols[k]] = inp.sol_coeff_m2[0]
        gp.append(_rows_index(gains, drv.gain_schedule[0]))
        sp.append(_rows_index(setpoints, np.stack([drv.heat_setpoint_c[0], drv.cool_setpoint_c[0]])))
        vp.append(_rows_index(vents, drv.ve_schedule[0]))

    def col(name: str) -> np.ndarray:
        return np.concatenate([getattr(m[0], name) for m in models])

    inputs = StockInputs(
        building_id=np.array([s.name for s in specs]),
        a_f_m2=col("a_f_m2"),
        h_ve_w_k=col("h_ve_w_k"),
        h_tr_w_w_k=col("h_tr_w_w_k"),
        h_tr_op_w_k=col("h_tr_op_w_k"),
        c_m_j_k=col("c_m_j_k"),
        a_m_m2=col("a_m_m2"),
        sol_coeff_m2=sol,
        groups=tuple(groups),
        phi_h_max_w=col("phi_h_max_w"),
        phi_c_max_w=col("phi_c_max_w"),
        gain_w_m2=col("gain_w_m2"),
        gain_profile=np.array(gp),
        gain_conv_frac=col("gain_conv_frac"),
        setpoint_profile=np.array(sp),
        a_t_m2=col("a_t_m2"),
        film_correction=col("film_correction"),
        h_ve_sched_w_k=col("h_ve_sched_w_k"),
        ve_profile=np.array(vp),
    )
    drivers = Drivers(
        time=drv0.time,
        t_out_c=drv0.t_out_c,
        irr_w_m2=np.vstack(irr),
        groups=tuple(groups),
        gain_schedule=np.vstack(gains),
        heat_setpoint_c=np.vstack([r[0] for r in setpoints]),
        cool_setpoint_c=np.vstack([r[1] for r in setpoints]),
        ve_schedule=np.vstack(vents),
    )
    return inputs, drivers, warmups.pop(), [m[2] for m in models]


def simulate_specs(specs, weather, *, hourly: bool = False) -> list[dict]:
    """Simulate zones as one stock (:func:`spec_stock`, then the stock's
    :func:`twin.energy.simulate.simulate_stock`); one summary dict per spec (as :func:`simulate_spec`)."""
    from twin.energy.simulate import simulate_stock

    specs = list(specs)
    inputs, drivers, warmup, infos = spec_stock(specs, weather)
    res = simulate_stock(inputs, drivers, hourly=hourly, warmup_hours=warmup)
    return [_summary(spec, res.per_building.iloc[k], info, res) for k, (spec, info) in enumerate(zip(specs, infos))]


def simulate_spec(spec: ZoneSpec, weather, *, hourly: bool = False) -> dict:
    """Simulate one zone: a one-building stock (:func:`simulate_specs`); return a summary dict.

    Keys (SI units in the names): ``name``, ``heating_mwh``, ``cooling_mwh``,
    ``peak_heating_kw``, ``peak_heating_time``, ``peak_cooling_kw``, ``peak_cooling_time``,
    ``t_air_min_c``, ``t_air_max_c``, ``t_air_mean_c``, ``model`` (derived constants),
    ``results`` (:class:`~twin.energy.simulate.StockResults`), ``ignored_inputs`` (the keys set
    away from their defaults that only the finer model reads, :func:`twin.energy.spec_scope.ignored_inputs`).
    """
    return simulate_specs([spec], weather, hourly=hourly)[0]


def _summary(spec: ZoneSpec, row, info: dict, res) -> dict:
    from twin.energy.spec_scope import ignored_inputs

    return {
        "name": spec.name,
        "heating_mwh": float(row["q_heat_kwh"]) / 1000.0,
        "cooling_mwh": float(row["q_cool_kwh"]) / 1000.0,
        "peak_heating_kw": float(row["peak_heat_w"]) / 1000.0,
        "peak_heating_time": _iso(row["peak_heat_time"]),
        "peak_cooling_kw": float(row["peak_cool_w"]) / 1000.0,
        "peak_cooling_time": _iso(row["peak_cool_time"]),
        "t_air_min_c": float(row["t_air_min_c"]),
        "t_air_max_c": float(row["t_air_max_c"]),
        "t_air_mean_c": float(row["t_air_mean_c"]),
        "model": info,
        "results": res,
        "ignored_inputs": ignored_inputs(spec, "5r1c"),
    }


def _iso(t) -> str | None:
    import pandas as pd

    if t is None or pd.isna(t):
        return None
    return pd.Timestamp(t).isoformat()
