"""The qemu guest (tests/vm/run.py) is a real cgroup v2 host: controllers are on, and runc enforces them.

These run on a pure cgroup2 host only (the guest, via tests/vm/test_in_guest.py). They prove the
harness with a runtime that is known to work, so a failure of pyrunc's own cgroupv2 tests in the guest
points at pyrunc and not at the harness.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CGROOT = Path("/sys/fs/cgroup")
RUNC = Path("/usr/sbin/runc")
WANTED = ("memory", "pids")


def _pure_v2_reason() -> str | None:
    """Why this host is not a pure cgroup v2 host with memory and pids enabled, or None."""
    fstypes: dict[str, str] = {}
    v1 = False
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fstype = right.split()[0]
            fstypes[left.split()[4]] = fstype
            v1 = v1 or fstype == "cgroup"
    if fstypes.get(str(CGROOT)) != "cgroup2":
        return f"{CGROOT} is not a cgroup2 mount (hybrid or v1 host); these run in the guest: tests/vm/run.py"
    if v1:
        return "cgroup v1 hierarchies are mounted too: not a pure cgroup v2 host"
    enabled = (CGROOT / "cgroup.subtree_control").read_text().split()
    missing = [c for c in WANTED if c not in enabled]
    if missing:
        return f"controllers not enabled in the root cgroup's subtree_control: {', '.join(missing)}"
    if os.geteuid() != 0:
        return "needs root (runc, cgroups)"
    return None


REASON = _pure_v2_reason()
pytestmark = [
    pytest.mark.cgroupv2,
    pytest.mark.integration,
    pytest.mark.skipif(REASON is not None, reason=REASON or ""),
]


def _wait_for(what: str, pred: Callable[[], bool], timeout: float = 90.0) -> None:
    # The guest is emulated (TCG) and shares two host cores: deadlines are generous on purpose.
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.25)


def _keyed(path: Path) -> dict[str, int]:
    """A flat-keyed cgroup file such as memory.events or pids.events."""
    out = {}
    for line in path.read_text().splitlines():
        key, _, val = line.partition(" ")
        out[key] = int(val)
    return out


def _remove_cgroup_tree(top: Path) -> None:
    if not top.exists():
        return
    dirs = sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
    for d in [*dirs, top]:
        end = time.monotonic() + 20
        while d.exists():
            try:
                d.rmdir()
            except OSError:
                if time.monotonic() > end:
                    raise
                kill = d / "cgroup.kill"
                if kill.exists():
                    kill.write_text("1")
                time.sleep(0.2)


@pytest.fixture
def cg_parent() -> Iterator[str]:
    """A cgroup of this test's own (as a cgroupsPath prefix); removed with everything under it."""
    name = f"/pyrunc-vmtest-{uuid.uuid4().hex[:8]}"
    try:
        yield name
    finally:
        _remove_cgroup_tree(CGROOT / name.lstrip("/"))


class Runc:
    """runc with its state under the test's tmp dir; deletes what it created."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.ids: list[str] = []

    def __call__(self, *args: str, timeout: float = 180.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(RUNC), "--root", str(self.state), *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
        )

    def create(self, cid: str, bundle: Path, log: Path) -> None:
        self.ids.append(cid)
        with open(log, "w") as out:
            # Detached without a terminal, the container keeps runc's stdio: give it a file.
            res = subprocess.run(
                [str(RUNC), "--root", str(self.state), "create", "--bundle", str(bundle), cid],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                timeout=180,
            )
        assert res.returncode == 0, f"runc create failed: {log.read_text()}"
        res = self("start", cid)
        assert res.returncode == 0, f"runc start failed: {res.stderr}"

    def status(self, cid: str) -> str:
        res = self("state", cid)
        return json.loads(res.stdout)["status"] if res.returncode == 0 else "gone"

    def cleanup(self) -> None:
        for cid in self.ids:
            self("kill", cid, "KILL")
            self("delete", "--force", cid)


@pytest.fixture
def runc(tmp_path: Path) -> Iterator[Runc]:
    if not RUNC.exists():
        pytest.skip(f"{RUNC} is not installed (apt-get install runc)")
    r = Runc(tmp_path / "runc-state")
    try:
        yield r
    finally:
        r.cleanup()


def _bundle(
    tmp: Path, rootfs: Path, args: list[str], resources: dict[str, object], cgroups_path: str
) -> Path:
    caps = ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"]
    config = {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": args,
            "env": ["PATH=/bin:/sbin:/usr/bin:/usr/sbin"],
            "cwd": "/",
            "noNewPrivileges": True,
            "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
        },
        "root": {"path": str(rootfs), "readonly": True},
        "hostname": "vmtest",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
            {
                "destination": "/dev/pts",
                "type": "devpts",
                "source": "devpts",
                "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"],
            },
            {
                "destination": "/sys",
                "type": "sysfs",
                "source": "sysfs",
                "options": ["nosuid", "noexec", "ro"],
            },
        ],
        "linux": {
            "namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network", "cgroup")],
            "cgroupsPath": cgroups_path,
            "resources": resources,
        },
    }
    bundle = tmp / "bundle"
    bundle.mkdir()
    (bundle / "config.json").write_text(json.dumps(config))
    return bundle


def test_every_controller_is_enabled() -> None:
    available = (CGROOT / "cgroup.controllers").read_text().split()
    enabled = (CGROOT / "cgroup.subtree_control").read_text().split()
    for c in ("cpu", "cpuset", "io", "memory", "pids"):
        assert c in available, f"the guest kernel offers no {c} controller"
    assert sorted(enabled) == sorted(available)


def test_runc_oom_kills_at_memory_max(
    tmp_path: Path, busybox_rootfs: Path, runc: Runc, cg_parent: str
) -> None:
    limit = 64 * 1024 * 1024
    cid = "oom-" + uuid.uuid4().hex[:8]
    # tail keeps a line that never ends: it grows until the memory cgroup kills it; sh outlives it.
    args = ["sh", "-c", "tail /dev/zero; echo tail-exit=$?; sleep 600"]
    bundle = _bundle(tmp_path, busybox_rootfs, args, {"memory": {"limit": limit}}, f"{cg_parent}/{cid}")
    log = tmp_path / "out"
    runc.create(cid, bundle, log)
    cg = CGROOT / cg_parent.lstrip("/") / cid
    assert int((cg / "memory.max").read_text()) == limit
    _wait_for("tail to be OOM-killed", lambda: "tail-exit=" in log.read_text())
    assert "tail-exit=137" in log.read_text()
    events = _keyed(cg / "memory.events")
    assert events["oom_kill"] >= 1, events
    assert events["max"] >= 1, events
    assert runc.status(cid) == "running", "only the biggest process should have been killed"


def test_runc_stops_a_fork_bomb_at_pids_max(
    tmp_path: Path, busybox_rootfs: Path, runc: Runc, cg_parent: str
) -> None:
    limit = 24
    cid = "bomb-" + uuid.uuid4().hex[:8]
    args = ["sh", "-c", "bomb() { bomb | bomb & }; bomb; sleep 600"]
    bundle = _bundle(tmp_path, busybox_rootfs, args, {"pids": {"limit": limit}}, f"{cg_parent}/{cid}")
    runc.create(cid, bundle, tmp_path / "out")
    cg = CGROOT / cg_parent.lstrip("/") / cid
    assert (cg / "pids.max").read_text().strip() == str(limit)
    peak = 0

    def refused() -> bool:
        nonlocal peak
        peak = max(peak, int((cg / "pids.current").read_text()))
        return _keyed(cg / "pids.events")["max"] > 0

    _wait_for("a fork refused at pids.max", refused)
    for _ in range(8):
        refused()
    assert 0 < peak <= limit
    res = runc("kill", cid, "KILL")
    assert res.returncode == 0 or runc.status(cid) == "stopped", res.stderr
    _wait_for("the bomb's processes to be gone", lambda: not (cg / "cgroup.procs").read_text().strip())
    res = runc("delete", "--force", cid)
    assert res.returncode == 0, res.stderr
    assert not cg.exists()


def test_runc_writes_cpu_io_and_cpuset_limits(
    tmp_path: Path, busybox_rootfs: Path, runc: Runc, cg_parent: str
) -> None:
    # run.py attaches a scratch virtio disk, so io.max has a real device to throttle.
    major, minor = (int(n) for n in Path("/sys/block/vda/dev").read_text().split(":"))
    cid = "lim-" + uuid.uuid4().hex[:8]
    resources = {
        "cpu": {"quota": 20000, "period": 100000, "cpus": "0"},
        "blockIO": {"throttleReadBpsDevice": [{"major": major, "minor": minor, "rate": 1048576}]},
    }
    bundle = _bundle(tmp_path, busybox_rootfs, ["sleep", "600"], resources, f"{cg_parent}/{cid}")
    runc.create(cid, bundle, tmp_path / "out")
    cg = CGROOT / cg_parent.lstrip("/") / cid
    assert (cg / "cpu.max").read_text().split() == ["20000", "100000"]
    assert f"{major}:{minor} rbps=1048576" in (cg / "io.max").read_text()
    assert (cg / "cpuset.cpus.effective").read_text().strip() == "0"
