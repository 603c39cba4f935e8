"""Cgroup v2 limits on a pure cgroup2 host, observed through their effect on real processes.

This host is hybrid (no memory/pids/cpu/io/cpuset on its cgroup2 tree); these tests run inside the qemu
guest of tests/vm, which mounts cgroup2 at /sys/fs/cgroup with every controller enabled. The guest's CPU
is emulated and slow: the tests start few processes and allow generous timeouts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from pyrunc.cgroups import convert, devices, events
from pyrunc.cgroups.host import host
from pyrunc.cgroups.manager import CgroupManager
from pyrunc.cgroups.testsupport import CgroupTestParent
from pyrunc.errors import ConfigError
from tests.integration.conftest import why_not_pure_cgroup2

NEEDED = {"memory", "pids", "cpu", "io", "cpuset"}


def _why_not() -> str | None:
    reason = why_not_pure_cgroup2()
    if reason is not None:
        return reason
    missing = NEEDED - host().v2_controllers()
    if missing:
        return f"the cgroup2 root lacks the {', '.join(sorted(missing))} controller(s)"
    return None


pytestmark = [pytest.mark.cgroupv2, pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")]

TIMEOUT = 120  # seconds; emulated CPU


@pytest.fixture
def parent():
    p = CgroupTestParent()
    yield p
    left = p.cleanup()
    assert not left, f"test cgroups left behind: {left}"


def make(parent: CgroupTestParent, resources: dict | None = None, name: str | None = None) -> CgroupManager:
    name = name or "c-" + uuid.uuid4().hex[:8]
    m = CgroupManager.for_container(name, parent.path(name), resources, systemd=False, rootless=False)
    m.create()
    return m


def spawn(m: CgroupManager, script: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(["/bin/sh", "-c", script], preexec_fn=lambda: m.join(os.getpid()), **kw)


def cg(m: CgroupManager, name: str) -> str:
    assert m.v2_dir is not None
    with open(m.v2_dir + "/" + name) as f:
        return f.read().strip()


def wait_for(cond, timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return bool(cond())


def test_memory_hog_is_oom_killed_and_reported(parent):
    limit = 32 << 20
    m = make(parent, {"memory": {"limit": limit, "swap": limit}})
    assert cg(m, "memory.max") == str(limit)
    if os.path.exists(m.v2_dir + "/memory.swap.max"):
        assert cg(m, "memory.swap.max") == "0"
    seen: list[str] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=events.run,
        args=("c", m),
        kwargs={
            "interval": 600.0,
            "stats_only": False,
            "write": seen.append,
            "alive": lambda: not stop.is_set(),
        },
    )
    watcher.start()
    try:
        hog = subprocess.Popen(
            [sys.executable, "-S", "-c", "b = b'x' * (256 << 20)"], preexec_fn=lambda: m.join(os.getpid())
        )
        hog.wait(TIMEOUT)
        assert hog.returncode == -signal.SIGKILL
        assert m.oom_count() >= 1
        assert wait_for(lambda: any('"type":"oom"' in line for line in seen), 30), seen
    finally:
        stop.set()
        watcher.join(30)
    m.destroy()
    assert parent.leftovers(m.container_id) == []


def test_fork_bomb_stops_at_pids_max(parent):
    m = make(parent, {"pids": {"limit": 8}})
    assert cg(m, "pids.max") == "8"
    bomb = spawn(m, "for i in $(seq 30); do sleep 300 & done; wait", stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: "max 0" not in cg(m, "pids.events"))
        assert len(m.pids()) <= 8
        assert int(cg(m, "pids.current")) <= 8
    finally:
        m.destroy()
        bomb.wait(TIMEOUT)


def test_cpu_max_weight_and_cpuset_written_and_enforced(parent):
    m = make(parent, {"cpu": {"shares": 1024, "quota": 10000, "period": 100000, "cpus": "0", "mems": "0"}})
    assert cg(m, "cpu.max") == "10000 100000"
    assert cg(m, "cpu.weight") == "100"
    assert cg(m, "cpuset.cpus") == "0"
    burner = spawn(m, "while :; do :; done")
    try:
        assert wait_for(lambda: m.stats()["cpu"].get("throttling", {}).get("throttled_periods", 0) >= 3)
    finally:
        m.destroy()
        burner.wait(TIMEOUT)


def _block_device() -> tuple[int, int] | None:
    # A real disk first; a loop or ram device still takes io.max.
    names = sorted(os.listdir("/sys/block"), key=lambda n: (n.startswith(("loop", "ram", "zram")), n))
    for name in names:
        try:
            with open(f"/sys/block/{name}/dev") as f:
                major, minor = f.read().strip().split(":")
            return int(major), int(minor)
        except OSError:
            continue
    return None


def test_io_weight_written_converted(parent):
    m = make(parent)
    if not (os.path.exists(m.v2_dir + "/io.weight") or os.path.exists(m.v2_dir + "/io.bfq.weight")):
        m.destroy()
        pytest.skip("this kernel offers neither io.weight nor io.bfq.weight")
    m.update({"blockIO": {"weight": 500}})
    if os.path.exists(m.v2_dir + "/io.bfq.weight"):
        assert "500" in cg(m, "io.bfq.weight")
    else:
        assert f"default {convert.blkio_weight_to_io_weight(500)}" in cg(m, "io.weight")
    m.destroy()


def test_io_throttle_written(parent):
    dev = _block_device()
    if dev is None:
        pytest.skip("this kernel has no block device to throttle (/sys/block is empty)")
    major, minor = dev
    res = {
        "blockIO": {
            "throttleReadBpsDevice": [{"major": major, "minor": minor, "rate": 1048576}],
            "throttleWriteIOPSDevice": [{"major": major, "minor": minor, "rate": 100}],
        }
    }
    m = make(parent, res)
    io_max = cg(m, "io.max")
    assert f"{major}:{minor} rbps=1048576" in io_max and "wiops=100" in io_max
    m.destroy()


def test_device_ebpf_denies_then_update_allows(parent):
    m = make(parent, {"devices": [{"allow": False, "access": "rwm"}]})
    assert devices.v2_program_count(m.v2_dir) == 1
    probe = "(exec 3</dev/kmsg) && echo allowed || echo denied"

    def run() -> bytes:
        return spawn(m, probe, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).communicate(
            timeout=TIMEOUT
        )[0]

    assert run().strip() == b"denied"
    m.update({"devices": [{"allow": True, "type": "c", "major": 1, "minor": 11, "access": "r"}]})
    assert devices.v2_program_count(m.v2_dir) == 1
    assert run().strip() == b"allowed"
    m.destroy()


def test_freeze_stops_a_counter(parent, tmp_path):
    m = make(parent)
    counter = tmp_path / "n"
    proc = spawn(m, f"i=0; while :; do i=$((i+1)); echo $i > {counter}.t; mv {counter}.t {counter}; done")
    try:
        assert wait_for(counter.exists)
        m.freeze()
        a = int(counter.read_text().strip() or 0)
        time.sleep(1.0)
        assert int(counter.read_text().strip() or 0) == a
        m.thaw()
        assert wait_for(lambda: int(counter.read_text().strip() or 0) > a)
    finally:
        m.destroy()
        proc.wait(TIMEOUT)


def test_kill_all_reaches_every_process(parent):
    m = make(parent)
    proc = spawn(m, "sleep 300 & (sleep 300 & sleep 300 & wait) & setsid sleep 300 & wait")
    try:
        assert wait_for(lambda: len(m.pids()) >= 6)
        m.kill_all(signal.SIGKILL)
        assert m.wait_empty(TIMEOUT)
    finally:
        m.destroy()
        proc.wait(TIMEOUT)


def test_update_changes_a_live_limit_and_stats_move(parent):
    m = make(parent, {"memory": {"limit": 64 << 20}, "pids": {"limit": 2}})
    procs = [spawn(m, "sleep 300")]
    try:
        assert wait_for(lambda: len(m.pids()) >= 1)
        before = m.stats()
        # Three more tasks do not fit under pids.max 2: the kernel counts the refused forks.
        procs.append(spawn(m, "sleep 300 & sleep 300 & sleep 300 & wait", stderr=subprocess.DEVNULL))
        assert wait_for(lambda: "max 0" not in cg(m, "pids.events"))
        m.update({"pids": {"limit": 20}, "memory": {"limit": 128 << 20, "swap": -1}})
        assert cg(m, "pids.max") == "20"
        assert cg(m, "memory.max") == str(128 << 20)
        procs.append(spawn(m, "sleep 300 & sleep 300 & sleep 300 & wait"))
        assert wait_for(lambda: len(m.pids()) >= 4)
        after = m.stats()
        assert after["pids"]["current"] > before["pids"]["current"]
        assert after["cpu"]["usage"]["total"] > before["cpu"]["usage"].get("total", 0)
        assert after["memory"]["usage"]["limit"] == 128 << 20
        with pytest.raises(ConfigError) as exc:
            m.update({"memory": {"limit": 4096, "checkBeforeUpdate": True}})
        assert exc.value.pointer == "/linux/resources/memory/limit"
    finally:
        m.destroy()
        for p in procs:
            p.wait(TIMEOUT)


def test_v1_only_values_are_refused_by_field(parent):
    for res, pointer in [
        ({"memory": {"swappiness": 30}}, "/linux/resources/memory/swappiness"),
        ({"network": {"classID": 5}}, "/linux/resources/network"),
        ({"cpu": {"realtimeRuntime": 1000}}, "/linux/resources/cpu/realtimeRuntime"),
    ]:
        name = "r-" + uuid.uuid4().hex[:6]
        m = CgroupManager.for_container(name, parent.path(name), res, systemd=False, rootless=False)
        with pytest.raises(ConfigError) as exc:
            m.create()
        assert exc.value.pointer == pointer
        assert parent.leftovers(name) == []


def test_unified_values_written_as_given(parent):
    m = make(parent, {"unified": {"memory.high": "50000000", "pids.max": "7"}})
    assert cg(m, "memory.high") == "49999872" or cg(m, "memory.high") == "50000000"
    assert cg(m, "pids.max") == "7"
    m.destroy()
