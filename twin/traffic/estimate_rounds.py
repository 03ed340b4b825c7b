"""The bound of OD estimation's rounds (``twin traffic estimate-od --rounds``), with its check.

Standard library only: the command line checks ``--rounds`` before it looks at its files and
before it imports the engine (NumPy, pandas: up to a second); :mod:`twin.traffic.counts` keeps
both names.
"""

from __future__ import annotations

from numbers import Integral

#: The most assignment / estimation rounds of :func:`twin.traffic.counts.estimate_od` (``twin
#: traffic estimate-od --rounds``): round ``k`` moves the matrix by ``1/k`` of the way to its new
#: solution, so round 50 moves it by 2 % at most, and the held-back fit of SiouxFalls was stable
#: from 4 rounds on (docs/traffic.md); every round is one equilibrium assignment and one
#: select-link analysis.
MAX_OUTER_ROUNDS = 50


def check_outer(outer: object, *, field: str = "outer") -> int:
    """``outer`` if it is a whole number in [1, :data:`MAX_OUTER_ROUNDS`]; else an InputError
    naming ``field`` (``--rounds`` on the command line)."""
    from twin.errors import InputError

    if not (isinstance(outer, Integral) and not isinstance(outer, bool) and 1 <= outer <= MAX_OUTER_ROUNDS):
        raise InputError(f"must be a whole number of rounds in [1, {MAX_OUTER_ROUNDS}], got {outer} (round k moves the matrix "
                         f"by 1/k of the way: round {MAX_OUTER_ROUNDS} by 2 % at most)", field=field)
    return int(outer)


__all__ = ["MAX_OUTER_ROUNDS", "check_outer"]
