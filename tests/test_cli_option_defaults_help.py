"""The help of an option whose value defaults to something when left out says what (cli3).

``twin traffic assign --help`` showed ``--max-iter`` as "Iteration limit" and no default,
though each algorithm has its own; ``twin solar cadastre --max-sensors`` gave no hint that none
means no cap. Each help is compared with the default the code applies.
"""

from __future__ import annotations

import typer

from twin.cli.main import app


def _help(*path: str) -> str:
    command = typer.main.get_command(app)
    *names, option = path
    for name in names:
        command = command.commands[name]
    (param,) = [p for p in command.params if option in p.opts]
    return param.help or ""


def test_max_iter_help_names_the_default_of_each_algorithm():
    from twin.traffic.assign import DEFAULT_MAX_ITER

    assert DEFAULT_MAX_ITER == {"fw": 10000, "cfw": 10000, "bfw": 10000, "b": 1000}  # the help below says so
    assert "default: 1000 for b, 10000 for fw, cfw and bfw" in _help("traffic", "assign", "--max-iter")


def test_max_sensors_help_says_no_cap():
    from twin.solar.cadastre import CadastreOptions

    assert CadastreOptions().max_sensors_per_surface is None
    assert "default: no cap" in _help("solar", "cadastre", "--max-sensors")


def test_mobility_categories_help_lists_the_default_categories():
    from twin.traffic.indicators import DEFAULT_CATEGORIES

    assert f"(default: {', '.join(DEFAULT_CATEGORIES)})" in _help("traffic", "mobility", "--categories")


def test_sigma_rel_help_gives_the_packaged_noise():
    from twin.calibration.parameters import load_calibration_priors

    relative = load_calibration_priors()[2]["relative"]
    assert f"default: noise.relative of the priors ({relative:g})" in _help("calibrate", "--sigma-rel")


def test_duration_and_turns_interval_help_say_what_applies_when_left_out():
    assert "default: a scenario folder's, else the end of the last departure window + 1 h" in _help("traffic", "simulate", "--duration")
    assert "default: one interval, the whole run" in _help("traffic", "simulate", "--turns-interval")


def test_cost_weights_help_says_where_the_default_comes_from(tmp_path):
    from twin.traffic.tntp import read_cost_weights

    assert read_cost_weights(tmp_path) == (0.0, 0.0)  # no README beside the network: 0, as the help says
    for command in ("assign", "skims"):
        for option in ("--toll-factor", "--distance-factor"):
            assert "(default: the weight in the README.md or SOURCE.md beside --net, else 0)" in _help("traffic", command, option)
