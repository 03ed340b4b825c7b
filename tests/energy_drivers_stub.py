"""The little of the weather drivers that the energy accounts read, for tests of the accounts.

:func:`twin.energy.results.account_arrays` and ``energy_accounts`` read the roof irradiance (the
flat PV yield), the outdoor temperature and the month of each hour (the heat pumps' monthly COP).
"""

from __future__ import annotations

import numpy as np


class FlatDrivers:
    """24 hours, two per month, 100 W/m2 on the roof (2.4 kWh/m2 on the horizontal) and 5 degC outdoors."""

    groups = ("roof",)
    irr_w_m2 = np.full((1, 24), 100.0)
    t_out_c = np.full(24, 5.0)
    n_hours = 24

    def month_index(self) -> np.ndarray:
        """The month (0-11) of each hour."""
        return np.repeat(np.arange(12), 2)
