"""Reading a YAML file that must hold a mapping, with errors that name the file."""

from __future__ import annotations

from pathlib import Path

from twin.errors import InputError

#: Size limit of a YAML input (a spec or a defaults table), bytes: far above any real one.
MAX_YAML_BYTES = 16 * 1024**2


def unique_key_loader() -> type:
    """A safe YAML loader that refuses a mapping key given twice (``yaml.safe_load`` keeps the
    last value without a word), naming the key and its line."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    twice = key in seen
                except TypeError:  # an unhashable key: the safe constructor names it
                    continue
                if twice:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} is given twice (the second would replace the first)", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def read_yaml_mapping(path: str | Path, what: str) -> dict:
    """Load ``path`` with a safe loader (:func:`unique_key_loader`) and return the mapping it holds.

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
        :data:`MAX_YAML_BYTES`, not valid UTF-8 YAML, gives a key twice, nested too deeply, or does not hold a
        mapping; the error names the file.
    """
    import yaml

    from twin.io.paths import check_input_file

    path = check_input_file(path, max_bytes=MAX_YAML_BYTES, what=what)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=unique_key_loader())  # a safe loader
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
