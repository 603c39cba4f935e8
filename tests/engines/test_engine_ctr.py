"""containerd through `ctr run --runtime io.containerd.runc.v2 --runc-binary <runtime>`.

The runc v2 shim calls the runtime with `--root <our runc root>/<namespace> --log <bundle>/log.json
--log-format json`; what the shim reports on failure is the last error line of that log.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

from .drivers import Containerd
from .enginelib import mounts_under, pid_alive, pids_whose_cmdline_has, pty_session, wait_for

pytestmark = [pytest.mark.engines, pytest.mark.root]


@pytest.fixture
def cid(containerd: Containerd) -> Iterator[str]:
    value = "pe-" + uuid.uuid4().hex[:10]
    yield value
    for task in (value, value + "-2"):
        containerd.ctr("tasks", "kill", "-a", "-s", "SIGKILL", task)
        for _ in range(50):
            gone = containerd.ctr("tasks", "delete", "-f", task).returncode != 0
            if gone or containerd.ctr("tasks", "ls", "-q").stdout.split().count(task) == 0:
                break
            time.sleep(0.1)
        containerd.ctr("containers", "delete", task)


def run(
    ctr: Containerd, cid: str, *opts_and_cmd: str, input: str | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    """`ctr run --rm [opts] IMAGE ID CMD...`; opts come before the first item that is not an option."""
    opts, cmd = split_opts(opts_and_cmd)
    return ctr.ctr(
        "run", "--rm", *ctr.run_flags(cid), *opts, ctr.image, cid, *cmd, input=input, timeout=timeout
    )


def split_opts(items: tuple[str, ...]) -> tuple[list[str], list[str]]:
    takes_value = {
        "--env",
        "--cwd",
        "--mount",
        "--memory-limit",
        "--cpus",
        "--cpu-shares",
        "--cap-add",
        "--cap-drop",
        "--seccomp-profile",
        "--with-ns",
        "--device",
        "--annotation",
        "--label",
    }
    opts: list[str] = []
    i = 0
    while i < len(items) and items[i].startswith("--"):
        opts.append(items[i])
        if items[i] in takes_value:
            opts.append(items[i + 1])
            i += 1
        i += 1
    return opts, list(items[i:])


def ok(ctr: Containerd, cid: str, *opts_and_cmd: str, input: str | None = None) -> str:
    proc = run(ctr, cid, *opts_and_cmd, input=input)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def detach(ctr: Containerd, cid: str, *opts: str, cmd: tuple[str, ...] = ("sleep", "600")) -> None:
    proc = ctr.ctr("run", "-d", *ctr.run_flags(cid), *opts, ctr.image, cid, *cmd)
    assert proc.returncode == 0, proc.stderr
    wait_for(lambda: task_status(ctr, cid) == "RUNNING", 20, f"{cid} to run")


def fifo_flags(ctr: Containerd) -> list[str]:
    """ctr would put exec fifos in /run/containerd/fifo otherwise."""
    return ["--fifo-dir", str(ctr.base / "fifo")]


def task_status(ctr: Containerd, cid: str) -> str | None:
    for line in ctr.ctr("tasks", "ls").stdout.splitlines()[1:]:
        fields = line.split()
        if fields and fields[0] == cid:
            return fields[-1]
    return None


def cgroup_file(ctr: Containerd, cid: str, controller: str, filename: str) -> str:
    dirs = [d for d in ctr.cgroups.find(cid) if f"/{controller}/" in str(d)]
    assert dirs, f"no {controller} cgroup for {cid}"
    return (dirs[0] / filename).read_text().strip()


def status_field(text: str, field: str) -> str:
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{field} not in {text!r}")


def test_output_and_exit_code(containerd: Containerd, cid: str) -> None:
    proc = run(containerd, cid, "sh", "-c", "echo out; echo err >&2; exit 3")
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "out\n" and "err" in proc.stderr


def test_env_and_cwd(containerd: Containerd, cid: str) -> None:
    out = ok(containerd, cid, "--env", "FOO=bar baz", "--cwd", "/tmp", "sh", "-c", 'echo "$FOO|$PWD|$PATH"')
    foo, cwd, path = out.strip().split("|")
    assert foo == "bar baz" and cwd == "/tmp" and "/bin" in path


def test_stdin_piped(containerd: Containerd, cid: str) -> None:
    # ctr 1.6 never closes the task's stdin at EOF, so the container reads a known amount
    data = "".join(f"{i}\n" for i in range(1000))
    proc = run(containerd, cid, "sh", "-c", "head -n 1000 | wc -l", input=data, timeout=30)
    assert proc.returncode == 0 and proc.stdout.split() == ["1000"], proc.stderr


def test_failed_start_reports_the_runtime_error(containerd: Containerd, cid: str) -> None:
    proc = run(containerd, cid, "/no/such/program")
    assert proc.returncode != 0
    err = proc.stderr.lower()
    # the shim read the runtime's JSON log line; without it containerd says it could not retrieve one
    assert "unable to retrieve oci runtime error" not in err, proc.stderr
    assert "no such file or directory" in err or "executable file not found" in err, proc.stderr
    assert containerd.ctr("containers", "ls", "-q").stdout.split().count(cid) == 0


def test_terminal(containerd: Containerd, cid: str) -> None:
    argv = containerd.ctr_argv("run", "--rm", "-t", *containerd.run_flags(cid), containerd.image, cid, "sh")
    with pty_session(argv) as term:
        term.expect(b"# ", timeout=30)
        term.send(b"tty; echo $((6*7))\r")
        out = term.expect(b"42")
        term.send(b"exit 6\r")
        assert term.wait(30) == 6
    assert b"/dev/pts/0" in out or b"/dev/console" in out


def test_detach_exec_and_ps(containerd: Containerd, cid: str) -> None:
    detach(containerd, cid)
    proc = containerd.ctr(
        "tasks",
        "exec",
        *fifo_flags(containerd),
        "--exec-id",
        "e1",
        "--cwd",
        "/tmp",
        cid,
        "sh",
        "-c",
        "echo $PWD; exit 4",
    )
    assert proc.returncode == 4 and proc.stdout.strip() == "/tmp", proc.stderr
    argv = containerd.ctr_argv("tasks", "exec", *fifo_flags(containerd), "-t", "--exec-id", "e2", cid, "sh")
    with pty_session(argv) as term:
        term.expect(b"# ", timeout=30)
        term.send(b"tty; echo ex$((40+2))\r")
        out = term.expect(b"ex42")
        term.send(b"exit\r")
        assert term.wait(30) == 0
    assert b"/dev/pts/" in out
    ps = containerd.ctr("tasks", "ps", cid)
    assert ps.returncode == 0 and len(ps.stdout.splitlines()) >= 2, ps.stderr
    metrics = containerd.ctr("tasks", "metrics", cid)
    assert metrics.returncode == 0 and "memory" in metrics.stdout.lower(), metrics.stderr


def test_kill_with_signal(containerd: Containerd, cid: str) -> None:
    argv = containerd.ctr_argv(
        "run",
        "--rm",
        *containerd.run_flags(cid),
        containerd.image,
        cid,
        "sh",
        "-c",
        "trap 'echo got-usr1; exit 9' USR1; while :; do sleep 0.1; done",
    )
    fg = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(lambda: task_status(containerd, cid) == "RUNNING", 30, "the task")
        time.sleep(0.5)
        containerd.ctr("tasks", "kill", "-s", "SIGUSR1", cid, check=True)
        out, err = fg.communicate(timeout=30)
        assert fg.returncode == 9, err
        assert "got-usr1" in out
    finally:
        if fg.poll() is None:
            fg.kill()
            fg.wait()


def test_sigkill_is_137(containerd: Containerd, cid: str) -> None:
    argv = containerd.ctr_argv(
        "run", "--rm", *containerd.run_flags(cid), containerd.image, cid, "sleep", "600"
    )
    fg = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: task_status(containerd, cid) == "RUNNING", 30, "the task")
        containerd.ctr("tasks", "kill", "-s", "SIGKILL", cid, check=True)
        fg.communicate(timeout=30)
        assert fg.returncode == 137
    finally:
        if fg.poll() is None:
            fg.kill()
            fg.wait()


def test_pause_resume(containerd: Containerd, cid: str) -> None:
    detach(containerd, cid)
    containerd.ctr("tasks", "pause", cid, check=True)
    assert task_status(containerd, cid) == "PAUSED"
    assert cgroup_file(containerd, cid, "freezer", "freezer.state") == "FROZEN"
    containerd.ctr("tasks", "resume", cid, check=True)
    assert task_status(containerd, cid) == "RUNNING"
    assert cgroup_file(containerd, cid, "freezer", "freezer.state") == "THAWED"


def test_memory_limit_and_oom(containerd: Containerd, cid: str) -> None:
    detach(containerd, cid, "--memory-limit", str(32 << 20))
    assert cgroup_file(containerd, cid, "memory", "memory.limit_in_bytes") == str(32 << 20)
    proc = containerd.ctr(
        "tasks", "exec", *fifo_flags(containerd), "--exec-id", "hog", cid, "tail", "/dev/zero", timeout=60
    )
    assert proc.returncode == 137
    oom = dict(
        line.split() for line in cgroup_file(containerd, cid, "memory", "memory.oom_control").splitlines()
    )
    assert int(oom["oom_kill"]) >= 1


def test_cpu_limits(containerd: Containerd, cid: str) -> None:
    detach(containerd, cid, "--cpus", "0.5", "--cpu-shares", "512")
    assert cgroup_file(containerd, cid, "cpu", "cpu.cfs_quota_us") == "50000"
    assert cgroup_file(containerd, cid, "cpu", "cpu.shares") == "512"


def test_read_only_and_mounts(containerd: Containerd, cid: str, tmp_path: pathlib.Path) -> None:
    host = tmp_path / "vol"
    host.mkdir()
    out = ok(
        containerd,
        cid,
        "--read-only",
        "--mount",
        f"type=bind,src={host},dst=/vol,options=rbind:rw",
        "--mount",
        "type=tmpfs,src=tmpfs,dst=/scratch,options=size=1m",
        "sh",
        "-c",
        "touch /etc/x 2>&1; echo kept > /vol/out; touch /scratch/y && echo tmpfs-ok",
    )
    assert "read-only file system" in out.lower() and "tmpfs-ok" in out
    assert (host / "out").read_text() == "kept\n"


def test_capabilities_and_no_new_privileges(containerd: Containerd, cid: str) -> None:
    out = ok(containerd, cid, "cat", "/proc/self/status")
    assert status_field(out, "NoNewPrivs") == "1"  # ctr's default
    assert (
        status_field(ok(containerd, cid, "--allow-new-privs", "cat", "/proc/self/status"), "NoNewPrivs")
        == "0"
    )
    out = ok(
        containerd, cid, "--cap-drop", "CAP_CHOWN", "--cap-add", "CAP_NET_ADMIN", "cat", "/proc/self/status"
    )
    eff = int(status_field(out, "CapEff"), 16)
    assert not eff & 1 and eff & (1 << 12)


def test_seccomp(containerd: Containerd, cid: str, tmp_path: pathlib.Path) -> None:
    assert (
        status_field(ok(containerd, cid, "cat", "/proc/self/status"), "Seccomp") == "0"
    )  # ctr: off by default
    assert status_field(ok(containerd, cid, "--seccomp", "cat", "/proc/self/status"), "Seccomp") == "2"
    profile = tmp_path / "profile.json"
    profile.write_text(
        json.dumps(
            {
                "defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
            }
        )
    )
    proc = run(containerd, cid, "--seccomp", "--seccomp-profile", str(profile), "mkdir", "/tmp/d")
    assert proc.returncode != 0 and "operation not permitted" in proc.stderr.lower()


def test_privileged(containerd: Containerd, cid: str) -> None:
    out = ok(
        containerd,
        cid,
        "--privileged",
        "sh",
        "-c",
        "cat /proc/self/status; mkdir /m && mount -t tmpfs t /m && echo mounted",
    )
    assert int(status_field(out, "CapEff"), 16) & (1 << 21) and "mounted" in out


def test_join_namespaces(containerd: Containerd, cid: str) -> None:
    detach(containerd, cid, cmd=("sh", "-c", "echo mark > /dev/shm/m; exec sleep 600"))
    listing = containerd.ctr("tasks", "ls").stdout.splitlines()[1:]
    pid = next(line.split()[1] for line in listing if line.split()[0] == cid)
    out = ok(
        containerd,
        cid + "-2",
        "--with-ns",
        f"network:/proc/{pid}/ns/net",
        "--with-ns",
        f"pid:/proc/{pid}/ns/pid",
        "sh",
        "-c",
        "readlink /proc/self/ns/net; ps -o comm | grep -c sleep",
    )
    link, sleepers = out.split()
    assert link == os.readlink(f"/proc/{pid}/ns/net")
    assert int(sleepers) >= 1


def leftovers(ctr: Containerd, cid: str, mounts_before: list[str]) -> list[str]:
    problems = []
    if cid in ctr.ctr("containers", "ls", "-q").stdout.split():
        problems.append("container still listed")
    if task_status(ctr, cid) is not None:
        problems.append("task still listed")
    if cid in ctr.runtime_ids():
        problems.append("runtime list still has it")
    problems += [f"cgroup {p}" for p in ctr.cgroups.find(cid)]
    problems += [f"mount {m}" for m in set(mounts_under(ctr.base)) - set(mounts_before) if cid in m]
    problems += [f"process {p}" for p in pids_whose_cmdline_has(f"-id {cid} ") if pid_alive(p)]
    return problems


def test_rm_leaves_nothing_behind(containerd: Containerd, cid: str) -> None:
    before = mounts_under(containerd.base)
    ok(containerd, cid, "true")
    wait_for(lambda: not leftovers(containerd, cid, before), 10, "the container to be gone")


def test_twenty_back_to_back(containerd: Containerd) -> None:
    before = mounts_under(containerd.base)
    ids = []
    for i in range(20):
        cid = f"pe-b2b-{uuid.uuid4().hex[:6]}-{i}"
        ids.append(cid)
        out = ok(containerd, cid, "sh", "-c", f"echo {i}")
        assert out == f"{i}\n"
    for cid in ids:
        assert not leftovers(containerd, cid, before), cid
