#!/usr/bin/env python3
"""Run one command inside a small qemu guest whose kernel has a pure cgroup v2 hierarchy.

The host here is hybrid (v1 controllers + an almost empty cgroup2), so the cgroup v2 resource
controllers can only be exercised on another kernel. This script boots Debian's stock kernel under
qemu (TCG: /dev/kvm is not usable here), with an initramfs made from busybox-static that:

  1. loads the virtio / 9p / overlay / virtio-blk / loop modules the stock kernel has as modules,
  2. mounts the host's / read-only over 9p and puts an overlay with a tmpfs upper on top of it, so the
     guest sees the host's files (python, runc, the checkout, its compiled C core) and may write anywhere
     without touching the host,
  3. mounts cgroup2 at /sys/fs/cgroup and enables every controller in the root's subtree_control,
  4. switch_roots into that overlay, runs the command with a clean environment and cwd = the checkout,
  5. prints a sentinel line carrying the command's exit status on the serial console and powers off.

The kernel is booted uncompressed through qemu's PVH entry (unpacked once, here), and a sparse scratch
disk is attached as /dev/vda for io.max tests. docs/vm.md has the details and measured timings.

Usage:  run.py [--timeout S] [--cwd DIR] [--env K=V ...] -- CMD [ARG...]   exits with CMD's status
        run.py --check                                                    says whether the VM is usable

Standard library only: it runs on the host before anything is built or installed.
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import io
import lzma
import os
import re
import secrets
import selectors
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import TextIO

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("PYRUNC_VM_CACHE") or "/var/tmp/pyrunc-vm")
QEMU = "qemu-system-x86_64"
BUSYBOX = Path("/bin/busybox")
KERNEL_META = "linux-image-amd64"
# What the init needs beyond the stock kernel's built-ins; dependencies are resolved from the .ko files.
# virtio_blk gives the guest a scratch disk (/dev/vda) for io.max tests; loop is for tests that want one.
WANTED_MODULES = ("virtio_pci", "9pnet_virtio", "9p", "overlay", "virtio_blk", "loop")
SCRATCH_DISK_MIB = 64
SENTINEL = "PYRUNC-VM-EXIT"
PR_SET_PDEATHSIG = 1
# SeaBIOS and the kernel clear the screen; those escapes are noise in a log.
ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[A-Za-z]|[A-Za-z])")
# The guest's exit statuses for failures of the harness itself (not of the command).
EXIT_TIMEOUT = 124
EXIT_VM_FAILED = 125


class VMUnavailable(Exception):
    """The guest cannot be booted on this machine (the message says why)."""


# --------------------------------------------------------------------------------------------- kernel


def _log(msg: str) -> None:
    print(f"pyrunc-vm: {msg}", file=sys.stderr, flush=True)


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def _kernel_package() -> str:
    """The versioned image package the meta package currently points at (e.g. linux-image-6.1.0-57-amd64)."""
    res = _run(["apt-cache", "depends", KERNEL_META])
    for line in res.stdout.splitlines():
        m = re.match(r"\s*Depends:\s*(linux-image-[0-9][\w.+-]*-amd64)\s*$", line)
        if m:
            return m.group(1)
    raise VMUnavailable(f"apt-cache does not know {KERNEL_META} (run apt-get update?): {res.stderr.strip()}")


def _find_deb(dl: Path) -> Path | None:
    # The generic flavour only: -cloud- lacks drivers, -rt- and -dbg are something else.
    pattern = re.compile(r"linux-image-\d+\.\d+\.\d+-\d+-amd64_[^_]+_amd64\.deb$")
    for d in (dl, Path("/var/cache/apt/archives")):
        found = [p for p in d.glob("linux-image-*.deb") if pattern.match(p.name)] if d.is_dir() else []
        # Newest download last (names do not sort by version: 6.1.0-9 > 6.1.0-57).
        debs = sorted(found, key=lambda p: p.stat().st_mtime)
        if debs:
            return debs[-1]
    return None


def _download_deb(dl: Path) -> Path:
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        raise VMUnavailable("apt-get and dpkg-deb are needed to fetch Debian's kernel")
    dl.mkdir(parents=True, exist_ok=True)
    try:
        pkg = _kernel_package()
    except VMUnavailable:
        pkg = ""
    if pkg:
        _log(f"downloading {pkg} (apt-get download, not installed)")
        res = _run(["apt-get", "download", pkg], cwd=dl)
    if not pkg or res.returncode != 0:
        # A fresh machine may have stale or no package lists; refresh them once and retry.
        _log("refreshing apt package lists to find the kernel package")
        upd = _run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "update"])
        if upd.returncode != 0:
            raise VMUnavailable(f"apt-get update failed: {upd.stderr.strip()[-400:]}")
        pkg = _kernel_package()
        res = _run(["apt-get", "download", pkg], cwd=dl)
        if res.returncode != 0:
            raise VMUnavailable(f"apt-get download {pkg} failed: {res.stderr.strip()[-400:]}")
    deb = _find_deb(dl)
    if deb is None:
        raise VMUnavailable(f"apt-get download {pkg} left no .deb in {dl}")
    return deb


def _module_index(moddir: Path) -> dict[str, Path]:
    return {p.name[: -len(".ko")].replace("-", "_"): p for p in moddir.rglob("*.ko")}


def _module_depends(ko: Path) -> list[str]:
    # The .modinfo section is a list of NUL-terminated "key=value" strings; no ELF parsing needed.
    data = ko.read_bytes()
    m = re.search(rb"(?:^|\x00)depends=([^\x00]*)\x00", data)
    if not m or not m.group(1):
        return []
    return [d.decode().replace("-", "_") for d in m.group(1).split(b",") if d]


def _builtin_modules(moddir: Path) -> set[str]:
    path = moddir / "modules.builtin"
    if not path.exists():
        return set()
    return {
        Path(line.strip()).name[: -len(".ko")].replace("-", "_") for line in path.read_text().splitlines()
    }


def _module_closure(moddir: Path, wanted: tuple[str, ...]) -> list[Path]:
    """The modules to insmod, dependencies first."""
    index = _module_index(moddir)
    builtin = _builtin_modules(moddir)
    order: list[Path] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name in builtin:
            return
        seen.add(name)
        if name not in index:
            raise VMUnavailable(f"kernel module {name} is neither built in nor shipped in {moddir}")
        for dep in _module_depends(index[name]):
            visit(dep)
        order.append(index[name])

    for name in wanted:
        visit(name)
    return order


def _pvh_vmlinux(bzimage: bytes, config: str) -> bytes | None:
    """The uncompressed ELF kernel inside a bzImage, when qemu can boot it directly (PVH entry).

    Under TCG the kernel's own decompression costs several seconds of every boot; done once here,
    on the host, it costs nothing per boot. None when the image is not something we can unpack.
    """
    if "CONFIG_PVH=y" not in config.split("\n") or len(bzimage) < 0x250 or bzimage[0x202:0x206] != b"HdrS":
        return None
    setup_sects = bzimage[0x1F1] or 4
    start = (setup_sects + 1) * 512
    offset, length = struct.unpack_from("<II", bzimage, 0x248)
    payload = bzimage[start + offset : start + offset + length]
    try:
        if payload.startswith(b"\xfd7zXZ\x00"):
            data = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
        elif payload.startswith(b"\x1f\x8b"):
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(payload)
        else:
            return None
    except (lzma.LZMAError, zlib.error):
        return None
    return data if data.startswith(b"\x7fELF") else None


def prepare_kernel() -> tuple[Path, list[Path]]:
    """Return (kernel image, modules in load order), downloading and unpacking Debian's kernel once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    # Two runs (a developer's and CI's) may prepare the cache at once.
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _prepare_kernel_locked()


def _prepare_kernel_locked() -> tuple[Path, list[Path]]:
    kdir = CACHE / "kernel"
    stamp = kdir / "modules.order-to-load"
    wanted = kdir / "modules.wanted"
    image = kdir / "vmlinux" if (kdir / "vmlinux").exists() else kdir / "vmlinuz"
    if (
        stamp.exists()
        and image.exists()
        and wanted.exists()
        and wanted.read_text().split() == list(WANTED_MODULES)
    ):
        mods = [kdir / "modules" / name for name in stamp.read_text().split()]
        if all(m.exists() for m in mods):
            return image, mods
    deb = _find_deb(CACHE / "dl") or _download_deb(CACHE / "dl")
    _log(f"unpacking {deb.name}")
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="unpack.") as tmp:
        res = _run(["dpkg-deb", "-x", str(deb), tmp])
        if res.returncode != 0:
            raise VMUnavailable(f"dpkg-deb -x {deb} failed: {res.stderr.strip()}")
        images = sorted(Path(tmp, "boot").glob("vmlinuz-*"))
        moddirs = sorted(Path(tmp, "lib", "modules").glob("*"))
        if not images or not moddirs:
            raise VMUnavailable(f"{deb.name} has no /boot/vmlinuz-* or /lib/modules/*")
        mods = _module_closure(moddirs[-1], WANTED_MODULES)
        staging = Path(tmp, "staging")
        (staging / "modules").mkdir(parents=True)
        shutil.copy2(images[-1], staging / "vmlinuz")
        configs = sorted(Path(tmp, "boot").glob("config-*"))
        config = configs[-1].read_text() if configs else ""
        vmlinux = _pvh_vmlinux(images[-1].read_bytes(), config)
        if vmlinux is not None:
            (staging / "vmlinux").write_bytes(vmlinux)
        for m in mods:
            shutil.copy2(m, staging / "modules" / m.name)
        (staging / "release").write_text(moddirs[-1].name + "\n")
        (staging / "modules.order-to-load").write_text("\n".join(m.name for m in mods) + "\n")
        (staging / "modules.wanted").write_text("\n".join(WANTED_MODULES) + "\n")
        if kdir.exists():
            shutil.rmtree(kdir)
        staging.rename(kdir)
    return _prepare_kernel_locked()


# ------------------------------------------------------------------------------------------ initramfs


class Cpio:
    """A writer for the 'newc' cpio format the kernel unpacks as its initramfs."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.ino = 1

    def _entry(self, name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0)) -> None:
        raw = name.encode() + b"\x00"
        fields = (self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(raw), 0)
        self.ino += 1
        self.buf.write(b"070701" + b"".join(b"%08X" % f for f in fields) + raw)
        self._pad()
        self.buf.write(data)
        self._pad()

    def _pad(self) -> None:
        self.buf.write(b"\x00" * (-self.buf.tell() % 4))

    def dir(self, name: str) -> None:
        self._entry(name, 0o040755)

    def file(self, name: str, data: bytes, perm: int = 0o644) -> None:
        self._entry(name, 0o100000 | perm, data)

    def chardev(self, name: str, major: int, minor: int) -> None:
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        self.buf.write(b"\x00" * (-self.buf.tell() % 512))
        return self.buf.getvalue()


# Stage 1 runs as PID 1 in the initramfs. It builds the guest's root and hands over to stage 2.
STAGE1 = r"""#!/bin/busybox sh
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
say() { echo "pyrunc-vm: $*"; }
die() { say "$*"; echo "@SENTINEL@ @TOKEN@ @VMFAIL@"; sync; poweroff -f; sleep 60; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in $(cat /pyrunc-vm/modules); do insmod "/lib/modules/$m" || die "insmod $m failed"; done
# cache=loose: the host's files do not change under a test run, and lookups are the slow part.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose host /lower \
    || die "mounting the host's / over 9p failed"
mount -t tmpfs -o mode=0755,size=60% rw /rw || die "mounting the writable tmpfs failed"
mkdir -p /rw/upper /rw/work
if mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot 2>/dev/null; then
    say "root: overlay of the host's / (9p, read-only) with a tmpfs upper"
else
    mount --bind /lower /newroot || die "binding the host's / failed"
    say "root: the host's / read-only (overlay refused); tmpfs on /tmp /run /var/tmp"
fi
R=/newroot
for d in proc sys dev; do mount --move /$d $R/$d || die "moving /$d into the new root failed"; done
# The host's own runtime state (/run/runc, sockets) and temp files must not leak into the guest.
for d in tmp run var/tmp dev/shm; do
    mkdir -p $R/$d 2>/dev/null; mount -t tmpfs -o mode=1777 tmpfs $R/$d || die "tmpfs on /$d failed"
done
chmod 0755 $R/run
# A working directory under one of those tmpfs (a CI checkout in /tmp) comes as its own share, with a
# tmpfs upper layer so the tests may write there as they would on the host.
if [ -n @REPO@ ]; then
    mkdir -p /repo /rw/repo-upper /rw/repo-work $R@REPO@
    mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose repo /repo \
        || die "mounting the working directory over 9p failed"
    mount -t overlay -o lowerdir=/repo,upperdir=/rw/repo-upper,workdir=/rw/repo-work overlay $R@REPO@ \
        || mount --bind /repo $R@REPO@ || die "mounting the working directory failed"
fi
mkdir -p $R/dev/pts $R/dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts $R/dev/pts
mount -t mqueue mqueue $R/dev/mqueue 2>/dev/null
mount -t cgroup2 -o nsdelegate cgroup2 $R/sys/fs/cgroup || die "mounting cgroup2 failed"
for c in $(cat $R/sys/fs/cgroup/cgroup.controllers); do
    echo "+$c" > $R/sys/fs/cgroup/cgroup.subtree_control || say "could not enable controller $c"
done
say "cgroup2 controllers enabled: $(cat $R/sys/fs/cgroup/cgroup.subtree_control)"
mkdir -p $R/run/pyrunc-vm
cp /bin/busybox /pyrunc-vm/stage2 $R/run/pyrunc-vm/ || die "copying stage 2 failed"
exec switch_root $R /run/pyrunc-vm/busybox sh /run/pyrunc-vm/stage2
die "switch_root failed"
"""

# Stage 2 runs as PID 1 in the shared root. busybox ash reaps every child while it waits, so orphans
# left by runtimes do not pile up as zombies.
STAGE2 = r"""BB=/run/pyrunc-vm/busybox
if ! cd @CWD@; then
    echo "pyrunc-vm: cannot chdir to @CWD@"; echo "@SENTINEL@ @TOKEN@ @VMFAIL@"; $BB sync; $BB poweroff -f
fi
echo "pyrunc-vm: running: @SHOWCMD@"
# The shared root's env, not busybox's: busybox-static prefers its own applets over PATH lookups.
ENV=/usr/bin/env; [ -x $ENV ] || ENV="$BB env"
$ENV -i @ENV@ @CMD@ </dev/null
rc=$?
echo "@SENTINEL@ @TOKEN@ $rc"
$BB sync
$BB poweroff -f
"""


def build_initramfs(modules: list[Path], argv: list[str], cwd: str, env: dict[str, str], token: str) -> bytes:
    if not BUSYBOX.exists():
        raise VMUnavailable(f"{BUSYBOX} is missing (apt-get install busybox-static)")
    subs = {
        "@SENTINEL@": SENTINEL,
        "@TOKEN@": token,
        "@VMFAIL@": str(EXIT_VM_FAILED),
    }

    def fill(text: str) -> bytes:
        # One pass, so text substituted in (the command) is never itself substituted.
        return re.sub(r"@[0-9A-Z]+@", lambda m: subs.get(m.group(0), m.group(0)), text).encode()

    subs.update(
        {
            "@CWD@": shlex.quote(cwd),
            "@REPO@": shlex.quote(cwd if hidden_in_guest(cwd) else ""),
            "@ENV@": " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()),
            "@CMD@": " ".join(shlex.quote(a) for a in argv),
            # Shown inside double quotes by echo: keep it printable and free of shell syntax.
            "@SHOWCMD@": re.sub(r"[^\w ./=:+,@%-]", "?", " ".join(argv))[:300],
        }
    )
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "lower", "rw", "newroot", "lib", "lib/modules", "pyrunc-vm"):
        c.dir(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3)
    c.file("bin/busybox", BUSYBOX.read_bytes(), 0o755)
    c.file("init", fill(STAGE1), 0o755)
    c.file("pyrunc-vm/stage2", fill(STAGE2), 0o644)
    c.file("pyrunc-vm/modules", "\n".join(m.name for m in modules).encode() + b"\n")
    for m in modules:
        c.file(f"lib/modules/{m.name}", m.read_bytes())
    return c.finish()


# ---------------------------------------------------------------------------------------------- qemu


def guest_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    pybin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{pybin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "TMPDIR": "/tmp",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "PYRUNC_IN_GUEST": "1",
    }
    env.update(extra or {})
    return env


GUEST_TMPFS = ("/tmp", "/run", "/var/tmp", "/dev/shm")


def hidden_in_guest(path: str) -> bool:
    """True when the guest mounts a fresh tmpfs over the directory holding path."""
    return any(path == d or path.startswith(d + "/") for d in GUEST_TMPFS)


def qemu_argv(vmlinuz: Path, initrd: Path, disk: Path, mem: int, smp: int, cwd: str = "") -> list[str]:
    cmdline = " ".join(
        (
            "console=ttyS0",
            "quiet",
            "loglevel=1",
            "panic=-1",
            "rdinit=/init",
            "cgroup_no_v1=all",
            "mitigations=off",
            "random.trust_cpu=on",
            "8250.nr_uarts=1",
            os.environ.get("PYRUNC_VM_APPEND", ""),
        )
    ).strip()
    return [
        QEMU,
        "-accel",
        "tcg,thread=multi",
        "-cpu",
        os.environ.get("PYRUNC_VM_CPU", "max"),
        "-m",
        str(mem),
        "-smp",
        str(smp),
        "-nographic",
        "-no-reboot",
        "-nic",
        "none",
        "-kernel",
        str(vmlinuz),
        "-initrd",
        str(initrd),
        "-append",
        cmdline,
        "-drive",
        f"file={disk},if=virtio,format=raw,cache=unsafe",
        "-virtfs",
        # readonly: the host's files cannot be changed from the guest, whatever runs there as root.
        # multidevs=remap: / spans several host filesystems; keep their inode numbers apart.
        "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
    ] + (["-virtfs", f"local,path={cwd},mount_tag=repo,security_model=none,readonly=on,multidevs=remap"]
         if cwd and hidden_in_guest(cwd) else [])


def check() -> str | None:
    """None when the guest can be booted here, else the reason it cannot."""
    if shutil.which(QEMU) is None:
        return f"{QEMU} is not installed (apt-get install qemu-system-x86)"
    if not BUSYBOX.exists():
        return f"{BUSYBOX} is missing (apt-get install busybox-static)"
    try:
        prepare_kernel()
    except VMUnavailable as exc:
        return f"no guest kernel: {exc}"
    except OSError as exc:
        return f"no guest kernel: {exc}"
    return None


def _die_with_parent() -> None:
    # If this script is SIGKILLed, the kernel kills qemu too: no emulator is ever left spinning.
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")


def run(
    argv: list[str],
    timeout: float = 600.0,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    mem: int = 2048,
    smp: int = 2,
    out: TextIO | None = None,
) -> tuple[int, str]:
    """Boot the guest, run argv there; return (exit status, console output).

    The console is echoed to `out` (default: stdout) as it arrives. The status is argv's, or
    EXIT_TIMEOUT / EXIT_VM_FAILED when the harness gave up. qemu is killed by PID before returning.
    """
    sink = out if out is not None else sys.stdout
    reason = check()
    if reason is not None:
        raise VMUnavailable(reason)
    vmlinuz, modules = prepare_kernel()
    token = secrets.token_hex(8)
    start = time.monotonic()
    deadline = start + timeout
    with tempfile.TemporaryDirectory(prefix="pyrunc-vm.") as tmp:
        initrd = Path(tmp, "initrd.cpio")
        initrd.write_bytes(build_initramfs(modules, argv, cwd or str(REPO), guest_env(env), token))
        disk = Path(tmp, "scratch.img")
        with open(disk, "wb") as f:
            f.truncate(SCRATCH_DISK_MIB << 20)  # sparse: costs no space until the guest writes
        proc = subprocess.Popen(
            qemu_argv(vmlinuz, initrd, disk, mem, smp, cwd or str(REPO)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        try:
            return _pump(proc, token, start, deadline, sink)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()


def _pump(
    proc: subprocess.Popen[bytes], token: str, start: float, deadline: float, sink: TextIO
) -> tuple[int, str]:
    assert proc.stdout is not None
    done = re.compile(rf"^{SENTINEL} {token} (\d+)$")
    lines: list[str] = []
    pending = b""
    status: int | None = None
    booted: float | None = None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        while True:
            left = deadline - time.monotonic()
            if status is not None:
                # The guest is powering off; give qemu a moment to exit by itself.
                left = min(left, 15.0)
            if left <= 0:
                break
            if not sel.select(timeout=min(left, 1.0)):
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                line = ANSI.sub("", raw.decode("utf-8", "replace").replace("\r", ""))
                if booted is None and line.startswith("pyrunc-vm: running:"):
                    booted = time.monotonic() - start
                    _log(f"guest up after {booted:.1f}s")
                m = done.match(line)
                if m:
                    status = int(m.group(1))
                    _log(f"guest command exited {status} after {time.monotonic() - start:.1f}s")
                    continue
                lines.append(line)
                print(line, file=sink, flush=True)
    finally:
        sel.close()
    if pending:
        lines.append(pending.decode("utf-8", "replace").replace("\r", ""))
    if status is None:
        if time.monotonic() >= deadline:
            _log(f"timed out after {deadline - start:.0f}s; killing qemu (pid {proc.pid})")
            return EXIT_TIMEOUT, "\n".join(lines)
        _log(f"qemu ended (status {proc.poll()}) without reporting the command's status")
        return EXIT_VM_FAILED, "\n".join(lines)
    return status, "\n".join(lines)


def main(args: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="say whether the guest can be booted here, and exit")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds for the whole run (default 600)")
    ap.add_argument("--cwd", default=str(REPO), help="working directory in the guest (default: the checkout)")
    ap.add_argument("--env", action="append", default=[], metavar="K=V", help="extra guest environment")
    ap.add_argument("--mem", type=int, default=2048, help="guest memory in MiB (default 2048)")
    ap.add_argument("--smp", type=int, default=2, help="guest CPUs (default 2)")
    ap.add_argument("cmd", nargs="*", help="the command to run in the guest (after --)")
    ns = ap.parse_args(args)
    if ns.check:
        reason = check()
        if reason is None:
            print(f"usable: {QEMU} (TCG), kernel and modules cached under {CACHE / 'kernel'}")
            return 0
        print(f"not usable: {reason}")
        return 1
    if not ns.cmd:
        ap.error("no command given (put it after --)")
    extra = {}
    for item in ns.env:
        key, sep, val = item.partition("=")
        if not sep or not key:
            ap.error(f"--env wants K=V, got {item!r}")
        extra[key] = val
    # SIGTERM (a CI timeout, a test runner) unwinds like Ctrl-C, so run()'s cleanup kills qemu.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        status, _ = run(ns.cmd, timeout=ns.timeout, cwd=ns.cwd, env=extra, mem=ns.mem, smp=ns.smp)
    except VMUnavailable as exc:
        _log(f"not usable: {exc}")
        return EXIT_VM_FAILED
    return status


if __name__ == "__main__":
    sys.exit(main())
