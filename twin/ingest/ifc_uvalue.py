"""Thermal transmittance (U-value) of IFC building elements.

Order of precedence (the first that applies wins):

1. ``'layers'`` from the element's IfcMaterialLayerSet when the **file** gives the thermal
   conductivity of every layer (IFC4 ``Pset_MaterialThermal.ThermalConductivity``, IFC2X3
   ``IfcThermalMaterialProperties``; zero, a common exporter placeholder, counts as absent);
   unventilated air layers without a conductivity take their resistance from ISO 6946 Table 8.
2. ``'property'``: the ``ThermalTransmittance`` of the element's ``Pset_*Common`` (or of its
   type).
3. ``'layers'`` again, the missing conductivities taken from :data:`MATERIALS` (design values by
   material name, each with its source; the layer's ``conductivity_source`` says so in
   ``layers_json``).
4. ``'default'``: :func:`default_u` by element kind, boundary and construction period, with
   ``u_defaulted=True``.

A layered U-value is ``U = 1 / (R_si + sum(d_i / lambda_i) + R_se)`` (EN ISO 6946:2017, eq. 1
and 7), with the surface resistances of EN ISO 6946:2017 Table 7 by direction of heat flow
(:data:`SURFACE_RESISTANCE`): walls horizontal (R_si 0.13, R_se 0.04), roofs upward (0.10, 0.04),
floors downward (0.17, 0.04), m2K/W. Interior elements take R_si on both sides. A ground floor's
U is that of its construction (R_se 0.04); the ground itself (EN ISO 13370) is left to the
energy model. A well-ventilated air layer (``IsVentilated`` TRUE) drops itself and every layer
outside it, and R_se becomes R_si (ISO 6946 section 6.9.4). Stud/joist cavity layers
(e.g. Revit's "Metal - Stud Layer") are read as unventilated air layers, which neglects the
bridging of the studs (an optimistic U).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------- surface resistances
SURFACE_RESISTANCE: dict[str, tuple[float, float]] = {
    # heat flow direction: (R_si, R_se) in m2K/W, EN ISO 6946:2017 Table 7
    "horizontal": (0.13, 0.04),
    "upward": (0.10, 0.04),
    "downward": (0.17, 0.04),
}

# EN ISO 6946:2017 Table 8, thermal resistance of unventilated air layers (m2K/W) by thickness (mm)
_AIR_THICKNESS_MM = (0.0, 5.0, 7.0, 10.0, 15.0, 25.0, 50.0, 100.0, 300.0)
AIR_LAYER_R: dict[str, tuple[float, ...]] = {
    "upward": (0.0, 0.11, 0.13, 0.15, 0.16, 0.16, 0.16, 0.16, 0.16),
    "horizontal": (0.0, 0.11, 0.13, 0.15, 0.17, 0.18, 0.18, 0.18, 0.18),
    "downward": (0.0, 0.11, 0.13, 0.15, 0.17, 0.19, 0.21, 0.22, 0.23),
}


def air_layer_r(thickness_m: float, flow: str) -> float:
    """Thermal resistance of an unventilated air layer, ISO 6946 Table 8 (linear interpolation)."""
    mm = min(max(thickness_m * 1000.0, 0.0), _AIR_THICKNESS_MM[-1])
    values = AIR_LAYER_R[flow]
    for i in range(1, len(_AIR_THICKNESS_MM)):
        lo, hi = _AIR_THICKNESS_MM[i - 1], _AIR_THICKNESS_MM[i]
        if mm <= hi:
            return values[i - 1] + (values[i] - values[i - 1]) * (mm - lo) / (hi - lo)
    return values[-1]


# --------------------------------------------------------------------------- material design values
@dataclass(frozen=True)
class Material:
    """A design thermal conductivity for materials whose name matches ``pattern``."""

    key: str
    pattern: str
    conductivity_w_mk: float | None  # None: an air layer (resistance from ISO 6946 Table 8)
    source: str


_ISO10456 = "EN ISO 10456:2007 Table 3"
MATERIALS: tuple[Material, ...] = (
    # order matters: the first pattern found in the material name wins
    Material(
        "air",
        r"\bair\b|luft|lucht|lame d.air|spouw|cavity|\bstud\b|joist cavity",
        None,
        "EN ISO 6946:2017 Table 8 (unventilated air layer)",
    ),
    Material("pur", r"polyurethan|\bpur\b|\bpir\b|polyiso", 0.028, "CIBSE Guide A (2015) Table 3.37, polyurethane foam"),
    Material(
        "eps_xps",
        r"polystyr|\beps\b|\bxps\b|styropor",
        0.035,
        "typical declared value of EPS/XPS boards, EN 13163/13164 (0.030-0.040)",
    ),
    Material(
        "insulation",
        r"insulat|isolat|d[äa]mm|mineral ?wo|rock ?wool|glass ?wool|steenwol|glaswol|laine",
        0.040,
        "typical declared value of mineral wool, EN 13162 (0.032-0.040); conservative",
    ),
    Material(
        "reinforced_concrete",
        r"stahlbeton|reinforced|gewapend|b[ée]ton arm",
        2.3,
        f"{_ISO10456}, reinforced concrete (1 % steel)",
    ),
    Material(
        "aerated_concrete",
        r"porenbeton|gasbeton|cellenbeton|aerated|ytong|\baac\b",
        0.16,
        "typical AAC block 500 kg/m3, EN 771-4 declared values (0.12-0.18)",
    ),
    Material(
        "lightweight_concrete",
        r"leichtbeton|lightweight concrete|licht ?beton|lightweight aggregate",
        0.44,
        "typical lightweight-aggregate concrete about 1200 kg/m3 (approximate)",
    ),
    Material(
        "concrete_block",
        r"concrete block|\bcmu\b|betonblok|parpaing|hollow block|betonstein",
        0.51,
        "CIBSE Guide A (2015), medium-density concrete block 1400 kg/m3",
    ),
    Material(
        "calcium_silicate",
        r"kalkzandsteen|kalksandstein|calcium silicate|silka|\bcs\d",
        1.0,
        "DIN 4108-4 design values for calcium silicate 1800-2000 kg/m3 (0.99-1.1)",
    ),
    Material("concrete", r"concrete|beton|b[ée]ton", 2.0, f"{_ISO10456}, concrete high density 2400 kg/m3"),
    Material(
        "brick",
        r"brick|baksteen|ziegel|brique|masonry|mauerwerk|metselwerk",
        0.77,
        "CIBSE Guide A (2015), brickwork outer leaf 1700 kg/m3",
    ),
    Material(
        "plasterboard",
        r"plasterboard|gypsum ?board|gipskarton|gyproc|drywall|plaque de pl[aâ]tre",
        0.25,
        f"{_ISO10456}, gypsum plasterboard 900 kg/m3",
    ),
    Material("plaster", r"plaster|putz|pleister|enduit|render|stucco", 0.57, f"{_ISO10456}, gypsum plaster 1300 kg/m3"),
    Material(
        "mortar", r"mortar|m[öo]rtel|mortel|grout|screed|estrich|chape|dekvloer", 1.0, f"{_ISO10456}, cement-sand 1800 kg/m3"
    ),
    Material(
        "timber",
        r"wood|timber|holz|hout|bois|lumber|plywood|\bosb\b|sheathing|multiplex|spruce|pine",
        0.13,
        f"{_ISO10456}, softwood / plywood 500 kg/m3",
    ),
    Material("steel", r"steel|stahl|staal|acier|metal|firring", 50.0, f"{_ISO10456}, steel"),
    Material("aluminium", r"alumin", 160.0, f"{_ISO10456}, aluminium alloys"),
    Material("glass", r"glass|glas|verre", 1.0, f"{_ISO10456}, soda-lime glass"),
    Material("ceramic", r"ceramic|tile|fliese|tegel|carrelage|keramik", 1.3, f"{_ISO10456}, ceramic / porcelain"),
    Material("bitumen", r"bitum|roofing|barrier|membrane|felt|vapour|vapor|dampproof", 0.23, f"{_ISO10456}, bitumen"),
    Material("rubber", r"epdm|rubber|caoutchouc", 0.25, f"{_ISO10456}, EPDM rubber"),
    Material("gravel", r"gravel|kies|grind|sand\b", 2.0, f"{_ISO10456}, sand and gravel"),
    Material("soil", r"soil|earth|grass|substrate|erde|aarde|terre|site - ", 1.5, f"{_ISO10456}, clay or silt"),
)
_COMPILED = tuple((m, re.compile(m.pattern, re.IGNORECASE)) for m in MATERIALS)


def lookup_material(name: str) -> Material | None:
    """The :data:`MATERIALS` entry whose pattern occurs in ``name``, else None."""
    for material, regex in _COMPILED:
        if regex.search(name or ""):
            return material
    return None


# --------------------------------------------------------------------------- defaults
#: Default U-values (W/m2K) of exterior elements by construction period: TABULA/EPISCOPE Belgian
#: single-family house typology, "existing state" (BE.N.SFH.0x.Gen.ReEx.001.001: U_Roof_1,
#: U_Wall_1, U_Floor_1, U_Window_1, U_Door_1), from the tsib copy of the TABULA calculator
#: (../shared/data/typology/tabula_BE.csv). Unknown year: the newest period (a permit
#: application is a new building).
TABULA_BE_SFH: tuple[tuple[int, int, dict[str, float]], ...] = (
    (0, 1945, {"roof": 1.70, "wall": 2.20, "floor": 0.85, "window": 5.0, "door": 4.0}),
    (1946, 1970, {"roof": 1.90, "wall": 1.70, "floor": 0.85, "window": 5.0, "door": 4.0}),
    (1971, 1990, {"roof": 0.85, "wall": 1.00, "floor": 0.85, "window": 3.5, "door": 4.0}),
    (1991, 2005, {"roof": 0.60, "wall": 0.60, "floor": 0.70, "window": 3.5, "door": 3.5}),
    (2006, 2011, {"roof": 0.30, "wall": 0.40, "floor": 0.60, "window": 2.0, "door": 2.9}),
    (2012, 9999, {"roof": 0.21, "wall": 0.23, "floor": 0.22, "window": 1.7, "door": 1.7}),
)

#: Constructions assumed for interior elements without data: layers (name, thickness m); U is
#: computed from them with :data:`MATERIALS` and R_si on both sides.
INTERIOR_CONSTRUCTIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "wall": (("gypsum plaster", 0.015), ("brick", 0.10), ("gypsum plaster", 0.015)),
    "floor": (("cement screed", 0.06), ("reinforced concrete", 0.20)),
    "roof": (("cement screed", 0.06), ("reinforced concrete", 0.20)),
    "door": (("timber", 0.04),),
    "window": (("glass", 0.008),),
}


def flow_direction(kind: str, tilt_deg: float | None) -> str:
    """Direction of heat flow for the surface resistances: by tilt when known, else by kind."""
    if tilt_deg is not None and math.isfinite(tilt_deg):
        if tilt_deg < 60.0:
            return "upward"
        if tilt_deg > 120.0:
            return "downward"
        return "horizontal"
    return {"roof": "upward", "floor": "downward"}.get(kind, "horizontal")


def default_u(kind: str, boundary: str, year: float | None = None) -> tuple[float, str]:
    """Default U-value (W/m2K) and its source, by element kind, boundary and construction year."""
    if boundary == "interior":
        layers = INTERIOR_CONSTRUCTIONS[kind]
        rsi = SURFACE_RESISTANCE["horizontal"][0]
        r = 2 * rsi + sum(t / lookup_material(name).conductivity_w_mk for name, t in layers)  # type: ignore[union-attr]
        desc = " + ".join(f"{t * 1000:g} mm {name}" for name, t in layers)
        return 1.0 / r, f"interior {kind}: {desc}, R_si 0.13 both sides (ISO 6946)"
    y = 9999 if year is None or not math.isfinite(year) else int(year)
    for y0, y1, values in TABULA_BE_SFH:
        if y0 <= y <= y1:
            period = f"{y0}-{y1}" if y1 < 9999 else f">={y0}"
            return values[kind], f"TABULA BE single-family house {period}, U_{kind.capitalize()}_1"
    return TABULA_BE_SFH[-1][2][kind], "TABULA BE single-family house >=2012"


# --------------------------------------------------------------------------- computation
@dataclass(frozen=True)
class UValue:
    u_value_w_m2k: float
    source: str  # one of 'layers', 'property', 'default'
    defaulted: bool
    layers_json: str
    note: str


def _resolve_layers(layers: list[dict[str, Any]], allow_table: bool) -> list[dict[str, Any]] | None:
    """Layers with a conductivity (or air-layer flag) each, None when one cannot be resolved."""
    out = []
    for layer in layers:
        thickness = float(layer.get("thickness_m") or 0.0)
        rec = {
            "material": layer.get("material", ""),
            "thickness_m": thickness,
            "conductivity_w_mk": None,
            "conductivity_source": None,
        }
        rec["ventilated"] = layer.get("ventilated") == "TRUE"
        if layer.get("conductivity_w_mk"):
            rec["conductivity_w_mk"] = float(layer["conductivity_w_mk"])
            rec["conductivity_source"] = "file"
        else:
            material = lookup_material(rec["material"])
            if layer.get("ventilated") in ("TRUE", "FALSE"):  # IsVentilated set: the layer is an air gap
                rec["conductivity_source"] = "air layer, " + MATERIALS[0].source
            elif material is not None and material.conductivity_w_mk is None:
                rec["conductivity_source"] = "air layer, " + material.source
            elif allow_table and material is not None:
                rec["conductivity_w_mk"] = material.conductivity_w_mk
                rec["conductivity_source"] = f"table:{material.key} ({material.source})"
            elif thickness <= 0:
                rec["conductivity_source"] = "zero thickness"
            else:
                return None
        out.append(rec)
    return out


def layered_u(layers: list[dict[str, Any]], flow: str, *, interior: bool) -> tuple[float, list[dict[str, Any]]]:
    """U-value (W/m2K) of resolved layers ordered outside -> inside, ISO 6946.

    Returns U and the layers annotated with their resistance ``r_m2k_w``.
    """
    rsi, rse = SURFACE_RESISTANCE[flow]
    if interior:
        rse = rsi
    start = 0
    for i, layer in enumerate(layers):
        if layer.get("ventilated"):
            start, rse = i + 1, rsi  # ISO 6946 6.9.4: well-ventilated layer and all outside it ignored
    total = rsi + rse
    annotated = []
    for i, layer in enumerate(layers):
        rec = dict(layer)
        if i < start:
            rec["r_m2k_w"] = 0.0
        elif layer["conductivity_w_mk"]:
            rec["r_m2k_w"] = layer["thickness_m"] / layer["conductivity_w_mk"]
        elif str(layer.get("conductivity_source") or "").startswith("air layer"):
            rec["r_m2k_w"] = air_layer_r(layer["thickness_m"], flow)
        else:
            rec["r_m2k_w"] = 0.0
        total += rec["r_m2k_w"]
        annotated.append(rec)
    return 1.0 / total, annotated


def element_u(
    *,
    kind: str,
    boundary: str,
    tilt_deg: float | None,
    layers: list[dict[str, Any]] | None,
    thermal_transmittance: float | None,
    year: float | None,
) -> UValue:
    """U-value of one element following the precedence of the module docstring.

    ``layers`` are ordered outside -> inside (dicts with material, thickness_m,
    conductivity_w_mk from the file, ventilated).
    """
    flow = flow_direction(kind, tilt_deg)
    interior = boundary == "interior"
    if layers:
        resolved = _resolve_layers(layers, allow_table=False)
        if resolved is not None and any(r["conductivity_source"] == "file" for r in resolved):
            u, annotated = layered_u(resolved, flow, interior=interior)
            return UValue(u, "layers", False, json.dumps(annotated), "conductivities from the file")
    if thermal_transmittance is not None and thermal_transmittance > 0:
        table = _resolve_layers(layers, allow_table=True) if layers else None
        return UValue(float(thermal_transmittance), "property", False, _layers_json(layers, table), "Pset ThermalTransmittance")
    if layers:
        resolved = _resolve_layers(layers, allow_table=True)
        if resolved is not None and sum(r["thickness_m"] for r in resolved) > 0:
            u, annotated = layered_u(resolved, flow, interior=interior)
            return UValue(u, "layers", False, json.dumps(annotated), "conductivities from the material table")
    u, source = default_u(kind, boundary, year)
    table = _resolve_layers(layers, allow_table=True) if layers else None
    return UValue(u, "default", True, _layers_json(layers, table), source)


def _layers_json(raw: list[dict[str, Any]] | None, resolved: list[dict[str, Any]] | None) -> str:
    if resolved is not None:
        return json.dumps(resolved)
    if not raw:
        return "[]"
    return json.dumps(
        [
            {
                "material": r.get("material", ""),
                "thickness_m": r.get("thickness_m"),
                "conductivity_w_mk": r.get("conductivity_w_mk"),
                "conductivity_source": None,
            }
            for r in raw
        ]
    )
