"""Checks made before any engine runs: no silent no-ops, and resource limits.

No-effect policy
----------------
A selection that matches nothing, or a modification that changes nothing (or the opposite of
what its name says), would let a run report "no change" for a what-if that was never applied.
By default it is a :class:`~twin.errors.NoEffectError`; with ``no_effect="warn"`` (the command
line's ``--allow-no-effect``) it is a :class:`~twin.errors.TwinWarning` and the run goes on.
:func:`report_no_effect` applies the policy; :func:`check_scenario` makes the checks that need
no scene; :mod:`twin.scenario.modifications` makes those that do. The error and the warning
read the same: the scenario file, the key path, the what-if (by name) and what has no effect;
the file and the what-if's name come from the scenario being checked
(:func:`scenario_in_hand`, entered by :func:`check_scenario` and by the runner while it
prepares the scenes), so the checks deep in the modifications need not pass them.

Checks without a scene (:func:`check_scenario`)
-----------------------------------------------
* a modification that acts only on engines the scenario does not run (``scale_demand`` with
  ``domains: [energy]``); which engines each operation acts on is :data:`OP_DOMAINS`;
* ``scale_demand`` by 1, ``change_streets`` with only ``capacity_factor: 1``;
* the product of one what-if's ``scale_demand`` factors outside the schema's bounds (an error);
* a sampled parameter of an engine that is not run;
* ``samples`` with the stock priors on but no engine that reads the sampled attributes
  (soil only): nothing to sample (a no-effect error);
* a normal/lognormal cut by the option's bounds by more than 1 % (a warning: samples follow the
  truncated distribution, :mod:`twin.scenario.sampling`);
* the soil engine's year method (``soil.method: year``): a ``green_infrastructure`` what-if
  without it (no effect), a ``green_roofs`` what-if with it (the year takes one district-wide
  green-roof share: no effect), a green infrastructure land-cover class without a row in
  ``twin/data/soil_landcover_vegetation.csv`` (a :class:`~twin.errors.ScenarioError`),
  ``kc_scale`` times the prior's highest factor above 2;
* ``deseal.cover_class`` without a row in that table, whatever the soil method (a
  :class:`~twin.errors.ScenarioError` naming the what-if, with the closest class and the list):
  every method reads it (the year's vegetation; the hot-days surface temperature of richards and
  scs_cn, :mod:`twin.scenario.engines.soil_heat`, took an unknown class for open ground outside
  every polygon, ``_unmapped_``, without a word);
* ``soil.block.margin_m`` beside ``soil.block.region`` (the margin widens the block around the
  changed cells only when no region is given: no effect);
* ``soil.block.samples`` or ``soil.block.prior_spread`` with ``uncertainty.samples: 0`` (they set
  the block's Monte Carlo, which then draws nothing: no effect), as ``soil.hydraulics_spread``
  and ``soil.texture_shares`` without samples; ``traffic.samples`` with ``uncertainty.samples: 0`` in
  the file (``twin run --samples 0``, a quick run of a file that sets it, is the user's choice
  and runs);
* the number of engine runs (:func:`engine_runs`) above :func:`max_engine_runs`.

Resource limits
---------------
``engine runs`` = engines x (1 + what-ifs) for the deterministic results + (1 + what-ifs) x
the samples of each sampled engine (an upper bound: a what-if that changes nothing an engine
reads reuses the baseline; the traffic engine runs at most ``traffic.samples`` of them and the
soil year at most ``soil.samples``, :func:`engine_samples`). Sampled engines are those with a
sampled parameter, with the stock priors on the engines that read sampled building attributes
(energy, traffic: :data:`STOCK_DOMAINS`), and the soil engine's year method (its own priors,
:func:`soil_samples_itself`). Limit :data:`MAX_ENGINE_RUNS` (2,000; ``TWIN_MAX_ENGINE_RUNS``
overrides): the default scenario (100 samples of energy, 40 of traffic) needs 572; a traffic
sample (the mobility model) takes about 0.3-0.6 s per scene on Saint-Gilles and an energy
sample of the 3,991-building district about 0.3 s (all samples of a scene go through the
kernel as one batch), so 2,000 runs are about ten to twenty minutes on one core.
``samples: 10000`` with three what-ifs (80,000 runs) is refused up front.

``building simulations`` = energy runs x buildings of the scene, checked once the scene is built
(:func:`check_scene_limits`). Limit :data:`MAX_BUILDING_SIMULATIONS` (20 million;
``TWIN_MAX_BUILDING_SIMULATIONS`` overrides): about 1,250 samples of Saint-Gilles with three
what-ifs, or 100 samples of a 100,000-building city with one.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import re
import warnings
from collections.abc import Iterator
from typing import Literal

from twin.errors import InputError, NoEffectError, ResourceLimitError, ScenarioError, TwinWarning
from twin.scenario import schema as S

NoEffectPolicy = Literal["error", "warn"]
NO_EFFECT_CHOICES = ("error", "warn")

#: The engines each operation acts on (an operation on engines the scenario does not run has no effect).
OP_DOMAINS: dict[str, frozenset[str]] = {
    "renovate": frozenset({"energy"}),
    "close_streets": frozenset({"traffic"}),
    "change_streets": frozenset({"traffic"}),
    "scale_demand": frozenset({"traffic"}),
    "deseal": frozenset({"soil"}),
    "green_roofs": frozenset({"soil"}),
    "insert_building": frozenset({"energy", "traffic", "soil"}),
    "remove_pois": frozenset({"traffic"}),
    "green_infrastructure": frozenset({"soil"}),
}

#: Default limits (see the module docstring).
MAX_ENGINE_RUNS = 2_000
MAX_BUILDING_SIMULATIONS = 20_000_000


def check_policy(no_effect: str) -> str:
    """``no_effect`` if it is ``"error"`` or ``"warn"``; else an InputError."""
    if no_effect not in NO_EFFECT_CHOICES:
        raise InputError(f"no_effect must be one of {', '.join(NO_EFFECT_CHOICES)}, not {no_effect!r}", field="no_effect")
    return no_effect


_IN_HAND: contextvars.ContextVar[S.Scenario | None] = contextvars.ContextVar("twin_scenario_in_hand", default=None)


@contextlib.contextmanager
def scenario_in_hand(scenario: S.Scenario) -> Iterator[None]:
    """Within the block, :func:`report_no_effect` names ``scenario``'s file (its
    :attr:`~twin.scenario.schema.Scenario.source_path`) and the what-if a key path points at."""
    token = _IN_HAND.set(scenario)
    try:
        yield
    finally:
        _IN_HAND.reset(token)


_FROM_OPTIONS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("twin_values_from_options", default=None)


@contextlib.contextmanager
def values_from_options(options: dict[str, str]) -> Iterator[None]:
    """Within the block, the checks say when a value came from a command-line option, not from the
    scenario file: ``options`` maps key paths to options (``{"uncertainty.samples": "--samples"}``
    for ``twin run --samples``), so "uncertainty.samples is 0 (--samples 0)" does not send the
    user to a file that says 20."""
    token = _FROM_OPTIONS.set(dict(options))
    try:
        yield
    finally:
        _FROM_OPTIONS.reset(token)


def _from_option(key: str, value: object) -> str:
    """``" (--option value)"`` when the command line gave ``key`` (:func:`values_from_options`), else ``""``."""
    option = (_FROM_OPTIONS.get() or {}).get(key)
    return f" ({option} {value})" if option else ""


def _whatif_of(field: str, scenario: S.Scenario | None) -> str | None:
    """The name of the what-if the key path ``field`` (``whatifs.0.modifications...``) is in."""
    match = re.match(r"whatifs\.(\d+)(?:\.|$)", field or "")
    if match is None or scenario is None or int(match.group(1)) >= len(scenario.whatifs):
        return None
    return scenario.whatifs[int(match.group(1))].name


def report_no_effect(message: str, *, field: str, no_effect: str = "error", path=None) -> None:
    """Raise :class:`~twin.errors.NoEffectError` (``no_effect="error"``) or warn (``"warn"``).

    Both read the same (``file F; field 'K': what-if 'W': message``): ``path`` or else the file
    of the scenario in hand (:func:`scenario_in_hand`), the key path, the what-if's name when
    the key path is in one.
    """
    policy = check_policy(no_effect)
    scenario = _IN_HAND.get()
    if path is None and scenario is not None:
        path = scenario.source_path
    whatif = _whatif_of(field, scenario)
    if whatif is not None:
        message = f"what-if {whatif!r}: {message}"
    if policy == "warn":
        text = str(NoEffectError(f"{message} (allowed by --allow-no-effect)", path=path, field=field))
        warnings.warn(text, TwinWarning, stacklevel=2)
        return
    raise NoEffectError(f"{message} (pass --allow-no-effect to run anyway)", path=path, field=field)


def _env_limit(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{name} must be a whole number, not {raw!r}", field=name) from None
    if value <= 0:
        raise InputError(f"{name} must be positive", field=name)
    return value


def max_engine_runs() -> int:
    """The engine-run limit: ``TWIN_MAX_ENGINE_RUNS`` if set, else :data:`MAX_ENGINE_RUNS`."""
    return _env_limit("TWIN_MAX_ENGINE_RUNS", MAX_ENGINE_RUNS)


def max_building_simulations() -> int:
    """The building-simulation limit: ``TWIN_MAX_BUILDING_SIMULATIONS`` or :data:`MAX_BUILDING_SIMULATIONS`."""
    return _env_limit("TWIN_MAX_BUILDING_SIMULATIONS", MAX_BUILDING_SIMULATIONS)


#: Engines whose results depend on the building attributes the priors sample (each adapter
#: declares it as ``STOCK_ATTRIBUTES``; listed here so that the checks need no engine import).
STOCK_DOMAINS = frozenset({"energy", "traffic"})


def priors_on(scenario: S.Scenario) -> bool:
    """Whether the Monte Carlo samples the stock priors (samples and ``priors`` not false)."""
    unc = scenario.uncertainty
    return bool(unc.samples) and unc.priors is not False


def sampled_domains(scenario: S.Scenario) -> set[str]:
    """Engines the Monte Carlo re-runs: those with a sampled parameter, with the priors on those
    that read sampled building attributes (:data:`STOCK_DOMAINS`), and the traffic engine when
    it samples its own model parameters (``traffic.sample_model_parameters``, the default)."""
    if not scenario.uncertainty.samples:
        return set()
    domains = {p.name.split(".", 1)[0] for p in scenario.uncertainty.parameters}
    if priors_on(scenario):
        domains |= STOCK_DOMAINS
    if scenario.traffic.sample_model_parameters:
        domains.add("traffic")
    if soil_samples_itself(scenario) or soil_hydraulics_sampled(scenario) or soil_texture_sampled(scenario):
        domains.add("soil")
    return domains & set(scenario.domains)


def soil_hydraulics_sampled(scenario: S.Scenario) -> bool:
    """Whether the soil engine's Monte Carlo draws the soil (method ``richards`` with samples and
    ``soil.hydraulics_spread`` > 0 or the unmapped ground's texture from a prior:
    :mod:`twin.scenario.engines.soil_storm_samples`)."""
    from twin.scenario.engines.soil import samples_hydraulics

    return bool(scenario.uncertainty.samples) and "soil" in scenario.domains and samples_hydraulics(scenario.soil)


def soil_texture_sampled(scenario: S.Scenario) -> bool:
    """Whether the soil engine's Monte Carlo draws the texture of the ground without a soil polygon
    (methods ``richards`` and ``scs_cn`` with samples, ``soil.texture`` left out or
    ``soil.texture_shares`` given: :mod:`twin.scenario.engines.soil_texture_prior`)."""
    from twin.scenario.engines.soil_texture_prior import texture_prior

    return bool(scenario.uncertainty.samples) and "soil" in scenario.domains and texture_prior(scenario.soil) is not None


def soil_samples_itself(scenario: S.Scenario) -> bool:
    """Whether the soil engine samples its own unknowns (method ``year`` with samples: the
    priors of ``twin/data/soil_priors.yaml``)."""
    return bool(scenario.uncertainty.samples) and "soil" in scenario.domains and scenario.soil.method == "year"


def engine_samples(scenario: S.Scenario, domain: str) -> int:
    """The Monte Carlo samples engine ``domain`` runs: every sample of the scenario, or for the
    traffic engine at most ``traffic.samples``."""
    n = scenario.uncertainty.samples if domain in sampled_domains(scenario) else 0
    if domain == "traffic" and scenario.traffic.samples is not None:
        n = min(n, scenario.traffic.samples)
    if domain == "soil" and scenario.soil.method == "year" and scenario.soil.samples is not None:
        n = min(n, scenario.soil.samples)
    return n


def engine_runs(scenario: S.Scenario) -> int:
    """Upper bound of the engine runs of ``scenario`` (see the module docstring)."""
    scenes = 1 + len(scenario.whatifs)
    return len(scenario.domains) * scenes + scenes * sum(engine_samples(scenario, d) for d in scenario.domains)


def _mods(scenario: S.Scenario):
    for i, m in enumerate(scenario.baseline):
        yield f"baseline.{i}", m
    for j, w in enumerate(scenario.whatifs):
        for i, m in enumerate(w.modifications):
            yield f"whatifs.{j}.modifications.{i}", m


def check_scenario(scenario: S.Scenario, *, no_effect: str = "error", path=None) -> None:
    """The checks that need no scene (see the module docstring).

    Raises
    ------
    NoEffectError
        A modification or parameter without effect (``no_effect="error"``).
    ScenarioError
        A what-if's demand factors multiply beyond the bounds.
    ResourceLimitError
        More engine runs than :func:`max_engine_runs`.
    """
    with scenario_in_hand(scenario):
        _check_scenario(scenario, no_effect=no_effect, path=path)


def _check_scenario(scenario: S.Scenario, *, no_effect: str, path) -> None:
    check_policy(no_effect)
    domains = set(scenario.domains)
    for key, m in _mods(scenario):
        acts = OP_DOMAINS[m.op]
        if not acts & domains:
            report_no_effect(
                f"{m.op} acts on the {' and '.join(sorted(acts))} engine, which this scenario does not run "
                f"(domains: {', '.join(scenario.domains)}); add it to domains", field=key, no_effect=no_effect, path=path)
        if m.op == "scale_demand" and m.factor == 1.0:
            report_no_effect("scale_demand by a factor of 1 changes nothing", field=f"{key}.factor", no_effect=no_effect, path=path)
        if m.op == "change_streets" and m.lanes is None and m.free_speed_m_s is None and m.capacity_factor == 1.0:
            report_no_effect("change_streets with capacity_factor 1 and nothing else changes nothing", field=f"{key}.capacity_factor",
                             no_effect=no_effect, path=path)
    for j, w in enumerate(scenario.whatifs):
        product = math.prod(m.factor for m in w.modifications if m.op == "scale_demand")
        if not S.MIN_DEMAND_FACTOR <= product <= S.MAX_DEMAND_FACTOR:
            raise ScenarioError(f"the scale_demand factors of this what-if multiply to {product:g}, outside "
                                f"[{S.MIN_DEMAND_FACTOR:g}, {S.MAX_DEMAND_FACTOR:g}]", path=path, field=f"whatifs.{j}.modifications")
    base_product = math.prod(m.factor for m in scenario.baseline if m.op == "scale_demand")
    if not S.MIN_DEMAND_FACTOR <= base_product <= S.MAX_DEMAND_FACTOR:
        raise ScenarioError(f"the baseline's scale_demand factors multiply to {base_product:g}, outside "
                            f"[{S.MIN_DEMAND_FACTOR:g}, {S.MAX_DEMAND_FACTOR:g}]", path=path, field="baseline")
    unc = scenario.uncertainty
    for i, p in enumerate(unc.parameters):
        domain = p.name.split(".", 1)[0]
        if domain not in domains:
            report_no_effect(f"{p.name} is an option of the {domain} engine, which this scenario does not run "
                             f"(domains: {', '.join(scenario.domains)})", field=f"uncertainty.parameters.{i}.name",
                             no_effect=no_effect, path=path)
        from twin.scenario.sampling import WARN_TRUNCATED_SHARE, truncated_mean, truncated_share

        share = truncated_share(p)
        if share > WARN_TRUNCATED_SHARE:
            lo, lo_s, hi, hi_s = S.option_bounds(p.name)
            warnings.warn(
                f"uncertainty.parameters.{i}: {100 * share:.1f} % of the {p.dist} distribution of {p.name} lies outside its bounds "
                f"{S._fmt_bounds(lo, lo_s, hi, hi_s)}; samples follow the truncated distribution (mean {truncated_mean(p):.4g}, "
                f"declared {p.mean:g})", TwinWarning, stacklevel=2)
    _check_soil_year(scenario, no_effect=no_effect, path=path)
    _check_deseal_classes(scenario, path=path)
    if "soil" in domains and not unc.samples and "hydraulics_spread" in scenario.soil.model_fields_set:
        report_no_effect(f"soil.hydraulics_spread {scenario.soil.hydraulics_spread:g} scales the Monte Carlo's draws of the soil hydraulics, "
                         f"but uncertainty.samples is 0{_from_option('uncertainty.samples', 0)}: set samples or leave it out", field="soil.hydraulics_spread",
                         no_effect=no_effect, path=path)  # fmt: skip
    block = scenario.soil.block or {}
    if "soil" in domains and block.get("region") is not None and "margin_m" in block:
        report_no_effect(f"soil.block.margin_m {block['margin_m']} widens the block around the cells whose cover changes, but soil.block.region "
                         "is given and is the block: leave one of them out", field="soil.block.margin_m",
                         no_effect=no_effect, path=path)  # fmt: skip
    given = [k for k in ("samples", "prior_spread") if k in block]
    if "soil" in domains and not unc.samples and given:
        report_no_effect(f"soil.block.{given[0]} {block[given[0]]} sets the block's Monte Carlo (min(uncertainty.samples, soil.block.samples) "
                         f"paired samples of the soil hydraulics, their spread), but uncertainty.samples is 0{_from_option('uncertainty.samples', 0)}: "
                         "no block sample is "
                         f"drawn; set uncertainty.samples or leave {' and '.join('soil.block.' + k for k in given)} out",
                         field=f"soil.block.{given[0]}", no_effect=no_effect, path=path)  # fmt: skip
    if "soil" in domains and not unc.samples and scenario.soil.texture_shares is not None:
        report_no_effect("soil.texture_shares is the prior the Monte Carlo draws the unmapped ground's texture from, but "
                         f"uncertainty.samples is 0{_from_option('uncertainty.samples', 0)}: set samples or leave it out (soil.texture sets the texture)",
                         field="soil.texture_shares", no_effect=no_effect, path=path)
    if ("traffic" in domains and not unc.samples and "samples" in scenario.traffic.model_fields_set
            and "uncertainty.samples" not in (_FROM_OPTIONS.get() or {})):
        report_no_effect(f"traffic.samples {scenario.traffic.samples} limits the traffic engine's Monte Carlo samples, but "
                         "uncertainty.samples is 0: no sample is drawn; set uncertainty.samples or leave traffic.samples out",
                         field="traffic.samples", no_effect=no_effect, path=path)
    if (priors_on(scenario) and not unc.parameters and not (STOCK_DOMAINS & domains) and not soil_samples_itself(scenario)
            and not soil_hydraulics_sampled(scenario) and not soil_texture_sampled(scenario)):
        report_no_effect(f"samples: {unc.samples}{_from_option('uncertainty.samples', unc.samples)} with the stock priors, but no engine of this scenario ({', '.join(scenario.domains)}) "
                         f"reads the sampled building attributes (engines that do: {', '.join(sorted(STOCK_DOMAINS))})",
                         field="uncertainty.samples", no_effect=no_effect, path=path)
    runs = engine_runs(scenario)
    limit = max_engine_runs()
    if runs > limit:
        traffic_cap = ("traffic" in sampled_domains(scenario) and scenario.traffic.samples is not None
                       and scenario.traffic.samples < unc.samples)
        raise ResourceLimitError(
            f"this scenario needs up to {runs:,} engine runs ({len(scenario.domains)} engines x {1 + len(scenario.whatifs)} scenes"
            f" + up to {unc.samples:,} samples{_from_option('uncertainty.samples', unc.samples)} x {1 + len(scenario.whatifs)} scenes x {len(sampled_domains(scenario))} sampled engines"
            f"{', traffic limited to ' + format(scenario.traffic.samples, ',') + ' samples' if traffic_cap else ''}), "
            f"above the limit of {limit:,} (set TWIN_MAX_ENGINE_RUNS to raise it)",
            path=path, field="uncertainty.samples")


def check_scene_limits(scenario: S.Scenario, n_buildings: int, *, path=None) -> None:
    """The limits that need the scene's size (see the module docstring).

    Raises
    ------
    ResourceLimitError
        More building simulations than :func:`max_building_simulations`.
    """
    if "energy" not in scenario.domains:
        return
    scenes = 1 + len(scenario.whatifs)
    samples = scenario.uncertainty.samples if "energy" in sampled_domains(scenario) else 0
    total = scenes * (1 + samples) * int(n_buildings)
    limit = max_building_simulations()
    if total > limit:
        raise ResourceLimitError(
            f"{1 + samples:,} energy runs x {scenes} scenes x {n_buildings:,} buildings = {total:,} building simulations, "
            f"above the limit of {limit:,} (lower uncertainty.samples{_from_option('uncertainty.samples', scenario.uncertainty.samples)}, "
            "or set TWIN_MAX_BUILDING_SIMULATIONS)",
            path=path, field="uncertainty.samples")


def _check_soil_year(scenario: S.Scenario, *, no_effect: str, path=None) -> None:
    """The soil engine's year method, checked without a scene: green infrastructure what-ifs need
    it, land-cover classes (of de-sealing and green infrastructure) need a row in the land-cover
    vegetation table, the sampled crop-coefficient scale stays within its bound of 2."""
    year = "soil" in scenario.domains and scenario.soil.method == "year"
    for key, m in _mods(scenario):
        if m.op == "green_infrastructure" and "soil" in scenario.domains and not year:
            report_no_effect(f"green_infrastructure acts on the soil engine's year method only (this scenario runs soil.method: "
                             f"{scenario.soil.method}); set soil.method: year", field=key, no_effect=no_effect, path=path)
        if m.op == "green_roofs" and year:
            report_no_effect("green_roofs acts on the soil engine's storm methods; the year method takes one district-wide green-roof "
                             "share from its grid options and not the buildings' own (use soil.method: richards for green roofs)",
                             field=key, no_effect=no_effect, path=path)
    if not year:
        return
    from twin.soil.vegetation import read_landcover_vegetation

    table = read_landcover_vegetation(None)
    classes = [(f"soil.green_infrastructure.{i}.landcover_classes", c) for i, g in enumerate(scenario.soil.green_infrastructure)
               for c in g.landcover_classes]
    for key, m in _mods(scenario):
        if m.op == "green_infrastructure":
            classes += [(f"{key}.landcover_classes", c) for c in m.landcover_classes]
    for key, c in classes:
        if c not in table:
            raise ScenarioError(f"land-cover class {c!r} has no row in the soil engine's land-cover vegetation table "
                                f"(twin/data/soil_landcover_vegetation.csv){_class_hint(c, table)}", path=path, field=key)
    if soil_samples_itself(scenario):
        from twin.scenario.engines.soil_priors import load_soil_priors

        top = load_soil_priors(scenario.soil.priors)["kc_scale_factor"].high * scenario.soil.kc_scale
        if top > 2.0:
            raise ScenarioError(f"soil.kc_scale {scenario.soil.kc_scale:g} times the prior's highest kc_scale_factor gives {top:g}, "
                                "above the largest crop-coefficient scale of 2 (lower kc_scale or the prior)", path=path, field="soil.kc_scale")


def _class_hint(name: str, table) -> str:
    """``; did you mean 'x'? (classes: ...)``: the closest land-cover class of ``table`` (if any) and all of them."""
    from twin.io.key_hints import did_you_mean

    return did_you_mean(name, list(table), parenthesised=False) + f" (classes: {', '.join(sorted(table))})"


def _check_deseal_classes(scenario: S.Scenario, *, path=None) -> None:
    """Every ``deseal.cover_class`` has a row in the land-cover vegetation table (module docstring).

    Raises
    ------
    ScenarioError
        An unknown class: the key path as ``field``, the what-if named in the message.
    """
    mods = [(key, m) for key, m in _mods(scenario) if m.op == "deseal" and m.cover_class is not None]
    if not mods:
        return
    from twin.soil.vegetation import read_landcover_vegetation

    table = read_landcover_vegetation(None)
    for key, m in mods:
        if m.cover_class not in table:
            parts = key.split(".")
            owner = f"what-if {scenario.whatifs[int(parts[1])].name!r}" if parts[0] == "whatifs" else "the baseline"
            raise ScenarioError(f"deseal of {owner}: land-cover class {m.cover_class!r} has no row in the soil engine's land-cover "
                                "vegetation table (twin/data/soil_landcover_vegetation.csv), which every soil method reads (the year's "
                                f"vegetation, the hot-days surface temperature){_class_hint(m.cover_class, table)}",
                                path=path, field=f"{key}.cover_class")  # fmt: skip
