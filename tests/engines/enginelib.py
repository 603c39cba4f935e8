"""Machinery for the engine tests: private daemons, local images, pty sessions and cleanup.

Every engine runs with state of its own under one short base directory (unix socket paths are limited
to 108 bytes), with cgroups under one parent of our own, so nothing outside that directory, that
cgroup parent and loopback is touched.  The cleanup helpers only act on what they can tie to those two
roots: mounts below the base directory, cgroups below our parent, processes whose command line names
the base directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pathlib
import pty
import select
import signal
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterator, Sequence

CGROUP_ROOT = pathlib.Path("/sys/fs/cgroup")
# Our test image: a busybox rootfs plus a few users and groups the tests rely on.
PASSWD = (
    "root:x:0:0:root:/root:/bin/sh\n"
    "tester:x:1000:1000:tester:/home/tester:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
)
GROUP = "root:x:0:\ntester:x:1000:\nextra1:x:2001:tester\nextra2:x:2002:tester\nnogroup:x:65534:\n"


def runtime_under_test() -> tuple[str | None, str]:
    """The runc-compatible binary the engines drive, or None and why not."""
    import shutil

    path = os.environ.get("PYRUNC_ENGINE_RUNTIME") or shutil.which("pyrunc")
    if not path:
        return None, "no runtime: PYRUNC_ENGINE_RUNTIME is unset and pyrunc is not on PATH"
    if not os.path.isabs(path):
        return None, f"PYRUNC_ENGINE_RUNTIME must be an absolute path, got {path!r}"
    if not os.access(path, os.X_OK):
        return None, f"runtime {path} does not exist or is not executable"
    return path, ""


def wait_for(pred: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# --- images -------------------------------------------------------------------------------------------


def finish_rootfs(rootfs: pathlib.Path) -> None:
    """Add what the tests need on top of conftest's busybox rootfs."""
    (rootfs / "etc" / "passwd").write_text(PASSWD)
    (rootfs / "etc" / "group").write_text(GROUP)
    (rootfs / "home" / "tester").mkdir(parents=True, exist_ok=True)
    os.chown(rootfs / "home" / "tester", 1000, 1000)
    (rootfs / "data").mkdir(exist_ok=True)
    (rootfs / "data" / "image-file").write_text("from the image\n")


def rootfs_tar(rootfs: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """An uncompressed layer tar of rootfs, with stable ownership and names relative to /."""
    with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as tar:
        for entry in sorted(rootfs.rglob("*")):
            tar.add(entry, arcname=str(entry.relative_to(rootfs)), recursive=False)
    return dest


def oci_archive(layer: pathlib.Path, dest: pathlib.Path, ref: str, tag: str) -> pathlib.Path:
    """An OCI image layout tar (one layer) that `ctr images import` accepts; no registry needed."""
    layer_bytes = layer.read_bytes()
    layer_digest = "sha256:" + hashlib.sha256(layer_bytes).hexdigest()
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "Cmd": ["/bin/sh"],
            },
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        },
        sort_keys=True,
    ).encode()
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config_digest,
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest,
                    "size": len(layer_bytes),
                }
            ],
        },
        sort_keys=True,
    ).encode()
    manifest_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    index = json.dumps(
        {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": manifest_digest,
                    "size": len(manifest),
                    "platform": {"architecture": "amd64", "os": "linux"},
                    "annotations": {
                        "io.containerd.image.name": f"{ref}:{tag}",
                        "org.opencontainers.image.ref.name": tag,
                    },
                }
            ],
        }
    ).encode()

    def add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(dest, "w") as tar:
        add(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add(tar, "index.json", index)
        for digest, data in ((config_digest, config), (manifest_digest, manifest)):
            add(tar, "blobs/sha256/" + digest.split(":")[1], data)
        tar.add(layer, arcname="blobs/sha256/" + layer_digest.split(":")[1])
    return dest


# --- host inspection and cleanup ----------------------------------------------------------------------


def cgroup_hierarchies() -> list[pathlib.Path]:
    """Mount points of every cgroup (v1 and v2) hierarchy on this host."""
    found = []
    for line in pathlib.Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        if right.split(" ", 1)[0] in ("cgroup", "cgroup2"):
            found.append(pathlib.Path(left.split()[4]))
    return found


def mounts_under(base: pathlib.Path) -> list[str]:
    prefix = str(base).rstrip("/") + "/"
    points = []
    for line in pathlib.Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point.startswith(prefix) or point == str(base):
            points.append(point)
    return points


def unmount_under(base: pathlib.Path) -> None:
    # Deepest first; lazy, because an engine that died may still hold them busy.
    for _ in range(5):
        points = mounts_under(base)
        if not points:
            return
        for point in sorted(set(points), key=len, reverse=True):
            subprocess.run(["umount", "-l", point], capture_output=True)


def pids_whose_cmdline_has(fragment: str) -> list[int]:
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            cmdline = (
                pathlib.Path(f"/proc/{entry}/cmdline")
                .read_bytes()
                .replace(b"\0", b" ")
                .decode("utf-8", "replace")
            )
        except OSError:
            continue
        if fragment in cmdline:
            found.append(int(entry))
    return found


def kill_pids(pids: Sequence[int], sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def pid_alive(pid: int) -> bool:
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class CgroupParent:
    """One cgroup parent (the same relative path in every hierarchy) that all engines put containers under."""

    def __init__(self, name: str) -> None:
        self.name = name.strip("/")

    def path(self, sub: str = "") -> str:
        return "/" + self.name + ("/" + sub.strip("/") if sub else "")

    def dirs(self) -> list[pathlib.Path]:
        return [h / self.name for h in cgroup_hierarchies() if (h / self.name).is_dir()]

    def find(self, fragment: str) -> list[pathlib.Path]:
        """Cgroup directories below the parent whose name contains fragment."""
        found = []
        for top in self.dirs():
            for dirpath, dirnames, _ in os.walk(top):
                found.extend(pathlib.Path(dirpath) / d for d in dirnames if fragment in d)
        return found

    def procs(self) -> set[int]:
        pids: set[int] = set()
        for top in self.dirs():
            for dirpath, _, filenames in os.walk(top):
                if "cgroup.procs" in filenames:
                    with contextlib.suppress(OSError):
                        text = (pathlib.Path(dirpath) / "cgroup.procs").read_text()
                        pids.update(int(p) for p in text.split())
        return pids

    def remove(self) -> list[str]:
        """Kill what is left inside (it is ours: it lives under our parent), then rmdir bottom-up."""
        problems = []
        for _ in range(3):
            pids = self.procs()
            if not pids:
                break
            # A frozen cgroup would keep SIGKILL pending; thaw first (v1 freezer).
            for top in self.dirs():
                for dirpath, _, filenames in os.walk(top):
                    if "freezer.state" in filenames:
                        with contextlib.suppress(OSError):
                            (pathlib.Path(dirpath) / "freezer.state").write_text("THAWED")
            kill_pids(sorted(pids))
            time.sleep(0.3)
        for top in self.dirs():
            for dirpath, _, _ in sorted(os.walk(top), key=lambda w: len(w[0]), reverse=True):
                for attempt in range(20):
                    try:
                        os.rmdir(dirpath)
                        break
                    except FileNotFoundError:
                        break
                    except OSError as err:
                        if attempt == 19:
                            problems.append(f"{dirpath}: {err}")
                        time.sleep(0.1)
        return problems


# --- daemons ------------------------------------------------------------------------------------------


class Daemon:
    """A daemon we start and stop ourselves, by PID."""

    def __init__(self, argv: list[str], log: pathlib.Path, env: dict[str, str] | None = None) -> None:
        self.argv = argv
        self.log = log
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready: Callable[[], bool], timeout: float = 30) -> None:
        out = open(self.log, "ab")  # noqa: SIM115 - the daemon owns it for its lifetime
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=self.env, start_new_session=True
        )
        out.close()

        def up() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited with {self.proc.returncode}: {self.tail()}")
            return ready()

        wait_for(up, timeout, f"{self.argv[0]} to be ready")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


# --- terminals ----------------------------------------------------------------------------------------


class PtySession:
    """A command whose stdin/stdout/stderr are the slave side of a pty we hold the master of."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every slave is closed
            return False
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def expect(self, needle: bytes, timeout: float = 20) -> bytes:
        deadline = time.monotonic() + timeout
        while needle not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.2)):
                if needle in self.buffer:
                    break
                raise TimeoutError(f"{needle!r} not seen; output so far: {self.buffer[-2000:]!r}")
        return self.buffer

    def wait(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        while self._read(0.05) and select.select([self.master], [], [], 0)[0]:
            pass
        return self.proc.wait(max(0.1, deadline - time.monotonic()))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        with contextlib.suppress(OSError):
            os.close(self.master)


@contextlib.contextmanager
def pty_session(argv: list[str], env: dict[str, str] | None = None) -> Iterator[PtySession]:
    session = PtySession(argv, env)
    try:
        yield session
    finally:
        session.close()
