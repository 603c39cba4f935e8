"""pyrunc restore: CRIU-based restore. Engines probe it with `restore --help`; the operation itself is not
implemented yet and says so (see docs/deviations.md)."""

from __future__ import annotations

from ..errors import PyruncError
from .args import BOOL, STR, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "restore",
    "<container-id>",
    [
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
    ],
    "restore a container (CRIU)",
    min_args=1,
    max_args=1,
)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    raise PyruncError("restore is not supported by this version of pyrunc")
