"""BESTEST with the 140-2020 pane set: optical and thermal inputs of the windows (task p13g).

The specs (``tests/energy_data/bestest_*.yaml``) were written with the pane of the earlier
editions ("Glass Type 1" of GSR-2014: 3.175 mm, solar transmittance 0.86156, reflectance
0.07846, k 1.06 W/(m K), 13 mm air gap) and their whole-window SHGC 0.789. ASHRAE 140-2020, whose
example programs give the ranges of ``tests/bestest_ranges_mbl.py``, changed the pane: 3.048 mm,
solar transmittance 0.834, reflectance 0.075, k 1.0 W/(m K), IR emissivity 0.84, 12 mm air gap
(NREL/BESTEST-GSR ``shared_resources/bestest_resources.osm``, commit of 2022-05-16; the Modelica
Buildings Library's ``BESTEST/Data/Glass600.mo``, revision of 12 May 2022 for its issue 3005).

Since 2026-12-04 the specs carry the 2020 pane: extinction ``K L`` 0.0947 (with n = 1.526 the
pane transmits 0.834 at normal incidence: :func:`pane_extinction_kl`), the pair's SHGC 0.762
(:func:`double_pane_shgc` with the films the specs' U = 3.0 was stated with; the same formula
gives the older editions' 0.789 from the older pane) and the 2020 ``glazing_gap``. Variants (each
a change of the spec files' windows as read, not of the model):

* ``specs``: the specs as committed (the 2020 pane; since 2026-12-04 also the hourly DOE-2 exterior
  surfaces, ``simulation.exterior_convection: doe2``, country terrain, rough surfaces);
* ``films``: the specs with the fixed exterior films (``exterior_convection: fixed``);
* ``optics2014``: the older pane's optics (``K L`` 0.0622, ``g`` 0.789), the 2020 gap, fixed films;
* ``gap2014``: the older pane's thermal data (3.175 mm, k 1.06, 13 mm), the 2020 optics, fixed films;
* ``glass2014``: both, fixed films: the specs before 2026-12-04.

With ``--table`` (finer model), prints the markdown table of docs/energy_iso52016.md: every ranged
quantity with the specs, ``films`` and ``glass2014``. With ``--u``, prints the U-value of each pane set at the conditions where the older set gives
the specs' 3.0 W/(m2 K) (ISO 15099 gap conductance of the finer model's kernel, 15 K across the
gap, 2 m high).

Usage: ``python scripts/bestest_glazing_2020.py [--finer] [variant ...]`` (Denver TMY3 from ``../shared/data``).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


#: Refractive index of the specs' angular model (twin.energy.solar.Glazing).
N_GLASS = 1.526


def pane_extinction_kl(tau_normal: float, n: float = N_GLASS) -> float:
    """``K L`` of one pane whose normal solar transmittance is ``tau_normal`` (``tau_r tau_a``, Duffie & Beckman §5.3)."""
    r = ((n - 1.0) / (n + 1.0)) ** 2
    return -math.log(tau_normal / ((1.0 - r) / (1.0 + r)))


def double_pane_shgc(tau: float, rho: float, *, u_w_m2k: float, r_se_m2k_w: float, r_si_m2k_w: float) -> float:
    """SHGC at normal incidence of two equal panes (transmittance ``tau``, reflectance ``rho``).

    Transmitted ``tau^2 / (1 - rho^2)`` plus each pane's absorbed share times its inward-flowing
    fraction (the thermal resistance on its outdoor side over the window's ``1 / U``), panes
    taken thin (ISO 9050 §5.4 / ISO 15099 in the one-node-per-pane form).
    """
    a = 1.0 - tau - rho
    den = 1.0 - rho * rho
    t_sys = tau * tau / den
    a_out = a * (1.0 + tau * rho / den)
    a_in = tau * a / den
    r_tot = 1.0 / u_w_m2k
    return t_sys + a_out * r_se_m2k_w / r_tot + a_in * (r_tot - r_si_m2k_w) / r_tot


#: (transmittance, reflectance) at normal incidence of one pane: ASHRAE 140-2020 and the older editions.
PANE_OPTICS = {"2020": (0.834, 0.075), "2014": (0.86156, 0.07846)}
#: (pane thickness m, pane conductivity W/(m K), gap m, IR emissivity) of the two pane sets.
PANE_GAP = {"2020": (0.003048, 1.0, 0.012, 0.84), "2014": (0.003175, 1.06, 0.013, 0.84)}
#: The specs' interior window film, m2 K/W (ref §5: 8.29 W/(m2 K)).
R_SI_WINDOW = 1.0 / 8.29


def _optics(edition: str):
    tau, rho = PANE_OPTICS[edition]

    def change(d: dict) -> dict:
        for w in d["windows"]:
            w["pane_extinction_kl"] = round(pane_extinction_kl(tau), 4)
            w["g"] = round(double_pane_shgc(tau, rho, u_w_m2k=w["u_w_m2k"], r_se_m2k_w=w["r_se_m2k_w"], r_si_m2k_w=R_SI_WINDOW), 3)
        return d

    return change


def _gap(edition: str):
    thick, k, gap, eps = PANE_GAP[edition]

    def change(d: dict) -> dict:
        for w in d["windows"]:
            if "glazing_gap" in w:
                w["glazing_gap"].update(pane_thickness_m=thick, pane_conductivity_w_mk=k, gap_m=gap, gap_emissivity=eps)
        return d

    return change


def _films(d: dict) -> dict:
    d.setdefault("simulation", {})["exterior_convection"] = "fixed"
    return d


VARIANTS = {"specs": (), "films": (_films,), "optics2014": (_optics("2014"), _films), "gap2014": (_gap("2014"), _films),
            "glass2014": (_optics("2014"), _gap("2014"), _films)}


def u_values(u_older: float = 3.0, r_se: float = 1.0 / 21.0, dt_k: float = 15.0, height_m: float = 2.0) -> dict[str, float]:
    """U-value of each pane set at the mean pane temperature where the older set gives ``u_older``."""
    from twin.kernels.energy_iso52016 import glazing_conductance

    def conductance(edition: str, tm_k: float) -> float:
        thick, k, gap, eps = PANE_GAP[edition]
        return glazing_conductance(tm_k, dt_k, gap, 2.0 * thick / k, 1.0 / (2.0 / eps - 1.0), height_m)

    target = 1.0 / (1.0 / u_older - r_se - R_SI_WINDOW)
    lo, hi = 200.0, 340.0  # the conductance rises with the mean temperature
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if conductance("2014", mid) > target else (mid, hi)
    return {ed: 1.0 / (r_se + 1.0 / conductance(ed, mid) + R_SI_WINDOW) for ed in PANE_GAP} | {"t_mean_c": mid - 273.15}


def run(variants: list[str], finer: bool = False) -> dict:
    """Print one line per (variant, case) (``scripts/bestest_p13f.py``'s loop); return {variant: {case: result}}."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bestest_p13f import run as run_variants

    return run_variants(variants, finer, VARIANTS)


def table(results: dict) -> str:
    """Markdown rows: case, quantity, the specs' value, the range, inside, the ``films`` and ``glass2014`` values."""
    from tests.test_energy_bestest_iso52016 import CASES, RANGES

    rows = ["| case | quantity | finer model: the specs (2020 pane, DOE-2 exterior) | range (140-2020 programs) | inside | fixed exterior films "
            "| older pane, fixed films (specs before 2026-12-04) |",
            "|---|---|---|---|---|---|---|"]
    for case in CASES:
        for (c, q), (lo, hi) in RANGES.items():
            if c == case:
                now, films, before = (results[v][case][q] for v in ("specs", "films", "glass2014"))
                digits = 2 if q.startswith("t_air") else 3
                rows.append(f"| {case} | {q} | {now:.{digits}f} | {lo:.{digits}f}..{hi:.{digits}f} | {'yes' if lo <= now <= hi else 'no'} "
                            f"| {films:.{digits}f} | {before:.{digits}f} |")
    return "\n".join(rows)


if __name__ == "__main__":
    for ed, (tau, rho) in PANE_OPTICS.items():
        shgc = double_pane_shgc(tau, rho, u_w_m2k=3.0, r_se_m2k_w=1 / 21.0, r_si_m2k_w=R_SI_WINDOW)
        print(f"pane {ed}: K L {pane_extinction_kl(tau):.4f}, SHGC {shgc:.4f}")
    if "--u" in sys.argv:
        print("U at the older set's 3.0:", u_values())
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--table" in sys.argv:
        print(table(run(["specs", "films", "glass2014"], finer=True)))
    else:
        run(args or list(VARIANTS), "--finer" in sys.argv)
