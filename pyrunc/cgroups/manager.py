"""CgroupManager: one container's cgroups on every hierarchy of the host.

On a unified host the container has one cgroup v2 directory. On a hybrid host it has one directory per
v1 controller and one in the cgroup2 tree (as runc does: tools that only look at v2 still find it, and
cgroup.kill works there); limits go to the v1 controllers, and a controller only the v2 tree offers is
driven there. On a legacy host it has the v1 directories only.

This module is on the hot path of every command: it imports only os and the cheap helpers; the
resource writers, device rules and stats load when a command needs them.
"""

from __future__ import annotations

import os

from ..errors import PyruncError
from . import fs
from .host import HYBRID, LEGACY, UNIFIED, host
from .paths import container_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# How long pause, kill and delete wait for the kernel before giving up.
WAIT_SECONDS = 10.0


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _now() -> float:
    import time

    return time.monotonic()


def _wait_pidfds(pids: list[int], timeout: float) -> None:
    """Block until every one of pids has exited (pidfds, no sleeping loop) or the timeout passes."""
    import select

    poller = select.poll()
    fds = []
    try:
        for pid in pids:
            try:
                fd = os.pidfd_open(pid)
            except OSError:
                continue  # already gone
            fds.append(fd)
            poller.register(fd, select.POLLIN)
        deadline = _now() + timeout
        pending = len(fds)
        while pending:
            left = deadline - _now()
            if left <= 0:
                return
            ready = poller.poll(left * 1000)
            for fd, _ in ready:
                poller.unregister(fd)
                pending -= 1
    finally:
        for fd in fds:
            os.close(fd)


def _poll_file(path: str, key: str, want: int, timeout: float) -> bool:
    """Wait until `key want` appears in a v2 keyed file; kernfs wakes POLLPRI on each change."""
    import select

    deadline = _now() + timeout
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return True
    try:
        poller = select.poll()
        poller.register(fd, select.POLLPRI | select.POLLERR)
        while True:
            os.lseek(fd, 0, os.SEEK_SET)
            text = os.read(fd, 4096).decode()
            for line in text.splitlines():
                k, _, v = line.partition(" ")
                if k == key and v.strip() == str(want):
                    return True
            left = deadline - _now()
            if left <= 0:
                return False
            # The timeout also covers a change that landed between the read and poll().
            poller.poll(min(left, 0.1) * 1000)
    finally:
        os.close(fd)


class CgroupManager:
    def __init__(
        self,
        container_id: str,
        path: str,
        mode: str,
        v1_dirs: dict[str, str],
        v2_dir: str | None,
        resources: dict | None,
        *,
        rootless: bool = False,
        skipped: bool = False,
        created: list[str] | None = None,
        device_rules: list | None = None,
    ) -> None:
        self.container_id = container_id
        self.path = path
        self.mode = mode
        self.v1_dirs = v1_dirs
        self.v2_dir = v2_dir
        self.resources = resources
        self.rootless = rootless
        self.skipped = skipped
        self.created = created or []
        self.device_rules = device_rules

    # ----- construction -------------------------------------------------------------------------

    @classmethod
    def for_container(
        cls,
        container_id: str,
        cgroups_path: str | None,
        resources: dict | None,
        *,
        systemd: bool,
        rootless: bool,
        linux_devices: list | None = None,
    ) -> CgroupManager:
        """Decide the paths; nothing is touched until create().

        linux_devices: the config's `linux.devices`, whose devices get an allow rule (as runc adds).
        """
        h = host()
        path = container_path(container_id, cgroups_path, systemd)
        v1_dirs = {ctrl: root + path for ctrl, root in h.v1_roots.items()}
        v2_dir = h.v2_root + path if h.v2_root is not None else None
        m = cls(container_id, path, h.mode, v1_dirs, v2_dir, resources, rootless=rootless)
        if linux_devices:
            from .devices import device_rules_from_linux_devices

            m.device_rules = device_rules_from_linux_devices(linux_devices)
        return m

    def to_state(self) -> dict:
        return {
            "path": self.path,
            "mode": self.mode,
            "v1": self.v1_dirs,
            "v2": self.v2_dir,
            "rootless": self.rootless,
            "skipped": self.skipped,
            "created": self.created,
            "devices": self.device_rules,
        }

    @classmethod
    def from_state(cls, d: dict, container_id: str = "") -> CgroupManager:
        return cls(
            container_id,
            d.get("path", ""),
            d.get("mode", UNIFIED),
            dict(d.get("v1") or {}),
            d.get("v2"),
            None,
            rootless=bool(d.get("rootless")),
            skipped=bool(d.get("skipped")),
            created=list(d.get("created") or []),
            device_rules=[tuple(r) for r in d.get("devices") or []] or None,
        )

    # ----- directories --------------------------------------------------------------------------

    def _unique_v1(self) -> list[str]:
        seen: list[str] = []
        for d in self.v1_dirs.values():
            if d not in seen:
                seen.append(d)
        return seen

    def all_dirs(self) -> list[str]:
        dirs = self._unique_v1()
        if self.v2_dir is not None:
            dirs.append(self.v2_dir)
        return dirs

    def _makedirs(self, d: str, created: list[str], cpuset: bool, v2_root: str | None) -> None:
        """mkdir -p, remembering what was made; new v1 cpuset levels get their parent's cpus and mems (a
        new cpuset cgroup starts empty and no task can join it), new v2 levels get the controllers."""
        parent = os.path.dirname(d)
        if not os.path.isdir(parent):
            self._makedirs(parent, created, cpuset, v2_root)
        if v2_root is not None and self.mode == UNIFIED:
            _enable_controllers(parent)
        for _ in range(5):
            try:
                os.mkdir(d, 0o755)
                break
            except FileExistsError:
                return
            except FileNotFoundError:
                # A parent vanished meanwhile (another container's delete emptied and removed it).
                self._makedirs(parent, created, cpuset, v2_root)
        else:
            os.mkdir(d, 0o755)
        created.append(d)
        if cpuset:
            for name in ("cpuset.cpus", "cpuset.mems"):
                if not fs.read_or(d + "/" + name).strip():
                    fs.write(d + "/" + name, fs.read_or(parent + "/" + name).strip() or "\n")

    def _check_reusable(self, d: str, is_v2: bool) -> None:
        """A cgroup pyrunc did not make must be empty and thawed: a busy one would put the container under
        someone else's limits and let pyrunc kill processes it never started; a frozen one would hang
        the container's init before it runs."""
        procs = fs.read_pids(d + "/cgroup.procs")
        if procs:
            shown = " ".join(str(p) for p in procs[:5])
            raise PyruncError(
                f"cgroup `{d}` already holds processes ({shown}): a container needs a cgroup of its own"
            )
        if is_v2:
            frozen = fs.read_or(d + "/cgroup.freeze").strip() == "1" or "frozen 1" in fs.read_or(
                d + "/cgroup.events"
            )
        else:
            frozen = d == self.v1_dirs.get("freezer") and fs.read_or(d + "/freezer.state").strip() not in (
                "",
                "THAWED",
            )
        if frozen:
            raise PyruncError(f"cgroup `{d}` is frozen: the container's init could not run; thaw it first")

    def create(self) -> None:
        created: list[str] = []
        try:
            for d in self.all_dirs():
                is_v2 = d == self.v2_dir
                existed = os.path.isdir(d)
                try:
                    self._makedirs(
                        d, created, d == self.v1_dirs.get("cpuset"), self.v2_dir if is_v2 else None
                    )
                except PermissionError:
                    raise
                except OSError as exc:
                    if exc.errno in (1, 13, 30):  # EPERM, EACCES, EROFS
                        raise PermissionError(exc.errno, exc.strerror, d) from None
                    raise PyruncError(f"create cgroup `{d}`: {fs.strerror(exc.errno or 0)}") from None
                if existed:
                    self._check_reusable(d, is_v2)
            self.created = created
            self._apply(self.resources or {}, update=False)
        except PermissionError as exc:
            self._undo(created)
            from .common import has_limits

            if self.rootless and not has_limits(self.resources):
                # runc's rule: without limits to enforce, a rootless container can live without cgroups.
                self.skipped = True
                self.created = []
                return
            raise PyruncError(
                f"create cgroup `{exc.filename}`: {fs.strerror(exc.errno or 0)}"
                + (
                    " (rootless: the config asks for cgroup limits; delegate a writable cgroup to this user "
                    "or remove linux.resources)"
                    if self.rootless
                    else ""
                )
            ) from None
        except BaseException:
            self._undo(created)
            raise

    def _undo(self, created: list[str]) -> None:
        """Remove what a failed create made without hiding the error that made it fail."""
        try:
            self._remove_dirs(created)
        except PyruncError:
            pass

    def _apply(self, resources: dict, update: bool) -> None:
        if self.mode == UNIFIED:
            from . import v2 as v2w

            assert self.v2_dir is not None
            v2w.apply(self.v2_dir, resources, update=update)
        else:
            from . import v1 as v1w

            dirs = dict(self.v1_dirs)
            # A controller only the cgroup2 tree offers on this hybrid host (hugetlb here, say) is driven
            # there; the v1 writer would otherwise call it unavailable. The v2 writer is loaded only for a
            # config that uses one of them (importing it costs ~1 ms of every create).
            if (
                self.mode == HYBRID
                and self.v2_dir is not None
                and (
                    "hugetlb" not in dirs
                    and resources.get("hugepageLimits")
                    or "rdma" not in dirs
                    and resources.get("rdma")
                )
            ):
                from . import v2 as v2w

                avail = v2w.controllers(self.v2_dir)
                if "hugetlb" not in dirs and "hugetlb" in avail:
                    v2w.apply_hugetlb(self.v2_dir, avail, resources)
                    resources = {k: v for k, v in resources.items() if k != "hugepageLimits"}
                if "rdma" not in dirs and "rdma" in avail:
                    v2w.apply_rdma(self.v2_dir, avail, resources)
                    resources = {k: v for k, v in resources.items() if k != "rdma"}
            v1w.apply(dirs, resources, update=update)
            if resources.get("unified"):
                if self.mode == LEGACY:
                    from ..errors import ConfigError
                    from .common import ptr

                    raise ConfigError(ptr("unified"), "this host has no cgroup v2 hierarchy")
                from . import v2 as v2w

                v2w.apply_unified(self.v2_dir, resources)
        if not update or "devices" in resources:
            self._apply_devices(resources, update)

    def _apply_devices(self, resources: dict, update: bool) -> None:
        if self.rootless:
            return  # a rootless runtime cannot set device rules; runc skips them too
        from . import devices

        rules = devices.effective(devices.parse(resources.get("devices")), self.device_rules)
        if "devices" in self.v1_dirs:
            devices.apply_v1(self.v1_dirs["devices"], rules)
        elif self.v2_dir is not None:
            devices.apply_v2(self.v2_dir, rules)

    # ----- processes ----------------------------------------------------------------------------

    def join(self, pid: int) -> None:
        if self.skipped:
            return
        for d in self.all_dirs():
            try:
                fs.write(d + "/cgroup.procs", str(pid))
            except PyruncError as exc:
                raise PyruncError(f"join cgroup: {exc}") from None

    def join_targets(self, dirs: list[str] | None = None) -> tuple[list[str], str]:
        """What a single-threaded process writes "0" to, to join by itself: each v1 hierarchy's `tasks`
        file, and the cgroup2 directory to be cloned into (csrc/spawn.c says why not cgroup.procs).
        dirs: sub-cgroups to join instead (exec --cgroup), one per hierarchy."""
        if self.skipped:
            return [], ""
        if dirs is None:
            return [d + "/tasks" for d in self._unique_v1()], self.v2_dir or ""
        root = self.v2_dir
        v2 = [d for d in dirs if root is not None and (d == root or d.startswith(root + "/"))]
        return [d + "/tasks" for d in dirs if d not in v2], v2[0] if v2 else ""

    def pids(self) -> list[int]:
        if self.skipped:
            return []
        for d in self.procs_dirs():
            if os.path.isdir(d):
                return fs.read_pids(d + "/cgroup.procs")
        return []

    def procs_dirs(self) -> list[str]:
        out = []
        if self.v2_dir is not None:
            out.append(self.v2_dir)
        for ctrl in ("pids", "freezer", "memory"):
            if ctrl in self.v1_dirs:
                out.append(self.v1_dirs[ctrl])
        out.extend(self._unique_v1())
        return out

    # ----- freezer ------------------------------------------------------------------------------

    def freezer(self) -> tuple[str, bool]:
        """(directory, is_v2) of the freezer this container uses."""
        if "freezer" in self.v1_dirs:
            return self.v1_dirs["freezer"], False
        if self.v2_dir is not None:
            return self.v2_dir, True
        raise PyruncError("this host has no cgroup freezer")

    def freeze(self) -> None:
        if self.skipped:
            raise PyruncError("the container has no cgroup (rootless without cgroups): cannot pause it")
        d, is_v2 = self.freezer()
        if is_v2:
            fs.write(d + "/cgroup.freeze", "1")
            if not _poll_file(d + "/cgroup.events", "frozen", 1, WAIT_SECONDS):
                fs.write(d + "/cgroup.freeze", "0")
                raise PyruncError(f"freeze cgroup `{d}`: timed out waiting for it to freeze")
            return
        deadline = _now() + WAIT_SECONDS
        delay = 0.0005
        while True:
            # v1 reports FREEZING until every task stopped; rewriting FROZEN retries stragglers.
            fs.write(d + "/freezer.state", "FROZEN")
            if fs.read_or(d + "/freezer.state").strip() == "FROZEN":
                return
            if _now() > deadline:
                fs.write(d + "/freezer.state", "THAWED")
                raise PyruncError(f"freeze cgroup `{d}`: timed out waiting for it to freeze")
            _sleep(delay)
            delay = min(delay * 2, 0.05)

    def thaw(self) -> None:
        if self.skipped:
            raise PyruncError("the container has no cgroup (rootless without cgroups): cannot resume it")
        d, is_v2 = self.freezer()
        if is_v2:
            fs.write(d + "/cgroup.freeze", "0")
            _poll_file(d + "/cgroup.events", "frozen", 0, WAIT_SECONDS)
        else:
            fs.write(d + "/freezer.state", "THAWED")

    def is_frozen(self) -> bool:
        if self.skipped:
            return False
        try:
            d, is_v2 = self.freezer()
        except PyruncError:
            return False
        if is_v2:
            return fs.read_or(d + "/cgroup.freeze").strip() == "1"
        return fs.read_or(d + "/freezer.state").strip() in ("FROZEN", "FREEZING")

    # ----- signals and teardown -----------------------------------------------------------------

    def kill_all(self, sig: int) -> None:
        """Signal every process. SIGKILL through cgroup.kill where the kernel has it (it races with no
        fork); otherwise freeze, signal each process, thaw, so no child escapes by forking meanwhile."""
        if self.skipped:
            return
        if sig == 9 and self.v2_dir is not None and os.path.exists(self.v2_dir + "/cgroup.kill"):
            fs.write(self.v2_dir + "/cgroup.kill", "1")
            if "freezer" in self.v1_dirs and self.is_frozen():
                # A task stopped by the v1 freezer dies only once thawed.
                self.thaw()
            return
        was_frozen = self.is_frozen()
        try:
            self.freeze()
        except PyruncError:
            was_frozen = True  # no freezer: signal without it, and do not thaw
        try:
            for pid in self.pids():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        finally:
            if not was_frozen or sig == 9:
                try:
                    self.thaw()
                except PyruncError:
                    pass

    def wait_empty(self, timeout: float = WAIT_SECONDS) -> bool:
        if self.v2_dir is not None and os.path.exists(self.v2_dir + "/cgroup.events"):
            if not _poll_file(self.v2_dir + "/cgroup.events", "populated", 0, timeout):
                return False
        deadline = _now() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return True
            left = deadline - _now()
            if left <= 0:
                return False
            _wait_pidfds(pids, left)

    def destroy(self) -> None:
        """Kill whatever is left, wait until the cgroups are empty, remove them. Idempotent."""
        if self.skipped:
            return
        if any(os.path.isdir(d) for d in self.all_dirs()):
            for _ in range(3):
                if not self.pids():
                    break
                self.kill_all(9)
                if self.wait_empty():
                    break
            if self.is_frozen():
                try:
                    self.thaw()
                except PyruncError:
                    pass
        leftover = self.pids()
        if leftover:
            raise PyruncError(f"remove cgroup `{self.path}`: processes {leftover[:5]} survived SIGKILL")
        self._remove_dirs(self.all_dirs() + list(self.created))

    def _remove_dirs(self, dirs: list[str]) -> None:
        """rmdir deepest first (see removal_order)."""
        leaves = [d for d in self.all_dirs() if d in dirs]
        errors = []
        for d, leaf in removal_order(leaves, dirs, self.path):
            for attempt in range(200):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if leaf and exc.errno == 16 and attempt < 199:
                        # EBUSY just after the last task exited: the kernel is still releasing it.
                        _sleep(0.005)
                        continue
                    if leaf:
                        errors.append(f"`{d}`: {fs.strerror(exc.errno or 0)}")
                    break
        if errors:
            raise PyruncError("remove cgroup " + "; ".join(errors))

    # ----- limits and accounting ----------------------------------------------------------------

    def update(self, resources: dict) -> None:
        if self.skipped:
            from .common import has_limits

            if has_limits(resources):
                raise PyruncError("the container has no cgroup (rootless without cgroups): cannot set limits")
            return
        self._apply(resources, update=True)

    def stats(self) -> dict:
        from . import stats

        if self.skipped:
            return {}
        if self.mode == UNIFIED:
            assert self.v2_dir is not None
            return stats.v2_stats(self.v2_dir)
        data = stats.v1_stats(self.v1_dirs)
        if self.mode == HYBRID and self.v2_dir is not None and "hugetlb" not in self.v1_dirs:
            data["hugetlb"] = stats._hugetlb(self.v2_dir, v2=True)
        return data

    def oom_count(self) -> int:
        if self.skipped:
            return 0
        if "memory" in self.v1_dirs:
            return fs.read_keyed(self.v1_dirs["memory"] + "/memory.oom_control").get("oom_kill", 0)
        if self.v2_dir is not None:
            return fs.read_keyed(self.v2_dir + "/memory.events").get("oom_kill", 0)
        return 0

    def oom_watch_fd(self) -> tuple[int, Any]:
        """A pollable fd that wakes on an OOM event (and what to close afterwards): an eventfd registered
        on memory.oom_control (v1), or memory.events itself (v2, POLLPRI)."""
        if "memory" in self.v1_dirs:
            d = self.v1_dirs["memory"]
            efd = os.eventfd(0, os.EFD_CLOEXEC)
            ofd = os.open(d + "/memory.oom_control", os.O_RDONLY | os.O_CLOEXEC)
            fs.write(d + "/cgroup.event_control", f"{efd} {ofd}")
            return efd, (efd, ofd)
        if self.v2_dir is None:
            raise PyruncError("this host has no memory cgroup")
        fd = os.open(self.v2_dir + "/memory.events", os.O_RDONLY | os.O_CLOEXEC)
        return fd, (fd,)


def _enable_controllers(parent: str) -> None:
    """On a unified host, make the parent hand its controllers down (as runc does: all it has)."""
    have = set(fs.read_or(parent + "/cgroup.controllers").split())
    on = set(fs.read_or(parent + "/cgroup.subtree_control").split())
    for ctrl in sorted(have - on):
        try:
            fs.write(parent + "/cgroup.subtree_control", "+" + ctrl)
        except PyruncError:
            # A controller the kernel refuses here (threaded subtree, busy parent) is just not offered.
            pass


def removal_order(leaves: list[str], dirs: list[str], path: str) -> list[tuple[str, bool]]:
    """What removing a container's cgroups takes, deepest first: (directory, is a leaf that must go).
    Parents pyrunc made (in dirs), and pyrunc's default parent, go too once empty: while another
    container still uses them rmdir says EBUSY and they stay. The C front end's delete follows the same
    order from its record (pyrunc/state/fastrecord.py)."""
    from .paths import DEFAULT_PARENT

    extra = set(dirs) | set(leaves)
    if leaves and path.startswith(DEFAULT_PARENT + "/"):
        for d in leaves:
            root = d[: len(d) - len(path)]
            rel = os.path.dirname(path)
            while rel.startswith(DEFAULT_PARENT):
                extra.add(root + rel)
                rel = os.path.dirname(rel)
    return [(d, d in leaves) for d in sorted(extra, key=lambda p: (-p.count("/"), p))]
