"""pyrunc checkpoint / restore: CRIU-based. Engines probe them with `--help`; the operations themselves are
not implemented yet and say so (see docs/deviations.md)."""

from __future__ import annotations

from ..errors import PyruncError
from .args import BOOL, STR, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from .context import Context

CRIU_FLAGS = [
    Flag("image-path", STR, help="path for saving criu image files"),
    Flag("work-path", STR, help="path for saving work files and logs"),
    Flag("leave-running", BOOL, help="leave the process running after checkpointing"),
    Flag("tcp-established", BOOL, help="allow open tcp connections"),
    Flag("ext-unix-sk", BOOL, help="allow external unix sockets"),
    Flag("shell-job", BOOL, help="allow shell jobs"),
    Flag("file-locks", BOOL, help="handle file locks, for safety"),
    Flag("bundle,b", STR, help="path to the root of the bundle directory"),
    Flag("detach,d", BOOL, help="detach from the container's process"),
    Flag("pid-file", STR, help="specify the file to write the process id to"),
    Flag("console-socket", STR, help="path to an AF_UNIX socket which will receive the pty master"),
]


def criu_command(name: str) -> tuple[Command, Callable[[Context, list[str]], int]]:
    command = Command(
        name, "<container-id>", CRIU_FLAGS, f"{name} a container (CRIU)", min_args=1, max_args=1
    )

    def run(ctx: Context, argv: list[str]) -> int:
        if parse_command(command, argv) is None:
            return 0
        raise PyruncError(f"{name} is not supported by this version of pyrunc")

    return command, run


COMMAND, run = criu_command("checkpoint")
