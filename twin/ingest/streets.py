"""Street lines -> a routable network: nodes at intersections and directed links.

Method
------
1. Every street line (MultiLineStrings are split into their parts) is a sequence of vertices.
   Vertices are snapped to a grid (``snap``: 0.01 m in a projected CRS, 1e-7 degree, about
   1 cm, in a geographic one; see ``streets.snap_m`` / ``snap_deg`` in the defaults table):
   two vertices in the same cell are one point. OSM ways that cross at an intersection share a
   node, hence identical coordinates, so the grid only absorbs rounding. Lines that cross
   without a shared vertex (bridges, tunnels, or sloppy data) are *not* connected.
2. A vertex is a network node when it ends a line, or when it occurs two or more times among
   all lines (shared by two lines, or visited twice by one). Lines are split at their nodes; a
   piece that would start and end at the same node (a closed loop) is split once more at its
   middle vertex.
3. Each piece becomes one or two directed links. ``oneway=yes|true|1`` (and
   ``junction=roundabout|circular``, and classes that are oneway by definition, e.g.
   motorway) keep only the forward direction for vehicles, ``oneway=-1|reverse`` only the
   backward one. Pedestrians are not bound by oneway (OSM convention), nor bikes where
   ``oneway:bicycle=no``: they get a link against the flow with only those modes, capacity 0
   and their own speed.
4. Attributes by class (``streets.classes`` in ``twin/data/ingest_defaults.yaml``): free speed
   from ``maxspeed`` (numbers in km/h, ``mph``, implicit values such as ``BE:urban``) else the
   class default (Brussels 30 km/h zone since 2021); lanes per direction from
   ``lanes:forward`` / ``lanes:backward``, else ``lanes`` (all of it on a oneway link, half of
   it rounded down on a two-way street), else (or where that is not a number >= 1) the class
   default; capacity = lanes x capacity per lane of the class (MATSim OsmNetworkReader
   values); modes from the class, adjusted by ``access``, ``motor_vehicle``, ``bicycle`` and
   ``foot`` tags. Each link records where its speed and lanes came from (``data``,
   ``inferred``, ``default``) and the rule; unusable tag values are reported, not silently
   replaced (:mod:`twin.ingest.street_sources`). A link of a roundabout's ring keeps the
   ``junction`` value (``roundabout`` / ``circular``; '' otherwise): the give-way model makes
   the entries yield to the ring (:mod:`twin.traffic.priority`).
5. Lengths in metres: geodesic (pyproj.Geod on the CRS's ellipsoid) when the CRS is
   geographic, planar otherwise.

Everything is vectorised over vertices (NumPy, shapely 2 array functions); Python loops run
over distinct attribute combinations only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from twin.ingest.defaults import _clean, _per_unique, load_defaults, parse_number
from twin.ingest.street_sources import d_name, lane_notes, lane_sources, speed_notes, speed_sources, usable_lanes
from twin.scene.schema import MODES
from twin.street_limits import MAX_FREE_SPEED_M_S

KMH = 1.0 / 3.6
MPH = 1.609344 / 3.6
_YES = {"yes", "true", "1"}
_REVERSE = {"-1", "reverse"}
_NO = {"no", "false", "0"}
RING_JUNCTIONS = ("roundabout", "circular")
"""OSM ``junction`` values of a roundabout's ring (kept on the links, one-way)."""
_MOTOR = ("car", "truck", "bus")
_VALUE_TAGS = ("maxspeed", "maxspeed:forward", "maxspeed:backward", "lanes", "lanes:forward", "lanes:backward")
_SOURCE_COLUMNS = ("free_speed_m_s_source", "free_speed_m_s_rule", "lanes_source", "lanes_rule")


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Lower-case text of column ``name`` (None where missing or absent)."""
    if name not in frame:
        return np.full(len(frame), None, dtype=object)
    return _per_unique(frame[name].to_numpy(dtype=object), _clean)


def parse_maxspeed(values, words: dict[str, float]) -> np.ndarray:
    """Speed limits in m/s (NaN where not a limit), from OSM ``maxspeed`` values.

    ``'50'`` (km/h), ``'30 mph'``, ``'BE:urban'`` (from ``words``, km/h), ``'50;70'`` (the
    first). Other words (``signals``, ``variable``) and numbers above
    :data:`twin.street_limits.MAX_FREE_SPEED_M_S` (``'1000'``) give NaN.
    """
    lookup = {k.lower(): float(v) for k, v in words.items()}

    def one(v: str) -> float:
        v = str(v).split(";")[0].strip().lower()
        if v in lookup:
            return lookup[v] * KMH
        num = parse_number([v])[0]
        if not np.isfinite(num) or num <= 0:
            return np.nan
        limit = num * (MPH if "mph" in v else KMH)
        return limit if limit <= MAX_FREE_SPEED_M_S else np.nan

    got = _per_unique(values, one)
    return np.array([np.nan if g is None else g for g in got], dtype=float)


def street_attributes(tags: pd.DataFrame, table: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per street line: class, direction, speed, lanes, capacity and modes (both directions).

    Parameters
    ----------
    tags
        One row per line; OSM-style columns (any may be absent): ``highway`` (or another of
        ``streets.class_columns``), ``oneway``, ``junction``, ``maxspeed``, ``lanes``,
        ``lanes:forward``, ``lanes:backward``, ``oneway:bicycle``, ``access``,
        ``motor_vehicle``, ``bicycle``, ``foot``.

    Returns
    -------
    DataFrame
        ``road_class``, ``junction`` (``roundabout`` / ``circular`` on a roundabout's ring,
        '' otherwise), ``routable`` (bool), ``reason`` (why not routable), and for the
        forward (``_f``) and backward (``_b``) directions: ``modes``, ``free_speed_m_s``,
        ``lanes``, ``capacity_veh_h``, and where speed and lanes came from:
        ``free_speed_m_s_source``, ``free_speed_m_s_rule``, ``lanes_source``, ``lanes_rule``
        (:mod:`twin.ingest.street_sources`); ``notes``: per line a tuple of the texts of its
        tag values not used as given (lines open to motor vehicles).
    """
    table = table or load_defaults()
    st = table["streets"]
    classes = st["classes"]
    n = len(tags)
    road_class = np.full(n, None, dtype=object)
    class_cols = [c for c in st["class_columns"] if c in tags]
    for c in class_cols:
        got = _col(tags, c)
        take = pd.isna(road_class) & ~pd.isna(got)
        road_class[take] = got[take]
    if not class_cols:  # a file of street lines without any class: all get the default class
        road_class[:] = st["default_class"]
    known = np.array([c in classes for c in road_class], dtype=bool) if n else np.zeros(0, bool)
    reason = np.full(n, "", dtype=object)
    not_routable = set(st["not_routable"])
    for i in np.flatnonzero(~known):
        rc = road_class[i]
        if rc is None:
            reason[i] = "line without a street class"
        elif rc in not_routable:
            reason[i] = f"not a routable street (class {rc!r})"
        else:
            reason[i] = f"unknown street class {rc!r}"
    rc_known = np.where(known, road_class, st["default_class"])

    # class columns computed once per distinct class
    codes, uniq = pd.factorize(pd.Series(rc_known, dtype=object))
    def per_class(field, default=None):
        vals = np.array([classes[u].get(field, default) for u in uniq] + [default], dtype=object)
        return vals[codes]

    speed_class = per_class("speed_kmh").astype(float) * KMH
    lanes_class = per_class("lanes").astype(float)
    cap_lane = per_class("capacity_veh_h_lane").astype(float)
    oneway_class = per_class("oneway", False).astype(bool)

    # --- direction
    oneway = _col(tags, "oneway")
    junction = _col(tags, "junction")
    direction = np.zeros(n, dtype=np.int8)
    direction[oneway_class] = 1
    ring = np.isin(junction, list(RING_JUNCTIONS))
    direction[ring] = 1
    direction[np.isin(oneway, list(_YES))] = 1
    direction[np.isin(oneway, list(_REVERSE))] = -1
    direction[np.isin(oneway, list(_NO))] = 0

    # --- speed
    raw = {k: (tags[k].to_numpy(dtype=object) if k in tags else np.full(n, None, dtype=object)) for k in _VALUE_TAGS}
    speed_tag = parse_maxspeed(raw["maxspeed"], st["maxspeed_words"])
    # per direction: maxspeed:forward / maxspeed:backward where it is a limit, else maxspeed
    own_speed = {d: parse_maxspeed(raw[f"maxspeed:{d_name(d)}"], st["maxspeed_words"]) for d in ("f", "b")}
    limit = {d: np.where(np.isfinite(own_speed[d]), own_speed[d], speed_tag) for d in ("f", "b")}
    speed = {d: np.where(np.isnan(limit[d]), speed_class, limit[d]) for d in ("f", "b")}
    walk_speed = float(st["walk_speed_kmh"]) * KMH
    bike_speed = float(st["bike_speed_kmh"]) * KMH

    # --- lanes per direction
    lane_tags = {k: parse_number(raw[k]) for k in ("lanes", "lanes:forward", "lanes:backward")}
    total, fwd, bwd = lane_tags["lanes"], lane_tags["lanes:forward"], lane_tags["lanes:backward"]
    per_dir_total = np.where(direction != 0, total, np.floor(total / 2.0))
    lanes_f = np.where(np.isnan(fwd), per_dir_total, fwd)
    lanes_b = np.where(np.isnan(bwd), per_dir_total, bwd)
    lanes_f = np.where(usable_lanes(lanes_f), lanes_f, lanes_class)  # '1e400' parses as inf; 1000 is too many
    lanes_b = np.where(usable_lanes(lanes_b), lanes_b, lanes_class)

    # --- modes: per distinct combination of (class, access tags)
    keys = pd.DataFrame(
        {
            "c": rc_known,
            "access": _col(tags, "access"),
            "motor": _col(tags, "motor_vehicle"),
            "bicycle": _col(tags, "bicycle"),
            "foot": _col(tags, "foot"),
            "obike": _col(tags, "oneway:bicycle"),
        }
    ).fillna("")
    combo_codes, combos = _factorize_rows(keys)
    full_modes, contra_modes, why_none = [], [], []
    for c, access, motor, bicycle, foot, obike in combos:
        given = {"access": access, "motor_vehicle": motor, "bicycle": bicycle, "foot": foot}
        why_none.append(
            "no mode of transport allowed ("
            + ", ".join([f"highway={c}"] + [f"{k}={v}" for k, v in given.items() if v])
            + ")"
        )
        modes = set(classes[c]["modes"])
        if access in ("no", "private") or motor in ("no", "private"):
            modes -= set(_MOTOR)
        if access in ("no", "private"):
            if bicycle not in ("yes", "designated", "permissive"):
                modes.discard("bike")
            if foot not in ("yes", "designated", "permissive"):
                modes.discard("walk")
        if bicycle in ("yes", "designated", "permissive") and c not in ("motorway", "motorway_link"):
            modes.add("bike")
        if bicycle in ("no", "dismount"):
            modes.discard("bike")
        if foot in ("yes", "designated", "permissive") and c not in ("motorway", "motorway_link"):
            modes.add("walk")
        if foot == "no":
            modes.discard("walk")
        contra = {m for m in modes if m == "walk" or (m == "bike" and obike in _NO)}
        full_modes.append(",".join(m for m in MODES if m in modes))
        contra_modes.append(",".join(m for m in MODES if m in contra))
    full = np.array(full_modes + [""], dtype=object)[combo_codes]
    contra = np.array(contra_modes + [""], dtype=object)[combo_codes]
    no_mode_reason = np.array(why_none + [""], dtype=object)[combo_codes]
    motor_combo = np.array([any(m in ms.split(",") for m in _MOTOR) for ms in full_modes] + [False], dtype=bool)
    bike_full = np.array(["bike" in ms.split(",") for ms in full_modes] + [False], dtype=bool)[combo_codes]
    bike_contra = np.array(["bike" in ms.split(",") for ms in contra_modes] + [False], dtype=bool)[combo_codes]

    # a link closed to motor vehicles moves at the speed of its fastest remaining mode
    has_motor = motor_combo[combo_codes]
    speed_full = {d: np.where(has_motor, speed[d], np.where(bike_full, bike_speed, walk_speed)) for d in ("f", "b")}
    cap_f = np.where(has_motor, lanes_f * cap_lane, 0.0)
    cap_b = np.where(has_motor, lanes_b * cap_lane, 0.0)
    contra_speed = np.where(bike_contra, bike_speed, walk_speed)

    fwd_full = direction >= 0
    bwd_full = direction <= 0
    speed_prov = {
        d: speed_sources(raw["maxspeed"], limit[d], rc_known, motor=has_motor, bike=bike_full, own=np.isfinite(own_speed[d]), own_tag=f"maxspeed:{d_name(d)}")
        for d in ("f", "b")
    }
    lane_src = lane_sources(raw, lane_tags, direction, rc_known)
    motor_rows = np.flatnonzero(has_motor)
    notes = speed_notes(raw["maxspeed"], speed_tag, rc_known, speed_class / KMH, motor_rows)
    for d in ("f", "b"):
        tag = f"maxspeed:{d_name(d)}"
        for r, texts in speed_notes(raw[tag], own_speed[d], rc_known, speed_class / KMH, motor_rows, tag=tag, instead="maxspeed or the class default").items():
            notes.setdefault(r, []).extend(texts)
    lane_rules = {d: np.where(full_d, lane_src[d][1], "default:contraflow") for d, full_d in (("f", fwd_full), ("b", bwd_full))}
    for r, texts in lane_notes(raw, lane_tags, {"f": lanes_f, "b": lanes_b}, lane_rules, direction, motor_rows).items():
        notes.setdefault(r, []).extend(texts)
    note_col = np.empty(n, dtype=object)
    note_col[:] = [tuple(notes.get(i, ())) for i in range(n)]
    out = pd.DataFrame(
        {
            "road_class": rc_known,
            "junction": np.where(ring, junction, "").astype(object),
            "routable": known & (full != ""),
            "reason": np.where(known & (full == ""), no_mode_reason, reason),
            "direction": direction,
            "modes_f": np.where(fwd_full, full, contra),
            "modes_b": np.where(bwd_full, full, contra),
            "free_speed_m_s_f": np.where(fwd_full, speed_full["f"], contra_speed),
            "free_speed_m_s_b": np.where(bwd_full, speed_full["b"], contra_speed),
            "lanes_f": np.where(fwd_full, lanes_f, 1.0).astype(np.int64),
            "lanes_b": np.where(bwd_full, lanes_b, 1.0).astype(np.int64),
            "capacity_veh_h_f": np.where(fwd_full, cap_f, 0.0),
            "capacity_veh_h_b": np.where(bwd_full, cap_b, 0.0),
        }
    )
    contra_rule = np.where(bike_contra, "default:bike_speed_kmh", "default:walk_speed_kmh")
    provenance = {
        "free_speed_m_s_source_f": np.where(fwd_full, speed_prov["f"][0], "default"),
        "free_speed_m_s_source_b": np.where(bwd_full, speed_prov["b"][0], "default"),
        "free_speed_m_s_rule_f": np.where(fwd_full, speed_prov["f"][1], contra_rule),
        "free_speed_m_s_rule_b": np.where(bwd_full, speed_prov["b"][1], contra_rule),
        "lanes_source_f": np.where(fwd_full, lane_src["f"][0], "default"),
        "lanes_source_b": np.where(bwd_full, lane_src["b"][0], "default"),
        "lanes_rule_f": lane_rules["f"],
        "lanes_rule_b": lane_rules["b"],
        "notes": note_col,
    }
    for name, values in provenance.items():  # object columns: no conversion to str dtype per row
        out[name] = pd.Series(np.asarray(values, dtype=object), index=out.index, dtype=object)
    return out


def _factorize_rows(frame: pd.DataFrame) -> tuple[np.ndarray, list[tuple]]:
    """Code of each row's combination of values, and the distinct combinations (as tuples)."""
    n = len(frame)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    key = np.zeros(n, dtype=np.int64)
    uniques = []
    for col in frame.columns:
        codes, uniq = pd.factorize(frame[col].to_numpy(dtype=object))
        key = pd.factorize(key * (len(uniq) + 1) + codes)[0].astype(np.int64)  # stays small
        uniques.append((codes, uniq))
    combo, first = np.unique(key, return_index=True)
    codes = np.searchsorted(combo, key)
    combos = [tuple(uniq[c[i]] for c, uniq in uniques) for i in first]
    return codes, combos


def _join(*parts) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars (object array)."""
    out = None
    for p in parts:
        s = pd.Series(p).astype(str) if not isinstance(p, str) else p
        out = s if out is None else out + s
    return out.to_numpy(dtype=object)


def _segment_lengths(coords: np.ndarray, crs) -> np.ndarray:
    """Length (m) of the segment from each vertex to the next (the caller drops line ends)."""
    a, b = coords[:-1], coords[1:]
    crs = pyproj.CRS.from_user_input(crs)
    if crs.is_geographic:
        geod = crs.get_geod() or pyproj.Geod(ellps="WGS84")
        _, _, dist = geod.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        return np.asarray(dist, dtype=float)
    return np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])


def _pack(q: np.ndarray) -> np.ndarray:
    """One int64 key per grid cell (x, y) pair."""
    lo = q.min(axis=0)
    span = q.max(axis=0) - lo + 1
    if float(span[0]) * float(span[1]) < 2**62:
        return (q[:, 0] - lo[0]) * span[1] + (q[:, 1] - lo[1])
    _, inv = np.unique(q, axis=0, return_inverse=True)
    return inv.ravel().astype(np.int64)


def _empty_network(crs) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from twin.scene.layers import empty_layer

    return empty_layer("nodes", crs=crs), empty_layer("links", crs=crs)


def default_snap(crs, table: dict | None = None) -> float:
    """Snapping grid of street vertices in units of ``crs``: ``streets.snap_deg`` (degree) of the
    defaults table in a geographic CRS, ``streets.snap_m`` (m) in a projected one."""
    st = (table if table is not None else load_defaults())["streets"]
    return float(st["snap_deg"] if pyproj.CRS.from_user_input(crs).is_geographic else st["snap_m"])


def snap_cells(coords: np.ndarray, snap: float) -> np.ndarray:
    """Grid cell ``(x, y)`` (int64) of every coordinate pair on a grid of ``snap`` CRS units."""
    return np.floor(np.asarray(coords, dtype=np.float64) / snap + 0.5).astype(np.int64)


def cell_node_ids(node_prefix: str, cells: np.ndarray) -> np.ndarray:
    """Node ids ``<node_prefix>:<x cell>_<y cell>`` of grid cells (:func:`snap_cells`)."""
    cells = np.asarray(cells, dtype=np.int64).reshape(-1, 2)
    return _join(np.full(len(cells), node_prefix + ":", dtype=object), "", cells[:, 0], "_", cells[:, 1])


def build_network(
    lines: gpd.GeoDataFrame,
    *,
    source_ids: np.ndarray,
    names: np.ndarray | None = None,
    node_prefix: str,
    defaults: dict | None = None,
    snap: float | None = None,
    drop: Callable[[object, str], None] | None = None,
    note: Callable[[object, str], None] | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split street lines at intersections into nodes and directed links.

    Parameters
    ----------
    lines
        Street lines (LineString / MultiLineString) with a CRS and OSM-style tag columns (see
        :func:`street_attributes`).
    source_ids
        Stable id of each line (e.g. ``osm:way/4730608``); link ids are
        ``<source id>:<piece>:f`` (along the line) or ``:b`` (against it).
    names
        Street name of each line.
    node_prefix
        Node ids are ``<node_prefix>:<x cell>_<y cell>`` (the snapped position, stable across
        re-ingests).
    defaults
        The defaults table (:func:`twin.ingest.defaults.load_defaults`).
    snap
        Snapping grid in CRS units; default 0.01 m (projected) or 1e-7 degree (geographic).
    drop
        Called as ``drop(source_id, reason)`` for every line left out.
    note
        Called as ``note(source_id, text)`` for every tag value of a kept line that is not
        used as given (``maxspeed 'fast' is not a speed limit: ignored (...)``; see
        :mod:`twin.ingest.street_sources`).

    Returns
    -------
    nodes, links
        GeoDataFrames in the CRS of ``lines`` with the columns of the ``nodes`` and ``links``
        layers (:mod:`twin.scene.schema`).
    """
    table = defaults if defaults is not None else load_defaults()
    crs = lines.crs
    if snap is None:
        snap = default_snap(crs, table)
    drop = drop or (lambda obj, reason: None)
    source_ids = np.asarray(source_ids, dtype=object)
    names = np.full(len(lines), "", dtype=object) if names is None else np.asarray(names, dtype=object)

    attrs = street_attributes(lines.drop(columns="geometry", errors="ignore"), table)
    geoms = np.asarray(lines.geometry.values, dtype=object)
    empty = shapely.is_empty(geoms) | pd.isna(geoms)
    for i in np.flatnonzero(empty):
        drop(source_ids[i], "empty geometry")
    for i in np.flatnonzero(~attrs["routable"].to_numpy() & ~empty):
        drop(source_ids[i], attrs["reason"].iloc[i])
    keep = attrs["routable"].to_numpy() & ~empty
    rows = np.flatnonzero(keep)
    if note is not None:
        line_notes = attrs["notes"].to_numpy(dtype=object)
        for i in rows:
            for text in line_notes[i]:
                note(source_ids[i], text)

    parts, part_row = shapely.get_parts(geoms[rows], return_index=True)
    part_row = rows[part_row]
    is_line = shapely.get_type_id(parts) == 1  # LineString (closed rings are LineStrings too)
    for i in np.unique(part_row[~is_line]):
        drop(source_ids[i], "geometry is not a line")
    parts, part_row = parts[is_line], part_row[is_line]

    coords, part = shapely.get_coordinates(parts, return_index=True)
    if len(coords) == 0:
        return _empty_network(crs)
    q = snap_cells(coords, snap)
    key = _pack(q)
    # drop consecutive repeats of a vertex within a part
    repeat = np.zeros(len(key), dtype=bool)
    repeat[1:] = (key[1:] == key[:-1]) & (part[1:] == part[:-1])
    coords, q, key, part = coords[~repeat], q[~repeat], key[~repeat], part[~repeat]
    counts = np.bincount(part, minlength=len(parts))
    short = counts < 2
    for i in np.unique(part_row[short]):
        drop(source_ids[i], "line shorter than the snapping tolerance")
    if short.any():
        ok = ~short[part]
        coords, q, key, part = coords[ok], q[ok], key[ok], part[ok]
        if len(coords) == 0:
            return _empty_network(crs)

    _, vid = np.unique(key, return_inverse=True)
    vid = vid.ravel()

    def split(is_node: np.ndarray):
        is_last = np.ones(len(part), dtype=bool)
        is_last[:-1] = part[1:] != part[:-1]
        is_first = np.ones(len(part), dtype=bool)
        is_first[1:] = part[1:] != part[:-1]
        starts_piece = is_node & ~is_last
        piece = np.cumsum(starts_piece) - 1
        interior = is_node & ~is_first & ~is_last
        # vertex order of each piece: all its own vertices, plus the next node as its end
        v_idx = np.concatenate([np.arange(len(part)), np.flatnonzero(interior)])
        v_piece = np.concatenate([piece, piece[interior] - 1])
        order = np.lexsort((v_idx, v_piece))
        return piece, v_idx[order], v_piece[order], is_last

    occurrences = np.bincount(vid)
    is_first0 = np.ones(len(part), dtype=bool)
    is_first0[1:] = part[1:] != part[:-1]
    is_last0 = np.ones(len(part), dtype=bool)
    is_last0[:-1] = part[1:] != part[:-1]
    is_node = is_first0 | is_last0 | (occurrences[vid] >= 2)
    piece, v_idx, v_piece, is_last = split(is_node)
    n_pieces = int(piece.max()) + 1 if len(piece) else 0
    first_v = np.full(n_pieces, -1, dtype=np.int64)
    last_v = np.full(n_pieces, -1, dtype=np.int64)
    if n_pieces:
        bounds = np.flatnonzero(np.r_[True, v_piece[1:] != v_piece[:-1]])
        first_v = v_idx[bounds]
        last_v = v_idx[np.r_[bounds[1:] - 1, len(v_idx) - 1]]
        loops = vid[first_v] == vid[last_v]
        if loops.any():
            # split each closed loop at its middle vertex
            mid = (first_v[loops] + last_v[loops]) // 2
            is_node = is_node.copy()
            is_node[mid] = True
            piece, v_idx, v_piece, is_last = split(is_node)
            n_pieces = int(piece.max()) + 1
            bounds = np.flatnonzero(np.r_[True, v_piece[1:] != v_piece[:-1]])
            first_v = v_idx[bounds]
            last_v = v_idx[np.r_[bounds[1:] - 1, len(v_idx) - 1]]
            loops = vid[first_v] == vid[last_v]  # loops of two vertices remain: drop them
        keep_piece = ~loops
    else:
        keep_piece = np.zeros(0, dtype=bool)

    # piece geometry and length
    piece_geom = shapely.linestrings(coords[v_idx], indices=v_piece) if n_pieces else np.zeros(0, dtype=object)
    seg_len = _segment_lengths(coords, crs) if len(coords) > 1 else np.zeros(0)
    seg_piece = piece[:-1][~is_last[:-1]]
    piece_len = np.bincount(seg_piece, weights=seg_len[~is_last[:-1]], minlength=n_pieces)
    p_part = part[first_v]
    p_row = part_row[p_part]
    # ordinal of each piece within its source row (parts of a MultiLineString numbered on)
    p_ord = np.arange(n_pieces) - np.searchsorted(p_row, p_row, side="left") if n_pieces else np.zeros(0, np.int64)

    sel = np.flatnonzero(keep_piece)
    p_row_s, from_v, to_v = p_row[sel], vid[first_v[sel]], vid[last_v[sel]]
    a = attrs.iloc[p_row_s].reset_index(drop=True)
    base_id = _join(source_ids[p_row_s], ":", p_ord[sel])

    used = np.unique(np.concatenate([from_v, to_v]))
    first_occ = np.full(vid.max() + 1 if len(vid) else 0, -1, dtype=np.int64)
    first_occ[vid[::-1]] = np.arange(len(vid))[::-1]
    node_q = q[first_occ[used]]
    node_ids = cell_node_ids(node_prefix, node_q)
    node_xy = coords[first_occ[used]]
    lookup = np.full(len(first_occ), -1, dtype=np.int64)
    lookup[used] = np.arange(len(used))

    frames = []
    for suffix, tail, head, geom in (
        ("f", from_v, to_v, piece_geom[sel]),
        ("b", to_v, from_v, shapely.reverse(piece_geom[sel]) if len(sel) else piece_geom[sel]),
    ):
        modes = a[f"modes_{suffix}"].to_numpy(dtype=object)
        has = modes != ""
        frames.append(
            pd.DataFrame(
                {
                    "link_id": (base_id + f":{suffix}")[has],
                    "from_node": node_ids[lookup[tail[has]]],
                    "to_node": node_ids[lookup[head[has]]],
                    "length_m": piece_len[sel][has],
                    "lanes": a[f"lanes_{suffix}"].to_numpy()[has],
                    "free_speed_m_s": a[f"free_speed_m_s_{suffix}"].to_numpy()[has],
                    "capacity_veh_h": a[f"capacity_veh_h_{suffix}"].to_numpy()[has],
                    **{c: a[f"{c}_{suffix}"].to_numpy(dtype=object)[has] for c in _SOURCE_COLUMNS},
                    "modes": modes[has],
                    "name": names[p_row_s][has],
                    "road_class": a["road_class"].to_numpy()[has],
                    "junction": a["junction"].to_numpy(dtype=object)[has],
                    "source_id": source_ids[p_row_s][has],
                    "geometry": geom[has],
                    "_order": np.flatnonzero(has) * 2 + (0 if suffix == "f" else 1),
                }
            )
        )
    links = pd.concat(frames, ignore_index=True).sort_values("_order", kind="stable").drop(columns="_order")
    links = gpd.GeoDataFrame(links.reset_index(drop=True), geometry="geometry", crs=crs)
    nodes = gpd.GeoDataFrame({"node_id": node_ids}, geometry=shapely.points(node_xy), crs=crs)
    return nodes, links


__all__ = ["RING_JUNCTIONS", "build_network", "cell_node_ids", "default_snap", "parse_maxspeed", "snap_cells", "street_attributes"]
