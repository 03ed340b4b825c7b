"""Building-stock domain model: from a Scene (or TABULA rows) to kernel-ready :class:`StockInputs`.

Two steps with a tidy table in between, so every number can be inspected, traced and changed:

1. An **envelope table** (:data:`ENVELOPE_COLUMNS`), one row per building: heated floor area,
   ventilated volume, areas per element kind and orientation, U-values and b-factors, window
   g-value, air change, heat capacity, TABULA conventions, and a ``<name>_source`` column for
   each parameter saying where it came from (``TABULA BE.N.TH.01.Gen.ReEx.001.001``,
   ``ifc elements``, ``user (...)``, ``measure wall_insulation``, ``default ...``).

   * :func:`envelope_from_footprints` for footprint / CityJSON / OSM buildings: geometry from
     :meth:`Scene.facades` (exterior and party part of every footprint edge, its outward
     azimuth) and the building height; U-values, window ratio, air change from the TABULA type
     of :func:`twin.energy.typology.assign_typology`. Party walls are adiabatic (left out).
   * :func:`envelope_from_ifc` for ``source_format == 'ifc'`` buildings: the ``elements``
     layer (area, azimuth, tilt, U-value, boundary); elements without a U-value take the TABULA
     value of their kind (and say so in the source column).
   * :func:`envelope_from_tabula` for TABULA's own reference buildings (the typology check).

2. :func:`to_stock_inputs` turns the envelope table into ISO 13790 constants:

   * ``H_tr,op = sum(b U A)`` over walls, roof, floor plus ``delta_U_tb x A_envelope``
     (TABULA thermal-bridge surcharge); ``H_tr,w = U_w A_w + U_door A_door``;
   * ``H_ve = 0.34 Wh/(m3 K) x (n_inf + (1 - eta_hr) n_use) x V`` with ``V = A_f h_room``
     (TABULA convention; 0.34 = rho c of air);
   * ``C_m = c_m A_f`` and ``A_m`` from ISO 13790 Table 12 by ``c_m`` class;
   * window solar coefficient ``(1 - F_F) g F_W A`` per orientation, opaque
     ``alpha R_se b U A`` and sky long-wave ``-F eps R_se U A`` (ISO 13790 §11.3-11.4, ``F`` by
     ``solar.sky_longwave_factor``: 1 roof, 0.354 wall);
   * ``Conventions.temperature_reduction``: TABULA's ``F_red_temp`` (intermittent and partial
     heating) multiplies ``H_tr`` and ``H_ve``; it is interpolated from the transmission loss
     per m2 between ``F_red_htr1`` (h_tr <= 1 W/(m2K)) and ``F_red_htr4`` (h_tr >= 4) as in
     the TABULA calculator, unless the table gives ``f_red_temp``.

Every building is checked (:func:`validate_envelope`); a bad one (zero floor area, negative U,
NaN...) is listed with its id and the reason and left out, the others run.

References
----------
ISO 13790:2008 §7.2.2, §8.3, §9.3, §11.3-11.4, §12.2, Table 12.
TABULA calculation method: Loga T., Diefenbach N. (2013), TABULA Calculation Method - Energy
Use for Heating and Domestic Hot Water, IWU Darmstadt (h_room = 2.5 m, c_p,air = 0.34 Wh/(m3 K),
F_red_temp, F_sh, F_F, F_W conventions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from twin.energy.inputs import STANDARD_GROUPS, StockInputs
from twin.energy.typology import PARAMETERS, apply_overrides, assign_typology, load_typology, neighbour_counts
from twin.errors import InputError, SchemaError
from twin.packaged import packaged_csv
from twin.scene.provenance import KNOWN_SOURCES

#: rho c of air, Wh/(m3 K) (TABULA; ISO 13790 §9.3: 1200 J/(m3 K) = 0.333).
RHO_C_AIR_WH_M3K = 0.34

ORIENTATIONS = ("n", "e", "s", "w")

#: Columns of the envelope table (besides ``<parameter>_source`` columns).
ENVELOPE_COLUMNS: tuple[str, ...] = (
    "building_id",
    "source_format",
    "tabula_code",
    "typology_source",
    "a_f_m2",
    "volume_m3",
    "a_wall_n_m2",
    "a_wall_e_m2",
    "a_wall_s_m2",
    "a_wall_w_m2",
    "a_win_n_m2",
    "a_win_e_m2",
    "a_win_s_m2",
    "a_win_w_m2",
    "a_win_h_m2",
    "a_door_m2",
    "a_roof_m2",
    "a_floor_m2",
    "a_party_m2",
    *PARAMETERS,
    "eta_hr",
    "f_red_temp",
    "system",
)

#: The systems every envelope starts from, footprint or IFC (a measure or an override replaces them):
#: no heat recovery, the existing gas boiler (its efficiency: energy_factors.csv boiler_efficiency).
DEFAULT_SYSTEM_COLUMNS: dict[str, object] = {
    "eta_hr": 0.0,
    "eta_hr_source": "default: no heat recovery",
    "f_red_temp": np.nan,
    "system": "gas_boiler",
    "system_source": "default: existing gas boiler (energy_factors.csv boiler_efficiency)",
}

#: Sources of a scene's ``heating_system`` that the envelope takes (the building's own system);
#: a ``default`` (or a scene without the attribute) keeps :data:`DEFAULT_SYSTEM_COLUMNS`. The same
#: tuple as :data:`twin.scene.provenance.KNOWN_SOURCES`.
KNOWN_SYSTEM_SOURCES: tuple[str, ...] = KNOWN_SOURCES


def scene_systems(buildings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The heating system each building of the scene declares, and its ``system_source``.

    Parameters
    ----------
    buildings
        Rows of ``scene.buildings``; the attribute ``heating_system`` with its source
        ``heating_system_source`` (:mod:`twin.ingest.attributes.complete`).

    Returns
    -------
    tuple of ndarray or None
        ``(known, system, source)`` over the rows: True where the source is one of
        :data:`KNOWN_SYSTEM_SOURCES` (then ``system`` is the declared system and ``source`` reads
        ``"data: scene heating_system"`` / ``"user: ..."``, never a prior); None when no row
        declares one (every building keeps the default system).
    """
    if "heating_system" not in buildings or "heating_system_source" not in buildings:
        return None
    src = buildings["heating_system_source"].astype(object).where(buildings["heating_system_source"].notna(), "default").astype(str).to_numpy()
    system = buildings["heating_system"].astype(object).where(buildings["heating_system"].notna(), "").astype(str).to_numpy()
    known = np.isin(src, KNOWN_SYSTEM_SOURCES) & (system != "")
    if not known.any():
        return None
    return known, system.astype(object), np.char.add(src.astype(str), ": scene heating_system").astype(object)


def _declared_systems(env: pd.DataFrame, buildings: pd.DataFrame) -> pd.DataFrame:
    """``env`` (rows in the order of ``buildings``) with the systems the scene declares
    (:func:`scene_systems`); unchanged (the same table) when none is declared."""
    got = scene_systems(buildings)
    if got is None:
        return env
    known, system, source = got
    sys_col = env["system"].astype(object).to_numpy(copy=True)
    src_col = env["system_source"].astype(object).to_numpy(copy=True)
    sys_col[known] = system[known]
    src_col[known] = source[known]
    env["system"] = pd.Series(sys_col, index=env.index, dtype=object)
    env["system_source"] = pd.Series(src_col, index=env.index, dtype=object)
    return env


#: Parameters that get a ``_source`` column in the envelope table.
TRACED: tuple[str, ...] = (
    "a_f_m2",
    "volume_m3",
    "a_wall_m2",
    "a_win_m2",
    "a_roof_m2",
    "a_floor_m2",
    *PARAMETERS,
    "eta_hr",
    "system",
)


def load_factors(path=None) -> dict[str, float]:
    """The factor table ``twin/data/energy_factors.csv`` (or a user CSV) as ``{key: value}``.

    The CSV has columns ``key, value, unit, description, source``; see the file for the source
    of every number.
    """
    if path is None:
        table = packaged_csv("energy_factors.csv")
    else:
        table = pd.read_csv(path)
    for col in ("key", "value"):
        if col not in table:
            raise SchemaError("factor table lacks a column", path=path, field=col)
    values = pd.to_numeric(table["value"], errors="coerce")
    if values.isna().any():
        bad = table["key"][values.isna()].iloc[0]
        raise SchemaError("factor is not a number", path=path, obj=bad, field="value")
    return dict(zip(table["key"].astype(str), values.astype(float)))


def factor_sources(path=None) -> dict[str, str]:
    """``{key: source}`` of the factor table."""
    if path is None:
        table = packaged_csv("energy_factors.csv")
    else:
        table = pd.read_csv(path)
    return dict(zip(table["key"].astype(str), table["source"].astype(str)))


@dataclass(frozen=True)
class Conventions:
    """Modelling conventions of :func:`to_stock_inputs`.

    Parameters
    ----------
    temperature_reduction
        Apply TABULA's ``F_red_temp`` to ``H_tr`` and ``H_ve`` (TABULA's account of night
        setback and partly heated dwellings; TABULA method §"temperature reduction factor").
    opaque_solar
        Solar gains on opaque walls and roofs and long-wave losses to the sky (ISO 13790
        §11.3). TABULA ignores both.
    window_f_w
        Multiply window gains by TABULA's ``F_W`` (non-perpendicular incidence). Off by default
        because the window drivers of :mod:`twin.energy.solar` already weight the irradiance
        by the angular transmittance of the glazing.
    external_shading
        ``"horizon"``: shading by the urban context from the scene's horizon profiles
        (``shade_factor``); ``"tabula"``: TABULA's flat reduction ``F_sh,vert`` (0.6 in
        Belgium) on vertical windows; ``"none"``.
    gain_conv_frac
        Convective share of internal gains (ISO 13790 C.2: 0.5).
    film_correction
        Each building's :attr:`~twin.energy.inputs.StockInputs.film_correction` (default
        true): the envelope's ``H_tr = sum(U A)`` (TABULA's air-to-air U-values) is the
        steady-state transmission loss of the 5R1C network, as in TABULA's own calculation,
        instead of the lower series value of the plain ISO 13790 network (``docs/energy.md``).
    exterior_convection, terrain, roughness
        Read by the finer model only (:mod:`twin.energy.stock_iso52016`): ``"fixed"`` keeps the
        exterior film ``r_se`` of the energy factors; ``"doe2"`` gives every exterior wall, roof
        and window an hourly wind-dependent link to the outdoor air (DOE-2 convection and
        linearised long-wave, :data:`twin.energy.iso52016.EXTERIOR_CONVECTION`), the wind taken
        from the weather station to the surface height by the site ``terrain``
        (:data:`twin.energy.iso52016.TERRAIN`; ``"city"``, EnergyPlus' "towns, city outskirts,
        centre of large cities", is the Brussels default) and the opaque surfaces' ``roughness``
        (:data:`twin.energy.iso52016.ROUGHNESS_RF`; glass is very smooth).
    control_temperature
        Read by the finer model only: the temperature its setpoints apply to, ``"operative"``
        (default: ISO 52016-1 §6.5.5's control temperature, and the "internal temperature" of
        ISO 13790 §3.4 that TABULA's set-point means: half the air temperature and half the mean
        radiant temperature) or ``"air"`` (a thermostat sensing the air, as the BESTEST cases).
        The 5R1C model controls its air node.
    """

    temperature_reduction: bool = True
    opaque_solar: bool = True
    window_f_w: bool = False
    external_shading: str = "horizon"
    gain_conv_frac: float = 0.5
    film_correction: bool = True
    exterior_convection: str = "fixed"
    terrain: str = "city"
    roughness: str = "medium_rough"
    control_temperature: str = "operative"


#: The conventions of TABULA's own calculation, for the typology check.
TABULA_CONVENTIONS = Conventions(temperature_reduction=True, opaque_solar=False, window_f_w=False, external_shading="tabula")


# --------------------------------------------------------------------------------- geometry


def orientation_of(azimuth_deg: np.ndarray) -> np.ndarray:
    """Orientation letter (n/e/s/w) of outward azimuths (degrees clockwise from north)."""
    return np.array(ORIENTATIONS)[_orientation_index(azimuth_deg)]


def _orientation_index(azimuth_deg: np.ndarray) -> np.ndarray:
    """Position in :data:`ORIENTATIONS` of outward azimuths (degrees clockwise from north).

    Azimuths already in [0, 360) (those of :func:`twin.scene.footprints.edge_table`) skip the
    two ``np.mod`` (about 14 ms on the region's 302k edges, a call): ``np.mod(a, 360)`` is ``a``
    itself there, and ``np.mod(s, 360)`` of ``s = a + 45`` in [45, 405) is ``s`` or ``s - 360``,
    both exact (``fmod``; Sterbenz), so the indices are those of the general formula.
    """
    a = np.asarray(azimuth_deg, dtype=float)
    if a.size and bool(np.all((a >= 0.0) & (a < 360.0))):
        s = a + 45.0
        s[s >= 360.0] -= 360.0
    else:
        s = np.mod(np.mod(a, 360.0) + 45.0, 360.0)
    idx = np.floor(s / 90.0).astype(int)
    return np.clip(idx, 0, 3)


def _edge_exterior_areas(scene) -> pd.DataFrame:
    """Exterior and party wall area per footprint edge, the party part corrected for lower neighbours.

    :meth:`Scene.facades` counts the shared part of an edge over the building's own height;
    above a lower neighbour's roof that wall is exterior. The per-building excess
    ``sum(shared x own height) - sum(shared x min(heights))`` is moved from party to exterior
    on the building's shared edges, pro rata of their party area.

    Columns: ``building_index`` (row in ``scene.buildings``), ``azimuth_deg``,
    ``exterior_area_m2``, ``party_area_m2`` (no id strings: 300k of them on the region, which no
    reader needs; the row gives the building). The table depends only on the footprints and
    heights, so it is kept in the scene's geometry cache (the envelope and the urban shading
    both read it; a change of geometry or height drops it with the scene's other geometry
    results); the caller gets a shallow copy.
    """
    cache = getattr(scene, "_cache", None)
    key = "buildings:geom:edge_exterior_areas"
    if isinstance(cache, dict) and key in cache:
        return cache[key].copy(deep=False)
    fac = scene.facades()
    ext = fac["exterior_area_m2"].to_numpy(dtype=float).copy()
    party = fac["party_area_m2"].to_numpy(dtype=float).copy()
    bidx = fac["building_index"].to_numpy().astype(np.int64)
    n_b = len(scene.buildings)
    # the party walls (:meth:`Scene.party_walls`) by scene row, as the scene finds them, rather
    # than through their id strings (hashing 88k of them back to rows)
    pa, pb, length, _ = scene._shared()
    if len(pa):
        # grouped by building row: the same sums in the same order (pandas' grouped sum)
        h = scene.buildings["height_m"].to_numpy(dtype=float)
        area = length * np.minimum(h[pa], h[pb])  # Scene.party_walls' shared_area_m2
        pair_area = pd.Series(np.concatenate([area, area])).groupby(np.concatenate([pa, pb])).sum()
        edge_party = pd.Series(party).groupby(bidx).sum()
        true_party = pair_area.reindex(edge_party.index).fillna(0.0)
        excess = (edge_party - true_party).clip(lower=0.0)
        ep = np.zeros(n_b)
        ep[edge_party.index.to_numpy()] = edge_party.to_numpy()
        ex = np.zeros(n_b)
        ex[excess.index.to_numpy()] = excess.to_numpy()
        ep = ep[bidx]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(ep > 0, party / ep, 0.0)
        move = share * ex[bidx]
        move = np.nan_to_num(np.minimum(move, party))
        ext += move
        party -= move
    out = pd.DataFrame({"building_index": bidx, "azimuth_deg": fac["azimuth_deg"].to_numpy(dtype=float), "exterior_area_m2": ext,
                        "party_area_m2": party})
    if isinstance(cache, dict):
        cache[key] = out
    return out.copy(deep=False)


def _pitched(roof_kind: pd.Series) -> np.ndarray:
    kind = roof_kind.fillna("").astype(str).str.lower().to_numpy()
    return np.isin(kind, ("gabled", "hipped", "pitched", "gambrel", "mansard", "half-hipped", "saltbox", "pyramidal"))


def _gross_walls(scene, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exterior wall area per orientation (n, 4; :data:`ORIENTATIONS`) and party wall area (n,),
    m2, of the buildings ``ids`` (scene ids) from :func:`_edge_exterior_areas`.

    Summed by building and orientation with pandas' grouped sum over the edges in table order
    (what a pivot table by id does), keyed by row numbers instead of id strings.
    """
    edges = _edge_exterior_areas(scene)
    all_ids = scene.buildings["building_id"].astype(str).to_numpy()
    if len(ids) == len(all_ids) and np.array_equal(ids, all_ids):
        row = edges["building_index"].to_numpy()
    else:
        row = pd.Index(ids).get_indexer(all_ids)[edges["building_index"].to_numpy()]
    keep = row >= 0
    row = row[keep]
    o = _orientation_index(edges["azimuth_deg"].to_numpy()[keep])
    gross = np.zeros((len(ids), len(ORIENTATIONS)))
    g = pd.Series(edges["exterior_area_m2"].to_numpy()[keep]).groupby(row * len(ORIENTATIONS) + o).sum()
    gross.reshape(-1)[g.index.to_numpy()] = g.to_numpy()
    party = np.zeros(len(ids))
    p = pd.Series(edges["party_area_m2"].to_numpy()[keep]).groupby(row).sum()
    party[p.index.to_numpy()] = p.to_numpy()
    return gross, party


def envelope_from_footprints(
    scene,
    *,
    typology: pd.DataFrame | None = None,
    overrides=None,
    factors: dict[str, float] | None = None,
    buildings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Envelope table of footprint (non-IFC) buildings from scene geometry and TABULA defaults.

    Parameters
    ----------
    scene
        The scene (uses ``buildings``, :meth:`~Scene.facades`, :meth:`~Scene.party_walls`).
    typology
        Tidy typology table (default: the packaged Belgian TABULA table).
    overrides
        Parameter overrides per building id or TABULA type (see
        :func:`twin.energy.typology.apply_overrides`).
    factors
        Factor table (default :func:`load_factors`): ``floor_area_net_to_gross``,
        ``roof_pitch_factor``.
    buildings
        Subset of ``scene.buildings`` to model (default: all non-IFC buildings).

    Returns
    -------
    pandas.DataFrame
        The envelope table (:data:`ENVELOPE_COLUMNS` plus ``_source`` columns).
    """
    f = {**load_factors(), **(factors or {})}
    b_all = scene.buildings
    if buildings is None:
        footprint = (b_all["source_format"].astype(str) != "ifc").to_numpy()
        # every building when none is IFC (an OSM or GeoJSON scene): the layer itself, without the
        # copy of its every column that a selection of all rows makes
        buildings = b_all if footprint.all() else b_all[footprint]
    if len(buildings) == 0:
        return _empty_envelope()
    ids = buildings["building_id"].astype(str).to_numpy()
    nb = neighbour_counts(scene).reindex(ids).fillna(0).to_numpy()
    params = assign_typology(buildings, nb, table=typology if typology is not None else load_typology())
    # geometry
    gross, party = _gross_walls(scene, ids)
    # string columns are passed as pandas arrays (positional, no alignment): a NumPy object array
    # would be converted to arrow strings again, column by column. The columns are collected in
    # a dict and made a table once (78 ``env[...] = ...`` insertions cost about 0.1 s on the
    # region); each column holds data of its own, as an insertion stores it: the arrays read from
    # another table are copied (a NumPy array) or wrapped anew over the same buffers (a pandas
    # string array), the ones computed here are new already.
    cols: dict[str, object] = {"building_id": buildings["building_id"].astype(str).array.copy(),
                               "source_format": buildings["source_format"].astype(str).array.copy(),
                               "tabula_code": params["tabula_code"].array.copy(),
                               "typology_source": params["typology_source"].array.copy()}
    for p in PARAMETERS:
        cols[p] = params[p].to_numpy(copy=True)
        cols[f"{p}_source"] = params[f"{p}_source"].array.copy()
    gross_floor = buildings["floor_area_m2"].to_numpy(dtype=float)
    cols["a_f_m2"] = gross_floor * f["floor_area_net_to_gross"]
    cols["a_f_m2_source"] = "scene floor_area_m2 x floor_area_net_to_gross (energy_factors.csv)"
    win_r = cols["window_ratio"]
    door_r = cols["door_ratio"]
    for k, o in enumerate(ORIENTATIONS):
        g = gross[:, k]
        cols[f"a_win_{o}_m2"] = g * win_r
        cols[f"a_wall_{o}_m2"] = g * (1.0 - win_r - door_r)
    cols["a_win_h_m2"] = 0.0
    cols["a_door_m2"] = gross.sum(axis=1) * door_r
    cols["a_wall_m2_source"] = "scene facades (exterior part of footprint edges x height) minus windows and doors"
    cols["a_win_m2_source"] = "scene facades x window_ratio"
    foot = buildings["footprint_area_m2"].to_numpy(dtype=float)
    pitched = _pitched(buildings["roof_kind"]) if "roof_kind" in buildings else np.zeros(len(ids), bool)
    cols["a_roof_m2"] = foot * np.where(pitched, f["roof_pitch_factor"], 1.0)
    cols["a_roof_m2_source"] = np.where(pitched, "footprint x roof_pitch_factor (energy_factors.csv)", "footprint (flat or unknown roof)")
    cols["a_floor_m2"] = foot.copy()
    cols["a_floor_m2_source"] = "footprint"
    cols["a_party_m2"] = party
    # the height above ground of the roof (the wind at the exterior surfaces of the finer model)
    cols["height_m"] = buildings["height_m"].to_numpy(dtype=float, copy=True)
    cols["height_m_source"] = "scene height_m"
    cols["volume_m3"] = cols["a_f_m2"] * cols["h_room_m"]
    cols["volume_m3_source"] = "a_f_m2 x h_room_m (TABULA convention)"
    cols.update(DEFAULT_SYSTEM_COLUMNS)
    env = pd.DataFrame(cols, copy=False)
    env = _declared_systems(env, buildings)
    env = apply_overrides(env, overrides)
    return env


def envelope_from_ifc(
    scene,
    *,
    typology: pd.DataFrame | None = None,
    overrides=None,
    factors: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Envelope table of IFC buildings from their ``elements`` (areas, azimuths, U-values).

    Elements with ``boundary == 'exterior'`` count fully, ``'ground'`` with TABULA's b-factor of
    floors (0.5), ``'party'`` and ``'interior'`` not at all (adiabatic). Walls (tilt 45-135)
    and windows/doors are binned by azimuth; roofs and elements facing up (tilt < 45) form the
    roof, floors and elements facing down the floor. Windows with tilt < 45 are horizontal
    skylights. Per kind, ``U = sum(U A) / sum(A)``, so ``H = U A`` is exact. An element without
    a U-value takes the TABULA value of its kind (``u_*_source`` says so). Heated floor area:
    the sum of ``spaces.floor_area_m2`` when known, else ``floor_area_m2 x
    floor_area_net_to_gross``. TABULA provides the non-geometric parameters (air change,
    capacity, conventions) from the building's type.
    """
    f = {**load_factors(), **(factors or {})}
    b_all = scene.buildings
    buildings = b_all[b_all["source_format"].astype(str) == "ifc"]
    if len(buildings) == 0:
        return _empty_envelope()
    ids = buildings["building_id"].astype(str).to_numpy()
    params = assign_typology(buildings, np.zeros(len(ids)), table=typology if typology is not None else load_typology())
    env = pd.DataFrame({"building_id": ids, "source_format": "ifc"})
    env["tabula_code"] = params["tabula_code"].to_numpy()
    env["typology_source"] = params["typology_source"].to_numpy() + "; geometry and U from IFC elements"
    for p in PARAMETERS:
        env[p] = params[p].to_numpy()
        env[f"{p}_source"] = params[f"{p}_source"].to_numpy()
    el = scene.elements
    el = el[el["building_id"].astype(str).isin(ids)].copy()
    el["building_id"] = el["building_id"].astype(str)
    el = el[el["boundary"].isin(("exterior", "ground"))]
    tilt = el["tilt_deg"].to_numpy(dtype=float)
    kind = el["kind"].astype(str).to_numpy()
    area = el["area_m2"].to_numpy(dtype=float)
    u = el["u_value_w_m2k"].to_numpy(dtype=float)
    b = np.where(el["boundary"].to_numpy() == "ground", np.nan, 1.0)  # NaN: take the floor b of the type
    group = np.full(len(el), "", dtype=object)
    vertical = (tilt >= 45.0) & (tilt <= 135.0)
    orient = orientation_of(np.nan_to_num(el["azimuth_deg"].to_numpy(dtype=float)))
    is_open = np.isin(kind, ("window", "door"))
    group[(kind == "window") & vertical] = np.char.add("win_", orient[(kind == "window") & vertical].astype(str))
    group[(kind == "window") & ~vertical] = "win_h"
    group[kind == "door"] = "door"
    opaque = ~is_open
    group[opaque & vertical & (el["boundary"].to_numpy() == "exterior")] = np.char.add(
        "wall_", orient[opaque & vertical & (el["boundary"].to_numpy() == "exterior")].astype(str)
    )
    group[opaque & (tilt < 45.0)] = "roof"
    group[opaque & ((tilt > 135.0) | ((el["boundary"].to_numpy() == "ground") & vertical))] = "floor"
    el["group"] = group
    el["area"] = area
    el["b"] = b
    el["u"] = u
    for o in ORIENTATIONS:
        env[f"a_wall_{o}_m2"] = _sum_by(el, f"wall_{o}", ids)
        env[f"a_win_{o}_m2"] = _sum_by(el, f"win_{o}", ids)
    env["a_win_h_m2"] = _sum_by(el, "win_h", ids)
    env["a_door_m2"] = _sum_by(el, "door", ids)
    env["a_roof_m2"] = _sum_by(el, "roof", ids)
    env["a_floor_m2"] = _sum_by(el, "floor", ids)
    for src in ("a_wall_m2", "a_win_m2", "a_roof_m2", "a_floor_m2"):
        env[f"{src}_source"] = "ifc elements"
    env["a_party_m2"] = 0.0
    kinds = {
        "wall": el["group"].str.startswith("wall_"),
        "window": el["group"].str.startswith("win_"),
        "door": el["group"] == "door",
        "roof": el["group"] == "roof",
        "floor": el["group"] == "floor",
    }
    for k, mask in kinds.items():
        sub = el[mask]
        col = f"u_{k}_w_m2k"
        with_u = sub[np.isfinite(sub["u"].to_numpy())]
        ua = (with_u["u"] * with_u["area"]).groupby(with_u["building_id"]).sum()
        a_u = with_u["area"].groupby(with_u["building_id"]).sum()
        a_all = sub["area"].groupby(sub["building_id"]).sum()
        mean_u = (ua / a_u).reindex(ids)
        covered = (a_u / a_all).reindex(ids).fillna(0.0).to_numpy()
        typ = env[col].to_numpy(dtype=float)
        # blend: elements with U count with their U, elements without with the typology U
        blended = np.where(np.isfinite(mean_u.to_numpy()), covered * np.nan_to_num(mean_u.to_numpy()) + (1 - covered) * typ, typ)
        env[col] = blended
        env[f"{col}_source"] = np.where(
            covered >= 1.0 - 1e-12,
            "ifc elements (area-weighted)",
            np.where(covered > 0, "ifc elements + " + env[f"{col}_source"].astype(str) + " for elements without U", env[f"{col}_source"].astype(str) + " (no U in IFC)"),
        )
    # walls are exterior, b = 1; floors keep the typology b when elements touch the ground
    env["b_wall"] = 1.0
    env["b_wall_source"] = "ifc boundary exterior"
    spaces = scene.spaces
    sp_area = spaces[spaces["building_id"].astype(str).isin(ids)].groupby(spaces["building_id"].astype(str))["floor_area_m2"].sum(min_count=1)
    gross = buildings["floor_area_m2"].to_numpy(dtype=float)
    from_spaces = sp_area.reindex(ids).to_numpy(dtype=float)
    use_sp = np.isfinite(from_spaces) & (np.nan_to_num(from_spaces) > 0)
    env["a_f_m2"] = np.where(use_sp, from_spaces, gross * f["floor_area_net_to_gross"])
    env["a_f_m2_source"] = np.where(use_sp, "ifc spaces floor_area_m2", "scene floor_area_m2 x floor_area_net_to_gross")
    env["volume_m3"] = env["a_f_m2"] * env["h_room_m"]
    env["volume_m3_source"] = "a_f_m2 x h_room_m (TABULA convention)"
    gross_wall = sum(env[f"a_wall_{o}_m2"] + env[f"a_win_{o}_m2"] for o in ORIENTATIONS) + env["a_door_m2"]
    with np.errstate(invalid="ignore", divide="ignore"):
        env["window_ratio"] = np.where(gross_wall > 0, sum(env[f"a_win_{o}_m2"] for o in ORIENTATIONS) / gross_wall, 0.0)
    env["window_ratio_source"] = "ifc elements"
    for name, value in DEFAULT_SYSTEM_COLUMNS.items():
        env[name] = value
    env = _declared_systems(env, buildings)
    return apply_overrides(env, overrides)


def _sum_by(el: pd.DataFrame, group: str, ids: np.ndarray) -> np.ndarray:
    sub = el[el["group"] == group]
    return sub["area"].groupby(sub["building_id"]).sum().reindex(ids).fillna(0.0).to_numpy()


def envelope_from_tabula(table: pd.DataFrame) -> pd.DataFrame:
    """Envelope table of TABULA's own reference buildings (areas, U-values and conventions as in TABULA).

    Walls are spread evenly over the four orientations (their orientation only matters for
    opaque solar gains, which TABULA ignores); windows keep TABULA's orientations. The heated
    floor area is ``A_C_Ref`` and ``f_red_temp`` is TABULA's value for the building.
    """
    env = pd.DataFrame({"building_id": table["tabula_code"].astype(str).to_numpy(), "source_format": "tabula"})
    env["tabula_code"] = table["tabula_code"].to_numpy()
    env["typology_source"] = "TABULA reference building"
    for p in PARAMETERS:
        env[p] = table[p].to_numpy(dtype=float)
        env[f"{p}_source"] = table["source"].to_numpy() if "source" in table else "TABULA"
    env["a_f_m2"] = table["a_c_ref_m2"].to_numpy(dtype=float)
    # TABULA's per-orientation window areas need not add up to A_Window (rounding, unknown
    # orientation): keep their shares, scaled to A_Window (which TABULA's H_tr uses); without
    # any orientation, spread A_Window evenly over the four vertical orientations
    total = table["a_window_m2"].to_numpy(dtype=float)
    known = sum(table[f"a_win_{o}_m2"] for o in (*ORIENTATIONS, "h")).to_numpy(dtype=float)
    scale = np.where(known > 0, total / np.where(known > 0, known, 1.0), 0.0)
    for o in ORIENTATIONS:
        env[f"a_wall_{o}_m2"] = table["a_wall_m2"].to_numpy(dtype=float) / 4.0
        env[f"a_win_{o}_m2"] = np.where(known > 0, table[f"a_win_{o}_m2"].to_numpy(dtype=float) * scale, total / 4.0)
    env["a_win_h_m2"] = table["a_win_h_m2"].to_numpy(dtype=float) * scale
    env["a_door_m2"] = table["a_door_m2"].to_numpy(dtype=float)
    env["a_roof_m2"] = table["a_roof_m2"].to_numpy(dtype=float)
    env["a_floor_m2"] = table["a_floor_m2"].to_numpy(dtype=float)
    env["a_party_m2"] = 0.0
    env["volume_m3"] = env["a_f_m2"] * env["h_room_m"]
    env["eta_hr"] = 0.0
    env["f_red_temp"] = table["f_red_temp"].to_numpy(dtype=float)
    env["system"] = "gas_boiler"
    for c in ("a_f_m2", "volume_m3", "a_wall_m2", "a_win_m2", "a_roof_m2", "a_floor_m2", "eta_hr", "system"):
        env[f"{c}_source"] = "TABULA"
    return env


def _empty_envelope() -> pd.DataFrame:
    cols = list(ENVELOPE_COLUMNS) + [f"{c}_source" for c in TRACED]
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("building_id", "source_format", "tabula_code", "typology_source", "system") or c.endswith("_source") else float) for c in cols})


# --------------------------------------------------------------------------------- validation

_NONNEG = (
    "volume_m3",
    "a_wall_n_m2", "a_wall_e_m2", "a_wall_s_m2", "a_wall_w_m2",
    "a_win_n_m2", "a_win_e_m2", "a_win_s_m2", "a_win_w_m2", "a_win_h_m2",
    "a_door_m2", "a_roof_m2", "a_floor_m2",
    "u_wall_w_m2k", "u_roof_w_m2k", "u_floor_w_m2k", "u_window_w_m2k", "u_door_w_m2k",
    "delta_u_tb_w_m2k", "n_air_inf_1_h", "n_air_use_1_h", "phi_int_w_m2", "q_w_nd_kwh_m2",
)
_UNIT = ("b_wall", "b_roof", "b_floor", "g_window", "eta_hr", "f_frame", "f_w", "f_sh_vert", "window_ratio", "door_ratio")


def text_values(column: pd.Series) -> np.ndarray:
    """The values of ``column`` as an object array of ``str``: ``column.astype(str).to_numpy()``,
    without pandas' conversion to its string dtype and back when the column already holds
    ``str`` objects only (the sampled envelope's ids and systems: the same strings).

    Parameters
    ----------
    column : pandas.Series
        Any column (e.g. ``building_id``, ``system``).
    """
    values = column.to_numpy()
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values.copy()
    return column.astype(str).to_numpy()


def envelope_problems(env: pd.DataFrame) -> pd.DataFrame:
    """One row per problem found in the envelope table: ``building_id``, ``field``, ``reason``."""
    rows: list[tuple[str, str, str]] = []
    ids = text_values(env["building_id"])

    def flag(mask, fieldname, reason):
        for i in np.flatnonzero(mask):
            rows.append((ids[i], fieldname, reason))

    a_f = env["a_f_m2"].to_numpy(dtype=float)
    flag(~np.isfinite(a_f) | (a_f <= 0), "a_f_m2", "heated floor area must be > 0 m2 (got {})")
    for col in _NONNEG:
        if col in env:
            x = env[col].to_numpy(dtype=float)
            flag(~np.isfinite(x), col, "value is missing (NaN) or infinite")
            flag(np.isfinite(x) & (x < 0), col, "value must be >= 0" + (" (negative U-value)" if col.startswith("u_") else ""))
    for col in _UNIT:
        if col in env:
            x = env[col].to_numpy(dtype=float)
            flag(~np.isfinite(x) | (x < 0) | (x > 1), col, "value must be within [0, 1]")
    wr = env["window_ratio"].to_numpy(dtype=float) + env["door_ratio"].to_numpy(dtype=float)
    flag(np.isfinite(wr) & (wr > 1), "window_ratio", "windows and doors exceed the wall area")
    cm = env["c_m_wh_m2k"].to_numpy(dtype=float)
    flag(~np.isfinite(cm) | (cm <= 0), "c_m_wh_m2k", "heat capacity must be > 0 Wh/(m2 K)")
    out = pd.DataFrame(rows, columns=["building_id", "field", "reason"])
    # fill the value into the floor-area message
    if len(out):
        val = dict(zip(ids, a_f))
        out["reason"] = [r.format(val.get(b)) if "{}" in r else r for b, r in zip(out["building_id"], out["reason"])]
    return out


def validate_envelope(env: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the envelope table into usable rows and the problems of the others.

    Returns
    -------
    ok : pandas.DataFrame
        Rows without problems (index reset).
    excluded : pandas.DataFrame
        ``building_id``, ``field``, ``reason`` (all problems of each excluded building).
    """
    problems = envelope_problems(env)
    bad = env["building_id"].astype(str).isin(problems["building_id"])
    return env[~bad].reset_index(drop=True), problems


# --------------------------------------------------------------------------------- kernel inputs


def a_m_from_c_m(c_m_j_m2k: np.ndarray, a_f_m2: np.ndarray) -> np.ndarray:
    """Effective mass area A_m (m2) from the heat capacity per floor area (ISO 13790 Table 12).

    Classes (kJ/(m2 K) -> A_m / A_f): very light 80 -> 2.5, light 110 -> 2.5, medium 165 -> 2.5,
    heavy 260 -> 3.0, very heavy 370 -> 3.5; linear interpolation between classes, constant
    outside.
    """
    cm_kj = np.asarray(c_m_j_m2k, dtype=float) / 1000.0
    ratio = np.interp(cm_kj, [80.0, 110.0, 165.0, 260.0, 370.0], [2.5, 2.5, 2.5, 3.0, 3.5])
    return ratio * np.asarray(a_f_m2, dtype=float)


def transmission(env: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(H_tr,op, H_tr,w)`` in W/K, without the temperature reduction factor."""
    a_wall = sum(env[f"a_wall_{o}_m2"].to_numpy(dtype=float) for o in ORIENTATIONS)
    a_win = sum(env[f"a_win_{o}_m2"].to_numpy(dtype=float) for o in (*ORIENTATIONS, "h"))
    a_door = env["a_door_m2"].to_numpy(dtype=float)
    a_roof = env["a_roof_m2"].to_numpy(dtype=float)
    a_floor = env["a_floor_m2"].to_numpy(dtype=float)
    h_op = (
        env["b_wall"].to_numpy(dtype=float) * env["u_wall_w_m2k"].to_numpy(dtype=float) * a_wall
        + env["b_roof"].to_numpy(dtype=float) * env["u_roof_w_m2k"].to_numpy(dtype=float) * a_roof
        + env["b_floor"].to_numpy(dtype=float) * env["u_floor_w_m2k"].to_numpy(dtype=float) * a_floor
        + env["delta_u_tb_w_m2k"].to_numpy(dtype=float) * (a_wall + a_win + a_door + a_roof + a_floor)
    )
    h_w = env["u_window_w_m2k"].to_numpy(dtype=float) * a_win + env["u_door_w_m2k"].to_numpy(dtype=float) * a_door
    return h_op, h_w


def ventilation(env: pd.DataFrame) -> np.ndarray:
    """``H_ve`` in W/K: ``0.34 (n_inf + (1 - eta_hr) n_use) V``."""
    n = env["n_air_inf_1_h"].to_numpy(dtype=float) + (1.0 - env["eta_hr"].to_numpy(dtype=float)) * env["n_air_use_1_h"].to_numpy(dtype=float)
    return RHO_C_AIR_WH_M3K * n * env["volume_m3"].to_numpy(dtype=float)


def temperature_reduction(env: pd.DataFrame, h_tr_w_k: np.ndarray) -> np.ndarray:
    """TABULA's ``F_red_temp`` per building: the table value, else interpolated from h_tr per m2."""
    given = env["f_red_temp"].to_numpy(dtype=float) if "f_red_temp" in env else np.full(len(env), np.nan)
    h = h_tr_w_k / env["a_f_m2"].to_numpy(dtype=float)
    f1 = env["f_red_htr1"].to_numpy(dtype=float)
    f4 = env["f_red_htr4"].to_numpy(dtype=float)
    interp = f1 + (f4 - f1) * np.clip((h - 1.0) / 3.0, 0.0, 1.0)
    return np.where(np.isfinite(given), given, interp)


def solar_coefficients(env: pd.DataFrame, conventions: Conventions, factors: dict[str, float], groups=STANDARD_GROUPS) -> np.ndarray:
    """``sol_coeff_m2`` (n_b, n_groups), see :mod:`twin.energy.inputs` and the module docstring."""
    n = len(env)
    out = np.zeros((n, len(groups)))
    col = {g: i for i, g in enumerate(groups)}
    g_eff = (1.0 - env["f_frame"].to_numpy(dtype=float)) * env["g_window"].to_numpy(dtype=float)
    if conventions.window_f_w:
        g_eff = g_eff * env["f_w"].to_numpy(dtype=float)
    f_sh = env["f_sh_vert"].to_numpy(dtype=float) if conventions.external_shading == "tabula" else np.ones(n)
    for o in (*ORIENTATIONS, "h"):
        key = f"win_{o}"
        if key in col:
            # TABULA has F_sh,hor for skylights; the Belgian rows have none, so the vertical one is used
            out[:, col[key]] = g_eff * f_sh * env[f"a_win_{o}_m2"].to_numpy(dtype=float)
    if conventions.opaque_solar:
        alpha = factors["solar_absorptance"]
        r_se = factors["r_se_m2k_w"]
        eps = factors["emissivity"]
        u_wall = env["u_wall_w_m2k"].to_numpy(dtype=float) * env["b_wall"].to_numpy(dtype=float)
        u_roof = env["u_roof_w_m2k"].to_numpy(dtype=float) * env["b_roof"].to_numpy(dtype=float)
        for o in ORIENTATIONS:
            if f"opq_{o}" in col:
                out[:, col[f"opq_{o}"]] = alpha * r_se * u_wall * env[f"a_wall_{o}_m2"].to_numpy(dtype=float)
        a_roof = env["a_roof_m2"].to_numpy(dtype=float)
        if "roof" in col:
            out[:, col["roof"]] = alpha * r_se * u_roof * a_roof
        if "sky_lw" in col:
            a_wall = sum(env[f"a_wall_{o}_m2"].to_numpy(dtype=float) for o in ORIENTATIONS)
            a_win_v = sum(env[f"a_win_{o}_m2"].to_numpy(dtype=float) for o in ORIENTATIONS)
            ua_vertical = u_wall * a_wall + env["u_window_w_m2k"].to_numpy(dtype=float) * a_win_v
            ua_horizontal = u_roof * a_roof + env["u_window_w_m2k"].to_numpy(dtype=float) * env["a_win_h_m2"].to_numpy(dtype=float)
            from twin.energy.solar import sky_longwave_factor

            f_h, f_v = sky_longwave_factor(0.0), sky_longwave_factor(90.0)
            out[:, col["sky_lw"]] = -eps * r_se * (f_h * ua_horizontal + f_v * ua_vertical)
    return out


def to_stock_inputs(
    env: pd.DataFrame,
    *,
    conventions: Conventions = Conventions(),
    factors: dict[str, float] | None = None,
    shade_factor: np.ndarray | None = None,
    groups: tuple[str, ...] = STANDARD_GROUPS,
) -> StockInputs:
    """Kernel inputs of every row of a (validated) envelope table.

    Parameters
    ----------
    env
        Envelope table (see :func:`validate_envelope`; invalid rows make the kernel wrapper
        report them too).
    conventions
        See :class:`Conventions`.
    factors
        Factor table (default :func:`load_factors`).
    shade_factor
        Optional (n_b, n_groups, 12) urban shading factors (:func:`shading_factors`).
    groups
        Surface groups (must match the drivers).
    """
    f = {**load_factors(), **(factors or {})}
    h_op, h_w = transmission(env)
    h_ve = ventilation(env)
    if conventions.temperature_reduction:
        f_red = temperature_reduction(env, h_op + h_w)
    else:
        f_red = np.ones(len(env))
    a_f = env["a_f_m2"].to_numpy(dtype=float)
    c_m = env["c_m_wh_m2k"].to_numpy(dtype=float) * 3600.0  # J/(m2 K)
    return StockInputs(
        building_id=text_values(env["building_id"]),
        a_f_m2=a_f,
        h_ve_w_k=f_red * h_ve,
        h_tr_w_w_k=f_red * h_w,
        h_tr_op_w_k=f_red * h_op,
        c_m_j_k=c_m * a_f,
        a_m_m2=a_m_from_c_m(c_m, a_f),
        sol_coeff_m2=solar_coefficients(env, conventions, f, groups),
        groups=groups,
        gain_w_m2=env["phi_int_w_m2"].to_numpy(dtype=float),
        gain_conv_frac=conventions.gain_conv_frac,
        shade_factor=shade_factor,
        film_correction=conventions.film_correction,
    )


@dataclass
class StockModel:
    """A scene's building stock ready to simulate.

    Attributes
    ----------
    envelope : pandas.DataFrame
        Envelope table of the buildings that passed validation (with ``_source`` columns).
    excluded : pandas.DataFrame
        ``building_id``, ``field``, ``reason`` of each building left out.
    conventions : Conventions
    shade_factor : numpy.ndarray or None
        (n_b, n_groups, 12) urban shading factors aligned with ``envelope``.
    """

    envelope: pd.DataFrame
    excluded: pd.DataFrame
    conventions: Conventions = field(default_factory=Conventions)
    shade_factor: np.ndarray | None = None

    def inputs(self, envelope: pd.DataFrame | None = None, factors: dict[str, float] | None = None) -> StockInputs:
        """Kernel inputs of ``envelope`` (default: the model's own; e.g. after a measure)."""
        env = self.envelope if envelope is None else envelope
        return to_stock_inputs(env, conventions=self.conventions, factors=factors, shade_factor=self.shade_factor)


def build_envelope(scene, *, typology=None, overrides=None, factors=None, calibrated: bool = True) -> pd.DataFrame:
    """Envelope table of every building of ``scene`` (footprint and IFC buildings).

    With ``calibrated`` (default), the calibrated parameters the scene carries (posterior
    medians, :mod:`twin.energy.calibrated`) are applied, their ``_source`` columns saying
    ``calibrated``; ``calibrated=False`` gives the uncalibrated envelope (what a calibration
    and the Monte Carlo samples of a calibrated building start from).
    """
    parts = [
        envelope_from_footprints(scene, typology=typology, overrides=overrides, factors=factors),
        envelope_from_ifc(scene, typology=typology, overrides=overrides, factors=factors),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        raise InputError("the scene has no buildings", field="buildings")
    env = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    scene_ids = scene.buildings["building_id"].astype(str)
    if len(env) != len(scene_ids) or not np.array_equal(env["building_id"].to_numpy(), scene_ids.to_numpy()):
        # in the scene's order (already so when every building comes from footprints: no copy then)
        order = {b: i for i, b in enumerate(scene_ids)}
        env = env.iloc[np.argsort(env["building_id"].map(order).to_numpy(), kind="stable")].reset_index(drop=True)
    elif not isinstance(env.index, pd.RangeIndex) or env.index.start != 0 or env.index.step != 1:
        env = env.reset_index(drop=True)
    if calibrated:
        from twin.energy.calibrated import apply_parameters, scene_calibration

        values = scene_calibration(scene.buildings, env["building_id"])
        if values is not None:
            env = apply_parameters(env, values)
    return env


__all__ = [
    "Conventions",
    "ENVELOPE_COLUMNS",
    "KNOWN_SYSTEM_SOURCES",
    "StockModel",
    "TABULA_CONVENTIONS",
    "a_m_from_c_m",
    "build_envelope",
    "envelope_from_footprints",
    "envelope_from_ifc",
    "envelope_from_tabula",
    "envelope_problems",
    "factor_sources",
    "load_factors",
    "orientation_of",
    "scene_systems",
    "solar_coefficients",
    "temperature_reduction",
    "to_stock_inputs",
    "transmission",
    "validate_envelope",
    "ventilation",
]
