"""Joining a container's cgroup namespace on a pure cgroup v2 host mounted with nsdelegate, as systemd
mounts it (runs in the qemu guest: tests/vm): `exec`, and `create` with a cgroup namespace path. The
process enters its cgroup by clone3 CLONE_INTO_CGROUP, which the kernel refuses (ENOENT) to a caller
already inside the target's cgroup namespace, so the namespace is joined by the new process itself,
after the clone (csrc/spawn.c)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.integration.conftest import why_not_pure_cgroup2

pytestmark = [
    pytest.mark.cgroupv2,
    pytest.mark.skipif(why_not_pure_cgroup2() is not None, reason=why_not_pure_cgroup2() or ""),
    pytest.mark.usefixtures("delete_containers"),
]


def _cgroup_of(pid: int) -> str:
    with open(f"/proc/{pid}/cgroup") as handle:
        return next(line for line in handle if line.startswith("0::")).strip()[3:]


@pytest.mark.parametrize("cgroupns", [True, False], ids=["with-cgroupns", "without"])
def test_exec_joins_the_container_cgroup_and_namespace(rt, cgroupns):
    def mutate(cfg):
        if not cgroupns:
            cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != "cgroup"]

    bundle = rt.bundle(["/bin/sleep", "600"], mutate=mutate)
    cid = rt.new_id()
    rt("create", "-b", str(bundle), cid, check=True, stdin=subprocess.DEVNULL)
    rt("start", cid, check=True)
    init = rt.state(cid)["pid"]
    proc = rt("exec", cid, "/bin/cat", "/proc/self/cgroup")
    assert proc.returncode == 0, proc.stderr
    seen = proc.stdout.decode().strip()
    if cgroupns:
        assert seen == "0::/", seen  # the container's own namespace, rooted at its cgroup
    else:
        assert seen == "0::" + _cgroup_of(init), seen
    # From the host: the exec'd process ran in the init's cgroup (what is left there is only the init).
    with open(f"/sys/fs/cgroup{_cgroup_of(init)}/cgroup.procs") as handle:
        assert [int(x) for x in handle.read().split()] == [init]


def test_create_joins_another_containers_cgroup_namespace(rt):
    first = rt.new_id()
    rt("run", "-d", "-b", str(rt.bundle(["/bin/sleep", "600"])), first, check=True, stdin=subprocess.DEVNULL)
    owner = rt.state(first)["pid"]
    ns = f"/proc/{owner}/ns/cgroup"

    def mutate(cfg):
        kept = [n for n in cfg["linux"]["namespaces"] if n["type"] != "cgroup"]
        cfg["linux"]["namespaces"] = kept + [{"type": "cgroup", "path": ns}]

    second = rt.new_id()
    bundle = rt.bundle(["/bin/sleep", "600"], mutate=mutate)
    rt("run", "-d", "-b", str(bundle), second, check=True, stdin=subprocess.DEVNULL)
    joined = rt.state(second)["pid"]
    assert os.readlink(f"/proc/{joined}/ns/cgroup") == os.readlink(ns)
    # Its own cgroup, seen from the host; only itself in it.
    with open(f"/sys/fs/cgroup{_cgroup_of(joined)}/cgroup.procs") as handle:
        assert [int(x) for x in handle.read().split()] == [joined]
    assert _cgroup_of(joined) != _cgroup_of(owner)
