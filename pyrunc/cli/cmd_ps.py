"""pyrunc ps [-f table|json] ID [ps options]: the container's processes (json: array of host pids)."""

from __future__ import annotations

from .args import STR, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "ps",
    "<container-id> [ps options]",
    [Flag("format,f", STR, default="table", help='select one of: table or json (default: "table")')],
    "ps displays the processes running inside a container",
    min_args=1,
)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.cgroupcmds import ps

    return ps(ctx, opts.args[0], opts.text("format") or "table", opts.args[1:])
