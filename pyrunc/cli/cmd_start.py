"""pyrunc start ID"""

from __future__ import annotations

from .args import Command
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "start",
    "<container-id>",
    [],
    "executes the user defined process in a created container",
    min_args=1,
    max_args=1,
)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.lifecycle import start

    start(ctx, opts.args[0])
    return 0
