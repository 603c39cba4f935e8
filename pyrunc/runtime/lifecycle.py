"""start, kill and delete of an existing container."""

from __future__ import annotations

import os

from ..errors import PyruncError, StateError
from ..log import LOG
from ..state.store import FIFO_FILE
from .container import Container, start_failed_message

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..cli.context import Context

SIGKILL = 9


def start(ctx: Context, container_id: str) -> Container:
    with ctx.store.lock(container_id):
        container = Container.load(ctx.store, container_id)
        status = container.status()
        if status == "stopped":
            raise StateError("cannot start a container that has stopped")
        if status != "created":
            raise StateError(f"cannot start an already {status} container")
        fifo = os.path.join(container.dir, FIFO_FILE)
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            # ENXIO: nobody holds the read end any more, the init is gone.
            reason = (exc.strerror or str(exc)).lower()
            raise StateError(
                f"cannot start container {container_id}: init is not waiting ({reason})"
            ) from None
        try:
            # A reader of our own, opened while the init still holds its end: it reports EOF once the
            # init has exec'd or died; the init writes "1" once its startContainer hooks are done.
            watch = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            os.close(fd)
            raise
        try:
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)
            os.unlink(fifo)
            _wait_for_exec(watch, container_id)
        finally:
            os.close(watch)
        hooks = container.record.get("hooks") or {}
        if hooks.get("poststart"):
            from .hooks import run_hooks

            try:
                run_hooks(hooks, "poststart", container.hook_state("running"))
            except PyruncError:
                # runtime-spec 1.3: a failing poststart hook is an error and stops the container (runc
                # does so too now); the caller's delete then finishes the lifecycle.
                _kill_and_wait(container)
                raise
        return container


def _wait_for_exec(watch: int, container_id: str) -> None:
    """Block (no polling loop) until the init has run its startContainer hooks and exec'd the user's
    process, so poststart hooks run after it (runtime-spec) and a failure before exec fails `start`."""
    import select

    poller = select.poll()
    poller.register(watch, 0)  # only POLLHUP: the byte the init writes must not wake us before it exits
    while True:
        try:
            if poller.poll():
                break
        except InterruptedError:
            continue
    try:
        data = os.read(watch, 16)
    except BlockingIOError:
        data = b""
    if not data.endswith(b"1"):
        raise PyruncError(start_failed_message(container_id))


def kill(ctx: Context, container_id: str, sig: int, all_processes: bool) -> None:
    container = Container.load(ctx.store, container_id)
    status = container.status()
    if status == "stopped" and not all_processes:
        raise StateError("container not running")
    if all_processes:
        manager = container.cgroups()
        if manager is not None:
            manager.kill_all(sig)
            return
        if status == "stopped":
            raise StateError("container not running")
    container.signal(sig)
    if status == "paused" and sig == SIGKILL:
        manager = container.cgroups()
        if manager is not None:
            manager.thaw()


def _teardown(ctx: Context, container: Container) -> None:
    """Undo everything create did, once the init is gone."""
    manager = None
    try:
        manager = container.cgroups()
    except PyruncError as exc:
        LOG.warning(f"container {container.id}: {exc}")
    if manager is not None:
        manager.destroy()
    if not container.record.get("mount_ns", True) and container.record.get("rootfs"):
        from .mountns import unmount_under

        unmount_under(container.record["rootfs"])
    hooks = container.record.get("hooks") or {}
    if hooks.get("poststop"):
        from .hooks import run_hooks_warn

        run_hooks_warn(hooks, "poststop", container.hook_state("stopped"))
    ctx.store.remove(container.id)


def _kill_and_wait(container: Container) -> None:
    manager = container.cgroups()
    killed = False
    if manager is not None and not manager.skipped:  # a skipped (rootless) cgroup has nobody to kill
        try:
            manager.kill_all(SIGKILL)  # reaches the init too
            killed = True
        except (OSError, PyruncError):
            pass
        try:
            if manager.is_frozen():
                manager.thaw()
        except (OSError, PyruncError):
            pass
    if not killed:
        try:
            container.signal(SIGKILL)
        except StateError:
            pass
    container.wait_exit(10_000)


def delete(ctx: Context, container_id: str, force: bool) -> None:
    store = ctx.store
    directory = store.dir(container_id)
    if not os.path.isdir(directory):
        if force:
            return  # runc: deleting a container that is already gone with --force is not an error
        raise StateError(f"container {container_id} does not exist")
    with store.lock(container_id):
        try:
            container = Container.load(store, container_id)
        except StateError:
            if not force:
                raise
            _force_remove_corrupt(ctx, container_id)
            return
        status = container.status()
        if status in ("running", "paused") and not force:
            raise StateError(f"cannot delete container {container_id} that is not stopped: {status}")
        if status != "stopped":
            # A created container is killed and deleted without --force, as runc and crun do
            # (containerd's shim relies on it); runtime-spec would call it an error. See docs/deviations.md.
            _kill_and_wait(container)
        _teardown(ctx, container)


def _force_remove_corrupt(ctx: Context, container_id: str) -> None:
    """The state file is unreadable: remove what pyrunc would have made for this id by default."""
    try:
        from ..cgroups.manager import CgroupManager

        CgroupManager.for_container(
            container_id, None, None, systemd=ctx.systemd_cgroup, rootless=ctx.is_rootless()
        ).destroy()
    except (OSError, PyruncError) as exc:
        LOG.warning(f"container {container_id}: cgroup cleanup: {exc}")
    ctx.store.remove(container_id)
