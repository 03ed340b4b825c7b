"""Green infrastructure: bioretention cells, infiltration trenches and permeable paving.

Each kind is a soil column with its own build-up, surface storage and vegetation, placed on the
sealed (not roof, not street) part of the cells of chosen land-cover classes, and draining a
share of the surrounding sealed surfaces (the *loading ratio*: m2 of sealed catchment per m2 of
infrastructure). The column receives the rain on itself plus the rain of its catchment
(a run-on factor ``1 + loading_ratio``); what it cannot store or infiltrate overflows to the
sewer (its runoff); what it infiltrates leaves through the native soil below (recharge, or the
water table); its vegetation evaporates and transpires.

==================  ==============================================  ========  ===============
kind                build-up (top down)                              ponding   vegetation
==================  ==============================================  ========  ===============
bioretention        0.6 m engineered media (loamy sand), native soil  0.20 m    bioretention
infiltration_trench 1.0 m of gravel, native soil                      2 mm      infiltration_trench
permeable_paving    0.3 m of sand bedding and base, native soil       2 mm      permeable_paving
==================  ==============================================  ========  ===============

The gravel of a trench is a coarse van Genuchten material (theta_r 0.01, theta_s 0.35, alpha
10 1/m, n 2.5, Ks 3e-3 m/s: an assumption for a clean drainage gravel, which drains at a few
centimetres of suction, holds 35 % of its volume when full and passes about 10 m/h); rain that
the native soil cannot take perches on it and fills the trench from below, as in a real trench.
Underdrains (pipes at the bottom of a cell draining to the sewer) are not modelled: every
infrastructure here infiltrates into the native soil.

References
----------
Woods Ballard, B. et al. (2015), The SuDS Manual, CIRIA C753, London (chapters 18 bioretention,
20 pervious pavements, 25 infiltration; loading ratios of 5-20 for bioretention, ponding
0.1-0.3 m).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.soil.hydraulics import SoilMaterial, van_genuchten

KIND_DEFAULTS: dict[str, dict] = {
    "bioretention": {"media_depth_m": 0.6, "media": "Loamy Sand", "ponding_depth_m": 0.20, "loading_ratio": 10.0},
    "infiltration_trench": {"media_depth_m": 1.0, "media": "gravel", "ponding_depth_m": 0.002, "loading_ratio": 20.0},
    "permeable_paving": {"media_depth_m": 0.3, "media": "Sand", "ponding_depth_m": 0.002, "loading_ratio": 0.0},
}


def gravel() -> SoilMaterial:
    """The drainage gravel of an infiltration trench (see the module docstring; an assumption)."""
    return van_genuchten("gravel", 0.01, 0.35, 10.0, 2.5, 3.0e-3, 0.5, source="assumption: clean drainage gravel")


class GreenInfrastructure(BaseModel):
    """One kind of green infrastructure placed on the sealed part of some land-cover classes.

    ``area_share`` of the sealed (not roof, not street) area of the cells of ``landcover_classes``
    becomes the infrastructure; it drains ``loading_ratio`` times its own area of the cell's
    remaining sealed surfaces and roofs (less where the cell has less).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: Literal["bioretention", "infiltration_trench", "permeable_paving"]
    landcover_classes: list[str] = Field(min_length=1)
    area_share: float = Field(gt=0, le=1, description="share of the sealed area of those classes turned into the infrastructure")
    loading_ratio: float | None = Field(None, ge=0, le=100, description="m2 of sealed catchment per m2 (default by kind)")
    ponding_depth_m: float | None = Field(None, ge=0, le=1.0, description="surface storage before overflow, m (default by kind)")
    media_depth_m: float | None = Field(None, gt=0, le=3.0, description="depth of the build-up over the native soil, m (default by kind)")
    media_texture: str | None = Field(None, description="texture of the build-up (default by kind; 'gravel' for a trench)")

    @model_validator(mode="after")
    def _defaults(self):
        d = KIND_DEFAULTS[self.kind]
        if self.loading_ratio is None:
            self.loading_ratio = d["loading_ratio"]
        if self.ponding_depth_m is None:
            self.ponding_depth_m = d["ponding_depth_m"]
        if self.media_depth_m is None:
            self.media_depth_m = d["media_depth_m"]
        if self.media_texture is None:
            self.media_texture = d["media"]
        return self

    @property
    def vegetation(self) -> str:
        return self.kind
