"""When the traffic kernels run on one thread: calls too small for threads to pay off.

The parallel kernels (:func:`twin.kernels.traffic_aon.aon_assign`,
:func:`twin.kernels.traffic_bush.bush_init`, :func:`twin.kernels.traffic_skims.tree_skims`,
:func:`twin.kernels.transit_csa.csa_travel_times`) split their origins over Numba's threads. On a district of about a hundred zones and 1,500
links (Saint-Gilles) one call takes about 4 ms of one core; with two threads the same call took
twice the CPU time and twice the wall time (8.3 ms CPU and 20-28 ms wall against 4.0-4.7 ms CPU
and 11-14 ms wall on one thread; shortest-path skims of the walk and car networks and the
initial bushes, measured at load average 8 on two cores): starting and joining the threads
and their waiting cost more than the split saves. :func:`kernel_threads` runs such calls on one
thread.

The results are the same on one thread: these kernels deal out origins (or chunks of origins,
the all-or-nothing loading) that are computed independently and summed in a fixed order,
whatever the number of threads running them. The all-or-nothing chunks depend on the problem
alone (:data:`twin.traffic.assign.AON_CHUNKS` from :data:`THREADS_MIN_WORK`, one chunk below):
the link flows are the same to the last bit on any machine and any ``TWIN_NUMBA_THREADS``
(tests/test_traffic_thread_independent.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

#: Work (origins x links) of one kernel call from which its origins are run on Numba's threads
#: (and the all-or-nothing loading is split into chunks, :data:`twin.traffic.assign.PARALLEL_MIN_WORK`);
#: below, on the calling thread alone (about 25 ms of one core at this size; Saint-Gilles'
#: calls are 150,000-200,000).
THREADS_MIN_WORK = 1_000_000

#: The same for the public-transport skims (:func:`twin.kernels.transit_csa.csa_travel_times`),
#: in origins x departures x connections: Saint-Gilles' 5.3 million (113 zones and edges, 12
#: departures, 4,069 connections) took 8.1-8.2 ms of CPU on one thread and 12.1-12.9 ms on two
#: (the wall time the same, 82-96 ms at load 8); from about 25 ms of one core on the threads.
CSA_THREADS_MIN_WORK = 16_000_000


@contextmanager
def kernel_threads(work: float, min_work: float | None = None) -> Iterator[None]:
    """Run the parallel kernels called inside on one thread when ``work`` (origins x links of
    the call) is below ``min_work`` (default :data:`THREADS_MIN_WORK`); else on Numba's threads
    as set. The thread count is set and restored by :func:`twin.kernels.config.one_thread`, where
    Numba's options live."""
    import numba

    from twin.kernels.config import one_thread

    if numba.get_num_threads() <= 1 or work >= (THREADS_MIN_WORK if min_work is None else min_work):
        yield
        return
    with one_thread():
        yield
