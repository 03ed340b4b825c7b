"""Root water uptake: the Feddes et al. (1978) stress response, scalar Numba functions.

The sink at a node is ``S(h, z) = alpha(h) b(z) Tp`` (1/s): ``Tp`` the potential transpiration
(m/s), ``b`` the normalised root density (1/m, ``sum V_i b_i = 1`` over the nodes of a column)
and ``alpha`` the water stress response of Feddes, Kowalik & Zaradny (1978), as in HYDRUS-1D:

=================  ======================================================
head ``h``         ``alpha``
=================  ======================================================
``h > h1``         0 (too wet: oxygen deficiency)
``h1 >= h > h2``   ``(h1 - h) / (h1 - h2)``
``h2 >= h >= h3``  1
``h3 > h > h4``    ``(h - h4) / (h3 - h4)``
``h <= h4``        0 (wilting)
=================  ======================================================

``h3`` depends on the demand: ``h3h`` when ``Tp >= r2h``, ``h3l`` when ``Tp <= r2l`` and linear
in ``Tp`` in between (Feddes et al. 1978; Wesseling et al. 1991). One parameter row
(:data:`N_FEDDES`) per vegetation: ``h1, h2, h3h, h3l, h4`` (m, ``0 >= h1 >= h2 >= h3h >= h3l >
h4`` is checked on the Python side) and ``r2h, r2l`` (m/s).

Nothing here imports from ``twin``.

References
----------
Feddes, R.A., Kowalik, P.J. & Zaradny, H. (1978), Simulation of field water use and crop yield,
Simulation Monographs, Pudoc, Wageningen.
Wesseling, J.G., Elbers, J.A., Kabat, P. & van den Broek, B.J. (1991), SWATRE: instructions for
input, Winand Staring Centre, Wageningen (the grass parameters of the HYDRUS-1D database).
Simunek, J. et al. (2013), HYDRUS-1D manual, version 4.17, section 2.3 (root water uptake).
"""

from __future__ import annotations

from twin.kernels.config import jit

FD_H1 = 0
FD_H2 = 1
FD_H3H = 2
FD_H3L = 3
FD_H4 = 4
FD_R2H = 5
FD_R2L = 6
N_FEDDES = 7


@jit(inline="always")
def feddes_h3(tp: float, fed) -> float:
    """``h3`` (m) at the potential transpiration rate ``tp`` (m/s)."""
    r2h = fed[FD_R2H]
    r2l = fed[FD_R2L]
    if tp >= r2h:
        return fed[FD_H3H]
    if tp <= r2l:
        return fed[FD_H3L]
    return fed[FD_H3H] + (fed[FD_H3L] - fed[FD_H3H]) * (r2h - tp) / (r2h - r2l)


@jit(inline="always")
def feddes_alpha(h: float, h3: float, fed) -> float:
    """The stress response ``alpha(h)`` in [0, 1] with the demand-dependent ``h3`` given."""
    h1 = fed[FD_H1]
    h2 = fed[FD_H2]
    h4 = fed[FD_H4]
    if h > h1 or h <= h4:
        return 0.0
    if h > h2:
        return (h1 - h) / (h1 - h2)
    if h >= h3:
        return 1.0
    return (h - h4) / (h3 - h4)
