"""Runs the C unit tests of the rootfs code (tests/native/test_rootfs.c) as root.

The test binary is compiled here with -Wall -Wextra -Werror from csrc/rootfs.c, mounts.c, devices.c,
paths.c and errors.c. Each C test runs under `unshare -m --propagation private` and again in its own mount
namespace, so nothing it mounts can reach the host's mount table; this wrapper then re-checks the
"host" files the attack tests aimed at, and that the host's mount table never saw the work directory.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess

import pytest

from tests.conftest import requires_root

ROOT = pathlib.Path(__file__).resolve().parents[2]
CSRC = ROOT / "csrc"
SOURCE = pathlib.Path(__file__).with_name("test_rootfs.c")
UNITS = ["rootfs.c", "mounts.c", "devices.c", "paths.c", "errors.c"]

# The C file's own table of tests, read at collection time so each is its own pytest case.
NAMES = re.findall(r'^\s*\{"(\w+)", t_\w+\},', SOURCE.read_text(), re.M)

pytestmark = [requires_root()]


@pytest.fixture(scope="session")
def test_binary(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler (apt-get install gcc)")
    out = tmp_path_factory.mktemp("native") / "test_rootfs"
    cmd = [
        cc,
        "-D_GNU_SOURCE",
        "-std=gnu11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-O1",
        "-g",
        f"-I{CSRC}",
        "-o",
        str(out),
        str(SOURCE),
        *(str(CSRC / u) for u in UNITS),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, f"compile failed:\n{proc.stderr}"
    return out


def _host_mounts() -> str:
    return pathlib.Path("/proc/self/mountinfo").read_text()


def run_case(binary: pathlib.Path, name: str, workdir: pathlib.Path, busybox: pathlib.Path | None = None):
    args = ["unshare", "-m", "--propagation", "private", str(binary), name, str(workdir)]
    if busybox is not None:
        args.append(str(busybox))
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"C test {name} failed:\n{proc.stderr}\n{proc.stdout}"
    assert f"ok {name}" in proc.stderr
    assert str(workdir) not in _host_mounts(), "a mount escaped the test's private mount namespace"
    return proc


def test_table_is_not_empty() -> None:
    assert len(NAMES) >= 15 and "full_flow_pivot" in NAMES


@pytest.mark.parametrize("name", [n for n in NAMES if not n.startswith(("attack_", "full_flow"))])
def test_native(test_binary: pathlib.Path, tmp_path: pathlib.Path, name: str) -> None:
    run_case(test_binary, name, tmp_path)


def test_attack_mount_destination_symlink(test_binary: pathlib.Path, tmp_path: pathlib.Path) -> None:
    run_case(test_binary, "attack_mount_destination_symlink", tmp_path)
    host = tmp_path / "host"
    assert (host / "target" / "keep").read_text() == "host\n"
    assert not os.path.ismount(host / "target")
    assert (host / "file").read_text() == "host\n"


def test_attack_proc_symlink(test_binary: pathlib.Path, tmp_path: pathlib.Path) -> None:
    run_case(test_binary, "attack_proc_symlink", tmp_path)
    assert not os.path.ismount(tmp_path / "host" / "procdir")
    assert list((tmp_path / "host" / "procdir").iterdir()) == []


def test_attack_dev_null_symlink(test_binary: pathlib.Path, tmp_path: pathlib.Path) -> None:
    run_case(test_binary, "attack_dev_null_symlink", tmp_path)
    st = (tmp_path / "host" / "shadow").stat()
    assert oct(st.st_mode & 0o7777) == oct(0o600) and st.st_uid == 0
    assert (tmp_path / "host" / "shadow").read_text() == "secret\n"


def test_attack_masked_symlink(test_binary: pathlib.Path, tmp_path: pathlib.Path) -> None:
    run_case(test_binary, "attack_masked_symlink", tmp_path)
    assert (tmp_path / "host" / "secret").read_text() == "host\n"


@pytest.mark.parametrize("name", ["full_flow_pivot", "full_flow_no_pivot"])
def test_full_flow_seen_from_inside(
    test_binary: pathlib.Path, tmp_path: pathlib.Path, busybox_rootfs: pathlib.Path, name: str
) -> None:
    proc = run_case(test_binary, name, tmp_path, busybox_rootfs)
    # busybox `cat /proc/self/mountinfo`, run inside the finished root.
    mounts = {}
    for line in proc.stdout.splitlines():
        fields = line.split()
        mounts[fields[4]] = line
    assert " ro," in mounts["/"].split(" - ")[0] + ","
    assert "nosuid,nodev,noexec" in mounts["/proc"] and "- proc " in mounts["/proc"]
    assert mounts["/sys"].split()[5].startswith("ro,")
    assert "- devpts " in mounts["/dev/pts"] and "ptmxmode=666" in mounts["/dev/pts"]
    assert "- mqueue " in mounts["/dev/mqueue"]
    assert "- tmpfs " in mounts["/sys/fs/cgroup"] and mounts["/sys/fs/cgroup"].split()[5].startswith("ro,")
    assert mounts["/sys/fs/cgroup/unified"].split()[5].startswith("ro,")
    assert mounts["/proc/sys"].split()[5].startswith("ro,")
    assert "/null" in mounts["/proc/timer_list"].split()[3]
    assert "- tmpfs tmpfs" in mounts["/proc/acpi"] and mounts["/proc/acpi"].split()[5].startswith("ro,")
    assert not any(str(tmp_path) in m.split()[4] for m in mounts.values())
