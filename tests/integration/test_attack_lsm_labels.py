"""AppArmor / SELinux on a host that runs neither (this one): the kernel side of pyrunc/security/lsm.py.

A config with apparmorProfile, selinuxLabel and mountLabel creates and runs: the label writes are not
attempted, and --debug says each was ignored. The counter-test rebuilds the runtime with the modules
reported enabled: the C core then does write /proc/self/attr/..., and this kernel refuses, so the
decision is what keeps create working here (and the write path is real). The enabled case proper needs
a host with AppArmor or SELinux: skipped there with that reason.
"""

from __future__ import annotations

import json
import os

import pytest

from pyrunc.security import lsm
from tests.integration.test_attack_support import ablated_runtime

PROFILE = "pyrunc-test-profile"
LABEL = "system_u:system_r:container_t:s0:c1,c2"
MOUNT_LABEL = "system_u:object_r:container_file_t:s0:c1,c2"

pytestmark = pytest.mark.skipif(
    lsm.apparmor_enabled() or lsm.selinux_enabled(),
    reason="an LSM is active on this host: labels would be applied, not ignored",
)


def labelled(cfg):
    cfg["process"]["apparmorProfile"] = PROFILE
    cfg["process"]["selinuxLabel"] = LABEL
    cfg["linux"]["mountLabel"] = MOUNT_LABEL


def debug_lines(path) -> list[str]:
    return [json.loads(line)["msg"] for line in path.read_text().splitlines() if line.strip()]


def test_labels_are_ignored_with_a_debug_log(rt, tmp_path):
    log = tmp_path / "debug.json"
    bundle = rt.bundle(
        ["/bin/sh", "-c", "cat /proc/self/attr/current 2>/dev/null; echo ran"], mutate=labelled
    )
    cid = rt.new_id()
    proc = rt("--debug", "--log", str(log), "--log-format", "json", "run", "-b", str(bundle), cid)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith(b"ran\n")
    msgs = debug_lines(log)
    assert "/process/apparmorProfile: AppArmor is not enabled on this host, ignored" in msgs
    assert "/process/selinuxLabel: SELinux is not enabled on this host, ignored" in msgs
    assert "/linux/mountLabel: SELinux is not enabled on this host, ignored" in msgs
    assert PROFILE.encode() not in proc.stdout and b"container_t" not in proc.stdout


def test_without_debug_nothing_is_logged_about_labels(rt, tmp_path):
    log = tmp_path / "plain.json"
    proc = rt(
        "--log",
        str(log),
        "--log-format",
        "json",
        "run",
        "-b",
        str(rt.bundle(["/bin/true"], mutate=labelled)),
        rt.new_id(),
    )
    assert proc.returncode == 0, proc.stderr
    assert not any("ignored" in m for m in (debug_lines(log) if log.exists() else []))


def test_exec_labels_are_ignored_too(rt, tmp_path):
    log = tmp_path / "exec.json"
    cid = rt.new_id()
    rt("run", "-d", "-b", str(rt.bundle(["/bin/sleep", "60"])), cid, check=True)
    try:
        proc = rt(
            "--debug",
            "--log",
            str(log),
            "--log-format",
            "json",
            "exec",
            "--apparmor",
            PROFILE,
            "--process-label",
            LABEL,
            cid,
            "/bin/true",
        )
        assert proc.returncode == 0, proc.stderr
        msgs = debug_lines(log)
        assert "/apparmorProfile: AppArmor is not enabled on this host, ignored" in msgs
        assert "/selinuxLabel: SELinux is not enabled on this host, ignored" in msgs
    finally:
        rt("delete", "--force", cid)


@pytest.mark.parametrize(
    ("module", "needle"), [("apparmor", b"apparmor profile"), ("selinux", b"selinux label")]
)
def test_if_the_label_were_written_this_kernel_would_refuse_it(rt, tmp_path, module, needle):
    """Counter-test: a runtime whose lsm.py reports the module enabled passes the label to the C core,
    which writes it to /proc/self/attr and fails create cleanly with this kernel's refusal."""
    head = f'def {module}_enabled(root: str = "/") -> bool:\n'
    forced = head + f"    return True\n\n\ndef _was_{module}_enabled(root: str) -> bool:\n"
    launcher = ablated_runtime(tmp_path / "core", {"pyrunc/security/lsm.py": [(head, forced)]})
    os.environ["PYRUNC_BIN"] = str(launcher)
    try:
        cid = rt.new_id()
        proc = rt("create", "-b", str(rt.bundle(["/bin/true"], mutate=labelled)), cid)
    finally:
        del os.environ["PYRUNC_BIN"]
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert needle in proc.stderr, proc.stderr
    assert rt("state", cid).returncode == 1 and not (rt.root / cid).exists()
