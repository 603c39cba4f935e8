"""Redirections in the root filesystem, attacked at the container level: a rootfs (an image, or a volume
shared with another container) whose /proc, /dev/null, /dev/console, a mount destination, a masked or a
read-only path is a symlink out of the root or onto something sensitive; config mounts that put something
else than procfs on /proc; and a symlink swapped in while create runs.

Defences: every in-root path is opened with openat2(RESOLVE_IN_ROOT) / an fd walk that never leaves the
root (csrc/paths.c, used by csrc/mounts.c, devices.c, rootfs.c); /proc and /sys targets must not be
symlinks (csrc/rootfs.c); device nodes are created, never opened through an existing file
(csrc/devices.c); only a real procfs goes on /proc (check_proc_destination, pyrunc/runtime/mounts.py).
C-level attack tests of the same code are in tests/native/; these run whole containers.
"""

from __future__ import annotations

import ctypes
import os
import pathlib
import threading

import pytest

RENAME_EXCHANGE = 2


def host_target(tmp_path: pathlib.Path) -> pathlib.Path:
    target = tmp_path / "host-target"
    target.mkdir()
    (target / "keep").write_text("host\n")
    return target


def untouched(target: pathlib.Path) -> bool:
    return (
        not os.path.ismount(target)
        and [p.name for p in target.iterdir()] == ["keep"]
        and (target / "keep").read_text() == "host\n"
        and os.access(target, os.W_OK)
    )


def left_nothing(rt, cid: str) -> bool:
    return rt("state", cid).returncode == 1 and not (rt.root / cid).exists()


# --- /proc must be procfs ---------------------------------------------------------------------------------


def replace_proc(kind: str, fake: pathlib.Path):
    def mutate(cfg):
        mounts = [m for m in cfg["mounts"] if m["destination"] != "/proc"]
        if kind == "extra-tmpfs":
            mounts = cfg["mounts"] + [{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}]
        elif kind == "tmpfs":
            mounts.append({"destination": "/proc", "type": "tmpfs", "source": "tmpfs"})
        elif kind == "bind-dir":
            mounts.append({"destination": "/proc", "type": "bind", "source": str(fake), "options": ["rbind"]})
        elif kind == "dotted":
            mounts.append({"destination": "/proc/../proc/.", "type": "tmpfs", "source": "tmpfs"})
        elif kind == "under":
            mounts = cfg["mounts"] + [
                {"destination": "/proc/sys", "type": "bind", "source": str(fake), "options": ["rbind"]}
            ]
        cfg["mounts"] = mounts

    return mutate


@pytest.mark.parametrize("kind", ["tmpfs", "extra-tmpfs", "bind-dir", "dotted", "under"])
def test_only_procfs_goes_on_proc(rt, tmp_path, kind):
    """CVE-2019-16884 shape: a fake /proc (tmpfs, or an image directory with its own attr/, self/...)
    would take the runtime's writes under /proc and lie to the container about itself."""
    fake = host_target(tmp_path)
    bundle = rt.bundle(["/bin/true"], mutate=replace_proc(kind, fake))
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b"cannot be mounted because it is" in proc.stderr and b"/mounts/" in proc.stderr, proc.stderr
    assert left_nothing(rt, cid) and untouched(fake)


def test_lxcfs_style_file_binds_under_proc_still_work(rt, tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 1 kB\n")
    meminfo.chmod(0o644)

    def mutate(cfg):
        cfg["mounts"].append(
            {
                "destination": "/proc/meminfo",
                "type": "bind",
                "source": str(meminfo),
                "options": ["rbind", "ro"],
            }
        )

    proc = rt.run_container(["/bin/cat", "/proc/meminfo"], mutate=mutate)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"MemTotal: 1 kB\n"


@pytest.mark.parametrize("where", ["host", "inside"])
def test_proc_symlink_is_refused(rt, tmp_path, where):
    """CVE-2019-19921 shape: the image's /proc is a symlink, to a host directory or to a directory of the
    rootfs (a volume the attacker fills with a fake procfs). Neither gets the procfs mount."""
    target = host_target(tmp_path)
    bundle = rt.bundle(["/bin/true"], own_rootfs=True)
    rootfs = bundle / "rootfs"
    (rootfs / "proc").rmdir()
    if where == "host":
        (rootfs / "proc").symlink_to(target)
    else:
        (rootfs / "fakeproc").mkdir()
        (rootfs / "proc").symlink_to("/fakeproc")
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1 and b"symlink" in proc.stderr, proc.stderr
    assert left_nothing(rt, cid) and untouched(target)
    if where == "inside":
        assert not os.path.ismount(rootfs / "fakeproc") and not any((rootfs / "fakeproc").iterdir())


# --- mount destinations, masked and read-only paths -------------------------------------------------------


@pytest.mark.parametrize("link", ["absolute", "dotdot", "nested"])
def test_mount_destination_symlink_lands_inside(rt, tmp_path, link):
    """A bind mount and a tmpfs whose destination is (or goes through) a symlink to a host directory: the
    link is followed inside the root only, so the mount lands in the rootfs or create fails."""
    target = host_target(tmp_path)
    source = tmp_path / "payload"
    source.write_text("payload\n")
    dest = "/data/sub" if link == "nested" else "/data"

    def mutate(cfg):
        cfg["mounts"].append({"destination": dest, "type": "tmpfs", "source": "tmpfs"})
        cfg["mounts"].append(
            {"destination": dest + "/payload", "type": "bind", "source": str(source), "options": ["rbind"]}
        )

    bundle = rt.bundle(
        ["/bin/sh", "-c", f"cat {dest}/payload && touch {dest}/written"], mutate=mutate, own_rootfs=True
    )
    rootfs = bundle / "rootfs"
    if link == "dotdot":
        (rootfs / "data").symlink_to("../../../../../../../../.." + str(target))
    else:
        (rootfs / "data").symlink_to(target)
    if link == "nested":
        (target / "sub").mkdir()
    proc = rt("run", "-b", str(bundle), rt.new_id())
    if link == "nested":
        (target / "sub").rmdir()  # ours, made above; anything else in there would be the container's
    assert untouched(target), sorted(p.name for p in target.iterdir())
    if proc.returncode == 0:
        assert proc.stdout == b"payload\n"
    assert not (target / "payload").exists() and not (target / "written").exists()


@pytest.mark.parametrize("kind", ["maskedPaths", "readonlyPaths"])
def test_masked_and_readonly_path_symlinks_change_nothing_outside(rt, tmp_path, kind):
    """A masked path (tmpfs or /dev/null bound over it) or a read-only path (remounted ro) that is a
    symlink to a host directory: the host directory stays unmounted and writable."""
    target = host_target(tmp_path)

    def mutate(cfg):
        cfg["linux"][kind] = ["/etc/link", "/etc/dotdot"]

    bundle = rt.bundle(["/bin/sh", "-c", "ls /etc/link/ 2>&1; echo done"], mutate=mutate, own_rootfs=True)
    (bundle / "rootfs" / "etc" / "link").symlink_to(target)
    (bundle / "rootfs" / "etc" / "dotdot").symlink_to("../../../../../../../.." + str(target))
    proc = rt("run", "-b", str(bundle), rt.new_id())
    assert untouched(target)
    if proc.returncode == 0:
        assert b"keep" not in proc.stdout and proc.stdout.endswith(b"done\n"), proc.stdout


# --- /dev ------------------------------------------------------------------------------------------------


def without_dev_tmpfs(cfg):
    # No tmpfs on /dev: devices go into the image's own /dev, where the attacker left symlinks.
    cfg["mounts"] = [m for m in cfg["mounts"] if not m["destination"].startswith("/dev")]


def test_dev_null_symlink_onto_a_proc_file_with_masked_paths(rt, tmp_path):
    """The 2025 /dev/null shape (masking binds /dev/null over masked paths): the image's /dev/null points
    at /proc/sys/kernel/core_pattern. Create fails on /dev/null; nothing is bound anywhere."""
    before = pathlib.Path("/proc/sys/kernel/core_pattern").read_text()

    def mutate(cfg):
        without_dev_tmpfs(cfg)
        cfg["linux"]["maskedPaths"] = ["/proc/kcore", "/proc/sysrq-trigger", "/proc/sys/kernel/core_pattern"]

    bundle = rt.bundle(
        ["/bin/sh", "-c", "echo '|/tmp/pwn' > /proc/sys/kernel/core_pattern"], mutate=mutate, own_rootfs=True
    )
    (bundle / "rootfs" / "dev" / "null").symlink_to("/proc/sys/kernel/core_pattern")
    cid = rt.new_id()
    proc = rt("create", "-b", str(bundle), cid)
    assert proc.returncode == 1 and b"/dev/null" in proc.stderr, proc.stderr
    assert left_nothing(rt, cid)
    assert pathlib.Path("/proc/sys/kernel/core_pattern").read_text() == before


def test_dev_console_symlink_is_not_followed(rt, tmp_path):
    """The 2025 /dev/console shape: with a terminal, the pty is bound on /dev/console; an image whose
    /dev/console is a symlink to a host file must not get the pty bound over that file."""
    from tests.integration.test_terminal import ConsoleSocket, terminal_config

    target = tmp_path / "host-file"
    target.write_text("host\n")

    def mutate(cfg):
        without_dev_tmpfs(cfg)
        terminal_config(cfg)

    bundle = rt.bundle(["/bin/true"], mutate=mutate, own_rootfs=True)
    (bundle / "rootfs" / "dev" / "console").symlink_to(target)
    cid = rt.new_id()
    console = ConsoleSocket(str(tmp_path / "console.sock"))
    try:
        proc = rt("create", "--console-socket", console.path, "-b", str(bundle), cid)
        assert not os.path.ismount(target) and target.read_text() == "host\n"
        if proc.returncode == 0:
            # Bound inside: the link was replaced by (or resolved to) a file in the rootfs.
            assert rt.state(cid)["status"] == "created"
        else:
            assert left_nothing(rt, cid)
    finally:
        console.close()
        rt("delete", "--force", cid)
    assert not os.path.ismount(target) and target.read_text() == "host\n"


# --- a symlink swapped in during create ------------------------------------------------------------------


def test_destination_swapped_for_a_symlink_during_create(rt, tmp_path):
    """A racing process (another container sharing the volume; here the test) keeps exchanging the
    mount destination directory and a symlink to a host directory with renameat2(RENAME_EXCHANGE) while
    create mounts on it. Whatever the timing, the host directory is never mounted on or written."""
    libc = ctypes.CDLL(None, use_errno=True)
    target = host_target(tmp_path)

    def mutate(cfg):
        cfg["mounts"].append({"destination": "/mnt/evil", "type": "tmpfs", "source": "tmpfs"})

    bundle = rt.bundle(["/bin/sh", "-c", "touch /mnt/evil/written"], mutate=mutate, own_rootfs=True)
    mnt = bundle / "rootfs" / "mnt"
    mnt.mkdir(exist_ok=True)
    (mnt / "evil").mkdir()
    (mnt / "swap").symlink_to(target)
    stop = threading.Event()
    swaps = [0]

    def racer():
        a, b = str(mnt / "evil").encode(), str(mnt / "swap").encode()
        while not stop.is_set():
            if libc.renameat2(-100, a, -100, b, RENAME_EXCHANGE) == 0:
                swaps[0] += 1

    thread = threading.Thread(target=racer, daemon=True)
    thread.start()
    outcomes = []
    try:
        for _ in range(25):
            cid = rt.new_id()
            proc = rt("run", "-b", str(bundle), cid)
            outcomes.append(proc.returncode)
            assert untouched(target), sorted(p.name for p in target.iterdir())
            if proc.returncode != 0:
                assert left_nothing(rt, cid), proc.stderr
    finally:
        stop.set()
        thread.join()
    assert swaps[0] > 100, "the racer did not run"
    # Both outcomes are fine; the point is the host directory above. Record the mix for the log.
    print(f"swaps={swaps[0]} outcomes={outcomes}")
    assert untouched(target)


def test_mount_through_a_symlink_onto_proc_cannot_cover_procfs(rt):
    """`/myproc -> /proc` inside the root, and a tmpfs mounted at /myproc: it would hide the container's
    procfs (CVE-2019-16884 shape). The destination is resolved first, and only procfs may land on /proc."""
    def mutate(cfg):
        cfg["mounts"].append({"destination": "/myproc", "type": "tmpfs", "source": "tmpfs"})

    bundle = rt.bundle(["/bin/true"], mutate=mutate, own_rootfs=True)
    (bundle / "rootfs" / "myproc").symlink_to("/proc")
    cid = rt.new_id()
    proc = rt("run", "-b", str(bundle), cid)
    assert proc.returncode == 1
    assert b"resolves to the container's /proc" in proc.stderr
    assert not (rt.root / cid).exists()
    (bundle / "rootfs" / "myproc").unlink()
    assert rt("run", "-b", str(bundle), rt.new_id()).returncode == 0
