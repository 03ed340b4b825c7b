"""Calibration of the building stock to measured consumption, and live sync with meters.

* :mod:`twin.calibration.meters`: the tidy meter format, reading and documented cleaning.
* :mod:`twin.calibration.parameters`: the calibration parameters and their priors.
* :mod:`twin.calibration.forward`: meter readings as a function of the parameters (the 5R1C
  kernel per meter period).
* :mod:`twin.calibration.posterior`: per-building posterior (Laplace + importance sampling).
* :mod:`twin.calibration.group`: group calibration to aggregates (a district's total, the EPB
  certificate class distribution).
* :mod:`twin.calibration.writeback`: calibrated parameters into the scene (source ``calibrated``).
* :mod:`twin.calibration.sync`: the ensemble Kalman filter over the RC state and parameters,
  fed one day of readings at a time, and forecasts with a band.
* :mod:`twin.calibration.baseline`: the degree-day change-point baseline (PRISM / ASHRAE).
* :mod:`twin.calibration.metrics`: ASHRAE Guideline 14 NMBE and CV(RMSE), interval coverage.

Heavy modules are imported on first use.
"""
