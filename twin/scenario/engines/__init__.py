"""Engine adapters for the scenario runner: ``run(scene, options, *, base_dir) -> EngineResult``."""
