"""Helpers shared by the traffic tests: the TNTP cases of the shared reference data."""

from __future__ import annotations

from tests.conftest import shared_path
from twin.traffic.network import Network
from twin.traffic.tntp import Demand, read_network, read_trips


def tntp_case(name: str) -> tuple[Network, Demand]:
    """Network and demand of the TNTP case ``name`` (``SiouxFalls``, ``ChicagoSketch``, ``Anaheim``...).

    Read from ``shared/data/traffic/tntp/<name>/<name>_net.tntp`` and ``<name>_trips.tntp``
    through the readers users run (:func:`~twin.traffic.tntp.read_network`,
    :func:`~twin.traffic.tntp.read_trips`); :func:`tests.conftest.shared_path` skips the test
    locally and fails it under ``CI=true`` when the data are absent.
    """
    folder = shared_path("traffic", "tntp", name)
    net = read_network(folder / f"{name}_net.tntp")
    return net, read_trips(folder / f"{name}_trips.tntp", n_zones=net.n_zones)
