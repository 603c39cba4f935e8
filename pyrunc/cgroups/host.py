"""Which cgroup hierarchies this host has, found once per command.

Mode: `unified` (cgroup2 at /sys/fs/cgroup), `hybrid` (v1 controllers plus a cgroup2 tree, usually at
/sys/fs/cgroup/unified) or `legacy` (v1 only). Detection costs a few stat calls; the v1 mount table is
read from /proc/self/mountinfo only when v1 is present.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    pass

UNIFIED = "unified"
HYBRID = "hybrid"
LEGACY = "legacy"

CGROUP_ROOT = "/sys/fs/cgroup"

# v1 controllers pyrunc drives, in the order it creates and joins them.
V1_CONTROLLERS = (
    "cpu",
    "cpuacct",
    "cpuset",
    "memory",
    "devices",
    "freezer",
    "blkio",
    "pids",
    "hugetlb",
    "net_cls",
    "net_prio",
    "rdma",
    "perf_event",
    "misc",
)


class Host:
    """The hierarchies of this host: the cgroup2 mount (or None) and each v1 controller's mount."""

    def __init__(self, mode: str, v2_root: str | None, v1_roots: dict[str, str]) -> None:
        self.mode = mode
        self.v2_root = v2_root
        self.v1_roots = v1_roots

    def __repr__(self) -> str:
        return f"Host({self.mode!r}, {self.v2_root!r}, {self.v1_roots!r})"

    def v2_controllers(self) -> set[str]:
        """Controllers the cgroup2 tree offers (empty without one)."""
        if self.v2_root is None:
            return set()
        try:
            with open(self.v2_root + "/cgroup.controllers") as f:
                return set(f.read().split())
        except OSError:
            return set()


def parse_v1_mounts(mountinfo: str) -> dict[str, str]:
    """Controller -> mount point for every cgroup v1 mount in a mountinfo text.

    Named hierarchies (name=systemd) are kept under their `name=` key. When a controller is mounted
    twice, the first mount wins (as the kernel lists the original first).
    """
    roots: dict[str, str] = {}
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        rfields = right.split()
        if len(rfields) < 3 or rfields[0] != "cgroup":
            continue
        lfields = left.split()
        if len(lfields) < 5:
            continue
        mountpoint = lfields[4].replace("\\040", " ")
        for opt in rfields[2].split(","):
            if opt in V1_CONTROLLERS or opt.startswith("name="):
                roots.setdefault(opt, mountpoint)
    return roots


def _is_cgroup2(path: str) -> bool:
    # cgroup.controllers exists only on a cgroup2 mount; one stat instead of a statfs binding.
    return os.path.exists(path + "/cgroup.controllers")


def detect(root: str = CGROUP_ROOT) -> Host:
    """Look at the host once; tests pass another root to run against a fixture tree."""
    if _is_cgroup2(root):
        return Host(UNIFIED, root, {})
    try:
        with open("/proc/self/mountinfo") as f:
            v1 = parse_v1_mounts(f.read())
    except OSError:
        v1 = {}
    unified = root + "/unified"
    if _is_cgroup2(unified):
        return Host(HYBRID, unified, v1)
    return Host(LEGACY, None, v1)


_cached: Host | None = None


def host() -> Host:
    """The host's hierarchies, detected on first use within this process."""
    global _cached
    if _cached is None:
        _cached = detect()
    return _cached
