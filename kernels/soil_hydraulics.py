"""Soil water retention and hydraulic conductivity: scalar Numba functions.

One material is one row of a float64 parameter table (``params[k]``, length :data:`N_PARAM`);
column 0 names the model. Every length is in metres, every time in seconds; the pressure head
``h`` is in metres of water, negative when unsaturated.

=====  ==================  ==========================================================================
model  name                row layout (after ``[model, theta_r, theta_s]``)
=====  ==================  ==========================================================================
0      van Genuchten-      ``alpha_per_m, n, ks_m_s, l`` (Mualem pore connectivity, usually 0.5),
       Mualem              ``h_e_m`` (air-entry head, <= 0; 0 = the original model) at ``p[7]``, and
                           the derived ``S_c``, ``D`` at ``p[9]``, ``p[10]`` (see below)
1      Brooks-Corey        ``h_b_m`` (air-entry head, > 0), ``lambda``, ``ks_m_s``, ``l`` (Kr exponent
                           ``l + 2 + 2/lambda``; ``l = 1`` gives Brooks & Corey's ``(2 + 3 lambda)/lambda``)
2      Haverkamp           ``alpha_m_beta, beta, ks_m_s, a_m_gamma, gamma`` (h in metres)
3      Gardner             ``alpha_per_m``, -, ``ks_m_s``: ``K = Ks exp(alpha h)`` (Gardner 1958) with the
       exponential         retention ``Se = exp(alpha h)`` that goes with it in the closed-form solutions
                           (Philip 1969; Srivastava & Yeh 1991); never tabulated
=====  ==================  ==========================================================================

Air entry (Vogel, van Genuchten & Cislerova 2001; Ippisch, Vogel & Bastian 2006): with
``h_e < 0`` the van Genuchten-Mualem curves are saturated above ``h_e`` and rescaled below it,
``Se = (1 + (alpha |h|)^n)^-m / S_c`` and
``Kr = Se^l [(1 - (1 - (Se S_c)^(1/m))^m) / D]^2`` with ``S_c = (1 + (alpha |h_e|)^n)^-m`` and
``D = 1 - (1 - S_c^(1/m))^m``. Without it, ``K`` of fine soils (``n`` well below 2) drops by
half within micrometres of saturation, which is unphysical and stalls any solver (HYDRUS-1D
offers the same option with ``h_e = -2 cm``).

Every function takes ``(h, p)`` with ``p`` one row of the table and is usable inside other
kernels. :func:`hydraulic_state` returns water content, capacity and conductivity together
(sharing the transcendental functions).

Lookup tables (as in HYDRUS-1D, which tabulates the hydraulic functions too): the analytic
van Genuchten and Haverkamp functions cost about seven transcendental calls per node and
iteration. The table is indexed by the IEEE-754 bits of the suction ``a = -h`` (m): the biased
exponent and the top :data:`TABLE_BITS` mantissa bits pick a segment (``2**TABLE_BITS``
segments per octave, a piecewise-uniform grid in ``ln a`` of relative width at most
``2**-TABLE_BITS``), and the remaining mantissa bits give the position ``f`` in [0, 1) within
it, which is linear in ``a``. No ``log`` is needed to find the segment, and no ``exp`` to
evaluate it. :func:`build_tables` stores per segment the power-form coefficients of the cubic
Hermite interpolants in ``f`` of theta and of K through the exact values and exact slopes at
both ends; :func:`material_state_at` evaluates them (two cubics and one derivative), and falls
back to the analytic form outside the table (``|h|`` below ``2**TABLE_E_LO`` or at least
``2**TABLE_E_HI`` m), next to an air-entry kink, or when ``p[8] == 0``. Both interpolants are
C1 in ``h`` (values and slopes match at the segment ends), and the capacity returned is the
exact derivative of the interpolated theta, so theta and its capacity stay consistent and mass
is conserved exactly as with the analytic form. Errors for the default 32 segments per octave
(see the tests): below 1e-8 in theta, 1e-5 relative in K (where K > 1e-15 m/s) and 1e-4
relative in the capacity. Brooks-Corey (a kink at the air-entry head) is never tabulated.

References
----------
van Genuchten, M.Th. (1980), SSSAJ 44:892-898. Mualem, Y. (1976), WRR 12(3):513-522.
Brooks, R.H. & Corey, A.T. (1964), Hydrology Paper 3, Colorado State University.
Haverkamp, R. et al. (1977), SSSAJ 41:285-294.
Gardner, W.R. (1958), Some steady-state solutions of the unsaturated moisture flow equation with
application to evaporation from a water table, Soil Sci. 85(4):228-232.
Vogel, T., van Genuchten, M.Th. & Cislerova, M. (2001), Adv. Water Resour. 24:133-144.
Ippisch, O., Vogel, H.-J. & Bastian, P. (2006), Adv. Water Resour. 29:1780-1789.
"""

from __future__ import annotations

import math

import numpy as np

from twin.kernels.config import jit

N_PARAM = 11
"""Length of one parameter row; ``p[8] = 1`` asks for table lookup (see :func:`build_tables`)."""

TABLE_BITS = 5
"""Mantissa bits of the suction that index the table: ``2**TABLE_BITS`` segments per octave."""
TABLE_E_LO = -20
TABLE_E_HI = 20
"""The table covers suctions ``2**TABLE_E_LO <= -h < 2**TABLE_E_HI`` m (about 1e-6 to 1e6 m)."""
TABLE_SHIFT = 52 - TABLE_BITS
TABLE_KEY0 = (1023 + TABLE_E_LO) << TABLE_BITS
"""``bits(-h) >> TABLE_SHIFT`` of the first segment (biased exponent and top mantissa bits)."""
TABLE_N_SEG = (TABLE_E_HI - TABLE_E_LO) << TABLE_BITS
TABLE_N_COEF = 8
"""Coefficients per segment: theta ``c0 + f (c1 + f (c2 + f c3))``, then K likewise."""
_FRAC_MASK = (1 << TABLE_SHIFT) - 1
_FRAC_SCALE = 1.0 / (1 << TABLE_SHIFT)


VAN_GENUCHTEN = 0
BROOKS_COREY = 1
HAVERKAMP = 2
GARDNER = 3

# column indices shared by all models
P_MODEL = 0
P_THETA_R = 1
P_THETA_S = 2
P_KS = 5


@jit
def hydraulic_state(h: float, p) -> tuple[float, float, float]:
    """Water content, specific moisture capacity and conductivity at head ``h``.

    Parameters
    ----------
    h
        Pressure head, m (negative when unsaturated).
    p
        One parameter row (see the module docstring).

    Returns
    -------
    theta : float
        Volumetric water content, m3/m3.
    capacity : float
        ``d theta / d h``, 1/m (0 at and above saturation).
    k : float
        Hydraulic conductivity, m/s.
    """
    model = int(p[0])
    theta_r = p[1]
    theta_s = p[2]
    dtheta = theta_s - theta_r
    if h >= 0.0 or (model == 0 and h >= p[7]):
        return theta_s, 0.0, p[5]
    a = -h
    if model == 0:
        alpha = p[3]
        n = p[4]
        ks = p[5]
        l_exp = p[6]
        sc = p[9]  # 1 without air entry
        dd = p[10]
        m = 1.0 - 1.0 / n
        log_ah = math.log(alpha * a)
        u = math.exp(n * log_ah)  # (alpha |h|)^n
        log1pu = math.log1p(u)
        se0 = math.exp(-m * log1pu)  # (1 + u)^-m
        se = se0 / sc
        theta = theta_r + dtheta * se
        capacity = dtheta * n * m * (u / a) * se / (1.0 + u)
        # 1 - (1 - se0^(1/m))^m with se0^(1/m) = 1/(1+u): (u/(1+u))^m = exp(-m log1p(1/u))
        one_minus = (-math.expm1(-m * math.log1p(1.0 / u)) if u > 0.0 else 1.0) / dd
        k = ks * math.exp(l_exp * math.log(se)) * one_minus * one_minus if se > 0.0 else 0.0
        return theta, capacity, k
    if model == 1:
        hb = p[3]
        lam = p[4]
        ks = p[5]
        l_exp = p[6]
        if a <= hb:
            return theta_s, 0.0, ks
        se = math.exp(lam * math.log(hb / a))
        theta = theta_r + dtheta * se
        capacity = dtheta * lam * se / a
        k = ks * math.exp((l_exp + 2.0 + 2.0 / lam) * math.log(se))
        return theta, capacity, k
    if model == 3:
        se = math.exp(p[3] * h)
        return theta_r + dtheta * se, dtheta * p[3] * se, p[5] * se
    # Haverkamp
    alpha = p[3]
    beta = p[4]
    ks = p[5]
    big_a = p[6]
    gamma = p[7]
    ab = math.exp(beta * math.log(a))  # |h|^beta
    denom = alpha + ab
    theta = theta_r + alpha * dtheta / denom
    capacity = alpha * dtheta * beta * (ab / a) / (denom * denom)
    k = ks * big_a / (big_a + math.exp(gamma * math.log(a)))
    return theta, capacity, k


@jit
def water_content(h: float, p) -> float:
    """Volumetric water content theta(h), m3/m3 (see :func:`hydraulic_state`)."""
    return hydraulic_state(h, p)[0]


@jit
def moisture_capacity(h: float, p) -> float:
    """Specific moisture capacity d theta/d h, 1/m (see :func:`hydraulic_state`)."""
    return hydraulic_state(h, p)[1]


@jit
def conductivity(h: float, p) -> float:
    """Hydraulic conductivity K(h), m/s (see :func:`hydraulic_state`)."""
    return hydraulic_state(h, p)[2]


@jit
def saturation_head(p) -> float:
    """The head (m) above which the material is saturated: the air-entry head of van Genuchten
    (0 without one), ``-h_b`` of Brooks-Corey, 0 for Haverkamp."""
    model = int(p[0])
    if model == 0:
        return p[7]
    if model == 1:
        return -p[3]
    return 0.0


@jit
def head_from_theta(theta: float, p) -> float:
    """Inverse retention: the head (m) at which the water content is ``theta``.

    Returns the saturation head (:func:`saturation_head`) at or above saturation and ``-1e10``
    at or below residual content.
    """
    model = int(p[0])
    theta_r = p[1]
    theta_s = p[2]
    if theta >= theta_s:
        return saturation_head(p)
    if theta <= theta_r:
        return -1.0e10
    se = (theta - theta_r) / (theta_s - theta_r)
    if model == 0:
        se = se * p[9]
        alpha = p[3]
        n = p[4]
        m = 1.0 - 1.0 / n
        return -math.exp(math.log(math.expm1(-math.log(se) / m)) / n) / alpha
    if model == 1:
        return -p[3] * math.exp(-math.log(se) / p[4])
    if model == 3:
        return math.log(se) / p[3]
    alpha = p[3]
    beta = p[4]
    return -math.exp(math.log(alpha * (1.0 - se) / se) / beta)


@jit
def _analytic_log_derivatives(h: float, p) -> tuple[float, float, float, float]:
    """theta, d theta/d x, ln K and d ln K/d x at ``h < 0`` with ``x = ln(-h)`` (vG or Haverkamp)."""
    model = int(p[0])
    theta, capacity, k = hydraulic_state(h, p)
    dtheta_dx = capacity * h  # d theta/dx = C dh/dx and dh/dx = h
    if model == 0:
        n = p[4]
        m = 1.0 - 1.0 / n
        l_exp = p[6]
        u = math.exp(n * math.log(p[3] * (-h)))
        w = u / (1.0 + u)
        wm = math.exp(-m * math.log1p(1.0 / u))
        dlnk = -l_exp * m * n * w - 2.0 * m * n * wm * (1.0 - w) / (-math.expm1(-m * math.log1p(1.0 / u)))
    else:
        gamma = p[7]
        eg = math.exp(gamma * math.log(-h))
        dlnk = -gamma * eg / (p[6] + eg)
    return theta, dtheta_dx, math.log(k), dlnk


@jit
def segment_bounds(s: int) -> tuple[float, float]:
    """Suction (m) at the start of table segment ``s`` and the segment's width (m)."""
    key = TABLE_KEY0 + s
    e = (key >> TABLE_BITS) - 1023
    m = key & ((1 << TABLE_BITS) - 1)
    w = 2.0 ** (e - TABLE_BITS)
    return 2.0**e + m * w, w


@jit
def build_tables(mat_params, tables) -> None:
    """Fill ``tables[k, s, :]`` with the Hermite coefficients of theta and K on segment ``s``.

    On segment ``s`` (suction ``a`` from ``a0`` to ``a0 + w``, :func:`segment_bounds`) and
    ``f = (a - a0) / w``, theta is ``c0 + f (c1 + f (c2 + f c3))`` with
    ``c0 = theta(a0)``, ``c1 = w theta'(a0)``, ``c2 = 3 (theta1 - theta0) - 2 c1 - w theta'(a1)``,
    ``c3 = 2 (theta0 - theta1) + c1 + w theta'(a1)`` (the cubic Hermite interpolant through the
    exact values and slopes at both ends), and K is ``tables[k, s, 4:8]`` likewise.

    Parameters
    ----------
    mat_params : (n_mat, N_PARAM) parameter rows; rows with ``p[8] == 0`` or the Brooks-Corey
        model are left untouched.
    tables : (n_mat, TABLE_N_SEG, TABLE_N_COEF) output.
    """
    for k in range(mat_params.shape[0]):
        p = mat_params[k]
        if p[8] == 0.0 or int(p[0]) == BROOKS_COREY or int(p[0]) == GARDNER:
            continue
        for s in range(TABLE_N_SEG):
            a0, w = segment_bounds(s)
            a1 = a0 + w
            t0, dt0, lk0, dlk0 = _analytic_log_derivatives(-a0, p)
            t1, dt1, lk1, dlk1 = _analytic_log_derivatives(-a1, p)
            # slopes per unit f: d/df = w d/da = (w / a) d/d(ln a)
            m0 = dt0 * w / a0
            m1 = dt1 * w / a1
            k0 = math.exp(lk0)
            k1 = math.exp(lk1)
            n0 = k0 * dlk0 * w / a0
            n1 = k1 * dlk1 * w / a1
            row = tables[k, s]
            row[0] = t0
            row[1] = m0
            row[2] = 3.0 * (t1 - t0) - 2.0 * m0 - m1
            row[3] = 2.0 * (t0 - t1) + m0 + m1
            row[4] = k0
            row[5] = n0
            row[6] = 3.0 * (k1 - k0) - 2.0 * n0 - n1
            row[7] = 2.0 * (k0 - k1) + n0 + n1


@jit(inline="always")
def material_state_at(h: float, mat_params, tables, k: int) -> tuple[float, float, float]:
    """Like :func:`hydraulic_state` for material row ``k``, from its table ``tables[k]``
    (n_mat, TABLE_N_SEG, TABLE_N_COEF) when ``mat_params[k, 8] != 0`` (see :func:`build_tables`
    and the module docstring); analytic otherwise.

    It indexes the whole arrays instead of taking row views, and is inlined into its caller
    (Numba IR inlining): in the solver's inner loop a row view, or any array passed to a Numba
    function that is not inlined, costs an atomic reference-count increment and decrement per
    call, which took longer than the table lookup itself.
    """
    if mat_params[k, 8] == 0.0 or h >= 0.0:
        return hydraulic_state(h, mat_params[k])
    if int(mat_params[k, 0]) == 0 and mat_params[k, 7] < 0.0 and h > 1.05 * mat_params[k, 7]:
        return hydraulic_state(h, mat_params[k])  # the cells next to the air-entry kink are not interpolated
    bits = np.float64(-h).view(np.int64)
    s = (bits >> TABLE_SHIFT) - TABLE_KEY0
    if s < 0 or s >= TABLE_N_SEG:
        return hydraulic_state(h, mat_params[k])
    f = (bits & _FRAC_MASK) * _FRAC_SCALE
    inv_w = np.int64((2046 + TABLE_BITS - (bits >> 52)) << 52).view(np.float64)
    c0 = tables[k, s, 0]
    c1 = tables[k, s, 1]
    c2 = tables[k, s, 2]
    c3 = tables[k, s, 3]
    theta = c0 + f * (c1 + f * (c2 + f * c3))
    dtheta_df = c1 + f * (2.0 * c2 + 3.0 * f * c3)
    k_h = tables[k, s, 4] + f * (tables[k, s, 5] + f * (tables[k, s, 6] + f * tables[k, s, 7]))
    return theta, -dtheta_df * inv_w, k_h
