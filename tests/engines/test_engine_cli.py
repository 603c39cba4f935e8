"""What people do with podman and docker, run once per engine against the runtime under test.

Both engines share a CLI, so each test is written once; where they differ (podman pods, docker's
`systempaths`), the test says so.  Resource checks read the cgroup files on the host, below the cgroup
parent the engines were given.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import time

import pytest

from .drivers import Engine
from .enginelib import mounts_under, pty_session, wait_for

pytestmark = [pytest.mark.engines, pytest.mark.root]


def sh(engine: Engine, script: str, *opts: str, input: str | None = None, timeout: float = 90):
    """`run --rm [opts] IMAGE sh -c SCRIPT`."""
    return engine.run(*opts, engine.image, "sh", "-c", script, input=input, timeout=timeout)


def ok(engine: Engine, script: str, *opts: str, input: str | None = None) -> str:
    proc = sh(engine, script, *opts, input=input)
    assert proc.returncode == 0, f"{engine.name}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def detach(engine: Engine, name: str, *opts: str, cmd: tuple[str, ...] = ("sleep", "600")) -> str:
    """Start a detached container; returns its full id."""
    proc = engine.cli("run", "-d", "--name", name, *engine.run_flags(), *opts, engine.image, *cmd)
    assert proc.returncode == 0, f"{engine.name} run -d: {proc.stderr}"
    return proc.stdout.strip().splitlines()[-1]


def inspect(engine: Engine, name: str, fmt: str) -> str:
    return engine.cli("inspect", "--format", fmt, name, check=True).stdout.strip()


def inspect_or_none(engine: Engine, name: str, fmt: str) -> str | None:
    proc = engine.cli("inspect", "--format", fmt, name)
    return proc.stdout.strip() if proc.returncode == 0 else None


def cgroup_file(engine: Engine, full_id: str, controller: str, filename: str) -> str:
    dirs = [d for d in engine.cgroups.find(full_id) if f"/{controller}/" in str(d)]
    assert dirs, f"no {controller} cgroup for {full_id} under {engine.cgroups.path()}"
    return (dirs[0] / filename).read_text().strip()


def status_field(text: str, field: str) -> str:
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{field} not in {text!r}")


# --- running --------------------------------------------------------------------------------------------


def test_output_and_exit_code(engine: Engine) -> None:
    proc = sh(engine, "echo out; echo err >&2; exit 3")
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "out\n"
    assert "err" in proc.stderr


def test_foreground_killed_is_137(engine: Engine, name: str) -> None:
    argv = engine.argv("run", "--rm", "--name", name, *engine.run_flags(), engine.image, "sleep", "600")
    fg = subprocess.Popen(
        argv,
        env=engine.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: inspect_or_none(engine, name, "{{.State.Status}}") == "running", 30, "running")
        engine.cli("kill", name, check=True)
        _, err = fg.communicate(timeout=30)
        assert fg.returncode == 137, err
    finally:
        if fg.poll() is None:
            fg.kill()
            fg.wait()


def test_missing_executable_is_127(engine: Engine) -> None:
    proc = engine.run(engine.image, "/no/such/program")
    assert proc.returncode == 127, proc.stderr
    assert "no such file or directory" in proc.stderr.lower() or "not found" in proc.stderr.lower()


def test_not_executable_is_126(engine: Engine) -> None:
    proc = engine.run(engine.image, "/data/image-file")
    assert proc.returncode == 126, proc.stderr
    assert "permission denied" in proc.stderr.lower()


def test_env(engine: Engine) -> None:
    out = ok(engine, 'echo "$FOO|$EMPTY|$PATH|$HOME"', "-e", "FOO=bar baz", "-e", "EMPTY=")
    foo, empty, path, home = out.strip().split("|")
    assert foo == "bar baz" and empty == "" and "/bin" in path.split(":")
    assert home == "/root"  # docker sends no HOME: the runtime sets it from /etc/passwd, as runc does


def test_workdir(engine: Engine) -> None:
    assert ok(engine, "pwd", "-w", "/tmp").strip() == "/tmp"
    if engine.name == "docker":  # docker creates a workdir missing from the image; podman 4.3 refuses
        assert ok(engine, "pwd", "-w", "/made/by/engine").strip() == "/made/by/engine"


def test_user_and_groups(engine: Engine) -> None:
    assert ok(engine, "id", "-u", "1000:1000").strip().startswith("uid=1000(tester) gid=1000(tester)")
    groups, home = ok(engine, 'id -G; echo "home=$HOME"', "-u", "tester").splitlines()
    assert set(groups.split()) == {"1000", "2001", "2002"}
    # docker leaves HOME to the runtime, which takes it from the image's /etc/passwd as runc does
    assert home == "home=/home/tester"
    out = ok(engine, "id -G", "-u", "1000", "--group-add", "3000")
    assert "3000" in out.split()
    # a uid unknown to the image still runs
    assert ok(engine, "id -u", "-u", "4321").strip() == "4321"


def test_hostname(engine: Engine) -> None:
    out = ok(engine, "hostname; cat /etc/hostname", "--hostname", "box.example")
    assert out.split() == ["box.example", "box.example"]


def test_read_only_root(engine: Engine) -> None:
    proc = sh(engine, "touch /etc/x", "--read-only")
    assert proc.returncode != 0
    assert "read-only file system" in (proc.stdout + proc.stderr).lower()
    ok(engine, "touch /scratch/x", "--read-only", "--tmpfs", "/scratch")


def test_tmpfs_mount(engine: Engine) -> None:
    out = ok(
        engine,
        "grep ' /scratch ' /proc/mounts; dd if=/dev/zero of=/scratch/f bs=1k count=2048 2>&1; true",
        "--tmpfs",
        "/scratch:rw,size=1m,mode=1777",
    )
    line = out.splitlines()[0]
    assert line.split()[2] == "tmpfs" and "size=1024k" in line
    assert "no space left" in out.lower()


def test_bind_volume_outlives_container(engine: Engine, tmp_path: pathlib.Path) -> None:
    host = tmp_path / "vol"
    host.mkdir()
    (host / "in").write_text("from host\n")
    out = ok(engine, "cat /vol/in; echo written > /vol/out", "-v", f"{host}:/vol")
    assert out == "from host\n"
    assert (host / "out").read_text() == "written\n"
    proc = sh(engine, "echo no > /vol/ro", "-v", f"{host}:/vol:ro")
    assert proc.returncode != 0 and not (host / "ro").exists()


def test_named_volume(engine: Engine, name: str) -> None:
    vol = name + "-vol"
    try:
        ok(engine, "cp /data/image-file /v/copied", "-v", f"{vol}:/v")
        assert ok(engine, "cat /v/copied", "-v", f"{vol}:/v") == "from the image\n"
    finally:
        engine.cli("volume", "rm", "-f", vol)


def test_stdin_piped(engine: Engine) -> None:
    data = "".join(f"line {i}\n" for i in range(2000))
    proc = engine.run("-i", engine.image, "sh", "-c", "wc -l; echo done", input=data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["2000", "done"]


def test_interactive_terminal(engine: Engine) -> None:
    argv = engine.argv("run", "--rm", "-it", *engine.run_flags(), engine.image, "sh")
    with pty_session(argv, engine.env) as term:
        term.expect(b"# ", timeout=30)
        term.send(b"tty; echo $((6*7)); stty size\r")
        out = term.expect(b"42", timeout=20)
        term.send(b"exit 5\r")
        assert term.wait(30) == 5
    assert b"/dev/pts/0" in out or b"/dev/console" in out


# --- detached containers, exec and signals --------------------------------------------------------------


def test_detach_and_exec(engine: Engine, name: str) -> None:
    detach(engine, name)
    proc = engine.cli("exec", name, "sh", "-c", "echo $$; echo hi")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[1] == "hi"
    proc = engine.cli(
        "exec", "-e", "X=1", "-u", "1000", "-w", "/tmp", name, "sh", "-c", 'echo "$X $(id -u) $PWD"'
    )
    assert proc.stdout.strip() == "1 1000 /tmp", proc.stderr
    assert engine.cli("exec", name, "sh", "-c", "exit 9").returncode == 9
    # measured with runc: podman maps a missing exec binary to 127, dockerd 20.10 to 126
    assert engine.cli("exec", name, "/no/such/program").returncode == (
        127 if engine.name == "podman" else 126
    )
    assert engine.cli("exec", "-i", name, "cat", input="piped\n").stdout == "piped\n"
    # the exec'd processes share the container's pid namespace: sleep is PID 1
    assert engine.cli("exec", name, "cat", "/proc/1/cmdline").stdout.startswith("sleep")


def test_exec_with_terminal(engine: Engine, name: str) -> None:
    detach(engine, name)
    with pty_session(engine.argv("exec", "-it", name, "sh"), engine.env) as term:
        term.expect(b"# ", timeout=30)
        term.send(b"tty; echo ex$((40+2))\r")
        out = term.expect(b"ex42")
        term.send(b"exit 4\r")
        assert term.wait(30) == 4
    assert b"/dev/pts/" in out


def test_stop_sends_term_then_kill(engine: Engine, name: str) -> None:
    detach(engine, name, cmd=("sh", "-c", "trap 'echo got-term' TERM; while :; do sleep 0.1; done"))
    time.sleep(0.5)  # let the shell install its trap
    start = time.monotonic()
    assert engine.cli("stop", "-t", "2", name).returncode == 0
    assert time.monotonic() - start >= 1.5
    assert inspect(engine, name, "{{.State.ExitCode}}") == "137"
    assert "got-term" in engine.cli("logs", name).stdout


def test_stop_graceful(engine: Engine, name: str) -> None:
    detach(engine, name, cmd=("sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.1; done"))
    time.sleep(0.5)
    engine.cli("stop", "-t", "20", name, check=True)
    assert inspect(engine, name, "{{.State.ExitCode}}") == "7"


def test_kill_with_signal(engine: Engine, name: str) -> None:
    detach(engine, name, cmd=("sh", "-c", "trap 'echo got-usr1; exit 9' USR1; while :; do sleep 0.1; done"))
    time.sleep(0.5)
    engine.cli("kill", "-s", "USR1", name, check=True)
    engine.cli("wait", name, timeout=30)
    assert inspect(engine, name, "{{.State.ExitCode}}") == "9"
    assert "got-usr1" in engine.cli("logs", name).stdout


def test_pause_unpause(engine: Engine, name: str) -> None:
    full = detach(engine, name, cmd=("sh", "-c", "while :; do echo . >> /tmp/n; sleep 0.05; done"))
    time.sleep(0.3)
    engine.cli("pause", name, check=True)
    assert inspect(engine, name, "{{.State.Status}}") == "paused"
    assert cgroup_file(engine, full, "freezer", "freezer.state") == "FROZEN"
    engine.cli("unpause", name, check=True)
    assert inspect(engine, name, "{{.State.Status}}") == "running"
    first = int(engine.cli("exec", name, "wc", "-l", "/tmp/n").stdout.split()[0])
    time.sleep(0.4)
    assert int(engine.cli("exec", name, "wc", "-l", "/tmp/n").stdout.split()[0]) > first


def test_restart(engine: Engine, name: str) -> None:
    detach(engine, name)
    pid1 = inspect(engine, name, "{{.State.Pid}}")
    engine.cli("restart", "-t", "1", name, check=True)
    assert inspect(engine, name, "{{.State.Status}}") == "running"
    assert inspect(engine, name, "{{.State.Pid}}") != pid1
    assert engine.cli("exec", name, "true").returncode == 0


# --- resources ------------------------------------------------------------------------------------------


def test_memory_limit_and_oom_kill(engine: Engine, name: str) -> None:
    full = detach(
        engine,
        name,
        "-m",
        "32m",
        "--memory-swap",
        "32m",
        cmd=("sh", "-c", "tail /dev/zero; echo rc=$?; exec sleep 600"),
    )
    assert cgroup_file(engine, full, "memory", "memory.limit_in_bytes") == str(32 << 20)
    wait_for(lambda: "rc=" in engine.cli("logs", name).stdout, 60, "the memory hog to be killed")
    assert "rc=137" in engine.cli("logs", name).stdout
    oom = dict(
        line.split() for line in cgroup_file(engine, full, "memory", "memory.oom_control").splitlines()
    )
    assert int(oom["oom_kill"]) >= 1
    # the container's own init killed by the OOM killer
    detach(engine, name + "-2", "-m", "32m", "--memory-swap", "32m", cmd=("tail", "/dev/zero"))
    engine.cli("wait", name + "-2", timeout=60)
    assert inspect(engine, name + "-2", "{{.State.ExitCode}}") == "137"
    if engine.name == "docker":  # podman 4.3/conmon reports false on cgroup v1 here, with runc too
        assert inspect(engine, name + "-2", "{{.State.OOMKilled}}") == "true"


def test_pids_limit_holds_against_fork_bomb(engine: Engine, name: str) -> None:
    full = detach(engine, name, "--pids-limit", "20", cmd=("sh", "-c", "b() { b | b & }; b; sleep 600"))
    assert cgroup_file(engine, full, "pids", "pids.max") == "20"
    time.sleep(2)
    assert int(cgroup_file(engine, full, "pids", "pids.current")) <= 20
    assert int(cgroup_file(engine, full, "pids", "pids.events").split()[-1]) > 0  # forks were refused
    engine.remove(name)
    assert not engine.cgroups.find(full)


def test_cpu_limits(engine: Engine, name: str) -> None:
    full = detach(engine, name, "--cpus", "0.5", "--cpu-shares", "512", "--cpuset-cpus", "0")
    assert cgroup_file(engine, full, "cpu", "cpu.cfs_quota_us") == "50000"
    assert cgroup_file(engine, full, "cpu", "cpu.cfs_period_us") == "100000"
    assert cgroup_file(engine, full, "cpu", "cpu.shares") == "512"
    assert cgroup_file(engine, full, "cpuset", "cpuset.cpus") == "0"
    assert (
        engine.cli("exec", name, "grep", "Cpus_allowed_list", "/proc/self/status").stdout.split()[-1] == "0"
    )


def test_update_resources(engine: Engine, name: str) -> None:
    full = detach(engine, name, "-m", "64m", "--memory-swap", "64m")
    engine.cli(
        "update",
        "-m",
        "48m",
        "--memory-swap",
        "48m",
        "--cpu-shares",
        "256",
        "--cpus",
        "0.25",
        name,
        check=True,
    )
    assert cgroup_file(engine, full, "memory", "memory.limit_in_bytes") == str(48 << 20)
    assert cgroup_file(engine, full, "cpu", "cpu.shares") == "256"
    assert cgroup_file(engine, full, "cpu", "cpu.cfs_quota_us") == "25000"
    if engine.name == "docker":  # podman 4.3's update has no --pids-limit
        # docker sends every resource field, unset ones as 0: those must leave the cgroup as it is
        engine.cli("update", "--pids-limit", "33", name, check=True)
        assert cgroup_file(engine, full, "pids", "pids.max") == "33"
        assert cgroup_file(engine, full, "memory", "memory.limit_in_bytes") == str(48 << 20)


# --- security -------------------------------------------------------------------------------------------


def all_capabilities_in_bounding_set() -> bool:
    bounding = int(status_field(pathlib.Path("/proc/self/status").read_text(), "CapBnd"), 16)
    last = int(pathlib.Path("/proc/sys/kernel/cap_last_cap").read_text())
    return bounding == (1 << (last + 1)) - 1


def caps(engine: Engine, *opts: str) -> int:
    return int(status_field(ok(engine, "cat /proc/self/status", *opts), "CapEff"), 16)


def test_capabilities(engine: Engine) -> None:
    default = caps(engine)
    assert default & (1 << 0) and not default & (1 << 21)  # CHOWN yes, SYS_ADMIN no
    assert caps(engine, "--cap-drop", "ALL") == 0
    assert caps(engine, "--cap-drop", "ALL", "--cap-add", "NET_ADMIN") == 1 << 12
    proc = sh(engine, "chown 1000 /tmp", "--cap-drop", "CHOWN")
    assert proc.returncode != 0 and "operation not permitted" in proc.stderr.lower()
    ok(
        engine,
        "ip link set lo up && ip link add dummy0 type dummy 2>/dev/null; ip link set lo down",
        "--cap-add",
        "NET_ADMIN",
    )


def test_seccomp_default_unconfined_and_custom(engine: Engine, tmp_path: pathlib.Path) -> None:
    out = ok(engine, "cat /proc/self/status")
    assert status_field(out, "Seccomp") == "2" and int(status_field(out, "Seccomp_filters")) >= 1
    if engine.name == "docker":  # docker's profile refuses unshare without CAP_SYS_ADMIN; podman's allows it
        assert sh(engine, "unshare -U true").returncode != 0
        ok(engine, "unshare -U true", "--security-opt", "seccomp=unconfined")
    out = ok(engine, "cat /proc/self/status", "--security-opt", "seccomp=unconfined")
    assert status_field(out, "Seccomp") == "0"
    profile = tmp_path / "profile.json"
    profile.write_text(
        json.dumps(
            {
                "defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
            }
        )
    )
    proc = sh(engine, "mkdir /tmp/d", "--security-opt", f"seccomp={profile}")
    assert proc.returncode != 0 and "operation not permitted" in proc.stderr.lower()
    ok(engine, "touch /tmp/f", "--security-opt", f"seccomp={profile}")


def test_no_new_privileges(engine: Engine) -> None:
    assert status_field(ok(engine, "cat /proc/self/status"), "NoNewPrivs") == "0"
    out = ok(engine, "cat /proc/self/status", "--security-opt", "no-new-privileges")
    assert status_field(out, "NoNewPrivs") == "1"


def test_privileged(engine: Engine) -> None:
    if engine.name == "docker" and not all_capabilities_in_bounding_set():
        pytest.skip(
            "this machine's capability bounding set lacks some capabilities (CAP_SYS_RESOURCE here) "
            "and docker --privileged asks the runtime for every one it knows"
        )
    out = ok(
        engine,
        "cat /proc/self/status; mkdir /m && mount -t tmpfs t /m && echo mounted; ls /dev",
        "--privileged",
    )
    assert int(status_field(out, "CapEff"), 16) & (1 << 21)  # SYS_ADMIN
    assert status_field(out, "Seccomp") == "0"
    assert "mounted" in out
    assert "loop-control" in out.split() or "kmsg" in out.split()  # host devices are there


def test_devices(engine: Engine) -> None:
    # default devices are usable even though podman sends only a "deny all" rule
    ok(
        engine,
        "echo x > /dev/null && head -c 4 /dev/urandom >/dev/null && head -c 4 /dev/zero >/dev/null "
        "&& echo x > /dev/full; test $? = 1 && test -c /dev/tty && test -c /dev/random",
    )
    out = ok(engine, "head -c 3 /dev/myzero | od -An -tx1", "--device", "/dev/zero:/dev/myzero")
    assert out.split() == ["00", "00", "00"]
    # a node the container makes itself is refused by the device cgroup
    proc = sh(engine, "mknod /tmp/mem c 1 1 && head -c 1 /tmp/mem")
    assert proc.returncode != 0 and "operation not permitted" in proc.stderr.lower()


def test_ulimits(engine: Engine) -> None:
    # podman replaces all its default rlimits by the given ones: give nproc too (see docs/engines.md)
    out = ok(
        engine,
        "ulimit -Sn; ulimit -Hn; ulimit -u",
        "--ulimit",
        "nofile=512:1024",
        "--ulimit",
        "nproc=900:900",
    )
    assert out.split() == ["512", "1024", "900"]


def test_sysctls(engine: Engine) -> None:
    out = ok(
        engine,
        "cat /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ip_forward",
        "--sysctl",
        "kernel.msgmax=4096",
        "--sysctl",
        "net.ipv4.ip_forward=1",
    )
    assert out.split() == ["4096", "1"]


def init_binary(engine: Engine) -> str | None:
    """Where the engine looks for its --init binary (docker: docker-init on PATH; podman: catatonit)."""
    import shutil

    if engine.name == "docker":
        return shutil.which("docker-init")
    for candidate in ("/usr/libexec/podman/catatonit", "/usr/lib/podman/catatonit"):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("catatonit")


def test_init(engine: Engine) -> None:
    if init_binary(engine) is None:
        pytest.skip(f"{engine.name} --init: docker-init (apt: tini) / catatonit (apt: catatonit) is missing")
    out = ok(engine, "cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$", "--init")
    init_cmd, shell_pid = out.splitlines()[0], out.splitlines()[1]
    assert shell_pid != "1"
    assert any(word in init_cmd for word in ("init", "catatonit", "tini")), init_cmd


def test_masked_and_readonly_paths(engine: Engine) -> None:
    # /proc/kcore is absent on this kernel; timer_list is masked by both engines and exists here
    out = ok(
        engine,
        "wc -c < /proc/timer_list; ls /sys/firmware | wc -l; (echo 1 > /proc/sys/kernel/msgmax) 2>/dev/null; "
        "echo $?",
    )
    masked, firmware, write_status = out.split()[:3]
    assert masked == "0" and firmware == "0" and write_status != "0"
    unmask = (
        ["--security-opt", "unmask=ALL"]
        if engine.name == "podman"
        else ["--security-opt", "systempaths=unconfined"]
    )
    out = ok(engine, "grep -c ' /proc/timer_list ' /proc/mounts; wc -c < /proc/timer_list", *unmask)
    assert out.split()[0] == "0" and int(out.split()[1]) > 0


# --- sharing namespaces ---------------------------------------------------------------------------------


NS_LINKS = "readlink /proc/self/ns/net; readlink /proc/self/ns/ipc"


def test_join_another_containers_namespaces(engine: Engine, name: str) -> None:
    shareable = ["--ipc", "shareable"] if engine.name == "docker" else []  # docker's default is private
    detach(engine, name, *shareable, cmd=("sh", "-c", "echo shared > /dev/shm/mark; exec sleep 600"))
    wait_for(lambda: engine.cli("exec", name, "test", "-e", "/dev/shm/mark").returncode == 0, 20, "the mark")
    ns_a = engine.cli("exec", name, "sh", "-c", NS_LINKS).stdout.split()
    out = ok(
        engine,
        NS_LINKS + "; cat /dev/shm/mark; ps -o comm | grep -c sleep",
        "--network",
        f"container:{name}",
        "--ipc",
        f"container:{name}",
        "--pid",
        f"container:{name}",
    )
    net_b, ipc_b, mark, sleepers = out.split()
    assert [net_b, ipc_b] == ns_a
    assert mark == "shared" and int(sleepers) >= 1


def test_pod_shares_namespaces(podman, name: str) -> None:
    pod = name + "-pod"
    podman.cli(
        "pod",
        "create",
        "--name",
        pod,
        "--cgroup-parent",
        podman.cgroups.path("podman"),
        "--network",
        "none",
        "--hostname",
        "podhost",
        check=True,
        timeout=120,
    )
    try:
        podman.cli("run", "-d", "--pod", pod, "--name", name, podman.image, "sleep", "600", check=True)
        proc = podman.cli("run", "--rm", "--pod", pod, podman.image, "sh", "-c", "hostname; " + NS_LINKS)
        assert proc.returncode == 0, proc.stderr
        host, net_b, ipc_b = proc.stdout.split()
        inside = podman.cli("exec", name, "sh", "-c", NS_LINKS).stdout.split()
        assert host == "podhost" and [net_b, ipc_b] == inside
        podman.cli("pod", "stop", "-t", "1", pod, check=True, timeout=60)
    finally:
        podman.cli("pod", "rm", "-f", "-t", "0", pod, timeout=120)


# --- inspection -----------------------------------------------------------------------------------------


def test_top_ps_and_stats(engine: Engine, name: str) -> None:
    full = detach(engine, name)
    top = engine.cli("top", name)
    assert top.returncode == 0 and "sleep" in top.stdout, top.stderr
    assert full[:12] in engine.cli("ps", "--no-trunc").stdout
    stats = engine.cli("stats", "--no-stream", "--format", "{{.MemUsage}}", name, timeout=60)
    assert stats.returncode == 0 and "B" in stats.stdout, stats.stderr


# --- lifecycle hygiene ----------------------------------------------------------------------------------


def test_rm_leaves_nothing_behind(engine: Engine, name: str, tmp_path: pathlib.Path) -> None:
    before = mounts_under(engine.base)
    cidfile = tmp_path / "cid"
    ok(engine, "echo hi", "--name", name, "--cidfile", str(cidfile))
    full = cidfile.read_text().strip()
    wait_for(lambda: not engine.leftovers(full, before), 10, "the removed container to disappear")
    # a detached container force-removed while running
    full = detach(engine, name + "-2")
    engine.remove(name + "-2")
    wait_for(lambda: not engine.leftovers(full, before), 10, "the force-removed container to disappear")


def test_twenty_back_to_back(engine: Engine) -> None:
    before = mounts_under(engine.base)
    ids_before = set(engine.runtime_ids())
    for i in range(20):
        proc = engine.run(engine.image, "sh", "-c", f"echo {i}")
        assert proc.returncode == 0 and proc.stdout == f"{i}\n", proc.stderr
    assert set(engine.runtime_ids()) <= ids_before
    assert not engine.cli("ps", "-a", "-q").stdout.split()
    assert not set(mounts_under(engine.base)) - set(before)


def test_runtime_log_error_reaches_user(engine: Engine) -> None:
    """The runtime's JSON log error line is what the engine shows when create fails."""
    proc = engine.run("-w", "/data/image-file", engine.image, "true")
    assert proc.returncode != 0
    assert "not a directory" in proc.stderr.lower(), proc.stderr


def test_docker_prestart_hook(docker, name: str) -> None:
    """dockerd hands the runtime a prestart hook (libnetwork-setkey) even with --network none."""
    full = detach(docker, name)
    configs = list(pathlib.Path(docker.containerd.base / "state").rglob(f"{full}/config.json"))
    assert configs, "no bundle config.json found in containerd's state"
    spec = json.loads(configs[0].read_text())
    hooks = spec.get("hooks", {}).get("prestart", []) or spec.get("hooks", {}).get("createRuntime", [])
    assert any("libnetwork-setkey" in h.get("args", []) for h in hooks), spec.get("hooks")
    assert os.path.basename(configs[0].parent) == full
