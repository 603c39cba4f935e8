"""`pyrunc ps`: host pids as JSON (docker top, ctr task ps) and the table mode with ps(1) options."""

from __future__ import annotations

import json
import pathlib
import signal
import subprocess

import pytest

from tests.integration.test_exec import start_container, wait_status

pytestmark = pytest.mark.usefixtures("delete_containers")


def test_ps_json_lists_host_pids_of_init_and_exec(rt, tmp_path):
    cid, init = start_container(rt)
    pid_file = tmp_path / "exec.pid"
    rt("exec", "-d", "--pid-file", str(pid_file), cid, "sleep", "301", check=True, stdin=subprocess.DEVNULL)
    extra = int(pid_file.read_text())
    proc = rt("ps", "--format", "json", cid)
    assert proc.returncode == 0, proc.stderr
    pids = json.loads(proc.stdout)
    assert isinstance(pids, list) and all(isinstance(p, int) for p in pids)
    assert sorted(pids) == sorted({init, extra})
    # Host pids: they exist in our /proc and belong to the container's cgroup.
    for pid in pids:
        assert (
            pathlib.Path(f"/proc/{pid}/cgroup").read_text()
            == pathlib.Path(f"/proc/{init}/cgroup").read_text()
        )
    assert json.loads(rt("ps", "-f", "json", cid, check=True).stdout) == pids


def test_ps_table_with_and_without_ps_options(rt, tmp_path):
    cid, init = start_container(rt, ["/bin/sleep", "302"])
    table = rt("ps", cid)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.decode().splitlines()
    header = lines[0].split()
    assert "PID" in header and "CMD" in header
    col = header.index("PID")
    rows = [line.split() for line in lines[1:]]
    assert [int(r[col]) for r in rows] == [init]
    assert "sleep 302" in lines[1]
    custom = rt("ps", cid, "-o", "pid,comm")
    assert custom.returncode == 0, custom.stderr
    assert custom.stdout.decode().split() == ["PID", "COMMAND", str(init), "sleep"]


def test_ps_refusals_and_stopped_container(rt):
    cid, init = start_container(rt)
    bad = rt("ps", "-f", "xml", cid)
    assert bad.returncode == 1 and b"invalid format" in bad.stderr
    absent = rt("ps", "no-such-container")
    assert absent.returncode == 1 and b"does not exist" in absent.stderr
    import os

    os.kill(init, signal.SIGKILL)
    assert wait_status(rt, cid, "stopped") == "stopped"
    empty = rt("ps", "-f", "json", cid)
    assert empty.returncode == 0 and json.loads(empty.stdout) in ([], None)
