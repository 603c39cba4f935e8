"""pyrunc create [-b BUNDLE] [--pid-file F] [--console-socket S] [--preserve-fds N] [--no-pivot]
[--no-new-keyring] ID"""

from __future__ import annotations

from ..errors import UsageError
from .args import BOOL, INT, STR, Command, Flag
from .common import listen_fds, parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

CREATE_FLAGS = [
    Flag(
        "bundle,b",
        STR,
        default="",
        help="path to the root of the bundle directory, defaults to the current directory",
    ),
    Flag("console-socket", STR, help="path to an AF_UNIX socket which will receive the pty master"),
    Flag("pid-file", STR, help="specify the file to write the process id to"),
    Flag("no-pivot", BOOL, help="do not use pivot root to jail process inside rootfs"),
    Flag("no-new-keyring", BOOL, help="do not create a new session keyring for the container"),
    Flag("preserve-fds", INT, default=0, help="pass N additional file descriptors to the container"),
]

COMMAND = Command("create", "<container-id>", CREATE_FLAGS, "create a container", min_args=1, max_args=1)


def create_options(opts: object, *, keep_pty: bool = False) -> object:
    from ..runtime.create import CreateOptions

    get = opts.values  # type: ignore[attr-defined]
    preserve = int(get.get("preserve_fds") or 0)
    if preserve < 0:
        raise UsageError("--preserve-fds must not be negative")
    return CreateOptions(
        bundle=get.get("bundle") or ".",
        pid_file=get.get("pid_file"),
        console_socket=get.get("console_socket"),
        preserve_fds=preserve,
        no_pivot=bool(get.get("no_pivot")),
        no_new_keyring=bool(get.get("no_new_keyring")),
        keep_pty=keep_pty,
    )


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.create import create

    copts = create_options(opts)
    n_listen, extra_env = listen_fds()
    copts.preserve_fds += n_listen  # type: ignore[attr-defined]
    created = create(ctx, opts.args[0], copts, extra_env)  # type: ignore[arg-type]
    if created.pty_master >= 0:
        # A terminal with nowhere to send it: runc refuses this combination too.
        import os

        os.close(created.pty_master)
    return 0
