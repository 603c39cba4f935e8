"""AppArmor and SELinux: whether this host enforces them, and which of a config's labels the C core applies.

runc's behaviour, which engines rely on: a profile or label for a security module the host does not run
is not an error (images and engine defaults carry `apparmorProfile` / `selinuxLabel` everywhere). The
apparmorProfile is dropped when AppArmor is disabled; selinuxLabel and mountLabel are dropped when
SELinux is disabled. Each drop is logged at debug level so `--debug` shows what was not applied.

Every check takes `root` (default "/") so the decisions are tested against fixture /sys trees. On the hot
path (create, exec): only `os` is imported here.
"""

from __future__ import annotations

import os

from ..log import LOG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

APPARMOR_PARAM = "sys/module/apparmor/parameters/enabled"
SELINUX_ENFORCE = "sys/fs/selinux/enforce"


def apparmor_enabled(root: str = "/") -> bool:
    """The module's `enabled` parameter reads Y: the kernel will take a profile change on exec."""
    try:
        with open(os.path.join(root, APPARMOR_PARAM), "rb") as handle:
            return handle.read(1) == b"Y"
    except OSError:
        return False


def selinux_enabled(root: str = "/") -> bool:
    """selinuxfs is mounted with its `enforce` file: the policy is loaded (enforcing or permissive)."""
    return os.path.exists(os.path.join(root, SELINUX_ENFORCE))


def lsm_enabled(name: str, root: str = "/") -> bool:
    """`features` and the plan ask by name: "apparmor" or "selinux"."""
    if name == "apparmor":
        return apparmor_enabled(root)
    if name == "selinux":
        return selinux_enabled(root)
    return False


def process_labels(proc: dict[str, Any], pointer: str, root: str = "/") -> tuple[str | None, str | None]:
    """(apparmorProfile, selinuxLabel) of a process that the C core must apply; None for each that is
    unset or that the host cannot apply (logged at debug level, as runc does)."""
    profile = proc.get("apparmorProfile") or None
    label = proc.get("selinuxLabel") or None
    if profile is not None and not apparmor_enabled(root):
        LOG.debug(f"{pointer}/apparmorProfile: AppArmor is not enabled on this host, ignored")
        profile = None
    if label is not None and not selinux_enabled(root):
        LOG.debug(f"{pointer}/selinuxLabel: SELinux is not enabled on this host, ignored")
        label = None
    return (str(profile) if profile is not None else None, str(label) if label is not None else None)


def mount_label(linux: dict[str, Any], root: str = "/") -> str | None:
    """linux.mountLabel when SELinux can apply it (the C core adds it as `context=` to the mounts that take
    one); None otherwise, logged at debug level."""
    label = linux.get("mountLabel") or None
    if label is not None and not selinux_enabled(root):
        LOG.debug("/linux/mountLabel: SELinux is not enabled on this host, ignored")
        return None
    return str(label) if label is not None else None
