"""Where each street link's free speed and lanes came from, and the tag values not used as given.

Every link records the source of ``free_speed_m_s`` and ``lanes`` (one of
:data:`twin.scene.provenance.SOURCES`) and the rule that set it; ``capacity_veh_h`` is
``lanes`` x the class's capacity per lane, so it rests on the lanes' source.

==================================  =========  ===============================================
how the value was set               source     rule
==================================  =========  ===============================================
``maxspeed`` a speed limit          data       ``tag:maxspeed``
no usable ``maxspeed``              default    ``default:<class>``, with the tag's raw value
                                               when it was present but unusable
                                               (``default:residential (maxspeed 'fast' not a
                                               speed limit)``)
link without motor vehicles         default    ``default:walk_speed_kmh`` /
                                               ``default:bike_speed_kmh``
``lanes:forward`` / ``backward``    data       ``tag:lanes:forward`` / ``tag:lanes:backward``
``lanes`` on a oneway link          data       ``tag:lanes``
``lanes`` halved (two-way street)   inferred   ``tag:lanes/2``
no usable lanes tag                 default    ``default:<class>`` (with the unusable raw
                                               values, or ``lanes 1 on a two-way street``:
                                               under one lane per direction)
walk / bike link against a oneway   default    ``default:contraflow`` (1 lane, capacity 0)
==================================  =========  ===============================================

A tag that is present but not usable (``maxspeed=fast``, ``lanes=0``, ``lanes=-2``,
``lanes=1e400``, ``lanes=two``, more than :data:`twin.street_limits.MAX_LANES` lanes in one
direction: ``lanes=1000``, a ``maxspeed`` above :data:`twin.street_limits.MAX_FREE_SPEED_M_S`)
on a line open to motor vehicles also gives a *note*
``<tag> <raw value> is not ...: ignored (...)``; :func:`twin.ingest.streets.build_network`
passes the notes of the lines it keeps to its ``note`` callback (the readers collect them in
``IngestResult.meta['attribute_notes']``, counted in one warning per file and listed by
``twin ingest``, as the buildings' values not used as given). A whole number of lanes is
needed: ``lanes=2.5`` on a oneway link gives 2 lanes and a note.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.street_limits import MAX_LANES

_LANES_TAGS = ("lanes", "lanes:forward", "lanes:backward")


def usable_lanes(value: np.ndarray) -> np.ndarray:
    """True where a number of lanes in one direction can be used: finite, at least 1, and at most
    :data:`twin.street_limits.MAX_LANES` once rounded down to a whole number."""
    value = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(value) & (value >= 1) & (value < MAX_LANES + 1)


def too_many_lanes(value: np.ndarray) -> np.ndarray:
    """True where a number of lanes in one direction is finite but above :data:`twin.street_limits.MAX_LANES`."""
    value = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(value) & (value >= MAX_LANES + 1)


def present(raw: np.ndarray) -> np.ndarray:
    """True where a tag value is given (not missing, not blank)."""
    codes, uniques = pd.factorize(pd.Series(raw, dtype=object), use_na_sentinel=True)
    given = np.array([str(u).strip() != "" for u in uniques] + [False], dtype=bool)
    return given[codes]  # code -1 (missing) -> the last slot


def show(value: object) -> str:
    """A raw tag value for a message: quoted, at most 40 characters."""
    return repr(str(value)[:40])


def _default_rule(road_class: np.ndarray) -> np.ndarray:
    """``default:<class>`` of each line (object array; built once per distinct class)."""
    codes, uniques = pd.factorize(pd.Series(road_class, dtype=object), use_na_sentinel=True)
    return np.array([f"default:{u}" for u in uniques] + ["default:"], dtype=object)[codes]


def speed_sources(
    raw: np.ndarray,
    speed_tag: np.ndarray,
    road_class: np.ndarray,
    *,
    motor: np.ndarray,
    bike: np.ndarray,
    own: np.ndarray | None = None,
    own_tag: str = "",
) -> tuple[np.ndarray, np.ndarray]:
    """Source and rule of the free speed of each line's links that carry its full modes.

    Parameters
    ----------
    raw
        ``maxspeed`` as given (None where absent).
    speed_tag
        The speed limit used, m/s (NaN where none: the class default applies).
    road_class
        Class of each line (its defaults apply where the tag does not).
    motor, bike
        Whether the links carry motor vehicles (the limit applies), else bikes (bike speed),
        else walkers only (walking speed).
    own, own_tag
        Where the limit came from the direction's own tag ``own_tag`` (``maxspeed:forward`` /
        ``maxspeed:backward``) instead of ``maxspeed``; None: nowhere.

    Returns
    -------
    source, rule
        Object arrays, one value per line.
    """
    has_tag = np.isfinite(speed_tag)
    from_own = np.zeros(len(speed_tag), dtype=bool) if own is None else own
    kind = np.select([~motor & bike, ~motor, has_tag & from_own, has_tag], [1, 2, 4, 3], 0)
    source = np.array(["default", "default", "default", "data", "data"], dtype=object)[kind]
    rule = np.array([None, "default:bike_speed_kmh", "default:walk_speed_kmh", "tag:maxspeed", f"tag:{own_tag}"], dtype=object)[kind]
    rule[kind == 0] = _default_rule(road_class)[kind == 0]
    for i in np.flatnonzero((kind == 0) & present(raw)):
        rule[i] = f"{rule[i]} (maxspeed {show(raw[i])} not a speed limit)"
    return source, rule


def lane_sources(
    raw: dict[str, np.ndarray],
    parsed: dict[str, np.ndarray],
    direction: np.ndarray,
    road_class: np.ndarray,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Source and rule of the lanes of each line in each direction (``'f'``, ``'b'``).

    Mirrors the choice of :func:`twin.ingest.streets.street_attributes`: ``lanes:<dir>`` when
    it parses to a number, else ``lanes`` (all of it on a oneway line, half of it rounded down
    on a two-way one), and the class default where that is not finite or below 1.

    Parameters
    ----------
    raw, parsed
        Per tag of ``lanes``, ``lanes:forward``, ``lanes:backward``: the values as given (None
        where absent) and the numbers parsed from them (NaN where none).
    direction
        1 oneway forward, -1 oneway backward, 0 two-way.
    road_class
        Class of each line.

    Returns
    -------
    dict
        ``{'f': (source, rule), 'b': (source, rule)}``, object arrays, one value per line.
    """
    total = parsed["lanes"]
    given_total = present(raw["lanes"])
    per_dir = np.where(direction != 0, total, np.floor(total / 2.0))
    default = _default_rule(road_class)
    out = {}
    for suffix, tag in (("f", "lanes:forward"), ("b", "lanes:backward")):
        own = parsed[tag]
        value = np.where(np.isnan(own), per_dir, own)
        usable = usable_lanes(value)
        from_own = ~np.isnan(own)
        kind = np.select([~usable, from_own, direction != 0], [0, 1, 2], 3)
        source = np.array(["default", "data", "data", "inferred"], dtype=object)[kind]
        rule = np.array([None, f"tag:{tag}", "tag:lanes", "tag:lanes/2"], dtype=object)[kind]
        rule[~usable] = default[~usable]
        given_own = present(raw[tag])
        for i in np.flatnonzero(~usable & (given_own | given_total)):  # lines with a lane tag only
            why = []
            if given_own[i]:
                why.append(f"{tag} {show(raw[tag][i])} " + (_MORE_THAN if too_many_lanes(own[i]) else "not a number of lanes >= 1"))
            if not from_own[i] and given_total[i]:
                whole = np.isfinite(total[i]) and total[i] >= 1
                if too_many_lanes(per_dir[i]):
                    why.append(f"lanes {show(raw['lanes'][i])} {_MORE_THAN}")
                else:
                    why.append(f"lanes {show(raw['lanes'][i])} " + ("on a two-way street" if whole else "not a number of lanes >= 1"))
            if why:
                rule[i] = f"{rule[i]} ({'; '.join(why)})"
        out[suffix] = (source, rule)
    return out


_MORE_THAN = f"more than {MAX_LANES} lanes in one direction"


def lane_notes(
    raw: dict[str, np.ndarray],
    parsed: dict[str, np.ndarray],
    lanes: dict[str, np.ndarray],
    rules: dict[str, np.ndarray],
    direction: np.ndarray,
    rows: np.ndarray,
) -> dict[int, list[str]]:
    """The lane tags of ``rows`` not used as given, with what was used (row -> texts).

    ``lanes`` and ``rules`` are the chosen (float) lanes and their rules per direction
    (``'f'``, ``'b'``).
    """
    notes: dict[int, list[str]] = {}
    tag_dir = {"lanes": None, "lanes:forward": "f", "lanes:backward": "b"}
    for tag in _LANES_TAGS:
        value = parsed[tag]
        bad = present(raw[tag]) & ~(np.isfinite(value) & (value >= 1))
        for i in np.flatnonzero(bad[rows]):
            r = int(rows[i])
            d = tag_dir[tag] or ("b" if direction[r] < 0 else "f")
            notes.setdefault(r, []).append(f"{tag} {show(raw[tag][r])} is not a number of lanes >= 1: ignored ({d_name(d)} lanes: {_used(lanes, rules, d, r)})")
        per_dir = value if tag_dir[tag] else np.where(direction != 0, value, np.floor(value / 2.0))
        for i in np.flatnonzero((present(raw[tag]) & too_many_lanes(per_dir))[rows]):
            r = int(rows[i])
            d = tag_dir[tag] or ("b" if direction[r] < 0 else "f")
            notes.setdefault(r, []).append(f"{tag} {show(raw[tag][r])} is {_MORE_THAN}: ignored ({d_name(d)} lanes: {_used(lanes, rules, d, r)})")
    for d in ("f", "b"):
        full = direction >= 0 if d == "f" else direction <= 0
        v = lanes[d]
        frac = full & np.isfinite(v) & (v >= 1) & (np.abs(v - np.floor(v)) > 1e-9)
        for i in np.flatnonzero(frac[rows]):
            r = int(rows[i])
            tag = rules[d][r].removeprefix("tag:")
            notes.setdefault(r, []).append(
                f"{tag} {show(raw[tag][r])} is not a whole number of lanes: {int(v[r]):d} {d_name(d)} lane(s) used"
            )
    return notes


def _used(lanes: dict[str, np.ndarray], rules: dict[str, np.ndarray], d: str, r: int) -> str:
    """What was used instead of an unusable lane tag, for a note: the class default or the tag used."""
    rule = str(rules[d][r])
    return f"class default {lanes[d][r]:g}" if rule.startswith("default:") else f"{lanes[d][r]:g} from {rule}"


def d_name(suffix: str) -> str:
    """``'forward'`` / ``'backward'`` for a link suffix ``'f'`` / ``'b'``."""
    return "forward" if suffix == "f" else "backward"


def speed_notes(
    raw: np.ndarray, speed_tag: np.ndarray, road_class: np.ndarray, class_kmh: np.ndarray, rows: np.ndarray, *, tag: str = "maxspeed", instead: str = ""
) -> dict[int, list[str]]:
    """The ``tag`` values of ``rows`` (lines open to motor vehicles) that are not a limit.

    ``instead`` names what applies in their place (default: the class default); a limit above
    :data:`twin.street_limits.MAX_FREE_SPEED_M_S` is not one."""
    bad = present(raw) & ~np.isfinite(speed_tag)
    return {
        int(r): [f"{tag} {show(raw[r])} is not a speed limit: ignored ({instead or f'class default {class_kmh[r]:g} km/h of {road_class[r]!r}'})"]
        for r in rows[bad[rows]]
    }


__all__ = ["d_name", "lane_notes", "lane_sources", "present", "show", "speed_notes", "speed_sources", "too_many_lanes", "usable_lanes"]
