"""Domestic hot water need by use: litres per person per day at a temperature rise.

Opt-in: ``twin energy run --dhw by_use``, :func:`using_dhw_model` around a run, or the factor
``dhw_by_use`` = 1 (``factors={"dhw_by_use": 1}`` of :func:`twin.energy.results.energy_accounts`);
the default stays TABULA's ``q_w_nd`` per m2 (``typology``).

.. math:: Q_{w} = \\rho c_p \\, V_{p,d} \\, \\frac{A_f}{a_p} \\, \\Delta\\theta \\, d

with ``rho c_p`` = 1.163 Wh/(l K) (water), ``V_p,d`` litres per person and day of the use at the
delivery temperature (:data:`USE_TABLE`), ``a_p`` floor area per person (m2), ``Delta theta`` =
``dhw_t_hot_c - dhw_t_cold_c`` and ``d`` = 365 days; the method (volume x temperature rise x
water heat capacity) is the one of EN 12831-3:2017 and of EN 15316-3-1:2007 (which it supersedes). Litres and floor area
per person are rows of the table below, each with its source.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from twin.errors import InputError
from twin.option_names import DHW_MODELS  # the hot-water need models (there for the command line, kept here)

_ACTIVE_MODEL: ContextVar[str | None] = ContextVar("twin_dhw_model", default=None)

#: Volumetric heat capacity of water, Wh/(l K) (4.186 kJ/(kg K) x 1 kg/l / 3.6).
RHO_CP_WH_LK = 4.186 / 3.6
DAYS_PER_YEAR = 365.0

#: use -> (litres per person per day at the hot temperature, floor area per person m2, source).
USE_TABLE: dict[str, tuple[float, float, str]] = {
    "residential": (40.0, 40.0, "40 l/person/day at 60 C: consistent with the Ecodesign reference tapping profile M "
                    "(Commission Regulation (EU) 814/2013, load profile M: 5.845 kWh/day = 100 l at 60 C from 10 C) for a household "
                    "of 2.5 persons; 40 m2/person: assumption (Belgian households of about 2.3 persons, Statbel)"),
    "office": (8.8, 12.0, "8 l/person/day heated from 10 to 65 C (Vabi Elements DHW defaults, support.vabi.nl 'Domestic Hot "
               "Water') = 8.8 l at 60 C (same energy: x 55/50); 12 m2/person: assumption"),
    "school": (6.6, 8.0, "6 l/person/day at 65 C (Vabi Elements) = 6.6 l at 60 C; 8 m2/person: assumption"),
    "retail": (11.0, 20.0, "10 l/person/day at 65 C (Vabi Elements, shop) = 11 l at 60 C; 20 m2/person: assumption"),
    "hotel": (150.7, 40.0, "137 l/person/day at 65 C (Vabi Elements) = 150.7 l at 60 C; 40 m2/person (guests and staff): assumption"),
}


def dhw_need_by_use_kwh(a_f_m2, use, *, t_hot_c: float = 60.0, t_cold_c: float = 10.0, table=None) -> np.ndarray:
    """Yearly hot-water need per building, kWh (see the module docstring).

    Parameters
    ----------
    a_f_m2
        Heated floor area per building (n,), m2.
    use
        Use per building (n,) (keys of :data:`USE_TABLE`; str broadcast).
    t_hot_c, t_cold_c
        Delivery and cold-water temperatures, degC (``t_hot_c > t_cold_c``).
    table
        Replaces :data:`USE_TABLE`.

    Raises
    ------
    InputError
        Unknown use, non-finite temperature or floor area.
    """
    tab = USE_TABLE if table is None else table
    a_f = np.asarray(a_f_m2, dtype=float)
    uses = np.broadcast_to(np.asarray(use).astype(str), a_f.shape)
    if not (np.isfinite(t_hot_c) and np.isfinite(t_cold_c) and t_hot_c > t_cold_c):
        raise InputError(f"hot-water temperatures {t_hot_c} / {t_cold_c} C: need finite, hot > cold", field="dhw_t_hot_c")
    unknown = sorted({str(u) for u in np.unique(uses)} - set(tab))
    if unknown:
        raise InputError(f"no hot-water use {unknown[0]!r}; known: {', '.join(tab)}", obj=unknown[0], field="use")
    litres = np.array([tab[u][0] for u in uses.ravel()]).reshape(a_f.shape)
    area_pp = np.array([tab[u][1] for u in uses.ravel()]).reshape(a_f.shape)
    persons = a_f / area_pp
    return RHO_CP_WH_LK * litres * persons * (t_hot_c - t_cold_c) * DAYS_PER_YEAR / 1000.0


def check_dhw_model(name: str) -> str:
    """``name`` if it is one of :data:`DHW_MODELS`, else :class:`InputError` (field ``--dhw``)."""
    if name not in DHW_MODELS:
        raise InputError(f"unknown hot-water model {name!r}; one of {', '.join(DHW_MODELS)}", field="--dhw")
    return name


@contextmanager
def using_dhw_model(name: str | None) -> Iterator[None]:
    """Within the block the accounts use the hot-water model ``name`` (None: the factor table's)."""
    token = _ACTIVE_MODEL.set(None if name is None else check_dhw_model(name))
    try:
        yield
    finally:
        _ACTIVE_MODEL.reset(token)


def active_dhw_model() -> str | None:
    """The hot-water model set by :func:`using_dhw_model`, or None."""
    return _ACTIVE_MODEL.get()


__all__ = ["DHW_MODELS", "RHO_CP_WH_LK", "USE_TABLE", "active_dhw_model", "check_dhw_model", "dhw_need_by_use_kwh", "using_dhw_model"]
