"""pyrunc exec [-p process.json | ARGS...] [flags] ID: a new process inside a running container."""

from __future__ import annotations

from ..errors import UsageError
from .args import BOOL, INT, LIST, STR, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "exec",
    "<container-id> <command> [command options]",
    [
        Flag("console-socket", STR, help="path to an AF_UNIX socket which will receive the pty master"),
        Flag("cwd", STR, help="current working directory in the container"),
        Flag("env,e", LIST, help="set environment variables"),
        Flag("tty,t", BOOL, help="allocate a pseudo-TTY"),
        Flag("user,u", STR, help="UID (format: <uid>[:<gid>])"),
        Flag("additional-gids,g", LIST, help="additional gids"),
        Flag("process,p", STR, help="path to the process.json"),
        Flag("detach,d", BOOL, help="detach from the container's process"),
        Flag("pid-file", STR, help="specify the file to write the process id to"),
        Flag(
            "process-label", STR, help="set the asm process label for the process commonly used with selinux"
        ),
        Flag("apparmor", STR, help="set the apparmor profile for the process"),
        Flag("no-new-privs", BOOL, help="set the no new privileges value for the process"),
        Flag("cap,c", LIST, help="add a capability to the bounding set for the process"),
        Flag("preserve-fds", INT, default=0, help="pass N additional file descriptors to the container"),
        Flag("cgroup", LIST, help="run the process in an (existing) sub-cgroup(s)"),
        Flag("ignore-paused", BOOL, help="allow exec in a paused container"),
    ],
    "execute new process inside the container",
    min_args=1,
)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.container import Container
    from ..runtime.execproc import (
        ExecRequest,
        apply_exec_flags,
        exec_process,
        load_process_file,
        process_from_args,
    )

    container_id = opts.args[0]
    req = ExecRequest()
    process_path = opts.text("process")
    if process_path:
        req.process = load_process_file(process_path)
    else:
        if len(opts.args) < 2:
            raise UsageError("exec: args must not be empty (give a command or --process)")
        container = Container.load(ctx.store, container_id)
        req.process = process_from_args(container, opts.args[1:], opts)
    apply_exec_flags(req.process, opts)
    req.detach = opts.flag("detach")
    req.pid_file = opts.text("pid_file")
    req.console_socket = opts.text("console_socket")
    req.preserve_fds = opts.number("preserve_fds")
    req.ignore_paused = opts.flag("ignore_paused")
    req.cgroup = opts.items("cgroup")
    return exec_process(ctx, container_id, req)
