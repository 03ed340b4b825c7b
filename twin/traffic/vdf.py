"""Delay functions evaluated on a whole :class:`~twin.traffic.network.Network`.

Thin wrappers over :mod:`twin.kernels.traffic_vdf` (BPR and conical times, their integrals and
derivatives) for callers that hold a network and a flow vector.
"""

from __future__ import annotations

import numpy as np

from twin.errors import InputError
from twin.traffic.network import Network


def _flow(net: Network, flow: np.ndarray) -> np.ndarray:
    flow = np.ascontiguousarray(flow, dtype=np.float64)
    if flow.shape != (net.n_links,):
        raise InputError(f"flow needs {net.n_links} values, got shape {flow.shape}", field="flow")
    return flow


def _params(net: Network) -> tuple[np.ndarray, ...]:
    return (
        np.ascontiguousarray(net.free_flow_time, dtype=np.float64),
        np.ascontiguousarray(net.capacity, dtype=np.float64),
        np.ascontiguousarray(net.alpha, dtype=np.float64),
        np.ascontiguousarray(net.beta, dtype=np.float64),
        np.ascontiguousarray(net.vdf, dtype=np.int64),
    )


def link_times(net: Network, flow: np.ndarray) -> np.ndarray:
    """Delay-function travel time per link at ``flow`` (``net.time_unit``)."""
    from twin.kernels.traffic_vdf import link_costs

    out = np.empty(net.n_links)
    link_costs(_flow(net, flow), *_params(net), np.zeros(net.n_links), out)
    return out


def link_costs(net: Network, flow: np.ndarray) -> np.ndarray:
    """Generalized cost per link at ``flow``: time + ``fixed_cost``."""
    from twin.kernels.traffic_vdf import link_costs as kernel

    out = np.empty(net.n_links)
    kernel(_flow(net, flow), *_params(net), np.ascontiguousarray(net.fixed_cost, dtype=np.float64), out)
    return out


def link_derivatives(net: Network, flow: np.ndarray) -> np.ndarray:
    """d time / d flow per link at ``flow``."""
    from twin.kernels.traffic_vdf import link_derivatives as kernel

    out = np.empty(net.n_links)
    kernel(_flow(net, flow), *_params(net), out)
    return out


def beckmann(net: Network, flow: np.ndarray) -> float:
    """Beckmann objective ``sum_a integral_0^{x_a} t_a + fixed_a x_a``."""
    from twin.kernels.traffic_vdf import beckmann_objective

    return float(beckmann_objective(_flow(net, flow), *_params(net), np.ascontiguousarray(net.fixed_cost, dtype=np.float64)))
