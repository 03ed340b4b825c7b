"""The finer model's kernel is compiled once, whatever the memory layout of the caller's arrays.

``twin.energy.iso52016.run_kernel`` hands the kernel C-contiguous writeable arrays only: a read-only
view (``np.broadcast_to``, a cached driver) or a transposed one is another Numba type, and each such
type compiled the whole kernel again (about a minute of CPU on a cold cache). The results must be
the same bit for bit as with ordinary arrays.
"""

from __future__ import annotations

import numpy as np

from tests.test_energy_iso52016_kernel import _random_network, _synthetic_drivers, _with_convective_links
from twin.energy.iso52016 import modal_arrays, run_kernel, stack_buildings


def test_read_only_and_transposed_inputs_share_the_compiled_kernel():
    from twin.kernels.energy_iso52016 import simulate_iso52016

    rng = np.random.default_rng(7)
    n_h, n_g = 300, 3
    drv = _synthetic_drivers(rng, n_h, n_g)
    nets = [_with_convective_links(rng, _random_network(rng, n, n_g)) for n in (5, 9)]
    st = stack_buildings([modal_arrays(net) for net in nets])
    kw = {key: drv[key] for key in ("t_out_c", "irr_hg", "gain_schedule", "heat_setpoint_c", "cool_setpoint_c", "ve_schedule", "month")}
    common = {"h_ve_sched_w_k": np.array([net.h_ve_sched_w_k for net in nets]), "phi_h_max_w": np.inf, "phi_c_max_w": np.inf,
              "warmup_hours": 40, "hourly": True}
    plain = run_kernel(st, **kw, **common)
    n_sig = len(simulate_iso52016.signatures)

    def read_only(a):
        a = np.array(a)
        a.setflags(write=False)
        return a

    odd = {key: read_only(val) for key, val in kw.items()}
    odd["ve_schedule"] = np.broadcast_to(np.asarray(kw["ve_schedule"], float).ravel(), (n_h,))  # read-only view
    odd["irr_hg"] = np.asfortranarray(kw["irr_hg"])  # not C-contiguous
    st_odd = {key: read_only(val) for key, val in st.items()}
    st_odd["w_in"] = np.asfortranarray(st["w_in"])
    other = run_kernel(st_odd, **odd, **common)
    assert len(simulate_iso52016.signatures) == n_sig  # no second compilation
    for field in plain._fields:
        np.testing.assert_array_equal(getattr(other, field), getattr(plain, field), err_msg=field)
    assert np.ptp(plain.hourly_phi_hc_w) > 0.0  # the run heats or cools: the comparison is not of zeros
