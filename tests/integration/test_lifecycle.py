"""create / start / state / kill / delete / run against real namespaces."""

from __future__ import annotations

import json
import os
import time

import pytest


def wait_status(rt, cid: str, want: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        proc = rt("state", cid)
        state = json.loads(proc.stdout) if proc.returncode == 0 else {"status": "absent"}
        if state["status"] == want or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def test_run_exit_status_propagates(rt):
    assert rt.run_container(["/bin/true"]).returncode == 0
    assert rt.run_container(["/bin/sh", "-c", "exit 3"]).returncode == 3


def test_run_killed_process_exits_128_plus_signal(rt):
    import subprocess

    from tests.integration.conftest import pyrunc_cmd

    bundle = rt.bundle(["/bin/sleep", "30"])
    cid = rt.new_id()
    proc = subprocess.Popen(pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), cid])
    try:
        wait_status(rt, cid, "running")
        rt("kill", cid, "KILL", check=True)
        assert proc.wait(timeout=30) == 137
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_run_output_reaches_callers_stdout(rt):
    proc = rt.run_container(["/bin/echo", "hello from the container"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"hello from the container\n"


def test_create_start_state_delete(rt, tmp_path):
    bundle = rt.bundle(["/bin/sleep", "30"])
    cid = rt.new_id()
    pid_file = tmp_path / "init.pid"
    rt("create", "--bundle", str(bundle), "--pid-file", str(pid_file), cid, check=True)
    state = rt.state(cid)
    assert state["status"] == "created"
    assert state["id"] == cid and state["bundle"] == str(bundle)
    pid = int(pid_file.read_text())
    assert pid_file.read_text().isdigit()
    assert state["pid"] == pid
    assert os.readlink(f"/proc/{pid}/ns/pid") != os.readlink("/proc/self/ns/pid")
    rt("start", cid, check=True)
    assert rt.state(cid)["status"] == "running"
    again = rt("start", cid)
    assert again.returncode == 1 and b"running" in again.stderr
    busy = rt("delete", cid)
    assert busy.returncode == 1 and b"not stopped" in busy.stderr
    rt("kill", cid, "KILL", check=True)
    assert wait_status(rt, cid, "stopped")["status"] == "stopped"
    assert rt("kill", cid, "TERM").returncode == 1
    rt("delete", cid, check=True)
    assert not (rt.root / cid).exists()
    gone = rt("state", cid)
    assert gone.returncode == 1 and gone.stderr.strip() == f"pyrunc: container {cid} does not exist".encode()


def test_kill_accepts_names_and_numbers(rt):
    bundle = rt.bundle(["/bin/sleep", "30"])
    for sig in ("9", "KILL", "SIGKILL", "sigkill"):
        bundle = rt.bundle(["/bin/sleep", "30"])
        cid = rt.new_id()
        rt("run", "-d", "-b", str(bundle), cid, check=True)
        rt("kill", cid, sig, check=True)
        assert wait_status(rt, cid, "stopped")["status"] == "stopped"
        rt("delete", cid, check=True)


def test_kill_created_container_stops_it(rt):
    bundle = rt.bundle(["/bin/sleep", "30"])
    cid = rt.new_id()
    rt("create", "-b", str(bundle), cid, check=True)
    rt("kill", cid, "KILL", check=True)
    assert wait_status(rt, cid, "stopped")["status"] == "stopped"
    rt("delete", cid, check=True)


def test_delete_of_created_container_kills_it_without_force(rt):
    bundle = rt.bundle(["/bin/sleep", "30"])
    cid = rt.new_id()
    rt("create", "-b", str(bundle), cid, check=True)
    pid = rt.state(cid)["pid"]
    rt("delete", cid, check=True)
    assert not (rt.root / cid).exists()
    with open(f"/proc/{pid}/stat") if os.path.exists(f"/proc/{pid}/stat") else open(os.devnull) as handle:
        fields = handle.read().rsplit(")", 1)[-1].split()
    assert not fields or fields[0] in ("Z", "X")


def test_delete_force_running_and_nonexistent(rt):
    bundle = rt.bundle(["/bin/sleep", "30"])
    cid = rt.new_id()
    rt("run", "-d", "-b", str(bundle), cid, check=True)
    rt("delete", "--force", cid, check=True)
    assert not (rt.root / cid).exists()
    assert rt("delete", "--force", "never-existed").returncode == 0
    missing = rt("delete", "never-existed")
    assert missing.returncode == 1 and b"does not exist" in missing.stderr


def test_status_becomes_stopped_by_itself(rt):
    bundle = rt.bundle(["/bin/true"])
    cid = rt.new_id()
    rt("run", "-d", "-b", str(bundle), cid, check=True)
    assert wait_status(rt, cid, "stopped")["status"] == "stopped"
    assert rt.state(cid)["pid"] == 0
    rt("delete", cid, check=True)


def test_missing_executable_fails_create_and_leaves_nothing(rt):
    bundle = rt.bundle(["no-such-program"])
    cid = rt.new_id()
    proc = rt("--log-format", "json", "create", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b'exec: "no-such-program": executable file not found in $PATH' in proc.stderr
    assert not (rt.root / cid).exists()
    abs_missing = rt("run", "-b", str(rt.bundle(["/no/such"])), rt.new_id())
    assert abs_missing.returncode == 1 and b"no such file or directory" in abs_missing.stderr
    denied = rt("run", "-b", str(rt.bundle(["/etc/passwd"])), rt.new_id())
    assert denied.returncode == 1 and b"permission denied" in denied.stderr


def test_error_goes_to_json_log(rt, tmp_path):
    log = tmp_path / "log.json"
    bundle = rt.bundle(["no-such-program"])
    proc = rt("--log", str(log), "--log-format", "json", "create", "-b", str(bundle), rt.new_id())
    assert proc.returncode == 1
    last = json.loads(log.read_text().strip().splitlines()[-1])
    assert (
        last["level"] == "error" and "executable file not found" in last["msg"] and last["time"].endswith("Z")
    )


def test_list_shows_containers(rt):
    ids = [rt.new_id() for _ in range(3)]
    for cid in ids:
        rt("create", "-b", str(rt.bundle(["/bin/sleep", "30"])), cid, check=True)
    listed = json.loads(rt("list", "-f", "json", check=True).stdout)
    assert sorted(s["id"] for s in listed) == sorted(ids)
    assert all(s["status"] == "created" for s in listed)
    quiet = rt("list", "-q", check=True).stdout.decode().split()
    assert sorted(quiet) == sorted(ids)
    table = rt("list", check=True).stdout.decode().splitlines()
    assert table[0].split() == ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]
    for cid in ids:
        rt("delete", cid, check=True)


def test_duplicate_id_is_refused(rt):
    bundle = rt.bundle(["/bin/sleep", "30"])
    cid = rt.new_id()
    rt("create", "-b", str(bundle), cid, check=True)
    again = rt("create", "-b", str(bundle), cid)
    assert again.returncode == 1 and b"exists" in again.stderr
    assert rt.state(cid)["status"] == "created"
    rt("delete", cid, check=True)


def test_stdio_is_inherited_from_create(rt, tmp_path):
    out = tmp_path / "out"
    bundle = rt.bundle(["/bin/sh", "-c", "read line; echo got:$line; echo err >&2"])
    cid = rt.new_id()
    with open(out, "wb") as sink, open(tmp_path / "in", "w+b") as source:
        source.write(b"abc\n")
        source.seek(0)
        rt("create", "-b", str(bundle), cid, check=True, stdin=source, stdout=sink, stderr=sink)
    rt("start", cid, check=True)
    wait_status(rt, cid, "stopped")
    assert out.read_bytes() == b"got:abc\nerr\n"
    rt("delete", cid, check=True)


def test_init_is_child_of_creates_caller(rt):
    """The init must be reparented to whoever called create (conmon, the shim): no pyrunc process between."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    bundle = rt.bundle(["/bin/sleep", "30"])
    cid = rt.new_id()
    pid = os.fork()
    if pid == 0:
        # A subreaper child runs create, then waits for its orphans like conmon would.
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        rc = rt("create", "-b", str(bundle), cid).returncode
        state = rt.state(cid) if rc == 0 else {"pid": 0}
        with open(f"/proc/{state['pid']}/stat") as handle:
            ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        os._exit(0 if rc == 0 and ppid == os.getpid() else 1)
    _, status = os.waitpid(pid, 0)
    rt("delete", "--force", cid)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("count", [2])
def test_preserve_fds(rt, tmp_path, count):
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    os.set_inheritable(w1, True)
    os.set_inheritable(w2, True)
    # Make them fds 3 and 4 in the child, as engines do.
    bundle = rt.bundle(["/bin/sh", "-c", "echo one >&3; echo two >&4"])
    import subprocess

    from tests.integration.conftest import pyrunc_cmd

    redirect = f'exec 3>&{w1} 4>&{w2} {w1}>&- {w2}>&-; exec "$@"'
    proc = subprocess.run(
        ["bash", "-c", redirect, "bash"]
        + pyrunc_cmd()
        + ["--root", str(rt.root), "run", "--preserve-fds", str(count), "-b", str(bundle), rt.new_id()],
        pass_fds=(w1, w2),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    os.close(w1)
    os.close(w2)
    assert proc.returncode == 0
    assert os.read(r1, 100) == b"one\n"
    assert os.read(r2, 100) == b"two\n"


def test_foreground_run_forwards_signals(rt, tmp_path):
    """A signal sent to `pyrunc run` reaches the container's process (the trap writes a file)."""
    import signal
    import subprocess

    from tests.integration.conftest import pyrunc_cmd

    out = tmp_path / "trapped"
    out.mkdir()
    bundle = rt.bundle(
        [
            "/bin/sh",
            "-c",
            "trap 'echo usr1 > /out/got; exit 7' USR1; echo ready > /out/ready; while :; do sleep 0.1; done",
        ],
        mutate=lambda c: c["mounts"].append(
            {"destination": "/out", "type": "bind", "source": str(out), "options": ["rbind", "rw"]}
        ),
    )
    cid = rt.new_id()
    proc = subprocess.Popen(pyrunc_cmd() + ["--root", str(rt.root), "run", "-b", str(bundle), cid])
    try:
        deadline = time.monotonic() + 30
        while not (out / "ready").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGUSR1)
        assert proc.wait(timeout=30) == 7
        assert (out / "got").read_text() == "usr1\n"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
