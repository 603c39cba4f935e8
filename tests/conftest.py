"""Shared fixtures: a busybox rootfs built from Debian's busybox-static, bundles, and the runtime."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUSYBOX = pathlib.Path("/bin/busybox")
ENGINE_CONFIGS = ROOT.parent / "shared" / "engine-configs"

# Make the checkout importable whether or not pyrunc is installed.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def build_busybox_rootfs(dest: pathlib.Path) -> pathlib.Path:
    """A minimal rootfs: static busybox plus one symlink per applet, and the usual directories."""
    if not BUSYBOX.exists():
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    for sub in (
        "bin",
        "sbin",
        "usr/bin",
        "usr/sbin",
        "etc",
        "dev",
        "proc",
        "sys",
        "tmp",
        "root",
        "var",
        "run",
    ):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUSYBOX, dest / "bin" / "busybox")
    applets = subprocess.run([str(BUSYBOX), "--list"], capture_output=True, text=True, check=True).stdout
    for name in applets.split():
        link = dest / "bin" / name
        if name != "busybox" and not link.exists():
            link.symlink_to("busybox")
    (dest / "etc" / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    )
    (dest / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
    os.chmod(dest / "tmp", 0o1777)
    return dest


@pytest.fixture(scope="session")
def busybox_rootfs(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A read-only-by-convention shared rootfs; tests that write into it must copy it first."""
    return build_busybox_rootfs(tmp_path_factory.mktemp("rootfs") / "rootfs")


@pytest.fixture
def container_id() -> str:
    return "t-" + uuid.uuid4().hex[:12]


def requires_root() -> pytest.MarkDecorator:
    return pytest.mark.skipif(os.geteuid() != 0, reason="needs root (namespaces, mounts, cgroups)")
