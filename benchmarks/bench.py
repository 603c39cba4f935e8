#!/root/.pyenv/versions/3.11.7/bin/python3.11
"""pyrunc, runc and crun side by side (issue 8): interleaved rounds, medians, spread, ratios, goals.

Run as root:  benchmarks/bench.py [-n ROUNDS] [--json FILE] [--runtimes pyrunc,runc,crun] ...

Every command is timed from fork to wait4 in this process (ru_maxrss from the same wait4), with stdio on
/dev/null, so the figures are what an engine sees when it execs the runtime. This process is a child
subreaper, as conmon and containerd-shim are: container inits re-parent here and are reaped here.

crun 1.8.1 refuses to create containers on a hybrid cgroup host ("cgroups in hybrid mode not supported"),
whatever its --cgroup-manager. By default (--crun-cgroups v1) crun then runs in a private mount namespace,
held by one forked process that crun's commands setns into, where /sys/fs/cgroup is a legacy (v1-only)
view: a fresh tmpfs holding bind mounts of the host's own v1 controller hierarchies, taken from
mountinfo, and no cgroup2. Nothing is unmounted, on the host or in that namespace. crun runs with
--cgroup-manager=cgroupfs and the same linux.cgroupsPath scheme as pyrunc and runc (one parent cgroup
of the benchmark's own), so it creates each container's cgroup in every v1 controller, as pyrunc and runc
do, but not in cgroup2 (where they also create one). A probe checks this from the host's side before
the rounds: the cgroup exists in every v1 hierarchy after create and is gone after delete --force.
If the probe fails, or with --crun-cgroups none, crun runs with --cgroup-manager=disabled, if need be in
a private mount namespace where /sys/fs/cgroup is the cgroup2 hierarchy: it then creates no cgroup at
all and its create-path figures are a lower bound. The report's note for crun says which mode ran.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import resource
    from collections.abc import Callable

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x1000, 0x4000, 0x40000
CGROUP_MOUNT = "/sys/fs/cgroup"
DEFAULT_PYRUNC = "/usr/local/bin/pyrunc"  # where `python3 -m pyrunc.launcher install` links it


def default_pyrunc() -> str | None:
    """The launcher's link first: a pyenv shim found on PATH would add ~200 ms of bash to every call."""
    return DEFAULT_PYRUNC if os.path.exists(DEFAULT_PYRUNC) else shutil.which("pyrunc")


PR_SET_CHILD_SUBREAPER = 36
PODMAN_CONFIG = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "shared",
    "engine-configs",
    "podman.json",
)
SLEEP_ARGS = ["/bin/sleep", "100000"]
# Peak RSS is measured in extra untimed rounds through GNU time: wait4's ru_maxrss of a child forked
# from this Python process keeps the fork's high-water mark (~14 MiB) across execve.
GNU_TIME = "/usr/bin/time"

# The goal table: operation -> (max ratio vs runc, max ratio vs crun); None = no goal.
GOALS: dict[str, tuple[float | None, float | None]] = {
    "run": (0.9, 2.0),
    "lifecycle": (1.2, 2.0),
    "state": (1.5, None),
    "start": (1.5, None),
    "kill": (1.5, None),
    "delete_force": (0.3, 1.5),
    "list": (0.3, 1.0),
    "run_seccomp": (0.8, 1.5),
    "init_pss": (0.5, 2.0),
}
OPS = [
    "run",
    "lifecycle",
    "create",
    "start",
    "state",
    "kill",
    "delete",
    "delete_force",
    "list",
    "run_seccomp",
]
OP_TITLES = {
    "run": "run /bin/true",
    "lifecycle": "create+start+wait+delete",
    "create": "create",
    "start": "start",
    "state": "state (created)",
    "kill": "kill KILL (running)",
    "delete": "delete (stopped)",
    "delete_force": "delete --force (created)",
    "list": "list (N containers)",
    "run_seccomp": "run, podman seccomp, warm",
    "init_pss": "init in created: PSS",
    "init_uss": "init in created: private",
}

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class CommandFailed(Exception):
    pass


class Runtime:
    def __init__(self, name: str, binary: str, root: str, extra: list[str] | None = None) -> None:
        self.name = name
        self.binary = binary
        self.root = root
        self.extra = extra or []
        self.nsfd = -1  # a mount namespace to enter before exec (crun on a hybrid host)
        self.note = ""
        self.create_ok = True

    def argv(self, args: list[str], root: str | None = None) -> list[str]:
        return [self.binary, "--root", root or self.root, *self.extra, *args]


class Reaper:
    """Reaps container inits re-parented here, from SIGCHLD, so a runtime that waits for a killed init
    to disappear is not held up by a zombie (an engine's shim reaps promptly too). While timing, only
    the inits we expect to die are polled; in `reap_all` mode (set-up, teardown) every child that is not
    a runtime command in flight is reaped. Never waitpid(-1): it could take a command we time."""

    def __init__(self) -> None:
        self.watch: set[int] = set()
        self.inflight: set[int] = set()
        self.done: set[int] = set()
        self.reap_all = False
        signal.signal(signal.SIGCHLD, self._on_sigchld)

    def _on_sigchld(self, _signo: int, _frame: object) -> None:
        if self.reap_all:
            self.sweep()
            return
        for pid in list(self.watch):
            if self._try(pid):
                self.watch.discard(pid)

    def _try(self, pid: int) -> bool:
        try:
            got, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if got:
            self.done.add(pid)
            return True
        return False

    def expect(self, pid: int) -> None:
        if pid > 0:
            self.watch.add(pid)

    def wait(self, pid: int, timeout: float = 10.0) -> None:
        """Wait for an init (ours if re-parented here, else poll /proc)."""
        self.watch.discard(pid)
        if pid in self.done:
            self.done.discard(pid)
            return
        try:
            os.waitpid(pid, 0)
            return
        except ChildProcessError:
            pass
        deadline = time.monotonic() + timeout
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
            time.sleep(0.001)

    def sweep(self) -> None:
        """Reap every exited child that is not a command in flight."""
        try:
            with open(f"/proc/self/task/{os.getpid()}/children") as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            return
        for pid in kids:
            if pid not in self.inflight:
                self._try(pid)
        self.done.clear()


class Bench:
    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.tmp = tempfile.mkdtemp(prefix="pyrunc-bench-")
        self.errfile = os.path.join(self.tmp, "stderr")
        self.rssfile = os.path.join(self.tmp, "maxrss")
        self.rss_mode = False
        self.outfile = os.path.join(self.tmp, "stdout")
        self.cg_parent = "pyrunc-bench-" + secrets.token_hex(4)
        self.rootfs = os.path.join(self.tmp, "rootfs")
        self.template: dict = {}
        self.runtimes: list[Runtime] = []
        self.live: dict[str, set[tuple[str, str]]] = {}  # runtime -> {(root, id)} not yet deleted
        self.samples: dict[str, dict[str, list[float]]] = {}
        self.rss: dict[str, dict[str, list[int]]] = {}
        self.pss: dict[str, list[int]] = {}
        self.uss: dict[str, list[int]] = {}
        self.stale_cgroups: dict[str, int] = {}  # runtime -> container cgroups its delete left
        self.holders: list[int] = []  # processes holding crun's private mount namespace
        self.retried: list[str] = []  # cleanup deletes that failed in parallel (then retried alone)
        self.seq = 0
        self.reaper = Reaper()
        self.loadavg_start = _loadavg()

    # ---- processes -------------------------------------------------------------------------------

    def spawn(
        self,
        rt: Runtime,
        args: list[str],
        root: str | None = None,
        stdout: str | None = None,
        errfile: str | None = None,
    ) -> int:
        argv = rt.argv(args, root)
        if self.rss_mode:
            argv = [GNU_TIME, "-f", "%M", "-o", self.rssfile, *argv]
        errfile = errfile or self.errfile
        # SIGCHLD blocked until the pid is marked in flight, so the reaper cannot take it first
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        pid = os.fork()
        if pid == 0:
            try:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
                if rt.nsfd >= 0 and _libc.setns(rt.nsfd, CLONE_NEWNS) != 0:
                    os.write(2, b"setns failed\n")
                    os._exit(126)
                null = os.open("/dev/null", os.O_RDWR)
                os.dup2(null, 0)
                out = os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) if stdout else null
                os.dup2(out, 1)
                err = os.open(errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(err, 2)
                os.execv(argv[0], argv)
            finally:
                os._exit(127)
        self.reaper.inflight.add(pid)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        return pid

    def reap_cmd(self, pid: int) -> tuple[int, resource.struct_rusage]:
        try:
            _, status, ru = os.wait4(pid, 0)
        finally:
            self.reaper.inflight.discard(pid)
        return status, ru

    def cmd(
        self,
        rt: Runtime,
        args: list[str],
        root: str | None = None,
        stdout: str | None = None,
        check: bool = True,
    ) -> tuple[float, int, int]:
        """Run one runtime command: (seconds, exit status, peak RSS in KiB)."""
        t0 = time.perf_counter()
        pid = self.spawn(rt, args, root, stdout)
        status, ru = self.reap_cmd(pid)
        elapsed = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if check and code != 0:
            with open(self.errfile, errors="replace") as f:
                err = f.read().strip()[-600:]
            raise CommandFailed(f"{rt.name} {' '.join(args)}: exit {code}: {err}")
        maxrss = 0
        if self.rss_mode:
            with open(self.rssfile) as f:
                maxrss = int(f.read().split()[-1])
        return elapsed, code, maxrss

    def record(self, rt: Runtime, op: str, seconds: float, maxrss: int) -> None:
        if self.rss_mode:
            if maxrss:
                self.rss[rt.name].setdefault(op, []).append(maxrss)
        else:
            self.samples[rt.name].setdefault(op, []).append(seconds)

    # ---- bundles ---------------------------------------------------------------------------------

    def setup_bundles(self) -> None:
        os.makedirs(os.path.join(self.rootfs, "bin"))
        shutil.copy2("/bin/busybox", os.path.join(self.rootfs, "bin", "busybox"))
        for name in ("sh", "true", "sleep", "cat"):
            os.symlink("busybox", os.path.join(self.rootfs, "bin", name))
        for d in ("proc", "dev", "sys", "tmp", "etc"):
            os.makedirs(os.path.join(self.rootfs, d), exist_ok=True)
        specdir = os.path.join(self.tmp, "spec")
        os.makedirs(specdir)
        subprocess.run([self.opts.pyrunc, "spec", "-b", specdir], check=True)
        with open(os.path.join(specdir, "config.json")) as f:
            cfg = json.load(f)
        cfg["ociVersion"] = "1.0.2-dev"  # crun 1.8.1 refuses 1.3.0
        cfg["process"]["terminal"] = False
        cfg["root"] = {"path": self.rootfs, "readonly": True}
        cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != "user"]
        cfg["linux"].pop("uidMappings", None)
        cfg["linux"].pop("gidMappings", None)
        self.template = cfg
        with open(PODMAN_CONFIG) as f:
            self.seccomp = json.load(f)["linux"]["seccomp"]

    def bundle(self, rt: Runtime, cid: str, args: list[str], seccomp: bool = False) -> str:
        """A bundle directory (config.json only; the rootfs is shared, absolute and read-only)."""
        cfg = dict(self.template)
        cfg["process"] = dict(cfg["process"], args=args)
        linux = dict(cfg["linux"])
        linux["cgroupsPath"] = f"/{self.cg_parent}/{rt.name}-{cid}"
        if seccomp:
            linux["seccomp"] = self.seccomp
        cfg["linux"] = linux
        path = os.path.join(self.tmp, "bundles", rt.name, cid)
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(cfg, f)
        return path

    def new_id(self, prefix: str) -> str:
        self.seq += 1
        return f"{prefix}{self.seq}"

    # ---- runtimes --------------------------------------------------------------------------------

    def setup_runtimes(self) -> None:
        want = self.opts.runtimes.split(",")
        binaries = {
            "pyrunc": self.opts.pyrunc,
            "runc": getattr(self.opts, "runc", ""),
            "crun": getattr(self.opts, "crun", ""),
        }
        for name in want:
            binary = binaries[name]
            if not os.access(binary, os.X_OK):
                print(f"# {name}: {binary} not executable, skipped", file=sys.stderr)
                continue
            root = os.path.join(self.tmp, "root-" + name)
            os.makedirs(root)
            rt = Runtime(name, binary, root)
            self.runtimes.append(rt)
            self.samples[name] = {}
            self.rss[name] = {}
            self.pss[name] = []
            self.uss[name] = []
            self.live[name] = set()
        for rt in self.runtimes:
            if rt.name == "crun":
                self.setup_crun(rt)

    def probe_run(self, rt: Runtime) -> str:
        cid = self.new_id("probe")
        b = self.bundle(rt, cid, ["/bin/true"])
        _, code, _ = self.cmd(rt, ["run", "-b", b, cid], check=False)
        if code == 0:
            return ""
        with open(self.errfile, errors="replace") as f:
            return f.read().strip() or f"exit {code}"

    def setup_crun(self, rt: Runtime) -> None:
        """Make crun able to create containers here, with cgroups like pyrunc and runc when it can."""
        if self.opts.crun_cgroups == "v1":
            err = self.setup_crun_v1(rt)
            if not err:
                return
            self.setup_crun_none(rt, "the v1 mode failed (" + err + "), so no cgroups: ")
        else:
            self.setup_crun_none(rt, "")

    def setup_crun_v1(self, rt: Runtime) -> str:
        """crun with cgroupfs cgroups; on a hybrid host (which crun 1.8.1 refuses) in a private mount
        namespace whose /sys/fs/cgroup shows the v1 controllers only. Returns why it failed, or ""."""
        rt.extra = ["--cgroup-manager=cgroupfs"]
        # on a host crun accepts as it is: its cgroups go wherever the host has them
        err = self.probe_cgroups(rt, v1_roots() or cgroup_roots(("cgroup2",)))
        if not err:
            rt.note = f"crun --cgroup-manager=cgroupfs on this host's own cgroups ({cgroup_mode()})"
            return ""
        stash = os.path.join(self.tmp, "cgroup-stash")
        os.makedirs(stash)
        pid, nserr = self.start_holder(lambda: legacy_cgroup_view(stash))
        if nserr:
            self.stop_holder(pid)
            return f"{_last_line(err)}; legacy view: {nserr}"
        rt.nsfd = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
        err2 = self.probe_cgroups(rt, v1_roots())
        if err2:
            self.stop_holder(pid)
            os.close(rt.nsfd)
            rt.nsfd = -1
            return f"{_last_line(err)}; in a legacy view: {_last_line(err2)}"
        rt.note = (
            "crun in a private mount namespace with a legacy (v1-only) view of /sys/fs/cgroup: "
            "creates the container's cgroup in every v1 controller, not in cgroup2"
        )
        return ""

    def probe_cgroups(self, rt: Runtime, roots: list[str]) -> str:
        """Create a container and check from here (the host's mount namespace) that its cgroup exists in
        every hierarchy of `roots`, then that delete --force removes it. Returns what went wrong, or ""."""
        cid = self.new_id("probe")
        b = self.bundle(rt, cid, SLEEP_ARGS)
        rel = f"{self.cg_parent}/{rt.name}-{cid}"
        self.live[rt.name].add((rt.root, cid))
        _, code, _ = self.cmd(rt, ["create", "-b", b, "--pid-file", os.path.join(b, "pid"), cid], check=False)
        if code != 0:
            self.live[rt.name].discard((rt.root, cid))
            with open(self.errfile, errors="replace") as f:
                return f.read().strip() or f"create: exit {code}"
        missing = [r for r in roots if not os.path.isdir(os.path.join(r, rel))]
        _, code, _ = self.cmd(rt, ["delete", "--force", cid], check=False)
        if code != 0:
            with open(self.errfile, errors="replace") as f:
                return "delete --force: " + (f.read().strip() or f"exit {code}")
        self.live[rt.name].discard((rt.root, cid))
        self.reaper.sweep()
        if not roots:
            return "no cgroup hierarchy to check"
        if missing:
            return "no container cgroup in " + ", ".join(missing)
        kept = [r for r in roots if os.path.isdir(os.path.join(r, rel))]
        if kept:
            return "delete --force left the container cgroup in " + ", ".join(kept)
        return ""

    def setup_crun_none(self, rt: Runtime, why: str) -> None:
        """The old mode: crun --cgroup-manager=disabled, in a private cgroup2-only mount namespace if the
        host's cgroups make crun refuse even that."""
        rt.extra = ["--cgroup-manager=disabled"]
        err = self.probe_run(rt)
        if not err:
            rt.note = why + "crun --cgroup-manager=disabled (no cgroups)"
            return
        pid, nserr = self.start_holder(cgroup2_view)
        if not nserr:
            rt.nsfd = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
            err2 = self.probe_run(rt)
            if not err2:
                rt.note = (
                    why + "crun refuses this hybrid host (" + _last_line(err) + "); run in a private "
                    "mount namespace with cgroup2 mounted at /sys/fs/cgroup and "
                    "--cgroup-manager=disabled: it creates no cgroups (lower bound)"
                )
                return
            os.close(rt.nsfd)
            nserr = err2
        self.stop_holder(pid)
        rt.nsfd = -1
        rt.create_ok = False
        rt.note = (
            why
            + "unavailable on this host for create-path operations: "
            + _last_line(err)
            + " / in a private cgroup2 mount namespace: "
            + _last_line(nserr)
        )

    def start_holder(self, prepare: Callable[[], None]) -> tuple[int, str]:
        """Fork a process that unshares a private mount namespace, runs `prepare` in it and then sleeps,
        holding the namespace for crun's commands to setns into. Returns (pid, error text or "")."""
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                _libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: never outlive the bench
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the bench's cleanup stops us
                try:
                    if _libc.unshare(CLONE_NEWNS) != 0:
                        err = ctypes.get_errno()
                        raise OSError(err, os.strerror(err), "unshare a mount namespace")
                    # nothing done below may propagate back to the host's mounts
                    _mount(b"none", b"/", None, MS_REC | MS_PRIVATE)
                    prepare()
                except OSError as e:
                    os.write(w, (f"{e.filename}: {e.strerror}" if e.filename else str(e)).encode()[:1000])
                    os._exit(1)
                os.write(w, b"k")
                os.close(w)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                while True:
                    signal.pause()
            finally:
                os._exit(4)
        os.close(w)
        got = os.read(r, 1024)
        os.close(r)
        self.holders.append(pid)
        if got == b"k":
            return pid, ""
        return pid, got.decode(errors="replace") or "namespace holder died"

    def stop_holder(self, pid: int) -> None:
        if pid not in self.holders:
            return
        self.holders.remove(pid)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass

    # ---- one round of each operation -------------------------------------------------------------

    def pidfile_read(self, path: str) -> int:
        with open(path) as f:
            return int(f.read().strip())

    def op_run(self, rt: Runtime) -> None:
        cid = self.new_id("r")
        b = self.bundle(rt, cid, ["/bin/true"])
        self.live[rt.name].add((rt.root, cid))
        s, _, rss = self.cmd(rt, ["run", "-b", b, cid])
        self.live[rt.name].discard((rt.root, cid))
        self.record(rt, "run", s, rss)

    def op_run_seccomp(self, rt: Runtime) -> None:
        cid = self.new_id("s")
        b = self.bundle(rt, cid, ["/bin/true"], seccomp=True)
        self.live[rt.name].add((rt.root, cid))
        s, _, rss = self.cmd(rt, ["run", "-b", b, cid])
        self.live[rt.name].discard((rt.root, cid))
        self.record(rt, "run_seccomp", s, rss)

    def op_lifecycle(self, rt: Runtime) -> None:
        cid = self.new_id("l")
        b = self.bundle(rt, cid, ["/bin/true"])
        pidfile = os.path.join(b, "pid")
        self.live[rt.name].add((rt.root, cid))
        t0 = time.perf_counter()
        self.cmd(rt, ["create", "-b", b, "--pid-file", pidfile, cid])
        pid = self.pidfile_read(pidfile)
        self.cmd(rt, ["start", cid])
        self.reaper.wait(pid)
        self.cmd(rt, ["delete", cid])
        self.record(rt, "lifecycle", time.perf_counter() - t0, 0)
        self.live[rt.name].discard((rt.root, cid))

    def op_steps(self, rt: Runtime) -> None:
        cid = self.new_id("i")
        b = self.bundle(rt, cid, SLEEP_ARGS)
        pidfile = os.path.join(b, "pid")
        self.live[rt.name].add((rt.root, cid))
        s, _, rss = self.cmd(rt, ["create", "-b", b, "--pid-file", pidfile, cid])
        self.record(rt, "create", s, rss)
        pid = self.pidfile_read(pidfile)
        if not self.rss_mode:
            m = _smaps_kib(pid)
            self.pss[rt.name].append(m.get("Pss", 0))
            self.uss[rt.name].append(m.get("Private_Clean", 0) + m.get("Private_Dirty", 0))
        s, _, rss = self.cmd(rt, ["state", cid])
        self.record(rt, "state", s, rss)
        s, _, rss = self.cmd(rt, ["start", cid])
        self.record(rt, "start", s, rss)
        self.reaper.expect(pid)
        s, _, rss = self.cmd(rt, ["kill", cid, "KILL"])
        self.record(rt, "kill", s, rss)
        self.reaper.wait(pid)
        s, _, rss = self.cmd(rt, ["delete", cid])
        self.record(rt, "delete", s, rss)
        self.live[rt.name].discard((rt.root, cid))

    def op_delete_force(self, rt: Runtime) -> None:
        cid = self.new_id("f")
        b = self.bundle(rt, cid, SLEEP_ARGS)
        pidfile = os.path.join(b, "pid")
        self.live[rt.name].add((rt.root, cid))
        self.cmd(rt, ["create", "-b", b, "--pid-file", pidfile, cid])
        pid = self.pidfile_read(pidfile)
        self.reaper.expect(pid)
        s, _, rss = self.cmd(rt, ["delete", "--force", cid])
        self.record(rt, "delete_force", s, rss)
        self.reaper.wait(pid)
        self.live[rt.name].discard((rt.root, cid))

    def op_list(self, rt: Runtime) -> None:
        s, _, rss = self.cmd(rt, ["list"], root=rt.root + "-list")
        self.record(rt, "list", s, rss)

    # ---- list setup: N real created containers per runtime ---------------------------------------

    def setup_list(self, count: int) -> None:
        for rt in self.runtimes:
            root = rt.root + "-list"
            os.makedirs(root, exist_ok=True)
            if not rt.create_ok:
                continue
            t0 = time.monotonic()
            pending: list[tuple[int, str]] = []
            for i in range(count):
                cid = f"list{i}"
                b = self.bundle(rt, cid, SLEEP_ARGS)
                self.live[rt.name].add((root, cid))
                pending.append((self.spawn(rt, ["create", "-b", b, cid], root=root), cid))
                if len(pending) >= self.opts.jobs:
                    self._finish(rt, pending.pop(0))
            while pending:
                self._finish(rt, pending.pop(0))
            print(
                f"# {rt.name}: {count} created containers for list in {time.monotonic() - t0:.1f} s",
                file=sys.stderr,
            )

    def _finish(self, rt: Runtime, item: tuple[int, str]) -> None:
        pid, cid = item
        status, _ = self.reap_cmd(pid)
        if status != 0:
            raise CommandFailed(f"{rt.name} create {cid} (list setup) failed: status {status}")

    # ---- teardown --------------------------------------------------------------------------------

    def delete_containers(self) -> list[str]:
        """delete --force every container we made and still have ({jobs} at a time); returns failures."""
        left: list[str] = []
        saved, self.reaper.reap_all = self.reaper.reap_all, True
        for rt in self.runtimes:
            items = sorted(self.live[rt.name])
            pending: list[tuple[int, tuple[str, str]]] = []
            failed: list[str] = []
            for root, cid in items:
                err = os.path.join(self.tmp, f"delete-{rt.name}-{cid}.err")
                pending.append(
                    (self.spawn(rt, ["delete", "--force", cid], root=root, errfile=err), (root, cid))
                )
                if len(pending) >= self.opts.jobs:
                    self._finish_delete(rt, pending.pop(0), failed)
            while pending:
                self._finish_delete(rt, pending.pop(0), failed)
            # one sequential retry: a parallel delete can lose a race (reported, not hidden)
            self.retried += failed
            for root, cid in sorted(self.live[rt.name]):
                if os.path.exists(os.path.join(root, cid)):
                    self.spawn_wait_delete(rt, root, cid, left)
            self.live[rt.name].clear()
            self.reaper.sweep()
        self.reaper.reap_all = saved
        return left

    def teardown(self) -> list[str]:
        """Delete every container we made, stop the namespace holder, remove our cgroups and files;
        returns what could not be cleaned."""
        left = self.delete_containers()
        for pid in list(self.holders):
            self.stop_holder(pid)
        for rt in self.runtimes:
            if rt.nsfd >= 0:
                os.close(rt.nsfd)
                rt.nsfd = -1
        self.reaper.sweep()
        self.stale_cgroups = stale_cgroups(self.cg_parent)
        left += remove_cgroup_parent(self.cg_parent)
        for rt in self.runtimes:
            for root in (rt.root, rt.root + "-list"):
                # dot-files are caches (pyrunc's .seccomp-cache), not containers
                names = [x for x in os.listdir(root) if not x.startswith(".")] if os.path.isdir(root) else []
                if names:
                    left.append(f"{rt.name}: state left in {root}: {names[:5]}")
        with open("/proc/self/mountinfo") as f:
            mounted = [line.split()[4] for line in f if self.tmp in line]
        if mounted:  # never rm -r through a mount
            left.append(f"mounts left under {self.tmp}: {mounted[:5]}; files kept")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return left

    def spawn_wait_delete(self, rt: Runtime, root: str, cid: str, left: list[str]) -> None:
        err = os.path.join(self.tmp, f"delete-{rt.name}-{cid}.err")
        pid = self.spawn(rt, ["delete", "--force", cid], root=root, errfile=err)
        self._finish_delete(rt, (pid, (root, cid)), left)

    def _finish_delete(self, rt: Runtime, item: tuple[int, tuple[str, str]], left: list[str]) -> None:
        pid, (root, cid) = item
        status, _ = self.reap_cmd(pid)
        if status != 0:
            # a `run` that failed may have removed it already: only complain if state is still there
            if os.path.exists(os.path.join(root, cid)):
                with open(os.path.join(self.tmp, f"delete-{rt.name}-{cid}.err"), errors="replace") as f:
                    err = f.read().strip()[-300:]
                left.append(f"{rt.name}: delete --force {cid} failed: {err}")
        self.reaper.sweep()

    # ---- main loop -------------------------------------------------------------------------------

    def run(self) -> dict:
        n = self.opts.rounds
        ops = self.opts.ops.split(",")
        steps = {
            "run": self.op_run,
            "lifecycle": self.op_lifecycle,
            "steps": self.op_steps,
            "delete_force": self.op_delete_force,
            "list": self.op_list,
            "run_seccomp": self.op_run_seccomp,
        }
        groups = [
            g
            for g in ("run", "lifecycle", "steps", "delete_force", "run_seccomp")
            if g in ops or (g == "steps" and set(ops) & {"create", "start", "state", "kill", "delete"})
        ]
        if "run_seccomp" in groups:  # warm every runtime's filter cache (pyrunc's is on disk)
            for rt in self.runtimes:
                if rt.create_ok:
                    self.op_run_seccomp(rt)
                    self.samples[rt.name]["run_seccomp"].clear()
        # one untimed warm-up of each runtime (page cache, bytecode)
        for rt in self.runtimes:
            if rt.create_ok:
                self.op_run(rt)
                self.samples[rt.name]["run"].clear()
        t0 = time.monotonic()
        self.rounds(groups, steps, n)
        if "list" in ops:
            # a phase of its own, so the other operations do not run beside N x runtimes idle inits
            self.setup_list(self.opts.list_count)
            self.rounds(["list"], steps, n)
        wall = time.monotonic() - t0
        if self.opts.rss_rounds and os.access(GNU_TIME, os.X_OK):
            self.rss_mode = True
            groups += ["list"] if "list" in ops else []
            for _ in range(self.opts.rss_rounds):
                for g in groups:
                    for rt in self.runtimes:
                        if g == "lifecycle" or (g != "list" and not rt.create_ok):
                            continue
                        steps[g](rt)
                self.reaper.sweep()
            self.rss_mode = False
        failed = self.delete_containers()
        if failed:
            raise CommandFailed("; ".join(failed))
        return self.summary(ops, wall)

    def rounds(self, groups: list[str], steps: dict, n: int) -> None:
        t0 = time.monotonic()
        for i in range(n):
            order = self.runtimes[i % len(self.runtimes) :] + self.runtimes[: i % len(self.runtimes)]
            for g in groups:
                for rt in order:
                    if g != "list" and not rt.create_ok:
                        continue
                    steps[g](rt)
            self.reaper.sweep()
            if self.opts.progress:
                print(
                    f"# {'+'.join(groups)} round {i + 1}/{n} {time.monotonic() - t0:.0f} s", file=sys.stderr
                )

    def summary(self, ops: list[str], wall: float) -> dict:
        res: dict = {
            "machine": machine(),
            "load_before": self.loadavg_start,
            "load_after": _loadavg(),
            "tree": tree(),
            "rounds": self.opts.rounds,
            "list_count": self.opts.list_count,
            "list_containers": "real containers in state created, process " + " ".join(SLEEP_ARGS),
            "wall_seconds": round(wall, 1),
            "runtimes": {
                rt.name: {
                    "binary": rt.binary,
                    "version": version(rt),
                    "note": rt.note,
                    "create_ok": rt.create_ok,
                }
                for rt in self.runtimes
            },
            "ops": {},
        }
        mem = {"init_pss": self.pss, "init_uss": self.uss}
        for op in [o for o in OPS if o in ops] + (["init_pss", "init_uss"] if "create" in ops else []):
            entry: dict = {"title": OP_TITLES[op], "by": {}}
            for rt in self.runtimes:
                vals = mem[op][rt.name] if op in mem else self.samples[rt.name].get(op, [])
                if not vals:
                    continue
                scale = 1 / 1024 if op in mem else 1000.0
                d = stats([v * scale for v in vals])
                rss = self.rss[rt.name].get(op, [])
                if rss and max(rss) > 0:
                    d["peak_rss_mib"] = round(statistics.median(rss) / 1024, 1)
                entry["by"][rt.name] = d
            entry["unit"] = "MiB" if op in mem else "ms"
            py = entry["by"].get("pyrunc")
            goal = GOALS.get(op, (None, None))
            for other, limit in zip(("runc", "crun"), goal, strict=True):
                o = entry["by"].get(other)
                if py and o and o["median"] > 0:
                    ratio = py["median"] / o["median"]
                    entry[f"vs_{other}"] = round(ratio, 2)
                    if limit is not None:
                        entry[f"goal_vs_{other}"] = limit
                        entry[f"pass_vs_{other}"] = ratio <= limit
            res["ops"][op] = entry
        return res


def stats(vals: list[float]) -> dict:
    vals = sorted(vals)
    q = statistics.quantiles(vals, n=10, method="inclusive") if len(vals) > 1 else [vals[0]] * 9
    return {
        "median": round(statistics.median(vals), 2),
        "p10": round(q[0], 2),
        "p90": round(q[8], 2),
        "n": len(vals),
    }


def _smaps_kib(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[2] == "kB":
                    out[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        pass
    return out


def _pss_kib(pid: int) -> int:
    return _smaps_kib(pid).get("Pss", 0)


def _uss_kib(pid: int) -> int:
    """Private pages: what one more container of this kind costs, however many share the rest."""
    m = _smaps_kib(pid)
    return m.get("Private_Clean", 0) + m.get("Private_Dirty", 0)


def _loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine() -> dict:
    meminfo = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            meminfo[k] = v.strip()
    return {
        "kernel": os.uname().release,
        "cpus": os.cpu_count(),
        "memtotal": meminfo.get("MemTotal"),
        "cgroups": cgroup_mode(),
    }


def cgroup_mode() -> str:
    st = os.statvfs("/sys/fs/cgroup")
    del st
    fs = ""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            if parts[4] == "/sys/fs/cgroup":
                fs = parts[parts.index("-") + 1]
    if fs == "cgroup2":
        return "unified"
    return "hybrid" if os.path.exists("/sys/fs/cgroup/unified/cgroup.controllers") else "legacy"


def tree() -> str:
    """The commit of the checkout this script belongs to (the `pyrunc` launcher points at it here)."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(
            ["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", repo, "status", "--porcelain", "-uno", "--", "pyrunc", "csrc"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return head + (" (pyrunc/ or csrc/ modified)" if dirty else "")


def version(rt: Runtime) -> str:
    try:
        out = subprocess.run([rt.binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.splitlines()[0] if out else "?"


def cgroup_roots(fstypes: tuple[str, ...] = ("cgroup", "cgroup2")) -> list[str]:
    """Mount points of every cgroup hierarchy (v1 and v2 by default) in this mount namespace."""
    roots = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            fstype = parts[parts.index("-") + 1]
            if fstype in fstypes and parts[3] == "/":
                roots.append(parts[4])
    return sorted(set(roots))


def v1_roots() -> list[str]:
    return cgroup_roots(("cgroup",))


def _mount(src: bytes, dst: bytes, fstype: bytes | None, flags: int, data: bytes | None = None) -> None:
    if _libc.mount(src, dst, fstype, flags, data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), f"mount {src.decode()} on {dst.decode()}")


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else text


def legacy_cgroup_view(stash: str) -> None:
    """In a private mount namespace: turn /sys/fs/cgroup into what crun calls legacy mode, a tmpfs that
    holds the host's v1 controller hierarchies and no cgroup2. Nothing is unmounted: the original tree
    is first bound at `stash`, a fresh tmpfs goes over /sys/fs/cgroup, and each v1 controller mount
    found in mountinfo is bound back from the stash under its own name (symlinks such as cpu ->
    cpu,cpuacct are recreated when they point at one). The controllers are the host's own hierarchies,
    so the cgroups crun makes here are the ones every other runtime and the host see."""
    names = [os.path.basename(r) for r in v1_roots() if os.path.dirname(r) == CGROUP_MOUNT]
    if not names:
        raise OSError(2, "no cgroup v1 controller mounted", CGROUP_MOUNT)
    links = []
    for entry in os.listdir(CGROUP_MOUNT):
        path = os.path.join(CGROUP_MOUNT, entry)
        if os.path.islink(path):
            target = os.readlink(path)
            if os.path.basename(target.rstrip("/")) in names:
                links.append((entry, target))
    _mount(CGROUP_MOUNT.encode(), stash.encode(), None, MS_BIND | MS_REC)
    _mount(b"tmpfs", CGROUP_MOUNT.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"mode=755")
    for name in names:
        dst = os.path.join(CGROUP_MOUNT, name)
        os.mkdir(dst, 0o555)
        _mount(os.path.join(stash, name).encode(), dst.encode(), None, MS_BIND)
    for entry, target in links:
        os.symlink(target, os.path.join(CGROUP_MOUNT, entry))


def cgroup2_view() -> None:
    """In a private mount namespace: the cgroup2 hierarchy alone at /sys/fs/cgroup (a unified host to
    crun's eyes; used with --cgroup-manager=disabled)."""
    _mount(b"cgroup2", CGROUP_MOUNT.encode(), b"cgroup2", 0, None)


def stale_cgroups(parent: str) -> dict[str, int]:
    """Container cgroups (`<runtime>-<id>`) still under our parent once every container was deleted,
    counted per runtime over all hierarchies: each one is a cgroup that runtime's delete did not remove."""
    counts: dict[str, int] = {}
    for root in cgroup_roots():
        top = os.path.join(root, parent)
        try:
            names = [e.name for e in os.scandir(top) if e.is_dir()]
        except OSError:
            continue
        for name in names:
            rt = name.split("-", 1)[0]
            counts[rt] = counts.get(rt, 0) + 1
    return counts


def remove_cgroup_parent(name: str) -> list[str]:
    """Kill what is left in our parent cgroup in every hierarchy, then remove it, deepest first."""
    left = []
    for root in cgroup_roots():
        top = os.path.join(root, name)
        if not os.path.isdir(top):
            continue
        dirs = [d for d, _, _ in os.walk(top)]
        dirs.sort(key=lambda p: p.count("/"), reverse=True)
        for d in dirs:
            for _ in range(200):
                try:
                    with open(os.path.join(d, "cgroup.procs")) as f:
                        pids = [int(x) for x in f.read().split()]
                except OSError:
                    pids = []
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                time.sleep(0.01)
            for _ in range(100):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)
            else:
                left.append(f"cgroup {d} could not be removed")
    return left


def print_report(res: dict, out: TextIO = sys.stdout) -> None:
    m = res["machine"]
    print(
        f"machine: {m['cpus']} cpus, {m['memtotal']}, Linux {m['kernel']}, cgroups {m['cgroups']}; "
        f"load {res['load_before']} -> {res['load_after']}; {res['rounds']} interleaved rounds, "
        f"{res['wall_seconds']} s; tree {res.get('tree', '?')}",
        file=out,
    )
    for name, info in res["runtimes"].items():
        print(
            f"  {name}: {info['binary']} ({info['version']}){' - ' + info['note'] if info['note'] else ''}",
            file=out,
        )
    names = list(res["runtimes"])
    head = f"{'operation':<28}" + "".join(f"{n + ' median [p10-p90]':>30}" for n in names)
    head += f"{'py/runc':>14}{'py/crun':>14}"
    print(head, file=out)
    for op, e in res["ops"].items():
        title = e["title"] + (f" ({res['list_count']})" if op == "list" else "")
        row = f"{title:<28}"
        for n in names:
            d = e["by"].get(n)
            cell = "-" if not d else f"{d['median']:>10.1f} [{d['p10']:.1f}-{d['p90']:.1f}] {e['unit']:<4}"
            row += cell.rjust(30)
        for other in ("runc", "crun"):
            if f"vs_{other}" in e:
                mark = ""
                if f"goal_vs_{other}" in e:
                    mark = (" ok" if e[f"pass_vs_{other}"] else " NO") + f"<={e[f'goal_vs_{other}']}"
                row += f"{e[f'vs_{other}']:>6.2f}{mark:<8}"
            else:
                row += f"{'-':>6}{'':<8}"
        print(row, file=out)
    rss_ops = [op for op, e in res["ops"].items() if any("peak_rss_mib" in d for d in e["by"].values())]
    if rss_ops:
        print(
            "peak RSS per command (MiB, median): "
            + "; ".join(
                f"{op}: "
                + ", ".join(
                    f"{n} {d['peak_rss_mib']}" for n, d in res["ops"][op]["by"].items() if "peak_rss_mib" in d
                )
                for op in rss_ops
            ),
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", "--rounds", type=int, default=30)
    p.add_argument("--pyrunc", default=default_pyrunc())
    p.add_argument("--runc", default="/usr/sbin/runc")
    p.add_argument("--crun", default="/usr/bin/crun")
    p.add_argument("--runtimes", default="pyrunc,runc,crun", help="comma-separated subset")
    p.add_argument("--ops", default=",".join(OPS), help="comma-separated subset of: " + ",".join(OPS))
    p.add_argument("--list-count", type=int, default=1000, help="containers that exist for `list`")
    p.add_argument(
        "--crun-cgroups",
        choices=("v1", "none"),
        default="v1",
        help="v1: crun creates cgroups in the v1 controllers (a private legacy view of "
        "/sys/fs/cgroup on a hybrid host); none: --cgroup-manager=disabled (the fallback)",
    )
    p.add_argument("--jobs", type=int, default=4, help="parallel creates/deletes while setting up list")
    p.add_argument(
        "--rss-rounds", type=int, default=3, help="extra untimed rounds under GNU time for peak RSS"
    )
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--progress", action="store_true")
    opts = p.parse_args(argv)
    if os.geteuid() != 0:
        print("bench.py must run as root", file=sys.stderr)
        return 2
    opts.pyrunc = os.path.abspath(opts.pyrunc)
    if _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("cannot become a child subreaper", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the cleanup below runs
    bench = Bench(opts)
    res: dict = {}
    left: list[str] = []
    try:
        bench.setup_bundles()
        bench.setup_runtimes()
        res = bench.run()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second ^C must not skip the cleanup
        left = bench.teardown()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    res["left_behind"] = left
    res["teardown_retried"] = bench.retried
    res["cgroups_left_by_delete"] = bench.stale_cgroups
    print_report(res)
    if bench.retried:
        print(
            "cleanup: parallel delete --force failed, then retried alone: " + " | ".join(bench.retried),
            file=sys.stderr,
        )
    if bench.stale_cgroups:
        print(
            "container cgroups a runtime's delete left (removed by the bench): "
            + ", ".join(f"{k} {v}" for k, v in bench.stale_cgroups.items()),
            file=sys.stderr,
        )
    if left:
        print("LEFT BEHIND: " + "; ".join(left), file=sys.stderr)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(res, f, indent=1)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
