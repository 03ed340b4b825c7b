"""Reading a YAML file that must hold a mapping, with errors that name the file."""

from __future__ import annotations

from pathlib import Path

from twin.errors import InputError


def read_yaml_mapping(path: str | Path, what: str) -> dict:
    """Load ``path`` with ``yaml.safe_load`` and return the mapping it holds.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    what : str
        What the file is, for the messages (e.g. ``"column spec"``).

    Raises
    ------
    InputError
        The file is missing or unreadable, is not valid YAML, or does not hold a mapping;
        the error names the file.
    """
    import yaml

    path = Path(path)
    if not path.exists():
        raise InputError(f"{what} not found", path=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", path=path) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=path) from None
    if not isinstance(data, dict):
        raise InputError(f"a {what} must be a mapping of keys", path=path)
    return data
