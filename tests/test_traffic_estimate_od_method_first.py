"""``estimate_od(method=...)`` checks the method before any work.

An unknown method was refused only after the prior's equilibrium assignment (minutes on a city
network, for a typo). Now it is the first check: with the assignment replaced by one that fails,
the error is still the method's.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.errors import InputError


def test_unknown_method_is_refused_before_the_assignment(monkeypatch) -> None:
    import importlib

    from twin.traffic.counts import Counts, estimate_od
    from twin.traffic.network import Network

    net = Network.build(node_ids=np.array([1, 2]), link_ids=np.array([1]), from_node=[0], to_node=[1], free_flow_time=np.ones(1), capacity=np.ones(1) * 100.0,
                        length=np.ones(1), n_zones=2)  # fmt: skip
    counts = Counts([np.array([0])], np.array([10.0]), ["1"], "am", "car")

    def no_assignment(*args, **kwargs):
        raise AssertionError("assigned before the method was checked")

    monkeypatch.setattr(importlib.import_module("twin.traffic.assign"), "assign", no_assignment)  # the module (twin.traffic.assign is also the function)
    with pytest.raises(InputError, match="unknown method 'zonl'") as err:
        estimate_od(net, np.array([[0.0, 10.0], [0.0, 0.0]]), counts, method="zonl")
    assert err.value.field == "method"
