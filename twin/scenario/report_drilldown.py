"""The report's building drill-down (``<section id='buildings'>``): find one building, read its numbers.

A search box takes a building id (``osm:way/13766097``) or words of an address or a street
("Parvis Saint-Gilles", "rue de la victoire 12"; accents and case do not matter). The address is
the OpenStreetMap one (``addr:street``, ``addr:housenumber`` of the building's source file) where
the data has it, else the name of the nearest named street ("near Rue ..."). Choosing a building
shows a table (baseline and each what-if that changes the buildings' energy: heating need, EPB
class, energy bills, CO2, investment and simple payback) and a small map of its surroundings
(neighbouring footprints coloured by baseline class, the streets with their names, a scale bar).

Pure static HTML: the data is one JSON block in the page (``<script type='application/json'
id='bd-data'>``), the search and the map are a few lines of inline JavaScript (no network, no
library). The numbers are those of the energy engine's per-building results, the same ones the
run writes to ``outputs/deltas_<what-if>_energy.parquet`` (``q_heat_kwh``, ``energy_cost_eur``,
``primary_energy_kwh_m2`` ..., ``_baseline`` / ``_whatif``); the class follows from the primary
energy per m2 (:func:`twin.energy.classes.energy_class`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from twin.scenario.report_labels import PV_RULE_SHORT
from twin.scene.names import HALVES_JS, first_half

if TYPE_CHECKING:
    from twin.scenario.report_permit import PermitFacts

#: Per-building quantities of the table: JSON key, energy-result column, label, unit, decimals.
QUANTITIES = (
    ("q", "q_heat_kwh", "Heating need", "kWh/yr", 0),
    ("qm2", "q_heat_kwh_m2", "Heating need per m² of heated floor", "kWh/m²·yr", 1),
    ("pe", "primary_energy_kwh_m2", "Primary energy per m² of heated floor (EPB factors)", "kWh/m²·yr", 0),
    ("cls", "energy_class", "EPB class", "", None),
    ("cost", "energy_cost_eur", "Energy bills", "€/yr", 0),
    ("co2", "co2_kg", "CO₂ emissions", "kg/yr", 0),
    ("inv", "investment_eur", "Investment", "€", 0),
)

#: Colours of the EPB classes, best to worst (the usual green-to-red label scale).
CLASS_COLOURS = {"A++": "#00843d", "A+": "#1a9641", "A": "#4cb648", "B": "#a6d96a", "C": "#e6e64c", "D": "#fdd835",
                 "E": "#fdae61", "F": "#f46d43", "G": "#d7191c"}

#: Footprints are simplified to this tolerance for the page's map, m.
SIMPLIFY_M = 0.5


def energy_whatifs(comparison) -> list[str]:
    """The what-ifs whose energy results differ from the baseline for some building."""
    if "energy" not in getattr(comparison, "baseline", {}):
        return []
    base = comparison.baseline["energy"].objects.set_index("building_id")
    out = []
    cols = [c for _, c, *_ in QUANTITIES if c in base.columns]
    for name, per_domain in comparison.whatifs.items():
        res = per_domain.get("energy")
        if res is None:
            continue
        new = res.objects.set_index("building_id")
        if not new.index.equals(base.index):
            out.append(name)
            continue
        b, w = base[cols], new.loc[base.index, cols]
        if not b.equals(w):
            out.append(name)
    return out


def osm_addresses(buildings: pd.DataFrame) -> pd.Series:
    """Building id -> OpenStreetMap address ("street number") where the source file tags one.

    Reads only the ``osm_type``, ``osm_id``, ``addr:street`` and ``addr:housenumber`` columns of
    each source file of the buildings (GeoJSON, GeoPackage...); a source that cannot be read or
    has no such tags gives none.
    """
    out = {}
    if "source" not in buildings.columns:
        return pd.Series(out, dtype=object)
    for src in sorted(set(buildings["source"].dropna().astype(str)) - {""}):
        try:
            import pyogrio

            from twin.io.gdal_env import gdal_reads

            with gdal_reads():  # a user's file: GDAL writes no .aux.xml beside it
                info = pyogrio.read_info(src)
                fields = set(info["fields"])
                if not {"osm_id", "addr:street"} <= fields:
                    continue
                cols = [c for c in ("osm_type", "osm_id", "addr:street", "addr:housenumber") if c in fields]
                frame = pyogrio.read_dataframe(src, columns=cols, read_geometry=False)
        except (OSError, ValueError, ImportError, KeyError, RuntimeError):  # an optional nicety: no address
            continue
        frame = frame[frame["addr:street"].notna() & (frame["addr:street"].astype(str) != "")]
        for vals in zip(*(frame[c].tolist() for c in cols)):
            d = dict(zip(cols, vals))
            typ = str(d.get("osm_type") or "way")
            number = d.get("addr:housenumber")
            number = "" if number is None or (isinstance(number, float) and np.isnan(number)) else f" {number}"
            try:
                oid = int(float(d["osm_id"]))
            except (TypeError, ValueError):
                continue
            out[f"osm:{typ}/{oid}"] = f"{d['addr:street']}{number}"
    return pd.Series(out, dtype=object)


def nearest_streets(buildings, links) -> np.ndarray:
    """Name of the nearest named street of each building ('' when the scene has no named street)."""
    import shapely

    n = len(buildings)
    if links is None or not len(links) or "name" not in links.columns:
        return np.full(n, "", dtype=object)
    named = links[links["name"].fillna("").astype(str) != ""]
    if not len(named):
        return np.full(n, "", dtype=object)
    tree = shapely.STRtree(np.asarray(named.geometry.values))
    points = shapely.point_on_surface(np.asarray(buildings.geometry.values))
    idx = tree.nearest(points)
    return named["name"].astype(str).to_numpy()[idx]


def ring_coords(geoms, x0: float, y0: float) -> list[list[list[int]]]:
    """Per geometry, the exterior rings of its polygons (none for a part that is not one), each a
    flat list of decimetres from the origin (x, y of the first point, then the steps to the next
    ones).

    Every ring of every geometry is rounded and delta-encoded at once, on shapely's coordinate
    array: the same integers as one geometry at a time (``np.asarray(ring.coords)``), without a
    NumPy call per building.
    """
    import shapely

    parts, geom_of_part = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    polygons = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    xy, ring_of_point = shapely.get_coordinates(shapely.get_exterior_ring(parts[polygons]), return_index=True)
    dm = np.round((xy - (x0, y0)) * 10.0).astype(np.int64)
    steps = dm.copy()
    steps[1:] -= dm[:-1]
    first = np.diff(ring_of_point, prepend=-1) != 0  # the first point of each ring stays whole
    steps[first] = dm[first]
    flat = steps.ravel().tolist()
    ends = 2 * np.cumsum(np.bincount(ring_of_point, minlength=int(polygons.sum())))
    starts = np.r_[0, ends[:-1]]
    out: list[list[list[int]]] = [[] for _ in range(len(geoms))]
    for g, a, b in zip(geom_of_part[polygons].tolist(), starts.tolist(), ends.tolist()):
        out[g].append(flat[a:b])
    return out


def _rounded(values, nd: int | None) -> list:
    if nd is None:
        return [None if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v) for v in values]
    arr = np.asarray(values, dtype=float)
    return [None if not np.isfinite(v) else (round(float(v), nd) if nd else int(round(float(v)))) for v in arr]


def added_objects(comparison) -> pd.DataFrame:
    """The energy results' rows of the buildings a what-if adds (an ``insert_building``: not in the
    baseline, :func:`twin.scenario.permit_impact.added_ids`), each once, in the what-ifs' order;
    empty when none adds one."""
    from twin.scenario.permit_impact import added_ids

    rows = []
    for whatif in comparison.whatifs:
        ids = added_ids(comparison, whatif)
        if ids:
            res = comparison.whatifs[whatif]["energy"]
            rows.append(res.objects[res.objects[res.id_column].astype(str).isin(ids)])
    if not rows:
        return pd.DataFrame()
    return pd.concat(rows, ignore_index=True).drop_duplicates(subset="building_id", keep="first")


def drilldown_data(comparison, addresses: Mapping[str, str] | None = None) -> dict | None:
    """The page's data of the drill-down (see the module docstring); None without an energy engine.

    ``addresses``: building id -> OpenStreetMap address of the baseline's buildings when the report
    has read them already (:func:`osm_addresses`; read here when None).
    """
    if "energy" not in getattr(comparison, "baseline", {}):
        return None
    base = comparison.baseline["energy"].objects
    if "geometry" not in base.columns or not len(base):
        return None
    import geopandas as gpd

    added = added_objects(comparison)
    objects = pd.concat([base, added], ignore_index=True) if len(added) else base  # a permit's new building can be looked up too
    geo = gpd.GeoDataFrame(objects[["building_id", "geometry"]], geometry="geometry")
    scene = getattr(comparison, "baseline_scene", None)
    buildings = getattr(scene, "buildings", None)
    links = getattr(scene, "links", None)
    x0, y0 = (float(v) for v in geo.total_bounds[:2])
    ids = objects["building_id"].astype(str).tolist()
    if addresses is None:
        addresses = osm_addresses(buildings) if buildings is not None else {}
    addresses = dict(addresses)  # one look-up per building: a dict's, not a Series' (.get ~20 µs)
    streets = nearest_streets(geo, links)
    names = {}
    if buildings is not None and "name" in buildings.columns:
        names = buildings.set_index("building_id")["name"].fillna("").astype(str).to_dict()
    simple = geo.geometry.simplify(SIMPLIFY_M, preserve_topology=True)
    street_codes, street_names = pd.factorize(pd.Series(streets, dtype=object).fillna(""))
    street_index, street_names = street_codes.tolist(), [str(s) for s in street_names]
    system = objects["system"].astype(str).str.replace("_", " ") if "system" in objects.columns else pd.Series([""] * len(ids))
    system_codes, systems = pd.factorize(system)
    system_index, systems = system_codes.tolist(), [str(s) for s in systems]
    base_by_id = base.set_index("building_id")  # the baseline's values, read per quantity and per what-if
    data = {
        "origin": [round(x0, 1), round(y0, 1)],
        "ids": ids,
        "addr": [str(addresses.get(i, "")) for i in ids],
        "street_names": street_names,
        "street": street_index,
        "name": [names.get(i, "") for i in ids],
        "geom": ring_coords(simple, x0, y0),
        "area": _rounded(objects["a_f_m2"], 0) if "a_f_m2" in objects.columns else [None] * len(ids),
        "added": len(added),  # buildings a what-if adds, last in ids (their baseline values None)
        "systems": systems,
        "system": system_index,
        "whatifs": [],
        "values": {"baseline": {k: _rounded(base_by_id[c].reindex(ids), nd) for k, c, _, _, nd in QUANTITIES if c in base.columns}},
        "quantities": [[k, lab, u, nd] for k, c, lab, u, nd in QUANTITIES if c in base.columns],
        "colours": CLASS_COLOURS,
        "halves": HALVES_JS,  # the separator of a bilingual street name (twin.scene.names), for the map's labels
        "streets": [],
    }
    for name in energy_whatifs(comparison):
        new = comparison.whatifs[name]["energy"].objects.set_index("building_id").reindex(ids)
        vals = {k: _rounded(new[c], nd) for k, c, _, _, nd in QUANTITIES if c in new.columns}
        data["whatifs"].append(name)
        data["values"][name] = vals
        if not ({"energy_cost_eur", "investment_eur"} <= set(new.columns) and "energy_cost_eur" in base.columns):
            vals["changed"] = [1] * len(ids)
            continue
        base_cost = base_by_id["energy_cost_eur"].reindex(ids).to_numpy(float)
        saving = base_cost - new["energy_cost_eur"].to_numpy(float)
        inv = new["investment_eur"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            payback = np.where((inv > 0) & (saving > 0), inv / saving, np.nan)
        vals["payback"] = _rounded(payback, 1)
        vals["changed"] = [int(v) for v in (new["energy_cost_eur"].to_numpy(float) != base_cost) | (inv > 0)]
    if links is not None and len(links) and "geometry" in links.columns:
        if {"from_node", "to_node"} <= set(links.columns):  # a two-way street is two links: draw it once
            key = [tuple(sorted((str(a), str(b)))) for a, b in zip(links["from_node"], links["to_node"])]
        else:
            key = links["link_id"].astype(str).tolist()
        seen = set()
        for k, name, g in zip(key, links.get("name", pd.Series([""] * len(links))).fillna("").astype(str), links.geometry):
            if g is None or k in seen:
                continue
            seen.add(k)
            xy = np.asarray(g.coords)[:, :2]
            data["streets"].append({"n": name, "c": np.round((xy - (x0, y0)) * 10.0).astype(int).ravel().tolist()})
    return data


#: The drill-down's number formatter (JavaScript): ``nd`` decimals, thousands separated by commas,
#: and a negative number's sign written with the minus sign U+2212, as on the rest of the page
#: (:func:`twin.scenario.report_labels.page_minus` does not reach the text the browser writes);
#: "–" for no value, the text itself when ``nd`` is null (the EPB class).
FMT_JS = r"""
  function fmt(v, nd) {
    if (v === null || v === undefined) return '–';
    if (nd === null) return String(v);
    var s = Number(v).toLocaleString('en-US', {minimumFractionDigits: nd, maximumFractionDigits: nd});
    return s.charAt(0) === '-' ? '\u2212' + s.slice(1) : s;
  }
"""

SCRIPT = r"""
(function () {
  var el = document.getElementById('bd-data');
  if (!el) return;
  var D = JSON.parse(el.textContent);
  var norm = function (s) { return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); };
  D.street = D.street.map(function (k) { return D.street_names[k]; });
  D.system = D.system.map(function (k) { return D.systems[k]; });
  D.geom = D.geom.map(function (rings) { return rings.map(function (r) { var o = r.slice(); for (var k = 2; k < o.length; k++) o[k] += o[k - 2]; return o; }); });
  var text = D.ids.map(function (id, i) { return norm(D.addr[i] + ' ' + D.street[i] + ' ' + D.name[i]); });
  var ids = D.ids.map(norm);
  var inp = document.getElementById('bd-search'), list = document.getElementById('bd-results'), out = document.getElementById('bd-detail');
  var hits = [];
  FMT_JS
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function where(i) { return D.addr[i] ? D.addr[i] : (D.street[i] ? 'near ' + D.street[i] : ''); }
  function search(q) {
    var qn = norm(q).trim(), toks = qn.split(/[\s,]+/).filter(Boolean), exact = [], byAddr = [], byStreet = [], byId = [];
    if (!toks.length) { list.innerHTML = ''; hits = []; return hits; }
    for (var i = 0; i < ids.length; i++) {
      if (ids[i] === qn) exact.push(i);
      else if (toks.every(function (t) { return text[i].indexOf(t) >= 0; })) (D.addr[i] && toks.every(function (t) { return norm(D.addr[i]).indexOf(t) >= 0; }) ? byAddr : byStreet).push(i);
      else if (qn.length >= 3 && ids[i].indexOf(qn) >= 0) byId.push(i);
    }
    hits = exact.concat(byAddr, byStreet, byId);
    var shown = hits.slice(0, 12);
    list.innerHTML = shown.map(function (i) {
      return "<li><button type='button' data-i='" + i + "'><code>" + esc(D.ids[i]) + '</code> ' + esc(where(i)) +
        (D.name[i] ? ' · ' + esc(D.name[i]) : '') + '</button></li>';
    }).join('') + (hits.length > shown.length ? "<li class='note'>" + (hits.length - shown.length) + ' more: type more of the id or address</li>' : '') +
      (hits.length ? '' : "<li class='note'>No building matches.</li>");
    return hits;
  }
  function show(i) {
    var cols = ['baseline'].concat(D.whatifs);
    var h = "<h3 id='bd-title'>" + esc(where(i) || D.ids[i]) + '</h3><p class=\'note\'>Building <code>' + esc(D.ids[i]) + '</code>' +
      (D.name[i] ? ' · ' + esc(D.name[i]) : '') + ' · heated floor area ' + fmt(D.area[i], 0) + ' m² · heating: ' + esc(D.system[i]) + '</p>';
    h += "<div class='bd-wrap'><table id='bd-table'><thead><tr><th class='l'>per building</th><th class='l'>unit</th>" +
      cols.map(function (c) { return '<th>' + esc(c) + '</th>'; }).join('') + '</tr></thead><tbody>';
    var rows = D.quantities.concat([['payback', 'Simple payback of the investment', 'years', 1]]);
    rows.forEach(function (q) {
      var k = q[0];
      h += "<tr><td class='l'>" + esc(q[1]) + "</td><td class='l u'>" + esc(q[2]) + '</td>' + cols.map(function (c) {
        var arr = (D.values[c] || {})[k], v = arr ? arr[i] : null;
        if (k === 'payback' && c === 'baseline') v = null;
        var style = (k === 'cls' && v) ? " style='background:" + (D.colours[v] || '#fff') + "'" : '';
        return "<td data-key='" + k + "' data-col='" + esc(c) + "'" + style + '>' + fmt(v, q[3]) + '</td>';
      }).join('') + '</tr>';
    });
    h += '</tbody></table>' + map(i) + '</div>';
    D.whatifs.forEach(function (w) {
      if (!D.values[w].changed[i]) h += "<p class='note'>" + esc(w) + ': this building is not changed by this what-if.</p>';
    });
    out.innerHTML = h;
    out.setAttribute('data-building', D.ids[i]);
  }
  function bbox(rings) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    rings.forEach(function (r) {
      for (var k = 0; k < r.length; k += 2) { b[0] = Math.min(b[0], r[k]); b[1] = Math.min(b[1], r[k + 1]); b[2] = Math.max(b[2], r[k]); b[3] = Math.max(b[3], r[k + 1]); }
    });
    return b;
  }
  var boxes = D.geom.map(bbox);
  function map(i) {
    var W = 360, H = 300, b = boxes[i], cx = (b[0] + b[2]) / 20, cy = (b[1] + b[3]) / 20;
    var half = Math.max(70, 0.8 * Math.max(b[2] - b[0], b[3] - b[1]) / 10), s = (W / 2) / half, hy = (H / 2) / s;
    var X = function (v) { return (v / 10 - cx) * s + W / 2; }, Y = function (v) { return H / 2 - (v / 10 - cy) * s; };
    var path = function (r) { var p = ''; for (var k = 0; k < r.length; k += 2) p += (k ? 'L' : 'M') + X(r[k]).toFixed(1) + ' ' + Y(r[k + 1]).toFixed(1); return p + 'Z'; };
    var g = "<svg id='bd-map' width='" + W + "' height='" + H + "' viewBox='0 0 " + W + ' ' + H + "' role='img' aria-label='map around the building'>" +
      "<rect width='" + W + "' height='" + H + "' fill='#f6f8fa'/>";
    var x0 = (cx - half) * 10, x1 = (cx + half) * 10, y0 = (cy - hy) * 10, y1 = (cy + hy) * 10;
    D.geom.forEach(function (rings, j) {
      var bb = boxes[j];
      if (j === i || bb[2] < x0 || bb[0] > x1 || bb[3] < y0 || bb[1] > y1) return;
      var c = D.values.baseline.cls ? D.colours[D.values.baseline.cls[j]] : '#ccc';
      g += "<path d='" + rings.map(path).join('') + "' fill='" + (c || '#ccc') + "' fill-opacity='0.45' stroke='#8c959f' stroke-width='0.5'/>";
    });
    var labels = [];
    D.streets.forEach(function (st) {
      var c = st.c, best = null;
      var d = '';
      var inside = false;
      for (var k = 0; k < c.length; k += 2) {
        d += (k ? 'L' : 'M') + X(c[k]).toFixed(1) + ' ' + Y(c[k + 1]).toFixed(1);
        if (c[k] >= x0 && c[k] <= x1 && c[k + 1] >= y0 && c[k + 1] <= y1) inside = true;
        if (k >= 2) {
          var ax = X(c[k - 2]), ay = Y(c[k - 1]), bx = X(c[k]), by = Y(c[k + 1]), mx = (ax + bx) / 2, my = (ay + by) / 2;
          var len = Math.hypot(bx - ax, by - ay);
          if (mx > 20 && mx < W - 20 && my > 12 && my < H - 12 && (!best || len > best[0])) best = [len, mx, my, Math.atan2(by - ay, bx - ax) * 180 / Math.PI];
        }
      }
      if (!inside && !best) return;
      g += "<path d='" + d + "' fill='none' stroke='#ffffff' stroke-width='5' stroke-linecap='round'/><path d='" + d + "' fill='none' stroke='#57606a' stroke-width='1.2'/>";
      if (st.n && best && best[0] > 25 && labels.indexOf(st.n) < 0) {
        labels.push(st.n);
        var a = best[3]; if (a > 90) a -= 180; if (a < -90) a += 180;
        var name = st.n.split(new RegExp(D.halves)).filter(function (s) { return s.trim(); })[0].trim();
        g += "<text class='street' x='" + best[1].toFixed(1) + "' y='" + best[2].toFixed(1) + "' transform='rotate(" + a.toFixed(1) + ' ' +
          best[1].toFixed(1) + ' ' + best[2].toFixed(1) + ")' text-anchor='middle' dy='3'>" + esc(name) + '</text>';
      }
    });
    g += "<path d='" + D.geom[i].map(path).join('') + "' fill='" + (D.colours[D.values.baseline.cls ? D.values.baseline.cls[i] : ''] || '#0969da') +
      "' stroke='#0969da' stroke-width='3'/>";
    var nice = [10, 20, 25, 50, 100, 200, 250, 500], len = nice[0];
    nice.forEach(function (n) { if (n * s <= W / 4) len = n; });
    g += "<g class='scalebar'><rect x='8' y='" + (H - 24) + "' width='" + (len * s + 8) + "' height='20' fill='#fff' fill-opacity='0.8'/>" +
      "<line x1='12' y1='" + (H - 10) + "' x2='" + (12 + len * s) + "' y2='" + (H - 10) + "' stroke='#111' stroke-width='2'/>" +
      "<text x='" + (12 + len * s / 2) + "' y='" + (H - 13) + "' text-anchor='middle'>" + len + ' m</text></g>' +
      "<text x='" + (W - 14) + "' y='18' text-anchor='middle' font-weight='600'>N</text><path d='M" + (W - 14) + " 22 l-5 10 h10 z' fill='#111'/></svg>";
    return g;
  }
  inp.addEventListener('input', function () { search(inp.value); });
  inp.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); if (search(inp.value).length) show(hits[0]); } });
  list.addEventListener('click', function (e) {
    var btn = e.target.closest('button[data-i]');
    if (btn) show(Number(btn.getAttribute('data-i')));
  });
  window.twinDrilldown = {search: function (q) { inp.value = q; search(q); return hits.slice(); }, show: show, ids: D.ids};
})();
""".replace("  FMT_JS\n", FMT_JS.lstrip("\n"))

CSS = """
#buildings .bd-box{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap} #bd-search{font-size:1rem;padding:.35rem .6rem;width:min(34rem,100%);
border:1px solid #8c959f;border-radius:6px} #bd-results{list-style:none;padding:0;margin:.4rem 0;max-width:100%}
#bd-results button{background:none;border:none;padding:.15rem .2rem;cursor:pointer;text-align:left;color:#0969da;font:inherit;max-width:100%;overflow-wrap:anywhere}
#bd-results button:hover{text-decoration:underline} .bd-wrap{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
#bd-map{border:1px solid #d0d7de;max-width:100%;height:auto} #bd-map text{font-size:10px;fill:#24292f} #bd-map text.street{font-size:9px;font-style:italic;
paint-order:stroke;stroke:#fff;stroke-width:3px}
"""


def drilldown_section(comparison, permits: PermitFacts | None = None) -> str:
    """The drill-down section (module docstring); a note when the energy engine did not run.

    ``permits``: the report's :func:`twin.scenario.report_permit.permit_facts`, whose addresses
    (read when a what-if inserts buildings) the section uses instead of reading them again.
    """
    head = "<section id='buildings'><h2>Look up a building</h2>"
    data = drilldown_data(comparison, permits.addresses if permits is not None else None)
    if data is None:
        return head + ("<p class='note'>No per-building energy results in this run (add <code>energy</code> to <code>domains</code>): "
                       "nothing to look up.</p></section>")
    n_addr = sum(1 for a in data["addr"] if a)
    n_added = data.pop("added")  # the count, not the page's data
    example_id = data["ids"][0]
    example_street = next((s for s in data["street_names"] if s), "")
    whatifs = data["whatifs"]
    p = [head, f"<style>{CSS}</style>",
         f"<p>Type a building id (e.g. <code>{html.escape(example_id)}</code>) or words of "
         + (f"a street or address (e.g. <i>{html.escape(first_half(example_street))}</i>)" if example_street else "an address")
         + ", then pick a building from the list (Enter takes the first). "
         "The table gives its numbers in the baseline"
         + (f" and in {', '.join(html.escape(w) for w in whatifs)}" if whatifs else "")
         + "; the map shows its surroundings (neighbours coloured by baseline EPB class).</p>",
         "<div class='bd-box'><label for='bd-search'><b>Building id or address</b></label>"
         "<input id='bd-search' type='search' autocomplete='off' placeholder='osm:way/… or Rue …'></div>"
         "<ul id='bd-results'></ul><div id='bd-detail'><p class='note'>No building chosen yet.</p></div>",
         f"<p class='note'>{len(data['ids']):,} buildings"
         + (f" ({len(data['ids']) - n_added:,} in the baseline, {n_added:,} added by a what-if)" if n_added else "")
         + f". Addresses: OpenStreetMap's where it tags one ({n_addr:,} buildings here), "
         + ("otherwise the nearest named street. " if example_street else "no other: the inputs have no named street (a streets file) to "
            "name the nearest one. ")
         + "Payback = investment / yearly saving on the energy bills (no discounting, today's prices; rooftop PV: "
         + html.escape(PV_RULE_SHORT) + "). "
         "Same numbers as <code>outputs/deltas_&lt;what-if&gt;_energy.parquet</code> (rounded).</p>"]
    if not whatifs:
        p.append("<p class='note'>No what-if of this run changes the buildings' energy: only the baseline is shown.</p>")
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    p.append(f"<script type='application/json' id='bd-data'>{payload}</script><script>{SCRIPT}</script></section>")
    return "".join(p)
