"""linux.namespaces: created, joined by path, inherited; user namespaces with id maps; time offsets;
a container without a mount namespace."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import tempfile
import time

import pytest

ALL = ("pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time")
PROC_NAME = {
    "pid": "pid",
    "network": "net",
    "mount": "mnt",
    "ipc": "ipc",
    "uts": "uts",
    "user": "user",
    "cgroup": "cgroup",
    "time": "time",
}
USERNS_MAP = [{"containerID": 0, "hostID": 100000, "size": 65536}]


def host_ns(kind: str) -> str:
    return os.readlink(f"/proc/self/ns/{PROC_NAME[kind]}")


def probe(rt, mutate=None, **kw) -> dict:
    proc = rt.run_container(["/bin/probe"], mutate=mutate, **kw)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def with_userns(cfg: dict) -> None:
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = USERNS_MAP
    cfg["linux"]["gidMappings"] = USERNS_MAP


@pytest.fixture
def open_dir():
    """A directory any uid may traverse: pytest's tmp dirs are 0700 root, closed to a mapped root."""
    path = tempfile.mkdtemp(prefix="pyrunc-ns-")
    os.chmod(path, 0o755)
    yield path
    leftover = _host_mounts_under(path)
    shutil.rmtree(path, ignore_errors=True)
    assert leftover == [], f"mounts left behind: {leftover}"


def userns_bundle(rt, open_dir: str, mutate) -> str:
    """A bundle with its own rootfs copy, moved where a remapped root can reach it."""
    bundle = rt.bundle([], mutate=mutate, own_rootfs=True)
    return shutil.move(str(bundle), open_dir)


def run_userns_probe(rt, open_dir: str, mutate) -> dict:
    proc = rt("run", "-b", userns_bundle(rt, open_dir, mutate), rt.new_id())
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_every_namespace_type_is_created(rt, open_dir):
    def mutate(cfg):
        cfg["linux"]["namespaces"] = [{"type": t} for t in ALL if t != "user"]
        with_userns(cfg)
        cfg["process"]["args"] = ["/bin/probe"]

    seen = run_userns_probe(rt, open_dir, mutate)
    for kind in ALL:
        assert seen["ns"][PROC_NAME[kind]] != host_ns(kind), kind
    assert seen["pid"] == 1


def test_types_not_listed_are_inherited(rt):
    def mutate(cfg):
        cfg["linux"]["namespaces"] = [{"type": "pid"}, {"type": "mount"}]
        del cfg["hostname"]  # a hostname needs a uts namespace

    seen = probe(rt, mutate)
    for kind in ("network", "ipc", "uts", "user", "cgroup", "time"):
        assert seen["ns"][PROC_NAME[kind]] == host_ns(kind), kind
    for kind in ("pid", "mount"):
        assert seen["ns"][PROC_NAME[kind]] != host_ns(kind), kind


@pytest.fixture
def sleeper(rt):
    """A created-then-started container whose namespaces others join."""

    def mutate(cfg):
        cfg["linux"]["namespaces"].append({"type": "time"})
        cfg["linux"]["timeOffsets"] = {"monotonic": {"secs": 86400, "nanosecs": 0}}

    bundle = rt.bundle(["/bin/sleep", "60"], mutate=mutate)
    cid = rt.new_id()
    rt("run", "-d", "-b", str(bundle), cid, check=True)
    pid = rt.state(cid)["pid"]
    yield pid
    rt("delete", "--force", cid, check=True)


def test_join_namespaces_by_path(rt, sleeper):
    joined = ("network", "ipc", "uts", "pid", "cgroup", "time")

    def mutate(cfg):
        cfg["linux"]["namespaces"] = [{"type": "mount"}] + [
            {"type": t, "path": f"/proc/{sleeper}/ns/{PROC_NAME[t]}"} for t in joined
        ]

    seen = probe(rt, mutate)
    for kind in joined:
        assert seen["ns"][PROC_NAME[kind]] == os.readlink(f"/proc/{sleeper}/ns/{PROC_NAME[kind]}"), kind
        assert seen["ns"][PROC_NAME[kind]] != host_ns(kind), kind
    # In the other container's pid namespace, where its sleep is pid 1, the probe is not.
    assert seen["pid"] != 1
    assert seen["ns"]["mnt"] != os.readlink(f"/proc/{sleeper}/ns/mnt")
    # The joined time namespace brings its offset along.
    assert seen["monotonic"] >= time.clock_gettime(time.CLOCK_MONOTONIC) + 86400 - 5


def test_join_path_of_the_wrong_type_is_an_error(rt, sleeper):
    def mutate(cfg):
        for ns in cfg["linux"]["namespaces"]:
            if ns["type"] == "network":
                ns["path"] = f"/proc/{sleeper}/ns/ipc"

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b"ipc namespace, not network" in proc.stderr
    assert not (rt.root / cid).exists()


def test_join_path_that_does_not_exist_is_an_error(rt):
    def mutate(cfg):
        cfg["linux"]["namespaces"][1]["path"] = "/proc/self/ns/no-such"

    bundle = rt.bundle(["/bin/true"], mutate=mutate)
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b"/proc/self/ns/no-such" in proc.stderr and b"no such file or directory" in proc.stderr
    assert not (rt.root / cid).exists()


def test_user_namespace_maps_ids(rt, open_dir):
    shared = pathlib.Path(open_dir) / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)

    def mutate(cfg):
        with_userns(cfg)
        cfg["process"]["args"] = ["/bin/sh", "-c", "touch /run/by-root; sleep 60"]
        # /run already exists: a remapped root cannot create a mount point in the root-owned rootfs.
        cfg["mounts"].append(
            {"destination": "/run", "type": "bind", "source": str(shared), "options": ["rbind", "rw"]}
        )

    cid = rt.new_id()
    rt("run", "-d", "-b", userns_bundle(rt, open_dir, mutate), cid, check=True)
    try:
        pid = rt.state(cid)["pid"]
        with open(f"/proc/{pid}/uid_map") as handle:
            assert handle.read().split() == ["0", "100000", "65536"]
        with open(f"/proc/{pid}/gid_map") as handle:
            assert handle.read().split() == ["0", "100000", "65536"]
        assert os.readlink(f"/proc/{pid}/ns/user") != host_ns("user")
        # Root inside is uid 100000 outside: the host sees it own the process and the file it made.
        with open(f"/proc/{pid}/status") as handle:
            uids = next(line for line in handle if line.startswith("Uid:")).split()[1:]
        assert uids == ["100000"] * 4
        deadline = time.monotonic() + 10
        while not (shared / "by-root").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        st = os.stat(shared / "by-root")
        assert (st.st_uid, st.st_gid) == (100000, 100000)
    finally:
        rt("delete", "--force", cid, check=True)


def test_user_namespace_root_inside_is_root(rt, open_dir):
    def mutate(cfg):
        with_userns(cfg)
        cfg["process"]["args"] = ["/bin/probe"]

    seen = run_userns_probe(rt, open_dir, mutate)
    assert (seen["uid"], seen["gid"]) == (0, 0)
    assert seen["ns"]["user"] != host_ns("user")


def test_time_namespace_offsets(rt):
    offset = 10 * 86400

    def mutate(cfg):
        cfg["linux"]["namespaces"].append({"type": "time"})
        cfg["linux"]["timeOffsets"] = {
            "monotonic": {"secs": offset, "nanosecs": 0},
            "boottime": {"secs": 2 * offset, "nanosecs": 0},
        }

    before_mono = time.clock_gettime(time.CLOCK_MONOTONIC)
    before_boot = time.clock_gettime(time.CLOCK_BOOTTIME)
    seen = probe(rt, mutate)
    after_mono = time.clock_gettime(time.CLOCK_MONOTONIC)
    after_boot = time.clock_gettime(time.CLOCK_BOOTTIME)
    assert before_mono + offset - 1 <= seen["monotonic"] <= after_mono + offset + 1
    assert before_boot + 2 * offset - 1 <= seen["boottime"] <= after_boot + 2 * offset + 1
    assert seen["ns"]["time"] != host_ns("time")
    # /proc/uptime follows boottime in the namespace.
    proc = rt.run_container(["/bin/cat", "/proc/uptime"], mutate=mutate)
    assert proc.returncode == 0, proc.stderr
    assert float(proc.stdout.split()[0]) >= before_boot + 2 * offset - 1


def test_time_offsets_without_time_namespace_are_refused(rt):
    def mutate(cfg):
        cfg["linux"]["timeOffsets"] = {"monotonic": {"secs": 5, "nanosecs": 0}}

    proc = rt.run_container(["/bin/true"], mutate=mutate)
    assert proc.returncode == 1
    assert b"/linux/timeOffsets" in proc.stderr


def _host_mounts_under(path: str) -> list[str]:
    with open("/proc/self/mountinfo") as handle:
        points = [line.split()[4] for line in handle]
    return [p for p in points if p == path or p.startswith(path + "/")]


def without_mount_ns(cfg: dict) -> None:
    # Masking and read-only remounts need a mount namespace of their own (runc refuses them too).
    cfg["linux"]["namespaces"] = [t for t in cfg["linux"]["namespaces"] if t["type"] != "mount"]
    cfg["linux"].pop("maskedPaths", None)
    cfg["linux"].pop("readonlyPaths", None)


def test_no_mount_namespace_uses_chroot_and_cleans_up(rt):
    def mutate(cfg):
        without_mount_ns(cfg)
        cfg["process"]["args"] = [
            "/bin/sh",
            "-c",
            "cat /proc/self/mountinfo >/dev/null && ls /bin/probe && sleep 60",
        ]

    bundle = rt.bundle([], mutate=mutate, own_rootfs=True)
    rootfs = os.path.realpath(bundle / "rootfs")
    cid = rt.new_id()
    rt("run", "-d", "-b", str(bundle), cid, check=True)
    try:
        pid = rt.state(cid)["pid"]
        assert os.readlink(f"/proc/{pid}/ns/mnt") == host_ns("mount")
        assert os.readlink(f"/proc/{pid}/root") == rootfs
        # The container's mounts are in our namespace while it lives...
        assert any(p == rootfs + "/proc" for p in _host_mounts_under(rootfs))
    finally:
        rt("delete", "--force", cid, check=True)
    # ...and none is left once it is deleted.
    assert _host_mounts_under(rootfs) == []


def test_no_mount_namespace_failed_create_leaves_no_mount(rt):
    bundle = rt.bundle(["/no/such/program"], mutate=without_mount_ns, own_rootfs=True)
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1 and b"no such file or directory" in proc.stderr
    assert _host_mounts_under(str(bundle / "rootfs")) == []
    assert not (rt.root / cid).exists()
