"""pyrunc run [-d] [--keep] [create flags] ID: create + start; in the foreground, wait and exit with the
process's status (128+signal when killed), forwarding signals, then delete."""

from __future__ import annotations

import os

from .args import BOOL, Command, Flag
from .cmd_create import CREATE_FLAGS, create_options
from .common import listen_fds, parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "run",
    "<container-id>",
    CREATE_FLAGS
    + [
        Flag("detach,d", BOOL, help="detach from the container's process"),
        Flag("keep", BOOL, help="do not delete the container after it exits"),
        Flag("no-subreaper", BOOL, help="disable the use of the subreaper used to reap reparented processes"),
    ],
    "create and run a container",
    min_args=1,
    max_args=1,
)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.create import create
    from ..runtime.lifecycle import delete, start

    container_id = opts.args[0]
    detach = opts.flag("detach")
    copts = create_options(opts, keep_pty=not detach)
    n_listen, extra_env = listen_fds()
    copts.preserve_fds += n_listen  # type: ignore[attr-defined]
    if detach:
        create(ctx, container_id, copts, extra_env)  # type: ignore[arg-type]
        try:
            start(ctx, container_id)
        except BaseException:
            delete(ctx, container_id, True)
            raise
        return 0

    from ..runtime.procs import forward_signals

    pending: list[int] = []
    target = [0]
    forward_signals(target, pending)
    created = create(ctx, container_id, copts, extra_env)  # type: ignore[arg-type]
    container = created.container
    target[0] = container.pid
    status = 255
    try:
        if created.pty_master >= 0 and os.isatty(0):
            from ..runtime.console import copy_winsize

            # The caller's terminal size, before the process first looks at it (consoleSize is a default).
            copy_winsize(0, created.pty_master)
        start(ctx, container_id)
        if created.pty_master >= 0:
            from ..runtime.console import relay_until_exit

            status = relay_until_exit(created.pty_master, container.pid, pending)
        else:
            from ..runtime.procs import wait_child

            status = wait_child(container.pid, pending)
    finally:
        if not opts.flag("keep"):
            delete(ctx, container_id, True)
    return status
