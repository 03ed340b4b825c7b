"""The prior table of the building stock: distributions of what the data does not say.

The packaged table is ``twin/data/stock_priors.yaml`` (its comments and each entry's ``basis``
give the sources). :func:`load_priors` reads it, merges a user's mapping or file onto it (key
by key: mappings merge, lists and numbers replace) and checks every entry, so that a bad prior
is refused before anything is simulated; :class:`StockPriors` holds the checked entries.

Entries (each may be switched off with ``enabled: false``):

``construction_period``
    categorical over the TABULA periods (1..6), Dirichlet ``concentration``, ``keep_inferred``;
``use``
    categorical over use classes, same fields;
``storeys``
    an offset (categorical) added to the central storey count, truncated to ``[min, max]``;
``storey_height_m``
    triangular floor-to-floor height per use (``"*"`` for the others);
``window``
    glazing states (U, g) per group of the typology's window U;
``heating_system``
    categorical over the heating systems of the energy accounts (the default ones and the opt-in
    ones of :mod:`twin.energy.systems`: ``district_heating``, ``*_partload``);
``heating_setpoint_c``
    a normal offset (K): common and building parts, truncated to ``[low_k, high_k]``;
``air_change``
    a lognormal factor on the infiltration air change: common and building parts, truncated to
    ``[low, high]``;
``heat_pump_cop``
    a lognormal factor on the real-operation correction of every heat pump's COP
    (``field_factor`` of ``twin/data/heat_pumps.csv`` and ``hp_cop_correction`` of the plain
    ``heat_pump``), one draw per sample for the whole district (a model parameter, not a
    building's), truncated to ``[low, high]``. Its packaged default is
    ``twin/data/stock_priors_heat_pump.yaml`` (merged under the main table, which may override it).
``pv_yield``
    a lognormal factor on the annual AC yield of every rooftop PV system of the solar model
    (:mod:`twin.solar.pv`), one draw per sample for the whole district (irradiance, model and
    losses are common to the district's systems), truncated to ``[low, high]``. Packaged default:
    ``twin/data/stock_priors_pv.yaml``.

Every problem is a :class:`~twin.errors.SchemaError` naming the file and the key path
(``storeys.shares``).
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import SchemaError
from twin.io.key_hints import did_you_mean

#: Name of the packaged table (in ``twin/data``).
PACKAGED_TABLE = "stock_priors.yaml"

#: The entries of a prior table, in the order they are drawn (each has its own random stream).
ENTRIES: tuple[str, ...] = (
    "construction_period",
    "use",
    "storeys",
    "storey_height_m",
    "window",
    "heating_system",
    "heating_setpoint_c",
    "air_change",
    "heat_pump_cop",
    "pv_yield",
)

#: Packaged default of the entries kept outside :data:`PACKAGED_TABLE` (in ``twin/data``; the main
#: table, then a user's mapping, are merged over it).
PACKAGED_EXTRA_TABLES = ("stock_priors_heat_pump.yaml", "stock_priors_pv.yaml")

#: Largest factor on the heat pumps' real-operation correction: ``field_factor`` (0.85) times it
#: stays at most 1 (:func:`twin.energy.heat_pump.check_params`).
MAX_HEAT_PUMP_COP_FACTOR = 1.0 / 0.85

#: TABULA's Belgian periods (:mod:`twin.energy.typology`).
PERIODS = (1, 2, 3, 4, 5, 6)

#: Tolerance on shares that must add up to 1.
SHARE_TOLERANCE = 1e-6

#: Largest prior file read, bytes.
MAX_PRIORS_BYTES = 1024**2

#: Bounds of the numbers of a prior (documented limits, beyond which a number is refused).
MAX_STOREYS = 250  # twin.scene.limits.MAX_STOREYS: the most storeys accepted from a source (not imported: twin.scene is heavy)
STOREY_HEIGHT_BOUNDS_M = (1.5, 30.0)  # 1.5 m: twin.scene.limits.MIN_STOREY_HEIGHT_M; 30 m: a nave
MAX_CONCENTRATION = 1e6


@dataclass(frozen=True)
class Categorical:
    """A categorical prior with a Dirichlet district mix (``concentration`` None: fixed mix).

    ``bands``: optional shares by footprint area, ``((max_area_m2, shares), ...)`` ascending,
    the last with ``inf``; a building takes the first band its footprint is below (each band
    has its own district mix). Without bands, ``shares`` hold for every building.
    """

    name: str
    categories: tuple
    shares: np.ndarray
    concentration: float | None
    keep_inferred: float
    basis: str
    labels: tuple[str, ...] = ()
    bands: tuple[tuple[float, np.ndarray], ...] = ()


@dataclass(frozen=True)
class StoreyOffsets:
    """Offsets added to the central storey count (with a Dirichlet district mix), truncated;
    ``row_share``: the share of buildings that take their row's draw (row: buildings joined by
    party walls) rather than their own."""

    offsets: np.ndarray
    shares: np.ndarray
    concentration: float | None
    min: int
    max: int
    basis: str
    row_share: float = 0.0


@dataclass(frozen=True)
class Triangular:
    low: float
    mode: float
    high: float


@dataclass(frozen=True)
class StoreyHeights:
    """Triangular floor-to-floor height (m) per use; ``"*"`` for every use not listed;
    ``row_share`` as for :class:`StoreyOffsets`."""

    by_use: dict[str, Triangular]
    basis: str
    row_share: float = 0.0

    def of(self, use: str) -> Triangular:
        return self.by_use.get(str(use), self.by_use["*"])


@dataclass(frozen=True)
class WindowState:
    name: str
    u: float | None  # None: keep the typology's value
    g: float | None


@dataclass(frozen=True)
class WindowGroup:
    min_typology_u: float
    states: tuple[WindowState, ...]
    shares: np.ndarray


@dataclass(frozen=True)
class Windows:
    """Glazing states per group; a building belongs to the first group whose ``min_typology_u``
    its typology window U reaches (groups sorted from the highest)."""

    groups: tuple[WindowGroup, ...]
    concentration: float | None
    basis: str

    def group_index(self, typology_u) -> np.ndarray:
        """Index in :attr:`groups` of each building's group (-1: none), from its typology window
        U (W/m2K): the first group whose ``min_typology_u`` it reaches."""
        u = np.asarray(typology_u, dtype=float)
        index = np.full(u.shape, -1, dtype=np.int64)
        for gi, group in enumerate(self.groups):
            index[(index < 0) & (u >= group.min_typology_u)] = gi
        return index


@dataclass(frozen=True)
class TwoLevelNormal:
    """A normal variable ``common + building`` truncated to ``[low, high]`` (of the sum, or of its
    logarithm for a factor)."""

    sd_common: float
    sd_building: float
    low: float
    high: float
    basis: str


@dataclass(frozen=True)
class StockPriors:
    """The checked prior table; an entry that is switched off is None."""

    construction_period: Categorical | None
    use: Categorical | None
    storeys: StoreyOffsets | None
    storey_height_m: StoreyHeights | None
    window: Windows | None
    heating_system: Categorical | None
    heating_setpoint_c: TwoLevelNormal | None
    air_change: TwoLevelNormal | None
    heat_pump_cop: TwoLevelNormal | None = None
    pv_yield: TwoLevelNormal | None = None
    source: str = "packaged"

    def enabled(self) -> list[str]:
        """Names of the entries that are on."""
        return [e for e in ENTRIES if getattr(self, e) is not None]

    def basis(self, entry: str) -> str:
        item = getattr(self, entry)
        return "" if item is None else item.basis


def packaged_table() -> dict:
    """The packaged prior table as read from YAML (a fresh copy)."""
    import yaml

    out: dict = {}
    for name in PACKAGED_EXTRA_TABLES:
        with resources.as_file(resources.files("twin") / "data" / name) as p:
            out = merge(out, yaml.safe_load(Path(p).read_text(encoding="utf-8")) or {})
    with resources.as_file(resources.files("twin") / "data" / PACKAGED_TABLE) as p:
        return merge(out, yaml.safe_load(Path(p).read_text(encoding="utf-8")))


def merge(base: Mapping, update: Mapping) -> dict:
    """``update`` merged onto ``base``: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(dict(base))
    for k, v in update.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def read_priors_file(path: str | os.PathLike[str]) -> dict:
    """A user's prior file (YAML, at most :data:`MAX_PRIORS_BYTES`), as a mapping.

    Raises
    ------
    InputError, SchemaError
        Not a regular readable ``.yaml``/``.yml`` file, not valid YAML, not a mapping.
    """
    import yaml

    from twin.io.paths import check_input_file
    from twin.io.yaml_file import unique_key_loader

    path = Path(path)
    check_input_file(path, suffixes=(".yaml", ".yml"), max_bytes=MAX_PRIORS_BYTES, what="prior table", field="--priors")
    try:
        data = yaml.load(path.read_bytes().decode("utf-8"), Loader=unique_key_loader())  # a safe loader that refuses a key given twice
    except UnicodeDecodeError as exc:
        raise SchemaError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise SchemaError(f"not valid (safe) YAML: {getattr(exc, 'problem', None) or exc}", path=path, obj=where) from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise SchemaError("a prior table must be a mapping at the top level", path=path)
    return dict(data)


def load_priors(update: Mapping | str | os.PathLike[str] | None = None, *, path=None) -> StockPriors:
    """The packaged prior table with ``update`` (a mapping, or the path of a YAML file) merged on.

    Parameters
    ----------
    update
        Entries replacing or changing the packaged ones (see :func:`merge`), or a file of them.
    path
        Named in errors (the scenario file, or the prior file).

    Raises
    ------
    SchemaError
        A prior file without entries, an unknown entry or key, shares that are negative or do not add up to 1, categories
        the model does not know, bounds in the wrong order, a number out of its documented
        range; the message names the key path.
    """
    source = "packaged"
    if update is not None and not isinstance(update, Mapping):
        path = Path(update)
        update = read_priors_file(path)
        source = str(path)
        if not update:
            raise SchemaError(f"the prior file holds no entries: it changes nothing (entries: {', '.join(ENTRIES)})", path=path, field="--priors")
    elif update:
        source = "packaged + scenario"
    table = packaged_table()
    if update:
        unknown = [k for k in update if k not in ENTRIES and k != "version"]
        if unknown:
            raise SchemaError(f"unknown prior entry {unknown[0]!r}{did_you_mean(unknown[0], ENTRIES, parenthesised=False)} "
                              f"(entries: {', '.join(ENTRIES)})", path=path, field=str(unknown[0]))
        table = merge(table, update)
    return parse_priors(table, path=path, source=source)


def parse_priors(table: Mapping, *, path=None, source: str = "packaged") -> StockPriors:
    """Check a whole prior table (see :func:`load_priors`)."""
    out = {}
    for entry in ENTRIES:
        raw = table.get(entry)
        if raw is None or (isinstance(raw, Mapping) and raw.get("enabled", True) is False):
            out[entry] = None
            continue
        if not isinstance(raw, Mapping):
            raise SchemaError("a prior entry must be a mapping (or enabled: false)", path=path, field=entry)
        if not isinstance(raw.get("enabled", True), bool):
            raise SchemaError("enabled must be true or false", path=path, field=f"{entry}.enabled")
        out[entry] = _PARSERS[entry](_Reader(raw, entry, path))
    return StockPriors(**out, source=source)


class _Reader:
    """Typed access to one entry's keys; errors name the key path."""

    def __init__(self, raw: Mapping, where: str, path) -> None:
        self.raw, self.where, self.path = raw, where, path

    def fail(self, message: str, key: str | None = None):
        raise SchemaError(message, path=self.path, field=f"{self.where}.{key}" if key else self.where)

    def allow(self, *keys: str) -> None:
        extra = [k for k in self.raw if k not in (*keys, "enabled", "basis")]
        if extra:
            hint = did_you_mean(extra[0], (*keys, "basis", "enabled"), parenthesised=False)
            self.fail(f"unknown key {extra[0]!r}{hint} (keys: {', '.join(keys)}, basis, enabled)", str(extra[0]))

    def basis(self) -> str:
        b = self.raw.get("basis", "")
        if not isinstance(b, str) or not b.strip():
            self.fail("give the basis of this prior (where its numbers come from, or 'assumption')", "basis")
        return " ".join(b.split())

    def number(self, key: str, *, lo: float = -math.inf, hi: float = math.inf, optional: bool = False, default=None) -> float | None:
        if key not in self.raw or self.raw[key] is None:
            if optional:
                return default
            self.fail("missing", key)
        v = self.raw[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
            self.fail(f"must be a finite number, not {v!r}", key)
        v = float(v)
        if not lo <= v <= hi:
            self.fail(f"{v:g} is outside [{lo:g}, {hi:g}]", key)
        return v

    def concentration(self) -> float | None:
        if self.raw.get("concentration", None) is None:
            return None
        c = self.number("concentration", lo=0.0, hi=MAX_CONCENTRATION)
        if c <= 0:
            self.fail("must be > 0 (or null for a fixed mix)", "concentration")
        return c

    def shares(self, key: str, n: int) -> np.ndarray:
        v = self.raw.get(key)
        if not isinstance(v, list) or len(v) != n:
            self.fail(f"must be a list of {n} numbers (one per category)", key)
        arr = np.array([self._share(x, key) for x in v], dtype=float)
        if abs(arr.sum() - 1.0) > SHARE_TOLERANCE:
            self.fail(f"shares add up to {arr.sum():.6g}, not 1", key)
        return arr / arr.sum()

    def _share(self, x, key: str) -> float:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(float(x)) or x < 0:
            self.fail(f"a share must be a number >= 0, not {x!r}", key)
        return float(x)

    def items(self, key: str) -> list:
        v = self.raw.get(key)
        if not isinstance(v, list) or not v:
            self.fail("must be a non-empty list", key)
        if len({str(x) for x in v}) != len(v):
            self.fail("lists a category twice", key)
        return v


def _bands(r: _Reader, n: int) -> tuple[tuple[float, np.ndarray], ...]:
    raw = r.raw.get("by_footprint")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        r.fail("give a list of {max_area_m2, shares}, the last with max_area_m2: null", "by_footprint")
    bands, last = [], -math.inf
    for i, band in enumerate(raw):
        if not isinstance(band, Mapping):
            r.fail("a band is {max_area_m2, shares}", f"by_footprint.{i}")
        br = _Reader(band, f"{r.where}.by_footprint.{i}", r.path)
        br.allow("max_area_m2", "shares")
        top = math.inf if band.get("max_area_m2") is None else br.number("max_area_m2", lo=0.0)
        if top <= last:
            br.fail("bands must go up in max_area_m2", "max_area_m2")
        if math.isinf(top) and i != len(raw) - 1:
            br.fail("only the last band may have no upper bound (max_area_m2: null)", "max_area_m2")
        last = top
        bands.append((top, br.shares("shares", n)))
    if not math.isinf(last):
        r.fail("the last band needs max_area_m2: null (every footprint falls in a band)", f"by_footprint.{len(raw) - 1}.max_area_m2")
    return tuple(bands)


def _categorical(r: _Reader, *, allowed, attribute_key: str, attribute: str, kind: str, footprint_bands: bool = False) -> Categorical:
    r.allow(attribute_key, "categories", "labels", "shares", "concentration", "keep_inferred", *(("by_footprint",) if footprint_bands else ()))
    if r.raw.get(attribute_key, attribute) != attribute:
        r.fail(f"this prior samples {attribute!r}, not {r.raw[attribute_key]!r}", attribute_key)
    cats = r.items("categories")
    bad = [c for c in cats if c not in allowed]
    if bad:
        r.fail(f"unknown {kind} {bad[0]!r} (known: {', '.join(map(str, allowed))})", "categories")
    labels = r.raw.get("labels", [])
    if labels and (not isinstance(labels, list) or len(labels) != len(cats)):
        r.fail("must list one label per category", "labels")
    return Categorical(
        name=r.where,
        categories=tuple(cats),
        shares=r.shares("shares", len(cats)),
        concentration=r.concentration(),
        keep_inferred=r.number("keep_inferred", lo=0.0, hi=1.0, optional=True, default=0.0),
        basis=r.basis(),
        labels=tuple(str(x) for x in labels),
        bands=_bands(r, len(cats)) if footprint_bands else (),
    )


def _period(r: _Reader) -> Categorical:
    return _categorical(r, allowed=PERIODS, attribute_key="attribute", attribute="construction_year", kind="TABULA period (1..6)")


def _use(r: _Reader) -> Categorical:
    from twin.types.use_classes import use_classes

    classes = list(use_classes())
    return _categorical(r, allowed=classes, attribute_key="attribute", attribute="use", kind="use class", footprint_bands=True)


def _system(r: _Reader) -> Categorical:
    from twin.energy.results import OPT_IN_SYSTEMS, SYSTEMS

    # the opt-in systems (district heating, part-load boilers) too: the sampled accounts handle them
    return _categorical(r, allowed=(*SYSTEMS, *OPT_IN_SYSTEMS), attribute_key="parameter", attribute="system", kind="heating system")


def _storeys(r: _Reader) -> StoreyOffsets:
    r.allow("attributes", "offsets", "shares", "concentration", "min", "max", "row_share")
    offsets = r.items("offsets")
    if any(isinstance(o, bool) or not isinstance(o, int) for o in offsets):
        r.fail("offsets must be whole numbers of storeys", "offsets")
    lo = r.number("min", lo=1, hi=MAX_STOREYS)
    hi = r.number("max", lo=1, hi=MAX_STOREYS)
    if lo != int(lo) or hi != int(hi) or lo > hi:
        r.fail(f"min ({lo:g}) and max ({hi:g}) must be whole numbers with min <= max", "max")
    return StoreyOffsets(np.array(offsets, dtype=np.int64), r.shares("shares", len(offsets)), r.concentration(), int(lo), int(hi), r.basis(),
                         r.number("row_share", lo=0.0, hi=1.0, optional=True, default=0.0))


def _triangular(r: _Reader, key: str, raw) -> Triangular:
    if not isinstance(raw, Mapping) or set(raw) != {"low", "mode", "high"}:
        r.fail("give {low, mode, high} in m", key)
    sub = _Reader(raw, f"{r.where}.{key}", r.path)
    lo, hi = STOREY_HEIGHT_BOUNDS_M
    t = Triangular(sub.number("low", lo=lo, hi=hi), sub.number("mode", lo=lo, hi=hi), sub.number("high", lo=lo, hi=hi))
    if not t.low <= t.mode <= t.high or t.low == t.high:
        sub.fail("needs low <= mode <= high and low < high")
    return t


def _storey_height(r: _Reader) -> StoreyHeights:
    r.allow("by_use", "row_share")
    by = r.raw.get("by_use")
    if not isinstance(by, Mapping) or "*" not in by:
        r.fail('give a mapping of use -> {low, mode, high}, with "*" for every other use', "by_use")
    return StoreyHeights({str(k): _triangular(r, f"by_use.{k}", v) for k, v in by.items()}, r.basis(),
                         r.number("row_share", lo=0.0, hi=1.0, optional=True, default=0.0))


def _window(r: _Reader) -> Windows:
    r.allow("parameters", "groups", "concentration")
    groups = []
    for gi, g in enumerate(r.items("groups")):
        where = f"groups.{gi}"
        if not isinstance(g, Mapping):
            r.fail("a group is {min_typology_u, states}", where)
        gr = _Reader(g, f"{r.where}.{where}", r.path)
        gr.allow("min_typology_u", "states")
        min_u = gr.number("min_typology_u", lo=0.0, hi=10.0)
        states, shares = [], []
        for si, s in enumerate(gr.items("states")):
            if not isinstance(s, Mapping):
                gr.fail("a state is {name, share, u, g} (no u and g: keep the typology's)", f"states.{si}")
            sr = _Reader(s, f"{gr.where}.states.{si}", r.path)
            sr.allow("name", "u", "g", "share")
            name = s.get("name")
            if not isinstance(name, str) or not name:
                sr.fail("give the state a name", "name")
            u = sr.number("u", lo=0.1, hi=10.0, optional=True)
            g_val = sr.number("g", lo=0.0, hi=1.0, optional=True)
            if (u is None) != (g_val is None):
                sr.fail("give both u and g, or neither (keep the typology's values)", "u")
            states.append(WindowState(name, u, g_val))
            shares.append(sr.number("share", lo=0.0, hi=1.0))
        total = sum(shares)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            gr.fail(f"the shares of the states add up to {total:.6g}, not 1", "states")
        groups.append(WindowGroup(min_u, tuple(states), np.array(shares) / total))
    groups.sort(key=lambda g: -g.min_typology_u)
    if len({g.min_typology_u for g in groups}) != len(groups):
        r.fail("two groups have the same min_typology_u", "groups")
    return Windows(tuple(groups), r.concentration(), r.basis())


def _setpoint(r: _Reader) -> TwoLevelNormal:
    r.allow("parameter", "sd_common_k", "sd_building_k", "low_k", "high_k")
    p = TwoLevelNormal(r.number("sd_common_k", lo=0.0, hi=10.0), r.number("sd_building_k", lo=0.0, hi=10.0),
                       r.number("low_k", lo=-25.0, hi=0.0), r.number("high_k", lo=0.0, hi=25.0), r.basis())
    if p.low == p.high:
        r.fail("low_k and high_k leave no room", "high_k")
    return p


def _air(r: _Reader) -> TwoLevelNormal:
    r.allow("parameter", "sd_log_common", "sd_log_building", "low", "high")
    p = TwoLevelNormal(r.number("sd_log_common", lo=0.0, hi=3.0), r.number("sd_log_building", lo=0.0, hi=3.0),
                       r.number("low", lo=1e-3, hi=1.0), r.number("high", lo=1.0, hi=1e3), r.basis())
    if p.low == p.high:
        r.fail("low and high leave no room", "high")
    return p


def _heat_pump_cop(r: _Reader) -> TwoLevelNormal:
    r.allow("parameter", "sd_log_common", "low", "high")
    if r.raw.get("parameter", "field_factor") != "field_factor":
        r.fail(f"this prior samples 'field_factor', not {r.raw['parameter']!r}", "parameter")
    p = TwoLevelNormal(r.number("sd_log_common", lo=0.0, hi=1.0), 0.0, r.number("low", lo=0.1, hi=1.0),
                       r.number("high", lo=1.0, hi=MAX_HEAT_PUMP_COP_FACTOR), r.basis())
    if p.low == p.high:
        r.fail("low and high leave no room", "high")
    return p


def _pv_yield(r: _Reader) -> TwoLevelNormal:
    r.allow("sd_log_common", "low", "high")
    p = TwoLevelNormal(r.number("sd_log_common", lo=0.0, hi=1.0), 0.0, r.number("low", lo=0.1, hi=1.0), r.number("high", lo=1.0, hi=2.0),
                       r.basis())
    if p.low == p.high:
        r.fail("low and high leave no room", "high")
    return p


_PARSERS = {
    "construction_period": _period,
    "use": _use,
    "storeys": _storeys,
    "storey_height_m": _storey_height,
    "window": _window,
    "heating_system": _system,
    "heating_setpoint_c": _setpoint,
    "air_change": _air,
    "heat_pump_cop": _heat_pump_cop,
    "pv_yield": _pv_yield,
}


def describe(priors: StockPriors) -> list[dict[str, Any]]:
    """One row per enabled entry: ``entry``, ``what`` (a one-line summary), ``basis``."""
    rows = []
    for e in priors.enabled():
        p = getattr(priors, e)
        if isinstance(p, Categorical):
            labels = p.labels or tuple(map(str, p.categories))

            def mix(shares, labels=labels):
                return ", ".join(f"{lab} {100 * s:.0f} %" for lab, s in zip(labels, shares) if s > 0)

            conc = f"; district mix Dirichlet, concentration {p.concentration:g}" if p.concentration else ""
            if p.bands:
                parts, low = [], 0.0
                for top, shares in p.bands:
                    span = f"footprint {low:g}-{top:g} m2" if math.isfinite(top) else f"footprint >= {low:g} m2"
                    parts.append(f"{span}: {mix(shares)}")
                    low = top
                what = "; ".join(parts) + conc
            else:
                what = f"{mix(p.shares)}{conc}"
        elif isinstance(p, StoreyOffsets):
            what = (", ".join(f"{o:+d}: {100 * s:.0f} %" for o, s in zip(p.offsets, p.shares)) + f" storeys, within {p.min}-{p.max}"
                    + (f"; {100 * p.row_share:.0f} % of buildings take their row's draw" if p.row_share else ""))
        elif isinstance(p, StoreyHeights):
            what = (", ".join(f"{u} {t.low:g}-{t.high:g} m (mode {t.mode:g})" for u, t in p.by_use.items())
                    + (f"; {100 * p.row_share:.0f} % of buildings take their row's draw" if p.row_share else ""))
        elif isinstance(p, Windows):
            what = "; ".join(
                f"typology U >= {g.min_typology_u:g}: " + ", ".join(
                    f"{s.name}{'' if s.u is None else f' (U {s.u:g}, g {s.g:g})'} {100 * w:.0f} %" for s, w in zip(g.states, g.shares))
                for g in p.groups)
        elif e == "heat_pump_cop":
            what = (f"factor on the heat pumps' real-operation correction (field_factor), lognormal, sd(log) {p.sd_common:g}, "
                    f"one draw per sample for the district, within [{p.low:g}, {p.high:g}]")
        elif e == "pv_yield":
            what = (f"factor on the annual AC yield of every rooftop PV system, lognormal, sd(log) {p.sd_common:g}, one draw per "
                    f"sample for the district, within [{p.low:g}, {p.high:g}]")
        elif e == "heating_setpoint_c":
            what = f"offset normal, sd {p.sd_common:g} K common + {p.sd_building:g} K per building, within [{p.low:+g}, {p.high:+g}] K"
        else:
            what = f"factor lognormal, sd(log) {p.sd_common:g} common + {p.sd_building:g} per building, within [{p.low:g}, {p.high:g}]"
        rows.append({"entry": e, "what": what, "basis": p.basis})
    return rows


__all__ = [
    "ENTRIES",
    "PACKAGED_TABLE",
    "Categorical",
    "StockPriors",
    "StoreyHeights",
    "StoreyOffsets",
    "TwoLevelNormal",
    "Windows",
    "describe",
    "load_priors",
    "merge",
    "packaged_table",
    "parse_priors",
    "read_priors_file",
]
