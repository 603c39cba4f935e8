"""pyrunc events [--stats] [--interval D] ID: runc's JSON events (stats, oom) on stdout."""

from __future__ import annotations

from .args import BOOL, STR, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "events",
    "<container-id>",
    [
        Flag("interval", STR, default="5s", help="set the stats collection interval"),
        Flag("stats", BOOL, help="display the container's stats then exit"),
    ],
    "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
    min_args=1,
    max_args=1,
)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.cgroupcmds import events

    events(ctx, opts.args[0], opts.text("interval") or "5s", opts.flag("stats"))
    return 0
