"""Cgroup v1 controllers on this hybrid host, observed through their effect on real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from pyrunc.cgroups import events
from pyrunc.cgroups.host import host
from pyrunc.cgroups.manager import CgroupManager
from pyrunc.cgroups.testsupport import CgroupTestParent
from pyrunc.errors import ConfigError, PyruncError

H = host()
pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create cgroups"),
    pytest.mark.skipif(
        not {"memory", "pids", "freezer", "cpu", "cpuacct", "devices"} <= set(H.v1_roots),
        reason="needs cgroup v1 memory, pids, freezer, cpu, cpuacct and devices controllers "
        "(a hybrid or legacy host)",
    ),
]


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
    """A shell that is in the cgroup before it runs anything."""
    return subprocess.Popen(["/bin/sh", "-c", script], preexec_fn=lambda: m.join(os.getpid()), **kw)


def v1file(m: CgroupManager, ctrl: str, name: str) -> str:
    with open(m.v1_dirs[ctrl] + "/" + name) as f:
        return f.read().strip()


def test_memory_hog_is_oom_killed_and_reported(parent):
    limit = 32 << 20
    m = make(parent, {"memory": {"limit": limit, "swap": limit}})
    assert int(v1file(m, "memory", "memory.limit_in_bytes")) == limit
    seen: list[str] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=events.run,
        args=("c", m),
        kwargs={
            "interval": 30.0,
            "stats_only": False,
            "write": seen.append,
            "alive": lambda: not stop.is_set(),
        },
    )
    watcher.start()
    try:
        hog = subprocess.Popen(
            [sys.executable, "-S", "-c", "b = b'x' * (256 << 20); print(len(b))"],
            preexec_fn=lambda: m.join(os.getpid()),
            stdout=subprocess.PIPE,
        )
        out, _ = hog.communicate(timeout=60)
        assert hog.returncode == -signal.SIGKILL, (hog.returncode, out)
        assert m.oom_count() >= 1
        deadline = time.monotonic() + 5
        while not any('"oom"' in line for line in seen) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        watcher.join(10)
    assert any(line.startswith('{"type":"stats"') for line in seen), seen
    assert any('"type":"oom"' in line for line in seen), seen
    m.destroy()
    assert parent.leftovers(m.container_id) == []


def test_fork_bomb_stops_at_pids_max(parent):
    m = make(parent, {"pids": {"limit": 8}})
    assert v1file(m, "pids", "pids.max") == "8"
    bomb = spawn(m, "for i in $(seq 40); do sleep 30 & done; wait", stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        assert 1 < len(m.pids()) <= 8
        assert int(v1file(m, "pids", "pids.current")) <= 8
        assert "max 0" not in v1file(m, "pids", "pids.events")  # the kernel counted refused forks
    finally:
        m.destroy()
        bomb.wait(10)
    assert bomb.stderr is not None and b"fork" in bomb.stderr.read().lower()


def test_pids_limit_zero_is_honoured_and_minus_one_is_max(parent):
    m = make(parent, {"pids": {"limit": 0}})
    assert v1file(m, "pids", "pids.max") == "0"
    m.update({"pids": {"limit": -1}})
    assert v1file(m, "pids", "pids.max") == "max"
    m.destroy()


def _counter(path: str) -> int:
    with open(path) as f:
        text = f.read().strip()
    return int(text or 0)


def test_freeze_stops_a_counter_and_thaw_resumes_it(parent, tmp_path):
    m = make(parent)
    counter = tmp_path / "n"
    proc = spawn(m, f"i=0; while :; do i=$((i+1)); echo $i > {counter}.t; mv {counter}.t {counter}; done")
    try:
        while not counter.exists():
            time.sleep(0.01)
        m.freeze()
        assert m.is_frozen()
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


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_kill_all_reaches_every_process(parent, sig):
    m = make(parent)
    # Children, grandchildren and a process in a new session: all in the cgroup, none our direct child.
    proc = spawn(m, "sleep 100 & (sleep 100 & sleep 100 & wait) & setsid sleep 100 & wait")
    try:
        deadline = time.monotonic() + 5
        while len(m.pids()) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(m.pids()) >= 6
        m.kill_all(sig)
        assert m.wait_empty(5), m.pids()
        assert not m.is_frozen()
    finally:
        m.destroy()
        proc.wait(10)


def test_kill_all_on_a_paused_container_with_sigkill(parent):
    m = make(parent)
    proc = spawn(m, "sleep 100 & sleep 100 & wait")
    try:
        time.sleep(0.2)
        m.freeze()
        m.kill_all(signal.SIGKILL)
        assert m.wait_empty(5)
    finally:
        m.destroy()
        proc.wait(10)


def test_update_changes_a_live_limit(parent):
    m = make(parent, {"pids": {"limit": 3}, "memory": {"limit": 64 << 20}})
    first = spawn(m, "for i in 1 2 3 4 5 6; do sleep 30 & done; wait", stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)
        assert len(m.pids()) <= 3
        m.update({"pids": {"limit": 50}, "memory": {"limit": 128 << 20, "swap": 256 << 20}})
        assert v1file(m, "pids", "pids.max") == "50"
        assert int(v1file(m, "memory", "memory.limit_in_bytes")) == 128 << 20
        assert int(v1file(m, "memory", "memory.memsw.limit_in_bytes")) == 256 << 20
        second = spawn(m, "for i in 1 2 3 4 5 6; do sleep 30 & done; wait")
        deadline = time.monotonic() + 5
        while len(m.pids()) < 9 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(m.pids()) >= 9
        # Lowering memory+swap below the memory limit in one update takes the other write order.
        m.update({"memory": {"limit": 32 << 20, "swap": 48 << 20}})
        assert int(v1file(m, "memory", "memory.memsw.limit_in_bytes")) == 48 << 20
    finally:
        m.destroy()
        first.wait(10)
        second.wait(10)


def test_check_before_update_refuses_a_limit_below_usage(parent):
    m = make(parent, {"memory": {"limit": 256 << 20}})
    hog = subprocess.Popen(
        [sys.executable, "-S", "-c", "import time; b = b'x' * (24 << 20); time.sleep(60)"],
        preexec_fn=lambda: m.join(os.getpid()),
    )
    try:
        deadline = time.monotonic() + 10
        while int(v1file(m, "memory", "memory.usage_in_bytes")) < (20 << 20) and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(ConfigError) as exc:
            m.update({"memory": {"limit": 4 << 20, "checkBeforeUpdate": True}})
        assert exc.value.pointer == "/linux/resources/memory/limit"
        assert int(v1file(m, "memory", "memory.limit_in_bytes")) == 256 << 20
    finally:
        m.destroy()
        hog.wait(10)


def test_stats_numbers_move(parent):
    m = make(parent, {"memory": {"limit": 128 << 20}, "pids": {"limit": 100}})
    before = m.stats()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-S",
            "-c",
            "import time\nb = b'y' * (8 << 20)\nwhile time.process_time() < 0.3: pass\n"
            "print('ok', flush=True)\ntime.sleep(30)",
        ],
        preexec_fn=lambda: m.join(os.getpid()),
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"ok\n"
        after = m.stats()
        assert after["cpu"]["usage"]["total"] > before["cpu"].get("usage", {}).get("total", 0) + 100_000_000
        assert after["memory"]["usage"]["usage"] > (8 << 20)
        assert after["memory"]["usage"]["limit"] == 128 << 20
        assert after["pids"] == {"current": 1, "limit": 100}
        line = events.line(events.stats_event("x", m))
        assert line.startswith('{"type":"stats","id":"x","data":{"cpu":')
    finally:
        m.destroy()
        proc.wait(10)


def test_cpu_quota_period_shares_and_cpuset_written(parent):
    m = make(parent, {"cpu": {"shares": 512, "quota": 25000, "period": 50000, "cpus": "0", "mems": "0"}})
    assert v1file(m, "cpu", "cpu.shares") == "512"
    assert v1file(m, "cpu", "cpu.cfs_quota_us") == "25000"
    assert v1file(m, "cpu", "cpu.cfs_period_us") == "50000"
    assert v1file(m, "cpuset", "cpuset.cpus") == "0"
    m.destroy()


def test_cpu_quota_holds_a_burner(parent):
    m = make(parent, {"cpu": {"quota": 10000, "period": 100000}})
    proc = spawn(m, "while :; do :; done")
    try:
        start = time.monotonic()
        deadline = start + 20
        # Wait for enough cpu time that an unthrottled burner would be far past its quota.
        while (
            m.stats()["cpu"].get("throttling", {}).get("throttled_periods", 0) < 3
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        elapsed = time.monotonic() - start
        st = m.stats()["cpu"]
        assert st["throttling"]["throttled_periods"] >= 3
        assert st["usage"]["total"] <= (elapsed * 0.1 + 0.1) * 1e9
    finally:
        m.destroy()
        proc.wait(10)


def test_device_denied_then_allowed_after_update_v1(parent):
    if not os.path.exists("/dev/kmsg"):
        pytest.skip("needs /dev/kmsg (c 1:11) as a device outside runc's default allow list")
    m = make(parent, {"devices": [{"allow": False, "access": "rwm"}]})
    listing = v1file(m, "devices", "devices.list")
    assert "c 1:3 rwm" in listing and "a *:* rwm" not in listing
    probe = "(exec 3</dev/kmsg) && echo allowed || echo denied"
    out = spawn(m, probe, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).communicate(timeout=10)[0]
    assert out.strip() == b"denied"
    m.update(
        {
            "devices": [
                {"allow": False, "access": "rwm"},
                {"allow": True, "type": "c", "major": 1, "minor": 11, "access": "r"},
            ]
        }
    )
    out = spawn(m, probe, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).communicate(timeout=10)[0]
    assert out.strip() == b"allowed"
    m.destroy()


def test_create_refuses_a_cgroup_with_processes(parent):
    m = make(parent, name="busy")
    proc = spawn(m, "sleep 100")
    try:
        time.sleep(0.1)
        other = CgroupManager.for_container("busy2", parent.path("busy"), None, systemd=False, rootless=False)
        with pytest.raises(PyruncError, match="already holds processes"):
            other.create()
        assert proc.pid in m.pids()  # the refusal touched nothing
    finally:
        m.destroy()
        proc.wait(10)


def test_create_refuses_a_frozen_cgroup(parent):
    m = make(parent, name="frozen")
    m.freeze()
    other = CgroupManager.for_container("f2", parent.path("frozen"), None, systemd=False, rootless=False)
    with pytest.raises(PyruncError, match="frozen"):
        other.create()
    m.thaw()
    m.destroy()


def test_bad_value_names_the_field_and_leaves_nothing(parent):
    name = "bad"
    m = CgroupManager.for_container(
        name, parent.path(name), {"cpu": {"cpus": "99"}}, systemd=False, rootless=False
    )
    with pytest.raises(ConfigError) as exc:
        m.create()
    assert exc.value.pointer == "/linux/resources/cpu/cpus"
    assert parent.leftovers(name) == []


def test_unavailable_controller_is_a_config_error(parent):
    missing = next((c for c in ("net_cls", "rdma") if c not in H.v1_roots), None)
    if missing is None:
        pytest.skip("this host mounts net_cls and rdma; no v1 controller is missing to test against")
    res = {"network": {"classID": 1}} if missing == "net_cls" else {"rdma": {"mlx5_0": {"hcaHandles": 1}}}
    m = CgroupManager.for_container("n", parent.path("n"), res, systemd=False, rootless=False)
    with pytest.raises(ConfigError, match=f"{missing} cgroup controller is not available"):
        m.create()
    assert parent.leftovers("n") == []


def test_destroy_empties_a_busy_cgroup_and_is_idempotent(parent):
    m = make(parent)
    proc = spawn(m, "trap '' TERM; sleep 100 & sleep 100 & wait")
    time.sleep(0.2)
    state = m.to_state()
    again = CgroupManager.from_state(state)
    again.destroy()
    again.destroy()
    proc.wait(10)
    assert parent.leftovers(m.container_id) == []


def test_default_path_is_under_pyrunc_not_the_callers_cgroup():
    m = CgroupManager.for_container("abc", None, None, systemd=False, rootless=False)
    assert m.path == "/pyrunc/abc"
    assert m.v1_dirs["memory"] == H.v1_roots["memory"] + "/pyrunc/abc"


def _as_nobody(func) -> str:
    """Run func() in a forked child with uid/gid 65534 (no cgroup is writable for it); its result or the
    exception's text comes back over a pipe."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(r)
        try:
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            out = "ok:" + str(func())
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            out = f"{type(exc).__name__}:{exc}"
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        out = f.read()
    os.waitpid(pid, 0)
    return out


def test_rootless_without_limits_runs_without_cgroups(parent):
    def attempt() -> object:
        m = CgroupManager.for_container(
            "rl",
            parent.path("rl"),
            {"devices": [{"allow": False, "access": "rwm"}]},
            systemd=False,
            rootless=True,
        )
        m.create()
        m.join(os.getpid())
        return (m.skipped, m.pids(), m.to_state()["skipped"])

    assert _as_nobody(attempt) == "ok:(True, [], True)"
    assert parent.leftovers("rl") == []


def test_rootless_with_limits_fails_clearly(parent):
    def attempt() -> object:
        m = CgroupManager.for_container(
            "rl2", parent.path("rl2"), {"pids": {"limit": 5}}, systemd=False, rootless=True
        )
        m.create()
        return m.skipped

    out = _as_nobody(attempt)
    assert out.startswith("PyruncError:") and "permission denied" in out and "rootless" in out, out
    assert parent.leftovers("rl2") == []
