"""`pyrunc exec` against real containers: what the new process sees, the flags, exit statuses, the
engine call forms, detach + pid-file, concurrency, and clean refusals. Terminals: test_exec_tty.py."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import threading
import time

import pytest

from tests.integration.conftest import pyrunc_cmd

pytestmark = pytest.mark.usefixtures("delete_containers")


def wait_status(rt, cid: str, want: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while True:
        proc = rt("state", cid)
        status = json.loads(proc.stdout)["status"] if proc.returncode == 0 else "absent"
        if status == want or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def start_container(rt, args: list[str] | None = None, *, mutate=None, start: bool = True) -> tuple[str, int]:
    """A container created (and started) in the background; returns (id, host pid of its init)."""
    bundle = rt.bundle(args or ["/bin/sleep", "600"], mutate=mutate)
    cid = rt.new_id()
    rt("create", "-b", str(bundle), cid, check=True, stdin=subprocess.DEVNULL)
    if start:
        rt("start", cid, check=True)
    return cid, rt.state(cid)["pid"]


def probe(rt, cid: str, *flags: str, **kw) -> dict:
    proc = rt("exec", *flags, cid, "/bin/probe", **kw)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """A runtime failure: exit 255 and exactly one `pyrunc: ...` line on stderr, no traceback."""
    assert proc.returncode == 255, (proc.returncode, proc.stderr)
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pyrunc: "), lines
    return lines[0]


def host_status_ids(pid: int) -> tuple[list[str], list[str]]:
    fields = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.split()
    return fields["Uid"], fields["Gid"]


def write_process(tmp_path: pathlib.Path, name: str, doc: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


BASE_PROCESS = {
    "terminal": False,
    "user": {"uid": 0, "gid": 0},
    "args": ["/bin/probe"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {k: ["CAP_KILL", "CAP_NET_BIND_SERVICE"] for k in ("bounding", "effective", "permitted")},
    "noNewPrivileges": True,
}


def cap_bits(hexmask: str) -> int:
    return int(hexmask, 16)


CAP_SYS_ADMIN = 1 << 21
CAP_KILL = 1 << 5


# ----- what the exec'd process sees ---------------------------------------------------------------


def test_exec_shares_namespaces_hostname_mounts_and_user_with_init(rt):
    def mutate(cfg):
        cfg["hostname"] = "exec-host"
        cfg["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5]}
        cfg["linux"]["namespaces"].append({"type": "time"})

    cid, init = start_container(rt, mutate=mutate)
    seen = probe(rt, cid)
    for kind, link in seen["ns"].items():
        assert link == os.readlink(f"/proc/{init}/ns/{kind}"), kind
    # Every namespace but user (the config has none) is the container's own, not the host's.
    for kind in ("pid", "net", "mnt", "ipc", "uts", "cgroup", "time"):
        assert seen["ns"][kind] != os.readlink(f"/proc/self/ns/{kind}"), kind
    assert seen["hostname"] == "exec-host"
    assert seen["pid"] > 1  # a new process in the container's pid namespace, not pid 1
    uids, gids = host_status_ids(init)
    assert [str(seen["uid"]), str(seen["euid"])] == uids[:2] == ["1000", "1000"]
    assert [str(seen["gid"]), str(seen["egid"])] == gids[:2] == ["1000", "1000"]
    assert seen["groups"] == [5]
    # Same mounts from the same root: mount ids, points and sources equal the init's as the host reads
    # them (cgroup mount roots are shown relative to the reader's cgroup namespace, so not those).
    mounts = rt("exec", cid, "cat", "/proc/self/mountinfo")
    assert mounts.returncode == 0, mounts.stderr

    def table(text: str) -> list[tuple[str, ...]]:
        rows = []
        for line in text.splitlines():
            fields = line.split()
            rows.append((fields[0], fields[1], fields[4], *fields[fields.index("-") + 1 :]))
        return rows

    assert table(mounts.stdout.decode()) == table(pathlib.Path(f"/proc/{init}/mountinfo").read_text())
    # Same cgroups, as both see them through the container's cgroup namespace.
    mine = rt("exec", cid, "cat", "/proc/self/cgroup", "/proc/1/cgroup")
    text = mine.stdout.decode().splitlines()
    half = len(text) // 2
    assert mine.returncode == 0 and half > 0 and text[:half] == text[half:]


def test_exec_has_no_runtime_fds_only_stdio_and_preserved(rt, tmp_path):
    cid, _ = start_container(rt)
    log = tmp_path / "pyrunc.log"
    seen = probe(rt, cid)
    assert seen["fds"] == [0, 1, 2]
    # --log keeps a file open in the runtime; -d path too; neither may leak.
    args = pyrunc_cmd() + [
        "--root",
        str(rt.root),
        "--log",
        str(log),
        "--log-format",
        "json",
        "exec",
        "--preserve-fds",
        "2",
        cid,
        "/bin/probe",
    ]
    wrapped = [
        "/bin/sh",
        "-c",
        'exec 3</etc/hostname 4</etc/hostname 5</etc/hostname; exec "$@"',
        "sh",
        *args,
    ]
    proc = subprocess.run(wrapped, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["fds"] == [0, 1, 2, 3, 4]


# ----- flags and process.json ---------------------------------------------------------------------


def test_exec_user_env_cwd_gids_flags(rt):
    cid, _ = start_container(rt)
    seen = probe(rt, cid, "--user", "1000:1001", "-g", "10", "--additional-gids", "20", "--cwd", "/tmp")
    assert (seen["uid"], seen["euid"], seen["gid"], seen["egid"]) == (1000, 1000, 1001, 1001)
    assert seen["groups"] == [10, 20]
    assert seen["cwd"] == "/tmp"
    only_uid = probe(rt, cid, "-u", "33")
    assert (only_uid["uid"], only_uid["gid"]) == (33, 0)
    env = rt("exec", "-e", "FOO=bar", "--env", "PATH=/bin", "-e", "EMPTY=", cid, "env")
    assert env.returncode == 0, env.stderr
    lines = env.stdout.decode().splitlines()
    assert "FOO=bar" in lines and "EMPTY=" in lines
    # A flag replaces the container's value instead of adding a second one.
    assert [line for line in lines if line.startswith("PATH=")] == ["PATH=/bin"]
    assert "TERM=xterm" in lines  # the rest of the container's environment is kept
    # HOME, when nobody set it, comes from the user's passwd entry in the container (runc does the same).
    assert "HOME=/root" in lines
    homes = {
        flags: [
            x for x in rt("exec", *flags, cid, "env").stdout.decode().splitlines() if x.startswith("HOME=")
        ]
        for flags in (("-u", "1000"), ("-e", "HOME=/x"))
    }
    assert homes == {("-u", "1000"): ["HOME=/"], ("-e", "HOME=/x"): ["HOME=/x"]}
    bad = rt("exec", "-u", "nobody", cid, "true")
    assert "--user" in one_error_line(bad)


def test_exec_cap_adds_to_bounding_effective_permitted_never_inheritable(rt):
    cid, init = start_container(rt)
    base = probe(rt, cid)
    assert not cap_bits(base["cap_bnd"]) & CAP_SYS_ADMIN
    seen = probe(rt, cid, "--cap", "CAP_SYS_ADMIN")
    for key in ("cap_bnd", "cap_eff", "cap_prm"):
        assert cap_bits(seen[key]) == cap_bits(base[key]) | CAP_SYS_ADMIN, key
    assert cap_bits(seen["cap_inh"]) == 0 and cap_bits(seen["cap_amb"]) == 0
    # The container itself is untouched.
    status = pathlib.Path(f"/proc/{init}/status").read_text()
    bnd = next(line.split()[1] for line in status.splitlines() if line.startswith("CapBnd"))
    assert not cap_bits(bnd) & CAP_SYS_ADMIN
    unknown = rt("exec", "--cap", "CAP_NO_SUCH", cid, "true")
    assert "CAP_NO_SUCH" in one_error_line(unknown)


def test_exec_no_new_privs_flag(rt):
    def mutate(cfg):
        cfg["process"]["noNewPrivileges"] = False

    cid, _ = start_container(rt, mutate=mutate)
    assert probe(rt, cid)["no_new_privs"] == 0
    assert probe(rt, cid, "--no-new-privs")["no_new_privs"] == 1


def test_exec_process_json_rlimits_and_container_seccomp(rt, tmp_path):
    def mutate(cfg):
        cfg["linux"]["seccomp"] = {
            "defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
        }
        cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024}]

    cid, _ = start_container(rt, mutate=mutate)
    doc = dict(
        BASE_PROCESS,
        rlimits=[
            {"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654},
            {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
        ],
        user={"uid": 7, "gid": 8, "additionalGids": [9], "umask": 0o27},
        cwd="/tmp",
        env=BASE_PROCESS["env"] + ["FROM_JSON=1"],
    )
    proc = rt("exec", "--process", write_process(tmp_path, "p.json", doc), cid)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["rlimits"]["RLIMIT_NOFILE"] == [321, 654]
    assert seen["rlimits"]["RLIMIT_CORE"] == [0, 0]
    assert (seen["uid"], seen["gid"], seen["groups"], seen["umask"], seen["cwd"]) == (7, 8, [9], 0o27, "/tmp")
    assert seen["seccomp"] == "2"  # the container's filter, in filter mode
    assert seen["no_new_privs"] == 1
    mkdir = dict(BASE_PROCESS, args=["/bin/mkdir", "/tmp/denied"])
    denied = rt("exec", "-p", write_process(tmp_path, "m.json", mkdir), cid)
    assert denied.returncode == 1 and b"Operation not permitted" in denied.stderr
    listing = rt("exec", cid, "ls", "/tmp")
    assert listing.returncode == 0 and b"denied" not in listing.stdout


@pytest.mark.parametrize(
    "doc, pointer",
    [
        ({"args": ["true"], "cwd": "relative"}, "/cwd"),
        ({"args": ["true"], "cwd": "/", "user": {"uid": "root", "gid": 0}}, "/user/uid"),
        ({"cwd": "/"}, "/args"),
        (
            {"args": ["true"], "cwd": "/", "rlimits": [{"type": "RLIMIT_NOPE", "soft": 1, "hard": 1}]},
            "/rlimits/0",
        ),
    ],
)
def test_exec_invalid_process_json_names_the_field(rt, tmp_path, doc, pointer):
    cid, _ = start_container(rt)
    line = one_error_line(rt("exec", "-p", write_process(tmp_path, "bad.json", doc), cid))
    assert f" {pointer}" in line, line
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{nope")
    assert "garbage.json" in one_error_line(rt("exec", "-p", str(garbage), cid))
    missing = one_error_line(rt("exec", "-p", str(tmp_path / "absent.json"), cid))
    assert "no such file or directory" in missing


# ----- exit statuses ------------------------------------------------------------------------------


def test_exec_exit_statuses(rt):
    cid, _ = start_container(rt)
    assert rt("exec", cid, "true").returncode == 0
    assert rt("exec", cid, "sh", "-c", "exit 3").returncode == 3
    assert rt("exec", cid, "sh", "-c", "no-such-program").returncode == 127
    assert rt("exec", cid, "sh", "-c", "kill -9 $$").returncode == 137
    assert rt("exec", cid, "sh", "-c", "kill -TERM $$").returncode == 143
    # A missing executable is the runtime's failure before exec: 255 with runc's wording (engines match
    # "executable file not found" and report 127 themselves).
    line = one_error_line(rt("exec", cid, "no-such-program"))
    assert 'exec: "no-such-program": executable file not found in $PATH' in line
    line = one_error_line(rt("exec", cid, "/no/such"))
    assert 'exec: "/no/such": stat /no/such: no such file or directory' in line
    line = one_error_line(rt("exec", "--cwd", "/no-such-dir", cid, "true"))
    assert "no such file or directory" in line
    # execve itself failing (a script whose interpreter is missing) is still the runtime's failure.
    rt("exec", cid, "sh", "-c", "printf '#!/no/interp\\n' > /tmp/s; chmod +x /tmp/s", check=True)
    line = one_error_line(rt("exec", cid, "/tmp/s"))
    assert 'exec: "/tmp/s": no such file or directory' in line
    assert "does not exist" in one_error_line(rt("exec", "no-such-container", "true"))
    assert one_error_line(rt("exec", cid))  # no command and no --process
    # Output still flows and the container still runs.
    echo = rt("exec", cid, "echo", "still", "fine")
    assert echo.returncode == 0 and echo.stdout == b"still fine\n"
    assert rt.state(cid)["status"] == "running"


def test_exec_forwards_signals_to_the_process(rt):
    cid, _ = start_container(rt)
    proc = subprocess.Popen(
        pyrunc_cmd()
        + [
            "--root",
            str(rt.root),
            "exec",
            cid,
            "sh",
            "-c",
            "trap 'exit 42' USR1; echo ready; while :; do sleep 0.1; done",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout.readline() == b"ready\n"
        proc.send_signal(signal.SIGUSR1)
        assert proc.wait(timeout=20) == 42
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


# ----- detach, pid-file, engine call forms --------------------------------------------------------


def assert_in_container(pid: int, init: int) -> None:
    assert pathlib.Path(f"/proc/{pid}/cgroup").read_text() == pathlib.Path(f"/proc/{init}/cgroup").read_text()
    for kind in ("pid", "mnt", "net", "ipc", "uts", "cgroup"):
        assert os.readlink(f"/proc/{pid}/ns/{kind}") == os.readlink(f"/proc/{init}/ns/{kind}"), kind


def test_exec_detach_writes_pid_file_of_live_process_in_container_cgroup(rt, tmp_path):
    cid, init = start_container(rt)
    pid_file = tmp_path / "exec.pid"
    start = time.monotonic()
    proc = rt("exec", "-d", "--pid-file", str(pid_file), cid, "sleep", "300", stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - start < 20
    text = pid_file.read_text()
    assert text.isdigit()
    pid = int(text)
    assert pathlib.Path(f"/proc/{pid}/cmdline").read_bytes() == b"sleep\x00300\x00"
    assert_in_container(pid, init)
    assert pid in json.loads(rt("ps", "-f", "json", cid, check=True).stdout)
    os.kill(pid, signal.SIGKILL)
    # A failure at the very end (execve) still fails the detached exec, and no pid file is written.
    rt("exec", cid, "sh", "-c", "printf '#!/no/interp\\n' > /tmp/s; chmod +x /tmp/s", check=True)
    late = tmp_path / "late.pid"
    line = one_error_line(rt("exec", "-d", "--pid-file", str(late), cid, "/tmp/s", stdin=subprocess.DEVNULL))
    assert "/tmp/s" in line and not late.exists()


def test_exec_engine_forms_containerd_and_conmon_without_tty(rt, tmp_path):
    cid, init = start_container(rt)
    doc = dict(BASE_PROCESS, args=["/bin/sleep", "300"])
    spec = write_process(tmp_path, "process.json", doc)
    # containerd-shim-runc-v2: stdio are pipes/fifos the shim holds.
    pid_a = tmp_path / "a.pid"
    r, w = os.pipe()
    try:
        proc = rt(
            "exec",
            "--process",
            spec,
            "--detach",
            "--pid-file",
            str(pid_a),
            cid,
            stdin=subprocess.DEVNULL,
            stdout=w,
            stderr=w,
        )
    finally:
        os.close(w)
    assert proc.returncode == 0
    # conmon: --pid-file first.
    pid_b = tmp_path / "b.pid"
    proc2 = rt("exec", "--pid-file", str(pid_b), "--process", spec, "--detach", cid, stdin=subprocess.DEVNULL)
    assert proc2.returncode == 0, proc2.stderr
    pids = [int(pid_a.read_text()), int(pid_b.read_text())]
    for pid in pids:
        assert_in_container(pid, init)
    os.close(r)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


def test_twenty_concurrent_execs(rt):
    cid, _ = start_container(rt)
    results: dict[int, subprocess.CompletedProcess] = {}

    def one(i: int) -> None:
        results[i] = rt("exec", "-e", f"N={i}", cid, "sh", "-c", 'echo "n=$N"; exit $((N % 7))', timeout=120)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(20))
    for i, proc in results.items():
        assert proc.returncode == i % 7, (i, proc.stderr)
        assert proc.stdout == f"n={i}\n".encode()
    assert rt.state(cid)["status"] == "running"


# ----- refusals -----------------------------------------------------------------------------------


def test_exec_into_created_container_fails_cleanly(rt):
    cid, _ = start_container(rt, start=False)
    assert "created" in one_error_line(rt("exec", cid, "true"))
    assert rt.state(cid)["status"] == "created"


def test_exec_into_stopped_container_fails_cleanly(rt, tmp_path):
    cid, _ = start_container(rt, ["/bin/true"])
    assert wait_status(rt, cid, "stopped") == "stopped"
    assert "stopped" in one_error_line(rt("exec", cid, "true"))
    # Engines read the reason from the last line of the JSON log.
    log = tmp_path / "log.json"
    proc = rt("--log", str(log), "--log-format", "json", "exec", "--process", "/dev/null", cid)
    assert proc.returncode == 255
    last = json.loads(log.read_text().splitlines()[-1])
    assert last["level"] == "error" and last["msg"]


def test_exec_after_init_is_gone_fails_cleanly(rt):
    cid, init = start_container(rt)
    os.kill(init, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{init}") and time.monotonic() < deadline:
        time.sleep(0.02)
    line = one_error_line(rt("exec", cid, "true"))
    assert "stopped" in line or "not running" in line


def test_exec_into_paused_container_and_ignore_paused(rt):
    cid, _ = start_container(rt)
    rt("pause", cid, check=True)
    try:
        assert "paused" in one_error_line(rt("exec", cid, "true"))
        # With --ignore-paused the process joins the frozen cgroup and runs once the container resumes.
        late = subprocess.Popen(
            pyrunc_cmd() + ["--root", str(rt.root), "exec", "--ignore-paused", cid, "echo", "after resume"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(1)
    finally:
        rt("resume", cid, check=True)
    out, err = late.communicate(timeout=60)
    assert late.returncode == 0, err
    assert out == b"after resume\n"


# ----- --cgroup -----------------------------------------------------------------------------------


def container_cgroup_dirs(bundle: pathlib.Path) -> dict[str, pathlib.Path]:
    """controller -> the container's cgroup directory ("" = the cgroup v2 tree)."""
    rel = json.loads((bundle / "config.json").read_text())["linux"]["cgroupsPath"].lstrip("/")
    base = pathlib.Path("/sys/fs/cgroup")
    if (base / "cgroup.controllers").exists():
        return {"": base / rel}
    dirs = {}
    for mount in base.iterdir():
        target = mount / rel
        if not target.is_dir():
            continue
        dirs["" if mount.name == "unified" else mount.name] = target
    return dirs


def test_exec_cgroup_sub_path(rt):
    bundle = rt.bundle(["/bin/sleep", "600"])
    cid = rt.new_id()
    rt("create", "-b", str(bundle), cid, check=True, stdin=subprocess.DEVNULL)
    rt("start", cid, check=True)
    dirs = container_cgroup_dirs(bundle)
    if "" not in dirs:
        pytest.skip("this host mounts no cgroup v2 tree for the container")
    made = []
    try:
        for ctrl, d in dirs.items():
            if d.is_symlink() or d in made:
                continue
            sub = d / "sub"
            sub.mkdir()
            made.append(sub)
            if ctrl == "cpuset":
                for name in ("cpuset.cpus", "cpuset.mems"):
                    (sub / name).write_text((d / name).read_text())
        seen = rt("exec", "--cgroup", "sub", cid, "cat", "/proc/self/cgroup")
        assert seen.returncode == 0, seen.stderr
        lines = seen.stdout.decode().splitlines()
        assert lines and all(line.endswith(":/sub") for line in lines), lines
        if len(dirs) > 1:
            # v1: a controller-qualified sub-path moves only that controller.
            pids = rt("exec", "--cgroup", "pids:sub", cid, "cat", "/proc/self/cgroup")
            assert pids.returncode == 0, pids.stderr
            for line in pids.stdout.decode().splitlines():
                name = line.split(":")[1]
                assert line.endswith(":/sub") == (name == "pids"), line
        else:
            bad = rt("exec", "--cgroup", "pids:sub", cid, "true")
            assert "cgroup v2" in one_error_line(bad)
        missing = one_error_line(rt("exec", "--cgroup", "nope", cid, "true"))
        assert "nope" in missing
        assert ".." in one_error_line(rt("exec", "--cgroup", "../escape", cid, "true"))
    finally:
        rt("kill", cid, "KILL")
        wait_status(rt, cid, "stopped")
        for sub in made:
            deadline = time.monotonic() + 10
            while True:
                try:
                    sub.rmdir()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        rt("delete", "--force", cid)


# ----- user namespace -----------------------------------------------------------------------------


def test_exec_joins_the_containers_user_namespace_first(rt, tmp_path):
    """With a user namespace the new process must join it before the others, be root in it (mapped to
    host uid 100000), and still reach its binary (a private rootfs copy the remapped root can read)."""
    import shutil
    import tempfile

    mapping = [{"containerID": 0, "hostID": 100000, "size": 65536}]

    def mutate(cfg):
        cfg["linux"]["namespaces"].append({"type": "user"})
        cfg["linux"]["uidMappings"] = mapping
        cfg["linux"]["gidMappings"] = mapping

    open_dir = pathlib.Path(tempfile.mkdtemp(prefix="pyrunc-exec-userns-"))
    try:
        open_dir.chmod(0o755)
        bundle = rt.bundle(["/bin/sleep", "600"], mutate=mutate, own_rootfs=True)
        bundle = pathlib.Path(shutil.move(str(bundle), open_dir / bundle.name))
        cid = rt.new_id()
        try:
            rt("create", "-b", str(bundle), cid, check=True, stdin=subprocess.DEVNULL)
            rt("start", cid, check=True)
            init = rt.state(cid)["pid"]
            seen = probe(rt, cid)
            assert (
                seen["ns"]["user"]
                == os.readlink(f"/proc/{init}/ns/user")
                != os.readlink("/proc/self/ns/user")
            )
            for kind, link in seen["ns"].items():
                assert link == os.readlink(f"/proc/{init}/ns/{kind}"), kind
            assert (seen["uid"], seen["gid"]) == (0, 0)
            pid_file = tmp_path / "p.pid"
            rt(
                "exec",
                "-d",
                "--pid-file",
                str(pid_file),
                "-u",
                "5",
                cid,
                "sleep",
                "60",
                check=True,
                stdin=subprocess.DEVNULL,
            )
            pid = int(pid_file.read_text())
            uids, _ = host_status_ids(pid)
            assert uids[0] == str(100000 + 5)
            os.kill(pid, signal.SIGKILL)
        finally:
            rt("delete", "--force", cid)
    finally:
        shutil.rmtree(open_dir, ignore_errors=True)
