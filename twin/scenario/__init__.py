"""Scenarios: a baseline and what-ifs on one scene, run across engines and compared.

* :mod:`twin.scenario.schema`: the YAML schema (pydantic), loading and JSON Schema export;
* :mod:`twin.scenario.modifications`: what-if operations on a scene copy;
* :mod:`twin.scenario.runner`: baseline + what-ifs -> KPIs and deltas;
* :mod:`twin.scenario.store`: the run store (SQLite);
* :mod:`twin.scenario.batch`: many scenarios on Dask;
* :mod:`twin.scenario.report`: self-contained HTML report.
"""

from twin.scenario.schema import Scenario, load_scenario

__all__ = ["Scenario", "load_scenario"]
