"""Volume-delay functions, their integrals (Beckmann objective) and derivatives, per link.

Codes: 0 = BPR (Bureau of Public Roads 1964)::

    t(v) = t0 * (1 + alpha * (v / c) ** beta)

1 = conical (Spiess 1990, Transportation Science 24(2) 153-158), with ``x = v / c``::

    t(v) = t0 * (2 + sqrt(alpha^2 (1 - x)^2 + beta_c^2) - alpha (1 - x) - beta_c),
    beta_c = (2 alpha - 1) / (2 alpha - 2)

(the ``beta`` array is ignored for conical links).

2, 3, 4 = signal stop-line delay of one approach of a pretimed, isolated signal (Highway
Capacity Manual 2000, chapter 16, Eq. 16-11 and 16-12, kept in HCM 2010 chapter 18: Webster's
uniform delay and the Akcelik (1980) / Kimber & Hollis (1979) time-dependent incremental delay,
with ``k = 0.5`` (pretimed), ``I = 1`` (isolated), no progression factor), on a zero-length "stop-line" link whose time unit the code
names (2: seconds, 3: minutes, 4: hours; ``H`` units per hour: 3600, 60, 1)::

    d(v) = d1 + d2,   X = v / c
    d1 = t0 / (1 - g min(X, 1))              uniform delay, t0 = d1(0) = C (1 - g)^2 / 2
    d2 = T / 4 [(X - 1) + sqrt((X - 1)^2 + 4 X / (c T / H))]   incremental (random + overflow)

with the slots ``t0`` = uniform delay at zero flow, ``c`` = approach capacity ``s g / C``
(veh/h), ``alpha`` = analysis period ``T`` (time unit of the code), ``beta`` = effective green
ratio ``g = g_eff / C`` in (0, 1]. ``d`` is continuous, non-decreasing and finite at every flow
(above capacity ``d2`` grows like ``T / 2 (X - 1)``: the mean overflow queue of a period of
length ``T``), so a static user equilibrium with it is well posed; its integral (the Beckmann
term) is closed-form. ``d1`` has a kink at ``X = 1`` (HCM caps ``X`` at 1 in ``d1``).

5, 6, 7 = give-way (priority junction) control delay of a yielding approach (Highway Capacity
Manual 2010, chapter 19, Eq. 19-64; HCM 2000 chapter 17, Eq. 17-38, two-way stop control), on a
zero-length "give-way line" link whose time unit the code names (5: seconds, 6: minutes,
7: hours; ``H`` units per hour)::

    d(v) = t0 + beta min(X, 1) + T / 4 [(X - 1) + sqrt((X - 1)^2 + 8 X / (c T / H))],   X = v / c
    t0   = 3600 / c + 5 s,  beta = 0         two-way stop control (Eq. 19-64)
    t0   = 3600 / c,        beta = 5 s       roundabout entry (HCM 2010 chapter 21, Eq. 21-17)

i.e. HCM's ``3600/c + 900 T [(x-1) + sqrt((x-1)^2 + (3600/c) x / (450 T))] + 5`` (two-way stop;
``... + 5 min(x, 1)`` at a roundabout entry) with ``T`` in hours, written in the code's unit.
The slots: ``t0`` = delay at zero flow (in the code's unit), ``c`` = capacity of the approach
(veh/h, fixed within one assignment: it depends on the conflicting flow of the previous one,
see :mod:`twin.traffic.priority`), ``alpha`` = analysis period ``T`` (unit of the code),
``beta`` = the coefficient of ``min(X, 1)`` (>= 0, the code's unit; 0 gives Eq. 19-64). The two
forms differ by 5 s at zero flow (``5 (1 - min(x, 1))`` s in general): not negligible beside a
roundabout entry's ``3600 / c`` of 3.2 s at 1,130 veh/h, hence the ``beta`` slot. The
incremental term has ``8 X / (c T)`` where the signal's has ``4 X / (c T)`` (the signal's
``8 k I`` with ``k = 0.5``, ``I = 1``); its integral is closed-form in the same way, and that of
``beta min(X, 1)`` is ``beta c X^2 / 2`` up to ``X = 1``, ``beta c (X - 1/2)`` beyond.

A link's generalized cost adds the
flow-independent ``fixed`` term (toll, distance). ``alpha == 0`` or ``beta == 0`` on a BPR link
gives a constant time ``t0 * (1 + alpha * [beta == 0])``, whatever the capacity.
Times are in the unit of ``t0``; flows in the unit of ``c``.
"""

from __future__ import annotations

import math

from twin.kernels.config import jit

SIGNAL_UNITS_PER_HOUR = (3600.0, 60.0, 1.0)
"""Time units per hour of the signal codes 2, 3, 4 (seconds, minutes, hours)."""
GIVE_WAY_FIRST_CODE = 5
"""First give-way code: 5, 6, 7 are the give-way delay in seconds, minutes, hours."""


@jit
def _signal_root(x, m):
    # sqrt((x - 1)^2 + m x)
    return math.sqrt((x - 1.0) * (x - 1.0) + m * x)


@jit
def _incremental(x, m):
    # the incremental-delay bracket (x - 1) + sqrt((x - 1)^2 + m x), without cancellation below x = 1
    r = _signal_root(x, m)
    if x < 1.0:
        return m * x / (r + (1.0 - x))
    return (x - 1.0) + r


@jit
def _incremental_slope(x, m):
    # d bracket / d x
    return 1.0 + ((x - 1.0) + 0.5 * m) / _signal_root(x, m)


@jit
def _incremental_integral(x, m):
    # integral of the bracket from 0 to x: (u - 1)^2 + m u = (u - a)^2 + q with a = 1 - m / 2,
    # q = m - m^2 / 4; for q < 0 (m > 4), a < -1
    a = 1.0 - 0.5 * m
    q = m - 0.25 * m * m
    return 0.5 * x * x - x + _root_antiderivative(x - a, q) - _root_antiderivative(-a, q)


@jit
def signal_delay(v, t0, c, period, g, code):
    """Stop-line delay (uniform + incremental) of a signal approach at flow ``v``."""
    x = v / c if v > 0.0 else 0.0
    d1 = 0.0
    if t0 > 0.0:
        d1 = t0 / (1.0 - g * min(x, 1.0))
    m = 4.0 * SIGNAL_UNITS_PER_HOUR[code - 2] / (c * period)
    return d1 + 0.25 * period * _incremental(x, m)


@jit
def signal_delay_derivative(v, t0, c, period, g, code):
    """d delay / d v of a signal approach at flow ``v`` (right derivative at ``X = 1``)."""
    x = v / c if v > 0.0 else 0.0
    d1 = 0.0
    if t0 > 0.0 and x < 1.0:
        den = 1.0 - g * x
        d1 = t0 * g / (den * den)
    m = 4.0 * SIGNAL_UNITS_PER_HOUR[code - 2] / (c * period)
    return (d1 + 0.25 * period * _incremental_slope(x, m)) / c


@jit
def _root_antiderivative(w, q):
    # integral of sqrt(w^2 + q) dw, for any sign of q (w > 0 when q < 0, see signal_integral)
    r = math.sqrt(w * w + q)
    if q > 0.0:
        return 0.5 * w * r + 0.5 * q * math.asinh(w / math.sqrt(q))
    if q == 0.0:
        return 0.5 * w * abs(w)
    return 0.5 * w * r + 0.5 * q * math.log(w + r)


@jit
def signal_integral(v, t0, c, period, g, code):
    """Integral of the signal delay from 0 to ``v`` (its Beckmann term)."""
    x = v / c if v > 0.0 else 0.0
    total = 0.0
    if t0 > 0.0:
        xs = min(x, 1.0)
        total = -t0 * c * math.log1p(-g * xs) / g
        if x > 1.0:
            total += t0 / (1.0 - g) * c * (x - 1.0)
    m = 4.0 * SIGNAL_UNITS_PER_HOUR[code - 2] / (c * period)
    return total + 0.25 * period * c * _incremental_integral(x, m)


@jit
def give_way_delay(v, t0, c, period, k, code):
    """Control delay of a yielding approach at flow ``v`` (HCM 2010 Eq. 19-64, ``k = 0``;
    Eq. 21-17 of a roundabout entry, ``k = 5 s``; codes 5-7)."""
    x = v / c if v > 0.0 else 0.0
    m = 8.0 * SIGNAL_UNITS_PER_HOUR[code - GIVE_WAY_FIRST_CODE] / (c * period)
    return t0 + k * min(x, 1.0) + 0.25 * period * _incremental(x, m)


@jit
def give_way_delay_derivative(v, t0, c, period, k, code):
    """d delay / d v of a yielding approach at flow ``v`` (right derivative at ``X = 1``)."""
    x = v / c if v > 0.0 else 0.0
    m = 8.0 * SIGNAL_UNITS_PER_HOUR[code - GIVE_WAY_FIRST_CODE] / (c * period)
    d = 0.25 * period * _incremental_slope(x, m) / c
    if x < 1.0:
        d += k / c
    return d


@jit
def give_way_integral(v, t0, c, period, k, code):
    """Integral of the give-way delay from 0 to ``v`` (its Beckmann term)."""
    x = v / c if v > 0.0 else 0.0
    m = 8.0 * SIGNAL_UNITS_PER_HOUR[code - GIVE_WAY_FIRST_CODE] / (c * period)
    ramp = 0.5 * x * x if x <= 1.0 else x - 0.5
    return t0 * c * x + k * c * ramp + 0.25 * period * c * _incremental_integral(x, m)


@jit
def vdf_time(v, t0, c, alpha, beta, code):
    """Travel time on one link at flow ``v``."""
    if code >= GIVE_WAY_FIRST_CODE:
        return give_way_delay(v, t0, c, alpha, beta, code)
    if code >= 2:
        return signal_delay(v, t0, c, alpha, beta, code)
    if code == 1:
        x = v / c
        bc = (2.0 * alpha - 1.0) / (2.0 * alpha - 2.0)
        u = alpha * (1.0 - x)
        return t0 * (2.0 + math.sqrt(u * u + bc * bc) - u - bc)
    if alpha == 0.0:
        return t0
    if beta == 0.0:
        return t0 * (1.0 + alpha)
    if v <= 0.0:
        return t0
    return t0 * (1.0 + alpha * (v / c) ** beta)


@jit
def vdf_derivative(v, t0, c, alpha, beta, code):
    """d t / d v on one link at flow ``v``."""
    if code >= GIVE_WAY_FIRST_CODE:
        return give_way_delay_derivative(v, t0, c, alpha, beta, code)
    if code >= 2:
        return signal_delay_derivative(v, t0, c, alpha, beta, code)
    if code == 1:
        x = v / c
        bc = (2.0 * alpha - 1.0) / (2.0 * alpha - 2.0)
        u = alpha * (1.0 - x)
        return t0 / c * (alpha - alpha * u / math.sqrt(u * u + bc * bc))
    if alpha == 0.0 or beta == 0.0 or v <= 0.0:
        if beta == 1.0 and alpha != 0.0:
            return t0 * alpha / c
        return 0.0
    return t0 * alpha * beta / c * (v / c) ** (beta - 1.0)


@jit
def _asinh_antiderivative(u, b):
    # integral of sqrt(s^2 + b^2) ds
    r = math.sqrt(u * u + b * b)
    return 0.5 * u * r + 0.5 * b * b * math.asinh(u / b)


@jit
def vdf_integral(v, t0, c, alpha, beta, code):
    """Integral of the travel time from 0 to ``v`` on one link (its Beckmann term)."""
    if code >= GIVE_WAY_FIRST_CODE:
        return give_way_integral(v, t0, c, alpha, beta, code)
    if code >= 2:
        return signal_integral(v, t0, c, alpha, beta, code)
    if code == 1:
        x = v / c
        bc = (2.0 * alpha - 1.0) / (2.0 * alpha - 2.0)
        root_part = -(_asinh_antiderivative(alpha * (1.0 - x), bc) - _asinh_antiderivative(alpha, bc)) / alpha
        return t0 * c * ((2.0 - bc) * x - alpha * (x - 0.5 * x * x) + root_part)
    if alpha == 0.0:
        return t0 * v
    if beta == 0.0:
        return t0 * (1.0 + alpha) * v
    if v <= 0.0:
        return t0 * v
    return t0 * (v + alpha * c / (beta + 1.0) * (v / c) ** (beta + 1.0))


@jit
def link_costs(flow, t0, cap, alpha, beta, code, fixed, out):
    """Generalized cost per link, ``vdf_time + fixed``, written into ``out``."""
    for a in range(flow.shape[0]):
        out[a] = vdf_time(flow[a], t0[a], cap[a], alpha[a], beta[a], code[a]) + fixed[a]


@jit
def link_derivatives(flow, t0, cap, alpha, beta, code, out):
    """d cost / d flow per link, written into ``out``."""
    for a in range(flow.shape[0]):
        out[a] = vdf_derivative(flow[a], t0[a], cap[a], alpha[a], beta[a], code[a])


@jit
def beckmann_objective(flow, t0, cap, alpha, beta, code, fixed):
    """Beckmann objective: sum over links of ``integral_0^v t + fixed * v``."""
    total = 0.0
    for a in range(flow.shape[0]):
        total += vdf_integral(flow[a], t0[a], cap[a], alpha[a], beta[a], code[a]) + fixed[a] * flow[a]
    return total


@jit
def total_cost(flow, cost):
    """Sum of flow x cost (total system travel cost)."""
    total = 0.0
    for a in range(flow.shape[0]):
        total += flow[a] * cost[a]
    return total
