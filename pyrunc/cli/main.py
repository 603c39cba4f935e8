"""The `pyrunc` command: global flags, dispatch to one module per subcommand, and the error edge.

This is the only place that catches PyruncError: it prints one line `pyrunc: <message>` on stderr,
writes the same message to --log in the requested format, and exits 1 (255 for exec, as runc).
"""

from __future__ import annotations

import os
import sys

from ..errors import PyruncError, UsageError
from ..log import LOG
from .args import BOOL, STR, Flag, parse

GLOBAL_FLAGS = [
    Flag("root", STR, help="root directory for storage of container state (this should be located in tmpfs)"),
    Flag("log", STR, help="set the log file to write pyrunc logs to (default is '/dev/stderr')"),
    Flag("log-format", STR, default="text", help="set the log format ('text' (default), or 'json')"),
    Flag("debug", BOOL, help="enable debug logging"),
    Flag("systemd-cgroup", BOOL, help="enable systemd cgroup support (slice:prefix:name paths)"),
    Flag(
        "rootless", STR, default="auto", help="ignore cgroup permission errors ('true', 'false', or 'auto')"
    ),
    Flag("criu", STR, default="criu", help="path to the criu binary used for checkpoint and restore"),
    Flag("version,v", BOOL, help="print the version"),
    Flag("help,h", BOOL, help="show help"),
]

COMMANDS = {
    "checkpoint": "checkpoint the container (CRIU)",
    "create": "create a container",
    "delete": "delete any resources held by the container often used with detached container",
    "events": "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
    "exec": "execute new process inside the container",
    "features": "show the enabled features",
    "kill": "kill sends the specified signal (default: SIGTERM) to the container's init process",
    "list": "lists containers started by pyrunc with the given root",
    "pause": "pause suspends all processes inside the container",
    "ps": "ps displays the processes running inside a container",
    "restore": "restore a container from a previous checkpoint (CRIU)",
    "resume": "resumes all processes that have been previously paused",
    "run": "create and run a container",
    "spec": "create a new specification file",
    "start": "executes the user defined process in a created container",
    "state": "output the state of a container",
    "update": "update container resource constraints",
}


def _usage() -> str:
    lines = [
        "NAME:\n   pyrunc - an OCI runtime (runtime-spec v1.3) written in Python with a C core\n",
        "USAGE:\n   pyrunc [global options] command [command options] [arguments...]\n",
        "COMMANDS:",
    ]
    lines += [f"   {name:<11}{text}" for name, text in COMMANDS.items()]
    lines.append("\nGLOBAL OPTIONS:")
    for flag in GLOBAL_FLAGS:
        spelled = ", ".join(("-" if len(n) == 1 else "--") + n for n in flag.names)
        lines.append(f"   {spelled:<22}{flag.help}")
    return "\n".join(lines) + "\n"


def _version() -> str:
    from .. import OCI_VERSION, __version__

    text = f"pyrunc version {__version__}\nspec: {OCI_VERSION}\npython: {sys.version.split()[0]}\n"
    try:
        from ..native import lib

        if hasattr(lib, "pyrunc_seccomp_version"):
            from ..native import ffi

            text += f"libseccomp: {ffi.string(lib.pyrunc_seccomp_version()).decode()}\n"
    except PyruncError:
        pass
    return text


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    command = ""
    try:
        opts = parse(GLOBAL_FLAGS, argv, where="pyrunc")
        fmt = opts.text("log_format") or "text"
        if fmt not in ("text", "json"):
            raise UsageError(f"invalid log-format: {fmt}")
        LOG.configure(opts.text("log"), fmt, opts.flag("debug"))
        if opts.flag("version"):
            sys.stdout.write(_version())
            return 0
        if not opts.args or opts.flag("help"):
            sys.stdout.write(_usage())
            return 0 if opts.flag("help") or not opts.args else 1
        command = opts.args[0]
        if command not in COMMANDS:
            if command == "help":
                sys.stdout.write(_usage())
                return 0
            raise UsageError(f"no such command: {command}")
        rootless = opts.text("rootless") or "auto"
        if rootless not in ("auto", "true", "false"):
            raise UsageError(f"invalid value {rootless!r} for flag -rootless: expected true, false or auto")
        from .context import Context

        ctx = Context(opts.text("root"), opts.flag("systemd_cgroup"), rootless, opts.flag("debug"))
        module = __import__(f"pyrunc.cli.cmd_{command}", fromlist=["run"])
        status: int = module.run(ctx, opts.args[1:])
        return status
    except PyruncError as exc:
        return _report(str(exc), 255 if command == "exec" else exc.exit_status)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug: still one line for the user; the traceback only with --debug
        if LOG.debug_enabled:
            import traceback

            LOG.debug("".join(traceback.format_exception(exc)))
        return _report(f"internal error: {type(exc).__name__}: {exc}", 255 if command == "exec" else 1)


def _report(message: str, status: int) -> int:
    LOG.error(message)
    try:
        sys.stderr.write(f"pyrunc: {message}\n")
        sys.stderr.flush()
    except OSError:
        pass
    return status


def entry() -> None:
    status = main()
    try:
        sys.stdout.flush()
    except OSError:
        pass
    os._exit(status)
