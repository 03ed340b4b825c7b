"""Volume-delay functions, their integrals (Beckmann objective) and derivatives, per link.

Codes: 0 = BPR (Bureau of Public Roads 1964)::

    t(v) = t0 * (1 + alpha * (v / c) ** beta)

1 = conical (Spiess 1990, Transportation Science 24(2) 153-158), with ``x = v / c``::

    t(v) = t0 * (2 + sqrt(alpha^2 (1 - x)^2 + beta_c^2) - alpha (1 - x) - beta_c),
    beta_c = (2 alpha - 1) / (2 alpha - 2)

(the ``beta`` array is ignored for conical links). A link's generalized cost adds the
flow-independent ``fixed`` term (toll, distance). ``alpha == 0`` or ``beta == 0`` on a BPR link
gives a constant time ``t0 * (1 + alpha * [beta == 0])``, whatever the capacity.
Times are in the unit of ``t0``; flows in the unit of ``c``.
"""

from __future__ import annotations

import math

from twin.kernels.config import jit


@jit
def vdf_time(v, t0, c, alpha, beta, code):
    """Travel time on one link at flow ``v``."""
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
