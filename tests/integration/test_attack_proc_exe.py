"""CVE-2019-5736 class: a container process must not reach the host's runtime binary through
/proc/PID/exe, nor the runtime's memory through /proc/PID/mem, while a pyrunc process is inside the
container's namespaces: `pyrunc exec`'s joiner before its execve, and create's init waiting for start.

Defence: stage_child and stage_init (csrc/spawn.c) make the process non-dumpable (PR_SET_DUMPABLE 0)
before they enter a container namespace; the kernel then refuses ptrace-mode access (open of exe or
mem) to anyone without CAP_SYS_PTRACE in the host's user namespace. A static watcher inside the
container opens /proc/PID/exe with O_PATH, as the published exploit does, for as long as PID still
names a pyrunc stage. The ablation test runs the same attack against a core built without the two
prctl calls, to show they are what stops it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

from tests.integration.test_attack_support import (
    ablated_runtime,
    bind,
    build_static,
    host_mounts_under,
    open_dir,
)

HOST_PYTHON = pathlib.Path(os.path.realpath(sys.executable))
USERNS_MAP = [{"containerID": 0, "hostID": 100000, "size": 65536}]
# Host root mapped to the container's root: becoming root in the namespace changes no uid, so the kernel
# does not mark the process non-dumpable on its own (a uid change would), and only the prctl is left.
ROOT_IDENTITY_MAP = [
    {"containerID": 0, "hostID": 0, "size": 1},
    {"containerID": 1, "hostID": 100001, "size": 65535},
]
DENIED = (errno.EACCES, errno.EPERM)

WATCHER = r"""
/* exewatch OUT FIRST_PID NPIDS SECONDS [STOPFILE]: for each pid from FIRST_PID on, as soon as it appears
 * and for as long as its comm still names a pyrunc stage, try to open its /proc/PID/exe (O_PATH, as the
 * CVE-2019-5736 exploit does) and /proc/PID/mem (O_RDWR). One line per distinct outcome:
 *   hit PID COMM EXE_ERRNO MEM_ERRNO DEV INO     (errno 0 = opened; DEV/INO of what exe opened)
 * then "pid PID hits N" when the pid is done, "end" at the end (after NPIDS pids, SECONDS, or once
 * STOPFILE exists). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static int read_comm(int pid, char *buf, size_t cap)
{
    char path[64];
    ssize_t n;
    int fd;
    snprintf(path, sizeof(path), "/proc/%d/comm", pid);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    n = read(fd, buf, cap - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

static int last_pid(void)
{
    char buf[32] = {0};
    int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY);
    if (fd < 0)
        return 0;
    if (read(fd, buf, sizeof(buf) - 1) < 0)
        buf[0] = 0;
    close(fd);
    return atoi(buf);
}

static int is_runtime(const char *comm)
{
    return strncmp(comm, "pyrunc:", 7) == 0;
}

int main(int argc, char **argv)
{
    FILE *out;
    int pid, n;
    time_t deadline;
    if (argc != 5 && argc != 6)
        return 2;
    out = fopen(argv[1], "w");
    if (!out)
        return 3;
    setvbuf(out, NULL, _IOLBF, 0);
    pid = atoi(argv[2]);
    n = atoi(argv[3]);
    deadline = time(NULL) + atoi(argv[4]);
    fprintf(out, "ready\n");
    for (int done = 0; done < n && time(NULL) < deadline;) {
        char dir[64], exe[64], mem[64], c1[64], c2[64];
        int hits = 0, last_e = -1, last_m = -1;
        unsigned long last_ino = 0;
        struct stat st;
        snprintf(dir, sizeof(dir), "/proc/%d", pid);
        snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
        snprintf(mem, sizeof(mem), "/proc/%d/mem", pid);
        if (stat(dir, &st) < 0) {
            if (argc == 6 && access(argv[5], F_OK) == 0)
                break;
            if (last_pid() < pid)
                continue; /* not born yet: spin */
            fprintf(out, "pid %d missed\n", pid); /* born and gone between two looks */
            pid++;
            done++;
            continue;
        }
        /* A created init waits for start forever: a pid is watched for 20000 attempts at most. */
        while (hits < 20000 && time(NULL) < deadline && read_comm(pid, c1, sizeof(c1)) == 0 &&
               is_runtime(c1)) {
            struct stat es = {0};
            int efd = open(exe, O_PATH | O_CLOEXEC);
            int e = efd < 0 ? errno : 0;
            int mfd = open(mem, O_RDWR | O_CLOEXEC);
            int m = mfd < 0 ? errno : 0;
            if (efd >= 0)
                fstat(efd, &es);
            if (efd >= 0)
                close(efd);
            if (mfd >= 0)
                close(mfd);
            /* Count the attempt only if the process was still the runtime after it. */
            if (read_comm(pid, c2, sizeof(c2)) < 0 || !is_runtime(c2))
                break;
            hits++;
            if (e != last_e || m != last_m || (unsigned long)es.st_ino != last_ino) {
                fprintf(out, "hit %d %s %d %d %lu %lu\n", pid, c2, e, m, (unsigned long)es.st_dev,
                        (unsigned long)es.st_ino);
                last_e = e, last_m = m, last_ino = (unsigned long)es.st_ino;
            }
        }
        fprintf(out, "pid %d hits %d\n", pid, hits);
        pid++;
        done++;
    }
    fprintf(out, "end\n");
    return 0;
}
"""


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def all_caps() -> list[str]:
    from pyrunc.spec.caps import CAP_NUMBERS

    with open("/proc/sys/kernel/cap_last_cap") as handle:
        last = int(handle.read())
    return [name for name, number in CAP_NUMBERS.items() if number <= last]


@pytest.fixture(scope="module")
def kit():
    """An open directory with the static watcher (bound read-only at /attack) and a world-writable /out."""
    base = open_dir("pyrunc-attack-exe-")
    (base / "bin").mkdir(mode=0o755)
    build_static(WATCHER, base / "bin" / "exewatch")
    yield base
    leftover = host_mounts_under(base)
    shutil.rmtree(base, ignore_errors=True)
    assert leftover == [], f"mounts left behind: {leftover}"


@pytest.fixture
def out_dir(kit):
    path = pathlib.Path(os.path.join(kit, "out-" + os.urandom(4).hex()))
    path.mkdir()
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def attacker_bundle(
    rt, kit, out_dir, args, *, userns: bool, caps: list[str] | None = None, joins=(), mapping=USERNS_MAP
) -> str:
    """A bundle running the watcher. userns: in its own user namespace (root = host uid 100000), with a
    private rootfs copy under the open directory so the remapped root can reach it."""

    def mutate(cfg):
        bind(cfg, kit / "bin", "/attack", ro=True)
        bind(cfg, out_dir, "/out")
        if caps is not None:
            cfg["process"]["capabilities"] = {k: list(caps) for k in ("bounding", "effective", "permitted")}
        namespaces = [ns for ns in cfg["linux"]["namespaces"] if ns["type"] not in dict(joins)]
        namespaces += [{"type": kind, "path": path} for kind, path in joins]
        if userns and "user" not in dict(joins):
            namespaces.append({"type": "user"})
            cfg["linux"]["uidMappings"] = mapping
            cfg["linux"]["gidMappings"] = mapping
        cfg["linux"]["namespaces"] = namespaces

    bundle = rt.bundle(args, mutate=mutate, own_rootfs=userns)
    if userns:
        bundle = pathlib.Path(shutil.move(str(bundle), kit / bundle.name))
    return str(bundle)


def wait_for_line(path: pathlib.Path, line: str, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if line in lines:
            return lines
        time.sleep(0.02)
    raise AssertionError(
        f"watcher never wrote {line!r}: {path.read_text() if path.exists() else '(no file)'}"
    )


def hits(lines: list[str]) -> list[tuple[int, str, int, int, int, int]]:
    """(pid, comm, exe errno, mem errno, dev, ino) of each distinct outcome the watcher saw."""
    found = []
    for line in lines:
        if line.startswith("hit "):
            _, pid, comm, exe_err, mem_err, dev, ino = line.split()
            found.append((int(pid), comm, int(exe_err), int(mem_err), int(dev), int(ino)))
    return found


def reached_host_binary(hit) -> bool:
    st = HOST_PYTHON.stat()
    return hit[2] == 0 and (hit[4], hit[5]) == (st.st_dev, st.st_ino)


def exec_with(rt, runtime_bin: str | None, *args: str):
    """`exec` by the runtime under test, or by another build of it (the fixture reads $PYRUNC_BIN)."""
    if runtime_bin is None:
        return rt("exec", *args)
    saved = os.environ.get("PYRUNC_BIN")
    os.environ["PYRUNC_BIN"] = runtime_bin
    try:
        return rt("exec", *args)
    finally:
        if saved is None:
            del os.environ["PYRUNC_BIN"]
        else:
            os.environ["PYRUNC_BIN"] = saved


def race_execs(
    rt,
    kit,
    out_dir,
    *,
    userns: bool,
    caps,
    runtime_bin: str | None = None,
    rounds: int = 250,
    mapping=USERNS_MAP,
):
    """Start the watcher as a container's init (pid 1, watching pids 2..), then `exec` /bin/true until it
    has caught two joiners (at most `rounds` times); each joiner is the next pid. Returns the hits."""
    watch = out_dir / "watch"
    # The watcher is the container's init: it must outlive the execs, so it stops on a file, not a count;
    # its deadline only bounds a lost test (an exec takes ~0.8 s in the qemu guest: 250 need minutes).
    args = ["/attack/exewatch", "/out/watch", "2", "100000", "900", "/out/stop"]
    cid = rt.new_id()
    bundle = attacker_bundle(rt, kit, out_dir, args, userns=userns, caps=caps, mapping=mapping)
    rt("run", "-d", "-b", bundle, cid, check=True)
    try:
        wait_for_line(watch, "ready")
        for _ in range(rounds):
            proc = exec_with(rt, runtime_bin, cid, "/bin/true")
            assert proc.returncode == 0, proc.stderr
            # Enough once the watcher has caught two joiners (the window is a millisecond or so).
            if len({h[0] for h in hits(watch.read_text().splitlines())}) >= 2:
                break
        (out_dir / "stop").touch()
        lines = wait_for_line(watch, "end")
    finally:
        rt("delete", "--force", cid)
    return hits(lines)


@pytest.mark.parametrize("userns", [False, True], ids=["host-userns-default-caps", "own-userns-all-caps"])
def test_exec_joiner_exe_and_mem_are_out_of_reach(rt, kit, out_dir, userns):
    """The watcher, with default caps or with every capability inside its own user namespace (the
    strongest container that is still confined), catches the exec joiner in flight and gets nothing."""
    before = sha256(HOST_PYTHON)
    seen = race_execs(rt, kit, out_dir, userns=userns, caps=all_caps() if userns else None)
    caught = [h for h in seen if h[2] in DENIED]
    if not seen:
        pytest.skip("timing: the watcher did not catch an exec joiner in flight within 250 execs, so there "
                    "was nothing to judge this run")
    assert caught, f"the watcher never caught an exec joiner in flight: {seen}"
    for hit in seen:
        assert not reached_host_binary(hit), (
            f"container opened the host's python through /proc/PID/exe: {hit}"
        )
        assert hit[2] != 0 or hit[3] != 0 or hit[5] != HOST_PYTHON.stat().st_ino, hit
        if hit[2] in DENIED:
            assert hit[3] in DENIED, f"/proc/PID/mem of the joiner was openable: {hit}"
    assert sha256(HOST_PYTHON) == before


def test_without_non_dumpable_the_same_attack_reaches_the_host_binary(rt, kit, out_dir, tmp_path):
    """Ablation: the in-process init (the launcher sets PYRUNC_INPROCESS_INIT) rebuilt without the
    PR_SET_DUMPABLE calls lets the same watcher open the host's python through the joiner's
    /proc/PID/exe. Nothing is written: the open is the escape. The container maps host root to its root,
    so that no uid change makes the kernel drop dumpability by itself."""
    launcher = ablated_runtime(
        tmp_path,
        {
            "csrc/spawn.c": [
                (
                    '    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);\n    prctl(PR_SET_NAME, "pyrunc:[1:CHILD]"',
                    '    prctl(PR_SET_NAME, "pyrunc:[1:CHILD]"',
                ),
                ("    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);\n    if (setsid()", "    if (setsid()"),
            ]
        },
    )
    seen = race_execs(
        rt, kit, out_dir, userns=True, caps=all_caps(), runtime_bin=str(launcher), mapping=ROOT_IDENTITY_MAP
    )
    # The joiner's memory (not yet under seccomp, holding the sync socket) opens read-write; where the
    # exe link is not already a sealed stand-in (no CAP_SYS_RESOURCE, as here), so does the host binary.
    if not seen:
        pytest.skip("timing: the watcher did not catch an exec joiner in flight within 250 execs, so there "
                    "was nothing to judge this run")
    assert any(h[3] == 0 for h in seen), f"the ablated core was not reachable: {seen}"
    if not has_cap_sys_resource():
        assert any(reached_host_binary(h) for h in seen), f"the host binary was not reachable: {seen}"


@pytest.mark.parametrize("userns", [False, True], ids=["host-userns-default-caps", "its-userns-all-caps"])
def test_created_init_is_out_of_reach_from_a_shared_pid_namespace(rt, kit, out_dir, userns):
    """A second container joins the pid namespace (and, in the second case, the user namespace, holding
    every capability there) of a container that is `created` but not started, as the containers of a pod
    share them: its init, pid 1 there, is pyrunc waiting on the exec fifo."""
    before = sha256(HOST_PYTHON)
    target = rt.new_id()
    bundle = attacker_bundle(rt, kit, out_dir, ["/bin/true"], userns=userns)
    rt("create", "-b", bundle, target, check=True)
    try:
        pid = rt.state(target)["pid"]
        joins = [("pid", f"/proc/{pid}/ns/pid")] + ([("user", f"/proc/{pid}/ns/user")] if userns else [])
        args = ["/attack/exewatch", "/out/watch", "1", "1", "10"]
        caps = all_caps() if userns else None
        proc = rt(
            "run",
            "-b",
            attacker_bundle(rt, kit, out_dir, args, userns=userns, caps=caps, joins=joins),
            rt.new_id(),
        )
        assert proc.returncode == 0, proc.stderr
        seen = hits((out_dir / "watch").read_text().splitlines())
        assert seen and all(h[0] == 1 and h[1].startswith("pyrunc:") for h in seen), seen
        for hit in seen:
            assert hit[2] in DENIED and hit[3] in DENIED, f"the waiting init was reachable: {hit}"
        assert rt.state(target)["status"] == "created"
    finally:
        rt("delete", "--force", target)
    assert sha256(HOST_PYTHON) == before


# --- the exploit's own door: exec /proc/self/exe from inside ---------------------------------------------

FAKE_LIBPYTHON = r"""
/* Stands in for libpython inside the container: if the host interpreter ever runs there, its main
 * calls this, which reports what /proc/self/exe opens (the exploit keeps that O_PATH fd and reopens it
 * for writing once no python runs) and whether a write open works right now. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int Py_BytesMain(int argc, char **argv)
{
    struct stat st = {0};
    int fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
    int e = fd < 0 ? errno : 0, w;
    (void)argc, (void)argv;
    if (fd >= 0)
        fstat(fd, &st);
    w = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
    printf("exe %d %lu %lu write %d\n", e, (unsigned long)st.st_dev, (unsigned long)st.st_ino,
           w < 0 ? errno : 0);
    return 0;
}
"""


def has_cap_sys_resource() -> bool:
    with open("/proc/self/status") as handle:
        eff = next(int(line.split()[1], 16) for line in handle if line.startswith("CapEff:"))
    return bool(eff >> 24 & 1)


def loader_bundle(rt, tmp_path, args):
    """A rootfs in which the host's python stub can start: its ELF loader, libc, and a fake libpython at
    the stub's RUNPATH. An image with a loader and libc is the common case; libpython is the attacker's."""
    bundle = rt.bundle(args, own_rootfs=True)
    rootfs = bundle / "rootfs"
    for lib in ("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6"):
        (rootfs / lib[1:]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(os.path.realpath(lib), rootfs / lib[1:])
    libdir = rootfs / str(HOST_PYTHON.parent.parent / "lib")[1:]
    libdir.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "fakepy.c"
    src.write_text(FAKE_LIBPYTHON)
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", "-Wall", "-o", str(libdir / "libpython3.11.so.1.0"), str(src)],
        check=True,
        capture_output=True,
    )
    return bundle


def self_exe_attack(rt, tmp_path) -> list[subprocess.CompletedProcess]:
    """`run` whose process is /proc/self/exe, and `exec` of /proc/self/exe into a running container."""
    results = [rt("run", "-b", str(loader_bundle(rt, tmp_path, ["/proc/self/exe"])), rt.new_id())]
    cid = rt.new_id()
    rt("run", "-d", "-b", str(loader_bundle(rt, tmp_path, ["/bin/sleep", "60"])), cid, check=True)
    try:
        results.append(rt("exec", cid, "/proc/self/exe"))
    finally:
        rt("delete", "--force", cid)
    return results


def reports_host_python(proc: subprocess.CompletedProcess) -> bool:
    st = HOST_PYTHON.stat()
    return f"exe 0 {st.st_dev} {st.st_ino} ".encode() in proc.stdout


def in_process_init(launcher: str | None = None):
    """Run the runtime with the init kept in the cloned interpreter (no pyrunc-init re-exec)."""
    import contextlib

    @contextlib.contextmanager
    def env():
        saved = {k: os.environ.get(k) for k in ("PYRUNC_INPROCESS_INIT", "PYRUNC_BIN")}
        os.environ["PYRUNC_INPROCESS_INIT"] = "1"
        if launcher:
            os.environ["PYRUNC_BIN"] = launcher
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    return env()


def test_proc_self_exe_does_not_run_the_host_interpreter(rt, tmp_path):
    """CVE-2019-5736 itself: the container execs /proc/self/exe (args[0] here; a #! line or a symlink
    works the same). By then the runtime's process is pyrunc-init run from a sealed, execute-only memfd:
    what runs is that copy (which refuses a command line that is not the runtime's), never the host's
    interpreter, and nothing reachable through the link is writable."""
    before = sha256(HOST_PYTHON)
    for proc in self_exe_attack(rt, tmp_path):
        assert not reports_host_python(proc), proc.stdout
        assert proc.returncode != 0, (proc.returncode, proc.stdout, proc.stderr)
    assert sha256(HOST_PYTHON) == before


@pytest.mark.skipif(
    not has_cap_sys_resource(),
    reason="this machine's root lacks CAP_SYS_RESOURCE (its bounding set drops it), which "
    "PR_SET_MM_EXE_FILE needs; run it in the qemu guest: tests/vm/run.py -- python -m "
    "pytest tests/integration/test_attack_proc_exe.py",
)
def test_proc_self_exe_with_the_in_process_init(rt, tmp_path):
    """The same attack when the init stays in the cloned interpreter (a build without pyrunc-init): the
    exe link is a sealed empty memfd (hide_runtime_exe), so the exec fails with exec format error."""
    before = sha256(HOST_PYTHON)
    with in_process_init():
        results = self_exe_attack(rt, tmp_path)
    for proc in results:
        assert not reports_host_python(proc), proc.stdout
        assert proc.returncode != 0 and b"exec format error" in proc.stderr, (proc.returncode, proc.stderr)
    assert sha256(HOST_PYTHON) == before


def test_without_the_stand_in_exe_the_container_runs_the_host_interpreter(rt, tmp_path):
    """Ablation (and what happens with the in-process init on a host where the runtime lacks
    CAP_SYS_RESOURCE): the container's process is the host's python, holding an O_PATH descriptor of
    the host file."""
    launcher = ablated_runtime(
        tmp_path / "core",
        {
            "csrc/spawn.c": [
                ("    g_hide_exe = hide_runtime_exe;\n", ""),
            ]
        },
    )
    with in_process_init(str(launcher)):
        results = self_exe_attack(rt, tmp_path)
    for proc in results:
        assert reports_host_python(proc), (proc.returncode, proc.stdout, proc.stderr)
