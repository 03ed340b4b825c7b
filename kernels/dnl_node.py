"""The general first-order node model of Tampère et al. (2011), for merges, diverges and crossings.

Given, for one node and one time step, the sending flow ``S_i`` of each incoming link, the
turning fractions ``f_ij`` (``sum_j f_ij = 1``), a priority ``C_i`` of each incoming link (its
capacity) and the receiving flow ``R_j`` of each outgoing link, the model finds the turning
flows ``q_ij`` that satisfy

* conservation and non-negativity, with ``q_ij <= S_i f_ij``;
* supply constraints ``sum_i q_ij <= R_j``;
* FIFO at the incoming link: a link held back by one outgoing link is held back for all of
  its turns (``q_ij = q_i f_ij``);
* maximisation of the node flow with the supply-constraint interaction rule: competing links
  share a constrained outgoing link in proportion to their oriented capacities ``C_i f_ij``
  (with the invariance principle: a demand-constrained link passes its whole demand).

Reference: C. M. J. Tampère, R. Corthout, D. Cattrysse, L. H. Immers (2011), "A generic class of
first order node models for dynamic macroscopic simulation of traffic flows", Transportation
Research Part B 45(1), 289-309, algorithm of section 4.2. For a one-in one-out node it reduces
to ``min(S, R)``; for a diverge to Daganzo's FIFO diverge; for a merge to the capacity-
proportional merge (Daganzo 1995, Jin & Zhang 2003).
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit


@jit
def general_node_model(sending: np.ndarray, priority: np.ndarray, turn: np.ndarray, receiving: np.ndarray, flow: np.ndarray) -> None:
    """Turning flows of one node for one time step.

    Parameters
    ----------
    sending : float64 (n_in)
        Sending flow (demand) of each incoming link this step, vehicles.
    priority : float64 (n_in)
        Priority of each incoming link, usually its capacity (> 0 where ``sending > 0``).
    turn : float64 (n_in, n_out)
        Turning fractions; each row with ``sending > 0`` sums to 1.
    receiving : float64 (n_out)
        Receiving flow (supply) of each outgoing link, vehicles; ``inf`` for a sink.
    flow : float64 (n_in, n_out), output
        Turning flows, vehicles (overwritten).
    """
    n_in = sending.shape[0]
    n_out = receiving.shape[0]
    flow[:, :] = 0.0
    active = np.zeros(n_in, dtype=np.bool_)
    for i in range(n_in):
        active[i] = sending[i] > 0.0
    r_left = receiving.copy()
    out_open = np.zeros(n_out, dtype=np.bool_)
    for j in range(n_out):
        for i in range(n_in):
            if active[i] and turn[i, j] > 0.0:
                out_open[j] = True
                break
    a = np.empty(n_out)
    while True:
        # most restrictive outgoing link: smallest reduction factor a_j
        j_star = -1
        a_star = np.inf
        for j in range(n_out):
            if not out_open[j]:
                continue
            c_sum = 0.0
            for i in range(n_in):
                if active[i]:
                    c_sum += priority[i] * turn[i, j]
            if c_sum <= 0.0:
                out_open[j] = False
                continue
            r = r_left[j] if r_left[j] > 0.0 else 0.0
            a[j] = r / c_sum
            if j_star < 0 or a[j] < a_star:
                a_star = a[j]
                j_star = j
        if j_star < 0:
            break
        # links competing for j_star whose whole demand fits in their share: demand constrained
        any_demand = False
        for i in range(n_in):
            if active[i] and turn[i, j_star] > 0.0 and sending[i] <= a_star * priority[i]:
                any_demand = True
                for j in range(n_out):
                    q = sending[i] * turn[i, j]
                    flow[i, j] = q
                    r_left[j] -= q
                active[i] = False
        if not any_demand:
            # all of them are held back by j_star, in proportion to their priority
            for i in range(n_in):
                if active[i] and turn[i, j_star] > 0.0:
                    q_i = a_star * priority[i]
                    for j in range(n_out):
                        q = q_i * turn[i, j]
                        flow[i, j] = q
                        r_left[j] -= q
                    active[i] = False
            out_open[j_star] = False
        # outgoing links nobody competes for any more are closed
        for j in range(n_out):
            if out_open[j]:
                still = False
                for i in range(n_in):
                    if active[i] and turn[i, j] > 0.0:
                        still = True
                        break
                out_open[j] = still
