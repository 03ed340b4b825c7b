"""The AMPds2 posterior on the training year with the packaged and the widened ``h_tr_factor`` support.

Fits the twin (posterior of :mod:`twin.calibration.posterior`, 384 proposals, seed 0) to the
training year only (2012-04-01 to 2013-03-31) at switch-overs 5 and 6 C, with the lower bound of
``h_tr_factor`` at the packaged 0.25 and at ``AMPDS2_H_TR_LOW`` (0.05), and prints the effective
sample size and the 5/50/95 % of the parameters as the Markdown table of docs/calibration.md
(session p12c). No test-year figure is computed::

    .venv/bin/python scripts/calibration_ampds2_support_p12c.py
"""

from __future__ import annotations

import os
import time
import warnings


def main() -> int:
    from twin.calibration.validation import AMPDS2_H_TR_LOW, ampds2_priors, fit_twin, setup
    from twin.errors import TwinWarning

    warnings.simplefilter("ignore", TwinWarning)
    c0 = time.process_time()
    ex = setup()
    wide = ex.priors
    from twin.calibration.parameters import load_calibration_priors, sigma_prior

    pk, _, _ = load_calibration_priors()
    packaged = pk.with_parameter(sigma_prior())
    assert ampds2_priors(packaged).priors == wide.priors
    print("| `T_sw`, C | support low | ESS | mode search converged | `h_tr_factor` 5 / 50 / 95 % | `air_change_factor` 5 / 50 / 95 % "
          "| setpoint 50 %, C | sigma_rel 50 % |")
    print("|---|---|---|---|---|---|---|---|")
    for low, priors in ((0.25, packaged), (AMPDS2_H_TR_LOW, wide)):
        ex.priors = priors
        for t_sw in (5.0, 6.0):
            post = fit_twin(ex, t_sw, ex.train)
            q = post.param_q[:, 0, :]
            k = {n: i for i, n in enumerate(post.names)}

            def trio(name, q=q, k=k):
                return " / ".join(f"{q[j, k[name]]:.3g}" for j in range(3))

            print(f"| {t_sw:g} | {low:g} | {post.ess[0]:.1f} | {'yes' if post.converged[0] else 'no'} | {trio('h_tr_factor')} | "
                  f"{trio('air_change_factor')} | {q[1, k['heating_setpoint_c']]:.1f} | {q[1, k['sigma_rel']]:.2f} |")
    print(f"\n{time.process_time() - c0:.0f} s CPU, load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
