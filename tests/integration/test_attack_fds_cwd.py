"""CVE-2024-21626 class: nothing of the runtime's reaches the container. The container process holds only
stdio, the fds the caller asked to preserve (--preserve-fds) and the socket-activation ones (LISTEN_FDS);
a process.cwd (or `exec --cwd`) that resolves outside the container's root, e.g. /proc/self/fd/N on a
directory fd, is refused with nothing left behind.

Defences: stage_child's close_unneeded_fds and stage_init's close_range(CLOSE_RANGE_CLOEXEC) before the
final execve (csrc/spawn.c); pr_process_chdir's check that the cwd, once entered, is reachable from the
container's root (csrc/process.c). The attacker is handed a host directory fd on purpose (the leaked fd of
the CVE was a host cgroup directory): an ablation without the cwd check shows the escape it prevents.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from tests.integration.conftest import pyrunc_cmd
from tests.integration.test_attack_support import ablated_runtime, build_static

FDLIST = r"""
/* fdlist: one JSON object: {"fds": {"N": "target", ...}, "cwd": "..."}, its own directory fd left out. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    char path[300], target[4096], cwd[4096];
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int first = 1;
    if (!d)
        return 1;
    printf("{\"fds\":{");
    while ((e = readdir(d))) {
        ssize_t n;
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
            continue;
        snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
        n = readlink(path, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = 0;
        printf("%s\"%s\":\"%s\"", first ? "" : ",", e->d_name, target);
        first = 0;
    }
    closedir(d);
    printf("},\"cwd\":\"%s\"}\n", getcwd(cwd, sizeof(cwd)) ? cwd : "(none)");
    return 0;
}
"""


@pytest.fixture(scope="module")
def fdlist(tmp_path_factory):
    return build_static(FDLIST, tmp_path_factory.mktemp("fdlist") / "fdlist")


@pytest.fixture
def host_dir():
    """A host directory the container must never reach: handed to the runtime as an open fd."""
    path = pathlib.Path(tempfile.mkdtemp(prefix="pyrunc-hostdir-"))
    (path / "marker").write_text("host\n")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def with_fdlist(rt, fdlist, args=("/bin/fdlist",), mutate=None):
    """A bundle whose private rootfs has the fd lister at /bin/fdlist."""
    bundle = rt.bundle(list(args), mutate=mutate, own_rootfs=True)
    shutil.copy2(fdlist, bundle / "rootfs" / "bin" / "fdlist")
    return bundle


def run_with_fds(
    rt,
    args: list[str],
    fds: dict[int, str],
    env: dict[str, str] | None = None,
    runtime: list[str] | None = None,
) -> subprocess.CompletedProcess:
    """Run the runtime with the given paths open (O_RDONLY; directories too) at exactly the given fd
    numbers, as an engine or systemd hands fds over."""
    opened = {}
    try:
        for number, path in fds.items():
            opened[number] = os.open(path, os.O_RDONLY)
        moves = " ".join(f"{number}<&{fd}" for number, fd in opened.items())
        closes = " ".join(f"{fd}<&-" for fd in opened.values() if fd not in opened)
        script = f'exec {moves} {closes}; exec "$@"'
        cmd = (runtime or pyrunc_cmd()) + ["--root", str(rt.root), *args]
        return subprocess.run(
            ["bash", "-c", script, "bash", *cmd],
            pass_fds=tuple(opened.values()),
            capture_output=True,
            timeout=60,
            env=env,
        )
    finally:
        for fd in opened.values():
            os.close(fd)


def parse(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def assert_nothing_left(rt, cid: str) -> None:
    assert rt("state", cid).returncode == 1
    assert not (rt.root / cid).exists()


# --- the fds a container gets ----------------------------------------------------------------------------


def test_run_leaves_only_stdio(rt, fdlist, host_dir):
    """The caller's stray fds (a host directory at 3 and 7) and every fd the runtime opened itself (state
    lock, sync socket, exec fifo, log file, cgroup files) stay outside."""
    cid = rt.new_id()
    seen = parse(
        run_with_fds(
            rt,
            [
                "--log",
                str(rt.work / "log.json"),
                "--log-format",
                "json",
                "run",
                "-b",
                str(with_fdlist(rt, fdlist)),
                cid,
            ],
            {3: str(host_dir), 7: str(host_dir)},
        )
    )
    assert sorted(seen["fds"], key=int) == ["0", "1", "2"], seen
    assert seen["cwd"] == "/"


def test_preserved_fds_and_nothing_above_them(rt, fdlist, host_dir):
    cid = rt.new_id()
    proc = run_with_fds(
        rt,
        ["run", "--preserve-fds", "2", "-b", str(with_fdlist(rt, fdlist)), cid],
        {3: "/dev/null", 4: "/dev/zero", 5: str(host_dir), 6: str(host_dir)},
    )
    seen = parse(proc)
    assert sorted(seen["fds"], key=int) == ["0", "1", "2", "3", "4"], seen
    assert seen["fds"]["3"] == "/dev/null" and seen["fds"]["4"] == "/dev/zero"


def test_listen_fds_are_passed_on(rt, fdlist, host_dir):
    """systemd socket activation: LISTEN_FDS=2 (for us: no LISTEN_PID) passes 3 and 4, not 5."""
    env = dict(os.environ, LISTEN_FDS="2")
    env.pop("LISTEN_PID", None)
    cid = rt.new_id()
    proc = run_with_fds(
        rt,
        ["run", "-b", str(with_fdlist(rt, fdlist, ["/bin/sh", "-c", "fdlist; echo $LISTEN_FDS"])), cid],
        {3: "/dev/null", 4: "/dev/zero", 5: str(host_dir)},
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    listing, listen = proc.stdout.decode().splitlines()
    # The shell itself holds no extra fd here: what fdlist lists is what the container got.
    assert sorted(json.loads(listing)["fds"], key=int) == ["0", "1", "2", "3", "4"], listing
    assert listen == "2"


def test_exec_leaves_only_stdio(rt, fdlist, host_dir):
    cid = rt.new_id()
    rt("run", "-d", "-b", str(with_fdlist(rt, fdlist, ["/bin/sleep", "60"])), cid, check=True)
    try:
        seen = parse(run_with_fds(rt, ["exec", cid, "/bin/fdlist"], {3: str(host_dir), 9: str(host_dir)}))
        assert sorted(seen["fds"], key=int) == ["0", "1", "2"], seen
        seen = parse(
            run_with_fds(
                rt, ["exec", "--preserve-fds", "1", cid, "/bin/fdlist"], {3: "/dev/null", 4: str(host_dir)}
            )
        )
        assert sorted(seen["fds"], key=int) == ["0", "1", "2", "3"], seen
    finally:
        rt("delete", "--force", cid)


# --- a cwd outside the root ------------------------------------------------------------------------------


def hostile_cwd(cwd: str):
    def mutate(cfg):
        cfg["process"]["cwd"] = cwd

    return mutate


def test_cwd_through_a_preserved_host_directory_fd_is_refused(rt, fdlist, host_dir):
    """The CVE's shape: fd 3 is a host directory (preserved on purpose here; leaked in the CVE) and
    process.cwd is /proc/self/fd/3. Create fails, nothing is left, the host directory is untouched."""
    before = sorted(os.listdir(host_dir))
    bundle = with_fdlist(
        rt, fdlist, ["/bin/sh", "-c", "touch escaped; fdlist"], mutate=hostile_cwd("/proc/self/fd/3")
    )
    cid = rt.new_id()
    proc = run_with_fds(rt, ["create", "--preserve-fds", "1", "-b", str(bundle), cid], {3: str(host_dir)})
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert b"current working directory is outside of container mount namespace root" in proc.stderr
    assert_nothing_left(rt, cid)
    assert sorted(os.listdir(host_dir)) == before


@pytest.mark.parametrize("fd", range(3, 12))
def test_cwd_through_any_runtime_fd_fails_cleanly(rt, fd):
    """Whatever the runtime's init has open at fd N while it enters the cwd (sync socket, exec fifo,
    console...), /proc/self/fd/N is never a way out: create fails with one error line, nothing left."""
    bundle = rt.bundle(
        ["/bin/sh", "-c", "touch escaped-from-$PWD"], mutate=hostile_cwd(f"/proc/self/fd/{fd}")
    )
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stderr.count(b"\n") == 1, proc.stderr
    assert b'chdir to cwd ("/proc/self/fd/' in proc.stderr or b"outside of container mount" in proc.stderr, (
        proc.stderr
    )
    assert_nothing_left(rt, cid)


def test_exec_cwd_through_a_host_directory_fd_is_refused(rt, fdlist, host_dir):
    before = sorted(os.listdir(host_dir))
    cid = rt.new_id()
    rt("run", "-d", "-b", str(with_fdlist(rt, fdlist, ["/bin/sleep", "60"])), cid, check=True)
    try:
        proc = run_with_fds(
            rt,
            [
                "exec",
                "--preserve-fds",
                "1",
                "--cwd",
                "/proc/self/fd/3",
                cid,
                "/bin/sh",
                "-c",
                "touch escaped",
            ],
            {3: str(host_dir)},
        )
        assert proc.returncode == 255, (proc.returncode, proc.stderr)
        assert b"current working directory is outside of container mount namespace root" in proc.stderr
        assert rt.state(cid)["status"] == "running"
        # The refused exec left no process behind in the container.
        listing = rt("exec", cid, "/bin/ps", "-o", "pid,args")
        assert b"escaped" not in listing.stdout and listing.stdout.count(b"\n") == 3, listing.stdout
    finally:
        rt("delete", "--force", cid)
    assert sorted(os.listdir(host_dir)) == before


def test_without_the_cwd_check_the_container_escapes(rt, fdlist, host_dir, tmp_path):
    """Ablation: the core rebuilt without pr_process_chdir's reachability check starts the container with
    its cwd on the host directory, and the container writes there."""
    launcher = ablated_runtime(
        tmp_path / "core",
        {
            "csrc/process.c": [
                ("if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')", "if (0)"),
            ]
        },
    )
    bundle = with_fdlist(
        rt, fdlist, ["/bin/sh", "-c", "touch escaped"], mutate=hostile_cwd("/proc/self/fd/3")
    )
    proc = run_with_fds(
        rt,
        ["run", "--preserve-fds", "1", "-b", str(bundle), rt.new_id()],
        {3: str(host_dir)},
        runtime=[str(launcher)],
    )
    assert proc.returncode == 0, proc.stderr
    assert (host_dir / "escaped").exists()
