"""The cgroup2 tree of this hybrid host: no resource controllers are enabled there, but cgroup.procs,
cgroup.freeze, cgroup.kill and device eBPF programs work, so the v2 code paths for those run for real.

The manager is pointed at the cgroup2 tree alone (as on a unified host) under a test parent this file
creates; the root's subtree_control is never written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid

import pytest

from pyrunc.cgroups import devices
from pyrunc.cgroups.host import UNIFIED, host
from pyrunc.cgroups.manager import CgroupManager
from pyrunc.cgroups.testsupport import CgroupTestParent
from pyrunc.errors import NativeError, PyruncError

H = host()
pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create cgroups"),
    pytest.mark.skipif(H.v2_root is None, reason="this host has no cgroup2 hierarchy"),
]


@pytest.fixture
def parent():
    p = CgroupTestParent()
    assert H.v2_root is not None
    # Made here so that the manager enables controllers only in a parent of ours, never in the root.
    os.mkdir(H.v2_root + "/" + p.name)
    yield p
    left = p.cleanup()
    assert not left, f"test cgroups left behind: {left}"


def make(parent: CgroupTestParent, resources: dict | None = None) -> CgroupManager:
    assert H.v2_root is not None
    name = "c-" + uuid.uuid4().hex[:8]
    path = parent.path(name)
    m = CgroupManager(name, path, UNIFIED, {}, H.v2_root + path, resources)
    m.create()
    return m


def spawn(m: CgroupManager, script: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(["/bin/sh", "-c", script], preexec_fn=lambda: m.join(os.getpid()), **kw)


def _counter(path: str) -> int:
    with open(path) as f:
        return int(f.read().strip() or 0)


def test_cgroup_freeze_stops_a_counter(parent, tmp_path):
    m = make(parent)
    counter = tmp_path / "n"
    proc = spawn(m, f"i=0; while :; do i=$((i+1)); echo $i > {counter}.t; mv {counter}.t {counter}; done")
    try:
        while not counter.exists():
            time.sleep(0.01)
        m.freeze()
        assert m.is_frozen()
        with open(m.v2_dir + "/cgroup.events") as f:
            assert "frozen 1" in f.read()
        a = _counter(str(counter))
        time.sleep(0.4)
        assert _counter(str(counter)) == a
        m.thaw()
        assert not m.is_frozen()
        deadline = time.monotonic() + 30  # generous: the same test runs in an emulated guest
        while _counter(str(counter)) <= a and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _counter(str(counter)) > a
    finally:
        m.destroy()
        proc.wait(10)


def test_cgroup_kill_reaches_every_process(parent):
    m = make(parent)
    proc = spawn(m, "sleep 100 & (sleep 100 & sleep 100 & wait) & setsid sleep 100 & wait")
    try:
        deadline = time.monotonic() + 5
        while len(m.pids()) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(m.pids()) >= 6
        m.kill_all(signal.SIGKILL)
        assert m.wait_empty(5)
    finally:
        m.destroy()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL


def test_sigterm_through_freeze_signal_thaw(parent):
    m = make(parent)
    proc = spawn(m, "sleep 100 & sleep 100 & wait")
    try:
        time.sleep(0.2)
        m.kill_all(signal.SIGTERM)
        assert m.wait_empty(5)
        assert not m.is_frozen()
    finally:
        m.destroy()
        proc.wait(10)


def _probe(m: CgroupManager, path: str, mode: str = "<") -> bytes:
    script = f"(exec 3{mode}{path}) && echo allowed || echo denied"
    return (
        spawn(m, script, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).communicate(timeout=10)[0].strip()
    )


def _native_or_skip() -> None:
    try:
        import pyrunc.native  # noqa: F401
    except PyruncError as exc:
        pytest.fail(f"the C core is needed for device eBPF: {exc}")


def test_device_ebpf_denies_then_update_allows_and_replaces(parent):
    _native_or_skip()
    m = make(parent, {"devices": [{"allow": False, "access": "rwm"}]})
    assert devices.v2_program_count(m.v2_dir) == 1
    # /dev/null is in the default allow list; /dev/kmsg (c 1:11) is not.
    assert _probe(m, "/dev/null", ">") == b"allowed"
    assert _probe(m, "/dev/kmsg") == b"denied"
    m.update(
        {
            "devices": [
                {"allow": False, "access": "rwm"},
                {"allow": True, "type": "c", "major": 1, "minor": 11, "access": "r"},
            ]
        }
    )
    assert devices.v2_program_count(m.v2_dir) == 1  # replaced, not stacked
    assert _probe(m, "/dev/kmsg") == b"allowed"
    assert _probe(m, "/dev/kmsg", "<>") == b"denied"  # read was allowed, not write
    m.update(
        {
            "devices": [
                {"allow": False, "access": "rwm"},
                {"allow": False, "type": "c", "major": 1, "minor": 3, "access": "w"},
            ]
        }
    )
    assert devices.v2_program_count(m.v2_dir) == 1
    # The spec's rules come before runc's defaults, so the default allow for /dev/null wins again.
    assert _probe(m, "/dev/null", ">") == b"allowed"
    assert _probe(m, "/dev/kmsg") == b"denied"
    m.destroy()


@pytest.mark.parametrize(
    "rules, path, mode, expected",
    [
        ([("a", -1, -1, "rwm", True)], "/dev/kmsg", "<", b"allowed"),
        ([("a", -1, -1, "rwm", True), ("c", 1, 11, "r", False)], "/dev/kmsg", "<", b"denied"),
        ([("a", -1, -1, "rwm", False), ("c", 1, -1, "rw", True)], "/dev/kmsg", "<", b"allowed"),
        (
            [("a", -1, -1, "rwm", False), ("c", 1, -1, "rw", True), ("c", 1, 3, "w", False)],
            "/dev/null",
            ">",
            b"denied",
        ),
        (
            [("a", -1, -1, "rwm", False), ("c", 1, -1, "rw", True), ("c", 1, 3, "w", False)],
            "/dev/null",
            "<",
            b"allowed",
        ),
        ([("a", -1, -1, "rwm", False), ("b", -1, -1, "rwm", True)], "/dev/null", "<", b"denied"),
        (
            [("a", -1, -1, "rwm", False), ("c", 1, 3, "r", True), ("c", 1, 3, "w", True)],
            "/dev/null",
            "<>",
            b"allowed",
        ),
        ([], "/dev/null", "<", b"denied"),
    ],
)
def test_device_program_rule_semantics(parent, rules, path, mode, expected):
    """Later rules override earlier ones per access bit, as on the v1 controller."""
    _native_or_skip()
    m = make(parent)
    devices.apply_v2(m.v2_dir, rules)
    assert _probe(m, path, mode) == expected
    m.destroy()


def test_bad_rule_blob_is_refused_by_the_c_core(parent):
    _native_or_skip()
    from pyrunc.native import ffi, lib, new_err

    m = make(parent)
    fd = os.open(m.v2_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        err = new_err()
        blob = b"\x00" * 5
        assert (
            lib.pyrunc_devices_prog_attach(fd, ffi.from_buffer("unsigned char[]", blob), len(blob), err) == -1
        )
        assert b"not a multiple" in ffi.string(err.msg)
        bad = devices.encode([("c", 1, 3, "r", True)]).replace(b"c", b"x", 1)
        assert (
            lib.pyrunc_devices_prog_attach(fd, ffi.from_buffer("unsigned char[]", bad), len(bad), err) == -1
        )
    finally:
        os.close(fd)
    m.destroy()


def test_unified_key_for_a_missing_controller_names_the_key(parent):
    assert H.v2_root is not None
    if "memory" in H.v2_controllers():
        pytest.skip("needs a cgroup2 tree without the memory controller, as on this project's hybrid host")
    name = "u"
    path = parent.path(name)
    m = CgroupManager(name, path, UNIFIED, {}, H.v2_root + path, {"unified": {"memory.max": "1000000"}})
    from pyrunc.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        m.create()
    assert exc.value.pointer == "/linux/resources/unified/memory.max"
    assert "memory controller is not enabled" in str(exc.value)
    assert not os.path.exists(m.v2_dir)


def test_unified_cgroup_file_is_written(parent):
    assert H.v2_root is not None
    m = CgroupManager(
        "w",
        parent.path("w"),
        UNIFIED,
        {},
        H.v2_root + parent.path("w"),
        {"unified": {"cgroup.max.descendants": "3"}},
    )
    m.create()
    with open(m.v2_dir + "/cgroup.max.descendants") as f:
        assert f.read().strip() == "3"
    m.destroy()


def test_hybrid_manager_also_places_the_container_in_the_v2_tree(parent):
    if H.mode != "hybrid":
        pytest.skip("this host is not hybrid")
    name = "hy"
    m = CgroupManager.for_container(
        name, parent.path(name), {"pids": {"limit": 10}}, systemd=False, rootless=False
    )
    m.create()
    proc = spawn(m, "sleep 100")
    try:
        time.sleep(0.1)
        with open(f"/proc/{proc.pid}/cgroup") as f:
            lines = f.read().splitlines()
        assert f"0::{parent.path(name)}" in lines
        assert any(line.endswith(":pids:" + parent.path(name)) for line in lines)
    finally:
        m.destroy()
        proc.wait(10)
    assert parent.leftovers(name) == []


def test_native_error_carries_errno(parent):
    _native_or_skip()
    with pytest.raises((NativeError, OSError)):
        devices.apply_v2("/proc", [("a", -1, -1, "rwm", True)])


def test_many_rules_load_and_keep_their_order(parent):
    """Hundreds of rules: jump offsets stay in range and the verifier accepts the program."""
    _native_or_skip()
    m = make(parent)
    many = [("a", -1, -1, "rwm", False)] + [("c", 200, i, "rw", True) for i in range(800)]
    devices.apply_v2(m.v2_dir, many + [("c", 1, 11, "r", True)])
    assert _probe(m, "/dev/kmsg") == b"allowed"
    devices.apply_v2(m.v2_dir, many + [("c", 1, 11, "r", True), ("c", -1, -1, "r", False)])
    assert _probe(m, "/dev/kmsg") == b"denied"
    assert devices.v2_program_count(m.v2_dir) == 1
    m.destroy()
