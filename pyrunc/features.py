"""The features document (runtime-spec features.md / features-linux.md), built from the same tables the
runtime uses, so it can only claim what the code handles."""

from __future__ import annotations

import os

from . import OCI_VERSION, __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

HOOKS = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]


def features_document() -> dict[str, Any]:
    from .runtime.plan import NAMESPACE_FLAGS
    from .security import seccomp
    from .spec.caps import CAP_NUMBERS

    try:
        from .runtime.mounts import KNOWN_MOUNT_OPTIONS

        mount_options = sorted(KNOWN_MOUNT_OPTIONS)
    except ImportError:  # pragma: no cover - only while mounts.py lacks the table
        mount_options = []
    try:
        from .native import ffi, lib

        libseccomp = (
            ffi.string(lib.pyrunc_seccomp_version()).decode()
            if hasattr(lib, "pyrunc_seccomp_version")
            else ""
        )
    except Exception:
        libseccomp = ""
    from .runtime.plan import lsm_enabled

    doc: dict[str, Any] = {
        "ociVersionMin": "1.0.0",
        "ociVersionMax": OCI_VERSION,
        "hooks": list(HOOKS),
        "mountOptions": mount_options,
        "linux": {
            "namespaces": sorted(NAMESPACE_FLAGS),
            "capabilities": sorted(CAP_NUMBERS, key=CAP_NUMBERS.__getitem__),
            "cgroup": {"v1": True, "v2": True, "systemd": False, "systemdUser": False, "rdma": True},
            "seccomp": seccomp.seccomp_features(),
            "apparmor": {"enabled": lsm_enabled("apparmor")},
            "selinux": {"enabled": lsm_enabled("selinux")},
            "intelRdt": {"enabled": os.path.isdir("/sys/fs/resctrl/info")},
            "mountExtensions": {"idmap": {"enabled": True}},
        },
        "annotations": {
            "io.github.pyrunc.version": __version__,
            "io.github.pyrunc.libseccomp.version": libseccomp,
            "io.github.pyrunc.cgroup.systemd": "cgroupfs path mapping only (no D-Bus driver)",
        },
    }
    return doc
