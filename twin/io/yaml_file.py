"""Reading a YAML file that must hold a mapping, with errors that name the file."""

from __future__ import annotations

from pathlib import Path

from twin.errors import InputError

#: Size limit of a YAML input (a spec or a defaults table), bytes: far above any real one.
MAX_YAML_BYTES = 16 * 1024**2


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
        The file is missing, unreadable, not a regular file, larger than
        :data:`MAX_YAML_BYTES`, not valid UTF-8 YAML, nested too deeply, or does not hold a
        mapping; the error names the file.
    """
    import yaml

    from twin.io.paths import check_input_file

    path = check_input_file(path, max_bytes=MAX_YAML_BYTES, what=what)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", path=path) from None
    except RecursionError:
        raise InputError("YAML nested too deeply to be read", path=path) from None
    except yaml.YAMLError as exc:
        raise InputError("not valid YAML: " + " ".join(str(exc).split()), path=path) from None
    if not isinstance(data, dict):
        raise InputError(f"a {what} must be a mapping of keys", path=path)
    return data
