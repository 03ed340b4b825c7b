"""Which texture the soil is where the scene has no soil polygon: a prior, not a fact.

Without a soil map the storm grid gives every unmapped ground cell one texture (``soil.texture``;
left out, the central run takes the prior's mode, silt loam for Brussels). That texture sets
the van Genuchten - Mualem class means the soil hydraulics are drawn around
(:mod:`twin.scenario.engines.soil_storm_samples`), so taking it as known gave bands that only
knew the spread within silt loam. Here it is a prior:

* ``soil.texture`` left out: the packaged shares (``twin/data/soil_texture_prior.yaml``, an
  assumption read from the geology of the Brussels plateaus and valleys) or the scenario's
  ``soil.texture_shares``; the central run's texture is the shares' mode.
* ``soil.texture`` given: the user's texture is taken as known (not sampled), unless
  ``soil.texture_shares`` is given too (then the central run keeps ``soil.texture``).

Each Monte Carlo sample draws one texture for all the district's unmapped ground (the band is
the uncertainty of the district's soil, as for the hydraulics), from its own random stream of
the scenario seed: the same texture for the baseline and every what-if of a sample (paired
deltas), and the same draws whatever else the scenario samples. Soil polygons of the scene keep
their texture. ``richards`` draws the sample's hydraulics around that texture's class means;
the ``scs_cn`` screening takes the open ground's curve number from the texture's hydrologic soil
group (TR-55), so its samples differ by group; the ``year`` method takes ``soil.texture`` as
known (a documented limit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

PRIOR_FILE = "soil_texture_prior.yaml"
#: Tolerance on the sum of the shares.
SHARE_SUM_TOL = 1e-6


@dataclass(frozen=True)
class TexturePrior:
    """Shares of the texture of the district's unmapped ground.

    Attributes
    ----------
    shares
        Carsel & Parrish texture name -> share (> 0, summing to 1), in the order given.
    basis
        Where the shares come from.
    label
        Their source in a few words, without parentheses (for the report: "the scenario's
        soil.texture_shares").
    """

    shares: dict[str, float]
    basis: str
    label: str

    @property
    def mode(self) -> str:
        """The texture with the largest share (the first of equal ones)."""
        return max(self.shares, key=lambda k: self.shares[k])

    def draw(self, n: int, seed: int) -> list[str]:
        """``n`` textures, one per sample, from the stream of ``seed`` alone (paired draws)."""
        rng = np.random.default_rng([int(seed), 0x7E47])
        names = list(self.shares)
        p = np.array([self.shares[k] for k in names])
        return [names[i] for i in rng.choice(len(names), size=int(n), p=p / p.sum())]


def sample_options(opts: list, prior: TexturePrior, seed: int) -> tuple[list, list[str]]:
    """Each sample's soil options with its drawn texture (``soil.texture``), and the textures
    (:meth:`TexturePrior.draw`: the same for every scene of a sample)."""
    drawn = prior.draw(len(opts), seed)
    return [o.model_copy(update={"texture": t}) for o, t in zip(opts, drawn, strict=True)], drawn


def describe(prior: TexturePrior, drawn: list[str]) -> str:
    """The prior and the draws in words, for the run's notes: "the packaged prior x.yaml, an
    assumption: Silt Loam 55 %, Loam 45 %; drawn in 100 samples: Silt Loam 54, Loam 46".

    No parenthesis: the notes put it inside their own (the soil hydraulics' "(... drawn per sample
    from <this>, seed 2026)"), where a parenthesis of its own would nest and the report would
    write it in square brackets ("Loamy Sand 7]").
    """
    return (f"{prior.label}: " + ", ".join(f"{t} {100 * p:.0f} %" for t, p in prior.shares.items())
            + f"; drawn in {len(drawn)} samples: " + ", ".join(f"{t} {drawn.count(t)}" for t in prior.shares if drawn.count(t)))


def parse_shares(value, *, where: str = "texture_shares") -> dict[str, float]:
    """Texture shares from a mapping, with the Carsel & Parrish spelling of each texture.

    Raises
    ------
    ValueError
        Not a mapping, an unknown texture, a share that is not a finite number >= 0, shares not
        summing to 1, or no positive share (the message names the texture).
    """
    from twin.soil.hydraulics import CARSEL_PARRISH_1988, _norm

    if not isinstance(value, dict) or not value:
        raise ValueError(f"{where}: give a mapping of soil texture -> share (e.g. {{Silt Loam: 0.6, Loam: 0.4}}), not {value!r}")
    known = {_norm(k): k for k in CARSEL_PARRISH_1988}
    out: dict[str, float] = {}
    for name, share in value.items():
        canon = known.get(_norm(name))
        if canon is None:
            raise ValueError(f"{where}.{name}: unknown soil texture (known: {', '.join(CARSEL_PARRISH_1988)})")
        if canon in out:
            raise ValueError(f"{where}.{name}: {canon} is given twice")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not math.isfinite(share) or share < 0:
            raise ValueError(f"{where}.{name}: a share must be a finite number >= 0, got {share!r}")
        out[canon] = float(share)
    total = sum(out.values())
    if not total > 0:
        raise ValueError(f"{where}: no texture has a positive share")
    if abs(total - 1.0) > SHARE_SUM_TOL:
        raise ValueError(f"{where}: the shares sum to {total:g}, not 1")
    return {k: v for k, v in out.items() if v > 0}


def packaged_prior() -> TexturePrior:
    """The shipped prior (``twin/data/soil_texture_prior.yaml``)."""
    import yaml

    table = yaml.safe_load((resources.files("twin") / "data" / PRIOR_FILE).read_text(encoding="utf-8"))
    return TexturePrior(parse_shares(table["shares"], where=PRIOR_FILE), str(table.get("basis", "")),
                        f"the packaged prior twin/data/{PRIOR_FILE}, an assumption")


#: The soil methods whose Monte Carlo draws the unmapped texture (``year`` takes it as known).
SAMPLED_METHODS = ("richards", "scs_cn")


def texture_prior(options) -> TexturePrior | None:
    """The prior the Monte Carlo draws the unmapped texture from, or None when it is taken as known
    (``soil.texture`` given without shares, or the ``year`` method)."""
    if getattr(options, "method", "richards") not in SAMPLED_METHODS:
        return None
    shares = getattr(options, "texture_shares", None)
    if shares is not None:
        return TexturePrior(parse_shares(shares), "given by the scenario", "the scenario's soil.texture_shares")
    if getattr(options, "texture", None) is not None:
        return None
    return packaged_prior()


def central_texture(options) -> str:
    """The texture of the unmapped ground in the central run: ``soil.texture``, else the mode of
    the prior (the scenario's shares or the packaged ones)."""
    given = getattr(options, "texture", None)
    if given is not None:
        return str(given)
    shares = getattr(options, "texture_shares", None)
    return (TexturePrior(parse_shares(shares), "", "") if shares is not None else packaged_prior()).mode
