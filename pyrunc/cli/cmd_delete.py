"""pyrunc delete [--force] ID"""

from __future__ import annotations

from .args import BOOL, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "delete",
    "<container-id>",
    [Flag("force,f", BOOL, help="forcibly deletes the container if it is still running (uses SIGKILL)")],
    "delete any resources held by the container often used with detached container",
    min_args=1,
    max_args=1,
)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.lifecycle import delete

    delete(ctx, opts.args[0], opts.flag("force"))
    return 0
