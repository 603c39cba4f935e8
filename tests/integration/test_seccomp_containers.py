"""linux.seccomp observed inside real containers started by `pyrunc run`."""

from __future__ import annotations

import errno
import json
import os
import pathlib
import shutil
import socket
import subprocess
import threading

import pytest

ENGINE_CONFIGS = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "engine-configs"


def with_seccomp(section: dict):  # type: ignore[no-untyped-def]
    def mutate(cfg: dict) -> None:
        cfg["linux"]["seccomp"] = section

    return mutate


def engine_seccomp(engine: str) -> dict:
    return json.loads((ENGINE_CONFIGS / f"{engine}.json").read_text())["linux"]["seccomp"]


def test_errno_rule_reaches_the_container_process(rt) -> None:
    section = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EXDEV}],
    }
    proc = rt.run_container(["/bin/sh", "-c", "mkdir /tmp/x; echo rc=$?"], mutate=with_seccomp(section))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"rc=1\n"
    assert b"Invalid cross-device link" in proc.stderr


def test_kill_process_rule_kills_with_sigsys(rt) -> None:
    section = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["sethostname"], "action": "SCMP_ACT_KILL_PROCESS"}],
    }
    proc = rt.run_container(["/bin/sh", "-c", "hostname x; echo status=$?"], mutate=with_seccomp(section))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"status=159\n"  # 128 + SIGSYS


def test_args_and_default_errno_ret(rt) -> None:
    # Everything the busybox shell needs is allowed; kill(2) only with signal 0 (an EQ on arg 1).
    allowed = sorted(
        {
            n
            for r in engine_seccomp("podman")["syscalls"]
            if r["action"] == "SCMP_ACT_ALLOW"
            for n in r["names"]
        }
        - {"kill"}
    )
    section = {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": errno.ENOSPC,
        "syscalls": [
            {"names": allowed, "action": "SCMP_ACT_ALLOW"},
            {
                "names": ["kill"],
                "action": "SCMP_ACT_ALLOW",
                "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}],
            },
        ],
    }
    script = "kill -0 1; echo k0=$?; kill -HUP 99999; echo k1=$?; hostname y; echo h=$?"
    proc = rt.run_container(["/bin/sh", "-c", script], mutate=with_seccomp(section))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"k0=0\nk1=1\nh=1\n"
    # Both refusals carry defaultErrnoRet (ENOSPC), not the kernel's ESRCH / the default EPERM.
    assert proc.stderr.count(b"No space left on device") == 2, proc.stderr


def test_engine_profiles_run_a_shell(rt) -> None:
    for engine in ("docker", "podman"):
        proc = rt.run_container(
            ["/bin/sh", "-c", "echo ok; hostname z 2>/dev/null; echo h=$?"],
            mutate=with_seccomp(engine_seccomp(engine)),
        )
        assert proc.returncode == 0, (engine, proc.stderr)
        assert proc.stdout == b"ok\nh=1\n", engine  # sethostname is refused by both profiles


def test_compiled_filter_is_cached_under_the_root(rt) -> None:
    section = engine_seccomp("podman")
    for _ in range(2):
        assert rt.run_container(["/bin/true"], mutate=with_seccomp(section)).returncode == 0
    cache = rt.root / ".seccomp-cache"
    st = cache.stat()
    assert st.st_uid == os.geteuid() and st.st_mode & 0o777 == 0o700
    entries = [p for p in cache.iterdir() if p.name.endswith(".bpf")]
    assert len(entries) == 1 and entries[0].stat().st_mode & 0o777 == 0o600


class Agent:
    """A seccomp agent on listenerPath: takes the state document and the listener fd, then answers
    the first notification by pretending the call succeeded."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.sock.settimeout(30)
        self.doc: dict | None = None
        self.notified_nr: int | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from pyrunc.native import ffi, lib

        try:
            conn, _ = self.sock.accept()
            with conn:
                conn.settimeout(30)
                data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
                while True:
                    more = conn.recv(1 << 16)
                    if not more:
                        break
                    data += more
            self.doc = json.loads(data)
            assert len(fds) == 1
            listener = fds[0]
            try:
                notif = ffi.new("struct pyrunc_seccomp_notif *")
                err = ffi.new("struct pyrunc_err *")
                if lib.pyrunc_seccomp_notify_recv(listener, notif, 30000, err) != 1:
                    raise AssertionError(f"no notification: {ffi.string(err.msg)!r}")
                self.notified_nr = notif.nr
                if lib.pyrunc_seccomp_notify_respond(listener, notif.id, 0, 0, 0, err) < 0:
                    raise AssertionError(ffi.string(err.msg))
            finally:
                os.close(listener)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def close(self) -> None:
        self.thread.join(35)
        self.sock.close()


def test_notify_sends_state_and_listener_to_the_agent(rt, tmp_path: pathlib.Path) -> None:
    from pyrunc.native import lib

    agent = Agent(tmp_path / "agent.sock")
    section = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "listenerPath": str(agent.path),
        "listenerMetadata": "meta-x",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}],
    }
    try:
        proc = rt.run_container(
            ["/bin/sh", "-c", "mkdir /tmp/n; echo rc=$?; test -d /tmp/n && echo exists || echo absent"],
            mutate=with_seccomp(section),
        )
    finally:
        agent.close()
    assert agent.error is None, agent.error
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"rc=0\nabsent\n"  # the agent said "done" without doing it
    assert agent.notified_nr in (
        lib.pyrunc_seccomp_resolve_syscall(b"mkdir"),
        lib.pyrunc_seccomp_resolve_syscall(b"mkdirat"),
    )
    doc = agent.doc
    assert doc is not None
    assert doc["fds"] == ["seccompFd"] and doc["metadata"] == "meta-x"
    assert doc["ociVersion"] and doc["state"]["status"] == "creating"
    assert doc["pid"] == doc["state"]["pid"] and doc["pid"] > 0
    assert doc["state"]["id"] == rt.ids[-1]


def test_failed_listener_send_fails_the_create(rt, tmp_path: pathlib.Path) -> None:
    section = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "listenerPath": str(tmp_path / "nobody-listens.sock"),
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}],
    }
    proc = rt.run_container(["/bin/true"], mutate=with_seccomp(section))
    assert proc.returncode == 1
    assert b"nobody-listens.sock" in proc.stderr
    # The rt fixture checks that no container, mount or cgroup was left behind.


def test_bad_seccomp_config_names_the_field(rt) -> None:
    section = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_NOPE"}],
    }
    proc = rt.run_container(["/bin/true"], mutate=with_seccomp(section))
    assert proc.returncode == 1
    assert b"/linux/seccomp/syscalls/0/action" in proc.stderr


SYSCALL_PROBE = r"""
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        long r = syscall(atol(argv[i]), 0, 0, 0, 0, 0, 0);
        printf("%d ", r < 0 ? errno : 0);
    }
    printf("\n");
    return 0;
}
"""


def test_syscalls_newer_than_docker_profile_get_enosys_in_the_container(rt, tmp_path: pathlib.Path) -> None:
    from pyrunc.native import lib

    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed (needed to build the static syscall probe)")
    src = tmp_path / "sysprobe.c"
    src.write_text(SYSCALL_PROBE)
    binary = tmp_path / "sysprobe"
    subprocess.run(["gcc", "-static", "-O1", "-o", str(binary), str(src)], check=True)
    docker = engine_seccomp("docker")
    native = lib.pyrunc_seccomp_native_arch()
    last = max(
        lib.pyrunc_seccomp_resolve_syscall_arch(native, n.encode())
        for r in docker["syscalls"]
        for n in r["names"]
    )
    named = {n for r in docker["syscalls"] for n in r["names"]}
    older = next(n for n in ("add_key", "request_key", "kexec_load") if n not in named)
    older_nr = lib.pyrunc_seccomp_resolve_syscall(older.encode())
    bundle = rt.bundle(
        ["/bin/sysprobe", str(last + 1), str(last + 50), str(older_nr)],
        mutate=with_seccomp(docker),
        own_rootfs=True,
    )
    shutil.copy2(binary, bundle / "rootfs" / "bin" / "sysprobe")
    proc = rt("run", "-b", str(bundle), rt.new_id())
    assert proc.returncode == 0, proc.stderr
    # Newer than anything the profile names: ENOSYS (libc falls back). Older but unnamed: EPERM.
    assert proc.stdout.split() == [
        str(errno.ENOSYS).encode(),
        str(errno.ENOSYS).encode(),
        str(errno.EPERM).encode(),
    ]
