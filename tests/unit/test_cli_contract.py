"""The command-line contract of issue 2: flags in runc's forms, one-line errors with exit 1, the state
store."""

from __future__ import annotations

import json
import multiprocessing
import os
import pathlib
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def pyrunc(*args: str, cwd: str | None = None, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*pyrunc_argv(), *args], capture_output=True, cwd=cwd, input=input, timeout=60)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("pyrunc: ")
    assert "Traceback" not in proc.stderr.decode()
    return lines[0]


def test_version_and_help():
    version = pyrunc("--version")
    assert version.returncode == 0 and version.stdout.startswith(b"pyrunc version ")
    assert b"spec: 1.3.0" in version.stdout
    assert pyrunc("-v").stdout == version.stdout
    helped = pyrunc("-h")
    assert helped.returncode == 0 and b"create" in helped.stdout
    assert pyrunc("create", "--help").returncode == 0
    assert pyrunc("checkpoint", "--help").returncode == 0  # podman probes this


@pytest.mark.parametrize(
    "argv",
    [
        ["--root={root}", "--log-format=json", "--log={log}", "state", "nosuch"],
        ["--root", "{root}", "--log-format", "json", "--log", "{log}", "state", "nosuch"],
        ["-root", "{root}", "-log-format=json", "-log", "{log}", "state", "nosuch"],
    ],
)
def test_global_flag_forms_and_json_log(tmp_path, argv):
    log = tmp_path / "log.json"
    args = [a.format(root=tmp_path / "root", log=log) for a in argv]
    line = one_error_line(pyrunc(*args))
    assert line == "pyrunc: container nosuch does not exist"
    record = json.loads(log.read_text().splitlines()[-1])
    assert record["level"] == "error" and record["msg"] == "container nosuch does not exist"
    assert record["time"].endswith("Z") and "T" in record["time"]


def test_text_log_format(tmp_path):
    log = tmp_path / "log.txt"
    one_error_line(pyrunc("--root", str(tmp_path), "--log", str(log), "state", "nosuch"))
    text = log.read_text()
    assert 'level=error msg="container nosuch does not exist"' in text and text.startswith('time="')


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["state"], "requires a minimum of 1 argument"),
        (["state", "a", "b"], "maximum"),
        (["nosuchcommand"], "no such command"),
        (["--nosuchflag", "state", "x"], "flag provided but not defined"),
        (["kill", "--bogus", "x"], "flag provided but not defined"),
        (["--log-format", "xml", "state", "x"], "invalid log-format"),
        (["state", "../etc"], "invalid container id"),
        (["state", "a" * 300], "invalid container id"),
        (["kill", "x", "SIGNOPE"], "unknown signal"),
    ],
)
def test_bad_arguments_give_one_line(tmp_path, argv, needle):
    line = one_error_line(pyrunc("--root", str(tmp_path), *argv))
    assert needle in line


def _bundle(tmp_path: pathlib.Path, config: bytes | None) -> pathlib.Path:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "rootfs").mkdir()
    if config is not None:
        (bundle / "config.json").write_bytes(config)
    return bundle


def _valid_config() -> dict:
    from pyrunc.spec.default import default_config

    cfg = default_config(False)
    cfg["process"]["terminal"] = False
    return cfg


def _deep(n: int) -> bytes:
    return (
        b'{"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "annotations": {"a": '
        + b"[" * n
        + b"]" * n
        + b"}}"
    )


MALFORMED = {
    "truncated": json.dumps(_valid_config()).encode()[:-40],
    "wrong_type": json.dumps(
        {**_valid_config(), "process": {**_valid_config()["process"], "args": "sh"}}
    ).encode(),
    "deep_nesting": _deep(100_000),
    "invalid_utf8": b'{"ociVersion": "1.0.2", "hostname": "\xff\xfe"}',
    "not_an_object": b"[1, 2, 3]",
    "bad_version": json.dumps({**_valid_config(), "ociVersion": "2.0.0"}).encode(),
    "ten_megabytes": json.dumps({**_valid_config(), "annotations": {"big": "x" * (10 << 20)}}).encode()[:-3],
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_config_fails_cleanly(tmp_path, name):
    bundle = _bundle(tmp_path, MALFORMED[name])
    root = tmp_path / "root"
    log = tmp_path / "log.json"
    line = one_error_line(
        pyrunc(
            "--root", str(root), "--log", str(log), "--log-format", "json", "create", "-b", str(bundle), "c1"
        )
    )
    assert len(line) < 2000
    assert json.loads(log.read_text().splitlines()[-1])["level"] == "error"
    assert not (root / "c1").exists()


def test_wrong_type_names_the_field(tmp_path):
    bundle = _bundle(tmp_path, MALFORMED["wrong_type"])
    line = one_error_line(pyrunc("--root", str(tmp_path / "root"), "create", "-b", str(bundle), "c1"))
    assert "/process/args" in line


def test_missing_config_and_bundle_that_is_a_file(tmp_path):
    bundle = _bundle(tmp_path, None)
    assert "config.json" in one_error_line(
        pyrunc("--root", str(tmp_path / "r"), "create", "-b", str(bundle), "c1")
    )
    afile = tmp_path / "afile"
    afile.write_text("x")
    one_error_line(pyrunc("--root", str(tmp_path / "r"), "create", "-b", str(afile), "c1"))
    one_error_line(pyrunc("--root", str(tmp_path / "r"), "create", "-b", str(tmp_path / "missing"), "c1"))
    assert not (tmp_path / "r" / "c1").exists()


def test_spec_writes_a_valid_config_and_refuses_to_overwrite(tmp_path):
    from pyrunc.spec.validate import validate_config

    assert pyrunc("spec", cwd=str(tmp_path)).returncode == 0
    validate_config(json.loads((tmp_path / "config.json").read_text()))
    again = one_error_line(pyrunc("spec", cwd=str(tmp_path)))
    assert "exists" in again
    other = tmp_path / "rootless"
    other.mkdir()
    assert pyrunc("spec", "--rootless", "-b", str(other)).returncode == 0
    cfg = json.loads((other / "config.json").read_text())
    assert {"type": "user"} in cfg["linux"]["namespaces"]
    validate_config(cfg)


def test_features_document_is_valid_against_our_schema():
    import jsonschema

    from pyrunc.spec.schemas import schema_dir

    proc = pyrunc("features")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    directory = schema_dir()
    from referencing import Registry, Resource

    registry = Registry()
    for path in directory.glob("*.json"):
        contents = json.loads(path.read_text())
        registry = registry.with_resource(contents.get("$id", path.name), Resource.from_contents(contents))
        registry = registry.with_resource(path.name, Resource.from_contents(contents))
    schema = json.loads((directory / "features.json").read_text())
    jsonschema.validators.validator_for(schema)(schema, registry=registry).validate(doc)
    assert all(k.startswith("io.github.pyrunc.") for k in doc["annotations"])
    assert doc["ociVersionMax"] == "1.3.0"


def _write_state(root: str, cid: str, record: dict) -> None:
    from pyrunc.state.store import Store

    store = Store(root)
    store.ensure_root()
    os.mkdir(store.dir(cid), 0o700)
    store.write(cid, record)


def test_corrupt_state_gives_clear_error_and_force_delete_removes_it(tmp_path):
    root = tmp_path / "root"
    _write_state(str(root), "c1", {"id": "c1", "pid": 0})
    (root / "c1" / "state.json").write_bytes(b'{"id": "c1", "pi')
    for cmd in (["state", "c1"], ["kill", "c1"], ["start", "c1"], ["delete", "c1"]):
        line = one_error_line(pyrunc("--root", str(root), *cmd))
        assert "corrupt" in line and "c1" in line
    listed = pyrunc("--root", str(root), "list", "-q")
    assert listed.returncode == 0
    env_skip = os.environ.copy()
    proc = subprocess.run(
        [*pyrunc_argv(), "--root", str(root), "delete", "--force", "c1"],
        capture_output=True,
        env={**env_skip, "PYRUNC_NO_CGROUPS": "1"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert not (root / "c1").exists()


def pyrunc_argv() -> list[str]:
    import _cffi_backend

    paths = [str(ROOT), os.path.dirname(_cffi_backend.__file__)]
    return [
        sys.executable,
        "-I",
        "-S",
        "-c",
        f"import sys; sys.path[:0] = {paths!r}; from pyrunc.cli.main import entry; entry()",
    ]


def _bump(root: str, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from pyrunc.state.store import Store

    store = Store(root)
    for _ in range(n):
        with store.lock("shared"):
            record = store.read("shared")
            record["counter"] = record.get("counter", 0) + 1
            store.write("shared", record)


def test_concurrent_writers_never_corrupt_state(tmp_path):
    root = str(tmp_path / "root")
    _write_state(root, "shared", {"id": "shared", "pid": 0, "counter": 0})
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_bump, args=(root, 50)) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    from pyrunc.state.store import Store

    assert Store(root).read("shared")["counter"] == 400
    # No temp file is left behind: only the state and the front end's record.
    leftovers = [
        n for n in os.listdir(os.path.join(root, "shared")) if n not in ("state.json", "state.front")
    ]
    assert leftovers == []
