"""The finer zone model (ISO 52016-1 style, :mod:`twin.energy.iso52016`) for a whole building stock.

The stock's envelope table (:mod:`twin.energy.model`: TABULA U-values and b-factors, areas per
orientation, heat-capacity class, windows, air change, gains, setpoints, F_red_temp) has no
layers; the finer model needs them. Each building gets **inferred layered constructions**
(provenance ``inference``; the layer library is a ``default``), then one thermal network per
building (the same node, link and source rules as the spec path's
:func:`twin.energy.iso52016.build_network`), the modal arrays of
:func:`twin.energy.iso52016.modal_arrays` and one call of the Numba kernel
:func:`twin.kernels.energy_iso52016.simulate_iso52016` for all buildings, on the stock's shared
drivers (:func:`twin.energy.solar.standard_drivers`: one irradiance row per orientation group).
The results are the 5R1C path's :class:`~twin.energy.simulate.StockResults`, so the energy
accounts, KPIs and outputs are the same tables whichever model ran.

Mapping (envelope row -> zone), documented assumptions
------------------------------------------------------
* **Films**: ISO 6946:2017 Table 7: ``R_si`` 0.13 (walls, horizontal flow), 0.10 (roof, upward),
  0.17 (floor, downward), ``R_se`` the factor table's 0.04 m2K/W. The U-values of the envelope
  are air-to-air with these films.
* **Target U** of an element: ``F_red * b * U`` (TABULA's temperature reduction factor when the
  conventions apply it, and the b-factor of unheated neighbours / ground), so the steady-state
  loss of each element is the 5R1C path's ``F_red b U A``.
* **Layer stack** (outside -> inside): an insulation layer whose thickness makes the
  construction's air-to-air U equal the target, then a structural layer:
  walls and roof: ``concrete block`` 0.100 m when the heat-capacity class is medium or heavier
  (``c_m`` >= :data:`MASSIVE_C_M_WH_M2K`), else ``plasterboard`` 0.012 m; floor: ``concrete slab``
  0.080 m. When the structural layer alone resists more than the target allows (old, poorly
  insulated elements), there is no insulation and its conductivity is raised to
  ``d / R_target``. Materials: :data:`MATERIALS` (ASHRAE Standard 140 / BESTEST cases 600 and
  900 material tables, the same values as ``tests/energy_data/bestest_*.yaml``).
* **Internal mass**: the class's heat capacity ``C_m = c_m A_f`` (ISO 13790 §12.3.1: the
  effective internal capacity of every surface facing the zone) minus the internal areal heat
  capacity ``kappa A`` of the exterior constructions (ISO 13786 Annex A.2 effective thickness,
  :meth:`twin.energy.spec.Construction.kappa`) is one-sided concrete block (adiabatic back) of
  area ``max(4.5 A_f - A_exterior, 0.5 A_f)`` (ISO 13790 §7.2.2.2 ``A_t = 4.5 A_f``: the
  internal partitions, floors and party walls) and the thickness that holds it.
* **Doors** (massless, ``F_red U_door A_door``) and **thermal bridges** (``F_red delta_U_tb
  A_envelope``, TABULA) are direct conductances from the air node to the outdoor air; the
  ventilation ``F_red H_ve`` (TABULA ``0.34 Wh/(m3 K) n V``) as well; the zone air holds
  ``0.34 Wh/(m3 K) V``.
* **Windows**: per orientation group (``win_n`` ... ``win_h``), ``U_w F_red``, ``g (1 - F_F)``
  (times TABULA's ``F_sh,vert`` with ``external_shading="tabula"``), glazing angular model of
  the drivers (:class:`twin.energy.solar.Glazing` defaults); the sky long-wave and the opaque
  solar only with ``Conventions.opaque_solar`` (as the 5R1C path), emissivity and absorptance
  of the factor table.
  The envelope table has no overhang or fin columns; a zone built from a spec
  (:func:`zone_from_spec`) puts a shaded window in a shaded group of the drivers
  (:class:`twin.energy.solar.ShadedWindows`, ``win_s~<id>``, one row per distinct geometry).
* **Urban shading** (``shade_factor``, monthly per group): exact, by splitting each irradiance
  group into twelve monthly inputs (the kernel skips inputs that are zero in an hour).
* Interior convection: the spec path's default (``tarp``), radiative star node, solar first on
  the floor: the rules of :func:`twin.energy.iso52016.build_network`.
* **Exterior surfaces** (``Conventions.exterior_convection``): ``fixed`` keeps the film
  ``R_se``; ``doe2`` (the model BESTEST validates, ``docs/energy_iso52016.md``) gives every
  exterior wall, roof and window an hourly link to the outdoor air, as the spec path does: the
  walls of an orientation face its azimuth (north 0 ... west 270 degrees) at half the building's
  height, the roof and roof windows face up at its height (``height_m`` of the envelope: the
  scene's height; else ``volume_m3 / a_floor_m2``, e.g. TABULA's reference buildings, whose
  ``n_Storey`` is not always the storeys of ``A_C_Ref``; noted in the layer table's
  ``exterior_height_source``), the site ``terrain`` and the opaque surfaces' ``roughness`` are
  the conventions' (glass very smooth). The floor on the ground has none.
* **Control temperature** (``Conventions.control_temperature``, default ``operative``): the
  setpoints apply to the operative temperature of ISO 52016-1 §6.5.5 (half the air's, half the
  area-weighted mean of the interior surfaces'), the "internal temperature" TABULA's set-point
  means; ``air`` as the BESTEST cases (the spec path's default).

References
----------
ISO 52016-1:2017 §6.5.6; ISO 13790:2008 §7.2.2.2, §12.3.1, Table 12; ISO 6946:2017 Table 7;
ISO 13786:2017 Annex A; ANSI/ASHRAE Standard 140 (cases 600 and 900 material properties);
Loga & Diefenbach (2013), TABULA calculation method.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from twin import option_names
from twin.errors import InputError

#: The zone models a stock (or scenario) can name; ``5r1c`` is the default (there for the command line).
MODELS: tuple[str, ...] = option_names.ZONE_MODELS
DEFAULT_MODEL = "5r1c"

#: Layer materials (thermal conductivity W/(m K), density kg/m3, specific heat J/(kg K)):
#: ASHRAE Standard 140 cases 600 (light) and 900 (heavy) material tables.
MATERIALS: dict[str, tuple[float, float, float]] = {
    "fiberglass quilt": (0.040, 12.0, 840.0),
    "plasterboard": (0.160, 950.0, 840.0),
    "concrete block": (0.510, 1400.0, 1000.0),
    "concrete slab": (1.130, 1400.0, 1000.0),
}
#: Structural layer thickness, m: concrete block (walls, roof, internal mass), plasterboard, slab.
BLOCK_M, BOARD_M, SLAB_M = 0.100, 0.012, 0.080
#: Heat capacity per floor area from which walls and roof are massive, Wh/(m2 K): midway between
#: ISO 13790 Table 12 "light" (110 kJ = 30.6 Wh) and "medium" (165 kJ = 45.8 Wh).
MASSIVE_C_M_WH_M2K = 38.0
#: Interior surface resistances, m2K/W (ISO 6946:2017 Table 7).
R_SI_WALL, R_SI_ROOF, R_SI_FLOOR = 0.13, 0.10, 0.17
#: Volumetric heat capacity of air, J/(m3 K) (TABULA's 0.34 Wh/(m3 K), as the 5R1C path).
RHO_C_AIR_J_M3K = 0.34 * 3600.0
#: Provenance of the inferred constructions (``constructions_source`` of the layer table).
CONSTRUCTIONS_SOURCE = ("inference: layer stack from the element's U-value x b x F_red and the heat-capacity class "
                        "(twin.energy.stock_iso52016; materials: default, ASHRAE 140 cases 600/900)")
#: The temperatures the finer model's setpoints can apply to (``ZoneInput.control_temperature``; there for the command line).
CONTROL_TEMPERATURES: tuple[str, ...] = option_names.CONTROL_TEMPERATURES
#: Warm-up hours of the finer model (the spec path's default).
DEFAULT_WARMUP_HOURS = 720

_ORIENT = {"n": 0.0, "e": 90.0, "s": 180.0, "w": 270.0}


def check_model(model: str, *, field_name: str = "energy.model") -> str:
    """``model`` if it names a zone model (:data:`MODELS`), else :class:`~twin.errors.InputError`."""
    if not isinstance(model, str) or model not in MODELS:
        raise InputError(f"unknown zone model {model!r}: choose one of {', '.join(MODELS)}", field=field_name)
    return model


@dataclass
class ZoneInput:
    """One building as the finer model's network builder takes it (SI units).

    ``surfaces``: dicts with ``name``, ``kind`` (``wall`` / ``ceiling`` / ``floor``, for the
    interior convection), ``tilt_deg``, ``group`` (irradiance group of the drivers, None without
    sun), ``area_m2``, ``construction`` (:class:`twin.energy.spec.Construction`), ``r_si_m2k_w``,
    ``boundary`` (``exterior`` / ``outdoor_no_sun`` / ``adiabatic``), ``solar`` (bool: absorbed
    solar and sky long-wave on the exterior surface). ``windows``: dicts with ``group``,
    ``tilt_deg``, ``area_m2``, ``u_w_m2k``, ``solar_coeff`` (``g (1 - F_F) [F_sh]``), ``g``,
    ``frame_fraction``, ``r_se_m2k_w``, ``r_si_m2k_w``, ``emissivity``, ``sky`` (bool),
    ``glazing`` (:class:`twin.energy.solar.Glazing`). ``internal_mass``: (construction, area).
    ``h_ve_w_k``: constant ventilation conductance, W/K; ``h_ve_sched_w_k``: scheduled
    ventilation conductance at multiplier 1 (the drivers' ``ve_schedule`` row), W/K.
    ``exterior_convection`` (:data:`twin.energy.iso52016.EXTERIOR_CONVECTION`): ``doe2`` gives every
    surface and window with an ``exterior_wind`` entry (outward azimuth in degrees, -1 for a roof;
    ``R_f``; ``V_z / V_10``; emissivity; the natural-convection ``c`` when warmer and when colder
    than the outdoor air) an hourly exterior link; ``fixed``: the films only.
    ``control_temperature`` (:data:`CONTROL_TEMPERATURES`): the temperature the setpoints apply to,
    ``air`` or ``operative`` (ISO 52016-1 §6.5.5.3: half the air temperature and half the
    area-weighted mean of every interior surface facing the zone, the mean radiant temperature).
    """

    building_id: str
    a_f_m2: float
    c_air_j_k: float
    h_ve_w_k: float
    h_direct_w_k: float
    gain_w: float
    gain_conv_frac: float
    surfaces: list[dict] = field(default_factory=list)
    windows: list[dict] = field(default_factory=list)
    internal_mass: list[tuple] = field(default_factory=list)
    phi_h_max_w: float = np.inf
    phi_c_max_w: float = np.inf
    h_ve_sched_w_k: float = 0.0
    exterior_convection: str = "fixed"
    control_temperature: str = "air"


# ------------------------------------------------------------------------------- constructions


def layer_stack(u_target_w_m2k: float, r_si: float, r_se: float, structure: str, thickness_m: float):
    """Layered construction (outside -> inside) of air-to-air U ``u_target_w_m2k`` (see the module docstring).

    Returns a :class:`twin.energy.spec.Construction` without films (the caller's ``r_si``/``r_se``
    are set on it), or raises ValueError when the target is above what the films allow.
    """
    from twin.energy.spec import Construction, Layer

    r_layers = 1.0 / u_target_w_m2k - r_si - r_se
    if not r_layers > 0:
        raise ValueError(f"U-value {u_target_w_m2k:.3g} W/(m2 K) is above the surface films' limit {1 / (r_si + r_se):.3g}")
    lam, rho, c = MATERIALS[structure]
    r_struct = thickness_m / lam
    layers = []
    if r_layers > r_struct:
        lam_i, rho_i, c_i = MATERIALS["fiberglass quilt"]
        layers.append(Layer(name="insulation (inferred)", thickness_m=(r_layers - r_struct) * lam_i, conductivity_w_mk=lam_i,
                            density_kg_m3=rho_i, heat_capacity_j_kgk=c_i))
    else:
        lam = thickness_m / r_layers
    layers.append(Layer(name=structure, thickness_m=thickness_m, conductivity_w_mk=lam, density_kg_m3=rho, heat_capacity_j_kgk=c))
    return Construction(layers=layers, r_si_m2k_w=r_si, r_se_m2k_w=r_se)


def zones_from_envelope(env: pd.DataFrame, *, conventions=None, factors: dict | None = None) -> tuple[list[ZoneInput | None], list[tuple[int, str, str]], pd.DataFrame]:
    """Zone inputs of every row of a (validated) envelope table.

    Returns ``(zones, errors, layers)``: a :class:`ZoneInput` per row (None for a row that cannot
    be built), the problems ``(row, field, message)``, and the layer table (one row per building:
    ``building_id``, per element the insulation thickness and structural layer, the internal
    mass area and thickness, ``constructions_source``).
    """
    from twin.energy.model import Conventions, load_factors, temperature_reduction, transmission, ventilation
    from twin.energy.solar import Glazing
    from twin.energy.spec import Construction, Layer

    conventions = conventions if conventions is not None else Conventions()
    check_conventions(conventions)
    wind = conventions.exterior_convection == "doe2"
    f = {**load_factors(), **(factors or {})}
    r_se, alpha, eps = float(f["r_se_m2k_w"]), float(f["solar_absorptance"]), float(f["emissivity"])
    heights, height_source = _exterior_heights(env) if wind else (None, None)
    h_op, h_w = transmission(env)
    f_red = temperature_reduction(env, h_op + h_w) if conventions.temperature_reduction else np.ones(len(env))
    h_ve = f_red * ventilation(env)
    sun = bool(conventions.opaque_solar)
    f_sh = env["f_sh_vert"].to_numpy(dtype=float) if conventions.external_shading == "tabula" else np.ones(len(env))
    if conventions.window_f_w:
        f_sh = f_sh * env["f_w"].to_numpy(dtype=float)
    col = {c: env[c].to_numpy() for c in env.columns if not c.endswith("_source")}
    zones: list[ZoneInput | None] = []
    errs: list[tuple[int, str, str]] = []
    rows = []
    lam_b, rho_b, c_b = MATERIALS["concrete block"]
    glazing = Glazing()
    for i in range(len(env)):
        bid = str(col["building_id"][i])
        a_f = float(col["a_f_m2"][i])
        c_m = float(col["c_m_wh_m2k"][i])
        massive = c_m >= MASSIVE_C_M_WH_M2K
        struct, d_struct = ("concrete block", BLOCK_M) if massive else ("plasterboard", BOARD_M)
        fr = float(f_red[i])
        try:
            cons = {}
            for el, u_col, b_col, r_si, s, d in (("wall", "u_wall_w_m2k", "b_wall", R_SI_WALL, struct, d_struct),
                                                 ("roof", "u_roof_w_m2k", "b_roof", R_SI_ROOF, struct, d_struct),
                                                 ("floor", "u_floor_w_m2k", "b_floor", R_SI_FLOOR, "concrete slab", SLAB_M)):
                u = fr * float(col[b_col][i]) * float(col[u_col][i])
                try:
                    cons[el] = None if u <= 0 else layer_stack(u, r_si, r_se, s, d)
                except ValueError as exc:
                    raise _RowError(u_col, str(exc)) from None
            surfaces = []
            a_ext = 0.0
            for o in _ORIENT:
                a = float(col[f"a_wall_{o}_m2"][i])
                a_ext += a
                surfaces.append(_surface(f"wall_{o}", "wall", 90.0, f"opq_{o}", a, cons["wall"], R_SI_WALL, sun, alpha, eps, struct))
            a_roof, a_floor = float(col["a_roof_m2"][i]), float(col["a_floor_m2"][i])
            surfaces.append(_surface("roof", "ceiling", 0.0, "roof", a_roof, cons["roof"], R_SI_ROOF, sun, alpha, eps, struct))
            surfaces.append(_surface("floor", "floor", 180.0, None, a_floor, cons["floor"], R_SI_FLOOR, False, alpha, eps, "concrete slab"))
            a_ext += a_roof + a_floor
            windows = []
            u_win = fr * float(col["u_window_w_m2k"][i])
            g_eff = float(col["g_window"][i]) * (1.0 - float(col["f_frame"][i]))
            for o in (*_ORIENT, "h"):
                a = float(col[f"a_win_{o}_m2"][i])
                a_ext += a
                if a <= 0:
                    continue
                tilt = 0.0 if o == "h" else 90.0
                r_si = R_SI_ROOF if o == "h" else R_SI_WALL
                if not (u_win > 0 and 1.0 / u_win - r_se - r_si > 0):
                    raise _RowError("u_window_w_m2k", f"window U {u_win:.3g} W/(m2 K) is not within (0, {1 / (r_se + r_si):.3g}] (surface films)")
                windows.append({"group": f"win_{o}", "tilt_deg": tilt, "area_m2": a, "u_w_m2k": u_win, "solar_coeff": g_eff * float(f_sh[i]),
                                "g": float(col["g_window"][i]), "frame_fraction": float(col["f_frame"][i]), "r_se_m2k_w": r_se,
                                "r_si_m2k_w": r_si, "emissivity": eps, "sky": sun, "glazing": glazing})
            a_door = float(col["a_door_m2"][i])
            a_ext += a_door
            h_tb = fr * float(col["delta_u_tb_w_m2k"][i]) * a_ext
            h_door = fr * float(col["u_door_w_m2k"][i]) * a_door
            # internal mass: the class's C_m minus what the exterior constructions hold
            kappa_ext = sum(s["construction"].kappa() * s["area_m2"] for s in surfaces if s["construction"] is not None)
            c_rem = c_m * 3600.0 * a_f - kappa_ext
            internal = []
            a_int = d_int = 0.0
            if c_rem > 0:
                a_int = max(4.5 * a_f - a_ext, 0.5 * a_f)
                d_int = c_rem / (rho_b * c_b * a_int)
                im = Construction(layers=[Layer(name="concrete block (internal mass)", thickness_m=d_int, conductivity_w_mk=lam_b,
                                                density_kg_m3=rho_b, heat_capacity_j_kgk=c_b)], r_si_m2k_w=R_SI_WALL)
                internal.append((im, a_int))
            volume = float(col["volume_m3"][i])
            if wind:
                _add_exterior_wind(surfaces, windows, conventions, float(heights[i]))
            zones.append(ZoneInput(
                building_id=bid, a_f_m2=a_f, c_air_j_k=RHO_C_AIR_J_M3K * volume, h_ve_w_k=float(h_ve[i]), h_direct_w_k=h_tb + h_door,
                gain_w=float(col["phi_int_w_m2"][i]) * a_f, gain_conv_frac=float(conventions.gain_conv_frac),
                surfaces=surfaces, windows=windows, internal_mass=internal, exterior_convection=conventions.exterior_convection,
                control_temperature=conventions.control_temperature,
            ))
            row = {"building_id": bid}
            for el in ("wall", "roof", "floor"):
                c = cons[el]
                row[f"{el}_insulation_m"] = 0.0 if c is None or len(c.layers) == 1 else c.layers[0].thickness_m
                row[f"{el}_structure"] = None if c is None else c.layers[-1].name
                row[f"{el}_structure_w_mk"] = np.nan if c is None else c.layers[-1].conductivity_w_mk
            row.update({"internal_mass_m2": a_int, "internal_mass_m": d_int, "constructions_source": CONSTRUCTIONS_SOURCE})
            if wind:
                row.update({"exterior_height_m": float(heights[i]), "exterior_height_source": height_source[i]})
            rows.append(row)
        except _RowError as exc:
            zones.append(None)
            errs.append((i, exc.field, exc.message))
    return zones, errs, pd.DataFrame(rows)


def check_conventions(conventions) -> None:
    """:class:`~twin.errors.InputError` unless the finer model's conventions (exterior model, terrain,
    roughness, control temperature) are known names, naming the scenario field."""
    from twin.energy.iso52016 import EXTERIOR_CONVECTION, ROUGHNESS_RF, TERRAIN

    for name, value, known in (("exterior_convection", conventions.exterior_convection, EXTERIOR_CONVECTION),
                               ("terrain", conventions.terrain, tuple(TERRAIN)), ("roughness", conventions.roughness, tuple(ROUGHNESS_RF)),
                               ("control_temperature", conventions.control_temperature, CONTROL_TEMPERATURES)):
        if value not in known:
            raise InputError(f"unknown {name.replace('_', ' ')} {value!r}: choose one of {', '.join(known)}", field=f"energy.{name}")


def _exterior_heights(env: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the building height (m) the exterior links take the wind to, and where it came from.

    The envelope's ``height_m`` where finite and positive, else the conditioned volume over the
    ground-floor area (``volume_m3 / a_floor_m2``: TABULA's room-height convention, below the
    true height by the slabs and the net-to-gross floor area).
    """
    n = len(env)
    given = env["height_m"].to_numpy(dtype=float) if "height_m" in env else np.full(n, np.nan)
    src_given = env["height_m_source"].astype(str).to_numpy() if "height_m_source" in env else np.full(n, "height_m", dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = env["volume_m3"].to_numpy(dtype=float) / env["a_floor_m2"].to_numpy(dtype=float)
    ok = np.isfinite(given) & (given > 0)
    heights = np.where(ok, given, estimate)
    source = np.where(ok, src_given, "inference: volume_m3 / a_floor_m2 (no usable height_m)")
    return heights, source


def exterior_wind_entry(azimuth_deg: float | None, r_f: float, eps: float, *, terrain: str, height_m: float) -> tuple[float, ...]:
    """The ``exterior_wind`` entry of a surface (see :class:`ZoneInput`): a wall facing
    ``azimuth_deg`` (degrees from north) at half the building height ``height_m``, or the roof
    (``azimuth_deg`` None) at the height; ``R_f`` ``r_f``, emissivity ``eps``, the wind taken to
    that height by ``terrain`` and the TARP natural-convection coefficients of a wall or a roof."""
    from twin.energy.iso52016 import EXTERIOR_C_W_M2K43, wind_factor

    roof = azimuth_deg is None
    c_warm, c_cold = EXTERIOR_C_W_M2K43["roof" if roof else "wall"]
    return (-1.0 if roof else azimuth_deg, r_f, wind_factor(terrain, height_m if roof else 0.5 * height_m), eps, c_warm, c_cold)


def _add_exterior_wind(surfaces: list[dict], windows: list[dict], conventions, height_m: float) -> None:
    """Give each exterior wall, roof and window of a stock zone its ``exterior_wind`` entry (see :class:`ZoneInput`)."""
    from twin.energy.iso52016 import ROUGHNESS_RF

    if not (np.isfinite(height_m) and height_m > 0):
        raise _RowError("height_m", f"the wind-dependent exterior surfaces need a building height above 0 m, got {height_m:g}")
    site = {"terrain": conventions.terrain, "height_m": height_m}
    r_f = ROUGHNESS_RF[conventions.roughness]
    for s in surfaces:
        if s["boundary"] != "exterior" or s["kind"] == "floor":
            continue
        s["exterior_wind"] = exterior_wind_entry(None if s["name"] == "roof" else _ORIENT[s["name"][-1]], r_f, s["construction"].emissivity, **site)
    for w in windows:
        o = w["group"][-1]
        w["exterior_wind"] = exterior_wind_entry(None if o == "h" else _ORIENT[o], ROUGHNESS_RF["very_smooth"], w["emissivity"], **site)


class _RowError(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field, self.message = field_name, message


def _surface(name, kind, tilt, group, area, construction, r_si, sun, alpha, eps, structure) -> dict:
    """An opaque surface of a stock zone; an element without conduction (U = 0) keeps its mass, adiabatic."""
    from twin.energy.spec import Construction, Layer

    boundary = "exterior" if group is not None else "outdoor_no_sun"
    if construction is None:
        lam, rho, c = MATERIALS[structure]
        construction = Construction(layers=[Layer(name=structure, thickness_m=SLAB_M if structure == "concrete slab" else BLOCK_M,
                                                  conductivity_w_mk=lam, density_kg_m3=rho, heat_capacity_j_kgk=c)], r_si_m2k_w=r_si)
        boundary = "adiabatic"
    construction = construction.model_copy(update={"solar_absorptance": alpha, "emissivity": eps})
    return {"name": name, "kind": kind, "tilt_deg": tilt, "group": group, "area_m2": area, "construction": construction,
            "r_si_m2k_w": r_si, "boundary": boundary, "solar": bool(sun) and boundary == "exterior"}


def shaded_windows_of_spec(spec) -> list:
    """The shaded group of each window of a single-zone spec (:class:`twin.energy.solar.ShadedWindows`), None without one.

    A window with an overhang or fins that shade (a depth above 0) gets the group of its facade
    (``win_s`` ...) with the :class:`~twin.energy.solar.WindowShading` of each window of its row,
    as the spec path computes them (:func:`twin.energy.spec.zone_model`: the wall's length and
    height, the window's offsets and sill); equal geometries give equal groups.

    Raises
    ------
    InputError
        An overhang or fins on a roof window (naming the spec and ``windows.<k>.overhang`` or
        ``.fins``).
    """
    from twin.energy import solar
    from twin.energy.spec import _window_shadings

    letter = {"north": "n", "east": "e", "south": "s", "west": "w"}
    out: list = []
    for k, w in enumerate(spec.windows):
        if w.overhang is None and w.fins is None:
            out.append(None)
            continue
        if w.facade == "roof":
            raise InputError("overhangs and fins are for windows in a vertical facade, not a roof window", obj=spec.name,
                             field=f"windows.{k}.{'overhang' if w.overhang is not None else 'fins'}")
        length = spec.zone.width_m if w.facade in ("north", "south") else spec.zone.depth_m
        shadings = tuple(_window_shadings(w, length, spec.zone.height_m))
        out.append(solar.ShadedWindows(f"win_{letter[w.facade]}", shadings) if any(sh.active for sh in shadings) else None)
    return out


def zone_from_spec(spec, weather) -> tuple[ZoneInput, object]:
    """The :class:`ZoneInput` of a single-zone spec on the stock's groups, and the stock drivers.

    For checking the stock path against the spec path (:func:`twin.energy.iso52016.simulate_spec_iso52016`):
    same constructions, films, windows, ventilation, gains and setpoints; the spec's surfaces and
    windows are put in the standard orientation groups (:data:`twin.energy.inputs.STANDARD_GROUPS`),
    and a window with overhangs or fins in its shaded group (:func:`shaded_windows_of_spec`,
    ``win_s~<id>``: :func:`twin.energy.solar.standard_drivers` computes its irradiance with the
    spec path's function). Scheduled flows are split as the spec path splits them
    (:func:`twin.energy.iso52016.spec_drivers`): the zone's ``h_ve_sched_w_k`` and the drivers'
    ``ve_schedule`` row 0.

    Raises
    ------
    InputError
        What the stock drivers do not hold: a horizon (``site.horizon_deg``), an albedo other than
        their 0.2 (``site.albedo``), gain schedules (``gains.schedule``), windows of more than one
        angular glazing model (``windows``: the drivers' window rows are computed with one, the
        windows' own); an overhang or fins on a roof window.
    """
    from dataclasses import replace

    from twin.energy import solar
    from twin.energy.iso52016 import check_wind, spec_drivers
    from twin.energy.spec import _setpoint_series

    if spec.site.horizon_deg is not None:
        raise InputError("the stock drivers have no horizon", obj=spec.name, field="site.horizon_deg")
    if spec.site.albedo != 0.2:
        raise InputError(f"the stock drivers' ground albedo is 0.2, got {spec.site.albedo:g}", obj=spec.name, field="site.albedo")
    if spec.gains is not None and spec.gains.schedule is not None:
        raise InputError("the stock drivers have no gain schedules", obj=spec.name, field="gains.schedule")
    check_wind(spec, weather)
    shaded = shaded_windows_of_spec(spec)
    drv_spec, info = spec_drivers(spec, weather)
    zone = zone_input_from_spec(spec, air_density_kg_m3=info["air_density_kg_m3"], h_ve_w_k=info["h_ve_w_k"],
                                h_ve_sched_w_k=info["h_ve_sched_w_k"], standard_groups=True)
    glazings = {w["glazing"] for w in zone.windows}
    if len(glazings) > 1:
        raise InputError(f"the stock drivers' window rows have one angular glazing model, the spec's windows have {len(glazings)}",
                         obj=spec.name, field="windows")
    glazing = glazings.pop() if glazings else solar.Glazing()
    for w, sw in zip(zone.windows, shaded):
        if sw is not None:
            w["group"] = sw.name
    time = weather.data.index
    drivers = solar.standard_drivers(weather, glazing=glazing, heat_setpoint_c=_setpoint_series(spec.heating, time, spec.calendar.holidays),
                                     cool_setpoint_c=_setpoint_series(spec.cooling, time, spec.calendar.holidays),
                                     shaded_windows=[sw for sw in shaded if sw is not None])
    return zone, replace(drivers, ve_schedule=drv_spec.ve_schedule)


def zone_input_from_spec(spec, *, air_density_kg_m3: float, h_ve_w_k: float, standard_groups: bool, glazing=None,
                         h_ve_sched_w_k: float = 0.0) -> ZoneInput:
    """The :class:`ZoneInput` of a single-zone spec (constructions, films, windows with their ``glazing_gap``).

    ``standard_groups``: the irradiance groups of the stock drivers (``opq_n``, ``win_s``, ...,
    :data:`twin.energy.inputs.STANDARD_GROUPS`) or else the spec path's (``opq_<surface>``,
    ``win_<k>_<facade>``, :func:`twin.energy.spec.zone_model`). ``glazing`` (one
    :class:`twin.energy.iso52016.GlazingGap` or None per window) replaces the spec's
    ``windows.K.glazing_gap``. ``h_ve_w_k``: constant ventilation conductance, W/K;
    ``h_ve_sched_w_k``: scheduled ventilation conductance at multiplier 1, W/K.
    """
    from twin.energy import solar
    from twin.energy.iso52016 import GlazingGap

    if glazing is not None and len(glazing) != len(spec.windows):
        raise InputError(f"glazing needs one entry per window ({len(spec.windows)}), got {len(glazing)}", obj=spec.name, field="windows")
    from twin.energy.iso52016 import ROUGHNESS_RF

    letter = {"north": "n", "east": "e", "south": "s", "west": "w"}

    def exterior_wind(facade: str, r_f: float, eps: float) -> tuple[float, ...]:
        azimuth = None if facade == "roof" else _ORIENT[letter[facade]]
        return exterior_wind_entry(azimuth, r_f, eps, terrain=spec.site.terrain, height_m=spec.zone.height_m)

    surfaces = []
    for s in spec.surfaces():
        con = s["construction"]
        r_si = con.r_si_m2k_w if con.r_si_m2k_w is not None else s["r_si_default"]
        kind = "floor" if s["name"] == "floor" else ("ceiling" if s["name"] == "roof" else "wall")
        if standard_groups:
            group = {"roof": "roof", "floor": None}.get(s["name"], f"opq_{letter.get(s['name'], '')}")
        else:
            group = f"opq_{s['name']}"
        surfaces.append({"name": s["name"], "kind": kind, "tilt_deg": s["tilt_deg"], "group": group if s["boundary"] == "exterior" else None,
                         "area_m2": s["area_m2"], "construction": con, "r_si_m2k_w": r_si, "boundary": s["boundary"],
                         "solar": s["boundary"] == "exterior", "r_si_field": f"envelope.{'wall' if s['tilt_deg'] == 90.0 else s['name']}.r_si_m2k_w",
                         "exterior_wind": exterior_wind(s["name"], ROUGHNESS_RF[con.roughness], con.emissivity)
                         if s["boundary"] == "exterior" and s["name"] != "floor" else None})
    r_si_of = {s["name"]: s["r_si_m2k_w"] for s in surfaces}
    windows = []
    for k, w in enumerate(spec.windows):
        roof = w.facade == "roof"
        if glazing is not None:
            gap = glazing[k]
        elif w.glazing_gap is not None:
            gz = w.glazing_gap
            gap = GlazingGap(pane_thickness_m=gz.pane_thickness_m, pane_conductivity_w_mk=gz.pane_conductivity_w_mk, gap_m=gz.gap_m, emissivity=gz.gap_emissivity)
        else:
            gap = None
        group = ("win_h" if roof else f"win_{letter[w.facade]}") if standard_groups else f"win_{k}_{w.facade}"
        windows.append({"group": group, "tilt_deg": 0.0 if roof else 90.0, "area_m2": w.total_area_m2,
                        "u_w_m2k": w.u_w_m2k, "solar_coeff": w.g * (1 - w.frame_fraction), "g": w.g, "frame_fraction": w.frame_fraction,
                        "r_se_m2k_w": w.r_se_m2k_w, "r_si_m2k_w": r_si_of["roof" if roof else w.facade], "emissivity": w.emissivity, "sky": True,
                        "glazing": solar.Glazing(panes=w.panes, n=w.refractive_index, kl=w.pane_extinction_kl), "gap": gap, "height_m": w.height_m,
                        "exterior_wind": exterior_wind(w.facade, ROUGHNESS_RF["very_smooth"], w.emissivity)})
    gain_w, conv = 0.0, 0.5
    if spec.gains is not None:
        gain_w = spec.gains.power_w if spec.gains.power_w is not None else spec.gains.w_m2 * spec.floor_area_m2
        conv = spec.gains.convective_fraction
    lim_h = np.inf if spec.heating is None or spec.heating.power_max_w is None else float(spec.heating.power_max_w)
    lim_c = np.inf if spec.cooling is None or spec.cooling.power_max_w is None else float(spec.cooling.power_max_w)
    return ZoneInput(building_id=spec.name, a_f_m2=spec.floor_area_m2,
                     c_air_j_k=air_density_kg_m3 * spec.ventilation.air_heat_capacity_j_kgk * spec.volume_m3,
                     h_ve_w_k=float(h_ve_w_k), h_direct_w_k=0.0, gain_w=float(gain_w), gain_conv_frac=float(conv), surfaces=surfaces,
                     windows=windows, internal_mass=[(im.construction, im.area_m2) for im in spec.internal_mass], phi_h_max_w=lim_h, phi_c_max_w=lim_c,
                     h_ve_sched_w_k=float(h_ve_sched_w_k), exterior_convection=spec.simulation.exterior_convection,
                     control_temperature=spec.simulation.control_temperature)


# ------------------------------------------------------------------------------------ network


def zone_network(zone: ZoneInput, groups: tuple[str, ...], *, interior_convection: str = "tarp"):
    """Thermal network of one zone: the builder of both the stock and the spec path (:func:`twin.energy.iso52016.build_network`).

    Inputs ``("t_out", "gain") + groups``. Node order: air, radiative star, opaque surfaces
    (their chains), internal masses, windows. A window dict with ``gap``
    (:class:`twin.energy.iso52016.GlazingGap`) gets the hourly ISO 15099 gap link between its
    pane nodes (``height_m``: glazing height for the gap convection, default ``sqrt(area)``).
    The network's ``h_ve_sched_w_k`` is the zone's (scheduled ventilation at multiplier 1, W/K).
    The window-transmitted solar is split over the interior faces with each construction's
    ``interior_solar_absorptance`` (opaque surfaces and internal masses).
    ``net.info`` holds ``solar_lost_fraction``, ``solar_absorbed`` and ``glazing_gap_links``.

    Raises
    ------
    InputError
        A window (or a sunlit exterior surface) whose irradiance group is not in ``groups``
        (e.g. a shaded window group, ``win_s~<id>``, the drivers were not built with), naming
        the building and ``windows.<k>.group``; an interior film or window U-value the
        network cannot hold; a zone without air volume or surfaces.
    """
    from twin.energy import iso52016 as iso
    from twin.energy import solar
    from twin.kernels.energy_iso52016 import LINK_EXTERIOR_DOE2, LINK_FIXED, LINK_GAP, LINK_TARP

    if interior_convection not in iso.INTERIOR_CONVECTION:
        raise InputError(f"interior convection model must be one of {iso.INTERIOR_CONVECTION}, got {interior_convection!r}")
    known = set(groups)
    for kind, items in (("surfaces", zone.surfaces), ("windows", zone.windows)):
        for k, item in enumerate(items):
            g = item.get("group")
            if g is not None and g not in known and (kind == "windows" or (item.get("solar") and item.get("boundary") == "exterior")):
                raise InputError(f"irradiance group {g!r} is not a group of the drivers ({len(groups)} groups, e.g. a shaded window group "
                                 "the drivers were not built with)", obj=f"building {zone.building_id!r}", field=f"{kind}.{k}.group")
    h_ri = iso.H_RI_W_M2K
    b = iso._Builder(("t_out", "gain") + tuple(groups))
    if zone.c_air_j_k <= 0:
        raise InputError("the zone has no air volume", obj=f"building {zone.building_id!r}", field="volume_m3")
    air = b.node("air", zone.c_air_j_k)
    star = b.node("radiant") if h_ri > 0 else -1
    b.to_outdoor(air, zone.h_ve_w_k + zone.h_direct_w_k)
    b.source(air, "gain", zone.gain_w * zone.gain_conv_frac)
    conv_links: list[tuple[int, float, float, str]] = []
    if zone.exterior_convection not in iso.EXTERIOR_CONVECTION:
        raise InputError(f"exterior convection model must be one of {iso.EXTERIOR_CONVECTION}, got {zone.exterior_convection!r}",
                         obj=f"building {zone.building_id!r}", field="simulation.exterior_convection")
    wind_links = zone.exterior_convection == "doe2"
    ext_links: list[tuple[int, float, float, tuple[float, ...]]] = []  # exterior node, area, h0 (the film), exterior_wind
    gap_links: list[tuple[int, int, float, float, int, tuple[float, float, float, float]]] = []  # inner, outer, area, h0, partner, params
    inner: list[tuple[int, float, float, str]] = []
    for s in zone.surfaces:
        a = s["area_m2"]
        if a <= 0:
            continue
        con = s["construction"]
        h_ci = 1.0 / s["r_si_m2k_w"] - h_ri
        if h_ci <= 0:
            raise InputError(f"interior film {s['r_si_m2k_w']:g} m2K/W leaves no convective part (radiative {h_ri:.2f} W/(m2 K))",
                             obj=f"building {zone.building_id!r}", field=s.get("r_si_field", f"{s['name']}.r_si_m2k_w"))
        ext, inn = b.chain(s["name"], con, a)
        b.link(inn, air, h_ci * a)
        conv_links.append((inn, a, h_ci, s["kind"]))
        if star >= 0:
            b.link(inn, star, h_ri * a)
        if s["boundary"] != "adiabatic":
            b.to_outdoor(ext, a / con.r_se_m2k_w if con.r_se_m2k_w > 0 else 1e9 * a)
            if wind_links and s.get("exterior_wind") is not None and con.r_se_m2k_w > 0:
                ext_links.append((ext, a, 1.0 / con.r_se_m2k_w, s["exterior_wind"]))
        if s["boundary"] == "exterior" and s["solar"]:
            b.source(ext, s["group"], con.solar_absorptance * a)
            b.source(ext, "sky_lw", -solar.sky_longwave_factor(s["tilt_deg"]) * con.emissivity * a)
        inner.append((inn, a, con.interior_solar_absorptance, "floor" if s["kind"] == "floor" else "opaque"))
    for k, (con, area) in enumerate(zone.internal_mass):
        _, inn = b.chain(f"internal_mass{k}", con, area)
        r_si = con.r_si_m2k_w if con.r_si_m2k_w is not None else 0.13
        b.link(inn, air, max(1.0 / r_si - h_ri, 0.0) * area)
        conv_links.append((inn, area, max(1.0 / r_si - h_ri, 0.0), "wall"))
        if star >= 0:
            b.link(inn, star, h_ri * area)
        inner.append((inn, area, con.interior_solar_absorptance, "opaque"))
    win_rows = []
    for k, w in enumerate(zone.windows):
        a = w["area_m2"]
        r_gl = 1.0 / w["u_w_m2k"] - w["r_se_m2k_w"] - w["r_si_m2k_w"]
        if r_gl <= 0:
            raise InputError(f"window U {w['u_w_m2k']:g} W/(m2 K) is above its surface films", obj=f"building {zone.building_id!r}",
                             field=f"windows.{k}.u_w_m2k")
        ext = b.node(f"win{k}.ext")
        inn = b.node(f"win{k}.int")
        b.link(ext, inn, a / r_gl)
        b.to_outdoor(ext, a / w["r_se_m2k_w"] if w["r_se_m2k_w"] > 0 else 1e9 * a)
        if wind_links and w.get("exterior_wind") is not None and w["r_se_m2k_w"] > 0:
            ext_links.append((ext, a, 1.0 / w["r_se_m2k_w"], w["exterior_wind"]))
        if w["sky"]:
            b.source(ext, "sky_lw", -solar.sky_longwave_factor(w["tilt_deg"]) * w["emissivity"] * a)
        b.link(inn, air, (1.0 / w["r_si_m2k_w"] - h_ri) * a)
        conv_links.append((inn, a, 1.0 / w["r_si_m2k_w"] - h_ri, "ceiling" if w["tilt_deg"] == 0.0 else "wall"))
        gz = w.get("gap")
        if gz is not None:
            vals = (gz.pane_thickness_m, gz.pane_conductivity_w_mk, gz.gap_m, gz.emissivity)
            if not all(np.isfinite(vals)) or min(vals) <= 0 or gz.emissivity > 1 or gz.gap_m > 0.1:
                raise InputError(f"glazing needs positive pane thickness, conductivity and gap (<= 0.1 m) and an emissivity in (0, 1], got {gz}",
                                 obj=f"building {zone.building_id!r}", field=f"windows.{k}.glazing_gap")
            height = w["height_m"] if w.get("height_m") is not None else float(np.sqrt(a))
            params = (gz.gap_m, 2.0 * gz.pane_thickness_m / gz.pane_conductivity_w_mk, 1.0 / (2.0 / gz.emissivity - 1.0), height)
            gap_links.append((inn, ext, a, 1.0 / r_gl, len(conv_links) - 1, params))
        if star >= 0:
            b.link(inn, star, h_ri * a)
        r_sky, r_gnd, _ = _diffuse_ratios(w["tilt_deg"] if w["tilt_deg"] == 0.0 else 90.0, w["glazing"])
        inner.append((inn, a, w["g"] * (1 - w["frame_fraction"]) * 0.5 * (r_sky + r_gnd), "window"))
        win_rows.append((w["group"], w["solar_coeff"] * a))
    if not inner:
        raise InputError("the zone has no surfaces", obj=f"building {zone.building_id!r}", field="a_wall_m2")
    areas = np.array([x[1] for x in inner])
    alpha = np.array([x[2] for x in inner])
    kinds = [x[3] for x in inner]
    share_area = areas / areas.sum()
    for (inn, _, _, _), sh in zip(inner, share_area):
        b.source(inn, "gain", zone.gain_w * (1 - zone.gain_conv_frac) * sh)
    first = np.array([1.0 if kd == "floor" else 0.0 for kd in kinds])
    if first.sum() == 0:
        first = share_area.copy()
    absorbed = iso._solar_distribution(areas, alpha, first)
    for group, coeff in win_rows:
        b.source(air, group, iso.SOLAR_CONVECTIVE_FRACTION * coeff)
        for (inn, _, _, kd), ab in zip(inner, absorbed):
            if kd != "window":
                b.source(inn, group, (1 - iso.SOLAR_CONVECTIVE_FRACTION) * coeff * ab)
    net = b.network(air, zone.h_ve_sched_w_k, {"a_f_m2": zone.a_f_m2})
    net.info["solar_lost_fraction"] = float(sum(ab for ab, kd in zip(absorbed, kinds) if kd == "window"))
    net.info["solar_absorbed"] = {b.names[x[0]]: float(ab) for x, ab in zip(inner, absorbed)}
    net.info["glazing_gap_links"] = len(gap_links)
    if interior_convection == "fixed" and gap_links:
        # only the inner panes' links are needed (their differences give the pane temperatures)
        keep = [g[4] for g in gap_links]
        conv_links = [conv_links[i] for i in keep]
        kinds_c = [LINK_FIXED] * len(keep)
        gap_links = [(g[0], g[1], g[2], g[3], i, g[5]) for i, g in enumerate(gap_links)]
    elif interior_convection == "tarp":
        kinds_c = [LINK_TARP] * len(conv_links)
    else:
        conv_links, kinds_c = [], []
    if conv_links or ext_links:
        n_t, n_e = len(conv_links), len(ext_links)
        net.conv_node = np.array([c[0] for c in conv_links] + [g[0] for g in gap_links] + [e[0] for e in ext_links], dtype=np.int64)
        net.conv_area_m2 = np.array([c[1] for c in conv_links] + [g[2] for g in gap_links] + [e[1] for e in ext_links])
        net.conv_h0_w_m2k = np.array([c[2] for c in conv_links] + [g[3] for g in gap_links] + [e[2] for e in ext_links])
        net.conv_c_pos = np.array([iso.TARP_C_W_M2K43[c[3]][0] for c in conv_links] + [0.0] * len(gap_links) + [e[3][4] for e in ext_links])
        net.conv_c_neg = np.array([iso.TARP_C_W_M2K43[c[3]][1] for c in conv_links] + [0.0] * len(gap_links) + [e[3][5] for e in ext_links])
        if gap_links or ext_links:  # -1: a link to the outdoor air (twin.energy.iso52016.modal_arrays)
            net.conv_other = np.array([air] * n_t + [g[1] for g in gap_links] + [-1] * n_e, dtype=np.int64)
            net.conv_kind = np.array(kinds_c + [LINK_GAP] * len(gap_links) + [LINK_EXTERIOR_DOE2] * n_e, dtype=np.int64)
            net.conv_partner = np.array([-1] * n_t + [g[4] for g in gap_links] + [-1] * n_e, dtype=np.int64)
            net.conv_gap = np.array([[1.0, 0.0, 0.0, 1.0]] * n_t + [list(g[5]) for g in gap_links] + [list(e[3][:4]) for e in ext_links]).reshape(-1, 4)
    net.info["exterior_links"] = len(ext_links)
    if zone.control_temperature not in CONTROL_TEMPERATURES:
        raise InputError(f"control temperature must be one of {', '.join(CONTROL_TEMPERATURES)}, got {zone.control_temperature!r}",
                         obj=f"building {zone.building_id!r}", field="simulation.control_temperature")
    if zone.control_temperature == "operative":
        # ISO 52016-1 §6.5.5.3: half the air, half the area-weighted mean of the interior surfaces
        weights = np.zeros(len(net.names))
        weights[air] = 0.5
        for (inn, _, _, _), sh in zip(inner, share_area):
            weights[inn] += 0.5 * sh
        net.control_weights = weights
    return net


_DIFFUSE: dict[tuple, tuple[float, float, float]] = {}


def _diffuse_ratios(tilt_deg: float, glazing) -> tuple[float, float, float]:
    """:func:`twin.energy.solar.diffuse_angular_ratios`, kept per (tilt, glazing) (a hemisphere
    integration: 4 ms a call, the same few values for every building)."""
    from twin.energy import solar

    key = (float(tilt_deg), int(glazing.panes), float(glazing.n), float(glazing.kl))
    if key not in _DIFFUSE:
        _DIFFUSE[key] = solar.diffuse_angular_ratios(tilt_deg, glazing)
    return _DIFFUSE[key]


def _monthly_inputs(f_in: np.ndarray, shade: np.ndarray) -> np.ndarray:
    """Input matrix with each irradiance group split into 12 monthly inputs scaled by ``shade`` (n_g, 12)."""
    n_g = shade.shape[0]
    out = np.zeros((f_in.shape[0], 2 + 12 * n_g))
    out[:, :2] = f_in[:, :2]
    out[:, 2:] = (f_in[:, 2:, None] * shade[None, :, :]).reshape(f_in.shape[0], 12 * n_g)
    return out


def simulate_zones(
    zones: list[ZoneInput],
    drivers,
    *,
    setpoint_profile=None,
    gain_profile=None,
    ve_profile=None,
    shade_factor: np.ndarray | None = None,
    warmup_hours: int = DEFAULT_WARMUP_HOURS,
    hourly: bool = False,
    interior_convection: str = "tarp",
) -> dict[str, np.ndarray]:
    """Run the finer kernel on ``zones`` with the shared ``drivers``; the raw outputs (the keys of
    :func:`twin.energy.simulate.run_kernel`, SI units).

    ``shade_factor`` (n_b, n_groups, 12): monthly shading of each irradiance group, applied
    exactly (monthly inputs). ``setpoint_profile``, ``gain_profile``, ``ve_profile``: rows of the
    drivers' setpoint, gain and ventilation schedules per building (default 0); the ventilation
    row multiplies each zone's ``h_ve_sched_w_k``.
    """
    from twin.energy.iso52016 import modal_arrays, run_kernel, stack_buildings
    from twin.kernels.energy_iso52016 import LINK_EXTERIOR_DOE2

    n_b, n_h = len(zones), drivers.n_hours
    groups = tuple(drivers.groups)
    irr = np.asarray(drivers.irr_w_m2, dtype=float).T  # (n_h, n_g)
    month = drivers.month_index()
    if shade_factor is not None:
        shade_factor = np.asarray(shade_factor, dtype=float)
        mask = (month[:, None] == np.arange(12)[None, :]).astype(float)  # (n_h, 12)
        irr = (irr[:, :, None] * mask[:, None, :]).reshape(n_h, 12 * len(groups))
    models = []
    for i, z in enumerate(zones):
        net = zone_network(z, groups, interior_convection=interior_convection)
        if shade_factor is not None:
            net.f_in = _monthly_inputs(net.f_in, shade_factor[i])
        models.append(modal_arrays(net))
    out = {k: np.zeros(0) for k in ("heat_wh", "cool_wh", "peak_heat_w", "peak_cool_w", "t_air_min_c", "t_air_max_c", "t_air_mean_c")}
    if n_b == 0:
        out.update(monthly_heat_wh=np.zeros((0, 12)), monthly_cool_wh=np.zeros((0, 12)), peak_heat_hour=np.zeros(0, dtype=np.int64),
                   peak_cool_hour=np.zeros(0, dtype=np.int64))
        return out
    if any(m["conv_kind"].size and (m["conv_kind"] == LINK_EXTERIOR_DOE2).any() for m in models):
        for name in ("wind_speed_m_s", "wind_dir_deg"):
            values = getattr(drivers, name)
            if values is None or not np.all(np.isfinite(values)):
                raise InputError("wind-dependent exterior surfaces (exterior_convection doe2) need the weather's wind in every hour of the "
                                 "drivers (twin.energy.solar.standard_drivers carries it)", field=f"drivers.{name}")
    st = stack_buildings(models)
    res = run_kernel(
        st,
        t_out_c=drivers.t_out_c,
        irr_hg=irr,
        month=month,
        gain_schedule=drivers.gain_schedule,
        heat_setpoint_c=np.asarray(drivers.heat_setpoint_c, dtype=float),
        cool_setpoint_c=np.asarray(drivers.cool_setpoint_c, dtype=float),
        ve_schedule=np.asarray(drivers.ve_schedule, dtype=float),
        h_ve_sched_w_k=np.array([z.h_ve_sched_w_k for z in zones], dtype=float),
        phi_h_max_w=np.array([z.phi_h_max_w for z in zones], dtype=float),
        phi_c_max_w=np.array([z.phi_c_max_w for z in zones], dtype=float),
        gain_profile=None if gain_profile is None else np.asarray(gain_profile, dtype=np.int64),
        ve_profile=None if ve_profile is None else np.asarray(ve_profile, dtype=np.int64),
        setpoint_profile=None if setpoint_profile is None else np.asarray(setpoint_profile, dtype=np.int64),
        warmup_hours=int(min(max(warmup_hours, 0), n_h)),
        hourly=hourly,
        wind_speed_m_s=drivers.wind_speed_m_s,
        wind_dir_deg=drivers.wind_dir_deg,
    )
    out = {
        "heat_wh": res.heat_wh, "cool_wh": res.cool_wh, "monthly_heat_wh": res.monthly_heat_wh, "monthly_cool_wh": res.monthly_cool_wh,
        "peak_heat_w": res.peak_heat_w, "peak_heat_hour": res.peak_heat_hour, "peak_cool_w": res.peak_cool_w,
        "peak_cool_hour": res.peak_cool_hour, "t_air_min_c": res.t_air_min_c, "t_air_max_c": res.t_air_max_c, "t_air_mean_c": res.t_air_mean_c,
    }
    if hourly:
        out["phi_hc_w"] = res.hourly_phi_hc_w
        out["t_air_c"] = res.hourly_t_air_c
    return out


def simulate_envelope_iso52016(
    env: pd.DataFrame,
    drivers,
    *,
    conventions=None,
    factors: dict | None = None,
    shade_factor: np.ndarray | None = None,
    setpoint_profile=None,
    hourly: bool = False,
    warmup_hours: int = DEFAULT_WARMUP_HOURS,
    on_error: str = "report",
):
    """The finer model on every row of an envelope table: a :class:`~twin.energy.simulate.StockResults`
    (the 5R1C path's tables; buildings that cannot be built are NaN and listed in ``errors``) and
    the layer table of the inferred constructions (:func:`zones_from_envelope`).

    Raises
    ------
    InputError
        With ``on_error="raise"``, the first building that cannot be built, naming it and the field.
    """
    from twin.energy.model import Conventions, to_stock_inputs
    from twin.energy.simulate import _check_drivers, _tidy

    conventions = conventions if conventions is not None else Conventions()
    _check_drivers(drivers)
    zones, errs, layers = zones_from_envelope(env, conventions=conventions, factors=factors)
    ids = env["building_id"].astype(str).to_numpy()
    if errs and on_error == "raise":
        i, fld, msg = errs[0]
        raise InputError(msg, obj=f"building {ids[i]!r}", field=fld)
    ok = np.array([z is not None for z in zones], dtype=bool)
    sp = np.zeros(len(env), dtype=np.int64) if setpoint_profile is None else np.asarray(setpoint_profile, dtype=np.int64)
    raw = simulate_zones([z for z in zones if z is not None], drivers, setpoint_profile=sp[ok],
                         shade_factor=None if shade_factor is None else np.asarray(shade_factor)[ok], warmup_hours=warmup_hours, hourly=hourly)
    blown = ~np.isfinite(raw["heat_wh"]) | ~np.isfinite(raw["t_air_mean_c"])
    if blown.any():
        rows = np.flatnonzero(ok)[blown]
        for r in rows:
            errs.append((int(r), "q_heat_kwh", "the finer model gave a non-finite result"))
        keep = ~blown
        raw = {k: v[keep] for k, v in raw.items()}
        ok[rows] = False
        errs.sort()
    inputs = to_stock_inputs(env, conventions=conventions, factors=factors)  # ids and floor areas for the tables
    res = _tidy(inputs, drivers, ok, raw, errs, hourly)
    if res.hourly is not None:
        res.hourly.attrs["model"] = "ISO 52016-1 style multi-node (twin.energy.stock_iso52016)"
    return res, layers


__all__ = [
    "CONSTRUCTIONS_SOURCE",
    "CONTROL_TEMPERATURES",
    "DEFAULT_MODEL",
    "MATERIALS",
    "MODELS",
    "ZoneInput",
    "check_conventions",
    "check_model",
    "exterior_wind_entry",
    "layer_stack",
    "shaded_windows_of_spec",
    "simulate_envelope_iso52016",
    "simulate_zones",
    "zone_from_spec",
    "zone_input_from_spec",
    "zone_network",
    "zones_from_envelope",
]
