"""Surface temperature of a ground cover from its energy balance, coupled to the soil water.

For one cover (asphalt, concrete pavers, lawn, bare soil, ...; table
``twin/data/soil_surface_covers.csv``) and an hourly weather file, the surface temperature and
the ground temperatures below follow from the kernel :mod:`twin.kernels.surface_energy`:

* net radiation: global horizontal shortwave times ``1 - albedo``, plus ``emissivity`` times the
  sky's downward longwave (the EPW "horizontal infrared radiation", ``sigma T_sky^4``), minus
  the surface's emission ``emissivity sigma T_s^4``;
* sensible heat ``rho c_p (T_s - T_air) / r_a`` with the neutral aerodynamic resistance
  ``r_a = ln(z/z0m) ln(z/z0h) / (k^2 u)`` from the file's 10 m wind, the cover's roughness
  ``z0m`` and ``z0h = z0m / 10`` (``ln(z0m/z0h) = 2.3``; Garratt 1992 for vegetated and bare
  surfaces), wind floored at 0.5 m/s (calm hours: free convection keeps ``r_a`` finite);
* latent heat ``lambda rho_w E`` (``lambda = 2.45 MJ/kg``, FAO-56) with ``E`` the actual soil
  evaporation, transpiration and canopy evaporation of a 1-D Richards column of the cover's
  vegetation (:mod:`twin.soil.vegetation`: FAO-56 reference ET times the crop coefficient,
  limited by the soil water of the column); zero on sealed covers;
* conduction into the ground: a sealed cover's own layer (its conductivity and heat capacity
  from the table) over the soil, and soil properties from the column's water content each hour
  (de Vries capacity, Johansen conductivity, :mod:`twin.soil.heat`): wetter soil conducts and
  stores more heat.

The balance is neutral (no stability correction): on hot, sunny afternoons the unstable surface
layer carries more sensible heat than the neutral law gives, so the surface-air difference of
hot covers is overestimated; the comparison between covers is less affected (the same wind and
resistance law for all). The lawn's surface is a single (canopy and soil) temperature.

References
----------
Allen, R.G., Pereira, L.S., Raes, D. & Smith, M. (1998), FAO Irrigation and Drainage Paper 56.
Garratt, J.R. (1992), The Atmospheric Boundary Layer, Cambridge University Press (ch. 3, kB^-1).
Oke, T.R. (1987), Boundary Layer Climates, 2nd ed., Routledge (appendix tables of radiative and
thermal properties; roughness lengths).
Armson, D., Stringer, P. & Ennos, A.R. (2012), The effect of tree shade and grass on surface and
globe temperatures in an urban area, Urban For. Urban Green. 11(3):245-255 (grass reduced the
maximum surface temperature of concrete and asphalt by up to 24 degC, Manchester, summers 2009-2010).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from twin.errors import InputError, SimulationError

LATENT_HEAT_J_KG = 2.45e6
"""Latent heat of vaporisation, J/kg (FAO-56, at 20 degC)."""
WATER_DENSITY_KG_M3 = 1000.0
VON_KARMAN = 0.41
CP_AIR_J_KGK = 1005.0
R_DRY_AIR_J_KGK = 287.05
WIND_HEIGHT_M = 10.0
MIN_WIND_M_S = 0.5
Z0H_RATIO = 0.1
"""``z0h / z0m`` (``ln(z0m/z0h) = 2.3``, Garratt 1992)."""
DEFAULT_TABLE = Path(__file__).resolve().parents[1] / "data" / "soil_surface_covers.csv"
REQUIRED = ("cover", "albedo", "emissivity", "z0_m", "sealed", "layer_m", "layer_conductivity_w_mk", "layer_capacity_j_m3k",
            "vegetation", "source")


@dataclass(frozen=True)
class SurfaceCover:
    """A ground cover's surface and thermal properties (see the module docstring).

    Attributes
    ----------
    name : the cover's name.
    albedo : shortwave reflectance, in [0, 1).
    emissivity : longwave emissivity, in (0, 1].
    z0_m : roughness length for momentum, m.
    sealed : no water enters or leaves (no latent heat).
    layer_m : thickness of the cover's own layer over the soil (0: none), m.
    layer_conductivity_w_mk, layer_capacity_j_m3k : its conductivity and volumetric heat capacity.
    vegetation : the vegetation of ``soil_vegetation.csv`` whose evapotranspiration gives the latent
        heat ("" for sealed covers).
    source : where the values come from.
    """

    name: str
    albedo: float
    emissivity: float
    z0_m: float
    sealed: bool
    layer_m: float = 0.0
    layer_conductivity_w_mk: float = 1.0
    layer_capacity_j_m3k: float = 2.0e6
    vegetation: str = ""
    source: str = ""

    def check(self, *, path=None) -> SurfaceCover:
        """Raise :class:`InputError` (naming the file, the cover and the field) on a missing or
        out-of-range value; return self."""
        def bad(field, msg):
            raise InputError(msg, path=path, obj=f"cover {self.name!r}", field=field)

        for field in ("albedo", "emissivity", "z0_m", "layer_m"):
            v = getattr(self, field)
            if v is None or not isinstance(v, (int, float)) or not math.isfinite(v):
                bad(field, f"the cover has no {field} (give a finite number)")
        if not 0.0 <= self.albedo < 1.0:
            bad("albedo", f"albedo must lie in [0, 1), got {self.albedo:g}")
        if not 0.0 < self.emissivity <= 1.0:
            bad("emissivity", f"emissivity must lie in (0, 1], got {self.emissivity:g}")
        if not 1e-5 <= self.z0_m <= 2.0:
            bad("z0_m", f"roughness length must lie in [1e-5, 2] m, got {self.z0_m:g}")
        if not 0.0 <= self.layer_m <= 1.0:
            bad("layer_m", f"layer thickness must lie in [0, 1] m, got {self.layer_m:g}")
        if self.layer_m > 0:
            for field in ("layer_conductivity_w_mk", "layer_capacity_j_m3k"):
                v = getattr(self, field)
                if v is None or not math.isfinite(v) or v <= 0:
                    bad(field, f"a cover with a layer needs a positive {field}")
        if not self.sealed and not self.vegetation:
            bad("vegetation", "an unsealed cover needs the vegetation that gives its evapotranspiration")
        return self


def _number(text: str) -> float | None:
    text = (text or "").strip()
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return float("nan")


def read_surface_covers(path=None) -> dict[str, SurfaceCover]:
    """The cover table (default ``twin/data/soil_surface_covers.csv``), keyed by cover name.

    Raises
    ------
    InputError
        A missing column, or a cover with a missing or out-of-range value (no albedo or no
        emissivity among them), naming the file, the cover and the field.
    """
    p = Path(path) if path is not None else DEFAULT_TABLE
    try:
        with open(p, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
            fields = rows[0].keys() if rows else []
    except OSError as exc:
        raise InputError(f"cannot read the surface cover table ({exc.strerror})", path=str(p)) from None
    for col in REQUIRED:
        if col not in fields:
            raise InputError("the surface cover table has no such column", path=str(p), field=col)
    out = {}
    for row in rows:
        name = row["cover"].strip()
        num = {f: _number(row[f]) for f in ("albedo", "emissivity", "z0_m", "layer_m", "layer_conductivity_w_mk", "layer_capacity_j_m3k")}
        sealed = row["sealed"].strip().lower()
        if sealed not in ("true", "false"):
            raise InputError("sealed must be true or false", path=str(p), obj=f"cover {name!r}", field="sealed")
        cover = SurfaceCover(
            name=name, albedo=num["albedo"], emissivity=num["emissivity"], z0_m=num["z0_m"], sealed=sealed == "true",
            layer_m=num["layer_m"] if num["layer_m"] is not None else 0.0,
            layer_conductivity_w_mk=num["layer_conductivity_w_mk"] if num["layer_conductivity_w_mk"] is not None else 1.0,
            layer_capacity_j_m3k=num["layer_capacity_j_m3k"] if num["layer_capacity_j_m3k"] is not None else 2.0e6,
            vegetation=row["vegetation"].strip(), source=row["source"].strip(),
        )
        out[name] = cover.check(path=str(p))
    return out


def aerodynamic_resistance_s_m(wind_m_s, z0_m: float, *, height_m: float = WIND_HEIGHT_M, z0h_ratio: float = Z0H_RATIO,
                               min_wind_m_s: float = MIN_WIND_M_S) -> np.ndarray:
    """Neutral aerodynamic resistance to heat ``ln(z/z0m) ln(z/z0h) / (k^2 u)``, s/m."""
    u = np.maximum(np.asarray(wind_m_s, dtype=float), min_wind_m_s)
    return math.log(height_m / z0_m) * math.log(height_m / (z0_m * z0h_ratio)) / (VON_KARMAN**2 * u)


@dataclass
class SurfaceEnergyResult:
    """Hourly results of :func:`run_surface_energy` (one row per hour of the reported period).

    Attributes
    ----------
    cover : the cover run.
    index : the weather's timestamps of the hours (end of each hour).
    t_surface_c : surface temperature at the end of each hour, degC.
    t_surface_mean_c : mean surface temperature over the hour, degC.
    t_air_c : air temperature (mean of the readings at the start and the end of the hour), degC.
    t_depth_c : (n, n_depths) temperatures at ``depths_m``, degC.
    depths_m : the depths of ``t_depth_c``, m.
    net_radiation_w_m2, sensible_w_m2, latent_w_m2, ground_w_m2 : hourly means, W/m2.
    closure_w_m2 : ``Rn - H - LE - G`` of each hour, W/m2.
    newton_failures : steps whose Newton iteration did not converge (0 expected).
    """

    cover: SurfaceCover
    index: object
    t_surface_c: np.ndarray
    t_surface_mean_c: np.ndarray
    t_air_c: np.ndarray
    t_depth_c: np.ndarray
    depths_m: np.ndarray
    net_radiation_w_m2: np.ndarray
    sensible_w_m2: np.ndarray
    latent_w_m2: np.ndarray
    ground_w_m2: np.ndarray
    closure_w_m2: np.ndarray
    newton_failures: int


def _weather_columns(weather, path=None):
    data = weather.data if hasattr(weather, "data") else weather
    where = getattr(weather, "source", "") or path
    out = {}
    for col in ("dry_bulb_c", "ghi_w_m2", "horizontal_ir_w_m2", "wind_speed_m_s", "pressure_pa"):
        if col not in data:
            raise InputError("the weather has no such column (needed for the surface energy balance)", path=where, field=col)
        v = data[col].to_numpy(dtype=float)
        if not np.all(np.isfinite(v)):
            bad = int(np.flatnonzero(~np.isfinite(v))[0])
            raise InputError("missing value (needed for the surface energy balance)", path=where, obj=str(data.index[bad]), field=col)
        out[col] = v
    return out


def _water_and_latent(cover: SurfaceCover, weather, material, z, first: int, stop: int, h_initial_m: float, kc_scale: float = 1.0,
                      path=None):
    """Hourly water-content profiles ((n, nn)) and latent heat (W/m2) of hours ``first..stop-1``."""
    n = stop - first
    if cover.sealed:
        return np.broadcast_to(float(material.theta(h_initial_m)), (n, len(z))), np.zeros(n)
    from twin.soil.roots import root_density
    from twin.soil.solver import Forcing, ForcingSet, Profile, run_richards
    from twin.soil.vegetation import read_vegetation_table, vegetation_forcing
    from twin.soil.year import _weather_arrays

    table = read_vegetation_table()
    if cover.vegetation not in table:
        raise InputError(f"unknown vegetation {cover.vegetation!r} (soil_vegetation.csv)", path=path, obj=f"cover {cover.name!r}",
                         field="vegetation")
    veg = table[cover.vegetation]
    et0_mm, rain_mm, doy, _ = _weather_arrays(weather, None, path=path)
    sl = slice(first, stop)
    vf = vegetation_forcing(veg, kc_scale * et0_mm[sl], rain_mm[sl], doy[sl])
    roots = root_density(z, veg.rooting_depth_m, shape=veg.root_shape) if veg.has_roots else None
    prof = Profile(z, np.zeros(len(z), dtype=np.int64), roots)
    edges = np.arange(n + 1) * 3600.0
    forcing = Forcing(edges, rain_mm[sl] / 1000.0 / 3600.0, sets=[ForcingSet(vf.throughfall_m_s, vf.evaporation_m_s, vf.transpiration_m_s, veg.name)])
    res = run_richards([prof], [material], np.zeros(1, dtype=np.int64), np.full((1, len(z)), h_initial_m), forcing,
                       output_times_s=edges, column_set=np.zeros(1, dtype=np.int64), feddes=[veg.feddes])
    from twin.kernels import soil_richards as R

    cum = res.cumulative_m[:, 0, :]
    water = np.diff(cum[:, R.C_EVAP] + cum[:, R.C_TRANSP]) + vf.interception_evaporation_m
    latent = LATENT_HEAT_J_KG * WATER_DENSITY_KG_M3 * water / 3600.0
    theta = res.theta[1:, 0, :]
    return np.asarray(theta, dtype=float), latent


def hottest_days(weather, n: int = 3) -> list[int]:
    """Row indices of the first hour of the ``n`` days with the highest daily maximum air
    temperature (days of 24 rows from the first row), hottest first."""
    temp = (weather.data if hasattr(weather, "data") else weather)["dry_bulb_c"].to_numpy(dtype=float)
    days = len(temp) // 24
    tmax = temp[: days * 24].reshape(days, 24).max(axis=1)
    order = np.argsort(-tmax, kind="stable")[:n]
    return [int(d) * 24 for d in order]


def run_surface_energy(
    weather,
    cover: SurfaceCover,
    *,
    start_row: int,
    n_hours: int,
    spin_up_hours: int = 24 * 45,
    soil_texture: str = "Loam",
    quartz: float = 0.4,
    h_initial_m: float = -1.0,
    depth_m: float = 2.0,
    depths_m=(0.05, 0.10, 0.30),
    n_sub: int = 6,
    kc_scale: float = 1.0,
    path=None,
) -> SurfaceEnergyResult:
    """Surface and ground temperatures of ``cover`` over ``n_hours`` weather rows from ``start_row``.

    The soil water and heat are spun up over ``spin_up_hours`` before (from a uniform head
    ``h_initial_m`` and the mean air temperature of the whole run, which is also held at
    ``depth_m``). ``kc_scale`` scales the crop coefficient of the cover's vegetation (its
    potential evapotranspiration).

    Raises
    ------
    InputError
        A cover without albedo or emissivity (or any out-of-range value), a weather column
        missing, hours outside the weather year.
    SimulationError
        Non-finite results.
    """
    from twin.kernels import surface_energy as K
    from twin.soil.heat import de_vries_capacity, johansen_conductivity
    from twin.soil.hydraulics import texture_material
    from twin.soil.solver import graded_profile

    cover.check(path=path)
    w = _weather_columns(weather, path=path)
    n_all = len(w["dry_bulb_c"])
    first = start_row - spin_up_hours
    stop = start_row + n_hours
    if n_hours < 1 or spin_up_hours < 0 or first < 1 or stop > n_all:
        raise InputError(f"hours {first}..{stop} lie outside the weather's rows 1..{n_all} (the first row starts the "
                         "air-temperature average)", path=path, field="start_row")
    if not (math.isfinite(kc_scale) and 0.0 < kc_scale <= 2.0):
        raise InputError(f"crop-coefficient scale must lie in (0, 2], got {kc_scale!r}", field="kc_scale")
    if not 1 <= n_sub <= 360:
        raise InputError(f"steps per hour must be in [1, 360], got {n_sub}", field="n_sub")
    material = texture_material(soil_texture)
    layers = [(0.0, depth_m, 0)]
    if cover.layer_m > 0:
        layers = [(0.0, cover.layer_m, 1), (cover.layer_m, depth_m, 0)]
    prof = graded_profile(layers, dz_top_m=0.01, dz_max_m=0.10, growth=1.2)
    z = prof.z_m
    theta, latent = _water_and_latent(cover, weather, material, z, first, stop, h_initial_m, kc_scale, path=path)
    porosity = float(material.theta_s)
    theta = np.clip(theta, 0.0, porosity)
    lam = johansen_conductivity(theta, porosity, quartz=quartz)
    cap = de_vries_capacity(theta, porosity)
    if cover.layer_m > 0:
        in_layer = prof.material == 1
        in_layer[np.flatnonzero(in_layer).max() + 1:] = False
        lam = np.array(lam)
        cap = np.array(cap)
        lam[:, in_layer] = cover.layer_conductivity_w_mk
        cap[:, in_layer] = cover.layer_capacity_j_m3k
    sl = slice(first, stop)
    t_air = 0.5 * (w["dry_bulb_c"][first - 1:stop - 1] + w["dry_bulb_c"][sl])
    pressure = 0.5 * (w["pressure_pa"][first - 1:stop - 1] + w["pressure_pa"][sl])
    wind = 0.5 * (w["wind_speed_m_s"][first - 1:stop - 1] + w["wind_speed_m_s"][sl])
    n = stop - first
    forcing = np.zeros((n, K.N_FORCE))
    forcing[:, K.F_SW] = w["ghi_w_m2"][sl]
    forcing[:, K.F_LW] = w["horizontal_ir_w_m2"][sl]
    forcing[:, K.F_TAIR] = t_air
    forcing[:, K.F_RA] = aerodynamic_resistance_s_m(wind, cover.z0_m)
    forcing[:, K.F_LE] = latent
    forcing[:, K.F_RHO_CP] = pressure / (R_DRY_AIR_J_KGK * (t_air + K.KELVIN)) * CP_AIR_J_KGK
    bottom = float(t_air.mean())
    col = K.SurfaceColumn(np.ascontiguousarray(z), np.ascontiguousarray(lam, dtype=float), np.ascontiguousarray(cap, dtype=float),
                          float(cover.albedo), float(cover.emissivity), bottom)
    temp = np.full(len(z), bottom)
    out = np.zeros((n, K.N_OUT))
    out_temp = np.zeros((n, len(z)))
    work = np.zeros((K.N_WORK, len(z)))
    fails = K.surface_energy_column(col, forcing, 3600.0, int(n_sub), 1.0e-10, 50, temp, out, out_temp, work)
    if not (np.all(np.isfinite(out)) and np.all(np.isfinite(out_temp))):
        raise SimulationError("the surface energy balance gave non-finite temperatures", obj=f"cover {cover.name!r}", field="t_surface_c")
    keep = slice(spin_up_hours, n)
    data = weather.data if hasattr(weather, "data") else weather
    depths = np.asarray(depths_m, dtype=float)
    t_depth = np.array([np.interp(depths, z, p) for p in out_temp[keep]])
    o = out[keep]
    return SurfaceEnergyResult(
        cover=cover, index=data.index[start_row:stop], t_surface_c=o[:, K.O_T_SURF].copy(), t_surface_mean_c=o[:, K.O_T_SURF_MEAN].copy(),
        t_air_c=t_air[keep].copy(), t_depth_c=t_depth, depths_m=depths, net_radiation_w_m2=o[:, K.O_RN].copy(),
        sensible_w_m2=o[:, K.O_H].copy(), latent_w_m2=o[:, K.O_LE].copy(), ground_w_m2=o[:, K.O_G].copy(),
        closure_w_m2=o[:, K.O_RN] - o[:, K.O_H] - o[:, K.O_LE] - o[:, K.O_G], newton_failures=int(fails),
    )


def with_properties(cover: SurfaceCover, **changes) -> SurfaceCover:
    """A copy of ``cover`` with some properties changed (checked)."""
    return replace(cover, **changes).check()
