"""load_bundle_config: one clear error line for every malformed bundle or config.json."""

from __future__ import annotations

import json
import os
import pathlib
import time

import pytest

from pyrunc.errors import ConfigError, PyruncError
from pyrunc.spec.load import MAX_CONFIG_BYTES, load_bundle_config
from pyrunc.spec.validate import validate_config

GOOD = {"ociVersion": "1.0.2-dev", "root": {"path": "rootfs"}, "process": {"cwd": "/", "args": ["true"]}}


def bundle_with(tmp_path: pathlib.Path, content: bytes) -> str:
    (tmp_path / "config.json").write_bytes(content)
    return str(tmp_path)


def error_of(bundle: str) -> str:
    with pytest.raises(PyruncError) as info:
        load_bundle_config(bundle)
    text = str(info.value)
    assert "\n" not in text and "Traceback" not in text
    assert text.startswith(f'bundle "{bundle}"')
    return text


def test_good_bundle(tmp_path: pathlib.Path) -> None:
    assert load_bundle_config(bundle_with(tmp_path, json.dumps(GOOD).encode())) == GOOD


def test_bom_is_tolerated(tmp_path: pathlib.Path) -> None:
    assert load_bundle_config(bundle_with(tmp_path, b"\xef\xbb\xbf" + json.dumps(GOOD).encode())) == GOOD


def test_missing_bundle(tmp_path: pathlib.Path) -> None:
    assert error_of(str(tmp_path / "nope")).endswith("no such directory")


def test_bundle_is_a_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "file"
    path.write_text("{}")
    assert error_of(str(path)).endswith("not a directory")


def test_missing_config(tmp_path: pathlib.Path) -> None:
    assert error_of(str(tmp_path)).endswith("config.json: no such file")


def test_config_is_a_directory(tmp_path: pathlib.Path) -> None:
    (tmp_path / "config.json").mkdir()
    assert "config.json: is a directory" in error_of(str(tmp_path))


def test_config_is_a_fifo_does_not_hang(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / "config.json")
    start = time.monotonic()
    assert error_of(str(tmp_path)).endswith("config.json: not a regular file")
    assert time.monotonic() - start < 5


def test_config_that_cannot_be_opened(tmp_path: pathlib.Path) -> None:
    (tmp_path / "config.json").symlink_to("config.json")  # a loop: open fails with ELOOP
    assert error_of(str(tmp_path)).endswith("config.json: cannot open: too many levels of symbolic links")


def test_dangling_symlink_config(tmp_path: pathlib.Path) -> None:
    (tmp_path / "config.json").symlink_to("elsewhere.json")
    assert error_of(str(tmp_path)).endswith("config.json: no such file")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty file"),
        (b"  \n\t", "empty file"),
        (
            b'{"ociVersion": "1.0.2", "process": {"cwd": "/"',
            "invalid JSON: the document ends too early (truncated?) at line 1",
        ),
        (b'{"ociVersion": "1.0.2",\n "root": }', "invalid JSON"),
        (b'{"a": 1} {"b": 2}', "extra data"),
        (b'{"ociVersion": "1.0.2",', "ends too early (truncated?) at line 1 column 24"),
        (b'{"ociVersion"', "ends too early"),
        (b"{", "ends too early"),
        (b'{"a": 1, }', "expecting property name enclosed in double quotes at line 1 column 10"),
        (b'{"a": NaN}', "invalid JSON"),
        (b'{"a": "\xff"}', "invalid UTF-8 at byte 7"),
        (b"\xfe\xff\x00{", "invalid UTF-8"),
        (b"[1, 2]", "the top level must be a JSON object, not an array"),
        (b'"x"', "not a string"),
        (b"null", "not null"),
        (b"42", "not a number"),
        (b"[" * 100_000 + b"]" * 100_000, "nesting too deep"),
        (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nesting too deep"),
    ],
    ids=[
        "empty",
        "blank",
        "truncated",
        "bad-value",
        "two-documents",
        "truncated-after-comma",
        "truncated-after-key",
        "lone-brace",
        "trailing-comma",
        "nan",
        "bad-utf8",
        "utf16",
        "array",
        "string",
        "null",
        "number",
        "deep-arrays",
        "deep-objects",
    ],
)
def test_malformed_config(tmp_path: pathlib.Path, content: bytes, words: str) -> None:
    text = error_of(bundle_with(tmp_path, content))
    assert "config.json: " in text and words in text, text


def test_file_over_the_cap_is_refused_without_reading_it(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "config.json"
    with open(path, "wb") as f:
        f.truncate(MAX_CONFIG_BYTES + 1)  # sparse: cheap to make, would be slow to parse
    assert "config.json: too large" in error_of(str(tmp_path))


def test_ten_megabyte_config_gives_a_clear_result(tmp_path: pathlib.Path) -> None:
    cfg = dict(GOOD, annotations={f"org.example.k{i}": "v" * 1000 for i in range(10_000)})
    content = json.dumps(cfg).encode()
    assert len(content) > 10_000_000
    start = time.monotonic()
    loaded = load_bundle_config(bundle_with(tmp_path, content))
    validate_config(loaded)
    assert time.monotonic() - start < 10
    # the same size, but broken at the very end: still one clear line
    text = error_of(bundle_with(tmp_path, content[:-1]))
    assert "ends too early" in text


@pytest.mark.parametrize(
    ("cfg", "pointer"),
    [
        ({"ociVersion": 1}, "/ociVersion"),
        ({"ociVersion": "1.0.2", "process": []}, "/process"),
        ({"ociVersion": "1.0.2", "mounts": {"destination": "/x"}}, "/mounts"),
        ({"ociVersion": "1.0.2", "linux": {"namespaces": [{"type": 5}]}}, "/linux/namespaces/0/type"),
        (
            {
                "ociVersion": "1.0.2",
                "root": {"path": "r"},
                "process": {"cwd": "/", "args": ["x"], "env": [1]},
            },
            "/process/env/0",
        ),
        ({"process": {"cwd": "/"}}, ""),
    ],
)
def test_wrong_types_name_the_field(tmp_path: pathlib.Path, cfg: dict[str, object], pointer: str) -> None:
    loaded = load_bundle_config(bundle_with(tmp_path, json.dumps(cfg).encode()))
    with pytest.raises(ConfigError) as info:
        validate_config(loaded)
    assert info.value.pointer == pointer


@pytest.mark.parametrize("content", [b'{"ociVersion":"1.0.2",', b"{", b'{"a"'])
def test_truncated_objects_in_a_fresh_interpreter(tmp_path: pathlib.Path, content: bytes) -> None:
    """Without the json package loaded, CPython's _json scanner raises SystemError on these; the loader
    must still give its one line (the CLI runs exactly like this)."""
    import subprocess
    import sys

    bundle = bundle_with(tmp_path, content)
    code = (
        "from pyrunc.spec.load import load_bundle_config\n"
        f"try:\n    load_bundle_config({bundle!r})\nexcept Exception as e:\n    print(type(e).__name__, e)"
    )
    root = pathlib.Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.startswith("PyruncError ") and "ends too early (truncated?)" in out.stdout, out
