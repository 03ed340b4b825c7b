"""twin.scene.limits.BOUND_NAMES, the one list of the bounds that it and twin.ingest.limits export."""

from __future__ import annotations


def test_bound_names_are_every_bound_of_the_scene_limits():
    from twin.scene import limits

    assert set(limits.BOUND_NAMES) == {n for n in vars(limits) if n.startswith(("MAX_", "MIN_"))}
    assert len(limits.BOUND_NAMES) == len(set(limits.BOUND_NAMES))


def test_ingest_limits_reexports_the_same_bounds():
    from twin.ingest import limits as ingest_limits
    from twin.scene import limits

    assert set(limits.BOUND_NAMES) <= set(ingest_limits.__all__) and set(limits.BOUND_NAMES) <= set(limits.__all__)
    assert all(getattr(ingest_limits, n) == getattr(limits, n) for n in ingest_limits.__all__ if n in limits.BOUND_NAMES)
    assert all(callable(getattr(ingest_limits, n)) for n in ingest_limits.__all__ if n not in limits.BOUND_NAMES)
