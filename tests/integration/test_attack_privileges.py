"""Privilege handling, attacked from inside.

- CVE-2022-29162 class: `exec --cap` grows the bounding, effective and permitted sets only, never the
  inheritable set; otherwise a non-root process could exec a binary with inheritable file capabilities
  and gain them. Defence: apply_exec_flags (pyrunc/runtime/execproc.py).
- noNewPrivileges: a setuid-root binary in the rootfs gains nothing for a non-root process. Defence:
  stage_init's PR_SET_NO_NEW_PRIVS before execve (csrc/spawn.c). The same helper without
  noNewPrivileges does become root: that control shows the attack is real on this mount.
"""

from __future__ import annotations

import os
import shutil
import struct

import pytest

from tests.integration.test_attack_support import ablated_runtime, build_static

CAP_NET_ADMIN = 12

IDS = r"""
/* ids: "uid EUID caps EFFECTIVE" - what the process became after its execve. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    printf("euid %u", (unsigned)geteuid());
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "CapEff:", 7) == 0)
            printf(" effective %s", line + 8);
    return 0;
}
"""


@pytest.fixture(scope="module")
def ids_binary(tmp_path_factory):
    return build_static(IDS, tmp_path_factory.mktemp("ids") / "ids")


def status_caps(text: str) -> dict[str, int]:
    return {
        line.split(":")[0]: int(line.split()[1], 16) for line in text.splitlines() if line.startswith("Cap")
    }


def parse_ids(out: bytes) -> tuple[int, int]:
    words = out.decode().split()
    return int(words[1]), int(words[3], 16)


def inheritable_file_caps(path, cap: int) -> None:
    """security.capability v2 with cap in the file's inheritable set and the effective bit: a process
    whose own inheritable set holds cap gets it permitted and effective when it execs the file."""
    magic = 0x02000000 | 0x1  # VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE
    lo, hi = (1 << cap) & 0xFFFFFFFF, (1 << cap) >> 32
    os.setxattr(path, "security.capability", struct.pack("<IIIII", magic, 0, lo, 0, hi))


def running_container(rt, ids_binary, *, file_caps: bool = False, setuid: bool = False, nnp: bool = False):
    def mutate(cfg):
        cfg["process"]["noNewPrivileges"] = nnp

    bundle = rt.bundle(["/bin/sleep", "120"], mutate=mutate, own_rootfs=True)
    target = bundle / "rootfs" / "bin" / "ids"
    shutil.copy2(ids_binary, target)
    os.chown(target, 0, 0)
    if setuid:
        os.chmod(target, 0o4755)
    if file_caps:
        inheritable_file_caps(target, CAP_NET_ADMIN)
    cid = rt.new_id()
    rt("run", "-d", "-b", str(bundle), cid, check=True)
    return cid


# --- exec --cap ------------------------------------------------------------------------------------------


def test_exec_cap_grows_bounding_effective_permitted_never_inheritable(rt, ids_binary):
    cid = running_container(rt, ids_binary)
    try:
        proc = rt("exec", "--cap", "CAP_NET_ADMIN", cid, "/bin/cat", "/proc/self/status")
        assert proc.returncode == 0, proc.stderr
        caps = status_caps(proc.stdout.decode())
        bit = 1 << CAP_NET_ADMIN
        assert caps["CapBnd"] & bit and caps["CapEff"] & bit and caps["CapPrm"] & bit, caps
        assert caps["CapInh"] == 0, caps
        assert caps["CapAmb"] == 0, caps
    finally:
        rt("delete", "--force", cid)


def exec_ids_as_user(rt, cid: str) -> tuple[int, int]:
    proc = rt("exec", "--user", "1000:1000", "--cap", "CAP_NET_ADMIN", cid, "/bin/ids")
    assert proc.returncode == 0, proc.stderr
    return parse_ids(proc.stdout)


def test_exec_cap_does_not_reach_a_binary_with_inheritable_file_caps(rt, ids_binary):
    """The CVE's attack: uid 1000 execs a binary whose file capabilities are inheritable NET_ADMIN. With
    --cap CAP_NET_ADMIN kept out of the process's inheritable set, the binary gains nothing."""
    cid = running_container(rt, ids_binary, file_caps=True)
    try:
        euid, effective = exec_ids_as_user(rt, cid)
        assert euid == 1000
        assert effective == 0, f"uid 1000 gained capabilities {effective:#x}"
    finally:
        rt("delete", "--force", cid)


def test_with_inheritable_exec_caps_the_binary_would_gain_them(rt, ids_binary, tmp_path):
    """Ablation: the runtime changed to add --cap to the inheritable set too (the CVE's bug) hands the
    helper NET_ADMIN; so the file capabilities are live here and the defence above is what stops them."""
    launcher = ablated_runtime(
        tmp_path / "core",
        {
            "pyrunc/runtime/execproc.py": [
                (
                    'for kind in ("bounding", "effective", "permitted"):',
                    'for kind in ("bounding", "effective", "permitted", "inheritable"):',
                )
            ]
        },
    )
    cid = running_container(rt, ids_binary, file_caps=True)
    os.environ["PYRUNC_BIN"] = str(launcher)
    try:
        euid, effective = exec_ids_as_user(rt, cid)
    finally:
        del os.environ["PYRUNC_BIN"]
        rt("delete", "--force", cid)
    assert euid == 1000 and effective & (1 << CAP_NET_ADMIN), f"{effective:#x}"


# --- noNewPrivileges -------------------------------------------------------------------------------------


def run_setuid_helper(rt, ids_binary, *, nnp: bool) -> tuple[int, int]:
    def mutate(cfg):
        cfg["process"]["user"] = {"uid": 1000, "gid": 1000}
        cfg["process"]["noNewPrivileges"] = nnp

    bundle = rt.bundle(["/bin/ids"], mutate=mutate, own_rootfs=True)
    target = bundle / "rootfs" / "bin" / "ids"
    shutil.copy2(ids_binary, target)
    os.chown(target, 0, 0)
    os.chmod(target, 0o4755)
    proc = rt("run", "-b", str(bundle), rt.new_id())
    assert proc.returncode == 0, proc.stderr
    return parse_ids(proc.stdout)


def test_setuid_root_helper_becomes_root_without_no_new_privileges(rt, ids_binary):
    """The control: uid 1000 running a setuid-root binary from the rootfs gets euid 0."""
    euid, _ = run_setuid_helper(rt, ids_binary, nnp=False)
    assert euid == 0


def test_no_new_privileges_keeps_the_setuid_helper_unprivileged(rt, ids_binary):
    euid, effective = run_setuid_helper(rt, ids_binary, nnp=True)
    assert euid == 1000
    assert effective == 0


def test_exec_inherits_and_sets_no_new_privileges(rt, ids_binary):
    """exec takes noNewPrivileges from the container's process, and --no-new-privs sets it for one exec."""
    for nnp, flags in ((True, []), (False, ["--no-new-privs"])):
        cid = running_container(rt, ids_binary, setuid=True, nnp=nnp)
        try:
            proc = rt("exec", "--user", "1000:1000", *flags, cid, "/bin/ids")
            assert proc.returncode == 0, proc.stderr
            assert parse_ids(proc.stdout) == (1000, 0), (nnp, flags, proc.stdout)
            control = rt("exec", "--user", "1000:1000", cid, "/bin/ids")
            assert parse_ids(control.stdout)[0] == (1000 if nnp else 0), control.stdout
        finally:
            rt("delete", "--force", cid)
