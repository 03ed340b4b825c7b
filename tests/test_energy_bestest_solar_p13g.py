"""The BESTEST solar outputs against the ASHRAE 140-2020 example programs (issue 13: validation of the
window and shading path the loads stand on).

The loads of ``tests/test_energy_bestest*.py`` mix solar, conduction and storage; the Standard also
publishes the solar quantities alone (``tests/bestest_ranges_solar.py``, Tables B8-11..B8-15). Here
they are computed on the path both zone models and the stock use: the spec's drivers
(:func:`twin.energy.spec.zone_model`: Perez sky, the glazing's angular model, overhang and fin
shading by :func:`twin.energy.solar.surface_irradiance`), Denver TMY3, with the committed specs
(the 140-2020 pane: 3.048 mm, normal transmittance 0.834 per pane, 0.700 for the pair). The
window's driver row is the irradiance weighted by ``tau(theta) / tau(0)``, so the transmitted
solar per m2 of glass is ``tau(0)`` times its annual sum.

What stays outside is marked ``xfail(strict=True)`` with the value (docs/energy_iso52016.md,
"Solar outputs against the programs").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.bestest_ranges_solar import INCIDENT, SHADING_COEFFICIENT, TRANSMISSIVITY, TRANSMITTED
from tests.conftest import shared_path

DATA = Path(__file__).parent / "energy_data"
DENVER = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")
OPAQUE_GROUP = {"horizontal": "opq_roof", "north": "opq_north", "east": "opq_east", "south": "opq_south", "west": "opq_west"}

#: Outside the programs' range (measured 2026-12-04): value.
OUTSIDE: dict[str, str] = {
    # the horizontal beam DNI x cos(zenith) at each hour's sun position sums to 0.1 % above the file's own
    # GHI (1670.2 kWh/m2); the programs give 1663-1670
    "incident-horizontal": "1672.0 kWh/m2",
    "transmitted-600-south": "826.9 kWh/m2 (0.1 % above)",
    "transmitted-610-south": "668.6 kWh/m2 (0.5 % above)",
}


def _xfail(key: str):
    return [pytest.mark.xfail(strict=True, reason=f"{OUTSIDE[key]} outside the programs' range")] if key in OUTSIDE else []


def compute_solar_outputs(weather) -> tuple[dict, dict]:
    """Annual incident irradiation of case 600's opaque groups (orientation -> kWh/m2) and transmitted solar of
    each case's windows ((case, facade) -> kWh/m2 of glass), on the spec path's drivers."""
    from twin.energy import solar
    from twin.energy.spec import load_spec, zone_model

    incident, transmitted = {}, {}
    for case in ("600", "610", "620", "630"):
        spec = load_spec(DATA / f"bestest_{case}.yaml")
        _, drivers, _ = zone_model(spec, weather)
        annual = dict(zip(drivers.groups, drivers.irr_w_m2.sum(axis=1) / 1000.0))
        if case == "600":
            incident = {o: float(annual[g]) for o, g in OPAQUE_GROUP.items()}
        for k, w in enumerate(spec.windows):
            glazing = solar.Glazing(panes=w.panes, n=w.refractive_index, kl=w.pane_extinction_kl)
            tau0 = float(solar.glazing_transmittance(np.array([1.0]), glazing)[0])
            transmitted[(case, w.facade)] = tau0 * float(annual[f"win_{k}_{w.facade}"])
    return incident, transmitted


def solar_quantities(incident: dict, transmitted: dict) -> dict[str, tuple[float, tuple[float, float, float]]]:
    """Every quantity of Tables B8-11..B8-15: name -> (value, (min, max, mean) of the programs)."""
    out = {f"incident {o}": (incident[o], r) for o, r in INCIDENT.items()}
    out.update({f"transmitted {c} {f}": (transmitted[(c, f)], r) for (c, f), r in TRANSMITTED.items()})
    out.update({f"shading coefficient {s}/{u} {f}": (1.0 - transmitted[(s, f)] / transmitted[(u, f)], r) for (s, u, f), r in SHADING_COEFFICIENT.items()})
    out.update({f"transmissivity {c} {f}": (transmitted[(c, f)] / incident[f], r) for (c, f), r in TRANSMISSIVITY.items()})
    return out


@pytest.fixture(scope="module")
def solar_outputs():
    """:func:`compute_solar_outputs` on Denver TMY3."""
    from twin.ingest.epw import read_epw

    return compute_solar_outputs(read_epw(shared_path(*DENVER)))


@pytest.mark.parametrize("orientation", [pytest.param(o, marks=_xfail(f"incident-{o}"), id=o) for o in INCIDENT])
def test_incident_solar_inside_program_range(solar_outputs, orientation):
    lo, hi, _ = INCIDENT[orientation]
    value = solar_outputs[0][orientation]
    assert lo <= value <= hi, f"incident {orientation} {value:.1f} kWh/m2, programs {lo:g}..{hi:g}"


@pytest.mark.parametrize("case,facade", [pytest.param(c, f, marks=_xfail(f"transmitted-{c}-{f}"), id=f"{c}-{f}") for c, f in TRANSMITTED])
def test_transmitted_solar_inside_program_range(solar_outputs, case, facade):
    lo, hi, _ = TRANSMITTED[(case, facade)]
    value = solar_outputs[1][(case, facade)]
    assert lo <= value <= hi, f"transmitted {case} {facade} {value:.1f} kWh/m2, programs {lo:g}..{hi:g}"


@pytest.mark.parametrize("shaded,unshaded,facade", list(SHADING_COEFFICIENT))
def test_shading_coefficient_of_overhangs_and_fins_inside_program_range(solar_outputs, shaded, unshaded, facade):
    lo, hi, _ = SHADING_COEFFICIENT[(shaded, unshaded, facade)]
    t = solar_outputs[1]
    value = 1.0 - t[(shaded, facade)] / t[(unshaded, facade)]
    assert lo <= value <= hi, f"shading coefficient {shaded}/{unshaded} {value:.3f}, programs {lo:g}..{hi:g}"


@pytest.mark.parametrize("case,facade", list(TRANSMISSIVITY))
def test_window_transmissivity_inside_program_range(solar_outputs, case, facade):
    """Annual transmitted over incident: the glazing's angular model over the year, independent of the pane's normal value only
    through ``tau(0)``. With the older pane (0.86156, the specs before 2026-12-04) 600 South gives 0.651, above every program."""
    lo, hi, _ = TRANSMISSIVITY[(case, facade)]
    value = solar_outputs[1][(case, facade)] / solar_outputs[0][facade]
    assert lo <= value <= hi, f"transmissivity {case} {facade} {value:.3f}, programs {lo:g}..{hi:g}"


def test_stock_front_end_sees_the_same_solar(solar_outputs):
    """The stock's drivers (standard orientation groups, shaded groups for overhangs and fins, the windows'
    glazing: :func:`twin.energy.stock_iso52016.zone_from_spec`) give each window and wall the annual
    irradiation of the spec path, so the checks above hold for the city's path too."""
    from twin.energy import solar
    from twin.energy.spec import load_spec
    from twin.energy.stock_iso52016 import zone_from_spec
    from twin.ingest.epw import read_epw

    weather = read_epw(shared_path(*DENVER))
    incident, transmitted = solar_outputs
    for case in ("600", "610", "620", "630"):
        spec = load_spec(DATA / f"bestest_{case}.yaml")
        zone, drivers = zone_from_spec(spec, weather)
        annual = dict(zip(drivers.groups, drivers.irr_w_m2.sum(axis=1) / 1000.0))
        if case == "600":
            stock_groups = {"horizontal": "roof", "north": "opq_n", "east": "opq_e", "south": "opq_s", "west": "opq_w"}
            for orientation, group in stock_groups.items():
                assert annual[group] == pytest.approx(incident[orientation], rel=1e-12), orientation
        for w, zw in zip(spec.windows, zone.windows, strict=True):
            tau0 = float(solar.glazing_transmittance(np.array([1.0]), zw["glazing"])[0])
            assert tau0 * annual[zw["group"]] == pytest.approx(transmitted[(case, w.facade)], rel=1e-12), (case, w.facade)
        assert ("~" in zone.windows[0]["group"]) == (case in ("610", "630"))  # the shaded groups of the stock drivers
