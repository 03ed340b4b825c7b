"""Replicates of dynamic loading over seeds: how much a result moves with DUO's route-choice noise.

DUO route choice (:func:`twin.traffic.dynamic.simulate`, ``route_choice="duo"``) multiplies the
link times of every route update by a seeded ``1 + duo_noise U(0, 1)``. On a congested network
that noise alone moves the totals from seed to seed (Saint-Gilles at 3,000 vehicles: total
delay 31.9-52.4 veh-h over seeds 0-9, ``docs/traffic.md``, Dynamic loading, Give-way), so one
run's figure, or one run's difference between two variants, may be mostly that scatter.
:func:`simulate_replicates` runs the same network, demand and options with seeds
``seed .. seed + replicates - 1`` and returns each seed's totals and their statistics (mean,
sample standard deviation, min, max and the Monte Carlo standard error of the mean,
``sd / sqrt(n)``). The spread is that of the route-choice noise, not an uncertainty of the inputs.

Only DUO with ``duo_noise > 0`` has noise: with other route choices, or without noise, every
replicate is the same run, and more than one replicate is an :class:`~twin.errors.InputError`.

Examples
--------
>>> from twin.traffic.dynamic_replicates import simulate_replicates  # doctest: +SKIP
>>> runs = simulate_replicates(net, demand, dynamics=dyn, dt_s=5.0, seed=0, replicates=10)  # doctest: +SKIP
>>> runs.statistics()["total_delay_veh_h_sd"]  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from twin.traffic.dynamic import DemandArrays, DynamicResult
    from twin.traffic.network import Network

MAX_REPLICATES = 100
"""Most replicates of one call (each is a full run)."""

REPLICATE_KPIS = ("arrived_veh", "in_network_end_veh", "waiting_end_veh", "total_travel_time_veh_h", "total_delay_veh_h",
                  "vehicle_km", "mean_trip_time_s")  # fmt: skip
"""Totals of :meth:`twin.traffic.dynamic.DynamicResult.totals` given per seed and as statistics."""

GIVE_WAY_KPIS = ("give_way_queue_veh_h", "give_way_mean_capacity_veh_h")
"""Give-way figures given per seed and as statistics when give-way is on."""

STATISTICS = ("mean", "sd", "min", "max", "sem")
"""Statistics of every figure over the replicates (``<figure>_<statistic>``)."""

SPREAD_NOTE = ("the spread over seeds is DUO's route-choice noise (duo_noise), not uncertainty of the inputs; "
               "sem = sd / sqrt(replicates) is the Monte Carlo standard error of the mean")  # fmt: skip
"""What the statistics of :func:`simulate_replicates` measure (one line for reports)."""


def check_replicates(seed: Any, replicates: Any, *, route_choice: str, duo_noise: float, seed_field: str = "seed",
                     replicates_field: str = "replicates", noise_field: str = "duo_noise") -> None:  # fmt: skip
    """Raise :class:`~twin.errors.InputError` unless ``seed`` and ``replicates`` can be run.

    Parameters
    ----------
    seed
        First seed, a whole number >= 0.
    replicates
        Number of runs, a whole number in [1, :data:`MAX_REPLICATES`].
    route_choice, duo_noise
        The run's route choice and DUO noise: more than one replicate needs ``"duo"`` with
        ``duo_noise > 0`` (otherwise every replicate is the same run).
    seed_field, replicates_field, noise_field
        Names of the three settings in the errors (the command line passes its option names:
        ``--seed``, ``--replicates``, ``--duo-noise``).
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"must be a whole number >= 0, got {seed!r}", field=seed_field)
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) or not 1 <= replicates <= MAX_REPLICATES:
        raise InputError(f"must be a whole number in [1, {MAX_REPLICATES}], got {replicates!r}", field=replicates_field)
    if replicates > 1 and route_choice != "duo":
        raise InputError(f"{replicates} replicates with route choice {route_choice!r} are {replicates} identical runs "
                         "(only duo route choice has seeded noise): leave it out", field=replicates_field)  # fmt: skip
    if replicates > 1 and not duo_noise > 0.0:
        raise InputError(f"{replicates} replicates with {noise_field} {duo_noise:g} are {replicates} identical runs "
                         "(the seed only draws DUO's route-choice noise): leave it out", field=replicates_field)  # fmt: skip


def kpi_statistics(values: np.ndarray) -> dict[str, float]:
    """Mean, sample standard deviation (``ddof=1``), min, max and standard error of the mean.

    Parameters
    ----------
    values
        One figure per replicate (at least one; a NaN, e.g. the mean trip time of a run where not
        every vehicle arrived, makes every statistic NaN).

    Returns
    -------
    dict
        Keys :data:`STATISTICS`; with one value, ``sd`` and ``sem`` are NaN.
    """
    v = np.asarray(values, dtype=float)
    n = v.size
    sd = float(np.std(v, ddof=1)) if n > 1 else float("nan")
    return {"mean": float(np.mean(v)), "sd": sd, "min": float(np.min(v)), "max": float(np.max(v)), "sem": sd / float(np.sqrt(n))}


@dataclass(frozen=True)
class ReplicateRuns:
    """Runs of one case over seeds.

    Attributes
    ----------
    seeds : tuple of int
        The seeds run, in order.
    per_seed : list of dict
        Per seed: ``seed``, the totals (:meth:`~twin.traffic.dynamic.DynamicResult.totals`) and
        the scalar entries of the run's ``meta``.
    kpis : tuple of str
        The figures with statistics: :data:`REPLICATE_KPIS`, and :data:`GIVE_WAY_KPIS` when
        give-way is on.
    link_summary : pandas.DataFrame
        :meth:`~twin.traffic.dynamic.DynamicResult.link_summary` with every numeric column the
        mean over the replicates (identifiers and lengths as they are).
    first : DynamicResult
        The full result of the first seed (the others are not kept: each holds cumulative curves
        of every link and step).
    """

    seeds: tuple[int, ...]
    per_seed: list[dict[str, Any]]
    kpis: tuple[str, ...]
    link_summary: pd.DataFrame
    first: DynamicResult

    def values(self, kpi: str) -> np.ndarray:
        """The figure ``kpi`` of every seed, float64 (len(seeds))."""
        return np.array([s[kpi] for s in self.per_seed], dtype=float)

    def statistics(self) -> dict[str, float]:
        """``<kpi>_<statistic>`` for every figure of :attr:`kpis` and statistic of :data:`STATISTICS`."""
        out: dict[str, float] = {}
        for kpi in self.kpis:
            out.update({f"{kpi}_{k}": v for k, v in kpi_statistics(self.values(kpi)).items()})
        return out


def simulate_replicates(network: Network, demand: pd.DataFrame | DemandArrays, *, seed: int = 0, replicates: int = 1,
                        **options: Any) -> ReplicateRuns:  # fmt: skip
    """Run :func:`twin.traffic.dynamic.simulate` with seeds ``seed .. seed + replicates - 1``.

    Parameters
    ----------
    network, demand
        As :func:`~twin.traffic.dynamic.simulate`.
    seed
        First seed (whole number >= 0).
    replicates
        Number of runs (1 to :data:`MAX_REPLICATES`); more than one needs DUO route choice with
        ``duo_noise > 0`` (see :func:`check_replicates`).
    **options
        Every other keyword of :func:`~twin.traffic.dynamic.simulate` (the same for all runs).

    Returns
    -------
    ReplicateRuns
        Per-seed totals, their statistics, the mean link summary and the first seed's result.

    Notes
    -----
    Shows one progress step counting the replicates (:mod:`twin.io.progress`: on stderr under
    the command line, silent as a library).
    """
    from twin.io import progress
    from twin.traffic.dynamic import DEFAULT_DUO_NOISE, simulate

    check_replicates(seed, replicates, route_choice=options.get("route_choice", "duo"), duo_noise=options.get("duo_noise", DEFAULT_DUO_NOISE))
    seeds = tuple(range(int(seed), int(seed) + int(replicates)))
    per_seed: list[dict[str, Any]] = []
    links: list[pd.DataFrame] = []
    first = None
    for s in progress.track(seeds, "dynamic loading" if len(seeds) == 1 else "dynamic loading replicates", unit="seeds"):
        result = simulate(network, demand, seed=s, **options)
        per_seed.append({"seed": s, **result.totals(), **{k: v for k, v in result.meta.items() if k != "seed" and np.isscalar(v)}})
        links.append(result.link_summary())
        first = first if first is not None else result
    assert first is not None  # replicates >= 1
    kpis = REPLICATE_KPIS + (GIVE_WAY_KPIS if per_seed[0].get("give_way", "off") == "on" else ())
    return ReplicateRuns(seeds=seeds, per_seed=per_seed, kpis=kpis, link_summary=mean_link_summary(links), first=first)


def mean_link_summary(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The mean of link summaries of the same links, column by column (numeric columns other
    than ``length_m`` and ``free_time_s``; the others taken from the first frame).

    NaN (a link nobody entered has no mean travel time) is left out of a link's mean; a link
    without any value keeps NaN.
    """
    import warnings

    out = frames[0].copy()
    fixed = {"link_id", "from_node", "to_node", "length_m", "free_time_s"}
    for col in out.columns:
        if col in fixed or not np.issubdtype(out[col].dtype, np.number):
            continue
        stack = np.vstack([f[col].to_numpy(dtype=float) for f in frames])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns of a link: NaN, as documented
            out[col] = np.nanmean(stack, axis=0)
    return out


__all__ = ["GIVE_WAY_KPIS", "MAX_REPLICATES", "REPLICATE_KPIS", "SPREAD_NOTE", "STATISTICS", "ReplicateRuns", "check_replicates",
           "kpi_statistics", "mean_link_summary", "simulate_replicates"]
