"""Integration fixtures: real containers from a busybox rootfs, one private --root and one cgroup parent
per test, and a check after every test that nothing was left behind."""

from __future__ import annotations

import copy
import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import uuid

import pytest

from tests.conftest import ROOT, build_busybox_rootfs

if os.geteuid() != 0:
    pytest.skip("integration tests need root (namespaces, mounts, cgroups)", allow_module_level=True)

PYTHON = sys.executable
CGROUP_PARENT = "pyrunc-test-" + uuid.uuid4().hex[:8]


def pyrunc_cmd() -> list[str]:
    """The runtime under test: $PYRUNC_BIN, else this checkout run isolated (-I -S, as the launcher does)."""
    binary = os.environ.get("PYRUNC_BIN")
    if binary:
        return [binary]
    import _cffi_backend

    paths = [str(ROOT), os.path.dirname(_cffi_backend.__file__)]
    return [
        PYTHON,
        "-I",
        "-S",
        "-c",
        f"import sys; sys.path[:0] = {paths!r}; "
        "from pyrunc.cli.main import entry; sys.argv[0] = 'pyrunc'; entry()",
    ]


def base_config(args: list[str]) -> dict:
    """A config like the ones engines send: all namespaces but user, the standard mounts, no terminal."""
    from pyrunc.spec.default import default_config

    cfg = default_config(False)
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = args
    cfg["root"]["readonly"] = False
    return cfg


def copy_rootfs_entry(src: str, dst: str) -> None:
    """Copy one rootfs entry; device nodes and fifos are made anew, never read: a container without a /dev
    mount leaves real /dev/zero and /dev/full nodes in the shared tree, and reading those never ends."""
    st = os.lstat(src)
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        os.mknod(dst, st.st_mode, st.st_rdev)
    elif not stat.S_ISSOCK(st.st_mode):
        shutil.copy2(src, dst)


class Runtime:
    def __init__(self, root: pathlib.Path, work: pathlib.Path, rootfs: pathlib.Path) -> None:
        self.root = root
        self.work = work
        self.rootfs = rootfs
        self.ids: list[str] = []

    def __call__(
        self,
        *args: str,
        check: bool = False,
        input: bytes | None = None,
        timeout: float = 60,
        stdin: object = None,
        stdout: object = None,
        stderr: object = None,
        env: dict[str, str] | None = None,
        pass_fds: tuple[int, ...] = (),
    ) -> subprocess.CompletedProcess:
        """Run the runtime. Output is captured in files, not pipes: a container made by create or run -d
        inherits them and would hold a pipe open long after the runtime exits."""
        import tempfile

        cmd = pyrunc_cmd() + ["--root", str(self.root), *args]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.run(
                cmd,
                input=input,
                stdin=stdin if input is None else None,
                stdout=out if stdout is None else stdout,
                stderr=err if stderr is None else stderr,
                timeout=timeout,
                env=env,
                pass_fds=pass_fds,
            )
            out.seek(0)
            err.seek(0)
            proc.stdout = out.read() if stdout is None else b""
            proc.stderr = err.read() if stderr is None else b""
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr!r}")
        return proc

    def bundle(
        self,
        args: list[str],
        *,
        mutate=None,
        cfg: dict | None = None,
        name: str | None = None,
        own_rootfs: bool = False,
    ) -> pathlib.Path:
        """Write a bundle whose rootfs is the shared busybox tree (or a private copy)."""
        bundle = self.work / (name or ("b-" + uuid.uuid4().hex[:8]))
        bundle.mkdir()
        config = copy.deepcopy(cfg) if cfg is not None else base_config(args)
        if own_rootfs:
            shutil.copytree(self.rootfs, bundle / "rootfs", symlinks=True, copy_function=copy_rootfs_entry)
            config["root"]["path"] = "rootfs"
        else:
            config["root"]["path"] = str(self.rootfs)
        config.setdefault("linux", {})["cgroupsPath"] = f"/{CGROUP_PARENT}/{bundle.name}"
        if mutate is not None:
            mutate(config)
        (bundle / "config.json").write_text(json.dumps(config))
        return bundle

    def new_id(self) -> str:
        container_id = "c" + uuid.uuid4().hex[:10]
        self.ids.append(container_id)
        return container_id

    def run_container(
        self, args: list[str], *, mutate=None, timeout: float = 60, **kw
    ) -> subprocess.CompletedProcess:
        """`pyrunc run` in the foreground with a fresh id; returns the CompletedProcess."""
        bundle = self.bundle(args, mutate=mutate, **kw)
        container_id = self.new_id()
        return self("run", "-b", str(bundle), container_id, timeout=timeout)

    def state(self, container_id: str) -> dict:
        return json.loads(self("state", container_id, check=True).stdout)


@pytest.fixture(scope="session")
def shared_rootfs(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    rootfs = build_busybox_rootfs(tmp_path_factory.mktemp("busybox") / "rootfs")
    probe = ROOT / "tests" / "integration" / "probe.c"
    if probe.exists() and shutil.which("gcc"):
        subprocess.run(
            ["gcc", "-static", "-O1", "-Wall", "-o", str(rootfs / "bin" / "probe"), str(probe)], check=True
        )
    return rootfs


def _mounts_snapshot(*roots: pathlib.Path) -> set[str]:
    """Mount points under the given trees (others on this host are not ours to judge)."""
    prefixes = tuple(str(r).rstrip("/") for r in roots)
    with open("/proc/self/mountinfo") as handle:
        points = {line.split()[4] for line in handle}
    return {p for p in points if any(p == r or p.startswith(r + "/") for r in prefixes)}


def _pyrunc_cgroups(ids: list[str] | None = None) -> set[str]:
    """Cgroups this test session may have made: under our parent, or pyrunc's default path for our ids.
    (Other processes on this host make cgroups under /pyrunc too; they are not ours to judge.)"""
    found = set()
    for hierarchy in pathlib.Path("/sys/fs/cgroup").iterdir():
        roots = [hierarchy / CGROUP_PARENT] + [hierarchy / "pyrunc" / i for i in ids or []]
        for path in roots:
            if path.is_dir():
                if path.name != CGROUP_PARENT:
                    found.add(str(path))
                for sub in path.rglob("*"):
                    if sub.is_dir():
                        found.add(str(sub))
    return found


@pytest.fixture
def rt(tmp_path: pathlib.Path, shared_rootfs: pathlib.Path):
    root = tmp_path / "state"
    work = tmp_path / "work"
    work.mkdir()
    mounts_before = _mounts_snapshot(tmp_path, shared_rootfs)
    cgroups_before = _pyrunc_cgroups()
    runtime = Runtime(root, work, shared_rootfs)
    failures = []
    try:
        yield runtime
    finally:
        leftover = []
        if root.exists():
            for entry in root.iterdir():
                if not entry.name.startswith("."):
                    leftover.append(entry.name)
                    runtime("delete", "--force", entry.name)
        mounts_after = _mounts_snapshot(tmp_path, shared_rootfs) - mounts_before
        cgroups_after = _pyrunc_cgroups(runtime.ids) - cgroups_before
        for path in sorted(mounts_after, reverse=True):
            subprocess.run(["umount", "-l", path], capture_output=True)
        _remove_cgroups(cgroups_after)
        if leftover:
            failures.append(f"containers left behind: {leftover}")
        if mounts_after:
            failures.append(f"mounts left behind: {sorted(mounts_after)}")
        if cgroups_after:
            failures.append(f"cgroups left behind: {sorted(cgroups_after)}")
    if failures:
        pytest.fail("; ".join(failures))


@pytest.fixture
def delete_containers(rt):
    """For modules that start containers in the background: each test's containers go away with it (the
    `rt` fixture then checks nothing is left). Use with `pytest.mark.usefixtures("delete_containers")`."""
    yield
    for cid in rt.ids:
        if (rt.root / cid).exists():
            rt("delete", "--force", cid)


def why_not_pure_cgroup2() -> str | None:
    """Why tests needing a pure cgroup v2 host (marked cgroupv2, run in the qemu guest) cannot run here."""
    if os.geteuid() != 0:
        return "needs root to create cgroups"
    from pyrunc.cgroups.host import UNIFIED, host

    if host().mode != UNIFIED:
        return (
            f"needs /sys/fs/cgroup to be a cgroup2 mount (this host is {host().mode}); "
            "run through the qemu guest: tests/vm"
        )
    return None


def _remove_cgroups(paths) -> None:
    """Remove test cgroups deepest first; a process still in one (a runtime killed by a test timeout left
    its init there) is killed by PID first, or the rmdir, and with it the session's parent, would fail."""
    import select

    for path in sorted((str(p) for p in paths), key=len, reverse=True):
        try:
            pids = [int(x) for x in pathlib.Path(path, "cgroup.procs").read_text().split()]
        except OSError:
            pids = []
        fds = []
        for pid in pids:
            try:
                fds.append(os.pidfd_open(pid))
                os.kill(pid, 9)
            except OSError:
                pass
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        waiting = len(fds)
        while waiting:
            ready = poller.poll(10_000)
            if not ready:
                break
            for fd, _ in ready:
                poller.unregister(fd)
                waiting -= 1
        for fd in fds:
            os.close(fd)
        try:
            os.rmdir(path)
        except OSError:
            pass


def pytest_sessionfinish(session, exitstatus):
    for hierarchy in pathlib.Path("/sys/fs/cgroup").glob("*"):
        parent = hierarchy / CGROUP_PARENT
        if parent.is_dir():
            _remove_cgroups([p for p in parent.rglob("*") if p.is_dir()] + [parent])
