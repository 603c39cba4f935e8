"""The read-only `cgroup` mount on a pure cgroup v2 host (runs in the qemu guest: tests/vm).

With a cgroup namespace the container gets a cgroup2 mount of its own (rooted at its cgroup by the
kernel); without one, a read-only bind of its own cgroup directory.
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import why_not_pure_cgroup2

pytestmark = [
    pytest.mark.cgroupv2,
    pytest.mark.skipif(why_not_pure_cgroup2() is not None, reason=why_not_pure_cgroup2() or ""),
]

SCRIPT = "cat /sys/fs/cgroup/cgroup.procs; grep ' /sys/fs/cgroup ' /proc/self/mountinfo"


def _mount_line(out: str) -> list[str]:
    line = [x for x in out.splitlines() if " /sys/fs/cgroup " in x][-1]
    return line.split()


def test_cgroup2_mount_in_cgroup_namespace(rt):
    proc = rt.run_container(["/bin/sh", "-c", SCRIPT], timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    fields = _mount_line(out)
    assert fields[5].startswith("ro") and "cgroup2" in fields[fields.index("-") + 1]
    assert fields[3] == "/"  # rooted at the container's own cgroup
    assert "1" in [x.strip() for x in out.splitlines()]


def test_cgroup2_bind_without_cgroup_namespace(rt):
    def mutate(cfg):
        cfg["linux"]["namespaces"] = [ns for ns in cfg["linux"]["namespaces"] if ns["type"] != "cgroup"]

    proc = rt.run_container(["/bin/sh", "-c", SCRIPT], mutate=mutate, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    fields = _mount_line(out)
    assert fields[5].startswith("ro") and "pyrunc-test-" in fields[3]
    assert "1" in [x.strip() for x in out.splitlines()]
