"""`list` reads the store its own lean way (scandir, one read of state.json); it must show exactly what
Store.ids() + Container.load() + oci_state() show, odd entries in the state root included."""

from __future__ import annotations

import json
import os

import pytest

from pyrunc import jsonio
from pyrunc.cli.main import main
from pyrunc.errors import PyruncError
from pyrunc.runtime import procs
from pyrunc.runtime.container import Container
from pyrunc.state.store import Store


def record(cid: str, pid: int, start: str | None, **extra: object) -> dict[str, object]:
    rec: dict[str, object] = {"ociVersion": "1.3.0", "id": cid, "pid": pid, "bundle": f"/b/{cid}",
                              "rootfs": "/r", "created": "2026-01-01T00:00:00.000000000Z", "owner": "root",
                              "annotations": {"k": "v"} if cid.endswith("a") else {}, "cgroup": None,
                              "init_start": start}
    rec.update(extra)
    return rec


@pytest.fixture
def root(tmp_path):
    me, started = os.getpid(), procs.start_time(os.getpid())
    store = tmp_path / "root"
    entries = {
        "running1": record("running1", me, started),
        "createda": record("createda", me, started),
        "stopped": record("stopped", 2**22 + 7, "1"),
        "reused-pid": record("reused-pid", me, "1"),  # the pid now belongs to another process
        "paused": record("paused", me, started, cgroup={"mode": "legacy", "v1": {"freezer": str(tmp_path)}}),
        "wrong-id": record("someone-else", me, started),
        "pid-not-int": record("pid-not-int", "12", started),
    }
    for name, rec in entries.items():
        (store / name).mkdir(parents=True)
        (store / name / "state.json").write_bytes(jsonio.dumps(rec).encode())
    (tmp_path / "freezer.state").write_text("FROZEN\n")
    os.mkfifo(store / "createda" / "exec.fifo")
    (store / "corrupt").mkdir()
    (store / "corrupt" / "state.json").write_text("{")
    (store / "no-state").mkdir()
    (store / ".hidden").mkdir()
    (store / "bad id").mkdir()
    (store / "a-file").write_text("x")
    os.symlink(store / "running1", store / "link-to-running1")
    os.symlink(store / "running1", store / "linked")
    (store / "linked2").symlink_to(store / "stopped")
    return str(store)


def reference(root: str) -> list[dict[str, object]]:
    store = Store(root)
    out = []
    for cid in store.ids():
        try:
            out.append(Container.load(store, cid).oci_state())
        except PyruncError:
            continue
    return out


@pytest.mark.parametrize("args", [[], ["-f", "json"], ["-q"]])
def test_list_matches_the_store_reading(root, args, capsys):
    assert main(["--root", root, "list", *args]) == 0
    out = capsys.readouterr().out
    states = reference(root)
    assert {s["status"] for s in states} == {"running", "created", "stopped", "paused"}
    if args == ["-f", "json"]:
        assert json.loads(out) == states
    elif args == ["-q"]:
        assert out.split() == [s["id"] for s in states]
    else:
        lines = out.splitlines()
        assert lines[0].split() == ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]
        assert [line.split() for line in lines[1:]] == [
            [s["id"], str(s["pid"]), s["status"], s["bundle"], s["created"], s["owner"]] for s in states
        ]


def test_list_of_a_missing_root(tmp_path, capsys):
    assert main(["--root", str(tmp_path / "none"), "list", "-f", "json"]) == 0
    assert capsys.readouterr().out == "null\n"
