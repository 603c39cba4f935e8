"""AppArmor / SELinux decisions (pyrunc/security/lsm.py) against fixture /sys trees, and the plan's use
of them.

The kernel side (the label write is not attempted, --debug says why) is in
tests/integration/test_attack_lsm_labels.py: no LSM is active on this machine.
"""

from __future__ import annotations

import pathlib

import pytest

from pyrunc.log import LOG
from pyrunc.security import lsm


def fake_root(tmp_path: pathlib.Path, *, apparmor: str | None = None, selinux: bool = False) -> str:
    """A /sys tree: apparmor's module parameter with the given text, selinuxfs's enforce file if asked."""
    root = tmp_path / "host"
    (root / "sys").mkdir(parents=True)
    if apparmor is not None:
        param = root / lsm.APPARMOR_PARAM
        param.parent.mkdir(parents=True)
        param.write_text(apparmor)
    if selinux:
        enforce = root / lsm.SELINUX_ENFORCE
        enforce.parent.mkdir(parents=True)
        enforce.write_text("1")
    return str(root)


@pytest.fixture
def debug_log(tmp_path: pathlib.Path):
    """The runtime logger at debug level into a file; yields a reader; restores the logger after."""
    saved = (LOG.path, LOG.fmt, LOG.debug_enabled, LOG._fd)
    path = tmp_path / "debug.log"
    LOG._fd = None
    LOG.configure(str(path), "text", True)
    yield lambda: path.read_text() if path.exists() else ""
    if LOG._fd is not None:
        import os

        os.close(LOG._fd)
    LOG.path, LOG.fmt, LOG.debug_enabled, LOG._fd = saved


@pytest.mark.parametrize(
    ("param", "expected"),
    [("Y\n", True), ("Y", True), ("N\n", False), ("", False), ("yes", False), (None, False)],
)
def test_apparmor_enabled_reads_the_module_parameter(tmp_path, param, expected):
    assert lsm.apparmor_enabled(fake_root(tmp_path, apparmor=param)) is expected
    assert lsm.lsm_enabled("apparmor", fake_root(tmp_path / "again", apparmor=param)) is expected


@pytest.mark.parametrize("present", [True, False])
def test_selinux_enabled_needs_selinuxfs(tmp_path, present):
    root = fake_root(tmp_path, selinux=present)
    assert lsm.selinux_enabled(root) is present
    assert lsm.lsm_enabled("selinux", root) is present


def test_unknown_module_is_never_enabled(tmp_path):
    assert lsm.lsm_enabled("smack", fake_root(tmp_path, apparmor="Y", selinux=True)) is False


def test_labels_pass_through_when_both_modules_are_enabled(tmp_path, debug_log):
    root = fake_root(tmp_path, apparmor="Y\n", selinux=True)
    label = "system_u:system_r:container_t:s0:c1,c2"
    proc = {"apparmorProfile": "docker-default", "selinuxLabel": label}
    assert lsm.process_labels(proc, "/process", root) == ("docker-default", label)
    assert lsm.mount_label({"mountLabel": "system_u:object_r:container_file_t:s0"}, root) == (
        "system_u:object_r:container_file_t:s0"
    )
    assert "ignored" not in debug_log()


def test_apparmor_profile_ignored_when_apparmor_is_disabled(tmp_path, debug_log):
    root = fake_root(tmp_path, apparmor="N\n", selinux=True)
    proc = {"apparmorProfile": "docker-default", "selinuxLabel": "u:r:t:s0"}
    assert lsm.process_labels(proc, "/process", root) == (None, "u:r:t:s0")
    log = debug_log()
    assert "/process/apparmorProfile: AppArmor is not enabled on this host, ignored" in log
    assert "selinuxLabel" not in log


def test_selinux_labels_ignored_with_a_debug_log_when_selinux_is_disabled(tmp_path, debug_log):
    root = fake_root(tmp_path, apparmor="Y\n", selinux=False)
    proc = {"apparmorProfile": "docker-default", "selinuxLabel": "u:r:t:s0"}
    assert lsm.process_labels(proc, "", root) == ("docker-default", None)
    assert lsm.mount_label({"mountLabel": "u:object_r:t:s0"}, root) is None
    log = debug_log()
    assert "/selinuxLabel: SELinux is not enabled on this host, ignored" in log
    assert "/linux/mountLabel: SELinux is not enabled on this host, ignored" in log
    assert "apparmorProfile" not in log


def test_nothing_to_apply_logs_nothing(tmp_path, debug_log):
    root = fake_root(tmp_path)
    assert lsm.process_labels({"apparmorProfile": "", "selinuxLabel": ""}, "/process", root) == (None, None)
    assert lsm.process_labels({}, "/process", root) == (None, None)
    assert lsm.mount_label({}, root) is None and lsm.mount_label({"mountLabel": ""}, root) is None
    assert debug_log() == ""


def test_without_debug_the_drop_is_silent(tmp_path, debug_log):
    LOG.debug_enabled = False
    assert lsm.process_labels({"apparmorProfile": "x"}, "/process", fake_root(tmp_path)) == (None, None)
    assert debug_log() == ""


# --- the plan on this host (no LSM active) ---------------------------------------------------------------


def _process_blob(proc: dict) -> bytes:
    from pyrunc.runtime import planfile as pf
    from pyrunc.runtime.plan import build_process

    w = pf.PlanWriter()
    build_process(w, proc, "/process", exec_mode=False)
    return w.blob()


def test_plan_carries_no_label_the_host_cannot_apply(debug_log):
    if lsm.apparmor_enabled() or lsm.selinux_enabled():
        pytest.skip("an LSM is active on this host: the labels would be applied")
    base = {"args": ["/bin/true"], "cwd": "/"}
    labelled = dict(base, apparmorProfile="pyrunc-profile-xyz", selinuxLabel="system_u:system_r:label_xyz:s0")
    blob = _process_blob(labelled)
    assert blob == _process_blob(base)
    assert b"pyrunc-profile-xyz" not in blob and b"label_xyz" not in blob
    log = debug_log()
    assert "/process/apparmorProfile: AppArmor is not enabled on this host, ignored" in log
    assert "/process/selinuxLabel: SELinux is not enabled on this host, ignored" in log


def test_plan_carries_the_labels_the_host_applies(monkeypatch):
    """The plan writes whatever lsm.process_labels keeps: with both modules 'enabled' the C core gets both."""
    from pyrunc.runtime import plan

    monkeypatch.setattr(plan, "process_labels", lambda proc, pointer: ("prof-abc", "label-def"))
    blob = _process_blob({"args": ["/bin/true"], "apparmorProfile": "prof-abc", "selinuxLabel": "label-def"})
    assert b"prof-abc\0" in blob and b"label-def\0" in blob


def test_features_reports_the_hosts_modules():
    from pyrunc.runtime.plan import lsm_enabled

    assert lsm_enabled("apparmor") is lsm.apparmor_enabled()
    assert lsm_enabled("selinux") is lsm.selinux_enabled()
