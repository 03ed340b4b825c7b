"""twin.io.yaml_file.read_yaml_mapping: the one reader of YAML mappings (soil column spec,
ingest defaults file); every failure is an InputError naming the file."""

from __future__ import annotations

import pytest

from twin.errors import InputError
from twin.io.yaml_file import read_yaml_mapping


def test_reads_a_mapping(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("a: 1\nb: [2, 3]\n", encoding="utf-8")
    assert read_yaml_mapping(path, "spec") == {"a": 1, "b": [2, 3]}


@pytest.mark.parametrize(
    "text,message",
    [
        (None, "spec not found"),
        ("a: [1, 2\n", "not valid YAML"),
        ("- 1\n- 2\n", "must be a mapping"),
        ("!!python/object:os.system {}\n", "not valid YAML"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        (b"a: \xff\xfe\n", "not UTF-8"),
    ],
)
def test_errors_name_the_file(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        read_yaml_mapping(path, "spec")
    assert "bad.yaml" in str(err.value)


def test_column_spec_and_defaults_use_it(tmp_path):
    from twin.ingest.defaults import load_defaults
    from twin.soil.column import load_column_spec

    path = tmp_path / "list.yaml"
    path.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="column spec must be a mapping"):
        load_column_spec(path)
    with pytest.raises(InputError, match="defaults file must be a mapping"):
        load_defaults(path)


def test_a_folder_or_a_pipe_is_refused_before_reading(tmp_path):
    import os

    with pytest.raises(InputError, match="folder"):
        read_yaml_mapping(tmp_path, "spec")
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)  # opening it would block until a writer comes: refused without opening
    with pytest.raises(InputError, match="not a regular file"):
        read_yaml_mapping(fifo, "spec")
