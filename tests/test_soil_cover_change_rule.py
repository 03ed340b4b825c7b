"""One rule for "did a what-if change the ground cover": the hot-days surface temperature and
the 3-D block decide alike.

Before, ``twin.scenario.engines.soil_heat._changes_cover`` compared the per-cell cover fractions
with ``np.allclose(..., atol=1e-9)`` (numpy's default ``rtol=1e-5`` on top), while
``twin.soil.block_bands.changed_region`` used ``atol=1e-9, rtol=0``: cells whose sealed share
moved by 1e-6 (0.8 to 0.799999; lawn 0.2 to 0.200001, within 1e-5 x 0.2) had no
surface-temperature KPIs (no change) but got a 3-D block (a change). Cover fractions are absolute shares of a cell in [0, 1], so the
absolute tolerance alone is the rule (:func:`twin.soil.block_bands.changed_cells`), used by both.
"""

from __future__ import annotations

from types import SimpleNamespace

from tests.soil_block_scenes import car_park_with_square_grid


def _heat_says_changed(base, what, monkeypatch) -> bool:
    """Whether the hot-days step (``soil_heat._heat``) takes ``what`` as a what-if that changes
    the ground cover: it then hands its grid to ``deseal_heat`` (recorded here, not run)."""
    import twin.scenario.engines.soil_heat as H
    import twin.soil.deseal_heat as D

    base_scene, what_scene = SimpleNamespace(weather="weather"), SimpleNamespace()
    grids = {id(base_scene): base, id(what_scene): what}
    handed: list[dict] = []
    monkeypatch.setattr(H, "ground_grid", lambda scene, options, grid=None: grids[id(scene)])
    monkeypatch.setattr(H, "cover_unchanged", lambda scene, options: False)
    monkeypatch.setattr(H, "forget_unchanged", lambda scene, options: None)
    monkeypatch.setattr(D, "deseal_heat", lambda b, g, weather, **kw: handed.append(g))
    H._heat(base_scene, {"w": what_scene}, None, 0, 0)
    return bool(handed) and "w" in handed[0]


def test_a_tiny_cover_change_is_a_change_for_both(monkeypatch) -> None:
    from twin.soil.block_bands import changed_region

    base = car_park_with_square_grid(0.8)
    tiny = car_park_with_square_grid(0.8 - 1e-6)  # 1e-6 of the square's cells sealed no more: 0.25 cm2 of each 25 m2 cell
    assert _heat_says_changed(base, tiny, monkeypatch)
    assert not _heat_says_changed(base, car_park_with_square_grid(0.8), monkeypatch)
    assert changed_region(base, tiny, 0.0) == (20.0, 20.0, 40.0, 40.0)


def test_the_rule_is_an_absolute_tolerance_on_every_cover() -> None:
    from twin.soil.block_bands import changed_cells
    from twin.soil.deseal_heat import COVER_ATOL

    base = car_park_with_square_grid(0.8)
    assert not changed_cells(base, car_park_with_square_grid(0.8)).any()  # the same grid: no change
    assert not changed_cells(base, car_park_with_square_grid(0.8 - COVER_ATOL / 10)).any()  # below the tolerance: rounding
    mask = changed_cells(base, car_park_with_square_grid(0.8 - 1e-6))
    assert mask.shape == (base.shape[0] * base.shape[1],) and mask.sum() == 16  # the square's 4 x 4 cells at 5 m
    for sealed in (0.0, 0.3, 1.0):  # the same absolute step counts wherever the share starts
        assert changed_cells(car_park_with_square_grid(sealed + (1e-6 if sealed < 1 else 0)),
                             car_park_with_square_grid(sealed - (1e-6 if sealed > 0 else 0))).sum() == 16


def test_the_surface_temperature_model_takes_the_same_rule(monkeypatch) -> None:
    """``deseal_heat`` itself (its no-effect refusal) decides by the same rule: the tiny change
    reaches the model (stopped here at its first step after the checks), the unchanged grid is refused."""
    import pytest

    import twin.soil.deseal_heat as D
    from twin.errors import NoEffectError

    class Reached(Exception):
        pass

    def stop(*args, **kwargs):
        raise Reached

    monkeypatch.setattr(D, "hottest_days", stop)
    base = car_park_with_square_grid(0.8)
    with pytest.raises(Reached):
        D.deseal_heat(base, {"w": car_park_with_square_grid(0.8 - 1e-6)}, None)
    with pytest.raises(NoEffectError):
        D.deseal_heat(base, {"w": car_park_with_square_grid(0.8)}, None)
