"""Roots: Feddes water-stress parameters and root-density profiles (Python side).

The sink term itself is in the Richards kernel (:mod:`twin.kernels.soil_roots`,
:mod:`twin.kernels.soil_richards`): ``S(h, z) = alpha(h) b(z) Tp``. This module validates the
Feddes parameters of a vegetation and builds the normalised root density ``b`` on a column's
nodes.

Root density (``shape``)
------------------------
``hoffman_van_genuchten`` (default, as HYDRUS-1D): ``b(z) = 1.6667 / L`` in the top fifth of the
root zone and ``2.0833 / L (1 - z / L)`` below it, down to the rooting depth ``L``
(Hoffman & van Genuchten 1983); ``uniform``: ``1 / L``. On the nodes, ``b_i`` is the function
at the node depth, scaled so that ``sum V_i b_i = 1`` (``V_i`` the node's thickness): the
uptake of a column under no stress is exactly ``Tp``. Roots reach no deeper than the column
(a shallow water table cuts the root zone; the rest of the density is spread over what remains).

References
----------
Feddes, R.A., Kowalik, P.J. & Zaradny, H. (1978), Simulation of field water use and crop yield,
Pudoc, Wageningen.
Hoffman, G.J. & van Genuchten, M.Th. (1983), Soil properties and efficient water use: water
management for salinity control, in Taylor, H.M. et al. (eds.), Limitations to efficient water
use in crop production, ASA, Madison, 73-85.
Wesseling, J.G., Elbers, J.A., Kabat, P. & van den Broek, B.J. (1991), SWATRE: instructions for
input, Winand Staring Centre, Wageningen.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.errors import InputError

MM_DAY = 1.0e-3 / 86400.0
"""1 mm/day in m/s."""

ROOT_SHAPES = ("hoffman_van_genuchten", "uniform")


class FeddesParameters(BaseModel):
    """The stress response of Feddes et al. (1978): heads in m (<= 0), demand thresholds in mm/day.

    Defaults: grass (pasture) of Wesseling et al. (1991), the HYDRUS-1D database entry
    (h1 -10 cm, h2 -25 cm, h3h -200 cm, h3l -800 cm, h4 -8000 cm, r2h 0.5 cm/day, r2l 0.1 cm/day).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    h1_m: float = Field(-0.10, le=0, ge=-10.0, description="anaerobiosis point: no uptake above it")
    h2_m: float = Field(-0.25, le=0, ge=-10.0, description="uptake is optimal below it")
    h3h_m: float = Field(-2.0, le=0, ge=-1000.0, description="stress begins below it at high demand (r2h)")
    h3l_m: float = Field(-8.0, le=0, ge=-1000.0, description="stress begins below it at low demand (r2l)")
    h4_m: float = Field(-80.0, lt=0, ge=-10000.0, description="wilting point: no uptake below it")
    r2h_mm_day: float = Field(5.0, gt=0, le=100.0, description="high potential transpiration, mm/day")
    r2l_mm_day: float = Field(1.0, ge=0, le=100.0, description="low potential transpiration, mm/day")

    @model_validator(mode="after")
    def _ordered(self):
        heads = [("h1_m", self.h1_m), ("h2_m", self.h2_m), ("h3h_m", self.h3h_m), ("h3l_m", self.h3l_m)]
        for (na, a), (nb, b) in zip(heads, heads[1:]):
            if b > a:
                raise ValueError(f"{nb} ({b:g} m) must not lie above {na} ({a:g} m): 0 >= h1 >= h2 >= h3h >= h3l > h4")
        if not self.h4_m < self.h3l_m:
            raise ValueError(f"h4_m ({self.h4_m:g} m) must lie below h3l_m ({self.h3l_m:g} m)")
        if not self.r2l_mm_day < self.r2h_mm_day:
            raise ValueError(f"r2l_mm_day ({self.r2l_mm_day:g}) must be below r2h_mm_day ({self.r2h_mm_day:g})")
        return self

    def row(self) -> np.ndarray:
        """The kernel's parameter row (:data:`twin.kernels.soil_roots.N_FEDDES`; SI units)."""
        from twin.kernels import soil_roots as K

        r = np.zeros(K.N_FEDDES)
        r[K.FD_H1], r[K.FD_H2], r[K.FD_H3H], r[K.FD_H3L], r[K.FD_H4] = self.h1_m, self.h2_m, self.h3h_m, self.h3l_m, self.h4_m
        r[K.FD_R2H], r[K.FD_R2L] = self.r2h_mm_day * MM_DAY, self.r2l_mm_day * MM_DAY
        return r

    def alpha(self, h_m, tp_m_s: float) -> np.ndarray:
        """The stress response at heads ``h_m`` (m) under the potential transpiration ``tp_m_s``."""
        h = np.asarray(h_m, dtype=float)
        r2h, r2l = self.r2h_mm_day * MM_DAY, self.r2l_mm_day * MM_DAY
        if tp_m_s >= r2h:
            h3 = self.h3h_m
        elif tp_m_s <= r2l:
            h3 = self.h3l_m
        else:
            h3 = self.h3h_m + (self.h3l_m - self.h3h_m) * (r2h - tp_m_s) / (r2h - r2l)
        out = np.zeros_like(h)
        wet = (h <= self.h1_m) & (h > self.h2_m)
        if self.h1_m > self.h2_m:
            out[wet] = (self.h1_m - h[wet]) / (self.h1_m - self.h2_m)
        out[(h <= self.h2_m) & (h >= h3)] = 1.0
        dry = (h < h3) & (h > self.h4_m)
        out[dry] = (h[dry] - self.h4_m) / (h3 - self.h4_m)
        return out


def root_density(z_m, rooting_depth_m: float, *, shape: str = "hoffman_van_genuchten") -> np.ndarray:
    """The normalised root density ``b_i`` (1/m) on nodes at depths ``z_m``: ``sum V_i b_i = 1``.

    Parameters
    ----------
    z_m
        Node depths, m (0 at the surface, increasing).
    rooting_depth_m
        Rooting depth ``L``, m (0: no roots, all zero).
    shape
        :data:`ROOT_SHAPES` (see the module docstring).

    Raises
    ------
    InputError
        Unknown shape, negative or non-finite depth.
    """
    z = np.asarray(z_m, dtype=float)
    if shape not in ROOT_SHAPES:
        raise InputError(f"unknown root distribution {shape!r}; use one of {', '.join(ROOT_SHAPES)}", field="root_shape")
    if not (np.isfinite(rooting_depth_m) and rooting_depth_m >= 0):
        raise InputError(f"rooting depth must be a finite number >= 0 m, got {rooting_depth_m!r}", field="rooting_depth_m")
    if rooting_depth_m == 0 or len(z) < 2:
        return np.zeros(len(z))
    length = min(rooting_depth_m, float(z[-1]))
    if shape == "uniform":
        b = np.where(z <= length, 1.0, 0.0)
    else:
        x = z / rooting_depth_m
        b = np.where(x <= 0.2, 1.6667, np.where(x <= 1.0, 2.0833 * (1.0 - x), 0.0))
        b[z > length + 1e-12] = 0.0
    dz = np.diff(z)
    vol = np.zeros(len(z))
    vol[:-1] += 0.5 * dz
    vol[1:] += 0.5 * dz
    total = float(np.sum(vol * b))
    if total <= 0:  # roots shallower than the first node interval: all in the surface node
        b = np.zeros(len(z))
        b[0] = 1.0
        total = vol[0]
    return b / total

