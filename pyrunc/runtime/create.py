"""`create`: build the container and leave its init waiting on the exec fifo.

Every step registers its undo; any failure runs them in reverse, so a failed create leaves no state
dir, fifo, cgroup, mount or process behind.
"""

from __future__ import annotations

import os
import time

from .. import jsonio
from ..errors import PyruncError
from ..log import LOG
from ..state.store import FIFO_FILE
from . import procs
from .container import Container
from .sync import (
    PM_EOF,
    PM_HOOKS_DONE,
    PM_HOOKS_REQ,
    PM_IDMAP_DONE,
    PM_IDMAP_REQ,
    PM_INIT_PID,
    PM_PTY_MASTER,
    PM_READY,
    PM_SECCOMP_FD,
    SyncChannel,
    hand_over_pty,
    unexpected,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ..cli.context import Context
    from ..state.store import StagedWrite

INIT_TIMEOUT_MS = 120_000


class CreateOptions:
    def __init__(
        self,
        bundle: str,
        pid_file: str | None = None,
        console_socket: str | None = None,
        preserve_fds: int = 0,
        no_pivot: bool = False,
        no_new_keyring: bool = False,
        keep_pty: bool = False,
    ) -> None:
        self.bundle = bundle
        self.pid_file = pid_file
        self.console_socket = console_socket
        self.preserve_fds = preserve_fds
        self.no_pivot = no_pivot
        self.no_new_keyring = no_new_keyring
        self.keep_pty = keep_pty


class Created:
    def __init__(self, container: Container, pty_master: int) -> None:
        self.container = container
        self.pty_master = pty_master


def rfc3339_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int((now % 1) * 1e9):09d}Z"


def write_pid_file(path: str, pid: int) -> None:
    """Digits only, no newline, atomically (temp + rename) so a reader never sees a partial file."""
    path = os.path.abspath(path)
    temp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            os.write(fd, str(pid).encode())
        finally:
            os.close(fd)
        os.rename(temp, path)
    except OSError as exc:
        raise PyruncError(f"write pid file {path}: {(exc.strerror or str(exc)).lower()}") from None


def _owner() -> str:
    """The user name of our euid from /etc/passwd (the pwd module goes through NSS: ~10 ms here)."""
    uid = str(os.geteuid())
    try:
        with open("/etc/passwd", "rb") as handle:
            for line in handle:
                fields = line.split(b":", 3)
                if len(fields) > 2 and fields[2] == uid.encode():
                    return fields[0].decode("utf-8", "replace")
    except OSError:
        pass
    return uid


def _write_proc(pid: int, name: str, text: str) -> None:
    try:
        fd = os.open(f"/proc/{pid}/{name}", os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)
    except OSError as exc:
        raise PyruncError(f"write /proc/{pid}/{name}: {(exc.strerror or str(exc)).lower()}") from None


def _ns_pid(pid: int) -> int:
    """The pid as the container sees it (last NSpid entry)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        pass
    return pid


class _Undo:
    def __init__(self) -> None:
        self.steps: list[Callable[[], object]] = []
        self.spawned = False  # the init was cloned: hooks may have acted, poststop must follow a failure

    def push(self, step: Callable[[], object]) -> None:
        self.steps.append(step)

    def run(self) -> None:
        for step in reversed(self.steps):
            try:
                step()
            except Exception as exc:  # undo must go on: report and continue
                LOG.warning(f"cleanup after failed create: {exc}")
        self.steps.clear()


def _kill_and_reap(pid: int) -> None:
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        return
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _poststop_after_failure(
    cfg: dict[str, Any], container_id: str, bundle: str, hooks: list[dict[str, Any]], spawned: bool
) -> None:
    if not spawned:
        return  # failed while planning: nothing ran, as runc fails before its container exists
    from .hooks import run_hooks_warn

    doc: dict[str, Any] = {
        "ociVersion": cfg.get("ociVersion", "1.3.0"),
        "id": container_id,
        "status": "stopped",
        "bundle": bundle,
    }
    if cfg.get("annotations"):
        doc["annotations"] = cfg["annotations"]
    run_hooks_warn({"poststop": hooks}, "poststop", jsonio.dumps(doc).encode())


def create(ctx: Context, container_id: str, opts: CreateOptions, extra_env: list[str]) -> Created:
    from ..spec.load import load_bundle_config
    from ..spec.validate import unknown_properties, validate_config

    bundle = os.path.abspath(opts.bundle)
    cfg = load_bundle_config(bundle)
    validate_config(cfg)
    if (cfg.get("process") or {}).get("terminal") and not opts.console_socket and not opts.keep_pty:
        from ..errors import UsageError

        raise UsageError("cannot allocate tty if pyrunc will detach without setting console socket")
    if ctx.log.debug_enabled:
        for pointer in unknown_properties(cfg):
            ctx.log.debug(f"{pointer}: unknown property ignored")
    store = ctx.store
    undo = _Undo()
    directory = store.create(container_id)
    poststop = (cfg.get("hooks") or {}).get("poststop")
    if poststop:
        # runtime-spec: a failed create continues the lifecycle at delete, whose poststop hooks may undo
        # what prestart ones did (runc runs them too). Pushed first, so they run after everything else.
        undo.push(lambda: _poststop_after_failure(cfg, container_id, bundle, poststop, undo.spawned))
    undo.push(lambda: store.remove(container_id))
    try:
        with store.lock(container_id):
            return _create_locked(ctx, container_id, cfg, bundle, directory, opts, extra_env, undo)
    except BaseException:
        undo.run()
        raise


def _create_locked(
    ctx: Context,
    container_id: str,
    cfg: dict[str, Any],
    bundle: str,
    directory: str,
    opts: CreateOptions,
    extra_env: list[str],
    undo: _Undo,
) -> Created:
    from ..native import ffi, lib, new_err, raise_err
    from .plan import build_plan

    linux = cfg.get("linux") or {}
    proc = cfg.get("process") or {}
    fifo_path = os.path.join(directory, FIFO_FILE)
    os.mkfifo(fifo_path, 0o600)
    # O_RDWR never blocks on a fifo; the init blocks reading it until `start` writes.
    fifo_fd = os.open(fifo_path, os.O_RDWR | os.O_CLOEXEC)
    undo.push(lambda: os.close(fifo_fd))

    plan = build_plan(
        cfg,
        bundle,
        fifo_fd=fifo_fd,
        preserve_fds=opts.preserve_fds,
        no_pivot=opts.no_pivot,
        no_new_keyring=opts.no_new_keyring,
        rootless=ctx.is_rootless(),
        seccomp_cache=os.path.join(ctx.root, ".seccomp-cache") if linux.get("seccomp") else None,
        extra_env=extra_env,
    )

    def close_plan_fds() -> None:
        for fd in plan.fds_to_close:
            os.close(fd)
        plan.fds_to_close.clear()

    undo.push(close_plan_fds)

    manager = None
    if os.environ.get("PYRUNC_NO_CGROUPS") != "1":
        from ..cgroups.manager import CgroupManager

        manager = CgroupManager.for_container(
            container_id,
            linux.get("cgroupsPath"),
            linux.get("resources"),
            systemd=ctx.systemd_cgroup,
            rootless=ctx.is_rootless(),
            linux_devices=linux.get("devices"),
        )
        manager.create()
        undo.push(manager.destroy)

    if not plan.has_mount_ns:
        from .mountns import unmount_under

        undo.push(lambda: unmount_under(plan.rootfs))

    # Built before the spawn: until the init has exec'd, every page this process writes is copied (the
    # setup child and the init share them copy-on-write), so the wait below is spent in C, touching none.
    record: dict[str, Any] = {
        "ociVersion": cfg.get("ociVersion", "1.3.0"),
        "id": container_id,
        "pid": 0,
        "bundle": bundle,
        "rootfs": plan.rootfs,
        "created": rfc3339_now(),
        "owner": _owner(),
        "annotations": cfg.get("annotations") or {},
        "cgroup": manager.to_state() if manager is not None else None,
        "hooks": {k: plan.hooks[k] for k in ("poststart", "poststop") if plan.hooks.get(k)},
        "process": proc,
        "mount_ns": plan.has_mount_ns,
        "seccomp": linux.get("seccomp"),
    }
    container = Container(ctx.store, record)
    channel = SyncChannel(-1)  # its buffers too; the socket comes with the spawn

    err = new_err()
    sync_ptr = ffi.new("int *")
    blob = plan.blob
    v1_tasks, v2_dir = manager.join_targets() if manager is not None else ([], "")
    tasks = "\0".join(v1_tasks).encode()
    child = lib.pyrunc_spawn(blob, len(blob), tasks, len(tasks), v2_dir.encode(), sync_ptr, err)
    if child < 0:
        raise_err(err)
    undo.spawned = True
    sync_fd = sync_ptr[0]
    undo.push(lambda: os.close(sync_fd))
    undo.push(lambda: _kill_and_reap(child))
    init_pid = 0
    child_reaped = False
    staged: StagedWrite | None = None

    def kill_init() -> None:
        if init_pid > 0:
            _kill_and_reap(init_pid)

    undo.push(kill_init)

    close_plan_fds()  # the child has its copies
    channel.fd = sync_fd

    pty_master = -1
    ready = False
    # The setup child sends the init's pid and the init sends ready: two processes, either order.
    while not (ready and init_pid):
        kind, value, fd = channel.recv(INIT_TIMEOUT_MS)
        if kind == PM_EOF:
            raise PyruncError("container init exited before it was ready")
        if kind == PM_IDMAP_REQ:
            if plan.setgroups_deny:
                _write_proc(child, "setgroups", "deny")
            if plan.uid_map:
                _write_proc(child, "uid_map", plan.uid_map)
            if plan.gid_map:
                _write_proc(child, "gid_map", plan.gid_map)
            channel.send(PM_IDMAP_DONE)
        elif kind == PM_INIT_PID:
            init_pid = value
            procs.wait_child(child)
            child_reaped = True
            record["pid"] = init_pid
            container.pid = init_pid
            record["init_start"] = procs.start_time(init_pid)
            # The record is final now; written while the init still sets up, put in place once it is ready.
            staged = ctx.store.stage(container_id, record)
            if plan.net_devices:
                from .netdev import move_net_devices

                move_net_devices(plan.net_devices, init_pid)
        elif kind == PM_HOOKS_REQ:
            from .hooks import run_hooks

            host_state = container.hook_state("created", init_pid)
            run_hooks(plan.hooks, "prestart", host_state)
            run_hooks(plan.hooks, "createRuntime", host_state)
            inner = container.hook_state("created", _ns_pid(init_pid))
            channel.send(PM_HOOKS_DONE, inner)
        elif kind == PM_PTY_MASTER:
            if opts.console_socket:
                hand_over_pty(opts.console_socket, fd)
            else:
                pty_master = fd

                def close_master(master: int = fd) -> None:  # bound now: `fd` is reused by later messages
                    os.close(master)

                undo.push(close_master)
        elif kind == PM_SECCOMP_FD:
            try:
                compiled = plan.seccomp
                if compiled is None or not compiled.listener_path:
                    raise PyruncError("seccomp notify fd received but no listenerPath is configured")
                from ..security.seccomp import listener_payload

                doc = listener_payload(compiled, container.oci_state("creating"))
                if (
                    lib.pyrunc_send_fd_to_path(
                        compiled.listener_path.encode(), fd, doc, len(doc), channel.err
                    )
                    < 0
                ):
                    raise_err(channel.err)
            finally:
                os.close(fd)
        elif kind == PM_READY:
            ready = True
        else:
            raise unexpected(kind, "container init")
    if not child_reaped:
        procs.wait_child(child)
    if opts.pid_file:
        write_pid_file(opts.pid_file, init_pid)
    assert staged is not None  # the loop ends only once the init's pid has come, and with it the staging
    staged.commit()
    os.close(sync_fd)
    os.close(fifo_fd)
    undo.steps.clear()
    return Created(container, pty_master)
